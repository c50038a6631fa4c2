#include "domain/plate.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

#include "base/quote.h"

namespace cradle::domain {
namespace {

// Every abbreviation is one CJK character: 3 bytes of UTF-8.
constexpr absl::string_view kProvinces =
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
constexpr size_t kCjkBytes = 3;
constexpr absl::string_view kTrailer = "挂";

bool IsPlateLetter(char c) {
  return c >= 'A' && c <= 'Z' && c != 'I' && c != 'O';
}

bool IsPlateCharacter(char c) {
  return absl::ascii_isdigit(static_cast<unsigned char>(c)) || IsPlateLetter(c);
}

bool IsProvince(absl::string_view abbreviation) {
  for (size_t i = 0; i + kCjkBytes <= kProvinces.size(); i += kCjkBytes) {
    if (kProvinces.substr(i, kCjkBytes) == abbreviation) return true;
  }
  return false;
}

}  // namespace

absl::Status ValidatePlate(absl::string_view field, absl::string_view value) {
  auto error = [&](absl::string_view rule) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(value), " ", rule));
  };
  if (value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is empty: give a plate number such as 浙F12345"));
  }
  if (value.size() < kCjkBytes || !IsProvince(value.substr(0, kCjkBytes))) {
    return error(
        "must start with a province abbreviation such as 浙, 苏 or 沪");
  }
  absl::string_view rest = value.substr(kCjkBytes);
  if (rest.empty() || !IsPlateLetter(rest[0])) {
    return error(
        "must have the issuing office's letter (A-Z except I and O) after the "
        "province");
  }
  rest.remove_prefix(1);
  const bool trailer = absl::ConsumeSuffix(&rest, kTrailer);
  for (size_t i = 0; i < rest.size(); ++i) {
    if (!IsPlateCharacter(rest[i])) {
      return error(absl::StrCat(
          "has a character other than 0-9 or A-Z except I and O at position ",
          i + 3));
    }
  }
  if (trailer) {
    if (rest.size() != 4) {
      return error(absl::StrCat(
          "has ", rest.size(), " characters before 挂: a trailer plate has 4"));
    }
  } else if (rest.size() != 5 && rest.size() != 6) {
    return error(absl::StrCat("has ", rest.size(),
                              " characters after the office letter: 5 on an "
                              "ordinary plate, 6 on a new-energy plate"));
  }
  return absl::OkStatus();
}

}  // namespace cradle::domain
