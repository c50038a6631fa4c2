#include "security/attestation.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/audit.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "security/ed25519.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::security {
namespace {

using ::cradle::testing::StatusIs;

v1::PickupRequest Pickup() {
  v1::PickupRequest r;
  r.mutable_meta()->set_idempotency_key("k-1");
  r.mutable_meta()->set_person("driver 张伟");
  r.set_number("3304022026000001");
  r.set_carrier("91330421MA2G5K6L7B");
  r.set_vehicle("浙F12345");
  return r;
}

class AttestationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<security::Ed25519Key>> k =
        security::Ed25519Key::LoadOrCreate(dir_.Sub("party.pem"));
    ASSERT_TRUE(k.ok()) << k.status();
    key_ = *std::move(k);
    absl::StatusOr<std::unique_ptr<security::Ed25519Key>> o =
        security::Ed25519Key::LoadOrCreate(dir_.Sub("other.pem"));
    ASSERT_TRUE(o.ok()) << o.status();
    other_ = *std::move(o);
  }
  cradle::testing::TempDir dir_;
  std::unique_ptr<security::Ed25519Key> key_;
  std::unique_ptr<security::Ed25519Key> other_;
};

TEST_F(AttestationTest, SignedRequestVerifiesWithItsKeyOnly) {
  v1::PickupRequest r = Pickup();
  EXPECT_FALSE(VerifyRequest(key_->public_key(), r));  // unsigned
  ASSERT_TRUE(SignRequest(*key_, &r).ok());
  EXPECT_EQ(SignatureOf(r).size(), 64u);
  EXPECT_TRUE(VerifyRequest(key_->public_key(), r));
  EXPECT_FALSE(VerifyRequest(other_->public_key(), r));
  EXPECT_FALSE(VerifyRequest("short", r));
}

TEST_F(AttestationTest, SignatureSurvivesTheLedgerRoundTrip) {
  v1::PickupRequest r = Pickup();
  ASSERT_TRUE(SignRequest(*key_, &r).ok());
  // Recorded as the ledger's own event, which serialises as the request.
  ledger::v1::ManifestEvent event;
  ASSERT_TRUE(
      event.mutable_picked_up()->ParseFromString(r.SerializeAsString()));
  ledger::v1::ManifestEvent stored;
  ASSERT_TRUE(stored.ParseFromString(event.SerializeAsString()));
  EXPECT_EQ(AttestationMessage(stored.picked_up()), AttestationMessage(r));
  EXPECT_TRUE(VerifyRequest(key_->public_key(), stored.picked_up()));
  // The same bytes recorded as another event do not verify.
  ledger::v1::Relayed relayed;
  ASSERT_TRUE(relayed.ParseFromString(r.SerializeAsString()));
  EXPECT_FALSE(VerifyRequest(key_->public_key(), relayed));
}

// The signed bytes are the request's standard deterministic serialization
// (what any protobuf library writes), after the format and the name.
TEST_F(AttestationTest, TheSignedBytesAreTheStandardSerialization) {
  v1::ReceiveRequest r;
  r.mutable_meta()->set_idempotency_key("k-1");
  r.mutable_meta()->mutable_position()->set_lat(30.5);
  r.set_number("3304022026000001");
  r.add_lines()->set_line(1);
  r.add_lines()->set_quantity_g(5000);
  ASSERT_TRUE(SignRequest(*key_, &r).ok());
  v1::ReceiveRequest unsigned_copy = r;
  unsigned_copy.mutable_meta()->clear_signature();
  std::string bytes;
  ASSERT_TRUE(unsigned_copy.SerializeToString(&bytes));
  EXPECT_EQ(AttestationMessage(r),
            "CRADLE-ATTEST-V2\ncradle.v1.ReceiveRequest\n" + bytes);
}

// The first format wrote nested messages with a length of 0, so two
// requests could share its bytes; the current one tells them apart, and a
// first-format signature is accepted only from the ledger, never on a
// request as it arrives.
TEST_F(AttestationTest, NestedMessagesAreBoundNow) {
  v1::PickupRequest in_meta;
  in_meta.mutable_meta()->set_device("D");
  v1::PickupRequest in_request;
  in_request.mutable_meta();
  in_request.set_driver("D");
  EXPECT_EQ(LegacyAttestationMessage(in_meta),
            LegacyAttestationMessage(in_request));
  EXPECT_NE(AttestationMessage(in_meta), AttestationMessage(in_request));
  ASSERT_TRUE(SignRequest(*key_, &in_meta).ok());
  *in_request.mutable_meta()->mutable_signature() = SignatureOf(in_meta);
  EXPECT_FALSE(VerifyRequest(key_->public_key(), in_request));

  // A first-format signature: good in the ledger, refused at the gate.
  v1::PickupRequest old = Pickup();
  old.mutable_meta()->set_signature(key_->Sign(LegacyAttestationMessage(old)));
  ledger::v1::PickedUp stored;
  ASSERT_TRUE(stored.ParseFromString(old.SerializeAsString()));
  EXPECT_EQ(VerifyRecorded(key_->public_key(), stored), Signed::kFirstFormat);
  EXPECT_FALSE(VerifyRequest(key_->public_key(), old));
  ASSERT_TRUE(SignRequest(*key_, &old).ok());
  ASSERT_TRUE(stored.ParseFromString(old.SerializeAsString()));
  EXPECT_EQ(VerifyRecorded(key_->public_key(), stored), Signed::kCurrent);
  EXPECT_EQ(VerifyRecorded(other_->public_key(), stored), Signed::kNot);
}

// Stored signatures cover the name a request was signed under, so the
// names are frozen: renaming an API message must not move them. Flag
// notes were one request type, cradle.v1.FlagNoteRequest, when the first
// of them were signed and stored.
TEST_F(AttestationTest, SigningNamesAreFrozen) {
  EXPECT_EQ(SigningName(v1::PickupRequest()), "cradle.v1.PickupRequest");
  EXPECT_EQ(SigningName(ledger::v1::PickedUp()), "cradle.v1.PickupRequest");
  EXPECT_EQ(SigningName(v1::AcknowledgeFlagRequest()),
            "cradle.v1.FlagNoteRequest");
  EXPECT_EQ(SigningName(v1::ResolveFlagRequest()), "cradle.v1.FlagNoteRequest");
  EXPECT_EQ(SigningName(ledger::v1::FlagNoted()), "cradle.v1.FlagNoteRequest");
  EXPECT_EQ(SigningName(v1::Manifest()), "");

  // A note signs as before the split: under that name, and to the same
  // bytes whether it acknowledges or resolves.
  v1::AcknowledgeFlagRequest note;
  note.mutable_meta()->set_idempotency_key("ack-1");
  note.set_id("3304022026000001-F1");
  note.set_note("seen");
  note.set_by("嘉兴市生态环境局");
  EXPECT_TRUE(
      absl::StartsWith(AttestationMessage(note),
                       "CRADLE-ATTEST-V2\ncradle.v1.FlagNoteRequest\n"));
  v1::ResolveFlagRequest resolve;
  ASSERT_TRUE(resolve.ParseFromString(note.SerializeAsString()));
  EXPECT_EQ(AttestationMessage(resolve), AttestationMessage(note));
  ASSERT_TRUE(SignRequest(*key_, &note).ok());
  ledger::v1::FlagNoted stored;
  ASSERT_TRUE(stored.ParseFromString(note.SerializeAsString()));
  EXPECT_TRUE(VerifyRequest(key_->public_key(), stored));
}

// Every write of the API and every event that records one is signed under
// a name of the table: a new one is added to it on purpose.
TEST_F(AttestationTest, EveryMessageWithMetaHasASigningName) {
  int checked = 0;
  for (const google::protobuf::FileDescriptor* f :
       {v1::OpenManifestRequest::descriptor()->file(),
        v1::RegisterEnterpriseRequest::descriptor()->file(),
        v1::IssueCredentialRequest::descriptor()->file(),
        v1::AcknowledgeFlagRequest::descriptor()->file(),
        v1::ChainRequest::descriptor()->file(),
        ledger::v1::ManifestEvent::descriptor()->file()}) {
    for (int i = 0; i < f->message_type_count(); ++i) {
      const google::protobuf::Descriptor* m = f->message_type(i);
      const google::protobuf::FieldDescriptor* meta =
          m->FindFieldByName("meta");
      if (meta == nullptr ||
          meta->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE ||
          meta->message_type()->name() != "WriteMeta") {
        continue;
      }
      std::unique_ptr<google::protobuf::Message> msg(
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(m)
              ->New());
      EXPECT_FALSE(SigningName(*msg).empty()) << m->full_name();
      ++checked;
    }
  }
  EXPECT_GT(checked, 25);
}

TEST_F(AttestationTest, AnyChangedFieldBreaksTheSignature) {
  v1::PickupRequest signed_request = Pickup();
  ASSERT_TRUE(SignRequest(*key_, &signed_request).ok());
  std::vector<std::function<void(v1::PickupRequest*)>> edits = {
      [](v1::PickupRequest* r) { r->set_number("3304022026000002"); },
      [](v1::PickupRequest* r) { r->set_carrier("91330108MA2H3M4N54"); },
      [](v1::PickupRequest* r) { r->set_vehicle("浙F99999"); },
      [](v1::PickupRequest* r) { r->mutable_meta()->set_person("someone"); },
      [](v1::PickupRequest* r) {
        r->mutable_meta()->set_idempotency_key("k-2");
      },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    v1::PickupRequest r = signed_request;
    edits[i](&r);
    EXPECT_FALSE(VerifyRequest(key_->public_key(), r)) << "edit " << i;
  }
}

TEST_F(AttestationTest, ASignatureCannotMoveToAnotherOperation) {
  // Same field numbers for number (2) and the party (3): only the type
  // name in the signed bytes tells a pickup from a delivery.
  v1::PickupRequest pickup = Pickup();
  ASSERT_TRUE(SignRequest(*key_, &pickup).ok());
  v1::DeliverRequest deliver;
  *deliver.mutable_meta() = pickup.meta();
  deliver.set_number(pickup.number());
  deliver.set_receiver(pickup.carrier());
  EXPECT_NE(AttestationMessage(deliver), AttestationMessage(pickup));
  EXPECT_FALSE(VerifyRequest(key_->public_key(), deliver));
}

TEST_F(AttestationTest, MessagesWithoutMetaCannotBeSigned) {
  v1::Manifest m;
  EXPECT_THAT(SignRequest(*key_, &m),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(SignatureOf(m), "");
}

TEST_F(AttestationTest, LoadKeyNeedsAnExistingFile) {
  EXPECT_THAT(LoadKey(dir_.Sub("missing.pem")),
              StatusIs(absl::StatusCode::kNotFound));
  absl::StatusOr<std::unique_ptr<security::Ed25519Key>> k =
      LoadKey(dir_.Sub("party.pem"));
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ((*k)->public_key(), key_->public_key());
}

}  // namespace
}  // namespace cradle::security
