#pragma once

// Command-line words for cradlectl. absl/flags cannot repeat a flag
// (`--waste A --waste B`) nor scope flags to a subcommand, both of which the
// CLI contract needs, so cradlectl parses its words here, strictly: an unknown
// flag, a missing value or a stray word is an error naming it.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::clients {

struct FlagSpec {
  std::string name;        // without dashes
  std::string value_name;  // empty: a boolean switch
  std::string help;
  bool repeated = false;
  bool required = false;
};

struct ParsedArgs {
  std::vector<std::string> positional;
  std::multimap<std::string, std::string> flags;

  bool Has(absl::string_view name) const;
  // The value of a single-valued flag, or `fallback`.
  std::string Get(absl::string_view name,
                  absl::string_view fallback = "") const;
  std::vector<std::string> GetAll(absl::string_view name) const;
};

// Parses `words` (after the command's own words) against `specs`. Accepts
// --name value, --name=value and --switch; "--" ends the flags.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& words,
                                     const std::vector<FlagSpec>& specs);

// "  --name VALUE   help" lines for a command's --help.
std::string FlagsHelp(const std::vector<FlagSpec>& specs);

}  // namespace cradle::clients
