#pragma once

// Raises deadline flags (TRANSIT_OVERDUE, RECEIPT_OVERDUE, MISSING_DISPOSAL,
// BACKFILL_OVERDUE) as time passes, on a thread of its own. Each pass reads
// only the due index, so its cost grows with what is due, not with the
// ledger. A flag and the removal of its due entry are one atomic write: a
// restart raises nothing twice and misses nothing.

#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "services/manifest_store.h"

namespace cradle::services {

class Sweeper {
 public:
  // `store` is not owned and must outlive the sweeper.
  explicit Sweeper(ManifestStore& store) : store_(store) {}
  ~Sweeper() { Stop(); }

  // One pass over what is due now; returns the manifests flagged.
  absl::StatusOr<int> RunOnce();

  // Runs a pass every `interval` until Stop(), skipping it while `active`
  // (if given) says no: on a cluster node that is not the writer.
  void Start(absl::Duration interval, std::function<bool()> active = nullptr);
  void Stop();

 private:
  static constexpr size_t kKeysPerPass = 10000;

  ManifestStore& store_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace cradle::services
