#pragma once

// The registry's writes: enterprises (with their licences and vehicles) and
// transfer approvals, each decided by the domain and appended through the
// one write pipeline. Knows nothing of gRPC.

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

#include "base/clock.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/plan.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/authz.h"
#include "services/ledger_registry.h"
#include "services/sequences.h"
#include "services/write_pipeline.h"
#include "storage/ledger.h"

namespace cradle::services {

class RegistryStore {
 public:
  using EnterpriseDone = std::function<void(absl::StatusOr<v1::Enterprise>)>;
  using ApprovalDone = std::function<void(absl::StatusOr<v1::Approval>)>;
  using ContainerDone =
      std::function<void(absl::StatusOr<v1::RegisterContainerResponse>)>;
  using PlanDone = std::function<void(absl::StatusOr<v1::FilePlanResponse>)>;
  using StockDone =
      std::function<void(absl::StatusOr<v1::RecordStockResponse>)>;

  // Neither is owned; both must outlive the store.
  RegistryStore(storage::Ledger& ledger, const Clock& clock);

  // Each on behalf of `who`, the authenticated caller. `done` runs once,
  // possibly on the ledger's writer thread; it must not block.
  void RegisterEnterprise(const v1::RegisterEnterpriseRequest& request,
                          const domain::Principal& who, EnterpriseDone done);
  void GrantLicence(const v1::GrantLicenceRequest& request,
                    const domain::Principal& who, EnterpriseDone done);
  void RegisterVehicle(const v1::RegisterVehicleRequest& request,
                       const domain::Principal& who, EnterpriseDone done);
  void GrantTransportPermit(const v1::GrantTransportPermitRequest& request,
                            const domain::Principal& who, EnterpriseDone done);
  void RegisterCrewMember(const v1::RegisterCrewMemberRequest& request,
                          const domain::Principal& who, EnterpriseDone done);
  // Longer storage for `request.generator()`, by `who`, a regulator whose
  // jurisdiction holds it (docs/STOCK.md).
  void ExtendStorage(const v1::ExtendStorageRequest& request,
                     const domain::Principal& who, EnterpriseDone done);
  void RegisterApproval(const v1::RegisterApprovalRequest& request,
                        const domain::Principal& who, ApprovalDone done);
  // A labelled container, by the generator that filled it.
  void RegisterContainer(const v1::RegisterContainerRequest& request,
                         const domain::Principal& who, ContainerDone done);
  // A record of a container's stock ledger, by its generator.
  void RecordStock(const v1::RecordStockRequest& request,
                   const domain::Principal& who, StockDone done);
  // A management plan, filed or filed again by its generator; the first
  // filing of a generator's year is given the next number of its division.
  void FilePlan(const v1::FilePlanRequest& request,
                const domain::Principal& who, PlanDone done);
  // Plan numbers are given from memory once read from the ledger; a node
  // that has just become the writer forgets them (as ManifestStore's
  // serials).
  void ForgetPlanNumbers();

  const LedgerRegistryReader& reader() const { return reader_; }
  const Clock& clock() const { return clock_; }

 private:
  // The answer to a retry: the stream's state as it is now.
  absl::StatusOr<v1::Enterprise> ReplayEnterprise(
      const storage::AppendResult& first) const;
  absl::StatusOr<v1::Approval> ReplayApproval(
      const storage::AppendResult& first) const;
  // A write to carrier `request.carrier()` decided by `decide(carrier,
  // request, now)`, recorded as "registry.<op>".
  template <typename Request, typename DecideFn>
  void WriteCarrier(const Request& request, const domain::Principal& who,
                    absl::string_view op, DecideFn decide, EnterpriseDone done);

  // The next sequence of plans filed in `division` for `year`.
  absl::StatusOr<int> NextPlanSequence(const std::string& division, int year);

  storage::Ledger& ledger_;
  const Clock& clock_;
  LedgerRegistryReader reader_;
  WritePipeline<v1::Enterprise> enterprises_;
  WritePipeline<v1::Approval> approvals_;
  WritePipeline<v1::RegisterContainerResponse> containers_;
  WritePipeline<v1::FilePlanResponse> plans_;
  WritePipeline<v1::RecordStockResponse> stock_;

  Sequences plan_sequences_;
};

}  // namespace cradle::services
