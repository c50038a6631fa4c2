#include "domain/work_calendar.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "domain/embedded_data.h"

namespace cradle::domain {

absl::TimeZone ChinaTime() { return absl::FixedTimeZone(8 * 3600); }

absl::StatusOr<WorkCalendar> WorkCalendar::Parse(absl::string_view text) {
  WorkCalendar cal;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    std::vector<absl::string_view> words =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    absl::CivilDay day;
    if (words.size() != 2 || words[1].size() != 10 ||
        !absl::ParseCivilTime(words[1], &day) ||
        (words[0] != "holiday" && words[0] != "workday")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "calendar line ", line_no, " \"", line,
          "\" is not \"holiday YYYY-MM-DD\" or \"workday YYYY-MM-DD\""));
    }
    const absl::Weekday wd = absl::GetWeekday(day);
    const bool weekend =
        wd == absl::Weekday::saturday || wd == absl::Weekday::sunday;
    if (words[0] == "holiday") {
      if (!weekend) cal.holidays_.insert(day);
    } else {
      if (!weekend) {
        return absl::InvalidArgumentError(
            absl::StrCat("calendar line ", line_no, ": ", words[1],
                         " is a weekday; only weekend days can be make-up "
                         "working days"));
      }
      cal.workdays_.insert(day);
    }
  }
  return cal;
}

const WorkCalendar& WorkCalendar::Builtin() {
  static const WorkCalendar* cal = [] {
    absl::StatusOr<WorkCalendar> c = Parse(EmbeddedWorkCalendar());
    if (!c.ok()) {
      std::fprintf(stderr, "embedded work calendar: %s\n",
                   c.status().ToString().c_str());
      std::abort();
    }
    return new WorkCalendar(*std::move(c));
  }();
  return *cal;
}

bool WorkCalendar::IsWorkingDay(absl::CivilDay day) const {
  const absl::Weekday wd = absl::GetWeekday(day);
  if (wd == absl::Weekday::saturday || wd == absl::Weekday::sunday) {
    return workdays_.contains(day);
  }
  return !holidays_.contains(day);
}

absl::CivilDay WorkCalendar::AddWorkingDays(absl::CivilDay day, int n) const {
  while (n > 0) {
    ++day;
    if (IsWorkingDay(day)) --n;
  }
  return day;
}

}  // namespace cradle::domain
