#pragma once

// A request checked as bytes, before protobuf parses it. Protobuf refuses to
// parse a proto3 string that is not UTF-8, and gRPC then answers
// UNIMPLEMENTED with no message; a 10 KB plate made refusals that quote it
// too long for a gRPC trailer. This names the field instead.

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace cradle::services {

// No string field of a request is longer; each field's own rule is
// tighter (domain/), this only bounds what an error message may quote.
inline constexpr size_t kMaxRequestStringBytes = 1024;

// INVALID_ARGUMENT naming the first string field of `bytes`, a serialized
// `type`, that is not UTF-8 or is longer than kMaxRequestStringBytes (e.g.
// "lines[1].code is not UTF-8: byte 0xff at 3"), or the bytes when they are
// not a well-formed `type`.
absl::Status CheckRequestBytes(const google::protobuf::Descriptor& type,
                               absl::string_view bytes);

}  // namespace cradle::services
