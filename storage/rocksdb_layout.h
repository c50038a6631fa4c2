#pragma once

// How the ledger lays itself out in RocksDB: its column families, in order,
// with the options each is opened with. RocksDbLedger opens them; tests that
// play an attacker with `ldb` open the same (tests/storage/raw_db.h). Keys and
// values: docs/ARCHITECTURE.md.

#include <vector>

#include "rocksdb/db.h"

namespace cradle::storage {

// Indexes into LedgerColumnFamilies() and RocksDbLedger's handles.
enum Cf : int {
  kDefaultCf,      // unused, RocksDB requires it
  kEntriesCf,      // u64be sequence -> stored entry
  kStreamsCf,      // stream '\0' u64be version -> u64be sequence
  kIdempotencyCf,  // key -> idempotency record
  kStateCf,        // derived: materialised state
  kIndexCf,        // derived: secondary indexes
  kMerkleCf,       // u8 level, u64be index -> perfect subtree hash
  kMetaCf,         // "head" -> the head record
  kColumnFamilyCount,
};

std::vector<rocksdb::ColumnFamilyDescriptor> LedgerColumnFamilies();

}  // namespace cradle::storage
