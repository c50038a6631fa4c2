#include "services/credential_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/files.h"
#include "security/token.h"
#include "storage/rocksdb_ledger.h"
#include "tests/testing/temp_dir.h"

namespace cradle::services {
namespace {

bool Exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

// The first administrator's token file, over a real ledger.
class BootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> opened =
        storage::RocksDbLedger::Open(dir_.Sub("ledger"), {});
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
    absl::StatusOr<std::unique_ptr<CredentialStore>> store =
        CredentialStore::Load(*ledger_, clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::string Token() {
    absl::StatusOr<std::string> text = ReadFile(token_path_);
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : "";
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1795000000)};
  std::unique_ptr<storage::RocksDbLedger> ledger_;
  std::unique_ptr<CredentialStore> store_;
  const std::string token_path_ = dir_.Sub("admin.token");
  const std::string pending_ = token_path_ + ".pending";
};

TEST_F(BootstrapTest, TheTokenFileProvesTheAdministratorAndOnlyOnce) {
  absl::StatusOr<bool> made = store_->Bootstrap(token_path_);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_TRUE(*made);
  struct stat st;
  ASSERT_EQ(::stat(token_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(Exists(pending_));
  const std::string token = Token();
  absl::StatusOr<domain::Principal> who = store_->Authenticate(token);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->kind, v1::CREDENTIAL_KIND_ADMINISTRATOR);

  made = store_->Bootstrap(token_path_);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_FALSE(*made);
  EXPECT_EQ(Token(), token);
}

// Whoever waits for the file may use it the moment it appears: it never
// names a credential the ledger does not hold.
TEST_F(BootstrapTest, NoTokenFileBeforeItsCredentialIsDurable) {
  ASSERT_TRUE(ledger_->Close().ok());
  absl::StatusOr<bool> made = store_->Bootstrap(token_path_);
  EXPECT_FALSE(made.ok());
  EXPECT_FALSE(Exists(token_path_));
}

TEST_F(BootstrapTest, AStartCutShortAfterTheAppendIsFinishedByTheNext) {
  ASSERT_TRUE(store_->Bootstrap(token_path_).ok());
  const std::string token = Token();
  // As if the process died between the append and the rename.
  ASSERT_EQ(::rename(token_path_.c_str(), pending_.c_str()), 0);

  absl::StatusOr<bool> made = store_->Bootstrap(token_path_);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_FALSE(*made);
  EXPECT_EQ(Token(), token);
  EXPECT_FALSE(Exists(pending_));
}

TEST_F(BootstrapTest, APendingTokenNoCredentialProvesIsDropped) {
  ASSERT_TRUE(store_->Bootstrap(token_path_).ok());
  const std::string token = Token();
  // Left by a node whose append never took: another became the writer.
  absl::StatusOr<security::NewToken> stray = security::MakeToken();
  ASSERT_TRUE(stray.ok());
  ASSERT_TRUE(WriteNewFile(pending_, stray->token + "\n", 0600).ok());

  absl::StatusOr<bool> made = store_->Bootstrap(token_path_);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_FALSE(Exists(pending_));
  EXPECT_EQ(Token(), token);
}

}  // namespace
}  // namespace cradle::services
