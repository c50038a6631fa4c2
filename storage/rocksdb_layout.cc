#include "storage/rocksdb_layout.h"

#include <memory>
#include <string>

#include "rocksdb/filter_policy.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/table.h"

#include "storage/entry_codec.h"

namespace cradle::storage {
namespace {

// Counters of derived data: 8-byte big-endian int64, summed.
class CounterAdd final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing,
             const rocksdb::Slice& operand, std::string* new_value,
             rocksdb::Logger*) const override {
    // Two's complement, wrapping: the sum of int64 adds without undefined
    // behaviour.
    const uint64_t sum = static_cast<uint64_t>(Decode(existing)) +
                         static_cast<uint64_t>(Decode(&operand));
    new_value->assign(EncodeSequenceKey(sum));
    return true;
  }
  const char* Name() const override { return "cradle.CounterAdd"; }

 private:
  static int64_t Decode(const rocksdb::Slice* s) {
    if (s == nullptr || s->size() != 8) return 0;
    return static_cast<int64_t>(
        DecodeSequenceKey(absl::string_view(s->data(), 8)));
  }
};

// Filters answer point reads of absent keys without a search; they stay in
// memory (10 bits a key), so only where such reads happen: a new idempotency
// key, the version after a stream's last, a party's first counter. `index`
// is only scanned or read for keys that exist; `entries` and `merkle` reads
// find their key. In the memtables (a cache miss on every insert) only where
// absent keys are asked for on every write.
struct ColumnFamily {
  const char* name;
  bool sst_filter;
  bool memtable_filter;
};
constexpr ColumnFamily kColumnFamilies[kColumnFamilyCount] = {
    {"default", false, false}, {"entries", false, false},
    {"streams", true, true},   {"idempotency", true, true},
    {"state", true, false},    {"index", false, false},
    {"merkle", false, false},  {"meta", false, false},
};

}  // namespace

std::vector<rocksdb::ColumnFamilyDescriptor> LedgerColumnFamilies() {
  auto counters = std::make_shared<CounterAdd>();
  rocksdb::BlockBasedTableOptions filtered;
  filtered.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  auto with_filters = std::shared_ptr<rocksdb::TableFactory>(
      rocksdb::NewBlockBasedTableFactory(filtered));
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (const ColumnFamily& cf : kColumnFamilies) {
    rocksdb::ColumnFamilyOptions options;
    options.merge_operator = counters;
    if (cf.sst_filter) options.table_factory = with_filters;
    // A counter read walks every merge operand the memtable holds for its
    // key; a receiver's accepted grams take one per receipt and are read on
    // every open and delivery to it. Past this many, the write stores the
    // sum instead, so a read never walks more.
    options.max_successive_merges = 32;
    if (cf.memtable_filter) {
      options.memtable_whole_key_filtering = true;
      options.memtable_prefix_bloom_size_ratio = 0.05;
    }
    out.emplace_back(cf.name, options);
  }
  return out;
}

}  // namespace cradle::storage
