#include <utility>

#include "absl/strings/str_cat.h"

#include "domain/registry.h"
#include "services/grpc_status.h"
#include "services/keys.h"
#include "services/services.h"

namespace cradle::services {
namespace {

// Registry changes are the administrator's; identity will make this the
// authenticated administrator.
constexpr absl::string_view kRegistryActor = "admin";

using Done = std::function<void(absl::StatusOr<v1::Enterprise>)>;

absl::optional<v1::Enterprise> Existing(const LedgerRegistryReader& reader,
                                        absl::string_view id,
                                        absl::Status* error) {
  absl::StatusOr<v1::Enterprise> e = reader.GetEnterprise("id", id);
  if (e.ok()) return *std::move(e);
  if (e.status().code() != absl::StatusCode::kNotFound) *error = e.status();
  return absl::nullopt;
}

// Appends `decision` to the enterprise's stream with its new state.
void Commit(storage::Ledger& ledger, const LedgerRegistryReader& reader,
            const std::string& id, uint64_t expected_version,
            const domain::RegistryDecision& decision, absl::string_view op,
            const v1::WriteMeta& meta, std::vector<storage::Mutation> extra,
            Done done) {
  storage::AppendRequest req;
  req.stream = keys::EnterpriseStream(id);
  req.expected_version = expected_version;
  req.idempotency_key =
      keys::Idempotency(kRegistryActor, op, meta.idempotency_key());
  req.entries.push_back(storage::NewEntry{absl::StrCat("registry.", op),
                                          decision.event.SerializeAsString(),
                                          std::string(kRegistryActor)});
  req.mutations.push_back(storage::Mutation{storage::Table::kState,
                                            keys::EnterpriseState(id),
                                            decision.next.SerializeAsString()});
  for (storage::Mutation& m : extra) req.mutations.push_back(std::move(m));
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
                  const v1::WriteMeta& meta, const Done& done) {
  absl::StatusOr<absl::optional<storage::AppendResult>> seen =
      ledger.FindIdempotent(
          keys::Idempotency(kRegistryActor, op, meta.idempotency_key()));
  if (!seen.ok()) {
    done(seen.status());
    return true;
  }
  if (!seen->has_value()) return false;
  const std::string stream = (*seen)->stream;
  done(reader.GetEnterprise("id", stream.substr(stream.find('/') + 1)));
  return true;
}

Done FinishWith(grpc::ServerUnaryReactor* reactor, v1::Enterprise* reply) {
  return [reactor, reply](absl::StatusOr<v1::Enterprise> r) {
    if (r.ok()) *reply = *std::move(r);
    reactor->Finish(ToGrpcStatus(r.status()));
  };
}

}  // namespace

grpc::ServerUnaryReactor* RegistryService::RegisterEnterprise(
    grpc::CallbackServerContext* ctx,
    const v1::RegisterEnterpriseRequest* request, v1::Enterprise* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Done done = FinishWith(reactor, reply);
  if (absl::Status s = CheckIdempotencyKey(request->meta()); !s.ok()) {
    done(s);
    return reactor;
  }
  if (AnswerReplay(ledger_, reader_, "register", request->meta(), done)) {
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
  Commit(ledger_, reader_, request->id(), 0, *d, "register", request->meta(),
         {}, std::move(done));
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::GrantLicence(
    grpc::CallbackServerContext* ctx, const v1::GrantLicenceRequest* request,
    v1::Enterprise* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Done done = FinishWith(reactor, reply);
  if (absl::Status s = CheckIdempotencyKey(request->meta()); !s.ok()) {
    done(s);
    return reactor;
  }
  if (AnswerReplay(ledger_, reader_, "licence", request->meta(), done)) {
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
  Commit(ledger_, reader_, receiver->id(), receiver->version(), *d, "licence",
         request->meta(), {}, std::move(done));
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::RegisterVehicle(
    grpc::CallbackServerContext* ctx, const v1::RegisterVehicleRequest* request,
    v1::Enterprise* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  Done done = FinishWith(reactor, reply);
  if (absl::Status s = CheckIdempotencyKey(request->meta()); !s.ok()) {
    done(s);
    return reactor;
  }
  if (AnswerReplay(ledger_, reader_, "vehicle", request->meta(), done)) {
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
  const std::string plate_key = keys::VehicleIndex(request->vehicle().plate());
  absl::StatusOr<std::vector<storage::KeyValue>> owner =
      ledger_.ScanIndex(plate_key, "", 1);
  if (!owner.ok()) {
    done(owner.status());
    return reactor;
  }
  if (!owner->empty() && (*owner)[0].key == plate_key) {
    done(absl::AlreadyExistsError(
        absl::StrCat("vehicle.plate ", request->vehicle().plate(),
                     " is already registered to carrier ", (*owner)[0].value)));
    return reactor;
  }
  Commit(ledger_, reader_, carrier->id(), carrier->version(), *d, "vehicle",
         request->meta(),
         {storage::Mutation{storage::Table::kIndex, plate_key, carrier->id()}},
         std::move(done));
  return reactor;
}

grpc::ServerUnaryReactor* RegistryService::GetEnterprise(
    grpc::CallbackServerContext* ctx, const v1::GetEnterpriseRequest* request,
    v1::Enterprise* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishWith(reactor, reply)(reader_.GetEnterprise("id", request->id()));
  return reactor;
}

}  // namespace cradle::services
