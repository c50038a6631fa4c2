// Folding events into a Manifest: what a decision produces and what a
// replay of the ledger rebuilds (Apply), and the events' entry types.

#include <algorithm>
#include <string>
#include <utility>

#include "base/time.h"
#include "domain/container.h"
#include "domain/flag_history.h"
#include "domain/lifecycle.h"
#include "domain/record.h"
#include "domain/revision.h"

namespace cradle::domain {
namespace {

v1::Destination NewDestination(absl::string_view receiver, int lines) {
  v1::Destination d;
  d.set_receiver(std::string(receiver));
  for (int i = 0; i < lines; ++i) {
    d.add_sent_g(0);
    d.add_received_g(0);
    d.add_accepted_g(0);
    d.add_rejected_g(0);
    d.add_disposed_g(0);
    d.add_reject_reasons("");
    d.add_disposal_methods("");
  }
  return d;
}

// Adds what `applied` counts (or gives back) to the manifest's count of
// its plan, code and receiver; a count given back to 0 is dropped.
void ApplyPlanCount(const ledger::v1::PlanApplied& applied, v1::Manifest* m) {
  auto* counts = m->mutable_plan_counts();
  for (int i = 0; i < counts->size(); ++i) {
    v1::PlanCount& c = (*counts)[i];
    if (c.number() == applied.number() && c.code() == applied.code() &&
        c.receiver() == applied.receiver()) {
      c.set_grams(c.grams() + applied.grams());
      if (c.grams() == 0) counts->erase(counts->begin() + i);
      return;
    }
  }
  *m->add_plan_counts() = Transcribe<v1::PlanCount>(applied);
}

// A leg opened by a pickup, relay or reroute `event`, whose request said
// `carrier`, `vehicle`, `driver`, `meta` and `transport`.
template <typename LegRequest>
v1::Leg NewLeg(const v1::Manifest& m, absl::string_view carrier,
               absl::string_view handed_over_by, const LegRequest& request,
               const ledger::v1::ManifestEvent& event) {
  v1::Leg leg;
  leg.set_division(event.carrier_division());
  leg.set_number(m.legs_size() + 1);
  leg.set_carrier(std::string(carrier));
  leg.set_vehicle(request.vehicle());
  leg.set_driver(request.driver());
  leg.set_handed_over_by(std::string(handed_over_by));
  const ledger::v1::WriteMeta& meta = request.meta();
  if (meta.has_device_time()) *leg.mutable_device_time() = meta.device_time();
  if (meta.has_position()) {
    leg.mutable_position()->set_lat(meta.position().lat());
    leg.mutable_position()->set_lon(meta.position().lon());
  }
  // Neither before 2026-12.
  if (request.has_transport()) {
    *leg.mutable_transport() = Transcribe<v1::Transport>(request.transport());
  }
  if (event.has_leg_papers()) {
    *leg.mutable_papers() = Transcribe<v1::LegPapers>(event.leg_papers());
  }
  return leg;
}

}  // namespace

bool ChainComplete(const v1::Manifest& m) {
  if (m.destinations().empty()) return false;
  const v1::Destination& last = m.destinations(m.destinations_size() - 1);
  if (!last.received()) return false;
  for (const v1::Destination& d : m.destinations()) {
    // A collector forwards what it accepted on manifests of its own.
    if (d.collected()) continue;
    for (int i = 0; i < d.accepted_g_size(); ++i) {
      if (!d.returned_to_generator() && d.accepted_g(i) != d.disposed_g(i)) {
        return false;
      }
    }
  }
  for (int64_t r : last.rejected_g()) {
    if (r > 0) return false;  // awaiting a reroute
  }
  return true;
}

void Apply(const ledger::v1::ManifestEvent& event, absl::Time recorded,
           v1::Manifest* m) {
  m->set_version(m->version() + 1);
  *m->mutable_updated_at() = ToTimestamp(recorded);
  v1::Destination* dest =
      m->destinations().empty()
          ? nullptr
          : m->mutable_destinations(m->destinations_size() - 1);
  switch (event.kind_case()) {
    case ledger::v1::ManifestEvent::kOpened: {
      const ledger::v1::Opened& o = event.opened();
      if (!event.number().empty()) m->set_number(event.number());
      m->set_status(o.draft() ? v1::MANIFEST_STATUS_DRAFT
                              : v1::MANIFEST_STATUS_ISSUED);
      m->set_generator(o.generator());
      m->set_carrier(o.carrier());
      m->set_receiver(o.receiver());
      for (int i = 0; i < o.lines_size(); ++i) {
        v1::WasteLine* line = m->add_lines();
        *line = Transcribe<v1::WasteLine>(o.lines(i));
        if (i < event.line_defaults_size()) {  // none before 2026-12
          const ledger::v1::LineDefaults& d = event.line_defaults(i);
          if (line->name().empty()) line->set_name(d.name());
          if (line->hazards().empty()) {
            for (int h : d.hazards()) {
              line->add_hazards(static_cast<v1::HazardCharacteristic>(h));
            }
          }
          // A line of containers that left it unset: their weights' sum.
          if (line->quantity_g() == 0) line->set_quantity_g(d.quantity_g());
        }
      }
      m->set_method(o.method());
      m->set_origin_division(event.origin_division());
      m->set_destination_division(event.destination_division());
      m->set_paper_date(o.paper_date());
      if (o.has_dispatch()) {  // none before 2026-12
        *m->mutable_dispatch() = Transcribe<v1::Dispatch>(o.dispatch());
      }
      *m->mutable_opened_at() = ToTimestamp(recorded);
      v1::Destination* d = m->add_destinations();
      *d = NewDestination(o.receiver(), o.lines_size());
      d->set_division(event.destination_division());
      for (int i = 0; i < o.lines_size(); ++i) {
        d->set_sent_g(i, m->lines(i).quantity_g());
      }
      break;
    }
    case ledger::v1::ManifestEvent::kIssued:
      m->set_status(v1::MANIFEST_STATUS_ISSUED);
      break;
    case ledger::v1::ManifestEvent::kCancelled:
      m->set_status(v1::MANIFEST_STATUS_CANCELLED);
      m->set_cancel_reason(event.cancelled().reason());
      break;
    case ledger::v1::ManifestEvent::kPickedUp: {
      const ledger::v1::PickedUp& p = event.picked_up();
      m->set_status(v1::MANIFEST_STATUS_IN_TRANSIT);
      v1::Leg leg = NewLeg(*m, p.carrier(), m->generator(), p, event);
      leg.set_trip(p.trip());
      *m->add_legs() = std::move(leg);
      if (dest != nullptr) *dest->mutable_sent_at() = ToTimestamp(recorded);
      break;
    }
    case ledger::v1::ManifestEvent::kRelayed: {
      const ledger::v1::Relayed& r = event.relayed();
      *m->add_legs() = NewLeg(*m, r.to_carrier(), r.from_carrier(), r, event);
      m->set_carrier(r.to_carrier());
      break;
    }
    case ledger::v1::ManifestEvent::kDelivered:
      m->set_status(v1::MANIFEST_STATUS_DELIVERED);
      if (dest != nullptr) {
        dest->set_delivered(true);
        *dest->mutable_delivered_at() = ToTimestamp(recorded);
      }
      break;
    case ledger::v1::ManifestEvent::kReceived: {
      if (dest == nullptr) break;
      bool any_accepted = false, any_rejected = false;
      for (const ledger::v1::LineReceipt& r : event.received().lines()) {
        const int i = r.line() - 1;
        if (i < 0 || i >= dest->sent_g_size()) continue;
        dest->set_received_g(i, dest->received_g(i) + r.quantity_g());
        if (r.decision() == ledger::v1::LineReceipt::REJECT) {
          dest->set_rejected_g(i, dest->rejected_g(i) + r.quantity_g());
          dest->set_reject_reasons(i, r.reason());
          any_rejected |= r.quantity_g() > 0;
        } else {
          dest->set_accepted_g(i, dest->accepted_g(i) + r.quantity_g());
          any_accepted |= r.quantity_g() > 0;
        }
        if (r.form() != ledger::v1::PHYSICAL_FORM_UNSPECIFIED ||
            !r.packaging().empty() || !r.hazards().empty()) {
          *dest->add_checks() = Transcribe<v1::LineReceipt>(r);
        }
      }
      const ledger::v1::Received& received = event.received();
      dest->set_licence(received.licence());
      dest->set_received_by(received.received_by());
      dest->set_received(true);
      dest->set_collected(event.into_collection());
      *dest->mutable_received_at() = ToTimestamp(recorded);
      m->set_status(!any_rejected  ? v1::MANIFEST_STATUS_ACCEPTED
                    : any_accepted ? v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED
                                   : v1::MANIFEST_STATUS_REJECTED);
      break;
    }
    case ledger::v1::ManifestEvent::kRerouted: {
      const ledger::v1::Rerouted& r = event.rerouted();
      if (dest == nullptr) break;
      v1::Destination next = NewDestination(r.to(), m->lines_size());
      for (int i = 0; i < m->lines_size(); ++i) {
        next.set_sent_g(i, dest->rejected_g(i));
      }
      next.set_returned_to_generator(r.to() == m->generator());
      next.set_division(event.destination_division());
      *next.mutable_sent_at() = ToTimestamp(recorded);
      *m->add_legs() = NewLeg(*m, r.carrier(), m->receiver(), r, event);
      *m->add_destinations() = std::move(next);
      m->set_carrier(r.carrier());
      m->set_receiver(r.to());
      m->set_destination_division(event.destination_division());
      m->set_status(v1::MANIFEST_STATUS_IN_TRANSIT);
      break;
    }
    case ledger::v1::ManifestEvent::kDisposed: {
      const ledger::v1::Disposed& d = event.disposed();
      for (const ledger::v1::LineDisposal& l : d.lines()) {
        int64_t left = l.quantity_g();
        const int i = l.line() - 1;
        for (v1::Destination& to : *m->mutable_destinations()) {
          if (left == 0) break;
          if (to.receiver() != d.receiver() || !to.received() || i < 0 ||
              i >= to.accepted_g_size()) {
            continue;
          }
          const int64_t take =
              std::min(left, to.accepted_g(i) - to.disposed_g(i));
          if (take <= 0) continue;
          to.set_disposed_g(i, to.disposed_g(i) + take);
          to.set_disposal_methods(i, l.method());
          if (!d.outcome().empty()) to.set_outcome(d.outcome());
          left -= take;
        }
      }
      if (ChainComplete(*m)) m->set_status(v1::MANIFEST_STATUS_DISPOSED);
      break;
    }
    case ledger::v1::ManifestEvent::kClosed:
      m->set_status(v1::MANIFEST_STATUS_CLOSED);
      break;
    case ledger::v1::ManifestEvent::kFlagRaised:
      ApplyFlagRaised(event.flag_raised(), recorded, m->mutable_flags());
      break;
    case ledger::v1::ManifestEvent::kFlagAcked:
    case ledger::v1::ManifestEvent::kFlagResolved:
    case ledger::v1::ManifestEvent::kFlagCleared: {
      std::string id, by, note;
      v1::FlagState state;
      if (event.has_flag_cleared()) {
        id = event.flag_cleared().id();
        by = "cradle";
        note = event.flag_cleared().reason();
        state = v1::FLAG_STATE_CLEARED;
      } else {
        const ledger::v1::FlagNoted& r =
            event.has_flag_acked() ? event.flag_acked() : event.flag_resolved();
        id = r.id();
        by = r.by();
        note = r.note();
        state = event.has_flag_acked() ? v1::FLAG_STATE_ACKED
                                       : v1::FLAG_STATE_RESOLVED;
      }
      ApplyFlagNote(id, state, by, note, recorded, m->mutable_flags());
      break;
    }
    case ledger::v1::ManifestEvent::kPaymentRecorded: {
      v1::Payment* p = m->add_payments();
      p->set_payer(event.payment_recorded().payer());
      p->set_payee(event.payment_recorded().payee());
      p->set_amount_fen(event.payment_recorded().amount_fen());
      *p->mutable_recorded() = ToTimestamp(recorded);
      break;
    }
    case ledger::v1::ManifestEvent::kMisdelivered:
      break;  // evidence only: the load is still on its way
    case ledger::v1::ManifestEvent::kApprovalApplied:
      // A revision that re-addresses the load gives back what it counted
      // (negative grams); none did before 2026-12.
      m->set_approval(event.approval_applied().grams() < 0
                          ? std::string()
                          : event.approval_applied().number());
      break;
    case ledger::v1::ManifestEvent::kPlanApplied:
      ApplyPlanCount(event.plan_applied(), m);
      break;
    case ledger::v1::ManifestEvent::kRevisionProposed:
    case ledger::v1::ManifestEvent::kRevisionAnswered:
    case ledger::v1::ManifestEvent::kRevisionApplied:
    case ledger::v1::ManifestEvent::kRevisionLapsed:
    case ledger::v1::ManifestEvent::kVoided:
    case ledger::v1::ManifestEvent::kReturned:
    case ledger::v1::ManifestEvent::kReturnConfirmed:
      ApplyCorrection(event, recorded, m);
      break;
    case ledger::v1::ManifestEvent::kScanned: {
      const ledger::v1::Scanned& sc = event.scanned();
      v1::ContainerScan* scan = m->add_scans();
      scan->set_point(static_cast<v1::ScanPoint>(sc.point()));
      scan->set_by(sc.by());
      *scan->mutable_containers() = sc.containers();
      scan->set_device(sc.meta().device());
      if (sc.meta().has_device_time()) {
        *scan->mutable_device_time() = sc.meta().device_time();
        scan->set_late(recorded - FromTimestamp(sc.meta().device_time()) >
                       kScanLateAfter);
      }
      if (sc.meta().has_position()) {
        scan->mutable_position()->set_lat(sc.meta().position().lat());
        scan->mutable_position()->set_lon(sc.meta().position().lon());
      }
      *scan->mutable_at() = ToTimestamp(recorded);
      scan->set_handover(event.handover());
      break;
    }
    case ledger::v1::ManifestEvent::kTrackRecorded: {
      // The decision recorded what the batch made of the leg's track.
      v1::LegTrack* track = nullptr;
      for (v1::LegTrack& t : *m->mutable_tracks()) {
        if (t.leg() == event.track().leg()) track = &t;
      }
      if (track == nullptr) track = m->add_tracks();
      *track = Transcribe<v1::LegTrack>(event.track());
      break;
    }
    case ledger::v1::ManifestEvent::kWeighed: {
      const ledger::v1::Weighed& w = event.weighed();
      v1::Weighing* reading = m->add_weighings();
      reading->set_point(static_cast<v1::WeighPoint>(w.point()));
      reading->set_by(w.by());
      reading->set_device(w.meta().device());
      *reading->mutable_device_time() = w.meta().device_time();
      reading->set_gross_g(w.gross_g());
      reading->set_tare_g(w.tare_g());
      reading->set_net_g(w.gross_g() - w.tare_g());
      reading->set_destination(event.handover());
      *reading->mutable_at() = ToTimestamp(recorded);
      break;
    }
    case ledger::v1::ManifestEvent::KIND_NOT_SET:
      break;
  }
}

std::string EventType(const ledger::v1::ManifestEvent& event) {
  switch (event.kind_case()) {
    case ledger::v1::ManifestEvent::kOpened:
      return "manifest.opened";
    case ledger::v1::ManifestEvent::kIssued:
      return "manifest.issued";
    case ledger::v1::ManifestEvent::kCancelled:
      return "manifest.cancelled";
    case ledger::v1::ManifestEvent::kPickedUp:
      return "manifest.picked_up";
    case ledger::v1::ManifestEvent::kRelayed:
      return "manifest.relayed";
    case ledger::v1::ManifestEvent::kDelivered:
      return "manifest.delivered";
    case ledger::v1::ManifestEvent::kReceived:
      return "manifest.received";
    case ledger::v1::ManifestEvent::kRerouted:
      return "manifest.rerouted";
    case ledger::v1::ManifestEvent::kDisposed:
      return "manifest.disposed";
    case ledger::v1::ManifestEvent::kClosed:
      return "manifest.closed";
    case ledger::v1::ManifestEvent::kFlagRaised:
      return "flag.raised";
    case ledger::v1::ManifestEvent::kFlagAcked:
      return "flag.acked";
    case ledger::v1::ManifestEvent::kFlagResolved:
      return "flag.resolved";
    case ledger::v1::ManifestEvent::kFlagCleared:
      return "flag.cleared";
    case ledger::v1::ManifestEvent::kPaymentRecorded:
      return "manifest.payment_recorded";
    case ledger::v1::ManifestEvent::kMisdelivered:
      return "manifest.misdelivered";
    case ledger::v1::ManifestEvent::kApprovalApplied:
      return "manifest.approval_applied";
    case ledger::v1::ManifestEvent::kPlanApplied:
      return "manifest.plan_applied";
    case ledger::v1::ManifestEvent::kRevisionProposed:
      return "manifest.revision_proposed";
    case ledger::v1::ManifestEvent::kRevisionAnswered:
      return "manifest.revision_answered";
    case ledger::v1::ManifestEvent::kRevisionApplied:
      return "manifest.revision_applied";
    case ledger::v1::ManifestEvent::kRevisionLapsed:
      return "manifest.revision_lapsed";
    case ledger::v1::ManifestEvent::kVoided:
      return "manifest.voided";
    case ledger::v1::ManifestEvent::kReturned:
      return "manifest.returned";
    case ledger::v1::ManifestEvent::kReturnConfirmed:
      return "manifest.return_confirmed";
    case ledger::v1::ManifestEvent::kScanned:
      return "manifest.scanned";
    case ledger::v1::ManifestEvent::kTrackRecorded:
      return "manifest.track_recorded";
    case ledger::v1::ManifestEvent::kWeighed:
      return "manifest.weighed";
    case ledger::v1::ManifestEvent::KIND_NOT_SET:
      break;
  }
  return "manifest.unknown";
}

}  // namespace cradle::domain
