#pragma once

// Checks for fields of the legal manifest form that the 2021
// 《危险废物转移管理办法》 makes the parties fill in (Art. 10, 11, 13;
// ../docs/LIFECYCLE.md lists each field with its owner step): a waste line's
// hazard characteristics against the catalogue, the dangerous-goods class
// and UN number of a load that is dangerous goods for transport, and the
// telephone numbers of the contact person and the emergency line. Each
// answers INVALID_ARGUMENT naming the field, the value and the rule.

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

#include "cradle/ledger/v1/events.pb.h"
#include "domain/waste_catalogue.h"

namespace cradle::domain {

// Free text of a form field: a note, a reason, a name.
inline constexpr size_t kMaxTextBytes = 500;
// A word or a short name: a packaging word, a person, a device.
inline constexpr size_t kMaxShortTextBytes = 64;
// Packages of one waste line.
inline constexpr int kMaxPackages = 100000;

// At most `max` bytes, and not empty when `required`.
absl::Status CheckText(absl::string_view field, absl::string_view value,
                       size_t max, bool required);

// Checks the generator's fields of waste line `at` ("lines[0]") beyond its
// quantity: the code (in the catalogue), the packaging (a word of the
// packaging vocabulary, domain/packaging.h) and count, (the code must be in the
// catalogue; checked before), and answers what the catalogue gives for what the
// line leaves unset: the name, and the hazard characteristics (a line that
// declares some declares at least the catalogue's). The decision records the
// answer beside the line, which stays as the generator signed it; a replay
// never consults the catalogue.
absl::StatusOr<ledger::v1::LineDefaults> CheckLine(
    absl::string_view at, const ledger::v1::WasteLine& line);

// Checks the generator's part of the form beyond its lines (field
// "dispatch"): the contact's mobile and the emergency line are telephone
// numbers, the planned date is within a year of `today`, the back-fill type
// is given only on a back-fill (`backfill`: the manifest has a paper date).
absl::Status CheckDispatch(const ledger::v1::Dispatch& dispatch, bool backfill,
                           absl::CivilDay today);

// A number or code of record (a filing number, a waybill, a permit): at
// most kMaxShortTextBytes, not blank, no control characters.
absl::Status CheckRecordNumber(absl::string_view field, absl::string_view value,
                               bool required);

// The Hazard bit of a HazardCharacteristic value (TOXICITY = 1 is T, ..,
// INFECTIVITY = 5 is In); 0 for any other number.
inline uint8_t HazardBit(int characteristic) {
  return characteristic >= 1 && characteristic <= 5
             ? static_cast<uint8_t>(1u << (characteristic - 1))
             : 0;
}

// The Hazard bits of a list of HazardCharacteristic values (a line's or a
// receipt's `hazards`); values that are no characteristic add none.
template <typename Values>
uint8_t HazardBits(const Values& characteristics) {
  uint8_t bits = 0;
  for (int h : characteristics) bits |= HazardBit(h);
  return bits;
}

// The Hazard bits of the characteristics a line or a receipt declares in
// `field`: each a characteristic, and each once.
absl::StatusOr<uint8_t> DeclaredHazards(
    absl::string_view field,
    const google::protobuf::RepeatedField<int>& characteristics);

// The HazardCharacteristic values of Hazard `bits`, in the order T, C, I,
// R, In.
std::vector<int> HazardCharacteristics(uint8_t bits);

// The hazard characteristics (T, C, I, R, In; Hazard bits) a line declares
// for waste `code`: `declared` when it holds at least every characteristic
// the catalogue lists for the code (a generator may declare more, never
// fewer), the catalogue's when `declared` is 0.
absl::StatusOr<uint8_t> LineHazards(absl::string_view field,
                                    const WasteCode& code, uint8_t declared);

// A dangerous-goods class or division as GB 6944-2012 (the UN Model
// Regulations) numbers them: "1.1".."1.6" (optionally with the compatibility
// group letter, "1.4S"), "2.1".."2.3", "3", "4.1".."4.3", "5.1", "5.2",
// "6.1", "6.2", "7", "8", "9".
absl::Status ValidateDangerousGoodsClass(absl::string_view field,
                                         absl::string_view value);

// A UN number: "UN" and four digits, not "UN0000" (GB 12268, the UN list).
absl::Status ValidateUnNumber(absl::string_view field, absl::string_view value);

enum class PhoneKind {
  kMobile,  // a mainland mobile number: 11 digits, 1[3-9]…
  kAny,     // a mobile, a landline with its area code (0571-87654321,
            // an extension after '-' or 转), or a 400/800 service number
};

// A mainland telephone number of `kind`. Spaces and '-' between digits are
// allowed, and a leading +86 or 0086.
absl::Status ValidatePhone(absl::string_view field, absl::string_view value,
                           PhoneKind kind);

}  // namespace cradle::domain
