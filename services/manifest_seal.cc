#include "services/manifest_seal.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

#include "base/quote.h"
#include "base/time.h"
#include "domain/names.h"
#include "security/ed25519.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

constexpr absl::string_view kMessageTag = "CRADLE-SEAL-V1";
constexpr absl::string_view kQrPrefix = "CRADLE-SEAL1:";
constexpr size_t kHashBytes = 32;
constexpr size_t kSignatureBytes = 64;
constexpr size_t kMaxNumberBytes = 64;

absl::Status Bad(absl::string_view part, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("seal ", part, ": ", why));
}

}  // namespace

std::string ManifestSealMessage(const v1::ManifestSeal& seal) {
  std::string raw_hash;
  if (!storage::ParseHex(seal.entry_hash(), kHashBytes, &raw_hash)) {
    raw_hash = seal.entry_hash();  // verifies against no signature
  }
  const int64_t micros = absl::ToUnixMicros(FromTimestamp(seal.timestamp()));
  return absl::StrCat(
      kMessageTag, seal.number(), std::string(1, '\0'),
      storage::EncodeSequenceKey(seal.version()),
      storage::EncodeSequenceKey(static_cast<uint64_t>(seal.status())),
      storage::EncodeSequenceKey(seal.entry_sequence()), raw_hash,
      storage::EncodeSequenceKey(static_cast<uint64_t>(micros)));
}

std::string ManifestSealQr(const v1::ManifestSeal& seal) {
  return absl::StrCat(kQrPrefix, seal.number(), "/", seal.version(), "/",
                      domain::ShortName(seal.status()), "/",
                      seal.entry_sequence(), "/", seal.entry_hash(), "/",
                      absl::ToUnixMicros(FromTimestamp(seal.timestamp())), "/",
                      seal.signature());
}

absl::StatusOr<v1::ManifestSeal> ParseManifestSealQr(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (!absl::ConsumePrefix(&text, kQrPrefix)) {
    return Bad("prefix", absl::StrCat("not a Cradle manifest seal (it starts ",
                                      kQrPrefix, ")"));
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  if (parts.size() != 7) {
    return Bad("fields", absl::StrCat(parts.size(), " given, 7 expected"));
  }
  v1::ManifestSeal seal;
  if (parts[0].empty() || parts[0].size() > kMaxNumberBytes) {
    return Bad("number", Quote(parts[0]));
  }
  seal.set_number(std::string(parts[0]));
  uint64_t version = 0, sequence = 0;
  int64_t micros = 0;
  if (!absl::SimpleAtoi(parts[1], &version) || version == 0) {
    return Bad("version", Quote(parts[1]));
  }
  seal.set_version(version);
  v1::ManifestStatus status;
  if (!domain::ParseShortName(parts[2], &status) ||
      status == v1::MANIFEST_STATUS_UNSPECIFIED) {
    return Bad("status", Quote(parts[2]));
  }
  seal.set_status(status);
  if (!absl::SimpleAtoi(parts[3], &sequence) || sequence == 0) {
    return Bad("entry sequence", Quote(parts[3]));
  }
  seal.set_entry_sequence(sequence);
  std::string raw;
  if (!storage::ParseHex(parts[4], kHashBytes, &raw)) {
    return Bad("entry hash", "not 64 hex digits");
  }
  seal.set_entry_hash(std::string(parts[4]));
  if (!absl::SimpleAtoi(parts[5], &micros) || micros <= 0) {
    return Bad("time", Quote(parts[5]));
  }
  *seal.mutable_timestamp() = ToTimestamp(absl::FromUnixMicros(micros));
  if (!storage::ParseHex(parts[6], kSignatureBytes, &raw)) {
    return Bad("signature", "not 128 hex digits");
  }
  seal.set_signature(std::string(parts[6]));
  return seal;
}

absl::Status VerifyManifestSeal(const v1::ManifestSeal& seal,
                                absl::string_view public_key_hex) {
  std::string key, signature;
  if (!storage::ParseHex(public_key_hex, kHashBytes, &key)) {
    return absl::InvalidArgumentError(
        "public key: not 64 hex digits (an Ed25519 key)");
  }
  if (!storage::ParseHex(seal.signature(), kSignatureBytes, &signature)) {
    return Bad("signature", "not 128 hex digits");
  }
  if (!security::VerifyEd25519(key, ManifestSealMessage(seal), signature)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the seal of manifest ", seal.number(),
        " is not signed by this key: the paper was altered, or sealed by "
        "another server"));
  }
  return absl::OkStatus();
}

}  // namespace cradle::services
