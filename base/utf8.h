#pragma once

// UTF-8, checked as protobuf checks proto3 strings: no overlong forms, no
// surrogates, nothing past U+10FFFF.

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace cradle {

// The offset of the first byte of `s` that does not begin a valid UTF-8
// sequence, or absl::string_view::npos when `s` is valid UTF-8.
inline size_t InvalidUtf8At(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int more;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) {
      more = 1, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      more = 2, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      more = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (i + more >= s.size()) return i;  // cut short
    for (int k = 1; k <= more; ++k) {
      const uint8_t b = static_cast<uint8_t>(s[i + k]);
      if ((b & 0xc0) != 0x80) return i;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += more + 1;
  }
  return absl::string_view::npos;
}

inline bool IsValidUtf8(absl::string_view s) {
  return InvalidUtf8At(s) == absl::string_view::npos;
}

}  // namespace cradle
