#pragma once

// Raises deadline flags (TRANSIT_OVERDUE, RECEIPT_OVERDUE, MISSING_DISPOSAL,
// BACKFILL_OVERDUE) as time passes, on a thread of its own. Each pass reads
// only the due index, so its cost grows with what is due, not with the
// ledger. A flag and the removal of its due entry are one atomic write: a
// restart raises nothing twice and misses nothing.

#include <functional>
#include <thread>
#include <vector>

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

  // Runs a pass every `interval` (zero: only when asked) until Stop(),
  // skipping it while `active` (if given) says no: on a cluster node that
  // is not the writer.
  void Start(absl::Duration interval, std::function<bool()> active = nullptr);
  void Stop();

  // Asks for a pass now, on the sweeper's thread (Flags.Sweep: passes
  // block on the ledger, never on a gRPC thread); `done` gets what it
  // flagged. Calls that come during a pass share the next one. After
  // Stop, or before Start, `done` gets UNAVAILABLE at once.
  using Done = std::function<void(absl::StatusOr<int>)>;
  void Request(Done done);

 private:
  static constexpr size_t kKeysPerPass = 10000;

  bool Woken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || !waiting_.empty();
  }

  ManifestStore& store_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Done> waiting_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace cradle::services
