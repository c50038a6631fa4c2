#include <utility>

#include "services/grpc_status.h"
#include "services/services.h"

namespace cradle::services {

grpc::ServerUnaryReactor* CredentialService::Issue(
    grpc::CallbackServerContext* ctx, const v1::IssueCredentialRequest* request,
    v1::IssueCredentialResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, domain::Operation::kCredentialAdmin, *request);
  if (!who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  store_.Issue(*request, *who, Finisher(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* CredentialService::Revoke(
    grpc::CallbackServerContext* ctx,
    const v1::RevokeCredentialRequest* request, v1::Credential* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, domain::Operation::kCredentialAdmin, *request);
  if (!who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  if (request->id() == who->credential) {
    reactor->Finish(ToGrpcStatus(absl::FailedPreconditionError(
        "id is the credential making the call: an administrator cannot "
        "revoke itself (issue another administrator credential first and "
        "revoke this one with it)")));
    return reactor;
  }
  store_.Revoke(*request, *who, Finisher(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* CredentialService::List(
    grpc::CallbackServerContext* ctx, const v1::ListCredentialsRequest* request,
    v1::ListCredentialsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.Admit(*ctx, domain::Operation::kCredentialAdmin);
  if (who.ok()) {
    for (v1::Credential& c : store_.List(request->enterprise())) {
      *reply->add_credentials() = std::move(c);
    }
  }
  reactor->Finish(ToGrpcStatus(who.status()));
  return reactor;
}

grpc::ServerUnaryReactor* CredentialService::WhoAmI(
    grpc::CallbackServerContext* ctx, const v1::WhoAmIRequest* /*request*/,
    v1::Credential* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.Admit(*ctx, domain::Operation::kWhoAmI);
  absl::StatusOr<v1::Credential> c =
      who.ok() ? store_.Get(who->credential)
               : absl::StatusOr<v1::Credential>(who.status());
  FinishWith(reactor, reply, std::move(c));
  return reactor;
}

}  // namespace cradle::services
