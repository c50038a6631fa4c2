// Appends to a RocksDbLedger from several threads until killed, printing one
// line per acknowledged append: "ACK <stream> <version> <sequence> <hash>".
// A line is written only after the append is durable, so every line the
// parent reads is a promise the ledger must keep after SIGKILL.
//
// Usage: ledger_crash_child DIR THREADS

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

#include "storage/entry_codec.h"
#include "storage/rocksdb_ledger.h"

namespace {

void WriteLine(const std::string& line) {
  // One write(2) per line: lines of different threads never interleave.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = write(STDOUT_FILENO, p, left);
    if (n <= 0) std::_Exit(3);
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cradle::storage;  // NOLINT(google-build-using-namespace)
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DIR THREADS\n", argv[0]);
    return 2;
  }
  absl::StatusOr<std::unique_ptr<RocksDbLedger>> ledger =
      RocksDbLedger::Open(argv[1], RocksDbLedger::Options());
  if (!ledger.ok()) {
    std::fprintf(stderr, "open: %s\n", ledger.status().ToString().c_str());
    return 1;
  }
  const int threads = std::atoi(argv[2]);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&ledger, t] {
      const std::string stream = absl::StrCat("crash-", t);
      uint64_t version = *(*ledger)->StreamVersion(stream);
      for (;;) {
        AppendRequest r;
        r.stream = stream;
        r.expected_version = version;
        r.entries.push_back(NewEntry{"crash.tick",
                                     std::string(200 + version % 800, 'p'),
                                     "crash-child"});
        r.mutations.push_back(Mutation{Table::kState,
                                       absl::StrCat("count/", stream),
                                       absl::StrCat(version + 1)});
        r.mutations.push_back(
            Mutation{Table::kIndex,
                     absl::StrCat("seen/", stream, "/", version + 1), ""});
        absl::StatusOr<AppendResult> res = (*ledger)->AppendAndWait(r);
        if (!res.ok()) {
          std::fprintf(stderr, "append: %s\n", res.status().ToString().c_str());
          std::_Exit(1);
        }
        version = res->stream_version;
        WriteLine(absl::StrCat("ACK ", stream, " ", version, " ",
                               res->first_sequence, " ",
                               HexHash(res->hashes[0]), "\n"));
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}
