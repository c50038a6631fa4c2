#include "domain/division.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/csv.h"
#include "domain/embedded_data.h"

namespace cradle::domain {
namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

bool IsMunicipality(absl::string_view province2) {
  return province2 == "11" || province2 == "12" || province2 == "31" ||
         province2 == "50";
}

struct NamedUnit {
  std::string name;
  std::string parent_code;
};

// Reads code -> (name, parent code) from a table whose first column is a
// code of `code_length` digits. Provinces have no parent column.
absl::StatusOr<absl::flat_hash_map<std::string, NamedUnit>> ReadUnits(
    absl::string_view table, absl::string_view csv,
    std::initializer_list<absl::string_view> columns, size_t code_length) {
  CRADLE_ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(csv));
  CRADLE_RETURN_IF_ERROR(CheckCsvShape(table, records, columns));
  absl::flat_hash_map<std::string, NamedUnit> units;
  for (size_t i = 1; i < records.size(); ++i) {
    CsvRecord& r = records[i];
    if (r[0].size() != code_length || !AllDigits(r[0])) {
      return absl::InvalidArgumentError(
          absl::StrCat(table, " record ", i + 1, ": code \"", r[0],
                       "\" is not ", code_length, " digits"));
    }
    NamedUnit unit{std::move(r[1]), r.size() > 2 ? r[2] : ""};
    if (!units.emplace(r[0], std::move(unit)).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          table, " record ", i + 1, ": code \"", r[0], "\" is repeated"));
    }
  }
  return units;
}

}  // namespace

absl::StatusOr<DivisionTable> DivisionTable::FromCsv(
    absl::string_view provinces_csv, absl::string_view cities_csv,
    absl::string_view areas_csv) {
  CRADLE_ASSIGN_OR_RETURN(
      auto provinces,
      ReadUnits("provinces.csv", provinces_csv, {"code", "name"}, 2));
  CRADLE_ASSIGN_OR_RETURN(
      auto cities,
      ReadUnits("cities.csv", cities_csv, {"code", "name", "provinceCode"}, 4));
  CRADLE_ASSIGN_OR_RETURN(std::vector<CsvRecord> areas, ParseCsv(areas_csv));
  CRADLE_RETURN_IF_ERROR(CheckCsvShape(
      "areas.csv", areas, {"code", "name", "cityCode", "provinceCode"}));

  DivisionTable table;
  for (size_t i = 1; i < areas.size(); ++i) {
    CsvRecord& r = areas[i];
    const std::string where = absl::StrCat("areas.csv record ", i + 1, ": ");
    if (r[0].size() != 6 || !AllDigits(r[0])) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "code \"", r[0], "\" is not 6 digits"));
    }
    auto city = cities.find(r[2]);
    if (city == cities.end() || !absl::StartsWith(r[0], r[2])) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "cityCode \"", r[2],
                       "\" is not a known city of \"", r[0], "\""));
    }
    auto province = provinces.find(r[3]);
    if (province == provinces.end() || city->second.parent_code != r[3]) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "provinceCode \"", r[3],
                       "\" is not the province of city \"", r[2], "\""));
    }
    Division d{r[0], std::move(r[1]),      r[2], city->second.name,
               r[3], province->second.name};
    if (!table.areas_.emplace(r[0], std::move(d)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "code \"", r[0], "\" is repeated"));
    }
  }
  return table;
}

const DivisionTable& DivisionTable::Builtin() {
  static const DivisionTable* const table = [] {
    absl::StatusOr<DivisionTable> t =
        FromCsv(EmbeddedDivisionProvincesCsv(), EmbeddedDivisionCitiesCsv(),
                EmbeddedDivisionAreasCsv());
    if (!t.ok()) {
      std::fprintf(stderr, "cradle: embedded division table: %s\n",
                   t.status().ToString().c_str());
      std::abort();
    }
    return new DivisionTable(*std::move(t));
  }();
  return *table;
}

absl::StatusOr<Division> DivisionTable::Lookup(absl::string_view field,
                                               absl::string_view code) const {
  if (code.size() != 6 || !AllDigits(code)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(code),
                     " must be a 6-digit division code (GB/T 2260)"));
  }
  auto it = areas_.find(code);
  if (it == areas_.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", Quote(code),
        " is not a county-level division code of the GB/T 2260 table"));
  }
  return it->second;
}

std::vector<Division> DivisionTable::WithPrefix(
    absl::string_view prefix) const {
  std::vector<Division> out;
  for (const auto& [code, d] : areas_) {
    if (absl::StartsWith(code, prefix)) out.push_back(d);
  }
  std::sort(out.begin(), out.end(), [](const Division& a, const Division& b) {
    return a.code < b.code;
  });
  return out;
}

std::string CityUnit(absl::string_view division6) {
  const absl::string_view province = division6.substr(0, 2);
  if (IsMunicipality(province)) return std::string(province);
  if (division6.substr(2, 2) == "90")
    return std::string(division6.substr(0, 6));
  return std::string(division6.substr(0, 4));
}

bool IsCrossCity(absl::string_view a, absl::string_view b) {
  return CityUnit(a) != CityUnit(b);
}

bool IsCrossProvince(absl::string_view a, absl::string_view b) {
  return a.substr(0, 2) != b.substr(0, 2);
}

bool IsProvinceCode(absl::string_view code) {
  return code.size() == 2 && absl::ascii_isdigit(code[0]) &&
         absl::ascii_isdigit(code[1]) && code != "00";
}

bool InJurisdiction(absl::string_view division6, absl::string_view prefix) {
  if (prefix.size() != 2 && prefix.size() != 4 && prefix.size() != 6) {
    return false;
  }
  if (!AllDigits(prefix)) return false;
  return absl::StartsWith(division6, prefix);
}

absl::Status ValidateJurisdiction(absl::string_view field,
                                  absl::string_view prefix,
                                  std::initializer_list<size_t> lengths) {
  bool digits = !prefix.empty();
  for (char c : prefix) digits &= c >= '0' && c <= '9';
  bool length = false;
  for (size_t n : lengths) length |= prefix.size() == n;
  if (!digits || !length) {
    std::vector<std::string> allowed;
    for (size_t n : lengths) allowed.push_back(absl::StrCat(n));
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", Quote(prefix), " must be a division prefix of ",
        absl::StrJoin(allowed, ", "), " digits"));
  }
  if (DivisionTable::Builtin().WithPrefix(prefix).empty()) {
    const char* what = prefix.size() == 2   ? "province"
                       : prefix.size() == 4 ? "city"
                                            : "county";
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", Quote(prefix), " is no ", what,
        " of the GB/T 2260 table: it holds no county-level division"));
  }
  return absl::OkStatus();
}

}  // namespace cradle::domain
