#include "security/vouch.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/auth.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "security/ed25519.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::security {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'795'000'000);

v1::ReceiveRequest Receive() {
  v1::ReceiveRequest r;
  r.mutable_meta()->set_idempotency_key("k-1");
  r.set_number("20263304000001");
  r.set_receiver("91320115MA2K4L6M8X");
  v1::LineReceipt* line = r.add_lines();
  line->set_line(1);
  line->set_quantity_g(1000);
  return r;
}

v1::Credential Party() {
  v1::Credential c;
  c.set_id("00112233aabbccdd");
  c.set_kind(v1::CREDENTIAL_KIND_PARTY);
  c.set_enterprise("91320115MA2K4L6M8X");
  c.set_role(v1::ROLE_RECEIVER);
  c.set_holder("gate clerk 李");
  c.set_public_key(std::string(32, 'k'));
  return c;
}

class VouchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    jiangsu_ = Key("32.pem");
    other_ = Key("other.pem");
  }

  std::unique_ptr<Ed25519Key> Key(const std::string& name) {
    absl::StatusOr<std::unique_ptr<Ed25519Key>> k =
        Ed25519Key::LoadOrCreate(dir_.Sub(name));
    EXPECT_TRUE(k.ok()) << k.status();
    return k.ok() ? *std::move(k) : nullptr;
  }

  absl::StatusOr<v1::ProvinceVouch> Check(const SignedVouch& v,
                                          const v1::ReceiveRequest& request,
                                          absl::Time now = kNow) {
    return CheckVouch(v, "32", jiangsu_->public_key(), request, now);
  }

  cradle::testing::TempDir dir_;
  std::unique_ptr<Ed25519Key> jiangsu_;
  std::unique_ptr<Ed25519Key> other_;
};

TEST_F(VouchTest, AVouchChecksForTheRequestItWasMadeFor) {
  const SignedVouch v = MakeVouch(*jiangsu_, "32", Party(), Receive(), kNow);
  EXPECT_EQ(VouchingProvince(v.vouch), "32");
  absl::StatusOr<v1::ProvinceVouch> got = Check(v, Receive());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->credential().enterprise(), "91320115MA2K4L6M8X");
  EXPECT_EQ(got->credential().public_key(), std::string(32, 'k'));
  EXPECT_EQ(got->request_type(), "cradle.v1.ReceiveRequest");
}

TEST_F(VouchTest, AnotherRequestIsRefused) {
  const SignedVouch v = MakeVouch(*jiangsu_, "32", Party(), Receive(), kNow);
  v1::ReceiveRequest changed = Receive();
  changed.mutable_lines(0)->set_quantity_g(999);
  EXPECT_THAT(Check(v, changed), StatusIs(absl::StatusCode::kUnauthenticated,
                                          HasSubstr("another request")));
  v1::PickupRequest pickup;  // another type with the same number
  pickup.set_number(Receive().number());
  EXPECT_THAT(CheckVouch(v, "32", jiangsu_->public_key(), pickup, kNow),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("another request")));
}

TEST_F(VouchTest, AVouchSignedWithAnotherKeyOrChangedIsRefused) {
  const SignedVouch forged = MakeVouch(*other_, "32", Party(), Receive(), kNow);
  EXPECT_THAT(Check(forged, Receive()),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not verify against province 32")));
  SignedVouch changed = MakeVouch(*jiangsu_, "32", Party(), Receive(), kNow);
  v1::ProvinceVouch inside;
  ASSERT_TRUE(inside.ParseFromString(changed.vouch));
  inside.mutable_credential()->set_enterprise("91330402MA2B3C4D5X");
  changed.vouch = inside.SerializeAsString();
  EXPECT_THAT(Check(changed, Receive()),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("does not verify")));
}

TEST_F(VouchTest, AVouchForAnotherProvinceIsRefused) {
  // Signed by 32's key, but naming 31: whoever checks it as 32's refuses.
  const SignedVouch v = MakeVouch(*jiangsu_, "31", Party(), Receive(), kNow);
  EXPECT_THAT(Check(v, Receive()),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("names province 31, not 32")));
}

TEST_F(VouchTest, AVouchOutsideTheWindowIsRefusedEitherWay) {
  const SignedVouch v = MakeVouch(*jiangsu_, "32", Party(), Receive(), kNow);
  EXPECT_TRUE(Check(v, Receive(), kNow + kVouchWindow).ok());
  EXPECT_TRUE(Check(v, Receive(), kNow - kVouchWindow).ok());
  EXPECT_THAT(Check(v, Receive(), kNow + kVouchWindow + absl::Seconds(1)),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("from this node's time")));
  EXPECT_THAT(Check(v, Receive(), kNow - kVouchWindow - absl::Seconds(1)),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("from this node's time")));
}

TEST_F(VouchTest, OnlyAPartysCredentialIsVouchedFor) {
  v1::Credential regulator;
  regulator.set_id("0011223344556677");
  regulator.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
  regulator.set_jurisdiction("32");
  v1::Credential administrator = regulator;
  administrator.set_kind(v1::CREDENTIAL_KIND_ADMINISTRATOR);
  for (const v1::Credential& c : {regulator, administrator}) {
    const SignedVouch v = MakeVouch(*jiangsu_, "32", c, Receive(), kNow);
    EXPECT_THAT(Check(v, Receive()),
                StatusIs(absl::StatusCode::kUnauthenticated,
                         HasSubstr("only a party's call")));
  }
}

TEST_F(VouchTest, ACredentialThatIsNotWellFormedIsRefusedNamingTheField) {
  v1::Credential bad_id = Party();
  bad_id.set_id("x#00112233aabbccdd");  // would forge an actor's credential
  EXPECT_THAT(
      Check(MakeVouch(*jiangsu_, "32", bad_id, Receive(), kNow), Receive()),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("credential.id is not a credential id")));
  v1::Credential bad_key = Party();
  bad_key.set_public_key("short");
  EXPECT_THAT(
      Check(MakeVouch(*jiangsu_, "32", bad_key, Receive(), kNow), Receive()),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("credential.public_key")));
  v1::Credential no_role = Party();
  no_role.set_role(v1::ROLE_UNSPECIFIED);
  EXPECT_THAT(
      Check(MakeVouch(*jiangsu_, "32", no_role, Receive(), kNow), Receive()),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("only a party's call")));
}

TEST_F(VouchTest, GarbageIsRefusedAndNamesNoProvince) {
  EXPECT_EQ(VouchingProvince("\xff\xff\xff"), "");
  EXPECT_THAT(Check(SignedVouch{"\xff\xff", std::string(64, 'x')}, Receive()),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace cradle::security
