#pragma once

// Management plans (管理计划, 2021 办法 Art. 14; HJ 1259-2022;
// docs/PLANS.md): a generator files, for a calendar year, what it expects
// to generate of each waste code, what it uses or disposes of on site, what
// it keeps in stock and what it transfers to which receivers. A manifest
// names the plan it falls under (dispatch.plan_number), and its shipment is
// compared with the plan: a code or receiver the plan does not list, or a
// cumulative quantity over the plan's, is a deviation for the regulator to
// see. The research found no national rule that refuses such a manifest, so
// none is refused: a plan is a filing, revised by filing again.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/plan.pb.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// A plan's quantities: up to a million tonnes a line, in grams.
inline constexpr int64_t kMaxPlanGrams = int64_t{1000} * 1000 * 1000 * 1000;
inline constexpr int kMaxPlanLines = 500;
inline constexpr int kMaxPlanTransfers = 100;  // per line
// Plans filed in one division in one year: the number's 4 digits.
inline constexpr int kMaxPlanSequence = 9999;

// "330402-2026-0017": the `sequence`th plan filed in `division` (the
// generator's, 6 digits) for `year`.
std::string FormatPlanNumber(absl::string_view division, int year,
                             int sequence);

struct PlanNumber {
  std::string division;
  int year = 0;
  int sequence = 0;
};
// INVALID_ARGUMENT naming `field` when `text` is not a filing number.
absl::StatusOr<PlanNumber> ParsePlanNumber(absl::string_view field,
                                           absl::string_view text);

// A plan as a generator files it, before the number is issued: INVALID_
// ARGUMENT (or NOT_FOUND for a party not registered) naming the field, as
// "plan.lines[1].transfers[0].receiver". `this_year` bounds the plan's year:
// this year's plan, or next year's.
absl::Status CheckPlan(const v1::ManagementPlan& plan,
                       const RegistryReader& registry, int this_year);

// Filing a plan (Registry.FilePlan): the plan as CheckPlan checks it, with
// what the server gives it. `existing` is the generator's plan for the same
// year when it has filed one: this filing revises it, keeping its number,
// one version more. Otherwise the plan is given `number`. The request's
// plan.number must be empty or, when filing again, the number it has.
struct PlanDecision {
  ledger::v1::RegistryEvent event;
  v1::ManagementPlan next;
};
absl::StatusOr<PlanDecision> DecideFilePlan(const v1::FilePlanRequest& request,
                                            const RegistryReader& registry,
                                            const v1::ManagementPlan* existing,
                                            absl::string_view number,
                                            absl::Time now);

// The plan a plan_filed event records: the plan as sent, with the number,
// time and version the server gave it.
v1::ManagementPlan FiledPlan(const ledger::v1::RegistryEvent& event);

// The year a manifest counts in: its paper date's for a back-fill, else
// its opening's (China time).
int PlanYear(const v1::Manifest& m);

// Plan `number` (the request's `field`) as a manifest of `generator` in
// `year` may name it: filed (NOT_FOUND otherwise), the generator's and for
// that year (INVALID_ARGUMENT otherwise), each naming the field.
absl::StatusOr<v1::ManagementPlan> PlanFor(const RegistryReader& registry,
                                           absl::string_view field,
                                           absl::string_view number,
                                           absl::string_view generator,
                                           int year);

// Grams shipped under a plan, by waste code and receiver.
using PlanShipped = std::map<std::pair<std::string, std::string>, int64_t>;

// What a manifest ships: the grams each destination was sent of each line,
// by waste code and receiver. None for a cancelled or voided manifest or a
// load returned to its generator.
PlanShipped ShipmentsOf(const v1::Manifest& m);

// How a shipment leaves its plan.
struct PlanDeviation {
  enum Kind {
    kCodeNotPlanned,      // the plan has no line of the waste code
    kReceiverNotPlanned,  // the code's line plans no transfer to the receiver
    kOverPlan,            // more shipped to the receiver than planned
  };
  Kind kind;
  std::string code;
  std::string receiver;
  std::string detail;  // in words, with the figures
};

// The deviations from `plan` of `shipped` (a manifest's ShipmentsOf),
// given what other manifests shipped under it (`others`).
std::vector<PlanDeviation> CompareWithPlan(const v1::ManagementPlan& plan,
                                           const PlanShipped& shipped,
                                           const PlanShipped& others);

}  // namespace cradle::domain
