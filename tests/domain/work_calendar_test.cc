#include "domain/work_calendar.h"

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/flags/flag_config.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

using Day = absl::CivilDay;

bool Working(Day day) { return WorkCalendar::Builtin().IsWorkingDay(day); }

absl::Time China(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), ChinaTime());
}

TEST(WorkCalendarTest, WeekendsAreRestDays) {
  EXPECT_TRUE(Working(Day(2026, 6, 5)));   // Friday
  EXPECT_FALSE(Working(Day(2026, 6, 6)));  // Saturday
  EXPECT_FALSE(Working(Day(2026, 6, 7)));  // Sunday
  EXPECT_TRUE(Working(Day(2026, 6, 8)));   // Monday
}

TEST(WorkCalendarTest, HoldsEveryYearPublishedFrom2004) {
  const WorkCalendar& cal = WorkCalendar::Builtin();
  std::set<int> years;
  for (int y = 2004; y <= 2026; ++y) years.insert(y);
  EXPECT_EQ(cal.years(), years);
  EXPECT_TRUE(cal.Covers(Day(2004, 1, 1)));
  EXPECT_TRUE(cal.Covers(Day(2026, 12, 31)));
  EXPECT_FALSE(cal.Covers(Day(2027, 1, 1)));
  EXPECT_FALSE(cal.Covers(Day(2003, 12, 31)));
}

// A few days of each recent year, against the State Council's notices.
TEST(WorkCalendarTest, RecentYearsFollowTheirNotices) {
  // 2025: the Spring Festival 01-28..02-04, with Sunday 01-26 and Saturday
  // 02-08 worked; Labour Day 05-01..05-05 with Sunday 04-27 worked.
  EXPECT_TRUE(Working(Day(2025, 1, 26)));
  EXPECT_FALSE(Working(Day(2025, 1, 28)));
  EXPECT_FALSE(Working(Day(2025, 2, 4)));
  EXPECT_TRUE(Working(Day(2025, 2, 5)));
  EXPECT_TRUE(Working(Day(2025, 2, 8)));
  EXPECT_TRUE(Working(Day(2025, 4, 27)));
  EXPECT_FALSE(Working(Day(2025, 5, 5)));
  EXPECT_FALSE(Working(Day(2025, 10, 8)));
  EXPECT_TRUE(Working(Day(2025, 10, 11)));
  // 2024: the Spring Festival 02-10..02-17, Sundays 02-04 and 02-18 worked.
  EXPECT_TRUE(Working(Day(2024, 2, 4)));
  EXPECT_FALSE(Working(Day(2024, 2, 16)));
  EXPECT_TRUE(Working(Day(2024, 2, 18)));
  // 2023: 01-02 off (New Year on a Sunday); 01-28 and 01-29 worked.
  EXPECT_FALSE(Working(Day(2023, 1, 2)));
  EXPECT_TRUE(Working(Day(2023, 1, 28)));
  EXPECT_TRUE(Working(Day(2023, 1, 29)));
}

TEST(WorkCalendarTest, NationalDayIsOffAndItsMakeUpDaysAreWorked) {
  for (int d = 1; d <= 7; ++d) {
    EXPECT_FALSE(Working(Day(2026, 10, d))) << "2026-10-0" << d;
  }
  EXPECT_TRUE(Working(Day(2026, 9, 30)));
  EXPECT_TRUE(Working(Day(2026, 10, 8)));
  EXPECT_TRUE(Working(Day(2026, 10, 10)));  // Saturday worked
  EXPECT_FALSE(Working(Day(2026, 10, 11)));
  EXPECT_TRUE(Working(Day(2026, 9, 20)));   // Sunday worked
  EXPECT_FALSE(Working(Day(2026, 9, 25)));  // Mid-Autumn, a Friday
}

TEST(WorkCalendarTest, SpringFestivalAndNewYear2026) {
  EXPECT_TRUE(Working(Day(2026, 2, 14)));  // Saturday worked
  EXPECT_FALSE(Working(Day(2026, 2, 15)));
  for (int d = 16; d <= 20; ++d) EXPECT_FALSE(Working(Day(2026, 2, d))) << d;
  EXPECT_FALSE(Working(Day(2026, 2, 23)));  // a Monday off
  EXPECT_TRUE(Working(Day(2026, 2, 24)));
  EXPECT_TRUE(Working(Day(2026, 2, 28)));  // Saturday worked
  EXPECT_FALSE(Working(Day(2026, 1, 1)));
  EXPECT_FALSE(Working(Day(2026, 1, 2)));
  EXPECT_TRUE(Working(Day(2026, 1, 4)));  // Sunday worked
}

absl::CivilDay Add(const WorkCalendar& cal, Day day, int n) {
  absl::StatusOr<absl::CivilDay> got = cal.AddWorkingDays(day, n);
  EXPECT_TRUE(got.ok()) << got.status();
  return got.value_or(Day(1970, 1, 1));
}

TEST(WorkCalendarTest, AddWorkingDaysDoesNotCountTheStartDay) {
  const WorkCalendar& cal = WorkCalendar::Builtin();
  EXPECT_EQ(Add(cal, Day(2026, 6, 8), 1), Day(2026, 6, 9));
  EXPECT_EQ(Add(cal, Day(2026, 6, 5), 1), Day(2026, 6, 8));
  EXPECT_EQ(Add(cal, Day(2026, 6, 6), 1), Day(2026, 6, 8));
}

TEST(WorkCalendarTest, AddWorkingDaysAcrossNationalDay) {
  const WorkCalendar& cal = WorkCalendar::Builtin();
  // From Wednesday 09-30: 10-08 (1), 10-09 (2), Saturday 10-10 (3),
  // 10-12 (4), 10-13 (5).
  EXPECT_EQ(Add(cal, Day(2026, 9, 30), 1), Day(2026, 10, 8));
  EXPECT_EQ(Add(cal, Day(2026, 9, 30), 3), Day(2026, 10, 10));
  EXPECT_EQ(Add(cal, Day(2026, 9, 30), 4), Day(2026, 10, 12));
  EXPECT_EQ(Add(cal, Day(2026, 9, 30), 5), Day(2026, 10, 13));
  // From Saturday 09-19 the Sunday after is worked.
  EXPECT_EQ(Add(cal, Day(2026, 9, 19), 1), Day(2026, 9, 20));
}

TEST(WorkCalendarTest, AddWorkingDaysAcrossSpringFestival) {
  const WorkCalendar& cal = WorkCalendar::Builtin();
  EXPECT_EQ(Add(cal, Day(2026, 2, 13), 1), Day(2026, 2, 14));
  EXPECT_EQ(Add(cal, Day(2026, 2, 13), 2), Day(2026, 2, 24));
  EXPECT_EQ(Add(cal, Day(2026, 2, 24), 4), Day(2026, 2, 28));
  EXPECT_EQ(Add(cal, Day(2026, 2, 24), 5), Day(2026, 3, 2));
  EXPECT_EQ(Add(cal, Day(2025, 12, 31), 1), Day(2026, 1, 4));
}

// Past the last year held: refused, naming the year to add, not guessed
// by the weekend rule.
TEST(WorkCalendarTest, AddWorkingDaysRefusesToRunIntoAYearItDoesNotHold) {
  const WorkCalendar& cal = WorkCalendar::Builtin();
  EXPECT_EQ(Add(cal, Day(2026, 12, 24), 5), Day(2026, 12, 31));
  EXPECT_THAT(cal.AddWorkingDays(Day(2026, 12, 24), 6),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("no 2027"), HasSubstr("2004-2026"),
                             HasSubstr("--calendar"))));
  EXPECT_THAT(
      cal.AddWorkingDays(Day(2003, 12, 20), 1),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no 2003")));
}

TEST(WorkCalendarTest, ParseReadsWholeYearsAndComments) {
  absl::StatusOr<WorkCalendar> cal = WorkCalendar::Parse(
      "# test calendar\n"
      "\n"
      "year 2027\n"
      "holiday 2027-10-01   # National Day, a Friday\r\n"
      "  workday 2027-10-09\n"
      "holiday 2027-10-02\n");  // a Saturday: a rest day anyway
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_EQ(cal->years(), std::set<int>{2027});
  EXPECT_FALSE(cal->IsWorkingDay(Day(2027, 10, 1)));
  EXPECT_FALSE(cal->IsWorkingDay(Day(2027, 10, 2)));
  EXPECT_TRUE(cal->IsWorkingDay(Day(2027, 10, 9)));  // Saturday
  EXPECT_TRUE(cal->IsWorkingDay(Day(2027, 10, 4)));
  EXPECT_FALSE(cal->IsWorkingDay(Day(2027, 10, 10)));
  EXPECT_EQ(Add(*cal, Day(2027, 9, 30), 1), Day(2027, 10, 4));
  // Nothing of the built-in 2026 schedule: not held at all.
  EXPECT_FALSE(cal->Covers(Day(2026, 10, 1)));
}

// An operator adds the year the State Council has just published.
TEST(WorkCalendarTest, AFileAddsItsYearsAndReplacesTheOnesItRepeats) {
  absl::StatusOr<WorkCalendar> file = WorkCalendar::Parse(
      "year 2027\nholiday 2027-01-01\n"
      "year 2026\nholiday 2026-06-03\n");  // 2026 as the file says
  ASSERT_TRUE(file.ok()) << file.status();
  WorkCalendar cal = WorkCalendar::Builtin();
  cal.Add(*file);
  EXPECT_TRUE(cal.Covers(Day(2027, 6, 1)));
  EXPECT_TRUE(cal.Covers(Day(2004, 6, 1)));
  EXPECT_FALSE(cal.IsWorkingDay(Day(2027, 1, 1)));
  EXPECT_EQ(Add(cal, Day(2026, 12, 24), 6), Day(2027, 1, 4));
  EXPECT_FALSE(cal.IsWorkingDay(Day(2026, 6, 3)));
  // The built-in 2026 is gone whole: National Day is the file's to say.
  EXPECT_TRUE(cal.IsWorkingDay(Day(2026, 10, 1)));
  EXPECT_FALSE(WorkCalendar::Builtin().IsWorkingDay(Day(2026, 10, 1)));
}

TEST(WorkCalendarTest, ParseErrorNamesTheLine) {
  EXPECT_THAT(WorkCalendar::Parse("# ok\nyear 2026\nholiday 2026-10-01\n"
                                  "holliday 2026-10-02\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 4"), HasSubstr("holliday"))));
  for (const char* bad :
       {"year 2026\nholiday 2026-10-1\n", "year 2026\nholiday 2026-13-01\n",
        "year 2026\nholiday\n", "year 2026\nholiday 2026-10-01 2026-10-02\n",
        "year 2026\nyear 26\n", "year 2026\nyear 2026\n"}) {
    EXPECT_THAT(
        WorkCalendar::Parse(bad),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 2")))
        << bad;
  }
}

// A day of a year the file does not declare would make that year look
// held, with its holidays missing.
TEST(WorkCalendarTest, ParseRefusesADayOfAYearNotDeclared) {
  EXPECT_THAT(WorkCalendar::Parse("year 2027\nholiday 2027-01-01\n"
                                  "holiday 2028-01-03\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 3"), HasSubstr("2028-01-03"),
                             HasSubstr("year 2028"))));
}

TEST(WorkCalendarTest, ParseRefusesAWorkdayOnAWeekday) {
  EXPECT_THAT(WorkCalendar::Parse(
                  "year 2026\nholiday 2026-10-01\nworkday 2026-10-09\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 3"), HasSubstr("2026-10-09"),
                             HasSubstr("weekday"))));
}

TEST(WorkCalendarTest, AServerIsWarnedOfAMissingYear) {
  // A calendar of its own, so the test holds whatever years data/ gains.
  absl::StatusOr<WorkCalendar> cal = WorkCalendar::Parse("year 2026\n");
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_EQ(cal->MissingYearWarning(China(2026, 10, 31, 23)), "");
  // From November, the next year's schedule is due.
  EXPECT_THAT(cal->MissingYearWarning(China(2026, 11, 1)),
              AllOf(HasSubstr("no 2027:"), HasSubstr("--calendar")));
  // New Year's Day in China (still 12-31 in UTC): this year is missing,
  // and what waits for it is said.
  EXPECT_THAT(cal->MissingYearWarning(China(2027, 1, 1)),
              AllOf(HasSubstr("no 2027, this year"), HasSubstr("--calendar"),
                    HasSubstr("no limit in working days is dated")));
  absl::StatusOr<WorkCalendar> year = WorkCalendar::Parse("year 2027\n");
  ASSERT_TRUE(year.ok()) << year.status();
  WorkCalendar added = *cal;
  added.Add(*year);
  EXPECT_EQ(added.MissingYearWarning(China(2026, 12, 3)), "");
  EXPECT_EQ(added.MissingYearWarning(China(2027, 1, 1)), "");
}

TEST(WorkCalendarTest, ChinaTimeIsUtcPlusEight) {
  EXPECT_EQ(China(2026, 1, 1),
            absl::FromCivil(absl::CivilSecond(2025, 12, 31, 16, 0, 0),
                            absl::UTCTimeZone()));
  // No daylight saving time: the same offset in summer.
  EXPECT_EQ(China(2026, 7, 1),
            absl::FromCivil(absl::CivilSecond(2026, 6, 30, 16, 0, 0),
                            absl::UTCTimeZone()));
}

// ---------------------------------------------------------------------------
// Limits.

TEST(FlagLimitTest, DueAfterWorkingDaysEndsWithTheLastDayInChina) {
  const Limit five{absl::ZeroDuration(), 5};
  // Delivered Wednesday 2026-09-30 at 15:00: due at the end of 10-13.
  EXPECT_EQ(*DueAfter(China(2026, 9, 30, 15), five, WorkCalendar::Builtin()),
            China(2026, 10, 14));
  // The time of day does not matter, only the date.
  EXPECT_EQ(*DueAfter(China(2026, 9, 30, 0, 1), five, WorkCalendar::Builtin()),
            China(2026, 10, 14));
}

TEST(FlagLimitTest, DueAfterCountsFromTheDateInChina) {
  const Limit one{absl::ZeroDuration(), 1};
  // 2026-10-09 16:30 UTC is Saturday 10-10 00:30 in China (a working day);
  // the next working day is Monday 10-12.
  const absl::Time start = absl::FromCivil(
      absl::CivilSecond(2026, 10, 9, 16, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(*DueAfter(start, one, WorkCalendar::Builtin()),
            China(2026, 10, 13));
}

TEST(FlagLimitTest, DueAfterUsesTheCalendarItIsGiven) {
  absl::StatusOr<WorkCalendar> cal =
      WorkCalendar::Parse("year 2026\nholiday 2026-06-04");
  ASSERT_TRUE(cal.ok()) << cal.status();
  const Limit one{absl::ZeroDuration(), 1};
  EXPECT_EQ(*DueAfter(China(2026, 6, 3, 10), one, *cal), China(2026, 6, 6));
  EXPECT_EQ(*DueAfter(China(2026, 6, 3, 10), one, WorkCalendar::Builtin()),
            China(2026, 6, 5));
}

TEST(FlagLimitTest, DueAfterRunningIntoAYearNotHeldIsRefused) {
  const Limit five{absl::ZeroDuration(), 5};
  EXPECT_EQ(*DueAfter(China(2026, 12, 23, 10), five, WorkCalendar::Builtin()),
            China(2026, 12, 31));
  EXPECT_THAT(
      DueAfter(China(2026, 12, 28, 10), five, WorkCalendar::Builtin()),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no 2027")));
  // A duration needs no calendar.
  EXPECT_TRUE(DueAfter(China(2026, 12, 28, 10), Limit{absl::Hours(72), 0},
                       WorkCalendar::Builtin())
                  .ok());
}

TEST(FlagLimitTest, DueAfterAddsADuration) {
  const absl::Time start = China(2026, 9, 30, 15);
  EXPECT_EQ(
      *DueAfter(start, Limit{absl::Hours(72), 0}, WorkCalendar::Builtin()),
      start + absl::Hours(72));
  EXPECT_EQ(
      *DueAfter(start, Limit{absl::Minutes(90), 0}, WorkCalendar::Builtin()),
      China(2026, 9, 30, 16, 30));
}

TEST(FlagLimitTest, DefaultsFollowTheRules) {
  const FlagConfig config;
  EXPECT_EQ(config.transit.duration, absl::Hours(72));
  EXPECT_EQ(config.receipt.working_days, 5);
  EXPECT_EQ(config.disposal.duration, absl::Hours(24 * 30));
  EXPECT_EQ(config.backfill.working_days, 10);
  EXPECT_EQ(config.quantity_tolerance_bp, 500);
  EXPECT_EQ(config.calendar, &WorkCalendar::Builtin());
}

TEST(ParseLimitTest, AcceptsDurationsDaysAndWorkingDays) {
  absl::StatusOr<Limit> l = ParseLimit("--transit-limit", "72h");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->duration, absl::Hours(72));
  EXPECT_EQ(l->working_days, 0);

  l = ParseLimit("--transit-limit", "90m");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->duration, absl::Minutes(90));

  l = ParseLimit("--disposal-limit", "30d");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->duration, absl::Hours(24 * 30));
  EXPECT_EQ(l->working_days, 0);

  l = ParseLimit("--receipt-limit", "5wd");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->working_days, 5);
  EXPECT_EQ(l->duration, absl::ZeroDuration());
}

TEST(ParseLimitTest, RefusesWhatIsNotAPositiveLimitNamingTheFlag) {
  for (const char* text :
       {"0h", "-1h", "5x", "wd", "", "0wd", "-2wd", "0d", "d", "1.5wd"}) {
    EXPECT_THAT(ParseLimit("--transit-limit", text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("--transit-limit"),
                               HasSubstr(absl::StrCat("\"", text, "\"")))))
        << "\"" << text << "\"";
  }
}

}  // namespace
}  // namespace cradle::domain
