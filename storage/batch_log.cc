#include "storage/batch_log.h"

#include <utility>

#include "absl/strings/str_cat.h"

#include "storage/byte_codec.h"

namespace cradle::storage {
namespace {

using bytes::PutBytes;
using bytes::PutU32;
using bytes::PutU64;
using bytes::PutU8;

constexpr absl::string_view kMagic = "CRB1";

enum : uint8_t { kPut = 0, kDelete = 1, kAdd = 2 };

void PutMutation(std::string* out, const Mutation& m) {
  PutU8(out, m.table == Table::kState ? 0 : 1);
  if (m.counter || m.add != 0) {
    PutU8(out, kAdd);
    PutBytes(out, m.key);
    PutU64(out, static_cast<uint64_t>(m.add));
  } else if (m.value.has_value()) {
    PutU8(out, kPut);
    PutBytes(out, m.key);
    PutBytes(out, *m.value);
  } else {
    PutU8(out, kDelete);
    PutBytes(out, m.key);
  }
}

bool ReadMutation(bytes::Reader* r, Mutation* m) {
  uint8_t table, kind;
  std::string key;
  if (!r->U8(&table) || table > 1 || !r->U8(&kind) || !r->Bytes(&key)) {
    return false;
  }
  const Table t = table == 0 ? Table::kState : Table::kIndex;
  switch (kind) {
    case kPut: {
      std::string value;
      if (!r->Bytes(&value)) return false;
      *m = Mutation::Put(t, std::move(key), std::move(value));
      return true;
    }
    case kDelete:
      *m = Mutation::Delete(t, std::move(key));
      return true;
    case kAdd: {
      uint64_t delta;
      if (!r->U64(&delta)) return false;
      *m = Mutation::Add(t, std::move(key), static_cast<int64_t>(delta));
      return true;
    }
  }
  return false;
}

// Counts are never used to reserve: a damaged count runs out of bytes.
bool ReadAppend(bytes::Reader* r, LogBatch::Append* a) {
  uint32_t entries, mutations;
  if (!r->Bytes(&a->stream) || !r->U64(&a->first_version) ||
      a->first_version == 0 || !r->Bytes(&a->idempotency_key) ||
      !r->U32(&entries) || entries == 0) {
    return false;
  }
  for (uint32_t i = 0; i < entries; ++i) {
    NewEntry e;
    std::string hash;
    if (!r->Bytes(&e.type) || !r->Bytes(&e.actor) || !r->Bytes(&e.payload) ||
        !r->Raw(kHashBytes, &hash)) {
      return false;
    }
    a->entries.push_back(std::move(e));
    a->hashes.push_back(std::move(hash));
  }
  if (!r->U32(&mutations)) return false;
  for (uint32_t i = 0; i < mutations; ++i) {
    Mutation m;
    if (!ReadMutation(r, &m)) return false;
    a->mutations.push_back(std::move(m));
  }
  return true;
}

}  // namespace

uint64_t LogBatch::last_sequence() const {
  uint64_t n = 0;
  for (const Append& a : appends) n += a.entries.size();
  return first_sequence + n - 1;
}

std::string EncodeLogBatch(const LogBatch& batch) {
  std::string out(kMagic);
  PutU64(&out, batch.first_sequence);
  out.append(batch.prev_hash);
  PutU64(&out, static_cast<uint64_t>(absl::ToUnixMicros(batch.recorded)));
  PutU32(&out, static_cast<uint32_t>(batch.appends.size()));
  for (const LogBatch::Append& a : batch.appends) {
    PutBytes(&out, a.stream);
    PutU64(&out, a.first_version);
    PutBytes(&out, a.idempotency_key);
    PutU32(&out, static_cast<uint32_t>(a.entries.size()));
    for (size_t i = 0; i < a.entries.size(); ++i) {
      PutBytes(&out, a.entries[i].type);
      PutBytes(&out, a.entries[i].actor);
      PutBytes(&out, a.entries[i].payload);
      out.append(a.hashes[i]);
    }
    PutU32(&out, static_cast<uint32_t>(a.mutations.size()));
    for (const Mutation& m : a.mutations) PutMutation(&out, m);
  }
  return out;
}

absl::StatusOr<LogBatch> DecodeLogBatch(absl::string_view in) {
  LogBatch batch;
  bytes::Reader r(in);
  std::string magic;
  uint64_t micros = 0;
  uint32_t appends = 0;
  bool ok = r.Raw(kMagic.size(), &magic) && magic == kMagic &&
            r.U64(&batch.first_sequence) && batch.first_sequence > 0 &&
            r.Raw(kHashBytes, &batch.prev_hash) && r.U64(&micros) &&
            r.U32(&appends) && appends > 0;
  for (uint32_t i = 0; ok && i < appends; ++i) {
    LogBatch::Append a;
    ok = ReadAppend(&r, &a);
    batch.appends.push_back(std::move(a));
  }
  if (!ok || !r.empty()) {
    return absl::DataLossError(
        absl::StrCat("log batch is malformed (", in.size(), " bytes, append ",
                     batch.appends.size(), " of ", appends, ")"));
  }
  batch.recorded = absl::FromUnixMicros(static_cast<int64_t>(micros));
  return batch;
}

absl::Status MemoryBatchLog::Append(const LogRecord& record) {
  absl::MutexLock lock(&mu_);
  const uint64_t last = records_.empty() ? 0 : records_.back().last_sequence;
  if (record.first_sequence != last + 1 ||
      record.last_sequence < record.first_sequence) {
    return absl::FailedPreconditionError(absl::StrCat(
        "fenced: the log ends at entry ", last, ", a record of entries ",
        record.first_sequence, "..", record.last_sequence,
        " does not follow it (another node is writing)"));
  }
  records_.push_back(record);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LogRecord>> MemoryBatchLog::ReadAfter(
    uint64_t after, size_t limit) const {
  absl::MutexLock lock(&mu_);
  std::vector<LogRecord> out;
  for (const LogRecord& r : records_) {
    if (out.size() >= limit) break;
    if (r.first_sequence > after) out.push_back(r);
  }
  return out;
}

absl::StatusOr<uint64_t> MemoryBatchLog::Settle() {
  absl::MutexLock lock(&mu_);
  return records_.empty() ? 0 : records_.back().last_sequence;
}

absl::StatusOr<uint64_t> MemoryBatchLog::Prune(uint64_t through) {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  while (n + 1 < records_.size() && records_[n].last_sequence <= through) ++n;
  records_.erase(records_.begin(), records_.begin() + n);
  return n;
}

absl::Status MemoryBatchLog::PublishHead(const PublishedHead& head) {
  absl::MutexLock lock(&mu_);
  if (head.tree_size > head_.tree_size) head_ = head;
  return absl::OkStatus();
}

absl::StatusOr<PublishedHead> MemoryBatchLog::LatestHead() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

void MemoryBatchLog::ReplaceBody(uint64_t first_sequence, std::string body) {
  absl::MutexLock lock(&mu_);
  for (LogRecord& r : records_) {
    if (r.first_sequence == first_sequence) r.body = std::move(body);
  }
}

void MemoryBatchLog::DropFrom(uint64_t first_sequence) {
  absl::MutexLock lock(&mu_);
  while (!records_.empty() &&
         records_.back().first_sequence >= first_sequence) {
    records_.pop_back();
  }
}

size_t MemoryBatchLog::size() const {
  absl::MutexLock lock(&mu_);
  return records_.size();
}

}  // namespace cradle::storage
