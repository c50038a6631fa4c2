#include "domain/plate.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(PlateTest, AcceptsOrdinaryNewEnergyAndTrailerPlates) {
  for (const char* plate : {"浙F12345", "浙FD12345", "浙F1234D", "京AF0236",
                            "沪A12345", "琼B0001X", "苏E1234挂", "浙FZ234挂"}) {
    EXPECT_TRUE(ValidatePlate("vehicle.plate", plate).ok()) << plate;
  }
}

TEST(PlateTest, AcceptsEveryProvinceAbbreviation) {
  for (const char* province :
       {"京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖",
        "鲁", "新", "苏", "浙", "赣", "鄂", "桂", "甘", "晋", "蒙", "陕",
        "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼"}) {
    EXPECT_TRUE(
        ValidatePlate("vehicle.plate", absl::StrCat(province, "A12345")).ok())
        << province;
  }
}

TEST(PlateTest, RejectsUnknownProvince) {
  for (const char* plate : {"港A12345", "AF12345", "F12345", "A"}) {
    EXPECT_THAT(
        ValidatePlate("legs[0].plate", plate),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr("legs[0].plate"),
                       HasSubstr("must start with a province abbreviation"))))
        << plate;
  }
}

TEST(PlateTest, RejectsBadOfficeLetter) {
  for (const char* plate :
       {"浙I12345", "浙O12345", "浙f12345", "浙112345", "浙"}) {
    EXPECT_THAT(ValidatePlate("legs[0].plate", plate),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("legs[0].plate \""),
                               HasSubstr("issuing office's letter"))))
        << plate;
  }
}

TEST(PlateTest, RejectsIAndOInSerial) {
  EXPECT_THAT(ValidatePlate("legs[0].plate", "浙F1234O"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("legs[0].plate \"浙F1234O\""),
                             HasSubstr("at position 7"))));
  EXPECT_THAT(
      ValidatePlate("legs[0].plate", "浙FI2345"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at position 3")));
  EXPECT_THAT(ValidatePlate("legs[0].plate", "浙F1234学"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("other than 0-9 or A-Z")));
}

TEST(PlateTest, RejectsWrongSerialLength) {
  for (const char* plate : {"浙F", "浙F1234", "浙F1234567"}) {
    EXPECT_THAT(ValidatePlate("legs[0].plate", plate),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("legs[0].plate"),
                               HasSubstr("5 on an ordinary plate, 6 on a "
                                         "new-energy plate"))))
        << plate;
  }
  EXPECT_THAT(ValidatePlate("legs[0].plate", "浙F12345挂"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a trailer plate has 4")));
}

TEST(PlateTest, RejectsEmptyAndSeparators) {
  EXPECT_THAT(ValidatePlate("legs[0].plate", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("legs[0].plate is empty")));
  EXPECT_THAT(ValidatePlate("legs[0].plate", "浙F 12345"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("other than 0-9 or A-Z")));
}

}  // namespace
}  // namespace cradle::domain
