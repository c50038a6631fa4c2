#pragma once

// "host:port" addresses, as the servers' --listen flags take them.

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"

namespace cradle {

// Splits "host:port", "[v6]:port" or ":port" into its host (brackets
// dropped) and port; false when there is no port of 0..65535.
inline bool SplitHostPort(absl::string_view address, std::string* host,
                          int* port) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  }
  int p;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &p) || p < 0 || p > 65535) {
    return false;
  }
  *host = std::string(h);
  *port = p;
  return true;
}

// True when `listen` ("host:port") names a loopback host: 127.0.0.0/8, ::1
// or localhost.
inline bool IsLoopback(absl::string_view listen) {
  const size_t colon = listen.rfind(':');
  absl::string_view host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

}  // namespace cradle
