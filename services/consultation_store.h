#pragma once

// The cross-province procedure's writes and reads (docs/CONSULTATION.md):
// applications, the steps of the two bureaus and the applicant, and the
// provinces' white lists, each decided by the domain
// (domain/consultation.h) and appended through the one write pipeline.
// Knows nothing of gRPC.

#include <functional>
#include <string>

#include "absl/status/statusor.h"

#include "base/clock.h"
#include "cradle/v1/consultation.pb.h"
#include "domain/authz.h"
#include "domain/work_calendar.h"
#include "services/ledger_registry.h"
#include "services/sequences.h"
#include "services/write_pipeline.h"
#include "storage/ledger.h"

namespace cradle::services {

class ConsultationStore {
 public:
  template <typename Reply>
  using Done = std::function<void(absl::StatusOr<Reply>)>;

  // None is owned; all must outlive the store.
  ConsultationStore(storage::Ledger& ledger, const Clock& clock,
                    const domain::WorkCalendar& calendar);

  // Each on behalf of `who`, the authenticated caller. `done` runs once,
  // possibly on the ledger's writer thread; it must not block. Answers
  // carry the stage's deadline as of the answer.
  void Apply(const v1::ApplyForTransferRequest& request,
             const domain::Principal& who,
             Done<v1::ApplyForTransferResponse> done);
  void Act(const v1::ActOnConsultationRequest& request,
           const domain::Principal& who,
           Done<v1::ActOnConsultationResponse> done);
  void FileWhiteList(const v1::FileWhiteListRequest& request,
                     const domain::Principal& who,
                     Done<v1::FileWhiteListResponse> done);

  // Consultation `number` as `who` may read it, with its deadline.
  absl::StatusOr<v1::Consultation> Get(absl::string_view number,
                                       const domain::Principal& who) const;
  // A page of the consultations `request` asks for (ListConsultations).
  absl::StatusOr<v1::ListConsultationsResponse> List(
      const v1::ListConsultationsRequest& request,
      const domain::Principal& who) const;
  // White list `number`, read by the regulators of its two provinces.
  absl::StatusOr<v1::WhiteList> GetWhiteList(
      absl::string_view number, const domain::Principal& who) const;

  // Numbers are given from memory once read from the ledger; a node that
  // has just become the writer forgets them.
  void ForgetNumbers() { sequences_.Forget(); }

 private:
  // `c` with its deadline as of now.
  v1::Consultation WithDeadline(v1::Consultation c) const;
  // The consultation a first append wrote, for the answer to its retry.
  absl::StatusOr<v1::Consultation> Replayed(
      const storage::AppendResult& first) const;

  storage::Ledger& ledger_;
  const Clock& clock_;
  const domain::WorkCalendar& calendar_;
  LedgerRegistryReader reader_;
  Sequences sequences_;
  WritePipeline<v1::ApplyForTransferResponse> applications_;
  WritePipeline<v1::ActOnConsultationResponse> steps_;
  WritePipeline<v1::FileWhiteListResponse> white_lists_;
};

}  // namespace cradle::services
