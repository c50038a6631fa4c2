#include "security/vouch.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include <openssl/sha.h>

#include "security/token.h"

namespace cradle::security {
namespace {

constexpr absl::string_view kVouchPrefix = "CRADLE-VOUCH-V1\n";

std::string Signed(absl::string_view vouch) {
  return absl::StrCat(kVouchPrefix, vouch);
}

}  // namespace

std::string DeterministicBytes(const google::protobuf::Message& message) {
  message.ByteSizeLong();  // the sizes SerializeWithCachedSizes writes
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeWithCachedSizes(&coded);
  }
  return out;
}

std::string RequestSha256(const google::protobuf::Message& request) {
  const std::string bytes = DeterministicBytes(request);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

SignedVouch MakeVouch(const Ed25519Key& key, absl::string_view province,
                      const v1::Credential& credential,
                      const google::protobuf::Message& request,
                      absl::Time now) {
  v1::ProvinceVouch vouch;
  vouch.set_province(std::string(province));
  vouch.set_request_type(request.GetTypeName());
  vouch.set_request_sha256(RequestSha256(request));
  vouch.set_issued_unix_ms(absl::ToUnixMillis(now));
  *vouch.mutable_credential() = credential;
  SignedVouch out;
  out.vouch = vouch.SerializeAsString();
  out.signature = key.Sign(Signed(out.vouch));
  return out;
}

absl::StatusOr<v1::ProvinceVouch> CheckVouch(
    const SignedVouch& signed_vouch, absl::string_view province,
    absl::string_view public_key, const google::protobuf::Message& request,
    absl::Time now) {
  if (!VerifyEd25519(public_key, Signed(signed_vouch.vouch),
                     signed_vouch.signature)) {
    return absl::UnauthenticatedError(absl::StrCat(
        "cradle-vouch-signature-bin does not verify against province ",
        province, "'s key"));
  }
  v1::ProvinceVouch vouch;
  if (!vouch.ParseFromString(signed_vouch.vouch)) {
    return absl::UnauthenticatedError("cradle-vouch-bin does not parse");
  }
  if (vouch.province() != province) {
    return absl::UnauthenticatedError(
        absl::StrCat("cradle-vouch-bin names province ", vouch.province(),
                     ", not ", province));
  }
  if (vouch.request_type() != request.GetTypeName() ||
      vouch.request_sha256() != RequestSha256(request)) {
    return absl::UnauthenticatedError(
        absl::StrCat("cradle-vouch-bin vouches for another request than this ",
                     request.GetTypeName()));
  }
  const absl::Time issued = absl::FromUnixMillis(vouch.issued_unix_ms());
  if (issued < now - kVouchWindow || issued > now + kVouchWindow) {
    return absl::UnauthenticatedError(
        absl::StrCat("cradle-vouch-bin was made at ", absl::FormatTime(issued),
                     ", more than ", absl::FormatDuration(kVouchWindow),
                     " from this node's time ", absl::FormatTime(now)));
  }
  const v1::Credential& c = vouch.credential();
  if (c.kind() != v1::CREDENTIAL_KIND_PARTY || c.enterprise().empty() ||
      c.role() == v1::ROLE_UNSPECIFIED) {
    return absl::UnauthenticatedError(
        "cradle-vouch-bin names no party's credential: only a party's call "
        "is relayed between provinces");
  }
  if (!IsCredentialId(c.id())) {
    return absl::UnauthenticatedError(
        "cradle-vouch-bin credential.id is not a credential id (16 hex "
        "digits)");
  }
  if (!c.public_key().empty() && c.public_key().size() != 32) {
    return absl::UnauthenticatedError(
        "cradle-vouch-bin credential.public_key is not an Ed25519 key (32 "
        "bytes)");
  }
  return vouch;
}

std::string VouchingProvince(absl::string_view vouch) {
  v1::ProvinceVouch parsed;
  if (!parsed.ParseFromString(std::string(vouch))) return "";
  return parsed.province();
}

}  // namespace cradle::security
