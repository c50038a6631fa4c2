// The national node over logs in memory: the provinces file, following a
// province's log, and the checks of the heads it publishes.

#include "services/national_node.h"

#include <fstream>
#include <functional>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "security/ed25519.h"
#include "storage/entry_codec.h"
#include "storage/tree_head.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::services {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;

// RFC 8032's first public key, in hex.
const std::string kKey =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

TEST(ParseProvincesTest, ReadsLinesAndSkipsComments) {
  absl::StatusOr<std::vector<ProvinceSource>> p =
      ParseProvinces("# the provinces\n\n33 cradle_log_33 " + kKey +
                     " host=db33 port=5432 dbname=cradle\n  32\tlog32\t" +
                     kKey + "\thost=db32\n");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].code, "33");
  EXPECT_EQ((*p)[0].table, "cradle_log_33");
  EXPECT_EQ((*p)[0].public_key, absl::HexStringToBytes(kKey));
  EXPECT_EQ((*p)[0].conninfo, "host=db33 port=5432 dbname=cradle");
  EXPECT_EQ((*p)[1].code, "32");
  EXPECT_EQ((*p)[1].conninfo, "host=db32");
}

TEST(ParseProvincesTest, NamesTheLineAndTheFieldOfEachMistake) {
  const std::string good = "33 cradle_log_33 " + kKey + " host=db33\n";
  for (const auto& [text, what] :
       std::vector<std::pair<std::string, std::string>>{
           {"33 cradle_log_33 " + kKey + "\n", "line 1: want CODE"},
           {"3x cradle_log " + kKey + " host=a\n", "line 1: code \"3x\""},
           {"00 cradle_log " + kKey + " host=a\n", "line 1: code \"00\""},
           {good + good, "line 2: code 33 is listed twice"},
           {"# c\n33 Log " + kKey + " host=a\n", "line 2: table \"Log\""},
           {"33 log abc host=a\n", "line 1: public key \"abc\""},
           {"33 log 01" + std::string(62, '0') + " host=a\n",
            "line 1: public key 0100"},  // the identity: small order
       }) {
    EXPECT_THAT(ParseProvinces(text),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(what)))
        << text;
  }
}

// Hands the node a log the test keeps writing to.
class SharedLog final : public storage::BatchLog {
 public:
  explicit SharedLog(storage::BatchLog* log) : log_(log) {}
  absl::Status Append(const storage::LogRecord& r) override {
    return log_->Append(r);
  }
  absl::StatusOr<std::vector<storage::LogRecord>> ReadAfter(
      uint64_t after, size_t limit) const override {
    return log_->ReadAfter(after, limit);
  }
  absl::Status MarkDurable() override { return log_->MarkDurable(); }
  absl::StatusOr<uint64_t> Settle() override { return log_->Settle(); }
  absl::StatusOr<uint64_t> Prune(uint64_t through) override {
    return log_->Prune(through);
  }
  absl::Status PublishHead(const storage::PublishedHead& head) override {
    return log_->PublishHead(head);
  }
  absl::StatusOr<storage::PublishedHead> LatestHead() const override {
    return log_->LatestHead();
  }

 private:
  storage::BatchLog* log_;
};

class NationalNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::RocksDbLedger::Options options;
    options.log = &log_;
    absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> writer =
        storage::RocksDbLedger::Open(dir_.Sub("province"), options);
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_ = *std::move(writer);
    ASSERT_TRUE(writer_->BecomeWriter().ok());
    absl::StatusOr<std::unique_ptr<security::Ed25519Key>> key =
        security::Ed25519Key::LoadOrCreate(dir_.Sub("province.pem"));
    ASSERT_TRUE(key.ok());
    key_ = *std::move(key);
    std::ofstream(dir_.Sub("provinces.txt"))
        << "33 cradle_log_33 " << storage::HexHash(key_->public_key())
        << " memory\n";
    NationalOptions national;
    national.data_dir = dir_.Sub("national");
    national.provinces_file = dir_.Sub("provinces.txt");
    national.poll = absl::Milliseconds(5);
    national.reread = absl::Milliseconds(50);
    national.open_log = [this](const ProvinceSource& source)
        -> absl::StatusOr<std::unique_ptr<storage::BatchLog>> {
      EXPECT_EQ(source.conninfo, "memory");
      return std::make_unique<SharedLog>(&log_);
    };
    absl::StatusOr<std::unique_ptr<NationalNode>> node =
        NationalNode::Start(std::move(national));
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
  }

  void Write(int n) {
    for (int i = 0; i < n; ++i) {
      storage::AppendRequest r;
      r.stream = "s";
      r.expected_version = version_++;
      r.entries.push_back(storage::NewEntry{"test.event", "e", "tester"});
      ASSERT_TRUE(writer_->AppendAndWait(r).ok());
    }
  }

  // Publishes the writer's head as it stands, signed by `key`, with its
  // root or another.
  void Publish(const security::Ed25519Key& key, bool true_root = true) {
    const storage::TreeHead head = writer_->GetTreeHead();
    storage::PublishedHead p;
    p.tree_size = head.size;
    p.timestamp = absl::FromUnixSeconds(1795000000);
    p.root = head.root;
    if (!true_root) p.root[5] ^= 1;
    p.signature =
        key.Sign(storage::TreeHeadMessage(p.tree_size, p.timestamp, p.root));
    ASSERT_TRUE(log_.PublishHead(p).ok());
  }

  v1::ProvinceStatus Status() {
    std::vector<v1::ProvinceStatus> all = node_->Statuses();
    return all.empty() ? v1::ProvinceStatus() : all[0];
  }

  bool WaitFor(const std::function<bool(const v1::ProvinceStatus&)>& done) {
    for (int i = 0; i < 400; ++i) {
      if (done(Status())) return true;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }

  cradle::testing::TempDir dir_;
  storage::MemoryBatchLog log_;
  std::unique_ptr<storage::RocksDbLedger> writer_;
  std::unique_ptr<security::Ed25519Key> key_;
  std::unique_ptr<NationalNode> node_;
  uint64_t version_ = 0;
};

TEST_F(NationalNodeTest, FollowsTheLogAndVerifiesWhatTheProvinceSigned) {
  Write(5);
  Publish(*key_);
  ASSERT_TRUE(WaitFor([](const v1::ProvinceStatus& p) {
    return p.verified_head().tree_size() == 5;
  })) << Status().DebugString();
  EXPECT_EQ(Status().head_sequence(), 5u);
  EXPECT_EQ(Status().head_hash(), storage::HexHash(writer_->GetHead().hash));
  EXPECT_EQ(Status().verified_head().root_hash(),
            storage::HexHash(writer_->GetTreeHead().root));
  EXPECT_EQ(Status().problem(), "");
  // Everything the national copy answers from is the province's.
  absl::Status seen = node_->ForEach(
      "", [&](const std::string& code, const storage::Ledger& ledger,
              const ManifestStore&) {
        EXPECT_EQ(code, "33");
        EXPECT_EQ(ledger.GetTreeHead().root, writer_->GetTreeHead().root);
        return absl::OkStatus();
      });
  EXPECT_TRUE(seen.ok());
}

TEST_F(NationalNodeTest, AHeadBeyondTheCopyWaitsForIt) {
  Write(2);
  ASSERT_TRUE(WaitFor(
      [](const v1::ProvinceStatus& p) { return p.head_sequence() == 2; }));
  // Published, but its entries not yet in the log: the copy cannot check
  // it yet, and says it is behind rather than wrong.
  storage::PublishedHead ahead;
  ahead.tree_size = 9;
  ahead.root = std::string(32, 'r');
  ahead.signature = std::string(64, 's');
  ASSERT_TRUE(log_.PublishHead(ahead).ok());
  ASSERT_TRUE(WaitFor(
      [](const v1::ProvinceStatus& p) { return p.published_size() == 9; }));
  EXPECT_EQ(Status().problem(), "");
  EXPECT_FALSE(Status().has_verified_head());
}

TEST_F(NationalNodeTest, AHeadSignedByAnotherKeyHaltsTheProvince) {
  Write(3);
  absl::StatusOr<std::unique_ptr<security::Ed25519Key>> other =
      security::Ed25519Key::LoadOrCreate(dir_.Sub("other.pem"));
  ASSERT_TRUE(other.ok());
  Publish(**other);
  ASSERT_TRUE(WaitFor(
      [](const v1::ProvinceStatus& p) { return !p.problem().empty(); }));
  EXPECT_THAT(Status().problem(),
              HasSubstr("the head it published at size 3 is not signed by "
                        "its pinned key"));
  Write(2);  // no longer applied
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(Status().head_sequence(), 3u);
}

TEST_F(NationalNodeTest, ASignedRootTheLogDoesNotGiveHaltsTheProvince) {
  Write(4);
  Publish(*key_, /*true_root=*/false);
  ASSERT_TRUE(WaitFor(
      [](const v1::ProvinceStatus& p) { return !p.problem().empty(); }));
  EXPECT_THAT(Status().problem(),
              HasSubstr("the province's ledger and its log disagree"));
  EXPECT_FALSE(Status().has_verified_head());
}

TEST_F(NationalNodeTest, AProvinceAddedToTheFileIsFollowed) {
  std::ofstream(dir_.Sub("provinces.txt"), std::ios::app)
      << "32 cradle_log_32 " << kKey << " memory\n";
  std::vector<v1::ProvinceStatus> all;
  for (int i = 0; i < 400 && all.size() < 2; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    all = node_->Statuses();
  }
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].code(), "32");
  EXPECT_EQ(all[1].code(), "33");
}

}  // namespace
}  // namespace cradle::services
