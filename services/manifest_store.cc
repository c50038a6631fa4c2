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
#include "domain/container.h"
#include "domain/division.h"
#include "domain/flags/engine.h"
#include "domain/inbox.h"
#include "domain/manifest_number.h"
#include "domain/memoized_registry.h"
#include "domain/revision.h"
#include "domain/stock.h"
#include "domain/work_calendar.h"
#include "services/keys.h"
#include "services/page_token.h"
#include "services/projection.h"
#include "services/reads.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {}  // namespace

ManifestStore::ManifestStore(storage::Ledger& ledger, const Clock& clock,
                             domain::FlagConfig flag_config)
    : ledger_(ledger),
      clock_(clock),
      registry_(ledger),
      flag_config_(std::move(flag_config)),
      pipeline_(
          ledger,
          [this](const storage::AppendResult& first) { return Replay(first); },
          [](ManifestWritten* w) { w->receipt.set_replayed(true); }),
      containers_(ledger,
                  [this](const storage::AppendResult& first)
                      -> absl::StatusOr<v1::Container> {
                    CRADLE_ASSIGN_OR_RETURN(keys::StreamName name,
                                            keys::ParseStream(first.stream));
                    return registry_.GetContainer("code", name.id);
                  }) {}

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

absl::StatusOr<ManifestWritten> ManifestStore::Replay(
    const storage::AppendResult& first) const {
  CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, Load(first.stream));
  return ManifestWritten{std::move(m), ReceiptFor(first)};
}

storage::AppendRequest ManifestStore::MakeAppend(
    const v1::Manifest& before, const domain::Decision& decision,
    absl::string_view actor, absl::Time now) const {
  storage::AppendRequest req;
  req.stream = decision.next.number();
  req.expected_version = before.version();
  // Every event carries the time it was decided at, which a replay folds
  // it in at (projection.h's EventTime).
  const google::protobuf::Timestamp decided_at = ToTimestamp(now);
  for (const ledger::v1::ManifestEvent& e : decision.events) {
    ledger::v1::ManifestEvent stamped = e;
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

namespace {

static_assert(storage::kMaxReadsPerAppend >= domain::kMaxContainersPerManifest +
                                                 domain::kMaxManifestsPerTrip +
                                                 1,
              "a manifest's containers and its trip must fit an append's "
              "reads");

// Names in `req` each container and other manifest the decision read, at
// the version it read: a stock record landing on one first (a booking
// decided on the manifest as it was), or a load of the trip delivered
// first, aborts the append, which writes nothing and is decided again when
// the caller retries.
void AddReads(const domain::MemoizedRegistry& registry,
              storage::AppendRequest* req) {
  for (const auto& [code, c] : registry.containers_read()) {
    req->reads.push_back(storage::StreamRead{
        keys::ContainerStream(code),
        static_cast<uint64_t>(domain::ContainerVersion(c))});
  }
  for (const auto& [number, version] : registry.manifests_read()) {
    if (number == req->stream) continue;
    req->reads.push_back(storage::StreamRead{number, version});
  }
  std::sort(req->reads.begin(), req->reads.end(),
            [](const storage::StreamRead& a, const storage::StreamRead& b) {
              return a.stream < b.stream;
            });
}

// The answer to a write once durable: the state it made and its receipt.
std::function<absl::StatusOr<ManifestWritten>(const storage::AppendResult&)>
AnswerWith(v1::Manifest next) {
  // Called once: the manifest moves into the answer.
  return [next = std::move(next)](const storage::AppendResult& r) mutable {
    return absl::StatusOr<ManifestWritten>(
        ManifestWritten{std::move(next), ReceiptFor(r)});
  };
}

}  // namespace

void ManifestStore::Open(const v1::OpenManifestRequest& request,
                         const domain::Principal& who, Done done) {
  // Copies share the first's answer, so that a retry racing its original
  // never takes a second number.
  pipeline_.Write(
      who, "open", request.meta(),
      [&] { return PrepareOpen(request, who.Actor()); }, std::move(done),
      WritePipeline<ManifestWritten>::Copies::kShareFirst);
}

absl::StatusOr<PreparedWrite<ManifestWritten>> ManifestStore::PrepareOpen(
    const v1::OpenManifestRequest& request, absl::string_view actor) {
  const absl::Time now = clock_.Now();
  const domain::MemoizedRegistry registry(registry_);
  // Checked before a number is taken, so that refusals leave no gap.
  CRADLE_ASSIGN_OR_RETURN(ledger::v1::ManifestEvent opened,
                          domain::CheckOpen(request, registry, now));
  CRADLE_ASSIGN_OR_RETURN(
      v1::Enterprise generator,
      registry.GetEnterprise("generator", request.generator()));
  const int year =
      static_cast<int>(absl::ToCivilYear(now, domain::ChinaTime()).year());
  const std::string city4 = generator.division().substr(0, 4);
  CRADLE_ASSIGN_OR_RETURN(int64_t serial, NextSerial(year, city4));
  const std::string number = domain::FormatManifestNumber(year, city4, serial);
  domain::Decision decision =
      domain::DecideOpened(std::move(opened), number, now);
  CRADLE_RETURN_IF_ERROR(domain::AddEventFlags(v1::Manifest(), registry,
                                               flag_config_, now, &decision));
  PreparedWrite<ManifestWritten> out;
  out.append = MakeAppend(v1::Manifest(), decision, actor, now);
  AddReads(registry, &out.append);
  out.answer = AnswerWith(std::move(decision.next));
  return out;
}

void ManifestStore::ForgetSerials() {
  absl::MutexLock lock(&serial_mu_);
  serials_.clear();
}

absl::StatusOr<int64_t> ManifestStore::NextSerial(int year,
                                                  const std::string& city4) {
  const std::string scope = absl::StrCat(year, city4);
  absl::MutexLock lock(&serial_mu_);
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

void ManifestStore::Write(absl::string_view number,
                          const domain::Principal& who, absl::string_view op,
                          const v1::WriteMeta& meta, Decider decide,
                          Done done) {
  pipeline_.Write(
      who, op, meta,
      [&]() -> absl::StatusOr<PreparedWrite<ManifestWritten>> {
        CRADLE_ASSIGN_OR_RETURN(v1::Manifest current, Load(number));
        const absl::Time now = clock_.Now();
        const domain::MemoizedRegistry registry(registry_);
        CRADLE_ASSIGN_OR_RETURN(domain::Decision decision,
                                decide(current, registry, now));
        CRADLE_RETURN_IF_ERROR(domain::AddEventFlags(
            current, registry, flag_config_, now, &decision));
        PreparedWrite<ManifestWritten> out;
        out.append = MakeAppend(current, decision, who.Actor(), now);
        AddReads(registry, &out.append);
        out.answer = AnswerWith(std::move(decision.next));
        return out;
      },
      std::move(done));
}

void ManifestStore::WriteContainer(
    absl::string_view code, const domain::Principal& who, absl::string_view op,
    const v1::WriteMeta& meta, ContainerDecider decide, ContainerDone done) {
  containers_.Write(
      who, op, meta,
      [&]() -> absl::StatusOr<PreparedWrite<v1::Container>> {
        CRADLE_ASSIGN_OR_RETURN(v1::Container current,
                                registry_.GetContainer("code", code));
        CRADLE_ASSIGN_OR_RETURN(domain::ContainerDecision d,
                                decide(current, clock_.Now()));
        PreparedWrite<v1::Container> out;
        out.append = ContainerAppend(current, d.event, d.next, who.Actor());
        out.answer =
            [next = std::move(d.next)](const storage::AppendResult&) mutable {
              return absl::StatusOr<v1::Container>(std::move(next));
            };
        return out;
      },
      std::move(done));
}

absl::StatusOr<bool> ManifestStore::SweepContainer(absl::string_view code,
                                                   absl::Time now) {
  CRADLE_ASSIGN_OR_RETURN(v1::Container c,
                          registry_.GetContainer("code", code));
  v1::ManifestStatus listed_on = v1::MANIFEST_STATUS_UNSPECIFIED;
  std::vector<storage::StreamRead> reads;
  if (!c.manifest().empty()) {
    CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, Load(c.manifest()));
    listed_on = m.status();
    reads.push_back(
        storage::StreamRead{c.manifest(), static_cast<uint64_t>(m.version())});
  }
  // The generator is read only for the flag, which names its division: most
  // drums have left in time and only end their deadline.
  v1::Enterprise generator;
  if (!domain::TakenOutOfStock(listed_on)) {
    CRADLE_ASSIGN_OR_RETURN(
        generator,
        registry_.GetEnterprise("container.generator", c.generator()));
  }
  absl::optional<ledger::v1::ContainerEvent> e =
      domain::SweepStorage(c, listed_on, generator, now);
  if (!e.has_value()) return false;
  const v1::Container next = domain::ApplyContainerEvent(c, *e, now);
  storage::AppendRequest req = ContainerAppend(c, *e, next, "cradle-sweeper");
  req.reads = std::move(reads);
  absl::StatusOr<storage::AppendResult> r =
      ledger_.AppendAndWait(std::move(req));
  if (!r.ok() && r.status().code() != absl::StatusCode::kAborted) {
    return r.status();
  }  // ABORTED: a record or its manifest's pickup arrived meanwhile; the
     // next pass looks again.
  return r.ok() && e->has_flag_raised();
}

absl::StatusOr<int> ManifestStore::SweepDue(size_t max_keys,
                                            std::set<std::string>* undated) {
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
      if (domain::IsContainerSubject(number)) {
        CRADLE_ASSIGN_OR_RETURN(const bool raised, SweepContainer(number, now));
        flagged += raised ? 1 : 0;
        continue;
      }
      CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, Load(number));
      domain::Decision d = domain::SweepDeadlines(m, flag_config_, now);
      if (undated != nullptr) {
        for (std::string& u : domain::UndatedDeadlines(m, flag_config_, now)) {
          undated->insert(std::move(u));
        }
      }
      domain::Decision lapsed = domain::LapseRevisions(d.next, now);
      for (ledger::v1::ManifestEvent& e : lapsed.events) {
        d.events.push_back(std::move(e));
      }
      d.next = std::move(lapsed.next);
      if (d.events.empty()) continue;
      absl::StatusOr<storage::AppendResult> r =
          ledger_.AppendAndWait(MakeAppend(m, d, "cradle-sweeper", now));
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
  CRADLE_ASSIGN_OR_RETURN(const int page_size,
                          PageSize(request.page_size(), kRecordPages));
  if (!v1::ManifestStatus_IsValid(request.status())) {
    return absl::InvalidArgumentError(
        absl::StrCat("status ", request.status(), " is not a status"));
  }
  // Scan the narrowest index; filter the rest from the state.
  std::string prefix;
  bool filter_status = false;
  if (!request.trip().empty()) {
    if (request.party().empty()) {
      return absl::InvalidArgumentError(
          "party is required with trip: the carrier whose trip it is");
    }
    CRADLE_RETURN_IF_ERROR(domain::CheckTripNumber("trip", request.trip()));
    prefix = keys::TripPrefix(request.party(), request.trip());
    filter_status = request.status() != v1::MANIFEST_STATUS_UNSPECIFIED;
  } else if (!request.party().empty()) {
    prefix = keys::PartyPrefix(request.party());
    filter_status = request.status() != v1::MANIFEST_STATUS_UNSPECIFIED;
  } else if (request.status() != v1::MANIFEST_STATUS_UNSPECIFIED) {
    prefix = keys::StatusPrefix(request.status());
  } else {
    prefix = keys::AllManifestsPrefix();
  }
  CRADLE_ASSIGN_OR_RETURN(std::string cursor,
                          DecodePageToken(request.page_token(), prefix));
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
        out.set_next_page_token(EncodePageToken(cursor));
        return out;
      }
    }
    if (rows.size() < static_cast<size_t>(page_size)) return out;
  }
}

absl::Status ManifestStore::ReadBackward(
    const std::string& prefix, const v1::ListInboxRequest& request,
    std::string* next_page_token,
    const std::function<absl::Status(absl::string_view)>& each) const {
  CRADLE_ASSIGN_OR_RETURN(const int page_size,
                          PageSize(request.page_size(), kRecordPages));
  CRADLE_ASSIGN_OR_RETURN(std::string cursor,
                          DecodePageToken(request.page_token(), prefix));
  CRADLE_ASSIGN_OR_RETURN(std::vector<storage::KeyValue> rows,
                          ledger_.ScanIndexBackward(
                              prefix, cursor, static_cast<size_t>(page_size)));
  for (const storage::KeyValue& row : rows) {
    CRADLE_RETURN_IF_ERROR(
        each(absl::string_view(row.key).substr(prefix.size())));
  }
  if (rows.size() == static_cast<size_t>(page_size)) {
    *next_page_token = EncodePageToken(rows.back().key);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ListInboxResponse> ManifestStore::Inbox(
    const v1::ListInboxRequest& request) const {
  if (request.party().empty()) {
    return absl::InvalidArgumentError("party is required");
  }
  const std::string prefix = keys::PartyPrefix(request.party());
  v1::ListInboxResponse out;
  const absl::Time now = clock_.Now();
  CRADLE_RETURN_IF_ERROR(ReadBackward(
      prefix, request, out.mutable_next_page_token(),
      [&](absl::string_view number) -> absl::Status {
        CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, Load(number));
        for (v1::InboxItem& item :
             domain::Waiting(m, request.party(), flag_config_, now)) {
          *out.add_items() = std::move(item);
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<v1::Flag> ManifestStore::LoadFlag(absl::string_view id) const {
  CRADLE_ASSIGN_OR_RETURN(std::string subject, domain::FlagSubject(id));
  const bool container = domain::IsContainerSubject(subject);
  absl::StatusOr<v1::Container> c;
  absl::StatusOr<v1::Manifest> m;
  if (container) {
    c = registry_.GetContainer("id", subject);
    if (!c.ok()) return c.status();
  } else {
    m = Load(subject);
    if (!m.ok()) return m.status();
  }
  for (const v1::Flag& f : container ? c->flags() : m->flags()) {
    if (f.id() == id) return f;
  }
  return absl::NotFoundError(absl::StrCat("flag ", id, " does not exist"));
}

absl::StatusOr<std::map<v1::FlagKind, int64_t>> ManifestStore::CountOpenFlags(
    absl::string_view jurisdiction) const {
  std::map<v1::FlagKind, int64_t> by_kind;
  for (v1::FlagState state : {v1::FLAG_STATE_OPEN, v1::FLAG_STATE_ACKED}) {
    const std::string prefix = keys::FlagStatePrefix(state);
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<storage::KeyValue> rows,
        ScanWholeIndex(ledger_, prefix, kMaxOpenFlags, "open flags"));
    for (const storage::KeyValue& row : rows) {
      CRADLE_ASSIGN_OR_RETURN(v1::Flag f,
                              LoadFlag(row.key.substr(prefix.size())));
      if (jurisdiction.empty() ||
          domain::InJurisdiction(f.origin_county(), jurisdiction) ||
          domain::InJurisdiction(f.destination_county(), jurisdiction)) {
        ++by_kind[f.kind()];
      }
    }
  }
  return by_kind;
}

absl::StatusOr<v1::ListInboxResponse> ManifestStore::OfficeInbox(
    const v1::ListInboxRequest& request, absl::string_view jurisdiction) const {
  v1::ListInboxResponse out;
  const std::string office = keys::OfficePrefix(jurisdiction);
  const std::string flags = keys::FlagStatePrefix(v1::FLAG_STATE_OPEN);
  // Two runs, one after the other: the manifests with corrections waiting
  // on the office, then the open flags; a page that ends the first run
  // goes on into the second. A token says which run it is in.
  CRADLE_ASSIGN_OR_RETURN(const int page_size,
                          PageSize(request.page_size(), kRecordPages));
  v1::ListInboxRequest page = request;
  if (request.page_token().empty() ||
      DecodePageToken(request.page_token(), office).ok()) {
    const absl::Time now = clock_.Now();
    int rows = 0;
    CRADLE_RETURN_IF_ERROR(ReadBackward(
        office, request, out.mutable_next_page_token(),
        [&](absl::string_view number) -> absl::Status {
          ++rows;
          CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, Load(number));
          for (v1::InboxItem& item : domain::OfficeWaiting(m, now)) {
            *out.add_items() = std::move(item);
          }
          return absl::OkStatus();
        }));
    if (!out.next_page_token().empty()) return out;
    page.set_page_size(page_size - rows);
    page.clear_page_token();
  }
  CRADLE_RETURN_IF_ERROR(ReadBackward(
      flags, page, out.mutable_next_page_token(),
      [&](absl::string_view id) -> absl::Status {
        CRADLE_ASSIGN_OR_RETURN(v1::Flag f, LoadFlag(id));
        if (domain::InJurisdiction(f.origin_county(), jurisdiction) ||
            domain::InJurisdiction(f.destination_county(), jurisdiction)) {
          *out.add_items() = domain::FlagToAnswer(f);
        }
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace cradle::services
