// The ledger's byte formats: a stored entry decodes only if it is exactly a
// well-formed entry, and re-encodes to the same bytes; proofs of any shape
// are judged true or false, never crash.

#include <string>
#include <vector>

#include "storage/entry_codec.h"
#include "storage/merkle.h"
#include "tests/fuzz/fuzz_target.h"

namespace cradle::fuzz {

std::vector<std::string> Seeds() {
  storage::Entry e;
  e.sequence = 7;
  e.stream = "20263304000001";
  e.stream_version = 2;
  e.type = "manifest.picked_up";
  e.actor = "91330402MA2B3C4D5E#0123456789abcdef";
  e.recorded = absl::FromUnixMicros(1795000000123456);
  e.payload = std::string("\x0a\x05hello", 7);
  e.prev_hash = std::string(32, '\x11');
  e.hash = storage::ChainHash(e.prev_hash, storage::CanonicalEntryBytes(e));
  return {storage::EncodeStoredEntry(e), std::string(80, '\0'),
          std::string("CRDL1")};
}

}  // namespace cradle::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cradle;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<storage::Entry> e = storage::DecodeStoredEntry(bytes);
  if (e.ok()) {
    FUZZ_CHECK(storage::EncodeStoredEntry(*e) == bytes,
               "a decoded entry re-encodes to other bytes");
  } else {
    FUZZ_CHECK(e.status().message().size() < 200, e.status().ToString());
  }
  // Proofs: sizes and hashes taken from the bytes.
  if (size >= 16) {
    uint64_t a = 0, b = 0;
    for (int i = 0; i < 8; ++i) a = (a << 8) | data[i];
    for (int i = 8; i < 16; ++i) b = (b << 8) | data[i];
    a %= 1 << 20;
    b %= 1 << 20;
    std::vector<std::string> proof;
    for (size_t at = 16; at + 32 <= size && proof.size() < 64; at += 32) {
      proof.push_back(bytes.substr(at, 32));
    }
    const std::string root = proof.empty() ? std::string(32, '\0') : proof[0];
    storage::merkle::VerifyInclusion(a, b, storage::merkle::LeafHash(root),
                                     proof, root);
    storage::merkle::VerifyConsistency(a, b, root, root, proof);
  }
  std::string raw;
  storage::ParseHex(bytes, size / 2, &raw);
  return 0;
}
