// Node against a real embedded server: its status, a checkpoint copied over
// gRPC that opens as the same ledger, and the refusals.

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/node.grpc.pb.h"
#include "services/checkpoint_fetch.h"
#include "storage/entry_codec.h"
#include "storage/rocksdb_ledger.h"
#include "tests/integration/server_fixture.h"
#include "tests/testing/status_matchers.h"

namespace cradle::testing {
namespace {

using ::testing::HasSubstr;

class NodeIntegrationTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    node_ = v1::Node::NewStub(channel_);
  }
  std::unique_ptr<v1::Node::Stub> node_;
};

TEST_F(NodeIntegrationTest, AnEmbeddedServerSaysItIsSingle) {
  OpenOne();
  grpc::ClientContext ctx;
  As(&ctx, kGenerator);  // anyone authenticated
  v1::GetNodeStatusResponse status;
  ASSERT_TRUE(
      node_->GetNodeStatus(&ctx, v1::GetNodeStatusRequest(), &status).ok());
  EXPECT_EQ(status.role(), "single");
  EXPECT_EQ(status.writer(), "");
  EXPECT_EQ(status.head_sequence(), Head());
}

TEST_F(NodeIntegrationTest, ACheckpointCopiedOverGrpcOpensAsTheSameLedger) {
  for (int i = 0; i < 5; ++i) OpenOne();
  const std::string copy = dir_.Sub("copy");
  absl::StatusOr<services::FetchedCheckpoint> got =
      services::FetchCheckpoint(channel_, creds_[kAdmin].token, copy);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_GT(got->files, 0u);
  EXPECT_EQ(got->head_sequence, Head());
  EXPECT_FALSE(std::filesystem::exists(copy + ".partial"));
  // The server removes its side once the call is done.
  const std::string made = dir_.Sub("ledger") + "/checkpoints";
  for (int i = 0; i < 250 && !std::filesystem::is_empty(made); ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(std::filesystem::is_empty(made));

  storage::RocksDbLedger::Options options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> opened =
      storage::RocksDbLedger::Open(copy, options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ((*opened)->GetHead().sequence, got->head_sequence);
  EXPECT_EQ(storage::HexHash((*opened)->GetHead().hash), got->head_hash);
  absl::StatusOr<storage::VerifyReport> verified =
      (*opened)->Verify(1, UINT64_MAX);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->problem;
  absl::StatusOr<storage::VerifyReport> whole = (*opened)->VerifyStorage();
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->ok) << whole->problem;
  // Only the ledger's files: not the server's key or its signed head.
  EXPECT_FALSE(std::filesystem::exists(copy + "/cradle-signing-key.pem"));
  EXPECT_FALSE(std::filesystem::exists(copy + "/admin.token"));
}

TEST_F(NodeIntegrationTest, CheckpointsAndPruningAreTheAdministrators) {
  const std::string copy = dir_.Sub("copy");
  EXPECT_THAT(
      services::FetchCheckpoint(channel_, creds_[kGenerator].token, copy),
      StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_FALSE(std::filesystem::exists(copy));
  EXPECT_FALSE(std::filesystem::exists(copy + ".partial"));
  // Into a directory that holds something: refused before any call.
  std::filesystem::create_directories(copy);
  std::ofstream(copy + "/keep") << "mine";
  EXPECT_THAT(services::FetchCheckpoint(channel_, creds_[kAdmin].token, copy),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not an empty directory")));
  EXPECT_TRUE(std::filesystem::exists(copy + "/keep"));
  // An embedded server has no log to prune.
  grpc::ClientContext ctx;
  As(&ctx, kAdmin);
  v1::PruneLogRequest prune;
  prune.set_through_sequence(1);
  v1::PruneLogResponse pruned;
  grpc::Status s = node_->PruneLog(&ctx, prune, &pruned);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("no cluster node"));
  grpc::ClientContext party;
  As(&party, kGenerator);
  s = node_->PruneLog(&party, prune, &pruned);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace cradle::testing
