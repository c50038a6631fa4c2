#include "domain/authz.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/quote.h"
#include "base/status_macros.h"
#include "domain/division.h"
#include "domain/manifest_facts.h"
#include "domain/names.h"
#include "domain/uscc.h"

namespace cradle::domain {
namespace {

// One row per Operation, in its order (PermissionFor indexes by it).
const std::vector<Permission>& Table() {
  static const auto* table = new std::vector<Permission>{
      {Operation::kRegistryWrite,
       "Registry.RegisterEnterprise, GrantLicence, RegisterVehicle, "
       "GrantTransportPermit, RegisterCrewMember, RegisterApproval",
       kAdministrator, "any enterprise", false},
      {Operation::kRegistryRead, "Registry.GetEnterprise", kAnyone,
       "any enterprise: the registry is public record", false},
      {Operation::kCredentialAdmin, "Credentials.Issue, Revoke, List",
       kAdministrator, "any credential", false},
      {Operation::kWhoAmI, "Credentials.WhoAmI", kAnyone,
       "the calling credential", false},
      {Operation::kOpen, "Manifests.Open", kGenerators,
       "`generator` is the credential's enterprise", false},
      {Operation::kIssueOrCancel, "Manifests.Issue, Cancel", kGenerators,
       "`generator` is the credential's enterprise and the manifest's "
       "generator",
       false},
      {Operation::kReroute, "Transfers.Reroute", kGenerators,
       "`generator` is the credential's enterprise and the manifest's "
       "generator",
       false},
      {Operation::kRecordPayment, "Disposals.RecordPayment", kGenerators,
       "`payer` is the credential's enterprise and the manifest's generator",
       false},
      {Operation::kPickup, "Transfers.Pickup", kCarriers,
       "`carrier` is the credential's enterprise and the manifest's carrier",
       true},
      {Operation::kRelay, "Transfers.Relay", kCarriers,
       "`from_carrier` is the credential's enterprise and holds the load",
       true},
      {Operation::kScan, "Transfers.Scan", kParties,
       "`by` is the credential's enterprise: the generator or first carrier "
       "at LOAD, the carrier taking the load over at RELAY, a receiver of "
       "the manifest at ARRIVAL",
       true},
      {Operation::kTrack, "Transfers.RecordTrack", kCarriers,
       "`carrier` is the credential's enterprise and drove the leg", true},
      {Operation::kWeigh, "Transfers.Weigh", kGenerators | kReceivers,
       "`by` is the credential's enterprise: the manifest's generator at "
       "EXIT, the receiver it is addressed to at ENTRY",
       true},
      {Operation::kRegisterContainer, "Containers.Register", kGenerators,
       "`container.generator` is the credential's enterprise and the unit "
       "its code names",
       false},
      {Operation::kContainerRead, "Containers.Get", kParties | kRegulators,
       "its generator, a party of the manifest that lists it, or a "
       "regulator whose jurisdiction holds its generator",
       false},
      {Operation::kRecordStock, "Containers.RecordStock", kGenerators,
       "the container's generator (the unit its code names) is the "
       "credential's enterprise",
       false},
      {Operation::kStockRead, "Containers.GetStock", kGenerators | kRegulators,
       "`generator` is the credential's enterprise, or a regulator whose "
       "jurisdiction holds it",
       false},
      {Operation::kFilePlan, "Registry.FilePlan", kGenerators,
       "`plan.generator` is the credential's enterprise", false},
      {Operation::kPlanRead, "Registry.GetPlan", kGenerators | kRegulators,
       "the plan's generator, or a regulator whose jurisdiction holds it",
       false},
      {Operation::kDeclarationRead, "Registry.GetDeclaration",
       kGenerators | kRegulators,
       "`generator` is the credential's enterprise, or a regulator whose "
       "jurisdiction holds it",
       false},
      {Operation::kOperatorReportRead, "Registry.GetOperatorReport",
       kReceivers | kRegulators,
       "`operator` is the credential's enterprise, or a regulator whose "
       "jurisdiction holds it",
       false},
      {Operation::kApplyForTransfer, "Registry.ApplyForTransfer", kGenerators,
       "`application.generator` is the credential's enterprise", false},
      {Operation::kConsultationAct, "Registry.ActOnConsultation",
       kGenerators | kRegulators,
       "the party that holds the stage: the origin or the receiving "
       "province's bureau (a regulator of exactly the province), or the "
       "applicant (who may also withdraw at any stage before a decision)",
       false},
      {Operation::kConsultationRead,
       "Registry.GetConsultation, ListConsultations",
       kGenerators | kReceivers | kRegulators,
       "the applicant, the receiver it names, or a regulator of, or over, "
       "either province; a list by `province` for regulators only",
       false},
      {Operation::kFileWhiteList, "Registry.FileWhiteList", kRegulators,
       "the destination province's bureau (a regulator of exactly the "
       "province), whose consultation the list waives",
       false},
      {Operation::kWhiteListRead, "Registry.GetWhiteList", kRegulators,
       "a regulator of, or over, either province", false},
      {Operation::kExtendStorage, "Registry.ExtendStorage", kRegulators,
       "a regulator whose jurisdiction holds `generator`", false},
      {Operation::kDeliver, "Transfers.Deliver", kReceivers,
       "`receiver` is the credential's enterprise; if it is not the named "
       "receiver the scan is recorded and WRONG_RECEIVER raised",
       true},
      {Operation::kReceive, "Disposals.Receive", kReceivers,
       "`receiver` is the credential's enterprise and the named receiver",
       true},
      {Operation::kDispose, "Disposals.Dispose", kReceivers,
       "`receiver` is the credential's enterprise and the named receiver",
       true},
      {Operation::kProposeRevision, "Corrections.ProposeRevision", kParties,
       "`by` is the credential's enterprise, a party of the manifest that "
       "the revision table lets propose each field",
       false},
      {Operation::kAnswerRevision, "Corrections.AnswerRevision",
       kParties | kRegulators,
       "`by` is the caller's own (enterprise, or regulator:<jurisdiction>): "
       "an approver the revision waits on, its proposer withdrawing, or a "
       "regulator of the manifest's jurisdiction where it needs one",
       false},
      {Operation::kVoid, "Corrections.Void", kGenerators | kRegulators,
       "`by` is the caller's own: the manifest's generator before pickup, or "
       "a regulator of its jurisdiction",
       false},
      {Operation::kReturn, "Corrections.Return, ConfirmReturn", kRegulators,
       "`by` is regulator:<the credential's jurisdiction>, and the manifest "
       "is in it",
       false},
      {Operation::kManifestRead,
       "Manifests.Get, Audit.Chain, Audit.Prove, GetManifestSeal",
       kParties | kRegulators,
       "a party of the manifest (its generator, a leg's carrier, a "
       "destination's receiver), or a regulator whose jurisdiction holds "
       "its origin, a destination or a carrier",
       false},
      {Operation::kManifestList, "Manifests.List, ListInbox",
       kParties | kRegulators,
       "`party` is the credential's enterprise, or an enterprise in the "
       "regulator's jurisdiction; a regulator's inbox naming none: the "
       "corrections waiting on its office and the open flags of its "
       "jurisdiction",
       false},
      {Operation::kFlagList, "Flags.List", kParties | kRegulators,
       "parties: `enterprise` is their own; regulators: `city` or `county` "
       "inside the jurisdiction, or by default every flag inside it",
       false},
      {Operation::kFlagNote, "Flags.Acknowledge, Resolve", kRegulators,
       "the flag's manifest is in the regulator's jurisdiction; a "
       "container's flag, the division it names",
       false},
      {Operation::kSweep, "Flags.Sweep", kAdministrator,
       "raises the deadline flags due now; the writer decides which", false},
      {Operation::kRisk, "Flags.GetEnterpriseRisk", kParties | kRegulators,
       "the enterprise itself, or one in the regulator's jurisdiction", false},
      {Operation::kJurisdictionRead,
       "Audit.ListJurisdictionManifests, Flows, Export", kRegulators,
       "`jurisdiction` inside the regulator's own", false},
      {Operation::kLedgerVerify, "Audit.Verify, VerifyDeep, GetIntegrity",
       kRegulators | kAdministrator, "the whole ledger", false},
      {Operation::kTreeHead, "Audit.Head, GetTreeHead, Consistency", kAnyone,
       "hashes only, no content", false},
      {Operation::kSubscribe, "Feed.Subscribe", kAnyone,
       "parties: `party` is their own, and so by default; regulators: "
       "`jurisdiction` inside their own, and so by default; the "
       "administrator: every entry, credentials included",
       false},
      {Operation::kNodeStatus, "Node.GetNodeStatus", kAnyone,
       "the node's role, its writer and its head", false},
      {Operation::kNodeAdmin, "Node.Checkpoint, PruneLog", kAdministrator,
       "the whole ledger; the cluster's log", false},
      {Operation::kNationalRead, "National.Provinces, Flows, ListFlags",
       kRegulators | kAdministrator,
       "regulators: `province` inside their jurisdiction (a province's "
       "regulator sees every province's loads to and from it); the "
       "administrator: the nation (`province` empty)",
       false},
  };
  return *table;
}

unsigned AudienceOf(const Principal& p) {
  switch (p.kind) {
    case v1::CREDENTIAL_KIND_ADMINISTRATOR:
      return kAdministrator;
    case v1::CREDENTIAL_KIND_REGULATOR:
      return kRegulators;
    case v1::CREDENTIAL_KIND_PARTY:
      switch (p.role) {
        case v1::ROLE_GENERATOR:
        case v1::ROLE_COLLECTOR:
          return kGenerators;
        case v1::ROLE_TRANSPORTER:
          return kCarriers;
        case v1::ROLE_RECEIVER:
          return kReceivers;
        default:
          return 0;
      }
    default:
      return 0;
  }
}

std::string AudienceText(unsigned who) {
  if (who == kAnyone) return "anyone authenticated";
  std::vector<std::string> names;
  if (who & kGenerators) names.push_back("generator");
  if (who & kCarriers) names.push_back("carrier");
  if (who & kReceivers) names.push_back("receiver");
  if (who & kRegulators) names.push_back("regulator");
  if (who & kAdministrator) names.push_back("administrator");
  return absl::StrJoin(names, ", ");
}

std::string Describe(const Principal& p) {
  switch (p.kind) {
    case v1::CREDENTIAL_KIND_ADMINISTRATOR:
      return absl::StrCat("administrator credential ", p.credential);
    case v1::CREDENTIAL_KIND_REGULATOR:
      return absl::StrCat("regulator credential ", p.credential, " (",
                          p.jurisdiction, ")");
    default:
      return absl::StrCat(AudienceText(AudienceOf(p)), " credential ",
                          p.credential, " of ", p.enterprise);
  }
}

bool IsParty(const Principal& p) { return p.kind == v1::CREDENTIAL_KIND_PARTY; }

}  // namespace

std::string Principal::Scope() const {
  switch (kind) {
    case v1::CREDENTIAL_KIND_PARTY:
      return enterprise;
    case v1::CREDENTIAL_KIND_REGULATOR:
      return absl::StrCat("regulator:", jurisdiction);
    case v1::CREDENTIAL_KIND_ADMINISTRATOR:
      return "administrator";
    default:
      return "unknown";
  }
}

std::string Principal::Actor() const {
  return absl::StrCat(Scope(), "#", credential);
}

Principal PrincipalOf(const v1::Credential& c) {
  Principal p;
  p.credential = c.id();
  p.kind = c.kind();
  p.enterprise = c.enterprise();
  p.role = c.role();
  p.jurisdiction = c.jurisdiction();
  p.holder = c.holder();
  p.public_key = c.public_key();
  return p;
}

bool ParseActor(absl::string_view actor, std::string* scope,
                std::string* credential) {
  const size_t hash = actor.rfind('#');
  if (hash == absl::string_view::npos || hash == 0 ||
      hash + 1 == actor.size()) {
    return false;
  }
  *scope = std::string(actor.substr(0, hash));
  *credential = std::string(actor.substr(hash + 1));
  return true;
}

const std::vector<Permission>& PermissionTable() { return Table(); }

const Permission& PermissionFor(Operation op) {
  return Table()[static_cast<size_t>(op)];
}

std::string PermissionTableMarkdown() {
  std::string out =
      "| RPCs | who | only when | party signs |\n|---|---|---|---|\n";
  for (const Permission& row : Table()) {
    absl::StrAppend(&out, "| ", row.rpcs, " | ", AudienceText(row.who), " | ",
                    row.scope, " | ", row.signed_by_party ? "yes" : "", " |\n");
  }
  return out;
}

absl::Status Authorize(const Principal& p, Operation op) {
  const Permission& row = PermissionFor(op);
  if ((AudienceOf(p) & row.who) != 0) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(Describe(p), " may not call ", row.rpcs, ": only ",
                   AudienceText(row.who), " credentials may"));
}

absl::Status CheckActsFor(const Principal& p, absl::string_view field,
                          absl::string_view party) {
  if (IsParty(p) && party == p.enterprise) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      field, " is ", Quote(party), " but the call is made with ", Describe(p),
      ": a credential acts only for its own enterprise"));
}

absl::Status CheckSpeaksFor(const Principal& p, absl::string_view field,
                            absl::string_view by) {
  if ((IsParty(p) || p.kind == v1::CREDENTIAL_KIND_REGULATOR) &&
      by == p.Scope()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(field, " is ", Quote(by), " but the call is made with ",
                   Describe(p), ", which speaks as ", Quote(p.Scope())));
}

absl::Status CheckManifestReader(const Principal& p, const v1::Manifest& m) {
  if (IsParty(p) && IsManifestParty(m, p.enterprise)) return absl::OkStatus();
  if (p.kind == v1::CREDENTIAL_KIND_REGULATOR &&
      InManifestJurisdiction(m, p.jurisdiction)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(Describe(p), " may not read manifest ", m.number(),
                   ": it is neither a party to it nor a regulator of a "
                   "division it touches"));
}

absl::Status CheckFlagRegulator(const Principal& p, const v1::Flag& f) {
  if (p.kind == v1::CREDENTIAL_KIND_REGULATOR &&
      (InJurisdiction(f.origin_county(), p.jurisdiction) ||
       InJurisdiction(f.destination_county(), p.jurisdiction))) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(Describe(p), " may not note flag ", f.id(),
                   ": it is not a regulator of a division the flag names"));
}

absl::Status CheckEnterpriseReader(const Principal& p,
                                   const v1::Enterprise& e) {
  if (IsParty(p) && p.enterprise == e.id()) return absl::OkStatus();
  if (p.kind == v1::CREDENTIAL_KIND_REGULATOR &&
      InJurisdiction(e.division(), p.jurisdiction)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(Describe(p), " may not read the records of enterprise ",
                   e.id(), " (division ", e.division(), ")"));
}

absl::Status CheckJurisdiction(const Principal& p, absl::string_view field,
                               absl::string_view prefix) {
  if (p.kind == v1::CREDENTIAL_KIND_REGULATOR && !p.jurisdiction.empty() &&
      absl::StartsWith(prefix, p.jurisdiction)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(field, " ", Quote(prefix),
                   " is outside the jurisdiction of ", Describe(p)));
}

absl::Status CheckIssueCredential(const v1::IssueCredentialRequest& r) {
  if (!r.public_key().empty() && r.public_key().size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("public_key is ", r.public_key().size(),
                     " bytes; an Ed25519 public key is 32"));
  }
  if (r.valid_seconds() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "valid_seconds ", r.valid_seconds(), " must be 0 (never) or more"));
  }
  if (r.holder().size() > 128) {
    return absl::InvalidArgumentError("holder is longer than 128 bytes");
  }
  switch (r.kind()) {
    case v1::CREDENTIAL_KIND_PARTY: {
      if (absl::Status s = ValidateUscc("enterprise", r.enterprise()); !s.ok())
        return s;
      if (r.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(r.role())) {
        return absl::InvalidArgumentError(
            "role is required for a PARTY credential: GENERATOR, COLLECTOR, "
            "TRANSPORTER or RECEIVER");
      }
      if (!r.jurisdiction().empty()) {
        return absl::InvalidArgumentError(
            "jurisdiction is for REGULATOR credentials only");
      }
      if ((r.role() == v1::ROLE_TRANSPORTER || r.role() == v1::ROLE_RECEIVER) &&
          r.public_key().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "public_key is required for a ", ShortName(r.role()),
            " credential: it signs every pickup, handover, delivery, receipt "
            "and disposal (make one with `cradlectl keygen`)"));
      }
      return absl::OkStatus();
    }
    case v1::CREDENTIAL_KIND_REGULATOR: {
      CRADLE_RETURN_IF_ERROR(
          ValidateJurisdiction("jurisdiction", r.jurisdiction()));
      if (!r.enterprise().empty() || r.role() != v1::ROLE_UNSPECIFIED) {
        return absl::InvalidArgumentError(
            "enterprise and role are for PARTY credentials only");
      }
      return absl::OkStatus();
    }
    case v1::CREDENTIAL_KIND_ADMINISTRATOR:
      if (!r.enterprise().empty() || r.role() != v1::ROLE_UNSPECIFIED ||
          !r.jurisdiction().empty()) {
        return absl::InvalidArgumentError(
            "an ADMINISTRATOR credential takes no enterprise, role or "
            "jurisdiction");
      }
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          "kind is required: PARTY, REGULATOR or ADMINISTRATOR");
  }
}

}  // namespace cradle::domain
