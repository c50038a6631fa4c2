#include "security/token.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::security {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(TokenTest, MadeTokenParsesToItsIdAndMatchesItsHash) {
  absl::StatusOr<NewToken> t = MakeToken();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(IsCredentialId(t->id));
  EXPECT_EQ(t->token.size(), 4 + 1 + kCredentialIdHex + 1 + kTokenSecretHex);
  absl::StatusOr<std::string> id = TokenId(t->token);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, t->id);
  EXPECT_EQ(t->sha256.size(), 32u);
  EXPECT_TRUE(TokenMatches(t->token, t->sha256));
}

TEST(TokenTest, TwoTokensDiffer) {
  absl::StatusOr<NewToken> a = MakeToken();
  absl::StatusOr<NewToken> b = MakeToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->id, b->id);
  EXPECT_NE(a->token, b->token);
  EXPECT_FALSE(TokenMatches(a->token, b->sha256));
}

TEST(TokenTest, OneChangedSecretCharacterDoesNotMatch) {
  absl::StatusOr<NewToken> t = MakeToken();
  ASSERT_TRUE(t.ok());
  std::string forged = t->token;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_TRUE(TokenId(forged).ok());              // well-formed...
  EXPECT_FALSE(TokenMatches(forged, t->sha256));  // ...but wrong
  EXPECT_FALSE(TokenMatches(t->token, ""));
}

TEST(TokenTest, MalformedTokensAreUnauthenticatedWithoutEchoingTheSecret) {
  absl::StatusOr<NewToken> t = MakeToken();
  ASSERT_TRUE(t.ok());
  const std::string secret = t->token.substr(t->token.rfind('.') + 1);
  for (const std::string& bad :
       {std::string(""), std::string("Bearer"), "crd2." + t->id + "." + secret,
        "crd1." + t->id + "." + secret.substr(1),
        "crd1." + t->id.substr(1) + "." + secret,
        "crd1." + t->id + "." + secret + ".x",
        "crd1." + t->id + "." + std::string(64, 'G')}) {
    absl::StatusOr<std::string> id = TokenId(bad);
    EXPECT_THAT(id, StatusIs(absl::StatusCode::kUnauthenticated)) << bad;
    EXPECT_THAT(std::string(id.status().message()),
                Not(HasSubstr(secret.substr(0, 20))));
  }
}

}  // namespace
}  // namespace cradle::security
