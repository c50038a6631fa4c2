// cradlectl plan file | show | declare: a generator's management plan and
// its annual declaration (docs/PLANS.md).

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/declaration.h"
#include "domain/names.h"
#include "domain/quantity.h"
#include "print/declaration_pdf.h"

namespace cradle::clients {
namespace {

// A plan's quantity: "0", or as ParseQuantityGrams reads it ("12t").
absl::StatusOr<int64_t> PlanGrams(absl::string_view flag,
                                  absl::string_view text) {
  if (text == "0") return 0;
  return domain::ParseQuantityGrams(flag, text);
}

// --line CODE:EXPECTED[:OWN_USE[:STOCK]]
absl::StatusOr<v1::PlanLine> ParsePlanLine(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() < 2 || parts.size() > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("--line ", Quote(text),
                     " is not CODE:EXPECTED[:OWN_USE[:STOCK]], e.g. "
                     "900-249-08:12t:2t:1t"));
  }
  v1::PlanLine line;
  line.set_code(std::string(parts[0]));
  CRADLE_ASSIGN_OR_RETURN(const int64_t expected,
                          PlanGrams("--line EXPECTED", parts[1]));
  line.set_expected_g(expected);
  if (parts.size() > 2) {
    CRADLE_ASSIGN_OR_RETURN(const int64_t own,
                            PlanGrams("--line OWN_USE", parts[2]));
    line.set_own_use_g(own);
  }
  if (parts.size() > 3) {
    CRADLE_ASSIGN_OR_RETURN(const int64_t stock,
                            PlanGrams("--line STOCK", parts[3]));
    line.set_stock_g(stock);
  }
  return line;
}

// --transfer CODE:RECEIVER:QTY[:METHOD], onto the line of CODE.
absl::Status AddTransfer(absl::string_view text, v1::ManagementPlan* plan) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() < 3 || parts.size() > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("--transfer ", Quote(text),
                     " is not CODE:RECEIVER:QTY[:METHOD], e.g. "
                     "900-249-08:91330481MA2B3C4D5E:6t:D10"));
  }
  v1::PlanLine* line = nullptr;
  for (v1::PlanLine& l : *plan->mutable_lines()) {
    if (l.code() == parts[0]) line = &l;
  }
  if (line == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--transfer ", Quote(text), ": no --line of code ",
                     parts[0], " comes before it"));
  }
  v1::PlannedTransfer* t = line->add_transfers();
  t->set_receiver(std::string(parts[1]));
  CRADLE_ASSIGN_OR_RETURN(const int64_t grams,
                          PlanGrams("--transfer QTY", parts[2]));
  t->set_quantity_g(grams);
  if (parts.size() > 3) t->set_method(std::string(parts[3]));
  return absl::OkStatus();
}

void PrintPlan(
    const v1::ManagementPlan& p,
    const google::protobuf::RepeatedPtrField<v1::PlanProgress>* progress) {
  std::printf("plan %s  v%d  %s  %d  %s  filed %s\n", p.number().c_str(),
              p.version(), p.generator().c_str(), p.year(),
              domain::ShortName(p.tier()).c_str(), Time(p.filed_at()).c_str());
  for (const v1::PlanLine& l : p.lines()) {
    std::printf("  %s  expected %s  own use %s  stock %s\n", l.code().c_str(),
                FormatQuantity(l.expected_g()).c_str(),
                FormatQuantity(l.own_use_g()).c_str(),
                FormatQuantity(l.stock_g()).c_str());
    for (const v1::PlannedTransfer& t : l.transfers()) {
      std::string shipped;
      if (progress != nullptr) {
        int64_t grams = 0;
        for (const v1::PlanProgress& g : *progress) {
          if (g.code() == l.code() && g.receiver() == t.receiver()) {
            grams = g.shipped_g();
          }
        }
        shipped = absl::StrCat("  shipped ", FormatQuantity(grams), " (",
                               grams * 100 / t.quantity_g(), "%)");
      }
      std::printf("    -> %s  %s%s%s%s\n", t.receiver().c_str(),
                  FormatQuantity(t.quantity_g()).c_str(),
                  t.method().empty() ? "" : "  ", t.method().c_str(),
                  shipped.c_str());
    }
  }
  if (progress == nullptr) return;
  for (const v1::PlanProgress& g : *progress) {
    if (g.planned_g() == 0) {
      std::printf("  not planned: %s -> %s  shipped %s\n", g.code().c_str(),
                  g.receiver().c_str(), FormatQuantity(g.shipped_g()).c_str());
    }
  }
}

// cradlectl plan file
absl::Status FilePlan(const Context& ctx, const ParsedArgs& a) {
  v1::FilePlanRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  v1::ManagementPlan* plan = req.mutable_plan();
  plan->set_generator(a.Get("generator"));
  CRADLE_CLI_ASSIGN(year, YearFlag(a));
  plan->set_year(year);
  v1::GeneratorTier tier;
  if (!domain::ParseShortName(absl::AsciiStrToUpper(a.Get("tier")), &tier) ||
      tier == v1::GENERATOR_TIER_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tier ", Quote(a.Get("tier")),
                     " is not key, simplified or registration"));
  }
  plan->set_tier(tier);
  for (const std::string& l : a.GetAll("line")) {
    CRADLE_CLI_ASSIGN(line, ParsePlanLine(l));
    *plan->add_lines() = std::move(line);
  }
  for (const std::string& t : a.GetAll("transfer")) {
    CRADLE_RETURN_IF_ERROR(AddTransfer(t, plan));
  }
  plan->set_number(a.Get("number"));
  v1::FilePlanResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Registry::NewStub(ctx.channel)->FilePlan(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
  } else {
    PrintPlan(reply.plan(), nullptr);
    std::printf("  entry %llu%s\n",
                static_cast<unsigned long long>(reply.receipt().sequence()),
                reply.receipt().replayed() ? " (replayed)" : "");
  }
  return absl::OkStatus();
}

// cradlectl plan show
absl::Status ShowPlan(const Context& ctx, const ParsedArgs& a) {
  v1::GetPlanRequest req;
  if (!a.positional.empty()) req.set_number(a.positional[0]);
  req.set_generator(a.Get("generator"));
  CRADLE_CLI_ASSIGN(year, YearFlag(a));
  req.set_year(year);
  v1::GetPlanResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Registry::NewStub(ctx.channel)->GetPlan(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
  } else {
    PrintPlan(reply.plan(), &reply.progress());
  }
  return absl::OkStatus();
}

// cradlectl plan declare
absl::Status Declare(const Context& ctx, const ParsedArgs& a) {
  v1::GetDeclarationRequest req;
  req.set_generator(a.Get("generator"));
  CRADLE_CLI_ASSIGN(year, YearFlag(a));
  req.set_year(year);
  v1::GetDeclarationResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->GetDeclaration(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  CRADLE_RETURN_IF_ERROR(
      WriteFlagFile(a, "csv", domain::DeclarationCsv(reply)));
  CRADLE_RETURN_IF_ERROR(
      WritePdfFlag(ctx, a, reply.generator(),
                   [&](const std::string& name, const std::string& path) {
                     return print::WriteDeclarationPdf(reply, name, path);
                   }));
  if (ctx.json) {
    PrintJson(reply);
    return absl::OkStatus();
  }
  std::printf(
      "declaration of %s for %d as of %s, plan %s\n", reply.generator().c_str(),
      reply.year(), reply.as_of().c_str(),
      reply.plan_number().empty() ? "(none)" : reply.plan_number().c_str());
  std::printf("  %-10s  %10s  %10s  %10s  %10s  %10s  %10s\n", "code",
              "generated", "planned", "shipped", "own use", "stock in",
              "stock out");
  for (const v1::DeclarationLine& l : reply.lines()) {
    std::printf("  %-10s  %10s  %10s  %10s  %10s  %10s  %10s\n",
                l.code().c_str(), FormatQuantity(l.generated_g()).c_str(),
                FormatQuantity(l.planned_g()).c_str(),
                FormatQuantity(l.shipped_g()).c_str(),
                FormatQuantity(l.own_use_g()).c_str(),
                FormatQuantity(l.stock_start_g()).c_str(),
                FormatQuantity(l.stock_end_g()).c_str());
    if (l.repacked_g() != 0) {
      std::printf("    repacked from what it collected: %s (not generated)\n",
                  FormatQuantity(l.repacked_g()).c_str());
    }
    for (const v1::DeclaredTransfer& t : l.transfers()) {
      std::printf("    -> %s  shipped %s of %s planned, %d manifest%s\n",
                  t.receiver().c_str(), FormatQuantity(t.shipped_g()).c_str(),
                  FormatQuantity(t.planned_g()).c_str(), t.manifests(),
                  t.manifests() == 1 ? "" : "s");
    }
  }
  if (reply.lines().empty()) std::printf("  (nothing in the year)\n");
  for (const std::string& n : reply.notes()) {
    std::printf("  NOTE %s\n", n.c_str());
  }
  for (const char* file : {"csv", "pdf"}) {
    if (a.Has(file)) std::printf("  wrote %s\n", a.Get(file).c_str());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> PlanCommands() {
  return {
      {"plan file", "",
       "File a generator's management plan (管理计划) for this year or the "
       "next; filing again revises it, keeping its number. Each line "
       "balances: expected = own use + stock + its transfers.",
       With(
           {{"generator", "USCC", "the generator filing it", false, true},
            {"year", "YYYY", "the plan's year", false, true},
            {"tier", "TIER",
             "key (重点监管), simplified (简化管理) or registration (登记管理)",
             false, true},
            {"line", "CODE:EXPECTED[:OWN_USE[:STOCK]]",
             "a waste code's expected quantity in the year, what is used or "
             "disposed of on site and what stays in stock, e.g. "
             "900-249-08:12t:2t:1t",
             true, true},
            {"transfer", "CODE:RECEIVER:QTY[:METHOD]",
             "a planned transfer of a line's code to a receiver, e.g. "
             "900-249-08:91330481MA2B3C4D5E:6t:D10",
             true},
            {"number", "NUMBER",
             "when filing again, the plan's number (checked)"}},
           false),
       FilePlan},
      {"plan show",
       "[NUMBER]",
       "Show a plan and what manifests under it have shipped, by code and "
       "receiver; by number, or by --generator and --year.",
       {{"generator", "USCC", "the generator, with --year"},
        {"year", "YYYY", "the plan's year, with --generator"}},
       ShowPlan},
      {"plan declare",
       "",
       "A generator's annual declaration (年度申报) of a year's figures per "
       "waste code, pre-filled from the ledger: generated = shipped + own "
       "use + stock out - stock in, against the year's plan, with notes "
       "where the year left it.",
       {{"generator", "USCC", "the generator", false, true},
        {"year", "YYYY", "the year declared: this one or an earlier", false,
         true},
        {"csv", "FILE",
         "also write it as CSV, one row per code and one per receiver"},
        {"pdf", "FILE", "also write it as an A4 PDF, to sign and file"}},
       Declare},
  };
}

}  // namespace cradle::clients
