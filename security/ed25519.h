#pragma once

// Ed25519, the one signature Cradle uses: the server signs its tree heads
// with it, and a party its attested writes. Keys and signing are OpenSSL's;
// verification is libsodium's, twice as fast (RFC 8032 signatures, with
// S < L and no small-order key or R accepted).

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::security {

// True when `signature` is `public_key`'s (raw 32 bytes) Ed25519 signature
// of `message`.
bool VerifyEd25519(absl::string_view public_key, absl::string_view message,
                   absl::string_view signature);

// True when `key` (raw 32 bytes) is a public key a signer can hold: a
// canonical point of the curve's prime-order group. A point of small order
// (the identity, say) is not: under it a signature of zeros verifies with
// OpenSSL 3.0 for any message, so whoever holds it signs nothing. Every
// public key Cradle takes (credentials, province keys) is checked with it.
bool IsEd25519PublicKey(absl::string_view key);

class Ed25519Key {
 public:
  // Loads the PEM private key at `path`, or creates one there (mode 0600)
  // when there is none.
  static absl::StatusOr<std::unique_ptr<Ed25519Key>> LoadOrCreate(
      const std::string& path);
  ~Ed25519Key();

  std::string Sign(absl::string_view message) const;
  const std::string& public_key() const { return public_key_; }  // raw 32 B

 private:
  explicit Ed25519Key(void* pkey);
  void* pkey_;  // EVP_PKEY*, owned
  std::string public_key_;
};

}  // namespace cradle::security
