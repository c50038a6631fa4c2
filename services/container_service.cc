#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "domain/collection.h"
#include "domain/container.h"
#include "domain/decision_checks.h"
#include "domain/stock.h"
#include "domain/waste_catalogue.h"
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

grpc::ServerUnaryReactor* ContainerService::RecordStock(
    grpc::CallbackServerContext* ctx, const v1::RecordStockRequest* request,
    v1::RecordStockResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, Operation::kRecordStock, *request);
  // The container's generator is the unit its code names.
  absl::StatusOr<domain::ContainerCode> code =
      who.ok()
          ? domain::ParseContainerCode("record.code", request->record().code())
          : absl::StatusOr<domain::ContainerCode>(who.status());
  absl::Status s = code.ok()
                       ? domain::CheckActsFor(*who, "record.code", code->unit)
                       : code.status();
  if (!s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  registry_.RecordStock(
      *request, *who,
      Finisher<v1::RecordStockResponse>(
          reactor, reply,
          [](v1::RecordStockResponse r, v1::RecordStockResponse* out) {
            *out = std::move(r);
          }));
  return reactor;
}

grpc::ServerUnaryReactor* ContainerService::GetStock(
    grpc::CallbackServerContext* ctx, const v1::GetStockRequest* request,
    v1::GetStockResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(reactor, reply, [&]() -> absl::StatusOr<v1::GetStockResponse> {
    CRADLE_ASSIGN_OR_RETURN(const domain::Principal p,
                            gate_.Admit(*ctx, Operation::kStockRead));
    if (request->generator().empty()) {
      return absl::InvalidArgumentError("generator is required");
    }
    const LedgerRegistryReader& reader = registry_.reader();
    CRADLE_ASSIGN_OR_RETURN(
        v1::Enterprise generator,
        reader.GetEnterprise("generator", request->generator()));
    CRADLE_RETURN_IF_ERROR(domain::CheckEnterpriseReader(p, generator));
    if (!request->waste_code().empty()) {
      CRADLE_RETURN_IF_ERROR(domain::WasteCatalogue::Builtin()
                                 .Lookup("waste_code", request->waste_code())
                                 .status());
    }
    CRADLE_ASSIGN_OR_RETURN(std::vector<v1::Container> all,
                            reader.ContainersOf(generator.id()));
    std::vector<v1::Container> containers;
    std::map<std::string, v1::Manifest> manifests;
    for (v1::Container& c : all) {
      if (!request->waste_code().empty() &&
          c.waste_code() != request->waste_code()) {
        continue;
      }
      if (!c.manifest().empty() && manifests.count(c.manifest()) == 0) {
        CRADLE_ASSIGN_OR_RETURN(manifests[c.manifest()],
                                reader.GetManifest(c.manifest()));
      }
      containers.push_back(std::move(c));
    }
    v1::GetStockResponse out =
        domain::StockOf(containers, manifests, registry_.clock().Now());
    if (domain::HasRole(generator, {v1::ROLE_COLLECTOR})) {
      CRADLE_ASSIGN_OR_RETURN(std::vector<v1::Manifest> inbound,
                              reader.CollectedBy(generator.id()));
      std::map<std::string, v1::Container> collected;
      for (const v1::Manifest& m : inbound) {
        for (const std::string& code : domain::ManifestContainers(m)) {
          CRADLE_ASSIGN_OR_RETURN(collected[code],
                                  reader.GetContainer("container", code));
        }
      }
      for (v1::CollectionBalance& b :
           domain::CollectionOf(generator.id(), request->waste_code(), inbound,
                                collected, containers, manifests)) {
        *out.add_collection() = std::move(b);
      }
    }
    return out;
  }());
  return reactor;
}

}  // namespace cradle::services
