#include <utility>

#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/division.h"
#include "domain/flags/engine.h"
#include "domain/record.h"
#include "domain/stock.h"
#include "services/grpc_status.h"
#include "services/keys.h"
#include "services/page_token.h"
#include "services/reads.h"
#include "services/services.h"
#include "services/sweeper.h"

namespace cradle::services {
namespace {

bool Matches(const v1::Flag& f, const v1::ListFlagsRequest& r) {
  if (r.kind() != v1::FLAG_KIND_UNSPECIFIED && f.kind() != r.kind()) {
    return false;
  }
  if (r.state() != v1::FLAG_STATE_UNSPECIFIED && f.state() != r.state()) {
    return false;
  }
  if (!r.city().empty() && f.origin_city() != r.city() &&
      f.destination_city() != r.city()) {
    return false;
  }
  if (!r.county().empty() && f.origin_county() != r.county() &&
      f.destination_county() != r.county()) {
    return false;
  }
  if (!r.enterprise().empty()) {
    bool found = false;
    for (const std::string& e : f.enterprises()) found |= e == r.enterprise();
    if (!found) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<v1::ListFlagsResponse> ListFlags(
    const ManifestStore& store, const storage::LedgerReader& ledger,
    const v1::ListFlagsRequest& r, absl::string_view jurisdiction) {
  CRADLE_ASSIGN_OR_RETURN(const int page_size,
                          PageSize(r.page_size(), kRecordPages));
  if (!v1::FlagKind_IsValid(r.kind()) || !v1::FlagState_IsValid(r.state())) {
    return absl::InvalidArgumentError("kind or state is out of range");
  }
  if (!r.city().empty() && r.city().size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("city ", Quote(r.city()), " must be a 4-digit code"));
  }
  if (!r.county().empty() && r.county().size() != 6) {
    return absl::InvalidArgumentError(
        absl::StrCat("county ", Quote(r.county()), " must be a 6-digit code"));
  }
  // The narrowest index; the other filters are checked on the flag.
  std::string prefix = keys::FlagAllPrefix();
  if (!r.county().empty()) {
    prefix = keys::FlagCountyPrefix(r.county());
  } else if (!r.city().empty()) {
    prefix = keys::FlagCityPrefix(r.city());
  } else if (!r.enterprise().empty()) {
    // Open flags only in this index; other states need the kind/state ones.
    prefix =
        (r.state() == v1::FLAG_STATE_OPEN || r.state() == v1::FLAG_STATE_ACKED)
            ? keys::FlagEnterprisePrefix(r.enterprise())
            : keys::FlagAllPrefix();
  } else if (r.kind() != v1::FLAG_KIND_UNSPECIFIED) {
    prefix = keys::FlagKindPrefix(r.kind());
  } else if (r.state() != v1::FLAG_STATE_UNSPECIFIED) {
    prefix = keys::FlagStatePrefix(r.state());
  }
  CRADLE_ASSIGN_OR_RETURN(std::string cursor,
                          DecodePageToken(r.page_token(), prefix));
  v1::ListFlagsResponse out;
  for (;;) {
    absl::StatusOr<std::vector<storage::KeyValue>> rows =
        ledger.ScanIndex(prefix, cursor, static_cast<size_t>(page_size));
    if (!rows.ok()) return rows.status();
    for (const storage::KeyValue& row : *rows) {
      cursor = row.key;
      absl::StatusOr<v1::Flag> f =
          store.LoadFlag(row.key.substr(prefix.size()));
      if (!f.ok()) return f.status();
      if (!Matches(*f, r)) continue;
      if (!jurisdiction.empty() &&
          !domain::InJurisdiction(f->origin_county(), jurisdiction) &&
          !domain::InJurisdiction(f->destination_county(), jurisdiction)) {
        continue;
      }
      *out.add_flags() = *std::move(f);
      if (out.flags_size() == page_size) {
        out.set_next_page_token(EncodePageToken(cursor));
        return out;
      }
    }
    if (rows->size() < static_cast<size_t>(page_size)) return out;
  }
}

grpc::ServerUnaryReactor* FlagService::List(grpc::CallbackServerContext* ctx,
                                            const v1::ListFlagsRequest* request,
                                            v1::ListFlagsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::Status s = [&]() -> absl::Status {
    absl::StatusOr<domain::Principal> p =
        gate_.Admit(*ctx, domain::Operation::kFlagList);
    if (!p.ok()) return p.status();
    v1::ListFlagsRequest query = *request;
    std::string within;  // a regulator's jurisdiction, when no place given
    if (p->kind == v1::CREDENTIAL_KIND_PARTY) {
      // A party sees the flags that name it; naming nobody means itself.
      if (query.enterprise().empty()) query.set_enterprise(p->enterprise);
      absl::Status own =
          domain::CheckActsFor(*p, "enterprise", query.enterprise());
      if (!own.ok()) return own;
    } else if (!query.county().empty()) {
      absl::Status in = domain::CheckJurisdiction(*p, "county", query.county());
      if (!in.ok()) return in;
    } else if (!query.city().empty()) {
      absl::Status in = domain::CheckJurisdiction(*p, "city", query.city());
      if (!in.ok()) return in;
    } else {
      within = p->jurisdiction;
    }
    absl::StatusOr<v1::ListFlagsResponse> r =
        ListFlags(store_, ledger_, query, within);
    if (!r.ok()) return r.status();
    *reply = *std::move(r);
    // Damage to the ledger concerns every regulator, whatever it asked for
    // but another kind or state.
    absl::optional<v1::Flag> alarm = guard_.AlarmFlag();
    if (alarm.has_value() && p->kind != v1::CREDENTIAL_KIND_PARTY &&
        request->page_token().empty() &&
        (request->kind() == v1::FLAG_KIND_UNSPECIFIED ||
         request->kind() == v1::FLAG_KIND_LEDGER_DAMAGED) &&
        (request->state() == v1::FLAG_STATE_UNSPECIFIED ||
         request->state() == v1::FLAG_STATE_OPEN)) {
      *reply->mutable_flags()->Add() = *std::move(alarm);
      reply->mutable_flags()->SwapElements(0, reply->flags_size() - 1);
    }
    return absl::OkStatus();
  }();
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

template <typename Request, typename Reply, typename DecideFn>
grpc::ServerUnaryReactor* FlagService::Note(grpc::CallbackServerContext* ctx,
                                            const Request* request,
                                            absl::string_view op, Reply* reply,
                                            DecideFn decide, v1::FlagState to) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.AdmitWrite(*ctx, domain::Operation::kFlagNote, *request);
  if (!who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  absl::StatusOr<std::string> subject = domain::FlagSubject(request->id());
  if (!subject.ok()) {
    reactor->Finish(ToGrpcStatus(subject.status()));
    return reactor;
  }
  if (domain::IsContainerSubject(*subject)) {
    store_.WriteContainer(
        *subject, *who, op, request->meta(),
        [request, to, who = *who](const v1::Container& c, absl::Time now)
            -> absl::StatusOr<domain::ContainerDecision> {
          for (const v1::Flag& f : c.flags()) {
            if (f.id() != request->id()) continue;
            if (absl::Status s = domain::CheckFlagRegulator(who, f); !s.ok()) {
              return s;
            }
          }
          return domain::DecideContainerFlagNote(
              c, domain::Transcribe<ledger::v1::FlagNoted>(*request), to, now);
        },
        [reactor, reply, id = request->id()](absl::StatusOr<v1::Container> r) {
          if (r.ok()) {
            for (const v1::Flag& f : r->flags()) {
              if (f.id() == id) *reply->mutable_flag() = f;
            }
          }
          reactor->Finish(ToGrpcStatus(r.status()));
        });
    return reactor;
  }
  store_.Write(
      *subject, *who, op, request->meta(),
      [request, decide, who = *who](
          const v1::Manifest& m, const domain::RegistryReader&,
          absl::Time now) -> absl::StatusOr<domain::Decision> {
        // Only a regulator of a division the manifest touches.
        if (absl::Status s = domain::CheckManifestReader(who, m); !s.ok()) {
          return s;
        }
        return decide(m, *request, now);
      },
      [reactor, reply, id = request->id()](absl::StatusOr<ManifestWritten> r) {
        if (r.ok()) {
          for (const v1::Flag& f : r->manifest.flags()) {
            if (f.id() == id) *reply->mutable_flag() = f;
          }
        }
        reactor->Finish(ToGrpcStatus(r.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* FlagService::Acknowledge(
    grpc::CallbackServerContext* ctx, const v1::AcknowledgeFlagRequest* request,
    v1::AcknowledgeFlagResponse* reply) {
  return Note(ctx, request, "flag-ack", reply, &domain::DecideAcknowledge,
              v1::FLAG_STATE_ACKED);
}

grpc::ServerUnaryReactor* FlagService::Resolve(
    grpc::CallbackServerContext* ctx, const v1::ResolveFlagRequest* request,
    v1::ResolveFlagResponse* reply) {
  return Note(ctx, request, "flag-resolve", reply, &domain::DecideResolve,
              v1::FLAG_STATE_RESOLVED);
}

grpc::ServerUnaryReactor* FlagService::GetEnterpriseRisk(
    grpc::CallbackServerContext* ctx,
    const v1::GetEnterpriseRiskRequest* request,
    v1::GetEnterpriseRiskResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<domain::Principal> who =
      gate_.Admit(*ctx, domain::Operation::kRisk);
  absl::StatusOr<v1::Enterprise> e =
      who.ok() ? store_.registry().GetEnterprise("id", request->id())
               : absl::StatusOr<v1::Enterprise>(who.status());
  if (e.ok()) {
    if (absl::Status s = domain::CheckEnterpriseReader(*who, *e); !s.ok()) {
      e = s;
    }
  }
  if (!e.ok()) {
    reactor->Finish(ToGrpcStatus(e.status()));
    return reactor;
  }
  absl::StatusOr<v1::EnterpriseRisk> risk =
      ReadEnterpriseRisk(ledger_, request->id());
  FinishWith(reactor, reply, std::move(risk),
             [](v1::EnterpriseRisk r, v1::GetEnterpriseRiskResponse* out) {
               *out->mutable_risk() = std::move(r);
             });
  return reactor;
}

grpc::ServerUnaryReactor* FlagService::Sweep(grpc::CallbackServerContext* ctx,
                                             const v1::SweepRequest*,
                                             v1::SweepResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!gate_.AdmitOrFinish(*ctx, domain::Operation::kSweep, reactor)) {
    return reactor;
  }
  if (sweeper_ == nullptr) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "this server runs no sweeper"));
    return reactor;
  }
  sweeper_->Request(Finisher<int>(
      reactor, reply,
      [](int n, v1::SweepResponse* out) { out->set_manifests_flagged(n); }));
  return reactor;
}

}  // namespace cradle::services
