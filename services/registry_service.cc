#include <utility>

#include "absl/strings/str_cat.h"

#include "domain/division.h"
#include "domain/registry.h"
#include "services/grpc_status.h"
#include "services/keys.h"
#include "services/projection.h"
#include "services/services.h"

namespace cradle::services {
namespace {

using Done = std::function<void(absl::StatusOr<v1::Enterprise>)>;

absl::optional<v1::Enterprise> Existing(const LedgerRegistryReader& reader,
                                        absl::string_view id,
                                        absl::Status* error) {
  absl::StatusOr<v1::Enterprise> e = reader.GetEnterprise("id", id);
  if (e.ok()) return *std::move(e);
  if (e.status().code() != absl::StatusCode::kNotFound) *error = e.status();
  return absl::nullopt;
}

// Appends `decision` to the enterprise's stream with its new state and the
// index entries it changes; `before` is the enterprise it was decided on
// (empty for a new one).
void Commit(storage::Ledger& ledger, const LedgerRegistryReader& reader,
            const std::string& id, const v1::Enterprise& before,
            const domain::RegistryDecision& decision, absl::string_view op,
            const domain::Principal& who, const v1::WriteMeta& meta,
            Done done) {
  storage::AppendRequest req;
  req.stream = keys::EnterpriseStream(id);
  req.expected_version = before.version();
  req.idempotency_key =
      keys::Idempotency(who.Scope(), op, meta.idempotency_key());
  req.entries.push_back(storage::NewEntry{absl::StrCat("registry.", op),
                                          decision.event.SerializeAsString(),
                                          who.Actor()});
  req.mutations.push_back(storage::Mutation{storage::Table::kState,
                                            keys::EnterpriseState(id),
                                            decision.next.SerializeAsString()});
  IndexDiff(EnterpriseIndex(before), EnterpriseIndex(decision.next),
            &req.mutations);
  ledger.Append(std::move(req),
                [&reader, id, next = decision.next, done = std::move(done)](
                    absl::StatusOr<storage::AppendResult> r) {
                  if (!r.ok()) {
                    done(r.status());
                  } else if (r->replayed) {
                    done(reader.GetEnterprise("id", id));
                  } else {
                    done(next);
                  }
                });
}

// Answers a retry from the state; false when the key is unseen.
bool AnswerReplay(const storage::Ledger& ledger,
                  const LedgerRegistryReader& reader, absl::string_view op,
                  const domain::Principal& who, const v1::WriteMeta& meta,
                  const Done& done) {
  absl::StatusOr<absl::optional<storage::AppendResult>> seen =
      ledger.FindIdempotent(
          keys::Idempotency(who.Scope(), op, meta.idempotency_key()));
  if (!seen.ok()) {
    done(seen.status());
    return true;
  }
  if (!seen->has_value()) return false;
  absl::StatusOr<keys::StreamName> name = keys::ParseStream((*seen)->stream);
  if (!name.ok()) {
    done(name.status());
    return true;
  }
  done(reader.GetEnterprise("id", name->id));
  return true;
}

}  // namespace

grpc::ServerUnaryReactor* RegistryService::RegisterEnterprise(
    grpc::CallbackServerContext* ctx,
    const v1::RegisterEnterpriseRequest* request, v1::Enterprise* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Done done = Finisher(reactor, reply);
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, domain::Operation::kRegistryWrite, *request);
  if (!who.ok()) {
    done(who.status());
    return reactor;
  }
  if (absl::Status s = CheckIdempotencyKey(request->meta()); !s.ok()) {
    done(s);
    return reactor;
  }
  if (AnswerReplay(ledger_, reader_, "register", *who, request->meta(), done)) {
    return reactor;
  }
  absl::Status error;
  absl::optional<v1::Enterprise> existing =
      Existing(reader_, request->id(), &error);
  if (!error.ok()) {
    done(error);
    return reactor;
  }
  absl::StatusOr<domain::RegistryDecision> d = domain::DecideRegisterEnterprise(
      *request, existing.has_value() ? &*existing : nullptr);
  if (!d.ok()) {
    done(d.status());
    return reactor;
  }
  Commit(ledger_, reader_, request->id(), v1::Enterprise(), *d, "register",
         *who, request->meta(), std::move(done));
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::GrantLicence(
    grpc::CallbackServerContext* ctx, const v1::GrantLicenceRequest* request,
    v1::Enterprise* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Done done = Finisher(reactor, reply);
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, domain::Operation::kRegistryWrite, *request);
  if (!who.ok()) {
    done(who.status());
    return reactor;
  }
  if (absl::Status s = CheckIdempotencyKey(request->meta()); !s.ok()) {
    done(s);
    return reactor;
  }
  if (AnswerReplay(ledger_, reader_, "licence", *who, request->meta(), done)) {
    return reactor;
  }
  absl::StatusOr<v1::Enterprise> receiver =
      reader_.GetEnterprise("receiver", request->receiver());
  if (!receiver.ok()) {
    done(receiver.status());
    return reactor;
  }
  absl::StatusOr<domain::RegistryDecision> d =
      domain::DecideGrantLicence(*receiver, *request, clock_.Now());
  if (!d.ok()) {
    done(d.status());
    return reactor;
  }
  Commit(ledger_, reader_, receiver->id(), *receiver, *d, "licence", *who,
         request->meta(), std::move(done));
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::RegisterVehicle(
    grpc::CallbackServerContext* ctx, const v1::RegisterVehicleRequest* request,
    v1::Enterprise* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Done done = Finisher(reactor, reply);
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, domain::Operation::kRegistryWrite, *request);
  if (!who.ok()) {
    done(who.status());
    return reactor;
  }
  if (absl::Status s = CheckIdempotencyKey(request->meta()); !s.ok()) {
    done(s);
    return reactor;
  }
  if (AnswerReplay(ledger_, reader_, "vehicle", *who, request->meta(), done)) {
    return reactor;
  }
  absl::StatusOr<v1::Enterprise> carrier =
      reader_.GetEnterprise("carrier", request->carrier());
  if (!carrier.ok()) {
    done(carrier.status());
    return reactor;
  }
  absl::StatusOr<domain::RegistryDecision> d =
      domain::DecideRegisterVehicle(*carrier, *request);
  if (!d.ok()) {
    done(d.status());
    return reactor;
  }
  absl::StatusOr<absl::optional<std::string>> owner =
      ledger_.GetIndex(keys::VehicleIndex(request->vehicle().plate()));
  if (!owner.ok()) {
    done(owner.status());
    return reactor;
  }
  if (owner->has_value()) {
    done(absl::AlreadyExistsError(
        absl::StrCat("vehicle.plate ", request->vehicle().plate(),
                     " is already registered to carrier ", **owner)));
    return reactor;
  }
  Commit(ledger_, reader_, carrier->id(), *carrier, *d, "vehicle", *who,
         request->meta(), std::move(done));
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::GetEnterprise(
    grpc::CallbackServerContext* ctx, const v1::GetEnterpriseRequest* request,
    v1::Enterprise* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.Admit(*ctx, domain::Operation::kRegistryRead);
  FinishWith(reactor, reply,
             who.ok() ? reader_.GetEnterprise("id", request->id())
                      : absl::StatusOr<v1::Enterprise>(who.status()));
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::RegisterApproval(
    grpc::CallbackServerContext* ctx,
    const v1::RegisterApprovalRequest* request, v1::Approval* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto done = Finisher(reactor, reply);
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, domain::Operation::kRegistryWrite, *request);
  if (!who.ok()) {
    done(who.status());
    return reactor;
  }
  if (absl::Status s = CheckIdempotencyKey(request->meta()); !s.ok()) {
    done(s);
    return reactor;
  }
  const std::string idem = keys::Idempotency(who->Scope(), "approval",
                                             request->meta().idempotency_key());
  const v1::Approval& a = request->approval();
  auto load = [this](absl::string_view number)
      -> absl::StatusOr<absl::optional<v1::Approval>> {
    absl::StatusOr<absl::optional<std::string>> v =
        ledger_.GetState(keys::ApprovalState(number));
    if (!v.ok()) return v.status();
    if (!v->has_value()) return absl::optional<v1::Approval>();
    v1::Approval out;
    if (!out.ParseFromString(**v)) {
      return absl::DataLossError("stored approval does not parse");
    }
    return absl::optional<v1::Approval>(std::move(out));
  };
  absl::StatusOr<absl::optional<storage::AppendResult>> seen =
      ledger_.FindIdempotent(idem);
  if (!seen.ok() || seen->has_value()) {
    if (!seen.ok()) {
      done(seen.status());
    } else {
      absl::StatusOr<keys::StreamName> name =
          keys::ParseStream((*seen)->stream);
      absl::StatusOr<absl::optional<v1::Approval>> first =
          name.ok()
              ? load(name->id)
              : absl::StatusOr<absl::optional<v1::Approval>>(name.status());
      done(!first.ok() ? first.status()
           : first->has_value()
               ? absl::StatusOr<v1::Approval>(**first)
               : absl::StatusOr<v1::Approval>(
                     absl::DataLossError("replayed approval not stored")));
    }
    return reactor;
  }
  absl::StatusOr<v1::Enterprise> generator =
      reader_.GetEnterprise("approval.generator", a.generator());
  absl::StatusOr<v1::Enterprise> receiver =
      reader_.GetEnterprise("approval.receiver", a.receiver());
  absl::StatusOr<absl::optional<v1::Approval>> existing = load(a.number());
  if (!generator.ok() || !receiver.ok() || !existing.ok()) {
    done(!generator.ok()  ? generator.status()
         : !receiver.ok() ? receiver.status()
                          : existing.status());
    return reactor;
  }
  absl::StatusOr<v1::Approval> approval = domain::DecideRegisterApproval(
      *request, *generator, *receiver,
      existing->has_value() ? &**existing : nullptr);
  if (!approval.ok()) {
    done(approval.status());
    return reactor;
  }
  v1::RegistryEvent event;
  *event.mutable_approval_registered() = *request;
  storage::AppendRequest req;
  req.stream = keys::ApprovalStream(approval->number());
  req.expected_version = 0;
  req.idempotency_key = idem;
  req.entries.push_back(storage::NewEntry{
      "registry.approval", event.SerializeAsString(), who->Actor()});
  req.mutations.push_back(storage::Mutation{
      storage::Table::kState, keys::ApprovalState(approval->number()),
      approval->SerializeAsString()});
  IndexDiff({}, ApprovalIndex(*approval), &req.mutations);
  ledger_.Append(std::move(req), [approval = *approval, done](
                                     absl::StatusOr<storage::AppendResult> r) {
    if (!r.ok() && r.status().code() == absl::StatusCode::kAborted) {
      done(absl::AlreadyExistsError(absl::StrCat(
          "approval.number ", approval.number(), " is already registered")));
    } else if (!r.ok()) {
      done(r.status());
    } else {
      done(approval);
    }
  });
  return reactor;
}

}  // namespace cradle::services
