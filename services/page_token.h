#pragma once

// Page tokens: opaque to clients. A token carries the storage key the page
// ended on, tagged with the token format's version, in web-safe base64, so
// clients cannot come to depend on the key layout, and a token from another
// query, a truncated one or a made-up one is refused by name.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle::services {

std::string EncodePageToken(absl::string_view cursor);

// The cursor `token` carries; "" for an empty token (the first page).
// INVALID_ARGUMENT naming page_token when it is not one of ours or its
// cursor is not under `prefix` (a token of another query).
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view prefix);

// Page sizes: how many items one page of a list holds.
struct PageLimits {
  int default_size;  // when the request says 0
  int max_size;
};
// Lists of manifests and flags: whole records, tens of KiB at most.
inline constexpr PageLimits kRecordPages = {50, 1000};
// Credentials: small, and an administrator wants them all.
inline constexpr PageLimits kCredentialPages = {100, 1000};
// Ledger entries of one stream (a chain, its proofs): a manifest's chain
// is tens of entries, so one page is nearly always all of it.
inline constexpr PageLimits kEntryPages = {1000, 10000};

// The page size a request asks for: `requested`, or the default for 0;
// INVALID_ARGUMENT naming page_size when it is negative or over the most.
absl::StatusOr<int> PageSize(int requested, PageLimits limits);

}  // namespace cradle::services
