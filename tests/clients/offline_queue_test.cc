// The offline queue file: writes kept in order and byte for byte (their
// signatures must still verify), only the field writes accepted, and a
// damaged file refused naming the line.

#include "clients/offline_queue.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/manifest.pb.h"
#include "tests/testing/temp_dir.h"

namespace cradle::clients {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

v1::ScanRequest Scan(const std::string& key) {
  v1::ScanRequest r;
  r.mutable_meta()->set_idempotency_key(key);
  r.mutable_meta()->set_signature(std::string("\0\xff sig", 6));
  r.set_number("20263304000017");
  r.add_containers("91330402MA2B3C4D539002490820261122001");
  return r;
}

TEST(OfflineQueueTest, WritesComeBackInOrderByteForByte) {
  cradle::testing::TempDir dir;
  const std::string path = dir.path() + "/queue";
  absl::StatusOr<std::vector<QueuedWrite>> none = ReadQueue(path);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_THAT(*none, IsEmpty()) << "no file is an empty queue";

  v1::RelayRequest relay;
  relay.mutable_meta()->set_idempotency_key("r1");
  relay.set_number("20263304000017");
  ASSERT_TRUE(AppendToQueue(path, Scan("s1")).ok());
  ASSERT_TRUE(AppendToQueue(path, relay).ok());
  ASSERT_TRUE(AppendToQueue(path, Scan("s2")).ok());
  absl::StatusOr<std::vector<QueuedWrite>> got = ReadQueue(path);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_THAT(*got, SizeIs(3));
  EXPECT_EQ((*got)[0].type, "cradle.v1.ScanRequest");
  EXPECT_EQ((*got)[1].type, "cradle.v1.RelayRequest");
  EXPECT_EQ((*got)[0].bytes, Scan("s1").SerializeAsString());
  EXPECT_EQ((*got)[1].bytes, relay.SerializeAsString());
  EXPECT_EQ((*got)[2].bytes, Scan("s2").SerializeAsString());

  // What is left after the first is sent.
  got->erase(got->begin());
  ASSERT_TRUE(WriteQueue(path, *got).ok());
  absl::StatusOr<std::vector<QueuedWrite>> left = ReadQueue(path);
  ASSERT_TRUE(left.ok());
  EXPECT_THAT(*left, SizeIs(2));
  EXPECT_EQ((*left)[0].type, "cradle.v1.RelayRequest");
}

TEST(OfflineQueueTest, OnlyFieldWritesAreQueued) {
  cradle::testing::TempDir dir;
  const std::string path = dir.path() + "/queue";
  v1::OpenManifestRequest open;
  absl::Status s = AppendToQueue(path, open);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--queue"));
  EXPECT_FALSE(std::ifstream(path).good()) << "a refusal made the file";
  EXPECT_TRUE(Queueable("cradle.v1.DisposeRequest"));
  EXPECT_FALSE(Queueable("cradle.v1.CancelManifestRequest"));
}

TEST(OfflineQueueTest, ADamagedLineIsNamed) {
  cradle::testing::TempDir dir;
  const std::string path = dir.path() + "/queue";
  ASSERT_TRUE(AppendToQueue(path, Scan("s1")).ok());
  std::ofstream(path, std::ios::app) << "v1 cradle.v1.ScanRequest @@@\n";
  absl::StatusOr<std::vector<QueuedWrite>> got = ReadQueue(path);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(got.status().message(), HasSubstr("line 2"));
}

}  // namespace
}  // namespace cradle::clients
