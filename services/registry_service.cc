#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "domain/declaration.h"
#include "domain/operator_report.h"
#include "domain/plan.h"
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

// A write: the gate admits the caller for `op`, then `write(request, who,
// done)` runs on a store, and `done` (made by `finisher` from the reactor)
// finishes the call with its answer.
template <typename Request, typename FinisherFn, typename WriteFn>
grpc::ServerUnaryReactor* AdmitThenWrite(grpc::CallbackServerContext* ctx,
                                         const Gate& gate, domain::Operation op,
                                         const Request* request,
                                         FinisherFn finisher, WriteFn write) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who = gate.AdmitWrite(*ctx, op, *request);
  if (!who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  write(*request, *who, finisher(reactor));
  return reactor;
}

// A registry write by the administrator, whose answer (a T) goes into
// `reply`.
template <typename T, typename Request, typename Reply, typename WriteFn>
grpc::ServerUnaryReactor* WriteRegistry(grpc::CallbackServerContext* ctx,
                                        const Gate& gate,
                                        const Request* request, Reply* reply,
                                        WriteFn write) {
  return AdmitThenWrite(
      ctx, gate, domain::Operation::kRegistryWrite, request,
      [reply](grpc::ServerUnaryReactor* reactor) {
        return Finisher<T>(reactor, reply,
                           [](T value, Reply* r) { Put(std::move(value), r); });
      },
      std::move(write));
}

// A write whose answer is the RPC's response itself.
template <typename Reply>
auto ReplyFinisher(Reply* reply) {
  return [reply](grpc::ServerUnaryReactor* reactor) {
    return Finisher<Reply>(reactor, reply);
  };
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

grpc::ServerUnaryReactor* RegistryService::FilePlan(
    grpc::CallbackServerContext* ctx, const v1::FilePlanRequest* request,
    v1::FilePlanResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, domain::Operation::kFilePlan, *request);
  absl::Status s = who.ok() ? domain::CheckActsFor(*who, "plan.generator",
                                                   request->plan().generator())
                            : who.status();
  if (!s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  store_.FilePlan(*request, *who,
                  Finisher<v1::FilePlanResponse>(reactor, reply));
  return reactor;
}

namespace {

// The plan a GetPlan request names, and what it has shipped against what
// it planned: each planned transfer, then what went elsewhere.
absl::StatusOr<v1::GetPlanResponse> ReadPlan(
    const v1::GetPlanRequest& request, const domain::Principal& who,
    const LedgerRegistryReader& reader) {
  std::string number = request.number();
  if (number.empty()) {
    if (request.generator().empty() || request.year() == 0) {
      return absl::InvalidArgumentError(
          "number, or generator and year, is required");
    }
    CRADLE_ASSIGN_OR_RETURN(
        absl::optional<std::string> filed,
        reader.PlanNumberOf(request.generator(), request.year()));
    if (!filed.has_value()) {
      return absl::NotFoundError(absl::StrCat("generator ", request.generator(),
                                              " has filed no plan for year ",
                                              request.year()));
    }
    number = *std::move(filed);
  } else {
    CRADLE_RETURN_IF_ERROR(domain::ParsePlanNumber("number", number).status());
  }
  v1::GetPlanResponse out;
  CRADLE_ASSIGN_OR_RETURN(*out.mutable_plan(),
                          reader.GetPlan("number", number));
  CRADLE_ASSIGN_OR_RETURN(
      const v1::Enterprise generator,
      reader.GetEnterprise("plan.generator", out.plan().generator()));
  if (absl::Status may = domain::CheckEnterpriseReader(who, generator);
      !may.ok()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "plan ", number, " is not yours to read: ", may.message()));
  }
  CRADLE_ASSIGN_OR_RETURN(domain::PlanShipped shipped,
                          reader.PlanShipments(number));
  for (const v1::PlanLine& line : out.plan().lines()) {
    for (const v1::PlannedTransfer& t : line.transfers()) {
      v1::PlanProgress* p = out.add_progress();
      p->set_code(line.code());
      p->set_receiver(t.receiver());
      p->set_planned_g(t.quantity_g());
      auto it = shipped.find({line.code(), t.receiver()});
      if (it != shipped.end()) {
        p->set_shipped_g(it->second);
        shipped.erase(it);
      }
    }
  }
  for (const auto& [key, grams] : shipped) {
    v1::PlanProgress* p = out.add_progress();
    p->set_code(key.first);
    p->set_receiver(key.second);
    p->set_shipped_g(grams);
  }
  return out;
}

}  // namespace

grpc::ServerUnaryReactor* RegistryService::GetPlan(
    grpc::CallbackServerContext* ctx, const v1::GetPlanRequest* request,
    v1::GetPlanResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(reactor, reply, [&]() -> absl::StatusOr<v1::GetPlanResponse> {
    CRADLE_ASSIGN_OR_RETURN(const domain::Principal p,
                            gate_.Admit(*ctx, domain::Operation::kPlanRead));
    return ReadPlan(*request, p, store_.reader());
  }());
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::GetDeclaration(
    grpc::CallbackServerContext* ctx, const v1::GetDeclarationRequest* request,
    v1::GetDeclarationResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(
      reactor, reply, [&]() -> absl::StatusOr<v1::GetDeclarationResponse> {
        CRADLE_ASSIGN_OR_RETURN(
            const domain::Principal p,
            gate_.Admit(*ctx, domain::Operation::kDeclarationRead));
        if (request->generator().empty()) {
          return absl::InvalidArgumentError("generator is required");
        }
        const LedgerRegistryReader& reader = store_.reader();
        CRADLE_ASSIGN_OR_RETURN(
            const v1::Enterprise generator,
            reader.GetEnterprise("generator", request->generator()));
        CRADLE_RETURN_IF_ERROR(domain::CheckEnterpriseReader(p, generator));
        const absl::Time now = store_.clock().Now();
        CRADLE_RETURN_IF_ERROR(
            domain::CheckDeclarationYear(request->year(), now));
        CRADLE_ASSIGN_OR_RETURN(
            absl::optional<std::string> filed,
            reader.PlanNumberOf(generator.id(), request->year()));
        absl::optional<v1::ManagementPlan> plan;
        if (filed.has_value()) {
          CRADLE_ASSIGN_OR_RETURN(plan, reader.GetPlan("plan", *filed));
        }
        CRADLE_ASSIGN_OR_RETURN(const std::vector<v1::Manifest> manifests,
                                reader.ManifestsOf(generator.id()));
        CRADLE_ASSIGN_OR_RETURN(const std::vector<v1::Container> containers,
                                reader.ContainersOf(generator.id()));
        return domain::Declare(generator.id(), request->year(),
                               plan.has_value() ? &*plan : nullptr, manifests,
                               containers, now);
      }());
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::GetOperatorReport(
    grpc::CallbackServerContext* ctx,
    const v1::GetOperatorReportRequest* request,
    v1::GetOperatorReportResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(
      reactor, reply, [&]() -> absl::StatusOr<v1::GetOperatorReportResponse> {
        CRADLE_ASSIGN_OR_RETURN(
            const domain::Principal p,
            gate_.Admit(*ctx, domain::Operation::kOperatorReportRead));
        const absl::Time now = store_.clock().Now();
        CRADLE_ASSIGN_OR_RETURN(const domain::ReportPeriod period,
                                domain::CheckOperatorReport(*request, now));
        const LedgerRegistryReader& reader = store_.reader();
        CRADLE_ASSIGN_OR_RETURN(
            const v1::Enterprise op,
            reader.GetEnterprise("operator", request->operator_()));
        CRADLE_RETURN_IF_ERROR(domain::CheckEnterpriseReader(p, op));
        CRADLE_RETURN_IF_ERROR(domain::CheckReportingOperator(op));
        CRADLE_ASSIGN_OR_RETURN(
            const std::vector<domain::OperatorManifest> received,
            reader.ReceivedAt(op.id(), period.start));
        CRADLE_ASSIGN_OR_RETURN(const std::vector<v1::Container> own,
                                reader.ContainersOf(op.id()));
        std::map<std::string, v1::Container> sources;
        for (const std::string& code : domain::RepackSources(own, period.end)) {
          CRADLE_ASSIGN_OR_RETURN(sources[code],
                                  reader.GetContainer("container", code));
        }
        return domain::ReportOperator(
            op.id(), period, received, own, sources,
            domain::LicensedCapacityG(op, period, now), now);
      }());
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::ApplyForTransfer(
    grpc::CallbackServerContext* ctx,
    const v1::ApplyForTransferRequest* request,
    v1::ApplyForTransferResponse* reply) {
  return AdmitThenWrite(ctx, gate_, domain::Operation::kApplyForTransfer,
                        request, ReplyFinisher(reply), [this](auto&&... a) {
                          consultations_.Apply(std::forward<decltype(a)>(a)...);
                        });
}

grpc::ServerUnaryReactor* RegistryService::ActOnConsultation(
    grpc::CallbackServerContext* ctx,
    const v1::ActOnConsultationRequest* request,
    v1::ActOnConsultationResponse* reply) {
  return AdmitThenWrite(ctx, gate_, domain::Operation::kConsultationAct,
                        request, ReplyFinisher(reply), [this](auto&&... a) {
                          consultations_.Act(std::forward<decltype(a)>(a)...);
                        });
}

grpc::ServerUnaryReactor* RegistryService::GetConsultation(
    grpc::CallbackServerContext* ctx, const v1::GetConsultationRequest* request,
    v1::GetConsultationResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(
      reactor, reply, [&]() -> absl::StatusOr<v1::GetConsultationResponse> {
        CRADLE_ASSIGN_OR_RETURN(
            const domain::Principal p,
            gate_.Admit(*ctx, domain::Operation::kConsultationRead));
        v1::GetConsultationResponse out;
        CRADLE_ASSIGN_OR_RETURN(*out.mutable_consultation(),
                                consultations_.Get(request->number(), p));
        return out;
      }());
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::ListConsultations(
    grpc::CallbackServerContext* ctx,
    const v1::ListConsultationsRequest* request,
    v1::ListConsultationsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(reactor, reply,
             [&]() -> absl::StatusOr<v1::ListConsultationsResponse> {
               CRADLE_ASSIGN_OR_RETURN(
                   const domain::Principal p,
                   gate_.Admit(*ctx, domain::Operation::kConsultationRead));
               return consultations_.List(*request, p);
             }());
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::FileWhiteList(
    grpc::CallbackServerContext* ctx, const v1::FileWhiteListRequest* request,
    v1::FileWhiteListResponse* reply) {
  return AdmitThenWrite(
      ctx, gate_, domain::Operation::kFileWhiteList, request,
      ReplyFinisher(reply), [this](auto&&... a) {
        consultations_.FileWhiteList(std::forward<decltype(a)>(a)...);
      });
}

grpc::ServerUnaryReactor* RegistryService::ExtendStorage(
    grpc::CallbackServerContext* ctx, const v1::ExtendStorageRequest* request,
    v1::ExtendStorageResponse* reply) {
  return AdmitThenWrite(
      ctx, gate_, domain::Operation::kExtendStorage, request,
      [reply](grpc::ServerUnaryReactor* reactor) {
        return Finisher<v1::Enterprise>(
            reactor, reply, [](v1::Enterprise e, v1::ExtendStorageResponse* r) {
              *r->mutable_enterprise() = std::move(e);
            });
      },
      [this](auto&&... a) {
        store_.ExtendStorage(std::forward<decltype(a)>(a)...);
      });
}

grpc::ServerUnaryReactor* RegistryService::GetWhiteList(
    grpc::CallbackServerContext* ctx, const v1::GetWhiteListRequest* request,
    v1::GetWhiteListResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(reactor, reply, [&]() -> absl::StatusOr<v1::GetWhiteListResponse> {
    CRADLE_ASSIGN_OR_RETURN(
        const domain::Principal p,
        gate_.Admit(*ctx, domain::Operation::kWhiteListRead));
    v1::GetWhiteListResponse out;
    CRADLE_ASSIGN_OR_RETURN(*out.mutable_white_list(),
                            consultations_.GetWhiteList(request->number(), p));
    return out;
  }());
  return reactor;
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
