#include "clients/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

#include "base/files.h"
#include "base/quote.h"
#include "base/status_macros.h"
#include "base/time.h"
#include "clients/cli_values.h"
#include "clients/offline_queue.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/waste_catalogue.h"
#include "print/pdf_canvas.h"

namespace cradle::clients {

// A failed RPC, carried as an absl::Status with the gRPC code.
absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

namespace {
constexpr absl::string_view kNotDonePayload = "cradle.dev/not-done";
}  // namespace

absl::Status NotDone(absl::string_view message) {
  absl::Status s = absl::FailedPreconditionError(message);
  s.SetPayload(kNotDonePayload, absl::Cord("1"));
  return s;
}

bool IsNotDone(const absl::Status& status) {
  return status.GetPayload(kNotDonePayload).has_value();
}

absl::Status Queue(const Context& ctx,
                   const google::protobuf::Message& request) {
  CRADLE_RETURN_IF_ERROR(AppendToQueue(ctx.queue, request));
  absl::StatusOr<std::vector<QueuedWrite>> queued = ReadQueue(ctx.queue);
  std::printf(
      "queued %s in %s (%zu waiting); upload with: cradlectl queue "
      "upload %s\n",
      request.GetDescriptor()->name().c_str(), ctx.queue.c_str(),
      queued.ok() ? queued->size() : 0, ctx.queue.c_str());
  return absl::OkStatus();
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
  return absl::FormatTime(absl::RFC3339_sec, FromTimestamp(t),
                          absl::FixedTimeZone(8 * 3600));
}

namespace {

// What the generator declared of a line beyond its code and quantity
// (lines of manifests opened before 2026-12 have none of it).
void PrintLineDetails(const v1::WasteLine& l) {
  if (!l.name().empty()) {
    std::printf("    %s%s%s%s\n", l.name().c_str(),
                l.common_name().empty() ? "" : " (", l.common_name().c_str(),
                l.common_name().empty() ? "" : ")");
  }
  std::vector<std::string> facts;
  if (l.hazards_size() > 0) {
    facts.push_back(absl::StrCat(
        "hazards ", domain::FormatHazards(domain::HazardBits(l.hazards()))));
  }
  if (l.form() != v1::PHYSICAL_FORM_UNSPECIFIED) {
    facts.push_back(absl::StrCat(
        "form ", absl::AsciiStrToLower(domain::ShortName(l.form()))));
  }
  if (l.purpose() != v1::TRANSFER_PURPOSE_UNSPECIFIED) {
    facts.push_back(absl::StrCat(
        "to ", absl::AsciiStrToLower(domain::ShortName(l.purpose()))));
  }
  if (!l.un_number().empty()) {
    facts.push_back(absl::StrCat("dangerous goods ", l.un_number(), " class ",
                                 l.dg_class()));
  }
  if (!facts.empty())
    std::printf("    %s\n", absl::StrJoin(facts, "  ").c_str());
  if (!l.constituents().empty()) {
    std::printf("    constituents: %s\n", l.constituents().c_str());
  }
  if (!l.precautions().empty()) {
    std::printf("    precautions: %s\n", l.precautions().c_str());
  }
  if (!l.containers().empty()) {
    std::printf("    containers%s: %s\n",
                l.weighed_in_bulk() ? " (weighed in bulk)" : "",
                absl::StrJoin(l.containers(), ", ").c_str());
  }
}

// A scan of containers along the chain: where, by whom, on what device.
void PrintScan(const v1::ContainerScan& s) {
  std::printf("  scan %s %d  by %s  device %s  at %s%s: %d container%s\n",
              absl::AsciiStrToLower(domain::ShortName(s.point())).c_str(),
              s.handover(), s.by().c_str(), s.device().c_str(),
              Time(s.at()).c_str(), s.late() ? " (uploaded late)" : "",
              s.containers_size(), s.containers_size() == 1 ? "" : "s");
}

// "label value" for each non-empty value, two spaces apart.
std::string Labelled(
    std::initializer_list<std::pair<absl::string_view, std::string>> pairs) {
  std::vector<std::string> parts;
  for (const auto& [label, value] : pairs) {
    if (!value.empty()) parts.push_back(absl::StrCat(label, " ", value));
  }
  return absl::StrJoin(parts, "  ");
}

void PrintDispatch(const v1::Manifest& m) {
  if (!m.has_dispatch()) return;
  const v1::Dispatch& d = m.dispatch();
  const std::string contact = Labelled({{"contact", d.contact()},
                                        {"mobile", d.contact_mobile()},
                                        {"emergency", d.emergency_phone()}});
  if (!contact.empty()) std::printf("  %s\n", contact.c_str());
  const std::string plan = Labelled(
      {{"from", d.address()},
       {"planned", d.planned_date()},
       {"plan", d.plan_number()},
       {"back-fill",
        d.backfill() == v1::BACKFILL_TYPE_UNSPECIFIED
            ? ""
            : absl::AsciiStrToLower(domain::ShortName(d.backfill()))}});
  if (!plan.empty()) std::printf("  %s\n", plan.c_str());
}

void PrintLeg(const v1::Leg& leg) {
  std::printf("  leg %d  %s  vehicle %s%s%s%s%s  from %s\n", leg.number(),
              leg.carrier().c_str(), leg.vehicle().c_str(),
              leg.trip().empty() ? "" : "  trip ", leg.trip().c_str(),
              leg.driver().empty() ? "" : "  driver ", leg.driver().c_str(),
              leg.handed_over_by().c_str());
  const v1::LegPapers& p = leg.papers();
  const v1::Transport& t = leg.transport();
  const auto crew = [](const std::string& name, const std::string& cert) {
    return cert.empty() ? std::string() : absl::StrCat(name, " (", cert, ")");
  };
  const std::string papers =
      Labelled({{"operating permit", p.operating_permit()},
                {"vehicle certificate", p.vehicle_certificate()},
                {"driver", crew(p.driver(), t.driver_certificate())},
                {"escort", crew(p.escort(), t.escort_certificate())},
                {"waybill", t.waybill()}});
  if (!papers.empty()) std::printf("    %s\n", papers.c_str());
  const std::string route = Labelled({{"from", t.origin()},
                                      {"via", absl::StrJoin(t.via(), ", ")},
                                      {"to", t.destination()}});
  if (!route.empty()) std::printf("    %s\n", route.c_str());
  if (!t.route().empty()) {
    std::printf(
        "    planned route: %d positions, from (%.5f, %.5f) to (%.5f, %.5f)\n",
        t.route_size(), t.route(0).lat(), t.route(0).lon(),
        t.route(t.route_size() - 1).lat(), t.route(t.route_size() - 1).lon());
  }
}

void PrintDestination(const v1::Destination& d) {
  if (!d.received()) return;
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
  for (const v1::LineReceipt& c : d.checks()) {
    const uint8_t bits = domain::HazardBits(c.hazards());
    const std::string found = Labelled(
        {{"form", c.form() == v1::PHYSICAL_FORM_UNSPECIFIED
                      ? ""
                      : absl::AsciiStrToLower(domain::ShortName(c.form()))},
         {"packaging", c.packaging()},
         {"hazards", bits == 0 ? "" : domain::FormatHazards(bits)}});
    std::printf("    line %d arrived: %s\n", c.line(), found.c_str());
  }
  const std::string receipt =
      Labelled({{"licence", d.licence()}, {"received by", d.received_by()}});
  if (!receipt.empty()) std::printf("    %s\n", receipt.c_str());
  if (!d.outcome().empty()) {
    std::printf("    outcome: %s\n", d.outcome().c_str());
  }
}

}  // namespace

namespace {

// A revision: what it changes, why, who must approve, who answered.
void PrintRevision(const v1::Revision& r) {
  std::printf("  REVISION %s  %s  by %s%s%s: %s\n", r.id().c_str(),
              domain::ShortName(r.state()).c_str(), r.proposer().c_str(),
              r.person().empty() ? "" : " ", r.person().c_str(),
              r.reason().c_str());
  for (const v1::FieldChange& c : r.changes()) {
    std::printf("    %s  \"%s\" -> \"%s\"\n", c.field().c_str(),
                c.old_value().c_str(), c.new_value().c_str());
  }
  std::string waits = absl::StrJoin(r.approvers(), ", ");
  if (r.needs_regulator()) {
    absl::StrAppend(&waits, waits.empty() ? "" : ", ", "a regulator");
  }
  if (!waits.empty()) {
    std::printf("    approvers: %s; lapses %s\n", waits.c_str(),
                Time(r.lapses_at()).c_str());
  }
  for (const v1::RevisionAnswer& a : r.answers()) {
    std::printf("    %s %s at %s%s%s\n", domain::ShortName(a.verdict()).c_str(),
                a.by().c_str(), Time(a.at()).c_str(),
                a.note().empty() ? "" : ": ", a.note().c_str());
  }
}

}  // namespace

void PrintManifest(const v1::Manifest& m) {
  std::printf("%s  %s\n", m.number().c_str(),
              domain::ShortName(m.status()).c_str());
  std::printf("  generator %s  carrier %s  receiver %s\n",
              m.generator().c_str(), m.carrier().c_str(), m.receiver().c_str());
  PrintDispatch(m);
  for (int i = 0; i < m.lines_size(); ++i) {
    const v1::WasteLine& l = m.lines(i);
    std::printf("  line %d  %s  %s", i + 1, l.code().c_str(),
                FormatQuantity(l.quantity_g()).c_str());
    if (!l.packaging().empty()) {
      std::printf("  %s x %d", l.packaging().c_str(), l.package_count());
    }
    std::printf("\n");
    PrintLineDetails(l);
  }
  for (const v1::Leg& leg : m.legs()) PrintLeg(leg);
  for (const v1::ContainerScan& scan : m.scans()) PrintScan(scan);
  for (const v1::LegTrack& t : m.tracks()) {
    std::printf("  track of leg %d: %lld points in %d batches, digest %.16s…\n",
                t.leg(), static_cast<long long>(t.points()), t.batches(),
                t.digest().c_str());
  }
  for (const v1::Weighing& w : m.weighings()) {
    std::printf("  weighed at %s by %s on %s: net %s\n",
                absl::AsciiStrToLower(domain::ShortName(w.point())).c_str(),
                w.by().c_str(), w.device().c_str(),
                FormatQuantity(w.net_g()).c_str());
  }
  for (const v1::Destination& d : m.destinations()) PrintDestination(d);
  if (!m.cancel_reason().empty()) {
    std::printf("  cancelled: %s\n", m.cancel_reason().c_str());
  }
  if (!m.void_reason().empty()) {
    std::printf("  voided by %s: %s\n", m.voided_by().c_str(),
                m.void_reason().c_str());
  }
  for (const v1::Revision& r : m.revisions()) PrintRevision(r);
  for (const v1::ManifestReturn& r : m.returns()) {
    std::printf("  returned by %s at %s: %s\n", r.by().c_str(),
                Time(r.returned_at()).c_str(), r.note().c_str());
    if (!r.fixed_by().empty()) {
      std::printf("    fixed by revision %s\n", r.fixed_by().c_str());
    }
    if (r.confirmed()) {
      std::printf("    confirmed at %s%s%s\n", Time(r.confirmed_at()).c_str(),
                  r.confirm_note().empty() ? "" : ": ",
                  r.confirm_note().c_str());
    }
  }
  for (const v1::Flag& f : m.flags()) {
    std::printf("  FLAG %s  %s %s %s: %s\n", f.id().c_str(),
                domain::ShortName(f.kind()).c_str(),
                domain::ShortName(f.severity()).c_str(),
                domain::ShortName(f.state()).c_str(), f.detail().c_str());
  }
}

void PrintWritten(const Context& ctx, const google::protobuf::Message& reply,
                  const v1::Manifest& m, const v1::WriteReceipt& receipt) {
  if (ctx.json) {
    PrintJson(reply);
    return;
  }
  PrintManifest(m);
  std::printf("  ledger entry %llu  %s%s\n",
              static_cast<unsigned long long>(receipt.sequence()),
              receipt.hash().c_str(),
              receipt.replayed() ? "  (retry: already recorded)" : "");
}

void PrintEnterprise(const Context& ctx, const v1::Enterprise& e) {
  if (ctx.json) {
    PrintJson(e);
    return;
  }
  std::vector<std::string> roles;
  for (int r : e.roles())
    roles.push_back(domain::ShortName(static_cast<v1::Role>(r)));
  std::printf("%s  %s  division %s  roles %s\n", e.id().c_str(),
              e.name().c_str(), e.division().c_str(),
              absl::StrJoin(roles, ",").c_str());
  for (const v1::Licence& l : e.licences()) {
    std::printf(
        "  licence %s  codes %s  methods %s  capacity %lld t/year  valid until "
        "%s\n",
        l.number().c_str(), absl::StrJoin(l.codes(), ",").c_str(),
        l.methods().empty() ? "any" : absl::StrJoin(l.methods(), ",").c_str(),
        static_cast<long long>(l.capacity_kg() / 1000),
        l.valid_until().c_str());
  }
  for (const v1::Vehicle& v : e.vehicles()) {
    std::printf("  vehicle %s  permit %s\n", v.plate().c_str(),
                v.permit().c_str());
  }
  if (e.has_transport_permit()) {
    std::printf("  operating permit %s  valid until %s\n",
                e.transport_permit().number().c_str(),
                e.transport_permit().valid_until().c_str());
  }
  for (const v1::CrewMember& m : e.crew()) {
    std::vector<std::string> roles;
    for (int r : m.roles()) {
      roles.push_back(domain::ShortName(static_cast<v1::CrewRole>(r)));
    }
    std::printf("  crew %s  %s  %s  valid until %s\n", m.certificate().c_str(),
                m.name().c_str(), absl::StrJoin(roles, ",").c_str(),
                m.valid_until().c_str());
  }
  for (const v1::StorageExtension& x : e.storage_extensions()) {
    std::printf("  longer storage %s  %d days for bookings %s..%s\n",
                x.document().c_str(), x.days(), x.valid_from().c_str(),
                x.valid_until().c_str());
  }
}

absl::StatusOr<int> LimitFlag(const ParsedArgs& a, int otherwise) {
  if (!a.Has("limit")) return otherwise;
  absl::StatusOr<int64_t> n =
      ParseWholeNumber("--limit", "limit", a.Get("limit"), 1, 1000000);
  if (!n.ok()) return n.status();
  return static_cast<int>(*n);
}

absl::StatusOr<int> YearFlag(const ParsedArgs& a) {
  if (!a.Has("year")) return 0;
  int year = 0;
  if (!absl::SimpleAtoi(a.Get("year"), &year) || year == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--year ", Quote(a.Get("year")), " is not a year"));
  }
  return year;
}

absl::Status WriteFlagFile(const ParsedArgs& a, absl::string_view flag,
                           absl::string_view text) {
  if (!a.Has(flag)) return absl::OkStatus();
  absl::Status s = ReplaceFile(a.Get(flag), text, 0644);
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat("--", flag, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EnterpriseName(const Context& ctx,
                                           const std::string& id) {
  v1::GetEnterpriseRequest req;
  req.set_id(id);
  v1::GetEnterpriseResponse reply;
  auto call = ctx.Call();
  grpc::Status s = v1::Registry::NewStub(ctx.channel)
                       ->GetEnterprise(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  return reply.enterprise().name();
}

absl::Status WritePdfFlag(
    const Context& ctx, const ParsedArgs& a, const std::string& enterprise,
    const std::function<absl::Status(const std::string& name,
                                     const std::string& path)>& write) {
  if (!a.Has("pdf")) return absl::OkStatus();
  CRADLE_ASSIGN_OR_RETURN(const std::string name,
                          EnterpriseName(ctx, enterprise));
  const absl::Status written = write(name, a.Get("pdf"));
  print::ReleasePrintCaches();
  if (!written.ok()) {
    return absl::Status(written.code(),
                        absl::StrCat("--pdf: ", written.message()));
  }
  return absl::OkStatus();
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
          "--time ", Quote(a.Get("time")),
          " is not an RFC 3339 time (e.g. 2026-11-23T09:30:00+08:00)"));
    }
  }
  *meta.mutable_device_time() = ToTimestamp(device_time);
  if (a.Has("at")) {
    absl::StatusOr<v1::Position> p = ParsePosition(a.Get("at"));
    if (!p.ok()) return p.status();
    *meta.mutable_position() = *p;
  }
  meta.set_person(a.Get("person"));
  meta.set_device(a.Get("device"));
  return meta;
}

absl::StatusOr<v1::Manifest> FetchManifest(const Context& ctx,
                                           const std::string& number) {
  v1::GetManifestRequest get;
  get.set_number(number);
  v1::GetManifestResponse got;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Manifests::NewStub(ctx.channel)->Get(call.get(), get, &got);
  if (!s.ok()) return FromGrpc(s);
  return std::move(*got.mutable_manifest());
}

absl::StatusOr<std::string> GeneratorOf(const Context& ctx,
                                        const std::string& number,
                                        const std::string& given) {
  if (!given.empty()) return given;
  CRADLE_CLI_ASSIGN(m, FetchManifest(ctx, number));
  return m.generator();
}

void PrintFlag(const Context& ctx, const v1::Flag& f) {
  if (ctx.json) {
    PrintJson(f);
    return;
  }
  // A container's flag (STOCK_OVERDUE) has a place, not a route.
  const std::string where =
      f.container().empty()
          ? absl::StrCat(f.origin_county(), " -> ", f.destination_county())
          : f.origin_county();
  std::printf("%s  %-26s %-6s %-8s %s  %s\n", f.id().c_str(),
              domain::ShortName(f.kind()).c_str(),
              domain::ShortName(f.severity()).c_str(),
              domain::ShortName(f.state()).c_str(), where.c_str(),
              f.detail().c_str());
  for (const v1::FlagNote& n : f.history()) {
    if (n.by() == "cradle" && n.state() == v1::FLAG_STATE_OPEN) continue;
    std::printf("    %s %s by %s: %s\n", Time(n.at()).c_str(),
                domain::ShortName(n.state()).c_str(), n.by().c_str(),
                n.note().c_str());
  }
}

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

}  // namespace cradle::clients
