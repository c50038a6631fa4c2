// UNLICENSED_RECEIVER: the named receiver holds no valid licence covering a
// code of the load, or the load would take it over its licensed capacity for
// the year.

#include "base/status_macros.h"
#include "domain/flags/licence.h"
#include "domain/flags/rules.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

class UnlicensedReceiver final : public EventRule {
 public:
  v1::FlagKind kind() const override {
    return v1::FLAG_KIND_UNLICENSED_RECEIVER;
  }
  bool PerDestination() const override { return true; }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    const absl::CivilDay today = absl::ToCivilDay(ctx.now, ChinaTime());
    for (int i : NewDestinations(ctx)) {
      const v1::Destination& d = ctx.after.destinations(i);
      if (d.returned_to_generator()) continue;
      CRADLE_ASSIGN_OR_RETURN(
          v1::Enterprise receiver,
          ctx.facts.GetEnterprise("receiver", d.receiver()));
      CRADLE_ASSIGN_OR_RETURN(std::string problem,
                              LicenceProblem(receiver, CodesSent(ctx.after, d),
                                             GramsSent(d), today, ctx.facts));
      if (!problem.empty()) {
        out->push_back(
            RaiseFlag(kind(), v1::SEVERITY_HIGH, i, std::move(problem)));
      }
    }
    return absl::OkStatus();
  }
};

}  // namespace

const EventRule& UnlicensedReceiverRule() {
  static const UnlicensedReceiver* rule = new UnlicensedReceiver;
  return *rule;
}

}  // namespace cradle::domain
