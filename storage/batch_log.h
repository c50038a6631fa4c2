#pragma once

// The replicated log of a cluster: one record per group commit of the
// province's one writer, which every node applies, in order, to its own
// ledger (docs/CLUSTER.md).
//
// A record holds what the writer decided, not how RocksDB stores it: each
// append's stream, entries and hashes, its mutations and idempotency key.
// A node applying it derives the rest (stream index, Merkle nodes,
// idempotency record, head record) as the writer did, and recomputes every
// hash: a record that does not chain onto its ledger is refused (DATA_LOSS)
// and the node stops applying. The byte format is docs/ledger_format.md's
// "log batch"; like the entries, it outlives every API.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "storage/ledger.h"

namespace cradle::storage {

// One group commit, as the log carries it.
struct LogBatch {
  struct Append {
    std::string stream;
    uint64_t first_version = 0;  // the stream version of its first entry
    std::string idempotency_key;
    std::vector<NewEntry> entries;
    std::vector<std::string> hashes;  // one per entry, raw 32 bytes
    std::vector<Mutation> mutations;
  };

  uint64_t first_sequence = 0;  // of its first entry
  std::string prev_hash;        // of the entry before it; raw 32 bytes
  absl::Time recorded;          // every entry's time recorded
  std::vector<Append> appends;

  // The sequence of its last entry.
  uint64_t last_sequence() const;
};

std::string EncodeLogBatch(const LogBatch& batch);
// DATA_LOSS naming what is malformed.
absl::StatusOr<LogBatch> DecodeLogBatch(absl::string_view bytes);

// A record of the log: the batch of entries [first_sequence, last_sequence].
struct LogRecord {
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  std::string body;  // EncodeLogBatch
};

// A signed tree head as the province's writer publishes it beside the log,
// for those who follow the log from outside the province (the national
// node): they check it against the province's public key and against the
// tree they built from the log themselves.
struct PublishedHead {
  uint64_t tree_size = 0;
  absl::Time timestamp;   // what the signature covers, to the microsecond
  std::string root;       // raw 32 bytes
  std::string signature;  // raw 64 bytes: Ed25519 over TreeHeadMessage
};

// Where a cluster's batches are stored and replicated: PostgreSQL with
// synchronous standbys (PgBatchLog), or memory in tests (MemoryBatchLog).
class BatchLog {
 public:
  virtual ~BatchLog() = default;

  // Appends `record`; OK means durable as the engine promises (for
  // PostgreSQL: on the primary and a synchronous standby). The fence: the
  // record must follow the log's last one (its first_sequence = the last
  // record's last_sequence + 1, or 1 on an empty log), else
  // FAILED_PRECONDITION, and nothing is stored. Any other error leaves the
  // outcome unknown: the record may be in the log or not.
  virtual absl::Status Append(const LogRecord& record) = 0;

  // Records whose first_sequence is greater than `after`, in order, at most
  // `limit`: only records the log has marked durable (MarkDurable, Settle).
  // A record can be in an engine's table before it is durable: PostgreSQL
  // shows every reader a commit whose wait for its standby ended early (the
  // wait cancelled, the backend ended, the primary dying), though only the
  // primary has it. A reader applying it would hold, and answer from, a
  // write the next failover loses.
  virtual absl::StatusOr<std::vector<LogRecord>> ReadAfter(
      uint64_t after, size_t limit) const = 0;
  // Marks durable, for ReadAfter, every record this object appended (each
  // Append marks those before it; this marks the last). The writer calls
  // it when it has nothing more to append.
  virtual absl::Status MarkDurable() = 0;
  // Makes every record the log holds now durable (a commit that waits for
  // the standby: whatever it saw is on the standby once it returns) and
  // marks it so; returns the last entry the log holds. A writer taking over
  // settles before it catches up, so that it applies only what the log
  // keeps. UNAVAILABLE when it could not.
  virtual absl::StatusOr<uint64_t> Settle() = 0;
  // A reader told by the writer that it answered a write at entry
  // `through` (a writer answers only once the log holds the write durably)
  // may read every record that starts at or before it, marked or not:
  // a follower answering a forwarded write need not wait for the mark.
  virtual void LearnDurable(uint64_t through) { (void)through; }

  // Removes the records wholly at or before entry `through` (last_sequence
  // <= through), except the log's last record, which the fence needs;
  // returns how many it removed. The retention rule is the caller's
  // (docs/CLUSTER.md): a node behind what was pruned can only join again
  // from a checkpoint.
  virtual absl::StatusOr<uint64_t> Prune(uint64_t through) = 0;
  // Publishes a signed head; one of the same size already published stays.
  virtual absl::Status PublishHead(const PublishedHead& head) = 0;
  // The published head of the largest size; tree_size 0 when none is.
  virtual absl::StatusOr<PublishedHead> LatestHead() const = 0;
};

// Who the province's writer is: a lock that the log's engine holds for one
// node at a time (for PostgreSQL, an advisory lock on one session), with the
// address the holder serves on. Safety never rests on it: two nodes that
// both think they write are stopped by the log's fence. It only keeps one
// node trying.
class WriterLock {
 public:
  virtual ~WriterLock() = default;
  // Takes the lock if it is free; true when this node holds it (and then
  // Writer() names `address`). UNAVAILABLE when the engine is out of reach.
  virtual absl::StatusOr<bool> TryAcquire(absl::string_view address) = 0;
  // Whether the lock taken is still held (its session is alive); false
  // once it was lost, after which it must be taken again.
  virtual bool StillHeld() = 0;
  // Lets the lock go.
  virtual void Release() = 0;
  // The address of the node that last took the lock; empty when none has.
  virtual absl::StatusOr<std::string> Writer() = 0;
};

// A log in memory, for tests and for nodes of one process.
class MemoryBatchLog final : public BatchLog {
 public:
  absl::Status Append(const LogRecord& record) override;
  absl::StatusOr<std::vector<LogRecord>> ReadAfter(uint64_t after,
                                                   size_t limit) const override;
  // Durable once appended: nothing to mark.
  absl::Status MarkDurable() override { return absl::OkStatus(); }
  absl::StatusOr<uint64_t> Settle() override;
  absl::StatusOr<uint64_t> Prune(uint64_t through) override;
  absl::Status PublishHead(const PublishedHead& head) override;
  absl::StatusOr<PublishedHead> LatestHead() const override;

  // Test seam: replaces the body of the record starting at `first_sequence`.
  void ReplaceBody(uint64_t first_sequence, std::string body);
  // Test seam: the records from `first_sequence` on vanish, as a failover
  // to a standby that never had them loses them.
  void DropFrom(uint64_t first_sequence);
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<LogRecord> records_ ABSL_GUARDED_BY(mu_);
  PublishedHead head_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cradle::storage
