#include "domain/operator_report.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

#include "base/quote.h"
#include "base/time.h"
#include "domain/csv.h"
#include "domain/decision_checks.h"
#include "domain/quantity.h"
#include "domain/stock.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

std::string At(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, ChinaTime());
}

// The destinations of `m` at `op` that signed a receipt.
std::vector<const v1::Destination*> ReceivedAt(const v1::Manifest& m,
                                               absl::string_view op) {
  std::vector<const v1::Destination*> out;
  for (const v1::Destination& d : m.destinations()) {
    if (d.receiver() == op && d.received()) out.push_back(&d);
  }
  return out;
}

int64_t Accepted(const v1::Destination& d, int i) {
  return i < d.accepted_g_size() ? d.accepted_g(i) : 0;
}

int64_t Rejected(const v1::Destination& d, int i) {
  return i < d.rejected_g_size() ? d.rejected_g(i) : 0;
}

const char* EntryKindName(v1::OperatorReportEntry::Kind kind) {
  switch (kind) {
    case v1::OperatorReportEntry::KIND_RECEIPT:
      return "receipt";
    case v1::OperatorReportEntry::KIND_TREATMENT:
      return "treatment";
    case v1::OperatorReportEntry::KIND_REPACK:
      return "repack";
    default:
      return "";
  }
}

// A refill (container.sources) is a collector repacking what it collected,
// not waste it made.
// A struck refill that let its sources go (HoldsSources) repacked nothing.
bool IsRefill(const v1::Container& c) { return HoldsSources(c); }

// A container whose registration was struck never held anything.
bool IsVoid(const v1::Container& c) {
  return c.stock() == v1::STOCK_STATE_VOID;
}

// A collected container that went into one of the collector's own.
struct Repack {
  const v1::Container* source;
  std::string into;
  absl::Time at;  // when the refill was registered
};

// The 0-based line of `m` that lists `container`, or -1.
int LineListing(const v1::Manifest& m, absl::string_view container) {
  for (int i = 0; i < m.lines_size(); ++i) {
    for (const std::string& c : m.lines(i).containers()) {
      if (c == container) return i;
    }
  }
  return -1;
}

}  // namespace

absl::StatusOr<ReportPeriod> CheckOperatorReport(
    const v1::GetOperatorReportRequest& request, absl::Time now) {
  if (request.operator_().empty()) {
    return absl::InvalidArgumentError(
        "operator is required: the USCC of the licensed receiver reporting");
  }
  const bool daily = !request.day().empty();
  if (daily == (request.year() != 0)) {
    return absl::InvalidArgumentError(
        "give exactly one of day (YYYY-MM-DD, the daily report) and year "
        "(the annual report)");
  }
  const absl::TimeZone cn = ChinaTime();
  const absl::CivilDay today = absl::ToCivilDay(now, cn);
  ReportPeriod p;
  if (daily) {
    absl::CivilDay day;
    if (!absl::ParseCivilTime(request.day(), &day) ||
        absl::FormatCivilTime(day) != request.day()) {
      return absl::InvalidArgumentError(
          absl::StrCat("day ", Quote(request.day()), " is not YYYY-MM-DD"));
    }
    if (day > today || day.year() < 2000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "day ", request.day(), " must be 2000-01-01..",
          absl::FormatCivilTime(today), ": a report is of a day begun"));
    }
    p.start = absl::FromCivil(day, cn);
    p.end = absl::FromCivil(day + 1, cn);
    p.name = request.day();
    return p;
  }
  if (request.year() < 2000 || request.year() > today.year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("year ", request.year(), " must be 2000..", today.year(),
                     ": a report is of a year begun"));
  }
  p.start = absl::FromCivil(absl::CivilYear(request.year()), cn);
  p.end = absl::FromCivil(absl::CivilYear(request.year() + 1), cn);
  p.name = absl::StrCat(request.year());
  p.annual = true;
  return p;
}

absl::Status CheckReportingOperator(const v1::Enterprise& op) {
  if (!HasRole(op, {v1::ROLE_RECEIVER})) {
    return absl::FailedPreconditionError(absl::StrCat(
        "operator ", op.id(),
        " is not registered as a receiver: only licensed operators report"));
  }
  return absl::OkStatus();
}

int64_t LicensedCapacityG(const v1::Enterprise& op, const ReportPeriod& period,
                          absl::Time now) {
  const std::string on = absl::FormatCivilTime(absl::ToCivilDay(
      std::min(period.end - absl::Seconds(1), now), ChinaTime()));
  int64_t grams = 0;
  for (const v1::Licence& l : op.licences()) {
    // YYYY-MM-DD sorts as the date it names.
    if (l.valid_until() >= on) grams += l.capacity_kg() * 1000;
  }
  return grams;
}

std::vector<std::string> RepackSources(const std::vector<v1::Container>& own,
                                       absl::Time end) {
  std::vector<std::string> out;
  for (const v1::Container& c : own) {
    if (!IsRefill(c) || FromTimestamp(c.registered_at()) >= end) continue;
    for (const std::string& s : c.sources()) out.push_back(s);
  }
  return out;
}

bool ReportNeedsHistory(const v1::Manifest& m, absl::string_view op,
                        absl::Time start) {
  for (const v1::Destination* d : ReceivedAt(m, op)) {
    for (int i = 0; i < m.lines_size(); ++i) {
      const int64_t disposed = i < d->disposed_g_size() ? d->disposed_g(i) : 0;
      if (Accepted(*d, i) != disposed) return true;  // still held
    }
    if (FromTimestamp(m.updated_at()) >= start) return true;
  }
  return false;
}

v1::GetOperatorReportResponse ReportOperator(
    absl::string_view op, const ReportPeriod& period,
    const std::vector<OperatorManifest>& manifests,
    const std::vector<v1::Container>& own,
    const std::map<std::string, v1::Container>& sources, int64_t capacity_g,
    absl::Time now) {
  v1::GetOperatorReportResponse out;
  out.set_operator_(std::string(op));
  out.set_period(period.name);
  out.set_as_of(absl::FormatCivilTime(absl::ToCivilDay(now, ChinaTime())));
  if (period.annual) out.set_capacity_g(capacity_g);
  // Stock is judged at the period's end, or now within it.
  const absl::Time judged = std::min(period.end, now);
  const auto in_period = [&](absl::Time t) {
    return t >= period.start && t < period.end;
  };

  std::map<std::string, v1::OperatorReportLine> lines;
  std::map<std::string, std::map<std::string, int64_t>> methods;
  std::map<std::string, std::set<std::string>> received;
  auto line = [&](const std::string& code) -> v1::OperatorReportLine& {
    v1::OperatorReportLine& l = lines[code];
    l.set_code(code);
    return l;
  };
  std::vector<std::string> overdue;

  // What the collector refilled before the period's end, by the manifest
  // that brought each collected container in.
  std::map<std::string, std::vector<Repack>> repacks;
  for (const v1::Container& c : own) {
    const absl::Time at = FromTimestamp(c.registered_at());
    if (!IsRefill(c) || at >= period.end) continue;
    for (const std::string& code : c.sources()) {
      auto it = sources.find(code);
      if (it == sources.end()) continue;
      repacks[it->second.manifest()].push_back({&it->second, c.code(), at});
    }
  }

  for (const OperatorManifest& om : manifests) {
    const v1::Manifest& m = om.manifest;
    for (const v1::Destination* d : ReceivedAt(m, op)) {
      const absl::Time at = FromTimestamp(d->received_at());
      if (at >= period.end) continue;  // nothing of it is in the period yet
      std::vector<int64_t> held(m.lines_size(), 0);
      for (int i = 0; i < m.lines_size(); ++i) {
        const std::string& code = m.lines(i).code();
        const int64_t accepted = Accepted(*d, i);
        held[i] = accepted;
        v1::OperatorReportLine& l = line(code);
        if (at < period.start) {
          l.set_stock_start_g(l.stock_start_g() + accepted);
        } else if (accepted != 0 || Rejected(*d, i) != 0) {
          l.set_accepted_g(l.accepted_g() + accepted);
          l.set_rejected_g(l.rejected_g() + Rejected(*d, i));
          received[code].insert(m.number());
          v1::OperatorReportEntry* e = out.add_entries();
          e->set_kind(v1::OperatorReportEntry::KIND_RECEIPT);
          e->set_manifest(m.number());
          e->set_line(i + 1);
          e->set_code(code);
          e->set_generator(m.generator());
          e->set_grams(accepted);
          e->set_rejected_g(Rejected(*d, i));
          e->set_at(At(at));
        }
        l.set_stock_end_g(l.stock_end_g() + accepted);
      }
      for (const DisposalRecord& r : om.disposals) {
        if (r.line < 1 || r.line > m.lines_size() || r.at >= period.end) {
          continue;
        }
        const std::string& code = m.lines(r.line - 1).code();
        v1::OperatorReportLine& l = line(code);
        held[r.line - 1] -= r.grams;
        l.set_stock_end_g(l.stock_end_g() - r.grams);
        if (r.at < period.start) {
          l.set_stock_start_g(l.stock_start_g() - r.grams);
          continue;
        }
        l.set_treated_g(l.treated_g() + r.grams);
        methods[code][r.method] += r.grams;
        v1::OperatorReportEntry* e = out.add_entries();
        e->set_kind(v1::OperatorReportEntry::KIND_TREATMENT);
        e->set_manifest(m.number());
        e->set_line(r.line);
        e->set_code(code);
        e->set_generator(m.generator());
        e->set_grams(r.grams);
        e->set_method(r.method);
        e->set_at(At(r.at));
      }
      // Collected and refilled: out of stock into the collector's own
      // containers (once, at the destination that collected it).
      auto rp = repacks.find(m.number());
      if (d->collected() && rp != repacks.end()) {
        for (const Repack& r : rp->second) {
          const int i = LineListing(m, r.source->code());
          if (i < 0) continue;
          const std::string& code = m.lines(i).code();
          const int64_t grams = r.source->weight_g();
          v1::OperatorReportLine& l = line(code);
          held[i] -= grams;
          l.set_stock_end_g(l.stock_end_g() - grams);
          if (r.at < period.start) {
            l.set_stock_start_g(l.stock_start_g() - grams);
            continue;
          }
          l.set_repacked_g(l.repacked_g() + grams);
          v1::OperatorReportEntry* e = out.add_entries();
          e->set_kind(v1::OperatorReportEntry::KIND_REPACK);
          e->set_manifest(m.number());
          e->set_line(i + 1);
          e->set_code(code);
          e->set_generator(m.generator());
          e->set_grams(grams);
          e->set_container(r.into);
          e->set_at(At(r.at));
        }
        repacks.erase(rp);
      }
      // Held past the storage limit (a year, as for generators' stock).
      if (HeldPastStorageLimit(at, judged)) {
        int64_t left = 0;
        for (int64_t g : held) left += g;
        if (left > 0) {
          overdue.push_back(absl::StrCat(
              "manifest ", m.number(), ": ", FormatGrams(left), " accepted on ",
              absl::FormatCivilTime(absl::ToCivilDay(at, ChinaTime())),
              " not treated within ", kStorageLimitDays, " days"));
        }
      }
    }
  }

  int64_t secondary = 0;
  for (const v1::Container& c : own) {
    if (IsRefill(c) || IsVoid(c) ||
        !in_period(FromTimestamp(c.registered_at()))) {
      continue;
    }
    const int64_t grams =
        c.label_weight_g() > 0 ? c.label_weight_g() : c.weight_g();
    v1::OperatorReportLine& l = line(c.waste_code());
    l.set_secondary_g(l.secondary_g() + grams);
    secondary += grams;
  }

  int64_t accepted_total = 0;
  for (auto& [code, l] : lines) {
    if (l.stock_start_g() == 0 && l.accepted_g() == 0 && l.rejected_g() == 0 &&
        l.treated_g() == 0 && l.stock_end_g() == 0 && l.secondary_g() == 0 &&
        l.repacked_g() == 0) {
      continue;
    }
    for (const auto& [method, grams] : methods[code]) {
      v1::TreatedByMethod* t = l.add_treated();
      t->set_method(method);
      t->set_grams(grams);
    }
    l.set_manifests(static_cast<int>(received[code].size()));
    accepted_total += l.accepted_g();
    if (l.stock_end_g() < 0) {
      out.add_notes(absl::StrCat(code, ": ", FormatGrams(-l.stock_end_g()),
                                 " more treated or repacked than accepted"));
    }
    *out.add_lines() = std::move(l);
  }
  // In time order (one zone: the text sorts as the time), then by line.
  std::sort(
      out.mutable_entries()->begin(), out.mutable_entries()->end(),
      [](const v1::OperatorReportEntry& a, const v1::OperatorReportEntry& b) {
        return std::forward_as_tuple(a.at(), a.manifest(), a.line(), a.kind()) <
               std::forward_as_tuple(b.at(), b.manifest(), b.line(), b.kind());
      });
  out.set_zero(out.entries_size() == 0 && secondary == 0);
  if (period.annual && capacity_g > 0 && accepted_total > capacity_g) {
    out.add_notes(absl::StrCat("accepted ", FormatGrams(accepted_total), " in ",
                               period.name, ", over the licensed capacity of ",
                               FormatGrams(capacity_g)));
  }
  for (std::string& n : overdue) out.add_notes(std::move(n));
  return out;
}

std::string OperatorReportLinesCsv(const v1::GetOperatorReportResponse& r) {
  std::string out =
      "operator,period,code,stock_start_g,accepted_g,rejected_g,treated_g,"
      "treated_by_method,stock_end_g,manifests,secondary_g,repacked_g\n";
  for (const v1::OperatorReportLine& l : r.lines()) {
    std::string by;
    for (const v1::TreatedByMethod& t : l.treated()) {
      absl::StrAppend(&by, by.empty() ? "" : ";", t.method(), "=", t.grams());
    }
    absl::StrAppend(&out, CsvField(r.operator_()), ",", CsvField(r.period()),
                    ",", CsvField(l.code()), ",", l.stock_start_g(), ",",
                    l.accepted_g(), ",", l.rejected_g(), ",", l.treated_g(),
                    ",", CsvField(by), ",", l.stock_end_g(), ",", l.manifests(),
                    ",", l.secondary_g(), ",", l.repacked_g(), "\n");
  }
  return out;
}

std::string OperatorReportEntriesCsv(const v1::GetOperatorReportResponse& r) {
  std::string out =
      "operator,period,kind,manifest,line,code,generator,grams,rejected_g,"
      "method,at,container\n";
  for (const v1::OperatorReportEntry& e : r.entries()) {
    absl::StrAppend(&out, CsvField(r.operator_()), ",", CsvField(r.period()),
                    ",", EntryKindName(e.kind()), ",", CsvField(e.manifest()),
                    ",", e.line(), ",", CsvField(e.code()), ",",
                    CsvField(e.generator()), ",", e.grams(), ",",
                    e.rejected_g(), ",", CsvField(e.method()), ",",
                    CsvField(e.at()), ",", CsvField(e.container()), "\n");
  }
  return out;
}

}  // namespace cradle::domain
