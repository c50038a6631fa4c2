#include "services/sequences.h"

#include "absl/strings/str_cat.h"

#include "base/status_macros.h"

namespace cradle::services {

absl::StatusOr<int> Sequences::Next(const std::string& prefix, int max,
                                    const Parse& parse,
                                    absl::string_view what) {
  absl::MutexLock lock(&mu_);
  auto it = highest_.find(prefix);
  if (it == highest_.end()) {
    CRADLE_ASSIGN_OR_RETURN(absl::optional<std::string> last,
                            ledger_.LastIndexKey(prefix));
    int highest = 0;
    if (last.has_value()) {
      CRADLE_ASSIGN_OR_RETURN(highest, parse(*last));
    }
    it = highest_.emplace(prefix, highest).first;
  }
  if (it->second >= max) {
    return absl::ResourceExhaustedError(absl::StrCat("no ", what, " left"));
  }
  return ++it->second;
}

void Sequences::Forget() {
  absl::MutexLock lock(&mu_);
  highest_.clear();
}

}  // namespace cradle::services
