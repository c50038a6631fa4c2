#pragma once

// The offline queue of cradlectl (--queue FILE): manifest writes made where
// there is no signal, each signed and given its idempotency key when it is
// made, kept in order in a file, and uploaded later by `cradlectl queue
// upload`. A write uploaded twice is one write: the server answers a retry
// with the same key with the first result (docs/CONTAINERS.md, "Offline").
//
// The file is text, one write a line: "v1 <request type> <base64url of the
// request's bytes>". The bytes are kept exactly as signed. Every change
// replaces the whole file atomically, so a crash leaves the queue before
// or after it, never torn.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace cradle::clients {

struct QueuedWrite {
  std::string type;   // the request's full name, "cradle.v1.ScanRequest"
  std::string bytes;  // the request, serialized as signed
};

// The writes a queue may hold: those a driver or a gate makes in the field
// (pickup, relay, deliver, scan, weigh, receive, dispose).
bool Queueable(absl::string_view type);

// The writes in `path`, oldest first; none when it does not exist. An error
// names the line that cannot be read.
absl::StatusOr<std::vector<QueuedWrite>> ReadQueue(const std::string& path);

// Replaces the queue at `path` with `writes` (mode 0600: it holds signed
// requests).
absl::Status WriteQueue(const std::string& path,
                        const std::vector<QueuedWrite>& writes);

// Adds `request` at the end of the queue at `path`.
absl::Status AppendToQueue(const std::string& path,
                           const google::protobuf::Message& request);

}  // namespace cradle::clients
