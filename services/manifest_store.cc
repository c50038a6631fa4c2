#include "services/manifest_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "base/time.h"
#include "domain/division.h"
#include "domain/flags/engine.h"
#include "domain/manifest_number.h"
#include "domain/memoized_registry.h"
#include "domain/work_calendar.h"
#include "services/keys.h"
#include "services/projection.h"
#include "services/reads.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

constexpr size_t kMaxIdempotencyKeyBytes = 128;
// What the flag rules read whole: the licensed receivers of one city (for
// CROSS_CITY's "one nearer was licensed") and the approvals of one
// generator-receiver pair. A city has tens; past these, writes that need
// them are refused rather than decided on part of the list.
constexpr size_t kMaxReceiversInCity = 10000;
constexpr size_t kMaxApprovalsPerPair = 1000;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

}  // namespace

absl::StatusOr<v1::Enterprise> LedgerRegistryReader::GetEnterprise(
    absl::string_view field, absl::string_view id) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                          ledger_.GetState(keys::EnterpriseState(id)));
  if (!value.has_value()) {
    return absl::NotFoundError(
        absl::StrCat(field, " ", id, " is not a registered enterprise"));
  }
  v1::Enterprise e;
  if (!e.ParseFromString(*value)) {
    return absl::DataLossError(
        absl::StrCat("stored state of enterprise ", id, " does not parse"));
  }
  return e;
}

absl::StatusOr<std::vector<v1::Enterprise>>
LedgerRegistryReader::ReceiversInCity(absl::string_view city_unit) const {
  const std::string prefix = keys::ReceiversInCityPrefix(city_unit);
  CRADLE_ASSIGN_OR_RETURN(
      std::vector<storage::KeyValue> rows,
      ScanWholeIndex(ledger_, prefix, kMaxReceiversInCity,
                     absl::StrCat("receivers in city ", city_unit)));
  std::vector<v1::Enterprise> out;
  for (const storage::KeyValue& row : rows) {
    CRADLE_ASSIGN_OR_RETURN(
        v1::Enterprise e,
        GetEnterprise("receiver", row.key.substr(prefix.size())));
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<int64_t> LedgerRegistryReader::AcceptedGrams(
    absl::string_view receiver, int year) const {
  CRADLE_ASSIGN_OR_RETURN(
      absl::optional<std::string> v,
      ledger_.GetState(keys::AcceptedCounter(receiver, year)));
  return storage::DecodeCounter(v);
}

absl::StatusOr<std::vector<v1::Approval>> LedgerRegistryReader::Approvals(
    absl::string_view generator, absl::string_view receiver) const {
  const std::string prefix = keys::ApprovalPairPrefix(generator, receiver);
  CRADLE_ASSIGN_OR_RETURN(
      std::vector<storage::KeyValue> rows,
      ScanWholeIndex(
          ledger_, prefix, kMaxApprovalsPerPair,
          absl::StrCat("approvals for ", generator, " to ", receiver)));
  std::vector<v1::Approval> out;
  for (const storage::KeyValue& row : rows) {
    const std::string number = row.key.substr(prefix.size());
    CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                            ledger_.GetState(keys::ApprovalState(number)));
    v1::Approval a;
    if (!v.has_value() || !a.ParseFromString(*v)) {
      return absl::DataLossError(
          absl::StrCat("approval ", number, " is indexed but not stored"));
    }
    out.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<int64_t> LedgerRegistryReader::ApprovalUsedGrams(
    absl::string_view number) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                          ledger_.GetState(keys::ApprovalUsedCounter(number)));
  return storage::DecodeCounter(v);
}

absl::Status CheckIdempotencyKey(const v1::WriteMeta& meta) {
  if (meta.idempotency_key().empty()) {
    return absl::InvalidArgumentError(
        "meta.idempotency_key is required: a retried request must carry the "
        "same key so that it is applied once");
  }
  if (meta.idempotency_key().size() > kMaxIdempotencyKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("meta.idempotency_key is ", meta.idempotency_key().size(),
                     " bytes; the limit is ", kMaxIdempotencyKeyBytes));
  }
  return absl::OkStatus();
}

v1::WriteReceipt ReceiptFor(const storage::AppendResult& result) {
  v1::WriteReceipt r;
  r.set_sequence(result.first_sequence + result.hashes.size() - 1);
  if (!result.hashes.empty()) {
    r.set_hash(storage::HexHash(result.hashes.back()));
  }
  r.set_replayed(result.replayed);
  return r;
}

ManifestStore::ManifestStore(storage::Ledger& ledger, const Clock& clock,
                             domain::FlagConfig flag_config)
    : ledger_(ledger),
      clock_(clock),
      registry_(ledger),
      flag_config_(std::move(flag_config)) {}

absl::StatusOr<v1::Manifest> ManifestStore::Load(
    absl::string_view number) const {
  CRADLE_RETURN_IF_ERROR(domain::ValidateManifestNumber("number", number));
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                          ledger_.GetState(keys::ManifestState(number)));
  if (!value.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("manifest ", number, " does not exist"));
  }
  v1::Manifest m;
  if (!m.ParseFromString(*value)) {
    return absl::DataLossError(
        absl::StrCat("stored state of manifest ", number, " does not parse"));
  }
  return m;
}

bool ManifestStore::AnswerReplay(const std::string& idempotency_key,
                                 const Done& done) const {
  absl::StatusOr<absl::optional<storage::AppendResult>> seen =
      ledger_.FindIdempotent(idempotency_key);
  if (!seen.ok()) {
    done(seen.status());
    return true;
  }
  if (!seen->has_value()) return false;
  absl::StatusOr<v1::Manifest> m = Load((*seen)->stream);
  if (!m.ok()) {
    done(m.status());
    return true;
  }
  v1::ManifestReply reply;
  *reply.mutable_manifest() = *std::move(m);
  *reply.mutable_receipt() = ReceiptFor(**seen);
  done(std::move(reply));
  return true;
}

storage::AppendRequest ManifestStore::MakeAppend(
    const v1::Manifest& before, const domain::Decision& decision,
    absl::string_view actor, std::string idempotency_key,
    absl::Time now) const {
  storage::AppendRequest req;
  req.stream = decision.next.number();
  req.expected_version = before.version();
  req.idempotency_key = std::move(idempotency_key);
  // Every event carries the time it was decided at, which a replay folds
  // it in at (projection.h's EventTime).
  const google::protobuf::Timestamp decided_at = ToTimestamp(now);
  for (const v1::ManifestEvent& e : decision.events) {
    v1::ManifestEvent stamped = e;
    *stamped.mutable_decided_at() = decided_at;
    req.entries.push_back(storage::NewEntry{
        domain::EventType(e), stamped.SerializeAsString(), std::string(actor)});
  }
  req.mutations.push_back(storage::Mutation{
      storage::Table::kState, keys::ManifestState(decision.next.number()),
      decision.next.SerializeAsString()});
  IndexDiff(ManifestIndex(before, flag_config_),
            ManifestIndex(decision.next, flag_config_), &req.mutations);
  ManifestCounters(before, decision.next, decision.events, now, &req.mutations);
  return req;
}

void ManifestStore::Open(const v1::OpenManifestRequest& request,
                         const domain::Principal& who, Done done) {
  if (absl::Status s = CheckIdempotencyKey(request.meta()); !s.ok()) {
    done(s);
    return;
  }
  const std::string key =
      keys::Idempotency(who.Scope(), "open", request.meta().idempotency_key());
  if (AnswerReplay(key, done)) return;
  {
    absl::MutexLock lock(&open_mu_);
    auto [it, first] = opening_.try_emplace(key);
    it->second.push_back(std::move(done));
    if (!first) return;  // the same request is being opened: share its answer
  }
  const absl::Time now = clock_.Now();
  const domain::MemoizedRegistry registry(registry_);
  // Validate before a number is taken, so that refusals leave no gap.
  absl::StatusOr<domain::Decision> valid =
      domain::DecideOpen(request, registry, "00000000000000", now);
  if (!valid.ok()) {
    FinishOpen(key, valid.status());
    return;
  }
  absl::StatusOr<v1::Enterprise> generator =
      registry.GetEnterprise("generator", request.generator());
  if (!generator.ok()) {
    FinishOpen(key, generator.status());
    return;
  }
  const int year =
      static_cast<int>(absl::ToCivilYear(now, domain::ChinaTime()).year());
  const std::string city4 = generator->division().substr(0, 4);
  absl::StatusOr<int64_t> serial = NextSerial(year, city4);
  if (!serial.ok()) {
    FinishOpen(key, serial.status());
    return;
  }
  const std::string number = domain::FormatManifestNumber(year, city4, *serial);
  absl::StatusOr<domain::Decision> decision =
      domain::DecideOpen(request, registry, number, now);
  if (decision.ok()) {
    absl::Status flagged = domain::AddEventFlags(v1::Manifest(), registry,
                                                 flag_config_, now, &*decision);
    if (!flagged.ok()) decision = flagged;
  }
  if (!decision.ok()) {
    FinishOpen(key, decision.status());
    return;
  }
  storage::AppendRequest append =
      MakeAppend(v1::Manifest(), *decision, who.Actor(), key, now);
  ledger_.Append(std::move(append),
                 [this, key, next = std::move(decision->next)](
                     absl::StatusOr<storage::AppendResult> r) mutable {
                   if (!r.ok()) {
                     FinishOpen(key, r.status());
                     return;
                   }
                   v1::ManifestReply reply;
                   *reply.mutable_manifest() = std::move(next);
                   *reply.mutable_receipt() = ReceiptFor(*r);
                   FinishOpen(key, std::move(reply));
                 });
}

absl::StatusOr<int64_t> ManifestStore::NextSerial(int year,
                                                  const std::string& city4) {
  const std::string scope = absl::StrCat(year, city4);
  absl::MutexLock lock(&open_mu_);
  auto it = serials_.find(scope);
  if (it == serials_.end()) {
    // Numbers sort as they count: the last index key is the highest.
    absl::StatusOr<absl::optional<std::string>> last =
        ledger_.LastIndexKey(keys::AllManifestsPrefix() + scope);
    if (!last.ok()) return last.status();
    int64_t highest = 0;
    if (last->has_value()) {
      absl::StatusOr<domain::ManifestNumberParts> parts =
          domain::ParseManifestNumber(
              "number", (*last)->substr(keys::AllManifestsPrefix().size()));
      if (!parts.ok()) return parts.status();
      highest = parts->serial;
    }
    it = serials_.emplace(scope, highest).first;
  }
  if (it->second >= domain::kMaxManifestSerial) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "no manifest numbers left for city ", city4, " in ", year));
  }
  return ++it->second;
}

void ManifestStore::FinishOpen(const std::string& key,
                               absl::StatusOr<v1::ManifestReply> r) {
  std::vector<Done> waiting;
  {
    absl::MutexLock lock(&open_mu_);
    auto it = opening_.find(key);
    if (it == opening_.end()) return;
    waiting = std::move(it->second);
    opening_.erase(it);
  }
  for (size_t i = 0; i < waiting.size(); ++i) {
    absl::StatusOr<v1::ManifestReply> answer = r;
    if (i > 0 && answer.ok()) answer->mutable_receipt()->set_replayed(true);
    waiting[i](std::move(answer));
  }
}

void ManifestStore::Write(absl::string_view number,
                          const domain::Principal& who, absl::string_view op,
                          const v1::WriteMeta& meta, Decider decide,
                          Done done) {
  if (absl::Status s = CheckIdempotencyKey(meta); !s.ok()) {
    done(s);
    return;
  }
  std::string key = keys::Idempotency(who.Scope(), op, meta.idempotency_key());
  if (AnswerReplay(key, done)) return;
  absl::StatusOr<v1::Manifest> current = Load(number);
  if (!current.ok()) {
    done(current.status());
    return;
  }
  const absl::Time now = clock_.Now();
  const domain::MemoizedRegistry registry(registry_);
  absl::StatusOr<domain::Decision> decision = decide(*current, registry, now);
  if (decision.ok()) {
    absl::Status flagged = domain::AddEventFlags(*current, registry,
                                                 flag_config_, now, &*decision);
    if (!flagged.ok()) decision = flagged;
  }
  if (!decision.ok()) {
    done(decision.status());
    return;
  }
  storage::AppendRequest append =
      MakeAppend(*current, *decision, who.Actor(), std::move(key), now);
  ledger_.Append(
      std::move(append),
      [this, next = std::move(decision->next), done = std::move(done)](
          absl::StatusOr<storage::AppendResult> r) mutable {
        if (!r.ok()) {
          done(r.status());
          return;
        }
        v1::ManifestReply reply;
        if (r->replayed) {
          absl::StatusOr<v1::Manifest> now = Load(r->stream);
          if (!now.ok()) {
            done(now.status());
            return;
          }
          next = *std::move(now);
        }
        *reply.mutable_manifest() = std::move(next);
        *reply.mutable_receipt() = ReceiptFor(*r);
        done(std::move(reply));
      });
}

absl::StatusOr<int> ManifestStore::SweepDue(size_t max_keys) {
  constexpr size_t kPage = 256;  // keys read at a time: stop soon after now
  const absl::Time now = clock_.Now();
  int flagged = 0;
  size_t seen = 0;
  std::string cursor, last_number;
  while (seen < max_keys) {
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<storage::KeyValue> due,
        ledger_.ScanIndex(keys::DuePrefix(), cursor, kPage));
    for (const storage::KeyValue& row : due) {
      ++seen;
      cursor = row.key;
      CRADLE_ASSIGN_OR_RETURN(keys::DueKeyParts due_key,
                              keys::ParseDueKey(row.key));
      if (due_key.due > now) {
        return flagged;  // keys are in due order: nothing further is due
      }
      const std::string& number = due_key.number;
      if (number == last_number) continue;  // swept with its first deadline
      last_number = number;
      CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, Load(number));
      domain::Decision d = domain::SweepDeadlines(m, flag_config_, now);
      if (d.events.empty()) continue;
      absl::StatusOr<storage::AppendResult> r =
          ledger_.AppendAndWait(MakeAppend(m, d, "cradle-sweeper", "", now));
      if (r.ok()) {
        ++flagged;
      } else if (r.status().code() != absl::StatusCode::kAborted) {
        return r.status();
      }  // ABORTED: an event arrived meanwhile; the next pass looks again.
    }
    if (due.size() < kPage) break;
  }
  return flagged;
}

absl::StatusOr<v1::ListManifestsResponse> ManifestStore::List(
    const v1::ListManifestsRequest& request) const {
  int page_size =
      request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_size ", request.page_size(), " must be 1..", kMaxPageSize));
  }
  if (!v1::ManifestStatus_IsValid(request.status())) {
    return absl::InvalidArgumentError(
        absl::StrCat("status ", request.status(), " is not a status"));
  }
  // Scan the narrowest index; filter the rest from the state.
  std::string prefix;
  bool filter_status = false;
  if (!request.party().empty()) {
    prefix = keys::PartyPrefix(request.party());
    filter_status = request.status() != v1::STATUS_UNSPECIFIED;
  } else if (request.status() != v1::STATUS_UNSPECIFIED) {
    prefix = keys::StatusPrefix(v1::ManifestStatus_Name(request.status()));
  } else {
    prefix = keys::AllManifestsPrefix();
  }
  std::string cursor = request.page_token();
  if (!cursor.empty() && cursor.compare(0, prefix.size(), prefix) != 0) {
    return absl::InvalidArgumentError(
        "page_token does not belong to this query; start again without it");
  }
  v1::ListManifestsResponse out;
  for (;;) {
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<storage::KeyValue> rows,
        ledger_.ScanIndex(prefix, cursor, static_cast<size_t>(page_size)));
    for (const storage::KeyValue& row : rows) {
      cursor = row.key;
      CRADLE_ASSIGN_OR_RETURN(v1::Manifest m,
                              Load(row.key.substr(prefix.size())));
      if (filter_status && m.status() != request.status()) continue;
      *out.add_manifests() = std::move(m);
      if (out.manifests_size() == page_size) {
        out.set_next_page_token(cursor);
        return out;
      }
    }
    if (rows.size() < static_cast<size_t>(page_size)) return out;
  }
}

}  // namespace cradle::services
