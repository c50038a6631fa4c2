// The messages the ledger stores (entry payloads, materialised states, the
// signed tree head kept beside the ledger) must keep reading what earlier
// versions wrote. Their descriptors as a version froze them are checked in
// (tests/compat/stored-messages-v1.desc, `protoc --include_imports
// --descriptor_set_out`); this test walks each frozen message and requires
// of today's: every field number still there, with the same type and the
// same cardinality, every enum value's number still there. Names may change
// (they are not in the bytes); a new field is free. The walk is by
// structure, so a stored message may also move to another package.

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/audit.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "tests/testing/descriptor_compat.h"

namespace cradle {
namespace {

using ::cradle::testing::Compatibility;
using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;

class StoredMessagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(CRADLE_SOURCE_DIR) +
                         "/tests/compat/stored-messages-v1.desc",
                     std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    google::protobuf::FileDescriptorSet set;
    ASSERT_TRUE(set.ParseFromString(bytes.str()));
    for (const google::protobuf::FileDescriptorProto& file : set.file()) {
      ASSERT_NE(frozen_.BuildFile(file), nullptr) << file.name();
    }
  }

  // Every stored message, as frozen and as today's code has it.
  std::vector<std::pair<std::string, const Descriptor*>> Stored() const {
    return {
        // Since the ledger has its own messages: what v1 stored under the
        // request types reads as them.
        {"cradle.v1.ManifestEvent", ledger::v1::ManifestEvent::descriptor()},
        {"cradle.v1.RegistryEvent", ledger::v1::RegistryEvent::descriptor()},
        {"cradle.v1.CredentialEvent",
         ledger::v1::CredentialEvent::descriptor()},
        {"cradle.v1.Manifest", v1::Manifest::descriptor()},
        {"cradle.v1.Enterprise", v1::Enterprise::descriptor()},
        {"cradle.v1.Approval", v1::Approval::descriptor()},
        {"cradle.v1.SignedTreeHead", v1::SignedTreeHead::descriptor()},
    };
  }

  DescriptorPool frozen_;
};

// The ledger's own events as each version froze them: v1 when they got
// their own home, v2 with the legal form's line fields, v3 with the rest of
// the generator's, the carrier's and the receiver's parts (2026-12). Every
// message of each file, by name, still reads what it wrote.
class LedgerEventsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LedgerEventsTest, TodaysLedgerEventsReadWhatTheyWrote) {
  std::ifstream in(
      std::string(CRADLE_SOURCE_DIR) + "/tests/compat/" + GetParam(),
      std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  google::protobuf::FileDescriptorSet set;
  ASSERT_TRUE(set.ParseFromString(bytes.str()));
  DescriptorPool frozen;
  const google::protobuf::FileDescriptor* events = nullptr;
  for (const google::protobuf::FileDescriptorProto& file : set.file()) {
    const google::protobuf::FileDescriptor* f = frozen.BuildFile(file);
    ASSERT_NE(f, nullptr) << file.name();
    if (file.name() == "cradle/ledger/v1/events.proto") events = f;
  }
  ASSERT_NE(events, nullptr);
  ASSERT_GT(events->message_type_count(), 30);
  Compatibility check;
  for (int i = 0; i < events->message_type_count(); ++i) {
    const Descriptor* was = events->message_type(i);
    const Descriptor* now =
        DescriptorPool::generated_pool()->FindMessageTypeByName(
            was->full_name());
    if (now == nullptr) {
      ADD_FAILURE() << was->full_name() << " is gone";
      continue;
    }
    check.Message(*was, *now, was->full_name());
  }
  EXPECT_THAT(check.problems(), ::testing::IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    EveryVersion, LedgerEventsTest,
    ::testing::Values("ledger-events-v1.desc", "ledger-events-v2.desc",
                      "ledger-events-v3.desc", "ledger-events-v4.desc",
                      "ledger-events-v5.desc", "ledger-events-v6.desc",
                      "ledger-events-v7.desc", "ledger-events-v8.desc",
                      "ledger-events-v9.desc", "ledger-events-v10.desc",
                      "ledger-events-v11.desc", "ledger-events-v12.desc"));

TEST_F(StoredMessagesTest, TodaysMessagesReadWhatV1Stored) {
  Compatibility check;
  for (const auto& [name, now] : Stored()) {
    const Descriptor* frozen = frozen_.FindMessageTypeByName(name);
    ASSERT_NE(frozen, nullptr) << name;
    check.Message(*frozen, *now, name);
  }
  EXPECT_THAT(check.problems(), ::testing::IsEmpty());
}

// The check finds what it is for: a frozen message compared with one that
// renumbered, retyped and dropped fields.
TEST_F(StoredMessagesTest, TheCheckNamesARemovedOrRetypedField) {
  Compatibility check;
  check.Message(*frozen_.FindMessageTypeByName("cradle.v1.Manifest"),
                *v1::Enterprise::descriptor(), "Manifest");
  ASSERT_FALSE(check.problems().empty());
  EXPECT_THAT(check.problems(),
              ::testing::Contains(::testing::HasSubstr("is gone")));
  Compatibility same;
  same.Message(*frozen_.FindMessageTypeByName("cradle.v1.Manifest"),
               *v1::Manifest::descriptor(), "Manifest");
  EXPECT_THAT(same.problems(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace cradle
