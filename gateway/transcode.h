#pragma once

// Between HTTP/JSON and the protobuf messages of the API: requests built
// from a route's path, query and body by the proto3 JSON mapping, answers
// written as JSON, and gRPC refusals as HTTP statuses with the message
// (which names the field) kept.

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

#include "gateway/routes.h"

namespace cradle::gateway {

// A request body larger than this is refused before it is parsed (the
// largest request, a track batch of 2,000 points, is ~200 KB as JSON).
inline constexpr size_t kMaxBodyBytes = 4 << 20;

// The request message for `match`'s method: a POST's body parsed as JSON
// (empty: an empty message), a GET's query parameters set field by field
// (`page_size=10`, `status=MANIFEST_STATUS_ISSUED`, a nested field as
// `a.b=...`, a repeated one by repeating it), then the path's fields. A
// path field and a body that disagree are refused. INVALID_ARGUMENT names
// the body, the parameter or the field.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildRequest(
    const google::protobuf::MethodDescriptor& method, const Match& match,
    absl::string_view body,
    const std::multimap<std::string, std::string>& query);

// `message` in the proto3 JSON mapping: lowerCamelCase names, enums by
// name, 64-bit integers and bytes (base64) as strings, and fields at their
// default written out, so that pages need not know the defaults.
std::string ToJson(const google::protobuf::Message& message);

// The HTTP status for a gRPC status code (the google.rpc.Code mapping:
// INVALID_ARGUMENT 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403,
// NOT_FOUND 404, ALREADY_EXISTS and ABORTED 409, RESOURCE_EXHAUSTED 429,
// UNAVAILABLE 503, ...).
int HttpStatus(int grpc_code);

// The body of a refusal:
//   {"error":{"code":400,"status":"INVALID_ARGUMENT","message":"..."}}
// `http_status` replaces HttpStatus(grpc_code) as the code when set (a
// 405 is the gateway's, with no gRPC code of its own).
std::string ErrorJson(int grpc_code, absl::string_view message,
                      int http_status = 0);

}  // namespace cradle::gateway
