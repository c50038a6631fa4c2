#pragma once

// Administrative division codes (GB/T 2260) and the city and province rules
// that the cross-city and cross-province flags and regulators' jurisdictions
// are built on.

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::domain {

// A county-level division with its city and province, names as in the
// table: a municipality's city is "市辖区" or "县", a province-administered
// county's city is "省直辖县级行政区划".
struct Division {
  std::string code;           // 6 digits, e.g. "330402"
  std::string name;           // e.g. "南湖区"
  std::string city_code;      // 4 digits, e.g. "3304"
  std::string city_name;      // e.g. "嘉兴市"
  std::string province_code;  // 2 digits, e.g. "33"
  std::string province_name;  // e.g. "浙江省"
};

// The county-level divisions known to Cradle. Immutable after construction;
// safe to share between threads.
class DivisionTable {
 public:
  // Builds a table from the three CSVs of data/cn-divisions. INVALID_ARGUMENT
  // when a table is malformed or a record names an unknown city or province.
  static absl::StatusOr<DivisionTable> FromCsv(absl::string_view provinces_csv,
                                               absl::string_view cities_csv,
                                               absl::string_view areas_csv);

  // The table compiled into the binary (data/cn-divisions). Built on first
  // use; aborts if the embedded data is corrupt, which tests rule out.
  static const DivisionTable& Builtin();

  // The division with 6-digit `code`. INVALID_ARGUMENT naming `field` when
  // `code` is not 6 digits or not a county-level code of the table.
  absl::StatusOr<Division> Lookup(absl::string_view field,
                                  absl::string_view code) const;

  // Number of county-level divisions.
  size_t size() const { return areas_.size(); }

  // Every county-level division whose code starts with `prefix`, by code.
  std::vector<Division> WithPrefix(absl::string_view prefix) const;

 private:
  DivisionTable() = default;

  absl::flat_hash_map<std::string, Division> areas_;
};

// The city-level unit that `division6` (a valid 6-digit code) belongs to, for
// the cross-city test of the 2021 rules:
//  - the municipalities 11, 12, 31, 50 are each one city: "11", ..., "50"
//    (so Chongqing's 5001 districts and 5002 counties are one city);
//  - codes whose city digits are 90 (4190, 4290, 4690, 6590: counties
//    administered by the province) are each their own unit: all 6 digits;
//  - otherwise the first 4 digits, development zones (5th digit 7) included.
std::string CityUnit(absl::string_view division6);

// True when the two 6-digit codes lie in different city-level units.
bool IsCrossCity(absl::string_view a, absl::string_view b);

// True when the two 6-digit codes lie in different provinces.
bool IsCrossProvince(absl::string_view a, absl::string_view b);

// True when `code` has the shape of a province's code: 2 digits, not "00".
bool IsProvinceCode(absl::string_view code);

// True when `division6` lies in the jurisdiction `prefix`: a province (2
// digits), a city (4 digits) or a county (6 digits). False for a prefix of
// any other length or with a non-digit.
bool InJurisdiction(absl::string_view division6, absl::string_view prefix);

// A jurisdiction as a regulator names it: a province (2 digits), a city (4)
// or a county (6) of the built-in table, the lengths in `lengths`.
// INVALID_ARGUMENT naming `field` otherwise (e.g. "9999", which is the
// shape of a city but none).
absl::Status ValidateJurisdiction(absl::string_view field,
                                  absl::string_view prefix,
                                  std::initializer_list<size_t> lengths = {2, 4,
                                                                           6});

}  // namespace cradle::domain
