#include "storage/merkle.h"

#include "absl/strings/str_cat.h"

#include "storage/sha256.h"

namespace cradle::storage::merkle {
namespace {

// Largest power of two strictly below n (n >= 2).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

int Log2(uint64_t n) {
  int l = 0;
  while ((uint64_t{1} << l) < n) ++l;
  return l;
}

// MTH of the n leaves starting at `start`; `start` is a multiple of the
// largest power of two not above n, as it always is inside RFC 6962's
// recursion from the root.
absl::StatusOr<std::string> Subtree(uint64_t start, uint64_t n,
                                    const NodeReader& nodes) {
  if (IsPowerOfTwo(n) && start % n == 0) return nodes(Log2(n), start / n);
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<std::string> left = Subtree(start, k, nodes);
  if (!left.ok()) return left.status();
  absl::StatusOr<std::string> right = Subtree(start + k, n - k, nodes);
  if (!right.ok()) return right.status();
  return NodeHash(*left, *right);
}

absl::Status Path(uint64_t m, uint64_t start, uint64_t n,
                  const NodeReader& nodes, std::vector<std::string>* out) {
  if (n <= 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    absl::Status s = Path(m, start, k, nodes, out);
    if (!s.ok()) return s;
    absl::StatusOr<std::string> right = Subtree(start + k, n - k, nodes);
    if (!right.ok()) return right.status();
    out->push_back(*std::move(right));
  } else {
    absl::Status s = Path(m - k, start + k, n - k, nodes, out);
    if (!s.ok()) return s;
    absl::StatusOr<std::string> left = Subtree(start, k, nodes);
    if (!left.ok()) return left.status();
    out->push_back(*std::move(left));
  }
  return absl::OkStatus();
}

absl::Status SubProof(uint64_t m, uint64_t start, uint64_t n, bool whole,
                      const NodeReader& nodes, std::vector<std::string>* out) {
  if (m == n) {
    if (whole) return absl::OkStatus();
    absl::StatusOr<std::string> h = Subtree(start, n, nodes);
    if (!h.ok()) return h.status();
    out->push_back(*std::move(h));
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    absl::Status s = SubProof(m, start, k, whole, nodes, out);
    if (!s.ok()) return s;
    absl::StatusOr<std::string> right = Subtree(start + k, n - k, nodes);
    if (!right.ok()) return right.status();
    out->push_back(*std::move(right));
  } else {
    absl::Status s = SubProof(m - k, start + k, n - k, false, nodes, out);
    if (!s.ok()) return s;
    absl::StatusOr<std::string> left = Subtree(start, k, nodes);
    if (!left.ok()) return left.status();
    out->push_back(*std::move(left));
  }
  return absl::OkStatus();
}

}  // namespace

std::string LeafHash(absl::string_view entry_hash) {
  return Sha256({absl::string_view("\x00", 1), entry_hash});
}

std::string NodeHash(absl::string_view left, absl::string_view right) {
  return Sha256({absl::string_view("\x01", 1), left, right});
}

std::string EmptyRoot() { return Sha256({}); }

absl::StatusOr<std::string> RootHash(uint64_t size, const NodeReader& nodes) {
  if (size == 0) return EmptyRoot();
  return Subtree(0, size, nodes);
}

absl::StatusOr<std::vector<std::string>> InclusionProof(
    uint64_t leaf_index, uint64_t size, const NodeReader& nodes) {
  if (leaf_index >= size) {
    return absl::OutOfRangeError(absl::StrCat(
        "leaf ", leaf_index, " is not in a tree of ", size, " leaves"));
  }
  std::vector<std::string> out;
  absl::Status s = Path(leaf_index, 0, size, nodes, &out);
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(
    uint64_t old_size, uint64_t new_size, const NodeReader& nodes) {
  if (old_size == 0 || old_size > new_size) {
    return absl::OutOfRangeError(absl::StrCat("no consistency proof from size ",
                                              old_size, " to ", new_size));
  }
  std::vector<std::string> out;
  absl::Status s = SubProof(old_size, 0, new_size, true, nodes, &out);
  if (!s.ok()) return s;
  return out;
}

bool VerifyInclusion(uint64_t leaf_index, uint64_t size,
                     absl::string_view leaf_hash,
                     const std::vector<std::string>& proof,
                     absl::string_view root) {
  if (leaf_index >= size) return false;
  uint64_t fn = leaf_index, sn = size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t old_size, uint64_t new_size,
                       absl::string_view old_root, absl::string_view new_root,
                       const std::vector<std::string>& proof_in) {
  if (old_size == 0 || old_size > new_size) return false;
  if (old_size == new_size) return proof_in.empty() && old_root == new_root;
  std::vector<std::string> proof = proof_in;
  if (IsPowerOfTwo(old_size))
    proof.insert(proof.begin(), std::string(old_root));
  if (proof.empty()) return false;
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = proof[0], sr = proof[0];
  for (size_t i = 1; i < proof.size(); ++i) {
    const std::string& c = proof[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

absl::StatusOr<Frontier> Frontier::Restore(uint64_t size,
                                           const NodeReader& nodes) {
  Frontier f;
  f.size_ = size;
  for (int level = 0; level < 64; ++level) {
    if ((size >> level) & 1) {
      absl::StatusOr<std::string> h = nodes(level, (size >> level) - 1);
      if (!h.ok()) return h.status();
      f.pending_[level] = *std::move(h);
    }
  }
  return f;
}

void Frontier::Append(std::string leaf_hash, std::vector<Node>* out) {
  uint64_t index = size_;
  int level = 0;
  out->push_back(Node{0, index, leaf_hash});
  std::string cur = std::move(leaf_hash);
  while (index & 1) {
    cur = NodeHash(pending_[level], cur);
    pending_[level].clear();
    index >>= 1;
    ++level;
    out->push_back(Node{level, index, cur});
  }
  pending_[level] = std::move(cur);
  ++size_;
}

std::string Frontier::Root() const {
  if (size_ == 0) return EmptyRoot();
  std::string root;
  for (int level = 0; level < 64; ++level) {
    if (pending_[level].empty()) continue;
    root = root.empty() ? pending_[level] : NodeHash(pending_[level], root);
  }
  return root;
}

}  // namespace cradle::storage::merkle
