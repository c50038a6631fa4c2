#pragma once

// Corrections of a manifest whose record is append-only (docs/LIFECYCLE.md,
// "Corrections"): revisions that every party they touch approves, void
// (作废) with a reason, and a regulator's return (退回) that the generator
// fixes by revision and the regulator confirms.
//
// Two tables rule revisions, and the docs print both (a test keeps them
// equal): which fields a revision may change, who proposes, whose approval
// it needs and in which states (RevisionTable); and the states a revision
// goes through (RevisionStateTable). The field paths of the first are part
// of the ledger's format: a recorded revision names them, and a replay
// applies them by these names forever.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "domain/flags/flag_config.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// The parties a revised field touches, as bits.
enum Touch : unsigned {
  kTouchGenerator = 1u << 0,
  kTouchCarrier = 1u << 1,   // the carrier holding the load, or to pick it up
  kTouchReceiver = 1u << 2,  // the receiver of the current destination
  kTouchNamed = 1u << 3,     // the party the new value names
};

struct RevisableField {
  const char* path;    // "receiver", "lines[].quantity_g" ([]: a line index)
  unsigned proposers;  // Touch bits: who may propose
  unsigned approvers;  // Touch bits: whose approval it needs (not the
                       // proposer's own)
  std::vector<v1::ManifestStatus> states;  // when it may change
  // What was handed over: once picked up, a regulator approves too.
  bool regulator_after_pickup;
  const char* value;  // the value's form, as the docs print it
};

const std::vector<RevisableField>& RevisionTable();
// The table as Markdown, as docs/LIFECYCLE.md shows it.
std::string RevisionTableMarkdown();

enum class RevisionStep { kPropose, kApprove, kRefuse, kWithdraw, kLapse };

struct RevisionTransition {
  RevisionStep step;
  const char* verb;
  std::vector<v1::RevisionState> from;  // empty: the revision is new
  std::vector<v1::RevisionState> to;
  const char* by;
  const char* needs;
};

const std::vector<RevisionTransition>& RevisionStateTable();
std::string RevisionStateTableMarkdown();

// The id of the `n`th revision (from 1) of manifest `number`:
// "<number>-R<n>".
std::string RevisionId(absl::string_view number, int n);

// The manifest number and 0-based index of revision `id`; INVALID_ARGUMENT
// naming `field` when it is not a revision id.
struct RevisionRef {
  std::string number;
  int index;
};
absl::StatusOr<RevisionRef> ParseRevisionId(absl::string_view field,
                                            absl::string_view id);

// The value of `path` in `m`, as a revision's `from` states it.
// INVALID_ARGUMENT naming `field` when `path` is not in the table or names
// a line `m` does not have.
absl::StatusOr<std::string> FieldValue(absl::string_view field,
                                       const v1::Manifest& m,
                                       absl::string_view path);

// A principal's voice in a correction: a party's USCC, or a regulator's
// "regulator:<jurisdiction>".
bool IsRegulatorVoice(absl::string_view by);

// Any party proposes a change to the fields it may change. The revision
// records who must approve; with none, it applies at once. `registry` checks
// a new carrier or receiver as open does; `config` gives the lapse time.
absl::StatusOr<Decision> DecideProposeRevision(
    const v1::Manifest& m, const v1::ProposeRevisionRequest& request,
    const RegistryReader& registry, const FlagConfig& config, absl::Time now);

// An approver approves or refuses, or the proposer withdraws. `by` is the
// caller's voice, which the service has checked is its own (a regulator's
// is one of the manifest's jurisdictions). The last approval applies it.
absl::StatusOr<Decision> DecideAnswerRevision(
    const v1::Manifest& m, const v1::AnswerRevisionRequest& request,
    absl::Time now);

// The generator before pickup, or a regulator before the manifest closes.
absl::StatusOr<Decision> DecideVoid(const v1::Manifest& m,
                                    const v1::VoidManifestRequest& request,
                                    absl::Time now);
// A regulator returns the manifest to its generator with a note; one return
// is open at a time.
absl::StatusOr<Decision> DecideReturn(const v1::Manifest& m,
                                      const v1::ReturnManifestRequest& request,
                                      absl::Time now);
absl::StatusOr<Decision> DecideConfirmReturn(
    const v1::Manifest& m, const v1::ConfirmReturnRequest& request,
    absl::Time now);

// The revisions of `m` whose time ran out by `now`, lapsed; a Decision
// without events when none has.
Decision LapseRevisions(const v1::Manifest& m, absl::Time now);

// When each pending revision of `m` lapses: what the sweeper looks at.
std::vector<absl::Time> RevisionLapses(const v1::Manifest& m);

// Destinations whose receiver or quantities a revision applied among
// `events` changed: the flag rules look at them again, as at a reroute.
std::vector<int> RevisedDestinations(
    const v1::Manifest& before, const v1::Manifest& after,
    const std::vector<ledger::v1::ManifestEvent>& events);

// Whether `m` waits on a regulator: a pending revision needing one and
// not answered by one, or a fixed return not yet confirmed.
bool WaitsOnRegulator(const v1::Manifest& m);

// The parts of Apply() for corrections (manifest_apply.cc calls them).
void ApplyCorrection(const ledger::v1::ManifestEvent& event,
                     absl::Time recorded, v1::Manifest* m);

}  // namespace cradle::domain
