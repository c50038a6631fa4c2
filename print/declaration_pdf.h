#pragma once

// A generator's annual declaration (年度申报) as an A4 PDF: per waste code
// the year's figures from the ledger and the stock ledger against the
// year's plan, the receivers each code went to, and the notes
// (docs/PLANS.md, "The annual declaration").

#include <string>

#include "absl/status/status.h"

#include "cradle/v1/plan.pb.h"

namespace cradle::print {

// Writes `declaration` of the generator registered as `generator_name` to a
// PDF at `path`, on as many pages as it needs. Fails naming the file.
absl::Status WriteDeclarationPdf(const v1::GetDeclarationResponse& declaration,
                                 const std::string& generator_name,
                                 const std::string& path);

}  // namespace cradle::print
