// RocksDbLedger's checks: the chain (Verify), the derived data's
// bookkeeping (VerifyDerived) and the storage itself (VerifyStorage).

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/numeric/int128.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "rocksdb/db.h"

#include "base/set_digest.h"
#include "base/status_macros.h"
#include "storage/entry_codec.h"
#include "storage/rocksdb_internal.h"
#include "storage/rocksdb_layout.h"
#include "storage/rocksdb_ledger.h"

namespace cradle::storage {
namespace {

// Marks `report` bad at `sequence` for `problem`; returns it.
VerifyReport Bad(VerifyReport* report, uint64_t sequence, std::string problem) {
  report->ok = false;
  report->first_bad = sequence;
  report->problem = std::move(problem);
  return *report;
}

// For a check's pass over a whole table: its blocks are read once, and
// caching them would only push out the blocks that writes and reads use.
rocksdb::ReadOptions PassOver(rocksdb::ReadOptions options = {}) {
  options.fill_cache = false;
  return options;
}

// What is wrong with entry `e`, read under sequence `expected`, after an
// entry that hashed to `prev`; empty when nothing is. On success `prev`
// becomes the entry's hash.
std::string ChainProblem(const Entry& e, uint64_t expected, std::string* prev) {
  if (e.sequence != expected) {
    return absl::StrCat("entry stored under sequence ", expected,
                        " says it is ", e.sequence);
  }
  if (e.prev_hash != *prev) {
    return absl::StrCat("previous hash ", HexHash(e.prev_hash),
                        " does not match entry ", expected - 1, "'s ",
                        HexHash(*prev));
  }
  std::string computed = ChainHash(*prev, CanonicalEntryBytes(e));
  if (computed != e.hash) {
    return absl::StrCat("content hashes to ", HexHash(computed),
                        ", stored hash is ", HexHash(e.hash));
  }
  *prev = std::move(computed);
  return std::string();
}

}  // namespace

absl::Status RocksDbLedger::ChainPass(
    uint64_t from, uint64_t to, VerifyReport* report,
    const std::function<absl::Status(std::vector<Entry>*)>& page) const {
  const Head head = GetHead();
  from = std::max<uint64_t>(from, 1);
  to = std::min(to, head.sequence);
  if (from > to) return absl::OkStatus();
  auto bad = [report](uint64_t sequence, std::string problem) {
    Bad(report, sequence, std::move(problem));
    return absl::OkStatus();
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
      db_->NewIterator(PassOver(), handles_[kEntriesCf]));
  std::vector<Entry> entries;
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
      return bad(expected,
                 key_sequence > expected
                     ? absl::StrCat("missing: the next entry is ", key_sequence)
                     : OutOfOrderMessage(expected, key_sequence));
    }
    absl::StatusOr<Entry> e = DecodeStoredEntry(
        absl::string_view(it->value().data(), it->value().size()));
    if (!e.ok()) return bad(expected, std::string(e.status().message()));
    if (std::string problem = ChainProblem(*e, expected, &prev);
        !problem.empty()) {
      return bad(expected, std::move(problem));
    }
    ++report->checked;
    ++expected;
    if (page != nullptr) {
      entries.push_back(*std::move(e));
      if (entries.size() == kScanPage || expected > to) {
        CRADLE_RETURN_IF_ERROR(page(&entries));
        entries.clear();
      }
    }
  }
  if (to == head.sequence && prev != head.hash) {
    return bad(to, "last entry does not hash to the ledger head");
  }
  return absl::OkStatus();
}

absl::StatusOr<VerifyReport> RocksDbLedger::Verify(uint64_t from,
                                                   uint64_t to) const {
  VerifyReport report;
  CRADLE_RETURN_IF_ERROR(ChainPass(from, to, &report, nullptr));
  return report;
}

// Each entry's key in its stream's index, and the Merkle nodes the entry
// completes.
class RocksDbLedger::DerivedCheck {
 public:
  // For entries from `from` on.
  static absl::StatusOr<DerivedCheck> Start(const RocksDbLedger& ledger,
                                            uint64_t from,
                                            VerifyReport* report) {
    absl::StatusOr<merkle::Frontier> frontier =
        merkle::Frontier::Restore(from - 1, ledger.Nodes());
    if (!frontier.ok()) {
      Bad(report, from,
          absl::StrCat("the Merkle tree before it cannot be read: ",
                       frontier.status().message()));
    }
    return DerivedCheck(
        ledger, from,
        frontier.ok() ? *std::move(frontier) : merkle::Frontier());
  }

  // The next entries; marks *report bad at the first that does not match
  // and checks nothing after it.
  absl::Status Check(absl::Span<const Entry> page, VerifyReport* report) {
    if (!report->ok) return absl::OkStatus();
    // The page's stream index keys in one batch.
    std::vector<std::string> stream_keys;
    stream_keys.reserve(page.size());
    for (const Entry& e : page) {
      stream_keys.push_back(StreamKey(e.stream, e.stream_version));
    }
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<absl::optional<std::string>> stream_values,
        GetValues(ledger_.db_.get(), ledger_.handles_[kStreamsCf], nullptr,
                  stream_keys, "stream index"));
    auto bad = [report](uint64_t sequence, std::string problem) {
      Bad(report, sequence, std::move(problem));
      return absl::OkStatus();
    };
    for (size_t i = 0; i < page.size(); ++i) {
      const Entry& e = page[i];
      if (e.sequence != next_) {
        return bad(next_,
                   absl::StrCat("entry ", next_, " is missing or says it is ",
                                e.sequence, ": the chain check names it"));
      }
      const absl::optional<std::string>& key = stream_values[i];
      if (!key.has_value()) {
        return bad(e.sequence, absl::StrCat("its key in the index of stream ",
                                            e.stream, " (version ",
                                            e.stream_version, ") is missing"));
      }
      if (*key != EncodeSequenceKey(e.sequence)) {
        return bad(e.sequence,
                   absl::StrCat("stream ", e.stream, " version ",
                                e.stream_version, " points at entry ",
                                key->size() == 8 ? DecodeSequenceKey(*key) : 0,
                                " instead"));
      }
      nodes_.clear();
      frontier_.Append(merkle::LeafHash(e.hash), &nodes_);
      for (const merkle::Frontier::Node& n : nodes_) {
        CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> stored,
                                StoredNode(n));
        if (!stored.has_value() || *stored != n.hash) {
          return bad(
              e.sequence,
              absl::StrCat("Merkle node (level ", n.level, ", index ", n.index,
                           ") ",
                           stored.has_value()
                               ? absl::StrCat("is ", HexHash(*stored),
                                              ", recomputed ", HexHash(n.hash))
                               : std::string("is missing")));
        }
      }
      ++report->checked;
      ++next_;
    }
    return absl::OkStatus();
  }

 private:
  DerivedCheck(const RocksDbLedger& ledger, uint64_t from,
               merkle::Frontier frontier)
      : ledger_(ledger), next_(from), frontier_(std::move(frontier)) {}

  // Completed nodes come in index order within each level: one iterator per
  // level reads them in sequence instead of a point read each.
  absl::StatusOr<absl::optional<std::string>> StoredNode(
      const merkle::Frontier::Node& n) {
    if (levels_.size() <= static_cast<size_t>(n.level))
      levels_.resize(n.level + 1);
    std::unique_ptr<rocksdb::Iterator>& it = levels_[n.level];
    const std::string key = MerkleKey(n.level, n.index);
    if (it == nullptr) {
      it.reset(
          ledger_.db_->NewIterator(PassOver(), ledger_.handles_[kMerkleCf]));
      it->Seek(key);
    }
    while (it->Valid() && it->key().compare(key) < 0) it->Next();
    if (!it->status().ok()) return FromRocks(it->status(), "reading Merkle");
    if (!it->Valid() || it->key() != rocksdb::Slice(key)) {
      return absl::optional<std::string>();
    }
    return absl::optional<std::string>(it->value().ToString());
  }

  const RocksDbLedger& ledger_;
  uint64_t next_;  // the sequence the next entry must have
  merkle::Frontier frontier_;
  std::vector<merkle::Frontier::Node> nodes_;
  std::vector<std::unique_ptr<rocksdb::Iterator>> levels_;
};

absl::StatusOr<VerifyReport> RocksDbLedger::VerifyDerived(uint64_t from,
                                                          uint64_t to) const {
  VerifyReport report;
  from = std::max<uint64_t>(from, 1);
  to = std::min(to, GetHead().sequence);
  if (from > to) return report;
  CRADLE_ASSIGN_OR_RETURN(DerivedCheck check,
                          DerivedCheck::Start(*this, from, &report));
  for (uint64_t next = from; next <= to && report.ok;) {
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<Entry> page,
        Scan(next, std::min<uint64_t>(kScanPage, to - next + 1)));
    if (page.empty()) {
      Bad(&report, next, "missing: the chain check names it");
      break;
    }
    CRADLE_RETURN_IF_ERROR(check.Check(page, &report));
    next = page.back().sequence + 1;
  }
  return report;
}

absl::StatusOr<VerifyReport> RocksDbLedger::VerifyEntries(
    uint64_t from, uint64_t to, const EntryPages& visit) const {
  VerifyReport chain, derived;
  from = std::max<uint64_t>(from, 1);
  to = std::min(to, GetHead().sequence);
  if (from > to) return chain;
  CRADLE_ASSIGN_OR_RETURN(DerivedCheck check,
                          DerivedCheck::Start(*this, from, &derived));
  CRADLE_RETURN_IF_ERROR(
      ChainPass(from, to, &chain, [&](std::vector<Entry>* page) {
        // Once the derived data is found wrong, only the chain goes on: a
        // problem in it is named first, as when the two run apart.
        if (!derived.ok) return absl::OkStatus();
        CRADLE_RETURN_IF_ERROR(check.Check(*page, &derived));
        if (!derived.ok || visit == nullptr) return absl::OkStatus();
        return visit(page);
      }));
  if (!chain.ok || derived.ok) return chain;
  derived.checked = chain.checked;
  return derived;
}

namespace {

// VerifyStorage's checks of one table each, read at `at` against the
// snapshot's last entry `head`. Each counts what it read in
// report->checked and marks the report bad at the first thing wrong; a
// read that fails is its status.

// The stream index: VerifyDerived finds each entry's key; as many keys as
// entries means there is no other.
absl::Status CheckStreamIndex(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                              const rocksdb::ReadOptions& at, const Head& head,
                              VerifyReport* report) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(at, cf));
  uint64_t keys = 0;
  std::string stray;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++keys;
    if (stray.empty() && (it->value().size() != 8 ||
                          DecodeSequenceKey(absl::string_view(
                              it->value().data(), 8)) > head.sequence)) {
      stray = absl::CHexEscape(it->key().ToString());
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading streams");
  report->checked += keys;
  if (!stray.empty()) {
    Bad(report, head.sequence,
        absl::StrCat("stream index key \"", stray,
                     "\" points past the last entry"));
  } else if (keys != head.sequence) {
    Bad(report, head.sequence,
        absl::StrCat("the stream index holds ", keys, " keys for ",
                     head.sequence, " entries"));
  }
  return absl::OkStatus();
}

// Merkle nodes: a tree of n leaves has 2n - popcount(n) perfect subtrees,
// each inside the first n leaves.
absl::Status CheckMerkleNodes(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                              const rocksdb::ReadOptions& at, const Head& head,
                              VerifyReport* report) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(at, cf));
  uint64_t nodes = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++nodes;
    const rocksdb::Slice k = it->key();
    const int level = k.size() == 9 ? static_cast<uint8_t>(k[0]) : -1;
    const uint64_t index =
        k.size() == 9 ? DecodeSequenceKey(absl::string_view(k.data() + 1, 8))
                      : 0;
    if (level < 0 || level >= 64 || index >= (head.sequence >> level)) {
      Bad(report, head.sequence,
          absl::StrCat("Merkle node \"", absl::CHexEscape(k.ToString()),
                       "\" is outside the tree of ", head.sequence,
                       " entries"));
      return absl::OkStatus();
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading Merkle");
  report->checked += nodes;
  const uint64_t expected =
      2 * head.sequence -
      static_cast<uint64_t>(__builtin_popcountll(head.sequence));
  if (nodes != expected) {
    Bad(report, head.sequence,
        absl::StrCat("the Merkle tree holds ", nodes, " nodes; ", head.sequence,
                     " entries make ", expected));
  }
  return absl::OkStatus();
}

// Idempotency records. The record of an append of `count` entries to
// `stream` holds its first entry's sequence, the stream's version after it
// and `count`: it claims that entry first + count - 1 is that version of the
// stream, and entry `first` the version count - 1 before it.
struct IdempotencyRecord {
  uint64_t first = 0, version = 0, count = 0;
  absl::string_view stream;  // points into the record's value
  bool formed = false;       // whole, and naming entries up to the head
};

IdempotencyRecord ParseIdempotencyRecord(absl::string_view value,
                                         uint64_t head) {
  IdempotencyRecord r;
  const bool sized = value.size() >= 24;
  r.first = sized ? DecodeSequenceKey(value.substr(0, 8)) : 0;
  r.version = sized ? DecodeSequenceKey(value.substr(8, 8)) : 0;
  r.count = sized ? DecodeSequenceKey(value.substr(16, 8)) : 0;
  r.stream = sized ? value.substr(24) : absl::string_view();
  r.formed = sized && r.first != 0 && r.count != 0 &&
             r.count <= kMaxEntriesPerAppend && r.count <= r.version &&
             r.first + r.count - 1 <= head;
  return r;
}

// Reads the two entries each record names, in batches of kScanPage records
// in key order, and marks the report bad at the first record they do not
// match. Exact, and a random read per record: what names a record once
// IdempotencyClaimsHold has found that one is wrong.
absl::Status NameBadIdempotencyRecord(rocksdb::DB* db,
                                      rocksdb::ColumnFamilyHandle* cf,
                                      rocksdb::ColumnFamilyHandle* entries,
                                      const rocksdb::Snapshot* snapshot,
                                      const Head& head, VerifyReport* report) {
  // Marks the report bad at the first record of `batch` that does not
  // match its entries; false when one does not.
  auto check =
      [&](const std::vector<KeyValue>& stored) -> absl::StatusOr<bool> {
    std::vector<IdempotencyRecord> batch;
    batch.reserve(stored.size());
    for (const KeyValue& kv : stored) {
      batch.push_back(ParseIdempotencyRecord(kv.value, head.sequence));
    }
    std::vector<uint64_t> sequences;
    for (const IdempotencyRecord& r : batch) {
      if (!r.formed) continue;
      sequences.push_back(r.first);
      sequences.push_back(r.first + r.count - 1);
    }
    std::sort(sequences.begin(), sequences.end());
    sequences.erase(std::unique(sequences.begin(), sequences.end()),
                    sequences.end());
    std::vector<std::string> keys;
    keys.reserve(sequences.size());
    for (uint64_t s : sequences) keys.push_back(EncodeSequenceKey(s));
    CRADLE_ASSIGN_OR_RETURN(std::vector<absl::optional<std::string>> values,
                            GetValues(db, entries, snapshot, keys, "entries"));
    auto entry = [&](uint64_t sequence) -> absl::optional<EntryHeader> {
      const size_t i =
          std::lower_bound(sequences.begin(), sequences.end(), sequence) -
          sequences.begin();
      if (!values[i].has_value()) return absl::nullopt;
      return DecodeEntryHeader(*values[i]);
    };
    for (size_t i = 0; i < batch.size(); ++i) {
      const IdempotencyRecord& r = batch[i];
      std::string problem;
      if (!r.formed) {
        problem = "is malformed or points past the last entry";
      } else {
        const absl::optional<EntryHeader> begin = entry(r.first);
        const absl::optional<EntryHeader> last = entry(r.first + r.count - 1);
        if (!last.has_value() || !begin.has_value() ||
            last->stream != r.stream || begin->stream != r.stream ||
            last->stream_version != r.version ||
            begin->stream_version != r.version - r.count + 1) {
          problem =
              absl::StrCat("does not match entries ", r.first, "..",
                           r.first + r.count - 1, " of stream ", r.stream);
        }
      }
      if (!problem.empty()) {
        Bad(report, r.first,
            absl::StrCat("idempotency record \"",
                         absl::CHexEscape(stored[i].key), "\" ", problem));
        return false;
      }
    }
    return true;
  };
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ReadAt(snapshot), cf));
  std::vector<KeyValue> batch;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++report->checked;
    batch.push_back(KeyValue{it->key().ToString(), it->value().ToString()});
    if (batch.size() == kScanPage) {
      CRADLE_ASSIGN_OR_RETURN(bool good, check(batch));
      if (!good) return absl::OkStatus();
      batch.clear();
    }
  }
  if (!it->status().ok()) {
    return FromRocks(it->status(), "reading idempotency records");
  }
  CRADLE_ASSIGN_OR_RETURN(bool good, check(batch));
  (void)good;  // the report says
  return absl::OkStatus();
}

// Whether every idempotency record is well formed and every claim it makes
// holds, checked against one scan of the entries in sequence order instead
// of a read per record. Each claim is kept as its sequence and a 64-bit hash
// of the stream and version it names, keyed at random for this check
// (base/set_digest.h's PairHasher: a wrong claim passes with probability
// 2^-64), and the claims are met in sequence order as the entries pass. When
// more than `max_claims` fall in one pass, the pass keeps the lower
// sequences and the records are read again for the rest. `records`: how
// many there are.
absl::StatusOr<bool> IdempotencyClaimsHold(rocksdb::DB* db,
                                           rocksdb::ColumnFamilyHandle* cf,
                                           rocksdb::ColumnFamilyHandle* entries,
                                           const rocksdb::ReadOptions& at,
                                           const Head& head, size_t max_claims,
                                           uint64_t* records) {
  struct Claim {
    uint64_t sequence;
    uint64_t hash;
  };
  auto by_sequence = [](const Claim& a, const Claim& b) {
    return a.sequence < b.sequence;
  };
  const PairHasher hasher;
  auto hash_of = [&](absl::string_view stream, uint64_t version) {
    return absl::Uint128Low64(hasher(stream, EncodeSequenceKey(version)));
  };
  std::vector<Claim> claims;
  uint64_t from = 1;
  for (bool first_pass = true; first_pass || from <= head.sequence;
       first_pass = false) {
    // This pass: the claims on entries from..to.
    uint64_t to = head.sequence;
    claims.clear();
    auto keep = [&](uint64_t sequence, absl::string_view stream,
                    uint64_t version) {
      if (sequence < from || sequence > to) return;
      claims.push_back(Claim{sequence, hash_of(stream, version)});
      if (claims.size() < std::max<size_t>(max_claims, 2)) return;
      // Keep the lower half of the sequences; the next pass takes the rest.
      auto half = claims.begin() + claims.size() / 2;
      std::nth_element(claims.begin(), half, claims.end(), by_sequence);
      to = half->sequence - 1;
      claims.erase(
          std::remove_if(claims.begin(), claims.end(),
                         [&](const Claim& c) { return c.sequence > to; }),
          claims.end());
    };
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(at, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (first_pass) ++*records;
      const absl::string_view value(it->value().data(), it->value().size());
      const IdempotencyRecord r = ParseIdempotencyRecord(value, head.sequence);
      if (!r.formed) return false;
      keep(r.first + r.count - 1, r.stream, r.version);
      if (r.count > 1) keep(r.first, r.stream, r.version - r.count + 1);
      // More claims on one entry than one pass holds: no append makes two.
      if (to < from) return false;
    }
    if (!it->status().ok()) {
      return FromRocks(it->status(), "reading idempotency records");
    }
    if (claims.empty()) break;
    std::sort(claims.begin(), claims.end(), by_sequence);
    std::unique_ptr<rocksdb::Iterator> e(db->NewIterator(at, entries));
    e->Seek(EncodeSequenceKey(claims.front().sequence));
    for (size_t i = 0; i < claims.size();) {
      const uint64_t sequence = claims[i].sequence;
      while (e->Valid() && DecodeSequenceKey(absl::string_view(
                               e->key().data(), e->key().size())) < sequence) {
        e->Next();
      }
      if (!e->status().ok()) return FromRocks(e->status(), "reading entries");
      if (!e->Valid() || e->key().size() != 8 ||
          DecodeSequenceKey(absl::string_view(e->key().data(), 8)) !=
              sequence) {
        return false;  // the entry a record names is missing
      }
      const absl::optional<EntryHeader> header = DecodeEntryHeader(
          absl::string_view(e->value().data(), e->value().size()));
      if (!header.has_value()) return false;
      const uint64_t hash = hash_of(header->stream, header->stream_version);
      for (; i < claims.size() && claims[i].sequence == sequence; ++i) {
        if (claims[i].hash != hash) return false;
      }
    }
    from = to + 1;
  }
  return true;
}

// Idempotency records: each names entries of its own stream. Checked in
// one scan of the entries; only when that finds something wrong are the
// records read one by one to name it.
absl::Status CheckIdempotency(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                              rocksdb::ColumnFamilyHandle* entries,
                              const rocksdb::Snapshot* snapshot,
                              const Head& head, size_t max_claims,
                              VerifyReport* report) {
  uint64_t records = 0;
  CRADLE_ASSIGN_OR_RETURN(
      bool hold, IdempotencyClaimsHold(db, cf, entries, ReadAt(snapshot), head,
                                       max_claims, &records));
  if (hold) {
    report->checked += records;
    return absl::OkStatus();
  }
  return NameBadIdempotencyRecord(db, cf, entries, snapshot, head, report);
}

// The head record, against the last entry and the Merkle root. No record
// at all is a ledger written before head records, opened read-only (any
// other open writes one).
absl::Status CheckHeadRecord(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
    const rocksdb::Snapshot* snapshot, const Head& head, VerifyReport* report) {
  if (head.sequence == 0) return absl::OkStatus();
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                          GetValue(db, handles[kMetaCf], snapshot,
                                   kHeadRecordKey, "the head record"));
  if (!value.has_value()) return absl::OkStatus();
  const absl::optional<HeadRecord> record = DecodeHeadRecord(*value);
  absl::StatusOr<std::string> root = merkle::RootHash(
      head.sequence,
      [&](int level, uint64_t index) -> absl::StatusOr<std::string> {
        CRADLE_ASSIGN_OR_RETURN(
            absl::optional<std::string> node,
            GetValue(db, handles[kMerkleCf], snapshot, MerkleKey(level, index),
                     "a Merkle node"));
        if (!node.has_value()) return absl::DataLossError("missing");
        return *std::move(node);
      });
  if (!record.has_value() || record->size != head.sequence ||
      record->hash != head.hash || !root.ok() || record->root != *root) {
    Bad(report, head.sequence,
        "the head record does not match the last entry and the Merkle root");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VerifyReport> RocksDbLedger::VerifyStorage() const {
  VerifyReport report;
  // Every block of every table file against its checksum.
  if (rocksdb::Status s = db_->VerifyChecksum(); !s.ok()) {
    Bad(&report, 0,
        absl::StrCat("a table file fails its checksum: ", s.ToString()));
    return report;
  }
  // Everything else from one snapshot, so that appends meanwhile change
  // nothing it counts: the head is the snapshot's last entry.
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  // Holds the snapshot for the checks below and releases it.
  const std::unique_ptr<LedgerReader> holder =
      NewRocksDbReader(db_.get(), handles_, snapshot);
  const rocksdb::ReadOptions at = PassOver(ReadAt(snapshot));
  Head head{0, ZeroHash()};
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(at, handles_[kEntriesCf]));
    it->SeekToLast();
    if (!it->status().ok()) return FromRocks(it->status(), "reading entries");
    if (it->Valid()) {
      CRADLE_ASSIGN_OR_RETURN(
          Entry last, DecodeStoredEntry(absl::string_view(it->value().data(),
                                                          it->value().size())));
      head = Head{last.sequence, last.hash};
    }
  }
  CRADLE_RETURN_IF_ERROR(
      CheckStreamIndex(db_.get(), handles_[kStreamsCf], at, head, &report));
  if (!report.ok) return report;
  CRADLE_RETURN_IF_ERROR(
      CheckMerkleNodes(db_.get(), handles_[kMerkleCf], at, head, &report));
  if (!report.ok) return report;
  CRADLE_RETURN_IF_ERROR(CheckIdempotency(
      db_.get(), handles_[kIdempotencyCf], handles_[kEntriesCf], snapshot, head,
      options_.verify_claims_in_memory, &report));
  if (!report.ok) return report;
  CRADLE_RETURN_IF_ERROR(
      CheckHeadRecord(db_.get(), handles_, snapshot, head, &report));
  return report;
}

}  // namespace cradle::storage
