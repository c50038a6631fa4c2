#include "storage/pg_batch_log.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "base/status_macros.h"

namespace cradle::storage {

bool PgBatchLog::ValidTable(absl::string_view name) {
  if (name.empty() || name.size() > 50 || absl::ascii_isdigit(name[0])) {
    return false;
  }
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return false;
    }
  }
  return true;
}

namespace {

absl::Status CheckTable(const PgLogOptions& options) {
  if (PgBatchLog::ValidTable(options.table)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "log table \"", options.table,
      "\" must be 1..50 lower-case letters, digits and '_', not starting "
      "with a digit"));
}

// Advisory locks of Cradle: (this class, the table's hash) for the writer;
// (this class, 0) while a node creates tables.
constexpr absl::string_view kLockClass = "2026";

// Runs a CREATE ... IF NOT EXISTS under an advisory lock: nodes starting
// together would race to create the same table, and PostgreSQL lets the
// losers fail on its catalog ("already exists", a unique violation).
absl::Status Create(pg::Connection& connection, const std::string& sql) {
  CRADLE_RETURN_IF_ERROR(
      connection
          .Exec(absl::StrCat("SELECT pg_advisory_lock(", kLockClass, ", 0)"),
                {}, {})
          .status());
  absl::Status created = connection.Exec(sql, {}, {}).status();
  absl::Status unlocked =
      connection
          .Exec(absl::StrCat("SELECT pg_advisory_unlock(", kLockClass, ", 0)"),
                {}, {})
          .status();
  return created.ok() ? unlocked : created;
}

}  // namespace

PgBatchLog::PgBatchLog(const PgLogOptions& options)
    : append_(options.conninfo, options.timeout),
      read_(options.conninfo, options.timeout) {
  const std::string durable = absl::StrCat(options.table, "_durable");
  const std::string last =
      absl::StrCat("COALESCE((SELECT last_seq FROM ", options.table,
                   " ORDER BY first_seq DESC LIMIT 1), 0)");
  // The mark rises with each append to what the appends before it made
  // durable ($4).
  insert_sql_ = absl::StrCat(
      "WITH mark AS (UPDATE ", durable, " SET through = $4 WHERE through < $4)",
      " INSERT INTO ", options.table,
      " (first_seq, last_seq, body) SELECT $1, $2, $3 WHERE $1 = 1 + ", last);
  // Records are contiguous, so one that starts at or before the mark (or
  // what a reader learned, $3) also ends at or before it, or holds it.
  select_sql_ = absl::StrCat(
      "SELECT first_seq, last_seq, body FROM ", options.table,
      " WHERE first_seq > $1 AND first_seq <= GREATEST((SELECT through FROM ",
      durable, "), $3) ORDER BY first_seq LIMIT $2");
  mark_sql_ =
      absl::StrCat("UPDATE ", durable, " SET through = $1 WHERE through < $1");
  // The update always writes, so the commit waits for the standby: every
  // record the statement saw is durable once it returns.
  settle_sql_ = absl::StrCat("WITH barrier AS (UPDATE ", durable,
                             " SET through = through) SELECT ", last);
  // The last record stays: the fence reads it.
  prune_sql_ = absl::StrCat("DELETE FROM ", options.table,
                            " WHERE last_seq <= $1 AND first_seq < (SELECT "
                            "max(first_seq) FROM ",
                            options.table, ")");
  publish_sql_ = absl::StrCat("INSERT INTO ", options.table,
                              "_heads VALUES ($1, $2, $3, $4) ON CONFLICT "
                              "(tree_size) DO NOTHING");
  latest_head_sql_ =
      absl::StrCat("SELECT tree_size, micros, root, signature FROM ",
                   options.table, "_heads ORDER BY tree_size DESC LIMIT 1");
}

absl::StatusOr<std::unique_ptr<PgBatchLog>> PgBatchLog::Open(
    const PgLogOptions& options) {
  CRADLE_RETURN_IF_ERROR(CheckTable(options));
  std::unique_ptr<PgBatchLog> log(new PgBatchLog(options));
  absl::MutexLock lock(&log->append_mu_);
  CRADLE_RETURN_IF_ERROR(
      Create(log->append_,
             absl::StrCat("CREATE TABLE IF NOT EXISTS ", options.table,
                          " (first_seq bigint PRIMARY KEY, last_seq bigint "
                          "NOT NULL, body bytea NOT NULL, "
                          "CHECK (last_seq >= first_seq))")));
  // One row; written only when missing, so that opening commits nothing
  // (a commit would wait for a standby).
  CRADLE_RETURN_IF_ERROR(
      Create(log->append_,
             absl::StrCat("CREATE TABLE IF NOT EXISTS ", options.table,
                          "_durable (one boolean PRIMARY KEY DEFAULT true "
                          "CHECK (one), through bigint NOT NULL)")));
  CRADLE_RETURN_IF_ERROR(
      Create(log->append_,
             absl::StrCat("INSERT INTO ", options.table, "_durable (through) ",
                          "SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM ",
                          options.table, "_durable)")));
  CRADLE_RETURN_IF_ERROR(
      Create(log->append_,
             absl::StrCat("CREATE TABLE IF NOT EXISTS ", options.table,
                          "_heads (tree_size bigint PRIMARY KEY, micros "
                          "bigint NOT NULL, root bytea NOT NULL, signature "
                          "bytea NOT NULL)")));
  return log;
}

absl::Status PgBatchLog::Append(const LogRecord& record) {
  absl::MutexLock lock(&append_mu_);
  const uint64_t mark = durable_;
  absl::StatusOr<pg::Result> r = append_.Exec(
      insert_sql_,
      {pg::Int8(record.first_sequence), pg::Int8(record.last_sequence),
       record.body, pg::Int8(mark)},
      {pg::kInt8Oid, pg::kInt8Oid, pg::kByteaOid, pg::kInt8Oid});
  if (absl::IsFailedPrecondition(r.status())) {  // the primary key
    return absl::FailedPreconditionError(
        absl::StrCat("fenced: another writer took entry ",
                     record.first_sequence, " (", r.status().message(), ")"));
  }
  if (!r.ok()) return r.status();
  if (pg::Affected(r->get()) != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "fenced: a record of entries ", record.first_sequence, "..",
        record.last_sequence, " does not follow the log's last"));
  }
  // Returned without a notice: the standby has it, and all before it.
  durable_ = record.last_sequence;
  marked_ = std::max(marked_, mark);
  return absl::OkStatus();
}

absl::Status PgBatchLog::PublishMark() {
  if (marked_ >= durable_) return absl::OkStatus();
  CRADLE_RETURN_IF_ERROR(
      append_.Exec(mark_sql_, {pg::Int8(durable_)}, {pg::kInt8Oid}).status());
  marked_ = durable_;
  return absl::OkStatus();
}

absl::Status PgBatchLog::MarkDurable() {
  absl::MutexLock lock(&append_mu_);
  return PublishMark();
}

absl::StatusOr<uint64_t> PgBatchLog::Settle() {
  absl::MutexLock lock(&append_mu_);
  CRADLE_ASSIGN_OR_RETURN(pg::Result r, append_.Exec(settle_sql_, {}, {}));
  if (pg::Rows(r.get()) != 1) {
    return absl::UnavailableError("settling the log returned no row");
  }
  const uint64_t last = pg::GetInt8(r.get(), 0, 0);
  durable_ = std::max(durable_, last);
  CRADLE_RETURN_IF_ERROR(PublishMark());
  return last;
}

void PgBatchLog::LearnDurable(uint64_t through) {
  uint64_t known = learned_.load();
  while (known < through && !learned_.compare_exchange_weak(known, through)) {
  }
}

absl::StatusOr<std::vector<LogRecord>> PgBatchLog::ReadAfter(
    uint64_t after, size_t limit) const {
  absl::MutexLock lock(&read_mu_);
  CRADLE_ASSIGN_OR_RETURN(
      pg::Result r,
      read_.Exec(select_sql_,
                 {pg::Int8(after), pg::Int8(limit), pg::Int8(learned_.load())},
                 {pg::kInt8Oid, pg::kInt8Oid, pg::kInt8Oid}));
  std::vector<LogRecord> out;
  for (int row = 0; row < pg::Rows(r.get()); ++row) {
    out.push_back(LogRecord{pg::GetInt8(r.get(), row, 0),
                            pg::GetInt8(r.get(), row, 1),
                            pg::GetBytes(r.get(), row, 2)});
  }
  return out;
}

absl::StatusOr<uint64_t> PgBatchLog::Prune(uint64_t through) {
  absl::MutexLock lock(&append_mu_);
  CRADLE_ASSIGN_OR_RETURN(
      pg::Result r,
      append_.Exec(prune_sql_, {pg::Int8(through)}, {pg::kInt8Oid}));
  return static_cast<uint64_t>(pg::Affected(r.get()));
}

absl::Status PgBatchLog::PublishHead(const PublishedHead& head) {
  absl::MutexLock lock(&append_mu_);
  return append_
      .Exec(
          publish_sql_,
          {pg::Int8(head.tree_size),
           pg::Int8(static_cast<uint64_t>(absl::ToUnixMicros(head.timestamp))),
           head.root, head.signature},
          {pg::kInt8Oid, pg::kInt8Oid, pg::kByteaOid, pg::kByteaOid})
      .status();
}

absl::StatusOr<PublishedHead> PgBatchLog::LatestHead() const {
  absl::MutexLock lock(&read_mu_);
  CRADLE_ASSIGN_OR_RETURN(pg::Result r, read_.Exec(latest_head_sql_, {}, {}));
  PublishedHead head;
  if (pg::Rows(r.get()) == 0) return head;
  head.tree_size = pg::GetInt8(r.get(), 0, 0);
  head.timestamp =
      absl::FromUnixMicros(static_cast<int64_t>(pg::GetInt8(r.get(), 0, 1)));
  head.root = pg::GetBytes(r.get(), 0, 2);
  head.signature = pg::GetBytes(r.get(), 0, 3);
  return head;
}

PgWriterLock::PgWriterLock(const PgLogOptions& options)
    : table_(options.table),
      lease_(options.lease),
      session_(options.conninfo, options.timeout),
      reads_(options.conninfo, options.timeout) {}

absl::StatusOr<std::unique_ptr<PgWriterLock>> PgWriterLock::Open(
    const PgLogOptions& options) {
  CRADLE_RETURN_IF_ERROR(CheckTable(options));
  std::unique_ptr<PgWriterLock> lock(new PgWriterLock(options));
  absl::MutexLock l(&lock->mu_);
  CRADLE_RETURN_IF_ERROR(
      Create(lock->reads_,
             absl::StrCat("CREATE TABLE IF NOT EXISTS ", options.table,
                          "_writer (id int PRIMARY KEY, address text NOT "
                          "NULL, since timestamptz NOT NULL)")));
  // The lease: the holder's backend and when it last renewed (tables made
  // before it have the columns added).
  CRADLE_RETURN_IF_ERROR(
      Create(lock->reads_,
             absl::StrCat("ALTER TABLE ", options.table,
                          "_writer ADD COLUMN IF NOT EXISTS pid int, ADD "
                          "COLUMN IF NOT EXISTS renewed timestamptz")));
  return lock;
}

absl::StatusOr<bool> PgWriterLock::TryAcquire(absl::string_view address) {
  absl::MutexLock lock(&mu_);
  if (held_ && session_.connected()) return true;
  held_ = false;
  CRADLE_ASSIGN_OR_RETURN(
      pg::Result r,
      session_.Exec(absl::StrCat("SELECT pg_try_advisory_lock(", kLockClass,
                                 ", hashtext($1))::text"),
                    {table_}, {pg::kTextOid}));
  if (pg::Rows(r.get()) != 1 || pg::GetBytes(r.get(), 0, 0) != "true") {
    EndLapsedHolder();
    return false;
  }
  CRADLE_RETURN_IF_ERROR(
      session_
          .Exec(absl::StrCat("INSERT INTO ", table_,
                             "_writer (id, address, since, pid, renewed) "
                             "VALUES (1, $1, now(), pg_backend_pid(), now()) "
                             "ON CONFLICT (id) DO UPDATE SET address = $1, "
                             "since = now(), pid = pg_backend_pid(), "
                             "renewed = now()"),
                {std::string(address)}, {pg::kTextOid})
          .status());
  held_ = true;
  return true;
}

void PgWriterLock::EndLapsedHolder() {
  // The holder's backend, if it still holds the lock and has not renewed
  // within the lease. hashtext() is an int4; pg_locks shows the key as an
  // oid, which the cast wraps to.
  absl::StatusOr<pg::Result> ended = session_.Exec(
      absl::StrCat(
          "SELECT pg_terminate_backend(w.pid) FROM ", table_,
          "_writer w WHERE w.id = 1 AND w.renewed < now() - make_interval("
          "secs => $2::float8) AND EXISTS (SELECT 1 FROM pg_locks l WHERE "
          "l.locktype = 'advisory' AND l.classid = ",
          kLockClass,
          " AND l.objid = hashtext($1)::oid AND l.pid = w.pid AND "
          "l.granted)"),
      {table_, absl::StrCat(absl::ToDoubleSeconds(lease_))},
      {pg::kTextOid, pg::kTextOid});
  if (ended.ok() && pg::Rows(ended->get()) == 1) {
    std::fprintf(stderr,
                 "cradled: cluster: the writer's lease lapsed (no renewal in "
                 "%s): its database session was ended\n",
                 absl::FormatDuration(lease_).c_str());
  }
}

bool PgWriterLock::StillHeld() {
  absl::MutexLock lock(&mu_);
  if (!held_) return false;
  // Renews the lease; a session that was ended (its lease lapsed) or lost
  // no longer holds the lock.
  absl::StatusOr<pg::Result> renewed = session_.Exec(
      absl::StrCat("UPDATE ", table_,
                   "_writer SET renewed = now() WHERE id = 1 AND pid = "
                   "pg_backend_pid()"),
      {}, {});
  held_ = renewed.ok() && pg::Affected(renewed->get()) == 1;
  if (!held_) session_.Drop();
  return held_;
}

void PgWriterLock::Release() {
  absl::MutexLock lock(&mu_);
  // Unlocked before the session ends: a closed connection lets the lock go
  // only once its backend has noticed, and the next writer should not wait
  // for that.
  if (held_ && session_.connected()) {
    session_
        .Exec(absl::StrCat("SELECT pg_advisory_unlock(", kLockClass,
                           ", hashtext($1))"),
              {table_}, {pg::kTextOid})
        .IgnoreError();
  }
  session_.Drop();
  held_ = false;
}

absl::StatusOr<std::string> PgWriterLock::Writer() {
  absl::MutexLock lock(&mu_);
  CRADLE_ASSIGN_OR_RETURN(
      pg::Result r, reads_.Exec(absl::StrCat("SELECT address FROM ", table_,
                                             "_writer WHERE id = 1"),
                                {}, {}));
  if (pg::Rows(r.get()) != 1) return std::string();
  return pg::GetBytes(r.get(), 0, 0);
}

}  // namespace cradle::storage
