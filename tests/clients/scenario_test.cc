#include "clients/sim/scenario.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

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
  for (const auto* group :
       {&w.generators, &w.carriers, &w.receivers, &w.collectors, &w.small}) {
    for (const Enterprise& e : *group) {
      EXPECT_TRUE(domain::ValidateUscc("id", e.id).ok()) << e.id;
      EXPECT_TRUE(
          domain::DivisionTable::Builtin().Lookup("division", e.division).ok())
          << e.division;
      ids.insert(e.id);
    }
  }
  EXPECT_EQ(ids.size(), w.generators.size() + w.carriers.size() +
                            w.receivers.size() + w.collectors.size() +
                            w.small.size());  // no duplicate ids
  // A collector and three small generators in each city.
  ASSERT_EQ(w.collectors.size(), w.cities.size());
  for (size_t city = 0; city < w.cities.size(); ++city) {
    EXPECT_EQ(w.collectors[city].division.substr(0, 4), w.cities[city]);
    ASSERT_EQ(w.small_by_city[city].size(), 3u);
    for (int s : w.small_by_city[city]) {
      EXPECT_EQ(w.small[s].division.substr(0, 4), w.cities[city]);
    }
  }
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
      case Violation::kMissingContainer:
      case Violation::kExtraContainer:
        EXPECT_TRUE(p.containers);
        EXPECT_THAT(p.expected,
                    ::testing::ElementsAre(v1::FLAG_KIND_CONTAINER_MISMATCH));
        break;
      case Violation::kUnstoredContainer:
        EXPECT_TRUE(p.containers);
        EXPECT_THAT(p.expected,
                    ::testing::ElementsAre(v1::FLAG_KIND_UNSTORED_CONTAINER));
        break;
      case Violation::kConflictingScan:
        EXPECT_TRUE(p.containers);
        EXPECT_GE(p.relay_carrier, 0);
        EXPECT_GE(p.conflicting_carrier, 0);
        EXPECT_NE(p.conflicting_carrier, p.carrier);
        EXPECT_NE(p.conflicting_carrier, p.relay_carrier);
        break;
      case Violation::kRouteDeviation:
      case Violation::kLongStop:
      case Violation::kTrackGap:
        EXPECT_TRUE(p.track);
        EXPECT_EQ(p.expected.size(), 1u);
        break;
      case Violation::kLossyCollector:
        EXPECT_TRUE(p.collection);
        EXPECT_FALSE(p.containers || p.track || p.pay);
        EXPECT_EQ(rec_city, gen_city);
        EXPECT_THAT(p.expected,
                    ::testing::ElementsAre(v1::FLAG_KIND_COLLECTION_SHORTFALL));
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
  EXPECT_NEAR(seen[Violation::kLongStop], 0.01 * kRuns, 0.3 * 0.01 * kRuns);
  EXPECT_DOUBLE_EQ(rates.Sum(), 0.18);
  EXPECT_NEAR(seen[Violation::kLossyCollector], 0.01 * kRuns,
              0.3 * 0.01 * kRuns);
  EXPECT_NEAR(seen[Violation::kUnstoredContainer], 0.01 * kRuns,
              0.3 * 0.01 * kRuns);
  EXPECT_NEAR(seen[Violation::kNone], (1 - rates.Sum()) * kRuns, 0.05 * kRuns);
}

// Collection rounds: numbered per city, so that each small generator's drum
// and each collector's bag gets its own code; the lossy collector's bag
// is short by more than the tolerance, a clean one accounts for all of it.
TEST(ScenarioTest, CollectionRoundsAreNumberedPerCityAndWeighed) {
  const World w = MakeWorld(9, 100, 20);
  Rates rates;
  rates.clean_collection = 0.3;
  std::vector<Plan> plans;
  for (int i = 0; i < 3000; ++i) plans.push_back(PlanManifest(w, rates, 9, i));
  NumberDrums(&plans);
  std::set<std::pair<int, int>> rounds;  // city, round
  int clean = 0, lossy = 0;
  for (const Plan& p : plans) {
    if (!p.collection) {
      EXPECT_EQ(p.round, -1);
      continue;
    }
    EXPECT_GE(p.round, 0);
    EXPECT_LT(p.round, 999);
    EXPECT_TRUE(rounds.insert({p.city, p.round}).second);
    const Collection c = PlanCollection(p);
    ASSERT_EQ(c.drum_g.size(), 3u);
    int64_t sum = 0;
    for (int64_t g : c.drum_g) {
      EXPECT_GE(g, 60 * 1000);
      EXPECT_LT(g, 200 * 1000);
      sum += g;
    }
    if (p.violation == Violation::kLossyCollector) {
      ++lossy;
      EXPECT_EQ(c.loss_g, 0);
      EXPECT_GT((sum - c.bag_g) * 100, 5 * sum);  // past the 5% tolerance
    } else {
      ++clean;
      EXPECT_EQ(p.violation, Violation::kNone);
      EXPECT_TRUE(p.expected.empty());
      EXPECT_GT(c.loss_g, 0);
      EXPECT_EQ(c.bag_g + c.loss_g, sum);
    }
  }
  EXPECT_GT(clean, 500);
  EXPECT_GT(lossy, 10);
}

TEST(ScenarioTest, EveryDrumOfARunHasItsOwnCode) {
  const World w = MakeWorld(5, 10, 20);  // few generators: many drums each
  Rates rates;
  rates.clean_containers = 0.5;
  std::vector<Plan> plans;
  for (int i = 0; i < 5000; ++i) plans.push_back(PlanManifest(w, rates, 5, i));
  NumberDrums(&plans);
  std::set<std::tuple<int, int, int>> codes;  // generator, day, sequence
  int drums = 0;
  for (const Plan& p : plans) {
    if (!p.containers) continue;
    for (int k = 0; k < 4; ++k) {
      const DrumCode c = PlanDrum(p.drum_ordinal, k);
      EXPECT_GE(c.sequence, 1);
      EXPECT_LE(c.sequence, 999);
      codes.insert({p.generator, c.days_back, c.sequence});
      ++drums;
    }
  }
  EXPECT_GT(drums, 4 * 2000);
  EXPECT_EQ(codes.size(), static_cast<size_t>(drums));
}

// What the track of each kind holds: the violation, and nothing else.
TEST(ScenarioTest, TracksCarryTheirViolationOnly) {
  const absl::Time end = absl::FromUnixSeconds(1796000000);
  auto track_of = [&](Violation v) {
    Plan p;
    p.violation = v;
    p.track = true;
    return PlanTrack(p, 42, end);
  };
  const std::vector<v1::Position> route = PlanRoute(42);
  ASSERT_EQ(route.size(), 3u);
  const std::vector<v1::TrackPoint> clean = track_of(Violation::kNone);
  ASSERT_EQ(clean.size(), 240u);
  EXPECT_EQ(clean.back().time(), absl::ToUnixSeconds(end) - 30);
  EXPECT_EQ(clean.front().time(), absl::ToUnixSeconds(end) - 7200);
  EXPECT_EQ(clean.front().lat_e6(), std::llround(route.front().lat() * 1e6));
  EXPECT_EQ(clean.back().lat_e6(), std::llround(route.back().lat() * 1e6));
  int64_t longest_gap = 0;
  for (size_t i = 1; i < clean.size(); ++i) {
    longest_gap = std::max(longest_gap, clean[i].time() - clean[i - 1].time());
    EXPECT_GT(clean[i].speed_dkmh(), 0u);
  }
  EXPECT_EQ(longest_gap, 30);

  const std::vector<v1::TrackPoint> gap = track_of(Violation::kTrackGap);
  EXPECT_EQ(gap.size(), 200u);
  const std::vector<v1::TrackPoint> stop = track_of(Violation::kLongStop);
  int standing = 0;
  for (const v1::TrackPoint& p : stop) standing += p.speed_dkmh() == 0;
  EXPECT_EQ(standing, 150);  // 75 min
  const std::vector<v1::TrackPoint> off = track_of(Violation::kRouteDeviation);
  int away = 0;
  for (const v1::TrackPoint& p : off) away += p.lon_e6() != clean[0].lon_e6();
  EXPECT_EQ(away, 40);  // 20 min
}

}  // namespace
}  // namespace cradle::sim
