// TRANSIT_OVERDUE: picked up (or rerouted) but not delivered within the
// transit limit (--transit-limit, default 72h). Cleared by the delivery.

#include "absl/strings/str_cat.h"

#include "base/time.h"
#include "domain/flags/rules.h"

namespace cradle::domain {
namespace {

class TransitOverdue final : public DeadlineRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_TRANSIT_OVERDUE; }
  v1::Severity severity() const override { return v1::SEVERITY_MEDIUM; }

  std::vector<Pending> PendingDeadlines(
      const v1::Manifest& m, const FlagConfig& config) const override {
    if (m.destinations().empty() || m.status() == v1::MANIFEST_STATUS_CANCELLED)
      return {};
    const int last = m.destinations_size() - 1;
    const v1::Destination& d = m.destinations(last);
    if (!d.has_sent_at() || d.delivered()) return {};
    return {PendingAfter(last, FromTimestamp(d.sent_at()), config.transit,
                         *config.calendar)};
  }

  std::string Describe(const v1::Manifest& m, int subject,
                       const FlagConfig&) const override {
    return absl::StrCat("picked up for ", m.destinations(subject).receiver(),
                        " and not delivered within the transit limit");
  }
};

}  // namespace

const DeadlineRule& TransitOverdueRule() {
  static const TransitOverdue* rule = new TransitOverdue;
  return *rule;
}

}  // namespace cradle::domain
