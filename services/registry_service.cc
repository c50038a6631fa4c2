#include <utility>

#include "services/grpc_status.h"
#include "services/services.h"

namespace cradle::services {
namespace {

// Responses that answer an enterprise or an approval.
template <typename Response>
void Put(v1::Enterprise e, Response* r) {
  *r->mutable_enterprise() = std::move(e);
}
void Put(v1::Approval a, v1::RegisterApprovalResponse* r) {
  *r->mutable_approval() = std::move(a);
}

// A registry write: the gate, then `write` on the store, whose answer (a
// T) goes into `reply`.
template <typename T, typename Request, typename Reply, typename WriteFn>
grpc::ServerUnaryReactor* WriteRegistry(grpc::CallbackServerContext* ctx,
                                        const Gate& gate,
                                        const Request* request, Reply* reply,
                                        WriteFn write) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate.AdmitWrite(*ctx, domain::Operation::kRegistryWrite, *request);
  if (!who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  write(*request, *who, Finisher<T>(reactor, reply, [](T value, Reply* r) {
    Put(std::move(value), r);
  }));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* RegistryService::RegisterEnterprise(
    grpc::CallbackServerContext* ctx,
    const v1::RegisterEnterpriseRequest* request,
    v1::RegisterEnterpriseResponse* reply) {
  return WriteRegistry<v1::Enterprise>(
      ctx, gate_, request, reply, [this](auto&&... a) {
        store_.RegisterEnterprise(std::forward<decltype(a)>(a)...);
      });
}

grpc::ServerUnaryReactor* RegistryService::GrantLicence(
    grpc::CallbackServerContext* ctx, const v1::GrantLicenceRequest* request,
    v1::GrantLicenceResponse* reply) {
  return WriteRegistry<v1::Enterprise>(
      ctx, gate_, request, reply, [this](auto&&... a) {
        store_.GrantLicence(std::forward<decltype(a)>(a)...);
      });
}

grpc::ServerUnaryReactor* RegistryService::RegisterVehicle(
    grpc::CallbackServerContext* ctx, const v1::RegisterVehicleRequest* request,
    v1::RegisterVehicleResponse* reply) {
  return WriteRegistry<v1::Enterprise>(
      ctx, gate_, request, reply, [this](auto&&... a) {
        store_.RegisterVehicle(std::forward<decltype(a)>(a)...);
      });
}

grpc::ServerUnaryReactor* RegistryService::GrantTransportPermit(
    grpc::CallbackServerContext* ctx,
    const v1::GrantTransportPermitRequest* request,
    v1::GrantTransportPermitResponse* reply) {
  return WriteRegistry<v1::Enterprise>(
      ctx, gate_, request, reply, [this](auto&&... a) {
        store_.GrantTransportPermit(std::forward<decltype(a)>(a)...);
      });
}

grpc::ServerUnaryReactor* RegistryService::RegisterCrewMember(
    grpc::CallbackServerContext* ctx,
    const v1::RegisterCrewMemberRequest* request,
    v1::RegisterCrewMemberResponse* reply) {
  return WriteRegistry<v1::Enterprise>(
      ctx, gate_, request, reply, [this](auto&&... a) {
        store_.RegisterCrewMember(std::forward<decltype(a)>(a)...);
      });
}

grpc::ServerUnaryReactor* RegistryService::RegisterApproval(
    grpc::CallbackServerContext* ctx,
    const v1::RegisterApprovalRequest* request,
    v1::RegisterApprovalResponse* reply) {
  return WriteRegistry<v1::Approval>(
      ctx, gate_, request, reply, [this](auto&&... a) {
        store_.RegisterApproval(std::forward<decltype(a)>(a)...);
      });
}

grpc::ServerUnaryReactor* RegistryService::GetEnterprise(
    grpc::CallbackServerContext* ctx, const v1::GetEnterpriseRequest* request,
    v1::GetEnterpriseResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.Admit(*ctx, domain::Operation::kRegistryRead);
  FinishWith(reactor, reply,
             who.ok() ? store_.reader().GetEnterprise("id", request->id())
                      : absl::StatusOr<v1::Enterprise>(who.status()),
             Put<v1::GetEnterpriseResponse>);
  return reactor;
}

}  // namespace cradle::services
