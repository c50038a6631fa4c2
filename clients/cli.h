#pragma once

// What cradlectl's commands share: the call context, printing, the WriteMeta
// of writes, and the command table. Each *_commands.cc adds its commands.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

#include "clients/args.h"
#include "clients/cli_values.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "security/attestation.h"
#include "security/ed25519.h"

namespace cradle::clients {

struct Context {
  std::shared_ptr<grpc::Channel> channel;
  bool json = false;
  absl::Duration timeout;
  bool timeout_given = false;  // --timeout: long checks have none otherwise
  std::string idempotency_key;
  std::string token;  // --token / CRADLE_TOKEN: sent with every call
  // --key / CRADLE_KEY: signs every manifest write (required on what a
  // carrier or receiver attests).
  std::shared_ptr<const security::Ed25519Key> key;
  // --queue FILE: a manifest write is signed and kept there, in order, to
  // upload later with `queue upload` (no connection needed).
  std::string queue;

  std::unique_ptr<grpc::ClientContext> Call() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    if (!token.empty()) {
      ctx->AddMetadata("authorization", "Bearer " + token);
    }
    return ctx;
  }
};

// A failed RPC, carried as an absl::Status with the gRPC code.
absl::Status FromGrpc(const grpc::Status& s);
// 128 random bits, hex: the default idempotency key of a write.
std::string RandomKey();
void PrintJson(const google::protobuf::Message& m);
// RFC 3339 in China time.
std::string Time(const google::protobuf::Timestamp& t);
void PrintManifest(const v1::Manifest& m);
// What a manifest write answered (`reply`, holding `m` and `receipt`).
void PrintWritten(const Context& ctx, const google::protobuf::Message& reply,
                  const v1::Manifest& m, const v1::WriteReceipt& receipt);
void PrintEnterprise(const Context& ctx, const v1::Enterprise& e);
void PrintFlag(const Context& ctx, const v1::Flag& f);
// Manifest `number` as the server holds it.
absl::StatusOr<v1::Manifest> FetchManifest(const Context& ctx,
                                           const std::string& number);
// `given` when set, else the generator of manifest `number` (asked of the
// server): the party a command acts for when it names none.
absl::StatusOr<std::string> GeneratorOf(const Context& ctx,
                                        const std::string& number,
                                        const std::string& given);
// The WriteMeta of a write from --at, --time, --person, --device.
absl::StatusOr<v1::WriteMeta> Meta(const Context& ctx, const ParsedArgs& a);

// --kind and --state of a flag list into `request` (any message with
// set_kind and set_state), when given.
template <typename Request>
absl::Status FlagFilters(const ParsedArgs& a, Request* request) {
  if (a.Has("kind")) {
    absl::StatusOr<v1::FlagKind> kind = ParseFlagKind(a.Get("kind"));
    if (!kind.ok()) return kind.status();
    request->set_kind(*kind);
  }
  if (a.Has("state")) {
    absl::StatusOr<v1::FlagState> state = ParseFlagState(a.Get("state"));
    if (!state.ok()) return state.status();
    request->set_state(*state);
  }
  return absl::OkStatus();
}

// --limit N of a list (1..1000000), or `otherwise` when not given.
absl::StatusOr<int> LimitFlag(const ParsedArgs& a, int otherwise);

// --year YYYY, or 0 when not given; the server checks its range.
absl::StatusOr<int> YearFlag(const ParsedArgs& a);

// Writes `text` to the file --`flag` names, when it is given, replacing
// it (reports and exports a user asks for again); the error names the flag.
absl::Status WriteFlagFile(const ParsedArgs& a, absl::string_view flag,
                           absl::string_view text);

// Writes the PDF --pdf names, when it is given, with `write(path)`, and
// releases the printing caches after; the error names the flag. `named`:
// the registered name of enterprise `enterprise` is looked up first and
// passed to `write` for the heading.
absl::Status WritePdfFlag(
    const Context& ctx, const ParsedArgs& a, const std::string& enterprise,
    const std::function<absl::Status(const std::string& name,
                                     const std::string& path)>& write);

// The registered name of enterprise `id`.
absl::StatusOr<std::string> EnterpriseName(const Context& ctx,
                                           const std::string& id);

// Signs `request` with --key, when one was given.
template <typename Request>
absl::Status SignIfKeyed(const Context& ctx, Request* request) {
  if (ctx.key == nullptr) return absl::OkStatus();
  return security::SignRequest(*ctx.key, request);
}

// Keeps a signed manifest write in the --queue file, to upload later.
absl::Status Queue(const Context& ctx,
                   const google::protobuf::Message& request);

// Runs one manifest write RPC, signed with --key when given, and prints its
// reply; `out`, if set, gets the reply too. With --queue, keeps it there
// instead (`out` untouched).
template <typename Request, typename Response>
absl::Status ManifestWrite(
    const Context& ctx, Request& request,
    std::function<grpc::Status(grpc::ClientContext*, const Request&, Response*)>
        rpc,
    Response* out = nullptr) {
  if (absl::Status s = SignIfKeyed(ctx, &request); !s.ok()) return s;
  if (!ctx.queue.empty()) return Queue(ctx, request);
  Response reply;
  std::unique_ptr<grpc::ClientContext> call = ctx.Call();
  grpc::Status s = rpc(call.get(), request, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintWritten(ctx, reply, reply.manifest(), reply.receipt());
  if (out != nullptr) *out = std::move(reply);
  return absl::OkStatus();
}

// A write the server recorded that did not do what was asked (a delivery
// scanned by another receiver than the named one): cradlectl prints the
// message and exits 4, which a script can tell from a refusal (1).
absl::Status NotDone(absl::string_view message);
bool IsNotDone(const absl::Status& status);

#define CRADLE_CLI_ASSIGN(lhs, expr)            \
  auto lhs##_or = (expr);                       \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

struct Command {
  std::string path;        // "manifest open"
  std::string positional;  // "NUMBER" or ""
  std::string summary;
  std::vector<FlagSpec> flags;
  std::function<absl::Status(const Context&, const ParsedArgs&)> run;
};

// --at, --time, --person, --device: the flags of every write.
const std::vector<FlagSpec>& WriteFlags();
// `own` plus, for a write, WriteFlags().
std::vector<FlagSpec> With(std::vector<FlagSpec> own, bool write);

// The commands, by subject.
std::vector<Command> RegistryCommands();
std::vector<Command> CarrierCommands();  // vehicle, carrier permit, crew
std::vector<Command> PlanCommands();     // plan file, show, declare
// consult apply, accept, ..., show, list; whitelist file, show
std::vector<Command> ConsultationCommands();
std::vector<Command> ManifestCommands();  // open, issue, show, list, cancel
// pickup, relay, deliver, receive, reroute, dispose, payment
std::vector<Command> TransferCommands();
std::vector<Command>
ContainerCommands();  // container register, show; scan; label print
std::vector<Command> StockCommands();  // stock store, use, adjust, revoke, show
std::vector<Command> ReportCommands();  // report operator
// track upload, track show, weigh
std::vector<Command> TrackCommands();
std::vector<Command> ManifestPrintCommands();  // manifest seal, print, check-qr
std::vector<Command> QueueCommands();  // queue show, upload: the offline queue
// revise, revision approve|refuse|withdraw, manifest void|return|
// confirm-return
std::vector<Command> CorrectionCommands();
std::vector<Command> FlagCommands();
std::vector<Command> AuditCommands();
std::vector<Command> FeedCommands();      // audit follow
std::vector<Command> NodeCommands();      // node status, checkpoint, prune
std::vector<Command> NationalCommands();  // national provinces, flows, flags
std::vector<Command> CredentialCommands();
std::vector<Command> VerifyCommands();

}  // namespace cradle::clients
