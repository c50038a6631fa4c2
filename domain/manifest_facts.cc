#include "domain/manifest_facts.h"

#include <algorithm>
#include <set>

namespace cradle::domain {
namespace {

// The lengths of a province's, a city's and a county's code.
constexpr size_t kJurisdictionLengths[] = {2, 4, 6};

std::vector<std::string> SortedUnique(std::set<std::string> s) {
  s.erase("");
  return {s.begin(), s.end()};
}

}  // namespace

std::vector<std::string> ManifestParties(const v1::Manifest& m) {
  std::set<std::string> parties = {m.generator(), m.carrier(), m.receiver()};
  for (const v1::Leg& leg : m.legs()) parties.insert(leg.carrier());
  for (const v1::Destination& d : m.destinations()) {
    parties.insert(d.receiver());
  }
  return SortedUnique(std::move(parties));
}

bool IsManifestParty(const v1::Manifest& m, absl::string_view enterprise) {
  if (enterprise.empty()) return false;
  const std::vector<std::string> parties = ManifestParties(m);
  return std::binary_search(parties.begin(), parties.end(), enterprise);
}

std::vector<std::string> ManifestDivisions(const v1::Manifest& m) {
  std::set<std::string> divisions = {m.origin_division()};
  for (const v1::Destination& d : m.destinations()) {
    divisions.insert(d.division());
  }
  for (const v1::Leg& leg : m.legs()) divisions.insert(leg.division());
  return SortedUnique(std::move(divisions));
}

std::vector<std::string> ManifestJurisdictions(const v1::Manifest& m) {
  std::set<std::string> out;
  for (const std::string& d : ManifestDivisions(m)) {
    if (d.size() != 6) continue;
    for (size_t len : kJurisdictionLengths) out.insert(d.substr(0, len));
  }
  return {out.begin(), out.end()};
}

bool InManifestJurisdiction(const v1::Manifest& m,
                            absl::string_view jurisdiction) {
  const std::vector<std::string> all = ManifestJurisdictions(m);
  return std::binary_search(all.begin(), all.end(), jurisdiction);
}

}  // namespace cradle::domain
