// The printed manifest's seal: signed bytes that bind every field, a QR
// text that reads back exactly, and a check that refuses any change, a
// foreign key and a malformed code, naming what is wrong.

#include "services/manifest_seal.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "security/ed25519.h"
#include "storage/entry_codec.h"
#include "tests/testing/temp_dir.h"

namespace cradle::services {
namespace {

using ::testing::HasSubstr;

class ManifestSealTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = *security::Ed25519Key::LoadOrCreate(dir_.path() + "/server.pem");
    other_ = *security::Ed25519Key::LoadOrCreate(dir_.path() + "/other.pem");
  }

  v1::ManifestSeal Sealed(const security::Ed25519Key& key) const {
    v1::ManifestSeal s;
    s.set_number("20263304000017");
    s.set_version(6);
    s.set_status(v1::MANIFEST_STATUS_IN_TRANSIT);
    s.set_entry_sequence(4711);
    s.set_entry_hash(std::string(64, 'a'));
    *s.mutable_timestamp() =
        ToTimestamp(absl::FromUnixMicros(1796000000123456));
    s.set_signature(storage::HexHash(key.Sign(ManifestSealMessage(s))));
    s.set_public_key(storage::HexHash(key.public_key()));
    return s;
  }

  std::string Key() const { return storage::HexHash(key_->public_key()); }

  cradle::testing::TempDir dir_;
  std::unique_ptr<security::Ed25519Key> key_, other_;
};

TEST_F(ManifestSealTest, TheQrTextReadsBackToTheSealAndVerifies) {
  const v1::ManifestSeal seal = Sealed(*key_);
  const std::string qr = ManifestSealQr(seal);
  EXPECT_THAT(qr, ::testing::StartsWith("CRADLE-SEAL1:20263304000017/6/"
                                        "IN_TRANSIT/4711/"));
  absl::StatusOr<v1::ManifestSeal> back = ParseManifestSealQr(qr + "\n");
  ASSERT_TRUE(back.ok()) << back.status();
  v1::ManifestSeal want = seal;
  want.clear_public_key();  // not in the code: the checker brings its own
  EXPECT_EQ(back->SerializeAsString(), want.SerializeAsString());
  EXPECT_TRUE(VerifyManifestSeal(*back, Key()).ok());
}

TEST_F(ManifestSealTest, EveryFieldIsBoundByTheSignature) {
  const v1::ManifestSeal seal = Sealed(*key_);
  const std::vector<std::function<void(v1::ManifestSeal*)>> changes = {
      [](v1::ManifestSeal* s) { s->set_number("20263304000018"); },
      [](v1::ManifestSeal* s) { s->set_version(5); },
      [](v1::ManifestSeal* s) { s->set_status(v1::MANIFEST_STATUS_CLOSED); },
      [](v1::ManifestSeal* s) { s->set_entry_sequence(4712); },
      [](v1::ManifestSeal* s) { s->set_entry_hash(std::string(64, 'b')); },
      [](v1::ManifestSeal* s) {
        s->mutable_timestamp()->set_seconds(s->timestamp().seconds() + 1);
      },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    v1::ManifestSeal changed = seal;
    changes[i](&changed);
    const absl::Status s = VerifyManifestSeal(changed, Key());
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << "change " << i;
    EXPECT_THAT(s.message(), HasSubstr("not signed by this key"));
  }
  // Sealed by another server: refused with this one's key.
  EXPECT_EQ(VerifyManifestSeal(Sealed(*other_), Key()).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyManifestSeal(seal, "not-a-key").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ManifestSealTest, AMalformedCodeIsRefusedNamingThePart) {
  const std::string qr = ManifestSealQr(Sealed(*key_));
  const std::string sig = qr.substr(qr.rfind('/') + 1);
  const std::string hash(64, 'a');
  const struct {
    std::string text;
    std::string part;
  } cases[] = {
      {"https://example.com/x", "seal prefix"},
      {"CRADLE-SEAL1:20263304000017/6/IN_TRANSIT", "seal fields"},
      {"CRADLE-SEAL1:/6/IN_TRANSIT/4711/" + hash + "/1/" + sig, "seal number"},
      {"CRADLE-SEAL1:N/six/IN_TRANSIT/4711/" + hash + "/1/" + sig,
       "seal version"},
      {"CRADLE-SEAL1:N/6/LOST/4711/" + hash + "/1/" + sig, "seal status"},
      {"CRADLE-SEAL1:N/6/IN_TRANSIT/0/" + hash + "/1/" + sig,
       "seal entry sequence"},
      {"CRADLE-SEAL1:N/6/IN_TRANSIT/4711/abc/1/" + sig, "seal entry hash"},
      {"CRADLE-SEAL1:N/6/IN_TRANSIT/4711/" + hash + "/-5/" + sig, "seal time"},
      {"CRADLE-SEAL1:N/6/IN_TRANSIT/4711/" + hash + "/1/beef",
       "seal signature"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<v1::ManifestSeal> s = ParseManifestSealQr(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.status().message(), HasSubstr(c.part)) << c.text;
  }
}

}  // namespace
}  // namespace cradle::services
