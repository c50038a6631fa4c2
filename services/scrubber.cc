#include "services/scrubber.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"

#include "base/time.h"

namespace cradle::services {
namespace {

// Phases of at least this many entries log each tenth of their progress.
constexpr uint64_t kLogPhasesFrom = 100000;

}  // namespace

void Scrubber::Start(const Options& options) {
  if (options.rate <= 0) return;
  {
    absl::MutexLock lock(&mu_);
    status_.set_running(true);
    status_.set_deep(options.deep);
    status_.set_rate(options.rate);
    status_.set_phase("idle");
  }
  thread_ = std::thread([this, options] {
    for (;;) {
      absl::Status s = Pass(options.deep, options.rate);
      absl::MutexLock lock(&mu_);
      if (stop_) return;
      if (!s.ok()) {
        std::fprintf(stderr, "cradled: scrubber: %s\n", s.ToString().c_str());
      }
      if (guard_.halted()) {
        // Damage is known: nothing more to find until an operator looks.
        status_.set_phase("halted");
        status_.set_running(false);
        return;
      }
      status_.set_phase("idle");
      status_.set_checked(0);
      status_.set_of(0);
      mu_.AwaitWithTimeout(absl::Condition(&stop_), options.pause);
      if (stop_) return;
    }
  });
}

void Scrubber::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status Scrubber::RunPass(bool deep) { return Pass(deep, 0); }

absl::Status Scrubber::Pass(bool deep, double rate) {
  uint64_t pass;
  {
    absl::MutexLock lock(&mu_);
    pass = status_.pass_number() + 1;
    status_.set_pass_number(pass);
  }
  CheckOptions options;
  options.deep = deep;
  // A step is a tenth of a second's worth, so pacing is smooth and a stop
  // is quick.
  options.step = rate > 0 ? std::max<uint64_t>(1, rate / 10) : 10000;
  absl::Time step_start = absl::Now();
  std::string last_phase;
  uint64_t last_checked = 0;
  int last_tenth = -1;
  options.pace = [&](const CheckProgress& p) {
    if (p.phase != last_phase) {
      last_phase = p.phase;
      last_checked = 0;
      last_tenth = -1;
    }
    const uint64_t done = p.checked - std::min(p.checked, last_checked);
    last_checked = p.checked;
    absl::MutexLock lock(&mu_);
    status_.set_phase(p.phase);
    status_.set_checked(p.checked);
    status_.set_of(p.of);
    const int tenth = p.of > 0 ? static_cast<int>(p.checked * 10 / p.of) : 0;
    // Each tenth of a long phase; a short one is not worth a line.
    if (p.of >= kLogPhasesFrom && tenth != last_tenth && p.phase != "storage") {
      last_tenth = tenth;
      std::fprintf(stderr, "cradled: scrub pass %llu: %s %d%% (%llu of %llu)\n",
                   static_cast<unsigned long long>(pass), p.phase.c_str(),
                   tenth * 10, static_cast<unsigned long long>(p.checked),
                   static_cast<unsigned long long>(p.of));
    }
    if (rate > 0 && p.phase != "storage") {
      // Sleep what is left of the time `done` entries may take.
      const absl::Time until =
          step_start + absl::Seconds(static_cast<double>(done) / rate);
      mu_.AwaitWithDeadline(absl::Condition(&stop_), until);
      step_start = std::max(until, absl::Now() - absl::Seconds(1));
    }
    return !stop_;
  };
  absl::StatusOr<CheckResult> r = CheckLedger(ledger_, config_, options);
  if (!r.ok()) return r.status();
  if (!r->ok) {
    guard_.Alarm("scrubber",
                 r->phase == "projections"
                     ? absl::StrCat("stream ", r->stream, ": ", r->problem)
                     : absl::StrCat(r->phase, ", entry ", r->first_bad, ": ",
                                    r->problem));
    return absl::OkStatus();
  }
  absl::MutexLock lock(&mu_);
  status_.set_passes_completed(status_.passes_completed() + 1);
  *status_.mutable_last_pass_completed() = ToTimestamp(absl::Now());
  std::fprintf(
      stderr, "cradled: scrub pass %llu done: %llu entries%s, no damage\n",
      static_cast<unsigned long long>(pass),
      static_cast<unsigned long long>(r->head.sequence),
      deep ? absl::StrCat(", ", r->streams, " streams replayed").c_str() : "");
  return absl::OkStatus();
}

v1::Scrub Scrubber::Status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

}  // namespace cradle::services
