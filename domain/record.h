#pragma once

// Between the API (cradle.v1) and the ledger's own events
// (cradle.ledger.v1, proto/cradle/ledger/v1/events.proto).
//
// A decision records a validated request as the ledger event that stands
// for it, and state shown through the API is made from recorded events. In
// version 1 each event is wire-compatible with the message it records (the
// compatibility test in tests/domain/record_test.cc holds every pair to it),
// so the two are transcribed by their bytes: fields are matched by number,
// and any field the target does not have, or the caller sent without the
// API knowing it, is dropped rather than recorded. When the API and the
// ledger part ways on a pair, its transcription becomes code here.

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

#include "cradle/ledger/v1/events.pb.h"

namespace cradle::domain {

// `from` as a `To`, field by field number; fields `To` lacks are dropped.
template <typename To>
To Transcribe(const google::protobuf::Message& from) {
  To to;
  // Cannot fail: `from` serialises to well-formed bytes, and every pair
  // transcribed is wire-compatible.
  to.ParseFromString(from.SerializeAsString());
  to.DiscardUnknownFields();
  return to;
}

}  // namespace cradle::domain
