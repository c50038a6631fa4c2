#pragma once

// Signed tree heads: the server's Ed25519 signature over the size and root of
// the ledger's Merkle tree at a moment. A regulator keeps a head; later it
// checks any entry against it (inclusion) and any newer head against it
// (consistency), offline, with the server's public key.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cradle::storage {

// The signed bytes: "CRADLE-STH-V1" || u64be size || u64be micros || root.
std::string TreeHeadMessage(uint64_t tree_size, absl::Time timestamp,
                            absl::string_view root);

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

}  // namespace cradle::storage
