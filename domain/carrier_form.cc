#include "domain/carrier_form.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/registry.h"
#include "domain/track.h"

namespace cradle::domain {
namespace {

// Still valid on `today`: `valid_until` (YYYY-MM-DD) is today or later.
absl::Status CheckValidity(absl::string_view field,
                           absl::string_view valid_until, absl::CivilDay today,
                           absl::string_view what) {
  CRADLE_ASSIGN_OR_RETURN(absl::CivilDay until, ParseDate(field, valid_until));
  if (until < today) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": ", field, " ", valid_until, " has passed"));
  }
  return absl::OkStatus();
}

bool HasCrewRole(const v1::CrewMember& m, v1::CrewRole role) {
  return std::find(m.roles().begin(), m.roles().end(), role) != m.roles().end();
}

// The registered name of crew member `certificate` of `carrier` in `role`,
// as the leg's `field` names them.
absl::StatusOr<std::string> NamedCrew(absl::string_view field,
                                      absl::string_view certificate,
                                      const v1::Enterprise& carrier,
                                      v1::CrewRole role, absl::CivilDay today) {
  CRADLE_RETURN_IF_ERROR(ValidateCertificateNumber(field, certificate));
  for (const v1::CrewMember& m : carrier.crew()) {
    if (m.certificate() != certificate) continue;
    if (!HasCrewRole(m, role)) {
      return absl::FailedPreconditionError(absl::StrCat(
          field, " ", certificate, " (", m.name(), ") is not registered as ",
          ShortName(role), " with carrier ", carrier.id()));
    }
    CRADLE_RETURN_IF_ERROR(CheckValidity(
        "valid_until", m.valid_until(), today,
        absl::StrCat(field, " ", certificate, " (", m.name(), ")")));
    return m.name();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      field, " ", certificate, " is not registered crew of carrier ",
      carrier.id(), "; register the crew member first"));
}

}  // namespace

absl::Status ValidateCertificateNumber(absl::string_view field,
                                       absl::string_view value) {
  bool ok = value.size() >= 6 && value.size() <= 32;
  for (char c : value) {
    ok &= absl::ascii_isalnum(static_cast<unsigned char>(c));
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, " ", Quote(value),
      " is not a qualification certificate number: 6..32 letters and digits"));
}

absl::Status CheckCrewMember(const v1::CrewMember& member,
                             absl::CivilDay today) {
  CRADLE_RETURN_IF_ERROR(
      ValidateCertificateNumber("member.certificate", member.certificate()));
  CRADLE_RETURN_IF_ERROR(
      CheckText("member.name", member.name(), kMaxShortTextBytes, true));
  if (member.roles().empty()) {
    return absl::InvalidArgumentError(
        "member.roles is required: DRIVER, ESCORT or both");
  }
  for (int r : member.roles()) {
    if (!v1::CrewRole_IsValid(r) || r == v1::CREW_ROLE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("member.roles holds ", r, ", which is no crew role"));
    }
  }
  return CheckValidity("member.valid_until", member.valid_until(), today,
                       "the certificate must be valid when registered");
}

absl::Status CheckTransportPermit(const v1::TransportPermit& permit,
                                  absl::CivilDay today) {
  CRADLE_RETURN_IF_ERROR(
      CheckRecordNumber("permit.number", permit.number(), true));
  return CheckValidity("permit.valid_until", permit.valid_until(), today,
                       "the permit must be valid when granted");
}

absl::StatusOr<ledger::v1::LegPapers> CheckTransport(
    const ledger::v1::Transport& transport, const v1::Enterprise& carrier,
    absl::string_view plate, absl::CivilDay today) {
  ledger::v1::LegPapers papers;
  if (carrier.has_transport_permit()) {
    CRADLE_RETURN_IF_ERROR(CheckValidity(
        "valid_until", carrier.transport_permit().valid_until(), today,
        absl::StrCat("carrier ", carrier.id(),
                     ": the road transport operating permit ",
                     carrier.transport_permit().number())));
    papers.set_operating_permit(carrier.transport_permit().number());
  }
  for (const v1::Vehicle& v : carrier.vehicles()) {
    if (v.plate() == plate) papers.set_vehicle_certificate(v.permit());
  }
  const std::string& driver = transport.driver_certificate();
  const std::string& escort = transport.escort_certificate();
  if (!driver.empty()) {
    CRADLE_ASSIGN_OR_RETURN(*papers.mutable_driver(),
                            NamedCrew("transport.driver_certificate", driver,
                                      carrier, v1::CREW_ROLE_DRIVER, today));
  }
  if (!escort.empty()) {
    if (escort == driver) {
      return absl::InvalidArgumentError(
          absl::StrCat("transport.escort_certificate ", escort,
                       " is the driver's: an escort rides beside the driver"));
    }
    CRADLE_ASSIGN_OR_RETURN(*papers.mutable_escort(),
                            NamedCrew("transport.escort_certificate", escort,
                                      carrier, v1::CREW_ROLE_ESCORT, today));
  }
  CRADLE_RETURN_IF_ERROR(
      CheckRecordNumber("transport.waybill", transport.waybill(), false));
  CRADLE_RETURN_IF_ERROR(
      CheckText("transport.origin", transport.origin(), kMaxTextBytes, false));
  CRADLE_RETURN_IF_ERROR(CheckText(
      "transport.destination", transport.destination(), kMaxTextBytes, false));
  if (transport.via_size() > kMaxViaPlaces) {
    return absl::InvalidArgumentError(
        absl::StrCat("transport.via lists ", transport.via_size(),
                     " places; the limit is ", kMaxViaPlaces));
  }
  for (int i = 0; i < transport.via_size(); ++i) {
    CRADLE_RETURN_IF_ERROR(CheckText(absl::StrCat("transport.via[", i, "]"),
                                     transport.via(i), kMaxTextBytes, true));
  }
  CRADLE_RETURN_IF_ERROR(CheckRoute("transport.route", transport.route()));
  return papers;
}

}  // namespace cradle::domain
