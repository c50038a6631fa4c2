#pragma once

// Signed tree heads: the server's Ed25519 signature over the size and root of
// the ledger's Merkle tree at a moment. A regulator keeps a head; later it
// checks any entry against it (inclusion) and any newer head against it
// (consistency), offline, with the server's public key.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace cradle::storage {

// The signed bytes: "CRADLE-STH-V1" || u64be size || u64be micros || root.
std::string TreeHeadMessage(uint64_t tree_size, absl::Time timestamp,
                            absl::string_view root);

}  // namespace cradle::storage
