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
//   build/bench/stock_bench --generators=100 --containers=300

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
#include "bench/party.h"
#include "domain/container.h"
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
ABSL_FLAG(std::string, dir, "", "directory (default: a fresh one in /tmp)");

namespace {

using cradle::bench::Party;
namespace v1 = cradle::v1;

std::string Uscc(const std::string& division, int n) {
  std::string first17 = absl::StrCat("91", division, "MA", 1000000 + n);
  first17.resize(17, '0');
  return first17 + *cradle::domain::UsccCheckCharacter(first17);
}

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
  if (generators < 1 || per < 3 || per > 999) {
    std::fprintf(stderr,
                 "stock_bench: --generators must be 1 or more and "
                 "--containers 3..999\n");
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
  std::vector<std::string> gens;
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
                                               clock.Now());
    if (!d.ok()) return Fail(d.status());
  }
  const absl::Duration decide_record = absl::Now() - t;

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
  std::printf("balance:   %.1f t shipped, %.1f t used on site, %.1f t held\n",
              shipped_g / 1e6, own_g / 1e6, stock_g / 1e6);
  return 0;
}
