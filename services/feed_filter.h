#pragma once

// What the feed (Feed.Subscribe, feed.proto) sends: the entries a filter
// selects, each judged by its stream as that entry left it, so that the same
// filter from the same position selects the same entries whenever it runs.
// No gRPC here; the ledger is only read.

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "storage/ledger.h"

namespace cradle::services {

// Whom one entry concerns.
struct EntryAudience {
  std::vector<std::string> parties;        // enterprise ids
  std::vector<std::string> jurisdictions;  // 2-, 4- and 6-digit prefixes
};

struct FeedFilter {
  std::string jurisdiction;        // empty: any
  std::string party;               // empty: any
  std::vector<std::string> types;  // empty: any; "x." matches "x.y"
  // No jurisdiction and no party: every entry whatever it concerns.
  bool Everyone() const { return jurisdiction.empty() && party.empty(); }
};

// INVALID_ARGUMENT naming the field: a jurisdiction that is no province,
// city or county, a party that is no unified social credit code, a type
// that is empty or too long, too many types.
absl::Status ValidateFeedFilter(const FeedFilter& filter);

// Whether `filter` takes an entry of `type` at all (before its audience).
bool SelectsType(const FeedFilter& filter, const std::string& type);

// Whether `filter` takes an entry whose audience is `audience`.
bool SelectsAudience(const FeedFilter& filter, const EntryAudience& audience);

// Follows the streams of the entries it is shown, in sequence order, and
// says whom each concerns: a manifest's parties and the divisions it
// touches (domain/manifest_facts.h), an enterprise's own id and division,
// an approval's generator and receiver and their divisions. A credential
// concerns no one (only an unfiltered feed carries it).
class AudienceTracker {
 public:
  // Keeps at most `max_streams` streams folded; past that it forgets the
  // oldest, and reads it again from the ledger if it shows up later.
  explicit AudienceTracker(size_t max_streams = 4096)
      : max_streams_(max_streams) {}

  // The audience of `e`, after folding its stream's entries up to it; the
  // ones it has not been shown are read from `reader`.
  absl::StatusOr<EntryAudience> Next(const storage::LedgerReader& reader,
                                     const storage::Entry& e);

 private:
  struct Folded {
    uint64_t version = 0;
    v1::Manifest manifest;
    v1::Enterprise enterprise;
  };
  absl::Status Fold(const storage::Entry& e, bool manifest, Folded* f) const;
  Folded& Track(const std::string& stream);

  const size_t max_streams_;
  std::map<std::string, Folded> streams_;
  std::deque<std::string> order_;  // oldest first
};

}  // namespace cradle::services
