#pragma once

// What the server knows of its ledger's integrity beyond the ledger's own
// checks on open (storage/rocksdb_ledger.h):
// - the tree heads it signs, the newest kept outside the ledger in
//   DATA/signed-head, which the next start checks the ledger still holds;
// - a bounded deep check on start: the streams of the newest entries
//   replayed and compared with their state and indexes (deep_verify.h);
// - the alarm, when any check finds damage: every write is refused from then
//   on (Ledger::Halt), the write services turn NOT_SERVING, the alarm is kept
//   in DATA/INTEGRITY-ALARM so that a restart refuses to open until an
//   operator has looked, and regulators see it as a LEDGER_DAMAGED flag.
// docs/RELIABILITY.md has the whole picture.

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "base/clock.h"
#include "cradle/v1/audit.pb.h"
#include "cradle/v1/flags.pb.h"
#include "domain/flags/flag_config.h"
#include "security/ed25519.h"
#include "storage/ledger.h"

namespace cradle::services {

class LedgerGuard {
 public:
  struct Options {
    std::string data_dir;
    // Open a damaged ledger for inspection: problems are recorded and every
    // write refused instead of refusing to start.
    bool forensic = false;
    // The newest entries whose streams are replayed on start.
    uint64_t deep_tail_on_open = 1024;
    // How often the server signs and keeps a tree head of its own, so that
    // a start has a recent one to check against; zero: only on request.
    absl::Duration checkpoint_interval = absl::Minutes(1);
  };

  // None is owned; all must outlive the guard.
  LedgerGuard(storage::Ledger& ledger, const security::Ed25519Key& key,
              const Clock& clock, const domain::FlagConfig& config,
              Options options);
  ~LedgerGuard();

  // The checks on start (run once, before serving): the alarm file, the
  // kept signed head, the streams of the newest entries. DATA_LOSS naming
  // every problem, unless forensic: then they are kept (Status) and every
  // write is refused.
  absl::Status CheckOnStart();

  // Starts the thread that keeps signed heads and signs checkpoints.
  void Start();
  void Stop();

  // Called once, with the alarm, when one is raised (the server turns its
  // write services NOT_SERVING); at once if one was raised already.
  void OnAlarm(std::function<void(const std::string& problem)> callback);

  // Called on the guard's thread with each signed head once it is kept
  // (the cluster's writer publishes it beside the log).
  void OnKept(std::function<void(const v1::SignedTreeHead&)> callback);

  // Damage found by `found_by` ("scrubber", "verify"): refuses every write
  // from now on, persists the alarm, logs it. Only the first alarm counts.
  void Alarm(const std::string& found_by, const std::string& problem);
  // Writes are refused: an alarm, or a forensic start.
  bool halted() const;

  // Signs the ledger's current tree head and keeps it; FAILED_PRECONDITION
  // once the ledger is known to be damaged: the server no longer vouches
  // for it.
  absl::StatusOr<v1::SignedTreeHead> SignHead();

  // Signs `seal` (its manifest's fields filled by the caller) with the
  // tree heads' key at the current time, for a printed manifest; refused,
  // as SignHead is, once the ledger is known to be damaged.
  absl::Status SealManifest(v1::ManifestSeal* seal);

  // The alarm, the forensic problems, the kept head; `scrub` is the
  // caller's to fill.
  v1::IntegrityStatus Status() const;
  // The alarm as a flag, for regulators; nullopt when there is none.
  absl::optional<v1::Flag> AlarmFlag() const;

  // File names under the data directory.
  static constexpr const char* kAlarmFile = "INTEGRITY-ALARM";
  static constexpr const char* kSignedHeadFile = "signed-head";

 private:
  void Run();
  // Writes the newest signed head, if newer than the kept one; false when
  // the write failed.
  bool Persist();

  storage::Ledger& ledger_;
  const security::Ed25519Key& key_;
  const Clock& clock_;
  const domain::FlagConfig config_;
  const Options options_;

  mutable absl::Mutex mu_;
  bool damaged_ ABSL_GUARDED_BY(mu_) = false;
  std::string problem_ ABSL_GUARDED_BY(mu_);
  std::string found_by_ ABSL_GUARDED_BY(mu_);
  absl::Time found_at_ ABSL_GUARDED_BY(mu_);
  bool forensic_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> open_problems_ ABSL_GUARDED_BY(mu_);
  std::function<void(const std::string&)> on_alarm_ ABSL_GUARDED_BY(mu_);
  std::function<void(const v1::SignedTreeHead&)> on_kept_ ABSL_GUARDED_BY(mu_);
  v1::SignedTreeHead newest_ ABSL_GUARDED_BY(mu_);  // signed, maybe unkept
  v1::SignedTreeHead kept_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace cradle::services
