// CONTAINER_MISMATCH: the labelled containers scanned along the chain do
// not match the ones the manifest lists (HJ 1276-2022; docs/CONTAINERS.md).
// Raised at once by a scan of a container the manifest does not list (HIGH
// when another manifest lists it, MEDIUM otherwise), and by a hand-over
// that finds listed containers not scanned at its point (HIGH): the pickup
// (LOAD scans), a relay (RELAY scans; a scan there by another carrier than
// the one the load went to is conflicting custody, HIGH) and the receipt at
// the first destination (ARRIVAL scans). A manifest that lists no
// containers is judged only on what is scanned onto it. The subject of
// each flag is the stream version of the event that raised it, so that
// every scan and hand-over is judged once and on its own.

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "base/status_macros.h"
#include "domain/container.h"
#include "domain/flags/rules.h"

namespace cradle::domain {
namespace {

class ContainerMismatch final : public EventRule {
 public:
  v1::FlagKind kind() const override {
    return v1::FLAG_KIND_CONTAINER_MISMATCH;
  }

  absl::Status Evaluate(
      const EventContext& ctx,
      std::vector<ledger::v1::ManifestEvent>* out) const override {
    const std::vector<std::string> listed_v = ManifestContainers(ctx.after);
    const std::set<std::string> listed(listed_v.begin(), listed_v.end());
    for (size_t i = 0; i < ctx.events.size(); ++i) {
      const ledger::v1::ManifestEvent& e = ctx.events[i];
      const int subject = static_cast<int>(ctx.first_version + i);
      std::string detail;
      bool high = false;
      if (e.has_scanned()) {
        CRADLE_RETURN_IF_ERROR(
            NotListed(ctx, e.scanned(), listed, &detail, &high));
        LateConflict(ctx.after, e, &detail, &high);
        CompletedLate(ctx.after, e, listed, subject, out);
      } else if (!listed.empty()) {
        Handover(ctx, e, listed, &detail, &high);
      }
      if (!detail.empty()) {
        out->push_back(RaiseFlag(kind(),
                                 high ? v1::SEVERITY_HIGH : v1::SEVERITY_MEDIUM,
                                 subject, detail));
      }
    }
    return absl::OkStatus();
  }

 private:
  static absl::Status NotListed(const EventContext& ctx,
                                const ledger::v1::Scanned& scan,
                                const std::set<std::string>& listed,
                                std::string* detail, bool* high) {
    std::vector<std::string> found;
    for (const std::string& code : scan.containers()) {
      if (listed.count(code) != 0) continue;
      absl::StatusOr<std::string> other = ctx.facts.ManifestOfContainer(code);
      if (!other.ok()) return other.status();
      if (!other->empty() && *other != ctx.after.number()) {
        *high = true;
        found.push_back(absl::StrCat(code, " (on manifest ", *other, ")"));
      } else {
        found.push_back(absl::StrCat(code, " (on no manifest)"));
      }
    }
    if (!found.empty()) {
      *detail =
          absl::StrCat(ScanPointName(scan.point()), " scan by ", scan.by(),
                       " found containers manifest ", ctx.after.number(),
                       " does not list: ", absl::StrJoin(found, ", "));
    }
    return absl::OkStatus();
  }

  // A relay scan uploaded after the relay it belongs to (an offline
  // device), by another carrier than the one the load went to:
  // conflicting custody, raised as it arrives.
  static void LateConflict(const v1::Manifest& m,
                           const ledger::v1::ManifestEvent& e,
                           std::string* detail, bool* high) {
    const ledger::v1::Scanned& scan = e.scanned();
    if (scan.point() != ledger::v1::SCAN_POINT_RELAY) return;
    const int handover = e.handover();
    if (handover < 2 || handover > m.legs_size()) return;
    const std::string& to = m.legs(handover - 1).carrier();
    if (scan.by() == to) return;
    *high = true;
    absl::StrAppend(detail, detail->empty() ? "" : "; ", "relay scan by ",
                    scan.by(), " of ", absl::StrJoin(scan.containers(), ", "),
                    " for the hand-over to ", to,
                    ", which the load went to: conflicting custody");
  }

  // A scan uploaded after its hand-over was recorded (an offline device)
  // that completes it: the flag that found containers missing there is
  // cleared, unless it also names conflicting custody.
  static void CompletedLate(const v1::Manifest& m,
                            const ledger::v1::ManifestEvent& e,
                            const std::set<std::string>& listed, int version,
                            std::vector<ledger::v1::ManifestEvent>* out) {
    const v1::ScanPoint point = static_cast<v1::ScanPoint>(e.scanned().point());
    const int handover = e.handover();
    std::string to;
    if (point == v1::SCAN_POINT_LOAD && !m.legs().empty()) {
      to = m.legs(0).carrier();
    } else if (point == v1::SCAN_POINT_RELAY && handover >= 2 &&
               handover <= m.legs_size()) {
      to = m.legs(handover - 1).carrier();
    } else if (point == v1::SCAN_POINT_ARRIVAL && handover == 1 &&
               m.destinations_size() == 1 && m.destinations(0).received()) {
      to = m.destinations(0).receiver();
    }
    if (to.empty() || listed.empty()) return;
    const std::set<std::string> scanned =
        ScannedAt(m, point, handover, point == v1::SCAN_POINT_RELAY ? to : "");
    for (const std::string& code : listed) {
      if (scanned.count(code) == 0) return;
    }
    const std::string prefix =
        absl::StrCat(ScanPointName(point), " hand-over to ", to, ": ");
    for (const v1::Flag& f : m.flags()) {
      if (f.kind() != v1::FLAG_KIND_CONTAINER_MISMATCH ||
          (f.state() != v1::FLAG_STATE_OPEN &&
           f.state() != v1::FLAG_STATE_ACKED) ||
          !absl::StartsWith(f.detail(), prefix) ||
          absl::StrContains(f.detail(), "custody")) {
        continue;
      }
      ledger::v1::ManifestEvent cleared;
      cleared.mutable_flag_cleared()->set_id(f.id());
      cleared.mutable_flag_cleared()->set_reason(absl::StrCat(
          "the missing containers' scans arrived late (entry v", version, ")"));
      out->push_back(std::move(cleared));
    }
  }

  // A pickup, relay or first receipt: the listed containers not scanned
  // at its point, and at a relay the scans by another carrier.
  static void Handover(const EventContext& ctx,
                       const ledger::v1::ManifestEvent& e,
                       const std::set<std::string>& listed, std::string* detail,
                       bool* high) {
    const v1::Manifest& m = ctx.after;
    v1::ScanPoint point;
    int handover;
    std::string to;
    if (e.has_picked_up()) {
      point = v1::SCAN_POINT_LOAD;
      handover = 1;
      to = e.picked_up().carrier();
    } else if (e.has_relayed()) {
      point = v1::SCAN_POINT_RELAY;
      handover = m.legs_size();
      to = e.relayed().to_carrier();
    } else if (e.has_received() && m.destinations_size() == 1) {
      point = v1::SCAN_POINT_ARRIVAL;
      handover = 1;
      to = e.received().receiver();
    } else {
      return;
    }
    // At a relay only the carrier the load goes to takes custody; at the
    // other points any party entitled to scan there counts.
    const std::set<std::string> scanned =
        ScannedAt(m, point, handover, point == v1::SCAN_POINT_RELAY ? to : "");
    std::vector<std::string> missing;
    for (const std::string& code : listed) {
      if (scanned.count(code) == 0) missing.push_back(code);
    }
    std::vector<std::string> conflicting;
    if (point == v1::SCAN_POINT_RELAY) {
      for (const v1::ContainerScan& s : m.scans()) {
        if (s.point() == point && s.handover() == handover && s.by() != to) {
          conflicting.push_back(absl::StrCat(
              s.by(), " (", absl::StrJoin(s.containers(), ", "), ")"));
        }
      }
    }
    if (missing.empty() && conflicting.empty()) return;
    *high = true;
    *detail = absl::StrCat(ScanPointName(point), " hand-over to ", to);
    if (!missing.empty()) {
      absl::StrAppend(
          detail, ": ", missing.size(), " of ", listed.size(),
          " containers not scanned: ", absl::StrJoin(missing, ", "));
    }
    if (!conflicting.empty()) {
      absl::StrAppend(detail, "; also scanned into the custody of ",
                      absl::StrJoin(conflicting, ", "),
                      ", which the load did not go to");
    }
  }

  static std::string ScanPointName(int point) {
    switch (point) {
      case v1::SCAN_POINT_LOAD:
        return "load";
      case v1::SCAN_POINT_RELAY:
        return "relay";
      case v1::SCAN_POINT_ARRIVAL:
        return "arrival";
      default:
        return "scan";
    }
  }
};

}  // namespace

const EventRule& ContainerMismatchRule() {
  static const ContainerMismatch* rule = new ContainerMismatch;
  return *rule;
}

}  // namespace cradle::domain
