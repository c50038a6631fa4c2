#include "security/ed25519.h"

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

#include "tests/testing/temp_dir.h"

namespace cradle::security {
namespace {

std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// RFC 8032, section 7.1, tests 1 and 2.
const std::string kKey1 =
    Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const std::string kSig1 = Hex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb88215"
    "90a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
const std::string kKey2 =
    Hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
const std::string kSig2 = Hex(
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e4"
    "3e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

TEST(Ed25519Test, VerifiesTheRfcVectors) {
  EXPECT_TRUE(VerifyEd25519(kKey1, "", kSig1));
  EXPECT_TRUE(VerifyEd25519(kKey2, Hex("72"), kSig2));
}

TEST(Ed25519Test, RefusesAChangedMessageKeyOrSignature) {
  EXPECT_FALSE(VerifyEd25519(kKey2, Hex("73"), kSig2));
  EXPECT_FALSE(VerifyEd25519(kKey1, Hex("72"), kSig2));
  std::string sig = kSig2;
  sig[10] ^= 1;
  EXPECT_FALSE(VerifyEd25519(kKey2, Hex("72"), sig));
}

TEST(Ed25519Test, RefusesKeysAndSignaturesOfTheWrongSize) {
  EXPECT_FALSE(VerifyEd25519(kKey2.substr(0, 31), Hex("72"), kSig2));
  EXPECT_FALSE(VerifyEd25519(kKey2 + "x", Hex("72"), kSig2));
  EXPECT_FALSE(VerifyEd25519(kKey2, Hex("72"), kSig2.substr(0, 63)));
  EXPECT_FALSE(VerifyEd25519(kKey2, Hex("72"), kSig2 + "x"));
  EXPECT_FALSE(VerifyEd25519("", "", ""));
}

// S must be below the group order L: S + L verifies the same equation, so
// accepting it would let anyone turn one signature into a second.
TEST(Ed25519Test, RefusesANonCanonicalScalar) {
  // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  const std::string order =
      Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  std::string sig = kSig1;
  int carry = 0;
  for (int i = 0; i < 32; ++i) {
    const int sum = static_cast<unsigned char>(sig[32 + i]) +
                    static_cast<unsigned char>(order[i]) + carry;
    sig[32 + i] = static_cast<char>(sum & 0xff);
    carry = sum >> 8;
  }
  ASSERT_EQ(carry, 0);
  EXPECT_FALSE(VerifyEd25519(kKey1, "", sig));
}

// The identity point is a key of small order: R = identity and S = 0
// satisfy the verification equation for every message. OpenSSL 3.0 accepted
// that forgery; no key Cradle takes may be such a point.
TEST(Ed25519Test, RefusesAForgeryUnderAKeyOfSmallOrder) {
  const std::string identity = Hex("01") + std::string(31, '\0');
  const std::string forged = identity + std::string(32, '\0');
  EXPECT_FALSE(VerifyEd25519(identity, "any message at all", forged));
  EXPECT_FALSE(IsEd25519PublicKey(identity));
}

TEST(Ed25519Test, TakesOnlyKeysOfThePrimeOrderGroup) {
  EXPECT_TRUE(IsEd25519PublicKey(kKey1));
  EXPECT_TRUE(IsEd25519PublicKey(kKey2));
  EXPECT_FALSE(IsEd25519PublicKey(std::string(32, '\0')));  // order 4
  // y = p + 1, the identity's y not reduced: not canonical.
  EXPECT_FALSE(IsEd25519PublicKey(
      Hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")));
  EXPECT_FALSE(IsEd25519PublicKey(kKey1.substr(0, 31)));
  EXPECT_FALSE(IsEd25519PublicKey(""));
}

// The signer's side (OpenSSL, as cradlectl and the server sign) and the
// verifier agree.
TEST(Ed25519Test, VerifiesWhatAKeyOfOursSigned) {
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<Ed25519Key>> key =
      Ed25519Key::LoadOrCreate(dir.Sub("k.pem"));
  ASSERT_TRUE(key.ok()) << key.status();
  const std::string sig = (*key)->Sign("CRADLE-ATTEST-V2\npickup\n");
  EXPECT_TRUE(
      VerifyEd25519((*key)->public_key(), "CRADLE-ATTEST-V2\npickup\n", sig));
  EXPECT_FALSE(
      VerifyEd25519((*key)->public_key(), "CRADLE-ATTEST-V2\npickup!", sig));
  EXPECT_TRUE(IsEd25519PublicKey((*key)->public_key()));
}

}  // namespace
}  // namespace cradle::security
