// cradlectl national: what the national node knows of the provinces it
// follows, the flows between them and the flags across them
// (docs/CLUSTER.md, "The nation").

#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"

#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/national.grpc.pb.h"
#include "domain/names.h"

namespace cradle::clients {
namespace {

absl::Status ShowProvinces(const Context& ctx, const ParsedArgs&) {
  v1::ProvincesResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::National::NewStub(ctx.channel)
                       ->Provinces(call.get(), v1::ProvincesRequest(), &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
    return absl::OkStatus();
  }
  for (const v1::ProvinceStatus& p : reply.provinces()) {
    std::printf("%s  head %llu", p.code().c_str(),
                static_cast<unsigned long long>(p.head_sequence()));
    if (p.has_verified_head()) {
      std::printf(
          "  signed head verified at %llu (%s)",
          static_cast<unsigned long long>(p.verified_head().tree_size()),
          p.verified_head().root_hash().c_str());
    } else {
      std::printf("  no signed head verified yet");
    }
    if (p.published_size() > p.head_sequence()) {
      std::printf("  behind: the province published %llu",
                  static_cast<unsigned long long>(p.published_size()));
    }
    std::printf("\n");
    if (!p.problem().empty()) std::printf("    %s\n", p.problem().c_str());
  }
  return absl::OkStatus();
}

absl::Status ShowFlows(const Context& ctx, const ParsedArgs& a) {
  v1::FlowsBetweenProvincesRequest req;
  req.set_province(a.Get("province"));
  req.set_from_month(a.Get("from").substr(0, 7));
  req.set_to_month(a.Get("to").substr(0, 7));
  v1::FlowsBetweenProvincesResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::National::NewStub(ctx.channel)->Flows(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
    return absl::OkStatus();
  }
  std::printf("from -> to  category  quantity\n");
  for (const v1::ProvinceFlow& f : reply.flows()) {
    std::printf("%s -> %s    %-8s  %s\n", f.origin_province().c_str(),
                f.destination_province().c_str(), f.category().c_str(),
                FormatQuantity(f.grams()).c_str());
  }
  if (reply.open_flags_size() > 0) std::printf("open flags:\n");
  for (const v1::ProvinceFlagCount& c : reply.open_flags()) {
    std::printf("  province %s  %-26s %lld\n", c.province().c_str(),
                domain::ShortName(c.kind()).c_str(),
                static_cast<long long>(c.open()));
  }
  return absl::OkStatus();
}

absl::Status ListFlags(const Context& ctx, const ParsedArgs& a) {
  v1::ListFlagsAcrossProvincesRequest req;
  req.set_province(a.Get("province"));
  if (absl::Status s = FlagFilters(a, &req); !s.ok()) return s;
  CRADLE_CLI_ASSIGN(limit, LimitFlag(a, 100));
  auto stub = v1::National::NewStub(ctx.channel);
  int shown = 0;
  do {
    req.set_page_size(std::min(limit - shown, 1000));
    v1::ListFlagsAcrossProvincesResponse page;
    auto call = ctx.Call();
    grpc::Status s = stub->ListFlags(call.get(), req, &page);
    if (!s.ok()) return FromGrpc(s);
    for (const v1::NationalFlag& f : page.flags()) {
      if (!ctx.json) std::printf("[%s] ", f.province().c_str());
      PrintFlag(ctx, f.flag());
      ++shown;
    }
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty() && shown < limit);
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> NationalCommands() {
  return {
      {"national provinces",
       "",
       "The provinces the national node follows: its copy's head, the "
       "newest signed head of the province it verified, and what is wrong.",
       {},
       ShowProvinces},
      {"national flows",
       "",
       "Tonnes accepted between provinces, by category, and the flags open "
       "in each province's manifests. Without --province, the nation "
       "(the national administrator).",
       {{"province", "CODE", "2 digits: loads from or to it"},
        {"from", "YYYY-MM", "first month", false, true},
        {"to", "YYYY-MM", "last month", false, true}},
       ShowFlows},
      {"national flags",
       "",
       "Flags across every province, e.g. --kind cross_province_unapproved "
       "--state open: loads that crossed a border without approval.",
       {{"province", "CODE",
         "2 digits: flags whose origin or destination "
         "is in it"},
        {"kind", "KIND", "e.g. cross_province_unapproved"},
        {"state", "STATE", "open, acked, resolved or cleared"},
        {"limit", "N", "at most N flags (default 100)"}},
       ListFlags},
  };
}

}  // namespace cradle::clients
