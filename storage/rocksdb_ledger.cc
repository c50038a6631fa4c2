#include "storage/rocksdb_ledger.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

#include "base/status_macros.h"
#include "storage/entry_codec.h"
#include "storage/rocksdb_internal.h"
#include "storage/rocksdb_layout.h"

namespace cradle::storage {
namespace {
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

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbLedger>> RocksDbLedger::Open(
    const std::string& dir, const Options& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;
  // A restart replays the write-ahead log since the oldest unflushed
  // memtable; with eight column families that could be gigabytes. Past
  // this size the oldest memtables are flushed, which bounds the replay.
  db_options.max_total_wal_size = 256 << 20;
  if (options.env != nullptr) db_options.env = options.env;

  const std::vector<rocksdb::ColumnFamilyDescriptor> descriptors =
      LedgerColumnFamilies();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &handles,
                                         &raw)
          : rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ledger in ", dir));
  std::unique_ptr<RocksDbLedger> ledger(new RocksDbLedger(
      options, std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
  CRADLE_RETURN_IF_ERROR(ledger->Recover());
  if (!options.read_only) {
    ledger->writer_ = std::thread([l = ledger.get()] { l->WriterLoop(); });
  }
  return ledger;
}

RocksDbLedger::RocksDbLedger(const Options& options,
                             std::unique_ptr<rocksdb::DB> db,
                             std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : options_(options),
      db_(std::move(db)),
      handles_(std::move(handles)),
      live_(NewRocksDbReader(db_.get(), handles_, nullptr)) {
  head_.hash = ZeroHash();
  if (options_.read_only) {
    write_error_ = absl::FailedPreconditionError(
        "the ledger is open read-only: nothing can be appended");
  }
  if (options_.log != nullptr) {
    not_writer_ = absl::UnavailableError(
        "this node is not the writer: it follows the cluster's log");
  }
}

RocksDbLedger::~RocksDbLedger() {
  Close().IgnoreError();
  // A clean close leaves the next open nothing to replay: the memtables go
  // to table files now, which costs less than replaying up to
  // max_total_wal_size of log into memtables at the next start and
  // flushing them there. A crash still replays; a failed flush leaves the
  // log, which the next open replays as after a crash.
  if (!options_.read_only) {
    db_->Flush(rocksdb::FlushOptions(), handles_).PermitUncheckedError();
  }
  live_.reset();
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  db_->Close().PermitUncheckedError();
}

namespace {

// What is wrong with the head record (`value`, when there is one) against
// the last entry, `head` with hash `head_hash`; nothing when it matches.
void CheckHeadRecord(const absl::optional<std::string>& value,
                     const absl::optional<HeadRecord>& record, uint64_t head,
                     const std::string& head_hash,
                     std::vector<std::string>* problems) {
  if (!value.has_value()) return;
  if (!record.has_value()) {
    problems->push_back(absl::StrCat("the head record is malformed (",
                                     value->size(), " bytes)"));
  } else if (record->size > head) {
    problems->push_back(
        absl::StrCat("the head record says the ledger holds ", record->size,
                     " entries, but the last entry is ", head, ": entries ",
                     head + 1, "..", record->size, " were removed"));
  } else if (record->size < head) {
    problems->push_back(absl::StrCat("entries ", record->size + 1, "..", head,
                                     " lie past the recorded head ",
                                     record->size,
                                     ": they were not written by the ledger"));
  } else if (record->hash != head_hash) {
    problems->push_back(
        absl::StrCat("entry ", head, " hashes to ", HexHash(head_hash),
                     ", the head record says ", HexHash(record->hash)));
  }
}

}  // namespace

absl::Status RocksDbLedger::Recover() {
  std::vector<std::string> problems;
  CRADLE_ASSIGN_OR_RETURN(const Head last, RecoverHead(&problems));
  const uint64_t head = last.sequence;

  // The head record of the last group commit.
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> record_value,
                          GetValue(db_.get(), handles_[kMetaCf], nullptr,
                                   kHeadRecordKey, "the head record"));
  absl::optional<HeadRecord> record;
  if (record_value.has_value()) record = DecodeHeadRecord(*record_value);
  CheckHeadRecord(record_value, record, head, last.hash, &problems);

  // The chain of the tail.
  const uint64_t from = head > options_.verify_tail_on_open
                            ? head - options_.verify_tail_on_open + 1
                            : 1;
  CRADLE_ASSIGN_OR_RETURN(VerifyReport chain, Verify(from, head));
  if (!chain.ok) {
    problems.push_back(absl::StrCat("the chain is broken at entry ",
                                    chain.first_bad, ": ", chain.problem));
  }
  CRADLE_RETURN_IF_ERROR(
      RecoverMerkle(head, record.has_value() ? &*record : nullptr, &problems));

  // What the ledger derives from the tail: each entry's stream index key
  // and Merkle leaf, and no stream version past the last entry.
  if (problems.empty()) {
    CRADLE_ASSIGN_OR_RETURN(VerifyReport derived, VerifyDerived(from, head));
    if (!derived.ok) {
      problems.push_back(
          absl::StrCat("entry ", derived.first_bad, ": ", derived.problem));
    }
  }
  std::vector<std::string> streams = CheckStreamsPastHead(from, head);
  problems.insert(problems.end(), streams.begin(), streams.end());

  if (problems.empty()) {
    if (!record.has_value() && head > 0 && !options_.read_only) {
      // A ledger written before head records: record the head it has.
      rocksdb::WriteOptions sync;
      sync.sync = true;
      const TreeHead tree = GetTreeHead();
      CRADLE_RETURN_IF_ERROR(FromRocks(
          db_->Put(sync, handles_[kMetaCf],
                   rocksdb::Slice(kHeadRecordKey.data(), kHeadRecordKey.size()),
                   EncodeHeadRecord(head, last.hash, tree.root)),
          "writing the head record"));
    }
    return absl::OkStatus();
  }
  return RefuseOrInspect(std::move(problems));
}

absl::StatusOr<Head> RocksDbLedger::RecoverHead(
    std::vector<std::string>* problems) {
  Head head{0, ZeroHash()};
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kEntriesCf]));
  it->SeekToLast();
  if (!it->status().ok()) {
    return FromRocks(it->status(), "reading the last entry");
  }
  if (it->Valid()) {
    head.sequence = DecodeSequenceKey(
        absl::string_view(it->key().data(), it->key().size()));
    absl::StatusOr<Entry> last = DecodeStoredEntry(
        absl::string_view(it->value().data(), it->value().size()));
    if (last.ok()) {
      head.hash = last->hash;
      absl::MutexLock lock(&mu_);
      last_recorded_ = last->recorded;
    } else {
      problems->push_back(
          absl::StrCat("the last entry (", head.sequence,
                       ") is unreadable: ", last.status().message()));
    }
  }
  absl::MutexLock lock(&mu_);
  head_ = head;
  return head;
}

absl::Status RocksDbLedger::RecoverMerkle(uint64_t head,
                                          const HeadRecord* record,
                                          std::vector<std::string>* problems) {
  CRADLE_ASSIGN_OR_RETURN(uint64_t leaves, MerkleLeaves());
  if (leaves > head) {
    problems->push_back(absl::StrCat("the Merkle tree has ", leaves,
                                     " leaves but the ledger ", head,
                                     " entries: entries were removed"));
    return absl::OkStatus();
  }
  if (leaves < head && record != nullptr) {
    problems->push_back(absl::StrCat("the Merkle tree has ", leaves,
                                     " leaves but the ledger ", head,
                                     " entries: Merkle nodes were removed"));
    return absl::OkStatus();
  }
  // leaves < head without a head record: a ledger written before the tree
  // (or the head record) existed. Its nodes are written only when nothing
  // is wrong so far and the open may write.
  absl::Status caught_up = CatchUpMerkle(
      leaves, head,
      problems->empty() && !options_.read_only && !options_.forensic);
  if (!caught_up.ok()) {
    problems->push_back(
        absl::StrCat("the Merkle tree cannot be read: ", caught_up.message()));
  } else if (record != nullptr && record->size == head) {
    const std::string root = GetTreeHead().root;
    if (root != record->root) {
      problems->push_back(
          absl::StrCat("the Merkle root of the ", head, " entries is ",
                       HexHash(root), ", the head record says ",
                       HexHash(record->root), ": Merkle nodes were changed"));
    }
  }
  return absl::OkStatus();
}

absl::Status RocksDbLedger::RefuseOrInspect(std::vector<std::string> problems) {
  const std::string summary = JoinProblems(problems);
  if (!options_.forensic && !options_.read_only) {
    return absl::DataLossError(absl::StrCat(
        "the ledger is damaged: ", summary,
        ". Refusing to open rather than extend it; inspect it with "
        "`cradlectl audit verify --data DIR`, or start cradled with "
        "--forensic to serve it read-only"));
  }
  open_problems_ = std::move(problems);
  absl::MutexLock lock(&mu_);
  if (write_error_.ok()) {
    write_error_ = absl::DataLossError(absl::StrCat(
        "the ledger is damaged and open for inspection only: ", summary));
  }
  return absl::OkStatus();
}

std::vector<std::string> RocksDbLedger::CheckStreamsPastHead(
    uint64_t from, uint64_t head) const {
  std::vector<std::string> problems;
  if (head == 0) return problems;
  // The streams of the tail, each with its last version there, read in key
  // order (a damaged entry's own sequence must not steer the walk).
  absl::flat_hash_map<std::string, uint64_t> last_seen;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kEntriesCf]));
    for (it->Seek(EncodeSequenceKey(from)); it->Valid(); it->Next()) {
      absl::StatusOr<Entry> e = DecodeStoredEntry(
          absl::string_view(it->value().data(), it->value().size()));
      if (!e.ok()) continue;  // the chain check names it
      last_seen[e->stream] = e->stream_version;
    }
  }
  for (const auto& [stream, version] : last_seen) {
    absl::StatusOr<uint64_t> now = StreamVersion(stream);
    if (!now.ok()) {
      problems.push_back(
          absl::StrCat("the index of stream ", stream,
                       " cannot be read: ", now.status().message()));
      continue;
    }
    if (*now <= version) continue;
    absl::StatusOr<absl::optional<std::string>> past =
        GetValue(db_.get(), handles_[kStreamsCf], nullptr,
                 StreamKey(stream, *now), "stream index");
    const uint64_t points_at =
        past.ok() && past->has_value() && (*past)->size() == 8
            ? DecodeSequenceKey(**past)
            : 0;
    if (points_at > head || points_at == 0) {
      problems.push_back(absl::StrCat(
          "stream ", stream, " is at version ", *now, " in its index, ",
          "which points at entry ", points_at, " past the last entry ", head,
          ": entries were removed"));
    }
    if (problems.size() >= kMaxProblemsListed) break;
  }
  return problems;
}

merkle::NodeReader RocksDbLedger::Nodes() const {
  return [this](int level, uint64_t index) -> absl::StatusOr<std::string> {
    CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                            GetValue(db_.get(), handles_[kMerkleCf], nullptr,
                                     MerkleKey(level, index), "a Merkle node"));
    if (!value.has_value()) {
      return absl::DataLossError(absl::StrCat(
          "Merkle node (level ", level, ", index ", index, ") is missing"));
    }
    return *std::move(value);
  };
}

absl::StatusOr<uint64_t> RocksDbLedger::MerkleLeaves() const {
  // The last leaf node's index + 1.
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kMerkleCf]));
  it->SeekForPrev(MerkleKey(0, ~uint64_t{0}));
  if (!it->status().ok()) {
    return FromRocks(it->status(), "reading the Merkle tree");
  }
  if (it->Valid() && it->key().size() == 9 && it->key()[0] == 0) {
    const uint64_t last =
        DecodeSequenceKey(absl::string_view(it->key().data() + 1, 8));
    if (last == ~uint64_t{0}) {
      return absl::DataLossError("a Merkle leaf has the largest index");
    }
    return last + 1;
  }
  return 0;
}

absl::Status RocksDbLedger::CatchUpMerkle(uint64_t covered, uint64_t head,
                                          bool write) {
  CRADLE_ASSIGN_OR_RETURN(merkle::Frontier frontier,
                          merkle::Frontier::Restore(covered, Nodes()));
  while (covered < head) {
    rocksdb::WriteBatch batch;
    CRADLE_ASSIGN_OR_RETURN(std::vector<Entry> entries,
                            Scan(covered + 1, kScanPage));
    if (entries.empty()) break;
    for (const Entry& e : entries) {
      std::vector<merkle::Frontier::Node> nodes;
      frontier.Append(merkle::LeafHash(e.hash), &nodes);
      for (const auto& n : nodes) {
        batch.Put(handles_[kMerkleCf], MerkleKey(n.level, n.index), n.hash);
      }
      ++covered;
    }
    if (!write) continue;  // in memory only
    rocksdb::WriteOptions sync;
    sync.sync = true;
    CRADLE_RETURN_IF_ERROR(
        FromRocks(db_->Write(sync, &batch), "writing Merkle nodes"));
  }
  absl::MutexLock lock(&mu_);
  frontier_ = std::move(frontier);
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
  if (options_.before_append) options_.before_append(request);
  absl::Status invalid = ValidateAppendRequest(request);
  if (invalid.ok()) {
    absl::MutexLock lock(&mu_);
    if (closing_) {
      invalid = absl::FailedPreconditionError("ledger is closed");
    } else if (!write_error_.ok()) {
      invalid = write_error_;
    } else if (!not_writer_.ok()) {
      invalid = not_writer_;
    } else {
      queue_.push_back(Pending{std::move(request), std::move(done)});
      work_.Signal();
      return;
    }
  }
  done(invalid);
}

void RocksDbLedger::Halt(absl::Status reason) {
  if (reason.ok()) return;
  absl::MutexLock lock(&mu_);
  if (write_error_.ok()) write_error_ = std::move(reason);
}

std::vector<std::string> RocksDbLedger::OpenProblems() const {
  return open_problems_;
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
    absl::MutexLock commit(&commit_mu_);
    CommitGroup(&group);
    // Nothing more to append: the followers may apply the last record
    // (BatchLog::ReadAfter reads only what is marked durable).
    if (options_.log != nullptr && IsWriter() && QueueEmpty()) {
      options_.log->MarkDurable().IgnoreError();  // the next append marks
    }
  }
}

bool RocksDbLedger::QueueEmpty() const {
  absl::MutexLock lock(&mu_);
  return queue_.empty();
}

// What one group commit has built so far, on top of what is durable.
struct RocksDbLedger::Group {
  Head head;
  merkle::Frontier frontier;
  absl::Time now;  // the time every entry of the group is recorded at
  SortedBatch batch;
  // The version each stream written by the group is at after it.
  absl::flat_hash_map<std::string, uint64_t> stream_versions;
  // The results of the group's appends with an idempotency key.
  absl::flat_hash_map<std::string, AppendResult> idempotent;
  // Keys claimed create-only by the group's appends (column family/key).
  absl::flat_hash_set<std::string> claimed;
  // What the writer of a cluster appends to the log; null otherwise.
  std::unique_ptr<LogBatch> log;
};

void RocksDbLedger::CommitGroup(std::deque<Pending>* group) {
  Group g;
  absl::Time last_recorded;
  absl::Status prior_error;
  {
    absl::MutexLock lock(&mu_);
    g.head = head_;
    g.frontier = frontier_;
    last_recorded = last_recorded_;
    prior_error = write_error_.ok() ? not_writer_ : write_error_;
  }
  const Clock& clock =
      options_.clock != nullptr ? *options_.clock : SystemClock::Get();
  // One time for the whole group, never earlier than the last recorded.
  g.now = std::max(absl::FromUnixMicros(absl::ToUnixMicros(clock.Now())),
                   last_recorded);
  if (options_.log != nullptr) {
    g.log = std::make_unique<LogBatch>();
    g.log->first_sequence = g.head.sequence + 1;
    g.log->prev_hash = g.head.hash;
    g.log->recorded = g.now;
  }

  std::vector<std::pair<AppendDone, absl::StatusOr<AppendResult>>> results;
  results.reserve(group->size());
  for (Pending& p : *group) {
    results.emplace_back(std::move(p.done), prior_error.ok()
                                                ? Stage(&g, &p.request)
                                                : prior_error);
  }
  {
    // A halt while this group was being built: it must not be written.
    absl::MutexLock lock(&mu_);
    if (!write_error_.ok() && prior_error.ok()) {
      for (auto& r : results) {
        if (r.second.ok()) r.second = write_error_;
      }
      g.batch = SortedBatch();
    }
  }
  if (g.batch.size() > 0) {
    if (absl::Status s = WriteGroup(&g); !s.ok()) {
      for (auto& r : results) {
        if (r.second.ok()) r.second = s;
      }
    }
  }
  for (auto& [done, result] : results) done(std::move(result));
}

absl::StatusOr<uint64_t> RocksDbLedger::GroupVersion(const Group& g,
                                                     absl::string_view stream,
                                                     uint64_t expected) const {
  if (auto it = g.stream_versions.find(stream); it != g.stream_versions.end()) {
    return it->second;
  }
  return StreamVersionIfAt(stream, expected);
}

absl::StatusOr<absl::optional<uint64_t>> RocksDbLedger::MovedOn(
    const Group& g, const StreamRead& r) const {
  if (auto it = g.stream_versions.find(r.stream);
      it != g.stream_versions.end()) {
    if (it->second == r.version) return absl::optional<uint64_t>();
    return it->second;
  }
  // The version was read from this ledger, so it is there: only an entry
  // after it is looked for, a point read a bloom filter usually answers.
  CRADLE_ASSIGN_OR_RETURN(
      absl::optional<std::string> next,
      GetValue(db_.get(), handles_[kStreamsCf], nullptr,
               StreamKey(r.stream, r.version + 1), "stream"));
  if (!next.has_value()) return absl::optional<uint64_t>();
  return StreamVersion(r.stream);
}

absl::StatusOr<AppendResult> RocksDbLedger::Stage(Group* g,
                                                  AppendRequest* req) {
  if (!req->idempotency_key.empty()) {
    if (auto it = g->idempotent.find(req->idempotency_key);
        it != g->idempotent.end()) {
      AppendResult replay = it->second;
      replay.replayed = true;
      return replay;
    }
    CRADLE_ASSIGN_OR_RETURN(absl::optional<AppendResult> seen,
                            FindIdempotent(req->idempotency_key));
    if (seen.has_value()) return *std::move(seen);
  }
  CRADLE_ASSIGN_OR_RETURN(uint64_t current,
                          GroupVersion(*g, req->stream, req->expected_version));
  if (current != req->expected_version) {
    return absl::AbortedError(
        absl::StrCat("stream ", req->stream, " is at version ", current,
                     ", not the expected ", req->expected_version,
                     ": re-read it and decide again"));
  }
  for (const StreamRead& r : req->reads) {
    CRADLE_ASSIGN_OR_RETURN(absl::optional<uint64_t> moved, MovedOn(*g, r));
    if (moved.has_value()) {
      return absl::AbortedError(
          absl::StrCat("stream ", r.stream, " moved on to version ", *moved,
                       " after this was decided on its version ", r.version,
                       ": re-read it and decide again"));
    }
  }
  CRADLE_RETURN_IF_ERROR(Claim(g, *req));
  LogBatch::Append* logged = nullptr;
  if (g->log != nullptr) {
    g->log->appends.push_back(LogBatch::Append{req->stream,
                                               current + 1,
                                               req->idempotency_key,
                                               req->entries,
                                               {},
                                               req->mutations});
    logged = &g->log->appends.back();
  }
  CRADLE_ASSIGN_OR_RETURN(AppendResult result,
                          AddToGroup(g, req, current, nullptr));
  if (logged != nullptr) logged->hashes = result.hashes;
  return result;
}

absl::StatusOr<AppendResult> RocksDbLedger::AddToGroup(
    Group* g, AppendRequest* req, uint64_t current,
    const std::vector<std::string>* hashes) {
  AppendResult result;
  result.stream = req->stream;
  result.first_sequence = g->head.sequence + 1;
  for (NewEntry& ne : req->entries) {
    Entry e;
    e.sequence = g->head.sequence + 1;
    e.stream = req->stream;
    e.stream_version = ++current;
    e.type = std::move(ne.type);
    e.actor = std::move(ne.actor);
    e.recorded = g->now;
    e.payload = std::move(ne.payload);
    e.prev_hash = g->head.hash;
    e.hash = ChainHash(e.prev_hash, CanonicalEntryBytes(e));
    if (hashes != nullptr && (*hashes)[result.hashes.size()] != e.hash) {
      return absl::DataLossError(
          absl::StrCat("entry ", e.sequence, " of stream ", e.stream,
                       " hashes to ", HexHash(e.hash), ", the log says ",
                       HexHash((*hashes)[result.hashes.size()])));
    }
    const std::string seq_key = EncodeSequenceKey(e.sequence);
    g->batch.Put(kEntriesCf, seq_key, EncodeStoredEntry(e));
    g->batch.Put(kStreamsCf, StreamKey(e.stream, e.stream_version), seq_key);
    std::vector<merkle::Frontier::Node> nodes;
    g->frontier.Append(merkle::LeafHash(e.hash), &nodes);
    for (merkle::Frontier::Node& n : nodes) {
      g->batch.Put(kMerkleCf, MerkleKey(n.level, n.index), std::move(n.hash));
    }
    g->head = Head{e.sequence, e.hash};
    result.hashes.push_back(e.hash);
  }
  result.stream_version = current;
  g->stream_versions[req->stream] = current;
  for (Mutation& m : req->mutations) {
    const int cf = m.table == Table::kState ? kStateCf : kIndexCf;
    if (m.counter || m.add != 0) {
      if (m.add == 0) continue;  // nothing to add; never a delete
      g->batch.Merge(cf, std::move(m.key),
                     EncodeSequenceKey(static_cast<uint64_t>(m.add)));
    } else if (m.value.has_value()) {
      g->batch.Put(cf, std::move(m.key), *std::move(m.value));
    } else {
      g->batch.Delete(cf, std::move(m.key));
    }
  }
  if (!req->idempotency_key.empty()) {
    g->batch.Put(kIdempotencyCf, req->idempotency_key,
                 EncodeIdempotencyRecord(result));
    g->idempotent[req->idempotency_key] = result;
  }
  return result;
}

absl::Status RocksDbLedger::Claim(Group* g, const AppendRequest& req) const {
  for (const Mutation& m : req.mutations) {
    if (!m.create_only) continue;
    const int cf = m.table == Table::kState ? kStateCf : kIndexCf;
    CRADLE_ASSIGN_OR_RETURN(
        absl::optional<std::string> there,
        GetValue(db_.get(), handles_[cf], nullptr, m.key, "a claimed key"));
    if (there.has_value() ||
        g->claimed.contains(absl::StrCat(cf, "/", m.key))) {
      return absl::AlreadyExistsError(
          absl::StrCat("key ", m.key, " is taken already"));
    }
  }
  for (const Mutation& m : req.mutations) {
    if (m.create_only) {
      g->claimed.insert(absl::StrCat(
          m.table == Table::kState ? kStateCf : kIndexCf, "/", m.key));
    }
  }
  return absl::OkStatus();
}

absl::Status RocksDbLedger::WriteGroup(Group* g) {
  if (g->log != nullptr) CRADLE_RETURN_IF_ERROR(Publish(*g));
  g->batch.Put(
      kMetaCf, std::string(kHeadRecordKey),
      EncodeHeadRecord(g->head.sequence, g->head.hash, g->frontier.Root()));
  rocksdb::WriteBatch write;
  g->batch.Into(handles_, &write);
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  rocksdb::Status s = db_->Write(write_options, &write);
  absl::MutexLock lock(&mu_);
  if (!s.ok()) {
    absl::Status error = FromRocks(
        s, "ledger write failed; appends are refused until it is reopened");
    if (write_error_.ok()) write_error_ = error;
    return error;
  }
  head_ = g->head;
  frontier_ = std::move(g->frontier);
  last_recorded_ = g->now;
  return absl::OkStatus();
}

absl::Status RocksDbLedger::Publish(const Group& g) {
  LogRecord record;
  record.first_sequence = g.log->first_sequence;
  record.last_sequence = g.head.sequence;
  record.body = EncodeLogBatch(*g.log);
  absl::Status s = options_.log->Append(record);
  if (s.ok()) return s;
  if (absl::IsFailedPrecondition(s)) {
    // Fenced. A log that ends before this ledger does lost what this node
    // applied (a database failover after it read a record no standby had):
    // this ledger can never follow it again.
    absl::StatusOr<uint64_t> last = options_.log->Settle();
    if (last.ok() && *last < record.first_sequence - 1) {
      absl::Status lost = absl::DataLossError(absl::StrCat(
          "this ledger holds entries ", *last + 1, "..",
          record.first_sequence - 1,
          " that the log does not (its database lost them after this node "
          "applied them): the ledger and the log have diverged; join again "
          "from a checkpoint of another node (cradled --join-from)"));
      Halt(lost);
      return absl::UnavailableError(lost.message());
    }
  }
  const std::string why = absl::StrCat(
      absl::IsFailedPrecondition(s) ? "another node wrote to the log first"
                                    : "the log did not confirm the write",
      " (", s.message(), "); this node stopped writing: retry the call");
  StepDown(why);
  return absl::UnavailableError(why);
}

absl::StatusOr<uint64_t> RocksDbLedger::CatchUp() {
  absl::MutexLock commit(&commit_mu_);
  return CatchUpLocked();
}

absl::StatusOr<uint64_t> RocksDbLedger::CatchUpLocked() {
  if (options_.log == nullptr) {
    return absl::FailedPreconditionError("this ledger follows no log");
  }
  {
    absl::MutexLock lock(&mu_);
    if (!write_error_.ok()) return write_error_;
  }
  uint64_t applied = 0;
  for (;;) {
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<LogRecord> records,
        options_.log->ReadAfter(GetHead().sequence, /*limit=*/64));
    if (records.empty()) return applied;
    const uint64_t head = GetHead().sequence;
    if (records.front().first_sequence > head + 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the log holds entries from ", records.front().first_sequence,
          " on and this ledger ends at ", head,
          ": the records between were pruned; join again from a checkpoint "
          "of another node (cradled --join-from)"));
    }
    for (const LogRecord& r : records) {
      if (absl::Status s = ApplyRecord(r); !s.ok()) {
        if (absl::IsDataLoss(s)) Halt(s);
        return s;
      }
      applied += r.last_sequence - r.first_sequence + 1;
    }
  }
}

absl::StatusOr<Head> RocksDbLedger::Checkpoint(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  absl::MutexLock commit(&commit_mu_);  // no group lands meanwhile
  const Head head = GetHead();
  if (s.ok()) s = checkpoint->CreateCheckpoint(dir);
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("checkpoint into ", dir, ": ", s.ToString()));
  }
  return head;
}

absl::Status RocksDbLedger::ApplyRecord(const LogRecord& record) {
  const std::string where =
      absl::StrCat("log record of entries ", record.first_sequence, "..",
                   record.last_sequence, ": ");
  absl::StatusOr<LogBatch> batch = DecodeLogBatch(record.body);
  if (!batch.ok()) {
    return absl::DataLossError(absl::StrCat(where, batch.status().message()));
  }
  Group g;
  {
    absl::MutexLock lock(&mu_);
    g.head = head_;
    g.frontier = frontier_;
  }
  if (batch->first_sequence != record.first_sequence ||
      batch->last_sequence() != record.last_sequence) {
    return absl::DataLossError(absl::StrCat(where, "its batch holds entries ",
                                            batch->first_sequence, "..",
                                            batch->last_sequence()));
  }
  if (batch->first_sequence != g.head.sequence + 1 ||
      batch->prev_hash != g.head.hash) {
    return absl::DataLossError(absl::StrCat(
        where, "it does not follow this ledger, which ends at entry ",
        g.head.sequence, " (", HexHash(g.head.hash),
        "): the ledger and the log have diverged"));
  }
  g.now = batch->recorded;
  for (LogBatch::Append& a : batch->appends) {
    if (absl::Status s = ApplyAppend(&g, &a); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(where, s.message()));
    }
  }
  return WriteGroup(&g);
}

absl::Status RocksDbLedger::ApplyAppend(Group* g, LogBatch::Append* a) {
  AppendRequest req;
  req.stream = std::move(a->stream);
  req.expected_version = a->first_version - 1;
  req.entries = std::move(a->entries);
  req.mutations = std::move(a->mutations);
  req.idempotency_key = std::move(a->idempotency_key);
  if (absl::Status s = ValidateAppendRequest(req); !s.ok()) {
    return absl::DataLossError(s.message());
  }
  if (a->hashes.size() != req.entries.size()) {
    return absl::DataLossError("an append's hashes do not match its entries");
  }
  CRADLE_ASSIGN_OR_RETURN(uint64_t current,
                          GroupVersion(*g, req.stream, req.expected_version));
  if (current != req.expected_version) {
    return absl::DataLossError(absl::StrCat(
        "stream ", req.stream, " is at version ", current,
        " here, the log extends it from version ", req.expected_version));
  }
  return AddToGroup(g, &req, current, &a->hashes).status();
}

absl::Status RocksDbLedger::BecomeWriter() {
  absl::MutexLock commit(&commit_mu_);
  if (options_.log == nullptr) {
    return absl::FailedPreconditionError("this ledger follows no log");
  }
  {
    absl::MutexLock lock(&mu_);
    if (!write_error_.ok()) return write_error_;  // halted: never writes
  }
  // What a writer before left in the log unconfirmed becomes durable, or
  // this node never applies it.
  CRADLE_RETURN_IF_ERROR(options_.log->Settle().status());
  CRADLE_RETURN_IF_ERROR(CatchUpLocked().status());
  absl::MutexLock lock(&mu_);
  not_writer_ = absl::OkStatus();
  return absl::OkStatus();
}

absl::Status RocksDbLedger::MarkLogDurable() {
  if (options_.log == nullptr) {
    return absl::FailedPreconditionError("this ledger follows no log");
  }
  return options_.log->MarkDurable();
}

void RocksDbLedger::LearnLogDurable(uint64_t through) {
  if (options_.log != nullptr) options_.log->LearnDurable(through);
}

void RocksDbLedger::StepDown(absl::string_view reason) {
  absl::MutexLock lock(&mu_);
  not_writer_ = absl::UnavailableError(
      absl::StrCat("this node is not the writer: ", reason));
}

bool RocksDbLedger::IsWriter() const {
  absl::MutexLock lock(&mu_);
  return not_writer_.ok() && write_error_.ok();
}

absl::Status RocksDbLedger::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closing_ && !writer_.joinable()) return absl::OkStatus();
    closing_ = true;
    work_.SignalAll();
  }
  std::call_once(joined_, [this] {
    if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) {
      writer_.join();
    }
  });
  return absl::OkStatus();
}

std::unique_ptr<const LedgerReader> RocksDbLedger::Snapshot() const {
  return NewRocksDbReader(db_.get(), handles_, db_->GetSnapshot());
}

absl::StatusOr<Entry> RocksDbLedger::Read(uint64_t sequence) const {
  return live_->Read(sequence);
}
absl::StatusOr<std::vector<Entry>> RocksDbLedger::ReadStream(
    absl::string_view stream, uint64_t from_version, size_t limit) const {
  return live_->ReadStream(stream, from_version, limit);
}
absl::StatusOr<uint64_t> RocksDbLedger::StreamVersion(
    absl::string_view stream) const {
  return live_->StreamVersion(stream);
}
absl::StatusOr<std::vector<StreamInfo>> RocksDbLedger::ListStreams(
    absl::string_view start_after, size_t limit) const {
  return live_->ListStreams(start_after, limit);
}
absl::StatusOr<std::vector<Entry>> RocksDbLedger::Scan(uint64_t from_sequence,
                                                       size_t limit) const {
  return live_->Scan(from_sequence, limit);
}
absl::StatusOr<absl::optional<std::string>> RocksDbLedger::GetState(
    absl::string_view key) const {
  return live_->GetState(key);
}
absl::StatusOr<absl::optional<std::string>> RocksDbLedger::GetIndex(
    absl::string_view key) const {
  return live_->GetIndex(key);
}
absl::StatusOr<std::vector<KeyValue>> RocksDbLedger::ScanState(
    absl::string_view prefix, absl::string_view start_after,
    size_t limit) const {
  return live_->ScanState(prefix, start_after, limit);
}
absl::StatusOr<std::vector<KeyValue>> RocksDbLedger::ScanIndex(
    absl::string_view prefix, absl::string_view start_after,
    size_t limit) const {
  return live_->ScanIndex(prefix, start_after, limit);
}
absl::Status RocksDbLedger::ForEach(
    Table table, absl::string_view prefix,
    const std::function<bool(absl::string_view key, absl::string_view value)>&
        visit) const {
  return live_->ForEach(table, prefix, visit);
}
absl::StatusOr<std::vector<KeyValue>> RocksDbLedger::ScanIndexBackward(
    absl::string_view prefix, absl::string_view start_before,
    size_t limit) const {
  return live_->ScanIndexBackward(prefix, start_before, limit);
}
absl::StatusOr<absl::optional<std::string>> RocksDbLedger::LastIndexKey(
    absl::string_view prefix) const {
  return live_->LastIndexKey(prefix);
}

absl::StatusOr<uint64_t> RocksDbLedger::StreamVersionIfAt(
    absl::string_view stream, uint64_t expected) const {
  // Versions are dense (1..n): the stream is at `expected` when the version
  // after it is absent and `expected` itself is there. Two point reads, the
  // first usually answered by a bloom filter; anything else is the rare
  // conflict, which the exact (iterator) answer reports.
  auto has = [&](uint64_t version) -> absl::StatusOr<bool> {
    CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                            GetValue(db_.get(), handles_[kStreamsCf], nullptr,
                                     StreamKey(stream, version), "stream"));
    return value.has_value();
  };
  CRADLE_ASSIGN_OR_RETURN(bool next, has(expected + 1));
  if (!next) {
    if (expected == 0) return expected;
    CRADLE_ASSIGN_OR_RETURN(bool at, has(expected));
    if (at) return expected;
  }
  return StreamVersion(stream);
}

Head RocksDbLedger::GetHead() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

absl::StatusOr<absl::optional<AppendResult>> RocksDbLedger::FindIdempotent(
    absl::string_view idempotency_key) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> record,
                          GetValue(db_.get(), handles_[kIdempotencyCf], nullptr,
                                   idempotency_key, "idempotency key"));
  if (!record.has_value()) return absl::optional<AppendResult>();
  if (record->size() < 24) {
    return absl::DataLossError("idempotency record is malformed");
  }
  AppendResult replay;
  replay.first_sequence = DecodeSequenceKey(record->substr(0, 8));
  replay.stream_version = DecodeSequenceKey(record->substr(8, 8));
  const uint64_t count = DecodeSequenceKey(record->substr(16, 8));
  replay.stream = record->substr(24);
  replay.replayed = true;
  if (count > kMaxEntriesPerAppend) {
    return absl::DataLossError("idempotency record is malformed");
  }
  for (uint64_t i = 0; i < count; ++i) {
    CRADLE_ASSIGN_OR_RETURN(Entry e, Read(replay.first_sequence + i));
    replay.hashes.push_back(e.hash);
  }
  return absl::optional<AppendResult>(std::move(replay));
}

}  // namespace cradle::storage
