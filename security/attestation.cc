#include "security/attestation.h"

#include <sys/stat.h>

#include <initializer_list>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/common.pb.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/plan.pb.h"
#include "cradle/v1/registry.pb.h"
#include "security/ed25519.h"

namespace cradle::security {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The WriteMeta field (cradle.v1's, or the ledger's that records it), or
// null.
const FieldDescriptor* MetaField(const Message& m) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName("meta");
  if (f == nullptr || f->type() != FieldDescriptor::TYPE_MESSAGE ||
      f->is_repeated()) {
    return nullptr;
  }
  const std::string& type = f->message_type()->full_name();
  if (type != v1::WriteMeta::descriptor()->full_name() &&
      type != ledger::v1::WriteMeta::descriptor()->full_name()) {
    return nullptr;
  }
  return f;
}

// meta.signature, of whichever WriteMeta `meta` is.
const FieldDescriptor* SignatureField(const Message& meta) {
  return meta.GetDescriptor()->FindFieldByName("signature");
}

// Every signed message, by full type name, to its signing name. Each row
// is a frozen name, the ledger event that records the request (if any) and
// the API requests signed under it.
const absl::flat_hash_map<std::string, std::string>& SigningNames() {
  static const auto* const kNames = [] {
    auto* names = new absl::flat_hash_map<std::string, std::string>;
    auto add = [names](const char* name, const Descriptor* event,
                       std::initializer_list<const Descriptor*> requests) {
      if (event != nullptr) (*names)[event->full_name()] = name;
      for (const Descriptor* r : requests) (*names)[r->full_name()] = name;
    };
    namespace l = ledger::v1;
    add("cradle.v1.OpenManifestRequest", l::Opened::descriptor(),
        {v1::OpenManifestRequest::descriptor()});
    add("cradle.v1.IssueManifestRequest", l::Issued::descriptor(),
        {v1::IssueManifestRequest::descriptor()});
    add("cradle.v1.CancelManifestRequest", l::Cancelled::descriptor(),
        {v1::CancelManifestRequest::descriptor()});
    add("cradle.v1.PickupRequest", l::PickedUp::descriptor(),
        {v1::PickupRequest::descriptor()});
    add("cradle.v1.RelayRequest", l::Relayed::descriptor(),
        {v1::RelayRequest::descriptor()});
    add("cradle.v1.ScanRequest", l::Scanned::descriptor(),
        {v1::ScanRequest::descriptor()});
    add("cradle.v1.RecordTrackRequest", l::TrackRecorded::descriptor(),
        {v1::RecordTrackRequest::descriptor()});
    add("cradle.v1.WeighRequest", l::Weighed::descriptor(),
        {v1::WeighRequest::descriptor()});
    add("cradle.v1.RegisterContainerRequest",
        l::ContainerRegistered::descriptor(),
        {v1::RegisterContainerRequest::descriptor()});
    add("cradle.v1.DeliverRequest", l::Delivered::descriptor(),
        {v1::DeliverRequest::descriptor()});
    add("cradle.v1.RerouteRequest", l::Rerouted::descriptor(),
        {v1::RerouteRequest::descriptor()});
    add("cradle.v1.ReceiveRequest", l::Received::descriptor(),
        {v1::ReceiveRequest::descriptor()});
    add("cradle.v1.DisposeRequest", l::Disposed::descriptor(),
        {v1::DisposeRequest::descriptor()});
    add("cradle.v1.RecordPaymentRequest", l::PaymentRecorded::descriptor(),
        {v1::RecordPaymentRequest::descriptor()});
    // Acknowledge and resolve were one request type when first signed.
    add("cradle.v1.FlagNoteRequest", l::FlagNoted::descriptor(),
        {v1::AcknowledgeFlagRequest::descriptor(),
         v1::ResolveFlagRequest::descriptor()});
    add("cradle.v1.ProposeRevisionRequest", l::RevisionProposed::descriptor(),
        {v1::ProposeRevisionRequest::descriptor()});
    add("cradle.v1.AnswerRevisionRequest", l::RevisionAnswered::descriptor(),
        {v1::AnswerRevisionRequest::descriptor()});
    add("cradle.v1.VoidManifestRequest", l::Voided::descriptor(),
        {v1::VoidManifestRequest::descriptor()});
    // Both are recorded as one event type, as flag notes are.
    add("cradle.v1.ReturnNoteRequest", l::ReturnNoted::descriptor(),
        {v1::ReturnManifestRequest::descriptor(),
         v1::ConfirmReturnRequest::descriptor()});
    add("cradle.v1.RegisterEnterpriseRequest",
        l::EnterpriseRegistered::descriptor(),
        {v1::RegisterEnterpriseRequest::descriptor()});
    add("cradle.v1.GrantLicenceRequest", l::LicenceGranted::descriptor(),
        {v1::GrantLicenceRequest::descriptor()});
    add("cradle.v1.RegisterVehicleRequest", l::VehicleRegistered::descriptor(),
        {v1::RegisterVehicleRequest::descriptor()});
    add("cradle.v1.GrantTransportPermitRequest",
        l::TransportPermitGranted::descriptor(),
        {v1::GrantTransportPermitRequest::descriptor()});
    add("cradle.v1.RegisterCrewMemberRequest",
        l::CrewMemberRegistered::descriptor(),
        {v1::RegisterCrewMemberRequest::descriptor()});
    add("cradle.v1.RegisterApprovalRequest",
        l::ApprovalRegistered::descriptor(),
        {v1::RegisterApprovalRequest::descriptor()});
    add("cradle.v1.RecordStockRequest", l::StockRecorded::descriptor(),
        {v1::RecordStockRequest::descriptor()});
    add("cradle.v1.ExtendStorageRequest", l::StorageExtended::descriptor(),
        {v1::ExtendStorageRequest::descriptor()});
    add("cradle.v1.FilePlanRequest", l::PlanFiled::descriptor(),
        {v1::FilePlanRequest::descriptor()});
    add("cradle.v1.ApplyForTransferRequest",
        l::ConsultationApplied::descriptor(),
        {v1::ApplyForTransferRequest::descriptor()});
    add("cradle.v1.ActOnConsultationRequest",
        l::ConsultationActed::descriptor(),
        {v1::ActOnConsultationRequest::descriptor()});
    add("cradle.v1.FileWhiteListRequest", l::WhiteListFiled::descriptor(),
        {v1::FileWhiteListRequest::descriptor()});
    add("cradle.v1.RevokeCredentialRequest", l::CredentialRevoked::descriptor(),
        {v1::RevokeCredentialRequest::descriptor()});
    // Recorded as the credential it makes, not as the request.
    add("cradle.v1.IssueCredentialRequest", nullptr,
        {v1::IssueCredentialRequest::descriptor()});
    // Recorded as the flags it raises, under the sweeper's name.
    add("cradle.v1.SweepRequest", nullptr, {v1::SweepRequest::descriptor()});
    return names;
  }();
  return *kNames;
}

}  // namespace

absl::string_view SigningName(const Message& message) {
  auto it = SigningNames().find(message.GetDescriptor()->full_name());
  return it == SigningNames().end() ? absl::string_view() : it->second;
}

namespace {

// `request` with meta.signature cleared.
std::unique_ptr<Message> Unsigned(const Message& request) {
  std::unique_ptr<Message> copy(request.New());
  copy->CopyFrom(request);
  if (const FieldDescriptor* f = MetaField(*copy); f != nullptr) {
    Message* meta = copy->GetReflection()->MutableMessage(copy.get(), f);
    meta->GetReflection()->ClearField(meta, SignatureField(*meta));
  }
  return copy;
}

}  // namespace

std::string AttestationMessage(const Message& request) {
  std::unique_ptr<Message> copy = Unsigned(request);
  std::string out =
      absl::StrCat("CRADLE-ATTEST-V2\n", SigningName(request), "\n");
  copy->ByteSizeLong();  // the sizes the serialization writes
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeWithCachedSizes(&coded);
  }
  return out;
}

std::string LegacyAttestationMessage(const Message& request) {
  // Exactly as the first format was written: a fresh copy's nested
  // messages have a cached size of 0, and nothing computes them.
  std::unique_ptr<Message> copy = Unsigned(request);
  std::string out =
      absl::StrCat("CRADLE-ATTEST-V1\n", SigningName(request), "\n");
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeWithCachedSizes(&coded);
  }
  return out;
}

absl::Status SignRequest(const security::Ed25519Key& key, Message* request) {
  const FieldDescriptor* f = MetaField(*request);
  if (f == nullptr || SigningName(*request).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(request->GetTypeName(), " is not a write a party signs"));
  }
  std::string signature = key.Sign(AttestationMessage(*request));
  Message* meta = request->GetReflection()->MutableMessage(request, f);
  meta->GetReflection()->SetString(meta, SignatureField(*meta),
                                   std::move(signature));
  return absl::OkStatus();
}

std::string SignatureOf(const Message& request) {
  const FieldDescriptor* f = MetaField(request);
  if (f == nullptr || !request.GetReflection()->HasField(request, f)) {
    return "";
  }
  const Message& meta = request.GetReflection()->GetMessage(request, f);
  return meta.GetReflection()->GetString(meta, SignatureField(meta));
}

bool VerifyRequest(absl::string_view public_key, const Message& request) {
  std::string signature = SignatureOf(request);
  if (signature.empty() || SigningName(request).empty()) return false;
  return security::VerifyEd25519(public_key, AttestationMessage(request),
                                 signature);
}

Signed VerifyRecorded(absl::string_view public_key, const Message& recorded) {
  if (VerifyRequest(public_key, recorded)) return Signed::kCurrent;
  std::string signature = SignatureOf(recorded);
  if (signature.empty() || SigningName(recorded).empty()) return Signed::kNot;
  return security::VerifyEd25519(public_key, LegacyAttestationMessage(recorded),
                                 signature)
             ? Signed::kFirstFormat
             : Signed::kNot;
}

absl::StatusOr<std::unique_ptr<security::Ed25519Key>> LoadKey(
    const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(
        absl::StrCat("no signing key at ", path,
                     ": make one with `cradlectl keygen --out ", path, "`"));
  }
  return security::Ed25519Key::LoadOrCreate(path);
}

}  // namespace cradle::security
