#include "domain/legal_form.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/packaging.h"
#include "domain/registry.h"

namespace cradle::domain {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view value,
                     absl::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, " ", Quote(value), " ", rule));
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The digits of a telephone number with its separators and country code
// taken off, and its extension apart; false when anything else is in it.
bool PhoneDigits(absl::string_view value, std::string* digits,
                 std::string* extension) {
  absl::string_view given = absl::StripAsciiWhitespace(value);
  const bool international =
      absl::ConsumePrefix(&given, "+86") || absl::ConsumePrefix(&given, "0086");
  given = absl::StripLeadingAsciiWhitespace(given);
  // After the country code a landline drops its area code's 0.
  const std::string national =
      international && !given.empty() && given[0] != '1'
          ? absl::StrCat("0", given)
          : std::string(given);
  absl::string_view v = national;
  // An extension: after 转 (UTF-8), or after a '-' that follows a whole
  // landline number (told apart below, by length).
  if (size_t at = v.find("转"); at != absl::string_view::npos) {
    *extension = std::string(v.substr(at + std::string("转").size()));
    v = v.substr(0, at);
    if (!AllDigits(*extension)) return false;
  }
  std::string groups;  // digits, with '|' where a '-' was
  for (char c : v) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      groups += c;
    } else if (c == '-') {
      groups += '|';
    } else if (c != ' ') {
      return false;
    }
  }
  // A landline's last group of 1..5 digits after at least 10 digits is an
  // extension: 0571-87654321-802.
  if (extension->empty()) {
    const size_t last = groups.rfind('|');
    if (last != std::string::npos) {
      std::string before = groups.substr(0, last);
      before.erase(std::remove(before.begin(), before.end(), '|'),
                   before.end());
      const std::string after = groups.substr(last + 1);
      if (before.size() >= 10 && before[0] == '0' && !after.empty() &&
          after.size() <= 5) {
        *extension = after;
        groups = groups.substr(0, last);
      }
    }
  }
  for (char c : groups) {
    if (c != '|') *digits += c;
  }
  return !digits->empty();
}

}  // namespace

absl::Status CheckText(absl::string_view field, absl::string_view value,
                       size_t max, bool required) {
  if (required && value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  if (value.size() > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is ", value.size(), " bytes; the limit is ", max));
  }
  return absl::OkStatus();
}

absl::StatusOr<ledger::v1::LineDefaults> CheckLine(
    absl::string_view at, const ledger::v1::WasteLine& line) {
  ledger::v1::LineDefaults defaults;
  namespace l = ledger::v1;
  CRADLE_ASSIGN_OR_RETURN(
      const WasteCode* code,
      WasteCatalogue::Builtin().Lookup(absl::StrCat(at, ".code"), line.code()));
  if (line.name().empty()) defaults.set_name(code->name);
  if (!line.packaging().empty()) {
    CRADLE_RETURN_IF_ERROR(
        LookupPackaging(absl::StrCat(at, ".packaging"), line.packaging())
            .status());
  }
  if (line.package_count() < 0 || line.package_count() > kMaxPackages) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, ".package_count ", line.package_count(),
                     " must be 0..", kMaxPackages));
  }
  CRADLE_RETURN_IF_ERROR(
      CheckText(absl::StrCat(at, ".name"), line.name(), kMaxTextBytes, false));
  CRADLE_RETURN_IF_ERROR(CheckText(absl::StrCat(at, ".common_name"),
                                   line.common_name(), kMaxTextBytes, false));
  CRADLE_RETURN_IF_ERROR(CheckText(absl::StrCat(at, ".constituents"),
                                   line.constituents(), kMaxTextBytes, false));
  CRADLE_RETURN_IF_ERROR(CheckText(absl::StrCat(at, ".precautions"),
                                   line.precautions(), kMaxTextBytes, false));

  // Hazards: each once, then at least the catalogue's.
  CRADLE_ASSIGN_OR_RETURN(
      const uint8_t declared,
      DeclaredHazards(absl::StrCat(at, ".hazards"), line.hazards()));
  CRADLE_ASSIGN_OR_RETURN(
      const uint8_t hazards,
      LineHazards(absl::StrCat(at, ".hazards"), *code, declared));
  if (declared == 0) {
    for (int h : HazardCharacteristics(hazards)) {
      defaults.add_hazards(static_cast<l::HazardCharacteristic>(h));
    }
  }

  if (!l::PhysicalForm_IsValid(line.form())) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, ".form ", line.form(), " is no physical form"));
  }
  if (!l::TransferPurpose_IsValid(line.purpose())) {
    return absl::InvalidArgumentError(absl::StrCat(
        at, ".purpose ", line.purpose(), " is no purpose of a transfer"));
  }
  if (line.dg_class().empty() != line.un_number().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, line.dg_class().empty() ? ".dg_class" : ".un_number",
                     " is required with ", at,
                     line.dg_class().empty() ? ".un_number" : ".dg_class",
                     ": dangerous goods carry both, other loads neither"));
  }
  if (!line.dg_class().empty()) {
    CRADLE_RETURN_IF_ERROR(ValidateDangerousGoodsClass(
        absl::StrCat(at, ".dg_class"), line.dg_class()));
    CRADLE_RETURN_IF_ERROR(
        ValidateUnNumber(absl::StrCat(at, ".un_number"), line.un_number()));
  }
  return defaults;
}

absl::Status CheckDispatch(const ledger::v1::Dispatch& dispatch, bool backfill,
                           absl::CivilDay today) {
  CRADLE_RETURN_IF_ERROR(CheckText("dispatch.contact", dispatch.contact(),
                                   kMaxShortTextBytes, false));
  if (!dispatch.contact_mobile().empty()) {
    CRADLE_RETURN_IF_ERROR(ValidatePhone("dispatch.contact_mobile",
                                         dispatch.contact_mobile(),
                                         PhoneKind::kMobile));
  }
  if (!dispatch.emergency_phone().empty()) {
    CRADLE_RETURN_IF_ERROR(ValidatePhone("dispatch.emergency_phone",
                                         dispatch.emergency_phone(),
                                         PhoneKind::kAny));
  }
  CRADLE_RETURN_IF_ERROR(
      CheckText("dispatch.address", dispatch.address(), kMaxTextBytes, false));
  if (!dispatch.planned_date().empty()) {
    CRADLE_ASSIGN_OR_RETURN(
        absl::CivilDay planned,
        ParseDate("dispatch.planned_date", dispatch.planned_date()));
    if (planned < today - 366 || planned > today + 366) {
      return absl::InvalidArgumentError(
          absl::StrCat("dispatch.planned_date ", dispatch.planned_date(),
                       " must be within a year of today (",
                       absl::FormatCivilTime(today), ")"));
    }
  }
  CRADLE_RETURN_IF_ERROR(
      CheckRecordNumber("dispatch.plan_number", dispatch.plan_number(), false));
  if (!ledger::v1::BackfillType_IsValid(dispatch.backfill())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dispatch.backfill ", dispatch.backfill(), " is no back-fill type"));
  }
  if (dispatch.backfill() != ledger::v1::BACKFILL_TYPE_UNSPECIFIED &&
      !backfill) {
    return absl::InvalidArgumentError(
        "dispatch.backfill is only for a back-fill of a paper manifest: give "
        "paper_date, the day the trip left on paper");
  }
  return absl::OkStatus();
}

absl::Status CheckRecordNumber(absl::string_view field, absl::string_view value,
                               bool required) {
  CRADLE_RETURN_IF_ERROR(CheckText(field, value, kMaxShortTextBytes, required));
  if (value.empty()) return absl::OkStatus();
  bool blank = true;
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Invalid(field, value, "holds a control character");
    }
    blank &= u == ' ';
  }
  if (blank) return Invalid(field, value, "is blank");
  return absl::OkStatus();
}

absl::StatusOr<uint8_t> DeclaredHazards(
    absl::string_view field,
    const google::protobuf::RepeatedField<int>& characteristics) {
  uint8_t declared = 0;
  for (int h : characteristics) {
    const uint8_t bit = HazardBit(h);
    if (bit == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " holds ", h, ", which is no hazard characteristic"));
    }
    if ((declared & bit) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " lists ", FormatHazards(bit), " twice"));
    }
    declared |= bit;
  }
  return declared;
}

std::vector<int> HazardCharacteristics(uint8_t bits) {
  std::vector<int> out;
  for (int h = 1; h <= 5; ++h) {
    if ((bits & HazardBit(h)) != 0) out.push_back(h);
  }
  return out;
}

absl::StatusOr<uint8_t> LineHazards(absl::string_view field,
                                    const WasteCode& code, uint8_t declared) {
  if ((declared & ~kAllHazards) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " holds bits that are no hazard characteristic"));
  }
  if (declared == 0) return code.hazards;
  const uint8_t missing = code.hazards & ~declared;
  if (missing != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(FormatHazards(declared)), " leaves out ",
                     FormatHazards(missing), ": the catalogue lists ",
                     FormatHazards(code.hazards), " for ", code.code,
                     ", and a line declares at least those"));
  }
  return declared;
}

absl::Status ValidateDangerousGoodsClass(absl::string_view field,
                                         absl::string_view value) {
  static constexpr absl::string_view kClasses[] = {
      "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3",
      "4.1", "4.2", "4.3", "5.1", "5.2", "6.1", "6.2", "7",   "8",   "9"};
  absl::string_view v = value;
  // Explosives carry a compatibility group: A-H, J, K, L, N, S.
  if (absl::StartsWith(v, "1.") && v.size() == 4 &&
      absl::string_view("ABCDEFGHJKLNS").find(v[3]) !=
          absl::string_view::npos) {
    v = v.substr(0, 3);
  }
  for (absl::string_view c : kClasses) {
    if (v == c) return absl::OkStatus();
  }
  return Invalid(field, value,
                 "is not a dangerous-goods class or division of GB 6944 "
                 "(1.1-1.6 with an optional compatibility group, 2.1-2.3, 3, "
                 "4.1-4.3, 5.1, 5.2, 6.1, 6.2, 7, 8, 9)");
}

absl::Status ValidateUnNumber(absl::string_view field,
                              absl::string_view value) {
  absl::string_view v = value;
  if (!absl::ConsumePrefix(&v, "UN") || v.size() != 4 || !AllDigits(v) ||
      v == "0000") {
    return Invalid(field, value,
                   "is not a UN number: UN and four digits, e.g. UN1993");
  }
  return absl::OkStatus();
}

absl::Status ValidatePhone(absl::string_view field, absl::string_view value,
                           PhoneKind kind) {
  std::string digits, extension;
  if (!PhoneDigits(value, &digits, &extension)) {
    return Invalid(field, value,
                   "is not a telephone number: digits, with spaces or '-' "
                   "between them");
  }
  const bool mobile = digits.size() == 11 && digits[0] == '1' &&
                      digits[1] >= '3' && digits[1] <= '9' && extension.empty();
  if (kind == PhoneKind::kMobile) {
    if (mobile) return absl::OkStatus();
    return Invalid(field, value,
                   "is not a mobile number: 11 digits starting 13-19, e.g. "
                   "13812345678");
  }
  const bool landline =
      digits[0] == '0' && digits.size() >= 10 && digits.size() <= 12;
  const bool service =
      (absl::StartsWith(digits, "400") || absl::StartsWith(digits, "800")) &&
      digits.size() == 10 && extension.empty();
  if (mobile || landline || service) return absl::OkStatus();
  return Invalid(field, value,
                 "is not a telephone number: a mobile (13812345678), a "
                 "landline with its area code (0571-87654321) or a 400/800 "
                 "number");
}

}  // namespace cradle::domain
