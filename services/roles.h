#pragma once

// The services of a province's API, and which of them a node offers
// (`cradled --serve`, docs/CLUSTER.md "Roles"). A node that may become the
// writer offers every service: the other nodes forward their writes to
// it. A follow-only node may offer fewer, so that a province runs, say,
// its audit side on replicas of its own, scaled and restarted apart from
// the writer. The front sends each call only to nodes whose gRPC health
// says they serve its service.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cradle::services {

struct ProvinceService {
  const char* flag;  // as --serve names it: "audit"
  const char* full;  // as gRPC names it: "cradle.v1.Audit"
  // Turns NOT_SERVING when the ledger refuses writes (LedgerGuard's
  // alarm): its calls are writes, or mostly so.
  bool writes;
};

// Every service of a province's API but Node, which every node serves
// (its status, checkpoints, the log's retention).
const std::vector<ProvinceService>& ProvinceServices();

// The full names of the services `serve` names ("audit,flags"); empty or
// "all": every one. INVALID_ARGUMENT naming `serve` for a name that is
// not a service, and for a part of them on a node that may write.
absl::StatusOr<std::vector<std::string>> OfferedServices(
    const std::vector<std::string>& serve, bool follow_only);

}  // namespace cradle::services
