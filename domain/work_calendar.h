#pragma once

// Working days: weekends, public holidays and the make-up working days of
// China's holiday schedule (data/cn-workdays.txt), year by year. A year the
// calendar does not hold is not guessed: a count of working days that runs
// into it is refused, naming the year to add.

#include <set>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace cradle::domain {

// China Standard Time: UTC+8 all year. Dates of deadlines are counted in it.
absl::TimeZone ChinaTime();

class WorkCalendar {
 public:
  // Lines "year YYYY" (the lines after it give that year's whole
  // schedule), "holiday YYYY-MM-DD" and "workday YYYY-MM-DD" of a year
  // declared above; '#' starts a comment. The error names the line.
  static absl::StatusOr<WorkCalendar> Parse(absl::string_view text);
  // data/cn-workdays.txt, compiled in.
  static const WorkCalendar& Builtin();

  // The years of `more` added, each replacing the same year here (an
  // operator's file, cradled --calendar).
  void Add(const WorkCalendar& more);

  const std::set<int>& years() const { return years_; }
  bool Covers(absl::CivilDay day) const;

  // Whether `day` is worked. A day of a year the calendar does not hold is
  // judged by the weekend rule alone: callers that must not guess ask
  // Covers first (AddWorkingDays does).
  bool IsWorkingDay(absl::CivilDay day) const;
  // The n-th working day after `day` (n >= 1); `day` itself does not
  // count. FAILED_PRECONDITION, naming the year to add, when the count
  // runs into a year the calendar does not hold.
  absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay day,
                                                int n) const;

  // What a server counting working days at `now` (China time) must be
  // told, or empty: that the calendar does not hold this year (no limit in
  // working days can be dated until it is added), or, from November on,
  // that it does not hold the next one. Said, never refused: manifests
  // keep moving on 1 January when a schedule is published late; only the
  // deadlines wait, each named by the sweeper.
  std::string MissingYearWarning(absl::Time now) const;

 private:
  std::set<int> years_;                           // the years held
  absl::flat_hash_set<absl::CivilDay> holidays_;  // weekdays off
  absl::flat_hash_set<absl::CivilDay> workdays_;  // weekend days worked
};

}  // namespace cradle::domain
