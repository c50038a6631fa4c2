#pragma once

// A decision with the event rules run on it, as the write path runs them,
// checked the way the ledger will use it: its events replay to the manifest
// decided, one version each.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "cradle/v1/manifest.pb.h"
#include "domain/flags/engine.h"
#include "domain/flags/flag_config.h"
#include "domain/lifecycle.h"

namespace cradle::testing {

// Runs the event rules on `d`, made on `before` at `now`. A refused
// decision fails the test and leaves `before` as it was.
inline domain::Decision Flagged(const v1::Manifest& before,
                                absl::StatusOr<domain::Decision> d,
                                const domain::RegistryReader& registry,
                                const domain::FlagConfig& config,
                                absl::Time now) {
  if (!d.ok()) {
    ADD_FAILURE() << d.status();
    return domain::Decision{{}, before};
  }
  domain::Decision out = *std::move(d);
  const absl::Status s =
      domain::AddEventFlags(before, registry, config, now, &out);
  EXPECT_TRUE(s.ok()) << s;
  v1::Manifest folded = before;
  for (const ledger::v1::ManifestEvent& e : out.events) {
    domain::Apply(e, now, &folded);
  }
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(folded, out.next))
      << "folded:\n"
      << folded.DebugString() << "decided:\n"
      << out.next.DebugString();
  EXPECT_EQ(out.next.version(), before.version() + out.events.size());
  return out;
}

}  // namespace cradle::testing
