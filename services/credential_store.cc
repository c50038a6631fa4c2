#include "services/credential_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "base/time.h"
#include "security/token.h"
#include "services/keys.h"
#include "services/projection.h"

namespace cradle::services {
namespace {

constexpr size_t kMaxCredentials = 1 << 20;

bool HasRole(const v1::Enterprise& e, v1::Role role) {
  return std::find(e.roles().begin(), e.roles().end(), role) != e.roles().end();
}

absl::Status WriteSecretFile(const std::string& path,
                             const std::string& content) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  const ssize_t n = ::write(fd, content.data(), content.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(content.size()) || !synced) {
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CredentialStore>> CredentialStore::Load(
    storage::Ledger& ledger, const Clock& clock) {
  std::unique_ptr<CredentialStore> store(new CredentialStore(ledger, clock));
  std::string after;
  while (true) {
    absl::StatusOr<std::vector<storage::KeyValue>> page =
        ledger.ScanIndex(keys::CredentialsPrefix(), after, 1000);
    if (!page.ok()) return page.status();
    for (const storage::KeyValue& kv : *page) {
      const std::string id = kv.key.substr(keys::CredentialsPrefix().size());
      absl::StatusOr<absl::optional<std::string>> value =
          ledger.GetState(keys::CredentialState(id));
      if (!value.ok()) return value.status();
      v1::CredentialEvent state;
      if (!value->has_value() || !state.ParseFromString(**value)) {
        return absl::DataLossError(
            absl::StrCat("credential ", id, " is indexed but its state is ",
                         value->has_value() ? "unreadable" : "missing"));
      }
      store->Put(state);
    }
    if (page->size() < 1000) break;
    after = page->back().key;
  }
  return store;
}

void CredentialStore::Put(const v1::CredentialEvent& state) {
  absl::MutexLock lock(&mu_);
  Stored& s = by_id_[state.issued().id()];
  s.credential = state.issued();
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

absl::StatusOr<storage::AppendRequest> CredentialStore::PrepareIssue(
    const v1::IssueCredentialRequest& request, const domain::Principal& by,
    const std::string& id, const std::string& token_sha256,
    v1::Credential* credential) const {
  if (absl::Status s = CheckIdempotencyKey(request.meta()); !s.ok()) return s;
  if (absl::Status s = domain::CheckIssueCredential(request); !s.ok()) return s;
  if (request.kind() == v1::PARTY) {
    absl::StatusOr<v1::Enterprise> e =
        registry_.GetEnterprise("enterprise", request.enterprise());
    if (!e.ok()) return e.status();
    if (!HasRole(*e, request.role())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "enterprise ", request.enterprise(), " is not registered as ",
          v1::Role_Name(request.role())));
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
  credential->set_id(id);
  credential->set_kind(request.kind());
  credential->set_enterprise(request.enterprise());
  credential->set_role(request.role());
  credential->set_jurisdiction(request.jurisdiction());
  credential->set_holder(request.holder());
  credential->set_public_key(request.public_key());
  *credential->mutable_issued_at() = ToTimestamp(now);
  if (request.valid_seconds() > 0) {
    *credential->mutable_expires_at() =
        ToTimestamp(now + absl::Seconds(request.valid_seconds()));
  }
  credential->set_issued_by(by.Actor());

  v1::CredentialEvent event;
  *event.mutable_issued() = *credential;
  event.set_token_sha256(token_sha256);
  storage::AppendRequest req;
  req.stream = keys::CredentialStream(id);
  req.expected_version = 0;
  req.idempotency_key = keys::Idempotency(by.Scope(), "credential.issue",
                                          request.meta().idempotency_key());
  req.entries.push_back(storage::NewEntry{
      "credential.issued", event.SerializeAsString(), by.Actor()});
  req.mutations.push_back(storage::Mutation{storage::Table::kState,
                                            keys::CredentialState(id),
                                            event.SerializeAsString()});
  IndexDiff({}, CredentialIndex(*credential), &req.mutations);
  return req;
}

void CredentialStore::Issue(const v1::IssueCredentialRequest& request,
                            const domain::Principal& by, IssueDone done) {
  absl::StatusOr<security::NewToken> token = security::MakeToken();
  if (!token.ok()) return done(token.status());
  v1::Credential credential;
  absl::StatusOr<storage::AppendRequest> req =
      PrepareIssue(request, by, token->id, token->sha256, &credential);
  if (!req.ok()) return done(req.status());
  const std::string key = request.meta().idempotency_key();
  ledger_.Append(*std::move(req), [this, credential, token = token->token,
                                   sha = token->sha256, key,
                                   done = std::move(done)](
                                      absl::StatusOr<storage::AppendResult> r) {
    if (!r.ok()) return done(r.status());
    if (r->replayed) {
      return done(absl::AlreadyExistsError(absl::StrCat(
          "meta.idempotency_key ", Quote(key), " already issued ", r->stream,
          "; its token was shown once: revoke it and issue another if "
          "it was lost")));
    }
    v1::CredentialEvent state;
    *state.mutable_issued() = credential;
    state.set_token_sha256(sha);
    Put(state);
    v1::IssueCredentialResponse reply;
    *reply.mutable_credential() = credential;
    reply.set_token(token);
    done(std::move(reply));
  });
}

void CredentialStore::Revoke(const v1::RevokeCredentialRequest& request,
                             const domain::Principal& by, CredentialDone done) {
  if (absl::Status s = CheckIdempotencyKey(request.meta()); !s.ok())
    return done(s);
  if (!security::IsCredentialId(request.id())) {
    return done(absl::InvalidArgumentError(
        absl::StrCat("id ", Quote(request.id()),
                     " is not a credential id (16 hex digits)")));
  }
  if (request.reason().empty() || request.reason().size() > 500) {
    return done(absl::InvalidArgumentError(
        "reason is required (at most 500 bytes): it is kept in the ledger"));
  }
  const std::string idem = keys::Idempotency(by.Scope(), "credential.revoke",
                                             request.meta().idempotency_key());
  absl::StatusOr<absl::optional<storage::AppendResult>> seen =
      ledger_.FindIdempotent(idem);
  if (!seen.ok()) return done(seen.status());
  if (seen->has_value()) return done(Get(request.id()));

  Stored current;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = by_id_.find(request.id());
    if (it == by_id_.end()) {
      return done(absl::NotFoundError(
          absl::StrCat("credential ", request.id(), " does not exist")));
    }
    current = it->second;
  }
  if (current.credential.revoked()) {
    return done(absl::FailedPreconditionError(
        absl::StrCat("credential ", request.id(), " is already revoked")));
  }
  absl::StatusOr<uint64_t> version =
      ledger_.StreamVersion(keys::CredentialStream(request.id()));
  if (!version.ok()) return done(version.status());

  const google::protobuf::Timestamp now = ToTimestamp(clock_.Now());
  v1::CredentialEvent state;
  *state.mutable_issued() = current.credential;
  state.mutable_issued()->set_revoked(true);
  *state.mutable_issued()->mutable_revoked_at() = now;
  state.mutable_issued()->set_revoke_reason(request.reason());
  state.set_token_sha256(current.token_sha256);
  v1::CredentialEvent event;
  *event.mutable_revoked() = request;
  *event.mutable_at() = now;

  storage::AppendRequest req;
  req.stream = keys::CredentialStream(request.id());
  req.expected_version = *version;
  req.idempotency_key = idem;
  req.entries.push_back(storage::NewEntry{
      "credential.revoked", event.SerializeAsString(), by.Actor()});
  req.mutations.push_back(storage::Mutation{storage::Table::kState,
                                            keys::CredentialState(request.id()),
                                            state.SerializeAsString()});
  ledger_.Append(std::move(req),
                 [this, state, id = request.id(), done = std::move(done)](
                     absl::StatusOr<storage::AppendResult> r) {
                   if (!r.ok()) return done(r.status());
                   if (!r->replayed) Put(state);
                   done(Get(id));
                 });
}

std::vector<v1::Credential> CredentialStore::List(
    absl::string_view enterprise) const {
  std::vector<v1::Credential> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [id, s] : by_id_) {
      if (enterprise.empty() || s.credential.enterprise() == enterprise) {
        out.push_back(s.credential);
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [](const v1::Credential& a, const v1::Credential& b) {
              return a.id() < b.id();
            });
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
  {
    absl::ReaderMutexLock lock(&mu_);
    if (!by_id_.empty()) return false;
  }
  absl::StatusOr<security::NewToken> token = security::MakeToken();
  if (!token.ok()) return token.status();
  domain::Principal system;
  system.kind = v1::ADMINISTRATOR;
  system.credential = "bootstrap";
  v1::IssueCredentialRequest request;
  request.mutable_meta()->set_idempotency_key("bootstrap-administrator");
  request.set_kind(v1::ADMINISTRATOR);
  request.set_holder("initial administrator");
  v1::Credential credential;
  absl::StatusOr<storage::AppendRequest> req =
      PrepareIssue(request, system, token->id, token->sha256, &credential);
  if (!req.ok()) return req.status();
  // The token file first: an administrator credential nobody can use would
  // lock the registry. A crash between the two leaves a file whose token
  // is unknown, and the next start tries again.
  ::unlink(token_path.c_str());
  if (absl::Status s = WriteSecretFile(token_path, token->token + "\n");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<storage::AppendResult> r =
      ledger_.AppendAndWait(*std::move(req));
  if (!r.ok()) return r.status();
  v1::CredentialEvent state;
  *state.mutable_issued() = credential;
  state.set_token_sha256(token->sha256);
  Put(state);
  return true;
}

}  // namespace cradle::services
