#pragma once

// One run at a time of work that a detached thread does for a service (a
// deep verification reads the whole ledger), and a service that cannot be
// destroyed under it: the destructor waits until the run is over, so the
// worker never touches a ledger or a guard that is gone.

#include "absl/synchronization/mutex.h"

namespace cradle::services {

class SingleRun {
 public:
  SingleRun() = default;
  SingleRun(const SingleRun&) = delete;
  SingleRun& operator=(const SingleRun&) = delete;
  ~SingleRun() { Wait(); }

  // Returns once no run is going.
  void Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](bool* running) { return !*running; }, &running_));
  }

  // Starts a run; false when one is running.
  bool TryStart() {
    absl::MutexLock lock(&mu_);
    if (running_) return false;
    running_ = true;
    return true;
  }
  // Ends the run. The last thing the run does with what the service owns.
  void Done() {
    absl::MutexLock lock(&mu_);
    running_ = false;
  }

 private:
  absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cradle::services
