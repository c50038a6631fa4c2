#pragma once

// A development certificate authority, so that a newcomer can run the gRPC
// server with real TLS on a laptop: one self-signed CA and one server
// certificate it signs. Clients trust ca.crt; the server presents server.crt
// and server.key. Not for production: the CA key is written beside the
// certificates and nothing revokes what it signs.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cradle::security {

struct DevCaOptions {
  // Names the server certificate is valid for: DNS names ("localhost",
  // "cradle.test") or IPv4/IPv6 literals ("127.0.0.1", "::1", no brackets).
  // hosts[0] is also the subject's common name, so at most 64 characters.
  std::vector<std::string> hosts = {"localhost", "127.0.0.1"};
  // Validity of both certificates. absl::InfinitePast() means an hour ago
  // (tolerates a client clock running behind); absl::InfiniteFuture() means
  // 825 days from now, the longest that Apple's TLS clients accept.
  absl::Time not_before = absl::InfinitePast();
  absl::Time not_after = absl::InfiniteFuture();
};

struct DevCertificates {
  std::string ca_cert_pem;      // self-signed CA certificate
  std::string ca_key_pem;       // its PKCS#8 private key, unencrypted
  std::string server_cert_pem;  // server certificate signed by the CA
  std::string server_key_pem;   // its PKCS#8 private key, unencrypted
};

// Makes a fresh CA and a server certificate it signs, each with its own
// ECDSA P-256 key, SHA-256 signatures, a 16-byte random positive serial and
// subject/authority key identifiers.
//   CA:     CN "Cradle development CA"; basicConstraints critical CA:TRUE,
//           pathlen:0; keyUsage critical keyCertSign, cRLSign.
//   Server: CN hosts[0]; subjectAltName with every host as a DNS name or an
//           IP address; basicConstraints critical CA:FALSE; keyUsage critical
//           digitalSignature; extendedKeyUsage serverAuth.
// INVALID_ARGUMENT naming the field for no hosts, an empty, malformed or
// repeated `hosts[i]`, a not_after less than a whole second after not_before
// (certificates hold seconds), and a time outside the years 0000 to 9999;
// INTERNAL with OpenSSL's error text if OpenSSL fails. Thread-safe.
absl::StatusOr<DevCertificates> MakeDevCertificates(
    const DevCaOptions& options);

// Writes ca.crt, ca.key, server.crt and server.key into `dir`, creating it
// and its parents when missing; the keys get mode 0600, the certificates
// 0644 less the umask. Never overwrites: ALREADY_EXISTS naming the file when
// any of the four exists, before anything is written. On a later failure the
// files this call created are removed, so it can be retried. Each file is
// fsync'd before the call returns OK.
absl::Status WriteDevCertificates(const DevCertificates& certs,
                                  const std::string& dir);

// How many X.509 certificates `pem` holds: INVALID_ARGUMENT when it holds
// none or something that is not one (a CA bundle a client is to trust).
absl::StatusOr<int> CountPemCertificates(const std::string& pem);

}  // namespace cradle::security
