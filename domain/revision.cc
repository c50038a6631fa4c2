#include "domain/revision.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "domain/decision_checks.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/record.h"
#include "domain/revision_fields.h"
#include "domain/treatment_method.h"
#include "domain/waste_catalogue.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

using S = v1::ManifestStatus;

inline constexpr int kMaxChanges = 20;
inline constexpr int kMaxRevisions = 50;

// A time as people read it: China time, to the minute.
std::string When(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M", t, ChinaTime());
}

bool Ended(const v1::Manifest& m) {
  return m.status() == S::MANIFEST_STATUS_CANCELLED ||
         m.status() == S::MANIFEST_STATUS_VOIDED;
}

// The party `by` is on `m`, as Touch bits (a carrier may also receive).
unsigned TouchOf(const v1::Manifest& m, absl::string_view by) {
  unsigned bits = 0;
  if (by == m.generator()) bits |= kTouchGenerator;
  if (by == m.carrier()) bits |= kTouchCarrier;
  if (by == m.receiver()) bits |= kTouchReceiver;
  return bits;
}

// What the new value of a change means: a registered party, a method of
// the table, a vehicle of the carrier, text of sane length. The line and
// dispatch fields are checked on the revised manifest as open checks them.
absl::Status CheckNewValue(absl::string_view at, const Path& p,
                           const v1::FieldChange& change, const v1::Manifest& m,
                           const RegistryReader& registry,
                           std::string* division) {
  const std::string field = absl::StrCat(at, ".new_value");
  if (IsRow(p, "receiver")) {
    CRADLE_ASSIGN_OR_RETURN(
        v1::Enterprise e,
        RegisteredAs(registry, field, change.new_value(), {v1::ROLE_RECEIVER}));
    if (change.new_value() == m.generator()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " ", change.new_value(),
                       " is the generator: the receiver must differ"));
    }
    *division = e.division();
  } else if (IsRow(p, "carrier")) {
    CRADLE_RETURN_IF_ERROR(RegisteredAs(registry, field, change.new_value(),
                                        {v1::ROLE_TRANSPORTER})
                               .status());
  } else if (IsRow(p, "method")) {
    if (!change.new_value().empty()) {
      CRADLE_RETURN_IF_ERROR(LookupMethod(field, change.new_value()).status());
    }
  } else if (IsRow(p, "vehicle")) {
    CRADLE_ASSIGN_OR_RETURN(v1::Enterprise carrier,
                            registry.GetEnterprise("carrier", m.carrier()));
    CRADLE_RETURN_IF_ERROR(CheckVehicle(field, change.new_value(), carrier));
  } else if (IsRow(p, "received_by")) {
    CRADLE_RETURN_IF_ERROR(
        CheckText(field, change.new_value(), kMaxShortTextBytes, true));
  } else if (IsRow(p, "outcome")) {
    CRADLE_RETURN_IF_ERROR(
        CheckText(field, change.new_value(), kMaxTextBytes, true));
  }
  return absl::OkStatus();
}

// The revised manifest's lines and dispatch, checked as open checks them.
absl::Status CheckRevised(const v1::Manifest& revised,
                          const std::set<int>& lines, bool dispatch,
                          absl::Time now) {
  for (int i : lines) {
    const std::string at = absl::StrCat("lines[", i, "]");
    const ledger::v1::WasteLine line =
        Transcribe<ledger::v1::WasteLine>(revised.lines(i));
    CRADLE_RETURN_IF_ERROR(CheckLine(at, line).status());
    if (line.quantity_g() <= 0 || line.quantity_g() > kMaxLineGrams) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".quantity_g ", line.quantity_g(), " must be 1..",
                       kMaxLineGrams, " grams"));
    }
  }
  if (dispatch) {
    CRADLE_RETURN_IF_ERROR(CheckDispatch(
        Transcribe<ledger::v1::Dispatch>(revised.dispatch()),
        !revised.paper_date().empty(), absl::ToCivilDay(now, ChinaTime())));
  }
  return absl::OkStatus();
}

bool Answered(const v1::Revision& r, absl::string_view by) {
  for (const v1::RevisionAnswer& a : r.answers()) {
    if (a.by() == by) return true;
  }
  return false;
}

bool RegulatorApproved(const v1::Revision& r) {
  for (const v1::RevisionAnswer& a : r.answers()) {
    if (IsRegulatorVoice(a.by()) &&
        a.verdict() == v1::REVISION_VERDICT_APPROVE) {
      return true;
    }
  }
  return false;
}

// Whether `r` with one more approval by `by` has every approval it needs.
bool Complete(const v1::Revision& r, absl::string_view by) {
  for (const std::string& a : r.approvers()) {
    if (a != by && !Answered(r, a)) return false;
  }
  return !r.needs_regulator() || RegulatorApproved(r) || IsRegulatorVoice(by);
}

// The changes of `r` still apply to `m`: nothing changed them meanwhile and
// the manifest is still in a state each may change in.
absl::Status StillApplies(const v1::Manifest& m, const v1::Revision& r) {
  for (const v1::FieldChange& c : r.changes()) {
    CRADLE_ASSIGN_OR_RETURN(Path p, ParsePath("field", c.field()));
    if (std::find(p.row->states.begin(), p.row->states.end(), m.status()) ==
        p.row->states.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("revision ", r.id(), " can no longer apply: ", c.field(),
                       " may change only when ", StatusNames(p.row->states),
                       ", and manifest ", m.number(), " is now ",
                       ShortName(m.status()), "; withdraw it or let it lapse"));
    }
    CRADLE_ASSIGN_OR_RETURN(std::string now, FieldValue("field", m, c.field()));
    if (now != c.old_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "revision ", r.id(), " can no longer apply: ", c.field(), " is now ",
          Quote(now), ", not ", Quote(c.old_value()), " as proposed"));
    }
  }
  return absl::OkStatus();
}

v1::Revision* FindRevision(v1::Manifest* m, absl::string_view id) {
  for (v1::Revision& r : *m->mutable_revisions()) {
    if (r.id() == id) return &r;
  }
  return nullptr;
}

// FAILED_PRECONDITION unless the state table lets `step` leave `r`'s state.
absl::Status CheckRevisionState(const v1::Revision& r, RevisionStep step) {
  for (const RevisionTransition& t : RevisionStateTable()) {
    if (t.step != step) continue;
    if (std::find(t.from.begin(), t.from.end(), r.state()) != t.from.end()) {
      return absl::OkStatus();
    }
    std::vector<std::string> from;
    for (v1::RevisionState s : t.from) from.push_back(ShortName(s));
    return absl::FailedPreconditionError(
        absl::StrCat("cannot ", t.verb, " revision ", r.id(), ": it is ",
                     ShortName(r.state()), ", and ", t.verb, " needs ",
                     absl::StrJoin(from, " or ")));
  }
  return absl::InternalError("a revision step without a row");
}

// The open (unconfirmed) return of `m`, or null.
const v1::ManifestReturn* OpenReturn(const v1::Manifest& m) {
  if (m.returns().empty()) return nullptr;
  const v1::ManifestReturn& last = m.returns(m.returns_size() - 1);
  return last.confirmed() ? nullptr : &last;
}

absl::Status CheckRegulator(absl::string_view by, absl::string_view what) {
  if (by.empty()) {
    return absl::InvalidArgumentError("by is required");
  }
  if (!IsRegulatorVoice(by)) {
    return absl::PermissionDeniedError(
        absl::StrCat("by ", Quote(by),
                     " is not a regulator: only a "
                     "regulator of the manifest's jurisdiction may ",
                     what));
  }
  return absl::OkStatus();
}

// What a proposal's changes make of the manifest, and whom they touch.
struct Revised {
  v1::Manifest manifest;
  std::set<int> lines;  // lines changed
  bool dispatch = false;
  bool needs_regulator = false;
  unsigned approvers = 0;       // Touch bits
  std::set<std::string> named;  // parties the new values name
  std::string division;         // a new receiver's
};

// The fields a pending revision of `m` changes at `now`.
std::set<std::string> PendingFields(const v1::Manifest& m, absl::Time now) {
  std::set<std::string> fields;
  for (const v1::Revision& r : m.revisions()) {
    if (r.state() != v1::REVISION_STATE_PENDING ||
        now >= FromTimestamp(r.lapses_at())) {
      continue;
    }
    for (const v1::FieldChange& c : r.changes()) fields.insert(c.field());
  }
  return fields;
}

// May `by` (`proposer`, as Touch bits) change `c` (change `at`, row `p`)
// of `m` now, from the value it states?
absl::Status CheckChange(const v1::Manifest& m, absl::string_view at,
                         const Path& p, const v1::FieldChange& c,
                         absl::string_view by, unsigned proposer,
                         const std::set<std::string>& pending) {
  if (std::find(p.row->states.begin(), p.row->states.end(), m.status()) ==
      p.row->states.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat(at, ": ", c.field(), " may change only when ",
                     StatusNames(p.row->states), ", and manifest ", m.number(),
                     " is ", ShortName(m.status())));
  }
  if ((p.row->proposers & proposer) == 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(at, ": by ", by, " (", TouchNames(proposer),
                     ") may not propose a change of ", c.field(), "; the ",
                     TouchNames(p.row->proposers), " may"));
  }
  if (pending.count(c.field()) > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(at, ".field ", c.field(),
                     " has a pending revision already; it must be "
                     "answered, withdrawn or lapse first"));
  }
  if (p.line >= 0 && m.destinations_size() > 1 &&
      p.row->regulator_after_pickup) {
    return absl::FailedPreconditionError(
        absl::StrCat(at, ": ", c.field(),
                     " cannot change once part of the load was "
                     "rerouted: the receipts record what was carried"));
  }
  CRADLE_ASSIGN_OR_RETURN(std::string now_value,
                          FieldValue(absl::StrCat(at, ".field"), m, c.field()));
  if (c.old_value() != now_value) {
    return absl::FailedPreconditionError(absl::StrCat(
        at, ".old_value ", Quote(c.old_value()), " is not the value of ",
        c.field(), " now (", Quote(now_value), ")"));
  }
  if (c.new_value() == c.old_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, ".new_value is the value it has: nothing changes"));
  }
  return absl::OkStatus();
}

// Each change of `request` checked and made on a copy of `m`, which is
// then checked as open checks a manifest.
absl::StatusOr<Revised> ReviseFields(const v1::Manifest& m,
                                     const v1::ProposeRevisionRequest& request,
                                     unsigned proposer,
                                     const RegistryReader& registry,
                                     absl::Time now) {
  const std::set<std::string> pending = PendingFields(m, now);
  Revised out;
  out.manifest = m;
  std::set<std::string> seen;
  for (int k = 0; k < request.changes_size(); ++k) {
    const v1::FieldChange& c = request.changes(k);
    const std::string at = absl::StrCat("changes[", k, "]");
    CRADLE_ASSIGN_OR_RETURN(Path p, ParsePath(at + ".field", c.field()));
    if (!seen.insert(c.field()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ".field ", c.field(), " is changed twice in one revision"));
    }
    CRADLE_RETURN_IF_ERROR(
        CheckChange(m, at, p, c, request.by(), proposer, pending));
    CRADLE_RETURN_IF_ERROR(CheckNewValue(at, p, c, m, registry, &out.division));
    CRADLE_RETURN_IF_ERROR(SetValue(at + ".new_value", p, c.new_value(),
                                    out.division, &out.manifest));
    if (p.line >= 0) out.lines.insert(p.line);
    if (absl::StartsWith(c.field(), "dispatch.")) out.dispatch = true;
    out.approvers |= p.row->approvers;
    if (p.row->approvers & kTouchNamed) out.named.insert(c.new_value());
    out.needs_regulator |= p.row->regulator_after_pickup && !m.legs().empty();
  }
  CRADLE_RETURN_IF_ERROR(
      CheckRevised(out.manifest, out.lines, out.dispatch, now));
  return out;
}

// ApplyCorrection for the events of a revision.
void ApplyRevision(const ledger::v1::ManifestEvent& event, absl::Time recorded,
                   v1::Manifest* m) {
  switch (event.kind_case()) {
    case ledger::v1::ManifestEvent::kRevisionProposed: {
      const ledger::v1::RevisionProposed& p = event.revision_proposed();
      v1::Revision* r = m->add_revisions();
      r->set_id(RevisionId(m->number(), m->revisions_size()));
      r->set_proposer(p.by());
      r->set_person(p.meta().person());
      for (const ledger::v1::FieldChange& c : p.changes()) {
        *r->add_changes() = Transcribe<v1::FieldChange>(c);
      }
      r->set_reason(p.reason());
      r->set_state(v1::REVISION_STATE_PENDING);
      const ledger::v1::RevisionTerms& terms = event.revision_terms();
      for (const std::string& a : terms.approvers()) r->add_approvers(a);
      r->set_needs_regulator(terms.needs_regulator());
      *r->mutable_lapses_at() = terms.lapses_at();
      *r->mutable_proposed_at() = ToTimestamp(recorded);
      r->set_destination_division(event.destination_division());
      break;
    }
    case ledger::v1::ManifestEvent::kRevisionAnswered: {
      const ledger::v1::RevisionAnswered& a = event.revision_answered();
      v1::Revision* r = FindRevision(m, a.id());
      if (r == nullptr) break;
      v1::RevisionAnswer* answer = r->add_answers();
      answer->set_by(a.by());
      answer->set_verdict(static_cast<v1::RevisionVerdict>(a.verdict()));
      answer->set_note(a.note());
      answer->set_person(a.meta().person());
      *answer->mutable_at() = ToTimestamp(recorded);
      if (a.verdict() == ledger::v1::REVISION_VERDICT_REFUSE) {
        r->set_state(v1::REVISION_STATE_REFUSED);
        *r->mutable_closed_at() = ToTimestamp(recorded);
      } else if (a.verdict() == ledger::v1::REVISION_VERDICT_WITHDRAW) {
        r->set_state(v1::REVISION_STATE_WITHDRAWN);
        *r->mutable_closed_at() = ToTimestamp(recorded);
      }
      break;
    }
    case ledger::v1::ManifestEvent::kRevisionApplied: {
      v1::Revision* r = FindRevision(m, event.revision_applied().id());
      if (r == nullptr) break;
      r->set_state(v1::REVISION_STATE_APPLIED);
      *r->mutable_closed_at() = ToTimestamp(recorded);
      for (const v1::FieldChange& c : r->changes()) {
        absl::StatusOr<Path> p = ParsePath("field", c.field());
        // Decided changes parse; a replay applies what it can.
        if (p.ok()) {
          SetValue("field", *p, c.new_value(), r->destination_division(), m)
              .IgnoreError();
        }
      }
      if (!m->returns().empty()) {
        v1::ManifestReturn* last = m->mutable_returns(m->returns_size() - 1);
        if (!last->confirmed() && last->fixed_by().empty()) {
          last->set_fixed_by(r->id());
        }
      }
      break;
    }
    case ledger::v1::ManifestEvent::kRevisionLapsed: {
      v1::Revision* r = FindRevision(m, event.revision_lapsed().id());
      if (r == nullptr) break;
      r->set_state(v1::REVISION_STATE_LAPSED);
      *r->mutable_closed_at() = ToTimestamp(recorded);
      break;
    }
    default:
      break;
  }
}

}  // namespace

absl::StatusOr<Decision> DecideProposeRevision(
    const v1::Manifest& m, const v1::ProposeRevisionRequest& request,
    const RegistryReader& registry, const FlagConfig& config, absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  const std::string& by = request.by();
  if (by.empty()) return absl::InvalidArgumentError("by is required");
  const unsigned proposer = TouchOf(m, by);
  if (proposer == 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("by ", by,
                     " is not the generator, carrier or receiver "
                     "of manifest ",
                     m.number(), ": only they propose revisions"));
  }
  CRADLE_RETURN_IF_ERROR(
      CheckText("reason", request.reason(), kMaxTextBytes, true));
  if (request.changes().empty() || request.changes_size() > kMaxChanges) {
    return absl::InvalidArgumentError(absl::StrCat("changes must hold 1..",
                                                   kMaxChanges, " fields, got ",
                                                   request.changes_size()));
  }
  if (m.revisions_size() >= kMaxRevisions) {
    return absl::FailedPreconditionError(
        absl::StrCat("manifest ", m.number(), " has had ", kMaxRevisions,
                     " revisions, the most one manifest takes; ask the "
                     "regulator to void it and open a new one"));
  }
  CRADLE_ASSIGN_OR_RETURN(Revised revised,
                          ReviseFields(m, request, proposer, registry, now));
  const unsigned approvers = revised.approvers;
  const bool needs_regulator = revised.needs_regulator;
  const std::set<std::string>& named = revised.named;
  const std::string& division = revised.division;

  // A draft is the generator's alone until issued: its own changes need
  // nobody's approval.
  std::set<std::string> waits;
  if (!(m.status() == S::MANIFEST_STATUS_DRAFT && by == m.generator())) {
    if (approvers & kTouchGenerator) waits.insert(m.generator());
    if (approvers & kTouchCarrier) waits.insert(m.carrier());
    if (approvers & kTouchReceiver) waits.insert(m.receiver());
    if (approvers & kTouchNamed) waits.insert(named.begin(), named.end());
  }
  waits.erase(by);
  waits.erase("");

  std::vector<ledger::v1::ManifestEvent> events(1);
  ledger::v1::ManifestEvent& e = events.front();
  *e.mutable_revision_proposed() =
      Transcribe<ledger::v1::RevisionProposed>(request);
  ledger::v1::RevisionTerms* terms = e.mutable_revision_terms();
  for (const std::string& w : waits) terms->add_approvers(w);
  terms->set_needs_regulator(needs_regulator);
  CRADLE_ASSIGN_OR_RETURN(const absl::Time lapses,
                          DueAfter(now, config.revision, *config.calendar));
  *terms->mutable_lapses_at() = ToTimestamp(lapses);
  if (!division.empty()) e.set_destination_division(division);
  if (waits.empty() && !needs_regulator) {
    ledger::v1::ManifestEvent applied;
    applied.mutable_revision_applied()->set_id(
        RevisionId(m.number(), m.revisions_size() + 1));
    events.push_back(std::move(applied));
  }
  return Decide(m, std::move(events), now);
}

absl::StatusOr<Decision> DecideAnswerRevision(
    const v1::Manifest& m, const v1::AnswerRevisionRequest& request,
    absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  CRADLE_ASSIGN_OR_RETURN(RevisionRef ref, ParseRevisionId("id", request.id()));
  if (ref.number != m.number() || ref.index >= m.revisions_size()) {
    return absl::NotFoundError(
        absl::StrCat("revision ", request.id(), " does not exist"));
  }
  const v1::Revision& r = m.revisions(ref.index);
  const std::string& by = request.by();
  if (by.empty()) return absl::InvalidArgumentError("by is required");
  const v1::RevisionVerdict verdict = request.verdict();
  if (verdict != v1::REVISION_VERDICT_APPROVE &&
      verdict != v1::REVISION_VERDICT_REFUSE &&
      verdict != v1::REVISION_VERDICT_WITHDRAW) {
    return absl::InvalidArgumentError(
        "verdict is required: APPROVE, REFUSE or WITHDRAW");
  }
  CRADLE_RETURN_IF_ERROR(CheckRevisionState(
      r, verdict == v1::REVISION_VERDICT_APPROVE  ? RevisionStep::kApprove
         : verdict == v1::REVISION_VERDICT_REFUSE ? RevisionStep::kRefuse
                                                  : RevisionStep::kWithdraw));
  if (now >= FromTimestamp(r.lapses_at())) {
    return absl::FailedPreconditionError(
        absl::StrCat("revision ", r.id(), " lapsed at ",
                     When(FromTimestamp(r.lapses_at())), " unanswered"));
  }
  CRADLE_RETURN_IF_ERROR(CheckText("note", request.note(), kMaxTextBytes,
                                   verdict == v1::REVISION_VERDICT_REFUSE));
  if (verdict == v1::REVISION_VERDICT_WITHDRAW) {
    if (by != r.proposer()) {
      return absl::PermissionDeniedError(
          absl::StrCat("by ", by, " did not propose revision ", r.id(),
                       ": only its proposer ", r.proposer(), " withdraws it"));
    }
  } else if (IsRegulatorVoice(by)) {
    if (!r.needs_regulator()) {
      return absl::PermissionDeniedError(
          absl::StrCat("revision ", r.id(), " needs no regulator's approval"));
    }
    if (RegulatorApproved(r)) {
      return absl::FailedPreconditionError(
          absl::StrCat("a regulator approved revision ", r.id(), " already"));
    }
  } else {
    if (std::find(r.approvers().begin(), r.approvers().end(), by) ==
        r.approvers().end()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "by ", by, " is not an approver of revision ", r.id(), " (",
          r.approvers().empty() ? std::string("a regulator only")
                                : absl::StrJoin(r.approvers(), ", "),
          ")"));
    }
    if (Answered(r, by)) {
      return absl::FailedPreconditionError(
          absl::StrCat(by, " has answered revision ", r.id(), " already"));
    }
  }
  std::vector<ledger::v1::ManifestEvent> events(1);
  *events.front().mutable_revision_answered() =
      Transcribe<ledger::v1::RevisionAnswered>(request);
  if (verdict == v1::REVISION_VERDICT_APPROVE && Complete(r, by)) {
    CRADLE_RETURN_IF_ERROR(StillApplies(m, r));
    ledger::v1::ManifestEvent applied;
    applied.mutable_revision_applied()->set_id(r.id());
    events.push_back(std::move(applied));
  }
  return Decide(m, std::move(events), now);
}

absl::StatusOr<Decision> DecideVoid(const v1::Manifest& m,
                                    const v1::VoidManifestRequest& request,
                                    absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  const std::string& by = request.by();
  if (by.empty()) return absl::InvalidArgumentError("by is required");
  if (!IsRegulatorVoice(by) && by != m.generator()) {
    return absl::PermissionDeniedError(
        absl::StrCat("by ", by, " is neither the generator of manifest ",
                     m.number(), " nor a regulator"));
  }
  CRADLE_RETURN_IF_ERROR(
      CheckText("reason", request.reason(), kMaxTextBytes, true));
  if (m.status() == S::MANIFEST_STATUS_CLOSED) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot void manifest ", m.number(),
                     ": it is CLOSED, and a completed manifest is not voided "
                     "(已完结联单不可作废); correct it by revision"));
  }
  CRADLE_RETURN_IF_ERROR(CheckState(Action::kVoid, m));
  if (!IsRegulatorVoice(by) && !m.legs().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "manifest ", m.number(), " is ", ShortName(m.status()),
        ": after pickup only a regulator voids it; correct it by revision or "
        "ask the bureau"));
  }
  ledger::v1::ManifestEvent e;
  *e.mutable_voided() = Transcribe<ledger::v1::Voided>(request);
  return Decide(m, {std::move(e)}, now);
}

absl::StatusOr<Decision> DecideReturn(const v1::Manifest& m,
                                      const v1::ReturnManifestRequest& request,
                                      absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  CRADLE_RETURN_IF_ERROR(CheckRegulator(request.by(), "return a manifest"));
  CRADLE_RETURN_IF_ERROR(
      CheckText("note", request.note(), kMaxTextBytes, true));
  if (Ended(m)) {
    return absl::FailedPreconditionError(
        absl::StrCat("manifest ", m.number(), " is ", ShortName(m.status()),
                     ": there is nothing to return"));
  }
  if (const v1::ManifestReturn* open = OpenReturn(m); open != nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("manifest ", m.number(), " was returned at ",
                     When(FromTimestamp(open->returned_at())),
                     " and is not confirmed yet: confirm that return first"));
  }
  ledger::v1::ManifestEvent e;
  *e.mutable_returned() = Transcribe<ledger::v1::ReturnNoted>(request);
  return Decide(m, {std::move(e)}, now);
}

absl::StatusOr<Decision> DecideConfirmReturn(
    const v1::Manifest& m, const v1::ConfirmReturnRequest& request,
    absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  CRADLE_RETURN_IF_ERROR(CheckRegulator(request.by(), "confirm a return"));
  CRADLE_RETURN_IF_ERROR(
      CheckText("note", request.note(), kMaxTextBytes, false));
  if (OpenReturn(m) == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "manifest ", m.number(), " has no return waiting to be confirmed"));
  }
  ledger::v1::ManifestEvent e;
  *e.mutable_return_confirmed() = Transcribe<ledger::v1::ReturnNoted>(request);
  return Decide(m, {std::move(e)}, now);
}

Decision LapseRevisions(const v1::Manifest& m, absl::Time now) {
  std::vector<ledger::v1::ManifestEvent> events;
  for (const v1::Revision& r : m.revisions()) {
    if (CheckRevisionState(r, RevisionStep::kLapse).ok() &&
        FromTimestamp(r.lapses_at()) <= now) {
      ledger::v1::ManifestEvent e;
      e.mutable_revision_lapsed()->set_id(r.id());
      events.push_back(std::move(e));
    }
  }
  if (events.empty()) {
    Decision d;
    d.next = m;
    return d;
  }
  return Decide(m, std::move(events), now);
}

std::vector<absl::Time> RevisionLapses(const v1::Manifest& m) {
  std::vector<absl::Time> out;
  for (const v1::Revision& r : m.revisions()) {
    if (r.state() == v1::REVISION_STATE_PENDING) {
      out.push_back(FromTimestamp(r.lapses_at()));
    }
  }
  return out;
}

std::vector<int> RevisedDestinations(
    const v1::Manifest& before, const v1::Manifest& after,
    const std::vector<ledger::v1::ManifestEvent>& events) {
  std::vector<int> out;
  bool applied = false;
  for (const ledger::v1::ManifestEvent& e : events) {
    applied |= e.has_revision_applied();
  }
  if (!applied) return out;
  const int n = std::min(before.destinations_size(), after.destinations_size());
  for (int i = 0; i < n; ++i) {
    const v1::Destination& b = before.destinations(i);
    const v1::Destination& a = after.destinations(i);
    if (b.receiver() != a.receiver() ||
        !std::equal(b.sent_g().begin(), b.sent_g().end(), a.sent_g().begin(),
                    a.sent_g().end())) {
      out.push_back(i);
    }
  }
  return out;
}

bool WaitsOnRegulator(const v1::Manifest& m) {
  if (Ended(m)) return false;
  for (const v1::Revision& r : m.revisions()) {
    if (r.state() == v1::REVISION_STATE_PENDING && r.needs_regulator() &&
        !RegulatorApproved(r)) {
      return true;
    }
  }
  const v1::ManifestReturn* open = OpenReturn(m);
  return open != nullptr && !open->fixed_by().empty();
}

void ApplyCorrection(const ledger::v1::ManifestEvent& event,
                     absl::Time recorded, v1::Manifest* m) {
  switch (event.kind_case()) {
    case ledger::v1::ManifestEvent::kRevisionProposed:
    case ledger::v1::ManifestEvent::kRevisionAnswered:
    case ledger::v1::ManifestEvent::kRevisionApplied:
    case ledger::v1::ManifestEvent::kRevisionLapsed:
      ApplyRevision(event, recorded, m);
      break;
    case ledger::v1::ManifestEvent::kVoided:
      m->set_status(S::MANIFEST_STATUS_VOIDED);
      m->set_void_reason(event.voided().reason());
      m->set_voided_by(event.voided().by());
      break;
    case ledger::v1::ManifestEvent::kReturned: {
      v1::ManifestReturn* r = m->add_returns();
      r->set_by(event.returned().by());
      r->set_note(event.returned().note());
      *r->mutable_returned_at() = ToTimestamp(recorded);
      break;
    }
    case ledger::v1::ManifestEvent::kReturnConfirmed: {
      if (m->returns().empty()) break;
      v1::ManifestReturn* r = m->mutable_returns(m->returns_size() - 1);
      r->set_confirmed(true);
      r->set_confirm_note(event.return_confirmed().note());
      *r->mutable_confirmed_at() = ToTimestamp(recorded);
      break;
    }
    default:
      break;
  }
}

}  // namespace cradle::domain
