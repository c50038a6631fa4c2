#pragma once

// A licensed operator's report (经营情况报告) as an A4 PDF: the period and
// the operator, per waste code the stock at the start, what was accepted
// and treated and the stock at the end, the manifest lines those figures
// sum, and the notes (docs/REPORTS.md).

#include <string>

#include "absl/status/status.h"

#include "cradle/v1/report.pb.h"

namespace cradle::print {

// Writes `report` of the operator registered as `operator_name` to a PDF
// at `path`, on as many pages as it needs. Fails naming the file.
absl::Status WriteOperatorReportPdf(const v1::GetOperatorReportResponse& report,
                                    const std::string& operator_name,
                                    const std::string& path);

}  // namespace cradle::print
