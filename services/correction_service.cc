// Corrections: revisions, void and a regulator's return. Each is a write to
// one manifest, decided in domain/revision.h.

#include <string>
#include <utility>

#include "base/status_macros.h"
#include "domain/revision.h"
#include "services/grpc_status.h"
#include "services/services.h"
#include "services/write_reply.h"

namespace cradle::services {
namespace {

using domain::Operation;

// A correction of manifest `number`: the gate for `op`, `by` the caller's
// own voice, a regulator's only on a manifest of its jurisdiction, then
// `decide` on the manifest as the store holds it; `done` finishes
// `reactor`.
template <typename Request, typename DecideFn>
void Correct(grpc::CallbackServerContext* ctx,
             grpc::ServerUnaryReactor* reactor, const Gate& gate,
             ManifestStore& store, const Request* request,
             absl::string_view number, Operation op, absl::string_view op_name,
             DecideFn decide, ManifestStore::Done done) {
  absl::StatusOr<domain::Principal> who = gate.AdmitWrite(*ctx, op, *request);
  absl::Status s = who.ok() ? domain::CheckSpeaksFor(*who, "by", request->by())
                            : who.status();
  if (!s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return;
  }
  store.Write(
      number, *who, op_name, request->meta(),
      [request, decide, who = *who, &store](
          const v1::Manifest& m, const domain::RegistryReader& registry,
          absl::Time now) -> absl::StatusOr<domain::Decision> {
        if (who.kind == v1::CREDENTIAL_KIND_REGULATOR) {
          CRADLE_RETURN_IF_ERROR(domain::CheckManifestReader(who, m));
        }
        return decide(m, *request, registry, store.flag_config(), now);
      },
      gate.RecordingVouch(*ctx, *who, std::move(done)));
}

// The revision `request` proposed, in `m` as a write (or its retry) left
// it: the last one of its proposer with its changes.
std::string ProposedId(const v1::Manifest& m,
                       const v1::ProposeRevisionRequest& request) {
  for (int i = m.revisions_size() - 1; i >= 0; --i) {
    const v1::Revision& r = m.revisions(i);
    if (r.proposer() != request.by() ||
        r.changes_size() != request.changes_size()) {
      continue;
    }
    bool same = true;
    for (int k = 0; k < r.changes_size(); ++k) {
      same &= r.changes(k).field() == request.changes(k).field() &&
              r.changes(k).new_value() == request.changes(k).new_value();
    }
    if (same) return r.id();
  }
  return "";
}

}  // namespace

grpc::ServerUnaryReactor* CorrectionService::ProposeRevision(
    grpc::CallbackServerContext* ctx, const v1::ProposeRevisionRequest* request,
    v1::ProposeRevisionResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Correct(
      ctx, reactor, gate_, store_, request, request->number(),
      Operation::kProposeRevision, "revise",
      [](const v1::Manifest& m, const auto& r,
         const domain::RegistryReader& registry,
         const domain::FlagConfig& config, absl::Time now) {
        return domain::DecideProposeRevision(m, r, registry, config, now);
      },
      Finisher<ManifestWritten>(
          reactor, reply,
          [request](ManifestWritten w, v1::ProposeRevisionResponse* r) {
            r->set_revision(ProposedId(w.manifest, *request));
            *r->mutable_manifest() = std::move(w.manifest);
            *r->mutable_receipt() = std::move(w.receipt);
          }));
  return reactor;
}

grpc::ServerUnaryReactor* CorrectionService::AnswerRevision(
    grpc::CallbackServerContext* ctx, const v1::AnswerRevisionRequest* request,
    v1::AnswerRevisionResponse* reply) {
  absl::StatusOr<domain::RevisionRef> ref =
      domain::ParseRevisionId("id", request->id());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!ref.ok()) {
    reactor->Finish(ToGrpcStatus(ref.status()));
    return reactor;
  }
  Correct(
      ctx, reactor, gate_, store_, request, ref->number,
      Operation::kAnswerRevision, "revision-answer",
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         const domain::FlagConfig&,
         absl::Time now) { return domain::DecideAnswerRevision(m, r, now); },
      Answer(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* CorrectionService::Void(
    grpc::CallbackServerContext* ctx, const v1::VoidManifestRequest* request,
    v1::VoidManifestResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Correct(
      ctx, reactor, gate_, store_, request, request->number(), Operation::kVoid,
      "void",
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         const domain::FlagConfig&,
         absl::Time now) { return domain::DecideVoid(m, r, now); },
      Answer(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* CorrectionService::Return(
    grpc::CallbackServerContext* ctx, const v1::ReturnManifestRequest* request,
    v1::ReturnManifestResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Correct(
      ctx, reactor, gate_, store_, request, request->number(),
      Operation::kReturn, "return",
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         const domain::FlagConfig&,
         absl::Time now) { return domain::DecideReturn(m, r, now); },
      Answer(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* CorrectionService::ConfirmReturn(
    grpc::CallbackServerContext* ctx, const v1::ConfirmReturnRequest* request,
    v1::ConfirmReturnResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Correct(
      ctx, reactor, gate_, store_, request, request->number(),
      Operation::kReturn, "return-confirm",
      [](const v1::Manifest& m, const auto& r, const domain::RegistryReader&,
         const domain::FlagConfig&,
         absl::Time now) { return domain::DecideConfirmReturn(m, r, now); },
      Answer(reactor, reply));
  return reactor;
}

}  // namespace cradle::services
