#pragma once

// Unified social credit codes (统一社会信用代码, GB 32100-2015): the
// 18-character identifier of every enterprise in Cradle.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::domain {

inline constexpr int kUsccLength = 18;

// OK when `value` is 18 characters from 0-9 and A-Z without I, O, Z, S, V
// (upper case only) whose last character is the check character of the
// first 17. Otherwise INVALID_ARGUMENT naming `field`, the value and the
// broken rule (length, the position of a bad character, or the expected
// check character).
absl::Status ValidateUscc(absl::string_view field, absl::string_view value);

// The check character (18th) for the 17 characters `first17`: weights
// 3^i mod 31, sum mod 31, per GB 32100-2015. INVALID_ARGUMENT when `first17`
// is not 17 characters of the code's character set.
absl::StatusOr<char> UsccCheckCharacter(absl::string_view first17);

}  // namespace cradle::domain
