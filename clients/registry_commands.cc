#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/flags.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/treatment_method.h"

namespace cradle::clients {
namespace {

// cradlectl enterprise register
absl::Status RegisterEnterprise(const Context& ctx, const ParsedArgs& a) {
  v1::RegisterEnterpriseRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  req.set_id(a.Get("id"));
  req.set_name(a.Get("name"));
  req.set_division(a.Get("division"));
  CRADLE_CLI_ASSIGN(roles, ParseRoles(a.Get("roles")));
  for (v1::Role r : roles) req.add_roles(r);
  v1::RegisterEnterpriseResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->RegisterEnterprise(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintEnterprise(ctx, reply.enterprise());
  return absl::OkStatus();
}

// cradlectl enterprise show
absl::Status ShowEnterprise(const Context& ctx, const ParsedArgs& a) {
  v1::GetEnterpriseRequest req;
  req.set_id(a.positional[0]);
  v1::GetEnterpriseResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->GetEnterprise(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintEnterprise(ctx, reply.enterprise());
  return absl::OkStatus();
}

// cradlectl licence grant
absl::Status GrantLicence(const Context& ctx, const ParsedArgs& a) {
  v1::GrantLicenceRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  req.set_receiver(a.Get("receiver"));
  v1::Licence* l = req.mutable_licence();
  l->set_number(a.Get("number"));
  for (const std::string& code : ParseList(a.Get("codes"))) {
    l->add_codes(code);
  }
  CRADLE_CLI_ASSIGN(kg, ParseTonnesAsKg("--capacity-t", a.Get("capacity-t")));
  l->set_capacity_kg(kg);
  for (const std::string& m : ParseList(a.Get("methods"))) {
    l->add_methods(m);
  }
  l->set_valid_until(a.Get("valid-until"));
  v1::GrantLicenceResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Registry::NewStub(ctx.channel)->GrantLicence(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintEnterprise(ctx, reply.enterprise());
  return absl::OkStatus();
}

// cradlectl methods
absl::Status ListMethods(const Context& ctx, const ParsedArgs&) {
  for (const domain::TreatmentMethod& m : domain::TreatmentMethods()) {
    if (ctx.json) {
      std::printf(
          "{\"code\":\"%s\",\"kind\":\"%s\",\"name_zh\":\"%s\","
          "\"name_en\":\"%s\"}\n",
          m.code.c_str(), m.kind.c_str(), m.name_zh.c_str(), m.name_en.c_str());
    } else {
      std::printf("%-4s %-13s %s (%s)\n", m.code.c_str(), m.kind.c_str(),
                  m.name_zh.c_str(), m.name_en.c_str());
    }
  }
  return absl::OkStatus();
}

// cradlectl vehicle register
absl::Status RegisterVehicle(const Context& ctx, const ParsedArgs& a) {
  v1::RegisterVehicleRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  req.set_carrier(a.Get("carrier"));
  req.mutable_vehicle()->set_plate(a.Get("plate"));
  req.mutable_vehicle()->set_permit(a.Get("permit"));
  v1::RegisterVehicleResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->RegisterVehicle(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintEnterprise(ctx, reply.enterprise());
  return absl::OkStatus();
}

// cradlectl carrier permit
absl::Status GrantTransportPermit(const Context& ctx, const ParsedArgs& a) {
  v1::GrantTransportPermitRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  req.set_carrier(a.Get("carrier"));
  req.mutable_permit()->set_number(a.Get("number"));
  req.mutable_permit()->set_valid_until(a.Get("valid-until"));
  v1::GrantTransportPermitResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->GrantTransportPermit(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintEnterprise(ctx, reply.enterprise());
  return absl::OkStatus();
}

// cradlectl storage extend
absl::Status ExtendStorage(const Context& ctx, const ParsedArgs& a) {
  v1::ExtendStorageRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  req.set_generator(a.Get("generator"));
  v1::StorageExtension* x = req.mutable_extension();
  x->set_document(a.Get("document"));
  CRADLE_CLI_ASSIGN(
      days, ParseWholeNumber("--days", "days", a.Get("days"), 1, 100000));
  x->set_days(static_cast<int32_t>(days));
  x->set_valid_from(a.Get("valid-from"));
  x->set_valid_until(a.Get("valid-until"));
  v1::ExtendStorageResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->ExtendStorage(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintEnterprise(ctx, reply.enterprise());
  return absl::OkStatus();
}

// cradlectl crew register
absl::Status RegisterCrewMember(const Context& ctx, const ParsedArgs& a) {
  v1::RegisterCrewMemberRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  req.set_carrier(a.Get("carrier"));
  v1::CrewMember* m = req.mutable_member();
  m->set_certificate(a.Get("certificate"));
  m->set_name(a.Get("name"));
  CRADLE_CLI_ASSIGN(roles, ParseCrewRoles(a.Get("roles")));
  for (v1::CrewRole r : roles) m->add_roles(r);
  m->set_valid_until(a.Get("valid-until"));
  v1::RegisterCrewMemberResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->RegisterCrewMember(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  PrintEnterprise(ctx, reply.enterprise());
  return absl::OkStatus();
}

// cradlectl approval register
absl::Status RegisterApproval(const Context& ctx, const ParsedArgs& a) {
  v1::RegisterApprovalRequest req;
  req.mutable_meta()->set_idempotency_key(ctx.idempotency_key);
  v1::Approval* ap = req.mutable_approval();
  ap->set_number(a.Get("number"));
  ap->set_generator(a.Get("generator"));
  ap->set_receiver(a.Get("receiver"));
  for (const std::string& code : ParseList(a.Get("codes"))) {
    ap->add_codes(code);
  }
  ap->set_method(a.Get("method"));
  CRADLE_CLI_ASSIGN(kg, ParseTonnesAsKg("--quantity-t", a.Get("quantity-t")));
  ap->set_quantity_kg(kg);
  ap->set_valid_from(a.Get("valid-from"));
  ap->set_valid_until(a.Get("valid-until"));
  v1::RegisterApprovalResponse registered;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->RegisterApproval(call.get(), req, &registered);
  if (!s.ok()) return FromGrpc(s);
  const v1::Approval& reply = registered.approval();
  if (ctx.json) {
    PrintJson(reply);
  } else {
    std::printf("approval %s  %s -> %s  %s  %lld t  %s..%s\n",
                reply.number().c_str(), reply.generator().c_str(),
                reply.receiver().c_str(),
                absl::StrJoin(reply.codes(), ",").c_str(),
                static_cast<long long>(reply.quantity_kg() / 1000),
                reply.valid_from().c_str(), reply.valid_until().c_str());
  }
  return absl::OkStatus();
}

// cradlectl enterprise risk
absl::Status ShowRisk(const Context& ctx, const ParsedArgs& a) {
  v1::GetEnterpriseRiskRequest req;
  req.set_id(a.positional[0]);
  v1::GetEnterpriseRiskResponse got;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Flags::NewStub(ctx.channel)->GetEnterpriseRisk(call.get(), req, &got);
  if (!s.ok()) return FromGrpc(s);
  const v1::EnterpriseRisk& reply = got.risk();
  if (ctx.json) {
    PrintJson(reply);
  } else {
    std::printf("%s  %s  (%d open flags, %d high)%s%s\n", reply.id().c_str(),
                reply.colour().c_str(), reply.open_flags(), reply.open_high(),
                reply.flag_ids().empty() ? "" : "  ",
                absl::StrJoin(reply.flag_ids(), " ").c_str());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> RegistryCommands() {
  return {
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
       RegisterEnterprise},
      {"enterprise show",
       "USCC",
       "Show an enterprise's record.",
       {},
       ShowEnterprise},
      {"licence grant",
       "",
       "Grant a receiver a licence for waste codes or categories.",
       {{"receiver", "USCC", "the licensed receiver", false, true},
        {"number", "NO", "licence number", false, true},
        {"codes", "LIST", "waste codes and/or categories: 900-249-08,HW49",
         false, true},
        {"capacity-t", "TONNES", "annual licensed capacity", false, true},
        {"methods", "LIST",
         "utilisation/disposal methods it allows: D10,R9 (`cradlectl "
         "methods` lists them)"},
        {"valid-until", "YYYY-MM-DD", "last day of validity", false, true}},
       GrantLicence},
      {"methods",
       "",
       "List the utilisation and disposal method codes (利用/处置方式) that "
       "licences allow and disposals report.",
       {},
       ListMethods},
      {"approval register",
       "",
       "Register a cross-province transfer approval (at most 12 months).",
       {{"number", "NO", "approval number (ASCII)", false, true},
        {"generator", "USCC", "the approved generator", false, true},
        {"receiver", "USCC", "the approved receiver", false, true},
        {"codes", "LIST", "waste codes and/or categories", false, true},
        {"method", "CODE", "approved treatment method"},
        {"quantity-t", "TONNES", "approved quantity", false, true},
        {"valid-from", "YYYY-MM-DD", "first day", false, true},
        {"valid-until", "YYYY-MM-DD", "last day", false, true}},
       RegisterApproval},
      {"enterprise risk",
       "USCC",
       "Risk colour from open flags: green, yellow or red.",
       {},
       ShowRisk},
  };
}

// A carrier's vehicles, operating permit and crew.
std::vector<Command> CarrierCommands() {
  return {
      {"vehicle register",
       "",
       "Register a carrier's vehicle.",
       {{"carrier", "USCC", "the transport firm", false, true},
        {"plate", "PLATE", "licence plate, e.g. 浙F12345", false, true},
        {"permit", "NO", "road-transport permit of the vehicle", false, true}},
       RegisterVehicle},
      {"carrier permit",
       "",
       "Record a carrier's road transport operating permit for dangerous "
       "goods (道路运输经营许可证); a later one replaces it.",
       {{"carrier", "USCC", "the transport firm", false, true},
        {"number", "NO", "the permit number", false, true},
        {"valid-until", "YYYY-MM-DD", "last day of validity", false, true}},
       GrantTransportPermit},
      {"crew register",
       "",
       "Register a driver or escort of a carrier, with their qualification "
       "certificate; registering a certificate again renews it.",
       {{"carrier", "USCC", "the transport firm", false, true},
        {"certificate", "NO", "qualification certificate number", false, true},
        {"name", "NAME", "the person's name", false, true},
        {"roles", "LIST", "driver, escort or driver,escort", false, true},
        {"valid-until", "YYYY-MM-DD", "last day the certificate is valid",
         false, true}},
       RegisterCrewMember},
      {"storage extend",
       "",
       "Approve, as a regulator over the generator, that what it books into "
       "storage in a period may be held longer than the legal year (2020 "
       "固废法 Art. 81); bookings then carry the longer limit "
       "(docs/STOCK.md).",
       {{"generator", "USCC", "the generator or collector", false, true},
        {"document", "NO", "the approval's document number", false, true},
        {"days", "N", "days a booking may be held: 366..1825", false, true},
        {"valid-from", "YYYY-MM-DD", "first day of bookings it covers", false,
         true},
        {"valid-until", "YYYY-MM-DD", "last day of bookings it covers", false,
         true}},
       ExtendStorage},
  };
}

}  // namespace cradle::clients
