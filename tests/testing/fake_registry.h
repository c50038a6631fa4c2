#pragma once

// A registry in memory for tests of decisions and projections: enterprises,
// the grams each receiver accepted in a year, approvals and what each has
// shipped. It records the city units ReceiversInCity was asked about.

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "cradle/v1/registry.pb.h"
#include "domain/division.h"
#include "domain/lifecycle.h"

namespace cradle::testing {

class FakeRegistry final : public domain::RegistryReader {
 public:
  void Add(v1::Enterprise e) {
    std::string id = e.id();
    enterprises_[id] = std::move(e);
  }
  void SetAcceptedGrams(const std::string& receiver, int year, int64_t grams) {
    accepted_[{receiver, year}] = grams;
  }
  void AddApproval(v1::Approval a) { approvals_.push_back(std::move(a)); }
  void SetApprovalUsedGrams(const std::string& number, int64_t grams) {
    approval_used_[number] = grams;
  }
  void AddContainer(v1::Container c) {
    std::string code = c.code();
    containers_[code] = std::move(c);
  }
  // Container `code` is listed by manifest `number` ("" : by none).
  void SetContainerManifest(const std::string& code,
                            const std::string& number) {
    container_manifest_[code] = number;
  }
  void AddPlan(v1::ManagementPlan p) {
    std::string number = p.number();
    plans_[number] = std::move(p);
  }
  void SetPlanShippedGrams(const std::string& number, const std::string& code,
                           const std::string& receiver, int64_t grams) {
    plan_shipped_[{number, code, receiver}] = grams;
  }
  // Manifest `m` is on its first leg's trip (Leg.trip).
  void AddTripManifest(v1::Manifest m) {
    const v1::Leg& leg = m.legs(0);
    trips_[{leg.carrier(), leg.trip()}].push_back(std::move(m));
  }
  // The city units ReceiversInCity was asked about, in order.
  const std::vector<std::string>& city_queries() const { return city_queries_; }

  absl::StatusOr<v1::Enterprise> GetEnterprise(
      absl::string_view field, absl::string_view id) const override {
    auto it = enterprises_.find(std::string(id));
    if (it == enterprises_.end()) {
      return absl::NotFoundError(
          absl::StrCat(field, " ", id, " is not a registered enterprise"));
    }
    return it->second;
  }

  absl::StatusOr<std::vector<v1::Enterprise>> ReceiversInCity(
      absl::string_view city_unit) const override {
    city_queries_.push_back(std::string(city_unit));
    std::vector<v1::Enterprise> out;
    for (const auto& [id, e] : enterprises_) {
      bool receiver = false;
      for (int r : e.roles()) receiver |= r == v1::ROLE_RECEIVER;
      if (receiver && domain::CityUnit(e.division()) == city_unit)
        out.push_back(e);
    }
    return out;
  }

  absl::StatusOr<int64_t> AcceptedGrams(absl::string_view receiver,
                                        int year) const override {
    auto it = accepted_.find({std::string(receiver), year});
    return it == accepted_.end() ? 0 : it->second;
  }

  absl::StatusOr<std::vector<v1::Approval>> Approvals(
      absl::string_view generator, absl::string_view receiver) const override {
    std::vector<v1::Approval> out;
    for (const v1::Approval& a : approvals_) {
      if (a.generator() == generator && a.receiver() == receiver) {
        out.push_back(a);
      }
    }
    return out;
  }

  absl::StatusOr<int64_t> ApprovalUsedGrams(
      absl::string_view number) const override {
    auto it = approval_used_.find(std::string(number));
    return it == approval_used_.end() ? 0 : it->second;
  }

  absl::StatusOr<v1::Container> GetContainer(
      absl::string_view field, absl::string_view code) const override {
    auto it = containers_.find(std::string(code));
    if (it == containers_.end()) {
      return RegistryReader::GetContainer(field, code);
    }
    return it->second;
  }

  absl::StatusOr<std::string> ManifestOfContainer(
      absl::string_view code) const override {
    auto it = container_manifest_.find(std::string(code));
    return it == container_manifest_.end() ? std::string() : it->second;
  }

  absl::StatusOr<v1::ManagementPlan> GetPlan(
      absl::string_view field, absl::string_view number) const override {
    auto it = plans_.find(std::string(number));
    if (it == plans_.end()) return RegistryReader::GetPlan(field, number);
    return it->second;
  }

  absl::StatusOr<int64_t> PlanShippedGrams(
      absl::string_view number, absl::string_view code,
      absl::string_view receiver) const override {
    auto it = plan_shipped_.find(
        {std::string(number), std::string(code), std::string(receiver)});
    return it == plan_shipped_.end() ? 0 : it->second;
  }

  absl::StatusOr<std::vector<v1::Manifest>> TripManifests(
      absl::string_view carrier, absl::string_view trip) const override {
    auto it = trips_.find({std::string(carrier), std::string(trip)});
    return it == trips_.end() ? std::vector<v1::Manifest>() : it->second;
  }

 private:
  std::map<std::string, v1::Enterprise> enterprises_;
  std::map<std::string, v1::Container> containers_;
  std::map<std::string, std::string> container_manifest_;
  std::map<std::pair<std::string, int>, int64_t> accepted_;
  std::vector<v1::Approval> approvals_;
  std::map<std::string, int64_t> approval_used_;
  std::map<std::string, v1::ManagementPlan> plans_;
  std::map<std::pair<std::string, std::string>, std::vector<v1::Manifest>>
      trips_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t>
      plan_shipped_;
  mutable std::vector<std::string> city_queries_;
};

}  // namespace cradle::testing
