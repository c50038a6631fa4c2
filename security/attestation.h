#pragma once

// What a party signs for what it attests. The signed bytes are
//
//   "CRADLE-ATTEST-V2\n" || the request's signing name || "\n" ||
//   deterministic protobuf serialization of the request with
//   meta.signature cleared
//
// so a signature binds the operation (the signing name), the manifest
// number, the party, every field the party filled in, and the idempotency
// key; it cannot be replayed onto another operation or manifest. Its ledger
// entry records every field of the request, signature included, in an
// event message that serialises as the request did (domain/record.h), so
// anyone holding the entry and the credential's public key can check it
// again offline.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

#include "security/ed25519.h"

namespace cradle::security {

// The name `message` is signed under: an API request (one with a `meta`
// WriteMeta) and the ledger event that records it share one. It is the full
// type name the request had when first signed, and it is frozen: stored
// signatures cover it, so renaming an API message never changes it (the
// flag notes' requests, for one, are all signed as
// "cradle.v1.FlagNoteRequest"). Empty for a message that is not signed.
absl::string_view SigningName(const google::protobuf::Message& message);

// The bytes to sign for `request`, a message with a signing name; a ledger
// event gives the same bytes as the request it records.
std::string AttestationMessage(const google::protobuf::Message& request);

// The first format, which signatures stored before 2026-12 were made over:
// "CRADLE-ATTEST-V1\n" || signing name || "\n" || the request written with
// every nested message's length as 0 (it was serialised with sizes never
// computed). It does not bind where a nested message ends, and no other
// protobuf library writes it; it is kept only to check stored entries.
std::string LegacyAttestationMessage(const google::protobuf::Message& request);

// Signs `request` with `key`, writing request.meta.signature.
// INVALID_ARGUMENT if the request has no signing name.
absl::Status SignRequest(const security::Ed25519Key& key,
                         google::protobuf::Message* request);

// The request's meta.signature; empty when unsigned or when it has no meta.
std::string SignatureOf(const google::protobuf::Message& request);

// True when meta.signature is `public_key`'s signature of
// AttestationMessage(request): what a request must carry as it arrives.
bool VerifyRequest(absl::string_view public_key,
                   const google::protobuf::Message& request);

// How a stored request (the ledger event that records it) was signed.
enum class Signed {
  kNot,          // no signature, or one that does not verify
  kCurrent,      // over AttestationMessage
  kFirstFormat,  // over LegacyAttestationMessage: stored before 2026-12
};
// Checks meta.signature of a recorded event against `public_key` in
// either format. kNot when it has no signature too: ask SignatureOf first.
Signed VerifyRecorded(absl::string_view public_key,
                      const google::protobuf::Message& recorded);

// Loads an Ed25519 private key (PEM) that must exist: NOT_FOUND naming
// `path` otherwise. Storage's LoadOrCreate would make a new one silently.
absl::StatusOr<std::unique_ptr<security::Ed25519Key>> LoadKey(
    const std::string& path);

}  // namespace cradle::security
