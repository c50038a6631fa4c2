#include "services/reads.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/flags/engine.h"
#include "domain/work_calendar.h"
#include "services/keys.h"

namespace cradle::services {

absl::StatusOr<std::vector<std::string>> FlowMonths(absl::string_view from,
                                                    absl::string_view to,
                                                    int max_months) {
  absl::CivilMonth first, last;
  if (!absl::ParseCivilTime(from, &first)) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_month ", Quote(from), " is not YYYY-MM"));
  }
  if (!absl::ParseCivilTime(to, &last)) {
    return absl::InvalidArgumentError(
        absl::StrCat("to_month ", Quote(to), " is not YYYY-MM"));
  }
  if (last < first || last - first >= max_months) {
    return absl::InvalidArgumentError(absl::StrCat(
        "from_month..to_month must be 1..", max_months, " months in order"));
  }
  std::vector<std::string> months;
  for (absl::CivilMonth m = first; m <= last; ++m) {
    months.push_back(absl::FormatTime(
        "%Y%m", absl::FromCivil(m, domain::ChinaTime()), domain::ChinaTime()));
  }
  return months;
}

absl::Status ForEachFlow(
    const storage::LedgerReader& ledger, const std::vector<std::string>& months,
    const std::function<absl::Status(const std::string& month,
                                     keys::FlowKeyParts parts, int64_t grams)>&
        row) {
  for (const std::string& month : months) {
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<storage::KeyValue> rows,
        ScanWholeIndex(ledger, keys::FlowPrefix(month), kMaxFlowRows,
                       absl::StrCat("flow counters in ", month)));
    for (const storage::KeyValue& r : rows) {
      CRADLE_ASSIGN_OR_RETURN(keys::FlowKeyParts p,
                              keys::ParseFlowCounter(r.key));
      CRADLE_RETURN_IF_ERROR(
          row(month, std::move(p), storage::DecodeCounter(r.value)));
    }
  }
  return absl::OkStatus();
}
namespace {

constexpr size_t kPage = 1024;

}  // namespace

absl::StatusOr<std::vector<storage::KeyValue>> ScanWholeIndex(
    const storage::LedgerReader& ledger, absl::string_view prefix, size_t max,
    absl::string_view what) {
  std::vector<storage::KeyValue> out;
  std::string after;
  while (true) {
    // One past the limit, to tell "exactly max" from "more".
    const size_t want = std::min(kPage, max + 1 - out.size());
    CRADLE_ASSIGN_OR_RETURN(std::vector<storage::KeyValue> page,
                            ledger.ScanIndex(prefix, after, want));
    const bool last = page.size() < want;
    if (!page.empty()) after = page.back().key;
    for (storage::KeyValue& row : page) out.push_back(std::move(row));
    if (out.size() > max) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "more than ", max, " ", what, ": the answer would be cut short"));
    }
    if (last) return out;
  }
}

absl::StatusOr<std::vector<storage::Entry>> ReadWholeStream(
    const storage::LedgerReader& ledger, absl::string_view stream, size_t max) {
  CRADLE_ASSIGN_OR_RETURN(std::vector<storage::Entry> entries,
                          ledger.ReadStream(stream, 1, max + 1));
  if (entries.size() > max) {
    return absl::ResourceExhaustedError(
        absl::StrCat("stream ", stream, " holds more than ", max,
                     " entries: the answer would be cut short"));
  }
  return entries;
}

absl::StatusOr<v1::EnterpriseRisk> ReadEnterpriseRisk(
    const storage::LedgerReader& ledger, absl::string_view enterprise) {
  const std::string prefix = keys::FlagEnterprisePrefix(enterprise);
  CRADLE_ASSIGN_OR_RETURN(
      std::vector<storage::KeyValue> rows,
      ScanWholeIndex(ledger, prefix, kMaxOpenFlagsPerEnterprise,
                     absl::StrCat("open flags of enterprise ", enterprise)));
  v1::EnterpriseRisk risk;
  risk.set_id(std::string(enterprise));
  int high = 0;
  for (const storage::KeyValue& row : rows) {
    risk.add_flag_ids(row.key.substr(prefix.size()));
    high += row.value == keys::SeverityName(v1::SEVERITY_HIGH);
  }
  risk.set_open_flags(static_cast<int>(rows.size()));
  risk.set_open_high(high);
  risk.set_colour(domain::RiskColour(risk.open_flags(), high));
  return risk;
}

}  // namespace cradle::services
