#include "services/server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

#include "services/manifest_store.h"
#include "services/services.h"
#include "services/sweeper.h"
#include "storage/rocksdb_ledger.h"
#include "storage/tree_head.h"

namespace cradle::services {

// Everything the services point into; destroyed after the gRPC server.
struct CradleServer::Parts {
  Parts(storage::Ledger& ledger, const Clock& clock,
        const domain::FlagConfig& flags,
        std::unique_ptr<storage::Ed25519Key> signing_key)
      : key(std::move(signing_key)),
        store(ledger, clock, flags),
        registry(ledger, clock),
        manifests(store),
        transfers(store),
        disposals(store),
        flags(store),
        audit(ledger, store, *key, clock),
        sweeper(store) {}
  std::unique_ptr<storage::Ed25519Key> key;
  ManifestStore store;
  RegistryService registry;
  ManifestService manifests;
  TransferService transfers;
  DisposalService disposals;
  FlagService flags;
  AuditService audit;
  Sweeper sweeper;
};

absl::StatusOr<std::unique_ptr<CradleServer>> CradleServer::Start(
    const ServerOptions& options) {
  const Clock& clock =
      options.clock != nullptr ? *options.clock : SystemClock::Get();
  storage::RocksDbLedger::Options ledger_options;
  ledger_options.sync = options.sync;
  ledger_options.clock = &clock;
  absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
      storage::RocksDbLedger::Open(options.data_dir, ledger_options);
  if (!ledger.ok()) return ledger.status();

  // Signs tree heads; kept beside the ledger, created on first start.
  absl::StatusOr<std::unique_ptr<storage::Ed25519Key>> key =
      storage::Ed25519Key::LoadOrCreate(options.data_dir +
                                        "/cradle-signing-key.pem");
  if (!key.ok()) return key.status();
  std::unique_ptr<CradleServer> server(new CradleServer);
  server->ledger_ = *std::move(ledger);
  server->parts_ = std::make_unique<Parts>(*server->ledger_, clock,
                                           options.flags, *std::move(key));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Transport security arrives with the identity work; until then plain TCP.
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(&server->parts_->registry);
  builder.RegisterService(&server->parts_->manifests);
  builder.RegisterService(&server->parts_->transfers);
  builder.RegisterService(&server->parts_->disposals);
  builder.RegisterService(&server->parts_->flags);
  builder.RegisterService(&server->parts_->audit);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     ": address in use or not an address of this machine"));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  if (options.sweep_interval > absl::ZeroDuration()) {
    server->parts_->sweeper.Start(options.sweep_interval);
  }
  return server;
}

CradleServer::~CradleServer() { Shutdown(); }

ManifestStore& CradleServer::store() { return parts_->store; }

absl::StatusOr<int> CradleServer::Sweep() { return parts_->sweeper.RunOnce(); }

void CradleServer::Shutdown(absl::Duration grace) {
  if (parts_ != nullptr) parts_->sweeper.Stop();
  if (server_ != nullptr) {
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  }
  if (ledger_ != nullptr) ledger_->Close().IgnoreError();
}

void CradleServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace cradle::services
