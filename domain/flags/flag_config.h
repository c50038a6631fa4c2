#pragma once

// The limits the flag rules apply; every one is a cradled flag.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "domain/work_calendar.h"

namespace cradle::domain {

// A time limit: a duration, or a number of working days.
struct Limit {
  absl::Duration duration = absl::ZeroDuration();
  int working_days = 0;  // > 0: counted in working days instead
};

// "72h", "90m", "30d" (24 h days), "5wd" (working days).
absl::StatusOr<Limit> ParseLimit(absl::string_view flag,
                                 absl::string_view text);

// When a limit starting at `start` runs out. Working days: the end of the
// n-th working day after start's date in China time; FAILED_PRECONDITION
// naming the year to add when that runs into a year the calendar does not
// hold.
absl::StatusOr<absl::Time> DueAfter(absl::Time start, const Limit& limit,
                                    const WorkCalendar& calendar);

struct FlagConfig {
  Limit transit{absl::Hours(72), 0};
  Limit receipt{absl::ZeroDuration(), 5};
  Limit disposal{absl::Hours(24 * 30), 0};
  Limit backfill{absl::ZeroDuration(), 10};
  // Not a flag rule's: a proposed revision lapses when not approved within
  // this (domain/revision.h); the sweeper records it.
  Limit revision{absl::ZeroDuration(), 5};
  // Not a flag rule's either: a scan made on a device longer ago than this
  // is refused (domain/container.h); offline devices upload within it.
  absl::Duration scan_window = absl::Hours(72);
  // Tracks (docs/TRACKS.md): how far from its declared route a vehicle may
  // go (ROUTE_DEVIATION; also how near the route's ends a stop is not
  // judged), how long it may stand still away from them (LONG_STOP), and
  // how long a leg's track may be silent while in transit (TRACK_GAP).
  double corridor_m = 2000;
  absl::Duration long_stop = absl::Minutes(60);
  absl::Duration track_gap = absl::Minutes(15);
  // Received vs shipped weight, in basis points (1/100 of a percent).
  int64_t quantity_tolerance_bp = 500;
  const WorkCalendar* calendar = &WorkCalendar::Builtin();  // not owned
};

}  // namespace cradle::domain
