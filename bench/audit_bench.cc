// audit_bench: the regulator's reads on a large ledger, through the real
// server and a gRPC channel, at 100k and again at 1M manifests, to show the
// cost does not grow with the ledger.
//
//   build/bench/audit_bench --manifests=1000000 --checkpoints=100000,1000000
//
// Manifests are written in process through ManifestStore (the same path as
// the Manifests and Transfers services, minus the network and the gate)
// across Zhejiang's 11 cities, each through its whole chain by default (six
// entries), with fsync off while loading; the timed queries go through gRPC.
// It reports the ingest rate per 100k manifests (it must stay flat), disk
// bytes per manifest, resident memory and the restart time.

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

#include "base/flags_usage.h"
#include "base/latency.h"
#include "bench/harness.h"
#include "bench/party.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/uscc.h"
#include "services/deep_verify.h"
#include "services/ledger_check.h"
#include "services/manifest_store.h"
#include "services/server.h"
#include "storage/entry_codec.h"
#include "storage/merkle.h"

ABSL_FLAG(int, manifests, 1000000, "manifests to load in all");
ABSL_FLAG(std::string, checkpoints, "100000,1000000",
          "sizes at which the queries are timed");
ABSL_FLAG(int, queries, 300, "calls timed per query kind and checkpoint");
ABSL_FLAG(std::string, dir, "", "directory (default: a fresh one in /tmp)");
ABSL_FLAG(bool, verify, true,
          "after the queries, time the checks of the whole ledger: the "
          "chain, what is derived from it, and deep verification");
ABSL_FLAG(int, verify_repeats, 3,
          "rounds of the whole-ledger checks, each check once a round, each "
          "round once the load's compactions are done; the table shows each "
          "check's fastest");
ABSL_FLAG(bool, lifecycle, true,
          "take every manifest through its whole chain (six entries: open, "
          "issue, pickup, delivery, receipt, disposal); false: open only");

namespace {

using cradle::Latencies;
using cradle::bench::Party;
using cradle::bench::Uscc;

constexpr char kPlate[] = "浙F12345";

// Zhejiang's 11 cities, one county each.
const char* kCounties[] = {"330102", "330203", "330302", "330402",
                           "330502", "330602", "330702", "330802",
                           "330902", "331002", "331102"};

struct Parties {
  std::vector<std::string> generators, receivers;
  std::string carrier;
};

// Registers a generator and a licensed receiver per city and one carrier
// through the Registry service, as the administrator: the ledger then holds
// their streams, and the deep check can replay everything it serves.
// The reply type of a stub's blocking method.
template <typename Method>
struct ReplyOf;
template <typename Stub, typename Request, typename Reply>
struct ReplyOf<grpc::Status (Stub::*)(grpc::ClientContext*, const Request&,
                                      Reply*)> {
  using type = Reply;
};

Parties Register(const std::shared_ptr<grpc::Channel>& channel,
                 const std::string& admin) {
  auto registry = cradle::v1::Registry::NewStub(channel);
  int key = 0;
  auto call = [&](const char* what, auto method, auto& request) {
    request.mutable_meta()->set_idempotency_key(absl::StrCat("reg-", ++key));
    typename ReplyOf<decltype(method)>::type out;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin);
    grpc::Status s = ((*registry).*method)(&ctx, request, &out);
    if (!s.ok()) {
      std::fprintf(stderr, "audit_bench: %s: %s\n", what,
                   s.error_message().c_str());
      std::exit(1);
    }
  };
  auto add = [&](const std::string& id, const std::string& division,
                 cradle::v1::Role role) {
    cradle::v1::RegisterEnterpriseRequest r;
    r.set_id(id);
    r.set_name("bench");
    r.set_division(division);
    r.add_roles(role);
    call("register", &cradle::v1::Registry::Stub::RegisterEnterprise, r);
    if (role == cradle::v1::ROLE_TRANSPORTER) {
      cradle::v1::RegisterVehicleRequest v;
      v.set_carrier(id);
      v.mutable_vehicle()->set_plate(kPlate);
      v.mutable_vehicle()->set_permit("330400000001");
      call("vehicle", &cradle::v1::Registry::Stub::RegisterVehicle, v);
    }
    if (role == cradle::v1::ROLE_RECEIVER) {
      cradle::v1::GrantLicenceRequest l;
      l.set_receiver(id);
      cradle::v1::Licence* licence = l.mutable_licence();
      licence->set_number(absl::StrCat("L-", id));
      licence->add_codes("HW08");
      licence->set_capacity_kg(int64_t{100000000000});
      licence->set_valid_until("2099-12-31");
      call("licence", &cradle::v1::Registry::Stub::GrantLicence, l);
    }
  };
  Parties p;
  for (int i = 0; i < 11; ++i) {
    p.generators.push_back(Uscc(kCounties[i], i));
    add(p.generators.back(), kCounties[i], cradle::v1::ROLE_GENERATOR);
    p.receivers.push_back(Uscc(kCounties[i], 100 + i));
    add(p.receivers.back(), kCounties[i], cradle::v1::ROLE_RECEIVER);
  }
  p.carrier = Uscc("330402", 999);
  add(p.carrier, "330402", cradle::v1::ROLE_TRANSPORTER);
  return p;
}

// Exits, saying why, unless `report` found the ledger whole.
void Check(const char* what,
           const absl::StatusOr<cradle::storage::VerifyReport>& report) {
  if (report.ok() && report->ok) return;
  std::fprintf(stderr, "audit_bench: %s check failed: %s\n", what,
               report.ok() ? absl::StrCat("entry ", report->first_bad, ": ",
                                          report->problem)
                                 .c_str()
                           : report.status().ToString().c_str());
  std::exit(1);
}

// Exits, saying why, unless a whole check ran (`status`) and found the
// ledger whole (`ok`); `where` and `problem` name what it found.
void CheckFound(const char* what, const absl::Status& status, bool ok,
                absl::string_view where, absl::string_view problem) {
  if (status.ok() && ok) return;
  std::fprintf(stderr, "audit_bench: %s failed: %s\n", what,
               status.ok() ? absl::StrCat(where, " ", problem).c_str()
                           : status.ToString().c_str());
  std::exit(1);
}

// Resident memory of this process now and at its peak, in MB.
std::pair<double, double> ResidentMb() {
  std::ifstream in("/proc/self/status");
  double now = 0, peak = 0;
  for (std::string line; std::getline(in, line);) {
    double kb = 0;
    if (absl::StartsWith(line, "VmRSS:") &&
        absl::SimpleAtod(
            absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")),
            &kb)) {
      now = kb / 1024;
    }
    if (absl::StartsWith(line, "VmHWM:") &&
        absl::SimpleAtod(
            absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")),
            &kb)) {
      peak = kb / 1024;
    }
  }
  return {now, peak};
}

// Loads manifests [from, to) with 64 in flight; 1 in 10 crosses a city. With
// `lifecycle`, each goes through the whole chain, one write after another as
// the parties would make them: opened as a draft, issued, picked up,
// delivered, received in full, disposed of (six entries); without, it is
// only opened (one entry).
class Loader {
 public:
  Loader(cradle::services::ManifestStore& store,
         const cradle::storage::Ledger& ledger, const Parties& p,
         bool lifecycle)
      : store_(store), ledger_(ledger), p_(p), steps_(lifecycle ? 6 : 1) {}

  // Returns the entries appended.
  uint64_t Load(int from, int to) {
    const uint64_t entries_before = ledger_.GetHead().sequence;
    absl::Time mark = absl::Now();
    uint64_t mark_entries = entries_before;
    int next = from, mark_done = from;
    // One progress line per 100k manifests done (and one for the rest).
    auto report = [&] {
      const absl::Time t = absl::Now();
      const uint64_t head = ledger_.GetHead().sequence;
      const double secs = absl::ToDoubleSeconds(t - mark);
      const double per_second = (done_ - mark_done) / secs;
      std::fprintf(stderr,
                   "  %d/%d manifests, %llu entries: last %d at %.0f "
                   "manifests/s, %.0f entries/s; %.0f MB resident; ETA %.0f "
                   "s\n",
                   done_, to, static_cast<unsigned long long>(head),
                   done_ - mark_done, per_second, (head - mark_entries) / secs,
                   ResidentMb().first,
                   (to - done_) / std::max(per_second, 1.0));
      // The last, partial stretch (the pipeline draining) is printed but
      // not counted among the stretches' rates.
      if (done_ - mark_done >= 100000) {
        rates_.push_back((head - mark_entries) / secs);
      }
      mark = t;
      mark_entries = head;
      mark_done = done_;
    };
    absl::MutexLock lock(&mu_);
    done_ = from;
    while (done_ < to) {
      mu_.Await(absl::Condition(
          +[](Loader* l) {
            return !l->ready_.empty() || l->in_flight_ < 64 || l->failed_ > 0;
          },
          this));
      if (failed_ > 0) {
        // Steps queued but not started will never complete.
        in_flight_ -= static_cast<int>(ready_.size());
        ready_.clear();
        break;
      }
      Job job;
      if (!ready_.empty()) {
        job = std::move(ready_.front());
        ready_.pop_front();
      } else if (next < to) {
        job.i = next++;
        ++in_flight_;
      } else {
        mu_.Await(absl::Condition(
            +[](Loader* l) { return !l->ready_.empty() || l->in_flight_ == 0; },
            this));
        continue;
      }
      mu_.Unlock();
      Step(std::move(job));
      mu_.Lock();
      if (done_ - mark_done >= 100000) report();
    }
    mu_.Await(absl::Condition(
        +[](Loader* l) { return l->in_flight_ == 0; }, this));
    if (failed_ > 0) {
      std::fprintf(stderr, "a load step failed: %s\n", error_.c_str());
      std::exit(1);
    }
    if (done_ > mark_done) report();
    return ledger_.GetHead().sequence - entries_before;
  }

  // Entries/s of each 100k-manifest stretch so far.
  const std::vector<double>& rates() const { return rates_; }

 private:
  struct Job {
    int i = 0;
    int step = 0;
    std::string number;
  };

  void Step(Job job) {
    const int i = job.i, city = i % 11;
    const std::string& generator = p_.generators[city];
    const std::string& receiver =
        p_.receivers[i % 10 == 0 ? (city + 1) % 11 : city];
    const int64_t grams = 1000 + i % 5000;
    auto next = [this,
                 job](absl::StatusOr<cradle::services::ManifestWritten> r) {
      absl::MutexLock lock(&mu_);
      if (!r.ok()) {
        if (failed_++ == 0) error_ = r.status().ToString();
        --in_flight_;
        return;
      }
      if (failed_ > 0) {  // the load is stopping: take no further step
        --in_flight_;
        return;
      }
      if (job.step + 1 == steps_) {
        --in_flight_;
        ++done_;
        return;
      }
      ready_.push_back(Job{job.i, job.step + 1, r->manifest.number()});
    };
    cradle::v1::WriteMeta meta;
    meta.set_idempotency_key(absl::StrCat("load-", i, "-", job.step));
    if (job.step == 0) {
      cradle::v1::OpenManifestRequest req;
      *req.mutable_meta() = meta;
      req.set_generator(generator);
      req.set_carrier(p_.carrier);
      req.set_receiver(receiver);
      req.set_draft(steps_ > 1);
      cradle::v1::WasteLine* line = req.add_lines();
      line->set_code("900-249-08");
      line->set_quantity_g(grams);
      store_.Open(req, Party(generator), std::move(next));
      return;
    }
    const std::string& n = job.number;
    const std::string& actor = job.step == 1   ? generator
                               : job.step == 2 ? p_.carrier
                                               : receiver;
    store_.Write(
        n, Party(actor), absl::StrCat("step", job.step), meta,
        [&, step = job.step](
            const cradle::v1::Manifest& m,
            const cradle::domain::RegistryReader& facts,
            absl::Time now) -> absl::StatusOr<cradle::domain::Decision> {
          namespace d = cradle::domain;
          switch (step) {
            case 1: {
              cradle::v1::IssueManifestRequest r;
              r.set_number(n);
              r.set_generator(generator);
              return d::DecideIssue(m, r, now);
            }
            case 2: {
              cradle::v1::PickupRequest r;
              r.set_number(n);
              r.set_carrier(p_.carrier);
              r.set_vehicle(kPlate);
              return d::DecidePickup(m, r, facts, now);
            }
            case 3: {
              cradle::v1::DeliverRequest r;
              r.set_number(n);
              r.set_receiver(receiver);
              return d::DecideDeliver(m, r, facts, now);
            }
            case 4: {
              cradle::v1::ReceiveRequest r;
              r.set_number(n);
              r.set_receiver(receiver);
              cradle::v1::LineReceipt* l = r.add_lines();
              l->set_line(1);
              l->set_decision(cradle::v1::LineReceipt::DECISION_ACCEPT);
              l->set_quantity_g(grams);
              return d::DecideReceive(m, r, facts, now);
            }
            default: {
              cradle::v1::DisposeRequest r;
              r.set_number(n);
              r.set_receiver(receiver);
              cradle::v1::LineDisposal* l = r.add_lines();
              l->set_line(1);
              l->set_method("D10");
              l->set_quantity_g(grams);
              return d::DecideDispose(m, r, now);
            }
          }
        },
        std::move(next));
  }

  cradle::services::ManifestStore& store_;
  const cradle::storage::Ledger& ledger_;
  const Parties& p_;
  const int steps_;
  absl::Mutex mu_;
  std::deque<Job> ready_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
  int failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::string error_ ABSL_GUARDED_BY(mu_);
  std::vector<double> rates_;
};

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
  cradle::ShowOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "Loads manifests into a fresh in-process server (whole lifecycles by "
      "default), reporting ingest per 100k manifests, then times the "
      "regulator's queries at each checkpoint and reports disk, memory and "
      "restart time.\n  audit_bench --manifests=1000000 "
      "--checkpoints=100000,1000000 --queries=300");
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
  options.scrub_rate = 0;  // timed below, on its own
  options.checkpoint_interval = absl::ZeroDuration();
  options.insecure = true;  // loopback
  auto server = cradle::services::CradleServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                          grpc::InsecureChannelCredentials());
  auto audit = cradle::v1::Audit::NewStub(channel);
  // The province's regulator, issued with the administrator's token.
  std::string regulator, admin;
  {
    std::ifstream in(dir + "/admin.token");
    std::getline(in, admin);
    cradle::v1::IssueCredentialRequest req;
    req.mutable_meta()->set_idempotency_key("bench-regulator");
    req.set_kind(cradle::v1::CREDENTIAL_KIND_REGULATOR);
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
  const Parties parties = Register(channel, admin);
  std::mt19937 rng(1);

  std::printf(
      "| manifests | query | p50 us | p99 us |\n|---:|---|---:|---:|\n");
  int loaded = 0;
  uint64_t entries = 0;
  const int queries = absl::GetFlag(FLAGS_queries);
  Loader loader((*server)->store(), (*server)->ledger(), parties,
                absl::GetFlag(FLAGS_lifecycle));
  absl::Duration loading;
  for (absl::string_view c :
       absl::StrSplit(absl::GetFlag(FLAGS_checkpoints), ',')) {
    int target = 0;
    if (!absl::SimpleAtoi(c, &target)) return 2;
    target = std::min(target, absl::GetFlag(FLAGS_manifests));
    const absl::Time t = absl::Now();
    entries += loader.Load(loaded, target);
    loading += absl::Now() - t;
    loaded = target;
    const uint64_t per_city = loaded / 11;

    Time("city query, first page of 100 rows", queries, loaded, [&](int i) {
      cradle::v1::ListJurisdictionManifestsRequest q;
      q.set_jurisdiction(std::string(kCounties[i % 11]).substr(0, 4));
      q.set_page_size(100);
      cradle::v1::ListJurisdictionManifestsResponse out;
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", regulator);
      if (!audit->ListJurisdictionManifests(&ctx, q, &out).ok() ||
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
      cradle::v1::GetTreeHeadResponse got;
      if (!audit->GetTreeHead(&ctx, cradle::v1::GetTreeHeadRequest(), &got)
               .ok()) {
        return 1;
      }
      head = got.tree_head();
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
  const std::vector<double>& rates = loader.rates();
  std::printf(
      "\ningest: %d manifests, %llu entries in %.0f s of loading: %.0f "
      "entries/s (%.0f manifests/s)",
      loaded, static_cast<unsigned long long>(entries),
      absl::ToDoubleSeconds(loading), entries / absl::ToDoubleSeconds(loading),
      loaded / absl::ToDoubleSeconds(loading));
  if (rates.empty()) {
    std::printf("\n");
  } else {
    std::printf("; per 100k manifests from %.0f to %.0f entries/s\n",
                *std::min_element(rates.begin(), rates.end()),
                *std::max_element(rates.begin(), rates.end()));
  }
  if (absl::GetFlag(FLAGS_verify)) {
    // The checks of the whole ledger, each the fastest of --verify_repeats
    // runs, after SHA-256 of the same bytes (the floor any chain
    // verification pays).
    const cradle::storage::Ledger& ledger = (*server)->ledger();
    const uint64_t head = ledger.GetHead().sequence;
    const int repeats = std::max(1, absl::GetFlag(FLAGS_verify_repeats));
    // Wall time, and the CPU time of this thread, which runs the checks.
    // The checks run in rounds, each once a round, and each keeps its
    // fastest: on this machine a check's speed moved by up to half between
    // runs a minute apart, and a slow spell then slows every check alike.
    // Each round starts once the load's compactions are done.
    struct Timing {
      double wall = 0;
      double cpu = 0;
      Timing operator+(const Timing& o) const {
        return {wall + o.wall, cpu + o.cpu};
      }
    };
    auto thread_cpu = [] {
      timespec t;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
      return t.tv_sec + t.tv_nsec / 1e9;
    };
    // Until the process's other threads (RocksDB's flushes and
    // compactions) have used under 2% of a core for two seconds running.
    bool busy = false;  // gave up waiting once: do not wait again
    auto settle = [&busy] {
      auto process_cpu = [] {
        timespec t;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return t.tv_sec + t.tv_nsec / 1e9;
      };
      int quiet = 0;
      for (int i = 0; !busy && quiet < 4; ++i) {
        const double before = process_cpu();
        absl::SleepFor(absl::Milliseconds(500));
        quiet = process_cpu() - before < 0.01 ? quiet + 1 : 0;
        if (i == 120) {
          std::fprintf(stderr,
                       "audit_bench: background threads still busy after a "
                       "minute; timing anyway\n");
          busy = true;
        }
      }
    };
    struct Timed {
      std::function<void()> run;
      Timing fastest;
    };
    std::vector<Timed> checks;
    // Adds a check; its fastest timing is checks[returned].fastest.
    auto timed = [&checks](std::function<void()> f) {
      checks.push_back(Timed{std::move(f), {}});
      return checks.size() - 1;
    };
    uint64_t bytes_hashed = 0;
    const size_t sha = timed([&] {
      bytes_hashed = 0;
      std::string digest;
      for (uint64_t next = 1; next <= head;) {
        absl::StatusOr<std::vector<cradle::storage::Entry>> page =
            ledger.Scan(next, 4096);
        if (!page.ok() || page->empty()) std::exit(1);
        for (const cradle::storage::Entry& e : *page) {
          const std::string bytes = cradle::storage::EncodeStoredEntry(e);
          bytes_hashed += bytes.size();
          digest = cradle::storage::ChainHash(digest, bytes);
          next = e.sequence + 1;
        }
      }
    });
    const size_t chain = timed([&] { Check("chain", ledger.Verify(1, head)); });
    const size_t derived =
        timed([&] { Check("derived", ledger.VerifyDerived(1, head)); });
    const size_t storage =
        timed([&] { Check("storage", ledger.VerifyStorage()); });
    uint64_t streams = 0;
    const size_t projections = timed([&] {
      std::unique_ptr<const cradle::storage::LedgerReader> snapshot =
          ledger.Snapshot();
      absl::StatusOr<cradle::services::DeepReport> r =
          cradle::services::DeepVerifier(*snapshot,
                                         cradle::domain::FlagConfig())
              .CheckAll();
      CheckFound("deep check", r.status(), r.ok() && r->ok,
                 r.ok() ? r->stream : "", r.ok() ? r->problem : "");
      streams = r->streams;
    });
    const size_t fused = timed([&] {
      Check("chain and derived", ledger.VerifyEntries(1, head, nullptr));
    });
    // The whole check as the scrubber and `audit verify --deep` run it: the
    // chain and the derived data from one read of the entries, the storage
    // checks and, deep, the replay.
    auto whole = [&](bool deep) {
      cradle::services::CheckOptions options;
      options.deep = deep;
      absl::StatusOr<cradle::services::CheckResult> r =
          cradle::services::CheckLedger(ledger, cradle::domain::FlagConfig(),
                                        options);
      CheckFound("the whole check", r.status(), r.ok() && r->ok,
                 r.ok() ? r->phase : "", r.ok() ? r->problem : "");
    };
    const size_t plain = timed([&] { whole(false); });
    const size_t deep = timed([&] { whole(true); });
    for (int round = 0; round < repeats; ++round) {
      settle();
      for (Timed& c : checks) {
        const absl::Time start = absl::Now();
        const double cpu_start = thread_cpu();
        c.run();
        const double cpu = thread_cpu() - cpu_start;
        const double s = absl::ToDoubleSeconds(absl::Now() - start);
        if (round == 0 || s < c.fastest.wall) c.fastest.wall = s;
        if (round == 0 || cpu < c.fastest.cpu) c.fastest.cpu = cpu;
      }
    }
    auto t = [&checks](size_t i) { return checks[i].fastest; };
    std::printf(
        "\nverification of %llu entries (%.0f MB), %llu streams, each the "
        "fastest of %d rounds (wall, and this thread's CPU):\n\n| check | s "
        "| CPU s | entries/s | / SHA-256 of the bytes | / chain | CPU / "
        "chain's CPU |\n|---|---:|---:|---:|---:|---:|---:|\n",
        static_cast<unsigned long long>(head), bytes_hashed / 1e6,
        static_cast<unsigned long long>(streams), repeats);
    auto row = [&](const char* what, const Timing& x) {
      std::printf("| %s | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f |\n", what,
                  x.wall, x.cpu, head / x.wall, x.wall / t(sha).wall,
                  x.wall / t(chain).wall, x.cpu / t(chain).cpu);
    };
    row("SHA-256 of every stored entry (reference)", t(sha));
    row("chain (audit verify)", t(chain));
    row("stream index and Merkle nodes (VerifyDerived)", t(derived));
    row("storage: checksums, strays, head record", t(storage));
    row("projections: every stream replayed", t(projections));
    row("the four above, one after another",
        t(chain) + t(derived) + t(storage) + t(projections));
    row("chain and derived in one read (VerifyEntries)", t(fused));
    row("whole check: chain, derived, storage (scrubber, not deep)", t(plain));
    row("deep: chain and derived in one read, storage, projections (audit "
        "verify --deep)",
        t(deep));
    std::fflush(stdout);
  }
  const auto [rss, peak] = ResidentMb();
  std::printf("memory: %.0f MB resident now, %.0f MB at most\n", rss, peak);
  std::printf("ledger: %d manifests, %.1f MB on disk (%.0f bytes/manifest)\n",
              loaded, bytes / 1e6, static_cast<double>(bytes) / loaded);
  // Restart: a clean stop (the ledger flushes its memtables), then open the
  // ledger again (log replay, tail check, Merkle frontier) and serve.
  const absl::Time stop = absl::Now();
  (*server)->Shutdown();
  server->reset();
  const absl::Time restart = absl::Now();
  auto again = cradle::services::CradleServer::Start(options);
  if (!again.ok()) {
    std::fprintf(stderr, "%s\n", again.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "restart: stopped in %.0f ms, serving again %.0f ms after start, head "
      "at entry %llu\n",
      absl::ToDoubleMilliseconds(restart - stop),
      absl::ToDoubleMilliseconds(absl::Now() - restart),
      static_cast<unsigned long long>((*again)->ledger().GetHead().sequence));
  (*again)->Shutdown();
  again->reset();
  fs::remove_all(dir, ec);
  return 0;
}
