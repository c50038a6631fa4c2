// cradlectl queue show, queue upload: the offline queue (--queue FILE),
// shown and sent in order (docs/CONTAINERS.md, "Offline").

#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "base/files.h"
#include "base/status_macros.h"
#include "clients/cli.h"
#include "clients/offline_queue.h"
#include "cradle/v1/manifest.grpc.pb.h"

namespace cradle::clients {
namespace {

// What the server answered one uploaded write: its manifest and receipt.
struct Uploaded {
  std::string number;
  v1::WriteReceipt receipt;
};

using Sender =
    std::function<grpc::Status(const Context&, const std::string&, Uploaded*)>;

// Sends the request in `bytes` with `rpc`, of any service's stub.
template <typename Stub, typename Request, typename Response>
Sender Send(grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&,
                                      Response*)) {
  return [rpc](const Context& ctx, const std::string& bytes, Uploaded* out) {
    Request req;
    if (!req.ParseFromString(bytes)) {
      return grpc::Status(grpc::StatusCode::DATA_LOSS,
                          "a queued request does not parse");
    }
    Stub stub(ctx.channel);
    Response reply;
    auto call = ctx.Call();
    grpc::Status s = (stub.*rpc)(call.get(), req, &reply);
    out->number = req.number();
    out->receipt = reply.receipt();
    return s;
  };
}

const std::map<std::string, Sender>& Senders() {
  static const auto* senders = new std::map<std::string, Sender>{
      {"cradle.v1.PickupRequest", Send(&v1::Transfers::Stub::Pickup)},
      {"cradle.v1.RelayRequest", Send(&v1::Transfers::Stub::Relay)},
      {"cradle.v1.DeliverRequest", Send(&v1::Transfers::Stub::Deliver)},
      {"cradle.v1.ScanRequest", Send(&v1::Transfers::Stub::Scan)},
      {"cradle.v1.WeighRequest", Send(&v1::Transfers::Stub::Weigh)},
      {"cradle.v1.ReceiveRequest", Send(&v1::Disposals::Stub::Receive)},
      {"cradle.v1.DisposeRequest", Send(&v1::Disposals::Stub::Dispose)},
  };
  return *senders;
}

// The server could not be reached, or did not answer in time: the write
// stays queued for the next upload.
bool Unreachable(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// A short name of a queued write, "ScanRequest" -> "scan".
std::string Kind(const std::string& type) {
  std::string name = type.substr(type.rfind('.') + 1);
  name = name.substr(0, name.size() - std::string("Request").size());
  for (char& c : name) c = static_cast<char>(std::tolower(c));
  return name;
}

// cradlectl queue show
absl::Status ShowQueue(const Context& ctx, const ParsedArgs& a) {
  CRADLE_CLI_ASSIGN(writes, ReadQueue(a.positional[0]));
  for (size_t i = 0; i < writes.size(); ++i) {
    // Every queueable request has its WriteMeta as field 1 and the number
    // as field 2; a ScanRequest reads those two of any of them (the rest
    // it keeps as unknown fields).
    v1::ScanRequest head;
    if (!head.ParseFromString(writes[i].bytes)) head.Clear();
    if (ctx.json) {
      std::printf("{\"index\":%zu,\"kind\":\"%s\",\"number\":\"%s\"}\n", i + 1,
                  Kind(writes[i].type).c_str(), head.number().c_str());
      continue;
    }
    std::printf(
        "%zu  %-8s %s  made %s on %s  key %s\n", i + 1,
        Kind(writes[i].type).c_str(), head.number().c_str(),
        Time(head.meta().device_time()).c_str(),
        head.meta().device().empty() ? "-" : head.meta().device().c_str(),
        head.meta().idempotency_key().c_str());
  }
  if (!ctx.json) std::printf("%zu waiting\n", writes.size());
  return absl::OkStatus();
}

// cradlectl queue upload
absl::Status UploadQueue(const Context& ctx, const ParsedArgs& a) {
  const std::string path = a.positional[0];
  const std::string refused_path = path + ".refused";
  CRADLE_CLI_ASSIGN(writes, ReadQueue(path));
  size_t sent = 0, again = 0, refused = 0;
  while (!writes.empty()) {
    const QueuedWrite w = writes.front();
    auto sender = Senders().find(w.type);
    Uploaded up;
    const grpc::Status s = sender->second(ctx, w.bytes, &up);
    if (Unreachable(s)) {
      std::printf("stopped: %s; %zu left in %s\n", s.error_message().c_str(),
                  writes.size(), path.c_str());
      return FromGrpc(s);
    }
    if (s.ok()) {
      ++sent;
      if (up.receipt.replayed()) ++again;
      std::printf("uploaded %s %s: ledger entry %llu%s\n", Kind(w.type).c_str(),
                  up.number.c_str(),
                  static_cast<unsigned long long>(up.receipt.sequence()),
                  up.receipt.replayed() ? " (already recorded)" : "");
    } else {
      // Refused for good (a bad field, a step out of order): kept beside
      // the queue with the reason, never dropped, and the rest goes on.
      ++refused;
      CRADLE_CLI_ASSIGN(kept, ReadQueue(refused_path));
      kept.push_back(w);
      CRADLE_RETURN_IF_ERROR(WriteQueue(refused_path, kept));
      std::printf("refused %s %s: %s (kept in %s)\n", Kind(w.type).c_str(),
                  up.number.c_str(), s.error_message().c_str(),
                  refused_path.c_str());
    }
    // Off the queue only once answered: a crash before this line sends it
    // again, and the server answers the retry with the first result.
    writes.erase(writes.begin());
    CRADLE_RETURN_IF_ERROR(WriteQueue(path, writes));
  }
  std::printf("%zu uploaded (%zu already recorded), %zu refused, 0 left\n",
              sent, again, refused);
  if (refused > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(refused, " queued write(s) refused; see ", refused_path));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> QueueCommands() {
  return {
      {"queue show",
       "FILE",
       "The writes kept offline in FILE (made with --queue FILE), oldest "
       "first.",
       {},
       ShowQueue},
      {"queue upload",
       "FILE",
       "Send the writes kept offline in FILE, in order; each leaves the queue "
       "once the server answers it. A write sent twice is recorded once. "
       "Stops, keeping the rest, when the server cannot be reached; a write "
       "the server refuses is moved to FILE.refused, its reason printed.",
       {},
       UploadQueue},
  };
}

}  // namespace cradle::clients
