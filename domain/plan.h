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

#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/plan.pb.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// A plan's quantities: up to a million tonnes a line, in grams.
inline constexpr int64_t kMaxPlanGrams = int64_t{1000} * 1000 * 1000 * 1000;
inline constexpr int kMaxPlanLines = 500;
inline constexpr int kMaxPlanTransfers = 100;  // per line

// "KEY", "SIMPLIFIED", "REGISTRATION".
std::string ShortTier(v1::GeneratorTier tier);

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

// Grams already shipped under a plan, by waste code and receiver.
using PlanShipped = std::map<std::pair<std::string, std::string>, int64_t>;

// Adds the grams `m` ships (each line's quantity, to its receiver).
void AddShipped(const v1::Manifest& m, PlanShipped* shipped);

// How a shipment leaves its plan.
struct PlanDeviation {
  enum Kind {
    kCodeNotPlanned,      // the plan has no line of the waste code
    kReceiverNotPlanned,  // the code's line plans no transfer to the receiver
    kOverPlan,            // more shipped to the receiver than planned
  };
  Kind kind;
  int line;            // the manifest's line, from 0
  std::string detail;  // in words, with the figures
};

// The deviations of manifest `m` from `plan`, given what earlier manifests
// shipped under it (`before`, without `m`). INVALID_ARGUMENT when the plan
// cannot be the manifest's: another generator's, or another year's (of the
// manifest's opening, China time).
absl::StatusOr<std::vector<PlanDeviation>> CompareWithPlan(
    const v1::ManagementPlan& plan, const v1::Manifest& m,
    const PlanShipped& before);

}  // namespace cradle::domain
