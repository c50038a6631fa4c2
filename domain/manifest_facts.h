#pragma once

// Facts about one manifest that more than one layer needs: who is party to
// it, which divisions it touches and which regulators see it. Each is
// computed here and nowhere else, so that what a manifest is indexed under
// (services/projection), what a caller may read (authz) and what a query
// matches (audit) cannot drift apart.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#include "cradle/v1/manifest.pb.h"

namespace cradle::domain {

// The enterprises party to `m`: its generator, its carrier and every leg's,
// every destination's receiver, and whoever a pending revision waits on.
// Sorted, unique, no empty id.
std::vector<std::string> ManifestParties(const v1::Manifest& m);

// Whether `enterprise` is one of ManifestParties(m).
bool IsManifestParty(const v1::Manifest& m, absl::string_view enterprise);

// The divisions `m` touches: origin, every destination, every carrier's leg.
// Sorted, unique, no empty code.
std::vector<std::string> ManifestDivisions(const v1::Manifest& m);

// Every jurisdiction that sees `m`: the province, city and county codes (2,
// 4 and 6 digits) of each six-digit division it touches. A regulator reads
// `m` exactly when its jurisdiction is one of these, and a manifest is
// indexed under exactly these. Sorted, unique.
std::vector<std::string> ManifestJurisdictions(const v1::Manifest& m);

// Whether a regulator of `jurisdiction` sees `m`.
bool InManifestJurisdiction(const v1::Manifest& m,
                            absl::string_view jurisdiction);

}  // namespace cradle::domain
