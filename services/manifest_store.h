#pragma once

// The application layer between the gRPC services and the ledger: loads a
// manifest's materialised state, runs a domain decision on it, and appends
// the decided events together with the new state and its index entries in one
// atomic write, guarded by the manifest's version. It knows nothing of gRPC.

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "base/clock.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/authz.h"
#include "domain/flags/flag_config.h"
#include "domain/lifecycle.h"
#include "storage/ledger.h"

namespace cradle::services {

// Reads enterprises from the ledger's materialised state.
class LedgerRegistryReader final : public domain::RegistryReader {
 public:
  explicit LedgerRegistryReader(const storage::Ledger& ledger)
      : ledger_(ledger) {}
  absl::StatusOr<v1::Enterprise> GetEnterprise(
      absl::string_view field, absl::string_view id) const override;
  absl::StatusOr<std::vector<v1::Enterprise>> ReceiversInCity(
      absl::string_view city_unit) const override;
  absl::StatusOr<int64_t> AcceptedGrams(absl::string_view receiver,
                                        int year) const override;
  absl::StatusOr<std::vector<v1::Approval>> Approvals(
      absl::string_view generator, absl::string_view receiver) const override;
  absl::StatusOr<int64_t> ApprovalUsedGrams(
      absl::string_view number) const override;

 private:
  const storage::Ledger& ledger_;
};

// The idempotency key of a write: required, 1..128 bytes.
absl::Status CheckIdempotencyKey(const v1::WriteMeta& meta);

// A WriteReceipt for the last entry of an append.
v1::WriteReceipt ReceiptFor(const storage::AppendResult& result);

class ManifestStore {
 public:
  using Done = std::function<void(absl::StatusOr<v1::ManifestReply>)>;
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

  absl::StatusOr<v1::ListManifestsResponse> List(
      const v1::ListManifestsRequest& request) const;

  // Raises the deadline flags due by the clock's now, reading only the due
  // index. Returns how many manifests got flags. Blocks on the ledger: run it
  // on its own thread (Sweeper), never on a gRPC thread.
  absl::StatusOr<int> SweepDue(size_t max_keys);

  const domain::RegistryReader& registry() const { return registry_; }

 private:
  // The next serial of `city4` in `year`; RESOURCE_EXHAUSTED past 999999.
  absl::StatusOr<int64_t> NextSerial(int year, const std::string& city4);
  // Completes every caller waiting on the open with `key`.
  void FinishOpen(const std::string& key, absl::StatusOr<v1::ManifestReply> r);
  // Answers a retried request from the first result; false when unseen.
  bool AnswerReplay(const std::string& idempotency_key, const Done& done) const;
  storage::AppendRequest MakeAppend(const v1::Manifest& before,
                                    const domain::Decision& decision,
                                    absl::string_view actor,
                                    std::string idempotency_key,
                                    absl::Time now) const;

  storage::Ledger& ledger_;
  const Clock& clock_;
  LedgerRegistryReader registry_;
  const domain::FlagConfig flag_config_;

  absl::Mutex open_mu_;
  // Last serial handed out, per "<year><city4>".
  absl::flat_hash_map<std::string, int64_t> serials_ ABSL_GUARDED_BY(open_mu_);
  // Callers of opens in flight, by idempotency key; the first is the writer.
  absl::flat_hash_map<std::string, std::vector<Done>> opening_
      ABSL_GUARDED_BY(open_mu_);
};

}  // namespace cradle::services
