#include "domain/lifecycle.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/carrier_form.h"
#include "domain/container.h"
#include "domain/decision_checks.h"
#include "domain/flag_history.h"
#include "domain/flags/licence.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/packaging.h"
#include "domain/plan.h"
#include "domain/plate.h"
#include "domain/record.h"
#include "domain/treatment_method.h"
#include "domain/uscc.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

using v1::ManifestStatus;

std::string StatusName(ManifestStatus s) { return ShortName(s); }

const char* PartyName(Party p) {
  switch (p) {
    case Party::kGenerator:
      return "generator";
    case Party::kCarrier:
      return "carrier";
    case Party::kReceiver:
      return "receiver";
  }
  return "?";
}

}  // namespace

absl::Status CheckState(Action action, const v1::Manifest& m) {
  const Transition& t = TransitionFor(action);
  if (std::find(t.from.begin(), t.from.end(), m.status()) != t.from.end()) {
    return absl::OkStatus();
  }
  std::vector<std::string> allowed;
  for (ManifestStatus s : t.from) allowed.push_back(StatusName(s));
  return absl::FailedPreconditionError(
      absl::StrCat("cannot ", t.verb, " manifest ", m.number(), ": it is ",
                   StatusName(m.status()), ", and ", t.verb, " needs ",
                   absl::StrJoin(allowed, " or ")));
}

namespace {

// The acting party must be the manifest's own.
absl::Status CheckParty(absl::string_view field, absl::string_view actor,
                        absl::string_view expected, Party party,
                        absl::string_view number) {
  if (actor.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  if (actor != expected) {
    return absl::PermissionDeniedError(
        absl::StrCat(field, " ", actor, " is not the ", PartyName(party),
                     " of manifest ", number, " (", expected, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckMeta(const v1::WriteMeta& meta) {
  if (meta.has_position()) {
    const double lat = meta.position().lat(), lon = meta.position().lon();
    if (!(lat >= -90 && lat <= 90)) {
      return absl::InvalidArgumentError(
          absl::StrCat("meta.position.lat ", lat, " is outside -90..90"));
    }
    if (!(lon >= -180 && lon <= 180)) {
      return absl::InvalidArgumentError(
          absl::StrCat("meta.position.lon ", lon, " is outside -180..180"));
    }
  }
  CRADLE_RETURN_IF_ERROR(
      CheckText("meta.person", meta.person(), kMaxShortTextBytes, false));
  return CheckText("meta.device", meta.device(), kMaxShortTextBytes, false);
}

namespace {

// The checks every request on an existing manifest starts with: its meta,
// that `actor` (the request's `field`) is the manifest's `expected` party for
// `action`, and that the manifest's status allows the action.
absl::Status CheckRequest(const v1::Manifest& m, const v1::WriteMeta& meta,
                          Action action, absl::string_view field,
                          absl::string_view actor, absl::string_view expected) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(meta));
  CRADLE_RETURN_IF_ERROR(
      CheckParty(field, actor, expected, TransitionFor(action).by, m.number()));
  return CheckState(action, m);
}

}  // namespace

absl::StatusOr<v1::Container> RegistryReader::GetContainer(
    absl::string_view field, absl::string_view code) const {
  return absl::NotFoundError(
      absl::StrCat(field, " ", code, " is not a registered container"));
}

absl::StatusOr<v1::ManagementPlan> RegistryReader::GetPlan(
    absl::string_view field, absl::string_view number) const {
  return absl::NotFoundError(
      absl::StrCat(field, " ", number, " is not a filed management plan"));
}

bool HasRole(const v1::Enterprise& e, std::initializer_list<v1::Role> roles) {
  for (int r : e.roles()) {
    for (v1::Role want : roles) {
      if (r == want) return true;
    }
  }
  return false;
}

// Looks `id` up and checks it holds one of `roles`.
absl::StatusOr<v1::Enterprise> RegisteredAs(
    const RegistryReader& registry, absl::string_view field,
    absl::string_view id, std::initializer_list<v1::Role> roles) {
  if (id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  CRADLE_RETURN_IF_ERROR(ValidateUscc(field, id));
  CRADLE_ASSIGN_OR_RETURN(v1::Enterprise e, registry.GetEnterprise(field, id));
  if (!HasRole(e, roles)) {
    std::vector<std::string> names;
    for (v1::Role r : roles) names.push_back(ShortName(r));
    return absl::FailedPreconditionError(
        absl::StrCat(field, " ", id, " (", e.name(), ") is not registered as ",
                     absl::StrJoin(names, " or ")));
  }
  return e;
}

absl::Status CheckVehicle(absl::string_view field, absl::string_view plate,
                          const v1::Enterprise& carrier) {
  if (plate.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  CRADLE_RETURN_IF_ERROR(ValidatePlate(field, plate));
  for (const v1::Vehicle& v : carrier.vehicles()) {
    if (v.plate() == plate) return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat(field, " ", plate,
                   " is not a registered vehicle of carrier ", carrier.id()));
}

namespace {

// The carrier of a new leg and what the leg records of the registry.
struct LegCarrierFacts {
  v1::Enterprise carrier;
  ledger::v1::LegPapers papers;
};

// The carrier of a new leg: registered as TRANSPORTER, driving one of its
// registered vehicles, with a driver name of sane length and the carrier's
// part of the form (`transport`) checked against its registered crew and
// permit. `request` is the leg's event as recorded (PickedUp, Relayed or
// Rerouted), so the form is checked on what the ledger will hold.
template <typename LegRequest>
absl::StatusOr<LegCarrierFacts> LegCarrier(const RegistryReader& registry,
                                           absl::string_view field,
                                           absl::string_view carrier,
                                           const LegRequest& request,
                                           absl::Time now) {
  LegCarrierFacts facts;
  CRADLE_ASSIGN_OR_RETURN(facts.carrier, RegisteredAs(registry, field, carrier,
                                                      {v1::ROLE_TRANSPORTER}));
  CRADLE_RETURN_IF_ERROR(
      CheckVehicle("vehicle", request.vehicle(), facts.carrier));
  CRADLE_RETURN_IF_ERROR(
      CheckText("driver", request.driver(), kMaxShortTextBytes, false));
  CRADLE_ASSIGN_OR_RETURN(
      facts.papers,
      CheckTransport(request.transport(), facts.carrier, request.vehicle(),
                     absl::ToCivilDay(now, ChinaTime())));
  return facts;
}

// Records on a leg event what the registry held for its carrier, when the
// leg has anything of it.
void SetPapers(const LegCarrierFacts& facts, ledger::v1::ManifestEvent* e) {
  e->set_carrier_division(facts.carrier.division());
  if (facts.papers.ByteSizeLong() > 0) *e->mutable_leg_papers() = facts.papers;
}

// What a receipt line records of the load as it arrived (Art. 18): a
// physical form, a packaging word of the vocabulary, hazard
// characteristics each once.
absl::Status CheckArrival(absl::string_view at, const v1::LineReceipt& r) {
  if (!v1::PhysicalForm_IsValid(r.form())) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, ".form ", r.form(), " is no physical form"));
  }
  if (!r.packaging().empty()) {
    CRADLE_RETURN_IF_ERROR(
        LookupPackaging(absl::StrCat(at, ".packaging"), r.packaging())
            .status());
  }
  return DeclaredHazards(absl::StrCat(at, ".hazards"), r.hazards()).status();
}

// The licence a receipt is made under: one of the receiver's, valid today
// and covering the code of every line it accepts.
absl::Status CheckReceiptLicence(const v1::Manifest& m,
                                 const v1::ReceiveRequest& request,
                                 const RegistryReader& registry,
                                 absl::Time now) {
  CRADLE_ASSIGN_OR_RETURN(
      v1::Enterprise receiver,
      registry.GetEnterprise("receiver", request.receiver()));
  const v1::Licence* licence = nullptr;
  for (const v1::Licence& l : receiver.licences()) {
    if (l.number() == request.licence()) licence = &l;
  }
  if (licence == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("licence ", Quote(request.licence()),
                     " is not a licence of receiver ", receiver.id()));
  }
  const absl::CivilDay today = absl::ToCivilDay(now, ChinaTime());
  for (const v1::LineReceipt& r : request.lines()) {
    if (r.decision() != v1::LineReceipt::DECISION_ACCEPT) continue;
    const std::string& code = m.lines(r.line() - 1).code();
    if (!LicenceCovers(*licence, code, today)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "licence ", licence->number(), " (valid until ",
          licence->valid_until(), ") does not cover ", code, " of line ",
          r.line(), " on ", absl::FormatCivilTime(today)));
    }
  }
  return absl::OkStatus();
}

// A pickup joining vehicle trip `request.trip()` of its carrier: a trip
// number as the carrier writes it, on the same vehicle as the trip's other
// loads, none of them delivered yet, and room for one more.
absl::Status CheckTrip(const v1::Manifest& m, const v1::PickupRequest& request,
                       const RegistryReader& registry) {
  const std::string& trip = request.trip();
  CRADLE_RETURN_IF_ERROR(CheckTripNumber("trip", trip));
  CRADLE_ASSIGN_OR_RETURN(std::vector<v1::Manifest> others,
                          registry.TripManifests(request.carrier(), trip));
  int on_trip = 0;
  for (const v1::Manifest& other : others) {
    if (other.number() == m.number() ||
        other.status() == v1::MANIFEST_STATUS_VOIDED) {
      continue;
    }
    ++on_trip;
    const v1::Leg* leg = nullptr;
    for (const v1::Leg& l : other.legs()) {
      if (l.trip() == trip && l.carrier() == request.carrier()) leg = &l;
    }
    if (leg != nullptr && leg->vehicle() != request.vehicle()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "trip ", trip, " of carrier ", request.carrier(), " is vehicle ",
          leg->vehicle(), "'s (manifest ", other.number(),
          "): a trip is one vehicle's; give vehicle ", request.vehicle(),
          "'s load a trip of its own"));
    }
    for (const v1::Destination& d : other.destinations()) {
      if (d.delivered()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "trip ", trip, " of carrier ", request.carrier(),
            " has ended: manifest ", other.number(), " was delivered to ",
            d.receiver(), "; a new round is a new trip"));
      }
    }
  }
  if (on_trip >= kMaxManifestsPerTrip) {
    return absl::FailedPreconditionError(
        absl::StrCat("trip ", trip, " of carrier ", request.carrier(),
                     " already lists ", on_trip,
                     " manifests, the most one "
                     "trip may: give this load a trip of its own"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTripNumber(absl::string_view field, absl::string_view trip) {
  const bool well_formed =
      !trip.empty() && trip.size() <= 32 && absl::c_all_of(trip, [](char ch) {
        return absl::ascii_isalnum(static_cast<unsigned char>(ch)) ||
               ch == '-' || ch == '_';
      });
  if (well_formed) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, " ", Quote(trip),
                   " is not a trip number: 1-32 letters, digits, '-' or '_', "
                   "e.g. 20261205-1"));
}

Decision Decide(const v1::Manifest& current,
                std::vector<ledger::v1::ManifestEvent> events, absl::Time now) {
  Decision d;
  d.next = current;
  for (const ledger::v1::ManifestEvent& e : events) Apply(e, now, &d.next);
  d.events = std::move(events);
  return d;
}

namespace {

ledger::v1::ManifestEvent Closed() {
  ledger::v1::ManifestEvent e;
  e.mutable_closed();
  return e;
}

}  // namespace

const std::vector<Transition>& LifecycleTable() {
  using S = v1::ManifestStatus;
  static const std::vector<Transition>* table = new std::vector<Transition>{
      {Action::kOpen,
       "open",
       {},
       "DRAFT, or ISSUED unless kept as a draft",
       Party::kGenerator,
       "registered generator/collector, carrier and receiver; 1..100 waste "
       "lines with catalogue codes and positive quantities; an intended "
       "method, if given, of the method table; the legal form's fields "
       "checked as the field table says; a number is assigned"},
      {Action::kIssue,
       "issue",
       {S::MANIFEST_STATUS_DRAFT},
       "ISSUED",
       Party::kGenerator,
       "the generator signs"},
      {Action::kCancel,
       "cancel",
       {S::MANIFEST_STATUS_DRAFT, S::MANIFEST_STATUS_ISSUED},
       "CANCELLED",
       Party::kGenerator,
       "a reason; only before pickup"},
      {Action::kPickup,
       "pickup",
       {S::MANIFEST_STATUS_ISSUED},
       "IN_TRANSIT",
       Party::kCarrier,
       "a vehicle registered to the named carrier, and its registered crew "
       "where named; opens leg 1"},
      {Action::kRelay,
       "relay",
       {S::MANIFEST_STATUS_IN_TRANSIT},
       "IN_TRANSIT",
       Party::kCarrier,
       "the current carrier hands over to another registered carrier and "
       "vehicle; opens a new leg"},
      {Action::kDeliver,
       "deliver",
       {S::MANIFEST_STATUS_IN_TRANSIT},
       "DELIVERED",
       Party::kReceiver,
       "only the named receiver"},
      {Action::kReceive,
       "receive",
       {S::MANIFEST_STATUS_DELIVERED},
       "ACCEPTED, PARTIALLY_ACCEPTED or REJECTED (CLOSED for a return to the "
       "generator)",
       Party::kReceiver,
       "every line on this leg weighed and accepted and/or rejected, at most "
       "once each; a reason for each rejection; a licence, if named, of the "
       "receiver covering what it accepts"},
      {Action::kReroute,
       "reroute",
       {S::MANIFEST_STATUS_PARTIALLY_ACCEPTED, S::MANIFEST_STATUS_REJECTED},
       "IN_TRANSIT",
       Party::kGenerator,
       "the rejected quantities go on a new leg to an alternate receiver or "
       "back to the generator"},
      {Action::kDispose,
       "dispose",
       {S::MANIFEST_STATUS_ACCEPTED, S::MANIFEST_STATUS_PARTIALLY_ACCEPTED,
        S::MANIFEST_STATUS_REJECTED, S::MANIFEST_STATUS_IN_TRANSIT,
        S::MANIFEST_STATUS_DELIVERED},
       "DISPOSED then CLOSED once every accepted quantity is disposed and "
       "nothing is pending; otherwise unchanged",
       Party::kReceiver,
       "a method of the method table per line and no more than the receiver "
       "accepted"},
      {Action::kPayment,
       "payment",
       {S::MANIFEST_STATUS_ISSUED, S::MANIFEST_STATUS_IN_TRANSIT,
        S::MANIFEST_STATUS_DELIVERED, S::MANIFEST_STATUS_ACCEPTED,
        S::MANIFEST_STATUS_PARTIALLY_ACCEPTED, S::MANIFEST_STATUS_REJECTED,
        S::MANIFEST_STATUS_DISPOSED, S::MANIFEST_STATUS_CLOSED},
       "unchanged",
       Party::kGenerator,
       "a payee and a positive amount; a payee other than a receiver of the "
       "load raises DIRECT_PAYMENT"},
      {Action::kVoid,
       "void",
       {S::MANIFEST_STATUS_DRAFT, S::MANIFEST_STATUS_ISSUED,
        S::MANIFEST_STATUS_IN_TRANSIT, S::MANIFEST_STATUS_DELIVERED,
        S::MANIFEST_STATUS_ACCEPTED, S::MANIFEST_STATUS_PARTIALLY_ACCEPTED,
        S::MANIFEST_STATUS_REJECTED, S::MANIFEST_STATUS_DISPOSED},
       "VOIDED",
       Party::kGenerator,
       "a reason (作废: the manifest was made in error); the generator only "
       "before pickup, a regulator of its jurisdiction until it closes"},
  };
  return *table;
}

const Transition& TransitionFor(Action action) {
  for (const Transition& t : LifecycleTable()) {
    if (t.action == action) return t;
  }
  return LifecycleTable().front();  // unreachable: every action has a row
}

std::string LifecycleTableMarkdown() {
  std::string out =
      "| action | from | to | by | needs |\n|---|---|---|---|---|\n";
  for (const Transition& t : LifecycleTable()) {
    std::vector<std::string> from;
    for (v1::ManifestStatus s : t.from) from.push_back(StatusName(s));
    absl::StrAppend(&out, "| ", t.verb, " | ",
                    from.empty() ? "(new)" : absl::StrJoin(from, ", "), " | ",
                    t.to, " | ", PartyName(t.by), " | ", t.needs, " |\n");
  }
  return out;
}

absl::StatusOr<ledger::v1::ManifestEvent> CheckOpen(
    const v1::OpenManifestRequest& request, const RegistryReader& registry,
    absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  CRADLE_ASSIGN_OR_RETURN(
      v1::Enterprise generator,
      RegisteredAs(registry, "generator", request.generator(),
                   {v1::ROLE_GENERATOR, v1::ROLE_COLLECTOR}));
  CRADLE_RETURN_IF_ERROR(RegisteredAs(registry, "carrier", request.carrier(),
                                      {v1::ROLE_TRANSPORTER})
                             .status());
  CRADLE_ASSIGN_OR_RETURN(v1::Enterprise receiver,
                          RegisteredAs(registry, "receiver", request.receiver(),
                                       {v1::ROLE_RECEIVER}));
  if (request.receiver() == request.generator()) {
    return absl::InvalidArgumentError(
        "receiver must differ from generator: a manifest moves waste between "
        "two enterprises");
  }
  if (request.lines().empty() || request.lines_size() > kMaxWasteLines) {
    return absl::InvalidArgumentError(
        absl::StrCat("lines must hold 1..", kMaxWasteLines,
                     " waste lines, got ", request.lines_size()));
  }
  // Each line as it will be recorded: its quantity, and in CheckLine its
  // code and the rest of the legal form's fields.
  ledger::v1::ManifestEvent opened;
  *opened.mutable_opened() = Transcribe<ledger::v1::Opened>(request);
  std::set<std::string> seen;  // containers of the lines so far
  for (int i = 0; i < opened.opened().lines_size(); ++i) {
    const ledger::v1::WasteLine& line = opened.opened().lines(i);
    const std::string at = absl::StrCat("lines[", i, "]");
    ledger::v1::LineDefaults* defaults = opened.add_line_defaults();
    CRADLE_ASSIGN_OR_RETURN(*defaults, CheckLine(at, line));
    CRADLE_ASSIGN_OR_RETURN(
        const int64_t containers_g,
        CheckLineContainers(at, line, request.generator(), registry, &seen));
    if (line.quantity_g() == 0) defaults->set_quantity_g(containers_g);
    const int64_t quantity =
        line.quantity_g() != 0 ? line.quantity_g() : containers_g;
    if (quantity <= 0 || quantity > kMaxLineGrams) {
      return absl::InvalidArgumentError(absl::StrCat(at, ".quantity_g ",
                                                     quantity, " must be 1..",
                                                     kMaxLineGrams, " grams"));
    }
  }
  if (!request.method().empty()) {
    CRADLE_RETURN_IF_ERROR(LookupMethod("method", request.method()).status());
  }
  if (!request.paper_date().empty()) {
    absl::CivilDay paper;
    const absl::CivilDay today = absl::ToCivilDay(now, ChinaTime());
    if (request.paper_date().size() != 10 ||
        !absl::ParseCivilTime(request.paper_date(), &paper)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "paper_date ", Quote(request.paper_date()), " is not YYYY-MM-DD"));
    }
    if (paper > today || paper < today - 366) {
      return absl::InvalidArgumentError(
          absl::StrCat("paper_date ", request.paper_date(),
                       " must be within the past year, not in the future"));
    }
  }

  CRADLE_RETURN_IF_ERROR(CheckDispatch(opened.opened().dispatch(),
                                       !request.paper_date().empty(),
                                       absl::ToCivilDay(now, ChinaTime())));
  // A plan named is the generator's, filed for the year the manifest
  // counts in (docs/PLANS.md); how the shipment keeps to it is flagged.
  if (!request.dispatch().plan_number().empty()) {
    absl::CivilDay paper;
    const int year =
        absl::ParseCivilTime(request.paper_date(), &paper)
            ? static_cast<int>(paper.year())
            : static_cast<int>(absl::ToCivilYear(now, ChinaTime()).year());
    CRADLE_RETURN_IF_ERROR(PlanFor(registry, "dispatch.plan_number",
                                   request.dispatch().plan_number(),
                                   request.generator(), year)
                               .status());
  }

  opened.set_origin_division(generator.division());
  opened.set_destination_division(receiver.division());
  return opened;
}

Decision DecideOpened(ledger::v1::ManifestEvent opened,
                      absl::string_view number, absl::Time now) {
  v1::Manifest empty;
  empty.set_number(std::string(number));
  opened.set_number(std::string(number));
  return Decide(empty, {std::move(opened)}, now);
}

absl::StatusOr<Decision> DecideOpen(const v1::OpenManifestRequest& request,
                                    const RegistryReader& registry,
                                    absl::string_view number, absl::Time now) {
  CRADLE_ASSIGN_OR_RETURN(ledger::v1::ManifestEvent opened,
                          CheckOpen(request, registry, now));
  return DecideOpened(std::move(opened), number, now);
}

absl::StatusOr<Decision> DecideIssue(const v1::Manifest& m,
                                     const v1::IssueManifestRequest& request,
                                     absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckRequest(m, request.meta(), Action::kIssue,
                                      "generator", request.generator(),
                                      m.generator()));
  ledger::v1::ManifestEvent e;
  *e.mutable_issued() = Transcribe<ledger::v1::Issued>(request);
  return Decide(m, {std::move(e)}, now);
}

absl::StatusOr<Decision> DecideCancel(const v1::Manifest& m,
                                      const v1::CancelManifestRequest& request,
                                      absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckRequest(m, request.meta(), Action::kCancel,
                                      "generator", request.generator(),
                                      m.generator()));
  CRADLE_RETURN_IF_ERROR(
      CheckText("reason", request.reason(), kMaxTextBytes, true));
  ledger::v1::ManifestEvent e;
  *e.mutable_cancelled() = Transcribe<ledger::v1::Cancelled>(request);
  return Decide(m, {std::move(e)}, now);
}

absl::StatusOr<Decision> DecidePickup(const v1::Manifest& m,
                                      const v1::PickupRequest& request,
                                      const RegistryReader& registry,
                                      absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckRequest(m, request.meta(), Action::kPickup,
                                      "carrier", request.carrier(),
                                      m.carrier()));
  if (!request.trip().empty()) {
    CRADLE_RETURN_IF_ERROR(CheckTrip(m, request, registry));
  }
  ledger::v1::ManifestEvent e;
  *e.mutable_picked_up() = Transcribe<ledger::v1::PickedUp>(request);
  CRADLE_ASSIGN_OR_RETURN(
      LegCarrierFacts carrier,
      LegCarrier(registry, "carrier", request.carrier(), e.picked_up(), now));
  SetPapers(carrier, &e);
  return Decide(m, {std::move(e)}, now);
}

absl::StatusOr<Decision> DecideRelay(const v1::Manifest& m,
                                     const v1::RelayRequest& request,
                                     const RegistryReader& registry,
                                     absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckRequest(m, request.meta(), Action::kRelay,
                                      "from_carrier", request.from_carrier(),
                                      m.carrier()));
  if (request.to_carrier() == request.from_carrier()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "to_carrier ", request.to_carrier(),
        " is the carrier already holding the load; a relay hands over to "
        "another carrier"));
  }
  ledger::v1::ManifestEvent e;
  *e.mutable_relayed() = Transcribe<ledger::v1::Relayed>(request);
  CRADLE_ASSIGN_OR_RETURN(LegCarrierFacts to,
                          LegCarrier(registry, "to_carrier",
                                     request.to_carrier(), e.relayed(), now));
  SetPapers(to, &e);
  return Decide(m, {std::move(e)}, now);
}

absl::StatusOr<Decision> DecideDeliver(const v1::Manifest& m,
                                       const v1::DeliverRequest& request,
                                       const RegistryReader& registry,
                                       absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  if (!request.receiver().empty() && request.receiver() != m.receiver()) {
    // Only another registered receiver can have the load at its gate; the
    // scan is evidence of a wrong delivery and is kept as such.
    absl::StatusOr<v1::Enterprise> scanner = RegisteredAs(
        registry, "receiver", request.receiver(), {v1::ROLE_RECEIVER});
    if (scanner.ok() && m.status() == v1::MANIFEST_STATUS_IN_TRANSIT) {
      ledger::v1::ManifestEvent e;
      *e.mutable_misdelivered() = Transcribe<ledger::v1::Delivered>(request);
      return Decide(m, {std::move(e)}, now);
    }
  }
  CRADLE_RETURN_IF_ERROR(CheckParty("receiver", request.receiver(),
                                    m.receiver(), Party::kReceiver,
                                    m.number()));
  CRADLE_RETURN_IF_ERROR(CheckState(Action::kDeliver, m));
  ledger::v1::ManifestEvent e;
  *e.mutable_delivered() = Transcribe<ledger::v1::Delivered>(request);
  return Decide(m, {std::move(e)}, now);
}

absl::StatusOr<Decision> DecideReceive(const v1::Manifest& m,
                                       const v1::ReceiveRequest& request,
                                       const RegistryReader& registry,
                                       absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckRequest(m, request.meta(), Action::kReceive,
                                      "receiver", request.receiver(),
                                      m.receiver()));
  const v1::Destination& dest = m.destinations(m.destinations_size() - 1);
  std::vector<bool> seen(m.lines_size(), false);
  // A line takes at most one accept and one reject: each gives the whole
  // quantity of its decision, so a repeat would count it twice.
  std::vector<bool> accepted(m.lines_size(), false),
      rejected(m.lines_size(), false);
  for (int i = 0; i < request.lines_size(); ++i) {
    const v1::LineReceipt& r = request.lines(i);
    const std::string at = absl::StrCat("lines[", i, "]");
    if (r.line() < 1 || r.line() > m.lines_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".line ", r.line(), " is not a line of manifest ",
                       m.number(), " (1..", m.lines_size(), ")"));
    }
    const int idx = r.line() - 1;
    if (dest.sent_g(idx) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ".line ", r.line(), " was not sent to this receiver"));
    }
    if (r.decision() == v1::LineReceipt::DECISION_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".decision is required: ACCEPT or REJECT"));
    }
    if (r.quantity_g() < 0 || r.quantity_g() > kMaxLineGrams) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ".quantity_g ", r.quantity_g(), " must be 0..", kMaxLineGrams));
    }
    std::vector<bool>& given =
        r.decision() == v1::LineReceipt::DECISION_REJECT ? rejected : accepted;
    if (given[idx]) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ": line ", r.line(), " is ",
          r.decision() == v1::LineReceipt::DECISION_REJECT ? "rejected"
                                                           : "accepted",
          " twice in one receipt; give the whole quantity once (a line takes "
          "at most one accept and one reject)"));
    }
    given[idx] = true;
    if (r.decision() == v1::LineReceipt::DECISION_REJECT) {
      if (dest.returned_to_generator()) {
        return absl::InvalidArgumentError(absl::StrCat(
            at,
            ".decision REJECT: a load returned to its generator can only "
            "be taken back"));
      }
      CRADLE_RETURN_IF_ERROR(
          CheckText(at + ".reason", r.reason(), kMaxTextBytes, true));
    }
    CRADLE_RETURN_IF_ERROR(CheckArrival(at, r));
    seen[idx] = true;
  }
  std::vector<int64_t> weighed(m.lines_size(), 0);
  for (const v1::LineReceipt& r : request.lines()) {
    weighed[r.line() - 1] += r.quantity_g();
  }
  for (int idx = 0; idx < m.lines_size(); ++idx) {
    if (dest.sent_g(idx) > 0 && !seen[idx]) {
      return absl::InvalidArgumentError(
          absl::StrCat("lines: line ", idx + 1, " (", m.lines(idx).code(), ", ",
                       dest.sent_g(idx), " g sent) is not accounted for"));
    }
    if (dest.sent_g(idx) > 0 && weighed[idx] == 0) {
      // Waste cannot leave the chain by being received as nothing.
      return absl::InvalidArgumentError(absl::StrCat(
          "lines: line ", idx + 1, " (", m.lines(idx).code(), ", ",
          dest.sent_g(idx),
          " g sent) is received as 0 g; weigh what arrived and accept or "
          "reject it"));
    }
  }
  CRADLE_RETURN_IF_ERROR(CheckText("received_by", request.received_by(),
                                   kMaxShortTextBytes, false));
  if (!request.licence().empty()) {
    CRADLE_RETURN_IF_ERROR(CheckReceiptLicence(m, request, registry, now));
  }
  std::vector<ledger::v1::ManifestEvent> events(1);
  *events[0].mutable_received() = Transcribe<ledger::v1::Received>(request);
  // A collector takes the load into its stock (docs/COLLECTION.md).
  CRADLE_ASSIGN_OR_RETURN(v1::Enterprise receiver,
                          registry.GetEnterprise("receiver", m.receiver()));
  events[0].set_into_collection(HasRole(receiver, {v1::ROLE_COLLECTOR}));
  Decision d = Decide(m, std::move(events), now);
  if (ChainComplete(d.next)) {  // a return to the generator ends the chain
    d.events.push_back(Closed());
    Apply(d.events.back(), now, &d.next);
  }
  return d;
}

absl::StatusOr<Decision> DecideReroute(const v1::Manifest& m,
                                       const v1::RerouteRequest& request,
                                       const RegistryReader& registry,
                                       absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckRequest(m, request.meta(), Action::kReroute,
                                      "generator", request.generator(),
                                      m.generator()));
  if (request.to() == m.receiver()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "to ", request.to(), " is the receiver that rejected the load"));
  }
  ledger::v1::ManifestEvent e;
  if (request.to() == m.generator()) {
    e.set_destination_division(m.origin_division());
  } else {
    CRADLE_ASSIGN_OR_RETURN(
        v1::Enterprise to,
        RegisteredAs(registry, "to", request.to(), {v1::ROLE_RECEIVER}));
    e.set_destination_division(to.division());
  }
  *e.mutable_rerouted() = Transcribe<ledger::v1::Rerouted>(request);
  CRADLE_ASSIGN_OR_RETURN(
      LegCarrierFacts carrier,
      LegCarrier(registry, "carrier", request.carrier(), e.rerouted(), now));
  SetPapers(carrier, &e);
  return Decide(m, {std::move(e)}, now);
}

absl::StatusOr<Decision> DecideDispose(const v1::Manifest& m,
                                       const v1::DisposeRequest& request,
                                       absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  if (request.receiver().empty()) {
    return absl::InvalidArgumentError("receiver is required");
  }
  // Any receiver that accepted part of the load disposes of its part.
  std::vector<int64_t> undisposed(m.lines_size(), 0);
  bool involved = false;
  for (const v1::Destination& d : m.destinations()) {
    if (d.receiver() != request.receiver() || !d.received() ||
        d.returned_to_generator()) {
      continue;
    }
    involved = true;
    for (int i = 0; i < m.lines_size(); ++i) {
      undisposed[i] += d.accepted_g(i) - d.disposed_g(i);
    }
  }
  if (!involved) {
    return absl::PermissionDeniedError(
        absl::StrCat("receiver ", request.receiver(),
                     " has received nothing on manifest ", m.number()));
  }
  CRADLE_RETURN_IF_ERROR(CheckState(Action::kDispose, m));
  if (request.lines().empty()) {
    return absl::InvalidArgumentError("lines: at least one disposal line");
  }
  for (int i = 0; i < request.lines_size(); ++i) {
    const v1::LineDisposal& l = request.lines(i);
    const std::string at = absl::StrCat("lines[", i, "]");
    if (l.line() < 1 || l.line() > m.lines_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".line ", l.line(), " is not a line of manifest ",
                       m.number(), " (1..", m.lines_size(), ")"));
    }
    if (l.method().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          at,
          ".method is required: how the waste was utilised or disposed "
          "of (D10, R9, ...)"));
    }
    CRADLE_RETURN_IF_ERROR(LookupMethod(at + ".method", l.method()).status());
    if (l.quantity_g() <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ".quantity_g ", l.quantity_g(), " must be positive"));
    }
    int64_t& left = undisposed[l.line() - 1];
    if (l.quantity_g() > left) {
      return absl::FailedPreconditionError(absl::StrCat(
          at, ".quantity_g ", l.quantity_g(), " exceeds the ", left,
          " g of line ", l.line(), " accepted and not yet disposed by ",
          request.receiver()));
    }
    left -= l.quantity_g();
  }
  CRADLE_RETURN_IF_ERROR(
      CheckText("outcome", request.outcome(), kMaxTextBytes, false));
  std::vector<ledger::v1::ManifestEvent> events(1);
  *events[0].mutable_disposed() = Transcribe<ledger::v1::Disposed>(request);
  Decision d = Decide(m, std::move(events), now);
  if (d.next.status() == v1::MANIFEST_STATUS_DISPOSED) {
    d.events.push_back(Closed());
    Apply(d.events.back(), now, &d.next);
  }
  return d;
}

absl::StatusOr<Decision> DecidePayment(const v1::Manifest& m,
                                       const v1::RecordPaymentRequest& request,
                                       absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckRequest(m, request.meta(), Action::kPayment,
                                      "payer", request.payer(), m.generator()));
  CRADLE_RETURN_IF_ERROR(
      CheckText("payee", request.payee(), kMaxShortTextBytes, true));
  if (request.amount_fen() <= 0 || request.amount_fen() > kMaxPaymentFen) {
    return absl::InvalidArgumentError(absl::StrCat(
        "amount_fen ", request.amount_fen(), " must be 1..", kMaxPaymentFen));
  }
  ledger::v1::ManifestEvent e;
  *e.mutable_payment_recorded() =
      Transcribe<ledger::v1::PaymentRecorded>(request);
  return Decide(m, {std::move(e)}, now);
}

namespace {

// `note` moves a flag to `to` (ACKED or RESOLVED).
absl::StatusOr<Decision> DecideFlagNote(const v1::Manifest& m,
                                        ledger::v1::FlagNoted request,
                                        v1::FlagState to, absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckFlagNote(m.flags(), request, to));
  ledger::v1::ManifestEvent e;
  if (to == v1::FLAG_STATE_ACKED) {
    *e.mutable_flag_acked() = std::move(request);
  } else {
    *e.mutable_flag_resolved() = std::move(request);
  }
  return Decide(m, {std::move(e)}, now);
}

}  // namespace

absl::StatusOr<Decision> DecideAcknowledge(
    const v1::Manifest& m, const v1::AcknowledgeFlagRequest& request,
    absl::Time now) {
  return DecideFlagNote(m, Transcribe<ledger::v1::FlagNoted>(request),
                        v1::FLAG_STATE_ACKED, now);
}

absl::StatusOr<Decision> DecideResolve(const v1::Manifest& m,
                                       const v1::ResolveFlagRequest& request,
                                       absl::Time now) {
  return DecideFlagNote(m, Transcribe<ledger::v1::FlagNoted>(request),
                        v1::FLAG_STATE_RESOLVED, now);
}

}  // namespace cradle::domain
