// cradlectl manifest seal, manifest print, manifest check-qr: the paper
// manifest with the server's seal as a QR code, and its check offline
// (docs/CONTAINERS.md, "The printed manifest").

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

#include "base/status_macros.h"
#include "base/time.h"
#include "clients/audit_reads.h"
#include "clients/cli.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/names.h"
#include "print/manifest_pdf.h"
#include "print/pdf_canvas.h"
#include "services/manifest_seal.h"
#include "storage/entry_codec.h"

namespace cradle::clients {
namespace {

absl::StatusOr<v1::ManifestSeal> FetchSeal(const Context& ctx,
                                           const std::string& number) {
  v1::GetManifestSealRequest req;
  req.set_number(number);
  v1::GetManifestSealResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Audit::NewStub(ctx.channel)->GetManifestSeal(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  return reply.seal();
}

// cradlectl manifest seal
absl::Status ShowSeal(const Context& ctx, const ParsedArgs& a) {
  CRADLE_CLI_ASSIGN(seal, FetchSeal(ctx, a.positional[0]));
  if (ctx.json) {
    PrintJson(seal);
    return absl::OkStatus();
  }
  std::printf("%s\n", services::ManifestSealQr(seal).c_str());
  std::printf("  manifest %s version %llu %s, entry %llu, signed %s\n",
              seal.number().c_str(),
              static_cast<unsigned long long>(seal.version()),
              domain::ShortName(seal.status()).c_str(),
              static_cast<unsigned long long>(seal.entry_sequence()),
              Time(seal.timestamp()).c_str());
  std::printf("  key %s\n", seal.public_key().c_str());
  return absl::OkStatus();
}

// The registered names of the manifest's parties.
absl::StatusOr<std::map<std::string, std::string>> PartyNames(
    const Context& ctx, const v1::Manifest& m) {
  std::set<std::string> ids = {m.generator()};
  for (const v1::Leg& leg : m.legs()) ids.insert(leg.carrier());
  for (const v1::Destination& d : m.destinations()) ids.insert(d.receiver());
  auto registry = v1::Registry::NewStub(ctx.channel);
  std::map<std::string, std::string> names;
  for (const std::string& id : ids) {
    if (id.empty()) continue;
    v1::GetEnterpriseRequest req;
    req.set_id(id);
    v1::GetEnterpriseResponse reply;
    auto call = ctx.Call();
    grpc::Status s = registry->GetEnterprise(call.get(), req, &reply);
    if (!s.ok()) return FromGrpc(s);
    names[id] = reply.enterprise().name();
  }
  return names;
}

// cradlectl manifest print
absl::Status PrintManifestPdf(const Context& ctx, const ParsedArgs& a) {
  const std::string number = a.positional[0];
  print::ManifestDocument doc;
  v1::GetManifestRequest get;
  get.set_number(number);
  v1::GetManifestResponse got;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Manifests::NewStub(ctx.channel)->Get(call.get(), get, &got);
  if (!s.ok()) return FromGrpc(s);
  doc.manifest = got.manifest();
  CRADLE_CLI_ASSIGN(names, PartyNames(ctx, doc.manifest));
  doc.names = std::move(names);
  v1::ChainRequest chain_req;
  chain_req.set_number(number);
  CRADLE_CLI_ASSIGN(chain, WholeChain(ctx, chain_req));
  if (!chain.verified()) {
    return absl::DataLossError(absl::StrCat(
        "the chain of ", number, " does not verify: ", chain.problem()));
  }
  doc.chain.assign(chain.entries().begin(), chain.entries().end());
  // Sealed last, so the seal covers at least every entry printed.
  CRADLE_CLI_ASSIGN(seal, FetchSeal(ctx, number));
  doc.seal = seal;
  doc.seal_qr = services::ManifestSealQr(seal);
  const std::string out = a.Get("out");
  const absl::Status written = print::WriteManifestPdf(doc, out);
  print::ReleasePrintCaches();
  CRADLE_RETURN_IF_ERROR(written);
  std::printf("manifest %s (version %llu, %s) written to %s\n", number.c_str(),
              static_cast<unsigned long long>(seal.version()),
              domain::ShortName(seal.status()).c_str(), out.c_str());
  return absl::OkStatus();
}

// The public key a check trusts: --public-key, or the key of a head saved
// with `audit head --save`.
absl::StatusOr<std::string> TrustedKey(const ParsedArgs& a) {
  if (a.Has("public-key") == a.Has("head")) {
    return absl::InvalidArgumentError(
        "check-qr needs the server's key: --head FILE (saved with audit head "
        "--save) or --public-key HEX, one of them");
  }
  if (a.Has("public-key")) return a.Get("public-key");
  CRADLE_CLI_ASSIGN(head, LoadHead("--head", a.Get("head")));
  return head.head.public_key();
}

// cradlectl manifest check-qr
absl::Status CheckQr(const Context& ctx, const ParsedArgs& a) {
  CRADLE_CLI_ASSIGN(key, TrustedKey(a));
  CRADLE_CLI_ASSIGN(seal, services::ParseManifestSealQr(a.positional[0]));
  CRADLE_RETURN_IF_ERROR(services::VerifyManifestSeal(seal, key));
  std::printf(
      "genuine: manifest %s, version %llu, %s, sealed %s (ledger entry %llu, "
      "hash %s)\n",
      seal.number().c_str(), static_cast<unsigned long long>(seal.version()),
      domain::ShortName(seal.status()).c_str(), Time(seal.timestamp()).c_str(),
      static_cast<unsigned long long>(seal.entry_sequence()),
      seal.entry_hash().c_str());
  if (!a.Has("current")) return absl::OkStatus();
  // Online: is the paper still the manifest as it stands?
  CRADLE_CLI_ASSIGN(now, FetchSeal(ctx, seal.number()));
  if (now.version() == seal.version() &&
      now.entry_hash() == seal.entry_hash()) {
    std::printf("current: nothing has been recorded on it since\n");
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "superseded: manifest ", seal.number(), " is now at version ",
      now.version(), " (", domain::ShortName(now.status()),
      "); the paper shows version ", seal.version()));
}

}  // namespace

std::vector<Command> ManifestPrintCommands() {
  return {
      {"manifest seal",
       "NUMBER",
       "The server's seal on a manifest as it stands: the text of the QR code "
       "a printed manifest carries.",
       {},
       ShowSeal},
      {"manifest print", "NUMBER",
       "Print a manifest as an A4 PDF: the legal form's three parts, its "
       "ledger entries with their hashes, and the server's seal as a QR code.",
       With({{"out", "FILE", "the PDF to write", false, true}}, false),
       PrintManifestPdf},
      {"manifest check-qr",
       "TEXT",
       "Check a printed manifest's QR code offline against the server's "
       "public key; with --current, also ask the server whether it still "
       "stands. Exit 0: genuine (and current).",
       {{"head", "FILE", "a tree head saved with audit head --save: its key"},
        {"public-key", "HEX", "the server's Ed25519 public key"},
        {"current", "", "ask the server whether the manifest changed since"}},
       CheckQr},
  };
}

}  // namespace cradle::clients
