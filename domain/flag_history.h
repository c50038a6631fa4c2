#pragma once

// A flag's life as the stream of its subject (a manifest, or a container
// for STOCK_OVERDUE) records it: raised by the server, acknowledged and
// resolved by a regulator, cleared by the server. One home for how each
// event changes the subject's flags and what a regulator's note needs.

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_ptr_field.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/flags.pb.h"

namespace cradle::domain {

using Flags = google::protobuf::RepeatedPtrField<v1::Flag>;

// Adds `raised` to `flags`, with its first note (by "cradle", at
// `recorded`).
void ApplyFlagRaised(const ledger::v1::Flag& raised, absl::Time recorded,
                     Flags* flags);

// Moves flag `id` of `flags` to `state`, noting who, why and when.
void ApplyFlagNote(absl::string_view id, v1::FlagState state,
                   absl::string_view by, absl::string_view note,
                   absl::Time recorded, Flags* flags);

// Whether `note` may move its flag, one of `flags`, to `to`: ACKED from
// OPEN, RESOLVED from OPEN or ACKED. NOT_FOUND for an id `flags` lacks;
// INVALID_ARGUMENT naming `note` or `by`; FAILED_PRECONDITION naming the
// flag's state.
absl::Status CheckFlagNote(const Flags& flags,
                           const ledger::v1::FlagNoted& note, v1::FlagState to);

// How many entries of the subject's stream `flags` were made from: one per
// note in their histories.
int FlagEntries(const Flags& flags);

}  // namespace cradle::domain
