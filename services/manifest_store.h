#pragma once

// The application layer between the gRPC services and the ledger: loads a
// manifest's materialised state, runs a domain decision on it, and appends
// the decided events together with the new state and its index entries in one
// atomic write, guarded by the manifest's version. It knows nothing of gRPC.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "base/clock.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/authz.h"
#include "domain/container.h"
#include "domain/flags/flag_config.h"
#include "domain/lifecycle.h"
#include "services/ledger_registry.h"
#include "services/write_pipeline.h"
#include "storage/ledger.h"

namespace cradle::services {

// What a manifest write leaves: the manifest as it made it, and the
// receipt of its append (for a retry, the first append's).
struct ManifestWritten {
  v1::Manifest manifest;
  v1::WriteReceipt receipt;
};

class ManifestStore {
 public:
  using Done = std::function<void(absl::StatusOr<ManifestWritten>)>;
  // `registry` answers the decision's lookups for this one write, and
  // remembers them for the flag rules that follow (domain::MemoizedRegistry).
  using Decider = std::function<absl::StatusOr<domain::Decision>(
      const v1::Manifest& current, const domain::RegistryReader& registry,
      absl::Time now)>;

  // Neither is owned; both must outlive the store.
  ManifestStore(storage::Ledger& ledger, const Clock& clock,
                domain::FlagConfig flag_config = {});

  // NOT_FOUND naming the number when there is no such manifest.
  absl::StatusOr<v1::Manifest> Load(absl::string_view number) const;
  // Flag `id` ("<subject>-F<n>") as its subject, a manifest or a
  // container, holds it.
  absl::StatusOr<v1::Flag> LoadFlag(absl::string_view id) const;
  // The open (or acknowledged) flags whose origin or destination lies in
  // `jurisdiction` ("" everywhere), by kind, each counted once: read flag
  // by flag, unlike the per-city counters, which count a flag between two
  // cities twice. RESOURCE_EXHAUSTED past kMaxOpenFlags.
  absl::StatusOr<std::map<v1::FlagKind, int64_t>> CountOpenFlags(
      absl::string_view jurisdiction) const;

  // Opens a manifest, assigning the next serial of the generator's city and
  // year: allocated in memory once the request is valid, so concurrent opens
  // never collide, and initialised from the highest number in the ledger.
  // A number is skipped only if the ledger fails to write its manifest.
  // Concurrent copies of one request (same idempotency key) share one
  // number and one answer.
  // `who` is the authenticated caller: its Actor() is recorded and its
  // Scope() scopes the idempotency key.
  void Open(const v1::OpenManifestRequest& request,
            const domain::Principal& who, Done done);

  // Applies `decide` to manifest `number` on behalf of `who` (the
  // authenticated caller) as operation `op`. `done` runs once, possibly on
  // the ledger's writer thread; it must not block.
  void Write(absl::string_view number, const domain::Principal& who,
             absl::string_view op, const v1::WriteMeta& meta, Decider decide,
             Done done);

  // The same for a regulator's write to the stream of container `code`
  // (its flags): `decide` gets the container as read, with the manifest
  // that lists it, and `done` the container as the write left it.
  using ContainerDecider =
      std::function<absl::StatusOr<domain::ContainerDecision>(
          const v1::Container& current, absl::Time now)>;
  using ContainerDone = std::function<void(absl::StatusOr<v1::Container>)>;
  void WriteContainer(absl::string_view code, const domain::Principal& who,
                      absl::string_view op, const v1::WriteMeta& meta,
                      ContainerDecider decide, ContainerDone done);

  absl::StatusOr<v1::ListManifestsResponse> List(
      const v1::ListManifestsRequest& request) const;
  // What waits on `request.party()` (domain/inbox.h), newest manifests
  // first; a page reads at most page_size of the party's manifests, so it
  // may hold fewer items (or none) and still have a next page.
  absl::StatusOr<v1::ListInboxResponse> Inbox(
      const v1::ListInboxRequest& request) const;
  // What a regulator office of `jurisdiction` answers: first the
  // corrections waiting on it (revisions to approve, returns to confirm),
  // then the open flags, newest first; a page reads at most page_size
  // manifests or open flags.
  absl::StatusOr<v1::ListInboxResponse> OfficeInbox(
      const v1::ListInboxRequest& request,
      absl::string_view jurisdiction) const;

  // Raises the deadline flags due by the clock's now, reading only the due
  // index: a manifest's, and a stored container's storage limit (which
  // either flags it or, when a manifest took it away in time, ends its
  // deadline: docs/STOCK.md). Returns how many subjects got flags; adds to
  // `undated` the deadlines reached that the working-day calendar cannot date
  // (domain::UndatedDeadlines), raised on no guess. Blocks on the ledger:
  // run it on its own thread (Sweeper), never on a gRPC thread.
  absl::StatusOr<int> SweepDue(size_t max_keys,
                               std::set<std::string>* undated = nullptr);

  // Forgets the serials handed out, so that each is read again from the
  // ledger: for a cluster node that has just become the writer.
  void ForgetSerials();

  const domain::RegistryReader& registry() const { return registry_; }
  const domain::FlagConfig& flag_config() const { return flag_config_; }

 private:
  // The next serial of `city4` in `year`; RESOURCE_EXHAUSTED past 999999.
  absl::StatusOr<int64_t> NextSerial(int year, const std::string& city4);
  // The open decided and numbered, ready to append.
  absl::StatusOr<PreparedWrite<ManifestWritten>> PrepareOpen(
      const v1::OpenManifestRequest& request, absl::string_view actor);
  // One inbox page: `each` is called with the rest of each key under
  // `prefix` (a manifest number, a flag id), greatest first, page_size of
  // them from the request's token; `next_page_token` is set when the page
  // is full.
  absl::Status ReadBackward(
      const std::string& prefix, const v1::ListInboxRequest& request,
      std::string* next_page_token,
      const std::function<absl::Status(absl::string_view)>& each) const;

  // The answer to a retry: the manifest as it is now, with the receipt of
  // the first append.
  absl::StatusOr<ManifestWritten> Replay(
      const storage::AppendResult& first) const;
  // `decision` on `before` as one append: its events, the new state, and
  // the index and counter changes between the two.
  storage::AppendRequest MakeAppend(const v1::Manifest& before,
                                    const domain::Decision& decision,
                                    absl::string_view actor,
                                    absl::Time now) const;

  // The sweep of container `code`'s storage deadline at `now`: whether it
  // was flagged (the end of its storage is written but not counted).
  absl::StatusOr<bool> SweepContainer(absl::string_view code, absl::Time now);

  storage::Ledger& ledger_;
  const Clock& clock_;
  LedgerRegistryReader registry_;
  const domain::FlagConfig flag_config_;

  WritePipeline<ManifestWritten> pipeline_;
  WritePipeline<v1::Container> containers_;

  absl::Mutex serial_mu_;
  // Last serial handed out, per "<year><city4>".
  absl::flat_hash_map<std::string, int64_t> serials_
      ABSL_GUARDED_BY(serial_mu_);
};

}  // namespace cradle::services
