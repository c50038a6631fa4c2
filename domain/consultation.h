#pragma once

// The cross-province transfer procedure (跨省转移商请, 2021 办法 Art.
// 21-27; docs/CONSULTATION.md), run inside the system. A generator applies
// to its province's bureau; the bureau accepts the application or sends,
// once, a notice of everything missing; reviews it and writes to the
// receiving province's bureau, whose reply it then decides on. At every
// stage one party holds the consultation, with a limit in working days.
// Two provinces may agree a white list: what is on it the origin bureau
// decides alone, with no letter.
//
// A bureau is a regulator credential whose jurisdiction is the province
// (two digits); the applicant is the generator's own credential. Each
// Decide*() checks a step against the consultation as it stands and
// returns the event to append and the consultation after it.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/consultation.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/authz.h"
#include "domain/work_calendar.h"

namespace cradle::domain {

// Consultations of one pair of provinces in one year: the number's digits.
inline constexpr int kMaxConsultationSequence = 999999;
// A step's text: a notice, an opinion, reasons.
inline constexpr size_t kMaxConsultationText = 8000;
inline constexpr int kMaxWhiteListItems = 200;

// "3332-2026-000017": the `sequence`th application from province `origin`
// to province `destination` in `year`.
std::string FormatConsultationNumber(absl::string_view origin,
                                     absl::string_view destination, int year,
                                     int sequence);
struct ConsultationNumber {
  std::string origin;
  std::string destination;
  int year = 0;
  int sequence = 0;
};
// INVALID_ARGUMENT naming `field` when `text` is not one.
absl::StatusOr<ConsultationNumber> ParseConsultationNumber(
    absl::string_view field, absl::string_view text);

// The party that must act at `stage`: "regulator:<province>" for a bureau,
// the applicant's USCC, or empty once the consultation is over.
std::string HolderOf(const v1::Consultation& c);
// The stage's limit in working days (Art. 22-25); 0 for none.
int StageLimit(v1::ConsultationStage stage);
bool IsFinished(v1::ConsultationStage stage);
// "APPLIED", "REVIEW", ...; "ACCEPT", "SEND_LETTER", ...
std::string StageName(v1::ConsultationStage stage);
std::string ActionName(v1::ConsultationAction action);

struct ConsultationDecision {
  ledger::v1::ConsultationEvent event;
  v1::Consultation next;
};

// An application (Registry.ApplyForTransfer) by `who`, for `generator`
// (GENERATOR or COLLECTOR) to send to `receiver` (a RECEIVER of another
// province holding a licence on the period's first day), given `number`.
absl::StatusOr<ConsultationDecision> DecideApplyForTransfer(
    const v1::ApplyForTransferRequest& request, const domain::Principal& who,
    const v1::Enterprise& generator, const v1::Enterprise& receiver,
    absl::string_view number, absl::Time now);

// What a step may need besides the consultation.
struct ConsultationFacts {
  // The application's receiver, as registered now: an approval runs no
  // longer than its licence.
  const v1::Enterprise* receiver = nullptr;
  // The two provinces' white list for the year of `now`, if filed.
  const v1::WhiteList* white_list = nullptr;
};

// A step (Registry.ActOnConsultation) by `who` on `c`: the party that
// holds the stage (the applicant may withdraw at any stage before a
// decision), an action the stage allows, with the text it requires.
// PERMISSION_DENIED for a party that does not hold the stage;
// FAILED_PRECONDITION naming the stage for an action it does not allow.
absl::StatusOr<ConsultationDecision> DecideActOnConsultation(
    const v1::ActOnConsultationRequest& request, const domain::Principal& who,
    const v1::Consultation& c, const ConsultationFacts& facts, absl::Time now);

// `event` folded into `c`: how the stream's state is made, on a write and
// on replay.
void ApplyConsultationEvent(const ledger::v1::ConsultationEvent& event,
                            v1::Consultation* c);

// When the holder of `c`'s stage must have acted, read at `now`: the last
// working day of its limit (China time), and whether it has passed. A
// limit that runs into a year the calendar does not hold is undated.
v1::ConsultationDeadline DeadlineOf(const v1::Consultation& c,
                                    const WorkCalendar& calendar,
                                    absl::Time now);

// May `who` read `c`? Its applicant, its receiver, and regulators whose
// jurisdiction lies in either province. PERMISSION_DENIED otherwise.
absl::Status CheckConsultationReader(const domain::Principal& who,
                                     const v1::Consultation& c);

// "5150-2026": the white list of origin `origin` and destination
// `destination` for `year`.
std::string WhiteListNumber(absl::string_view origin,
                            absl::string_view destination, int year);

// Filing a white list (Registry.FileWhiteList) by `who`, the destination
// province's bureau: two different provinces, this year or next, items of
// the catalogue, each once. `existing` is the list already filed for the
// pair and year: this filing replaces it, one version more.
struct WhiteListDecision {
  ledger::v1::RegistryEvent event;
  v1::WhiteList next;
};
absl::StatusOr<WhiteListDecision> DecideFileWhiteList(
    const v1::FileWhiteListRequest& request, const domain::Principal& who,
    const v1::WhiteList* existing, absl::Time now);

// The list a white_list_filed event records.
v1::WhiteList FiledWhiteList(const ledger::v1::RegistryEvent& event);

// Whether `list` covers `application`: every code is listed (itself or its
// category) and the quantity is within each listed cap. FAILED_PRECONDITION
// naming what is not covered otherwise.
absl::Status CheckCoveredByWhiteList(const v1::TransferApplication& application,
                                     const v1::WhiteList& list);

}  // namespace cradle::domain
