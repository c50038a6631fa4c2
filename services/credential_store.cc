#include "services/credential_store.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "base/files.h"
#include "base/quote.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "domain/names.h"
#include "domain/record.h"
#include "security/ed25519.h"
#include "security/token.h"
#include "services/keys.h"
#include "services/projection.h"

namespace cradle::services {
namespace {

constexpr size_t kMaxCredentials = 1 << 20;

bool HasRole(const v1::Enterprise& e, v1::Role role) {
  return std::find(e.roles().begin(), e.roles().end(), role) != e.roles().end();
}

}  // namespace

CredentialStore::CredentialStore(storage::Ledger& ledger, const Clock& clock)
    : ledger_(ledger),
      registry_(ledger),
      clock_(clock),
      issues_(
          ledger,
          [](const storage::AppendResult& first)
              -> absl::StatusOr<v1::IssueCredentialResponse> {
            return absl::AlreadyExistsError(absl::StrCat(
                "meta.idempotency_key was used already to issue ", first.stream,
                "; its token was shown once: revoke it and issue "
                "another if it was lost"));
          }),
      revocations_(ledger,
                   [this](const storage::AppendResult& first)
                       -> absl::StatusOr<v1::Credential> {
                     CRADLE_ASSIGN_OR_RETURN(keys::StreamName name,
                                             keys::ParseStream(first.stream));
                     return Get(name.id);
                   }) {}

absl::StatusOr<std::unique_ptr<CredentialStore>> CredentialStore::Load(
    storage::Ledger& ledger, const Clock& clock) {
  std::unique_ptr<CredentialStore> store(new CredentialStore(ledger, clock));
  std::string after;
  while (true) {
    absl::StatusOr<std::vector<storage::KeyValue>> page =
        ledger.ScanIndex(keys::CredentialsPrefix(), after, 1000);
    if (!page.ok()) return page.status();
    for (const storage::KeyValue& kv : *page) {
      CRADLE_RETURN_IF_ERROR(
          store->Reload(kv.key.substr(keys::CredentialsPrefix().size())));
    }
    if (page->size() < 1000) break;
    after = page->back().key;
  }
  return store;
}

absl::Status CredentialStore::Reload(absl::string_view id) {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                          ledger_.GetState(keys::CredentialState(id)));
  ledger::v1::CredentialEvent state;
  if (!value.has_value() || !state.ParseFromString(*value)) {
    return absl::DataLossError(
        absl::StrCat("credential ", id, " is indexed but its state is ",
                     value.has_value() ? "unreadable" : "missing"));
  }
  Put(state);
  return absl::OkStatus();
}

void CredentialStore::Put(const ledger::v1::CredentialEvent& state) {
  absl::MutexLock lock(&mu_);
  Stored& s = by_id_[state.issued().id()];
  s.credential = domain::Transcribe<v1::Credential>(state.issued());
  s.token_sha256 = state.token_sha256();
}

absl::StatusOr<domain::Principal> CredentialStore::Authenticate(
    absl::string_view token) const {
  absl::StatusOr<std::string> id = security::TokenId(token);
  if (!id.ok()) return id.status();
  v1::Credential credential;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = by_id_.find(*id);
    if (it == by_id_.end() ||
        !security::TokenMatches(token, it->second.token_sha256)) {
      return absl::UnauthenticatedError(absl::StrCat(
          "credential ", *id, " is unknown or the token is wrong"));
    }
    if (it->second.credential.revoked()) {
      return absl::UnauthenticatedError(absl::StrCat(
          "credential ", *id,
          " was revoked: ", it->second.credential.revoke_reason()));
    }
    credential = it->second.credential;
  }
  if (credential.has_expires_at() &&
      FromTimestamp(credential.expires_at()) <= clock_.Now()) {
    return absl::UnauthenticatedError(
        absl::StrCat("credential ", *id, " expired at ",
                     absl::FormatTime(FromTimestamp(credential.expires_at()))));
  }
  return domain::PrincipalOf(credential);
}

absl::StatusOr<PreparedWrite<v1::IssueCredentialResponse>>
CredentialStore::PrepareIssue(const v1::IssueCredentialRequest& request,
                              const domain::Principal& by,
                              const security::NewToken& token) {
  CRADLE_RETURN_IF_ERROR(domain::CheckIssueCredential(request));
  if (!request.public_key().empty() &&
      !security::IsEd25519PublicKey(request.public_key())) {
    return absl::InvalidArgumentError(
        "public_key is not an Ed25519 public key: not a point of the curve's "
        "prime-order group (a key of small order verifies signatures anyone "
        "can make)");
  }
  if (request.kind() == v1::CREDENTIAL_KIND_PARTY) {
    CRADLE_ASSIGN_OR_RETURN(
        v1::Enterprise e,
        registry_.GetEnterprise("enterprise", request.enterprise()));
    if (!HasRole(e, request.role())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "enterprise ", request.enterprise(), " is not registered as ",
          domain::ShortName(request.role())));
    }
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    if (by_id_.size() >= kMaxCredentials) {
      return absl::ResourceExhaustedError(
          absl::StrCat("there are already ", kMaxCredentials, " credentials"));
    }
  }
  const absl::Time now = clock_.Now();
  v1::Credential credential;
  credential.set_id(token.id);
  credential.set_kind(request.kind());
  credential.set_enterprise(request.enterprise());
  credential.set_role(request.role());
  credential.set_jurisdiction(request.jurisdiction());
  credential.set_holder(request.holder());
  credential.set_public_key(request.public_key());
  *credential.mutable_issued_at() = ToTimestamp(now);
  if (request.valid_seconds() > 0) {
    *credential.mutable_expires_at() =
        ToTimestamp(now + absl::Seconds(request.valid_seconds()));
  }
  credential.set_issued_by(by.Actor());

  ledger::v1::CredentialEvent event;
  *event.mutable_issued() =
      domain::Transcribe<ledger::v1::Credential>(credential);
  event.set_token_sha256(token.sha256);
  PreparedWrite<v1::IssueCredentialResponse> out;
  storage::AppendRequest& req = out.append;
  req.stream = keys::CredentialStream(token.id);
  req.expected_version = 0;
  req.entries.push_back(storage::NewEntry{
      "credential.issued", event.SerializeAsString(), by.Actor()});
  req.mutations.push_back(storage::Mutation::Put(
      storage::Table::kState, keys::CredentialState(token.id),
      event.SerializeAsString()));
  IndexDiff({}, CredentialIndex(event.issued()), &req.mutations);
  out.answer = [this, event, token = token.token](const storage::AppendResult&)
      -> absl::StatusOr<v1::IssueCredentialResponse> {
    Put(event);
    v1::IssueCredentialResponse reply;
    *reply.mutable_credential() =
        domain::Transcribe<v1::Credential>(event.issued());
    reply.set_token(token);
    return reply;
  };
  return out;
}

void CredentialStore::Issue(const v1::IssueCredentialRequest& request,
                            const domain::Principal& by, IssueDone done) {
  issues_.Write(
      by, "credential.issue", request.meta(),
      [&]() -> absl::StatusOr<PreparedWrite<v1::IssueCredentialResponse>> {
        CRADLE_ASSIGN_OR_RETURN(security::NewToken token,
                                security::MakeToken());
        return PrepareIssue(request, by, token);
      },
      std::move(done));
}

absl::StatusOr<PreparedWrite<v1::Credential>> CredentialStore::PrepareRevoke(
    const v1::RevokeCredentialRequest& request, const domain::Principal& by) {
  if (!security::IsCredentialId(request.id())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "id ", Quote(request.id()), " is not a credential id (16 hex digits)"));
  }
  if (request.reason().empty() || request.reason().size() > 500) {
    return absl::InvalidArgumentError(
        "reason is required (at most 500 bytes): it is kept in the ledger");
  }
  Stored current;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = by_id_.find(request.id());
    if (it == by_id_.end()) {
      return absl::NotFoundError(
          absl::StrCat("credential ", request.id(), " does not exist"));
    }
    current = it->second;
  }
  if (current.credential.revoked()) {
    return absl::FailedPreconditionError(
        absl::StrCat("credential ", request.id(), " is already revoked"));
  }
  CRADLE_ASSIGN_OR_RETURN(
      uint64_t version,
      ledger_.StreamVersion(keys::CredentialStream(request.id())));

  const google::protobuf::Timestamp now = ToTimestamp(clock_.Now());
  ledger::v1::CredentialEvent state;
  *state.mutable_issued() =
      domain::Transcribe<ledger::v1::Credential>(current.credential);
  state.mutable_issued()->set_revoked(true);
  *state.mutable_issued()->mutable_revoked_at() = now;
  state.mutable_issued()->set_revoke_reason(request.reason());
  state.set_token_sha256(current.token_sha256);
  ledger::v1::CredentialEvent event;
  *event.mutable_revoked() =
      domain::Transcribe<ledger::v1::CredentialRevoked>(request);
  *event.mutable_at() = now;

  PreparedWrite<v1::Credential> out;
  storage::AppendRequest& req = out.append;
  req.stream = keys::CredentialStream(request.id());
  req.expected_version = version;
  req.entries.push_back(storage::NewEntry{
      "credential.revoked", event.SerializeAsString(), by.Actor()});
  req.mutations.push_back(storage::Mutation::Put(
      storage::Table::kState, keys::CredentialState(request.id()),
      state.SerializeAsString()));
  out.answer =
      [this,
       state](const storage::AppendResult&) -> absl::StatusOr<v1::Credential> {
    Put(state);
    return domain::Transcribe<v1::Credential>(state.issued());
  };
  return out;
}

void CredentialStore::RememberVouched(const v1::Credential& vouched,
                                      const std::string& vouch,
                                      const std::string& signature,
                                      const std::string& actor,
                                      std::function<void()> then) {
  bool record;
  {
    absl::MutexLock lock(&mu_);
    record = !by_id_.contains(vouched.id()) &&
             remembering_.insert(vouched.id()).second;
  }
  if (!record) {
    then();
    return;
  }
  ledger::v1::CredentialEvent event;
  *event.mutable_issued() = domain::Transcribe<ledger::v1::Credential>(vouched);
  event.set_vouch(vouch);
  event.set_vouch_signature(signature);
  storage::AppendRequest req;
  req.stream = keys::CredentialStream(vouched.id());
  req.expected_version = 0;  // once: a second record is refused
  req.entries.push_back(storage::NewEntry{"credential.vouched",
                                          event.SerializeAsString(), actor});
  req.mutations.push_back(storage::Mutation::Put(
      storage::Table::kState, keys::CredentialState(vouched.id()),
      event.SerializeAsString()));
  IndexDiff({}, CredentialIndex(event.issued()), &req.mutations);
  ledger_.Append(std::move(req), [this, event, then = std::move(then)](
                                     absl::StatusOr<storage::AppendResult> r) {
    if (r.ok()) Put(event);
    {
      absl::MutexLock lock(&mu_);
      remembering_.erase(event.issued().id());
    }
    then();
  });
}

void CredentialStore::Revoke(const v1::RevokeCredentialRequest& request,
                             const domain::Principal& by, CredentialDone done) {
  revocations_.Write(
      by, "credential.revoke", request.meta(),
      [&] { return PrepareRevoke(request, by); }, std::move(done));
}

std::vector<v1::Credential> CredentialStore::List(absl::string_view enterprise,
                                                  absl::string_view after,
                                                  size_t limit) const {
  std::vector<const v1::Credential*> found;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [id, s] : by_id_) {
    if ((enterprise.empty() || s.credential.enterprise() == enterprise) &&
        id > after) {
      found.push_back(&s.credential);
    }
  }
  const size_t n = std::min(limit, found.size());
  std::partial_sort(found.begin(), found.begin() + n, found.end(),
                    [](const v1::Credential* a, const v1::Credential* b) {
                      return a->id() < b->id();
                    });
  std::vector<v1::Credential> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(*found[i]);
  return out;
}

absl::StatusOr<v1::Credential> CredentialStore::Get(
    absl::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) {
    return absl::NotFoundError(
        absl::StrCat("credential ", id, " does not exist"));
  }
  return it->second.credential;
}

absl::StatusOr<bool> CredentialStore::Bootstrap(const std::string& token_path) {
  // The token goes first to `pending`, and reaches `token_path` only once
  // its credential is durable: whoever waits for the file (an operator, a
  // script, a test) can use it as soon as it appears. A start cut short
  // between the append and the rename is finished by the next one.
  const std::string pending = token_path + ".pending";
  bool empty;
  {
    absl::ReaderMutexLock lock(&mu_);
    empty = by_id_.empty();
  }
  if (!empty) {
    CRADLE_RETURN_IF_ERROR(FinishPendingToken(pending, token_path));
    return false;
  }
  absl::StatusOr<security::NewToken> token = security::MakeToken();
  if (!token.ok()) return token.status();
  domain::Principal system;
  system.kind = v1::CREDENTIAL_KIND_ADMINISTRATOR;
  system.credential = "bootstrap";
  v1::IssueCredentialRequest request;
  request.mutable_meta()->set_idempotency_key("bootstrap-administrator");
  request.set_kind(v1::CREDENTIAL_KIND_ADMINISTRATOR);
  request.set_holder("initial administrator");
  CRADLE_ASSIGN_OR_RETURN(PreparedWrite<v1::IssueCredentialResponse> issue,
                          PrepareIssue(request, system, *token));
  issue.append.idempotency_key = keys::Idempotency(
      system.Scope(), "credential.issue", request.meta().idempotency_key());
  // Written before the append: an administrator credential whose token
  // was never kept would lock the registry.
  ::unlink(pending.c_str());
  CRADLE_RETURN_IF_ERROR(WriteNewFile(pending, token->token + "\n", 0600));
  // On an error the token stays pending: should the append have taken all
  // the same, the next start finds its credential and keeps it.
  CRADLE_ASSIGN_OR_RETURN(storage::AppendResult r,
                          ledger_.AppendAndWait(std::move(issue.append)));
  CRADLE_RETURN_IF_ERROR(issue.answer(r).status());
  CRADLE_RETURN_IF_ERROR(FinishPendingToken(pending, token_path));
  return true;
}

absl::Status CredentialStore::FinishPendingToken(
    const std::string& pending, const std::string& token_path) const {
  absl::StatusOr<std::string> text = ReadFile(pending);
  if (!text.ok()) return absl::OkStatus();  // nothing pending
  // A token whose append never took (this node lost the writer's place,
  // or the append failed) proves nothing: drop it.
  if (!Authenticate(absl::StripAsciiWhitespace(*text)).ok()) {
    ::unlink(pending.c_str());
    return absl::OkStatus();
  }
  return RenameDurably(pending, token_path);
}

}  // namespace cradle::services
