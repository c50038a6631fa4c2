// cradle-gateway: the HTTP/JSON gateway as a process of its own, in front
// of a province's cradled (or its front). cradled --http-listen runs the
// same gateway inside the server.

#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

#include "base/address.h"
#include "base/files.h"
#include "base/flags_usage.h"
#include "base/signals.h"
#include "gateway/gateway.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8443",
          "host:port to serve HTTPS on (port 0: any free port).");
ABSL_FLAG(std::string, upstream, "127.0.0.1:7443",
          "host:port of the cradled (or front) to call.");
ABSL_FLAG(std::string, upstream_ca, "",
          "CA certificate (PEM) of the upstream's TLS certificate; empty: "
          "plain TCP, only to a loopback upstream.");
ABSL_FLAG(std::string, tls_cert, "",
          "Certificate chain (PEM) the gateway presents.");
ABSL_FLAG(std::string, tls_key, "", "Private key (PEM) of --tls_cert.");
ABSL_FLAG(bool, insecure, false,
          "Plain HTTP instead of HTTPS; only on a loopback --listen.");
ABSL_FLAG(std::string, web, "",
          "Folder of the pages to serve at / (the repository's web/); "
          "empty: the API only.");
ABSL_FLAG(std::string, public_key, "",
          "The province server's public key: 64 hex digits, or a file "
          "holding them. GET /v1/publicKey gives it to the roadside check "
          "page; empty: that page cannot check seals.");
ABSL_FLAG(std::string, call_timeout, "30s",
          "How long one call to the upstream may take.");

int main(int argc, char** argv) {
  cradle::ShowOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "Cradle's HTTP/JSON gateway: the gRPC API as routes such as POST "
      "/v1/manifests and GET /v1/manifests/{number} (GET /v1/openapi.json "
      "lists them), and the pages under web/.\n"
      "  cradle-gateway --upstream HOST:PORT --upstream-ca CA.crt "
      "--tls-cert F --tls-key F [--listen HOST:PORT] [--web DIR]\n"
      "Callers send their Cradle token as \"Authorization: Bearer <token>\"; "
      "the gateway passes it on, so the server's authorization applies "
      "unchanged. docs/WEB.md.");
  cradle::ParseCommandLineWithDashes(argc, argv);

  sigset_t signals = cradle::BlockStopSignals();

  cradle::gateway::GatewayOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.insecure = absl::GetFlag(FLAGS_insecure);
  options.web_root = absl::GetFlag(FLAGS_web);
  options.public_key_hex = absl::GetFlag(FLAGS_public_key);
  if (!options.public_key_hex.empty() && options.public_key_hex.size() != 64) {
    absl::StatusOr<std::string> text = cradle::ReadFile(options.public_key_hex);
    if (!text.ok()) {
      std::fprintf(stderr,
                   "cradle-gateway: --public-key is neither 64 hex digits "
                   "nor a file: %s\n",
                   std::string(text.status().message()).c_str());
      return 2;
    }
    options.public_key_hex = std::string(absl::StripAsciiWhitespace(*text));
  }
  if (!absl::ParseDuration(absl::GetFlag(FLAGS_call_timeout),
                           &options.call_timeout) ||
      options.call_timeout <= absl::ZeroDuration()) {
    std::fprintf(stderr,
                 "cradle-gateway: --call-timeout must be a duration such as "
                 "30s\n");
    return 2;
  }
  const std::string upstream = absl::GetFlag(FLAGS_upstream);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  const std::string ca = absl::GetFlag(FLAGS_upstream_ca);
  if (ca.empty()) {
    if (!cradle::IsLoopback(upstream)) {
      std::fprintf(stderr,
                   "cradle-gateway: --upstream %s is not on loopback: give "
                   "--upstream-ca, so tokens never cross a network in "
                   "clear\n",
                   upstream.c_str());
      return 2;
    }
    credentials = grpc::InsecureChannelCredentials();
  } else {
    absl::StatusOr<std::string> pem = cradle::ReadFile(ca);
    if (!pem.ok()) {
      std::fprintf(stderr, "cradle-gateway: --upstream-ca: %s\n",
                   std::string(pem.status().message()).c_str());
      return 2;
    }
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = *pem;
    credentials = grpc::SslCredentials(tls);
  }
  absl::StatusOr<std::unique_ptr<cradle::gateway::Gateway>> gateway =
      cradle::gateway::Gateway::Start(
          options, grpc::CreateChannel(upstream, credentials));
  if (!gateway.ok()) {
    std::fprintf(stderr, "cradle-gateway: %s\n",
                 std::string(gateway.status().message()).c_str());
    return 1;
  }
  std::printf("cradle-gateway: serving %s on %s:%d, calling %s\n",
              options.insecure ? "HTTP" : "HTTPS",
              options.listen.substr(0, options.listen.rfind(':')).c_str(),
              (*gateway)->port(), upstream.c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "cradle-gateway: signal %d, shutting down\n", sig);
  (*gateway)->Shutdown();
  return 0;
}
