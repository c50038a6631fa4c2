// CROSS_PROVINCE_UNAPPROVED: the load leaves the province without a valid
// approval for this generator and receiver covering its codes, or beyond the
// approved quantity. A shipment under an approval records it
// (approval_applied), so that it counts against the quantity.

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "domain/division.h"
#include "domain/flags/licence.h"
#include "domain/flags/rules.h"
#include "domain/quantity.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

bool Covers(const v1::Approval& a, absl::string_view code) {
  v1::Licence as_licence;
  *as_licence.mutable_codes() = a.codes();
  as_licence.set_valid_until("9999-12-31");
  return LicenceCovers(as_licence, code, absl::CivilDay(2000, 1, 1));
}

class CrossProvince final : public EventRule {
 public:
  v1::FlagKind kind() const override {
    return v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED;
  }
  bool PerDestination() const override { return true; }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    const absl::CivilDay today = absl::ToCivilDay(ctx.now, ChinaTime());
    int64_t given_back = 0;  // grams of ctx.before.approval() given back
    for (int i : NewDestinations(ctx)) {
      const v1::Destination& d = ctx.after.destinations(i);
      if (i < ctx.before.destinations_size() &&
          !ctx.before.approval().empty()) {
        given_back += GramsSent(ctx.before.destinations(i));
        // Re-addressed by a revision: what it counted against its approval
        // is given back before it is judged again.
        ledger::v1::ManifestEvent back;
        back.mutable_approval_applied()->set_number(ctx.before.approval());
        back.mutable_approval_applied()->set_grams(
            -GramsSent(ctx.before.destinations(i)));
        out->push_back(std::move(back));
      }
      if (d.returned_to_generator() ||
          !IsCrossProvince(ctx.after.origin_division(), d.division())) {
        continue;
      }
      CRADLE_ASSIGN_OR_RETURN(
          std::vector<v1::Approval> approvals,
          ctx.facts.Approvals(ctx.after.generator(), d.receiver()));
      const int64_t grams = GramsSent(d);
      std::string why =
          "no approval is registered for this generator and "
          "receiver";
      bool approved = false;
      for (const v1::Approval& a : approvals) {
        absl::CivilDay from, until;
        if (!absl::ParseCivilTime(a.valid_from(), &from) ||
            !absl::ParseCivilTime(a.valid_until(), &until) || today < from ||
            today > until) {
          why = absl::StrCat("approval ", a.number(), " is not valid on ",
                             absl::FormatCivilTime(today));
          continue;
        }
        bool covers = true;
        for (const std::string& code : CodesSent(ctx.after, d)) {
          covers &= Covers(a, code);
        }
        if (!covers) {
          why = absl::StrCat("approval ", a.number(),
                             " does not cover every waste code");
          continue;
        }
        CRADLE_ASSIGN_OR_RETURN(int64_t used,
                                ctx.facts.ApprovalUsedGrams(a.number()));
        if (a.number() == ctx.before.approval()) used -= given_back;
        if (used + grams > a.quantity_kg() * 1000) {
          why = absl::StrCat("approval ", a.number(),
                             " is exceeded: ", FormatGrams(used), " shipped + ",
                             FormatGrams(grams), " > ",
                             FormatGrams(a.quantity_kg() * 1000), " approved");
          continue;
        }
        ledger::v1::ManifestEvent applied;
        applied.mutable_approval_applied()->set_number(a.number());
        applied.mutable_approval_applied()->set_grams(grams);
        out->push_back(std::move(applied));
        approved = true;
        break;
      }
      if (!approved) {
        out->push_back(RaiseFlag(
            kind(), v1::SEVERITY_HIGH, i,
            absl::StrCat("from province ",
                         ctx.after.origin_division().substr(0, 2), " to ",
                         d.division().substr(0, 2), ": ", why)));
      }
    }
    return absl::OkStatus();
  }
};

}  // namespace

const EventRule& CrossProvinceRule() {
  static const CrossProvince* rule = new CrossProvince;
  return *rule;
}

}  // namespace cradle::domain
