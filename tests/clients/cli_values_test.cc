#include "clients/cli_values.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "clients/args.h"
#include "tests/testing/status_matchers.h"

namespace cradle::clients {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CliValuesTest, ParsesWasteSpecs) {
  absl::StatusOr<v1::WasteLine> l = ParseWasteSpec("900-249-08:1.25t:drum:10");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->code(), "900-249-08");
  EXPECT_EQ(l->quantity_g(), 1250000);
  EXPECT_EQ(l->packaging(), "drum");
  EXPECT_EQ(l->package_count(), 10);
  EXPECT_EQ(ParseWasteSpec("900-249-08:800kg")->quantity_g(), 800000);
  EXPECT_THAT(
      ParseWasteSpec("900-249-08"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--waste")));
  EXPECT_THAT(ParseWasteSpec("900-249-08:1t:drum"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseWasteSpec("900-249-08:1t:drum:-1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("count")));
  EXPECT_THAT(ParseWasteSpec("900-249-08:lots"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CliValuesTest, AppliesLineFieldsOfTheLegalForm) {
  v1::OpenManifestRequest r;
  r.add_lines()->set_code("900-249-08");
  r.add_lines()->set_code("900-041-49");
  for (const char* f :
       {"1:form=semi-solid", "1:purpose=UTILISE", "1:hazards=I,T",
        "1:dg-class=3", "1:un=UN1993", "2:name=含油抹布",
        "2:precautions=远离火源, 防止泄漏", "2:common-name=a=b"}) {
    EXPECT_TRUE(ApplyLineField(f, &r).ok()) << f;
  }
  EXPECT_EQ(r.lines(0).form(), v1::PHYSICAL_FORM_SEMI_SOLID);
  EXPECT_EQ(r.lines(0).purpose(), v1::TRANSFER_PURPOSE_UTILISE);
  EXPECT_THAT(r.lines(0).hazards(),
              ElementsAre(v1::HAZARD_CHARACTERISTIC_TOXICITY,
                          v1::HAZARD_CHARACTERISTIC_IGNITABILITY));
  EXPECT_EQ(r.lines(0).un_number(), "UN1993");
  EXPECT_EQ(r.lines(1).name(), "含油抹布");
  EXPECT_EQ(r.lines(1).precautions(), "远离火源, 防止泄漏");
  EXPECT_EQ(r.lines(1).common_name(), "a=b");
  for (const char* bad :
       {"form=liquid", "3:form=liquid", "0:form=liquid", "1:form=plasma",
        "1:purpose=sell", "1:hazards=X", "1:colour=red", "1=form:liquid"}) {
    EXPECT_THAT(
        ApplyLineField(bad, &r),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--line-field")))
        << bad;
  }
}

TEST(CliValuesTest, AppliesArrivalChecksToTheirReceiptLine) {
  v1::ReceiveRequest r;
  for (const char* l :
       {"1:accept:800kg", "1:reject:200kg:leaking", "2:accept:1t"}) {
    absl::StatusOr<v1::LineReceipt> line = ParseReceiptLine(l);
    ASSERT_TRUE(line.ok()) << line.status();
    *r.add_lines() = *line;
  }
  for (const char* c :
       {"1:form=semi-solid", "1:packaging=铁桶", "2:hazards=T,C"}) {
    EXPECT_TRUE(ApplyReceiptCheck(c, &r).ok()) << c;
  }
  // On the first receipt line of each line.
  EXPECT_EQ(r.lines(0).form(), v1::PHYSICAL_FORM_SEMI_SOLID);
  EXPECT_EQ(r.lines(0).packaging(), "铁桶");
  EXPECT_EQ(r.lines(1).form(), v1::PHYSICAL_FORM_UNSPECIFIED);
  EXPECT_THAT(r.lines(2).hazards(),
              ElementsAre(v1::HAZARD_CHARACTERISTIC_TOXICITY,
                          v1::HAZARD_CHARACTERISTIC_CORROSIVITY));
  for (const char* bad : {"3:form=liquid", "1:form=plasma", "1:name=x",
                          "1:hazards=Q", "form=liquid"}) {
    EXPECT_THAT(
        ApplyReceiptCheck(bad, &r),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--check")))
        << bad;
  }
}

TEST(CliValuesTest, ParsesBackfillTypesAndCrewRoles) {
  absl::StatusOr<v1::BackfillType> b = ParseBackfillType("cross-border");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*b, v1::BACKFILL_TYPE_CROSS_BORDER);
  EXPECT_THAT(
      ParseBackfillType("urgent"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--backfill")));
  EXPECT_THAT(ParseBackfillType("backfill_type_unspecified"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  absl::StatusOr<std::vector<v1::CrewRole>> roles =
      ParseCrewRoles("driver,Escort");
  ASSERT_TRUE(roles.ok()) << roles.status();
  EXPECT_THAT(*roles, ElementsAre(v1::CREW_ROLE_DRIVER, v1::CREW_ROLE_ESCORT));
  EXPECT_THAT(ParseCrewRoles("driver,pilot"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pilot")));
}

TEST(CliValuesTest, ParsesReceiptAndDisposalLines) {
  absl::StatusOr<v1::LineReceipt> r =
      ParseReceiptLine("2:reject:200kg:drums leaking: see photo");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->line(), 2);
  EXPECT_EQ(r->decision(), v1::LineReceipt::DECISION_REJECT);
  EXPECT_EQ(r->quantity_g(), 200000);
  EXPECT_EQ(r->reason(), "drums leaking: see photo");  // colons kept
  EXPECT_EQ(ParseReceiptLine("1:ACCEPT:1t")->decision(),
            v1::LineReceipt::DECISION_ACCEPT);
  EXPECT_THAT(ParseReceiptLine("0:accept:1t"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line")));
  EXPECT_THAT(ParseReceiptLine("1:keep:1t"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("keep")));
  absl::StatusOr<v1::LineDisposal> d = ParseDisposalLine("1:D10:1.5t");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->method(), "D10");
  EXPECT_EQ(d->quantity_g(), 1500000);
  EXPECT_THAT(ParseDisposalLine("1:D10"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CliValuesTest, ParsesPositionsRolesAndCapacity) {
  absl::StatusOr<v1::Position> p = ParsePosition("30.75,120.76");
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(p->lat(), 30.75);
  EXPECT_THAT(ParsePosition("30.75"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--at")));
  EXPECT_THAT(*ParseRoles("generator, receiver"),
              ElementsAre(v1::ROLE_GENERATOR, v1::ROLE_RECEIVER));
  EXPECT_THAT(
      ParseRoles("generator,driver"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("driver")));
  EXPECT_EQ(*ParseTonnesAsKg("--capacity-t", "5000"), 5000000);
  EXPECT_EQ(*ParseTonnesAsKg("--capacity-t", "12.5"), 12500);
  EXPECT_THAT(ParseTonnesAsKg("--capacity-t", "0.0001"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at most 3 decimals")));
}

// Out of range is said as such, quoting what was given, not "1e309t".
TEST(CliValuesTest, NumbersOutOfRangeAreSaidToBeOutOfRange) {
  EXPECT_THAT(ParseWasteSpec("900-249-08:1t:drum:99999999999"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("package count 99999999999 is more than "
                                 "2147483647")));
  EXPECT_THAT(ParseWasteSpec("900-249-08:1t:drum:ten"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"ten\" is not a whole number")));
  EXPECT_THAT(ParseAmountFen("9999999999999"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than the limit of 1000000000 CNY")));
  EXPECT_THAT(ParseAmountFen("1000000000.01"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than the limit")));
  EXPECT_EQ(*ParseAmountFen("1000000000"), 100000000000);
  EXPECT_THAT(ParseTonnesAsKg("--capacity-t", "1e309"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--capacity-t \"1e309\" is not a number of "
                                 "tonnes")));
  EXPECT_THAT(ParseTonnesAsKg("--quantity-t", "99999999999999999"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--quantity-t \"99999999999999999\" tonnes "
                                 "is more than the limit")));
  EXPECT_THAT(ParseReceiptLine("99999999999:accept:1t"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line number 99999999999 is more than 100")));
  EXPECT_THAT(ParsePosition("1e309,120"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is not LAT,LON")));
  EXPECT_THAT(ParsePosition("nan,120"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePosition("91,120"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("latitude \"91\" is outside -90..90")));
  EXPECT_THAT(ParseWholeNumber("--limit", "limit", "0", 1, 10),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--limit: limit 0 is less than 1")));
}

// A long value is quoted short: the message does not grow with it.
TEST(CliValuesTest, LongValuesAreQuotedShort) {
  const std::string plate(10 * 1024, 'x');
  absl::StatusOr<v1::WasteLine> l = ParseWasteSpec(plate);
  ASSERT_FALSE(l.ok());
  EXPECT_LT(l.status().message().size(), 200u);
  EXPECT_THAT(l.status().message(), HasSubstr("(10240 bytes)"));
}

TEST(CliValuesTest, ParsesAmountsExactlyInFen) {
  EXPECT_EQ(*ParseAmountFen("3800"), 380000);
  EXPECT_EQ(*ParseAmountFen("3800.5"), 380050);
  EXPECT_EQ(*ParseAmountFen("3800.05"), 380005);
  EXPECT_EQ(*ParseAmountFen("0.01"), 1);
  for (const char* bad :
       {"", "0", "0.00", "-5", "1.234", "1e3", "12,5", ".5", "5.", "abc"}) {
    EXPECT_THAT(
        ParseAmountFen(bad),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--amount")))
        << bad;
  }
}

TEST(CliValuesTest, ParsesStatusesAndFlagNames) {
  EXPECT_EQ(*ParseStatus("in_transit"), v1::MANIFEST_STATUS_IN_TRANSIT);
  EXPECT_THAT(ParseStatus("lost"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(*ParseFlagKind("cross_city"), v1::FLAG_KIND_CROSS_CITY);
  EXPECT_THAT(
      ParseFlagKind("late"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--kind")));
  EXPECT_EQ(*ParseFlagState("Resolved"), v1::FLAG_STATE_RESOLVED);
}

TEST(ArgsTest, ParsesRepeatedAndRequiredFlags) {
  const std::vector<FlagSpec> specs = {
      {"waste", "SPEC", "", /*repeated=*/true, /*required=*/true},
      {"json", "", ""},
      {"method", "CODE", ""}};
  absl::StatusOr<ParsedArgs> a =
      ParseArgs({"N1", "--waste", "a", "--waste=b", "--json"}, specs);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->positional, ElementsAre("N1"));
  EXPECT_THAT(a->GetAll("waste"), ElementsAre("a", "b"));
  EXPECT_TRUE(a->Has("json"));
  EXPECT_EQ(a->Get("method", "none"), "none");
  EXPECT_THAT(
      ParseArgs({"--json"}, specs),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--waste")));
  EXPECT_THAT(
      ParseArgs({"--waste", "a", "--colour", "red"}, specs),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--colour")));
  EXPECT_THAT(ParseArgs({"--waste", "a", "--method"}, specs),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs")));
  EXPECT_THAT(
      ParseArgs({"--waste", "a", "--method", "x", "--method", "y"}, specs),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  EXPECT_THAT(ParseArgs({"--waste", "a", "--json=1"}, specs),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ArgsTest, ValuesThatAreNotUtf8AreNamed) {
  const std::vector<FlagSpec> specs = {{"vehicle", "PLATE", ""}};
  EXPECT_THAT(ParseArgs({"--vehicle",
                         "\xe6\xb5"
                         "F1\xff"},
                        specs),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--vehicle: the value is not UTF-8 text "
                                 "(byte 0xe6 at 0)")));
  EXPECT_THAT(
      ParseArgs({"--vehicle=\xc0\x80"}, specs),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--vehicle")));
  EXPECT_THAT(ParseArgs({"2026\xff"}, specs),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("argument 1 is not UTF-8 text")));
  EXPECT_TRUE(ParseArgs({"--vehicle", "浙F12345"}, specs).ok());
}

TEST(TrackCsvTest, ReadsPointsInJtt808Units) {
  absl::StatusOr<std::vector<v1::TrackPoint>> points =
      ParseTrackCsv("t.csv",
                    "time,lat,lon,speed_kmh\n"
                    "# the depot\n"
                    "2026-12-03T09:00:00+08:00, 30.750001, 120.75, 0\n"
                    "\n"
                    "1796259630,30.74,120.751,62.4\n");
  ASSERT_TRUE(points.ok()) << points.status();
  ASSERT_EQ(points->size(), 2u);
  EXPECT_EQ((*points)[0].time(), 1796259600);
  EXPECT_EQ((*points)[0].lat_e6(), 30750001);
  EXPECT_EQ((*points)[0].lon_e6(), 120750000);
  EXPECT_EQ((*points)[0].speed_dkmh(), 0u);
  EXPECT_EQ((*points)[1].time(), 1796259630);
  EXPECT_EQ((*points)[1].speed_dkmh(), 624u);
}

TEST(TrackCsvTest, NamesTheFileAndLineOfABadPoint) {
  const std::pair<const char*, const char*> cases[] = {
      {"time,lat,lon,speed_kmh\n1796259630,30.7,120.7\n", "t.csv:2"},
      {"yesterday,30.7,120.7,10\n", "t.csv:1: time"},
      {"1796259630,95,120.7,10\n", "latitude"},
      {"1796259630,30.7,120.7,300\n", "t.csv:1: speed"},
      {"1796259630,30.7,east,10\n", "t.csv:1"},
      {"# nothing\n", "holds no points"},
  };
  for (const auto& [text, says] : cases) {
    EXPECT_THAT(ParseTrackCsv("t.csv", text),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(says)))
        << text;
  }
}

TEST(RouteTest, ReadsPositionsSeparatedBySemicolons) {
  absl::StatusOr<std::vector<v1::Position>> route =
      ParseRoute("30.75,120.75; 30.5,120.75;30.25,120.75");
  ASSERT_TRUE(route.ok()) << route.status();
  ASSERT_EQ(route->size(), 3u);
  EXPECT_DOUBLE_EQ((*route)[1].lat(), 30.5);
  EXPECT_THAT(ParseRoute("30.75,120.75"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("needs 2 or more")));
  EXPECT_THAT(ParseRoute("30.75,120.75;91,120"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--route \"91,120\": latitude")));
}

TEST(FlagKindTest, AnUnknownKindListsTheKindsAsTyped) {
  EXPECT_EQ(*ParseFlagKind("long_stop"), v1::FLAG_KIND_LONG_STOP);
  absl::StatusOr<v1::FlagKind> bad = ParseFlagKind(std::string(2000, 'x'));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              AllOf(HasSubstr("cross_city, "), HasSubstr(", stock_overdue)"),
                    ::testing::Not(HasSubstr("flag_kind_"))));
  EXPECT_LT(bad.status().message().size(), 700u);
}

}  // namespace
}  // namespace cradle::clients
