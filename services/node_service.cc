// Node: Status, Checkpoint (a RocksDB checkpoint of the ledger, streamed
// file by file) and PruneLog (the cluster's retention, docs/CLUSTER.md).

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

#include "services/cluster_node.h"
#include "services/grpc_status.h"
#include "services/services.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

namespace fs = std::filesystem;

constexpr size_t kChunkBytes = 1 << 20;

// Streams the files of the checkpoint in `dir`, then removes it.
class CheckpointReactor final
    : public grpc::ServerWriteReactor<v1::CheckpointChunk> {
 public:
  CheckpointReactor(std::string dir, const storage::Head& head)
      : dir_(std::move(dir)) {
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_, ec)) {
      if (e.is_regular_file()) files_.push_back(e.path().filename().string());
    }
    std::sort(files_.begin(), files_.end());
    chunk_.set_head_sequence(head.sequence);
    chunk_.set_head_hash(storage::HexHash(head.hash));
    if (ec || files_.empty()) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                          absl::StrCat("checkpoint ", dir_, " holds no file")));
      return;
    }
    Next();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    chunk_.Clear();
    Next();
  }

  void OnDone() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    delete this;
  }

 private:
  // The next piece of the current file, or the next file; Finish at the
  // end.
  void Next() {
    while (index_ < files_.size()) {
      const std::string& name = files_[index_];
      if (!in_.is_open()) {
        in_.open(fs::path(dir_) / name, std::ios::binary);
        std::error_code ec;
        size_ = fs::file_size(fs::path(dir_) / name, ec);
        offset_ = 0;
        if (!in_ || ec) {
          Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                              absl::StrCat("cannot read ", name)));
          return;
        }
      }
      std::string data(std::min<uint64_t>(kChunkBytes, size_ - offset_), '\0');
      in_.read(data.data(), static_cast<std::streamsize>(data.size()));
      if (!in_ && !data.empty()) {
        Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                            absl::StrCat("cannot read ", name)));
        return;
      }
      chunk_.set_file(name);
      chunk_.set_offset(offset_);
      chunk_.set_file_size(size_);
      offset_ += data.size();
      chunk_.set_data(std::move(data));
      if (offset_ >= size_) {
        in_.close();
        ++index_;
      }
      StartWrite(&chunk_);
      return;
    }
    Finish(grpc::Status::OK);
  }

  const std::string dir_;
  std::vector<std::string> files_;
  size_t index_ = 0;
  std::ifstream in_;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;
  v1::CheckpointChunk chunk_;
};

}  // namespace

NodeService::NodeService(const storage::RocksDbLedger& ledger, const Gate& gate,
                         std::string data_dir)
    : ledger_(ledger),
      gate_(gate),
      checkpoints_(std::move(data_dir) + "/checkpoints") {
  std::error_code ec;
  fs::remove_all(checkpoints_, ec);  // left by a crash while one was sent
  Check("cradle.v1.Node", "GetNodeStatus", &NodeService::GetNodeStatus);
  Check("cradle.v1.Node", "Checkpoint", &NodeService::Checkpoint);
  Check("cradle.v1.Node", "PruneLog", &NodeService::PruneLog);
}

grpc::ServerUnaryReactor* NodeService::GetNodeStatus(
    grpc::CallbackServerContext* ctx, const v1::GetNodeStatusRequest*,
    v1::GetNodeStatusResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!gate_.AdmitOrFinish(*ctx, domain::Operation::kNodeStatus, reactor)) {
    return reactor;
  }
  reply->set_role(node_ == nullptr ? "single" : node_->Role());
  if (node_ != nullptr) reply->set_writer(node_->WriterAddress());
  const storage::Head head = ledger_.GetHead();
  reply->set_head_sequence(head.sequence);
  reply->set_head_hash(storage::HexHash(head.hash));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<v1::CheckpointChunk>* NodeService::Checkpoint(
    grpc::CallbackServerContext* ctx, const v1::CheckpointRequest*) {
  using Refused = checked_internal::Refused<v1::CheckpointChunk>;
  absl::StatusOr<domain::Principal> who =
      gate_.Admit(*ctx, domain::Operation::kNodeAdmin);
  if (!who.ok()) return new Refused(ToGrpcStatus(who.status()));
  std::error_code ec;
  fs::create_directories(checkpoints_, ec);
  const std::string dir = absl::StrCat(checkpoints_, "/", ++made_, "-",
                                       absl::ToUnixNanos(absl::Now()));
  absl::StatusOr<storage::Head> head = ledger_.Checkpoint(dir);
  if (!head.ok()) {
    fs::remove_all(dir, ec);
    return new Refused(ToGrpcStatus(head.status()));
  }
  return new CheckpointReactor(dir, *head);
}

grpc::ServerUnaryReactor* NodeService::PruneLog(
    grpc::CallbackServerContext* ctx, const v1::PruneLogRequest* request,
    v1::PruneLogResponse* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!gate_.AdmitOrFinish(*ctx, domain::Operation::kNodeAdmin, reactor)) {
    return reactor;
  }
  const absl::Status s = [&]() -> absl::Status {
    if (log_ == nullptr) {
      return absl::FailedPreconditionError(
          "this server is no cluster node: it has no log to prune");
    }
    const uint64_t head = ledger_.GetHead().sequence;
    const uint64_t through = request->through_sequence();
    if (through == 0 || through > head) {
      return absl::InvalidArgumentError(absl::StrCat(
          "through_sequence ", through, " must be 1..", head,
          " (this node's head): a node prunes only what it has applied"));
    }
    absl::StatusOr<uint64_t> removed = log_->Prune(through);
    if (!removed.ok()) return removed.status();
    reply->set_records_removed(*removed);
    std::fprintf(stderr,
                 "cradled: cluster: pruned %llu log records through entry "
                 "%llu\n",
                 static_cast<unsigned long long>(*removed),
                 static_cast<unsigned long long>(through));
    return absl::OkStatus();
  }();
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

}  // namespace cradle::services
