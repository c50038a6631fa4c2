#pragma once

// Names of streams, state keys and index keys in the ledger. The layout is
// documented in docs/ARCHITECTURE.md; change both together.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"

namespace cradle::services::keys {

// How keys spell enum values: the names version 1 wrote, frozen here, so
// that renaming a value in the API never moves a key. A number without a
// name is spelled as its decimal digits.
std::string StatusName(v1::ManifestStatus status);
std::string FlagKindName(v1::FlagKind kind);
std::string FlagStateName(v1::FlagState state);
std::string SeverityName(v1::Severity severity);
// The kind a key spells; false for a name it does not know.
bool ParseFlagKindName(absl::string_view name, v1::FlagKind* kind);

// Streams: a prefix and an id; ParseStream reads them back.
inline constexpr absl::string_view kEnterpriseStreamPrefix = "enterprise/";
inline constexpr absl::string_view kCredentialStreamPrefix = "credential/";
inline constexpr absl::string_view kApprovalStreamPrefix = "approval/";
inline constexpr absl::string_view kContainerStreamPrefix = "container/";
inline constexpr absl::string_view kPlanStreamPrefix = "plan/";
inline constexpr absl::string_view kConsultationStreamPrefix = "consultation/";
inline constexpr absl::string_view kWhiteListStreamPrefix = "whitelist/";
inline std::string EnterpriseStream(absl::string_view id) {
  return absl::StrCat(kEnterpriseStreamPrefix, id);
}
inline std::string CredentialStream(absl::string_view id) {
  return absl::StrCat(kCredentialStreamPrefix, id);
}
// A manifest's stream is its number.

// What a stream name says: whose stream it is.
enum class StreamKind {
  kManifest,
  kEnterprise,
  kApproval,
  kCredential,
  kContainer,
  kPlan,
  kConsultation,
  kWhiteList,
};
struct StreamName {
  StreamKind kind;
  std::string id;  // the manifest number, enterprise id, ...
};
// DATA_LOSS for a name no stream builder above makes.
absl::StatusOr<StreamName> ParseStream(absl::string_view stream);

// State (materialised, one value per key).
inline std::string ManifestState(absl::string_view number) {
  return absl::StrCat("manifest/", number);
}
inline std::string EnterpriseState(absl::string_view id) {
  return absl::StrCat("enterprise/", id);
}
// A ledger::v1::CredentialEvent: the credential as it stands and its token's
// hash.
inline std::string CredentialState(absl::string_view id) {
  return absl::StrCat("credential/", id);
}

// Indexes (the key is the data; values are empty unless noted).
inline std::string AllManifestsPrefix() { return "m/all/"; }
inline std::string CredentialsPrefix() { return "cred/"; }
inline std::string StatusPrefix(v1::ManifestStatus status) {
  return absl::StrCat("m/status/", StatusName(status), "/");
}
inline std::string PartyPrefix(absl::string_view id) {
  return absl::StrCat("m/party/", id, "/");
}
// The manifests a carrier picked up on one vehicle trip (Leg.trip).
inline std::string TripPrefix(absl::string_view carrier,
                              absl::string_view trip) {
  return absl::StrCat("m/trip/", carrier, "/", trip, "/");
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
  return absl::StrCat(kApprovalStreamPrefix, number);
}
inline std::string ApprovalState(absl::string_view number) {
  return absl::StrCat("approval/", number);
}
inline std::string ApprovalPairPrefix(absl::string_view generator,
                                      absl::string_view receiver) {
  return absl::StrCat("approval/pair/", generator, "/", receiver, "/");
}

// Labelled containers (HJ 1276 codes): the stream and state of each, its
// generator's list, and the manifest listing it (value: its number) while
// that manifest is not cancelled or voided. The last is put create-only,
// so that two manifests opened at once cannot both list a container.
inline std::string ContainerStream(absl::string_view code) {
  return absl::StrCat(kContainerStreamPrefix, code);
}
inline std::string ContainerState(absl::string_view code) {
  return absl::StrCat("container/", code);
}
inline std::string GeneratorContainersPrefix(absl::string_view generator) {
  return absl::StrCat("c/gen/", generator, "/");
}
inline std::string ContainerManifestIndex(absl::string_view code) {
  return absl::StrCat("c/on/", code);
}
// The collector's container a collected container went into (written
// once: a container is refilled once).
inline std::string ContainerSourceIndex(absl::string_view code) {
  return absl::StrCat("c/into/", code);
}

// Management plans: the stream and state of each, by filing number; the
// plan of a generator's year (value: its number), put create-only so that
// two first filings at once cannot both have it; and the numbers, whose
// last under a division and year is the highest sequence given.
inline std::string PlanStream(absl::string_view number) {
  return absl::StrCat(kPlanStreamPrefix, number);
}
inline std::string PlanState(absl::string_view number) {
  return absl::StrCat("plan/", number);
}
inline std::string PlanOfPrefix() { return "plan/of/"; }
inline std::string PlanOfIndex(absl::string_view generator, int year) {
  return absl::StrCat(PlanOfPrefix(), generator, "/", year);
}
inline std::string PlanNumbersPrefix() { return "plan/no/"; }

// Cross-province consultations (docs/CONSULTATION.md): the stream and state
// of each, by number; each under both its provinces, whose last key under
// "<origin><destination>-<year>-" is the pair's highest sequence given; and
// under its applicant.
inline std::string ConsultationStream(absl::string_view number) {
  return absl::StrCat(kConsultationStreamPrefix, number);
}
inline std::string ConsultationState(absl::string_view number) {
  return absl::StrCat("consultation/", number);
}
inline std::string ConsultationsInPrefix(absl::string_view province) {
  return absl::StrCat("cons/in/", province, "/");
}
inline std::string ConsultationsByPrefix(absl::string_view generator) {
  return absl::StrCat("cons/by/", generator, "/");
}

// Two provinces' white lists, by number ("<origin><destination>-<year>").
inline std::string WhiteListStream(absl::string_view number) {
  return absl::StrCat(kWhiteListStreamPrefix, number);
}
inline std::string WhiteListState(absl::string_view number) {
  return absl::StrCat("whitelist/", number);
}

// Counters (Mutation::add).
inline std::string AcceptedCounter(absl::string_view receiver, int year) {
  return absl::StrCat("used/", receiver, "/", year);
}
inline std::string ApprovalUsedCounter(absl::string_view number) {
  return absl::StrCat("approval-used/", number);
}
// Grams counted against plan `number`'s transfer of `code` to `receiver`.
inline std::string PlanShippedPrefix(absl::string_view number) {
  return absl::StrCat("plan-shipped/", number, "/");
}
inline std::string PlanShippedCounter(absl::string_view number,
                                      absl::string_view code,
                                      absl::string_view receiver) {
  return absl::StrCat(PlanShippedPrefix(number), code, "/", receiver);
}

// Flags: the key ends with the flag id, "<manifest number>-F<n>".
inline std::string FlagAllPrefix() { return "f/all/"; }
inline std::string FlagStatePrefix(v1::FlagState state) {
  return absl::StrCat("f/state/", FlagStateName(state), "/");
}
inline std::string FlagKindPrefix(v1::FlagKind kind) {
  return absl::StrCat("f/kind/", FlagKindName(kind), "/");
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
inline std::string JurisdictionKey(absl::string_view prefix,
                                   absl::string_view day,
                                   absl::string_view number) {
  return absl::StrCat(JurisdictionPrefix(prefix), day, "/", number);
}
// The day (YYYYMMDD) and the number of a jurisdiction key, given what
// follows its prefix; empty strings for what JurisdictionKey did not make.
struct JurisdictionRest {
  absl::string_view day, number;
};
inline JurisdictionRest SplitJurisdictionRest(absl::string_view rest) {
  if (rest.size() < 10 || rest[8] != '/') return {};
  return {rest.substr(0, 8), rest.substr(9)};
}

// Enterprises by division code.
inline std::string EnterprisesInDivisionPrefix(absl::string_view division) {
  return absl::StrCat("e/div/", division, "/");
}
// Enterprises of every division under a jurisdiction (2, 4 or 6 digits):
// a prefix of the keys above that stops inside the division code.
inline std::string EnterprisesInJurisdictionPrefix(
    absl::string_view jurisdiction) {
  return absl::StrCat("e/div/", jurisdiction);
}
// The enterprise id of a key of either prefix above.
inline std::string EnterpriseOfDivisionKey(absl::string_view key) {
  return std::string(key.substr(key.rfind('/') + 1));
}

// Regulators' figures, kept as counters in the index:
//   flow/<YYYYMM>/<origin city4>/<destination city4>/<HWnn>  accepted grams
//   closed/<YYYYMM>/<origin city4>/{all,ontime}               manifests
//   fopen/<city4>/<FLAG_KIND>                                 open flags
inline std::string FlowPrefix(absl::string_view month) {
  return absl::StrCat("flow/", month, "/");
}
inline std::string FlowCounter(absl::string_view month,
                               absl::string_view origin_city4,
                               absl::string_view destination_city4,
                               absl::string_view category) {
  return absl::StrCat(FlowPrefix(month), origin_city4, "/", destination_city4,
                      "/", category);
}
struct FlowKeyParts {
  std::string origin_city4, destination_city4, category;
};
// DATA_LOSS for a key FlowCounter did not make.
absl::StatusOr<FlowKeyParts> ParseFlowCounter(absl::string_view key);

inline constexpr absl::string_view kClosedAll = "all";
inline constexpr absl::string_view kClosedOnTime = "ontime";
inline std::string ClosedCounter(absl::string_view month,
                                 absl::string_view city4,
                                 absl::string_view which) {
  return absl::StrCat("closed/", month, "/", city4, "/", which);
}
// The closed counters of a month in every city under a jurisdiction (2 or 4
// digits): a prefix that stops inside the city code.
inline std::string ClosedInJurisdictionPrefix(absl::string_view month,
                                              absl::string_view jurisdiction) {
  return absl::StrCat("closed/", month, "/", jurisdiction);
}
// kClosedAll or kClosedOnTime: which counter a closed key is.
inline absl::string_view ClosedCounterWhich(absl::string_view key) {
  return key.substr(key.rfind('/') + 1);
}

inline std::string OpenFlagsPrefix(absl::string_view city4) {
  return absl::StrCat("fopen/", city4, "/");
}
inline std::string OpenFlagsCounter(absl::string_view city4,
                                    v1::FlagKind kind) {
  return absl::StrCat(OpenFlagsPrefix(city4), FlagKindName(kind));
}
// Open-flag counters of every city under a jurisdiction (2 or 4 digits).
inline std::string OpenFlagsInJurisdictionPrefix(
    absl::string_view jurisdiction) {
  return absl::StrCat("fopen/", jurisdiction);
}
// The flag kind's name of an open-flags key.
inline absl::string_view OpenFlagsKind(absl::string_view key) {
  return key.substr(key.rfind('/') + 1);
}

// Deadlines the sweeper watches: "due/<16 hex digits: due time in
// microseconds>/<number>/<kind>/<subject>", in due order.
inline std::string DuePrefix() { return "due/"; }
std::string DueKey(absl::Time due, absl::string_view number, v1::FlagKind kind,
                   int subject);
// A deadline that is not a flag's: `what` is "REVISION_LAPSE" (subject: the
// revision's index).
std::string DueKey(absl::Time due, absl::string_view number,
                   absl::string_view what, int subject);
struct DueKeyParts {
  absl::Time due;
  std::string number;
  // "<number>/<kind>/<subject>": which deadline, whatever its time.
  std::string deadline;
};
// DATA_LOSS for a key DueKey did not make.
absl::StatusOr<DueKeyParts> ParseDueKey(absl::string_view key);

// Manifests that wait on a regulator office of `jurisdiction` (a revision
// to approve, a fixed return to confirm): "office/<jurisdiction>/<number>",
// under every jurisdiction the manifest is in.
inline std::string OfficePrefix(absl::string_view jurisdiction) {
  return absl::StrCat("office/", jurisdiction, "/");
}

// The family of a key: its first component ("m", "flow", "due", ...).
inline absl::string_view KeyFamily(absl::string_view key) {
  return key.substr(0, key.find('/'));
}
// Keys that hold counters (Mutation::add) rather than values: in the index
// the regulators' figures (flow/, closed/, fopen/), in the state the
// accepted grams, approval use and what plans have shipped.
bool IsIndexCounterKey(absl::string_view key);
bool IsStateCounterKey(absl::string_view key);
// A counter's key with its time bucket (the month of flow/ and closed/, the
// year of used/) replaced by "*".
std::string TimelessCounterKey(absl::string_view key);

// Idempotency keys are scoped by acting party and operation, so two parties
// can never collide and a key reused for another operation is not a replay.
inline std::string Idempotency(absl::string_view actor, absl::string_view op,
                               absl::string_view key) {
  return absl::StrCat(actor, "/", op, "/", key);
}

}  // namespace cradle::services::keys
