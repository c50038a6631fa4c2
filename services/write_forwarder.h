#pragma once

// How a cluster node that is not the province's writer passes a write on
// to the writer (docs/CLUSTER.md). CheckedService routes a write there, as
// its bytes, before it is parsed; the embedded server has no forwarder.

#include <functional>
#include <string>

#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/status.h"

namespace cradle::services {

// Metadata a forwarded call carries (the forwarding node's address), so
// that a node never forwards a call a second time.
inline constexpr char kForwardedHeader[] = "cradle-forwarded";

class WriteForwarder {
 public:
  virtual ~WriteForwarder() = default;

  // Whether writes received now go on to another node.
  virtual bool Forwarding() const = 0;

  // Sends the call `method` ("/cradle.v1.Transfers/Pickup") with `request`
  // to the writer, with the caller's credential, and calls `done` with the
  // writer's status once `response` holds its answer. `ctx`, `request` and
  // `response` live until `done`.
  virtual void Forward(grpc::CallbackServerContext* ctx,
                       const std::string& method,
                       const grpc::ByteBuffer* request,
                       grpc::ByteBuffer* response,
                       std::function<void(grpc::Status)> done) = 0;
};

}  // namespace cradle::services
