#pragma once

// The registry's rules: enterprises, receiver licences, carriers' vehicles,
// operating permits and crew.
// Each Decide*() checks a request against the enterprise's current record
// and returns the event to append and the record after it.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/registry.pb.h"

namespace cradle::domain {

struct RegistryDecision {
  ledger::v1::RegistryEvent event;
  v1::Enterprise next;
};

// `existing` is null when the id is not registered yet.
absl::StatusOr<RegistryDecision> DecideRegisterEnterprise(
    const v1::RegisterEnterpriseRequest& request,
    const v1::Enterprise* existing);
absl::StatusOr<RegistryDecision> DecideGrantLicence(
    const v1::Enterprise& receiver, const v1::GrantLicenceRequest& request,
    absl::Time now);
absl::StatusOr<RegistryDecision> DecideRegisterVehicle(
    const v1::Enterprise& carrier, const v1::RegisterVehicleRequest& request);
// A carrier's road transport operating permit; a later grant replaces it.
absl::StatusOr<RegistryDecision> DecideGrantTransportPermit(
    const v1::Enterprise& carrier,
    const v1::GrantTransportPermitRequest& request, absl::Time now);
// An authority's approval of longer storage for `generator` (a GENERATOR or
// COLLECTOR): a document number it has not been granted before, 366..1825
// days, a period from `valid_from` to `valid_until` that has not ended by
// `now` (docs/STOCK.md).
absl::StatusOr<RegistryDecision> DecideExtendStorage(
    const v1::Enterprise& generator, const v1::ExtendStorageRequest& request,
    absl::Time now);
// A member of a carrier's crew; registering a certificate again renews it
// (its roles, name and validity are replaced).
absl::StatusOr<RegistryDecision> DecideRegisterCrewMember(
    const v1::Enterprise& carrier, const v1::RegisterCrewMemberRequest& request,
    absl::Time now);

// A cross-province approval: the generator and receiver registered in
// different provinces, codes of the catalogue, a positive quantity, valid for
// at most 12 months and no longer than the receiver's licence. `existing` is
// non-null when the number is taken.
struct ApprovalDecision {
  ledger::v1::RegistryEvent event;
  v1::Approval next;
};
absl::StatusOr<ApprovalDecision> DecideRegisterApproval(
    const v1::RegisterApprovalRequest& request, const v1::Enterprise& generator,
    const v1::Enterprise& receiver, const v1::Approval* existing);

// The terms of an approval or an application for one (`what` names them in
// the errors, "approval" or "application"): codes or categories of the
// catalogue, a known method if any, a positive quantity, a period of less
// than 12 months (2021 办法 Art. 27).
absl::Status CheckTransferTerms(
    absl::string_view what,
    const google::protobuf::RepeatedPtrField<std::string>& codes,
    absl::string_view method, int64_t quantity_kg, absl::string_view valid_from,
    absl::string_view valid_until);

// A waste code of the catalogue (NNN-NNN-NN) or a category (HWnn); the
// error names `field`.
absl::Status CheckCodeOrCategory(absl::string_view field,
                                 absl::string_view code);

// The last day any of the receiver's licences runs to; none without one.
absl::optional<absl::CivilDay> LicenceEnd(const v1::Enterprise& receiver);

// An approval's `valid_until` (the request's `field`) is no later than the
// receiver's licence runs (Art. 27): INVALID_ARGUMENT naming the field and
// the licence's end; FAILED_PRECONDITION for a receiver with no licence.
absl::Status CheckWithinLicence(absl::string_view field,
                                absl::string_view valid_until,
                                const v1::Enterprise& receiver);

void ApplyRegistryEvent(const ledger::v1::RegistryEvent& event,
                        v1::Enterprise* e);

// Parses YYYY-MM-DD; the error names `field`.
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view field,
                                         absl::string_view text);

}  // namespace cradle::domain
