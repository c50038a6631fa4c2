#pragma once

// Manifest numbers: 14 digits = year (4) + origin province (2) + origin city
// (2) + serial per origin city and year (6), e.g. "20243304000123".

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::domain {

inline constexpr int kManifestNumberLength = 14;
inline constexpr int kMinManifestYear = 2000;
inline constexpr int kMaxManifestYear = 2099;
inline constexpr int64_t kMaxManifestSerial = 999'999;

struct ManifestNumberParts {
  int year = 0;
  // First 4 digits of the generator's division code, municipalities too
  // (e.g. "1101" for Beijing's districts).
  std::string city4;
  int64_t serial = 0;  // 1..kMaxManifestSerial
};

// The number for the given parts. Requires year in
// [kMinManifestYear, kMaxManifestYear], `city4` 4 digits and serial in
// [1, kMaxManifestSerial]; ValidateManifestNumber accepts the result.
std::string FormatManifestNumber(int year, absl::string_view city4,
                                 int64_t serial);

// The parts of `value`. INVALID_ARGUMENT naming `field`, the value and the
// rule when it is not 14 digits, the year is outside
// [kMinManifestYear, kMaxManifestYear], the province or city digits are 00,
// or the serial is 000000.
absl::StatusOr<ManifestNumberParts> ParseManifestNumber(
    absl::string_view field, absl::string_view value);

// ParseManifestNumber without the parts.
absl::Status ValidateManifestNumber(absl::string_view field,
                                    absl::string_view value);

}  // namespace cradle::domain
