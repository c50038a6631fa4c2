#include "gateway/gateway.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/rpc_method.h"
#include "grpcpp/impl/codegen/sync_stream.h"
#include "grpcpp/support/byte_buffer.h"

#include "base/address.h"
#include "base/read_positions.h"
#include "gateway/openapi.h"
#include "gateway/routes.h"
#include "gateway/transcode.h"
#include "httplib.h"
#include "security/attestation.h"

namespace cradle::gateway {
namespace {

using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

constexpr char kJson[] = "application/json; charset=utf-8";

// The suffix that asks for the bytes a POST's request is signed over
// instead of making the call: pages sign them with the party's key, kept
// in the browser, and send the request with meta.signature.
constexpr absl::string_view kSigningBytes = ":signingBytes";

void Refuse(httplib::Response& res, int grpc_code, absl::string_view message) {
  res.status = HttpStatus(grpc_code);
  res.set_content(ErrorJson(grpc_code, message), kJson);
}

void Refuse(httplib::Response& res, const absl::Status& s) {
  Refuse(res, static_cast<int>(s.code()), s.message());
}

grpc::ByteBuffer ToBuffer(const Message& message) {
  std::string bytes;
  message.SerializeToString(&bytes);
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool FromBuffer(const grpc::ByteBuffer& buffer, Message* message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return message->ParseFromString(bytes);
}

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor& type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(&type)
          ->New());
}

// The gRPC path of `method`: "/cradle.v1.Manifests/Open".
std::string GrpcPath(const MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

class Handler {
 public:
  Handler(std::shared_ptr<grpc::Channel> upstream, absl::Duration timeout,
          std::string public_key_hex)
      : upstream_(std::move(upstream)),
        timeout_(timeout),
        public_key_hex_(std::move(public_key_hex)) {}

  void Serve(const httplib::Request& req, httplib::Response& res) const {
    res.set_header("Cache-Control", "no-store");
    absl::string_view path = req.path;
    if (req.method == "GET" && path == "/v1/openapi.json") {
      static const std::string* openapi = new std::string(OpenApiJson());
      res.set_content(*openapi, kJson);
      return;
    }
    if (req.method == "GET" && path == "/v1/publicKey") {
      if (public_key_hex_.empty()) {
        Refuse(res, 5,
               "this gateway was not given the server's public key "
               "(cradle-gateway --public-key)");
        return;
      }
      google::protobuf::Struct answer;
      (*answer.mutable_fields())["publicKey"].set_string_value(public_key_hex_);
      res.set_content(ToJson(answer), kJson);
      return;
    }
    const bool signing_bytes =
        req.method == "POST" && absl::ConsumeSuffix(&path, kSigningBytes);
    bool path_matched = false;
    Match match = FindRoute(req.method, path, &path_matched);
    if (match.route == nullptr) {
      if (path_matched) {
        res.status = 405;
        res.set_content(
            ErrorJson(12,
                      absl::StrCat(req.method, " is not a method of ", path,
                                   " (GET /v1/openapi.json lists them)"),
                      405),
            kJson);
      } else {
        Refuse(res, 5,
               absl::StrCat("no route ", req.method, " ", path,
                            " (GET /v1/openapi.json lists them)"));
      }
      return;
    }
    const MethodDescriptor* method = MethodOf(*match.route);
    std::multimap<std::string, std::string> query(req.params.begin(),
                                                  req.params.end());
    absl::StatusOr<std::unique_ptr<Message>> request = BuildRequest(
        *method, match, req.method == "POST" ? req.body : "", query);
    if (!request.ok()) {
      Refuse(res, request.status());
      return;
    }
    if (signing_bytes) {
      SigningBytes(**request, res);
      return;
    }
    absl::StatusOr<Upstream> upstream = UpstreamOf(req);
    if (!upstream.ok()) {
      Refuse(res, upstream.status());
      return;
    }
    if (method->server_streaming()) {
      Stream(*method, std::move(*request), *upstream, res);
      return;
    }
    grpc::ClientContext ctx;
    Prepare(*upstream, &ctx);
    grpc::ByteBuffer in = ToBuffer(**request);
    grpc::ByteBuffer out;
    grpc::Status s = grpc::internal::BlockingUnaryCall(
        upstream_.get(),
        grpc::internal::RpcMethod(GrpcPath(*method).c_str(),
                                  grpc::internal::RpcMethod::NORMAL_RPC),
        &ctx, in, &out);
    // The node's position, for the page's next call (read-your-writes on
    // a cluster), refused or not.
    auto position = ctx.GetServerTrailingMetadata().find(kSequenceTrailer);
    if (position != ctx.GetServerTrailingMetadata().end()) {
      res.set_header(kSequenceTrailer, std::string(position->second.data(),
                                                   position->second.size()));
    }
    if (!s.ok()) {
      Refuse(res, s.error_code(), s.error_message());
      return;
    }
    std::unique_ptr<Message> answer = NewMessage(*method->output_type());
    if (!FromBuffer(out, answer.get())) {
      Refuse(res, 13, "the server's answer did not parse");
      return;
    }
    res.set_content(ToJson(*answer), kJson);
  }

 private:
  // What a call upstream carries from the HTTP request: the caller's
  // token, and the position it must read at.
  struct Upstream {
    std::string authorization;
    std::string min_sequence;  // empty: any
  };

  static absl::StatusOr<Upstream> UpstreamOf(const httplib::Request& req) {
    Upstream u;
    u.authorization = req.get_header_value("Authorization");
    u.min_sequence = req.get_header_value(kMinSequenceHeader);
    uint64_t sequence = 0;
    if (!u.min_sequence.empty() &&
        !absl::SimpleAtoi(u.min_sequence, &sequence)) {
      return absl::InvalidArgumentError(
          absl::StrCat("header ", kMinSequenceHeader, ": \"", u.min_sequence,
                       "\" is not a ledger position (a whole number)"));
    }
    return u;
  }

  void Prepare(const Upstream& u, grpc::ClientContext* ctx) const {
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    if (!u.authorization.empty()) {
      ctx->AddMetadata("authorization", u.authorization);
    }
    if (!u.min_sequence.empty()) {
      ctx->AddMetadata(kMinSequenceHeader, u.min_sequence);
    }
  }

  static void SigningBytes(const Message& request, httplib::Response& res) {
    absl::string_view name = security::SigningName(request);
    if (name.empty()) {
      Refuse(res, 3,
             absl::StrCat(request.GetDescriptor()->full_name(),
                          " is not signed: send it as it is"));
      return;
    }
    google::protobuf::Struct answer;
    (*answer.mutable_fields())["signingName"].set_string_value(
        std::string(name));
    (*answer.mutable_fields())["bytes"].set_string_value(
        absl::Base64Escape(security::AttestationMessage(request)));
    res.set_content(ToJson(answer), kJson);
  }

  // A server-streaming method's answers, one JSON object a line, as they
  // come. A refusal before the first answer is an HTTP refusal; one after
  // it ends the stream with an {"error":...} line.
  void Stream(const MethodDescriptor& method, std::unique_ptr<Message> request,
              const Upstream& upstream, httplib::Response& res) const {
    struct Call {
      // A client that left mid-stream: the call upstream ends now, before
      // its reader goes.
      ~Call() {
        if (!finished) ctx.TryCancel();
      }
      grpc::ClientContext ctx;
      grpc::ByteBuffer in;
      std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader;
      grpc::ByteBuffer first;  // read before the answer began
      bool has_first = false;
      bool finished = false;
    };
    auto call = std::make_shared<Call>();
    Prepare(upstream, &call->ctx);
    call->in = ToBuffer(*request);
    const std::string path = GrpcPath(method);
    call->reader.reset(
        grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(
            upstream_.get(),
            grpc::internal::RpcMethod(
                path.c_str(), grpc::internal::RpcMethod::SERVER_STREAMING),
            &call->ctx, call->in));
    if (!call->reader->Read(&call->first)) {
      call->finished = true;
      grpc::Status s = call->reader->Finish();
      if (!s.ok()) {
        Refuse(res, s.error_code(), s.error_message());
      } else {
        res.set_content("", "application/x-ndjson");
      }
      return;
    }
    const google::protobuf::Descriptor* output = method.output_type();
    call->has_first = true;
    res.set_chunked_content_provider(
        "application/x-ndjson",
        [call, output](size_t, httplib::DataSink& sink) {
          if (call->finished) {
            sink.done();
            return true;
          }
          grpc::ByteBuffer next;
          bool have = call->has_first;
          if (have) {
            next = std::move(call->first);
            call->has_first = false;
          } else {
            have = call->reader->Read(&next);
          }
          if (have) {
            std::unique_ptr<Message> answer = NewMessage(*output);
            std::string line =
                FromBuffer(next, answer.get())
                    ? ToJson(*answer)
                    : ErrorJson(13, "the server's answer did not parse");
            line.push_back('\n');
            return sink.write(line.data(), line.size());
          }
          call->finished = true;
          grpc::Status s = call->reader->Finish();
          if (!s.ok()) {
            std::string line = ErrorJson(s.error_code(), s.error_message());
            line.push_back('\n');
            if (!sink.write(line.data(), line.size())) return false;
          }
          sink.done();
          return true;
        });
  }

  std::shared_ptr<grpc::Channel> upstream_;
  absl::Duration timeout_;
  std::string public_key_hex_;
};

bool IsFolder(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(
    const GatewayOptions& options, std::shared_ptr<grpc::Channel> upstream) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(options.listen, &host, &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("http listen: \"", options.listen, "\" is not host:port"));
  }
  std::unique_ptr<Gateway> gateway(new Gateway());
  gateway->upstream_ = std::move(upstream);
  if (options.insecure) {
    if (!IsLoopback(options.listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "http listen: plain HTTP only on a loopback address, not ",
          options.listen, " (give a TLS certificate and key)"));
    }
    gateway->http_ = std::make_unique<httplib::Server>();
  } else {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return absl::InvalidArgumentError(
          "tls_cert, tls_key: the gateway serves HTTPS with both");
    }
    for (const std::string* f :
         {&options.tls_cert_file, &options.tls_key_file}) {
      struct stat st;
      if (stat(f->c_str(), &st) != 0) {
        return absl::NotFoundError(absl::StrCat("no such file: ", *f));
      }
    }
    auto tls = std::make_unique<httplib::SSLServer>(
        options.tls_cert_file.c_str(), options.tls_key_file.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tls_cert, tls_key: ", options.tls_cert_file, " and ",
          options.tls_key_file, " are not a PEM certificate and its key"));
    }
    gateway->http_ = std::move(tls);
  }
  httplib::Server& http = *gateway->http_;
  const int threads = std::max(1, options.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(kMaxBodyBytes);
  http.set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      // Pages load only their own scripts and styles; the camera and
      // blob: images are the scanner's.
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data: blob:; media-src 'self' "
       "blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"},
  });
  if (!options.web_root.empty()) {
    if (!IsFolder(options.web_root)) {
      return absl::InvalidArgumentError(
          absl::StrCat("web: ", options.web_root, " is not a folder"));
    }
    for (const auto& [ext, type] :
         std::vector<std::pair<const char*, const char*>>{
             {"html", "text/html; charset=utf-8"},
             {"js", "text/javascript; charset=utf-8"},
             {"mjs", "text/javascript; charset=utf-8"},
             {"css", "text/css; charset=utf-8"},
             {"json", "application/json; charset=utf-8"},
             {"webmanifest", "application/manifest+json"},
             {"svg", "image/svg+xml"},
             {"png", "image/png"},
             {"ico", "image/x-icon"},
             {"txt", "text/plain; charset=utf-8"}}) {
      http.set_file_extension_and_mimetype_mapping(ext, type);
    }
    http.set_mount_point("/", options.web_root);
  }
  if (!options.public_key_hex.empty() &&
      (options.public_key_hex.size() != 64 ||
       options.public_key_hex.find_first_not_of("0123456789abcdef") !=
           std::string::npos)) {
    return absl::InvalidArgumentError(
        "public key: not 64 lower-case hex digits (an Ed25519 key)");
  }
  auto handler = std::make_shared<Handler>(
      gateway->upstream_, options.call_timeout, options.public_key_hex);
  auto serve = [handler](const httplib::Request& req, httplib::Response& res) {
    handler->Serve(req, res);
  };
  http.Get("/v1/.*", serve);
  http.Post("/v1/.*", serve);
  auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    res.status = 405;
    res.set_content(
        ErrorJson(12, req.method + " is not a method of the API", 405), kJson);
  };
  http.Put("/.*", not_allowed);
  http.Delete("/.*", not_allowed);
  http.Patch("/.*", not_allowed);

  if (port == 0) {
    port = http.bind_to_any_port(host);
    if (port < 0) port = 0;
  } else if (!http.bind_to_port(host, port)) {
    port = 0;
  }
  if (port == 0) {
    return absl::UnavailableError(
        absl::StrCat("http listen: cannot bind ", options.listen));
  }
  gateway->port_ = port;
  // Connections wait in the bound socket's backlog until the loop runs.
  gateway->thread_ = std::thread([&http] { http.listen_after_bind(); });
  return gateway;
}

Gateway::~Gateway() { Shutdown(); }

void Gateway::Shutdown() {
  if (http_ != nullptr) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace cradle::gateway
