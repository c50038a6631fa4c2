#pragma once

// A Merkle tree over the ledger's entries in the manner of Certificate
// Transparency (RFC 6962 section 2.1, verification per RFC 9162 2.1.3-2.1.4):
//
//   leaf hash  = SHA-256(0x00 || entry hash)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH of n > 1 leaves splits at k, the largest power of two below n.
//
// The ledger stores the hash of every perfect subtree (2^level leaves
// starting at a multiple of 2^level) as entries are appended, so a root, an
// inclusion proof or a consistency proof for any past size costs O(log n)
// reads. These functions are pure: they read nodes through a callback and
// know nothing of RocksDB, so the CLI verifies proofs with them offline.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::storage::merkle {

std::string LeafHash(absl::string_view entry_hash);
std::string NodeHash(absl::string_view left, absl::string_view right);
// The root of the empty tree: SHA-256 of nothing.
std::string EmptyRoot();

// The stored hash of the perfect subtree of 2^level leaves starting at leaf
// index * 2^level.
using NodeReader =
    std::function<absl::StatusOr<std::string>(int level, uint64_t index)>;

absl::StatusOr<std::string> RootHash(uint64_t size, const NodeReader& nodes);
// Audit path of leaf `leaf_index` (0-based) in the tree of `size` leaves.
absl::StatusOr<std::vector<std::string>> InclusionProof(
    uint64_t leaf_index, uint64_t size, const NodeReader& nodes);
// Proof that the tree of `old_size` leaves is a prefix of that of `new_size`.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(
    uint64_t old_size, uint64_t new_size, const NodeReader& nodes);

bool VerifyInclusion(uint64_t leaf_index, uint64_t size,
                     absl::string_view leaf_hash,
                     const std::vector<std::string>& proof,
                     absl::string_view root);
bool VerifyConsistency(uint64_t old_size, uint64_t new_size,
                       absl::string_view old_root, absl::string_view new_root,
                       const std::vector<std::string>& proof);

// The right edge of a growing tree: one pending perfect subtree per set bit
// of the size. Append() reports every perfect subtree it completes.
class Frontier {
 public:
  struct Node {
    int level;
    uint64_t index;
    std::string hash;
  };

  // Rebuilds the frontier of a tree of `size` leaves from stored nodes.
  static absl::StatusOr<Frontier> Restore(uint64_t size,
                                          const NodeReader& nodes);

  // Appends a leaf (its leaf hash) and adds the completed nodes to `out`.
  void Append(std::string leaf_hash, std::vector<Node>* out);
  std::string Root() const;
  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
  std::vector<std::string> pending_ = std::vector<std::string>(64);
};

}  // namespace cradle::storage::merkle
