#include "services/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace cradle::services {
namespace {

constexpr absl::string_view kVersion = "cradle-page-1\n";

}  // namespace

std::string EncodePageToken(absl::string_view cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat(kVersion, cursor));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view prefix) {
  if (token.empty()) return std::string();
  std::string raw;
  absl::string_view cursor;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      !absl::StartsWith(raw, kVersion)) {
    return absl::InvalidArgumentError(
        "page_token is not a page token of this server; pass back the "
        "next_page_token of the page before, unchanged");
  }
  cursor = absl::string_view(raw).substr(kVersion.size());
  if (!absl::StartsWith(cursor, prefix)) {
    return absl::InvalidArgumentError(
        "page_token belongs to another query; start again without it");
  }
  return std::string(cursor);
}

absl::StatusOr<int> PageSize(int requested, PageLimits limits) {
  if (requested < 0 || requested > limits.max_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size ", requested, " must be 1..", limits.max_size,
                     " (0: ", limits.default_size, ")"));
  }
  return requested == 0 ? limits.default_size : requested;
}

}  // namespace cradle::services
