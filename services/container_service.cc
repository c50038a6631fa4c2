#include <utility>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "domain/container.h"
#include "services/grpc_status.h"
#include "services/services.h"

namespace cradle::services {

using domain::Operation;

grpc::ServerUnaryReactor* ContainerService::Register(
    grpc::CallbackServerContext* ctx,
    const v1::RegisterContainerRequest* request,
    v1::RegisterContainerResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, Operation::kRegisterContainer, *request);
  absl::Status s = who.ok()
                       ? domain::CheckActsFor(*who, "container.generator",
                                              request->container().generator())
                       : who.status();
  if (!s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  registry_.RegisterContainer(
      *request, *who,
      Finisher<v1::RegisterContainerResponse>(
          reactor, reply,
          [](v1::RegisterContainerResponse r,
             v1::RegisterContainerResponse* out) { *out = std::move(r); }));
  return reactor;
}

grpc::ServerUnaryReactor* ContainerService::Get(
    grpc::CallbackServerContext* ctx, const v1::GetContainerRequest* request,
    v1::GetContainerResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(reactor, reply, [&]() -> absl::StatusOr<v1::GetContainerResponse> {
    CRADLE_ASSIGN_OR_RETURN(const domain::Principal p,
                            gate_.Admit(*ctx, Operation::kContainerRead));
    CRADLE_RETURN_IF_ERROR(
        domain::ParseContainerCode("code", request->code()).status());
    CRADLE_ASSIGN_OR_RETURN(v1::Container c, registry_.reader().GetContainer(
                                                 "code", request->code()));
    // Its generator and the regulators over it; else the parties of the
    // manifest that lists it.
    CRADLE_ASSIGN_OR_RETURN(
        v1::Enterprise generator,
        registry_.reader().GetEnterprise("generator", c.generator()));
    absl::Status may = domain::CheckEnterpriseReader(p, generator);
    if (!may.ok() && !c.manifest().empty()) {
      CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, manifests_.Load(c.manifest()));
      may = domain::CheckManifestReader(p, m);
    }
    if (!may.ok()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "container ", c.code(), " is not yours to read: ", may.message()));
    }
    v1::GetContainerResponse out;
    *out.mutable_container() = std::move(c);
    return out;
  }());
  return reactor;
}

}  // namespace cradle::services
