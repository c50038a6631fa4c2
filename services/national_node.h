#pragma once

// The national node (docs/CLUSTER.md, "The nation"): a read-only copy of
// every province. For each province it follows the province's log into a
// ledger of its own (under <data_dir>/provinces/<code>), checking every
// record's hashes as any follower does, and checks the signed heads the
// province's writer publishes beside the log against the province's pinned
// public key and against the root of its own copy at that size. A province
// whose chain or head does not verify is no longer applied, and says why.
//
// Provinces are listed in a file, one per line, re-read while running: a
// province added to it is followed without restarting anything.
//
//   # code  log table      public key (64 hex digits)  libpq conninfo...
//   33      cradle_log_33  5f2c...e1                    host=db33 dbname=cradle

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "base/clock.h"
#include "cradle/v1/national.pb.h"
#include "domain/flags/flag_config.h"
#include "services/manifest_store.h"
#include "storage/batch_log.h"
#include "storage/rocksdb_ledger.h"

namespace cradle::services {

struct ProvinceSource {
  std::string code;        // 2 digits
  std::string table;       // the province's log table
  std::string public_key;  // raw 32 bytes: the province's signing key
  std::string conninfo;    // libpq connection string of the log's database
};

// The provinces of a provinces file. INVALID_ARGUMENT naming the line and
// the field: a code that is not two digits (or 00), or listed twice, a bad
// table name, a key that is not 64 hex digits, no conninfo.
absl::StatusOr<std::vector<ProvinceSource>> ParseProvinces(
    absl::string_view text);

struct NationalOptions {
  std::string data_dir;
  std::string provinces_file;
  const Clock* clock = nullptr;  // not owned; default SystemClock
  domain::FlagConfig flags;
  // How often each province's log is read, and the file re-read.
  absl::Duration poll = absl::Milliseconds(100);
  absl::Duration reread = absl::Seconds(2);
  // Opens a province's log; default PostgreSQL (PgBatchLog).
  std::function<absl::StatusOr<std::unique_ptr<storage::BatchLog>>(
      const ProvinceSource&)>
      open_log;
};

class NationalNode {
 public:
  // Reads the provinces file (its errors are fatal here, and only logged
  // once running) and starts following. A province whose log is out of
  // reach is retried; its status says why.
  static absl::StatusOr<std::unique_ptr<NationalNode>> Start(
      NationalOptions options);
  ~NationalNode();
  void Stop();

  // The provinces, in code order.
  std::vector<v1::ProvinceStatus> Statuses() const;

  // Calls `f` for each province that has a ledger, in code order, from
  // `first` (a code) on; stops at the first error `f` returns.
  absl::Status ForEach(
      absl::string_view first,
      const std::function<absl::Status(const std::string& code,
                                       const storage::Ledger& ledger,
                                       const ManifestStore& store)>& f) const;

 private:
  struct Province;
  explicit NationalNode(NationalOptions options);
  absl::Status ReadFile();
  // One round of the node's thread: re-read the file if due, then each
  // province's log and published head.
  void Step();
  void Follow(Province& p);
  void CheckHead(Province& p);

  const NationalOptions options_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Province>> provinces_
      ABSL_GUARDED_BY(mu_);
  std::string file_error_ ABSL_GUARDED_BY(mu_);  // said once
  absl::Time next_read_ = absl::InfinitePast();  // the loop's own
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace cradle::services
