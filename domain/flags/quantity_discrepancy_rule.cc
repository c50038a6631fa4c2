// QUANTITY_DISCREPANCY: the weight received differs from the weight shipped
// by more than the tolerance (default 5%). HIGH when waste is missing (less
// arrived), MEDIUM when more arrived. Judged when a destination receives,
// line by line on the typed weights; where a weighbridge weighed the load
// (at the generator's exit for the first destination, at the destination's
// entry) the whole load is judged instead, its reading standing in for the
// typed total on its side. A reading recorded after the receipt judges the
// destination again.

#include <algorithm>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

#include "domain/flags/rules.h"
#include "domain/quantity.h"
#include "domain/weighing.h"

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
    const v1::Manifest& m = ctx.after;
    std::vector<int> judge;
    for (const ledger::v1::ManifestEvent& e : ctx.events) {
      int d = -1;
      if (e.has_received()) d = m.destinations_size() - 1;
      if (e.has_weighed()) d = e.handover() - 1;
      if (d >= 0 && d < m.destinations_size() && m.destinations(d).received() &&
          std::find(judge.begin(), judge.end(), d) == judge.end()) {
        judge.push_back(d);
      }
    }
    for (int d : judge) Judge(ctx, d, out);
    return absl::OkStatus();
  }

 private:
  // Whether `got` is off `sent` by more than the tolerance; appends the
  // finding to `detail`.
  static bool Off(const EventContext& ctx, int64_t sent, int64_t got,
                  const std::string& what, std::string* detail, bool* missing) {
    if (sent == 0) return false;
    const int64_t gap = std::llabs(got - sent);
    // Integers only: gap / sent > bp / 10000.
    if (gap * 10000 <= sent * ctx.config.quantity_tolerance_bp) return false;
    *missing |= got < sent;
    absl::StrAppend(detail, detail->empty() ? "" : "; ", what);
    return true;
  }

  void Judge(const EventContext& ctx, int subject,
             std::vector<ledger::v1::ManifestEvent>* out) const {
    const v1::Manifest& m = ctx.after;
    const v1::Destination& d = m.destinations(subject);
    const v1::Weighing* exit =
        subject == 0 ? WeighingAt(m, v1::WEIGH_POINT_EXIT, 0) : nullptr;
    const v1::Weighing* entry = WeighingAt(m, v1::WEIGH_POINT_ENTRY, subject);
    std::string detail;
    bool missing = false;
    if (exit != nullptr || entry != nullptr) {
      int64_t sent = 0, got = 0;
      for (int64_t g : d.sent_g()) sent += g;
      for (int64_t g : d.received_g()) got += g;
      std::string shipped = absl::StrCat("shipped ", FormatGrams(sent));
      std::string received = absl::StrCat("received ", FormatGrams(got));
      if (exit != nullptr) {
        sent = exit->net_g();
        shipped = absl::StrCat("weighed ", FormatGrams(sent), " at exit on ",
                               exit->device());
      }
      if (entry != nullptr) {
        got = entry->net_g();
        received = absl::StrCat("weighed ", FormatGrams(got), " at entry on ",
                                entry->device());
      }
      Off(ctx, sent, got, absl::StrCat("the load ", shipped, ", ", received),
          &detail, &missing);
    } else {
      for (int i = 0; i < d.sent_g_size(); ++i) {
        const int64_t sent = d.sent_g(i), got = d.received_g(i);
        Off(ctx, sent, got,
            absl::StrCat("line ", i + 1, " shipped ", FormatGrams(sent),
                         ", received ", FormatGrams(got)),
            &detail, &missing);
      }
    }
    if (!detail.empty()) {
      out->push_back(
          RaiseFlag(kind(), missing ? v1::SEVERITY_HIGH : v1::SEVERITY_MEDIUM,
                    subject, detail));
    }
  }
};

}  // namespace

const EventRule& QuantityDiscrepancyRule() {
  static const QuantityDiscrepancy* rule = new QuantityDiscrepancy;
  return *rule;
}

}  // namespace cradle::domain
