#pragma once

// The fields a revision may change (RevisionTable, domain/revision.h): how
// a path names one, how its value reads and is set. Internal to the
// domain: revision.cc decides with these, and a replay applies a recorded
// revision with SetValue.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "cradle/v1/manifest.pb.h"
#include "domain/revision.h"

namespace cradle::domain {

// Every status but CANCELLED and VOIDED.
const std::vector<v1::ManifestStatus>& AnyOpenState();

// A path of the table: "lines[2].quantity_g" is row "lines[].quantity_g"
// at line 2.
struct Path {
  const RevisableField* row = nullptr;
  int line = -1;  // -1: not a line's field
};

// INVALID_ARGUMENT naming `field` when `path` is not a row of the table.
absl::StatusOr<Path> ParsePath(absl::string_view field, absl::string_view path);

inline bool IsRow(const Path& p, absl::string_view row) {
  return p.row->path == row;
}

// Sets `p` of `m` to `to` (the request's `field`); a change of receiver
// takes the new receiver's `division`. Only the value's form is checked
// here; what it means, by the decision.
absl::Status SetValue(absl::string_view field, const Path& p,
                      absl::string_view to, absl::string_view division,
                      v1::Manifest* m);

// "generator, carrier" for Touch bits; "-" for none.
std::string TouchNames(unsigned bits);
// "DRAFT, ISSUED", or "any but CANCELLED, VOIDED".
std::string StatusNames(const std::vector<v1::ManifestStatus>& states);

}  // namespace cradle::domain
