#include "base/set_digest.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace cradle {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

PairSetDigest Digest(const PairHasher& hash, const Pairs& pairs) {
  PairSetDigest d;
  for (const auto& [k, v] : pairs) d.Add(hash, k, v);
  return d;
}

TEST(PairSetDigestTest, TheOrderOfThePairsDoesNotMatter) {
  const PairHasher hash;
  const PairSetDigest a = Digest(
      hash, {{"city/330402/1", "x"}, {"day/20261205/2", "y"}, {"k", ""}});
  const PairSetDigest b = Digest(
      hash, {{"k", ""}, {"city/330402/1", "x"}, {"day/20261205/2", "y"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.count, 3u);
  EXPECT_EQ(PairSetDigest(), Digest(hash, {}));
}

TEST(PairSetDigestTest, SetsThatDifferInOnePairDiffer) {
  const PairHasher hash;
  const Pairs base = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  const PairSetDigest d = Digest(hash, base);
  // A value changed, a key changed, a pair missing, a pair added, a pair
  // twice in place of another.
  EXPECT_NE(d, Digest(hash, {{"a", "1"}, {"b", "9"}, {"c", "3"}}));
  EXPECT_NE(d, Digest(hash, {{"a", "1"}, {"B", "2"}, {"c", "3"}}));
  EXPECT_NE(d, Digest(hash, {{"a", "1"}, {"c", "3"}}));
  EXPECT_NE(d, Digest(hash, {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}));
  EXPECT_NE(d, Digest(hash, {{"a", "1"}, {"a", "1"}, {"c", "3"}}));
}

TEST(PairSetDigestTest, WhereTheKeyEndsIsPartOfThePair) {
  const PairHasher hash;
  EXPECT_NE(hash("ab", "c"), hash("a", "bc"));
  EXPECT_NE(hash("", "abc"), hash("abc", ""));
  EXPECT_NE(hash(std::string("a\0", 2), "b"), hash("a", std::string("\0b", 2)));
}

TEST(PairSetDigestTest, EachHasherDrawsItsOwnKey) {
  const PairHasher one, two;
  EXPECT_EQ(one("key", "value"), one("key", "value"));
  EXPECT_NE(one("key", "value"), two("key", "value"));
}

}  // namespace
}  // namespace cradle
