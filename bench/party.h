#pragma once

// The caller the in-process benchmarks write as: an enterprise's party
// credential, as the Gate would have authenticated it.

#include <string>

#include "domain/authz.h"

namespace cradle::bench {

inline domain::Principal Party(const std::string& uscc) {
  domain::Principal who;
  who.credential = "bench";
  who.kind = v1::CREDENTIAL_KIND_PARTY;
  who.enterprise = uscc;
  return who;
}

}  // namespace cradle::bench
