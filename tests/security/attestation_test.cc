#include "security/attestation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/manifest.pb.h"
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
  EXPECT_TRUE(
      VerifyRecorded(key_->public_key(), r.GetTypeName(), stored.picked_up()));
  // The signature binds the request type: not another type's, not none.
  EXPECT_FALSE(VerifyRecorded(key_->public_key(), "cradle.v1.RelayRequest",
                              stored.picked_up()));
  EXPECT_FALSE(VerifyRecorded(key_->public_key(), "", stored.picked_up()));
  EXPECT_FALSE(VerifyRequest(key_->public_key(), stored.picked_up()));
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
