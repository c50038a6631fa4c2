// The annual declaration (docs/PLANS.md): a year's figures per waste code
// from the manifests and the stock ledger, the mass balance, and where the
// year left its plan.

#include "domain/declaration.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "domain/container.h"
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
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kWaste[] = "900-249-08";
constexpr char kOther[] = "900-041-49";

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 10, 0, 0), ChinaTime());
}

v1::Container Drum(int seq, absl::CivilDay filled, int64_t kg,
                   v1::StockState stock = v1::STOCK_STATE_STORED,
                   const std::string& manifest = "") {
  v1::Container c;
  c.set_code(FormatContainerCode(kGenerator, kWaste, filled, seq));
  c.set_generator(kGenerator);
  c.set_waste_code(kWaste);
  c.set_generation_date(absl::FormatCivilTime(filled));
  c.set_weight_g(kg * 1000);
  c.set_stock(stock);
  c.set_manifest(manifest);
  return c;
}

v1::Manifest Shipped(const std::string& number, absl::Time opened,
                     const std::string& code, const std::string& receiver,
                     int64_t kg,
                     v1::ManifestStatus status = v1::MANIFEST_STATUS_CLOSED) {
  v1::Manifest m;
  m.set_number(number);
  m.set_generator(kGenerator);
  m.set_status(status);
  *m.mutable_opened_at() = ToTimestamp(opened);
  m.add_lines()->set_code(code);
  m.mutable_lines(0)->set_quantity_g(kg * 1000);
  v1::Destination* d = m.add_destinations();
  d->set_receiver(receiver);
  d->add_sent_g(kg * 1000);
  return m;
}

v1::ManagementPlan Plan() {
  v1::ManagementPlan p;
  p.set_number("330402-2026-0001");
  p.set_generator(kGenerator);
  p.set_year(2026);
  v1::PlanLine* l = p.add_lines();
  l->set_code(kWaste);
  l->set_expected_g(1000 * 1000);
  v1::PlannedTransfer* t = l->add_transfers();
  t->set_receiver(kReceiver);
  t->set_quantity_g(400 * 1000);
  return p;
}

TEST(DeclarationTest, TheYearBalancesFromManifestsAndTheStockLedger) {
  // Held from 2025 into 2026: 200 kg shipped in 2026, 150 kg held through.
  // Filled in 2026: 300 kg shipped, 100 kg used on site, 250 kg held, one
  // struck. A manifest of 2025 and a cancelled one count for nothing.
  std::vector<v1::Container> drums = {
      Drum(1, absl::CivilDay(2025, 12, 20), 200, v1::STOCK_STATE_STORED, "M1"),
      Drum(2, absl::CivilDay(2026, 3, 1), 300, v1::STOCK_STATE_STORED, "M1"),
      Drum(3, absl::CivilDay(2026, 4, 1), 100, v1::STOCK_STATE_OWN_USE),
      Drum(4, absl::CivilDay(2026, 6, 1), 250),
      Drum(5, absl::CivilDay(2025, 11, 1), 150),
      Drum(6, absl::CivilDay(2026, 7, 1), 999, v1::STOCK_STATE_VOID),
      Drum(7, absl::CivilDay(2025, 10, 1), 80, v1::STOCK_STATE_STORED, "M0"),
  };
  v1::StockRecord* used = drums[2].add_records();
  used->set_move(v1::STOCK_MOVE_OWN_USE);
  *used->mutable_at() = ToTimestamp(Day(2026, 5, 1));
  const std::vector<v1::Manifest> manifests = {
      Shipped("M0", Day(2025, 10, 9), kWaste, kReceiver, 80),
      Shipped("M1", Day(2026, 5, 10), kWaste, kReceiver, 500),
      Shipped("M2", Day(2026, 6, 10), kWaste, kReceiver, 70,
              v1::MANIFEST_STATUS_CANCELLED),
  };
  const v1::ManagementPlan plan = Plan();
  const v1::GetDeclarationResponse d =
      Declare(kGenerator, 2026, &plan, manifests, drums, Day(2027, 1, 15));
  EXPECT_EQ(d.plan_number(), "330402-2026-0001");
  ASSERT_THAT(d.lines(), SizeIs(1));
  const v1::DeclarationLine& l = d.lines(0);
  EXPECT_EQ(l.shipped_g(), 500 * 1000);
  EXPECT_EQ(l.own_use_g(), 100 * 1000);
  EXPECT_EQ(l.stock_start_g(), 350 * 1000);  // drums 1 and 5
  EXPECT_EQ(l.stock_end_g(), 400 * 1000);    // drums 4 and 5
  EXPECT_EQ(l.generated_g(), 650 * 1000);    // 500 + 100 + 400 - 350
  EXPECT_EQ(l.labelled_g(), 650 * 1000);     // drums 2, 3, 4
  EXPECT_EQ(l.planned_g(), 1000 * 1000);
  ASSERT_THAT(l.transfers(), SizeIs(1));
  EXPECT_EQ(l.transfers(0).receiver(), kReceiver);
  EXPECT_EQ(l.transfers(0).manifests(), 1);
  EXPECT_EQ(l.transfers(0).planned_g(), 400 * 1000);
  EXPECT_THAT(d.notes(), Contains(HasSubstr("500kg shipped to " + kReceiver +
                                            " against 400kg planned")));
  EXPECT_THAT(d.notes(), SizeIs(1));

  // As CSV: a row for the code, one for its receiver.
  absl::StatusOr<std::vector<CsvRecord>> rows = ParseCsv(DeclarationCsv(d));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(*rows, SizeIs(3));
  EXPECT_EQ((*rows)[0][3], "row");
  EXPECT_THAT((*rows)[1],
              ElementsAre(kGenerator, "2026", "330402-2026-0001", "code",
                          kWaste, "", "650000", "1000000", "500000", "100000",
                          "350000", "400000", "650000", "", "0"));
  EXPECT_THAT(
      (*rows)[2],
      ElementsAre(kGenerator, "2026", "330402-2026-0001", "transfer", kWaste,
                  kReceiver, "", "400000", "500000", "", "", "", "", "1", ""));
}

// A collector's containers filled from what it collected (container.sources;
// docs/COLLECTION.md) are in its stock and shipments, but the small
// generators made that waste: the declaration counts them as repacked, not
// generated.
TEST(DeclarationTest, ACollectorsRefillsAreRepackedNotGenerated) {
  v1::Container shipped =
      Drum(1, absl::CivilDay(2026, 3, 1), 99, v1::STOCK_STATE_STORED, "M1");
  shipped.add_sources("DRUM-G");
  shipped.add_sources("DRUM-L");
  v1::Container held = Drum(2, absl::CivilDay(2026, 9, 1), 30);
  held.add_sources("DRUM-X");
  // And waste of its own: 5 kg of used absorbent, held.
  const v1::Container own = Drum(3, absl::CivilDay(2026, 9, 2), 5);
  const std::vector<v1::Manifest> manifests = {
      Shipped("M1", Day(2026, 3, 2), kWaste, kReceiver, 99)};
  const v1::GetDeclarationResponse d =
      Declare(kGenerator, 2026, nullptr, manifests, {shipped, held, own},
              Day(2027, 1, 15));
  ASSERT_THAT(d.lines(), SizeIs(1));
  const v1::DeclarationLine& l = d.lines(0);
  EXPECT_EQ(l.shipped_g(), 99 * 1000);
  EXPECT_EQ(l.stock_end_g(), 35 * 1000);
  EXPECT_EQ(l.labelled_g(), 134 * 1000);
  EXPECT_EQ(l.repacked_g(), 129 * 1000);
  EXPECT_EQ(l.generated_g(), 5 * 1000);  // 99 + 35 - 0 - 129
  EXPECT_THAT(d.notes(), SizeIs(1));     // no plan; nothing else
  absl::StatusOr<std::vector<CsvRecord>> rows = ParseCsv(DeclarationCsv(d));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0][14], "repacked_g");
  EXPECT_EQ((*rows)[1][14], "129000");
}

TEST(DeclarationTest, NamesWhatThePlanDidNotPlan) {
  const std::vector<v1::Manifest> manifests = {
      Shipped("M1", Day(2026, 5, 10), kOther, kReceiver, 50),
      Shipped("M2", Day(2026, 5, 11), kWaste, kAltReceiver, 20),
  };
  const v1::ManagementPlan plan = Plan();
  const v1::GetDeclarationResponse d =
      Declare(kGenerator, 2026, &plan, manifests, {}, Day(2026, 12, 3));
  EXPECT_THAT(d.notes(),
              Contains(HasSubstr(std::string(kOther) +
                                 ": 50kg generated, which plan "
                                 "330402-2026-0001 has no line for")));
  EXPECT_THAT(d.notes(), Contains(HasSubstr("20kg shipped to " + kAltReceiver +
                                            ", which plan 330402-2026-0001 "
                                            "does not plan")));
  EXPECT_THAT(d.notes(),
              Contains(HasSubstr("the year is not over: figures as of "
                                 "2026-12-03")));
  // Without a plan, the figures stand alone.
  const v1::GetDeclarationResponse none =
      Declare(kGenerator, 2026, nullptr, manifests, {}, Day(2027, 2, 1));
  EXPECT_THAT(none.notes(),
              Contains(HasSubstr("no management plan was filed for 2026")));
  EXPECT_THAT(none.notes(), SizeIs(1));
}

TEST(DeclarationTest, AYearNotBegunIsRefusedNamingIt) {
  EXPECT_THAT(CheckDeclarationYear(2027, Day(2026, 12, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("year 2027 must be 2000..2026")));
  EXPECT_THAT(CheckDeclarationYear(1999, Day(2026, 12, 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("year")));
  EXPECT_TRUE(CheckDeclarationYear(2026, Day(2026, 12, 3)).ok());
}

}  // namespace
}  // namespace cradle::domain
