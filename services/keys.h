#pragma once

// Names of streams, state keys and index keys in the ledger. The layout is
// documented in docs/ARCHITECTURE.md; change both together.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cradle::services::keys {

// Streams.
inline std::string EnterpriseStream(absl::string_view id) {
  return absl::StrCat("enterprise/", id);
}
inline std::string CredentialStream(absl::string_view id) {
  return absl::StrCat("credential/", id);
}
// A manifest's stream is its number.

// State (materialised, one value per key).
inline std::string ManifestState(absl::string_view number) {
  return absl::StrCat("manifest/", number);
}
inline std::string EnterpriseState(absl::string_view id) {
  return absl::StrCat("enterprise/", id);
}
// A v1::CredentialEvent: the credential as it stands and its token's hash.
inline std::string CredentialState(absl::string_view id) {
  return absl::StrCat("credential/", id);
}

// Indexes (the key is the data; values are empty unless noted).
inline std::string AllManifestsPrefix() { return "m/all/"; }
inline std::string CredentialsPrefix() { return "cred/"; }
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

// Receivers by city unit (domain::CityUnit of their division).
inline std::string ReceiversInCityPrefix(absl::string_view city_unit) {
  return absl::StrCat("r/city/", city_unit, "/");
}

// Cross-province approvals.
inline std::string ApprovalStream(absl::string_view number) {
  return absl::StrCat("approval/", number);
}
inline std::string ApprovalState(absl::string_view number) {
  return absl::StrCat("approval/", number);
}
inline std::string ApprovalPairPrefix(absl::string_view generator,
                                      absl::string_view receiver) {
  return absl::StrCat("approval/pair/", generator, "/", receiver, "/");
}

// Counters (Mutation::add).
inline std::string AcceptedCounter(absl::string_view receiver, int year) {
  return absl::StrCat("used/", receiver, "/", year);
}
inline std::string ApprovalUsedCounter(absl::string_view number) {
  return absl::StrCat("approval-used/", number);
}

// Flags: the key ends with the flag id, "<manifest number>-F<n>".
inline std::string FlagAllPrefix() { return "f/all/"; }
inline std::string FlagStatePrefix(absl::string_view state) {
  return absl::StrCat("f/state/", state, "/");
}
inline std::string FlagKindPrefix(absl::string_view kind) {
  return absl::StrCat("f/kind/", kind, "/");
}
inline std::string FlagCityPrefix(absl::string_view city4) {
  return absl::StrCat("f/city/", city4, "/");
}
inline std::string FlagCountyPrefix(absl::string_view county6) {
  return absl::StrCat("f/county/", county6, "/");
}
// Open flags only; value: the severity's name.
inline std::string FlagEnterprisePrefix(absl::string_view id) {
  return absl::StrCat("f/ent/", id, "/");
}

// Manifests touching a division prefix (2, 4 or 6 digits) as origin,
// destination or relay carrier, by the date they were opened (YYYYMMDD,
// China time).
inline std::string JurisdictionPrefix(absl::string_view prefix) {
  return absl::StrCat("j/", prefix, "/");
}
// Enterprises by division code.
inline std::string EnterprisesInDivisionPrefix(absl::string_view division) {
  return absl::StrCat("e/div/", division, "/");
}

// Regulators' figures, kept as counters in the index:
//   flow/<YYYYMM>/<origin city4>/<destination city4>/<HWnn>  accepted grams
//   closed/<YYYYMM>/<origin city4>/{all,ontime}               manifests
//   fopen/<city4>/<FLAG_KIND>                                 open flags
inline std::string FlowPrefix(absl::string_view month) {
  return absl::StrCat("flow/", month, "/");
}
inline std::string ClosedCounter(absl::string_view month,
                                 absl::string_view city4,
                                 absl::string_view which) {
  return absl::StrCat("closed/", month, "/", city4, "/", which);
}
inline std::string OpenFlagsPrefix(absl::string_view city4) {
  return absl::StrCat("fopen/", city4, "/");
}

// Deadlines the sweeper watches: "due/<16 hex digits: due time in
// microseconds>/<number>/<kind>/<subject>", in due order.
inline std::string DuePrefix() { return "due/"; }
std::string DueKey(absl::Time due, absl::string_view number,
                   absl::string_view kind, int subject);
struct DueKeyParts {
  absl::Time due;
  std::string number;
  // "<number>/<kind>/<subject>": which deadline, whatever its time.
  std::string deadline;
};
// DATA_LOSS for a key DueKey did not make.
absl::StatusOr<DueKeyParts> ParseDueKey(absl::string_view key);

// Idempotency keys are scoped by acting party and operation, so two parties
// can never collide and a key reused for another operation is not a replay.
inline std::string Idempotency(absl::string_view actor, absl::string_view op,
                               absl::string_view key) {
  return absl::StrCat(actor, "/", op, "/", key);
}

}  // namespace cradle::services::keys
