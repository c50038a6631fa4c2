#include "services/ledger_check.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "services/deep_verify.h"

namespace cradle::services {
namespace {

CheckResult Failed(CheckResult r, std::string phase, uint64_t first_bad,
                   std::string stream, std::string problem) {
  r.ok = false;
  r.phase = std::move(phase);
  r.first_bad = first_bad;
  r.stream = std::move(stream);
  r.problem = std::move(problem);
  return r;
}

absl::Status Stopped() { return absl::CancelledError("the check was stopped"); }

}  // namespace

absl::StatusOr<CheckResult> CheckLedger(const storage::Ledger& ledger,
                                        const domain::FlagConfig& config,
                                        const CheckOptions& options) {
  CheckResult result;
  result.head = ledger.GetHead();
  const uint64_t head = result.head.sequence;
  const uint64_t step = std::max<uint64_t>(options.step, 1);
  auto pace = [&](CheckProgress p) {
    p.of = std::max(p.of, p.checked);  // a later snapshot may hold more
    return options.pace == nullptr || options.pace(p);
  };
  // A DATA_LOSS status is a finding too (an unreadable block, a malformed
  // key); other errors stop the check.
  auto finding = [&](const absl::Status& s, const char* phase,
                     uint64_t at) -> absl::StatusOr<CheckResult> {
    if (s.code() != absl::StatusCode::kDataLoss) return s;
    return Failed(std::move(result), phase, at, "", std::string(s.message()));
  };

  // The chain, and what the ledger derives from each entry.
  for (uint64_t from = 1; from <= head; from += step) {
    const uint64_t to = std::min(head, from + step - 1);
    // Both from one read of the entries.
    absl::StatusOr<storage::VerifyReport> chain =
        ledger.VerifyEntries(from, to, nullptr);
    if (!chain.ok()) return finding(chain.status(), "chain", from);
    if (!chain->ok) {
      return Failed(std::move(result), "chain", chain->first_bad, "",
                    chain->problem);
    }
    if (!pace(CheckProgress{"chain", to, head, 0})) return Stopped();
  }
  // The whole-ledger storage checks.
  absl::StatusOr<storage::VerifyReport> storage = ledger.VerifyStorage();
  if (!storage.ok()) return finding(storage.status(), "storage", 0);
  if (!storage->ok) {
    return Failed(std::move(result), "storage", storage->first_bad, "",
                  storage->problem);
  }
  if (!pace(CheckProgress{"storage", storage->checked, storage->checked, 0})) {
    return Stopped();
  }
  if (!options.deep) return result;

  // Every stream replayed, on one snapshot.
  std::unique_ptr<const storage::LedgerReader> snapshot = ledger.Snapshot();
  const DeepVerifier verifier(*snapshot, config);
  absl::StatusOr<DeepReport> deep = verifier.CheckAll(
      [&](const DeepReport& r) {
        return pace(CheckProgress{"projections", r.entries, head, r.streams});
      },
      step);
  if (!deep.ok()) return finding(deep.status(), "projections", 0);
  result.streams = deep->streams;
  result.keys = deep->keys;
  result.notes = deep->notes;
  if (!deep->ok) {
    return Failed(std::move(result), "projections", 0, deep->stream,
                  deep->problem);
  }
  if (!pace(CheckProgress{"projections", deep->entries, head, deep->streams})) {
    return Stopped();
  }
  return result;
}

}  // namespace cradle::services
