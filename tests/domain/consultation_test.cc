#include "domain/consultation.h"

#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "domain/registry.h"
#include "domain/work_calendar.h"
#include "tests/testing/parties.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::kGenerator;
using ::cradle::testing::MakeEnterprise;
using ::cradle::testing::MakeUscc;
using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kSuzhouReceiver = MakeUscc("320506", "3K4L5M6");  // 苏州
constexpr char kOil[] = "900-249-08";
constexpr char kNumber[] = "3332-2026-000001";

// China time on a day of 2026.
absl::Time China(int month, int day, int hour = 9) {
  return absl::FromCivil(absl::CivilSecond(2026, month, day, hour, 0, 0),
                         ChinaTime());
}

Principal Bureau(const std::string& jurisdiction) {
  Principal p;
  p.credential = "reg-" + jurisdiction;
  p.kind = v1::CREDENTIAL_KIND_REGULATOR;
  p.jurisdiction = jurisdiction;
  return p;
}

Principal Party(const std::string& enterprise, v1::Role role) {
  Principal p;
  p.credential = "cred-" + enterprise.substr(0, 6);
  p.kind = v1::CREDENTIAL_KIND_PARTY;
  p.enterprise = enterprise;
  p.role = role;
  return p;
}

class ConsultationTest : public ::testing::Test {
 protected:
  ConsultationTest()
      : generator_(MakeEnterprise(kGenerator, "330402", v1::ROLE_GENERATOR)),
        receiver_(MakeEnterprise(kSuzhouReceiver, "320506", v1::ROLE_RECEIVER)),
        applicant_(Party(kGenerator, v1::ROLE_GENERATOR)),
        zhejiang_(Bureau("33")),
        jiangsu_(Bureau("32")) {
    v1::Licence* l = receiver_.add_licences();
    l->set_number("JS3205060001");
    l->add_codes("HW08");
    l->set_capacity_kg(50000000);
    l->set_valid_until("2027-03-31");
  }

  static v1::TransferApplication Application() {
    v1::TransferApplication a;
    a.set_generator(kGenerator);
    a.set_receiver(kSuzhouReceiver);
    a.add_codes(kOil);
    a.set_method("R9");
    a.set_quantity_kg(120000);
    a.set_valid_from("2026-07-01");
    a.set_valid_until("2027-06-30");
    a.set_note("废矿物油 120 t，再生利用");
    return a;
  }

  absl::StatusOr<ConsultationDecision> Apply(const v1::TransferApplication& a,
                                             absl::Time now = China(6, 3)) {
    v1::ApplyForTransferRequest r;
    r.mutable_meta()->set_idempotency_key("apply");
    *r.mutable_application() = a;
    return DecideApplyForTransfer(r, applicant_, generator_, receiver_, kNumber,
                                  now);
  }

  v1::Consultation Applied() {
    absl::StatusOr<ConsultationDecision> d = Apply(Application());
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? d->next : v1::Consultation();
  }

  absl::StatusOr<v1::Consultation> Act(
      const v1::Consultation& c, const Principal& who,
      v1::ConsultationAction action, const std::string& text = "",
      absl::Time now = China(6, 4), const v1::WhiteList* white_list = nullptr) {
    v1::ActOnConsultationRequest r;
    r.mutable_meta()->set_idempotency_key("act");
    r.set_number(c.number());
    r.set_action(action);
    r.set_text(text);
    ConsultationFacts facts;
    facts.receiver = &receiver_;
    facts.white_list = white_list;
    absl::StatusOr<ConsultationDecision> d =
        DecideActOnConsultation(r, who, c, facts, now);
    if (!d.ok()) return d.status();
    return d->next;
  }

  // Applied, accepted, the letter sent: with the receiving bureau.
  v1::Consultation Consulting() {
    absl::StatusOr<v1::Consultation> c =
        Act(Applied(), zhejiang_, v1::CONSULTATION_ACTION_ACCEPT);
    EXPECT_TRUE(c.ok()) << c.status();
    c = Act(*c, zhejiang_, v1::CONSULTATION_ACTION_SEND_LETTER, "初审同意移出",
            China(6, 8));
    EXPECT_TRUE(c.ok()) << c.status();
    return *c;
  }

  static v1::WhiteList WhiteListOf(const std::string& code, int64_t max_kg) {
    v1::WhiteList w;
    w.set_number("3332-2026");
    w.set_origin_province("33");
    w.set_destination_province("32");
    w.set_year(2026);
    v1::WhiteListItem* item = w.add_items();
    item->set_code(code);
    item->set_max_kg(max_kg);
    w.set_version(1);
    return w;
  }

  v1::Enterprise generator_;
  v1::Enterprise receiver_;
  Principal applicant_;
  Principal zhejiang_;
  Principal jiangsu_;
};

TEST_F(ConsultationTest, NumbersNameThePairTheYearAndTheSequence) {
  EXPECT_EQ(FormatConsultationNumber("33", "32", 2026, 17), "3332-2026-000017");
  absl::StatusOr<ConsultationNumber> n =
      ParseConsultationNumber("number", "3332-2026-000017");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->origin, "33");
  EXPECT_EQ(n->destination, "32");
  EXPECT_EQ(n->year, 2026);
  EXPECT_EQ(n->sequence, 17);
  for (const char* bad :
       {"", "3333-2026-000001", "3332-2026-000000", "3332-2026-17",
        "3332/2026/000017", "AB32-2026-000001", "3332-2026-0000017"}) {
    EXPECT_THAT(ParseConsultationNumber("number", bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("not a consultation number")))
        << bad;
  }
}

// Art. 21-26 end to end: each stage held by the party that must act, and
// the approval cut to the receiver's licence (Art. 27).
TEST_F(ConsultationTest, ARunToApproval) {
  v1::Consultation c = Applied();
  EXPECT_EQ(c.number(), kNumber);
  EXPECT_EQ(c.origin_province(), "33");
  EXPECT_EQ(c.destination_province(), "32");
  EXPECT_EQ(c.stage(), v1::CONSULTATION_STAGE_APPLIED);
  EXPECT_EQ(c.holder(), "regulator:33");
  EXPECT_EQ(c.version(), 1);
  // Checked before a number is taken: decided with none.
  v1::ApplyForTransferRequest unnumbered;
  *unnumbered.mutable_application() = Application();
  EXPECT_TRUE(DecideApplyForTransfer(unnumbered, applicant_, generator_,
                                     receiver_, "", China(6, 3))
                  .ok());

  absl::StatusOr<v1::Consultation> next =
      Act(c, zhejiang_, v1::CONSULTATION_ACTION_ACCEPT);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->stage(), v1::CONSULTATION_STAGE_REVIEW);
  EXPECT_EQ(next->holder(), "regulator:33");

  next = Act(*next, zhejiang_, v1::CONSULTATION_ACTION_SEND_LETTER,
             "初审同意移出", China(6, 8));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->stage(), v1::CONSULTATION_STAGE_CONSULTING);
  EXPECT_EQ(next->holder(), "regulator:32");

  next = Act(*next, jiangsu_, v1::CONSULTATION_ACTION_AGREE, "同意接收",
             China(6, 15));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->stage(), v1::CONSULTATION_STAGE_DECISION);
  EXPECT_EQ(next->holder(), "regulator:33");

  next =
      Act(*next, zhejiang_, v1::CONSULTATION_ACTION_APPROVE, "", China(6, 17));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->stage(), v1::CONSULTATION_STAGE_APPROVED);
  EXPECT_EQ(next->holder(), "");
  EXPECT_EQ(next->version(), 5);
  ASSERT_EQ(next->steps_size(), 5);
  EXPECT_EQ(next->steps(3).by(), "regulator:32");
  EXPECT_EQ(next->steps(3).text(), "同意接收");
  const v1::Approval& a = next->approval();
  EXPECT_EQ(a.number(), kNumber);
  EXPECT_EQ(a.generator(), kGenerator);
  EXPECT_EQ(a.receiver(), kSuzhouReceiver);
  EXPECT_EQ(a.quantity_kg(), 120000);
  EXPECT_EQ(a.valid_from(), "2026-07-01");
  // Asked to 2027-06-30; the licence ends 2027-03-31.
  EXPECT_EQ(a.valid_until(), "2027-03-31");
  EXPECT_EQ(next->white_list(), "");

  EXPECT_THAT(Act(*next, zhejiang_, v1::CONSULTATION_ACTION_REFUSE, "x"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("APPROVED: nothing more")));
}

TEST_F(ConsultationTest, AnApprovalDecidedLateStartsOnTheDecisionsDay) {
  v1::Consultation c = Consulting();
  absl::StatusOr<v1::Consultation> next =
      Act(c, jiangsu_, v1::CONSULTATION_ACTION_AGREE, "", China(7, 2));
  ASSERT_TRUE(next.ok()) << next.status();
  next =
      Act(*next, zhejiang_, v1::CONSULTATION_ACTION_APPROVE, "", China(7, 6));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->approval().valid_from(), "2026-07-06");
}

TEST_F(ConsultationTest, TheReceivingBureauSaysNoAndTheOriginRefuses) {
  absl::StatusOr<v1::Consultation> next =
      Act(Consulting(), jiangsu_, v1::CONSULTATION_ACTION_DISAGREE);
  EXPECT_THAT(next, StatusIs(absl::StatusCode::kInvalidArgument,
                             HasSubstr("text is required for DISAGREE")));
  next = Act(Consulting(), jiangsu_, v1::CONSULTATION_ACTION_DISAGREE,
             "接收单位处置能力不足");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->stage(), v1::CONSULTATION_STAGE_DECISION);
  EXPECT_THAT(Act(*next, zhejiang_, v1::CONSULTATION_ACTION_APPROVE),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("did not agree")));
  EXPECT_THAT(Act(*next, zhejiang_, v1::CONSULTATION_ACTION_REFUSE),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("text is required for REFUSE")));
  next =
      Act(*next, zhejiang_, v1::CONSULTATION_ACTION_REFUSE, "接受地不同意接收");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->stage(), v1::CONSULTATION_STAGE_REFUSED);
  EXPECT_FALSE(next->has_approval());
}

// Art. 22: one notice of everything missing; the applicant completes, the
// acceptance clock starts again, and no second notice is allowed.
TEST_F(ConsultationTest, OneNoticeOfEverythingMissing) {
  EXPECT_THAT(Act(Applied(), zhejiang_, v1::CONSULTATION_ACTION_NOTIFY_MISSING),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("everything missing, in one notice")));
  absl::StatusOr<v1::Consultation> c =
      Act(Applied(), zhejiang_, v1::CONSULTATION_ACTION_NOTIFY_MISSING,
          "缺少接收单位经营许可证复印件");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->stage(), v1::CONSULTATION_STAGE_INCOMPLETE);
  EXPECT_EQ(c->holder(), kGenerator);
  // Only the applicant completes it, with the same parties.
  v1::ActOnConsultationRequest r;
  r.mutable_meta()->set_idempotency_key("complete");
  r.set_number(c->number());
  r.set_action(v1::CONSULTATION_ACTION_COMPLETE);
  ConsultationFacts facts;
  EXPECT_THAT(DecideActOnConsultation(r, applicant_, *c, facts, China(6, 5)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("application is required for COMPLETE")));
  v1::TransferApplication amended = Application();
  amended.set_receiver(MakeUscc("320506", "9K8Y7X6"));
  *r.mutable_application() = amended;
  EXPECT_THAT(DecideActOnConsultation(r, applicant_, *c, facts, China(6, 5)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("another receiver is another application")));
  amended = Application();
  amended.set_quantity_kg(90000);
  *r.mutable_application() = amended;
  EXPECT_THAT(DecideActOnConsultation(r, zhejiang_, *c, facts, China(6, 5)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("held by " + kGenerator)));
  absl::StatusOr<ConsultationDecision> done =
      DecideActOnConsultation(r, applicant_, *c, facts, China(6, 5));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->next.stage(), v1::CONSULTATION_STAGE_APPLIED);
  EXPECT_EQ(done->next.holder(), "regulator:33");
  EXPECT_EQ(done->next.application().quantity_kg(), 90000);
  EXPECT_EQ(FromTimestamp(done->next.stage_since()), China(6, 5));
  EXPECT_THAT(Act(done->next, zhejiang_, v1::CONSULTATION_ACTION_NOTIFY_MISSING,
                  "还缺"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("one notice of everything missing")));
}

TEST_F(ConsultationTest, OnlyTheHolderActsAndOnlyWithItsStagesSteps) {
  const v1::Consultation c = Applied();
  EXPECT_THAT(Act(c, jiangsu_, v1::CONSULTATION_ACTION_ACCEPT),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(HasSubstr("held by regulator:33"),
                             HasSubstr("regulator:32 may not ACCEPT"))));
  // A city's office reads; the province's bureau decides.
  EXPECT_THAT(Act(c, Bureau("3304"), v1::CONSULTATION_ACTION_ACCEPT),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Act(c, applicant_, v1::CONSULTATION_ACTION_ACCEPT),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Act(c, zhejiang_, v1::CONSULTATION_ACTION_AGREE),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("APPLIED"),
                             HasSubstr("AGREE is not a step of it"))));
  EXPECT_THAT(Act(c, zhejiang_, v1::CONSULTATION_ACTION_APPLY),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Act(c, zhejiang_, static_cast<v1::ConsultationAction>(99)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // The applicant withdraws at any stage before a decision; no one else.
  EXPECT_THAT(Act(Consulting(), jiangsu_, v1::CONSULTATION_ACTION_WITHDRAW),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("only the applicant")));
  absl::StatusOr<v1::Consultation> gone =
      Act(Consulting(), applicant_, v1::CONSULTATION_ACTION_WITHDRAW);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(gone->stage(), v1::CONSULTATION_STAGE_WITHDRAWN);
  EXPECT_EQ(gone->holder(), "");
  EXPECT_THAT(
      Act(*gone, jiangsu_, v1::CONSULTATION_ACTION_AGREE),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("WITHDRAWN")));
}

TEST_F(ConsultationTest, AnApplicationIsCheckedFieldByField) {
  v1::TransferApplication a = Application();
  a.set_generator(MakeUscc("330402", "7Q7Q7Q7"));
  EXPECT_THAT(Apply(a), StatusIs(absl::StatusCode::kPermissionDenied,
                                 HasSubstr("application.generator")));
  a = Application();
  a.set_quantity_kg(0);
  EXPECT_THAT(Apply(a), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("application.quantity_kg 0")));
  a = Application();
  a.set_codes(0, "HW99");
  EXPECT_THAT(Apply(a), StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("application.codes[0] HW99")));
  a = Application();
  a.set_valid_until("2027-07-01");
  EXPECT_THAT(Apply(a), StatusIs(absl::StatusCode::kInvalidArgument,
                                 AllOf(HasSubstr("application.valid_until"),
                                       HasSubstr("less than 12 months"))));
  a = Application();
  a.set_valid_from("2027-04-01");
  a.set_valid_until("2027-05-01");
  EXPECT_THAT(Apply(a), StatusIs(absl::StatusCode::kFailedPrecondition,
                                 HasSubstr("holds no licence running on")));
  receiver_.set_division("330481");
  EXPECT_THAT(Apply(Application()), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("the generator's own")));
}

// Each stage's limit on the working-day calendar (2026's National Day
// week off): due the n-th working day after the stage began, overdue the
// day after.
TEST_F(ConsultationTest, EachStageHasItsLimitInWorkingDays) {
  const WorkCalendar& cal = WorkCalendar::Builtin();
  v1::Consultation c = Applied();
  struct Case {
    v1::ConsultationStage stage;
    absl::Time since;
    const char* due;
  };
  // Fri 25 Sep (Mid-Autumn) and 1-7 Oct are off; Sun 20 Sep and Sat 10
  // Oct are worked.
  for (const Case& k :
       {Case{v1::CONSULTATION_STAGE_APPLIED, China(9, 18), "2026-09-24"},
        Case{v1::CONSULTATION_STAGE_REVIEW, China(9, 29), "2026-10-12"},
        Case{v1::CONSULTATION_STAGE_CONSULTING, China(9, 29), "2026-10-19"},
        Case{v1::CONSULTATION_STAGE_DECISION, China(6, 3), "2026-06-10"}}) {
    c.set_stage(k.stage);
    *c.mutable_stage_since() = ToTimestamp(k.since);
    absl::CivilDay day;
    ASSERT_TRUE(absl::ParseCivilTime(k.due, &day));
    const absl::Time due_day = absl::FromCivil(day, ChinaTime());
    v1::ConsultationDeadline on = DeadlineOf(c, cal, due_day + absl::Hours(23));
    EXPECT_EQ(on.due(), k.due) << StageName(k.stage);
    EXPECT_FALSE(on.overdue()) << StageName(k.stage);
    EXPECT_EQ(on.working_days(), StageLimit(k.stage));
    EXPECT_TRUE(DeadlineOf(c, cal, due_day + absl::Hours(24)).overdue())
        << StageName(k.stage);
  }
  c.set_stage(v1::CONSULTATION_STAGE_INCOMPLETE);
  EXPECT_EQ(DeadlineOf(c, cal, China(12, 1)).due(), "");
  EXPECT_FALSE(DeadlineOf(c, cal, China(12, 1)).overdue());
  // Into a year the calendar does not hold: undated, never overdue.
  c.set_stage(v1::CONSULTATION_STAGE_CONSULTING);
  *c.mutable_stage_since() = ToTimestamp(China(12, 28));
  absl::StatusOr<WorkCalendar> only2026 = WorkCalendar::Parse("year 2026\n");
  ASSERT_TRUE(only2026.ok());
  v1::ConsultationDeadline undated =
      DeadlineOf(c, *only2026, China(12, 28) + absl::Hours(24 * 30));
  EXPECT_EQ(undated.due(), "");
  EXPECT_FALSE(undated.overdue());
  EXPECT_THAT(undated.undated(), HasSubstr("no 2027"));
}

TEST_F(ConsultationTest, AWhiteListLetsTheOriginDecideAlone) {
  absl::StatusOr<v1::Consultation> review =
      Act(Applied(), zhejiang_, v1::CONSULTATION_ACTION_ACCEPT);
  ASSERT_TRUE(review.ok());
  EXPECT_THAT(Act(*review, zhejiang_, v1::CONSULTATION_ACTION_APPROVE),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no white list")));
  const v1::WhiteList other = WhiteListOf("HW49", 0);
  EXPECT_THAT(Act(*review, zhejiang_, v1::CONSULTATION_ACTION_APPROVE, "",
                  China(6, 4), &other),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("does not list 900-249-08")));
  const v1::WhiteList capped = WhiteListOf("HW08", 100000);
  EXPECT_THAT(Act(*review, zhejiang_, v1::CONSULTATION_ACTION_APPROVE, "",
                  China(6, 4), &capped),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("up to 100000 kg")));
  const v1::WhiteList listed = WhiteListOf("HW08", 200000);
  absl::StatusOr<v1::Consultation> approved =
      Act(*review, zhejiang_, v1::CONSULTATION_ACTION_APPROVE, "", China(6, 4),
          &listed);
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_EQ(approved->stage(), v1::CONSULTATION_STAGE_APPROVED);
  EXPECT_EQ(approved->white_list(), "3332-2026");
  EXPECT_EQ(approved->approval().valid_until(), "2027-03-31");
}

TEST_F(ConsultationTest, AWhiteListIsFiledByTheProvinceItWaives) {
  v1::FileWhiteListRequest r;
  r.mutable_meta()->set_idempotency_key("wl");
  v1::WhiteList* w = r.mutable_white_list();
  w->set_origin_province("33");
  w->set_destination_province("32");
  w->set_year(2026);
  v1::WhiteListItem* item = w->add_items();
  item->set_code("HW31");
  item->set_max_kg(50000);
  EXPECT_THAT(
      DecideFileWhiteList(r, zhejiang_, nullptr, China(6, 3)),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("regulator:32")));
  absl::StatusOr<WhiteListDecision> d =
      DecideFileWhiteList(r, jiangsu_, nullptr, China(6, 3));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.number(), "3332-2026");
  EXPECT_EQ(d->next.version(), 1);
  EXPECT_EQ(FiledWhiteList(d->event).number(), "3332-2026");
  absl::StatusOr<WhiteListDecision> again =
      DecideFileWhiteList(r, jiangsu_, &d->next, China(6, 4));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->next.version(), 2);

  w->add_items()->set_code("HW31");
  EXPECT_THAT(DecideFileWhiteList(r, jiangsu_, nullptr, China(6, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("white_list.items[1].code HW31 is listed "
                                 "twice")));
  w->mutable_items()->RemoveLast();
  w->set_year(2028);
  EXPECT_THAT(DecideFileWhiteList(r, jiangsu_, nullptr, China(6, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("white_list.year 2028")));
  w->set_year(2026);
  w->set_destination_province("33");
  EXPECT_THAT(DecideFileWhiteList(r, zhejiang_, nullptr, China(6, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("of two provinces")));
}

TEST_F(ConsultationTest, ReadByItsPartiesAndBothProvincesRegulators) {
  const v1::Consultation c = Applied();
  EXPECT_TRUE(CheckConsultationReader(applicant_, c).ok());
  EXPECT_TRUE(
      CheckConsultationReader(Party(kSuzhouReceiver, v1::ROLE_RECEIVER), c)
          .ok());
  EXPECT_TRUE(CheckConsultationReader(Bureau("3304"), c).ok());
  EXPECT_TRUE(CheckConsultationReader(Bureau("32"), c).ok());
  EXPECT_THAT(CheckConsultationReader(Bureau("51"), c),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckConsultationReader(
                  Party(MakeUscc("330402", "1A1A1A1"), v1::ROLE_GENERATOR), c),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

// Art. 27, for approvals registered as finished objects too.
TEST_F(ConsultationTest, ARegisteredApprovalRunsNoLongerThanTheLicence) {
  v1::RegisterApprovalRequest r;
  v1::Approval* a = r.mutable_approval();
  a->set_number("ZJ-KS-2026-0042");
  a->set_generator(kGenerator);
  a->set_receiver(kSuzhouReceiver);
  a->add_codes(kOil);
  a->set_quantity_kg(1000);
  a->set_valid_from("2026-07-01");
  a->set_valid_until("2027-04-01");
  EXPECT_THAT(DecideRegisterApproval(r, generator_, receiver_, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("approval.valid_until 2027-04-01"),
                             HasSubstr("2027-03-31"))));
  a->set_valid_until("2027-03-31");
  EXPECT_TRUE(DecideRegisterApproval(r, generator_, receiver_, nullptr).ok());
  a->set_number("3332-2026-000001");
  EXPECT_THAT(DecideRegisterApproval(r, generator_, receiver_, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("consultation's number")));
}

}  // namespace
}  // namespace cradle::domain
