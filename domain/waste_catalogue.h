#pragma once

// The National Hazardous Waste List, 2021 edition
// (国家危险废物名录（2021年版）): every waste code Cradle accepts, with its
// category and hazards.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::domain {

// Hazard characteristics, as bits of a uint8_t mask.
enum Hazard : uint8_t {
  kHazardToxicity = 1 << 0,      // T
  kHazardCorrosivity = 1 << 1,   // C
  kHazardIgnitability = 1 << 2,  // I
  kHazardReactivity = 1 << 3,    // R
  kHazardInfectivity = 1 << 4,   // In
};
inline constexpr uint8_t kAllHazards = 0x1f;

struct WasteCode {
  std::string code;      // "NNN-NNN-NN", e.g. "900-249-08"
  std::string category;  // "HW" + the code's last two digits, e.g. "HW08"
  std::string industry;  // 行业来源, as printed
  std::string name;      // 危险废物, as printed
  uint8_t hazards = 0;   // Hazard bits, never 0
};

// The waste codes of one edition of the list. Immutable after construction;
// safe to share between threads.
class WasteCatalogue {
 public:
  // Builds a catalogue from CSV with the header
  // category,code,industry,name,hazard. INVALID_ARGUMENT when a record is
  // malformed, a code repeats or a category does not match its code.
  static absl::StatusOr<WasteCatalogue> FromCsv(absl::string_view csv);

  // The 2021 list compiled into the binary. Built on first use; aborts if the
  // embedded data is corrupt, which tests rule out.
  static const WasteCatalogue& Builtin();

  // The entry for `code`, owned by the catalogue. INVALID_ARGUMENT naming
  // `field` when `code` is not of the form NNN-NNN-NN, then when it is not in
  // the catalogue.
  absl::StatusOr<const WasteCode*> Lookup(absl::string_view field,
                                          absl::string_view code) const;

  // True for the categories of the 2021 list: HW01–HW40 and HW45–HW50.
  static bool IsCategory(absl::string_view category);

  // All entries, in the order printed.
  const std::vector<WasteCode>& codes() const { return codes_; }
  size_t size() const { return codes_.size(); }

 private:
  WasteCatalogue() = default;

  std::vector<WasteCode> codes_;
  absl::flat_hash_map<std::string, size_t> index_;  // code -> codes_ index
};

// The category of a waste code of the form NNN-NNN-NN: "HW" and its last two
// digits ("900-249-08" -> "HW08"); "" for anything else.
std::string WasteCategoryOf(absl::string_view code);

// Parses hazard letters from {T, C, I, R, In} separated by ',' or '|' (e.g.
// "T,C" or "T|I"), each at most once, into Hazard bits. INVALID_ARGUMENT
// naming `field` for an empty list, an unknown letter or a repeat.
absl::StatusOr<uint8_t> ParseHazards(absl::string_view field,
                                     absl::string_view text);

// The letters of `hazards` in the order T, C, I, R, In joined by ',', e.g.
// "T,C"; "" for 0. ParseHazards reads it back.
std::string FormatHazards(uint8_t hazards);

}  // namespace cradle::domain
