#pragma once

// The door every RPC goes through: reads the call's bearer token
// ("authorization: Bearer crd1...."), proves it against the credentials
// (CredentialStore), checks the row of the authorization table
// (domain/authz.h) and, for a write, the party's signature. The principal it
// returns is the only actor a service records.

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

#include "domain/authz.h"
#include "services/credential_store.h"

namespace cradle::services {

class Gate {
 public:
  explicit Gate(const CredentialStore& credentials)
      : credentials_(credentials) {}

  // The caller, allowed to call `op`: UNAUTHENTICATED without a valid
  // credential, PERMISSION_DENIED when its row does not admit it.
  absl::StatusOr<domain::Principal> Admit(const grpc::ServerContextBase& ctx,
                                          domain::Operation op) const;

  // Admit, then the signature rule for a write: a signed row needs
  // meta.signature by the credential's key; on any other row a signature,
  // if present, must verify too.
  absl::StatusOr<domain::Principal> AdmitWrite(
      const grpc::ServerContextBase& ctx, domain::Operation op,
      const google::protobuf::Message& request) const;

  // Admit, for a handler that needs only the yes: on a refusal, finishes
  // `reactor` with it and returns false.
  bool AdmitOrFinish(const grpc::ServerContextBase& ctx, domain::Operation op,
                     grpc::ServerUnaryReactor* reactor) const;

 private:
  const CredentialStore& credentials_;
};

}  // namespace cradle::services
