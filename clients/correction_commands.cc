// cradlectl revise, revision approve|refuse|withdraw, manifest void,
// manifest return, manifest confirm-return: the Corrections service.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "clients/cli.h"
#include "cradle/v1/auth.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "domain/authz.h"
#include "domain/revision.h"

namespace cradle::clients {
namespace {

// `given` when set, else the voice of the calling credential: its
// enterprise, or "regulator:<jurisdiction>".
absl::StatusOr<std::string> VoiceOf(const Context& ctx,
                                    const std::string& given) {
  if (!given.empty()) return given;
  v1::WhoAmIResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Credentials::NewStub(ctx.channel)
                       ->WhoAmI(call.get(), v1::WhoAmIRequest(), &reply);
  if (!s.ok()) return FromGrpc(s);
  return domain::PrincipalOf(reply.credential()).Scope();
}

// cradlectl revise NUMBER --set FIELD=VALUE ... --reason TEXT
absl::Status Revise(const Context& ctx, const ParsedArgs& a) {
  v1::ProposeRevisionRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_reason(a.Get("reason"));
  CRADLE_CLI_ASSIGN(by, VoiceOf(ctx, a.Get("by")));
  req.set_by(by);
  // Each change states the value it replaces: the one the server holds
  // now, so that a change made meanwhile refuses this one.
  CRADLE_CLI_ASSIGN(current, FetchManifest(ctx, req.number()));
  const std::vector<std::string> sets = a.GetAll("set");
  if (sets.empty()) {
    return absl::InvalidArgumentError(
        "--set FIELD=VALUE is required, once per field to change");
  }
  for (const std::string& set : sets) {
    std::vector<std::string> parts =
        absl::StrSplit(set, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--set ", set,
          ": write FIELD=VALUE, e.g. lines[0].quantity_g=1250000"));
    }
    CRADLE_CLI_ASSIGN(from, domain::FieldValue(absl::StrCat("--set ", parts[0]),
                                               current, parts[0]));
    v1::FieldChange* c = req.add_changes();
    c->set_field(parts[0]);
    c->set_old_value(from);
    c->set_new_value(parts[1]);
  }
  auto stub = v1::Corrections::NewStub(ctx.channel);
  v1::ProposeRevisionResponse reply;
  absl::Status written =
      ManifestWrite<v1::ProposeRevisionRequest, v1::ProposeRevisionResponse>(
          ctx, req,
          [&](auto* c, const auto& r, auto* out) {
            return stub->ProposeRevision(c, r, out);
          },
          &reply);
  if (written.ok() && !ctx.json) {
    std::printf("revision %s proposed\n", reply.revision().c_str());
  }
  return written;
}

// cradlectl revision approve|refuse|withdraw ID
absl::Status AnswerRevision(const Context& ctx, const ParsedArgs& a,
                            v1::RevisionVerdict verdict) {
  v1::AnswerRevisionRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_id(a.positional[0]);
  req.set_verdict(verdict);
  req.set_note(a.Get("note"));
  CRADLE_CLI_ASSIGN(by, VoiceOf(ctx, a.Get("by")));
  req.set_by(by);
  auto stub = v1::Corrections::NewStub(ctx.channel);
  return ManifestWrite<v1::AnswerRevisionRequest, v1::AnswerRevisionResponse>(
      ctx, req, [&](auto* c, const auto& r, auto* out) {
        return stub->AnswerRevision(c, r, out);
      });
}

// cradlectl manifest void|return|confirm-return NUMBER: a correction of a
// whole manifest whose words are --`flag` (reason or note).
template <typename Request, typename Response, typename SetText, typename Rpc>
absl::Status CorrectManifest(const Context& ctx, const ParsedArgs& a,
                             const char* flag, SetText set_text, Rpc rpc) {
  Request req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  set_text(&req, a.Get(flag));
  CRADLE_CLI_ASSIGN(by, VoiceOf(ctx, a.Get("by")));
  req.set_by(by);
  auto stub = v1::Corrections::NewStub(ctx.channel);
  return ManifestWrite<Request, Response>(
      ctx, req,
      [&](auto* c, const auto& r, auto* out) { return rpc(*stub, c, r, out); });
}

absl::Status VoidManifest(const Context& ctx, const ParsedArgs& a) {
  return CorrectManifest<v1::VoidManifestRequest, v1::VoidManifestResponse>(
      ctx, a, "reason",
      [](auto* r, std::string text) { r->set_reason(std::move(text)); },
      [](auto& stub, auto* c, const auto& r, auto* out) {
        return stub.Void(c, r, out);
      });
}

absl::Status ReturnManifest(const Context& ctx, const ParsedArgs& a) {
  return CorrectManifest<v1::ReturnManifestRequest, v1::ReturnManifestResponse>(
      ctx, a, "note",
      [](auto* r, std::string text) { r->set_note(std::move(text)); },
      [](auto& stub, auto* c, const auto& r, auto* out) {
        return stub.Return(c, r, out);
      });
}

absl::Status ConfirmReturn(const Context& ctx, const ParsedArgs& a) {
  return CorrectManifest<v1::ConfirmReturnRequest, v1::ConfirmReturnResponse>(
      ctx, a, "note",
      [](auto* r, std::string text) { r->set_note(std::move(text)); },
      [](auto& stub, auto* c, const auto& r, auto* out) {
        return stub.ConfirmReturn(c, r, out);
      });
}

const FlagSpec kBy = {"by", "WHO",
                      "who acts: an enterprise's USCC, or regulator:CODE; "
                      "default: the calling credential"};

}  // namespace

std::vector<Command> CorrectionCommands() {
  return {
      {"revise", "NUMBER",
       "Propose a correction: it applies once every party it touches (and, "
       "after pickup, for what was handed over, a regulator) approves. "
       "Fields: docs/LIFECYCLE.md, \"Revisions\".",
       With({{"set", "FIELD=VALUE",
              "a field and its new value, e.g. receiver=91330106MA2D1E2F3X or "
              "lines[0].quantity_g=1250000 (repeat for more)",
              true, true},
             {"reason", "TEXT", "why", false, true},
             kBy},
            true),
       Revise},
      {"revision approve", "ID", "Approve a revision (ID: NUMBER-Rn).",
       With({{"note", "TEXT", "a note"}, kBy}, true),
       [](const Context& c, const ParsedArgs& a) {
         return AnswerRevision(c, a, v1::REVISION_VERDICT_APPROVE);
       }},
      {"revision refuse", "ID", "Refuse a revision, saying why.",
       With({{"note", "TEXT", "why", false, true}, kBy}, true),
       [](const Context& c, const ParsedArgs& a) {
         return AnswerRevision(c, a, v1::REVISION_VERDICT_REFUSE);
       }},
      {"revision withdraw", "ID", "Take back a revision you proposed.",
       With({{"note", "TEXT", "a note"}, kBy}, true),
       [](const Context& c, const ParsedArgs& a) {
         return AnswerRevision(c, a, v1::REVISION_VERDICT_WITHDRAW);
       }},
      {"manifest void", "NUMBER",
       "Void (作废) a manifest made in error: the generator before pickup, a "
       "regulator until it closes.",
       With({{"reason", "TEXT", "why", false, true}, kBy}, true), VoidManifest},
      {"manifest return", "NUMBER",
       "A regulator returns (退回) a manifest to its generator to fix by "
       "revision.",
       With({{"note", "TEXT", "what to fix", false, true}, kBy}, true),
       ReturnManifest},
      {"manifest confirm-return", "NUMBER",
       "A regulator confirms a returned manifest as fixed.",
       With({{"note", "TEXT", "a note"}, kBy}, true), ConfirmReturn},
  };
}

}  // namespace cradle::clients
