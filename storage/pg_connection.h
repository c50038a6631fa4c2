#pragma once

// One libpq connection with a timeout on every statement: what the
// cluster's log (pg_batch_log.h) and the writer's lock share. Not for use
// outside storage/.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct pg_conn;
struct pg_result;

namespace cradle::storage::pg {

inline constexpr unsigned kInt8Oid = 20;
inline constexpr unsigned kByteaOid = 17;
inline constexpr unsigned kTextOid = 25;

// A statement's result; empty for a failed one.
using Result = std::unique_ptr<pg_result, void (*)(pg_result*)>;

// u64 as a binary int8 parameter, and back from a binary result.
std::string Int8(uint64_t v);
uint64_t GetInt8(const pg_result* res, int row, int col);
std::string GetBytes(const pg_result* res, int row, int col);
int Rows(const pg_result* res);
// The number of rows an INSERT/UPDATE/DELETE touched.
int Affected(const pg_result* res);

// Not thread-safe: its owner serialises calls.
class Connection {
 public:
  Connection(std::string conninfo, absl::Duration timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement with binary parameters of `types` and binary
  // results, connecting first if the connection is down. UNAVAILABLE for a
  // database out of reach, a statement that did not answer within the
  // timeout (the connection dropped, the statement left to finish on the
  // server, never cancelled: its outcome unknown), or a commit made without the
  // synchronous standby; FAILED_PRECONDITION for a unique violation
  // (PostgreSQL's message); the
  // connection is dropped after any failure but the last.
  absl::StatusOr<Result> Exec(absl::string_view sql,
                              const std::vector<std::string>& params,
                              const std::vector<unsigned>& types);
  bool connected() const { return conn_ != nullptr; }
  void Drop();

 private:
  absl::Status Connect();
  // Waits for the statement's result until the deadline.
  absl::StatusOr<Result> Await(absl::Time deadline);

  const std::string conninfo_;
  const absl::Duration timeout_;
  pg_conn* conn_ = nullptr;
  // Set by the connection's notice receiver during a statement.
  bool sync_rep_cancelled_ = false;
};

}  // namespace cradle::storage::pg
