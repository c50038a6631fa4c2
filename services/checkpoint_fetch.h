#pragma once

// The client side of Node.Checkpoint: copies a node's ledger into a new
// directory, for a node that joins a cluster (cradled --join-from) or for
// an operator's backup (cradlectl node checkpoint).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace cradle::services {

struct FetchedCheckpoint {
  uint64_t head_sequence = 0;
  std::string head_hash;  // hex
  uint64_t files = 0;
  uint64_t bytes = 0;
};

// Streams the checkpoint of the node behind `channel`, calling as `token`
// (an administrator's), into `dir`: written into `dir`.partial, each file
// synced, then renamed to `dir`, so `dir` exists only whole. `dir` must not
// exist, or be an empty directory. `progress(bytes)` is called after each
// chunk.
absl::StatusOr<FetchedCheckpoint> FetchCheckpoint(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
    const std::string& dir,
    const std::function<void(uint64_t bytes)>& progress = nullptr);

}  // namespace cradle::services
