#pragma once

// Deep verification: every stream replayed through the domain's Apply
// (projection.h) and compared with what the ledger keeps of it, its state and
// its index entries; over a whole pass also every counter, every running
// deadline, and that no state or index key is left that no stream accounts
// for. The hash chain says the entries are as written; this says the
// materialised state a reader is shown follows from them.
//
// It reads one LedgerReader: give it a snapshot (Ledger::Snapshot) when the
// ledger is being written, so that a stream and its state are read at one
// moment.
//
// A whole pass reads the entries once, in sequence order, as the chain
// check does, holding each stream's replay (projection.h's StreamReplay)
// from its first entry to its last. It reads no state or index key by
// itself: what the streams make
// and what a scan of each table finds are summed into a keyed digest per key
// family (base/set_digest.h) and compared. Only when they differ does a
// second pass read each stream's keys, to name the first difference.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "domain/flags/flag_config.h"
#include "storage/ledger.h"

namespace cradle::services {

struct DeepReport {
  bool ok = true;
  std::string stream;    // the stream of the first difference, if it has one
  std::string problem;   // the first difference, named; set when !ok
  uint64_t streams = 0;  // streams replayed
  uint64_t entries = 0;  // entries replayed
  uint64_t keys = 0;     // state and index keys compared
  // Not damage, but worth saying (e.g. deadlines indexed under other limits).
  std::vector<std::string> notes;
};

class DeepVerifier {
 public:
  // Streams whose replays a whole pass holds at once, by default.
  static constexpr size_t kMaxOpenStreams = 100000;

  // `reader` is not owned and must outlive the verifier. `config`: the
  // server's limits, with which the deadlines' times were computed.
  // `max_open_streams`: how many streams' replays a whole pass holds at
  // once (see CheckAll); with 0, every stream of more than one entry is
  // replayed by itself.
  DeepVerifier(const storage::LedgerReader& reader,
               const domain::FlagConfig& config,
               size_t max_open_streams = kMaxOpenStreams)
      : reader_(reader), config_(config), max_open_streams_(max_open_streams) {}

  // One stream: its state and its index entries, but not its deadlines'
  // keys (their time follows the server's limits when it was written; a
  // whole pass checks them).
  absl::StatusOr<DeepReport> CheckStream(absl::string_view stream) const;

  // Every stream, then the whole state and index. The entries are read
  // once in sequence order, each stream's replay held from its first entry
  // to its last; a stream that starts while max_open_streams are held is
  // replayed by itself at the end, through its index (a point read per
  // entry). `progress`, if set, is
  // called with the report so far every `progress_every` entries replayed;
  // when it returns false the check stops with CANCELLED.
  absl::StatusOr<DeepReport> CheckAll(
      const std::function<bool(const DeepReport&)>& progress = nullptr,
      uint64_t progress_every = 10000) const;

 private:
  const storage::LedgerReader& reader_;
  const domain::FlagConfig config_;
  const size_t max_open_streams_;
};

}  // namespace cradle::services
