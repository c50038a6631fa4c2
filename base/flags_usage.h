#pragma once

// `--help` of Cradle's programs lists the flags each defines. Abseil's
// default lists only flags of a file named after the program (cradled.cc,
// cradled_main.cc): Cradle's mains are named for their role
// (services/server_main.cc), and --help said "No flags matched". Link
// absl::flags_config.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
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

// absl::ParseCommandLine, taking --transit-limit as well as
// --transit_limit: flag names are written both ways in docs and scripts.
// For programs that take no positional arguments.
inline void ParseCommandLineWithDashes(int argc, char** argv) {
  std::vector<std::string> words(argv, argv + argc);
  std::vector<char*> normalized;
  for (std::string& w : words) {
    if (w.rfind("--", 0) == 0) {
      const size_t end = std::min(w.find('='), w.size());
      std::replace(w.begin() + 2, w.begin() + end, '-', '_');
    }
    normalized.push_back(w.data());
  }
  absl::ParseCommandLine(static_cast<int>(normalized.size()),
                         normalized.data());
}

}  // namespace cradle
