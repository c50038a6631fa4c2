// CROSS_CITY: the load leaves the origin city ("危险废物不出市"). MEDIUM; HIGH
// when a licensed receiver in the origin city covers every code and has the
// capacity left this year (先内后外: it should have gone there).

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "domain/decision_checks.h"
#include "domain/division.h"
#include "domain/flags/licence.h"
#include "domain/flags/rules.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

std::string CityName(absl::string_view division) {
  absl::StatusOr<Division> d = DivisionTable::Builtin().Lookup("", division);
  return d.ok() ? absl::StrCat(d->city_name, d->name) : std::string(division);
}

bool TookPart(const v1::Manifest& m, absl::string_view receiver) {
  for (const v1::Destination& d : m.destinations()) {
    if (d.receiver() == receiver) return true;
  }
  return false;
}

class CrossCity final : public EventRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_CROSS_CITY; }
  bool PerDestination() const override { return true; }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    const std::string& origin = ctx.after.origin_division();
    for (int i : NewDestinations(ctx)) {
      const v1::Destination& d = ctx.after.destinations(i);
      if (d.returned_to_generator() || !IsCrossCity(origin, d.division())) {
        continue;
      }
      std::string detail =
          absl::StrCat("from ", CityName(origin), " (", origin, ") to ",
                       CityName(d.division()), " (", d.division(), ")");
      v1::Severity severity = v1::SEVERITY_MEDIUM;
      CRADLE_ASSIGN_OR_RETURN(std::vector<v1::Enterprise> local,
                              ctx.facts.ReceiversInCity(CityUnit(origin)));
      const absl::CivilDay today = absl::ToCivilDay(ctx.now, ChinaTime());
      for (const v1::Enterprise& r : local) {
        if (r.id() == ctx.after.generator() || TookPart(ctx.after, r.id())) {
          continue;  // not an alternative: it is, or already refused, this load
        }
        // A collector forwards what it takes out again (docs/COLLECTION.md):
        // no capacity to treat it in the city.
        if (HasRole(r, {v1::ROLE_COLLECTOR})) continue;
        CRADLE_ASSIGN_OR_RETURN(std::string problem,
                                LicenceProblem(r, CodesSent(ctx.after, d),
                                               GramsSent(d), today, ctx.facts));
        if (problem.empty()) {
          severity = v1::SEVERITY_HIGH;
          absl::StrAppend(&detail, "; in-city receiver ", r.id(), " (",
                          r.name(), ") is licensed for it and has capacity");
          break;
        }
      }
      out->push_back(RaiseFlag(kind(), severity, i, std::move(detail)));
    }
    return absl::OkStatus();
  }
};

}  // namespace

const EventRule& CrossCityRule() {
  static const CrossCity* rule = new CrossCity;
  return *rule;
}

}  // namespace cradle::domain
