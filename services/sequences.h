#pragma once

// Numbers a server gives in sequence (plan filings, consultations): the
// highest given under a scope is read once from the last index key under
// it, then counted in memory. A node that has just become the writer
// forgets them (as ManifestStore's serials), since another node may have
// given more.

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "storage/ledger.h"

namespace cradle::services {

class Sequences {
 public:
  // The sequence an index key carries.
  using Parse = std::function<absl::StatusOr<int>(absl::string_view key)>;

  // `ledger` is not owned and must outlive this.
  explicit Sequences(const storage::LedgerReader& ledger) : ledger_(ledger) {}

  // One more than the highest sequence under index prefix `prefix` (0 when
  // it has no key); RESOURCE_EXHAUSTED, naming `what`, past `max`.
  absl::StatusOr<int> Next(const std::string& prefix, int max,
                           const Parse& parse, absl::string_view what);
  void Forget();

 private:
  const storage::LedgerReader& ledger_;
  absl::Mutex mu_;
  std::map<std::string, int> highest_ ABSL_GUARDED_BY(mu_);  // by prefix
};

}  // namespace cradle::services
