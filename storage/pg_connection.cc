#include "storage/pg_connection.h"

#include <poll.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include <libpq-fe.h>

#include "base/status_macros.h"
#include "storage/byte_codec.h"

namespace cradle::storage::pg {
namespace {

constexpr absl::string_view kUniqueViolation = "23505";

std::string Message(const char* text) {
  return std::string(absl::StripAsciiWhitespace(text ? text : ""));
}

// Notices on the connection: a commit whose wait for the synchronous
// standby was cancelled is committed on the primary alone, and PostgreSQL
// says so only in a WARNING. Such a commit is not acknowledged.
void OnNotice(void* arg, const PGresult* res) {
  const char* text = PQresultErrorMessage(res);
  if (text != nullptr && absl::StrContains(text, "synchronous replication")) {
    *static_cast<bool*>(arg) = true;
  }
}

}  // namespace

std::string Int8(uint64_t v) {
  std::string out;
  bytes::PutU64(&out, v);
  return out;
}

uint64_t GetInt8(const PGresult* res, int row, int col) {
  uint64_t v = 0;
  bytes::Reader r(
      absl::string_view(PQgetvalue(res, row, col), PQgetlength(res, row, col)));
  return r.U64(&v) ? v : 0;
}

std::string GetBytes(const PGresult* res, int row, int col) {
  return std::string(PQgetvalue(res, row, col), PQgetlength(res, row, col));
}

int Rows(const PGresult* res) { return PQntuples(res); }

int Affected(const PGresult* res) {
  int n = 0;
  return absl::SimpleAtoi(PQcmdTuples(const_cast<PGresult*>(res)), &n) ? n : 0;
}

Connection::Connection(std::string conninfo, absl::Duration timeout)
    : conninfo_(std::move(conninfo)), timeout_(timeout) {}

Connection::~Connection() { Drop(); }

absl::Status Connection::Connect() {
  const std::string seconds =
      absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(timeout_)));
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {seconds.c_str(), conninfo_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(conn_) != CONNECTION_OK) {
    absl::Status s = absl::UnavailableError(absl::StrCat(
        "cannot reach the log's database: ", Message(PQerrorMessage(conn_))));
    Drop();
    return s;
  }
  PQsetNoticeReceiver(conn_, OnNotice, &sync_rep_cancelled_);
  return absl::OkStatus();
}

void Connection::Drop() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

absl::StatusOr<Result> Connection::Await(absl::Time deadline) {
  Result result(nullptr, PQclear);
  for (;;) {
    while (PQisBusy(conn_)) {
      pollfd fd{PQsocket(conn_), POLLIN, 0};
      const int64_t wait = absl::ToInt64Milliseconds(deadline - absl::Now());
      if (wait <= 0 || poll(&fd, 1, static_cast<int>(wait)) == 0) {
        // Dropped, never cancelled: a commit waiting for its synchronous
        // standby is already committed on the primary, and a cancel would
        // make it visible to every reader before any standby has it (a
        // follower would apply it, a retry would be acknowledged from it,
        // and a failover would lose it). Left alone, its backend waits on
        // until a standby has it, or until the primary goes. A read left
        // running ends at its next write to the closed socket.
        Drop();
        return absl::UnavailableError(
            absl::StrCat("the log's database did not answer within ",
                         absl::FormatDuration(timeout_),
                         "; whether the statement took effect is unknown"));
      }
      if (!PQconsumeInput(conn_)) {
        absl::Status s = absl::UnavailableError(absl::StrCat(
            "lost the log's database: ", Message(PQerrorMessage(conn_))));
        Drop();
        return s;
      }
    }
    PGresult* next = PQgetResult(conn_);
    if (next == nullptr) return result;
    result.reset(next);
  }
}

absl::StatusOr<Result> Connection::Exec(absl::string_view sql,
                                        const std::vector<std::string>& params,
                                        const std::vector<unsigned>& types) {
  if (conn_ == nullptr) CRADLE_RETURN_IF_ERROR(Connect());
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const std::string& p : params) {
    values.push_back(p.data());
    lengths.push_back(static_cast<int>(p.size()));
    formats.push_back(1);
  }
  sync_rep_cancelled_ = false;
  const std::string statement(sql);
  if (!PQsendQueryParams(conn_, statement.c_str(),
                         static_cast<int>(params.size()), types.data(),
                         values.data(), lengths.data(), formats.data(),
                         /*resultFormat=*/1)) {
    absl::Status s = absl::UnavailableError(
        absl::StrCat("statement not sent to the log's database: ",
                     Message(PQerrorMessage(conn_))));
    Drop();
    return s;
  }
  CRADLE_ASSIGN_OR_RETURN(Result result, Await(absl::Now() + timeout_));
  const ExecStatusType status =
      result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    if (!sync_rep_cancelled_) return result;
    Drop();
    return absl::UnavailableError(
        "the log's database committed without its synchronous standby; the "
        "write is not acknowledged");
  }
  const char* state =
      result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  const std::string text =
      Message(result ? PQresultErrorMessage(result.get()) : "no result");
  if (state != nullptr && state == kUniqueViolation) {
    return absl::FailedPreconditionError(text);
  }
  if (PQstatus(conn_) != CONNECTION_OK) Drop();
  return absl::UnavailableError(
      absl::StrCat("statement on the log's database failed: ", text));
}

}  // namespace cradle::storage::pg
