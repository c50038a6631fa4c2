#include "services/reads.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "services/keys.h"
#include "storage/rocksdb_ledger.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::services {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;

class ReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> opened =
        storage::RocksDbLedger::Open(dir_.path(), {});
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
  }

  // `n` index keys under `prefix`, 200 to an append of one entry to stream
  // "s".
  void Write(const std::string& prefix, int n) {
    for (int i = 0; i < n;) {
      storage::AppendRequest r;
      r.stream = "s";
      r.expected_version = version_++;
      r.entries.push_back({"test.event", "x", "tester"});
      for (int k = 0; k < 200 && i < n; ++k, ++i) {
        r.mutations.push_back(storage::Mutation::Put(
            storage::Table::kIndex, absl::StrFormat("%s%05d", prefix, i),
            absl::StrCat(i)));
      }
      absl::StatusOr<storage::AppendResult> done =
          ledger_->AppendAndWait(std::move(r));
      ASSERT_TRUE(done.ok()) << done.status();
    }
  }

  cradle::testing::TempDir dir_;
  std::unique_ptr<storage::RocksDbLedger> ledger_;
  uint64_t version_ = 0;  // of stream "s"
};

TEST_F(ReadsTest, AWholeScanReadsEveryPageAndNoOtherPrefix) {
  Write("a/", 2500);  // over two pages
  Write("b/", 3);
  absl::StatusOr<std::vector<storage::KeyValue>> rows =
      ScanWholeIndex(*ledger_, "a/", 2500, "rows");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2500u);
  EXPECT_EQ(rows->front().key, "a/00000");
  EXPECT_EQ(rows->back().key, "a/02499");
  EXPECT_EQ(rows->back().value, "2499");
}

TEST_F(ReadsTest, MoreThanTheLimitIsAnErrorNotAShortAnswer) {
  Write("a/", 11);
  EXPECT_TRUE(ScanWholeIndex(*ledger_, "a/", 11, "rows").ok());
  absl::StatusOr<std::vector<storage::KeyValue>> rows =
      ScanWholeIndex(*ledger_, "a/", 10, "receivers in city 3304");
  EXPECT_THAT(rows, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(rows.status().message()),
              HasSubstr("more than 10 receivers in city 3304"));
}

TEST_F(ReadsTest, AStreamReadWholeOrRefused) {
  for (int i = 0; i < 5; ++i) Write("a/", 1);
  absl::StatusOr<std::vector<storage::Entry>> all =
      ReadWholeStream(*ledger_, "s", 5);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 5u);
  EXPECT_THAT(ReadWholeStream(*ledger_, "s", 4),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(ReadWholeStream(*ledger_, "none", 4),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ReadsTest, RiskCountsOpenFlagsAndHighOnes) {
  const std::string prefix = keys::FlagEnterprisePrefix("E1");
  storage::AppendRequest r;
  r.stream = "s";
  r.expected_version = version_++;
  r.entries.push_back({"test.event", "x", "tester"});
  for (const auto& [id, severity] :
       {std::pair{"N1-F1", "LOW"}, std::pair{"N2-F1", "HIGH"}}) {
    r.mutations.push_back(storage::Mutation{storage::Table::kIndex, prefix + id,
                                            std::string(severity)});
  }
  ASSERT_TRUE(ledger_->AppendAndWait(std::move(r)).ok());
  absl::StatusOr<v1::EnterpriseRisk> risk = ReadEnterpriseRisk(*ledger_, "E1");
  ASSERT_TRUE(risk.ok()) << risk.status();
  EXPECT_EQ(risk->id(), "E1");
  EXPECT_EQ(risk->open_flags(), 2);
  EXPECT_EQ(risk->open_high(), 1);
  EXPECT_EQ(risk->colour(), "red");
  EXPECT_THAT(risk->flag_ids(), ::testing::ElementsAre("N1-F1", "N2-F1"));
  absl::StatusOr<v1::EnterpriseRisk> none = ReadEnterpriseRisk(*ledger_, "E2");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->colour(), "green");
}

}  // namespace
}  // namespace cradle::services
