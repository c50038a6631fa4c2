#include "services/keys.h"

#include <cinttypes>
#include <cstdio>

#include "absl/strings/numbers.h"

namespace cradle::services::keys {

std::string DueKey(absl::Time due, absl::string_view number,
                   absl::string_view kind, int subject) {
  char micros[17];
  std::snprintf(
      micros, sizeof micros, "%016" PRIx64,
      static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixMicros(due))));
  return absl::StrCat(DuePrefix(), micros, "/", number, "/", kind, "/",
                      subject);
}

absl::StatusOr<DueKeyParts> ParseDueKey(absl::string_view key) {
  const size_t at = DuePrefix().size();
  uint64_t micros = 0;
  if (key.substr(0, at) != DuePrefix() || key.size() < at + 17 ||
      key[at + 16] != '/' ||
      !absl::SimpleHexAtoi(key.substr(at, 16), &micros)) {
    return absl::DataLossError(
        absl::StrCat("malformed due index key \"", key, "\""));
  }
  DueKeyParts parts;
  parts.due = absl::FromUnixMicros(static_cast<int64_t>(micros));
  parts.deadline = std::string(key.substr(at + 17));
  parts.number = parts.deadline.substr(0, parts.deadline.find('/'));
  return parts;
}

}  // namespace cradle::services::keys
