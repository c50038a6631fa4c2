#pragma once

// Power loss, simulated: a FileSystem that remembers how much of each file
// was synced. After Freeze() nothing reaches the disk any more (writes,
// syncs, renames and deletes succeed and do nothing), so closing the ledger
// changes nothing; DropUnsyncedData() then cuts every file back to what was
// synced before the freeze, as a machine losing power would (LevelDB's
// db/fault_injection_test.cc). Directory entries are taken as durable.

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace cradle::testing {

class PowerLossFileSystem : public rocksdb::FileSystemWrapper {
 public:
  PowerLossFileSystem()
      : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "PowerLossFileSystem"; }

  void Freeze() {
    absl::MutexLock lock(&mu_);
    frozen_ = true;
  }

  // Cuts every file written through this FileSystem to its synced length.
  void DropUnsyncedData() {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, sizes] : files_) {
      std::error_code ec;
      if (std::filesystem::exists(name, ec)) {
        std::filesystem::resize_file(name, sizes.synced, ec);
      }
    }
  }

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    if (frozen()) {
      result->reset(new Discard);
      return rocksdb::IOStatus::OK();
    }
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (s.ok()) {
      {
        absl::MutexLock lock(&mu_);
        files_[name] = Sizes{};
      }
      result->reset(new Tracked(std::move(file), this, name));
    }
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    return NewWritableFile(name, options, result, dbg);
  }
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (frozen()) return rocksdb::IOStatus::OK();
    rocksdb::IOStatus s = target()->RenameFile(src, dst, options, dbg);
    absl::MutexLock lock(&mu_);
    if (s.ok() && files_.count(src) > 0) {
      files_[dst] = files_[src];
      files_.erase(src);
    }
    return s;
  }
  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (frozen()) return rocksdb::IOStatus::OK();
    {
      absl::MutexLock lock(&mu_);
      files_.erase(name);
    }
    return target()->DeleteFile(name, options, dbg);
  }

 private:
  struct Sizes {
    uint64_t written = 0;
    uint64_t synced = 0;
  };

  bool frozen() {
    absl::MutexLock lock(&mu_);
    return frozen_;
  }
  // Returns false when frozen: the caller must not touch the disk.
  bool Wrote(const std::string& name, uint64_t n) {
    absl::MutexLock lock(&mu_);
    if (frozen_) return false;
    files_[name].written += n;
    return true;
  }
  bool Synced(const std::string& name) {
    absl::MutexLock lock(&mu_);
    if (frozen_) return false;
    files_[name].synced = files_[name].written;
    return true;
  }

  class Tracked : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    Tracked(std::unique_ptr<rocksdb::FSWritableFile> file,
            PowerLossFileSystem* fs, std::string name)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(file)),
          fs_(fs),
          name_(std::move(name)) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (!fs_->Wrote(name_, data.size())) return rocksdb::IOStatus::OK();
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (!fs_->Wrote(name_, data.size())) return rocksdb::IOStatus::OK();
      return target()->Append(data, options, info, dbg);
    }
    rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
      if (fs_->frozen()) return rocksdb::IOStatus::OK();
      return target()->Truncate(size, options, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (fs_->frozen()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->Sync(options, dbg);
      if (s.ok()) fs_->Synced(name_);
      return s;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (fs_->frozen()) return rocksdb::IOStatus::OK();
      rocksdb::IOStatus s = target()->Fsync(options, dbg);
      if (s.ok()) fs_->Synced(name_);
      return s;
    }

   private:
    PowerLossFileSystem* fs_;
    const std::string name_;
  };

  // What files opened after the power went out become: nothing.
  class Discard : public rocksdb::FSWritableFile {
   public:
    rocksdb::IOStatus Append(const rocksdb::Slice&, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions&,
                            rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions&,
                            rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions&,
                           rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();
    }
  };

  absl::Mutex mu_;
  bool frozen_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, Sizes> files_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cradle::testing
