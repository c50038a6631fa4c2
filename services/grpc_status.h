#pragma once

#include <functional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/support/server_callback.h"
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

// Finishes `reactor` with `result`, copying its value into `reply` when it
// has one.
template <typename T>
void FinishWith(grpc::ServerUnaryReactor* reactor, T* reply,
                absl::StatusOr<T> result) {
  if (result.ok()) *reply = *std::move(result);
  reactor->Finish(ToGrpcStatus(result.status()));
}

// A callback that finishes `reactor` with the answer it is given, on any
// thread: what a store's asynchronous write calls when it is done.
template <typename T>
std::function<void(absl::StatusOr<T>)> Finisher(
    grpc::ServerUnaryReactor* reactor, T* reply) {
  return [reactor, reply](absl::StatusOr<T> result) {
    FinishWith(reactor, reply, std::move(result));
  };
}

// The same for an answer that is a part of `reply`: `put(value, reply)`
// moves the value in (e.g. into GetEnterpriseResponse.enterprise).
template <typename T, typename Reply, typename Put>
void FinishWith(grpc::ServerUnaryReactor* reactor, Reply* reply,
                absl::StatusOr<T> result, const Put& put) {
  if (result.ok()) put(*std::move(result), reply);
  reactor->Finish(ToGrpcStatus(result.status()));
}

template <typename T, typename Reply, typename Put>
std::function<void(absl::StatusOr<T>)> Finisher(
    grpc::ServerUnaryReactor* reactor, Reply* reply, Put put) {
  return [reactor, reply, put = std::move(put)](absl::StatusOr<T> result) {
    FinishWith(reactor, reply, std::move(result), put);
  };
}

}  // namespace cradle::services
