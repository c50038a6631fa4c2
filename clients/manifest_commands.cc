#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "base/status_macros.h"
#include "base/time.h"
#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "domain/names.h"

namespace cradle::clients {
namespace {

// The generator's part of the form beyond its lines (manifest open).
std::vector<FlagSpec> DispatchFlags() {
  return {
      {"contact", "NAME", "who dispatches the load (发运人)"},
      {"contact-mobile", "MOBILE", "their mobile, e.g. 13812345678"},
      {"emergency-phone", "PHONE", "the emergency line, e.g. 0573-82345678"},
      {"address", "TEXT", "where the load leaves from"},
      {"planned-date", "YYYY-MM-DD", "the planned transfer date"},
      {"plan-number", "NUMBER",
       "filing number of the management plan it falls under"},
      {"backfill", "TYPE",
       "with --paper-date: ordinary, emergency, special or cross-border"},
  };
}

absl::StatusOr<v1::Dispatch> DispatchFromArgs(const ParsedArgs& a) {
  v1::Dispatch d;
  d.set_contact(a.Get("contact"));
  d.set_contact_mobile(a.Get("contact-mobile"));
  d.set_emergency_phone(a.Get("emergency-phone"));
  d.set_address(a.Get("address"));
  d.set_planned_date(a.Get("planned-date"));
  d.set_plan_number(a.Get("plan-number"));
  if (a.Has("backfill")) {
    CRADLE_ASSIGN_OR_RETURN(v1::BackfillType type,
                            ParseBackfillType(a.Get("backfill")));
    d.set_backfill(type);
  }
  return d;
}

// The carrier's part of the form for a new leg (pickup, relay, reroute),
// after its own flags.
std::vector<FlagSpec> WithTransport(std::vector<FlagSpec> own) {
  std::vector<FlagSpec> transport = {
      {"driver-cert", "NUMBER",
       "the driver's qualification certificate (registered crew)"},
      {"escort-cert", "NUMBER",
       "the escort's qualification certificate (registered crew)"},
      {"waybill", "NUMBER", "the dangerous-goods waybill number"},
      {"origin", "PLACE", "where this leg starts"},
      {"via", "PLACE", "a place passed through", true},
      {"destination", "PLACE", "where this leg ends"},
      {"route", "LAT,LON;...",
       "the planned route as positions: origin; places passed through; "
       "destination. The leg's track is judged against a corridor around it "
       "(ROUTE_DEVIATION, LONG_STOP)"},
  };
  own.insert(own.end(), transport.begin(), transport.end());
  return With(std::move(own), true);
}

absl::StatusOr<v1::Transport> TransportFromArgs(const ParsedArgs& a) {
  v1::Transport t;
  if (a.Has("route")) {
    CRADLE_ASSIGN_OR_RETURN(std::vector<v1::Position> route,
                            ParseRoute(a.Get("route")));
    for (v1::Position& p : route) *t.add_route() = std::move(p);
  }
  t.set_driver_certificate(a.Get("driver-cert"));
  t.set_escort_certificate(a.Get("escort-cert"));
  t.set_waybill(a.Get("waybill"));
  t.set_origin(a.Get("origin"));
  for (const std::string& v : a.GetAll("via")) t.add_via(v);
  t.set_destination(a.Get("destination"));
  return t;
}

// Sets `transport` on a leg request when any of its flags was given.
template <typename LegRequest>
absl::Status SetTransport(const ParsedArgs& a, LegRequest* req) {
  CRADLE_ASSIGN_OR_RETURN(v1::Transport t, TransportFromArgs(a));
  if (t.ByteSizeLong() > 0) *req->mutable_transport() = std::move(t);
  return absl::OkStatus();
}

// cradlectl manifest open
absl::Status OpenManifest(const Context& ctx, const ParsedArgs& a) {
  v1::OpenManifestRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_generator(a.Get("generator"));
  req.set_carrier(a.Get("carrier"));
  req.set_receiver(a.Get("receiver"));
  for (const std::string& w : a.GetAll("waste")) {
    CRADLE_CLI_ASSIGN(line, ParseWasteSpec(w));
    *req.add_lines() = line;
  }
  for (const std::string& f : a.GetAll("line-field")) {
    CRADLE_RETURN_IF_ERROR(ApplyLineField(f, &req));
  }
  req.set_method(a.Get("method"));
  req.set_paper_date(a.Get("paper-date"));
  req.set_draft(a.Has("draft"));
  CRADLE_CLI_ASSIGN(dispatch, DispatchFromArgs(a));
  if (dispatch.ByteSizeLong() > 0) *req.mutable_dispatch() = dispatch;
  if (absl::Status s = SignIfKeyed(ctx, &req); !s.ok()) return s;
  v1::OpenManifestResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Manifests::NewStub(ctx.channel)->Open(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
  } else {
    std::printf("%s\n", reply.manifest().number().c_str());
  }
  return absl::OkStatus();
}

// cradlectl manifest issue
absl::Status IssueManifest(const Context& ctx, const ParsedArgs& a) {
  v1::IssueManifestRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_generator(a.Get("generator"));
  CRADLE_CLI_ASSIGN(generator, GeneratorOf(ctx, req.number(), req.generator()));
  req.set_generator(generator);
  auto stub = v1::Manifests::NewStub(ctx.channel);
  return ManifestWrite<v1::IssueManifestRequest, v1::IssueManifestResponse>(
      ctx, req, [&](auto* c, const auto& r, auto* out) {
        return stub->Issue(c, r, out);
      });
}

// cradlectl manifest show
absl::Status ShowManifest(const Context& ctx, const ParsedArgs& a) {
  CRADLE_CLI_ASSIGN(m, FetchManifest(ctx, a.positional[0]));
  if (ctx.json) {
    PrintJson(m);
  } else {
    PrintManifest(m);
  }
  return absl::OkStatus();
}

// cradlectl manifest list
absl::Status ListManifests(const Context& ctx, const ParsedArgs& a) {
  v1::ListManifestsRequest req;
  if (a.Has("status")) {
    CRADLE_CLI_ASSIGN(status, ParseStatus(a.Get("status")));
    req.set_status(status);
  }
  req.set_party(a.Get("party"));
  req.set_trip(a.Get("trip"));
  CRADLE_CLI_ASSIGN(limit, LimitFlag(a, 50));
  auto stub = v1::Manifests::NewStub(ctx.channel);
  int shown = 0;
  do {
    req.set_page_size(std::min(limit - shown, 1000));
    v1::ListManifestsResponse page;
    auto call = ctx.Call();
    grpc::Status s = stub->List(call.get(), req, &page);
    if (!s.ok()) return FromGrpc(s);
    for (const v1::Manifest& m : page.manifests()) {
      if (ctx.json) {
        PrintJson(m);
      } else {
        std::printf("%s  %-18s  %s -> %s", m.number().c_str(),
                    domain::ShortName(m.status()).c_str(),
                    m.generator().c_str(), m.receiver().c_str());
        if (!req.trip().empty() && m.legs_size() > 0) {
          // What a trip's listing is for: whose load, on which vehicle, when.
          const v1::Leg& first = m.legs(0);
          std::printf("  vehicle %s", first.vehicle().c_str());
          if (m.destinations_size() > 0 && m.destinations(0).has_sent_at()) {
            std::printf("  picked up %s",
                        Time(m.destinations(0).sent_at()).c_str());
          }
        }
        std::printf("\n");
      }
      ++shown;
    }
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty() && shown < limit);
  return absl::OkStatus();
}

// When a limit runs out, China time: "2026-06-04 10:00", or for a limit
// that ends with a day, "the end of 2026-06-08" (not "2026-06-09 00:00").
std::string DueText(absl::Time due) {
  const absl::TimeZone china = absl::FixedTimeZone(8 * 3600);
  const absl::CivilSecond at = absl::ToCivilSecond(due, china);
  if (at == absl::CivilSecond(absl::CivilDay(at))) {
    return absl::StrCat("the end of ",
                        absl::FormatCivilTime(absl::CivilDay(at) - 1));
  }
  return absl::FormatTime("%Y-%m-%d %H:%M", due, china);
}

// "RECEIVE  due by the end of 2026-06-08 (5 working days left)  ...".
std::string InboxLine(const v1::InboxItem& item) {
  std::string due;
  if (item.has_due_at()) {
    due = absl::StrCat(item.overdue() ? "OVERDUE since " : "due by ",
                       DueText(FromTimestamp(item.due_at())));
    if (!item.overdue() && item.working_days_left() > 0) {
      absl::StrAppend(&due, " (", item.working_days_left(),
                      " working days left)");
    }
  }
  std::string task = domain::ShortName(item.task());
  // The id a command takes: `revision approve ID`, `flag ack ID`.
  if (!item.revision().empty()) absl::StrAppend(&task, " ", item.revision());
  if (!item.flag().empty()) absl::StrAppend(&task, " ", item.flag());
  return absl::StrFormat("%s  %-8s  %s%s%s", item.number(), task, due,
                         due.empty() ? "" : "  ", item.detail());
}

// cradlectl inbox
absl::Status ShowInbox(const Context& ctx, const ParsedArgs& a) {
  v1::ListInboxRequest req;
  req.set_party(a.Get("party"));
  CRADLE_CLI_ASSIGN(limit, LimitFlag(a, 100));
  auto stub = v1::Manifests::NewStub(ctx.channel);
  int shown = 0;
  do {
    v1::ListInboxResponse page;
    auto call = ctx.Call();
    grpc::Status s = stub->ListInbox(call.get(), req, &page);
    if (!s.ok()) return FromGrpc(s);
    for (const v1::InboxItem& item : page.items()) {
      if (shown == limit) break;
      if (ctx.json) {
        PrintJson(item);
      } else {
        std::printf("%s\n", InboxLine(item).c_str());
      }
      ++shown;
    }
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty() && shown < limit);
  if (shown == 0 && !ctx.json) std::printf("nothing waits\n");
  return absl::OkStatus();
}

// cradlectl manifest cancel
absl::Status CancelManifest(const Context& ctx, const ParsedArgs& a) {
  v1::CancelManifestRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_reason(a.Get("reason"));
  req.set_generator(a.Get("generator"));
  auto stub = v1::Manifests::NewStub(ctx.channel);
  CRADLE_CLI_ASSIGN(generator, GeneratorOf(ctx, req.number(), req.generator()));
  req.set_generator(generator);
  return ManifestWrite<v1::CancelManifestRequest, v1::CancelManifestResponse>(
      ctx, req, [&](auto* c, const auto& r, auto* out) {
        return stub->Cancel(c, r, out);
      });
}

// cradlectl pickup
absl::Status Pickup(const Context& ctx, const ParsedArgs& a) {
  v1::PickupRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_carrier(a.Get("carrier"));
  req.set_vehicle(a.Get("vehicle"));
  req.set_driver(a.Get("driver"));
  req.set_trip(a.Get("trip"));
  CRADLE_RETURN_IF_ERROR(SetTransport(a, &req));
  auto stub = v1::Transfers::NewStub(ctx.channel);
  return ManifestWrite<v1::PickupRequest, v1::PickupResponse>(
      ctx, req, [&](auto* c, const auto& r, auto* out) {
        return stub->Pickup(c, r, out);
      });
}

// cradlectl relay
absl::Status Relay(const Context& ctx, const ParsedArgs& a) {
  v1::RelayRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_from_carrier(a.Get("from"));
  req.set_to_carrier(a.Get("to"));
  req.set_vehicle(a.Get("vehicle"));
  req.set_driver(a.Get("driver"));
  CRADLE_RETURN_IF_ERROR(SetTransport(a, &req));
  auto stub = v1::Transfers::NewStub(ctx.channel);
  return ManifestWrite<v1::RelayRequest, v1::RelayResponse>(
      ctx, req, [&](auto* c, const auto& r, auto* out) {
        return stub->Relay(c, r, out);
      });
}

// cradlectl deliver
absl::Status Deliver(const Context& ctx, const ParsedArgs& a) {
  v1::DeliverRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_receiver(a.Get("receiver"));
  auto stub = v1::Transfers::NewStub(ctx.channel);
  v1::DeliverResponse reply;
  absl::Status written = ManifestWrite<v1::DeliverRequest, v1::DeliverResponse>(
      ctx, req,
      [&](auto* c, const auto& r, auto* out) {
        return stub->Deliver(c, r, out);
      },
      &reply);
  if (!written.ok() || !ctx.queue.empty()) return written;
  if (reply.manifest().receiver() != req.receiver()) {
    // Recorded as evidence of a wrong delivery; the load is still on
    // its way to the named receiver.
    return NotDone(absl::StrCat(
        "not delivered: ", req.receiver(), " is not the receiver of manifest ",
        req.number(), " (", reply.manifest().receiver(),
        "); the scan is recorded as evidence at ledger entry ",
        reply.receipt().sequence(), " and WRONG_RECEIVER is raised"));
  }
  return absl::OkStatus();
}

// cradlectl receive
absl::Status Receive(const Context& ctx, const ParsedArgs& a) {
  v1::ReceiveRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_receiver(a.Get("receiver"));
  for (const std::string& l : a.GetAll("line")) {
    CRADLE_CLI_ASSIGN(line, ParseReceiptLine(l));
    *req.add_lines() = line;
  }
  for (const std::string& c : a.GetAll("check")) {
    CRADLE_RETURN_IF_ERROR(ApplyReceiptCheck(c, &req));
  }
  req.set_licence(a.Get("licence"));
  req.set_received_by(a.Get("received-by"));
  auto stub = v1::Disposals::NewStub(ctx.channel);
  return ManifestWrite<v1::ReceiveRequest, v1::ReceiveResponse>(
      ctx, req, [&](auto* c, const auto& r, auto* out) {
        return stub->Receive(c, r, out);
      });
}

// cradlectl reroute
absl::Status Reroute(const Context& ctx, const ParsedArgs& a) {
  v1::RerouteRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_to(a.Get("to"));
  req.set_carrier(a.Get("carrier"));
  req.set_vehicle(a.Get("vehicle"));
  req.set_driver(a.Get("driver"));
  CRADLE_RETURN_IF_ERROR(SetTransport(a, &req));
  req.set_generator(a.Get("generator"));
  CRADLE_CLI_ASSIGN(generator, GeneratorOf(ctx, req.number(), req.generator()));
  req.set_generator(generator);
  auto stub = v1::Transfers::NewStub(ctx.channel);
  return ManifestWrite<v1::RerouteRequest, v1::RerouteResponse>(
      ctx, req, [&](auto* c, const auto& r, auto* out) {
        return stub->Reroute(c, r, out);
      });
}

// cradlectl dispose
absl::Status Dispose(const Context& ctx, const ParsedArgs& a) {
  v1::DisposeRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_receiver(a.Get("receiver"));
  for (const std::string& l : a.GetAll("line")) {
    CRADLE_CLI_ASSIGN(line, ParseDisposalLine(l));
    *req.add_lines() = line;
  }
  req.set_outcome(a.Get("outcome"));
  auto stub = v1::Disposals::NewStub(ctx.channel);
  return ManifestWrite<v1::DisposeRequest, v1::DisposeResponse>(
      ctx, req, [&](auto* c, const auto& r, auto* out) {
        return stub->Dispose(c, r, out);
      });
}

// cradlectl payment record
absl::Status RecordPayment(const Context& ctx, const ParsedArgs& a) {
  v1::RecordPaymentRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  req.set_number(a.positional[0]);
  req.set_payee(a.Get("payee"));
  CRADLE_CLI_ASSIGN(fen, ParseAmountFen(a.Get("amount")));
  req.set_amount_fen(fen);
  req.set_payer(a.Get("payer"));
  CRADLE_CLI_ASSIGN(payer, GeneratorOf(ctx, req.number(), req.payer()));
  req.set_payer(payer);
  auto stub = v1::Disposals::NewStub(ctx.channel);
  return ManifestWrite<v1::RecordPaymentRequest, v1::RecordPaymentResponse>(
      ctx, req, [&](auto* c, const auto& r, auto* out) {
        return stub->RecordPayment(c, r, out);
      });
}

// manifest open: the parties, the lines and the rest of the generator's
// part of the form.
std::vector<FlagSpec> OpenFlags() {
  std::vector<FlagSpec> flags = {
      {"generator", "USCC", "the generating enterprise", false, true},
      {"carrier", "USCC", "the transport firm", false, true},
      {"receiver", "USCC", "the licensed receiver", false, true},
      {"waste", "CODE:QTY[:PACKAGING:COUNT]",
       "a waste line, e.g. 900-249-08:1.25t:drum:10 (QTY \"sum\": the "
       "weights of its containers); PACKAGING is a word "
       "of the vocabulary (桶/drum, 袋/bag, 吨袋/bulk bag, 吨桶/IBC, 箱/box, "
       "罐/tank, 瓶/cylinder, 散装/bulk)",
       true, true},
      {"line-field", "N:KEY=VALUE",
       "a field of the legal form of line N: name, common-name, "
       "hazards (T,C,I,R,In; default: the catalogue's), form "
       "(solid, semi-solid, liquid, gas), constituents, precautions, "
       "purpose (utilise, dispose, store), dg-class and un (both for "
       "dangerous goods), containers (registered HJ 1276 codes, comma "
       "separated), weighed-in-bulk (yes: QTY is the weighed figure, not "
       "the containers' sum), e.g. 1:form=liquid",
       true},
      {"method", "CODE", "intended treatment method, e.g. D10"},
      {"paper-date", "YYYY-MM-DD",
       "back-fill of a trip that left on a paper manifest that day"},
      {"draft", "", "keep it as a draft; issue later"}};
  for (FlagSpec& f : DispatchFlags()) flags.push_back(std::move(f));
  return flags;
}

}  // namespace

std::vector<Command> ManifestCommands() {
  return {
      {"manifest open", "",
       "Open a manifest for one vehicle-trip and issue it; prints its number.",
       With(OpenFlags(), true), OpenManifest},
      {"manifest issue", "NUMBER", "Issue a draft manifest.",
       With({{"generator", "USCC",
              "the generator; default: the "
              "manifest's own"}},
            true),
       IssueManifest},
      {"manifest show",
       "NUMBER",
       "Show a manifest's current state.",
       {},
       ShowManifest},
      {"manifest list",
       "",
       "List manifests, newest numbers last.",
       {{"status", "S", "only this status, e.g. in_transit"},
        {"party", "USCC", "only manifests this enterprise takes part in"},
        {"trip", "TRIP",
         "only the manifests carrier --party picked up on this vehicle trip "
         "(车次), e.g. a collector's round of small generators"},
        {"limit", "N", "at most N manifests (default 50)"}},
       ListManifests},
      {"inbox",
       "",
       "What waits on an enterprise, newest manifests first: drafts to "
       "issue, loads to pick up or deliver, receipts due (with the working "
       "days left), rejected parts to reroute, disposals owed; for a "
       "regulator office, the open flags it answers.",
       {{"party", "USCC",
         "the enterprise; default: the credential's own (a regulator: its "
         "office's flags)"},
        {"limit", "N", "at most N items (default 100)"}},
       ShowInbox},
      {"manifest cancel", "NUMBER", "Cancel a manifest before pickup.",
       With({{"reason", "TEXT", "why", false, true},
             {"generator", "USCC",
              "the generator; default: the manifest's own"}},
            true),
       CancelManifest},
  };
}

std::vector<Command> TransferCommands() {
  return {
      {"pickup", "NUMBER", "The carrier takes the load (leg 1).",
       WithTransport(
           {{"carrier", "USCC", "the manifest's carrier", false, true},
            {"vehicle", "PLATE", "a vehicle registered to the carrier", false,
             true},
            {"driver", "NAME", "the driver"},
            {"trip", "TRIP",
             "the vehicle trip (车次) this load is on, as the carrier numbers "
             "it (e.g. 20261205-1): one vehicle collecting from several "
             "consignors picks each one's manifest up on the same trip"}}),
       Pickup},
      {"relay", "NUMBER", "Hand the load over to another carrier (a new leg).",
       WithTransport(
           {{"from", "USCC", "the carrier holding the load", false, true},
            {"to", "USCC", "the carrier taking it", false, true},
            {"vehicle", "PLATE", "a vehicle of the new carrier", false, true},
            {"driver", "NAME", "the new driver"}}),
       Relay},
      {"deliver", "NUMBER", "The named receiver signs the load's arrival.",
       With({{"receiver", "USCC", "the manifest's receiver", false, true}},
            true),
       Deliver},
      {"receive", "NUMBER",
       "Weigh and accept or reject each line (a line may be split).",
       With(
           {{"receiver", "USCC", "the manifest's receiver", false, true},
            {"line", "N:accept|reject:QTY[:REASON]",
             "e.g. 1:accept:800kg or 1:reject:200kg:leaking drums", true, true},
            {"check", "N:KEY=VALUE",
             "what arrived of line N: form, packaging or hazards, e.g. "
             "1:form=liquid; a difference raises LOAD_MISMATCH",
             true},
            {"licence", "NUMBER",
             "the licence the receipt is made under (must cover the codes)"},
            {"received-by", "NAME", "who signed for the load"}},
           true),
       Receive},
      {"reroute", "NUMBER",
       "Send a rejected load to an alternate receiver or back to the "
       "generator.",
       WithTransport(
           {{"to", "USCC", "alternate receiver, or the generator itself", false,
             true},
            {"carrier", "USCC", "the carrier of the new leg", false, true},
            {"vehicle", "PLATE", "a vehicle of that carrier", false, true},
            {"driver", "NAME", "the driver"},
            {"generator", "USCC",
             "the generator; default: the manifest's own"}}),
       Reroute},
      {"dispose", "NUMBER",
       "Record treatment per line; closes the chain when everything accepted "
       "is disposed.",
       With({{"receiver", "USCC", "a receiver that accepted the load", false,
              true},
             {"line", "N:METHOD:QTY", "e.g. 1:D10:800kg", true, true},
             {"outcome", "TEXT",
              "the outcome of utilisation or disposal, sent back to the "
              "generator"}},
            true),
       Dispose},
      {"payment record", "NUMBER",
       "Record the disposal fee the generator paid, and to whom.",
       With({{"payee", "USCC", "who was paid (the receiver, normally)", false,
              true},
             {"amount", "CNY", "amount in yuan, e.g. 3800.50", false, true},
             {"payer", "USCC", "the generator; default: the manifest's own"}},
            true),
       RecordPayment},
  };
}

}  // namespace cradle::clients
