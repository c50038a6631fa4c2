// COLLECTION_SHORTFALL: a collector ships containers it filled from
// containers it collected from small generators (docs/COLLECTION.md) that
// weigh less than what went into them, beyond the quantity tolerance and
// what it documented as lost. HIGH: the difference has left the chain
// without a record, the way dumping looks in a mass balance. Raised once,
// at the decision that takes the load out of the collector's stock (its
// pickup), naming each container and the weight unaccounted for.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/status_macros.h"
#include "domain/container.h"
#include "domain/flags/rules.h"
#include "domain/quantity.h"
#include "domain/stock.h"

namespace cradle::domain {
namespace {

class ShortCollection final : public EventRule {
 public:
  v1::FlagKind kind() const override {
    return v1::FLAG_KIND_COLLECTION_SHORTFALL;
  }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    CRADLE_ASSIGN_OR_RETURN(std::vector<v1::Container> leaving,
                            ContainersLeavingStock(ctx));
    std::vector<std::string> short_ones;
    int64_t sources_g = 0, missing_g = 0;
    for (const v1::Container& c : leaving) {
      if (c.sources().empty()) continue;
      std::map<std::string, int64_t> weights;
      int64_t total = 0;
      for (const std::string& s : c.sources()) {
        absl::StatusOr<v1::Container> source =
            ctx.facts.GetContainer("source", s);
        if (absl::IsNotFound(source.status())) continue;
        if (!source.ok()) return source.status();
        weights[s] = source->weight_g();
        total += source->weight_g();
      }
      const int64_t shortfall = CollectionShortfall(c, weights);
      // Within the tolerance a weighing differs by, as QUANTITY_DISCREPANCY.
      if (shortfall * 10000 <= total * ctx.config.quantity_tolerance_bp) {
        continue;
      }
      sources_g += total;
      missing_g += shortfall;
      short_ones.push_back(absl::StrCat(
          c.code(), " (", c.sources_size(), " collected, ", FormatGrams(total),
          "; weighs ", FormatGrams(c.weight_g()), ", ", FormatGrams(c.loss_g()),
          " documented lost: ", FormatGrams(shortfall), " unaccounted for)"));
    }
    if (short_ones.empty()) return absl::OkStatus();
    out->push_back(RaiseFlag(
        kind(), v1::SEVERITY_HIGH, 0,
        absl::StrCat(ctx.after.generator(), " ships ", FormatGrams(missing_g),
                     " less than it collected into the containers of "
                     "manifest ",
                     ctx.after.number(), " (of ", FormatGrams(sources_g),
                     "): ", absl::StrJoin(short_ones, "; "))));
    return absl::OkStatus();
  }
};

}  // namespace

const EventRule& CollectionShortfallRule() {
  static const ShortCollection rule;
  return rule;
}

}  // namespace cradle::domain
