#pragma once

// Credentials: issued and revoked as ledger entries (stream
// "credential/<id>"), checked on every call against a map in memory that is
// loaded when the server starts and updated as soon as an issue or a
// revocation is durable, so a revocation takes effect at once. Only the
// SHA-256 of a token is kept. Knows nothing of gRPC.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

#include "base/clock.h"
#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/auth.pb.h"
#include "domain/authz.h"
#include "security/token.h"
#include "services/ledger_registry.h"
#include "services/write_pipeline.h"
#include "storage/ledger.h"

namespace cradle::services {

class CredentialStore {
 public:
  // Loads every credential from the ledger's state. Neither argument is
  // owned; both must outlive the store.
  static absl::StatusOr<std::unique_ptr<CredentialStore>> Load(
      storage::Ledger& ledger, const Clock& clock);

  // The principal a bearer token proves. UNAUTHENTICATED, saying why, for
  // a malformed, unknown, wrong, revoked or expired token.
  absl::StatusOr<domain::Principal> Authenticate(absl::string_view token) const;

  using IssueDone =
      std::function<void(absl::StatusOr<v1::IssueCredentialResponse>)>;
  using CredentialDone = std::function<void(absl::StatusOr<v1::Credential>)>;

  // Issues a credential on behalf of `by` (an administrator). A PARTY
  // credential needs its enterprise registered in that role. A retried
  // request is refused with ALREADY_EXISTS: the token was shown once.
  // `done` may run on the ledger's writer thread.
  void Issue(const v1::IssueCredentialRequest& request,
             const domain::Principal& by, IssueDone done);
  // Revokes at once; revoking a revoked credential is FAILED_PRECONDITION.
  void Revoke(const v1::RevokeCredentialRequest& request,
              const domain::Principal& by, CredentialDone done);

  // Credentials (of `enterprise` when non-empty) with ids after `after`,
  // by id, at most `limit`.
  std::vector<v1::Credential> List(absl::string_view enterprise,
                                   absl::string_view after, size_t limit) const;
  // Records, once, the credential another province vouched for (`vouched`,
  // its id "<province>:<id>"), with the vouch and its signature as
  // received, so that the entries its party writes here can be checked
  // against its key (Get finds it). No token proves it. Calls `then` once
  // the record is durable, at once when it is known or being made; a
  // record that fails is tried again at the party's next vouched write.
  void RememberVouched(const v1::Credential& vouched, const std::string& vouch,
                       const std::string& signature, const std::string& actor,
                       std::function<void()> then);
  // Any credential, revoked or expired included; NOT_FOUND otherwise.
  absl::StatusOr<v1::Credential> Get(absl::string_view id) const;

  // Reads credential `id` again from the ledger's state: for a cluster node,
  // after the log issued or revoked it. DATA_LOSS when it is unreadable.
  absl::Status Reload(absl::string_view id);

  // On a ledger without credentials, issues an administrator credential and
  // writes its token to `token_path` (mode 0600); returns true then, false
  // when credentials already exist. The file appears only once the
  // credential is durable, so its token works as soon as it can be read.
  // Blocks on the ledger: call at start.
  absl::StatusOr<bool> Bootstrap(const std::string& token_path);

 private:
  struct Stored {
    v1::Credential credential;
    std::string token_sha256;
  };

  CredentialStore(storage::Ledger& ledger, const Clock& clock);

  // Renames the token a bootstrap left at `pending` to `token_path` when
  // it proves a known credential (the start was cut short after its
  // append), else removes it.
  absl::Status FinishPendingToken(const std::string& pending,
                                  const std::string& token_path) const;

  // Checks the request against the registry and builds the append of a
  // new credential with `token`; once durable, the answer is the
  // credential and the token, shown this once.
  absl::StatusOr<PreparedWrite<v1::IssueCredentialResponse>> PrepareIssue(
      const v1::IssueCredentialRequest& request, const domain::Principal& by,
      const security::NewToken& token);
  absl::StatusOr<PreparedWrite<v1::Credential>> PrepareRevoke(
      const v1::RevokeCredentialRequest& request, const domain::Principal& by);
  void Put(const ledger::v1::CredentialEvent& state);

  storage::Ledger& ledger_;
  const LedgerRegistryReader registry_;
  const Clock& clock_;
  WritePipeline<v1::IssueCredentialResponse> issues_;
  WritePipeline<v1::Credential> revocations_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Stored> by_id_ ABSL_GUARDED_BY(mu_);
  // Vouched credentials being recorded (RememberVouched).
  absl::flat_hash_set<std::string> remembering_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cradle::services
