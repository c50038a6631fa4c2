#pragma once

// What RocksDbLedger's source files share (rocksdb_ledger.cc, the writer
// and the open; rocksdb_verify.cc, the checks): the head record, key
// encodings, reads of one column family, RocksDB's status as absl's. Not for
// use outside storage/.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "rocksdb/db.h"

#include "storage/ledger.h"

namespace cradle::storage {

// The head record, rewritten by every group commit in the same atomic batch
// as its entries, outside the column family it vouches for: u64be size,
// hash of the last entry, Merkle root. On open it must agree with the last
// entry: a torn write-ahead log loses both together, a deleted entry does
// not take its head record with it.
inline constexpr absl::string_view kHeadRecordKey = "head";
struct HeadRecord {
  uint64_t size = 0;
  std::string hash;
  std::string root;
};
std::string EncodeHeadRecord(uint64_t size, absl::string_view hash,
                             absl::string_view root);
absl::optional<HeadRecord> DecodeHeadRecord(absl::string_view value);

// Entries read at a time by the catch-up of old ledgers and by checks.
inline constexpr size_t kScanPage = 4096;
// Problems reported per check before the rest are only counted.
inline constexpr size_t kMaxProblemsListed = 16;

// RocksDB's status as absl's, naming `what` was being done.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);

// Key of a stream's entry: stream, NUL, u64be version.
std::string StreamKey(absl::string_view stream, uint64_t version);
// Idempotency record: u64be first_sequence, u64be stream_version,
// u64be entry count, stream bytes.
std::string EncodeIdempotencyRecord(const AppendResult& r);
std::string MerkleKey(int level, uint64_t index);
std::string OutOfOrderMessage(uint64_t expected, uint64_t got);

rocksdb::ReadOptions ReadAt(const rocksdb::Snapshot* snapshot);
// The value at `key`, or nullopt; `what` names it in an error.
absl::StatusOr<absl::optional<std::string>> GetValue(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
    const rocksdb::Snapshot* snapshot, absl::string_view key,
    absl::string_view what);
// The values at `keys`, each or nullopt, in the keys' order, read in one
// batch (RocksDB's MultiGet, in key order: one look at the tables' versions
// for all, and a block read once for the keys it holds). `what` names them
// in an error.
absl::StatusOr<std::vector<absl::optional<std::string>>> GetValues(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
    const rocksdb::Snapshot* snapshot, const std::vector<std::string>& keys,
    absl::string_view what);
// Keys starting with `prefix`, strictly after `start_after`.
absl::StatusOr<std::vector<KeyValue>> ScanFamily(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
    const rocksdb::Snapshot* snapshot, absl::string_view prefix,
    absl::string_view start_after, size_t limit, absl::string_view what);
std::string JoinProblems(const std::vector<std::string>& problems);

// The reads, of the live database (`snapshot` null) or of one snapshot,
// which the reader releases when destroyed. `handles` must outlive it.
std::unique_ptr<LedgerReader> NewRocksDbReader(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
    const rocksdb::Snapshot* snapshot);

}  // namespace cradle::storage
