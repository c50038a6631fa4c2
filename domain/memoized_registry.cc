#include "domain/memoized_registry.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace cradle::domain {
namespace {

// Looks `key` up in `memo`, or asks `fetch` and remembers a success.
template <typename T, typename Fetch>
absl::StatusOr<T> Remember(absl::flat_hash_map<std::string, T>& memo,
                           std::string key, Fetch fetch) {
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  absl::StatusOr<T> fresh = fetch();
  if (fresh.ok()) memo.emplace(std::move(key), *fresh);
  return fresh;
}

}  // namespace

absl::StatusOr<v1::Enterprise> MemoizedRegistry::GetEnterprise(
    absl::string_view field, absl::string_view id) const {
  return Remember(enterprises_, std::string(id),
                  [&] { return source_.GetEnterprise(field, id); });
}

absl::StatusOr<std::vector<v1::Enterprise>> MemoizedRegistry::ReceiversInCity(
    absl::string_view city_unit) const {
  return Remember(receivers_in_city_, std::string(city_unit),
                  [&] { return source_.ReceiversInCity(city_unit); });
}

absl::StatusOr<int64_t> MemoizedRegistry::AcceptedGrams(
    absl::string_view receiver, int year) const {
  return Remember(accepted_, absl::StrCat(receiver, "/", year),
                  [&] { return source_.AcceptedGrams(receiver, year); });
}

absl::StatusOr<std::vector<v1::Approval>> MemoizedRegistry::Approvals(
    absl::string_view generator, absl::string_view receiver) const {
  return Remember(approvals_, absl::StrCat(generator, "/", receiver),
                  [&] { return source_.Approvals(generator, receiver); });
}

absl::StatusOr<int64_t> MemoizedRegistry::ApprovalUsedGrams(
    absl::string_view number) const {
  return Remember(approval_used_, std::string(number),
                  [&] { return source_.ApprovalUsedGrams(number); });
}

absl::StatusOr<v1::Container> MemoizedRegistry::GetContainer(
    absl::string_view field, absl::string_view code) const {
  return Remember(containers_, std::string(code),
                  [&] { return source_.GetContainer(field, code); });
}

absl::StatusOr<std::vector<v1::Manifest>> MemoizedRegistry::TripManifests(
    absl::string_view carrier, absl::string_view trip) const {
  absl::StatusOr<std::vector<v1::Manifest>> got =
      Remember(trips_, absl::StrCat(carrier, "/", trip),
               [&] { return source_.TripManifests(carrier, trip); });
  if (got.ok()) {
    for (const v1::Manifest& m : *got)
      manifests_.emplace(m.number(), m.version());
  }
  return got;
}

}  // namespace cradle::domain
