#pragma once

// The utilisation and disposal method codes (利用/处置方式) that licences
// list and receivers report treatment with: R1..R15, D1..D16, C1..C3,
// Y10..Y16 (data/cn-treatment-methods.csv, with its source).

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "cradle/v1/registry.pb.h"

namespace cradle::domain {

struct TreatmentMethod {
  std::string code;  // "D10"
  std::string kind;  // "utilisation", "disposal", "co-processing", "medical"
  std::string name_zh;
  std::string name_en;
};

// The method of `code`, from the built-in table. INVALID_ARGUMENT naming
// `field` when the code is not in it.
absl::StatusOr<const TreatmentMethod*> LookupMethod(absl::string_view field,
                                                    absl::string_view code);

// Every method, in table order.
const std::vector<TreatmentMethod>& TreatmentMethods();

// True when `licence` allows `method`: it lists it, or it lists no method
// at all (licences granted before methods were recorded).
bool LicenceAllowsMethod(const v1::Licence& licence, absl::string_view method);

}  // namespace cradle::domain
