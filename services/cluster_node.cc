#include "services/cluster_node.h"

#include <cstdio>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"

#include "base/read_positions.h"

namespace cradle::services {
namespace {

// One forwarded call: the client side of it, alive until its answer.
struct ForwardedCall {
  grpc::ClientContext context;
};

}  // namespace

uint64_t SequenceIn(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    const char* key) {
  auto it = metadata.find(key);
  uint64_t sequence = 0;
  if (it == metadata.end() ||
      !absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()),
                        &sequence)) {
    return 0;
  }
  return sequence;
}

ClusterNode::ClusterNode(storage::RocksDbLedger& ledger,
                         storage::WriterLock& lock, ClusterNodeOptions options)
    : ledger_(ledger), lock_(lock), options_(std::move(options)) {}

ClusterNode::~ClusterNode() { Stop(); }

void ClusterNode::OnApplied(
    std::function<void(uint64_t from, uint64_t to)> applied) {
  applied_ = std::move(applied);
}

void ClusterNode::OnPromoted(std::function<void()> promoted) {
  promoted_ = std::move(promoted);
}

void ClusterNode::Start() {
  thread_ = std::thread([this] {
    absl::MutexLock lock(&mu_);
    while (!stop_) {
      hurry_ = false;
      mu_.Unlock();
      Step();
      mu_.Lock();
      // Woken early by a forwarded write's answer: the log holds it now.
      mu_.AwaitWithTimeout(absl::Condition(this, &ClusterNode::StopOrHurry),
                           options_.poll);
    }
  });
}

void ClusterNode::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  lock_.Release();
  absl::MutexLock lock(&mu_);
  for (auto& [sequence, waiter] : waiters_) waiter.then(false);
  waiters_.clear();
}

void ClusterNode::Step() {
  if (!ledger_.IsWriter()) CatchUp();
  if (absl::Now() >= next_lock_check_) {
    next_lock_check_ = absl::Now() + options_.lock_check;
    CheckLock();
  }
  Wake();
}

void ClusterNode::CatchUp() {
  const uint64_t before = ledger_.GetHead().sequence;
  absl::StatusOr<uint64_t> applied = ledger_.CatchUp();
  if (!applied.ok()) {
    absl::MutexLock lock(&mu_);
    // Said once, not at every poll, until it changes.
    const std::string problem = applied.status().ToString();
    if (problem != last_problem_) {
      std::fprintf(stderr, "cradled: cluster: %s\n", problem.c_str());
      last_problem_ = problem;
    }
    halted_reported_ = absl::IsDataLoss(applied.status());
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    last_problem_.clear();
  }
  if (*applied > 0 && applied_) applied_(before + 1, before + *applied);
}

void ClusterNode::CheckLock() {
  if (lock_.StillHeld()) {
    // Still ours; a writer that stepped down on its own (its append was
    // fenced or unconfirmed) catches up and writes again. One that writes
    // marks its last record durable again, should the mark it made when it
    // fell idle have failed (nothing when it is marked).
    if (!ledger_.IsWriter()) {
      Promote();
    } else {
      ledger_.MarkLogDurable().IgnoreError();
    }
  } else {
    if (ledger_.IsWriter()) {
      ledger_.StepDown("it lost the writer's lock");
      std::fprintf(stderr,
                   "cradled: cluster: this node no longer writes: it lost "
                   "the writer's lock\n");
    }
    absl::MutexLock lock(&mu_);
    if (halted_reported_) return;  // a halted node never writes
  }
  if (!ledger_.IsWriter() && !options_.follow_only) {
    absl::StatusOr<bool> taken = lock_.TryAcquire(options_.advertise);
    if (taken.ok() && *taken) Promote();
  }
  absl::StatusOr<std::string> writer = lock_.Writer();
  if (writer.ok()) {
    absl::MutexLock lock(&mu_);
    writer_ = *writer;
  }
}

void ClusterNode::Promote() {
  const uint64_t before = ledger_.GetHead().sequence;
  if (absl::Status s = ledger_.BecomeWriter(); !s.ok()) {
    std::fprintf(stderr, "cradled: cluster: cannot become the writer: %s\n",
                 s.ToString().c_str());
    lock_.Release();
    return;
  }
  const uint64_t after = ledger_.GetHead().sequence;
  if (after > before && applied_) applied_(before + 1, after);
  std::fprintf(stderr, "cradled: cluster: this node writes, from entry %llu\n",
               static_cast<unsigned long long>(after + 1));
  if (promoted_) promoted_();
}

void ClusterNode::Wake() {
  const uint64_t head = ledger_.GetHead().sequence;
  const absl::Time now = absl::Now();
  std::vector<std::pair<std::function<void(bool)>, bool>> ready;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->first <= head || it->second.deadline <= now) {
        ready.emplace_back(std::move(it->second.then), it->first <= head);
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [then, applied] : ready) then(applied);
}

void ClusterNode::WhenApplied(uint64_t sequence, absl::Duration max,
                              std::function<void(bool)> then) {
  if (ledger_.GetHead().sequence >= sequence) {
    then(true);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (!stop_) {
      waiters_.emplace(sequence, Waiter{absl::Now() + max, std::move(then)});
      hurry_ = true;  // catch up now rather than at the next poll
      return;
    }
  }
  then(false);
}

bool ClusterNode::Forwarding() const { return !ledger_.IsWriter(); }

std::string ClusterNode::Role() const {
  return ledger_.IsWriter() ? "writer" : "follower";
}

std::string ClusterNode::WriterAddress() const {
  absl::MutexLock lock(&mu_);
  return writer_;
}

grpc::GenericStub* ClusterNode::StubFor(const std::string& address) {
  std::unique_ptr<grpc::GenericStub>& stub = stubs_[address];
  if (stub == nullptr) {
    stub = std::make_unique<grpc::GenericStub>(
        grpc::CreateChannel(address, options_.peer_credentials != nullptr
                                         ? options_.peer_credentials
                                         : grpc::InsecureChannelCredentials()));
  }
  return stub.get();
}

void ClusterNode::Forward(grpc::CallbackServerContext* ctx,
                          const std::string& method,
                          const grpc::ByteBuffer* request,
                          grpc::ByteBuffer* response,
                          std::function<void(grpc::Status)> done) {
  const auto& metadata = ctx->client_metadata();
  grpc::GenericStub* stub = nullptr;
  std::string writer;
  {
    absl::MutexLock lock(&mu_);
    writer = writer_;
    if (!writer.empty() && writer != options_.advertise &&
        metadata.find(kForwardedHeader) == metadata.end()) {
      stub = StubFor(writer);
    }
  }
  if (stub == nullptr) {
    done(grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        writer.empty() || writer == options_.advertise
            ? "no writer is known to this node now: retry the call"
            : "this node is not the writer and the call was forwarded "
              "already: retry the call"));
    return;
  }
  auto* call = new ForwardedCall;
  for (const auto& [key, value] : metadata) {
    const absl::string_view k(key.data(), key.size());
    if (k == "authorization" || absl::StartsWith(k, "cradle-")) {
      call->context.AddMetadata(std::string(k),
                                std::string(value.data(), value.size()));
    }
  }
  call->context.AddMetadata(kForwardedHeader, options_.advertise);
  call->context.set_deadline(ctx->deadline());
  stub->UnaryCall(
      &call->context, method, grpc::StubOptions(), request, response,
      [this, call, done = std::move(done)](grpc::Status status) {
        const uint64_t sequence =
            status.ok() ? SequenceIn(call->context.GetServerTrailingMetadata(),
                                     kSequenceTrailer)
                        : 0;
        delete call;
        // The writer answers only once the log holds the write durably:
        // this node may read it before the writer marks it so.
        if (sequence > 0) ledger_.LearnLogDurable(sequence);
        // The write is durable either way; the wait only lets a
        // read on this node that follows the answer see it.
        WhenApplied(sequence, options_.apply_wait,
                    [status, done](bool) { done(status); });
      });
}

}  // namespace cradle::services
