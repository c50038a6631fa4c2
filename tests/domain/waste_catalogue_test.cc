#include "domain/waste_catalogue.h"

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/embedded_data.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(WasteCatalogueTest, BuiltinHasTheOfficialCounts) {
  const WasteCatalogue& catalogue = WasteCatalogue::Builtin();
  EXPECT_EQ(catalogue.size(), 467u);
  std::set<std::string> categories;
  for (const WasteCode& code : catalogue.codes()) {
    categories.insert(code.category);
    EXPECT_TRUE(WasteCatalogue::IsCategory(code.category)) << code.code;
    EXPECT_NE(code.hazards, 0) << code.code;
  }
  EXPECT_EQ(categories.size(), 46u);
}

TEST(WasteCatalogueTest, EmbeddedCsvKeepsCrlf) {
  EXPECT_EQ(EmbeddedWasteCatalogueCsv().substr(0, 38),
            "category,code,industry,name,hazard\r\nHW");
}

TEST(WasteCatalogueTest, FindsRealCodes) {
  absl::StatusOr<const WasteCode*> oil =
      WasteCatalogue::Builtin().Lookup("waste_lines[0].code", "900-249-08");
  ASSERT_TRUE(oil.ok()) << oil.status();
  EXPECT_EQ((*oil)->category, "HW08");
  EXPECT_EQ((*oil)->hazards, kHazardToxicity | kHazardIgnitability);

  absl::StatusOr<const WasteCode*> medical =
      WasteCatalogue::Builtin().Lookup("waste_lines[0].code", "841-001-01");
  ASSERT_TRUE(medical.ok()) << medical.status();
  EXPECT_EQ((*medical)->category, "HW01");
  EXPECT_EQ((*medical)->industry, "卫生");
  EXPECT_EQ((*medical)->name, "感染性废物");
  EXPECT_EQ((*medical)->hazards, kHazardInfectivity);
}

TEST(WasteCatalogueTest, KeepsQuotedNamesWhole) {
  absl::StatusOr<const WasteCode*> code =
      WasteCatalogue::Builtin().Lookup("code", "261-110-11");
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_THAT((*code)->name, HasSubstr("4,4′-二羟基二苯砜"));
}

TEST(WasteCatalogueTest, RejectsWellFormedCodeOutsideCatalogue) {
  EXPECT_THAT(
      WasteCatalogue::Builtin().Lookup("waste_lines[2].code", "900-999-08"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("waste_lines[2].code \"900-999-08\""),
                     HasSubstr("is not in the 2021 catalogue"))));
}

TEST(WasteCatalogueTest, RejectsBadFormatBeforeMembership) {
  for (const char* code : {"", "900-249-8", "900249-08", "900-249-08 ",
                           "90a-249-08", "900_249_08", "HW08"}) {
    EXPECT_THAT(
        WasteCatalogue::Builtin().Lookup("waste_lines[1].code", code),
        StatusIs(
            absl::StatusCode::kInvalidArgument,
            AllOf(HasSubstr("waste_lines[1].code"),
                  HasSubstr("is not a waste code of the form NNN-NNN-NN"))))
        << code;
  }
}

TEST(WasteCatalogueTest, KnowsTheFortySixCategories) {
  EXPECT_TRUE(WasteCatalogue::IsCategory("HW01"));
  EXPECT_TRUE(WasteCatalogue::IsCategory("HW40"));
  EXPECT_TRUE(WasteCatalogue::IsCategory("HW45"));
  EXPECT_TRUE(WasteCatalogue::IsCategory("HW50"));
  for (const char* c :
       {"HW00", "HW41", "HW44", "HW51", "hw08", "HW8", "HW008", ""}) {
    EXPECT_FALSE(WasteCatalogue::IsCategory(c)) << c;
  }
}

TEST(WasteCatalogueTest, FromCsvRejectsCategoryNotMatchingCode) {
  EXPECT_THAT(
      WasteCatalogue::FromCsv("category,code,industry,name,hazard\r\n"
                              "HW09,900-249-08,非特定行业,废矿物油,T|I\r\n"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("record 2: category \"HW09\"")));
}

TEST(HazardsTest, ParsesSubsetsWithEitherSeparator) {
  absl::StatusOr<uint8_t> h = ParseHazards("waste_lines[0].hazards", "T,C");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(*h, kHazardToxicity | kHazardCorrosivity);

  h = ParseHazards("waste_lines[0].hazards", "T|C|I|R|In");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(*h, kAllHazards);

  h = ParseHazards("waste_lines[0].hazards", "In, R");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(*h, kHazardInfectivity | kHazardReactivity);
}

TEST(HazardsTest, RejectsUnknownRepeatedOrMissing) {
  EXPECT_THAT(ParseHazards("waste_lines[0].hazards", "T,X"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("waste_lines[0].hazards \"T,X\""),
                             HasSubstr("has \"X\""))));
  EXPECT_THAT(
      ParseHazards("waste_lines[0].hazards", "IN"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has \"IN\"")));
  EXPECT_THAT(
      ParseHazards("waste_lines[0].hazards", "T,,C"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has \"\"")));
  EXPECT_THAT(ParseHazards("waste_lines[0].hazards", "T|T"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("names hazard T twice")));
  EXPECT_THAT(ParseHazards("waste_lines[0].hazards", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("waste_lines[0].hazards is empty")));
}

TEST(HazardsTest, FormatsInCanonicalOrderAndRoundTrips) {
  EXPECT_EQ(FormatHazards(kHazardInfectivity | kHazardToxicity), "T,In");
  EXPECT_EQ(FormatHazards(kAllHazards), "T,C,I,R,In");
  EXPECT_EQ(FormatHazards(0), "");
  for (uint8_t mask = 1; mask <= kAllHazards; ++mask) {
    absl::StatusOr<uint8_t> back = ParseHazards("h", FormatHazards(mask));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, mask);
  }
}

}  // namespace
}  // namespace cradle::domain
