// Corrections (domain/revision.h): a revision takes effect only when every
// party it touches, and after pickup for what was handed over a regulator,
// has approved; any of them refuses; it lapses. Void and a regulator's
// return. Every refusal names its field and changes nothing; every state
// replays from the events.

#include "domain/revision.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/flags/engine.h"
#include "domain/inbox.h"
#include "domain/lifecycle.h"
#include "tests/testing/fake_registry.h"
#include "tests/testing/parties.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::At;
using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::kRelayCarrier;
using ::cradle::testing::MakeEnterprise;
using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kNumber[] = "20263304000001";
constexpr char kRegulator[] = "regulator:3304";

v1::FieldChange Change(const std::string& field, const std::string& from,
                       const std::string& to) {
  v1::FieldChange c;
  c.set_field(field);
  c.set_old_value(from);
  c.set_new_value(to);
  return c;
}

class RevisionTest : public ::testing::Test {
 protected:
  RevisionTest() {
    registry_.Add(MakeEnterprise(kGenerator, "330402", v1::ROLE_GENERATOR));
    for (const auto& [id, division, plate] :
         {std::tuple<std::string, std::string, std::string>{kCarrier, "330421",
                                                            kCarrierPlate},
          {kRelayCarrier, "330108", "浙A54321"}}) {
      v1::Enterprise carrier =
          MakeEnterprise(id, division, v1::ROLE_TRANSPORTER);
      carrier.add_vehicles()->set_plate(plate);
      registry_.Add(carrier);
    }
    for (const auto& [id, division] :
         {std::pair<std::string, std::string>{kReceiver, "330481"},
          {kAltReceiver, "330106"}}) {
      v1::Enterprise receiver = MakeEnterprise(id, division, v1::ROLE_RECEIVER);
      v1::Licence* l = receiver.add_licences();
      l->set_number(absl::StrCat(division, "0001"));
      l->add_codes("HW08");
      l->set_capacity_kg(10000000);
      l->set_valid_until("2027-06-30");
      registry_.Add(receiver);
    }
  }

  static v1::WriteMeta Meta(const std::string& key) {
    v1::WriteMeta meta;
    meta.set_idempotency_key(key);
    meta.set_person("王经理");
    return meta;
  }

  // Replays every event decided so far from nothing: the state a restart
  // rebuilds must be the state the decisions answered.
  void Record(const Decision& d, absl::Time at) {
    for (const ledger::v1::ManifestEvent& e : d.events) {
      events_.push_back({e, at});
    }
    v1::Manifest folded;
    for (const auto& [e, when] : events_) Apply(e, when, &folded);
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(folded, d.next))
        << "replayed:\n"
        << folded.DebugString() << "\ndecided:\n"
        << d.next.DebugString();
  }

  // `d` recorded, with the flags its events raise, as the store writes it.
  v1::Manifest Take(const v1::Manifest& before, absl::StatusOr<Decision> d,
                    absl::Time at) {
    EXPECT_TRUE(d.ok()) << d.status();
    if (!d.ok()) return before;
    EXPECT_TRUE(AddEventFlags(before, registry_, config_, at, &*d).ok());
    Record(*d, at);
    return d->next;
  }

  v1::Manifest Opened(bool draft = false) {
    v1::OpenManifestRequest r;
    *r.mutable_meta() = Meta("open");
    r.set_generator(kGenerator);
    r.set_carrier(kCarrier);
    r.set_receiver(kReceiver);
    r.set_draft(draft);
    v1::WasteLine* line = r.add_lines();
    line->set_code("900-249-08");
    line->set_quantity_g(1200000);
    line->set_packaging("铁桶");
    line->set_package_count(6);
    r.mutable_dispatch()->set_contact("王经理");
    return Take(v1::Manifest(), DecideOpen(r, registry_, kNumber, At(0)),
                At(0));
  }

  v1::Manifest PickedUp() {
    v1::Manifest m = Opened();
    v1::PickupRequest r;
    *r.mutable_meta() = Meta("pickup");
    r.set_number(kNumber);
    r.set_carrier(kCarrier);
    r.set_vehicle(kCarrierPlate);
    return Take(m, DecidePickup(m, r, registry_, At(10)), At(10));
  }

  absl::StatusOr<Decision> Propose(const v1::Manifest& m, const std::string& by,
                                   std::vector<v1::FieldChange> changes,
                                   absl::Time at,
                                   const std::string& reason = "填错了") {
    v1::ProposeRevisionRequest r;
    *r.mutable_meta() = Meta("propose");
    r.set_number(m.number());
    r.set_by(by);
    for (v1::FieldChange& c : changes) *r.add_changes() = std::move(c);
    r.set_reason(reason);
    return DecideProposeRevision(m, r, registry_, config_, at);
  }

  static absl::StatusOr<Decision> Answer(const v1::Manifest& m,
                                         const std::string& id,
                                         const std::string& by,
                                         v1::RevisionVerdict verdict,
                                         absl::Time at,
                                         const std::string& note = "") {
    v1::AnswerRevisionRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("answer-", by));
    r.set_id(id);
    r.set_by(by);
    r.set_verdict(verdict);
    r.set_note(note);
    return DecideAnswerRevision(m, r, at);
  }

  ::cradle::testing::FakeRegistry registry_;
  FlagConfig config_;
  std::vector<std::pair<ledger::v1::ManifestEvent, absl::Time>> events_;
};

const std::string kR1 = absl::StrCat(kNumber, "-R1");

TEST_F(RevisionTest, TheGeneratorsOwnDraftChangesAtOnce) {
  v1::Manifest m = Opened(/*draft=*/true);
  m = Take(m,
           Propose(m, kGenerator, {Change("receiver", kReceiver, kAltReceiver)},
                   At(5)),
           At(5));
  ASSERT_EQ(m.revisions_size(), 1);
  EXPECT_EQ(m.revisions(0).id(), kR1);
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_APPLIED);
  EXPECT_THAT(m.revisions(0).approvers(), IsEmpty());
  EXPECT_EQ(m.receiver(), kAltReceiver);
  EXPECT_EQ(m.destinations(0).receiver(), kAltReceiver);
  EXPECT_EQ(m.destination_division(), "330106");
  EXPECT_EQ(m.destinations(0).division(), "330106");
  EXPECT_EQ(m.revisions(0).person(), "王经理");
}

TEST_F(RevisionTest, ANewReceiverAndTheCarrierApproveBeforeItApplies) {
  v1::Manifest m = Opened();
  m = Take(m,
           Propose(m, kGenerator, {Change("receiver", kReceiver, kAltReceiver)},
                   At(5)),
           At(5));
  const v1::Revision& r = m.revisions(0);
  EXPECT_EQ(r.state(), v1::REVISION_STATE_PENDING);
  EXPECT_THAT(r.approvers(),
              ::testing::UnorderedElementsAre(kCarrier, kAltReceiver));
  EXPECT_FALSE(r.needs_regulator());
  EXPECT_EQ(m.receiver(), kReceiver) << "nothing changes before approval";

  // The party asked reads the manifest and finds it in its inbox.
  std::vector<v1::InboxItem> inbox = Waiting(m, kAltReceiver, config_, At(6));
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].task(), v1::InboxItem::TASK_ANSWER_REVISION);
  EXPECT_EQ(inbox[0].revision(), kR1);
  EXPECT_THAT(inbox[0].detail(), HasSubstr(kAltReceiver));

  m = Take(m, Answer(m, kR1, kCarrier, v1::REVISION_VERDICT_APPROVE, At(6)),
           At(6));
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_PENDING);
  EXPECT_EQ(m.receiver(), kReceiver);
  // Approving twice is refused and changes nothing.
  EXPECT_THAT(
      Answer(m, kR1, kCarrier, v1::REVISION_VERDICT_APPROVE, At(7)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("answered")));
  m = Take(m, Answer(m, kR1, kAltReceiver, v1::REVISION_VERDICT_APPROVE, At(8)),
           At(8));
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_APPLIED);
  EXPECT_EQ(m.receiver(), kAltReceiver);
  ASSERT_EQ(m.revisions(0).answers_size(), 2);
  EXPECT_EQ(m.revisions(0).answers(1).by(), kAltReceiver);
}

TEST_F(RevisionTest, ARefusalNeedsANoteAndChangesNothing) {
  v1::Manifest m = Opened();
  m = Take(m,
           Propose(m, kGenerator, {Change("carrier", kCarrier, kRelayCarrier)},
                   At(5)),
           At(5));
  EXPECT_THAT(m.revisions(0).approvers(), ElementsAre(kRelayCarrier));
  EXPECT_THAT(Answer(m, kR1, kRelayCarrier, v1::REVISION_VERDICT_REFUSE, At(6)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("note")));
  m = Take(m,
           Answer(m, kR1, kRelayCarrier, v1::REVISION_VERDICT_REFUSE, At(6),
                  "no truck that day"),
           At(6));
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_REFUSED);
  EXPECT_EQ(m.carrier(), kCarrier);
  EXPECT_THAT(
      Answer(m, kR1, kRelayCarrier, v1::REVISION_VERDICT_APPROVE, At(7)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("REFUSED")));
}

// The state table (docs/LIFECYCLE.md) is what the decisions check: a step
// is taken exactly from the states its row lists.
TEST_F(RevisionTest, EachStepLeavesOnlyTheStatesItsRowLists) {
  v1::Manifest m = Opened();
  m = Take(m,
           Propose(m, kGenerator, {Change("carrier", kCarrier, kRelayCarrier)},
                   At(5)),
           At(5));
  struct Try {
    RevisionStep step;
    std::string by;
    v1::RevisionVerdict verdict;
  };
  for (const Try& t :
       {Try{RevisionStep::kApprove, kRelayCarrier,
            v1::REVISION_VERDICT_APPROVE},
        Try{RevisionStep::kRefuse, kRelayCarrier, v1::REVISION_VERDICT_REFUSE},
        Try{RevisionStep::kWithdraw, kGenerator, v1::REVISION_VERDICT_WITHDRAW},
        Try{RevisionStep::kLapse, "", v1::REVISION_VERDICT_UNSPECIFIED}}) {
    const RevisionTransition* row = nullptr;
    for (const RevisionTransition& r : RevisionStateTable()) {
      if (r.step == t.step) row = &r;
    }
    ASSERT_NE(row, nullptr);
    for (int s = v1::REVISION_STATE_PENDING; s <= v1::REVISION_STATE_WITHDRAWN;
         ++s) {
      v1::Manifest in = m;
      in.mutable_revisions(0)->set_state(static_cast<v1::RevisionState>(s));
      const bool listed =
          std::find(row->from.begin(), row->from.end(), s) != row->from.end();
      bool taken;
      if (t.step == RevisionStep::kLapse) {
        taken = !LapseRevisions(in, At(60 * 24 * 365)).events.empty();
      } else {
        taken = Answer(in, kR1, t.by, t.verdict, At(6), "note").ok();
      }
      EXPECT_EQ(taken, listed)
          << row->verb << " from " << v1::RevisionState_Name(s);
    }
  }
}

TEST_F(RevisionTest, OnlyAnApproverAnswersAndOnlyTheProposerWithdraws) {
  v1::Manifest m = Opened();
  m = Take(m,
           Propose(m, kGenerator, {Change("carrier", kCarrier, kRelayCarrier)},
                   At(5)),
           At(5));
  EXPECT_THAT(Answer(m, kR1, kReceiver, v1::REVISION_VERDICT_APPROVE, At(6)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("not an approver")));
  EXPECT_THAT(Answer(m, kR1, kRegulator, v1::REVISION_VERDICT_APPROVE, At(6)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("needs no regulator")));
  EXPECT_THAT(
      Answer(m, kR1, kRelayCarrier, v1::REVISION_VERDICT_WITHDRAW, At(6)),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("proposer")));
  EXPECT_THAT(
      Answer(m, kR1, kRelayCarrier, v1::REVISION_VERDICT_UNSPECIFIED, At(6)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("verdict")));
  EXPECT_THAT(Answer(m, absl::StrCat(kNumber, "-R2"), kRelayCarrier,
                     v1::REVISION_VERDICT_APPROVE, At(6)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(
      Answer(m, "R1", kRelayCarrier, v1::REVISION_VERDICT_APPROVE, At(6)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("id")));
  m = Take(m, Answer(m, kR1, kGenerator, v1::REVISION_VERDICT_WITHDRAW, At(7)),
           At(7));
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_WITHDRAWN);
}

TEST_F(RevisionTest, EachBadProposalIsRefusedNamingWhatIsWrong) {
  const v1::Manifest m = Opened();
  struct Case {
    std::string by;
    std::vector<v1::FieldChange> changes;
    absl::StatusCode code;
    std::string names;
  };
  const std::vector<Case> cases = {
      {kGenerator,
       {Change("colour", "", "red")},
       absl::StatusCode::kInvalidArgument,
       "changes[0].field"},
      {kGenerator,
       {Change("lines[x].name", "", "a")},
       absl::StatusCode::kInvalidArgument,
       "changes[0].field"},
      {kGenerator,
       {Change("lines[3].name", "", "a")},
       absl::StatusCode::kInvalidArgument,
       "no line 3"},
      {kGenerator,
       {Change("receiver", kAltReceiver, kReceiver)},
       absl::StatusCode::kFailedPrecondition,
       "changes[0].old_value"},
      {kGenerator,
       {Change("receiver", kReceiver, kReceiver)},
       absl::StatusCode::kInvalidArgument,
       "changes[0].new_value"},
      {kGenerator,
       {Change("receiver", kReceiver, kGenerator)},
       absl::StatusCode::kFailedPrecondition,
       "changes[0].new_value"},
      {kGenerator,
       {Change("receiver", kReceiver, "not-a-uscc")},
       absl::StatusCode::kInvalidArgument,
       "changes[0].new_value"},
      {kCarrier,
       {Change("receiver", kReceiver, kAltReceiver)},
       absl::StatusCode::kPermissionDenied,
       "may not propose"},
      {kAltReceiver,
       {Change("lines[0].name", "废矿物油", "废油")},
       absl::StatusCode::kPermissionDenied,
       "by"},
      {kGenerator,
       {Change("lines[0].quantity_g", "1200000", "0")},
       absl::StatusCode::kInvalidArgument,
       "lines[0].quantity_g"},
      {kGenerator,
       {Change("lines[0].quantity_g", "1200000", "1.2t")},
       absl::StatusCode::kInvalidArgument,
       "changes[0].new_value"},
      {kGenerator,
       {Change("lines[0].packaging", "铁桶", "绳子")},
       absl::StatusCode::kInvalidArgument,
       "lines[0].packaging"},
      {kGenerator,
       {Change("lines[0].code", "900-249-08", "999-999-99")},
       absl::StatusCode::kInvalidArgument,
       "lines[0].code"},
      {kGenerator,
       {Change("lines[0].form", "", "PLASMA")},
       absl::StatusCode::kInvalidArgument,
       "changes[0].new_value"},
      {kGenerator,
       {Change("dispatch.contact_mobile", "", "12345")},
       absl::StatusCode::kInvalidArgument,
       "dispatch.contact_mobile"},
      {kGenerator,
       {Change("method", "", "Z9")},
       absl::StatusCode::kInvalidArgument,
       "changes[0].new_value"},
      {kReceiver,
       {Change("received_by", "", "赵")},
       absl::StatusCode::kFailedPrecondition,
       "received_by may change only"},
      {kGenerator,
       {Change("dispatch.contact", "王经理", "李"),
        Change("dispatch.contact", "王经理", "赵")},
       absl::StatusCode::kInvalidArgument,
       "changes[1].field"},
      {kGenerator, {}, absl::StatusCode::kInvalidArgument, "changes"},
      {"",
       {Change("dispatch.contact", "王经理", "李")},
       absl::StatusCode::kInvalidArgument,
       "by"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Propose(m, c.by, c.changes, At(5)),
                StatusIs(c.code, HasSubstr(c.names)))
        << c.names;
  }
  EXPECT_THAT(
      Propose(m, kGenerator, {Change("dispatch.contact", "王经理", "李")},
              At(5), ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
}

TEST_F(RevisionTest, APendingFieldTakesNoSecondRevision) {
  v1::Manifest m = Opened();
  m = Take(m,
           Propose(m, kGenerator, {Change("carrier", kCarrier, kRelayCarrier)},
                   At(5)),
           At(5));
  EXPECT_THAT(Propose(m, kGenerator,
                      {Change("carrier", kCarrier, kRelayCarrier)}, At(6)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("pending revision")));
}

TEST_F(RevisionTest, AfterPickupWhatWasHandedOverNeedsARegulatorToo) {
  v1::Manifest m = PickedUp();
  // The receiver may no longer change once the load is on the road.
  EXPECT_THAT(Propose(m, kGenerator,
                      {Change("receiver", kReceiver, kAltReceiver)}, At(20)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("DRAFT, ISSUED")));
  // The carrier weighed more than declared at the loading bay.
  m = Take(
      m,
      Propose(m, kCarrier,
              {Change("lines[0].quantity_g", "1200000", "1250000")}, At(20)),
      At(20));
  const v1::Revision& r = m.revisions(0);
  EXPECT_THAT(r.approvers(),
              ::testing::UnorderedElementsAre(kGenerator, kReceiver));
  EXPECT_TRUE(r.needs_regulator());
  m = Take(m, Answer(m, kR1, kGenerator, v1::REVISION_VERDICT_APPROVE, At(21)),
           At(21));
  m = Take(m, Answer(m, kR1, kReceiver, v1::REVISION_VERDICT_APPROVE, At(22)),
           At(22));
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_PENDING)
      << "the parties agree; the regulator has not";
  EXPECT_EQ(m.lines(0).quantity_g(), 1200000);
  EXPECT_TRUE(WaitsOnRegulator(m));
  std::vector<v1::InboxItem> office = OfficeWaiting(m, At(23));
  ASSERT_EQ(office.size(), 1u);
  EXPECT_EQ(office[0].task(), v1::InboxItem::TASK_ANSWER_REVISION);
  m = Take(m, Answer(m, kR1, kRegulator, v1::REVISION_VERDICT_APPROVE, At(23)),
           At(23));
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_APPLIED);
  EXPECT_EQ(m.lines(0).quantity_g(), 1250000);
  EXPECT_EQ(m.destinations(0).sent_g(0), 1250000)
      << "what the receiver weighs against follows the correction";
  EXPECT_FALSE(WaitsOnRegulator(m));
}

TEST_F(RevisionTest, TheRegulatorMayApproveFirst) {
  v1::Manifest m = PickedUp();
  m = Take(m,
           Propose(m, kGenerator, {Change("lines[0].package_count", "6", "7")},
                   At(20)),
           At(20));
  m = Take(m, Answer(m, kR1, kRegulator, v1::REVISION_VERDICT_APPROVE, At(21)),
           At(21));
  EXPECT_THAT(
      Answer(m, kR1, "regulator:33", v1::REVISION_VERDICT_APPROVE, At(21)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already")));
  m = Take(m, Answer(m, kR1, kCarrier, v1::REVISION_VERDICT_APPROVE, At(22)),
           At(22));
  m = Take(m, Answer(m, kR1, kReceiver, v1::REVISION_VERDICT_APPROVE, At(23)),
           At(23));
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_APPLIED);
  EXPECT_EQ(m.lines(0).package_count(), 7);
}

TEST_F(RevisionTest, AnUnansweredRevisionLapses) {
  v1::Manifest m = Opened();
  m = Take(m,
           Propose(m, kGenerator, {Change("carrier", kCarrier, kRelayCarrier)},
                   At(5)),
           At(5));
  // Five working days from Wednesday 2026-06-03: the end of Wednesday
  // 2026-06-10.
  const absl::Time lapse = FromTimestamp(m.revisions(0).lapses_at());
  EXPECT_EQ(lapse, absl::FromCivil(absl::CivilSecond(2026, 6, 11, 0, 0, 0),
                                   absl::FixedTimeZone(8 * 3600)));
  EXPECT_THAT(RevisionLapses(m), ElementsAre(lapse));
  EXPECT_THAT(LapseRevisions(m, lapse - absl::Seconds(1)).events, IsEmpty());
  EXPECT_THAT(
      Answer(m, kR1, kRelayCarrier, v1::REVISION_VERDICT_APPROVE, lapse),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("lapsed")));
  m = Take(m, LapseRevisions(m, lapse), lapse);
  EXPECT_EQ(m.revisions(0).state(), v1::REVISION_STATE_LAPSED);
  EXPECT_EQ(m.carrier(), kCarrier);
  EXPECT_THAT(RevisionLapses(m), IsEmpty());
  // The field is free for a new proposal.
  m = Take(m,
           Propose(m, kGenerator, {Change("carrier", kCarrier, kRelayCarrier)},
                   lapse),
           lapse);
  EXPECT_EQ(m.revisions(1).state(), v1::REVISION_STATE_PENDING);
}

// Proposed when its five working days run into a year the calendar does
// not hold: refused, naming the year, rather than given a guessed lapse.
TEST_F(RevisionTest, AProposalWhoseLapseCannotBeDatedIsRefused) {
  const v1::Manifest m = Opened();
  const absl::Time late_december = absl::FromCivil(
      absl::CivilSecond(2026, 12, 28, 10, 0, 0), absl::FixedTimeZone(8 * 3600));
  EXPECT_THAT(
      Propose(m, kGenerator, {Change("carrier", kCarrier, kRelayCarrier)},
              late_december),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("no 2027"), HasSubstr("--calendar"))));
}

TEST_F(RevisionTest, ARevisionThatNoLongerFitsIsNotApplied) {
  v1::Manifest m = Opened();
  m = Take(m,
           Propose(m, kGenerator, {Change("carrier", kCarrier, kRelayCarrier)},
                   At(5)),
           At(5));
  v1::PickupRequest pickup;
  *pickup.mutable_meta() = Meta("pickup");
  pickup.set_number(kNumber);
  pickup.set_carrier(kCarrier);
  pickup.set_vehicle(kCarrierPlate);
  m = Take(m, DecidePickup(m, pickup, registry_, At(10)), At(10));
  EXPECT_THAT(
      Answer(m, kR1, kRelayCarrier, v1::REVISION_VERDICT_APPROVE, At(11)),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("can no longer apply")));
}

TEST_F(RevisionTest, ARevisedReceiverMakesTheLoadCrossCityAndBack) {
  v1::Manifest m = Opened(/*draft=*/true);
  EXPECT_THAT(m.flags(), IsEmpty()) << "嘉兴 to 海宁 stays in the city";
  m = Take(m,
           Propose(m, kGenerator, {Change("receiver", kReceiver, kAltReceiver)},
                   At(5)),
           At(5));
  ASSERT_EQ(m.flags_size(), 1);
  EXPECT_EQ(m.flags(0).kind(), v1::FLAG_KIND_CROSS_CITY);
  EXPECT_EQ(m.flags(0).destination_city(), "3301");
  // Corrected back: the flag is cleared, and none is raised in its place.
  v1::FieldChange back = Change("receiver", kAltReceiver, kReceiver);
  m = Take(m, Propose(m, kGenerator, {back}, At(6)), At(6));
  ASSERT_EQ(m.flags_size(), 1);
  EXPECT_EQ(m.flags(0).state(), v1::FLAG_STATE_CLEARED);
  // And there again: raised anew.
  m = Take(m,
           Propose(m, kGenerator, {Change("receiver", kReceiver, kAltReceiver)},
                   At(7)),
           At(7));
  ASSERT_EQ(m.flags_size(), 2);
  EXPECT_EQ(m.flags(1).kind(), v1::FLAG_KIND_CROSS_CITY);
  EXPECT_EQ(m.flags(1).state(), v1::FLAG_STATE_OPEN);
}

TEST_F(RevisionTest, AFlagThatStillHoldsStandsThroughARevision) {
  v1::Manifest m = Opened(/*draft=*/true);
  m = Take(m,
           Propose(m, kGenerator, {Change("receiver", kReceiver, kAltReceiver)},
                   At(5)),
           At(5));
  ASSERT_EQ(m.flags_size(), 1);
  const std::string flag = m.flags(0).id();
  // A lighter load to the same receiver: still cross-city, the same flag.
  m = Take(
      m,
      Propose(m, kGenerator,
              {Change("lines[0].quantity_g", "1200000", "1100000")}, At(6)),
      At(6));
  EXPECT_EQ(m.destinations(0).sent_g(0), 1100000);
  ASSERT_EQ(m.flags_size(), 1);
  EXPECT_EQ(m.flags(0).id(), flag);
  EXPECT_EQ(m.flags(0).state(), v1::FLAG_STATE_OPEN);
}

TEST_F(RevisionTest, TheGeneratorVoidsBeforePickupARegulatorAfter) {
  v1::VoidManifestRequest v;
  *v.mutable_meta() = Meta("void");
  v.set_number(kNumber);
  v.set_by(kGenerator);
  v1::Manifest m = Opened();
  EXPECT_THAT(
      DecideVoid(m, v, At(5)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  v.set_reason("重复开具");
  v1::VoidManifestRequest as_carrier = v;
  as_carrier.set_by(kCarrier);
  EXPECT_THAT(DecideVoid(m, as_carrier, At(5)),
              StatusIs(absl::StatusCode::kPermissionDenied));
  v1::Manifest voided = Take(m, DecideVoid(m, v, At(5)), At(5));
  EXPECT_EQ(voided.status(), v1::MANIFEST_STATUS_VOIDED);
  EXPECT_EQ(voided.void_reason(), "重复开具");
  EXPECT_EQ(voided.voided_by(), kGenerator);
  EXPECT_THAT(Waiting(voided, kCarrier, config_, At(6)), IsEmpty());

  events_.clear();
  m = PickedUp();
  EXPECT_THAT(DecideVoid(m, v, At(20)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("only a regulator")));
  v.set_by(kRegulator);
  m = Take(m, DecideVoid(m, v, At(20)), At(20));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_VOIDED);
  EXPECT_THAT(
      DecideVoid(m, v, At(21)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("VOIDED")));
}

TEST_F(RevisionTest, AClosedManifestIsNotVoided) {
  v1::Manifest m = Opened();
  m.set_status(v1::MANIFEST_STATUS_CLOSED);
  v1::VoidManifestRequest v;
  v.set_number(kNumber);
  v.set_by(kRegulator);
  v.set_reason("x");
  EXPECT_THAT(DecideVoid(m, v, At(5)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("已完结联单不可作废")));
}

TEST_F(RevisionTest, AReturnIsFixedByRevisionAndConfirmed) {
  v1::Manifest m = Opened();
  v1::ReturnManifestRequest ret;
  *ret.mutable_meta() = Meta("return");
  ret.set_number(kNumber);
  ret.set_by(kGenerator);
  ret.set_note("应急电话未填");
  EXPECT_THAT(DecideReturn(m, ret, At(5)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("not a regulator")));
  ret.set_by(kRegulator);
  m = Take(m, DecideReturn(m, ret, At(5)), At(5));
  ASSERT_EQ(m.returns_size(), 1);
  EXPECT_EQ(m.returns(0).note(), "应急电话未填");
  EXPECT_THAT(DecideReturn(m, ret, At(6)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not confirmed")));
  // The generator sees it, not silently.
  std::vector<v1::InboxItem> inbox = Waiting(m, kGenerator, config_, At(6));
  ASSERT_FALSE(inbox.empty());
  EXPECT_EQ(inbox[0].task(), v1::InboxItem::TASK_FIX_RETURN);
  EXPECT_THAT(inbox[0].detail(), HasSubstr("应急电话未填"));
  EXPECT_FALSE(WaitsOnRegulator(m)) << "nothing to confirm before a fix";

  m = Take(m,
           Propose(m, kGenerator,
                   {Change("dispatch.emergency_phone", "", "0573-82345678")},
                   At(7), "补填应急电话"),
           At(7));
  EXPECT_EQ(m.dispatch().emergency_phone(), "0573-82345678");
  EXPECT_EQ(m.returns(0).fixed_by(), kR1);
  EXPECT_TRUE(WaitsOnRegulator(m));
  std::vector<v1::InboxItem> office = OfficeWaiting(m, At(8));
  ASSERT_EQ(office.size(), 1u);
  EXPECT_EQ(office[0].task(), v1::InboxItem::TASK_CONFIRM_RETURN);

  v1::ConfirmReturnRequest confirm;
  *confirm.mutable_meta() = Meta("confirm");
  confirm.set_number(kNumber);
  confirm.set_by(kRegulator);
  m = Take(m, DecideConfirmReturn(m, confirm, At(8)), At(8));
  EXPECT_TRUE(m.returns(0).confirmed());
  EXPECT_FALSE(WaitsOnRegulator(m));
  EXPECT_THAT(
      DecideConfirmReturn(m, confirm, At(9)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no return")));
}

}  // namespace
}  // namespace cradle::domain
