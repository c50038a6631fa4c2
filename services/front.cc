#include "services/front.h"

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"

#include "cradle/v1/audit.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/feed.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/node.pb.h"
#include "cradle/v1/registry.pb.h"
#include "services/grpc_status.h"
#include "services/request_bytes.h"

namespace cradle::services {
namespace {

// A province's API: every method of these files' services, by the path a
// call names ("/cradle.v1.Manifests/Open"). Naming one message of each
// file links its descriptors in.
absl::flat_hash_map<std::string, const google::protobuf::MethodDescriptor*>
ProvinceMethods() {
  absl::flat_hash_map<std::string, const google::protobuf::MethodDescriptor*>
      out;
  for (const google::protobuf::FileDescriptor* file :
       {v1::RegisterEnterpriseRequest::descriptor()->file(),
        v1::IssueCredentialRequest::descriptor()->file(),
        v1::OpenManifestRequest::descriptor()->file(),
        v1::ListFlagsRequest::descriptor()->file(),
        v1::ExportRequest::descriptor()->file(),
        v1::SubscribeRequest::descriptor()->file(),
        v1::CheckpointRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const google::protobuf::MethodDescriptor* method = service->method(m);
        out[absl::StrCat("/", service->full_name(), "/", method->name())] =
            method;
      }
    }
  }
  return out;
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (buffer.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      out.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return out;
}

// Metadata gRPC itself sets on a call; the rest is the caller's and goes on.
bool Relayed(absl::string_view key) {
  return !absl::StartsWith(key, ":") && !absl::StartsWith(key, "grpc-") &&
         key != "user-agent" && key != "content-type" && key != "te" &&
         key != "host";
}

}  // namespace

class FrontServer::Service : public grpc::CallbackGenericService {
 public:
  explicit Service(const FrontOptions& options) : methods_(ProvinceMethods()) {
    for (const std::string& node : options.nodes) {
      channels_.push_back(grpc::CreateChannel(node, options.node_credentials));
      stubs_.push_back(std::make_unique<grpc::GenericStub>(channels_.back()));
      names_.push_back(node);
    }
  }

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* ctx) override;

  const google::protobuf::MethodDescriptor* Find(
      const std::string& path) const {
    auto it = methods_.find(path);
    return it == methods_.end() ? nullptr : it->second;
  }
  size_t size() const { return stubs_.size(); }
  // Where a call starts: the nodes in turn, skipping one whose channel has
  // failed while another has not.
  size_t First() {
    const size_t start = next_.fetch_add(1, std::memory_order_relaxed);
    for (size_t i = 0; i < channels_.size(); ++i) {
      const size_t k = (start + i) % channels_.size();
      if (channels_[k]->GetState(/*try_to_connect=*/true) !=
          GRPC_CHANNEL_TRANSIENT_FAILURE) {
        return k;
      }
    }
    return start % channels_.size();
  }
  grpc::GenericStub& stub(size_t k) { return *stubs_[k]; }
  const std::string& name(size_t k) const { return names_[k]; }

 private:
  const absl::flat_hash_map<std::string,
                            const google::protobuf::MethodDescriptor*>
      methods_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<std::string> names_;
  std::atomic<size_t> next_{0};
};

// One call through the front: the client's side (this reactor) and, for
// each node tried, an Attempt (the node's side). The request is read once
// and checked; a node's answers are relayed one at a time (the next is read
// once the client took the last). Deleted when both the client's call and
// the last attempt are done.
class FrontServer::Relay : public grpc::ServerGenericBidiReactor {
 public:
  Relay(Service& service, grpc::GenericCallbackServerContext* ctx)
      : service_(service), ctx_(ctx) {
    method_ = service_.Find(ctx->method());
    if (method_ == nullptr) {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                          absl::StrCat("method ", ctx->method(),
                                       " is not part of Cradle's API")));
      return;
    }
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "the call carried no request"));
      return;
    }
    absl::Status checked =
        CheckRequestBytes(*method_->input_type(), Flatten(request_));
    if (!checked.ok()) {
      Finish(ToGrpcStatus(checked));
      return;
    }
    first_ = service_.First();
    StartAttempt();
  }

  // The client took a relayed answer: read the node's next. No lock is
  // held across a gRPC call, which may run a reaction before returning.
  void OnWriteDone(bool ok) override {
    Attempt* a = Current();
    if (ok) {
      a->StartRead(&a->answer);
    } else {
      a->context.TryCancel();  // the client is gone: no more reads
      a->RemoveHold();
    }
  }

  void OnCancel() override {
    Attempt* a;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      a = attempt_;
    }
    if (a != nullptr) a->context.TryCancel();
  }

  void OnDone() override { Release(); }

 private:
  struct Attempt : grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
    explicit Attempt(Relay& r) : relay(r) {}
    // The next read starts from the relay's OnWriteDone, outside this
    // reactor's reactions: a hold keeps the call until the last read.
    void OnReadDone(bool ok) override {
      if (ok) {
        relay.Answer(*this);
      } else {
        RemoveHold();
      }
    }
    void OnDone(const grpc::Status& s) override { relay.AttemptDone(*this, s); }

    Relay& relay;
    size_t node = 0;  // the service's index of the node it calls
    grpc::ClientContext context;
    grpc::ByteBuffer answer;
  };

  Attempt* Current() {
    absl::MutexLock lock(&mu_);
    return attempt_;
  }

  // Sends the request to the next node. Attempts live as long as the
  // relay, so a pointer taken under the lock stays good after it.
  void StartAttempt() {
    Attempt* a;
    size_t k;
    bool cancelled;
    {
      absl::MutexLock lock(&mu_);
      k = (first_ + tried_) % service_.size();
      ++tried_;
      attempts_.push_back(std::make_unique<Attempt>(*this));
      a = attempt_ = attempts_.back().get();
      a->node = k;
      cancelled = cancelled_;
    }
    refs_.fetch_add(1);
    a->context.set_deadline(ctx_->deadline());
    for (const auto& [key, value] : ctx_->client_metadata()) {
      const absl::string_view name(key.data(), key.size());
      if (Relayed(name)) {
        a->context.AddMetadata(std::string(name),
                               std::string(value.data(), value.size()));
      }
    }
    service_.stub(k).PrepareBidiStreamingCall(&a->context, ctx_->method(),
                                              grpc::StubOptions(), a);
    a->StartWriteLast(&request_, grpc::WriteOptions());
    a->StartRead(&a->answer);
    a->AddHold();
    a->StartCall();
    if (cancelled) a->context.TryCancel();
  }

  // A node's answer: to the client, with the node's initial metadata
  // ahead of the first.
  void Answer(Attempt& a) {
    bool first;
    {
      absl::MutexLock lock(&mu_);
      first = !answered_;
      answered_ = true;
    }
    if (first) {
      for (const auto& [key, value] : a.context.GetServerInitialMetadata()) {
        const absl::string_view name(key.data(), key.size());
        if (Relayed(name)) {
          ctx_->AddInitialMetadata(std::string(name),
                                   std::string(value.data(), value.size()));
        }
      }
    }
    StartWrite(&a.answer);
  }

  void AttemptDone(Attempt& a, const grpc::Status& status) {
    bool again, unanswered;
    size_t tried;
    {
      absl::MutexLock lock(&mu_);
      unanswered = !answered_;
      tried = tried_;
      // Nothing was answered yet: the next node may serve it.
      again = status.error_code() == grpc::StatusCode::UNAVAILABLE &&
              unanswered && !cancelled_ && tried_ < service_.size();
    }
    if (again) {
      StartAttempt();
    } else {
      for (const auto& [key, value] : a.context.GetServerTrailingMetadata()) {
        const absl::string_view name(key.data(), key.size());
        if (Relayed(name)) {
          ctx_->AddTrailingMetadata(std::string(name),
                                    std::string(value.data(), value.size()));
        }
      }
      if (status.error_code() == grpc::StatusCode::UNAVAILABLE && unanswered) {
        Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            absl::StrCat("no node answered (tried ", tried,
                                         " of ", service_.size(),
                                         "); the last, ", service_.name(a.node),
                                         ", said: ", status.error_message())));
      } else {
        Finish(status);
      }
    }
    Release();
  }

  void Release() {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  Service& service_;
  grpc::GenericCallbackServerContext* const ctx_;
  const google::protobuf::MethodDescriptor* method_ = nullptr;
  grpc::ByteBuffer request_;
  size_t first_ = 0;
  // The client's call holds one reference; each attempt one until done.
  std::atomic<int> refs_{1};
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Attempt>> attempts_ ABSL_GUARDED_BY(mu_);
  Attempt* attempt_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t tried_ ABSL_GUARDED_BY(mu_) = 0;
  bool answered_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

grpc::ServerGenericBidiReactor* FrontServer::Service::CreateReactor(
    grpc::GenericCallbackServerContext* ctx) {
  return new Relay(*this, ctx);
}

absl::StatusOr<std::unique_ptr<FrontServer>> FrontServer::Start(
    FrontOptions options) {
  if (options.nodes.empty()) {
    return absl::InvalidArgumentError(
        "nodes: the front needs at least one node to send calls to");
  }
  std::unique_ptr<FrontServer> front(new FrontServer());
  front->service_ = std::make_unique<Service>(options);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, options.transport, &front->port_);
  builder.RegisterCallbackGenericService(front->service_.get());
  front->server_ = builder.BuildAndStart();
  if (front->server_ == nullptr || front->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     ": address in use or not an address of this machine"));
  }
  front->server_->GetHealthCheckService()->SetServingStatus(true);
  return front;
}

FrontServer::~FrontServer() { Shutdown(); }

void FrontServer::Shutdown() {
  if (server_ != nullptr) {
    server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  }
}

}  // namespace cradle::services
