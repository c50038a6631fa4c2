// cradlectl: Cradle's command-line client. `cradlectl --help` lists the
// commands; `cradlectl COMMAND --help` explains one.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

#include "clients/args.h"
#include "clients/cli_values.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"

namespace cradle::clients {
namespace {

constexpr absl::string_view kDefaultServer = "127.0.0.1:7443";

// Exit codes: 0 done, 1 the server refused or failed, 2 bad command line,
// 3 server unreachable or too slow.
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 3;

struct Context {
  std::shared_ptr<grpc::Channel> channel;
  bool json = false;
  absl::Duration timeout;
  std::string idempotency_key;

  std::unique_ptr<grpc::ClientContext> Call() const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    return ctx;
  }
};

// A failed RPC, carried as an absl::Status with the gRPC code.
absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

std::string RandomKey() {
  unsigned char bytes[16] = {};
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, bytes, sizeof bytes);
    (void)n;
    close(fd);
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

void PrintJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(m, &out, options).ok()) {
    out = "{}";
  }
  std::printf("%s\n", out.c_str());
}

std::string Time(const google::protobuf::Timestamp& t) {
  return absl::FormatTime(
      absl::RFC3339_sec,
      absl::FromUnixMicros(
          google::protobuf::util::TimeUtil::TimestampToMicroseconds(t)),
      absl::FixedTimeZone(8 * 3600));
}

void PrintManifest(const v1::Manifest& m) {
  std::printf("%s  %s\n", m.number().c_str(),
              v1::ManifestStatus_Name(m.status()).c_str());
  std::printf("  generator %s  carrier %s  receiver %s\n",
              m.generator().c_str(), m.carrier().c_str(), m.receiver().c_str());
  for (int i = 0; i < m.lines_size(); ++i) {
    const v1::WasteLine& l = m.lines(i);
    std::printf("  line %d  %s  %s", i + 1, l.code().c_str(),
                FormatQuantity(l.quantity_g()).c_str());
    if (!l.packaging().empty()) {
      std::printf("  %s x %d", l.packaging().c_str(), l.package_count());
    }
    std::printf("\n");
  }
  for (const v1::Leg& leg : m.legs()) {
    std::printf("  leg %d  %s  vehicle %s%s%s  from %s\n", leg.number(),
                leg.carrier().c_str(), leg.vehicle().c_str(),
                leg.driver().empty() ? "" : "  driver ", leg.driver().c_str(),
                leg.handed_over_by().c_str());
  }
  for (const v1::Destination& d : m.destinations()) {
    if (!d.received()) continue;
    for (int i = 0; i < d.accepted_g_size(); ++i) {
      if (d.sent_g(i) == 0) continue;
      std::printf(
          "  %s line %d: received %s, accepted %s, rejected %s, "
          "disposed %s%s%s\n",
          d.receiver().c_str(), i + 1, FormatQuantity(d.received_g(i)).c_str(),
          FormatQuantity(d.accepted_g(i)).c_str(),
          FormatQuantity(d.rejected_g(i)).c_str(),
          FormatQuantity(d.disposed_g(i)).c_str(),
          d.disposal_methods(i).empty() ? "" : " by ",
          d.disposal_methods(i).c_str());
    }
  }
  if (!m.cancel_reason().empty()) {
    std::printf("  cancelled: %s\n", m.cancel_reason().c_str());
  }
}

void PrintReply(const Context& ctx, const v1::ManifestReply& r) {
  if (ctx.json) {
    PrintJson(r);
    return;
  }
  PrintManifest(r.manifest());
  std::printf("  ledger entry %llu  %s%s\n",
              static_cast<unsigned long long>(r.receipt().sequence()),
              r.receipt().hash().c_str(),
              r.receipt().replayed() ? "  (retry: already recorded)" : "");
}

void PrintEnterprise(const Context& ctx, const v1::Enterprise& e) {
  if (ctx.json) {
    PrintJson(e);
    return;
  }
  std::vector<std::string> roles;
  for (int r : e.roles())
    roles.push_back(v1::Role_Name(static_cast<v1::Role>(r)));
  std::printf("%s  %s  division %s  roles %s\n", e.id().c_str(),
              e.name().c_str(), e.division().c_str(),
              absl::StrJoin(roles, ",").c_str());
  for (const v1::Licence& l : e.licences()) {
    std::printf(
        "  licence %s  codes %s  capacity %lld t/year  valid until %s\n",
        l.number().c_str(), absl::StrJoin(l.codes(), ",").c_str(),
        static_cast<long long>(l.capacity_kg() / 1000),
        l.valid_until().c_str());
  }
  for (const v1::Vehicle& v : e.vehicles()) {
    std::printf("  vehicle %s  permit %s\n", v.plate().c_str(),
                v.permit().c_str());
  }
}

// Fills the WriteMeta every write carries from the common flags.
absl::StatusOr<v1::WriteMeta> Meta(const Context& ctx, const ParsedArgs& a) {
  v1::WriteMeta meta;
  meta.set_idempotency_key(ctx.idempotency_key);
  absl::Time device_time = absl::Now();
  if (a.Has("time")) {
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, a.Get("time"), &device_time,
                         &err)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--time \"", a.Get("time"),
          "\" is not an RFC 3339 time (e.g. 2026-11-23T09:30:00+08:00)"));
    }
  }
  *meta.mutable_device_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(device_time));
  if (a.Has("at")) {
    absl::StatusOr<v1::Position> p = ParsePosition(a.Get("at"));
    if (!p.ok()) return p.status();
    *meta.mutable_position() = *p;
  }
  meta.set_person(a.Get("person"));
  meta.set_device(a.Get("device"));
  return meta;
}

// Runs one manifest write RPC and prints its reply.
template <typename Request>
absl::Status ManifestWrite(
    const Context& ctx, Request& request,
    std::function<grpc::Status(grpc::ClientContext*, const Request&,
                               v1::ManifestReply*)>
        rpc) {
  v1::ManifestReply reply;
  std::unique_ptr<grpc::ClientContext> call = ctx.Call();
  grpc::Status s = rpc(call.get(), request, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintReply(ctx, reply);
  return absl::OkStatus();
}

#define CRADLE_CLI_ASSIGN(lhs, expr)            \
  auto lhs##_or = (expr);                       \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

struct Command {
  std::string path;        // "manifest open"
  std::string positional;  // "NUMBER" or ""
  std::string summary;
  std::vector<FlagSpec> flags;
  std::function<absl::Status(const Context&, const ParsedArgs&)> run;
};

const std::vector<FlagSpec>& WriteFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"at", "LAT,LON", "where it happened (WGS-84 degrees)"},
      {"time", "RFC3339", "when it happened on the device; default now"},
      {"person", "NAME", "who acted for the enterprise"},
      {"device", "ID", "scanner or terminal id"},
  };
  return *flags;
}

std::vector<FlagSpec> With(std::vector<FlagSpec> own, bool write) {
  if (write) own.insert(own.end(), WriteFlags().begin(), WriteFlags().end());
  return own;
}

std::vector<Command> Commands() {
  std::vector<Command> c;
  c.push_back(
      {"enterprise register", "",
       "Register an enterprise (generator, collector, transporter, "
       "receiver).",
       With({{"id", "USCC", "18-character unified social credit code", false,
              true},
             {"name", "NAME", "registered name", false, true},
             {"division", "CODE", "6-digit GB/T 2260 division code", false,
              true},
             {"roles", "LIST",
              "comma-separated: generator,collector,transporter,receiver",
              false, true}},
            false),
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::RegisterEnterpriseRequest req;
         req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
         req.set_id(a.Get("id"));
         req.set_name(a.Get("name"));
         req.set_division(a.Get("division"));
         CRADLE_CLI_ASSIGN(roles, ParseRoles(a.Get("roles")));
         for (v1::Role r : roles) req.add_roles(r);
         v1::Enterprise reply;
         auto call = ctx.Call();
         grpc::Status s = v1::Registry::NewStub(ctx.channel)
                              ->RegisterEnterprise(call.get(), req, &reply);
         if (!s.ok()) return FromGrpc(s);
         PrintEnterprise(ctx, reply);
         return absl::OkStatus();
       }});
  c.push_back({"enterprise show",
               "USCC",
               "Show an enterprise's record.",
               {},
               [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
                 v1::GetEnterpriseRequest req;
                 req.set_id(a.positional[0]);
                 v1::Enterprise reply;
                 auto call = ctx.Call();
                 grpc::Status s = v1::Registry::NewStub(ctx.channel)
                                      ->GetEnterprise(call.get(), req, &reply);
                 if (!s.ok()) return FromGrpc(s);
                 PrintEnterprise(ctx, reply);
                 return absl::OkStatus();
               }});
  c.push_back(
      {"licence grant",
       "",
       "Grant a receiver a licence for waste codes or categories.",
       {{"receiver", "USCC", "the licensed receiver", false, true},
        {"number", "NO", "licence number", false, true},
        {"codes", "LIST", "waste codes and/or categories: 900-249-08,HW49",
         false, true},
        {"capacity-t", "TONNES", "annual licensed capacity", false, true},
        {"valid-until", "YYYY-MM-DD", "last day of validity", false, true}},
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::GrantLicenceRequest req;
         req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
         req.set_receiver(a.Get("receiver"));
         v1::Licence* l = req.mutable_licence();
         l->set_number(a.Get("number"));
         for (const std::string& code : ParseList(a.Get("codes"))) {
           l->add_codes(code);
         }
         CRADLE_CLI_ASSIGN(kg, ParseCapacityKg(a.Get("capacity-t")));
         l->set_capacity_kg(kg);
         l->set_valid_until(a.Get("valid-until"));
         v1::Enterprise reply;
         auto call = ctx.Call();
         grpc::Status s = v1::Registry::NewStub(ctx.channel)
                              ->GrantLicence(call.get(), req, &reply);
         if (!s.ok()) return FromGrpc(s);
         PrintEnterprise(ctx, reply);
         return absl::OkStatus();
       }});
  c.push_back(
      {"vehicle register",
       "",
       "Register a carrier's vehicle.",
       {{"carrier", "USCC", "the transport firm", false, true},
        {"plate", "PLATE", "licence plate, e.g. 浙F12345", false, true},
        {"permit", "NO", "road-transport permit of the vehicle", false, true}},
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::RegisterVehicleRequest req;
         req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
         req.set_carrier(a.Get("carrier"));
         req.mutable_vehicle()->set_plate(a.Get("plate"));
         req.mutable_vehicle()->set_permit(a.Get("permit"));
         v1::Enterprise reply;
         auto call = ctx.Call();
         grpc::Status s = v1::Registry::NewStub(ctx.channel)
                              ->RegisterVehicle(call.get(), req, &reply);
         if (!s.ok()) return FromGrpc(s);
         PrintEnterprise(ctx, reply);
         return absl::OkStatus();
       }});
  c.push_back(
      {"manifest open", "",
       "Open a manifest for one vehicle-trip and issue it; prints its number.",
       With({{"generator", "USCC", "the generating enterprise", false, true},
             {"carrier", "USCC", "the transport firm", false, true},
             {"receiver", "USCC", "the licensed receiver", false, true},
             {"waste", "CODE:QTY[:PACKAGING:COUNT]",
              "a waste line, e.g. 900-249-08:1.25t:drum:10", true, true},
             {"method", "CODE", "intended treatment method, e.g. D10"},
             {"draft", "", "keep it as a draft; issue later"}},
            true),
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
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
         req.set_method(a.Get("method"));
         req.set_draft(a.Has("draft"));
         v1::ManifestReply reply;
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
       }});
  c.push_back(
      {"manifest issue", "NUMBER", "Issue a draft manifest.",
       With({{"generator", "USCC",
              "the generator; default: the "
              "manifest's own"}},
            true),
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::IssueManifestRequest req;
         CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
         *req.mutable_meta() = meta;
         req.set_number(a.positional[0]);
         req.set_generator(a.Get("generator"));
         if (req.generator().empty()) {
           v1::GetManifestRequest get;
           get.set_number(req.number());
           v1::Manifest m;
           auto call = ctx.Call();
           grpc::Status s =
               v1::Manifests::NewStub(ctx.channel)->Get(call.get(), get, &m);
           if (!s.ok()) return FromGrpc(s);
           req.set_generator(m.generator());
         }
         auto stub = v1::Manifests::NewStub(ctx.channel);
         return ManifestWrite<v1::IssueManifestRequest>(
             ctx, req, [&](auto* c, const auto& r, auto* out) {
               return stub->Issue(c, r, out);
             });
       }});
  c.push_back(
      {"manifest show",
       "NUMBER",
       "Show a manifest's current state.",
       {},
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::GetManifestRequest req;
         req.set_number(a.positional[0]);
         v1::Manifest m;
         auto call = ctx.Call();
         grpc::Status s =
             v1::Manifests::NewStub(ctx.channel)->Get(call.get(), req, &m);
         if (!s.ok()) return FromGrpc(s);
         if (ctx.json) {
           PrintJson(m);
         } else {
           PrintManifest(m);
         }
         return absl::OkStatus();
       }});
  c.push_back(
      {"manifest list",
       "",
       "List manifests, newest numbers last.",
       {{"status", "S", "only this status, e.g. in_transit"},
        {"party", "USCC", "only manifests this enterprise takes part in"},
        {"limit", "N", "at most N manifests (default 50)"}},
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::ListManifestsRequest req;
         if (a.Has("status")) {
           CRADLE_CLI_ASSIGN(status, ParseStatus(a.Get("status")));
           req.set_status(status);
         }
         req.set_party(a.Get("party"));
         int limit = 50;
         if (a.Has("limit") &&
             (!absl::SimpleAtoi(a.Get("limit"), &limit) || limit < 1)) {
           return absl::InvalidArgumentError(absl::StrCat(
               "--limit \"", a.Get("limit"), "\" is not a positive number"));
         }
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
               std::printf("%s  %-18s  %s -> %s\n", m.number().c_str(),
                           v1::ManifestStatus_Name(m.status()).c_str(),
                           m.generator().c_str(), m.receiver().c_str());
             }
             ++shown;
           }
           req.set_page_token(page.next_page_token());
         } while (!req.page_token().empty() && shown < limit);
         return absl::OkStatus();
       }});
  c.push_back({"manifest cancel", "NUMBER", "Cancel a manifest before pickup.",
               With({{"reason", "TEXT", "why", false, true},
                     {"generator", "USCC",
                      "the generator; default: the manifest's own"}},
                    true),
               [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
                 v1::CancelManifestRequest req;
                 CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
                 *req.mutable_meta() = meta;
                 req.set_number(a.positional[0]);
                 req.set_reason(a.Get("reason"));
                 req.set_generator(a.Get("generator"));
                 auto stub = v1::Manifests::NewStub(ctx.channel);
                 if (req.generator().empty()) {
                   v1::GetManifestRequest get;
                   get.set_number(req.number());
                   v1::Manifest m;
                   auto call = ctx.Call();
                   grpc::Status s = stub->Get(call.get(), get, &m);
                   if (!s.ok()) return FromGrpc(s);
                   req.set_generator(m.generator());
                 }
                 return ManifestWrite<v1::CancelManifestRequest>(
                     ctx, req, [&](auto* c, const auto& r, auto* out) {
                       return stub->Cancel(c, r, out);
                     });
               }});
  c.push_back({"pickup", "NUMBER", "The carrier takes the load (leg 1).",
               With({{"carrier", "USCC", "the manifest's carrier", false, true},
                     {"vehicle", "PLATE", "a vehicle registered to the carrier",
                      false, true},
                     {"driver", "NAME", "the driver"}},
                    true),
               [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
                 v1::PickupRequest req;
                 CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
                 *req.mutable_meta() = meta;
                 req.set_number(a.positional[0]);
                 req.set_carrier(a.Get("carrier"));
                 req.set_vehicle(a.Get("vehicle"));
                 req.set_driver(a.Get("driver"));
                 auto stub = v1::Transfers::NewStub(ctx.channel);
                 return ManifestWrite<v1::PickupRequest>(
                     ctx, req, [&](auto* c, const auto& r, auto* out) {
                       return stub->Pickup(c, r, out);
                     });
               }});
  c.push_back(
      {"relay", "NUMBER", "Hand the load over to another carrier (a new leg).",
       With({{"from", "USCC", "the carrier holding the load", false, true},
             {"to", "USCC", "the carrier taking it", false, true},
             {"vehicle", "PLATE", "a vehicle of the new carrier", false, true},
             {"driver", "NAME", "the new driver"}},
            true),
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::RelayRequest req;
         CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
         *req.mutable_meta() = meta;
         req.set_number(a.positional[0]);
         req.set_from_carrier(a.Get("from"));
         req.set_to_carrier(a.Get("to"));
         req.set_vehicle(a.Get("vehicle"));
         req.set_driver(a.Get("driver"));
         auto stub = v1::Transfers::NewStub(ctx.channel);
         return ManifestWrite<v1::RelayRequest>(
             ctx, req, [&](auto* c, const auto& r, auto* out) {
               return stub->Relay(c, r, out);
             });
       }});
  c.push_back(
      {"deliver", "NUMBER", "The named receiver signs the load's arrival.",
       With({{"receiver", "USCC", "the manifest's receiver", false, true}},
            true),
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::DeliverRequest req;
         CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
         *req.mutable_meta() = meta;
         req.set_number(a.positional[0]);
         req.set_receiver(a.Get("receiver"));
         auto stub = v1::Transfers::NewStub(ctx.channel);
         return ManifestWrite<v1::DeliverRequest>(
             ctx, req, [&](auto* c, const auto& r, auto* out) {
               return stub->Deliver(c, r, out);
             });
       }});
  c.push_back(
      {"receive", "NUMBER",
       "Weigh and accept or reject each line (a line may be split).",
       With({{"receiver", "USCC", "the manifest's receiver", false, true},
             {"line", "N:accept|reject:QTY[:REASON]",
              "e.g. 1:accept:800kg or 1:reject:200kg:leaking drums", true,
              true}},
            true),
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::ReceiveRequest req;
         CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
         *req.mutable_meta() = meta;
         req.set_number(a.positional[0]);
         req.set_receiver(a.Get("receiver"));
         for (const std::string& l : a.GetAll("line")) {
           CRADLE_CLI_ASSIGN(line, ParseReceiptLine(l));
           *req.add_lines() = line;
         }
         auto stub = v1::Disposals::NewStub(ctx.channel);
         return ManifestWrite<v1::ReceiveRequest>(
             ctx, req, [&](auto* c, const auto& r, auto* out) {
               return stub->Receive(c, r, out);
             });
       }});
  c.push_back(
      {"reroute", "NUMBER",
       "Send a rejected load to an alternate receiver or back to the "
       "generator.",
       With({{"to", "USCC", "alternate receiver, or the generator itself",
              false, true},
             {"carrier", "USCC", "the carrier of the new leg", false, true},
             {"vehicle", "PLATE", "a vehicle of that carrier", false, true},
             {"driver", "NAME", "the driver"},
             {"generator", "USCC",
              "the generator; default: the manifest's own"}},
            true),
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::RerouteRequest req;
         CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
         *req.mutable_meta() = meta;
         req.set_number(a.positional[0]);
         req.set_to(a.Get("to"));
         req.set_carrier(a.Get("carrier"));
         req.set_vehicle(a.Get("vehicle"));
         req.set_driver(a.Get("driver"));
         req.set_generator(a.Get("generator"));
         if (req.generator().empty()) {
           v1::GetManifestRequest get;
           get.set_number(req.number());
           v1::Manifest m;
           auto call = ctx.Call();
           grpc::Status s =
               v1::Manifests::NewStub(ctx.channel)->Get(call.get(), get, &m);
           if (!s.ok()) return FromGrpc(s);
           req.set_generator(m.generator());
         }
         auto stub = v1::Transfers::NewStub(ctx.channel);
         return ManifestWrite<v1::RerouteRequest>(
             ctx, req, [&](auto* c, const auto& r, auto* out) {
               return stub->Reroute(c, r, out);
             });
       }});
  c.push_back(
      {"dispose", "NUMBER",
       "Record treatment per line; closes the chain when everything accepted "
       "is disposed.",
       With({{"receiver", "USCC", "a receiver that accepted the load", false,
              true},
             {"line", "N:METHOD:QTY", "e.g. 1:D10:800kg", true, true}},
            true),
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::DisposeRequest req;
         CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
         *req.mutable_meta() = meta;
         req.set_number(a.positional[0]);
         req.set_receiver(a.Get("receiver"));
         for (const std::string& l : a.GetAll("line")) {
           CRADLE_CLI_ASSIGN(line, ParseDisposalLine(l));
           *req.add_lines() = line;
         }
         auto stub = v1::Disposals::NewStub(ctx.channel);
         return ManifestWrite<v1::DisposeRequest>(
             ctx, req, [&](auto* c, const auto& r, auto* out) {
               return stub->Dispose(c, r, out);
             });
       }});
  c.push_back(
      {"audit chain",
       "NUMBER",
       "Every ledger entry of a manifest, in order, with hashes.",
       {},
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::ChainRequest req;
         req.set_number(a.positional[0]);
         v1::ChainResponse reply;
         auto call = ctx.Call();
         grpc::Status s =
             v1::Audit::NewStub(ctx.channel)->Chain(call.get(), req, &reply);
         if (!s.ok()) return FromGrpc(s);
         if (ctx.json) {
           PrintJson(reply);
         } else {
           for (const v1::LedgerEntry& e : reply.entries()) {
             std::printf(
                 "#%llu  v%llu  %s  %-20s  by %s\n    prev %s\n    hash %s\n",
                 static_cast<unsigned long long>(e.sequence()),
                 static_cast<unsigned long long>(e.stream_version()),
                 Time(e.recorded()).c_str(), e.type().c_str(),
                 e.actor().c_str(), e.prev_hash().c_str(), e.hash().c_str());
           }
           std::printf("%s: %d entries, ledger head #%llu %s\n",
                       reply.verified() ? "verified" : "NOT VERIFIED",
                       reply.entries_size(),
                       static_cast<unsigned long long>(reply.head_sequence()),
                       reply.head_hash().c_str());
           if (!reply.verified()) std::printf("%s\n", reply.problem().c_str());
         }
         return reply.verified()
                    ? absl::OkStatus()
                    : absl::DataLossError("the chain does not verify");
       }});
  c.push_back(
      {"audit verify",
       "",
       "Recompute the whole hash chain of the ledger.",
       {{"from", "SEQ", "first entry (default 1)"},
        {"to", "SEQ", "last entry (default: the head)"}},
       [](const Context& ctx, const ParsedArgs& a) -> absl::Status {
         v1::VerifyRequest req;
         uint64_t from = 0, to = 0;
         if ((a.Has("from") && !absl::SimpleAtoi(a.Get("from"), &from)) ||
             (a.Has("to") && !absl::SimpleAtoi(a.Get("to"), &to))) {
           return absl::InvalidArgumentError("--from/--to must be numbers");
         }
         req.set_from_sequence(from);
         req.set_to_sequence(to);
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
         return reply.ok()
                    ? absl::OkStatus()
                    : absl::DataLossError(absl::StrCat(
                          "ledger chain broken at entry ", reply.first_bad()));
       }});
  return c;
}

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"server", "HOST:PORT",
       absl::StrCat("cradled's address (default ", kDefaultServer, ")")},
      {"json", "", "print one JSON object per result"},
      {"timeout", "DURATION", "deadline of each call (default 10s)"},
      {"idempotency-key", "KEY",
       "reuse a key to retry a write safely (default: a fresh random key)"},
      {"help", "", "explain the command"},
  };
  return *flags;
}

void PrintUsage(const std::vector<Command>& commands) {
  std::printf(
      "cradlectl: Cradle's command-line client.\n\n"
      "usage: cradlectl [--server HOST:PORT] [--json] COMMAND [ARGS] "
      "[FLAGS]\n\n"
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
      "refused by the server, 2 bad command line, 3 server unreachable.\n");
}

int Main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  const std::vector<Command> commands = Commands();
  // Global flags may come first; the command is the first words matching.
  const Command* command = nullptr;
  size_t consumed = 0;
  std::vector<std::string> rest;
  for (size_t i = 0; i < words.size() && command == nullptr; ++i) {
    for (const Command& c : commands) {
      const std::vector<std::string> path = absl::StrSplit(c.path, ' ');
      if (i + path.size() <= words.size() &&
          std::equal(path.begin(), path.end(), words.begin() + i)) {
        command = &c;
        consumed = i;
        rest.assign(words.begin(), words.begin() + i);
        rest.insert(rest.end(), words.begin() + i + path.size(), words.end());
        break;
      }
    }
  }
  if (command == nullptr) {
    const bool asked = words.empty() || words[0] == "--help" ||
                       words[0] == "-h" || words[0] == "help";
    PrintUsage(commands);
    if (!asked) {
      std::fprintf(stderr, "\ncradlectl: unknown command \"%s\"\n",
                   absl::StrJoin(words, " ").c_str());
    }
    return asked ? 0 : kExitUsage;
  }
  (void)consumed;
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
  const size_t want = command->positional.empty() ? 0 : 1;
  if (args.ok() && args->positional.size() != want) {
    args = absl::InvalidArgumentError(
        want == 0
            ? absl::StrCat("unexpected argument \"", args->positional[0], "\"")
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
  if (args->Has("timeout") &&
      (!absl::ParseDuration(args->Get("timeout"), &ctx.timeout) ||
       ctx.timeout <= absl::ZeroDuration())) {
    std::fprintf(stderr,
                 "cradlectl: --timeout \"%s\" is not a duration like 10s\n",
                 args->Get("timeout").c_str());
    return kExitUsage;
  }
  ctx.idempotency_key = args->Get("idempotency-key", RandomKey());
  const std::string server = args->Get("server", kDefaultServer);
  ctx.channel = grpc::CreateChannel(server, grpc::InsecureChannelCredentials());

  absl::Status s = command->run(ctx, *args);
  if (s.ok()) return 0;
  std::fprintf(stderr, "cradlectl %s: %s: %s\n", command->path.c_str(),
               absl::StatusCodeToString(s.code()).c_str(),
               std::string(s.message()).c_str());
  if (s.code() == absl::StatusCode::kUnavailable ||
      s.code() == absl::StatusCode::kDeadlineExceeded) {
    std::fprintf(stderr, "(is cradled running at %s? start it with: cradled)\n",
                 server.c_str());
    return kExitUnavailable;
  }
  return s.code() == absl::StatusCode::kInvalidArgument &&
                 !s.message().empty() && absl::StartsWith(s.message(), "--")
             ? kExitUsage
             : kExitRefused;
}

}  // namespace
}  // namespace cradle::clients

int main(int argc, char** argv) { return cradle::clients::Main(argc, argv); }
