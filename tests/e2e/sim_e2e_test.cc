// The simulator, small: cradle-sim starts its own cradled, drives every kind
// of violation through the real API and must report 100% precision and
// recall (it exits non-zero otherwise).

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace cradle {
namespace {

using ::testing::HasSubstr;

TEST(SimulatorEndToEndTest, DetectsEveryInjectedViolationAndNothingElse) {
  cradle::testing::TempDir dir;
  const std::string truth = dir.Sub("truth.csv");
  cradle::testing::RunResult r = cradle::testing::Run(
      {CRADLE_SIM, "--seed=1", "--manifests=400", "--rate_scale=4",
       "--generators=300", "--carriers=40", "--clients=8",
       std::string("--cradled=") + CRADLE_CRADLED, "--ground_truth=" + truth});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("0 missed, 0 false alarms"));
  EXPECT_THAT(r.out, HasSubstr("| MISSING_DISPOSAL |"));
  EXPECT_THAT(r.out, HasSubstr("| TRANSIT_OVERDUE |"));
  // Lossy collectors, whose collected manifests must raise nothing.
  EXPECT_THAT(r.out, HasSubstr("| COLLECTION_SHORTFALL |"));
  EXPECT_THAT(r.err, HasSubstr("manifests/s"));  // the progress line
  cradle::testing::RunResult lines =
      cradle::testing::Run({"/usr/bin/wc", "-l", truth});
  EXPECT_THAT(lines.out, HasSubstr("401"));  // header + one row per manifest
}

// Flags the world cannot be made with are refused before anything starts,
// naming the flag (fewer carriers than cities divided by zero).
TEST(SimulatorEndToEndTest, FlagsItCannotRunWithAreNamed) {
  const std::string cradled = std::string("--cradled=") + CRADLE_CRADLED;
  cradle::testing::RunResult few = cradle::testing::Run(
      {CRADLE_SIM, "--manifests=10", "--carriers=5", cradled});
  EXPECT_EQ(few.exit_code, 2) << few.err;
  EXPECT_THAT(few.err, HasSubstr("--carriers 5 is fewer than the 11 cities"));
  for (const char* bad :
       {"--generators=0", "--manifests=0", "--clients=0", "--rate_scale=-1",
        "--rate_scale=13", "--deadline_wait=soon"}) {
    cradle::testing::RunResult r =
        cradle::testing::Run({CRADLE_SIM, bad, cradled});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    const std::string name(bad, std::string(bad).find('='));
    EXPECT_THAT(r.err, HasSubstr(name)) << bad;
  }
  cradle::testing::RunResult help =
      cradle::testing::Run({CRADLE_SIM, "--help"});
  EXPECT_THAT(help.out + help.err, HasSubstr("--carriers"));
  EXPECT_THAT(help.out + help.err, HasSubstr("--rate_scale"));
}

}  // namespace
}  // namespace cradle
