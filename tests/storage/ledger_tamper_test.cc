// The ledger against an attacker with shell access to its directory, and
// against a crash: what the checks on open, VerifyDerived and VerifyStorage
// find (docs/RELIABILITY.md has the table).

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "storage/entry_codec.h"
#include "storage/merkle.h"
#include "storage/rocksdb_ledger.h"
#include "tests/storage/raw_db.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::storage {
namespace {

using ::cradle::testing::RawDb;
using ::cradle::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string MerkleKey(int level, uint64_t index) {
  return absl::StrCat(std::string(1, static_cast<char>(level)),
                      EncodeSequenceKey(index));
}

std::string StreamKey(const std::string& stream, uint64_t version) {
  return absl::StrCat(stream, std::string(1, '\0'), EncodeSequenceKey(version));
}

// An idempotency record's value: the first of `count` entries, the stream's
// version after the last, the stream.
std::string IdempotencyRecord(uint64_t first, uint64_t version, uint64_t count,
                              const std::string& stream) {
  return absl::StrCat(EncodeSequenceKey(first), EncodeSequenceKey(version),
                      EncodeSequenceKey(count), stream);
}

// Every file of `dir`, name and bytes: to show that nothing changed.
std::string Fingerprint(const std::string& dir) {
  std::string out;
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    absl::StrAppend(&out, f.filename().string(), ":", bytes.str().size(), ":",
                    HexHash(ChainHash("", bytes.str())), "\n");
  }
  return out;
}

class LedgerTamperTest : public ::testing::Test {
 protected:
  // Ten entries, one group each, alternating streams a and b: entry n is
  // version (n + 1) / 2 of stream a (odd n) or b (even n).
  void SetUp() override {
    Open();
    for (uint64_t n = 1; n <= 10; ++n) Write(n % 2 == 1 ? "a" : "b");
    Close();
  }

  void Write(const std::string& stream) {
    absl::StatusOr<uint64_t> v = ledger_->StreamVersion(stream);
    ASSERT_TRUE(v.ok());
    AppendRequest r;
    r.stream = stream;
    r.expected_version = *v;
    r.entries.push_back(NewEntry{"test.event", "payload", "tester"});
    ASSERT_TRUE(ledger_->AppendAndWait(std::move(r)).ok());
  }

  absl::Status TryOpen(RocksDbLedger::Options options = {}) {
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<RocksDbLedger>> opened =
        RocksDbLedger::Open(dir_.path(), options);
    if (!opened.ok()) return opened.status();
    ledger_ = *std::move(opened);
    return absl::OkStatus();
  }
  void Open(RocksDbLedger::Options options = {}) {
    absl::Status s = TryOpen(options);
    ASSERT_TRUE(s.ok()) << s;
  }
  void Close() { ledger_.reset(); }

  // Rewrites entry `n` with another payload and every later entry with the
  // hashes that follow, so that the chain itself verifies.
  void RewriteWithRecomputedChain(RawDb& db, uint64_t n, uint64_t head) {
    std::string prev =
        DecodeStoredEntry(db.Get("entries", EncodeSequenceKey(n - 1)))->hash;
    for (uint64_t s = n; s <= head; ++s) {
      Entry e = *DecodeStoredEntry(db.Get("entries", EncodeSequenceKey(s)));
      if (s == n) e.payload = "forged";
      e.prev_hash = prev;
      e.hash = ChainHash(prev, CanonicalEntryBytes(e));
      db.Put("entries", EncodeSequenceKey(s), EncodeStoredEntry(e));
      prev = e.hash;
    }
  }

  cradle::testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1795000000)};
  std::unique_ptr<RocksDbLedger> ledger_;
};

TEST_F(LedgerTamperTest, AnUntouchedLedgerPassesEveryCheck) {
  Open();
  EXPECT_THAT(ledger_->OpenProblems(), IsEmpty());
  absl::StatusOr<VerifyReport> derived = ledger_->VerifyDerived(1, 10);
  ASSERT_TRUE(derived.ok());
  EXPECT_TRUE(derived->ok) << derived->problem;
  EXPECT_EQ(derived->checked, 10u);
  absl::StatusOr<VerifyReport> storage = ledger_->VerifyStorage();
  ASSERT_TRUE(storage.ok());
  EXPECT_TRUE(storage->ok) << storage->problem;
  EXPECT_EQ(storage->checked, 10u + 18u);  // stream keys + Merkle nodes
}

TEST_F(LedgerTamperTest, DeletedHeadEntryRefusesTheOpen) {
  { RawDb(dir_.path()).Delete("entries", EncodeSequenceKey(10)); }
  EXPECT_THAT(TryOpen(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("holds 10 entries, but the last entry is 9")));
}

TEST_F(LedgerTamperTest, DeletedHeadWithItsHeadRecordRefusesTheOpen) {
  {
    RawDb db(dir_.path());
    db.Delete("entries", EncodeSequenceKey(10));
    db.Delete("meta", "head");
  }
  EXPECT_THAT(TryOpen(), StatusIs(absl::StatusCode::kDataLoss,
                                  HasSubstr("the Merkle tree has 10 leaves")));
}

TEST_F(LedgerTamperTest, DeletedHeadWithRecordAndLeafIsCaughtByItsStream) {
  {
    RawDb db(dir_.path());
    db.Delete("entries", EncodeSequenceKey(10));
    db.Delete("meta", "head");
    db.Delete("merkle", MerkleKey(0, 9));
    db.Delete("merkle", MerkleKey(1, 4));
  }
  // Entry 10 was version 5 of stream b, whose index still says so.
  EXPECT_THAT(TryOpen(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("stream b is at version 5 in its index, "
                                 "which points at entry 10 past the last "
                                 "entry 9")));
}

TEST_F(LedgerTamperTest, AnEntryRewrittenWithARecomputedChainRefusesTheOpen) {
  {
    RawDb db(dir_.path());
    RewriteWithRecomputedChain(db, 8, 10);
  }
  EXPECT_THAT(TryOpen(), StatusIs(absl::StatusCode::kDataLoss,
                                  HasSubstr("entry 10 hashes to")));
}

TEST_F(LedgerTamperTest, RewrittenChainAndHeadRecordBreakTheMerkleRoot) {
  {
    RawDb db(dir_.path());
    RewriteWithRecomputedChain(db, 8, 10);
    Entry last = *DecodeStoredEntry(db.Get("entries", EncodeSequenceKey(10)));
    std::string record = db.Get("meta", "head");
    record.replace(8, kHashBytes, last.hash);
    db.Put("meta", "head", record);
  }
  // The Merkle leaf of entry 8 still holds its old hash.
  EXPECT_THAT(TryOpen(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("entry 8: Merkle node (level 0, index 7)")));
}

// The walk over the newest entries goes by key: an entry claiming an
// earlier sequence once sent it round in circles.
// VerifyEntries: the chain and the derived data from one read, the entries
// handed over as they pass.

TEST_F(LedgerTamperTest, VerifyEntriesHandsOverEveryEntryCheckedInOrder) {
  Open();
  for (auto [from, to] :
       {std::pair<uint64_t, uint64_t>{1, 10}, {4, 7}, {9, 99}, {11, 20}}) {
    SCOPED_TRACE(absl::StrCat(from, "..", to));
    std::vector<uint64_t> seen;
    absl::StatusOr<VerifyReport> r =
        ledger_->VerifyEntries(from, to, [&](std::vector<Entry>* page) {
          for (const Entry& e : *page) seen.push_back(e.sequence);
          return absl::OkStatus();
        });
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->ok) << r->problem;
    std::vector<uint64_t> expected;
    for (uint64_t n = from; n <= std::min<uint64_t>(to, 10); ++n) {
      expected.push_back(n);
    }
    EXPECT_EQ(seen, expected);
    EXPECT_EQ(r->checked, expected.size());
  }
}

TEST_F(LedgerTamperTest, VerifyEntriesNamesTheChainBeforeTheDerivedData) {
  {
    RawDb db(dir_.path());
    // Entry 3's Merkle leaf (derived data), and entry 6's payload (chain).
    db.Put("merkle", MerkleKey(0, 2), std::string(kHashBytes, 'x'));
    Entry e = *DecodeStoredEntry(db.Get("entries", EncodeSequenceKey(6)));
    e.payload = "forged";
    db.Put("entries", EncodeSequenceKey(6), EncodeStoredEntry(e));
  }
  RocksDbLedger::Options forensic;
  forensic.forensic = true;
  Open(forensic);
  int pages = 0;
  auto count = [&pages](std::vector<Entry>*) {
    ++pages;
    return absl::OkStatus();
  };
  absl::StatusOr<VerifyReport> both = ledger_->VerifyEntries(1, 10, count);
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_FALSE(both->ok);
  EXPECT_EQ(both->first_bad, 6u);
  EXPECT_THAT(both->problem, HasSubstr("content hashes to"));
  // Past the chain's break, the derived data's problem is named, as
  // VerifyDerived names it; no page with a bad entry is handed over.
  absl::StatusOr<VerifyReport> derived = ledger_->VerifyEntries(1, 5, count);
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_FALSE(derived->ok);
  EXPECT_EQ(derived->first_bad, 3u);
  EXPECT_THAT(derived->problem, HasSubstr("Merkle node (level 0, index 2)"));
  EXPECT_EQ(pages, 0);
  absl::StatusOr<VerifyReport> after = ledger_->VerifyEntries(7, 10, count);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->ok) << after->problem;
  EXPECT_EQ(pages, 1);
}

TEST_F(LedgerTamperTest, VerifyEntriesStopsWithTheErrorOfItsVisit) {
  Open();
  absl::StatusOr<VerifyReport> r = ledger_->VerifyEntries(
      1, 10,
      [](std::vector<Entry>*) { return absl::CancelledError("enough"); });
  EXPECT_THAT(r.status(),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("enough")));
}

TEST_F(LedgerTamperTest, AnEntryClaimingAnotherSequenceDoesNotHangTheOpen) {
  {
    RawDb db(dir_.path());
    Entry e = *DecodeStoredEntry(db.Get("entries", EncodeSequenceKey(10)));
    e.sequence = 3;
    db.Put("entries", EncodeSequenceKey(10), EncodeStoredEntry(e));
  }
  EXPECT_THAT(TryOpen(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("says it is 3")));
  RocksDbLedger::Options forensic;
  forensic.forensic = true;
  Open(forensic);
  absl::StatusOr<VerifyReport> derived = ledger_->VerifyDerived(1, 10);
  ASSERT_TRUE(derived.ok());
  EXPECT_FALSE(derived->ok);
}

TEST_F(LedgerTamperTest, AnEntryDeletedInTheMiddleIsFound) {
  { RawDb(dir_.path()).Delete("entries", EncodeSequenceKey(5)); }
  // In the checked tail: the open refuses.
  EXPECT_THAT(TryOpen(), StatusIs(absl::StatusCode::kDataLoss,
                                  HasSubstr("broken at entry 5: missing")));
  // Before it: the open goes on, and the chain check (the scrubber's, or
  // audit verify) names it.
  RocksDbLedger::Options short_tail;
  short_tail.verify_tail_on_open = 4;
  Open(short_tail);
  absl::StatusOr<VerifyReport> chain = ledger_->Verify(1, 10);
  ASSERT_TRUE(chain.ok());
  EXPECT_FALSE(chain->ok);
  EXPECT_EQ(chain->first_bad, 5u);
  EXPECT_THAT(chain->problem, HasSubstr("missing"));
}

TEST_F(LedgerTamperTest, AMerkleNodeOnTheRightEdgeRefusesTheOpen) {
  // Ten leaves: the root is made of the subtrees of leaves 0-7 and 8-9.
  {
    RawDb db(dir_.path());
    db.Put("merkle", MerkleKey(3, 0), std::string(kHashBytes, 'x'));
  }
  EXPECT_THAT(TryOpen(), StatusIs(absl::StatusCode::kDataLoss,
                                  HasSubstr("Merkle nodes were changed")));
}

TEST_F(LedgerTamperTest, AMerkleNodeInTheTailRefusesTheOpen) {
  { RawDb(dir_.path()).Put("merkle", MerkleKey(0, 2), std::string(32, 'x')); }
  EXPECT_THAT(TryOpen(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("entry 3: Merkle node (level 0, index 2)")));
}

TEST_F(LedgerTamperTest, AMerkleNodeBeforeTheTailIsFoundByVerifyDerived) {
  { RawDb(dir_.path()).Put("merkle", MerkleKey(0, 2), std::string(32, 'x')); }
  RocksDbLedger::Options short_tail;
  short_tail.verify_tail_on_open = 4;
  Open(short_tail);  // entries 7..10 are checked; the node is entry 3's
  absl::StatusOr<VerifyReport> r = ledger_->VerifyDerived(1, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad, 3u);
  EXPECT_THAT(r->problem, HasSubstr("Merkle node (level 0, index 2)"));
}

TEST_F(LedgerTamperTest, AMissingStreamKeyInTheTailRefusesTheOpen) {
  { RawDb(dir_.path()).Delete("streams", StreamKey("a", 5)); }
  EXPECT_THAT(TryOpen(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("entry 9: its key in the index of stream a "
                                 "(version 5) is missing")));
}

TEST_F(LedgerTamperTest, AStrayStreamKeyIsFoundByVerifyStorage) {
  {
    RawDb(dir_.path()).Put("streams", StreamKey("zz", 1), EncodeSequenceKey(3));
  }
  Open();
  absl::StatusOr<VerifyReport> r = ledger_->VerifyStorage();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_THAT(r->problem, HasSubstr("holds 11 keys for 10 entries"));
}

TEST_F(LedgerTamperTest, AStrayMerkleNodeIsFoundByVerifyStorage) {
  { RawDb(dir_.path()).Put("merkle", MerkleKey(0, 12), std::string(32, 'x')); }
  // A leaf past the head: the open sees a tree of 13 leaves.
  EXPECT_THAT(TryOpen(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("13 leaves")));
  {
    RawDb db(dir_.path());
    db.Delete("merkle", MerkleKey(0, 12));
    db.Put("merkle", MerkleKey(2, 7), std::string(32, 'x'));
  }
  Open();
  absl::StatusOr<VerifyReport> r = ledger_->VerifyStorage();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_THAT(r->problem, HasSubstr("outside the tree of 10 entries"));
}

TEST_F(LedgerTamperTest, AForgedIdempotencyRecordIsFoundByVerifyStorage) {
  {
    RawDb db(dir_.path());
    db.Put("idempotency", "someone/op/key", IdempotencyRecord(3, 2, 1, "b"));
  }
  Open();
  absl::StatusOr<VerifyReport> r = ledger_->VerifyStorage();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_THAT(r->problem, HasSubstr("does not match entries 3..3 of stream b"));
}

TEST_F(LedgerTamperTest, IdempotencyRecordsAreCheckedAcrossEveryBatch) {
  // More records than one batch of reads (kScanPage), each naming a real
  // entry; then a forged one that sorts after all of them.
  constexpr int kRecords = 9000;
  {
    RawDb db(dir_.path());
    for (int i = 0; i < kRecords; ++i) {
      const uint64_t n = 1 + i % 10;
      db.Put("idempotency", absl::StrCat("someone/op/", 100000 + i),
             IdempotencyRecord(n, (n + 1) / 2, 1, n % 2 == 1 ? "a" : "b"));
    }
  }
  Open();
  absl::StatusOr<VerifyReport> clean = ledger_->VerifyStorage();
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->ok) << clean->problem;
  EXPECT_EQ(clean->checked, 10u + 18u + kRecords);
  Close();
  {
    RawDb db(dir_.path());
    db.Put("idempotency", "someone/op/zzz", IdempotencyRecord(4, 2, 1, "a"));
  }
  Open();
  absl::StatusOr<VerifyReport> r = ledger_->VerifyStorage();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_THAT(r->problem,
              HasSubstr("\"someone/op/zzz\" does not match entries 4..4 of "
                        "stream a"));
}

TEST_F(LedgerTamperTest, IdempotencyClaimsAreCheckedHoldingFewAtATime) {
  // Twenty appends with idempotency keys after the ten entries, to streams
  // d and c in turn, every fourth of three entries: entries 11..40, and
  // entries 11..13 are versions 1..3 of d, 14 is c's first, 15 d's 4th.
  Open();
  for (int i = 0; i < 20; ++i) {
    AppendRequest r;
    r.stream = i % 2 == 0 ? "d" : "c";
    absl::StatusOr<uint64_t> v = ledger_->StreamVersion(r.stream);
    ASSERT_TRUE(v.ok());
    r.expected_version = *v;
    r.idempotency_key = absl::StrCat("someone/op/", i);
    for (int k = 0; k < (i % 4 == 0 ? 3 : 1); ++k) {
      r.entries.push_back(NewEntry{"test.event", "payload", "tester"});
    }
    ASSERT_TRUE(ledger_->AppendAndWait(std::move(r)).ok());
  }
  ASSERT_EQ(ledger_->GetHead().sequence, 40u);
  Close();
  // Two claims held make a pass per entry or two; the default, one pass.
  const std::vector<size_t> held = {
      2, 5, RocksDbLedger::Options().verify_claims_in_memory};
  auto verify_holding = [&](size_t n) {
    RocksDbLedger::Options options;
    options.verify_claims_in_memory = n;
    Open(options);
    absl::StatusOr<VerifyReport> r = ledger_->VerifyStorage();
    Close();
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : VerifyReport();
  };
  for (size_t n : held) {
    const VerifyReport r = verify_holding(n);
    EXPECT_TRUE(r.ok) << "holding " << n << ": " << r.problem;
    // Stream keys, Merkle nodes (2 * 40 - popcount(40)), records.
    EXPECT_EQ(r.checked, 40u + 78u + 20u) << "holding " << n;
  }
  // A record of three entries whose last is the version it names but whose
  // first is not the version three before: 13 is d's 3rd, not its 2nd.
  {
    RawDb db(dir_.path());
    db.Put("idempotency", "someone/op/forged",
           IdempotencyRecord(13, 4, 3, "d"));
  }
  for (size_t n : held) {
    const VerifyReport r = verify_holding(n);
    EXPECT_FALSE(r.ok) << "holding " << n;
    EXPECT_THAT(r.problem,
                HasSubstr("\"someone/op/forged\" does not match entries "
                          "13..15 of stream d"))
        << "holding " << n;
  }
}

TEST_F(LedgerTamperTest, AFlippedTableByteIsFound) {
  {
    RawDb db(dir_.path());
    db.Flush();
  }
  // Flip a byte in the middle of every table file.
  int flipped = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_.path())) {
    if (f.path().extension() != ".sst") continue;
    std::fstream io(f.path(), std::ios::in | std::ios::out | std::ios::binary);
    const auto size = std::filesystem::file_size(f.path());
    io.seekg(static_cast<std::streamoff>(size / 4));
    char c = 0;
    io.get(c);
    io.seekp(static_cast<std::streamoff>(size / 4));
    io.put(static_cast<char>(c ^ 0x5a));
    ++flipped;
  }
  ASSERT_GT(flipped, 0);
  absl::Status opened = TryOpen();
  if (!opened.ok()) {
    EXPECT_THAT(opened, StatusIs(absl::StatusCode::kDataLoss));
    return;
  }
  absl::StatusOr<VerifyReport> r = ledger_->VerifyStorage();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_THAT(r->problem, HasSubstr("checksum"));
}

TEST_F(LedgerTamperTest, ATornWriteAheadLogTailStillOpens) {
  // Ten more groups, then the directory as a crash leaves it: copied while
  // the ledger is open, so that they are only in the write-ahead log (a
  // clean close flushes them to table files).
  Open();
  for (uint64_t n = 11; n <= 20; ++n) Write(n % 2 == 1 ? "a" : "b");
  const std::string crashed = dir_.path() + ".crashed";
  std::filesystem::copy(dir_.path(), crashed,
                        std::filesystem::copy_options::recursive);
  Close();
  std::filesystem::remove_all(dir_.path());
  std::filesystem::rename(crashed, dir_.path());
  // Cut the log's last bytes, as a crash in the middle of a write would.
  std::filesystem::path log;
  for (const auto& f : std::filesystem::directory_iterator(dir_.path())) {
    if (f.path().extension() == ".log" &&
        std::filesystem::file_size(f.path()) > 0) {
      log = f.path();
    }
  }
  ASSERT_FALSE(log.empty());
  std::filesystem::resize_file(log, std::filesystem::file_size(log) - 20);
  Open();
  const Head head = ledger_->GetHead();
  EXPECT_LT(head.sequence, 20u);
  EXPECT_GE(head.sequence, 10u);
  EXPECT_THAT(ledger_->OpenProblems(), IsEmpty());
  absl::StatusOr<VerifyReport> chain = ledger_->Verify(1, head.sequence);
  absl::StatusOr<VerifyReport> storage = ledger_->VerifyStorage();
  ASSERT_TRUE(chain.ok() && storage.ok());
  EXPECT_TRUE(chain->ok) << chain->problem;
  EXPECT_TRUE(storage->ok) << storage->problem;
  // And it goes on from there.
  Write("a");
  EXPECT_EQ(ledger_->GetHead().sequence, head.sequence + 1);
}

TEST_F(LedgerTamperTest, ALedgerWithoutAHeadRecordGetsOne) {
  // As written before head records existed.
  { RawDb(dir_.path()).Delete("meta", "head"); }
  Open();
  EXPECT_THAT(ledger_->OpenProblems(), IsEmpty());
  Close();
  EXPECT_TRUE(RawDb(dir_.path()).Has("meta", "head"));
}

TEST_F(LedgerTamperTest, AForensicOpenServesReadsAndRefusesAppends) {
  { RawDb(dir_.path()).Delete("entries", EncodeSequenceKey(10)); }
  RocksDbLedger::Options forensic;
  forensic.forensic = true;
  Open(forensic);
  EXPECT_THAT(ledger_->OpenProblems(),
              Contains(HasSubstr("entries 10..10 were removed")));
  EXPECT_TRUE(ledger_->Read(5).ok());
  AppendRequest r;
  r.stream = "c";
  r.entries.push_back(NewEntry{"test.event", "payload", "tester"});
  EXPECT_THAT(ledger_->AppendAndWait(std::move(r)),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("open for inspection only")));
}

TEST_F(LedgerTamperTest, AReadOnlyOpenChangesNoByte) {
  { RawDb(dir_.path()).Delete("entries", EncodeSequenceKey(10)); }
  const std::string before = Fingerprint(dir_.path());
  RocksDbLedger::Options read_only;
  read_only.read_only = true;
  Open(read_only);
  EXPECT_THAT(ledger_->OpenProblems(),
              Contains(HasSubstr("entries 10..10 were removed")));
  ASSERT_TRUE(ledger_->Verify(1, 9).ok());
  ASSERT_TRUE(ledger_->VerifyStorage().ok());
  AppendRequest r;
  r.stream = "c";
  r.entries.push_back(NewEntry{"test.event", "payload", "tester"});
  EXPECT_THAT(
      ledger_->AppendAndWait(std::move(r)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("read-only")));
  Close();
  EXPECT_EQ(Fingerprint(dir_.path()), before);
}

TEST_F(LedgerTamperTest, HaltRefusesEveryLaterAppend) {
  Open();
  ledger_->Halt(absl::DataLossError("the scrubber found entry 3 changed"));
  AppendRequest r;
  r.stream = "a";
  r.expected_version = 5;
  r.entries.push_back(NewEntry{"test.event", "payload", "tester"});
  EXPECT_THAT(ledger_->AppendAndWait(std::move(r)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("entry 3")));
  EXPECT_EQ(ledger_->GetHead().sequence, 10u);
}

TEST_F(LedgerTamperTest, ASnapshotDoesNotSeeLaterAppends) {
  Open();
  std::unique_ptr<const LedgerReader> before = ledger_->Snapshot();
  Write("a");
  absl::StatusOr<uint64_t> then = before->StreamVersion("a");
  absl::StatusOr<uint64_t> now = ledger_->StreamVersion("a");
  ASSERT_TRUE(then.ok() && now.ok());
  EXPECT_EQ(*then, 5u);
  EXPECT_EQ(*now, 6u);
  EXPECT_THAT(before->Read(11), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LedgerTamperTest, ListStreamsPagesThroughEveryStream) {
  Open();
  Write("c");
  absl::StatusOr<std::vector<StreamInfo>> first = ledger_->ListStreams("", 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].stream, "a");
  EXPECT_EQ((*first)[0].version, 5u);
  EXPECT_EQ((*first)[1].stream, "b");
  absl::StatusOr<std::vector<StreamInfo>> rest = ledger_->ListStreams("b", 2);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].stream, "c");
  EXPECT_EQ((*rest)[0].version, 1u);
}

}  // namespace
}  // namespace cradle::storage
