#include "services/keys.h"

#include "absl/strings/match.h"
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
        Case{"20263304000001", StreamKind::kManifest, "20263304000001"}}) {
    absl::StatusOr<StreamName> name = ParseStream(c.stream);
    ASSERT_TRUE(name.ok()) << c.stream << ": " << name.status();
    EXPECT_EQ(name->kind, c.kind) << c.stream;
    EXPECT_EQ(name->id, c.id) << c.stream;
  }
  for (const char* bad : {"", "bench/load", "enterprise/", "x/y/z"}) {
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
  const std::string open = OpenFlagsCounter("3304", "TRANSIT_OVERDUE");
  EXPECT_EQ(OpenFlagsKind(open), "TRANSIT_OVERDUE");
  EXPECT_TRUE(absl::StartsWith(open, OpenFlagsInJurisdictionPrefix("33")));

  for (const std::string& k : {flow, closed, open}) {
    EXPECT_TRUE(IsIndexCounterKey(k)) << k;
    EXPECT_FALSE(IsStateCounterKey(k)) << k;
  }
  for (const std::string& k : {AcceptedCounter("91330402MA2B3C4D5X", 2026),
                               ApprovalUsedCounter("A-2026-1")}) {
    EXPECT_TRUE(IsStateCounterKey(k)) << k;
    EXPECT_FALSE(IsIndexCounterKey(k)) << k;
  }
  for (const std::string& k :
       {AllManifestsPrefix() + "20263304000001", EnterpriseState("x"),
        DueKey(absl::FromUnixSeconds(1), "20263304000001", "K", 0)}) {
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
  absl::StatusOr<DueKeyParts> p =
      ParseDueKey(DueKey(due, "20263304000001", "TRANSIT_OVERDUE", 2));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->due, due);
  EXPECT_EQ(p->number, "20263304000001");
  EXPECT_EQ(p->deadline, "20263304000001/TRANSIT_OVERDUE/2");
  EXPECT_THAT(ParseDueKey("due/xyz"), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace cradle::services::keys
