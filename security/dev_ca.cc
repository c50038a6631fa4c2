#include "security/dev_ca.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <ctime>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/files.h"
#include "base/quote.h"
#include "base/status_macros.h"

namespace cradle::security {
namespace {

constexpr char kCaCommonName[] = "Cradle development CA";
constexpr absl::Duration kDefaultBackdate = absl::Hours(1);
constexpr absl::Duration kDefaultLifetime = absl::Hours(24 * 825);
constexpr size_t kSerialBytes = 16;
constexpr size_t kMaxCommonName = 64;  // ub-common-name, RFC 5280
constexpr size_t kMaxDnsName = 253;
constexpr size_t kMaxDnsLabel = 63;

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone());
}

struct OpenSslFree {
  void operator()(ASN1_STRING* p) const { ASN1_STRING_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(GENERAL_NAME* p) const { GENERAL_NAME_free(p); }
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <typename T>
using OpenSslPtr = std::unique_ptr<T, OpenSslFree>;

// INTERNAL, with every error on this thread's OpenSSL queue (which it
// empties).
absl::Status OpenSslError(absl::string_view what) {
  std::string errors;
  while (unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    absl::StrAppend(&errors, errors.empty() ? "" : "; ", text);
  }
  if (errors.empty()) errors = "no OpenSSL error queued";
  return absl::InternalError(absl::StrCat(what, " failed: ", errors));
}

// A host as the subjectAltName holds it: a DNS name, or an IP address's 4 or
// 16 bytes in network order.
struct SanHost {
  int type;  // GEN_DNS or GEN_IPADD
  std::string value;
};

// Why `name` is not a DNS name, or "" if it is one. Letters, digits and
// inner hyphens in each label (RFC 1123); the last label cannot be all
// digits, so a mistyped IPv4 address such as 1.2.3.999 is not taken for a
// name.
std::string DnsNameProblem(absl::string_view name) {
  if (name.size() > kMaxDnsName) {
    return absl::StrCat("it has ", name.size(), " characters, more than ",
                        kMaxDnsName);
  }
  if (name.front() == '[') return "write an IPv6 address without brackets";
  bool last_all_digits = false;
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    if (label.empty()) return "it has an empty label";
    if (label.size() > kMaxDnsLabel) {
      return absl::StrCat("label ", Quote(label), " has ", label.size(),
                          " characters, more than ", kMaxDnsLabel);
    }
    if (label.front() == '-' || label.back() == '-') {
      return absl::StrCat("label ", Quote(label), " begins or ends with '-'");
    }
    last_all_digits = true;
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return absl::StrCat("character '", absl::string_view(&c, 1),
                            "' is not a letter, digit, '-' or '.'");
      }
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        last_all_digits = false;
      }
    }
  }
  if (last_all_digits) return "its last label is all digits";
  return "";
}

absl::StatusOr<SanHost> ParseHost(size_t i, absl::string_view host) {
  const std::string field = absl::StrCat("hosts[", i, "]");
  if (host.empty()) return absl::InvalidArgumentError(field + " is empty");
  const std::string text(host);  // inet_pton wants a terminated string
  unsigned char ip[16];
  if (inet_pton(AF_INET, text.c_str(), ip) == 1) {
    return SanHost{GEN_IPADD, std::string(reinterpret_cast<char*>(ip), 4)};
  }
  if (inet_pton(AF_INET6, text.c_str(), ip) == 1) {
    return SanHost{GEN_IPADD, std::string(reinterpret_cast<char*>(ip), 16)};
  }
  if (std::string problem = DnsNameProblem(host); !problem.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", Quote(host),
                     " is neither an IP address nor a DNS name: ", problem));
  }
  return SanHost{GEN_DNS, text};
}

absl::StatusOr<std::vector<SanHost>> ParseHosts(
    const std::vector<std::string>& hosts) {
  if (hosts.empty()) {
    return absl::InvalidArgumentError(
        "hosts is empty: the server certificate needs at least one name");
  }
  if (hosts[0].size() > kMaxCommonName) {
    return absl::InvalidArgumentError(
        absl::StrCat("hosts[0] ", Quote(hosts[0]), " has ", hosts[0].size(),
                     " characters, more than the ", kMaxCommonName,
                     " of a common name; put a shorter name first"));
  }
  std::vector<SanHost> parsed;
  for (size_t i = 0; i < hosts.size(); ++i) {
    absl::StatusOr<SanHost> host = ParseHost(i, hosts[i]);
    if (!host.ok()) return host.status();
    for (size_t j = 0; j < parsed.size(); ++j) {
      // DNS names compare without case; IP addresses as bytes, so that
      // "::1" repeats "0:0:0:0:0:0:0:1".
      const bool same =
          host->type == GEN_DNS
              ? absl::EqualsIgnoreCase(parsed[j].value, host->value)
              : parsed[j].value == host->value;
      if (parsed[j].type == host->type && same) {
        return absl::InvalidArgumentError(absl::StrCat(
            "hosts[", i, "] ", Quote(hosts[i]), " repeats hosts[", j, "]"));
      }
    }
    parsed.push_back(*std::move(host));
  }
  return parsed;
}

// `t` in whole seconds, if a certificate can hold it: GeneralizedTime has
// four digits for the year, and OpenSSL 3.0's ASN1_TIME_set writes five (or
// a minus sign) without complaint.
absl::StatusOr<time_t> CertificateTime(absl::string_view field, absl::Time t) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  if (t < absl::FromCivil(absl::CivilSecond(0, 1, 1, 0, 0, 0), utc) ||
      t >= absl::FromCivil(absl::CivilSecond(10000, 1, 1, 0, 0, 0), utc)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", FormatUtc(t),
                     " is outside the years 0000 to 9999 that a "
                     "certificate can hold"));
  }
  return absl::ToTimeT(t);
}

absl::StatusOr<OpenSslPtr<EVP_PKEY>> NewP256Key() {
  OpenSslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return OpenSslError("P-256 key generation");
  return key;
}

// Clears the sign bit so that the serial is positive, and sets the next one
// so that its DER encoding keeps all 16 bytes.
absl::Status SetRandomSerial(X509* cert) {
  unsigned char bytes[kSerialBytes];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return OpenSslError("RAND_bytes");
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  OpenSslPtr<BIGNUM> serial(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (serial == nullptr ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) ==
          nullptr) {
    return OpenSslError("setting the serial number");
  }
  return absl::OkStatus();
}

// A certificate with everything but issuer, extensions and signature.
absl::StatusOr<OpenSslPtr<X509>> NewCertificate(const std::string& common_name,
                                                EVP_PKEY* key,
                                                time_t not_before,
                                                time_t not_after) {
  OpenSslPtr<X509> cert(X509_new());
  if (cert == nullptr) return OpenSslError("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return OpenSslError("X509_set_version");
  }
  CRADLE_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  if (X509_NAME_add_entry_by_NID(
          X509_get_subject_name(cert.get()), NID_commonName, MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(common_name.data()),
          static_cast<int>(common_name.size()), /*loc=*/-1,
          /*set=*/0) != 1) {
    return OpenSslError("setting the subject's common name");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after) == nullptr) {
    return OpenSslError("setting the validity");
  }
  if (X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslError("X509_set_pubkey");
  }
  return cert;
}

// `value` in openssl.cnf syntax, e.g. "critical,CA:TRUE".
absl::Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid,
                          const char* value) {
  OpenSslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), /*loc=*/-1) != 1) {
    return OpenSslError(absl::StrCat("adding ", OBJ_nid2sn(nid)));
  }
  return absl::OkStatus();
}

// Built from parsed values rather than a "DNS:a,IP:b" string, so that no
// host text is ever read as openssl.cnf syntax.
absl::Status AddSubjectAltName(X509* cert, const std::vector<SanHost>& hosts) {
  OpenSslPtr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
  if (names == nullptr) return OpenSslError("sk_GENERAL_NAME_new_null");
  for (const SanHost& host : hosts) {
    OpenSslPtr<GENERAL_NAME> name(GENERAL_NAME_new());
    OpenSslPtr<ASN1_STRING> value(ASN1_STRING_type_new(
        host.type == GEN_IPADD ? V_ASN1_OCTET_STRING : V_ASN1_IA5STRING));
    if (name == nullptr || value == nullptr ||
        ASN1_STRING_set(value.get(), host.value.data(),
                        static_cast<int>(host.value.size())) != 1) {
      return OpenSslError("making a subjectAltName entry");
    }
    GENERAL_NAME_set0_value(name.get(), host.type, value.release());
    if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) {
      return OpenSslError("sk_GENERAL_NAME_push");
    }
    name.release();  // owned by `names` now
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), /*crit=*/0,
                        X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("adding subjectAltName");
  }
  return absl::OkStatus();
}

// Adds the key identifiers, then `extensions` (nid, openssl.cnf value), and
// signs `cert` as `issuer`, which is `cert` itself for a self-signed one.
absl::Status IssueCertificate(
    X509* cert, X509* issuer, EVP_PKEY* issuer_key,
    const std::vector<std::pair<int, const char*>>& extensions) {
  if (X509_set_issuer_name(cert, X509_get_subject_name(issuer)) != 1) {
    return OpenSslError("X509_set_issuer_name");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, /*req=*/nullptr, /*crl=*/nullptr,
                 /*flags=*/0);
  if (X509V3_set_issuer_pkey(&ctx, issuer_key) != 1) {
    return OpenSslError("X509V3_set_issuer_pkey");
  }
  // The subject key identifier comes first: a self-signed certificate's
  // authority key identifier is read from it. "always" keeps OpenSSL from
  // leaving the authority key identifier out of a self-signed certificate.
  CRADLE_RETURN_IF_ERROR(
      AddExtension(cert, &ctx, NID_subject_key_identifier, "hash"));
  CRADLE_RETURN_IF_ERROR(
      AddExtension(cert, &ctx, NID_authority_key_identifier, "keyid:always"));
  for (const auto& [nid, value] : extensions) {
    CRADLE_RETURN_IF_ERROR(AddExtension(cert, &ctx, nid, value));
  }
  if (X509_sign(cert, issuer_key, EVP_sha256()) == 0) {
    return OpenSslError("X509_sign");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return OpenSslError("BIO_get_mem_data");
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<std::string> CertificatePem(X509* cert) {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("PEM_write_bio_X509");
  }
  return BioContents(bio.get());
}

absl::StatusOr<std::string> PrivateKeyPem(EVP_PKEY* key) {
  OpenSslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, /*enc=*/nullptr,
                               /*kstr=*/nullptr, /*klen=*/0, /*cb=*/nullptr,
                               /*u=*/nullptr) != 1) {
    return OpenSslError("PEM_write_bio_PrivateKey");
  }
  return BioContents(bio.get());
}

}  // namespace

absl::StatusOr<DevCertificates> MakeDevCertificates(
    const DevCaOptions& options) {
  CRADLE_ASSIGN_OR_RETURN(const std::vector<SanHost> hosts,
                          ParseHosts(options.hosts));
  const absl::Time now = absl::Now();
  const absl::Time not_before = options.not_before == absl::InfinitePast()
                                    ? now - kDefaultBackdate
                                    : options.not_before;
  const absl::Time not_after = options.not_after == absl::InfiniteFuture()
                                   ? now + kDefaultLifetime
                                   : options.not_after;
  CRADLE_ASSIGN_OR_RETURN(const time_t start,
                          CertificateTime("not_before", not_before));
  CRADLE_ASSIGN_OR_RETURN(const time_t end,
                          CertificateTime("not_after", not_after));
  // Compared in whole seconds, as the certificates hold them.
  if (end <= start) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not_after ", FormatUtc(not_after),
        " is not at least a second after not_before ", FormatUtc(not_before)));
  }

  ERR_clear_error();  // so that errors reported below are ours
  CRADLE_ASSIGN_OR_RETURN(const OpenSslPtr<EVP_PKEY> ca_key, NewP256Key());
  CRADLE_ASSIGN_OR_RETURN(
      const OpenSslPtr<X509> ca,
      NewCertificate(kCaCommonName, ca_key.get(), start, end));
  // pathlen:0: the development CA signs servers, never another CA.
  CRADLE_RETURN_IF_ERROR(
      IssueCertificate(ca.get(), ca.get(), ca_key.get(),
                       {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                        {NID_key_usage, "critical,keyCertSign,cRLSign"}}));

  CRADLE_ASSIGN_OR_RETURN(const OpenSslPtr<EVP_PKEY> server_key, NewP256Key());
  CRADLE_ASSIGN_OR_RETURN(
      const OpenSslPtr<X509> server,
      NewCertificate(options.hosts[0], server_key.get(), start, end));
  CRADLE_RETURN_IF_ERROR(AddSubjectAltName(server.get(), hosts));
  // digitalSignature is all an ECDSA key needs for TLS (ECDHE key exchange).
  CRADLE_RETURN_IF_ERROR(
      IssueCertificate(server.get(), ca.get(), ca_key.get(),
                       {{NID_basic_constraints, "critical,CA:FALSE"},
                        {NID_key_usage, "critical,digitalSignature"},
                        {NID_ext_key_usage, "serverAuth"}}));

  DevCertificates certs;
  CRADLE_ASSIGN_OR_RETURN(certs.ca_cert_pem, CertificatePem(ca.get()));
  CRADLE_ASSIGN_OR_RETURN(certs.ca_key_pem, PrivateKeyPem(ca_key.get()));
  CRADLE_ASSIGN_OR_RETURN(certs.server_cert_pem, CertificatePem(server.get()));
  CRADLE_ASSIGN_OR_RETURN(certs.server_key_pem,
                          PrivateKeyPem(server_key.get()));
  return certs;
}

absl::Status WriteDevCertificates(const DevCertificates& certs,
                                  const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("dir is empty");
  struct File {
    std::string path;
    const std::string& contents;
    bool secret;
  };
  const File files[] = {
      {absl::StrCat(dir, "/ca.crt"), certs.ca_cert_pem, false},
      {absl::StrCat(dir, "/ca.key"), certs.ca_key_pem, true},
      {absl::StrCat(dir, "/server.crt"), certs.server_cert_pem, false},
      {absl::StrCat(dir, "/server.key"), certs.server_key_pem, true},
  };

  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::ErrnoToStatus(error.value(),
                               absl::StrCat("cannot create directory ", dir));
  }
  // All four are checked before any is written, so that a refusal leaves
  // the directory as it was. O_EXCL below still catches a file that appears
  // in between.
  for (const File& file : files) {
    struct stat st;
    if (lstat(file.path.c_str(), &st) == 0) {
      return absl::AlreadyExistsError(
          absl::StrCat(file.path,
                       " already exists; development certificates are never "
                       "overwritten: remove it to make new ones"));
    }
    if (errno != ENOENT) {
      return absl::ErrnoToStatus(errno,
                                 absl::StrCat("cannot stat ", file.path));
    }
  }
  for (size_t i = 0; i < std::size(files); ++i) {
    const File& file = files[i];
    absl::Status s =
        WriteNewFile(file.path, file.contents, file.secret ? 0600 : 0644);
    if (!s.ok()) {
      for (size_t j = 0; j < i; ++j) unlink(files[j].path.c_str());
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> CountPemCertificates(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return absl::InternalError("OpenSSL: BIO_new_mem_buf");
  int count = 0;
  for (;;) {
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    X509_free(cert);
    ++count;
  }
  // What stopped the loop: the end of the text, or something else in it.
  const unsigned long error = ERR_peek_last_error();
  const bool at_end = ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  BIO_free(bio);
  if (count == 0) {
    return absl::InvalidArgumentError(
        "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  if (!at_end) {
    return absl::InvalidArgumentError(absl::StrCat(
        "certificate ", count + 1, " in it is not a valid PEM certificate"));
  }
  return count;
}

}  // namespace cradle::security
