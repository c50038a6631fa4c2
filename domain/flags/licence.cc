#include "domain/flags/licence.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/status_macros.h"
#include "domain/quantity.h"
#include "domain/waste_catalogue.h"

namespace cradle::domain {

bool LicenceCovers(const v1::Licence& licence, absl::string_view code,
                   absl::CivilDay day) {
  absl::CivilDay until;
  if (!absl::ParseCivilTime(licence.valid_until(), &until) || until < day) {
    return false;
  }
  const std::string category = WasteCategoryOf(code);
  for (const std::string& c : licence.codes()) {
    if (c == code || c == category) return true;
  }
  return false;
}

std::vector<std::string> CodesSent(const v1::Manifest& m,
                                   const v1::Destination& d) {
  std::vector<std::string> codes;
  for (int i = 0; i < m.lines_size() && i < d.sent_g_size(); ++i) {
    if (d.sent_g(i) > 0) codes.push_back(m.lines(i).code());
  }
  return codes;
}

int64_t GramsSent(const v1::Destination& d) {
  int64_t total = 0;
  for (int64_t g : d.sent_g()) total += g;
  return total;
}

absl::StatusOr<std::string> LicenceProblem(
    const v1::Enterprise& receiver, const std::vector<std::string>& codes,
    int64_t grams, absl::CivilDay day, const RegistryReader& facts) {
  std::vector<std::string> uncovered;
  int64_t capacity_g = 0;
  for (const v1::Licence& l : receiver.licences()) {
    bool covers_any = false;
    for (const std::string& code : codes) {
      covers_any |= LicenceCovers(l, code, day);
    }
    if (covers_any) capacity_g += l.capacity_kg() * 1000;
  }
  for (const std::string& code : codes) {
    bool covered = false;
    for (const v1::Licence& l : receiver.licences()) {
      covered |= LicenceCovers(l, code, day);
    }
    if (!covered) uncovered.push_back(code);
  }
  if (!uncovered.empty()) {
    return absl::StrCat("receiver ", receiver.id(),
                        " holds no valid licence covering ",
                        absl::StrJoin(uncovered, ", "));
  }
  CRADLE_ASSIGN_OR_RETURN(
      int64_t used,
      facts.AcceptedGrams(receiver.id(), static_cast<int>(day.year())));
  if (used + grams > capacity_g) {
    return absl::StrCat("receiver ", receiver.id(), " has accepted ",
                        FormatGrams(used), " this year; ", FormatGrams(grams),
                        " more exceeds its licensed ", FormatGrams(capacity_g));
  }
  return std::string();
}

}  // namespace cradle::domain
