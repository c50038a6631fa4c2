#include "services/ledger_registry.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "domain/consultation.h"
#include "services/keys.h"
#include "services/projection.h"
#include "services/reads.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

// What the flag rules read whole: the licensed receivers of one city (for
// CROSS_CITY's "one nearer was licensed") and the approvals of one
// generator-receiver pair. A city has tens; past these, writes that need
// them are refused rather than decided on part of the list.
constexpr size_t kMaxReceiversInCity = 10000;
constexpr size_t kMaxApprovalsPerPair = 1000;

}  // namespace

absl::StatusOr<v1::Enterprise> LedgerRegistryReader::GetEnterprise(
    absl::string_view field, absl::string_view id) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> value,
                          ledger_.GetState(keys::EnterpriseState(id)));
  if (!value.has_value()) {
    return absl::NotFoundError(
        absl::StrCat(field, " ", id, " is not a registered enterprise"));
  }
  v1::Enterprise e;
  if (!e.ParseFromString(*value)) {
    return absl::DataLossError(
        absl::StrCat("stored state of enterprise ", id, " does not parse"));
  }
  return e;
}

absl::StatusOr<std::vector<v1::Enterprise>>
LedgerRegistryReader::ReceiversInCity(absl::string_view city_unit) const {
  const std::string prefix = keys::ReceiversInCityPrefix(city_unit);
  CRADLE_ASSIGN_OR_RETURN(
      std::vector<storage::KeyValue> rows,
      ScanWholeIndex(ledger_, prefix, kMaxReceiversInCity,
                     absl::StrCat("receivers in city ", city_unit)));
  std::vector<v1::Enterprise> out;
  for (const storage::KeyValue& row : rows) {
    CRADLE_ASSIGN_OR_RETURN(
        v1::Enterprise e,
        GetEnterprise("receiver", row.key.substr(prefix.size())));
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<int64_t> LedgerRegistryReader::AcceptedGrams(
    absl::string_view receiver, int year) const {
  CRADLE_ASSIGN_OR_RETURN(
      absl::optional<std::string> v,
      ledger_.GetState(keys::AcceptedCounter(receiver, year)));
  return storage::DecodeCounter(v);
}

absl::StatusOr<std::vector<v1::Approval>> LedgerRegistryReader::Approvals(
    absl::string_view generator, absl::string_view receiver) const {
  const std::string prefix = keys::ApprovalPairPrefix(generator, receiver);
  CRADLE_ASSIGN_OR_RETURN(
      std::vector<storage::KeyValue> rows,
      ScanWholeIndex(
          ledger_, prefix, kMaxApprovalsPerPair,
          absl::StrCat("approvals for ", generator, " to ", receiver)));
  std::vector<v1::Approval> out;
  for (const storage::KeyValue& row : rows) {
    const std::string number = row.key.substr(prefix.size());
    CRADLE_ASSIGN_OR_RETURN(absl::optional<v1::Approval> a,
                            FindApproval(number));
    if (!a.has_value()) {
      return absl::DataLossError(
          absl::StrCat("approval ", number, " is indexed but not stored"));
    }
    out.push_back(*std::move(a));
  }
  return out;
}

absl::StatusOr<int64_t> LedgerRegistryReader::ApprovalUsedGrams(
    absl::string_view number) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                          ledger_.GetState(keys::ApprovalUsedCounter(number)));
  return storage::DecodeCounter(v);
}

absl::StatusOr<absl::optional<v1::Approval>> LedgerRegistryReader::FindApproval(
    absl::string_view number) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                          ledger_.GetState(keys::ApprovalState(number)));
  if (!v.has_value()) {
    if (!domain::ParseConsultationNumber("", number).ok()) {
      return absl::optional<v1::Approval>();
    }
    absl::StatusOr<v1::Consultation> c = GetConsultation("", number);
    if (absl::IsNotFound(c.status())) return absl::optional<v1::Approval>();
    CRADLE_RETURN_IF_ERROR(c.status());
    if (c->stage() != v1::CONSULTATION_STAGE_APPROVED) {
      return absl::optional<v1::Approval>();
    }
    return absl::optional<v1::Approval>(std::move(*c->mutable_approval()));
  }
  v1::Approval a;
  if (!a.ParseFromString(*v)) {
    return absl::DataLossError(
        absl::StrCat("stored state of approval ", number, " does not parse"));
  }
  return absl::optional<v1::Approval>(std::move(a));
}

absl::StatusOr<v1::Consultation> LedgerRegistryReader::GetConsultation(
    absl::string_view field, absl::string_view number) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                          ledger_.GetState(keys::ConsultationState(number)));
  if (!v.has_value()) {
    return absl::NotFoundError(
        absl::StrCat(field, " ", number, " is not a consultation"));
  }
  v1::Consultation c;
  if (!c.ParseFromString(*v)) {
    return absl::DataLossError(absl::StrCat("stored state of consultation ",
                                            number, " does not parse"));
  }
  return c;
}

absl::StatusOr<absl::optional<v1::WhiteList>>
LedgerRegistryReader::FindWhiteList(absl::string_view number) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                          ledger_.GetState(keys::WhiteListState(number)));
  if (!v.has_value()) return absl::optional<v1::WhiteList>();
  v1::WhiteList w;
  if (!w.ParseFromString(*v)) {
    return absl::DataLossError(
        absl::StrCat("stored state of white list ", number, " does not parse"));
  }
  return absl::optional<v1::WhiteList>(std::move(w));
}

absl::StatusOr<v1::Container> LedgerRegistryReader::GetContainer(
    absl::string_view field, absl::string_view code) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                          ledger_.GetState(keys::ContainerState(code)));
  if (!v.has_value()) {
    return absl::NotFoundError(
        absl::StrCat(field, " ", code, " is not a registered container"));
  }
  v1::Container c;
  if (!c.ParseFromString(*v)) {
    return absl::DataLossError(
        absl::StrCat("stored state of container ", code, " does not parse"));
  }
  CRADLE_ASSIGN_OR_RETURN(std::string on, ManifestOfContainer(code));
  c.set_manifest(std::move(on));
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> into,
                          ledger_.GetIndex(keys::ContainerSourceIndex(code)));
  if (into.has_value()) c.set_consolidated_into(std::move(*into));
  return c;
}

absl::StatusOr<std::string> LedgerRegistryReader::ManifestOfContainer(
    absl::string_view code) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                          ledger_.GetIndex(keys::ContainerManifestIndex(code)));
  return v.value_or(std::string());
}

absl::StatusOr<v1::Manifest> LedgerRegistryReader::GetManifest(
    absl::string_view number) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                          ledger_.GetState(keys::ManifestState(number)));
  if (!v.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("manifest ", number, " does not exist"));
  }
  v1::Manifest m;
  if (!m.ParseFromString(*v)) {
    return absl::DataLossError(
        absl::StrCat("stored state of manifest ", number, " does not parse"));
  }
  return m;
}

absl::StatusOr<std::vector<v1::Manifest>> LedgerRegistryReader::ManifestsOf(
    absl::string_view generator) const {
  // The party index holds every manifest the enterprise is a party of; a
  // generator's are those it opened.
  std::vector<v1::Manifest> out;
  CRADLE_RETURN_IF_ERROR(
      ForEachManifestOf(generator, [&](v1::Manifest m) -> absl::Status {
        if (m.generator() == generator) out.push_back(std::move(m));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<domain::OperatorManifest>>
LedgerRegistryReader::ReceivedAt(absl::string_view op, absl::Time start) const {
  std::vector<domain::OperatorManifest> out;
  CRADLE_RETURN_IF_ERROR(
      ForEachManifestOf(op, [&](v1::Manifest m) -> absl::Status {
        if (!domain::ReportNeedsHistory(m, op, start)) return absl::OkStatus();
        domain::OperatorManifest om;
        CRADLE_ASSIGN_OR_RETURN(
            const std::vector<storage::Entry> entries,
            ReadWholeStream(ledger_, m.number(), kMaxStreamEntries));
        for (const storage::Entry& e : entries) {
          ledger::v1::ManifestEvent event;
          if (!event.ParseFromString(e.payload)) {
            return absl::DataLossError(absl::StrCat("entry ", e.sequence,
                                                    " of manifest ", m.number(),
                                                    " does not parse"));
          }
          if (!event.has_disposed() || event.disposed().receiver() != op) {
            continue;
          }
          const absl::Time at = EventTime(event, e.recorded);
          for (const ledger::v1::LineDisposal& l : event.disposed().lines()) {
            om.disposals.push_back({l.line(), l.method(), l.quantity_g(), at});
          }
        }
        om.manifest = std::move(m);
        out.push_back(std::move(om));
        return absl::OkStatus();
      }));
  return out;
}

absl::Status LedgerRegistryReader::ForEachManifestOf(
    absl::string_view party,
    const std::function<absl::Status(v1::Manifest)>& visit) const {
  const std::string prefix = keys::PartyPrefix(party);
  CRADLE_ASSIGN_OR_RETURN(std::vector<storage::KeyValue> rows,
                          ScanWholeIndex(ledger_, prefix, kMaxManifestsPerParty,
                                         absl::StrCat("manifests of ", party)));
  for (const storage::KeyValue& kv : rows) {
    CRADLE_ASSIGN_OR_RETURN(
        v1::Manifest m,
        GetManifest(absl::string_view(kv.key).substr(prefix.size())));
    CRADLE_RETURN_IF_ERROR(visit(std::move(m)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Manifest>> LedgerRegistryReader::TripManifests(
    absl::string_view carrier, absl::string_view trip) const {
  const std::string prefix = keys::TripPrefix(carrier, trip);
  CRADLE_ASSIGN_OR_RETURN(
      std::vector<storage::KeyValue> rows,
      ledger_.ScanIndex(prefix, "",
                        static_cast<size_t>(domain::kMaxManifestsPerTrip) + 1));
  std::vector<v1::Manifest> out;
  out.reserve(rows.size());
  for (const storage::KeyValue& kv : rows) {
    CRADLE_ASSIGN_OR_RETURN(
        v1::Manifest m,
        GetManifest(absl::string_view(kv.key).substr(prefix.size())));
    out.push_back(std::move(m));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Manifest>> LedgerRegistryReader::CollectedBy(
    absl::string_view collector) const {
  std::vector<v1::Manifest> out;
  CRADLE_RETURN_IF_ERROR(
      ForEachManifestOf(collector, [&](v1::Manifest m) -> absl::Status {
        for (const v1::Destination& d : m.destinations()) {
          if (d.receiver() == collector && d.collected()) {
            out.push_back(std::move(m));
            break;
          }
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<v1::Container>> LedgerRegistryReader::ContainersOf(
    absl::string_view generator) const {
  const std::string prefix = keys::GeneratorContainersPrefix(generator);
  CRADLE_ASSIGN_OR_RETURN(
      std::vector<storage::KeyValue> rows,
      ScanWholeIndex(ledger_, prefix, kMaxContainersPerGenerator,
                     absl::StrCat("containers of ", generator)));
  std::vector<v1::Container> out;
  out.reserve(rows.size());
  for (const storage::KeyValue& kv : rows) {
    CRADLE_ASSIGN_OR_RETURN(
        v1::Container c,
        GetContainer("code", absl::string_view(kv.key).substr(prefix.size())));
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<v1::ManagementPlan> LedgerRegistryReader::GetPlan(
    absl::string_view field, absl::string_view number) const {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> v,
                          ledger_.GetState(keys::PlanState(number)));
  if (!v.has_value()) return RegistryReader::GetPlan(field, number);
  v1::ManagementPlan plan;
  if (!plan.ParseFromString(*v)) {
    return absl::DataLossError(
        absl::StrCat("stored state of plan ", number, " does not parse"));
  }
  return plan;
}

absl::StatusOr<int64_t> LedgerRegistryReader::PlanShippedGrams(
    absl::string_view number, absl::string_view code,
    absl::string_view receiver) const {
  CRADLE_ASSIGN_OR_RETURN(
      absl::optional<std::string> v,
      ledger_.GetState(keys::PlanShippedCounter(number, code, receiver)));
  return storage::DecodeCounter(v);
}

absl::StatusOr<absl::optional<std::string>> LedgerRegistryReader::PlanNumberOf(
    absl::string_view generator, int year) const {
  return ledger_.GetIndex(keys::PlanOfIndex(generator, year));
}

absl::StatusOr<domain::PlanShipped> LedgerRegistryReader::PlanShipments(
    absl::string_view number) const {
  const std::string prefix = keys::PlanShippedPrefix(number);
  CRADLE_ASSIGN_OR_RETURN(
      std::vector<storage::KeyValue> rows,
      ledger_.ScanState(prefix, "",
                        static_cast<size_t>(domain::kMaxPlanLines) *
                                domain::kMaxPlanTransfers +
                            1000));
  domain::PlanShipped out;
  for (const storage::KeyValue& row : rows) {
    // <prefix><code>/<receiver>
    const absl::string_view rest =
        absl::string_view(row.key).substr(prefix.size());
    const size_t slash = rest.find('/');
    if (slash == absl::string_view::npos) {
      return absl::DataLossError(
          absl::StrCat("malformed plan counter key \"", row.key, "\""));
    }
    const int64_t grams = storage::DecodeCounter(row.value);
    if (grams != 0) {
      out[{std::string(rest.substr(0, slash)),
           std::string(rest.substr(slash + 1))}] = grams;
    }
  }
  return out;
}

absl::StatusOr<absl::optional<std::string>> LedgerRegistryReader::VehicleOwner(
    absl::string_view plate) const {
  return ledger_.GetIndex(keys::VehicleIndex(plate));
}

}  // namespace cradle::services
