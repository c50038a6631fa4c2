#pragma once

// What the licence-based rules share: does a receiver's licence cover a
// waste code today, and how much licensed capacity is left this year.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// True when `licence` names `code` or its category (HWnn) and is valid on
// `day` (valid_until inclusive).
bool LicenceCovers(const v1::Licence& licence, absl::string_view code,
                   absl::CivilDay day);

// Codes of `lines` with a quantity in `grams_by_line` > 0.
std::vector<std::string> CodesSent(const v1::Manifest& m,
                                   const v1::Destination& d);
int64_t GramsSent(const v1::Destination& d);

// Why `receiver` cannot take `codes` (`grams` more this year) on `day`; empty
// when it can: each code covered by a valid licence, and the year's accepted
// quantity plus `grams` within the covering licences' total capacity.
absl::StatusOr<std::string> LicenceProblem(
    const v1::Enterprise& receiver, const std::vector<std::string>& codes,
    int64_t grams, absl::CivilDay day, const RegistryReader& facts);

}  // namespace cradle::domain
