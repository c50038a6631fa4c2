// cradlectl track upload, track show, weigh: a leg's transport track in
// chained batches, and weighbridge readings (docs/TRACKS.md).

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

#include "base/files.h"
#include "base/status_macros.h"
#include "clients/cli.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "domain/names.h"
#include "domain/quantity.h"
#include "domain/track.h"
#include "domain/work_calendar.h"
#include "security/vouch.h"

namespace cradle::clients {
namespace {

std::string PointTime(const v1::TrackPoint& p) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(p.time()),
                          domain::ChinaTime());
}

std::string PointText(const v1::TrackPoint& p) {
  return absl::StrFormat("%s (%.6f, %.6f) %.1f km/h", PointTime(p),
                         p.lat_e6() / 1e6, p.lon_e6() / 1e6,
                         p.speed_dkmh() / 10.0);
}

// cradlectl track upload: the file's points in batches, each chained to
// the leg's digest; a rerun resends what is recorded already as replays
// (each batch's idempotency key is made of its content).
absl::Status UploadTrack(const Context& ctx, const ParsedArgs& a) {
  const std::string number = a.positional[0];
  CRADLE_ASSIGN_OR_RETURN(
      const int64_t leg,
      ParseWholeNumber("--leg", "leg", a.Get("leg"), 1, 100));
  int64_t batch_size = 120;
  if (a.Has("batch")) {
    CRADLE_ASSIGN_OR_RETURN(
        batch_size, ParseWholeNumber("--batch", "batch size", a.Get("batch"), 1,
                                     domain::kMaxTrackPoints));
  }
  CRADLE_ASSIGN_OR_RETURN(const std::string text, ReadFile(a.Get("file")));
  CRADLE_ASSIGN_OR_RETURN(std::vector<v1::TrackPoint> points,
                          ParseTrackCsv(a.Get("file"), text));
  CRADLE_ASSIGN_OR_RETURN(const v1::Manifest m, FetchManifest(ctx, number));
  std::string carrier = a.Get("carrier");
  if (carrier.empty() && leg <= m.legs_size()) {
    carrier = m.legs(leg - 1).carrier();
  }
  // Resume after what the leg holds: points at or before its last are
  // skipped (sent by an earlier run).
  std::string digest;
  int64_t after = INT64_MIN;
  for (const v1::LegTrack& t : m.tracks()) {
    if (t.leg() == leg) {
      digest = t.digest();
      after = t.last().time();
    }
  }
  size_t next = 0;
  while (next < points.size() && points[next].time() <= after) ++next;
  const size_t first_unsent = next;
  if (next == points.size()) {
    std::printf("leg %lld of %s already holds all %zu points; digest %s\n",
                static_cast<long long>(leg), number.c_str(), points.size(),
                digest.c_str());
    return absl::OkStatus();
  }
  auto stub = v1::Transfers::NewStub(ctx.channel);
  const size_t batches = (points.size() - next + batch_size - 1) / batch_size;
  for (size_t b = 0; next < points.size(); ++b) {
    v1::RecordTrackRequest req;
    CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
    *req.mutable_meta() = meta;
    req.set_number(number);
    req.set_carrier(carrier);
    req.set_leg(static_cast<int>(leg));
    req.set_previous_digest(digest);
    for (int64_t i = 0; i < batch_size && next < points.size(); ++i) {
      *req.add_points() = points[next++];
    }
    {
      // The batch's content names it (not --idempotency-key, which would
      // name every batch alike): resent, it is recorded once.
      v1::RecordTrackRequest content = req;
      content.clear_meta();
      req.mutable_meta()->set_idempotency_key(absl::StrCat(
          "track-", absl::BytesToHexString(security::RequestSha256(content))
                        .substr(0, 32)));
    }
    CRADLE_RETURN_IF_ERROR(SignIfKeyed(ctx, &req));
    v1::RecordTrackResponse reply;
    auto call = ctx.Call();
    grpc::Status s = stub->RecordTrack(call.get(), req, &reply);
    if (!s.ok()) {
      return absl::Status(
          FromGrpc(s).code(),
          absl::StrCat("batch ", b + 1, " of ", batches, " (points from ",
                       PointTime(req.points(0)), "): ", s.error_message(),
                       b > 0 ? "; the batches before it are recorded, and a "
                               "rerun sends only what follows them"
                             : ""));
    }
    digest = reply.digest();
    std::fprintf(stderr, "batch %zu/%zu: %d points to %s, entry %llu%s\n",
                 b + 1, batches, req.points_size(),
                 PointTime(req.points(req.points_size() - 1)).c_str(),
                 static_cast<unsigned long long>(reply.receipt().sequence()),
                 reply.receipt().replayed() ? " (replayed)" : "");
    if (b + 1 == batches || next == points.size()) {
      if (ctx.json) {
        PrintJson(reply);
      } else {
        std::printf(
            "leg %lld of %s: %zu points sent in %zu batches (%zu held "
            "already); digest %s\n",
            static_cast<long long>(leg), number.c_str(),
            points.size() - first_unsent, b + 1, first_unsent, digest.c_str());
        for (const v1::Flag& f : reply.manifest().flags()) {
          if (f.kind() == v1::FLAG_KIND_ROUTE_DEVIATION ||
              f.kind() == v1::FLAG_KIND_LONG_STOP ||
              f.kind() == v1::FLAG_KIND_TRACK_GAP) {
            PrintFlag(ctx, f);
          }
        }
      }
    }
  }
  return absl::OkStatus();
}

// cradlectl track show
absl::Status ShowTrack(const Context& ctx, const ParsedArgs& a) {
  CRADLE_ASSIGN_OR_RETURN(const v1::Manifest m,
                          FetchManifest(ctx, a.positional[0]));
  if (ctx.json) {
    v1::Manifest only;
    only.set_number(m.number());
    *only.mutable_tracks() = m.tracks();
    *only.mutable_weighings() = m.weighings();
    PrintJson(only);
    return absl::OkStatus();
  }
  for (const v1::Leg& leg : m.legs()) {
    std::printf("leg %d  %s  vehicle %s  route: %d positions\n", leg.number(),
                leg.carrier().c_str(), leg.vehicle().c_str(),
                leg.transport().route_size());
    bool any = false;
    for (const v1::LegTrack& t : m.tracks()) {
      if (t.leg() != leg.number()) continue;
      any = true;
      std::printf("  %lld points in %d batches, digest %s\n",
                  static_cast<long long>(t.points()), t.batches(),
                  t.digest().c_str());
      std::printf("  first %s\n  last  %s\n", PointText(t.first()).c_str(),
                  PointText(t.last()).c_str());
      if (leg.transport().route_size() >= 2) {
        std::printf("  farthest from the route: %.1f km%s\n",
                    t.max_off_route_m() / 1000,
                    t.off_route() ? "; outside the corridor now" : "");
      }
      if (t.has_stop_start()) {
        std::printf("  standing since %s\n", PointTime(t.stop_start()).c_str());
      }
    }
    if (!any) std::printf("  no track\n");
  }
  for (const v1::Weighing& w : m.weighings()) {
    std::printf("%s  %s on %s at %s: gross %s, tare %s, net %s\n",
                domain::ShortName(w.point()).c_str(), w.by().c_str(),
                w.device().c_str(), Time(w.device_time()).c_str(),
                FormatQuantity(w.gross_g()).c_str(),
                FormatQuantity(w.tare_g()).c_str(),
                FormatQuantity(w.net_g()).c_str());
  }
  return absl::OkStatus();
}

// cradlectl weigh
absl::Status Weigh(const Context& ctx, const ParsedArgs& a) {
  v1::WeighRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_by(a.Get("by"));
  v1::WeighPoint point;
  if (!domain::ParseShortName(a.Get("point"), &point) ||
      point == v1::WEIGH_POINT_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("--point ", a.Get("point"), " is not exit or entry"));
  }
  req.set_point(point);
  CRADLE_ASSIGN_OR_RETURN(const int64_t gross, domain::ParseQuantityGrams(
                                                   "--gross", a.Get("gross")));
  CRADLE_ASSIGN_OR_RETURN(const int64_t tare,
                          domain::ParseQuantityGrams("--tare", a.Get("tare")));
  req.set_gross_g(gross);
  req.set_tare_g(tare);
  auto stub = v1::Transfers::NewStub(ctx.channel);
  return ManifestWrite<v1::WeighRequest, v1::WeighResponse>(
      ctx, req, [&](auto* call, const auto& r, auto* out) {
        return stub->Weigh(call, r, out);
      });
}

}  // namespace

std::vector<Command> TrackCommands() {
  return {
      {"track upload", "NUMBER",
       "Send a leg's track from a CSV file (time,lat,lon,speed_kmh per line; "
       "time RFC 3339 or Unix seconds) in batches chained by digest, as a "
       "fleet platform relays its terminals' points. Points the leg already "
       "holds are skipped, so a rerun after a failure sends the rest.",
       With({{"leg", "N", "the leg (1-based)", false, true},
             {"file", "FILE", "the points", false, true},
             {"carrier", "USCC", "the leg's carrier (default: the leg's)"},
             {"batch", "N",
              "points per batch, 1..2000 (default 120: an hour "
              "at one point per 30 s)"}},
            true),
       UploadTrack},
      {"track show",
       "NUMBER",
       "Each leg's track as recorded (points, digest, first and last point, "
       "distance from the route) and the weighbridge readings.",
       {},
       ShowTrack},
      {"weigh", "NUMBER",
       "Record a weighbridge reading of the whole load, signed by the party "
       "that weighs: at the generator's exit or the receiver's entry. Where "
       "present, readings stand in for typed weights in "
       "QUANTITY_DISCREPANCY. --device names the weighbridge.",
       With({{"by", "USCC", "the generator (exit) or receiver (entry)", false,
              true},
             {"point", "POINT", "exit or entry", false, true},
             {"gross", "QTY", "the loaded vehicle, e.g. 18.4t", false, true},
             {"tare", "QTY", "the empty vehicle, e.g. 12.1t", false, true}},
            true),
       Weigh},
  };
}

}  // namespace cradle::clients
