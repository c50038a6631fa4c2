#include "services/manifest_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "domain/division.h"
#include "domain/flags/engine.h"
#include "domain/manifest_number.h"
#include "domain/memoized_registry.h"
#include "base/status_macros.h"
#include "domain/work_calendar.h"
#include "services/keys.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

constexpr size_t kMaxIdempotencyKeyBytes = 128;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::string DueKey(absl::Time due, absl::string_view number, v1::FlagKind kind,
                   int subject) {
  char micros[17];
  std::snprintf(
      micros, sizeof micros, "%016" PRIx64,
      static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixMicros(due))));
  return absl::StrCat(keys::DuePrefix(), micros, "/", number, "/",
                      v1::FlagKind_Name(kind), "/", subject);
}

// Every index entry (key -> value) a manifest should have in its current
// state; a write puts the new ones and deletes the stale ones.
std::map<std::string, std::string> IndexEntries(
    const v1::Manifest& m, const domain::FlagConfig& config) {
  std::map<std::string, std::string> keys;
  if (m.number().empty() || m.status() == v1::STATUS_UNSPECIFIED) return keys;
  const std::string& n = m.number();
  keys[keys::AllManifestsPrefix() + n];
  keys[keys::StatusPrefix(v1::ManifestStatus_Name(m.status())) + n];
  keys[keys::PartyPrefix(m.generator()) + n];
  keys[keys::PartyPrefix(m.carrier()) + n];
  for (const v1::Leg& leg : m.legs()) {
    keys[keys::PartyPrefix(leg.carrier()) + n];
  }
  for (const v1::Destination& d : m.destinations()) {
    keys[keys::PartyPrefix(d.receiver()) + n];
  }
  for (const v1::Flag& f : m.flags()) {
    const std::string& id = f.id();
    keys[keys::FlagAllPrefix() + id];
    keys[keys::FlagStatePrefix(v1::FlagState_Name(f.state())) + id];
    keys[keys::FlagKindPrefix(v1::FlagKind_Name(f.kind())) + id];
    for (const std::string& city : {f.origin_city(), f.destination_city()}) {
      if (!city.empty()) keys[keys::FlagCityPrefix(city) + id];
    }
    for (const std::string& county :
         {f.origin_county(), f.destination_county()}) {
      if (!county.empty()) keys[keys::FlagCountyPrefix(county) + id];
    }
    if (domain::IsOpen(f)) {
      for (const std::string& e : f.enterprises()) {
        keys[keys::FlagEnterprisePrefix(e) + id] =
            v1::Severity_Name(f.severity());
      }
    }
  }
  // Jurisdictions: origin, every destination, every carrier's division.
  std::set<std::string> divisions = {m.origin_division()};
  for (const v1::Destination& d : m.destinations())
    divisions.insert(d.division());
  for (const v1::Leg& leg : m.legs()) divisions.insert(leg.division());
  const std::string day =
      absl::FormatTime("%Y%m%d", FromProto(m.opened_at()), domain::ChinaTime());
  for (const std::string& d : divisions) {
    if (d.size() != 6) continue;
    for (size_t len : {2, 4, 6}) {
      keys[absl::StrCat(keys::JurisdictionPrefix(d.substr(0, len)), day, "/",
                        n)];
    }
  }
  if (m.status() != v1::CANCELLED) {
    for (const domain::DueDate& due : domain::DueDates(m, config)) {
      keys[DueKey(due.due, n, due.kind, due.subject)];
    }
  }
  return keys;
}

storage::Mutation Add(std::string key, int64_t delta) {
  storage::Mutation m;
  m.table = storage::Table::kIndex;
  m.key = std::move(key);
  m.add = delta;
  return m;
}

// The regulators' counters a write changes (keys.h): flows of accepted
// waste, closures, open flags per city and kind.
void AddFigureCounters(const v1::Manifest& before, const v1::Manifest& after,
                       absl::Time now, std::vector<storage::Mutation>* out) {
  const std::string month = absl::FormatTime("%Y%m", now, domain::ChinaTime());
  const std::string origin = after.origin_division().substr(0, 4);
  for (int i = 0; i < after.destinations_size(); ++i) {
    const v1::Destination& d = after.destinations(i);
    if (d.returned_to_generator()) continue;
    for (int line = 0; line < d.accepted_g_size(); ++line) {
      const int64_t was =
          i < before.destinations_size() &&
                  line < before.destinations(i).accepted_g_size()
              ? before.destinations(i).accepted_g(line)
              : 0;
      const int64_t delta = d.accepted_g(line) - was;
      if (delta == 0) continue;
      const std::string& code = after.lines(line).code();
      out->push_back(Add(absl::StrCat(keys::FlowPrefix(month), origin, "/",
                                      d.division().substr(0, 4), "/HW",
                                      code.substr(code.size() - 2)),
                         delta));
    }
  }
  if (after.status() == v1::CLOSED && before.status() != v1::CLOSED) {
    bool late = false;
    for (const v1::Flag& f : after.flags()) {
      late |=
          f.kind() == v1::TRANSIT_OVERDUE || f.kind() == v1::RECEIPT_OVERDUE ||
          f.kind() == v1::MISSING_DISPOSAL || f.kind() == v1::BACKFILL_OVERDUE;
    }
    out->push_back(Add(keys::ClosedCounter(month, origin, "all"), 1));
    if (!late)
      out->push_back(Add(keys::ClosedCounter(month, origin, "ontime"), 1));
  }
  std::map<std::string, bool> was_open;
  for (const v1::Flag& f : before.flags()) was_open[f.id()] = domain::IsOpen(f);
  for (const v1::Flag& f : after.flags()) {
    const bool open = domain::IsOpen(f);
    if (open == was_open[f.id()]) continue;
    std::set<std::string> cities = {f.origin_city(), f.destination_city()};
    for (const std::string& city : cities) {
      if (city.empty()) continue;
      out->push_back(Add(absl::StrCat(keys::OpenFlagsPrefix(city),
                                      v1::FlagKind_Name(f.kind())),
                         open ? 1 : -1));
    }
  }
}

int64_t Accepted(const v1::Destination& d) {
  int64_t total = 0;
  for (int64_t g : d.accepted_g()) total += g;
  return total;
}

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
  CRADLE_ASSIGN_OR_RETURN(std::vector<storage::KeyValue> rows,
                          ledger_.ScanIndex(prefix, "", 10000));
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
  CRADLE_ASSIGN_OR_RETURN(std::vector<storage::KeyValue> rows,
                          ledger_.ScanIndex(prefix, "", 1000));
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
  for (const v1::ManifestEvent& e : decision.events) {
    req.entries.push_back(storage::NewEntry{
        domain::EventType(e), e.SerializeAsString(), std::string(actor)});
  }
  req.mutations.push_back(storage::Mutation{
      storage::Table::kState, keys::ManifestState(decision.next.number()),
      decision.next.SerializeAsString()});
  const std::map<std::string, std::string> old_keys =
      IndexEntries(before, flag_config_);
  const std::map<std::string, std::string> new_keys =
      IndexEntries(decision.next, flag_config_);
  for (const auto& [k, v] : old_keys) {
    if (new_keys.count(k) == 0) {
      req.mutations.push_back(
          storage::Mutation{storage::Table::kIndex, k, absl::nullopt});
    }
  }
  for (const auto& [k, v] : new_keys) {
    auto old = old_keys.find(k);
    if (old == old_keys.end() || old->second != v) {
      req.mutations.push_back(storage::Mutation{storage::Table::kIndex, k, v});
    }
  }
  // Counters other manifests' rules read: what each receiver accepted this
  // year, and what each approval has shipped.
  const int year =
      static_cast<int>(absl::ToCivilYear(now, domain::ChinaTime()).year());
  for (int i = 0; i < decision.next.destinations_size(); ++i) {
    const v1::Destination& d = decision.next.destinations(i);
    const int64_t delta =
        Accepted(d) -
        (i < before.destinations_size() ? Accepted(before.destinations(i)) : 0);
    if (delta != 0 && !d.returned_to_generator()) {
      storage::Mutation add;
      add.key = keys::AcceptedCounter(d.receiver(), year);
      add.add = delta;
      req.mutations.push_back(std::move(add));
    }
  }
  AddFigureCounters(before, decision.next, now, &req.mutations);
  for (const v1::ManifestEvent& e : decision.events) {
    if (e.has_approval_applied() && e.approval_applied().grams() != 0) {
      storage::Mutation add;
      add.key = keys::ApprovalUsedCounter(e.approval_applied().number());
      add.add = e.approval_applied().grams();
      req.mutations.push_back(std::move(add));
    }
  }
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
      // due/<16 hex digits>/<number>/<kind>/<subject>
      const absl::string_view key(row.key);
      const size_t at = keys::DuePrefix().size();
      uint64_t micros = 0;
      if (key.size() < at + 17 ||
          !absl::SimpleHexAtoi(key.substr(at, 16), &micros)) {
        return absl::DataLossError(
            absl::StrCat("malformed due index key \"", row.key, "\""));
      }
      if (absl::FromUnixMicros(static_cast<int64_t>(micros)) > now) {
        return flagged;  // keys are in due order: nothing further is due
      }
      const absl::string_view rest = key.substr(at + 17);
      const std::string number(rest.substr(0, rest.find('/')));
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
