#pragma once

// Checks that more than one file of decisions makes (lifecycle.cc,
// revision.cc). Internal to the domain: callers outside it use the
// Decide*() functions.

#include <initializer_list>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/common.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/lifecycle.h"

namespace cradle::domain {

// FAILED_PRECONDITION naming the statuses `action` needs unless `m` is in
// one of them.
absl::Status CheckState(Action action, const v1::Manifest& m);

// The caller's position, person and device, where given.
absl::Status CheckMeta(const v1::WriteMeta& meta);

// meta.device and meta.device_time are given, the time not ahead of `now`
// by more than kDeviceClockSkew (domain/container.h) nor behind it by more
// than `window`; `what` ("a scan") names the write in the errors.
absl::Status CheckDeviceTime(const v1::WriteMeta& meta, absl::Time now,
                             absl::Duration window, absl::string_view what);

bool HasRole(const v1::Enterprise& e, std::initializer_list<v1::Role> roles);

// Looks `id` up (the request's `field`) and checks it holds one of `roles`.
absl::StatusOr<v1::Enterprise> RegisteredAs(
    const RegistryReader& registry, absl::string_view field,
    absl::string_view id, std::initializer_list<v1::Role> roles);

// `plate` (the request's `field`) is a registered vehicle of `carrier`.
absl::Status CheckVehicle(absl::string_view field, absl::string_view plate,
                          const v1::Enterprise& carrier);

// `events` folded into `current` at `now`.
Decision Decide(const v1::Manifest& current,
                std::vector<ledger::v1::ManifestEvent> events, absl::Time now);

}  // namespace cradle::domain
