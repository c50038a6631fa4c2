#pragma once

// Reads of the Audit service that more than one command makes, and a
// saved tree head checked: shared by audit_commands.cc and
// manifest_print_commands.cc.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "clients/cli.h"
#include "cradle/v1/audit.pb.h"

namespace cradle::clients {

// A head as saved by `audit head --save`, its signature checked.
struct CheckedHead {
  v1::SignedTreeHead head;
  std::string root;        // raw
  std::string public_key;  // raw
};

absl::StatusOr<CheckedHead> CheckHead(const v1::SignedTreeHead& head);

// The head saved at `path` (named `flag` in errors), its signature checked.
absl::StatusOr<CheckedHead> LoadHead(absl::string_view flag,
                                     const std::string& path);

// Every page of a manifest's chain, as one answer: verified when every
// page was, with the first problem and the last page's head.
absl::StatusOr<v1::ChainResponse> WholeChain(const Context& ctx,
                                             v1::ChainRequest req);

}  // namespace cradle::clients
