#include "services/keys.h"

#include <cinttypes>
#include <cstdio>
#include <iterator>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace cradle::services::keys {
namespace {

// Indexed by the value's number; frozen (see keys.h).
constexpr absl::string_view kStatusNames[] = {"STATUS_UNSPECIFIED",
                                              "DRAFT",
                                              "ISSUED",
                                              "IN_TRANSIT",
                                              "DELIVERED",
                                              "ACCEPTED",
                                              "PARTIALLY_ACCEPTED",
                                              "REJECTED",
                                              "DISPOSED",
                                              "CLOSED",
                                              "CANCELLED",
                                              "VOIDED"};
constexpr absl::string_view kFlagKindNames[] = {
    "FLAG_KIND_UNSPECIFIED", "CROSS_CITY",         "CROSS_PROVINCE_UNAPPROVED",
    "UNLICENSED_RECEIVER",   "WRONG_RECEIVER",     "QUANTITY_DISCREPANCY",
    "TRANSIT_OVERDUE",       "RECEIPT_OVERDUE",    "MISSING_DISPOSAL",
    "BACKFILL_OVERDUE",      "DIRECT_PAYMENT",     "LEDGER_DAMAGED",
    "UNLICENSED_METHOD",     "LOAD_MISMATCH",      "CONTAINER_MISMATCH",
    "ROUTE_DEVIATION",       "LONG_STOP",          "TRACK_GAP",
    "PLAN_DEVIATION",        "UNSTORED_CONTAINER", "COLLECTION_SHORTFALL",
    "STOCK_OVERDUE"};
constexpr absl::string_view kFlagStateNames[] = {
    "FLAG_STATE_UNSPECIFIED", "OPEN", "ACKED", "RESOLVED", "CLEARED"};
constexpr absl::string_view kSeverityNames[] = {"SEVERITY_UNSPECIFIED", "LOW",
                                                "MEDIUM", "HIGH"};

template <size_t N>
std::string NameOf(const absl::string_view (&names)[N], int value) {
  if (value >= 0 && static_cast<size_t>(value) < N) {
    return std::string(names[value]);
  }
  return absl::StrCat(value);
}

}  // namespace

std::string StatusName(v1::ManifestStatus status) {
  return NameOf(kStatusNames, status);
}
std::string FlagKindName(v1::FlagKind kind) {
  return NameOf(kFlagKindNames, kind);
}
std::string FlagStateName(v1::FlagState state) {
  return NameOf(kFlagStateNames, state);
}
std::string SeverityName(v1::Severity severity) {
  return NameOf(kSeverityNames, severity);
}

bool ParseFlagKindName(absl::string_view name, v1::FlagKind* kind) {
  for (size_t i = 1; i < std::size(kFlagKindNames); ++i) {
    if (kFlagKindNames[i] == name) {
      *kind = static_cast<v1::FlagKind>(i);
      return true;
    }
  }
  int number = 0;
  if (absl::SimpleAtoi(name, &number) && number > 0) {
    *kind = static_cast<v1::FlagKind>(number);
    return true;
  }
  return false;
}

std::string DueKey(absl::Time due, absl::string_view number, v1::FlagKind kind,
                   int subject) {
  return DueKey(due, number, FlagKindName(kind), subject);
}

std::string DueKey(absl::Time due, absl::string_view number,
                   absl::string_view what, int subject) {
  char micros[17];
  std::snprintf(
      micros, sizeof micros, "%016" PRIx64,
      static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixMicros(due))));
  return absl::StrCat(DuePrefix(), micros, "/", number, "/", what, "/",
                      subject);
}

absl::StatusOr<DueKeyParts> ParseDueKey(absl::string_view key) {
  const size_t at = DuePrefix().size();
  uint64_t micros = 0;
  if (key.substr(0, at) != DuePrefix() || key.size() < at + 17 ||
      key[at + 16] != '/' ||
      !absl::SimpleHexAtoi(key.substr(at, 16), &micros)) {
    return absl::DataLossError(
        absl::StrCat("malformed due index key \"", key, "\""));
  }
  DueKeyParts parts;
  parts.due = absl::FromUnixMicros(static_cast<int64_t>(micros));
  parts.deadline = std::string(key.substr(at + 17));
  parts.number = parts.deadline.substr(0, parts.deadline.find('/'));
  return parts;
}

absl::StatusOr<StreamName> ParseStream(absl::string_view stream) {
  struct Prefix {
    absl::string_view prefix;
    StreamKind kind;
  };
  for (const Prefix& p :
       {Prefix{kEnterpriseStreamPrefix, StreamKind::kEnterprise},
        Prefix{kApprovalStreamPrefix, StreamKind::kApproval},
        Prefix{kCredentialStreamPrefix, StreamKind::kCredential},
        Prefix{kContainerStreamPrefix, StreamKind::kContainer},
        Prefix{kPlanStreamPrefix, StreamKind::kPlan},
        Prefix{kConsultationStreamPrefix, StreamKind::kConsultation},
        Prefix{kWhiteListStreamPrefix, StreamKind::kWhiteList}}) {
    if (absl::StartsWith(stream, p.prefix) && stream.size() > p.prefix.size()) {
      return StreamName{p.kind, std::string(stream.substr(p.prefix.size()))};
    }
  }
  if (stream.empty() || absl::StrContains(stream, '/')) {
    return absl::DataLossError(
        absl::StrCat("stream \"", stream, "\" is of no kind Cradle writes"));
  }
  return StreamName{StreamKind::kManifest, std::string(stream)};
}

bool IsIndexCounterKey(absl::string_view key) {
  return absl::StartsWith(key, "flow/") || absl::StartsWith(key, "closed/") ||
         absl::StartsWith(key, "fopen/");
}

bool IsStateCounterKey(absl::string_view key) {
  return absl::StartsWith(key, "used/") ||
         absl::StartsWith(key, "approval-used/") ||
         absl::StartsWith(key, "plan-shipped/");
}

std::string TimelessCounterKey(absl::string_view key) {
  std::vector<std::string> parts = absl::StrSplit(key, '/');
  if ((parts[0] == "flow" || parts[0] == "closed") && parts.size() > 1) {
    parts[1] = "*";
  } else if (parts[0] == "used" && parts.size() > 2) {
    parts[2] = "*";
  }
  return absl::StrJoin(parts, "/");
}

absl::StatusOr<FlowKeyParts> ParseFlowCounter(absl::string_view key) {
  std::vector<std::string> p = absl::StrSplit(key, '/');
  if (p.size() != 5 || p[0] != "flow") {
    return absl::DataLossError(
        absl::StrCat("malformed flow counter key \"", key, "\""));
  }
  return FlowKeyParts{std::move(p[2]), std::move(p[3]), std::move(p[4])};
}

}  // namespace cradle::services::keys
