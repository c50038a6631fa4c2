// Identity and authorization through the real server: every row of the
// authorization table (docs/AUTHORIZATION.md) tried by the wrong party, the
// wrong role, the wrong jurisdiction, no credential, a revoked and an
// expired one; each refused with UNAUTHENTICATED or PERMISSION_DENIED and
// the ledger unchanged. Then the recorded actor, signatures and TLS.

#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

#include "base/address.h"
#include "security/dev_ca.h"
#include "tests/integration/server_fixture.h"

namespace cradle {
namespace {

using ::cradle::testing::kAdmin;
using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kHangzhouRegulator;
using ::cradle::testing::kJiaxingRegulator;
using ::cradle::testing::kProvinceRegulator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::kRelayCarrier;
using ::cradle::testing::kRelayPlate;
using ::cradle::testing::WriteReply;
using ::testing::HasSubstr;

// Who calls: a name the fixture holds a credential for, or one of these.
const std::string kNobody = "nobody";          // no authorization header
const std::string kGarbage = "garbage token";  // malformed token
const std::string kWrongSecret = "wrong secret";
const std::string kRevoked = "revoked carrier";
const std::string kExpired = "expired carrier";

class AuthIntegrationTest : public testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    creds_[kGarbage].token = "crd1.nothex.nothex";
    creds_[kWrongSecret].token =
        "crd1." + creds_[kCarrier].id + "." + std::string(64, '0');
    v1::IssueCredentialRequest carrier;
    carrier.set_kind(v1::CREDENTIAL_KIND_PARTY);
    carrier.set_enterprise(kCarrier);
    carrier.set_role(v1::ROLE_TRANSPORTER);
    Issue(kRevoked, carrier, /*with_key=*/true);
    carrier.set_valid_seconds(3600);
    Issue(kExpired, carrier, /*with_key=*/true);
    clock_.Advance(absl::Hours(2));  // kExpired is now past its hour

    v1::RevokeCredentialRequest revoke;
    revoke.mutable_meta()->set_idempotency_key("revoke-1");
    revoke.set_id(creds_[kRevoked].id);
    revoke.set_reason("scanner lost");
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::RevokeCredentialResponse out;
    grpc::Status s = credentials_->Revoke(&ctx, revoke, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_TRUE(out.credential().revoked());
  }

  // Runs `call` as `who` with a fresh context.
  using Call = std::function<grpc::Status(grpc::ClientContext*)>;
  grpc::Status CallAs(const std::string& who, const Call& call) {
    grpc::ClientContext ctx;
    As(&ctx, who);
    return call(&ctx);
  }

  // A manifest of kGenerator in transit with kCarrier (Jiaxing only).
  std::string InTransit() {
    const std::string n = OpenOne();
    WriteReply r;
    EXPECT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
    return n;
  }
};

struct Attempt {
  std::string what;
  std::string who;
  grpc::StatusCode want;
  std::function<grpc::Status(grpc::ClientContext*)> call;
};

TEST_F(AuthIntegrationTest, EveryForbiddenActionIsRefusedAndChangesNothing) {
  const std::string issued = OpenOne();
  const std::string moving = InTransit();
  WriteReply r;
  ASSERT_TRUE(Deliver(moving, kReceiver, &r).ok());
  const std::string delivered = moving;
  const std::string in_transit = InTransit();
  const std::string flagged = [&] {  // Jiaxing -> Hangzhou: CROSS_CITY
    v1::OpenManifestRequest req = OpenRequest();
    req.set_receiver(kAltReceiver);
    WriteReply reply;
    EXPECT_TRUE(Open(req, &reply).ok());
    return reply.manifest().number();
  }();
  const std::string flag_id = flagged + "-F1";
  ASSERT_EQ(Get(flagged).flags(0).id(), flag_id);

  // Requests, each signed by the party it names where signing applies.
  auto meta = [this] { return Meta(); };
  auto pickup = [&](const std::string& carrier, const std::string& signer) {
    v1::PickupRequest req;
    *req.mutable_meta() = meta();
    req.set_number(issued);
    req.set_carrier(carrier);
    req.set_vehicle(kCarrierPlate);
    Sign(&req, signer);
    return req;
  };
  auto receive = [&](const std::string& receiver) {
    v1::ReceiveRequest req;
    *req.mutable_meta() = meta();
    req.set_number(delivered);
    req.set_receiver(receiver);
    *req.add_lines() = Accept(1, 1000 * 1000);
    *req.add_lines() = Accept(2, 250 * 1000);
    Sign(&req, receiver);
    return req;
  };
  auto cancel = [&](const std::string& generator) {
    v1::CancelManifestRequest req;
    *req.mutable_meta() = meta();
    req.set_number(issued);
    req.set_generator(generator);
    req.set_reason("x");
    return req;
  };
  auto note = [&](const std::string& id) {
    v1::AcknowledgeFlagRequest req;
    req.mutable_meta()->set_idempotency_key(absl::StrCat("note-", ++keys_));
    req.set_id(id);
    req.set_note("seen");
    return req;
  };
  auto enterprise = [&] {
    v1::RegisterEnterpriseRequest req;
    *req.mutable_meta() = meta();
    req.set_id(testing::MakeUscc("330402", "2X9Y8W7"));
    req.set_name("x");
    req.set_division("330402");
    req.add_roles(v1::ROLE_GENERATOR);
    return req;
  };
  auto credential = [&] {
    v1::IssueCredentialRequest req;
    *req.mutable_meta() = meta();
    req.set_kind(v1::CREDENTIAL_KIND_ADMINISTRATOR);
    return req;
  };

  using Code = grpc::StatusCode;
  std::vector<Attempt> attempts;
  auto add = [&](std::string what, std::string who, Code want, auto call) {
    attempts.push_back({std::move(what), std::move(who), want, call});
  };
  // Manifests.Open: generators, for themselves.
  for (const std::string& who : {kNobody, kGarbage, kWrongSecret}) {
    add("open", who, Code::UNAUTHENTICATED,
        [&](grpc::ClientContext* c) { return Write(c, OpenRequest(), &r); });
  }
  add("open as a carrier", kCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) { return Write(c, OpenRequest(), &r); });
  add("open as a regulator", kProvinceRegulator, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) { return Write(c, OpenRequest(), &r); });
  add("open as the administrator", kAdmin, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) { return Write(c, OpenRequest(), &r); });
  add("open for another generator", kGenerator, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::OpenManifestRequest req = OpenRequest();
        req.set_generator(testing::MakeUscc("330402", "2X9Y8W7"));
        return Write(c, req, &r);
      });
  // Manifests.Cancel: the manifest's own generator.
  add("cancel as the carrier", kCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) { return Write(c, cancel(kCarrier), &r); });
  add("cancel naming the generator, as the carrier", kCarrier,
      Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) { return Write(c, cancel(kGenerator), &r); });
  // Transfers.Pickup: the manifest's carrier, signed.
  add("pickup by a revoked credential", kRevoked, Code::UNAUTHENTICATED,
      [&](grpc::ClientContext* c) {
        return Write(c, pickup(kCarrier, kCarrier), &r);
      });
  add("pickup by an expired credential", kExpired, Code::UNAUTHENTICATED,
      [&](grpc::ClientContext* c) {
        return Write(c, pickup(kCarrier, kCarrier), &r);
      });
  add("pickup as the generator", kGenerator, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        return Write(c, pickup(kCarrier, kCarrier), &r);
      });
  add("pickup as the receiver", kReceiver, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        return Write(c, pickup(kCarrier, kCarrier), &r);
      });
  add("pickup naming the carrier, by another carrier", kRelayCarrier,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        return Write(c, pickup(kCarrier, kRelayCarrier), &r);
      });
  add("pickup by another carrier for itself", kRelayCarrier,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::PickupRequest req = pickup(kRelayCarrier, kRelayCarrier);
        req.set_vehicle(kRelayPlate);
        Sign(&req, kRelayCarrier);
        return Write(c, req, &r);
      });
  add("pickup signed with another carrier's key", kCarrier,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        return Write(c, pickup(kCarrier, kRelayCarrier), &r);
      });
  add("pickup unsigned", kCarrier, Code::INVALID_ARGUMENT,
      [&](grpc::ClientContext* c) {
        return Write(c, pickup(kCarrier, kNobody), &r);
      });
  add("pickup whose signed fields were changed", kCarrier,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::PickupRequest req = pickup(kCarrier, kCarrier);
        req.set_driver("someone else");
        return Write(c, req, &r);
      });
  // Transfers.Relay: the carrier holding the load, signed.
  auto relay = [&](const std::string& from, const std::string& signer) {
    v1::RelayRequest req;
    *req.mutable_meta() = meta();
    req.set_number(in_transit);
    req.set_from_carrier(from);
    req.set_to_carrier(kRelayCarrier);
    req.set_vehicle(kRelayPlate);
    Sign(&req, signer);
    return req;
  };
  add("relay as the generator", kGenerator, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        return Write(c, relay(kCarrier, kCarrier), &r);
      });
  add("relay by a carrier not holding the load", kRelayCarrier,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        return Write(c, relay(kRelayCarrier, kRelayCarrier), &r);
      });
  add("relay naming the holder, by another carrier", kRelayCarrier,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        return Write(c, relay(kCarrier, kRelayCarrier), &r);
      });
  // Transfers.Deliver: a receiver, for itself.
  add("deliver as the carrier", kCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::DeliverRequest req;
        *req.mutable_meta() = meta();
        req.set_number(in_transit);
        req.set_receiver(kReceiver);
        Sign(&req, kReceiver);
        return Write(c, req, &r);
      });
  add("deliver naming the receiver, by another", kAltReceiver,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::DeliverRequest req;
        *req.mutable_meta() = meta();
        req.set_number(in_transit);
        req.set_receiver(kReceiver);
        Sign(&req, kAltReceiver);
        return Write(c, req, &r);
      });
  // Transfers.Reroute and Disposals.RecordPayment: the generator.
  add("reroute as the receiver", kReceiver, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::RerouteRequest req;
        *req.mutable_meta() = meta();
        req.set_number(delivered);
        req.set_generator(kGenerator);
        req.set_to(kAltReceiver);
        req.set_carrier(kCarrier);
        req.set_vehicle(kCarrierPlate);
        return Write(c, req, &r);
      });
  add("record a payment as the carrier", kCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::RecordPaymentRequest req;
        *req.mutable_meta() = meta();
        req.set_number(delivered);
        req.set_payer(kGenerator);
        req.set_payee(kCarrier);
        req.set_amount_fen(100);
        return Write(c, req, &r);
      });
  add("issue a manifest as a regulator", kProvinceRegulator,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::IssueManifestRequest req;
        *req.mutable_meta() = meta();
        req.set_number(issued);
        req.set_generator(kGenerator);
        return Write(c, req, &r);
      });
  // Disposals.Dispose: the named receiver.
  add("dispose by another receiver", kAltReceiver, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::DisposeRequest req;
        *req.mutable_meta() = meta();
        req.set_number(delivered);
        req.set_receiver(kAltReceiver);
        *req.add_lines() = Dispose(1, 1);
        Sign(&req, kAltReceiver);
        return Write(c, req, &r);
      });
  add("consistency proof without a credential", kNobody, Code::UNAUTHENTICATED,
      [&](grpc::ClientContext* c) {
        v1::ConsistencyRequest req;
        req.set_old_size(1);
        req.set_new_size(2);
        v1::ConsistencyResponse out;
        return audit_->Consistency(c, req, &out);
      });
  // Disposals.Receive: the named receiver.
  add("receive as the carrier", kCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) { return Write(c, receive(kReceiver), &r); });
  add("receive by another receiver", kAltReceiver, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        return Write(c, receive(kAltReceiver), &r);
      });
  add("receive naming the receiver, by another", kAltReceiver,
      Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) { return Write(c, receive(kReceiver), &r); });
  // Reads of a manifest: its parties and regulators that cover it.
  v1::GetManifestRequest get;
  get.set_number(issued);
  add("get by an unrelated carrier", kRelayCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::GetManifestResponse m;
        return manifests_->Get(c, get, &m);
      });
  add("get by Hangzhou's regulator", kHangzhouRegulator,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::GetManifestResponse m;
        return manifests_->Get(c, get, &m);
      });
  add("get by the administrator", kAdmin, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::GetManifestResponse m;
        return manifests_->Get(c, get, &m);
      });
  add("chain by an unrelated receiver", kAltReceiver, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::ChainRequest req;
        req.set_number(issued);
        v1::ChainResponse out;
        return audit_->Chain(c, req, &out);
      });
  add("prove by Hangzhou's regulator", kHangzhouRegulator,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::ProveRequest req;
        req.set_number(issued);
        v1::ProveResponse out;
        return audit_->Prove(c, req, &out);
      });
  add("list another party's manifests", kCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::ListManifestsRequest req;
        req.set_party(kGenerator);
        v1::ListManifestsResponse out;
        return manifests_->List(c, req, &out);
      });
  add("list a Jiaxing party's manifests from Hangzhou", kHangzhouRegulator,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::ListManifestsRequest req;
        req.set_party(kGenerator);
        v1::ListManifestsResponse out;
        return manifests_->List(c, req, &out);
      });
  // Flags: regulators inside their jurisdiction.
  add("acknowledge a flag as the generator", kGenerator,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::Flag f;
        return Acknowledge(c, note(flag_id), &f);
      });
  add("acknowledge a flag from another province", Regulator("32"),
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::Flag f;
        return Acknowledge(c, note(flag_id), &f);
      });
  add("resolve a flag as the administrator", kAdmin, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::Flag f;
        return Resolve(c, note(flag_id), &f);
      });
  add("list another enterprise's flags", kCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::ListFlagsRequest req;
        req.set_enterprise(kGenerator);
        v1::ListFlagsResponse out;
        return flags_->List(c, req, &out);
      });
  add("list flags of a city outside the jurisdiction", kJiaxingRegulator,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::ListFlagsRequest req;
        req.set_city("3301");
        v1::ListFlagsResponse out;
        return flags_->List(c, req, &out);
      });
  add("risk of another enterprise", kCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::GetEnterpriseRiskRequest req;
        req.set_id(kGenerator);
        v1::GetEnterpriseRiskResponse out;
        return flags_->GetEnterpriseRisk(c, req, &out);
      });
  add("risk of a Jiaxing enterprise from Hangzhou", kHangzhouRegulator,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::GetEnterpriseRiskRequest req;
        req.set_id(kGenerator);
        v1::GetEnterpriseRiskResponse out;
        return flags_->GetEnterpriseRisk(c, req, &out);
      });
  // Audit's jurisdiction queries: a regulator inside its own.
  add("jurisdiction query outside", kJiaxingRegulator, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::ListJurisdictionManifestsRequest q;
        q.set_jurisdiction("3301");
        v1::ListJurisdictionManifestsResponse out;
        return audit_->ListJurisdictionManifests(c, q, &out);
      });
  add("jurisdiction query wider than its own", kJiaxingRegulator,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::ListJurisdictionManifestsRequest q;
        q.set_jurisdiction("33");
        v1::ListJurisdictionManifestsResponse out;
        return audit_->ListJurisdictionManifests(c, q, &out);
      });
  add("jurisdiction query by a party", kGenerator, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::ListJurisdictionManifestsRequest q;
        q.set_jurisdiction("3304");
        v1::ListJurisdictionManifestsResponse out;
        return audit_->ListJurisdictionManifests(c, q, &out);
      });
  add("flows outside", kJiaxingRegulator, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::FlowsRequest q;
        q.set_jurisdiction("3301");
        q.set_from_month("2026-11");
        q.set_to_month("2026-11");
        v1::FlowsResponse out;
        return audit_->Flows(c, q, &out);
      });
  add("export outside", kHangzhouRegulator, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::ExportRequest q;
        q.set_jurisdiction("3304");
        auto reader = audit_->Export(c, q);
        v1::ExportChunk chunk;
        while (reader->Read(&chunk)) {
        }
        return reader->Finish();
      });
  add("verify the ledger as a party", kGenerator, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::VerifyResponse out;
        return audit_->Verify(c, v1::VerifyRequest(), &out);
      });
  add("tree head without a credential", kNobody, Code::UNAUTHENTICATED,
      [&](grpc::ClientContext* c) {
        v1::GetTreeHeadResponse out;
        return audit_->GetTreeHead(c, v1::GetTreeHeadRequest(), &out);
      });
  // Registry and credentials: the administrator only.
  for (const std::string& who : {kGenerator, kProvinceRegulator}) {
    add("register an enterprise", who, Code::PERMISSION_DENIED,
        [&](grpc::ClientContext* c) {
          v1::RegisterEnterpriseResponse out;
          return registry_->RegisterEnterprise(c, enterprise(), &out);
        });
    add("issue a credential", who, Code::PERMISSION_DENIED,
        [&](grpc::ClientContext* c) {
          v1::IssueCredentialResponse out;
          return credentials_->Issue(c, credential(), &out);
        });
  }
  add("revoke a credential as a carrier", kCarrier, Code::PERMISSION_DENIED,
      [&](grpc::ClientContext* c) {
        v1::RevokeCredentialRequest req;
        *req.mutable_meta() = meta();
        req.set_id(creds_[kRelayCarrier].id);
        req.set_reason("x");
        v1::RevokeCredentialResponse out;
        return credentials_->Revoke(c, req, &out);
      });
  add("list credentials as a regulator", kProvinceRegulator,
      Code::PERMISSION_DENIED, [&](grpc::ClientContext* c) {
        v1::ListCredentialsResponse out;
        return credentials_->List(c, v1::ListCredentialsRequest(), &out);
      });
  add("get an enterprise without a credential", kNobody, Code::UNAUTHENTICATED,
      [&](grpc::ClientContext* c) {
        v1::GetEnterpriseRequest req;
        req.set_id(kGenerator);
        v1::GetEnterpriseResponse out;
        return registry_->GetEnterprise(c, req, &out);
      });

  const uint64_t head = Head();
  const v1::Manifest before_issued = Get(issued);
  const v1::Manifest before_delivered = Get(delivered);
  const v1::Manifest before_flagged = Get(flagged);
  const v1::Manifest before_in_transit = Get(in_transit);
  for (const Attempt& a : attempts) {
    grpc::Status s = CallAs(a.who, a.call);
    EXPECT_EQ(s.error_code(), a.want)
        << a.what << " as " << a.who << ": " << s.error_message();
    EXPECT_FALSE(s.error_message().empty()) << a.what;
  }
  EXPECT_EQ(Head(), head) << "a refused call wrote to the ledger";
  EXPECT_EQ(Get(issued).SerializeAsString(), before_issued.SerializeAsString());
  EXPECT_EQ(Get(delivered).SerializeAsString(),
            before_delivered.SerializeAsString());
  EXPECT_EQ(Get(flagged).SerializeAsString(),
            before_flagged.SerializeAsString());
  EXPECT_EQ(Get(in_transit).SerializeAsString(),
            before_in_transit.SerializeAsString());
  EXPECT_GE(attempts.size(), 57u);
}

TEST_F(AuthIntegrationTest, TheRightPartiesAreAdmitted) {
  const std::string n = InTransit();
  for (const std::string& who :
       {kGenerator, kCarrier, kJiaxingRegulator, kProvinceRegulator}) {
    v1::GetManifestRequest req;
    req.set_number(n);
    v1::GetManifestResponse m;
    grpc::Status s = CallAs(who, [&](grpc::ClientContext* c) {
      return manifests_->Get(c, req, &m);
    });
    EXPECT_TRUE(s.ok()) << who << ": " << s.error_message();
  }
  // The named receiver may read the manifest it is to receive.
  v1::GetManifestRequest req;
  req.set_number(n);
  v1::GetManifestResponse m;
  EXPECT_TRUE(CallAs(kReceiver, [&](grpc::ClientContext* c) {
                return manifests_->Get(c, req, &m);
              }).ok());
  // A party listing with no party named gets its own manifests.
  v1::ListManifestsResponse mine;
  ASSERT_TRUE(CallAs(kCarrier, [&](grpc::ClientContext* c) {
                return manifests_->List(c, v1::ListManifestsRequest(), &mine);
              }).ok());
  ASSERT_EQ(mine.manifests_size(), 1);
  EXPECT_EQ(mine.manifests(0).number(), n);
  // WhoAmI answers every credential with itself.
  v1::WhoAmIResponse me;
  ASSERT_TRUE(CallAs(kCarrier, [&](grpc::ClientContext* c) {
                return credentials_->WhoAmI(c, v1::WhoAmIRequest(), &me);
              }).ok());
  EXPECT_EQ(me.credential().id(), creds_[kCarrier].id);
  EXPECT_EQ(me.credential().enterprise(), kCarrier);
}

TEST_F(AuthIntegrationTest, TheRecordedActorIsTheCredentialNeverARequestField) {
  const std::string n = OpenOne();
  v1::PickupRequest req;
  *req.mutable_meta() = Meta();
  req.mutable_meta()->set_person("administrator");
  req.mutable_meta()->set_device("regulator:33#0000000000000000");
  req.set_number(n);
  req.set_carrier(kCarrier);
  req.set_vehicle(kCarrierPlate);
  Sign(&req, kCarrier);
  WriteReply r;
  ASSERT_TRUE(CallAs(kCarrier, [&](grpc::ClientContext* c) {
                return Write(c, req, &r);
              }).ok());
  v1::ChainRequest chain_req;
  chain_req.set_number(n);
  v1::ChainResponse chain;
  ASSERT_TRUE(CallAs(kJiaxingRegulator, [&](grpc::ClientContext* c) {
                return audit_->Chain(c, chain_req, &chain);
              }).ok());
  ASSERT_EQ(chain.entries_size(), 2);
  const v1::LedgerEntry& e = chain.entries(1);
  EXPECT_EQ(e.actor(), kCarrier + "#" + creds_[kCarrier].id);
  EXPECT_EQ(e.signer().credential(), creds_[kCarrier].id);
  EXPECT_EQ(e.signer().enterprise(), kCarrier);
  EXPECT_EQ(e.signer().signature(), v1::Signer::SIGNATURE_VALID);
  // What the caller claimed stays in the payload, as a claim.
  EXPECT_THAT(e.payload_json(), HasSubstr("administrator"));
  EXPECT_EQ(chain.entries(0).actor(), kGenerator + "#" + creds_[kGenerator].id);
}

TEST_F(AuthIntegrationTest, RevocationTakesEffectAtOnceAndSurvivesARestart) {
  v1::IssueCredentialRequest req;
  req.set_kind(v1::CREDENTIAL_KIND_PARTY);
  req.set_enterprise(kGenerator);
  req.set_role(v1::ROLE_GENERATOR);
  req.set_holder("clerk 李娜");
  Issue("clerk", req);
  EXPECT_TRUE(CallAs("clerk", [&](grpc::ClientContext* c) {
                WriteReply r;
                return Write(c, OpenRequest(), &r);
              }).ok());
  v1::RevokeCredentialRequest revoke;
  *revoke.mutable_meta() = Meta();
  revoke.set_id(creds_["clerk"].id);
  revoke.set_reason("left the company");
  v1::RevokeCredentialResponse out;
  ASSERT_TRUE(CallAs(kAdmin, [&](grpc::ClientContext* c) {
                return credentials_->Revoke(c, revoke, &out);
              }).ok());
  auto open_as_clerk = [&] {
    return CallAs("clerk", [&](grpc::ClientContext* c) {
      WriteReply r;
      return Write(c, OpenRequest(), &r);
    });
  };
  grpc::Status s = open_as_clerk();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("left the company"));
  // Revoking again is refused; the administrator cannot revoke itself.
  *revoke.mutable_meta() = Meta();
  EXPECT_EQ(CallAs(kAdmin,
                   [&](grpc::ClientContext* c) {
                     return credentials_->Revoke(c, revoke, &out);
                   })
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  Restart();
  EXPECT_EQ(open_as_clerk().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(CallAs(kGenerator, [&](grpc::ClientContext* c) {
                WriteReply r;
                return Write(c, OpenRequest(), &r);
              }).ok());
}

// Credentials come in pages, in id order, that join to the whole list; a
// token serves only the query it came from.
TEST_F(AuthIntegrationTest, CredentialsComeInPagesThatJoinWhole) {
  for (int i = 0; i < 4; ++i) {
    v1::IssueCredentialRequest req;
    req.set_kind(v1::CREDENTIAL_KIND_PARTY);
    req.set_enterprise(kGenerator);
    req.set_role(v1::ROLE_GENERATOR);
    req.set_holder(absl::StrCat("clerk ", i));
    Issue(absl::StrCat("clerk-", i), req);
  }
  auto list = [&](const v1::ListCredentialsRequest& req,
                  v1::ListCredentialsResponse* page) {
    return CallAs(kAdmin, [&](grpc::ClientContext* c) {
      return credentials_->List(c, req, page);
    });
  };
  std::vector<std::string> whole;
  v1::ListCredentialsResponse all;
  ASSERT_TRUE(list(v1::ListCredentialsRequest(), &all).ok());
  for (const v1::Credential& c : all.credentials()) whole.push_back(c.id());
  EXPECT_TRUE(all.next_page_token().empty());
  EXPECT_TRUE(std::is_sorted(whole.begin(), whole.end()));
  ASSERT_GT(whole.size(), 10u);  // the parties, regulators, the clerks

  v1::ListCredentialsRequest req;
  req.set_page_size(3);
  std::vector<std::string> joined;
  std::string a_token;
  do {
    v1::ListCredentialsResponse page;
    grpc::Status s = list(req, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_LE(page.credentials_size(), 3);
    for (const v1::Credential& c : page.credentials()) joined.push_back(c.id());
    if (a_token.empty()) a_token = page.next_page_token();
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  EXPECT_EQ(joined, whole);

  // One enterprise's: the generator's own and the four clerks.
  v1::ListCredentialsRequest mine;
  mine.set_enterprise(kGenerator);
  mine.set_page_size(2);
  int of_generator = 0;
  do {
    v1::ListCredentialsResponse page;
    ASSERT_TRUE(list(mine, &page).ok());
    for (const v1::Credential& c : page.credentials()) {
      EXPECT_EQ(c.enterprise(), kGenerator);
      ++of_generator;
    }
    mine.set_page_token(page.next_page_token());
  } while (!mine.page_token().empty());
  EXPECT_EQ(of_generator, 5);

  // The whole list's token for one enterprise's list; sizes out of range.
  mine.set_page_token(a_token);
  v1::ListCredentialsResponse out;
  grpc::Status s = list(mine, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
  mine.clear_page_token();
  mine.set_page_size(1001);
  s = list(mine, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_size"));
}

TEST_F(AuthIntegrationTest, IssuingValidatesAndNeverRepeatsAToken) {
  struct Bad {
    std::string what;
    std::function<void(v1::IssueCredentialRequest*)> edit;
    grpc::StatusCode want;
    std::string says;
  };
  const std::vector<Bad> bad = {
      {"no kind", [](auto* r) { r->set_kind(v1::CREDENTIAL_KIND_UNSPECIFIED); },
       grpc::StatusCode::INVALID_ARGUMENT, "kind"},
      {"carrier without key", [](auto* r) { r->clear_public_key(); },
       grpc::StatusCode::INVALID_ARGUMENT, "public_key"},
      {"short key", [](auto* r) { r->set_public_key("abc"); },
       grpc::StatusCode::INVALID_ARGUMENT, "public_key"},
      {"key of small order (the identity point)",
       [](auto* r) {
         r->set_public_key(std::string("\x01") + std::string(31, '\0'));
       },
       grpc::StatusCode::INVALID_ARGUMENT, "public_key is not an Ed25519"},
      {"malformed enterprise", [](auto* r) { r->set_enterprise("123"); },
       grpc::StatusCode::INVALID_ARGUMENT, "enterprise"},
      {"unregistered enterprise",
       [](auto* r) {
         r->set_enterprise(testing::MakeUscc("330402", "2X9Y8W7"));
       },
       grpc::StatusCode::NOT_FOUND, "enterprise"},
      {"role it does not have", [](auto* r) { r->set_role(v1::ROLE_RECEIVER); },
       grpc::StatusCode::FAILED_PRECONDITION, "RECEIVER"},
      {"regulator without jurisdiction",
       [](auto* r) {
         r->set_kind(v1::CREDENTIAL_KIND_REGULATOR);
         r->clear_enterprise();
         r->clear_role();
       },
       grpc::StatusCode::INVALID_ARGUMENT, "jurisdiction"},
      {"jurisdiction of 3 digits",
       [](auto* r) {
         r->set_kind(v1::CREDENTIAL_KIND_REGULATOR);
         r->clear_enterprise();
         r->clear_role();
         r->set_jurisdiction("330");
       },
       grpc::StatusCode::INVALID_ARGUMENT, "jurisdiction"},
      {"negative validity", [](auto* r) { r->set_valid_seconds(-1); },
       grpc::StatusCode::INVALID_ARGUMENT, "valid_seconds"},
      {"no idempotency key",
       [](auto* r) { r->mutable_meta()->clear_idempotency_key(); },
       grpc::StatusCode::INVALID_ARGUMENT, "idempotency_key"},
  };
  const uint64_t head = Head();
  for (const Bad& b : bad) {
    v1::IssueCredentialRequest req;
    *req.mutable_meta() = Meta();
    req.set_kind(v1::CREDENTIAL_KIND_PARTY);
    req.set_enterprise(kCarrier);
    req.set_role(v1::ROLE_TRANSPORTER);
    // RFC 8032's first public key: a real one, so each case fails on its
    // own field alone.
    req.set_public_key(absl::HexStringToBytes(
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    b.edit(&req);
    v1::IssueCredentialResponse out;
    grpc::Status s = CallAs(kAdmin, [&](grpc::ClientContext* c) {
      return credentials_->Issue(c, req, &out);
    });
    EXPECT_EQ(s.error_code(), b.want) << b.what << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(b.says)) << b.what;
  }
  EXPECT_EQ(Head(), head);

  // A retried issue is refused: the token was shown once.
  v1::IssueCredentialRequest req;
  *req.mutable_meta() = Meta();
  req.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
  req.set_jurisdiction("3304");
  v1::IssueCredentialResponse first, again;
  ASSERT_TRUE(CallAs(kAdmin, [&](grpc::ClientContext* c) {
                return credentials_->Issue(c, req, &first);
              }).ok());
  EXPECT_EQ(first.token().rfind("crd1." + first.credential().id() + ".", 0),
            0u);
  grpc::Status s = CallAs(kAdmin, [&](grpc::ClientContext* c) {
    return credentials_->Issue(c, req, &again);
  });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(again.token(), "");
  // Only the hash is stored: the token is nowhere in the ledger.
  v1::ChainRequest chain_req;
  chain_req.set_number("credential/" + first.credential().id());
  v1::ChainResponse chain;
  ASSERT_TRUE(CallAs(kProvinceRegulator, [&](grpc::ClientContext* c) {
                return audit_->Chain(c, chain_req, &chain);
              }).ok());
  ASSERT_EQ(chain.entries_size(), 1);
  const std::string secret = first.token().substr(first.token().rfind('.') + 1);
  EXPECT_EQ(chain.entries(0).payload().find(secret), std::string::npos);
  EXPECT_EQ(chain.entries(0).payload_json().find(secret), std::string::npos);
}

TEST_F(AuthIntegrationTest, TheFirstStartWritesAnAdministratorTokenOnce) {
  const std::string path = dir_.Sub("ledger") + "/admin.token";
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  absl::StatusOr<std::string> before = testing::ReadAll(path);
  ASSERT_TRUE(before.ok());
  Restart();
  absl::StatusOr<std::string> after = testing::ReadAll(path);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*before, *after);
  EXPECT_TRUE(server_->new_admin_token_file().empty());
  v1::WhoAmIResponse me;
  ASSERT_TRUE(CallAs(kAdmin, [&](grpc::ClientContext* c) {
                return credentials_->WhoAmI(c, v1::WhoAmIRequest(), &me);
              }).ok());
  EXPECT_EQ(me.credential().kind(), v1::CREDENTIAL_KIND_ADMINISTRATOR);
}

// TLS with the development CA, and the refusals around it.
class TlsTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<services::CradleServer>> StartTls(
      const security::DevCertificates& certs) {
    EXPECT_TRUE(security::WriteDevCertificates(certs, dir_.Sub("tls")).ok());
    services::ServerOptions options;
    options.data_dir = dir_.Sub("ledger");
    options.listen = "127.0.0.1:0";
    options.sweep_interval = absl::ZeroDuration();
    options.tls_cert_file = dir_.Sub("tls/server.crt");
    options.tls_key_file = dir_.Sub("tls/server.key");
    return services::CradleServer::Start(options);
  }

  grpc::Status WhoAmI(int port, const std::string& ca_pem,
                      const std::string& token) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca_pem;
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                       grpc::SslCredentials(ssl));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::WhoAmIResponse me;
    return v1::Credentials::NewStub(channel)->WhoAmI(&ctx, v1::WhoAmIRequest(),
                                                     &me);
  }

  cradle::testing::TempDir dir_;
};

TEST_F(TlsTest, ClientsTrustingTheCaGetInOthersDoNot) {
  absl::StatusOr<security::DevCertificates> certs =
      security::MakeDevCertificates({});
  ASSERT_TRUE(certs.ok()) << certs.status();
  absl::StatusOr<std::unique_ptr<services::CradleServer>> server =
      StartTls(*certs);
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<std::string> token =
      testing::ReadAll(dir_.Sub("ledger/admin.token"));
  ASSERT_TRUE(token.ok());
  const std::string t(absl::StripAsciiWhitespace(*token));
  grpc::Status ok = WhoAmI((*server)->port(), certs->ca_cert_pem, t);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  // Another CA's client cannot complete the handshake.
  absl::StatusOr<security::DevCertificates> other =
      security::MakeDevCertificates({});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(WhoAmI((*server)->port(), other->ca_cert_pem, t).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Plain TCP to a TLS port gets nowhere.
  auto plain =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                          grpc::InsecureChannelCredentials());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ctx.AddMetadata("authorization", "Bearer " + t);
  v1::WhoAmIResponse me;
  EXPECT_FALSE(v1::Credentials::NewStub(plain)
                   ->WhoAmI(&ctx, v1::WhoAmIRequest(), &me)
                   .ok());
}

TEST_F(TlsTest, AnExpiredServerCertificateIsRefusedByClients) {
  security::DevCaOptions options;
  options.not_before = absl::Now() - absl::Hours(48);
  options.not_after = absl::Now() - absl::Hours(24);
  absl::StatusOr<security::DevCertificates> certs =
      security::MakeDevCertificates(options);
  ASSERT_TRUE(certs.ok()) << certs.status();
  absl::StatusOr<std::unique_ptr<services::CradleServer>> server =
      StartTls(*certs);
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<std::string> token =
      testing::ReadAll(dir_.Sub("ledger/admin.token"));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(WhoAmI((*server)->port(), certs->ca_cert_pem,
                   std::string(absl::StripAsciiWhitespace(*token)))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(ServerOptionsTest, PlainTcpOnlyOnLoopbackAndTlsNeedsItsFiles) {
  cradle::testing::TempDir dir;
  services::ServerOptions options;
  options.data_dir = dir.Sub("ledger");
  options.sweep_interval = absl::ZeroDuration();
  options.listen = "0.0.0.0:0";
  options.insecure = true;
  auto s = services::CradleServer::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("loopback"));
  options.insecure = false;
  options.listen = "127.0.0.1:0";
  s = services::CradleServer::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("tls_cert"));
  options.tls_cert_file = dir.Sub("missing.crt");
  options.tls_key_file = dir.Sub("missing.key");
  s = services::CradleServer::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(IsLoopback("127.0.0.1:7443"));
  EXPECT_TRUE(IsLoopback("localhost:7443"));
  EXPECT_TRUE(IsLoopback("[::1]:7443"));
  EXPECT_FALSE(IsLoopback("0.0.0.0:7443"));
  EXPECT_FALSE(IsLoopback("10.0.0.5:7443"));
  EXPECT_FALSE(IsLoopback("[::]:7443"));
}

}  // namespace
}  // namespace cradle
