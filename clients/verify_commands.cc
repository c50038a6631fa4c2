// cradlectl's checks of a ledger's integrity: `audit verify` (the chain, or
// --deep everything, on the server or --data offline) and `audit integrity`
// (what the server knows: its alarm, its scrubber, its kept head).

#include <unistd.h>

#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "domain/flags/flag_config.h"
#include "security/attestation.h"
#include "security/ed25519.h"
#include "services/ledger_check.h"
#include "services/ledger_guard.h"
#include "storage/entry_codec.h"
#include "storage/rocksdb_ledger.h"

namespace cradle::clients {
namespace {

std::string When(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 ? std::string("?") : Time(t);
}

// Progress on stderr: one line rewritten in place on a terminal, a line
// every tenth otherwise.
class Progress {
 public:
  Progress() : tty_(isatty(STDERR_FILENO) != 0) {}
  ~Progress() { Done(); }

  void Show(const std::string& phase, uint64_t checked, uint64_t of,
            uint64_t streams) {
    const int tenth = of > 0 ? static_cast<int>(checked * 10 / of) : 0;
    std::string line = absl::StrCat(phase, ": ", checked);
    if (of > 0) {
      absl::StrAppend(&line, " of ", of, " (", checked * 100 / of, "%)");
    }
    if (streams > 0) absl::StrAppend(&line, ", ", streams, " streams");
    if (tty_) {
      std::fprintf(stderr, "\r  %-70s", line.c_str());
      shown_ = true;
    } else if (phase != phase_ || tenth != tenth_) {
      std::fprintf(stderr, "  %s\n", line.c_str());
    }
    phase_ = phase;
    tenth_ = tenth;
  }
  void Done() {
    if (tty_ && shown_) std::fprintf(stderr, "\r%-74s\r", "");
    shown_ = false;
  }

 private:
  const bool tty_;
  bool shown_ = false;
  std::string phase_;
  int tenth_ = -1;
};

absl::Status Damaged(const std::string& where, const std::string& problem) {
  return absl::DataLossError(
      absl::StrCat("the ledger is damaged: ", where, ": ", problem));
}

// The ledger in `dir`, opened read-only without the server: the checks on
// open, the server's alarm and kept head, then the whole check.
absl::Status VerifyOffline(const Context& ctx, const std::string& dir,
                           bool deep) {
  storage::RocksDbLedger::Options read_only;
  read_only.read_only = true;
  absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
      storage::RocksDbLedger::Open(dir, read_only);
  if (!ledger.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--data ", dir,
        ": cannot open a ledger there: ", ledger.status().message()));
  }
  const storage::Head head = (*ledger)->GetHead();
  std::printf("ledger %s: %llu entries, head %s\n", dir.c_str(),
              static_cast<unsigned long long>(head.sequence),
              storage::HexHash(head.hash).c_str());
  // The server's own checks on start: its alarm, its kept signed head, the
  // streams of the newest entries. Its key is only read.
  std::vector<std::string> problems;
  absl::StatusOr<std::unique_ptr<security::Ed25519Key>> key =
      security::LoadKey(dir + "/cradle-signing-key.pem");
  if (key.ok()) {
    services::LedgerGuard guard(
        **ledger, **key, SystemClock::Get(), domain::FlagConfig(),
        services::LedgerGuard::Options{dir, /*forensic=*/true,
                                       /*deep_tail_on_open=*/1024,
                                       absl::ZeroDuration()});
    if (absl::Status s = guard.CheckOnStart(); !s.ok()) return s;
    const v1::IntegrityStatus status = guard.Status();
    for (const std::string& p : status.open_problems()) problems.push_back(p);
    std::printf("kept tree head: %s\n",
                status.kept_tree_size() > 0
                    ? absl::StrCat(status.kept_tree_size(), " entries, signed ",
                                   When(status.kept_at()))
                          .c_str()
                    : "none");
  } else {
    problems = (*ledger)->OpenProblems();
    std::printf("kept tree head: not checked (%s)\n",
                std::string(key.status().message()).c_str());
  }
  if (problems.empty()) {
    std::printf("checks on open: ok\n");
  } else {
    std::printf("checks on open: %zu problem%s\n", problems.size(),
                problems.size() == 1 ? "" : "s");
    for (const std::string& p : problems) std::printf("  - %s\n", p.c_str());
  }

  services::CheckOptions options;
  options.deep = deep;
  Progress progress;
  options.pace = [&](const services::CheckProgress& p) {
    progress.Show(p.phase, p.checked, p.of, p.streams);
    return true;
  };
  absl::StatusOr<services::CheckResult> r =
      services::CheckLedger(**ledger, domain::FlagConfig(), options);
  progress.Done();
  if (!r.ok()) return r.status();
  if (ctx.json) {
    std::printf(
        "{\"ok\":%s,\"entries\":%llu,\"streams\":%llu,\"open_problems\":%zu}\n",
        r->ok && problems.empty() ? "true" : "false",
        static_cast<unsigned long long>(r->head.sequence),
        static_cast<unsigned long long>(r->streams), problems.size());
  }
  for (const std::string& n : r->notes) std::printf("note: %s\n", n.c_str());
  if (!r->ok) {
    std::printf("DAMAGED (%s): %s%s\n", r->phase.c_str(),
                r->stream.empty()
                    ? absl::StrCat("entry ", r->first_bad, ": ").c_str()
                    : absl::StrCat("stream ", r->stream, ": ").c_str(),
                r->problem.c_str());
    return Damaged(r->phase, r->problem);
  }
  std::printf("chain and storage: ok, %llu entries\n",
              static_cast<unsigned long long>(r->head.sequence));
  if (deep) {
    std::printf("projections: ok, %llu streams replayed, %llu keys compared\n",
                static_cast<unsigned long long>(r->streams),
                static_cast<unsigned long long>(r->keys));
  }
  if (!problems.empty()) return Damaged("open", problems.front());
  return absl::OkStatus();
}

// The chain only, on the server.
absl::Status VerifyChain(const Context& ctx, const ParsedArgs& a) {
  v1::VerifyRequest req;
  for (const char* flag : {"from", "to"}) {
    if (!a.Has(flag)) continue;
    CRADLE_ASSIGN_OR_RETURN(
        int64_t n,
        ParseWholeNumber(absl::StrCat("--", flag), "entry", a.Get(flag), 1,
                         std::numeric_limits<int64_t>::max()));
    if (flag == std::string("from")) {
      req.set_from_sequence(static_cast<uint64_t>(n));
    } else {
      req.set_to_sequence(static_cast<uint64_t>(n));
    }
  }
  v1::VerifyResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Audit::NewStub(ctx.channel)->Verify(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
  } else if (reply.ok()) {
    std::printf("ok: %llu entries recomputed; head #%llu %s\n",
                static_cast<unsigned long long>(reply.checked()),
                static_cast<unsigned long long>(reply.head_sequence()),
                reply.head_hash().c_str());
  } else {
    std::printf("BROKEN at entry %llu: %s\n",
                static_cast<unsigned long long>(reply.first_bad()),
                reply.problem().c_str());
  }
  return reply.ok() ? absl::OkStatus()
                    : absl::DataLossError(absl::StrCat(
                          "ledger chain broken at entry ", reply.first_bad()));
}

// Everything, on the server, with its progress.
absl::Status VerifyDeepOnline(const Context& ctx) {
  // It reads the whole ledger: no deadline unless one was given.
  grpc::ClientContext call;
  if (ctx.token.size() > 0) {
    call.AddMetadata("authorization", "Bearer " + ctx.token);
  }
  if (ctx.timeout_given) {
    call.set_deadline(absl::ToChronoTime(absl::Now() + ctx.timeout));
  }
  std::unique_ptr<grpc::ClientReader<v1::VerifyDeepProgress>> reader =
      v1::Audit::NewStub(ctx.channel)
          ->VerifyDeep(&call, v1::VerifyDeepRequest());
  v1::VerifyDeepProgress msg, last;
  Progress progress;
  while (reader->Read(&msg)) {
    if (!msg.done()) {
      progress.Show(msg.phase(), msg.checked(), msg.of(), msg.streams());
    }
    last = msg;
  }
  progress.Done();
  grpc::Status s = reader->Finish();
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(last);
  } else if (last.ok()) {
    std::printf(
        "ok: %llu entries, their chain, indexes and Merkle tree; %llu streams "
        "replayed, %llu keys compared; head #%llu %s\n",
        static_cast<unsigned long long>(last.head_sequence()),
        static_cast<unsigned long long>(last.streams()),
        static_cast<unsigned long long>(last.checked()),
        static_cast<unsigned long long>(last.head_sequence()),
        last.head_hash().c_str());
  } else {
    std::printf("DAMAGED (%s): %s%s\n", last.phase().c_str(),
                last.stream().empty()
                    ? absl::StrCat("entry ", last.first_bad(), ": ").c_str()
                    : absl::StrCat("stream ", last.stream(), ": ").c_str(),
                last.problem().c_str());
  }
  for (const std::string& n : last.notes()) {
    std::printf("note: %s\n", n.c_str());
  }
  return last.ok() ? absl::OkStatus() : Damaged(last.phase(), last.problem());
}

absl::Status Verify(const Context& ctx, const ParsedArgs& a) {
  const bool deep = a.Has("deep");
  if (a.Has("data")) {
    if (a.Has("from") || a.Has("to")) {
      return absl::InvalidArgumentError(
          "--from/--to check part of the chain on the server; --data checks "
          "the whole ledger");
    }
    return VerifyOffline(ctx, a.Get("data"), deep);
  }
  if (deep) {
    if (a.Has("from") || a.Has("to")) {
      return absl::InvalidArgumentError(
          "--deep checks the whole ledger: drop --from/--to");
    }
    return VerifyDeepOnline(ctx);
  }
  return VerifyChain(ctx, a);
}

absl::Status Integrity(const Context& ctx, const ParsedArgs&) {
  v1::GetIntegrityResponse got;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Audit::NewStub(ctx.channel)
          ->GetIntegrity(call.get(), v1::GetIntegrityRequest(), &got);
  if (!s.ok()) return FromGrpc(s);
  const v1::IntegrityStatus& status = got.status();
  if (ctx.json) {
    PrintJson(status);
    return absl::OkStatus();
  }
  if (status.damaged()) {
    std::printf("DAMAGED: found by the %s at %s: %s\n",
                status.found_by().c_str(), When(status.found_at()).c_str(),
                status.problem().c_str());
    std::printf(
        "  every write is refused; inspect the ledger with "
        "`cradlectl audit verify --data DIR --deep`\n");
  } else {
    std::printf("no damage found\n");
  }
  if (status.forensic()) {
    std::printf("forensic start: serving for inspection, writes refused\n");
    for (const std::string& p : status.open_problems()) {
      std::printf("  - %s\n", p.c_str());
    }
  }
  const v1::Scrub& scrub = status.scrub();
  if (scrub.rate() <= 0) {
    std::printf("scrubber: off\n");
  } else {
    std::printf("scrubber: %s, %s, up to %.0f entries/s; pass %llu, %s",
                scrub.running() ? "running" : "stopped",
                scrub.deep() ? "deep" : "chain only", scrub.rate(),
                static_cast<unsigned long long>(scrub.pass_number()),
                scrub.phase().c_str());
    if (scrub.of() > 0) {
      std::printf(" %llu of %llu",
                  static_cast<unsigned long long>(scrub.checked()),
                  static_cast<unsigned long long>(scrub.of()));
    }
    std::printf(
        "; %llu passes completed%s\n",
        static_cast<unsigned long long>(scrub.passes_completed()),
        scrub.passes_completed() > 0
            ? absl::StrCat(", the last at ", When(scrub.last_pass_completed()))
                  .c_str()
            : "");
  }
  std::printf("kept tree head: %s\n",
              status.kept_tree_size() > 0
                  ? absl::StrCat(status.kept_tree_size(), " entries, signed ",
                                 When(status.kept_at()))
                        .c_str()
                  : "none yet");
  return status.damaged() ? Damaged(status.found_by(), status.problem())
                          : absl::OkStatus();
}

}  // namespace

std::vector<Command> VerifyCommands() {
  return {
      {"audit verify",
       "",
       "Check the ledger: its hash chain, or with --deep everything, on the "
       "server or with --data DIR offline. --deep also checks the stream "
       "index, the Merkle tree and the head record, and replays every stream "
       "against the state, indexes and counters kept of it. --data reads a "
       "ledger directory without the server and writes nothing, so a ledger "
       "the server refuses can be inspected. Exits 1 naming the first "
       "damage.",
       {{"from", "SEQ", "first entry of the chain (default 1)"},
        {"to", "SEQ", "last entry of the chain (default: the head)"},
        {"deep", "", "everything, not only the chain (takes longer)"},
        {"data", "DIR", "check the ledger in DIR here, without the server"}},
       Verify},
      {"audit integrity",
       "",
       "What the server knows of its ledger's integrity: damage found (and "
       "by what), the scrubber's progress, the last tree head it kept.",
       {},
       Integrity},
  };
}

}  // namespace cradle::clients
