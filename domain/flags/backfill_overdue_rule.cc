// BACKFILL_OVERDUE: a trip that left on a paper manifest (paper_date) must be
// back-filled, up to the receiver's signature of arrival, within 10 working
// days of that date (--backfill-limit). Cleared by the delivery record.

#include "absl/strings/str_cat.h"

#include "domain/flags/rules.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

class BackfillOverdue final : public DeadlineRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_BACKFILL_OVERDUE; }
  v1::Severity severity() const override { return v1::SEVERITY_MEDIUM; }

  std::vector<Pending> PendingDeadlines(
      const v1::Manifest& m, const FlagConfig& config) const override {
    absl::CivilDay paper;
    if (m.paper_date().empty() || m.status() == v1::MANIFEST_STATUS_CANCELLED ||
        !absl::ParseCivilTime(m.paper_date(), &paper)) {
      return {};
    }
    for (const v1::Destination& d : m.destinations()) {
      if (d.delivered()) return {};
    }
    return {PendingAfter(0, absl::FromCivil(paper, ChinaTime()),
                         config.backfill, *config.calendar)};
  }

  std::string Describe(const v1::Manifest& m, int,
                       const FlagConfig&) const override {
    return absl::StrCat("left on a paper manifest on ", m.paper_date(),
                        " and not back-filled to delivery within the limit");
  }
};

}  // namespace

const DeadlineRule& BackfillOverdueRule() {
  static const BackfillOverdue* rule = new BackfillOverdue;
  return *rule;
}

}  // namespace cradle::domain
