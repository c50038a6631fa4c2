#include "storage/rocksdb_internal.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "storage/entry_codec.h"
#include "storage/rocksdb_layout.h"

namespace cradle::storage {

std::string EncodeHeadRecord(uint64_t size, absl::string_view hash,
                             absl::string_view root) {
  return absl::StrCat(EncodeSequenceKey(size), hash, root);
}

absl::optional<HeadRecord> DecodeHeadRecord(absl::string_view value) {
  if (value.size() != 8 + 2 * kHashBytes) return absl::nullopt;
  HeadRecord r;
  r.size = DecodeSequenceKey(value.substr(0, 8));
  r.hash = std::string(value.substr(8, kHashBytes));
  r.root = std::string(value.substr(8 + kHashBytes));
  return r;
}

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

rocksdb::ReadOptions ReadAt(const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  return options;
}

absl::StatusOr<absl::optional<std::string>> GetValue(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
    const rocksdb::Snapshot* snapshot, absl::string_view key,
    absl::string_view what) {
  std::string value;
  rocksdb::Status s = db->Get(ReadAt(snapshot), cf,
                              rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return absl::optional<std::string>();
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading ", what));
  return absl::optional<std::string>(std::move(value));
}

absl::StatusOr<std::vector<absl::optional<std::string>>> GetValues(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
    const rocksdb::Snapshot* snapshot, const std::vector<std::string>& keys,
    absl::string_view what) {
  // order[i]: the index in `keys` of the i-th key in key order.
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (!std::is_sorted(keys.begin(), keys.end())) {
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  }
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (size_t i : order) slices.emplace_back(keys[i]);
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db->MultiGet(ReadAt(snapshot), cf, keys.size(), slices.data(), values.data(),
               statuses.data(), /*sorted_input=*/true);
  std::vector<absl::optional<std::string>> out(keys.size());
  for (size_t i = 0; i < order.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) {
      return FromRocks(statuses[i], absl::StrCat("reading ", what));
    }
    out[order[i]] = values[i].ToString();
  }
  return out;
}

absl::StatusOr<std::vector<KeyValue>> ScanFamily(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
    const rocksdb::Snapshot* snapshot, absl::string_view prefix,
    absl::string_view start_after, size_t limit, absl::string_view what) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ReadAt(snapshot), cf));
  const rocksdb::Slice p(prefix.data(), prefix.size());
  if (start_after.empty() || start_after < prefix) {
    it->Seek(p);
  } else {
    const rocksdb::Slice after(start_after.data(), start_after.size());
    it->Seek(after);
    if (it->Valid() && it->key() == after) it->Next();
  }
  std::vector<KeyValue> out;
  for (; it->Valid() && it->key().starts_with(p) && out.size() < limit;
       it->Next()) {
    out.push_back(KeyValue{it->key().ToString(), it->value().ToString()});
  }
  if (!it->status().ok()) {
    return FromRocks(it->status(), absl::StrCat("scanning ", what));
  }
  return out;
}

std::string JoinProblems(const std::vector<std::string>& problems) {
  std::string out;
  for (size_t i = 0; i < problems.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : "; ", problems[i]);
  }
  return out;
}

namespace {

// A key after every key with `prefix`: keys are at most kMaxDerivedKeyBytes
// long, so each sorts before prefix + 0xff...
std::string PastPrefix(absl::string_view prefix) {
  return absl::StrCat(prefix, std::string(kMaxDerivedKeyBytes, '\xff'));
}

// ListStreams steps over at most this many keys of a stream before it
// seeks to the stream's last.
constexpr int kStepsBeforeSeeking = 16;

class RocksDbReader final : public LedgerReader {
 public:
  RocksDbReader(rocksdb::DB* db,
                const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                const rocksdb::Snapshot* snapshot)
      : db_(db), handles_(handles), snapshot_(snapshot) {}
  ~RocksDbReader() override {
    if (snapshot_ != nullptr) db_->ReleaseSnapshot(snapshot_);
  }

  absl::StatusOr<Entry> Read(uint64_t sequence) const override {
    CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                            GetValue(db_, handles_[kEntriesCf], snapshot_,
                                     EncodeSequenceKey(sequence),
                                     absl::StrCat("entry ", sequence)));
    if (!value.has_value()) {
      return absl::NotFoundError(
          absl::StrCat("no ledger entry has sequence ", sequence));
    }
    return DecodeStoredEntry(*value);
  }

  absl::StatusOr<std::vector<Entry>> ReadStream(absl::string_view stream,
                                                uint64_t from_version,
                                                size_t limit) const override {
    const std::string prefix = absl::StrCat(stream, absl::string_view("\0", 1));
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(ReadAt(snapshot_), handles_[kStreamsCf]));
    // The stream's sequences first, then its entries in one batch: they
    // ascend with the versions.
    std::vector<std::string> sequences;
    for (it->Seek(StreamKey(stream, std::max<uint64_t>(from_version, 1)));
         it->Valid() && it->key().starts_with(prefix) &&
         sequences.size() < limit;
         it->Next()) {
      if (it->value().size() != 8) {
        return absl::DataLossError(absl::StrCat("the stream index of ", stream,
                                                " holds a malformed sequence"));
      }
      sequences.push_back(it->value().ToString());
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading stream");
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<absl::optional<std::string>> values,
        GetValues(db_, handles_[kEntriesCf], snapshot_, sequences,
                  absl::StrCat("the entries of stream ", stream)));
    std::vector<Entry> out;
    out.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      if (!values[i].has_value()) {
        return absl::NotFoundError(absl::StrCat(
            "no ledger entry has sequence ", DecodeSequenceKey(sequences[i])));
      }
      CRADLE_ASSIGN_OR_RETURN(Entry e, DecodeStoredEntry(*values[i]));
      out.push_back(std::move(e));
    }
    if (out.empty()) {
      CRADLE_ASSIGN_OR_RETURN(uint64_t version, StreamVersion(stream));
      if (version == 0) {
        return absl::NotFoundError(absl::StrCat("no stream ", stream));
      }
    }
    return out;
  }

  absl::StatusOr<uint64_t> StreamVersion(
      absl::string_view stream) const override {
    const std::string prefix = absl::StrCat(stream, absl::string_view("\0", 1));
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(ReadAt(snapshot_), handles_[kStreamsCf]));
    it->SeekForPrev(StreamKey(stream, ~uint64_t{0}));
    if (!it->status().ok()) return FromRocks(it->status(), "reading stream");
    if (!it->Valid() || !it->key().starts_with(prefix) ||
        it->key().size() != prefix.size() + 8) {
      return 0;
    }
    return DecodeSequenceKey(
        absl::string_view(it->key().data() + prefix.size(), 8));
  }

  absl::StatusOr<std::vector<StreamInfo>> ListStreams(
      absl::string_view start_after, size_t limit) const override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(ReadAt(snapshot_), handles_[kStreamsCf]));
    // A stream's keys sort together; past its last one starts the next.
    if (start_after.empty()) {
      it->SeekToFirst();
    } else {
      it->Seek(StreamKey(start_after, ~uint64_t{0}));
    }
    // The version in a key of `stream`'s, or 0 when the key is another's.
    auto version_of = [](const rocksdb::Slice& key,
                         absl::string_view stream) -> uint64_t {
      if (key.size() != stream.size() + 9 || key[stream.size()] != '\0' ||
          !key.starts_with(rocksdb::Slice(stream.data(), stream.size()))) {
        return 0;
      }
      return DecodeSequenceKey(
          absl::string_view(key.data() + stream.size() + 1, 8));
    };
    std::vector<StreamInfo> out;
    while (it->Valid() && out.size() < limit) {
      const absl::string_view key(it->key().data(), it->key().size());
      const size_t nul = key.find('\0');
      if (nul == absl::string_view::npos || key.size() != nul + 9) {
        return absl::DataLossError(absl::StrCat("malformed stream index key (",
                                                key.size(), " bytes)"));
      }
      StreamInfo info{std::string(key.substr(0, nul)),
                      version_of(it->key(), key.substr(0, nul))};
      // Most streams hold a few keys: stepping over them costs less than
      // seeking back from past the stream, which a long one is left to.
      it->Next();
      for (int step = 0; step < kStepsBeforeSeeking && it->Valid(); ++step) {
        const uint64_t v = version_of(it->key(), info.stream);
        if (v == 0) break;
        info.version = v;
        it->Next();
      }
      if (it->Valid() && version_of(it->key(), info.stream) != 0) {
        it->SeekForPrev(StreamKey(info.stream, ~uint64_t{0}));
        if (!it->Valid()) break;
        info.version = version_of(it->key(), info.stream);
        it->Next();
      }
      out.push_back(std::move(info));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "listing streams");
    return out;
  }

  absl::StatusOr<std::vector<Entry>> Scan(uint64_t from_sequence,
                                          size_t limit) const override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(ReadAt(snapshot_), handles_[kEntriesCf]));
    std::vector<Entry> out;
    for (it->Seek(EncodeSequenceKey(from_sequence));
         it->Valid() && out.size() < limit; it->Next()) {
      CRADLE_ASSIGN_OR_RETURN(
          Entry e, DecodeStoredEntry(absl::string_view(it->value().data(),
                                                       it->value().size())));
      out.push_back(std::move(e));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning entries");
    return out;
  }

  absl::StatusOr<absl::optional<std::string>> GetState(
      absl::string_view key) const override {
    return GetValue(db_, handles_[kStateCf], snapshot_, key, "state");
  }
  absl::StatusOr<absl::optional<std::string>> GetIndex(
      absl::string_view key) const override {
    return GetValue(db_, handles_[kIndexCf], snapshot_, key, "index");
  }
  absl::StatusOr<std::vector<KeyValue>> ScanState(absl::string_view prefix,
                                                  absl::string_view start_after,
                                                  size_t limit) const override {
    return ScanFamily(db_, handles_[kStateCf], snapshot_, prefix, start_after,
                      limit, "state");
  }
  absl::StatusOr<std::vector<KeyValue>> ScanIndex(absl::string_view prefix,
                                                  absl::string_view start_after,
                                                  size_t limit) const override {
    return ScanFamily(db_, handles_[kIndexCf], snapshot_, prefix, start_after,
                      limit, "index");
  }

  absl::Status ForEach(
      Table table, absl::string_view prefix,
      const std::function<bool(absl::string_view key, absl::string_view value)>&
          visit) const override {
    const bool state = table == Table::kState;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(
        ReadAt(snapshot_), handles_[state ? kStateCf : kIndexCf]));
    const rocksdb::Slice p(prefix.data(), prefix.size());
    for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
      if (!visit(absl::string_view(it->key().data(), it->key().size()),
                 absl::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
    if (!it->status().ok()) {
      return FromRocks(it->status(),
                       state ? "scanning state" : "scanning index");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<KeyValue>> ScanIndexBackward(
      absl::string_view prefix, absl::string_view start_before,
      size_t limit) const override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(ReadAt(snapshot_), handles_[kIndexCf]));
    const rocksdb::Slice p(prefix.data(), prefix.size());
    if (start_before.empty() || !absl::StartsWith(start_before, prefix)) {
      it->SeekForPrev(PastPrefix(prefix));
    } else {
      const rocksdb::Slice before(start_before.data(), start_before.size());
      it->SeekForPrev(before);
      if (it->Valid() && it->key() == before) it->Prev();
    }
    std::vector<KeyValue> out;
    for (; it->Valid() && it->key().starts_with(p) && out.size() < limit;
         it->Prev()) {
      out.push_back(KeyValue{it->key().ToString(), it->value().ToString()});
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning index");
    return out;
  }

  absl::StatusOr<absl::optional<std::string>> LastIndexKey(
      absl::string_view prefix) const override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(ReadAt(snapshot_), handles_[kIndexCf]));
    it->SeekForPrev(PastPrefix(prefix));
    if (!it->status().ok()) return FromRocks(it->status(), "scanning index");
    if (!it->Valid() ||
        !it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) {
      return absl::optional<std::string>();
    }
    return absl::optional<std::string>(it->key().ToString());
  }

 private:
  rocksdb::DB* const db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles_;
  const rocksdb::Snapshot* const snapshot_;
};

}  // namespace

std::unique_ptr<LedgerReader> NewRocksDbReader(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
    const rocksdb::Snapshot* snapshot) {
  return std::make_unique<RocksDbReader>(db, handles, snapshot);
}

}  // namespace cradle::storage
