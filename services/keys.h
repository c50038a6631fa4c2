#pragma once

// Names of streams, state keys and index keys in the ledger. The layout is
// documented in docs/ARCHITECTURE.md; change both together.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace cradle::services::keys {

// Streams.
inline std::string EnterpriseStream(absl::string_view id) {
  return absl::StrCat("enterprise/", id);
}
// A manifest's stream is its number.

// State (materialised, one value per key).
inline std::string ManifestState(absl::string_view number) {
  return absl::StrCat("manifest/", number);
}
inline std::string EnterpriseState(absl::string_view id) {
  return absl::StrCat("enterprise/", id);
}
// Last serial assigned in an origin city and year (decimal).
inline std::string SerialCounter(int year, absl::string_view city4) {
  return absl::StrCat("serial/", year, "/", city4);
}

// Indexes (the key is the data; values are empty unless noted).
inline std::string AllManifestsPrefix() { return "m/all/"; }
inline std::string StatusPrefix(absl::string_view status) {
  return absl::StrCat("m/status/", status, "/");
}
inline std::string PartyPrefix(absl::string_view id) {
  return absl::StrCat("m/party/", id, "/");
}
// Value: the carrier's id.
inline std::string VehicleIndex(absl::string_view plate) {
  return absl::StrCat("vehicle/", plate);
}

// Idempotency keys are scoped by acting party and operation, so two parties
// can never collide and a key reused for another operation is not a replay.
inline std::string Idempotency(absl::string_view actor, absl::string_view op,
                               absl::string_view key) {
  return absl::StrCat(actor, "/", op, "/", key);
}

}  // namespace cradle::services::keys
