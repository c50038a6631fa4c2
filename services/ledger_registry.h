#pragma once

// The registry as the domain's decisions read it (domain::RegistryReader),
// answered from the ledger's materialised state and indexes.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/v1/consultation.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/lifecycle.h"
#include "domain/operator_report.h"
#include "domain/plan.h"
#include "storage/ledger.h"

namespace cradle::services {

class LedgerRegistryReader final : public domain::RegistryReader {
 public:
  // `ledger` is not owned and must outlive the reader.
  explicit LedgerRegistryReader(const storage::LedgerReader& ledger)
      : ledger_(ledger) {}
  absl::StatusOr<v1::Enterprise> GetEnterprise(
      absl::string_view field, absl::string_view id) const override;
  absl::StatusOr<std::vector<v1::Enterprise>> ReceiversInCity(
      absl::string_view city_unit) const override;
  absl::StatusOr<int64_t> AcceptedGrams(absl::string_view receiver,
                                        int year) const override;
  absl::StatusOr<std::vector<v1::Approval>> Approvals(
      absl::string_view generator, absl::string_view receiver) const override;
  absl::StatusOr<int64_t> ApprovalUsedGrams(
      absl::string_view number) const override;
  absl::StatusOr<v1::Container> GetContainer(
      absl::string_view field, absl::string_view code) const override;
  absl::StatusOr<std::string> ManifestOfContainer(
      absl::string_view code) const override;
  absl::StatusOr<v1::ManagementPlan> GetPlan(
      absl::string_view field, absl::string_view number) const override;
  absl::StatusOr<int64_t> PlanShippedGrams(
      absl::string_view number, absl::string_view code,
      absl::string_view receiver) const override;
  absl::StatusOr<std::vector<v1::Manifest>> TripManifests(
      absl::string_view carrier, absl::string_view trip) const override;

  // The number of `generator`'s plan for `year`, or nullopt when it has
  // filed none.
  absl::StatusOr<absl::optional<std::string>> PlanNumberOf(
      absl::string_view generator, int year) const;
  // What manifests under plan `number` have shipped, by waste code and
  // receiver.
  absl::StatusOr<domain::PlanShipped> PlanShipments(
      absl::string_view number) const;

  // Manifest `number` as stored; NOT_FOUND when there is none.
  absl::StatusOr<v1::Manifest> GetManifest(absl::string_view number) const;
  // Every manifest `generator` opened, in number order; RESOURCE_EXHAUSTED
  // past kMaxManifestsPerParty (services/reads.h) rather than a part.
  absl::StatusOr<std::vector<v1::Manifest>> ManifestsOf(
      absl::string_view generator) const;
  // The manifests received at licensed operator `op` that a report
  // starting at `start` needs (domain::ReportNeedsHistory), each with the
  // disposal records `op` made on it, read off its stream.
  absl::StatusOr<std::vector<domain::OperatorManifest>> ReceivedAt(
      absl::string_view op, absl::Time start) const;
  // Every container `generator` registered, in code order, each with the
  // manifest that lists it; RESOURCE_EXHAUSTED past
  // kMaxContainersPerGenerator.
  absl::StatusOr<std::vector<v1::Container>> ContainersOf(
      absl::string_view generator) const;
  // Every manifest `collector` received into collection, in number order
  // (docs/COLLECTION.md).
  absl::StatusOr<std::vector<v1::Manifest>> CollectedBy(
      absl::string_view collector) const;

  // The approval numbered `number`, or nullopt when there is none: one
  // registered as such, or the one a consultation of that number issued.
  absl::StatusOr<absl::optional<v1::Approval>> FindApproval(
      absl::string_view number) const;
  // Consultation `number` as stored (no deadline); NOT_FOUND naming
  // `field` when there is none.
  absl::StatusOr<v1::Consultation> GetConsultation(
      absl::string_view field, absl::string_view number) const;
  // White list `number`, or nullopt when none is filed.
  absl::StatusOr<absl::optional<v1::WhiteList>> FindWhiteList(
      absl::string_view number) const;
  // The carrier a plate is registered to, or nullopt.
  absl::StatusOr<absl::optional<std::string>> VehicleOwner(
      absl::string_view plate) const;

 private:
  // Calls `visit` with every manifest `party` is a party of (the party
  // index), in number order; stops at its first error.
  absl::Status ForEachManifestOf(
      absl::string_view party,
      const std::function<absl::Status(v1::Manifest)>& visit) const;

  const storage::LedgerReader& ledger_;
};

}  // namespace cradle::services
