#include "domain/manifest_number.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "base/quote.h"

namespace cradle::domain {
namespace {

// The value of a short run of ASCII digits.
int64_t DigitsValue(absl::string_view digits) {
  int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

std::string FormatManifestNumber(int year, absl::string_view city4,
                                 int64_t serial) {
  return absl::StrCat(absl::Dec(year, absl::kZeroPad4), city4,
                      absl::Dec(serial, absl::kZeroPad6));
}

absl::StatusOr<ManifestNumberParts> ParseManifestNumber(
    absl::string_view field, absl::string_view value) {
  auto error = [&](absl::string_view rule) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(value), " ", rule));
  };
  if (value.size() != kManifestNumberLength) {
    return error(absl::StrCat("has ", value.size(),
                              " characters: a manifest number has ",
                              kManifestNumberLength, " digits"));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(value[i]))) {
      return error(absl::StrCat("has a non-digit at position ", i + 1,
                                ": a manifest number has ",
                                kManifestNumberLength, " digits"));
    }
  }
  ManifestNumberParts parts;
  parts.year = static_cast<int>(DigitsValue(value.substr(0, 4)));
  parts.city4 = std::string(value.substr(4, 4));
  parts.serial = DigitsValue(value.substr(8, 6));
  if (parts.year < kMinManifestYear || parts.year > kMaxManifestYear) {
    return error(absl::StrCat("has year ", parts.year, ", outside ",
                              kMinManifestYear, "..", kMaxManifestYear));
  }
  if (value.substr(4, 2) == "00" || value.substr(6, 2) == "00") {
    return error(absl::StrCat("has origin ", Quote(parts.city4),
                              ": province and city digits cannot be 00"));
  }
  if (parts.serial == 0) {
    return error("has serial 000000: serials start at 000001");
  }
  return parts;
}

absl::Status ValidateManifestNumber(absl::string_view field,
                                    absl::string_view value) {
  return ParseManifestNumber(field, value).status();
}

}  // namespace cradle::domain
