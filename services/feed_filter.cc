#include "services/feed_filter.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/consultation.pb.h"
#include "domain/container.h"
#include "domain/division.h"
#include "domain/lifecycle.h"
#include "domain/manifest_facts.h"
#include "domain/registry.h"
#include "domain/uscc.h"
#include "services/keys.h"
#include "services/projection.h"

namespace cradle::services {
namespace {

constexpr size_t kMaxTypes = 64;

// The province, city and county of a six-digit division.
void AddDivision(const std::string& division,
                 std::vector<std::string>* jurisdictions) {
  if (division.size() != 6) return;
  for (size_t n : {2, 4, 6}) jurisdictions->push_back(division.substr(0, n));
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Adds `id` to the audience, with the divisions it is registered in.
absl::Status AddEnterprise(const storage::LedgerReader& reader,
                           const std::string& id, EntryAudience* out) {
  if (id.empty()) return absl::OkStatus();
  out->parties.push_back(id);
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> state,
                          reader.GetState(keys::EnterpriseState(id)));
  v1::Enterprise enterprise;
  if (state.has_value() && enterprise.ParseFromString(*state)) {
    AddDivision(enterprise.division(), &out->jurisdictions);
  }
  return absl::OkStatus();
}

// An approval's audience: its generator and receiver, in the divisions
// they are registered in.
absl::StatusOr<EntryAudience> ApprovalAudience(
    const storage::LedgerReader& reader, const storage::Entry& e) {
  ledger::v1::RegistryEvent event;
  if (!event.ParseFromString(e.payload) || !event.has_approval_registered()) {
    return absl::DataLossError(absl::StrCat("entry ", e.sequence, " of ",
                                            e.stream, " is not an approval"));
  }
  const ledger::v1::Approval& a = event.approval_registered().approval();
  EntryAudience out;
  CRADLE_RETURN_IF_ERROR(AddEnterprise(reader, a.generator(), &out));
  CRADLE_RETURN_IF_ERROR(AddEnterprise(reader, a.receiver(), &out));
  return out;
}

// A container's audience: its generator, in the division it is registered
// in. The manifests that list it carry its code to their own parties.
absl::StatusOr<EntryAudience> ContainerAudience(
    const storage::LedgerReader& reader, const storage::Entry& e) {
  ledger::v1::ContainerEvent event;
  if (!event.ParseFromString(e.payload) ||
      domain::ContainerEventType(event).empty()) {
    return absl::DataLossError(absl::StrCat(
        "entry ", e.sequence, " of ", e.stream, " is not a container event"));
  }
  // Every entry's generator, its flags' too, is the unit the container's
  // code names, as the registration's is.
  CRADLE_ASSIGN_OR_RETURN(keys::StreamName name, keys::ParseStream(e.stream));
  CRADLE_ASSIGN_OR_RETURN(domain::ContainerCode code,
                          domain::ParseContainerCode("stream", name.id));
  EntryAudience out;
  CRADLE_RETURN_IF_ERROR(AddEnterprise(reader, code.unit, &out));
  return out;
}

// A plan's audience: its generator, in the division it is registered in.
absl::StatusOr<EntryAudience> PlanAudience(const storage::LedgerReader& reader,
                                           const storage::Entry& e) {
  ledger::v1::RegistryEvent event;
  if (!event.ParseFromString(e.payload) || !event.has_plan_filed()) {
    return absl::DataLossError(
        absl::StrCat("entry ", e.sequence, " of ", e.stream, " is not a plan"));
  }
  EntryAudience out;
  CRADLE_RETURN_IF_ERROR(
      AddEnterprise(reader, event.plan_filed().plan().generator(), &out));
  return out;
}

// A consultation's audience: its applicant and receiver, in the divisions
// they are registered in (so the regulators of both provinces).
absl::StatusOr<EntryAudience> ConsultationAudience(
    const storage::LedgerReader& reader, const storage::Entry& e,
    const std::string& number) {
  CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> state,
                          reader.GetState(keys::ConsultationState(number)));
  v1::Consultation c;
  if (!state.has_value() || !c.ParseFromString(*state)) {
    return absl::DataLossError(absl::StrCat("entry ", e.sequence, " of ",
                                            e.stream, " has no consultation"));
  }
  EntryAudience out;
  CRADLE_RETURN_IF_ERROR(
      AddEnterprise(reader, c.application().generator(), &out));
  CRADLE_RETURN_IF_ERROR(
      AddEnterprise(reader, c.application().receiver(), &out));
  return out;
}

// A white list's audience: the regulators of its two provinces.
EntryAudience WhiteListAudience(const std::string& number) {
  EntryAudience out;
  if (number.size() >= 4) {
    out.jurisdictions = {number.substr(0, 2), number.substr(2, 2)};
  }
  return out;
}

}  // namespace

absl::Status ValidateFeedFilter(const FeedFilter& filter) {
  if (!filter.jurisdiction.empty()) {
    CRADLE_RETURN_IF_ERROR(
        domain::ValidateJurisdiction("jurisdiction", filter.jurisdiction));
  }
  if (!filter.party.empty()) {
    CRADLE_RETURN_IF_ERROR(domain::ValidateUscc("party", filter.party));
  }
  if (filter.types.size() > kMaxTypes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "types: ", filter.types.size(), " given, at most ", kMaxTypes));
  }
  for (size_t i = 0; i < filter.types.size(); ++i) {
    const std::string& t = filter.types[i];
    if (t.empty() || t.size() > storage::kMaxTypeBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("types[", i, "] ", Quote(t), " must be 1..",
                       storage::kMaxTypeBytes, " bytes"));
    }
  }
  return absl::OkStatus();
}

bool SelectsType(const FeedFilter& filter, const std::string& type) {
  if (filter.types.empty()) return true;
  for (const std::string& t : filter.types) {
    if (t == type || (t.back() == '.' && absl::StartsWith(type, t))) {
      return true;
    }
  }
  return false;
}

bool SelectsAudience(const FeedFilter& filter, const EntryAudience& audience) {
  if (!filter.jurisdiction.empty() &&
      !Contains(audience.jurisdictions, filter.jurisdiction)) {
    return false;
  }
  return filter.party.empty() || Contains(audience.parties, filter.party);
}

absl::StatusOr<EntryAudience> AudienceTracker::Next(
    const storage::LedgerReader& reader, const storage::Entry& e) {
  CRADLE_ASSIGN_OR_RETURN(keys::StreamName name, keys::ParseStream(e.stream));
  if (name.kind == keys::StreamKind::kCredential) return EntryAudience{};
  if (name.kind == keys::StreamKind::kApproval) {
    return ApprovalAudience(reader, e);
  }
  if (name.kind == keys::StreamKind::kContainer) {
    return ContainerAudience(reader, e);
  }
  if (name.kind == keys::StreamKind::kPlan) return PlanAudience(reader, e);
  if (name.kind == keys::StreamKind::kConsultation) {
    return ConsultationAudience(reader, e, name.id);
  }
  if (name.kind == keys::StreamKind::kWhiteList) {
    return WhiteListAudience(name.id);
  }
  const bool manifest = name.kind == keys::StreamKind::kManifest;
  Folded& f = Track(e.stream);
  if (f.version >= e.stream_version) {
    // Shown out of order: start the stream again.
    f = Folded{};
  }
  if (f.version + 1 < e.stream_version) {
    CRADLE_ASSIGN_OR_RETURN(
        std::vector<storage::Entry> missed,
        reader.ReadStream(e.stream, f.version + 1,
                          e.stream_version - f.version - 1));
    for (const storage::Entry& m : missed) {
      CRADLE_RETURN_IF_ERROR(Fold(m, manifest, &f));
    }
    if (f.version + 1 != e.stream_version) {
      return absl::DataLossError(
          absl::StrCat("stream ", e.stream, " has ", f.version,
                       " entries before its entry ", e.stream_version));
    }
  }
  CRADLE_RETURN_IF_ERROR(Fold(e, manifest, &f));
  EntryAudience out;
  if (manifest) {
    out.parties = domain::ManifestParties(f.manifest);
    out.jurisdictions = domain::ManifestJurisdictions(f.manifest);
  } else {
    out.parties.push_back(name.id);
    AddDivision(f.enterprise.division(), &out.jurisdictions);
  }
  return out;
}

absl::Status AudienceTracker::Fold(const storage::Entry& e, bool manifest,
                                   Folded* f) const {
  if (manifest) {
    ledger::v1::ManifestEvent event;
    if (!event.ParseFromString(e.payload)) {
      return absl::DataLossError(absl::StrCat(
          "entry ", e.sequence, " of ", e.stream, " is not a manifest event"));
    }
    domain::Apply(event, EventTime(event, e.recorded), &f->manifest);
  } else {
    ledger::v1::RegistryEvent event;
    if (!event.ParseFromString(e.payload)) {
      return absl::DataLossError(absl::StrCat(
          "entry ", e.sequence, " of ", e.stream, " is not a registry event"));
    }
    domain::ApplyRegistryEvent(event, &f->enterprise);
  }
  f->version = e.stream_version;
  return absl::OkStatus();
}

AudienceTracker::Folded& AudienceTracker::Track(const std::string& stream) {
  auto [it, added] = streams_.try_emplace(stream);
  if (added) {
    order_.push_back(stream);
    if (order_.size() > max_streams_) {
      streams_.erase(order_.front());
      order_.pop_front();
    }
  }
  return it->second;
}

}  // namespace cradle::services
