#include "clients/cli_values.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "domain/quantity.h"

namespace cradle::clients {
namespace {

absl::StatusOr<int32_t> ParseLineNumber(absl::string_view flag,
                                        absl::string_view text) {
  int32_t n = 0;
  if (!absl::SimpleAtoi(text, &n) || n < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": line number \"", text, "\" is not a number from 1"));
  }
  return n;
}

}  // namespace

absl::StatusOr<v1::WasteLine> ParseWasteSpec(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() != 2 && parts.size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("--waste \"", text,
                     "\" is not CODE:QTY or CODE:QTY:PACKAGING:COUNT (e.g. "
                     "900-249-08:1.25t:drum:10)"));
  }
  v1::WasteLine line;
  line.set_code(parts[0]);
  absl::StatusOr<int64_t> grams =
      domain::ParseQuantityGrams("--waste", parts[1]);
  if (!grams.ok()) return grams.status();
  line.set_quantity_g(*grams);
  if (parts.size() == 4) {
    line.set_packaging(parts[2]);
    int32_t count = 0;
    if (!absl::SimpleAtoi(parts[3], &count) || count < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--waste \"", text, "\": package count \"", parts[3],
                       "\" is not a whole number"));
    }
    line.set_package_count(count);
  }
  return line;
}

absl::StatusOr<v1::LineReceipt> ParseReceiptLine(absl::string_view text) {
  std::vector<std::string> parts =
      absl::StrSplit(text, absl::MaxSplits(':', 3));
  if (parts.size() < 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--line \"", text,
        "\" is not N:accept|reject:QTY[:REASON] (e.g. 1:accept:800kg)"));
  }
  v1::LineReceipt r;
  absl::StatusOr<int32_t> n = ParseLineNumber("--line", parts[0]);
  if (!n.ok()) return n.status();
  r.set_line(*n);
  const std::string decision = absl::AsciiStrToLower(parts[1]);
  if (decision == "accept") {
    r.set_decision(v1::LineReceipt::ACCEPT);
  } else if (decision == "reject") {
    r.set_decision(v1::LineReceipt::REJECT);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--line \"", text, "\": \"", parts[1], "\" is not accept or reject"));
  }
  absl::StatusOr<int64_t> grams =
      domain::ParseQuantityGrams("--line", parts[2]);
  if (!grams.ok()) return grams.status();
  r.set_quantity_g(*grams);
  if (parts.size() == 4) r.set_reason(parts[3]);
  return r;
}

absl::StatusOr<v1::LineDisposal> ParseDisposalLine(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--line \"", text, "\" is not N:METHOD:QTY (e.g. 1:D10:800kg)"));
  }
  v1::LineDisposal d;
  absl::StatusOr<int32_t> n = ParseLineNumber("--line", parts[0]);
  if (!n.ok()) return n.status();
  d.set_line(*n);
  d.set_method(parts[1]);
  absl::StatusOr<int64_t> grams =
      domain::ParseQuantityGrams("--line", parts[2]);
  if (!grams.ok()) return grams.status();
  d.set_quantity_g(*grams);
  return d;
}

absl::StatusOr<v1::Position> ParsePosition(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, ',');
  double lat = 0, lon = 0;
  if (parts.size() != 2 || !absl::SimpleAtod(parts[0], &lat) ||
      !absl::SimpleAtod(parts[1], &lon)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--at \"", text, "\" is not LAT,LON in degrees (e.g. 30.75,120.76)"));
  }
  v1::Position p;
  p.set_lat(lat);
  p.set_lon(lon);
  return p;
}

absl::StatusOr<std::vector<v1::Role>> ParseRoles(absl::string_view text) {
  std::vector<v1::Role> roles;
  for (const std::string& word : ParseList(text)) {
    v1::Role role;
    if (!v1::Role_Parse(absl::AsciiStrToUpper(word), &role) ||
        role == v1::ROLE_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--roles: \"", word,
          "\" is not a role (generator, collector, transporter, receiver)"));
    }
    roles.push_back(role);
  }
  return roles;
}

absl::StatusOr<int64_t> ParseCapacityKg(absl::string_view text) {
  absl::StatusOr<int64_t> grams =
      domain::ParseQuantityGrams("--capacity-t", absl::StrCat(text, "t"));
  if (!grams.ok()) return grams.status();
  if (*grams % 1000 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--capacity-t ", text, " is not a whole number of kilograms"));
  }
  return *grams / 1000;
}

std::vector<std::string> ParseList(absl::string_view text) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

absl::StatusOr<v1::ManifestStatus> ParseStatus(absl::string_view text) {
  v1::ManifestStatus status;
  if (!v1::ManifestStatus_Parse(absl::AsciiStrToUpper(text), &status) ||
      status == v1::STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--status \"", text,
        "\" is not a status (draft, issued, in_transit, "
        "delivered, accepted, partially_accepted, rejected, disposed, closed, "
        "cancelled)"));
  }
  return status;
}

absl::StatusOr<int64_t> ParseAmountFen(absl::string_view text) {
  const absl::Status bad = absl::InvalidArgumentError(absl::StrCat(
      "--amount \"", text,
      "\" is not an amount in CNY with at most 2 decimals (e.g. 3800.50)"));
  std::vector<std::string> parts = absl::StrSplit(text, '.');
  if (parts.empty() || parts.size() > 2 || parts[0].empty() ||
      parts[0].size() > 12) {
    return bad;
  }
  int64_t yuan = 0, fen = 0;
  for (char c : parts[0]) {
    if (c < '0' || c > '9') return bad;
  }
  if (!absl::SimpleAtoi(parts[0], &yuan)) return bad;
  if (parts.size() == 2) {
    const std::string& f = parts[1];
    if (f.empty() || f.size() > 2) return bad;
    for (char c : f) {
      if (c < '0' || c > '9') return bad;
    }
    fen = (f[0] - '0') * 10 + (f.size() == 2 ? f[1] - '0' : 0);
  }
  const int64_t total = yuan * 100 + fen;
  if (total <= 0) return bad;
  return total;
}

absl::StatusOr<v1::FlagKind> ParseFlagKind(absl::string_view text) {
  v1::FlagKind kind;
  if (!v1::FlagKind_Parse(absl::AsciiStrToUpper(text), &kind) ||
      kind == v1::FLAG_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--kind \"", text,
        "\" is not a flag kind (cross_city, cross_province_unapproved, "
        "unlicensed_receiver, wrong_receiver, quantity_discrepancy, "
        "transit_overdue, receipt_overdue, missing_disposal, "
        "backfill_overdue, direct_payment)"));
  }
  return kind;
}

absl::StatusOr<v1::FlagState> ParseFlagState(absl::string_view text) {
  v1::FlagState state;
  if (!v1::FlagState_Parse(absl::AsciiStrToUpper(text), &state) ||
      state == v1::FLAG_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--state \"", text, "\" is not open, acked, resolved or cleared"));
  }
  return state;
}

std::string FormatQuantity(int64_t grams) { return domain::FormatGrams(grams); }

}  // namespace cradle::clients
