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

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "domain/container.h"

namespace cradle::domain {

// How long waste may be held in storage (2020 固废法 Art. 81: one year,
// unless the authority approves longer).
inline constexpr int kStorageLimitDays = 365;

// Whether waste held since `since` is held past kStorageLimitDays at `now`,
// counting whole days of China time.
bool HeldPastStorageLimit(absl::Time since, absl::Time now);

// `request`'s record on container `c` (as read, with the manifest that
// lists it), made by its generator. `listed_on` is that manifest's status,
// UNSPECIFIED when none lists it. Each refusal names the field; a
// container that left on a manifest, was used by its generator or whose
// registration was struck takes no more records.
absl::StatusOr<ContainerDecision> DecideRecordStock(
    const v1::RecordStockRequest& request, const v1::Container& c,
    v1::ManifestStatus listed_on, absl::Time now);

// The version of `c`'s stream: 1 for the registration, one more for each
// record.
int64_t ContainerVersion(const v1::Container& c);

// `c` after stock event `event` (its stream's next version), recorded at
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
