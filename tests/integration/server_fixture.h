#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "cradle/v1/container.grpc.pb.h"
#include "cradle/v1/flags.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/flags/flag_config.h"
#include "security/attestation.h"
#include "security/ed25519.h"
#include "services/deep_verify.h"
#include "services/server.h"
#include "storage/rocksdb_ledger.h"
#include "tests/testing/parties.h"
#include "tests/testing/temp_dir.h"

namespace cradle::testing {

inline absl::StatusOr<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Holds the next append to one stream on its way into the ledger (the
// ledger's before_append seam), so that a test can land another write
// between a decision and its append. Re-armable; a hold not released in 60 s
// lets the append go on.
class AppendHold {
 public:
  // The seam: called on the appending thread.
  void Before(const storage::AppendRequest& r) {
    absl::MutexLock lock(&mu_);
    if (stream_.empty() || r.stream != stream_) return;
    stream_.clear();
    held_ = true;
    mu_.AwaitWithTimeout(absl::Condition(&released_), absl::Seconds(60));
  }
  void Arm(std::string stream) {
    absl::MutexLock lock(&mu_);
    stream_ = std::move(stream);
    held_ = false;
    released_ = false;
  }
  // True once an append is held (within 60 s).
  bool WaitUntilHeld() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&held_), absl::Seconds(60));
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }

 private:
  absl::Mutex mu_;
  std::string stream_ ABSL_GUARDED_BY(mu_);
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
};

// Who a test acts as, besides the parties (each registered party gets a
// credential in its first role; carriers and receivers also a signing key).
inline const std::string kAdmin = "administrator";
inline const std::string kProvinceRegulator = "regulator:33";  // 浙江
inline const std::string kJiaxingRegulator = "regulator:3304";
inline const std::string kHangzhouRegulator = "regulator:3301";

// What a manifest write answered, whichever write it was (each has its own
// response message, all holding the manifest and the receipt).
class WriteReply {
 public:
  const v1::Manifest& manifest() const { return manifest_; }
  const v1::WriteReceipt& receipt() const { return receipt_; }

  template <typename Response>
  void From(const Response& r) {
    manifest_ = r.manifest();
    receipt_ = r.receipt();
  }

 private:
  v1::Manifest manifest_;
  v1::WriteReceipt receipt_;
};

// Calls `rpc(&response)` and, when it succeeds, keeps what it answered in
// `out` (if set).
template <typename Response, typename Rpc>
grpc::Status Answered(WriteReply* out, Rpc rpc) {
  Response response;
  grpc::Status s = rpc(&response);
  if (s.ok() && out != nullptr) out->From(response);
  return s;
}

// A real CradleServer on 127.0.0.1:0 (plain TCP on loopback; TLS has its own
// test) over a RocksDB ledger in a fresh temp dir, a FakeClock, the parties
// of tests/testing/parties.h registered with credentials (both receivers
// licensed for 900-249-08 and HW49), regulators of Zhejiang, Jiaxing and
// Hangzhou, and helpers for each RPC that call as the party the request
// names.
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    Start();
    absl::StatusOr<std::string> admin =
        ReadAll(dir_.Sub("ledger") + "/admin.token");
    // A cluster node writes it once it has become the writer.
    for (int i = 0; !admin.ok() && i < 200; ++i) {
      absl::SleepFor(absl::Milliseconds(50));
      admin = ReadAll(dir_.Sub("ledger") + "/admin.token");
    }
    ASSERT_TRUE(admin.ok()) << admin.status();
    creds_[kAdmin].token = std::string(absl::StripAsciiWhitespace(*admin));
    for (const char* j : {"33", "3304", "3301"}) {
      v1::IssueCredentialRequest req;
      req.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
      req.set_jurisdiction(j);
      Issue(absl::StrCat("regulator:", j), req);
    }
    Register(kGenerator, "嘉兴南湖精细化工", "330402", {v1::ROLE_GENERATOR});
    Register(kCarrier, "嘉善安运物流", "330421", {v1::ROLE_TRANSPORTER});
    Register(kRelayCarrier, "杭州滨江危运", "330108", {v1::ROLE_TRANSPORTER});
    Register(kThirdCarrier, "杭州余杭危运", "330110", {v1::ROLE_TRANSPORTER});
    Register(kReceiver, "海宁绿能固废处置", "330481", {v1::ROLE_RECEIVER});
    Register(kAltReceiver, "杭州西湖资源利用", "330106", {v1::ROLE_RECEIVER});
    Vehicle(kCarrier, kCarrierPlate);
    Vehicle(kRelayCarrier, kRelayPlate);
    Vehicle(kThirdCarrier, kThirdPlate);
    Licence(kReceiver, "ZJ-0481", 5000);
    Licence(kAltReceiver, "ZJ-0106", 5000);
  }

  void Licence(const std::string& receiver, const std::string& number,
               int64_t tonnes,
               std::vector<std::string> codes = {"900-249-08", "HW49"}) {
    v1::GrantLicenceRequest req;
    *req.mutable_meta() = Meta();
    req.set_receiver(receiver);
    req.mutable_licence()->set_number(number);
    for (const std::string& c : codes) req.mutable_licence()->add_codes(c);
    req.mutable_licence()->set_capacity_kg(tonnes * 1000);
    req.mutable_licence()->set_valid_until("2027-12-31");
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::GrantLicenceResponse reply;
    grpc::Status s = registry_->GrantLicence(&ctx, req, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void TearDown() override { hold_.Release(); }

  // Hook for a test's own limits.
  virtual void Configure(services::ServerOptions* options) { (void)options; }

  void Start() {
    absl::Status s = TryStart();
    ASSERT_TRUE(s.ok()) << s;
  }

  // Starts the server over the ledger in dir_ and connects the stubs.
  absl::Status TryStart() {
    services::ServerOptions options;
    options.data_dir = dir_.Sub("ledger");
    options.listen = "127.0.0.1:0";
    options.clock = &clock_;
    options.before_append = [this](const storage::AppendRequest& r) {
      hold_.Before(r);
    };
    options.sweep_interval = absl::ZeroDuration();  // tests sweep by hand
    options.scrub_rate = 0;                         // and scrub by hand
    options.insecure = true;
    Configure(&options);
    absl::StatusOr<std::unique_ptr<services::CradleServer>> server =
        services::CradleServer::Start(options);
    if (!server.ok()) return server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    registry_ = v1::Registry::NewStub(channel_);
    flags_ = v1::Flags::NewStub(channel_);
    manifests_ = v1::Manifests::NewStub(channel_);
    transfers_ = v1::Transfers::NewStub(channel_);
    disposals_ = v1::Disposals::NewStub(channel_);
    audit_ = v1::Audit::NewStub(channel_);
    credentials_ = v1::Credentials::NewStub(channel_);
    containers_ = v1::Containers::NewStub(channel_);
    return absl::OkStatus();
  }

  // Makes `ctx` call as `who`: a party's USCC, kAdmin or a regulator. Who
  // has no credential calls without one.
  void As(grpc::ClientContext* ctx, const std::string& who) {
    auto it = creds_.find(who);
    if (it != creds_.end()) {
      ctx->AddMetadata("authorization", "Bearer " + it->second.token);
    }
  }

  // Signs `req` with `who`'s key, if it has one.
  template <typename Request>
  void Sign(Request* req, const std::string& who) {
    auto it = creds_.find(who);
    if (it != creds_.end() && it->second.key != nullptr) {
      ASSERT_TRUE(security::SignRequest(*it->second.key, req).ok());
    }
  }

  // Issues a credential as the administrator, remembered under `name`.
  void Issue(const std::string& name, v1::IssueCredentialRequest req,
             bool with_key = false) {
    Credential& c = creds_[name];
    if (with_key) {
      absl::StatusOr<std::unique_ptr<security::Ed25519Key>> key =
          security::Ed25519Key::LoadOrCreate(
              dir_.Sub(absl::StrCat("key-", creds_.size(), ".pem")));
      ASSERT_TRUE(key.ok()) << key.status();
      c.key = *std::move(key);
      req.set_public_key(c.key->public_key());
    }
    *req.mutable_meta() = Meta();
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::IssueCredentialResponse reply;
    grpc::Status s = credentials_->Issue(&ctx, req, &reply);
    ASSERT_TRUE(s.ok()) << name << ": " << s.error_message();
    c.token = reply.token();
    c.id = reply.credential().id();
  }

  void Restart() {
    server_.reset();
    Start();
  }

  // Containers.Get of `code` as `who`; the container in `out`.
  grpc::Status GetContainerAs(const std::string& who, const std::string& code,
                              v1::Container* out = nullptr) {
    v1::GetContainerRequest req;
    req.set_code(code);
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::GetContainerResponse reply;
    grpc::Status s = containers_->Get(&ctx, req, &reply);
    if (out != nullptr) *out = reply.container();
    return s;
  }

  // The container `code` as `who` reads it, which must succeed.
  v1::Container ContainerAs(const std::string& who, const std::string& code) {
    v1::Container c;
    grpc::Status s = GetContainerAs(who, code, &c);
    EXPECT_TRUE(s.ok()) << code << ": " << s.error_message();
    return c;
  }

  // Stops the server and replays its whole ledger as `audit verify
  // --deep` does: what the server wrote must replay to what it holds.
  void ExpectDeepVerifyPasses() {
    server_.reset();
    storage::RocksDbLedger::Options read_only;
    read_only.read_only = true;
    absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
        storage::RocksDbLedger::Open(dir_.Sub("ledger"), read_only);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    services::DeepVerifier verifier(**ledger, domain::FlagConfig());
    absl::StatusOr<services::DeepReport> report = verifier.CheckAll();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok) << report->stream << ": " << report->problem;
  }

  v1::WriteMeta Meta() {
    v1::WriteMeta meta;
    meta.set_idempotency_key(absl::StrCat("key-", ++keys_));
    return meta;
  }

  void Register(const std::string& id, const std::string& name,
                const std::string& division, std::vector<v1::Role> roles) {
    v1::RegisterEnterpriseRequest req;
    *req.mutable_meta() = Meta();
    req.set_id(id);
    req.set_name(name);
    req.set_division(division);
    for (v1::Role r : roles) req.add_roles(r);
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::RegisterEnterpriseResponse reply;
    grpc::Status s = registry_->RegisterEnterprise(&ctx, req, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::IssueCredentialRequest cred;
    cred.set_kind(v1::CREDENTIAL_KIND_PARTY);
    cred.set_enterprise(id);
    cred.set_role(roles.at(0));
    Issue(id, cred,
          roles[0] == v1::ROLE_TRANSPORTER || roles[0] == v1::ROLE_RECEIVER);
  }

  void Vehicle(const std::string& carrier, const std::string& plate) {
    v1::RegisterVehicleRequest req;
    *req.mutable_meta() = Meta();
    req.set_carrier(carrier);
    req.mutable_vehicle()->set_plate(plate);
    req.mutable_vehicle()->set_permit("permit-1");
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::RegisterVehicleResponse reply;
    grpc::Status s = registry_->RegisterVehicle(&ctx, req, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::OpenManifestRequest OpenRequest() {
    v1::OpenManifestRequest req;
    *req.mutable_meta() = Meta();
    req.set_generator(kGenerator);
    req.set_carrier(kCarrier);
    req.set_receiver(kReceiver);
    v1::WasteLine* line = req.add_lines();
    line->set_code("900-249-08");
    line->set_quantity_g(1000 * 1000);  // 1 t
    line->set_packaging("drum");
    line->set_package_count(5);
    v1::WasteLine* second = req.add_lines();
    second->set_code("900-041-49");
    second->set_quantity_g(250 * 1000);
    return req;
  }

  // kGenerator's management plan for 2026 (docs/PLANS.md): of each line of
  // OpenRequest(), 10 t and 2 t a year, all to kReceiver.
  static v1::ManagementPlan GeneratorPlan() {
    v1::ManagementPlan p;
    p.set_generator(kGenerator);
    p.set_year(2026);
    p.set_tier(v1::GENERATOR_TIER_KEY);
    for (const auto& [code, tonnes] :
         {std::pair<const char*, int64_t>{"900-249-08", 10},
          {"900-041-49", 2}}) {
      v1::PlanLine* l = p.add_lines();
      l->set_code(code);
      l->set_expected_g(tonnes * 1000 * 1000);
      v1::PlannedTransfer* t = l->add_transfers();
      t->set_receiver(kReceiver);
      t->set_quantity_g(tonnes * 1000 * 1000);
    }
    return p;
  }

  // Files `plan` as its generator.
  grpc::Status FilePlan(const v1::ManagementPlan& plan,
                        v1::FilePlanResponse* out) {
    v1::FilePlanRequest req;
    *req.mutable_meta() = Meta();
    *req.mutable_plan() = plan;
    grpc::ClientContext ctx;
    As(&ctx, plan.generator());
    return registry_->FilePlan(&ctx, req, out);
  }

  grpc::Status Open(const v1::OpenManifestRequest& req, WriteReply* r) {
    return OpenAs(req.generator(), req, r);
  }
  grpc::Status OpenAs(const std::string& who,
                      const v1::OpenManifestRequest& req, WriteReply* r) {
    grpc::ClientContext ctx;
    As(&ctx, who);
    return Answered<v1::OpenManifestResponse>(
        r, [&](auto* out) { return manifests_->Open(&ctx, req, out); });
  }

  // A regulator of `prefix`, issued on first use.
  std::string Regulator(const std::string& prefix) {
    const std::string name = "regulator:" + prefix;
    if (creds_.count(name) == 0) {
      v1::IssueCredentialRequest req;
      req.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
      req.set_jurisdiction(prefix);
      Issue(name, req);
    }
    return name;
  }

  std::string OpenOne() {
    WriteReply r;
    grpc::Status s = Open(OpenRequest(), &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r.manifest().number();
  }

  // A scan of `codes` at `point` by `by` on its device now, signed with
  // its key unless `sign` is false.
  grpc::Status Scan(const std::string& n, const std::string& by,
                    v1::ScanPoint point, const std::vector<std::string>& codes,
                    WriteReply* r = nullptr, bool sign = true) {
    v1::ScanRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_meta()->set_device("PDA-07");
    *req.mutable_meta()->mutable_device_time() = ToTimestamp(clock_.Now());
    req.set_number(n);
    req.set_by(by);
    req.set_point(point);
    for (const std::string& c : codes) req.add_containers(c);
    if (sign) Sign(&req, by);
    grpc::ClientContext ctx;
    As(&ctx, by);
    return Answered<v1::ScanResponse>(
        r, [&](auto* out) { return transfers_->Scan(&ctx, req, out); });
  }

  grpc::Status Pickup(const std::string& n, const std::string& carrier,
                      const std::string& plate, WriteReply* r,
                      v1::WriteMeta meta = {}, const std::string& trip = "") {
    v1::PickupRequest req;
    *req.mutable_meta() = meta.idempotency_key().empty() ? Meta() : meta;
    req.set_number(n);
    req.set_carrier(carrier);
    req.set_vehicle(plate);
    req.set_trip(trip);
    Sign(&req, carrier);
    grpc::ClientContext ctx;
    As(&ctx, carrier);
    return Answered<v1::PickupResponse>(
        r, [&](auto* out) { return transfers_->Pickup(&ctx, req, out); });
  }

  grpc::Status Relay(const std::string& n, const std::string& from,
                     const std::string& to, const std::string& plate,
                     WriteReply* r) {
    v1::RelayRequest req;
    *req.mutable_meta() = Meta();
    req.set_number(n);
    req.set_from_carrier(from);
    req.set_to_carrier(to);
    req.set_vehicle(plate);
    Sign(&req, from);
    grpc::ClientContext ctx;
    As(&ctx, from);
    return Answered<v1::RelayResponse>(
        r, [&](auto* out) { return transfers_->Relay(&ctx, req, out); });
  }

  grpc::Status Deliver(const std::string& n, const std::string& receiver,
                       WriteReply* r) {
    v1::DeliverRequest req;
    *req.mutable_meta() = Meta();
    req.set_number(n);
    req.set_receiver(receiver);
    Sign(&req, receiver);
    grpc::ClientContext ctx;
    As(&ctx, receiver);
    return Answered<v1::DeliverResponse>(
        r, [&](auto* out) { return transfers_->Deliver(&ctx, req, out); });
  }

  grpc::Status Receive(const std::string& n, const std::string& receiver,
                       std::vector<v1::LineReceipt> lines, WriteReply* r) {
    v1::ReceiveRequest req;
    *req.mutable_meta() = Meta();
    req.set_number(n);
    req.set_receiver(receiver);
    for (auto& l : lines) *req.add_lines() = l;
    Sign(&req, receiver);
    grpc::ClientContext ctx;
    As(&ctx, receiver);
    return Answered<v1::ReceiveResponse>(
        r, [&](auto* out) { return disposals_->Receive(&ctx, req, out); });
  }

  grpc::Status Dispose(const std::string& n, const std::string& receiver,
                       std::vector<v1::LineDisposal> lines, WriteReply* r) {
    v1::DisposeRequest req;
    *req.mutable_meta() = Meta();
    req.set_number(n);
    req.set_receiver(receiver);
    for (auto& l : lines) *req.add_lines() = l;
    Sign(&req, receiver);
    grpc::ClientContext ctx;
    As(&ctx, receiver);
    return Answered<v1::DisposeResponse>(
        r, [&](auto* out) { return disposals_->Dispose(&ctx, req, out); });
  }

  static v1::LineReceipt Accept(int line, int64_t g) {
    v1::LineReceipt r;
    r.set_line(line);
    r.set_decision(v1::LineReceipt::DECISION_ACCEPT);
    r.set_quantity_g(g);
    return r;
  }
  static v1::LineReceipt Reject(int line, int64_t g) {
    v1::LineReceipt r = Accept(line, g);
    r.set_decision(v1::LineReceipt::DECISION_REJECT);
    r.set_reason("drums leaking");
    return r;
  }
  static v1::LineDisposal Dispose(int line, int64_t g) {
    v1::LineDisposal d;
    d.set_line(line);
    d.set_method("D10");
    d.set_quantity_g(g);
    return d;
  }

  // Any manifest write by its request, answered into a WriteReply, on `ctx`
  // as set up by the caller.
  grpc::Status Write(grpc::ClientContext* ctx,
                     const v1::OpenManifestRequest& req, WriteReply* r) {
    return Answered<v1::OpenManifestResponse>(
        r, [&](auto* out) { return manifests_->Open(ctx, req, out); });
  }
  grpc::Status Write(grpc::ClientContext* ctx,
                     const v1::IssueManifestRequest& req, WriteReply* r) {
    return Answered<v1::IssueManifestResponse>(
        r, [&](auto* out) { return manifests_->Issue(ctx, req, out); });
  }
  grpc::Status Write(grpc::ClientContext* ctx,
                     const v1::CancelManifestRequest& req, WriteReply* r) {
    return Answered<v1::CancelManifestResponse>(
        r, [&](auto* out) { return manifests_->Cancel(ctx, req, out); });
  }
  grpc::Status Write(grpc::ClientContext* ctx, const v1::PickupRequest& req,
                     WriteReply* r) {
    return Answered<v1::PickupResponse>(
        r, [&](auto* out) { return transfers_->Pickup(ctx, req, out); });
  }
  grpc::Status Write(grpc::ClientContext* ctx, const v1::RelayRequest& req,
                     WriteReply* r) {
    return Answered<v1::RelayResponse>(
        r, [&](auto* out) { return transfers_->Relay(ctx, req, out); });
  }
  grpc::Status Write(grpc::ClientContext* ctx, const v1::DeliverRequest& req,
                     WriteReply* r) {
    return Answered<v1::DeliverResponse>(
        r, [&](auto* out) { return transfers_->Deliver(ctx, req, out); });
  }
  grpc::Status Write(grpc::ClientContext* ctx, const v1::RerouteRequest& req,
                     WriteReply* r) {
    return Answered<v1::RerouteResponse>(
        r, [&](auto* out) { return transfers_->Reroute(ctx, req, out); });
  }
  grpc::Status Write(grpc::ClientContext* ctx, const v1::ReceiveRequest& req,
                     WriteReply* r) {
    return Answered<v1::ReceiveResponse>(
        r, [&](auto* out) { return disposals_->Receive(ctx, req, out); });
  }
  grpc::Status Write(grpc::ClientContext* ctx, const v1::DisposeRequest& req,
                     WriteReply* r) {
    return Answered<v1::DisposeResponse>(
        r, [&](auto* out) { return disposals_->Dispose(ctx, req, out); });
  }
  grpc::Status Write(grpc::ClientContext* ctx,
                     const v1::RecordPaymentRequest& req, WriteReply* r) {
    return Answered<v1::RecordPaymentResponse>(
        r, [&](auto* out) { return disposals_->RecordPayment(ctx, req, out); });
  }

  // A regulator's note on a flag, acknowledging or resolving it; `f` gets
  // the flag as it left.
  grpc::Status Acknowledge(grpc::ClientContext* ctx,
                           const v1::AcknowledgeFlagRequest& note,
                           v1::Flag* f) {
    v1::AcknowledgeFlagResponse r;
    grpc::Status s = flags_->Acknowledge(ctx, note, &r);
    if (s.ok()) *f = r.flag();
    return s;
  }
  grpc::Status Resolve(grpc::ClientContext* ctx,
                       const v1::AcknowledgeFlagRequest& note, v1::Flag* f) {
    v1::ResolveFlagRequest q;
    *q.mutable_meta() = note.meta();
    q.set_id(note.id());
    q.set_note(note.note());
    q.set_by(note.by());
    v1::ResolveFlagResponse r;
    grpc::Status s = flags_->Resolve(ctx, q, &r);
    if (s.ok()) *f = r.flag();
    return s;
  }

  uint64_t Head() {
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::HeadResponse head;
    EXPECT_TRUE(audit_->Head(&ctx, v1::HeadRequest(), &head).ok());
    return head.sequence();
  }

  v1::Manifest Get(const std::string& n) {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::GetManifestRequest req;
    req.set_number(n);
    v1::GetManifestResponse got;
    EXPECT_TRUE(manifests_->Get(&ctx, req, &got).ok());
    return got.manifest();
  }

  cradle::testing::TempDir dir_;
  AppendHold hold_;  // before server_: it may be waiting in it
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 23, 9, 0, 0),
                                   absl::FixedTimeZone(8 * 3600))};
  std::unique_ptr<services::CradleServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Registry::Stub> registry_;
  std::unique_ptr<v1::Manifests::Stub> manifests_;
  std::unique_ptr<v1::Transfers::Stub> transfers_;
  std::unique_ptr<v1::Disposals::Stub> disposals_;
  std::unique_ptr<v1::Audit::Stub> audit_;
  std::unique_ptr<v1::Flags::Stub> flags_;
  std::unique_ptr<v1::Credentials::Stub> credentials_;
  std::unique_ptr<v1::Containers::Stub> containers_;
  struct Credential {
    std::string id;
    std::string token;
    std::unique_ptr<security::Ed25519Key> key;  // carriers and receivers
  };
  std::map<std::string, Credential> creds_;
  int keys_ = 0;
};

}  // namespace cradle::testing
