#include "domain/division.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/embedded_data.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(DivisionTableTest, BuiltinHoldsEveryCountyLevelUnit) {
  EXPECT_EQ(DivisionTable::Builtin().size(), 2978u);
}

TEST(DivisionTableTest, EmbeddedCsvKeepsItsBytes) {
  EXPECT_EQ(EmbeddedDivisionAreasCsv().size(), 85403u);
  EXPECT_EQ(EmbeddedDivisionAreasCsv().substr(0, 32),
            "code,name,cityCode,provinceCode\n");
  // provinces.csv, unlike areas.csv, has CRLF line ends.
  EXPECT_TRUE(absl::StartsWith(EmbeddedDivisionProvincesCsv(),
                               "code,name\r\n11,北京市\r\n"));
}

TEST(DivisionTableTest, LooksUpCityAndProvince) {
  absl::StatusOr<Division> d =
      DivisionTable::Builtin().Lookup("generator.division", "330402");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->code, "330402");
  EXPECT_EQ(d->name, "南湖区");
  EXPECT_EQ(d->city_code, "3304");
  EXPECT_EQ(d->city_name, "嘉兴市");
  EXPECT_EQ(d->province_code, "33");
  EXPECT_EQ(d->province_name, "浙江省");
}

TEST(DivisionTableTest, LooksUpMunicipalityAndProvinceAdministeredUnits) {
  absl::StatusOr<Division> chongqing_county =
      DivisionTable::Builtin().Lookup("site.division", "500229");
  ASSERT_TRUE(chongqing_county.ok()) << chongqing_county.status();
  EXPECT_EQ(chongqing_county->city_code, "5002");
  EXPECT_EQ(chongqing_county->province_name, "重庆市");

  absl::StatusOr<Division> jiyuan =
      DivisionTable::Builtin().Lookup("site.division", "419001");
  ASSERT_TRUE(jiyuan.ok()) << jiyuan.status();
  EXPECT_EQ(jiyuan->name, "济源市");
  EXPECT_EQ(jiyuan->city_code, "4190");
}

TEST(DivisionTableTest, LooksUpDevelopmentZone) {
  absl::StatusOr<Division> zone =
      DivisionTable::Builtin().Lookup("site.division", "130171");
  ASSERT_TRUE(zone.ok()) << zone.status();
  EXPECT_EQ(zone->city_code, "1301");
}

TEST(DivisionTableTest, RejectsMalformedCode) {
  for (const char* code : {"", "33040", "3304021", "33040a", "3304-2"}) {
    EXPECT_THAT(DivisionTable::Builtin().Lookup("generator.division", code),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("generator.division"),
                               HasSubstr("must be a 6-digit division code"))))
        << code;
  }
}

TEST(DivisionTableTest, RejectsUnknownCode) {
  // City- and province-level codes are not county-level units.
  for (const char* code : {"330400", "330000", "339999"}) {
    EXPECT_THAT(
        DivisionTable::Builtin().Lookup("receiver.division", code),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr("receiver.division \""),
                       HasSubstr("is not a county-level division code"))))
        << code;
  }
}

TEST(DivisionTableTest, FromCsvRejectsUnknownCity) {
  EXPECT_THAT(
      DivisionTable::FromCsv("code,name\n33,浙江省\n",
                             "code,name,provinceCode\n3304,嘉兴市,33\n",
                             "code,name,cityCode,provinceCode\n"
                             "330402,南湖区,3304,33\n330102,上城区,3301,33\n"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("areas.csv record 3: cityCode \"3301\"")));
}

TEST(CityUnitTest, MunicipalitiesAreOneCity) {
  EXPECT_EQ(CityUnit("110101"), "11");
  EXPECT_FALSE(IsCrossCity("110101", "110105"));
  EXPECT_FALSE(IsCrossCity("120101", "120116"));
  EXPECT_FALSE(IsCrossCity("310101", "310151"));
  // Chongqing's districts (5001) and counties (5002) are one city.
  EXPECT_FALSE(IsCrossCity("500101", "500229"));
  EXPECT_TRUE(IsCrossCity("110101", "120101"));
}

TEST(CityUnitTest, ProvinceAdministeredUnitsAreEachACity) {
  EXPECT_EQ(CityUnit("419001"), "419001");
  EXPECT_TRUE(IsCrossCity("419001", "419002"));
  EXPECT_TRUE(IsCrossCity("419001", "410102"));
  EXPECT_TRUE(IsCrossCity("469001", "469002"));
  EXPECT_FALSE(IsCrossCity("659001", "659001"));
}

TEST(CityUnitTest, DevelopmentZonesBelongToTheirCity) {
  EXPECT_EQ(CityUnit("330371"), "3303");
  EXPECT_FALSE(IsCrossCity("330371", "330302"));
  EXPECT_FALSE(IsCrossCity("130171", "130102"));
}

TEST(CityUnitTest, OrdinaryCitiesCompareFirstFourDigits) {
  EXPECT_EQ(CityUnit("330402"), "3304");
  EXPECT_FALSE(IsCrossCity("330402", "330481"));  // 南湖区, 海宁市: Jiaxing
  EXPECT_TRUE(IsCrossCity("330402", "330102"));  // Jiaxing vs Hangzhou
  EXPECT_FALSE(IsCrossProvince("330402", "330102"));
}

TEST(CityUnitTest, CrossProvinceComparesFirstTwoDigits) {
  EXPECT_TRUE(IsCrossProvince("330402", "320402"));  // Jiaxing vs Changzhou
  EXPECT_TRUE(IsCrossCity("330402", "320402"));
  EXPECT_FALSE(IsCrossProvince("500101", "500229"));
  EXPECT_FALSE(IsCrossProvince("419001", "410102"));
}

TEST(JurisdictionTest, MatchesProvinceCityOrCountyPrefix) {
  EXPECT_TRUE(InJurisdiction("330402", "33"));
  EXPECT_TRUE(InJurisdiction("330402", "3304"));
  EXPECT_TRUE(InJurisdiction("330402", "330402"));
  EXPECT_TRUE(InJurisdiction("330371", "3303"));
  EXPECT_TRUE(InJurisdiction("500229", "50"));
  EXPECT_FALSE(InJurisdiction("330402", "3301"));
  EXPECT_FALSE(InJurisdiction("330402", "32"));
  EXPECT_FALSE(InJurisdiction("330402", "330481"));
}

TEST(JurisdictionTest, RejectsPrefixOfOtherLength) {
  EXPECT_FALSE(InJurisdiction("330402", ""));
  EXPECT_FALSE(InJurisdiction("330402", "3"));
  EXPECT_FALSE(InJurisdiction("330402", "330"));
  EXPECT_FALSE(InJurisdiction("330402", "33040"));
  EXPECT_FALSE(InJurisdiction("330402", "33a4"));
}

}  // namespace
}  // namespace cradle::domain
