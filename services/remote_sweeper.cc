#include "services/remote_sweeper.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"

#include "cradle/v1/flags.grpc.pb.h"

namespace cradle::services {

absl::StatusOr<std::unique_ptr<RemoteSweeper>> RemoteSweeper::Create(
    RemoteSweeperOptions options) {
  if (options.nodes.empty()) {
    return absl::InvalidArgumentError(
        "nodes: the sweeper needs at least one node to call");
  }
  if (options.token.empty()) {
    return absl::InvalidArgumentError(
        "token: the sweeper calls Flags.Sweep with an administrator's token");
  }
  if (options.interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "interval: the sweeper's interval must be more than zero");
  }
  return std::unique_ptr<RemoteSweeper>(new RemoteSweeper(std::move(options)));
}

RemoteSweeper::RemoteSweeper(RemoteSweeperOptions options)
    : options_(std::move(options)) {
  for (const std::string& node : options_.nodes) {
    channels_.push_back(grpc::CreateChannel(node, options_.node_credentials));
  }
}

absl::StatusOr<int> RemoteSweeper::RunOnce() {
  grpc::Status last;
  const size_t start = next_++;
  for (size_t i = 0; i < channels_.size(); ++i) {
    const size_t k = (start + i) % channels_.size();
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + options_.token);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + options_.call_deadline));
    v1::SweepRequest request;
    v1::SweepResponse reply;
    last = v1::Flags::NewStub(channels_[k])->Sweep(&ctx, request, &reply);
    if (last.ok()) return reply.manifests_flagged();
    if (last.error_code() != grpc::StatusCode::UNAVAILABLE) {
      return absl::Status(
          static_cast<absl::StatusCode>(last.error_code()),
          absl::StrCat(options_.nodes[k], ": ", last.error_message()));
    }
    last = grpc::Status(last.error_code(), absl::StrCat(options_.nodes[k], ": ",
                                                        last.error_message()));
  }
  return absl::UnavailableError(absl::StrCat("no node answered (tried ",
                                             channels_.size(), "); the last, ",
                                             last.error_message()));
}

void RemoteSweeper::Start(
    std::function<void(const absl::StatusOr<int>&)> after) {
  thread_ = std::thread([this, after = std::move(after)] {
    absl::MutexLock lock(&mu_);
    while (!stop_) {
      mu_.Unlock();
      absl::StatusOr<int> r = RunOnce();
      if (after) after(r);
      mu_.Lock();
      mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.interval);
    }
  });
}

void RemoteSweeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace cradle::services
