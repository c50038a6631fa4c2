#pragma once

// What each stream's events make of the ledger's derived data: its state
// value, its index entries and its counter adds (key layout: keys.h). A write
// appends the difference between the projection before and after its
// events; deep verification (deep_verify.h) replays a stream's entries from
// nothing through the same functions and compares. Pure: no gRPC, no I/O.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/message.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/consultation.pb.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/plan.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/flags/flag_config.h"
#include "storage/ledger.h"

namespace cradle::services {

// Index entries of one stream: key -> value (usually empty).
using IndexEntries = std::map<std::string, std::string>;

// Every index entry a manifest has in its current state: lists, flags,
// jurisdictions, running deadlines.
IndexEntries ManifestIndex(const v1::Manifest& manifest,
                           const domain::FlagConfig& config);

// The counter adds (Mutation::add) of a manifest going from `before` to
// `after` by `events`, decided at `now`: what each receiver accepted this
// year, what each approval has shipped, and the regulators' figures (flows,
// closures, open flags). Of `before` it reads only what CounterBasis keeps.
void ManifestCounters(const v1::Manifest& before, const v1::Manifest& after,
                      absl::Span<const ledger::v1::ManifestEvent> events,
                      absl::Time now, std::vector<storage::Mutation>* out);

// The part of `manifest` ManifestCounters reads of the manifest before:
// its status, each destination's accepted grams and return, each flag's id
// and state. A replay keeps this of the manifest before each event rather
// than a whole copy.
v1::Manifest CounterBasis(const v1::Manifest& manifest);

// An enterprise's entries: by division, receivers by city unit, its
// vehicles (value: the carrier).
IndexEntries EnterpriseIndex(const v1::Enterprise& enterprise);
// An approval's entry under its generator and receiver.
IndexEntries ApprovalIndex(const v1::Approval& approval);
// A plan's entries: its generator's year (value: the number) and its number.
IndexEntries PlanIndex(const v1::ManagementPlan& plan);
// A consultation's entries: under both its provinces and its applicant,
// and, once approved, under its generator and receiver as an approval.
IndexEntries ConsultationIndex(const v1::Consultation& consultation);
// A container's entries: in its generator's list, under each of its
// sources, its flags', and its running storage deadline.
IndexEntries ContainerIndex(const v1::Container& container);
// What a container's write appends to its stream (`event`, taking
// `before`, as read, to `after`) and changes: its state as the stream
// replays it, its index entries and the open-flag counters.
storage::AppendRequest ContainerAppend(const v1::Container& before,
                                       const ledger::v1::ContainerEvent& event,
                                       const v1::Container& after,
                                       absl::string_view actor);
// A credential's entry (every credential is loaded at start).
IndexEntries CredentialIndex(const ledger::v1::Credential& credential);

// The mutations that turn index entries `before` into `after`. A new key
// of a name all streams share (a vehicle's plate) is put create-only, so
// that two streams claiming it at once cannot both have it.
void IndexDiff(const IndexEntries& before, const IndexEntries& after,
               std::vector<storage::Mutation>* out);

// The time a manifest event is folded in at: its decided_at, or for entries
// written before that field existed, the entry's recorded time.
absl::Time EventTime(const ledger::v1::ManifestEvent& event,
                     absl::Time recorded);

// A stream rebuilt from its entries.
struct Projection {
  std::string state_key;
  std::unique_ptr<google::protobuf::Message> state;
  IndexEntries index;
  // Counter adds this stream made, by table and key.
  std::map<std::pair<storage::Table, std::string>, int64_t> counters;
  // Some entry predates the event times (decided_at, CredentialEvent.at):
  // the state's times were taken a little earlier than the entries'.
  bool legacy_times = false;
};

// A stream replayed one entry at a time, for a reader that meets its
// entries among other streams' (deep verification reads the ledger in
// sequence order, holding each stream's replay until its last entry).
class StreamReplay {
 public:
  // The replay of `stream` from nothing; DATA_LOSS for a name no stream
  // has. `config` is not copied and must outlive the replay.
  static absl::StatusOr<std::unique_ptr<StreamReplay>> Start(
      absl::string_view stream, const domain::FlagConfig& config);

  virtual ~StreamReplay() = default;

  // Folds in the stream's next entry. DATA_LOSS naming the entry when it
  // does not parse or does not belong to the stream's kind.
  virtual absl::Status Apply(const storage::Entry& entry) = 0;

  // What the entries applied make. Once: the replay is spent after.
  virtual Projection Finish() = 0;
};

// Replays `entries`, the whole stream `stream` in order. DATA_LOSS naming
// the entry when one does not parse or does not belong to the stream's kind.
absl::StatusOr<Projection> ReplayStream(
    absl::string_view stream, const std::vector<storage::Entry>& entries,
    const domain::FlagConfig& config);

}  // namespace cradle::services
