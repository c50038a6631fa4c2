#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/support/status.h"

namespace cradle::services {

// A message longer than this is cut: gRPC sends it in a trailer, and a
// trailer past the client's metadata limit (8 KiB by default) turns the
// whole answer into RESOURCE_EXHAUSTED. Requests bound what a message can
// quote (request_bytes.h); this bounds the rest.
inline constexpr size_t kMaxStatusMessageBytes = 2048;

// absl::StatusCode and grpc::StatusCode share the google.rpc.Code numbering.
inline grpc::Status ToGrpcStatus(const absl::Status& s) {
  std::string message(s.message());
  if (message.size() > kMaxStatusMessageBytes) {
    size_t cut = kMaxStatusMessageBytes;
    // Not inside a UTF-8 character.
    while (cut > 0 &&
           (static_cast<unsigned char>(message[cut]) & 0xc0) == 0x80) {
      --cut;
    }
    message = absl::StrCat(message.substr(0, cut), "... (cut; ", message.size(),
                           " bytes)");
  }
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), message);
}

}  // namespace cradle::services
