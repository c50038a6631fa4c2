#include "storage/ledger.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace cradle::storage {
namespace {

absl::Status CheckSize(absl::string_view field, absl::string_view value,
                       size_t min, size_t max) {
  if (value.size() < min || value.size() > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be ", min, "..", max, " bytes, got ", value.size()));
  }
  return absl::OkStatus();
}

// Stream ids are printable ASCII: they appear in keys, logs and CSV exports.
absl::Status CheckStreamId(absl::string_view stream) {
  if (stream.empty() || stream.size() > kMaxStreamBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stream must be 1..", kMaxStreamBytes, " bytes, got ", stream.size()));
  }
  for (size_t i = 0; i < stream.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(stream[i]);
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          absl::StrCat("stream \"", absl::CHexEscape(stream),
                       "\" has a non-printable byte at ", i));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAppendRequest(const AppendRequest& request) {
  if (absl::Status s = CheckStreamId(request.stream); !s.ok()) return s;
  if (request.entries.empty() ||
      request.entries.size() > kMaxEntriesPerAppend) {
    return absl::InvalidArgumentError(
        absl::StrCat("entries must hold 1..", kMaxEntriesPerAppend,
                     " entries, got ", request.entries.size()));
  }
  for (size_t i = 0; i < request.entries.size(); ++i) {
    const NewEntry& e = request.entries[i];
    const std::string at = absl::StrCat("entries[", i, "]");
    if (absl::Status s = CheckSize(at + ".type", e.type, 1, kMaxTypeBytes);
        !s.ok())
      return s;
    if (absl::Status s = CheckSize(at + ".actor", e.actor, 1, kMaxActorBytes);
        !s.ok())
      return s;
    if (absl::Status s =
            CheckSize(at + ".payload", e.payload, 1, kMaxPayloadBytes);
        !s.ok())
      return s;
  }
  if (request.mutations.size() > kMaxMutationsPerAppend) {
    return absl::InvalidArgumentError(
        absl::StrCat("mutations must hold at most ", kMaxMutationsPerAppend,
                     ", got ", request.mutations.size()));
  }
  for (size_t i = 0; i < request.mutations.size(); ++i) {
    const Mutation& m = request.mutations[i];
    const std::string at = absl::StrCat("mutations[", i, "]");
    if (absl::Status s = CheckSize(at + ".key", m.key, 1, kMaxDerivedKeyBytes);
        !s.ok())
      return s;
    if ((m.counter || m.add != 0) && m.value.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, " sets both a value and an add"));
    }
    if (m.create_only && (!m.value.has_value() || m.counter || m.add != 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, " is create-only but puts no value"));
    }
    if (m.value.has_value()) {
      if (absl::Status s =
              CheckSize(at + ".value", *m.value, 0, kMaxDerivedValueBytes);
          !s.ok())
        return s;
    }
  }
  if (request.reads.size() > kMaxReadsPerAppend) {
    return absl::InvalidArgumentError(absl::StrCat("reads must hold at most ",
                                                   kMaxReadsPerAppend, ", got ",
                                                   request.reads.size()));
  }
  for (size_t i = 0; i < request.reads.size(); ++i) {
    const StreamRead& r = request.reads[i];
    if (absl::Status s = CheckStreamId(r.stream); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("reads[", i, "]: ", s.message()));
    }
    if (r.stream == request.stream) {
      return absl::InvalidArgumentError(
          absl::StrCat("reads[", i, "] is the appended stream ", r.stream,
                       ": its version is expected_version"));
    }
  }
  return CheckSize("idempotency_key", request.idempotency_key, 0,
                   kMaxIdempotencyKeyBytes);
}

int64_t DecodeCounter(const absl::optional<std::string>& value) {
  if (!value.has_value() || value->size() != 8) return 0;
  uint64_t v = 0;
  for (char c : *value) v = (v << 8) | static_cast<uint8_t>(c);
  return static_cast<int64_t>(v);
}

absl::StatusOr<AppendResult> Ledger::AppendAndWait(AppendRequest request) {
  absl::Notification done;
  absl::StatusOr<AppendResult> result;
  Append(std::move(request), [&](absl::StatusOr<AppendResult> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

}  // namespace cradle::storage
