#pragma once

// A small reader for RFC 4180 comma-separated values, enough for the
// reference tables in data/: fields may be quoted, a quoted field may hold
// commas, line breaks and doubled quotes (""), and records end with CRLF or
// LF. A line break at the very end of the text does not start a record.

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::domain {

using CsvRecord = std::vector<std::string>;

// Returns the records of `text` in order, the header line (if any) included.
// Fails with INVALID_ARGUMENT, naming the line, on a quote inside an unquoted
// field, text after a closing quote, or a quoted field left open.
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view text);

// OK when `records` starts with a header equal to `columns` and every record
// has that many fields; INVALID_ARGUMENT naming `table` and the line if not.
absl::Status CheckCsvShape(absl::string_view table,
                           const std::vector<CsvRecord>& records,
                           std::initializer_list<absl::string_view> columns);

// `field` as one field of a record: as it is, or quoted (its quotes doubled)
// when it holds a comma, a quote or a line break.
std::string CsvField(absl::string_view field);

}  // namespace cradle::domain
