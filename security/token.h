#pragma once

// API tokens: "crd1.<id>.<secret>", id 16 hex digits (public: it names the
// credential in logs and in the ledger), secret 64 hex digits from 32 bytes
// of OpenSSL's CSPRNG. The server keeps SHA-256(token) only; a token is
// high-entropy, so a fast hash is enough (no password KDF).

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::security {

inline constexpr absl::string_view kTokenPrefix = "crd1";
inline constexpr size_t kCredentialIdHex = 16;
inline constexpr size_t kTokenSecretHex = 64;

struct NewToken {
  std::string id;
  std::string token;
  std::string sha256;  // raw 32 bytes: what the server stores
};

// A fresh token; INTERNAL if the random generator fails.
absl::StatusOr<NewToken> MakeToken();

// The credential id of a well-formed token; UNAUTHENTICATED saying what is
// malformed (never echoing the secret).
absl::StatusOr<std::string> TokenId(absl::string_view token);

// SHA-256 of the whole token, raw 32 bytes.
std::string TokenHash(absl::string_view token);

// Constant-time comparison of TokenHash(token) with `sha256`.
bool TokenMatches(absl::string_view token, absl::string_view sha256);

// A credential id the way tokens carry it: 16 lowercase hex digits.
bool IsCredentialId(absl::string_view id);

}  // namespace cradle::security
