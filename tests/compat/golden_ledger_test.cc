// The ledger's stored history outlives every API. A small ledger written by
// an earlier version is checked in (tests/compat/golden-ledger-v1, made by
// scripts/make-golden-ledger.sh: registrations, credentials, approvals,
// whole lifecycles, rejections, relays, flags raised, acknowledged and
// cleared). This version must open it with every check on start, find it
// whole, replay every stream to the states it holds, and prove the same
// Merkle root over the same stored state and index. A change that alters
// how old entries replay fails here.

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "services/ledger_check.h"
#include "services/server.h"
#include "storage/entry_codec.h"
#include "tests/testing/temp_dir.h"

namespace cradle::services {
namespace {

// What a version once read off its golden ledger, "name value" per line.
std::map<std::string, std::string> Expected(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string name, value;
  while (in >> name >> value) out[name] = value;
  return out;
}

// A SHA-256 chain over every key and value of one table, in key order.
std::string TableDigest(const storage::Ledger& ledger, bool state) {
  std::string digest;
  std::string after;
  for (;;) {
    absl::StatusOr<std::vector<storage::KeyValue>> page =
        state ? ledger.ScanState("", after, 1000)
              : ledger.ScanIndex("", after, 1000);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok() || page->empty()) break;
    for (const storage::KeyValue& kv : *page) {
      const std::string record = absl::StrCat(kv.key.size(), ":", kv.key,
                                              kv.value.size(), ":", kv.value);
      digest = storage::ChainHash(digest, record);
      after = kv.key;
    }
  }
  return storage::HexHash(digest);
}

class GoldenLedgerTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenLedgerTest, OpensVerifiesReplaysAndProvesTheSameRoot) {
  const std::string golden =
      std::string(CRADLE_SOURCE_DIR) + "/tests/compat/" + GetParam();
  const std::map<std::string, std::string> expected =
      Expected(golden + ".expected");
  ASSERT_FALSE(expected.empty()) << golden << ".expected";

  // A copy: opening replays the log and may flush it, which must not touch
  // the checked-in files.
  cradle::testing::TempDir dir;
  std::filesystem::copy(golden, dir.Sub("data"),
                        std::filesystem::copy_options::recursive);
  ServerOptions options;
  options.data_dir = dir.Sub("data");
  options.listen = "127.0.0.1:0";
  options.insecure = true;
  options.sweep_interval = absl::ZeroDuration();
  options.scrub_rate = 0;
  options.checkpoint_interval = absl::ZeroDuration();
  options.verify_tail_on_open = 1 << 20;  // every entry, on start
  absl::StatusOr<std::unique_ptr<CradleServer>> server =
      CradleServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const storage::Ledger& ledger = (*server)->ledger();

  CheckOptions deep;
  deep.deep = true;
  absl::StatusOr<CheckResult> check = CheckLedger(ledger, options.flags, deep);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->ok) << check->phase << " " << check->first_bad << " "
                         << check->stream << ": " << check->problem;

  const uint64_t size = ledger.GetHead().sequence;
  absl::StatusOr<std::string> root = ledger.TreeRoot(size);
  ASSERT_TRUE(root.ok()) << root.status();
  const std::map<std::string, std::string> got = {
      {"entries", absl::StrCat(size)},
      {"head", storage::HexHash(ledger.GetHead().hash)},
      {"root", storage::HexHash(*root)},
      {"streams", absl::StrCat(check->streams)},
      {"state", TableDigest(ledger, /*state=*/true)},
      {"index", TableDigest(ledger, /*state=*/false)},
  };
  for (const auto& [name, value] : got) {
    EXPECT_EQ(value, expected.count(name) ? expected.at(name) : "(missing)")
        << name << " of " << GetParam();
  }
}

INSTANTIATE_TEST_SUITE_P(EveryFormat, GoldenLedgerTest,
                         ::testing::Values("golden-ledger-v1"));

}  // namespace
}  // namespace cradle::services
