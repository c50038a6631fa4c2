#pragma once

// A cradled of a province's cluster (docs/CLUSTER.md). On a thread of its
// own it follows the log (the ledger's CatchUp), competes for the writer's
// lock, and becomes the writer when it takes it (after catching up) or
// steps down when it loses it. While it is not the writer it forwards the
// writes it receives to the node whose address the lock names, and answers
// its caller once its own ledger holds the write, so that a read on this
// node sees it.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/string_ref.h"

#include "services/write_forwarder.h"
#include "storage/batch_log.h"
#include "storage/rocksdb_ledger.h"

namespace cradle::services {

struct ClusterNodeOptions {
  // host:port other nodes reach this one at; what the lock names while this
  // node writes.
  std::string advertise;
  // How often a follower reads the log, and how often the lock is checked
  // (held, taken, whose).
  absl::Duration poll = absl::Milliseconds(20);
  absl::Duration lock_check = absl::Milliseconds(250);
  // Never competes for the writer's lock: a read-only copy of the
  // province (a reporting replica, a national mirror) that still forwards
  // writes to the writer.
  bool follow_only = false;
  // How long a forwarded write's answer waits for this node to apply it.
  absl::Duration apply_wait = absl::Seconds(5);
  // To reach the writer: plain TCP (loopback clusters) or TLS trusting
  // `peer_credentials`.
  std::shared_ptr<grpc::ChannelCredentials> peer_credentials;
};

// The ledger sequence metadata `key` carries (kSequenceTrailer,
// cradle-min-sequence); 0 when absent or not a number.
uint64_t SequenceIn(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    const char* key);

class ClusterNode final : public WriteForwarder {
 public:
  // Neither `ledger` nor `lock` is owned; both must outlive the node.
  ClusterNode(storage::RocksDbLedger& ledger, storage::WriterLock& lock,
              ClusterNodeOptions options);
  ~ClusterNode() override;

  // Called on the node's thread with entries [from, to] after the ledger
  // applied them from the log (credentials to reload, ...).
  void OnApplied(std::function<void(uint64_t from, uint64_t to)> applied);
  // Called on the node's thread each time it becomes the writer, before it
  // takes writes (caches of the last writer's decisions to drop, ...).
  void OnPromoted(std::function<void()> promoted);

  void Start();
  void Stop();
  // One round of the loop: catch up, check or take the lock. For tests.
  void Step();

  bool Forwarding() const override;
  void Forward(grpc::CallbackServerContext* ctx, const std::string& method,
               const grpc::ByteBuffer* request, grpc::ByteBuffer* response,
               std::function<void(grpc::Status)> done) override;

  // Runs `then(true)` once the ledger holds entry `sequence`, or
  // `then(false)` after `max`. On the node's thread, or at once. The node
  // catches up at once rather than at its next poll.
  void WhenApplied(uint64_t sequence, absl::Duration max,
                   std::function<void(bool)> then);

  // "writer" or "follower", and the writer's address as last read.
  std::string Role() const;
  std::string WriterAddress() const;

 private:
  struct Waiter {
    absl::Time deadline;
    std::function<void(bool)> then;
  };
  void CatchUp();
  bool StopOrHurry() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || hurry_;
  }
  void CheckLock();
  void Promote();
  void Wake();
  grpc::GenericStub* StubFor(const std::string& address)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  storage::RocksDbLedger& ledger_;
  storage::WriterLock& lock_;
  const ClusterNodeOptions options_;
  std::function<void(uint64_t, uint64_t)> applied_;
  std::function<void()> promoted_;
  absl::Time next_lock_check_ = absl::InfinitePast();

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool hurry_ ABSL_GUARDED_BY(mu_) = false;  // a waiter came: catch up now
  bool halted_reported_ ABSL_GUARDED_BY(mu_) = false;
  std::string last_problem_ ABSL_GUARDED_BY(mu_);  // the last catch-up error
  std::string writer_ ABSL_GUARDED_BY(mu_);
  std::multimap<uint64_t, Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  // One stub per writer address seen, kept: calls in flight use them.
  std::map<std::string, std::unique_ptr<grpc::GenericStub>> stubs_
      ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace cradle::services
