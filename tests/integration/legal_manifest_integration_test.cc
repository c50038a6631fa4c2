// The whole legal form through a real in-process gRPC server over RocksDB:
// the carrier's permit and crew registered, a manifest with every party's
// part filled, each kept across a restart; a bad field refused by name with
// nothing written; a load that arrives other than declared flagged.

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "tests/integration/server_fixture.h"
#include "tests/testing/parties.h"

namespace cradle {
namespace {

using ::cradle::testing::kAdmin;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::WriteReply;
using ::testing::HasSubstr;

constexpr char kDriver[] = "330421198001011234";
constexpr char kEscort[] = "330421199002022345";

class LegalManifestIntegrationTest : public cradle::testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    v1::GrantTransportPermitRequest permit;
    permit.set_carrier(kCarrier);
    permit.mutable_permit()->set_number("浙交运管许可嘉字330421001号");
    permit.mutable_permit()->set_valid_until("2028-12-31");
    ASSERT_TRUE(GrantPermit(permit).ok());
    ASSERT_TRUE(
        RegisterCrew(Crew(kDriver, "张师傅", v1::CREW_ROLE_DRIVER)).ok());
    ASSERT_TRUE(
        RegisterCrew(Crew(kEscort, "李押运", v1::CREW_ROLE_ESCORT)).ok());
  }

  static v1::RegisterCrewMemberRequest Crew(const std::string& certificate,
                                            const std::string& name,
                                            v1::CrewRole role) {
    v1::RegisterCrewMemberRequest r;
    r.set_carrier(kCarrier);
    r.mutable_member()->set_certificate(certificate);
    r.mutable_member()->set_name(name);
    r.mutable_member()->add_roles(role);
    r.mutable_member()->set_valid_until("2029-06-30");
    return r;
  }

  grpc::Status GrantPermit(v1::GrantTransportPermitRequest r) {
    *r.mutable_meta() = Meta();
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::GrantTransportPermitResponse reply;
    return registry_->GrantTransportPermit(&ctx, r, &reply);
  }

  grpc::Status RegisterCrew(v1::RegisterCrewMemberRequest r) {
    *r.mutable_meta() = Meta();
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::RegisterCrewMemberResponse reply;
    return registry_->RegisterCrewMember(&ctx, r, &reply);
  }

  v1::PickupRequest FullPickup(const std::string& n) {
    v1::PickupRequest r;
    *r.mutable_meta() = Meta();
    r.set_number(n);
    r.set_carrier(kCarrier);
    r.set_vehicle(kCarrierPlate);
    v1::Transport* t = r.mutable_transport();
    t->set_driver_certificate(kDriver);
    t->set_escort_certificate(kEscort);
    t->set_waybill("YD3304212026112300017");
    t->set_origin("嘉兴市南湖区");
    t->add_via("G60 沪昆高速");
    t->set_destination("海宁市尖山新区");
    return r;
  }

  grpc::Status Write(v1::PickupRequest r, WriteReply* reply) {
    Sign(&r, kCarrier);
    grpc::ClientContext ctx;
    As(&ctx, kCarrier);
    return ServerFixture::Write(&ctx, r, reply);
  }
  grpc::Status Write(v1::ReceiveRequest r, WriteReply* reply) {
    Sign(&r, kReceiver);
    grpc::ClientContext ctx;
    As(&ctx, kReceiver);
    return ServerFixture::Write(&ctx, r, reply);
  }
  grpc::Status Write(v1::DisposeRequest r, WriteReply* reply) {
    Sign(&r, kReceiver);
    grpc::ClientContext ctx;
    As(&ctx, kReceiver);
    return ServerFixture::Write(&ctx, r, reply);
  }
};

TEST_F(LegalManifestIntegrationTest, EveryPartysFieldsAreRecordedAndKept) {
  v1::FilePlanResponse plan;
  ASSERT_TRUE(FilePlan(GeneratorPlan(), &plan).ok());
  ASSERT_EQ(plan.plan().number(), "330402-2026-0001");
  v1::OpenManifestRequest open = OpenRequest();
  v1::Dispatch* d = open.mutable_dispatch();
  d->set_contact("王经理");
  d->set_contact_mobile("13812345678");
  d->set_emergency_phone("0573-82345678");
  d->set_address("浙江省嘉兴市南湖区某路1号");
  d->set_planned_date("2026-11-25");
  d->set_plan_number("330402-2026-0001");
  open.mutable_lines(0)->set_form(v1::PHYSICAL_FORM_LIQUID);
  WriteReply r;
  ASSERT_TRUE(Open(open, &r).ok());
  const std::string n = r.manifest().number();

  grpc::Status s = Write(FullPickup(n), &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());

  v1::ReceiveRequest receive;
  *receive.mutable_meta() = Meta();
  receive.set_number(n);
  receive.set_receiver(kReceiver);
  *receive.add_lines() = Accept(1, 1000000);
  *receive.add_lines() = Accept(2, 250000);
  receive.mutable_lines(0)->set_form(v1::PHYSICAL_FORM_SEMI_SOLID);
  receive.mutable_lines(0)->set_packaging("铁桶");
  receive.set_licence("ZJ-0481");
  receive.set_received_by("赵收货");
  s = Write(receive, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // Arrived semi-solid, declared liquid: flagged for the generator and the
  // bureau at once.
  bool mismatch = false;
  for (const v1::Flag& f : r.manifest().flags()) {
    if (f.kind() != v1::FLAG_KIND_LOAD_MISMATCH) continue;
    mismatch = true;
    EXPECT_THAT(f.detail(), HasSubstr("form declared LIQUID"));
  }
  EXPECT_TRUE(mismatch);

  v1::DisposeRequest dispose;
  *dispose.mutable_meta() = Meta();
  dispose.set_number(n);
  dispose.set_receiver(kReceiver);
  *dispose.add_lines() = Dispose(1, 1000000);
  *dispose.add_lines() = Dispose(2, 250000);
  dispose.set_outcome("焚烧处置完毕");
  s = Write(dispose, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_CLOSED);

  const v1::Manifest before = Get(n);
  EXPECT_EQ(before.dispatch().plan_number(), "330402-2026-0001");
  EXPECT_EQ(before.legs(0).papers().operating_permit(),
            "浙交运管许可嘉字330421001号");
  EXPECT_EQ(before.legs(0).papers().vehicle_certificate(), "permit-1");
  EXPECT_EQ(before.legs(0).papers().driver(), "张师傅");
  EXPECT_EQ(before.legs(0).papers().escort(), "李押运");
  EXPECT_EQ(before.legs(0).transport().waybill(), "YD3304212026112300017");
  EXPECT_EQ(before.destinations(0).licence(), "ZJ-0481");
  EXPECT_EQ(before.destinations(0).received_by(), "赵收货");
  EXPECT_EQ(before.destinations(0).checks_size(), 1);
  EXPECT_EQ(before.destinations(0).outcome(), "焚烧处置完毕");

  Restart();
  const v1::Manifest after = Get(n);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(before, after))
      << before.DebugString() << after.DebugString();
}

TEST_F(LegalManifestIntegrationTest, BadFieldsAreRefusedByNameAndWriteNothing) {
  const uint64_t head = Head();
  v1::RegisterCrewMemberRequest crew = Crew("12", "某", v1::CREW_ROLE_DRIVER);
  grpc::Status s = RegisterCrew(crew);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("member.certificate"));

  v1::OpenManifestRequest open = OpenRequest();
  open.mutable_dispatch()->set_contact_mobile("12345");
  WriteReply r;
  s = Open(open, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("dispatch.contact_mobile"));
  EXPECT_EQ(Head(), head);

  const std::string n = OpenOne();
  const uint64_t opened = Head();
  v1::PickupRequest pickup = FullPickup(n);
  pickup.mutable_transport()->set_driver_certificate("330421197001019999");
  s = Write(pickup, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("transport.driver_certificate 330421197001019999 is "
                        "not registered crew"));
  EXPECT_EQ(Head(), opened);
  EXPECT_EQ(Get(n).status(), v1::MANIFEST_STATUS_ISSUED);
}

}  // namespace
}  // namespace cradle
