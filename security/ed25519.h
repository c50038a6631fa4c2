#pragma once

// Ed25519, the one signature Cradle uses: the server signs its tree heads
// with it, and a party its attested writes. OpenSSL underneath.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::security {

// True when `signature` is `public_key`'s (raw 32 bytes) Ed25519 signature
// of `message`.
bool VerifyEd25519(absl::string_view public_key, absl::string_view message,
                   absl::string_view signature);

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
