#include <utility>

#include "services/grpc_status.h"
#include "services/services.h"

namespace cradle::services {
namespace {

// Completes `reactor` with the store's answer; runs on any thread.
ManifestStore::Done FinishWith(grpc::ServerUnaryReactor* reactor,
                               v1::ManifestReply* reply) {
  return [reactor, reply](absl::StatusOr<v1::ManifestReply> r) {
    if (r.ok()) *reply = *std::move(r);
    reactor->Finish(ToGrpcStatus(r.status()));
  };
}

template <typename Request, typename DecideFn>
grpc::ServerUnaryReactor* WriteManifest(
    grpc::CallbackServerContext* ctx, ManifestStore& store,
    const Request* request, absl::string_view actor, absl::string_view op,
    v1::ManifestReply* reply, DecideFn decide) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  store.Write(
      request->number(), actor, op, request->meta(),
      [request, &store, decide](const v1::Manifest& m, absl::Time now) {
        return decide(m, *request, store.registry(), now);
      },
      FinishWith(reactor, reply));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* ManifestService::Open(
    grpc::CallbackServerContext* ctx, const v1::OpenManifestRequest* request,
    v1::ManifestReply* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  store_.Open(*request, FinishWith(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* ManifestService::Issue(
    grpc::CallbackServerContext* ctx, const v1::IssueManifestRequest* request,
    v1::ManifestReply* reply) {
  return WriteManifest(
      ctx, store_, request, request->generator(), "issue", reply,
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         absl::Time now) { return domain::DecideIssue(m, r, now); });
}

grpc::ServerUnaryReactor* ManifestService::Cancel(
    grpc::CallbackServerContext* ctx, const v1::CancelManifestRequest* request,
    v1::ManifestReply* reply) {
  return WriteManifest(
      ctx, store_, request, request->generator(), "cancel", reply,
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         absl::Time now) { return domain::DecideCancel(m, r, now); });
}

grpc::ServerUnaryReactor* ManifestService::Get(
    grpc::CallbackServerContext* ctx, const v1::GetManifestRequest* request,
    v1::Manifest* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<v1::Manifest> m = store_.Load(request->number());
  if (m.ok()) *reply = *std::move(m);
  reactor->Finish(ToGrpcStatus(m.status()));
  return reactor;
}

grpc::ServerUnaryReactor* ManifestService::List(
    grpc::CallbackServerContext* ctx, const v1::ListManifestsRequest* request,
    v1::ListManifestsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<v1::ListManifestsResponse> r = store_.List(*request);
  if (r.ok()) *reply = *std::move(r);
  reactor->Finish(ToGrpcStatus(r.status()));
  return reactor;
}

grpc::ServerUnaryReactor* TransferService::Pickup(
    grpc::CallbackServerContext* ctx, const v1::PickupRequest* request,
    v1::ManifestReply* reply) {
  return WriteManifest(ctx, store_, request, request->carrier(), "pickup",
                       reply,
                       [](const v1::Manifest& m, const auto& r,
                          const domain::RegistryReader& reg, absl::Time now) {
                         return domain::DecidePickup(m, r, reg, now);
                       });
}

grpc::ServerUnaryReactor* TransferService::Relay(
    grpc::CallbackServerContext* ctx, const v1::RelayRequest* request,
    v1::ManifestReply* reply) {
  return WriteManifest(ctx, store_, request, request->from_carrier(), "relay",
                       reply,
                       [](const v1::Manifest& m, const auto& r,
                          const domain::RegistryReader& reg, absl::Time now) {
                         return domain::DecideRelay(m, r, reg, now);
                       });
}

grpc::ServerUnaryReactor* TransferService::Deliver(
    grpc::CallbackServerContext* ctx, const v1::DeliverRequest* request,
    v1::ManifestReply* reply) {
  return WriteManifest(ctx, store_, request, request->receiver(), "deliver",
                       reply,
                       [](const v1::Manifest& m, const auto& r,
                          const domain::RegistryReader& reg, absl::Time now) {
                         return domain::DecideDeliver(m, r, reg, now);
                       });
}

grpc::ServerUnaryReactor* TransferService::Reroute(
    grpc::CallbackServerContext* ctx, const v1::RerouteRequest* request,
    v1::ManifestReply* reply) {
  return WriteManifest(ctx, store_, request, request->generator(), "reroute",
                       reply,
                       [](const v1::Manifest& m, const auto& r,
                          const domain::RegistryReader& reg, absl::Time now) {
                         return domain::DecideReroute(m, r, reg, now);
                       });
}

grpc::ServerUnaryReactor* DisposalService::Receive(
    grpc::CallbackServerContext* ctx, const v1::ReceiveRequest* request,
    v1::ManifestReply* reply) {
  return WriteManifest(
      ctx, store_, request, request->receiver(), "receive", reply,
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         absl::Time now) { return domain::DecideReceive(m, r, now); });
}

grpc::ServerUnaryReactor* DisposalService::Dispose(
    grpc::CallbackServerContext* ctx, const v1::DisposeRequest* request,
    v1::ManifestReply* reply) {
  return WriteManifest(
      ctx, store_, request, request->receiver(), "dispose", reply,
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         absl::Time now) { return domain::DecideDispose(m, r, now); });
}

grpc::ServerUnaryReactor* DisposalService::RecordPayment(
    grpc::CallbackServerContext* ctx, const v1::RecordPaymentRequest* request,
    v1::ManifestReply* reply) {
  return WriteManifest(
      ctx, store_, request, request->payer(), "payment", reply,
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         absl::Time now) { return domain::DecidePayment(m, r, now); });
}

}  // namespace cradle::services
