#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

#include "services/grpc_status.h"
#include "services/services.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

constexpr size_t kMaxChainEntries = 10000;

// The payload as JSON, for people reading a chain; empty if unknown.
std::string PayloadJson(const storage::Entry& e) {
  std::unique_ptr<google::protobuf::Message> msg;
  if (absl::StartsWith(e.type, "manifest.") ||
      absl::StartsWith(e.type, "flag.")) {
    msg = std::make_unique<v1::ManifestEvent>();
  } else if (absl::StartsWith(e.type, "registry.")) {
    msg = std::make_unique<v1::RegistryEvent>();
  } else {
    return "";
  }
  std::string json;
  if (!msg->ParseFromString(e.payload) ||
      !google::protobuf::util::MessageToJsonString(*msg, &json).ok()) {
    return "";
  }
  return json;
}

v1::LedgerEntry ToProto(const storage::Entry& e) {
  v1::LedgerEntry out;
  out.set_sequence(e.sequence);
  out.set_stream(e.stream);
  out.set_stream_version(e.stream_version);
  out.set_type(e.type);
  out.set_actor(e.actor);
  *out.mutable_recorded() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(e.recorded));
  out.set_prev_hash(storage::HexHash(e.prev_hash));
  out.set_hash(storage::HexHash(e.hash));
  out.set_payload(e.payload);
  out.set_payload_json(PayloadJson(e));
  return out;
}

}  // namespace

grpc::ServerUnaryReactor* AuditService::Chain(grpc::CallbackServerContext* ctx,
                                              const v1::ChainRequest* request,
                                              v1::ChainResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (request->number().empty()) {
    reactor->Finish(
        ToGrpcStatus(absl::InvalidArgumentError("number is required")));
    return reactor;
  }
  absl::StatusOr<std::vector<storage::Entry>> entries =
      ledger_.ReadStream(request->number(), 1, kMaxChainEntries);
  if (!entries.ok()) {
    reactor->Finish(ToGrpcStatus(entries.status()));
    return reactor;
  }
  reply->set_verified(true);
  for (const storage::Entry& e : *entries) {
    *reply->add_entries() = ToProto(e);
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
  const storage::Head head = ledger_.GetHead();
  reply->set_head_sequence(head.sequence);
  reply->set_head_hash(storage::HexHash(head.hash));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AuditService::Verify(grpc::CallbackServerContext* ctx,
                                               const v1::VerifyRequest* request,
                                               v1::VerifyResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
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
  const storage::Head head = ledger_.GetHead();
  reply->set_sequence(head.sequence);
  reply->set_hash(storage::HexHash(head.hash));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace cradle::services
