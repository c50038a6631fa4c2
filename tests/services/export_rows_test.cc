#include "services/export_rows.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/csv.h"

namespace cradle::services {
namespace {

using ::testing::SizeIs;

// A manifest with every party's part filled: two lines, two legs, one
// destination that received, checked, disposed and answered.
v1::Manifest Full() {
  v1::Manifest m;
  m.set_number("20263304000001");
  m.set_status(v1::MANIFEST_STATUS_CLOSED);
  m.set_generator("91330402MA2B3C4D5X");
  m.set_method("D10");
  v1::Dispatch* d = m.mutable_dispatch();
  d->set_contact("王经理");
  d->set_contact_mobile("13812345678");
  d->set_emergency_phone("0573-82345678");
  d->set_address("嘉兴市南湖区某路1号, 2号门");  // a comma: quoted
  d->set_planned_date("2026-11-25");
  d->set_plan_number("330402-2026-0017");
  for (const char* code : {"900-249-08", "900-041-49"}) {
    v1::WasteLine* l = m.add_lines();
    l->set_code(code);
    l->set_quantity_g(1000000);
    l->set_packaging("铁桶");
    l->set_package_count(5);
    l->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
    l->add_hazards(v1::HAZARD_CHARACTERISTIC_IGNITABILITY);
    l->set_form(v1::PHYSICAL_FORM_LIQUID);
    l->set_precautions("远离火源, 防渗漏");
    l->set_dg_class("3");
    l->set_un_number("UN1993");
  }
  for (int i = 0; i < 2; ++i) {
    v1::Leg* leg = m.add_legs();
    leg->set_carrier(absl::StrCat("carrier-", i));
    leg->set_vehicle("浙F12345");
    leg->mutable_papers()->set_operating_permit("许可嘉字330400001号");
    leg->mutable_papers()->set_driver("张师傅");
    leg->mutable_transport()->set_driver_certificate("330402198001011234");
    leg->mutable_transport()->set_waybill("YD1");
    leg->mutable_transport()->set_origin("嘉兴");
    leg->mutable_transport()->add_via("G60");
    leg->mutable_transport()->set_destination("海宁");
  }
  v1::Destination* dest = m.add_destinations();
  dest->set_receiver("91330481MA2C7H8J9X");
  for (int i = 0; i < 2; ++i) {
    dest->add_sent_g(1000000);
    dest->add_received_g(990000);
    dest->add_accepted_g(990000);
    dest->add_rejected_g(0);
    dest->add_disposed_g(990000);
    dest->add_reject_reasons("");
    dest->add_disposal_methods("R9");
  }
  dest->set_licence("ZJ-0481");
  dest->set_received_by("赵收货");
  v1::LineReceipt* check = dest->add_checks();
  check->set_line(2);
  check->set_form(v1::PHYSICAL_FORM_SEMI_SOLID);
  dest->set_outcome("再生基础油 \"一级\"");  // a quote: doubled
  return m;
}

// The rows as header-keyed maps.
std::vector<std::map<std::string, std::string>> Rows(const std::string& csv) {
  absl::StatusOr<std::vector<domain::CsvRecord>> records =
      domain::ParseCsv(csv);
  EXPECT_TRUE(records.ok()) << records.status();
  std::vector<std::map<std::string, std::string>> out;
  if (!records.ok() || records->empty()) return out;
  const domain::CsvRecord& header = records->front();
  for (size_t r = 1; r < records->size(); ++r) {
    EXPECT_EQ((*records)[r].size(), header.size()) << "row " << r;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < (*records)[r].size(); ++i) {
      row[header[i]] = (*records)[r][i];
    }
    out.push_back(std::move(row));
  }
  return out;
}

TEST(FormRowsTest, OneRowPerLineWithEveryPartysFields) {
  const auto rows = Rows(absl::StrCat(kFormHeader, FormRows(Full())));
  ASSERT_THAT(rows, SizeIs(2));
  const auto& first = rows[0];
  EXPECT_EQ(first.at("number"), "20263304000001");
  EXPECT_EQ(first.at("contact_mobile"), "13812345678");
  EXPECT_EQ(first.at("address"), "嘉兴市南湖区某路1号, 2号门");
  EXPECT_EQ(first.at("plan_number"), "330402-2026-0017");
  EXPECT_EQ(first.at("line"), "1");
  EXPECT_EQ(first.at("hazards"), "T,I");
  EXPECT_EQ(first.at("form"), "liquid");
  EXPECT_EQ(first.at("precautions"), "远离火源, 防渗漏");
  EXPECT_EQ(first.at("un_number"), "UN1993");
  EXPECT_EQ(first.at("carriers"), "carrier-0;carrier-1");
  EXPECT_EQ(first.at("operating_permits"),
            "许可嘉字330400001号;许可嘉字330400001号");
  EXPECT_EQ(first.at("drivers"),
            "张师傅 330402198001011234;张师傅 330402198001011234");
  EXPECT_EQ(first.at("routes"), "嘉兴 > G60 > 海宁;嘉兴 > G60 > 海宁");
  EXPECT_EQ(first.at("licences"), "ZJ-0481");
  EXPECT_EQ(first.at("received_by"), "赵收货");
  EXPECT_EQ(first.at("received_g"), "990000");
  EXPECT_EQ(first.at("disposal_methods"), "R9");
  EXPECT_EQ(first.at("outcomes"), "再生基础油 \"一级\"");
  EXPECT_EQ(first.at("arrived"), "");  // only line 2 was checked
  EXPECT_EQ(rows[1].at("line"), "2");
  EXPECT_EQ(rows[1].at("arrived"), "semi_solid");
}

TEST(FormRowsTest, AManifestWithNoneOfTheFormStillHasEveryColumn) {
  v1::Manifest m;
  m.set_number("20243304000001");
  v1::WasteLine* l = m.add_lines();
  l->set_code("900-249-08");
  l->set_quantity_g(5);
  const auto rows = Rows(absl::StrCat(kFormHeader, FormRows(m)));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].at("contact"), "");
  EXPECT_EQ(rows[0].at("carriers"), "");
  EXPECT_EQ(rows[0].at("quantity_g"), "5");
}

TEST(ManifestRowTest, MatchesItsHeader) {
  const auto rows = Rows(absl::StrCat(kManifestHeader, ManifestRow(Full())));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].at("lines_g"), "900-249-08:1000000;900-041-49:1000000");
}

}  // namespace
}  // namespace cradle::services
