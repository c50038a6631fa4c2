#include "clients/sim/scenario.h"

#include <map>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/division.h"
#include "domain/uscc.h"

namespace cradle::sim {
namespace {

TEST(ScenarioTest, WorldIsZhejiangWithValidParties) {
  const World w = MakeWorld(1, 200, 30);
  EXPECT_EQ(w.cities.size(), 11u);  // Zhejiang's 11 cities
  std::set<std::string> ids;
  for (const auto* group : {&w.generators, &w.carriers, &w.receivers}) {
    for (const Enterprise& e : *group) {
      EXPECT_TRUE(domain::ValidateUscc("id", e.id).ok()) << e.id;
      EXPECT_TRUE(
          domain::DivisionTable::Builtin().Lookup("division", e.division).ok())
          << e.division;
      ids.insert(e.id);
    }
  }
  EXPECT_EQ(ids.size(), w.generators.size() + w.carriers.size() +
                            w.receivers.size());  // no duplicate ids
  EXPECT_EQ(w.receivers[w.out_of_province].division.substr(0, 2), "32");
}

TEST(ScenarioTest, PlansAreDeterministicPerSeedAndIndex) {
  const World w = MakeWorld(7, 100, 20);
  const Rates rates;
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    const Plan a = PlanManifest(w, rates, 7, i);
    const Plan b = PlanManifest(w, rates, 7, i);
    EXPECT_EQ(a.generator, b.generator);
    EXPECT_EQ(a.receiver, b.receiver);
    EXPECT_EQ(a.grams, b.grams);
    EXPECT_EQ(a.violation, b.violation);
    differ += PlanManifest(w, rates, 8, i).grams != a.grams;
  }
  EXPECT_GT(differ, 150);  // another seed, another run
}

TEST(ScenarioTest, ViolationsComeAtTheirRatesWithTheirExpectedFlags) {
  const World w = MakeWorld(3, 100, 20);
  Rates rates;
  std::map<Violation, int> seen;
  constexpr int kRuns = 20000;
  for (int i = 0; i < kRuns; ++i) {
    const Plan p = PlanManifest(w, rates, 3, i);
    ++seen[p.violation];
    const std::string gen_city =
        w.generators[p.generator].division.substr(0, 4);
    const std::string rec_city = w.receivers[p.receiver].division.substr(0, 4);
    switch (p.violation) {
      case Violation::kNone:
        EXPECT_EQ(rec_city, gen_city);
        EXPECT_TRUE(p.expected.empty());
        break;
      case Violation::kCrossCity:
        EXPECT_NE(rec_city, gen_city);
        EXPECT_THAT(p.expected,
                    ::testing::ElementsAre(v1::FLAG_KIND_CROSS_CITY));
        break;
      case Violation::kCrossProvince:
        EXPECT_EQ(rec_city.substr(0, 2), "32");
        EXPECT_EQ(p.expected.size(), 2u);
        break;
      case Violation::kLoadMismatch:
        EXPECT_EQ(rec_city, gen_city);
        EXPECT_THAT(p.expected,
                    ::testing::ElementsAre(v1::FLAG_KIND_LOAD_MISMATCH));
        break;
      default:
        EXPECT_EQ(p.expected.size(), 1u);
    }
  }
  // 2% cross-city and 1% of each other kind: within 30% of the rate.
  EXPECT_NEAR(seen[Violation::kCrossCity], 0.02 * kRuns, 0.3 * 0.02 * kRuns);
  EXPECT_NEAR(seen[Violation::kNeverDisposed], 0.01 * kRuns,
              0.3 * 0.01 * kRuns);
  EXPECT_NEAR(seen[Violation::kLoadMismatch], 0.01 * kRuns, 0.3 * 0.01 * kRuns);
  EXPECT_DOUBLE_EQ(rates.Sum(), 0.10);
  EXPECT_NEAR(seen[Violation::kNone], (1 - rates.Sum()) * kRuns, 0.05 * kRuns);
}

}  // namespace
}  // namespace cradle::sim
