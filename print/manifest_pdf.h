#pragma once

// The printed manifest (危险废物转移联单): an A4 PDF with the legal form's
// three parts (the generator's, the carriers', the receivers'), the chain
// of ledger entries with their hashes, and the server's seal as a QR code
// that an officer checks offline (docs/CONTAINERS.md, "The printed
// manifest").

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"

#include "cradle/v1/audit.pb.h"
#include "cradle/v1/manifest.pb.h"

namespace cradle::print {

struct ManifestDocument {
  v1::Manifest manifest;
  std::map<std::string, std::string> names;  // USCC -> registered name
  std::vector<v1::LedgerEntry> chain;        // the manifest's entries
  v1::ManifestSeal seal;
  std::string seal_qr;  // the QR code's text (services::ManifestSealQr)
};

// Writes `doc` to a PDF at `path`, on as many A4 pages as it needs; the
// seal's QR code is on the first. Fails naming the file.
absl::Status WriteManifestPdf(const ManifestDocument& doc,
                              const std::string& path);

}  // namespace cradle::print
