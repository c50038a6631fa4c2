#include "security/dev_ca.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cradle::security {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct OpenSslFree {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};
template <typename T>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree>;

absl::Time Utc(int year, int month, int day) {
  return absl::FromCivil(absl::CivilDay(year, month, day), absl::UTCTimeZone());
}

OpenSslPtr<X509> ParseCertificate(const std::string& pem) {
  OpenSslPtr<BIO> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  OpenSslPtr<X509> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  EXPECT_NE(cert, nullptr) << pem;
  return cert;
}

OpenSslPtr<EVP_PKEY> ParsePrivateKey(const std::string& pem) {
  OpenSslPtr<BIO> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  OpenSslPtr<EVP_PKEY> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  EXPECT_NE(key, nullptr) << "not a PEM private key";
  return key;
}

// The verification error (X509_V_OK when it verifies) for `leaf` as a TLS
// server certificate chaining to `ca`, at `at`, optionally for `host` (a DNS
// name) or `ip`.
int VerifyAt(X509* ca, X509* leaf, absl::Time at, const std::string& host = "",
             const std::string& ip = "") {
  OpenSslPtr<X509_STORE> store(X509_STORE_new());
  OpenSslPtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  EXPECT_EQ(X509_STORE_add_cert(store.get(), ca), 1);
  EXPECT_EQ(X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr), 1);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, absl::ToTimeT(at));
  EXPECT_EQ(X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER), 1);
  if (!host.empty()) {
    EXPECT_EQ(X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0), 1);
  }
  if (!ip.empty()) {
    EXPECT_EQ(X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str()), 1);
  }
  const int verified = X509_verify_cert(ctx.get());
  const int error = X509_STORE_CTX_get_error(ctx.get());
  EXPECT_EQ(verified == 1, error == X509_V_OK)
      << X509_verify_cert_error_string(error);
  ERR_clear_error();
  return error;
}

// "DNS:name" or "IP:address" for each subjectAltName entry, in order.
std::vector<std::string> SubjectAltNames(X509* cert) {
  OpenSslPtr<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> out;
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(
                                             ASN1_STRING_get0_data(dns)),
                                         ASN1_STRING_length(dns)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      const int length = ASN1_STRING_length(ip);
      char text[INET6_ADDRSTRLEN] = "";
      inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip),
                text, sizeof text);
      out.push_back(absl::StrCat(
          "IP:", text, length == 4 || length == 16 ? "" : " (bad length)"));
    } else {
      out.push_back(absl::StrCat("type ", name->type));
    }
  }
  return out;
}

std::string CommonName(const X509_NAME* name) {
  char text[256] = "";
  X509_NAME_get_text_by_NID(name, NID_commonName, text, sizeof text);
  return text;
}

absl::Time ToAbslTime(const ASN1_TIME* t) {
  struct tm tm = {};
  EXPECT_EQ(ASN1_TIME_to_tm(t, &tm), 1);
  return absl::FromTM(tm, absl::UTCTimeZone());
}

bool IsCritical(X509* cert, int nid) {
  const int index = X509_get_ext_by_NID(cert, nid, -1);
  EXPECT_GE(index, 0) << OBJ_nid2sn(nid) << " is missing";
  return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, index));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

mode_t Mode(const std::string& path) {
  struct stat st = {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

DevCertificates MakeOrDie(const DevCaOptions& options) {
  absl::StatusOr<DevCertificates> certs = MakeDevCertificates(options);
  EXPECT_TRUE(certs.ok()) << certs.status();
  return certs.ok() ? *std::move(certs) : DevCertificates{};
}

TEST(DevCaTest, ServerCertificateVerifiesAgainstCa) {
  const DevCertificates certs = MakeOrDie(DevCaOptions());
  OpenSslPtr<X509> ca = ParseCertificate(certs.ca_cert_pem);
  OpenSslPtr<X509> server = ParseCertificate(certs.server_cert_pem);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(server, nullptr);

  const absl::Time now = absl::Now();
  EXPECT_EQ(VerifyAt(ca.get(), server.get(), now), X509_V_OK);
  EXPECT_EQ(VerifyAt(ca.get(), server.get(), now, "localhost"), X509_V_OK);
  EXPECT_EQ(VerifyAt(ca.get(), server.get(), now, "", "127.0.0.1"), X509_V_OK);
  EXPECT_EQ(VerifyAt(ca.get(), server.get(), now, "example.com"),
            X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(VerifyAt(ca.get(), server.get(), now, "", "127.0.0.2"),
            X509_V_ERR_IP_ADDRESS_MISMATCH);
  // The CA's key cannot pose as a server, and the server's cannot sign.
  EXPECT_EQ(VerifyAt(ca.get(), ca.get(), now), X509_V_ERR_INVALID_PURPOSE);
  EXPECT_EQ(X509_verify(server.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_EQ(X509_verify(ca.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_NE(X509_verify(server.get(), X509_get0_pubkey(server.get())), 1);
  ERR_clear_error();
}

TEST(DevCaTest, ServerCertificateDoesNotVerifyAgainstAnotherCa) {
  const DevCertificates first = MakeOrDie(DevCaOptions());
  const DevCertificates second = MakeOrDie(DevCaOptions());
  OpenSslPtr<X509> other_ca = ParseCertificate(second.ca_cert_pem);
  OpenSslPtr<X509> server = ParseCertificate(first.server_cert_pem);
  ASSERT_NE(other_ca, nullptr);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(VerifyAt(other_ca.get(), server.get(), absl::Now()),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST(DevCaTest, PastWindowGivesAnExpiredCertificate) {
  DevCaOptions options;
  options.not_before = Utc(2020, 1, 1);
  options.not_after = Utc(2021, 1, 1);
  const DevCertificates certs = MakeOrDie(options);
  OpenSslPtr<X509> ca = ParseCertificate(certs.ca_cert_pem);
  OpenSslPtr<X509> server = ParseCertificate(certs.server_cert_pem);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(server, nullptr);

  EXPECT_EQ(VerifyAt(ca.get(), server.get(), Utc(2020, 6, 1)), X509_V_OK);
  EXPECT_EQ(
      VerifyAt(ca.get(), server.get(), options.not_after - absl::Seconds(1)),
      X509_V_OK);
  EXPECT_EQ(
      VerifyAt(ca.get(), server.get(), options.not_after + absl::Seconds(1)),
      X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(VerifyAt(ca.get(), server.get(), absl::Now()),
            X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(
      VerifyAt(ca.get(), server.get(), options.not_before - absl::Seconds(1)),
      X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST(DevCaTest, BothCertificatesHoldTheRequestedWindow) {
  DevCaOptions options;
  options.not_before = Utc(2031, 3, 4) + absl::Seconds(5);
  options.not_after = Utc(2061, 7, 8) + absl::Seconds(9);  // GeneralizedTime
  const DevCertificates certs = MakeOrDie(options);
  for (const std::string* pem : {&certs.ca_cert_pem, &certs.server_cert_pem}) {
    OpenSslPtr<X509> cert = ParseCertificate(*pem);
    ASSERT_NE(cert, nullptr);
    EXPECT_EQ(ToAbslTime(X509_get0_notBefore(cert.get())), options.not_before);
    EXPECT_EQ(ToAbslTime(X509_get0_notAfter(cert.get())), options.not_after);
  }
}

TEST(DevCaTest, DefaultWindowStartsAnHourAgoAndLasts825Days) {
  const absl::Time before = absl::FromTimeT(absl::ToTimeT(absl::Now()));
  const DevCertificates certs = MakeOrDie(DevCaOptions());
  const absl::Time after = absl::Now();
  OpenSslPtr<X509> server = ParseCertificate(certs.server_cert_pem);
  ASSERT_NE(server, nullptr);

  const absl::Time not_before = ToAbslTime(X509_get0_notBefore(server.get()));
  const absl::Time not_after = ToAbslTime(X509_get0_notAfter(server.get()));
  EXPECT_GE(not_before, before - absl::Hours(1));
  EXPECT_LE(not_before, after - absl::Hours(1));
  EXPECT_GE(not_after, before + absl::Hours(24 * 825));
  EXPECT_LE(not_after, after + absl::Hours(24 * 825));
}

TEST(DevCaTest, SubjectAltNameHoldsExactlyTheHosts) {
  DevCaOptions options;
  options.hosts = {"cradle.test", "Localhost", "10.1.2.3", "::1",
                   "2001:db8::7"};
  const DevCertificates certs = MakeOrDie(options);
  OpenSslPtr<X509> server = ParseCertificate(certs.server_cert_pem);
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(SubjectAltNames(server.get()),
              ElementsAre("DNS:cradle.test", "DNS:Localhost", "IP:10.1.2.3",
                          "IP:::1", "IP:2001:db8::7"));
  EXPECT_EQ(CommonName(X509_get_subject_name(server.get())), "cradle.test");

  OpenSslPtr<X509> ca = ParseCertificate(certs.ca_cert_pem);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(VerifyAt(ca.get(), server.get(), absl::Now(), "", "::1"),
            X509_V_OK);
  EXPECT_EQ(VerifyAt(ca.get(), server.get(), absl::Now(), "localhost"),
            X509_V_OK);
  EXPECT_THAT(SubjectAltNames(ca.get()), ElementsAre());
}

TEST(DevCaTest, DefaultHostsAreLocalhostAndLoopback) {
  const DevCertificates certs = MakeOrDie(DevCaOptions());
  OpenSslPtr<X509> server = ParseCertificate(certs.server_cert_pem);
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(SubjectAltNames(server.get()),
              ElementsAre("DNS:localhost", "IP:127.0.0.1"));
  EXPECT_EQ(CommonName(X509_get_subject_name(server.get())), "localhost");
}

TEST(DevCaTest, KeysMatchTheirCertificates) {
  const DevCertificates certs = MakeOrDie(DevCaOptions());
  OpenSslPtr<X509> ca = ParseCertificate(certs.ca_cert_pem);
  OpenSslPtr<X509> server = ParseCertificate(certs.server_cert_pem);
  OpenSslPtr<EVP_PKEY> ca_key = ParsePrivateKey(certs.ca_key_pem);
  OpenSslPtr<EVP_PKEY> server_key = ParsePrivateKey(certs.server_key_pem);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(ca_key, nullptr);
  ASSERT_NE(server_key, nullptr);

  EXPECT_EQ(X509_check_private_key(ca.get(), ca_key.get()), 1);
  EXPECT_EQ(X509_check_private_key(server.get(), server_key.get()), 1);
  EXPECT_EQ(X509_check_private_key(server.get(), ca_key.get()), 0);
  EXPECT_EQ(X509_check_private_key(ca.get(), server_key.get()), 0);
  ERR_clear_error();
  EXPECT_THAT(certs.server_key_pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));
}

TEST(DevCaTest, CertificatesCarryTheirProfiles) {
  const DevCertificates certs = MakeOrDie(DevCaOptions());
  OpenSslPtr<X509> ca = ParseCertificate(certs.ca_cert_pem);
  OpenSslPtr<X509> server = ParseCertificate(certs.server_cert_pem);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(server, nullptr);

  EXPECT_EQ(CommonName(X509_get_subject_name(ca.get())),
            "Cradle development CA");
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(ca.get()),
                          X509_get_subject_name(ca.get())),
            0);
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(server.get()),
                          X509_get_subject_name(ca.get())),
            0);
  for (X509* cert : {ca.get(), server.get()}) {
    EXPECT_EQ(X509_get_version(cert), X509_VERSION_3);
    EXPECT_EQ(X509_get_signature_nid(cert), NID_ecdsa_with_SHA256);
    char group[64] = "";
    EXPECT_EQ(EVP_PKEY_get_group_name(X509_get0_pubkey(cert), group,
                                      sizeof group, nullptr),
              1);
    EXPECT_STREQ(group, "prime256v1");
    EXPECT_TRUE(IsCritical(cert, NID_basic_constraints));
    EXPECT_TRUE(IsCritical(cert, NID_key_usage));
  }

  EXPECT_GE(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_get_pathlen(ca.get()), 0);
  EXPECT_EQ(X509_get_key_usage(ca.get()), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
  EXPECT_EQ(X509_get_extension_flags(ca.get()) & EXFLAG_XKUSAGE, 0u);

  EXPECT_EQ(X509_check_ca(server.get()), 0);
  EXPECT_EQ(X509_get_key_usage(server.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(server.get()),
            static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_FALSE(IsCritical(server.get(), NID_subject_alt_name));
}

TEST(DevCaTest, KeyIdentifiersLinkServerToCa) {
  const DevCertificates certs = MakeOrDie(DevCaOptions());
  OpenSslPtr<X509> ca = ParseCertificate(certs.ca_cert_pem);
  OpenSslPtr<X509> server = ParseCertificate(certs.server_cert_pem);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(server, nullptr);

  const ASN1_OCTET_STRING* ca_skid = X509_get0_subject_key_id(ca.get());
  const ASN1_OCTET_STRING* ca_akid = X509_get0_authority_key_id(ca.get());
  const ASN1_OCTET_STRING* server_skid = X509_get0_subject_key_id(server.get());
  const ASN1_OCTET_STRING* server_akid =
      X509_get0_authority_key_id(server.get());
  ASSERT_NE(ca_skid, nullptr);
  ASSERT_NE(ca_akid, nullptr);
  ASSERT_NE(server_skid, nullptr);
  ASSERT_NE(server_akid, nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(ca_akid, ca_skid), 0);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(server_akid, ca_skid), 0);
  EXPECT_NE(ASN1_OCTET_STRING_cmp(server_skid, ca_skid), 0);
}

TEST(DevCaTest, SerialsAreRandomPositiveSixteenBytes) {
  const DevCertificates first = MakeOrDie(DevCaOptions());
  const DevCertificates second = MakeOrDie(DevCaOptions());
  std::vector<OpenSslPtr<X509>> certs;
  for (const std::string* pem :
       {&first.ca_cert_pem, &first.server_cert_pem, &second.ca_cert_pem,
        &second.server_cert_pem}) {
    certs.push_back(ParseCertificate(*pem));
    ASSERT_NE(certs.back(), nullptr);
    const ASN1_INTEGER* serial = X509_get0_serialNumber(certs.back().get());
    EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);  // not V_ASN1_NEG_*
    // DER: tag, length, then 16 content bytes with no 0x00 sign padding.
    EXPECT_EQ(i2d_ASN1_INTEGER(serial, nullptr), 2 + 16);
  }
  for (size_t i = 0; i < certs.size(); ++i) {
    for (size_t j = i + 1; j < certs.size(); ++j) {
      EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(certs[i].get()),
                                 X509_get0_serialNumber(certs[j].get())),
                0)
          << i << " and " << j;
    }
  }
}

TEST(DevCaTest, AcceptsNamesAtTheLimits) {
  DevCaOptions options;
  options.hosts = {"a-b.example",
                   "xn--bcher-kva.example",
                   "x",
                   std::string(63, 'a') + ".example",
                   "0:0:0:0:0:0:0:2",
                   "1.example"};
  EXPECT_TRUE(MakeDevCertificates(options).ok());
}

TEST(DevCaTest, RejectsBadHostsNamingTheField) {
  struct Case {
    std::vector<std::string> hosts;
    std::string message;
  };
  const std::string long_label = std::string(64, 'a') + ".example";
  const Case cases[] = {
      {{}, "hosts is empty"},
      {{"localhost", ""}, "hosts[1] is empty"},
      {{"bad host"}, "hosts[0] \"bad host\""},
      {{"localhost", "a..b"}, "hosts[1] \"a..b\""},
      {{"localhost", "a.b."}, "hosts[1] \"a.b.\""},
      {{"-lead.example"}, "hosts[0] \"-lead.example\""},
      {{"localhost", "trail-.example"}, "hosts[1] \"trail-.example\""},
      {{"exa_mple.com"}, "hosts[0] \"exa_mple.com\""},
      {{"*.example"}, "hosts[0] \"*.example\""},
      {{"[::1]"}, "hosts[0] \"[::1]\""},
      {{"localhost", "1.2.3.999"}, "hosts[1] \"1.2.3.999\""},
      {{"127.0.0.1/8"}, "hosts[0] \"127.0.0.1/8\""},
      {{"fe80::1%eth0"}, "hosts[0] \"fe80::1%eth0\""},
      {{"localhost", long_label}, "hosts[1]"},
      {{"localhost", std::string(250, 'a') + ".example"}, "hosts[1]"},
      {{std::string(65, 'a')}, "hosts[0]"},
      {{"localhost", "LOCALHOST"}, "hosts[1] \"LOCALHOST\" repeats hosts[0]"},
      {{"::1", "x", "0:0:0:0:0:0:0:1"}, "hosts[2] \"0:0:0:0:0:0:0:1\" repeats"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    DevCaOptions options;
    options.hosts = c.hosts;
    EXPECT_THAT(
        MakeDevCertificates(options),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  }
}

TEST(DevCaTest, RejectsAnEmptyOrInvertedWindowNamingTheField) {
  DevCaOptions options;
  options.not_before = Utc(2030, 1, 1);
  options.not_after = options.not_before;
  EXPECT_THAT(
      MakeDevCertificates(options),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("not_after 2030-01-01T00:00:00+00:00 is not")));
  options.not_after = options.not_before - absl::Hours(24);
  EXPECT_THAT(
      MakeDevCertificates(options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not_after")));
  // Certificates hold whole seconds, so this window would be empty.
  options.not_after = options.not_before + absl::Milliseconds(500);
  EXPECT_THAT(
      MakeDevCertificates(options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not_after")));
  // Against the default start, an hour ago.
  DevCaOptions past_end;
  past_end.not_after = absl::Now() - absl::Hours(2);
  EXPECT_THAT(
      MakeDevCertificates(past_end),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not_after")));
}

TEST(DevCaTest, RejectsTimesNoCertificateCanHold) {
  DevCaOptions options;
  options.not_after = Utc(10000, 1, 1);
  EXPECT_THAT(
      MakeDevCertificates(options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not_after")));
  options.not_after = Utc(10000, 1, 1) - absl::Seconds(1);
  const DevCertificates last = MakeOrDie(options);
  OpenSslPtr<X509> cert = ParseCertificate(last.server_cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(ToAbslTime(X509_get0_notAfter(cert.get())), options.not_after);

  options.not_before = Utc(-5, 1, 1);
  options.not_after = Utc(2030, 1, 1);
  EXPECT_THAT(
      MakeDevCertificates(options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not_before")));
}

TEST(DevCaTest, WritesTheFourFilesWithPrivateKeys) {
  cradle::testing::TempDir tmp;
  const std::string dir = tmp.Sub("tls/dev");  // parents are missing too
  const DevCertificates certs = MakeOrDie(DevCaOptions());
  ASSERT_TRUE(WriteDevCertificates(certs, dir).ok());

  EXPECT_EQ(ReadFile(dir + "/ca.crt"), certs.ca_cert_pem);
  EXPECT_EQ(ReadFile(dir + "/ca.key"), certs.ca_key_pem);
  EXPECT_EQ(ReadFile(dir + "/server.crt"), certs.server_cert_pem);
  EXPECT_EQ(ReadFile(dir + "/server.key"), certs.server_key_pem);
  EXPECT_EQ(Mode(dir + "/ca.key"), 0600u);
  EXPECT_EQ(Mode(dir + "/server.key"), 0600u);
  for (const char* cert : {"/ca.crt", "/server.crt"}) {
    const mode_t mode = Mode(dir + cert);
    EXPECT_EQ(mode & 0600, 0600u) << cert;
    EXPECT_EQ(mode & 0022, 0u) << cert;
  }
}

TEST(DevCaTest, WriteNeverOverwrites) {
  cradle::testing::TempDir tmp;
  const DevCertificates first = MakeOrDie(DevCaOptions());
  const DevCertificates second = MakeOrDie(DevCaOptions());
  ASSERT_TRUE(WriteDevCertificates(first, tmp.path()).ok());

  EXPECT_THAT(WriteDevCertificates(second, tmp.path()),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("ca.crt")));
  EXPECT_EQ(ReadFile(tmp.Sub("ca.crt")), first.ca_cert_pem);
  EXPECT_EQ(ReadFile(tmp.Sub("ca.key")), first.ca_key_pem);
  EXPECT_EQ(ReadFile(tmp.Sub("server.crt")), first.server_cert_pem);
  EXPECT_EQ(ReadFile(tmp.Sub("server.key")), first.server_key_pem);
}

TEST(DevCaTest, WriteRefusesBeforeWritingAnything) {
  cradle::testing::TempDir tmp;
  std::ofstream(tmp.Sub("server.key")) << "mine";
  const DevCertificates certs = MakeOrDie(DevCaOptions());

  EXPECT_THAT(
      WriteDevCertificates(certs, tmp.path()),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("server.key")));
  EXPECT_EQ(ReadFile(tmp.Sub("server.key")), "mine");
  EXPECT_FALSE(Exists(tmp.Sub("ca.crt")));
  EXPECT_FALSE(Exists(tmp.Sub("ca.key")));
  EXPECT_FALSE(Exists(tmp.Sub("server.crt")));
}

TEST(DevCaTest, WriteRefusesADanglingSymlink) {
  cradle::testing::TempDir tmp;
  ASSERT_EQ(symlink(tmp.Sub("elsewhere").c_str(), tmp.Sub("ca.key").c_str()),
            0);
  EXPECT_THAT(WriteDevCertificates(MakeOrDie(DevCaOptions()), tmp.path()),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("ca.key")));
  EXPECT_FALSE(Exists(tmp.Sub("elsewhere")));
}

TEST(DevCaTest, WriteReportsADirectoryThatCannotBeMade) {
  cradle::testing::TempDir tmp;
  std::ofstream(tmp.Sub("file")) << "not a directory";
  EXPECT_THAT(
      WriteDevCertificates(MakeOrDie(DevCaOptions()), tmp.Sub("file/tls")),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("file/tls")));
  EXPECT_THAT(WriteDevCertificates(MakeOrDie(DevCaOptions()), ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dir")));
}

}  // namespace
}  // namespace cradle::security
