#include "services/write_pipeline.h"

#include <memory>
#include <string>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "storage/rocksdb_ledger.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::services {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;

// The pipeline over a real ledger, with a reply that is the stream's
// version as the first write left it ("fresh:N" or "replay:N").
class WritePipelineTest : public ::testing::Test {
 protected:
  using Pipeline = WritePipeline<std::string>;

  void SetUp() override {
    absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> opened =
        storage::RocksDbLedger::Open(dir_.path(), {});
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
    pipeline_ = std::make_unique<Pipeline>(
        *ledger_,
        [](const storage::AppendResult& first) -> absl::StatusOr<std::string> {
          return "replay:" + std::to_string(first.first_sequence);
        },
        [](std::string* reply) { *reply += "+copy"; });
    who_.credential = "0123456789abcdef";
    who_.kind = v1::CREDENTIAL_KIND_ADMINISTRATOR;
  }

  // An append of one entry to `stream`, counting the calls.
  absl::StatusOr<PreparedWrite<std::string>> Prepare(const std::string& stream,
                                                     uint64_t version = 0) {
    ++prepared_;
    PreparedWrite<std::string> out;
    out.append.stream = stream;
    out.append.expected_version = version;
    out.append.entries.push_back({"test.event", "payload", who_.Actor()});
    out.append.mutations.push_back(
        storage::Mutation::Put(storage::Table::kState, "state/" + stream, "s"));
    out.answer =
        [](const storage::AppendResult& r) -> absl::StatusOr<std::string> {
      return "fresh:" + std::to_string(r.first_sequence);
    };
    out.created = "id " + stream;
    return out;
  }

  // Runs one write and waits for its answer.
  absl::StatusOr<std::string> WriteAndWait(
      const std::string& key, const Pipeline::Prepare& prepare,
      Pipeline::Copies copies = Pipeline::Copies::kEachDecides) {
    absl::Notification done;
    absl::StatusOr<std::string> answer;
    v1::WriteMeta meta;
    meta.set_idempotency_key(key);
    pipeline_->Write(
        who_, "op", meta, prepare,
        [&](absl::StatusOr<std::string> r) {
          answer = std::move(r);
          done.Notify();
        },
        copies);
    done.WaitForNotification();
    return answer;
  }

  cradle::testing::TempDir dir_;
  std::unique_ptr<storage::RocksDbLedger> ledger_;
  std::unique_ptr<Pipeline> pipeline_;
  domain::Principal who_;
  int prepared_ = 0;
};

TEST_F(WritePipelineTest, AMissingOrLongKeyIsRefusedBeforeAnythingIsDecided) {
  auto prepare = [this] { return Prepare("a"); };
  EXPECT_THAT(WriteAndWait("", prepare),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("meta.idempotency_key is required")));
  EXPECT_THAT(WriteAndWait(std::string(129, 'k'), prepare),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("129 bytes; the limit is 128")));
  EXPECT_EQ(prepared_, 0);
  EXPECT_EQ(ledger_->GetHead().sequence, 0u);
}

TEST_F(WritePipelineTest, ARetryIsAnsweredFromTheFirstWriteWithoutDeciding) {
  auto prepare = [this] { return Prepare("a"); };
  absl::StatusOr<std::string> first = WriteAndWait("k1", prepare);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, "fresh:1");
  absl::StatusOr<std::string> retry = WriteAndWait("k1", prepare);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(*retry, "replay:1");
  EXPECT_EQ(prepared_, 1);
  EXPECT_EQ(ledger_->GetHead().sequence, 1u);
}

TEST_F(WritePipelineTest, KeysAreScopedToTheCallerAndTheOperation) {
  auto prepare_a = [this] { return Prepare("a"); };
  auto prepare_b = [this] { return Prepare("b"); };
  ASSERT_TRUE(WriteAndWait("k1", prepare_a).ok());
  who_.credential = "fedcba9876543210";
  who_.kind = v1::CREDENTIAL_KIND_PARTY;
  who_.enterprise = "91320000000000000X";
  absl::StatusOr<std::string> other = WriteAndWait("k1", prepare_b);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*other, "fresh:2");
}

TEST_F(WritePipelineTest, ARefusedDecisionWritesNothing) {
  auto refuse = [this]() -> absl::StatusOr<PreparedWrite<std::string>> {
    ++prepared_;
    return absl::FailedPreconditionError("status is DRAFT");
  };
  EXPECT_THAT(
      WriteAndWait("k1", refuse),
      StatusIs(absl::StatusCode::kFailedPrecondition, "status is DRAFT"));
  EXPECT_EQ(ledger_->GetHead().sequence, 0u);
  // The key stays free: the corrected request goes through under it.
  absl::StatusOr<std::string> fixed =
      WriteAndWait("k1", [this] { return Prepare("a"); });
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  EXPECT_EQ(*fixed, "fresh:1");
}

TEST_F(WritePipelineTest, ALostRaceToCreateAStreamIsAlreadyExistsNamingIt) {
  ASSERT_TRUE(WriteAndWait("k1", [this] { return Prepare("a"); }).ok());
  EXPECT_THAT(
      WriteAndWait("k2", [this] { return Prepare("a"); }),
      StatusIs(absl::StatusCode::kAlreadyExists, "id a is already registered"));
  // A stale version of an existing stream stays ABORTED: decide again.
  EXPECT_THAT(WriteAndWait("k3", [this] { return Prepare("a", 5); }),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("version 1")));
  EXPECT_EQ(ledger_->GetHead().sequence, 1u);
}

TEST_F(WritePipelineTest, CopiesThatShareDecideOnceAndTheSecondIsMarked) {
  absl::StatusOr<std::string> copy;
  absl::Notification copy_done;
  v1::WriteMeta meta;
  meta.set_idempotency_key("k1");
  // The copy arrives while the first is being decided.
  auto prepare = [&]() -> absl::StatusOr<PreparedWrite<std::string>> {
    if (prepared_ == 0) {
      pipeline_->Write(
          who_, "op", meta, [this] { return Prepare("a"); },
          [&](absl::StatusOr<std::string> r) {
            copy = std::move(r);
            copy_done.Notify();
          },
          Pipeline::Copies::kShareFirst);
    }
    return Prepare("a");
  };
  absl::StatusOr<std::string> first =
      WriteAndWait("k1", prepare, Pipeline::Copies::kShareFirst);
  copy_done.WaitForNotification();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(*first, "fresh:1");
  EXPECT_EQ(*copy, "fresh:1+copy");
  EXPECT_EQ(prepared_, 1);
  EXPECT_EQ(ledger_->GetHead().sequence, 1u);
}

TEST_F(WritePipelineTest, CopiesThatEachDecideAreAnsweredByTheWinner) {
  absl::StatusOr<std::string> copy;
  absl::Notification copy_done;
  v1::WriteMeta meta;
  meta.set_idempotency_key("k1");
  // The copy is decided and appended while the first is being decided;
  // the first's append then finds the key taken and answers as a replay.
  auto prepare = [&]() -> absl::StatusOr<PreparedWrite<std::string>> {
    if (prepared_ == 0) {
      ++prepared_;
      pipeline_->Write(
          who_, "op", meta, [this] { return Prepare("a"); },
          [&](absl::StatusOr<std::string> r) {
            copy = std::move(r);
            copy_done.Notify();
          });
      copy_done.WaitForNotification();
    }
    return Prepare("a");
  };
  absl::StatusOr<std::string> first = WriteAndWait("k1", prepare);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(*copy, "fresh:1");
  EXPECT_EQ(*first, "replay:1");
  EXPECT_EQ(ledger_->GetHead().sequence, 1u);
}

}  // namespace
}  // namespace cradle::services
