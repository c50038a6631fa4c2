#include "services/projection.h"

#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "base/time.h"
#include "domain/consultation.h"
#include "domain/container.h"
#include "domain/division.h"
#include "domain/flag_history.h"
#include "domain/flags/engine.h"
#include "domain/lifecycle.h"
#include "domain/manifest_facts.h"
#include "domain/plan.h"
#include "domain/record.h"
#include "domain/registry.h"
#include "domain/revision.h"
#include "domain/stock.h"
#include "domain/waste_catalogue.h"
#include "domain/work_calendar.h"
#include "services/keys.h"

namespace cradle::services {
namespace {

int64_t Accepted(const v1::Destination& d) {
  int64_t total = 0;
  for (int64_t g : d.accepted_g()) total += g;
  return total;
}

absl::Status NotOfKind(const storage::Entry& e, absl::string_view kind) {
  return absl::DataLossError(absl::StrCat("entry ", e.sequence, " (", e.type,
                                          ") of stream ", e.stream,
                                          " is not a ", kind, " event"));
}

// The entries under which flag `f` is listed, by its id.
void AddFlagIndex(const v1::Flag& f, IndexEntries* keys) {
  const std::string& id = f.id();
  (*keys)[keys::FlagAllPrefix() + id];
  (*keys)[keys::FlagStatePrefix(f.state()) + id];
  (*keys)[keys::FlagKindPrefix(f.kind()) + id];
  for (const std::string& city : {f.origin_city(), f.destination_city()}) {
    if (!city.empty()) (*keys)[keys::FlagCityPrefix(city) + id];
  }
  for (const std::string& county :
       {f.origin_county(), f.destination_county()}) {
    if (!county.empty()) (*keys)[keys::FlagCountyPrefix(county) + id];
  }
  if (domain::IsOpen(f)) {
    for (const std::string& e : f.enterprises()) {
      (*keys)[keys::FlagEnterprisePrefix(e) + id] =
          keys::SeverityName(f.severity());
    }
  }
}

// The per-city open-flag counters' adds of a subject's flags going from
// `before` to `after`.
void FlagCounters(const domain::Flags& before, const domain::Flags& after,
                  std::vector<storage::Mutation>* out) {
  std::map<std::string, bool> was_open;
  for (const v1::Flag& f : before) was_open[f.id()] = domain::IsOpen(f);
  for (const v1::Flag& f : after) {
    const bool open = domain::IsOpen(f);
    if (open == was_open[f.id()]) continue;
    std::set<std::string> cities = {f.origin_city(), f.destination_city()};
    for (const std::string& city : cities) {
      if (city.empty()) continue;
      out->push_back(storage::Mutation::Add(
          storage::Table::kIndex, keys::OpenFlagsCounter(city, f.kind()),
          open ? 1 : -1));
    }
  }
}

void AddCounters(const std::vector<storage::Mutation>& adds, Projection* out) {
  for (const storage::Mutation& m : adds) {
    out->counters[{m.table, m.key}] += m.add;
  }
}

// Each kind's replay: a state that starts empty, and each entry folded in.
class ManifestReplay final : public StreamReplay {
 public:
  ManifestReplay(absl::string_view number, const domain::FlagConfig& config)
      : config_(config) {
    out_.state_key = keys::ManifestState(number);
  }

  absl::Status Apply(const storage::Entry& e) override {
    ledger::v1::ManifestEvent event;
    if (!event.ParseFromString(e.payload) ||
        event.kind_case() == ledger::v1::ManifestEvent::KIND_NOT_SET ||
        domain::EventType(event) != e.type) {
      return NotOfKind(e, "manifest");
    }
    out_.legacy_times |= !event.has_decided_at();
    const absl::Time at = EventTime(event, e.recorded);
    const v1::Manifest before = CounterBasis(*manifest_);
    domain::Apply(event, at, manifest_.get());
    // Counters telescope: the adds of each event sum to the adds of the
    // write that appended them together.
    ManifestCounters(before, *manifest_, absl::MakeConstSpan(&event, 1), at,
                     &adds_);
    return absl::OkStatus();
  }

  Projection Finish() override {
    AddCounters(adds_, &out_);
    out_.index = ManifestIndex(*manifest_, config_);
    out_.state = std::move(manifest_);
    return std::move(out_);
  }

 private:
  const domain::FlagConfig& config_;
  Projection out_;
  std::unique_ptr<v1::Manifest> manifest_ = std::make_unique<v1::Manifest>();
  std::vector<storage::Mutation> adds_;
};

class EnterpriseReplay final : public StreamReplay {
 public:
  explicit EnterpriseReplay(absl::string_view id) {
    out_.state_key = keys::EnterpriseState(id);
  }

  absl::Status Apply(const storage::Entry& e) override {
    ledger::v1::RegistryEvent event;
    if (!event.ParseFromString(e.payload) ||
        event.kind_case() == ledger::v1::RegistryEvent::KIND_NOT_SET ||
        event.has_approval_registered() || event.has_plan_filed() ||
        event.has_white_list_filed()) {
      return NotOfKind(e, "registry");
    }
    domain::ApplyRegistryEvent(event, enterprise_.get());
    return absl::OkStatus();
  }

  Projection Finish() override {
    out_.index = EnterpriseIndex(*enterprise_);
    out_.state = std::move(enterprise_);
    return std::move(out_);
  }

 private:
  Projection out_;
  std::unique_ptr<v1::Enterprise> enterprise_ =
      std::make_unique<v1::Enterprise>();
};

class ApprovalReplay final : public StreamReplay {
 public:
  explicit ApprovalReplay(absl::string_view number) {
    out_.state_key = keys::ApprovalState(number);
  }

  absl::Status Apply(const storage::Entry& e) override {
    ledger::v1::RegistryEvent event;
    if (!event.ParseFromString(e.payload) || !event.has_approval_registered()) {
      return NotOfKind(e, "approval");
    }
    *approval_ = domain::Transcribe<v1::Approval>(
        event.approval_registered().approval());
    return absl::OkStatus();
  }

  Projection Finish() override {
    out_.index = ApprovalIndex(*approval_);
    out_.state = std::move(approval_);
    return std::move(out_);
  }

 private:
  Projection out_;
  std::unique_ptr<v1::Approval> approval_ = std::make_unique<v1::Approval>();
};

class PlanReplay final : public StreamReplay {
 public:
  explicit PlanReplay(absl::string_view number) {
    out_.state_key = keys::PlanState(number);
  }

  absl::Status Apply(const storage::Entry& e) override {
    ledger::v1::RegistryEvent event;
    if (!event.ParseFromString(e.payload) || !event.has_plan_filed()) {
      return NotOfKind(e, "plan");
    }
    *plan_ = domain::FiledPlan(event);
    return absl::OkStatus();
  }

  Projection Finish() override {
    out_.index = PlanIndex(*plan_);
    out_.state = std::move(plan_);
    return std::move(out_);
  }

 private:
  Projection out_;
  std::unique_ptr<v1::ManagementPlan> plan_ =
      std::make_unique<v1::ManagementPlan>();
};

class ConsultationReplay final : public StreamReplay {
 public:
  explicit ConsultationReplay(absl::string_view number) {
    out_.state_key = keys::ConsultationState(number);
  }

  absl::Status Apply(const storage::Entry& e) override {
    ledger::v1::ConsultationEvent event;
    if (!event.ParseFromString(e.payload) ||
        event.kind_case() == ledger::v1::ConsultationEvent::KIND_NOT_SET ||
        e.type != (event.has_applied() ? "consultation.applied"
                                       : "consultation.step")) {
      return NotOfKind(e, "consultation");
    }
    domain::ApplyConsultationEvent(event, consultation_.get());
    return absl::OkStatus();
  }

  Projection Finish() override {
    out_.index = ConsultationIndex(*consultation_);
    out_.state = std::move(consultation_);
    return std::move(out_);
  }

 private:
  Projection out_;
  std::unique_ptr<v1::Consultation> consultation_ =
      std::make_unique<v1::Consultation>();
};

class WhiteListReplay final : public StreamReplay {
 public:
  explicit WhiteListReplay(absl::string_view number) {
    out_.state_key = keys::WhiteListState(number);
  }

  absl::Status Apply(const storage::Entry& e) override {
    ledger::v1::RegistryEvent event;
    if (!event.ParseFromString(e.payload) || !event.has_white_list_filed()) {
      return NotOfKind(e, "white list");
    }
    *list_ = domain::FiledWhiteList(event);
    return absl::OkStatus();
  }

  Projection Finish() override {
    out_.state = std::move(list_);
    return std::move(out_);
  }

 private:
  Projection out_;
  std::unique_ptr<v1::WhiteList> list_ = std::make_unique<v1::WhiteList>();
};

class ContainerReplay final : public StreamReplay {
 public:
  explicit ContainerReplay(absl::string_view code) {
    out_.state_key = keys::ContainerState(code);
  }

  absl::Status Apply(const storage::Entry& e) override {
    ledger::v1::ContainerEvent event;
    // The registration first, then the rest.
    if (!event.ParseFromString(e.payload) ||
        event.has_registered() != container_->code().empty() ||
        domain::ContainerEventType(event) != e.type) {
      return NotOfKind(e, "container");
    }
    out_.legacy_times |= !event.has_decided_at();
    const domain::Flags before = container_->flags();
    *container_ = domain::ApplyContainerEvent(*container_, event, e.recorded);
    FlagCounters(before, container_->flags(), &adds_);
    return absl::OkStatus();
  }

  Projection Finish() override {
    AddCounters(adds_, &out_);
    out_.index = ContainerIndex(*container_);
    out_.state = std::move(container_);
    return std::move(out_);
  }

 private:
  Projection out_;
  std::unique_ptr<v1::Container> container_ = std::make_unique<v1::Container>();
  std::vector<storage::Mutation> adds_;
};

class CredentialReplay final : public StreamReplay {
 public:
  explicit CredentialReplay(absl::string_view id) {
    out_.state_key = keys::CredentialState(id);
  }

  absl::Status Apply(const storage::Entry& e) override {
    ledger::v1::CredentialEvent event;
    if (!event.ParseFromString(e.payload)) return NotOfKind(e, "credential");
    if (event.has_issued()) {
      *state_ = std::move(event);
    } else if (event.has_revoked()) {
      out_.legacy_times |= !event.has_at();
      ledger::v1::Credential* c = state_->mutable_issued();
      c->set_revoked(true);
      *c->mutable_revoked_at() =
          event.has_at() ? event.at() : ToTimestamp(e.recorded);
      c->set_revoke_reason(event.revoked().reason());
    } else {
      return NotOfKind(e, "credential");
    }
    return absl::OkStatus();
  }

  Projection Finish() override {
    out_.index = CredentialIndex(state_->issued());
    out_.state = std::move(state_);
    return std::move(out_);
  }

 private:
  Projection out_;
  // A credential's state is the event that issued it, as it stands now.
  std::unique_ptr<ledger::v1::CredentialEvent> state_ =
      std::make_unique<ledger::v1::CredentialEvent>();
};

}  // namespace

IndexEntries ManifestIndex(const v1::Manifest& m,
                           const domain::FlagConfig& config) {
  IndexEntries keys;
  if (m.number().empty() || m.status() == v1::MANIFEST_STATUS_UNSPECIFIED)
    return keys;
  const std::string& n = m.number();
  keys[keys::AllManifestsPrefix() + n];
  keys[keys::StatusPrefix(m.status()) + n];
  for (const std::string& party : domain::ManifestParties(m)) {
    keys[keys::PartyPrefix(party) + n];
  }
  for (const v1::Leg& leg : m.legs()) {
    if (!leg.trip().empty())
      keys[keys::TripPrefix(leg.carrier(), leg.trip()) + n];
  }
  for (const v1::Flag& f : m.flags()) AddFlagIndex(f, &keys);
  // Jurisdictions: the divisions a regulator reads the manifest by.
  const std::string day = absl::FormatTime(
      "%Y%m%d", FromTimestamp(m.opened_at()), domain::ChinaTime());
  for (const std::string& j : domain::ManifestJurisdictions(m)) {
    keys[keys::JurisdictionKey(j, day, n)];
  }
  if (m.status() != v1::MANIFEST_STATUS_CANCELLED &&
      m.status() != v1::MANIFEST_STATUS_VOIDED) {
    for (const domain::DueDate& due : domain::DueDates(m, config)) {
      keys[keys::DueKey(due.due, n, due.kind, due.subject)];
    }
  }
  // Pending revisions lapse even on a voided manifest.
  int r = 0;
  for (absl::Time lapse : domain::RevisionLapses(m)) {
    keys[keys::DueKey(lapse, n, "REVISION_LAPSE", r++)];
  }
  if (domain::WaitsOnRegulator(m)) {
    for (const std::string& j : domain::ManifestJurisdictions(m)) {
      keys[keys::OfficePrefix(j) + n];
    }
  }
  if (m.status() != v1::MANIFEST_STATUS_CANCELLED &&
      m.status() != v1::MANIFEST_STATUS_VOIDED) {
    for (const std::string& code : domain::ManifestContainers(m)) {
      keys[keys::ContainerManifestIndex(code)] = n;
    }
  }
  return keys;
}

void ManifestCounters(const v1::Manifest& before, const v1::Manifest& after,
                      absl::Span<const ledger::v1::ManifestEvent> events,
                      absl::Time now, std::vector<storage::Mutation>* out) {
  const absl::CivilSecond civil = absl::ToCivilSecond(now, domain::ChinaTime());
  const int year = static_cast<int>(civil.year());
  // What each receiver accepted this year (capacity rules read it).
  for (int i = 0; i < after.destinations_size(); ++i) {
    const v1::Destination& d = after.destinations(i);
    const int64_t delta =
        Accepted(d) -
        (i < before.destinations_size() ? Accepted(before.destinations(i)) : 0);
    if (delta != 0 && !d.returned_to_generator()) {
      out->push_back(storage::Mutation::Add(
          storage::Table::kState, keys::AcceptedCounter(d.receiver(), year),
          delta));
    }
  }
  // What each approval has shipped.
  for (const ledger::v1::ManifestEvent& e : events) {
    if (e.has_approval_applied() && e.approval_applied().grams() != 0) {
      out->push_back(storage::Mutation::Add(
          storage::Table::kState,
          keys::ApprovalUsedCounter(e.approval_applied().number()),
          e.approval_applied().grams()));
    }
    // What each plan has shipped.
    if (e.has_plan_applied() && e.plan_applied().grams() != 0) {
      const ledger::v1::PlanApplied& p = e.plan_applied();
      out->push_back(storage::Mutation::Add(
          storage::Table::kState,
          keys::PlanShippedCounter(p.number(), p.code(), p.receiver()),
          p.grams()));
    }
  }
  // The regulators' figures: flows of accepted waste, closures, open flags.
  const std::string month = absl::FormatTime("%Y%m", now, domain::ChinaTime());
  const std::string origin = after.origin_division().substr(0, 4);
  for (int i = 0; i < after.destinations_size(); ++i) {
    const v1::Destination& d = after.destinations(i);
    if (d.returned_to_generator()) continue;
    for (int line = 0; line < d.accepted_g_size(); ++line) {
      const int64_t was =
          i < before.destinations_size() &&
                  line < before.destinations(i).accepted_g_size()
              ? before.destinations(i).accepted_g(line)
              : 0;
      const int64_t delta = d.accepted_g(line) - was;
      if (delta == 0) continue;
      const std::string& code = after.lines(line).code();
      out->push_back(storage::Mutation::Add(
          storage::Table::kIndex,
          keys::FlowCounter(month, origin, d.division().substr(0, 4),
                            domain::WasteCategoryOf(code)),
          delta));
    }
  }
  if (after.status() == v1::MANIFEST_STATUS_CLOSED &&
      before.status() != v1::MANIFEST_STATUS_CLOSED) {
    bool late = false;
    for (const v1::Flag& f : after.flags())
      late |= domain::IsDeadlineKind(f.kind());
    out->push_back(storage::Mutation::Add(
        storage::Table::kIndex,
        keys::ClosedCounter(month, origin, keys::kClosedAll), 1));
    if (!late) {
      out->push_back(storage::Mutation::Add(
          storage::Table::kIndex,
          keys::ClosedCounter(month, origin, keys::kClosedOnTime), 1));
    }
  }
  FlagCounters(before.flags(), after.flags(), out);
}

v1::Manifest CounterBasis(const v1::Manifest& manifest) {
  v1::Manifest basis;
  basis.set_status(manifest.status());
  for (const v1::Destination& d : manifest.destinations()) {
    v1::Destination* kept = basis.add_destinations();
    *kept->mutable_accepted_g() = d.accepted_g();
    kept->set_returned_to_generator(d.returned_to_generator());
  }
  for (const v1::Flag& f : manifest.flags()) {
    v1::Flag* kept = basis.add_flags();
    kept->set_id(f.id());
    kept->set_state(f.state());
  }
  return basis;
}

IndexEntries EnterpriseIndex(const v1::Enterprise& e) {
  IndexEntries keys;
  if (e.id().empty()) return keys;
  keys[keys::EnterprisesInDivisionPrefix(e.division()) + e.id()];
  for (int role : e.roles()) {
    if (role == v1::ROLE_RECEIVER) {
      // For the in-city alternatives of the CROSS_CITY rule.
      keys[keys::ReceiversInCityPrefix(domain::CityUnit(e.division())) +
           e.id()];
    }
  }
  for (const v1::Vehicle& v : e.vehicles()) {
    keys[keys::VehicleIndex(v.plate())] = e.id();
  }
  return keys;
}

IndexEntries ApprovalIndex(const v1::Approval& a) {
  IndexEntries keys;
  if (a.number().empty()) return keys;
  keys[keys::ApprovalPairPrefix(a.generator(), a.receiver()) + a.number()];
  return keys;
}

IndexEntries PlanIndex(const v1::ManagementPlan& p) {
  IndexEntries keys;
  if (p.number().empty()) return keys;
  keys[keys::PlanOfIndex(p.generator(), p.year())] = p.number();
  keys[keys::PlanNumbersPrefix() + p.number()];
  return keys;
}

IndexEntries ConsultationIndex(const v1::Consultation& c) {
  IndexEntries keys;
  if (c.number().empty()) return keys;
  keys[keys::ConsultationsInPrefix(c.origin_province()) + c.number()];
  keys[keys::ConsultationsInPrefix(c.destination_province()) + c.number()];
  keys[keys::ConsultationsByPrefix(c.application().generator()) + c.number()];
  if (c.stage() == v1::CONSULTATION_STAGE_APPROVED) {
    // Found as the registered approvals are (LedgerRegistryReader).
    keys[keys::ApprovalPairPrefix(c.approval().generator(),
                                  c.approval().receiver()) +
         c.number()];
  }
  return keys;
}

IndexEntries ContainerIndex(const v1::Container& c) {
  IndexEntries keys;
  if (c.code().empty()) return keys;
  keys[keys::GeneratorContainersPrefix(c.generator()) + c.code()];
  if (domain::HoldsSources(c)) {
    for (const std::string& source : c.sources()) {
      keys[keys::ContainerSourceIndex(source)] = c.code();
    }
  }
  for (const v1::Flag& f : c.flags()) AddFlagIndex(f, &keys);
  // Only a booking that set a limit (ledger v11) runs a deadline, so that
  // the entries of older streams replay to the keys they were written with.
  if (absl::optional<absl::Time> due = domain::StorageDeadline(c)) {
    keys[keys::DueKey(*due, c.code(), v1::FLAG_KIND_STOCK_OVERDUE, 0)];
  }
  return keys;
}

storage::AppendRequest ContainerAppend(const v1::Container& before,
                                       const ledger::v1::ContainerEvent& event,
                                       const v1::Container& after,
                                       absl::string_view actor) {
  storage::AppendRequest req;
  req.stream = keys::ContainerStream(after.code());
  req.expected_version =
      before.code().empty()
          ? 0
          : static_cast<uint64_t>(domain::ContainerVersion(before));
  req.entries.push_back(storage::NewEntry{domain::ContainerEventType(event),
                                          event.SerializeAsString(),
                                          std::string(actor)});
  // The state as the stream replays it: without what the index gives when
  // it is read (the manifest that lists it, the container it went into).
  v1::Container state = after;
  state.clear_manifest();
  state.clear_consolidated_into();
  req.mutations.push_back(storage::Mutation::Put(
      storage::Table::kState, keys::ContainerState(after.code()),
      state.SerializeAsString()));
  IndexDiff(ContainerIndex(before), ContainerIndex(after), &req.mutations);
  FlagCounters(before.flags(), after.flags(), &req.mutations);
  return req;
}

IndexEntries CredentialIndex(const ledger::v1::Credential& c) {
  IndexEntries keys;
  if (c.id().empty()) return keys;
  keys[keys::CredentialsPrefix() + c.id()];
  return keys;
}

void IndexDiff(const IndexEntries& before, const IndexEntries& after,
               std::vector<storage::Mutation>* out) {
  for (const auto& [k, v] : before) {
    if (after.count(k) == 0) {
      out->push_back(
          storage::Mutation{storage::Table::kIndex, k, absl::nullopt});
    }
  }
  for (const auto& [k, v] : after) {
    auto old = before.find(k);
    if (old == before.end() || old->second != v) {
      storage::Mutation m{storage::Table::kIndex, k, v};
      m.create_only = old == before.end() &&
                      (absl::StartsWith(k, keys::VehicleIndex("")) ||
                       absl::StartsWith(k, keys::ContainerManifestIndex("")) ||
                       absl::StartsWith(k, keys::ContainerSourceIndex("")) ||
                       absl::StartsWith(k, keys::PlanOfPrefix()));
      out->push_back(std::move(m));
    }
  }
}

absl::Time EventTime(const ledger::v1::ManifestEvent& event,
                     absl::Time recorded) {
  return event.has_decided_at() ? FromTimestamp(event.decided_at()) : recorded;
}

absl::StatusOr<std::unique_ptr<StreamReplay>> StreamReplay::Start(
    absl::string_view stream, const domain::FlagConfig& config) {
  CRADLE_ASSIGN_OR_RETURN(keys::StreamName name, keys::ParseStream(stream));
  switch (name.kind) {
    case keys::StreamKind::kEnterprise:
      return std::make_unique<EnterpriseReplay>(name.id);
    case keys::StreamKind::kApproval:
      return std::make_unique<ApprovalReplay>(name.id);
    case keys::StreamKind::kCredential:
      return std::make_unique<CredentialReplay>(name.id);
    case keys::StreamKind::kContainer:
      return std::make_unique<ContainerReplay>(name.id);
    case keys::StreamKind::kPlan:
      return std::make_unique<PlanReplay>(name.id);
    case keys::StreamKind::kConsultation:
      return std::make_unique<ConsultationReplay>(name.id);
    case keys::StreamKind::kWhiteList:
      return std::make_unique<WhiteListReplay>(name.id);
    case keys::StreamKind::kManifest:
      break;
  }
  return std::make_unique<ManifestReplay>(name.id, config);
}

absl::StatusOr<Projection> ReplayStream(
    absl::string_view stream, const std::vector<storage::Entry>& entries,
    const domain::FlagConfig& config) {
  CRADLE_ASSIGN_OR_RETURN(std::unique_ptr<StreamReplay> replay,
                          StreamReplay::Start(stream, config));
  for (const storage::Entry& e : entries) {
    CRADLE_RETURN_IF_ERROR(replay->Apply(e));
  }
  return replay->Finish();
}

}  // namespace cradle::services
