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
  EXPECT_THAT(r.err, HasSubstr("manifests/s"));  // the progress line
  cradle::testing::RunResult lines =
      cradle::testing::Run({"/usr/bin/wc", "-l", truth});
  EXPECT_THAT(lines.out, HasSubstr("401"));  // header + one row per manifest
}

}  // namespace
}  // namespace cradle
