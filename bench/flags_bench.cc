// The CPU cost of deciding an event and running every flag rule on it, next
// to the decision alone: what flags add to the append path.
//
//   build/bench/flags_bench

#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"

#include "domain/flags/engine.h"
#include "domain/lifecycle.h"
#include "domain/uscc.h"

namespace cradle::domain {
namespace {

std::string Uscc(const std::string& division, const std::string& tail) {
  std::string first17 = "91" + division + "MA" + tail;
  first17.resize(17, '0');
  return first17 + *UsccCheckCharacter(first17);
}

class Facts final : public RegistryReader {
 public:
  Facts() {
    Add(generator, "330402", v1::ROLE_GENERATOR, {});
    Add(carrier, "330421", v1::ROLE_TRANSPORTER, {"浙F12345"});
    Add(receiver, "330481", v1::ROLE_RECEIVER, {});
    Add(hangzhou, "330106", v1::ROLE_RECEIVER, {});
    // Ten more licensed receivers in Jiaxing for the in-city search.
    for (int i = 0; i < 10; ++i) {
      local.push_back(Uscc("330481", "3A" + std::to_string(i)));
      Add(local.back(), "330481", v1::ROLE_RECEIVER, {});
    }
  }
  absl::StatusOr<v1::Enterprise> GetEnterprise(
      absl::string_view field, absl::string_view id) const override {
    auto it = enterprises_.find(std::string(id));
    if (it == enterprises_.end()) return absl::NotFoundError(field);
    return it->second;
  }
  absl::StatusOr<std::vector<v1::Enterprise>> ReceiversInCity(
      absl::string_view) const override {
    std::vector<v1::Enterprise> out;
    for (const std::string& id : local) out.push_back(enterprises_.at(id));
    out.push_back(enterprises_.at(receiver));
    return out;
  }

  std::string generator = Uscc("330402", "2B3C4D5");
  std::string carrier = Uscc("330421", "2G5K6L7");
  std::string receiver = Uscc("330481", "2C7H8J9");
  std::string hangzhou = Uscc("330106", "2D1E2F3");
  std::vector<std::string> local;

 private:
  void Add(const std::string& id, const std::string& division, v1::Role role,
           std::vector<std::string> plates) {
    v1::Enterprise e;
    e.set_id(id);
    e.set_name("x");
    e.set_division(division);
    e.add_roles(role);
    for (const std::string& p : plates) e.add_vehicles()->set_plate(p);
    if (role == v1::ROLE_RECEIVER) {
      v1::Licence* l = e.add_licences();
      l->set_number("L");
      l->add_codes("HW49");
      l->set_capacity_kg(1000);  // full: the in-city search finds none
      l->set_valid_until("2099-12-31");
    }
    enterprises_[id] = e;
  }
  std::map<std::string, v1::Enterprise> enterprises_;
};

v1::OpenManifestRequest OpenRequest(const Facts& f, const std::string& to) {
  v1::OpenManifestRequest r;
  r.mutable_meta()->set_idempotency_key("k");
  r.set_generator(f.generator);
  r.set_carrier(f.carrier);
  r.set_receiver(to);
  v1::WasteLine* line = r.add_lines();
  line->set_code("900-249-08");
  line->set_quantity_g(1000 * 1000);
  return r;
}

const absl::Time kNow = absl::FromUnixSeconds(1795000000);

void BM_OpenDecisionOnly(benchmark::State& state) {
  Facts f;
  const v1::OpenManifestRequest r = OpenRequest(f, f.hangzhou);
  for (auto _ : state) {
    benchmark::DoNotOptimize(DecideOpen(r, f, "20263304000001", kNow));
  }
}
BENCHMARK(BM_OpenDecisionOnly);

// Cross-city open: every event rule runs, CROSS_CITY searches 11 in-city
// receivers, UNLICENSED_RECEIVER checks licences.
void BM_OpenDecisionWithFlags(benchmark::State& state) {
  Facts f;
  const v1::OpenManifestRequest r = OpenRequest(f, f.hangzhou);
  const FlagConfig config;
  for (auto _ : state) {
    absl::StatusOr<Decision> d = DecideOpen(r, f, "20263304000001", kNow);
    benchmark::DoNotOptimize(
        AddEventFlags(v1::Manifest(), f, config, kNow, &*d));
  }
}
BENCHMARK(BM_OpenDecisionWithFlags);

void BM_PickupDecisionWithFlags(benchmark::State& state) {
  Facts f;
  const FlagConfig config;
  absl::StatusOr<Decision> opened =
      DecideOpen(OpenRequest(f, f.receiver), f, "20263304000001", kNow);
  v1::PickupRequest p;
  p.mutable_meta()->set_idempotency_key("p");
  p.set_number("20263304000001");
  p.set_carrier(f.carrier);
  p.set_vehicle("浙F12345");
  for (auto _ : state) {
    absl::StatusOr<Decision> d = DecidePickup(opened->next, p, f, kNow);
    benchmark::DoNotOptimize(AddEventFlags(opened->next, f, config, kNow, &*d));
  }
}
BENCHMARK(BM_PickupDecisionWithFlags);

}  // namespace
}  // namespace cradle::domain
