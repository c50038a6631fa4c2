#pragma once

// Every RPC method of Cradle's services, from the generated descriptors: for
// tests that must reach every method (a new one is included by itself).

#include <vector>

#include "google/protobuf/descriptor.h"

namespace cradle::testing {

inline const char* const kServices[] = {
    "cradle.v1.Registry",  "cradle.v1.Credentials", "cradle.v1.Manifests",
    "cradle.v1.Transfers", "cradle.v1.Disposals",   "cradle.v1.Flags",
    "cradle.v1.Audit",     "cradle.v1.Feed"};

// Needs the generated code of the services linked in (cradle_proto).
inline std::vector<const google::protobuf::MethodDescriptor*> AllMethods() {
  std::vector<const google::protobuf::MethodDescriptor*> out;
  for (const char* service : kServices) {
    const google::protobuf::ServiceDescriptor* s =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            service);
    for (int i = 0; s != nullptr && i < s->method_count(); ++i) {
      out.push_back(s->method(i));
    }
  }
  return out;
}

}  // namespace cradle::testing
