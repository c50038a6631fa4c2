// cradlectl's value parsers and its argument parser: any text gets a value
// or an error naming the flag, never a crash, and the error never grows with
// the text (a long value is quoted short).

#include <string>
#include <vector>

#include "absl/strings/str_split.h"

#include "clients/args.h"
#include "clients/cli_values.h"
#include "domain/flags/flag_config.h"
#include "domain/quantity.h"
#include "domain/registry.h"
#include "tests/fuzz/fuzz_target.h"

namespace cradle::fuzz {

std::vector<std::string> Seeds() {
  return {
      "\x00"
      "900-249-08:1.25t:drum:10",
      "\x01"
      "1:accept:800kg",
      "\x01"
      "2:reject:200kg:drums leaking",
      "\x02"
      "1:D10:1.5t",
      "\x03"
      "30.75,120.76",
      "\x04"
      "5000.5",
      "\x05"
      "3800.50",
      "\x06"
      "42",
      "\x07"
      "1.25t",
      "\x08"
      "2026-11-23",
      "\x09"
      "5wd",
      "\x0a"
      "--waste\0a\0--json\0N1",
      "\x0b"
      "generator,receiver",
      "\x0c"
      "in_transit",
      "\x0d"
      "cross_city"};
}

}  // namespace cradle::fuzz

namespace {

void Bounded(const absl::Status& s) {
  FUZZ_CHECK(s.message().size() < 700, s.ToString().substr(0, 300));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cradle;
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 14) {
    case 0:
      Bounded(clients::ParseWasteSpec(text).status());
      break;
    case 1:
      Bounded(clients::ParseReceiptLine(text).status());
      break;
    case 2:
      Bounded(clients::ParseDisposalLine(text).status());
      break;
    case 3:
      Bounded(clients::ParsePosition(text).status());
      break;
    case 4:
      Bounded(clients::ParseTonnesAsKg("--capacity-t", text).status());
      break;
    case 5:
      Bounded(clients::ParseAmountFen(text).status());
      break;
    case 6:
      Bounded(clients::ParseWholeNumber("--limit", "limit", text, 1, 1000000)
                  .status());
      break;
    case 7: {
      absl::StatusOr<int64_t> g = domain::ParseQuantityGrams("--waste", text);
      if (g.ok()) {
        // What is formatted parses back to the same grams.
        absl::StatusOr<int64_t> again =
            domain::ParseQuantityGrams("q", domain::FormatGrams(*g));
        FUZZ_CHECK(again.ok() && *again == *g, text);
      } else {
        Bounded(g.status());
      }
      break;
    }
    case 8:
      Bounded(domain::ParseDate("valid_until", text).status());
      break;
    case 9:
      Bounded(domain::ParseLimit("--transit-limit", text).status());
      break;
    case 10: {
      std::vector<std::string> words = absl::StrSplit(text, '\0');
      const std::vector<clients::FlagSpec> specs = {
          {"waste", "SPEC", "", true, false},
          {"json", "", ""},
          {"method", "CODE", ""}};
      Bounded(clients::ParseArgs(words, specs).status());
      break;
    }
    case 11:
      Bounded(clients::ParseRoles(text).status());
      break;
    case 12:
      Bounded(clients::ParseStatus(text).status());
      break;
    case 13:
      Bounded(clients::ParseFlagKind(text).status());
      break;
  }
  return 0;
}
