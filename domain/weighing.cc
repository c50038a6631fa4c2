#include "domain/weighing.h"

#include <utility>

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"
#include "domain/container.h"
#include "domain/decision_checks.h"
#include "domain/names.h"
#include "domain/quantity.h"
#include "domain/record.h"

namespace cradle::domain {

absl::StatusOr<Decision> DecideWeigh(const v1::Manifest& m,
                                     const v1::WeighRequest& request,
                                     absl::Time now, absl::Duration window) {
  CRADLE_RETURN_IF_ERROR(CheckMeta(request.meta()));
  CRADLE_RETURN_IF_ERROR(
      CheckDeviceTime(request.meta(), now, window, "a weighbridge reading"));
  if (request.by().empty()) {
    return absl::InvalidArgumentError("by is required");
  }
  if (request.gross_g() <= 0 || request.gross_g() > kMaxWeighbridgeGrams) {
    return absl::InvalidArgumentError(
        absl::StrCat("gross_g ", request.gross_g(), " must be 1..",
                     kMaxWeighbridgeGrams, " (100 t)"));
  }
  if (request.tare_g() < 0 || request.tare_g() >= request.gross_g()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tare_g ", request.tare_g(),
        " must be 0 or more and less than gross_g ", request.gross_g(),
        ": the empty vehicle weighs less than the loaded"));
  }
  switch (m.status()) {
    case v1::MANIFEST_STATUS_DRAFT:
    case v1::MANIFEST_STATUS_CANCELLED:
    case v1::MANIFEST_STATUS_VOIDED:
    case v1::MANIFEST_STATUS_CLOSED:
      return absl::FailedPreconditionError(
          absl::StrCat("cannot weigh manifest ", m.number(), ": it is ",
                       ShortName(m.status())));
    default:
      break;
  }
  int destination = 0;  // 0-based
  switch (request.point()) {
    case v1::WEIGH_POINT_EXIT:
      if (request.by() != m.generator()) {
        return absl::PermissionDeniedError(
            absl::StrCat("by ", request.by(), " is not manifest ", m.number(),
                         "'s generator: the exit reading is the generator's"));
      }
      break;
    case v1::WEIGH_POINT_ENTRY:
      if (m.destinations().empty() ||
          m.destinations(m.destinations_size() - 1).receiver() !=
              request.by()) {
        return absl::PermissionDeniedError(
            absl::StrCat("by ", request.by(), " is not the receiver manifest ",
                         m.number(), " is addressed to"));
      }
      if (m.status() == v1::MANIFEST_STATUS_ISSUED) {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot weigh manifest ", m.number(),
                         " at entry: it has not been picked up"));
      }
      destination = m.destinations_size() - 1;
      break;
    default:
      return absl::InvalidArgumentError("point is required: EXIT or ENTRY");
  }
  if (const v1::Weighing* w = WeighingAt(m, request.point(), destination)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "manifest ", m.number(), " already has its ", ShortName(w->point()),
        " reading (", w->device(), ", net ", FormatGrams(w->net_g()),
        "): a wrong reading is corrected by a revision, not a second one"));
  }
  ledger::v1::ManifestEvent e;
  *e.mutable_weighed() = Transcribe<ledger::v1::Weighed>(request);
  e.set_handover(destination + 1);
  return Decide(m, {std::move(e)}, now);
}

const v1::Weighing* WeighingAt(const v1::Manifest& m, v1::WeighPoint point,
                               int destination) {
  for (const v1::Weighing& w : m.weighings()) {
    if (w.point() == point &&
        (point == v1::WEIGH_POINT_EXIT || w.destination() == destination + 1)) {
      return &w;
    }
  }
  return nullptr;
}

}  // namespace cradle::domain
