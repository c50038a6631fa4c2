#pragma once

// The reference tables of data/, compiled into cradle_domain by
// domain/embed_file.cmake so that binaries need no data folder. Each function
// returns the file's bytes exactly as stored (UTF-8, original line endings);
// the views point at static storage and stay valid for the whole program.

#include "absl/strings/string_view.h"

namespace cradle::domain {

// data/cn-divisions/provinces.csv: code,name
absl::string_view EmbeddedDivisionProvincesCsv();
// data/cn-divisions/cities.csv: code,name,provinceCode
absl::string_view EmbeddedDivisionCitiesCsv();
// data/cn-divisions/areas.csv: code,name,cityCode,provinceCode
absl::string_view EmbeddedDivisionAreasCsv();
// data/cn-hazardous-waste-catalogue-2021.csv:
// category,code,industry,name,hazard
absl::string_view EmbeddedWasteCatalogueCsv();
// data/cn-treatment-methods.csv: code,kind,name_zh,name_en
absl::string_view EmbeddedTreatmentMethodsCsv();
// data/cn-workdays.txt: holiday/workday lines
absl::string_view EmbeddedWorkCalendar();

}  // namespace cradle::domain
