#pragma once

// The inbox: what waits on a party in a manifest. Each task is the next
// action of docs/LIFECYCLE.md's table that this party takes (issue a
// draft, pick up, deliver, receive, reroute, dispose), with the limit the
// deadline rule of that step applies (domain/flags/), so the inbox and the
// OVERDUE flags never disagree about when something is due.

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/v1/manifest.pb.h"
#include "domain/flags/flag_config.h"

namespace cradle::domain {

// The tasks waiting on enterprise `party` in `m` at `now`: revisions to
// answer and a return to fix first, then the lifecycle's in its order;
// none when the party has nothing to do on it (nor on a manifest
// cancelled or voided).
std::vector<v1::InboxItem> Waiting(const v1::Manifest& m,
                                   absl::string_view party,
                                   const FlagConfig& config, absl::Time now);

// What waits on a regulator office of `m`'s jurisdiction besides its flags:
// revisions that need a regulator's approval, fixed returns to confirm.
std::vector<v1::InboxItem> OfficeWaiting(const v1::Manifest& m, absl::Time now);

// An open flag as a task of the regulator office that answers it.
v1::InboxItem FlagToAnswer(const v1::Flag& flag);

// Working days from `now`'s date to `due`'s, in China time: 0 when due
// today or before.
int WorkingDaysLeft(absl::Time now, absl::Time due,
                    const WorkCalendar& calendar);

}  // namespace cradle::domain
