#include "domain/packaging.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/quote.h"

namespace cradle::domain {

const std::vector<PackagingWords>& PackagingVocabulary() {
  // The first word is the kind's name; the second its English name.
  static const auto* vocabulary = new std::vector<PackagingWords>{
      {PackagingKind::kDrum,
       {"桶", "drum", "桶装", "铁桶", "钢桶", "塑料桶", "barrel"}},
      {PackagingKind::kBag, {"袋", "bag", "袋装", "编织袋", "塑料袋", "sack"}},
      {PackagingKind::kBulkBag, {"吨袋", "bulk bag", "吨包", "fibc"}},
      {PackagingKind::kIbc, {"吨桶", "ibc", "ibc吨桶"}},
      {PackagingKind::kBox,
       {"箱", "box", "箱装", "纸箱", "木箱", "crate", "carton"}},
      {PackagingKind::kTank, {"罐", "tank", "罐装", "槽罐"}},
      {PackagingKind::kCylinder, {"瓶", "cylinder", "瓶装", "钢瓶", "bottle"}},
      {PackagingKind::kBulk, {"散装", "bulk"}},
  };
  return *vocabulary;
}

absl::StatusOr<PackagingKind> LookupPackaging(absl::string_view field,
                                              absl::string_view word) {
  const std::string folded = absl::AsciiStrToLower(word);
  std::vector<std::string> known;
  for (const PackagingWords& k : PackagingVocabulary()) {
    for (absl::string_view w : k.words) {
      if (w == folded) return k.kind;
    }
    known.push_back(PackagingKindName(k.kind));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, " ", Quote(word), " is not a packaging method: one of ",
      absl::StrJoin(known, ", "), " (or a word for one, such as 铁桶)"));
}

std::string PackagingKindName(PackagingKind kind) {
  for (const PackagingWords& k : PackagingVocabulary()) {
    if (k.kind == kind) return absl::StrCat(k.words[0], " (", k.words[1], ")");
  }
  return "?";
}

}  // namespace cradle::domain
