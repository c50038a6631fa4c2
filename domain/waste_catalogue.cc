#include "domain/waste_catalogue.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/csv.h"
#include "domain/embedded_data.h"

namespace cradle::domain {
namespace {

struct HazardName {
  Hazard bit;
  absl::string_view letters;
};
constexpr HazardName kHazardNames[] = {
    {kHazardToxicity, "T"},     {kHazardCorrosivity, "C"},
    {kHazardIgnitability, "I"}, {kHazardReactivity, "R"},
    {kHazardInfectivity, "In"},
};

bool IsDigit(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c));
}

// NNN-NNN-NN.
bool IsWellFormedCode(absl::string_view code) {
  if (code.size() != 10 || code[3] != '-' || code[7] != '-') return false;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i != 3 && i != 7 && !IsDigit(code[i])) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<WasteCatalogue> WasteCatalogue::FromCsv(absl::string_view csv) {
  CRADLE_ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(csv));
  CRADLE_RETURN_IF_ERROR(
      CheckCsvShape("waste catalogue", records,
                    {"category", "code", "industry", "name", "hazard"}));
  WasteCatalogue catalogue;
  catalogue.codes_.reserve(records.size() - 1);
  for (size_t i = 1; i < records.size(); ++i) {
    CsvRecord& r = records[i];
    const std::string where =
        absl::StrCat("waste catalogue record ", i + 1, ": ");
    if (!IsWellFormedCode(r[1])) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "code \"", r[1], "\" is not NNN-NNN-NN"));
    }
    if (!IsCategory(r[0]) || r[0] != WasteCategoryOf(r[1])) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "category \"", r[0],
          "\" is not a category or not the one of code \"", r[1], "\""));
    }
    if (r[2].empty() || r[3].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "industry and name must not be empty"));
    }
    CRADLE_ASSIGN_OR_RETURN(uint8_t hazards,
                            ParseHazards(absl::StrCat(where, "hazard"), r[4]));
    if (!catalogue.index_.emplace(r[1], catalogue.codes_.size()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "code \"", r[1], "\" is repeated"));
    }
    catalogue.codes_.push_back(WasteCode{std::move(r[1]), std::move(r[0]),
                                         std::move(r[2]), std::move(r[3]),
                                         hazards});
  }
  return catalogue;
}

const WasteCatalogue& WasteCatalogue::Builtin() {
  static const WasteCatalogue* const catalogue = [] {
    absl::StatusOr<WasteCatalogue> c = FromCsv(EmbeddedWasteCatalogueCsv());
    if (!c.ok()) {
      std::fprintf(stderr, "cradle: embedded waste catalogue: %s\n",
                   c.status().ToString().c_str());
      std::abort();
    }
    return new WasteCatalogue(*std::move(c));
  }();
  return *catalogue;
}

absl::StatusOr<const WasteCode*> WasteCatalogue::Lookup(
    absl::string_view field, absl::string_view code) const {
  if (!IsWellFormedCode(code)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(code),
                     " is not a waste code of the form NNN-NNN-NN"));
  }
  auto it = index_.find(code);
  if (it == index_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(code), " is not in the 2021 catalogue"));
  }
  return &codes_[it->second];
}

bool WasteCatalogue::IsCategory(absl::string_view category) {
  if (category.size() != 4 || category.substr(0, 2) != "HW" ||
      !IsDigit(category[2]) || !IsDigit(category[3])) {
    return false;
  }
  const int n = (category[2] - '0') * 10 + (category[3] - '0');
  return (n >= 1 && n <= 40) || (n >= 45 && n <= 50);
}

std::string WasteCategoryOf(absl::string_view code) {
  if (!IsWellFormedCode(code)) return "";
  return absl::StrCat("HW", code.substr(8));
}

absl::StatusOr<uint8_t> ParseHazards(absl::string_view field,
                                     absl::string_view text) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is empty: name at least one hazard of T, C, I, R, In"));
  }
  uint8_t hazards = 0;
  for (absl::string_view token : absl::StrSplit(text, absl::ByAnyChar(",|"))) {
    token = absl::StripAsciiWhitespace(token);
    const HazardName* found = nullptr;
    for (const HazardName& h : kHazardNames) {
      if (token == h.letters) found = &h;
    }
    if (found == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", Quote(text), " has ", Quote(token),
                       ": hazards are T, C, I, R, In separated by ',' or '|'"));
    }
    if (hazards & found->bit) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " ", Quote(text), " names hazard ", token, " twice"));
    }
    hazards |= found->bit;
  }
  return hazards;
}

std::string FormatHazards(uint8_t hazards) {
  std::vector<absl::string_view> letters;
  for (const HazardName& h : kHazardNames) {
    if (hazards & h.bit) letters.push_back(h.letters);
  }
  return absl::StrJoin(letters, ",");
}

}  // namespace cradle::domain
