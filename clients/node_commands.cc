// cradlectl node: a node's role and head, a checkpoint of its ledger, and
// the pruning of the cluster's log (docs/CLUSTER.md).

#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "clients/cli.h"
#include "cradle/v1/node.grpc.pb.h"
#include "services/checkpoint_fetch.h"

namespace cradle::clients {
namespace {

absl::Status ShowStatus(const Context& ctx, const ParsedArgs&) {
  v1::GetNodeStatusResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Node::NewStub(ctx.channel)
          ->GetNodeStatus(call.get(), v1::GetNodeStatusRequest(), &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
    return absl::OkStatus();
  }
  std::printf("%s, head %llu %s\n", reply.role().c_str(),
              static_cast<unsigned long long>(reply.head_sequence()),
              reply.head_hash().c_str());
  if (!reply.writer().empty()) {
    std::printf("the writer: %s\n", reply.writer().c_str());
  }
  return absl::OkStatus();
}

absl::Status SaveCheckpoint(const Context& ctx, const ParsedArgs& a) {
  const std::string out = a.Get("out");
  uint64_t shown = 0;
  absl::StatusOr<services::FetchedCheckpoint> got = services::FetchCheckpoint(
      ctx.channel, ctx.token, out, [&shown](uint64_t bytes) {
        if (bytes - shown < (64 << 20)) return;
        shown = bytes;
        std::fprintf(stderr, "%llu MiB\n",
                     static_cast<unsigned long long>(bytes >> 20));
      });
  if (!got.ok()) return got.status();
  std::printf(
      "checkpoint in %s: %llu files, %llu bytes, the ledger through entry "
      "%llu (%s)\n",
      out.c_str(), static_cast<unsigned long long>(got->files),
      static_cast<unsigned long long>(got->bytes),
      static_cast<unsigned long long>(got->head_sequence),
      got->head_hash.c_str());
  return absl::OkStatus();
}

absl::Status Prune(const Context& ctx, const ParsedArgs& a) {
  v1::PruneLogRequest req;
  uint64_t through = 0;
  if (!absl::SimpleAtoi(a.Get("through"), &through)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--through ", a.Get("through"), " is not an entry number"));
  }
  req.set_through_sequence(through);
  v1::PruneLogResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Node::NewStub(ctx.channel)->PruneLog(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  std::printf("%llu log records removed through entry %llu\n",
              static_cast<unsigned long long>(reply.records_removed()),
              static_cast<unsigned long long>(through));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> NodeCommands() {
  return {
      {"node status",
       "",
       "The node's role (single, writer, follower), its writer and its "
       "head.",
       {},
       ShowStatus},
      {"node checkpoint",
       "",
       "Copy the node's ledger into a new directory (a RocksDB checkpoint): "
       "a backup, or the start of a new node. Take it from a follower: "
       "writes wait while it is made.",
       {{"out", "DIR", "a new (or empty) directory", false, true}},
       SaveCheckpoint},
      {"node prune",
       "",
       "Remove the cluster log's records through an entry. Only through an "
       "entry that a kept checkpoint holds and every node has applied "
       "(docs/CLUSTER.md, the retention rule).",
       {{"through", "SEQ", "the last entry whose records go", false, true}},
       Prune},
  };
}

}  // namespace cradle::clients
