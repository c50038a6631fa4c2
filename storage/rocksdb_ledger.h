#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

#include "base/clock.h"
#include "storage/batch_log.h"
#include "storage/ledger.h"
#include "storage/merkle.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
}  // namespace rocksdb

namespace cradle::storage {

struct HeadRecord;  // rocksdb_internal.h

// The Ledger on RocksDB. One writer thread group-commits: it drains every
// queued append into one WriteBatch, writes it with one fsync, then completes
// each caller (LevelDB's DBImpl::Write). Key layout: docs/ARCHITECTURE.md.
// What it checks on open: docs/RELIABILITY.md.
//
// In a cluster (Options::log) the group commits are replicated: the writer
// appends each to the log before writing it here, and every other node
// applies the log's records (CatchUp). docs/CLUSTER.md.
class RocksDbLedger final : public Ledger {
 public:
  struct Options {
    // false skips fsync: for benchmarks that measure its cost, never for data.
    bool sync = true;
    // Upper bound on one group commit.
    size_t max_batch_bytes = 8 << 20;
    // Entries whose chain, stream index keys and Merkle nodes are checked on
    // open.
    uint64_t verify_tail_on_open = 1024;
    // Idempotency records' claims VerifyStorage holds in memory at once,
    // 16 bytes each (64 MB by default); a ledger with more is checked in
    // more passes over its records.
    size_t verify_claims_in_memory = size_t{1} << 22;
    // Open even when the checks on open find damage: every append is then
    // refused (DATA_LOSS) and OpenProblems() says what was found. For an
    // operator who must inspect a ledger the server refuses.
    bool forensic = false;
    // Open without writing a byte (RocksDB's read-only mode): no appends, no
    // repairs. Damage found on open is reported, as in a forensic open.
    bool read_only = false;
    // Time recorded on each entry; not owned; default SystemClock.
    const Clock* clock = nullptr;
    // Test seam for I/O faults; not owned; default rocksdb::Env::Default().
    rocksdb::Env* env = nullptr;
    // Test seam: called with each request on the caller's thread as
    // Append() begins, before it is checked or queued (a test holds a
    // write there to race another against it).
    std::function<void(const AppendRequest&)> before_append;
    // The cluster's replicated log; not owned; null on a single node. With
    // a log the ledger opens as a follower: appends are refused
    // (UNAVAILABLE) until BecomeWriter().
    BatchLog* log = nullptr;
  };

  // Opens or creates the ledger in `dir` (read-only: opens, never creates).
  // Refuses to open (DATA_LOSS naming what disagrees) when the checks on open
  // find damage, rather than extend a broken chain, unless `forensic` or
  // `read_only`.
  static absl::StatusOr<std::unique_ptr<RocksDbLedger>> Open(
      const std::string& dir, const Options& options);

  ~RocksDbLedger() override;

  void Append(AppendRequest request, AppendDone done) override;
  std::unique_ptr<const LedgerReader> Snapshot() const override;
  absl::StatusOr<Entry> Read(uint64_t sequence) const override;
  absl::StatusOr<std::vector<Entry>> ReadStream(absl::string_view stream,
                                                uint64_t from_version,
                                                size_t limit) const override;
  absl::StatusOr<uint64_t> StreamVersion(
      absl::string_view stream) const override;
  absl::StatusOr<std::vector<StreamInfo>> ListStreams(
      absl::string_view start_after, size_t limit) const override;
  absl::StatusOr<std::vector<Entry>> Scan(uint64_t from_sequence,
                                          size_t limit) const override;
  absl::StatusOr<absl::optional<std::string>> GetState(
      absl::string_view key) const override;
  absl::StatusOr<absl::optional<std::string>> GetIndex(
      absl::string_view key) const override;
  absl::StatusOr<std::vector<KeyValue>> ScanState(absl::string_view prefix,
                                                  absl::string_view start_after,
                                                  size_t limit) const override;
  absl::StatusOr<std::vector<KeyValue>> ScanIndex(absl::string_view prefix,
                                                  absl::string_view start_after,
                                                  size_t limit) const override;
  absl::Status ForEach(
      Table table, absl::string_view prefix,
      const std::function<bool(absl::string_view key, absl::string_view value)>&
          visit) const override;
  absl::StatusOr<std::vector<KeyValue>> ScanIndexBackward(
      absl::string_view prefix, absl::string_view start_before,
      size_t limit) const override;
  absl::StatusOr<absl::optional<std::string>> LastIndexKey(
      absl::string_view prefix) const override;

  Head GetHead() const override;
  TreeHead GetTreeHead() const override;
  absl::StatusOr<std::string> TreeRoot(uint64_t size) const override;
  absl::StatusOr<std::vector<std::string>> InclusionProof(
      uint64_t sequence, uint64_t size) const override;
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(
      uint64_t old_size, uint64_t new_size) const override;
  absl::StatusOr<VerifyReport> Verify(uint64_t from,
                                      uint64_t to) const override;
  absl::StatusOr<VerifyReport> VerifyDerived(uint64_t from,
                                             uint64_t to) const override;
  absl::StatusOr<VerifyReport> VerifyEntries(
      uint64_t from, uint64_t to, const EntryPages& visit) const override;
  absl::StatusOr<VerifyReport> VerifyStorage() const override;
  void Halt(absl::Status reason) override;
  std::vector<std::string> OpenProblems() const override;
  absl::StatusOr<absl::optional<AppendResult>> FindIdempotent(
      absl::string_view idempotency_key) const override;
  absl::Status Close() override;

  // Cluster only (Options::log). Applies the log's records after the head,
  // in order, until none is left, recomputing every hash; returns how many
  // entries it applied. A record that does not follow the ledger or whose
  // hashes differ halts the ledger (DATA_LOSS naming the entry). When the
  // log was pruned past the head (BatchLog::Prune), FAILED_PRECONDITION:
  // this node can only join again from a checkpoint.
  absl::StatusOr<uint64_t> CatchUp();
  // Catches up, then accepts appends: each group commit is appended to the
  // log first and written here only once the log holds it. When the log
  // refuses it (another node wrote since: the fence) or cannot say, the
  // group's appends fail with UNAVAILABLE and this node steps down.
  absl::Status BecomeWriter();
  // The writer: marks the last record it appended durable in the log, for
  // the followers (BatchLog::MarkDurable); done by itself when it falls
  // idle, and again by whoever calls this.
  absl::Status MarkLogDurable();
  // A follower: the writer answered a write at entry `through`, so the log
  // holds it durably (BatchLog::LearnDurable).
  void LearnLogDurable(uint64_t through);
  // Refuses appends from now on (UNAVAILABLE saying `reason`).
  void StepDown(absl::string_view reason);
  bool IsWriter() const;

  // Writes a consistent copy of the ledger's files into `dir`, which must
  // not exist (a RocksDB checkpoint: hard links where it can), between two
  // group commits, and returns the head it holds. A node that opens the
  // copy catches up from the log after that head. Writes wait meanwhile:
  // take checkpoints from a follower.
  absl::StatusOr<Head> Checkpoint(const std::string& dir) const;

 private:
  struct Pending {
    AppendRequest request;
    AppendDone done;
  };

  RocksDbLedger(const Options& options, std::unique_ptr<rocksdb::DB> db,
                std::vector<rocksdb::ColumnFamilyHandle*> handles);

  // The checks on open; fills open_problems_.
  absl::Status Recover();
  // The last entry, which becomes head_; a problem when it is unreadable.
  absl::StatusOr<Head> RecoverHead(std::vector<std::string>* problems);
  // The Merkle tree against the `head` entries and the head record: as many
  // leaves, the recorded root; a tree older than the head record is caught
  // up.
  // `record` is null when there is none.
  absl::Status RecoverMerkle(uint64_t head, const HeadRecord* record,
                             std::vector<std::string>* problems);
  // A damaged ledger: DATA_LOSS naming `problems`, or on a forensic or
  // read-only open, OK with writes refused and the problems kept.
  absl::Status RefuseOrInspect(std::vector<std::string> problems);
  // Streams of entries [from, head] whose index goes on past the head.
  std::vector<std::string> CheckStreamsPastHead(uint64_t from,
                                                uint64_t head) const;
  // The stream's version, cheaply when it is `expected` (the writer's common
  // case); the exact answer, StreamVersion(), otherwise.
  absl::StatusOr<uint64_t> StreamVersionIfAt(absl::string_view stream,
                                             uint64_t expected) const;
  // How many leaves the stored Merkle tree covers.
  absl::StatusOr<uint64_t> MerkleLeaves() const;
  // Restores the frontier at `covered` leaves and extends it over the
  // entries up to `head`, writing their nodes when `write` (a ledger written
  // before the tree existed).
  absl::Status CatchUpMerkle(uint64_t covered, uint64_t head, bool write);
  merkle::NodeReader Nodes() const;
  // The chain over [from, to] (clamped to the head), each entry read once;
  // `page`, if set, is handed every kScanPage entries checked (and the
  // last few), and may take them. Marks *report bad at the first problem;
  // an error `page` returns stops the pass with it.
  absl::Status ChainPass(
      uint64_t from, uint64_t to, VerifyReport* report,
      const std::function<absl::Status(std::vector<Entry>*)>& page) const;
  // VerifyDerived's checks of entries met in sequence order.
  class DerivedCheck;
  void WriterLoop();
  // Writes `group` as one atomic, durable batch and answers each append.
  void CommitGroup(std::deque<Pending>* group);
  struct Group;
  // Adds one append to the group's batch, or says why it is refused
  // (answered from an earlier result when its idempotency key was seen).
  absl::StatusOr<AppendResult> Stage(Group* g, AppendRequest* req);
  // Where `r.stream` is, counting what the group has staged, when it has
  // moved on from the version read; nullopt when it has not.
  absl::StatusOr<absl::optional<uint64_t>> MovedOn(const Group& g,
                                                   const StreamRead& r) const;
  // The version `stream` is at after what the group has staged; `expected`
  // is the version the caller believes, which makes the usual answer cheap.
  absl::StatusOr<uint64_t> GroupVersion(const Group& g,
                                        absl::string_view stream,
                                        uint64_t expected) const;
  // Claims the append's create-only keys; ALREADY_EXISTS when one is taken,
  // in the ledger or by an earlier append of the group.
  absl::Status Claim(Group* g, const AppendRequest& req) const;
  // Adds one checked append to the group: its entries (sequence, stream
  // version `current` + 1..., time, hashes), stream index keys, Merkle nodes,
  // mutations and idempotency record. `hashes` (applying a log record): what
  // each entry must hash to, else DATA_LOSS.
  absl::StatusOr<AppendResult> AddToGroup(
      Group* g, AppendRequest* req, uint64_t current,
      const std::vector<std::string>* hashes);
  // Writes the group's batch with the new head record; on success the
  // group's head, frontier and time become the ledger's. A writer's group
  // goes to the log first (Options::log).
  absl::Status WriteGroup(Group* g);
  // Appends the group's log batch to the log; steps down on failure.
  absl::Status Publish(const Group& g);
  bool QueueEmpty() const;
  // Applies one log record (CatchUp).
  absl::Status ApplyRecord(const LogRecord& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);
  absl::Status ApplyAppend(Group* g, LogBatch::Append* a);
  absl::StatusOr<uint64_t> CatchUpLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(commit_mu_);

  const Options options_;
  std::unique_ptr<rocksdb::DB> db_;
  // Owned; destroyed before db_. In the order of the .cc's kColumnFamilies.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<LedgerReader> live_;  // reads of the live database

  // Held by a group commit and by CatchUp: one writes the database at a time
  // (and Checkpoint, which copies it between two). Taken before mu_.
  mutable absl::Mutex commit_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  absl::CondVar work_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  // Set after a failed write (the on-disk state is uncertain until reopened),
  // by Halt(), or on a forensic or read-only open.
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);
  // Not OK on a cluster node that is not the writer (Options::log).
  absl::Status not_writer_ ABSL_GUARDED_BY(mu_);
  Head head_ ABSL_GUARDED_BY(mu_);
  merkle::Frontier frontier_ ABSL_GUARDED_BY(mu_);
  absl::Time last_recorded_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::vector<std::string> open_problems_;  // set once, in Recover()
  std::thread writer_;
  std::once_flag joined_;  // Close() joins writer_ once
};

}  // namespace cradle::storage
