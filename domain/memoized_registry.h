#pragma once

// A RegistryReader that asks another one each question once.
//
// A write decides, and then runs the flag rules, against the same registry:
// an open looks up its generator, carrier and receiver twice or three times
// over (validation before a number is taken, the decision, the rules). Each
// lookup is a read of the store and a parse; this remembers the answers for
// the life of one request. It is never shared between requests (a registry
// change must be seen by the next one) nor between threads.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "domain/lifecycle.h"

namespace cradle::domain {

class MemoizedRegistry final : public RegistryReader {
 public:
  // `source` is not owned and must outlive this.
  explicit MemoizedRegistry(const RegistryReader& source) : source_(source) {}

  MemoizedRegistry(const MemoizedRegistry&) = delete;
  MemoizedRegistry& operator=(const MemoizedRegistry&) = delete;

  // Errors are not remembered: a NOT_FOUND names the field asked about.
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
      absl::string_view code) const override {
    return source_.ManifestOfContainer(code);
  }
  absl::StatusOr<v1::ManagementPlan> GetPlan(
      absl::string_view field, absl::string_view number) const override {
    return source_.GetPlan(field, number);
  }
  absl::StatusOr<int64_t> PlanShippedGrams(
      absl::string_view number, absl::string_view code,
      absl::string_view receiver) const override {
    return source_.PlanShippedGrams(number, code, receiver);
  }

  absl::StatusOr<std::vector<v1::Manifest>> TripManifests(
      absl::string_view carrier, absl::string_view trip) const override;

  // The containers this write read, by code, as it read them: its decision
  // stands only while they are still so (storage::StreamRead).
  const absl::flat_hash_map<std::string, v1::Container>& containers_read()
      const {
    return containers_;
  }
  // The other manifests this write read (a pickup's trip), number to the
  // version read: as containers_read().
  const absl::flat_hash_map<std::string, uint64_t>& manifests_read() const {
    return manifests_;
  }

 private:
  const RegistryReader& source_;
  mutable absl::flat_hash_map<std::string, v1::Enterprise> enterprises_;
  mutable absl::flat_hash_map<std::string, std::vector<v1::Enterprise>>
      receivers_in_city_;
  mutable absl::flat_hash_map<std::string, int64_t> accepted_;
  mutable absl::flat_hash_map<std::string, std::vector<v1::Approval>>
      approvals_;
  mutable absl::flat_hash_map<std::string, int64_t> approval_used_;
  mutable absl::flat_hash_map<std::string, v1::Container> containers_;
  mutable absl::flat_hash_map<std::string, std::vector<v1::Manifest>> trips_;
  mutable absl::flat_hash_map<std::string, uint64_t> manifests_;
};

}  // namespace cradle::domain
