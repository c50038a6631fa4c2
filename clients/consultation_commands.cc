// cradlectl consult ... and whitelist ...: the cross-province procedure
// (docs/CONSULTATION.md): the generator applies, the two provinces'
// bureaus act in turn, anyone of them reads where it stands and what is
// overdue.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/consultation.h"
#include "print/consultation_pdf.h"

namespace cradle::clients {
namespace {

void PrintConsultation(const v1::Consultation& c) {
  const v1::ConsultationDeadline& d = c.deadline();
  std::string when;
  if (!d.due().empty()) {
    when = absl::StrCat("  due ", d.due(), " (", d.working_days(),
                        " working days)", d.overdue() ? "  OVERDUE" : "");
  } else if (!d.undated().empty()) {
    when = absl::StrCat("  due date unknown: ", d.undated());
  }
  std::printf(
      "consultation %s  %s%s%s\n", c.number().c_str(),
      domain::StageName(c.stage()).c_str(),
      c.holder().empty() ? "" : absl::StrCat("  held by ", c.holder()).c_str(),
      when.c_str());
  const v1::TransferApplication& a = c.application();
  std::printf("  %s -> %s  %s  %s%s%s  %s..%s\n", a.generator().c_str(),
              a.receiver().c_str(), absl::StrJoin(a.codes(), ",").c_str(),
              FormatQuantity(a.quantity_kg() * 1000).c_str(),
              a.method().empty() ? "" : "  ", a.method().c_str(),
              a.valid_from().c_str(), a.valid_until().c_str());
  for (const v1::ConsultationStep& s : c.steps()) {
    std::printf("  %s  %-14s %s%s%s\n", Time(s.at()).c_str(),
                domain::ActionName(s.action()).c_str(), s.by().c_str(),
                s.text().empty() ? "" : "  ", s.text().c_str());
  }
  if (c.has_approval()) {
    std::printf(
        "  approval %s  valid %s..%s%s%s\n", c.approval().number().c_str(),
        c.approval().valid_from().c_str(), c.approval().valid_until().c_str(),
        c.white_list().empty() ? "" : "  on white list ",
        c.white_list().c_str());
  }
}

// --codes, --method, --quantity-t, --valid-from, --valid-until, --note.
absl::Status ReadTerms(const ParsedArgs& a, v1::TransferApplication* app) {
  for (const std::string& code : ParseList(a.Get("codes"))) {
    app->add_codes(code);
  }
  app->set_method(a.Get("method"));
  CRADLE_CLI_ASSIGN(kg, ParseTonnesAsKg("--quantity-t", a.Get("quantity-t")));
  app->set_quantity_kg(kg);
  app->set_valid_from(a.Get("valid-from"));
  app->set_valid_until(a.Get("valid-until"));
  app->set_note(a.Get("note"));
  return absl::OkStatus();
}

std::vector<FlagSpec> TermFlags() {
  return {{"codes", "CODE,...", "waste codes (NNN-NNN-NN) or categories (HWnn)",
           false, true},
          {"method", "METHOD", "treatment method (R9, D10, ...)"},
          {"quantity-t", "TONNES", "the quantity asked for", false, true},
          {"valid-from", "YYYY-MM-DD", "the period's first day", false, true},
          {"valid-until", "YYYY-MM-DD",
           "its last day: less than 12 months after the first", false, true},
          {"note", "TEXT", "what the applicant adds"}};
}

// A write's answer: the consultation as it now stands.
template <typename Reply>
void PrintAnswer(const Context& ctx, const Reply& reply) {
  if (ctx.json) {
    PrintJson(reply);
  } else {
    PrintConsultation(reply.consultation());
  }
}

absl::StatusOr<v1::Consultation> Fetch(const Context& ctx,
                                       const std::string& number) {
  v1::GetConsultationRequest req;
  req.set_number(number);
  v1::GetConsultationResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->GetConsultation(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  return reply.consultation();
}

// cradlectl consult apply
absl::Status ApplyForTransfer(const Context& ctx, const ParsedArgs& a) {
  v1::ApplyForTransferRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  v1::TransferApplication* app = req.mutable_application();
  app->set_generator(a.Get("generator"));
  app->set_receiver(a.Get("receiver"));
  CRADLE_RETURN_IF_ERROR(ReadTerms(a, app));
  v1::ApplyForTransferResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->ApplyForTransfer(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintAnswer(ctx, reply);
  return absl::OkStatus();
}

// cradlectl consult <step> NUMBER
absl::Status Step(v1::ConsultationAction action, const Context& ctx,
                  const ParsedArgs& a) {
  v1::ActOnConsultationRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  req.set_number(a.positional[0]);
  req.set_action(action);
  req.set_text(a.Get("text"));
  if (action == v1::CONSULTATION_ACTION_COMPLETE) {
    // The parties stay: read them off the consultation.
    CRADLE_CLI_ASSIGN(c, Fetch(ctx, a.positional[0]));
    v1::TransferApplication* app = req.mutable_application();
    app->set_generator(c.application().generator());
    app->set_receiver(c.application().receiver());
    CRADLE_RETURN_IF_ERROR(ReadTerms(a, app));
  }
  v1::ActOnConsultationResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->ActOnConsultation(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintAnswer(ctx, reply);
  return absl::OkStatus();
}

// cradlectl consult show
absl::Status ShowConsultation(const Context& ctx, const ParsedArgs& a) {
  CRADLE_CLI_ASSIGN(c, Fetch(ctx, a.positional[0]));
  if (a.Has("pdf")) {
    print::ConsultationParties names;
    CRADLE_CLI_ASSIGN(receiver,
                      EnterpriseName(ctx, c.application().receiver()));
    names.receiver_name = receiver;
    CRADLE_RETURN_IF_ERROR(
        WritePdfFlag(ctx, a, c.application().generator(),
                     [&](const std::string& name, const std::string& path) {
                       names.generator_name = name;
                       return print::WriteConsultationPdf(c, names, path);
                     }));
  }
  if (ctx.json) {
    PrintJson(c);
  } else {
    PrintConsultation(c);
    if (a.Has("pdf")) std::printf("  wrote %s\n", a.Get("pdf").c_str());
  }
  return absl::OkStatus();
}

// cradlectl consult list
absl::Status ListConsultations(const Context& ctx, const ParsedArgs& a) {
  v1::ListConsultationsRequest req;
  req.set_province(a.Get("province"));
  req.set_generator(a.Get("generator"));
  req.set_holder(a.Get("holder"));
  req.set_overdue_only(a.Has("overdue"));
  int shown = 0;
  do {
    v1::ListConsultationsResponse reply;
    auto call = ctx.Call();
    grpc::Status s = v1::Registry::NewStub(ctx.channel)
                         ->ListConsultations(call.get(), req, &reply);
    if (!s.ok()) return FromGrpc(s);
    for (const v1::Consultation& c : reply.consultations()) {
      if (ctx.json) {
        PrintJson(c);
      } else {
        const v1::ConsultationDeadline& d = c.deadline();
        std::printf("%s  %-12s  %-22s  %s%s  %s -> %s\n", c.number().c_str(),
                    domain::StageName(c.stage()).c_str(), c.holder().c_str(),
                    d.due().empty() ? "-" : d.due().c_str(),
                    d.overdue() ? " OVERDUE" : "",
                    c.application().generator().c_str(),
                    c.application().receiver().c_str());
      }
      ++shown;
    }
    req.set_page_token(reply.next_page_token());
  } while (!req.page_token().empty());
  if (!ctx.json && shown == 0) std::printf("(none)\n");
  return absl::OkStatus();
}

void PrintWhiteList(const v1::WhiteList& w) {
  std::printf("white list %s  province %s -> %s  %d  v%d  filed %s\n",
              w.number().c_str(), w.origin_province().c_str(),
              w.destination_province().c_str(), w.year(), w.version(),
              Time(w.filed_at()).c_str());
  for (const v1::WhiteListItem& i : w.items()) {
    std::printf("  %s  %s\n", i.code().c_str(),
                i.max_kg() == 0
                    ? "no cap"
                    : absl::StrCat("up to ", FormatQuantity(i.max_kg() * 1000),
                                   " an application")
                          .c_str());
  }
}

// --item CODE[:TONNES]
absl::StatusOr<v1::WhiteListItem> ParseItem(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() > 2 || parts[0].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--item ", Quote(text), " is not CODE[:TONNES], e.g. HW31:50"));
  }
  v1::WhiteListItem item;
  item.set_code(std::string(parts[0]));
  if (parts.size() == 2) {
    CRADLE_ASSIGN_OR_RETURN(const int64_t kg,
                            ParseTonnesAsKg("--item TONNES", parts[1]));
    item.set_max_kg(kg);
  }
  return item;
}

// cradlectl whitelist file
absl::Status FileWhiteList(const Context& ctx, const ParsedArgs& a) {
  v1::FileWhiteListRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  v1::WhiteList* w = req.mutable_white_list();
  w->set_origin_province(a.Get("origin"));
  w->set_destination_province(a.Get("destination"));
  CRADLE_CLI_ASSIGN(year, YearFlag(a));
  w->set_year(year);
  for (const std::string& text : a.GetAll("item")) {
    CRADLE_CLI_ASSIGN(item, ParseItem(text));
    *w->add_items() = std::move(item);
  }
  v1::FileWhiteListResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->FileWhiteList(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
  } else {
    PrintWhiteList(reply.white_list());
  }
  return absl::OkStatus();
}

// cradlectl whitelist show
absl::Status ShowWhiteList(const Context& ctx, const ParsedArgs& a) {
  v1::GetWhiteListRequest req;
  req.set_number(a.positional[0]);
  v1::GetWhiteListResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Registry::NewStub(ctx.channel)->GetWhiteList(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
  } else {
    PrintWhiteList(reply.white_list());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ConsultationCommands() {
  std::vector<FlagSpec> apply = {
      {"generator", "USCC", "the applicant (移出者)", false, true},
      {"receiver", "USCC", "a licensed receiver in another province", false,
       true}};
  for (FlagSpec& f : TermFlags()) apply.push_back(std::move(f));
  std::vector<Command> out = {
      {"consult apply", "",
       "Apply to the generator's province for a cross-province transfer "
       "(跨省转移申请, 2021 办法 Art. 21). The system gives the number; "
       "the origin bureau then has 5 working days to accept it or notify "
       "everything missing.",
       apply, ApplyForTransfer},
  };
  struct StepCommand {
    const char* path;
    v1::ConsultationAction action;
    const char* summary;
    const char* text;  // the --text flag's help; null: none
  };
  for (const StepCommand& s : std::vector<StepCommand>{
           {"consult accept", v1::CONSULTATION_ACTION_ACCEPT,
            "The origin bureau accepts the application (受理); the "
            "preliminary review's 5 working days start.",
            nullptr},
           {"consult notify-missing", v1::CONSULTATION_ACTION_NOTIFY_MISSING,
            "The origin bureau notifies, once, everything the application "
            "lacks (一次性告知, Art. 22); it goes back to the applicant.",
            "everything missing, in one notice (required)"},
           {"consult complete", v1::CONSULTATION_ACTION_COMPLETE,
            "The applicant completes the application (the same parties); "
            "the acceptance's 5 working days start again.",
            nullptr},
           {"consult letter", v1::CONSULTATION_ACTION_SEND_LETTER,
            "The origin bureau sends the consultation letter (商请函) to the "
            "receiving province's bureau, which has 10 working days to "
            "reply.",
            "the preliminary opinion"},
           {"consult agree", v1::CONSULTATION_ACTION_AGREE,
            "The receiving bureau agrees to take the waste (复函).",
            "its opinion"},
           {"consult disagree", v1::CONSULTATION_ACTION_DISAGREE,
            "The receiving bureau does not agree.", "the reasons (required)"},
           {"consult approve", v1::CONSULTATION_ACTION_APPROVE,
            "The origin bureau approves on the receiving bureau's agreement, "
            "or, without a letter, on the provinces' white list. The "
            "approval takes the consultation's number and runs no longer "
            "than the receiver's licence.",
            "its note"},
           {"consult refuse", v1::CONSULTATION_ACTION_REFUSE,
            "The origin bureau refuses the application.",
            "the reasons (required)"},
           {"consult withdraw", v1::CONSULTATION_ACTION_WITHDRAW,
            "The applicant withdraws its application before a decision.",
            "why"},
       }) {
    std::vector<FlagSpec> flags;
    if (s.text != nullptr) flags.push_back({"text", "TEXT", s.text});
    if (s.action == v1::CONSULTATION_ACTION_COMPLETE) flags = TermFlags();
    const v1::ConsultationAction action = s.action;
    out.push_back({s.path, "NUMBER", s.summary, flags,
                   [action](const Context& ctx, const ParsedArgs& a) {
                     return Step(action, ctx, a);
                   }});
  }
  out.push_back(
      {"consult show",
       "NUMBER",
       "A consultation: its application, who holds it and until when, and "
       "every step taken; --pdf prints it with its letters (the notice, the "
       "consultation letter, the reply, the decision), each on its page.",
       {{"pdf", "FILE", "also write it, with its letters, as an A4 PDF"}},
       ShowConsultation});
  out.push_back(
      {"consult list",
       "",
       "Consultations of a province, as origin or destination, or of an "
       "applicant, by number; --overdue for those past their limit.",
       {{"province", "NN", "a province (its regulators)"},
        {"generator", "USCC", "an applicant"},
        {"holder", "WHO",
         "only those held by WHO: regulator:NN or the applicant's USCC"},
        {"overdue", "", "only those past their stage's limit"}},
       ListConsultations});
  out.push_back(
      {"whitelist file",
       "",
       "File two provinces' white list for a year (白名单), as the "
       "destination province's bureau: applications for the listed waste "
       "are approved by the origin bureau alone and notified to yours.",
       {{"origin", "NN", "the province the waste leaves", false, true},
        {"destination", "NN", "your province", false, true},
        {"year", "YYYY", "this year or the next", false, true},
        {"item", "CODE[:TONNES]",
         "a waste code or category, and the most one application may ask "
         "for under the list, e.g. HW31:50",
         true, true}},
       FileWhiteList});
  out.push_back({"whitelist show",
                 "NUMBER",
                 "A white list, e.g. 5150-2026 (origin, destination, year).",
                 {},
                 ShowWhiteList});
  return out;
}

}  // namespace cradle::clients
