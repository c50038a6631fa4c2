#pragma once

// The OpenAPI 3.0 description of the gateway, made from the route table
// and the protos' descriptors (so it cannot drift from either): every
// route with its path and query parameters, its request body and its
// answer, and a schema for every message they reach in the proto3 JSON
// mapping. Served at GET /v1/openapi.json.

#include <string>

namespace cradle::gateway {

std::string OpenApiJson();

}  // namespace cradle::gateway
