#pragma once

// A province's word for a party's call on another province's manifest
// (cradle.v1.ProvinceVouch; docs/CLUSTER.md, "Calls across provinces").
// The vouching province signs
//
//   "CRADLE-VOUCH-V1\n" || the ProvinceVouch's bytes
//
// with its province key, the key its nodes sign tree heads with. The vouch
// binds the request (its type and the SHA-256 of its deterministic
// serialization), the caller's credential at the vouching province, and
// the time; the owning province needs only the vouching province's public
// key to check it. Pure: no gRPC, no clock of its own.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

#include "cradle/v1/auth.pb.h"
#include "security/ed25519.h"

namespace cradle::security {

// How far a vouch's time may be from the owning province's clock, either
// way: a relayed call takes far less; the clocks of two provinces' machines
// may differ by some seconds.
inline constexpr absl::Duration kVouchWindow = absl::Minutes(5);

// `message`'s deterministic serialization: what a relaying node sends, so
// that the owning province, parsing and writing it again, gets the same
// bytes.
std::string DeterministicBytes(const google::protobuf::Message& message);

// SHA-256 (raw 32 bytes) of DeterministicBytes(request).
std::string RequestSha256(const google::protobuf::Message& request);

// A signed vouch.
struct SignedVouch {
  std::string vouch;      // a serialized ProvinceVouch
  std::string signature;  // Ed25519 over "CRADLE-VOUCH-V1\n" || vouch
};

// `province` (whose key is `key`) vouches for `credential` calling with
// `request` at `now`.
SignedVouch MakeVouch(const Ed25519Key& key, absl::string_view province,
                      const v1::Credential& credential,
                      const google::protobuf::Message& request, absl::Time now);

// The vouch in `signed_vouch`, once its signature verifies against
// `public_key`, it is `province`'s, it names `request` and a PARTY
// credential, and its time is within kVouchWindow of `now`.
// UNAUTHENTICATED saying which check failed otherwise.
absl::StatusOr<v1::ProvinceVouch> CheckVouch(
    const SignedVouch& signed_vouch, absl::string_view province,
    absl::string_view public_key, const google::protobuf::Message& request,
    absl::Time now);

// The province a serialized vouch names, before it is checked (to find the
// key to check it with); empty when it does not parse.
std::string VouchingProvince(absl::string_view vouch);

}  // namespace cradle::security
