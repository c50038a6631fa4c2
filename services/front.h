#pragma once

// The front: a stateless process in front of a province's nodes
// (`cradled --front NODES`, docs/CLUSTER.md). It holds no ledger and no
// credential; it checks each call's request as bytes (request_bytes.h),
// refuses a method the API does not have, and relays the call, its
// metadata (the caller's token, `cradle-min-sequence`) and its deadline to
// one of the nodes, and the answer, streamed or not, and its trailing
// metadata (`cradle-sequence`) back. It asks each node's gRPC health, every
// `health_interval`, which services it serves (`cradled --serve`, roles.h)
// and sends a call to the nodes that serve its service, in turn; a call a
// node refused UNAVAILABLE before answering anything goes to the next (a
// write carries its idempotency key, so a repeat gets the first answer).
// Nodes whose health did not answer are tried last; a call for a service
// no node serves goes to every node in turn, to be refused by them. Scale
// the front by starting more.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"

namespace cradle::services {

struct FrontOptions {
  std::string listen = "127.0.0.1:7443";
  // The nodes' addresses (host:port), at least one.
  std::vector<std::string> nodes;
  // How clients reach the front, and how the front reaches the nodes.
  std::shared_ptr<grpc::ServerCredentials> transport;
  std::shared_ptr<grpc::ChannelCredentials> node_credentials;
  // How often each node's health is asked; the first time before Start
  // returns.
  absl::Duration health_interval = absl::Seconds(1);
};

class FrontServer {
 public:
  // Listens and serves until Shutdown. INVALID_ARGUMENT naming `nodes`
  // when there is none; UNAVAILABLE when `listen` cannot be bound.
  static absl::StatusOr<std::unique_ptr<FrontServer>> Start(
      FrontOptions options);
  ~FrontServer();

  int port() const { return port_; }
  void Wait() { server_->Wait(); }
  void Shutdown();

  class Relay;
  class Service;

 private:
  FrontServer() = default;

  int port_ = 0;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace cradle::services
