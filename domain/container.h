#pragma once

// Labelled containers (危险废物标签, HJ 1276-2022): the label's digital
// identification code (数字识别码), the registration of a container by the
// generator that filled it, and what a scan of containers finds against a
// manifest. docs/CONTAINERS.md describes each rule.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// The code's four segments, 37 characters in all: the unified social
// credit code of the unit that filled (or collected) it (18), the waste
// code without its hyphens (8), the date it was filled, YYYYMMDD (8), and
// a sequence number of that unit, code and day, 001..999 (3).
inline constexpr size_t kContainerCodeLength = 37;

struct ContainerCode {
  std::string unit;        // USCC
  std::string waste_code;  // NNN-NNN-NN
  absl::CivilDay date;
  int sequence = 0;
};

// INVALID_ARGUMENT naming `field`, the value and the broken rule: the
// length, a character that is not a digit where one must be, a USCC whose
// check character is wrong, a waste code not in the catalogue, a date that
// is no date, a sequence of 000.
absl::StatusOr<ContainerCode> ParseContainerCode(absl::string_view field,
                                                 absl::string_view code);

// The code of the container `unit` filled with `waste_code` (NNN-NNN-NN)
// on `date`, number `sequence`; ParseContainerCode reads it back.
std::string FormatContainerCode(absl::string_view unit,
                                absl::string_view waste_code,
                                absl::CivilDay date, int sequence);

inline constexpr int64_t kMaxContainerGrams =
    int64_t{30} * 1000 * 1000;  // 30 t
// Containers one manifest may list, and one scan may name.
inline constexpr int kMaxContainersPerManifest = 1000;

struct ContainerDecision {
  ledger::v1::ContainerEvent event;
  v1::Container next;
};

// A container a collector names among the sources of one it fills, as read
// (with the manifest that lists it and the container it went into), and
// that manifest; `manifest` is empty when none lists it.
struct CollectedSource {
  v1::Container container;
  v1::Manifest manifest;
};

// A container registered by `generator` (registered as a generator or a
// collector, and the unit the code names). `existing` is non-null when the
// code is taken: ALREADY_EXISTS. `today` (China time) bounds the
// generation date: not in the future, not more than a year back.
//
// A collector's container filled from containers it collected
// (docs/COLLECTION.md) names them in `container.sources`; `sources` holds
// each as read, in the same order. Each must hold the container's waste
// code, have been accepted by `generator` into collection on the manifest
// that lists it before the container's filling date, and have gone into no
// other container. `loss_g`, with its `loss_reason`, is what the collector
// documents as lost from their weights.
absl::StatusOr<ContainerDecision> DecideRegisterContainer(
    const v1::RegisterContainerRequest& request,
    const v1::Enterprise& generator, const v1::Container* existing,
    const std::vector<CollectedSource>& sources, absl::Time now);

// The weight `c`'s sources had (`weights`, by code: each source's
// weight_g) that its own weight and documented loss do not account for; 0
// for a container without sources or one that accounts for all of it.
int64_t CollectionShortfall(const v1::Container& c,
                            const std::map<std::string, int64_t>& weights);

// The container `before` (empty for the registration) is after a recorded
// event of its stream: the registration, or a stock record
// (domain/stock.h).
v1::Container ApplyContainerEvent(const v1::Container& before,
                                  const ledger::v1::ContainerEvent& event,
                                  absl::Time recorded);

// The type of the ledger entry that records `event`: "container.registered",
// "container.stock", "container.flag.raised" (acked, resolved),
// "container.storage.ended"; "" for an event of no kind. Never "flag.*",
// which the audit reads as a manifest's.
std::string ContainerEventType(const ledger::v1::ContainerEvent& event);

// The containers of waste line `at` ("lines[0]") of a manifest that
// `generator` opens: each a container the generator registered with the
// line's code, listed once in the manifest (`seen` holds those of the lines
// before; this line's are added) and by no other manifest. Answers the sum
// of their weights, which the line's quantity must be unless the line was
// weighed in bulk (then 0); 0 for a line without containers.
absl::StatusOr<int64_t> CheckLineContainers(absl::string_view at,
                                            const ledger::v1::WasteLine& line,
                                            absl::string_view generator,
                                            const RegistryReader& registry,
                                            std::set<std::string>* seen);

// A scan of containers (docs/CONTAINERS.md): who may scan at each point,
// the hand-over the scan belongs to, the codes, the device and its time.
// A scan made on a device more than `window` before it reaches the server
// is refused (cradled --scan-window, FlagConfig::scan_window); one more
// than kScanLateAfter before is kept and marked late.
inline constexpr absl::Duration kScanLateAfter = absl::Minutes(5);
// How far ahead of the server's clock a device's may run.
inline constexpr absl::Duration kDeviceClockSkew = absl::Minutes(5);
absl::StatusOr<Decision> DecideScan(const v1::Manifest& manifest,
                                    const v1::ScanRequest& request,
                                    const RegistryReader& registry,
                                    absl::Time now,
                                    absl::Duration window = absl::Hours(72));

// The containers scanned at `point` for hand-over `handover`: by `by`, or
// by anyone when it is empty.
std::set<std::string> ScannedAt(const v1::Manifest& m, v1::ScanPoint point,
                                int handover, absl::string_view by = "");

// Every container the manifest's lines list, in line order.
std::vector<std::string> ManifestContainers(const v1::Manifest& m);

}  // namespace cradle::domain
