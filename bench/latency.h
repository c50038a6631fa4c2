#pragma once

// Latency samples and their percentiles, for the benchmark drivers.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace cradle::bench {

class Latencies {
 public:
  void Add(int64_t micros) { samples_.push_back(micros); }
  void Merge(const Latencies& other) {
    samples_.insert(samples_.end(), other.samples_.begin(),
                    other.samples_.end());
  }
  size_t count() const { return samples_.size(); }
  // p in [0, 100]; sorts on first use after an Add.
  double Percentile(double p) {
    if (samples_.empty()) return 0;
    std::sort(samples_.begin(), samples_.end());
    size_t i = static_cast<size_t>(p / 100.0 * (samples_.size() - 1) + 0.5);
    return static_cast<double>(samples_[std::min(i, samples_.size() - 1)]);
  }

 private:
  std::vector<int64_t> samples_;
};

}  // namespace cradle::bench
