#include "domain/manifest_facts.h"

#include <algorithm>
#include <utility>

namespace cradle::domain {
namespace {

// The lengths of a province's, a city's and a county's code.
constexpr size_t kJurisdictionLengths[] = {2, 4, 6};

// Sorted, without repeats or empty strings. A vector sorted once costs less
// than a set: these run for every index computation of every write.
std::vector<std::string> SortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  if (!v.empty() && v.front().empty()) v.erase(v.begin());
  return v;
}

}  // namespace

std::vector<std::string> ManifestParties(const v1::Manifest& m) {
  std::vector<std::string> parties = {m.generator(), m.carrier(), m.receiver()};
  parties.reserve(3 + m.legs_size() + m.destinations_size());
  for (const v1::Leg& leg : m.legs()) parties.push_back(leg.carrier());
  for (const v1::Destination& d : m.destinations()) {
    parties.push_back(d.receiver());
  }
  // A party a pending revision asks to approve (a new receiver or carrier)
  // reads what it is asked to take on.
  for (const v1::Revision& r : m.revisions()) {
    if (r.state() != v1::REVISION_STATE_PENDING) continue;
    for (const std::string& a : r.approvers()) parties.push_back(a);
  }
  return SortedUnique(std::move(parties));
}

bool IsManifestParty(const v1::Manifest& m, absl::string_view enterprise) {
  if (enterprise.empty()) return false;
  const std::vector<std::string> parties = ManifestParties(m);
  return std::binary_search(parties.begin(), parties.end(), enterprise);
}

std::vector<std::string> ManifestDivisions(const v1::Manifest& m) {
  std::vector<std::string> divisions = {m.origin_division()};
  divisions.reserve(1 + m.destinations_size() + m.legs_size());
  for (const v1::Destination& d : m.destinations()) {
    divisions.push_back(d.division());
  }
  for (const v1::Leg& leg : m.legs()) divisions.push_back(leg.division());
  return SortedUnique(std::move(divisions));
}

std::vector<std::string> ManifestJurisdictions(const v1::Manifest& m) {
  std::vector<std::string> out;
  for (const std::string& d : ManifestDivisions(m)) {
    if (d.size() != 6) continue;
    for (size_t len : kJurisdictionLengths) out.push_back(d.substr(0, len));
  }
  return SortedUnique(std::move(out));
}

bool InManifestJurisdiction(const v1::Manifest& m,
                            absl::string_view jurisdiction) {
  const std::vector<std::string> all = ManifestJurisdictions(m);
  return std::binary_search(all.begin(), all.end(), jurisdiction);
}

}  // namespace cradle::domain
