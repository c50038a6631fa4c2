#include "domain/container.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "domain/decision_checks.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/packaging.h"
#include "domain/record.h"
#include "domain/stock.h"
#include "domain/uscc.h"
#include "domain/waste_catalogue.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status Bad(absl::string_view field, absl::string_view code,
                 absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(
      field, " ", Quote(code), " is not an HJ 1276 container code: ", rule));
}

// The line of `m` that lists container `code`, or -1.
int LineListing(const v1::Manifest& m, absl::string_view code) {
  for (int i = 0; i < m.lines_size(); ++i) {
    for (const std::string& c : m.lines(i).containers()) {
      if (c == code) return i;
    }
  }
  return -1;
}

// Source `s` at `field` of a container `collector` fills with `waste_code`
// on `filled`: collected by it, accepted, not refilled yet.
absl::Status CheckSource(absl::string_view field, const CollectedSource& s,
                         absl::string_view collector,
                         absl::string_view waste_code, absl::CivilDay filled) {
  const v1::Container& c = s.container;
  if (c.waste_code() != waste_code) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", c.code(), " holds ", c.waste_code(),
                     ", not the container's ", waste_code,
                     ": a collector refills one waste code at a time"));
  }
  if (c.stock() == v1::STOCK_STATE_VOID) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, " ", c.code(), " is void: its registration was struck"));
  }
  if (!c.consolidated_into().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, " ", c.code(), " already went into container ",
                     c.consolidated_into()));
  }
  const v1::Manifest& m = s.manifest;
  if (m.number().empty() || m.destinations().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, " ", c.code(), " was not collected: no manifest lists it"));
  }
  const v1::Destination& d = m.destinations(m.destinations_size() - 1);
  if (d.receiver() != collector) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, " ", c.code(), " is on manifest ", m.number(),
                     " to ", d.receiver(), ", not collected by ", collector));
  }
  if (!d.received() || !d.has_received_at()) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, " ", c.code(), " is on manifest ", m.number(),
                     ", which ", collector, " has not received yet"));
  }
  if (!d.collected()) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, " ", c.code(), " is on manifest ", m.number(), ", which ",
        collector,
        " received before it was registered as a COLLECTOR: it is to be "
        "disposed of on that manifest"));
  }
  const int line = LineListing(m, c.code());
  if (line < 0 || line >= d.accepted_g_size() || d.accepted_g(line) <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, " ", c.code(), ": line ", line + 1, " of manifest ",
                     m.number(), " was not accepted"));
  }
  const absl::CivilDay received =
      absl::ToCivilDay(FromTimestamp(d.received_at()), ChinaTime());
  if (filled < received) {
    return absl::InvalidArgumentError(
        absl::StrCat("container.code's date ", absl::FormatCivilTime(filled),
                     " is before ", field, " ", c.code(), " was received on ",
                     absl::FormatCivilTime(received)));
  }
  return absl::OkStatus();
}

// The sources and documented loss of `c`, a container `collector` fills
// on `code.date`.
absl::Status CheckSources(const v1::ContainerLabel& c,
                          const ContainerCode& code,
                          const v1::Enterprise& collector,
                          const std::vector<CollectedSource>& sources) {
  if (c.sources().empty()) {
    if (c.loss_g() != 0 || !c.loss_reason().empty()) {
      return absl::InvalidArgumentError(
          "container.loss_g and container.loss_reason are for a container "
          "filled from collected ones (container.sources)");
    }
    return absl::OkStatus();
  }
  if (!HasRole(collector, {v1::ROLE_COLLECTOR})) {
    return absl::FailedPreconditionError(
        absl::StrCat("container.sources: ", collector.id(),
                     " is not registered as a COLLECTOR"));
  }
  if (c.sources_size() > kMaxContainersPerManifest) {
    return absl::InvalidArgumentError(
        absl::StrCat("container.sources: at most ", kMaxContainersPerManifest,
                     " containers go into one"));
  }
  if (sources.size() != static_cast<size_t>(c.sources_size())) {
    return absl::InternalError("container.sources were not all read");
  }
  std::set<std::string> seen;
  int64_t total = 0;
  for (int j = 0; j < c.sources_size(); ++j) {
    const std::string field = absl::StrCat("container.sources[", j, "]");
    if (!seen.insert(c.sources(j)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", c.sources(j), " is listed twice"));
    }
    if (sources[j].container.code() != c.sources(j)) {
      return absl::InternalError(
          absl::StrCat(field, " was read as ", sources[j].container.code()));
    }
    CRADLE_RETURN_IF_ERROR(CheckSource(field, sources[j], collector.id(),
                                       code.waste_code, code.date));
    total += sources[j].container.weight_g();
  }
  if (c.loss_g() < 0 || c.loss_g() >= total) {
    return absl::InvalidArgumentError(
        absl::StrCat("container.loss_g ", c.loss_g(), " must be 0..", total - 1,
                     " g: less than its sources' ", total, " g"));
  }
  if (c.loss_g() == 0 && !c.loss_reason().empty()) {
    return absl::InvalidArgumentError(
        "container.loss_reason is given without container.loss_g");
  }
  return CheckText("container.loss_reason", c.loss_reason(), kMaxTextBytes,
                   c.loss_g() > 0);
}

}  // namespace

absl::StatusOr<ContainerCode> ParseContainerCode(absl::string_view field,
                                                 absl::string_view code) {
  if (code.size() != kContainerCodeLength) {
    return Bad(field, code,
               absl::StrCat("it has ", code.size(), " characters, not ",
                            kContainerCodeLength,
                            " (USCC 18, waste code 8, date 8, sequence 3)"));
  }
  ContainerCode out;
  out.unit = std::string(code.substr(0, kUsccLength));
  if (absl::Status s = ValidateUscc(absl::StrCat(field, " unit"), out.unit);
      !s.ok()) {
    return Bad(field, code, s.message());
  }
  const absl::string_view waste = code.substr(18, 8);
  const absl::string_view date = code.substr(26, 8);
  const absl::string_view sequence = code.substr(34, 3);
  if (!AllDigits(waste)) {
    return Bad(field, code, "characters 19-26 (the waste code) must be digits");
  }
  out.waste_code = absl::StrCat(waste.substr(0, 3), "-", waste.substr(3, 3),
                                "-", waste.substr(6, 2));
  if (absl::StatusOr<const WasteCode*> w = WasteCatalogue::Builtin().Lookup(
          absl::StrCat(field, " waste code"), out.waste_code);
      !w.ok()) {
    return Bad(field, code, w.status().message());
  }
  int y = 0, m = 0, d = 0;
  if (!AllDigits(date) || !absl::SimpleAtoi(date.substr(0, 4), &y) ||
      !absl::SimpleAtoi(date.substr(4, 2), &m) ||
      !absl::SimpleAtoi(date.substr(6, 2), &d)) {
    return Bad(field, code, "characters 27-34 (the date) must be YYYYMMDD");
  }
  out.date = absl::CivilDay(y, m, d);
  if (out.date.year() != y || out.date.month() != m || out.date.day() != d) {
    return Bad(field, code,
               absl::StrCat("characters 27-34, ", date, ", are no date"));
  }
  if (!AllDigits(sequence) || !absl::SimpleAtoi(sequence, &out.sequence) ||
      out.sequence == 0) {
    return Bad(field, code, "characters 35-37 (the sequence) must be 001..999");
  }
  return out;
}

std::string FormatContainerCode(absl::string_view unit,
                                absl::string_view waste_code,
                                absl::CivilDay date, int sequence) {
  std::string waste(waste_code);
  waste.erase(std::remove(waste.begin(), waste.end(), '-'), waste.end());
  return absl::StrFormat("%s%s%04d%02d%02d%03d", unit, waste, date.year(),
                         date.month(), date.day(), sequence);
}

absl::StatusOr<ContainerDecision> DecideRegisterContainer(
    const v1::RegisterContainerRequest& request,
    const v1::Enterprise& generator, const v1::Container* existing,
    const std::vector<CollectedSource>& sources, absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  const v1::ContainerLabel& c = request.container();
  if (c.code().empty()) {
    return absl::InvalidArgumentError("container.code is required");
  }
  CRADLE_ASSIGN_OR_RETURN(ContainerCode code,
                          ParseContainerCode("container.code", c.code()));
  if (!HasRole(generator, {v1::ROLE_GENERATOR, v1::ROLE_COLLECTOR})) {
    return absl::FailedPreconditionError(
        absl::StrCat("container.generator ", generator.id(),
                     " is not registered as a generator or collector"));
  }
  if (code.unit != c.generator()) {
    return absl::InvalidArgumentError(
        absl::StrCat("container.code ", c.code(), " names unit ", code.unit,
                     ", not container.generator ", c.generator(),
                     ": a container is labelled by the unit that filled it"));
  }
  if (!c.waste_code().empty() && c.waste_code() != code.waste_code) {
    return absl::InvalidArgumentError(
        absl::StrCat("container.waste_code ", Quote(c.waste_code()),
                     " is not the code's ", code.waste_code));
  }
  const std::string date = absl::FormatCivilTime(code.date);
  if (!c.generation_date().empty() && c.generation_date() != date) {
    return absl::InvalidArgumentError(
        absl::StrCat("container.generation_date ", Quote(c.generation_date()),
                     " is not the code's ", date));
  }
  const absl::CivilDay today = absl::ToCivilDay(now, ChinaTime());
  if (code.date > today || code.date < today - 366) {
    return absl::InvalidArgumentError(
        absl::StrCat("container.code's date ", date,
                     " must be within the past year, not in the future"));
  }
  if (c.weight_g() <= 0 || c.weight_g() > kMaxContainerGrams) {
    return absl::InvalidArgumentError(
        absl::StrCat("container.weight_g ", c.weight_g(), " must be 1..",
                     kMaxContainerGrams, " grams"));
  }
  if (c.packaging().empty()) {
    return absl::InvalidArgumentError("container.packaging is required");
  }
  CRADLE_RETURN_IF_ERROR(
      LookupPackaging("container.packaging", c.packaging()).status());
  CRADLE_RETURN_IF_ERROR(
      CheckText("container.name", c.name(), kMaxTextBytes, false));
  CRADLE_RETURN_IF_ERROR(CheckText("container.constituents", c.constituents(),
                                   kMaxTextBytes, false));
  CRADLE_RETURN_IF_ERROR(
      CheckText("container.contact", c.contact(), kMaxShortTextBytes, false));
  if (!v1::PhysicalForm_IsValid(c.form())) {
    return absl::InvalidArgumentError(
        absl::StrCat("container.form ", c.form(), " is no physical form"));
  }
  CRADLE_ASSIGN_OR_RETURN(const WasteCode* waste,
                          WasteCatalogue::Builtin().Lookup(
                              "container.waste_code", code.waste_code));
  CRADLE_ASSIGN_OR_RETURN(const uint8_t declared,
                          DeclaredHazards("container.hazards", c.hazards()));
  CRADLE_ASSIGN_OR_RETURN(const uint8_t hazards,
                          LineHazards("container.hazards", *waste, declared));
  CRADLE_RETURN_IF_ERROR(CheckSources(c, code, generator, sources));
  if (existing != nullptr) {
    return absl::AlreadyExistsError(
        absl::StrCat("container.code ", c.code(), " is already registered"));
  }

  ContainerDecision d;
  *d.event.mutable_registered() =
      Transcribe<ledger::v1::ContainerRegistered>(request);
  // The registration stays as signed; beside it, what the code says and
  // the catalogue gives for what it left unset.
  ledger::v1::Container* fill = d.event.mutable_defaults();
  if (c.waste_code().empty()) fill->set_waste_code(code.waste_code);
  if (c.generation_date().empty()) fill->set_generation_date(date);
  if (c.name().empty()) fill->set_name(waste->name);
  if (declared == 0) {
    for (int h : HazardCharacteristics(hazards)) {
      fill->add_hazards(static_cast<ledger::v1::HazardCharacteristic>(h));
    }
  }
  *d.event.mutable_decided_at() = ToTimestamp(now);
  d.next = ApplyContainerEvent(v1::Container(), d.event, now);
  return d;
}

v1::Container ApplyContainerEvent(const v1::Container& before,
                                  const ledger::v1::ContainerEvent& event,
                                  absl::Time recorded) {
  v1::Container c = before;
  if (!event.has_registered()) {
    ApplyStockEvent(event, recorded, &c);
    return c;
  }
  c = Transcribe<v1::Container>(event.registered().container());
  const ledger::v1::Container& fill = event.defaults();
  if (c.waste_code().empty()) c.set_waste_code(fill.waste_code());
  if (c.generation_date().empty()) {
    c.set_generation_date(fill.generation_date());
  }
  if (c.name().empty()) c.set_name(fill.name());
  if (c.hazards().empty()) {
    for (int h : fill.hazards()) {
      c.add_hazards(static_cast<v1::HazardCharacteristic>(h));
    }
  }
  *c.mutable_registered_at() = ToTimestamp(
      event.has_decided_at() ? FromTimestamp(event.decided_at()) : recorded);
  return c;
}

std::string ContainerEventType(const ledger::v1::ContainerEvent& event) {
  switch (event.kind_case()) {
    case ledger::v1::ContainerEvent::kRegistered:
      return "container.registered";
    case ledger::v1::ContainerEvent::kStock:
      return "container.stock";
    case ledger::v1::ContainerEvent::kFlagRaised:
      return "container.flag.raised";
    case ledger::v1::ContainerEvent::kFlagAcked:
      return "container.flag.acked";
    case ledger::v1::ContainerEvent::kFlagResolved:
      return "container.flag.resolved";
    case ledger::v1::ContainerEvent::kStorageEnded:
      return "container.storage.ended";
    default:
      return "";
  }
}

int64_t CollectionShortfall(const v1::Container& c,
                            const std::map<std::string, int64_t>& weights) {
  if (c.sources().empty()) return 0;
  int64_t total = 0;
  for (const std::string& s : c.sources()) {
    auto w = weights.find(s);
    if (w != weights.end()) total += w->second;
  }
  return std::max<int64_t>(0, total - c.weight_g() - c.loss_g());
}

absl::StatusOr<int64_t> CheckLineContainers(absl::string_view at,
                                            const ledger::v1::WasteLine& line,
                                            absl::string_view generator,
                                            const RegistryReader& registry,
                                            std::set<std::string>* seen) {
  if (line.containers().empty()) {
    if (line.weighed_in_bulk()) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ".weighed_in_bulk is set on a line that lists no containers"));
    }
    return 0;
  }
  int64_t total = 0;
  for (int j = 0; j < line.containers_size(); ++j) {
    const std::string field = absl::StrCat(at, ".containers[", j, "]");
    const std::string& code = line.containers(j);
    CRADLE_RETURN_IF_ERROR(ParseContainerCode(field, code).status());
    if (!seen->insert(code).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", code, " is listed twice"));
    }
    if (seen->size() > static_cast<size_t>(kMaxContainersPerManifest)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": a manifest lists at most ",
                       kMaxContainersPerManifest, " containers"));
    }
    CRADLE_ASSIGN_OR_RETURN(v1::Container c,
                            registry.GetContainer(field, code));
    if (c.generator() != generator) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, " ", code, " was registered by ", c.generator(),
                       ", not by the generator ", generator));
    }
    if (c.stock() == v1::STOCK_STATE_OWN_USE ||
        c.stock() == v1::STOCK_STATE_VOID) {
      return absl::FailedPreconditionError(absl::StrCat(
          field, " ", code,
          c.stock() == v1::STOCK_STATE_VOID
              ? " is void: its registration was struck"
              : " was used or disposed of by its generator (stock ledger)"));
    }
    if (c.waste_code() != line.code()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", code, " holds ", c.waste_code(),
                       ", not the line's code ", line.code()));
    }
    CRADLE_ASSIGN_OR_RETURN(std::string other,
                            registry.ManifestOfContainer(code));
    if (!other.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(field, " ", code, " is on manifest ", other));
    }
    total += c.weight_g();
  }
  if (line.weighed_in_bulk()) {
    if (line.quantity_g() <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          at,
          ".quantity_g is required: a line weighed in bulk gives the "
          "weighed figure"));
    }
    return 0;
  }
  if (line.quantity_g() != 0 && line.quantity_g() != total) {
    return absl::InvalidArgumentError(absl::StrCat(
        at, ".quantity_g ", line.quantity_g(),
        " is not the sum of its containers' weights, ", total,
        ": leave it 0 to have it filled, or set weighed_in_bulk if the line "
        "was weighed as a whole"));
  }
  return total;
}

namespace {

// The hand-over a scan by `by` at `point` belongs to (v1.ContainerScan's
// numbering), or why `by` may not scan there.
absl::StatusOr<int> Handover(const v1::Manifest& m, v1::ScanPoint point,
                             absl::string_view by, absl::Time device_time,
                             const RegistryReader& registry) {
  switch (point) {
    case v1::SCAN_POINT_LOAD: {
      const std::string& first =
          m.legs().empty() ? m.carrier() : m.legs(0).carrier();
      if (by != m.generator() && by != first) {
        return absl::PermissionDeniedError(
            absl::StrCat("by ", by,
                         " is neither the generator nor the first carrier of "
                         "manifest ",
                         m.number(), ": they scan the load"));
      }
      return 1;
    }
    case v1::SCAN_POINT_RELAY: {
      // A relay already recorded to `by`: its leg. A relay leg is handed
      // over by the previous leg's carrier (a reroute's, by a site).
      for (int k = m.legs_size() - 1; k >= 1; --k) {
        if (m.legs(k).carrier() == by &&
            m.legs(k).handed_over_by() == m.legs(k - 1).carrier()) {
          return k + 1;
        }
      }
      // Made before the last relay (by the device's clock) and uploaded
      // after it, as an offline device does: it belongs to that relay's
      // hand-over, whose load went to another carrier. Kept, and judged
      // there (CONTAINER_MISMATCH, conflicting custody).
      if (m.legs_size() >= 2) {
        const v1::Leg& last = m.legs(m.legs_size() - 1);
        if (last.has_device_time() &&
            device_time <= FromTimestamp(last.device_time())) {
          CRADLE_RETURN_IF_ERROR(
              RegisteredAs(registry, "by", by, {v1::ROLE_TRANSPORTER})
                  .status());
          return m.legs_size();
        }
      }
      if (m.status() != v1::MANIFEST_STATUS_IN_TRANSIT) {
        return absl::FailedPreconditionError(
            absl::StrCat("by ", by, " took no relay of manifest ", m.number(),
                         ", and it is ", ShortName(m.status()),
                         ": a relay scan before the relay needs IN_TRANSIT"));
      }
      if (by == m.carrier()) {
        return absl::InvalidArgumentError(
            absl::StrCat("by ", by, " holds the load of manifest ", m.number(),
                         ": the carrier taking it over scans at a relay"));
      }
      CRADLE_RETURN_IF_ERROR(
          RegisteredAs(registry, "by", by, {v1::ROLE_TRANSPORTER}).status());
      return m.legs_size() + 1;  // the leg the coming relay starts
    }
    case v1::SCAN_POINT_ARRIVAL:
      for (int d = m.destinations_size() - 1; d >= 0; --d) {
        if (m.destinations(d).receiver() == by) return d + 1;
      }
      return absl::PermissionDeniedError(
          absl::StrCat("by ", by, " is no receiver of manifest ", m.number()));
    default:
      return absl::InvalidArgumentError(
          "point is required: LOAD, RELAY or ARRIVAL");
  }
}

}  // namespace

absl::StatusOr<Decision> DecideScan(const v1::Manifest& m,
                                    const v1::ScanRequest& request,
                                    const RegistryReader& registry,
                                    absl::Time now, absl::Duration window) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  CRADLE_RETURN_IF_ERROR(
      CheckDeviceTime(request.meta(), now, window, "a scan"));
  if (request.by().empty()) {
    return absl::InvalidArgumentError("by is required");
  }
  if (request.containers().empty() ||
      request.containers_size() > kMaxContainersPerManifest) {
    return absl::InvalidArgumentError(
        absl::StrCat("containers must hold 1..", kMaxContainersPerManifest,
                     " codes, got ", request.containers_size()));
  }
  std::set<std::string> seen;
  for (int i = 0; i < request.containers_size(); ++i) {
    const std::string field = absl::StrCat("containers[", i, "]");
    CRADLE_RETURN_IF_ERROR(
        ParseContainerCode(field, request.containers(i)).status());
    if (!seen.insert(request.containers(i)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", request.containers(i), " is named twice"));
    }
  }
  switch (m.status()) {
    case v1::MANIFEST_STATUS_DRAFT:
    case v1::MANIFEST_STATUS_CANCELLED:
    case v1::MANIFEST_STATUS_VOIDED:
    case v1::MANIFEST_STATUS_CLOSED:
      return absl::FailedPreconditionError(absl::StrCat("cannot scan manifest ",
                                                        m.number(), ": it is ",
                                                        ShortName(m.status())));
    default:
      break;
  }
  CRADLE_ASSIGN_OR_RETURN(
      const int handover,
      Handover(m, request.point(), request.by(),
               FromTimestamp(request.meta().device_time()), registry));
  ledger::v1::ManifestEvent e;
  *e.mutable_scanned() = Transcribe<ledger::v1::Scanned>(request);
  e.set_handover(handover);
  return Decide(m, {std::move(e)}, now);
}

std::set<std::string> ScannedAt(const v1::Manifest& m, v1::ScanPoint point,
                                int handover, absl::string_view by) {
  std::set<std::string> out;
  for (const v1::ContainerScan& s : m.scans()) {
    if (s.point() != point || s.handover() != handover) continue;
    if (!by.empty() && s.by() != by) continue;
    out.insert(s.containers().begin(), s.containers().end());
  }
  return out;
}

std::vector<std::string> ManifestContainers(const v1::Manifest& m) {
  std::vector<std::string> out;
  for (const v1::WasteLine& line : m.lines()) {
    for (const std::string& c : line.containers()) out.push_back(c);
  }
  return out;
}

absl::Status CheckDeviceTime(const v1::WriteMeta& meta, absl::Time now,
                             absl::Duration window, absl::string_view what) {
  if (meta.device().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "meta.device is required: ", what, " names the device that made it"));
  }
  if (!meta.has_device_time()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "meta.device_time is required: ", what, " keeps the device's time"));
  }
  const absl::Time t = FromTimestamp(meta.device_time());
  if (t > now + kDeviceClockSkew) {
    return absl::InvalidArgumentError(
        absl::StrCat("meta.device_time ", absl::FormatTime(t),
                     " is ahead of the server's ", absl::FormatTime(now),
                     " by more than ", absl::FormatDuration(kDeviceClockSkew)));
  }
  if (now - t > window) {
    return absl::FailedPreconditionError(
        absl::StrCat("meta.device_time ", absl::FormatTime(t), " is more than ",
                     absl::FormatDuration(window), " ago: ", what,
                     " is accepted within that of being made"));
  }
  return absl::OkStatus();
}

}  // namespace cradle::domain
