#pragma once

// Big-endian integers and length-prefixed byte strings: the pieces of every
// byte format storage/ writes (entries, log batches). Not for use outside
// storage/.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace cradle::storage::bytes {

inline void PutU8(std::string* out, uint8_t v) {
  out->push_back(static_cast<char>(v));
}

inline void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

inline void PutU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

// u32be length, then the bytes.
inline void PutBytes(std::string* out, absl::string_view bytes) {
  PutU32(out, static_cast<uint32_t>(bytes.size()));
  out->append(bytes.data(), bytes.size());
}

// A cursor over encoded bytes; every read is bounds-checked and returns
// false, reading nothing, when the bytes run out.
class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i) *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return true;
  }
  bool Bytes(std::string* out) {
    absl::string_view bytes;
    if (!View(&bytes)) return false;
    out->assign(bytes.data(), bytes.size());
    return true;
  }
  // As Bytes, but `out` points into the input.
  bool View(absl::string_view* out) {
    uint32_t n = 0;
    if (in_.size() < 4) return false;
    absl::string_view rest = in_;
    U32(&n);
    if (in_.size() < n) {
      in_ = rest;
      return false;
    }
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool Raw(size_t n, std::string* out) {
    if (in_.size() < n) return false;
    out->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool empty() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

}  // namespace cradle::storage::bytes
