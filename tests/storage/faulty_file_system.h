#pragma once

// A FileSystem that fails writes with "no space left" while armed: the disk
// full case, without a tiny filesystem.

#include <atomic>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace cradle::testing {

class FaultyFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem()
      : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultyFileSystem"; }

  void set_disk_full(bool full) { disk_full_ = full; }

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (s.ok()) result->reset(new File(std::move(file), &disk_full_));
    return s;
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file,
         const std::atomic<bool>* disk_full)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(file)),
          disk_full_(disk_full) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (*disk_full_) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (*disk_full_) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return target()->Append(data, options, info, dbg);
    }

   private:
    const std::atomic<bool>* disk_full_;
  };

  std::atomic<bool> disk_full_{false};
};

}  // namespace cradle::testing
