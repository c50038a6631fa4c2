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

}  // namespace cradle::services
