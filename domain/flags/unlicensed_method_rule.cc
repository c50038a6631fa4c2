// UNLICENSED_METHOD: the receiver's licences that cover a line's waste do not
// allow the treatment method: the one intended when the manifest opens, or
// the one a disposal reports. The method itself is checked against the
// table of codes when it is given (lifecycle.cc); this is about the licence.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/status_macros.h"
#include "domain/flags/licence.h"
#include "domain/flags/rules.h"
#include "domain/treatment_method.h"
#include "domain/work_calendar.h"

namespace cradle::domain {
namespace {

class UnlicensedMethod final : public EventRule {
 public:
  v1::FlagKind kind() const override { return v1::FLAG_KIND_UNLICENSED_METHOD; }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    const absl::CivilDay today = absl::ToCivilDay(ctx.now, ChinaTime());
    for (const ledger::v1::ManifestEvent& e : ctx.events) {
      if (e.has_opened() && !e.opened().method().empty()) {
        const v1::Destination& d = ctx.after.destinations(0);
        std::vector<int> lines;
        for (int i = 0; i < ctx.after.lines_size(); ++i) lines.push_back(i);
        CRADLE_RETURN_IF_ERROR(Check(ctx, d.receiver(), 0, lines,
                                     e.opened().method(), "intended", today,
                                     out));
      }
      if (e.has_disposed()) {
        const ledger::v1::Disposed& r = e.disposed();
        int subject = -1;  // the receiver's last destination
        for (int i = 0; i < ctx.after.destinations_size(); ++i) {
          if (ctx.after.destinations(i).receiver() == r.receiver()) subject = i;
        }
        if (subject < 0) continue;
        for (const ledger::v1::LineDisposal& l : r.lines()) {
          if (l.line() < 1 || l.line() > ctx.after.lines_size()) continue;
          CRADLE_RETURN_IF_ERROR(Check(ctx, r.receiver(), subject,
                                       {l.line() - 1}, l.method(), "reported",
                                       today, out));
        }
      }
    }
    return absl::OkStatus();
  }

 private:
  // Raises the flag when the licences of `receiver` covering the waste of
  // `lines` today all leave `method` out.
  absl::Status Check(const EventContext& ctx, const std::string& receiver_id,
                     int subject, const std::vector<int>& lines,
                     const std::string& method, absl::string_view which,
                     absl::CivilDay today,
                     std::vector<ledger::v1::ManifestEvent>* out) const {
    CRADLE_ASSIGN_OR_RETURN(v1::Enterprise receiver,
                            ctx.facts.GetEnterprise("receiver", receiver_id));
    for (int i : lines) {
      const std::string& code = ctx.after.lines(i).code();
      std::vector<std::string> covering, allowing;
      for (const v1::Licence& l : receiver.licences()) {
        if (!LicenceCovers(l, code, today)) continue;
        covering.push_back(l.number());
        if (LicenceAllowsMethod(l, method)) allowing.push_back(l.number());
      }
      // No covering licence at all is UNLICENSED_RECEIVER's to raise.
      if (covering.empty() || !allowing.empty()) continue;
      out->push_back(RaiseFlag(
          kind(), v1::SEVERITY_HIGH, subject,
          absl::StrCat("the ", which, " method ", method, " for line ", i + 1,
                       " (", code, ") is not allowed by receiver ", receiver_id,
                       "'s licence ", absl::StrJoin(covering, ", "))));
      return absl::OkStatus();  // one flag per subject
    }
    return absl::OkStatus();
  }
};

}  // namespace

const EventRule& UnlicensedMethodRule() {
  static const UnlicensedMethod* rule = new UnlicensedMethod;
  return *rule;
}

}  // namespace cradle::domain
