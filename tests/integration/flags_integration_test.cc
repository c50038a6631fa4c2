// Flags through the real server: raised in the write of the event that breaks
// the chain, or by the sweeper when a deadline passes; acknowledged, resolved
// or cleared, never deleted.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/names.h"
#include "services/remote_sweeper.h"
#include "tests/integration/server_fixture.h"

namespace cradle {
namespace {

using ::cradle::testing::kAdmin;
using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kProvinceRegulator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::MakeUscc;
using ::cradle::testing::WriteReply;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Kinds(const v1::Manifest& m) {
  std::vector<std::string> out;
  for (const v1::Flag& f : m.flags()) {
    out.push_back(absl::StrCat(domain::ShortName(f.kind()), "/",
                               domain::ShortName(f.severity()), "/",
                               domain::ShortName(f.state())));
  }
  return out;
}

class FlagsIntegrationTest : public cradle::testing::ServerFixture {
 protected:
  void Configure(services::ServerOptions* options) override {
    options->flags.transit = domain::Limit{absl::Hours(3), 0};
    options->flags.disposal = domain::Limit{absl::Hours(1), 0};
  }

  std::string OpenTo(const std::string& receiver, const std::string& code,
                     int64_t grams, WriteReply* r) {
    v1::OpenManifestRequest req = OpenRequest();
    req.set_receiver(receiver);
    req.clear_lines();
    v1::WasteLine* line = req.add_lines();
    line->set_code(code);
    line->set_quantity_g(grams);
    grpc::Status s = Open(req, r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r->manifest().number();
  }

  // Opened, picked up, delivered and fully accepted at kReceiver.
  std::string Accepted() {
    const std::string n = OpenOne();
    WriteReply r;
    EXPECT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
    EXPECT_TRUE(Deliver(n, kReceiver, &r).ok());
    EXPECT_TRUE(
        Receive(n, kReceiver, {Accept(1, 1000000), Accept(2, 250000)}, &r)
            .ok());
    return n;
  }

  v1::ListFlagsResponse ListFlags(v1::ListFlagsRequest req) {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::ListFlagsResponse out;
    grpc::Status s = flags_->List(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::EnterpriseRisk Risk(const std::string& id) {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::GetEnterpriseRiskRequest req;
    req.set_id(id);
    v1::GetEnterpriseRiskResponse out;
    EXPECT_TRUE(flags_->GetEnterpriseRisk(&ctx, req, &out).ok());
    return out.risk();
  }

  int Sweep() {
    absl::StatusOr<int> n = server_->Sweep();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  // Flags.Sweep as `who`: what a sweeper run apart asks for.
  grpc::Status SweepCall(const std::string& who, int* flagged) {
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::SweepResponse out;
    grpc::Status s = flags_->Sweep(&ctx, v1::SweepRequest(), &out);
    *flagged = out.manifests_flagged();
    return s;
  }

  absl::StatusOr<int> SweepApart(std::vector<std::string> nodes,
                                 const std::string& token) {
    services::RemoteSweeperOptions options;
    options.nodes = std::move(nodes);
    options.node_credentials = grpc::InsecureChannelCredentials();
    options.token = token;
    options.call_deadline = absl::Seconds(10);
    absl::StatusOr<std::unique_ptr<services::RemoteSweeper>> sweeper =
        services::RemoteSweeper::Create(std::move(options));
    if (!sweeper.ok()) return sweeper.status();
    return (*sweeper)->RunOnce();
  }
};

TEST_F(FlagsIntegrationTest, ASweepAskedOverGrpcRaisesWhatIsDueOnce) {
  const std::string n = Accepted();
  clock_.Advance(absl::Minutes(61));
  int flagged = -1;
  grpc::Status s = SweepCall(kReceiver, &flagged);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("Flags.Sweep"));
  EXPECT_EQ(Get(n).flags_size(), 0);

  ASSERT_TRUE(SweepCall(kAdmin, &flagged).ok());
  EXPECT_EQ(flagged, 1);
  ASSERT_TRUE(SweepCall(kAdmin, &flagged).ok());
  EXPECT_EQ(flagged, 0);  // raised once
  EXPECT_THAT(Kinds(Get(n)), ElementsAre("MISSING_DISPOSAL/HIGH/OPEN"));
}

TEST_F(FlagsIntegrationTest, ASweeperApartSweepsThroughANodeThatAnswers) {
  const std::string n = Accepted();
  clock_.Advance(absl::Minutes(61));
  const std::string dead = "127.0.0.1:1";  // connections refused at once
  const std::string node = absl::StrCat("127.0.0.1:", server_->port());
  absl::StatusOr<int> swept = SweepApart({dead, node}, creds_[kAdmin].token);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(*swept, 1);
  EXPECT_THAT(Kinds(Get(n)), ElementsAre("MISSING_DISPOSAL/HIGH/OPEN"));

  swept = SweepApart({dead}, creds_[kAdmin].token);
  EXPECT_EQ(swept.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(swept.status().message(), HasSubstr("the last, 127.0.0.1:1"));
  // A refusal is the answer: the next node is not asked.
  swept = SweepApart({node, node}, "not a token");
  EXPECT_EQ(swept.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(SweepApart({node}, "").status().message(), HasSubstr("token"));
}

TEST_F(FlagsIntegrationTest, JiaxingToHangzhouIsFlaggedAtIssueAndInCityIsNot) {
  WriteReply out, in;
  // 900-249-08 is covered by the Jiaxing (Haining) receiver, which has
  // capacity to spare: the load should have stayed in the city.
  OpenTo(kAltReceiver, "900-249-08", 2000 * 1000, &out);
  EXPECT_THAT(Kinds(out.manifest()), ElementsAre("CROSS_CITY/HIGH/OPEN"));
  const v1::Flag& f = out.manifest().flags(0);
  EXPECT_EQ(f.origin_city(), "3304");
  EXPECT_EQ(f.destination_city(), "3301");
  EXPECT_THAT(f.detail(), HasSubstr(kReceiver));
  EXPECT_THAT(f.evidence(), ElementsAre(1u));  // the opening entry

  OpenTo(kReceiver, "900-249-08", 2000 * 1000, &in);
  EXPECT_THAT(Kinds(in.manifest()), IsEmpty());

  // Both cities' regulators see the flag; a third city's does not.
  v1::ListFlagsRequest req;
  req.set_city("3304");
  EXPECT_EQ(ListFlags(req).flags_size(), 1);
  req.set_city("3301");
  EXPECT_EQ(ListFlags(req).flags_size(), 1);
  req.set_city("3302");
  EXPECT_EQ(ListFlags(req).flags_size(), 0);
  req.clear_city();
  req.set_county("330106");
  EXPECT_EQ(ListFlags(req).flags_size(), 1);
}

TEST_F(FlagsIntegrationTest, SeverityIsMediumWhenNoInCityReceiverCouldTakeIt) {
  // Only the Hangzhou receiver is licensed for 900-214-08 (HW08).
  Licence(kAltReceiver, "ZJ-0106-HW08", 100, {"HW08"});
  WriteReply r;
  OpenTo(kAltReceiver, "900-214-08", 500 * 1000, &r);
  EXPECT_THAT(Kinds(r.manifest()), ElementsAre("CROSS_CITY/MEDIUM/OPEN"));
}

TEST_F(FlagsIntegrationTest, UnlicensedReceiverIsFlagged) {
  WriteReply r;
  OpenTo(kReceiver, "900-214-08", 500 * 1000, &r);  // not in its licence
  EXPECT_THAT(Kinds(r.manifest()),
              ElementsAre("UNLICENSED_RECEIVER/HIGH/OPEN"));
  EXPECT_THAT(r.manifest().flags(0).detail(), HasSubstr("900-214-08"));
}

TEST_F(FlagsIntegrationTest, AcceptedQuantitiesUseUpLicensedCapacity) {
  // The only licence covering HW08: 2 t a year.
  Licence(kAltReceiver, "ZJ-0106-SMALL", 2, {"HW08"});
  WriteReply r;
  const std::string first = OpenTo(kAltReceiver, "900-214-08", 1500 * 1000, &r);
  EXPECT_THAT(Kinds(r.manifest()), ElementsAre("CROSS_CITY/MEDIUM/OPEN"));
  ASSERT_TRUE(Pickup(first, kCarrier, kCarrierPlate, &r).ok());
  ASSERT_TRUE(Deliver(first, kAltReceiver, &r).ok());
  ASSERT_TRUE(Receive(first, kAltReceiver, {Accept(1, 1500 * 1000)}, &r).ok());
  // 1.5 t accepted this year: 1 t more would exceed the 2 t.
  OpenTo(kAltReceiver, "900-214-08", 1000 * 1000, &r);
  EXPECT_THAT(
      Kinds(r.manifest()),
      ElementsAre("CROSS_CITY/MEDIUM/OPEN", "UNLICENSED_RECEIVER/HIGH/OPEN"));
}

TEST_F(FlagsIntegrationTest, MissingDisposalIsRaisedAfterTheLimitAndCleared) {
  const std::string n = Accepted();
  EXPECT_EQ(Sweep(), 0);  // nothing due yet
  clock_.Advance(absl::Minutes(61));
  EXPECT_EQ(Sweep(), 1);
  EXPECT_EQ(Sweep(), 0);  // raised once
  v1::Manifest m = Get(n);
  EXPECT_THAT(Kinds(m), ElementsAre("MISSING_DISPOSAL/HIGH/OPEN"));
  EXPECT_EQ(Risk(kReceiver).colour(), "red");

  WriteReply r;
  ASSERT_TRUE(Dispose(n, kReceiver, {Dispose(1, 1000000)}, &r).ok());
  EXPECT_THAT(Kinds(r.manifest()), ElementsAre("MISSING_DISPOSAL/HIGH/OPEN"));
  ASSERT_TRUE(Dispose(n, kReceiver, {Dispose(2, 250000)}, &r).ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_THAT(Kinds(r.manifest()),
              ElementsAre("MISSING_DISPOSAL/HIGH/CLEARED"));
  EXPECT_EQ(r.manifest().flags(0).history_size(), 2);  // raised, cleared
  EXPECT_EQ(Risk(kReceiver).colour(), "green");
  v1::ListFlagsRequest cleared;
  cleared.set_state(v1::FLAG_STATE_CLEARED);
  EXPECT_EQ(ListFlags(cleared).flags_size(), 1);
}

TEST_F(FlagsIntegrationTest, SweeperRestartRaisesNothingTwiceAndMissesNothing) {
  const std::string a = Accepted();
  clock_.Advance(absl::Minutes(30));
  const std::string b = Accepted();   // due 30 minutes after a
  clock_.Advance(absl::Minutes(31));  // a is due, b is not
  EXPECT_EQ(Sweep(), 1);
  Restart();
  EXPECT_EQ(Sweep(), 0);
  EXPECT_EQ(Get(a).flags_size(), 1);
  EXPECT_EQ(Get(b).flags_size(), 0);
  clock_.Advance(absl::Minutes(30));
  Restart();
  EXPECT_EQ(Sweep(), 1);
  EXPECT_EQ(Get(a).flags_size(), 1);
  EXPECT_EQ(Get(b).flags_size(), 1);
}

TEST_F(FlagsIntegrationTest, TransitOverdueIsClearedByTheDelivery) {
  const std::string n = OpenOne();
  WriteReply r;
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  clock_.Advance(absl::Hours(3) + absl::Seconds(1));
  EXPECT_EQ(Sweep(), 1);
  EXPECT_THAT(Kinds(Get(n)), ElementsAre("TRANSIT_OVERDUE/MEDIUM/OPEN"));
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());
  EXPECT_THAT(Kinds(r.manifest()),
              ElementsAre("TRANSIT_OVERDUE/MEDIUM/CLEARED"));
}

TEST_F(FlagsIntegrationTest, RegulatorAcknowledgesAndResolvesWithNotes) {
  WriteReply r;
  OpenTo(kAltReceiver, "900-249-08", 1000 * 1000, &r);
  const std::string id = r.manifest().flags(0).id();
  const uint64_t head = r.receipt().sequence();

  v1::AcknowledgeFlagRequest note;
  note.mutable_meta()->set_idempotency_key("ack-1");
  note.set_id(id);
  note.set_by("嘉兴市生态环境局");
  note.set_note("已电话核实，处置单位产能不足");
  v1::Flag f;
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    ASSERT_TRUE(Acknowledge(&ctx, note, &f).ok());
  }
  EXPECT_EQ(f.state(), v1::FLAG_STATE_ACKED);
  {
    grpc::ClientContext ctx;  // acknowledging twice is refused
    As(&ctx, kProvinceRegulator);
    note.mutable_meta()->set_idempotency_key("ack-2");
    grpc::Status s = Acknowledge(&ctx, note, &f);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  }
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    note.mutable_meta()->set_idempotency_key("resolve-1");
    note.set_note("准予，记录在案");
    ASSERT_TRUE(Resolve(&ctx, note, &f).ok());
  }
  EXPECT_EQ(f.state(), v1::FLAG_STATE_RESOLVED);
  ASSERT_EQ(f.history_size(), 3);
  EXPECT_EQ(f.history(1).by(), "嘉兴市生态环境局");
  {
    grpc::ClientContext ctx;  // no note: refused, nothing written
    As(&ctx, kProvinceRegulator);
    note.mutable_meta()->set_idempotency_key("resolve-2");
    note.clear_note();
    grpc::Status s = Resolve(&ctx, note, &f);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    note.set_id("20263304999999-F1");
    note.set_note("x");
    EXPECT_EQ(Acknowledge(&ctx, note, &f).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(Head(), head + 2);  // one entry each for ack and resolve
  v1::ListFlagsRequest resolved;
  resolved.set_state(v1::FLAG_STATE_RESOLVED);
  EXPECT_EQ(ListFlags(resolved).flags_size(), 1);
  EXPECT_EQ(Risk(kGenerator).colour(), "green");
}

TEST_F(FlagsIntegrationTest, PaymentToTheCarrierIsDirectPayment) {
  const std::string n = Accepted();
  v1::RecordPaymentRequest pay;
  pay.mutable_meta()->set_idempotency_key("pay-1");
  pay.set_number(n);
  pay.set_payer(kGenerator);
  pay.set_payee(kReceiver);
  pay.set_amount_fen(380000);
  WriteReply r;
  {
    grpc::ClientContext ctx;
    As(&ctx, kGenerator);
    ASSERT_TRUE(Write(&ctx, pay, &r).ok());
  }
  EXPECT_THAT(Kinds(r.manifest()), IsEmpty());
  pay.mutable_meta()->set_idempotency_key("pay-2");
  pay.set_payee(kCarrier);
  {
    grpc::ClientContext ctx;
    As(&ctx, kGenerator);
    ASSERT_TRUE(Write(&ctx, pay, &r).ok());
  }
  EXPECT_THAT(Kinds(r.manifest()), ElementsAre("DIRECT_PAYMENT/HIGH/OPEN"));
  EXPECT_EQ(Risk(kCarrier).colour(), "red");
}

TEST_F(FlagsIntegrationTest, WeightGapBeyondToleranceIsFlagged) {
  const std::string n = OpenOne();
  WriteReply r;
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());
  // Line 1: 1 t shipped, 900 kg arrived (10% short); line 2 within 5%.
  ASSERT_TRUE(
      Receive(n, kReceiver, {Accept(1, 900000), Accept(2, 240000)}, &r).ok());
  EXPECT_THAT(Kinds(r.manifest()),
              ElementsAre("QUANTITY_DISCREPANCY/HIGH/OPEN"));
  EXPECT_THAT(r.manifest().flags(0).detail(), HasSubstr("line 1"));
  EXPECT_THAT(r.manifest().flags(0).detail(),
              ::testing::Not(HasSubstr("line 2")));
}

TEST_F(FlagsIntegrationTest, CrossProvinceNeedsAnApprovalWithinItsQuantity) {
  const std::string suzhou = MakeUscc("320506", "2K7R8T9");
  Register(suzhou, "苏州吴中固废处置", "320506", {v1::ROLE_RECEIVER});
  Licence(suzhou, "JS-0506", 5000);
  WriteReply r;
  OpenTo(suzhou, "900-249-08", 800 * 1000, &r);
  EXPECT_THAT(Kinds(r.manifest()),
              ElementsAre("CROSS_CITY/HIGH/OPEN",
                          "CROSS_PROVINCE_UNAPPROVED/HIGH/OPEN"));

  v1::RegisterApprovalRequest approval;
  *approval.mutable_meta() = Meta();
  v1::Approval* a = approval.mutable_approval();
  a->set_number("浙苏2026-001");
  a->set_generator(kGenerator);
  a->set_receiver(suzhou);
  a->add_codes("HW08");
  a->set_quantity_kg(1000);
  a->set_valid_from("2026-06-01");
  a->set_valid_until("2027-05-31");
  {
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::RegisterApprovalResponse out;
    grpc::Status s = registry_->RegisterApproval(&ctx, approval, &out);
    // Approval numbers are printable ASCII.
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    a->set_number("ZJ-JS-2026-001");
    grpc::ClientContext again;
    As(&again, kAdmin);
    s = registry_->RegisterApproval(&again, approval, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.approval().number(), "ZJ-JS-2026-001");
  }
  OpenTo(suzhou, "900-249-08", 800 * 1000, &r);  // within the approval
  EXPECT_THAT(Kinds(r.manifest()), ElementsAre("CROSS_CITY/HIGH/OPEN"));
  EXPECT_EQ(r.manifest().approval(), "ZJ-JS-2026-001");
  OpenTo(suzhou, "900-249-08", 800 * 1000, &r);  // 1.6 t > 1 t approved
  EXPECT_THAT(Kinds(r.manifest()),
              ElementsAre("CROSS_CITY/HIGH/OPEN",
                          "CROSS_PROVINCE_UNAPPROVED/HIGH/OPEN"));
  EXPECT_THAT(r.manifest().flags(1).detail(), HasSubstr("exceeded"));
}

}  // namespace
}  // namespace cradle
