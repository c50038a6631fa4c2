#pragma once

// The manifest lifecycle: one table of transitions (docs/LIFECYCLE.md prints
// it, and a test checks that the two agree), and the decisions that check a
// request against a manifest's state and the registry.
//
// Decide*() functions are pure: given the current Manifest, the request and
// what the registry says, they return the events to append and the Manifest
// those events produce, or an error naming the field and the rule. Apply()
// folds one event into a Manifest and is what a replay of the ledger uses;
// it trusts its input, since only decided events reach the ledger.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/plan.pb.h"
#include "cradle/v1/registry.pb.h"

namespace cradle::domain {

enum class Action {
  kOpen,
  kIssue,
  kCancel,
  kPickup,
  kRelay,
  kDeliver,
  kReceive,
  kReroute,
  kDispose,
  kPayment,
  kVoid,
};

// Which party of the manifest may take an action.
enum class Party { kGenerator, kCarrier, kReceiver };

struct Transition {
  Action action;
  const char* verb;                      // as the CLI names it
  std::vector<v1::ManifestStatus> from;  // empty: the manifest is new
  const char* to;
  Party by;
  const char* needs;
};

const std::vector<Transition>& LifecycleTable();
const Transition& TransitionFor(Action action);
// The table as Markdown, as docs/LIFECYCLE.md shows it.
std::string LifecycleTableMarkdown();

// What decisions and flag rules may read besides the manifest: the registry
// and the counters derived from accepted quantities. The defaults describe an
// empty world (no receivers, nothing accepted, no approvals).
class RegistryReader {
 public:
  virtual ~RegistryReader() = default;
  // NOT_FOUND naming `field` when `id` is not registered.
  virtual absl::StatusOr<v1::Enterprise> GetEnterprise(
      absl::string_view field, absl::string_view id) const = 0;
  // Receivers whose division is in `city_unit` (see CityUnit()).
  virtual absl::StatusOr<std::vector<v1::Enterprise>> ReceiversInCity(
      absl::string_view city_unit) const {
    (void)city_unit;
    return std::vector<v1::Enterprise>();
  }
  // Grams `receiver` accepted in calendar `year` (China time).
  virtual absl::StatusOr<int64_t> AcceptedGrams(absl::string_view receiver,
                                                int year) const {
    (void)receiver;
    (void)year;
    return 0;
  }
  // Cross-province approvals registered for this generator and receiver.
  virtual absl::StatusOr<std::vector<v1::Approval>> Approvals(
      absl::string_view generator, absl::string_view receiver) const {
    (void)generator;
    (void)receiver;
    return std::vector<v1::Approval>();
  }
  // Grams shipped so far under approval `number`.
  virtual absl::StatusOr<int64_t> ApprovalUsedGrams(
      absl::string_view number) const {
    (void)number;
    return 0;
  }
  // The labelled container `code` (the request's `field`); NOT_FOUND naming
  // `field` when it is not registered.
  virtual absl::StatusOr<v1::Container> GetContainer(
      absl::string_view field, absl::string_view code) const;
  // The manifest that lists container `code` and is not cancelled or
  // voided; empty when none does.
  virtual absl::StatusOr<std::string> ManifestOfContainer(
      absl::string_view code) const {
    (void)code;
    return std::string();
  }
  // The management plan filed under `number` (the request's `field`);
  // NOT_FOUND naming `field` when none is.
  virtual absl::StatusOr<v1::ManagementPlan> GetPlan(
      absl::string_view field, absl::string_view number) const;
  // Grams manifests count against plan `number`'s transfer of `code` to
  // `receiver` (plan_applied).
  virtual absl::StatusOr<int64_t> PlanShippedGrams(
      absl::string_view number, absl::string_view code,
      absl::string_view receiver) const {
    (void)number;
    (void)code;
    (void)receiver;
    return 0;
  }
  // The manifests `carrier` picked up on vehicle trip `trip` (Leg.trip), in
  // number order; at most kMaxManifestsPerTrip + 1 of them.
  virtual absl::StatusOr<std::vector<v1::Manifest>> TripManifests(
      absl::string_view carrier, absl::string_view trip) const {
    (void)carrier;
    (void)trip;
    return std::vector<v1::Manifest>();
  }
};

// The most manifests one vehicle trip lists (PickupRequest.trip).
inline constexpr int kMaxManifestsPerTrip = 200;
// INVALID_ARGUMENT naming `field` unless `trip` is a trip number as a
// carrier writes it: 1-32 ASCII letters, digits, '-' or '_'.
absl::Status CheckTripNumber(absl::string_view field, absl::string_view trip);

struct Decision {
  std::vector<ledger::v1::ManifestEvent> events;  // in append order
  v1::Manifest next;                              // the state after them
};

inline constexpr int kMaxWasteLines = 100;
inline constexpr int64_t kMaxLineGrams = int64_t{1000} * 1000 * 1000;  // 1000 t
// The largest payment recorded: 1e9 CNY, in fen.
inline constexpr int64_t kMaxPaymentFen = int64_t{1000} * 1000 * 1000 * 100;

// `number` is assigned by the caller (see ManifestNumber); `now` is the
// server's time recorded on the entries. DecideOpen is CheckOpen, then
// DecideOpened: a caller that takes a number only for an open that passed
// every check (so that refusals leave no gap) calls the two in turn.
absl::StatusOr<Decision> DecideOpen(const v1::OpenManifestRequest& request,
                                    const RegistryReader& registry,
                                    absl::string_view number, absl::Time now);
// Every check of an open; its `opened` event, all but the number.
absl::StatusOr<ledger::v1::ManifestEvent> CheckOpen(
    const v1::OpenManifestRequest& request, const RegistryReader& registry,
    absl::Time now);
// The decision of an open CheckOpen passed, numbered `number`.
Decision DecideOpened(ledger::v1::ManifestEvent opened,
                      absl::string_view number, absl::Time now);
absl::StatusOr<Decision> DecideIssue(const v1::Manifest& manifest,
                                     const v1::IssueManifestRequest& request,
                                     absl::Time now);
absl::StatusOr<Decision> DecideCancel(const v1::Manifest& manifest,
                                      const v1::CancelManifestRequest& request,
                                      absl::Time now);
// A pickup on a vehicle trip (`request.trip`) joins the carrier's trip of
// that number: refused when the trip is another vehicle's, when any of its
// loads was already delivered (the trip ended), or when it is full.
absl::StatusOr<Decision> DecidePickup(const v1::Manifest& manifest,
                                      const v1::PickupRequest& request,
                                      const RegistryReader& registry,
                                      absl::Time now);
absl::StatusOr<Decision> DecideRelay(const v1::Manifest& manifest,
                                     const v1::RelayRequest& request,
                                     const RegistryReader& registry,
                                     absl::Time now);
// A delivery scanned by a registered receiver other than the named one is
// recorded (misdelivered: the status does not change) so that WRONG_RECEIVER
// is raised; by anyone else it is refused.
absl::StatusOr<Decision> DecideDeliver(const v1::Manifest& manifest,
                                       const v1::DeliverRequest& request,
                                       const RegistryReader& registry,
                                       absl::Time now);
// A named licence must be the receiver's, valid, and cover what it accepts.
absl::StatusOr<Decision> DecideReceive(const v1::Manifest& manifest,
                                       const v1::ReceiveRequest& request,
                                       const RegistryReader& registry,
                                       absl::Time now);
absl::StatusOr<Decision> DecideReroute(const v1::Manifest& manifest,
                                       const v1::RerouteRequest& request,
                                       const RegistryReader& registry,
                                       absl::Time now);
absl::StatusOr<Decision> DecideDispose(const v1::Manifest& manifest,
                                       const v1::DisposeRequest& request,
                                       absl::Time now);
// A payment for the disposal, recorded by the generator (the payer).
absl::StatusOr<Decision> DecidePayment(const v1::Manifest& manifest,
                                       const v1::RecordPaymentRequest& request,
                                       absl::Time now);
// A regulator acknowledges an open flag, or resolves an open or
// acknowledged one.
absl::StatusOr<Decision> DecideAcknowledge(
    const v1::Manifest& manifest, const v1::AcknowledgeFlagRequest& request,
    absl::Time now);
absl::StatusOr<Decision> DecideResolve(const v1::Manifest& manifest,
                                       const v1::ResolveFlagRequest& request,
                                       absl::Time now);

// Folds `event`, recorded at `recorded`, into `manifest`.
void Apply(const ledger::v1::ManifestEvent& event, absl::Time recorded,
           v1::Manifest* manifest);

// The ledger entry type of an event, e.g. "manifest.picked_up".
std::string EventType(const ledger::v1::ManifestEvent& event);

// True when every accepted quantity is disposed and nothing is still on the
// road or awaiting a decision: the chain can close.
bool ChainComplete(const v1::Manifest& manifest);

}  // namespace cradle::domain
