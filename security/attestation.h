#pragma once

// What a party signs for what it attests. The signed bytes are
//
//   "CRADLE-ATTEST-V1\n" || full type name of the request || "\n" ||
//   deterministic protobuf serialization of the request with
//   meta.signature cleared
//
// so a signature binds the operation (the request type), the manifest
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

// The bytes to sign for `request`, a message with a `meta` WriteMeta field.
std::string AttestationMessage(const google::protobuf::Message& request);

// The same for a message recorded under another type than the request
// that was signed (a ledger event, domain::SignedRequestType): `signed_type`
// is the request's full type name, and `message` must serialise as the
// request did.
std::string AttestationMessage(absl::string_view signed_type,
                               const google::protobuf::Message& message);

// Signs `request` with `key`, writing request.meta.signature.
// INVALID_ARGUMENT if the request has no `meta` field.
absl::Status SignRequest(const security::Ed25519Key& key,
                         google::protobuf::Message* request);

// The request's meta.signature; empty when unsigned or when it has no meta.
std::string SignatureOf(const google::protobuf::Message& request);

// True when meta.signature is `public_key`'s signature of
// AttestationMessage(request).
bool VerifyRequest(absl::string_view public_key,
                   const google::protobuf::Message& request);
// True when `recorded`'s meta.signature is `public_key`'s signature of
// AttestationMessage(signed_type, recorded).
bool VerifyRecorded(absl::string_view public_key, absl::string_view signed_type,
                    const google::protobuf::Message& recorded);

// Loads an Ed25519 private key (PEM) that must exist: NOT_FOUND naming
// `path` otherwise. Storage's LoadOrCreate would make a new one silently.
absl::StatusOr<std::unique_ptr<security::Ed25519Key>> LoadKey(
    const std::string& path);

}  // namespace cradle::security
