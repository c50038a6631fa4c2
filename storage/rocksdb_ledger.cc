#include "storage/rocksdb_ledger.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/merge_operator.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

#include "storage/entry_codec.h"

namespace cradle::storage {
namespace {

// Column families, in the order of RocksDbLedger::handles_.
constexpr const char* kColumnFamilies[] = {
    "default",      // unused, RocksDB requires it
    "entries",      // u64be sequence -> stored entry
    "streams",      // stream '\0' u64be version -> u64be sequence
    "idempotency",  // key -> idempotency record
    "state",        // derived: materialised state
    "index",        // derived: secondary indexes
    "merkle",       // u8 level, u64be index -> perfect subtree hash
};

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string msg = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsIOError()) {
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

std::string StreamKey(absl::string_view stream, uint64_t version) {
  return absl::StrCat(stream, absl::string_view("\0", 1),
                      EncodeSequenceKey(version));
}

// Idempotency record: u64be first_sequence, u64be stream_version,
// u64be entry count, stream bytes.
std::string EncodeIdempotencyRecord(const AppendResult& r) {
  return absl::StrCat(EncodeSequenceKey(r.first_sequence),
                      EncodeSequenceKey(r.stream_version),
                      EncodeSequenceKey(r.hashes.size()), r.stream);
}

std::string MerkleKey(int level, uint64_t index) {
  return absl::StrCat(std::string(1, static_cast<char>(level)),
                      EncodeSequenceKey(index));
}

std::string OutOfOrderMessage(uint64_t expected, uint64_t got) {
  return absl::StrCat("expected sequence ", expected, ", found ", got);
}

// Counters of derived data: 8-byte big-endian int64, summed.
class CounterAdd final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing,
             const rocksdb::Slice& operand, std::string* new_value,
             rocksdb::Logger*) const override {
    const int64_t sum = Decode(existing) + Decode(&operand);
    new_value->assign(EncodeSequenceKey(static_cast<uint64_t>(sum)));
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

// A group's writes, collected so that they reach the memtables in key order.
//
// RocksDB inserts a batch's keys one by one into each column family's skip
// list, remembering where the last insert landed; a key just after it is
// found from there instead of from the top. A group interleaves its appends'
// keys (entry, stream, state, a dozen index keys, then the next append's), so
// each insert would start over; sorted, most of a group's keys (sequences,
// manifest numbers, index keys sharing a prefix) follow the one before. The
// sort is stable: two writes of one key keep their order, hence their
// sequence numbers, and the later still wins.
class SortedBatch {
 public:
  void Put(int cf, std::string key, std::string value) {
    ops_.push_back(Op{cf, Kind::kPut, std::move(key), std::move(value)});
  }
  void Merge(int cf, std::string key, std::string value) {
    ops_.push_back(Op{cf, Kind::kMerge, std::move(key), std::move(value)});
  }
  void Delete(int cf, std::string key) {
    ops_.push_back(Op{cf, Kind::kDelete, std::move(key), std::string()});
  }
  size_t size() const { return ops_.size(); }

  // Writes everything, in (column family, key) order, into `batch`.
  void Into(const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
            rocksdb::WriteBatch* batch) {
    std::stable_sort(ops_.begin(), ops_.end(), [](const Op& a, const Op& b) {
      return a.cf != b.cf ? a.cf < b.cf : a.key < b.key;
    });
    for (const Op& op : ops_) {
      rocksdb::ColumnFamilyHandle* cf = handles[op.cf];
      switch (op.kind) {
        case Kind::kPut:
          batch->Put(cf, op.key, op.value);
          break;
        case Kind::kMerge:
          batch->Merge(cf, op.key, op.value);
          break;
        case Kind::kDelete:
          batch->Delete(cf, op.key);
          break;
      }
    }
  }

 private:
  enum class Kind { kPut, kMerge, kDelete };
  struct Op {
    int cf;
    Kind kind;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops_;
};

// Indexes into RocksDbLedger::handles_, as kColumnFamilies lists them.
constexpr int kEntriesCf = 1, kStreamsCf = 2, kIdempotencyCf = 3, kStateCf = 4,
              kIndexCf = 5, kMerkleCf = 6;

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbLedger>> RocksDbLedger::Open(
    const std::string& dir, const Options& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;
  // A restart replays the write-ahead log since the oldest unflushed
  // memtable; with seven column families that could be gigabytes. Past
  // this size the oldest memtables are flushed, which bounds the replay.
  db_options.max_total_wal_size = 256 << 20;
  if (options.env != nullptr) db_options.env = options.env;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  auto counters = std::make_shared<CounterAdd>();
  // Bloom filters: most point reads ask for a key that is not there (a new
  // idempotency key, the version after a stream's last, a party's first
  // counter), and a filter answers those without searching the memtable's
  // skip list or an SST's blocks.
  rocksdb::BlockBasedTableOptions filtered;
  filtered.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  auto with_filters = std::shared_ptr<rocksdb::TableFactory>(
      rocksdb::NewBlockBasedTableFactory(filtered));
  for (const char* name : kColumnFamilies) {
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.merge_operator = counters;
    // Filters stay in memory (10 bits a key): only where point reads may
    // miss. `index` is only scanned; `entries` and `merkle` reads find
    // their key.
    const absl::string_view cf_name(name);
    if (cf_name == "idempotency" || cf_name == "streams" ||
        cf_name == "state") {
      cf_options.table_factory = with_filters;
    }
    // A counter read walks every merge operand the memtable holds for its
    // key; a receiver's accepted grams take one per receipt and are read on
    // every open and delivery to it. Past this many, the write stores the
    // sum instead, so a read never walks more.
    cf_options.max_successive_merges = 32;
    // In the memtables only where absent keys are asked for on every
    // write: a memtable filter costs a cache miss on each insert.
    if (cf_name == "idempotency" || cf_name == "streams") {
      cf_options.memtable_whole_key_filtering = true;
      cf_options.memtable_prefix_bloom_size_ratio = 0.05;
    }
    descriptors.emplace_back(name, cf_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ledger in ", dir));
  std::unique_ptr<RocksDbLedger> ledger(new RocksDbLedger(
      options, std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
  if (absl::Status r = ledger->Recover(); !r.ok()) return r;
  ledger->writer_ = std::thread([l = ledger.get()] { l->WriterLoop(); });
  return ledger;
}

RocksDbLedger::RocksDbLedger(const Options& options,
                             std::unique_ptr<rocksdb::DB> db,
                             std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : options_(options),
      db_(std::move(db)),
      handles_(std::move(handles)),
      entries_cf_(handles_[1]),
      streams_cf_(handles_[2]),
      idempotency_cf_(handles_[3]),
      state_cf_(handles_[4]),
      index_cf_(handles_[5]),
      merkle_cf_(handles_[6]) {
  head_.hash = ZeroHash();
}

RocksDbLedger::~RocksDbLedger() {
  Close().IgnoreError();
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  db_->Close().PermitUncheckedError();
}

absl::Status RocksDbLedger::Recover() {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), entries_cf_));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "reading the head");
  if (!it->Valid()) return absl::OkStatus();  // empty ledger
  absl::StatusOr<Entry> last = DecodeStoredEntry(
      absl::string_view(it->value().data(), it->value().size()));
  if (!last.ok()) {
    return absl::DataLossError(
        absl::StrCat("ledger head is unreadable: ", last.status().message(),
                     "; refusing to open"));
  }
  const uint64_t head = last->sequence;
  const uint64_t from = head > options_.verify_tail_on_open
                            ? head - options_.verify_tail_on_open + 1
                            : 1;
  {
    absl::MutexLock lock(&mu_);
    head_ = Head{head, last->hash};
    last_recorded_ = last->recorded;
  }
  absl::StatusOr<VerifyReport> report = Verify(from, head);
  if (!report.ok()) return report.status();
  if (!report->ok) {
    return absl::DataLossError(absl::StrCat(
        "ledger chain is broken at sequence ", report->first_bad, ": ",
        report->problem, "; refusing to open rather than extend it"));
  }
  return CatchUpMerkle(head);
}

merkle::NodeReader RocksDbLedger::Nodes() const {
  return [this](int level, uint64_t index) -> absl::StatusOr<std::string> {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), merkle_cf_,
                                 MerkleKey(level, index), &value);
    if (s.IsNotFound()) {
      return absl::DataLossError(absl::StrCat(
          "merkle node (level ", level, ", index ", index, ") is missing"));
    }
    if (!s.ok()) return FromRocks(s, "reading a merkle node");
    return value;
  };
}

absl::Status RocksDbLedger::CatchUpMerkle(uint64_t head) {
  // How many leaves the stored tree covers: the last leaf node's index + 1.
  uint64_t covered = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), merkle_cf_));
    it->SeekForPrev(MerkleKey(0, ~uint64_t{0}));
    if (it->Valid() && it->key().size() == 9 && it->key()[0] == 0) {
      covered =
          DecodeSequenceKey(absl::string_view(it->key().data() + 1, 8)) + 1;
    }
  }
  absl::StatusOr<merkle::Frontier> frontier =
      merkle::Frontier::Restore(covered, Nodes());
  if (!frontier.ok()) return frontier.status();
  while (covered < head) {
    rocksdb::WriteBatch batch;
    absl::StatusOr<std::vector<Entry>> entries = Scan(covered + 1, 4096);
    if (!entries.ok()) return entries.status();
    for (const Entry& e : *entries) {
      std::vector<merkle::Frontier::Node> nodes;
      frontier->Append(merkle::LeafHash(e.hash), &nodes);
      for (const auto& n : nodes) {
        batch.Put(merkle_cf_, MerkleKey(n.level, n.index), n.hash);
      }
      ++covered;
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    rocksdb::Status s = db_->Write(sync, &batch);
    if (!s.ok()) return FromRocks(s, "writing merkle nodes");
  }
  absl::MutexLock lock(&mu_);
  frontier_ = *std::move(frontier);
  return absl::OkStatus();
}

TreeHead RocksDbLedger::GetTreeHead() const {
  absl::MutexLock lock(&mu_);
  return TreeHead{frontier_.size(), frontier_.Root()};
}

absl::StatusOr<std::string> RocksDbLedger::TreeRoot(uint64_t size) const {
  if (size > GetHead().sequence) {
    return absl::OutOfRangeError(absl::StrCat("tree size ", size,
                                              " is beyond the ledger's ",
                                              GetHead().sequence, " entries"));
  }
  return merkle::RootHash(size, Nodes());
}

absl::StatusOr<std::vector<std::string>> RocksDbLedger::InclusionProof(
    uint64_t sequence, uint64_t size) const {
  if (size > GetHead().sequence || sequence == 0 || sequence > size) {
    return absl::OutOfRangeError(
        absl::StrCat("entry ", sequence, " is not in a tree of ", size,
                     " entries (head ", GetHead().sequence, ")"));
  }
  return merkle::InclusionProof(sequence - 1, size, Nodes());
}

absl::StatusOr<std::vector<std::string>> RocksDbLedger::ConsistencyProof(
    uint64_t old_size, uint64_t new_size) const {
  if (new_size > GetHead().sequence) {
    return absl::OutOfRangeError(absl::StrCat("tree size ", new_size,
                                              " is beyond the ledger's ",
                                              GetHead().sequence, " entries"));
  }
  return merkle::ConsistencyProof(old_size, new_size, Nodes());
}

void RocksDbLedger::Append(AppendRequest request, AppendDone done) {
  absl::Status invalid = ValidateAppendRequest(request);
  if (invalid.ok()) {
    absl::MutexLock lock(&mu_);
    if (closing_) {
      invalid = absl::FailedPreconditionError("ledger is closed");
    } else if (!write_error_.ok()) {
      invalid = write_error_;
    } else {
      queue_.push_back(Pending{std::move(request), std::move(done)});
      work_.Signal();
      return;
    }
  }
  done(invalid);
}

void RocksDbLedger::WriterLoop() {
  for (;;) {
    std::deque<Pending> group;
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !closing_) work_.Wait(&mu_);
      if (queue_.empty()) return;  // closing, and drained
      size_t bytes = 0;
      while (!queue_.empty() &&
             (group.empty() || bytes < options_.max_batch_bytes)) {
        for (const NewEntry& e : queue_.front().request.entries) {
          bytes += e.payload.size();
        }
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(&group);
  }
}

void RocksDbLedger::CommitGroup(std::deque<Pending>* group) {
  Head head;
  absl::Time last_recorded;
  absl::Status prior_error;
  merkle::Frontier frontier;
  {
    absl::MutexLock lock(&mu_);
    head = head_;
    frontier = frontier_;
    last_recorded = last_recorded_;
    prior_error = write_error_;
  }
  const Clock& clock =
      options_.clock != nullptr ? *options_.clock : SystemClock::Get();
  // One time for the whole group, never earlier than the last recorded.
  const absl::Time now = std::max(
      absl::FromUnixMicros(absl::ToUnixMicros(clock.Now())), last_recorded);

  SortedBatch batch;
  // What this group has written so far, on top of what is durable.
  absl::flat_hash_map<std::string, uint64_t> stream_versions;
  absl::flat_hash_map<std::string, AppendResult> idempotent;
  std::vector<std::pair<AppendDone, absl::StatusOr<AppendResult>>> results;
  results.reserve(group->size());

  for (Pending& p : *group) {
    AppendRequest& req = p.request;
    if (!prior_error.ok()) {
      results.emplace_back(std::move(p.done), prior_error);
      continue;
    }
    if (!req.idempotency_key.empty()) {
      if (auto it = idempotent.find(req.idempotency_key);
          it != idempotent.end()) {
        AppendResult replay = it->second;
        replay.replayed = true;
        results.emplace_back(std::move(p.done), std::move(replay));
        continue;
      }
      absl::StatusOr<absl::optional<AppendResult>> seen =
          FindIdempotent(req.idempotency_key);
      if (!seen.ok()) {
        results.emplace_back(std::move(p.done), seen.status());
        continue;
      }
      if (seen->has_value()) {
        results.emplace_back(std::move(p.done), **std::move(seen));
        continue;
      }
    }
    uint64_t current;
    if (auto it = stream_versions.find(req.stream);
        it != stream_versions.end()) {
      current = it->second;
    } else {
      absl::StatusOr<uint64_t> v =
          StreamVersionIfAt(req.stream, req.expected_version);
      if (!v.ok()) {
        results.emplace_back(std::move(p.done), v.status());
        continue;
      }
      current = *v;
    }
    if (current != req.expected_version) {
      results.emplace_back(
          std::move(p.done),
          absl::AbortedError(
              absl::StrCat("stream ", req.stream, " is at version ", current,
                           ", not the expected ", req.expected_version,
                           ": re-read it and decide again")));
      continue;
    }

    AppendResult result;
    result.stream = req.stream;
    result.first_sequence = head.sequence + 1;
    for (NewEntry& ne : req.entries) {
      Entry e;
      e.sequence = head.sequence + 1;
      e.stream = req.stream;
      e.stream_version = ++current;
      e.type = std::move(ne.type);
      e.actor = std::move(ne.actor);
      e.recorded = now;
      e.payload = std::move(ne.payload);
      e.prev_hash = head.hash;
      e.hash = ChainHash(e.prev_hash, CanonicalEntryBytes(e));
      const std::string seq_key = EncodeSequenceKey(e.sequence);
      batch.Put(kEntriesCf, seq_key, EncodeStoredEntry(e));
      batch.Put(kStreamsCf, StreamKey(e.stream, e.stream_version), seq_key);
      std::vector<merkle::Frontier::Node> nodes;
      frontier.Append(merkle::LeafHash(e.hash), &nodes);
      for (merkle::Frontier::Node& n : nodes) {
        batch.Put(kMerkleCf, MerkleKey(n.level, n.index), std::move(n.hash));
      }
      head = Head{e.sequence, e.hash};
      result.hashes.push_back(e.hash);
    }
    result.stream_version = current;
    stream_versions[req.stream] = current;
    for (Mutation& m : req.mutations) {
      const int cf = m.table == Table::kState ? kStateCf : kIndexCf;
      if (m.add != 0) {
        batch.Merge(cf, std::move(m.key),
                    EncodeSequenceKey(static_cast<uint64_t>(m.add)));
      } else if (m.value.has_value()) {
        batch.Put(cf, std::move(m.key), *std::move(m.value));
      } else {
        batch.Delete(cf, std::move(m.key));
      }
    }
    if (!req.idempotency_key.empty()) {
      batch.Put(kIdempotencyCf, req.idempotency_key,
                EncodeIdempotencyRecord(result));
      idempotent[req.idempotency_key] = result;
    }
    results.emplace_back(std::move(p.done), std::move(result));
  }

  if (batch.size() > 0) {
    rocksdb::WriteBatch write;
    batch.Into(handles_, &write);
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    rocksdb::Status s = db_->Write(write_options, &write);
    if (s.ok()) {
      absl::MutexLock lock(&mu_);
      head_ = head;
      frontier_ = std::move(frontier);
      last_recorded_ = now;
    } else {
      absl::Status error = FromRocks(
          s, "ledger write failed; appends are refused until it is reopened");
      {
        absl::MutexLock lock(&mu_);
        write_error_ = error;
      }
      for (auto& r : results) {
        if (r.second.ok()) r.second = error;
      }
    }
  }
  for (auto& [done, result] : results) done(std::move(result));
}

absl::Status RocksDbLedger::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closing_ && !writer_.joinable()) return absl::OkStatus();
    closing_ = true;
    work_.SignalAll();
  }
  if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) {
    writer_.join();
  }
  return absl::OkStatus();
}

absl::StatusOr<Entry> RocksDbLedger::Read(uint64_t sequence) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), entries_cf_,
                               EncodeSequenceKey(sequence), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(
        absl::StrCat("no ledger entry has sequence ", sequence));
  }
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading entry ", sequence));
  return DecodeStoredEntry(value);
}

absl::StatusOr<std::vector<Entry>> RocksDbLedger::ReadStream(
    absl::string_view stream, uint64_t from_version, size_t limit) const {
  const std::string prefix = absl::StrCat(stream, absl::string_view("\0", 1));
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), streams_cf_));
  std::vector<Entry> out;
  for (it->Seek(StreamKey(stream, std::max<uint64_t>(from_version, 1)));
       it->Valid() && it->key().starts_with(prefix) && out.size() < limit;
       it->Next()) {
    absl::StatusOr<Entry> e =
        Read(DecodeSequenceKey(absl::string_view(it->value().data(), 8)));
    if (!e.ok()) return e.status();
    out.push_back(*std::move(e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading stream");
  if (out.empty()) {
    absl::StatusOr<uint64_t> version = StreamVersion(stream);
    if (!version.ok()) return version.status();
    if (*version == 0) {
      return absl::NotFoundError(absl::StrCat("no stream ", stream));
    }
  }
  return out;
}

absl::StatusOr<uint64_t> RocksDbLedger::StreamVersion(
    absl::string_view stream) const {
  const std::string prefix = absl::StrCat(stream, absl::string_view("\0", 1));
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), streams_cf_));
  it->SeekForPrev(StreamKey(stream, ~uint64_t{0}));
  if (!it->status().ok()) return FromRocks(it->status(), "reading stream");
  if (!it->Valid() || !it->key().starts_with(prefix)) return 0;
  return DecodeSequenceKey(
      absl::string_view(it->key().data() + prefix.size(), 8));
}

absl::StatusOr<uint64_t> RocksDbLedger::StreamVersionIfAt(
    absl::string_view stream, uint64_t expected) const {
  // Versions are dense (1..n): the stream is at `expected` when the version
  // after it is absent and `expected` itself is there. Two point reads, the
  // first usually answered by a bloom filter; anything else is the rare
  // conflict, which the exact (iterator) answer reports.
  auto has = [&](uint64_t version) -> absl::StatusOr<bool> {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), streams_cf_,
                                 StreamKey(stream, version), &value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return FromRocks(s, "reading stream");
    return true;
  };
  absl::StatusOr<bool> next = has(expected + 1);
  if (!next.ok()) return next.status();
  if (!*next) {
    if (expected == 0) return expected;
    absl::StatusOr<bool> at = has(expected);
    if (!at.ok()) return at.status();
    if (*at) return expected;
  }
  return StreamVersion(stream);
}

absl::StatusOr<std::vector<Entry>> RocksDbLedger::Scan(uint64_t from_sequence,
                                                       size_t limit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), entries_cf_));
  std::vector<Entry> out;
  for (it->Seek(EncodeSequenceKey(from_sequence));
       it->Valid() && out.size() < limit; it->Next()) {
    absl::StatusOr<Entry> e = DecodeStoredEntry(
        absl::string_view(it->value().data(), it->value().size()));
    if (!e.ok()) return e.status();
    out.push_back(*std::move(e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scanning entries");
  return out;
}

Head RocksDbLedger::GetHead() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

absl::StatusOr<VerifyReport> RocksDbLedger::Verify(uint64_t from,
                                                   uint64_t to) const {
  VerifyReport report;
  const Head head = GetHead();
  from = std::max<uint64_t>(from, 1);
  to = std::min(to, head.sequence);
  if (from > to) return report;
  auto bad = [&report](uint64_t sequence, std::string problem) {
    report.ok = false;
    report.first_bad = sequence;
    report.problem = std::move(problem);
    return report;
  };

  std::string prev = ZeroHash();
  if (from > 1) {
    absl::StatusOr<Entry> before = Read(from - 1);
    if (!before.ok()) {
      return bad(from - 1, std::string(before.status().message()));
    }
    prev = before->hash;
  }
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), entries_cf_));
  uint64_t expected = from;
  for (it->Seek(EncodeSequenceKey(from)); expected <= to; it->Next()) {
    if (!it->Valid()) {
      if (!it->status().ok()) {
        return bad(expected,
                   absl::StrCat("unreadable: ", it->status().ToString()));
      }
      return bad(expected, "missing: the ledger ends before the head");
    }
    const uint64_t key_sequence = DecodeSequenceKey(
        absl::string_view(it->key().data(), it->key().size()));
    if (it->key().size() != 8 || key_sequence != expected) {
      return bad(expected, OutOfOrderMessage(expected, key_sequence));
    }
    absl::StatusOr<Entry> e = DecodeStoredEntry(
        absl::string_view(it->value().data(), it->value().size()));
    if (!e.ok()) return bad(expected, std::string(e.status().message()));
    if (e->sequence != expected) {
      return bad(expected, absl::StrCat("entry stored under sequence ",
                                        expected, " says it is ", e->sequence));
    }
    if (e->prev_hash != prev) {
      return bad(expected, absl::StrCat("previous hash ", HexHash(e->prev_hash),
                                        " does not match entry ", expected - 1,
                                        "'s ", HexHash(prev)));
    }
    const std::string computed = ChainHash(prev, CanonicalEntryBytes(*e));
    if (computed != e->hash) {
      return bad(expected, absl::StrCat("content hashes to ", HexHash(computed),
                                        ", stored hash is ", HexHash(e->hash)));
    }
    prev = computed;
    ++report.checked;
    ++expected;
  }
  if (to == head.sequence && prev != head.hash) {
    return bad(to, "last entry does not hash to the ledger head");
  }
  return report;
}

absl::StatusOr<absl::optional<AppendResult>> RocksDbLedger::FindIdempotent(
    absl::string_view idempotency_key) const {
  std::string record;
  rocksdb::Status s = db_->Get(
      rocksdb::ReadOptions(), idempotency_cf_,
      rocksdb::Slice(idempotency_key.data(), idempotency_key.size()), &record);
  if (s.IsNotFound()) return absl::optional<AppendResult>();
  if (!s.ok()) return FromRocks(s, "reading idempotency key");
  if (record.size() < 24) {
    return absl::DataLossError("idempotency record is malformed");
  }
  AppendResult replay;
  replay.first_sequence = DecodeSequenceKey(record.substr(0, 8));
  replay.stream_version = DecodeSequenceKey(record.substr(8, 8));
  const uint64_t count = DecodeSequenceKey(record.substr(16, 8));
  replay.stream = record.substr(24);
  replay.replayed = true;
  for (uint64_t i = 0; i < count; ++i) {
    absl::StatusOr<Entry> e = Read(replay.first_sequence + i);
    if (!e.ok()) return e.status();
    replay.hashes.push_back(e->hash);
  }
  return absl::optional<AppendResult>(std::move(replay));
}

absl::StatusOr<absl::optional<std::string>> RocksDbLedger::GetState(
    absl::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), state_cf_,
                               rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return absl::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading state");
  return absl::optional<std::string>(std::move(value));
}

absl::StatusOr<absl::optional<std::string>> RocksDbLedger::LastIndexKey(
    absl::string_view prefix) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), index_cf_));
  // Every key with the prefix sorts before prefix + 0xff...
  it->SeekForPrev(absl::StrCat(prefix, std::string(16, '\xff')));
  if (!it->status().ok()) return FromRocks(it->status(), "scanning index");
  if (!it->Valid() ||
      !it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) {
    return absl::optional<std::string>();
  }
  return absl::optional<std::string>(it->key().ToString());
}

absl::StatusOr<std::vector<KeyValue>> RocksDbLedger::ScanIndex(
    absl::string_view prefix, absl::string_view start_after,
    size_t limit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), index_cf_));
  const rocksdb::Slice p(prefix.data(), prefix.size());
  if (start_after.empty()) {
    it->Seek(p);
  } else {
    it->Seek(rocksdb::Slice(start_after.data(), start_after.size()));
    if (it->Valid() &&
        it->key() == rocksdb::Slice(start_after.data(), start_after.size())) {
      it->Next();
    }
  }
  std::vector<KeyValue> out;
  for (; it->Valid() && it->key().starts_with(p) && out.size() < limit;
       it->Next()) {
    out.push_back(KeyValue{it->key().ToString(), it->value().ToString()});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scanning index");
  return out;
}

}  // namespace cradle::storage
