#pragma once

// The value formats of cradlectl's flags, parsed into API messages. Each
// error names the flag and shows the expected form.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "cradle/v1/common.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"

namespace cradle::clients {

// A whole number in min..max, e.g. --limit 50; the error names `flag` and
// `what` ("--limit: 99999999999 is more than 1000000").
absl::StatusOr<int64_t> ParseWholeNumber(absl::string_view flag,
                                         absl::string_view what,
                                         absl::string_view text, int64_t min,
                                         int64_t max);
// --waste CODE:QTY[:PACKAGING:COUNT], e.g. 900-249-08:1.25t:drum:10
absl::StatusOr<v1::WasteLine> ParseWasteSpec(absl::string_view text);
// --line-field N:KEY=VALUE (open): sets a field of the legal form on line N
// of `request` (1-based, a line --waste gave). KEY is name, common-name,
// hazards (T,C,I,R,In), form (solid, semi-solid, liquid, gas),
// constituents, precautions, purpose (utilise, dispose, store), dg-class
// or un.
absl::Status ApplyLineField(absl::string_view text,
                            v1::OpenManifestRequest* request);
// --check N:KEY=VALUE (receive): what arrived of line N, on the first
// receipt line --line gave for it. KEY is form, packaging or hazards.
absl::Status ApplyReceiptCheck(absl::string_view text,
                               v1::ReceiveRequest* request);
// --backfill ordinary | emergency | special | cross-border
absl::StatusOr<v1::BackfillType> ParseBackfillType(absl::string_view text);
// --roles driver,escort
absl::StatusOr<std::vector<v1::CrewRole>> ParseCrewRoles(
    absl::string_view text);
// --line N:accept|reject:QTY[:REASON] (receive)
absl::StatusOr<v1::LineReceipt> ParseReceiptLine(absl::string_view text);
// --line N:METHOD:QTY (dispose)
absl::StatusOr<v1::LineDisposal> ParseDisposalLine(absl::string_view text);
// --at LAT,LON
// "LAT,LON" in degrees; errors name `flag`.
absl::StatusOr<v1::Position> ParsePosition(absl::string_view text,
                                           absl::string_view flag = "--at");
// --route "LAT,LON;LAT,LON;...": 2 or more positions.
absl::StatusOr<std::vector<v1::Position>> ParseRoute(absl::string_view text);
// A track file (`name` in errors, with the line): one point per line,
// "time,lat,lon,speed_kmh", time in RFC 3339 or Unix seconds; an optional
// header line starting "time", blank lines and # comments skipped.
absl::StatusOr<std::vector<v1::TrackPoint>> ParseTrackCsv(
    absl::string_view name, absl::string_view text);
// --roles generator,collector,transporter,receiver
absl::StatusOr<std::vector<v1::Role>> ParseRoles(absl::string_view text);
// --capacity-t TONNES (or --quantity-t), whole kilograms: "5000", "12.5"
absl::StatusOr<int64_t> ParseTonnesAsKg(absl::string_view flag,
                                        absl::string_view text);
// --codes 900-249-08,HW49
std::vector<std::string> ParseList(absl::string_view text);
// --status in_transit | IN_TRANSIT
absl::StatusOr<v1::ManifestStatus> ParseStatus(absl::string_view text);
// --amount CNY: "3800", "3800.5", "3800.50" -> fen (0.01 CNY), exactly.
absl::StatusOr<int64_t> ParseAmountFen(absl::string_view text);
// --kind cross_city | CROSS_CITY
absl::StatusOr<v1::FlagKind> ParseFlagKind(absl::string_view text);
// --state open | acked | resolved | cleared
absl::StatusOr<v1::FlagState> ParseFlagState(absl::string_view text);
// A quantity in grams for people: "1.25t", "800kg".
std::string FormatQuantity(int64_t grams);

}  // namespace cradle::clients
