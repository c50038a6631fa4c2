#include "services/write_pipeline.h"

#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

constexpr size_t kMaxIdempotencyKeyBytes = 128;

}  // namespace

absl::Status CheckIdempotencyKey(const v1::WriteMeta& meta) {
  if (meta.idempotency_key().empty()) {
    return absl::InvalidArgumentError(
        "meta.idempotency_key is required: a retried request must carry the "
        "same key so that it is applied once");
  }
  if (meta.idempotency_key().size() > kMaxIdempotencyKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("meta.idempotency_key is ", meta.idempotency_key().size(),
                     " bytes; the limit is ", kMaxIdempotencyKeyBytes));
  }
  return absl::OkStatus();
}

v1::WriteReceipt ReceiptFor(const storage::AppendResult& result) {
  v1::WriteReceipt r;
  r.set_sequence(result.first_sequence + result.hashes.size() - 1);
  if (!result.hashes.empty()) {
    r.set_hash(storage::HexHash(result.hashes.back()));
  }
  r.set_replayed(result.replayed);
  return r;
}

}  // namespace cradle::services
