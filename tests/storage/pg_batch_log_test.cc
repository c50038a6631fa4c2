// The cluster's log on a real PostgreSQL 15 server (label: cluster): the
// fence, reads in order, ledgers replicated through it, and a database
// killed with SIGKILL keeping what it acknowledged.

#include "storage/pg_batch_log.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "storage/pg_connection.h"
#include "storage/rocksdb_ledger.h"
#include "tests/testing/pg_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::storage {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::SizeIs;

LogRecord Record(uint64_t first, uint64_t last, std::string body = "b") {
  return LogRecord{first, last, std::move(body)};
}

class PgBatchLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<PgBatchLog> Log(std::string table = "cradle_log") {
    absl::StatusOr<std::unique_ptr<PgBatchLog>> log =
        PgBatchLog::Open(Options(std::move(table)));
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  PgLogOptions Options(std::string table = "cradle_log") {
    PgLogOptions options;
    options.conninfo = pg_.conninfo();
    options.table = std::move(table);
    options.timeout = absl::Seconds(5);
    return options;
  }
  std::unique_ptr<PgWriterLock> Lock(absl::Duration lease = absl::Seconds(3)) {
    PgLogOptions options = Options();
    options.lease = lease;
    absl::StatusOr<std::unique_ptr<PgWriterLock>> lock =
        PgWriterLock::Open(options);
    EXPECT_TRUE(lock.ok()) << lock.status();
    return lock.ok() ? *std::move(lock) : nullptr;
  }

  // Runs `sql` as the server's superuser; empty (and the test failed) when
  // it cannot.
  pg::Result Admin(absl::string_view sql) {
    if (admin_ == nullptr) {
      admin_ =
          std::make_unique<pg::Connection>(pg_.conninfo(), absl::Seconds(5));
    }
    absl::StatusOr<pg::Result> r = admin_->Exec(sql, {}, {});
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    return r.ok() ? *std::move(r) : pg::Result(nullptr, nullptr);
  }
  // From now on every commit waits for a synchronous standby that never
  // connects (`wait`), or for none.
  void WaitForAStandbyThatNeverConnects(bool wait) {
    Admin(wait ? "ALTER SYSTEM SET synchronous_standby_names = "
                 "'never_connects'"
               : "ALTER SYSTEM RESET synchronous_standby_names");
    Admin("SELECT pg_reload_conf()");
  }
  // A log whose statements give up after a second.
  std::unique_ptr<PgBatchLog> ImpatientLog() {
    PgLogOptions impatient = Options();
    impatient.timeout = absl::Seconds(1);
    absl::StatusOr<std::unique_ptr<PgBatchLog>> log =
        PgBatchLog::Open(impatient);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  cradle::testing::PgServer pg_;
  std::unique_ptr<pg::Connection> admin_;
};

TEST_F(PgBatchLogTest, ReadsBackWhatItAppendedInOrder) {
  std::unique_ptr<PgBatchLog> log = Log();
  ASSERT_TRUE(log->Append(Record(1, 3, std::string("\0\x01\xff", 3))).ok());
  ASSERT_TRUE(log->Append(Record(4, 4)).ok());
  ASSERT_TRUE(log->Append(Record(5, 9)).ok());
  // Each append marked those before it durable; the last is marked apart.
  EXPECT_THAT(*log->ReadAfter(0, 10), SizeIs(2));
  ASSERT_TRUE(log->MarkDurable().ok());

  absl::StatusOr<std::vector<LogRecord>> all = log->ReadAfter(0, 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_THAT(*all, SizeIs(3));
  EXPECT_EQ((*all)[0].body, std::string("\0\x01\xff", 3));
  EXPECT_EQ((*all)[2].first_sequence, 5u);
  EXPECT_EQ((*all)[2].last_sequence, 9u);
  absl::StatusOr<std::vector<LogRecord>> page = log->ReadAfter(3, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_THAT(*page, SizeIs(1));
  EXPECT_EQ((*page)[0].first_sequence, 4u);
}

// A follower that forwarded a write hears from the writer the entry it was
// written at: the writer answers only once the log holds it durably, so
// the follower reads the record that holds it without waiting for the mark.
TEST_F(PgBatchLogTest, AReaderToldByTheWriterReadsWhatItAnsweredBeforeTheMark) {
  std::unique_ptr<PgBatchLog> writer = Log();
  std::unique_ptr<PgBatchLog> reader = Log();
  ASSERT_TRUE(writer->Append(Record(1, 3)).ok());
  ASSERT_TRUE(writer->Append(Record(4, 9)).ok());
  EXPECT_THAT(*reader->ReadAfter(0, 10), SizeIs(1));  // the mark: entry 3
  reader->LearnDurable(5);  // an answer at entry 5, inside the second
  absl::StatusOr<std::vector<LogRecord>> read = reader->ReadAfter(0, 10);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_THAT(*read, SizeIs(2));
  EXPECT_EQ((*read)[1].last_sequence, 9u);
  reader->LearnDurable(2);  // an older answer teaches nothing
  EXPECT_THAT(*reader->ReadAfter(0, 10), SizeIs(2));
}

TEST_F(PgBatchLogTest, TheFenceRefusesARecordThatDoesNotFollow) {
  std::unique_ptr<PgBatchLog> log = Log();
  EXPECT_THAT(
      log->Append(Record(2, 2)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("fenced")));
  ASSERT_TRUE(log->Append(Record(1, 5)).ok());
  EXPECT_THAT(log->Append(Record(1, 5)),
              StatusIs(absl::StatusCode::kFailedPrecondition));  // again
  EXPECT_THAT(log->Append(Record(5, 6)),
              StatusIs(absl::StatusCode::kFailedPrecondition));  // overlaps
  EXPECT_THAT(log->Append(Record(7, 7)),
              StatusIs(absl::StatusCode::kFailedPrecondition));  // a gap
  ASSERT_TRUE(log->MarkDurable().ok());
  EXPECT_THAT(*log->ReadAfter(0, 10), SizeIs(1));
}

TEST_F(PgBatchLogTest, PruningKeepsTheLastRecordAndTheFence) {
  std::unique_ptr<PgBatchLog> log = Log();
  ASSERT_TRUE(log->Append(Record(1, 3)).ok());
  ASSERT_TRUE(log->Append(Record(4, 4)).ok());
  ASSERT_TRUE(log->Append(Record(5, 9)).ok());
  ASSERT_TRUE(log->MarkDurable().ok());
  EXPECT_EQ(*log->Prune(3), 1u);  // 1..3 goes; 4 ends after it
  EXPECT_EQ((*log->ReadAfter(0, 10))[0].first_sequence, 4u);
  EXPECT_EQ(*log->Prune(1000), 1u);  // 4 goes, 5..9 stays: the last
  ASSERT_THAT(*log->ReadAfter(0, 10), SizeIs(1));
  // The fence still knows where the log ends.
  EXPECT_THAT(log->Append(Record(1, 1)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(log->Append(Record(10, 10)).ok());
}

// Writers on their own connections, released together, all claiming the
// next place: exactly one wins each round (the study's race, §4c).
TEST_F(PgBatchLogTest, OfWritersRacingForOnePlaceExactlyOneWins) {
  constexpr int kWriters = 4, kRounds = 50;
  std::vector<std::unique_ptr<PgBatchLog>> logs;
  for (int i = 0; i < kWriters; ++i) logs.push_back(Log());
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> ready{0}, won{0}, fenced{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kWriters; ++i) {
      threads.emplace_back([&, i] {
        ++ready;
        while (ready.load() < kWriters) {
        }
        absl::Status s = logs[i]->Append(
            Record(round + 1, round + 1, absl::StrCat("writer ", i)));
        if (s.ok()) ++won;
        if (absl::IsFailedPrecondition(s)) ++fenced;
      });
    }
    for (std::thread& t : threads) t.join();
    ASSERT_EQ(won.load(), 1) << "round " << round;
    ASSERT_EQ(fenced.load(), kWriters - 1) << "round " << round;
  }
  // Settling marks the last winner's record too.
  EXPECT_EQ(*logs[0]->Settle(), static_cast<uint64_t>(kRounds));
  EXPECT_THAT(*logs[0]->ReadAfter(0, 1000), SizeIs(kRounds));
}

TEST_F(PgBatchLogTest, LedgersReplicateThroughIt) {
  std::unique_ptr<PgBatchLog> writer_log = Log();
  std::unique_ptr<PgBatchLog> follower_log = Log();
  cradle::testing::TempDir dir;
  RocksDbLedger::Options options;
  options.log = writer_log.get();
  auto writer = RocksDbLedger::Open(dir.Sub("w"), options);
  options.log = follower_log.get();
  auto follower = RocksDbLedger::Open(dir.Sub("f"), options);
  ASSERT_TRUE(writer.ok() && follower.ok());
  ASSERT_TRUE((*writer)->BecomeWriter().ok());
  for (int i = 0; i < 20; ++i) {
    AppendRequest r;
    r.stream = "s";
    r.expected_version = i;
    r.entries.push_back(NewEntry{"t", absl::StrCat("p", i), "a"});
    r.mutations.push_back(Mutation::Add(Table::kIndex, "n", 1));
    ASSERT_TRUE((*writer)->AppendAndWait(std::move(r)).ok());
  }
  // The writer marks its last record durable once it has nothing more to
  // append, just after answering: the follower polls, as a node does.
  uint64_t applied = 0;
  for (int tries = 0; tries < 100 && applied < 20; ++tries) {
    absl::StatusOr<uint64_t> more = (*follower)->CatchUp();
    ASSERT_TRUE(more.ok()) << more.status();
    applied += *more;
    if (applied < 20) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(applied, 20u);
  EXPECT_EQ((*follower)->GetTreeHead().root, (*writer)->GetTreeHead().root);
  EXPECT_EQ(DecodeCounter(*(*follower)->GetIndex("n")), 20);
}

TEST_F(PgBatchLogTest, AKilledDatabaseKeepsWhatItAcknowledged) {
  std::unique_ptr<PgBatchLog> log = Log();
  for (uint64_t i = 1; i <= 10; ++i) {
    ASSERT_TRUE(log->Append(Record(i, i, absl::StrCat(i))).ok());
  }
  pg_.Kill();
  EXPECT_THAT(log->Append(Record(11, 11)),
              StatusIs(absl::StatusCode::kUnavailable));
  pg_.Start();
  // The same object reconnects; the fence still holds after recovery. A
  // writer settles first, as one taking over does.
  EXPECT_EQ(*log->Settle(), 10u);
  absl::StatusOr<std::vector<LogRecord>> all = log->ReadAfter(0, 100);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_THAT(*all, SizeIs(10));
  EXPECT_EQ((*all)[9].body, "10");
  EXPECT_TRUE(log->Append(Record(11, 11)).ok());
}

// A commit waiting for its synchronous standby is already committed on the
// primary; cancelling that wait makes it visible to every reader at once
// (PostgreSQL says so only in a WARNING). Followers would apply it, and a
// client retrying with its idempotency key would be acknowledged from it,
// while only the primary has it: the failover that follows loses an
// acknowledged write. So an append that times out leaves its commit waiting:
// the record stays invisible until a standby has it.
TEST_F(PgBatchLogTest,
       AnAppendTimedOutAwaitingItsStandbyStaysUnseenUntilOneHasIt) {
  std::unique_ptr<PgBatchLog> log = Log();
  ASSERT_TRUE(log->Append(Record(1, 1, "1")).ok());
  ASSERT_TRUE(log->MarkDurable().ok());
  WaitForAStandbyThatNeverConnects(true);
  std::unique_ptr<PgBatchLog> writer = ImpatientLog();
  ASSERT_NE(writer, nullptr);
  EXPECT_THAT(writer->Append(Record(2, 2, "2")),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("whether the statement took effect")));
  absl::SleepFor(absl::Seconds(1));  // a cancel, had one been sent, landed
  absl::StatusOr<std::vector<LogRecord>> seen = log->ReadAfter(0, 10);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_THAT(*seen, SizeIs(1)) << "a record no standby has was read";
  // The standby comes (here: none is required any more): the waiting
  // commit completes, and the next writer's settling marks it durable.
  WaitForAStandbyThatNeverConnects(false);
  absl::StatusOr<uint64_t> last = log->Settle();
  for (int tries = 0; tries < 100 && last.ok() && *last < 2; ++tries) {
    absl::SleepFor(absl::Milliseconds(100));
    last = log->Settle();
  }
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 2u);
  seen = log->ReadAfter(0, 10);
  ASSERT_TRUE(seen.ok()) << seen.status();
  ASSERT_THAT(*seen, SizeIs(2));
  EXPECT_EQ((*seen)[1].body, "2");
}

// The same commit, its backend then ended (as Patroni's demotion, an
// operator's pg_terminate_backend or a dying primary end it): PostgreSQL
// makes it visible in the table at once, though no standby has it. Readers
// do not apply it; a writer taking over settles it durable once a standby
// is back, and only then is it read.
TEST_F(PgBatchLogTest, ACommitSeenWithoutItsStandbyIsNotReadUntilSettled) {
  std::unique_ptr<PgBatchLog> log = Log();
  ASSERT_TRUE(log->Append(Record(1, 1, "1")).ok());
  ASSERT_TRUE(log->MarkDurable().ok());
  WaitForAStandbyThatNeverConnects(true);
  std::unique_ptr<PgBatchLog> writer = ImpatientLog();
  ASSERT_NE(writer, nullptr);
  EXPECT_THAT(writer->Append(Record(2, 2, "2")),
              StatusIs(absl::StatusCode::kUnavailable));
  pg::Result ended = Admin(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
      "wait_event = 'SyncRep'");
  ASSERT_NE(ended, nullptr);
  EXPECT_EQ(pg::GetInt8(ended.get(), 0, 0), 1u);
  pg::Result in_table(nullptr, nullptr);
  for (int tries = 0; tries < 50; ++tries) {
    in_table = Admin("SELECT count(*) FROM cradle_log");
    if (in_table && pg::GetInt8(in_table.get(), 0, 0) == 2) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_NE(in_table, nullptr);
  EXPECT_EQ(pg::GetInt8(in_table.get(), 0, 0), 2u)
      << "the ended commit is not in the table: nothing was tried";
  EXPECT_THAT(*log->ReadAfter(0, 10), SizeIs(1));
  // No standby: settling waits for one and cannot say.
  EXPECT_THAT(writer->Settle(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(*log->ReadAfter(0, 10), SizeIs(1));
  WaitForAStandbyThatNeverConnects(false);
  absl::StatusOr<uint64_t> last = log->Settle();
  for (int tries = 0; tries < 100 && !last.ok(); ++tries) {
    absl::SleepFor(absl::Milliseconds(100));
    last = log->Settle();
  }
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, 2u);
  EXPECT_THAT(*log->ReadAfter(0, 10), SizeIs(2));
}

TEST_F(PgBatchLogTest, ABadTableOrAnUnreachableDatabaseIsNamed) {
  PgLogOptions options = Options("log; drop table x");
  EXPECT_THAT(
      PgBatchLog::Open(options).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("log table")));
  options.table = "cradle_log";
  options.conninfo = "host=/nonexistent port=1 user=cradle";
  EXPECT_THAT(PgBatchLog::Open(options).status(),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("cannot reach the log's database")));
}

// Nodes of a new cluster start together and all create the log's tables,
// which PostgreSQL lets race on its catalog.
TEST_F(PgBatchLogTest, NodesStartingTogetherAllOpenTheLog) {
  for (int round = 0; round < 5; ++round) {
    const std::string table = absl::StrCat("log_", round);
    std::vector<std::thread> nodes;
    std::atomic<int> opened{0};
    std::vector<std::string> errors(8);
    for (int i = 0; i < 8; ++i) {
      nodes.emplace_back([&, i] {
        auto log = PgBatchLog::Open(Options(table));
        auto lock = PgWriterLock::Open(Options(table));
        if (log.ok() && lock.ok()) {
          ++opened;
        } else {
          errors[i] = absl::StrCat(log.status().ToString(), " / ",
                                   lock.status().ToString());
        }
      });
    }
    for (std::thread& t : nodes) t.join();
    EXPECT_EQ(opened.load(), 8) << absl::StrJoin(errors, "");
  }
}

TEST_F(PgBatchLogTest, OneNodeAtATimeHoldsTheWritersLock) {
  std::unique_ptr<PgWriterLock> a = Lock();
  std::unique_ptr<PgWriterLock> b = Lock();
  EXPECT_EQ(*a->Writer(), "");
  EXPECT_TRUE(*a->TryAcquire("node-a:1"));
  EXPECT_FALSE(*b->TryAcquire("node-b:1"));
  EXPECT_TRUE(*a->TryAcquire("node-a:1"));  // held already
  EXPECT_EQ(*b->Writer(), "node-a:1");
  EXPECT_TRUE(a->StillHeld());
  EXPECT_FALSE(b->StillHeld());

  a->Release();
  EXPECT_FALSE(a->StillHeld());
  EXPECT_TRUE(*b->TryAcquire("node-b:1"));
  EXPECT_EQ(*a->Writer(), "node-b:1");
  EXPECT_FALSE(*a->TryAcquire("node-a:1"));
}

TEST_F(PgBatchLogTest, TheLockIsLostWithTheDatabase) {
  std::unique_ptr<PgWriterLock> a = Lock();
  ASSERT_TRUE(*a->TryAcquire("node-a:1"));
  pg_.Kill();
  pg_.Start();
  EXPECT_FALSE(a->StillHeld());
  // Taken again on the restarted database, by whoever asks first.
  std::unique_ptr<PgWriterLock> b = Lock();
  EXPECT_TRUE(*b->TryAcquire("node-b:1"));
  EXPECT_FALSE(*a->TryAcquire("node-a:1"));
}

// A holder that stops renewing (frozen, or cut off by a partition, its
// session still open) loses the lock once its lease lapses: the next node
// to try ends its session and takes the lock. A holder that renews keeps
// it however long it holds it.
TEST_F(PgBatchLogTest, AHolderWhoseLeaseLapsedLosesTheLock) {
  std::unique_ptr<PgWriterLock> a = Lock(absl::Milliseconds(500));
  std::unique_ptr<PgWriterLock> b = Lock(absl::Milliseconds(500));
  ASSERT_TRUE(*a->TryAcquire("node-a:1"));
  for (int i = 0; i < 8; ++i) {  // 1.2 s of renewals
    absl::SleepFor(absl::Milliseconds(150));
    ASSERT_TRUE(a->StillHeld());
    ASSERT_FALSE(*b->TryAcquire("node-b:1"));
  }
  absl::SleepFor(absl::Milliseconds(700));  // a stops renewing
  bool taken = false;
  for (int i = 0; i < 40 && !taken; ++i) {
    absl::StatusOr<bool> t = b->TryAcquire("node-b:1");
    ASSERT_TRUE(t.ok()) << t.status();
    taken = *t;
    if (!taken) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(taken);
  EXPECT_EQ(*a->Writer(), "node-b:1");
  EXPECT_FALSE(a->StillHeld());  // its session was ended
  EXPECT_FALSE(*a->TryAcquire("node-a:1"));
  EXPECT_TRUE(b->StillHeld());
}

}  // namespace
}  // namespace cradle::storage
