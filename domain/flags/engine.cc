#include "domain/flags/engine.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "domain/container.h"
#include "domain/flags/rules.h"
#include "domain/names.h"
#include "domain/record.h"
#include "domain/revision.h"

namespace cradle::domain {
namespace {

// Kinds whose subject is the stream version of the event that raised them
// (each scan, hand-over or track batch is judged on its own), not a
// destination.
bool SubjectIsEvent(int kind) {
  return kind == v1::FLAG_KIND_CONTAINER_MISMATCH ||
         kind == v1::FLAG_KIND_ROUTE_DEVIATION ||
         kind == v1::FLAG_KIND_LONG_STOP || kind == v1::FLAG_KIND_TRACK_GAP;
}

// A flag of `kind` on `subject` that still stands: a cleared one (its
// condition went away, or a revision re-addressed its destination) does
// not stop the rule raising it again.
bool HasFlag(const v1::Manifest& m, v1::FlagKind kind, int subject) {
  for (const v1::Flag& f : m.flags()) {
    if (f.kind() == kind && f.destination() == subject &&
        f.state() != v1::FLAG_STATE_CLEARED) {
      return true;
    }
  }
  return false;
}

// Fills what every flag carries and applies it; drops a repeat.
void AddFlag(ledger::v1::ManifestEvent event, absl::Time now,
             std::vector<uint64_t> evidence, Decision* d) {
  v1::Manifest& m = d->next;
  v1::Flag flag = Transcribe<v1::Flag>(event.flag_raised());
  v1::Flag* f = &flag;
  if (HasFlag(m, f->kind(), f->destination())) return;
  f->set_id(FlagId(m.number(), m.flags_size() + 1));
  f->set_state(v1::FLAG_STATE_OPEN);
  f->set_manifest(m.number());
  *f->mutable_raised_at() = ToTimestamp(now);
  if (f->evidence().empty()) {
    for (uint64_t v : evidence) f->add_evidence(v);
  }
  std::string destination = m.destination_division();
  // DIRECT_PAYMENT's subject is a payment, and some kinds' an event, not a
  // destination.
  const bool per_destination =
      f->kind() != v1::FLAG_KIND_DIRECT_PAYMENT && !SubjectIsEvent(f->kind());
  if (per_destination && f->destination() >= 0 &&
      f->destination() < m.destinations_size() &&
      !m.destinations(f->destination()).division().empty()) {
    destination = m.destinations(f->destination()).division();
  }
  f->set_origin_county(m.origin_division());
  f->set_origin_city(m.origin_division().substr(0, 4));
  f->set_destination_county(destination);
  f->set_destination_city(destination.substr(0, 4));
  if (f->enterprises().empty()) {
    std::set<std::string> parties = {m.generator(), m.carrier()};
    if (!SubjectIsEvent(f->kind()) && f->destination() >= 0 &&
        f->destination() < m.destinations_size()) {
      parties.insert(m.destinations(f->destination()).receiver());
    } else {
      parties.insert(m.receiver());
    }
    for (const std::string& p : parties) {
      if (!p.empty()) f->add_enterprises(p);
    }
  }
  *event.mutable_flag_raised() = Transcribe<ledger::v1::Flag>(flag);
  Apply(event, now, &m);
  d->events.push_back(std::move(event));
}

// Judges again the destinations a revision re-addressed (`revised`): an
// open flag that a rule about a destination raised there stands if the
// rule, looking again, raises the same (kind and detail: `raised` holds
// what it raises now, and AddFlag drops the repeat); otherwise it is
// cleared, and what the rule raises now is raised anew.
void Rejudge(const std::vector<int>& revised,
             const std::vector<ledger::v1::ManifestEvent>& raised,
             uint64_t first_version, absl::Time now, Decision* d) {
  std::vector<ledger::v1::ManifestEvent> cleared;
  for (const v1::Flag& f : d->next.flags()) {
    if (!IsOpen(f) || std::find(revised.begin(), revised.end(),
                                f.destination()) == revised.end()) {
      continue;
    }
    bool per_destination = false;
    for (const EventRule* rule : EventRules()) {
      per_destination |= rule->kind() == f.kind() && rule->PerDestination();
    }
    if (!per_destination) continue;
    bool stands = false;
    for (const ledger::v1::ManifestEvent& e : raised) {
      stands |= e.has_flag_raised() &&
                static_cast<int>(e.flag_raised().kind()) == f.kind() &&
                e.flag_raised().destination() == f.destination() &&
                e.flag_raised().detail() == f.detail();
    }
    if (stands) continue;
    ledger::v1::ManifestEvent e;
    e.mutable_flag_cleared()->set_id(f.id());
    e.mutable_flag_cleared()->set_reason(
        absl::StrCat("a revision changed destination ", f.destination() + 1,
                     " (entry v", first_version, "): judged again"));
    cleared.push_back(std::move(e));
  }
  for (ledger::v1::ManifestEvent& e : cleared) {
    Apply(e, now, &d->next);
    d->events.push_back(std::move(e));
  }
}

}  // namespace

DeadlineRule::Pending PendingAfter(int subject, absl::Time start,
                                   const Limit& limit,
                                   const WorkCalendar& calendar) {
  absl::StatusOr<absl::Time> due = DueAfter(start, limit, calendar);
  if (due.ok()) return {subject, *due, ""};
  // The first day of the first year from `start` on that the calendar does
  // not hold: the earliest day the limit could be dated again.
  absl::CivilDay first = absl::ToCivilDay(start, ChinaTime());
  while (calendar.Covers(first)) first = absl::CivilDay(first.year() + 1, 1, 1);
  return {subject, absl::FromCivil(first, ChinaTime()),
          std::string(due.status().message())};
}

ledger::v1::ManifestEvent RaiseFlag(v1::FlagKind kind, v1::Severity severity,
                                    int subject, std::string detail) {
  v1::Flag f;
  f.set_kind(kind);
  f.set_severity(severity);
  f.set_destination(subject);
  f.set_detail(std::move(detail));
  ledger::v1::ManifestEvent e;
  *e.mutable_flag_raised() = Transcribe<ledger::v1::Flag>(f);
  return e;
}

std::vector<int> NewDestinations(const EventContext& ctx) {
  std::vector<int> out = RevisedDestinations(ctx.before, ctx.after, ctx.events);
  for (int i = ctx.before.destinations_size();
       i < ctx.after.destinations_size(); ++i) {
    out.push_back(i);
  }
  return out;
}

absl::Status AddEventFlags(const v1::Manifest& before,
                           const RegistryReader& facts,
                           const FlagConfig& config, absl::Time now,
                           Decision* decision) {
  const uint64_t first_version = before.version() + 1;
  std::vector<uint64_t> evidence;
  for (size_t i = 0; i < decision->events.size(); ++i) {
    evidence.push_back(first_version + i);
  }
  // The rules append to `raised`, never to the decision they read.
  std::vector<ledger::v1::ManifestEvent> raised;
  const EventContext ctx{
      before, decision->next, decision->events, first_version, facts, config,
      now};
  const std::vector<int> revised =
      RevisedDestinations(before, decision->next, decision->events);
  for (const EventRule* rule : EventRules()) {
    CRADLE_RETURN_IF_ERROR(rule->Evaluate(ctx, &raised));
  }
  if (!revised.empty()) {
    Rejudge(revised, raised, first_version, now, decision);
  }
  // Deadline flags whose awaited event has now come.
  std::set<std::pair<int, int>> pending;
  for (const DeadlineRule* rule : DeadlineRules()) {
    for (const DeadlineRule::Pending& p :
         rule->PendingDeadlines(decision->next, config)) {
      pending.insert({rule->kind(), p.subject});
    }
  }
  std::vector<ledger::v1::ManifestEvent> cleared;
  for (const v1::Flag& f : decision->next.flags()) {
    if (IsOpen(f) && IsDeadlineKind(f.kind()) &&
        pending.count({f.kind(), f.destination()}) == 0) {
      ledger::v1::ManifestEvent e;
      e.mutable_flag_cleared()->set_id(f.id());
      e.mutable_flag_cleared()->set_reason(absl::StrCat(
          "the awaited record arrived (entry v", evidence.front(), ")"));
      cleared.push_back(std::move(e));
    }
  }
  for (ledger::v1::ManifestEvent& e : cleared) {
    Apply(e, now, &decision->next);
    decision->events.push_back(std::move(e));
  }
  for (ledger::v1::ManifestEvent& e : raised) {
    if (e.has_flag_raised()) {
      AddFlag(std::move(e), now, evidence, decision);
    } else {
      Apply(e, now, &decision->next);
      decision->events.push_back(std::move(e));
    }
  }
  return absl::OkStatus();
}

Decision SweepDeadlines(const v1::Manifest& manifest, const FlagConfig& config,
                        absl::Time now) {
  Decision d;
  d.next = manifest;
  for (const DeadlineRule* rule : DeadlineRules()) {
    for (const DeadlineRule::Pending& p :
         rule->PendingDeadlines(manifest, config)) {
      if (!p.undated.empty() || p.due > now ||
          HasFlag(d.next, rule->kind(), p.subject)) {
        continue;
      }
      ledger::v1::ManifestEvent e =
          RaiseFlag(rule->kind(), rule->severity(), p.subject,
                    rule->Describe(manifest, p.subject, config));
      *e.mutable_flag_raised()->mutable_due_at() = ToTimestamp(p.due);
      AddFlag(std::move(e), now, {manifest.version()}, &d);
    }
  }
  return d;
}

std::vector<DueDate> DueDates(const v1::Manifest& manifest,
                              const FlagConfig& config) {
  std::vector<DueDate> out;
  for (const DeadlineRule* rule : DeadlineRules()) {
    for (const DeadlineRule::Pending& p :
         rule->PendingDeadlines(manifest, config)) {
      if (!HasFlag(manifest, rule->kind(), p.subject)) {
        out.push_back(DueDate{rule->kind(), p.subject, p.due});
      }
    }
  }
  return out;
}

std::vector<std::string> UndatedDeadlines(const v1::Manifest& manifest,
                                          const FlagConfig& config,
                                          absl::Time now) {
  std::vector<std::string> out;
  for (const DeadlineRule* rule : DeadlineRules()) {
    for (const DeadlineRule::Pending& p :
         rule->PendingDeadlines(manifest, config)) {
      if (!p.undated.empty() && p.due <= now &&
          !HasFlag(manifest, rule->kind(), p.subject)) {
        out.push_back(absl::StrCat(ShortName(rule->kind()), " of manifest ",
                                   manifest.number(), ": ", p.undated));
      }
    }
  }
  return out;
}

bool IsOpen(const v1::Flag& flag) {
  return flag.state() == v1::FLAG_STATE_OPEN ||
         flag.state() == v1::FLAG_STATE_ACKED;
}

bool IsDeadlineKind(v1::FlagKind kind) {
  for (const DeadlineRule* r : DeadlineRules()) {
    if (r->kind() == kind) return true;
  }
  return false;
}

std::string FlagId(absl::string_view subject, int n) {
  return absl::StrCat(subject, "-F", n);
}

bool IsContainerSubject(absl::string_view subject) {
  return subject.size() == kContainerCodeLength &&
         ParseContainerCode("id", subject).ok();
}

absl::StatusOr<std::string> FlagSubject(absl::string_view id) {
  const size_t dash = id.rfind("-F");
  int n = 0;
  if (dash == absl::string_view::npos || dash == 0 ||
      !absl::SimpleAtoi(id.substr(dash + 2), &n) || n < 1 ||
      FlagId(id.substr(0, dash), n) != id) {
    return absl::InvalidArgumentError(absl::StrCat(
        "id ", Quote(id),
        " is not a flag id (<manifest number or container code>-F<n>)"));
  }
  return std::string(id.substr(0, dash));
}

std::string RiskColour(int open_flags, int open_high) {
  if (open_high > 0 || open_flags >= 3) return "red";
  if (open_flags > 0) return "yellow";
  return "green";
}

}  // namespace cradle::domain
