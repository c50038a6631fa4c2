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
  auto pace = [&](const CheckProgress& p) {
    return options.pace == nullptr || options.pace(p);
  };

  // The chain, and what the ledger derives from each entry.
  for (uint64_t from = 1; from <= head; from += step) {
    const uint64_t to = std::min(head, from + step - 1);
    CRADLE_ASSIGN_OR_RETURN(storage::VerifyReport chain,
                            ledger.Verify(from, to));
    if (!chain.ok) {
      return Failed(std::move(result), "chain", chain.first_bad, "",
                    chain.problem);
    }
    CRADLE_ASSIGN_OR_RETURN(storage::VerifyReport derived,
                            ledger.VerifyDerived(from, to));
    if (!derived.ok) {
      return Failed(std::move(result), "chain", derived.first_bad, "",
                    derived.problem);
    }
    if (!pace(CheckProgress{"chain", to, head, 0})) return Stopped();
  }
  // The whole-ledger storage checks.
  CRADLE_ASSIGN_OR_RETURN(storage::VerifyReport storage,
                          ledger.VerifyStorage());
  if (!storage.ok) {
    return Failed(std::move(result), "storage", storage.first_bad, "",
                  storage.problem);
  }
  if (!pace(CheckProgress{"storage", storage.checked, storage.checked, 0})) {
    return Stopped();
  }
  if (!options.deep) return result;

  // Every stream replayed, on one snapshot.
  std::unique_ptr<const storage::LedgerReader> snapshot = ledger.Snapshot();
  const DeepVerifier verifier(*snapshot, config);
  CRADLE_ASSIGN_OR_RETURN(DeepReport deep,
                          verifier.CheckAll(
                              [&](const DeepReport& r) {
                                return pace(CheckProgress{
                                    "projections", r.entries, head, r.streams});
                              },
                              step));
  result.streams = deep.streams;
  result.keys = deep.keys;
  result.notes = deep.notes;
  if (!deep.ok) {
    return Failed(std::move(result), "projections", 0, deep.stream,
                  deep.problem);
  }
  if (!pace(CheckProgress{"projections", deep.entries, head, deep.streams})) {
    return Stopped();
  }
  return result;
}

}  // namespace cradle::services
