#pragma once

// Real-looking parties for tests: unified social credit codes with valid
// check characters, in real divisions.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

#include "cradle/v1/registry.pb.h"
#include "domain/uscc.h"

namespace cradle::testing {

// "91" + a 6-digit division + "MA" + 7 characters of `tail`, checked.
inline std::string MakeUscc(const std::string& division,
                            const std::string& tail) {
  std::string first17 = absl::StrCat("91", division, "MA", tail);
  first17.resize(17, '0');
  return first17 + *domain::UsccCheckCharacter(first17);
}

inline const std::string kGenerator = MakeUscc("330402", "2B3C4D5");  // 嘉兴
inline const std::string kCarrier = MakeUscc("330421", "2G5K6L7");    // 嘉善
inline const std::string kRelayCarrier = MakeUscc("330108", "2H3M4N5");
inline const std::string kThirdCarrier = MakeUscc("330110", "2J6P7Q8");
inline const std::string kReceiver = MakeUscc("330481", "2C7H8J9");  // 海宁
inline const std::string kAltReceiver = MakeUscc("330106", "2D1E2F3");  // 杭州
inline const std::string kCarrierPlate = "浙F12345";
inline const std::string kRelayPlate = "浙A54321";
inline const std::string kThirdPlate = "浙A66789";

// Wednesday 2026-06-03 09:00 China time, plus `minutes`: the day the
// domain's decision tests happen on.
inline absl::Time At(int minutes) {
  return absl::FromCivil(absl::CivilSecond(2026, 6, 3, 9, 0, 0),
                         absl::FixedTimeZone(8 * 3600)) +
         absl::Minutes(minutes);
}

// A registered enterprise `id` in `division` holding `role`, as the
// registry answers it to a decision.
inline v1::Enterprise MakeEnterprise(const std::string& id,
                                     const std::string& division,
                                     v1::Role role) {
  v1::Enterprise e;
  e.set_id(id);
  e.set_name(absl::StrCat("企业", id.substr(10, 4)));
  e.set_division(division);
  e.add_roles(role);
  e.set_version(1);
  return e;
}

}  // namespace cradle::testing
