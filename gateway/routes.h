#pragma once

// The HTTP routes of the JSON gateway (docs/WEB.md): one row per gRPC
// method offered over HTTP, in the style of google.api.http. The table is
// the one home of the HTTP API; the OpenAPI description is made from it and
// the protos, and a test holds it to every method of the services.
//
// A path template is literal segments and {field} segments, each naming a
// top-level string field of the request; the last segment may end in a
// custom verb (":pickup"). POST routes take the rest of the request as the
// JSON body; GET routes take it as query parameters.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace cradle::gateway {

struct Route {
  const char* verb;     // "GET" or "POST"
  const char* path;     // "/v1/manifests/{number}:pickup"
  const char* method;   // "cradle.v1.Transfers.Pickup"
  const char* summary;  // one line for the OpenAPI description
};

// Every route, in the order the OpenAPI description lists them.
const std::vector<Route>& Routes();

// Methods of the services that are deliberately not offered over HTTP,
// with the reason (Feed.Subscribe never ends; Node.Checkpoint is a node's
// binary copy).
const std::map<std::string, std::string>& NotOffered();

// The method a route names; null when it names none (a test checks that
// every row resolves).
const google::protobuf::MethodDescriptor* MethodOf(const Route& route);

struct Match {
  const Route* route = nullptr;
  // The path's {field} segments, decoded, by field name.
  std::map<std::string, std::string> fields;
};

// The route for `verb` and `path` (already percent-decoded); route null
// when none matches. `path_matched` tells a 405 from a 404: a route has
// this path under another verb.
Match FindRoute(absl::string_view verb, absl::string_view path,
                bool* path_matched = nullptr);

}  // namespace cradle::gateway
