// RECEIPT_OVERDUE: delivered but not confirmed (weighed, accepted or
// rejected) within 5 working days (--receipt-limit). Cleared by the receipt.

#include "absl/strings/str_cat.h"

#include "base/time.h"
#include "domain/flags/rules.h"

namespace cradle::domain {
namespace {

class ReceiptOverdue final : public DeadlineRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_RECEIPT_OVERDUE; }
  v1::Severity severity() const override { return v1::SEVERITY_MEDIUM; }

  std::vector<Pending> PendingDeadlines(
      const v1::Manifest& m, const FlagConfig& config) const override {
    if (m.destinations().empty()) return {};
    const int last = m.destinations_size() - 1;
    const v1::Destination& d = m.destinations(last);
    if (!d.delivered() || d.received() || !d.has_delivered_at()) return {};
    return {PendingAfter(last, FromTimestamp(d.delivered_at()), config.receipt,
                         *config.calendar)};
  }

  std::string Describe(const v1::Manifest& m, int subject,
                       const FlagConfig&) const override {
    return absl::StrCat("delivered to ", m.destinations(subject).receiver(),
                        " and not confirmed within the receipt limit");
  }
};

}  // namespace

const DeadlineRule& ReceiptOverdueRule() {
  static const ReceiptOverdue* rule = new ReceiptOverdue;
  return *rule;
}

}  // namespace cradle::domain
