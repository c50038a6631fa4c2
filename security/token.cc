#include "security/token.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace cradle::security {
namespace {

bool IsLowerHex(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::StatusOr<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()),
                 static_cast<int>(raw.size())) != 1) {
    return absl::InternalError("the random generator failed");
  }
  return absl::BytesToHexString(raw);
}

}  // namespace

absl::StatusOr<NewToken> MakeToken() {
  absl::StatusOr<std::string> id = RandomHex(kCredentialIdHex / 2);
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> secret = RandomHex(kTokenSecretHex / 2);
  if (!secret.ok()) return secret.status();
  NewToken t;
  t.id = *std::move(id);
  t.token = absl::StrCat(kTokenPrefix, ".", t.id, ".", *secret);
  t.sha256 = TokenHash(t.token);
  return t;
}

absl::StatusOr<std::string> TokenId(absl::string_view token) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0] != kTokenPrefix) {
    return absl::UnauthenticatedError(
        "the token is malformed: expected crd1.<id>.<secret>");
  }
  if (!IsCredentialId(parts[1])) {
    return absl::UnauthenticatedError(
        "the token is malformed: its id is not 16 lowercase hex digits");
  }
  if (!IsLowerHex(parts[2], kTokenSecretHex)) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the token of credential ", parts[1],
        " is malformed: its secret is not 64 lowercase hex digits"));
  }
  return std::string(parts[1]);
}

std::string TokenHash(absl::string_view token) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

bool TokenMatches(absl::string_view token, absl::string_view sha256) {
  if (sha256.size() != SHA256_DIGEST_LENGTH) return false;
  std::string h = TokenHash(token);
  return CRYPTO_memcmp(h.data(), sha256.data(), h.size()) == 0;
}

bool IsCredentialId(absl::string_view id) {
  return IsLowerHex(id, kCredentialIdHex);
}

}  // namespace cradle::security
