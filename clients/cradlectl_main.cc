// cradlectl: Cradle's command-line client. `cradlectl --help` lists the
// commands; `cradlectl COMMAND --help` explains one.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

#include "base/quote.h"
#include "clients/args.h"
#include "clients/cli.h"
#include "grpc/grpc.h"
#include "security/dev_ca.h"
#include "security/ed25519.h"
#include "security/token.h"

namespace cradle::clients {
namespace {

constexpr absl::string_view kDefaultServer = "127.0.0.1:7443";

// Exit codes: 0 done, 1 the server refused or failed, 2 bad command line,
// 3 server unreachable or too slow, 4 recorded but not done (a delivery
// scanned by another receiver than the named one).
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 3;
// 4: recorded by the server, but not what was asked (NotDone in cli.h).
constexpr int kExitNotDone = 4;

std::vector<Command> Commands() {
  std::vector<Command> all;
  for (auto group :
       {RegistryCommands,     CarrierCommands,       PlanCommands,
        ConsultationCommands, ManifestCommands,      TransferCommands,
        ContainerCommands,    StockCommands,         ReportCommands,
        TrackCommands,        ManifestPrintCommands, QueueCommands,
        CorrectionCommands,   FlagCommands,          AuditCommands,
        FeedCommands,         VerifyCommands,        CredentialCommands,
        NodeCommands,         NationalCommands}) {
    std::vector<Command> c = group();
    all.insert(all.end(), c.begin(), c.end());
  }
  return all;
}

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"server", "HOST:PORT",
       absl::StrCat("cradled's address (default ", kDefaultServer, ")")},
      {"token", "TOKEN",
       "the credential to act with (default: $CRADLE_TOKEN, else the "
       "contents of $CRADLE_TOKEN_FILE)"},
      {"token-file", "FILE", "read the token from FILE (e.g. admin.token)"},
      {"ca", "FILE",
       "trust the server certificate signed by this CA (default: $CRADLE_CA, "
       "else the system's roots)"},
      {"insecure", "", "plain TCP, for a server started with --insecure"},
      {"key", "FILE",
       "Ed25519 private key (PEM) that signs manifest writes (default: "
       "$CRADLE_KEY); carriers and receivers must sign"},
      {"json", "", "print one JSON object per result"},
      {"timeout", "DURATION", "deadline of each call (default 10s)"},
      {"idempotency-key", "KEY",
       "reuse a key to retry a write safely (default: a fresh random key)"},
      {"queue", "FILE",
       "offline: sign a pickup, relay, deliver, scan, weigh, receive or "
       "dispose and "
       "keep it in FILE; send later with: cradlectl queue upload FILE"},
      {"help", "", "explain the command"},
  };
  return *flags;
}

void PrintUsage(const std::vector<Command>& commands) {
  std::printf(
      "cradlectl: Cradle's command-line client.\n\n"
      "usage: cradlectl [--server HOST:PORT] [--token T] [--ca FILE] [--json] "
      "COMMAND [ARGS] [FLAGS]\n\n"
      "commands:\n");
  for (const Command& c : commands) {
    std::printf(
        "  %-42s %s\n",
        absl::StrCat(c.path, c.positional.empty() ? "" : " ", c.positional)
            .c_str(),
        c.summary.c_str());
  }
  std::printf("\nglobal flags:\n%s", FlagsHelp(GlobalFlags()).c_str());
  std::printf(
      "\nQuantities take units: 1.25t, 800kg, 500g. Exit codes: 0 done, 1 "
      "refused by the server, 2 bad command line, 3 server unreachable, 4 "
      "recorded but not done (a delivery scanned by a receiver other than the "
      "named one).\n");
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

absl::StatusOr<std::string> ReadFile(absl::string_view flag,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, " cannot be read"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What is wrong with `token`, read from `source`, or "" when it has the
// shape of a Cradle token. It goes into a gRPC header: a line break or a
// byte past ASCII there aborts the client.
std::string TokenProblem(const std::string& source, absl::string_view token) {
  for (size_t i = 0; i < token.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(token[i]);
    if (c < 0x21 || c > 0x7e) {
      return absl::StrCat(source, ": the token has ",
                          c == '\n' || c == '\r' ? "a line break"
                          : c < 0x80             ? "a control byte or space"
                                                 : "a byte past ASCII",
                          " at ", i,
                          "; a token is crd1.<16 hex digits>.<64 hex digits>");
    }
  }
  if (!security::TokenId(token).ok()) {
    return absl::StrCat(source, ": not a Cradle token (", token.size(),
                        " bytes); a token is crd1.<16 hex digits>.<64 hex "
                        "digits>, as `credential issue` wrote it");
  }
  return "";
}

// The channel (TLS unless --insecure), the token and the signing key.
absl::Status Connect(const ParsedArgs& a, const std::string& server,
                     Context* ctx) {
  std::string source = a.Has("token") ? "--token" : "$CRADLE_TOKEN";
  ctx->token = a.Get("token", Env("CRADLE_TOKEN"));
  const std::string token_file = a.Get("token-file", Env("CRADLE_TOKEN_FILE"));
  if (ctx->token.empty() && !token_file.empty()) {
    absl::StatusOr<std::string> t = ReadFile("--token-file", token_file);
    if (!t.ok()) return t.status();
    ctx->token = std::string(absl::StripAsciiWhitespace(*t));
    source = absl::StrCat(
        a.Has("token-file") ? "--token-file " : "$CRADLE_TOKEN_FILE ",
        token_file);
  }
  if (!ctx->token.empty()) {
    if (std::string wrong = TokenProblem(source, ctx->token); !wrong.empty()) {
      return absl::InvalidArgumentError(wrong);
    }
  }
  const std::string key = a.Get("key", Env("CRADLE_KEY"));
  if (!key.empty()) {
    absl::StatusOr<std::unique_ptr<security::Ed25519Key>> k =
        security::LoadKey(key);
    if (!k.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--key: ", k.status().message()));
    }
    ctx->key = *std::move(k);
  }
  if (a.Has("insecure")) {
    ctx->channel =
        grpc::CreateChannel(server, grpc::InsecureChannelCredentials());
    return absl::OkStatus();
  }
  grpc::SslCredentialsOptions ssl;
  const std::string ca = a.Get("ca", Env("CRADLE_CA"));
  if (!ca.empty()) {
    const std::string flag = a.Has("ca") ? "--ca" : "$CRADLE_CA";
    absl::StatusOr<std::string> pem = ReadFile(flag, ca);
    if (!pem.ok()) return pem.status();
    absl::StatusOr<int> certificates = security::CountPemCertificates(*pem);
    if (!certificates.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, " ", ca, " cannot be read as the CA to trust: ",
                       certificates.status().message()));
    }
    ssl.pem_root_certs = *std::move(pem);
  }
  ctx->channel = grpc::CreateChannel(server, grpc::SslCredentials(ssl));
  return absl::OkStatus();
}

// The command `words` name, or null; `rest` gets the words around its
// path. Global flags may come first; the command is the first words
// matching.
const Command* FindCommand(const std::vector<Command>& commands,
                           const std::vector<std::string>& words,
                           std::vector<std::string>* rest) {
  for (size_t i = 0; i < words.size(); ++i) {
    for (const Command& c : commands) {
      const std::vector<std::string> path = absl::StrSplit(c.path, ' ');
      if (i + path.size() <= words.size() &&
          std::equal(path.begin(), path.end(), words.begin() + i)) {
        rest->assign(words.begin(), words.begin() + i);
        rest->insert(rest->end(), words.begin() + i + path.size(), words.end());
        return &c;
      }
    }
  }
  return nullptr;
}

// `words` name no command: the usage, or the commands of the group named
// (`cradlectl manifest`); the exit code.
int NoCommand(const std::vector<Command>& commands,
              const std::vector<std::string>& words) {
  // The words that are not global flags or their values.
  std::vector<std::string> plain;
  for (size_t i = 0; i < words.size(); ++i) {
    if (!absl::StartsWith(words[i], "--")) {
      plain.push_back(words[i]);
      continue;
    }
    const std::string name = words[i].substr(2, words[i].find('=') - 2);
    for (const FlagSpec& f : GlobalFlags()) {
      if (f.name == name && !f.value_name.empty() &&
          words[i].find('=') == std::string::npos) {
        ++i;  // its value
      }
    }
  }
  // The first word of some commands, with no verb after it: that group.
  std::vector<const Command*> group;
  if (!plain.empty()) {
    for (const Command& c : commands) {
      if (absl::StartsWith(c.path, plain[0] + " ")) group.push_back(&c);
    }
  }
  if (!group.empty()) {
    const bool asked =
        std::find(words.begin(), words.end(), "--help") != words.end();
    std::FILE* out = asked ? stdout : stderr;
    if (!asked) {
      std::fprintf(out, "cradlectl %s: which one? It needs one of:\n",
                   plain[0].c_str());
    }
    for (const Command* c : group) {
      // Its first sentence.
      const size_t dot = c->summary.find(". ");
      std::fprintf(
          out, "  cradlectl %-40s %s\n",
          absl::StrCat(c->path, c->positional.empty() ? "" : " ", c->positional)
              .c_str(),
          (dot == std::string::npos ? c->summary
                                    : c->summary.substr(0, dot + 1))
              .c_str());
    }
    std::fprintf(out, "(cradlectl COMMAND --help explains one)\n");
    return asked ? 0 : kExitUsage;
  }
  const bool asked = words.empty() || words[0] == "--help" ||
                     words[0] == "-h" || words[0] == "help";
  PrintUsage(commands);
  if (!asked) {
    std::fprintf(stderr, "\ncradlectl: unknown command %s\n",
                 Quote(absl::StrJoin(plain, " ")).c_str());
  }
  return asked ? 0 : kExitUsage;
}

// The exit code for what the command answered, told on stderr.
int Exit(const Command& command, const absl::Status& s,
         const std::string& server) {
  if (s.ok()) return 0;
  if (IsNotDone(s)) {
    std::fprintf(stderr, "cradlectl %s: %s\n", command.path.c_str(),
                 std::string(s.message()).c_str());
    return kExitNotDone;
  }
  std::fprintf(stderr, "cradlectl %s: %s: %s\n", command.path.c_str(),
               absl::StatusCodeToString(s.code()).c_str(),
               std::string(s.message()).c_str());
  if (s.code() == absl::StatusCode::kUnavailable ||
      s.code() == absl::StatusCode::kDeadlineExceeded) {
    std::fprintf(stderr,
                 "(is cradled running at %s? start it with: cradled; a TLS "
                 "server needs --ca, a plain one --insecure)\n",
                 server.c_str());
    return kExitUnavailable;
  }
  return s.code() == absl::StatusCode::kInvalidArgument &&
                 !s.message().empty() && absl::StartsWith(s.message(), "--")
             ? kExitUsage
             : kExitRefused;
}

int Main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  const std::vector<Command> commands = Commands();
  std::vector<std::string> rest;
  const Command* command = FindCommand(commands, words, &rest);
  if (command == nullptr) return NoCommand(commands, words);
  std::vector<FlagSpec> specs = command->flags;
  specs.insert(specs.end(), GlobalFlags().begin(), GlobalFlags().end());
  absl::StatusOr<ParsedArgs> args = ParseArgs(rest, specs);
  const std::string help = absl::StrCat(
      "usage: cradlectl ", command->path,
      command->positional.empty() ? "" : " ", command->positional,
      " [FLAGS]\n\n", command->summary, "\n\nflags:\n",
      FlagsHelp(command->flags), "\nglobal flags:\n", FlagsHelp(GlobalFlags()));
  if (args.ok() && args->Has("help")) {
    std::printf("%s", help.c_str());
    return 0;
  }
  // "[CODE]": an argument that may be left out; "CODE..." one or more,
  // "[CODE...]" any number.
  const bool optional = absl::StartsWith(command->positional, "[");
  const bool many = absl::StrContains(command->positional, "...");
  const size_t want = command->positional.empty() ? 0 : 1;
  const size_t got = args.ok() ? args->positional.size() : 0;
  const bool fits =
      got == want || (optional && got == 0) || (many && got > want);
  if (args.ok() && !fits) {
    args = absl::InvalidArgumentError(
        want == 0
            ? absl::StrCat("unexpected argument ", Quote(args->positional[0]),
                           "")
            : absl::StrCat(command->path, " needs ", command->positional));
  }
  if (!args.ok()) {
    std::fprintf(stderr, "cradlectl %s: %s\n\n%s", command->path.c_str(),
                 std::string(args.status().message()).c_str(), help.c_str());
    return kExitUsage;
  }
  Context ctx;
  ctx.json = args->Has("json");
  ctx.timeout = absl::Seconds(10);
  ctx.timeout_given = args->Has("timeout");
  if (args->Has("timeout") &&
      (!absl::ParseDuration(args->Get("timeout"), &ctx.timeout) ||
       ctx.timeout <= absl::ZeroDuration())) {
    std::fprintf(stderr,
                 "cradlectl: --timeout \"%s\" is not a duration like 10s\n",
                 args->Get("timeout").c_str());
    return kExitUsage;
  }
  ctx.idempotency_key = args->Get("idempotency-key", RandomKey());
  ctx.queue = args->Get("queue");
  const std::string server = args->Get("server", kDefaultServer);
  absl::Status setup = Connect(*args, server, &ctx);
  if (!setup.ok()) {
    std::fprintf(stderr, "cradlectl: %s\n",
                 std::string(setup.message()).c_str());
    return kExitUsage;
  }

  return Exit(*command, command->run(ctx, *args), server);
}

}  // namespace
}  // namespace cradle::clients

int main(int argc, char** argv) {
  // Hold gRPC's library until every channel is gone, then shut it down and
  // wait: a TLS channel's last handshake objects are freed by gRPC's own
  // threads, which must finish before the process exits.
  grpc_init();
  const int code = cradle::clients::Main(argc, argv);
  grpc_shutdown_blocking();
  return code;
}
