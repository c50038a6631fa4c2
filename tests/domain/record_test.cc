#include "domain/record.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/container.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/plan.pb.h"
#include "cradle/v1/registry.pb.h"
#include "security/attestation.h"
#include "tests/testing/descriptor_compat.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::Compatibility;
using google::protobuf::Descriptor;
using ::testing::IsEmpty;

using Pair = std::pair<const Descriptor*, const Descriptor*>;

// API request -> the ledger event that records it. Every field of the
// request must be recorded (same number, type, cardinality): nothing a
// party filled in is lost, and the signature over the request checks
// again against the event.
std::vector<Pair> Recorded() {
  namespace l = ledger::v1;
  return {
      {v1::OpenManifestRequest::descriptor(), l::Opened::descriptor()},
      {v1::IssueManifestRequest::descriptor(), l::Issued::descriptor()},
      {v1::CancelManifestRequest::descriptor(), l::Cancelled::descriptor()},
      {v1::PickupRequest::descriptor(), l::PickedUp::descriptor()},
      {v1::RelayRequest::descriptor(), l::Relayed::descriptor()},
      {v1::DeliverRequest::descriptor(), l::Delivered::descriptor()},
      {v1::RerouteRequest::descriptor(), l::Rerouted::descriptor()},
      {v1::ReceiveRequest::descriptor(), l::Received::descriptor()},
      {v1::DisposeRequest::descriptor(), l::Disposed::descriptor()},
      {v1::RecordPaymentRequest::descriptor(),
       l::PaymentRecorded::descriptor()},
      {v1::AcknowledgeFlagRequest::descriptor(), l::FlagNoted::descriptor()},
      {v1::ResolveFlagRequest::descriptor(), l::FlagNoted::descriptor()},
      {v1::RegisterEnterpriseRequest::descriptor(),
       l::EnterpriseRegistered::descriptor()},
      {v1::GrantLicenceRequest::descriptor(), l::LicenceGranted::descriptor()},
      {v1::RegisterVehicleRequest::descriptor(),
       l::VehicleRegistered::descriptor()},
      {v1::RegisterApprovalRequest::descriptor(),
       l::ApprovalRegistered::descriptor()},
      {v1::RevokeCredentialRequest::descriptor(),
       l::CredentialRevoked::descriptor()},
      {v1::ProposeRevisionRequest::descriptor(),
       l::RevisionProposed::descriptor()},
      {v1::AnswerRevisionRequest::descriptor(),
       l::RevisionAnswered::descriptor()},
      {v1::VoidManifestRequest::descriptor(), l::Voided::descriptor()},
      {v1::ReturnManifestRequest::descriptor(), l::ReturnNoted::descriptor()},
      {v1::ConfirmReturnRequest::descriptor(), l::ReturnNoted::descriptor()},
      {v1::ScanRequest::descriptor(), l::Scanned::descriptor()},
      {v1::RecordTrackRequest::descriptor(), l::TrackRecorded::descriptor()},
      {v1::WeighRequest::descriptor(), l::Weighed::descriptor()},
      {v1::RegisterContainerRequest::descriptor(),
       l::ContainerRegistered::descriptor()},
      {v1::FilePlanRequest::descriptor(), l::PlanFiled::descriptor()},
      {v1::RecordStockRequest::descriptor(), l::StockRecorded::descriptor()},
      {v1::ApplyForTransferRequest::descriptor(),
       l::ConsultationApplied::descriptor()},
      {v1::ActOnConsultationRequest::descriptor(),
       l::ConsultationActed::descriptor()},
      {v1::FileWhiteListRequest::descriptor(), l::WhiteListFiled::descriptor()},
      // Made by the server, recorded whole.
      {v1::Flag::descriptor(), l::Flag::descriptor()},
      {v1::Credential::descriptor(), l::Credential::descriptor()},
      {v1::Approval::descriptor(), l::Approval::descriptor()},
  };
}

// Ledger message -> the API message state shows it as: nothing recorded
// is lost on the way out.
std::vector<Pair> Shown() {
  namespace l = ledger::v1;
  return {
      {l::WasteLine::descriptor(), v1::WasteLine::descriptor()},
      {l::Container::descriptor(), v1::Container::descriptor()},
      {l::FieldChange::descriptor(), v1::FieldChange::descriptor()},
      {l::Flag::descriptor(), v1::Flag::descriptor()},
      {l::Licence::descriptor(), v1::Licence::descriptor()},
      {l::Vehicle::descriptor(), v1::Vehicle::descriptor()},
      {l::Approval::descriptor(), v1::Approval::descriptor()},
      {l::Credential::descriptor(), v1::Credential::descriptor()},
      {l::LegTrack::descriptor(), v1::LegTrack::descriptor()},
      {l::TrackPoint::descriptor(), v1::TrackPoint::descriptor()},
      {l::Plan::descriptor(), v1::ManagementPlan::descriptor()},
      {l::PlanApplied::descriptor(), v1::PlanCount::descriptor()},
      {l::StockRecord::descriptor(), v1::StockRecord::descriptor()},
      {l::TransferApplication::descriptor(),
       v1::TransferApplication::descriptor()},
      {l::WhiteList::descriptor(), v1::WhiteList::descriptor()},
  };
}

TEST(RecordTest, EveryRequestFieldIsRecordedByNumberAndType) {
  for (const auto& [request, event] : Recorded()) {
    Compatibility check;
    check.Message(*request, *event, request->full_name());
    EXPECT_THAT(check.problems(), IsEmpty()) << event->full_name();
  }
}

TEST(RecordTest, EveryRecordedFieldIsShown) {
  for (const auto& [recorded, shown] : Shown()) {
    Compatibility check;
    check.Message(*recorded, *shown, recorded->full_name());
    EXPECT_THAT(check.problems(), IsEmpty()) << shown->full_name();
  }
}

TEST(RecordTest, TheEnumsShareTheirNumbers) {
  namespace l = ledger::v1;
  const std::vector<std::pair<const google::protobuf::EnumDescriptor*,
                              const google::protobuf::EnumDescriptor*>>
      enums = {
          {v1::FlagKind_descriptor(), l::FlagKind_descriptor()},
          {v1::Severity_descriptor(), l::Severity_descriptor()},
          {v1::FlagState_descriptor(), l::FlagState_descriptor()},
          {v1::Role_descriptor(), l::Role_descriptor()},
          {v1::CredentialKind_descriptor(), l::CredentialKind_descriptor()},
          {v1::HazardCharacteristic_descriptor(),
           l::HazardCharacteristic_descriptor()},
          {v1::PhysicalForm_descriptor(), l::PhysicalForm_descriptor()},
          {v1::TransferPurpose_descriptor(), l::TransferPurpose_descriptor()},
          {v1::RevisionVerdict_descriptor(), l::RevisionVerdict_descriptor()},
          {v1::ScanPoint_descriptor(), l::ScanPoint_descriptor()},
          {v1::WeighPoint_descriptor(), l::WeighPoint_descriptor()},
          {v1::GeneratorTier_descriptor(), l::GeneratorTier_descriptor()}};
  for (const auto& [api, recorded] : enums) {
    EXPECT_EQ(api->value_count(), recorded->value_count()) << api->full_name();
    Compatibility both_ways;
    both_ways.Enum(*api, *recorded, api->full_name());
    both_ways.Enum(*recorded, *api, recorded->full_name());
    EXPECT_THAT(both_ways.problems(), IsEmpty());
  }
}

TEST(RecordTest, ARecordedRequestIsItsOwnBytes) {
  v1::ReceiveRequest r;
  r.mutable_meta()->set_idempotency_key("k");
  r.mutable_meta()->set_signature(std::string(64, 's'));
  r.mutable_meta()->mutable_position()->set_lat(30.1);
  r.set_number("3304022026000001");
  r.set_receiver("91330421MA2G5K6L7B");
  v1::LineReceipt* line = r.add_lines();
  line->set_line(1);
  line->set_decision(v1::LineReceipt::DECISION_REJECT);
  line->set_quantity_g(5);
  line->set_reason("leaking");
  const ledger::v1::Received recorded = Transcribe<ledger::v1::Received>(r);
  EXPECT_EQ(recorded.SerializeAsString(), r.SerializeAsString());
  EXPECT_EQ(recorded.lines(0).decision(), ledger::v1::LineReceipt::REJECT);
  EXPECT_EQ(recorded.meta().position().lat(), 30.1);
}

TEST(RecordTest, WhatTheApiDoesNotKnowIsNotRecorded) {
  v1::PickupRequest r;
  r.set_number("3304022026000001");
  // A field a newer client sent that this server's API does not have.
  r.GetReflection()->MutableUnknownFields(&r)->AddVarint(99, 7);
  r.mutable_meta()
      ->GetReflection()
      ->MutableUnknownFields(r.mutable_meta())
      ->AddLengthDelimited(98, "smuggled");
  const ledger::v1::PickedUp recorded = Transcribe<ledger::v1::PickedUp>(r);
  EXPECT_EQ(recorded.number(), "3304022026000001");
  EXPECT_TRUE(recorded.GetReflection()->GetUnknownFields(recorded).empty());
  EXPECT_TRUE(recorded.meta()
                  .GetReflection()
                  ->GetUnknownFields(recorded.meta())
                  .empty());
  EXPECT_EQ(recorded.SerializeAsString().find("smuggled"), std::string::npos);
}

// A signature made over the request checks against the event that records
// it: the two are signed under one name.
TEST(RecordTest, ARequestAndItsEventAreSignedUnderOneName) {
  for (const auto& [request, event] : Recorded()) {
    auto* factory = google::protobuf::MessageFactory::generated_factory();
    std::unique_ptr<google::protobuf::Message> r(
        factory->GetPrototype(request)->New());
    std::unique_ptr<google::protobuf::Message> e(
        factory->GetPrototype(event)->New());
    const bool has_meta = event->FindFieldByName("meta") != nullptr;
    EXPECT_EQ(security::SigningName(*e), security::SigningName(*r))
        << event->full_name();
    EXPECT_EQ(security::SigningName(*e).empty(), !has_meta)
        << event->full_name();
  }
  EXPECT_EQ(security::SigningName(ledger::v1::ManifestEvent()), "");
}

}  // namespace
}  // namespace cradle::domain
