#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/audit.grpc.pb.h"

namespace cradle::clients {

std::vector<Command> AuditCommands() {
  std::vector<Command> c;
  c.push_back(
      {"audit chain",
       "NUMBER",
       "Every ledger entry of a manifest, in order, with hashes.",
       {},
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::ChainRequest req;
         req.set_number(a.positional[0]);
         v1::ChainResponse reply;
         auto call = ctx.Call();
         grpc::Status s =
             v1::Audit::NewStub(ctx.channel)->Chain(call.get(), req, &reply);
         if (!s.ok()) return FromGrpc(s);
         if (ctx.json) {
           PrintJson(reply);
         } else {
           for (const v1::LedgerEntry& e : reply.entries()) {
             std::printf(
                 "#%llu  v%llu  %s  %-20s  by %s\n    prev %s\n    hash %s\n",
                 static_cast<unsigned long long>(e.sequence()),
                 static_cast<unsigned long long>(e.stream_version()),
                 Time(e.recorded()).c_str(), e.type().c_str(),
                 e.actor().c_str(), e.prev_hash().c_str(), e.hash().c_str());
           }
           std::printf("%s: %d entries, ledger head #%llu %s\n",
                       reply.verified() ? "verified" : "NOT VERIFIED",
                       reply.entries_size(),
                       static_cast<unsigned long long>(reply.head_sequence()),
                       reply.head_hash().c_str());
           if (!reply.verified()) std::printf("%s\n", reply.problem().c_str());
         }
         return reply.verified()
                    ? absl::OkStatus()
                    : absl::DataLossError("the chain does not verify");
       }});
  c.push_back(
      {"audit verify",
       "",
       "Recompute the whole hash chain of the ledger.",
       {{"from", "SEQ", "first entry (default 1)"},
        {"to", "SEQ", "last entry (default: the head)"}},
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::VerifyRequest req;
         uint64_t from = 0, to = 0;
         if ((a.Has("from") && !absl::SimpleAtoi(a.Get("from"), &from)) ||
             (a.Has("to") && !absl::SimpleAtoi(a.Get("to"), &to))) {
           return absl::InvalidArgumentError("--from/--to must be numbers");
         }
         req.set_from_sequence(from);
         req.set_to_sequence(to);
         v1::VerifyResponse reply;
         auto call = ctx.Call();
         grpc::Status s =
             v1::Audit::NewStub(ctx.channel)->Verify(call.get(), req, &reply);
         if (!s.ok()) return FromGrpc(s);
         if (ctx.json) {
           PrintJson(reply);
         } else if (reply.ok()) {
           std::printf("ok: %llu entries recomputed; head #%llu %s\n",
                       static_cast<unsigned long long>(reply.checked()),
                       static_cast<unsigned long long>(reply.head_sequence()),
                       reply.head_hash().c_str());
         } else {
           std::printf("BROKEN at entry %llu: %s\n",
                       static_cast<unsigned long long>(reply.first_bad()),
                       reply.problem().c_str());
         }
         return reply.ok()
                    ? absl::OkStatus()
                    : absl::DataLossError(absl::StrCat(
                          "ledger chain broken at entry ", reply.first_bad()));
       }});
  return c;
}

}  // namespace cradle::clients
