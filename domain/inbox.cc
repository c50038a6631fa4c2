#include "domain/inbox.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/quote.h"
#include "base/time.h"
#include "domain/flags/rules.h"
#include "domain/names.h"
#include "domain/quantity.h"
#include "domain/revision.h"

namespace cradle::domain {
namespace {

using Task = v1::InboxItem::Task;

int64_t Sum(const google::protobuf::RepeatedField<int64_t>& grams) {
  int64_t total = 0;
  for (int64_t g : grams) total += g;
  return total;
}

// The deadline of `rule` on `subject`; due InfinitePast when none runs.
DeadlineRule::Pending DueOf(const DeadlineRule& rule, const v1::Manifest& m,
                            int subject, const FlagConfig& config) {
  for (const DeadlineRule::Pending& p : rule.PendingDeadlines(m, config)) {
    if (p.subject == subject) return p;
  }
  return {subject, absl::InfinitePast(), ""};
}

v1::InboxItem Item(Task task, const v1::Manifest& m, std::string detail,
                   const google::protobuf::Timestamp& since) {
  v1::InboxItem item;
  item.set_task(task);
  item.set_number(m.number());
  item.set_detail(std::move(detail));
  *item.mutable_since() = since;
  return item;
}

// Sets the item's limit from `due` (none when InfinitePast). A limit the
// working-day calendar cannot date is said in the detail, not guessed.
void SetDue(const DeadlineRule::Pending& due, const Limit& limit,
            const FlagConfig& config, absl::Time now, v1::InboxItem* item) {
  if (due.due == absl::InfinitePast()) return;
  if (!due.undated.empty()) {
    item->set_detail(
        absl::StrCat(item->detail(), " (due date unknown: ", due.undated, ")"));
    return;
  }
  *item->mutable_due_at() = ToTimestamp(due.due);
  item->set_overdue(now > due.due);
  if (limit.working_days > 0) {
    item->set_working_days_left(
        WorkingDaysLeft(now, due.due, *config.calendar));
  }
}

}  // namespace

v1::InboxItem FlagToAnswer(const v1::Flag& flag) {
  v1::InboxItem item;
  item.set_task(v1::InboxItem::TASK_ANSWER_FLAG);
  item.set_number(flag.manifest());
  item.set_flag(flag.id());
  item.set_detail(absl::StrCat(ShortName(flag.kind()), " ",
                               ShortName(flag.severity()), ": ",
                               flag.detail()));
  *item.mutable_since() = flag.raised_at();
  return item;
}

int WorkingDaysLeft(absl::Time now, absl::Time due,
                    const WorkCalendar& calendar) {
  const absl::CivilDay today = absl::ToCivilDay(now, ChinaTime());
  // A limit runs out at the end of its last day: midnight, the next day's
  // first instant.
  const absl::CivilDay last =
      absl::ToCivilDay(due - absl::Nanoseconds(1), ChinaTime());
  int left = 0;
  // Bounded: a limit of working days is weeks at most.
  for (absl::CivilDay d = today + 1; d <= last && left < 1000; ++d) {
    if (calendar.IsWorkingDay(d)) ++left;
  }
  return left;
}

namespace {

// What revision `r` changes, as one line: "receiver A -> B; lines[0]..."
std::string Changes(const v1::Revision& r) {
  std::vector<std::string> parts;
  for (const v1::FieldChange& c : r.changes()) {
    parts.push_back(absl::StrCat(c.field(), " ", Quote(c.old_value()), " -> ",
                                 Quote(c.new_value())));
  }
  return absl::StrJoin(parts, "; ");
}

v1::InboxItem RevisionToAnswer(const v1::Manifest& m, const v1::Revision& r,
                               absl::Time now) {
  v1::InboxItem item =
      Item(v1::InboxItem::TASK_ANSWER_REVISION, m,
           absl::StrCat(r.proposer(), " proposes ", Changes(r), " (",
                        r.reason(), "): approve or refuse"),
           r.proposed_at());
  item.set_revision(r.id());
  *item.mutable_due_at() = r.lapses_at();
  item.set_overdue(now > FromTimestamp(r.lapses_at()));
  return item;
}

bool Answered(const v1::Revision& r, absl::string_view by) {
  for (const v1::RevisionAnswer& a : r.answers()) {
    if (a.by() == by) return true;
  }
  return false;
}

// The corrections waiting on `party` (an enterprise, or "regulator:...").
void CorrectionsWaiting(const v1::Manifest& m, absl::string_view party,
                        absl::Time now, std::vector<v1::InboxItem>* out) {
  const bool regulator = IsRegulatorVoice(party);
  for (const v1::Revision& r : m.revisions()) {
    if (r.state() != v1::REVISION_STATE_PENDING) continue;
    const bool asked =
        regulator ? r.needs_regulator() &&
                        !std::any_of(r.answers().begin(), r.answers().end(),
                                     [](const v1::RevisionAnswer& a) {
                                       return IsRegulatorVoice(a.by());
                                     })
                  : std::find(r.approvers().begin(), r.approvers().end(),
                              party) != r.approvers().end() &&
                        !Answered(r, party);
    if (asked) out->push_back(RevisionToAnswer(m, r, now));
  }
  if (m.returns().empty()) return;
  const v1::ManifestReturn& ret = m.returns(m.returns_size() - 1);
  if (ret.confirmed()) return;
  if (!regulator && party == m.generator() && ret.fixed_by().empty()) {
    out->push_back(Item(v1::InboxItem::TASK_FIX_RETURN, m,
                        absl::StrCat("returned by ", ret.by(), ": ", ret.note(),
                                     "; fix it by revision"),
                        ret.returned_at()));
  }
  if (regulator && !ret.fixed_by().empty()) {
    out->push_back(
        Item(v1::InboxItem::TASK_CONFIRM_RETURN, m,
             absl::StrCat("returned (", ret.note(), "), fixed by revision ",
                          ret.fixed_by(), ": confirm"),
             ret.returned_at()));
  }
}

}  // namespace

std::vector<v1::InboxItem> OfficeWaiting(const v1::Manifest& m,
                                         absl::Time now) {
  std::vector<v1::InboxItem> out;
  if (m.status() == v1::MANIFEST_STATUS_CANCELLED ||
      m.status() == v1::MANIFEST_STATUS_VOIDED) {
    return out;
  }
  CorrectionsWaiting(m, "regulator:office", now, &out);
  return out;
}

std::vector<v1::InboxItem> Waiting(const v1::Manifest& m,
                                   absl::string_view party,
                                   const FlagConfig& config, absl::Time now) {
  std::vector<v1::InboxItem> out;
  if (m.destinations().empty() || m.status() == v1::MANIFEST_STATUS_CANCELLED ||
      m.status() == v1::MANIFEST_STATUS_VOIDED) {
    return out;
  }
  CorrectionsWaiting(m, party, now, &out);
  const int last = m.destinations_size() - 1;
  const v1::Destination& dest = m.destinations(last);
  const std::string load = FormatGrams(Sum(dest.sent_g()));
  switch (m.status()) {
    case v1::MANIFEST_STATUS_DRAFT:
      if (m.generator() == party) {
        out.push_back(Item(
            v1::InboxItem::TASK_ISSUE, m,
            absl::StrCat("draft of ", load, " to ", m.receiver(), ", to issue"),
            m.opened_at()));
      }
      break;
    case v1::MANIFEST_STATUS_ISSUED:
      if (m.carrier() == party) {
        out.push_back(Item(v1::InboxItem::TASK_PICKUP, m,
                           absl::StrCat(load, " to pick up at ", m.generator(),
                                        " for ", m.receiver()),
                           m.opened_at()));
      }
      break;
    case v1::MANIFEST_STATUS_IN_TRANSIT:
      if (m.carrier() == party) {
        v1::InboxItem item =
            Item(v1::InboxItem::TASK_DELIVER, m,
                 absl::StrCat(load, " on the road to ", dest.receiver()),
                 dest.sent_at());
        SetDue(DueOf(TransitOverdueRule(), m, last, config), config.transit,
               config, now, &item);
        out.push_back(std::move(item));
      }
      break;
    case v1::MANIFEST_STATUS_DELIVERED:
      if (dest.receiver() == party) {
        v1::InboxItem item =
            Item(v1::InboxItem::TASK_RECEIVE, m,
                 absl::StrCat(load, " delivered from ", m.generator(),
                              ", to weigh and accept or reject"),
                 dest.delivered_at());
        SetDue(DueOf(ReceiptOverdueRule(), m, last, config), config.receipt,
               config, now, &item);
        out.push_back(std::move(item));
      }
      break;
    case v1::MANIFEST_STATUS_REJECTED:
    case v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED:
      if (m.generator() == party && Sum(dest.rejected_g()) > 0) {
        out.push_back(
            Item(v1::InboxItem::TASK_REROUTE, m,
                 absl::StrCat(FormatGrams(Sum(dest.rejected_g())),
                              " rejected by ", dest.receiver(), ", to send on"),
                 dest.received_at()));
      }
      break;
    default:
      break;
  }
  // Disposal is owed by every receiver that accepted part of the load,
  // whatever the manifest's status; not by a collector, which ships what
  // it collected on manifests of its own.
  for (int i = 0; i < m.destinations_size(); ++i) {
    const v1::Destination& d = m.destinations(i);
    const int64_t left = Sum(d.accepted_g()) - Sum(d.disposed_g());
    if (d.receiver() != party || !d.received() || d.returned_to_generator() ||
        d.collected() || left <= 0) {
      continue;
    }
    v1::InboxItem item = Item(
        v1::InboxItem::TASK_DISPOSE, m,
        absl::StrCat(FormatGrams(left), " accepted and not yet disposed of"),
        d.received_at());
    SetDue(DueOf(MissingDisposalRule(), m, i, config), config.disposal, config,
           now, &item);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace cradle::domain
