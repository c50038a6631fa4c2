#pragma once

// A value as an error message quotes it: in double quotes, control bytes and
// invalid UTF-8 escaped, and cut to a short prefix with its size when long,
// so that a message never grows with what a caller sent (a 10 KB plate once
// made its refusal too big for a gRPC trailer).

#include <cstddef>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "base/utf8.h"

namespace cradle {

inline constexpr size_t kMaxQuotedBytes = 48;

inline std::string Quote(absl::string_view value) {
  absl::string_view shown = value;
  if (shown.size() > kMaxQuotedBytes) {
    // Cut before the character the limit falls inside, if any.
    size_t cut = kMaxQuotedBytes;
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xc0) == 0x80) {
      --cut;
    }
    shown = value.substr(0, cut);
  }
  std::string text;
  if (IsValidUtf8(shown)) {
    for (char c : shown) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
        text += absl::CHexEscape(absl::string_view(&c, 1));
      } else {
        text += c;
      }
    }
  } else {
    text = absl::CHexEscape(shown);
  }
  if (shown.size() == value.size()) return absl::StrCat("\"", text, "\"");
  return absl::StrCat("\"", text, "...\" (", value.size(), " bytes)");
}

}  // namespace cradle
