#include "domain/registry.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/carrier_form.h"
#include "domain/consultation.h"
#include "domain/division.h"
#include "domain/plate.h"
#include "domain/record.h"
#include "domain/treatment_method.h"
#include "domain/uscc.h"
#include "domain/waste_catalogue.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxNumberBytes = 64;
// How long an approved longer storage may be (docs/STOCK.md).
constexpr int kMinStorageExtensionDays = 366;
constexpr int kMaxStorageExtensionDays = 5 * 365;
constexpr int kMaxLicenceCodes = 500;
constexpr int64_t kMaxCapacityKg = int64_t{100} * 1000 * 1000 * 1000;

bool HasRole(const v1::Enterprise& e, v1::Role role) {
  return std::find(e.roles().begin(), e.roles().end(), role) != e.roles().end();
}

absl::Status RequireCarrier(const v1::Enterprise& carrier,
                            absl::string_view what) {
  if (HasRole(carrier, v1::ROLE_TRANSPORTER)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("carrier ", carrier.id(),
                   " is not registered as TRANSPORTER; only carriers ", what));
}

absl::Status RequireText(absl::string_view field, absl::string_view value,
                         size_t max) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  if (value.size() > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is ", value.size(), " bytes; the limit is ", max));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view field,
                                         absl::string_view text) {
  // absl::ParseCivilTime alone also takes " 2024-1-01", "2024-01-1 " and
  // "+024-01-01" (year 24), so check the shape first.
  bool shaped = text.size() == 10;
  for (size_t i = 0; shaped && i < text.size(); ++i) {
    shaped = (i == 4 || i == 7)
                 ? text[i] == '-'
                 : absl::ascii_isdigit(static_cast<unsigned char>(text[i]));
  }
  absl::CivilDay day;
  if (!shaped || !absl::ParseCivilTime(text, &day)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", Quote(text), " is not a date of the form YYYY-MM-DD"));
  }
  return day;
}

absl::StatusOr<RegistryDecision> DecideRegisterEnterprise(
    const v1::RegisterEnterpriseRequest& request,
    const v1::Enterprise* existing) {
  CRADLE_RETURN_IF_ERROR(ValidateUscc("id", request.id()));
  CRADLE_RETURN_IF_ERROR(RequireText("name", request.name(), kMaxNameBytes));
  CRADLE_RETURN_IF_ERROR(
      DivisionTable::Builtin().Lookup("division", request.division()).status());
  if (request.roles().empty()) {
    return absl::InvalidArgumentError(
        "roles: at least one of GENERATOR, COLLECTOR, TRANSPORTER, RECEIVER");
  }
  for (int i = 0; i < request.roles_size(); ++i) {
    const int r = request.roles(i);
    if (r == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(r)) {
      return absl::InvalidArgumentError(
          absl::StrCat("roles[", i, "] ", r, " is not a role"));
    }
  }
  if (existing != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("enterprise ", request.id(),
                                                 " is already registered as ",
                                                 Quote(existing->name()), ""));
  }
  RegistryDecision d;
  *d.event.mutable_registered() =
      Transcribe<ledger::v1::EnterpriseRegistered>(request);
  ApplyRegistryEvent(d.event, &d.next);
  return d;
}

absl::StatusOr<RegistryDecision> DecideGrantLicence(
    const v1::Enterprise& receiver, const v1::GrantLicenceRequest& request,
    absl::Time now) {
  if (!HasRole(receiver, v1::ROLE_RECEIVER)) {
    return absl::FailedPreconditionError(
        absl::StrCat("receiver ", receiver.id(),
                     " is not registered as RECEIVER; only receivers hold "
                     "licences"));
  }
  const v1::Licence& l = request.licence();
  CRADLE_RETURN_IF_ERROR(
      RequireText("licence.number", l.number(), kMaxNumberBytes));
  for (const v1::Licence& held : receiver.licences()) {
    if (held.number() == l.number()) {
      return absl::AlreadyExistsError(
          absl::StrCat("licence.number ", l.number(), " is already granted to ",
                       receiver.id()));
    }
  }
  if (l.codes().empty() || l.codes_size() > kMaxLicenceCodes) {
    return absl::InvalidArgumentError(
        absl::StrCat("licence.codes must hold 1..", kMaxLicenceCodes,
                     " waste codes or categories, got ", l.codes_size()));
  }
  for (int i = 0; i < l.codes_size(); ++i) {
    const std::string& c = l.codes(i);
    if (c.size() == 4 && c[0] == 'H' && c[1] == 'W') {
      if (!WasteCatalogue::IsCategory(c)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "licence.codes[", i, "] ", c,
            " is not a category of the 2021 list (HW01-HW40, HW45-HW50)"));
      }
      continue;
    }
    CRADLE_RETURN_IF_ERROR(
        WasteCatalogue::Builtin()
            .Lookup(absl::StrCat("licence.codes[", i, "]"), c)
            .status());
  }
  if (l.capacity_kg() <= 0 || l.capacity_kg() > kMaxCapacityKg) {
    return absl::InvalidArgumentError(
        absl::StrCat("licence.capacity_kg ", l.capacity_kg(), " must be 1..",
                     kMaxCapacityKg));
  }
  std::vector<std::string> methods;
  for (int i = 0; i < l.methods_size(); ++i) {
    const std::string field = absl::StrCat("licence.methods[", i, "]");
    CRADLE_RETURN_IF_ERROR(LookupMethod(field, l.methods(i)).status());
    if (std::find(methods.begin(), methods.end(), l.methods(i)) !=
        methods.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", l.methods(i), " is listed twice"));
    }
    methods.push_back(l.methods(i));
  }
  CRADLE_ASSIGN_OR_RETURN(absl::CivilDay until,
                          ParseDate("licence.valid_until", l.valid_until()));
  if (until < absl::ToCivilDay(now, ChinaTime())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "licence.valid_until ", l.valid_until(), " is already past"));
  }
  RegistryDecision d;
  *d.event.mutable_licence_granted() =
      Transcribe<ledger::v1::LicenceGranted>(request);
  d.next = receiver;
  ApplyRegistryEvent(d.event, &d.next);
  return d;
}

absl::StatusOr<RegistryDecision> DecideRegisterVehicle(
    const v1::Enterprise& carrier, const v1::RegisterVehicleRequest& request) {
  CRADLE_RETURN_IF_ERROR(RequireCarrier(carrier, "register vehicles"));
  CRADLE_RETURN_IF_ERROR(
      ValidatePlate("vehicle.plate", request.vehicle().plate()));
  CRADLE_RETURN_IF_ERROR(RequireText(
      "vehicle.permit", request.vehicle().permit(), kMaxNumberBytes));
  for (const v1::Vehicle& v : carrier.vehicles()) {
    if (v.plate() == request.vehicle().plate()) {
      return absl::AlreadyExistsError(
          absl::StrCat("vehicle.plate ", v.plate(),
                       " is already registered to carrier ", carrier.id()));
    }
  }
  RegistryDecision d;
  *d.event.mutable_vehicle_registered() =
      Transcribe<ledger::v1::VehicleRegistered>(request);
  d.next = carrier;
  ApplyRegistryEvent(d.event, &d.next);
  return d;
}

absl::StatusOr<RegistryDecision> DecideGrantTransportPermit(
    const v1::Enterprise& carrier,
    const v1::GrantTransportPermitRequest& request, absl::Time now) {
  CRADLE_RETURN_IF_ERROR(RequireCarrier(carrier, "hold a transport permit"));
  CRADLE_RETURN_IF_ERROR(CheckTransportPermit(
      request.permit(), absl::ToCivilDay(now, ChinaTime())));
  RegistryDecision d;
  *d.event.mutable_transport_permit_granted() =
      Transcribe<ledger::v1::TransportPermitGranted>(request);
  d.next = carrier;
  ApplyRegistryEvent(d.event, &d.next);
  return d;
}

absl::StatusOr<RegistryDecision> DecideExtendStorage(
    const v1::Enterprise& generator, const v1::ExtendStorageRequest& request,
    absl::Time now) {
  if (!HasRole(generator, v1::ROLE_GENERATOR) &&
      !HasRole(generator, v1::ROLE_COLLECTOR)) {
    return absl::FailedPreconditionError(
        absl::StrCat("generator ", generator.id(),
                     " is not registered as GENERATOR or COLLECTOR; only they "
                     "hold waste in storage"));
  }
  const v1::StorageExtension& x = request.extension();
  CRADLE_RETURN_IF_ERROR(
      RequireText("extension.document", x.document(), kMaxNumberBytes));
  for (const v1::StorageExtension& held : generator.storage_extensions()) {
    if (held.document() == x.document()) {
      return absl::AlreadyExistsError(
          absl::StrCat("extension.document ", x.document(),
                       " is already granted to ", generator.id()));
    }
  }
  if (x.days() < kMinStorageExtensionDays ||
      x.days() > kMaxStorageExtensionDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("extension.days ", x.days(), " must be ",
                     kMinStorageExtensionDays, "..", kMaxStorageExtensionDays,
                     ": longer than the legal year, at most five years"));
  }
  CRADLE_ASSIGN_OR_RETURN(const absl::CivilDay from,
                          ParseDate("extension.valid_from", x.valid_from()));
  CRADLE_ASSIGN_OR_RETURN(const absl::CivilDay until,
                          ParseDate("extension.valid_until", x.valid_until()));
  if (until < from) {
    return absl::InvalidArgumentError(
        absl::StrCat("extension.valid_until ", x.valid_until(),
                     " is before extension.valid_from ", x.valid_from()));
  }
  if (until < absl::ToCivilDay(now, ChinaTime())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "extension.valid_until ", x.valid_until(), " has already passed"));
  }
  RegistryDecision d;
  *d.event.mutable_storage_extended() =
      Transcribe<ledger::v1::StorageExtended>(request);
  d.next = generator;
  ApplyRegistryEvent(d.event, &d.next);
  return d;
}

absl::StatusOr<RegistryDecision> DecideRegisterCrewMember(
    const v1::Enterprise& carrier, const v1::RegisterCrewMemberRequest& request,
    absl::Time now) {
  CRADLE_RETURN_IF_ERROR(RequireCarrier(carrier, "register crew"));
  CRADLE_RETURN_IF_ERROR(
      CheckCrewMember(request.member(), absl::ToCivilDay(now, ChinaTime())));
  RegistryDecision d;
  *d.event.mutable_crew_member_registered() =
      Transcribe<ledger::v1::CrewMemberRegistered>(request);
  d.next = carrier;
  ApplyRegistryEvent(d.event, &d.next);
  return d;
}

absl::StatusOr<ApprovalDecision> DecideRegisterApproval(
    const v1::RegisterApprovalRequest& request, const v1::Enterprise& generator,
    const v1::Enterprise& receiver, const v1::Approval* existing) {
  const v1::Approval& a = request.approval();
  CRADLE_RETURN_IF_ERROR(
      RequireText("approval.number", a.number(), kMaxNumberBytes));
  for (char c : a.number()) {
    if (c <= 0x20 || c > 0x7e || c == '/') {
      return absl::InvalidArgumentError(
          absl::StrCat("approval.number ", Quote(a.number()),
                       " must be printable ASCII without spaces or '/'"));
    }
  }
  if (ParseConsultationNumber("", a.number()).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "approval.number ", a.number(),
        " has the form of a consultation's number; those approvals are "
        "issued by the consultation (docs/CONSULTATION.md)"));
  }
  if (existing != nullptr) {
    return absl::AlreadyExistsError(
        absl::StrCat("approval.number ", a.number(), " is already registered"));
  }
  if (!HasRole(generator, v1::ROLE_GENERATOR) &&
      !HasRole(generator, v1::ROLE_COLLECTOR)) {
    return absl::FailedPreconditionError(
        absl::StrCat("approval.generator ", generator.id(),
                     " is not registered as GENERATOR or COLLECTOR"));
  }
  if (!HasRole(receiver, v1::ROLE_RECEIVER)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "approval.receiver ", receiver.id(), " is not registered as RECEIVER"));
  }
  if (generator.division().substr(0, 2) == receiver.division().substr(0, 2)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "approval: generator (", generator.division(), ") and receiver (",
        receiver.division(),
        ") are in the same province; approvals are for cross-province "
        "transfers"));
  }
  CRADLE_RETURN_IF_ERROR(CheckTransferTerms("approval", a.codes(), a.method(),
                                            a.quantity_kg(), a.valid_from(),
                                            a.valid_until()));
  CRADLE_RETURN_IF_ERROR(
      CheckWithinLicence("approval.valid_until", a.valid_until(), receiver));
  ApprovalDecision d;
  *d.event.mutable_approval_registered() =
      Transcribe<ledger::v1::ApprovalRegistered>(request);
  d.next = a;
  return d;
}

absl::Status CheckTransferTerms(
    absl::string_view what,
    const google::protobuf::RepeatedPtrField<std::string>& codes,
    absl::string_view method, int64_t quantity_kg, absl::string_view valid_from,
    absl::string_view valid_until) {
  if (codes.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ".codes: at least one code"));
  }
  if (!method.empty()) {
    CRADLE_RETURN_IF_ERROR(
        LookupMethod(absl::StrCat(what, ".method"), method).status());
  }
  for (int i = 0; i < codes.size(); ++i) {
    CRADLE_RETURN_IF_ERROR(
        CheckCodeOrCategory(absl::StrCat(what, ".codes[", i, "]"), codes[i]));
  }
  if (quantity_kg <= 0 || quantity_kg > kMaxCapacityKg) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ".quantity_kg ", quantity_kg, " must be 1..", kMaxCapacityKg));
  }
  CRADLE_ASSIGN_OR_RETURN(
      absl::CivilDay from,
      ParseDate(absl::StrCat(what, ".valid_from"), valid_from));
  CRADLE_ASSIGN_OR_RETURN(
      absl::CivilDay until,
      ParseDate(absl::StrCat(what, ".valid_until"), valid_until));
  const absl::CivilDay limit =
      absl::CivilDay(from.year() + 1, from.month(), from.day());
  if (until < from || until >= limit) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ".valid_until ", valid_until,
        " must be on or after valid_from and less than 12 months after it"));
  }
  return absl::OkStatus();
}

absl::Status CheckCodeOrCategory(absl::string_view field,
                                 absl::string_view code) {
  if (code.size() == 4 && code[0] == 'H' && code[1] == 'W') {
    if (!WasteCatalogue::IsCategory(code)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", code, " is not a category of the list"));
    }
    return absl::OkStatus();
  }
  return WasteCatalogue::Builtin().Lookup(field, code).status();
}

absl::optional<absl::CivilDay> LicenceEnd(const v1::Enterprise& receiver) {
  absl::optional<absl::CivilDay> end;
  for (const v1::Licence& l : receiver.licences()) {
    absl::StatusOr<absl::CivilDay> until = ParseDate("", l.valid_until());
    if (until.ok() && (!end.has_value() || *until > *end)) end = *until;
  }
  return end;
}

absl::Status CheckWithinLicence(absl::string_view field,
                                absl::string_view valid_until,
                                const v1::Enterprise& receiver) {
  CRADLE_ASSIGN_OR_RETURN(absl::CivilDay until, ParseDate(field, valid_until));
  const absl::optional<absl::CivilDay> end = LicenceEnd(receiver);
  if (!end.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("receiver ", receiver.id(), " holds no licence"));
  }
  if (until > *end) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", valid_until, " is after the receiver's licence ends (",
        absl::FormatCivilTime(*end),
        "): an approval runs no longer than the licence (2021 办法 Art. 27)"));
  }
  return absl::OkStatus();
}

void ApplyRegistryEvent(const ledger::v1::RegistryEvent& event,
                        v1::Enterprise* e) {
  e->set_version(e->version() + 1);
  switch (event.kind_case()) {
    case ledger::v1::RegistryEvent::kRegistered: {
      const ledger::v1::EnterpriseRegistered& r = event.registered();
      e->set_id(r.id());
      e->set_name(r.name());
      e->set_division(r.division());
      for (int role : r.roles()) e->add_roles(static_cast<v1::Role>(role));
      break;
    }
    case ledger::v1::RegistryEvent::kLicenceGranted:
      *e->add_licences() =
          Transcribe<v1::Licence>(event.licence_granted().licence());
      break;
    case ledger::v1::RegistryEvent::kVehicleRegistered:
      *e->add_vehicles() =
          Transcribe<v1::Vehicle>(event.vehicle_registered().vehicle());
      break;
    case ledger::v1::RegistryEvent::kTransportPermitGranted:
      *e->mutable_transport_permit() = Transcribe<v1::TransportPermit>(
          event.transport_permit_granted().permit());
      break;
    case ledger::v1::RegistryEvent::kCrewMemberRegistered: {
      v1::CrewMember member =
          Transcribe<v1::CrewMember>(event.crew_member_registered().member());
      auto* crew = e->mutable_crew();
      auto same = std::find_if(crew->begin(), crew->end(),
                               [&](const v1::CrewMember& m) {
                                 return m.certificate() == member.certificate();
                               });
      if (same != crew->end()) {
        *same = std::move(member);  // renewed
      } else {
        *crew->Add() = std::move(member);
      }
      break;
    }
    case ledger::v1::RegistryEvent::kStorageExtended:
      *e->add_storage_extensions() = Transcribe<v1::StorageExtension>(
          event.storage_extended().extension());
      break;
    case ledger::v1::RegistryEvent::kApprovalRegistered:
    case ledger::v1::RegistryEvent::kPlanFiled:
    case ledger::v1::RegistryEvent::kWhiteListFiled:
      break;  // their own streams, not an enterprise's
    case ledger::v1::RegistryEvent::KIND_NOT_SET:
      break;
  }
}

}  // namespace cradle::domain
