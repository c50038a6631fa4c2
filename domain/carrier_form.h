#pragma once

// The carrier's part of the legal form (2021 《危险废物转移管理办法》 Art.
// 11(2), 13, 17): the road transport operating permit a carrier registers,
// the crew it registers (drivers and escorts with their qualification
// certificates), and what a leg names of them. Each check answers an error
// naming the field, the value and the rule.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/registry.pb.h"

namespace cradle::domain {

// Places a leg may list as passed through.
inline constexpr int kMaxViaPlaces = 20;

// A qualification certificate number (从业资格证号; since 2016 the holder's
// identity card number): 6..32 ASCII letters and digits.
absl::Status ValidateCertificateNumber(absl::string_view field,
                                       absl::string_view value);

// A crew member as a carrier registers it (field "member"): a certificate
// number, a name, the roles (driver, escort; at least one), and a validity
// that has not run out on `today`.
absl::Status CheckCrewMember(const v1::CrewMember& member,
                             absl::CivilDay today);

// A road transport operating permit as granted (field "permit"): a number
// and a validity that has not run out on `today`.
absl::Status CheckTransportPermit(const v1::TransportPermit& permit,
                                  absl::CivilDay today);

// Checks the carrier's part of a leg (field "transport") driven by
// `carrier` in its registered vehicle `plate` on `today`: a named driver or
// escort is registered crew of the carrier in that role with a valid
// certificate, and not both the same person; the waybill and places are
// within their lengths. Answers the papers the leg records: the carrier's
// operating permit (refused when the registered one has run out), the
// vehicle's certificate and the crew's registered names.
absl::StatusOr<ledger::v1::LegPapers> CheckTransport(
    const ledger::v1::Transport& transport, const v1::Enterprise& carrier,
    absl::string_view plate, absl::CivilDay today);

}  // namespace cradle::domain
