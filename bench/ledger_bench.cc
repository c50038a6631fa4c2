// ledger_bench: durable append throughput and latency of RocksDbLedger at
// several numbers of concurrent writers, with the raw RocksDB sync-write rate
// measured in the same run as the reference ceiling.
//
//   build/bench/ledger_bench --seconds=5 --writers=1,16,64 --payload=1024
//
// A third row per writer count appends the same, naming --reads other
// streams the decision read (AppendRequest.reads: a pickup of three drums
// names the three drums' streams), against the plain append of the same run.
//
// Prints a Markdown table (docs/BENCHMARKS.md keeps the figures).

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "rocksdb/db.h"

#include "base/flags_usage.h"
#include "base/latency.h"
#include "storage/rocksdb_ledger.h"

ABSL_FLAG(double, seconds, 5, "Duration of each measurement");
ABSL_FLAG(std::string, writers, "1,16,64", "Concurrent writers to measure");
ABSL_FLAG(int, payload, 1024, "Payload bytes per entry");
ABSL_FLAG(int, reads, 3,
          "Streams each append of the third row names as read (0: no row)");
ABSL_FLAG(std::string, dir, "",
          "Directory for the test databases (default: a fresh one under /tmp)");

namespace cradle::bench {
namespace {

struct Result {
  double per_second = 0;
  double p50_us = 0, p99_us = 0;
  size_t count = 0;
};

// Runs `writers` threads calling `op(thread, i)` until the time is up.
template <typename Op>
Result Drive(int writers, absl::Duration duration, Op op) {
  std::vector<Latencies> lat(writers);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const absl::Time before = absl::Now();
        if (!op(t, i)) {
          std::fprintf(stderr, "write failed\n");
          std::exit(1);
        }
        lat[t].Add(absl::ToInt64Microseconds(absl::Now() - before));
      }
    });
  }
  absl::SleepFor(duration);
  stop = true;
  for (auto& th : threads) th.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  Latencies all;
  for (auto& l : lat) all.Merge(l);
  Result r;
  r.count = all.count();
  r.per_second = static_cast<double>(r.count) / elapsed;
  r.p50_us = all.Percentile(50);
  r.p99_us = all.Percentile(99);
  return r;
}

Result RawRocksDb(const std::string& dir, int writers, absl::Duration d,
                  const std::string& payload) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) std::exit(1);
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  Result r = Drive(writers, d, [&](int t, uint64_t i) {
    return db->Put(sync, absl::StrCat(t, "/", i), payload).ok();
  });
  return r;
}

// Appends to one stream per writer; with `reads`, each append also names
// that many streams of its writer's, each at version 1, as read.
Result Ledger(const std::string& dir, int writers, absl::Duration d,
              const std::string& payload, int reads = 0) {
  absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
      storage::RocksDbLedger::Open(dir, storage::RocksDbLedger::Options());
  if (!ledger.ok()) std::exit(1);
  std::vector<std::vector<storage::StreamRead>> read(writers);
  for (int t = 0; t < writers; ++t) {
    for (int k = 0; k < reads; ++k) {
      storage::AppendRequest req;
      req.stream = absl::StrCat("read-", t, "-", k);
      req.entries.push_back(storage::NewEntry{"bench.read", "r", "bench"});
      if (!(*ledger)->AppendAndWait(req).ok()) std::exit(1);
      read[t].push_back(storage::StreamRead{req.stream, 1});
    }
  }
  std::vector<uint64_t> versions(writers, 0);
  return Drive(writers, d, [&](int t, uint64_t) {
    storage::AppendRequest req;
    req.stream = absl::StrCat("bench-", t);
    req.expected_version = versions[t];
    req.reads = read[t];
    req.entries.push_back(storage::NewEntry{"bench.event", payload, "bench"});
    req.mutations.push_back(storage::Mutation{storage::Table::kState,
                                              absl::StrCat("state/", t), "x"});
    absl::StatusOr<storage::AppendResult> r =
        (*ledger)->AppendAndWait(std::move(req));
    if (!r.ok()) return false;
    versions[t] = r->stream_version;
    return true;
  });
}

void Print(const char* what, int writers, const Result& r) {
  std::printf("| %-36s | %3d | %9.0f | %8.0f | %8.0f |\n", what, writers,
              r.per_second, r.p50_us, r.p99_us);
  std::fflush(stdout);
}

}  // namespace
}  // namespace cradle::bench

int main(int argc, char** argv) {
  cradle::ShowOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "Measures durable ledger appends against raw RocksDB sync writes.");
  absl::ParseCommandLine(argc, argv);
  namespace fs = std::filesystem;
  std::string root = absl::GetFlag(FLAGS_dir);
  if (root.empty()) {
    root = (fs::temp_directory_path() / absl::StrCat("cradle-bench-", getpid()))
               .string();
  }
  fs::create_directories(root);
  const absl::Duration d = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  const std::string payload(absl::GetFlag(FLAGS_payload), 'p');
  std::printf(
      "payload %d bytes, %.1f s per row, fsync on every write/group\n\n",
      absl::GetFlag(FLAGS_payload), absl::GetFlag(FLAGS_seconds));
  std::printf("| %-36s | %3s | %9s | %8s | %8s |\n", "what", "w", "ops/s",
              "p50 us", "p99 us");
  std::printf("|%s|----:|----------:|---------:|---------:|\n",
              std::string(38, '-').c_str());
  const int reads = absl::GetFlag(FLAGS_reads);
  if (reads < 0 ||
      static_cast<size_t>(reads) > cradle::storage::kMaxReadsPerAppend) {
    std::fprintf(stderr, "--reads must be 0..%zu, got %d\n",
                 cradle::storage::kMaxReadsPerAppend, reads);
    return 2;
  }
  int run = 0;
  std::vector<std::string> ratios;
  for (absl::string_view w :
       absl::StrSplit(absl::GetFlag(FLAGS_writers), ',')) {
    int writers = 0;
    if (!absl::SimpleAtoi(w, &writers) || writers < 1) return 2;
    const std::string raw_dir = absl::StrCat(root, "/raw-", run);
    const std::string ledger_dir = absl::StrCat(root, "/ledger-", run);
    const std::string reads_dir = absl::StrCat(root, "/reads-", run++);
    cradle::bench::Print(
        "raw RocksDB Put, sync (ceiling)", writers,
        cradle::bench::RawRocksDb(raw_dir, writers, d, payload));
    const cradle::bench::Result plain =
        cradle::bench::Ledger(ledger_dir, writers, d, payload);
    cradle::bench::Print("RocksDbLedger::Append, group commit", writers, plain);
    if (reads > 0) {
      const cradle::bench::Result named =
          cradle::bench::Ledger(reads_dir, writers, d, payload, reads);
      cradle::bench::Print(
          absl::StrCat("  the same, naming ", reads, " streams read").c_str(),
          writers, named);
      ratios.push_back(absl::StrFormat("%d writers %.2f", writers,
                                       named.per_second / plain.per_second));
    }
  }
  if (!ratios.empty()) {
    std::printf("\nappends naming streams read / plain appends: %s\n",
                absl::StrJoin(ratios, "; ").c_str());
  }
  fs::remove_all(root);
  return 0;
}
