#pragma once

// google.protobuf.Timestamp <-> absl::Time, the one conversion every layer
// uses. Cradle keeps times to the microsecond: what the ledger records, the
// clock gives and an event carries all round-trip through these exactly.

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace cradle {

inline google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(t));
}

inline absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(t));
}

}  // namespace cradle
