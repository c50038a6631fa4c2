// The legal form's fields at the step that owns each (2021 办法 Art. 10-13,
// 17, 18): the generator's dispatch details and packaging vocabulary, the
// carrier's permit, crew and route, the receiver's licence, signer,
// arrival checks and outcome. Each refusal names its field and changes
// nothing; each accepted field is recorded and replays.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/carrier_form.h"
#include "domain/legal_form.h"
#include "domain/lifecycle.h"
#include "domain/packaging.h"
#include "domain/registry.h"
#include "tests/testing/fake_registry.h"
#include "tests/testing/parties.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::At;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::MakeEnterprise;
using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kNumber[] = "20263304000001";
constexpr char kDriver[] = "330402198001011234";
constexpr char kEscort[] = "330402199002022345";
constexpr char kLicence[] = "3304000001";

v1::CrewMember Crew(const std::string& certificate, const std::string& name,
                    std::vector<v1::CrewRole> roles,
                    const std::string& valid_until = "2028-12-31") {
  v1::CrewMember m;
  m.set_certificate(certificate);
  m.set_name(name);
  for (v1::CrewRole r : roles) m.add_roles(r);
  m.set_valid_until(valid_until);
  return m;
}

class LegalManifestTest : public ::testing::Test {
 protected:
  LegalManifestTest() {
    registry_.Add(MakeEnterprise(kGenerator, "330402", v1::ROLE_GENERATOR));
    // The management plan FullOpen names.
    v1::ManagementPlan plan;
    plan.set_number("330402-2026-0017");
    plan.set_generator(kGenerator);
    plan.set_year(2026);
    registry_.AddPlan(plan);
    v1::Enterprise carrier =
        MakeEnterprise(kCarrier, "330421", v1::ROLE_TRANSPORTER);
    v1::Vehicle* v = carrier.add_vehicles();
    v->set_plate(kCarrierPlate);
    v->set_permit("浙交运管嘉字330421000123");
    carrier.mutable_transport_permit()->set_number(
        "浙交运管许可嘉字330400001号");
    carrier.mutable_transport_permit()->set_valid_until("2027-12-31");
    *carrier.add_crew() = Crew(kDriver, "张师傅", {v1::CREW_ROLE_DRIVER});
    *carrier.add_crew() = Crew(kEscort, "李押运", {v1::CREW_ROLE_ESCORT});
    registry_.Add(carrier);
    v1::Enterprise receiver =
        MakeEnterprise(kReceiver, "330481", v1::ROLE_RECEIVER);
    v1::Licence* l = receiver.add_licences();
    l->set_number(kLicence);
    l->add_codes("HW08");
    l->set_capacity_kg(10000000);
    l->set_valid_until("2027-06-30");
    v1::Licence* expired = receiver.add_licences();
    expired->set_number("3304000000");
    expired->add_codes("HW08");
    expired->set_capacity_kg(10000000);
    expired->set_valid_until("2026-01-31");
    registry_.Add(receiver);
  }

  static v1::WriteMeta Meta(const std::string& key) {
    v1::WriteMeta meta;
    meta.set_idempotency_key(key);
    return meta;
  }

  // Every field of the generator's part filled.
  static v1::OpenManifestRequest FullOpen() {
    v1::OpenManifestRequest r;
    *r.mutable_meta() = Meta("open");
    r.set_generator(kGenerator);
    r.set_carrier(kCarrier);
    r.set_receiver(kReceiver);
    v1::WasteLine* line = r.add_lines();
    line->set_code("900-249-08");
    line->set_quantity_g(1200000);
    line->set_packaging("铁桶");
    line->set_package_count(6);
    line->set_form(v1::PHYSICAL_FORM_LIQUID);
    v1::Dispatch* d = r.mutable_dispatch();
    d->set_contact("王经理");
    d->set_contact_mobile("138 1234 5678");
    d->set_emergency_phone("0573-82345678");
    d->set_address("浙江省嘉兴市南湖区某路1号");
    d->set_planned_date("2026-06-05");
    d->set_plan_number("330402-2026-0017");
    return r;
  }

  absl::StatusOr<Decision> Open(const v1::OpenManifestRequest& r) {
    return DecideOpen(r, registry_, kNumber, At(0));
  }

  v1::Manifest Opened() {
    absl::StatusOr<Decision> d = Open(FullOpen());
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? d->next : v1::Manifest();
  }

  static v1::PickupRequest FullPickup() {
    v1::PickupRequest r;
    *r.mutable_meta() = Meta("pickup");
    r.set_number(kNumber);
    r.set_carrier(kCarrier);
    r.set_vehicle(kCarrierPlate);
    v1::Transport* t = r.mutable_transport();
    t->set_driver_certificate(kDriver);
    t->set_escort_certificate(kEscort);
    t->set_waybill("YD3304212026060300017");
    t->set_origin("嘉兴市南湖区");
    t->add_via("G60 沪昆高速");
    t->add_via("海宁市");
    t->set_destination("海宁市尖山新区");
    return r;
  }

  v1::Manifest Delivered() {
    v1::Manifest m = Opened();
    absl::StatusOr<Decision> p =
        DecidePickup(m, FullPickup(), registry_, At(10));
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return m;
    v1::DeliverRequest deliver;
    *deliver.mutable_meta() = Meta("deliver");
    deliver.set_number(kNumber);
    deliver.set_receiver(kReceiver);
    absl::StatusOr<Decision> d =
        DecideDeliver(p->next, deliver, registry_, At(60));
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? d->next : p->next;
  }

  static v1::ReceiveRequest Receipt() {
    v1::ReceiveRequest r;
    *r.mutable_meta() = Meta("receive");
    r.set_number(kNumber);
    r.set_receiver(kReceiver);
    v1::LineReceipt* l = r.add_lines();
    l->set_line(1);
    l->set_decision(v1::LineReceipt::DECISION_ACCEPT);
    l->set_quantity_g(1200000);
    r.set_licence(kLicence);
    r.set_received_by("赵收货");
    return r;
  }

  // The refusal of `d`, whose field must be named.
  static void ExpectRefused(const absl::StatusOr<Decision>& d,
                            absl::StatusCode code, const std::string& field) {
    EXPECT_THAT(d, StatusIs(code, HasSubstr(field)));
  }

  ::cradle::testing::FakeRegistry registry_;
};

// Replaying the decided events gives the decided state: every field is
// recorded in the events, not only in the answer.
void ExpectReplays(const v1::Manifest& before, const Decision& d,
                   absl::Time at) {
  v1::Manifest folded = before;
  for (const ledger::v1::ManifestEvent& e : d.events) Apply(e, at, &folded);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(folded, d.next));
}

TEST_F(LegalManifestTest, TheGeneratorsDispatchDetailsAreRecorded) {
  absl::StatusOr<Decision> d = Open(FullOpen());
  ASSERT_TRUE(d.ok()) << d.status();
  v1::Manifest empty;
  empty.set_number(kNumber);
  ExpectReplays(empty, *d, At(0));
  const v1::Dispatch& got = d->next.dispatch();
  EXPECT_EQ(got.contact(), "王经理");
  EXPECT_EQ(got.contact_mobile(), "138 1234 5678");
  EXPECT_EQ(got.emergency_phone(), "0573-82345678");
  EXPECT_EQ(got.address(), "浙江省嘉兴市南湖区某路1号");
  EXPECT_EQ(got.planned_date(), "2026-06-05");
  EXPECT_EQ(got.plan_number(), "330402-2026-0017");
}

TEST_F(LegalManifestTest, EachBadDispatchFieldIsNamed) {
  struct Case {
    std::string field;
    void (*edit)(v1::Dispatch*);
  };
  const std::vector<Case> cases = {
      {"dispatch.contact_mobile",
       [](v1::Dispatch* d) { d->set_contact_mobile("0573-82345678"); }},
      {"dispatch.emergency_phone",
       [](v1::Dispatch* d) { d->set_emergency_phone("call 110"); }},
      {"dispatch.planned_date",
       [](v1::Dispatch* d) { d->set_planned_date("2026-6-5"); }},
      {"dispatch.planned_date",
       [](v1::Dispatch* d) { d->set_planned_date("2028-06-05"); }},
      {"dispatch.plan_number",
       [](v1::Dispatch* d) { d->set_plan_number("330402\n2026"); }},
      {"dispatch.plan_number",
       [](v1::Dispatch* d) { d->set_plan_number(std::string(65, '7')); }},
      {"dispatch.contact",
       [](v1::Dispatch* d) { d->set_contact(std::string(65, 'x')); }},
      {"dispatch.address",
       [](v1::Dispatch* d) { d->set_address(std::string(501, 'x')); }},
      {"dispatch.backfill",
       [](v1::Dispatch* d) { d->set_backfill(v1::BACKFILL_TYPE_EMERGENCY); }},
      {"dispatch.backfill",
       [](v1::Dispatch* d) {
         d->set_backfill(static_cast<v1::BackfillType>(9));
       }},
  };
  for (const Case& c : cases) {
    v1::OpenManifestRequest r = FullOpen();
    c.edit(r.mutable_dispatch());
    ExpectRefused(Open(r), absl::StatusCode::kInvalidArgument, c.field);
  }
}

TEST_F(LegalManifestTest, ABackfillTypeGoesWithAPaperDate) {
  v1::OpenManifestRequest r = FullOpen();
  r.set_paper_date("2026-06-01");
  r.mutable_dispatch()->set_backfill(v1::BACKFILL_TYPE_EMERGENCY);
  absl::StatusOr<Decision> d = Open(r);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.dispatch().backfill(), v1::BACKFILL_TYPE_EMERGENCY);
}

TEST_F(LegalManifestTest, PackagingIsAWordOfTheVocabulary) {
  for (const char* word :
       {"桶", "铁桶", "drum", "DRUM", "吨袋", "IBC", "散装"}) {
    v1::OpenManifestRequest r = FullOpen();
    r.mutable_lines(0)->set_packaging(word);
    EXPECT_TRUE(Open(r).ok()) << word;
  }
  v1::OpenManifestRequest r = FullOpen();
  r.mutable_lines(0)->set_packaging("a sturdy crate-ish thing");
  EXPECT_THAT(Open(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                AllOf(HasSubstr("lines[0].packaging"),
                                      HasSubstr("桶 (drum)"))));
  for (int count : {-1, kMaxPackages + 1}) {
    r = FullOpen();
    r.mutable_lines(0)->set_package_count(count);
    ExpectRefused(Open(r), absl::StatusCode::kInvalidArgument,
                  "lines[0].package_count");
  }
}

TEST(PackagingTest, WordsOfOneKindAgree) {
  absl::StatusOr<PackagingKind> iron = LookupPackaging("packaging", "铁桶");
  absl::StatusOr<PackagingKind> drum = LookupPackaging("packaging", "Drum");
  absl::StatusOr<PackagingKind> bag = LookupPackaging("packaging", "编织袋");
  ASSERT_TRUE(iron.ok() && drum.ok() && bag.ok());
  EXPECT_EQ(*iron, PackagingKind::kDrum);
  EXPECT_EQ(*iron, *drum);
  EXPECT_NE(*iron, *bag);
  EXPECT_THAT(LookupPackaging("lines[2].packaging", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("lines[2].packaging")));
}

// --- The carrier's part -----------------------------------------------------

TEST_F(LegalManifestTest, ALegRecordsItsCrewPermitsAndRoute) {
  const v1::Manifest m = Opened();
  absl::StatusOr<Decision> d = DecidePickup(m, FullPickup(), registry_, At(10));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectReplays(m, *d, At(10));
  ASSERT_EQ(d->next.legs_size(), 1);
  const v1::Leg& leg = d->next.legs(0);
  EXPECT_EQ(leg.papers().operating_permit(), "浙交运管许可嘉字330400001号");
  EXPECT_EQ(leg.papers().vehicle_certificate(), "浙交运管嘉字330421000123");
  EXPECT_EQ(leg.papers().driver(), "张师傅");
  EXPECT_EQ(leg.papers().escort(), "李押运");
  EXPECT_EQ(leg.transport().waybill(), "YD3304212026060300017");
  EXPECT_THAT(leg.transport().via(), ElementsAre("G60 沪昆高速", "海宁市"));
  EXPECT_EQ(leg.transport().destination(), "海宁市尖山新区");
}

TEST_F(LegalManifestTest, ALegNamesOnlyRegisteredCrewInTheirRole) {
  const v1::Manifest m = Opened();
  struct Case {
    absl::StatusCode code;
    std::string says;
    void (*edit)(v1::Transport*);
  };
  const std::vector<Case> cases = {
      {absl::StatusCode::kFailedPrecondition,
       "transport.driver_certificate 330402197001019999 is not registered crew",
       [](v1::Transport* t) {
         t->set_driver_certificate("330402197001019999");
       }},
      {absl::StatusCode::kFailedPrecondition,
       "transport.driver_certificate 330402199002022345 (李押运) is not "
       "registered as DRIVER",
       [](v1::Transport* t) { t->set_driver_certificate(kEscort); }},
      {absl::StatusCode::kInvalidArgument,
       "transport.escort_certificate 330402198001011234 is the driver's",
       [](v1::Transport* t) { t->set_escort_certificate(kDriver); }},
      {absl::StatusCode::kInvalidArgument, "transport.driver_certificate",
       [](v1::Transport* t) { t->set_driver_certificate("张-1"); }},
      {absl::StatusCode::kInvalidArgument, "transport.waybill",
       [](v1::Transport* t) { t->set_waybill("YD\t1"); }},
      {absl::StatusCode::kInvalidArgument, "transport.via lists 21 places",
       [](v1::Transport* t) {
         for (int i = 0; i < 19; ++i) t->add_via("某地");
       }},
      {absl::StatusCode::kInvalidArgument, "transport.via[1] is required",
       [](v1::Transport* t) { t->set_via(1, ""); }},
      {absl::StatusCode::kInvalidArgument, "transport.origin",
       [](v1::Transport* t) { t->set_origin(std::string(501, 'x')); }},
  };
  for (const Case& c : cases) {
    v1::PickupRequest r = FullPickup();
    c.edit(r.mutable_transport());
    EXPECT_THAT(DecidePickup(m, r, registry_, At(10)),
                StatusIs(c.code, HasSubstr(c.says)));
  }
}

TEST_F(LegalManifestTest, ExpiredCrewAndPermitsStopALeg) {
  const v1::Manifest m = Opened();
  absl::StatusOr<v1::Enterprise> carrier =
      registry_.GetEnterprise("carrier", kCarrier);
  ASSERT_TRUE(carrier.ok());
  v1::Enterprise expired_crew = *carrier;
  expired_crew.mutable_crew(0)->set_valid_until("2026-06-02");
  registry_.Add(expired_crew);
  EXPECT_THAT(DecidePickup(m, FullPickup(), registry_, At(10)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("transport.driver_certificate"),
                             HasSubstr("2026-06-02 has passed"))));
  v1::Enterprise expired_permit = *carrier;
  expired_permit.mutable_transport_permit()->set_valid_until("2026-05-31");
  registry_.Add(expired_permit);
  EXPECT_THAT(DecidePickup(m, FullPickup(), registry_, At(10)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("road transport operating permit")));
}

TEST_F(LegalManifestTest, ALegWithoutTheFormRecordsTheVehicleCertificate) {
  const v1::Manifest m = Opened();
  v1::PickupRequest r = FullPickup();
  r.clear_transport();
  absl::StatusOr<Decision> d = DecidePickup(m, r, registry_, At(10));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_FALSE(d->next.legs(0).has_transport());
  EXPECT_EQ(d->next.legs(0).papers().vehicle_certificate(),
            "浙交运管嘉字330421000123");
  EXPECT_EQ(d->next.legs(0).papers().driver(), "");
}

// --- The receiver's part ----------------------------------------------------

TEST_F(LegalManifestTest, AReceiptRecordsItsLicenceSignerAndChecks) {
  const v1::Manifest m = Delivered();
  v1::ReceiveRequest r = Receipt();
  r.mutable_lines(0)->set_form(v1::PHYSICAL_FORM_LIQUID);
  r.mutable_lines(0)->set_packaging("drum");
  absl::StatusOr<Decision> d = DecideReceive(m, r, registry_, At(70));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectReplays(m, *d, At(70));
  const v1::Destination& dest = d->next.destinations(0);
  EXPECT_EQ(dest.licence(), kLicence);
  EXPECT_EQ(dest.received_by(), "赵收货");
  ASSERT_EQ(dest.checks_size(), 1);
  EXPECT_EQ(dest.checks(0).form(), v1::PHYSICAL_FORM_LIQUID);
}

TEST_F(LegalManifestTest, TheReceiptLicenceMustBeTheReceiversValidAndCovering) {
  const v1::Manifest m = Delivered();
  v1::ReceiveRequest r = Receipt();
  r.set_licence("9999");
  EXPECT_THAT(DecideReceive(m, r, registry_, At(70)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("licence \"9999\" is not a licence of "
                                 "receiver")));
  r.set_licence("3304000000");  // ran out 2026-01-31
  EXPECT_THAT(DecideReceive(m, r, registry_, At(70)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("licence 3304000000"),
                             HasSubstr("does not cover 900-249-08"))));
  // A licence is not needed to reject.
  r.mutable_lines(0)->set_decision(v1::LineReceipt::DECISION_REJECT);
  r.mutable_lines(0)->set_reason("渗漏");
  EXPECT_TRUE(DecideReceive(m, r, registry_, At(70)).ok());
}

TEST_F(LegalManifestTest, EachBadReceiptFieldIsNamed) {
  const v1::Manifest m = Delivered();
  struct Case {
    std::string field;
    void (*edit)(v1::ReceiveRequest*);
  };
  const std::vector<Case> cases = {
      {"lines[0].form",
       [](v1::ReceiveRequest* r) {
         r->mutable_lines(0)->set_form(static_cast<v1::PhysicalForm>(7));
       }},
      {"lines[0].packaging",
       [](v1::ReceiveRequest* r) {
         r->mutable_lines(0)->set_packaging("shoebox");
       }},
      {"lines[0].hazards lists T twice",
       [](v1::ReceiveRequest* r) {
         r->mutable_lines(0)->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
         r->mutable_lines(0)->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
       }},
      {"lines[0].hazards holds 6, which is no hazard",
       [](v1::ReceiveRequest* r) {
         r->mutable_lines(0)->add_hazards(
             static_cast<v1::HazardCharacteristic>(6));
       }},
      {"received_by",
       [](v1::ReceiveRequest* r) { r->set_received_by(std::string(65, 'x')); }},
  };
  for (const Case& c : cases) {
    v1::ReceiveRequest r = Receipt();
    c.edit(&r);
    ExpectRefused(DecideReceive(m, r, registry_, At(70)),
                  absl::StatusCode::kInvalidArgument, c.field);
  }
}

TEST_F(LegalManifestTest, TheOutcomeGoesBackToTheGenerator) {
  const v1::Manifest delivered = Delivered();
  absl::StatusOr<Decision> received =
      DecideReceive(delivered, Receipt(), registry_, At(70));
  ASSERT_TRUE(received.ok()) << received.status();
  v1::DisposeRequest r;
  *r.mutable_meta() = Meta("dispose");
  r.set_number(kNumber);
  r.set_receiver(kReceiver);
  v1::LineDisposal* l = r.add_lines();
  l->set_line(1);
  l->set_method("R9");
  l->set_quantity_g(1200000);
  r.set_outcome(std::string(501, 'x'));
  ExpectRefused(DecideDispose(received->next, r, At(80)),
                absl::StatusCode::kInvalidArgument, "outcome");
  r.set_outcome("再生基础油 1.02 t，残渣焚烧");
  absl::StatusOr<Decision> d = DecideDispose(received->next, r, At(80));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectReplays(received->next, *d, At(80));
  EXPECT_EQ(d->next.destinations(0).outcome(), "再生基础油 1.02 t，残渣焚烧");
}

// --- The registry of carriers
// -------------------------------------------------

TEST_F(LegalManifestTest, ACarrierRegistersItsCrewAndRenewsThem) {
  absl::StatusOr<v1::Enterprise> carrier =
      registry_.GetEnterprise("carrier", kCarrier);
  ASSERT_TRUE(carrier.ok());
  v1::RegisterCrewMemberRequest r;
  r.set_carrier(kCarrier);
  *r.mutable_member() = Crew("330402198503033456", "孙师傅",
                             {v1::CREW_ROLE_DRIVER, v1::CREW_ROLE_ESCORT});
  absl::StatusOr<RegistryDecision> d =
      DecideRegisterCrewMember(*carrier, r, At(0));
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->next.crew_size(), 3);
  // Registered again: renewed in place, not added.
  *r.mutable_member() =
      Crew(kDriver, "张师傅", {v1::CREW_ROLE_DRIVER}, "2030-12-31");
  d = DecideRegisterCrewMember(*carrier, r, At(0));
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->next.crew_size(), 2);
  EXPECT_EQ(d->next.crew(0).valid_until(), "2030-12-31");
  v1::Enterprise replayed = *carrier;
  ApplyRegistryEvent(d->event, &replayed);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(replayed, d->next));
}

TEST_F(LegalManifestTest, EachBadCrewOrPermitFieldIsNamed) {
  absl::StatusOr<v1::Enterprise> carrier =
      registry_.GetEnterprise("carrier", kCarrier);
  ASSERT_TRUE(carrier.ok());
  struct Case {
    absl::StatusCode code;
    std::string field;
    v1::CrewMember member;
  };
  constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  const std::vector<Case> cases = {
      {kInvalid, "member.certificate",
       Crew("12", "某", {v1::CREW_ROLE_DRIVER})},
      {kInvalid, "member.name is required",
       Crew(kDriver, "", {v1::CREW_ROLE_DRIVER})},
      {kInvalid, "member.roles is required", Crew(kDriver, "某", {})},
      {kInvalid, "member.roles holds 5",
       Crew(kDriver, "某", {static_cast<v1::CrewRole>(5)})},
      {absl::StatusCode::kFailedPrecondition,
       "member.valid_until 2026-06-02 has passed",
       Crew(kDriver, "某", {v1::CREW_ROLE_DRIVER}, "2026-06-02")},
      {kInvalid, "member.valid_until",
       Crew(kDriver, "某", {v1::CREW_ROLE_DRIVER}, "soon")},
  };
  for (const Case& c : cases) {
    v1::RegisterCrewMemberRequest r;
    r.set_carrier(kCarrier);
    *r.mutable_member() = c.member;
    EXPECT_THAT(DecideRegisterCrewMember(*carrier, r, At(0)),
                StatusIs(c.code, HasSubstr(c.field)));
  }
  v1::GrantTransportPermitRequest p;
  p.set_carrier(kCarrier);
  p.mutable_permit()->set_number("   ");
  p.mutable_permit()->set_valid_until("2027-01-01");
  EXPECT_THAT(
      DecideGrantTransportPermit(*carrier, p, At(0)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("permit.number")));
  p.mutable_permit()->set_number("浙交运管许可嘉字330400002号");
  p.mutable_permit()->set_valid_until("2026-01-01");
  EXPECT_THAT(DecideGrantTransportPermit(*carrier, p, At(0)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("permit.valid_until")));
  p.mutable_permit()->set_valid_until("2028-01-01");
  absl::StatusOr<RegistryDecision> granted =
      DecideGrantTransportPermit(*carrier, p, At(0));
  ASSERT_TRUE(granted.ok()) << granted.status();
  EXPECT_EQ(granted->next.transport_permit().number(),
            "浙交运管许可嘉字330400002号");
  // Only carriers.
  absl::StatusOr<v1::Enterprise> receiver =
      registry_.GetEnterprise("receiver", kReceiver);
  ASSERT_TRUE(receiver.ok());
  EXPECT_THAT(DecideGrantTransportPermit(*receiver, p, At(0)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not registered as TRANSPORTER")));
}

}  // namespace
}  // namespace cradle::domain
