#pragma once

// SHA-256 for the ledger's formats (the chain hash, the Merkle tree), the
// one place they hash. OpenSSL 3 looks a digest's implementation up in its
// provider registry on every EVP_sha256() use; this looks it up once and
// keeps a digest context per thread, which the checks, hashing every entry
// and node, would otherwise pay for each time.

#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

namespace cradle::storage {

// SHA-256 of the concatenation of `parts`, raw 32 bytes.
std::string Sha256(std::initializer_list<absl::string_view> parts);

}  // namespace cradle::storage
