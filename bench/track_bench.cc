// track_bench: container scans and track points through cradled, each next
// to the durable echo of the same request size measured in the same run
// (docs/BENCHMARKS.md, "Tracks and scans"); the corridor check per point
// next to an Ed25519 verification; and the ledger's bytes of a manifest with
// three drums and a two-hour track next to the same manifest without.
//
//   build/bench/track_bench --seconds=5 --clients=1,16,64
//
// A scan is Transfers.Scan of a manifest's three drums at loading, signed
// by the carrier. A track batch is Transfers.RecordTrack of 120 points
// (two minutes of a terminal reporting every second), signed, chained to
// the leg's last batch, judged against a three-position route.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

#include "base/flags_usage.h"
#include "base/time.h"
#include "bench/harness.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "cradle/v1/container.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/container.h"
#include "domain/track.h"
#include "domain/work_calendar.h"
#include "echo.grpc.pb.h"
#include "security/attestation.h"
#include "security/ed25519.h"

ABSL_FLAG(double, seconds, 5, "Duration of each measurement");
ABSL_FLAG(std::string, clients, "1,16,64", "Concurrent clients to measure");
ABSL_FLAG(std::string, cradled, "", "cradled binary (default: the build's)");
ABSL_FLAG(std::string, e2e_bench, "",
          "e2e_bench binary, whose --serve=durable-echo is the reference "
          "(default: beside this one)");

namespace {

namespace v1 = cradle::v1;
using cradle::bench::Drive;
using cradle::bench::Result;

constexpr int kMaxClients = 64;
constexpr int kManifestsPerClient = 5;  // scans rotate over them
constexpr int kBatchPoints = 120;

std::string Token(const std::string& data) {
  std::string line;
  std::ifstream in(data + "/admin.token");
  std::getline(in, line);
  return line;
}

struct Party {
  std::string id, token;
  std::unique_ptr<cradle::security::Ed25519Key> key;
};

class Bench {
 public:
  Bench(std::shared_ptr<grpc::Channel> channel, std::string admin)
      : channel_(std::move(channel)), admin_(std::move(admin)) {}

  // Calls `rpc(ctx, req, reply)` as `token`, `req` signed with `key` if
  // given; false (printing why) when it fails.
  template <typename Req, typename Reply, typename Rpc>
  bool Call(const std::string& token, const cradle::security::Ed25519Key* key,
            Req req, Reply* reply, Rpc rpc) {
    if (key != nullptr && !cradle::security::SignRequest(*key, &req).ok()) {
      return false;
    }
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    grpc::Status s = rpc(&ctx, req, reply);
    if (!s.ok()) {
      std::fprintf(stderr, "track_bench: %s: %s\n",
                   Req::descriptor()->name().c_str(),
                   s.error_message().c_str());
    }
    return s.ok();
  }

  bool Enroll(Party* p, const std::string& division, v1::Role role,
              const std::string& dir) {
    auto registry = v1::Registry::NewStub(channel_);
    v1::RegisterEnterpriseRequest r;
    r.mutable_meta()->set_idempotency_key(Key());
    r.set_id(p->id);
    r.set_name("bench");
    r.set_division(division);
    r.add_roles(role);
    v1::RegisterEnterpriseResponse out;
    if (!Call(admin_, nullptr, r, &out, [&](auto* c, auto& q, auto* o) {
          return registry->RegisterEnterprise(c, q, o);
        })) {
      return false;
    }
    auto key = cradle::security::Ed25519Key::LoadOrCreate(
        absl::StrCat(dir, "/", p->id, ".pem"));
    if (!key.ok()) return false;
    p->key = *std::move(key);
    v1::IssueCredentialRequest c;
    c.mutable_meta()->set_idempotency_key(Key());
    c.set_kind(v1::CREDENTIAL_KIND_PARTY);
    c.set_enterprise(p->id);
    c.set_role(role);
    c.set_public_key(p->key->public_key());
    v1::IssueCredentialResponse issued;
    if (!Call(admin_, nullptr, c, &issued, [&](auto* ctx, auto& q, auto* o) {
          return v1::Credentials::NewStub(channel_)->Issue(ctx, q, o);
        })) {
      return false;
    }
    p->token = issued.token();
    return true;
  }

  // A regulator of Jiaxing's token: it reads container streams.
  std::string Regulator() {
    v1::IssueCredentialRequest c;
    c.mutable_meta()->set_idempotency_key(Key());
    c.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
    c.set_jurisdiction("3304");
    c.set_holder("bench");
    v1::IssueCredentialResponse issued;
    if (!Call(admin_, nullptr, c, &issued, [&](auto* ctx, auto& q, auto* o) {
          return v1::Credentials::NewStub(channel_)->Issue(ctx, q, o);
        })) {
      return "";
    }
    return issued.token();
  }

  bool Licence(const std::string& receiver) {
    v1::GrantLicenceRequest l;
    l.mutable_meta()->set_idempotency_key(Key());
    l.set_receiver(receiver);
    l.mutable_licence()->set_number("L1");
    l.mutable_licence()->add_codes("HW08");
    l.mutable_licence()->set_capacity_kg(int64_t{1000} * 1000 * 1000);
    l.mutable_licence()->set_valid_until("2099-12-31");
    v1::GrantLicenceResponse out;
    return Call(admin_, nullptr, l, &out, [&](auto* c, auto& q, auto* o) {
      return v1::Registry::NewStub(channel_)->GrantLicence(c, q, o);
    });
  }

  bool Vehicle(const std::string& carrier, const std::string& plate) {
    v1::RegisterVehicleRequest r;
    r.mutable_meta()->set_idempotency_key(Key());
    r.set_carrier(carrier);
    r.mutable_vehicle()->set_plate(plate);
    r.mutable_vehicle()->set_permit("P1");
    v1::RegisterVehicleResponse out;
    return Call(admin_, nullptr, r, &out, [&](auto* c, auto& q, auto* o) {
      return v1::Registry::NewStub(channel_)->RegisterVehicle(c, q, o);
    });
  }

  // Registers drums `first`..`first + count - 1` of the generator, filled
  // yesterday, 200 kg each; their codes.
  std::vector<std::string> Drums(const Party& gen, int first, int count) {
    std::vector<std::string> codes;
    const absl::CivilDay yesterday =
        absl::ToCivilDay(absl::Now(), cradle::domain::ChinaTime()) - 1;
    auto stub = v1::Containers::NewStub(channel_);
    for (int k = 0; k < count; ++k) {
      v1::RegisterContainerRequest r;
      r.mutable_meta()->set_idempotency_key(Key());
      const std::string code = cradle::domain::FormatContainerCode(
          gen.id, "900-249-08", yesterday, first + k);
      r.mutable_container()->set_code(code);
      r.mutable_container()->set_generator(gen.id);
      r.mutable_container()->set_weight_g(200 * 1000);
      r.mutable_container()->set_packaging("铁桶");
      v1::RegisterContainerResponse out;
      if (!Call(gen.token, nullptr, r, &out, [&](auto* c, auto& q, auto* o) {
            return stub->Register(c, q, o);
          })) {
        return {};
      }
      codes.push_back(code);
    }
    return codes;
  }

  // Opens a manifest listing `drums` (none: 1.25 t in drums) and picks it
  // up under the bench's route; its number, or "".
  std::string OpenAndPickUp(const Party& gen, const Party& car,
                            const std::string& receiver,
                            const std::vector<std::string>& drums) {
    v1::OpenManifestRequest open;
    open.mutable_meta()->set_idempotency_key(Key());
    open.set_generator(gen.id);
    open.set_carrier(car.id);
    open.set_receiver(receiver);
    v1::WasteLine* line = open.add_lines();
    line->set_code("900-249-08");
    line->set_packaging("铁桶");
    if (drums.empty()) {
      line->set_quantity_g(1250 * 1000);
      line->set_package_count(6);
    } else {
      line->set_package_count(static_cast<int>(drums.size()));
      for (const std::string& d : drums) line->add_containers(d);
    }
    open.set_method("D10");
    v1::OpenManifestResponse opened;
    if (!Call(gen.token, nullptr, open, &opened,
              [&](auto* c, auto& q, auto* o) {
                return v1::Manifests::NewStub(channel_)->Open(c, q, o);
              })) {
      return "";
    }
    const std::string n = opened.manifest().number();
    if (!drums.empty() && !Scan(car, n, drums, v1::SCAN_POINT_LOAD)) return "";
    v1::PickupRequest pickup;
    pickup.mutable_meta()->set_idempotency_key(Key());
    pickup.set_number(n);
    pickup.set_carrier(car.id);
    pickup.set_vehicle("浙F12345");
    for (double lat : {30.75, 30.50, 30.25}) {
      v1::Position* p = pickup.mutable_transport()->add_route();
      p->set_lat(lat);
      p->set_lon(120.75);
    }
    v1::PickupResponse picked;
    if (!Call(car.token, car.key.get(), pickup, &picked,
              [&](auto* c, auto& q, auto* o) {
                return v1::Transfers::NewStub(channel_)->Pickup(c, q, o);
              })) {
      return "";
    }
    return n;
  }

  v1::ScanRequest ScanRequest(const Party& by, const std::string& n,
                              const std::vector<std::string>& drums,
                              v1::ScanPoint point) {
    v1::ScanRequest r;
    r.mutable_meta()->set_idempotency_key(Key());
    r.mutable_meta()->set_device("PDA-07");
    *r.mutable_meta()->mutable_device_time() = cradle::ToTimestamp(absl::Now());
    r.set_number(n);
    r.set_by(by.id);
    r.set_point(point);
    for (const std::string& d : drums) r.add_containers(d);
    return r;
  }

  bool Scan(const Party& by, const std::string& n,
            const std::vector<std::string>& drums, v1::ScanPoint point,
            v1::Transfers::Stub* stub = nullptr) {
    std::unique_ptr<v1::Transfers::Stub> own;
    if (stub == nullptr) {
      own = v1::Transfers::NewStub(channel_);
      stub = own.get();
    }
    v1::ScanResponse out;
    return Call(by.token, by.key.get(), ScanRequest(by, n, drums, point), &out,
                [&](auto* c, auto& q, auto* o) { return stub->Scan(c, q, o); });
  }

  // A batch of kBatchPoints points a second apart from `start`, south along
  // the route.
  v1::RecordTrackRequest Batch(const Party& car, const std::string& n,
                               int64_t start, int64_t first_index,
                               const std::string& previous, int spacing = 1) {
    v1::RecordTrackRequest r;
    r.mutable_meta()->set_idempotency_key(Key());
    r.set_number(n);
    r.set_carrier(car.id);
    r.set_leg(1);
    r.set_previous_digest(previous);
    for (int k = 0; k < kBatchPoints; ++k) {
      const int64_t i = first_index + k;
      v1::TrackPoint* p = r.add_points();
      p->set_time(start + i * spacing);
      p->set_lat_e6(static_cast<int32_t>(30750000 - (i % 200000) * 2));
      p->set_lon_e6(120750000);
      p->set_speed_dkmh(600);
    }
    return r;
  }

  // Bytes of the ledger entries of `stream`, payloads and hashes as
  // Audit.Chain returns them.
  int64_t StreamBytes(const std::string& token, const std::string& stream,
                      int64_t* payload) {
    v1::ChainRequest req;
    req.set_number(stream);
    v1::ChainResponse out;
    if (!Call(token, nullptr, req, &out, [&](auto* c, auto& q, auto* o) {
          return v1::Audit::NewStub(channel_)->Chain(c, q, o);
        })) {
      return -1;
    }
    int64_t all = 0;
    for (const v1::LedgerEntry& e : out.entries()) {
      *payload += static_cast<int64_t>(e.payload().size());
      // What the chain stores of an entry besides its payload: the
      // sequence, stream and version, type, actor, time and both hashes
      // (raw, 32 bytes each).
      all += static_cast<int64_t>(e.payload().size() + e.stream().size() +
                                  e.type().size() + e.actor().size()) +
             8 + 8 + 12 + 64;
    }
    return all;
  }

  std::string Key() { return absl::StrCat("tb-", ++key_); }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string admin_;
  std::atomic<int> key_{0};  // client threads take keys at once
};

// ns per call of `f`, over `n` calls.
template <typename F>
double NanosPer(int n, F f) {
  const absl::Time start = absl::Now();
  for (int i = 0; i < n; ++i) f(i);
  return absl::ToDoubleNanoseconds(absl::Now() - start) / n;
}

// The corridor check per point against routes of 3, 20 and 100 positions,
// and FollowTrack's whole judgement per point, next to one Ed25519
// verification (what every batch pays once), in this process.
void CorridorCost() {
  auto key = cradle::security::Ed25519Key::LoadOrCreate(
      (std::filesystem::temp_directory_path() /
       absl::StrCat("track-bench-", getpid(), ".pem"))
          .string());
  if (!key.ok()) return;
  const std::string message(200, 'm');
  const std::string signature = (*key)->Sign(message);
  volatile bool ok = true;
  const double verify = NanosPer(2000, [&](int) {
    ok = cradle::security::VerifyEd25519((*key)->public_key(), message,
                                         signature);
  });
  std::printf(
      "\nThe corridor check per point (this process), next to one Ed25519 "
      "verification (%.0f ns):\n\n| route positions | ns per point | points "
      "per verification's time |\n|---:|---:|---:|\n",
      verify);
  volatile double sink = 0;
  for (int positions : {3, 20, 100}) {
    std::vector<cradle::domain::LatLon> route;
    for (int i = 0; i < positions; ++i) {
      route.push_back(
          {30.75 - 0.5 * i / (positions - 1), 120.75 + 0.01 * (i % 2)});
    }
    const double per = NanosPer(200000, [&](int i) {
      sink = sink + cradle::domain::DistanceToRouteM(
                        {30.75 - 0.0000025 * i, 120.751}, route);
    });
    std::printf("| %d | %.0f | %.0f |\n", positions, per, verify / per);
  }
  // FollowTrack of a 120-point batch on a 3-position route, per point.
  v1::Manifest m;
  v1::Leg* leg = m.add_legs();
  leg->set_number(1);
  for (double lat : {30.75, 30.50, 30.25}) {
    v1::Position* p = leg->mutable_transport()->add_route();
    p->set_lat(lat);
    p->set_lon(120.75);
  }
  cradle::ledger::v1::TrackRecorded batch;
  batch.set_leg(1);
  for (int k = 0; k < kBatchPoints; ++k) {
    auto* p = batch.add_points();
    p->set_time(1796000000 + k);
    p->set_lat_e6(30750000 - 2 * k);
    p->set_lon_e6(120750000);
    p->set_speed_dkmh(600);
  }
  const cradle::domain::FlagConfig config;
  const double follow = NanosPer(2000, [&](int) {
    sink = sink + cradle::domain::FollowTrack(m, {}, batch, config)
                      .after.max_off_route_m();
  });
  std::printf(
      "\nFollowTrack (digest, corridor, stops, gaps) of a %d-point batch: %.0f "
      "ns, %.0f ns per point; a write runs it 4 times (the decision and the "
      "three rules): %.2f of the batch's Ed25519 verification.\n",
      kBatchPoints, follow, follow / kBatchPoints, 4 * follow / verify);
  std::filesystem::remove((std::filesystem::temp_directory_path() /
                           absl::StrCat("track-bench-", getpid(), ".pem")));
}

}  // namespace

int main(int argc, char** argv) {
  cradle::ShowOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "Container scans and track points per second through a cradled child "
      "process, each next to a durable echo of the same request size; the "
      "corridor check per point; the ledger bytes of a manifest with drums "
      "and a track.\n  track_bench --seconds=5 --clients=1,16,64");
  absl::ParseCommandLine(argc, argv);
  namespace fs = std::filesystem;
  const absl::Duration d = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<int> client_counts;
  for (absl::string_view c :
       absl::StrSplit(absl::GetFlag(FLAGS_clients), ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(c, &n) || n < 1 || n > kMaxClients) {
      std::fprintf(stderr, "track_bench: --clients takes 1..%d, got %s\n",
                   kMaxClients, std::string(c).c_str());
      return 2;
    }
    client_counts.push_back(n);
  }
  const std::string dir =
      (fs::temp_directory_path() / absl::StrCat("cradle-track-", getpid()))
          .string();
  fs::create_directories(dir);
  const fs::path here = fs::read_symlink("/proc/self/exe").parent_path();
  std::string binary = absl::GetFlag(FLAGS_cradled);
  if (binary.empty()) {
    binary = (here.parent_path() / "services" / "cradled").string();
  }
  std::string e2e = absl::GetFlag(FLAGS_e2e_bench);
  if (e2e.empty()) e2e = (here / "e2e_bench").string();

  const cradle::bench::Child cradled = cradle::bench::StartServer(
      {binary, "--data=" + dir + "/cradle", "--listen=127.0.0.1:0",
       "--insecure", "--scrub_rate=0"});
  if (cradled.pid == 0) return 1;
  const cradle::bench::Child echo = cradle::bench::StartServer(
      {e2e, "--serve=durable-echo:" + dir + "/durable"});
  if (echo.pid == 0) return cradle::bench::Fail(cradled.pid, "no echo");
  auto stop_all = [&] {
    cradle::bench::Stop(echo);
    cradle::bench::Stop(cradled);
  };
  Bench b(
      grpc::CreateChannel(cradled.address, grpc::InsecureChannelCredentials()),
      Token(dir + "/cradle"));
  auto echo_stub = cradle::bench::Echo::NewStub(
      grpc::CreateChannel(echo.address, grpc::InsecureChannelCredentials()));

  Party gen{cradle::bench::Uscc("330402", 1), "", nullptr};
  Party car{cradle::bench::Uscc("330421", 2), "", nullptr};
  Party rec{cradle::bench::Uscc("330481", 3), "", nullptr};
  if (!b.Enroll(&gen, "330402", v1::ROLE_GENERATOR, dir) ||
      !b.Enroll(&car, "330421", v1::ROLE_TRANSPORTER, dir) ||
      !b.Enroll(&rec, "330481", v1::ROLE_RECEIVER, dir) || !b.Licence(rec.id) ||
      !b.Vehicle(car.id, "浙F12345")) {
    stop_all();
    return 1;
  }
  // Per client, manifests of three drums each, loaded and picked up.
  const int clients_max =
      *std::max_element(client_counts.begin(), client_counts.end());
  std::vector<std::vector<std::string>> numbers(clients_max);
  std::vector<std::vector<std::vector<std::string>>> drums(clients_max);
  std::fprintf(stderr, "track_bench: preparing %d manifests\n",
               clients_max * kManifestsPerClient);
  for (int t = 0; t < clients_max; ++t) {
    for (int k = 0; k < kManifestsPerClient; ++k) {
      std::vector<std::string> codes =
          b.Drums(gen, 1 + 3 * (t * kManifestsPerClient + k), 3);
      const std::string n =
          codes.empty() ? "" : b.OpenAndPickUp(gen, car, rec.id, codes);
      if (n.empty()) {
        stop_all();
        return 1;
      }
      numbers[t].push_back(n);
      drums[t].push_back(codes);
    }
  }
  const size_t scan_bytes =
      b.ScanRequest(car, numbers[0][0], drums[0][0], v1::SCAN_POINT_LOAD)
          .ByteSizeLong() +
      64;  // and its signature
  // Each client's track: its first manifest's leg 1, from 71 hours ago at
  // one point a second (the upload window is 72 h).
  const int64_t start = absl::ToUnixSeconds(absl::Now() - absl::Hours(71));
  std::vector<int64_t> next_point(clients_max, 0);
  std::vector<std::string> digest(clients_max);
  const size_t batch_bytes =
      b.Batch(car, numbers[0][0], start, 0, "").ByteSizeLong() + 64;

  std::printf(
      "Transfers.Scan of 3 drums (%zu-byte request) and Transfers.RecordTrack "
      "of %d points (%zu bytes), signed, fsync'd before the reply; the "
      "reference is the durable echo of the same bytes; %.0f s per row\n\n",
      scan_bytes, kBatchPoints, batch_bytes, absl::ToDoubleSeconds(d));
  std::printf(
      "| clients | scans/s | p50 us | p99 us | durable echo/s | scans / echo "
      "| batches/s | points/s | p50 us | p99 us | durable echo/s | batches / "
      "echo |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
      "\n");
  std::vector<std::unique_ptr<v1::Transfers::Stub>> stubs;
  for (int t = 0; t < clients_max; ++t) {
    stubs.push_back(v1::Transfers::NewStub(b.channel()));
  }
  for (int clients : client_counts) {
    const Result scans = Drive(
        clients, d,
        [&](int t, uint64_t i) {
          const int k = static_cast<int>(i % kManifestsPerClient);
          return b.Scan(car, numbers[t][k], drums[t][k], v1::SCAN_POINT_LOAD,
                        stubs[t].get());
        },
        cradled.pid);
    auto echo_of = [&](size_t bytes) {
      cradle::bench::EchoMessage msg;
      msg.set_payload(std::string(bytes, 'p'));
      return Drive(clients, d, [&, msg](int, uint64_t) {
        cradle::bench::EchoMessage reply;
        grpc::ClientContext ctx;
        return echo_stub->Echo(&ctx, msg, &reply).ok();
      });
    };
    const Result scan_echo = echo_of(scan_bytes);
    const Result batches = Drive(
        clients, d,
        [&](int t, uint64_t) {
          v1::RecordTrackRequest req =
              b.Batch(car, numbers[t][0], start, next_point[t], digest[t]);
          v1::RecordTrackResponse out;
          const bool ok = b.Call(car.token, car.key.get(), req, &out,
                                 [&](auto* c, auto& q, auto* o) {
                                   return stubs[t]->RecordTrack(c, q, o);
                                 });
          next_point[t] += kBatchPoints;
          digest[t] = out.digest();
          return ok;
        },
        cradled.pid);
    const Result batch_echo = echo_of(batch_bytes);
    std::printf(
        "| %d | %.0f | %.0f | %.0f | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f | "
        "%.0f | %.2f |\n",
        clients, scans.per_second, scans.p50, scans.p99, scan_echo.per_second,
        scans.per_second / scan_echo.per_second, batches.per_second,
        batches.per_second * kBatchPoints, batches.p50, batches.p99,
        batch_echo.per_second, batches.per_second / batch_echo.per_second);
    std::fflush(stdout);
  }

  // The ledger's bytes: a manifest of 1.25 t in drums, picked up, against
  // one of three registered, scanned drums and a 2-hour track at one point
  // per 30 s, in two batches.
  const std::string plain = b.OpenAndPickUp(gen, car, rec.id, {});
  std::vector<std::string> three =
      b.Drums(gen, 1 + 3 * clients_max * kManifestsPerClient, 3);
  const std::string tracked =
      three.empty() ? "" : b.OpenAndPickUp(gen, car, rec.id, three);
  if (plain.empty() || tracked.empty()) {
    stop_all();
    return 1;
  }
  const int64_t two_hours_ago =
      absl::ToUnixSeconds(absl::Now() - absl::Hours(2));
  std::string previous;
  for (int half = 0; half < 2; ++half) {
    v1::RecordTrackRequest req =
        b.Batch(car, tracked, two_hours_ago, half * kBatchPoints, previous, 30);
    v1::RecordTrackResponse out;
    if (!b.Call(car.token, car.key.get(), req, &out,
                [&](auto* c, auto& q, auto* o) {
                  return stubs[0]->RecordTrack(c, q, o);
                })) {
      stop_all();
      return 1;
    }
    previous = out.digest();
  }
  const std::string regulator = b.Regulator();
  if (regulator.empty()) {
    stop_all();
    return 1;
  }
  int64_t plain_payload = 0, tracked_payload = 0;
  const int64_t plain_bytes = b.StreamBytes(regulator, plain, &plain_payload);
  int64_t tracked_bytes = b.StreamBytes(regulator, tracked, &tracked_payload);
  for (const std::string& code : three) {
    tracked_bytes += b.StreamBytes(regulator, absl::StrCat("container/", code),
                                   &tracked_payload);
  }
  std::printf(
      "\nLedger bytes of a manifest opened and picked up (entries: payload + "
      "stream, type, actor, sequence, version, time, hashes):\n\n| manifest | "
      "entry bytes | payload bytes | ratio to plain |\n|---|---:|---:|---:|\n"
      "| plain (1.25 t in drums) | %lld | %lld | 1.00 |\n| 3 drums, scanned, "
      "and a 2-hour track (240 points) | %lld | %lld | %.2f |\n",
      static_cast<long long>(plain_bytes),
      static_cast<long long>(plain_payload),
      static_cast<long long>(tracked_bytes),
      static_cast<long long>(tracked_payload),
      static_cast<double>(tracked_bytes) / plain_bytes);
  stop_all();
  CorridorCost();
  fs::remove_all(dir);
  return 0;
}
