#pragma once

// The door every RPC goes through: reads the call's bearer token
// ("authorization: Bearer crd1...."), proves it against the credentials
// (CredentialStore), checks the row of the authorization table
// (domain/authz.h) and, for a write, the party's signature. The principal it
// returns is the only actor a service records.
//
// A call relayed from another province (federation.h) carries that
// province's vouch in place of a token: the gate takes the principal it
// vouches for, once the vouch checks, for the request it was made for.

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

#include "domain/authz.h"
#include "services/credential_store.h"
#include "services/province_relay.h"

namespace cradle::services {

class Federation;

class Gate {
 public:
  explicit Gate(const CredentialStore& credentials)
      : credentials_(credentials) {}

  // From now on, calls relayed from the other provinces of `federation`'s
  // directory are admitted. Not owned; it must outlive the gate. Call
  // before the server listens.
  void AcceptVouchesFrom(const Federation* federation) {
    federation_ = federation;
  }

  // The caller, allowed to call `op`: UNAUTHENTICATED without a valid
  // credential, PERMISSION_DENIED when its row does not admit it.
  absl::StatusOr<domain::Principal> Admit(const grpc::ServerContextBase& ctx,
                                          domain::Operation op) const;
  // The same, for a call that may come relayed from another province: its
  // vouch must be for `request`.
  absl::StatusOr<domain::Principal> Admit(
      const grpc::ServerContextBase& ctx, domain::Operation op,
      const google::protobuf::Message& request) const;

  // Admit, then the signature rule for a write: a signed row needs
  // meta.signature by the credential's key; on any other row a signature,
  // if present, must verify too.
  absl::StatusOr<domain::Principal> AdmitWrite(
      const grpc::ServerContextBase& ctx, domain::Operation op,
      const google::protobuf::Message& request) const;

  // `done`, once the write it answers succeeded and, when the call came
  // relayed from another province, the credential its vouch names is
  // recorded (Federation::Remember); a refused write records nothing.
  template <typename T>
  std::function<void(absl::StatusOr<T>)> RecordingVouch(
      const grpc::ServerContextBase& ctx, const domain::Principal& p,
      std::function<void(absl::StatusOr<T>)> done) const {
    if (federation_ == nullptr || !Vouched(ctx)) return done;
    const auto [vouch, signature] = VouchOf(ctx);
    return
        [this, vouch = std::string(vouch), signature = std::string(signature),
         p, done = std::move(done)](absl::StatusOr<T> r) {
          if (!r.ok()) {
            done(std::move(r));
            return;
          }
          // The answer waits for the record, so that whoever reads the
          // write's entry after it can check its signature.
          auto answer = std::make_shared<absl::StatusOr<T>>(std::move(r));
          RememberVouch(vouch, signature, p,
                        [done, answer] { done(std::move(*answer)); });
        };
  }

  // Admit, for a handler that needs only the yes: on a refusal, finishes
  // `reactor` with it and returns false.
  bool AdmitOrFinish(const grpc::ServerContextBase& ctx, domain::Operation op,
                     grpc::ServerUnaryReactor* reactor) const;

 private:
  // Who the call's token, or its vouch for `request` (null: none is
  // accepted), proves.
  absl::StatusOr<domain::Principal> Authenticate(
      const grpc::ServerContextBase& ctx,
      const google::protobuf::Message* request) const;
  void RememberVouch(const std::string& vouch, const std::string& signature,
                     const domain::Principal& p,
                     std::function<void()> then) const;
  // The call's vouch and its signature; empty when it has none.
  static std::pair<absl::string_view, absl::string_view> VouchOf(
      const grpc::ServerContextBase& ctx);

  const CredentialStore& credentials_;
  const Federation* federation_ = nullptr;
};

}  // namespace cradle::services
