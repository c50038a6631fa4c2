#include "services/gate.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "security/attestation.h"
#include "services/federation.h"
#include "services/grpc_status.h"

namespace cradle::services {

absl::StatusOr<domain::Principal> Gate::Authenticate(
    const grpc::ServerContextBase& ctx,
    const google::protobuf::Message* request) const {
  const auto& metadata = ctx.client_metadata();
  if (Vouched(ctx)) {
    if (federation_ == nullptr || request == nullptr) {
      return absl::UnauthenticatedError(
          federation_ == nullptr
              ? "a call relayed from another province: this node has no "
                "directory of provinces (--provinces-file)"
              : "a call relayed from another province is honoured only on "
                "a manifest's writes and Manifests.Get");
    }
    const auto [vouch, signature] = VouchOf(ctx);
    return federation_->Admit(vouch, signature, *request);
  }
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "no credential: send \"authorization: Bearer <token>\" (cradlectl "
        "--token or CRADLE_TOKEN)");
  }
  const absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWith(value, kBearer)) {
    return absl::UnauthenticatedError(
        "the authorization header is not \"Bearer <token>\"");
  }
  return credentials_.Authenticate(value.substr(kBearer.size()));
}

std::pair<absl::string_view, absl::string_view> Gate::VouchOf(
    const grpc::ServerContextBase& ctx) {
  const auto& metadata = ctx.client_metadata();
  auto value = [&metadata](const char* key) {
    auto it = metadata.find(key);
    return it == metadata.end()
               ? absl::string_view()
               : absl::string_view(it->second.data(), it->second.size());
  };
  return {value(kVouchHeader), value(kVouchSignatureHeader)};
}

absl::StatusOr<domain::Principal> Gate::Admit(
    const grpc::ServerContextBase& ctx, domain::Operation op) const {
  absl::StatusOr<domain::Principal> p = Authenticate(ctx, nullptr);
  if (!p.ok()) return p.status();
  if (absl::Status s = domain::Authorize(*p, op); !s.ok()) return s;
  return p;
}

absl::StatusOr<domain::Principal> Gate::Admit(
    const grpc::ServerContextBase& ctx, domain::Operation op,
    const google::protobuf::Message& request) const {
  absl::StatusOr<domain::Principal> p = Authenticate(ctx, &request);
  if (!p.ok()) return p.status();
  if (absl::Status s = domain::Authorize(*p, op); !s.ok()) return s;
  return p;
}

void Gate::RememberVouch(const std::string& vouch, const std::string& signature,
                         const domain::Principal& p,
                         std::function<void()> then) const {
  federation_->Remember(vouch, signature, p, std::move(then));
}

bool Gate::AdmitOrFinish(const grpc::ServerContextBase& ctx,
                         domain::Operation op,
                         grpc::ServerUnaryReactor* reactor) const {
  absl::StatusOr<domain::Principal> p = Admit(ctx, op);
  if (p.ok()) return true;
  reactor->Finish(ToGrpcStatus(p.status()));
  return false;
}

absl::StatusOr<domain::Principal> Gate::AdmitWrite(
    const grpc::ServerContextBase& ctx, domain::Operation op,
    const google::protobuf::Message& request) const {
  absl::StatusOr<domain::Principal> p = Admit(ctx, op, request);
  if (!p.ok()) return p;
  const bool required = domain::PermissionFor(op).signed_by_party;
  const std::string signature = security::SignatureOf(request);
  if (signature.empty()) {
    if (!required) return p;
    return absl::InvalidArgumentError(absl::StrCat(
        "meta.signature is required: ", request.GetTypeName(),
        " is attested by the party and must be signed with the key of "
        "credential ",
        p->credential, " (cradlectl --key or CRADLE_KEY)"));
  }
  if (p->public_key.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("meta.signature cannot be checked: credential ",
                     p->credential, " has no public key"));
  }
  if (!security::VerifyRequest(p->public_key, request)) {
    return absl::PermissionDeniedError(
        absl::StrCat("meta.signature does not verify against the key of "
                     "credential ",
                     p->credential));
  }
  return p;
}

}  // namespace cradle::services
