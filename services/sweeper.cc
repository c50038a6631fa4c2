#include "services/sweeper.h"

#include <cstdio>
#include <set>
#include <string>

namespace cradle::services {

absl::StatusOr<int> Sweeper::RunOnce() {
  int total = 0;
  std::set<std::string> undated;
  for (;;) {
    absl::StatusOr<int> flagged = store_.SweepDue(kKeysPerPass, &undated);
    if (!flagged.ok()) return flagged.status();
    total += *flagged;
    // A full page may hide more due keys behind it; otherwise done.
    if (*flagged == 0) break;
  }
  // Said at every pass until the operator adds the year: a deadline the
  // calendar cannot date is neither raised on a guess nor forgotten.
  if (!undated.empty()) {
    std::fprintf(stderr,
                 "cradled: sweeper: %zu deadline(s) cannot be dated and are "
                 "not raised; the first: %s\n",
                 undated.size(), undated.begin()->c_str());
  }
  return total;
}

void Sweeper::Start(absl::Duration interval, std::function<bool()> active) {
  {
    absl::MutexLock lock(&mu_);
    started_ = true;
  }
  thread_ = std::thread([this, interval, active = std::move(active)] {
    absl::MutexLock lock(&mu_);
    absl::Time next =
        interval > absl::ZeroDuration() ? absl::Now() : absl::InfiniteFuture();
    while (!stop_) {
      mu_.AwaitWithDeadline(absl::Condition(this, &Sweeper::Woken), next);
      if (stop_) break;
      std::vector<Done> asked = std::move(waiting_);
      waiting_.clear();
      mu_.Unlock();
      const bool timed = asked.empty();
      absl::StatusOr<int> r = timed && active && !active() ? 0 : RunOnce();
      if (!r.ok() && timed) {
        std::fprintf(stderr, "cradled: sweeper: %s\n",
                     r.status().ToString().c_str());
      }
      for (Done& done : asked) done(r);
      mu_.Lock();
      if (timed) next = absl::Now() + interval;
    }
  });
}

void Sweeper::Stop() {
  std::vector<Done> asked;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    asked = std::move(waiting_);
    waiting_.clear();
  }
  if (thread_.joinable()) thread_.join();
  for (Done& done : asked) {
    done(absl::UnavailableError("the server is shutting down"));
  }
}

void Sweeper::Request(Done done) {
  {
    absl::MutexLock lock(&mu_);
    if (started_ && !stop_) {
      waiting_.push_back(std::move(done));
      return;
    }
  }
  done(absl::UnavailableError(
      "the sweeper is not running (the server starts or stops)"));
}

}  // namespace cradle::services
