#pragma once

// Whether messages of one descriptor read the bytes of another: every field
// number of `frozen` is in `now` with the same type and cardinality, every
// enum value number is still there, recursively. Names may differ (they
// are not in the bytes).

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace cradle::testing {

// Compares a frozen message with today's, recursively, collecting what no
// longer reads the frozen bytes.
class Compatibility {
 public:
  void Message(const google::protobuf::Descriptor& frozen,
               const google::protobuf::Descriptor& now,
               const std::string& path) {
    if (!seen_.insert({frozen.full_name(), now.full_name()}).second) return;
    for (int i = 0; i < frozen.field_count(); ++i) {
      const google::protobuf::FieldDescriptor& f = *frozen.field(i);
      const std::string at =
          absl::StrCat(path, ".", f.name(), " (", f.number(), ")");
      const google::protobuf::FieldDescriptor* g =
          now.FindFieldByNumber(f.number());
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

  void Enum(const google::protobuf::EnumDescriptor& frozen,
            const google::protobuf::EnumDescriptor& now,
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

}  // namespace cradle::testing
