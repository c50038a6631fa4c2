#pragma once

// The canonical byte form of a ledger entry and its hash. The stored value of
// an entry IS its canonical form followed by the two hashes, so the hash is
// always recomputed from the exact bytes on disk, never from a re-encoding of
// a parsed protobuf. Format: docs/ledger_format.md.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

#include "storage/ledger.h"

namespace cradle::storage {

// The bytes the hash covers, from every field but the two hashes.
std::string CanonicalEntryBytes(const Entry& entry);

// SHA-256(prev_hash || canonical), raw 32 bytes.
std::string ChainHash(absl::string_view prev_hash, absl::string_view canonical);

// Stored value: canonical || prev_hash || hash.
std::string EncodeStoredEntry(const Entry& entry);

// Parses a stored value. DATA_LOSS when the bytes are not a well-formed
// entry; the hashes are parsed, not checked (see Verify).
absl::StatusOr<Entry> DecodeStoredEntry(absl::string_view stored);

// The fields a stored entry begins with, read without copying: `stream`
// points into the stored bytes. Nothing after them is read or checked.
struct EntryHeader {
  uint64_t sequence = 0;
  absl::string_view stream;
  uint64_t stream_version = 0;
};
// nullopt when `stored` does not begin as an entry does.
absl::optional<EntryHeader> DecodeEntryHeader(absl::string_view stored);

// Big-endian so that byte order equals numeric order in RocksDB keys.
std::string EncodeSequenceKey(uint64_t sequence);
uint64_t DecodeSequenceKey(absl::string_view key);  // key.size() == 8

std::string ZeroHash();
std::string HexHash(absl::string_view raw);
// The `bytes` raw bytes that `hex` spells (either case); false when it is
// not exactly that much hex.
bool ParseHex(absl::string_view hex, size_t bytes, std::string* raw);

}  // namespace cradle::storage
