#pragma once

// Transport tracks (2021 《危险废物转移管理办法》 Art. 17: the carrier keeps
// the track of each transfer): batches of a leg's points as a carrier's
// fleet platform relays them, chained by digest, and what they show against
// the leg's declared route. docs/TRACKS.md states the geometry.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/repeated_field.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "domain/flags/flag_config.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// ---------------------------------------------------------------------------
// Geometry on a sphere of the Earth's mean radius (IUGG, 6,371,008.8 m):
// great-circle distances by the haversine formula, and the distance from a
// point to a route as the least distance to any of its segments, a segment
// being the great-circle arc between two positions. Within 1 km the error
// against the WGS-84 ellipsoid is under 0.5%, far below a corridor's width.

struct LatLon {
  double lat = 0, lon = 0;  // degrees
};

inline constexpr double kEarthRadiusM = 6371008.8;

// Great-circle distance in metres.
double DistanceM(LatLon a, LatLon b);

// Distance in metres from `p` to the arc from `a` to `b`: the cross-track
// distance where `p`'s foot on the arc's great circle falls between the
// ends, else the distance to the nearer end.
double DistanceToArcM(LatLon p, LatLon a, LatLon b);

// Distance in metres from `p` to the polyline through `route` (one
// position: the distance to it). `route` is not empty.
double DistanceToRouteM(LatLon p, absl::Span<const LatLon> route);

// ---------------------------------------------------------------------------
// Points and routes as the API carries them.

// Points one batch may carry: a terminal reporting every 30 s for 16 h.
inline constexpr int kMaxTrackPoints = 2000;
// Positions a declared route may have.
inline constexpr int kMaxRoutePositions = 100;
// Faster than any loaded lorry: a reading above it is a broken terminal.
inline constexpr uint32_t kMaxSpeedDkmh = 2500;  // 250 km/h
// Below it a vehicle counts as standing still (JT/T 808 speeds are from
// GNSS, which reads a few km/h when standing).
inline constexpr uint32_t kStoppedBelowDkmh = 50;  // 5 km/h
// A stop is the vehicle standing within this of where it stopped.
inline constexpr double kStopRadiusM = 200;

LatLon PointLatLon(const ledger::v1::TrackPoint& p);
LatLon PointLatLon(const v1::TrackPoint& p);

// A leg's declared route (field "transport.route"): empty, or 2..100
// positions each within WGS-84's range.
absl::Status CheckRoute(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<ledger::v1::Position>& route);

// The route of leg `leg` (1-based) of `m`, empty if it declared none.
std::vector<LatLon> LegRoute(const v1::Manifest& m, int leg);

// SHA-256 over the previous digest's bytes (none for a leg's first batch)
// then the batch's points serialised deterministically, as hex.
std::string TrackDigest(absl::string_view previous_hex,
                        const ledger::v1::TrackRecorded& batch);

// ---------------------------------------------------------------------------
// What a batch shows.

struct TrackFindings {
  ledger::v1::LegTrack after;  // the leg's track with the batch folded in
  std::vector<std::string> deviations;  // excursions out of the corridor
  std::vector<std::string> stops;       // stops that ran past the limit
  std::vector<std::string> gaps;        // silences past the limit
};

// Follows `batch` on from `before` (the leg's track so far; leg 0 for none)
// along leg `leg` of `m` (whose route makes the corridor), under the limits
// in `config`. Pure and deterministic: the decision records `after`, and
// each track rule asks again for its own findings.
TrackFindings FollowTrack(const v1::Manifest& m,
                          const ledger::v1::LegTrack& before,
                          const ledger::v1::TrackRecorded& batch,
                          const FlagConfig& config);

// The track of leg `leg` as recorded on `m` (leg 0 if none yet).
ledger::v1::LegTrack LegTrackOf(const v1::Manifest& m, int leg);

// A batch of leg `request.leg()`'s track by its carrier: the leg exists
// and is the carrier's, the manifest is under way or done, the points are
// 1..kMaxTrackPoints valid positions in strictly increasing time after the
// leg's last, within `window` of `now` and not ahead of it, and
// previous_digest names the leg's last batch.
absl::StatusOr<Decision> DecideTrack(const v1::Manifest& m,
                                     const v1::RecordTrackRequest& request,
                                     absl::Time now, const FlagConfig& config);

}  // namespace cradle::domain
