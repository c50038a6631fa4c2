// cradlectl audit follow: the ledger's entries as they are written
// (Feed.Subscribe), resumed from a saved position, reconnecting when the
// server goes away.

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

#include "clients/cli.h"
#include "cradle/v1/feed.grpc.pb.h"

namespace cradle::clients {
namespace {

constexpr absl::Duration kReconnectWait = absl::Seconds(1);

absl::StatusOr<uint64_t> ReadPosition(const std::string& file) {
  std::ifstream in(file);
  if (!in) return 0;  // not written yet: from the start
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  uint64_t position = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &position)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--position-file ", file,
                     " does not hold a position (a number): remove it to "
                     "start from the first entry"));
  }
  return position;
}

// Written whole or not at all: a crash leaves the old position.
absl::Status WritePosition(const std::string& file, uint64_t position) {
  const std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << position << "\n";
    out.flush();
    if (!out) {
      return absl::UnavailableError(
          absl::StrCat("--position-file: cannot write ", tmp));
    }
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    return absl::UnavailableError(
        absl::StrCat("--position-file: cannot replace ", file));
  }
  return absl::OkStatus();
}

void PrintEntry(const v1::LedgerEntry& e) {
  std::printf("%llu  %s v%llu  %s  %s  %s\n",
              static_cast<unsigned long long>(e.sequence()), e.stream().c_str(),
              static_cast<unsigned long long>(e.stream_version()),
              e.type().c_str(), Time(e.recorded()).c_str(), e.actor().c_str());
}

// One subscription, until it ends or fails; `position` follows it.
grpc::Status FollowOnce(const Context& ctx, v1::SubscribeRequest request,
                        const std::string& position_file, uint64_t* position) {
  request.set_after_sequence(*position);
  auto call = ctx.Call();
  if (!ctx.timeout_given)
    call->set_deadline(std::chrono::system_clock::time_point::max());
  auto reader = v1::Feed::NewStub(ctx.channel)->Subscribe(call.get(), request);
  v1::SubscribeResponse msg;
  while (reader->Read(&msg)) {
    for (const v1::LedgerEntry& e : msg.entries()) {
      if (ctx.json) {
        PrintJson(e);
      } else {
        PrintEntry(e);
      }
    }
    std::fflush(stdout);
    *position = msg.position();
    if (!position_file.empty()) {
      if (absl::Status s = WritePosition(position_file, *position); !s.ok()) {
        call->TryCancel();
        reader->Finish();
        return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            std::string(s.message()));
      }
    }
  }
  return reader->Finish();
}

absl::Status Follow(const Context& ctx, const ParsedArgs& a) {
  v1::SubscribeRequest request;
  request.set_jurisdiction(a.Get("jurisdiction"));
  request.set_party(a.Get("party"));
  for (const std::string& t : a.GetAll("type")) request.add_types(t);
  request.set_stop_at_head(a.Has("until-head"));
  const std::string position_file = a.Get("position-file");
  uint64_t position = 0;
  if (a.Has("after") && !position_file.empty()) {
    return absl::InvalidArgumentError(
        "--after and --position-file: give one (the file holds the position)");
  }
  if (a.Has("after") && !absl::SimpleAtoi(a.Get("after"), &position)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--after ", a.Get("after"), " is not a sequence number"));
  }
  if (!position_file.empty()) {
    CRADLE_CLI_ASSIGN(saved, ReadPosition(position_file));
    position = saved;
  }
  while (true) {
    const grpc::Status s = FollowOnce(ctx, request, position_file, &position);
    if (s.ok()) {
      std::fprintf(stderr, "position %llu\n",
                   static_cast<unsigned long long>(position));
      return absl::OkStatus();
    }
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) return FromGrpc(s);
    std::fprintf(
        stderr, "cradlectl: %s; reconnecting from position %llu in %s\n",
        s.error_message().c_str(), static_cast<unsigned long long>(position),
        absl::FormatDuration(kReconnectWait).c_str());
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(kReconnectWait));
  }
}

}  // namespace

std::vector<Command> FeedCommands() {
  return {
      {"audit follow",
       "",
       "Print ledger entries as they are written, from a position on; "
       "reconnects by itself and, with --position-file, resumes where it "
       "stopped, missing nothing and printing nothing twice.",
       {{"after", "SEQ", "start after this entry (default 0: the first)"},
        {"position-file", "FILE",
         "read the start position from FILE (absent: 0) and write the "
         "position reached to it after every message"},
        {"jurisdiction", "CODE",
         "province (2), city (4) or county (6): entries of manifests "
         "touching it and of enterprises in it"},
        {"party", "USCC", "entries of manifests it is party to, and its own"},
        {"type", "TYPE",
         "only this entry type (manifest.issued) or prefix ending in '.' "
         "(manifest.)",
         true},
        {"until-head", "", "stop at the head instead of waiting for more"}},
       Follow},
  };
}

}  // namespace cradle::clients
