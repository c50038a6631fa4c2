#include "domain/manifest_number.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ManifestNumberTest, FormatsFourteenDigits) {
  EXPECT_EQ(FormatManifestNumber(2024, "3304", 123), "20243304000123");
  EXPECT_EQ(FormatManifestNumber(2025, "1101", 1), "20251101000001");
  EXPECT_EQ(FormatManifestNumber(2099, "6590", kMaxManifestSerial),
            "20996590999999");
}

TEST(ManifestNumberTest, ParsesItsParts) {
  absl::StatusOr<ManifestNumberParts> parts =
      ParseManifestNumber("manifest_number", "20243304000123");
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(parts->year, 2024);
  EXPECT_EQ(parts->city4, "3304");
  EXPECT_EQ(parts->serial, 123);
}

TEST(ManifestNumberTest, RoundTrips) {
  const std::string number = FormatManifestNumber(2031, "5002", 999'998);
  EXPECT_TRUE(ValidateManifestNumber("manifest_number", number).ok());
  absl::StatusOr<ManifestNumberParts> parts =
      ParseManifestNumber("manifest_number", number);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(FormatManifestNumber(parts->year, parts->city4, parts->serial),
            number);
}

TEST(ManifestNumberTest, RejectsWrongLength) {
  for (const char* value : {"", "2024330400012", "202433040001234"}) {
    EXPECT_THAT(ValidateManifestNumber("manifest_number", value),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("manifest_number \""),
                               HasSubstr("a manifest number has 14 digits"))))
        << value;
  }
}

TEST(ManifestNumberTest, RejectsNonDigit) {
  EXPECT_THAT(
      ValidateManifestNumber("transfer.manifest_number", "2024330400012X"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("transfer.manifest_number "
                               "\"2024330400012X\""),
                     HasSubstr("non-digit at position 14"))));
  EXPECT_THAT(ValidateManifestNumber("m", "2024-3304-0001"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("non-digit at position 5")));
}

TEST(ManifestNumberTest, RejectsYearOutOfRange) {
  EXPECT_THAT(ValidateManifestNumber("m", "19993304000123"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("m \"19993304000123\""),
                             HasSubstr("year 1999, outside 2000..2099"))));
  EXPECT_THAT(
      ValidateManifestNumber("m", "21003304000123"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("year 2100")));
}

TEST(ManifestNumberTest, RejectsZeroOrigin) {
  EXPECT_THAT(ValidateManifestNumber("m", "20240004000123"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("origin \"0004\"")));
  EXPECT_THAT(ValidateManifestNumber("m", "20243300000123"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("origin \"3300\"")));
}

TEST(ManifestNumberTest, RejectsZeroSerial) {
  EXPECT_THAT(ValidateManifestNumber("m", "20243304000000"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("m \"20243304000000\""),
                             HasSubstr("serial 000000"))));
}

}  // namespace
}  // namespace cradle::domain
