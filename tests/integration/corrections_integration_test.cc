// Corrections through gRPC over a real ledger: revisions approved by every
// party they touch, refused, lapsed, needing a regulator, re-addressing a
// load across a city line; void; a regulator's return fixed by revision and
// confirmed. Each shows in the inboxes of whom it waits on, and survives a
// restart (the state replays from the ledger).

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "cradle/v1/manifest.grpc.pb.h"
#include "tests/integration/server_fixture.h"

namespace cradle::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class CorrectionsTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    corrections_ = v1::Corrections::NewStub(channel_);
  }

  static v1::FieldChange Change(const std::string& field,
                                const std::string& from,
                                const std::string& to) {
    v1::FieldChange c;
    c.set_field(field);
    c.set_old_value(from);
    c.set_new_value(to);
    return c;
  }

  // Proposes `changes` to `n` as `who` (speaking as `by`); `id` gets the
  // revision's id.
  grpc::Status Propose(const std::string& who, const std::string& by,
                       const std::string& n,
                       std::vector<v1::FieldChange> changes,
                       std::string* id = nullptr, WriteReply* r = nullptr) {
    v1::ProposeRevisionRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_meta()->set_person("王经理");
    req.set_number(n);
    req.set_by(by);
    for (v1::FieldChange& c : changes) *req.add_changes() = std::move(c);
    req.set_reason("开单时填错");
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::ProposeRevisionResponse reply;
    grpc::Status s = corrections_->ProposeRevision(&ctx, req, &reply);
    if (s.ok() && id != nullptr) *id = reply.revision();
    if (s.ok() && r != nullptr) r->From(reply);
    return s;
  }

  grpc::Status Answer(const std::string& who, const std::string& id,
                      v1::RevisionVerdict verdict, const std::string& note = "",
                      WriteReply* r = nullptr) {
    v1::AnswerRevisionRequest req;
    *req.mutable_meta() = Meta();
    req.set_id(id);
    req.set_by(who);
    req.set_verdict(verdict);
    req.set_note(note);
    grpc::ClientContext ctx;
    As(&ctx, who);
    return Answered<v1::AnswerRevisionResponse>(r, [&](auto* out) {
      return corrections_->AnswerRevision(&ctx, req, out);
    });
  }

  std::vector<v1::InboxItem> Inbox(const std::string& who,
                                   const std::string& party = "") {
    std::vector<v1::InboxItem> items;
    v1::ListInboxRequest req;
    req.set_party(party);
    for (int pages = 0; pages < 10; ++pages) {
      grpc::ClientContext ctx;
      As(&ctx, who);
      v1::ListInboxResponse reply;
      grpc::Status s = manifests_->ListInbox(&ctx, req, &reply);
      EXPECT_TRUE(s.ok()) << s.error_message();
      for (const v1::InboxItem& i : reply.items()) items.push_back(i);
      if (reply.next_page_token().empty()) break;
      req.set_page_token(reply.next_page_token());
    }
    return items;
  }

  static bool Has(const std::vector<v1::InboxItem>& items,
                  v1::InboxItem::Task task, const std::string& number) {
    for (const v1::InboxItem& i : items) {
      if (i.task() == task && i.number() == number) return true;
    }
    return false;
  }

  // The manifest after a restart, rebuilt from the ledger, must be the one
  // the server answered before it.
  void ExpectSurvivesRestart(const std::string& n) {
    const v1::Manifest before = Get(n);
    Restart();
    corrections_ = v1::Corrections::NewStub(channel_);
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(before, Get(n)));
  }

  std::unique_ptr<v1::Corrections::Stub> corrections_;
};

TEST_F(CorrectionsTest, ARevisionApprovedByAllMakesTheLoadCrossCity) {
  const std::string n = OpenOne();
  EXPECT_EQ(Get(n).flags_size(), 0) << "嘉兴 to 海宁: inside the city";
  std::string id;
  ASSERT_TRUE(Propose(kGenerator, kGenerator, n,
                      {Change("receiver", kReceiver, kAltReceiver)}, &id)
                  .ok());
  EXPECT_EQ(id, n + "-R1");
  // The receiver asked can read the manifest and finds the task waiting.
  EXPECT_TRUE(Has(Inbox(kAltReceiver), v1::InboxItem::TASK_ANSWER_REVISION, n));
  EXPECT_TRUE(Has(Inbox(kCarrier), v1::InboxItem::TASK_ANSWER_REVISION, n));
  EXPECT_FALSE(Has(Inbox(kGenerator), v1::InboxItem::TASK_ANSWER_REVISION, n))
      << "the proposer approves by proposing";

  ASSERT_TRUE(Answer(kCarrier, id, v1::REVISION_VERDICT_APPROVE).ok());
  EXPECT_EQ(Get(n).receiver(), kReceiver);
  WriteReply r;
  ASSERT_TRUE(
      Answer(kAltReceiver, id, v1::REVISION_VERDICT_APPROVE, "", &r).ok());
  const v1::Manifest& m = r.manifest();
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_APPLIED);
  EXPECT_EQ(m.receiver(), kAltReceiver);
  ASSERT_EQ(m.flags_size(), 1);
  EXPECT_EQ(m.flags(0).kind(), v1::FLAG_KIND_CROSS_CITY);
  EXPECT_EQ(m.flags(0).destination_city(), "3301");
  EXPECT_FALSE(
      Has(Inbox(kAltReceiver), v1::InboxItem::TASK_ANSWER_REVISION, n));

  // The new receiver is now the one that signs for the load.
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, nullptr).ok());
  EXPECT_FALSE(Deliver(n, kReceiver, nullptr).ok() &&
               Get(n).status() == v1::MANIFEST_STATUS_DELIVERED);
  ASSERT_TRUE(Deliver(n, kAltReceiver, nullptr).ok());
  EXPECT_EQ(Get(n).status(), v1::MANIFEST_STATUS_DELIVERED);
  ExpectSurvivesRestart(n);
}

TEST_F(CorrectionsTest, ARefusedRevisionChangesNothing) {
  const std::string n = OpenOne();
  std::string id;
  ASSERT_TRUE(Propose(kGenerator, kGenerator, n,
                      {Change("carrier", kCarrier, kRelayCarrier)}, &id)
                  .ok());
  grpc::Status refused = Answer(kRelayCarrier, id, v1::REVISION_VERDICT_REFUSE);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("note"));
  ASSERT_TRUE(
      Answer(kRelayCarrier, id, v1::REVISION_VERDICT_REFUSE, "车辆已排满")
          .ok());
  const v1::Manifest m = Get(n);
  EXPECT_EQ(m.carrier(), kCarrier);
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_REFUSED);
  ASSERT_EQ(m.revisions(0).answers_size(), 1);
  EXPECT_EQ(m.revisions(0).answers(0).by(), kRelayCarrier);
  EXPECT_EQ(m.revisions(0).answers(0).note(), "车辆已排满");
  EXPECT_EQ(m.revisions(0).person(), "王经理");
  // The refused carrier no longer reads the manifest.
  grpc::ClientContext ctx;
  As(&ctx, kRelayCarrier);
  v1::GetManifestRequest get;
  get.set_number(n);
  v1::GetManifestResponse got;
  EXPECT_EQ(manifests_->Get(&ctx, get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CorrectionsTest, AnUnansweredRevisionLapsesByTheSweeper) {
  const std::string n = OpenOne();
  std::string id;
  ASSERT_TRUE(Propose(kGenerator, kGenerator, n,
                      {Change("lines[0].quantity_g", "1000000", "1100000")},
                      &id)
                  .ok());
  clock_.Advance(absl::Hours(24 * 3));
  ASSERT_TRUE(server_->Sweep().ok());
  EXPECT_EQ(Get(n).revisions(0).state(), v1::REVISION_STATE_PENDING);
  clock_.Advance(absl::Hours(24 * 6));  // past five working days
  absl::StatusOr<int> swept = server_->Sweep();
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(*swept, 1);
  const v1::Manifest m = Get(n);
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_LAPSED);
  EXPECT_EQ(m.lines(0).quantity_g(), 1000000);
  grpc::Status late = Answer(kCarrier, id, v1::REVISION_VERDICT_APPROVE);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(late.error_message(), HasSubstr("LAPSED"));
  EXPECT_FALSE(Has(Inbox(kCarrier), v1::InboxItem::TASK_ANSWER_REVISION, n));
  ExpectSurvivesRestart(n);
}

TEST_F(CorrectionsTest, AfterPickupAQuantityNeedsTheRegulatorsApproval) {
  const std::string n = OpenOne();
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, nullptr).ok());
  std::string id;
  ASSERT_TRUE(Propose(kCarrier, kCarrier, n,
                      {Change("lines[0].quantity_g", "1000000", "1040000")},
                      &id)
                  .ok());
  EXPECT_THAT(Get(n).revisions(0).approvers(),
              UnorderedElementsAre(kGenerator, kReceiver));
  ASSERT_TRUE(Answer(kGenerator, id, v1::REVISION_VERDICT_APPROVE).ok());
  ASSERT_TRUE(Answer(kReceiver, id, v1::REVISION_VERDICT_APPROVE).ok());
  EXPECT_EQ(Get(n).revisions(0).state(), v1::REVISION_STATE_PENDING);

  // The offices of the manifest's jurisdiction see it; another does not,
  // and may not answer it.
  EXPECT_TRUE(
      Has(Inbox(kJiaxingRegulator), v1::InboxItem::TASK_ANSWER_REVISION, n));
  EXPECT_TRUE(
      Has(Inbox(kProvinceRegulator), v1::InboxItem::TASK_ANSWER_REVISION, n));
  EXPECT_FALSE(
      Has(Inbox(kHangzhouRegulator), v1::InboxItem::TASK_ANSWER_REVISION, n));
  EXPECT_EQ(
      Answer(kHangzhouRegulator, id, v1::REVISION_VERDICT_APPROVE).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  WriteReply r;
  ASSERT_TRUE(
      Answer(kJiaxingRegulator, id, v1::REVISION_VERDICT_APPROVE, "", &r).ok());
  EXPECT_EQ(r.manifest().revisions(0).state(), v1::REVISION_STATE_APPLIED);
  EXPECT_EQ(r.manifest().lines(0).quantity_g(), 1040000);
  EXPECT_EQ(r.manifest().destinations(0).sent_g(0), 1040000);
  EXPECT_FALSE(
      Has(Inbox(kJiaxingRegulator), v1::InboxItem::TASK_ANSWER_REVISION, n));
  ExpectSurvivesRestart(n);
}

TEST_F(CorrectionsTest, ACallerSpeaksOnlyForItself) {
  const std::string n = OpenOne();
  grpc::Status s =
      Propose(kCarrier, kGenerator, n, {Change("dispatch.contact", "", "李")});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("by"));
  // A regulator does not propose.
  s = Propose(kJiaxingRegulator, kJiaxingRegulator, n,
              {Change("dispatch.contact", "", "李")});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Get(n).revisions().empty());
}

TEST_F(CorrectionsTest, AReturnIsSeenFixedAndConfirmed) {
  const std::string n = OpenOne();
  v1::ReturnManifestRequest ret;
  *ret.mutable_meta() = Meta();
  ret.set_number(n);
  ret.set_by(kJiaxingRegulator);
  ret.set_note("应急电话未填");
  {
    grpc::ClientContext ctx;
    As(&ctx, kJiaxingRegulator);
    v1::ReturnManifestResponse reply;
    grpc::Status s = corrections_->Return(&ctx, ret, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_TRUE(Has(Inbox(kGenerator), v1::InboxItem::TASK_FIX_RETURN, n));
  ASSERT_TRUE(Propose(kGenerator, kGenerator, n,
                      {Change("dispatch.emergency_phone", "", "0573-82345678")})
                  .ok());
  EXPECT_FALSE(Has(Inbox(kGenerator), v1::InboxItem::TASK_FIX_RETURN, n));
  EXPECT_TRUE(
      Has(Inbox(kJiaxingRegulator), v1::InboxItem::TASK_CONFIRM_RETURN, n));
  v1::ConfirmReturnRequest confirm;
  *confirm.mutable_meta() = Meta();
  confirm.set_number(n);
  confirm.set_by(kJiaxingRegulator);
  {
    grpc::ClientContext ctx;
    As(&ctx, kJiaxingRegulator);
    v1::ConfirmReturnResponse reply;
    grpc::Status s = corrections_->ConfirmReturn(&ctx, confirm, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(reply.manifest().returns(0).confirmed());
  }
  EXPECT_FALSE(
      Has(Inbox(kJiaxingRegulator), v1::InboxItem::TASK_CONFIRM_RETURN, n));
  ExpectSurvivesRestart(n);
}

TEST_F(CorrectionsTest, AVoidedManifestWaitsOnNobody) {
  const std::string n = OpenOne();
  v1::VoidManifestRequest v;
  *v.mutable_meta() = Meta();
  v.set_number(n);
  v.set_by(kGenerator);
  v.set_reason("重复开具");
  grpc::ClientContext ctx;
  As(&ctx, kGenerator);
  v1::VoidManifestResponse reply;
  grpc::Status s = corrections_->Void(&ctx, v, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.manifest().status(), v1::MANIFEST_STATUS_VOIDED);
  EXPECT_FALSE(Has(Inbox(kCarrier), v1::InboxItem::TASK_PICKUP, n));
  EXPECT_FALSE(Pickup(n, kCarrier, kCarrierPlate, nullptr).ok());
  ExpectSurvivesRestart(n);
}

}  // namespace
}  // namespace cradle::testing
