#include "base/latency.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace cradle {
namespace {

// The exact percentile, as the histogram defines it: the sample of rank
// ceil(p% of n), at least the first.
double Exact(std::vector<int64_t> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * v.size() - 1e-9));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return static_cast<double>(v[rank - 1]);
}

TEST(LatenciesTest, EmptyIsZero) {
  Latencies l;
  EXPECT_EQ(l.count(), 0u);
  EXPECT_EQ(l.Percentile(50), 0);
  EXPECT_EQ(l.Max(), 0);
}

TEST(LatenciesTest, SmallValuesAreExact) {
  Latencies l;
  for (int64_t v = 0; v < 128; ++v) l.Add(v);
  EXPECT_EQ(l.count(), 128u);
  EXPECT_EQ(l.Percentile(0), 0);
  EXPECT_EQ(l.Percentile(50), 63);
  EXPECT_EQ(l.Percentile(100), 127);
  EXPECT_EQ(l.Max(), 127);
}

TEST(LatenciesTest, BucketsTileTheRangeWithoutGapsOrOverlap) {
  uint64_t expected_low = 0;
  for (size_t b = 0; b < 1000; ++b) {
    const uint64_t high = Latencies::HighestIn(b);
    ASSERT_GE(high, expected_low) << "bucket " << b;
    EXPECT_EQ(Latencies::BucketOf(expected_low), b);
    EXPECT_EQ(Latencies::BucketOf(high), b);
    // Never wider than 1/64 of its lower bound.
    EXPECT_LE(high - expected_low + 1, std::max<uint64_t>(1, expected_low / 64))
        << "bucket " << b;
    expected_low = high + 1;
  }
  EXPECT_LT(Latencies::BucketOf(~uint64_t{0}), Latencies::kBuckets);
}

TEST(LatenciesTest, PercentilesAreWithinTheBucketPrecision) {
  std::mt19937_64 rng(7);
  // Log-normal, as latencies are: a body near 1 ms, a tail to seconds.
  std::lognormal_distribution<double> dist(7.0, 1.2);
  std::vector<int64_t> samples;
  Latencies l;
  for (int i = 0; i < 100000; ++i) {
    const int64_t v = static_cast<int64_t>(dist(rng));
    samples.push_back(v);
    l.Add(v);
  }
  for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    const double exact = Exact(samples, p);
    const double got = l.Percentile(p);
    EXPECT_GE(got, exact) << "p" << p;  // the conservative side
    EXPECT_LE(got, exact * (1 + 1.0 / 64) + 1) << "p" << p;
  }
  EXPECT_EQ(l.Max(), *std::max_element(samples.begin(), samples.end()));
}

TEST(LatenciesTest, MergeEqualsRecordingEverythingInOne) {
  Latencies a, b, all;
  for (int64_t v = 1; v < 50000; v += 7) {
    (v % 2 ? a : b).Add(v);
    all.Add(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  for (double p : {10.0, 50.0, 99.0, 100.0}) {
    EXPECT_EQ(a.Percentile(p), all.Percentile(p)) << "p" << p;
  }
}

TEST(LatenciesTest, AtLeastPPercentAreAtOrBelowThePercentile) {
  Latencies l;
  for (int64_t v = 1; v <= 160; ++v) l.Add(v);
  // 99% of 160 is 158.4: the 159th sample is the first with 99% at or
  // below it.
  EXPECT_EQ(l.Percentile(99), 159);
  EXPECT_EQ(l.Percentile(50), 80);
  EXPECT_EQ(l.Percentile(0.1), 1);
}

TEST(LatenciesTest, NegativeSamplesCountAsZero) {
  Latencies l;
  l.Add(-5);
  l.Add(10);
  EXPECT_EQ(l.Percentile(50), 0);
  EXPECT_EQ(l.Percentile(100), 10);
}

}  // namespace
}  // namespace cradle
