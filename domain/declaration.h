#pragma once

// The generator's annual declaration (年度申报, 固废法 Art. 78; HJ
// 1259-2022): a year's actual figures per waste code, pre-filled from the
// ledger (docs/PLANS.md, "The annual declaration"). What left is read off
// the manifests taken out of stock in the year, what was used on site and
// what is held off the stock ledger's containers, and what was generated is
// their balance, less what a collector refilled from what it collected
// (repacked: the small generators made it); each is compared with the
// year's management plan.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/v1/container.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/plan.pb.h"

namespace cradle::domain {

// INVALID_ARGUMENT naming `year` unless it is 2000..this year (China time).
absl::Status CheckDeclarationYear(int year, absl::Time now);

// The declaration of `generator` for `year` at `now`: `plan` is the year's
// (nullptr when none was filed), `manifests` every manifest the generator
// opened (any year, any status), `containers` every container it registered,
// each with the manifest that lists it.
v1::GetDeclarationResponse Declare(absl::string_view generator, int year,
                                   const v1::ManagementPlan* plan,
                                   const std::vector<v1::Manifest>& manifests,
                                   const std::vector<v1::Container>& containers,
                                   absl::Time now);

// The declaration as CSV (a header, then one row per waste code and one per
// receiver of each: `row` is "code" or "transfer").
std::string DeclarationCsv(const v1::GetDeclarationResponse& d);

}  // namespace cradle::domain
