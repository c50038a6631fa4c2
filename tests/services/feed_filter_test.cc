#include "services/feed_filter.h"

#include "gtest/gtest.h"

#include "tests/testing/parties.h"

namespace cradle::services {
namespace {

using cradle::testing::kCarrier;
using cradle::testing::kGenerator;

TEST(FeedFilterTest, TypesMatchExactlyOrByAPrefixEndingInADot) {
  FeedFilter f;
  EXPECT_TRUE(SelectsType(f, "manifest.issued"));
  f.types = {"manifest.issued", "flag."};
  EXPECT_TRUE(SelectsType(f, "manifest.issued"));
  EXPECT_TRUE(SelectsType(f, "flag.raised"));
  EXPECT_FALSE(SelectsType(f, "manifest.issued2"));
  EXPECT_FALSE(SelectsType(f, "manifest.picked_up"));
  f.types = {"manifest"};  // no dot: a whole type, which no entry has
  EXPECT_FALSE(SelectsType(f, "manifest.issued"));
}

TEST(FeedFilterTest, JurisdictionAndPartyMustBothMatchWhenGiven) {
  EntryAudience a;
  a.parties = {kGenerator};
  a.jurisdictions = {"33", "3304", "330402"};
  FeedFilter f;
  EXPECT_TRUE(f.Everyone());
  EXPECT_TRUE(SelectsAudience(f, a));
  f.jurisdiction = "3304";
  EXPECT_TRUE(SelectsAudience(f, a));
  f.jurisdiction = "330";  // a prefix of a code, but no jurisdiction
  EXPECT_FALSE(SelectsAudience(f, a));
  f.jurisdiction = "33";
  f.party = kCarrier;
  EXPECT_FALSE(SelectsAudience(f, a));
  f.party = kGenerator;
  EXPECT_TRUE(SelectsAudience(f, a));
  EXPECT_FALSE(SelectsAudience(f, EntryAudience{}));
}

TEST(FeedFilterTest, ValidationNamesTheField) {
  FeedFilter f;
  EXPECT_TRUE(ValidateFeedFilter(f).ok());
  f.jurisdiction = "12345";
  EXPECT_NE(ValidateFeedFilter(f).message().find("jurisdiction"),
            std::string::npos);
  f.jurisdiction = "33";
  f.party = "x";
  EXPECT_NE(ValidateFeedFilter(f).message().find("party"), std::string::npos);
  f.party = kGenerator;
  f.types.assign(65, "manifest.");
  EXPECT_NE(ValidateFeedFilter(f).message().find("types"), std::string::npos);
  f.types = {"ok.", ""};
  EXPECT_NE(ValidateFeedFilter(f).message().find("types[1]"),
            std::string::npos);
}

}  // namespace
}  // namespace cradle::services
