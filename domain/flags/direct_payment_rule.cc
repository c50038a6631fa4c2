// DIRECT_PAYMENT: the disposal fee went to someone other than a receiver of
// the load (the carrier, a person): the closed loop of goods and money is
// broken.

#include "absl/strings/str_cat.h"

#include "domain/flags/rules.h"

namespace cradle::domain {
namespace {

class DirectPayment final : public EventRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_DIRECT_PAYMENT; }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    for (const ledger::v1::ManifestEvent& e : ctx.events) {
      if (!e.has_payment_recorded()) continue;
      const std::string& payee = e.payment_recorded().payee();
      bool to_receiver = false;
      for (const v1::Destination& d : ctx.after.destinations()) {
        to_receiver |= !d.returned_to_generator() && d.receiver() == payee;
      }
      if (to_receiver) continue;
      // The subject is the payment's index, so each payment is judged once.
      ledger::v1::ManifestEvent flag = RaiseFlag(
          kind(), v1::SEVERITY_HIGH, ctx.after.payments_size() - 1,
          absl::StrCat("fee of ", e.payment_recorded().amount_fen() / 100, ".",
                       e.payment_recorded().amount_fen() % 100 / 10,
                       e.payment_recorded().amount_fen() % 10, " CNY paid to ",
                       payee, ", not to the receiver"));
      for (const std::string& p :
           {ctx.after.generator(), ctx.after.carrier(), payee}) {
        flag.mutable_flag_raised()->add_enterprises(p);
      }
      out->push_back(std::move(flag));
    }
    return absl::OkStatus();
  }
};

}  // namespace

const EventRule& DirectPaymentRule() {
  static const DirectPayment* rule = new DirectPayment;
  return *rule;
}

}  // namespace cradle::domain
