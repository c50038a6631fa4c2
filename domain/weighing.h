#pragma once

// Weighbridge readings (地磅): the whole load weighed at the generator's
// exit and at the receiver's entry, signed by the party that weighs. Where
// present they stand in for the typed weights in QUANTITY_DISCREPANCY
// (docs/TRACKS.md, "Weighbridges").

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "cradle/v1/manifest.pb.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// The heaviest load a reading may show: a road train's 49 t gross, with
// room.
inline constexpr int64_t kMaxWeighbridgeGrams = int64_t{100} * 1000 * 1000;

// A weighbridge reading of the whole load: at EXIT by the generator, once,
// before the load is received; at ENTRY by the receiver of the current
// destination, once per destination. meta.device names the weighbridge and
// meta.device_time the reading's time (within `window` of `now`).
absl::StatusOr<Decision> DecideWeigh(const v1::Manifest& m,
                                     const v1::WeighRequest& request,
                                     absl::Time now, absl::Duration window);

// The reading at `point` for destination `destination` (0-based; EXIT
// readings are for destination 0), or null.
const v1::Weighing* WeighingAt(const v1::Manifest& m, v1::WeighPoint point,
                               int destination);

}  // namespace cradle::domain
