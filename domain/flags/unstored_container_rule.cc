// UNSTORED_CONTAINER: a manifest takes containers out of stock (its
// pickup) that its generator never booked into a storage facility (HJ
// 1259-2022: every container is recorded into storage before it is
// transferred; docs/STOCK.md). MEDIUM: the waste is accounted for on the
// manifest, but the stock ledger it came from has a gap. Raised once, at
// the decision that takes the load out of stock, naming the containers.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/status_macros.h"
#include "domain/container.h"
#include "domain/flags/rules.h"
#include "domain/stock.h"

namespace cradle::domain {
namespace {

class UnstoredContainer final : public EventRule {
 public:
  v1::FlagKind kind() const override {
    return v1::FLAG_KIND_UNSTORED_CONTAINER;
  }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    CRADLE_ASSIGN_OR_RETURN(std::vector<v1::Container> leaving,
                            ContainersLeavingStock(ctx));
    std::vector<std::string> unstored;
    for (const v1::Container& c : leaving) {
      if (c.stock() != v1::STOCK_STATE_STORED) unstored.push_back(c.code());
    }
    if (unstored.empty()) return absl::OkStatus();
    out->push_back(RaiseFlag(
        kind(), v1::SEVERITY_MEDIUM, 0,
        absl::StrCat(unstored.size(), " of the containers of manifest ",
                     ctx.after.number(),
                     " left without being booked into storage: ",
                     absl::StrJoin(unstored, ", "))));
    return absl::OkStatus();
  }
};

}  // namespace

absl::StatusOr<std::vector<v1::Container>> ContainersLeavingStock(
    const EventContext& ctx) {
  std::vector<v1::Container> out;
  if (TakenOutOfStock(ctx.before.status()) ||
      !TakenOutOfStock(ctx.after.status())) {
    return out;
  }
  for (const std::string& code : ManifestContainers(ctx.after)) {
    absl::StatusOr<v1::Container> c = ctx.facts.GetContainer("code", code);
    if (absl::IsNotFound(c.status())) continue;  // CheckLineContainers'
    if (!c.ok()) return c.status();
    out.push_back(*std::move(c));
  }
  return out;
}

const EventRule& UnstoredContainerRule() {
  static const UnstoredContainer rule;
  return rule;
}

}  // namespace cradle::domain
