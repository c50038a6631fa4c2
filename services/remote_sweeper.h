#pragma once

// The deadline sweeper as a process of its own (`cradled --sweeper NODES`,
// docs/CLUSTER.md "Roles"): every `interval` it asks the province for a
// sweep (Flags.Sweep) through one of its nodes or fronts, taking the next
// when one is unavailable; the writer decides what is due. It holds no
// ledger and no state, so two of them do no harm: a sweep raises each flag
// once. The nodes then run with --sweep-interval 0.

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"

namespace cradle::services {

struct RemoteSweeperOptions {
  // host:port of the nodes (or fronts) to call, at least one.
  std::vector<std::string> nodes;
  std::shared_ptr<grpc::ChannelCredentials> node_credentials;
  std::string token;  // an administrator's
  absl::Duration interval = absl::Minutes(1);
  // How long one call may take: a pass behind a long queue of writes.
  absl::Duration call_deadline = absl::Seconds(30);
};

class RemoteSweeper {
 public:
  // INVALID_ARGUMENT naming `nodes`, `token` or `interval` when missing.
  static absl::StatusOr<std::unique_ptr<RemoteSweeper>> Create(
      RemoteSweeperOptions options);
  ~RemoteSweeper() { Stop(); }

  // One sweep: the manifests flagged, or the last node's refusal
  // (UNAVAILABLE when none answered, naming it).
  absl::StatusOr<int> RunOnce();

  // A sweep every interval, the first at once, until Stop; `after` (if
  // given) hears each result.
  void Start(std::function<void(const absl::StatusOr<int>&)> after = nullptr);
  void Stop();

 private:
  explicit RemoteSweeper(RemoteSweeperOptions options);

  const RemoteSweeperOptions options_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  size_t next_ = 0;  // the node the next sweep starts at
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace cradle::services
