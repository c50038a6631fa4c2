#include "domain/flags/flag_config.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "base/status_macros.h"

namespace cradle::domain {

absl::StatusOr<Limit> ParseLimit(absl::string_view flag,
                                 absl::string_view text) {
  Limit limit;
  int n = 0;
  if (absl::EndsWith(text, "wd")) {
    if (absl::SimpleAtoi(text.substr(0, text.size() - 2), &n) && n > 0 &&
        n <= 366) {
      limit.working_days = n;
      return limit;
    }
  } else if (absl::EndsWith(text, "d") && !absl::EndsWith(text, "wd")) {
    if (absl::SimpleAtoi(text.substr(0, text.size() - 1), &n) && n > 0 &&
        n <= 3660) {
      limit.duration = absl::Hours(24) * n;
      return limit;
    }
  } else if (absl::ParseDuration(text, &limit.duration) &&
             limit.duration > absl::ZeroDuration() &&
             limit.duration <= absl::Hours(24 * 3660)) {
    return limit;  // not "inf": a limit that never runs out is no limit
  }
  return absl::InvalidArgumentError(absl::StrCat(
      flag, " ", Quote(text),
      " is not a limit: a duration (72h, 90m, 30s), days (30d) or working "
      "days (5wd)"));
}

absl::StatusOr<absl::Time> DueAfter(absl::Time start, const Limit& limit,
                                    const WorkCalendar& calendar) {
  if (limit.working_days <= 0) return start + limit.duration;
  const absl::CivilDay day = absl::ToCivilDay(start, ChinaTime());
  CRADLE_ASSIGN_OR_RETURN(const absl::CivilDay last,
                          calendar.AddWorkingDays(day, limit.working_days));
  return absl::FromCivil(last + 1, ChinaTime());  // end of the last day
}

}  // namespace cradle::domain
