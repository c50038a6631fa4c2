#pragma once

// The one sequence every write to the ledger follows, whatever its stream
// (manifest, enterprise, approval, credential):
//
//   1. the request's idempotency key is checked (required, 1..128 bytes)
//      and scoped to the caller and the operation;
//   2. a key seen before is answered from what the first write left, and
//      nothing is decided again;
//   3. `prepare` loads what the write decides on, runs the domain's
//      decision and builds the append: state, index and counter mutations,
//      guarded by the stream's version; a refusal here writes nothing;
//   4. the append goes to the ledger's group-committing writer;
//   5. once durable, the caller is answered from the decision, or, when a
//      concurrent copy of the same request won, from what that copy left.
//
// Knows nothing of gRPC. `done` runs once, possibly on the ledger's writer
// thread; it must not block.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "cradle/v1/common.pb.h"
#include "domain/authz.h"
#include "services/keys.h"
#include "storage/ledger.h"

namespace cradle::services {

// The idempotency key of a write: required, 1..128 bytes.
absl::Status CheckIdempotencyKey(const v1::WriteMeta& meta);

// A WriteReceipt for the last entry of an append.
v1::WriteReceipt ReceiptFor(const storage::AppendResult& result);

// What a decided write appends, and how it is answered once durable.
template <typename Reply>
struct PreparedWrite {
  storage::AppendRequest append;  // its idempotency_key is set by the pipeline
  // The answer once `append` is durable and new (not a replay); called at
  // most once, so it may move what it holds into the answer.
  std::function<absl::StatusOr<Reply>(const storage::AppendResult&)> answer;
  // For a write that creates its stream (expected_version 0): what is
  // ALREADY_EXISTS when another write created it first, e.g.
  // "approval.number 3201-2026-001". Empty: the ledger's ABORTED stands.
  std::string created;
};

template <typename Reply>
class WritePipeline {
 public:
  using Done = std::function<void(absl::StatusOr<Reply>)>;
  // The answer to a retried write, from the result of its first append.
  using Replay =
      std::function<absl::StatusOr<Reply>(const storage::AppendResult& first)>;
  using Prepare = std::function<absl::StatusOr<PreparedWrite<Reply>>()>;
  // Marks an answer given to a second, concurrent copy of a request.
  using MarkReplayed = std::function<void(Reply*)>;

  // Whether concurrent copies of one request (same scoped key) share the
  // first one's decision and answer instead of each deciding. Needed when
  // deciding takes something that must not be taken twice, such as a
  // manifest number.
  enum class Copies { kEachDecides, kShareFirst };

  // `ledger` is not owned and must outlive the pipeline.
  WritePipeline(storage::Ledger& ledger, Replay replay,
                MarkReplayed mark_replayed = nullptr)
      : ledger_(ledger),
        replay_(std::move(replay)),
        mark_replayed_(std::move(mark_replayed)) {}

  WritePipeline(const WritePipeline&) = delete;
  WritePipeline& operator=(const WritePipeline&) = delete;

  // Runs the sequence above for operation `op` on behalf of `who`.
  void Write(const domain::Principal& who, absl::string_view op,
             const v1::WriteMeta& meta, const Prepare& prepare, Done done,
             Copies copies = Copies::kEachDecides) {
    if (absl::Status s = CheckIdempotencyKey(meta); !s.ok()) {
      done(s);
      return;
    }
    std::string key =
        keys::Idempotency(who.Scope(), op, meta.idempotency_key());
    if (AnswerReplay(key, done)) return;
    if (copies == Copies::kShareFirst) {
      absl::MutexLock lock(&mu_);
      auto [it, first] = in_flight_.try_emplace(key);
      it->second.push_back(std::move(done));
      if (!first) return;  // a copy is being decided: share its answer
      done = [this, key](absl::StatusOr<Reply> r) {
        FinishCopies(key, std::move(r));
      };
    }
    absl::StatusOr<PreparedWrite<Reply>> prepared = prepare();
    if (!prepared.ok()) {
      done(prepared.status());
      return;
    }
    prepared->append.idempotency_key = std::move(key);
    const bool creates = prepared->append.expected_version == 0;
    ledger_.Append(
        std::move(prepared->append),
        [this, creates, answer = std::move(prepared->answer),
         created = std::move(prepared->created),
         done = std::move(done)](absl::StatusOr<storage::AppendResult> r) {
          if (!r.ok()) {
            if (creates && !created.empty() &&
                r.status().code() == absl::StatusCode::kAborted) {
              done(absl::AlreadyExistsError(
                  absl::StrCat(created, " is already registered")));
            } else {
              done(r.status());
            }
          } else if (r->replayed) {
            done(replay_(*r));
          } else {
            done(answer(*r));
          }
        });
  }

 private:
  // Answers a retried request from the first result; false when unseen.
  bool AnswerReplay(const std::string& key, const Done& done) const {
    absl::StatusOr<absl::optional<storage::AppendResult>> seen =
        ledger_.FindIdempotent(key);
    if (!seen.ok()) {
      done(seen.status());
    } else if (seen->has_value()) {
      done(replay_(**seen));
    } else {
      return false;
    }
    return true;
  }

  // Completes every copy waiting on `key`; the second and later are marked.
  void FinishCopies(const std::string& key, absl::StatusOr<Reply> r) {
    std::vector<Done> waiting;
    {
      absl::MutexLock lock(&mu_);
      auto it = in_flight_.find(key);
      if (it == in_flight_.end()) return;
      waiting = std::move(it->second);
      in_flight_.erase(it);
    }
    for (size_t i = 0; i < waiting.size(); ++i) {
      // The last (usually the only) copy takes the answer itself.
      absl::StatusOr<Reply> answer = i + 1 == waiting.size() ? std::move(r) : r;
      if (i > 0 && answer.ok() && mark_replayed_) mark_replayed_(&*answer);
      waiting[i](std::move(answer));
    }
  }

  storage::Ledger& ledger_;
  const Replay replay_;
  const MarkReplayed mark_replayed_;

  absl::Mutex mu_;
  // Copies of requests being decided (Copies::kShareFirst), by scoped key;
  // the first is the one deciding.
  absl::flat_hash_map<std::string, std::vector<Done>> in_flight_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace cradle::services
