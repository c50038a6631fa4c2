#include "storage/rocksdb_ledger.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "storage/entry_codec.h"
#include "storage/merkle.h"
#include "tests/storage/faulty_file_system.h"
#include "tests/storage/raw_db.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::storage {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

AppendRequest OneEntry(std::string stream, uint64_t expected,
                       std::string payload = "payload") {
  AppendRequest r;
  r.stream = std::move(stream);
  r.expected_version = expected;
  r.entries.push_back(NewEntry{"test.event", std::move(payload), "tester"});
  return r;
}

class RocksDbLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(RocksDbLedger::Options options = {}) {
    ledger_.reset();
    if (options.clock == nullptr) options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<RocksDbLedger>> opened =
        RocksDbLedger::Open(dir_.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
  }

  // Rewrites entry `sequence` through a raw RocksDB handle, as an attacker
  // with access to the files would.
  void TamperWithEntry(uint64_t sequence) {
    ledger_.reset();
    cradle::testing::RawDb db(dir_.path());
    std::string value = db.Get("entries", EncodeSequenceKey(sequence));
    // The payload sits just before the two hashes: flip its last byte.
    value[value.size() - 2 * kHashBytes - 1] ^= 0x01;
    db.Put("entries", EncodeSequenceKey(sequence), value);
  }

  cradle::testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1795000000)};
  std::unique_ptr<RocksDbLedger> ledger_;
};

TEST_F(RocksDbLedgerTest, EmptyLedgerHasZeroHead) {
  Head head = ledger_->GetHead();
  EXPECT_EQ(head.sequence, 0u);
  EXPECT_EQ(head.hash, ZeroHash());
}

TEST_F(RocksDbLedgerTest, AppendAssignsSequencesAndChainsHashes) {
  absl::StatusOr<AppendResult> a = ledger_->AppendAndWait(OneEntry("m1", 0));
  ASSERT_TRUE(a.ok()) << a.status();
  AppendRequest two = OneEntry("m2", 0, "p1");
  two.entries.push_back(NewEntry{"test.other", "p2", "tester"});
  absl::StatusOr<AppendResult> b = ledger_->AppendAndWait(std::move(two));
  ASSERT_TRUE(b.ok()) << b.status();

  EXPECT_EQ(a->first_sequence, 1u);
  EXPECT_EQ(a->stream_version, 1u);
  EXPECT_EQ(b->first_sequence, 2u);
  EXPECT_EQ(b->stream_version, 2u);
  ASSERT_EQ(b->hashes.size(), 2u);

  absl::StatusOr<Entry> e1 = ledger_->Read(1);
  absl::StatusOr<Entry> e3 = ledger_->Read(3);
  ASSERT_TRUE(e1.ok() && e3.ok());
  EXPECT_EQ(e1->prev_hash, ZeroHash());
  EXPECT_EQ(e1->hash, a->hashes[0]);
  EXPECT_EQ(e3->prev_hash, b->hashes[0]);
  EXPECT_EQ(e3->hash, b->hashes[1]);
  EXPECT_EQ(e3->stream_version, 2u);
  EXPECT_EQ(e3->type, "test.other");
  EXPECT_EQ(e3->recorded, clock_.Now());
  EXPECT_EQ(ledger_->GetHead().sequence, 3u);
  EXPECT_EQ(ledger_->GetHead().hash, b->hashes[1]);
}

// The bytes of the write-ahead logs in `dir`: what the next open replays.
uint64_t WalBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() == ".log") bytes += f.file_size();
  }
  return bytes;
}

TEST_F(RocksDbLedgerTest, ACleanCloseLeavesNoLogToReplay) {
  for (uint64_t v = 0; v < 200; ++v) {
    ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m1", v)).ok());
  }
  EXPECT_GT(WalBytes(dir_.path()), 0u);
  ledger_.reset();
  EXPECT_EQ(WalBytes(dir_.path()), 0u);
  Reopen();
  EXPECT_EQ(ledger_->GetHead().sequence, 200u);
  absl::StatusOr<VerifyReport> chain = ledger_->Verify(1, 200);
  ASSERT_TRUE(chain.ok());
  EXPECT_TRUE(chain->ok) << chain->problem;
}

TEST_F(RocksDbLedgerTest, ReadsStreamsInOrderAndScansFromASequence) {
  for (uint64_t v = 0; v < 5; ++v) {
    ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("a", v, absl::StrCat(v))).ok());
    ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("b", v)).ok());
  }
  absl::StatusOr<std::vector<Entry>> a = ledger_->ReadStream("a", 2, 10);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 4u);
  EXPECT_EQ((*a)[0].payload, "1");
  EXPECT_EQ((*a)[0].sequence, 3u);
  EXPECT_EQ((*a)[3].stream_version, 5u);
  EXPECT_EQ(*ledger_->StreamVersion("b"), 5u);
  EXPECT_EQ(*ledger_->StreamVersion("c"), 0u);

  absl::StatusOr<std::vector<Entry>> scan = ledger_->Scan(8, 100);
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->size(), 3u);
  EXPECT_EQ(scan->back().sequence, 10u);
}

TEST_F(RocksDbLedgerTest, UnknownSequenceAndStreamAreNotFound) {
  EXPECT_THAT(ledger_->Read(1), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ledger_->ReadStream("nope", 1, 10),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST_F(RocksDbLedgerTest, StaleExpectedVersionIsAbortedAndWritesNothing) {
  ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m", 0)).ok());
  AppendRequest stale = OneEntry("m", 0);
  stale.mutations.push_back(Mutation{Table::kState, "k", "v"});
  EXPECT_THAT(ledger_->AppendAndWait(stale),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("version 1")));
  EXPECT_THAT(ledger_->AppendAndWait(OneEntry("m", 5)),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(ledger_->AppendAndWait(OneEntry("new", 1)),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(ledger_->GetHead().sequence, 1u);
  EXPECT_FALSE(ledger_->GetState("k")->has_value());
}

TEST_F(RocksDbLedgerTest, RepeatedIdempotencyKeyReturnsFirstResult) {
  AppendRequest r = OneEntry("m", 0);
  r.idempotency_key = "key-1";
  absl::StatusOr<AppendResult> first = ledger_->AppendAndWait(r);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->replayed);
  // A retry, even one whose expected version is now stale, replays.
  absl::StatusOr<AppendResult> again = ledger_->AppendAndWait(r);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->first_sequence, first->first_sequence);
  EXPECT_EQ(again->hashes, first->hashes);
  EXPECT_EQ(again->stream, "m");
  EXPECT_EQ(ledger_->GetHead().sequence, 1u);

  Reopen();  // survives a restart
  absl::StatusOr<AppendResult> after = ledger_->AppendAndWait(r);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->replayed);
  EXPECT_EQ(ledger_->GetHead().sequence, 1u);
}

TEST_F(RocksDbLedgerTest, ConcurrentRetriesWithOneKeyApplyOnce) {
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  std::atomic<int> applied{0}, replayed{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      AppendRequest r = OneEntry("m", 0);
      r.idempotency_key = "same";
      absl::StatusOr<AppendResult> res = ledger_->AppendAndWait(r);
      ASSERT_TRUE(res.ok()) << res.status();
      (res->replayed ? replayed : applied)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(replayed, kThreads - 1);
  EXPECT_EQ(ledger_->GetHead().sequence, 1u);
}

TEST_F(RocksDbLedgerTest, ConcurrentWritersOfOneVersionOneWins) {
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  std::atomic<int> won{0}, conflicted{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<AppendResult> res =
          ledger_->AppendAndWait(OneEntry("m", 0));
      if (res.ok()) {
        ++won;
      } else if (res.status().code() == absl::StatusCode::kAborted) {
        ++conflicted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won, 1);
  EXPECT_EQ(conflicted, kThreads - 1);
  EXPECT_EQ(*ledger_->StreamVersion("m"), 1u);
}

TEST_F(RocksDbLedgerTest, ManyConcurrentWritersKeepOneValidChain) {
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(
            ledger_->AppendAndWait(OneEntry(absl::StrCat("s", t), i)).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ledger_->GetHead().sequence, uint64_t{kThreads * kPerThread});
  absl::StatusOr<VerifyReport> report = ledger_->Verify(1, UINT64_MAX);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->checked, uint64_t{kThreads * kPerThread});
}

TEST_F(RocksDbLedgerTest, RejectsMalformedRequestsAndWritesNothing) {
  struct Case {
    std::string name;
    AppendRequest request;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({"empty stream", OneEntry("", 0), "stream"});
  cases.push_back({"space in stream", OneEntry("a b", 0), "stream"});
  cases.push_back({"long stream",
                   OneEntry(std::string(kMaxStreamBytes + 1, 'x'), 0),
                   "stream"});
  cases.push_back(
      {"empty payload", OneEntry("m", 0, ""), "entries[0].payload"});
  cases.push_back({"huge payload",
                   OneEntry("m", 0, std::string(kMaxPayloadBytes + 1, 'x')),
                   "entries[0].payload"});
  AppendRequest no_entries = OneEntry("m", 0);
  no_entries.entries.clear();
  cases.push_back({"no entries", no_entries, "entries"});
  AppendRequest no_actor = OneEntry("m", 0);
  no_actor.entries[0].actor.clear();
  cases.push_back({"no actor", no_actor, "entries[0].actor"});
  AppendRequest empty_key = OneEntry("m", 0);
  empty_key.mutations.push_back(Mutation{Table::kIndex, "", "v"});
  cases.push_back({"empty mutation key", empty_key, "mutations[0].key"});

  for (Case& c : cases) {
    EXPECT_THAT(
        ledger_->AppendAndWait(c.request),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)))
        << c.name;
  }
  EXPECT_EQ(ledger_->GetHead().sequence, 0u);
}

TEST_F(RocksDbLedgerTest, MutationsLandWithTheEntries) {
  AppendRequest r = OneEntry("m", 0);
  r.mutations.push_back(Mutation{Table::kState, "manifest/m", "ISSUED"});
  r.mutations.push_back(Mutation{Table::kIndex, "status/ISSUED/m", ""});
  r.mutations.push_back(Mutation{Table::kIndex, "status/ISSUED/n", ""});
  ASSERT_TRUE(ledger_->AppendAndWait(r).ok());
  AppendRequest next = OneEntry("m", 1);
  next.mutations.push_back(Mutation{Table::kState, "manifest/m", "IN_TRANSIT"});
  next.mutations.push_back(
      Mutation{Table::kIndex, "status/ISSUED/m", absl::nullopt});
  next.mutations.push_back(Mutation{Table::kIndex, "status/IN_TRANSIT/m", ""});
  ASSERT_TRUE(ledger_->AppendAndWait(next).ok());

  EXPECT_EQ(ledger_->GetState("manifest/m")->value_or(""), "IN_TRANSIT");
  absl::StatusOr<std::vector<KeyValue>> issued =
      ledger_->ScanIndex("status/ISSUED/", "", 10);
  ASSERT_TRUE(issued.ok());
  ASSERT_EQ(issued->size(), 1u);
  EXPECT_EQ((*issued)[0].key, "status/ISSUED/n");
  absl::StatusOr<std::vector<KeyValue>> paged =
      ledger_->ScanIndex("status/", "status/IN_TRANSIT/m", 10);
  ASSERT_TRUE(paged.ok());
  ASSERT_EQ(paged->size(), 1u);
  EXPECT_EQ((*paged)[0].key, "status/ISSUED/n");
}

TEST_F(RocksDbLedgerTest, ScansAnIndexBackwardAPageAtATime) {
  AppendRequest r = OneEntry("m", 0);
  // Neighbours on either side of the prefix must not leak in.
  for (const char* k : {"p/a/1", "p/b/1", "p/b/2", "p/b/3", "p/c/1"}) {
    r.mutations.push_back(Mutation{Table::kIndex, k, ""});
  }
  ASSERT_TRUE(ledger_->AppendAndWait(r).ok());
  auto keys = [&](absl::string_view before, size_t limit) {
    std::vector<std::string> out;
    absl::StatusOr<std::vector<KeyValue>> rows =
        ledger_->ScanIndexBackward("p/b/", before, limit);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (const KeyValue& kv : *rows) out.push_back(kv.key);
    }
    return out;
  };
  EXPECT_THAT(keys("", 10), ElementsAre("p/b/3", "p/b/2", "p/b/1"));
  EXPECT_THAT(keys("", 2), ElementsAre("p/b/3", "p/b/2"));
  EXPECT_THAT(keys("p/b/2", 2), ElementsAre("p/b/1"));
  EXPECT_THAT(keys("p/b/1", 2), ::testing::IsEmpty());
  // A key between two of the prefix's: the ones before it.
  EXPECT_THAT(keys("p/b/25", 10), ElementsAre("p/b/2", "p/b/1"));
  EXPECT_THAT(ledger_->ScanIndexBackward("p/x/", "", 10)->size(), 0u);
}

TEST_F(RocksDbLedgerTest, VisitsEachKeyOfAPrefixInOrderUntilTold) {
  AppendRequest r = OneEntry("m", 0);
  for (const char* k : {"p/a/1", "p/b/1", "p/b/2", "p/b/3", "p/c/1"}) {
    r.mutations.push_back(Mutation{Table::kIndex, k, absl::StrCat("v", k)});
  }
  r.mutations.push_back(Mutation{Table::kState, "p/b/9", "state"});
  ASSERT_TRUE(ledger_->AppendAndWait(r).ok());
  auto visit = [&](Table table, absl::string_view prefix, size_t stop_after) {
    std::vector<std::string> out;
    absl::Status s = ledger_->ForEach(
        table, prefix, [&](absl::string_view key, absl::string_view value) {
          out.push_back(absl::StrCat(key, "=", value));
          return out.size() < stop_after;
        });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  };
  EXPECT_THAT(visit(Table::kIndex, "p/b/", 10),
              ElementsAre("p/b/1=vp/b/1", "p/b/2=vp/b/2", "p/b/3=vp/b/3"));
  EXPECT_THAT(visit(Table::kIndex, "p/b/", 2),
              ElementsAre("p/b/1=vp/b/1", "p/b/2=vp/b/2"));
  EXPECT_THAT(visit(Table::kIndex, "", 10), ::testing::SizeIs(5));
  EXPECT_THAT(visit(Table::kState, "p/", 10), ElementsAre("p/b/9=state"));
  EXPECT_THAT(visit(Table::kIndex, "p/x/", 10), ::testing::IsEmpty());
}

TEST_F(RocksDbLedgerTest, ListsLongAndShortStreamsWithTheirVersions) {
  // A stream longer than the keys a listing steps over before it seeks,
  // between short ones; "b" is a prefix of "bb"'s name.
  const std::vector<std::pair<std::string, uint64_t>> streams = {
      {"a", 1}, {"b", 40}, {"bb", 3}, {"c", 17}, {"d", 16}};
  for (const auto& [stream, versions] : streams) {
    for (uint64_t v = 0; v < versions; ++v) {
      ASSERT_TRUE(ledger_->AppendAndWait(OneEntry(stream, v)).ok());
    }
  }
  absl::StatusOr<std::vector<StreamInfo>> all = ledger_->ListStreams("", 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), streams.size());
  for (size_t i = 0; i < streams.size(); ++i) {
    EXPECT_EQ((*all)[i].stream, streams[i].first);
    EXPECT_EQ((*all)[i].version, streams[i].second) << streams[i].first;
  }
  absl::StatusOr<std::vector<StreamInfo>> after_b =
      ledger_->ListStreams("b", 2);
  ASSERT_TRUE(after_b.ok());
  ASSERT_EQ(after_b->size(), 2u);
  EXPECT_EQ((*after_b)[0].stream, "bb");
  EXPECT_EQ((*after_b)[1].stream, "c");
  EXPECT_EQ((*after_b)[1].version, 17u);
}

// The writer sorts a group's writes by key before they reach RocksDB; writes
// of one key must keep their order, so the later one still wins.
TEST_F(RocksDbLedgerTest, WithinOneGroupTheLaterWriteOfAKeyWins) {
  // Hold the writer in the first append's callback so that the next ones
  // queue up and are committed together, as one group.
  absl::Notification in_callback, release;
  ledger_->Append(OneEntry("hold", 0), [&](absl::StatusOr<AppendResult>) {
    in_callback.Notify();
    release.WaitForNotification();
  });
  in_callback.WaitForNotification();

  std::atomic<int> pending{0};
  absl::Notification all_done;
  auto queue = [&](AppendRequest r) {
    ++pending;
    ledger_->Append(std::move(r), [&](absl::StatusOr<AppendResult> result) {
      EXPECT_TRUE(result.ok()) << result.status();
      if (--pending == 0) all_done.Notify();
    });
  };
  // z, then a, then z again (keys sort the other way round from the queue).
  for (const char* value : {"first", "second", "third"}) {
    AppendRequest r =
        OneEntry(absl::StrCat("s-", value), 0, absl::StrCat("p-", value));
    r.mutations.push_back(Mutation{Table::kState, "z", std::string(value)});
    r.mutations.push_back(
        Mutation{Table::kState, absl::StrCat("a-", value), std::string(value)});
    queue(std::move(r));
  }
  // A put, a delete and a put again of one index key, by three appends to
  // one stream in this same group.
  for (uint64_t v = 0; v < 3; ++v) {
    AppendRequest r = OneEntry("same", v, absl::StrCat("same-", v));
    r.mutations.push_back(
        Mutation{Table::kIndex, "k/1",
                 v == 1 ? absl::optional<std::string>()
                        : absl::optional<std::string>(absl::StrCat("v", v))});
    queue(std::move(r));
  }
  release.Notify();
  all_done.WaitForNotification();

  EXPECT_EQ(ledger_->GetState("z")->value_or(""), "third");
  EXPECT_EQ(ledger_->GetState("a-first")->value_or(""), "first");
  absl::StatusOr<std::vector<KeyValue>> k = ledger_->ScanIndex("k/", "", 10);
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->size(), 1u);
  EXPECT_EQ((*k)[0].value, "v2");
  EXPECT_EQ(*ledger_->StreamVersion("same"), 3u);
  // Sequences follow the queue, not the key order.
  absl::StatusOr<std::vector<Entry>> all = ledger_->Scan(1, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 7u);
  EXPECT_EQ((*all)[1].payload, "p-first");
  EXPECT_EQ((*all)[3].payload, "p-third");
  EXPECT_EQ((*all)[6].payload, "same-2");
  EXPECT_TRUE(ledger_->Verify(1, 7)->ok);
  // And the same after a restart, replayed from the log.
  Reopen();
  EXPECT_EQ(ledger_->GetState("z")->value_or(""), "third");
  EXPECT_EQ((*ledger_->ScanIndex("k/", "", 10))[0].value, "v2");
}

// A name all streams share (a plate) is claimed once, even by appends to
// two streams in the same group or in flight together.
TEST_F(RocksDbLedgerTest, CreateOnlyKeysAreClaimedOnce) {
  auto claim = [](std::string stream, std::string owner) {
    AppendRequest r = OneEntry(std::move(stream), 0);
    Mutation m{Table::kIndex, "vehicle/浙F12345", owner};
    m.create_only = true;
    r.mutations.push_back(std::move(m));
    return r;
  };
  // In one group: both queued before the writer runs.
  std::vector<absl::StatusOr<AppendResult>> results(2);
  absl::Notification both;
  std::atomic<int> done{0};
  for (int i = 0; i < 2; ++i) {
    ledger_->Append(claim(absl::StrCat("enterprise/", i), absl::StrCat(i)),
                    [&, i](absl::StatusOr<AppendResult> r) {
                      results[i] = std::move(r);
                      if (++done == 2) both.Notify();
                    });
  }
  both.WaitForNotification();
  EXPECT_NE(results[0].ok(), results[1].ok());
  const absl::Status& refused =
      results[0].ok() ? results[1].status() : results[0].status();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kAlreadyExists,
                                HasSubstr("vehicle/浙F12345 is taken")));
  const uint64_t head = ledger_->GetHead().sequence;
  EXPECT_EQ(head, 1u);  // the refused append wrote nothing
  // Later, durably.
  EXPECT_THAT(ledger_->AppendAndWait(claim("enterprise/2", "2")),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(ledger_->GetHead().sequence, head);
  // A create-only mutation must put a value.
  AppendRequest bad = OneEntry("enterprise/3", 0);
  Mutation m{Table::kIndex, "vehicle/x", absl::nullopt};
  m.create_only = true;
  bad.mutations.push_back(m);
  EXPECT_THAT(
      ledger_->AppendAndWait(std::move(bad)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("create-only")));
}

// Two writes that each decide on the other's stream: the one that lands
// second finds that what it read has moved on, durably or in its group.
TEST_F(RocksDbLedgerTest,
       AnAppendWhoseReadStreamMovedIsAbortedAndWritesNothing) {
  ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("manifest", 0)).ok());
  ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("container", 0)).ok());
  auto deciding = [](std::string stream, uint64_t version, std::string read,
                     uint64_t read_version, std::string key) {
    AppendRequest r = OneEntry(std::move(stream), version);
    r.reads.push_back(StreamRead{std::move(read), read_version});
    r.mutations.push_back(Mutation::Put(Table::kState, std::move(key), "x"));
    return r;
  };
  // Read at the version the stream is at: it lands.
  ASSERT_TRUE(
      ledger_->AppendAndWait(deciding("container", 1, "manifest", 1, "a"))
          .ok());
  EXPECT_TRUE(ledger_->GetState("a")->has_value());
  // The manifest took an entry after the read, durably.
  ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("manifest", 1)).ok());
  const uint64_t head = ledger_->GetHead().sequence;
  EXPECT_THAT(
      ledger_->AppendAndWait(deciding("container", 2, "manifest", 1, "b")),
      StatusIs(absl::StatusCode::kAborted,
               HasSubstr("stream manifest moved on to version 2 after this "
                         "was decided on its version 1")));
  // A stream read as absent that now exists.
  EXPECT_THAT(
      ledger_->AppendAndWait(deciding("container", 2, "manifest", 0, "b")),
      StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(ledger_->GetHead().sequence, head);
  EXPECT_FALSE(ledger_->GetState("b")->has_value());
  // A stream read as absent that still is.
  EXPECT_TRUE(
      ledger_->AppendAndWait(deciding("container", 2, "nothing", 0, "c")).ok());

  // In one group: the manifest's append is queued before the container's,
  // which read the manifest before it.
  absl::Notification in_callback, release;
  ledger_->Append(OneEntry("hold", 0), [&](absl::StatusOr<AppendResult>) {
    in_callback.Notify();
    release.WaitForNotification();
  });
  in_callback.WaitForNotification();
  absl::StatusOr<AppendResult> moved, decided;
  absl::Notification moved_done, decided_done;
  ledger_->Append(OneEntry("manifest", 2), [&](absl::StatusOr<AppendResult> r) {
    moved = std::move(r);
    moved_done.Notify();
  });
  ledger_->Append(deciding("container", 3, "manifest", 2, "d"),
                  [&](absl::StatusOr<AppendResult> r) {
                    decided = std::move(r);
                    decided_done.Notify();
                  });
  release.Notify();
  moved_done.WaitForNotification();
  decided_done.WaitForNotification();
  EXPECT_TRUE(moved.ok()) << moved.status();
  EXPECT_THAT(decided, StatusIs(absl::StatusCode::kAborted,
                                HasSubstr("stream manifest moved on")));
  EXPECT_FALSE(ledger_->GetState("d")->has_value());
  EXPECT_EQ(*ledger_->StreamVersion("container"), 3u);

  // Malformed reads are refused naming them.
  AppendRequest own = deciding("container", 3, "container", 3, "e");
  EXPECT_THAT(ledger_->AppendAndWait(std::move(own)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("reads[0] is the appended stream")));
  AppendRequest empty = deciding("container", 3, "", 0, "e");
  EXPECT_THAT(ledger_->AppendAndWait(std::move(empty)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("reads[0]: stream must be")));
  EXPECT_FALSE(ledger_->GetState("e")->has_value());
}

TEST_F(RocksDbLedgerTest, CountersAddAtomicallyAcrossStreams) {
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AppendRequest r = OneEntry(absl::StrCat("s", t), i);
        Mutation add;
        add.key = "used/receiver/2026";
        add.add = 1000;
        r.mutations.push_back(add);
        ASSERT_TRUE(ledger_->AppendAndWait(r).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(DecodeCounter(*ledger_->GetState("used/receiver/2026")),
            int64_t{kThreads * kEach * 1000});
  Mutation down;
  down.key = "used/receiver/2026";
  down.add = -kThreads * kEach * 1000 - 1;
  AppendRequest r = OneEntry("s0", kEach);
  r.mutations.push_back(down);
  ASSERT_TRUE(ledger_->AppendAndWait(r).ok());
  Reopen();
  EXPECT_EQ(DecodeCounter(*ledger_->GetState("used/receiver/2026")), -1);
  EXPECT_EQ(DecodeCounter(*ledger_->GetState("absent")), 0);

  AppendRequest both = OneEntry("s1", kEach);
  Mutation bad;
  bad.key = "k";
  bad.value = "v";
  bad.add = 1;
  both.mutations.push_back(bad);
  EXPECT_THAT(
      ledger_->AppendAndWait(both),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mutations[0]")));
}

TEST_F(RocksDbLedgerTest, AnAddOfZeroLeavesTheCounter) {
  AppendRequest r = OneEntry("s", 0);
  r.mutations.push_back(Mutation::Add(Table::kIndex, "closed/c/all", 3));
  ASSERT_TRUE(ledger_->AppendAndWait(std::move(r)).ok());
  r = OneEntry("s", 1);
  r.mutations.push_back(Mutation::Add(Table::kIndex, "closed/c/all", 0));
  ASSERT_TRUE(ledger_->AppendAndWait(std::move(r)).ok());
  absl::StatusOr<absl::optional<std::string>> v =
      ledger_->GetIndex("closed/c/all");
  ASSERT_TRUE(v.ok() && v->has_value()) << "an add of 0 deleted the counter";
  EXPECT_EQ(DecodeCounter(*v), 3);

  r = OneEntry("s", 2);
  Mutation bad = Mutation::Add(Table::kIndex, "k", 0);
  bad.value = "v";
  r.mutations.push_back(bad);
  EXPECT_THAT(ledger_->AppendAndWait(std::move(r)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("both a value and an add")));
}

TEST_F(RocksDbLedgerTest, ReopenRestoresHeadAndStreams) {
  for (uint64_t v = 0; v < 10; ++v) {
    ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m", v)).ok());
  }
  const Head before = ledger_->GetHead();
  Reopen();
  EXPECT_EQ(ledger_->GetHead().sequence, before.sequence);
  EXPECT_EQ(ledger_->GetHead().hash, before.hash);
  EXPECT_EQ(*ledger_->StreamVersion("m"), 10u);
  absl::StatusOr<AppendResult> next = ledger_->AppendAndWait(OneEntry("m", 10));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->first_sequence, 11u);
  EXPECT_TRUE(ledger_->Verify(1, UINT64_MAX)->ok);
}

TEST_F(RocksDbLedgerTest, RecordedTimeNeverGoesBackwards) {
  ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m", 0)).ok());
  clock_.Advance(absl::Hours(-1));
  ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m", 1)).ok());
  EXPECT_GE(ledger_->Read(2)->recorded, ledger_->Read(1)->recorded);
}

TEST_F(RocksDbLedgerTest, AppendAfterCloseFails) {
  ASSERT_TRUE(ledger_->Close().ok());
  EXPECT_THAT(
      ledger_->AppendAndWait(OneEntry("m", 0)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("closed")));
  EXPECT_TRUE(ledger_->Close().ok());
}

TEST_F(RocksDbLedgerTest, VerifyNamesATamperedEntry) {
  for (uint64_t v = 0; v < 50; ++v) {
    ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m", v)).ok());
  }
  TamperWithEntry(20);
  RocksDbLedger::Options options;
  options.verify_tail_on_open = 10;  // entry 20 lies outside the tail
  Reopen(options);
  absl::StatusOr<VerifyReport> report = ledger_->Verify(1, UINT64_MAX);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad, 20u);
  EXPECT_THAT(report->problem, HasSubstr("hashes to"));
  EXPECT_TRUE(ledger_->Verify(1, 19)->ok);
  EXPECT_TRUE(ledger_->Verify(21, 50)->ok);  // anchored on 20's stored hash
}

TEST_F(RocksDbLedgerTest, RefusesToOpenOnABrokenTail) {
  for (uint64_t v = 0; v < 5; ++v) {
    ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m", v)).ok());
  }
  TamperWithEntry(4);
  RocksDbLedger::Options options;
  options.clock = &clock_;
  absl::StatusOr<std::unique_ptr<RocksDbLedger>> opened =
      RocksDbLedger::Open(dir_.path(), options);
  EXPECT_THAT(opened, StatusIs(absl::StatusCode::kDataLoss,
                               HasSubstr("broken at entry 4")));
}

TEST_F(RocksDbLedgerTest, MerkleTreeCoversEveryEntryAndSurvivesReopen) {
  for (uint64_t v = 0; v < 37; ++v) {
    ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m", v)).ok());
  }
  TreeHead head = ledger_->GetTreeHead();
  EXPECT_EQ(head.size, 37u);
  EXPECT_EQ(*ledger_->TreeRoot(37), head.root);
  const std::string root20 = *ledger_->TreeRoot(20);
  for (uint64_t seq : {1, 20, 37}) {
    absl::StatusOr<std::vector<std::string>> proof =
        ledger_->InclusionProof(seq, 37);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_TRUE(merkle::VerifyInclusion(
        seq - 1, 37, merkle::LeafHash(ledger_->Read(seq)->hash), *proof,
        head.root));
  }
  Reopen();
  EXPECT_EQ(ledger_->GetTreeHead().root, head.root);
  ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m", 37)).ok());
  TreeHead later = ledger_->GetTreeHead();
  EXPECT_EQ(later.size, 38u);
  EXPECT_TRUE(merkle::VerifyConsistency(20, 38, root20, later.root,
                                        *ledger_->ConsistencyProof(20, 38)));
  EXPECT_THAT(ledger_->InclusionProof(39, 38),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(ledger_->TreeRoot(39), StatusIs(absl::StatusCode::kOutOfRange));
}

TEST_F(RocksDbLedgerTest, ATamperedEntryFailsItsInclusionProof) {
  for (uint64_t v = 0; v < 12; ++v) {
    ASSERT_TRUE(ledger_->AppendAndWait(OneEntry("m", v)).ok());
  }
  const TreeHead head = ledger_->GetTreeHead();
  TamperWithEntry(5);
  RocksDbLedger::Options options;
  options.verify_tail_on_open = 2;
  Reopen(options);
  // What a client does with an entry it is shown: recompute its hash from
  // its bytes and check that hash's leaf against a head it trusts.
  absl::StatusOr<Entry> e = ledger_->Read(5);
  ASSERT_TRUE(e.ok());
  const std::string recomputed =
      ChainHash(e->prev_hash, CanonicalEntryBytes(*e));
  EXPECT_FALSE(merkle::VerifyInclusion(
      4, head.size, merkle::LeafHash(recomputed),
      *ledger_->InclusionProof(5, head.size), head.root));
  // An untouched neighbour still proves.
  absl::StatusOr<Entry> ok = ledger_->Read(6);
  EXPECT_TRUE(merkle::VerifyInclusion(
      5, head.size,
      merkle::LeafHash(ChainHash(ok->prev_hash, CanonicalEntryBytes(*ok))),
      *ledger_->InclusionProof(6, head.size), head.root));
}

TEST(RocksDbLedgerFaultTest, DiskFullFailsCleanlyAndLosesNothingAcknowledged) {
  cradle::testing::TempDir dir;
  auto fs = std::make_shared<cradle::testing::FaultyFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksDbLedger::Options options;
  options.env = env.get();
  {
    absl::StatusOr<std::unique_ptr<RocksDbLedger>> ledger =
        RocksDbLedger::Open(dir.path(), options);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ASSERT_TRUE((*ledger)->AppendAndWait(OneEntry("m", 0)).ok());
    fs->set_disk_full(true);
    AppendRequest r = OneEntry("m", 1);
    r.mutations.push_back(Mutation{Table::kState, "k", "v"});
    EXPECT_THAT((*ledger)->AppendAndWait(r),
                StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_EQ((*ledger)->GetHead().sequence, 1u);
    // Space is back, but the ledger stays stopped until it is reopened.
    fs->set_disk_full(false);
    EXPECT_THAT(
        (*ledger)->AppendAndWait(OneEntry("m", 1)),
        StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("reopened")));
  }
  absl::StatusOr<std::unique_ptr<RocksDbLedger>> reopened =
      RocksDbLedger::Open(dir.path(), options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->GetHead().sequence, 1u);
  EXPECT_FALSE((*reopened)->GetState("k")->has_value());
  EXPECT_TRUE((*reopened)->AppendAndWait(OneEntry("m", 1)).ok());
  EXPECT_TRUE((*reopened)->Verify(1, UINT64_MAX)->ok);
}

}  // namespace
}  // namespace cradle::storage
