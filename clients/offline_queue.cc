#include "clients/offline_queue.h"

#include <cerrno>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#include "base/files.h"
#include "base/status_macros.h"

namespace cradle::clients {
namespace {

constexpr absl::string_view kVersion = "v1";
constexpr mode_t kQueueMode = 0600;

constexpr absl::string_view kQueueable[] = {
    "cradle.v1.PickupRequest",  "cradle.v1.RelayRequest",
    "cradle.v1.DeliverRequest", "cradle.v1.ScanRequest",
    "cradle.v1.ReceiveRequest", "cradle.v1.DisposeRequest",
    "cradle.v1.WeighRequest",
};

}  // namespace

bool Queueable(absl::string_view type) {
  for (absl::string_view t : kQueueable) {
    if (t == type) return true;
  }
  return false;
}

absl::StatusOr<std::vector<QueuedWrite>> ReadQueue(const std::string& path) {
  std::vector<QueuedWrite> out;
  if (!std::ifstream(path)) return out;  // nothing queued yet
  CRADLE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  int n = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++n;
    if (line.empty()) continue;
    const std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
    QueuedWrite w;
    if (parts.size() != 3 || parts[0] != kVersion || !Queueable(parts[1]) ||
        !absl::WebSafeBase64Unescape(parts[2], &w.bytes)) {
      return absl::DataLossError(absl::StrCat(
          path, " line ", n,
          " is not a queued write (\"v1 <request type> <base64url>\")"));
    }
    w.type = std::string(parts[1]);
    out.push_back(std::move(w));
  }
  return out;
}

absl::Status WriteQueue(const std::string& path,
                        const std::vector<QueuedWrite>& writes) {
  std::string text;
  for (const QueuedWrite& w : writes) {
    absl::StrAppend(&text, kVersion, " ", w.type, " ",
                    absl::WebSafeBase64Escape(w.bytes), "\n");
  }
  return ReplaceFile(path, text, kQueueMode);
}

absl::Status AppendToQueue(const std::string& path,
                           const google::protobuf::Message& request) {
  const std::string type = request.GetDescriptor()->full_name();
  if (!Queueable(type)) {
    return absl::InvalidArgumentError(
        "--queue: only pickup, relay, deliver, scan, weigh, receive and "
        "dispose are "
        "made offline");
  }
  CRADLE_ASSIGN_OR_RETURN(std::vector<QueuedWrite> writes, ReadQueue(path));
  QueuedWrite w;
  w.type = type;
  if (!request.SerializeToString(&w.bytes)) {
    return absl::InternalError("the request does not serialize");
  }
  writes.push_back(std::move(w));
  return WriteQueue(path, writes);
}

}  // namespace cradle::clients
