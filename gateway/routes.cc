#include "gateway/routes.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

#include "cradle/v1/audit.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/feed.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/national.pb.h"
#include "cradle/v1/node.pb.h"
#include "cradle/v1/registry.pb.h"

namespace cradle::gateway {
namespace {

// Naming one message of each file links its descriptors into the
// generated pool.
void LinkDescriptors() {
  static const bool linked = [] {
    for (const google::protobuf::Descriptor* d :
         {v1::ChainRequest::descriptor(), v1::WhoAmIRequest::descriptor(),
          v1::GetContainerRequest::descriptor(),
          v1::SubscribeRequest::descriptor(),
          v1::ListFlagsRequest::descriptor(),
          v1::GetManifestRequest::descriptor(),
          v1::ProvincesRequest::descriptor(),
          v1::GetNodeStatusRequest::descriptor(),
          v1::GetEnterpriseRequest::descriptor()}) {
      (void)d;
    }
    return true;
  }();
  (void)linked;
}

}  // namespace

const std::vector<Route>& Routes() {
  static const auto* routes = new std::vector<Route>{
      // Manifests: the generator's.
      {"POST", "/v1/manifests", "cradle.v1.Manifests.Open",
       "Open a manifest (or a draft)"},
      {"POST", "/v1/manifests/{number}:issue", "cradle.v1.Manifests.Issue",
       "Issue a draft"},
      {"POST", "/v1/manifests/{number}:cancel", "cradle.v1.Manifests.Cancel",
       "Cancel a manifest not yet picked up"},
      {"GET", "/v1/manifests/{number}", "cradle.v1.Manifests.Get",
       "A manifest as it stands"},
      {"GET", "/v1/manifests", "cradle.v1.Manifests.List",
       "Manifests a party is on, by status"},
      {"GET", "/v1/inbox", "cradle.v1.Manifests.ListInbox",
       "What waits on a party (?party=), or on a regulator's office"},
      // Transfers: the carriers'.
      {"POST", "/v1/manifests/{number}:pickup", "cradle.v1.Transfers.Pickup",
       "The carrier takes the load (signed)"},
      {"POST", "/v1/manifests/{number}:relay", "cradle.v1.Transfers.Relay",
       "One carrier hands over to the next (signed)"},
      {"POST", "/v1/manifests/{number}:deliver", "cradle.v1.Transfers.Deliver",
       "The carrier hands the load to the receiver (signed)"},
      {"POST", "/v1/manifests/{number}:reroute", "cradle.v1.Transfers.Reroute",
       "Send the load to another receiver"},
      {"POST", "/v1/manifests/{number}:scan", "cradle.v1.Transfers.Scan",
       "Containers scanned at a hand-over (signed)"},
      {"POST", "/v1/manifests/{number}:recordTrack",
       "cradle.v1.Transfers.RecordTrack", "A batch of track points (signed)"},
      {"POST", "/v1/manifests/{number}:weigh", "cradle.v1.Transfers.Weigh",
       "A weighbridge reading (signed)"},
      // Disposals: the receivers'.
      {"POST", "/v1/manifests/{number}:receive", "cradle.v1.Disposals.Receive",
       "Accept or reject each line at the gate (signed)"},
      {"POST", "/v1/manifests/{number}:dispose", "cradle.v1.Disposals.Dispose",
       "Each line's disposal (signed)"},
      {"POST", "/v1/manifests/{number}:recordPayment",
       "cradle.v1.Disposals.RecordPayment", "A payment for the disposal"},
      // Corrections.
      {"POST", "/v1/manifests/{number}:proposeRevision",
       "cradle.v1.Corrections.ProposeRevision", "Propose changes to fields"},
      {"POST", "/v1/revisions/{id}:answer",
       "cradle.v1.Corrections.AnswerRevision", "Approve or refuse a revision"},
      {"POST", "/v1/manifests/{number}:void", "cradle.v1.Corrections.Void",
       "Void a manifest"},
      {"POST", "/v1/manifests/{number}:return", "cradle.v1.Corrections.Return",
       "Return a manifest to the generator"},
      {"POST", "/v1/manifests/{number}:confirmReturn",
       "cradle.v1.Corrections.ConfirmReturn",
       "A regulator confirms a returned manifest was fixed"},
      // Containers.
      {"POST", "/v1/containers", "cradle.v1.Containers.Register",
       "Register a container and its HJ 1276 label"},
      {"GET", "/v1/containers/{code}", "cradle.v1.Containers.Get",
       "A container and its history"},
      {"POST", "/v1/stock", "cradle.v1.Containers.RecordStock",
       "A record of a container's stock ledger (stored, own use, adjusted, "
       "revoked)"},
      {"GET", "/v1/stock", "cradle.v1.Containers.GetStock",
       "A generator's stock balance by waste code and facility"},
      // Flags: the regulators'.
      {"GET", "/v1/flags", "cradle.v1.Flags.List",
       "Flags by city, county, kind, state or enterprise"},
      {"POST", "/v1/flags/{id}:acknowledge", "cradle.v1.Flags.Acknowledge",
       "Acknowledge a flag"},
      {"POST", "/v1/flags/{id}:resolve", "cradle.v1.Flags.Resolve",
       "Resolve a flag"},
      {"GET", "/v1/enterprises/{id}/risk", "cradle.v1.Flags.GetEnterpriseRisk",
       "An enterprise's risk colour and why"},
      {"POST", "/v1/flags:sweep", "cradle.v1.Flags.Sweep",
       "Raise the deadline flags now"},
      // Audit.
      {"GET", "/v1/chains/{number}", "cradle.v1.Audit.Chain",
       "A manifest's chain of custody: every entry, signer and hash"},
      {"GET", "/v1/ledger:verify", "cradle.v1.Audit.Verify",
       "Check the ledger's hash chain"},
      {"GET", "/v1/ledger:verifyDeep", "cradle.v1.Audit.VerifyDeep",
       "Replay the ledger (progress as NDJSON)"},
      {"GET", "/v1/ledger/integrity", "cradle.v1.Audit.GetIntegrity",
       "What the server knows of its ledger's integrity"},
      {"GET", "/v1/ledger/head", "cradle.v1.Audit.Head",
       "The ledger's last entry"},
      {"GET", "/v1/ledger/treeHead", "cradle.v1.Audit.GetTreeHead",
       "The signed tree head"},
      {"GET", "/v1/manifests/{number}/seal", "cradle.v1.Audit.GetManifestSeal",
       "The signed seal a printed manifest carries"},
      {"GET", "/v1/chains/{number}/proof", "cradle.v1.Audit.Prove",
       "Inclusion proofs of a stream's entries"},
      {"GET", "/v1/ledger/consistency", "cradle.v1.Audit.Consistency",
       "A consistency proof between two tree sizes"},
      {"GET", "/v1/jurisdictions/{jurisdiction}/manifests",
       "cradle.v1.Audit.ListJurisdictionManifests",
       "Manifests touching a jurisdiction"},
      {"GET", "/v1/jurisdictions/{jurisdiction}/flows", "cradle.v1.Audit.Flows",
       "Tonnes between cities, by month"},
      {"GET", "/v1/jurisdictions/{jurisdiction}/export",
       "cradle.v1.Audit.Export", "Export as CSV chunks (NDJSON)"},
      // Credentials.
      {"POST", "/v1/credentials", "cradle.v1.Credentials.Issue",
       "Issue a credential"},
      {"POST", "/v1/credentials/{id}:revoke", "cradle.v1.Credentials.Revoke",
       "Revoke a credential"},
      {"GET", "/v1/credentials", "cradle.v1.Credentials.List",
       "Credentials, by enterprise"},
      {"GET", "/v1/whoami", "cradle.v1.Credentials.WhoAmI",
       "The credential this call was made with"},
      // The registry.
      {"POST", "/v1/enterprises", "cradle.v1.Registry.RegisterEnterprise",
       "Register an enterprise"},
      {"GET", "/v1/enterprises/{id}", "cradle.v1.Registry.GetEnterprise",
       "An enterprise and its licences, vehicles and crew"},
      {"POST", "/v1/enterprises/{receiver}/licences",
       "cradle.v1.Registry.GrantLicence", "Grant a receiver a licence"},
      {"POST", "/v1/enterprises/{carrier}/vehicles",
       "cradle.v1.Registry.RegisterVehicle", "Register a carrier's vehicle"},
      {"POST", "/v1/enterprises/{carrier}/permits",
       "cradle.v1.Registry.GrantTransportPermit",
       "Grant a carrier a transport permit"},
      {"POST", "/v1/enterprises/{carrier}/crew",
       "cradle.v1.Registry.RegisterCrewMember", "Register a crew member"},
      {"POST", "/v1/approvals", "cradle.v1.Registry.RegisterApproval",
       "Register a cross-province approval"},
      {"POST", "/v1/plans", "cradle.v1.Registry.FilePlan",
       "File a generator's management plan, or file it again"},
      {"GET", "/v1/plans", "cradle.v1.Registry.GetPlan",
       "A plan (?number=, or ?generator=&year=) and what it has shipped"},
      {"GET", "/v1/declarations", "cradle.v1.Registry.GetDeclaration",
       "A generator's annual declaration, pre-filled from the ledger"},
      {"GET", "/v1/reports/operator", "cradle.v1.Registry.GetOperatorReport",
       "A licensed operator's daily (?day=) or annual (?year=) report"},
      {"POST", "/v1/consultations", "cradle.v1.Registry.ApplyForTransfer",
       "Apply for a cross-province transfer"},
      {"POST", "/v1/consultations/{number}:act",
       "cradle.v1.Registry.ActOnConsultation",
       "Take a step of a consultation (accept, reply, decide, ...)"},
      {"GET", "/v1/consultations/{number}",
       "cradle.v1.Registry.GetConsultation",
       "A consultation, its steps and its deadline"},
      {"GET", "/v1/consultations", "cradle.v1.Registry.ListConsultations",
       "Consultations of a province (?province=) or an applicant"},
      {"POST", "/v1/white-lists", "cradle.v1.Registry.FileWhiteList",
       "File two provinces' white list"},
      {"GET", "/v1/white-lists/{number}", "cradle.v1.Registry.GetWhiteList",
       "A white list"},
      {"POST", "/v1/enterprises/{generator}/storage-extensions",
       "cradle.v1.Registry.ExtendStorage",
       "Approve a generator's longer storage"},
      // The nation.
      {"GET", "/v1/national/provinces", "cradle.v1.National.Provinces",
       "The provinces followed"},
      {"GET", "/v1/national/flows", "cradle.v1.National.Flows",
       "Tonnes between provinces"},
      {"GET", "/v1/national/flags", "cradle.v1.National.ListFlags",
       "Flags across provinces"},
      // The node.
      {"GET", "/v1/node/status", "cradle.v1.Node.GetNodeStatus",
       "This node's role and head"},
      {"POST", "/v1/node:pruneLog", "cradle.v1.Node.PruneLog",
       "Prune the cluster's log"},
  };
  return *routes;
}

const std::map<std::string, std::string>& NotOffered() {
  static const auto* not_offered = new std::map<std::string, std::string>{
      {"cradle.v1.Feed.Subscribe",
       "a stream that does not end; pages poll the reads instead"},
      {"cradle.v1.Node.Checkpoint",
       "a node's binary copy of the ledger, for nodes joining a cluster"},
  };
  return *not_offered;
}

const google::protobuf::MethodDescriptor* MethodOf(const Route& route) {
  LinkDescriptors();
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
      route.method);
}

namespace {

// Splits off a custom verb: "{number}:pickup" -> ("{number}", "pickup").
void SplitVerb(absl::string_view segment, absl::string_view* head,
               absl::string_view* verb) {
  size_t colon = segment.rfind(':');
  // A colon inside a {field} is not a verb.
  if (colon == absl::string_view::npos ||
      segment.find('}', colon) != absl::string_view::npos) {
    *head = segment;
    *verb = "";
    return;
  }
  *head = segment.substr(0, colon);
  *verb = segment.substr(colon + 1);
}

bool MatchPath(absl::string_view templ, absl::string_view path,
               std::map<std::string, std::string>* fields) {
  std::vector<absl::string_view> want = absl::StrSplit(templ, '/');
  std::vector<absl::string_view> got = absl::StrSplit(path, '/');
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    absl::string_view w = want[i];
    absl::string_view g = got[i];
    if (i + 1 == want.size()) {
      absl::string_view w_verb, g_verb;
      SplitVerb(w, &w, &w_verb);
      SplitVerb(g, &g, &g_verb);
      if (w_verb != g_verb) return false;
    }
    if (absl::StartsWith(w, "{") && absl::EndsWith(w, "}")) {
      if (g.empty()) return false;
      (*fields)[std::string(w.substr(1, w.size() - 2))] = std::string(g);
    } else if (w != g) {
      return false;
    }
  }
  return true;
}

}  // namespace

Match FindRoute(absl::string_view verb, absl::string_view path,
                bool* path_matched) {
  Match match;
  if (path_matched != nullptr) *path_matched = false;
  for (const Route& route : Routes()) {
    std::map<std::string, std::string> fields;
    if (!MatchPath(route.path, path, &fields)) continue;
    if (path_matched != nullptr) *path_matched = true;
    if (verb != route.verb) continue;
    match.route = &route;
    match.fields = std::move(fields);
    return match;
  }
  return match;
}

}  // namespace cradle::gateway
