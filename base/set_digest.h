#pragma once

// A digest of a multiset of (key, value) pairs that does not depend on the
// order they come in: a checker can add what it expects in one order (a
// stream at a time) and what it finds in another (a table scan in key order)
// and compare the two, in memory that does not grow with the set.
//
// Each pair is hashed with SipHash-2-4 (128-bit output) under a key drawn at
// random when the PairHasher is made, and a digest is the count and the sum
// of its pairs' hashes modulo 2^128. For sets fixed before the key is drawn,
// two that differ have the same digest with probability about 2^-127: the
// difference of their sums is a nonzero combination of independent uniform
// values. Someone who could choose pairs after seeing the key could make
// collisions (a sum of hashes is not collision-resistant), which is why the
// key is never kept or shown: a check draws its own, after the data it reads
// was written.

#include <cstdint>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"

namespace cradle {

class PairHasher {
 public:
  PairHasher();  // a fresh random key
  PairHasher(const PairHasher&) = delete;
  PairHasher& operator=(const PairHasher&) = delete;

  // The hash of the pair: the key's length, the key, then the value, so
  // that no two pairs give the same bytes.
  absl::uint128 operator()(absl::string_view key,
                           absl::string_view value) const;

 private:
  unsigned char key_[16];
};

struct PairSetDigest {
  uint64_t count = 0;
  absl::uint128 sum = 0;

  void Add(const PairHasher& hash, absl::string_view key,
           absl::string_view value) {
    ++count;
    sum += hash(key, value);
  }
  friend bool operator==(const PairSetDigest& a, const PairSetDigest& b) {
    return a.count == b.count && a.sum == b.sum;
  }
  friend bool operator!=(const PairSetDigest& a, const PairSetDigest& b) {
    return !(a == b);
  }
};

}  // namespace cradle
