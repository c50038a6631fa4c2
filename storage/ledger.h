#pragma once

// The ledger: Cradle's append-only, tamper-evident event log.
//
// Every entry belongs to one stream (a manifest number, an enterprise, the
// registry...) and to one global sequence. Each entry carries the SHA-256 of
// the entry before it, so the whole history is a hash chain: changing any byte
// of any entry breaks the chain from there on, and Verify() names where.
//
// No method updates or deletes an entry. Derived data (materialised state and
// secondary indexes) is written through Mutations in the same atomic write as
// the entries it derives from, so the two never disagree, even after a crash.
// Derived data may be overwritten; entries never are.
//
// Byte formats: docs/ledger_format.md.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace cradle::storage {

inline constexpr size_t kHashBytes = 32;
inline constexpr size_t kMaxStreamBytes = 128;
inline constexpr size_t kMaxTypeBytes = 64;
inline constexpr size_t kMaxActorBytes = 256;
inline constexpr size_t kMaxIdempotencyKeyBytes = 256;
inline constexpr size_t kMaxPayloadBytes = 256 * 1024;
inline constexpr size_t kMaxEntriesPerAppend = 64;
inline constexpr size_t kMaxMutationsPerAppend = 256;
inline constexpr size_t kMaxDerivedKeyBytes = 1024;
inline constexpr size_t kMaxDerivedValueBytes = 1024 * 1024;

// An entry as a writer proposes it; the ledger adds sequence, stream version,
// time recorded and hashes.
struct NewEntry {
  std::string type;     // what happened, e.g. "manifest.issued"
  std::string payload;  // opaque bytes (a serialized protobuf), non-empty
  std::string actor;    // who did it: enterprise, person or device
};

// Derived data, written atomically with the entries of the same append.
enum class Table { kState, kIndex };
// Build one with Put, Delete or Add, which say which it is.
struct Mutation {
  static Mutation Put(Table table, std::string key, std::string value) {
    return Mutation{table, std::move(key), std::move(value)};
  }
  static Mutation Delete(Table table, std::string key) {
    return Mutation{table, std::move(key), absl::nullopt};
  }
  // Adds `delta` to the counter at `key`; an add of 0 changes nothing.
  static Mutation Add(Table table, std::string key, int64_t delta) {
    Mutation m{table, std::move(key), absl::nullopt, delta};
    m.counter = true;
    return m;
  }

  Table table = Table::kState;
  std::string key;
  absl::optional<std::string> value;  // nullopt deletes the key...
  // ...unless this is a counter (`counter`, or `add` non-zero): 8 bytes,
  // big-endian, two's complement, absent = 0, to which `add` is added
  // atomically, whatever other appends do to it. Read it with DecodeCounter.
  int64_t add = 0;
  bool counter = false;
  // A put of a key that must not exist yet (a claim on a name all streams
  // share, such as a plate): the whole append fails with ALREADY_EXISTS
  // naming the key if it does, durably or earlier in the same group.
  bool create_only = false;
};

// The value of a counter key; 0 for an absent key.
int64_t DecodeCounter(const absl::optional<std::string>& value);

// Another stream a decision read, at the version it read (0: absent).
struct StreamRead {
  std::string stream;
  uint64_t version = 0;
};
inline constexpr size_t kMaxReadsPerAppend = 2048;

struct AppendRequest {
  std::string stream;
  // The stream's version (number of entries) the writer based its decision
  // on; 0 for a stream that must not exist yet.
  uint64_t expected_version = 0;
  // Other streams the decision read, at the versions it read them: the
  // append fails as for a moved `stream` when any of them has moved on since,
  // durably or earlier in the same group. For two writes that each decide on
  // the other's stream (a stock record on its manifest's status, a pickup on
  // its containers' stock), so that each sees what the other wrote. Each
  // version is one read from this ledger: only an entry after it is looked
  // for.
  std::vector<StreamRead> reads;
  std::vector<NewEntry> entries;
  std::vector<Mutation> mutations;
  // Non-empty: the append is applied at most once per key. A repeat returns
  // the first result (replayed = true) and writes nothing.
  std::string idempotency_key;
};

struct AppendResult {
  std::string stream;
  uint64_t first_sequence = 0;
  uint64_t stream_version = 0;      // after the append
  std::vector<std::string> hashes;  // one per entry, raw 32 bytes
  bool replayed = false;
};

struct Entry {
  uint64_t sequence = 0;
  std::string stream;
  uint64_t stream_version = 0;
  std::string type;
  std::string actor;
  absl::Time recorded;  // server time, microsecond precision
  std::string payload;
  std::string prev_hash;  // raw 32 bytes; all zero before the first entry
  std::string hash;       // raw 32 bytes
};

struct Head {
  uint64_t sequence = 0;  // 0: empty ledger
  std::string hash;       // of entry `sequence`; 32 zero bytes when empty
};

// The Merkle tree over entries 1..size (storage/merkle.h).
struct TreeHead {
  uint64_t size = 0;
  std::string root;  // raw 32 bytes
};

struct VerifyReport {
  uint64_t checked = 0;  // entries recomputed
  bool ok = true;
  uint64_t first_bad = 0;  // set when !ok
  std::string problem;     // what did not match, when !ok
};

struct KeyValue {
  std::string key;
  std::string value;
};

// Runs exactly once, on an unspecified thread (the ledger's writer), after the
// append is durable or has failed. Must not block.
using AppendDone = std::function<void(absl::StatusOr<AppendResult>)>;

// A stream and its number of entries.
struct StreamInfo {
  std::string stream;
  uint64_t version = 0;
};

// The reads of a ledger: of everything durable now, or of a snapshot of it
// (Ledger::Snapshot) when several reads must agree with each other.
class LedgerReader {
 public:
  virtual ~LedgerReader() = default;

  // NOT_FOUND when no entry has that sequence.
  virtual absl::StatusOr<Entry> Read(uint64_t sequence) const = 0;

  // Entries of `stream` with version >= from_version, in order, at most
  // `limit`. NOT_FOUND when the stream has no entry at all.
  virtual absl::StatusOr<std::vector<Entry>> ReadStream(
      absl::string_view stream, uint64_t from_version = 1,
      size_t limit = std::numeric_limits<size_t>::max()) const = 0;

  // Number of entries in `stream`; 0 when it does not exist.
  virtual absl::StatusOr<uint64_t> StreamVersion(
      absl::string_view stream) const = 0;

  // Streams in name order, strictly after `start_after` (empty: from the
  // first), at most `limit`, each with its version.
  virtual absl::StatusOr<std::vector<StreamInfo>> ListStreams(
      absl::string_view start_after, size_t limit) const = 0;

  // Entries with sequence >= from_sequence, in order, at most `limit`.
  virtual absl::StatusOr<std::vector<Entry>> Scan(uint64_t from_sequence,
                                                  size_t limit) const = 0;

  // Derived data. Get*: nullopt when absent. Scan*: keys starting with
  // `prefix`, strictly after `start_after` (empty: from the first), in key
  // order, at most `limit`.
  virtual absl::StatusOr<absl::optional<std::string>> GetState(
      absl::string_view key) const = 0;
  virtual absl::StatusOr<absl::optional<std::string>> GetIndex(
      absl::string_view key) const = 0;
  virtual absl::StatusOr<std::vector<KeyValue>> ScanState(
      absl::string_view prefix, absl::string_view start_after,
      size_t limit) const = 0;
  virtual absl::StatusOr<std::vector<KeyValue>> ScanIndex(
      absl::string_view prefix, absl::string_view start_after,
      size_t limit) const = 0;

  // Calls `visit` with each key of `table` starting with `prefix` and its
  // value, in key order, until it returns false. The views last only for
  // the call: a pass over a whole table without copying each key.
  virtual absl::Status ForEach(
      Table table, absl::string_view prefix,
      const std::function<bool(absl::string_view key, absl::string_view value)>&
          visit) const = 0;

  // Index keys starting with `prefix`, greatest first, strictly before
  // `start_before` (empty: from the greatest).
  virtual absl::StatusOr<std::vector<KeyValue>> ScanIndexBackward(
      absl::string_view prefix, absl::string_view start_before,
      size_t limit) const = 0;

  // The greatest index key starting with `prefix`, or nullopt.
  virtual absl::StatusOr<absl::optional<std::string>> LastIndexKey(
      absl::string_view prefix) const = 0;
};

class Ledger : public LedgerReader {
 public:
  // Queues `request`. Errors: INVALID_ARGUMENT for a malformed request,
  // ABORTED when the stream's version is not `expected_version` or one of
  // `reads` is not at the version read,
  // FAILED_PRECONDITION once closed, RESOURCE_EXHAUSTED on a full disk,
  // UNAVAILABLE after a failed write (the ledger then refuses all appends
  // until reopened), DATA_LOSS once a check found the ledger damaged
  // (Halt). On any error nothing of the request is written. Thread-safe.
  virtual void Append(AppendRequest request, AppendDone done) = 0;

  // Append() and wait for it. Never call from a gRPC callback thread.
  absl::StatusOr<AppendResult> AppendAndWait(AppendRequest request);

  // Every read of the returned reader sees the ledger as it is now, whatever
  // is appended later. Release it soon: it pins what it sees.
  virtual std::unique_ptr<const LedgerReader> Snapshot() const = 0;

  // The last durable entry.
  virtual Head GetHead() const = 0;

  // The Merkle tree head over every durable entry.
  virtual TreeHead GetTreeHead() const = 0;
  // The root of the tree of the first `size` entries (size <= head).
  virtual absl::StatusOr<std::string> TreeRoot(uint64_t size) const = 0;
  // Audit path of entry `sequence` in the tree of `size` entries.
  virtual absl::StatusOr<std::vector<std::string>> InclusionProof(
      uint64_t sequence, uint64_t size) const = 0;
  // Proof that the tree of `old_size` entries is a prefix of `new_size`'s.
  virtual absl::StatusOr<std::vector<std::string>> ConsistencyProof(
      uint64_t old_size, uint64_t new_size) const = 0;

  // Recomputes the chain over [from, to] (clamped to the head) and reports
  // the first entry whose bytes, sequence or links do not match.
  virtual absl::StatusOr<VerifyReport> Verify(uint64_t from,
                                              uint64_t to) const = 0;

  // Checks what the ledger derives from entries [from, to] (clamped to the
  // head): each entry's key in its stream's index, and the Merkle nodes the
  // entry completes, recomputed. Reports the first that does not match.
  virtual absl::StatusOr<VerifyReport> VerifyDerived(uint64_t from,
                                                     uint64_t to) const = 0;

  // Verify and VerifyDerived of [from, to] (clamped to the head) in one
  // read of the entries, with their report: the chain's problem when the
  // chain is broken, else the derived data's first. The whole check
  // (services/ledger_check.h) runs it. `visit`, if set, is handed the
  // entries read, a page at a time in sequence order, each page once both
  // checks have passed it; it may take them, and an error it returns ends
  // the check with that error. (Handing them to the deep check's replay,
  // so that it reads no entry again, did not pay: docs/BENCHMARKS.md.)
  using EntryPages = std::function<absl::Status(std::vector<Entry>* page)>;
  virtual absl::StatusOr<VerifyReport> VerifyEntries(
      uint64_t from, uint64_t to, const EntryPages& visit) const = 0;

  // The whole-ledger checks, one full pass: every table file against its
  // checksums; no stream index key, Merkle node or idempotency record that
  // no entry accounts for; the head record. `checked` counts the keys read.
  virtual absl::StatusOr<VerifyReport> VerifyStorage() const = 0;

  // From now on every append fails with `reason` (DATA_LOSS: a check found
  // the ledger damaged, and a write must never extend a broken chain).
  // The first reason given stays. Thread-safe.
  virtual void Halt(absl::Status reason) = 0;

  // What the checks on open found wrong, when the ledger was opened anyway
  // (a forensic or read-only open); empty otherwise.
  virtual std::vector<std::string> OpenProblems() const = 0;

  // The result of the append that first used `idempotency_key`, or nullopt.
  // Lets a caller answer a retry before deciding again on a state the first
  // attempt has already changed.
  virtual absl::StatusOr<absl::optional<AppendResult>> FindIdempotent(
      absl::string_view idempotency_key) const = 0;

  // Waits for queued appends, then refuses new ones with FAILED_PRECONDITION.
  // Idempotent.
  virtual absl::Status Close() = 0;
};

// Checks the request's shape (sizes, characters); the field is named in the
// error. Used by every Ledger implementation before anything is written.
absl::Status ValidateAppendRequest(const AppendRequest& request);

}  // namespace cradle::storage
