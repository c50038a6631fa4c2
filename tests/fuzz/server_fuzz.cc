// A whole request through the real server, in process: any bytes, to any
// method, as any caller, pass the request check, the gate and the store. A
// refusal must write nothing (the ledger's head does not move), and what the
// accepted writes leave behind must still be what their entries replay to
// (deep verification, every few hundred inputs).

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"

#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "security/attestation.h"
#include "security/ed25519.h"
#include "services/deep_verify.h"
#include "services/server.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/quiet_protobuf.h"
#include "tests/testing/methods.h"
#include "tests/testing/parties.h"

namespace {

using namespace cradle;
using cradle::testing::kCarrier;
using cradle::testing::kCarrierPlate;
using cradle::testing::kGenerator;
using cradle::testing::kReceiver;

constexpr int kDeepEvery = 250;

struct World {
  std::string dir;
  std::unique_ptr<services::CradleServer> server;
  std::shared_ptr<grpc::Channel> channel;
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  // Callers: tokens ("" calls without one).
  std::vector<std::string> tokens;
  std::unique_ptr<security::Ed25519Key> carrier_key;
};

// A unary call, even of a streamed method: the first message or the
// refusal is all this needs; a streamed answer then waits out `deadline`.
grpc::Status Call(World& w, const std::string& method, const std::string& token,
                  const std::string& request,
                  std::chrono::milliseconds deadline) {
  grpc::GenericStub stub(w.channel);
  grpc::Slice slice(request);
  grpc::ByteBuffer in(&slice, 1), out;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline);
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &in, &out,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  return status;
}

std::string Issue(World& w, const std::string& admin,
                  v1::IssueCredentialRequest req) {
  req.mutable_meta()->set_idempotency_key(
      absl::StrCat("setup-cred-", w.tokens.size(), "-", req.enterprise()));
  v1::IssueCredentialResponse reply;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + admin);
  grpc::Status s =
      v1::Credentials::NewStub(w.channel)->Issue(&ctx, req, &reply);
  FUZZ_CHECK(s.ok(), s.error_message());
  return reply.token();
}

void Register(World& w, const std::string& admin, const std::string& id,
              const std::string& division, v1::Role role) {
  v1::RegisterEnterpriseRequest req;
  req.mutable_meta()->set_idempotency_key("setup-" + id);
  req.set_id(id);
  req.set_name("企业");
  req.set_division(division);
  req.add_roles(role);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + admin);
  v1::RegisterEnterpriseResponse out;
  grpc::Status s =
      v1::Registry::NewStub(w.channel)->RegisterEnterprise(&ctx, req, &out);
  FUZZ_CHECK(s.ok(), s.error_message());
}

World& TheWorld() {
  static World* w = [] {
    auto* w = new World;
    char pattern[] = "/tmp/cradle-fuzz-XXXXXX";
    w->dir = mkdtemp(pattern);
    // The ledger goes with the process.
    std::atexit([] {
      World& w = TheWorld();
      w.server->Shutdown();
      std::error_code ignored;
      std::filesystem::remove_all(w.dir, ignored);
    });
    services::ServerOptions options;
    options.data_dir = w->dir;
    options.listen = "127.0.0.1:0";
    options.insecure = true;
    options.sweep_interval = absl::ZeroDuration();
    options.scrub_rate = 0;
    options.checkpoint_interval = absl::ZeroDuration();
    options.sync = false;  // a fuzzer's ledger need not survive a crash
    absl::StatusOr<std::unique_ptr<services::CradleServer>> server =
        services::CradleServer::Start(options);
    FUZZ_CHECK(server.ok(), server.status().ToString());
    w->server = *std::move(server);
    w->channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", w->server->port()),
                            grpc::InsecureChannelCredentials());
    std::ifstream in(w->dir + "/admin.token");
    std::string admin;
    std::getline(in, admin);
    Register(*w, admin, kGenerator, "330402", v1::ROLE_GENERATOR);
    Register(*w, admin, kCarrier, "330421", v1::ROLE_TRANSPORTER);
    Register(*w, admin, kReceiver, "330481", v1::ROLE_RECEIVER);
    w->carrier_key = *security::Ed25519Key::LoadOrCreate(w->dir + "/c.pem");
    v1::IssueCredentialRequest party;
    party.set_kind(v1::CREDENTIAL_KIND_PARTY);
    party.set_enterprise(kGenerator);
    party.set_role(v1::ROLE_GENERATOR);
    const std::string generator = Issue(*w, admin, party);
    party.set_enterprise(kCarrier);
    party.set_role(v1::ROLE_TRANSPORTER);
    party.set_public_key(w->carrier_key->public_key());
    const std::string carrier = Issue(*w, admin, party);
    v1::IssueCredentialRequest regulator;
    regulator.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
    regulator.set_jurisdiction("33");
    w->tokens = {"", admin, generator, carrier, Issue(*w, admin, regulator)};
    w->methods = cradle::testing::AllMethods();
    return w;
  }();
  return *w;
}

int IndexOf(const std::string& full_name) {
  World& w = TheWorld();
  for (size_t i = 0; i < w.methods.size(); ++i) {
    if (w.methods[i]->full_name() == full_name) return static_cast<int>(i);
  }
  return 0;
}

}  // namespace

namespace cradle::fuzz {

std::vector<std::string> Seeds() {
  World& w = TheWorld();
  std::vector<std::string> seeds;
  auto seed = [&](const char* method, int caller,
                  const google::protobuf::Message& m) {
    seeds.push_back(absl::StrCat(
        std::string(1, static_cast<char>(IndexOf(method))),
        std::string(1, static_cast<char>(caller)), m.SerializeAsString()));
  };
  v1::OpenManifestRequest open;
  open.mutable_meta()->set_idempotency_key("seed-open");
  open.set_generator(kGenerator);
  open.set_carrier(kCarrier);
  open.set_receiver(kReceiver);
  v1::WasteLine* l = open.add_lines();
  l->set_code("900-249-08");
  l->set_quantity_g(1000000);
  seed("cradle.v1.Manifests.Open", 2, open);
  open.set_draft(true);
  open.mutable_meta()->set_idempotency_key("seed-draft");
  seed("cradle.v1.Manifests.Open", 2, open);
  v1::PickupRequest pickup;
  pickup.mutable_meta()->set_idempotency_key("seed-pickup");
  pickup.set_number("20263304000001");
  pickup.set_carrier(kCarrier);
  pickup.set_vehicle(kCarrierPlate);
  security::SignRequest(*w.carrier_key, &pickup).IgnoreError();
  seed("cradle.v1.Transfers.Pickup", 3, pickup);
  v1::RegisterVehicleRequest vehicle;
  vehicle.mutable_meta()->set_idempotency_key("seed-vehicle");
  vehicle.set_carrier(kCarrier);
  vehicle.mutable_vehicle()->set_plate(kCarrierPlate);
  vehicle.mutable_vehicle()->set_permit("P1");
  seed("cradle.v1.Registry.RegisterVehicle", 1, vehicle);
  v1::GrantLicenceRequest licence;
  licence.mutable_meta()->set_idempotency_key("seed-licence");
  licence.set_receiver(kReceiver);
  licence.mutable_licence()->set_number("ZJ-1");
  licence.mutable_licence()->add_codes("HW08");
  licence.mutable_licence()->add_methods("D10");
  licence.mutable_licence()->set_capacity_kg(5000000);
  licence.mutable_licence()->set_valid_until("2099-12-31");
  seed("cradle.v1.Registry.GrantLicence", 1, licence);
  v1::GetManifestRequest get;
  get.set_number("20263304000001");
  seed("cradle.v1.Manifests.Get", 4, get);
  v1::ListManifestsRequest list;
  list.set_page_size(5);
  seed("cradle.v1.Manifests.List", 2, list);
  v1::VerifyRequest verify;
  seed("cradle.v1.Audit.Verify", 4, verify);
  v1::ChainRequest chain;
  chain.set_number("20263304000001");
  seed("cradle.v1.Audit.Chain", 4, chain);
  v1::IssueCredentialRequest cred;
  cred.mutable_meta()->set_idempotency_key("seed-cred");
  cred.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
  cred.set_jurisdiction("3304");
  seed("cradle.v1.Credentials.Issue", 1, cred);
  return seeds;
}

}  // namespace cradle::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cradle::fuzz::QuietProtobufLogs();
  static int inputs = 0;
  if (size < 2) return 0;
  World& w = TheWorld();
  const google::protobuf::MethodDescriptor& method =
      *w.methods[data[0] % w.methods.size()];
  const std::string& token = w.tokens[data[1] % w.tokens.size()];
  const std::string request(reinterpret_cast<const char*>(data) + 2, size - 2);
  const storage::Head before = w.server->ledger().GetHead();
  const grpc::Status s = Call(
      w, absl::StrCat("/", method.service()->full_name(), "/", method.name()),
      token, request,
      std::chrono::milliseconds(method.server_streaming() ? 300 : 20000));
  static int accepted = 0;
  accepted += s.ok();
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
      !method.server_streaming()) {
    std::fprintf(stderr, "server_fuzz: %s did not answer in time\n",
                 method.full_name().c_str());
  }
  if (!s.ok()) {
    const storage::Head after = w.server->ledger().GetHead();
    FUZZ_CHECK(
        after.sequence == before.sequence,
        absl::StrCat(method.full_name(), " refused with ",
                     s.error_message().substr(0, 200), " but the ledger grew"));
    FUZZ_CHECK(s.error_message().size() <= 2200,
               absl::StrCat(method.full_name(), ": a message of ",
                            s.error_message().size(), " bytes"));
  }
  if (++inputs % kDeepEvery == 0) {
    std::unique_ptr<const storage::LedgerReader> snapshot =
        w.server->ledger().Snapshot();
    absl::StatusOr<services::DeepReport> deep =
        services::DeepVerifier(*snapshot, domain::FlagConfig()).CheckAll();
    FUZZ_CHECK(deep.ok() && deep->ok,
               deep.ok() ? absl::StrCat(deep->stream, ": ", deep->problem)
                         : deep.status().ToString());
    std::fprintf(
        stderr,
        "server_fuzz: %d inputs, %d accepted, ledger at %llu "
        "entries, deep check ok\n",
        inputs, accepted,
        static_cast<unsigned long long>(w.server->ledger().GetHead().sequence));
  }
  return 0;
}
