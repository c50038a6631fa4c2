#pragma once

// Protobuf logs every string it refuses to parse; a fuzz target that feeds
// it such strings on purpose calls this first.

#include "google/protobuf/stubs/logging.h"

namespace cradle::fuzz {

inline void QuietProtobufLogs() {
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
}

}  // namespace cradle::fuzz
