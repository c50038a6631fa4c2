#include "domain/legal_form.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/waste_catalogue.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

const WasteCode& Code(absl::string_view code) {
  absl::StatusOr<const WasteCode*> c =
      WasteCatalogue::Builtin().Lookup("code", code);
  EXPECT_TRUE(c.ok()) << c.status();
  return **c;
}

TEST(LineHazardsTest, DefaultsToTheCatalogueAndNeverDeclaresFewer) {
  const WasteCode& oil = Code("900-249-08");  // waste mineral oil: T, I
  ASSERT_EQ(oil.hazards, kHazardToxicity | kHazardIgnitability);
  absl::StatusOr<uint8_t> defaulted = LineHazards("lines[0].hazards", oil, 0);
  ASSERT_TRUE(defaulted.ok()) << defaulted.status();
  EXPECT_EQ(*defaulted, oil.hazards);
  // More than the catalogue lists is the generator's caution.
  absl::StatusOr<uint8_t> more =
      LineHazards("lines[0].hazards", oil, oil.hazards | kHazardCorrosivity);
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_EQ(*more, oil.hazards | kHazardCorrosivity);
  EXPECT_THAT(
      LineHazards("lines[0].hazards", oil, kHazardToxicity),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("lines[0].hazards"), HasSubstr("leaves out I"),
                     HasSubstr("T,I for 900-249-08"))));
  EXPECT_THAT(LineHazards("lines[0].hazards", oil, 0x80),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("lines[0].hazards")));
}

TEST(DangerousGoodsTest, ClassesAndDivisionsOfGb6944) {
  for (const char* ok : {"1.1", "1.4S", "1.6N", "2.1", "2.3", "3", "4.1", "4.3",
                         "5.1", "5.2", "6.1", "6.2", "7", "8", "9"}) {
    EXPECT_TRUE(ValidateDangerousGoodsClass("lines[0].dg_class", ok).ok())
        << ok;
  }
  for (const char* bad : {"", "0", "10", "2", "2.4", "3.1", "6", "6.3", "1.7",
                          "1.4I", "1.4SS", "8 ", "class 8", "Ⅷ"}) {
    EXPECT_THAT(ValidateDangerousGoodsClass("lines[0].dg_class", bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("lines[0].dg_class")))
        << bad;
  }
}

TEST(DangerousGoodsTest, UnNumbers) {
  for (const char* ok : {"UN1993", "UN3082", "UN0004", "UN3549"}) {
    EXPECT_TRUE(ValidateUnNumber("lines[0].un_number", ok).ok()) << ok;
  }
  for (const char* bad : {"", "1993", "UN", "UN199", "UN19930", "un1993",
                          "UN 1993", "UN0000", "UN19a3"}) {
    EXPECT_THAT(
        ValidateUnNumber("lines[0].un_number", bad),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr("lines[0].un_number"), HasSubstr("UN1993"))))
        << bad;
  }
}

TEST(PhoneTest, MobileNumbers) {
  for (const char* ok :
       {"13812345678", "19912345678", "138 1234 5678", "138-1234-5678",
        "+86 13812345678", "008613812345678"}) {
    EXPECT_TRUE(ValidatePhone("contact_mobile", ok, PhoneKind::kMobile).ok())
        << ok;
    EXPECT_TRUE(ValidatePhone("emergency_phone", ok, PhoneKind::kAny).ok())
        << ok;
  }
  for (const char* bad :
       {"", "12812345678", "1381234567", "138123456789", "0571-87654321",
        "4001234567", "1381234567x", "13812345678转1"}) {
    EXPECT_THAT(ValidatePhone("contact_mobile", bad, PhoneKind::kMobile),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("contact_mobile")))
        << bad;
  }
}

TEST(PhoneTest, LandlinesAndServiceNumbers) {
  for (const char* ok :
       {"0571-87654321", "057187654321", "010-12345678", "0755 1234 5678",
        "0571-87654321-802", "0571-87654321转802", "+86 571 87654321",
        "400-123-4567", "8001234567"}) {
    EXPECT_TRUE(ValidatePhone("emergency_phone", ok, PhoneKind::kAny).ok())
        << ok;
  }
  for (const char* bad :
       {"87654321", "571-87654321", "0571-123", "0571-8765432100000",
        "400-123-456", "110", "0571/87654321", "tel:0571-87654321"}) {
    EXPECT_THAT(ValidatePhone("emergency_phone", bad, PhoneKind::kAny),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("emergency_phone"),
                               HasSubstr("telephone number"))))
        << bad;
  }
}

}  // namespace
}  // namespace cradle::domain
