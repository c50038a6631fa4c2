#include "services/export_rows.h"

#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

#include "base/time.h"
#include "domain/csv.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/waste_catalogue.h"
#include "domain/work_calendar.h"

namespace cradle::services {
namespace {

std::string Time(const google::protobuf::Timestamp& t) {
  return absl::FormatTime(absl::RFC3339_sec, FromTimestamp(t),
                          domain::ChinaTime());
}

// "liquid" for PHYSICAL_FORM_LIQUID; empty when unset.
template <typename E>
std::string Word(E value) {
  return static_cast<int>(value) == 0
             ? std::string()
             : absl::AsciiStrToLower(domain::ShortName(value));
}

template <typename Hazards>
std::string HazardLetters(const Hazards& hazards) {
  const uint8_t bits = domain::HazardBits(hazards);
  return bits == 0 ? std::string() : domain::FormatHazards(bits);
}

// Joins one value per leg or destination with ';'.
template <typename Items, typename Fn>
std::string Each(const Items& items, Fn value) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(value(item));
  return absl::StrJoin(out, ";");
}

}  // namespace

const char kManifestHeader[] =
    "number,status,generator,receivers,origin_division,"
    "destination_division,opened_at,lines_g,accepted_g,"
    "disposed_g,flags,version\n";

std::string ManifestRow(const v1::Manifest& m) {
  std::vector<std::string> lines, receivers, flags;
  int64_t accepted = 0, disposed = 0;
  for (const v1::WasteLine& l : m.lines()) {
    lines.push_back(absl::StrCat(l.code(), ":", l.quantity_g()));
  }
  for (const v1::Destination& d : m.destinations()) {
    receivers.push_back(d.receiver());
    for (int64_t g : d.accepted_g()) accepted += g;
    for (int64_t g : d.disposed_g()) disposed += g;
  }
  for (const v1::Flag& f : m.flags()) {
    flags.push_back(absl::StrCat(domain::ShortName(f.kind()), ":",
                                 domain::ShortName(f.state())));
  }
  return absl::StrCat(m.number(), ",", domain::ShortName(m.status()), ",",
                      m.generator(), ",", absl::StrJoin(receivers, ";"), ",",
                      m.origin_division(), ",", m.destination_division(), ",",
                      Time(m.opened_at()), ",", absl::StrJoin(lines, ";"), ",",
                      accepted, ",", disposed, ",", absl::StrJoin(flags, ";"),
                      ",", m.version(), "\n");
}

const char kFormHeader[] =
    // the manifest and the generator's part
    "number,status,generator,opened_at,paper_date,backfill,contact,"
    "contact_mobile,emergency_phone,address,planned_date,plan_number,"
    "method,"
    // the line
    "line,code,name,common_name,hazards,form,packaging,package_count,"
    "quantity_g,constituents,precautions,purpose,dg_class,un_number,"
    // each leg
    "carriers,vehicles,operating_permits,vehicle_certificates,drivers,"
    "escorts,waybills,routes,"
    // each destination, for this line
    "receivers,licences,received_by,received_g,accepted_g,rejected_g,"
    "reject_reasons,arrived,disposed_g,disposal_methods,outcomes\n";

namespace {

// The manifest's and the generator's columns of a form row.
std::string ManifestColumns(const v1::Manifest& m) {
  const v1::Dispatch& d = m.dispatch();
  return absl::StrJoin(
      {m.number(), domain::ShortName(m.status()), m.generator(),
       Time(m.opened_at()), m.paper_date(), Word(d.backfill()),
       domain::CsvField(d.contact()), domain::CsvField(d.contact_mobile()),
       domain::CsvField(d.emergency_phone()), domain::CsvField(d.address()),
       d.planned_date(), domain::CsvField(d.plan_number()), m.method()},
      ",");
}

std::string LineColumns(int index, const v1::WasteLine& l) {
  return absl::StrJoin(
      {absl::StrCat(index + 1), l.code(), domain::CsvField(l.name()),
       domain::CsvField(l.common_name()),
       domain::CsvField(HazardLetters(l.hazards())), Word(l.form()),
       domain::CsvField(l.packaging()), absl::StrCat(l.package_count()),
       absl::StrCat(l.quantity_g()), domain::CsvField(l.constituents()),
       domain::CsvField(l.precautions()), Word(l.purpose()), l.dg_class(),
       l.un_number()},
      ",");
}

// "name certificate" of a crew member a leg named; the driver's free name
// on legs before crew were registered.
std::string CrewColumn(const std::string& name, const std::string& cert) {
  return name.empty() ? std::string() : absl::StrCat(name, " ", cert);
}

std::string LegColumns(const v1::Manifest& m) {
  const auto& legs = m.legs();
  return absl::StrJoin(
      {Each(legs, [](const v1::Leg& l) { return l.carrier(); }),
       Each(legs, [](const v1::Leg& l) { return l.vehicle(); }),
       domain::CsvField(Each(
           legs,
           [](const v1::Leg& l) { return l.papers().operating_permit(); })),
       domain::CsvField(Each(
           legs,
           [](const v1::Leg& l) { return l.papers().vehicle_certificate(); })),
       domain::CsvField(
           Each(legs,
                [](const v1::Leg& l) {
                  return l.papers().driver().empty()
                             ? l.driver()
                             : CrewColumn(l.papers().driver(),
                                          l.transport().driver_certificate());
                })),
       domain::CsvField(Each(legs,
                             [](const v1::Leg& l) {
                               return CrewColumn(
                                   l.papers().escort(),
                                   l.transport().escort_certificate());
                             })),
       domain::CsvField(Each(
           legs, [](const v1::Leg& l) { return l.transport().waybill(); })),
       domain::CsvField(Each(legs,
                             [](const v1::Leg& l) {
                               std::vector<std::string> stops;
                               const v1::Transport& t = l.transport();
                               if (!t.origin().empty())
                                 stops.push_back(t.origin());
                               stops.insert(stops.end(), t.via().begin(),
                                            t.via().end());
                               if (!t.destination().empty())
                                 stops.push_back(t.destination());
                               return absl::StrJoin(stops, " > ");
                             }))},
      ",");
}

// What the receiver checked of line `index` on arrival at `d`.
std::string Arrived(const v1::Destination& d, int index) {
  std::vector<std::string> found;
  for (const v1::LineReceipt& c : d.checks()) {
    if (c.line() != index + 1) continue;
    for (const std::string& f :
         {Word(c.form()), c.packaging(), HazardLetters(c.hazards())}) {
      if (!f.empty()) found.push_back(f);
    }
  }
  return absl::StrJoin(found, " ");
}

// Each destination's columns for line `index`.
std::string DestinationColumns(const v1::Manifest& m, int index) {
  const auto& dests = m.destinations();
  auto grams = [index](const google::protobuf::RepeatedField<int64_t>& g) {
    return index < g.size() ? absl::StrCat(g.Get(index)) : std::string();
  };
  auto text =
      [index](const google::protobuf::RepeatedPtrField<std::string>& t) {
        return index < t.size() ? t.Get(index) : std::string();
      };
  using D = v1::Destination;
  return absl::StrJoin(
      {Each(dests, [](const D& d) { return d.receiver(); }),
       domain::CsvField(Each(dests, [](const D& d) { return d.licence(); })),
       domain::CsvField(
           Each(dests, [](const D& d) { return d.received_by(); })),
       Each(dests, [&](const D& d) { return grams(d.received_g()); }),
       Each(dests, [&](const D& d) { return grams(d.accepted_g()); }),
       Each(dests, [&](const D& d) { return grams(d.rejected_g()); }),
       domain::CsvField(
           Each(dests, [&](const D& d) { return text(d.reject_reasons()); })),
       domain::CsvField(
           Each(dests, [&](const D& d) { return Arrived(d, index); })),
       Each(dests, [&](const D& d) { return grams(d.disposed_g()); }),
       Each(dests, [&](const D& d) { return text(d.disposal_methods()); }),
       domain::CsvField(Each(dests, [](const D& d) { return d.outcome(); }))},
      ",");
}

}  // namespace

std::string FormRows(const v1::Manifest& m) {
  const std::string manifest = ManifestColumns(m);
  const std::string legs = LegColumns(m);
  std::string out;
  for (int i = 0; i < m.lines_size(); ++i) {
    absl::StrAppend(&out, manifest, ",", LineColumns(i, m.lines(i)), ",", legs,
                    ",", DestinationColumns(m, i), "\n");
  }
  return out;
}

}  // namespace cradle::services
