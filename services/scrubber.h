#pragma once

// Walks the whole ledger again and again in the background, at a bounded
// rate: the hash chain and what the ledger derives from it, and in deep mode
// every stream replayed and compared with its state, indexes and counters
// (ledger_check.h). The checks on open see only the newest entries; this
// finds old damage without anyone asking. On the first problem it raises the
// guard's alarm (ledger_guard.h): writes stop, regulators are told.

#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "cradle/v1/audit.pb.h"
#include "domain/flags/flag_config.h"
#include "services/ledger_check.h"
#include "services/ledger_guard.h"
#include "storage/ledger.h"

namespace cradle::services {

class Scrubber {
 public:
  struct Options {
    // Entries checked a second, at most, in each phase (the chain, the
    // replay); the storage phase is one scan. Zero: no scrubbing.
    double rate = 2000;
    bool deep = true;
    // Rest between two passes.
    absl::Duration pause = absl::Minutes(10);
  };

  // None is owned; all must outlive the scrubber.
  Scrubber(const storage::Ledger& ledger, LedgerGuard& guard,
           const domain::FlagConfig& config)
      : ledger_(ledger), guard_(guard), config_(config) {}
  ~Scrubber() { Stop(); }

  // Passes until Stop(), on a thread of its own.
  void Start(const Options& options);
  void Stop();

  // One whole pass on the calling thread, unpaced: OK when it ran to the
  // end, whatever it found (damage raises the alarm).
  absl::Status RunPass(bool deep);

  v1::Scrub Status() const;

 private:
  absl::Status Pass(bool deep, double rate);

  const storage::Ledger& ledger_;
  LedgerGuard& guard_;
  const domain::FlagConfig config_;

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  v1::Scrub status_ ABSL_GUARDED_BY(mu_);
  absl::Time last_logged_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::thread thread_;
};

}  // namespace cradle::services
