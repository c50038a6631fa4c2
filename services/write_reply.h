#pragma once

// How a manifest write answers its caller: the manifest as the write left
// it and the receipt of its append, moved into the RPC's own response.

#include <utility>

#include "grpcpp/support/server_callback.h"

#include "services/grpc_status.h"
#include "services/manifest_store.h"

namespace cradle::services {

// Finishes `reactor` with what a write left, moved into `reply` (any of
// the manifest writes' responses: manifest = 1, receipt = 2).
template <typename Response>
ManifestStore::Done Answer(grpc::ServerUnaryReactor* reactor, Response* reply) {
  return Finisher<ManifestWritten>(
      reactor, reply, [](ManifestWritten w, Response* r) {
        *r->mutable_manifest() = std::move(w.manifest);
        *r->mutable_receipt() = std::move(w.receipt);
      });
}

}  // namespace cradle::services
