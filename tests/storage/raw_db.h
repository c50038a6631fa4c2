#pragma once

// The ledger's RocksDB opened directly, every column family, as an attacker
// with shell access to the data directory would with `ldb`: for tests that
// change what the ledger did not write.

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "storage/rocksdb_layout.h"

namespace cradle::testing {

class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<std::string> names;
    rocksdb::Status s =
        rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
    EXPECT_TRUE(s.ok()) << s.ToString();
    // The ledger's own options (its counters' merge operator among them),
    // for every column family it has.
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const std::string& n : names) {
      cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
      for (const auto& d : storage::LedgerColumnFamilies()) {
        if (d.name == n) cfs.back() = d;
      }
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    s = rocksdb::DB::Open(rocksdb::DBOptions(), dir, cfs, &handles, &db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    for (size_t i = 0; i < handles.size(); ++i) cfs_[names[i]] = handles[i];
  }
  ~RawDb() {
    for (auto& [name, h] : cfs_) {
      EXPECT_TRUE(db_->DestroyColumnFamilyHandle(h).ok());
    }
    EXPECT_TRUE(db_->Close().ok());
    delete db_;
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  std::string Get(const std::string& cf, const std::string& key) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Cf(cf), key, &value);
    EXPECT_TRUE(s.ok()) << cf << ": " << s.ToString();
    return value;
  }
  bool Has(const std::string& cf, const std::string& key) {
    std::string value;
    return db_->Get(rocksdb::ReadOptions(), Cf(cf), key, &value).ok();
  }
  void Put(const std::string& cf, const std::string& key,
           const std::string& value) {
    rocksdb::Status s = db_->Put(rocksdb::WriteOptions(), Cf(cf), key, value);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void Delete(const std::string& cf, const std::string& key) {
    rocksdb::Status s = db_->Delete(rocksdb::WriteOptions(), Cf(cf), key);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // Every key of `cf` starting with `prefix`, in order.
  std::vector<std::string> Keys(const std::string& cf,
                                const std::string& prefix = "") {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), Cf(cf)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      out.push_back(it->key().ToString());
    }
    return out;
  }
  // Writes the memtables to table files (so that a byte of them can be
  // flipped).
  void Flush() {
    for (auto& [name, h] : cfs_) {
      EXPECT_TRUE(db_->Flush(rocksdb::FlushOptions(), h).ok());
    }
  }

 private:
  rocksdb::ColumnFamilyHandle* Cf(const std::string& name) {
    auto it = cfs_.find(name);
    EXPECT_NE(it, cfs_.end()) << "no column family " << name;
    return it->second;
  }

  rocksdb::DB* db_ = nullptr;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> cfs_;
};

}  // namespace cradle::testing
