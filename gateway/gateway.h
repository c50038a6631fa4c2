#pragma once

// The HTTP/JSON gateway (docs/WEB.md): the API of routes.h over HTTPS,
// each call made on a gRPC channel to a province's server (or front) with
// the caller's bearer token, so the server's authorization and every one
// of its refusals apply unchanged; and the pages under web/ as static
// files. It holds no state: run it as its own process (cradle-gateway) or
// inside cradled (--http_listen) on an in-process channel.

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace cradle::gateway {

struct GatewayOptions {
  std::string listen = "127.0.0.1:8443";  // port 0 picks a free port
  // TLS: the certificate chain and private key, PEM files. Both are
  // required unless `insecure`.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Plain HTTP instead of TLS; refused unless `listen` is a loopback
  // address, so tokens never cross a network in clear.
  bool insecure = false;
  // The folder of static pages served at /; empty: the API only.
  std::string web_root;
  // The province server's Ed25519 public key (64 hex digits), the one its
  // tree heads and printed seals are signed with: GET /v1/publicKey answers
  // it to anyone, signed in or not, for the roadside check. Empty: 404.
  std::string public_key_hex;
  // How long one call upstream may take.
  absl::Duration call_timeout = absl::Seconds(30);
  // Connections served at once.
  int threads = 16;
};

class Gateway {
 public:
  // Binds `options.listen` and serves calls on `upstream`. Errors:
  // INVALID_ARGUMENT naming the option (a bad address, a missing
  // certificate, plain HTTP off loopback, a web root that is no folder),
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(
      const GatewayOptions& options, std::shared_ptr<grpc::Channel> upstream);
  ~Gateway();

  int port() const { return port_; }
  // Stops listening and waits for the calls being served. Idempotent.
  void Shutdown();

 private:
  Gateway() = default;

  std::shared_ptr<grpc::Channel> upstream_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace cradle::gateway
