#include "security/ed25519.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/sodium.h"

namespace cradle::security {

// libsodium's verification takes half the time of OpenSSL 3.0's here
// (docs/BENCHMARKS.md, "Identity"), and a party's signature is checked on
// every attested write; it also refuses what OpenSSL 3.0 accepts under a
// key of small order (IsEd25519PublicKey).
bool VerifyEd25519(absl::string_view public_key, absl::string_view message,
                   absl::string_view signature) {
  if (!SodiumReady() || public_key.size() != crypto_sign_PUBLICKEYBYTES ||
      signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()),
             message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

bool IsEd25519PublicKey(absl::string_view key) {
  return SodiumReady() && key.size() == crypto_core_ed25519_BYTES &&
         crypto_core_ed25519_is_valid_point(
             reinterpret_cast<const unsigned char*>(key.data())) == 1;
}

Ed25519Key::Ed25519Key(void* pkey) : pkey_(pkey) {
  unsigned char raw[32];
  size_t len = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(static_cast<EVP_PKEY*>(pkey_), raw, &len) ==
      1) {
    public_key_.assign(reinterpret_cast<char*>(raw), len);
  }
}

Ed25519Key::~Ed25519Key() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

absl::StatusOr<std::unique_ptr<Ed25519Key>> Ed25519Key::LoadOrCreate(
    const std::string& path) {
  if (FILE* f = std::fopen(path.c_str(), "r"); f != nullptr) {
    EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (key == nullptr || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
      EVP_PKEY_free(key);
      return absl::DataLossError(
          absl::StrCat(path, " is not an Ed25519 private key in PEM"));
    }
    return std::unique_ptr<Ed25519Key>(new Ed25519Key(key));
  }
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return absl::InternalError("Ed25519 key generation");
  const mode_t old = umask(077);
  FILE* f = std::fopen(path.c_str(), "w");
  umask(old);
  if (f == nullptr) {
    EVP_PKEY_free(key);
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write the signing key to ", path));
  }
  const bool written =
      PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  const bool flushed = std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  std::fclose(f);
  if (!written || !flushed) {
    EVP_PKEY_free(key);
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot write the signing key to ", path));
  }
  return std::unique_ptr<Ed25519Key>(new Ed25519Key(key));
}

std::string Ed25519Key::Sign(absl::string_view message) const {
  unsigned char sig[64];
  size_t len = sizeof sig;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr,
                     static_cast<EVP_PKEY*>(pkey_));
  EVP_DigestSign(ctx, sig, &len,
                 reinterpret_cast<const unsigned char*>(message.data()),
                 message.size());
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(sig), len);
}

}  // namespace cradle::security
