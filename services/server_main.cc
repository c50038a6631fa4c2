// cradled: every Cradle service in one process over an embedded ledger.

#include <signal.h>

#include <cstdio>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"

#include "services/server.h"
#include "storage/entry_codec.h"

ABSL_FLAG(std::string, data, "cradle-data",
          "Directory of the RocksDB ledger; created on first start. Keep it: "
          "it is the record (at least 10 years).");
ABSL_FLAG(std::string, listen, "127.0.0.1:7443",
          "Address to serve gRPC on, host:port. Port 0 picks a free port and "
          "prints it. Plain TCP for now: keep it on loopback.");
ABSL_FLAG(bool, sync, true,
          "fsync every group commit before acknowledging. --nosync is for "
          "benchmarks only: a crash can then lose acknowledged entries.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Cradle's server: hosts the Registry, Manifests, Transfers, Disposals "
      "and Audit gRPC services over an append-only, hash-chained ledger.\n"
      "  cradled [--data DIR] [--listen HOST:PORT]\n"
      "Stop it with Ctrl-C or SIGTERM; every acknowledged write is already "
      "on disk. Talk to it with cradlectl.");
  absl::ParseCommandLine(argc, argv);

  // Signals are taken by one thread with sigwait, never by a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  cradle::services::ServerOptions options;
  options.data_dir = absl::GetFlag(FLAGS_data);
  options.listen = absl::GetFlag(FLAGS_listen);
  options.sync = absl::GetFlag(FLAGS_sync);
  absl::StatusOr<std::unique_ptr<cradle::services::CradleServer>> server =
      cradle::services::CradleServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "cradled: %s\n", server.status().ToString().c_str());
    return 1;
  }
  const cradle::storage::Head head = (*server)->ledger().GetHead();
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::printf("cradled: listening on %s:%d, ledger %s at entry %llu (%s)\n",
              host.c_str(), (*server)->port(), options.data_dir.c_str(),
              static_cast<unsigned long long>(head.sequence),
              cradle::storage::HexHash(head.hash).substr(0, 16).c_str());
  std::fflush(stdout);

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "cradled: signal %d, shutting down\n", sig);
    (*server)->Shutdown();
  });
  (*server)->Wait();
  waiter.join();
  return 0;
}
