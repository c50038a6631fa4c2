#include "services/page_token.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::services {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;

TEST(PageTokenTest, ATokenCarriesItsCursorBackAndShowsNoKey) {
  const std::string cursor = "m/party/91330402MA2B3C4D53/20263304000017";
  const std::string token = EncodePageToken(cursor);
  EXPECT_EQ(token.find("m/party"), std::string::npos);
  absl::StatusOr<std::string> back =
      DecodePageToken(token, "m/party/91330402MA2B3C4D53/");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, cursor);
}

TEST(PageTokenTest, NoTokenIsTheFirstPage) {
  absl::StatusOr<std::string> first = DecodePageToken("", "m/all/");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "");
}

TEST(PageTokenTest, ForeignMadeUpOrDamagedTokensAreRefusedByName) {
  const std::string token = EncodePageToken("m/all/20263304000017");
  EXPECT_THAT(DecodePageToken(token, "f/all/"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page_token belongs to another query")));
  EXPECT_THAT(DecodePageToken("m/all/20263304000017", "m/all/"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("page_token is not a page token")));
  for (const std::string& bad :
       {std::string("m/all/20263304000017"), std::string("!!!"),
        token.substr(0, token.size() / 2), EncodePageToken("x").substr(1)}) {
    EXPECT_THAT(
        DecodePageToken(bad, "m/all/"),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")))
        << bad;
  }
}

}  // namespace
}  // namespace cradle::services
