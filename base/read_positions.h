#pragma once

// Read-your-writes across a cluster's nodes (docs/CLUSTER.md, "Positions
// and read-your-writes"): the names a position travels under, as gRPC
// metadata and, through the gateway, as HTTP headers of the same name.

namespace cradle {

// Sent back with every answer of a node: the sequence of the last entry
// its ledger held when it answered. A write's answer thus names a position
// at or past the write.
inline constexpr char kSequenceTrailer[] = "cradle-sequence";

// Sent with a call that must see the ledger at least up to that position:
// it runs once the node holds it, or is refused UNAVAILABLE saying how far
// the node is.
inline constexpr char kMinSequenceHeader[] = "cradle-min-sequence";

}  // namespace cradle
