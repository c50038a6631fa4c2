#pragma once

// One whole check of a ledger: the hash chain, what the ledger derives from
// it (stream index, Merkle tree, head record, table checksums) and, deep,
// every stream replayed through the domain and compared with its state,
// indexes and counters (deep_verify.h). The scrubber runs it paced, a
// regulator's `audit verify --deep` and `cradlectl audit verify --data` as
// fast as it goes. What each check finds: docs/RELIABILITY.md.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "domain/flags/flag_config.h"
#include "storage/ledger.h"

namespace cradle::services {

struct CheckProgress {
  std::string phase;     // "chain", "storage", "projections"
  uint64_t checked = 0;  // entries (chain, projections) or keys (storage)
  uint64_t of = 0;       // in this phase; 0 when not known
  uint64_t streams = 0;  // projections: streams replayed
};

struct CheckResult {
  bool ok = true;
  // Set when !ok: the phase, the entry (chain, storage) or the stream
  // (projections) where the first problem is, and the problem, named.
  std::string phase;
  uint64_t first_bad = 0;
  std::string stream;
  std::string problem;
  std::vector<std::string> notes;
  storage::Head head;    // the entries checked: 1..head.sequence
  uint64_t streams = 0;  // replayed (deep)
  uint64_t keys = 0;     // state and index keys compared (deep)
};

struct CheckOptions {
  bool deep = false;
  // `pace`, if set, is called after every `step` entries of the chain or of
  // the replay with the progress so far (and once per phase); when it
  // returns false the check stops with CANCELLED. The scrubber sleeps in it.
  uint64_t step = 10000;
  std::function<bool(const CheckProgress&)> pace;
};

absl::StatusOr<CheckResult> CheckLedger(const storage::Ledger& ledger,
                                        const domain::FlagConfig& config,
                                        const CheckOptions& options);

}  // namespace cradle::services
