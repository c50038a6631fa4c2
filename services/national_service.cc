// National: what the national node answers across the provinces it
// follows (national_node.h). Each manifest is in exactly one province's
// ledger, the one whose number it carries, so summing over the provinces
// counts each load once.

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/authz.h"
#include "domain/division.h"
#include "services/grpc_status.h"
#include "services/keys.h"
#include "services/national_node.h"
#include "services/page_token.h"
#include "services/reads.h"
#include "services/services.h"

namespace cradle::services {
namespace {

constexpr int kMaxMonths = 60;

// A national read of `province` ("" the nation): the administrator reads
// any; a regulator a province inside its jurisdiction.
absl::Status AdmitProvince(const Gate& gate, const grpc::ServerContextBase& ctx,
                           absl::string_view province) {
  if (!province.empty()) {
    CRADLE_RETURN_IF_ERROR(
        domain::ValidateJurisdiction("province", province, {2}));
  }
  CRADLE_ASSIGN_OR_RETURN(domain::Principal who,
                          gate.Admit(ctx, domain::Operation::kNationalRead));
  if (who.kind == v1::CREDENTIAL_KIND_ADMINISTRATOR) return absl::OkStatus();
  if (province.empty()) {
    return absl::PermissionDeniedError(
        "province: the whole nation (no province) is read by the national "
        "administrator; a regulator names a province of its jurisdiction");
  }
  return domain::CheckJurisdiction(who, "province", province);
}

}  // namespace

grpc::ServerUnaryReactor* NationalService::Provinces(
    grpc::CallbackServerContext* ctx, const v1::ProvincesRequest*,
    v1::ProvincesResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!gate_.AdmitOrFinish(*ctx, domain::Operation::kNationalRead, reactor)) {
    return reactor;
  }
  for (v1::ProvinceStatus& s : node_.Statuses()) {
    *reply->add_provinces() = std::move(s);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* NationalService::Flows(
    grpc::CallbackServerContext* ctx,
    const v1::FlowsBetweenProvincesRequest* request,
    v1::FlowsBetweenProvincesResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto run = [&]() -> absl::Status {
    const std::string& province = request->province();
    CRADLE_RETURN_IF_ERROR(AdmitProvince(gate_, *ctx, province));
    CRADLE_ASSIGN_OR_RETURN(
        const std::vector<std::string> months,
        FlowMonths(request->from_month(), request->to_month(), kMaxMonths));
    std::map<std::tuple<std::string, std::string, std::string>, int64_t> flows;
    CRADLE_RETURN_IF_ERROR(node_.ForEach(
        "",
        [&](const std::string& code, const storage::Ledger& ledger,
            const ManifestStore& store) -> absl::Status {
          CRADLE_RETURN_IF_ERROR(ForEachFlow(
              ledger, months,
              [&](const std::string&, keys::FlowKeyParts p,
                  int64_t grams) -> absl::Status {
                std::string from = p.origin_city4.substr(0, 2);
                std::string to = p.destination_city4.substr(0, 2);
                if (province.empty() || from == province || to == province) {
                  flows[{std::move(from), std::move(to),
                         std::move(p.category)}] += grams;
                }
                return absl::OkStatus();
              }));
          CRADLE_ASSIGN_OR_RETURN(const auto open,
                                  store.CountOpenFlags(province));
          for (const auto& [kind, n] : open) {
            v1::ProvinceFlagCount* c = reply->add_open_flags();
            c->set_province(code);
            c->set_kind(kind);
            c->set_open(n);
          }
          return absl::OkStatus();
        }));
    for (const auto& [key, grams] : flows) {
      v1::ProvinceFlow* f = reply->add_flows();
      f->set_origin_province(std::get<0>(key));
      f->set_destination_province(std::get<1>(key));
      f->set_category(std::get<2>(key));
      f->set_grams(grams);
    }
    return absl::OkStatus();
  };
  reactor->Finish(ToGrpcStatus(run()));
  return reactor;
}

grpc::ServerUnaryReactor* NationalService::ListFlags(
    grpc::CallbackServerContext* ctx,
    const v1::ListFlagsAcrossProvincesRequest* r,
    v1::ListFlagsAcrossProvincesResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto run = [&]() -> absl::Status {
    CRADLE_RETURN_IF_ERROR(AdmitProvince(gate_, *ctx, r->province()));
    CRADLE_ASSIGN_OR_RETURN(const int page_size,
                            PageSize(r->page_size(), kRecordPages));
    // The token: the province to go on from (2 digits), then that
    // province's own page token.
    const std::string& token = r->page_token();
    if (!token.empty() && (token.size() < 2 || !absl::ascii_isdigit(token[0]) ||
                           !absl::ascii_isdigit(token[1]))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "page_token ", Quote(token), " is not one this server gave"));
    }
    const std::string first =
        token.substr(0, std::min<size_t>(2, token.size()));
    absl::Status s = node_.ForEach(
        first,
        [&](const std::string& code, const storage::Ledger& ledger,
            const ManifestStore& store) -> absl::Status {
          if (reply->flags_size() == page_size) {
            reply->set_next_page_token(code);
            return absl::CancelledError();  // the page is full
          }
          v1::ListFlagsRequest q;
          q.set_kind(r->kind());
          q.set_state(r->state());
          q.set_page_size(page_size - reply->flags_size());
          if (code == first) q.set_page_token(token.substr(2));
          CRADLE_ASSIGN_OR_RETURN(
              v1::ListFlagsResponse got,
              services::ListFlags(store, ledger, q, r->province()));
          for (v1::Flag& f : *got.mutable_flags()) {
            v1::NationalFlag* out = reply->add_flags();
            out->set_province(code);
            *out->mutable_flag() = std::move(f);
          }
          if (!got.next_page_token().empty()) {
            reply->set_next_page_token(code + got.next_page_token());
            return absl::CancelledError();
          }
          return absl::OkStatus();
        });
    return absl::IsCancelled(s) ? absl::OkStatus() : s;
  };
  reactor->Finish(ToGrpcStatus(run()));
  return reactor;
}

}  // namespace cradle::services
