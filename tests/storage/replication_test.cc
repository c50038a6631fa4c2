// A cluster's ledgers over one log: the writer appends each group commit to
// the log before writing it, every other ledger applies the log's records,
// and the fence stops a second writer (storage/batch_log.h).

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "storage/batch_log.h"
#include "storage/entry_codec.h"
#include "storage/rocksdb_ledger.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::storage {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::SizeIs;

AppendRequest Request(std::string stream, uint64_t expected,
                      std::string payload, std::string key = "") {
  AppendRequest r;
  r.stream = std::move(stream);
  r.expected_version = expected;
  r.entries.push_back(NewEntry{"test.event", std::move(payload), "tester"});
  r.idempotency_key = std::move(key);
  return r;
}

// A log that stores a record and then reports a failure, as a commit whose
// answer is lost on the way back does.
class LosesAnswersLog final : public BatchLog {
 public:
  explicit LosesAnswersLog(BatchLog* log) : log_(log) {}
  absl::Status Append(const LogRecord& record) override {
    absl::Status s = log_->Append(record);
    if (!s.ok() || !lose_) return s;
    return absl::UnavailableError("connection to the log lost");
  }
  absl::StatusOr<std::vector<LogRecord>> ReadAfter(
      uint64_t after, size_t limit) const override {
    return log_->ReadAfter(after, limit);
  }
  absl::Status MarkDurable() override { return log_->MarkDurable(); }
  absl::StatusOr<uint64_t> Settle() override { return log_->Settle(); }
  absl::StatusOr<uint64_t> Prune(uint64_t through) override {
    return log_->Prune(through);
  }
  absl::Status PublishHead(const PublishedHead& head) override {
    return log_->PublishHead(head);
  }
  absl::StatusOr<PublishedHead> LatestHead() const override {
    return log_->LatestHead();
  }
  bool lose_ = true;

 private:
  BatchLog* log_;
};

class ReplicationTest : public ::testing::Test {
 protected:
  std::unique_ptr<RocksDbLedger> Node(const std::string& name,
                                      BatchLog* log = nullptr) {
    RocksDbLedger::Options options;
    options.clock = &clock_;
    options.log = log != nullptr ? log : &log_;
    absl::StatusOr<std::unique_ptr<RocksDbLedger>> opened =
        RocksDbLedger::Open(dir_.Sub(name), options);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? *std::move(opened) : nullptr;
  }

  // A writer appends entries 1 and 2, one record each; then `edit` rewrites
  // the second record in the log, as damage or an attacker would.
  void WriteTwoAndRewriteTheSecond(std::function<void(LogBatch*)> edit) {
    std::unique_ptr<RocksDbLedger> writer = Node("writer");
    ASSERT_TRUE(writer->BecomeWriter().ok());
    ASSERT_TRUE(writer->AppendAndWait(Request("s", 0, "one")).ok());
    ASSERT_TRUE(writer->AppendAndWait(Request("s", 1, "two")).ok());
    absl::StatusOr<std::vector<LogRecord>> records = log_.ReadAfter(1, 1);
    ASSERT_TRUE(records.ok() && records->size() == 1);
    absl::StatusOr<LogBatch> batch = DecodeLogBatch((*records)[0].body);
    ASSERT_TRUE(batch.ok());
    edit(&*batch);
    log_.ReplaceBody(2, EncodeLogBatch(*batch));
  }

  // Everything a ledger holds, as comparable text.
  static std::string Contents(const RocksDbLedger& l) {
    std::string out;
    absl::StatusOr<std::vector<Entry>> entries = l.Scan(1, 1 << 20);
    EXPECT_TRUE(entries.ok()) << entries.status();
    for (const Entry& e : *entries) {
      absl::StrAppend(&out, e.sequence, " ", e.stream, "@", e.stream_version,
                      " ", e.payload, " ", HexHash(e.hash), "\n");
    }
    for (const auto& [name, scan] :
         {std::make_pair("state", &RocksDbLedger::ScanState),
          std::make_pair("index", &RocksDbLedger::ScanIndex)}) {
      absl::StatusOr<std::vector<KeyValue>> kv = (l.*scan)("", "", 1 << 20);
      EXPECT_TRUE(kv.ok()) << kv.status();
      for (const KeyValue& e : *kv) {
        absl::StrAppend(&out, name, " ", e.key, "=", HexHash(e.value), "\n");
      }
    }
    absl::StrAppend(&out, "root ", HexHash(l.GetTreeHead().root), "\n");
    return out;
  }

  cradle::testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1795000000)};
  MemoryBatchLog log_;
};

TEST(LogBatchTest, RoundTripsAndRefusesDamage) {
  LogBatch b;
  b.first_sequence = 7;
  b.prev_hash = std::string(kHashBytes, 'p');
  b.recorded = absl::FromUnixMicros(1795000000123456);
  b.appends.push_back(
      LogBatch::Append{"m/1",
                       3,
                       "k",
                       {NewEntry{"t", "payload", "actor"}},
                       {std::string(kHashBytes, 'h')},
                       {Mutation::Put(Table::kState, "s", "v"),
                        Mutation::Delete(Table::kIndex, "i"),
                        Mutation::Add(Table::kIndex, "c", -5)}});
  const std::string bytes = EncodeLogBatch(b);

  absl::StatusOr<LogBatch> back = DecodeLogBatch(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(EncodeLogBatch(*back), bytes);
  EXPECT_EQ(back->last_sequence(), 7u);
  EXPECT_EQ(back->recorded, b.recorded);
  ASSERT_THAT(back->appends, SizeIs(1));
  EXPECT_EQ(back->appends[0].mutations[2].add, -5);
  EXPECT_FALSE(back->appends[0].mutations[1].value.has_value());

  EXPECT_THAT(DecodeLogBatch(bytes.substr(0, bytes.size() - 1)).status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("malformed")));
  EXPECT_THAT(DecodeLogBatch(bytes + "x").status(),
              StatusIs(absl::StatusCode::kDataLoss));
}

// A log batch as the first format wrote it (docs/ledger_format.md, "Log
// batches"). The log of record outlives this code: these bytes must decode
// to the same batch in every later version.
TEST(LogBatchTest, TheFirstFormatStillDecodes) {
  std::string frozen;
  ASSERT_TRUE(ParseHex(
      "4352423100000000000000077070707070707070707070707070707070707070"
      "7070707070707070707070700006608b0161124000000001000000036d2f3100"
      "00000000000003000000016b000000010000000174000000056163746f720000"
      "00077061796c6f61646868686868686868686868686868686868686868686868"
      "6868686868686868680000000300000000000173000000017601010000000169"
      "01020000000163fffffffffffffffb",
      175, &frozen));
  absl::StatusOr<LogBatch> b = DecodeLogBatch(frozen);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->first_sequence, 7u);
  EXPECT_EQ(b->prev_hash, std::string(kHashBytes, 'p'));
  EXPECT_EQ(absl::ToUnixMicros(b->recorded), 1795000000123456);
  ASSERT_THAT(b->appends, SizeIs(1));
  const LogBatch::Append& a = b->appends[0];
  EXPECT_EQ(a.stream, "m/1");
  EXPECT_EQ(a.first_version, 3u);
  EXPECT_EQ(a.idempotency_key, "k");
  ASSERT_THAT(a.entries, SizeIs(1));
  EXPECT_EQ(a.entries[0].type, "t");
  EXPECT_EQ(a.entries[0].actor, "actor");
  EXPECT_EQ(a.entries[0].payload, "payload");
  EXPECT_EQ(a.hashes[0], std::string(kHashBytes, 'h'));
  ASSERT_THAT(a.mutations, SizeIs(3));
  EXPECT_EQ(a.mutations[0].table, Table::kState);
  EXPECT_EQ(*a.mutations[0].value, "v");
  EXPECT_EQ(a.mutations[1].table, Table::kIndex);
  EXPECT_EQ(a.mutations[1].key, "i");
  EXPECT_FALSE(a.mutations[1].value.has_value());
  EXPECT_TRUE(a.mutations[2].counter);
  EXPECT_EQ(a.mutations[2].add, -5);
  EXPECT_EQ(EncodeLogBatch(*b), frozen);
}

TEST_F(ReplicationTest, AFollowerHoldsWhatTheWriterWrote) {
  std::unique_ptr<RocksDbLedger> writer = Node("writer");
  std::unique_ptr<RocksDbLedger> follower = Node("follower");
  ASSERT_TRUE(writer->BecomeWriter().ok());

  // Concurrent appends, so that groups hold several, with every kind of
  // mutation and idempotency keys.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        AppendRequest r =
            Request(absl::StrCat("s", t), i, "p", absl::StrCat("k", t, "/", i));
        r.mutations.push_back(Mutation::Put(
            Table::kState, absl::StrCat("state/", t), absl::StrCat(i)));
        r.mutations.push_back(
            Mutation::Put(Table::kIndex, absl::StrCat("i/", t, "/", i), ""));
        if (i > 0) {
          r.mutations.push_back(Mutation::Delete(
              Table::kIndex, absl::StrCat("i/", t, "/", i - 1)));
        }
        r.mutations.push_back(Mutation::Add(Table::kIndex, "count", t + 1));
        EXPECT_TRUE(writer->AppendAndWait(std::move(r)).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(writer->GetHead().sequence, 100u);

  absl::StatusOr<uint64_t> applied = follower->CatchUp();
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 100u);
  EXPECT_EQ(follower->GetHead().hash, writer->GetHead().hash);
  EXPECT_EQ(Contents(*follower), Contents(*writer));
  absl::StatusOr<absl::optional<AppendResult>> seen =
      follower->FindIdempotent("k2/7");
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_EQ((*seen)->stream_version, 8u);
  absl::StatusOr<VerifyReport> storage = follower->VerifyStorage();
  ASSERT_TRUE(storage.ok()) << storage.status();
  EXPECT_TRUE(storage->ok) << storage->problem;
  absl::StatusOr<VerifyReport> derived = follower->VerifyDerived(1, 100);
  ASSERT_TRUE(derived.ok());
  EXPECT_TRUE(derived->ok) << derived->problem;
  EXPECT_EQ(*follower->CatchUp(), 0u);
}

TEST_F(ReplicationTest, AFollowerRefusesAppends) {
  std::unique_ptr<RocksDbLedger> follower = Node("follower");
  EXPECT_FALSE(follower->IsWriter());
  EXPECT_THAT(
      follower->AppendAndWait(Request("s", 0, "p")).status(),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("not the writer")));
  EXPECT_EQ(log_.size(), 0u);
}

TEST_F(ReplicationTest, TheFenceStopsASecondWriter) {
  std::unique_ptr<RocksDbLedger> a = Node("a");
  std::unique_ptr<RocksDbLedger> b = Node("b");
  ASSERT_TRUE(a->BecomeWriter().ok());
  ASSERT_TRUE(b->BecomeWriter().ok());  // both think they write
  ASSERT_TRUE(a->AppendAndWait(Request("s", 0, "from a")).ok());

  EXPECT_THAT(b->AppendAndWait(Request("t", 0, "from b")).status(),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("another node wrote to the log first")));
  EXPECT_EQ(b->GetHead().sequence, 0u);  // nothing written here either
  EXPECT_FALSE(b->IsWriter());
  EXPECT_THAT(
      b->AppendAndWait(Request("t", 0, "again")).status(),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("not the writer")));

  // Caught up, b may write; then a is the stale one.
  ASSERT_TRUE(b->BecomeWriter().ok());
  EXPECT_EQ(b->GetHead().sequence, 1u);
  absl::StatusOr<AppendResult> won = b->AppendAndWait(Request("t", 0, "b"));
  ASSERT_TRUE(won.ok()) << won.status();
  EXPECT_EQ(won->first_sequence, 2u);
  EXPECT_THAT(a->AppendAndWait(Request("s", 1, "stale")).status(),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(a->GetHead().sequence, 1u);
  EXPECT_EQ(*a->CatchUp(), 1u);
  EXPECT_EQ(Contents(*a), Contents(*b));
}

TEST_F(ReplicationTest, AnUnconfirmedWriteIsAnsweredOnceFromTheLog) {
  LosesAnswersLog flaky(&log_);
  std::unique_ptr<RocksDbLedger> writer = Node("writer", &flaky);
  ASSERT_TRUE(writer->BecomeWriter().ok());
  EXPECT_THAT(
      writer->AppendAndWait(Request("s", 0, "p", "key")).status(),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("did not confirm")));
  EXPECT_EQ(writer->GetHead().sequence, 0u);
  EXPECT_FALSE(writer->IsWriter());

  // The log has it: catching up writes it here, and the client's retry with
  // the same key is answered from it instead of appending twice.
  flaky.lose_ = false;
  ASSERT_TRUE(writer->BecomeWriter().ok());
  EXPECT_EQ(writer->GetHead().sequence, 1u);
  absl::StatusOr<AppendResult> retry =
      writer->AppendAndWait(Request("s", 0, "p", "key"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->first_sequence, 1u);
  EXPECT_EQ(log_.size(), 1u);
}

// A follower applied record 3, and then the log's database lost it (a
// failover to a standby that never had it). Taking over, the follower finds
// the log ends before its ledger: it halts, saying how to mend it, instead
// of holding the writer's lock and being fenced for ever.
TEST_F(ReplicationTest, ANodeHoldingWhatTheLogLostHaltsInsteadOfWriting) {
  std::unique_ptr<RocksDbLedger> writer = Node("writer");
  ASSERT_TRUE(writer->BecomeWriter().ok());
  for (uint64_t v = 0; v < 3; ++v) {
    ASSERT_TRUE(writer->AppendAndWait(Request("s", v, "p")).ok());
  }
  std::unique_ptr<RocksDbLedger> follower = Node("follower");
  ASSERT_EQ(*follower->CatchUp(), 3u);
  log_.DropFrom(3);
  writer->StepDown("its database failed over");

  ASSERT_TRUE(follower->BecomeWriter().ok());  // the log holds nothing new
  EXPECT_THAT(follower->AppendAndWait(Request("t", 0, "next")).status(),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("holds entries 3..3 that the log does not")));
  EXPECT_FALSE(follower->IsWriter());
  EXPECT_THAT(follower->CatchUp().status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("--join-from")));
  EXPECT_FALSE(follower->BecomeWriter().ok());
  EXPECT_EQ(log_.size(), 2u);  // nothing appended after the loss
}

TEST_F(ReplicationTest, ADamagedRecordHaltsTheFollower) {
  WriteTwoAndRewriteTheSecond(
      [](LogBatch* b) { b->appends[0].entries[0].payload = "TWO"; });

  std::unique_ptr<RocksDbLedger> follower = Node("follower");
  EXPECT_THAT(follower->CatchUp().status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("entry 2 of stream s hashes to")));
  EXPECT_EQ(follower->GetHead().sequence, 1u);
  EXPECT_THAT(follower->CatchUp().status(),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(follower->BecomeWriter(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_FALSE(follower->IsWriter());
}

TEST_F(ReplicationTest, ARecordThatDoesNotFollowTheLedgerIsRefused) {
  WriteTwoAndRewriteTheSecond(
      [](LogBatch* b) { b->prev_hash = std::string(kHashBytes, 'x'); });

  std::unique_ptr<RocksDbLedger> follower = Node("follower");
  EXPECT_THAT(
      follower->CatchUp().status(),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("have diverged")));
  EXPECT_EQ(follower->GetHead().sequence, 1u);
}

TEST_F(ReplicationTest, ARestartedFollowerAppliesOnlyWhatItLacks) {
  std::unique_ptr<RocksDbLedger> writer = Node("writer");
  ASSERT_TRUE(writer->BecomeWriter().ok());
  ASSERT_TRUE(writer->AppendAndWait(Request("s", 0, "one")).ok());
  {
    std::unique_ptr<RocksDbLedger> follower = Node("follower");
    EXPECT_EQ(*follower->CatchUp(), 1u);
  }
  ASSERT_TRUE(writer->AppendAndWait(Request("s", 1, "two")).ok());
  ASSERT_TRUE(writer->AppendAndWait(Request("s", 2, "three")).ok());
  std::unique_ptr<RocksDbLedger> follower = Node("follower");
  EXPECT_EQ(*follower->CatchUp(), 2u);
  EXPECT_EQ(Contents(*follower), Contents(*writer));
}

TEST_F(ReplicationTest, ANodeJoinsFromACheckpointAndAppliesTheLogAfterIt) {
  std::unique_ptr<RocksDbLedger> writer = Node("writer");
  ASSERT_TRUE(writer->BecomeWriter().ok());
  ASSERT_TRUE(writer->AppendAndWait(Request("s", 0, "one")).ok());
  ASSERT_TRUE(writer->AppendAndWait(Request("s", 1, "two")).ok());
  std::unique_ptr<RocksDbLedger> follower = Node("follower");
  ASSERT_EQ(*follower->CatchUp(), 2u);
  // The checkpoint of a follower, then more writes, then the log pruned
  // through what the checkpoint holds.
  absl::StatusOr<Head> copied = follower->Checkpoint(dir_.Sub("copy"));
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(copied->sequence, 2u);
  EXPECT_EQ(copied->hash, writer->GetHead().hash);
  EXPECT_THAT(follower->Checkpoint(dir_.Sub("copy")),
              StatusIs(absl::StatusCode::kUnavailable));  // exists
  ASSERT_TRUE(writer->AppendAndWait(Request("s", 2, "three")).ok());
  ASSERT_TRUE(writer->AppendAndWait(Request("t", 0, "four")).ok());
  EXPECT_EQ(*log_.Prune(2), 2u);
  // The copy opens as a node, applies only the two entries after it, and
  // holds what the writer holds.
  std::unique_ptr<RocksDbLedger> joined = Node("copy");
  ASSERT_NE(joined, nullptr);
  EXPECT_EQ(*joined->CatchUp(), 2u);
  EXPECT_EQ(Contents(*joined), Contents(*writer));
  absl::StatusOr<VerifyReport> storage = joined->VerifyStorage();
  ASSERT_TRUE(storage.ok()) << storage.status();
  EXPECT_TRUE(storage->ok) << storage->problem;
}

TEST_F(ReplicationTest, ANodeBehindWhatWasPrunedIsToldToJoinAgain) {
  std::unique_ptr<RocksDbLedger> writer = Node("writer");
  ASSERT_TRUE(writer->BecomeWriter().ok());
  for (uint64_t v = 0; v < 3; ++v) {
    ASSERT_TRUE(writer->AppendAndWait(Request("s", v, "x")).ok());
  }
  // The last record stays whatever is asked: the fence reads it.
  EXPECT_EQ(*log_.Prune(100), 2u);
  EXPECT_EQ(log_.size(), 1u);
  std::unique_ptr<RocksDbLedger> late = Node("late");
  EXPECT_THAT(late->CatchUp(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("join again from a checkpoint")));
  // Not damage: the node is not halted, and it cannot become the writer.
  EXPECT_THAT(late->BecomeWriter(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(late->GetHead().sequence, 0u);
  // The writer still writes after the pruning: the fence holds.
  ASSERT_TRUE(writer->AppendAndWait(Request("s", 3, "y")).ok());
  EXPECT_EQ(log_.size(), 2u);
}

}  // namespace
}  // namespace cradle::storage
