#pragma once

// Working days: weekends, public holidays and the make-up working days of
// China's holiday schedule (data/cn-workdays.txt).

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
  // Lines "holiday YYYY-MM-DD" or "workday YYYY-MM-DD"; '#' comments. The
  // error names the line.
  static absl::StatusOr<WorkCalendar> Parse(absl::string_view text);
  // data/cn-workdays.txt, compiled in.
  static const WorkCalendar& Builtin();

  bool IsWorkingDay(absl::CivilDay day) const;
  // The n-th working day after `day` (n >= 1); `day` itself does not count.
  absl::CivilDay AddWorkingDays(absl::CivilDay day, int n) const;

 private:
  absl::flat_hash_set<absl::CivilDay> holidays_;  // weekdays off
  absl::flat_hash_set<absl::CivilDay> workdays_;  // weekend days worked
};

}  // namespace cradle::domain
