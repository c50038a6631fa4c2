#include "domain/csv.h"

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace cradle::domain {

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text) {
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  int line = 1;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (text[i] == '"') {
      // Quoted field: runs to the next quote not doubled.
      const int start_line = line;
      ++i;
      bool closed = false;
      while (i < n) {
        const char c = text[i];
        if (c == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (c == '\n') ++line;
        field.push_back(c);
        ++i;
      }
      if (!closed) {
        return absl::InvalidArgumentError(absl::StrCat(
            "csv line ", start_line, ": quoted field is never closed"));
      }
      if (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
        return absl::InvalidArgumentError(absl::StrCat(
            "csv line ", line, ": text after the closing quote of a field"));
      }
    } else {
      // Unquoted field: runs to the next comma or line break.
      while (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
        if (text[i] == '"') {
          return absl::InvalidArgumentError(absl::StrCat(
              "csv line ", line, ": quote inside an unquoted field"));
        }
        field.push_back(text[i]);
        ++i;
      }
    }
    record.push_back(std::move(field));
    field.clear();
    if (i == n) break;
    if (text[i] == ',') {
      ++i;
      if (i == n) record.emplace_back();  // "a," ends with an empty field.
      continue;
    }
    // A record ends at CRLF, LF or a lone CR.
    if (text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    ++line;
    records.push_back(std::move(record));
    record.clear();
  }
  if (!record.empty()) records.push_back(std::move(record));
  return records;
}

absl::Status CheckCsvShape(absl::string_view table,
                           const std::vector<CsvRecord>& records,
                           std::initializer_list<absl::string_view> columns) {
  const std::string expected = absl::StrJoin(columns, ",");
  if (records.empty() || absl::StrJoin(records[0], ",") != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat(table, " line 1: header must be \"", expected, "\""));
  }
  for (size_t i = 1; i < records.size(); ++i) {
    if (records[i].size() != columns.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(table, " record ", i + 1, " has ", records[i].size(),
                       " fields, expected ", columns.size()));
    }
  }
  return absl::OkStatus();
}

std::string CsvField(absl::string_view field) {
  if (field.find_first_of(",\"\n\r") == absl::string_view::npos) {
    return std::string(field);
  }
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace cradle::domain
