#include "domain/quantity.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

int64_t Grams(absl::string_view text) {
  absl::StatusOr<int64_t> g = ParseQuantityGrams("quantity", text);
  EXPECT_TRUE(g.ok()) << text << ": " << g.status();
  return g.value_or(-1);
}

TEST(QuantityTest, ParsesEachUnit) {
  EXPECT_EQ(Grams("1.25t"), 1'250'000);
  EXPECT_EQ(Grams("3t"), 3'000'000);
  EXPECT_EQ(Grams("800kg"), 800'000);
  EXPECT_EQ(Grams("500g"), 500);
  EXPECT_EQ(Grams("0.5kg"), 500);
  EXPECT_EQ(Grams("0.000001t"), 1);
  EXPECT_EQ(Grams("1.001kg"), 1'001);
}

TEST(QuantityTest, AcceptsSpacesAndTrailingZeros) {
  EXPECT_EQ(Grams(" 3 t "), 3'000'000);
  EXPECT_EQ(Grams("2.5000000t"), 2'500'000);
  EXPECT_EQ(Grams("500.0g"), 500);
  EXPECT_EQ(Grams("007kg"), 7'000);
}

TEST(QuantityTest, ParsesUpToTheLimit) {
  EXPECT_EQ(Grams("1000000t"), kMaxQuantityGrams);
  EXPECT_EQ(Grams("1000000000kg"), kMaxQuantityGrams);
}

TEST(QuantityTest, RejectsEmpty) {
  EXPECT_THAT(ParseQuantityGrams("waste_lines[0].quantity", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("waste_lines[0].quantity is empty")));
  EXPECT_THAT(ParseQuantityGrams("waste_lines[0].quantity", "  "),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("waste_lines[0].quantity is empty")));
}

TEST(QuantityTest, RejectsNegativeAndZero) {
  EXPECT_THAT(ParseQuantityGrams("waste_lines[0].quantity", "-5kg"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("waste_lines[0].quantity \"-5kg\""),
                             HasSubstr("is negative"))));
  for (const char* text : {"0kg", "0.000t", "0g"}) {
    EXPECT_THAT(ParseQuantityGrams("waste_lines[0].quantity", text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("waste_lines[0].quantity"),
                               HasSubstr("is zero"))))
        << text;
  }
}

TEST(QuantityTest, RejectsMissingOrUnknownUnit) {
  EXPECT_THAT(
      ParseQuantityGrams("q", "800"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("q \"800\""), HasSubstr("has no unit"))));
  for (const char* text : {"800lb", "800KG", "800 kgs", "1,000kg", "1.2.3t"}) {
    EXPECT_THAT(ParseQuantityGrams("q", text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("the units are t, kg and g")))
        << text;
  }
}

TEST(QuantityTest, RejectsMalformedNumbers) {
  EXPECT_THAT(ParseQuantityGrams("q", "kg"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must start with a number")));
  EXPECT_THAT(ParseQuantityGrams("q", ".5t"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must start with a number")));
  EXPECT_THAT(ParseQuantityGrams("q", "5.t"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("needs digits after '.'")));
}

TEST(QuantityTest, RejectsFractionsOfAGram) {
  EXPECT_THAT(ParseQuantityGrams("q", "1.0000001t"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("q \"1.0000001t\""),
                             HasSubstr("at most 6 decimals for t"))));
  EXPECT_THAT(ParseQuantityGrams("q", "1.2345kg"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at most 3 decimals for kg")));
  EXPECT_THAT(ParseQuantityGrams("q", "0.5g"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at most 0 decimals for g")));
}

TEST(QuantityTest, RejectsMoreThanTheLimit) {
  for (const char* text : {"1000000.000001t", "1000001t", "1000000001kg",
                           "99999999999999999999999999t"}) {
    EXPECT_THAT(ParseQuantityGrams("q", text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("is more than the limit of 1000000t")))
        << text;
  }
}

TEST(QuantityTest, FormatsInTheLargestWholeUnit) {
  EXPECT_EQ(FormatGrams(1'250'000), "1.25t");
  EXPECT_EQ(FormatGrams(3'000'000), "3t");
  EXPECT_EQ(FormatGrams(800'000), "800kg");
  EXPECT_EQ(FormatGrams(1'500), "1.5kg");
  EXPECT_EQ(FormatGrams(1'001), "1.001kg");
  EXPECT_EQ(FormatGrams(500), "500g");
  EXPECT_EQ(FormatGrams(1'000'001), "1.000001t");
  EXPECT_EQ(FormatGrams(0), "0g");
  EXPECT_EQ(FormatGrams(-1'500), "-1.5kg");
  EXPECT_EQ(FormatGrams(std::numeric_limits<int64_t>::min()),
            "-9223372036854.775808t");
}

TEST(QuantityTest, FormatRoundTrips) {
  for (int64_t g : {int64_t{1}, int64_t{999}, int64_t{1'000}, int64_t{10'010},
                    int64_t{999'999}, int64_t{1'000'000}, int64_t{123'456'789},
                    kMaxQuantityGrams}) {
    EXPECT_EQ(Grams(FormatGrams(g)), g) << FormatGrams(g);
  }
}

}  // namespace
}  // namespace cradle::domain
