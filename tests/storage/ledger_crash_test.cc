// Durability by killing, not by trusting: a child process appends under
// concurrent load and is SIGKILLed at random moments; after each restart every
// acknowledged append must be there, the chain must verify and the derived
// state must match the entries.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

#include "storage/entry_codec.h"
#include "storage/merkle.h"
#include "storage/rocksdb_ledger.h"
#include "tests/testing/temp_dir.h"

namespace cradle::storage {
namespace {

struct Ack {
  std::string stream;
  uint64_t version;
  uint64_t sequence;
  std::string hash_hex;
};

// Runs the child until it has acknowledged `kill_after` appends, kills it with
// SIGKILL and returns every acknowledgement it printed (including those still
// in the pipe).
std::vector<Ack> RunAndKill(const std::string& dir, int threads,
                            int kill_after) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string t = absl::StrCat(threads);
    execl(CRADLE_CRASH_CHILD, CRADLE_CRASH_CHILD, dir.c_str(), t.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  FILE* in = fdopen(fds[0], "r");
  std::vector<Ack> acks;
  char line[512];
  bool killed = false;
  while (std::fgets(line, sizeof line, in) != nullptr) {
    std::vector<std::string> f =
        absl::StrSplit(absl::StripAsciiWhitespace(line), ' ');
    if (f.size() == 5 && f[0] == "ACK") {
      Ack a{f[1], 0, 0, f[4]};
      EXPECT_TRUE(absl::SimpleAtoi(f[2], &a.version));
      EXPECT_TRUE(absl::SimpleAtoi(f[3], &a.sequence));
      acks.push_back(a);
    }
    if (!killed && static_cast<int>(acks.size()) >= kill_after) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  std::fclose(in);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child ended on its own (status " << status << ")";
  return acks;
}

TEST(LedgerCrashTest, SigkillLosesNoAcknowledgedAppend) {
  cradle::testing::TempDir dir;
  const std::string db = dir.Sub("ledger");
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 rng(seed);
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  constexpr int kRounds = 6, kThreads = 8;

  std::vector<Ack> all;
  for (int round = 0; round < kRounds; ++round) {
    const int kill_after = std::uniform_int_distribution<int>(1, 400)(rng);
    std::vector<Ack> acks = RunAndKill(db, kThreads, kill_after);
    ASSERT_GE(static_cast<int>(acks.size()), kill_after) << "round " << round;
    all.insert(all.end(), acks.begin(), acks.end());

    absl::StatusOr<std::unique_ptr<RocksDbLedger>> ledger =
        RocksDbLedger::Open(db, RocksDbLedger::Options());
    ASSERT_TRUE(ledger.ok()) << "round " << round << ": " << ledger.status();
    for (const Ack& a : all) {
      absl::StatusOr<Entry> e = (*ledger)->Read(a.sequence);
      ASSERT_TRUE(e.ok()) << "round " << round << ": acknowledged sequence "
                          << a.sequence << " lost: " << e.status();
      EXPECT_EQ(e->stream, a.stream);
      EXPECT_EQ(e->stream_version, a.version);
      EXPECT_EQ(HexHash(e->hash), a.hash_hex);
    }
    absl::StatusOr<VerifyReport> report = (*ledger)->Verify(1, UINT64_MAX);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok) << "round " << round << ": entry "
                            << report->first_bad << ": " << report->problem;
    EXPECT_EQ(report->checked, (*ledger)->GetHead().sequence);
    // Derived state and indexes agree with the entries.
    uint64_t total = 0;
    for (int t = 0; t < kThreads; ++t) {
      const std::string stream = absl::StrCat("crash-", t);
      const uint64_t version = *(*ledger)->StreamVersion(stream);
      total += version;
      absl::optional<std::string> count =
          *(*ledger)->GetState(absl::StrCat("count/", stream));
      EXPECT_EQ(count.value_or("0"), absl::StrCat(version)) << stream;
      std::vector<KeyValue> seen = *(*ledger)->ScanIndex(
          absl::StrCat("seen/", stream, "/"), "", 1u << 20);
      EXPECT_EQ(seen.size(), version) << stream;
    }
    EXPECT_EQ(total, (*ledger)->GetHead().sequence);
    // The Merkle tree covers exactly the entries: its root is the one the
    // definition gives over their hashes.
    const TreeHead tree = (*ledger)->GetTreeHead();
    EXPECT_EQ(tree.size, (*ledger)->GetHead().sequence);
    std::vector<Entry> entries = *(*ledger)->Scan(1, tree.size);
    merkle::Frontier fresh;
    std::vector<merkle::Frontier::Node> ignored;
    for (const Entry& e : entries)
      fresh.Append(merkle::LeafHash(e.hash), &ignored);
    EXPECT_EQ(fresh.Root(), tree.root) << "round " << round;
    EXPECT_EQ(*(*ledger)->TreeRoot(tree.size), tree.root);
  }
}

}  // namespace
}  // namespace cradle::storage
