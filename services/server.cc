#include "services/server.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

#include "base/address.h"
#include "base/files.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "gateway/gateway.h"
#include "security/ed25519.h"
#include "services/checkpoint_fetch.h"
#include "services/cluster_node.h"
#include "services/federation.h"
#include "services/keys.h"
#include "services/manifest_store.h"
#include "services/national_node.h"
#include "services/roles.h"
#include "services/sequence_interceptor.h"
#include "services/services.h"
#include "services/sweeper.h"
#include "storage/entry_codec.h"
#include "storage/pg_batch_log.h"
#include "storage/rocksdb_ledger.h"

namespace cradle::services {
namespace {

// The file a flag names; the error names the flag.
absl::StatusOr<std::string> ReadFlagFile(const std::string& flag,
                                         const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat(flag, ": ", text.status().message()));
  }
  return text;
}

// TLS from the certificate and key files, or plain TCP on loopback.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TransportCredentials(
    const ServerOptions& options) {
  if (options.insecure) {
    if (!IsLoopback(options.listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "insecure: plain TCP is allowed on loopback only, not on ",
          options.listen, "; give --tls_cert and --tls_key"));
    }
    return grpc::InsecureServerCredentials();
  }
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_cert and tls_key are required (PEM files; make development ones "
        "with `cradlectl dev-ca --out DIR`), or --insecure on loopback");
  }
  absl::StatusOr<std::string> cert =
      ReadFlagFile("tls_cert", options.tls_cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key =
      ReadFlagFile("tls_key", options.tls_key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

// Everything the services point into; destroyed after the gRPC server.
struct CradleServer::Parts {
  Parts(storage::RocksDbLedger& ledger, const Clock& clock,
        const ServerOptions& options,
        std::unique_ptr<security::Ed25519Key> signing_key,
        std::unique_ptr<CredentialStore> credential_store)
      : key(std::move(signing_key)),
        store(ledger, clock, options.flags),
        guard(ledger, *key, clock, options.flags,
              LedgerGuard::Options{options.data_dir, options.forensic,
                                   options.verify_tail_on_open,
                                   options.checkpoint_interval}),
        scrubber(ledger, guard, options.flags),
        credentials(std::move(credential_store)),
        gate(*credentials),
        registry_store(ledger, clock),
        consultations(ledger, clock, *options.flags.calendar),
        registry(registry_store, consultations, gate),
        credential_service(*credentials, gate),
        manifests(store, gate),
        transfers(store, gate),
        containers(registry_store, store, gate),
        disposals(store, gate),
        corrections(store, gate),
        flags(ledger, store, gate, guard),
        audit(ledger, store, guard, scrubber, gate, *credentials,
              options.flags),
        feed(ledger, gate),
        node(ledger, gate, options.data_dir),
        sweeper(store) {
    flags.SweepWith(&sweeper);
  }
  // Every gRPC service, for `f(full name, service)`.
  template <typename F>
  void ForEachService(F f) {
    f("cradle.v1.Registry", registry);
    f("cradle.v1.Credentials", credential_service);
    f("cradle.v1.Manifests", manifests);
    f("cradle.v1.Transfers", transfers);
    f("cradle.v1.Containers", containers);
    f("cradle.v1.Disposals", disposals);
    f("cradle.v1.Corrections", corrections);
    f("cradle.v1.Flags", flags);
    f("cradle.v1.Audit", audit);
    f("cradle.v1.Feed", feed);
    f("cradle.v1.Node", node);
  }

  std::unique_ptr<security::Ed25519Key> key;
  ManifestStore store;
  LedgerGuard guard;
  Scrubber scrubber;
  std::unique_ptr<CredentialStore> credentials;
  Gate gate;
  RegistryStore registry_store;
  ConsultationStore consultations;
  RegistryService registry;
  CredentialService credential_service;
  ManifestService manifests;
  TransferService transfers;
  ContainerService containers;
  DisposalService disposals;
  CorrectionService corrections;
  FlagService flags;
  AuditService audit;
  FeedService feed;
  NodeService node;
  Sweeper sweeper;
};

namespace {

std::string AdminTokenFile(const ServerOptions& options) {
  return options.admin_token_file.empty() ? options.data_dir + "/admin.token"
                                          : options.admin_token_file;
}

// Reloads the credentials that entries [from, to] issued or revoked.
void ReloadCredentials(const storage::Ledger& ledger, CredentialStore& store,
                       uint64_t from, uint64_t to) {
  for (uint64_t at = from; at <= to;) {
    absl::StatusOr<std::vector<storage::Entry>> entries =
        ledger.Scan(at, std::min<uint64_t>(to - at + 1, 1000));
    if (!entries.ok() || entries->empty()) return;
    for (const storage::Entry& e : *entries) {
      absl::StatusOr<keys::StreamName> name = keys::ParseStream(e.stream);
      if (name.ok() && name->kind == keys::StreamKind::kCredential) {
        if (absl::Status s = store.Reload(name->id); !s.ok()) {
          std::fprintf(stderr, "cradled: cluster: credential %s: %s\n",
                       name->id.c_str(), s.ToString().c_str());
        }
      }
    }
    at = entries->back().sequence + 1;
  }
}

// How a node calls the others: plain TCP with --insecure (loopback
// clusters), else TLS trusting --cluster-peer-ca.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PeerCredentials(
    const ServerOptions& options) {
  if (options.insecure) return grpc::InsecureChannelCredentials();
  absl::StatusOr<std::string> ca =
      ReadFlagFile("cluster_peer_ca", options.cluster_peer_ca);
  if (!ca.ok()) return ca.status();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = *ca;
  return grpc::SslCredentials(ssl);
}

absl::Status PublishHead(storage::BatchLog& log,
                         const v1::SignedTreeHead& head) {
  storage::PublishedHead published;
  published.tree_size = head.tree_size();
  published.timestamp = FromTimestamp(head.timestamp());
  if (!storage::ParseHex(head.root_hash(), 32, &published.root) ||
      !storage::ParseHex(head.signature(), 64, &published.signature)) {
    return absl::InternalError("a signed head that is not hex");
  }
  return log.PublishHead(published);
}

// A new node's ledger, copied from a checkpoint of the node at
// `join_from`; nothing when `data_dir` already holds one.
absl::Status JoinFrom(const ServerOptions& options) {
  std::error_code ec;
  if (std::filesystem::exists(options.data_dir + "/CURRENT", ec)) {
    std::fprintf(stderr,
                 "cradled: --join-from ignored: %s already holds a ledger\n",
                 options.data_dir.c_str());
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> token =
      ReadFlagFile("join_token_file", options.join_token_file);
  if (!token.ok()) return token.status();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      PeerCredentials(options);
  if (!credentials.ok()) return credentials.status();
  std::fprintf(stderr, "cradled: joining: copying the ledger of %s into %s\n",
               options.join_from.c_str(), options.data_dir.c_str());
  uint64_t reported = 0;
  absl::StatusOr<FetchedCheckpoint> got = FetchCheckpoint(
      grpc::CreateChannel(options.join_from, *credentials),
      std::string(absl::StripAsciiWhitespace(*token)), options.data_dir,
      [&reported](uint64_t bytes) {
        if (bytes - reported < (64 << 20)) return;
        reported = bytes;
        std::fprintf(stderr, "cradled: joining: %llu MiB\n",
                     static_cast<unsigned long long>(bytes >> 20));
      });
  if (!got.ok()) {
    return absl::Status(got.status().code(),
                        absl::StrCat("--join-from ", options.join_from, ": ",
                                     got.status().message()));
  }
  std::fprintf(stderr,
               "cradled: joining: %llu files, %llu bytes, the ledger through "
               "entry %llu; the log follows\n",
               static_cast<unsigned long long>(got->files),
               static_cast<unsigned long long>(got->bytes),
               static_cast<unsigned long long>(got->head_sequence));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CradleServer>> CradleServer::Start(
    const ServerOptions& options) {
  const Clock& clock =
      options.clock != nullptr ? *options.clock : SystemClock::Get();
  std::unique_ptr<CradleServer> server(new CradleServer);
  CRADLE_ASSIGN_OR_RETURN(
      server->offered_,
      OfferedServices(options.serve, options.cluster_follow_only));
  if (!options.provinces_file.empty() || !options.province.empty()) {
    // Checked before anything is created; the key is checked once loaded.
    CRADLE_RETURN_IF_ERROR(
        ReadProvinceDirectory(options.province, options.provinces_file)
            .status());
  }
  storage::RocksDbLedger::Options ledger_options;
  ledger_options.sync = options.sync;
  ledger_options.clock = &clock;
  ledger_options.before_append = options.before_append;
  ledger_options.forensic = options.forensic;
  ledger_options.verify_tail_on_open = options.verify_tail_on_open;
  if (!options.cluster_log.empty()) {
    CRADLE_RETURN_IF_ERROR(server->OpenCluster(options, &ledger_options));
    if (!options.join_from.empty()) CRADLE_RETURN_IF_ERROR(JoinFrom(options));
  }
  absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
      storage::RocksDbLedger::Open(options.data_dir, ledger_options);
  if (!ledger.ok()) return ledger.status();

  // Signs tree heads; kept beside the ledger, created on first start.
  absl::StatusOr<std::unique_ptr<security::Ed25519Key>> key =
      security::Ed25519Key::LoadOrCreate(options.signing_key_file.empty()
                                             ? options.data_dir +
                                                   "/cradle-signing-key.pem"
                                             : options.signing_key_file);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> transport =
      TransportCredentials(options);
  if (!transport.ok()) return transport.status();
  absl::StatusOr<std::unique_ptr<CredentialStore>> credentials =
      CredentialStore::Load(**ledger, clock);
  if (!credentials.ok()) return credentials.status();
  server->rocks_ = ledger->get();
  server->ledger_ = *std::move(ledger);
  server->parts_ =
      std::make_unique<Parts>(*server->rocks_, clock, options, *std::move(key),
                              *std::move(credentials));
  // The checks beyond the ledger's own, before anything is written.
  if (absl::Status s = server->parts_->guard.CheckOnStart(); !s.ok()) {
    return s;
  }
  // A cluster node issues the first credential once it writes.
  if (!server->parts_->guard.halted() && options.cluster_log.empty()) {
    absl::StatusOr<bool> bootstrapped =
        server->parts_->credentials->Bootstrap(AdminTokenFile(options));
    if (!bootstrapped.ok()) return bootstrapped.status();
    if (*bootstrapped) server->new_admin_token_file_ = AdminTokenFile(options);
  }
  if (!options.cluster_log.empty()) {
    CRADLE_RETURN_IF_ERROR(server->MakeClusterNode(options));
  }
  if (!options.provinces_file.empty() || !options.province.empty()) {
    CRADLE_RETURN_IF_ERROR(server->MakeFederation(options, clock));
  }
  if (!options.national_provinces.empty()) {
    CRADLE_RETURN_IF_ERROR(server->MakeNationalNode(options, clock));
  }
  CRADLE_RETURN_IF_ERROR(server->Listen(options, *std::move(transport)));
  if (server->node_ != nullptr) server->node_->Start();
  server->parts_->guard.Start();
  if (!server->parts_->guard.halted()) {
    server->parts_->scrubber.Start(Scrubber::Options{
        options.scrub_rate, options.scrub_deep, options.scrub_pause});
  }
  if (server->national_ == nullptr) {
    // Zero: no pass of its own, only those Flags.Sweep asks for.
    ClusterNode* node = server->node_.get();
    server->parts_->sweeper.Start(
        std::max(options.sweep_interval, absl::ZeroDuration()),
        [node] { return node == nullptr || !node->Forwarding(); });
  }
  if (!options.http_listen.empty()) {
    gateway::GatewayOptions http;
    http.listen = options.http_listen;
    http.tls_cert_file = options.tls_cert_file;
    http.tls_key_file = options.tls_key_file;
    http.insecure = options.insecure;
    http.web_root = options.web_root;
    http.public_key_hex =
        absl::BytesToHexString(server->parts_->key->public_key());
    CRADLE_ASSIGN_OR_RETURN(
        server->gateway_,
        gateway::Gateway::Start(
            http, server->server_->InProcessChannel(grpc::ChannelArguments())));
  }
  return server;
}

absl::Status CradleServer::OpenCluster(
    const ServerOptions& options, storage::RocksDbLedger::Options* ledger) {
  storage::PgLogOptions log_options;
  log_options.conninfo = options.cluster_log;
  log_options.table = options.cluster_table;
  if (options.cluster_lease < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        "cluster_lease must be at least 1s: the writer renews it every "
        "250 ms");
  }
  log_options.lease = options.cluster_lease;
  // A node may start while the database fails over: it waits for it.
  const absl::Time give_up = absl::Now() + options.cluster_connect_wait;
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<std::unique_ptr<storage::PgBatchLog>> log =
        storage::PgBatchLog::Open(log_options);
    absl::StatusOr<std::unique_ptr<storage::PgWriterLock>> lock =
        log.ok() ? storage::PgWriterLock::Open(log_options) : log.status();
    if (lock.ok()) {
      log_ = *std::move(log);
      lock_ = *std::move(lock);
      ledger->log = log_.get();
      return absl::OkStatus();
    }
    if (!absl::IsUnavailable(lock.status()) || absl::Now() >= give_up) {
      return lock.status();
    }
    if (attempt % 10 == 0) {
      std::fprintf(stderr, "cradled: cluster: waiting for the log: %s\n",
                   lock.status().ToString().c_str());
    }
    absl::SleepFor(absl::Seconds(1));
  }
}

absl::Status CradleServer::MakeClusterNode(const ServerOptions& options) {
  ClusterNodeOptions node_options;
  node_options.advertise =
      options.advertise.empty() ? options.listen : options.advertise;
  node_options.follow_only = options.cluster_follow_only;
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> peers =
      PeerCredentials(options);
  if (!peers.ok()) return peers.status();
  node_options.peer_credentials = *std::move(peers);
  node_ = std::make_unique<ClusterNode>(*rocks_, *lock_, node_options);
  Parts& parts = *parts_;
  storage::Ledger& ledger = *ledger_;
  node_->OnApplied([&parts, &ledger](uint64_t from, uint64_t to) {
    ReloadCredentials(ledger, *parts.credentials, from, to);
  });
  const std::string token_file = AdminTokenFile(options);
  node_->OnPromoted([&parts, token_file] {
    parts.store.ForgetSerials();
    parts.registry_store.ForgetPlanNumbers();
    parts.consultations.ForgetNumbers();
    absl::StatusOr<bool> made = parts.credentials->Bootstrap(token_file);
    if (made.ok() && *made) {
      std::fprintf(stderr,
                   "cradled: cluster: the administrator's token is in %s\n",
                   token_file.c_str());
    }
  });
  // The writer publishes each signed head it keeps beside the log, for
  // whoever follows the province from outside (the national node).
  ClusterNode* node = node_.get();
  storage::BatchLog* log = log_.get();
  parts.guard.OnKept([node, log](const v1::SignedTreeHead& head) {
    if (node->Forwarding()) return;
    absl::Status s = PublishHead(*log, head);
    if (!s.ok()) {
      std::fprintf(stderr, "cradled: cluster: publishing the signed head: %s\n",
                   s.ToString().c_str());
    }
  });
  parts.ForEachService([this](const char*, auto& service) {
    service.ForwardWritesTo(node_.get());
  });
  parts.node.AttachCluster(node_.get(), log_.get());
  return absl::OkStatus();
}

absl::Status CradleServer::MakeFederation(const ServerOptions& options,
                                          const Clock& clock) {
  if (!options.national_provinces.empty()) {
    return absl::InvalidArgumentError(
        "provinces_file: a national node follows provinces; it relays no "
        "province's calls");
  }
  FederationOptions federation;
  federation.province = options.province;
  federation.directory_file = options.provinces_file;
  federation.key = parts_->key.get();
  federation.clock = &clock;
  CRADLE_ASSIGN_OR_RETURN(federation.peer_credentials,
                          PeerCredentials(options));
  CRADLE_ASSIGN_OR_RETURN(federation_, Federation::Load(std::move(federation),
                                                        *parts_->credentials));
  parts_->gate.AcceptVouchesFrom(federation_.get());
  parts_->ForEachService([this](const char*, auto& service) {
    service.RelayAcrossProvinces(federation_.get());
  });
  return absl::OkStatus();
}

absl::Status CradleServer::MakeNationalNode(const ServerOptions& options,
                                            const Clock& clock) {
  if (!options.cluster_log.empty()) {
    return absl::InvalidArgumentError(
        "national_provinces: a national node follows provinces; it is not "
        "one of a province's nodes (cluster_log)");
  }
  NationalOptions national;
  national.data_dir = options.data_dir;
  national.provinces_file = options.national_provinces;
  national.clock = &clock;
  national.flags = options.flags;
  absl::StatusOr<std::unique_ptr<NationalNode>> node =
      NationalNode::Start(std::move(national));
  if (!node.ok()) return node.status();
  national_ = *std::move(node);
  national_service_ =
      std::make_unique<NationalService>(*national_, parts_->gate);
  return absl::OkStatus();
}

absl::Status CradleServer::Listen(
    const ServerOptions& options,
    std::shared_ptr<grpc::ServerCredentials> transport) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, transport, &port_);
  Parts& parts = *parts_;
  if (national_service_ != nullptr) {
    // The national node: who may read, and the provinces.
    builder.RegisterService(&parts.credential_service);
    builder.RegisterService(national_service_.get());
  } else {
    parts.ForEachService([this, &builder](const char* name, auto& service) {
      if (name == std::string("cradle.v1.Node") ||
          std::find(offered_.begin(), offered_.end(), name) != offered_.end()) {
        builder.RegisterService(&service);
      }
    });
  }
  if (node_ != nullptr) {
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(NewSequenceInterceptorFactory(
        *ledger_, *node_, options.cluster_read_wait));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     ": address in use or not an address of this machine"));
  }
  // Health is reported for "" (the server) and each service served. The
  // services that write turn NOT_SERVING once the ledger refuses writes;
  // the others (reads, audit) go on.
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus(true);
  std::vector<std::string> writing;
  if (national_ != nullptr) {
    health->SetServingStatus("cradle.v1.National", true);
    health->SetServingStatus("cradle.v1.Credentials", true);
    writing.push_back("cradle.v1.Credentials");
  } else {
    health->SetServingStatus("cradle.v1.Node", true);
    for (const ProvinceService& s : ProvinceServices()) {
      if (std::find(offered_.begin(), offered_.end(), s.full) !=
          offered_.end()) {
        health->SetServingStatus(s.full, true);
        if (s.writes) writing.push_back(s.full);
      }
    }
  }
  auto writes_stopped = [health, writing](const std::string&) {
    for (const std::string& service : writing) {
      health->SetServingStatus(service, false);
    }
  };
  if (parts.guard.halted()) writes_stopped("");
  parts.guard.OnAlarm(writes_stopped);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FrontServer>> StartFront(
    const ServerOptions& options) {
  FrontOptions front;
  front.listen = options.listen;
  front.nodes = options.front_nodes;
  CRADLE_ASSIGN_OR_RETURN(front.transport, TransportCredentials(options));
  CRADLE_ASSIGN_OR_RETURN(front.node_credentials, PeerCredentials(options));
  return FrontServer::Start(std::move(front));
}

absl::StatusOr<std::unique_ptr<SweeperProcess>> SweeperProcess::Start(
    const ServerOptions& options) {
  RemoteSweeperOptions sweeper;
  sweeper.nodes = options.sweeper_nodes;
  sweeper.interval = options.sweep_interval;
  CRADLE_ASSIGN_OR_RETURN(sweeper.node_credentials, PeerCredentials(options));
  CRADLE_ASSIGN_OR_RETURN(
      std::string token,
      ReadFlagFile("sweeper_token_file", options.sweeper_token_file));
  sweeper.token = std::string(absl::StripAsciiWhitespace(token));
  std::unique_ptr<SweeperProcess> process(new SweeperProcess());
  CRADLE_ASSIGN_OR_RETURN(process->sweeper_,
                          RemoteSweeper::Create(std::move(sweeper)));
  CRADLE_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> transport,
                          TransportCredentials(options));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, transport, &process->port_);
  process->health_ = builder.BuildAndStart();
  if (process->health_ == nullptr || process->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     ": address in use or not an address of this machine"));
  }
  grpc::HealthCheckServiceInterface* health =
      process->health_->GetHealthCheckService();
  health->SetServingStatus(false);
  process->sweeper_->Start([health](const absl::StatusOr<int>& swept) {
    health->SetServingStatus(swept.ok());
    if (!swept.ok()) {
      std::fprintf(stderr, "cradled: sweeper: %s\n",
                   swept.status().ToString().c_str());
    } else if (*swept > 0) {
      std::fprintf(stderr, "cradled: sweeper: %d manifests flagged\n", *swept);
    }
  });
  return process;
}

SweeperProcess::~SweeperProcess() { Shutdown(); }

void SweeperProcess::Shutdown() {
  if (sweeper_ != nullptr) sweeper_->Stop();
  if (health_ != nullptr) {
    health_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  }
}

CradleServer::~CradleServer() { Shutdown(); }

int CradleServer::http_port() const {
  return gateway_ == nullptr ? 0 : gateway_->port();
}

ManifestStore& CradleServer::store() { return parts_->store; }

absl::StatusOr<int> CradleServer::Sweep() { return parts_->sweeper.RunOnce(); }

absl::Status CradleServer::Scrub(bool deep) {
  return parts_->scrubber.RunPass(deep);
}

v1::IntegrityStatus CradleServer::Integrity() const {
  v1::IntegrityStatus status = parts_->guard.Status();
  *status.mutable_scrub() = parts_->scrubber.Status();
  return status;
}

void CradleServer::Shutdown(absl::Duration grace) {
  // No new HTTP calls; those running finish on the gRPC server below.
  if (gateway_ != nullptr) gateway_->Shutdown();
  if (parts_ != nullptr) {
    parts_->sweeper.Stop();
    parts_->scrubber.Stop();
  }
  if (server_ != nullptr) {
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  }
  if (node_ != nullptr) node_->Stop();  // lets the writer's lock go
  if (national_ != nullptr) national_->Stop();
  // Calls are cancelled; a deep verification's worker still reads the
  // ledger until its next step.
  if (parts_ != nullptr) parts_->audit.WaitForVerification();
  if (parts_ != nullptr) parts_->guard.Stop();  // keeps the last signed head
  if (ledger_ != nullptr) ledger_->Close().IgnoreError();
}

void CradleServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace cradle::services
