// Management plans over a real server (docs/PLANS.md): filed by their
// generator and given a number, filed again under it, read by the generator
// and its regulators; manifests opened under a plan count against it, and a
// shipment off the plan raises PLAN_DEVIATION.

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "tests/integration/server_fixture.h"
#include "tests/testing/parties.h"

namespace cradle {
namespace {

using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::MakeUscc;
using ::cradle::testing::WriteReply;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kTonne = 1000 * 1000;

class PlanIntegrationTest : public cradle::testing::ServerFixture {
 protected:
  grpc::Status GetPlan(const std::string& who, const v1::GetPlanRequest& req,
                       v1::GetPlanResponse* out) {
    grpc::ClientContext ctx;
    As(&ctx, who);
    return registry_->GetPlan(&ctx, req, out);
  }
  v1::GetPlanResponse GetPlan(const std::string& number) {
    v1::GetPlanRequest req;
    req.set_number(number);
    v1::GetPlanResponse out;
    grpc::Status s = GetPlan(kGenerator, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  // Grams shipped under the plan of `code` to `receiver`; -1 for no row.
  int64_t Shipped(const std::string& number, const std::string& code,
                  const std::string& receiver) {
    const v1::GetPlanResponse plan = GetPlan(number);
    for (const v1::PlanProgress& p : plan.progress()) {
      if (p.code() == code && p.receiver() == receiver) return p.shipped_g();
    }
    return -1;
  }
  std::string FileGeneratorPlan() {
    v1::FilePlanResponse filed;
    grpc::Status s = FilePlan(GeneratorPlan(), &filed);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return filed.plan().number();
  }
  std::vector<v1::Flag> Deviations(const std::string& number) {
    std::vector<v1::Flag> out;
    const v1::Manifest m = Get(number);
    for (const v1::Flag& f : m.flags()) {
      if (f.kind() == v1::FLAG_KIND_PLAN_DEVIATION) out.push_back(f);
    }
    return out;
  }
};

TEST_F(PlanIntegrationTest, AFilingIsNumberedAndAFilingAgainKeepsTheNumber) {
  v1::FilePlanResponse first;
  ASSERT_TRUE(FilePlan(GeneratorPlan(), &first).ok());
  EXPECT_EQ(first.plan().number(), "330402-2026-0001");
  EXPECT_EQ(first.plan().version(), 1);
  EXPECT_EQ(first.plan().filed_at().seconds(),
            absl::ToUnixSeconds(clock_.Now()));
  EXPECT_GT(first.receipt().sequence(), 0u);

  // Read back by number, and by generator and year by its regulator.
  v1::GetPlanResponse got = GetPlan("330402-2026-0001");
  EXPECT_EQ(got.plan().SerializeAsString(), first.plan().SerializeAsString());
  ASSERT_THAT(got.progress(), SizeIs(2));
  EXPECT_EQ(got.progress(0).planned_g(), 10 * kTonne);
  EXPECT_EQ(got.progress(0).shipped_g(), 0);
  v1::GetPlanRequest by_year;
  by_year.set_generator(kGenerator);
  by_year.set_year(2026);
  v1::GetPlanResponse regulator;
  ASSERT_TRUE(GetPlan(Regulator("3304"), by_year, &regulator).ok());
  EXPECT_EQ(regulator.plan().number(), "330402-2026-0001");

  // Filed again, revised: the same number, one version more.
  v1::ManagementPlan revised = GeneratorPlan();
  revised.mutable_lines(0)->set_expected_g(12 * kTonne);
  revised.mutable_lines(0)->set_own_use_g(2 * kTonne);
  clock_.Advance(absl::Hours(1));
  v1::FilePlanResponse again;
  ASSERT_TRUE(FilePlan(revised, &again).ok());
  EXPECT_EQ(again.plan().number(), "330402-2026-0001");
  EXPECT_EQ(again.plan().version(), 2);
  EXPECT_EQ(GetPlan("330402-2026-0001").plan().lines(0).own_use_g(),
            2 * kTonne);

  // Another generator of the division is given the next number, and after
  // a restart the count goes on from the ledger.
  const std::string second = MakeUscc("330402", "3K4L5M6");
  Register(second, "嘉兴南湖第二化工", "330402", {v1::ROLE_GENERATOR});
  v1::ManagementPlan theirs = GeneratorPlan();
  theirs.set_generator(second);
  v1::FilePlanResponse filed;
  ASSERT_TRUE(FilePlan(theirs, &filed).ok());
  EXPECT_EQ(filed.plan().number(), "330402-2026-0002");
  Restart();
  const std::string third = MakeUscc("330402", "4N5P6Q7");
  Register(third, "嘉兴南湖第三化工", "330402", {v1::ROLE_GENERATOR});
  theirs.set_generator(third);
  theirs.set_year(2027);  // next year's, filed ahead: its own count
  ASSERT_TRUE(FilePlan(theirs, &filed).ok());
  EXPECT_EQ(filed.plan().number(), "330402-2027-0001");
  theirs.set_year(2026);
  ASSERT_TRUE(FilePlan(theirs, &filed).ok());
  EXPECT_EQ(filed.plan().number(), "330402-2026-0003");
  ExpectDeepVerifyPasses();
}

// Each refusal names its field and writes nothing.
TEST_F(PlanIntegrationTest, EachRefusalNamesItsFieldAndWritesNothing) {
  const uint64_t head = Head();
  struct Case {
    const char* named;
    void (*spoil)(v1::ManagementPlan*);
  };
  const Case cases[] = {
      {"plan.lines[0] does not balance",
       [](v1::ManagementPlan* p) {
         p->mutable_lines(0)->set_expected_g(11 * kTonne);
       }},
      {"plan.lines[1].transfers[0].receiver",
       [](v1::ManagementPlan* p) {
         p->mutable_lines(1)->mutable_transfers(0)->set_receiver(kCarrier);
       }},
      {"plan.year", [](v1::ManagementPlan* p) { p->set_year(2025); }},
      {"plan.tier", [](v1::ManagementPlan* p) { p->clear_tier(); }},
      {"plan.lines[0].code",
       [](v1::ManagementPlan* p) { p->mutable_lines(0)->set_code("900-249"); }},
      {"plan.number",
       [](v1::ManagementPlan* p) { p->set_number("330402-2026-0001"); }},
  };
  for (const Case& c : cases) {
    v1::ManagementPlan p = GeneratorPlan();
    c.spoil(&p);
    v1::FilePlanResponse out;
    grpc::Status s = FilePlan(p, &out);
    EXPECT_FALSE(s.ok()) << c.named;
    EXPECT_THAT(s.error_message(), HasSubstr(c.named));
  }
  // A plan is filed by its own generator only.
  v1::FilePlanRequest req;
  *req.mutable_meta() = Meta();
  *req.mutable_plan() = GeneratorPlan();
  for (const std::string& who : {kCarrier, kReceiver}) {
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::FilePlanResponse out;
    EXPECT_EQ(registry_->FilePlan(&ctx, req, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who;
  }
  const std::string other = MakeUscc("330402", "3K4L5M6");
  Register(other, "嘉兴南湖第二化工", "330402", {v1::ROLE_GENERATOR});
  const uint64_t after_register = Head();
  {
    grpc::ClientContext ctx;
    As(&ctx, other);
    v1::FilePlanResponse out;
    grpc::Status s = registry_->FilePlan(&ctx, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(s.error_message(), HasSubstr("plan.generator"));
  }
  EXPECT_EQ(Head(), after_register);
  EXPECT_GT(after_register, head);

  // Read by its generator and the regulators over it, and no one else.
  const std::string number = FileGeneratorPlan();
  v1::GetPlanRequest by_number;
  by_number.set_number(number);
  v1::GetPlanResponse got;
  for (const std::string& who : {other, kReceiver, Regulator("3301")}) {
    EXPECT_EQ(GetPlan(who, by_number, &got).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << who;
  }
  v1::GetPlanRequest bad;
  bad.set_number("330402-2026-1");
  grpc::Status s = GetPlan(kGenerator, bad, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("number"));
  s = GetPlan(kGenerator, v1::GetPlanRequest(), &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  bad.set_number("330402-2026-0009");
  EXPECT_EQ(GetPlan(kGenerator, bad, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// Manifests opened under the plan count against it; a receiver it does not
// plan for, or more than it plans, raises PLAN_DEVIATION; a cancelled
// manifest gives back what it counted. The counts replay from the ledger.
TEST_F(PlanIntegrationTest, ManifestsCountAgainstThePlanAndAreFlaggedOffIt) {
  const std::string plan = FileGeneratorPlan();
  const std::string oil = "900-249-08";

  v1::OpenManifestRequest open = OpenRequest();
  open.mutable_dispatch()->set_plan_number(plan);
  WriteReply within;
  ASSERT_TRUE(Open(open, &within).ok());
  EXPECT_THAT(Deviations(within.manifest().number()), IsEmpty());
  EXPECT_EQ(Shipped(plan, oil, kReceiver), kTonne);
  EXPECT_EQ(Shipped(plan, "900-041-49", kReceiver), 250 * 1000);

  // To Hangzhou, which the plan does not name.
  open.set_receiver(kAltReceiver);
  *open.mutable_meta() = Meta();
  WriteReply elsewhere;
  ASSERT_TRUE(Open(open, &elsewhere).ok());
  std::vector<v1::Flag> off = Deviations(elsewhere.manifest().number());
  ASSERT_THAT(off, SizeIs(1));
  EXPECT_THAT(off[0].detail(),
              AllOf(HasSubstr(kAltReceiver), HasSubstr("does not plan")));
  EXPECT_EQ(Shipped(plan, oil, kAltReceiver), kTonne);  // a row of its own

  // 9.5 t more of oil to Haining: 10.5 t of 10 t.
  open.set_receiver(kReceiver);
  *open.mutable_meta() = Meta();
  open.mutable_lines(0)->set_quantity_g(9500 * 1000);
  WriteReply over;
  ASSERT_TRUE(Open(open, &over).ok());
  off = Deviations(over.manifest().number());
  ASSERT_THAT(off, SizeIs(1));
  EXPECT_THAT(off[0].detail(),
              AllOf(HasSubstr("10.5t shipped"), HasSubstr("10t plan")));
  EXPECT_EQ(Shipped(plan, oil, kReceiver), 10500 * 1000);

  // The first manifest cancelled gives back its tonne.
  v1::CancelManifestRequest cancel;
  *cancel.mutable_meta() = Meta();
  cancel.set_number(within.manifest().number());
  cancel.set_generator(kGenerator);
  cancel.set_reason("开错了");
  {
    grpc::ClientContext ctx;
    As(&ctx, kGenerator);
    WriteReply cancelled;
    grpc::Status s = Write(&ctx, cancel, &cancelled);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_THAT(cancelled.manifest().plan_counts(), IsEmpty());
  }
  EXPECT_EQ(Shipped(plan, oil, kReceiver), 9500 * 1000);

  // A plan the manifest cannot name is refused, naming the field.
  const uint64_t head = Head();
  *open.mutable_meta() = Meta();
  open.mutable_dispatch()->set_plan_number("330402-2026-0002");
  WriteReply refused;
  grpc::Status s = Open(open, &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("dispatch.plan_number"));
  EXPECT_EQ(Head(), head);

  Restart();
  EXPECT_EQ(Shipped(plan, oil, kReceiver), 9500 * 1000);
  ExpectDeepVerifyPasses();
}

TEST_F(PlanIntegrationTest, TheDeclarationCountsWhatLeftStockInTheYear) {
  const std::string plan = FileGeneratorPlan();
  v1::OpenManifestRequest open = OpenRequest();
  open.mutable_dispatch()->set_plan_number(plan);
  WriteReply shipped;
  ASSERT_TRUE(Open(open, &shipped).ok());
  ASSERT_TRUE(
      Pickup(shipped.manifest().number(), kCarrier, kCarrierPlate, &shipped)
          .ok());
  // Opened, not yet picked up: it has not left.
  *open.mutable_meta() = Meta();
  WriteReply waiting;
  ASSERT_TRUE(Open(open, &waiting).ok());

  auto declare = [&](const std::string& who, int year,
                     v1::GetDeclarationResponse* out) {
    v1::GetDeclarationRequest req;
    req.set_generator(kGenerator);
    req.set_year(year);
    grpc::ClientContext ctx;
    As(&ctx, who);
    return registry_->GetDeclaration(&ctx, req, out);
  };
  v1::GetDeclarationResponse d;
  grpc::Status s = declare(kGenerator, 2026, &d);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(d.plan_number(), plan);
  ASSERT_THAT(d.lines(), SizeIs(2));
  const v1::DeclarationLine& oil = d.lines(1);  // 900-249-08
  EXPECT_EQ(oil.code(), "900-249-08");
  EXPECT_EQ(oil.shipped_g(), kTonne);
  EXPECT_EQ(oil.generated_g(), kTonne);
  EXPECT_EQ(oil.planned_g(), 10 * kTonne);
  ASSERT_THAT(oil.transfers(), SizeIs(1));
  EXPECT_EQ(oil.transfers(0).manifests(), 1);
  EXPECT_THAT(d.notes(), ::testing::Contains(HasSubstr("year is not over")));

  EXPECT_TRUE(declare(Regulator("3304"), 2026, &d).ok());
  EXPECT_EQ(declare(kCarrier, 2026, &d).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  s = declare(kGenerator, 2027, &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("year 2027"));
}

}  // namespace
}  // namespace cradle
