// audit_bench: the regulator's reads on a large ledger, through the real
// server and a gRPC channel, at 100k and again at 1M manifests, to show the
// cost does not grow with the ledger.
//
//   build/bench/audit_bench --manifests=1000000 --checkpoints=100000,1000000
//
// Manifests are opened in process through ManifestStore (the same path as
// Manifests.Open, minus the network) across Zhejiang's 11 cities, with
// fsync off while loading; the timed queries go through gRPC.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

#include "bench/latency.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "domain/uscc.h"
#include "services/manifest_store.h"
#include "services/server.h"
#include "storage/merkle.h"

ABSL_FLAG(int, manifests, 1000000, "manifests to load in all");
ABSL_FLAG(std::string, checkpoints, "100000,1000000",
          "sizes at which the queries are timed");
ABSL_FLAG(int, queries, 300, "calls timed per query kind and checkpoint");
ABSL_FLAG(std::string, dir, "", "directory (default: a fresh one in /tmp)");

namespace {

using cradle::bench::Latencies;

// Zhejiang's 11 cities, one county each.
const char* kCounties[] = {"330102", "330203", "330302", "330402",
                           "330502", "330602", "330702", "330802",
                           "330902", "331002", "331102"};

std::string Uscc(const std::string& division, int n) {
  std::string first17 = absl::StrCat("91", division, "MA", 1000000 + n);
  first17.resize(17, '0');
  return first17 + *cradle::domain::UsccCheckCharacter(first17);
}

struct Parties {
  std::vector<std::string> generators, receivers;
  std::string carrier;
};

// Registers a generator and a licensed receiver per city and one carrier,
// straight into the registry's state and indexes.
Parties Register(cradle::storage::Ledger& ledger) {
  Parties p;
  cradle::storage::AppendRequest r;
  r.stream = "bench/registry";
  r.entries.push_back({"bench.load", "x", "bench"});
  auto add = [&](const std::string& id, const std::string& division,
                 cradle::v1::Role role) {
    cradle::v1::Enterprise e;
    e.set_id(id);
    e.set_name("bench");
    e.set_division(division);
    e.add_roles(role);
    if (role == cradle::v1::RECEIVER) {
      cradle::v1::Licence* l = e.add_licences();
      l->set_number("L");
      l->add_codes("HW08");
      l->set_capacity_kg(int64_t{1} << 40);
      l->set_valid_until("2099-12-31");
      r.mutations.push_back(cradle::storage::Mutation{
          cradle::storage::Table::kIndex,
          absl::StrCat("r/city/", division.substr(0, 4), "/", id), ""});
    }
    r.mutations.push_back(
        cradle::storage::Mutation{cradle::storage::Table::kState,
                                  "enterprise/" + id, e.SerializeAsString()});
  };
  for (int i = 0; i < 11; ++i) {
    p.generators.push_back(Uscc(kCounties[i], i));
    add(p.generators.back(), kCounties[i], cradle::v1::GENERATOR);
    p.receivers.push_back(Uscc(kCounties[i], 100 + i));
    add(p.receivers.back(), kCounties[i], cradle::v1::RECEIVER);
  }
  p.carrier = Uscc("330402", 999);
  add(p.carrier, "330402", cradle::v1::TRANSPORTER);
  if (!ledger.AppendAndWait(std::move(r)).ok()) std::exit(1);
  return p;
}

// Opens manifests [from, to), 64 in flight; 1 in 10 crosses a city.
void Load(cradle::services::ManifestStore& store, const Parties& p, int from,
          int to) {
  absl::Mutex mu;
  int in_flight = 0, failed = 0;
  const absl::Time start = absl::Now();
  for (int i = from; i < to; ++i) {
    cradle::v1::OpenManifestRequest req;
    req.mutable_meta()->set_idempotency_key(absl::StrCat("load-", i));
    const int city = i % 11;
    req.set_generator(p.generators[city]);
    req.set_carrier(p.carrier);
    req.set_receiver(p.receivers[i % 10 == 0 ? (city + 1) % 11 : city]);
    cradle::v1::WasteLine* line = req.add_lines();
    line->set_code("900-249-08");
    line->set_quantity_g(1000 + i % 5000);
    {
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(
          +[](int* n) { return *n < 64; }, &in_flight));
      ++in_flight;
    }
    cradle::domain::Principal who;
    who.credential = "bench";
    who.kind = cradle::v1::PARTY;
    who.enterprise = req.generator();
    store.Open(req, who, [&](absl::StatusOr<cradle::v1::ManifestReply> r) {
      absl::MutexLock lock(&mu);
      --in_flight;
      if (!r.ok()) ++failed;
    });
    if ((i + 1) % 100000 == 0) {
      std::fprintf(stderr, "  loaded %d manifests (%.0f/s)\n", i + 1,
                   (i + 1 - from) / absl::ToDoubleSeconds(absl::Now() - start));
    }
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](int* n) { return *n == 0; }, &in_flight));
  if (failed > 0) {
    std::fprintf(stderr, "%d opens failed\n", failed);
    std::exit(1);
  }
}

template <typename Call>
void Time(const char* what, int n, int size, Call call) {
  Latencies lat;
  for (int i = 0; i < n; ++i) {
    const absl::Time start = absl::Now();
    call(i);
    lat.Add(absl::ToInt64Microseconds(absl::Now() - start));
  }
  std::printf("| %9d | %-44s | %8.0f | %8.0f |\n", size, what,
              lat.Percentile(50), lat.Percentile(99));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  namespace fs = std::filesystem;
  std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty()) {
    dir = (fs::temp_directory_path() / absl::StrCat("cradle-audit-", getpid()))
              .string();
  }
  cradle::services::ServerOptions options;
  options.data_dir = dir;
  options.listen = "127.0.0.1:0";
  options.sync = false;
  options.sweep_interval = absl::ZeroDuration();
  options.insecure = true;  // loopback
  auto server = cradle::services::CradleServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  const Parties parties = Register((*server)->ledger());
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                          grpc::InsecureChannelCredentials());
  auto audit = cradle::v1::Audit::NewStub(channel);
  // The province's regulator, issued with the administrator's token.
  std::string regulator;
  {
    std::ifstream in(dir + "/admin.token");
    std::string admin;
    std::getline(in, admin);
    cradle::v1::IssueCredentialRequest req;
    req.mutable_meta()->set_idempotency_key("bench-regulator");
    req.set_kind(cradle::v1::REGULATOR);
    req.set_jurisdiction("33");
    cradle::v1::IssueCredentialResponse out;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin);
    grpc::Status s =
        cradle::v1::Credentials::NewStub(channel)->Issue(&ctx, req, &out);
    if (!s.ok()) {
      std::fprintf(stderr, "regulator: %s\n", s.error_message().c_str());
      return 1;
    }
    regulator = "Bearer " + out.token();
  }
  std::mt19937 rng(1);

  std::printf(
      "| manifests | query | p50 us | p99 us |\n|---:|---|---:|---:|\n");
  int loaded = 0;
  const int queries = absl::GetFlag(FLAGS_queries);
  for (absl::string_view c :
       absl::StrSplit(absl::GetFlag(FLAGS_checkpoints), ',')) {
    int target = 0;
    if (!absl::SimpleAtoi(c, &target)) return 2;
    target = std::min(target, absl::GetFlag(FLAGS_manifests));
    Load((*server)->store(), parties, loaded, target);
    loaded = target;
    const uint64_t per_city = loaded / 11;

    Time("city query, first page of 100 rows", queries, loaded, [&](int i) {
      cradle::v1::JurisdictionQuery q;
      q.set_jurisdiction(std::string(kCounties[i % 11]).substr(0, 4));
      q.set_page_size(100);
      cradle::v1::ListManifestsResponse out;
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", regulator);
      if (!audit->Manifests(&ctx, q, &out).ok() ||
          out.manifests_size() != 100) {
        std::exit(1);
      }
    });
    auto random_number = [&] {
      const int city = rng() % 11;
      const uint64_t serial = 1 + rng() % per_city;
      return absl::StrCat("2026", std::string(kCounties[city]).substr(0, 4),
                          absl::Dec(serial, absl::kZeroPad6));
    };
    Time("chain of custody of one manifest", queries, loaded, [&](int) {
      cradle::v1::ChainRequest req;
      req.set_number(random_number());
      cradle::v1::ChainResponse out;
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", regulator);
      if (!audit->Chain(&ctx, req, &out).ok() || !out.verified()) std::exit(1);
    });
    cradle::v1::SignedTreeHead head;
    {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", regulator);
      if (!audit->TreeHead(&ctx, cradle::v1::TreeHeadRequest(), &head).ok()) {
        return 1;
      }
    }
    const std::string root = absl::HexStringToBytes(head.root_hash());
    std::vector<cradle::v1::ProveResponse> proofs(queries);
    Time("inclusion proofs of one manifest's entries", queries, loaded,
         [&](int i) {
           cradle::v1::ProveRequest req;
           req.set_number(random_number());
           req.set_tree_size(head.tree_size());
           grpc::ClientContext ctx;
           ctx.AddMetadata("authorization", regulator);
           if (!audit->Prove(&ctx, req, &proofs[i]).ok()) std::exit(1);
         });
    Time("verify those proofs, offline", queries, loaded, [&](int i) {
      for (const auto& p : proofs[i].proofs()) {
        std::vector<std::string> path;
        for (const std::string& h : p.path()) {
          path.push_back(absl::HexStringToBytes(h));
        }
        if (!cradle::storage::merkle::VerifyInclusion(
                p.entry().sequence() - 1, head.tree_size(),
                cradle::storage::merkle::LeafHash(
                    absl::HexStringToBytes(p.entry().hash())),
                path, root)) {
          std::exit(1);
        }
      }
    });
  }
  std::error_code ec;
  const uint64_t bytes = [&] {
    uint64_t total = 0;
    for (const auto& f : fs::recursive_directory_iterator(dir, ec)) {
      if (f.is_regular_file()) total += f.file_size();
    }
    return total;
  }();
  std::printf("\nledger: %d manifests, %.1f MB on disk (%.0f bytes/manifest)\n",
              loaded, bytes / 1e6, static_cast<double>(bytes) / loaded);
  // Restart: open the ledger again (tail check, Merkle frontier) and serve.
  (*server)->Shutdown();
  server->reset();
  const absl::Time restart = absl::Now();
  auto again = cradle::services::CradleServer::Start(options);
  if (!again.ok()) {
    std::fprintf(stderr, "%s\n", again.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "restart: serving again %.0f ms after start, head at entry "
      "%llu\n",
      absl::ToDoubleMilliseconds(absl::Now() - restart),
      static_cast<unsigned long long>((*again)->ledger().GetHead().sequence));
  (*again)->Shutdown();
  again->reset();
  fs::remove_all(dir, ec);
  return 0;
}
