#pragma once

// Latency samples and their percentiles, for the benchmark drivers and the
// simulator: an HDR-style histogram (after Gil Tene's HdrHistogram).
//
// Values 0..127 are counted exactly. Above that, each power of two is cut
// into 64 equal buckets, so a bucket is never wider than 1/64 of its lower
// bound: any percentile is within 1.6% of the true sample, whatever the
// range (a microsecond to days), in fixed memory (30 KiB) and O(1) per
// sample. Percentile() answers with the highest value its bucket holds, the
// conservative side, and never more than the largest sample recorded.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace cradle {

class Latencies {
 public:
  // Negative samples count as 0.
  void Add(int64_t value) {
    const uint64_t v = value < 0 ? 0 : static_cast<uint64_t>(value);
    ++counts_[BucketOf(v)];
    ++count_;
    max_ = std::max(max_, v);
  }

  void Merge(const Latencies& other) {
    for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
  }

  uint64_t count() const { return count_; }
  double Max() const { return static_cast<double>(max_); }

  // p in [0, 100]: the smallest recorded value (to the bucket's precision)
  // at or below which p% of the samples lie; 0 when there are none.
  double Percentile(double p) const {
    if (count_ == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    // The rank of the sample wanted, 1-based: the smallest that has p% of
    // the samples at or below it, and at least the first.
    uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * count_ - 1e-9));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        return static_cast<double>(std::min(HighestIn(i), max_));
      }
    }
    return static_cast<double>(max_);
  }

  // The bucket layout, exposed for the tests.
  static constexpr int kSubBits = 6;  // 64 buckets per power of two
  static constexpr uint64_t kExact = uint64_t{2} << kSubBits;  // 0..127
  static constexpr size_t kBuckets = (64 - kSubBits) * (1 << kSubBits) + kExact;

  static size_t BucketOf(uint64_t v) {
    if (v < kExact) return static_cast<size_t>(v);
    const int msb = 63 - __builtin_clzll(v);
    const int shift = msb - kSubBits;  // >= 1: v >> shift is in [64, 128)
    return static_cast<size_t>(shift) * (1 << kSubBits) +
           static_cast<size_t>(v >> shift);
  }

  static uint64_t HighestIn(size_t bucket) {
    if (bucket < kExact) return bucket;
    const size_t shift = bucket / (1 << kSubBits) - 1;
    const uint64_t top = bucket - shift * (1 << kSubBits);  // in [64, 128)
    return ((top + 1) << shift) - 1;
  }

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

}  // namespace cradle
