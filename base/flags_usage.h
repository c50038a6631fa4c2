#pragma once

// `--help` of Cradle's programs lists the flags each defines. Abseil's
// default lists only flags of a file named after the program (cradled.cc,
// cradled_main.cc): Cradle's mains are named for their role
// (services/server_main.cc), and --help said "No flags matched". Link
// absl::flags_config.

#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"

namespace cradle {

// Call before absl::ParseCommandLine: --help and --helpshort list every flag
// but abseil's own (--flagfile and the like, which --helpfull still shows).
inline void ShowOwnFlagsInHelp() {
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view file) {
    return !absl::StrContains(file, "absl/");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  absl::SetFlagsUsageConfig(config);
}

}  // namespace cradle
