// sweeper_bench: one sweeper pass over a ledger whose due index holds a
// million deadlines still running and a handful that are due, through the
// real ManifestStore::SweepDue. The pass must cost what is due, not what is
// open.
//
//   build/bench/sweeper_bench --open=1000000 --due=100

#include <cstdio>
#include <filesystem>
#include <string>
#include <tuple>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

#include "base/clock.h"
#include "base/flags_usage.h"
#include "bench/party.h"
#include "domain/lifecycle.h"
#include "domain/uscc.h"
#include "services/keys.h"
#include "services/manifest_store.h"
#include "storage/rocksdb_ledger.h"

namespace {

using cradle::bench::Party;

// The acting party, as an authenticated call would give it (in process,
// past the network and its gate).
std::string Uscc(const std::string& division, const std::string& tail) {
  std::string first17 = "91" + division + "MA" + tail;
  first17.resize(17, '0');
  return first17 + *cradle::domain::UsccCheckCharacter(first17);
}

// Runs an asynchronous store call and waits for its answer.
template <typename Call>
absl::StatusOr<cradle::services::ManifestWritten> Wait(Call call) {
  absl::Notification done;
  absl::StatusOr<cradle::services::ManifestWritten> out;
  call([&](absl::StatusOr<cradle::services::ManifestWritten> r) {
    out = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return out;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "sweeper_bench: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

ABSL_FLAG(int, open, 1000000, "deadlines still running (not due)");
ABSL_FLAG(int, due, 100, "deadlines due now");
ABSL_FLAG(std::string, dir, "", "directory (default: a fresh one in /tmp)");

int main(int argc, char** argv) {
  cradle::ShowOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "The deadline sweeper over many running deadlines and a few due "
      "ones.\n  sweeper_bench --open=1000000 --due=100");
  absl::ParseCommandLine(argc, argv);
  namespace fs = std::filesystem;
  std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty()) {
    dir = (fs::temp_directory_path() / absl::StrCat("cradle-sweep-", getpid()))
              .string();
  }
  cradle::FakeClock clock(absl::FromUnixSeconds(1795000000));
  cradle::storage::RocksDbLedger::Options options;
  options.sync = false;  // loading only; the pass itself writes nothing due
  options.clock = &clock;
  auto ledger = cradle::storage::RocksDbLedger::Open(dir, options);
  if (!ledger.ok()) return 1;
  cradle::services::ManifestStore store(**ledger, clock);

  // Deadlines a year from now: the sweeper must not look at them. Written as
  // index keys, 256 per append, in the format ManifestStore uses.
  const absl::Time load_start = absl::Now();
  const int open = absl::GetFlag(FLAGS_open);
  const absl::Time future = clock.Now() + absl::Hours(8760);
  for (int i = 0; i < open;) {
    cradle::storage::AppendRequest r;
    r.stream = "bench/load";
    r.expected_version = *(*ledger)->StreamVersion("bench/load");
    r.entries.push_back({"bench.load", "x", "bench"});
    for (int k = 0; k < 256 && i < open; ++k, ++i) {
      r.mutations.push_back(cradle::storage::Mutation{
          cradle::storage::Table::kIndex,
          cradle::services::keys::DueKey(future, absl::StrFormat("2027%08d", i),
                                         cradle::v1::FLAG_KIND_MISSING_DISPOSAL,
                                         0),
          std::string()});
    }
    if (!(*ledger)->AppendAndWait(std::move(r)).ok()) return 1;
  }
  std::printf("loaded %d running deadlines in %.1f s\n", open,
              absl::ToDoubleSeconds(absl::Now() - load_start));
  // Real manifests that fall due: registered parties (written straight into
  // the registry state, as the Registry service would), opened, picked up,
  // delivered and accepted through ManifestStore, then left undisposed past
  // the disposal limit.
  const int due = absl::GetFlag(FLAGS_due);
  const std::string gen = Uscc("330402", "2B3C4D5"),
                    car = Uscc("330421", "2G5K6L7"),
                    rec = Uscc("330481", "2C7H8J9");
  cradle::storage::AppendRequest reg;
  reg.stream = "bench/registry";
  reg.entries.push_back({"bench.load", "x", "bench"});
  for (auto [id, division, role] :
       {std::tuple{gen, "330402", cradle::v1::ROLE_GENERATOR},
        std::tuple{car, "330421", cradle::v1::ROLE_TRANSPORTER},
        std::tuple{rec, "330481", cradle::v1::ROLE_RECEIVER}}) {
    cradle::v1::Enterprise e;
    e.set_id(id);
    e.set_name("bench");
    e.set_division(division);
    e.add_roles(role);
    if (role == cradle::v1::ROLE_TRANSPORTER)
      e.add_vehicles()->set_plate("浙F12345");
    if (role == cradle::v1::ROLE_RECEIVER) {
      cradle::v1::Licence* l = e.add_licences();
      l->set_number("L1");
      l->add_codes("HW08");
      l->set_capacity_kg(int64_t{1} << 40);
      l->set_valid_until("2099-12-31");
    }
    reg.mutations.push_back(cradle::storage::Mutation{
        cradle::storage::Table::kState,
        cradle::services::keys::EnterpriseState(id), e.SerializeAsString()});
  }
  if (!(*ledger)->AppendAndWait(std::move(reg)).ok()) return 1;
  for (int i = 0; i < due; ++i) {
    cradle::v1::OpenManifestRequest open_req;
    open_req.mutable_meta()->set_idempotency_key(absl::StrCat("open-", i));
    open_req.set_generator(gen);
    open_req.set_carrier(car);
    open_req.set_receiver(rec);
    cradle::v1::WasteLine* line = open_req.add_lines();
    line->set_code("900-249-08");
    line->set_quantity_g(1000000);
    auto opened =
        Wait([&](auto done) { store.Open(open_req, Party(gen), done); });
    if (!opened.ok()) return Fail(opened.status());
    const std::string n = opened->manifest.number();
    cradle::v1::WriteMeta meta;
    cradle::v1::PickupRequest pickup;
    pickup.set_number(n);
    pickup.set_carrier(car);
    pickup.set_vehicle("浙F12345");
    cradle::v1::DeliverRequest deliver;
    deliver.set_number(n);
    deliver.set_receiver(rec);
    cradle::v1::ReceiveRequest receive;
    receive.set_number(n);
    receive.set_receiver(rec);
    cradle::v1::LineReceipt* lr = receive.add_lines();
    lr->set_line(1);
    lr->set_decision(cradle::v1::LineReceipt::DECISION_ACCEPT);
    lr->set_quantity_g(1000000);
    for (int step = 0; step < 3; ++step) {
      meta.set_idempotency_key(absl::StrCat(n, "-", step));
      auto r = Wait([&](auto done) {
        store.Write(
            n, Party(step == 0 ? car : rec), absl::StrCat("step", step), meta,
            [&](const cradle::v1::Manifest& m,
                const cradle::domain::RegistryReader& facts,
                absl::Time now) -> absl::StatusOr<cradle::domain::Decision> {
              if (step == 0)
                return cradle::domain::DecidePickup(m, pickup, facts, now);
              if (step == 1)
                return cradle::domain::DecideDeliver(m, deliver, facts, now);
              return cradle::domain::DecideReceive(m, receive, facts, now);
            },
            done);
      });
      if (!r.ok()) return Fail(r.status());
    }
  }
  clock.Advance(absl::Hours(24 * 31));  // past the 30-day disposal limit

  for (int pass = 0; pass < 2; ++pass) {
    const absl::Time start = absl::Now();
    absl::StatusOr<int> flagged = store.SweepDue(1 << 20);
    const absl::Duration took = absl::Now() - start;
    if (!flagged.ok()) return Fail(flagged.status());
    std::printf(
        "pass %d: %d manifests flagged MISSING_DISPOSAL in %.2f ms "
        "(%d running deadlines in the index)\n",
        pass, *flagged, absl::ToDoubleMilliseconds(took), open);
  }
  ledger->reset();
  fs::remove_all(dir);
  return 0;
}
