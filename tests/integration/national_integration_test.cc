// The national node over real PostgreSQL: province 33 is the fixture's
// server, a cluster node over its own log table; province 32 a second
// one; the national node follows both logs into copies of its own and
// checks the signed heads each province publishes.

#include <fstream>
#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/national.grpc.pb.h"
#include "storage/entry_codec.h"
#include "storage/pg_batch_log.h"
#include "storage/tree_head.h"
#include "tests/integration/server_fixture.h"
#include "tests/testing/pg_server.h"
#include "tests/testing/status_matchers.h"

namespace cradle::testing {
namespace {

using ::testing::HasSubstr;

const std::string kFarReceiver = MakeUscc("320115", "2K4L6M8");  // 南京江宁
const std::string kNationalAdmin = "national administrator";

class NationalIntegrationTest : public ServerFixture {
 protected:
  void Configure(services::ServerOptions* options) override {
    options->cluster_log = pg_.conninfo();
    options->cluster_table = "cradle_log_33";
    options->signing_key_file = dir_.Sub("province-33.pem");
  }

  // The province's public key, hex, as the provinces file pins it.
  std::string PublicKeyHex(const std::string& key_file) {
    absl::StatusOr<std::unique_ptr<security::Ed25519Key>> key =
        security::Ed25519Key::LoadOrCreate(key_file);
    EXPECT_TRUE(key.ok()) << key.status();
    return key.ok() ? storage::HexHash((*key)->public_key()) : "";
  }

  std::string Line(const std::string& code) {
    return absl::StrCat(code, " cradle_log_", code, " ",
                        PublicKeyHex(dir_.Sub("province-" + code + ".pem")),
                        " ", pg_.conninfo(), "\n");
  }

  void WriteProvinces(const std::string& text) {
    std::ofstream(dir_.Sub("provinces.txt")) << text;
  }

  // A server in `dir_`/`name` on a free loopback port.
  services::ServerOptions Options(const std::string& name) {
    services::ServerOptions options;
    options.data_dir = dir_.Sub(name);
    options.listen = "127.0.0.1:0";
    options.insecure = true;
    options.sweep_interval = absl::ZeroDuration();
    options.scrub_rate = 0;
    return options;
  }

  // Province 32: one cluster node over its own table and key.
  void StartProvince32() {
    services::ServerOptions options = Options("p32");
    options.cluster_log = pg_.conninfo();
    options.cluster_table = "cradle_log_32";
    options.signing_key_file = dir_.Sub("province-32.pem");
    absl::StatusOr<std::unique_ptr<services::CradleServer>> s =
        services::CradleServer::Start(options);
    ASSERT_TRUE(s.ok()) << s.status();
    province32_ = *std::move(s);
  }

  void StartNational() {
    services::ServerOptions options = Options("national");
    options.national_provinces = dir_.Sub("provinces.txt");
    absl::StatusOr<std::unique_ptr<services::CradleServer>> s =
        services::CradleServer::Start(options);
    ASSERT_TRUE(s.ok()) << s.status();
    national_server_ = *std::move(s);
    auto channel = grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", national_server_->port()),
        grpc::InsecureChannelCredentials());
    national_ = v1::National::NewStub(channel);
    national_credentials_ = v1::Credentials::NewStub(channel);
    absl::StatusOr<std::string> admin =
        ReadAll(dir_.Sub("national") + "/admin.token");
    ASSERT_TRUE(admin.ok()) << admin.status();
    national_tokens_[kNationalAdmin] =
        std::string(absl::StripAsciiWhitespace(*admin));
  }

  // A regulator of `prefix` issued on the national node.
  std::string NationalRegulator(const std::string& prefix) {
    v1::IssueCredentialRequest req;
    *req.mutable_meta() = Meta();
    req.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
    req.set_jurisdiction(prefix);
    grpc::ClientContext ctx;
    AsNational(&ctx, kNationalAdmin);
    v1::IssueCredentialResponse reply;
    grpc::Status s = national_credentials_->Issue(&ctx, req, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    const std::string name = "national regulator:" + prefix;
    national_tokens_[name] = reply.token();
    return name;
  }

  void AsNational(grpc::ClientContext* ctx, const std::string& who) {
    ctx->AddMetadata("authorization", "Bearer " + national_tokens_[who]);
  }

  // Has province 33 sign its tree head now; the writer publishes it.
  uint64_t SignHead33() {
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::GetTreeHeadResponse head;
    EXPECT_TRUE(
        audit_->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &head).ok());
    return head.tree_head().tree_size();
  }

  v1::ProvinceStatus Status(const std::string& code) {
    grpc::ClientContext ctx;
    AsNational(&ctx, kNationalAdmin);
    v1::ProvincesResponse reply;
    EXPECT_TRUE(
        national_->Provinces(&ctx, v1::ProvincesRequest(), &reply).ok());
    for (const v1::ProvinceStatus& p : reply.provinces()) {
      if (p.code() == code) return p;
    }
    return v1::ProvinceStatus();
  }

  // Waits (10 s at most) until `done` holds of province `code`'s status.
  bool WaitFor(const std::string& code,
               const std::function<bool(const v1::ProvinceStatus&)>& done) {
    for (int i = 0; i < 200; ++i) {
      if (done(Status(code))) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  // A load from 嘉兴 (33) to a receiver in 南京 (32), received whole.
  std::string CrossProvinceLoad() {
    Register(kFarReceiver, "南京江宁固废处置", "320115", {v1::ROLE_RECEIVER});
    Licence(kFarReceiver, "JS-0115", 5000);
    v1::OpenManifestRequest open = OpenRequest();
    open.set_receiver(kFarReceiver);
    WriteReply r;
    grpc::Status s = Open(open, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    const std::string n = r.manifest().number();
    EXPECT_TRUE(Pickup(n, kCarrier, kCarrierPlate, nullptr).ok());
    EXPECT_TRUE(Deliver(n, kFarReceiver, nullptr).ok());
    s = Receive(n, kFarReceiver,
                {Accept(1, 1000 * 1000), Accept(2, 250 * 1000)}, nullptr);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return n;
  }

  PgServer pg_;
  std::unique_ptr<services::CradleServer> province32_;
  std::unique_ptr<services::CradleServer> national_server_;
  std::unique_ptr<v1::National::Stub> national_;
  std::unique_ptr<v1::Credentials::Stub> national_credentials_;
  std::map<std::string, std::string> national_tokens_;
};

TEST_F(NationalIntegrationTest, FollowsEveryProvinceAndVerifiesItsSignedHeads) {
  WriteProvinces("# code table key conninfo\n" + Line("33"));
  StartNational();
  const uint64_t signed33 = SignHead33();
  ASSERT_TRUE(WaitFor("33", [&](const v1::ProvinceStatus& p) {
    return p.verified_head().tree_size() == signed33;
  })) << Status("33").DebugString();
  v1::ProvinceStatus p33 = Status("33");
  const storage::Head head33 = server_->ledger().GetHead();
  EXPECT_EQ(p33.head_sequence(), head33.sequence);
  EXPECT_EQ(p33.head_hash(), storage::HexHash(head33.hash));
  EXPECT_EQ(p33.problem(), "");

  // A province added to the file is followed without a restart.
  StartProvince32();
  WriteProvinces(Line("33") + Line("32"));
  ASSERT_TRUE(WaitFor("32", [&](const v1::ProvinceStatus& p) {
    return p.head_sequence() > 0 &&
           p.head_sequence() == province32_->ledger().GetHead().sequence;
  })) << Status("32").DebugString();
  EXPECT_EQ(Status("32").problem(), "");

  // Writes in 33 reach the national copy, and a newer signed head too.
  OpenOne();
  const uint64_t newer = SignHead33();
  EXPECT_GT(newer, signed33);
  EXPECT_TRUE(WaitFor("33", [&](const v1::ProvinceStatus& p) {
    return p.verified_head().tree_size() == newer &&
           p.head_sequence() == server_->ledger().GetHead().sequence;
  })) << Status("33").DebugString();
}

TEST_F(NationalIntegrationTest, TheDestinationProvinceSeesALoadFromAnother) {
  StartProvince32();
  WriteProvinces(Line("33") + Line("32"));
  StartNational();
  const std::string n = CrossProvinceLoad();
  ASSERT_TRUE(WaitFor("33", [&](const v1::ProvinceStatus& p) {
    return p.head_sequence() == server_->ledger().GetHead().sequence;
  }));
  const std::string jiangsu = NationalRegulator("32");

  v1::FlowsBetweenProvincesRequest flows;
  flows.set_province("32");
  flows.set_from_month("2026-11");
  flows.set_to_month("2026-11");
  {
    grpc::ClientContext ctx;
    AsNational(&ctx, jiangsu);
    v1::FlowsBetweenProvincesResponse reply;
    grpc::Status s = national_->Flows(&ctx, flows, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    int64_t grams = 0;
    for (const v1::ProvinceFlow& f : reply.flows()) {
      EXPECT_EQ(f.origin_province(), "33");
      EXPECT_EQ(f.destination_province(), "32");
      grams += f.grams();
    }
    EXPECT_EQ(grams, 1250 * 1000);
    bool unapproved = false;
    for (const v1::ProvinceFlagCount& c : reply.open_flags()) {
      unapproved |= c.province() == "33" &&
                    c.kind() == v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED &&
                    c.open() == 1;
    }
    EXPECT_TRUE(unapproved) << reply.DebugString();
  }

  v1::ListFlagsAcrossProvincesRequest flags;
  flags.set_province("32");
  flags.set_kind(v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED);
  flags.set_state(v1::FLAG_STATE_OPEN);
  {
    grpc::ClientContext ctx;
    AsNational(&ctx, jiangsu);
    v1::ListFlagsAcrossProvincesResponse reply;
    grpc::Status s = national_->ListFlags(&ctx, flags, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(reply.flags_size(), 1);
    EXPECT_EQ(reply.flags(0).province(), "33");
    EXPECT_EQ(reply.flags(0).flag().manifest(), n);
  }

  // Jiangsu's regulator reads neither another province nor the nation;
  // the national administrator reads the nation.
  for (const char* province : {"33", ""}) {
    flows.set_province(province);
    grpc::ClientContext ctx;
    AsNational(&ctx, jiangsu);
    v1::FlowsBetweenProvincesResponse reply;
    grpc::Status s = national_->Flows(&ctx, flows, &reply);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(s.error_message(), HasSubstr("province"));
  }
  {
    flows.set_province("");
    grpc::ClientContext ctx;
    AsNational(&ctx, kNationalAdmin);
    v1::FlowsBetweenProvincesResponse reply;
    ASSERT_TRUE(national_->Flows(&ctx, flows, &reply).ok());
    int64_t grams = 0;
    for (const v1::ProvinceFlow& f : reply.flows()) grams += f.grams();
    EXPECT_EQ(grams, 1250 * 1000);
  }
  // Bad input names the field.
  for (const auto& [province, month, field] :
       {std::tuple<const char*, const char*, const char*>{"3", "2026-11",
                                                          "province"},
        {"32", "2026-13", "from_month"}}) {
    flows.set_province(province);
    flows.set_from_month(month);
    grpc::ClientContext ctx;
    AsNational(&ctx, kNationalAdmin);
    v1::FlowsBetweenProvincesResponse reply;
    grpc::Status s = national_->Flows(&ctx, flows, &reply);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << field;
    EXPECT_THAT(s.error_message(), HasSubstr(field));
  }
}

// Publishes a head of province 33 at `size` with `root`, signed by the key
// in `key_file`, as a province (or an attacker with its database) could.
// False when the province's writer had published its own head of that size
// first (it signs one on its own a second after it starts).
bool Publish(const std::string& conninfo, const std::string& key_file,
             uint64_t size, const std::string& root) {
  storage::PgLogOptions options;
  options.conninfo = conninfo;
  options.table = "cradle_log_33";
  absl::StatusOr<std::unique_ptr<storage::PgBatchLog>> log =
      storage::PgBatchLog::Open(options);
  EXPECT_TRUE(log.ok()) << log.status();
  absl::StatusOr<std::unique_ptr<security::Ed25519Key>> key =
      security::Ed25519Key::LoadOrCreate(key_file);
  EXPECT_TRUE(key.ok()) << key.status();
  if (!log.ok() || !key.ok()) return false;
  storage::PublishedHead head;
  head.tree_size = size;
  head.timestamp = absl::FromUnixMicros(absl::ToUnixMicros(absl::Now()));
  head.root = root;
  head.signature =
      (*key)->Sign(storage::TreeHeadMessage(size, head.timestamp, root));
  EXPECT_TRUE((*log)->PublishHead(head).ok());
  absl::StatusOr<storage::PublishedHead> latest = (*log)->LatestHead();
  return latest.ok() && latest->signature == head.signature;
}

TEST_F(NationalIntegrationTest, AHeadNotSignedByThePinnedKeyStopsTheProvince) {
  WriteProvinces(Line("33"));
  StartNational();
  storage::TreeHead head;
  for (bool forged = false; !forged;) {
    OpenOne();
    head = server_->ledger().GetTreeHead();
    ASSERT_TRUE(WaitFor("33", [&](const v1::ProvinceStatus& p) {
      return p.head_sequence() == head.size;
    }));
    forged = Publish(pg_.conninfo(), dir_.Sub("another-key.pem"), head.size,
                     head.root);
  }
  ASSERT_TRUE(WaitFor("33", [](const v1::ProvinceStatus& p) {
    return !p.problem().empty();
  })) << Status("33").DebugString();
  EXPECT_THAT(Status("33").problem(),
              HasSubstr("not signed by its pinned key"));
  EXPECT_LT(Status("33").verified_head().tree_size(), head.size);
  // The copy is no longer applied.
  OpenOne();
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(Status("33").head_sequence(), head.size);
}

TEST_F(NationalIntegrationTest, ASignedRootTheLogDoesNotGiveStopsTheProvince) {
  WriteProvinces(Line("33"));
  StartNational();
  for (bool forged = false; !forged;) {
    OpenOne();
    const storage::TreeHead head = server_->ledger().GetTreeHead();
    ASSERT_TRUE(WaitFor("33", [&](const v1::ProvinceStatus& p) {
      return p.head_sequence() == head.size;
    }));
    // Signed with the province's own key, over a root its log does not
    // give.
    std::string root = head.root;
    root[0] ^= 1;
    forged =
        Publish(pg_.conninfo(), dir_.Sub("province-33.pem"), head.size, root);
  }
  ASSERT_TRUE(WaitFor("33", [](const v1::ProvinceStatus& p) {
    return !p.problem().empty();
  })) << Status("33").DebugString();
  EXPECT_THAT(Status("33").problem(),
              HasSubstr("the province's ledger and its log disagree"));
}

}  // namespace
}  // namespace cradle::testing
