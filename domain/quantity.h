#pragma once

// Waste quantities as exact whole grams: no floating point, so that sums,
// shipped-versus-received comparisons and approval limits never round.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::domain {

// The largest quantity accepted on one line: 1,000,000 t.
inline constexpr int64_t kMaxQuantityGrams = int64_t{1'000'000} * 1'000'000;

// Parses a positive quantity such as "1.25t", "800kg", "500g" or "3 t": digits,
// an optional '.' and fraction digits, optional spaces, then the unit t, kg
// or g. The value must be a whole number of grams (at most 6 decimals for t,
// 3 for kg, none for g; zeros beyond are fine), more than zero and at most
// kMaxQuantityGrams. INVALID_ARGUMENT naming `field` and the rule otherwise.
absl::StatusOr<int64_t> ParseQuantityGrams(absl::string_view field,
                                           absl::string_view text);

// The exact quantity in the largest unit whose integer part is not zero,
// without trailing zeros: 1250000 -> "1.25t", 800000 -> "800kg",
// 1500 -> "1.5kg", 500 -> "500g", 0 -> "0g"; negative values get a '-'.
// ParseQuantityGrams reads back every positive result.
std::string FormatGrams(int64_t grams);

}  // namespace cradle::domain
