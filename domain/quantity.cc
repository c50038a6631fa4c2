#include "domain/quantity.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "base/quote.h"

namespace cradle::domain {
namespace {

struct Unit {
  absl::string_view symbol;
  int64_t grams;
  int decimals;  // digits after '.' that still name whole grams
};
// Largest first: FormatGrams picks the first unit the value reaches.
constexpr Unit kUnits[] = {
    {"t", 1'000'000, 6},
    {"kg", 1'000, 3},
    {"g", 1, 0},
};

bool IsDigit(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c));
}

}  // namespace

absl::StatusOr<int64_t> ParseQuantityGrams(absl::string_view field,
                                           absl::string_view text) {
  auto error = [&](absl::string_view rule) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(text), " ", rule));
  };
  const absl::string_view s = absl::StripAsciiWhitespace(text);
  if (s.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is empty: give a quantity such as \"1.25t\" or \"800kg\""));
  }
  if (s[0] == '-') return error("is negative: a quantity must be positive");

  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) ++i;
  const absl::string_view integer = s.substr(0, i);
  absl::string_view fraction;
  if (i < s.size() && s[i] == '.') {
    const size_t start = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    fraction = s.substr(start, i - start);
    if (fraction.empty()) return error("needs digits after '.'");
  }
  if (integer.empty()) {
    return error("must start with a number, e.g. \"1.25t\" or \"800kg\"");
  }
  const absl::string_view symbol =
      absl::StripLeadingAsciiWhitespace(s.substr(i));
  if (symbol.empty()) return error("has no unit: use t, kg or g");
  const Unit* unit = nullptr;
  for (const Unit& u : kUnits) {
    if (symbol == u.symbol) unit = &u;
  }
  if (unit == nullptr) {
    return error(absl::StrCat("has unit ", Quote(symbol),
                              ": the units are t, kg and g"));
  }

  // Whole units, stopping before anything can overflow.
  const int64_t max_units = kMaxQuantityGrams / unit->grams;
  int64_t units = 0;
  for (char c : integer) {
    units = units * 10 + (c - '0');
    if (units > max_units) {
      return error(absl::StrCat("is more than the limit of ",
                                FormatGrams(kMaxQuantityGrams)));
    }
  }
  // Fraction digits in grams; any non-zero digit past unit->decimals would
  // be a fraction of a gram.
  int64_t fraction_grams = 0;
  int64_t place = unit->grams;
  for (size_t d = 0; d < fraction.size(); ++d) {
    const int digit = fraction[d] - '0';
    if (static_cast<int>(d) >= unit->decimals) {
      if (digit != 0) {
        return error(absl::StrCat("is not a whole number of grams: at most ",
                                  unit->decimals, " decimals for ",
                                  unit->symbol));
      }
      continue;
    }
    place /= 10;
    fraction_grams += digit * place;
  }
  const int64_t grams = units * unit->grams + fraction_grams;
  if (grams == 0) return error("is zero: a quantity must be positive");
  if (grams > kMaxQuantityGrams) {
    return error(absl::StrCat("is more than the limit of ",
                              FormatGrams(kMaxQuantityGrams)));
  }
  return grams;
}

std::string FormatGrams(int64_t grams) {
  if (grams == 0) return "0g";
  // Unsigned, so that the most negative value has a magnitude too.
  const uint64_t magnitude = grams < 0 ? 0 - static_cast<uint64_t>(grams)
                                       : static_cast<uint64_t>(grams);
  const absl::string_view sign = grams < 0 ? "-" : "";
  for (const Unit& u : kUnits) {
    const uint64_t per_unit = static_cast<uint64_t>(u.grams);
    if (magnitude < per_unit) continue;
    const uint64_t whole = magnitude / per_unit;
    uint64_t rest = magnitude % per_unit;
    if (rest == 0) return absl::StrCat(sign, whole, u.symbol);
    // rest has u.decimals digits with leading zeros; drop trailing zeros.
    std::string fraction(u.decimals, '0');
    for (int d = u.decimals - 1; d >= 0; --d) {
      fraction[d] = static_cast<char>('0' + rest % 10);
      rest /= 10;
    }
    fraction.erase(fraction.find_last_not_of('0') + 1);
    return absl::StrCat(sign, whole, ".", fraction, u.symbol);
  }
  return absl::StrCat(sign, magnitude, "g");  // not reached: g divides all
}

}  // namespace cradle::domain
