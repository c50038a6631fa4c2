#include "domain/treatment_method.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "domain/csv.h"
#include "domain/embedded_data.h"

namespace cradle::domain {
namespace {

struct Table {
  std::vector<TreatmentMethod> methods;
  absl::flat_hash_map<std::string, size_t> index;
};

absl::StatusOr<Table> Parse(absl::string_view csv) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(csv);
  if (!records.ok()) return records.status();
  if (absl::Status s = CheckCsvShape("treatment methods", *records,
                                     {"code", "kind", "name_zh", "name_en"});
      !s.ok()) {
    return s;
  }
  Table t;
  for (size_t i = 1; i < records->size(); ++i) {
    CsvRecord& r = (*records)[i];
    const std::string where =
        absl::StrCat("treatment methods record ", i, ": ");
    if (r[1] != "utilisation" && r[1] != "disposal" &&
        r[1] != "co-processing" && r[1] != "medical") {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "kind ", Quote(r[1]), " is not known"));
    }
    if (r[0].empty() || r[2].empty() || r[3].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "code and names must not be empty"));
    }
    if (!t.index.emplace(r[0], t.methods.size()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "code ", Quote(r[0]), " is repeated"));
    }
    t.methods.push_back(TreatmentMethod{std::move(r[0]), std::move(r[1]),
                                        std::move(r[2]), std::move(r[3])});
  }
  return t;
}

const Table& Builtin() {
  static const Table* const table = [] {
    absl::StatusOr<Table> t = Parse(EmbeddedTreatmentMethodsCsv());
    if (!t.ok()) {
      std::fprintf(stderr, "cradle: embedded treatment methods: %s\n",
                   t.status().ToString().c_str());
      std::abort();
    }
    return new Table(*std::move(t));
  }();
  return *table;
}

}  // namespace

absl::StatusOr<const TreatmentMethod*> LookupMethod(absl::string_view field,
                                                    absl::string_view code) {
  const Table& t = Builtin();
  auto it = t.index.find(code);
  if (it == t.index.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", Quote(code),
        " is not a utilisation or disposal method code (R1-R9, R15, D1, D9, "
        "D10, D16, C1-C3, Y10-Y13, Y16; see `cradlectl methods`)"));
  }
  return &t.methods[it->second];
}

const std::vector<TreatmentMethod>& TreatmentMethods() {
  return Builtin().methods;
}

bool LicenceAllowsMethod(const v1::Licence& licence, absl::string_view method) {
  if (licence.methods().empty()) return true;
  for (const std::string& m : licence.methods()) {
    if (m == method) return true;
  }
  return false;
}

}  // namespace cradle::domain
