#include "domain/uscc.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Published codes of well-known companies (Huawei Technologies, Tencent
// Technology (Shenzhen), Alibaba (China), Beijing Xiaomi Technology) and one
// Zhejiang code. Each was checked independently against both check
// characters it carries: GB 32100's 18th and GB 11714's 17th (the
// organisation code's).
constexpr const char* kPublishedCodes[] = {
    "914403001922038216", "9144030071526726XG", "91330100716105852F",
    "91110108551385082Q", "91330000142916567N",
};

TEST(UsccTest, AcceptsPublishedCodes) {
  for (const char* code : kPublishedCodes) {
    EXPECT_TRUE(ValidateUscc("generator.uscc", code).ok()) << code;
  }
}

TEST(UsccTest, CheckCharacterMatchesPublishedCodes) {
  for (const std::string code : kPublishedCodes) {
    absl::StatusOr<char> check = UsccCheckCharacter(code.substr(0, 17));
    ASSERT_TRUE(check.ok()) << check.status();
    EXPECT_EQ(*check, code[17]) << code;
  }
}

TEST(UsccTest, CheckCharacterCanBeZero) {
  // A sum that is already a multiple of 31 gives check value 0, not 31.
  absl::StatusOr<char> check = UsccCheckCharacter("00000000000000000");
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(*check, '0');
  EXPECT_TRUE(ValidateUscc("id", "000000000000000000").ok());
}

TEST(UsccTest, RejectsWrongLength) {
  EXPECT_THAT(
      ValidateUscc("generator.uscc", "91330100716105852"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("generator.uscc \"91330100716105852\""),
                     HasSubstr("has 17 characters"), HasSubstr("has 18"))));
  EXPECT_THAT(ValidateUscc("generator.uscc", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("generator.uscc \"\" has 0 characters")));
}

TEST(UsccTest, RejectsBadCharacterWithItsPosition) {
  // I, O, Z, S, V are not in the character set; nor are lower-case letters.
  EXPECT_THAT(ValidateUscc("carrier.uscc", "91330100716105852I"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("carrier.uscc"),
                             HasSubstr("'I' at position 18"))));
  EXPECT_THAT(ValidateUscc("carrier.uscc", "9S330100716105852F"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'S' at position 2")));
  EXPECT_THAT(ValidateUscc("carrier.uscc", "9144030071526726xg"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'x' at position 17")));
}

TEST(UsccTest, RejectsWrongCheckCharacter) {
  EXPECT_THAT(
      ValidateUscc("receiver.uscc", "91330100716105852G"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("receiver.uscc \"91330100716105852G\""),
                     HasSubstr("check character 'G'"), HasSubstr("give 'F'"))));
}

TEST(UsccTest, RejectsSwappedDigits) {
  // The weighted sum catches a transposition of neighbours.
  EXPECT_THAT(ValidateUscc("id", "914403009122038216"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("check character")));
}

TEST(UsccTest, CheckCharacterRejectsBadPrefix) {
  EXPECT_THAT(UsccCheckCharacter("9133010071610585"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 16 characters")));
  EXPECT_THAT(UsccCheckCharacter("9133010071610585O"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'O' at position 17")));
}

}  // namespace
}  // namespace cradle::domain
