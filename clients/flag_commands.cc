#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/flags.grpc.pb.h"

namespace cradle::clients {

std::vector<Command> FlagCommands() {
  std::vector<Command> c;
  c.push_back({"flags list",
               "",
               "Flags raised, in manifest order.",
               {{"city", "CODE", "4-digit city: origin or destination"},
                {"county", "CODE", "6-digit county: origin or destination"},
                {"kind", "KIND", "e.g. cross_city, missing_disposal"},
                {"state", "STATE", "open, acked, resolved or cleared"},
                {"enterprise", "USCC", "flags concerning this enterprise"},
                {"limit", "N", "at most N flags (default 100)"}},
               [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
                 v1::ListFlagsRequest req;
                 req.set_city(a.Get("city"));
                 req.set_county(a.Get("county"));
                 req.set_enterprise(a.Get("enterprise"));
                 if (a.Has("kind")) {
                   CRADLE_CLI_ASSIGN(kind, ParseFlagKind(a.Get("kind")));
                   req.set_kind(kind);
                 }
                 if (a.Has("state")) {
                   CRADLE_CLI_ASSIGN(state, ParseFlagState(a.Get("state")));
                   req.set_state(state);
                 }
                 int limit = 100;
                 if (a.Has("limit")) {
                   CRADLE_CLI_ASSIGN(
                       n, ParseWholeNumber("--limit", "limit", a.Get("limit"),
                                           1, 1000000));
                   limit = static_cast<int>(n);
                 }
                 auto stub = v1::Flags::NewStub(ctx.channel);
                 int shown = 0;
                 do {
                   req.set_page_size(std::min(limit - shown, 1000));
                   v1::ListFlagsResponse page;
                   auto call = ctx.Call();
                   grpc::Status s = stub->List(call.get(), req, &page);
                   if (!s.ok()) return FromGrpc(s);
                   for (const v1::Flag& f : page.flags()) {
                     PrintFlag(ctx, f);
                     ++shown;
                   }
                   req.set_page_token(page.next_page_token());
                 } while (!req.page_token().empty() && shown < limit);
                 return absl::OkStatus();
               }});
  for (const bool resolve : {false, true}) {
    c.push_back(
        {resolve ? "flags resolve" : "flags ack",
         "ID",
         resolve ? "Resolve a flag with a note; it stays in the record."
                 : "Acknowledge a flag with a note.",
         {{"note", "TEXT", "what was found or decided", false, true},
          {"by", "NAME", "the regulator's office (default: regulator)"}},
         [resolve](const Context& ctx, const ParsedArgs& a) -> absl::Status {
           v1::FlagNoteRequest req;
           req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
           req.set_id(a.positional[0]);
           req.set_note(a.Get("note"));
           req.set_by(a.Get("by", "regulator"));
           v1::Flag reply;
           auto call = ctx.Call();
           auto stub = v1::Flags::NewStub(ctx.channel);
           grpc::Status s = resolve
                                ? stub->Resolve(call.get(), req, &reply)
                                : stub->Acknowledge(call.get(), req, &reply);
           if (!s.ok()) return FromGrpc(s);
           PrintFlag(ctx, reply);
           return absl::OkStatus();
         }});
  }
  return c;
}

}  // namespace cradle::clients
