#pragma once

// The names people read and type for the API's enum values. The API spells
// a value with its enum's prefix (FLAG_KIND_CROSS_CITY, ROLE_GENERATOR, as
// the protobuf style asks); messages, tables, CSV and the command line use
// the short name (CROSS_CITY, GENERATOR) and accept either.

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace cradle::domain {

// "CROSS_CITY" for FLAG_KIND_CROSS_CITY; the number's digits for a value
// the enum does not name.
std::string ShortName(const google::protobuf::EnumDescriptor& type, int value);
// The value `text` names, short or full, in any case; nullptr if none.
const google::protobuf::EnumValueDescriptor* FindByName(
    const google::protobuf::EnumDescriptor& type, absl::string_view text);

template <typename E>
std::string ShortName(E value) {
  return ShortName(*google::protobuf::GetEnumDescriptor<E>(),
                   static_cast<int>(value));
}

// False when `text` names no value of E.
template <typename E>
bool ParseShortName(absl::string_view text, E* value) {
  const google::protobuf::EnumValueDescriptor* v =
      FindByName(*google::protobuf::GetEnumDescriptor<E>(), text);
  if (v == nullptr) return false;
  *value = static_cast<E>(v->number());
  return true;
}

}  // namespace cradle::domain
