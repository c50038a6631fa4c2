#pragma once

// Read-your-writes across the nodes of a cluster (docs/CLUSTER.md):
//   - every answer carries, in trailing metadata `cradle-sequence`, the
//     sequence of the last entry the node's ledger held when it answered;
//   - a call that sends `cradle-min-sequence: N` runs only once the node's
//     ledger holds entry N; if it does not within the wait, the call is
//     answered UNAVAILABLE saying how far the node is.

#include <memory>

#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"

#include "base/read_positions.h"
#include "services/cluster_node.h"
#include "storage/ledger.h"

namespace cradle::services {

// Neither argument is owned; both must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewSequenceInterceptorFactory(const storage::Ledger& ledger, ClusterNode& node,
                              absl::Duration max_wait);

}  // namespace cradle::services
