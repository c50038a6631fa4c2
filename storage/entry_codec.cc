#include "storage/entry_codec.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

#include "storage/byte_codec.h"
#include "storage/sha256.h"

namespace cradle::storage {
namespace {

using bytes::PutBytes;
using bytes::PutU64;

constexpr absl::string_view kMagic = "CRDL1";

}  // namespace

std::string CanonicalEntryBytes(const Entry& entry) {
  std::string out;
  out.reserve(64 + entry.stream.size() + entry.type.size() +
              entry.actor.size() + entry.payload.size());
  out.append(kMagic.data(), kMagic.size());
  PutU64(&out, entry.sequence);
  PutBytes(&out, entry.stream);
  PutU64(&out, entry.stream_version);
  PutBytes(&out, entry.type);
  PutBytes(&out, entry.actor);
  PutU64(&out, static_cast<uint64_t>(absl::ToUnixMicros(entry.recorded)));
  PutBytes(&out, entry.payload);
  return out;
}

std::string ChainHash(absl::string_view prev_hash,
                      absl::string_view canonical) {
  return Sha256({prev_hash, canonical});
}

std::string EncodeStoredEntry(const Entry& entry) {
  std::string out = CanonicalEntryBytes(entry);
  out.append(entry.prev_hash);
  out.append(entry.hash);
  return out;
}

absl::StatusOr<Entry> DecodeStoredEntry(absl::string_view stored) {
  Entry e;
  bytes::Reader r(stored);
  std::string magic;
  uint64_t micros = 0;
  bool ok = r.Raw(kMagic.size(), &magic) && magic == kMagic &&
            r.U64(&e.sequence) && r.Bytes(&e.stream) &&
            r.U64(&e.stream_version) && r.Bytes(&e.type) && r.Bytes(&e.actor) &&
            r.U64(&micros) && r.Bytes(&e.payload) &&
            r.Raw(kHashBytes, &e.prev_hash) && r.Raw(kHashBytes, &e.hash) &&
            r.empty();
  if (!ok) {
    return absl::DataLossError(
        absl::StrCat("stored entry is malformed (", stored.size(), " bytes)"));
  }
  e.recorded = absl::FromUnixMicros(static_cast<int64_t>(micros));
  return e;
}

absl::optional<EntryHeader> DecodeEntryHeader(absl::string_view stored) {
  EntryHeader h;
  bytes::Reader r(stored);
  std::string magic;
  if (!r.Raw(kMagic.size(), &magic) || magic != kMagic || !r.U64(&h.sequence) ||
      !r.View(&h.stream) || !r.U64(&h.stream_version)) {
    return absl::nullopt;
  }
  return h;
}

std::string EncodeSequenceKey(uint64_t sequence) {
  std::string out;
  PutU64(&out, sequence);
  return out;
}

uint64_t DecodeSequenceKey(absl::string_view key) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < key.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(key[i]);
  }
  return v;
}

std::string ZeroHash() { return std::string(kHashBytes, '\0'); }

std::string HexHash(absl::string_view raw) {
  return absl::BytesToHexString(raw);
}

bool ParseHex(absl::string_view hex, size_t bytes, std::string* raw) {
  if (hex.size() != 2 * bytes) return false;
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  *raw = absl::HexStringToBytes(hex);
  return true;
}

}  // namespace cradle::storage
