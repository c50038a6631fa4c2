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
// libpq stays inside storage/, as RocksDB does.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "storage/batch_log.h"

struct pg_conn;

namespace cradle::storage {

class PgBatchLog final : public BatchLog {
 public:
  struct Options {
    // libpq connection string; several hosts with
    // target_session_attrs=read-write reach whichever is the primary.
    std::string conninfo;
    // The province's table: lower-case letters, digits and '_'.
    std::string table = "cradle_log";
    // How long one statement may take before its outcome counts as unknown
    // (a commit waiting for a standby that is gone, a primary that died).
    absl::Duration timeout = absl::Seconds(10);
  };

  // Connects and creates the table if it is missing. INVALID_ARGUMENT for a
  // bad table name, UNAVAILABLE when the database cannot be reached.
  static absl::StatusOr<std::unique_ptr<PgBatchLog>> Open(
      const Options& options);
  ~PgBatchLog() override;

  absl::Status Append(const LogRecord& record) override;
  absl::StatusOr<std::vector<LogRecord>> ReadAfter(uint64_t after,
                                                   size_t limit) const override;

 private:
  explicit PgBatchLog(const Options& options);
  struct Result;
  // Runs one statement with binary parameters and results on the
  // connection (connecting first if it is down). The connection is dropped
  // after any failure, so the next call starts afresh.
  absl::StatusOr<Result> Exec(const std::string& sql,
                              const std::vector<std::string>& params,
                              const std::vector<unsigned>& types) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Connect() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Drop() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  std::string insert_sql_;
  std::string select_sql_;
  mutable absl::Mutex mu_;
  mutable pg_conn* conn_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Set by the connection's notice receiver during a statement.
  mutable bool sync_rep_cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cradle::storage
