#pragma once

// Collectors of small generators (收集, 2021 办法 Art. 16 and 31): a
// collector receives one manifest per small generator, takes what it
// accepted into its stock, fills containers of its own from the ones it
// collected (domain/container.h, container.sources) and ships them on its
// own manifests. Its balance follows each waste code from the manifests it
// received to the manifests it sent. docs/COLLECTION.md describes each
// rule.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#include "cradle/v1/container.pb.h"
#include "cradle/v1/manifest.pb.h"

namespace cradle::domain {

// The balance of `collector`'s collection, per waste code (`waste_code`
// only, unless empty), in code order:
// - `inbound`: the manifests it received into collection;
// - `collected`: every container listed on them, as read (with the
//   container it went into), by code;
// - `own`: the collector's containers;
// - `shipped`: the manifests that list them, by number.
std::vector<v1::CollectionBalance> CollectionOf(
    absl::string_view collector, absl::string_view waste_code,
    const std::vector<v1::Manifest>& inbound,
    const std::map<std::string, v1::Container>& collected,
    const std::vector<v1::Container>& own,
    const std::map<std::string, v1::Manifest>& shipped);

}  // namespace cradle::domain
