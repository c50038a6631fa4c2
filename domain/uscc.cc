#include "domain/uscc.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "base/quote.h"
#include "base/status_macros.h"

namespace cradle::domain {
namespace {

// The 31 characters of GB 32100-2015 in value order (no I, O, Z, S, V).
constexpr absl::string_view kCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr int kModulus = 31;
constexpr int kWeights[kUsccLength - 1] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                           29, 25, 13, 8,  24, 10, 30, 28};

// Value of `c` in kCharset, or -1.
int CharValue(char c) {
  const size_t pos = kCharset.find(c);
  return pos == absl::string_view::npos ? -1 : static_cast<int>(pos);
}

// `c` quoted for a message; bytes outside printable ASCII (a piece of a
// UTF-8 character, say) as hex.
std::string Describe(char c) {
  if (absl::ascii_isprint(static_cast<unsigned char>(c))) {
    return absl::StrCat("'", absl::string_view(&c, 1), "'");
  }
  return absl::StrCat(
      "byte 0x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
}

absl::Status CheckCharacters(absl::string_view field, absl::string_view value) {
  for (size_t i = 0; i < value.size(); ++i) {
    if (CharValue(value[i]) < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " ", Quote(value), " has ", Describe(value[i]),
          " at position ", i + 1,
          ": a unified social credit code uses only 0-9 and upper-case A-Z "
          "without I, O, Z, S, V"));
    }
  }
  return absl::OkStatus();
}

char CheckCharacterOf(absl::string_view first17) {
  int sum = 0;
  for (int i = 0; i < kUsccLength - 1; ++i) {
    sum += CharValue(first17[i]) * kWeights[i];
  }
  return kCharset[(kModulus - sum % kModulus) % kModulus];
}

}  // namespace

absl::StatusOr<char> UsccCheckCharacter(absl::string_view first17) {
  if (first17.size() != kUsccLength - 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unified social credit code prefix ", Quote(first17), " has ",
        first17.size(), " characters, expected ", kUsccLength - 1));
  }
  CRADLE_RETURN_IF_ERROR(
      CheckCharacters("unified social credit code prefix", first17));
  return CheckCharacterOf(first17);
}

absl::Status ValidateUscc(absl::string_view field, absl::string_view value) {
  if (value.size() != kUsccLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", Quote(value), " has ", value.size(),
        " characters: a unified social credit code has ", kUsccLength));
  }
  CRADLE_RETURN_IF_ERROR(CheckCharacters(field, value));
  const char expected = CheckCharacterOf(value.substr(0, kUsccLength - 1));
  if (value.back() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", Quote(value), " ends in check character '",
        value.substr(kUsccLength - 1), "' but its first 17 characters give '",
        absl::string_view(&expected, 1), "' (GB 32100-2015)"));
  }
  return absl::OkStatus();
}

}  // namespace cradle::domain
