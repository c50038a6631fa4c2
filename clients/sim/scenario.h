#pragma once

// The simulated province: its enterprises, and what happens to each
// manifest, drawn deterministically from a seed. Pure: no gRPC, no clock.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"

namespace cradle::sim {

struct Enterprise {
  std::string id;
  std::string name;
  std::string division;
  std::string role;  // generator, transporter, receiver, collector
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
  // Collection (docs/COLLECTION.md): per city, a collector licensed like
  // the receivers and three small generators it collects from.
  std::vector<Enterprise> collectors, small;
  std::vector<std::vector<int>> small_by_city;  // indexes into small
};

// Zhejiang's cities and counties from the division table; `generators`
// spread over them, `carriers` with two vehicles each, two licensed
// receivers and one wrongly licensed receiver per city, one receiver in
// Suzhou (Jiangsu); a collector and three small generators per city.
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
  // Labelled drums (docs/CONTAINERS.md):
  kMissingContainer,   // one of three drums not scanned onto the truck
  kExtraContainer,     // a drum of no manifest scanned onto the truck
  kConflictingScan,    // a third carrier scans the drums at the relay
  kUnstoredContainer,  // a drum never booked into storage leaves on it
  // The first leg's track against its declared route (docs/TRACKS.md):
  kRouteDeviation,  // 20 min about 10 km off the route
  kLongStop,        // 75 min standing mid-route
  kTrackGap,        // 20 min without points
  // A collection round (docs/COLLECTION.md) whose collector refills 20%
  // short of what it collected and documents no loss.
  kLossyCollector,
};
const char* ViolationName(Violation v);

struct Plan {
  Violation violation = Violation::kNone;
  int generator = 0, carrier = 0, relay_carrier = -1, receiver = 0;
  int wrong_receiver = -1;
  std::string code;
  int64_t grams = 0;
  bool pay = false;  // record a payment (to the receiver unless kDirectPayment)
  // Three labelled drums listed on the line and scanned at each hand-over.
  bool containers = false;
  int conflicting_carrier = -1;  // kConflictingScan: who scans at the relay
  int drum_ordinal = -1;         // see NumberDrums
  // A declared route for the first leg, and a 2-hour track along it.
  bool track = false;
  // A collection round instead of one manifest: the city's three small
  // generators' drums collected on one trip by its collector, refilled
  // into one bag and shipped on to `receiver` (docs/COLLECTION.md). The
  // expected flags are the onward manifest's; the collected ones must
  // raise none.
  bool collection = false;
  int city = 0;    // the generator's, as an index into World::cities
  int round = -1;  // see NumberDrums
  // The flags this chain must raise and no others.
  std::vector<v1::FlagKind> expected;
};

struct Rates {
  double cross_city = 0.02, cross_province = 0.01, unlicensed = 0.01,
         wrong_receiver = 0.01, weight_gap = 0.01, never_arrives = 0.01,
         never_disposed = 0.01, direct_payment = 0.01, load_mismatch = 0.01,
         missing_container = 0.01, extra_container = 0.01,
         conflicting_scan = 0.01, route_deviation = 0.01, long_stop = 0.01,
         track_gap = 0.01, unstored_container = 0.01, lossy_collector = 0.01;
  // Clean manifests that carry drums, or a track, and clean collection
  // rounds, all the same: what must raise nothing.
  double clean_containers = 0.05, clean_track = 0.05, clean_collection = 0.03;

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

// The first leg's declared route for manifest `index`: 0.3 degrees due
// south (33 km) with a place passed through halfway, somewhere in
// Zhejiang.
std::vector<v1::Position> PlanRoute(int index);

// Two hours of points every 30 s along PlanRoute(index), the last 30 s
// before `end`, with `plan`'s track violation in it.
std::vector<v1::TrackPoint> PlanTrack(const Plan& plan, int index,
                                      absl::Time end);

// Numbers the manifests with drums per generator (Plan::drum_ordinal), and
// the collection rounds per city (Plan::round), in index order, so that
// every drum of a run gets its own code. A city's rounds past 999 (the
// bags a collector labels a day) run as clean single manifests instead.
void NumberDrums(std::vector<Plan>* plans);

// A collection round's weights: each small generator's drum, the bag the
// collector refills them into and the loss it documents (1% residue, or
// none for kLossyCollector, whose bag is 20% short).
struct Collection {
  std::vector<int64_t> drum_g;  // one per small generator of the city
  int64_t bag_g = 0, loss_g = 0;
};
Collection PlanCollection(const Plan& plan);

// The filling date and sequence of drum `k` (0..3) of a generator's
// `ordinal`-th manifest with drums: 999 codes a day, going back a day at a
// time (enough for 89,000 such manifests of one generator).
struct DrumCode {
  int days_back;  // 1..
  int sequence;   // 1..999
};
DrumCode PlanDrum(int ordinal, int k);

}  // namespace cradle::sim
