#include "clients/sim/scenario.h"

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "domain/division.h"
#include "domain/uscc.h"

namespace cradle::sim {
namespace {

// Codes every regular receiver takes; the wrongly licensed ones take HW18.
const char* kCodes[] = {"900-249-08", "900-041-49", "336-064-17", "900-252-12"};
const char* kCategories[] = {"HW08", "HW49", "HW17", "HW12"};

std::string Uscc(const std::string& division, int serial) {
  std::string first17 = absl::StrCat("91", division, "MA", 1000000 + serial);
  first17.resize(17, '0');
  return first17 + *domain::UsccCheckCharacter(first17);
}

// A plate of the carrier's city: 浙 + the city's letter + 5 digits.
std::string Plate(int city, int n) {
  static const char* kLetters = "ABCDEFGHJKL";  // 杭甬温嘉湖绍金衢舟台丽
  return absl::StrCat("浙", std::string(1, kLetters[city % 11]),
                      absl::Dec(10000 + n % 90000, absl::kZeroPad5));
}

}  // namespace

const char* ViolationName(Violation v) {
  switch (v) {
    case Violation::kNone:
      return "clean";
    case Violation::kCrossCity:
      return "cross-city with an in-city option";
    case Violation::kCrossProvince:
      return "cross-province, no approval";
    case Violation::kUnlicensed:
      return "unlicensed receiver";
    case Violation::kWrongReceiver:
      return "delivered to the wrong receiver";
    case Violation::kWeightGap:
      return "weight gap";
    case Violation::kNeverArrives:
      return "never arrives";
    case Violation::kNeverDisposed:
      return "accepted, never disposed";
    case Violation::kDirectPayment:
      return "fee paid to the carrier";
    case Violation::kLoadMismatch:
      return "arrives in another form";
    case Violation::kMissingContainer:
      return "a drum not scanned at loading";
    case Violation::kExtraContainer:
      return "a drum of no manifest loaded";
    case Violation::kConflictingScan:
      return "drums scanned by a third carrier at the relay";
    case Violation::kUnstoredContainer:
      return "a drum never booked into storage";
    case Violation::kRouteDeviation:
      return "leaves the route";
    case Violation::kLongStop:
      return "stands 75 min mid-route";
    case Violation::kTrackGap:
      return "20 min without track";
    case Violation::kLossyCollector:
      return "a collector refills 20% short";
  }
  return "?";
}

std::vector<Rates::Of> Rates::Each() {
  return {{&cross_city, Violation::kCrossCity},
          {&cross_province, Violation::kCrossProvince},
          {&unlicensed, Violation::kUnlicensed},
          {&wrong_receiver, Violation::kWrongReceiver},
          {&weight_gap, Violation::kWeightGap},
          {&never_arrives, Violation::kNeverArrives},
          {&never_disposed, Violation::kNeverDisposed},
          {&direct_payment, Violation::kDirectPayment},
          {&load_mismatch, Violation::kLoadMismatch},
          {&missing_container, Violation::kMissingContainer},
          {&extra_container, Violation::kExtraContainer},
          {&conflicting_scan, Violation::kConflictingScan},
          {&route_deviation, Violation::kRouteDeviation},
          {&long_stop, Violation::kLongStop},
          {&track_gap, Violation::kTrackGap},
          {&unstored_container, Violation::kUnstoredContainer},
          {&lossy_collector, Violation::kLossyCollector}};
}

double Rates::Sum() const {
  Rates copy = *this;  // Each() points into it: it must outlive the loop
  double sum = 0;
  for (const Of& r : copy.Each()) sum += *r.rate;
  return sum;
}

int SimulatedCities() {
  std::vector<std::string> cities;
  for (const domain::Division& d :
       domain::DivisionTable::Builtin().WithPrefix("33")) {
    if (d.code[4] == '7') continue;  // development zones, as MakeWorld
    if (cities.empty() || cities.back() != d.city_code) {
      cities.push_back(d.city_code);
    }
  }
  return static_cast<int>(cities.size());
}

absl::Status CheckWorldSize(int generators, int carriers) {
  const int cities = SimulatedCities();
  if (generators < cities) {
    return absl::InvalidArgumentError(
        absl::StrCat("--generators ", generators, " is fewer than the ", cities,
                     " cities of the province: each needs at least one"));
  }
  if (carriers < cities) {
    return absl::InvalidArgumentError(
        absl::StrCat("--carriers ", carriers, " is fewer than the ", cities,
                     " cities of the province: each needs at least one"));
  }
  return absl::OkStatus();
}

World MakeWorld(uint64_t seed, int generators, int carriers) {
  World w;
  std::mt19937_64 rng(seed);
  std::vector<domain::Division> counties =
      domain::DivisionTable::Builtin().WithPrefix("33");
  std::vector<std::vector<domain::Division>> by_city;
  for (const domain::Division& d : counties) {
    if (d.code[4] == '7') continue;  // development zones: no registrations
    if (w.cities.empty() || w.cities.back() != d.city_code) {
      w.cities.push_back(d.city_code);
      by_city.emplace_back();
    }
    by_city.back().push_back(d);
  }
  int serial = 0;
  auto county = [&](size_t city) -> const domain::Division& {
    return by_city[city][rng() % by_city[city].size()];
  };
  for (int i = 0; i < generators; ++i) {
    const size_t city = i % w.cities.size();
    const domain::Division& d = county(city);
    w.generators.push_back({Uscc(d.code, ++serial),
                            absl::StrCat(d.name, "产废企业", i),
                            d.code,
                            "generator",
                            {},
                            {}});
  }
  for (int i = 0; i < carriers; ++i) {
    const size_t city = i % w.cities.size();
    const domain::Division& d = county(city);
    w.carriers.push_back(
        {Uscc(d.code, ++serial),
         absl::StrCat(d.name, "危运公司", i),
         d.code,
         "transporter",
         {},
         {Plate(city, 2 * i), Plate(city, 2 * i + 1)},
         // 18 characters, as an identity card number.
         absl::StrFormat("%s19800101%04d", d.code, 2 * i),
         absl::StrFormat("%s19900101%04d", d.code, 2 * i + 1)});
  }
  w.receivers_by_city.resize(w.cities.size());
  for (size_t city = 0; city < w.cities.size(); ++city) {
    for (int k = 0; k < 2; ++k) {
      const domain::Division& d = county(city);
      w.receivers_by_city[city].push_back(static_cast<int>(w.receivers.size()));
      w.receivers.push_back(
          {Uscc(d.code, ++serial),
           absl::StrCat(d.name, "处置中心", k),
           d.code,
           "receiver",
           {kCategories[0], kCategories[1], kCategories[2], kCategories[3]},
           {}});
    }
    const domain::Division& d = county(city);
    w.unlicensed_by_city.push_back(static_cast<int>(w.receivers.size()));
    w.receivers.push_back({Uscc(d.code, ++serial),
                           absl::StrCat(d.name, "废酸利用厂"),
                           d.code,
                           "receiver",
                           {"HW18"},
                           {}});
  }
  w.out_of_province = static_cast<int>(w.receivers.size());
  w.receivers.push_back(
      {Uscc("320506", ++serial),
       "苏州吴中处置中心",
       "320506",
       "receiver",
       {kCategories[0], kCategories[1], kCategories[2], kCategories[3]},
       {}});
  // Drawn after the rest, so that the enterprises above stay what they were
  // before collection.
  w.small_by_city.resize(w.cities.size());
  for (size_t city = 0; city < w.cities.size(); ++city) {
    const domain::Division& d = county(city);
    w.collectors.push_back(
        {Uscc(d.code, ++serial),
         absl::StrCat(d.name, "危废收集中心"),
         d.code,
         "collector",
         {kCategories[0], kCategories[1], kCategories[2], kCategories[3]},
         {}});
    for (int k = 0; k < 3; ++k) {
      const domain::Division& s = county(city);
      w.small_by_city[city].push_back(static_cast<int>(w.small.size()));
      w.small.push_back({Uscc(s.code, ++serial),
                         absl::StrCat(s.name, "汽修店", k),
                         s.code,
                         "generator",
                         {},
                         {}});
    }
  }
  return w;
}

Plan PlanManifest(const World& w, const Rates& rates, uint64_t seed,
                  int index) {
  std::mt19937_64 rng(seed * 1000003 + static_cast<uint64_t>(index));
  std::uniform_real_distribution<double> u(0, 1);
  Plan p;
  p.generator = static_cast<int>(rng() % w.generators.size());
  const std::string& gen_city = w.generators[p.generator].division.substr(0, 4);
  size_t city = 0;
  while (w.cities[city] != gen_city) ++city;
  p.city = static_cast<int>(city);
  // Carriers of the same city, so that relays stay in the city.
  std::vector<int> local_carriers;
  for (size_t c = 0; c < w.carriers.size(); ++c) {
    if (w.carriers[c].division.substr(0, 4) == gen_city) {
      local_carriers.push_back(static_cast<int>(c));
    }
  }
  p.carrier = local_carriers[rng() % local_carriers.size()];
  if (local_carriers.size() > 1 && u(rng) < 0.2) {
    do {
      p.relay_carrier = local_carriers[rng() % local_carriers.size()];
    } while (p.relay_carrier == p.carrier);
  }
  const std::vector<int>& local = w.receivers_by_city[city];
  p.receiver = local[rng() % local.size()];
  p.code = kCodes[rng() % 4];
  p.grams = 100 * 1000 + static_cast<int64_t>(rng() % 20000) * 1000;
  p.pay = u(rng) < 0.5;

  // One violation at most, drawn against the cumulative rates.
  const double x = u(rng);
  double edge = 0;
  Rates drawn = rates;
  for (const Rates::Of& r : drawn.Each()) {
    edge += *r.rate;
    if (x < edge) {
      p.violation = r.violation;
      break;
    }
  }
  switch (p.violation) {
    case Violation::kNone:
      break;
    case Violation::kCrossCity: {
      const size_t other =
          (city + 1 + rng() % (w.cities.size() - 1)) % w.cities.size();
      const std::vector<int>& far = w.receivers_by_city[other];
      p.receiver = far[rng() % far.size()];
      p.expected = {v1::FLAG_KIND_CROSS_CITY};
      break;
    }
    case Violation::kCrossProvince:
      p.receiver = w.out_of_province;
      p.expected = {v1::FLAG_KIND_CROSS_CITY,
                    v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED};
      break;
    case Violation::kUnlicensed:
      p.receiver = w.unlicensed_by_city[city];
      p.expected = {v1::FLAG_KIND_UNLICENSED_RECEIVER};
      break;
    case Violation::kWrongReceiver:
      p.wrong_receiver = local[0] == p.receiver ? local[1] : local[0];
      p.expected = {v1::FLAG_KIND_WRONG_RECEIVER};
      break;
    case Violation::kWeightGap:
      p.expected = {v1::FLAG_KIND_QUANTITY_DISCREPANCY};
      break;
    case Violation::kNeverArrives:
      p.expected = {v1::FLAG_KIND_TRANSIT_OVERDUE};
      p.pay = false;
      break;
    case Violation::kNeverDisposed:
      p.expected = {v1::FLAG_KIND_MISSING_DISPOSAL};
      break;
    case Violation::kDirectPayment:
      p.pay = true;
      p.expected = {v1::FLAG_KIND_DIRECT_PAYMENT};
      break;
    case Violation::kLoadMismatch:
      p.expected = {v1::FLAG_KIND_LOAD_MISMATCH};
      break;
    case Violation::kConflictingScan:
      // Needs a relay, and a third carrier to scan there.
      if (p.relay_carrier < 0 && local_carriers.size() > 1) {
        p.relay_carrier = local_carriers[0] == p.carrier ? local_carriers[1]
                                                         : local_carriers[0];
      }
      if (p.relay_carrier < 0) {
        p.violation = Violation::kMissingContainer;
      } else {
        for (int c = 0; c < static_cast<int>(w.carriers.size()); ++c) {
          if (c != p.carrier && c != p.relay_carrier) {
            p.conflicting_carrier = c;
            break;
          }
        }
      }
      p.containers = true;
      p.expected = {v1::FLAG_KIND_CONTAINER_MISMATCH};
      break;
    case Violation::kMissingContainer:
    case Violation::kExtraContainer:
      p.containers = true;
      p.expected = {v1::FLAG_KIND_CONTAINER_MISMATCH};
      break;
    case Violation::kUnstoredContainer:
      p.containers = true;
      p.expected = {v1::FLAG_KIND_UNSTORED_CONTAINER};
      break;
    case Violation::kRouteDeviation:
      p.track = true;
      p.expected = {v1::FLAG_KIND_ROUTE_DEVIATION};
      break;
    case Violation::kLongStop:
      p.track = true;
      p.expected = {v1::FLAG_KIND_LONG_STOP};
      break;
    case Violation::kTrackGap:
      p.track = true;
      p.expected = {v1::FLAG_KIND_TRACK_GAP};
      break;
    case Violation::kLossyCollector:
      p.collection = true;
      p.expected = {v1::FLAG_KIND_COLLECTION_SHORTFALL};
      break;
  }
  // Drawn last, so that the draws above stay what they were before drums
  // and tracks.
  const double drums = u(rng), track = u(rng);
  if (p.violation == Violation::kNone) {
    p.containers = drums < rates.clean_containers;
    p.track = track < rates.clean_track;
  }
  const double collect = u(rng);  // after the rest, as the world's
  if (p.violation == Violation::kNone && collect < rates.clean_collection) {
    p.collection = true;
  }
  if (p.collection) {
    // The round's own drums and hand-overs; one carrier, no payment.
    p.containers = p.track = p.pay = false;
    p.relay_carrier = -1;
  }
  return p;
}

std::vector<v1::Position> PlanRoute(int index) {
  const double lat = 30.5 + (index % 600) * 0.001;
  const double lon = 119.8 + ((index / 600) % 800) * 0.001;
  std::vector<v1::Position> route(3);
  for (int i = 0; i < 3; ++i) {
    route[i].set_lat(lat - 0.15 * i);
    route[i].set_lon(lon);
  }
  return route;
}

std::vector<v1::TrackPoint> PlanTrack(const Plan& plan, int index,
                                      absl::Time end) {
  constexpr int kPoints = 240;  // 2 h at one per 30 s
  const std::vector<v1::Position> route = PlanRoute(index);
  const double lat0 = route.front().lat(), lon = route.front().lon();
  const double span = route.front().lat() - route.back().lat();
  std::vector<v1::TrackPoint> out;
  for (int k = 0; k < kPoints; ++k) {
    if (plan.violation == Violation::kTrackGap && k >= 100 && k < 140) {
      continue;  // 20 min and 30 s of silence
    }
    int at = k;  // where along the route the vehicle is
    uint32_t speed = 400;
    if (plan.violation == Violation::kLongStop && k >= 80 && k < 230) {
      at = 80;  // 75 min standing, a third of the way
      speed = 0;
    }
    double east = 0;
    if (plan.violation == Violation::kRouteDeviation && k >= 100 && k < 140) {
      east = 0.1;  // 9.6 km off the route
    }
    v1::TrackPoint p;
    p.set_time(absl::ToUnixSeconds(end - absl::Seconds(30 * (kPoints - k))));
    p.set_lat_e6(static_cast<int32_t>(
        std::llround((lat0 - span * at / (kPoints - 1)) * 1e6)));
    p.set_lon_e6(static_cast<int32_t>(std::llround((lon + east) * 1e6)));
    p.set_speed_dkmh(speed);
    out.push_back(p);
  }
  return out;
}

void NumberDrums(std::vector<Plan>* plans) {
  std::map<int, int> next, rounds;  // by generator, by city
  for (Plan& p : *plans) {
    if (p.containers) p.drum_ordinal = next[p.generator]++;
    if (!p.collection) continue;
    p.round = rounds[p.city]++;
    if (p.round >= 999) {
      p.collection = false;
      p.round = -1;
      p.violation = Violation::kNone;
      p.expected.clear();
    }
  }
}

Collection PlanCollection(const Plan& plan) {
  Collection c;
  int64_t sum = 0;
  for (int k = 0; k < 3; ++k) {
    // 60..199 kg, from the plan's own draw.
    const int64_t kg = 60 + (plan.grams / 1000 + 37 * k) % 140;
    c.drum_g.push_back(kg * 1000);
    sum += kg * 1000;
  }
  if (plan.violation == Violation::kLossyCollector) {
    c.bag_g = sum * 8 / 10;
  } else {
    c.loss_g = sum / 100;
    c.bag_g = sum - c.loss_g;
  }
  return c;
}

DrumCode PlanDrum(int ordinal, int k) {
  const int n = ordinal * 4 + k;
  return {1 + n / 999, n % 999 + 1};
}

}  // namespace cradle::sim
