#include "services/ledger_check.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

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

  // The chain, and what the ledger derives from each entry, over the
  // entries after `chained`, a step at a time; a deep check replays the
  // pages as they are read (below). `broken` is the first problem found.
  uint64_t chained = 0;
  absl::optional<storage::VerifyReport> broken;
  auto chain_step =
      [&](const storage::Ledger::EntryPages& visit) -> absl::Status {
    const uint64_t to = std::min(head, chained + step);
    CRADLE_ASSIGN_OR_RETURN(storage::VerifyReport r,
                            ledger.VerifyEntries(chained + 1, to, visit));
    if (!r.ok) {
      broken = std::move(r);
    } else {
      chained = to;
    }
    return absl::OkStatus();
  };
  // The rest of the chain, unless the check is stopped.
  auto chain_to_head = [&]() -> absl::Status {
    while (chained < head && !broken.has_value()) {
      if (absl::Status s = chain_step(nullptr); !s.ok()) return s;
      if (!broken.has_value() &&
          !pace(CheckProgress{"chain", chained, head, 0})) {
        return Stopped();
      }
    }
    return absl::OkStatus();
  };
  auto chain_failed = [&] {
    return Failed(std::move(result), "chain", broken->first_bad, "",
                  broken->problem);
  };

  absl::StatusOr<DeepReport> deep = DeepReport();
  if (options.deep) {
    // Every stream replayed, on one snapshot taken after the head was read,
    // so that it holds every entry to the head. The replay reads the
    // entries the chain check reads, once: the pages of each step are
    // handed over in order, then any entries written since the head.
    std::unique_ptr<const storage::LedgerReader> snapshot = ledger.Snapshot();
    std::vector<storage::Entry> checked;  // this step's, not yet handed over
    size_t handed = 0;
    uint64_t next = 1;        // the sequence the replay reads next
    absl::Status stopped_at;  // an error of the chain check
    auto entries =
        [&](uint64_t from,
            size_t max) -> absl::StatusOr<std::vector<storage::Entry>> {
      if (from != next) {
        return absl::InternalError(absl::StrCat("the replay asked for entry ",
                                                from, " after ", next - 1));
      }
      std::vector<storage::Entry> out;
      while (out.size() < max) {
        if (handed == checked.size()) {
          if (chained >= head) break;
          checked.clear();
          handed = 0;
          absl::Status s = chain_step([&](std::vector<storage::Entry>* page) {
            std::move(page->begin(), page->end(), std::back_inserter(checked));
            return absl::OkStatus();
          });
          if (!s.ok() || broken.has_value()) {
            stopped_at = s;
            return absl::AbortedError("the chain check stopped the replay");
          }
          continue;
        }
        out.push_back(std::move(checked[handed++]));
      }
      if (out.size() < max) {
        CRADLE_ASSIGN_OR_RETURN(
            std::vector<storage::Entry> since,
            snapshot->Scan(std::max(from, head + 1), max - out.size()));
        std::move(since.begin(), since.end(), std::back_inserter(out));
      }
      if (!out.empty()) next = out.back().sequence + 1;
      return out;
    };
    const DeepVerifier verifier(*snapshot, config);
    deep = verifier.CheckAll(
        [&](const DeepReport& r) {
          return pace(CheckProgress{"chain and projections", r.entries, head,
                                    r.streams});
        },
        step, entries);
    if (broken.has_value()) return chain_failed();
    if (!stopped_at.ok()) return finding(stopped_at, "chain", chained + 1);
    if (!deep.ok()) return finding(deep.status(), "projections", 0);
    if (deep->ok && !pace(CheckProgress{"chain and projections", deep->entries,
                                        head, deep->streams})) {
      return Stopped();
    }
  }
  // What a replay that found a problem left unread, and the whole check
  // when not deep: a problem of the chain is named before one of the
  // storage, and that before one of the projections.
  if (absl::Status s = chain_to_head(); !s.ok()) {
    return finding(s, "chain", chained + 1);
  }
  if (broken.has_value()) return chain_failed();

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

  result.streams = deep->streams;
  result.keys = deep->keys;
  result.notes = deep->notes;
  if (!deep->ok) {
    return Failed(std::move(result), "projections", 0, deep->stream,
                  deep->problem);
  }
  return result;
}

}  // namespace cradle::services
