#pragma once

// The generator's stock ledger (管理台账, HJ 1259-2022): one record per
// container, on the container's own stream after its registration (the
// generation record). A container is booked into a storage facility,
// used or disposed of by its generator, found to weigh other than its
// label, or a record is struck; nothing is edited. Leaving on a manifest
// is the manifest's pickup, read from the manifest and never recorded
// twice. docs/STOCK.md describes each rule and the balance.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/container.h"

namespace cradle::domain {

// How long waste may be held in storage (2020 固废法 Art. 81: one year,
// unless the authority approves longer).
inline constexpr int kStorageLimitDays = 365;

// Whether waste held since `since` is held past `limit_days` at `now`,
// counting whole days of China time.
bool HeldPastStorageLimit(absl::Time since, absl::Time now,
                          int limit_days = kStorageLimitDays);

// The first moment HeldPastStorageLimit(since, ., limit_days) holds: the
// start of the China day after the last one allowed.
absl::Time StorageDue(absl::Time since, int limit_days);

// When `c`'s storage deadline falls due, or nullopt when none is running:
// not stored, booked in by a record that set no limit (before ledger v11),
// or settled: flagged STOCK_OVERDUE, or found gone on a manifest.
absl::optional<absl::Time> StorageDeadline(const v1::Container& c);

// What the sweeper records on `c`'s stream (`c` as read, with the manifest
// that lists it, in status `listed_on`) once its deadline is due at `now`:
// the end of its storage when that manifest took it out of stock, else a
// STOCK_OVERDUE flag naming `generator` (read only for the flag). nullopt
// when nothing is due.
absl::optional<ledger::v1::ContainerEvent> SweepStorage(
    const v1::Container& c, v1::ManifestStatus listed_on,
    const v1::Enterprise& generator, absl::Time now);

// A regulator's acknowledgement (`to` ACKED) or resolution (RESOLVED) of
// flag `note.id()` of container `c`, at `now`; refusals as
// CheckFlagNote's.
absl::StatusOr<ContainerDecision> DecideContainerFlagNote(
    const v1::Container& c, ledger::v1::FlagNoted note, v1::FlagState to,
    absl::Time now);

// Whether `c`'s sources are still its: true for a refill unless its
// registration was struck by a record that let them go (ledger v12). A
// refill struck before that keeps them, as its entries were written.
bool HoldsSources(const v1::Container& c);

// How long waste `generator` books into storage on `booked` may be held:
// the longest of its approved longer storage valid that day
// (Enterprise.storage_extensions), else kStorageLimitDays.
int StorageLimitDays(const v1::Enterprise& generator, absl::CivilDay booked);

// `request`'s record on container `c` (as read, with the manifest that
// lists it), made by its generator `generator`. `listed_on` is that
// manifest's status, UNSPECIFIED when none lists it. Each refusal names the
// field; a container that left on a manifest, was used by its generator or
// whose registration was struck takes no more records. A booking into
// storage carries the limit in force (StorageLimitDays).
absl::StatusOr<ContainerDecision> DecideRecordStock(
    const v1::RecordStockRequest& request, const v1::Container& c,
    v1::ManifestStatus listed_on, const v1::Enterprise& generator,
    absl::Time now);

// The version of `c`'s stream: 1 for the registration, one more for each
// record, each flag event and the end of its storage.
int64_t ContainerVersion(const v1::Container& c);

// `c` after event `event` of its stream that follows the registration (a
// stock record, a flag event, the end of its storage), recorded at
// `recorded`.
void ApplyStockEvent(const ledger::v1::ContainerEvent& event,
                     absl::Time recorded, v1::Container* c);

// Whether a manifest in `status` has taken its containers out of stock:
// picked up, and not cancelled or voided.
bool TakenOutOfStock(v1::ManifestStatus status);

// The stock of one generator's `containers` (as read, with the manifests
// that list them in `manifests` by number) at `now`: the balance of each
// waste code in each facility, what is held past kStorageLimitDays, and
// where the ledger and the manifests disagree.
v1::GetStockResponse StockOf(
    const std::vector<v1::Container>& containers,
    const std::map<std::string, v1::Manifest>& manifests, absl::Time now);

}  // namespace cradle::domain
