#pragma once

// The seal on a printed manifest: the server's Ed25519 signature over the
// manifest as it stood (number, version, status, and the sequence and hash
// of its last ledger entry), carried in a QR code and checked offline with
// the server's public key, the one its tree heads are signed with
// (docs/CONTAINERS.md, "The printed manifest").

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "cradle/v1/audit.pb.h"

namespace cradle::services {

// The bytes the server signs: a domain tag, the number, then the numbers
// as 8-byte big-endian, the entry's raw hash and the signing time in
// microseconds. Frozen: printed seals must verify for as long as paper is
// kept.
std::string ManifestSealMessage(const v1::ManifestSeal& seal);

// The QR code's text: "CRADLE-SEAL1:" and number, version, status (short
// name), entry sequence, entry hash, signing time (Unix microseconds) and
// signature, '/' between. The public key is not in it: the checker brings
// the one it trusts.
std::string ManifestSealQr(const v1::ManifestSeal& seal);

// Reads a QR code's text back; the error names the part that is wrong.
absl::StatusOr<v1::ManifestSeal> ParseManifestSealQr(absl::string_view text);

// OK when `seal` is signed by `public_key_hex` (64 hex digits); an error
// saying why otherwise.
absl::Status VerifyManifestSeal(const v1::ManifestSeal& seal,
                                absl::string_view public_key_hex);

}  // namespace cradle::services
