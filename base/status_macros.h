#pragma once

// The two macros Cradle uses to propagate absl::Status. Debian 12's abseil
// does not ship ABSL_RETURN_IF_ERROR / ABSL_ASSIGN_OR_RETURN.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CRADLE_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    const ::absl::Status cradle_status_ = (expr);    \
    if (!cradle_status_.ok()) return cradle_status_; \
  } while (false)

#define CRADLE_STATUS_CONCAT_INNER_(a, b) a##b
#define CRADLE_STATUS_CONCAT_(a, b) CRADLE_STATUS_CONCAT_INNER_(a, b)

// `lhs` may be a declaration: CRADLE_ASSIGN_OR_RETURN(auto x, MakeX());
#define CRADLE_ASSIGN_OR_RETURN(lhs, expr) \
  CRADLE_ASSIGN_OR_RETURN_IMPL_(           \
      CRADLE_STATUS_CONCAT_(cradle_statusor_, __LINE__), lhs, expr)

#define CRADLE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)
