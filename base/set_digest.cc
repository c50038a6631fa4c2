#include "base/set_digest.h"

#include <sodium.h>

#include <cstdlib>
#include <string>

#include "base/sodium.h"

namespace cradle {

static_assert(crypto_shorthash_siphashx24_KEYBYTES == 16);
static_assert(crypto_shorthash_siphashx24_BYTES == 16);

PairHasher::PairHasher() {
  // Without randomness there is no key an adversary cannot know; a digest
  // must not silently fall back to a fixed one.
  if (!SodiumReady()) std::abort();
  randombytes_buf(key_, sizeof key_);
}

absl::uint128 PairHasher::operator()(absl::string_view key,
                                     absl::string_view value) const {
  thread_local std::string bytes;
  bytes.clear();
  const uint64_t n = key.size();
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(n >> (8 * i)));
  bytes.append(key.data(), key.size());
  bytes.append(value.data(), value.size());
  unsigned char out[16];
  crypto_shorthash_siphashx24(
      out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
      key_);
  uint64_t lo = 0, hi = 0;
  for (int i = 7; i >= 0; --i) {
    lo = (lo << 8) | out[i];
    hi = (hi << 8) | out[8 + i];
  }
  return absl::MakeUint128(hi, lo);
}

}  // namespace cradle
