// The operator's report (docs/REPORTS.md): stock at the start, what was
// accepted and treated in the period, stock at the end, the entries each
// figure sums, the zero report, and the notes a regulator reads.

#include "domain/operator_report.h"

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "domain/csv.h"
#include "domain/work_calendar.h"
#include "tests/testing/parties.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kOil[] = "900-249-08";
constexpr char kSludge[] = "336-064-17";

absl::Time At(int y, int m, int d, int h = 10) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), ChinaTime());
}

// A manifest of one line per code received at `receiver` at `received`,
// accepting `kg` of each.
OperatorManifest Received(const std::string& number, absl::Time received,
                          const std::vector<std::string>& codes,
                          const std::vector<int64_t>& kg,
                          const std::string& receiver = kReceiver) {
  OperatorManifest om;
  v1::Manifest& m = om.manifest;
  m.set_number(number);
  m.set_generator(kGenerator);
  m.set_status(v1::MANIFEST_STATUS_ACCEPTED);
  v1::Destination* d = m.add_destinations();
  d->set_receiver(receiver);
  d->set_received(true);
  *d->mutable_received_at() = ToTimestamp(received);
  for (size_t i = 0; i < codes.size(); ++i) {
    m.add_lines()->set_code(codes[i]);
    d->add_accepted_g(kg[i] * 1000);
    d->add_rejected_g(0);
    d->add_disposed_g(0);
  }
  *m.mutable_updated_at() = ToTimestamp(received);
  return om;
}

void Treat(OperatorManifest* om, int line, const std::string& method,
           int64_t kg, absl::Time at) {
  om->disposals.push_back({line, method, kg * 1000, at});
  v1::Destination* d = om->manifest.mutable_destinations(0);
  d->set_disposed_g(line - 1, d->disposed_g(line - 1) + kg * 1000);
  *om->manifest.mutable_updated_at() = ToTimestamp(at);
}

ReportPeriod Day(const std::string& day, absl::Time now) {
  v1::GetOperatorReportRequest r;
  r.set_operator_(kReceiver);
  r.set_day(day);
  absl::StatusOr<ReportPeriod> p = CheckOperatorReport(r, now);
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

TEST(OperatorReportTest, TheDayBalancesStockReceiptsAndTreatment) {
  // Before the day: 500 kg of oil received, 200 kg of it treated. On the
  // day: 300 kg of oil and 40 kg of sludge received, 250 kg of oil treated
  // by R9 and 100 by D10 (50 of them from the day's own receipt). After
  // it: a treatment that must not count.
  OperatorManifest early = Received("M1", At(2026, 11, 20), {kOil}, {500});
  Treat(&early, 1, "R9", 200, At(2026, 11, 25));
  Treat(&early, 1, "R9", 250, At(2026, 12, 3, 9));
  OperatorManifest today =
      Received("M2", At(2026, 12, 3, 8), {kOil, kSludge}, {300, 40});
  Treat(&today, 1, "D10", 50, At(2026, 12, 3, 15));
  Treat(&early, 1, "D10", 50, At(2026, 12, 3, 16));
  Treat(&today, 1, "D10", 100, At(2026, 12, 4, 9));
  const absl::Time now = At(2026, 12, 4, 12);

  const v1::GetOperatorReportResponse r = ReportOperator(
      kReceiver, Day("2026-12-03", now), {early, today}, {}, {}, 0, now);
  EXPECT_EQ(r.period(), "2026-12-03");
  EXPECT_FALSE(r.zero());
  ASSERT_THAT(r.lines(), SizeIs(2));
  const v1::OperatorReportLine& sludge = r.lines(0);  // 336-... sorts first
  const v1::OperatorReportLine& oil = r.lines(1);
  EXPECT_EQ(oil.code(), kOil);
  EXPECT_EQ(oil.stock_start_g(), 300 * 1000);
  EXPECT_EQ(oil.accepted_g(), 300 * 1000);
  EXPECT_EQ(oil.treated_g(), 350 * 1000);
  ASSERT_THAT(oil.treated(), SizeIs(2));
  EXPECT_EQ(oil.treated(0).method(), "D10");
  EXPECT_EQ(oil.treated(0).grams(), 100 * 1000);
  EXPECT_EQ(oil.treated(1).method(), "R9");
  EXPECT_EQ(oil.treated(1).grams(), 250 * 1000);
  EXPECT_EQ(oil.stock_end_g(), 250 * 1000);
  EXPECT_EQ(oil.stock_end_g(),
            oil.stock_start_g() + oil.accepted_g() - oil.treated_g());
  EXPECT_EQ(oil.manifests(), 1);
  EXPECT_EQ(sludge.code(), kSludge);
  EXPECT_EQ(sludge.accepted_g(), 40 * 1000);
  EXPECT_EQ(sludge.stock_end_g(), 40 * 1000);

  // Every figure is the sum of its entries: 2 receipt rows, 3 treatments.
  int64_t accepted = 0, treated = 0;
  for (const v1::OperatorReportEntry& e : r.entries()) {
    if (e.code() != kOil) continue;
    (e.kind() == v1::OperatorReportEntry::KIND_RECEIPT ? accepted : treated) +=
        e.grams();
  }
  EXPECT_EQ(accepted, oil.accepted_g());
  EXPECT_EQ(treated, oil.treated_g());
  EXPECT_THAT(r.entries(), SizeIs(5));
  EXPECT_EQ(r.entries(0).at(), "2026-12-03T08:00:00+08:00");

  // The CSV says the same, quoted where it must be.
  absl::StatusOr<std::vector<CsvRecord>> rows =
      ParseCsv(OperatorReportLinesCsv(r));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(*rows, SizeIs(3));
  EXPECT_EQ((*rows)[2][2], kOil);
  EXPECT_EQ((*rows)[2][7], "D10=100000;R9=250000");
  EXPECT_EQ((*rows)[2][8], "250000");
  rows = ParseCsv(OperatorReportEntriesCsv(r));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_THAT(*rows, SizeIs(6));
}

TEST(OperatorReportTest, ADayWithoutMovementIsTheZeroReportStillShowingStock) {
  OperatorManifest held = Received("M1", At(2026, 11, 20), {kOil}, {500});
  const absl::Time now = At(2026, 12, 4, 12);
  const v1::GetOperatorReportResponse r =
      ReportOperator(kReceiver, Day("2026-12-02", now), {held}, {}, {}, 0, now);
  EXPECT_TRUE(r.zero());
  EXPECT_THAT(r.entries(), IsEmpty());
  ASSERT_THAT(r.lines(), SizeIs(1));
  EXPECT_EQ(r.lines(0).stock_start_g(), 500 * 1000);
  EXPECT_EQ(r.lines(0).stock_end_g(), 500 * 1000);

  // Another operator's receipt is not this one's; nothing held: no lines.
  const v1::GetOperatorReportResponse other = ReportOperator(
      kAltReceiver, Day("2026-12-02", now), {held}, {}, {}, 0, now);
  EXPECT_TRUE(other.zero());
  EXPECT_THAT(other.lines(), IsEmpty());

  // Secondary waste the operator's treatment made breaks the zero.
  v1::Container ash;
  ash.set_waste_code("772-002-18");
  ash.set_weight_g(80 * 1000);
  *ash.mutable_registered_at() = ToTimestamp(At(2026, 12, 2, 14));
  const v1::GetOperatorReportResponse made = ReportOperator(
      kReceiver, Day("2026-12-02", now), {held}, {ash}, {}, 0, now);
  EXPECT_FALSE(made.zero());
  ASSERT_THAT(made.lines(), SizeIs(2));
  EXPECT_EQ(made.lines(0).code(), "772-002-18");
  EXPECT_EQ(made.lines(0).secondary_g(), 80 * 1000);

  // A registration struck is no waste made: the day is a zero report again.
  ash.set_stock(v1::STOCK_STATE_VOID);
  const v1::GetOperatorReportResponse struck = ReportOperator(
      kReceiver, Day("2026-12-02", now), {held}, {ash}, {}, 0, now);
  EXPECT_TRUE(struck.zero());
  ASSERT_THAT(struck.lines(), SizeIs(1));
  EXPECT_EQ(struck.lines(0).secondary_g(), 0);
}

TEST(OperatorReportTest, TheYearComparesCapacityAndNamesWasteHeldTooLong) {
  OperatorManifest old = Received("M0", At(2025, 6, 1), {kOil}, {100});
  OperatorManifest big = Received("M1", At(2026, 3, 1), {kOil}, {900});
  Treat(&big, 1, "R9", 900, At(2026, 4, 1));
  const absl::Time now = At(2026, 12, 4, 12);
  v1::GetOperatorReportRequest req;
  req.set_operator_(kReceiver);
  req.set_year(2026);
  absl::StatusOr<ReportPeriod> year = CheckOperatorReport(req, now);
  ASSERT_TRUE(year.ok()) << year.status();
  const v1::GetOperatorReportResponse r =
      ReportOperator(kReceiver, *year, {old, big}, {}, {}, 500 * 1000, now);
  EXPECT_EQ(r.period(), "2026");
  EXPECT_EQ(r.capacity_g(), 500 * 1000);
  ASSERT_THAT(r.lines(), SizeIs(1));
  EXPECT_EQ(r.lines(0).stock_start_g(), 100 * 1000);
  EXPECT_EQ(r.lines(0).stock_end_g(), 100 * 1000);
  EXPECT_THAT(r.notes(),
              ElementsAre(HasSubstr("over the licensed capacity of 500kg"),
                          HasSubstr("manifest M0: 100kg accepted on "
                                    "2025-06-01 not treated within 365")));
}

// A collector (docs/COLLECTION.md) refills what it collected into containers
// of its own: the collected weight leaves its stock as repacked, the refill
// is not secondary waste, and a collected manifest it refilled is not held.
TEST(OperatorReportTest, ACollectorsRefillsLeaveItsStockAsRepacked) {
  // Two small generators' drums collected in June 2025 (60 + 40 kg) and
  // one on 2026-12-02 (30 kg); the first two refilled into a bag on
  // 2025-06-20 and the third into another on 2026-12-03 (1 kg residue).
  OperatorManifest garage = Received("M1", At(2025, 6, 10), {kOil}, {60});
  OperatorManifest lab = Received("M2", At(2025, 6, 10, 11), {kOil}, {40});
  OperatorManifest late = Received("M3", At(2026, 12, 2), {kOil}, {30});
  std::map<std::string, v1::Container> sources;
  auto collect = [&](OperatorManifest* om, const std::string& code,
                     int64_t kg) {
    om->manifest.mutable_destinations(0)->set_collected(true);
    om->manifest.mutable_lines(0)->add_containers(code);
    v1::Container& c = sources[code];
    c.set_code(code);
    c.set_waste_code(kOil);
    c.set_weight_g(kg * 1000);
    c.set_manifest(om->manifest.number());
  };
  collect(&garage, "DRUM-G", 60);
  collect(&lab, "DRUM-L", 40);
  collect(&late, "DRUM-X", 30);
  auto refill = [](const std::string& code, std::vector<std::string> from,
                   int64_t kg, absl::Time at) {
    v1::Container c;
    c.set_code(code);
    c.set_waste_code(kOil);
    c.set_weight_g(kg * 1000);
    for (const std::string& s : from) c.add_sources(s);
    *c.mutable_registered_at() = ToTimestamp(at);
    return c;
  };
  const std::vector<v1::Container> own = {
      refill("BAG-1", {"DRUM-G", "DRUM-L"}, 100, At(2025, 6, 20)),
      refill("BAG-2", {"DRUM-X"}, 29, At(2026, 12, 3))};
  EXPECT_THAT(RepackSources(own, At(2026, 12, 3)),
              ElementsAre("DRUM-G", "DRUM-L"));
  EXPECT_THAT(RepackSources(own, At(2026, 12, 4)),
              ElementsAre("DRUM-G", "DRUM-L", "DRUM-X"));
  const absl::Time now = At(2026, 12, 4, 12);

  // The day of the second refill: the 30 kg drum leaves stock.
  const v1::GetOperatorReportResponse day =
      ReportOperator(kReceiver, Day("2026-12-03", now), {garage, lab, late},
                     own, sources, 0, now);
  EXPECT_FALSE(day.zero());
  ASSERT_THAT(day.lines(), SizeIs(1));
  const v1::OperatorReportLine& oil = day.lines(0);
  EXPECT_EQ(oil.stock_start_g(), 30 * 1000);
  EXPECT_EQ(oil.repacked_g(), 30 * 1000);
  EXPECT_EQ(oil.secondary_g(), 0);
  EXPECT_EQ(oil.stock_end_g(), 0);
  EXPECT_EQ(oil.stock_end_g(), oil.stock_start_g() + oil.accepted_g() -
                                   oil.treated_g() - oil.repacked_g());
  ASSERT_THAT(day.entries(), SizeIs(1));
  EXPECT_EQ(day.entries(0).kind(), v1::OperatorReportEntry::KIND_REPACK);
  EXPECT_EQ(day.entries(0).manifest(), "M3");
  EXPECT_EQ(day.entries(0).line(), 1);
  EXPECT_EQ(day.entries(0).container(), "BAG-2");
  EXPECT_EQ(day.entries(0).grams(), 30 * 1000);

  // The year: 2025's refill was before it, so nothing held at its start
  // and no manifest held past the storage limit; the year's own receipt
  // and refill balance.
  v1::GetOperatorReportRequest req;
  req.set_operator_(kReceiver);
  req.set_year(2026);
  absl::StatusOr<ReportPeriod> year = CheckOperatorReport(req, now);
  ASSERT_TRUE(year.ok()) << year.status();
  const v1::GetOperatorReportResponse r = ReportOperator(
      kReceiver, *year, {garage, lab, late}, own, sources, 0, now);
  ASSERT_THAT(r.lines(), SizeIs(1));
  EXPECT_EQ(r.lines(0).stock_start_g(), 0);
  EXPECT_EQ(r.lines(0).accepted_g(), 30 * 1000);
  EXPECT_EQ(r.lines(0).repacked_g(), 30 * 1000);
  EXPECT_EQ(r.lines(0).stock_end_g(), 0);
  EXPECT_THAT(r.notes(), IsEmpty());

  // The CSVs carry the figure and the container it went into.
  absl::StatusOr<std::vector<CsvRecord>> rows =
      ParseCsv(OperatorReportLinesCsv(day));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(*rows, SizeIs(2));
  EXPECT_EQ((*rows)[0][11], "repacked_g");
  EXPECT_EQ((*rows)[1][11], "30000");
  rows = ParseCsv(OperatorReportEntriesCsv(day));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(*rows, SizeIs(2));
  EXPECT_EQ((*rows)[1][2], "repack");
  EXPECT_EQ((*rows)[0][11], "container");
  EXPECT_EQ((*rows)[1][11], "BAG-2");

  // Without the refills read, the same drums would look held for ever,
  // and held past the storage limit.
  const v1::GetOperatorReportResponse unread =
      ReportOperator(kReceiver, *year, {garage, lab, late}, own, {}, 0, now);
  EXPECT_EQ(unread.lines(0).stock_end_g(), 130 * 1000);
  EXPECT_THAT(unread.notes(),
              ElementsAre(HasSubstr("manifest M1: 60kg accepted on 2025-06-10"),
                          HasSubstr("manifest M2: 40kg")));
}

TEST(OperatorReportTest, WhatIsWhollyTreatedBeforeThePeriodNeedsNoHistory) {
  OperatorManifest done = Received("M1", At(2026, 10, 1), {kOil}, {100});
  Treat(&done, 1, "R9", 100, At(2026, 10, 2));
  OperatorManifest held = Received("M2", At(2026, 10, 1), {kOil}, {100});
  EXPECT_FALSE(ReportNeedsHistory(done.manifest, kReceiver, At(2026, 12, 1)));
  EXPECT_TRUE(ReportNeedsHistory(done.manifest, kReceiver, At(2026, 10, 1)));
  EXPECT_TRUE(ReportNeedsHistory(held.manifest, kReceiver, At(2026, 12, 1)));
  EXPECT_FALSE(
      ReportNeedsHistory(held.manifest, kAltReceiver, At(2026, 12, 1)));
}

TEST(OperatorReportTest, BadPeriodsAreRefusedNamingTheField) {
  const absl::Time now = At(2026, 12, 4, 12);
  v1::GetOperatorReportRequest r;
  r.set_day("2026-12-03");
  EXPECT_THAT(CheckOperatorReport(r, now),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("operator is required")));
  r.set_operator_(kReceiver);
  r.set_year(2026);
  EXPECT_THAT(CheckOperatorReport(r, now),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exactly one of day")));
  r.set_year(0);
  for (const char* day : {"2026-12-5", "2026-13-01", "yesterday"}) {
    r.set_day(day);
    EXPECT_THAT(CheckOperatorReport(r, now),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("is not YYYY-MM-DD")))
        << day;
  }
  r.set_day("2026-12-05");
  EXPECT_THAT(CheckOperatorReport(r, now),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a report is of a day begun")));
  r.clear_day();
  r.set_year(2027);
  EXPECT_THAT(CheckOperatorReport(r, now),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("year 2027 must be 2000..2026")));
}

}  // namespace
}  // namespace cradle::domain
