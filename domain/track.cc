#include "domain/track.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include <openssl/evp.h>

#include "base/status_macros.h"
#include "base/time.h"
#include "domain/container.h"
#include "domain/decision_checks.h"
#include "domain/names.h"
#include "domain/record.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

constexpr double kPi = 3.14159265358979323846;

double Radians(double degrees) { return degrees * kPi / 180.0; }

// Initial bearing from a to b, radians.
double Bearing(LatLon a, LatLon b) {
  const double p1 = Radians(a.lat), p2 = Radians(b.lat);
  const double dl = Radians(b.lon - a.lon);
  return std::atan2(
      std::sin(dl) * std::cos(p2),
      std::cos(p1) * std::sin(p2) - std::sin(p1) * std::cos(p2) * std::cos(dl));
}

absl::Time PointTime(const ledger::v1::TrackPoint& p) {
  return absl::FromUnixSeconds(p.time());
}

std::string When(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M", t, ChinaTime());
}

std::string Where(LatLon p) {
  return absl::StrFormat("(%.5f, %.5f)", p.lat, p.lon);
}

std::string Km(double metres) {
  return absl::StrFormat("%.1f km", metres / 1000);
}

std::string Minutes(absl::Duration d) {
  return absl::StrCat(absl::ToInt64Minutes(d), " min");
}

bool InRange(LatLon p) {
  return std::isfinite(p.lat) && std::isfinite(p.lon) && p.lat >= -90 &&
         p.lat <= 90 && p.lon >= -180 && p.lon <= 180;
}

}  // namespace

double DistanceM(LatLon a, LatLon b) {
  const double dp = Radians(b.lat - a.lat), dl = Radians(b.lon - a.lon);
  const double h = std::sin(dp / 2) * std::sin(dp / 2) +
                   std::cos(Radians(a.lat)) * std::cos(Radians(b.lat)) *
                       std::sin(dl / 2) * std::sin(dl / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
}

double DistanceToArcM(LatLon p, LatLon a, LatLon b) {
  const double ap = DistanceM(a, p);
  const double ab = DistanceM(a, b);
  if (ab == 0) return ap;
  const double d13 = ap / kEarthRadiusM;
  const double dtheta = Bearing(a, p) - Bearing(a, b);
  // The foot lies behind a: a is the nearest point of the arc.
  if (std::cos(dtheta) < 0) return ap;
  const double xt = std::asin(std::sin(d13) * std::sin(dtheta));
  const double along =
      std::acos(std::clamp(std::cos(d13) / std::cos(xt), -1.0, 1.0)) *
      kEarthRadiusM;
  if (along > ab) return DistanceM(b, p);
  return std::fabs(xt) * kEarthRadiusM;
}

double DistanceToRouteM(LatLon p, absl::Span<const LatLon> route) {
  if (route.size() == 1) return DistanceM(p, route[0]);
  double best = INFINITY;
  for (size_t i = 0; i + 1 < route.size(); ++i) {
    best = std::min(best, DistanceToArcM(p, route[i], route[i + 1]));
  }
  return best;
}

LatLon PointLatLon(const ledger::v1::TrackPoint& p) {
  return {p.lat_e6() / 1e6, p.lon_e6() / 1e6};
}

LatLon PointLatLon(const v1::TrackPoint& p) {
  return {p.lat_e6() / 1e6, p.lon_e6() / 1e6};
}

absl::Status CheckRoute(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<ledger::v1::Position>& route) {
  if (route.empty()) return absl::OkStatus();
  if (route.size() < 2 || route.size() > kMaxRoutePositions) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " has ", route.size(), " positions; a route has 2..",
        kMaxRoutePositions, ": origin, places passed through, destination"));
  }
  for (int i = 0; i < route.size(); ++i) {
    if (!InRange({route[i].lat(), route[i].lon()})) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "] (", route[i].lat(), ", ",
                       route[i].lon(), ") is no WGS-84 position"));
    }
  }
  return absl::OkStatus();
}

std::vector<LatLon> LegRoute(const v1::Manifest& m, int leg) {
  std::vector<LatLon> out;
  if (leg < 1 || leg > m.legs_size()) return out;
  for (const v1::Position& p : m.legs(leg - 1).transport().route()) {
    out.push_back({p.lat(), p.lon()});
  }
  return out;
}

std::string TrackDigest(absl::string_view previous_hex,
                        const ledger::v1::TrackRecorded& batch) {
  ledger::v1::TrackRecorded points;
  *points.mutable_points() = batch.points();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    points.SerializeToCodedStream(&out);
  }
  const std::string previous = absl::HexStringToBytes(previous_hex);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, previous.data(), previous.size());
  EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(md), len));
}

ledger::v1::LegTrack LegTrackOf(const v1::Manifest& m, int leg) {
  for (const v1::LegTrack& t : m.tracks()) {
    if (t.leg() == leg) return Transcribe<ledger::v1::LegTrack>(t);
  }
  return ledger::v1::LegTrack();
}

TrackFindings FollowTrack(const v1::Manifest& m,
                          const ledger::v1::LegTrack& before,
                          const ledger::v1::TrackRecorded& batch,
                          const FlagConfig& config) {
  TrackFindings f;
  ledger::v1::LegTrack& t = f.after;
  t = before;
  t.set_leg(batch.leg());
  const std::vector<LatLon> route = LegRoute(m, batch.leg());
  const bool judged = route.size() >= 2;
  // The time the track last spoke: its last point, or the leg's start.
  bool have_prev = before.points() > 0;
  absl::Time prev = have_prev ? PointTime(before.last()) : absl::InfinitePast();
  if (!have_prev && batch.leg() >= 1 && batch.leg() <= m.legs_size() &&
      m.legs(batch.leg() - 1).has_device_time()) {
    have_prev = true;
    prev = FromTimestamp(m.legs(batch.leg() - 1).device_time());
  }
  for (const ledger::v1::TrackPoint& p : batch.points()) {
    const absl::Time at = PointTime(p);
    const LatLon where = PointLatLon(p);
    if (have_prev && at - prev > config.track_gap) {
      f.gaps.push_back(absl::StrCat("leg ", batch.leg(), ": no points from ",
                                    When(prev), " to ", When(at), " (",
                                    Minutes(at - prev), ")"));
    }
    have_prev = true;
    prev = at;
    if (judged) {
      const double off = DistanceToRouteM(where, route);
      t.set_max_off_route_m(std::max(t.max_off_route_m(), off));
      const bool outside = off > config.corridor_m;
      if (outside && !t.off_route()) {
        f.deviations.push_back(absl::StrCat(
            "leg ", batch.leg(), ": left the ", Km(config.corridor_m),
            " corridor of its route at ", When(at), ", ", Km(off),
            " from the route at ", Where(where)));
      }
      t.set_off_route(outside);
    }
    if (p.speed_dkmh() < kStoppedBelowDkmh) {
      // Crawling on (a jam) is moving: a new stop starts away from the old.
      if (!t.has_stop_start() ||
          DistanceM(PointLatLon(t.stop_start()), where) > kStopRadiusM) {
        *t.mutable_stop_start() = p;
        t.set_stop_flagged(false);
      }
      const absl::Duration stood = at - PointTime(t.stop_start());
      const LatLon stop = PointLatLon(t.stop_start());
      if (judged && !t.stop_flagged() && stood > config.long_stop &&
          DistanceM(stop, route.front()) > config.corridor_m &&
          DistanceM(stop, route.back()) > config.corridor_m) {
        f.stops.push_back(absl::StrCat(
            "leg ", batch.leg(), ": stood still from ",
            When(PointTime(t.stop_start())), " for ", Minutes(stood),
            " and more at ", Where(stop), ", ",
            Km(DistanceM(stop, route.front())), " from the origin and ",
            Km(DistanceM(stop, route.back())), " from the destination"));
        t.set_stop_flagged(true);
      }
    } else {
      t.clear_stop_start();
      t.set_stop_flagged(false);
    }
    if (t.points() == 0) *t.mutable_first() = p;
    *t.mutable_last() = p;
    t.set_points(t.points() + 1);
  }
  t.set_batches(t.batches() + 1);
  t.set_digest(TrackDigest(before.digest(), batch));
  return f;
}

absl::StatusOr<Decision> DecideTrack(const v1::Manifest& m,
                                     const v1::RecordTrackRequest& request,
                                     absl::Time now, const FlagConfig& config) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  if (request.carrier().empty()) {
    return absl::InvalidArgumentError("carrier is required");
  }
  switch (m.status()) {
    case v1::MANIFEST_STATUS_DRAFT:
    case v1::MANIFEST_STATUS_ISSUED:
    case v1::MANIFEST_STATUS_CANCELLED:
    case v1::MANIFEST_STATUS_VOIDED:
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot record a track on manifest ", m.number(), ": it is ",
          ShortName(m.status()), " (no leg is under way)"));
    default:
      break;
  }
  if (request.leg() < 1 || request.leg() > m.legs_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("leg ", request.leg(), " is not a leg of manifest ",
                     m.number(), ", which has ", m.legs_size()));
  }
  const v1::Leg& leg = m.legs(request.leg() - 1);
  if (leg.carrier() != request.carrier()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "carrier ", request.carrier(), " did not drive leg ", request.leg(),
        " of manifest ", m.number(), "; ", leg.carrier(), " did"));
  }
  if (request.points().empty() || request.points_size() > kMaxTrackPoints) {
    return absl::InvalidArgumentError(
        absl::StrCat("points must hold 1..", kMaxTrackPoints, " points, got ",
                     request.points_size()));
  }
  const ledger::v1::LegTrack before = LegTrackOf(m, request.leg());
  if (request.previous_digest() != before.digest()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "previous_digest ",
        request.previous_digest().empty() ? "(empty)"
                                          : request.previous_digest(),
        " is not leg ", request.leg(), "'s last batch: ",
        before.digest().empty() ? "it has none yet" : before.digest(),
        " is; fetch the manifest and send the batches that follow it"));
  }
  int64_t last = before.points() > 0 ? before.last().time() : INT64_MIN;
  for (int i = 0; i < request.points_size(); ++i) {
    const v1::TrackPoint& p = request.points(i);
    const std::string field = absl::StrCat("points[", i, "]");
    const LatLon where = PointLatLon(p);
    if (!InRange(where) || (p.lat_e6() == 0 && p.lon_e6() == 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " position ", Where(where), " is no WGS-84 position"));
    }
    if (p.speed_dkmh() > kMaxSpeedDkmh) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".speed_dkmh ", p.speed_dkmh(),
                       " is over 250 km/h: a broken terminal's reading"));
    }
    if (p.time() <= last) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".time ", When(absl::FromUnixSeconds(p.time())),
                       " does not follow the point before it at ",
                       When(absl::FromUnixSeconds(last)),
                       ": points come in strictly increasing time"));
    }
    last = p.time();
    const absl::Time at = absl::FromUnixSeconds(p.time());
    if (at > now + kDeviceClockSkew) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".time ", When(at),
                       " is ahead of the server's clock ", When(now)));
    }
    if (now - at > config.scan_window) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, ".time ", When(at), " is more than ",
                       absl::FormatDuration(config.scan_window),
                       " ago: a track is accepted within that of being made"));
    }
  }
  ledger::v1::ManifestEvent e;
  *e.mutable_track_recorded() = Transcribe<ledger::v1::TrackRecorded>(request);
  *e.mutable_track() = FollowTrack(m, before, e.track_recorded(), config).after;
  return Decide(m, {std::move(e)}, now);
}

}  // namespace cradle::domain
