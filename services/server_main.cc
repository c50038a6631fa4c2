// cradled: every Cradle service in one process over an embedded ledger.

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"

#include "base/flags_usage.h"
#include "base/quote.h"
#include "base/signals.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "domain/flags/flag_config.h"
#include "domain/work_calendar.h"
#include "services/roles.h"
#include "services/server.h"
#include "storage/entry_codec.h"

ABSL_FLAG(std::string, data, "cradle-data",
          "Directory of the RocksDB ledger; created on first start. Keep it: "
          "it is the record (at least 10 years).");
ABSL_FLAG(std::string, listen, "127.0.0.1:7443",
          "Address to serve gRPC on, host:port. Port 0 picks a free port and "
          "prints it.");
ABSL_FLAG(std::string, tls_cert, "",
          "TLS certificate chain (PEM) the server presents. Make a "
          "development CA and certificate with `cradlectl dev-ca --out DIR`.");
ABSL_FLAG(std::string, tls_key, "", "Private key (PEM) of --tls_cert.");
ABSL_FLAG(bool, insecure, false,
          "Serve plain TCP instead of TLS. Refused unless --listen is a "
          "loopback address: bearer tokens must not cross a network in "
          "clear.");
ABSL_FLAG(std::string, admin_token_file, "",
          "Where the first start writes the administrator's token (mode "
          "0600). Default: DIR/admin.token under --data.");
ABSL_FLAG(std::string, transit_limit, "72h",
          "TRANSIT_OVERDUE: picked up and not delivered within this (72h, "
          "30d, 5wd = working days).");
ABSL_FLAG(std::string, receipt_limit, "5wd",
          "RECEIPT_OVERDUE: delivered and not confirmed within this.");
ABSL_FLAG(std::string, disposal_limit, "30d",
          "MISSING_DISPOSAL: accepted and not disposed of within this.");
ABSL_FLAG(std::string, backfill_limit, "10wd",
          "BACKFILL_OVERDUE: a paper-fallback trip not back-filled to delivery "
          "within this of its paper date.");
ABSL_FLAG(std::string, revision_lapse, "5wd",
          "A proposed revision not approved by every party it touches within "
          "this lapses.");
ABSL_FLAG(std::string, scan_window, "72h",
          "A container scan made on a device longer ago than this is refused "
          "when it reaches the server (offline devices upload within it); one "
          "more than 5 minutes old is kept and marked late.");
ABSL_FLAG(double, corridor_km, 2.0,
          "ROUTE_DEVIATION: how far (km) a leg's track may stray from the "
          "route it declared; a stop this near the route's ends is no "
          "LONG_STOP.");
ABSL_FLAG(std::string, long_stop, "60m",
          "LONG_STOP: how long a vehicle may stand still away from its "
          "route's origin and destination.");
ABSL_FLAG(std::string, track_gap, "15m",
          "TRACK_GAP: how long a leg's track may go without points while the "
          "load is in transit.");
ABSL_FLAG(double, quantity_tolerance, 5.0,
          "QUANTITY_DISCREPANCY: received weight may differ from shipped by "
          "this percentage.");
ABSL_FLAG(std::string, calendar, "",
          "Working-day calendar file of whole years (\"year YYYY\", then "
          "holiday/workday lines; see data/cn-workdays.txt), added to the "
          "built-in years 2004-2026, replacing any year it repeats: how an "
          "operator adds a year the State Council has published.");
ABSL_FLAG(std::string, sweep_interval, "60s",
          "How often deadline flags are checked; 0: only when Flags.Sweep "
          "asks (a sweeper run apart, --sweeper). With --sweeper: how often "
          "it asks.");
ABSL_FLAG(bool, forensic, false,
          "Serve a ledger the checks on start find damaged, for inspection: "
          "reads work, every write is refused, the write services report "
          "NOT_SERVING, and what the checks found is printed "
          "(docs/RELIABILITY.md).");
ABSL_FLAG(double, scrub_rate, 2000,
          "The background scrubber re-verifies the whole ledger, again and "
          "again, at most this many entries a second; 0 turns it off.");
ABSL_FLAG(bool, scrub_deep, true,
          "The scrubber also replays every stream and compares it with the "
          "state, indexes and counters it keeps (--noscrub_deep: the chain "
          "only).");
ABSL_FLAG(std::string, scrub_pause, "10m",
          "The scrubber's rest between two passes.");
ABSL_FLAG(std::string, checkpoint_interval, "1m",
          "How often the server signs its tree head and keeps it in "
          "DIR/signed-head, which the next start checks the ledger against; "
          "0: only when a regulator asks.");
ABSL_FLAG(uint64_t, verify_tail, 1024,
          "The newest entries the checks on start cover (chain, indexes, "
          "Merkle nodes, their streams replayed); older ones are the "
          "scrubber's.");
ABSL_FLAG(bool, sync, true,
          "fsync every group commit before acknowledging. --nosync is for "
          "benchmarks only: a crash can then lose acknowledged entries.");

ABSL_FLAG(std::string, cluster_log, "",
          "Run as a node of a province's cluster (docs/CLUSTER.md): the "
          "libpq connection string of the PostgreSQL database that holds "
          "the province's log, e.g. \"host=db1,db2,db3 "
          "target_session_attrs=read-write user=cradle dbname=cradle\". "
          "Empty: one embedded process.");
ABSL_FLAG(std::string, cluster_table, "cradle_log",
          "The province's log table in --cluster-log.");
ABSL_FLAG(std::string, advertise, "",
          "host:port the other nodes reach this one at, to forward writes "
          "while it is the writer; default --listen.");
ABSL_FLAG(std::string, cluster_read_wait, "2s",
          "How long a call sending cradle-min-sequence waits for this node "
          "to hold that entry before it is refused (UNAVAILABLE).");
ABSL_FLAG(std::string, cluster_connect_wait, "2m",
          "How long a cluster node's start waits for the log's database "
          "(during a failover, say) before it gives up.");
ABSL_FLAG(std::string, cluster_lease, "3s",
          "The writer's lease: the writer renews it every 250 ms; a writer "
          "that has not for this long (frozen, or cut off by a network "
          "partition with its database session still open) has its session "
          "ended by the next node that tries, which then writes. At least "
          "1s.");
ABSL_FLAG(std::string, cluster_peer_ca, "",
          "With TLS, the CA (PEM) the other nodes' certificates are checked "
          "against when a write is forwarded.");
ABSL_FLAG(bool, follow_only, false,
          "A cluster node that never becomes the writer: a read-only copy of "
          "the province (a reporting replica, a national mirror); writes "
          "sent to it still go to the writer.");
ABSL_FLAG(std::string, serve, "all",
          "The services this node offers, comma-separated: registry, "
          "credentials, manifests, transfers, disposals, corrections, flags, "
          "audit, feed, or all. Node (status, checkpoints) is always served. "
          "A part of them only with --follow-only: a node that may become "
          "the writer takes the writes the others forward. A front sends "
          "each call only to the nodes whose health says they serve it "
          "(docs/CLUSTER.md, \"Roles\").");
ABSL_FLAG(std::string, signing_key, "",
          "The Ed25519 key (PEM) that signs tree heads. Default: "
          "<data>/cradle-signing-key.pem, made on first start. The nodes of "
          "a province's cluster share one (scripts/cluster.sh makes it), so "
          "that every node's signed heads verify against one public key.");
ABSL_FLAG(std::string, join_from, "",
          "host:port of a node of the cluster: a node whose --data holds no "
          "ledger yet starts from a checkpoint of that node's (Node."
          "Checkpoint), then applies the log after it. Ignored once --data "
          "holds a ledger.");
ABSL_FLAG(std::string, join_token_file, "",
          "With --join-from: a file holding an administrator's token of the "
          "cluster (checkpoints are the administrator's).");
ABSL_FLAG(std::string, national, "",
          "Run as the national node (docs/CLUSTER.md, \"The nation\"): the "
          "file listing the provinces to follow, one per line: CODE TABLE "
          "PUBLIC_KEY_HEX CONNINFO. Each province's log is followed into a "
          "ledger under <data>/provinces/CODE and its published signed heads "
          "checked against the key; lines added while running are followed "
          "at once. Serves Credentials and National only.");
ABSL_FLAG(std::string, province, "",
          "With --provinces-file: this node's province, its 2-digit code "
          "(33 for Zhejiang).");
ABSL_FLAG(std::string, provinces_file, "",
          "Calls across provinces (docs/CLUSTER.md): the directory of "
          "provinces, one per line: CODE PUBLIC_KEY_HEX NODES (host:port,"
          "...), the key being the one the province's nodes sign with "
          "(--signing-key). A party's call here on a manifest that another "
          "listed province owns is relayed to that province's nodes, vouched "
          "for with this province's key in place of the party's token; a "
          "call relayed from a listed province is admitted as its party's. "
          "Must list --province with this node's signing key. Read at start.");

ABSL_FLAG(std::string, front, "",
          "Run as a front (docs/CLUSTER.md, \"Roles\"): a stateless process "
          "that checks each call's request and relays it, with the caller's "
          "token, to one of these nodes (host:port,host:port,...), taking "
          "them in turn and the next when one is unavailable. Holds no "
          "ledger; --data is not used. Nodes are reached with TLS checked "
          "against --cluster-peer-ca, or plain TCP with --insecure.");

ABSL_FLAG(std::string, sweeper, "",
          "Run as the deadline sweeper (docs/CLUSTER.md, \"Roles\"): every "
          "--sweep-interval, ask these nodes or fronts (host:port,...) for a "
          "sweep (Flags.Sweep), the next when one is unavailable; the writer "
          "raises what is due. Holds no ledger; two do no harm. Give the "
          "nodes --sweep-interval 0. Needs --sweeper-token-file; serves gRPC "
          "health on --listen (SERVING once a sweep went through).");
ABSL_FLAG(std::string, sweeper_token_file, "",
          "With --sweeper: a file holding an administrator's token.");

ABSL_FLAG(std::string, http_listen, "",
          "host:port to serve the HTTP/JSON gateway and the pages on, in "
          "this process (HTTPS with --tls-cert, or plain HTTP with "
          "--insecure on loopback); empty: none. docs/WEB.md.");
ABSL_FLAG(std::string, web, "",
          "With --http-listen: the folder of the pages (the repository's "
          "web/); empty: the API only.");

namespace {

// The cluster's flags into `options`; INVALID_ARGUMENT naming the flag.
absl::Status ClusterFromFlags(cradle::services::ServerOptions* options) {
  options->cluster_log = absl::GetFlag(FLAGS_cluster_log);
  options->cluster_table = absl::GetFlag(FLAGS_cluster_table);
  options->advertise = absl::GetFlag(FLAGS_advertise);
  options->cluster_peer_ca = absl::GetFlag(FLAGS_cluster_peer_ca);
  options->signing_key_file = absl::GetFlag(FLAGS_signing_key);
  options->cluster_follow_only = absl::GetFlag(FLAGS_follow_only);
  if (options->cluster_follow_only && options->cluster_log.empty()) {
    return absl::InvalidArgumentError(
        "--follow-only is for a cluster node: give --cluster-log too");
  }
  for (absl::string_view name :
       absl::StrSplit(absl::GetFlag(FLAGS_serve), ',', absl::SkipEmpty())) {
    options->serve.emplace_back(absl::StripAsciiWhitespace(name));
  }
  if (absl::Status s = cradle::services::OfferedServices(
                           options->serve, options->cluster_follow_only)
                           .status();
      !s.ok()) {
    return s;
  }
  options->national_provinces = absl::GetFlag(FLAGS_national);
  options->province = absl::GetFlag(FLAGS_province);
  options->provinces_file = absl::GetFlag(FLAGS_provinces_file);
  for (absl::string_view node :
       absl::StrSplit(absl::GetFlag(FLAGS_front), ',', absl::SkipEmpty())) {
    options->front_nodes.emplace_back(node);
  }
  for (absl::string_view node :
       absl::StrSplit(absl::GetFlag(FLAGS_sweeper), ',', absl::SkipEmpty())) {
    options->sweeper_nodes.emplace_back(node);
  }
  options->sweeper_token_file = absl::GetFlag(FLAGS_sweeper_token_file);
  if (!options->sweeper_nodes.empty() && options->sweeper_token_file.empty()) {
    return absl::InvalidArgumentError(
        "--sweeper needs --sweeper-token-file (an administrator's token)");
  }
  if (!options->sweeper_nodes.empty() && !options->front_nodes.empty()) {
    return absl::InvalidArgumentError(
        "--sweeper and --front are two roles: start two processes");
  }
  options->join_from = absl::GetFlag(FLAGS_join_from);
  options->join_token_file = absl::GetFlag(FLAGS_join_token_file);
  if (!options->join_from.empty() &&
      (options->cluster_log.empty() || options->join_token_file.empty())) {
    return absl::InvalidArgumentError(
        "--join-from needs --cluster-log (the log to follow after the "
        "checkpoint) and --join-token-file (an administrator's token)");
  }
  for (const auto& [name, text, into] :
       {std::tuple<const char*, std::string, absl::Duration*>{
            "--cluster-read-wait", absl::GetFlag(FLAGS_cluster_read_wait),
            &options->cluster_read_wait},
        std::tuple<const char*, std::string, absl::Duration*>{
            "--cluster-connect-wait", absl::GetFlag(FLAGS_cluster_connect_wait),
            &options->cluster_connect_wait},
        std::tuple<const char*, std::string, absl::Duration*>{
            "--cluster-lease", absl::GetFlag(FLAGS_cluster_lease),
            &options->cluster_lease}}) {
    if (!absl::ParseDuration(text, into) || *into < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, " ", cradle::Quote(text), " is not a duration such as 2s"));
    }
  }
  if (!options->cluster_log.empty() && !options->insecure &&
      options->cluster_peer_ca.empty()) {
    return absl::InvalidArgumentError(
        "--cluster-peer-ca is required for a cluster node with TLS (the CA "
        "of the other nodes' certificates)");
  }
  return absl::OkStatus();
}

// The server's options from the flags; INVALID_ARGUMENT naming the flag
// that is wrong.
absl::StatusOr<cradle::services::ServerOptions> OptionsFromFlags() {
  cradle::services::ServerOptions options;
  struct LimitFlag {
    const char* name;
    std::string value;
    cradle::domain::Limit* into;
  };
  for (const LimitFlag& f :
       {LimitFlag{"--transit-limit", absl::GetFlag(FLAGS_transit_limit),
                  &options.flags.transit},
        LimitFlag{"--receipt-limit", absl::GetFlag(FLAGS_receipt_limit),
                  &options.flags.receipt},
        LimitFlag{"--disposal-limit", absl::GetFlag(FLAGS_disposal_limit),
                  &options.flags.disposal},
        LimitFlag{"--backfill-limit", absl::GetFlag(FLAGS_backfill_limit),
                  &options.flags.backfill},
        LimitFlag{"--revision-lapse", absl::GetFlag(FLAGS_revision_lapse),
                  &options.flags.revision}}) {
    CRADLE_ASSIGN_OR_RETURN(*f.into,
                            cradle::domain::ParseLimit(f.name, f.value));
  }
  if (!absl::ParseDuration(absl::GetFlag(FLAGS_scan_window),
                           &options.flags.scan_window) ||
      options.flags.scan_window < absl::Hours(1) ||
      options.flags.scan_window > absl::Hours(24 * 30)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--scan-window \"", absl::GetFlag(FLAGS_scan_window),
                     "\" must be a duration from 1h to 720h, e.g. 72h"));
  }
  const double corridor = absl::GetFlag(FLAGS_corridor_km);
  if (!(corridor >= 0.1 && corridor <= 100)) {
    return absl::InvalidArgumentError(
        "--corridor-km must be from 0.1 to 100 (kilometres)");
  }
  options.flags.corridor_m = corridor * 1000;
  for (auto [name, text, into] :
       {std::tuple{"--long-stop", absl::GetFlag(FLAGS_long_stop),
                   &options.flags.long_stop},
        std::tuple{"--track-gap", absl::GetFlag(FLAGS_track_gap),
                   &options.flags.track_gap}}) {
    if (!absl::ParseDuration(text, into) || *into < absl::Minutes(1) ||
        *into > absl::Hours(24)) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, " \"", text, "\" must be a duration from 1m to 24h, e.g. 45m"));
    }
  }
  const double tolerance = absl::GetFlag(FLAGS_quantity_tolerance);
  if (!(tolerance >= 0 && tolerance <= 100)) {
    return absl::InvalidArgumentError(
        "--quantity-tolerance must be a percentage from 0 to 100");
  }
  options.flags.quantity_tolerance_bp =
      static_cast<int64_t>(tolerance * 100 + 0.5);
  if (!absl::GetFlag(FLAGS_calendar).empty()) {
    std::ifstream in(absl::GetFlag(FLAGS_calendar));
    std::stringstream text;
    if (in.is_open()) text << in.rdbuf();
    if (!in.is_open() || in.bad()) {
      return absl::NotFoundError(absl::StrCat(
          "--calendar ", absl::GetFlag(FLAGS_calendar), " cannot be read"));
    }
    absl::StatusOr<cradle::domain::WorkCalendar> parsed =
        cradle::domain::WorkCalendar::Parse(text.str());
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--calendar ", absl::GetFlag(FLAGS_calendar), ": ",
                       parsed.status().message()));
    }
    // The built-in years and the file's, the file's replacing any year it
    // repeats. Lives as long as the process: the server keeps a pointer.
    auto* calendar = new cradle::domain::WorkCalendar(
        cradle::domain::WorkCalendar::Builtin());
    calendar->Add(*parsed);
    options.flags.calendar = calendar;
  }
  if (!absl::ParseDuration(absl::GetFlag(FLAGS_sweep_interval),
                           &options.sweep_interval) ||
      options.sweep_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--sweep-interval must be a duration such as 60s (0 turns it off)");
  }
  for (const auto& [name, text, into] :
       {std::tuple<const char*, std::string, absl::Duration*>{
            "--scrub-pause", absl::GetFlag(FLAGS_scrub_pause),
            &options.scrub_pause},
        std::tuple<const char*, std::string, absl::Duration*>{
            "--checkpoint-interval", absl::GetFlag(FLAGS_checkpoint_interval),
            &options.checkpoint_interval}}) {
    if (!absl::ParseDuration(text, into) || *into < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " ", cradle::Quote(text),
                       " is not a duration such as 10m or 30s"));
    }
  }
  options.scrub_rate = absl::GetFlag(FLAGS_scrub_rate);
  if (!(options.scrub_rate >= 0 && options.scrub_rate <= 1e9)) {
    return absl::InvalidArgumentError(
        "--scrub-rate must be entries a second, from 0 (off)");
  }
  options.scrub_deep = absl::GetFlag(FLAGS_scrub_deep);
  options.forensic = absl::GetFlag(FLAGS_forensic);
  options.verify_tail_on_open = absl::GetFlag(FLAGS_verify_tail);
  options.data_dir = absl::GetFlag(FLAGS_data);
  options.listen = absl::GetFlag(FLAGS_listen);
  options.sync = absl::GetFlag(FLAGS_sync);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.insecure = absl::GetFlag(FLAGS_insecure);
  options.admin_token_file = absl::GetFlag(FLAGS_admin_token_file);
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.web_root = absl::GetFlag(FLAGS_web);
  if (!options.web_root.empty() && options.http_listen.empty()) {
    return absl::InvalidArgumentError(
        "--web is served by the gateway: give --http-listen too");
  }
  if (absl::Status s = ClusterFromFlags(&options); !s.ok()) return s;
  // A node counts limits in working days: a year missing from the
  // calendar leaves them undated, which it says at start (and the sweeper
  // at every pass). A front and a remote sweeper count none.
  if (options.front_nodes.empty() && options.sweeper_nodes.empty()) {
    const std::string warning =
        options.flags.calendar->MissingYearWarning(absl::Now());
    if (!warning.empty()) {
      std::fprintf(stderr, "cradled: warning: %s\n", warning.c_str());
    }
  }
  return options;
}

// Where it listens and what ledger it serves; on a forensic start, what
// the checks found.
void PrintStarted(cradle::services::CradleServer& server,
                  const cradle::services::ServerOptions& options) {
  const cradle::storage::Head head = server.ledger().GetHead();
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  if (!server.new_admin_token_file().empty()) {
    std::printf(
        "cradled: first start: administrator token written to %s (mode "
        "0600). Keep it secret; issue other credentials with it.\n",
        server.new_admin_token_file().c_str());
  }
  std::printf(
      "cradled: listening on %s:%d (%s), ledger %s at entry %llu (%s)\n",
      host.c_str(), server.port(),
      options.insecure ? "plain TCP, loopback" : "TLS",
      options.data_dir.c_str(), static_cast<unsigned long long>(head.sequence),
      cradle::storage::HexHash(head.hash).substr(0, 16).c_str());
  if (server.http_port() != 0) {
    const std::string http_host =
        options.http_listen.substr(0, options.http_listen.rfind(':'));
    std::printf("cradled: pages and the HTTP/JSON API on %s://%s:%d/%s\n",
                options.insecure ? "http" : "https", http_host.c_str(),
                server.http_port(),
                options.web_root.empty() ? " (API only)" : "");
  }
  const cradle::v1::IntegrityStatus integrity = server.Integrity();
  if (integrity.forensic()) {
    std::printf(
        "cradled: FORENSIC: serving for inspection; every write is "
        "refused\n");
    if (integrity.damaged()) {
      std::printf("cradled:   the %s found on %s: %s\n",
                  integrity.found_by().c_str(),
                  absl::FormatTime(absl::RFC3339_sec,
                                   cradle::FromTimestamp(integrity.found_at()),
                                   absl::UTCTimeZone())
                      .c_str(),
                  integrity.problem().c_str());
    }
    for (const std::string& p : integrity.open_problems()) {
      std::printf("cradled:   %s\n", p.c_str());
    }
    if (integrity.open_problems().empty()) {
      std::printf("cradled:   the checks on start found nothing wrong\n");
    }
  }
  std::fflush(stdout);
}

// Serves until SIGINT or SIGTERM, taken on a thread of its own, then shuts
// `process` down; 0 once it has stopped.
template <typename Process>
int ServeUntilSignal(Process& process, sigset_t& signals) {
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "cradled: signal %d, shutting down\n", sig);
    process.Shutdown();
  });
  process.Wait();
  waiter.join();
  return 0;
}

// The front role: relays until a signal.
int RunFront(const cradle::services::ServerOptions& options,
             sigset_t& signals) {
  absl::StatusOr<std::unique_ptr<cradle::services::FrontServer>> front =
      cradle::services::StartFront(options);
  if (!front.ok()) {
    std::fprintf(stderr, "cradled: front: %s\n",
                 front.status().ToString().c_str());
    return 1;
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::printf("cradled: front listening on %s:%d (%s), relaying to %s\n",
              host.c_str(), (*front)->port(),
              options.insecure ? "plain TCP, loopback" : "TLS",
              absl::StrJoin(options.front_nodes, ", ").c_str());
  std::fflush(stdout);
  return ServeUntilSignal(**front, signals);
}

// The sweeper role: sweeps until a signal.
int RunSweeper(const cradle::services::ServerOptions& options,
               sigset_t& signals) {
  if (options.sweep_interval <= absl::ZeroDuration()) {
    std::fprintf(stderr,
                 "cradled: sweeper: --sweep-interval must be more than 0\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<cradle::services::SweeperProcess>> sweeper =
      cradle::services::SweeperProcess::Start(options);
  if (!sweeper.ok()) {
    std::fprintf(stderr, "cradled: sweeper: %s\n",
                 sweeper.status().ToString().c_str());
    return 1;
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::printf(
      "cradled: sweeper: health on %s:%d, a sweep every %s through %s\n",
      host.c_str(), (*sweeper)->port(),
      absl::FormatDuration(options.sweep_interval).c_str(),
      absl::StrJoin(options.sweeper_nodes, ", ").c_str());
  std::fflush(stdout);
  return ServeUntilSignal(**sweeper, signals);
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's abseil is built with its debug-mode lock-order graph on, which
  // costs every Mutex acquisition; the tests (sanitizer builds) keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  cradle::ShowOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "Cradle's server: hosts the Registry, Manifests, Transfers, Disposals "
      "and Audit gRPC services over an append-only, hash-chained ledger.\n"
      "  cradled [--data DIR] [--listen HOST:PORT] --tls_cert F --tls_key F\n"
      "  cradled [--data DIR] --insecure            (loopback only)\n"
      "  cradled ... --cluster-log CONNINFO --advertise HOST:PORT  (a node "
      "of a province's cluster; docs/CLUSTER.md)\n"
      "  cradled --front NODE,NODE,... [--listen HOST:PORT]  (a stateless "
      "front relaying to a province's nodes)\n"
      "  cradled --sweeper NODE,... --sweeper-token-file F  (the deadline "
      "sweeper, apart)\n"
      "Every call needs a credential (\"authorization: Bearer <token>\"). The "
      "first start creates an administrator credential and writes its "
      "token to DIR/admin.token; issue the parties' credentials with it "
      "(cradlectl credential issue).\n"
      "Stop it with Ctrl-C or SIGTERM; every acknowledged write is already "
      "on disk. Talk to it with cradlectl.");
  cradle::ParseCommandLineWithDashes(argc, argv);

  sigset_t signals = cradle::BlockStopSignals();

  absl::StatusOr<cradle::services::ServerOptions> options = OptionsFromFlags();
  if (!options.ok()) {
    std::fprintf(stderr, "cradled: %s\n",
                 std::string(options.status().message()).c_str());
    return 2;
  }
  if (!options->front_nodes.empty()) return RunFront(*options, signals);
  if (!options->sweeper_nodes.empty()) return RunSweeper(*options, signals);
  absl::StatusOr<std::unique_ptr<cradle::services::CradleServer>> server =
      cradle::services::CradleServer::Start(*options);
  if (!server.ok()) {
    std::fprintf(stderr, "cradled: %s\n", server.status().ToString().c_str());
    return 1;
  }
  PrintStarted(**server, *options);
  return ServeUntilSignal(**server, signals);
}
