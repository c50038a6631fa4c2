#pragma once

// A small StatusIs matcher until Debian's abseil ships
// absl/status/status_matchers.h.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace cradle::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER_P(StatusIs, code,
          std::string("has status code ") +
              absl::StatusCodeToString(static_cast<absl::StatusCode>(code))) {
  const absl::Status& s = ::cradle::testing::GetStatus(arg);
  *result_listener << "which is " << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has status code ") +
               absl::StatusCodeToString(static_cast<absl::StatusCode>(code))) {
  const absl::Status& s = ::cradle::testing::GetStatus(arg);
  *result_listener << "which is " << s.ToString();
  return s.code() == code &&
         ::testing::ExplainMatchResult(
             message_matcher, std::string(s.message()), result_listener);
}

}  // namespace cradle::testing
