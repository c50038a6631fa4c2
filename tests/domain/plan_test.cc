#include "domain/plan.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "domain/work_calendar.h"
#include "tests/testing/fake_registry.h"
#include "tests/testing/parties.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::MakeEnterprise;
using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kOil[] = "900-249-08";
constexpr char kSludge[] = "336-064-17";
constexpr int64_t kTonne = 1000 * 1000;

class PlanTest : public ::testing::Test {
 protected:
  PlanTest() {
    registry_.Add(MakeEnterprise(kGenerator, "330402", v1::ROLE_GENERATOR));
    registry_.Add(MakeEnterprise(kCarrier, "330421", v1::ROLE_TRANSPORTER));
    registry_.Add(MakeEnterprise(kReceiver, "330481", v1::ROLE_RECEIVER));
    registry_.Add(MakeEnterprise(kAltReceiver, "330106", v1::ROLE_RECEIVER));
  }

  // 12 t of waste oil a year: 2 t burnt on site, 1 t in stock at the end,
  // 6 t to Haining and 3 t to Hangzhou.
  static v1::ManagementPlan Plan() {
    v1::ManagementPlan p;
    p.set_number("330402-2026-0017");
    p.set_generator(kGenerator);
    p.set_year(2026);
    p.set_tier(v1::GENERATOR_TIER_KEY);
    v1::PlanLine* l = p.add_lines();
    l->set_code(kOil);
    l->set_expected_g(12 * kTonne);
    l->set_own_use_g(2 * kTonne);
    l->set_stock_g(1 * kTonne);
    v1::PlannedTransfer* t = l->add_transfers();
    t->set_receiver(kReceiver);
    t->set_quantity_g(6 * kTonne);
    t->set_method("D10");
    t = l->add_transfers();
    t->set_receiver(kAltReceiver);
    t->set_quantity_g(3 * kTonne);
    return p;
  }

  static v1::Manifest Shipment(const std::string& receiver, int64_t grams,
                               const std::string& code = kOil) {
    v1::Manifest m;
    m.set_number("20263304000001");
    m.set_generator(kGenerator);
    m.set_receiver(receiver);
    *m.mutable_opened_at() = ToTimestamp(
        absl::FromCivil(absl::CivilSecond(2026, 6, 3, 9, 0, 0), ChinaTime()));
    v1::WasteLine* line = m.add_lines();
    line->set_code(code);
    line->set_quantity_g(grams);
    v1::Destination* d = m.add_destinations();
    d->set_receiver(receiver);
    d->add_sent_g(grams);
    return m;
  }

  absl::Status Check(const v1::ManagementPlan& p) {
    return CheckPlan(p, registry_, 2026);
  }

  testing::FakeRegistry registry_;
};

TEST_F(PlanTest, FilingNumbersReadBack) {
  EXPECT_EQ(FormatPlanNumber("330402", 2026, 17), "330402-2026-0017");
  absl::StatusOr<PlanNumber> n =
      ParsePlanNumber("dispatch.plan_number", "330402-2026-0017");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->division, "330402");
  EXPECT_EQ(n->year, 2026);
  EXPECT_EQ(n->sequence, 17);
  for (const char* bad :
       {"", "330402-2026-17", "33040-2026-00017", "330402/2026/0017",
        "330402-2026-0000", "33040X-2026-0017"}) {
    EXPECT_THAT(ParsePlanNumber("dispatch.plan_number", bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("dispatch.plan_number")))
        << bad;
  }
}

TEST_F(PlanTest, ABalancedPlanIsAccepted) {
  EXPECT_TRUE(Check(Plan()).ok()) << Check(Plan());
  // Next year's too, filed ahead; a registration-tier plan may list a code
  // with no destination yet.
  v1::ManagementPlan next = Plan();
  next.set_year(2027);
  next.set_tier(v1::GENERATOR_TIER_REGISTRATION);
  v1::PlanLine* l = next.add_lines();
  l->set_code(kSludge);
  l->set_expected_g(kTonne);
  // Unbalanced for a registration plan too: what it generates goes
  // somewhere.
  EXPECT_THAT(Check(next),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("plan.lines[1] does not balance")));
  l->set_stock_g(kTonne);
  EXPECT_TRUE(Check(next).ok()) << Check(next);
}

// Each bad field, refused naming it.
TEST_F(PlanTest, EachBadFieldIsRefusedNamingIt) {
  struct Case {
    const char* named;
    void (*spoil)(v1::ManagementPlan*);
  };
  const Case cases[] = {
      {"plan.generator",
       [](v1::ManagementPlan* p) { p->set_generator(kCarrier); }},
      {"plan.year", [](v1::ManagementPlan* p) { p->set_year(2025); }},
      {"plan.year", [](v1::ManagementPlan* p) { p->set_year(2028); }},
      {"plan.tier", [](v1::ManagementPlan* p) { p->clear_tier(); }},
      {"plan.lines", [](v1::ManagementPlan* p) { p->clear_lines(); }},
      {"plan.lines[0].code",
       [](v1::ManagementPlan* p) { p->mutable_lines(0)->set_code("900-249"); }},
      {"plan.lines[0].code",
       [](v1::ManagementPlan* p) {
         p->mutable_lines(0)->set_code("999-999-99");
       }},
      {"plan.lines[0].expected_g",
       [](v1::ManagementPlan* p) { p->mutable_lines(0)->set_expected_g(-1); }},
      {"plan.lines[0].own_use_g",
       [](v1::ManagementPlan* p) {
         p->mutable_lines(0)->set_own_use_g(kMaxPlanGrams + 1);
       }},
      {"plan.lines[0] does not balance",
       [](v1::ManagementPlan* p) { p->mutable_lines(0)->set_stock_g(0); }},
      {"plan.lines[0].transfers[1].receiver",
       [](v1::ManagementPlan* p) {
         p->mutable_lines(0)->mutable_transfers(1)->set_receiver(kCarrier);
       }},
      {"plan.lines[0].transfers[1].receiver",
       [](v1::ManagementPlan* p) {
         p->mutable_lines(0)->mutable_transfers(1)->set_receiver(kReceiver);
       }},
      {"plan.lines[0].transfers[0].quantity_g",
       [](v1::ManagementPlan* p) {
         p->mutable_lines(0)->mutable_transfers(0)->set_quantity_g(0);
       }},
      {"plan.lines[0].transfers[0].method",
       [](v1::ManagementPlan* p) {
         p->mutable_lines(0)->mutable_transfers(0)->set_method("Z9");
       }},
      {"plan.lines[1].code",
       [](v1::ManagementPlan* p) { *p->add_lines() = p->lines(0); }},
      {"plan.lines[0].transfers",
       [](v1::ManagementPlan* p) {
         v1::PlanLine* l = p->mutable_lines(0);
         l->clear_transfers();
         l->set_own_use_g(0);
         l->set_stock_g(0);
       }},
  };
  for (const Case& c : cases) {
    v1::ManagementPlan p = Plan();
    c.spoil(&p);
    const absl::Status s = Check(p);
    EXPECT_FALSE(s.ok()) << c.named;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.named)) << s;
  }
}

TEST_F(PlanTest, AShipmentWithinThePlanDeviatesFromNothing) {
  const PlanShipped before = ShipmentsOf(Shipment(kReceiver, 4 * kTonne));
  EXPECT_THAT(CompareWithPlan(
                  Plan(), ShipmentsOf(Shipment(kReceiver, 2 * kTonne)), before),
              IsEmpty());  // 6 t of 6 t
}

TEST_F(PlanTest, OverThePlanAnUnplannedReceiverOrCodeEachDeviate) {
  const PlanShipped before = ShipmentsOf(Shipment(kReceiver, 5 * kTonne));
  EXPECT_THAT(CompareWithPlan(
                  Plan(), ShipmentsOf(Shipment(kReceiver, 2 * kTonne)), before),
              ElementsAre(AllOf(
                  Field(&PlanDeviation::kind, PlanDeviation::kOverPlan),
                  Field(&PlanDeviation::receiver, kReceiver),
                  Field(&PlanDeviation::detail, AllOf(HasSubstr("7t shipped"),
                                                      HasSubstr("6t plan"))))));
  // Hangzhou's own 3 t are not Haining's.
  EXPECT_THAT(
      CompareWithPlan(Plan(), ShipmentsOf(Shipment(kAltReceiver, 3 * kTonne)),
                      before),
      IsEmpty());

  const std::string elsewhere = testing::MakeUscc("330106", "9Y9Y9Y9");
  EXPECT_THAT(
      CompareWithPlan(Plan(), ShipmentsOf(Shipment(elsewhere, kTonne)), {}),
      ElementsAre(
          AllOf(Field(&PlanDeviation::kind, PlanDeviation::kReceiverNotPlanned),
                Field(&PlanDeviation::receiver, elsewhere))));

  EXPECT_THAT(
      CompareWithPlan(Plan(), ShipmentsOf(Shipment(kReceiver, kTonne, kSludge)),
                      {}),
      ElementsAre(
          AllOf(Field(&PlanDeviation::kind, PlanDeviation::kCodeNotPlanned),
                Field(&PlanDeviation::code, kSludge),
                Field(&PlanDeviation::detail, HasSubstr(kSludge)))));
}

// Two lines of one code in one manifest count together; a cancelled or
// voided manifest ships nothing, nor does a load returned to its generator.
TEST_F(PlanTest, WhatAManifestShips) {
  v1::Manifest m = Shipment(kReceiver, 4 * kTonne);
  *m.add_lines() = m.lines(0);
  m.mutable_destinations(0)->add_sent_g(4 * kTonne);
  EXPECT_THAT(ShipmentsOf(m),
              ElementsAre(std::make_pair(
                  std::make_pair(std::string(kOil), std::string(kReceiver)),
                  8 * kTonne)));
  EXPECT_THAT(
      CompareWithPlan(Plan(), ShipmentsOf(m), {}),
      ElementsAre(Field(&PlanDeviation::kind, PlanDeviation::kOverPlan)));

  // A rejected half rerouted to Hangzhou: each receiver is sent its part.
  v1::Destination* rerouted = m.add_destinations();
  rerouted->set_receiver(kAltReceiver);
  rerouted->add_sent_g(kTonne);
  rerouted->add_sent_g(0);
  EXPECT_EQ(ShipmentsOf(m).at({kOil, kAltReceiver}), kTonne);
  rerouted->set_returned_to_generator(true);
  EXPECT_EQ(ShipmentsOf(m).count({kOil, kAltReceiver}), 0u);

  for (v1::ManifestStatus status :
       {v1::MANIFEST_STATUS_CANCELLED, v1::MANIFEST_STATUS_VOIDED}) {
    m.set_status(status);
    EXPECT_THAT(ShipmentsOf(m), IsEmpty()) << status;
  }
}

TEST_F(PlanTest, AManifestNamesOnlyItsGeneratorsPlanOfItsYear) {
  registry_.AddPlan(Plan());
  absl::StatusOr<v1::ManagementPlan> p = PlanFor(
      registry_, "dispatch.plan_number", "330402-2026-0017", kGenerator, 2026);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->number(), "330402-2026-0017");
  EXPECT_THAT(PlanFor(registry_, "dispatch.plan_number", "330402-2026-0018",
                      kGenerator, 2026),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("dispatch.plan_number 330402-2026-0018")));
  EXPECT_THAT(PlanFor(registry_, "dispatch.plan_number", "330402-2026-17",
                      kGenerator, 2026),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("dispatch.plan_number")));
  EXPECT_THAT(PlanFor(registry_, "dispatch.plan_number", "330402-2026-0017",
                      testing::MakeUscc("330402", "8Y8Y8Y8"), 2026),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not of the generator")));
  EXPECT_THAT(PlanFor(registry_, "dispatch.plan_number", "330402-2026-0017",
                      kGenerator, 2027),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the plan for 2026")));
}

// A back-filled manifest counts in its paper date's year.
TEST_F(PlanTest, ABackfillCountsInItsPapersYear) {
  v1::Manifest m = Shipment(kReceiver, kTonne);
  EXPECT_EQ(PlanYear(m), 2026);
  m.set_paper_date("2025-12-30");
  EXPECT_EQ(PlanYear(m), 2025);
}

class FilePlanTest : public PlanTest {
 protected:
  static v1::FilePlanRequest Request() {
    v1::FilePlanRequest r;
    r.mutable_meta()->set_idempotency_key("plan-1");
    *r.mutable_plan() = Plan();
    r.mutable_plan()->clear_number();
    return r;
  }
  const absl::Time now_ =
      absl::FromCivil(absl::CivilSecond(2026, 12, 3, 10, 0, 0), ChinaTime());
};

TEST_F(FilePlanTest, AFirstFilingIsGivenItsNumberAndARevisionKeepsIt) {
  absl::StatusOr<PlanDecision> first =
      DecideFilePlan(Request(), registry_, nullptr, "330402-2026-0003", now_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->next.number(), "330402-2026-0003");
  EXPECT_EQ(first->next.version(), 1);
  EXPECT_EQ(FromTimestamp(first->next.filed_at()), now_);
  ASSERT_TRUE(first->event.has_plan_filed());
  // The request is recorded as sent (its signature checks against it), and
  // what the server gave it beside it; the plan is made from the event.
  EXPECT_EQ(first->event.plan_filed().SerializeAsString(),
            Request().SerializeAsString());
  EXPECT_EQ(first->event.number(), "330402-2026-0003");
  EXPECT_EQ(first->event.version(), 1);
  EXPECT_EQ(FiledPlan(first->event).SerializeAsString(),
            first->next.SerializeAsString());

  v1::FilePlanRequest again = Request();
  again.mutable_plan()->mutable_lines(0)->set_stock_g(0);
  again.mutable_plan()->mutable_lines(0)->set_own_use_g(3 * kTonne);
  absl::StatusOr<PlanDecision> revised =
      DecideFilePlan(again, registry_, &first->next, "330402-2026-0009",
                     now_ + absl::Hours(1));
  ASSERT_TRUE(revised.ok()) << revised.status();
  EXPECT_EQ(revised->next.number(), "330402-2026-0003");
  EXPECT_EQ(revised->next.version(), 2);
  EXPECT_EQ(revised->next.lines(0).own_use_g(), 3 * kTonne);

  // Naming the number it has is fine; naming another is not.
  again.mutable_plan()->set_number("330402-2026-0003");
  EXPECT_TRUE(DecideFilePlan(again, registry_, &first->next, "", now_).ok());
  again.mutable_plan()->set_number("330402-2026-0004");
  EXPECT_THAT(
      DecideFilePlan(again, registry_, &first->next, "", now_),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("plan.number"), HasSubstr("330402-2026-0003"))));
}

TEST_F(FilePlanTest, AFirstFilingNamesNoNumberAndABadPlanIsRefused) {
  v1::FilePlanRequest r = Request();
  r.mutable_plan()->set_number("330402-2026-0017");
  EXPECT_THAT(
      DecideFilePlan(r, registry_, nullptr, "330402-2026-0001", now_),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("plan.number")));
  r = Request();
  r.mutable_plan()->mutable_lines(0)->set_stock_g(0);
  EXPECT_THAT(DecideFilePlan(r, registry_, nullptr, "330402-2026-0001", now_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("plan.lines[0] does not balance")));
  r = Request();
  r.mutable_meta()->mutable_position()->set_lat(91);
  EXPECT_THAT(DecideFilePlan(r, registry_, nullptr, "330402-2026-0001", now_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("meta.position.lat")));
}

}  // namespace
}  // namespace cradle::domain
