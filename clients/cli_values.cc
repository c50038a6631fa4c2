#include "clients/cli_values.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/legal_form.h"
#include "domain/lifecycle.h"
#include "domain/names.h"
#include "domain/quantity.h"
#include "domain/waste_catalogue.h"

namespace cradle::clients {
namespace {

absl::StatusOr<int32_t> ParseLineNumber(absl::string_view flag,
                                        absl::string_view text) {
  CRADLE_ASSIGN_OR_RETURN(
      int64_t n,
      ParseWholeNumber(flag, "line number", text, 1, domain::kMaxWasteLines));
  return static_cast<int32_t>(n);
}

}  // namespace

absl::StatusOr<int64_t> ParseWholeNumber(absl::string_view flag,
                                         absl::string_view what,
                                         absl::string_view text, int64_t min,
                                         int64_t max) {
  const std::string at = absl::StrCat(flag, ": ", what, " ");
  if (text.empty()) return absl::InvalidArgumentError(at + "is empty");
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, Quote(text), " is not a whole number (digits only)"));
    }
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(text, &n) || n > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, text.size() > 20 ? Quote(text) : std::string(text),
                     " is more than ", max));
  }
  if (n < min) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, n, " is less than ", min));
  }
  return n;
}

absl::StatusOr<v1::WasteLine> ParseWasteSpec(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() != 2 && parts.size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("--waste ", Quote(text),
                     " is not CODE:QTY or CODE:QTY:PACKAGING:COUNT (e.g. "
                     "900-249-08:1.25t:drum:10)"));
  }
  v1::WasteLine line;
  line.set_code(parts[0]);
  // "sum": the line's containers' weights (--line-field N:containers=...).
  if (parts[1] != "sum") {
    absl::StatusOr<int64_t> grams =
        domain::ParseQuantityGrams("--waste", parts[1]);
    if (!grams.ok()) return grams.status();
    line.set_quantity_g(*grams);
  }
  if (parts.size() == 4) {
    line.set_packaging(parts[2]);
    CRADLE_ASSIGN_OR_RETURN(
        int64_t count, ParseWholeNumber("--waste", "package count", parts[3], 0,
                                        std::numeric_limits<int32_t>::max()));
    line.set_package_count(static_cast<int32_t>(count));
  }
  return line;
}

namespace {

// --FLAG N:KEY=VALUE, as ApplyLineField and ApplyReceiptCheck take it.
struct LineField {
  int32_t line;
  std::string key;
  std::string value;
  std::string word;  // the value as an enum's short name: "SEMI_SOLID"
};

absl::StatusOr<LineField> ParseLineField(absl::string_view flag,
                                         absl::string_view text,
                                         absl::string_view example) {
  const size_t colon = text.find(':');
  const size_t equals = text.find('=');
  if (colon == absl::string_view::npos || equals == absl::string_view::npos ||
      equals < colon) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", Quote(text), " is not N:KEY=VALUE (e.g. ", example, ")"));
  }
  LineField f;
  CRADLE_ASSIGN_OR_RETURN(f.line, ParseLineNumber(flag, text.substr(0, colon)));
  f.key = std::string(text.substr(colon + 1, equals - colon - 1));
  f.value = std::string(text.substr(equals + 1));
  // "semi-solid" and "SEMI_SOLID" alike.
  f.word = absl::AsciiStrToUpper(f.value);
  std::replace(f.word.begin(), f.word.end(), '-', '_');
  return f;
}

absl::Status BadValue(absl::string_view flag, absl::string_view text,
                      const LineField& f, absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(
      flag, " ", Quote(text), ": ", Quote(f.value), " is not ", expected));
}

// Sets `form` or `hazards` from a line field of key "form" or "hazards";
// false for another key.
template <typename Line>
absl::StatusOr<bool> ApplyFormOrHazards(absl::string_view flag,
                                        absl::string_view text,
                                        const LineField& f, Line* line) {
  if (f.key == "form") {
    v1::PhysicalForm form;
    if (!domain::ParseShortName(f.word, &form) ||
        form == v1::PHYSICAL_FORM_UNSPECIFIED) {
      return BadValue(flag, text, f, "solid, semi-solid, liquid or gas");
    }
    line->set_form(form);
    return true;
  }
  if (f.key == "hazards") {
    absl::StatusOr<uint8_t> bits = domain::ParseHazards(flag, f.value);
    if (!bits.ok()) {
      return BadValue(flag, text, f,
                      "hazard letters T, C, I, R, In (e.g. T,I)");
    }
    line->clear_hazards();
    for (int h : domain::HazardCharacteristics(*bits)) {
      line->add_hazards(static_cast<v1::HazardCharacteristic>(h));
    }
    return true;
  }
  return false;
}

}  // namespace

absl::Status ApplyLineField(absl::string_view text,
                            v1::OpenManifestRequest* request) {
  constexpr absl::string_view kFlag = "--line-field";
  CRADLE_ASSIGN_OR_RETURN(const LineField f,
                          ParseLineField(kFlag, text, "1:form=liquid"));
  if (f.line > request->lines_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFlag, " ", Quote(text), ": there is no line ", f.line,
                     " (", request->lines_size(), " given with --waste)"));
  }
  v1::WasteLine* line = request->mutable_lines(f.line - 1);
  CRADLE_ASSIGN_OR_RETURN(const bool done,
                          ApplyFormOrHazards(kFlag, text, f, line));
  if (done) return absl::OkStatus();
  if (f.key == "name") {
    line->set_name(f.value);
  } else if (f.key == "common-name") {
    line->set_common_name(f.value);
  } else if (f.key == "constituents") {
    line->set_constituents(f.value);
  } else if (f.key == "precautions") {
    line->set_precautions(f.value);
  } else if (f.key == "containers") {
    for (absl::string_view code : absl::StrSplit(f.value, ',')) {
      line->add_containers(std::string(absl::StripAsciiWhitespace(code)));
    }
  } else if (f.key == "weighed-in-bulk") {
    if (f.value != "yes" && f.value != "no") {
      return BadValue(kFlag, text, f, "yes or no");
    }
    line->set_weighed_in_bulk(f.value == "yes");
  } else if (f.key == "dg-class") {
    line->set_dg_class(f.value);
  } else if (f.key == "un") {
    line->set_un_number(f.value);
  } else if (f.key == "purpose") {
    v1::TransferPurpose purpose;
    if (!domain::ParseShortName(f.word, &purpose) ||
        purpose == v1::TRANSFER_PURPOSE_UNSPECIFIED) {
      return BadValue(kFlag, text, f, "utilise, dispose or store");
    }
    line->set_purpose(purpose);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(kFlag, " ", Quote(text), ": ", Quote(f.key),
                     " is not a line field (name, common-name, hazards, form, "
                     "constituents, precautions, purpose, dg-class, un, "
                     "containers, weighed-in-bulk)"));
  }
  return absl::OkStatus();
}

absl::Status ApplyReceiptCheck(absl::string_view text,
                               v1::ReceiveRequest* request) {
  constexpr absl::string_view kFlag = "--check";
  CRADLE_ASSIGN_OR_RETURN(const LineField f,
                          ParseLineField(kFlag, text, "1:form=liquid"));
  v1::LineReceipt* receipt = nullptr;
  for (v1::LineReceipt& r : *request->mutable_lines()) {
    if (r.line() == f.line && receipt == nullptr) receipt = &r;
  }
  if (receipt == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(kFlag, " ", Quote(text), ": line ", f.line,
                     " is not received here; give --line ", f.line,
                     ":accept|reject:QTY first"));
  }
  CRADLE_ASSIGN_OR_RETURN(const bool done,
                          ApplyFormOrHazards(kFlag, text, f, receipt));
  if (done) return absl::OkStatus();
  if (f.key == "packaging") {
    receipt->set_packaging(f.value);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(kFlag, " ", Quote(text), ": ", Quote(f.key),
                   " is not checked on arrival (form, packaging, hazards)"));
}

absl::StatusOr<v1::BackfillType> ParseBackfillType(absl::string_view text) {
  std::string word = absl::AsciiStrToUpper(text);
  std::replace(word.begin(), word.end(), '-', '_');
  v1::BackfillType type;
  if (!domain::ParseShortName(word, &type) ||
      type == v1::BACKFILL_TYPE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("--backfill ", Quote(text),
                     " is not ordinary, emergency, special or cross-border"));
  }
  return type;
}

absl::StatusOr<std::vector<v1::CrewRole>> ParseCrewRoles(
    absl::string_view text) {
  std::vector<v1::CrewRole> roles;
  for (const std::string& r : ParseList(text)) {
    v1::CrewRole role;
    if (!domain::ParseShortName(absl::AsciiStrToUpper(r), &role) ||
        role == v1::CREW_ROLE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("--roles ", Quote(r),
                       " is not driver or escort (e.g. driver,escort)"));
    }
    roles.push_back(role);
  }
  return roles;
}

absl::StatusOr<v1::LineReceipt> ParseReceiptLine(absl::string_view text) {
  std::vector<std::string> parts =
      absl::StrSplit(text, absl::MaxSplits(':', 3));
  if (parts.size() < 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--line ", Quote(text),
        " is not N:accept|reject:QTY[:REASON] (e.g. 1:accept:800kg)"));
  }
  v1::LineReceipt r;
  absl::StatusOr<int32_t> n = ParseLineNumber("--line", parts[0]);
  if (!n.ok()) return n.status();
  r.set_line(*n);
  const std::string decision = absl::AsciiStrToLower(parts[1]);
  if (decision == "accept") {
    r.set_decision(v1::LineReceipt::DECISION_ACCEPT);
  } else if (decision == "reject") {
    r.set_decision(v1::LineReceipt::DECISION_REJECT);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("--line ", Quote(text), ": ",
                                                   Quote(parts[1]),
                                                   " is not accept or reject"));
  }
  absl::StatusOr<int64_t> grams =
      domain::ParseQuantityGrams("--line", parts[2]);
  if (!grams.ok()) return grams.status();
  r.set_quantity_g(*grams);
  if (parts.size() == 4) r.set_reason(parts[3]);
  return r;
}

absl::StatusOr<v1::LineDisposal> ParseDisposalLine(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--line ", Quote(text), " is not N:METHOD:QTY (e.g. 1:D10:800kg)"));
  }
  v1::LineDisposal d;
  absl::StatusOr<int32_t> n = ParseLineNumber("--line", parts[0]);
  if (!n.ok()) return n.status();
  d.set_line(*n);
  d.set_method(parts[1]);
  absl::StatusOr<int64_t> grams =
      domain::ParseQuantityGrams("--line", parts[2]);
  if (!grams.ok()) return grams.status();
  d.set_quantity_g(*grams);
  return d;
}

absl::StatusOr<v1::Position> ParsePosition(absl::string_view text,
                                           absl::string_view flag) {
  std::vector<std::string> parts = absl::StrSplit(text, ',');
  double lat = 0, lon = 0;
  if (parts.size() != 2 || !absl::SimpleAtod(parts[0], &lat) ||
      !absl::SimpleAtod(parts[1], &lon) || !std::isfinite(lat) ||
      !std::isfinite(lon)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", Quote(text),
                     " is not LAT,LON in degrees (e.g. 30.75,120.76)"));
  }
  if (lat < -90 || lat > 90) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", Quote(text), ": latitude ", Quote(parts[0]),
                     " is outside -90..90"));
  }
  if (lon < -180 || lon > 180) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", Quote(text), ": longitude ", Quote(parts[1]),
                     " is outside -180..180"));
  }
  v1::Position p;
  p.set_lat(lat);
  p.set_lon(lon);
  return p;
}

absl::StatusOr<std::vector<v1::Position>> ParseRoute(absl::string_view text) {
  std::vector<v1::Position> route;
  for (absl::string_view part :
       absl::StrSplit(text, absl::ByAnyChar("; "), absl::SkipEmpty())) {
    absl::StatusOr<v1::Position> p = ParsePosition(part, "--route");
    if (!p.ok()) return p.status();
    route.push_back(*p);
  }
  if (route.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("--route ", Quote(text),
                     " needs 2 or more LAT,LON positions separated by ';': "
                     "origin, places passed through, destination"));
  }
  return route;
}

absl::StatusOr<std::vector<v1::TrackPoint>> ParseTrackCsv(
    absl::string_view name, absl::string_view text) {
  std::vector<v1::TrackPoint> points;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f =
        absl::StrSplit(line, ',', absl::SkipWhitespace());
    if (line_no == 1 && !f.empty() && f[0] == "time") continue;  // header
    const std::string at = absl::StrCat(name, ":", line_no);
    if (f.size() != 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ": ", Quote(line), " is not time,lat,lon,speed_kmh"));
    }
    v1::TrackPoint p;
    int64_t unix_seconds = 0;
    absl::Time t;
    std::string err;
    const std::string time(absl::StripAsciiWhitespace(f[0]));
    if (absl::SimpleAtoi(time, &unix_seconds)) {
      p.set_time(unix_seconds);
    } else if (absl::ParseTime(absl::RFC3339_full, time, &t, &err)) {
      p.set_time(absl::ToUnixSeconds(t));
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ": time ", Quote(time),
                       " is neither RFC 3339 (2026-12-03T09:30:00+08:00) nor "
                       "Unix seconds"));
    }
    absl::StatusOr<v1::Position> pos =
        ParsePosition(absl::StrCat(absl::StripAsciiWhitespace(f[1]), ",",
                                   absl::StripAsciiWhitespace(f[2])),
                      at);
    if (!pos.ok()) return pos.status();
    p.set_lat_e6(static_cast<int32_t>(std::llround(pos->lat() * 1e6)));
    p.set_lon_e6(static_cast<int32_t>(std::llround(pos->lon() * 1e6)));
    double kmh = 0;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(f[3]), &kmh) ||
        !std::isfinite(kmh) || kmh < 0 || kmh > 250) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ": speed ", Quote(f[3]), " is not 0..250 km/h"));
    }
    p.set_speed_dkmh(static_cast<uint32_t>(std::llround(kmh * 10)));
    points.push_back(p);
  }
  if (points.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " holds no points (time,lat,lon,speed_kmh lines)"));
  }
  return points;
}

absl::StatusOr<std::vector<v1::Role>> ParseRoles(absl::string_view text) {
  std::vector<v1::Role> roles;
  for (const std::string& word : ParseList(text)) {
    v1::Role role;
    if (!domain::ParseShortName(word, &role) || role == v1::ROLE_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--roles: ", Quote(word),
          " is not a role (generator, collector, transporter, receiver)"));
    }
    roles.push_back(role);
  }
  return roles;
}

absl::StatusOr<int64_t> ParseTonnesAsKg(absl::string_view flag,
                                        absl::string_view text) {
  // Digits, and at most three decimals: whole kilograms.
  const size_t dot = text.find('.');
  const absl::string_view whole = text.substr(0, dot);
  const absl::string_view fraction =
      dot == absl::string_view::npos ? "" : text.substr(dot + 1);
  bool digits =
      !whole.empty() && (dot == absl::string_view::npos || !fraction.empty());
  for (char c : whole)
    digits &= absl::ascii_isdigit(static_cast<unsigned char>(c));
  for (char c : fraction) {
    digits &= absl::ascii_isdigit(static_cast<unsigned char>(c));
  }
  if (!digits) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", Quote(text),
                     " is not a number of tonnes (e.g. 5000 or 12.5)"));
  }
  if (fraction.size() > 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", Quote(text),
        " is not a whole number of kilograms: at most 3 decimals"));
  }
  absl::StatusOr<int64_t> grams =
      domain::ParseQuantityGrams(flag, absl::StrCat(text, "t"));
  if (!grams.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", Quote(text), " tonnes is more than the limit of ",
        domain::FormatGrams(domain::kMaxQuantityGrams)));
  }
  return *grams / 1000;
}

std::vector<std::string> ParseList(absl::string_view text) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

absl::StatusOr<v1::ManifestStatus> ParseStatus(absl::string_view text) {
  v1::ManifestStatus status;
  if (!domain::ParseShortName(text, &status) ||
      status == v1::MANIFEST_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--status ", Quote(text),
        " is not a status (draft, issued, in_transit, "
        "delivered, accepted, partially_accepted, rejected, disposed, closed, "
        "cancelled)"));
  }
  return status;
}

absl::StatusOr<int64_t> ParseAmountFen(absl::string_view text) {
  const absl::Status bad = absl::InvalidArgumentError(absl::StrCat(
      "--amount ", Quote(text),
      " is not an amount in CNY with at most 2 decimals (e.g. 3800.50)"));
  std::vector<std::string> parts = absl::StrSplit(text, '.');
  if (parts.empty() || parts.size() > 2 || parts[0].empty()) return bad;
  for (const std::string& part : parts) {
    for (char c : part) {
      if (c < '0' || c > '9') return bad;
    }
  }
  if (parts.size() == 2 && (parts[1].empty() || parts[1].size() > 2)) {
    return bad;
  }
  const size_t first = parts[0].find_first_not_of('0');
  const std::string digits =
      first == std::string::npos ? "0" : parts[0].substr(first);
  int64_t yuan = 0;
  if (digits.size() > 12 || !absl::SimpleAtoi(digits, &yuan) ||
      yuan > domain::kMaxPaymentFen / 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("--amount ", Quote(text), " is more than the limit of ",
                     domain::kMaxPaymentFen / 100, " CNY"));
  }
  int64_t fen = 0;
  if (parts.size() == 2) {
    const std::string& f = parts[1];
    fen = (f[0] - '0') * 10 + (f.size() == 2 ? f[1] - '0' : 0);
  }
  const int64_t total = yuan * 100 + fen;
  if (total <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--amount ", Quote(text), " is not more than 0"));
  }
  if (total > domain::kMaxPaymentFen) {
    return absl::InvalidArgumentError(
        absl::StrCat("--amount ", Quote(text), " is more than the limit of ",
                     domain::kMaxPaymentFen / 100, " CNY"));
  }
  return total;
}

absl::StatusOr<v1::FlagKind> ParseFlagKind(absl::string_view text) {
  v1::FlagKind kind;
  if (!domain::ParseShortName(text, &kind) ||
      kind == v1::FLAG_KIND_UNSPECIFIED) {
    std::vector<std::string> kinds;
    const google::protobuf::EnumDescriptor* d = v1::FlagKind_descriptor();
    for (int i = 0; i < d->value_count(); ++i) {
      if (d->value(i)->number() == v1::FLAG_KIND_UNSPECIFIED) continue;
      kinds.push_back(
          absl::AsciiStrToLower(domain::ShortName(*d, d->value(i)->number())));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("--kind ", Quote(text), " is not a flag kind (",
                     absl::StrJoin(kinds, ", "), ")"));
  }
  return kind;
}

absl::StatusOr<v1::FlagState> ParseFlagState(absl::string_view text) {
  v1::FlagState state;
  if (!domain::ParseShortName(text, &state) ||
      state == v1::FLAG_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--state ", Quote(text), " is not open, acked, resolved or cleared"));
  }
  return state;
}

std::string FormatQuantity(int64_t grams) { return domain::FormatGrams(grams); }

}  // namespace cradle::clients
