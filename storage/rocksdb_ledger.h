#pragma once

#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"

#include "base/clock.h"
#include "storage/ledger.h"
#include "storage/merkle.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
}  // namespace rocksdb

namespace cradle::storage {

// The Ledger on RocksDB. One writer thread group-commits: it drains every
// queued append into one WriteBatch, writes it with one fsync, then completes
// each caller (LevelDB's DBImpl::Write). Key layout: docs/ARCHITECTURE.md.
class RocksDbLedger final : public Ledger {
 public:
  struct Options {
    // false skips fsync: for benchmarks that measure its cost, never for data.
    bool sync = true;
    // Upper bound on one group commit.
    size_t max_batch_bytes = 8 << 20;
    // Entries whose chain is recomputed on open.
    uint64_t verify_tail_on_open = 1024;
    // Time recorded on each entry; not owned; default SystemClock.
    const Clock* clock = nullptr;
    // Test seam for I/O faults; not owned; default rocksdb::Env::Default().
    rocksdb::Env* env = nullptr;
  };

  // Opens or creates the ledger in `dir`. Refuses to open (DATA_LOSS) when the
  // chain's tail does not verify, rather than extend a broken chain.
  static absl::StatusOr<std::unique_ptr<RocksDbLedger>> Open(
      const std::string& dir, const Options& options);

  ~RocksDbLedger() override;

  void Append(AppendRequest request, AppendDone done) override;
  absl::StatusOr<Entry> Read(uint64_t sequence) const override;
  absl::StatusOr<std::vector<Entry>> ReadStream(absl::string_view stream,
                                                uint64_t from_version,
                                                size_t limit) const override;
  absl::StatusOr<uint64_t> StreamVersion(
      absl::string_view stream) const override;
  absl::StatusOr<std::vector<Entry>> Scan(uint64_t from_sequence,
                                          size_t limit) const override;
  Head GetHead() const override;
  absl::StatusOr<VerifyReport> Verify(uint64_t from,
                                      uint64_t to) const override;
  TreeHead GetTreeHead() const override;
  absl::StatusOr<std::string> TreeRoot(uint64_t size) const override;
  absl::StatusOr<std::vector<std::string>> InclusionProof(
      uint64_t sequence, uint64_t size) const override;
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(
      uint64_t old_size, uint64_t new_size) const override;
  absl::StatusOr<absl::optional<AppendResult>> FindIdempotent(
      absl::string_view idempotency_key) const override;
  absl::StatusOr<absl::optional<std::string>> GetState(
      absl::string_view key) const override;
  absl::StatusOr<std::vector<KeyValue>> ScanIndex(absl::string_view prefix,
                                                  absl::string_view start_after,
                                                  size_t limit) const override;
  absl::StatusOr<absl::optional<std::string>> LastIndexKey(
      absl::string_view prefix) const override;
  absl::Status Close() override;

 private:
  struct Pending {
    AppendRequest request;
    AppendDone done;
  };

  RocksDbLedger(const Options& options, std::unique_ptr<rocksdb::DB> db,
                std::vector<rocksdb::ColumnFamilyHandle*> handles);

  absl::Status Recover();
  // The stream's version, cheaply when it is `expected` (the writer's common
  // case); the exact answer, StreamVersion(), otherwise.
  absl::StatusOr<uint64_t> StreamVersionIfAt(absl::string_view stream,
                                             uint64_t expected) const;
  // Writes the Merkle nodes of entries the tree does not cover yet (a ledger
  // written before the tree existed).
  absl::Status CatchUpMerkle(uint64_t head);
  merkle::NodeReader Nodes() const;
  void WriterLoop();
  void CommitGroup(std::deque<Pending>* group);

  const Options options_;
  std::unique_ptr<rocksdb::DB> db_;
  // Owned; destroyed before db_. Order: see kColumnFamilies in the .cc.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* entries_cf_;
  rocksdb::ColumnFamilyHandle* streams_cf_;
  rocksdb::ColumnFamilyHandle* idempotency_cf_;
  rocksdb::ColumnFamilyHandle* state_cf_;
  rocksdb::ColumnFamilyHandle* index_cf_;
  rocksdb::ColumnFamilyHandle* merkle_cf_;

  mutable absl::Mutex mu_;
  absl::CondVar work_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  // Set after a failed write: the on-disk state is uncertain until reopened.
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);
  Head head_ ABSL_GUARDED_BY(mu_);
  merkle::Frontier frontier_ ABSL_GUARDED_BY(mu_);
  absl::Time last_recorded_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::thread writer_;
};

}  // namespace cradle::storage
