#include "services/manifest_store.h"

#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "domain/manifest_number.h"
#include "domain/status_macros.h"
#include "services/keys.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

constexpr size_t kMaxIdempotencyKeyBytes = 128;
constexpr int kMaxOpenAttempts = 64;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
// Manifest numbers carry the year in China Standard Time (UTC+8, no DST).
const absl::TimeZone kChinaTime = absl::FixedTimeZone(8 * 3600);

std::string ActorOf(absl::string_view party, const v1::WriteMeta& meta) {
  std::string actor(party);
  if (!meta.person().empty()) absl::StrAppend(&actor, "/", meta.person());
  if (!meta.device().empty()) absl::StrAppend(&actor, "@", meta.device());
  return actor;
}

// Every index key a manifest should have in its current state.
std::set<std::string> IndexKeys(const v1::Manifest& m) {
  std::set<std::string> keys;
  if (m.number().empty() || m.status() == v1::STATUS_UNSPECIFIED) return keys;
  keys.insert(keys::AllManifestsPrefix() + m.number());
  keys.insert(keys::StatusPrefix(v1::ManifestStatus_Name(m.status())) +
              m.number());
  keys.insert(keys::PartyPrefix(m.generator()) + m.number());
  keys.insert(keys::PartyPrefix(m.carrier()) + m.number());
  for (const v1::Leg& leg : m.legs()) {
    keys.insert(keys::PartyPrefix(leg.carrier()) + m.number());
  }
  for (const v1::Destination& d : m.destinations()) {
    keys.insert(keys::PartyPrefix(d.receiver()) + m.number());
  }
  return keys;
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

ManifestStore::ManifestStore(storage::Ledger& ledger, const Clock& clock)
    : ledger_(ledger), clock_(clock), registry_(ledger) {}

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
    absl::string_view actor, std::string idempotency_key) const {
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
  const std::set<std::string> old_keys = IndexKeys(before);
  const std::set<std::string> new_keys = IndexKeys(decision.next);
  for (const std::string& k : old_keys) {
    if (new_keys.count(k) == 0) {
      req.mutations.push_back(
          storage::Mutation{storage::Table::kIndex, k, absl::nullopt});
    }
  }
  for (const std::string& k : new_keys) {
    if (old_keys.count(k) == 0) {
      req.mutations.push_back(
          storage::Mutation{storage::Table::kIndex, k, std::string()});
    }
  }
  return req;
}

void ManifestStore::Open(const v1::OpenManifestRequest& request, Done done) {
  if (absl::Status s = CheckIdempotencyKey(request.meta()); !s.ok()) {
    done(s);
    return;
  }
  std::string key = keys::Idempotency(request.generator(), "open",
                                      request.meta().idempotency_key());
  if (AnswerReplay(key, done)) return;
  TryOpen(request, std::move(key), 1, std::move(done));
}

void ManifestStore::TryOpen(v1::OpenManifestRequest request,
                            std::string idempotency_key, int attempt,
                            Done done) {
  const absl::Time now = clock_.Now();
  absl::StatusOr<v1::Enterprise> generator =
      registry_.GetEnterprise("generator", request.generator());
  if (!generator.ok()) {
    // Let the domain name the precise problem (format, registration, role).
    absl::StatusOr<domain::Decision> d =
        domain::DecideOpen(request, registry_, "", now);
    done(d.ok() ? generator.status() : d.status());
    return;
  }
  const int year = static_cast<int>(absl::ToCivilYear(now, kChinaTime).year());
  const std::string city4 = generator->division().substr(0, 4);
  const std::string counter = keys::SerialCounter(year, city4);
  absl::StatusOr<absl::optional<std::string>> last = ledger_.GetState(counter);
  if (!last.ok()) {
    done(last.status());
    return;
  }
  int64_t serial = 0;
  if (last->has_value() && !absl::SimpleAtoi(**last, &serial)) {
    done(absl::DataLossError(
        absl::StrCat("serial counter ", counter, " holds \"", **last, "\"")));
    return;
  }
  ++serial;
  if (serial > domain::kMaxManifestSerial) {
    done(absl::ResourceExhaustedError(absl::StrCat(
        "no manifest numbers left for city ", city4, " in ", year)));
    return;
  }
  const std::string number = domain::FormatManifestNumber(year, city4, serial);
  absl::StatusOr<domain::Decision> decision =
      domain::DecideOpen(request, registry_, number, now);
  if (!decision.ok()) {
    done(decision.status());
    return;
  }
  storage::AppendRequest append =
      MakeAppend(v1::Manifest(), *decision,
                 ActorOf(request.generator(), request.meta()), idempotency_key);
  append.mutations.push_back(
      storage::Mutation{storage::Table::kState, counter, absl::StrCat(serial)});
  v1::Manifest next = decision->next;
  ledger_.Append(
      std::move(append),
      [this, request = std::move(request), key = std::move(idempotency_key),
       attempt, next = std::move(next), done = std::move(done)](
          absl::StatusOr<storage::AppendResult> r) mutable {
        if (r.status().code() == absl::StatusCode::kAborted &&
            attempt < kMaxOpenAttempts) {
          // Another open took this serial first; take the next one.
          TryOpen(std::move(request), std::move(key), attempt + 1,
                  std::move(done));
          return;
        }
        if (!r.ok()) {
          done(r.status());
          return;
        }
        if (r->replayed) {  // a concurrent retry of the same open won
          AnswerReplay(key, done);
          return;
        }
        v1::ManifestReply reply;
        *reply.mutable_manifest() = std::move(next);
        *reply.mutable_receipt() = ReceiptFor(*r);
        done(std::move(reply));
      });
}

void ManifestStore::Write(absl::string_view number, absl::string_view actor,
                          absl::string_view op, const v1::WriteMeta& meta,
                          Decider decide, Done done) {
  if (absl::Status s = CheckIdempotencyKey(meta); !s.ok()) {
    done(s);
    return;
  }
  std::string key = keys::Idempotency(actor, op, meta.idempotency_key());
  if (AnswerReplay(key, done)) return;
  absl::StatusOr<v1::Manifest> current = Load(number);
  if (!current.ok()) {
    done(current.status());
    return;
  }
  absl::StatusOr<domain::Decision> decision = decide(*current, clock_.Now());
  if (!decision.ok()) {
    done(decision.status());
    return;
  }
  storage::AppendRequest append =
      MakeAppend(*current, *decision, ActorOf(actor, meta), std::move(key));
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
