#include "domain/record.h"

#include <string>

#include "absl/container/flat_hash_map.h"

#include "cradle/v1/auth.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"

namespace cradle::domain {
namespace {

using RequestTypes = absl::flat_hash_map<std::string, std::string>;

// Recorded event -> the request it records, for every event with a `meta`.
const RequestTypes& Signed() {
  static const RequestTypes* const kTypes = [] {
    auto* t = new RequestTypes;
    auto add = [t](const google::protobuf::Descriptor* event,
                   const google::protobuf::Descriptor* request) {
      (*t)[event->full_name()] = request->full_name();
    };
    namespace l = ledger::v1;
    add(l::Opened::descriptor(), v1::OpenManifestRequest::descriptor());
    add(l::Issued::descriptor(), v1::IssueManifestRequest::descriptor());
    add(l::Cancelled::descriptor(), v1::CancelManifestRequest::descriptor());
    add(l::PickedUp::descriptor(), v1::PickupRequest::descriptor());
    add(l::Relayed::descriptor(), v1::RelayRequest::descriptor());
    add(l::Delivered::descriptor(), v1::DeliverRequest::descriptor());
    add(l::Rerouted::descriptor(), v1::RerouteRequest::descriptor());
    add(l::Received::descriptor(), v1::ReceiveRequest::descriptor());
    add(l::Disposed::descriptor(), v1::DisposeRequest::descriptor());
    add(l::FlagNoted::descriptor(), v1::FlagNoteRequest::descriptor());
    add(l::PaymentRecorded::descriptor(),
        v1::RecordPaymentRequest::descriptor());
    add(l::EnterpriseRegistered::descriptor(),
        v1::RegisterEnterpriseRequest::descriptor());
    add(l::LicenceGranted::descriptor(), v1::GrantLicenceRequest::descriptor());
    add(l::VehicleRegistered::descriptor(),
        v1::RegisterVehicleRequest::descriptor());
    add(l::ApprovalRegistered::descriptor(),
        v1::RegisterApprovalRequest::descriptor());
    add(l::CredentialRevoked::descriptor(),
        v1::RevokeCredentialRequest::descriptor());
    return t;
  }();
  return *kTypes;
}

}  // namespace

absl::string_view SignedRequestType(const google::protobuf::Message& event) {
  auto it = Signed().find(event.GetDescriptor()->full_name());
  return it == Signed().end() ? absl::string_view() : it->second;
}

}  // namespace cradle::domain
