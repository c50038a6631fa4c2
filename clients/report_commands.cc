// cradlectl report operator: a licensed operator's daily or annual report
// (经营情况报告; docs/REPORTS.md), read off the ledger, on the terminal and
// as CSV.

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/operator_report.h"
#include "print/report_pdf.h"

namespace cradle::clients {
namespace {

absl::Status Operator(const Context& ctx, const ParsedArgs& a) {
  v1::GetOperatorReportRequest req;
  req.set_operator_(a.Get("operator"));
  req.set_day(a.Get("day"));
  CRADLE_CLI_ASSIGN(year, YearFlag(a));
  req.set_year(year);
  v1::GetOperatorReportResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->GetOperatorReport(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  CRADLE_RETURN_IF_ERROR(
      WriteFlagFile(a, "csv", domain::OperatorReportLinesCsv(reply)));
  CRADLE_RETURN_IF_ERROR(
      WriteFlagFile(a, "entries-csv", domain::OperatorReportEntriesCsv(reply)));
  CRADLE_RETURN_IF_ERROR(
      WritePdfFlag(ctx, a, reply.operator_(),
                   [&](const std::string& name, const std::string& path) {
                     return print::WriteOperatorReportPdf(reply, name, path);
                   }));
  if (ctx.json) {
    PrintJson(reply);
    return absl::OkStatus();
  }
  std::printf("report of %s for %s as of %s%s\n", reply.operator_().c_str(),
              reply.period().c_str(), reply.as_of().c_str(),
              reply.zero() ? ": zero report (零报告), nothing moved" : "");
  if (reply.capacity_g() > 0) {
    std::printf("  licensed capacity %s a year\n",
                FormatQuantity(reply.capacity_g()).c_str());
  }
  std::printf("  %-10s  %10s  %10s  %10s  %10s  %10s  %9s  %10s\n", "code",
              "stock in", "accepted", "rejected", "treated", "stock out",
              "manifests", "secondary");
  for (const v1::OperatorReportLine& l : reply.lines()) {
    std::printf("  %-10s  %10s  %10s  %10s  %10s  %10s  %9d  %10s\n",
                l.code().c_str(), FormatQuantity(l.stock_start_g()).c_str(),
                FormatQuantity(l.accepted_g()).c_str(),
                FormatQuantity(l.rejected_g()).c_str(),
                FormatQuantity(l.treated_g()).c_str(),
                FormatQuantity(l.stock_end_g()).c_str(), l.manifests(),
                FormatQuantity(l.secondary_g()).c_str());
    for (const v1::TreatedByMethod& t : l.treated()) {
      std::printf("    treated by %s: %s\n", t.method().c_str(),
                  FormatQuantity(t.grams()).c_str());
    }
    if (l.repacked_g() != 0) {
      std::printf("    repacked into its own containers: %s\n",
                  FormatQuantity(l.repacked_g()).c_str());
    }
  }
  if (reply.lines().empty()) std::printf("  (nothing held or moved)\n");
  for (const v1::OperatorReportEntry& e : reply.entries()) {
    std::string how;
    switch (e.kind()) {
      case v1::OperatorReportEntry::KIND_TREATMENT:
        how = " by " + e.method();
        break;
      case v1::OperatorReportEntry::KIND_REPACK:
        how = " into " + e.container();
        break;
      default:
        break;
    }
    std::printf("  %s  %-9s %s line %d  %s  %s%s\n", e.at().c_str(),
                e.kind() == v1::OperatorReportEntry::KIND_RECEIPT ? "receipt"
                : e.kind() == v1::OperatorReportEntry::KIND_REPACK
                    ? "repack"
                    : "treatment",
                e.manifest().c_str(), e.line(), e.code().c_str(),
                FormatQuantity(e.grams()).c_str(), how.c_str());
  }
  for (const std::string& n : reply.notes()) {
    std::printf("  NOTE %s\n", n.c_str());
  }
  for (const char* flag : {"csv", "entries-csv", "pdf"}) {
    if (a.Has(flag)) {
      std::printf("  wrote %s\n", a.Get(flag).c_str());
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ReportCommands() {
  return {
      {"report operator",
       "",
       "A licensed operator's report (经营情况报告) for a day (the daily "
       "report, a zero report when nothing moved) or a year (the annual "
       "report, due by 31 March), read off the ledger: per waste code the "
       "stock at the start, what was accepted and treated, the stock at the "
       "end, and every manifest line the figures sum.",
       {{"operator", "USCC", "the licensed receiver", false, true},
        {"day", "YYYY-MM-DD", "the day reported (China time); or --year"},
        {"year", "YYYY", "the year reported; or --day"},
        {"csv", "FILE", "also write the lines, one row per waste code"},
        {"entries-csv", "FILE",
         "also write the entries, one row per manifest line moved"},
        {"pdf", "FILE", "also write the report as an A4 PDF, to print"}},
       Operator},
  };
}

}  // namespace cradle::clients
