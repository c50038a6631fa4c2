// The operator's report over a real server (docs/REPORTS.md): a manifest
// received and treated over two days gives each day's figures, a day
// without movement the zero report, the year its totals against the
// licensed capacity; the figures survive a restart because they are read
// off the ledger, and each refusal names what is wrong.

#include <cstdint>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/registry.grpc.pb.h"
#include "tests/integration/server_fixture.h"
#include "tests/testing/parties.h"

namespace cradle {
namespace {

using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::WriteReply;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kOil[] = "900-249-08";
constexpr char kOther[] = "900-041-49";

class ReportIntegrationTest : public cradle::testing::ServerFixture {
 protected:
  grpc::Status Report(const std::string& who, const std::string& op,
                      const std::string& day, int year,
                      v1::GetOperatorReportResponse* out) {
    v1::GetOperatorReportRequest req;
    req.set_operator_(op);
    req.set_day(day);
    req.set_year(year);
    grpc::ClientContext ctx;
    As(&ctx, who);
    return registry_->GetOperatorReport(&ctx, req, out);
  }
  v1::GetOperatorReportResponse Report(const std::string& day, int year = 0) {
    v1::GetOperatorReportResponse out;
    grpc::Status s = Report(kReceiver, kReceiver, day, year, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  static const v1::OperatorReportLine* Line(
      const v1::GetOperatorReportResponse& r, const std::string& code) {
    for (const v1::OperatorReportLine& l : r.lines()) {
      if (l.code() == code) return &l;
    }
    return nullptr;
  }
};

TEST_F(ReportIntegrationTest, EachDayBalancesAndAQuietDayIsTheZeroReport) {
  // 2026-11-23 (the fixture's clock): 1 t of oil and 250 kg of the other
  // received, 400 kg of oil treated. The next day: the rest treated.
  const std::string n = OpenOne();
  WriteReply r;
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());
  ASSERT_TRUE(
      Receive(n, kReceiver, {Accept(1, 1000000), Accept(2, 250000)}, &r).ok());
  ASSERT_TRUE(Dispose(n, kReceiver, {Dispose(1, 400000)}, &r).ok());
  clock_.Advance(absl::Hours(24));
  ASSERT_TRUE(
      Dispose(n, kReceiver, {Dispose(1, 600000), Dispose(2, 250000)}, &r).ok());
  clock_.Advance(absl::Hours(24));

  v1::GetOperatorReportResponse first = Report("2026-11-23");
  EXPECT_FALSE(first.zero());
  ASSERT_THAT(first.lines(), SizeIs(2));
  const v1::OperatorReportLine* oil = Line(first, kOil);
  ASSERT_NE(oil, nullptr);
  EXPECT_EQ(oil->stock_start_g(), 0);
  EXPECT_EQ(oil->accepted_g(), 1000000);
  EXPECT_EQ(oil->treated_g(), 400000);
  EXPECT_EQ(oil->stock_end_g(), 600000);
  EXPECT_EQ(oil->manifests(), 1);
  ASSERT_THAT(oil->treated(), SizeIs(1));
  EXPECT_EQ(oil->treated(0).method(), "D10");
  EXPECT_THAT(first.entries(), SizeIs(3));  // two receipt lines, a treatment
  for (const v1::OperatorReportEntry& e : first.entries()) {
    EXPECT_EQ(e.manifest(), n);
    EXPECT_EQ(e.generator(), kGenerator);
  }

  const v1::GetOperatorReportResponse second = Report("2026-11-24");
  EXPECT_FALSE(second.zero());
  oil = Line(second, kOil);
  ASSERT_NE(oil, nullptr);
  EXPECT_EQ(oil->stock_start_g(), 600000);
  EXPECT_EQ(oil->accepted_g(), 0);
  EXPECT_EQ(oil->treated_g(), 600000);
  EXPECT_EQ(oil->stock_end_g(), 0);
  const v1::OperatorReportLine* other = Line(second, kOther);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->stock_start_g(), 250000);
  EXPECT_EQ(other->stock_end_g(), 0);

  const v1::GetOperatorReportResponse quiet = Report("2026-11-25");
  EXPECT_TRUE(quiet.zero());
  EXPECT_THAT(quiet.lines(), IsEmpty());
  EXPECT_THAT(quiet.entries(), IsEmpty());

  // The year, as the regulator over the operator reads it: the licence's
  // 5,000 t a year and what was accepted.
  v1::GetOperatorReportResponse year;
  ASSERT_TRUE(Report(Regulator("3304"), kReceiver, "", 2026, &year).ok());
  EXPECT_EQ(year.period(), "2026");
  EXPECT_EQ(year.capacity_g(), int64_t{5000} * 1000 * 1000);
  oil = Line(year, kOil);
  ASSERT_NE(oil, nullptr);
  EXPECT_EQ(oil->accepted_g(), 1000000);
  EXPECT_EQ(oil->treated_g(), 1000000);
  EXPECT_THAT(year.entries(), SizeIs(5));
  EXPECT_THAT(year.notes(), IsEmpty());

  // Read off the ledger: the same after a restart.
  Restart();
  const v1::GetOperatorReportResponse again = Report("2026-11-23");
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
}

TEST_F(ReportIntegrationTest, RefusalsNameTheFieldOrTheReader) {
  v1::GetOperatorReportResponse out;
  grpc::Status s = Report(kReceiver, "", "2026-11-23", 0, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("operator is required"));

  s = Report(kReceiver, kReceiver, "2026-11-31", 0, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("day \"2026-11-31\""));

  s = Report(kReceiver, kReceiver, "2026-11-23", 2026, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("exactly one of day"));

  // Another operator's report, and a generator's credential.
  s = Report(kAltReceiver, kReceiver, "2026-11-23", 0, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Report(kGenerator, kReceiver, "2026-11-23", 0, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A regulator elsewhere.
  s = Report(Regulator("3201"), kReceiver, "2026-11-23", 0, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // Only receivers report; an unknown enterprise is named.
  s = Report(Regulator("33"), kCarrier, "2026-11-23", 0, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("not registered as a receiver"));
  s = Report(Regulator("33"), "91330000NOSUCH0000", "2026-11-23", 0, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("operator"));
}

}  // namespace
}  // namespace cradle
