#include "storage/merkle.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cradle::storage::merkle {
namespace {

// RFC 6962's definition, computed directly from the leaves.
std::string NaiveRoot(const std::vector<std::string>& leaves, size_t begin,
                      size_t end) {
  const size_t n = end - begin;
  if (n == 0) return EmptyRoot();
  if (n == 1) return LeafHash(leaves[begin]);
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return NodeHash(NaiveRoot(leaves, begin, begin + k),
                  NaiveRoot(leaves, begin + k, end));
}

// A tree built the way the ledger builds it: leaves appended to a Frontier,
// every completed perfect subtree stored.
class Tree {
 public:
  void Append(const std::string& leaf) {
    leaves_.push_back(leaf);
    std::vector<Frontier::Node> nodes;
    frontier_.Append(LeafHash(leaf), &nodes);
    for (const auto& n : nodes) nodes_[{n.level, n.index}] = n.hash;
  }
  NodeReader Reader() const {
    return [this](int level, uint64_t index) -> absl::StatusOr<std::string> {
      auto it = nodes_.find({level, index});
      if (it == nodes_.end()) return absl::NotFoundError("node");
      return it->second;
    };
  }
  const std::vector<std::string>& leaves() const { return leaves_; }
  const Frontier& frontier() const { return frontier_; }
  std::map<std::pair<int, uint64_t>, std::string>& nodes() { return nodes_; }

 private:
  std::vector<std::string> leaves_;
  Frontier frontier_;
  std::map<std::pair<int, uint64_t>, std::string> nodes_;
};

Tree Build(int n) {
  Tree t;
  for (int i = 0; i < n; ++i) t.Append(absl::StrCat("entry-", i));
  return t;
}

TEST(MerkleTest, MatchesCertificateTransparencyTestVectors) {
  // The leaves of RFC 6962's reference tests (certificate-transparency's
  // merkle_tree_test.cc).
  const std::vector<std::string> leaves = {
      "",
      std::string("\x00", 1),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  Tree t;
  for (const std::string& l : leaves) t.Append(l);
  EXPECT_EQ(absl::BytesToHexString(*RootHash(1, t.Reader())),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(absl::BytesToHexString(*RootHash(8, t.Reader())),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  EXPECT_EQ(absl::BytesToHexString(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(MerkleTest, StoredNodesGiveTheDefinitionsRootAtEverySize) {
  Tree t = Build(70);
  for (uint64_t n = 0; n <= 70; ++n) {
    EXPECT_EQ(*RootHash(n, t.Reader()), NaiveRoot(t.leaves(), 0, n)) << n;
  }
  EXPECT_EQ(t.frontier().Root(), NaiveRoot(t.leaves(), 0, 70));
}

TEST(MerkleTest, EveryInclusionProofVerifiesAndOnlyForItsLeaf) {
  Tree t = Build(40);
  for (uint64_t n = 1; n <= 40; ++n) {
    const std::string root = *RootHash(n, t.Reader());
    for (uint64_t i = 0; i < n; ++i) {
      std::vector<std::string> proof = *InclusionProof(i, n, t.Reader());
      const std::string leaf = LeafHash(t.leaves()[i]);
      EXPECT_TRUE(VerifyInclusion(i, n, leaf, proof, root)) << i << "/" << n;
      EXPECT_FALSE(VerifyInclusion(i, n, LeafHash("forged"), proof, root));
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion((i + 1) % n, n, leaf, proof, root));
      }
    }
  }
  EXPECT_THAT(InclusionProof(5, 5, t.Reader()).status().code(),
              absl::StatusCode::kOutOfRange);
}

TEST(MerkleTest, EveryConsistencyProofVerifies) {
  Tree t = Build(40);
  for (uint64_t m = 1; m <= 40; ++m) {
    const std::string old_root = *RootHash(m, t.Reader());
    for (uint64_t n = m; n <= 40; ++n) {
      const std::string new_root = *RootHash(n, t.Reader());
      std::vector<std::string> proof = *ConsistencyProof(m, n, t.Reader());
      EXPECT_TRUE(VerifyConsistency(m, n, old_root, new_root, proof))
          << m << "->" << n;
      if (m < n) {
        EXPECT_FALSE(VerifyConsistency(m, n, LeafHash("x"), new_root, proof));
        EXPECT_FALSE(VerifyConsistency(m, n, old_root, LeafHash("x"), proof));
      }
    }
  }
}

TEST(MerkleTest, ARewrittenHistoryIsNotConsistent) {
  Tree honest = Build(20);
  Tree rewritten;
  for (int i = 0; i < 30; ++i) {
    rewritten.Append(i == 7 ? std::string("entry-7, edited")
                            : absl::StrCat("entry-", i));
  }
  const std::string old_root = *RootHash(20, honest.Reader());
  const std::string new_root = *RootHash(30, rewritten.Reader());
  std::vector<std::string> proof =
      *ConsistencyProof(20, 30, rewritten.Reader());
  EXPECT_FALSE(VerifyConsistency(20, 30, old_root, new_root, proof));
}

TEST(MerkleTest, FrontierRestoresFromStoredNodes) {
  Tree t = Build(45);
  absl::StatusOr<Frontier> f = Frontier::Restore(45, t.Reader());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Root(), t.frontier().Root());
  std::vector<Frontier::Node> nodes;
  f->Append(LeafHash("entry-45"), &nodes);
  t.Append("entry-45");
  EXPECT_EQ(f->Root(), t.frontier().Root());
  t.nodes().erase({0, 44});  // a missing node is reported, not guessed
  EXPECT_FALSE(Frontier::Restore(45, t.Reader()).ok());
}

}  // namespace
}  // namespace cradle::storage::merkle
