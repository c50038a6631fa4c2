#include "domain/revision_fields.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/waste_catalogue.h"

namespace cradle::domain {
namespace {

using S = v1::ManifestStatus;

inline constexpr absl::string_view kRegulatorVoice = "regulator:";

}  // namespace

const std::vector<S>& AnyOpenState() {
  static const auto* const kStates = new std::vector<S>{
      S::MANIFEST_STATUS_DRAFT,      S::MANIFEST_STATUS_ISSUED,
      S::MANIFEST_STATUS_IN_TRANSIT, S::MANIFEST_STATUS_DELIVERED,
      S::MANIFEST_STATUS_ACCEPTED,   S::MANIFEST_STATUS_PARTIALLY_ACCEPTED,
      S::MANIFEST_STATUS_REJECTED,   S::MANIFEST_STATUS_DISPOSED,
      S::MANIFEST_STATUS_CLOSED};
  return *kStates;
}

absl::StatusOr<Path> ParsePath(absl::string_view field,
                               absl::string_view path) {
  Path out;
  std::string row(path);
  if (absl::StartsWith(path, "lines[")) {
    const size_t close = path.find(']');
    int line = 0;
    if (close == absl::string_view::npos ||
        !absl::SimpleAtoi(path.substr(6, close - 6), &line) || line < 0 ||
        path.substr(6, close - 6) != absl::StrCat(line)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", Quote(path),
                       " is not a line field: write lines[N].name, N from 0"));
    }
    out.line = line;
    row = absl::StrCat("lines[]", path.substr(close + 1));
  }
  for (const RevisableField& f : RevisionTable()) {
    if (row == f.path) out.row = &f;
  }
  if (out.row == nullptr) {
    std::vector<std::string> paths;
    for (const RevisableField& f : RevisionTable()) paths.push_back(f.path);
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(path),
                     " is not a field a revision can change; one of: ",
                     absl::StrJoin(paths, ", ")));
  }
  return out;
}

namespace {

absl::StatusOr<int64_t> ParseCount(absl::string_view field,
                                   absl::string_view text) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(text, &n) || text != absl::StrCat(n)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(text), " is not a whole number"));
  }
  return n;
}

// SetValue for a line's field.
absl::Status SetLineValue(absl::string_view field, const Path& p,
                          absl::string_view to, v1::Manifest* m) {
  const std::string value(to);
  v1::Destination* dest =
      m->destinations().empty()
          ? nullptr
          : m->mutable_destinations(m->destinations_size() - 1);
  if (p.line >= m->lines_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": manifest ", m->number(), " has no line ", p.line,
                     " (0..", m->lines_size() - 1, ")"));
  }
  v1::WasteLine* line = m->mutable_lines(p.line);
  if (IsRow(p, "lines[].code")) {
    line->set_code(value);
  } else if (IsRow(p, "lines[].quantity_g")) {
    CRADLE_ASSIGN_OR_RETURN(int64_t grams, ParseCount(field, to));
    line->set_quantity_g(grams);
    // Until a reroute splits it, the load sent is the load declared.
    if (m->destinations_size() == 1 && !dest->received()) {
      dest->set_sent_g(p.line, grams);
    }
  } else if (IsRow(p, "lines[].packaging")) {
    line->set_packaging(value);
  } else if (IsRow(p, "lines[].package_count")) {
    CRADLE_ASSIGN_OR_RETURN(int64_t count, ParseCount(field, to));
    if (count < 0 || count > kMaxPackages) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " ", count, " packages: must be 0..", kMaxPackages));
    }
    line->set_package_count(static_cast<int32_t>(count));
  } else if (IsRow(p, "lines[].form")) {
    v1::PhysicalForm form = v1::PHYSICAL_FORM_UNSPECIFIED;
    if (!value.empty() && !ParseShortName(value, &form)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", Quote(value),
                       " is no physical form: SOLID, SEMI_SOLID, LIQUID or "
                       "GAS"));
    }
    line->set_form(form);
  } else if (IsRow(p, "lines[].hazards")) {
    CRADLE_ASSIGN_OR_RETURN(uint8_t bits, ParseHazards(field, to));
    line->clear_hazards();
    for (int h : HazardCharacteristics(bits)) {
      line->add_hazards(static_cast<v1::HazardCharacteristic>(h));
    }
  } else if (IsRow(p, "lines[].name")) {
    line->set_name(value);
  } else if (IsRow(p, "lines[].common_name")) {
    line->set_common_name(value);
  } else if (IsRow(p, "lines[].constituents")) {
    line->set_constituents(value);
  } else if (IsRow(p, "lines[].precautions")) {
    line->set_precautions(value);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SetValue(absl::string_view field, const Path& p,
                      absl::string_view to, absl::string_view division,
                      v1::Manifest* m) {
  const std::string value(to);
  v1::Destination* dest =
      m->destinations().empty()
          ? nullptr
          : m->mutable_destinations(m->destinations_size() - 1);
  if (p.line >= 0) return SetLineValue(field, p, to, m);
  v1::Dispatch* dispatch = m->mutable_dispatch();
  if (IsRow(p, "receiver")) {
    m->set_receiver(value);
    m->set_destination_division(std::string(division));
    if (dest != nullptr) {
      dest->set_receiver(value);
      dest->set_division(std::string(division));
    }
  } else if (IsRow(p, "carrier")) {
    m->set_carrier(value);
  } else if (IsRow(p, "method")) {
    m->set_method(value);
  } else if (IsRow(p, "vehicle")) {
    if (!m->legs().empty()) {
      m->mutable_legs(m->legs_size() - 1)->set_vehicle(value);
    }
  } else if (IsRow(p, "dispatch.contact")) {
    dispatch->set_contact(value);
  } else if (IsRow(p, "dispatch.contact_mobile")) {
    dispatch->set_contact_mobile(value);
  } else if (IsRow(p, "dispatch.emergency_phone")) {
    dispatch->set_emergency_phone(value);
  } else if (IsRow(p, "dispatch.address")) {
    dispatch->set_address(value);
  } else if (IsRow(p, "dispatch.planned_date")) {
    dispatch->set_planned_date(value);
  } else if (IsRow(p, "dispatch.plan_number")) {
    dispatch->set_plan_number(value);
  } else if (IsRow(p, "received_by")) {
    if (dest != nullptr) dest->set_received_by(value);
  } else if (IsRow(p, "outcome")) {
    if (dest != nullptr) dest->set_outcome(value);
  }
  return absl::OkStatus();
}

std::string TouchNames(unsigned bits) {
  std::vector<std::string> names;
  if (bits & kTouchGenerator) names.push_back("generator");
  if (bits & kTouchCarrier) names.push_back("carrier");
  if (bits & kTouchReceiver) names.push_back("receiver");
  if (bits & kTouchNamed) names.push_back("the party named");
  return names.empty() ? "-" : absl::StrJoin(names, ", ");
}

std::string StatusNames(const std::vector<S>& states) {
  if (states == AnyOpenState()) return "any but CANCELLED, VOIDED";
  std::vector<std::string> names;
  for (S s : states) names.push_back(ShortName(s));
  return absl::StrJoin(names, ", ");
}

const std::vector<RevisableField>& RevisionTable() {
  const unsigned kG = kTouchGenerator, kC = kTouchCarrier, kR = kTouchReceiver,
                 kN = kTouchNamed;
  const std::vector<S> before_pickup = {S::MANIFEST_STATUS_DRAFT,
                                        S::MANIFEST_STATUS_ISSUED};
  const std::vector<S> before_receipt = {
      S::MANIFEST_STATUS_DRAFT, S::MANIFEST_STATUS_ISSUED,
      S::MANIFEST_STATUS_IN_TRANSIT, S::MANIFEST_STATUS_DELIVERED};
  const std::vector<S> after_receipt = {
      S::MANIFEST_STATUS_ACCEPTED, S::MANIFEST_STATUS_PARTIALLY_ACCEPTED,
      S::MANIFEST_STATUS_REJECTED, S::MANIFEST_STATUS_DISPOSED,
      S::MANIFEST_STATUS_CLOSED};
  const char* kText = "text";
  static const auto* const kTable = new std::vector<RevisableField>{
      {"receiver", kG, kC | kN, before_pickup, false,
       "USCC of a registered receiver, not the generator"},
      {"carrier", kG, kN, before_pickup, false, "USCC of a registered carrier"},
      {"method", kG | kR, kG | kR, before_receipt, false,
       "a method code of the method table, or empty"},
      {"vehicle",
       kC,
       0,
       {S::MANIFEST_STATUS_IN_TRANSIT},
       false,
       "plate of a vehicle registered to the carrier (the current leg's)"},
      {"lines[].code", kG | kC | kR, kG | kC | kR, before_receipt, true,
       "a code of the catalogue"},
      {"lines[].quantity_g", kG | kC | kR, kG | kC | kR, before_receipt, true,
       "grams, 1..10^9"},
      {"lines[].packaging", kG | kC | kR, kG | kC | kR, before_receipt, true,
       "a word of the packaging vocabulary"},
      {"lines[].package_count", kG | kC | kR, kG | kC | kR, before_receipt,
       true, "0..100000"},
      {"lines[].form", kG | kC | kR, kG | kC | kR, before_receipt, true,
       "SOLID, SEMI_SOLID, LIQUID or GAS"},
      {"lines[].hazards", kG, kC | kR, before_receipt, false,
       "letters T, C, I, R, In (\"T,C\"), never fewer than the catalogue's"},
      {"lines[].constituents", kG, kC | kR, before_receipt, false, kText},
      {"lines[].precautions", kG, kC | kR, before_receipt, false, kText},
      {"lines[].name", kG, 0, AnyOpenState(), false, kText},
      {"lines[].common_name", kG, 0, AnyOpenState(), false, kText},
      {"dispatch.contact", kG, 0, AnyOpenState(), false, kText},
      {"dispatch.contact_mobile", kG, 0, AnyOpenState(), false,
       "a mobile number"},
      {"dispatch.emergency_phone", kG, 0, AnyOpenState(), false,
       "a phone number"},
      {"dispatch.address", kG, 0, AnyOpenState(), false, kText},
      {"dispatch.planned_date", kG, kC, before_pickup, false,
       "YYYY-MM-DD, within a year"},
      {"dispatch.plan_number", kG, 0, AnyOpenState(), false, "a filing number"},
      {"received_by", kR, 0, after_receipt, false,
       "the person who received (the current destination's)"},
      {"outcome", kR, 0, after_receipt, false,
       "the outcome sent back to the generator"},
  };
  return *kTable;
}

std::string RevisionTableMarkdown() {
  std::string out =
      "| field | proposed by | approved by | while | regulator after pickup "
      "| value |\n|---|---|---|---|---|---|\n";
  for (const RevisableField& f : RevisionTable()) {
    absl::StrAppend(&out, "| ", f.path, " | ", TouchNames(f.proposers), " | ",
                    TouchNames(f.approvers), " | ", StatusNames(f.states),
                    " | ", f.regulator_after_pickup ? "yes" : "no", " | ",
                    f.value, " |\n");
  }
  return out;
}

const std::vector<RevisionTransition>& RevisionStateTable() {
  using RS2 = v1::RevisionState;
  static const auto* const kTable = new std::vector<RevisionTransition>{
      {RevisionStep::kPropose,
       "propose",
       {},
       {RS2::REVISION_STATE_PENDING, RS2::REVISION_STATE_APPLIED},
       "a party the fields allow",
       "fields of the revision table, each with its value now; a reason; "
       "no other pending revision of the same field; APPLIED at once when "
       "it needs no approval"},
      {RevisionStep::kApprove,
       "approve",
       {RS2::REVISION_STATE_PENDING},
       {RS2::REVISION_STATE_PENDING, RS2::REVISION_STATE_APPLIED},
       "an approver, or a regulator where needed",
       "each approver once, before it lapses; the last approval applies it "
       "if its fields still hold the values proposed"},
      {RevisionStep::kRefuse,
       "refuse",
       {RS2::REVISION_STATE_PENDING},
       {RS2::REVISION_STATE_REFUSED},
       "an approver, or a regulator where needed",
       "a note saying why"},
      {RevisionStep::kWithdraw,
       "withdraw",
       {RS2::REVISION_STATE_PENDING},
       {RS2::REVISION_STATE_WITHDRAWN},
       "the proposer",
       "-"},
      {RevisionStep::kLapse,
       "lapse",
       {RS2::REVISION_STATE_PENDING},
       {RS2::REVISION_STATE_LAPSED},
       "the sweeper",
       "the lapse time (cradled --revision-lapse) has passed"},
  };
  return *kTable;
}

std::string RevisionStateTableMarkdown() {
  std::string out =
      "| step | from | to | by | needs |\n|---|---|---|---|---|\n";
  auto names = [](const std::vector<v1::RevisionState>& states) {
    std::vector<std::string> out;
    for (v1::RevisionState s : states) out.push_back(ShortName(s));
    return out.empty() ? std::string("(new)") : absl::StrJoin(out, " or ");
  };
  for (const RevisionTransition& t : RevisionStateTable()) {
    absl::StrAppend(&out, "| ", t.verb, " | ", names(t.from), " | ",
                    names(t.to), " | ", t.by, " | ", t.needs, " |\n");
  }
  return out;
}

std::string RevisionId(absl::string_view number, int n) {
  return absl::StrCat(number, "-R", n);
}

absl::StatusOr<RevisionRef> ParseRevisionId(absl::string_view field,
                                            absl::string_view id) {
  const size_t dash = id.rfind("-R");
  int n = 0;
  if (dash == absl::string_view::npos || dash == 0 ||
      !absl::SimpleAtoi(id.substr(dash + 2), &n) || n < 1 ||
      id.substr(dash + 2) != absl::StrCat(n)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", Quote(id), " is not a revision id (<number>-R<n>)"));
  }
  return RevisionRef{std::string(id.substr(0, dash)), n - 1};
}

absl::StatusOr<std::string> FieldValue(absl::string_view field,
                                       const v1::Manifest& m,
                                       absl::string_view path) {
  CRADLE_ASSIGN_OR_RETURN(Path p, ParsePath(field, path));
  if (p.line >= 0) {
    if (p.line >= m.lines_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": manifest ", m.number(), " has no line ",
                       p.line, " (0..", m.lines_size() - 1, ")"));
    }
    const v1::WasteLine& l = m.lines(p.line);
    if (IsRow(p, "lines[].code")) return l.code();
    if (IsRow(p, "lines[].quantity_g")) return absl::StrCat(l.quantity_g());
    if (IsRow(p, "lines[].packaging")) return l.packaging();
    if (IsRow(p, "lines[].package_count")) {
      return absl::StrCat(l.package_count());
    }
    if (IsRow(p, "lines[].form")) {
      return l.form() == v1::PHYSICAL_FORM_UNSPECIFIED ? std::string()
                                                       : ShortName(l.form());
    }
    if (IsRow(p, "lines[].hazards")) {
      return FormatHazards(HazardBits(l.hazards()));
    }
    if (IsRow(p, "lines[].name")) return l.name();
    if (IsRow(p, "lines[].common_name")) return l.common_name();
    if (IsRow(p, "lines[].constituents")) return l.constituents();
    return l.precautions();
  }
  const v1::Destination* dest =
      m.destinations().empty() ? nullptr
                               : &m.destinations(m.destinations_size() - 1);
  if (IsRow(p, "receiver")) return m.receiver();
  if (IsRow(p, "carrier")) return m.carrier();
  if (IsRow(p, "method")) return m.method();
  if (IsRow(p, "vehicle")) {
    return m.legs().empty() ? std::string()
                            : m.legs(m.legs_size() - 1).vehicle();
  }
  if (IsRow(p, "dispatch.contact")) return m.dispatch().contact();
  if (IsRow(p, "dispatch.contact_mobile")) {
    return m.dispatch().contact_mobile();
  }
  if (IsRow(p, "dispatch.emergency_phone")) {
    return m.dispatch().emergency_phone();
  }
  if (IsRow(p, "dispatch.address")) return m.dispatch().address();
  if (IsRow(p, "dispatch.planned_date")) return m.dispatch().planned_date();
  if (IsRow(p, "dispatch.plan_number")) return m.dispatch().plan_number();
  if (IsRow(p, "received_by")) {
    return dest == nullptr ? std::string() : dest->received_by();
  }
  return dest == nullptr ? std::string() : dest->outcome();
}

bool IsRegulatorVoice(absl::string_view by) {
  return absl::StartsWith(by, kRegulatorVoice) &&
         by.size() > kRegulatorVoice.size();
}

}  // namespace cradle::domain
