#include <utility>

#include "base/status_macros.h"
#include "domain/container.h"
#include "domain/track.h"
#include "domain/weighing.h"
#include "services/grpc_status.h"
#include "services/services.h"
#include "services/write_reply.h"

namespace cradle::services {
namespace {

using domain::Operation;

// The caller of a write, admitted for `op` and acting for `party` (the
// request's `field`); finishes `reactor` and returns nullopt otherwise.
template <typename Request>
absl::optional<domain::Principal> Writer(grpc::CallbackServerContext* ctx,
                                         const Gate& gate,
                                         const Request& request, Operation op,
                                         absl::string_view field,
                                         absl::string_view party,
                                         grpc::ServerUnaryReactor* reactor) {
  absl::StatusOr<domain::Principal> p = gate.AdmitWrite(*ctx, op, request);
  absl::Status s = p.ok() ? domain::CheckActsFor(*p, field, party) : p.status();
  if (!s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return absl::nullopt;
  }
  return *std::move(p);
}

// A write to an existing manifest: the gate, then the store with `decide`;
// `answer(reactor)` makes what finishes the call.
template <typename Request, typename DecideFn, typename AnswerFn>
grpc::ServerUnaryReactor* WriteManifestAnswering(
    grpc::CallbackServerContext* ctx, const Gate& gate, ManifestStore& store,
    const Request* request, Operation op, absl::string_view field,
    absl::string_view party, absl::string_view op_name, DecideFn decide,
    AnswerFn answer) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::optional<domain::Principal> who =
      Writer(ctx, gate, *request, op, field, party, reactor);
  if (!who.has_value()) return reactor;
  store.Write(
      request->number(), *who, op_name, request->meta(),
      [request, decide](
          const v1::Manifest& m, const domain::RegistryReader& registry,
          absl::Time now) { return decide(m, *request, registry, now); },
      gate.RecordingVouch(*ctx, *who, answer(reactor)));
  return reactor;
}

// The same, answering with the manifest and the receipt.
template <typename Request, typename Response, typename DecideFn>
grpc::ServerUnaryReactor* WriteManifest(grpc::CallbackServerContext* ctx,
                                        const Gate& gate, ManifestStore& store,
                                        const Request* request, Operation op,
                                        absl::string_view field,
                                        absl::string_view party,
                                        absl::string_view op_name,
                                        Response* reply, DecideFn decide) {
  return WriteManifestAnswering(
      ctx, gate, store, request, op, field, party, op_name, decide,
      [reply](grpc::ServerUnaryReactor* r) { return Answer(r, reply); });
}

}  // namespace

grpc::ServerUnaryReactor* ManifestService::Open(
    grpc::CallbackServerContext* ctx, const v1::OpenManifestRequest* request,
    v1::OpenManifestResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::optional<domain::Principal> who =
      Writer(ctx, gate_, *request, Operation::kOpen, "generator",
             request->generator(), reactor);
  if (!who.has_value()) return reactor;
  store_.Open(*request, *who, Answer(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* ManifestService::Issue(
    grpc::CallbackServerContext* ctx, const v1::IssueManifestRequest* request,
    v1::IssueManifestResponse* reply) {
  return WriteManifest(
      ctx, gate_, store_, request, Operation::kIssueOrCancel, "generator",
      request->generator(), "issue", reply,
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         absl::Time now) { return domain::DecideIssue(m, r, now); });
}

grpc::ServerUnaryReactor* ManifestService::Cancel(
    grpc::CallbackServerContext* ctx, const v1::CancelManifestRequest* request,
    v1::CancelManifestResponse* reply) {
  return WriteManifest(
      ctx, gate_, store_, request, Operation::kIssueOrCancel, "generator",
      request->generator(), "cancel", reply,
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         absl::Time now) { return domain::DecideCancel(m, r, now); });
}

grpc::ServerUnaryReactor* ManifestService::Get(
    grpc::CallbackServerContext* ctx, const v1::GetManifestRequest* request,
    v1::GetManifestResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::Status s = [&]() -> absl::Status {
    absl::StatusOr<domain::Principal> p =
        gate_.Admit(*ctx, Operation::kManifestRead, *request);
    if (!p.ok()) return p.status();
    absl::StatusOr<v1::Manifest> m = store_.Load(request->number());
    if (!m.ok()) return m.status();
    if (absl::Status s = domain::CheckManifestReader(*p, *m); !s.ok()) return s;
    *reply->mutable_manifest() = *std::move(m);
    return absl::OkStatus();
  }();
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

// Checks a query of `p` about enterprise `*party` (a list, an inbox): a
// party asks about itself (naming none means itself), a regulator about an
// enterprise of its jurisdiction.
absl::Status ManifestService::CheckPartyQuery(const domain::Principal& p,
                                              std::string* party) const {
  if (p.kind == v1::CREDENTIAL_KIND_PARTY) {
    if (party->empty()) *party = p.enterprise;
    return domain::CheckActsFor(p, "party", *party);
  }
  if (party->empty()) {
    return absl::InvalidArgumentError(
        "party is required for a regulator: name an enterprise of the "
        "jurisdiction, or query the jurisdiction with "
        "Audit.ListJurisdictionManifests");
  }
  absl::StatusOr<v1::Enterprise> e =
      store_.registry().GetEnterprise("party", *party);
  if (!e.ok()) return e.status();
  return domain::CheckEnterpriseReader(p, *e);
}

grpc::ServerUnaryReactor* ManifestService::List(
    grpc::CallbackServerContext* ctx, const v1::ListManifestsRequest* request,
    v1::ListManifestsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(
      reactor, reply, [&]() -> absl::StatusOr<v1::ListManifestsResponse> {
        CRADLE_ASSIGN_OR_RETURN(const domain::Principal p,
                                gate_.Admit(*ctx, Operation::kManifestList));
        v1::ListManifestsRequest query = *request;
        CRADLE_RETURN_IF_ERROR(CheckPartyQuery(p, query.mutable_party()));
        return store_.List(query);
      }());
  return reactor;
}

grpc::ServerUnaryReactor* ManifestService::ListInbox(
    grpc::CallbackServerContext* ctx, const v1::ListInboxRequest* request,
    v1::ListInboxResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(reactor, reply, [&]() -> absl::StatusOr<v1::ListInboxResponse> {
    CRADLE_ASSIGN_OR_RETURN(const domain::Principal p,
                            gate_.Admit(*ctx, Operation::kManifestList));
    if (p.kind == v1::CREDENTIAL_KIND_REGULATOR && request->party().empty()) {
      // The office's own: the flags it answers.
      return store_.OfficeInbox(*request, p.jurisdiction);
    }
    v1::ListInboxRequest query = *request;
    CRADLE_RETURN_IF_ERROR(CheckPartyQuery(p, query.mutable_party()));
    return store_.Inbox(query);
  }());
  return reactor;
}

grpc::ServerUnaryReactor* TransferService::Pickup(
    grpc::CallbackServerContext* ctx, const v1::PickupRequest* request,
    v1::PickupResponse* reply) {
  return WriteManifest(ctx, gate_, store_, request, Operation::kPickup,
                       "carrier", request->carrier(), "pickup", reply,
                       [](const v1::Manifest& m, const auto& r,
                          const domain::RegistryReader& reg, absl::Time now) {
                         return domain::DecidePickup(m, r, reg, now);
                       });
}

grpc::ServerUnaryReactor* TransferService::Relay(
    grpc::CallbackServerContext* ctx, const v1::RelayRequest* request,
    v1::RelayResponse* reply) {
  return WriteManifest(ctx, gate_, store_, request, Operation::kRelay,
                       "from_carrier", request->from_carrier(), "relay", reply,
                       [](const v1::Manifest& m, const auto& r,
                          const domain::RegistryReader& reg, absl::Time now) {
                         return domain::DecideRelay(m, r, reg, now);
                       });
}

grpc::ServerUnaryReactor* TransferService::Deliver(
    grpc::CallbackServerContext* ctx, const v1::DeliverRequest* request,
    v1::DeliverResponse* reply) {
  return WriteManifest(ctx, gate_, store_, request, Operation::kDeliver,
                       "receiver", request->receiver(), "deliver", reply,
                       [](const v1::Manifest& m, const auto& r,
                          const domain::RegistryReader& reg, absl::Time now) {
                         return domain::DecideDeliver(m, r, reg, now);
                       });
}

grpc::ServerUnaryReactor* TransferService::Reroute(
    grpc::CallbackServerContext* ctx, const v1::RerouteRequest* request,
    v1::RerouteResponse* reply) {
  return WriteManifest(ctx, gate_, store_, request, Operation::kReroute,
                       "generator", request->generator(), "reroute", reply,
                       [](const v1::Manifest& m, const auto& r,
                          const domain::RegistryReader& reg, absl::Time now) {
                         return domain::DecideReroute(m, r, reg, now);
                       });
}

grpc::ServerUnaryReactor* TransferService::Scan(
    grpc::CallbackServerContext* ctx, const v1::ScanRequest* request,
    v1::ScanResponse* reply) {
  return WriteManifest(
      ctx, gate_, store_, request, Operation::kScan, "by", request->by(),
      "scan", reply,
      [this](const v1::Manifest& m, const auto& r,
             const domain::RegistryReader& reg, absl::Time now) {
        return domain::DecideScan(m, r, reg, now,
                                  store_.flag_config().scan_window);
      });
}

grpc::ServerUnaryReactor* TransferService::RecordTrack(
    grpc::CallbackServerContext* ctx, const v1::RecordTrackRequest* request,
    v1::RecordTrackResponse* reply) {
  const int leg = request->leg();
  return WriteManifestAnswering(
      ctx, gate_, store_, request, Operation::kTrack, "carrier",
      request->carrier(), "track",
      [this](const v1::Manifest& m, const auto& r,
             const domain::RegistryReader&, absl::Time now) {
        return domain::DecideTrack(m, r, now, store_.flag_config());
      },
      [reply, leg](grpc::ServerUnaryReactor* reactor) {
        return Finisher<ManifestWritten>(
            reactor, reply,
            [leg](ManifestWritten w, v1::RecordTrackResponse* r) {
              for (const v1::LegTrack& t : w.manifest.tracks()) {
                if (t.leg() == leg) r->set_digest(t.digest());
              }
              *r->mutable_manifest() = std::move(w.manifest);
              *r->mutable_receipt() = std::move(w.receipt);
            });
      });
}

grpc::ServerUnaryReactor* TransferService::Weigh(
    grpc::CallbackServerContext* ctx, const v1::WeighRequest* request,
    v1::WeighResponse* reply) {
  return WriteManifest(ctx, gate_, store_, request, Operation::kWeigh, "by",
                       request->by(), "weigh", reply,
                       [this](const v1::Manifest& m, const auto& r,
                              const domain::RegistryReader&, absl::Time now) {
                         return domain::DecideWeigh(
                             m, r, now, store_.flag_config().scan_window);
                       });
}

grpc::ServerUnaryReactor* DisposalService::Receive(
    grpc::CallbackServerContext* ctx, const v1::ReceiveRequest* request,
    v1::ReceiveResponse* reply) {
  return WriteManifest(ctx, gate_, store_, request, Operation::kReceive,
                       "receiver", request->receiver(), "receive", reply,
                       [](const v1::Manifest& m, const auto& r,
                          const domain::RegistryReader& reg, absl::Time now) {
                         return domain::DecideReceive(m, r, reg, now);
                       });
}

grpc::ServerUnaryReactor* DisposalService::Dispose(
    grpc::CallbackServerContext* ctx, const v1::DisposeRequest* request,
    v1::DisposeResponse* reply) {
  return WriteManifest(
      ctx, gate_, store_, request, Operation::kDispose, "receiver",
      request->receiver(), "dispose", reply,
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         absl::Time now) { return domain::DecideDispose(m, r, now); });
}

grpc::ServerUnaryReactor* DisposalService::RecordPayment(
    grpc::CallbackServerContext* ctx, const v1::RecordPaymentRequest* request,
    v1::RecordPaymentResponse* reply) {
  return WriteManifest(
      ctx, gate_, store_, request, Operation::kRecordPayment, "payer",
      request->payer(), "payment", reply,
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         absl::Time now) { return domain::DecidePayment(m, r, now); });
}

}  // namespace cradle::services
