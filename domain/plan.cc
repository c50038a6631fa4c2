#include "domain/plan.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "domain/decision_checks.h"
#include "domain/names.h"
#include "domain/quantity.h"
#include "domain/record.h"
#include "domain/treatment_method.h"
#include "domain/waste_catalogue.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

absl::Status CheckGrams(absl::string_view field, int64_t grams) {
  if (grams < 0 || grams > kMaxPlanGrams) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", grams, " grams: must be 0..", kMaxPlanGrams,
                     " (a million tonnes)"));
  }
  return absl::OkStatus();
}

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

absl::Status CheckLine(absl::string_view at, const v1::PlanLine& line,
                       const RegistryReader& registry, v1::GeneratorTier tier) {
  CRADLE_RETURN_IF_ERROR(WasteCatalogue::Builtin()
                             .Lookup(absl::StrCat(at, ".code"), line.code())
                             .status());
  for (const auto& [name, grams] :
       {std::pair<const char*, int64_t>{"expected_g", line.expected_g()},
        {"own_use_g", line.own_use_g()},
        {"stock_g", line.stock_g()}}) {
    CRADLE_RETURN_IF_ERROR(CheckGrams(absl::StrCat(at, ".", name), grams));
  }
  if (line.expected_g() <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        at, ".expected_g is required: what the year is expected to generate"));
  }
  if (line.transfers_size() > kMaxPlanTransfers) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, ".transfers: ", line.transfers_size(),
                     " transfers, at most ", kMaxPlanTransfers));
  }
  if (tier != v1::GENERATOR_TIER_REGISTRATION && line.transfers().empty() &&
      line.own_use_g() == 0 && line.stock_g() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        at, ".transfers: a plan of tier ", ShortName(tier),
        " says where each code goes: transfers, own use or stock"));
  }
  int64_t transferred = 0;
  std::set<std::string> receivers;
  for (int t = 0; t < line.transfers_size(); ++t) {
    const v1::PlannedTransfer& tr = line.transfers(t);
    const std::string tat = absl::StrCat(at, ".transfers[", t, "]");
    CRADLE_RETURN_IF_ERROR(RegisteredAs(registry,
                                        absl::StrCat(tat, ".receiver"),
                                        tr.receiver(), {v1::ROLE_RECEIVER})
                               .status());
    if (!receivers.insert(tr.receiver()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          tat, ".receiver ", tr.receiver(), " is planned twice for ",
          line.code(), ": give one transfer per receiver"));
    }
    CRADLE_RETURN_IF_ERROR(
        CheckGrams(absl::StrCat(tat, ".quantity_g"), tr.quantity_g()));
    if (tr.quantity_g() <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(tat, ".quantity_g is required"));
    }
    if (!tr.method().empty()) {
      CRADLE_RETURN_IF_ERROR(
          LookupMethod(absl::StrCat(tat, ".method"), tr.method()).status());
    }
    transferred += tr.quantity_g();
  }
  // The plan's balance (HJ 1259): what is generated is used on site, kept,
  // or transferred.
  const int64_t out = line.own_use_g() + line.stock_g() + transferred;
  if (out != line.expected_g()) {
    return absl::InvalidArgumentError(absl::StrCat(
        at, " does not balance: expected ", FormatGrams(line.expected_g()),
        ", but own use ", FormatGrams(line.own_use_g()), " + stock ",
        FormatGrams(line.stock_g()), " + transfers ", FormatGrams(transferred),
        " = ", FormatGrams(out)));
  }
  return absl::OkStatus();
}

int YearOf(const google::protobuf::Timestamp& t) {
  return static_cast<int>(
      absl::ToCivilYear(FromTimestamp(t), ChinaTime()).year());
}

}  // namespace

std::string FormatPlanNumber(absl::string_view division, int year,
                             int sequence) {
  return absl::StrFormat("%s-%04d-%04d", division, year, sequence);
}

absl::StatusOr<PlanNumber> ParsePlanNumber(absl::string_view field,
                                           absl::string_view text) {
  PlanNumber n;
  // 330402-2026-0017: 6 + 1 + 4 + 1 + 4.
  if (text.size() == 16 && text[6] == '-' && text[11] == '-' &&
      AllDigits(text.substr(0, 6)) && AllDigits(text.substr(7, 4)) &&
      AllDigits(text.substr(12, 4)) &&
      absl::SimpleAtoi(text.substr(7, 4), &n.year) &&
      absl::SimpleAtoi(text.substr(12, 4), &n.sequence) && n.sequence > 0) {
    n.division = std::string(text.substr(0, 6));
    return n;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, " ", Quote(text),
                   " is not a plan's filing number: division-year-sequence, "
                   "as 330402-2026-0017"));
}

absl::Status CheckPlan(const v1::ManagementPlan& plan,
                       const RegistryReader& registry, int this_year) {
  CRADLE_RETURN_IF_ERROR(RegisteredAs(registry, "plan.generator",
                                      plan.generator(), {v1::ROLE_GENERATOR})
                             .status());
  if (plan.year() != this_year && plan.year() != this_year + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan.year ", plan.year(), ": a plan is filed for ",
                     this_year, " or ", this_year + 1));
  }
  if (plan.tier() == v1::GENERATOR_TIER_UNSPECIFIED ||
      !v1::GeneratorTier_IsValid(plan.tier())) {
    return absl::InvalidArgumentError(
        "plan.tier is required: KEY (重点监管), SIMPLIFIED (简化管理) or "
        "REGISTRATION (登记管理)");
  }
  if (plan.lines().empty()) {
    return absl::InvalidArgumentError(
        "plan.lines: a plan lists at least one waste code");
  }
  if (plan.lines_size() > kMaxPlanLines) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plan.lines: ", plan.lines_size(), " lines, at most ", kMaxPlanLines));
  }
  std::set<std::string> codes;
  for (int i = 0; i < plan.lines_size(); ++i) {
    const std::string at = absl::StrCat("plan.lines[", i, "]");
    CRADLE_RETURN_IF_ERROR(CheckLine(at, plan.lines(i), registry, plan.tier()));
    if (!codes.insert(plan.lines(i).code()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".code ", plan.lines(i).code(),
                       " is listed twice: one line per waste code"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PlanDecision> DecideFilePlan(const v1::FilePlanRequest& request,
                                            const RegistryReader& registry,
                                            const v1::ManagementPlan* existing,
                                            absl::string_view number,
                                            absl::Time now) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  const v1::ManagementPlan& plan = request.plan();
  const int this_year =
      static_cast<int>(absl::ToCivilYear(now, ChinaTime()).year());
  CRADLE_RETURN_IF_ERROR(CheckPlan(plan, registry, this_year));
  if (existing == nullptr && !plan.number().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan.number ", Quote(plan.number()), ": ",
                     plan.generator(), " has filed no plan for ", plan.year(),
                     "; leave the number empty, the filing is given one"));
  }
  if (existing != nullptr && !plan.number().empty() &&
      plan.number() != existing->number()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plan.number ", Quote(plan.number()), " is not ", plan.generator(),
        "'s plan for ", plan.year(), ", which is ", existing->number()));
  }
  PlanDecision d;
  *d.event.mutable_plan_filed() = Transcribe<ledger::v1::PlanFiled>(request);
  d.event.set_number(existing != nullptr ? existing->number()
                                         : std::string(number));
  d.event.set_version(existing != nullptr ? existing->version() + 1 : 1);
  *d.event.mutable_decided_at() = ToTimestamp(now);
  d.next = FiledPlan(d.event);
  return d;
}

v1::ManagementPlan FiledPlan(const ledger::v1::RegistryEvent& event) {
  v1::ManagementPlan plan =
      Transcribe<v1::ManagementPlan>(event.plan_filed().plan());
  plan.set_number(event.number());
  plan.set_version(event.version());
  *plan.mutable_filed_at() = event.decided_at();
  return plan;
}

int PlanYear(const v1::Manifest& m) {
  absl::CivilDay paper;
  if (!m.paper_date().empty() && absl::ParseCivilTime(m.paper_date(), &paper)) {
    return static_cast<int>(paper.year());
  }
  return YearOf(m.opened_at());
}

absl::StatusOr<v1::ManagementPlan> PlanFor(const RegistryReader& registry,
                                           absl::string_view field,
                                           absl::string_view number,
                                           absl::string_view generator,
                                           int year) {
  CRADLE_RETURN_IF_ERROR(ParsePlanNumber(field, number).status());
  CRADLE_ASSIGN_OR_RETURN(v1::ManagementPlan plan,
                          registry.GetPlan(field, number));
  if (plan.generator() != generator) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", number, " is the plan of ", plan.generator(),
                     ", not of the generator ", generator));
  }
  if (plan.year() != year) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", number, " is the plan for ", plan.year(),
                     "; the manifest"
                     " is of ",
                     year));
  }
  return plan;
}

PlanShipped ShipmentsOf(const v1::Manifest& m) {
  PlanShipped out;
  if (m.status() == v1::MANIFEST_STATUS_CANCELLED ||
      m.status() == v1::MANIFEST_STATUS_VOIDED) {
    return out;
  }
  for (const v1::Destination& d : m.destinations()) {
    if (d.returned_to_generator()) continue;
    for (int i = 0; i < d.sent_g_size() && i < m.lines_size(); ++i) {
      if (d.sent_g(i) > 0)
        out[{m.lines(i).code(), d.receiver()}] += d.sent_g(i);
    }
  }
  return out;
}

std::vector<PlanDeviation> CompareWithPlan(const v1::ManagementPlan& plan,
                                           const PlanShipped& shipped,
                                           const PlanShipped& others) {
  std::vector<PlanDeviation> out;
  for (const auto& [key, grams] : shipped) {
    const auto& [code, receiver] = key;
    const v1::PlanLine* planned = nullptr;
    for (const v1::PlanLine& l : plan.lines()) {
      if (l.code() == code) planned = &l;
    }
    if (planned == nullptr) {
      out.push_back({PlanDeviation::kCodeNotPlanned, code, receiver,
                     absl::StrCat(code, " is not in plan ", plan.number())});
      continue;
    }
    const v1::PlannedTransfer* transfer = nullptr;
    for (const v1::PlannedTransfer& t : planned->transfers()) {
      if (t.receiver() == receiver) transfer = &t;
    }
    if (transfer == nullptr) {
      out.push_back({PlanDeviation::kReceiverNotPlanned, code, receiver,
                     absl::StrCat(code, " goes to ", receiver,
                                  ", a receiver "
                                  "plan ",
                                  plan.number(),
                                  " does not plan for "
                                  "it")});
      continue;
    }
    auto other = others.find(key);
    const int64_t total = grams + (other == others.end() ? 0 : other->second);
    if (total > transfer->quantity_g()) {
      out.push_back({PlanDeviation::kOverPlan, code, receiver,
                     absl::StrCat(code, " to ", receiver, ": ",
                                  FormatGrams(total), " shipped in ",
                                  plan.year(), " with this manifest, over the ",
                                  FormatGrams(transfer->quantity_g()), " plan ",
                                  plan.number(), " plans")});
    }
  }
  return out;
}

}  // namespace cradle::domain
