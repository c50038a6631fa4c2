#pragma once

// The simulated province: its enterprises, and what happens to each
// manifest, drawn deterministically from a seed. Pure: no gRPC, no clock.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"

#include "cradle/v1/flags.pb.h"

namespace cradle::sim {

struct Enterprise {
  std::string id;
  std::string name;
  std::string division;
  std::string role;  // generator, transporter, receiver
  // Receivers: codes or categories their licence covers.
  std::vector<std::string> licence;
  std::vector<std::string> plates;  // transporters
  // Transporters: the qualification certificates of their driver and
  // escort, registered as their crew.
  std::string driver = {}, escort = {};
};

struct World {
  std::vector<Enterprise> generators, carriers, receivers;
  // Per city (4 digits): indexes into receivers covering the common codes.
  std::vector<std::string> cities;
  std::vector<std::vector<int>> receivers_by_city;
  // Per city: a receiver licensed for something else only.
  std::vector<int> unlicensed_by_city;
  int out_of_province = -1;  // a receiver in Jiangsu
};

// Zhejiang's cities and counties from the division table; `generators`
// spread over them, `carriers` with two vehicles each, two licensed
// receivers and one wrongly licensed receiver per city, one receiver in
// Suzhou (Jiangsu).
World MakeWorld(uint64_t seed, int generators, int carriers);

// The cities of the simulated province (Zhejiang's, in the division table).
int SimulatedCities();

// INVALID_ARGUMENT naming the flag unless the world can be made: every city
// needs a generator and a carrier.
absl::Status CheckWorldSize(int generators, int carriers);

// What is injected into one manifest; kNone is a clean chain.
enum class Violation {
  kNone,
  kCrossCity,      // sent to another city although an in-city site could
  kCrossProvince,  // sent to Jiangsu without an approval
  kUnlicensed,     // receiver not licensed for the code
  kWrongReceiver,  // first scanned at another receiver's gate
  kWeightGap,      // 20% less arrives
  kNeverArrives,   // picked up, never delivered
  kNeverDisposed,  // accepted, never disposed
  kDirectPayment,  // the fee paid to the carrier
  kLoadMismatch,   // arrives semi-solid, declared liquid
};
const char* ViolationName(Violation v);

struct Plan {
  Violation violation = Violation::kNone;
  int generator = 0, carrier = 0, relay_carrier = -1, receiver = 0;
  int wrong_receiver = -1;
  std::string code;
  int64_t grams = 0;
  bool pay = false;  // record a payment (to the receiver unless kDirectPayment)
  // The flags this chain must raise and no others.
  std::vector<v1::FlagKind> expected;
};

struct Rates {
  double cross_city = 0.02, cross_province = 0.01, unlicensed = 0.01,
         wrong_receiver = 0.01, weight_gap = 0.01, never_arrives = 0.01,
         never_disposed = 0.01, direct_payment = 0.01, load_mismatch = 0.01;

  // Each rate with the violation it injects, in the order they are drawn.
  struct Of {
    double* rate;
    Violation violation;
  };
  std::vector<Of> Each();
  // The rates' sum: the share of manifests with a violation.
  double Sum() const;
};

// The plan of manifest `index`: the same for the same seed and index,
// whatever order manifests are run in.
Plan PlanManifest(const World& world, const Rates& rates, uint64_t seed,
                  int index);

}  // namespace cradle::sim
