// LOAD_MISMATCH: what the receiver found on arrival differs from what the
// generator declared in physical form, packaging or hazard characteristics
// (2021 办法 Art. 18; weight has QUANTITY_DISCREPANCY). HIGH when the load
// shows a hazard characteristic the manifest did not declare, MEDIUM
// otherwise. A field is compared only where both sides give it.

#include <string>

#include "absl/strings/str_cat.h"

#include "domain/flags/rules.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/packaging.h"
#include "domain/waste_catalogue.h"

namespace cradle::domain {
namespace {

class LoadMismatch final : public EventRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_LOAD_MISMATCH; }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    std::string detail;
    bool undeclared_hazard = false;
    for (const ledger::v1::ManifestEvent& e : ctx.events) {
      if (!e.has_received()) continue;
      for (const ledger::v1::LineReceipt& r : e.received().lines()) {
        if (r.line() < 1 || r.line() > ctx.after.lines_size()) continue;
        const v1::WasteLine& shipped = ctx.after.lines(r.line() - 1);
        std::string found;
        Compare(shipped, r, &found, &undeclared_hazard);
        if (!found.empty()) {
          absl::StrAppend(&detail, detail.empty() ? "" : "; ", "line ",
                          r.line(), " ", found);
        }
      }
    }
    if (!detail.empty()) {
      out->push_back(RaiseFlag(
          kind(), undeclared_hazard ? v1::SEVERITY_HIGH : v1::SEVERITY_MEDIUM,
          ctx.after.destinations_size() - 1, detail));
    }
    return absl::OkStatus();
  }

 private:
  static void Compare(const v1::WasteLine& shipped,
                      const ledger::v1::LineReceipt& r, std::string* found,
                      bool* undeclared_hazard) {
    auto note = [&](absl::string_view what, absl::string_view declared,
                    absl::string_view arrived) {
      absl::StrAppend(found, found->empty() ? "" : ", ", what, " declared ",
                      declared, ", arrived ", arrived);
    };
    if (r.form() != ledger::v1::PHYSICAL_FORM_UNSPECIFIED &&
        shipped.form() != v1::PHYSICAL_FORM_UNSPECIFIED &&
        static_cast<int>(r.form()) != static_cast<int>(shipped.form())) {
      note("form", ShortName(shipped.form()),
           ShortName(static_cast<v1::PhysicalForm>(r.form())));
    }
    if (!r.packaging().empty() && !shipped.packaging().empty()) {
      absl::StatusOr<PackagingKind> declared =
          LookupPackaging("packaging", shipped.packaging());
      absl::StatusOr<PackagingKind> arrived =
          LookupPackaging("packaging", r.packaging());
      // A line recorded before the vocabulary may hold another word: it
      // differs only when both are words of the vocabulary.
      if (declared.ok() && arrived.ok() && *declared != *arrived) {
        note("packaging", shipped.packaging(), r.packaging());
      }
    }
    if (!r.hazards().empty()) {
      const uint8_t declared = HazardBits(shipped.hazards());
      const uint8_t arrived = HazardBits(r.hazards());
      if (declared != arrived) {
        *undeclared_hazard |= (arrived & ~declared) != 0;
        note("hazards", FormatHazards(declared), FormatHazards(arrived));
      }
    }
  }
};

}  // namespace

const EventRule& LoadMismatchRule() {
  static const LoadMismatch* rule = new LoadMismatch;
  return *rule;
}

}  // namespace cradle::domain
