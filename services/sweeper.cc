#include "services/sweeper.h"

#include <cstdio>

namespace cradle::services {

absl::StatusOr<int> Sweeper::RunOnce() {
  int total = 0;
  for (;;) {
    absl::StatusOr<int> flagged = store_.SweepDue(kKeysPerPass);
    if (!flagged.ok()) return flagged.status();
    total += *flagged;
    // A full page may hide more due keys behind it; otherwise done.
    if (*flagged == 0) return total;
  }
}

void Sweeper::Start(absl::Duration interval, std::function<bool()> active) {
  thread_ = std::thread([this, interval, active = std::move(active)] {
    absl::MutexLock lock(&mu_);
    while (!stop_) {
      mu_.Unlock();
      absl::StatusOr<int> r = !active || active() ? RunOnce() : 0;
      if (!r.ok()) {
        std::fprintf(stderr, "cradled: sweeper: %s\n",
                     r.status().ToString().c_str());
      }
      mu_.Lock();
      mu_.AwaitWithTimeout(absl::Condition(&stop_), interval);
    }
  });
}

void Sweeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace cradle::services
