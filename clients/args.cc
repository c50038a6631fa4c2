#include "clients/args.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "base/quote.h"
#include "base/utf8.h"

namespace cradle::clients {

bool ParsedArgs::Has(absl::string_view name) const {
  return flags.count(std::string(name)) > 0;
}

std::string ParsedArgs::Get(absl::string_view name,
                            absl::string_view fallback) const {
  auto it = flags.find(std::string(name));
  return it == flags.end() ? std::string(fallback) : it->second;
}

std::vector<std::string> ParsedArgs::GetAll(absl::string_view name) const {
  std::vector<std::string> out;
  auto [begin, end] = flags.equal_range(std::string(name));
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& words,
                                     const std::vector<FlagSpec>& specs) {
  ParsedArgs out;
  bool flags_done = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (flags_done || !absl::StartsWith(w, "--")) {
      if (const size_t at = InvalidUtf8At(w); at != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            "argument ", out.positional.size() + 1,
            " is not UTF-8 text (byte 0x",
            absl::Hex(static_cast<unsigned char>(w[at]), absl::kZeroPad2),
            " at ", at, ")"));
      }
      out.positional.push_back(w);
      continue;
    }
    if (w == "--") {
      flags_done = true;
      continue;
    }
    std::string name = w.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown flag ", Quote(absl::StrCat("--", name)), " (see --help)"));
    }
    if (spec->value_name.empty()) {
      if (has_value) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " takes no value"));
      }
      value = "true";
    } else if (!has_value) {
      if (i + 1 >= words.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--", name, " needs a value: --", name, " ", spec->value_name));
      }
      value = words[++i];
    }
    if (const size_t at = InvalidUtf8At(value); at != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", name, ": the value is not UTF-8 text (byte 0x",
          absl::Hex(static_cast<unsigned char>(value[at]), absl::kZeroPad2),
          " at ", at, ")"));
    }
    if (!spec->repeated && out.Has(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " is given twice"));
    }
    out.flags.emplace(name, value);
  }
  for (const FlagSpec& s : specs) {
    if (s.required && !out.Has(s.name) && !out.Has("help")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", s.name, " ", s.value_name, " is required (see --help)"));
    }
  }
  return out;
}

std::string FlagsHelp(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const FlagSpec& s : specs) {
    std::string left = absl::StrCat("--", s.name);
    if (!s.value_name.empty()) absl::StrAppend(&left, " ", s.value_name);
    absl::StrAppend(&out, absl::StrFormat("  %-28s %s%s%s\n", left, s.help,
                                          s.required ? " (required)" : "",
                                          s.repeated ? " (repeatable)" : ""));
  }
  return out;
}

}  // namespace cradle::clients
