#pragma once

// A licensed operator's report (经营情况报告) over a day or a year, read off
// the ledger (docs/REPORTS.md): per waste code, the stock it held at the
// start, what it accepted on receipts and treated on disposal records in
// the period, and the stock at the end, with the manifest lines every
// figure sums. A day with nothing received, treated or generated gives the
// zero report (零报告) that Guangdong's operators file daily.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/v1/container.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "cradle/v1/report.pb.h"

namespace cradle::domain {

// The span a report covers: [start, end), whole days of China time.
struct ReportPeriod {
  absl::Time start;
  absl::Time end;
  std::string name;  // "2026-12-03" or "2026"
  bool annual = false;
};

// The request's period at `now`; INVALID_ARGUMENT naming `operator`,
// `day` or `year` when it is missing, malformed, both or neither, or not
// yet begun.
absl::StatusOr<ReportPeriod> CheckOperatorReport(
    const v1::GetOperatorReportRequest& request, absl::Time now);

// One disposal record an operator made on a manifest: a line of its
// Disposed event, at the event's time.
struct DisposalRecord {
  int line = 0;  // 1-based
  std::string method;
  int64_t grams = 0;
  absl::Time at;
};

// A manifest received at the operator and the disposal records the
// operator made on it, in order.
struct OperatorManifest {
  v1::Manifest manifest;
  std::vector<DisposalRecord> disposals;
};

// Whether a report whose period starts at `start` needs `m`'s disposal
// records: `m` was received at `op` and either still holds waste there or
// changed since `start`. A manifest wholly treated before the period adds
// nothing to it, so its stream need not be read.
bool ReportNeedsHistory(const v1::Manifest& m, absl::string_view op,
                        absl::Time start);

// FAILED_PRECONDITION unless `op` is registered as a receiver: only
// licensed operators report.
absl::Status CheckReportingOperator(const v1::Enterprise& op);

// The yearly capacity of `op`'s licences valid on the last day of `period`
// (or `now`, within it), in grams.
int64_t LicensedCapacityG(const v1::Enterprise& op, const ReportPeriod& period,
                          absl::Time now);

// The report of `op` over `period` at `now`. `manifests` holds every
// manifest received at `op` that ReportNeedsHistory picked, `own` every
// container `op` registered as a generator (its secondary waste, or for a
// collector its refills), `sources` the collected containers those refills
// name (RepackSources), by code, and `capacity_g` the yearly capacity of
// its licences (the annual report compares what it accepted with it; 0:
// none recorded).
v1::GetOperatorReportResponse ReportOperator(
    absl::string_view op, const ReportPeriod& period,
    const std::vector<OperatorManifest>& manifests,
    const std::vector<v1::Container>& own,
    const std::map<std::string, v1::Container>& sources, int64_t capacity_g,
    absl::Time now);

// The codes of the collected containers that `own` refilled before `end`:
// what ReportOperator needs read as `sources`.
std::vector<std::string> RepackSources(const std::vector<v1::Container>& own,
                                       absl::Time end);

// The report as CSV: its lines (one row per waste code) and its entries
// (one row per manifest line moved), each with a header.
std::string OperatorReportLinesCsv(const v1::GetOperatorReportResponse& r);
std::string OperatorReportEntriesCsv(const v1::GetOperatorReportResponse& r);

}  // namespace cradle::domain
