#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "security/attestation.h"
#include "services/grpc_status.h"
#include "services/keys.h"
#include "services/ledger_check.h"
#include "services/page_token.h"
#include "services/reads.h"
#include "services/services.h"
#include "storage/entry_codec.h"
#include "storage/merkle.h"
#include "storage/tree_head.h"

namespace cradle::services {
namespace {

// The payload as JSON, for people reading a chain; empty if unknown.
std::unique_ptr<google::protobuf::Message> ParseEvent(const storage::Entry& e);

std::string PayloadJson(const storage::Entry& e) {
  std::unique_ptr<google::protobuf::Message> msg = ParseEvent(e);
  std::string json;
  if (msg == nullptr ||
      !google::protobuf::util::MessageToJsonString(*msg, &json).ok()) {
    return "";
  }
  return json;
}

std::vector<std::string> Hex(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const std::string& h : raw) out.push_back(storage::HexHash(h));
  return out;
}

// The event of an entry's payload, or null for a type we do not know.
std::unique_ptr<google::protobuf::Message> ParseEvent(const storage::Entry& e) {
  std::unique_ptr<google::protobuf::Message> msg;
  if (absl::StartsWith(e.type, "manifest.") ||
      absl::StartsWith(e.type, "flag.")) {
    msg = std::make_unique<ledger::v1::ManifestEvent>();
  } else if (absl::StartsWith(e.type, "registry.")) {
    msg = std::make_unique<ledger::v1::RegistryEvent>();
  } else if (absl::StartsWith(e.type, "credential.")) {
    msg = std::make_unique<ledger::v1::CredentialEvent>();
  } else {
    return nullptr;
  }
  if (!msg->ParseFromString(e.payload)) return nullptr;
  return msg;
}

// The request held by the event's `kind` oneof (what the party sent and
// may have signed), or null.
const google::protobuf::Message* RequestOf(
    const google::protobuf::Message& event) {
  const google::protobuf::OneofDescriptor* kind =
      event.GetDescriptor()->FindOneofByName("kind");
  if (kind == nullptr) return nullptr;
  const google::protobuf::FieldDescriptor* f =
      event.GetReflection()->GetOneofFieldDescriptor(event, kind);
  if (f == nullptr ||
      f->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
    return nullptr;
  }
  return &event.GetReflection()->GetMessage(event, f);
}

// Who wrote the entry and whether its signature verifies.
v1::Signer SignerOf(const CredentialStore& credentials,
                    const storage::Entry& e) {
  v1::Signer signer;
  std::string scope, id;
  if (!domain::ParseActor(e.actor, &scope, &id)) {
    signer.set_enterprise(e.actor);  // the server itself: "cradle-sweeper"
    signer.set_signature(v1::Signer::SIGNATURE_UNSIGNED);
    return signer;
  }
  signer.set_credential(id);
  signer.set_enterprise(scope);
  absl::StatusOr<v1::Credential> c = credentials.Get(id);
  if (c.ok()) signer.set_holder(c->holder());
  std::unique_ptr<google::protobuf::Message> event = ParseEvent(e);
  const google::protobuf::Message* request =
      event == nullptr ? nullptr : RequestOf(*event);
  if (request == nullptr || security::SignatureOf(*request).empty()) {
    signer.set_signature(v1::Signer::SIGNATURE_UNSIGNED);
  } else if (!c.ok() || c->public_key().empty()) {
    signer.set_signature(v1::Signer::SIGNATURE_UNKNOWN_KEY);
  } else {
    switch (security::VerifyRecorded(c->public_key(), *request)) {
      case security::Signed::kCurrent:
        signer.set_signature(v1::Signer::SIGNATURE_VALID);
        break;
      case security::Signed::kFirstFormat:
        signer.set_signature(v1::Signer::SIGNATURE_VALID_FIRST_FORMAT);
        break;
      case security::Signed::kNot:
        signer.set_signature(v1::Signer::SIGNATURE_INVALID);
        break;
    }
  }
  return signer;
}

// May `p` read the stream? A manifest by the authorization table's rule,
// an enterprise's registry record by anyone, any other stream (approvals,
// credentials) by regulators.
absl::Status CheckStreamReader(const ManifestStore& store,
                               const domain::Principal& p,
                               absl::string_view stream) {
  const absl::StatusOr<keys::StreamName> name = keys::ParseStream(stream);
  if (name.ok() && name->kind == keys::StreamKind::kEnterprise) {
    return absl::OkStatus();
  }
  if (name.ok() && name->kind == keys::StreamKind::kManifest) {
    absl::StatusOr<v1::Manifest> m = store.Load(stream);
    if (!m.ok()) return m.status();
    return domain::CheckManifestReader(p, *m);
  }
  if (p.kind == v1::CREDENTIAL_KIND_REGULATOR) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "stream ", Quote(stream), " is not a manifest; only regulators read it"));
}

}  // namespace

v1::LedgerEntry LedgerEntryProto(const storage::Entry& e) {
  v1::LedgerEntry out;
  out.set_sequence(e.sequence);
  out.set_stream(e.stream);
  out.set_stream_version(e.stream_version);
  out.set_type(e.type);
  out.set_actor(e.actor);
  *out.mutable_recorded() = ToTimestamp(e.recorded);
  out.set_prev_hash(storage::HexHash(e.prev_hash));
  out.set_hash(storage::HexHash(e.hash));
  out.set_payload(e.payload);
  out.set_payload_json(PayloadJson(e));
  return out;
}

grpc::ServerUnaryReactor* AuditService::Chain(grpc::CallbackServerContext* ctx,
                                              const v1::ChainRequest* request,
                                              v1::ChainResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<StreamPage> page = ReadStreamPage(
      *ctx, request->number(), request->page_size(), request->page_token());
  if (!page.ok()) {
    reactor->Finish(ToGrpcStatus(page.status()));
    return reactor;
  }
  reply->set_verified(true);
  for (const storage::Entry& e : page->entries) {
    v1::LedgerEntry* out = reply->add_entries();
    *out = LedgerEntryProto(e);
    *out->mutable_signer() = SignerOf(credentials_, e);
    // Each entry recomputed from its stored bytes and linked to the entry
    // before it in the global chain.
    absl::StatusOr<storage::VerifyReport> report =
        ledger_.Verify(e.sequence, e.sequence);
    if (!report.ok() || !report->ok) {
      reply->set_verified(false);
      if (reply->problem().empty()) {
        reply->set_problem(report.ok()
                               ? absl::StrCat("entry ", report->first_bad, ": ",
                                              report->problem)
                               : std::string(report.status().message()));
      }
    }
  }
  reply->set_next_page_token(page->next_page_token);
  const storage::Head head = ledger_.GetHead();
  reply->set_head_sequence(head.sequence);
  reply->set_head_hash(storage::HexHash(head.hash));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

absl::StatusOr<AuditService::StreamPage> AuditService::ReadStreamPage(
    grpc::CallbackServerContext& ctx, const std::string& stream,
    int requested_size, const std::string& page_token) const {
  if (stream.empty()) {
    return absl::InvalidArgumentError("number is required");
  }
  CRADLE_ASSIGN_OR_RETURN(domain::Principal who,
                          gate_.Admit(ctx, domain::Operation::kManifestRead));
  CRADLE_RETURN_IF_ERROR(CheckStreamReader(store_, who, stream));
  CRADLE_ASSIGN_OR_RETURN(const int page_size,
                          PageSize(requested_size, kEntryPages));
  // The cursor is "<stream>@<last version>".
  const std::string prefix = absl::StrCat(stream, "@");
  CRADLE_ASSIGN_OR_RETURN(std::string cursor,
                          DecodePageToken(page_token, prefix));
  uint64_t after = 0;
  if (!cursor.empty() &&
      !absl::SimpleAtoi(absl::string_view(cursor).substr(prefix.size()),
                        &after)) {
    return absl::InvalidArgumentError(
        "page_token is not a page token of this server; pass back the "
        "next_page_token of the page before, unchanged");
  }
  StreamPage page;
  CRADLE_ASSIGN_OR_RETURN(
      page.entries, ledger_.ReadStream(stream, after + 1,
                                       static_cast<size_t>(page_size) + 1));
  if (page.entries.size() > static_cast<size_t>(page_size)) {
    page.entries.pop_back();
    page.next_page_token = EncodePageToken(
        absl::StrCat(prefix, page.entries.back().stream_version));
  }
  return page;
}

grpc::ServerUnaryReactor* AuditService::Verify(grpc::CallbackServerContext* ctx,
                                               const v1::VerifyRequest* request,
                                               v1::VerifyResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!gate_.AdmitOrFinish(*ctx, domain::Operation::kLedgerVerify, reactor)) {
    return reactor;
  }
  const uint64_t to =
      request->to_sequence() == 0 ? UINT64_MAX : request->to_sequence();
  absl::StatusOr<storage::VerifyReport> report =
      ledger_.Verify(request->from_sequence(), to);
  if (report.ok()) {
    reply->set_ok(report->ok);
    reply->set_checked(report->checked);
    reply->set_first_bad(report->first_bad);
    reply->set_problem(report->problem);
    const storage::Head head = ledger_.GetHead();
    reply->set_head_sequence(head.sequence);
    reply->set_head_hash(storage::HexHash(head.hash));
  }
  reactor->Finish(ToGrpcStatus(report.status()));
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::Head(grpc::CallbackServerContext* ctx,
                                             const v1::HeadRequest*,
                                             v1::HeadResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!gate_.AdmitOrFinish(*ctx, domain::Operation::kTreeHead, reactor)) {
    return reactor;
  }
  const storage::Head head = ledger_.GetHead();
  reply->set_sequence(head.sequence);
  reply->set_hash(storage::HexHash(head.hash));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::GetTreeHead(
    grpc::CallbackServerContext* ctx, const v1::GetTreeHeadRequest*,
    v1::GetTreeHeadResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!gate_.AdmitOrFinish(*ctx, domain::Operation::kTreeHead, reactor)) {
    return reactor;
  }
  // Signed, and kept outside the ledger for the next start to check.
  absl::StatusOr<v1::SignedTreeHead> head = guard_.SignHead();
  FinishWith(reactor, reply, std::move(head),
             [](v1::SignedTreeHead h, v1::GetTreeHeadResponse* out) {
               *out->mutable_tree_head() = std::move(h);
             });
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::GetManifestSeal(
    grpc::CallbackServerContext* ctx, const v1::GetManifestSealRequest* request,
    v1::GetManifestSealResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<v1::ManifestSeal> seal =
      [&]() -> absl::StatusOr<v1::ManifestSeal> {
    if (request->number().empty()) {
      return absl::InvalidArgumentError("number is required");
    }
    CRADLE_ASSIGN_OR_RETURN(
        domain::Principal who,
        gate_.Admit(*ctx, domain::Operation::kManifestRead));
    CRADLE_ASSIGN_OR_RETURN(v1::Manifest m, store_.Load(request->number()));
    CRADLE_RETURN_IF_ERROR(domain::CheckManifestReader(who, m));
    // The manifest's last entry: its hash chains every entry before it.
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<storage::Entry> last,
        ledger_.ReadStream(request->number(), m.version(), 1));
    if (last.size() != 1) {
      return absl::DataLossError(
          absl::StrCat("manifest ", m.number(), " has no entry ", m.version()));
    }
    v1::ManifestSeal out;
    out.set_number(m.number());
    out.set_version(m.version());
    out.set_status(m.status());
    out.set_entry_sequence(last[0].sequence);
    out.set_entry_hash(storage::HexHash(last[0].hash));
    CRADLE_RETURN_IF_ERROR(guard_.SealManifest(&out));
    return out;
  }();
  FinishWith(reactor, reply, std::move(seal),
             [](v1::ManifestSeal s, v1::GetManifestSealResponse* out) {
               *out->mutable_seal() = std::move(s);
             });
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::GetIntegrity(
    grpc::CallbackServerContext* ctx, const v1::GetIntegrityRequest*,
    v1::GetIntegrityResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!gate_.AdmitOrFinish(*ctx, domain::Operation::kLedgerVerify, reactor)) {
    return reactor;
  }
  *reply->mutable_status() = guard_.Status();
  *reply->mutable_status()->mutable_scrub() = scrubber_.Status();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

namespace {

// Runs a deep check on a thread of its own (it reads the whole ledger) and
// streams its progress, about once a second, then its result. Damage found
// raises the guard's alarm, as the scrubber's would.
class VerifyDeepReactor final
    : public grpc::ServerWriteReactor<v1::VerifyDeepProgress> {
 public:
  // `run` is started; the reactor ends it when both the worker and gRPC
  // are done with it.
  VerifyDeepReactor(const storage::Ledger& ledger, LedgerGuard& guard,
                    const domain::FlagConfig& config, SingleRun* run)
      : ledger_(ledger), guard_(guard), config_(config), run_(run) {
    // The worker and gRPC each hold the reactor; the last to let go
    // deletes it, so OnDone never waits for a check that cannot stop at
    // once (the storage phase is one scan).
    std::thread([this] {
      Run();
      Release();
    }).detach();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      cancelled_ = true;
      if (!finished_) {
        finished_ = true;
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      }
      return;
    }
    WriteNextLocked();
  }
  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }
  void OnDone() override { Release(); }

 private:
  void Release() {
    if (refs_.fetch_sub(1) == 1) {
      SingleRun* run = run_;
      delete this;
      run->Done();  // after which the service may be gone
    }
  }

  void Run() {
    CheckOptions options;
    options.deep = true;
    options.step = 10000;
    absl::Time next = absl::Now();
    options.pace = [&](const CheckProgress& p) {
      if (absl::Now() >= next) {
        next = absl::Now() + absl::Seconds(1);
        v1::VerifyDeepProgress msg;
        msg.set_phase(p.phase);
        msg.set_checked(p.checked);
        msg.set_of(p.of);
        msg.set_streams(p.streams);
        Post(std::move(msg), false);
      }
      absl::MutexLock lock(&mu_);
      return !cancelled_;
    };
    absl::StatusOr<CheckResult> r = CheckLedger(ledger_, config_, options);
    v1::VerifyDeepProgress last;
    last.set_done(true);
    if (!r.ok()) {
      absl::MutexLock lock(&mu_);
      final_status_ = ToGrpcStatus(r.status());
      PostLocked(std::move(last), true);
      return;
    }
    last.set_ok(r->ok);
    last.set_phase(r->phase);
    last.set_first_bad(r->first_bad);
    last.set_stream(r->stream);
    last.set_problem(r->problem);
    last.set_streams(r->streams);
    last.set_checked(r->keys);
    for (const std::string& n : r->notes) last.add_notes(n);
    last.set_head_sequence(r->head.sequence);
    last.set_head_hash(storage::HexHash(r->head.hash));
    if (!r->ok) {
      guard_.Alarm("verify",
                   r->phase == "projections"
                       ? absl::StrCat("stream ", r->stream, ": ", r->problem)
                       : absl::StrCat(r->phase, ", entry ", r->first_bad, ": ",
                                      r->problem));
    }
    Post(std::move(last), true);
  }

  void Post(v1::VerifyDeepProgress msg, bool final) {
    absl::MutexLock lock(&mu_);
    PostLocked(std::move(msg), final);
  }
  void PostLocked(v1::VerifyDeepProgress msg, bool final)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    next_ = std::move(msg);
    has_next_ = true;
    final_ |= final;
    if (!writing_) WriteNextLocked();
  }
  // Writes the newest message, or finishes after the final one.
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    if (has_next_ && final_status_.ok()) {
      current_ = std::move(next_);
      has_next_ = false;
      writing_ = true;
      StartWrite(&current_);
      return;
    }
    if (final_) {
      finished_ = true;
      Finish(final_status_);
    }
  }

  const storage::Ledger& ledger_;
  LedgerGuard& guard_;
  const domain::FlagConfig config_;
  SingleRun* const run_;
  std::atomic<int> refs_{2};  // the worker and gRPC
  absl::Mutex mu_;
  v1::VerifyDeepProgress current_;  // being written
  v1::VerifyDeepProgress next_ ABSL_GUARDED_BY(mu_);
  bool has_next_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool final_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status final_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

grpc::ServerWriteReactor<v1::VerifyDeepProgress>* AuditService::VerifyDeep(
    grpc::CallbackServerContext* ctx, const v1::VerifyDeepRequest*) {
  class Refused final
      : public grpc::ServerWriteReactor<v1::VerifyDeepProgress> {
   public:
    explicit Refused(const absl::Status& s) { Finish(ToGrpcStatus(s)); }
    void OnDone() override { delete this; }
  };
  absl::StatusOr<domain::Principal> who =
      gate_.Admit(*ctx, domain::Operation::kLedgerVerify);
  if (!who.ok()) return new Refused(who.status());
  if (!verifying_.TryStart()) {
    return new Refused(absl::ResourceExhaustedError(
        "a deep verification is running already (it reads the whole "
        "ledger); ask again when it is done"));
  }
  return new VerifyDeepReactor(ledger_, guard_, flags_, &verifying_);
}

grpc::ServerUnaryReactor* AuditService::Prove(grpc::CallbackServerContext* ctx,
                                              const v1::ProveRequest* request,
                                              v1::ProveResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::Status s = [&]() -> absl::Status {
    CRADLE_ASSIGN_OR_RETURN(
        StreamPage page,
        ReadStreamPage(*ctx, request->number(), request->page_size(),
                       request->page_token()));
    const uint64_t size = request->tree_size() == 0 ? ledger_.GetTreeHead().size
                                                    : request->tree_size();
    CRADLE_ASSIGN_OR_RETURN(std::string root, ledger_.TreeRoot(size));
    for (const storage::Entry& e : page.entries) {
      if (e.sequence > size) {  // written after that head: the last page
        page.next_page_token.clear();
        break;
      }
      CRADLE_ASSIGN_OR_RETURN(std::vector<std::string> path,
                              ledger_.InclusionProof(e.sequence, size));
      v1::EntryProof* p = reply->add_proofs();
      *p->mutable_entry() = LedgerEntryProto(e);
      *p->mutable_entry()->mutable_signer() = SignerOf(credentials_, e);
      for (const std::string& h : Hex(path)) p->add_path(h);
    }
    reply->set_tree_size(size);
    reply->set_root_hash(storage::HexHash(root));
    reply->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  }();
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::Consistency(
    grpc::CallbackServerContext* ctx, const v1::ConsistencyRequest* request,
    v1::ConsistencyResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!gate_.AdmitOrFinish(*ctx, domain::Operation::kTreeHead, reactor)) {
    return reactor;
  }
  absl::StatusOr<std::vector<std::string>> proof =
      ledger_.ConsistencyProof(request->old_size(), request->new_size());
  absl::StatusOr<std::string> old_root = ledger_.TreeRoot(request->old_size());
  absl::StatusOr<std::string> new_root = ledger_.TreeRoot(request->new_size());
  absl::Status s = !proof.ok()      ? proof.status()
                   : !old_root.ok() ? old_root.status()
                                    : new_root.status();
  if (s.ok()) {
    for (const std::string& h : Hex(*proof)) reply->add_proof(h);
    reply->set_old_root(storage::HexHash(*old_root));
    reply->set_new_root(storage::HexHash(*new_root));
  }
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

}  // namespace cradle::services
