// e2e_bench: durable events per second and their latency through cradled, at
// 1, 16 and 64 concurrent clients, next to the two ceilings measured in the
// same run on the same machine: a bare gRPC echo of the same payload size,
// and RocksDB's group-committed sync write of it; and next to a bare service
// that does both (a durable echo), and the CPU each costs per call. Every
// gRPC server runs in a process of its own (the echoes are this binary,
// started again with --serve), so each is measured across the same loopback
// between two processes.
//
//   build/bench/e2e_bench --seconds=5 --clients=1,16,64
//
// --noisy_neighbour=N measures Cradle and the durable echo again beside N
// processes spinning on the CPU, each against its quiet run (opens, and with
// --lifecycle whole manifests too).
//
// --lifecycle measures whole manifests (open, pickup, relay, deliver,
// receive, dispose; the attested writes signed) against six durable echoes.
//
// The event is Manifests.Open: validation, registry reads, flag rules, one
// ledger entry with its state and index mutations, fsync'd before the reply.

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "base/flags_usage.h"
#include "base/latency.h"
#include "bench/harness.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/national.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/plan.h"
#include "domain/uscc.h"
#include "domain/work_calendar.h"
#include "echo.grpc.pb.h"
#include "security/attestation.h"
#include "security/ed25519.h"

ABSL_FLAG(double, seconds, 5, "Duration of each measurement");
ABSL_FLAG(std::string, clients, "1,16,64", "Concurrent clients to measure");
ABSL_FLAG(std::string, cradled, "",
          "cradled binary (default: ../services/cradled next to this one)");
ABSL_FLAG(bool, scrub_compare, false,
          "Also measure the background scrubber's cost: a second cradled, "
          "scrubbing without rest at its default rate, against the first "
          "(scrubber off), the two measured alternately in the same run");
ABSL_FLAG(bool, full_compare, false,
          "Also measure a manifest with the whole legal form filled (three "
          "lines, every generator field at a realistic size) against the "
          "minimal one, the two measured alternately on the same cradled");
ABSL_FLAG(std::string, cluster, "",
          "WRITER,FOLLOWER: also measure opens through a running cluster's "
          "writer node and through a follower (forwarded), next to the "
          "embedded server in the same run (bench/cluster_bench.sh starts "
          "one)");
ABSL_FLAG(std::string, cluster_token, "",
          "with --cluster: the cluster's administrator token file");
ABSL_FLAG(std::string, cluster_log, "",
          "with --cluster: the cluster's log (conninfo); a fresh node joins "
          "it at the end and its catch-up rate is measured");
ABSL_FLAG(std::string, national, "",
          "with --cluster: host:port of a national node that follows the "
          "cluster as province 33; how far it is behind the writer is "
          "sampled while the writer is loaded (cluster_bench.sh starts one)");
ABSL_FLAG(std::string, national_token, "",
          "with --national: the national node's administrator token file");
ABSL_FLAG(int, noisy_neighbour, 0,
          "also measure Cradle and the durable echo with this many busy "
          "neighbour processes beside them (each spinning on one CPU at "
          "normal priority), against the same without, at each --clients: "
          "2 on a 2-core machine; with --lifecycle, whole manifests against "
          "six durable echoes too");
ABSL_FLAG(bool, lifecycle, false,
          "also measure whole manifests through gRPC: open, pickup, relay, "
          "deliver, receive and dispose (the attested ones signed with "
          "Ed25519), one after the other per client, against six durable "
          "echoes in a row");
ABSL_FLAG(uint64_t, lifecycle_load, 0,
          "with --lifecycle: instead of the table, run this many whole "
          "manifests through cradled at the first --clients (every second "
          "one opened by a generator in Huzhou, past a city's million "
          "serials a year), one row per "
          "tenth (manifests/s, entries/s, CPU per manifest, resident "
          "memory), whole manifests against six durable echoes before and "
          "after, then kill cradled and time its restart");
ABSL_FLAG(std::string, serve, "",
          "internal: serve 'echo' or 'durable-echo:DIR' on loopback until "
          "SIGTERM (the bench runs its ceilings in child processes so)");

namespace {

// `n` processes spinning on the CPU at normal priority until StopBurners:
// the noisy neighbours, a fixed load whatever the bench does. A child only
// spins (it touches no lock the parent's threads may have held at fork).
std::vector<pid_t> StartBurners(int n) {
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    const pid_t p = fork();
    if (p == 0) {
      volatile uint64_t x = 1;
      for (;;) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    if (p > 0) pids.push_back(p);
  }
  return pids;
}

void StopBurners(const std::vector<pid_t>& pids) {
  for (pid_t p : pids) kill(p, SIGKILL);
  for (pid_t p : pids) waitpid(p, nullptr, 0);
}

using cradle::Latencies;
using namespace cradle::bench;  // NOLINT: the harness is this bench's own

class EchoService final : public cradle::bench::Echo::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx,
                                 const cradle::bench::EchoMessage* req,
                                 cradle::bench::EchoMessage* reply) override {
    *reply = *req;
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// The bare durable service: the echo, which first makes the payload durable
// the way Cradle's ledger does, with none of its work. Handlers queue the
// payload and return; one writer thread takes everything queued, puts it
// into one WriteBatch, writes it with sync = true and then finishes every
// call of the group. No validation, no rules, no indexes, no chain: the
// cost of a durable gRPC write on this machine, done well.
class DurableEchoService final : public cradle::bench::Echo::CallbackService {
 public:
  explicit DurableEchoService(rocksdb::DB* db)
      : db_(db), writer_([this] { WriterLoop(); }) {}
  ~DurableEchoService() override {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    writer_.join();
  }

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx,
                                 const cradle::bench::EchoMessage* req,
                                 cradle::bench::EchoMessage* reply) override {
    *reply = *req;
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    absl::MutexLock lock(&mu_);
    queue_.push_back(Pending{req->payload(), reactor});
    return reactor;
  }

 private:
  struct Pending {
    std::string payload;
    grpc::ServerUnaryReactor* reactor;
  };

  void WriterLoop() {
    uint64_t next = 0;
    for (;;) {
      std::vector<Pending> group;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](DurableEchoService* s) {
              return !s->queue_.empty() || s->stop_;
            },
            this));
        if (queue_.empty()) return;
        group.swap(queue_);
      }
      rocksdb::WriteBatch batch;
      for (const Pending& p : group) batch.Put(absl::StrCat(next++), p.payload);
      rocksdb::WriteOptions sync;
      sync.sync = true;
      const grpc::Status status =
          db_->Write(sync, &batch).ok()
              ? grpc::Status::OK
              : grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed");
      for (const Pending& p : group) p.reactor->Finish(status);
    }
  }

  rocksdb::DB* const db_;
  absl::Mutex mu_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;
};

// The head of the ledger behind `channel`; 0 when it cannot say yet (a
// node that has not applied the caller's credential).
uint64_t HeadOf(const std::shared_ptr<grpc::Channel>& channel,
                const std::string& token) {
  cradle::v1::HeadResponse head;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  if (!cradle::v1::Audit::NewStub(channel)
           ->Head(&ctx, cradle::v1::HeadRequest(), &head)
           .ok()) {
    return 0;
  }
  return head.sequence();
}

std::string FirstLine(const std::string& file) {
  std::string line;
  std::ifstream in(file);
  std::getline(in, line);
  return line;
}

// The national node's copy of province `code`: its head; 0 when it cannot
// say.
uint64_t NationalHeadOf(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& token, const std::string& code) {
  cradle::v1::ProvincesResponse reply;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  if (!cradle::v1::National::NewStub(channel)
           ->Provinces(&ctx, cradle::v1::ProvincesRequest(), &reply)
           .ok()) {
    return 0;
  }
  for (const cradle::v1::ProvinceStatus& p : reply.provinces()) {
    if (p.code() == code) return p.head_sequence();
  }
  return 0;
}

// How far a national node's copy of a province is behind the province's
// writer, sampled every 20 ms from Start to Stop (the writer's head read
// first, then the national one: a sample errs low by one round trip), and
// how long the copy takes to reach the writer's last head once the load
// stops.
class LagSampler {
 public:
  struct Lag {
    double mean_entries = 0;
    uint64_t max_entries = 0;
    double settle_ms = 0;
  };

  LagSampler(std::shared_ptr<grpc::Channel> writer, std::string writer_token,
             std::shared_ptr<grpc::Channel> national,
             std::string national_token)
      : writer_(std::move(writer)),
        writer_token_(std::move(writer_token)),
        national_(std::move(national)),
        national_token_(std::move(national_token)) {}

  void Start() {
    stop_ = false;
    sum_ = 0;
    samples_ = 0;
    max_ = 0;
    thread_ = std::thread([this] {
      while (!stop_) {
        const uint64_t w = HeadOf(writer_, writer_token_);
        const uint64_t n = NationalHeadOf(national_, national_token_, "33");
        const uint64_t lag = w > n ? w - n : 0;
        sum_ += static_cast<double>(lag);
        ++samples_;
        max_ = std::max(max_, lag);
        absl::SleepFor(absl::Milliseconds(20));
      }
    });
  }

  Lag Stop() {
    stop_ = true;
    thread_.join();
    const absl::Time stopped = absl::Now();
    const uint64_t target = HeadOf(writer_, writer_token_);
    while (NationalHeadOf(national_, national_token_, "33") < target &&
           absl::Now() - stopped < absl::Seconds(60)) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    Lag lag;
    lag.mean_entries = samples_ > 0 ? sum_ / samples_ : 0;
    lag.max_entries = max_;
    lag.settle_ms = absl::ToDoubleMilliseconds(absl::Now() - stopped);
    return lag;
  }

 private:
  const std::shared_ptr<grpc::Channel> writer_;
  const std::string writer_token_;
  const std::shared_ptr<grpc::Channel> national_;
  const std::string national_token_;
  std::atomic<bool> stop_{false};
  double sum_ = 0;  // the sampling thread's until joined
  uint64_t samples_ = 0;
  uint64_t max_ = 0;
  std::thread thread_;
};

// A fresh node joins the cluster's log with an empty data directory; the
// time until it holds the writer's head gives its catch-up rate.
void MeasureCatchUp(const std::string& binary, const std::string& data,
                    const std::string& log,
                    const std::shared_ptr<grpc::Channel>& writer,
                    const std::string& token_file) {
  std::string token;
  {
    std::ifstream in(token_file);
    std::getline(in, token);
  }
  const uint64_t target = HeadOf(writer, token);
  const absl::Time start = absl::Now();
  const Child joining =
      StartServer({binary, "--data=" + data, "--listen=127.0.0.1:0",
                   "--insecure", "--scrub_rate=0", "--cluster-log=" + log});
  if (joining.pid == 0) return;
  auto channel =
      grpc::CreateChannel(joining.address, grpc::InsecureChannelCredentials());
  while (HeadOf(channel, token) < target) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double cpu = ProcessCpuMicros(joining.pid) / 1e6;
  std::printf(
      "\nA node joining with an empty directory: %llu entries applied from "
      "the log in %.1f s (%.0f entries/s, %.1f s of CPU), process start "
      "included.\n",
      static_cast<unsigned long long>(target), seconds, target / seconds, cpu);
  Stop(joining);
}

// --serve: one of the ceilings' servers, in a process of its own as
// cradled is, so that every system is measured across the same loopback
// between two processes.
int Serve(const std::string& what) {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);  // before any thread starts
  EchoService echo;
  std::unique_ptr<rocksdb::DB> db;
  std::unique_ptr<DurableEchoService> durable;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  if (what == "echo") {
    builder.RegisterService(&echo);
  } else if (absl::StartsWith(what, "durable-echo:")) {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    const std::string path(absl::StripPrefix(what, "durable-echo:"));
    if (!rocksdb::DB::Open(options, path, &raw).ok()) return 1;
    db.reset(raw);
    durable = std::make_unique<DurableEchoService>(db.get());
    builder.RegisterService(durable.get());
  } else {
    std::fprintf(stderr, "e2e_bench: --serve=%s is not a server\n",
                 what.c_str());
    return 2;
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return 1;
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  int sig = 0;
  sigwait(&term, &sig);
  server->Shutdown();
  return 0;
}

// A field of /proc/PID/status in kB ("VmRSS", "VmHWM"); 0 when unread.
uint64_t StatusKb(pid_t pid, absl::string_view field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, field) || line.size() <= field.size() ||
        line[field.size()] != ':') {
      continue;
    }
    uint64_t kb = 0;
    std::string value(absl::StripAsciiWhitespace(
        absl::StripSuffix(line.substr(field.size() + 1), "kB")));
    return absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &kb) ? kb : 0;
  }
  return 0;
}

// The bytes of the files under `dir`.
uint64_t TreeBytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (f.is_regular_file(ec)) bytes += f.file_size(ec);
  }
  return bytes;
}

// Registers enterprise `id` (a USCC; its division is the code inside it) in
// one role, as the administrator whose token is `admin`.
grpc::Status RegisterEnterprise(cradle::v1::Registry::Stub* registry,
                                const std::string& admin,
                                const std::string& idempotency_key,
                                const std::string& id, const std::string& name,
                                cradle::v1::Role role) {
  cradle::v1::RegisterEnterpriseRequest r;
  r.mutable_meta()->set_idempotency_key(idempotency_key);
  r.set_id(id);
  r.set_name(name);
  r.set_division(id.substr(2, 6));
  r.add_roles(role);
  cradle::v1::RegisterEnterpriseResponse out;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + admin);
  return registry->RegisterEnterprise(&ctx, r, &out);
}

// --lifecycle: whole manifests through cradled at each --clients, each
// client running one manifest's six writes in a row, the attested ones
// signed as a party's device signs them; against the durable echo called
// six times in a row, in the same run. 0, or 1 after printing why.
int Lifecycles(const std::shared_ptr<grpc::Channel>& channel,
               const std::string& data, const std::string& generator_token,
               const std::string& gen, const std::string& car,
               const std::string& rec, cradle::bench::Echo::Stub* durable,
               const cradle::bench::EchoMessage& echo_msg, absl::Duration d,
               pid_t pid, uint64_t load) {
  auto as = [](grpc::ClientContext* ctx, const std::string& token) {
    ctx->AddMetadata("authorization", "Bearer " + token);
  };
  auto fail = [](const std::string& what, const grpc::Status& s) {
    std::fprintf(stderr, "e2e_bench: %s: %s\n", what.c_str(),
                 s.error_message().c_str());
    return 1;
  };
  const std::string admin = FirstLine(data + "/admin.token");
  auto registry = cradle::v1::Registry::NewStub(channel);
  auto credentials = cradle::v1::Credentials::NewStub(channel);
  auto enterprise = [&](const std::string& id, const std::string& name,
                        cradle::v1::Role role) {
    return RegisterEnterprise(registry.get(), admin,
                              "lifecycle-enterprise-" + id, id, name, role);
  };
  // A party credential for `id`, bound to `public_key` when it has one;
  // its token goes to `token`.
  auto credential = [&](const std::string& id, cradle::v1::Role role,
                        const std::string& public_key, std::string* token) {
    cradle::v1::IssueCredentialRequest req;
    req.mutable_meta()->set_idempotency_key("lifecycle-credential-" + id);
    req.set_kind(cradle::v1::CREDENTIAL_KIND_PARTY);
    req.set_enterprise(id);
    req.set_role(role);
    req.set_public_key(public_key);
    cradle::v1::IssueCredentialResponse out;
    grpc::ClientContext ctx;
    as(&ctx, admin);
    grpc::Status s = credentials->Issue(&ctx, req, &out);
    *token = out.token();
    return s;
  };
  // The relay's carrier, a vehicle each, and a device key for each party
  // that attests.
  const std::string relay = Uscc("330421", 4);
  if (grpc::Status s =
          enterprise(relay, "bench relay", cradle::v1::ROLE_TRANSPORTER);
      !s.ok()) {
    return fail("relay carrier", s);
  }
  const std::map<std::string, std::string> plates = {{car, "浙F12345"},
                                                     {relay, "浙F54321"}};
  for (const auto& [carrier, plate] : plates) {
    cradle::v1::RegisterVehicleRequest r;
    r.mutable_meta()->set_idempotency_key("lifecycle-vehicle-" + carrier);
    r.set_carrier(carrier);
    r.mutable_vehicle()->set_plate(plate);
    r.mutable_vehicle()->set_permit("permit-1");
    cradle::v1::RegisterVehicleResponse out;
    grpc::ClientContext ctx;
    as(&ctx, admin);
    if (grpc::Status s = registry->RegisterVehicle(&ctx, r, &out); !s.ok()) {
      return fail("vehicle", s);
    }
  }
  struct Signer {
    std::string token;
    std::unique_ptr<cradle::security::Ed25519Key> key;
  };
  std::map<std::string, Signer> signers;
  for (auto [id, role] : {std::pair{car, cradle::v1::ROLE_TRANSPORTER},
                          std::pair{relay, cradle::v1::ROLE_TRANSPORTER},
                          std::pair{rec, cradle::v1::ROLE_RECEIVER}}) {
    auto key =
        cradle::security::Ed25519Key::LoadOrCreate(data + "/" + id + ".pem");
    if (!key.ok()) {
      std::fprintf(stderr, "e2e_bench: %s\n", key.status().ToString().c_str());
      return 1;
    }
    std::string token;
    if (grpc::Status s = credential(id, role, (*key)->public_key(), &token);
        !s.ok()) {
      return fail("credential", s);
    }
    signers[id] = Signer{std::move(token), *std::move(key)};
  }
  // A load of more than a million needs a second city: a city's manifest
  // serials for a year end at 999,999 (ManifestStore). The load alternates
  // between the generator in Jiaxing and one in Huzhou, whose manifests
  // cross a city (a CROSS_CITY flag each).
  const std::string huzhou = Uscc("330502", 5);
  std::string huzhou_token;
  if (load > 0) {
    if (grpc::Status s = enterprise(huzhou, "bench generator, Huzhou",
                                    cradle::v1::ROLE_GENERATOR);
        !s.ok()) {
      return fail("Huzhou's generator", s);
    }
    if (grpc::Status s =
            credential(huzhou, cradle::v1::ROLE_GENERATOR, "", &huzhou_token);
        !s.ok()) {
      return fail("Huzhou's credential", s);
    }
  }
  auto manifests = cradle::v1::Manifests::NewStub(channel);
  auto transfers = cradle::v1::Transfers::NewStub(channel);
  auto disposals = cradle::v1::Disposals::NewStub(channel);
  constexpr int64_t kGrams = 1250000;
  int run = 0;
  // One write by `who`, signed by its device key when it has one.
  auto write = [&](auto request, const std::string& who, auto call) {
    auto it = signers.find(who);
    if (it != signers.end() &&
        !cradle::security::SignRequest(*it->second.key, &request).ok()) {
      return false;
    }
    grpc::ClientContext ctx;
    as(&ctx, it != signers.end() ? it->second.token : generator_token);
    const grpc::Status s = call(&ctx, request);
    if (!s.ok()) fail(std::string(request.GetDescriptor()->name()), s);
    return s.ok();
  };
  // Drive's operation: one whole manifest.
  auto lifecycle = [&](int t, uint64_t i) {
    const std::string key = absl::StrCat("l", run, "-", t, "-", i, "-");
    const bool in_huzhou = !huzhou_token.empty() && i % 2 == 1;
    cradle::v1::OpenManifestRequest open;
    open.mutable_meta()->set_idempotency_key(key + "o");
    open.mutable_meta()->set_device(absl::StrCat("pda-", t));
    open.set_generator(in_huzhou ? huzhou : gen);
    open.set_carrier(car);
    open.set_receiver(rec);
    cradle::v1::WasteLine* w = open.add_lines();
    w->set_code("900-249-08");
    w->set_quantity_g(kGrams);
    w->set_packaging("drum");
    w->set_package_count(10);
    open.set_method("D10");
    cradle::v1::OpenManifestResponse opened;
    {
      grpc::ClientContext ctx;
      as(&ctx, in_huzhou ? huzhou_token : generator_token);
      const grpc::Status s = manifests->Open(&ctx, open, &opened);
      if (!s.ok()) return fail("OpenManifestRequest", s) == 0;
    }
    const std::string& n = opened.manifest().number();
    cradle::v1::PickupRequest pickup;
    pickup.mutable_meta()->set_idempotency_key(key + "p");
    pickup.set_number(n);
    pickup.set_carrier(car);
    pickup.set_vehicle(plates.at(car));
    cradle::v1::RelayRequest relayed;
    relayed.mutable_meta()->set_idempotency_key(key + "r");
    relayed.set_number(n);
    relayed.set_from_carrier(car);
    relayed.set_to_carrier(relay);
    relayed.set_vehicle(plates.at(relay));
    cradle::v1::DeliverRequest deliver;
    deliver.mutable_meta()->set_idempotency_key(key + "d");
    deliver.set_number(n);
    deliver.set_receiver(rec);
    cradle::v1::ReceiveRequest receive;
    receive.mutable_meta()->set_idempotency_key(key + "a");
    receive.set_number(n);
    receive.set_receiver(rec);
    cradle::v1::LineReceipt* a = receive.add_lines();
    a->set_line(1);
    a->set_decision(cradle::v1::LineReceipt::DECISION_ACCEPT);
    a->set_quantity_g(kGrams);
    cradle::v1::DisposeRequest dispose;
    dispose.mutable_meta()->set_idempotency_key(key + "x");
    dispose.set_number(n);
    dispose.set_receiver(rec);
    cradle::v1::LineDisposal* x = dispose.add_lines();
    x->set_line(1);
    x->set_method("D10");
    x->set_quantity_g(kGrams);
    return write(pickup, car,
                 [&](grpc::ClientContext* c, const auto& r) {
                   cradle::v1::PickupResponse out;
                   return transfers->Pickup(c, r, &out);
                 }) &&
           write(relayed, car,
                 [&](grpc::ClientContext* c, const auto& r) {
                   cradle::v1::RelayResponse out;
                   return transfers->Relay(c, r, &out);
                 }) &&
           write(deliver, rec,
                 [&](grpc::ClientContext* c, const auto& r) {
                   cradle::v1::DeliverResponse out;
                   return transfers->Deliver(c, r, &out);
                 }) &&
           write(receive, rec,
                 [&](grpc::ClientContext* c, const auto& r) {
                   cradle::v1::ReceiveResponse out;
                   return disposals->Receive(c, r, &out);
                 }) &&
           write(dispose, rec, [&](grpc::ClientContext* c, const auto& r) {
             cradle::v1::DisposeResponse out;
             return disposals->Dispose(c, r, &out);
           });
  };
  // Before the runs: one manifest, each write's answer checked.
  if (!lifecycle(0, 0)) {
    std::fprintf(stderr, "e2e_bench: a whole manifest was refused\n");
    return 1;
  }
  ++run;
  auto six_echoes = [&](int, uint64_t) {
    for (int k = 0; k < 6; ++k) {
      cradle::bench::EchoMessage reply;
      grpc::ClientContext ctx;
      if (!durable->Echo(&ctx, echo_msg, &reply).ok()) return false;
    }
    return true;
  };
  if (load > 0) {
    int clients = 0;
    const std::vector<std::string> counts =
        absl::StrSplit(absl::GetFlag(FLAGS_clients), ',');
    if (!absl::SimpleAtoi(counts.front(), &clients) || clients < 1) return 1;
    auto audit = cradle::v1::Audit::NewStub(channel);
    auto entries = [&]() -> uint64_t {
      cradle::v1::GetTreeHeadResponse out;
      grpc::ClientContext ctx;
      as(&ctx, admin);
      return audit->GetTreeHead(&ctx, cradle::v1::GetTreeHeadRequest(), &out)
                     .ok()
                 ? out.tree_head().tree_size()
                 : 0;
    };
    // Whole manifests, then six durable echoes, each for d.
    auto pair = [&] {
      std::pair<Result, Result> r = {Drive(clients, d, lifecycle, pid), {}};
      ++run;
      r.second = Drive(clients, d, six_echoes);
      return r;
    };
    const auto [before, echoes_before] = pair();
    std::printf(
        "\n%llu whole manifests (open, pickup, relay, deliver, receive, "
        "dispose; five signed) through cradled, %d clients; a row per "
        "tenth:\n\n| manifests | seconds | manifests/s | entries/s | cradled "
        "CPU us per manifest | resident MB | peak resident MB | ledger "
        "entries |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        static_cast<unsigned long long>(load), clients);
    std::fflush(stdout);
    std::atomic<uint64_t> next{0}, done{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        for (uint64_t i; (i = next++) < load && !failed.load();) {
          if (!lifecycle(t, i)) {
            failed = true;
            return;
          }
          ++done;
        }
      });
    }
    const uint64_t slice = std::max<uint64_t>(1, load / 10);
    uint64_t boundary = slice, last_done = 0, last_entries = entries();
    absl::Time last_at = absl::Now();
    double last_cpu = ProcessCpuMicros(pid);
    const absl::Time started = last_at;
    while (!failed.load()) {
      absl::SleepFor(absl::Milliseconds(100));
      const uint64_t now_done = done.load();
      if (now_done < boundary && now_done < load) continue;
      const absl::Time at = absl::Now();
      const uint64_t now_entries = entries();
      const double cpu = ProcessCpuMicros(pid);
      const double seconds = absl::ToDoubleSeconds(at - last_at);
      const double made = static_cast<double>(now_done - last_done);
      std::printf("| %llu | %.1f | %.0f | %.0f | %.0f | %.0f | %.0f | %llu |\n",
                  static_cast<unsigned long long>(now_done), seconds,
                  made / seconds, (now_entries - last_entries) / seconds,
                  (cpu - last_cpu) / std::max(1.0, made),
                  StatusKb(pid, "VmRSS") / 1024.0,
                  StatusKb(pid, "VmHWM") / 1024.0,
                  static_cast<unsigned long long>(now_entries));
      std::fflush(stdout);
      last_done = now_done;
      last_entries = now_entries;
      last_at = at;
      last_cpu = cpu;
      while (boundary <= now_done) boundary += slice;
      if (now_done >= load) break;
    }
    for (std::thread& t : threads) t.join();
    if (failed.load()) {
      std::fprintf(stderr, "e2e_bench: a whole manifest was refused\n");
      return 1;
    }
    std::printf("\n%llu manifests in %.0f s.\n",
                static_cast<unsigned long long>(load),
                absl::ToDoubleSeconds(absl::Now() - started));
    const auto [after, echoes_after] = pair();
    std::printf(
        "\nBefore and after, %.0f s each: | | manifests/s | p99 us | durable "
        "echo x6/s | Cradle / durable echo |\n|---|---:|---:|---:|---:|\n| "
        "before | %.0f | %.0f | %.0f | %.2f |\n| after | %.0f | %.0f | %.0f | "
        "%.2f |\n",
        absl::ToDoubleSeconds(d), before.per_second, before.p99,
        echoes_before.per_second, before.per_second / echoes_before.per_second,
        after.per_second, after.p99, echoes_after.per_second,
        after.per_second / echoes_after.per_second);
    std::fflush(stdout);
    return 0;
  }
  // With --noisy_neighbour, each row is measured again beside the busy
  // neighbours: how much of its ratio to six durable echoes Cradle keeps.
  const int noisy = absl::GetFlag(FLAGS_noisy_neighbour);
  std::printf(
      "\nWhole manifests (open, pickup, relay, deliver, receive, dispose; "
      "five signed), each client one manifest after another; the durable "
      "echo called six times in a row%s:\n\n| clients | manifests/s | p50 "
      "us | p99 us | writes/s | durable echo x6/s | Cradle / durable echo "
      "|%s\n|---:|---:|---:|---:|---:|---:|---:|%s\n",
      noisy > 0 ? absl::StrCat("; then again beside ", noisy,
                               " busy neighbour processes")
                      .c_str()
                : "",
      noisy > 0 ? " noisy: manifests/s | p99 us | durable echo x6/s | Cradle "
                  "/ durable echo | noisy / quiet |"
                : "",
      noisy > 0 ? "---:|---:|---:|---:|---:|" : "");
  for (absl::string_view c :
       absl::StrSplit(absl::GetFlag(FLAGS_clients), ',')) {
    int clients = 0;
    if (!absl::SimpleAtoi(c, &clients) || clients < 1) return 1;
    const Result cradle = Drive(clients, d, lifecycle, pid);
    ++run;
    const Result echoes = Drive(clients, d, six_echoes);
    const double quiet_ratio = cradle.per_second / echoes.per_second;
    std::string loud_cells;
    if (noisy > 0) {
      const std::vector<pid_t> burners = StartBurners(noisy);
      const Result loud = Drive(clients, d, lifecycle, pid);
      ++run;
      const Result loud_echoes = Drive(clients, d, six_echoes);
      StopBurners(burners);
      const double loud_ratio = loud.per_second / loud_echoes.per_second;
      loud_cells = absl::StrFormat(
          " %.0f | %.0f | %.0f | %.2f | %.2f |", loud.per_second, loud.p99,
          loud_echoes.per_second, loud_ratio, loud_ratio / quiet_ratio);
    }
    std::printf("| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f |%s\n", clients,
                cradle.per_second, cradle.p50, cradle.p99,
                cradle.per_second * 6, echoes.per_second, quiet_ratio,
                loud_cells.c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cradle::ShowOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "Durable Manifests.Open calls/s and latency through a cradled child "
      "process at each number of clients, next to a gRPC echo, RocksDB sync "
      "puts and a durable echo measured in the same run, with the CPU each "
      "costs per call.\n  e2e_bench --seconds=5 --clients=1,16,64");
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_serve).empty()) {
    return Serve(absl::GetFlag(FLAGS_serve));
  }
  namespace fs = std::filesystem;
  const absl::Duration d = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  const std::string dir =
      (fs::temp_directory_path() / absl::StrCat("cradle-e2e-", getpid()))
          .string();
  fs::create_directories(dir);

  // cradled, durable (its default), in a child process.
  std::string binary = absl::GetFlag(FLAGS_cradled);
  if (binary.empty()) {
    binary = (fs::read_symlink("/proc/self/exe").parent_path().parent_path() /
              "services" / "cradled")
                 .string();
  }
  // The scrubber off: this measures the write path alone, as before it
  // existed (--scrub_compare measures what it costs).
  const Child cradled =
      StartServer({binary, "--data=" + dir + "/cradle", "--listen=127.0.0.1:0",
                   "--insecure", "--scrub_rate=0"});
  if (cradled.pid == 0) return 1;
  const pid_t pid = cradled.pid;
  const std::string& address = cradled.address;
  auto channel =
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials());

  auto as = [](grpc::ClientContext* ctx, const std::string& token) {
    ctx->AddMetadata("authorization", "Bearer " + token);
  };
  const int plan_year = static_cast<int>(
      absl::ToCivilYear(absl::Now(), cradle::domain::ChinaTime()).year());
  // The parties: one generator, carrier and licensed receiver in Jiaxing.
  const std::string gen = Uscc("330402", 1), car = Uscc("330421", 2),
                    rec = Uscc("330481", 3);
  // Registers them on the cradled at `channel` whose data is `data`; returns
  // the generator's token, or "" (after printing why).
  auto enroll = [&](const std::shared_ptr<grpc::Channel>& channel,
                    const std::string& data) -> std::string {
    auto registry = cradle::v1::Registry::NewStub(channel);
    const std::string admin = FirstLine(data + "/admin.token");
    int key = 0;
    for (auto [id, role] : {std::pair{gen, cradle::v1::ROLE_GENERATOR},
                            std::pair{car, cradle::v1::ROLE_TRANSPORTER},
                            std::pair{rec, cradle::v1::ROLE_RECEIVER}}) {
      grpc::Status s =
          RegisterEnterprise(registry.get(), admin, absl::StrCat("reg-", ++key),
                             id, "bench", role);
      if (!s.ok()) {
        std::fprintf(stderr, "e2e_bench: %s\n", s.error_message().c_str());
        return "";
      }
    }
    cradle::v1::GrantLicenceRequest l;
    l.mutable_meta()->set_idempotency_key("licence");
    l.set_receiver(rec);
    l.mutable_licence()->set_number("L1");
    l.mutable_licence()->add_codes("HW08");
    l.mutable_licence()->set_capacity_kg(int64_t{1000} * 1000 * 1000);
    l.mutable_licence()->set_valid_until("2099-12-31");
    {
      cradle::v1::GrantLicenceResponse out;
      grpc::ClientContext ctx;
      as(&ctx, admin);
      grpc::Status s = registry->GrantLicence(&ctx, l, &out);
      if (!s.ok()) {
        std::fprintf(stderr, "e2e_bench: %s\n", s.error_message().c_str());
        return "";
      }
    }
    // The generator's credential: every open below is authenticated.
    cradle::v1::IssueCredentialRequest req;
    req.mutable_meta()->set_idempotency_key("credential");
    req.set_kind(cradle::v1::CREDENTIAL_KIND_PARTY);
    req.set_enterprise(gen);
    req.set_role(cradle::v1::ROLE_GENERATOR);
    cradle::v1::IssueCredentialResponse out;
    grpc::ClientContext ctx;
    as(&ctx, admin);
    grpc::Status s =
        cradle::v1::Credentials::NewStub(channel)->Issue(&ctx, req, &out);
    if (!s.ok()) {
      std::fprintf(stderr, "e2e_bench: %s\n", s.error_message().c_str());
      return "";
    }
    // The generator's plan for the year, which the full form names: the
    // first filed on each ledger, so numbered <division>-<year>-0001.
    cradle::v1::FilePlanRequest plan;
    plan.mutable_meta()->set_idempotency_key("plan");
    cradle::v1::ManagementPlan* p = plan.mutable_plan();
    p->set_generator(gen);
    p->set_year(plan_year);
    p->set_tier(cradle::v1::GENERATOR_TIER_KEY);
    for (const char* code : {"900-249-08", "900-200-08", "900-210-08"}) {
      cradle::v1::PlanLine* l = p->add_lines();
      l->set_code(code);
      l->set_expected_g(cradle::domain::kMaxPlanGrams);
      cradle::v1::PlannedTransfer* t = l->add_transfers();
      t->set_receiver(rec);
      t->set_quantity_g(cradle::domain::kMaxPlanGrams);
    }
    cradle::v1::FilePlanResponse filed;
    grpc::ClientContext plan_ctx;
    as(&plan_ctx, out.token());
    s = registry->FilePlan(&plan_ctx, plan, &filed);
    if (!s.ok()) {
      std::fprintf(stderr, "e2e_bench: plan: %s\n", s.error_message().c_str());
      return "";
    }
    return out.token();
  };
  const std::string generator = enroll(channel, dir + "/cradle");
  if (generator.empty()) return Fail(pid, "cannot enroll the parties");
  auto open_request = [&](int client, uint64_t i) {
    cradle::v1::OpenManifestRequest r;
    r.mutable_meta()->set_idempotency_key(absl::StrCat("o-", client, "-", i));
    r.mutable_meta()->set_device(absl::StrCat("pda-", client));
    r.set_generator(gen);
    r.set_carrier(car);
    r.set_receiver(rec);
    cradle::v1::WasteLine* w = r.add_lines();
    w->set_code("900-249-08");
    w->set_quantity_g(1250000);
    w->set_packaging("drum");
    w->set_package_count(10);
    r.set_method("D10");
    return r;
  };
  const size_t payload_bytes = open_request(0, 0).ByteSizeLong();
  // The same trip with the whole legal form: three lines, every field of
  // the generator's part, at the sizes real forms carry.
  auto full_request = [&](int client, uint64_t i) {
    cradle::v1::OpenManifestRequest r = open_request(client, i);
    r.mutable_meta()->set_idempotency_key(absl::StrCat("f-", client, "-", i));
    r.mutable_meta()->set_person("王经理");
    r.clear_lines();
    // Three HW08 codes, all under the receiver's licence (T,I each).
    for (const char* code : {"900-249-08", "900-200-08", "900-210-08"}) {
      cradle::v1::WasteLine* w = r.add_lines();
      w->set_code(code);
      w->set_quantity_g(1250000);
      w->set_packaging("铁桶");
      w->set_package_count(10);
      w->set_common_name("废机油及油泥");
      w->add_hazards(cradle::v1::HAZARD_CHARACTERISTIC_TOXICITY);
      w->add_hazards(cradle::v1::HAZARD_CHARACTERISTIC_IGNITABILITY);
      w->set_form(cradle::v1::PHYSICAL_FORM_LIQUID);
      w->set_constituents("矿物油 85%, 苯系物 2%, 重金属 (铅、铬) 微量");
      w->set_precautions(
          "禁忌: 远离火源、热源与强氧化剂; 应急: 泄漏时以沙土围堵吸附, "
          "火灾用干粉或泡沫灭火, 人员接触后用大量清水冲洗并就医");
      w->set_purpose(cradle::v1::TRANSFER_PURPOSE_DISPOSE);
      w->set_dg_class("3");
      w->set_un_number("UN1993");
    }
    cradle::v1::Dispatch* dispatch = r.mutable_dispatch();
    dispatch->set_contact("王经理");
    dispatch->set_contact_mobile("13812345678");
    dispatch->set_emergency_phone("0573-82345678");
    dispatch->set_address(
        "浙江省嘉兴市南湖区大桥镇某某路 1888 号 3 号危废仓库");
    dispatch->set_plan_number(absl::StrCat("330402-", plan_year, "-0001"));
    return r;
  };

  // The ceilings' servers, each in a process of its own, as cradled is.
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  const Child echo = StartServer({self, "--serve=echo"});
  const Child durable_echo =
      StartServer({self, "--serve=durable-echo:" + dir + "/durable"});
  if (echo.pid == 0 || durable_echo.pid == 0) {
    if (echo.pid != 0) Stop(echo);
    if (durable_echo.pid != 0) Stop(durable_echo);
    return Fail(pid, "cannot start the echo servers");
  }
  auto echo_stub = cradle::bench::Echo::NewStub(
      grpc::CreateChannel(echo.address, grpc::InsecureChannelCredentials()));
  auto durable_stub = cradle::bench::Echo::NewStub(grpc::CreateChannel(
      durable_echo.address, grpc::InsecureChannelCredentials()));
  cradle::bench::EchoMessage echo_msg;
  echo_msg.set_payload(std::string(payload_bytes, 'p'));

  auto manifests = cradle::v1::Manifests::NewStub(channel);
  // One open before the runs: its reply's size, and a warm server.
  size_t reply_bytes = 0;
  {
    cradle::v1::OpenManifestResponse reply;
    grpc::ClientContext ctx;
    as(&ctx, generator);
    grpc::Status s = manifests->Open(&ctx, open_request(0, 999999999), &reply);
    if (!s.ok()) return Fail(pid, s.error_message());
    reply_bytes = reply.ByteSizeLong();
  }
  std::printf(
      "event: Manifests.Open, %zu-byte request, %zu-byte reply, fsync'd "
      "before the reply; %.0f s per row\n\n",
      payload_bytes, reply_bytes, absl::ToDoubleSeconds(d));
  std::printf(
      "| clients | Cradle events/s | p50 us | p99 us | gRPC echo/s | RocksDB "
      "sync puts/s | ceiling | Cradle / ceiling | durable echo/s | Cradle / "
      "durable echo |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  int run = 0;
  // Drive's operation: one open on `stub` as `token`.
  auto open_on = [&](cradle::v1::Manifests::Stub* stub,
                     const std::string& token) {
    return [&, stub, token](int t, uint64_t i) {
      cradle::v1::OpenManifestResponse reply;
      grpc::ClientContext ctx;
      as(&ctx, token);
      return stub->Open(&ctx, open_request(t, i + 1000000 * run), &reply).ok();
    };
  };
  // Drive's operation: one echo call on `stub`.
  auto echo_call = [&](cradle::bench::Echo::Stub* stub) {
    return [&echo_msg, stub](int, uint64_t) {
      cradle::bench::EchoMessage reply;
      grpc::ClientContext ctx;
      return stub->Echo(&ctx, echo_msg, &reply).ok();
    };
  };
  std::string cpu_rows;
  for (absl::string_view c :
       absl::StrSplit(absl::GetFlag(FLAGS_clients), ',')) {
    int clients = 0;
    if (!absl::SimpleAtoi(c, &clients) || clients < 1) return 2;
    const Result cradle =
        Drive(clients, d, open_on(manifests.get(), generator), pid);
    const Result grpc_echo =
        Drive(clients, d, echo_call(echo_stub.get()), echo.pid);
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(options, absl::StrCat(dir, "/raw-", run), &raw)
             .ok()) {
      return 1;
    }
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    const Result rocks = Drive(clients, d, [&](int t, uint64_t i) {
      return db->Put(sync, absl::StrCat(t, "/", i), echo_msg.payload()).ok();
    });
    db.reset();
    const Result durable =
        Drive(clients, d, echo_call(durable_stub.get()), durable_echo.pid);
    const double ceiling = std::min(grpc_echo.per_second, rocks.per_second);
    std::printf(
        "| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.0f | %.2f "
        "|\n",
        clients, cradle.per_second, cradle.p50, cradle.p99,
        grpc_echo.per_second, rocks.per_second, ceiling,
        cradle.per_second / ceiling, durable.per_second,
        cradle.per_second / durable.per_second);
    std::fflush(stdout);
    cpu_rows += absl::StrFormat(
        "| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f "
        "|\n",
        clients, cradle.server_cpu_us, cradle.client_cpu_us,
        grpc_echo.server_cpu_us, grpc_echo.client_cpu_us, rocks.client_cpu_us,
        durable.server_cpu_us, durable.client_cpu_us, cradle.server_switches,
        durable.server_switches);
    ++run;
  }
  std::printf(
      "\nCPU per call, us (user + system, all threads), and the servers' "
      "context switches per call (all threads, voluntary and not):\n\n| "
      "clients | cradled | its client | echo server | its client | RocksDB "
      "sync put | durable echo server | its client | cradled switches | "
      "durable echo switches |\n|---:|---:|---:|---:|---:|---:|---:|---:|"
      "---:|---:|\n%s",
      cpu_rows.c_str());
  if (const int noisy = absl::GetFlag(FLAGS_noisy_neighbour); noisy > 0) {
    // Each pair quiet, then with the neighbours spinning: how much of its
    // rate each keeps, and whether Cradle degrades more than the durable
    // echo does (noisy / quiet of their ratio; 1.0: alike).
    std::printf(
        "\nWith %d busy neighbour processes (opens; each cell a %.0f s "
        "run):\n\n| clients | quiet: Cradle/s | durable echo/s | Cradle / "
        "durable echo | noisy: Cradle/s | p99 us | durable echo/s | p99 us | "
        "Cradle / durable echo | noisy / quiet |\n|---:|---:|---:|---:|---:|"
        "---:|---:|---:|---:|---:|\n",
        noisy, absl::ToDoubleSeconds(d));
    auto opens = [&](int clients) {
      const Result r =
          Drive(clients, d, open_on(manifests.get(), generator), pid);
      ++run;
      return r;
    };
    auto durable_echoes = [&](int clients) {
      return Drive(clients, d, echo_call(durable_stub.get()), durable_echo.pid);
    };
    for (absl::string_view c :
         absl::StrSplit(absl::GetFlag(FLAGS_clients), ',')) {
      int clients = 0;
      if (!absl::SimpleAtoi(c, &clients) || clients < 1) return 2;
      const Result quiet = opens(clients);
      const Result quiet_echo = durable_echoes(clients);
      const std::vector<pid_t> burners = StartBurners(noisy);
      const Result loud = opens(clients);
      const Result loud_echo = durable_echoes(clients);
      StopBurners(burners);
      const double quiet_ratio = quiet.per_second / quiet_echo.per_second;
      const double loud_ratio = loud.per_second / loud_echo.per_second;
      std::printf(
          "| %d | %.0f | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %.2f | "
          "%.2f |\n",
          clients, quiet.per_second, quiet_echo.per_second, quiet_ratio,
          loud.per_second, loud.p99, loud_echo.per_second, loud_echo.p99,
          loud_ratio, loud_ratio / quiet_ratio);
      std::fflush(stdout);
    }
  }
  if (absl::GetFlag(FLAGS_lifecycle)) {
    const uint64_t load = absl::GetFlag(FLAGS_lifecycle_load);
    if (int rc = Lifecycles(channel, dir + "/cradle", generator, gen, car, rec,
                            durable_stub.get(), echo_msg, d, pid, load);
        rc != 0) {
      Stop(echo);
      Stop(durable_echo);
      return Fail(pid, "the lifecycle runs failed");
    }
    if (load > 0) {
      // Killed as a machine dies, then started on the same directory: how
      // long until it answers again, and what it holds.
      Stop(echo);
      Stop(durable_echo);
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      close(cradled.out);
      const std::string data = dir + "/cradle";
      const uint64_t bytes = TreeBytes(data);
      const absl::Time start = absl::Now();
      const Child again =
          StartServer({binary, "--data=" + data, "--listen=127.0.0.1:0",
                       "--insecure", "--scrub_rate=0"});
      if (again.pid == 0) return 1;
      auto audit = cradle::v1::Audit::NewStub(grpc::CreateChannel(
          again.address, grpc::InsecureChannelCredentials()));
      const std::string admin = FirstLine(data + "/admin.token");
      cradle::v1::GetTreeHeadResponse head;
      for (;;) {
        grpc::ClientContext ctx;
        as(&ctx, admin);
        if (audit->GetTreeHead(&ctx, cradle::v1::GetTreeHeadRequest(), &head)
                .ok()) {
          break;
        }
        absl::SleepFor(absl::Milliseconds(10));
      }
      std::printf(
          "\nRestart after SIGKILL: answering again in %.2f s, %llu entries, "
          "%.0f MB on disk, %.0f MB resident after its first answer.\n",
          absl::ToDoubleSeconds(absl::Now() - start),
          static_cast<unsigned long long>(head.tree_head().tree_size()),
          bytes / 1e6, StatusKb(again.pid, "VmRSS") / 1024.0);
      Stop(again);
      fs::remove_all(dir);
      return 0;
    }
  }
  Stop(echo);
  Stop(durable_echo);
  if (absl::GetFlag(FLAGS_scrub_compare)) {
    // Two fresh cradleds, one scrubbing (deep, at its default rate) without
    // rest and one not, measured in turn at each client count, so that
    // their ledgers grow alike.
    const Child quiet =
        StartServer({binary, "--data=" + dir + "/quiet", "--listen=127.0.0.1:0",
                     "--insecure", "--scrub_rate=0"});
    const Child scrubbing =
        StartServer({binary, "--data=" + dir + "/scrubbing",
                     "--listen=127.0.0.1:0", "--insecure", "--scrub_pause=0s"});
    if (quiet.pid == 0 || scrubbing.pid == 0) {
      return Fail(pid, "cannot start two more cradleds");
    }
    auto quiet_channel =
        grpc::CreateChannel(quiet.address, grpc::InsecureChannelCredentials());
    auto scrub_channel = grpc::CreateChannel(
        scrubbing.address, grpc::InsecureChannelCredentials());
    const std::string quiet_generator = enroll(quiet_channel, dir + "/quiet");
    const std::string scrub_generator =
        enroll(scrub_channel, dir + "/scrubbing");
    if (quiet_generator.empty() || scrub_generator.empty()) {
      Stop(quiet);
      Stop(scrubbing);
      return Fail(pid, "cannot enroll the parties");
    }
    auto quiet_manifests = cradle::v1::Manifests::NewStub(quiet_channel);
    auto scrub_manifests = cradle::v1::Manifests::NewStub(scrub_channel);
    std::printf(
        "\nThe scrubber's cost: opens/s of a cradled scrubbing without rest "
        "(deep, default rate) and of one not scrubbing, measured in turn:\n\n"
        "| clients | scrubber off | CPU us/call | scrubber on | CPU us/call | "
        "on / off |\n|---:|---:|---:|---:|---:|---:|\n");
    for (absl::string_view c :
         absl::StrSplit(absl::GetFlag(FLAGS_clients), ',')) {
      int clients = 0;
      if (!absl::SimpleAtoi(c, &clients) || clients < 1) return 2;
      const Result off =
          Drive(clients, d, open_on(quiet_manifests.get(), quiet_generator),
                quiet.pid);
      ++run;
      const Result on =
          Drive(clients, d, open_on(scrub_manifests.get(), scrub_generator),
                scrubbing.pid);
      ++run;
      std::printf("| %d | %.0f | %.0f | %.0f | %.0f | %.2f |\n", clients,
                  off.per_second, off.server_cpu_us, on.per_second,
                  on.server_cpu_us, on.per_second / off.per_second);
      std::fflush(stdout);
    }
    Stop(quiet);
    Stop(scrubbing);
  }
  if (absl::GetFlag(FLAGS_full_compare)) {
    const size_t full_bytes = full_request(0, 0).ByteSizeLong();
    std::printf(
        "\nThe whole legal form: opens/s of a %zu-byte full manifest (three "
        "lines, every field) and of the %zu-byte minimal one, in turn on the "
        "same cradled:\n\n| clients | minimal/s | CPU us/open | full/s | "
        "CPU us/open | full / minimal |\n|---:|---:|---:|---:|---:|---:|\n",
        full_bytes, payload_bytes);
    for (absl::string_view c :
         absl::StrSplit(absl::GetFlag(FLAGS_clients), ',')) {
      int clients = 0;
      if (!absl::SimpleAtoi(c, &clients) || clients < 1) return 2;
      auto open_with = [&](auto request) {
        return [&, request](int t, uint64_t i) {
          cradle::v1::OpenManifestResponse reply;
          grpc::ClientContext ctx;
          as(&ctx, generator);
          return manifests->Open(&ctx, request(t, i + 1000000 * run), &reply)
              .ok();
        };
      };
      const Result minimal = Drive(clients, d, open_with(open_request), pid);
      ++run;
      const Result full = Drive(clients, d, open_with(full_request), pid);
      ++run;
      std::printf("| %d | %.0f | %.0f | %.0f | %.0f | %.2f |\n", clients,
                  minimal.per_second, minimal.server_cpu_us, full.per_second,
                  full.server_cpu_us, full.per_second / minimal.per_second);
      std::fflush(stdout);
    }
  }
  if (!absl::GetFlag(FLAGS_cluster).empty()) {
    const std::vector<std::string> nodes =
        absl::StrSplit(absl::GetFlag(FLAGS_cluster), ',');
    const std::string token_file = absl::GetFlag(FLAGS_cluster_token);
    if (nodes.size() != 2 || token_file.empty()) {
      return Fail(pid, "--cluster=WRITER,FOLLOWER needs --cluster_token=FILE");
    }
    auto writer_channel =
        grpc::CreateChannel(nodes[0], grpc::InsecureChannelCredentials());
    auto follower_channel =
        grpc::CreateChannel(nodes[1], grpc::InsecureChannelCredentials());
    const std::string cluster_generator =
        enroll(writer_channel, fs::path(token_file).parent_path().string());
    if (cluster_generator.empty()) {
      return Fail(pid, "cannot enroll the parties on the cluster");
    }
    std::unique_ptr<LagSampler> national;
    if (!absl::GetFlag(FLAGS_national).empty()) {
      national = std::make_unique<LagSampler>(
          writer_channel, FirstLine(token_file),
          grpc::CreateChannel(absl::GetFlag(FLAGS_national),
                              grpc::InsecureChannelCredentials()),
          FirstLine(absl::GetFlag(FLAGS_national_token)));
    }
    std::vector<std::pair<int, LagSampler::Lag>> lags;
    auto on_writer = cradle::v1::Manifests::NewStub(writer_channel);
    auto on_follower = cradle::v1::Manifests::NewStub(follower_channel);
    std::printf(
        "\nEmbedded vs a three-node cluster: opens/s and latency (us) of the "
        "embedded cradled above, of the cluster's writer node and of a "
        "follower (which forwards each write to the writer and answers once "
        "it holds it), in turn:\n\n| clients | embedded/s | p50 | p99 | "
        "writer/s | p50 | p99 | follower/s | p50 | p99 | writer / embedded "
        "|\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (absl::string_view c :
         absl::StrSplit(absl::GetFlag(FLAGS_clients), ',')) {
      int clients = 0;
      if (!absl::SimpleAtoi(c, &clients) || clients < 1) return 2;
      const Result embedded =
          Drive(clients, d, open_on(manifests.get(), generator), pid);
      ++run;
      if (national != nullptr) national->Start();
      const Result writer =
          Drive(clients, d, open_on(on_writer.get(), cluster_generator));
      if (national != nullptr) lags.emplace_back(clients, national->Stop());
      ++run;
      const Result follower =
          Drive(clients, d, open_on(on_follower.get(), cluster_generator));
      ++run;
      std::printf(
          "| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | "
          "%.0f | %.2f |\n",
          clients, embedded.per_second, embedded.p50, embedded.p99,
          writer.per_second, writer.p50, writer.p99, follower.per_second,
          follower.p50, follower.p99, writer.per_second / embedded.per_second);
      std::fflush(stdout);
    }
    if (!lags.empty()) {
      std::printf(
          "\nThe national node's copy of the province while the writer was "
          "loaded: entries behind the writer (sampled every 20 ms), and the "
          "time for the copy to reach the writer's head once the load "
          "stopped:\n\n| clients | mean entries behind | max | settled in "
          "ms |\n|---:|---:|---:|---:|\n");
      for (const auto& [clients, lag] : lags) {
        std::printf("| %d | %.0f | %llu | %.0f |\n", clients, lag.mean_entries,
                    static_cast<unsigned long long>(lag.max_entries),
                    lag.settle_ms);
      }
    }
    if (!absl::GetFlag(FLAGS_cluster_log).empty()) {
      MeasureCatchUp(binary, dir + "/joining", absl::GetFlag(FLAGS_cluster_log),
                     writer_channel, token_file);
    }
  }
  Stop(cradled);
  fs::remove_all(dir);
  return 0;
}
