#include "domain/collection.h"

#include <algorithm>
#include <set>

#include "domain/stock.h"

namespace cradle::domain {

std::vector<v1::CollectionBalance> CollectionOf(
    absl::string_view collector, absl::string_view waste_code,
    const std::vector<v1::Manifest>& inbound,
    const std::map<std::string, v1::Container>& collected,
    const std::vector<v1::Container>& own,
    const std::map<std::string, v1::Manifest>& shipped) {
  std::map<std::string, v1::CollectionBalance> by_code;
  auto balance = [&](const std::string& code) -> v1::CollectionBalance* {
    if (!waste_code.empty() && code != waste_code) return nullptr;
    v1::CollectionBalance& b = by_code[code];
    b.set_waste_code(code);
    return &b;
  };
  for (const v1::Manifest& m : inbound) {
    std::set<std::string> codes;
    for (const v1::Destination& d : m.destinations()) {
      if (d.receiver() != collector || !d.collected()) continue;
      for (int i = 0; i < m.lines_size() && i < d.accepted_g_size(); ++i) {
        if (d.accepted_g(i) <= 0) continue;
        const v1::WasteLine& line = m.lines(i);
        v1::CollectionBalance* b = balance(line.code());
        if (b == nullptr) continue;
        codes.insert(line.code());
        b->set_collected_g(b->collected_g() + d.accepted_g(i));
        for (const std::string& code : line.containers()) {
          b->set_sources(b->sources() + 1);
          auto c = collected.find(code);
          if (c != collected.end() && !c->second.consolidated_into().empty()) {
            b->set_consolidated_g(b->consolidated_g() + c->second.weight_g());
          }
        }
      }
    }
    for (const std::string& code : codes) {
      by_code[code].set_manifests(by_code[code].manifests() + 1);
    }
  }
  for (const v1::Container& c : own) {
    // A struck refill that let its sources go refilled nothing: they are
    // held again (HoldsSources).
    if (!HoldsSources(c)) continue;
    v1::CollectionBalance* b = balance(c.waste_code());
    if (b == nullptr) continue;
    b->set_refilled_g(b->refilled_g() + c.weight_g());
    b->set_lost_g(b->lost_g() + c.loss_g());
    auto m = shipped.find(c.manifest());
    if (!c.manifest().empty() && m != shipped.end() &&
        TakenOutOfStock(m->second.status())) {
      b->set_shipped_g(b->shipped_g() + c.weight_g());
    }
  }
  std::vector<v1::CollectionBalance> out;
  for (auto& [code, b] : by_code) {
    b.set_held_g(std::max<int64_t>(0, b.collected_g() - b.consolidated_g()));
    b.set_shortfall_g(
        std::max<int64_t>(0, b.consolidated_g() - b.refilled_g() - b.lost_g()));
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace cradle::domain
