// Calls across provinces (services/federation.h): the fixture's server is
// province 33 (浙江), a second server province 32 (江苏); each lists both
// in its directory of provinces. A receiver of 32 with a credential of 32
// only acts on a manifest of 33 through 32's server.

#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/ledger/v1/events.pb.h"
#include "security/vouch.h"
#include "services/province_relay.h"
#include "storage/entry_codec.h"
#include "tests/integration/server_fixture.h"
#include "tests/testing/free_port.h"

namespace cradle {
namespace {

using ::testing::HasSubstr;
using testing::MakeUscc;
using testing::ReadAll;
using testing::WriteReply;

const std::string kFarReceiver = MakeUscc("320115", "2K4L6M8");  // 南京江宁
const std::string kFarOther = MakeUscc("320506", "2K7R8T9");     // 苏州吴中

std::unique_ptr<security::Ed25519Key> Key(const std::string& path) {
  absl::StatusOr<std::unique_ptr<security::Ed25519Key>> k =
      security::Ed25519Key::LoadOrCreate(path);
  EXPECT_TRUE(k.ok()) << k.status();
  return k.ok() ? *std::move(k) : nullptr;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// A directory line: "CODE KEY NODE".
std::string Line(const std::string& code, const security::Ed25519Key& key,
                 const std::string& node) {
  return absl::StrCat(code, " ", storage::HexHash(key.public_key()), " ", node,
                      "\n");
}

class FederationIntegrationTest : public testing::ServerFixture {
 protected:
  void Configure(services::ServerOptions* options) override {
    if (jiangsu_port_ == 0) {
      jiangsu_port_ = testing::FreePort();
      zhejiang_key_ = Key(dir_.Sub("33.pem"));
      jiangsu_key_ = Key(dir_.Sub("32.pem"));
    }
    WriteText(dir_.Sub("provinces-33"),
              Line("33", *zhejiang_key_, "127.0.0.1:1") +
                  Line("32", *jiangsu_key_, JiangsuAddress()));
    options->province = "33";
    options->provinces_file = dir_.Sub("provinces-33");
    options->signing_key_file = dir_.Sub("33.pem");
  }

  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    // 33 knows the receiver in 南京 (a manifest names it) but has issued it
    // no credential.
    RegisterAt(*registry_, creds_[testing::kAdmin].token, kFarReceiver,
               "南京江宁固废处置", "320115");
    Licence(kFarReceiver, "JS-0115", 5000);
    StartJiangsu();
  }

  std::string JiangsuAddress() const {
    return absl::StrCat("127.0.0.1:", jiangsu_port_);
  }

  static void RegisterAt(v1::Registry::Stub& registry, const std::string& admin,
                         const std::string& id, const std::string& name,
                         const std::string& division) {
    v1::RegisterEnterpriseRequest req;
    req.mutable_meta()->set_idempotency_key("register-" + id);
    req.set_id(id);
    req.set_name(name);
    req.set_division(division);
    req.add_roles(v1::ROLE_RECEIVER);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin);
    v1::RegisterEnterpriseResponse reply;
    grpc::Status s = registry.RegisterEnterprise(&ctx, req, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // A credential of province 32, with a key when `key` is set.
  std::string IssueAtJiangsu(v1::IssueCredentialRequest req,
                             const security::Ed25519Key* key,
                             std::string* id = nullptr) {
    req.mutable_meta()->set_idempotency_key(
        absl::StrCat("issue-", ++jiangsu_keys_));
    if (key != nullptr) req.set_public_key(key->public_key());
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + jiangsu_admin_);
    v1::IssueCredentialResponse reply;
    grpc::Status s = jiangsu_credentials_->Issue(&ctx, req, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (id != nullptr) *id = reply.credential().id();
    return reply.token();
  }

  std::string PartyAtJiangsu(const std::string& id, const std::string& name,
                             const std::string& division,
                             const security::Ed25519Key& key,
                             std::string* credential) {
    RegisterAt(*jiangsu_registry_, jiangsu_admin_, id, name, division);
    v1::IssueCredentialRequest req;
    req.set_kind(v1::CREDENTIAL_KIND_PARTY);
    req.set_enterprise(id);
    req.set_role(v1::ROLE_RECEIVER);
    req.set_holder("gate clerk 李");
    return IssueAtJiangsu(req, &key, credential);
  }

  void StartJiangsu() {
    WriteText(dir_.Sub("provinces-32"),
              Line("33", *zhejiang_key_,
                   absl::StrCat("127.0.0.1:", server_->port())) +
                  Line("32", *jiangsu_key_, JiangsuAddress()));
    services::ServerOptions o;
    o.data_dir = dir_.Sub("ledger-32");
    o.listen = JiangsuAddress();
    o.clock = &clock_;
    o.sweep_interval = absl::ZeroDuration();
    o.scrub_rate = 0;
    o.insecure = true;
    o.province = "32";
    o.provinces_file = dir_.Sub("provinces-32");
    o.signing_key_file = dir_.Sub("32.pem");
    absl::StatusOr<std::unique_ptr<services::CradleServer>> server =
        services::CradleServer::Start(o);
    ASSERT_TRUE(server.ok()) << server.status();
    jiangsu_ = *std::move(server);
    auto channel = grpc::CreateChannel(JiangsuAddress(),
                                       grpc::InsecureChannelCredentials());
    jiangsu_registry_ = v1::Registry::NewStub(channel);
    jiangsu_credentials_ = v1::Credentials::NewStub(channel);
    jiangsu_manifests_ = v1::Manifests::NewStub(channel);
    jiangsu_transfers_ = v1::Transfers::NewStub(channel);
    jiangsu_disposals_ = v1::Disposals::NewStub(channel);
    jiangsu_audit_ = v1::Audit::NewStub(channel);
    absl::StatusOr<std::string> admin = ReadAll(o.data_dir + "/admin.token");
    ASSERT_TRUE(admin.ok()) << admin.status();
    jiangsu_admin_ = std::string(absl::StripAsciiWhitespace(*admin));
    far_key_ = Key(dir_.Sub("far.pem"));
    other_key_ = Key(dir_.Sub("other.pem"));
    far_token_ = PartyAtJiangsu(kFarReceiver, "南京江宁固废处置", "320115",
                                *far_key_, &far_id_);
    other_token_ = PartyAtJiangsu(kFarOther, "苏州吴中固废处置", "320506",
                                  *other_key_, nullptr);
    v1::IssueCredentialRequest regulator;
    regulator.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
    regulator.set_jurisdiction("32");
    jiangsu_regulator_ = IssueAtJiangsu(regulator, nullptr);
  }

  // A load from 嘉兴 (33) to the receiver in 南京, picked up.
  std::string PickedUp() {
    v1::OpenManifestRequest open = OpenRequest();
    open.set_receiver(kFarReceiver);
    WriteReply r;
    grpc::Status s = Open(open, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    s = Pickup(r.manifest().number(), testing::kCarrier, testing::kCarrierPlate,
               nullptr);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r.manifest().number();
  }

  v1::DeliverRequest DeliverBy(const std::string& n,
                               const security::Ed25519Key* key) {
    v1::DeliverRequest req;
    *req.mutable_meta() = Meta();
    req.set_number(n);
    req.set_receiver(kFarReceiver);
    if (key != nullptr) {
      EXPECT_TRUE(security::SignRequest(*key, &req).ok());
    }
    return req;
  }

  // Calls province 32's server as the holder of `token`.
  grpc::Status DeliverAtJiangsu(const std::string& token,
                                const v1::DeliverRequest& req,
                                v1::DeliverResponse* out) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    return jiangsu_transfers_->Deliver(&ctx, req, out);
  }
  grpc::Status GetAtJiangsu(const std::string& token, const std::string& n,
                            v1::GetManifestResponse* out) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::GetManifestRequest req;
    req.set_number(n);
    return jiangsu_manifests_->Get(&ctx, req, out);
  }

  uint64_t JiangsuHead() {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + jiangsu_admin_);
    v1::HeadResponse head;
    EXPECT_TRUE(jiangsu_audit_->Head(&ctx, v1::HeadRequest(), &head).ok());
    return head.sequence();
  }

  int jiangsu_port_ = 0;
  int jiangsu_keys_ = 0;
  std::unique_ptr<security::Ed25519Key> zhejiang_key_, jiangsu_key_;
  std::unique_ptr<security::Ed25519Key> far_key_, other_key_;
  std::unique_ptr<services::CradleServer> jiangsu_;
  std::unique_ptr<v1::Registry::Stub> jiangsu_registry_;
  std::unique_ptr<v1::Credentials::Stub> jiangsu_credentials_;
  std::unique_ptr<v1::Manifests::Stub> jiangsu_manifests_;
  std::unique_ptr<v1::Transfers::Stub> jiangsu_transfers_;
  std::unique_ptr<v1::Disposals::Stub> jiangsu_disposals_;
  std::unique_ptr<v1::Audit::Stub> jiangsu_audit_;
  std::string jiangsu_admin_, jiangsu_regulator_;
  std::string far_token_, far_id_, other_token_;
};

TEST_F(FederationIntegrationTest, AReceiverActsOnAnotherProvincesManifest) {
  const std::string n = PickedUp();
  ASSERT_EQ(n.substr(4, 2), "33");
  const uint64_t before = Head();
  const uint64_t jiangsu_before = JiangsuHead();

  const v1::DeliverRequest deliver = DeliverBy(n, far_key_.get());
  v1::DeliverResponse delivered;
  grpc::Status s = DeliverAtJiangsu(far_token_, deliver, &delivered);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(delivered.manifest().status(), v1::MANIFEST_STATUS_DELIVERED);
  EXPECT_EQ(delivered.receipt().sequence(), before + 1);
  // Written in 33's ledger, then, at the party's first write here, the
  // credential 32 vouched for.
  EXPECT_EQ(Head(), before + 2);
  EXPECT_EQ(Get(n).status(), v1::MANIFEST_STATUS_DELIVERED);

  // A retry is answered as the first call was; nothing more is written.
  v1::DeliverResponse again;
  s = DeliverAtJiangsu(far_token_, deliver, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.receipt().sequence(), delivered.receipt().sequence());
  EXPECT_EQ(Head(), before + 2);

  v1::ReceiveRequest receive;
  *receive.mutable_meta() = Meta();
  receive.set_number(n);
  receive.set_receiver(kFarReceiver);
  *receive.add_lines() = Accept(1, 1000 * 1000);
  *receive.add_lines() = Accept(2, 250 * 1000);
  ASSERT_TRUE(security::SignRequest(*far_key_, &receive).ok());
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + far_token_);
    v1::ReceiveResponse out;
    s = jiangsu_disposals_->Receive(&ctx, receive, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.manifest().status(), v1::MANIFEST_STATUS_ACCEPTED);
  }
  EXPECT_EQ(Head(), before + 3);  // the credential is recorded once
  v1::GetManifestResponse got;
  s = GetAtJiangsu(far_token_, n, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.manifest().status(), v1::MANIFEST_STATUS_ACCEPTED);
  EXPECT_EQ(JiangsuHead(), jiangsu_before);  // 32 wrote nothing

  // 33's ledger names the party, its province and its credential there.
  grpc::ClientContext ctx;
  As(&ctx, testing::kProvinceRegulator);
  v1::ChainRequest chain_req;
  chain_req.set_number(n);
  v1::ChainResponse chain;
  ASSERT_TRUE(audit_->Chain(&ctx, chain_req, &chain).ok());
  ASSERT_GE(chain.entries_size(), 2);
  const v1::LedgerEntry& last = chain.entries(chain.entries_size() - 1);
  EXPECT_EQ(last.actor(), absl::StrCat(kFarReceiver, "#32:", far_id_));
  EXPECT_EQ(last.signer().enterprise(), kFarReceiver);
  EXPECT_EQ(last.signer().credential(), "32:" + far_id_);
  // 33 checks the party's signature alone, with the key 32 vouched for.
  EXPECT_EQ(last.signer().signature(), v1::Signer::SIGNATURE_VALID);
  EXPECT_EQ(last.signer().holder(), "gate clerk 李");
  EXPECT_TRUE(chain.verified());

  // The record of the credential holds the vouch, which checks against
  // 32's key.
  grpc::ClientContext credential_ctx;
  As(&credential_ctx, testing::kProvinceRegulator);
  v1::ChainRequest credential_req;
  credential_req.set_number("credential/32:" + far_id_);
  v1::ChainResponse record;
  ASSERT_TRUE(audit_->Chain(&credential_ctx, credential_req, &record).ok());
  ASSERT_EQ(record.entries_size(), 1);
  ledger::v1::CredentialEvent vouched;
  ASSERT_TRUE(vouched.ParseFromString(record.entries(0).payload()));
  EXPECT_EQ(vouched.issued().id(), "32:" + far_id_);
  EXPECT_TRUE(vouched.token_sha256().empty());  // no token proves it here
  EXPECT_TRUE(security::CheckVouch({vouched.vouch(), vouched.vouch_signature()},
                                   "32", jiangsu_key_->public_key(), deliver,
                                   clock_.Now())
                  .ok());

  // Once recorded, the credential keeps its key: a vouch for it with
  // another key is refused.
  v1::Credential rekeyed;
  ASSERT_TRUE(vouched.issued().public_key().size() == 32);
  rekeyed.set_id(far_id_);
  rekeyed.set_kind(v1::CREDENTIAL_KIND_PARTY);
  rekeyed.set_enterprise(kFarReceiver);
  rekeyed.set_role(v1::ROLE_RECEIVER);
  rekeyed.set_public_key(other_key_->public_key());
  v1::GetManifestRequest get;
  get.set_number(n);
  const security::SignedVouch v =
      security::MakeVouch(*jiangsu_key_, "32", rekeyed, get, clock_.Now());
  grpc::ClientContext rekeyed_ctx;
  rekeyed_ctx.AddMetadata(services::kVouchHeader, v.vouch);
  rekeyed_ctx.AddMetadata(services::kVouchSignatureHeader, v.signature);
  v1::GetManifestResponse refused;
  s = manifests_->Get(&rekeyed_ctx, get, &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("differs"));
}

TEST_F(FederationIntegrationTest,
       RelayedCallsMeetEveryRuleOfTheOwningProvince) {
  const std::string n = PickedUp();
  const uint64_t before = Head();
  v1::DeliverResponse out;

  // 32's token means nothing at 33.
  grpc::ClientContext direct;
  direct.AddMetadata("authorization", "Bearer " + far_token_);
  v1::DeliverRequest signed_deliver = DeliverBy(n, far_key_.get());
  EXPECT_EQ(transfers_->Deliver(&direct, signed_deliver, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // A delivery must be signed, wherever it comes from.
  grpc::Status s = DeliverAtJiangsu(far_token_, DeliverBy(n, nullptr), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("meta.signature is required"));

  // Another receiver of 32 is not the one the manifest names.
  v1::DeliverRequest by_other = DeliverBy(n, nullptr);
  by_other.set_receiver(kFarOther);
  ASSERT_TRUE(security::SignRequest(*other_key_, &by_other).ok());
  s = DeliverAtJiangsu(other_token_, by_other, &out);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.error_message(), HasSubstr(kFarOther));

  // A party may not speak for another: 32 vouches for who called.
  v1::DeliverRequest as_far = DeliverBy(n, other_key_.get());
  s = DeliverAtJiangsu(other_token_, as_far, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();

  // A regulator of 32 reads other provinces' loads at the national node.
  v1::GetManifestResponse got;
  s = GetAtJiangsu(jiangsu_regulator_, n, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("belongs to province 33"));
  EXPECT_THAT(s.error_message(), HasSubstr("national node"));

  // A bad token is refused at 32, before anything is relayed.
  s = GetAtJiangsu("crd1.0011223344556677.bad", n, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // A province outside the directory: the call stays at 32.
  s = GetAtJiangsu(far_token_, "20264401000001", &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();

  EXPECT_EQ(Head(), before);
  EXPECT_EQ(Get(n).status(), v1::MANIFEST_STATUS_IN_TRANSIT);
}

// Calls made straight to 33 with a vouch of their own making.
TEST_F(FederationIntegrationTest, AVouchThatDoesNotCheckIsRefused) {
  const std::string n = PickedUp();
  v1::Credential far;
  far.set_id(far_id_);
  far.set_kind(v1::CREDENTIAL_KIND_PARTY);
  far.set_enterprise(kFarReceiver);
  far.set_role(v1::ROLE_RECEIVER);
  far.set_public_key(far_key_->public_key());
  v1::GetManifestRequest get;
  get.set_number(n);
  auto call = [&](const security::SignedVouch& v,
                  const v1::GetManifestRequest& req) {
    grpc::ClientContext ctx;
    ctx.AddMetadata(services::kVouchHeader, v.vouch);
    ctx.AddMetadata(services::kVouchSignatureHeader, v.signature);
    v1::GetManifestResponse out;
    return manifests_->Get(&ctx, req, &out);
  };
  const absl::Time now = clock_.Now();

  // The control: 32's own vouch for this very request is honoured.
  grpc::Status s =
      call(security::MakeVouch(*jiangsu_key_, "32", far, get, now), get);
  EXPECT_TRUE(s.ok()) << s.error_message();

  std::unique_ptr<security::Ed25519Key> stranger = Key(dir_.Sub("x.pem"));
  s = call(security::MakeVouch(*stranger, "32", far, get, now), get);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("does not verify"));

  v1::GetManifestRequest other = get;
  other.set_number("20263304000999");
  s = call(security::MakeVouch(*jiangsu_key_, "32", far, get, now), other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("another request"));

  s = call(security::MakeVouch(*zhejiang_key_, "33", far, get, now), get);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("another province"));

  v1::GetManifestRequest jiangsu_number = get;
  jiangsu_number.set_number("20263201000001");
  s = call(security::MakeVouch(*jiangsu_key_, "32", far, jiangsu_number, now),
           jiangsu_number);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("manifest of province 33"));

  s = call(security::MakeVouch(*jiangsu_key_, "32", far, get,
                               now - absl::Minutes(6)),
           get);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  // 32 vouches only for enterprises registered in 32: not for 33's
  // generator, whose manifest this is.
  v1::Credential impostor = far;
  impostor.set_enterprise(testing::kGenerator);
  impostor.set_role(v1::ROLE_GENERATOR);
  s = call(security::MakeVouch(*jiangsu_key_, "32", impostor, get, now), get);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("was not registered in province 32"));

  // Honoured only where the request is checked against it.
  grpc::ClientContext ctx;
  const security::SignedVouch v =
      security::MakeVouch(*jiangsu_key_, "32", far, get, now);
  ctx.AddMetadata(services::kVouchHeader, v.vouch);
  ctx.AddMetadata(services::kVouchSignatureHeader, v.signature);
  v1::ListManifestsRequest list;
  v1::ListManifestsResponse listed;
  s = manifests_->List(&ctx, list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("honoured only"));
}

TEST_F(FederationIntegrationTest, ABadDirectoryIsRefusedAtStartNamingIt) {
  services::ServerOptions o;
  o.data_dir = dir_.Sub("ledger-bad");
  o.listen = "127.0.0.1:0";
  o.insecure = true;
  o.sweep_interval = absl::ZeroDuration();
  o.scrub_rate = 0;
  o.signing_key_file = dir_.Sub("32.pem");
  o.province = "32";
  o.provinces_file = dir_.Sub("bad-provinces");
  auto refused = [&](const std::string& text) {
    WriteText(o.provinces_file, text);
    absl::StatusOr<std::unique_ptr<services::CradleServer>> s =
        services::CradleServer::Start(o);
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string("started") : s.status().ToString();
  };
  EXPECT_THAT(refused(Line("33", *zhejiang_key_, "127.0.0.1:1")),
              HasSubstr("does not list this node's province 32"));
  EXPECT_THAT(refused(Line("3x", *zhejiang_key_, "127.0.0.1:1")),
              HasSubstr("line 1: code \"3x\" is not a province"));
  EXPECT_THAT(refused("32 abcd 127.0.0.1:1\n"),
              HasSubstr("public key \"abcd\" is not 64 hex digits"));
  EXPECT_THAT(refused("32 01" + std::string(62, '0') + " 127.0.0.1:1\n"),
              HasSubstr("is not an Ed25519 public key"));
  EXPECT_THAT(refused(Line("32", *jiangsu_key_, "nowhere")),
              HasSubstr("node \"nowhere\" is not host:port"));
  EXPECT_FALSE(std::filesystem::exists(o.data_dir));  // nothing was made
  // The key of this province must be the node's own.
  EXPECT_THAT(refused(Line("32", *zhejiang_key_, "127.0.0.1:1")),
              HasSubstr("is not this node's signing key"));
  o.provinces_file = "";
  EXPECT_THAT(refused(""), HasSubstr("province: set only with provinces_file"));
}

}  // namespace
}  // namespace cradle
