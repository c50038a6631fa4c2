#pragma once

// The cluster's log in PostgreSQL: one table, one row per group commit.
//
//   CREATE TABLE <table> (first_seq bigint PRIMARY KEY,
//                         last_seq bigint NOT NULL, body bytea NOT NULL)
//
// The fence is one statement: a row is inserted only when its first_seq
// follows the table's last row (INSERT ... SELECT ... WHERE), and the
// primary key refuses a second writer racing for the same place. Durability
// is PostgreSQL's: with Patroni's synchronous mode a commit returns once the
// primary and a synchronous standby have flushed it (docs/CLUSTER.md).
//
// What readers see is marked in <table>_durable (one row, `through`): the
// records up to the last entry the writer knows durable. A commit whose
// wait for its standby ends early (cancelled, its backend ended, its
// primary dying) is visible at once though only the primary has it;
// readers apply only what the mark covers, and the mark only ever names
// what a commit already confirmed. Each append raises it to what the
// appends before it made durable; an idle writer raises it to its last
// (MarkDurable); a writer taking over first settles: a commit that waits
// for the standby, which makes durable every record it saw.
//
// Signed heads are published in <table>_heads (tree_size bigint PRIMARY
// KEY, micros bigint, root bytea, signature bytea).
//
// The writer's lock is a session advisory lock, and the holder's address a
// row of <table>_writer, with a lease: the holder renews the row; a node
// that finds the lock held by a session whose lease lapsed (a writer frozen
// or cut off by a partition keeps its session open until TCP gives up)
// ends that session with pg_terminate_backend, which frees the lock.
//
// libpq stays inside storage/, as RocksDB does.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "storage/batch_log.h"
#include "storage/pg_connection.h"

namespace cradle::storage {

struct PgLogOptions {
  // libpq connection string; several hosts with
  // target_session_attrs=read-write reach whichever is the primary.
  std::string conninfo;
  // The province's table: lower-case letters, digits and '_'.
  std::string table = "cradle_log";
  // How long one statement may take before its outcome counts as unknown
  // (a commit waiting for a standby that is gone, a primary that died).
  absl::Duration timeout = absl::Seconds(10);
  // The writer's lease: a holder that has not renewed it for this long
  // (PgWriterLock::StillHeld renews) has its database session ended by the
  // next node that tries the lock, which frees the lock.
  absl::Duration lease = absl::Seconds(3);
};

class PgBatchLog final : public BatchLog {
 public:
  // Connects and creates the table if it is missing. INVALID_ARGUMENT for a
  // bad table name, UNAVAILABLE when the database cannot be reached.
  static absl::StatusOr<std::unique_ptr<PgBatchLog>> Open(
      const PgLogOptions& options);
  // A table name PgLogOptions accepts.
  static bool ValidTable(absl::string_view name);

  absl::Status Append(const LogRecord& record) override;
  absl::StatusOr<std::vector<LogRecord>> ReadAfter(uint64_t after,
                                                   size_t limit) const override;
  absl::Status MarkDurable() override;
  absl::StatusOr<uint64_t> Settle() override;
  void LearnDurable(uint64_t through) override;
  absl::StatusOr<uint64_t> Prune(uint64_t through) override;
  absl::Status PublishHead(const PublishedHead& head) override;
  absl::StatusOr<PublishedHead> LatestHead() const override;

 private:
  explicit PgBatchLog(const PgLogOptions& options);

  // Raises the mark to durable_; OK when it is there already.
  absl::Status PublishMark() ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mu_);

  std::string insert_sql_;
  std::string select_sql_;
  std::string mark_sql_;
  std::string settle_sql_;
  std::string prune_sql_;
  std::string publish_sql_;
  std::string latest_head_sql_;
  // Appends and reads on connections of their own, so that a follower's
  // reads never wait behind the writer's commit.
  absl::Mutex append_mu_;
  pg::Connection append_ ABSL_GUARDED_BY(append_mu_);
  // The last entry known durable (a commit of this object returned once its
  // standby had it, or had what followed it), and the mark as this object
  // last wrote it.
  uint64_t durable_ ABSL_GUARDED_BY(append_mu_) = 0;
  uint64_t marked_ ABSL_GUARDED_BY(append_mu_) = 0;
  // What LearnDurable was told: ReadAfter's reads reach at least it.
  std::atomic<uint64_t> learned_{0};
  mutable absl::Mutex read_mu_;
  mutable pg::Connection read_ ABSL_GUARDED_BY(read_mu_);
};

class PgWriterLock final : public WriterLock {
 public:
  // Creates the address table if it is missing.
  static absl::StatusOr<std::unique_ptr<PgWriterLock>> Open(
      const PgLogOptions& options);

  absl::StatusOr<bool> TryAcquire(absl::string_view address) override;
  bool StillHeld() override;
  // Unlocks before it ends the session, so that another node may take the
  // lock as soon as this returns.
  void Release() override;
  absl::StatusOr<std::string> Writer() override;

 private:
  explicit PgWriterLock(const PgLogOptions& options);
  // Ends the session that holds the lock if its lease lapsed.
  void EndLapsedHolder() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string table_;
  const absl::Duration lease_;
  absl::Mutex mu_;
  // The session that holds the lock; its end lets the lock go.
  pg::Connection session_ ABSL_GUARDED_BY(mu_);
  pg::Connection reads_ ABSL_GUARDED_BY(mu_);
  bool held_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cradle::storage
