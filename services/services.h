#pragma once

// The gRPC services: thin adapters that turn a request into a domain
// decision through ManifestStore (or the registry's equivalent) and a ledger
// append, and map absl::Status to grpc::Status once, here. Callback API:
// no handler blocks on the ledger's fsync; each finishes its reactor from
// the ledger's completion. Every handler first passes the Gate (gate.h):
// authentication, the authorization table, signatures.

#include <atomic>
#include <string>
#include <vector>

#include "base/clock.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "cradle/v1/container.grpc.pb.h"
#include "cradle/v1/feed.grpc.pb.h"
#include "cradle/v1/flags.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/national.grpc.pb.h"
#include "cradle/v1/node.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "services/checked_service.h"
#include "services/consultation_store.h"
#include "services/credential_store.h"
#include "services/gate.h"
#include "services/ledger_guard.h"
#include "services/manifest_store.h"
#include "services/registry_store.h"
#include "services/scrubber.h"
#include "services/single_run.h"
#include "storage/ledger.h"
#include "storage/rocksdb_ledger.h"
#include "storage/tree_head.h"

namespace cradle::services {

class Sweeper;

class RegistryService final
    : public CheckedService<RegistryService, v1::Registry::CallbackService> {
 public:
  RegistryService(RegistryStore& store, ConsultationStore& consultations,
                  const Gate& gate)
      : store_(store), consultations_(consultations), gate_(gate) {
    Check("cradle.v1.Registry", "RegisterEnterprise",
          &RegistryService::RegisterEnterprise);
    Check("cradle.v1.Registry", "GrantLicence", &RegistryService::GrantLicence);
    Check("cradle.v1.Registry", "RegisterVehicle",
          &RegistryService::RegisterVehicle);
    Check("cradle.v1.Registry", "GrantTransportPermit",
          &RegistryService::GrantTransportPermit);
    Check("cradle.v1.Registry", "RegisterCrewMember",
          &RegistryService::RegisterCrewMember);
    Check("cradle.v1.Registry", "GetEnterprise",
          &RegistryService::GetEnterprise);
    Check("cradle.v1.Registry", "RegisterApproval",
          &RegistryService::RegisterApproval);
    Check("cradle.v1.Registry", "FilePlan", &RegistryService::FilePlan);
    Check("cradle.v1.Registry", "GetPlan", &RegistryService::GetPlan);
    Check("cradle.v1.Registry", "GetDeclaration",
          &RegistryService::GetDeclaration);
    Check("cradle.v1.Registry", "GetOperatorReport",
          &RegistryService::GetOperatorReport);
    Check("cradle.v1.Registry", "ApplyForTransfer",
          &RegistryService::ApplyForTransfer);
    Check("cradle.v1.Registry", "ActOnConsultation",
          &RegistryService::ActOnConsultation);
    Check("cradle.v1.Registry", "GetConsultation",
          &RegistryService::GetConsultation);
    Check("cradle.v1.Registry", "ListConsultations",
          &RegistryService::ListConsultations);
    Check("cradle.v1.Registry", "FileWhiteList",
          &RegistryService::FileWhiteList);
    Check("cradle.v1.Registry", "GetWhiteList", &RegistryService::GetWhiteList);
    Check("cradle.v1.Registry", "ExtendStorage",
          &RegistryService::ExtendStorage);
  }

  grpc::ServerUnaryReactor* RegisterEnterprise(
      grpc::CallbackServerContext* ctx,
      const v1::RegisterEnterpriseRequest* request,
      v1::RegisterEnterpriseResponse* reply) override;
  grpc::ServerUnaryReactor* GrantLicence(
      grpc::CallbackServerContext* ctx, const v1::GrantLicenceRequest* request,
      v1::GrantLicenceResponse* reply) override;
  grpc::ServerUnaryReactor* RegisterVehicle(
      grpc::CallbackServerContext* ctx,
      const v1::RegisterVehicleRequest* request,
      v1::RegisterVehicleResponse* reply) override;
  grpc::ServerUnaryReactor* GrantTransportPermit(
      grpc::CallbackServerContext* ctx,
      const v1::GrantTransportPermitRequest* request,
      v1::GrantTransportPermitResponse* reply) override;
  grpc::ServerUnaryReactor* RegisterCrewMember(
      grpc::CallbackServerContext* ctx,
      const v1::RegisterCrewMemberRequest* request,
      v1::RegisterCrewMemberResponse* reply) override;
  grpc::ServerUnaryReactor* GetEnterprise(
      grpc::CallbackServerContext* ctx, const v1::GetEnterpriseRequest* request,
      v1::GetEnterpriseResponse* reply) override;
  grpc::ServerUnaryReactor* RegisterApproval(
      grpc::CallbackServerContext* ctx,
      const v1::RegisterApprovalRequest* request,
      v1::RegisterApprovalResponse* reply) override;
  grpc::ServerUnaryReactor* FilePlan(grpc::CallbackServerContext* ctx,
                                     const v1::FilePlanRequest* request,
                                     v1::FilePlanResponse* reply) override;
  grpc::ServerUnaryReactor* GetPlan(grpc::CallbackServerContext* ctx,
                                    const v1::GetPlanRequest* request,
                                    v1::GetPlanResponse* reply) override;
  grpc::ServerUnaryReactor* GetDeclaration(
      grpc::CallbackServerContext* ctx,
      const v1::GetDeclarationRequest* request,
      v1::GetDeclarationResponse* reply) override;
  grpc::ServerUnaryReactor* GetOperatorReport(
      grpc::CallbackServerContext* ctx,
      const v1::GetOperatorReportRequest* request,
      v1::GetOperatorReportResponse* reply) override;
  grpc::ServerUnaryReactor* ApplyForTransfer(
      grpc::CallbackServerContext* ctx,
      const v1::ApplyForTransferRequest* request,
      v1::ApplyForTransferResponse* reply) override;
  grpc::ServerUnaryReactor* ActOnConsultation(
      grpc::CallbackServerContext* ctx,
      const v1::ActOnConsultationRequest* request,
      v1::ActOnConsultationResponse* reply) override;
  grpc::ServerUnaryReactor* GetConsultation(
      grpc::CallbackServerContext* ctx,
      const v1::GetConsultationRequest* request,
      v1::GetConsultationResponse* reply) override;
  grpc::ServerUnaryReactor* ListConsultations(
      grpc::CallbackServerContext* ctx,
      const v1::ListConsultationsRequest* request,
      v1::ListConsultationsResponse* reply) override;
  grpc::ServerUnaryReactor* FileWhiteList(
      grpc::CallbackServerContext* ctx, const v1::FileWhiteListRequest* request,
      v1::FileWhiteListResponse* reply) override;
  grpc::ServerUnaryReactor* GetWhiteList(
      grpc::CallbackServerContext* ctx, const v1::GetWhiteListRequest* request,
      v1::GetWhiteListResponse* reply) override;
  grpc::ServerUnaryReactor* ExtendStorage(
      grpc::CallbackServerContext* ctx, const v1::ExtendStorageRequest* request,
      v1::ExtendStorageResponse* reply) override;

 private:
  RegistryStore& store_;
  ConsultationStore& consultations_;
  const Gate& gate_;
};

// Credentials: issued and revoked by the administrator; WhoAmI for anyone.
class CredentialService final
    : public CheckedService<CredentialService,
                            v1::Credentials::CallbackService> {
 public:
  CredentialService(CredentialStore& store, const Gate& gate)
      : store_(store), gate_(gate) {
    Check("cradle.v1.Credentials", "Issue", &CredentialService::Issue);
    Check("cradle.v1.Credentials", "Revoke", &CredentialService::Revoke);
    Check("cradle.v1.Credentials", "List", &CredentialService::List);
    Check("cradle.v1.Credentials", "WhoAmI", &CredentialService::WhoAmI);
  }

  grpc::ServerUnaryReactor* Issue(grpc::CallbackServerContext* ctx,
                                  const v1::IssueCredentialRequest* request,
                                  v1::IssueCredentialResponse* reply) override;
  grpc::ServerUnaryReactor* Revoke(
      grpc::CallbackServerContext* ctx,
      const v1::RevokeCredentialRequest* request,
      v1::RevokeCredentialResponse* reply) override;
  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* ctx,
                                 const v1::ListCredentialsRequest* request,
                                 v1::ListCredentialsResponse* reply) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* ctx,
                                   const v1::WhoAmIRequest* request,
                                   v1::WhoAmIResponse* reply) override;

 private:
  CredentialStore& store_;
  const Gate& gate_;
};

class ManifestService final
    : public CheckedService<ManifestService, v1::Manifests::CallbackService> {
 public:
  ManifestService(ManifestStore& store, const Gate& gate)
      : store_(store), gate_(gate) {
    Check("cradle.v1.Manifests", "Open", &ManifestService::Open);
    Check("cradle.v1.Manifests", "Issue", &ManifestService::Issue);
    Check("cradle.v1.Manifests", "Cancel", &ManifestService::Cancel);
    Check("cradle.v1.Manifests", "Get", &ManifestService::Get);
    Check("cradle.v1.Manifests", "List", &ManifestService::List);
    Check("cradle.v1.Manifests", "ListInbox", &ManifestService::ListInbox);
  }

  grpc::ServerUnaryReactor* Open(grpc::CallbackServerContext* ctx,
                                 const v1::OpenManifestRequest* request,
                                 v1::OpenManifestResponse* reply) override;
  grpc::ServerUnaryReactor* Issue(grpc::CallbackServerContext* ctx,
                                  const v1::IssueManifestRequest* request,
                                  v1::IssueManifestResponse* reply) override;
  grpc::ServerUnaryReactor* Cancel(grpc::CallbackServerContext* ctx,
                                   const v1::CancelManifestRequest* request,
                                   v1::CancelManifestResponse* reply) override;
  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* ctx,
                                const v1::GetManifestRequest* request,
                                v1::GetManifestResponse* reply) override;
  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* ctx,
                                 const v1::ListManifestsRequest* request,
                                 v1::ListManifestsResponse* reply) override;
  grpc::ServerUnaryReactor* ListInbox(grpc::CallbackServerContext* ctx,
                                      const v1::ListInboxRequest* request,
                                      v1::ListInboxResponse* reply) override;

 private:
  absl::Status CheckPartyQuery(const domain::Principal& p,
                               std::string* party) const;

  ManifestStore& store_;
  const Gate& gate_;
};

class TransferService final
    : public CheckedService<TransferService, v1::Transfers::CallbackService> {
 public:
  TransferService(ManifestStore& store, const Gate& gate)
      : store_(store), gate_(gate) {
    Check("cradle.v1.Transfers", "Pickup", &TransferService::Pickup);
    Check("cradle.v1.Transfers", "Relay", &TransferService::Relay);
    Check("cradle.v1.Transfers", "Deliver", &TransferService::Deliver);
    Check("cradle.v1.Transfers", "Reroute", &TransferService::Reroute);
    Check("cradle.v1.Transfers", "Scan", &TransferService::Scan);
    Check("cradle.v1.Transfers", "RecordTrack", &TransferService::RecordTrack);
    Check("cradle.v1.Transfers", "Weigh", &TransferService::Weigh);
  }

  grpc::ServerUnaryReactor* Pickup(grpc::CallbackServerContext* ctx,
                                   const v1::PickupRequest* request,
                                   v1::PickupResponse* reply) override;
  grpc::ServerUnaryReactor* Relay(grpc::CallbackServerContext* ctx,
                                  const v1::RelayRequest* request,
                                  v1::RelayResponse* reply) override;
  grpc::ServerUnaryReactor* Deliver(grpc::CallbackServerContext* ctx,
                                    const v1::DeliverRequest* request,
                                    v1::DeliverResponse* reply) override;
  grpc::ServerUnaryReactor* Reroute(grpc::CallbackServerContext* ctx,
                                    const v1::RerouteRequest* request,
                                    v1::RerouteResponse* reply) override;
  grpc::ServerUnaryReactor* Scan(grpc::CallbackServerContext* ctx,
                                 const v1::ScanRequest* request,
                                 v1::ScanResponse* reply) override;
  grpc::ServerUnaryReactor* RecordTrack(
      grpc::CallbackServerContext* ctx, const v1::RecordTrackRequest* request,
      v1::RecordTrackResponse* reply) override;
  grpc::ServerUnaryReactor* Weigh(grpc::CallbackServerContext* ctx,
                                  const v1::WeighRequest* request,
                                  v1::WeighResponse* reply) override;

 private:
  ManifestStore& store_;
  const Gate& gate_;
};

// Labelled containers: registered by their generators, read by the parties
// of their manifests and by regulators (docs/CONTAINERS.md).
class ContainerService final
    : public CheckedService<ContainerService, v1::Containers::CallbackService> {
 public:
  ContainerService(RegistryStore& registry, ManifestStore& manifests,
                   const Gate& gate)
      : registry_(registry), manifests_(manifests), gate_(gate) {
    Check("cradle.v1.Containers", "Register", &ContainerService::Register);
    Check("cradle.v1.Containers", "Get", &ContainerService::Get);
    Check("cradle.v1.Containers", "RecordStock",
          &ContainerService::RecordStock);
    Check("cradle.v1.Containers", "GetStock", &ContainerService::GetStock);
  }

  grpc::ServerUnaryReactor* Register(
      grpc::CallbackServerContext* ctx,
      const v1::RegisterContainerRequest* request,
      v1::RegisterContainerResponse* reply) override;
  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* ctx,
                                const v1::GetContainerRequest* request,
                                v1::GetContainerResponse* reply) override;

  grpc::ServerUnaryReactor* RecordStock(
      grpc::CallbackServerContext* ctx, const v1::RecordStockRequest* request,
      v1::RecordStockResponse* reply) override;
  grpc::ServerUnaryReactor* GetStock(grpc::CallbackServerContext* ctx,
                                     const v1::GetStockRequest* request,
                                     v1::GetStockResponse* reply) override;

 private:
  RegistryStore& registry_;
  ManifestStore& manifests_;
  const Gate& gate_;
};

class DisposalService final
    : public CheckedService<DisposalService, v1::Disposals::CallbackService> {
 public:
  DisposalService(ManifestStore& store, const Gate& gate)
      : store_(store), gate_(gate) {
    Check("cradle.v1.Disposals", "Receive", &DisposalService::Receive);
    Check("cradle.v1.Disposals", "Dispose", &DisposalService::Dispose);
    Check("cradle.v1.Disposals", "RecordPayment",
          &DisposalService::RecordPayment);
  }

  grpc::ServerUnaryReactor* Receive(grpc::CallbackServerContext* ctx,
                                    const v1::ReceiveRequest* request,
                                    v1::ReceiveResponse* reply) override;
  grpc::ServerUnaryReactor* Dispose(grpc::CallbackServerContext* ctx,
                                    const v1::DisposeRequest* request,
                                    v1::DisposeResponse* reply) override;
  grpc::ServerUnaryReactor* RecordPayment(
      grpc::CallbackServerContext* ctx, const v1::RecordPaymentRequest* request,
      v1::RecordPaymentResponse* reply) override;

 private:
  ManifestStore& store_;
  const Gate& gate_;
};

// Corrections of the append-only record (domain/revision.h): revisions,
// void, a regulator's return. `by` is the caller's own voice: its
// enterprise, or "regulator:<its jurisdiction>" for a regulator of the
// manifest's.
class CorrectionService final
    : public CheckedService<CorrectionService,
                            v1::Corrections::CallbackService> {
 public:
  CorrectionService(ManifestStore& store, const Gate& gate)
      : store_(store), gate_(gate) {
    Check("cradle.v1.Corrections", "ProposeRevision",
          &CorrectionService::ProposeRevision);
    Check("cradle.v1.Corrections", "AnswerRevision",
          &CorrectionService::AnswerRevision);
    Check("cradle.v1.Corrections", "Void", &CorrectionService::Void);
    Check("cradle.v1.Corrections", "Return", &CorrectionService::Return);
    Check("cradle.v1.Corrections", "ConfirmReturn",
          &CorrectionService::ConfirmReturn);
  }

  grpc::ServerUnaryReactor* ProposeRevision(
      grpc::CallbackServerContext* ctx,
      const v1::ProposeRevisionRequest* request,
      v1::ProposeRevisionResponse* reply) override;
  grpc::ServerUnaryReactor* AnswerRevision(
      grpc::CallbackServerContext* ctx,
      const v1::AnswerRevisionRequest* request,
      v1::AnswerRevisionResponse* reply) override;
  grpc::ServerUnaryReactor* Void(grpc::CallbackServerContext* ctx,
                                 const v1::VoidManifestRequest* request,
                                 v1::VoidManifestResponse* reply) override;
  grpc::ServerUnaryReactor* Return(grpc::CallbackServerContext* ctx,
                                   const v1::ReturnManifestRequest* request,
                                   v1::ReturnManifestResponse* reply) override;
  grpc::ServerUnaryReactor* ConfirmReturn(
      grpc::CallbackServerContext* ctx, const v1::ConfirmReturnRequest* request,
      v1::ConfirmReturnResponse* reply) override;

 private:
  ManifestStore& store_;
  const Gate& gate_;
};

// The flags of `ledger` that `r` asks for, a page of them; `jurisdiction`,
// when set, keeps the flags whose origin or destination county lies in it.
// INVALID_ARGUMENT naming a bad field of `r`.
absl::StatusOr<v1::ListFlagsResponse> ListFlags(
    const ManifestStore& store, const storage::LedgerReader& ledger,
    const v1::ListFlagsRequest& r, absl::string_view jurisdiction);

// Regulators' view of flags. Acknowledging or resolving a flag is an entry in
// the manifest's stream; nothing is ever deleted.
class FlagService final
    : public CheckedService<FlagService, v1::Flags::CallbackService> {
 public:
  // None is owned; all must outlive the service.
  FlagService(const storage::LedgerReader& ledger, ManifestStore& store,
              const Gate& gate, const LedgerGuard& guard)
      : ledger_(ledger), store_(store), gate_(gate), guard_(guard) {
    Check("cradle.v1.Flags", "List", &FlagService::List);
    Check("cradle.v1.Flags", "Acknowledge", &FlagService::Acknowledge);
    Check("cradle.v1.Flags", "Resolve", &FlagService::Resolve);
    Check("cradle.v1.Flags", "GetEnterpriseRisk",
          &FlagService::GetEnterpriseRisk);
    Check("cradle.v1.Flags", "Sweep", &FlagService::Sweep);
  }

  // Flags.Sweep asks `sweeper` for a pass (not owned; it must outlive the
  // service). Without one, Sweep is UNAVAILABLE.
  void SweepWith(Sweeper* sweeper) { sweeper_ = sweeper; }

  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* ctx,
                                 const v1::ListFlagsRequest* request,
                                 v1::ListFlagsResponse* reply) override;
  grpc::ServerUnaryReactor* Acknowledge(
      grpc::CallbackServerContext* ctx,
      const v1::AcknowledgeFlagRequest* request,
      v1::AcknowledgeFlagResponse* reply) override;
  grpc::ServerUnaryReactor* Resolve(grpc::CallbackServerContext* ctx,
                                    const v1::ResolveFlagRequest* request,
                                    v1::ResolveFlagResponse* reply) override;
  grpc::ServerUnaryReactor* GetEnterpriseRisk(
      grpc::CallbackServerContext* ctx,
      const v1::GetEnterpriseRiskRequest* request,
      v1::GetEnterpriseRiskResponse* reply) override;
  grpc::ServerUnaryReactor* Sweep(grpc::CallbackServerContext* ctx,
                                  const v1::SweepRequest* request,
                                  v1::SweepResponse* reply) override;

 private:
  // A regulator's note on a flag, moving it to state `to`: on a
  // manifest's flag decided by `decide` (domain's DecideAcknowledge or
  // DecideResolve), on a container's by DecideContainerFlagNote; the flag
  // as it left goes into reply.flag.
  template <typename Request, typename Reply, typename DecideFn>
  grpc::ServerUnaryReactor* Note(grpc::CallbackServerContext* ctx,
                                 const Request* request, absl::string_view op,
                                 Reply* reply, DecideFn decide,
                                 v1::FlagState to);

  const storage::LedgerReader& ledger_;  // the flag indexes
  ManifestStore& store_;
  const Gate& gate_;
  const LedgerGuard& guard_;  // a LEDGER_DAMAGED alarm shows as a flag
  Sweeper* sweeper_ = nullptr;
};

// The regulator's view: chains and their proofs against signed tree heads,
// the ledger's integrity (verification, deep verification, the scrubber),
// jurisdiction queries, flows and exports (audit_service.cc,
// audit_jurisdiction.cc).
class AuditService final
    : public CheckedService<AuditService, v1::Audit::CallbackService> {
 public:
  // None is owned; all must outlive the service.
  // `credentials` name the signers of a chain's entries; `flags` are the
  // limits deep verification replays deadlines with (copied).
  AuditService(const storage::Ledger& ledger, const ManifestStore& store,
               LedgerGuard& guard, const Scrubber& scrubber, const Gate& gate,
               const CredentialStore& credentials,
               const domain::FlagConfig& flags)
      : ledger_(ledger),
        store_(store),
        guard_(guard),
        scrubber_(scrubber),
        gate_(gate),
        credentials_(credentials),
        flags_(flags) {
    Check("cradle.v1.Audit", "Chain", &AuditService::Chain);
    Check("cradle.v1.Audit", "Verify", &AuditService::Verify);
    Check("cradle.v1.Audit", "VerifyDeep", &AuditService::VerifyDeep);
    Check("cradle.v1.Audit", "GetIntegrity", &AuditService::GetIntegrity);
    Check("cradle.v1.Audit", "Head", &AuditService::Head);
    Check("cradle.v1.Audit", "GetTreeHead", &AuditService::GetTreeHead);
    Check("cradle.v1.Audit", "GetManifestSeal", &AuditService::GetManifestSeal);
    Check("cradle.v1.Audit", "Prove", &AuditService::Prove);
    Check("cradle.v1.Audit", "Consistency", &AuditService::Consistency);
    Check("cradle.v1.Audit", "ListJurisdictionManifests",
          &AuditService::ListJurisdictionManifests);
    Check("cradle.v1.Audit", "Flows", &AuditService::Flows);
    Check("cradle.v1.Audit", "Export", &AuditService::Export);
  }

  grpc::ServerUnaryReactor* Chain(grpc::CallbackServerContext* ctx,
                                  const v1::ChainRequest* request,
                                  v1::ChainResponse* reply) override;
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* ctx,
                                   const v1::VerifyRequest* request,
                                   v1::VerifyResponse* reply) override;
  grpc::ServerWriteReactor<v1::VerifyDeepProgress>* VerifyDeep(
      grpc::CallbackServerContext* ctx,
      const v1::VerifyDeepRequest* request) override;
  grpc::ServerUnaryReactor* GetIntegrity(
      grpc::CallbackServerContext* ctx, const v1::GetIntegrityRequest* request,
      v1::GetIntegrityResponse* reply) override;
  grpc::ServerUnaryReactor* Head(grpc::CallbackServerContext* ctx,
                                 const v1::HeadRequest* request,
                                 v1::HeadResponse* reply) override;
  grpc::ServerUnaryReactor* GetTreeHead(
      grpc::CallbackServerContext* ctx, const v1::GetTreeHeadRequest* request,
      v1::GetTreeHeadResponse* reply) override;
  grpc::ServerUnaryReactor* GetManifestSeal(
      grpc::CallbackServerContext* ctx,
      const v1::GetManifestSealRequest* request,
      v1::GetManifestSealResponse* reply) override;
  grpc::ServerUnaryReactor* Prove(grpc::CallbackServerContext* ctx,
                                  const v1::ProveRequest* request,
                                  v1::ProveResponse* reply) override;
  grpc::ServerUnaryReactor* Consistency(
      grpc::CallbackServerContext* ctx, const v1::ConsistencyRequest* request,
      v1::ConsistencyResponse* reply) override;
  grpc::ServerUnaryReactor* ListJurisdictionManifests(
      grpc::CallbackServerContext* ctx,
      const v1::ListJurisdictionManifestsRequest* request,
      v1::ListJurisdictionManifestsResponse* reply) override;
  grpc::ServerUnaryReactor* Flows(grpc::CallbackServerContext* ctx,
                                  const v1::FlowsRequest* request,
                                  v1::FlowsResponse* reply) override;
  grpc::ServerWriteReactor<v1::ExportChunk>* Export(
      grpc::CallbackServerContext* ctx,
      const v1::ExportRequest* request) override;

  // Returns once a deep verification running is over (a cancelled one
  // stops at its next step): before the ledger closes.
  void WaitForVerification() { verifying_.Wait(); }

 private:
  // One page of a stream's entries, for Chain and Prove: the caller may
  // read the stream (CheckStreamReader), and the page size and token are
  // checked.
  struct StreamPage {
    std::vector<storage::Entry> entries;
    std::string next_page_token;  // empty on the last page
  };
  absl::StatusOr<StreamPage> ReadStreamPage(
      grpc::CallbackServerContext& ctx, const std::string& stream,
      int requested_size, const std::string& page_token) const;

  const storage::Ledger& ledger_;
  const ManifestStore& store_;
  LedgerGuard& guard_;
  const Scrubber& scrubber_;
  const Gate& gate_;
  const CredentialStore& credentials_;
  const domain::FlagConfig flags_;  // a copy: the options do not outlive Start
  // One deep verification at a time: each reads the whole ledger. Last
  // member: destroyed first, it waits for a running one to let go.
  SingleRun verifying_;
};

// An entry as the API shows it: hashes in hex, the payload decoded to JSON.
v1::LedgerEntry LedgerEntryProto(const storage::Entry& e);

struct FeedOptions {
  // How often a subscription at the head looks for new entries.
  absl::Duration poll = absl::Milliseconds(50);
  // How often a subscription whose filter passes over entries without
  // selecting any still tells its client how far it has read.
  absl::Duration heartbeat = absl::Seconds(2);
};

// The ledger's entries as they are written (feed_service.cc): resumable
// from any position, filtered by jurisdiction, party and type, on any node
// of a cluster (each serves what it has applied).
class FeedService final
    : public CheckedService<FeedService, v1::Feed::CallbackService> {
 public:
  // Neither is owned; both must outlive the service.
  FeedService(const storage::Ledger& ledger, const Gate& gate,
              FeedOptions options = {})
      : ledger_(ledger), gate_(gate), options_(options) {
    Check("cradle.v1.Feed", "Subscribe", &FeedService::Subscribe);
  }

  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* ctx,
      const v1::SubscribeRequest* request) override;

 private:
  const storage::Ledger& ledger_;
  const Gate& gate_;
  const FeedOptions options_;
};

class NationalNode;

// The national node's answers across provinces (national_service.cc).
class NationalService final
    : public CheckedService<NationalService, v1::National::CallbackService> {
 public:
  // Neither is owned; both must outlive the service.
  NationalService(const NationalNode& node, const Gate& gate)
      : node_(node), gate_(gate) {
    Check("cradle.v1.National", "Provinces", &NationalService::Provinces);
    Check("cradle.v1.National", "Flows", &NationalService::Flows);
    Check("cradle.v1.National", "ListFlags", &NationalService::ListFlags);
  }

  grpc::ServerUnaryReactor* Provinces(grpc::CallbackServerContext* ctx,
                                      const v1::ProvincesRequest* request,
                                      v1::ProvincesResponse* reply) override;
  grpc::ServerUnaryReactor* Flows(
      grpc::CallbackServerContext* ctx,
      const v1::FlowsBetweenProvincesRequest* request,
      v1::FlowsBetweenProvincesResponse* reply) override;
  grpc::ServerUnaryReactor* ListFlags(
      grpc::CallbackServerContext* ctx,
      const v1::ListFlagsAcrossProvincesRequest* request,
      v1::ListFlagsAcrossProvincesResponse* reply) override;

 private:
  const NationalNode& node_;
  const Gate& gate_;
};

class ClusterNode;

// The node as its operator sees it (node_service.cc): its role, a copy of
// its ledger for a node that joins (cradled --join-from) or for safe
// keeping, and the retention of the cluster's log.
class NodeService final
    : public CheckedService<NodeService, v1::Node::CallbackService> {
 public:
  // Not owned; both must outlive the service. Checkpoints are made under
  // `data_dir`/checkpoints, removed once sent (and, left by a crash, when
  // the service starts).
  NodeService(const storage::RocksDbLedger& ledger, const Gate& gate,
              std::string data_dir);

  // On a cluster node: its loop and the cluster's log (not owned).
  void AttachCluster(const ClusterNode* node, storage::BatchLog* log) {
    node_ = node;
    log_ = log;
  }

  grpc::ServerUnaryReactor* GetNodeStatus(
      grpc::CallbackServerContext* ctx, const v1::GetNodeStatusRequest* request,
      v1::GetNodeStatusResponse* reply) override;
  grpc::ServerWriteReactor<v1::CheckpointChunk>* Checkpoint(
      grpc::CallbackServerContext* ctx,
      const v1::CheckpointRequest* request) override;
  grpc::ServerUnaryReactor* PruneLog(grpc::CallbackServerContext* ctx,
                                     const v1::PruneLogRequest* request,
                                     v1::PruneLogResponse* reply) override;

 private:
  const storage::RocksDbLedger& ledger_;
  const Gate& gate_;
  const std::string checkpoints_;
  std::atomic<uint64_t> made_{0};
  const ClusterNode* node_ = nullptr;
  storage::BatchLog* log_ = nullptr;
};

}  // namespace cradle::services
