#pragma once

// The packaging methods (包装方式) a waste line may declare, as a checked
// vocabulary: each kind has its words in Chinese and English, as forms and
// site staff write them ("铁桶", "drum"). A line records the word the
// generator gave; a receiver's check compares kinds, so "铁桶" shipped and
// "drum" found on arrival agree.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::domain {

enum class PackagingKind {
  kDrum,      // 桶: steel or plastic drums
  kBag,       // 袋: woven or plastic bags
  kBulkBag,   // 吨袋: flexible intermediate bulk containers
  kIbc,       // 吨桶: rigid intermediate bulk containers
  kBox,       // 箱: boxes, crates, cartons
  kTank,      // 罐: tanks and tank containers
  kCylinder,  // 瓶: gas cylinders and bottles
  kBulk,      // 散装: unpackaged, in the vehicle's body or tank
};

// The kind a packaging word names; INVALID_ARGUMENT naming `field`, with the
// words known, when it names none. English words match in any case.
absl::StatusOr<PackagingKind> LookupPackaging(absl::string_view field,
                                              absl::string_view word);

// "桶 (drum)".
std::string PackagingKindName(PackagingKind kind);

// Every kind with its words, for docs and --help.
struct PackagingWords {
  PackagingKind kind;
  std::vector<absl::string_view> words;
};
const std::vector<PackagingWords>& PackagingVocabulary();

}  // namespace cradle::domain
