#pragma once

// The rows of Audit.Export's CSV, one function per kind of export: each
// takes what the ledger holds and answers whole lines, fields quoted where
// they need it (RFC 4180).

#include <string>

#include "absl/strings/string_view.h"

#include "cradle/v1/manifest.pb.h"

namespace cradle::services {

// WHAT_MANIFESTS: one row per manifest, a summary.
extern const char kManifestHeader[];
std::string ManifestRow(const v1::Manifest& m);

// WHAT_FORMS: one row per waste line with every field of the legal form,
// the manifest's and its legs' and destinations' repeated on each of its
// lines (several legs or destinations joined with ';' in order).
extern const char kFormHeader[];
std::string FormRows(const v1::Manifest& m);

}  // namespace cradle::services
