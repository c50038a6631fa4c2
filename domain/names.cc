#include "domain/names.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace cradle::domain {
namespace {

// "FLAG_KIND_" for FlagKind.
std::string Prefix(const google::protobuf::EnumDescriptor& type) {
  std::string out;
  for (char c : type.name()) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) {
      out += '_';
    }
    out += absl::ascii_toupper(c);
  }
  return out + "_";
}

}  // namespace

std::string ShortName(const google::protobuf::EnumDescriptor& type, int value) {
  const google::protobuf::EnumValueDescriptor* v =
      type.FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  absl::string_view name = v->name();
  absl::ConsumePrefix(&name, Prefix(type));
  return std::string(name);
}

const google::protobuf::EnumValueDescriptor* FindByName(
    const google::protobuf::EnumDescriptor& type, absl::string_view text) {
  const std::string upper = absl::AsciiStrToUpper(text);
  if (const auto* v = type.FindValueByName(Prefix(type) + upper)) return v;
  return type.FindValueByName(upper);
}

}  // namespace cradle::domain
