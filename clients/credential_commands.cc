// cradlectl's identity commands: credentials (issue, revoke, list, whoami),
// a party's signing key (keygen) and a development CA for TLS (dev-ca).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "domain/names.h"
#include "security/dev_ca.h"
#include "security/ed25519.h"

namespace cradle::clients {
namespace {

absl::StatusOr<v1::CredentialKind> ParseKind(absl::string_view text) {
  const std::string k = absl::AsciiStrToLower(text);
  if (k == "party") return v1::CREDENTIAL_KIND_PARTY;
  if (k == "regulator") return v1::CREDENTIAL_KIND_REGULATOR;
  if (k == "admin" || k == "administrator")
    return v1::CREDENTIAL_KIND_ADMINISTRATOR;
  return absl::InvalidArgumentError(absl::StrCat(
      "--kind ", Quote(text), " must be party, regulator or admin"));
}

absl::StatusOr<v1::Role> ParseRole(absl::string_view text) {
  std::string r = absl::AsciiStrToLower(text);
  if (r == "carrier") r = "transporter";
  absl::StatusOr<std::vector<v1::Role>> roles = ParseRoles(r);
  if (!roles.ok() || roles->size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--role ", Quote(text),
                     " must be one of generator, collector, carrier, "
                     "receiver"));
  }
  return (*roles)[0];
}

// "90d", "12h", "0" (never) -> seconds; at most ten years.
absl::StatusOr<int64_t> ParseValidFor(absl::string_view text) {
  if (text == "0") return 0;
  const absl::Status bad = absl::InvalidArgumentError(
      absl::StrCat("--valid-for ", Quote(text),
                   " must be like 90d or 12h (0: never expires)"));
  if (text.size() < 2 || (text.back() != 'd' && text.back() != 'h')) {
    return bad;
  }
  const int64_t unit = text.back() == 'd' ? 86400 : 3600;
  constexpr int64_t kMaxSeconds = int64_t{3653} * 86400;  // ten years
  absl::StatusOr<int64_t> n =
      ParseWholeNumber("--valid-for", text.back() == 'd' ? "days" : "hours",
                       text.substr(0, text.size() - 1), 1, kMaxSeconds / unit);
  if (!n.ok()) return n.status();
  return *n * unit;
}

// 64 hex digits, given inline or as a file holding them (keygen's .pub).
absl::StatusOr<std::string> ParsePublicKey(const std::string& text) {
  std::string hex = text;
  std::ifstream in(text);
  if (in) {
    std::stringstream s;
    s << in.rdbuf();
    hex = std::string(absl::StripAsciiWhitespace(s.str()));
  }
  bool ok = hex.size() == 64;
  for (char c : hex) ok &= absl::ascii_isxdigit(static_cast<unsigned char>(c));
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--public-key ", Quote(text),
        " is neither 64 hex digits nor a file holding them (cradlectl "
        "keygen writes one: FILE.pub)"));
  }
  return absl::HexStringToBytes(hex);
}

absl::Status WriteNewFile(const std::string& path, const std::string& text,
                          mode_t mode) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--out: cannot create ", path,
                     errno == EEXIST ? ": it exists (never overwritten)" : ""));
  }
  const bool ok = ::write(fd, text.data(), text.size()) ==
                      static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  return ok ? absl::OkStatus()
            : absl::InternalError(absl::StrCat("cannot write ", path));
}

void PrintCredential(const Context& ctx, const v1::Credential& c) {
  if (ctx.json) {
    PrintJson(c);
    return;
  }
  std::string who;
  switch (c.kind()) {
    case v1::CREDENTIAL_KIND_PARTY:
      who = absl::StrCat(c.enterprise(), " as ",
                         absl::AsciiStrToLower(domain::ShortName(c.role())));
      break;
    case v1::CREDENTIAL_KIND_REGULATOR:
      who = absl::StrCat("regulator of ", c.jurisdiction());
      break;
    default:
      who = "administrator";
  }
  std::printf(
      "%s  %-40s %s%s%s%s\n", c.id().c_str(), who.c_str(),
      c.holder().empty() ? "" : absl::StrCat("(", c.holder(), ") ").c_str(),
      c.public_key().empty() ? "" : "key ",
      c.has_expires_at()
          ? absl::StrCat("expires ", Time(c.expires_at()), " ").c_str()
          : "",
      c.revoked() ? absl::StrCat("REVOKED ", Time(c.revoked_at()), ": ",
                                 c.revoke_reason())
                        .c_str()
                  : "");
}

// cradlectl credential issue
absl::Status IssueCredential(const Context& ctx, const ParsedArgs& a) {
  v1::IssueCredentialRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  CRADLE_CLI_ASSIGN(kind, ParseKind(a.Get("kind")));
  req.set_kind(kind);
  req.set_enterprise(a.Get("enterprise"));
  if (a.Has("role")) {
    CRADLE_CLI_ASSIGN(role, ParseRole(a.Get("role")));
    req.set_role(role);
  }
  req.set_jurisdiction(a.Get("jurisdiction"));
  req.set_holder(a.Get("holder"));
  if (a.Has("public-key")) {
    CRADLE_CLI_ASSIGN(key, ParsePublicKey(a.Get("public-key")));
    req.set_public_key(key);
  }
  if (a.Has("valid-for")) {
    CRADLE_CLI_ASSIGN(seconds, ParseValidFor(a.Get("valid-for")));
    req.set_valid_seconds(seconds);
  }
  v1::IssueCredentialResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Credentials::NewStub(ctx.channel)->Issue(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (a.Has("out")) {
    if (absl::Status w = WriteNewFile(a.Get("out"), reply.token() + "\n", 0600);
        !w.ok()) {
      return absl::DataLossError(absl::StrCat(w.message(), "; credential ",
                                              reply.credential().id(),
                                              " was issued: revoke it"));
    }
    reply.clear_token();
  }
  if (ctx.json) {
    PrintJson(reply);
  } else {
    PrintCredential(ctx, reply.credential());
    if (a.Has("out")) {
      std::printf("token written to %s\n", a.Get("out").c_str());
    } else {
      std::printf("token %s\n", reply.token().c_str());
    }
  }
  return absl::OkStatus();
}

// cradlectl credential revoke
absl::Status RevokeCredential(const Context& ctx, const ParsedArgs& a) {
  v1::RevokeCredentialRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  req.set_id(a.positional[0]);
  req.set_reason(a.Get("reason"));
  v1::RevokeCredentialResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Credentials::NewStub(ctx.channel)->Revoke(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintCredential(ctx, reply.credential());
  return absl::OkStatus();
}

// cradlectl credential list
absl::Status ListCredentials(const Context& ctx, const ParsedArgs& a) {
  v1::ListCredentialsRequest req;
  req.set_enterprise(a.Get("enterprise"));
  auto stub = v1::Credentials::NewStub(ctx.channel);
  do {  // every page
    v1::ListCredentialsResponse reply;
    auto call = ctx.Call();
    grpc::Status s = stub->List(call.get(), req, &reply);
    if (!s.ok()) return FromGrpc(s);
    for (const v1::Credential& cr : reply.credentials()) {
      PrintCredential(ctx, cr);
    }
    req.set_page_token(reply.next_page_token());
  } while (!req.page_token().empty());
  return absl::OkStatus();
}

// cradlectl credential whoami
absl::Status WhoAmI(const Context& ctx, const ParsedArgs&) {
  v1::WhoAmIResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Credentials::NewStub(ctx.channel)
                       ->WhoAmI(call.get(), v1::WhoAmIRequest(), &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintCredential(ctx, reply.credential());
  return absl::OkStatus();
}

// cradlectl keygen
absl::Status KeyGen(const Context& ctx, const ParsedArgs& a) {
  const std::string path = a.Get("out");
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--out ", path, " exists: a key is never overwritten"));
  }
  absl::StatusOr<std::unique_ptr<security::Ed25519Key>> key =
      security::Ed25519Key::LoadOrCreate(path);
  if (!key.ok()) return key.status();
  const std::string hex = absl::BytesToHexString((*key)->public_key());
  if (absl::Status s = WriteNewFile(path + ".pub", hex + "\n", 0644); !s.ok()) {
    return s;
  }
  if (ctx.json) {
    std::printf("{\"key\":\"%s\",\"public_key\":\"%s\"}\n", path.c_str(),
                hex.c_str());
  } else {
    std::printf("private key %s\npublic key  %s (also in %s.pub)\n",
                path.c_str(), hex.c_str(), path.c_str());
  }
  return absl::OkStatus();
}

// cradlectl dev-ca
absl::Status MakeDevCa(const Context&, const ParsedArgs& a) {
  security::DevCaOptions options;
  if (a.Has("host")) options.hosts = a.GetAll("host");
  absl::StatusOr<security::DevCertificates> certs =
      security::MakeDevCertificates(options);
  if (!certs.ok()) return certs.status();
  if (absl::Status s = security::WriteDevCertificates(*certs, a.Get("out"));
      !s.ok()) {
    return s;
  }
  std::printf("wrote %s/ca.crt, ca.key, server.crt, server.key\n",
              a.Get("out").c_str());
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> CredentialCommands() {
  return {
      {"credential issue",
       "",
       "Issue a credential (administrator only). Prints its id and the "
       "token, which is shown once.",
       {{"kind", "KIND", "party, regulator or admin", false, true},
        {"enterprise", "USCC", "party: the enterprise it acts for"},
        {"role", "ROLE", "party: generator, collector, carrier or receiver"},
        {"jurisdiction", "PREFIX",
         "regulator: division prefix of 2, 4 or 6 digits (33, 3304, 330402)"},
        {"holder", "TEXT", "the person or device holding it: \"scanner-07\""},
        {"public-key", "HEX|FILE",
         "the holder's Ed25519 public key (cradlectl keygen); required for "
         "carriers and receivers"},
        {"valid-for", "DURATION", "90d, 12h; default: never expires"},
        {"out", "FILE",
         "write the token to FILE (mode 0600) instead of "
         "printing it"}},
       IssueCredential},
      {"credential revoke",
       "ID",
       "Revoke a credential at once (administrator only).",
       {{"reason", "TEXT", "kept in the ledger", false, true}},
       RevokeCredential},
      {"credential list",
       "",
       "List credentials (administrator only); never their tokens.",
       {{"enterprise", "USCC", "only this enterprise's"}},
       ListCredentials},
      {"credential whoami",
       "",
       "Show the credential this call is made with.",
       {},
       WhoAmI},
      {"keygen",
       "",
       "Make an Ed25519 signing key (local, no server): FILE holds the "
       "private key (mode 0600), FILE.pub its public key in hex for "
       "`credential issue --public-key`.",
       {{"out", "FILE", "where to write the private key", false, true}},
       KeyGen},
      {"dev-ca",
       "",
       "Make a development CA and a server certificate it signs (local, no "
       "server): DIR/ca.crt for clients' --ca, DIR/server.crt and "
       "DIR/server.key for cradled's --tls_cert and --tls_key. Not for "
       "production.",
       {{"out", "DIR", "directory to write the four files to", false, true},
        {"host", "NAME",
         "DNS name or IP the server is reached by (repeat; "
         "default localhost and 127.0.0.1)",
         true}},
       MakeDevCa},
  };
}

}  // namespace cradle::clients
