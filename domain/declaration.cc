#include "domain/declaration.h"

#include <climits>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

#include "base/time.h"
#include "domain/csv.h"
#include "domain/plan.h"
#include "domain/quantity.h"
#include "domain/stock.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

int YearOf(const google::protobuf::Timestamp& t) {
  return static_cast<int>(
      absl::ToCivilDay(FromTimestamp(t), ChinaTime()).year());
}

// The year a container used on site was used in: its standing OWN_USE
// record's.
int UsedIn(const v1::Container& c) {
  int year = INT_MAX;
  for (const v1::StockRecord& r : c.records()) {
    if (r.move() == v1::STOCK_MOVE_OWN_USE && !r.revoked()) {
      year = YearOf(r.at());
    }
  }
  return year;
}

}  // namespace

absl::Status CheckDeclarationYear(int year, absl::Time now) {
  const int this_year =
      static_cast<int>(absl::ToCivilDay(now, ChinaTime()).year());
  if (year < 2000 || year > this_year) {
    return absl::InvalidArgumentError(
        absl::StrCat("year ", year, " must be 2000..", this_year,
                     ": a declaration is of a year begun"));
  }
  return absl::OkStatus();
}

v1::GetDeclarationResponse Declare(absl::string_view generator, int year,
                                   const v1::ManagementPlan* plan,
                                   const std::vector<v1::Manifest>& manifests,
                                   const std::vector<v1::Container>& containers,
                                   absl::Time now) {
  v1::GetDeclarationResponse out;
  out.set_generator(std::string(generator));
  out.set_year(year);
  const absl::CivilDay today = absl::ToCivilDay(now, ChinaTime());
  out.set_as_of(absl::FormatCivilTime(today));
  std::map<std::string, v1::DeclarationLine> lines;
  std::map<std::string, std::map<std::string, v1::DeclaredTransfer>> transfers;
  auto line = [&](const std::string& code) -> v1::DeclarationLine& {
    v1::DeclarationLine& l = lines[code];
    l.set_code(code);
    return l;
  };

  // What left on manifests: each counts in the year it counts against its
  // plan in, once it has taken its load out of stock.
  std::map<std::string, int> left_in;  // manifest -> year
  for (const v1::Manifest& m : manifests) {
    if (m.generator() != generator || !TakenOutOfStock(m.status())) continue;
    const int y = PlanYear(m);
    left_in[m.number()] = y;
    if (y != year) continue;
    for (const auto& [key, grams] : ShipmentsOf(m)) {
      v1::DeclarationLine& l = line(key.first);
      l.set_shipped_g(l.shipped_g() + grams);
      v1::DeclaredTransfer& t = transfers[key.first][key.second];
      t.set_receiver(key.second);
      t.set_shipped_g(t.shipped_g() + grams);
      t.set_manifests(t.manifests() + 1);
    }
  }

  // The stock ledger's containers: filled, used on site, held.
  for (const v1::Container& c : containers) {
    absl::CivilDay filled;
    if (c.stock() == v1::STOCK_STATE_VOID ||
        !absl::ParseCivilTime(c.generation_date(), &filled)) {
      continue;
    }
    const int filled_in = static_cast<int>(filled.year());
    if (filled_in > year) continue;
    int gone_in = INT_MAX;  // the year it left stock
    if (c.stock() == v1::STOCK_STATE_OWN_USE) {
      gone_in = UsedIn(c);
    } else if (auto it = left_in.find(c.manifest()); it != left_in.end()) {
      gone_in = it->second;
    }
    v1::DeclarationLine& l = line(c.waste_code());
    const int64_t w = c.weight_g();
    if (filled_in == year) l.set_labelled_g(l.labelled_g() + w);
    // A collector's refill holds what small generators made (container.h).
    if (filled_in == year && c.sources_size() > 0) {
      l.set_repacked_g(l.repacked_g() + w);
    }
    if (c.stock() == v1::STOCK_STATE_OWN_USE && gone_in == year) {
      l.set_own_use_g(l.own_use_g() + w);
    }
    if (filled_in < year && gone_in >= year) {
      l.set_stock_start_g(l.stock_start_g() + w);
    }
    if (gone_in > year) l.set_stock_end_g(l.stock_end_g() + w);
  }

  if (plan != nullptr) {
    out.set_plan_number(plan->number());
    for (const v1::PlanLine& p : plan->lines()) {
      line(p.code()).set_planned_g(p.expected_g());
      for (const v1::PlannedTransfer& t : p.transfers()) {
        v1::DeclaredTransfer& d = transfers[p.code()][t.receiver()];
        d.set_receiver(t.receiver());
        d.set_planned_g(d.planned_g() + t.quantity_g());
      }
    }
  } else {
    out.add_notes(absl::StrCat("no management plan was filed for ", year,
                               ": the figures are compared with none"));
  }

  for (auto& [code, l] : lines) {
    l.set_generated_g(l.shipped_g() + l.own_use_g() + l.stock_end_g() -
                      l.stock_start_g() - l.repacked_g());
    if (l.generated_g() < 0) {
      out.add_notes(absl::StrCat(
          code, ": the balance does not close: ", FormatGrams(l.shipped_g()),
          " shipped and ", FormatGrams(l.own_use_g()), " used on site, but ",
          FormatGrams(l.stock_start_g() - l.stock_end_g()),
          " fewer held; a shipment's containers are missing from the stock "
          "ledger"));
    }
    if (plan != nullptr && l.planned_g() == 0 && l.generated_g() > 0) {
      out.add_notes(absl::StrCat(code, ": ", FormatGrams(l.generated_g()),
                                 " generated, which plan ", plan->number(),
                                 " has no line for"));
    } else if (plan != nullptr && l.generated_g() > l.planned_g()) {
      out.add_notes(absl::StrCat(code, ": ", FormatGrams(l.generated_g()),
                                 " generated against ",
                                 FormatGrams(l.planned_g()), " planned"));
    }
    for (auto& [receiver, t] : transfers[code]) {
      if (plan != nullptr && t.planned_g() == 0 && t.shipped_g() > 0) {
        out.add_notes(absl::StrCat(code, ": ", FormatGrams(t.shipped_g()),
                                   " shipped to ", receiver, ", which plan ",
                                   plan->number(), " does not plan"));
      } else if (t.shipped_g() > t.planned_g() && t.planned_g() > 0) {
        out.add_notes(absl::StrCat(code, ": ", FormatGrams(t.shipped_g()),
                                   " shipped to ", receiver, " against ",
                                   FormatGrams(t.planned_g()), " planned"));
      }
      *l.add_transfers() = std::move(t);
    }
    *out.add_lines() = std::move(l);
  }
  if (today <= absl::CivilDay(year, 12, 31)) {
    out.add_notes(absl::StrCat("the year is not over: figures as of ",
                               out.as_of(), ", stock held now"));
  }
  return out;
}

std::string DeclarationCsv(const v1::GetDeclarationResponse& d) {
  std::string out =
      "generator,year,plan,row,code,receiver,generated_g,planned_g,shipped_g,"
      "own_use_g,stock_start_g,stock_end_g,labelled_g,manifests,repacked_g\n";
  const std::string head = absl::StrCat(CsvField(d.generator()), ",", d.year(),
                                        ",", CsvField(d.plan_number()), ",");
  for (const v1::DeclarationLine& l : d.lines()) {
    absl::StrAppend(&out, head, "code,", CsvField(l.code()), ",,",
                    l.generated_g(), ",", l.planned_g(), ",", l.shipped_g(),
                    ",", l.own_use_g(), ",", l.stock_start_g(), ",",
                    l.stock_end_g(), ",", l.labelled_g(), ",,", l.repacked_g(),
                    "\n");
    for (const v1::DeclaredTransfer& t : l.transfers()) {
      absl::StrAppend(&out, head, "transfer,", CsvField(l.code()), ",",
                      CsvField(t.receiver()), ",,", t.planned_g(), ",",
                      t.shipped_g(), ",,,,,", t.manifests(), ",\n");
    }
  }
  return out;
}

}  // namespace cradle::domain
