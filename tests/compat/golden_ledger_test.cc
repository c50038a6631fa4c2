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

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/ledger/v1/events.pb.h"
#include "domain/authz.h"
#include "security/attestation.h"
#include "services/ledger_check.h"
#include "services/server.h"
#include "storage/entry_codec.h"
#include "storage/rocksdb_ledger.h"
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

// Signatures stored then verify now, in the format they were made in:
// each signed manifest event against the key its credential recorded.
TEST_P(GoldenLedgerTest, StoredSignaturesVerifyInTheirFormat) {
  const std::string golden =
      std::string(CRADLE_SOURCE_DIR) + "/tests/compat/" + GetParam();
  cradle::testing::TempDir dir;
  std::filesystem::copy(golden, dir.Sub("data"),
                        std::filesystem::copy_options::recursive);
  storage::RocksDbLedger::Options options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
      storage::RocksDbLedger::Open(dir.Sub("data"), options);
  ASSERT_TRUE(ledger.ok()) << ledger.status();

  std::map<std::string, std::string> keys;  // credential id -> public key
  int signed_entries = 0;
  for (uint64_t next = 1;;) {
    absl::StatusOr<std::vector<storage::Entry>> page =
        (*ledger)->Scan(next, 500);
    ASSERT_TRUE(page.ok()) << page.status();
    if (page->empty()) break;
    for (const storage::Entry& e : *page) {
      next = e.sequence + 1;
      if (absl::StartsWith(e.type, "credential.")) {
        ledger::v1::CredentialEvent c;
        ASSERT_TRUE(c.ParseFromString(e.payload));
        if (c.has_issued()) keys[c.issued().id()] = c.issued().public_key();
        continue;
      }
      ledger::v1::ManifestEvent m;
      if (!absl::StartsWith(e.type, "manifest.") ||
          !m.ParseFromString(e.payload)) {
        continue;
      }
      const google::protobuf::Reflection* r = m.GetReflection();
      const google::protobuf::FieldDescriptor* f = r->GetOneofFieldDescriptor(
          m, m.GetDescriptor()->FindOneofByName("kind"));
      ASSERT_NE(f, nullptr) << e.sequence;
      const google::protobuf::Message& event = r->GetMessage(m, f);
      if (security::SignatureOf(event).empty()) continue;
      std::string scope, id;
      ASSERT_TRUE(domain::ParseActor(e.actor, &scope, &id)) << e.actor;
      ASSERT_EQ(keys.count(id), 1u) << e.sequence;
      EXPECT_EQ(security::VerifyRecorded(keys[id], event),
                security::Signed::kFirstFormat)
          << "entry " << e.sequence << " " << e.type;
      ++signed_entries;
    }
  }
  EXPECT_GT(signed_entries, 100);
}

INSTANTIATE_TEST_SUITE_P(EveryFormat, GoldenLedgerTest,
                         ::testing::Values("golden-ledger-v1"));

}  // namespace
}  // namespace cradle::services
