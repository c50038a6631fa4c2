#include "services/request_bytes.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/manifest.pb.h"
#include "tests/testing/status_matchers.h"

namespace cradle::services {
namespace {

using ::cradle::testing::StatusIs;

const google::protobuf::Descriptor& Open() {
  return *v1::OpenManifestRequest::descriptor();
}

// Whatever the check passes, protobuf parses: the check answers first, so
// a request it lets through never reaches the gRPC parser's silent refusal.
void ExpectAgreesWithProtobuf(const std::string& bytes) {
  const absl::Status s = CheckRequestBytes(Open(), bytes);
  v1::OpenManifestRequest parsed;
  const bool parses = parsed.ParseFromString(bytes);
  EXPECT_EQ(s.ok(), parses) << s;
  if (!s.ok()) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  }
}

TEST(RequestBytesTest, ATagLongerThanFiveBytesIsRefused) {
  // Found by request_bytes_fuzz: a field number that fits in 32 bits,
  // written as a six-byte varint (a trailing 0x00). Protobuf reads tags of
  // at most five bytes and refuses the message.
  ExpectAgreesWithProtobuf(std::string("\xf0\xdb\xe5\xe7\x8b\x00\x01", 7));
  ExpectAgreesWithProtobuf(std::string("\x98\x80\x80\x80\x00\x01", 6));
}

TEST(RequestBytesTest, ALengthLongerThanFiveBytesIsRefused) {
  // Found by request_bytes_fuzz after the tags were fixed: a length written
  // as ten bytes, which CodedInputStream::ReadVarint32 cuts to its low 32
  // bits (0) and protobuf's parser refuses; in a known field (5, lines) and
  // in one this version does not know (99).
  const std::string ten("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02", 10);
  ExpectAgreesWithProtobuf("\x2a" + ten);
  ExpectAgreesWithProtobuf("\x9a\x06" + ten);
  ExpectAgreesWithProtobuf(std::string("\x2a\x80\x80\x80\x80\x08", 6));
}

TEST(RequestBytesTest, GroupsAreRefused) {
  EXPECT_THAT(CheckRequestBytes(Open(), std::string("\x9b\x06\x9c\x06", 4)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RequestBytesTest, ValidRequestsPass) {
  v1::OpenManifestRequest r;
  r.set_generator("91330402MA2B3C4D5E");
  r.mutable_meta()->set_idempotency_key("k");
  ExpectAgreesWithProtobuf(r.SerializeAsString());
  EXPECT_TRUE(CheckRequestBytes(Open(), r.SerializeAsString()).ok());
}

}  // namespace
}  // namespace cradle::services
