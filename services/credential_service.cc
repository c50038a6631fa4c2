#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "base/status_macros.h"
#include "services/grpc_status.h"
#include "services/page_token.h"
#include "services/services.h"

namespace cradle::services {
namespace {

// Into the responses that answer one credential.
template <typename Response>
void PutCredential(v1::Credential c, Response* r) {
  *r->mutable_credential() = std::move(c);
}

}  // namespace

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
    const v1::RevokeCredentialRequest* request,
    v1::RevokeCredentialResponse* reply) {
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
  store_.Revoke(
      *request, *who,
      Finisher<v1::Credential>(reactor, reply,
                               PutCredential<v1::RevokeCredentialResponse>));
  return reactor;
}

grpc::ServerUnaryReactor* CredentialService::List(
    grpc::CallbackServerContext* ctx, const v1::ListCredentialsRequest* request,
    v1::ListCredentialsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::Status s = [&]() -> absl::Status {
    CRADLE_RETURN_IF_ERROR(
        gate_.Admit(*ctx, domain::Operation::kCredentialAdmin).status());
    CRADLE_ASSIGN_OR_RETURN(const int page_size,
                            PageSize(request->page_size(), kCredentialPages));
    // The cursor is "<enterprise>/<last id>": a token serves its query only.
    const std::string prefix = absl::StrCat(request->enterprise(), "/");
    CRADLE_ASSIGN_OR_RETURN(std::string cursor,
                            DecodePageToken(request->page_token(), prefix));
    const absl::string_view after =
        absl::string_view(cursor).substr(cursor.empty() ? 0 : prefix.size());
    std::vector<v1::Credential> page =
        store_.List(request->enterprise(), after, page_size + 1);
    if (page.size() > static_cast<size_t>(page_size)) {
      page.pop_back();
      reply->set_next_page_token(
          EncodePageToken(absl::StrCat(prefix, page.back().id())));
    }
    for (v1::Credential& c : page) *reply->add_credentials() = std::move(c);
    return absl::OkStatus();
  }();
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

grpc::ServerUnaryReactor* CredentialService::WhoAmI(
    grpc::CallbackServerContext* ctx, const v1::WhoAmIRequest* /*request*/,
    v1::WhoAmIResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.Admit(*ctx, domain::Operation::kWhoAmI);
  absl::StatusOr<v1::Credential> c =
      who.ok() ? store_.Get(who->credential)
               : absl::StatusOr<v1::Credential>(who.status());
  FinishWith(reactor, reply, std::move(c), PutCredential<v1::WhoAmIResponse>);
  return reactor;
}

}  // namespace cradle::services
