// stock_bench: a year of a province's stock ledgers (docs/STOCK.md) loaded
// through the real RegistryStore and ManifestStore over RocksDB, then every
// generator's balance reconciled as Containers.GetStock does it.
//
// Each generator fills --containers drums in the year: each is registered
// (the generation record) and booked into storage; one in ten is then used
// on site; the rest leave three at a time on manifests that are picked up
// (and judged by UNSTORED_CONTAINER, reading each drum). Reported, each
// against a reference measured in the same run:
//   - a stock record's write against a registration's (both one append to
//     the container's stream);
//   - the bytes a stock record adds to the ledger against a registration's;
//   - a generator's reconciliation against reading its containers and
//     their manifests alone (what the balance adds to the read);
//   - the decision of a stock record against a registration's, in memory.
//
// Then collectors of small generators (docs/COLLECTION.md): each runs
// --rounds rounds in which three small generators ship a drum each to it,
// it refills the three into a bag of its own and ships the bag on.
// Reported, against the references above:
//   - a refill's write (checking its three sources) against a
//     registration's;
//   - opening and picking up the collector's manifest of one bag (judged by
//     COLLECTION_SHORTFALL, reading the bag's sources) against a
//     generator's manifest of three drums;
//   - each collector's collection balance against reading what it rests on;
//   - a small generator's pickup on its round's vehicle trip (even rounds)
//     against one on no trip (odd rounds), and on a full trip of
//     kMaxManifestsPerTrip loads, the last pickups (each reading the trip's
//     loads before it) against the first.
//
// Then the sweeper: ten days on, the manifests' deadlines (TRANSIT_OVERDUE
// on every load left on the road: the reference); two years on, every
// stored drum's storage deadline (docs/STOCK.md): ended for a drum that
// left, STOCK_OVERDUE for one still held. Reported: a drum's sweep against
// a manifest's, per subject swept.
//
//   build/bench/stock_bench --generators=100 --containers=300 --collectors=10

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

#include "base/clock.h"
#include "base/flags_usage.h"
#include "base/time.h"
#include "bench/harness.h"
#include "bench/party.h"
#include "domain/collection.h"
#include "domain/container.h"
#include "domain/flags/engine.h"
#include "domain/lifecycle.h"
#include "domain/stock.h"
#include "domain/uscc.h"
#include "domain/work_calendar.h"
#include "services/keys.h"
#include "services/manifest_store.h"
#include "services/registry_store.h"
#include "storage/rocksdb_ledger.h"

ABSL_FLAG(int, generators, 100, "generators in the province");
ABSL_FLAG(int, containers, 300, "drums each generator fills in the year");
ABSL_FLAG(int, collectors, 10,
          "collectors, each with three small generators of its own");
ABSL_FLAG(int, rounds, 30, "collection rounds each collector runs");
ABSL_FLAG(std::string, dir, "", "directory (default: a fresh one in /tmp)");

namespace {

using cradle::bench::Party;
using cradle::bench::Uscc;
namespace v1 = cradle::v1;

// Runs an asynchronous store call and waits for its answer.
template <typename T, typename Call>
absl::StatusOr<T> Wait(Call call) {
  absl::Notification done;
  absl::StatusOr<T> out = absl::UnknownError("no answer");
  call([&](absl::StatusOr<T> r) {
    out = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return out;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "stock_bench: %s\n", s.ToString().c_str());
  return 1;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

v1::WriteMeta Meta(const std::string& key) {
  v1::WriteMeta m;
  m.set_idempotency_key(key);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  cradle::ShowOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "A year of stock ledgers loaded and reconciled.\n"
      "  stock_bench --generators=100 --containers=300");
  absl::ParseCommandLine(argc, argv);
  namespace fs = std::filesystem;
  std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty()) {
    dir = (fs::temp_directory_path() / absl::StrCat("cradle-stock-", getpid()))
              .string();
  }
  const int generators = absl::GetFlag(FLAGS_generators);
  const int per = absl::GetFlag(FLAGS_containers);
  const int collectors = absl::GetFlag(FLAGS_collectors);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  if (generators < 1 || per < 3 || per > 999 || collectors < 0 || rounds < 1 ||
      rounds > 999) {
    std::fprintf(stderr,
                 "stock_bench: --generators must be 1 or more, --containers "
                 "3..999, --collectors 0 or more and --rounds 1..999\n");
    return 2;
  }
  // 2026-12-30 09:00 China time: every drum filled this year.
  cradle::FakeClock clock(absl::FromCivil(
      absl::CivilSecond(2026, 12, 30, 9, 0, 0), cradle::domain::ChinaTime()));
  cradle::storage::RocksDbLedger::Options options;
  options.sync = false;
  options.clock = &clock;
  auto ledger = cradle::storage::RocksDbLedger::Open(dir, options);
  if (!ledger.ok()) return Fail(ledger.status());
  cradle::services::RegistryStore registry(**ledger, clock);
  cradle::services::ManifestStore manifests(**ledger, clock);

  // The parties, written straight into the registry state as the Registry
  // service would: generators across the province, one carrier, one
  // licensed receiver.
  std::vector<std::string> gens, colls, smalls;
  const std::string car = Uscc("330421", 0), rec = Uscc("330481", 0);
  {
    cradle::storage::AppendRequest reg;
    reg.stream = "bench/registry";
    reg.entries.push_back({"bench.load", "x", "bench"});
    auto put = [&](const v1::Enterprise& e) {
      reg.mutations.push_back(cradle::storage::Mutation{
          cradle::storage::Table::kState,
          cradle::services::keys::EnterpriseState(e.id()),
          e.SerializeAsString()});
    };
    for (int g = 0; g < generators; ++g) {
      v1::Enterprise e;
      e.set_id(Uscc("330402", g + 1));
      e.set_name("bench");
      e.set_division("330402");
      e.add_roles(v1::ROLE_GENERATOR);
      put(e);
      gens.push_back(e.id());
    }
    // Collectors in the same city, each with three small generators.
    for (int k = 0; k < collectors; ++k) {
      v1::Enterprise e;
      e.set_id(Uscc("330411", k + 1));
      e.set_name("bench collector");
      e.set_division("330411");
      e.add_roles(v1::ROLE_RECEIVER);
      e.add_roles(v1::ROLE_COLLECTOR);
      v1::Licence* l = e.add_licences();
      l->set_number(absl::StrCat("C", k));
      l->add_codes("HW08");
      l->set_capacity_kg(int64_t{1} << 40);
      l->set_valid_until("2099-12-31");
      put(e);
      colls.push_back(e.id());
      for (int j = 0; j < 3; ++j) {
        v1::Enterprise small;
        small.set_id(Uscc("330402", 500000 + k * 3 + j));
        small.set_name("bench small generator");
        small.set_division("330402");
        small.add_roles(v1::ROLE_GENERATOR);
        put(small);
        smalls.push_back(small.id());
      }
    }
    v1::Enterprise c;
    c.set_id(car);
    c.set_division("330421");
    c.add_roles(v1::ROLE_TRANSPORTER);
    c.add_vehicles()->set_plate("浙F12345");
    put(c);
    v1::Enterprise r;
    r.set_id(rec);
    r.set_division("330481");
    r.add_roles(v1::ROLE_RECEIVER);
    v1::Licence* l = r.add_licences();
    l->set_number("L1");
    l->add_codes("HW08");
    l->set_capacity_kg(int64_t{1} << 40);
    l->set_valid_until("2099-12-31");
    put(r);
    if (auto s = (*ledger)->AppendAndWait(std::move(reg)); !s.ok()) {
      return Fail(s.status());
    }
  }

  // Registrations (the reference), then the records.
  absl::Duration registering, recording;
  uint64_t registration_bytes = 0, record_bytes = 0;
  int records = 0;
  std::vector<std::vector<std::string>> codes(gens.size());
  const absl::CivilDay filled(2026, 6, 1);
  for (size_t g = 0; g < gens.size(); ++g) {
    for (int k = 1; k <= per; ++k) {
      v1::RegisterContainerRequest req;
      *req.mutable_meta() = Meta(absl::StrCat("r", g, "-", k));
      const std::string code =
          cradle::domain::FormatContainerCode(gens[g], "900-249-08", filled, k);
      req.mutable_container()->set_code(code);
      req.mutable_container()->set_generator(gens[g]);
      req.mutable_container()->set_weight_g(200000);
      req.mutable_container()->set_packaging("铁桶");
      const absl::Time t = absl::Now();
      auto r = Wait<v1::RegisterContainerResponse>([&](auto done) {
        registry.RegisterContainer(req, Party(gens[g]), done);
      });
      registering += absl::Now() - t;
      if (!r.ok()) return Fail(r.status());
      codes[g].push_back(code);
    }
  }
  const int drums = generators * per;
  for (size_t g = 0; g < gens.size(); ++g) {
    for (int k = 0; k < per; ++k) {
      const std::string& code = codes[g][k];
      std::vector<v1::RecordStockRequest> moves(1);
      moves[0].mutable_record()->set_move(v1::STOCK_MOVE_STORED);
      moves[0].mutable_record()->set_facility("贮存库1");
      if (k % 10 == 9) {
        moves.emplace_back();
        moves[1].mutable_record()->set_move(v1::STOCK_MOVE_OWN_USE);
        moves[1].mutable_record()->set_method("R4");
      }
      for (size_t m = 0; m < moves.size(); ++m) {
        *moves[m].mutable_meta() = Meta(absl::StrCat("s", g, "-", k, "-", m));
        moves[m].mutable_record()->set_code(code);
        const absl::Time t = absl::Now();
        auto r = Wait<v1::RecordStockResponse>([&](auto done) {
          registry.RecordStock(moves[m], Party(gens[g]), done);
        });
        recording += absl::Now() - t;
        if (!r.ok()) return Fail(r.status());
        ++records;
      }
    }
  }
  // The events' bytes, read back off the streams.
  for (size_t g = 0; g < gens.size(); ++g) {
    for (const std::string& code : codes[g]) {
      auto entries = (*ledger)->ReadStream(
          cradle::services::keys::ContainerStream(code), 1, 1000);
      if (!entries.ok()) return Fail(entries.status());
      for (const cradle::storage::Entry& e : *entries) {
        (e.type == "container.registered" ? registration_bytes
                                          : record_bytes) += e.payload.size();
      }
    }
  }

  // Three at a time out on manifests, picked up.
  absl::Duration shipping;
  int shipped_manifests = 0;
  for (size_t g = 0; g < gens.size(); ++g) {
    std::vector<std::string> load;
    for (int k = 0; k < per; ++k) {
      if (k % 10 == 9) continue;
      load.push_back(codes[g][k]);
      if (load.size() < 3) continue;
      v1::OpenManifestRequest open;
      *open.mutable_meta() = Meta(absl::StrCat("o", g, "-", k));
      open.set_generator(gens[g]);
      open.set_carrier(car);
      open.set_receiver(rec);
      v1::WasteLine* line = open.add_lines();
      line->set_code("900-249-08");
      for (const std::string& c : load) line->add_containers(c);
      load.clear();
      const absl::Time t = absl::Now();
      auto opened = Wait<cradle::services::ManifestWritten>(
          [&](auto done) { manifests.Open(open, Party(gens[g]), done); });
      if (!opened.ok()) return Fail(opened.status());
      const std::string n = opened->manifest.number();
      v1::PickupRequest pickup;
      pickup.set_number(n);
      pickup.set_carrier(car);
      pickup.set_vehicle("浙F12345");
      auto picked = Wait<cradle::services::ManifestWritten>([&](auto done) {
        manifests.Write(
            n, Party(car), "pickup", Meta(absl::StrCat(n, "-p")),
            [&](const v1::Manifest& m,
                const cradle::domain::RegistryReader& facts,
                absl::Time now) -> absl::StatusOr<cradle::domain::Decision> {
              return cradle::domain::DecidePickup(m, pickup, facts, now);
            },
            done);
      });
      shipping += absl::Now() - t;
      if (!picked.ok()) return Fail(picked.status());
      for (const v1::Flag& f : picked->manifest.flags()) {
        if (f.kind() == v1::FLAG_KIND_UNSTORED_CONTAINER) {
          return Fail(absl::InternalError(
              absl::StrCat("manifest ", n, " flagged: ", f.detail())));
        }
      }
      ++shipped_manifests;
    }
  }
  std::printf(
      "loaded %d generators x %d drums: %d registrations, %d stock "
      "records, %d manifests picked up\n",
      generators, per, drums, records, shipped_manifests);

  // Reconciled: each generator's containers and manifests read (the
  // reference), then the balance on top of the same read.
  const cradle::services::LedgerRegistryReader& reader = registry.reader();
  absl::Duration reading, reconciling;
  int64_t stock_g = 0, shipped_g = 0, own_g = 0;
  for (const std::string& gen : gens) {
    const absl::Time t0 = absl::Now();
    auto all = reader.ContainersOf(gen);
    if (!all.ok()) return Fail(all.status());
    std::map<std::string, v1::Manifest> listed;
    for (const v1::Container& c : *all) {
      if (c.manifest().empty() || listed.count(c.manifest()) != 0) continue;
      auto m = reader.GetManifest(c.manifest());
      if (!m.ok()) return Fail(m.status());
      listed[c.manifest()] = *std::move(m);
    }
    const absl::Time t1 = absl::Now();
    const v1::GetStockResponse s =
        cradle::domain::StockOf(*all, listed, clock.Now());
    const absl::Time t2 = absl::Now();
    reading += t1 - t0;
    reconciling += t2 - t0;
    if (!s.differences().empty() || !s.overdue().empty()) {
      return Fail(absl::InternalError(absl::StrCat(
          gen, " does not balance: ", s.differences_size(), " differences")));
    }
    for (const v1::StockBalance& b : s.balances()) {
      stock_g += b.stock_g();
      shipped_g += b.shipped_g();
      own_g += b.own_use_g();
    }
  }

  // Collection: per round, three small generators' drums collected on one
  // trip, refilled into one bag, the bag shipped on.
  const absl::CivilDay drum_day(2026, 12, 20), bag_day(2026, 12, 30);
  absl::Duration refilling, onward;
  int refills = 0;
  auto write = [&](const std::string& n, const std::string& by,
                   const std::string& what, auto decide) {
    return Wait<cradle::services::ManifestWritten>([&](auto done) {
      manifests.Write(
          n, Party(by), what, Meta(absl::StrCat(n, "-", what)),
          [&](const v1::Manifest& m,
              const cradle::domain::RegistryReader& facts,
              absl::Time now) -> absl::StatusOr<cradle::domain::Decision> {
            return decide(m, facts, now);
          },
          done);
    });
  };
  // Registers `code` for `unit` (with `sources`, a refill) and books it in.
  auto fill = [&](const std::string& unit, const std::string& code,
                  int64_t grams, const std::vector<std::string>& sources,
                  absl::Duration* timed) -> absl::Status {
    v1::RegisterContainerRequest req;
    *req.mutable_meta() = Meta(absl::StrCat("r-", code));
    req.mutable_container()->set_code(code);
    req.mutable_container()->set_generator(unit);
    req.mutable_container()->set_weight_g(grams);
    req.mutable_container()->set_packaging(sources.empty() ? "铁桶" : "吨袋");
    for (const std::string& src : sources) {
      req.mutable_container()->add_sources(src);
    }
    if (!sources.empty()) {
      req.mutable_container()->set_loss_g(2000);
      req.mutable_container()->set_loss_reason("残留于原包装桶");
    }
    const absl::Time t = absl::Now();
    auto r = Wait<v1::RegisterContainerResponse>(
        [&](auto done) { registry.RegisterContainer(req, Party(unit), done); });
    if (timed != nullptr) *timed += absl::Now() - t;
    if (!r.ok()) return r.status();
    v1::RecordStockRequest store;
    *store.mutable_meta() = Meta(absl::StrCat("s-", code));
    store.mutable_record()->set_code(code);
    store.mutable_record()->set_move(v1::STOCK_MOVE_STORED);
    store.mutable_record()->set_facility("贮存库1");
    auto s = Wait<v1::RecordStockResponse>(
        [&](auto done) { registry.RecordStock(store, Party(unit), done); });
    return s.status();
  };
  // Opens a manifest of `codes` from `from` to `to` and picks it up.
  // On vehicle trip `trip` unless it is empty; the pickup's write timed
  // into `picking` unless it is null. Without `codes`, a line of 50 kg.
  int opens = 0;
  auto ship = [&](const std::string& from, const std::string& to,
                  const std::vector<std::string>& codes, v1::Manifest* out,
                  const std::string& trip = "",
                  absl::Duration* picking = nullptr) -> absl::Status {
    v1::OpenManifestRequest open;
    *open.mutable_meta() = Meta(absl::StrCat("o-", ++opens));
    open.set_generator(from);
    open.set_carrier(car);
    open.set_receiver(to);
    v1::WasteLine* line = open.add_lines();
    line->set_code("900-249-08");
    for (const std::string& c : codes) line->add_containers(c);
    if (codes.empty()) line->set_quantity_g(50000);
    auto opened = Wait<cradle::services::ManifestWritten>(
        [&](auto done) { manifests.Open(open, Party(from), done); });
    if (!opened.ok()) return opened.status();
    v1::PickupRequest pickup;
    pickup.set_number(opened->manifest.number());
    pickup.set_carrier(car);
    pickup.set_vehicle("浙F12345");
    pickup.set_trip(trip);
    const absl::Time t = absl::Now();
    auto picked =
        write(pickup.number(), car, "pickup",
              [&](const v1::Manifest& m, const auto& facts, absl::Time now) {
                return cradle::domain::DecidePickup(m, pickup, facts, now);
              });
    if (picking != nullptr) *picking += absl::Now() - t;
    if (!picked.ok()) return picked.status();
    *out = picked->manifest;
    return absl::OkStatus();
  };
  // A small generator's pickup on its round's trip (even rounds) and one
  // on no trip (odd rounds): what joining a trip of two others costs.
  absl::Duration trip_picking, plain_picking;
  int trip_pickups = 0, plain_pickups = 0;
  for (int k = 0; k < collectors; ++k) {
    const std::string& coll = colls[k];
    for (int round = 1; round <= rounds; ++round) {
      // The vehicle's round: the three loads picked up, then unloaded.
      const bool on_trip = round % 2 == 0;
      const std::string trip =
          on_trip ? absl::StrCat("R", k, "-", round) : std::string();
      std::vector<v1::Manifest> loads;
      for (int j = 0; j < 3; ++j) {
        const std::string& small = smalls[k * 3 + j];
        const std::string code = cradle::domain::FormatContainerCode(
            small, "900-249-08", drum_day, round);
        if (auto s = fill(small, code, 50000, {}, nullptr); !s.ok()) {
          return Fail(s);
        }
        v1::Manifest m;
        if (auto s = ship(small, coll, {code}, &m, trip,
                          on_trip ? &trip_picking : &plain_picking);
            !s.ok()) {
          return Fail(s);
        }
        ++(on_trip ? trip_pickups : plain_pickups);
        loads.push_back(std::move(m));
      }
      std::vector<std::string> drums_in;
      for (const v1::Manifest& m : loads) {
        const std::string code = m.lines(0).containers(0);
        v1::DeliverRequest deliver;
        deliver.set_number(m.number());
        deliver.set_receiver(coll);
        auto delivered = write(
            m.number(), coll, "deliver",
            [&](const v1::Manifest& at, const auto& facts, absl::Time now) {
              return cradle::domain::DecideDeliver(at, deliver, facts, now);
            });
        if (!delivered.ok()) return Fail(delivered.status());
        v1::ReceiveRequest receive;
        receive.set_number(m.number());
        receive.set_receiver(coll);
        v1::LineReceipt* l = receive.add_lines();
        l->set_line(1);
        l->set_decision(v1::LineReceipt::DECISION_ACCEPT);
        l->set_quantity_g(50000);
        auto received = write(
            m.number(), coll, "receive",
            [&](const v1::Manifest& at, const auto& facts, absl::Time now) {
              return cradle::domain::DecideReceive(at, receive, facts, now);
            });
        if (!received.ok()) return Fail(received.status());
        drums_in.push_back(code);
      }
      const std::string bag = cradle::domain::FormatContainerCode(
          coll, "900-249-08", bag_day, round);
      if (auto s = fill(coll, bag, 148000, drums_in, &refilling); !s.ok()) {
        return Fail(s);
      }
      ++refills;
      v1::Manifest m;
      const absl::Time t = absl::Now();
      if (auto s = ship(coll, rec, {bag}, &m); !s.ok()) return Fail(s);
      onward += absl::Now() - t;
      for (const v1::Flag& f : m.flags()) {
        if (f.kind() == v1::FLAG_KIND_COLLECTION_SHORTFALL ||
            f.kind() == v1::FLAG_KIND_UNSTORED_CONTAINER) {
          return Fail(absl::InternalError(
              absl::StrCat("manifest ", m.number(), " flagged: ", f.detail())));
        }
      }
    }
  }
  // Each collector's balance as Containers.GetStock answers it: what it
  // rests on read (the reference), then the balance on top.
  absl::Duration collection_read, collection_balance;
  int64_t collected_g = 0, refilled_g = 0, lost_g = 0, short_g = 0;
  for (const std::string& coll : colls) {
    const absl::Time t0 = absl::Now();
    auto own = reader.ContainersOf(coll);
    if (!own.ok()) return Fail(own.status());
    std::map<std::string, v1::Manifest> shipped;
    for (const v1::Container& c : *own) {
      if (c.manifest().empty() || shipped.count(c.manifest()) != 0) continue;
      auto m = reader.GetManifest(c.manifest());
      if (!m.ok()) return Fail(m.status());
      shipped[c.manifest()] = *std::move(m);
    }
    auto inbound = reader.CollectedBy(coll);
    if (!inbound.ok()) return Fail(inbound.status());
    std::map<std::string, v1::Container> collected;
    for (const v1::Manifest& m : *inbound) {
      for (const std::string& code : cradle::domain::ManifestContainers(m)) {
        auto c = reader.GetContainer("container", code);
        if (!c.ok()) return Fail(c.status());
        collected[code] = *std::move(c);
      }
    }
    const absl::Time t1 = absl::Now();
    const std::vector<v1::CollectionBalance> balance =
        cradle::domain::CollectionOf(coll, "", *inbound, collected, *own,
                                     shipped);
    const absl::Time t2 = absl::Now();
    collection_read += t1 - t0;
    collection_balance += t2 - t0;
    for (const v1::CollectionBalance& b : balance) {
      collected_g += b.collected_g();
      refilled_g += b.refilled_g();
      lost_g += b.lost_g();
      short_g += b.shortfall_g();
      if (b.held_g() != 0 || b.shortfall_g() != 0 ||
          b.collected_g() != b.refilled_g() + b.lost_g()) {
        return Fail(absl::InternalError(
            absl::StrCat(coll, "'s collection does not balance")));
      }
    }
  }

  // A full trip: kMaxManifestsPerTrip loads picked up on one trip, each
  // pickup reading the trip's loads before it. The last ten against the
  // first ten.
  absl::Duration trip_first, trip_last;
  constexpr int kEnds = 10;
  const int full_trip = cradle::domain::kMaxManifestsPerTrip;
  if (collectors > 0) {
    for (int i = 0; i < full_trip; ++i) {
      absl::Duration picking;
      v1::Manifest m;
      if (auto st =
              ship(gens[i % gens.size()], colls[0], {}, &m, "FULL", &picking);
          !st.ok()) {
        return Fail(st);
      }
      if (i < kEnds) trip_first += picking;
      if (i >= full_trip - kEnds) trip_last += picking;
    }
  }

  // The decisions alone, in memory: a stock record's against a
  // registration's, on the same container.
  v1::Enterprise gen_e;
  gen_e.set_id(gens[0]);
  gen_e.set_division("330402");
  gen_e.add_roles(v1::ROLE_GENERATOR);
  v1::RegisterContainerRequest reg_req;
  *reg_req.mutable_meta() = Meta("x");
  reg_req.mutable_container()->set_code(codes[0][0]);
  reg_req.mutable_container()->set_generator(gens[0]);
  reg_req.mutable_container()->set_weight_g(200000);
  reg_req.mutable_container()->set_packaging("铁桶");
  auto registered = cradle::domain::DecideRegisterContainer(
      reg_req, gen_e, nullptr, {}, clock.Now());
  if (!registered.ok()) return Fail(registered.status());
  v1::RecordStockRequest store_req;
  *store_req.mutable_meta() = Meta("y");
  store_req.mutable_record()->set_code(codes[0][0]);
  store_req.mutable_record()->set_move(v1::STOCK_MOVE_STORED);
  store_req.mutable_record()->set_facility("贮存库1");
  constexpr int kDecisions = 20000;
  absl::Time t = absl::Now();
  for (int i = 0; i < kDecisions; ++i) {
    auto d = cradle::domain::DecideRegisterContainer(reg_req, gen_e, nullptr,
                                                     {}, clock.Now());
    if (!d.ok()) return Fail(d.status());
  }
  const absl::Duration decide_registration = absl::Now() - t;
  t = absl::Now();
  for (int i = 0; i < kDecisions; ++i) {
    auto d = cradle::domain::DecideRecordStock(store_req, registered->next,
                                               v1::MANIFEST_STATUS_UNSPECIFIED,
                                               gen_e, clock.Now());
    if (!d.ok()) return Fail(d.status());
  }
  const absl::Duration decide_record = absl::Now() - t;

  // The sweeper, subject by subject: the manifests' transit deadlines,
  // then the drums' storage limits.
  const auto sweep = [&](int* swept) -> absl::StatusOr<absl::Duration> {
    const absl::Time start = absl::Now();
    for (;;) {
      absl::StatusOr<int> n = manifests.SweepDue(1 << 20);
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      *swept += *n;
    }
    return absl::Now() - start;
  };
  clock.Advance(absl::Hours(24 * 10));
  int manifests_swept = 0;
  absl::StatusOr<absl::Duration> manifest_sweep = sweep(&manifests_swept);
  if (!manifest_sweep.ok()) return Fail(manifest_sweep.status());
  // Every drum booked in and not used on site has a deadline running:
  // the generators', the small generators' and the collectors' bags.
  auto due = (*ledger)->ScanIndex(cradle::services::keys::DuePrefix(), "",
                                  size_t{1} << 22);
  if (!due.ok()) return Fail(due.status());
  int deadlines = 0;
  for (const cradle::storage::KeyValue& row : *due) {
    auto parts = cradle::services::keys::ParseDueKey(row.key);
    if (!parts.ok()) return Fail(parts.status());
    deadlines += cradle::domain::IsContainerSubject(parts->number) ? 1 : 0;
  }
  clock.Advance(absl::Hours(24 * 365 * 2));
  int subjects_flagged = 0;
  absl::StatusOr<absl::Duration> drum_sweep = sweep(&subjects_flagged);
  if (!drum_sweep.ok()) return Fail(drum_sweep.status());
  auto overdue = (*ledger)->ScanIndex(
      cradle::services::keys::FlagKindPrefix(v1::FLAG_KIND_STOCK_OVERDUE), "",
      size_t{1} << 22);
  if (!overdue.ok()) return Fail(overdue.status());
  const int drums_flagged = static_cast<int>(overdue->size());

  (*ledger)->Close().IgnoreError();
  const uint64_t disk = DirBytes(dir);
  std::error_code ec;
  if (absl::GetFlag(FLAGS_dir).empty()) fs::remove_all(dir, ec);

  auto us = [](absl::Duration d, int n) {
    return absl::ToDoubleMicroseconds(d) / n;
  };
  std::printf(
      "write:     registration %.1f us, stock record %.1f us per write "
      "(ratio %.2f)\n",
      us(registering, drums), us(recording, records),
      us(recording, records) / us(registering, drums));
  std::printf(
      "bytes:     registration event %.0f B, stock record event %.0f B "
      "(ratio %.2f); on disk %.0f B per drum, all in\n",
      static_cast<double>(registration_bytes) / drums,
      static_cast<double>(record_bytes) / records,
      (static_cast<double>(record_bytes) / records) /
          (static_cast<double>(registration_bytes) / drums),
      static_cast<double>(disk) / drums);
  std::printf("shipping:  open + pickup %.1f us per manifest of 3 drums\n",
              us(shipping, shipped_manifests));
  std::printf(
      "reconcile: %.1f ms for the province (%.2f us per drum); reading "
      "alone %.1f ms (ratio %.2f)\n",
      absl::ToDoubleMilliseconds(reconciling), us(reconciling, drums),
      absl::ToDoubleMilliseconds(reading),
      absl::ToDoubleMilliseconds(reconciling) /
          absl::ToDoubleMilliseconds(reading));
  std::printf(
      "decide:    registration %.2f us, stock record %.2f us (ratio %.2f)\n",
      us(decide_registration, kDecisions), us(decide_record, kDecisions),
      us(decide_record, kDecisions) / us(decide_registration, kDecisions));
  std::printf(
      "sweep:     %d manifests flagged TRANSIT_OVERDUE, %.1f us each; %d "
      "drums' storage deadlines (%d flagged STOCK_OVERDUE), %.1f us each "
      "(ratio %.2f)\n",
      manifests_swept, us(*manifest_sweep, std::max(manifests_swept, 1)),
      deadlines, drums_flagged, us(*drum_sweep, deadlines),
      us(*drum_sweep, deadlines) /
          us(*manifest_sweep, std::max(manifests_swept, 1)));
  std::printf("balance:   %.1f t shipped, %.1f t used on site, %.1f t held\n",
              shipped_g / 1e6, own_g / 1e6, stock_g / 1e6);
  if (collectors > 0) {
    const int onward_manifests = collectors * rounds;
    std::printf(
        "collect:   %d collectors x %d rounds: a refill of 3 drums %.1f us "
        "per write (ratio %.2f to a registration)\n",
        collectors, rounds, us(refilling, refills),
        us(refilling, refills) / us(registering, drums));
    std::printf(
        "onward:    open + pickup %.1f us per manifest of one bag (ratio "
        "%.2f to a generator's of 3 drums)\n",
        us(onward, onward_manifests),
        us(onward, onward_manifests) / us(shipping, shipped_manifests));
    std::printf(
        "trips:     a small generator's pickup %.1f us on a trip (joining "
        "up to 2 loads), %.1f us on none (ratio %.2f); on a full trip of %d, "
        "the last %d pickups %.1f us, the first %d %.1f us (ratio %.2f)\n",
        us(trip_picking, trip_pickups), us(plain_picking, plain_pickups),
        us(trip_picking, trip_pickups) / us(plain_picking, plain_pickups),
        full_trip, kEnds, us(trip_last, kEnds), kEnds, us(trip_first, kEnds),
        us(trip_last, kEnds) / us(trip_first, kEnds));
    std::printf(
        "collected: balance %.2f ms per collector; reading alone %.2f ms "
        "(ratio %.2f); %.0f kg collected, %.0f kg refilled, %.0f kg lost, "
        "%.0f kg short\n",
        absl::ToDoubleMilliseconds(collection_balance) / collectors,
        absl::ToDoubleMilliseconds(collection_read) / collectors,
        absl::ToDoubleMilliseconds(collection_balance) /
            absl::ToDoubleMilliseconds(collection_read),
        collected_g / 1e3, refilled_g / 1e3, lost_g / 1e3, short_g / 1e3);
  }
  return 0;
}
