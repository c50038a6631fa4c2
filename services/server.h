#pragma once

// One process hosting every Cradle service over an embedded RocksDB ledger.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"

#include "base/clock.h"
#include "cradle/v1/audit.pb.h"
#include "domain/flags/flag_config.h"
#include "services/front.h"
#include "services/remote_sweeper.h"
#include "storage/ledger.h"
#include "storage/rocksdb_ledger.h"

namespace cradle::gateway {
class Gateway;
}  // namespace cradle::gateway

namespace cradle::services {
class ClusterNode;
class Federation;
class ManifestStore;
class NationalNode;
class NationalService;
}  // namespace cradle::services

namespace cradle::services {

struct ServerOptions {
  std::string data_dir = "cradle-data";
  std::string listen = "127.0.0.1:7443";  // port 0 picks a free port
  bool sync = true;  // fsync before acknowledging; off only for benchmarks
  const Clock* clock = nullptr;  // not owned; default SystemClock
  // Test seam: the ledger's (RocksDbLedger::Options::before_append).
  std::function<void(const storage::AppendRequest&)> before_append;
  domain::FlagConfig flags;  // limits of the flag rules
  // How often the sweeper raises deadline flags; zero: no sweeper thread
  // (tests drive CradleServer::Sweep themselves).
  absl::Duration sweep_interval = absl::Minutes(1);
  // TLS: the server's certificate chain and private key, PEM files. Both
  // are required unless `insecure`.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Plain TCP instead of TLS; refused unless `listen` is a loopback
  // address, so tokens never cross a network in clear.
  bool insecure = false;
  // Where the first start writes the administrator's token (mode 0600);
  // empty: <data_dir>/admin.token.
  std::string admin_token_file;
  // Serve a ledger the checks on start find damaged, for inspection: reads
  // work, every write is refused and the write services are NOT_SERVING
  // (docs/RELIABILITY.md).
  bool forensic = false;
  // The newest entries the checks on start cover: their chain, stream index
  // keys and Merkle nodes, and their streams replayed. Older damage is the
  // scrubber's to find.
  uint64_t verify_tail_on_open = 1024;
  // The background scrubber (scrubber.h): entries a second at most (zero:
  // none), whether it replays the streams too, and its rest between passes.
  double scrub_rate = 2000;
  bool scrub_deep = true;
  absl::Duration scrub_pause = absl::Minutes(10);
  // How often the server signs and keeps a tree head of its own, which the
  // next start checks the ledger against; zero: only when asked.
  absl::Duration checkpoint_interval = absl::Minutes(1);

  // A node of a province's cluster (docs/CLUSTER.md) when `cluster_log` is
  // set: the libpq connection string of the database that holds the log.
  std::string cluster_log;
  // The province's table in it.
  std::string cluster_table = "cradle_log";
  // Never becomes the writer (ClusterNodeOptions::follow_only).
  bool cluster_follow_only = false;
  // The services this node offers (roles.h: "audit", "flags", ...); empty:
  // every one. A part of them only on a follow-only node.
  std::vector<std::string> serve;
  // host:port the other nodes reach this one at; default `listen`.
  std::string advertise;
  // How long a call with cradle-min-sequence waits for this node to hold
  // that entry.
  absl::Duration cluster_read_wait = absl::Seconds(2);
  // How long a start waits for the log's database (a failover) before it
  // gives up.
  absl::Duration cluster_connect_wait = absl::Minutes(2);
  // The writer's lease (storage::PgLogOptions::lease); at least 1 s.
  absl::Duration cluster_lease = absl::Seconds(3);
  // With TLS: the CA (PEM) the other nodes' certificates are checked
  // against when this node forwards a write.
  std::string cluster_peer_ca;
  // The Ed25519 key (PEM) that signs tree heads; empty: the server's own,
  // `data_dir`/cradle-signing-key.pem, made on first start. The nodes of a
  // province share one, so that any node's signed head verifies against
  // the province's public key.
  std::string signing_key_file;
  // host:port of a node to copy the ledger from (Node.Checkpoint) when
  // `data_dir` holds none yet, calling with the administrator's token in
  // `join_token_file`.
  std::string join_from;
  std::string join_token_file;
  // The national node (docs/CLUSTER.md, "The nation") when set: the file
  // listing the provinces to follow (national_node.h). The server then
  // serves Credentials, over its own ledger in `data_dir` (who may read),
  // and National; the provinces' copies are under `data_dir`/provinces.
  std::string national_provinces;
  // Calls across provinces (services/federation.h) when
  // `provinces_file` is set: the directory of provinces, which must list
  // `province` (this node's 2-digit code) with the public half of the
  // signing key. A call on another listed province's manifest is relayed
  // there, vouched for; a call relayed from one is admitted.
  std::string province;
  std::string provinces_file;
  // The front (services/front.h) when set: host:port of each node to
  // relay calls to. The process then holds no ledger and serves nothing
  // of its own; see StartFront.
  std::vector<std::string> front_nodes;
  // The sweeper (services/remote_sweeper.h) when set: host:port of each
  // node (or front) to ask for a sweep every `sweep_interval`, with the
  // administrator's token in `sweeper_token_file`. The process then holds
  // no ledger; see StartSweeper.
  std::vector<std::string> sweeper_nodes;
  std::string sweeper_token_file;

  // The HTTP/JSON gateway (gateway/gateway.h) inside this process when
  // set: host:port to serve it on, with the server's transport (HTTPS with
  // tls_cert_file and tls_key_file, or plain HTTP on loopback), calling
  // the services on an in-process channel.
  std::string http_listen;
  // The pages it serves at /; empty: the API only.
  std::string web_root;
};

// The front for `options.front_nodes`: listens on `options.listen` with
// the server's transport (TLS, or plain TCP on loopback) and reaches the
// nodes as a cluster node reaches its peers (cluster_peer_ca).
absl::StatusOr<std::unique_ptr<FrontServer>> StartFront(
    const ServerOptions& options);

// The sweeper for `options.sweeper_nodes`, sweeping every
// `options.sweep_interval`. It serves gRPC health on `options.listen`:
// SERVING once a sweep went through, NOT_SERVING after one that did not.
class SweeperProcess {
 public:
  static absl::StatusOr<std::unique_ptr<SweeperProcess>> Start(
      const ServerOptions& options);
  ~SweeperProcess();

  int port() const { return port_; }
  void Wait() { health_->Wait(); }
  void Shutdown();

 private:
  SweeperProcess() = default;

  std::unique_ptr<RemoteSweeper> sweeper_;
  std::unique_ptr<grpc::Server> health_;
  int port_ = 0;
};

class CradleServer {
 public:
  // Opens the ledger, starts the services and listens. Errors: the ledger's
  // (DATA_LOSS on a broken chain, ...), UNAVAILABLE when the address cannot
  // be bound.
  static absl::StatusOr<std::unique_ptr<CradleServer>> Start(
      const ServerOptions& options);
  ~CradleServer();

  int port() const { return port_; }
  // The gateway's port; 0 without one (http_listen unset).
  int http_port() const;
  // Set when this start created the administrator credential: where its
  // token was written.
  const std::string& new_admin_token_file() const {
    return new_admin_token_file_;
  }
  // One sweeper pass now; returns the manifests flagged.
  absl::StatusOr<int> Sweep();
  // One scrubber pass now, unpaced (damage raises the alarm).
  absl::Status Scrub(bool deep);
  // What the server knows of its ledger's integrity.
  v1::IntegrityStatus Integrity() const;
  storage::Ledger& ledger() { return *ledger_; }
  // The cluster node; null on an embedded server.
  ClusterNode* cluster() { return node_.get(); }
  // For benchmarks that load data in process, past the network.
  ManifestStore& store();

  // Stops accepting calls, lets running ones finish (up to `grace`), then
  // closes the ledger. Idempotent; thread-safe.
  void Shutdown(absl::Duration grace = absl::Seconds(5));
  // Blocks until Shutdown().
  void Wait();

 private:
  struct Parts;
  CradleServer() = default;

  // Opens the cluster's log and lock into `ledger` (cluster_log set).
  absl::Status OpenCluster(const ServerOptions& options,
                           storage::RocksDbLedger::Options* ledger);
  // The cluster node: forwards writes, reloads what the log changed, and
  // on becoming the writer drops the last writer's caches and, on an
  // empty ledger, issues the administrator's credential. Started once the
  // server listens.
  absl::Status MakeClusterNode(const ServerOptions& options);
  // Relays calls on other provinces' manifests and admits those relayed
  // from them (provinces_file set).
  absl::Status MakeFederation(const ServerOptions& options, const Clock& clock);
  // The national node and its service (national_provinces set).
  absl::Status MakeNationalNode(const ServerOptions& options,
                                const Clock& clock);
  // Registers the services and listens.
  absl::Status Listen(const ServerOptions& options,
                      std::shared_ptr<grpc::ServerCredentials> transport);

  // The cluster's log and lock outlive the ledger that uses them.
  std::unique_ptr<storage::BatchLog> log_;
  std::unique_ptr<storage::WriterLock> lock_;
  storage::RocksDbLedger* rocks_ = nullptr;  // ledger_, as what it is
  std::unique_ptr<storage::Ledger> ledger_;
  std::unique_ptr<Federation> federation_;  // outlives the services' calls
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<ClusterNode> node_;
  std::unique_ptr<NationalNode> national_;
  std::unique_ptr<NationalService> national_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<gateway::Gateway> gateway_;  // calls server_
  int port_ = 0;
  std::string new_admin_token_file_;
  // The full names of the services offered (ServerOptions::serve).
  std::vector<std::string> offered_;
};

}  // namespace cradle::services
