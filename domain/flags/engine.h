#pragma once

// Runs the flag rules (rules.h) on decisions and on the passing of time.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "domain/flags/flag_config.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// Adds to `decision` the flags its events raise (event-time rules) and the
// clearing of deadline flags whose condition its events ended, so that they
// are written with the event that caused them. `before` is the manifest the
// decision was made on.
absl::Status AddEventFlags(const v1::Manifest& before,
                           const RegistryReader& facts,
                           const FlagConfig& config, absl::Time now,
                           Decision* decision);

// The deadline flags due at `now` on `manifest`; a Decision without events
// when none is.
Decision SweepDeadlines(const v1::Manifest& manifest, const FlagConfig& config,
                        absl::Time now);

struct DueDate {
  v1::FlagKind kind;
  int subject;
  absl::Time due;
};
// The deadlines running on `manifest` that are not flagged yet: what the
// sweeper has to look at, and when.
std::vector<DueDate> DueDates(const v1::Manifest& manifest,
                              const FlagConfig& config);

// The deadlines on `manifest` that have run into a year the working-day
// calendar does not hold by `now`, so cannot be dated, each in words: the
// sweeper reports them at every pass, and raises none on a guess.
std::vector<std::string> UndatedDeadlines(const v1::Manifest& manifest,
                                          const FlagConfig& config,
                                          absl::Time now);

// OPEN or ACKED: still counts against the enterprise.
bool IsOpen(const v1::Flag& flag);

// Whether flags of `kind` measure lateness (a deadline rule raises them): a
// closure with one is not on time.
bool IsDeadlineKind(v1::FlagKind kind);

// The id of the `n`th flag (from 1) about `subject`, a manifest number or a
// container code: "<subject>-F<n>".
std::string FlagId(absl::string_view subject, int n);

// The subject of a flag id: a manifest number, or a container code
// (IsContainerSubject); INVALID_ARGUMENT naming `id` when it is not one.
absl::StatusOr<std::string> FlagSubject(absl::string_view id);

// Whether a flag's subject (FlagSubject) is a container, not a manifest.
bool IsContainerSubject(absl::string_view subject);

// green: no open flag; yellow: 1 or 2 open flags, none HIGH; red: an open
// HIGH flag or 3 and more open flags (docs/FLAGS.md).
std::string RiskColour(int open_flags, int open_high);

}  // namespace cradle::domain
