// WRONG_RECEIVER: the delivery was scanned by a receiver other than the one
// the manifest names.

#include "absl/strings/str_cat.h"

#include "domain/flags/rules.h"

namespace cradle::domain {
namespace {

class WrongReceiver final : public EventRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_WRONG_RECEIVER; }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    for (const ledger::v1::ManifestEvent& e : ctx.events) {
      if (!e.has_misdelivered()) continue;
      const int subject = ctx.after.destinations_size() - 1;
      ledger::v1::ManifestEvent flag = RaiseFlag(
          kind(), v1::SEVERITY_HIGH, subject,
          absl::StrCat("delivery scanned by ", e.misdelivered().receiver(),
                       "; the manifest names ", ctx.after.receiver()));
      ledger::v1::Flag* f = flag.mutable_flag_raised();
      for (const std::string& p :
           {ctx.after.generator(), ctx.after.carrier(), ctx.after.receiver(),
            e.misdelivered().receiver()}) {
        f->add_enterprises(p);
      }
      out->push_back(std::move(flag));
    }
    return absl::OkStatus();
  }
};

}  // namespace

const EventRule& WrongReceiverRule() {
  static const WrongReceiver* rule = new WrongReceiver;
  return *rule;
}

}  // namespace cradle::domain
