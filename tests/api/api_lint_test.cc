// The API's style, checked on the descriptors the server is built from (no
// `buf` on Debian 12 or npm; these are the rules of Google's API design
// guide and buf's DEFAULT lint set that matter to a client):
//
//   enum-prefix      every enum value starts with its enum's name in
//                    UPPER_SNAKE_CASE, and 0 is <PREFIX>_UNSPECIFIED
//   field-keyword    no field named after a keyword of a common language
//   write-meta       every write carries `WriteMeta meta` (idempotency key,
//                    device facts, signature)
//   rpc-names        the request of RPC Foo is Foo...Request, its response
//                    Foo...Response (or a stream's chunk type)
//   rpc-unique       no message is the request or response of two RPCs
//   list-pages       a List RPC takes page_size and page_token and answers
//                    next_page_token
//
// What the API still breaks is listed in Known() below, each with the rule;
// the test fails on anything new, and on a listed item that was fixed (so
// the list only shrinks). docs/API.md says why each is left.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

#include "cradle/v1/audit.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/feed.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/national.pb.h"
#include "cradle/v1/node.pb.h"
#include "cradle/v1/registry.pb.h"

namespace cradle {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

// Found and not yet fixed: "<rule> <what>". Empty since the API revision
// of #13; anything the rules find now is new.
const std::set<std::string>& Known() {
  static const auto* known = new std::set<std::string>{};
  return *known;
}

std::string UpperSnake(const std::string& camel) {
  std::string out;
  for (char c : camel) {
    if (absl::ascii_isupper(c) && !out.empty()) out += '_';
    out += absl::ascii_toupper(c);
  }
  return out;
}

class Lint {
 public:
  void File(const FileDescriptor& f) {
    for (int i = 0; i < f.enum_type_count(); ++i) Enum(*f.enum_type(i));
    for (int i = 0; i < f.message_type_count(); ++i)
      Message(*f.message_type(i));
    for (int i = 0; i < f.service_count(); ++i) Service(*f.service(i));
  }

  // Everything found after the files: the RPC-uniqueness findings.
  std::set<std::string> Findings() {
    for (const auto& [message, rpcs] : uses_) {
      if (rpcs.size() > 1) Add("rpc-unique", message);
    }
    return found_;
  }

 private:
  void Add(const std::string& rule, const std::string& what) {
    found_.insert(absl::StrCat(rule, " ", what));
  }

  void Enum(const EnumDescriptor& e) {
    const std::string prefix = UpperSnake(e.name()) + "_";
    if (e.value_count() == 0 || e.value(0)->number() != 0 ||
        e.value(0)->name() != prefix + "UNSPECIFIED") {
      Add("enum-prefix", e.full_name());
    }
    for (int i = 0; i < e.value_count(); ++i) {
      if (!absl::StartsWith(e.value(i)->name(), prefix)) {
        Add("enum-prefix", e.value(i)->full_name());
      }
    }
  }

  void Message(const Descriptor& m) {
    // Reserved words of Python, JavaScript, Java and C++ that a
    // generator would have to mangle (Go's and Rust's are capitalised or
    // escaped by theirs).
    static const std::set<std::string> kKeywords = {
        "and",     "as",        "assert", "async",      "await",    "break",
        "case",    "catch",     "class",  "const",      "continue", "def",
        "default", "del",       "delete", "do",         "elif",     "else",
        "enum",    "except",    "export", "extends",    "false",    "final",
        "finally", "for",       "from",   "function",   "global",   "goto",
        "if",      "import",    "in",     "instanceof", "is",       "lambda",
        "new",     "nonlocal",  "not",    "null",       "or",       "pass",
        "private", "protected", "public", "raise",      "return",   "static",
        "switch",  "this",      "throw",  "throws",     "true",     "try",
        "typeof",  "var",       "void",   "volatile",   "while",    "with",
        "yield"};
    for (int i = 0; i < m.field_count(); ++i) {
      if (kKeywords.count(m.field(i)->name()) > 0) {
        Add("field-keyword", m.field(i)->full_name());
      }
    }
    for (int i = 0; i < m.enum_type_count(); ++i) Enum(*m.enum_type(i));
    for (int i = 0; i < m.nested_type_count(); ++i) {
      Message(*m.nested_type(i));
    }
  }

  void Service(const ServiceDescriptor& s) {
    for (int i = 0; i < s.method_count(); ++i) Method(*s.method(i));
  }

  // RPCs that append nothing to the ledger: reads, and the node's own
  // operations (a checkpoint of its files, pruning the cluster's log).
  static bool IsRead(const std::string& rpc) {
    static const std::set<std::string> kReads = {
        "WhoAmI",    "Chain",       "Verify",  "VerifyDeep", "Head",
        "Prove",     "Consistency", "Flows",   "Export",     "Subscribe",
        "Provinces", "Checkpoint",  "PruneLog"};
    return absl::StartsWith(rpc, "Get") || absl::StartsWith(rpc, "List") ||
           kReads.count(rpc) > 0;
  }

  void Method(const MethodDescriptor& m) {
    const std::string rpc = m.full_name();
    const Descriptor& in = *m.input_type();
    const Descriptor& out = *m.output_type();
    uses_[in.full_name()].insert(rpc);
    uses_[out.full_name()].insert(rpc);
    if (!IsRead(m.name())) {
      const auto* meta = in.FindFieldByName("meta");
      if (meta == nullptr || meta->message_type() == nullptr ||
          meta->message_type()->full_name() != "cradle.v1.WriteMeta") {
        Add("write-meta", rpc);
      }
    }
    const bool response_named =
        m.server_streaming()
            ? true  // a stream's element is named for what it carries
            : absl::StartsWith(out.name(), m.name()) &&
                  absl::EndsWith(out.name(), "Response");
    if (!absl::StartsWith(in.name(), m.name()) ||
        !absl::EndsWith(in.name(), "Request") || !response_named) {
      Add("rpc-names", rpc);
    }
    if (absl::StartsWith(m.name(), "List") &&
        (in.FindFieldByName("page_size") == nullptr ||
         in.FindFieldByName("page_token") == nullptr ||
         out.FindFieldByName("next_page_token") == nullptr)) {
      Add("list-pages", rpc);
    }
  }

  std::map<std::string, std::set<std::string>> uses_;
  std::set<std::string> found_;
};

std::set<std::string> LintTheApi() {
  Lint lint;
  for (const FileDescriptor* f :
       {v1::ChainRequest::descriptor()->file(),
        v1::Credential::descriptor()->file(), v1::Flag::descriptor()->file(),
        v1::Manifest::descriptor()->file(), v1::Container::descriptor()->file(),
        v1::Enterprise::descriptor()->file(),
        v1::WriteMeta::descriptor()->file(),
        v1::SubscribeRequest::descriptor()->file(),
        v1::GetNodeStatusRequest::descriptor()->file(),
        v1::ProvincesRequest::descriptor()->file()}) {
    lint.File(*f);
  }
  return lint.Findings();
}

TEST(ApiLintTest, NothingNewBreaksTheRules) {
  const std::set<std::string> found = LintTheApi();
  std::vector<std::string> fresh;
  for (const std::string& f : found) {
    if (Known().count(f) == 0) fresh.push_back(f);
  }
  EXPECT_THAT(fresh, ::testing::IsEmpty());
}

TEST(ApiLintTest, WhatWasFixedLeavesTheKnownList) {
  const std::set<std::string> found = LintTheApi();
  std::vector<std::string> fixed;
  for (const std::string& k : Known()) {
    if (found.count(k) == 0) fixed.push_back(k);
  }
  EXPECT_THAT(fixed, ::testing::IsEmpty());
}

// The rules find what they are for, on a file made to break each.
TEST(ApiLintTest, TheRulesFindWhatTheyAreFor) {
  google::protobuf::FileDescriptorProto proto;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        name: "bad.proto"
        package: "bad"
        syntax: "proto3"
        enum_type {
          name: "Colour"
          value { name: "RED" number: 0 }
          value { name: "COLOUR_BLUE" number: 1 }
        }
        message_type {
          name: "FooRequest"
          field {
            name: "from"
            number: 1
            type: TYPE_STRING
            label: LABEL_OPTIONAL
          }
        }
        message_type { name: "Thing" }
        service {
          name: "S"
          method {
            name: "Foo"
            input_type: ".bad.FooRequest"
            output_type: ".bad.Thing"
          }
          method {
            name: "ListThings"
            input_type: ".bad.FooRequest"
            output_type: ".bad.Thing"
          }
        }
      )pb",
      &proto));
  google::protobuf::DescriptorPool pool;
  const FileDescriptor* file = pool.BuildFile(proto);
  ASSERT_NE(file, nullptr);
  Lint lint;
  lint.File(*file);
  EXPECT_THAT(lint.Findings(),
              ::testing::UnorderedElementsAre(
                  "enum-prefix bad.Colour", "enum-prefix bad.RED",
                  "field-keyword bad.FooRequest.from", "write-meta bad.S.Foo",
                  "rpc-names bad.S.Foo", "rpc-names bad.S.ListThings",
                  "list-pages bad.S.ListThings", "rpc-unique bad.FooRequest",
                  "rpc-unique bad.Thing"));
  EXPECT_EQ(UpperSnake("FlagKind"), "FLAG_KIND");
}

}  // namespace
}  // namespace cradle
