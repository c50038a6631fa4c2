// cradle-sim: a province in a box. Generates Zhejiang's registry from the
// real division table, drives full manifest lifecycles through the real gRPC
// API from many concurrent clients, injects violations at known rates, and
// reports how many of them Cradle flagged (precision and recall per flag
// kind, and how long each flag took). Deterministic for a seed.
//
//   cradle-sim --seed 1 --manifests 10000
//
// Without --server it starts its own cradled (next to this binary) on a
// temporary ledger, with deadline limits of seconds so that overdue loads are
// flagged during the run. Exits non-zero if any injected violation was missed
// or any clean chain was flagged.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

#include "base/flags_usage.h"
#include "base/latency.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "clients/sim/scenario.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "cradle/v1/container.grpc.pb.h"
#include "cradle/v1/flags.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/container.h"
#include "domain/flags/engine.h"
#include "domain/names.h"
#include "domain/work_calendar.h"
#include "security/attestation.h"
#include "security/ed25519.h"

ABSL_FLAG(uint64_t, seed, 1,
          "Seed: the same seed gives the same province and run");
ABSL_FLAG(int, manifests, 10000, "Manifests to run through their lifecycle");
ABSL_FLAG(int, clients, 16, "Concurrent clients (threads with one channel)");
ABSL_FLAG(int, generators, 2000, "Generating enterprises");
ABSL_FLAG(int, carriers, 200, "Transport firms");
ABSL_FLAG(double, rate_scale, 1.0,
          "Multiplies every violation rate (defaults: 2% cross-city, 1% each "
          "other kind)");
ABSL_FLAG(std::string, server, "",
          "A running cradled (HOST:PORT); default: start one on a temporary "
          "ledger with deadline limits of seconds");
ABSL_FLAG(std::string, admin_token_file, "",
          "With --server: the administrator's token file (the server's "
          "DATA/admin.token); the simulator issues every party a credential");
ABSL_FLAG(std::string, ca, "",
          "With --server: the CA certificate the server's TLS certificate is "
          "signed by; empty: plain TCP (a server started with --insecure)");
ABSL_FLAG(std::string, cradled, "",
          "The cradled binary to start (default: ../services/cradled next to "
          "this one)");
ABSL_FLAG(std::string, deadline_wait, "7s",
          "How long to wait after the run for deadline flags (limits + sweep)");
ABSL_FLAG(std::string, ground_truth, "",
          "Write what was injected, per manifest, to this CSV file");

namespace cradle::sim {
namespace {

using ::cradle::Latencies;

// A cradled child on a temporary ledger.
class Server {
 public:
  ~Server() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  bool Start(const std::string& binary) {
    dir_ = (std::filesystem::temp_directory_path() /
            absl::StrCat("cradle-sim-", getpid()))
               .string();
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      execl(binary.c_str(), binary.c_str(), ("--data=" + dir_).c_str(),
            "--listen=127.0.0.1:0", "--insecure", "--transit_limit=4s",
            "--disposal_limit=4s", "--sweep_interval=500ms",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    // Past the first start's "administrator token written to" line.
    while (line.find("listening on") == std::string::npos) {
      line.clear();
      if (read(fds[0], &c, 1) != 1) break;
      do line.push_back(c);
      while (read(fds[0], &c, 1) == 1 && c != '\n');
    }
    close(fds[0]);
    const size_t at = line.find("127.0.0.1:");
    if (at == std::string::npos) return false;
    address_ = line.substr(at, line.find_first_of(" ,", at) - at);
    return true;
  }
  const std::string& address() const { return address_; }
  const std::string& dir() const { return dir_; }

 private:
  pid_t pid_ = -1;
  std::string dir_, address_;
};

// A credential the simulator acts with, and the key that signs its writes.
struct Identity {
  std::string token;
  std::shared_ptr<const security::Ed25519Key> key;  // carriers and receivers
};
using Identities = std::map<std::string, Identity>;  // by USCC

// One call as `as`, its request signed with its key when it has one.
template <typename Req, typename Reply, typename Call>
bool Rpc(const Identity& as, Call call, Req req, Reply* reply,
         std::string* error) {
  if (as.key != nullptr) {
    absl::Status signed_ok = security::SignRequest(*as.key, &req);
    if (!signed_ok.ok()) {
      *error = std::string(signed_ok.message());
      return false;
    }
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  ctx.AddMetadata("authorization", "Bearer " + as.token);
  grpc::Status s = call(&ctx, req, reply);
  if (!s.ok()) *error = s.error_message();
  return s.ok();
}

struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& ch)
      : registry(v1::Registry::NewStub(ch)),
        manifests(v1::Manifests::NewStub(ch)),
        transfers(v1::Transfers::NewStub(ch)),
        disposals(v1::Disposals::NewStub(ch)),
        containers(v1::Containers::NewStub(ch)),
        flags(v1::Flags::NewStub(ch)),
        credentials(v1::Credentials::NewStub(ch)) {}
  std::unique_ptr<v1::Registry::Stub> registry;
  std::unique_ptr<v1::Manifests::Stub> manifests;
  std::unique_ptr<v1::Transfers::Stub> transfers;
  std::unique_ptr<v1::Disposals::Stub> disposals;
  std::unique_ptr<v1::Containers::Stub> containers;
  std::unique_ptr<v1::Flags::Stub> flags;
  std::unique_ptr<v1::Credentials::Stub> credentials;
};

// A carrier's road transport operating permit and its crew: the driver
// and the escort its legs name. Idempotency keys `key`-1..3.
bool RegisterCrew(const Enterprise& e, Stubs& s, const Identity& admin,
                  const std::string& key, std::string* error) {
  v1::GrantTransportPermitRequest permit;
  permit.mutable_meta()->set_idempotency_key(key + "-1");
  permit.set_carrier(e.id);
  permit.mutable_permit()->set_number(
      absl::StrCat("浙交运管许可", e.division, "号"));
  permit.mutable_permit()->set_valid_until("2099-12-31");
  v1::GrantTransportPermitResponse granted;
  if (!Rpc(
          admin,
          [&](auto* c, const auto& q, auto* o) {
            return s.registry->GrantTransportPermit(c, q, o);
          },
          permit, &granted, error)) {
    return false;
  }
  int k = 1;
  for (const auto& [certificate, role, name] :
       {std::tuple{e.driver, v1::CREW_ROLE_DRIVER, "司机"},
        std::tuple{e.escort, v1::CREW_ROLE_ESCORT, "押运员"}}) {
    v1::RegisterCrewMemberRequest crew;
    crew.mutable_meta()->set_idempotency_key(absl::StrCat(key, "-", ++k));
    crew.set_carrier(e.id);
    crew.mutable_member()->set_certificate(certificate);
    crew.mutable_member()->set_name(name);
    crew.mutable_member()->add_roles(role);
    crew.mutable_member()->set_valid_until("2099-12-31");
    v1::RegisterCrewMemberResponse registered;
    if (!Rpc(
            admin,
            [&](auto* c, const auto& q, auto* o) {
              return s.registry->RegisterCrewMember(c, q, o);
            },
            crew, &registered, error)) {
      return false;
    }
  }
  return true;
}

// The carrier's part of a leg by carrier `e` on manifest `n`.
// The key in Identities of a collector's COLLECTOR credential; its
// RECEIVER credential is under its USCC, as every party's.
std::string CollectorIdentity(const std::string& id) {
  return "collector:" + id;
}

v1::Transport Transport(const Enterprise& e, const std::string& n) {
  v1::Transport t;
  t.set_driver_certificate(e.driver);
  t.set_escort_certificate(e.escort);
  t.set_waybill(absl::StrCat("YD", n));
  t.set_origin(e.division);
  return t;
}

// Registers every enterprise and issues each a credential (with a signing
// key under `key_dir` for carriers and receivers), acting as `admin`.
bool RegisterWorld(const World& w, Stubs& s, uint64_t seed,
                   const Identity& admin, const std::string& key_dir,
                   Identities* ids, std::string* error) {
  int n = 0;
  // The next write's idempotency key, set on `m` when given.
  auto meta = [&](v1::WriteMeta* m) {
    const std::string key = absl::StrCat("sim-", seed, "-registry-", ++n);
    if (m != nullptr) m->set_idempotency_key(key);
    return key;
  };
  for (const auto* group :
       {&w.generators, &w.carriers, &w.receivers, &w.collectors, &w.small}) {
    for (const Enterprise& e : *group) {
      v1::RegisterEnterpriseRequest r;
      meta(r.mutable_meta());
      r.set_id(e.id);
      r.set_name(e.name);
      r.set_division(e.division);
      r.add_roles(e.role == "generator"     ? v1::ROLE_GENERATOR
                  : e.role == "transporter" ? v1::ROLE_TRANSPORTER
                                            : v1::ROLE_RECEIVER);
      // A collector receives (signing with its key) and consigns.
      if (e.role == "collector") r.add_roles(v1::ROLE_COLLECTOR);
      v1::RegisterEnterpriseResponse registered;
      if (!Rpc(
              admin,
              [&](auto* c, const auto& q, auto* o) {
                return s.registry->RegisterEnterprise(c, q, o);
              },
              r, &registered, error)) {
        return false;
      }
      v1::IssueCredentialRequest cred;
      meta(cred.mutable_meta());
      cred.set_kind(v1::CREDENTIAL_KIND_PARTY);
      cred.set_enterprise(e.id);
      cred.set_role(r.roles(0));
      Identity& id = (*ids)[e.id];
      if (r.roles(0) != v1::ROLE_GENERATOR) {
        absl::StatusOr<std::unique_ptr<security::Ed25519Key>> key =
            security::Ed25519Key::LoadOrCreate(
                absl::StrCat(key_dir, "/", e.id, ".pem"));
        if (!key.ok()) {
          *error = std::string(key.status().message());
          return false;
        }
        id.key = *std::move(key);
        cred.set_public_key(id.key->public_key());
      }
      v1::IssueCredentialResponse issued;
      if (!Rpc(
              admin,
              [&](auto* c, const auto& q, auto* o) {
                return s.credentials->Issue(c, q, o);
              },
              cred, &issued, error)) {
        return false;
      }
      id.token = issued.token();
      if (e.role == "collector") {
        v1::IssueCredentialRequest own;
        meta(own.mutable_meta());
        own.set_kind(v1::CREDENTIAL_KIND_PARTY);
        own.set_enterprise(e.id);
        own.set_role(v1::ROLE_COLLECTOR);
        if (!Rpc(
                admin,
                [&](auto* c, const auto& q, auto* o) {
                  return s.credentials->Issue(c, q, o);
                },
                own, &issued, error)) {
          return false;
        }
        (*ids)[CollectorIdentity(e.id)].token = issued.token();
      }
      for (const std::string& plate : e.plates) {
        v1::RegisterVehicleRequest v;
        v1::RegisterVehicleResponse vehicle;
        meta(v.mutable_meta());
        v.set_carrier(e.id);
        v.mutable_vehicle()->set_plate(plate);
        v.mutable_vehicle()->set_permit(absl::StrCat("RTP-", plate.size(), n));
        if (!Rpc(
                admin,
                [&](auto* c, const auto& q, auto* o) {
                  return s.registry->RegisterVehicle(c, q, o);
                },
                v, &vehicle, error)) {
          return false;
        }
      }
      if (!e.driver.empty() &&
          !RegisterCrew(e, s, admin, meta(nullptr), error)) {
        return false;
      }
      if (!e.licence.empty()) {
        v1::GrantLicenceRequest l;
        v1::GrantLicenceResponse licence;
        meta(l.mutable_meta());
        l.set_receiver(e.id);
        l.mutable_licence()->set_number(absl::StrCat("LIC-", e.id));
        for (const std::string& c : e.licence)
          l.mutable_licence()->add_codes(c);
        l.mutable_licence()->set_capacity_kg(int64_t{10} * 1000 * 1000 * 1000);
        l.mutable_licence()->set_valid_until("2099-12-31");
        if (!Rpc(
                admin,
                [&](auto* c, const auto& q, auto* o) {
                  return s.registry->GrantLicence(c, q, o);
                },
                l, &licence, error)) {
          return false;
        }
      }
    }
  }
  return true;
}

// Runs a collection round (docs/COLLECTION.md): each small generator of
// the city books a drum into storage and ships it to the city's collector
// on its own manifest, all picked up on one trip; the collector accepts
// them, refills them into one bag, books it and ships it to the plan's
// receiver, which disposes of it. Returns the onward manifest's number
// (the collected ones in `collected`), or "" with `error` set.
std::string RunCollection(const World& w, const Plan& p, const Identities& ids,
                          Stubs& s, uint64_t seed, int index,
                          std::atomic<int64_t>* events,
                          std::vector<std::string>* collected,
                          std::string* error) {
  int step = 0;
  auto meta = [&](v1::WriteMeta* m) {
    m->set_idempotency_key(absl::StrCat("sim-", seed, "-", index, "-", ++step));
    m->set_device(absl::StrCat("pda-", index % 97));
    events->fetch_add(1);
  };
  const Enterprise& collector = w.collectors[p.city];
  const Identity& consignor = ids.at(CollectorIdentity(collector.id));
  const Enterprise& carrier = w.carriers[p.carrier];
  const Collection plan = PlanCollection(p);
  const absl::CivilDay today =
      absl::ToCivilDay(absl::Now(), domain::ChinaTime());
  auto fail = [&](const std::string& what) {
    *error = absl::StrCat(what, ": ", *error);
    return std::string();
  };
  // `code` registered for `unit` as `as` and booked into storage.
  auto stored = [&](const Identity& as, v1::ContainerLabel label) {
    v1::RegisterContainerRequest reg;
    meta(reg.mutable_meta());
    *reg.mutable_container() = std::move(label);
    v1::RegisterContainerResponse registered;
    if (!Rpc(
            as,
            [&](auto* c, const auto& q, auto* o) {
              return s.containers->Register(c, q, o);
            },
            reg, &registered, error)) {
      return false;
    }
    v1::RecordStockRequest store;
    meta(store.mutable_meta());
    store.mutable_record()->set_code(reg.container().code());
    store.mutable_record()->set_move(v1::STOCK_MOVE_STORED);
    store.mutable_record()->set_facility("贮存库1");
    v1::RecordStockResponse booked;
    return Rpc(
        as,
        [&](auto* c, const auto& q, auto* o) {
          return s.containers->RecordStock(c, q, o);
        },
        store, &booked, error);
  };
  // Opens a manifest of one line of `grams` in `code` from `generator`
  // (acting as `as`) to `receiver`, and picks it up after the carrier
  // scans the container onto its vehicle.
  auto shipped = [&](const Identity& as, const std::string& generator,
                     const std::string& receiver, const std::string& code,
                     int64_t grams, std::string* number,
                     const std::string& trip = "") {
    v1::OpenManifestRequest open;
    meta(open.mutable_meta());
    open.set_generator(generator);
    open.set_carrier(carrier.id);
    open.set_receiver(receiver);
    v1::WasteLine* line = open.add_lines();
    line->set_code(p.code);
    line->set_quantity_g(grams);
    line->set_packaging(receiver == collector.id ? "铁桶" : "吨袋");
    line->set_package_count(1);
    line->set_form(v1::PHYSICAL_FORM_LIQUID);
    line->set_purpose(v1::TRANSFER_PURPOSE_DISPOSE);
    line->add_containers(code);
    open.set_method("D10");
    v1::Dispatch* dispatch = open.mutable_dispatch();
    dispatch->set_contact("环保专员");
    dispatch->set_contact_mobile("13800000000");
    dispatch->set_emergency_phone("0571-12345678");
    v1::OpenManifestResponse opened;
    if (!Rpc(
            as,
            [&](auto* c, const auto& q, auto* o) {
              return s.manifests->Open(c, q, o);
            },
            open, &opened, error)) {
      return false;
    }
    *number = opened.manifest().number();
    v1::ScanRequest scan;
    meta(scan.mutable_meta());
    *scan.mutable_meta()->mutable_device_time() = ToTimestamp(absl::Now());
    scan.set_number(*number);
    scan.set_by(carrier.id);
    scan.set_point(v1::SCAN_POINT_LOAD);
    scan.add_containers(code);
    v1::ScanResponse scanned;
    if (!Rpc(
            ids.at(carrier.id),
            [&](auto* c, const auto& q, auto* o) {
              return s.transfers->Scan(c, q, o);
            },
            scan, &scanned, error)) {
      return false;
    }
    v1::PickupRequest pickup;
    meta(pickup.mutable_meta());
    pickup.set_number(*number);
    pickup.set_carrier(carrier.id);
    pickup.set_vehicle(carrier.plates[0]);
    pickup.set_trip(trip);
    *pickup.mutable_transport() = Transport(carrier, *number);
    v1::PickupResponse picked;
    return Rpc(
        ids.at(carrier.id),
        [&](auto* c, const auto& q, auto* o) {
          return s.transfers->Pickup(c, q, o);
        },
        pickup, &picked, error);
  };
  // `receiver` takes delivery of manifest `number`, scans `code` in and
  // accepts `grams`.
  auto received = [&](const std::string& receiver, const std::string& number,
                      const std::string& code, int64_t grams) {
    const Identity& as = ids.at(receiver);
    v1::DeliverRequest deliver;
    meta(deliver.mutable_meta());
    deliver.set_number(number);
    deliver.set_receiver(receiver);
    v1::DeliverResponse delivered;
    if (!Rpc(
            as,
            [&](auto* c, const auto& q, auto* o) {
              return s.transfers->Deliver(c, q, o);
            },
            deliver, &delivered, error)) {
      return false;
    }
    v1::ScanRequest scan;
    meta(scan.mutable_meta());
    *scan.mutable_meta()->mutable_device_time() = ToTimestamp(absl::Now());
    scan.set_number(number);
    scan.set_by(receiver);
    scan.set_point(v1::SCAN_POINT_ARRIVAL);
    scan.add_containers(code);
    v1::ScanResponse scanned;
    if (!Rpc(
            as,
            [&](auto* c, const auto& q, auto* o) {
              return s.transfers->Scan(c, q, o);
            },
            scan, &scanned, error)) {
      return false;
    }
    v1::ReceiveRequest receive;
    meta(receive.mutable_meta());
    receive.set_number(number);
    receive.set_receiver(receiver);
    v1::LineReceipt* lr = receive.add_lines();
    lr->set_line(1);
    lr->set_decision(v1::LineReceipt::DECISION_ACCEPT);
    lr->set_quantity_g(grams);
    receive.set_received_by("过磅员");
    receive.set_licence(absl::StrCat("LIC-", receiver));
    v1::ReceiveResponse accepted;
    return Rpc(
        as,
        [&](auto* c, const auto& q, auto* o) {
          return s.disposals->Receive(c, q, o);
        },
        receive, &accepted, error);
  };

  // The trip: every small generator's drum loaded, then unloaded at the
  // collector. Its number is the round's, unique to this run (Art. 16: one
  // manifest per small generator, all on one trip).
  const std::string trip = absl::StrCat(absl::Hex(seed), "-", index);
  const std::vector<int>& small = w.small_by_city[p.city];
  std::vector<std::string> drums;
  for (size_t k = 0; k < small.size(); ++k) {
    const Enterprise& gen = w.small[small[k]];
    v1::ContainerLabel drum;
    drum.set_code(
        domain::FormatContainerCode(gen.id, p.code, today - 1, p.round + 1));
    drum.set_generator(gen.id);
    drum.set_weight_g(plan.drum_g[k]);
    drum.set_packaging("铁桶");
    drums.push_back(drum.code());
    if (!stored(ids.at(gen.id), std::move(drum))) {
      return fail(absl::StrCat("drum ", drums.back()));
    }
    std::string n;
    if (!shipped(ids.at(gen.id), gen.id, collector.id, drums.back(),
                 plan.drum_g[k], &n, trip)) {
      return fail(absl::StrCat("collected manifest of ", gen.id, " ", n));
    }
    collected->push_back(n);
  }
  for (size_t k = 0; k < drums.size(); ++k) {
    if (!received(collector.id, (*collected)[k], drums[k], plan.drum_g[k])) {
      return fail(absl::StrCat("collection of ", (*collected)[k]));
    }
  }
  // The refill, and the onward manifest as consignor.
  v1::ContainerLabel bag;
  bag.set_code(
      domain::FormatContainerCode(collector.id, p.code, today, p.round + 1));
  bag.set_generator(collector.id);
  bag.set_weight_g(plan.bag_g);
  bag.set_packaging("吨袋");
  for (const std::string& d : drums) bag.add_sources(d);
  if (plan.loss_g > 0) {
    bag.set_loss_g(plan.loss_g);
    bag.set_loss_reason("残留于原包装桶");
  }
  const std::string code = bag.code();
  if (!stored(consignor, std::move(bag))) {
    return fail(absl::StrCat("bag ", code));
  }
  const std::string& receiver = w.receivers[p.receiver].id;
  std::string n;
  if (!shipped(consignor, collector.id, receiver, code, plan.bag_g, &n)) {
    return fail(absl::StrCat("onward manifest ", n));
  }
  if (!received(receiver, n, code, plan.bag_g)) {
    return fail(absl::StrCat(n, " receipt"));
  }
  v1::DisposeRequest dispose;
  meta(dispose.mutable_meta());
  dispose.set_number(n);
  dispose.set_receiver(receiver);
  v1::LineDisposal* ld = dispose.add_lines();
  ld->set_line(1);
  ld->set_method("D10");
  ld->set_quantity_g(plan.bag_g);
  dispose.set_outcome("焚烧处置");
  v1::DisposeResponse disposed;
  if (!Rpc(
          ids.at(receiver),
          [&](auto* c, const auto& q, auto* o) {
            return s.disposals->Dispose(c, q, o);
          },
          dispose, &disposed, error)) {
    return fail(absl::StrCat(n, " dispose"));
  }
  return n;
}

// Runs one manifest's plan; returns its number, or "" with `error` set.
std::string RunPlan(const World& w, const Plan& p, const Identities& ids,
                    Stubs& s, uint64_t seed, int index,
                    std::atomic<int64_t>* events,
                    std::vector<std::string>* collected, std::string* error) {
  if (p.collection) {
    return RunCollection(w, p, ids, s, seed, index, events, collected, error);
  }
  int step = 0;
  auto meta = [&](v1::WriteMeta* m) {
    m->set_idempotency_key(absl::StrCat("sim-", seed, "-", index, "-", ++step));
    m->set_device(absl::StrCat("pda-", index % 97));
    events->fetch_add(1);
  };
  // What each step answered; only the open's is read.
  struct Replies {
    v1::OpenManifestResponse open;
    v1::PickupResponse pickup;
    v1::RelayResponse relay;
    v1::DeliverResponse deliver;
    v1::ReceiveResponse receive;
    v1::DisposeResponse dispose;
    v1::RecordPaymentResponse pay;
  } r;
  // Drums: three listed (their weights sum to the line's), a fourth of no
  // manifest for kExtraContainer.
  std::vector<std::string> drums;
  if (p.containers) {
    const std::string& gen = w.generators[p.generator].id;
    const absl::CivilDay today =
        absl::ToCivilDay(absl::Now(), domain::ChinaTime());
    const int count = p.violation == Violation::kExtraContainer ? 4 : 3;
    for (int k = 0; k < count; ++k) {
      const DrumCode c = PlanDrum(p.drum_ordinal, k);
      v1::RegisterContainerRequest reg;
      meta(reg.mutable_meta());
      v1::ContainerLabel* label = reg.mutable_container();
      label->set_code(domain::FormatContainerCode(
          gen, p.code, today - c.days_back, c.sequence));
      label->set_generator(gen);
      label->set_weight_g(k < 2 ? p.grams / 3 : p.grams - 2 * (p.grams / 3));
      if (k == 3) label->set_weight_g(200 * 1000);
      label->set_packaging("铁桶");
      v1::RegisterContainerResponse registered;
      if (!Rpc(
              ids.at(gen),
              [&](auto* c, const auto& q, auto* o) {
                return s.containers->Register(c, q, o);
              },
              reg, &registered, error)) {
        *error = absl::StrCat("drum ", label->code(), ": ", *error);
        return "";
      }
      // Booked into storage before it leaves (HJ 1259), as a clean
      // generator does; kUnstoredContainer leaves the second unbooked.
      drums.push_back(label->code());
      if (p.violation == Violation::kUnstoredContainer && k == 1) continue;
      v1::RecordStockRequest store;
      meta(store.mutable_meta());
      store.mutable_record()->set_code(label->code());
      store.mutable_record()->set_move(v1::STOCK_MOVE_STORED);
      store.mutable_record()->set_facility("贮存库1");
      v1::RecordStockResponse stored;
      if (!Rpc(
              ids.at(gen),
              [&](auto* c, const auto& q, auto* o) {
                return s.containers->RecordStock(c, q, o);
              },
              store, &stored, error)) {
        *error =
            absl::StrCat("drum ", label->code(), " into storage: ", *error);
        return "";
      }
    }
  }
  v1::OpenManifestRequest open;
  meta(open.mutable_meta());
  open.set_generator(w.generators[p.generator].id);
  open.set_carrier(w.carriers[p.carrier].id);
  open.set_receiver(w.receivers[p.receiver].id);
  v1::WasteLine* line = open.add_lines();
  line->set_code(p.code);
  line->set_quantity_g(p.grams);
  line->set_packaging("铁桶");
  line->set_package_count(static_cast<int>(p.grams / 200000) + 1);
  line->set_form(v1::PHYSICAL_FORM_LIQUID);
  line->set_purpose(v1::TRANSFER_PURPOSE_DISPOSE);
  for (size_t k = 0; k < drums.size() && k < 3; ++k) {
    line->add_containers(drums[k]);
  }
  open.set_method("D10");
  v1::Dispatch* dispatch = open.mutable_dispatch();
  dispatch->set_contact("环保专员");
  dispatch->set_contact_mobile("13800000000");
  dispatch->set_emergency_phone("0571-12345678");
  if (!Rpc(
          ids.at(open.generator()),
          [&](auto* c, const auto& q, auto* o) {
            return s.manifests->Open(c, q, o);
          },
          open, &r.open, error)) {
    return "";
  }
  const std::string n = r.open.manifest().number();
  auto fail = [&](const char* what) {
    *error = absl::StrCat(n, " ", what, ": ", *error);
    return std::string();
  };
  // A scan of `codes` at `point` by `by`, on its device now.
  auto scan = [&](const std::string& by, v1::ScanPoint point,
                  std::vector<std::string> codes) {
    v1::ScanRequest req;
    meta(req.mutable_meta());
    *req.mutable_meta()->mutable_device_time() = ToTimestamp(absl::Now());
    req.set_number(n);
    req.set_by(by);
    req.set_point(point);
    for (const std::string& c : codes) req.add_containers(c);
    v1::ScanResponse reply;
    return Rpc(
        ids.at(by),
        [&](auto* c, const auto& q, auto* o) {
          return s.transfers->Scan(c, q, o);
        },
        req, &reply, error);
  };
  const std::vector<std::string> listed(
      drums.begin(), drums.begin() + std::min<size_t>(drums.size(), 3));
  if (p.containers) {
    std::vector<std::string> loaded = listed;
    if (p.violation == Violation::kMissingContainer) loaded.pop_back();
    if (p.violation == Violation::kExtraContainer) loaded.push_back(drums[3]);
    if (!scan(w.carriers[p.carrier].id, v1::SCAN_POINT_LOAD, loaded)) {
      return fail("load scan");
    }
  }
  v1::PickupRequest pickup;
  meta(pickup.mutable_meta());
  pickup.set_number(n);
  pickup.set_carrier(w.carriers[p.carrier].id);
  pickup.set_vehicle(w.carriers[p.carrier].plates[0]);
  *pickup.mutable_transport() = Transport(w.carriers[p.carrier], n);
  if (p.track) {
    for (const v1::Position& pos : PlanRoute(index)) {
      *pickup.mutable_transport()->add_route() = pos;
    }
  }
  if (!Rpc(
          ids.at(pickup.carrier()),
          [&](auto* c, const auto& q, auto* o) {
            return s.transfers->Pickup(c, q, o);
          },
          pickup, &r.pickup, error)) {
    return fail("pickup");
  }
  if (p.track) {
    // Two hours up to now, as the fleet platform relays them: two chained
    // batches.
    const std::vector<v1::TrackPoint> points = PlanTrack(p, index, absl::Now());
    std::string digest;
    for (size_t from = 0; from < points.size(); from += 120) {
      v1::RecordTrackRequest batch;
      meta(batch.mutable_meta());
      batch.set_number(n);
      batch.set_carrier(pickup.carrier());
      batch.set_leg(1);
      batch.set_previous_digest(digest);
      for (size_t k = from; k < std::min(points.size(), from + 120); ++k) {
        *batch.add_points() = points[k];
      }
      v1::RecordTrackResponse recorded;
      if (!Rpc(
              ids.at(batch.carrier()),
              [&](auto* c, const auto& q, auto* o) {
                return s.transfers->RecordTrack(c, q, o);
              },
              batch, &recorded, error)) {
        return fail("track");
      }
      digest = recorded.digest();
    }
  }
  if (p.relay_carrier >= 0) {
    v1::RelayRequest relay;
    meta(relay.mutable_meta());
    relay.set_number(n);
    relay.set_from_carrier(w.carriers[p.carrier].id);
    relay.set_to_carrier(w.carriers[p.relay_carrier].id);
    relay.set_vehicle(w.carriers[p.relay_carrier].plates[1]);
    *relay.mutable_transport() = Transport(w.carriers[p.relay_carrier], n);
    if (p.containers) {
      if (p.conflicting_carrier >= 0 &&
          !scan(w.carriers[p.conflicting_carrier].id, v1::SCAN_POINT_RELAY,
                listed)) {
        return fail("conflicting relay scan");
      }
      if (!scan(relay.to_carrier(), v1::SCAN_POINT_RELAY, listed)) {
        return fail("relay scan");
      }
    }
    if (!Rpc(
            ids.at(relay.from_carrier()),
            [&](auto* c, const auto& q, auto* o) {
              return s.transfers->Relay(c, q, o);
            },
            relay, &r.relay, error)) {
      return fail("relay");
    }
  }
  if (p.violation == Violation::kNeverArrives) return n;
  v1::DeliverRequest deliver;
  if (p.wrong_receiver >= 0) {
    meta(deliver.mutable_meta());
    deliver.set_number(n);
    deliver.set_receiver(w.receivers[p.wrong_receiver].id);
    if (!Rpc(
            ids.at(deliver.receiver()),
            [&](auto* c, const auto& q, auto* o) {
              return s.transfers->Deliver(c, q, o);
            },
            deliver, &r.deliver, error)) {
      return fail("wrong delivery");
    }
  }
  meta(deliver.mutable_meta());
  deliver.set_number(n);
  deliver.set_receiver(w.receivers[p.receiver].id);
  if (!Rpc(
          ids.at(deliver.receiver()),
          [&](auto* c, const auto& q, auto* o) {
            return s.transfers->Deliver(c, q, o);
          },
          deliver, &r.deliver, error)) {
    return fail("deliver");
  }
  if (p.containers &&
      !scan(w.receivers[p.receiver].id, v1::SCAN_POINT_ARRIVAL, listed)) {
    return fail("arrival scan");
  }
  const int64_t arrived =
      p.violation == Violation::kWeightGap ? p.grams * 8 / 10 : p.grams;
  v1::ReceiveRequest receive;
  meta(receive.mutable_meta());
  receive.set_number(n);
  receive.set_receiver(w.receivers[p.receiver].id);
  v1::LineReceipt* lr = receive.add_lines();
  lr->set_line(1);
  lr->set_decision(v1::LineReceipt::DECISION_ACCEPT);
  lr->set_quantity_g(arrived);
  lr->set_form(p.violation == Violation::kLoadMismatch
                   ? v1::PHYSICAL_FORM_SEMI_SOLID
                   : v1::PHYSICAL_FORM_LIQUID);
  lr->set_packaging("drum");
  receive.set_received_by("过磅员");
  // A receiver takes its load under its licence; the unlicensed one has none
  // that covers it (the flag at opening said so), and names none.
  if (p.violation != Violation::kUnlicensed) {
    receive.set_licence(absl::StrCat("LIC-", receive.receiver()));
  }
  if (!Rpc(
          ids.at(receive.receiver()),
          [&](auto* c, const auto& q, auto* o) {
            return s.disposals->Receive(c, q, o);
          },
          receive, &r.receive, error)) {
    return fail("receive");
  }
  if (p.violation != Violation::kNeverDisposed) {
    v1::DisposeRequest dispose;
    meta(dispose.mutable_meta());
    dispose.set_number(n);
    dispose.set_receiver(w.receivers[p.receiver].id);
    v1::LineDisposal* ld = dispose.add_lines();
    ld->set_line(1);
    ld->set_method("D10");
    ld->set_quantity_g(arrived);
    dispose.set_outcome("焚烧处置");
    if (!Rpc(
            ids.at(dispose.receiver()),
            [&](auto* c, const auto& q, auto* o) {
              return s.disposals->Dispose(c, q, o);
            },
            dispose, &r.dispose, error)) {
      return fail("dispose");
    }
  }
  if (p.pay) {
    v1::RecordPaymentRequest pay;
    meta(pay.mutable_meta());
    pay.set_number(n);
    pay.set_payer(w.generators[p.generator].id);
    pay.set_payee(p.violation == Violation::kDirectPayment
                      ? w.carriers[p.carrier].id
                      : w.receivers[p.receiver].id);
    pay.set_amount_fen(p.grams / 10);  // 1 fen per 10 g: 1000 CNY a tonne
    if (!Rpc(
            ids.at(pay.payer()),
            [&](auto* c, const auto& q, auto* o) {
              return s.disposals->RecordPayment(c, q, o);
            },
            pay, &r.pay, error)) {
      return fail("payment");
    }
  }
  return n;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The run's settings from the flags, checked before anything starts.
struct Settings {
  uint64_t seed = 0;
  int total = 0;
  int clients = 0;
  Rates rates;
  absl::Duration wait;
};

absl::StatusOr<Settings> ReadSettings() {
  Settings s;
  s.seed = absl::GetFlag(FLAGS_seed);
  s.total = absl::GetFlag(FLAGS_manifests);
  s.clients = absl::GetFlag(FLAGS_clients);
  const double scale = absl::GetFlag(FLAGS_rate_scale);
  Rates& r = s.rates;
  for (const Rates::Of& rate : r.Each()) *rate.rate *= scale;
  if (!absl::ParseDuration(absl::GetFlag(FLAGS_deadline_wait), &s.wait) ||
      s.wait < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--deadline_wait \"", absl::GetFlag(FLAGS_deadline_wait),
                     "\" is not a duration such as 7s"));
  }
  CRADLE_RETURN_IF_ERROR(CheckWorldSize(absl::GetFlag(FLAGS_generators),
                                        absl::GetFlag(FLAGS_carriers)));
  if (s.total < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--manifests ", s.total, " must be at least 1"));
  }
  if (s.clients < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--clients ", s.clients, " must be at least 1"));
  }
  const double all = Rates().Sum();
  if (!(scale >= 0 && scale * all <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--rate_scale ", scale, " must be from 0 to ", 1 / all,
        ": the violation rates (", 100 * all,
        "% of manifests in all by default) times it cannot pass 100%"));
  }
  return s;
}

// The server's address: --server, or a cradled started in `own`; empty
// after printing why when it cannot start.
std::string Connect(Server* own) {
  std::string address = absl::GetFlag(FLAGS_server);
  if (!address.empty()) return address;
  std::string binary = absl::GetFlag(FLAGS_cradled);
  if (binary.empty()) {
    binary =
        (std::filesystem::path(std::filesystem::read_symlink("/proc/self/exe"))
             .parent_path()
             .parent_path() /
         "services" / "cradled")
            .string();
  }
  if (!own->Start(binary)) {
    std::fprintf(stderr, "cradle-sim: cannot start %s\n", binary.c_str());
    return "";
  }
  return own->address();
}

std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  std::shared_ptr<grpc::ChannelCredentials> transport =
      grpc::InsecureChannelCredentials();
  if (!absl::GetFlag(FLAGS_ca).empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadText(absl::GetFlag(FLAGS_ca));
    transport = grpc::SslCredentials(ssl);
  }
  return grpc::CreateChannel(address, transport);
}

// A regulator of the province, to read the flags at the end.
bool IssueRegulator(const World& world, Stubs& stubs, uint64_t seed,
                    const Identity& admin, Identity* regulator,
                    std::string* error) {
  v1::IssueCredentialRequest req;
  req.mutable_meta()->set_idempotency_key(
      absl::StrCat("sim-", seed, "-regulator"));
  req.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
  req.set_jurisdiction(world.generators.at(0).division.substr(0, 2));
  v1::IssueCredentialResponse issued;
  if (!Rpc(
          admin,
          [&](auto* c, const auto& q, auto* o) {
            return stubs.credentials->Issue(c, q, o);
          },
          req, &issued, error)) {
    return false;
  }
  regulator->token = issued.token();
  return true;
}

// What the clients did: each manifest's plan and number.
struct Run {
  std::vector<Plan> plans;
  std::vector<std::string> numbers;
  // Per plan, a collection round's collected manifests (numbers holds the
  // onward one).
  std::vector<std::vector<std::string>> collected;
  int64_t events = 0;
  double seconds = 0;
  int failed = 0;
  std::string first_error;
};

// Runs `s.total` manifests on `s.clients` threads, printing progress.
Run RunAll(const Settings& s, const World& world, const Identities& ids,
           const std::shared_ptr<grpc::Channel>& channel) {
  Run run;
  run.plans.resize(s.total);
  for (int i = 0; i < s.total; ++i) {
    run.plans[i] = PlanManifest(world, s.rates, s.seed, i);
  }
  NumberDrums(&run.plans);
  run.numbers.resize(s.total);
  run.collected.resize(s.total);
  std::atomic<int> next{0}, done{0}, failed{0};
  std::atomic<int64_t> events{0};
  absl::Mutex error_mu;
  const absl::Time start = absl::Now();
  std::vector<std::thread> clients;
  for (int c = 0; c < s.clients; ++c) {
    clients.emplace_back([&] {
      Stubs stubs(channel);
      for (int i; (i = next.fetch_add(1)) < s.total;) {
        std::string err;
        run.numbers[i] = RunPlan(world, run.plans[i], ids, stubs, s.seed, i,
                                 &events, &run.collected[i], &err);
        if (run.numbers[i].empty()) {
          ++failed;
          absl::MutexLock lock(&error_mu);
          if (run.first_error.empty()) run.first_error = err;
        }
        ++done;
      }
    });
  }
  while (done.load() < s.total) {
    absl::SleepFor(absl::Seconds(1));
    const double secs = absl::ToDoubleSeconds(absl::Now() - start);
    const int d = done.load();
    const double rate = d / secs;
    std::fprintf(stderr,
                 "cradle-sim: %d/%d manifests, %.0f manifests/s, %.0f "
                 "events/s, ETA %.0f s\n",
                 d, s.total, rate, events.load() / secs,
                 rate > 0 ? (s.total - d) / rate : 0.0);
  }
  for (auto& t : clients) t.join();
  run.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  run.events = events.load();
  run.failed = failed.load();
  return run;
}

// Every flag the server raised, by manifest.
bool FetchFlags(Stubs& stubs, const Identity& regulator,
                std::map<std::string, std::vector<v1::Flag>>* flags_of,
                std::string* error) {
  v1::ListFlagsRequest list;
  list.set_page_size(1000);
  do {
    v1::ListFlagsResponse page;
    if (!Rpc(
            regulator,
            [&](auto* c, const auto& q, auto* o) {
              return stubs.flags->List(c, q, o);
            },
            list, &page, error)) {
      return false;
    }
    for (const v1::Flag& f : page.flags()) {
      (*flags_of)[f.manifest()].push_back(f);
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  return true;
}

// What was injected against what was raised, per flag kind.
struct Score {
  struct Tally {
    int injected = 0, detected = 0, correct = 0;
    Latencies delay;  // us from the violating event or deadline to the flag
  };
  std::map<int, Tally> tally;
  std::map<Violation, int> injected_by_violation;
  std::vector<std::string> misses, false_alarms;
};

// Scores `run` against `flags_of`, writing the ground truth to `truth`
// when it is not null.
Score ScoreRun(const Run& run,
               const std::map<std::string, std::vector<v1::Flag>>& flags_of,
               FILE* truth) {
  Score score;
  if (truth != nullptr) {
    std::fprintf(truth, "number,violation,expected,collected\n");
  }
  for (size_t i = 0; i < run.plans.size(); ++i) {
    const Plan& p = run.plans[i];
    const std::string& number = run.numbers[i];
    ++score.injected_by_violation[p.violation];
    std::set<int> expected(p.expected.begin(), p.expected.end());
    if (truth != nullptr) {
      std::vector<std::string> kinds;
      for (int k : expected) {
        kinds.push_back(domain::ShortName(static_cast<v1::FlagKind>(k)));
      }
      std::fprintf(truth, "%s,%s,%s,%s\n", number.c_str(),
                   ViolationName(p.violation),
                   absl::StrJoin(kinds, ";").c_str(),
                   absl::StrJoin(run.collected[i], ";").c_str());
    }
    // A collection round's collected manifests must raise nothing.
    for (const std::string& in : run.collected[i]) {
      auto flagged = flags_of.find(in);
      if (flagged == flags_of.end()) continue;
      for (const v1::Flag& f : flagged->second) {
        ++score.tally[f.kind()].detected;
        score.false_alarms.push_back(
            absl::StrCat(in, " ", domain::ShortName(f.kind()), " (collected)"));
      }
    }
    for (int k : expected) ++score.tally[k].injected;
    std::set<int> seen;
    auto it = flags_of.find(number);
    for (const v1::Flag& f :
         it == flags_of.end() ? std::vector<v1::Flag>() : it->second) {
      seen.insert(f.kind());
      Score::Tally& t = score.tally[f.kind()];
      ++t.detected;
      if (expected.count(f.kind()) > 0) {
        ++t.correct;
        const absl::Time from = f.has_due_at() ? FromTimestamp(f.due_at())
                                               : FromTimestamp(f.raised_at());
        t.delay.Add(
            absl::ToInt64Microseconds(FromTimestamp(f.raised_at()) - from));
      } else {
        score.false_alarms.push_back(
            absl::StrCat(number, " ", domain::ShortName(f.kind()), " (",
                         ViolationName(p.violation), ")"));
      }
    }
    for (int k : expected) {
      if (seen.count(k) == 0) {
        score.misses.push_back(absl::StrCat(
            number, " ", domain::ShortName(static_cast<v1::FlagKind>(k))));
      }
    }
  }
  return score;
}

void PrintReport(const Settings& s, const Run& run, const Score& score) {
  std::printf(
      "cradle-sim --seed %llu --manifests %d: %d clients, %.1f s, "
      "%.0f manifests/s, %.0f events/s\n\n",
      static_cast<unsigned long long>(s.seed), s.total, s.clients, run.seconds,
      s.total / run.seconds, run.events / run.seconds);
  std::printf("| injected | manifests |\n|---|---:|\n");
  for (const auto& [v, n] : score.injected_by_violation) {
    std::printf("| %s | %d |\n", ViolationName(v), n);
  }
  std::printf(
      "\n| flag | injected | raised | correct | precision | recall | "
      "delay p50 | delay max |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& [kind, t] : score.tally) {
    const bool deadline =
        domain::IsDeadlineKind(static_cast<v1::FlagKind>(kind));
    std::printf(
        "| %s | %d | %d | %d | %.1f%% | %.1f%% | %s | %s |\n",
        domain::ShortName(static_cast<v1::FlagKind>(kind)).c_str(), t.injected,
        t.detected, t.correct,
        t.detected == 0 ? 100.0 : 100.0 * t.correct / t.detected,
        t.injected == 0 ? 100.0 : 100.0 * t.correct / t.injected,
        deadline ? absl::StrCat(t.delay.Percentile(50) / 1000, " ms after due")
                       .c_str()
                 : "same write",
        deadline ? absl::StrCat(t.delay.Percentile(100) / 1000, " ms").c_str()
                 : "-");
  }
  for (const std::string& m : score.misses) {
    std::printf("MISSED %s\n", m.c_str());
  }
  for (const std::string& f : score.false_alarms) {
    std::printf("FALSE ALARM %s\n", f.c_str());
  }
  std::printf("\n%zu missed, %zu false alarms\n", score.misses.size(),
              score.false_alarms.size());
}

int Main() {
  absl::StatusOr<Settings> settings = ReadSettings();
  if (!settings.ok()) {
    std::fprintf(stderr, "cradle-sim: %s\n",
                 std::string(settings.status().message()).c_str());
    return 2;
  }
  Server own;
  const std::string address = Connect(&own);
  if (address.empty()) return 3;
  const std::shared_ptr<grpc::Channel> channel = Channel(address);
  Stubs stubs(channel);

  Identity admin;
  admin.token = std::string(absl::StripAsciiWhitespace(ReadText(
      address == own.address() ? own.dir() + "/admin.token"
                               : absl::GetFlag(FLAGS_admin_token_file))));
  if (admin.token.empty()) {
    std::fprintf(stderr,
                 "cradle-sim: no administrator token: give --admin_token_file "
                 "with --server\n");
    return 2;
  }
  const World world = MakeWorld(settings->seed, absl::GetFlag(FLAGS_generators),
                                absl::GetFlag(FLAGS_carriers));
  std::string error;
  const absl::Time start = absl::Now();
  const std::string key_dir = (std::filesystem::temp_directory_path() /
                               absl::StrCat("cradle-sim-keys-", getpid()))
                                  .string();
  std::filesystem::create_directories(key_dir);
  struct RemoveDir {
    std::string dir;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } remove_keys{key_dir};
  Identities ids;
  if (!RegisterWorld(world, stubs, settings->seed, admin, key_dir, &ids,
                     &error)) {
    std::fprintf(stderr, "cradle-sim: registry: %s\n", error.c_str());
    return 1;
  }
  Identity regulator;
  if (!IssueRegulator(world, stubs, settings->seed, admin, &regulator,
                      &error)) {
    std::fprintf(stderr, "cradle-sim: regulator: %s\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr,
               "cradle-sim: %zu cities, %zu generators, %zu carriers, %zu "
               "receivers registered in %.1f s\n",
               world.cities.size(), world.generators.size(),
               world.carriers.size(), world.receivers.size(),
               absl::ToDoubleSeconds(absl::Now() - start));

  const Run run = RunAll(*settings, world, ids, channel);
  if (run.failed > 0) {
    std::fprintf(stderr, "cradle-sim: %d manifests failed; first: %s\n",
                 run.failed, run.first_error.c_str());
    return 1;
  }
  std::fprintf(stderr,
               "cradle-sim: waiting %s for deadline flags (the server's limits "
               "and a sweep)\n",
               absl::FormatDuration(settings->wait).c_str());
  absl::SleepFor(settings->wait);

  std::map<std::string, std::vector<v1::Flag>> flags_of;
  if (!FetchFlags(stubs, regulator, &flags_of, &error)) {
    std::fprintf(stderr, "cradle-sim: flags: %s\n", error.c_str());
    return 1;
  }
  FILE* truth = nullptr;
  if (!absl::GetFlag(FLAGS_ground_truth).empty()) {
    truth = std::fopen(absl::GetFlag(FLAGS_ground_truth).c_str(), "w");
  }
  const Score score = ScoreRun(run, flags_of, truth);
  if (truth != nullptr) std::fclose(truth);
  PrintReport(*settings, run, score);
  return score.misses.empty() && score.false_alarms.empty() ? 0 : 4;
}

}  // namespace
}  // namespace cradle::sim

int main(int argc, char** argv) {
  cradle::ShowOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "A province in a box: drives cradled with realistic lifecycles and "
      "injected violations, and reports detection quality.\n"
      "  cradle-sim --seed 1 --manifests 10000");
  absl::ParseCommandLine(argc, argv);
  return cradle::sim::Main();
}
