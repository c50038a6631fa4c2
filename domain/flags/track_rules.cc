// The three rules on a leg's track (docs/TRACKS.md), each raised at once by
// the batch that shows it, with the stream version of that batch's event as
// its subject:
//   ROUTE_DEVIATION (HIGH): a point lies farther than the corridor from the
//     leg's declared route; one flag per excursion (the vehicle must come
//     back inside before it is raised again).
//   LONG_STOP (MEDIUM): the vehicle stands still (under 5 km/h) longer than
//     the limit farther than the corridor from the route's origin and
//     destination; one flag per stop.
//   TRACK_GAP (MEDIUM): no points for longer than the limit while the leg
//     was under way: between its start and its first point, between two
//     points, or between its last point and its end (a relay or delivery,
//     judged then).
// A leg is judged on what it declares and sends: ROUTE_DEVIATION and
// LONG_STOP need a declared route; TRACK_GAP a route or a track.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/time.h"
#include "domain/flags/rules.h"
#include "domain/track.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

// Flags of `kind` on leg `leg` at `subject`, naming the generator and the
// leg's carrier.
void RaiseOnLeg(v1::FlagKind kind, v1::Severity severity, int subject,
                const v1::Manifest& m, int leg,
                const std::vector<std::string>& findings,
                std::vector<ledger::v1::ManifestEvent>* out) {
  if (findings.empty()) return;
  ledger::v1::ManifestEvent e =
      RaiseFlag(kind, severity, subject, absl::StrJoin(findings, "; "));
  e.mutable_flag_raised()->add_enterprises(m.generator());
  if (leg >= 1 && leg <= m.legs_size() &&
      m.legs(leg - 1).carrier() != m.generator()) {
    e.mutable_flag_raised()->add_enterprises(m.legs(leg - 1).carrier());
  }
  out->push_back(std::move(e));
}

class TrackRule : public EventRule {
 public:
  TrackRule(v1::FlagKind kind, v1::Severity severity,
            std::vector<std::string> TrackFindings::*findings)
      : kind_(kind), severity_(severity), findings_(findings) {}

  v1::FlagKind kind() const override { return kind_; }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    for (size_t i = 0; i < ctx.events.size(); ++i) {
      const ledger::v1::ManifestEvent& e = ctx.events[i];
      const int subject = static_cast<int>(ctx.first_version + i);
      if (e.has_track_recorded()) {
        const int leg = e.track_recorded().leg();
        TrackFindings f = FollowTrack(ctx.after, LegTrackOf(ctx.before, leg),
                                      e.track_recorded(), ctx.config);
        RaiseOnLeg(kind_, severity_, subject, ctx.after, leg, f.*findings_,
                   out);
      } else {
        AtLegEnd(ctx, e, subject, out);
      }
    }
    return absl::OkStatus();
  }

 protected:
  virtual void AtLegEnd(const EventContext&, const ledger::v1::ManifestEvent&,
                        int, std::vector<ledger::v1::ManifestEvent>*) const {}

  v1::Severity severity() const { return severity_; }

 private:
  v1::FlagKind kind_;
  v1::Severity severity_;
  std::vector<std::string> TrackFindings::*findings_;
};

class TrackGap final : public TrackRule {
 public:
  TrackGap()
      : TrackRule(v1::FLAG_KIND_TRACK_GAP, v1::SEVERITY_MEDIUM,
                  &TrackFindings::gaps) {}

 private:
  // A relay ends the leg before it; a delivery the last.
  void AtLegEnd(const EventContext& ctx, const ledger::v1::ManifestEvent& e,
                int subject,
                std::vector<ledger::v1::ManifestEvent>* out) const override {
    const v1::Manifest& m = ctx.after;
    int leg = 0;
    const ledger::v1::WriteMeta* meta = nullptr;
    if (e.has_relayed()) {
      leg = m.legs_size() - 1;
      meta = &e.relayed().meta();
    } else if (e.has_delivered()) {
      // A misdelivery (another receiver's scan) does not end the leg.
      leg = m.legs_size();
      meta = &e.delivered().meta();
    }
    if (leg < 1) return;
    const ledger::v1::LegTrack track = LegTrackOf(m, leg);
    if (LegRoute(m, leg).size() < 2 && track.points() == 0) return;
    absl::Time from;
    if (track.points() > 0) {
      from = absl::FromUnixSeconds(track.last().time());
    } else if (m.legs(leg - 1).has_device_time()) {
      from = FromTimestamp(m.legs(leg - 1).device_time());
    } else {
      return;
    }
    const absl::Time end =
        meta->has_device_time() ? FromTimestamp(meta->device_time()) : ctx.now;
    if (end - from <= ctx.config.track_gap) return;
    const auto when = [](absl::Time t) {
      return absl::FormatTime("%Y-%m-%d %H:%M", t, ChinaTime());
    };
    RaiseOnLeg(kind(), severity(), subject, m, leg,
               {absl::StrCat("leg ", leg, ": no points from ", when(from),
                             track.points() > 0 ? "" : " (its start)",
                             " to its end at ", when(end), " (",
                             absl::ToInt64Minutes(end - from), " min)")},
               out);
  }
};

}  // namespace

const EventRule& RouteDeviationRule() {
  static const TrackRule* rule =
      new TrackRule(v1::FLAG_KIND_ROUTE_DEVIATION, v1::SEVERITY_HIGH,
                    &TrackFindings::deviations);
  return *rule;
}

const EventRule& LongStopRule() {
  static const TrackRule* rule = new TrackRule(
      v1::FLAG_KIND_LONG_STOP, v1::SEVERITY_MEDIUM, &TrackFindings::stops);
  return *rule;
}

const EventRule& TrackGapRule() {
  static const TrackGap* rule = new TrackGap;
  return *rule;
}

}  // namespace cradle::domain
