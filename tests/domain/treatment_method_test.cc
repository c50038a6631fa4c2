#include "domain/treatment_method.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;

TEST(TreatmentMethodTest, TheTableHoldsTheCodesOfTheGuideline) {
  std::set<std::string> codes;
  for (const TreatmentMethod& m : TreatmentMethods()) codes.insert(m.code);
  for (const char* c : {"R1", "R2",  "R3",  "R4",  "R5",  "R6",  "R7", "R8",
                        "R9", "R15", "D1",  "D9",  "D10", "D16", "C1", "C2",
                        "C3", "Y10", "Y11", "Y12", "Y13", "Y16"}) {
    EXPECT_EQ(codes.count(c), 1u) << c;
  }
  EXPECT_EQ(codes.size(), 22u);
  absl::StatusOr<const TreatmentMethod*> d10 = LookupMethod("method", "D10");
  ASSERT_TRUE(d10.ok());
  EXPECT_EQ((*d10)->kind, "disposal");
  EXPECT_EQ((*d10)->name_zh, "焚烧");
  EXPECT_EQ((*LookupMethod("method", "R9"))->kind, "utilisation");
}

TEST(TreatmentMethodTest, AnythingElseIsRefusedNamingTheField) {
  for (const char* bad : {"", "D99", "d10", "D 10", "R0", "X"}) {
    EXPECT_THAT(LookupMethod("lines[0].method", bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("lines[0].method")))
        << bad;
  }
  // A long value is quoted short.
  absl::StatusOr<const TreatmentMethod*> long_one =
      LookupMethod("method", std::string(5000, 'D'));
  EXPECT_LT(long_one.status().message().size(), 300u);
}

TEST(TreatmentMethodTest, ALicenceWithoutMethodsAllowsAnyOther) {
  v1::Licence l;
  EXPECT_TRUE(LicenceAllowsMethod(l, "D1"));
  l.add_methods("D10");
  EXPECT_TRUE(LicenceAllowsMethod(l, "D10"));
  EXPECT_FALSE(LicenceAllowsMethod(l, "D1"));
}

}  // namespace
}  // namespace cradle::domain
