#include "domain/consultation.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "domain/division.h"
#include "domain/record.h"
#include "domain/registry.h"
#include "domain/waste_catalogue.h"

namespace cradle::domain {
namespace {

constexpr size_t kMaxNoteBytes = 4000;
constexpr int64_t kMaxWhiteListKg = int64_t{100} * 1000 * 1000 * 1000;

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

std::string Province(const v1::Enterprise& e) {
  return e.division().substr(0, 2);
}

std::string Bureau(absl::string_view province) {
  return absl::StrCat("regulator:", province);
}

// The bureau of `province`: a regulator credential of exactly the
// province. A city's or county's office reads, and does not decide.
bool IsBureauOf(const Principal& who, absl::string_view province) {
  return who.kind == v1::CREDENTIAL_KIND_REGULATOR &&
         who.jurisdiction == province;
}

bool IsApplicant(const Principal& who, const v1::Consultation& c) {
  return who.kind == v1::CREDENTIAL_KIND_PARTY &&
         who.enterprise == c.application().generator();
}

bool HasAnyRole(const v1::Enterprise& e,
                std::initializer_list<v1::Role> roles) {
  for (int r : e.roles()) {
    for (v1::Role want : roles) {
      if (r == want) return true;
    }
  }
  return false;
}

// The application's own fields: its terms and the note.
absl::Status CheckApplication(const v1::TransferApplication& a) {
  CRADLE_RETURN_IF_ERROR(CheckTransferTerms("application", a.codes(),
                                            a.method(), a.quantity_kg(),
                                            a.valid_from(), a.valid_until()));
  if (a.note().size() > kMaxNoteBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("application.note is ", a.note().size(),
                     " bytes; the limit is ", kMaxNoteBytes));
  }
  return absl::OkStatus();
}

// Which actions each stage allows its holder (the applicant may withdraw
// at any stage before a decision, and complete an incomplete one).
std::set<v1::ConsultationAction> HolderActions(v1::ConsultationStage stage) {
  switch (stage) {
    case v1::CONSULTATION_STAGE_APPLIED:
      return {v1::CONSULTATION_ACTION_ACCEPT,
              v1::CONSULTATION_ACTION_NOTIFY_MISSING,
              v1::CONSULTATION_ACTION_REFUSE};
    case v1::CONSULTATION_STAGE_INCOMPLETE:
      return {v1::CONSULTATION_ACTION_COMPLETE};
    case v1::CONSULTATION_STAGE_REVIEW:
      return {v1::CONSULTATION_ACTION_SEND_LETTER,
              v1::CONSULTATION_ACTION_APPROVE, v1::CONSULTATION_ACTION_REFUSE};
    case v1::CONSULTATION_STAGE_CONSULTING:
      return {v1::CONSULTATION_ACTION_AGREE, v1::CONSULTATION_ACTION_DISAGREE};
    case v1::CONSULTATION_STAGE_DECISION:
      return {v1::CONSULTATION_ACTION_APPROVE, v1::CONSULTATION_ACTION_REFUSE};
    default:
      return {};
  }
}

bool NeedsText(v1::ConsultationAction action) {
  return action == v1::CONSULTATION_ACTION_NOTIFY_MISSING ||
         action == v1::CONSULTATION_ACTION_DISAGREE ||
         action == v1::CONSULTATION_ACTION_REFUSE;
}

bool Took(const v1::Consultation& c, v1::ConsultationAction action) {
  return std::any_of(
      c.steps().begin(), c.steps().end(),
      [&](const v1::ConsultationStep& s) { return s.action() == action; });
}

// The receiving bureau's reply, the last one given.
v1::ConsultationAction LastReply(const v1::Consultation& c) {
  for (int i = c.steps_size() - 1; i >= 0; --i) {
    const v1::ConsultationAction a = c.steps(i).action();
    if (a == v1::CONSULTATION_ACTION_AGREE ||
        a == v1::CONSULTATION_ACTION_DISAGREE) {
      return a;
    }
  }
  return v1::CONSULTATION_ACTION_UNSPECIFIED;
}

v1::ConsultationStage StageAfter(v1::ConsultationAction action,
                                 v1::ConsultationStage stage) {
  switch (action) {
    case v1::CONSULTATION_ACTION_APPLY:
    case v1::CONSULTATION_ACTION_COMPLETE:
      return v1::CONSULTATION_STAGE_APPLIED;
    case v1::CONSULTATION_ACTION_NOTIFY_MISSING:
      return v1::CONSULTATION_STAGE_INCOMPLETE;
    case v1::CONSULTATION_ACTION_ACCEPT:
      return v1::CONSULTATION_STAGE_REVIEW;
    case v1::CONSULTATION_ACTION_SEND_LETTER:
      return v1::CONSULTATION_STAGE_CONSULTING;
    case v1::CONSULTATION_ACTION_AGREE:
    case v1::CONSULTATION_ACTION_DISAGREE:
      return v1::CONSULTATION_STAGE_DECISION;
    case v1::CONSULTATION_ACTION_APPROVE:
      return v1::CONSULTATION_STAGE_APPROVED;
    case v1::CONSULTATION_ACTION_REFUSE:
      return v1::CONSULTATION_STAGE_REFUSED;
    case v1::CONSULTATION_ACTION_WITHDRAW:
      return v1::CONSULTATION_STAGE_WITHDRAWN;
    default:
      return stage;
  }
}

// The approval an APPROVE issues: the application's terms from the later
// of the period's first day and the decision's, to the earlier of its last
// day and the receiver's licence's (Art. 27).
absl::StatusOr<v1::Approval> ApprovalFor(const v1::Consultation& c,
                                         const v1::Enterprise& receiver,
                                         absl::Time now) {
  const v1::TransferApplication& a = c.application();
  CRADLE_ASSIGN_OR_RETURN(absl::CivilDay from,
                          ParseDate("application.valid_from", a.valid_from()));
  CRADLE_ASSIGN_OR_RETURN(
      absl::CivilDay until,
      ParseDate("application.valid_until", a.valid_until()));
  from = std::max(from, absl::ToCivilDay(now, ChinaTime()));
  const absl::optional<absl::CivilDay> licence = LicenceEnd(receiver);
  if (licence.has_value()) until = std::min(until, *licence);
  if (!licence.has_value() || until < from) {
    return absl::FailedPreconditionError(absl::StrCat(
        "consultation ", c.number(), ": the receiver's licence ",
        licence.has_value()
            ? absl::StrCat("ends ", absl::FormatCivilTime(*licence))
            : std::string("is missing"),
        ", before the approval would begin (", absl::FormatCivilTime(from),
        "): refuse it, or let the applicant withdraw"));
  }
  v1::Approval out;
  out.set_number(c.number());
  out.set_generator(a.generator());
  out.set_receiver(a.receiver());
  *out.mutable_codes() = a.codes();
  out.set_method(a.method());
  out.set_quantity_kg(a.quantity_kg());
  out.set_valid_from(absl::FormatCivilTime(from));
  out.set_valid_until(absl::FormatCivilTime(until));
  return out;
}

}  // namespace

std::string FormatConsultationNumber(absl::string_view origin,
                                     absl::string_view destination, int year,
                                     int sequence) {
  char seq[16];
  std::snprintf(seq, sizeof(seq), "%06d", sequence);
  return absl::StrCat(origin, destination, "-", year, "-", seq);
}

absl::StatusOr<ConsultationNumber> ParseConsultationNumber(
    absl::string_view field, absl::string_view text) {
  ConsultationNumber n;
  const bool shaped = text.size() == 16 && text[4] == '-' && text[9] == '-' &&
                      AllDigits(text.substr(0, 4)) &&
                      AllDigits(text.substr(5, 4)) &&
                      AllDigits(text.substr(10, 6));
  if (!shaped || !absl::SimpleAtoi(text.substr(5, 4), &n.year) ||
      !absl::SimpleAtoi(text.substr(10, 6), &n.sequence) || n.sequence == 0 ||
      text.substr(0, 2) == text.substr(2, 2)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " ", Quote(text),
        " is not a consultation number (<origin province><destination "
        "province>-<year>-<6 digits>, e.g. 3332-2026-000017)"));
  }
  n.origin = std::string(text.substr(0, 2));
  n.destination = std::string(text.substr(2, 2));
  return n;
}

std::string HolderOf(const v1::Consultation& c) {
  switch (c.stage()) {
    case v1::CONSULTATION_STAGE_APPLIED:
    case v1::CONSULTATION_STAGE_REVIEW:
    case v1::CONSULTATION_STAGE_DECISION:
      return Bureau(c.origin_province());
    case v1::CONSULTATION_STAGE_CONSULTING:
      return Bureau(c.destination_province());
    case v1::CONSULTATION_STAGE_INCOMPLETE:
      return c.application().generator();
    default:
      return "";
  }
}

int StageLimit(v1::ConsultationStage stage) {
  switch (stage) {
    case v1::CONSULTATION_STAGE_APPLIED:   // Art. 22: accept, or notify
    case v1::CONSULTATION_STAGE_REVIEW:    // Art. 23: preliminary review
    case v1::CONSULTATION_STAGE_DECISION:  // Art. 25: the decision
      return 5;
    case v1::CONSULTATION_STAGE_CONSULTING:  // Art. 24: the reply
      return 10;
    default:
      return 0;
  }
}

bool IsFinished(v1::ConsultationStage stage) {
  return stage == v1::CONSULTATION_STAGE_APPROVED ||
         stage == v1::CONSULTATION_STAGE_REFUSED ||
         stage == v1::CONSULTATION_STAGE_WITHDRAWN;
}

std::string StageName(v1::ConsultationStage stage) {
  std::string name = v1::ConsultationStage_Name(stage);
  constexpr absl::string_view kPrefix = "CONSULTATION_STAGE_";
  return name.size() > kPrefix.size() ? name.substr(kPrefix.size()) : name;
}

std::string ActionName(v1::ConsultationAction action) {
  std::string name = v1::ConsultationAction_Name(action);
  constexpr absl::string_view kPrefix = "CONSULTATION_ACTION_";
  return name.size() > kPrefix.size() ? name.substr(kPrefix.size()) : name;
}

absl::StatusOr<ConsultationDecision> DecideApplyForTransfer(
    const v1::ApplyForTransferRequest& request, const domain::Principal& who,
    const v1::Enterprise& generator, const v1::Enterprise& receiver,
    absl::string_view number, absl::Time now) {
  const v1::TransferApplication& a = request.application();
  CRADLE_RETURN_IF_ERROR(
      CheckActsFor(who, "application.generator", a.generator()));
  if (!HasAnyRole(generator, {v1::ROLE_GENERATOR, v1::ROLE_COLLECTOR})) {
    return absl::FailedPreconditionError(
        absl::StrCat("application.generator ", generator.id(),
                     " is not registered as GENERATOR or COLLECTOR"));
  }
  if (!HasAnyRole(receiver, {v1::ROLE_RECEIVER})) {
    return absl::FailedPreconditionError(
        absl::StrCat("application.receiver ", receiver.id(),
                     " is not registered as RECEIVER"));
  }
  if (Province(generator) == Province(receiver)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "application.receiver ", receiver.id(), " is in province ",
        Province(receiver),
        ", the generator's own: the procedure is for transfers between "
        "provinces"));
  }
  CRADLE_RETURN_IF_ERROR(CheckApplication(a));
  const absl::optional<absl::CivilDay> licence = LicenceEnd(receiver);
  CRADLE_ASSIGN_OR_RETURN(const absl::CivilDay from,
                          ParseDate("application.valid_from", a.valid_from()));
  if (!licence.has_value() || *licence < from) {
    return absl::FailedPreconditionError(
        absl::StrCat("application.receiver ", receiver.id(),
                     " holds no licence running on application.valid_from ",
                     a.valid_from()));
  }
  ConsultationDecision d;
  ledger::v1::ConsultationApplied* applied = d.event.mutable_applied();
  *applied = Transcribe<ledger::v1::ConsultationApplied>(request);
  d.event.set_number(std::string(number));
  d.event.set_by(who.Scope());
  *d.event.mutable_decided_at() = ToTimestamp(now);
  ApplyConsultationEvent(d.event, &d.next);
  return d;
}

absl::StatusOr<ConsultationDecision> DecideActOnConsultation(
    const v1::ActOnConsultationRequest& request, const domain::Principal& who,
    const v1::Consultation& c, const ConsultationFacts& facts, absl::Time now) {
  const v1::ConsultationAction action = request.action();
  if (action == v1::CONSULTATION_ACTION_UNSPECIFIED ||
      action == v1::CONSULTATION_ACTION_APPLY ||
      !v1::ConsultationAction_IsValid(action)) {
    return absl::InvalidArgumentError(
        "action: one of NOTIFY_MISSING, COMPLETE, ACCEPT, SEND_LETTER, "
        "AGREE, DISAGREE, APPROVE, REFUSE, WITHDRAW");
  }
  if (request.text().size() > kMaxConsultationText) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is ", request.text().size(), " bytes; the limit is ",
                     kMaxConsultationText));
  }
  if (NeedsText(action) && request.text().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is required for ", ActionName(action),
                     action == v1::CONSULTATION_ACTION_NOTIFY_MISSING
                         ? ": everything missing, in one notice (Art. 22)"
                         : ": the reasons"));
  }
  if (action != v1::CONSULTATION_ACTION_COMPLETE && request.has_application()) {
    return absl::InvalidArgumentError(
        "application: only COMPLETE amends the application");
  }
  const std::string where =
      absl::StrCat("consultation ", c.number(), " is ", StageName(c.stage()));
  if (IsFinished(c.stage())) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": nothing more can be done on it"));
  }
  if (action == v1::CONSULTATION_ACTION_WITHDRAW) {
    if (!IsApplicant(who, c)) {
      return absl::PermissionDeniedError(
          absl::StrCat("only the applicant, ", c.application().generator(),
                       ", may withdraw consultation ", c.number()));
    }
  } else {
    // A bureau holds the other stages: its Scope() is the holder.
    const std::string holder = HolderOf(c);
    const bool holds = c.stage() == v1::CONSULTATION_STAGE_INCOMPLETE
                           ? IsApplicant(who, c)
                           : who.kind == v1::CREDENTIAL_KIND_REGULATOR &&
                                 who.Scope() == holder;
    if (!holds) {
      return absl::PermissionDeniedError(
          absl::StrCat(where, ", held by ", holder, ": ", who.Scope(),
                       " may not ", ActionName(action), " it"));
    }
    if (HolderActions(c.stage()).count(action) == 0) {
      std::vector<std::string> allowed;
      for (v1::ConsultationAction a : HolderActions(c.stage())) {
        allowed.push_back(ActionName(a));
      }
      return absl::FailedPreconditionError(absl::StrCat(
          where, ": ", ActionName(action), " is not a step of it (it takes ",
          absl::StrJoin(allowed, ", "), ")"));
    }
  }
  ConsultationDecision d;
  if (action == v1::CONSULTATION_ACTION_NOTIFY_MISSING &&
      Took(c, v1::CONSULTATION_ACTION_NOTIFY_MISSING)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "consultation ", c.number(),
        ": what is missing was notified once already; Art. 22 allows one "
        "notice of everything missing: accept the application or refuse it"));
  }
  if (action == v1::CONSULTATION_ACTION_COMPLETE) {
    const v1::TransferApplication& amended = request.application();
    if (!request.has_application()) {
      return absl::InvalidArgumentError(
          "application is required for COMPLETE: the application as "
          "amended");
    }
    if (amended.generator() != c.application().generator() ||
        amended.receiver() != c.application().receiver()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "application.generator and application.receiver stay ",
          c.application().generator(), " and ", c.application().receiver(),
          ": another receiver is another application"));
    }
    CRADLE_RETURN_IF_ERROR(CheckApplication(amended));
  }
  if (action == v1::CONSULTATION_ACTION_APPROVE) {
    if (facts.receiver == nullptr) {
      return absl::InternalError("APPROVE needs the receiver's record");
    }
    if (c.stage() == v1::CONSULTATION_STAGE_REVIEW) {
      // No letter was sent: only a white list lets the origin decide alone.
      if (facts.white_list == nullptr) {
        return absl::FailedPreconditionError(
            absl::StrCat(where, ": provinces ", c.origin_province(), " and ",
                         c.destination_province(),
                         " have no white list for this year; send the letter "
                         "(SEND_LETTER) and decide on the reply"));
      }
      CRADLE_RETURN_IF_ERROR(
          CheckCoveredByWhiteList(c.application(), *facts.white_list));
      d.event.set_white_list(facts.white_list->number());
    } else if (LastReply(c) != v1::CONSULTATION_ACTION_AGREE) {
      return absl::FailedPreconditionError(absl::StrCat(
          where,
          ": the receiving province's bureau did not agree; the "
          "transfer cannot be approved (REFUSE, giving the reasons)"));
    }
    CRADLE_ASSIGN_OR_RETURN(v1::Approval approval,
                            ApprovalFor(c, *facts.receiver, now));
    *d.event.mutable_approval() = Transcribe<ledger::v1::Approval>(approval);
  }
  *d.event.mutable_acted() = Transcribe<ledger::v1::ConsultationActed>(request);
  d.event.set_by(who.Scope());
  *d.event.mutable_decided_at() = ToTimestamp(now);
  d.next = c;
  d.next.clear_deadline();
  ApplyConsultationEvent(d.event, &d.next);
  return d;
}

void ApplyConsultationEvent(const ledger::v1::ConsultationEvent& event,
                            v1::Consultation* c) {
  const google::protobuf::Timestamp& at = event.decided_at();
  v1::ConsultationStep* step = c->add_steps();
  step->set_by(event.by());
  *step->mutable_at() = at;
  v1::ConsultationAction action = v1::CONSULTATION_ACTION_UNSPECIFIED;
  switch (event.kind_case()) {
    case ledger::v1::ConsultationEvent::kApplied: {
      action = v1::CONSULTATION_ACTION_APPLY;
      c->set_number(event.number());
      *c->mutable_application() =
          Transcribe<v1::TransferApplication>(event.applied().application());
      // Clipped: the check before a number is taken decides with none.
      c->set_origin_province(
          std::string(absl::ClippedSubstr(event.number(), 0, 2)));
      c->set_destination_province(
          std::string(absl::ClippedSubstr(event.number(), 2, 2)));
      step->set_text(c->application().note());
      break;
    }
    case ledger::v1::ConsultationEvent::kActed: {
      const ledger::v1::ConsultationActed& acted = event.acted();
      action = static_cast<v1::ConsultationAction>(acted.action());
      step->set_text(acted.text());
      if (action == v1::CONSULTATION_ACTION_COMPLETE) {
        *c->mutable_application() =
            Transcribe<v1::TransferApplication>(acted.application());
      }
      if (action == v1::CONSULTATION_ACTION_APPROVE) {
        *c->mutable_approval() = Transcribe<v1::Approval>(event.approval());
        c->set_white_list(event.white_list());
      }
      break;
    }
    case ledger::v1::ConsultationEvent::KIND_NOT_SET:
      break;
  }
  step->set_action(action);
  c->set_stage(StageAfter(action, c->stage()));
  c->set_holder(HolderOf(*c));
  *c->mutable_stage_since() = at;
  c->set_version(c->version() + 1);
}

v1::ConsultationDeadline DeadlineOf(const v1::Consultation& c,
                                    const WorkCalendar& calendar,
                                    absl::Time now) {
  v1::ConsultationDeadline out;
  const int limit = StageLimit(c.stage());
  out.set_working_days(limit);
  if (limit == 0) return out;
  const absl::CivilDay start =
      absl::ToCivilDay(FromTimestamp(c.stage_since()), ChinaTime());
  absl::StatusOr<absl::CivilDay> due = calendar.AddWorkingDays(start, limit);
  if (!due.ok()) {
    out.set_undated(std::string(due.status().message()));
    return out;
  }
  out.set_due(absl::FormatCivilTime(*due));
  out.set_overdue(absl::ToCivilDay(now, ChinaTime()) > *due);
  return out;
}

absl::Status CheckConsultationReader(const domain::Principal& who,
                                     const v1::Consultation& c) {
  switch (who.kind) {
    case v1::CREDENTIAL_KIND_PARTY:
      if (who.enterprise == c.application().generator() ||
          who.enterprise == c.application().receiver()) {
        return absl::OkStatus();
      }
      break;
    case v1::CREDENTIAL_KIND_REGULATOR:
      for (const std::string& p :
           {c.origin_province(), c.destination_province()}) {
        // The province's offices, or a regulator over it.
        if (absl::StartsWith(who.jurisdiction, p) ||
            absl::StartsWith(p, who.jurisdiction)) {
          return absl::OkStatus();
        }
      }
      break;
    default:
      break;
  }
  return absl::PermissionDeniedError(
      absl::StrCat("consultation ", c.number(),
                   " is read by its applicant, its receiver "
                   "and the regulators of provinces ",
                   c.origin_province(), " and ", c.destination_province(),
                   "; not by ", who.Scope()));
}

std::string WhiteListNumber(absl::string_view origin,
                            absl::string_view destination, int year) {
  return absl::StrCat(origin, destination, "-", year);
}

absl::StatusOr<WhiteListDecision> DecideFileWhiteList(
    const v1::FileWhiteListRequest& request, const domain::Principal& who,
    const v1::WhiteList* existing, absl::Time now) {
  const v1::WhiteList& w = request.white_list();
  for (const auto& [field, p] :
       {std::pair<const char*, const std::string&>{"white_list.origin_province",
                                                   w.origin_province()},
        {"white_list.destination_province", w.destination_province()}}) {
    if (!IsProvinceCode(p)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", Quote(p),
                       " is not a province code (2 "
                       "digits)"));
    }
  }
  if (w.origin_province() == w.destination_province()) {
    return absl::InvalidArgumentError(
        "white_list.destination_province is the origin's: a white list is "
        "of two provinces");
  }
  if (!IsBureauOf(who, w.destination_province())) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a white list is filed by the destination province's bureau (",
        Bureau(w.destination_province()),
        "), whose consultation it waives; not by ", who.Scope()));
  }
  const int this_year =
      static_cast<int>(absl::ToCivilDay(now, ChinaTime()).year());
  if (w.year() != this_year && w.year() != this_year + 1) {
    return absl::InvalidArgumentError(absl::StrCat("white_list.year ", w.year(),
                                                   " must be ", this_year,
                                                   " or ", this_year + 1));
  }
  const std::string number =
      WhiteListNumber(w.origin_province(), w.destination_province(), w.year());
  if (!w.number().empty() && w.number() != number) {
    return absl::InvalidArgumentError(absl::StrCat("white_list.number ",
                                                   Quote(w.number()),
                                                   " must be empty "
                                                   "or ",
                                                   number, ", the server's"));
  }
  if (w.items().empty() || w.items_size() > kMaxWhiteListItems) {
    return absl::InvalidArgumentError(
        absl::StrCat("white_list.items: 1 to ", kMaxWhiteListItems, " items"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < w.items_size(); ++i) {
    const std::string field = absl::StrCat("white_list.items[", i, "]");
    const v1::WhiteListItem& item = w.items(i);
    CRADLE_RETURN_IF_ERROR(
        CheckCodeOrCategory(absl::StrCat(field, ".code"), item.code()));
    if (!seen.insert(item.code()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".code ", item.code(), " is listed twice"));
    }
    if (item.max_kg() < 0 || item.max_kg() > kMaxWhiteListKg) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".max_kg ",
                                                     item.max_kg(),
                                                     " must be 0 (no "
                                                     "cap) to ",
                                                     kMaxWhiteListKg));
    }
  }
  WhiteListDecision d;
  *d.event.mutable_white_list_filed() =
      Transcribe<ledger::v1::WhiteListFiled>(request);
  d.event.set_number(number);
  *d.event.mutable_decided_at() = ToTimestamp(now);
  d.event.set_version(existing == nullptr ? 1 : existing->version() + 1);
  d.next = FiledWhiteList(d.event);
  return d;
}

v1::WhiteList FiledWhiteList(const ledger::v1::RegistryEvent& event) {
  v1::WhiteList w =
      Transcribe<v1::WhiteList>(event.white_list_filed().white_list());
  w.set_number(event.number());
  *w.mutable_filed_at() = event.decided_at();
  w.set_version(event.version());
  return w;
}

absl::Status CheckCoveredByWhiteList(const v1::TransferApplication& a,
                                     const v1::WhiteList& list) {
  for (const std::string& code : a.codes()) {
    const v1::WhiteListItem* found = nullptr;
    for (const v1::WhiteListItem& item : list.items()) {
      if (item.code() == code ||
          (code.size() != 4 && item.code() == WasteCategoryOf(code))) {
        found = &item;
        break;
      }
    }
    if (found == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "white list ", list.number(), " does not list ", code,
          ": send the letter (SEND_LETTER) and decide on the reply"));
    }
    if (found->max_kg() > 0 && a.quantity_kg() > found->max_kg()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "white list ", list.number(), " lists ", found->code(), " up to ",
          found->max_kg(), " kg an application; this one asks for ",
          a.quantity_kg(), " kg: send the letter (SEND_LETTER)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace cradle::domain
