#include "domain/work_calendar.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "domain/embedded_data.h"

namespace cradle::domain {

absl::TimeZone ChinaTime() { return absl::FixedTimeZone(8 * 3600); }

namespace {

bool Weekend(absl::CivilDay day) {
  const absl::Weekday wd = absl::GetWeekday(day);
  return wd == absl::Weekday::saturday || wd == absl::Weekday::sunday;
}

}  // namespace

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
    if (words.size() == 2 && words[0] == "year") {
      int year = 0;
      if (words[1].size() != 4 || !absl::SimpleAtoi(words[1], &year) ||
          year < 1949) {
        return absl::InvalidArgumentError(absl::StrCat(
            "calendar line ", line_no, " \"", line, "\" is not \"year YYYY\""));
      }
      if (!cal.years_.insert(year).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            "calendar line ", line_no, ": year ", year, " is declared twice"));
      }
      continue;
    }
    absl::CivilDay day;
    if (words.size() != 2 || words[1].size() != 10 ||
        !absl::ParseCivilTime(words[1], &day) ||
        (words[0] != "holiday" && words[0] != "workday")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "calendar line ", line_no, " \"", line,
          "\" is not \"year YYYY\", \"holiday YYYY-MM-DD\" or \"workday "
          "YYYY-MM-DD\""));
    }
    if (cal.years_.count(static_cast<int>(day.year())) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "calendar line ", line_no, ": ", words[1],
          " is in no year declared above it: a file gives whole years, "
          "each after a line \"year ",
          day.year(), "\""));
    }
    if (words[0] == "holiday") {
      if (!Weekend(day)) cal.holidays_.insert(day);
    } else {
      if (!Weekend(day)) {
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

void WorkCalendar::Add(const WorkCalendar& more) {
  auto replaced = [&](absl::CivilDay d) {
    return more.years_.count(static_cast<int>(d.year())) > 0;
  };
  absl::erase_if(holidays_, replaced);
  absl::erase_if(workdays_, replaced);
  years_.insert(more.years_.begin(), more.years_.end());
  holidays_.insert(more.holidays_.begin(), more.holidays_.end());
  workdays_.insert(more.workdays_.begin(), more.workdays_.end());
}

bool WorkCalendar::Covers(absl::CivilDay day) const {
  return years_.count(static_cast<int>(day.year())) > 0;
}

bool WorkCalendar::IsWorkingDay(absl::CivilDay day) const {
  if (Weekend(day)) return workdays_.contains(day);
  return !holidays_.contains(day);
}

absl::StatusOr<absl::CivilDay> WorkCalendar::AddWorkingDays(absl::CivilDay day,
                                                            int n) const {
  while (n > 0) {
    ++day;
    if (!Covers(day)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the working-day calendar has no ", day.year(), " (it holds ",
          years_.empty() ? std::string("no year")
                         : absl::StrCat(*years_.begin(), "-", *years_.rbegin()),
          "): add ", day.year(),
          "'s holidays and make-up working days, as the State Council "
          "published them, with cradled --calendar FILE (the format of "
          "data/cn-workdays.txt)"));
    }
    if (IsWorkingDay(day)) --n;
  }
  return day;
}

std::string WorkCalendar::MissingYearWarning(absl::Time now) const {
  const absl::CivilDay today = absl::ToCivilDay(now, ChinaTime());
  if (!Covers(today)) {
    return absl::StrCat(
        "the working-day calendar has no ", today.year(),
        ", this year: no limit in working days is dated, and none is raised, "
        "until its holidays and make-up working days, as the State Council "
        "published them, are added with --calendar FILE (the format of "
        "data/cn-workdays.txt); the sweeper names each deadline that waits");
  }
  if (today >= absl::CivilDay(today.year(), 11, 1) &&
      !Covers(absl::CivilDay(today.year() + 1, 1, 1))) {
    return absl::StrCat(
        "the working-day calendar has no ", today.year() + 1,
        ": a limit in working days that runs into it is not dated (the "
        "sweeper names each) until the year is added with --calendar FILE");
  }
  return "";
}

}  // namespace cradle::domain
