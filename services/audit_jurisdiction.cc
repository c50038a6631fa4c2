// The Audit service's jurisdiction-scoped reads: manifests touching a
// division prefix, the flows and rates a bureau reports, and CSV exports.
// Everything here is read from indexes and counters kept by ManifestStore,
// so its cost grows with the answer, not with the ledger.

#include <algorithm>
#include <deque>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "domain/csv.h"
#include "domain/division.h"
#include "domain/flags/engine.h"
#include "domain/manifest_facts.h"
#include "domain/names.h"
#include "domain/waste_catalogue.h"
#include "domain/work_calendar.h"
#include "services/export_rows.h"
#include "services/grpc_status.h"
#include "services/keys.h"
#include "services/page_token.h"
#include "services/reads.h"
#include "services/services.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

constexpr int kMaxMonths = 60;
constexpr int kExportPage = 100;
// What Flows reads whole, per call, besides the flow counters of one month
// (kMaxFlowRows) and a province's open flags (kMaxOpenFlags): the closure
// and open-flag counters of the cities under the jurisdiction, its
// enterprises. Past one, the call is refused
// rather than answered with part of the figures.
constexpr size_t kMaxCityCounters = 1 << 16;
constexpr size_t kMaxEnterprises = 100000;

absl::Status CheckJurisdiction(absl::string_view j,
                               std::initializer_list<size_t> lengths) {
  return domain::ValidateJurisdiction("jurisdiction", j, lengths);
}

// "YYYY-MM-DD" -> "YYYYMMDD"; empty stays empty.
absl::StatusOr<std::string> DayKey(absl::string_view field,
                                   absl::string_view day) {
  if (day.empty()) return std::string();
  absl::CivilDay d;
  if (day.size() != 10 || !absl::ParseCivilTime(day, &d)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(day), " is not YYYY-MM-DD"));
  }
  return absl::FormatCivilTime(d).substr(0, 4) +
         absl::FormatCivilTime(d).substr(5, 2) +
         absl::FormatCivilTime(d).substr(8, 2);
}

bool Matches(const v1::Manifest& m,
             const v1::ListJurisdictionManifestsRequest& q) {
  if (q.status() != v1::MANIFEST_STATUS_UNSPECIFIED &&
      m.status() != q.status()) {
    return false;
  }
  if (!q.enterprise().empty() && !domain::IsManifestParty(m, q.enterprise()))
    return false;
  if (!q.waste().empty()) {
    bool found = false;
    for (const v1::WasteLine& l : m.lines()) {
      found |= l.code() == q.waste() ||
               (l.code().size() == 10 &&
                domain::WasteCategoryOf(l.code()) == q.waste());
    }
    if (!found) return false;
  }
  if (q.flag() != v1::FLAG_KIND_UNSPECIFIED) {
    bool found = false;
    for (const v1::Flag& f : m.flags()) found |= f.kind() == q.flag();
    if (!found) return false;
  }
  return true;
}

// Walks the jurisdiction index (keys::JurisdictionKey) of one prefix.
class JurisdictionCursor {
 public:
  JurisdictionCursor(const storage::Ledger& ledger, std::string prefix,
                     std::string from, std::string to, std::string cursor)
      : ledger_(ledger),
        prefix_(std::move(prefix)),
        to_(std::move(to)),
        cursor_(std::move(cursor)) {
    // Keys of the first day sort after "<prefix><from>".
    if (cursor_.empty() && !from.empty()) cursor_ = prefix_ + from;
  }

  // The next manifest number, or "" at the end.
  absl::StatusOr<std::string> Next() {
    if (rows_.empty() && !done_) {
      CRADLE_ASSIGN_OR_RETURN(std::vector<storage::KeyValue> rows,
                              ledger_.ScanIndex(prefix_, cursor_, 256));
      done_ = rows.size() < 256;
      for (storage::KeyValue& r : rows) rows_.push_back(std::move(r.key));
    }
    if (rows_.empty()) return std::string();
    std::string key = std::move(rows_.front());
    rows_.pop_front();
    cursor_ = key;
    const keys::JurisdictionRest rest = keys::SplitJurisdictionRest(
        absl::string_view(key).substr(prefix_.size()));
    if (rest.number.empty()) {
      return absl::DataLossError(
          absl::StrCat("malformed jurisdiction index key \"", key, "\""));
    }
    if (!to_.empty() && rest.day > to_) {
      rows_.clear();
      done_ = true;
      return std::string();
    }
    return std::string(rest.number);
  }
  const std::string& cursor() const { return cursor_; }

 private:
  const storage::Ledger& ledger_;
  const std::string prefix_, to_;
  std::string cursor_;
  std::deque<std::string> rows_;
  bool done_ = false;
};

// Streams an export a page at a time: one chunk per page of manifests, the
// next read only once the previous chunk is written.
class ExportReactor final : public grpc::ServerWriteReactor<v1::ExportChunk> {
 public:
  ExportReactor(const storage::Ledger& ledger, const ManifestStore& store,
                const v1::ExportRequest& request, std::string prefix,
                std::string from, std::string to)
      : ledger_(ledger),
        store_(store),
        what_(request.what() == v1::ExportRequest::WHAT_UNSPECIFIED
                  ? v1::ExportRequest::WHAT_MANIFESTS
                  : request.what()),
        cursor_(ledger, std::move(prefix), std::move(from), std::move(to), "") {
    const storage::TreeHead head = ledger.GetTreeHead();
    tree_size_ = head.size;
    chunk_.set_csv(absl::StrCat(
        "# cradle export jurisdiction=", request.jurisdiction(),
        " from=", request.from_date(), " to=", request.to_date(),
        " tree_size=", head.size, " root=", storage::HexHash(head.root), "\n",
        what_ == v1::ExportRequest::WHAT_MANIFESTS ? kManifestHeader
        : what_ == v1::ExportRequest::WHAT_FORMS
            ? kFormHeader
            : "sequence,stream,stream_version,type,actor,recorded,prev_hash,"
              "hash,payload_base64\n"));
    StartWrite(&chunk_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    absl::Status s = NextChunk();
    if (!s.ok()) {
      Finish(ToGrpcStatus(s));
    } else if (chunk_.csv().empty()) {
      Finish(grpc::Status::OK);
    } else {
      StartWrite(&chunk_);
    }
  }
  void OnDone() override { delete this; }

 private:
  absl::Status NextChunk() {
    std::string csv;
    for (int i = 0; i < kExportPage; ++i) {
      CRADLE_ASSIGN_OR_RETURN(std::string number, cursor_.Next());
      if (number.empty()) break;
      CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, store_.Load(number));
      if (what_ == v1::ExportRequest::WHAT_MANIFESTS) {
        csv += ManifestRow(m);
        continue;
      }
      if (what_ == v1::ExportRequest::WHAT_FORMS) {
        csv += FormRows(m);
        continue;
      }
      CRADLE_ASSIGN_OR_RETURN(
          std::vector<storage::Entry> entries,
          ReadWholeStream(ledger_, number, kMaxStreamEntries));
      for (const storage::Entry& e : entries) {
        if (e.sequence > tree_size_) break;  // after the head announced
        absl::StrAppend(&csv, e.sequence, ",", e.stream, ",", e.stream_version,
                        ",", e.type, ",", domain::CsvField(e.actor), ",",
                        absl::FormatTime(absl::RFC3339_full, e.recorded,
                                         domain::ChinaTime()),
                        ",", storage::HexHash(e.prev_hash), ",",
                        storage::HexHash(e.hash), ",",
                        absl::Base64Escape(e.payload), "\n");
      }
    }
    chunk_.set_csv(std::move(csv));
    return absl::OkStatus();
  }

  const storage::Ledger& ledger_;
  const ManifestStore& store_;
  const v1::ExportRequest::What what_;
  JurisdictionCursor cursor_;
  uint64_t tree_size_ = 0;
  v1::ExportChunk chunk_;
};

// Flows' parts, each over the jurisdiction `j` (a city or a province).

// The flow counters that leave or enter `j`, and its inside and outside
// shares.
absl::Status AddFlowRows(const storage::Ledger& ledger,
                         const std::vector<std::string>& months,
                         absl::string_view j, v1::FlowsResponse* reply) {
  return ForEachFlow(
      ledger, months,
      [&](const std::string& month, keys::FlowKeyParts p,
          int64_t grams) -> absl::Status {
        const bool from_here = absl::StartsWith(p.origin_city4, j);
        const bool to_here = absl::StartsWith(p.destination_city4, j);
        if (!from_here && !to_here) return absl::OkStatus();
        v1::Flow* f = reply->add_flows();
        f->set_month(absl::StrCat(month.substr(0, 4), "-", month.substr(4)));
        f->set_origin_city(std::move(p.origin_city4));
        f->set_destination_city(std::move(p.destination_city4));
        f->set_category(std::move(p.category));
        f->set_grams(grams);
        if (from_here && to_here) {
          reply->set_inside_grams(reply->inside_grams() + grams);
        } else if (from_here) {
          reply->set_outside_grams(reply->outside_grams() + grams);
        }
        return absl::OkStatus();
      });
}

// The closures of manifests opened in `j`, all and within limits.
absl::Status AddClosures(const storage::Ledger& ledger,
                         const std::vector<std::string>& months,
                         absl::string_view j, v1::FlowsResponse* reply) {
  for (const std::string& month : months) {
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<storage::KeyValue> closed,
        ScanWholeIndex(ledger, keys::ClosedInJurisdictionPrefix(month, j),
                       kMaxCityCounters,
                       absl::StrCat("closure counters in ", month)));
    for (const storage::KeyValue& row : closed) {
      const int64_t n = storage::DecodeCounter(row.value);
      const absl::string_view which = keys::ClosedCounterWhich(row.key);
      if (which == keys::kClosedAll) {
        reply->set_closed(reply->closed() + n);
      } else if (which == keys::kClosedOnTime) {
        reply->set_closed_within_limits(reply->closed_within_limits() + n);
      }
    }
  }
  return absl::OkStatus();
}

// The open flags touching `j`, by kind. A city reads its counters; a
// province reads its flags one by one, since summing its cities' counters
// would count a flag between two of them twice.
absl::Status AddOpenFlags(const storage::Ledger& ledger,
                          const ManifestStore& store, absl::string_view j,
                          v1::FlowsResponse* reply) {
  std::map<v1::FlagKind, int64_t> by_kind;
  if (j.size() == 2) {
    CRADLE_ASSIGN_OR_RETURN(by_kind, store.CountOpenFlags(j));
  } else {
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<storage::KeyValue> open,
        ScanWholeIndex(ledger, keys::OpenFlagsInJurisdictionPrefix(j),
                       kMaxCityCounters, "open-flag counters"));
    for (const storage::KeyValue& row : open) {
      v1::FlagKind kind;
      if (keys::ParseFlagKindName(keys::OpenFlagsKind(row.key), &kind)) {
        by_kind[kind] += storage::DecodeCounter(row.value);
      }
    }
  }
  for (const auto& [kind, n] : by_kind) {
    if (n == 0) continue;
    v1::FlagCount* c = reply->add_open_flags();
    c->set_kind(kind);
    c->set_open(n);
  }
  return absl::OkStatus();
}

// The risk colours of the enterprises registered in `j`.
absl::Status AddRisks(const storage::Ledger& ledger, absl::string_view j,
                      v1::FlowsResponse* reply) {
  CRADLE_ASSIGN_OR_RETURN(
      std::vector<storage::KeyValue> enterprises,
      ScanWholeIndex(ledger, keys::EnterprisesInJurisdictionPrefix(j),
                     kMaxEnterprises, absl::StrCat("enterprises in ", j)));
  for (const storage::KeyValue& row : enterprises) {
    CRADLE_ASSIGN_OR_RETURN(
        v1::EnterpriseRisk risk,
        ReadEnterpriseRisk(ledger, keys::EnterpriseOfDivisionKey(row.key)));
    if (risk.open_flags() == 0) {
      reply->set_green(reply->green() + 1);
    } else {
      *reply->add_at_risk() = std::move(risk);
    }
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// A regulator querying inside its own jurisdiction.
absl::Status AdmitJurisdiction(const Gate& gate,
                               const grpc::ServerContextBase& ctx,
                               absl::string_view jurisdiction) {
  absl::StatusOr<domain::Principal> who =
      gate.Admit(ctx, domain::Operation::kJurisdictionRead);
  if (!who.ok()) return who.status();
  return domain::CheckJurisdiction(*who, "jurisdiction", jurisdiction);
}

}  // namespace

grpc::ServerUnaryReactor* AuditService::ListJurisdictionManifests(
    grpc::CallbackServerContext* ctx,
    const v1::ListJurisdictionManifestsRequest* q,
    v1::ListJurisdictionManifestsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto run = [&]() -> absl::Status {
    CRADLE_RETURN_IF_ERROR(CheckJurisdiction(q->jurisdiction(), {2, 4, 6}));
    CRADLE_RETURN_IF_ERROR(AdmitJurisdiction(gate_, *ctx, q->jurisdiction()));
    CRADLE_ASSIGN_OR_RETURN(std::string from,
                            DayKey("opened_from", q->opened_from()));
    CRADLE_ASSIGN_OR_RETURN(std::string to,
                            DayKey("opened_to", q->opened_to()));
    CRADLE_ASSIGN_OR_RETURN(const int page_size,
                            PageSize(q->page_size(), kRecordPages));
    const std::string prefix = keys::JurisdictionPrefix(q->jurisdiction());
    CRADLE_ASSIGN_OR_RETURN(std::string after,
                            DecodePageToken(q->page_token(), prefix));
    JurisdictionCursor cursor(ledger_, prefix, from, to, std::move(after));
    for (;;) {
      CRADLE_ASSIGN_OR_RETURN(std::string number, cursor.Next());
      if (number.empty()) return absl::OkStatus();
      CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, store_.Load(number));
      if (!Matches(m, *q)) continue;
      *reply->add_manifests() = std::move(m);
      if (reply->manifests_size() == page_size) {
        reply->set_next_page_token(EncodePageToken(cursor.cursor()));
        return absl::OkStatus();
      }
    }
  };
  reactor->Finish(ToGrpcStatus(run()));
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::Flows(grpc::CallbackServerContext* ctx,
                                              const v1::FlowsRequest* request,
                                              v1::FlowsResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto run = [&]() -> absl::Status {
    const std::string& j = request->jurisdiction();
    if (j.size() == 6) {
      return absl::InvalidArgumentError(
          "jurisdiction: flows are counted per city; give a city (4 digits) "
          "or a province (2)");
    }
    CRADLE_RETURN_IF_ERROR(CheckJurisdiction(j, {2, 4}));
    CRADLE_RETURN_IF_ERROR(AdmitJurisdiction(gate_, *ctx, j));
    CRADLE_ASSIGN_OR_RETURN(
        const std::vector<std::string> months,
        FlowMonths(request->from_month(), request->to_month(), kMaxMonths));
    CRADLE_RETURN_IF_ERROR(AddFlowRows(ledger_, months, j, reply));
    CRADLE_RETURN_IF_ERROR(AddClosures(ledger_, months, j, reply));
    CRADLE_RETURN_IF_ERROR(AddOpenFlags(ledger_, store_, j, reply));
    return AddRisks(ledger_, j, reply);
  };
  reactor->Finish(ToGrpcStatus(run()));
  return reactor;
}

grpc::ServerWriteReactor<v1::ExportChunk>* AuditService::Export(
    grpc::CallbackServerContext* ctx, const v1::ExportRequest* request) {
  absl::Status s = CheckJurisdiction(request->jurisdiction(), {2, 4, 6});
  if (s.ok()) s = AdmitJurisdiction(gate_, *ctx, request->jurisdiction());
  absl::StatusOr<std::string> from = DayKey("from_date", request->from_date());
  absl::StatusOr<std::string> to = DayKey("to_date", request->to_date());
  if (s.ok()) s = !from.ok() ? from.status() : to.status();
  if (s.ok() && !v1::ExportRequest::What_IsValid(request->what())) {
    s = absl::InvalidArgumentError(
        absl::StrCat("what ", request->what(),
                     " is not an export: MANIFESTS, FORMS or ENTRIES"));
  }
  if (!s.ok()) {
    class Refused final : public grpc::ServerWriteReactor<v1::ExportChunk> {
     public:
      explicit Refused(const absl::Status& s) { Finish(ToGrpcStatus(s)); }
      void OnDone() override { delete this; }
    };
    return new Refused(s);
  }
  return new ExportReactor(ledger_, store_, *request,
                           keys::JurisdictionPrefix(request->jurisdiction()),
                           *from, *to);
}

}  // namespace cradle::services
