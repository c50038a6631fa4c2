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

#include "cradle/v1/audit.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"

namespace cradle {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

// Compares a frozen message with today's, recursively, collecting what no
// longer reads the frozen bytes.
class Compatibility {
 public:
  void Message(const Descriptor& frozen, const Descriptor& now,
               const std::string& path) {
    if (!seen_.insert({frozen.full_name(), now.full_name()}).second) return;
    for (int i = 0; i < frozen.field_count(); ++i) {
      const FieldDescriptor& f = *frozen.field(i);
      const std::string at =
          absl::StrCat(path, ".", f.name(), " (", f.number(), ")");
      const FieldDescriptor* g = now.FindFieldByNumber(f.number());
      if (g == nullptr) {
        problems_.push_back(absl::StrCat(at, " is gone"));
        continue;
      }
      if (g->type() != f.type()) {
        problems_.push_back(
            absl::StrCat(at, " was ", f.type_name(), ", is ", g->type_name()));
        continue;
      }
      if (g->is_repeated() != f.is_repeated()) {
        problems_.push_back(absl::StrCat(
            at, f.is_repeated() ? " was repeated" : " was singular"));
        continue;
      }
      if (f.message_type() != nullptr) {
        Message(*f.message_type(), *g->message_type(), at);
      } else if (f.enum_type() != nullptr) {
        Enum(*f.enum_type(), *g->enum_type(), at);
      }
    }
  }

  void Enum(const EnumDescriptor& frozen, const EnumDescriptor& now,
            const std::string& path) {
    for (int i = 0; i < frozen.value_count(); ++i) {
      if (now.FindValueByNumber(frozen.value(i)->number()) == nullptr) {
        problems_.push_back(
            absl::StrCat(path, ": enum value ", frozen.value(i)->name(), " (",
                         frozen.value(i)->number(), ") is gone"));
      }
    }
  }

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::set<std::pair<std::string, std::string>> seen_;
  std::vector<std::string> problems_;
};

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
        {"cradle.v1.ManifestEvent", v1::ManifestEvent::descriptor()},
        {"cradle.v1.RegistryEvent", v1::RegistryEvent::descriptor()},
        {"cradle.v1.CredentialEvent", v1::CredentialEvent::descriptor()},
        {"cradle.v1.Manifest", v1::Manifest::descriptor()},
        {"cradle.v1.Enterprise", v1::Enterprise::descriptor()},
        {"cradle.v1.Approval", v1::Approval::descriptor()},
        {"cradle.v1.SignedTreeHead", v1::SignedTreeHead::descriptor()},
    };
  }

  DescriptorPool frozen_;
};

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
