#include "services/registry_store.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "domain/container.h"
#include "domain/plan.h"
#include "domain/registry.h"
#include "domain/stock.h"
#include "services/keys.h"
#include "services/projection.h"

namespace cradle::services {
namespace {

// `decision` on `before` (empty for a new enterprise) as one append: the
// event as entry "registry.<op>", the new state, the index changes.
PreparedWrite<v1::Enterprise> EnterpriseAppend(
    const v1::Enterprise& before, domain::RegistryDecision decision,
    absl::string_view op, const domain::Principal& who) {
  const std::string& id = decision.next.id();
  PreparedWrite<v1::Enterprise> out;
  storage::AppendRequest& req = out.append;
  req.stream = keys::EnterpriseStream(id);
  req.expected_version = before.version();
  req.entries.push_back(storage::NewEntry{absl::StrCat("registry.", op),
                                          decision.event.SerializeAsString(),
                                          who.Actor()});
  req.mutations.push_back(
      storage::Mutation::Put(storage::Table::kState, keys::EnterpriseState(id),
                             decision.next.SerializeAsString()));
  IndexDiff(EnterpriseIndex(before), EnterpriseIndex(decision.next),
            &req.mutations);
  out.answer = [next = std::move(decision.next)](const storage::AppendResult&)
      -> absl::StatusOr<v1::Enterprise> { return next; };
  out.created = absl::StrCat("id ", id);
  return out;
}

}  // namespace

RegistryStore::RegistryStore(storage::Ledger& ledger, const Clock& clock)
    : ledger_(ledger),
      clock_(clock),
      reader_(ledger),
      enterprises_(ledger,
                   [this](const storage::AppendResult& first) {
                     return ReplayEnterprise(first);
                   }),
      approvals_(ledger,
                 [this](const storage::AppendResult& first) {
                   return ReplayApproval(first);
                 }),
      containers_(ledger,
                  [this](const storage::AppendResult& first)
                      -> absl::StatusOr<v1::RegisterContainerResponse> {
                    CRADLE_ASSIGN_OR_RETURN(keys::StreamName name,
                                            keys::ParseStream(first.stream));
                    v1::RegisterContainerResponse out;
                    CRADLE_ASSIGN_OR_RETURN(
                        *out.mutable_container(),
                        reader_.GetContainer("code", name.id));
                    *out.mutable_receipt() = ReceiptFor(first);
                    out.mutable_receipt()->set_replayed(true);
                    return out;
                  }),
      plans_(
          ledger,
          [this](const storage::AppendResult& first)
              -> absl::StatusOr<v1::FilePlanResponse> {
            CRADLE_ASSIGN_OR_RETURN(keys::StreamName name,
                                    keys::ParseStream(first.stream));
            v1::FilePlanResponse out;
            CRADLE_ASSIGN_OR_RETURN(*out.mutable_plan(),
                                    reader_.GetPlan("plan.number", name.id));
            *out.mutable_receipt() = ReceiptFor(first);
            out.mutable_receipt()->set_replayed(true);
            return out;
          },
          [](v1::FilePlanResponse* r) {
            r->mutable_receipt()->set_replayed(true);
          }),
      stock_(ledger,
             [this](const storage::AppendResult& first)
                 -> absl::StatusOr<v1::RecordStockResponse> {
               CRADLE_ASSIGN_OR_RETURN(keys::StreamName name,
                                       keys::ParseStream(first.stream));
               v1::RecordStockResponse out;
               CRADLE_ASSIGN_OR_RETURN(
                   *out.mutable_container(),
                   reader_.GetContainer("record.code", name.id));
               *out.mutable_receipt() = ReceiptFor(first);
               out.mutable_receipt()->set_replayed(true);
               return out;
             }),
      plan_sequences_(ledger) {}

absl::StatusOr<v1::Enterprise> RegistryStore::ReplayEnterprise(
    const storage::AppendResult& first) const {
  CRADLE_ASSIGN_OR_RETURN(keys::StreamName name,
                          keys::ParseStream(first.stream));
  return reader_.GetEnterprise("id", name.id);
}

absl::StatusOr<v1::Approval> RegistryStore::ReplayApproval(
    const storage::AppendResult& first) const {
  CRADLE_ASSIGN_OR_RETURN(keys::StreamName name,
                          keys::ParseStream(first.stream));
  CRADLE_ASSIGN_OR_RETURN(absl::optional<v1::Approval> approval,
                          reader_.FindApproval(name.id));
  if (!approval.has_value()) {
    return absl::DataLossError(absl::StrCat(
        "approval ", name.id, " was written but its state is missing"));
  }
  return *std::move(approval);
}

void RegistryStore::RegisterEnterprise(
    const v1::RegisterEnterpriseRequest& request, const domain::Principal& who,
    EnterpriseDone done) {
  enterprises_.Write(
      who, "register", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::Enterprise>> {
        absl::StatusOr<v1::Enterprise> existing =
            reader_.GetEnterprise("id", request.id());
        if (!existing.ok() &&
            existing.status().code() != absl::StatusCode::kNotFound) {
          return existing.status();
        }
        CRADLE_ASSIGN_OR_RETURN(
            domain::RegistryDecision d,
            domain::DecideRegisterEnterprise(
                request, existing.ok() ? &*existing : nullptr));
        return EnterpriseAppend(v1::Enterprise(), std::move(d), "register",
                                who);
      },
      std::move(done));
}

void RegistryStore::GrantLicence(const v1::GrantLicenceRequest& request,
                                 const domain::Principal& who,
                                 EnterpriseDone done) {
  enterprises_.Write(
      who, "licence", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::Enterprise>> {
        CRADLE_ASSIGN_OR_RETURN(
            v1::Enterprise receiver,
            reader_.GetEnterprise("receiver", request.receiver()));
        CRADLE_ASSIGN_OR_RETURN(
            domain::RegistryDecision d,
            domain::DecideGrantLicence(receiver, request, clock_.Now()));
        return EnterpriseAppend(receiver, std::move(d), "licence", who);
      },
      std::move(done));
}

void RegistryStore::RegisterVehicle(const v1::RegisterVehicleRequest& request,
                                    const domain::Principal& who,
                                    EnterpriseDone done) {
  enterprises_.Write(
      who, "vehicle", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::Enterprise>> {
        CRADLE_ASSIGN_OR_RETURN(
            v1::Enterprise carrier,
            reader_.GetEnterprise("carrier", request.carrier()));
        CRADLE_ASSIGN_OR_RETURN(
            domain::RegistryDecision d,
            domain::DecideRegisterVehicle(carrier, request));
        // Named here for a clear refusal; the index key is also claimed
        // create-only, so two carriers racing for one plate cannot both win.
        CRADLE_ASSIGN_OR_RETURN(
            absl::optional<std::string> owner,
            reader_.VehicleOwner(request.vehicle().plate()));
        if (owner.has_value()) {
          return absl::AlreadyExistsError(
              absl::StrCat("vehicle.plate ", request.vehicle().plate(),
                           " is already registered to carrier ", *owner));
        }
        return EnterpriseAppend(carrier, std::move(d), "vehicle", who);
      },
      std::move(done));
}

template <typename Request, typename DecideFn>
void RegistryStore::WriteCarrier(const Request& request,
                                 const domain::Principal& who,
                                 absl::string_view op, DecideFn decide,
                                 EnterpriseDone done) {
  enterprises_.Write(
      who, op, request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::Enterprise>> {
        CRADLE_ASSIGN_OR_RETURN(
            v1::Enterprise carrier,
            reader_.GetEnterprise("carrier", request.carrier()));
        CRADLE_ASSIGN_OR_RETURN(domain::RegistryDecision d,
                                decide(carrier, request, clock_.Now()));
        return EnterpriseAppend(carrier, std::move(d), op, who);
      },
      std::move(done));
}

void RegistryStore::GrantTransportPermit(
    const v1::GrantTransportPermitRequest& request,
    const domain::Principal& who, EnterpriseDone done) {
  WriteCarrier(request, who, "permit", domain::DecideGrantTransportPermit,
               std::move(done));
}

void RegistryStore::RegisterCrewMember(
    const v1::RegisterCrewMemberRequest& request, const domain::Principal& who,
    EnterpriseDone done) {
  WriteCarrier(request, who, "crew", domain::DecideRegisterCrewMember,
               std::move(done));
}

void RegistryStore::ExtendStorage(const v1::ExtendStorageRequest& request,
                                  const domain::Principal& who,
                                  EnterpriseDone done) {
  enterprises_.Write(
      who, "storage", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::Enterprise>> {
        CRADLE_ASSIGN_OR_RETURN(
            v1::Enterprise generator,
            reader_.GetEnterprise("generator", request.generator()));
        CRADLE_RETURN_IF_ERROR(
            domain::CheckJurisdiction(who, "generator", generator.division()));
        CRADLE_ASSIGN_OR_RETURN(
            domain::RegistryDecision d,
            domain::DecideExtendStorage(generator, request, clock_.Now()));
        return EnterpriseAppend(generator, std::move(d), "storage", who);
      },
      std::move(done));
}

void RegistryStore::RegisterApproval(const v1::RegisterApprovalRequest& request,
                                     const domain::Principal& who,
                                     ApprovalDone done) {
  approvals_.Write(
      who, "approval", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::Approval>> {
        const v1::Approval& a = request.approval();
        CRADLE_ASSIGN_OR_RETURN(
            v1::Enterprise generator,
            reader_.GetEnterprise("approval.generator", a.generator()));
        CRADLE_ASSIGN_OR_RETURN(
            v1::Enterprise receiver,
            reader_.GetEnterprise("approval.receiver", a.receiver()));
        CRADLE_ASSIGN_OR_RETURN(absl::optional<v1::Approval> existing,
                                reader_.FindApproval(a.number()));
        CRADLE_ASSIGN_OR_RETURN(
            domain::ApprovalDecision d,
            domain::DecideRegisterApproval(
                request, generator, receiver,
                existing.has_value() ? &*existing : nullptr));
        const v1::Approval& approval = d.next;
        const ledger::v1::RegistryEvent& event = d.event;
        PreparedWrite<v1::Approval> out;
        storage::AppendRequest& req = out.append;
        req.stream = keys::ApprovalStream(approval.number());
        req.expected_version = 0;
        req.entries.push_back(storage::NewEntry{
            "registry.approval", event.SerializeAsString(), who.Actor()});
        req.mutations.push_back(storage::Mutation::Put(
            storage::Table::kState, keys::ApprovalState(approval.number()),
            approval.SerializeAsString()));
        IndexDiff({}, ApprovalIndex(approval), &req.mutations);
        out.created = absl::StrCat("approval.number ", approval.number());
        out.answer = [approval = d.next](const storage::AppendResult&)
            -> absl::StatusOr<v1::Approval> { return approval; };
        return out;
      },
      std::move(done));
}

void RegistryStore::RegisterContainer(
    const v1::RegisterContainerRequest& request, const domain::Principal& who,
    ContainerDone done) {
  containers_.Write(
      who, "container", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::RegisterContainerResponse>> {
        const v1::ContainerLabel& c = request.container();
        CRADLE_ASSIGN_OR_RETURN(
            v1::Enterprise generator,
            reader_.GetEnterprise("container.generator", c.generator()));
        // Before the code is read from the ledger: a malformed one is
        // refused naming it, not looked up.
        CRADLE_RETURN_IF_ERROR(
            domain::ParseContainerCode("container.code", c.code()).status());
        absl::StatusOr<v1::Container> existing =
            reader_.GetContainer("container.code", c.code());
        if (!existing.ok() && !absl::IsNotFound(existing.status())) {
          return existing.status();
        }
        // A collector's container: what went into it, as read, each with
        // the manifest it was collected on.
        std::vector<domain::CollectedSource> sources;
        if (c.sources_size() <= domain::kMaxContainersPerManifest) {
          for (int j = 0; j < c.sources_size(); ++j) {
            const std::string field =
                absl::StrCat("container.sources[", j, "]");
            CRADLE_RETURN_IF_ERROR(
                domain::ParseContainerCode(field, c.sources(j)).status());
            domain::CollectedSource s;
            CRADLE_ASSIGN_OR_RETURN(s.container,
                                    reader_.GetContainer(field, c.sources(j)));
            if (!s.container.manifest().empty()) {
              CRADLE_ASSIGN_OR_RETURN(
                  s.manifest, reader_.GetManifest(s.container.manifest()));
            }
            sources.push_back(std::move(s));
          }
        }
        CRADLE_ASSIGN_OR_RETURN(
            domain::ContainerDecision d,
            domain::DecideRegisterContainer(
                request, generator, existing.ok() ? &*existing : nullptr,
                sources, clock_.Now()));
        PreparedWrite<v1::RegisterContainerResponse> out;
        out.append =
            ContainerAppend(v1::Container(), d.event, d.next, who.Actor());
        out.created = absl::StrCat("container.code ", d.next.code());
        out.answer = [container = std::move(d.next)](
                         const storage::AppendResult& r) mutable
            -> absl::StatusOr<v1::RegisterContainerResponse> {
          v1::RegisterContainerResponse reply;
          *reply.mutable_container() = std::move(container);
          *reply.mutable_receipt() = ReceiptFor(r);
          return reply;
        };
        return out;
      },
      std::move(done));
}

void RegistryStore::RecordStock(const v1::RecordStockRequest& request,
                                const domain::Principal& who, StockDone done) {
  stock_.Write(
      who, "stock", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::RecordStockResponse>> {
        const std::string& code = request.record().code();
        if (code.empty()) {
          return absl::InvalidArgumentError("record.code is required");
        }
        CRADLE_RETURN_IF_ERROR(
            domain::ParseContainerCode("record.code", code).status());
        CRADLE_ASSIGN_OR_RETURN(v1::Container c,
                                reader_.GetContainer("record.code", code));
        v1::ManifestStatus listed_on = v1::MANIFEST_STATUS_UNSPECIFIED;
        std::vector<storage::StreamRead> reads;
        if (!c.manifest().empty()) {
          CRADLE_ASSIGN_OR_RETURN(v1::Manifest m,
                                  reader_.GetManifest(c.manifest()));
          listed_on = m.status();
          // Decided on the manifest as it is: its pickup landing first
          // aborts this record (storage::StreamRead).
          reads.push_back(storage::StreamRead{
              c.manifest(), static_cast<uint64_t>(m.version())});
        }
        CRADLE_ASSIGN_OR_RETURN(
            v1::Enterprise generator,
            reader_.GetEnterprise("container.generator", c.generator()));
        CRADLE_ASSIGN_OR_RETURN(
            domain::ContainerDecision d,
            domain::DecideRecordStock(request, c, listed_on, generator,
                                      clock_.Now()));
        PreparedWrite<v1::RecordStockResponse> out;
        out.append = ContainerAppend(c, d.event, d.next, who.Actor());
        out.append.reads = std::move(reads);
        out.answer = [container = std::move(d.next)](
                         const storage::AppendResult& r) mutable
            -> absl::StatusOr<v1::RecordStockResponse> {
          v1::RecordStockResponse reply;
          *reply.mutable_container() = std::move(container);
          *reply.mutable_receipt() = ReceiptFor(r);
          return reply;
        };
        return out;
      },
      std::move(done));
}

void RegistryStore::FilePlan(const v1::FilePlanRequest& request,
                             const domain::Principal& who, PlanDone done) {
  // Copies share the first's answer, so that a retry racing its original
  // never takes a second number.
  plans_.Write(
      who, "plan", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::FilePlanResponse>> {
        const v1::ManagementPlan& p = request.plan();
        CRADLE_ASSIGN_OR_RETURN(
            v1::Enterprise generator,
            reader_.GetEnterprise("plan.generator", p.generator()));
        CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> filed,
                                reader_.PlanNumberOf(p.generator(), p.year()));
        absl::optional<v1::ManagementPlan> existing;
        if (filed.has_value()) {
          CRADLE_ASSIGN_OR_RETURN(existing,
                                  reader_.GetPlan("plan.number", *filed));
        }
        const absl::Time now = clock_.Now();
        std::string number;
        if (!existing.has_value()) {
          // Checked before a number is taken, so that refusals leave no gap.
          CRADLE_RETURN_IF_ERROR(
              domain::DecideFilePlan(request, reader_, nullptr, "", now)
                  .status());
          CRADLE_ASSIGN_OR_RETURN(
              const int sequence,
              NextPlanSequence(generator.division(), p.year()));
          number = domain::FormatPlanNumber(generator.division(), p.year(),
                                            sequence);
        }
        CRADLE_ASSIGN_OR_RETURN(
            domain::PlanDecision d,
            domain::DecideFilePlan(request, reader_,
                                   existing.has_value() ? &*existing : nullptr,
                                   number, now));
        const std::string& given = d.next.number();
        PreparedWrite<v1::FilePlanResponse> out;
        storage::AppendRequest& req = out.append;
        req.stream = keys::PlanStream(given);
        req.expected_version = existing.has_value()
                                   ? static_cast<uint64_t>(existing->version())
                                   : 0;
        req.entries.push_back(storage::NewEntry{
            "registry.plan", d.event.SerializeAsString(), who.Actor()});
        req.mutations.push_back(storage::Mutation::Put(
            storage::Table::kState, keys::PlanState(given),
            d.next.SerializeAsString()));
        IndexDiff(existing.has_value() ? PlanIndex(*existing) : IndexEntries(),
                  PlanIndex(d.next), &req.mutations);
        out.created = absl::StrCat("plan.number ", given);
        out.answer =
            [plan = std::move(d.next)](const storage::AppendResult& r) mutable
            -> absl::StatusOr<v1::FilePlanResponse> {
          v1::FilePlanResponse reply;
          *reply.mutable_plan() = std::move(plan);
          *reply.mutable_receipt() = ReceiptFor(r);
          return reply;
        };
        return out;
      },
      std::move(done),
      WritePipeline<v1::FilePlanResponse>::Copies::kShareFirst);
}

void RegistryStore::ForgetPlanNumbers() { plan_sequences_.Forget(); }

absl::StatusOr<int> RegistryStore::NextPlanSequence(const std::string& division,
                                                    int year) {
  // "330402-2026-": the numbers of the division's year sort as they count.
  const std::string prefix =
      absl::StrCat(keys::PlanNumbersPrefix(), division, "-", year, "-");
  return plan_sequences_.Next(
      prefix, domain::kMaxPlanSequence,
      [](absl::string_view key) -> absl::StatusOr<int> {
        CRADLE_ASSIGN_OR_RETURN(
            domain::PlanNumber n,
            domain::ParsePlanNumber(
                "plan.number", key.substr(keys::PlanNumbersPrefix().size())));
        return n.sequence;
      },
      absl::StrCat("plan numbers for division ", division, " in ", year));
}

}  // namespace cradle::services
