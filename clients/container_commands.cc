// cradlectl container register, container show, scan: labelled containers
// (HJ 1276-2022) and the scans that follow them along a manifest's chain
// (docs/CONTAINERS.md).

#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "clients/cli.h"
#include "clients/cli_values.h"
#include "cradle/v1/container.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/container.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/quantity.h"
#include "domain/stock.h"
#include "domain/waste_catalogue.h"
#include "domain/work_calendar.h"
#include "print/label_pdf.h"
#include "print/pdf_canvas.h"

namespace cradle::clients {
namespace {

void PrintContainer(const Context& ctx, const v1::Container& c) {
  if (ctx.json) {
    PrintJson(c);
    return;
  }
  std::vector<std::string> hazards;
  for (int h : c.hazards()) {
    hazards.push_back(domain::FormatHazards(domain::HazardBit(h)));
  }
  std::printf("%s\n  generator %s  waste %s %s  filled %s\n", c.code().c_str(),
              c.generator().c_str(), c.waste_code().c_str(), c.name().c_str(),
              c.generation_date().c_str());
  std::printf("  %s  %s  hazards %s%s%s\n",
              FormatQuantity(c.weight_g()).c_str(), c.packaging().c_str(),
              absl::StrJoin(hazards, ",").c_str(),
              c.constituents().empty() ? "" : "  constituents ",
              c.constituents().c_str());
  std::printf("  on manifest %s\n",
              c.manifest().empty() ? "(none)" : c.manifest().c_str());
  if (!c.sources().empty()) {
    std::printf("  filled from %d collected: %s\n", c.sources_size(),
                absl::StrJoin(c.sources(), ", ").c_str());
    if (c.loss_g() > 0) {
      std::printf("  lost %s: %s\n", FormatQuantity(c.loss_g()).c_str(),
                  c.loss_reason().c_str());
    }
  }
  if (!c.consolidated_into().empty()) {
    std::printf("  went into %s\n", c.consolidated_into().c_str());
  }
  // The stock ledger: record 1 is the registration.
  const bool stored = c.stock() == v1::STOCK_STATE_STORED;
  std::printf("  stock %s%s%s\n",
              c.stock() == v1::STOCK_STATE_UNSPECIFIED
                  ? "UNSTORED"
                  : domain::ShortName(c.stock()).c_str(),
              c.facility().empty() ? "" : (stored ? " in " : " from "),
              c.facility().c_str());
  for (const v1::StockRecord& r : c.records()) {
    std::string what;
    switch (r.move()) {
      case v1::STOCK_MOVE_STORED:
        what = absl::StrCat("into ", r.facility());
        break;
      case v1::STOCK_MOVE_OWN_USE:
        what = absl::StrCat("by ", r.method());
        break;
      case v1::STOCK_MOVE_ADJUSTED:
        what = absl::StrCat(FormatQuantity(r.weight_g()), ": ", r.reason());
        break;
      case v1::STOCK_MOVE_REVOKED:
        what = absl::StrCat("record ", r.revokes(), ": ", r.reason());
        break;
      default:
        break;
    }
    std::printf("    record %d  %s  %s %s%s\n", r.number(),
                Time(r.at()).c_str(), domain::ShortName(r.move()).c_str(),
                what.c_str(), r.revoked() ? "  (struck)" : "");
  }
  // The storage deadline (docs/STOCK.md), while no manifest may have taken
  // the container away.
  absl::optional<absl::Time> due = domain::StorageDeadline(c);
  if (due.has_value() && c.manifest().empty()) {
    std::printf(
        "  may be held %d days: past its limit from %s\n",
        c.storage_limit_days(),
        absl::FormatTime("%Y-%m-%d", *due, domain::ChinaTime()).c_str());
  }
  if (!c.storage_ended_on().empty()) {
    std::printf("  storage ended in time, on manifest %s\n",
                c.storage_ended_on().c_str());
  }
  for (const v1::Flag& f : c.flags()) PrintFlag(ctx, f);
}

// The code a register names, or the one its --waste, --date and --seq make
// for the generator.
absl::StatusOr<std::string> CodeFromArgs(const ParsedArgs& a) {
  if (!a.positional.empty()) return a.positional[0];
  if (!a.Has("waste") || !a.Has("seq")) {
    return absl::InvalidArgumentError(
        "container register needs CODE, or --waste and --seq to make one for "
        "--generator");
  }
  absl::CivilDay day = absl::ToCivilDay(absl::Now(), domain::ChinaTime());
  if (a.Has("date") && !absl::ParseCivilTime(a.Get("date"), &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--date ", Quote(a.Get("date")), " is not YYYY-MM-DD"));
  }
  CRADLE_ASSIGN_OR_RETURN(
      int64_t seq, ParseWholeNumber("--seq", "sequence", a.Get("seq"), 1, 999));
  return domain::FormatContainerCode(a.Get("generator"), a.Get("waste"), day,
                                     static_cast<int>(seq));
}

// cradlectl container register
absl::Status RegisterContainer(const Context& ctx, const ParsedArgs& a) {
  v1::RegisterContainerRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  v1::ContainerLabel* c = req.mutable_container();
  CRADLE_CLI_ASSIGN(code, CodeFromArgs(a));
  c->set_code(code);
  c->set_generator(a.Get("generator"));
  CRADLE_CLI_ASSIGN(grams,
                    domain::ParseQuantityGrams("--weight", a.Get("weight")));
  c->set_weight_g(grams);
  c->set_packaging(a.Get("packaging"));
  c->set_name(a.Get("name"));
  c->set_constituents(a.Get("constituents"));
  c->set_contact(a.Get("contact"));
  for (const std::string& source : a.GetAll("source")) c->add_sources(source);
  if (a.Has("loss")) {
    CRADLE_CLI_ASSIGN(lost,
                      domain::ParseQuantityGrams("--loss", a.Get("loss")));
    c->set_loss_g(lost);
  }
  c->set_loss_reason(a.Get("loss-reason"));
  if (a.Has("hazards")) {
    CRADLE_CLI_ASSIGN(bits,
                      domain::ParseHazards("--hazards", a.Get("hazards")));
    for (int h : domain::HazardCharacteristics(bits)) {
      c->add_hazards(static_cast<v1::HazardCharacteristic>(h));
    }
  }
  if (a.Has("form")) {
    v1::PhysicalForm form;
    if (!domain::ParseShortName(a.Get("form"), &form) ||
        form == v1::PHYSICAL_FORM_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("--form ", Quote(a.Get("form")),
                       " is not solid, semi-solid, liquid or gas"));
    }
    c->set_form(form);
  }
  CRADLE_RETURN_IF_ERROR(SignIfKeyed(ctx, &req));
  v1::RegisterContainerResponse reply;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Containers::NewStub(ctx.channel)->Register(call.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  if (ctx.json) {
    PrintJson(reply);
    return absl::OkStatus();
  }
  PrintContainer(ctx, reply.container());
  std::printf("  ledger entry %llu  %s%s\n",
              static_cast<unsigned long long>(reply.receipt().sequence()),
              reply.receipt().hash().c_str(),
              reply.receipt().replayed() ? "  (retry: already recorded)" : "");
  return absl::OkStatus();
}

// cradlectl container show
absl::Status ShowContainer(const Context& ctx, const ParsedArgs& a) {
  v1::GetContainerRequest req;
  req.set_code(a.positional[0]);
  v1::GetContainerResponse got;
  auto call = ctx.Call();
  grpc::Status s =
      v1::Containers::NewStub(ctx.channel)->Get(call.get(), req, &got);
  if (!s.ok()) return FromGrpc(s);
  PrintContainer(ctx, got.container());
  return absl::OkStatus();
}

// One step of a trace: the manifest a container is on.
void PrintLeg(const v1::Manifest& m) {
  std::string fate;
  for (const v1::Destination& d : m.destinations()) {
    if (d.collected()) fate = absl::StrCat(", collected by ", d.receiver());
    for (const std::string& method : d.disposal_methods()) {
      if (!method.empty() && fate.find(method) == std::string::npos) {
        absl::StrAppend(&fate, fate.empty() ? ", by " : " ", method);
      }
    }
  }
  std::printf("    on manifest %s  %s -> %s  %s%s\n", m.number().c_str(),
              m.generator().c_str(), m.receiver().c_str(),
              domain::ShortName(m.status()).c_str(), fate.c_str());
}

// cradlectl container trace: from the generator's container to the
// disposer, through every collector's container it went into.
absl::Status TraceContainer(const Context& ctx, const ParsedArgs& a) {
  auto stub = v1::Containers::NewStub(ctx.channel);
  std::string code = a.positional[0];
  std::vector<v1::Container> chain;
  std::vector<v1::Manifest> legs;
  // A container goes into at most one other, and a collector's container
  // is filled after its sources were received: the chain is short and
  // has no loop, but a bound keeps a damaged index from spinning.
  for (int hop = 0; hop < 16 && !code.empty(); ++hop) {
    v1::GetContainerRequest req;
    req.set_code(code);
    v1::GetContainerResponse got;
    auto call = ctx.Call();
    grpc::Status s = stub->Get(call.get(), req, &got);
    if (!s.ok()) return FromGrpc(s);
    v1::Manifest m;
    if (!got.container().manifest().empty()) {
      CRADLE_CLI_ASSIGN(fetched,
                        FetchManifest(ctx, got.container().manifest()));
      m = std::move(fetched);
    }
    code = got.container().consolidated_into();
    chain.push_back(std::move(*got.mutable_container()));
    legs.push_back(std::move(m));
  }
  if (ctx.json) {
    v1::ListManifestsResponse out;  // the legs, in order
    for (v1::Manifest& m : legs) {
      if (!m.number().empty()) *out.add_manifests() = std::move(m);
    }
    PrintJson(out);
    return absl::OkStatus();
  }
  for (size_t i = 0; i < chain.size(); ++i) {
    const v1::Container& c = chain[i];
    std::printf(
        "%s  filled by %s on %s, %s%s\n", c.code().c_str(),
        c.generator().c_str(), c.generation_date().c_str(),
        FormatQuantity(c.weight_g()).c_str(),
        c.sources().empty()
            ? ""
            : absl::StrCat(" from ", c.sources_size(), " collected").c_str());
    if (c.loss_g() > 0) {
      std::printf("    lost %s: %s\n", FormatQuantity(c.loss_g()).c_str(),
                  c.loss_reason().c_str());
    }
    if (!legs[i].number().empty()) {
      PrintLeg(legs[i]);
    } else if (c.consolidated_into().empty()) {
      std::printf("    on no manifest: held by %s\n", c.generator().c_str());
    }
    if (!c.consolidated_into().empty()) {
      std::printf("    went into %s\n", c.consolidated_into().c_str());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ScanPoint> ParseScanPoint(absl::string_view text) {
  v1::ScanPoint point;
  if (!domain::ParseShortName(text, &point) ||
      point == v1::SCAN_POINT_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--point ", Quote(text), " is not load, relay or arrival"));
  }
  return point;
}

// cradlectl scan
absl::Status Scan(const Context& ctx, const ParsedArgs& a) {
  v1::ScanRequest req;
  CRADLE_CLI_ASSIGN(meta, Meta(ctx, a));
  *req.mutable_meta() = meta;
  // A scan names its device; unnamed, it is this machine.
  if (req.meta().device().empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0') {
      req.mutable_meta()->set_device(absl::StrCat("cradlectl@", host));
    }
  }
  req.set_number(a.positional[0]);
  req.set_by(a.Get("by"));
  CRADLE_CLI_ASSIGN(point, ParseScanPoint(a.Get("point")));
  req.set_point(point);
  for (const std::string& c : a.GetAll("container")) req.add_containers(c);
  auto stub = v1::Transfers::NewStub(ctx.channel);
  return ManifestWrite<v1::ScanRequest, v1::ScanResponse>(
      ctx, req, [&](auto* call, const auto& r, auto* out) {
        return stub->Scan(call, r, out);
      });
}

// The containers a label print names: its CODEs, or every container the
// lines of --manifest list.
absl::StatusOr<std::vector<std::string>> CodesToLabel(const Context& ctx,
                                                      const ParsedArgs& a) {
  std::vector<std::string> codes = a.positional;
  if (a.Has("manifest")) {
    CRADLE_CLI_ASSIGN(m, FetchManifest(ctx, a.Get("manifest")));
    for (const std::string& c : domain::ManifestContainers(m)) {
      codes.push_back(c);
    }
    if (codes.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("manifest ", a.Get("manifest"), " lists no containers"));
    }
  }
  if (codes.empty()) {
    return absl::InvalidArgumentError(
        "label print needs CODE..., or --manifest NUMBER");
  }
  return codes;
}

// cradlectl label print
absl::Status PrintLabels(const Context& ctx, const ParsedArgs& a) {
  print::LabelSize size = print::LabelSize::k100mm;
  if (a.Has("size")) {
    CRADLE_RETURN_IF_ERROR(
        print::ParseLabelSize("--size", a.Get("size"), &size));
  }
  CRADLE_CLI_ASSIGN(codes, CodesToLabel(ctx, a));
  auto containers = v1::Containers::NewStub(ctx.channel);
  auto registry = v1::Registry::NewStub(ctx.channel);
  std::map<std::string, std::string> names;  // USCC -> registered name
  std::vector<print::LabelContent> labels;
  for (const std::string& code : codes) {
    v1::GetContainerRequest req;
    req.set_code(code);
    v1::GetContainerResponse got;
    auto call = ctx.Call();
    grpc::Status s = containers->Get(call.get(), req, &got);
    if (!s.ok()) return FromGrpc(s);
    const std::string& generator = got.container().generator();
    if (names.count(generator) == 0) {
      v1::GetEnterpriseRequest ereq;
      ereq.set_id(generator);
      v1::GetEnterpriseResponse e;
      auto ecall = ctx.Call();
      s = registry->GetEnterprise(ecall.get(), ereq, &e);
      if (!s.ok()) return FromGrpc(s);
      names[generator] = e.enterprise().name();
    }
    labels.push_back({got.container(), names[generator]});
  }
  const std::string out = a.Get("out");
  const absl::Status written = print::WriteLabelsPdf(labels, size, out);
  print::ReleasePrintCaches();
  CRADLE_RETURN_IF_ERROR(written);
  std::printf("%zu label%s (%d mm) written to %s\n", labels.size(),
              labels.size() == 1 ? "" : "s", static_cast<int>(size),
              out.c_str());
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ContainerCommands() {
  return {
      {"container register", "[CODE]",
       "Register a labelled container (HJ 1276 code) as its generator fills "
       "it.",
       With({{"generator", "USCC", "the unit that filled it (the code's own)",
              false, true},
             {"weight", "QTY", "net weight of its waste, e.g. 200kg", false,
              true},
             {"packaging", "WORD", "铁桶, drum, 吨袋, ...", false, true},
             {"waste", "CODE",
              "without CODE: the waste code the new code is made with"},
             {"seq", "N", "without CODE: the sequence number, 1..999"},
             {"date", "YYYY-MM-DD",
              "without CODE: the filling date; default "
              "today (China time)"},
             {"name", "TEXT", "the waste's name; default the catalogue's"},
             {"constituents", "TEXT", "main constituents (主要成分)"},
             {"hazards", "LETTERS", "T, C, I, R, In; default the catalogue's"},
             {"form", "FORM", "solid, semi-solid, liquid or gas"},
             {"contact", "TEXT", "the label's contact (联系方式)"},
             {"source", "CODE",
              "a collector's container: one it collected that went into "
              "this one (repeat; docs/COLLECTION.md)",
              true},
             {"loss", "QTY",
              "with --source: weight lost from the sources' (residue, "
              "spillage)"},
             {"loss-reason", "TEXT", "with --loss: why it was lost"}},
            true),
       RegisterContainer},
      {"container show",
       "CODE",
       "A container as registered, the manifest that lists it, what it was "
       "filled from and what it went into.",
       {},
       ShowContainer},
      {"container trace",
       "CODE",
       "Follow a container from its generator to its disposer: each manifest "
       "it was on and each collector's container it went into.",
       {},
       TraceContainer},
      {"scan", "NUMBER",
       "Record containers scanned at a point of a manifest's chain, signed "
       "by the scanning party; a mismatch raises CONTAINER_MISMATCH. --device "
       "defaults to cradlectl@<this host>, --time to now.",
       With({{"by", "USCC", "the scanning party (the credential's own)", false,
              true},
             {"point", "POINT",
              "load (generator or first carrier), relay (the carrier taking "
              "over) or arrival (the receiver)",
              false, true},
             {"container", "CODE", "a container scanned", true, true}},
            true),
       Scan},
      {"label print",
       "[CODE...]",
       "Print hazardous waste labels (HJ 1276-2022) as a PDF: the label's "
       "content, its identification code and a QR code of it, at true size "
       "on A4.",
       {{"out", "FILE", "the PDF to write", false, true},
        {"manifest", "NUMBER", "label every container the manifest lists"},
        {"size", "MM",
         "100 (containers up to 50 L; default), 150 (up to 450 L) or 200"}},
       PrintLabels},
  };
}

}  // namespace cradle::clients
