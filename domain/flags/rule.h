#pragma once

// The two kinds of flag rule. Each rule is one small file in domain/flags/
// and one line in rules.cc; it reads only the manifest, the registry's facts
// and the time it is given.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "domain/flags/flag_config.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// What an event-time rule sees: the manifest before and after the events of
// one decision, and those events.
struct EventContext {
  const v1::Manifest& before;
  const v1::Manifest& after;
  const std::vector<ledger::v1::ManifestEvent>& events;
  uint64_t first_version;  // stream version of events[0]
  const RegistryReader& facts;
  const FlagConfig& config;
  absl::Time now;
};

// Evaluated in the same write as the event that triggers it.
class EventRule {
 public:
  virtual ~EventRule() = default;
  virtual v1::FlagKind kind() const = 0;
  // Whether it judges a destination as addressed (its receiver, where it
  // is): a revision that re-addresses one clears its flags and the rule
  // looks again.
  virtual bool PerDestination() const { return false; }
  // Appends what the events break: flag_raised events (the engine fills id,
  // state, time, manifest and jurisdictions) and, where a rule records what
  // it relied on, other events (approval_applied). A rule raises at most one
  // flag per subject (destination or payment index); the engine drops a
  // repeat. Errors are the facts' (storage) errors.
  virtual absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const = 0;
};

// Raised by the sweeper when time passes without the next event.
class DeadlineRule {
 public:
  struct Pending {
    int subject;     // destination index
    absl::Time due;  // when the limit runs out
    // Why `due` is not known: the limit runs into a year the working-day
    // calendar does not hold. Such a deadline is pending from the first
    // day the calendar does not hold; it is never raised on a guess, and
    // the sweeper reports it at every pass until the year is added.
    std::string undated;
  };
  virtual ~DeadlineRule() = default;
  virtual v1::FlagKind kind() const = 0;
  virtual v1::Severity severity() const = 0;
  // Every deadline still running on `m`: the next event has not come.
  // Once that event comes, the subject is no longer pending and an open flag
  // of this kind on it is cleared.
  virtual std::vector<Pending> PendingDeadlines(
      const v1::Manifest& m, const FlagConfig& config) const = 0;
  virtual std::string Describe(const v1::Manifest& m, int subject,
                               const FlagConfig& config) const = 0;
};

// The deadline of `limit` from `start` on `subject`, or, when the calendar
// cannot date it, the undated deadline (Pending::undated).
DeadlineRule::Pending PendingAfter(int subject, absl::Time start,
                                   const Limit& limit,
                                   const WorkCalendar& calendar);

// A flag_raised event for `kind` on `subject` with `detail`.
ledger::v1::ManifestEvent RaiseFlag(v1::FlagKind kind, v1::Severity severity,
                                    int subject, std::string detail);

// Destinations the decision added (opened or rerouted) or re-addressed (a
// revision applied).
std::vector<int> NewDestinations(const EventContext& ctx);

}  // namespace cradle::domain
