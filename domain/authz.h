#pragma once

// Authorization: who may do what, from one table (role x operation x
// ownership) that docs/AUTHORIZATION.md prints. Pure: the caller has already
// authenticated the credential (services/credential_store.h) and passes the
// Principal it proved; nothing here knows of tokens, gRPC or the ledger.
//
// Every RPC checks, in order:
//   1. Authorize(principal, op): the credential's kind and role may call it;
//   2. the ownership rule of the row: CheckActsFor for writes (the party a
//      request names is the authenticated one), CheckManifestReader,
//      CheckEnterpriseReader or CheckJurisdiction for reads;
//   3. the lifecycle's own party checks (domain/lifecycle.h): the acting
//      party is the manifest's generator, carrier or named receiver.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#include "cradle/v1/auth.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"

namespace cradle::domain {

// Who made a call, as its credential proves.
struct Principal {
  std::string credential;  // id
  v1::CredentialKind kind = v1::CREDENTIAL_KIND_UNSPECIFIED;
  std::string enterprise;                // PARTY
  v1::Role role = v1::ROLE_UNSPECIFIED;  // PARTY
  std::string jurisdiction;              // REGULATOR
  std::string holder;
  std::string public_key;  // raw Ed25519; empty: none registered

  // Whom the principal speaks for: the enterprise's USCC,
  // "regulator:<prefix>" or "administrator". Idempotency keys are scoped
  // by it.
  std::string Scope() const;
  // What the ledger records as an entry's actor: "<scope>#<credential>".
  std::string Actor() const;
};

// The principal a credential proves.
Principal PrincipalOf(const v1::Credential& credential);

// The credential id and scope of a recorded actor; false when `actor` was
// not written by an authenticated call (the sweeper's "cradle", say).
bool ParseActor(absl::string_view actor, std::string* scope,
                std::string* credential);

enum class Operation {
  kRegistryWrite,
  kRegistryRead,
  kCredentialAdmin,
  kWhoAmI,
  kOpen,
  kIssueOrCancel,
  kReroute,
  kRecordPayment,
  kPickup,
  kRelay,
  kScan,
  kTrack,
  kWeigh,
  kRegisterContainer,
  kContainerRead,
  kRecordStock,
  kStockRead,
  kFilePlan,
  kPlanRead,
  kDeclarationRead,
  kOperatorReportRead,
  kApplyForTransfer,
  kConsultationAct,
  kConsultationRead,
  kFileWhiteList,
  kWhiteListRead,
  kExtendStorage,
  kDeliver,
  kReceive,
  kDispose,
  kProposeRevision,
  kAnswerRevision,
  kVoid,
  kReturn,
  kManifestRead,
  kManifestList,
  kFlagList,
  kFlagNote,
  kSweep,
  kRisk,
  kJurisdictionRead,
  kLedgerVerify,
  kTreeHead,
  kSubscribe,
  kNodeStatus,
  kNodeAdmin,
  kNationalRead,
};

// Audience bits of a row.
enum Audience : unsigned {
  kGenerators = 1u << 0,  // PARTY credentials in role GENERATOR or COLLECTOR
  kCarriers = 1u << 1,    // PARTY credentials in role TRANSPORTER
  kReceivers = 1u << 2,   // PARTY credentials in role RECEIVER
  kRegulators = 1u << 3,
  kAdministrator = 1u << 4,
  kParties = kGenerators | kCarriers | kReceivers,
  kAnyone = kParties | kRegulators | kAdministrator,
};

struct Permission {
  Operation op;
  const char* rpcs;      // "Manifests.Open", ...
  unsigned who;          // Audience bits
  const char* scope;     // the ownership rule, as the docs print it
  bool signed_by_party;  // the request must carry the party's signature
};

// The table, one row per operation, in Operation order.
const std::vector<Permission>& PermissionTable();
const Permission& PermissionFor(Operation op);
// The table as docs/AUTHORIZATION.md prints it (a test keeps them equal).
std::string PermissionTableMarkdown();

// PERMISSION_DENIED naming the credential and the operation unless the
// principal's kind and role are in the row's audience.
absl::Status Authorize(const Principal& p, Operation op);

// PERMISSION_DENIED unless `party`, the request's `field`, is the
// principal's own enterprise: a credential acts only for itself.
absl::Status CheckActsFor(const Principal& p, absl::string_view field,
                          absl::string_view party);

// PERMISSION_DENIED unless `by`, the request's `field`, is the principal's
// own voice (Principal::Scope()): its enterprise, or a regulator's
// "regulator:<jurisdiction>".
absl::Status CheckSpeaksFor(const Principal& p, absl::string_view field,
                            absl::string_view by);

// May the principal read manifest `m`? Its parties and the regulators of
// its jurisdictions (domain/manifest_facts.h); PERMISSION_DENIED otherwise.
absl::Status CheckManifestReader(const Principal& p, const v1::Manifest& m);

// May the principal acknowledge or resolve flag `f` of a container? A
// regulator of a division the flag names; PERMISSION_DENIED otherwise.
absl::Status CheckFlagRegulator(const Principal& p, const v1::Flag& f);

// May the principal read enterprise `e`'s manifests, flags or risk? The
// enterprise itself and regulators covering its division.
absl::Status CheckEnterpriseReader(const Principal& p, const v1::Enterprise& e);

// A regulator's query of `prefix` (the request's `field`) must lie inside
// its jurisdiction: equal to it or narrower.
absl::Status CheckJurisdiction(const Principal& p, absl::string_view field,
                               absl::string_view prefix);

// Validates a request to issue a credential, naming the bad field.
absl::Status CheckIssueCredential(const v1::IssueCredentialRequest& r);

}  // namespace cradle::domain
