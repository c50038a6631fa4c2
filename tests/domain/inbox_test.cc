#include "domain/inbox.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"

namespace cradle::domain {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Task = v1::InboxItem::Task;

constexpr char kGen[] = "G";
constexpr char kCar[] = "C";
constexpr char kRec[] = "R";

// `day` of June 2026 at `hour`, China time. June 1st is a Monday; the
// Dragon Boat holiday is the 19th.
absl::Time June(int day, int hour = 10) {
  return absl::FromCivil(absl::CivilSecond(2026, 6, day, hour, 0, 0),
                         ChinaTime());
}

v1::Manifest Manifest(v1::ManifestStatus status) {
  v1::Manifest m;
  m.set_number("20263304000001");
  m.set_status(status);
  m.set_generator(kGen);
  m.set_carrier(kCar);
  m.set_receiver(kRec);
  *m.mutable_opened_at() = ToTimestamp(June(1, 8));
  v1::Destination* d = m.add_destinations();
  d->set_receiver(kRec);
  d->add_sent_g(1250000);
  d->add_received_g(0);
  d->add_accepted_g(0);
  d->add_rejected_g(0);
  d->add_disposed_g(0);
  return m;
}

std::vector<Task> Tasks(const v1::Manifest& m, const std::string& party,
                        absl::Time now = June(1)) {
  std::vector<Task> out;
  for (const v1::InboxItem& i : Waiting(m, party, FlagConfig(), now)) {
    out.push_back(i.task());
  }
  return out;
}

TEST(InboxTest, EachStepWaitsOnTheOnePartyThatTakesIt) {
  const v1::Manifest draft = Manifest(v1::MANIFEST_STATUS_DRAFT);
  EXPECT_THAT(Tasks(draft, kGen), ElementsAre(v1::InboxItem::TASK_ISSUE));
  EXPECT_THAT(Tasks(draft, kCar), IsEmpty());
  const v1::Manifest issued = Manifest(v1::MANIFEST_STATUS_ISSUED);
  EXPECT_THAT(Tasks(issued, kCar), ElementsAre(v1::InboxItem::TASK_PICKUP));
  EXPECT_THAT(Tasks(issued, kGen), IsEmpty());
  EXPECT_THAT(Tasks(issued, kRec), IsEmpty());
  EXPECT_THAT(Tasks(issued, "someone else"), IsEmpty());
  for (v1::ManifestStatus done :
       {v1::MANIFEST_STATUS_CLOSED, v1::MANIFEST_STATUS_CANCELLED}) {
    for (const char* p : {kGen, kCar, kRec}) {
      EXPECT_THAT(Tasks(Manifest(done), p), IsEmpty());
    }
  }
}

TEST(InboxTest, ALoadOnTheRoadIsDueWithinTheTransitLimit) {
  v1::Manifest m = Manifest(v1::MANIFEST_STATUS_IN_TRANSIT);
  *m.mutable_destinations(0)->mutable_sent_at() = ToTimestamp(June(1));
  std::vector<v1::InboxItem> items = Waiting(m, kCar, FlagConfig(), June(2));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].task(), v1::InboxItem::TASK_DELIVER);
  EXPECT_EQ(FromTimestamp(items[0].due_at()), June(4));  // 72 h
  EXPECT_FALSE(items[0].overdue());
  EXPECT_EQ(items[0].working_days_left(), 0);  // a limit in hours
  EXPECT_THAT(items[0].detail(), HasSubstr("1.25t on the road to R"));
  items = Waiting(m, kCar, FlagConfig(), June(4, 11));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].overdue());
}

TEST(InboxTest, AReceiptCountsItsWorkingDaysLeft) {
  v1::Manifest m = Manifest(v1::MANIFEST_STATUS_DELIVERED);
  m.mutable_destinations(0)->set_delivered(true);
  *m.mutable_destinations(0)->mutable_delivered_at() = ToTimestamp(June(1));
  struct Case {
    absl::Time now;
    int left;
    bool overdue;
  };
  // Five working days after Monday the 1st: the 2nd..5th and Monday the 8th.
  for (const Case& c : {Case{June(1), 5, false}, Case{June(5), 1, false},
                        Case{June(6), 1, false}, Case{June(8, 23), 0, false},
                        Case{June(9), 0, true}}) {
    const std::vector<v1::InboxItem> items =
        Waiting(m, kRec, FlagConfig(), c.now);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].task(), v1::InboxItem::TASK_RECEIVE);
    EXPECT_EQ(items[0].working_days_left(), c.left) << absl::FormatTime(c.now);
    EXPECT_EQ(items[0].overdue(), c.overdue) << absl::FormatTime(c.now);
  }
  EXPECT_THAT(Tasks(m, kCar), IsEmpty());
}

// A receipt due in a year the calendar does not hold: no date is shown
// rather than a guessed one, and the detail says why.
TEST(InboxTest, AReceiptDueInAYearTheCalendarLacksShowsNoGuessedDate) {
  v1::Manifest m = Manifest(v1::MANIFEST_STATUS_DELIVERED);
  m.mutable_destinations(0)->set_delivered(true);
  const absl::Time delivered =
      absl::FromCivil(absl::CivilSecond(2026, 12, 28, 15, 0, 0), ChinaTime());
  *m.mutable_destinations(0)->mutable_delivered_at() = ToTimestamp(delivered);
  const std::vector<v1::InboxItem> items =
      Waiting(m, kRec, FlagConfig(), delivered + absl::Hours(1));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].task(), v1::InboxItem::TASK_RECEIVE);
  EXPECT_FALSE(items[0].has_due_at());
  EXPECT_FALSE(items[0].overdue());
  EXPECT_THAT(items[0].detail(),
              AllOf(HasSubstr("due date unknown"), HasSubstr("no 2027")));
}

TEST(InboxTest, ARejectedPartWaitsOnTheGeneratorAndTheAcceptedOnTheReceiver) {
  v1::Manifest m = Manifest(v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED);
  v1::Destination* d = m.mutable_destinations(0);
  d->set_delivered(true);
  d->set_received(true);
  *d->mutable_received_at() = ToTimestamp(June(2));
  d->set_received_g(0, 1250000);
  d->set_accepted_g(0, 1000000);
  d->set_rejected_g(0, 250000);
  EXPECT_THAT(Tasks(m, kGen), ElementsAre(v1::InboxItem::TASK_REROUTE));
  const std::vector<v1::InboxItem> owed =
      Waiting(m, kRec, FlagConfig(), June(3));
  ASSERT_EQ(owed.size(), 1u);
  EXPECT_EQ(owed[0].task(), v1::InboxItem::TASK_DISPOSE);
  EXPECT_EQ(FromTimestamp(owed[0].due_at()), June(2) + absl::Hours(24 * 30));
  EXPECT_THAT(owed[0].detail(), HasSubstr("1t accepted"));
  // Disposed of: nothing more is owed.
  d->set_disposed_g(0, 1000000);
  EXPECT_THAT(Tasks(m, kRec), IsEmpty());
}

// A collector's receipt ends the leg in its stock (docs/COLLECTION.md): it
// owes no disposal on the small generator's manifest, which is closed.
TEST(InboxTest, ACollectorOwesNoDisposalOfWhatItCollected) {
  v1::Manifest m = Manifest(v1::MANIFEST_STATUS_CLOSED);
  v1::Destination* d = m.mutable_destinations(0);
  d->set_delivered(true);
  d->set_received(true);
  d->set_collected(true);
  *d->mutable_received_at() = ToTimestamp(June(2));
  d->set_received_g(0, 1250000);
  d->set_accepted_g(0, 1250000);
  EXPECT_THAT(Tasks(m, kRec), IsEmpty());
  EXPECT_THAT(Tasks(m, kGen), IsEmpty());
}

TEST(InboxTest, AnOpenFlagIsATaskOfTheOfficeThatAnswersIt) {
  v1::Flag f;
  f.set_id("20263304000001-F1");
  f.set_manifest("20263304000001");
  f.set_kind(v1::FLAG_KIND_CROSS_CITY);
  f.set_severity(v1::SEVERITY_HIGH);
  f.set_detail("from 嘉兴市 to 杭州市");
  *f.mutable_raised_at() = ToTimestamp(June(1));
  const v1::InboxItem item = FlagToAnswer(f);
  EXPECT_EQ(item.task(), v1::InboxItem::TASK_ANSWER_FLAG);
  EXPECT_EQ(item.number(), "20263304000001");
  EXPECT_EQ(item.flag(), "20263304000001-F1");
  EXPECT_EQ(item.detail(), "CROSS_CITY HIGH: from 嘉兴市 to 杭州市");
  EXPECT_EQ(FromTimestamp(item.since()), June(1));
  EXPECT_FALSE(item.has_due_at());
}

}  // namespace
}  // namespace cradle::domain
