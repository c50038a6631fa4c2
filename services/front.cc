#include "services/front.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
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
#include "cradle/v1/container.pb.h"
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
        v1::RegisterContainerRequest::descriptor()->file(),
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
  explicit Service(const FrontOptions& options)
      : methods_(ProvinceMethods()), interval_(options.health_interval) {
    for (const std::string& node : options.nodes) {
      channels_.push_back(grpc::CreateChannel(node, options.node_credentials));
      stubs_.push_back(std::make_unique<grpc::GenericStub>(channels_.back()));
      names_.push_back(node);
    }
    health_.resize(names_.size());
    for (const auto& [path, method] : methods_) {
      const std::string& service = method->service()->full_name();
      if (std::find(services_.begin(), services_.end(), service) ==
          services_.end()) {
        services_.push_back(service);
      }
    }
  }
  ~Service() { StopWatching(); }

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* ctx) override;

  const google::protobuf::MethodDescriptor* Find(
      const std::string& path) const {
    auto it = methods_.find(path);
    return it == methods_.end() ? nullptr : it->second;
  }
  // The nodes a call of `service` tries, in order: those whose health
  // says they serve it, taken in turn, a node whose channel has failed
  // after one whose has not; then those whose health did not answer. When
  // there are none, every node.
  std::vector<size_t> Candidates(const std::string& service);
  grpc::GenericStub& stub(size_t k) { return *stubs_[k]; }
  const std::string& name(size_t k) const { return names_[k]; }

  // Asks every node's health of every service now.
  void PollHealth();
  // Asks again every `health_interval` until StopWatching.
  void StartWatching();
  void StopWatching();

 private:
  struct Health {
    bool answered = false;  // the last poll reached the node
    absl::flat_hash_set<std::string> serving;
  };

  const absl::flat_hash_map<std::string,
                            const google::protobuf::MethodDescriptor*>
      methods_;
  const absl::Duration interval_;
  std::vector<std::string> services_;  // full names, in the API's order
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<std::string> names_;
  std::atomic<size_t> next_{0};
  absl::Mutex mu_;
  std::vector<Health> health_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watcher_;
};

std::vector<size_t> FrontServer::Service::Candidates(
    const std::string& service) {
  const size_t start = next_.fetch_add(1, std::memory_order_relaxed);
  const size_t n = channels_.size();
  std::vector<size_t> up, failed, unknown;
  {
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < n; ++i) {
      const size_t k = (start + i) % n;
      if (health_[k].serving.contains(service)) {
        (channels_[k]->GetState(/*try_to_connect=*/true) ==
                 GRPC_CHANNEL_TRANSIENT_FAILURE
             ? failed
             : up)
            .push_back(k);
      } else if (!health_[k].answered) {
        unknown.push_back(k);
      }
    }
  }
  up.insert(up.end(), failed.begin(), failed.end());
  up.insert(up.end(), unknown.begin(), unknown.end());
  if (up.empty()) {
    for (size_t i = 0; i < n; ++i) up.push_back((start + i) % n);
  }
  return up;
}

void FrontServer::Service::PollHealth() {
  // grpc.health.v1.Health/Check of "" (the node) and of each service, all
  // at once. The request, HealthCheckRequest{service = 1}, is written by
  // hand: Debian's gRPC installs no health protos for clients.
  struct Check {
    size_t node;
    std::string service;
    grpc::ClientContext ctx;
    grpc::ByteBuffer in, out;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Check>> checks;
  for (size_t k = 0; k < stubs_.size(); ++k) {
    for (const std::string& service : services_) {
      checks.push_back(std::make_unique<Check>());
      checks.back()->node = k;
      checks.back()->service = service;
    }
    checks.push_back(std::make_unique<Check>());
    checks.back()->node = k;  // "": the node itself
  }
  absl::BlockingCounter pending(static_cast<int>(checks.size()));
  for (const std::unique_ptr<Check>& c : checks) {
    const std::string request = absl::StrCat(
        std::string(1, '\x0a'),
        std::string(1, static_cast<char>(c->service.size())), c->service);
    grpc::Slice slice(request);
    c->in = grpc::ByteBuffer(&slice, 1);
    c->ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    Check* check = c.get();
    stubs_[c->node]->UnaryCall(&c->ctx, "/grpc.health.v1.Health/Check",
                               grpc::StubOptions(), &c->in, &c->out,
                               [check, &pending](grpc::Status s) {
                                 check->status = std::move(s);
                                 pending.DecrementCount();
                               });
  }
  pending.Wait();
  std::vector<Health> polled(stubs_.size());
  for (const std::unique_ptr<Check>& c : checks) {
    const bool serving =
        c->status.ok() && Flatten(c->out) == std::string("\x08\x01", 2);
    if (c->service.empty()) {
      polled[c->node].answered = c->status.ok();
    } else if (serving) {
      polled[c->node].serving.insert(c->service);
    }
  }
  absl::MutexLock lock(&mu_);
  health_ = std::move(polled);
}

void FrontServer::Service::StartWatching() {
  watcher_ = std::thread([this] {
    absl::MutexLock lock(&mu_);
    while (!stop_) {
      mu_.AwaitWithTimeout(absl::Condition(&stop_), interval_);
      if (stop_) break;
      mu_.Unlock();
      PollHealth();
      mu_.Lock();
    }
  });
}

void FrontServer::Service::StopWatching() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (watcher_.joinable()) watcher_.join();
}

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
    candidates_ = service_.Candidates(method_->service()->full_name());
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
      k = candidates_[tried_];
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
              unanswered && !cancelled_ && tried_ < candidates_.size();
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
                                         " of ", candidates_.size(),
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
  std::vector<size_t> candidates_;  // the nodes to try, in order
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
  front->service_->PollHealth();
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
  front->service_->StartWatching();
  return front;
}

FrontServer::~FrontServer() { Shutdown(); }

void FrontServer::Shutdown() {
  if (service_ != nullptr) service_->StopWatching();
  if (server_ != nullptr) {
    server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  }
}

}  // namespace cradle::services
