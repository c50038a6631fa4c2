#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/flags.grpc.pb.h"

namespace cradle::clients {
namespace {

std::vector<FlagSpec> NoteFlags() {
  return {{"note", "TEXT", "what was found or decided", false, true},
          {"by", "NAME", "the regulator's office (default: regulator)"}};
}

// flags ack and flags resolve: the note, sent by `rpc`, and the flag as it
// left.
template <typename Request, typename Response, typename Rpc>
absl::Status Note(const Context& ctx, const ParsedArgs& a, Rpc rpc) {
  Request req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  req.set_id(a.positional[0]);
  req.set_note(a.Get("note"));
  req.set_by(a.Get("by", "regulator"));
  Response reply;
  auto call = ctx.Call();
  auto stub = v1::Flags::NewStub(ctx.channel);
  grpc::Status s = rpc(*stub, call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintFlag(ctx, reply.flag());
  return absl::OkStatus();
}

}  // namespace

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
                 if (absl::Status s = FlagFilters(a, &req); !s.ok()) return s;
                 CRADLE_CLI_ASSIGN(limit, LimitFlag(a, 100));
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
  c.push_back(
      {"flags ack", "ID", "Acknowledge a flag with a note.", NoteFlags(),
       [](const Context& ctx, const ParsedArgs& a) {
         return Note<v1::AcknowledgeFlagRequest, v1::AcknowledgeFlagResponse>(
             ctx, a,
             [](v1::Flags::Stub& stub, auto* call, const auto& req,
                auto* reply) { return stub.Acknowledge(call, req, reply); });
       }});
  c.push_back(
      {"flags resolve", "ID",
       "Resolve a flag with a note; it stays in the record.", NoteFlags(),
       [](const Context& ctx, const ParsedArgs& a) {
         return Note<v1::ResolveFlagRequest, v1::ResolveFlagResponse>(
             ctx, a,
             [](v1::Flags::Stub& stub, auto* call, const auto& req,
                auto* reply) { return stub.Resolve(call, req, reply); });
       }});
  return c;
}

}  // namespace cradle::clients
