#include "storage/pg_batch_log.h"

#include <poll.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include <libpq-fe.h>

#include "base/status_macros.h"
#include "storage/byte_codec.h"

namespace cradle::storage {
namespace {

constexpr unsigned kInt8Oid = 20;
constexpr unsigned kByteaOid = 17;
constexpr absl::string_view kUniqueViolation = "23505";

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

std::string Message(const char* text) {
  return std::string(absl::StripAsciiWhitespace(text ? text : ""));
}

bool ValidTable(absl::string_view name) {
  if (name.empty() || name.size() > 63 || absl::ascii_isdigit(name[0])) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return false;
    }
  }
  return true;
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

struct PgBatchLog::Result {
  std::unique_ptr<PGresult, void (*)(PGresult*)> res{nullptr, PQclear};
};

PgBatchLog::PgBatchLog(const Options& options) : options_(options) {
  insert_sql_ = absl::StrCat(
      "INSERT INTO ", options_.table,
      " (first_seq, last_seq, body) SELECT $1, $2, $3 WHERE $1 = 1 + "
      "COALESCE((SELECT last_seq FROM ",
      options_.table, " ORDER BY first_seq DESC LIMIT 1), 0)");
  select_sql_ =
      absl::StrCat("SELECT first_seq, last_seq, body FROM ", options_.table,
                   " WHERE first_seq > $1 ORDER BY first_seq "
                   "LIMIT $2");
}

PgBatchLog::~PgBatchLog() {
  absl::MutexLock lock(&mu_);
  Drop();
}

absl::StatusOr<std::unique_ptr<PgBatchLog>> PgBatchLog::Open(
    const Options& options) {
  if (!ValidTable(options.table)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log table \"", options.table,
        "\" must be lower-case letters, digits and '_', not starting with a "
        "digit"));
  }
  std::unique_ptr<PgBatchLog> log(new PgBatchLog(options));
  absl::MutexLock lock(&log->mu_);
  CRADLE_RETURN_IF_ERROR(
      log->Exec(absl::StrCat(
                    "CREATE TABLE IF NOT EXISTS ", options.table,
                    " (first_seq bigint PRIMARY KEY, last_seq bigint NOT NULL,"
                    " body bytea NOT NULL, CHECK (last_seq >= first_seq))"),
                {}, {})
          .status());
  return log;
}

absl::Status PgBatchLog::Connect() const {
  const std::string timeout = absl::StrCat(
      std::max<int64_t>(1, absl::ToInt64Seconds(options_.timeout)));
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), options_.conninfo.c_str(), nullptr};
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

void PgBatchLog::Drop() const {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

absl::StatusOr<PgBatchLog::Result> PgBatchLog::Exec(
    const std::string& sql, const std::vector<std::string>& params,
    const std::vector<unsigned>& types) const {
  if (conn_ == nullptr) CRADLE_RETURN_IF_ERROR(Connect());
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const std::string& p : params) {
    values.push_back(p.data());
    lengths.push_back(static_cast<int>(p.size()));
    formats.push_back(1);
  }
  sync_rep_cancelled_ = false;
  if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()),
                         types.data(), values.data(), lengths.data(),
                         formats.data(), /*resultFormat=*/1)) {
    absl::Status s = absl::UnavailableError(
        absl::StrCat("log query not sent: ", Message(PQerrorMessage(conn_))));
    Drop();
    return s;
  }
  const absl::Time deadline = absl::Now() + options_.timeout;
  Result result;
  for (;;) {
    while (PQisBusy(conn_)) {
      pollfd fd{PQsocket(conn_), POLLIN, 0};
      const int64_t wait = absl::ToInt64Milliseconds(deadline - absl::Now());
      if (wait <= 0 || poll(&fd, 1, static_cast<int>(wait)) == 0) {
        if (PGcancel* cancel = PQgetCancel(conn_)) {
          char ignored[256];
          PQcancel(cancel, ignored, sizeof ignored);
          PQfreeCancel(cancel);
        }
        Drop();
        return absl::UnavailableError(
            absl::StrCat("the log's database did not answer within ",
                         absl::FormatDuration(options_.timeout),
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
    if (next == nullptr) break;
    result.res.reset(next);
  }
  const ExecStatusType status = result.res == nullptr
                                    ? PGRES_FATAL_ERROR
                                    : PQresultStatus(result.res.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    if (!sync_rep_cancelled_) return result;
    Drop();
    return absl::UnavailableError(
        "the log's database committed without its synchronous standby; the "
        "write is not acknowledged");
  }
  const char* state =
      result.res ? PQresultErrorField(result.res.get(), PG_DIAG_SQLSTATE)
                 : nullptr;
  const std::string text = Message(
      result.res ? PQresultErrorMessage(result.res.get()) : "no result");
  if (state != nullptr && state == kUniqueViolation) {
    return absl::FailedPreconditionError(
        absl::StrCat("fenced: another writer holds that place (", text, ")"));
  }
  if (PQstatus(conn_) != CONNECTION_OK) Drop();
  return absl::UnavailableError(absl::StrCat("log statement failed: ", text));
}

absl::Status PgBatchLog::Append(const LogRecord& record) {
  absl::MutexLock lock(&mu_);
  CRADLE_ASSIGN_OR_RETURN(
      Result r, Exec(insert_sql_,
                     {Int8(record.first_sequence), Int8(record.last_sequence),
                      record.body},
                     {kInt8Oid, kInt8Oid, kByteaOid}));
  int inserted = 0;
  if (!absl::SimpleAtoi(PQcmdTuples(r.res.get()), &inserted) || inserted != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "fenced: a record of entries ", record.first_sequence, "..",
        record.last_sequence, " does not follow the log's last"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LogRecord>> PgBatchLog::ReadAfter(
    uint64_t after, size_t limit) const {
  absl::MutexLock lock(&mu_);
  CRADLE_ASSIGN_OR_RETURN(
      Result r,
      Exec(select_sql_, {Int8(after), Int8(limit)}, {kInt8Oid, kInt8Oid}));
  std::vector<LogRecord> out;
  const PGresult* res = r.res.get();
  for (int row = 0; row < PQntuples(res); ++row) {
    LogRecord rec;
    rec.first_sequence = GetInt8(res, row, 0);
    rec.last_sequence = GetInt8(res, row, 1);
    rec.body.assign(PQgetvalue(res, row, 2), PQgetlength(res, row, 2));
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace cradle::storage
