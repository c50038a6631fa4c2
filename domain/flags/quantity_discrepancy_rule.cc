// QUANTITY_DISCREPANCY: the weight received differs from the weight shipped
// by more than the tolerance (default 5%). HIGH when waste is missing (less
// arrived), MEDIUM when more arrived.

#include <cstdlib>

#include "absl/strings/str_cat.h"

#include "domain/flags/rules.h"
#include "domain/quantity.h"

namespace cradle::domain {
namespace {

class QuantityDiscrepancy final : public EventRule {
 public:
  v1::FlagKind kind() const override {
    return v1::FLAG_KIND_QUANTITY_DISCREPANCY;
  }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    bool received = false;
    for (const ledger::v1::ManifestEvent& e : ctx.events)
      received |= e.has_received();
    if (!received) return absl::OkStatus();
    const int subject = ctx.after.destinations_size() - 1;
    const v1::Destination& d = ctx.after.destinations(subject);
    std::string detail;
    bool missing = false;
    for (int i = 0; i < d.sent_g_size(); ++i) {
      const int64_t sent = d.sent_g(i), got = d.received_g(i);
      if (sent == 0) continue;
      const int64_t gap = std::llabs(got - sent);
      // Integers only: gap / sent > bp / 10000.
      if (gap * 10000 > sent * ctx.config.quantity_tolerance_bp) {
        missing |= got < sent;
        absl::StrAppend(&detail, detail.empty() ? "" : "; ", "line ", i + 1,
                        " shipped ", FormatGrams(sent), ", received ",
                        FormatGrams(got));
      }
    }
    if (!detail.empty()) {
      out->push_back(
          RaiseFlag(kind(), missing ? v1::SEVERITY_HIGH : v1::SEVERITY_MEDIUM,
                    subject, detail));
    }
    return absl::OkStatus();
  }
};

}  // namespace

const EventRule& QuantityDiscrepancyRule() {
  static const QuantityDiscrepancy* rule = new QuantityDiscrepancy;
  return *rule;
}

}  // namespace cradle::domain
