// End to end: a ledger damaged while cradled was stopped, as an attacker with
// shell access would with ldb. The real cradled refuses to start and says
// why; `cradlectl audit verify --data` names the damage without changing a
// byte; `cradled --forensic` serves it for inspection and refuses writes.

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "storage/entry_codec.h"
#include "tests/e2e/cli_fixture.h"
#include "tests/storage/raw_db.h"
#include "tests/testing/parties.h"

namespace cradle {
namespace {

using ::cradle::testing::kCarrier;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::RunResult;
using ::testing::HasSubstr;

// Every file of the ledger directory, name and bytes.
std::string Fingerprint(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.is_regular_file()) files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  std::string out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    absl::StrAppend(&out, f.filename().string(), ":",
                    storage::HexHash(storage::ChainHash("", bytes.str())),
                    "\n");
  }
  return out;
}

class IntegrityEndToEndTest : public cradle::testing::CliFixture {
 protected:
  // Two manifests, then the server stopped.
  std::vector<std::string> Populate() {
    StartServer();
    Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
    Enroll(kCarrier, "嘉善安运", "330421", "transporter");
    Enroll(kReceiver, "海宁固废", "330481", "receiver");
    Regulator("regulator", "33");
    std::vector<std::string> numbers;
    for (int i = 0; i < 2; ++i) {
      RunResult open =
          Ctl(kGenerator,
              {"manifest", "open", "--generator", kGenerator, "--carrier",
               kCarrier, "--receiver", kReceiver, "--waste", "900-249-08:1t"});
      EXPECT_EQ(open.exit_code, 0) << open.err;
      numbers.emplace_back(absl::StripAsciiWhitespace(open.out));
    }
    server_->Kill(SIGTERM);
    return numbers;
  }

  RunResult VerifyOffline(bool deep) {
    std::vector<std::string> args = {CRADLE_CRADLECTL, "audit", "verify",
                                     "--data", dir_.Sub("ledger")};
    if (deep) args.push_back("--deep");
    return cradle::testing::Run(args);
  }
};

TEST_F(IntegrityEndToEndTest, ADeletedHeadEntryIsRefusedNamedAndInspectable) {
  const std::vector<std::string> numbers = Populate();
  RunResult healthy = VerifyOffline(/*deep=*/true);
  ASSERT_EQ(healthy.exit_code, 0) << healthy.out << healthy.err;
  EXPECT_THAT(healthy.out, HasSubstr("projections: ok"));
  uint64_t head = 0;
  {
    cradle::testing::RawDb db(dir_.Sub("ledger"));
    const std::vector<std::string> entries = db.Keys("entries");
    ASSERT_FALSE(entries.empty());
    head = storage::DecodeSequenceKey(entries.back());
    db.Delete("entries", entries.back());
  }

  // cradled refuses, names what disagrees and what to do.
  const std::string refused = TryStartServer();
  EXPECT_TRUE(address_.empty()) << refused;
  server_->Kill(0);
  const std::string why = server_->Stderr();
  EXPECT_THAT(why, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(
      why, HasSubstr(absl::StrCat(
               "holds ", head, " entries, but the last entry is ", head - 1)));
  EXPECT_THAT(why, HasSubstr("--forensic"));

  // The offline check names it too, and changes no byte.
  const std::string before = Fingerprint(dir_.Sub("ledger"));
  RunResult offline = VerifyOffline(/*deep=*/true);
  EXPECT_EQ(offline.exit_code, 1) << offline.out << offline.err;
  EXPECT_THAT(offline.out, HasSubstr("were removed"));
  EXPECT_THAT(offline.err, HasSubstr("DATA_LOSS"));
  EXPECT_EQ(Fingerprint(dir_.Sub("ledger")), before);

  // A forensic start serves reads and refuses writes.
  StartServer({"--forensic"});
  EXPECT_THAT(server_->FirstLine(), HasSubstr("FORENSIC"));
  RunResult shown = Ctl("regulator", {"manifest", "show", numbers[0]});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  RunResult write =
      Ctl(kGenerator,
          {"manifest", "open", "--generator", kGenerator, "--carrier", kCarrier,
           "--receiver", kReceiver, "--waste", "900-249-08:1t"});
  EXPECT_EQ(write.exit_code, 1);
  EXPECT_THAT(write.err, HasSubstr("inspection only"));
  RunResult integrity = Ctl("regulator", {"audit", "integrity"});
  EXPECT_THAT(integrity.out, HasSubstr("forensic start"));
  EXPECT_THAT(integrity.out, HasSubstr("were removed"));
}

TEST_F(IntegrityEndToEndTest, ARewrittenStateIsNamedToTheField) {
  const std::vector<std::string> numbers = Populate();
  {
    cradle::testing::RawDb db(dir_.Sub("ledger"));
    const std::string key = "manifest/" + numbers[0];
    std::string state = db.Get("state", key);
    // The receiver's USCC, swapped for the carrier's: same length.
    const size_t at = state.find(kReceiver);
    ASSERT_NE(at, std::string::npos);
    state.replace(at, kReceiver.size(), kCarrier);
    db.Put("state", key, state);
  }
  RunResult deep = VerifyOffline(/*deep=*/true);
  EXPECT_EQ(deep.exit_code, 1) << deep.out << deep.err;
  EXPECT_THAT(deep.out, HasSubstr("stream " + numbers[0]));
  EXPECT_THAT(deep.out, HasSubstr("receiver is \"" + kCarrier + "\""));
  EXPECT_THAT(deep.out, HasSubstr("projections"));
}

TEST_F(IntegrityEndToEndTest, EveryFlagOfCradledIsInItsHelp) {
  RunResult help = cradle::testing::Run({CRADLE_CRADLED, "--help"});
  EXPECT_EQ(help.exit_code, 1);  // abseil's --help exit code
  const std::string text = help.out + help.err;
  EXPECT_THAT(text, ::testing::Not(HasSubstr("No flags matched")));
  for (const char* flag : {"--data",
                           "--listen",
                           "--tls_cert",
                           "--tls_key",
                           "--insecure",
                           "--admin_token_file",
                           "--transit_limit",
                           "--receipt_limit",
                           "--disposal_limit",
                           "--backfill_limit",
                           "--quantity_tolerance",
                           "--calendar",
                           "--sweep_interval",
                           "--forensic",
                           "--scrub_rate",
                           "--scrub_deep",
                           "--scrub_pause",
                           "--checkpoint_interval",
                           "--verify_tail",
                           "--sync"}) {
    EXPECT_THAT(text, HasSubstr(flag));
  }
}

}  // namespace
}  // namespace cradle
