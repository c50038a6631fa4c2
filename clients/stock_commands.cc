// cradlectl stock store | use | adjust | revoke | show: the generator's
// stock ledger (管理台账, HJ 1259-2022; docs/STOCK.md), one record per
// labelled container.

#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/container.grpc.pb.h"
#include "domain/names.h"
#include "domain/quantity.h"

namespace cradle::clients {
namespace {

// Sends `record` for container CODE; --time, when given, is when it
// happened.
absl::Status Record(const Context& ctx, const ParsedArgs& a,
                    v1::StockEntry record) {
  v1::RecordStockRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  record.set_code(a.positional[0]);
  if (a.Has("time")) *record.mutable_at() = meta.device_time();
  *req.mutable_record() = std::move(record);
  CRADLE_RETURN_IF_ERROR(SignIfKeyed(ctx, &req));
  v1::RecordStockResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Containers::NewStub(ctx.channel)
                       ->RecordStock(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
    return absl::OkStatus();
  }
  const v1::Container& c = reply.container();
  const v1::StockRecord& r = c.records(c.records_size() - 1);
  std::printf("%s record %d %s: now %s%s%s, %s\n", c.code().c_str(), r.number(),
              domain::ShortName(r.move()).c_str(),
              domain::ShortName(c.stock()).c_str(),
              c.facility().empty() ? "" : " in ", c.facility().c_str(),
              FormatQuantity(c.weight_g()).c_str());
  if (r.storage_limit_days() > 0) {
    std::printf("  may be held %d days in storage\n", r.storage_limit_days());
  }
  std::printf("  ledger entry %llu  %s%s\n",
              static_cast<unsigned long long>(reply.receipt().sequence()),
              reply.receipt().hash().c_str(),
              reply.receipt().replayed() ? "  (retry: already recorded)" : "");
  return absl::OkStatus();
}

absl::Status Store(const Context& ctx, const ParsedArgs& a) {
  v1::StockEntry r;
  r.set_move(v1::STOCK_MOVE_STORED);
  r.set_facility(a.Get("facility"));
  return Record(ctx, a, std::move(r));
}

absl::Status Use(const Context& ctx, const ParsedArgs& a) {
  v1::StockEntry r;
  r.set_move(v1::STOCK_MOVE_OWN_USE);
  r.set_method(a.Get("method"));
  return Record(ctx, a, std::move(r));
}

absl::Status Adjust(const Context& ctx, const ParsedArgs& a) {
  v1::StockEntry r;
  r.set_move(v1::STOCK_MOVE_ADJUSTED);
  CRADLE_CLI_ASSIGN(grams,
                    domain::ParseQuantityGrams("--weight", a.Get("weight")));
  r.set_weight_g(grams);
  r.set_reason(a.Get("reason"));
  return Record(ctx, a, std::move(r));
}

absl::Status Revoke(const Context& ctx, const ParsedArgs& a) {
  v1::StockEntry r;
  r.set_move(v1::STOCK_MOVE_REVOKED);
  int number = 0;
  if (!absl::SimpleAtoi(a.Get("record"), &number) || number < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--record ", Quote(a.Get("record")),
                     " is not a record number (1 is the registration; "
                     "`container show` lists the rest)"));
  }
  r.set_revokes(number);
  r.set_reason(a.Get("reason"));
  return Record(ctx, a, std::move(r));
}

// cradlectl stock show
absl::Status Show(const Context& ctx, const ParsedArgs& a) {
  v1::GetStockRequest req;
  req.set_generator(a.Get("generator"));
  req.set_waste_code(a.Get("waste"));
  v1::GetStockResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Containers::NewStub(ctx.channel)->GetStock(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
    return absl::OkStatus();
  }
  std::printf("stock of %s as of %s\n", req.generator().c_str(),
              reply.as_of().c_str());
  std::printf("  %-10s  %-12s  %5s  %10s  %10s  %10s  %10s  %s\n", "code",
              "facility", "drums", "generated", "own use", "shipped", "stock",
              "oldest");
  for (const v1::StockBalance& b : reply.balances()) {
    std::printf("  %-10s  %-12s  %5d  %10s  %10s  %10s  %10s  %s\n",
                b.waste_code().c_str(),
                b.facility().empty() ? "(unstored)" : b.facility().c_str(),
                b.containers(), FormatQuantity(b.generated_g()).c_str(),
                FormatQuantity(b.own_use_g()).c_str(),
                FormatQuantity(b.shipped_g()).c_str(),
                FormatQuantity(b.stock_g()).c_str(), b.oldest().c_str());
  }
  if (reply.balances().empty()) std::printf("  (no containers)\n");
  for (const v1::OverdueStock& o : reply.overdue()) {
    std::printf("  OVERDUE %s in %s since %s: %d days\n", o.code().c_str(),
                o.facility().c_str(), o.stored_on().c_str(), o.days());
  }
  for (const v1::StockDifference& d : reply.differences()) {
    std::printf("  DIFFERENCE %s\n", d.detail().c_str());
  }
  if (reply.overdue().empty() && reply.differences().empty()) {
    std::printf("  balanced: nothing overdue, ledger and manifests agree\n");
  }
  if (reply.collection().empty()) return absl::OkStatus();
  // A collector's: collected = refilled + lost + shortfall + held.
  std::printf("collection\n  %-10s  %9s  %10s  %10s  %10s  %10s  %10s  %10s\n",
              "code", "manifests", "collected", "held", "refilled", "lost",
              "shortfall", "shipped");
  for (const v1::CollectionBalance& b : reply.collection()) {
    std::printf("  %-10s  %9d  %10s  %10s  %10s  %10s  %10s  %10s\n",
                b.waste_code().c_str(), b.manifests(),
                FormatQuantity(b.collected_g()).c_str(),
                FormatQuantity(b.held_g()).c_str(),
                FormatQuantity(b.refilled_g()).c_str(),
                FormatQuantity(b.lost_g()).c_str(),
                FormatQuantity(b.shortfall_g()).c_str(),
                FormatQuantity(b.shipped_g()).c_str());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> StockCommands() {
  const std::string code =
      "the container's generator records it; --time is when it happened "
      "(default now).";
  return {
      {"stock store", "CODE",
       absl::StrCat("Book a container into a storage facility (入库); "
                    "booking it into another moves it. ",
                    code),
       With({{"facility", "CODE", "the storage facility (贮存设施) code", false,
              true}},
            true),
       Store},
      {"stock use", "CODE",
       absl::StrCat("Record a container used or disposed of on site by its "
                    "generator (自行利用/处置). ",
                    code),
       With({{"method", "METHOD", "the treatment method: D10, R4, ...", false,
              true}},
            true),
       Use},
      {"stock adjust", "CODE",
       absl::StrCat("Record a container's net weight found other than its "
                    "label's, before it is on a manifest. ",
                    code),
       With({{"weight", "QTY", "the weight found, e.g. 190kg", false, true},
             {"reason", "TEXT", "why it differs", false, true}},
            true),
       Adjust},
      {"stock revoke", "CODE",
       absl::StrCat("Strike a record of a container's ledger (1: its "
                    "registration); the record stays, struck. ",
                    code),
       With({{"record", "N", "the record's number (container show)", false,
              true},
             {"reason", "TEXT", "why it is struck", false, true}},
            true),
       Revoke},
      {"stock show",
       "",
       "A generator's stock balance by waste code and facility: generated = "
       "own use + shipped + stock; containers held past the one-year limit, "
       "and where the ledger and the manifests disagree. For a collector, "
       "also what it collected and where that went (docs/COLLECTION.md).",
       {{"generator", "USCC", "the generator", false, true},
        {"waste", "CODE", "one waste code only"}},
       Show},
  };
}

}  // namespace cradle::clients
