#include "services/keys.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::services::keys {
namespace {

using ::cradle::testing::StatusIs;

TEST(KeysTest, StreamNamesParseBackToWhatMadeThem) {
  struct Case {
    std::string stream;
    StreamKind kind;
    std::string id;
  };
  for (const Case& c :
       {Case{EnterpriseStream("91330402MA2B3C4D5X"), StreamKind::kEnterprise,
             "91330402MA2B3C4D5X"},
        Case{ApprovalStream("A-2026-1"), StreamKind::kApproval, "A-2026-1"},
        Case{CredentialStream("8c594ae6"), StreamKind::kCredential, "8c594ae6"},
        Case{PlanStream("330402-2026-0001"), StreamKind::kPlan,
             "330402-2026-0001"},
        Case{"20263304000001", StreamKind::kManifest, "20263304000001"}}) {
    absl::StatusOr<StreamName> name = ParseStream(c.stream);
    ASSERT_TRUE(name.ok()) << c.stream << ": " << name.status();
    EXPECT_EQ(name->kind, c.kind) << c.stream;
    EXPECT_EQ(name->id, c.id) << c.stream;
  }
  for (const char* bad : {"", "bench/load", "enterprise/", "plan/", "x/y/z"}) {
    EXPECT_THAT(ParseStream(bad), StatusIs(absl::StatusCode::kDataLoss)) << bad;
  }
}

TEST(KeysTest, CountersParseBackAndAreTold) {
  const std::string flow = FlowCounter("202612", "3304", "3301", "HW08");
  absl::StatusOr<FlowKeyParts> p = ParseFlowCounter(flow);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->origin_city4, "3304");
  EXPECT_EQ(p->destination_city4, "3301");
  EXPECT_EQ(p->category, "HW08");
  EXPECT_THAT(ParseFlowCounter("flow/202612/3304"),
              StatusIs(absl::StatusCode::kDataLoss));

  const std::string closed = ClosedCounter("202612", "3304", kClosedOnTime);
  EXPECT_EQ(ClosedCounterWhich(closed), kClosedOnTime);
  EXPECT_TRUE(
      absl::StartsWith(closed, ClosedInJurisdictionPrefix("202612", "33")));
  const std::string open =
      OpenFlagsCounter("3304", v1::FLAG_KIND_TRANSIT_OVERDUE);
  EXPECT_EQ(OpenFlagsKind(open), "TRANSIT_OVERDUE");
  EXPECT_TRUE(absl::StartsWith(open, OpenFlagsInJurisdictionPrefix("33")));

  for (const std::string& k : {flow, closed, open}) {
    EXPECT_TRUE(IsIndexCounterKey(k)) << k;
    EXPECT_FALSE(IsStateCounterKey(k)) << k;
  }
  for (const std::string& k :
       {AcceptedCounter("91330402MA2B3C4D5X", 2026),
        ApprovalUsedCounter("A-2026-1"),
        PlanShippedCounter("330402-2026-0001", "900-249-08",
                           "91330481MA2B3C4D5E")}) {
    EXPECT_TRUE(IsStateCounterKey(k)) << k;
    EXPECT_FALSE(IsIndexCounterKey(k)) << k;
  }
  for (const std::string& k :
       {AllManifestsPrefix() + "20263304000001", EnterpriseState("x"),
        PlanState("330402-2026-0001"),
        DueKey(absl::FromUnixSeconds(1), "20263304000001",
               v1::FLAG_KIND_CROSS_CITY, 0)}) {
    EXPECT_FALSE(IsIndexCounterKey(k)) << k;
    EXPECT_FALSE(IsStateCounterKey(k)) << k;
  }
  EXPECT_EQ(TimelessCounterKey(flow), "flow/*/3304/3301/HW08");
  EXPECT_EQ(TimelessCounterKey(AcceptedCounter("R", 2026)), "used/R/*");
}

TEST(KeysTest, JurisdictionKeysSplitIntoDayAndNumber) {
  const std::string prefix = JurisdictionPrefix("3304");
  const std::string key = JurisdictionKey("3304", "20261201", "20263304000001");
  ASSERT_TRUE(absl::StartsWith(key, prefix));
  const JurisdictionRest rest =
      SplitJurisdictionRest(absl::string_view(key).substr(prefix.size()));
  EXPECT_EQ(rest.day, "20261201");
  EXPECT_EQ(rest.number, "20263304000001");
  EXPECT_TRUE(SplitJurisdictionRest("2026120").number.empty());
  EXPECT_TRUE(SplitJurisdictionRest("20261201X1").number.empty());
}

TEST(KeysTest, JurisdictionPrefixesStopInsideTheCode) {
  EXPECT_TRUE(absl::StartsWith(EnterprisesInDivisionPrefix("330402") + "E",
                               EnterprisesInJurisdictionPrefix("3304")));
  EXPECT_EQ(EnterpriseOfDivisionKey(EnterprisesInDivisionPrefix("330402") +
                                    "91330402MA2B3C4D5X"),
            "91330402MA2B3C4D5X");
}

TEST(KeysTest, DueKeysParseBack) {
  const absl::Time due = absl::FromUnixMicros(1764547200123456);
  absl::StatusOr<DueKeyParts> p = ParseDueKey(
      DueKey(due, "20263304000001", v1::FLAG_KIND_TRANSIT_OVERDUE, 2));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->due, due);
  EXPECT_EQ(p->number, "20263304000001");
  EXPECT_EQ(p->deadline, "20263304000001/TRANSIT_OVERDUE/2");
  EXPECT_THAT(ParseDueKey("due/xyz"), StatusIs(absl::StatusCode::kDataLoss));
}

// Keys spell enum values as version 1 wrote them, whatever the API calls
// them now; every value the API has must have a frozen spelling.
TEST(KeysTest, EnumValuesAreSpelledAsVersionOneWroteThem) {
  EXPECT_EQ(StatusPrefix(v1::MANIFEST_STATUS_ISSUED), "m/status/ISSUED/");
  EXPECT_EQ(StatusName(v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED),
            "PARTIALLY_ACCEPTED");
  EXPECT_EQ(FlagKindPrefix(v1::FLAG_KIND_CROSS_CITY), "f/kind/CROSS_CITY/");
  EXPECT_EQ(FlagStatePrefix(v1::FLAG_STATE_ACKED), "f/state/ACKED/");
  EXPECT_EQ(SeverityName(v1::SEVERITY_HIGH), "HIGH");
  EXPECT_EQ(FlagKindName(static_cast<v1::FlagKind>(99)), "99");

  auto all_named = [](const google::protobuf::EnumDescriptor* e, auto name_of) {
    for (int i = 0; i < e->value_count(); ++i) {
      const std::string name = name_of(e->value(i)->number());
      int digits;
      EXPECT_FALSE(absl::SimpleAtoi(name, &digits))
          << e->full_name() << " value " << e->value(i)->name()
          << " has no frozen spelling in services/keys.cc";
    }
  };
  all_named(v1::ManifestStatus_descriptor(), [](int n) {
    return StatusName(static_cast<v1::ManifestStatus>(n));
  });
  all_named(v1::FlagKind_descriptor(),
            [](int n) { return FlagKindName(static_cast<v1::FlagKind>(n)); });
  all_named(v1::FlagState_descriptor(),
            [](int n) { return FlagStateName(static_cast<v1::FlagState>(n)); });
  all_named(v1::Severity_descriptor(),
            [](int n) { return SeverityName(static_cast<v1::Severity>(n)); });
  for (int i = 1; i < v1::FlagKind_descriptor()->value_count(); ++i) {
    const auto kind = static_cast<v1::FlagKind>(
        v1::FlagKind_descriptor()->value(i)->number());
    v1::FlagKind parsed;
    ASSERT_TRUE(ParseFlagKindName(FlagKindName(kind), &parsed)) << kind;
    EXPECT_EQ(parsed, kind);
  }
  v1::FlagKind unknown;
  EXPECT_FALSE(ParseFlagKindName("NOT_A_KIND", &unknown));
}

}  // namespace
}  // namespace cradle::services::keys
