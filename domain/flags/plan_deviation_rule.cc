// PLAN_DEVIATION: what a manifest ships leaves the management plan it names
// (docs/PLANS.md): a waste code or a receiver the plan does not list, or
// more of a code to a receiver than the plan's transfer, counting every
// manifest under the plan. What a manifest ships is counted against its
// plan (plan_applied) so that the next manifest is judged with it, and given
// back when the manifest is cancelled or voided or its shipment changes.

#include <map>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/status_macros.h"
#include "domain/flags/rules.h"
#include "domain/plan.h"

namespace cradle::domain {
namespace {

// Plan number, waste code, receiver.
using CountKey = std::tuple<std::string, std::string, std::string>;
using Counts = std::map<CountKey, int64_t>;

ledger::v1::ManifestEvent Applied(const CountKey& key, int64_t grams) {
  ledger::v1::ManifestEvent e;
  ledger::v1::PlanApplied* a = e.mutable_plan_applied();
  a->set_number(std::get<0>(key));
  a->set_code(std::get<1>(key));
  a->set_receiver(std::get<2>(key));
  a->set_grams(grams);
  return e;
}

// The destination a deviation is raised on: the last that sends to
// `receiver`.
int DestinationOf(const v1::Manifest& m, const std::string& receiver) {
  int at = 0;
  for (int i = 0; i < m.destinations_size(); ++i) {
    if (m.destinations(i).receiver() == receiver) at = i;
  }
  return at;
}

class OffPlan final : public EventRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_PLAN_DEVIATION; }
  bool PerDestination() const override { return true; }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    Counts counted;  // what the manifest counts now
    for (const v1::PlanCount& c : ctx.before.plan_counts()) {
      counted[{c.number(), c.code(), c.receiver()}] += c.grams();
    }
    const std::string& number = ctx.after.dispatch().plan_number();
    PlanShipped shipped;
    if (!number.empty()) shipped = ShipmentsOf(ctx.after);
    Counts target;  // what it should count after the decision
    for (const auto& [key, grams] : shipped) {
      target[{number, key.first, key.second}] = grams;
    }
    if (target == counted) return absl::OkStatus();

    absl::StatusOr<v1::ManagementPlan> plan =
        absl::NotFoundError("no shipment under a plan");
    if (!target.empty()) {
      plan = PlanFor(ctx.facts, "dispatch.plan_number", number,
                     ctx.after.generator(), PlanYear(ctx.after));
      if (!plan.ok() && !absl::IsNotFound(plan.status()) &&
          !absl::IsInvalidArgument(plan.status())) {
        return plan.status();
      }
      // A plan the manifest cannot name (a revision named it): nothing
      // counts against it, and the regulator is told.
      if (!plan.ok()) target.clear();
    }
    // Give back first, then count, so a count never runs through zero.
    std::set<CountKey> keys;
    for (const auto& [key, grams] : counted) keys.insert(key);
    for (const auto& [key, grams] : target) keys.insert(key);
    for (const bool giving_back : {true, false}) {
      for (const CountKey& key : keys) {
        const int64_t delta = target[key] - counted[key];
        if (delta != 0 && (delta < 0) == giving_back) {
          out->push_back(Applied(key, delta));
        }
      }
    }
    if (shipped.empty()) return absl::OkStatus();
    if (!plan.ok()) {
      out->push_back(RaiseFlag(kind(), v1::SEVERITY_MEDIUM, 0,
                               std::string(plan.status().message())));
      return absl::OkStatus();
    }

    PlanShipped others;  // what the plan's other manifests shipped
    for (const auto& [key, grams] : shipped) {
      CRADLE_ASSIGN_OR_RETURN(
          const int64_t all,
          ctx.facts.PlanShippedGrams(number, key.first, key.second));
      others[key] = all - counted[{number, key.first, key.second}];
    }
    std::map<int, std::vector<std::string>> by_destination;
    for (const PlanDeviation& d : CompareWithPlan(*plan, shipped, others)) {
      by_destination[DestinationOf(ctx.after, d.receiver)].push_back(d.detail);
    }
    for (const auto& [destination, details] : by_destination) {
      out->push_back(RaiseFlag(kind(), v1::SEVERITY_MEDIUM, destination,
                               absl::StrJoin(details, "; ")));
    }
    return absl::OkStatus();
  }
};

}  // namespace

const EventRule& PlanDeviationRule() {
  static const OffPlan* rule = new OffPlan;
  return *rule;
}

}  // namespace cradle::domain
