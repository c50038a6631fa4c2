#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

#include "base/time.h"
#include "clients/audit_reads.h"
#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "domain/names.h"
#include "security/ed25519.h"
#include "storage/entry_codec.h"
#include "storage/merkle.h"
#include "storage/tree_head.h"

namespace cradle::clients {
namespace {

absl::StatusOr<std::string> Unhex(absl::string_view field,
                                  absl::string_view hex, size_t bytes) {
  std::string raw;
  if (!storage::ParseHex(hex, bytes, &raw)) {
    return absl::DataLossError(
        absl::StrCat(field, " is not ", bytes, " bytes of hex"));
  }
  return raw;
}

}  // namespace

absl::StatusOr<CheckedHead> CheckHead(const v1::SignedTreeHead& head) {
  CheckedHead out;
  out.head = head;
  CRADLE_CLI_ASSIGN(root, Unhex("root_hash", head.root_hash(), 32));
  CRADLE_CLI_ASSIGN(key, Unhex("public_key", head.public_key(), 32));
  CRADLE_CLI_ASSIGN(sig, Unhex("signature", head.signature(), 64));
  const absl::Time at = FromTimestamp(head.timestamp());
  if (!security::VerifyEd25519(
          key, storage::TreeHeadMessage(head.tree_size(), at, root), sig)) {
    return absl::DataLossError(
        "the tree head's signature does not verify with its public key");
  }
  out.root = root;
  out.public_key = key;
  return out;
}

absl::StatusOr<CheckedHead> LoadHead(absl::string_view flag,
                                     const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(flag, " ", path, " cannot be read"));
  }
  std::stringstream text;
  text << in.rdbuf();
  v1::SignedTreeHead head;
  if (!google::protobuf::util::JsonStringToMessage(text.str(), &head).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, " is not a saved tree head"));
  }
  absl::StatusOr<CheckedHead> checked = CheckHead(head);
  if (!checked.ok()) {
    return absl::DataLossError(
        absl::StrCat(flag, " ", path, ": ", checked.status().message()));
  }
  return checked;
}

// Every page of a manifest's chain, as one answer: verified when every
// page was, with the first problem and the last page's head.
absl::StatusOr<v1::ChainResponse> WholeChain(const Context& ctx,
                                             v1::ChainRequest req) {
  auto stub = v1::Audit::NewStub(ctx.channel);
  v1::ChainResponse whole;
  whole.set_verified(true);
  do {
    v1::ChainResponse page;
    auto call = ctx.Call();
    grpc::Status s = stub->Chain(call.get(), req, &page);
    if (!s.ok()) return FromGrpc(s);
    for (v1::LedgerEntry& e : *page.mutable_entries()) {
      *whole.add_entries() = std::move(e);
    }
    if (!page.verified() && whole.verified()) {
      whole.set_verified(false);
      whole.set_problem(page.problem());
    }
    whole.set_head_sequence(page.head_sequence());
    whole.set_head_hash(page.head_hash());
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  return whole;
}

namespace {

// Recomputes an entry's hash from the bytes shown, as the ledger did.
absl::StatusOr<std::string> RecomputeHash(const v1::LedgerEntry& e) {
  storage::Entry entry;
  entry.sequence = e.sequence();
  entry.stream = e.stream();
  entry.stream_version = e.stream_version();
  entry.type = e.type();
  entry.actor = e.actor();
  entry.recorded = FromTimestamp(e.recorded());
  entry.payload = e.payload();
  CRADLE_CLI_ASSIGN(prev, Unhex("prev_hash", e.prev_hash(), 32));
  return storage::ChainHash(prev, storage::CanonicalEntryBytes(entry));
}

const char* SignatureText(v1::Signer::Signature s) {
  switch (s) {
    case v1::Signer::SIGNATURE_VALID:
      return "valid (Ed25519, the credential's key)";
    case v1::Signer::SIGNATURE_VALID_FIRST_FORMAT:
      return "valid (Ed25519, the credential's key), in the first format "
             "(before 2026-12), which does not bind nested messages' ends";
    case v1::Signer::SIGNATURE_INVALID:
      return "INVALID: does not verify against the credential's key";
    case v1::Signer::SIGNATURE_UNKNOWN_KEY:
      return "present, but the credential has no key on record";
    default:
      return "none";
  }
}

// Every page of a manifest's proofs against one tree size, as one answer.
absl::StatusOr<v1::ProveResponse> WholeProof(const Context& ctx,
                                             v1::ProveRequest req) {
  auto stub = v1::Audit::NewStub(ctx.channel);
  v1::ProveResponse whole;
  do {
    v1::ProveResponse page;
    auto call = ctx.Call();
    grpc::Status s = stub->Prove(call.get(), req, &page);
    if (!s.ok()) return FromGrpc(s);
    for (v1::EntryProof& p : *page.mutable_proofs()) {
      *whole.add_proofs() = std::move(p);
    }
    whole.set_tree_size(page.tree_size());
    whole.set_root_hash(page.root_hash());
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  return whole;
}

// cradlectl audit chain
absl::Status ShowChain(const Context& ctx, const ParsedArgs& a) {
  v1::ChainRequest req;
  req.set_number(a.positional[0]);
  CRADLE_CLI_ASSIGN(reply, WholeChain(ctx, req));
  if (ctx.json) {
    PrintJson(reply);
  } else {
    for (const v1::LedgerEntry& e : reply.entries()) {
      std::printf("#%llu  v%llu  %s  %-20s  by %s\n    prev %s\n    hash %s\n",
                  static_cast<unsigned long long>(e.sequence()),
                  static_cast<unsigned long long>(e.stream_version()),
                  Time(e.recorded()).c_str(), e.type().c_str(),
                  e.actor().c_str(), e.prev_hash().c_str(), e.hash().c_str());
      if (!e.signer().holder().empty()) {
        std::printf("    holder %s\n", e.signer().holder().c_str());
      }
      std::printf("    signature %s\n", SignatureText(e.signer().signature()));
    }
    std::printf("%s: %d entries, ledger head #%llu %s\n",
                reply.verified() ? "verified" : "NOT VERIFIED",
                reply.entries_size(),
                static_cast<unsigned long long>(reply.head_sequence()),
                reply.head_hash().c_str());
    if (!reply.verified()) std::printf("%s\n", reply.problem().c_str());
  }
  return reply.verified() ? absl::OkStatus()
                          : absl::DataLossError("the chain does not verify");
}

// cradlectl audit head
absl::Status ShowHead(const Context& ctx, const ParsedArgs& a) {
  v1::GetTreeHeadResponse got;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Audit::NewStub(ctx.channel)
          ->GetTreeHead(call.get(), v1::GetTreeHeadRequest(), &got);
  if (!s.ok()) return FromGrpc(s);
  const v1::SignedTreeHead& head = got.tree_head();
  CRADLE_CLI_ASSIGN(checked, CheckHead(head));
  (void)checked;
  if (a.Has("save")) {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    if (!google::protobuf::util::MessageToJsonString(head, &json, options)
             .ok()) {
      return absl::InternalError("cannot encode the head");
    }
    std::ofstream out(a.Get("save"));
    out << json;
    if (!out.flush()) {
      return absl::PermissionDeniedError(
          absl::StrCat("--save ", a.Get("save"), " cannot be written"));
    }
  }
  if (ctx.json) {
    PrintJson(head);
  } else {
    std::printf(
        "tree size %llu  root %s\nsigned %s by key %s: "
        "signature verified\n",
        static_cast<unsigned long long>(head.tree_size()),
        head.root_hash().c_str(), Time(head.timestamp()).c_str(),
        head.public_key().c_str());
  }
  return absl::OkStatus();
}

// cradlectl audit prove
absl::Status ProveManifest(const Context& ctx, const ParsedArgs& a) {
  CRADLE_CLI_ASSIGN(head, LoadHead("--head", a.Get("head")));
  v1::ProveRequest req;
  req.set_number(a.positional[0]);
  req.set_tree_size(head.head.tree_size());
  CRADLE_CLI_ASSIGN(reply, WholeProof(ctx, req));
  int bad = 0;
  for (const v1::EntryProof& p : reply.proofs()) {
    const v1::LedgerEntry& e = p.entry();
    std::string problem;
    absl::StatusOr<std::string> hash = RecomputeHash(e);
    if (!hash.ok()) {
      problem = std::string(hash.status().message());
    } else if (storage::HexHash(*hash) != e.hash()) {
      problem = "its bytes do not hash to the hash shown";
    } else {
      std::vector<std::string> path;
      for (const std::string& h : p.path()) {
        path.push_back(absl::HexStringToBytes(h));
      }
      if (!storage::merkle::VerifyInclusion(
              e.sequence() - 1, head.head.tree_size(),
              storage::merkle::LeafHash(*hash), path, head.root)) {
        problem = "its inclusion proof does not lead to the saved root";
      }
    }
    bad += !problem.empty();
    if (!ctx.json) {
      std::printf("#%llu  v%llu  %-26s %s\n",
                  static_cast<unsigned long long>(e.sequence()),
                  static_cast<unsigned long long>(e.stream_version()),
                  e.type().c_str(),
                  problem.empty() ? "proved" : ("FAILED: " + problem).c_str());
    }
  }
  if (reply.proofs().empty()) {
    return absl::NotFoundError(
        absl::StrCat(req.number(), " has no entry in the saved head's tree"));
  }
  if (ctx.json) PrintJson(reply);
  if (bad > 0) {
    return absl::DataLossError(
        absl::StrCat(bad, " of ", reply.proofs_size(),
                     " entries do not prove against the saved head"));
  }
  if (!ctx.json) {
    std::printf(
        "all %d entries proved against the head of %llu "
        "entries (root %s)\n",
        reply.proofs_size(),
        static_cast<unsigned long long>(head.head.tree_size()),
        head.head.root_hash().c_str());
  }
  return absl::OkStatus();
}

// cradlectl audit consistency
absl::Status CheckConsistency(const Context& ctx, const ParsedArgs& a) {
  CRADLE_CLI_ASSIGN(old_head, LoadHead("--old", a.Get("old")));
  CRADLE_CLI_ASSIGN(new_head, LoadHead("--new", a.Get("new")));
  if (old_head.public_key != new_head.public_key) {
    return absl::DataLossError("the two heads are signed by different keys");
  }
  v1::ConsistencyRequest req;
  req.set_old_size(old_head.head.tree_size());
  req.set_new_size(new_head.head.tree_size());
  v1::ConsistencyResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Audit::NewStub(ctx.channel)->Consistency(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  std::vector<std::string> proof;
  for (const std::string& h : reply.proof()) {
    proof.push_back(absl::HexStringToBytes(h));
  }
  const bool ok = storage::merkle::VerifyConsistency(
      req.old_size(), req.new_size(), old_head.root, new_head.root, proof);
  if (ctx.json) {
    PrintJson(reply);
  } else {
    std::printf("%s: the ledger of %llu entries %s the one of %llu\n",
                ok ? "consistent" : "INCONSISTENT",
                static_cast<unsigned long long>(req.new_size()),
                ok ? "extends, unchanged," : "does NOT extend",
                static_cast<unsigned long long>(req.old_size()));
  }
  return ok ? absl::OkStatus()
            : absl::DataLossError(
                  "history was rewritten between the "
                  "two heads");
}

// cradlectl audit manifests
absl::Status JurisdictionManifests(const Context& ctx, const ParsedArgs& a) {
  v1::ListJurisdictionManifestsRequest q;
  q.set_jurisdiction(a.Get("jurisdiction"));
  if (a.Has("status")) {
    CRADLE_CLI_ASSIGN(status, ParseStatus(a.Get("status")));
    q.set_status(status);
  }
  if (a.Has("flag")) {
    CRADLE_CLI_ASSIGN(kind, ParseFlagKind(a.Get("flag")));
    q.set_flag(kind);
  }
  q.set_waste(a.Get("waste"));
  q.set_enterprise(a.Get("enterprise"));
  q.set_opened_from(a.Get("from"));
  q.set_opened_to(a.Get("to"));
  CRADLE_CLI_ASSIGN(limit, LimitFlag(a, 100));
  auto stub = v1::Audit::NewStub(ctx.channel);
  int shown = 0;
  do {
    q.set_page_size(std::min(limit - shown, 1000));
    v1::ListJurisdictionManifestsResponse page;
    auto call = ctx.Call();
    grpc::Status s = stub->ListJurisdictionManifests(call.get(), q, &page);
    if (!s.ok()) return FromGrpc(s);
    for (const v1::Manifest& m : page.manifests()) {
      if (ctx.json) {
        PrintJson(m);
      } else {
        std::printf("%s  %-18s  %s -> %s  %s -> %s  %d flags\n",
                    m.number().c_str(), domain::ShortName(m.status()).c_str(),
                    m.origin_division().c_str(),
                    m.destination_division().c_str(), m.generator().c_str(),
                    m.receiver().c_str(), m.flags_size());
      }
      ++shown;
    }
    q.set_page_token(page.next_page_token());
  } while (!q.page_token().empty() && shown < limit);
  return absl::OkStatus();
}

// cradlectl audit flows
absl::Status ShowFlows(const Context& ctx, const ParsedArgs& a) {
  v1::FlowsRequest req;
  // Accept YYYY-MM-DD too: the month is what counts.
  req.set_jurisdiction(a.Get("jurisdiction"));
  req.set_from_month(a.Get("from").substr(0, 7));
  req.set_to_month(a.Get("to").substr(0, 7));
  v1::FlowsResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Audit::NewStub(ctx.channel)->Flows(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
    return absl::OkStatus();
  }
  for (const v1::Flow& f : reply.flows()) {
    std::printf("%s  %s -> %s  %s  %s\n", f.month().c_str(),
                f.origin_city().c_str(), f.destination_city().c_str(),
                f.category().c_str(), FormatQuantity(f.grams()).c_str());
  }
  const int64_t total = reply.inside_grams() + reply.outside_grams();
  std::printf("treated inside %s: %s of %s (%.1f%%)\n",
              req.jurisdiction().c_str(),
              FormatQuantity(reply.inside_grams()).c_str(),
              FormatQuantity(total).c_str(),
              total == 0 ? 0.0 : 100.0 * reply.inside_grams() / total);
  std::printf("closed: %lld, within limits: %lld\n",
              static_cast<long long>(reply.closed()),
              static_cast<long long>(reply.closed_within_limits()));
  for (const v1::FlagCount& c : reply.open_flags()) {
    std::printf("open %s: %lld\n", domain::ShortName(c.kind()).c_str(),
                static_cast<long long>(c.open()));
  }
  for (const v1::EnterpriseRisk& r : reply.at_risk()) {
    std::printf("%s %s: %d open flags (%d high)\n", r.colour().c_str(),
                r.id().c_str(), r.open_flags(), r.open_high());
  }
  std::printf("green enterprises: %lld\n",
              static_cast<long long>(reply.green()));
  return absl::OkStatus();
}

// cradlectl audit export
absl::Status ExportCsv(const Context& ctx, const ParsedArgs& a) {
  v1::ExportRequest req;
  req.set_jurisdiction(a.Get("jurisdiction"));
  req.set_from_date(a.Get("from"));
  req.set_to_date(a.Get("to"));
  if (a.Has("entries") && a.Has("forms")) {
    return absl::InvalidArgumentError(
        "--entries and --forms: choose one kind of export");
  }
  req.set_what(a.Has("entries") ? v1::ExportRequest::WHAT_ENTRIES
               : a.Has("forms") ? v1::ExportRequest::WHAT_FORMS
                                : v1::ExportRequest::WHAT_MANIFESTS);
  auto call = ctx.Call();  // an export may take longer than a call
  call->set_deadline(absl::ToChronoTime(absl::Now() + absl::Hours(1)));
  auto reader = v1::Audit::NewStub(ctx.channel)->Export(call.get(), req);
  v1::ExportChunk chunk;
  while (reader->Read(&chunk)) {
    std::fwrite(chunk.csv().data(), 1, chunk.csv().size(), stdout);
  }
  std::fflush(stdout);
  grpc::Status s = reader->Finish();
  return s.ok() ? absl::OkStatus() : FromGrpc(s);
}

}  // namespace

std::vector<Command> AuditCommands() {
  return {
      {"audit chain",
       "NUMBER",
       "Every ledger entry of a manifest, in order, with hashes.",
       {},
       ShowChain},
      {"audit head",
       "",
       "The signed tree head: size and Merkle root of the ledger, signed.",
       {{"save", "FILE", "keep it to check proofs against later"}},
       ShowHead},
      {"audit prove",
       "NUMBER",
       "Check, offline, that every entry of a manifest is in a saved head.",
       {{"head", "FILE", "a head saved with audit head --save", false, true}},
       ProveManifest},
      {"audit consistency",
       "",
       "Check, offline, that a newer head extends an older one unchanged.",
       {{"old", "FILE", "the earlier saved head", false, true},
        {"new", "FILE", "the later saved head", false, true}},
       CheckConsistency},
      {"audit manifests",
       "",
       "Manifests touching a jurisdiction as origin, destination or relay.",
       {{"jurisdiction", "CODE", "province (2), city (4) or county (6)", false,
         true},
        {"status", "S", "only this status"},
        {"waste", "CODE", "a waste code or a category (HW08)"},
        {"enterprise", "USCC", "only manifests this enterprise takes part in"},
        {"flag", "KIND", "only manifests with a flag of this kind"},
        {"from", "YYYY-MM-DD", "opened on or after"},
        {"to", "YYYY-MM-DD", "opened on or before"},
        {"limit", "N", "at most N manifests (default 100)"}},
       JurisdictionManifests},
      {"audit flows",
       "",
       "Tonnes moved between cities, the in-city treatment rate, closures "
       "and open flags.",
       {{"jurisdiction", "CODE", "province (2) or city (4)", false, true},
        {"from", "YYYY-MM", "first month", false, true},
        {"to", "YYYY-MM", "last month", false, true}},
       ShowFlows},
      {"audit export",
       "",
       "Stream a jurisdiction's manifests (or entries) as CSV to stdout.",
       {{"jurisdiction", "CODE", "province (2), city (4) or county (6)", false,
         true},
        {"from", "YYYY-MM-DD", "opened on or after"},
        {"to", "YYYY-MM-DD", "opened on or before"},
        {"entries", "", "export ledger entries instead of manifests"},
        {"forms", "",
         "export every field of the legal form, one row per waste line"}},
       ExportCsv},
  };
}

}  // namespace cradle::clients
