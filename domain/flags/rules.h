#pragma once

// Every flag rule, registered once. To add a rule: write it in its own file
// (see cross_city_rule.cc), declare its accessor here, and add it to the list
// in rules.cc.

#include <vector>

#include "absl/status/statusor.h"

#include "cradle/v1/container.pb.h"
#include "domain/flags/rule.h"

namespace cradle::domain {

const EventRule& CrossCityRule();
const EventRule& CrossProvinceRule();
const EventRule& UnlicensedReceiverRule();
const EventRule& UnlicensedMethodRule();
const EventRule& WrongReceiverRule();
const EventRule& QuantityDiscrepancyRule();
const EventRule& DirectPaymentRule();
const EventRule& LoadMismatchRule();
const EventRule& ContainerMismatchRule();
const EventRule& PlanDeviationRule();
const EventRule& UnstoredContainerRule();
const EventRule& CollectionShortfallRule();
// The registered containers the decision in `ctx` takes out of stock (its
// pickup, or a back-filled opening already past it), as read; none for any
// other decision. Shared by the two rules above.
absl::StatusOr<std::vector<v1::Container>> ContainersLeavingStock(
    const EventContext& ctx);
// The three track rules share track_rules.cc.
const EventRule& RouteDeviationRule();
const EventRule& LongStopRule();
const EventRule& TrackGapRule();

const DeadlineRule& TransitOverdueRule();
const DeadlineRule& ReceiptOverdueRule();
const DeadlineRule& MissingDisposalRule();
const DeadlineRule& BackfillOverdueRule();

const std::vector<const EventRule*>& EventRules();
const std::vector<const DeadlineRule*>& DeadlineRules();

}  // namespace cradle::domain
