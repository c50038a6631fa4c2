#pragma once

// Chinese motor-vehicle plate numbers (GA 36), as carriers scan them.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace cradle::domain {

// OK when `value` (UTF-8, no spaces or '·') is a plate number:
//  - a province abbreviation
//  (京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼),
//  - the issuing office's letter A-Z other than I and O,
//  - then 5 characters (ordinary plate, "浙F12345"), 6 (new-energy plate,
//    "浙FD12345") or 4 followed by 挂 (trailer, "浙F1234挂"), each a digit or
//    a letter A-Z other than I and O.
// Otherwise INVALID_ARGUMENT naming `field`, the value and the broken rule.
absl::Status ValidatePlate(absl::string_view field, absl::string_view value);

}  // namespace cradle::domain
