// MISSING_DISPOSAL: a receiver accepted waste and recorded no disposal of all
// of it within the disposal limit (--disposal-limit, default 30d): the grave
// is missing. Cleared when the last disposal record arrives.

#include "absl/strings/str_cat.h"

#include "base/time.h"
#include "domain/flags/rules.h"
#include "domain/quantity.h"

namespace cradle::domain {
namespace {

int64_t Undisposed(const v1::Destination& d) {
  int64_t left = 0;
  for (int i = 0; i < d.accepted_g_size() && i < d.disposed_g_size(); ++i) {
    left += d.accepted_g(i) - d.disposed_g(i);
  }
  return left;
}

class MissingDisposal final : public DeadlineRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_MISSING_DISPOSAL; }
  v1::Severity severity() const override { return v1::SEVERITY_HIGH; }

  std::vector<Pending> PendingDeadlines(
      const v1::Manifest& m, const FlagConfig& config) const override {
    std::vector<Pending> out;
    for (int i = 0; i < m.destinations_size(); ++i) {
      const v1::Destination& d = m.destinations(i);
      // A collector forwards what it accepted instead (docs/COLLECTION.md).
      if (!d.received() || d.returned_to_generator() || d.collected() ||
          Undisposed(d) <= 0 || !d.has_received_at()) {
        continue;
      }
      out.push_back(PendingAfter(i, FromTimestamp(d.received_at()),
                                 config.disposal, *config.calendar));
    }
    return out;
  }

  std::string Describe(const v1::Manifest& m, int subject,
                       const FlagConfig&) const override {
    const v1::Destination& d = m.destinations(subject);
    return absl::StrCat(d.receiver(),
                        " accepted waste and has not recorded "
                        "the disposal of ",
                        FormatGrams(Undisposed(d)),
                        " within the disposal limit");
  }
};

}  // namespace

const DeadlineRule& MissingDisposalRule() {
  static const MissingDisposal* rule = new MissingDisposal;
  return *rule;
}

}  // namespace cradle::domain
