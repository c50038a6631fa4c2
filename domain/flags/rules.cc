#include "domain/flags/rules.h"

namespace cradle::domain {

const std::vector<const EventRule*>& EventRules() {
  static const auto* rules = new std::vector<const EventRule*>{
      &CrossCityRule(),
      &CrossProvinceRule(),
      &UnlicensedReceiverRule(),
      &UnlicensedMethodRule(),
      &WrongReceiverRule(),
      &QuantityDiscrepancyRule(),
      &DirectPaymentRule(),
      &LoadMismatchRule(),
      &ContainerMismatchRule(),
      &RouteDeviationRule(),
      &LongStopRule(),
      &TrackGapRule(),
      &PlanDeviationRule(),
      &UnstoredContainerRule(),
      &CollectionShortfallRule(),
  };
  return *rules;
}

const std::vector<const DeadlineRule*>& DeadlineRules() {
  static const auto* rules = new std::vector<const DeadlineRule*>{
      &TransitOverdueRule(),
      &ReceiptOverdueRule(),
      &MissingDisposalRule(),
      &BackfillOverdueRule(),
  };
  return *rules;
}

}  // namespace cradle::domain
