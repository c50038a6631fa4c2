#include "services/checkpoint_fetch.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"

#include "cradle/v1/node.grpc.pb.h"

namespace cradle::services {
namespace {

namespace fs = std::filesystem;

absl::Status Errno(const std::string& what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", strerror(errno)));
}

// A file of the checkpoint being written.
class OutFile {
 public:
  ~OutFile() { Close(); }
  absl::Status Open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    return fd_ < 0 ? Errno(absl::StrCat("create ", path)) : absl::OkStatus();
  }
  absl::Status Write(const std::string& data, const std::string& path) {
    for (size_t done = 0; done < data.size();) {
      const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) return Errno(absl::StrCat("write ", path));
      done += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }
  absl::Status SyncAndClose(const std::string& path) {
    if (::fsync(fd_) != 0) return Errno(absl::StrCat("fsync ", path));
    Close();
    return absl::OkStatus();
  }
  bool open() const { return fd_ >= 0; }

 private:
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

absl::Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(absl::StrCat("open ", dir));
  const int r = ::fsync(fd);
  ::close(fd);
  return r == 0 ? absl::OkStatus() : Errno(absl::StrCat("fsync ", dir));
}

bool PlainName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

absl::Status Refused(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat("Node.Checkpoint: ", s.error_message()));
}

// Reads the whole stream into `partial`.
absl::Status Receive(const std::shared_ptr<grpc::Channel>& channel,
                     const std::string& token, const std::string& partial,
                     const std::function<void(uint64_t)>& progress,
                     FetchedCheckpoint* out) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  auto reader = v1::Node::NewStub(channel)->Checkpoint(&ctx, {});
  v1::CheckpointChunk chunk;
  OutFile file;
  std::string name;
  uint64_t offset = 0, size = 0;
  bool first = true;
  while (reader->Read(&chunk)) {
    if (first) {
      out->head_sequence = chunk.head_sequence();
      out->head_hash = chunk.head_hash();
      first = false;
    }
    if (chunk.file() != name || !file.open()) {
      if (file.open() || (!name.empty() && offset != size)) {
        ctx.TryCancel();
        return absl::DataLossError(absl::StrCat("checkpoint file ", name,
                                                " ended at ", offset, " of ",
                                                size, " bytes"));
      }
      if (!PlainName(chunk.file()) || chunk.offset() != 0) {
        ctx.TryCancel();
        return absl::DataLossError(
            absl::StrCat("checkpoint sent a bad file name or offset: \"",
                         chunk.file(), "\" at ", chunk.offset()));
      }
      name = chunk.file();
      offset = 0;
      size = chunk.file_size();
      if (absl::Status s = file.Open(partial + "/" + name); !s.ok()) return s;
      ++out->files;
    }
    if (chunk.offset() != offset || offset + chunk.data().size() > size) {
      ctx.TryCancel();
      return absl::DataLossError(absl::StrCat(
          "checkpoint file ", name, ": a chunk at ", chunk.offset(), " where ",
          offset, " was due (size ", size, ")"));
    }
    if (absl::Status s = file.Write(chunk.data(), name); !s.ok()) return s;
    offset += chunk.data().size();
    out->bytes += chunk.data().size();
    if (offset == size) {
      if (absl::Status s = file.SyncAndClose(name); !s.ok()) return s;
    }
    if (progress) progress(out->bytes);
  }
  const grpc::Status s = reader->Finish();
  if (!s.ok()) return Refused(s);
  if (file.open() || out->files == 0) {
    return absl::DataLossError("the checkpoint stream ended inside a file");
  }
  return SyncDir(partial);
}

}  // namespace

absl::StatusOr<FetchedCheckpoint> FetchCheckpoint(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& token,
    const std::string& dir, const std::function<void(uint64_t)>& progress) {
  std::error_code ec;
  if (fs::exists(dir, ec) &&
      !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec))) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir,
        " exists and is not an empty directory: a checkpoint goes into "
        "a new one"));
  }
  const std::string partial = dir + ".partial";
  fs::remove_all(partial, ec);  // a fetch that died half-way
  if (!fs::create_directories(partial, ec)) {
    return absl::UnavailableError(
        absl::StrCat("create ", partial, ": ", ec.message()));
  }
  FetchedCheckpoint out;
  absl::Status s = Receive(channel, token, partial, progress, &out);
  if (s.ok()) {
    fs::remove(dir, ec);  // empty, or absent
    fs::rename(partial, dir, ec);
    if (ec) {
      s = absl::UnavailableError(
          absl::StrCat("rename ", partial, " to ", dir, ": ", ec.message()));
    }
  }
  if (!s.ok()) {
    fs::remove_all(partial, ec);
    return s;
  }
  const fs::path parent = fs::absolute(dir).parent_path();
  if (absl::Status synced = SyncDir(parent.string()); !synced.ok()) {
    return synced;
  }
  return out;
}

}  // namespace cradle::services
