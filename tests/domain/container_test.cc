// Labelled containers (HJ 1276-2022): the code, the registration, the
// manifest lines that list containers, the scans and CONTAINER_MISMATCH.
// Each refusal names its field; each accepted event replays to the state
// decided.

#include "domain/container.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "cradle/v1/container.pb.h"
#include "domain/flags/engine.h"
#include "domain/lifecycle.h"
#include "tests/testing/fake_registry.h"
#include "tests/testing/flagged.h"
#include "tests/testing/parties.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::At;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::kRelayCarrier;
using ::cradle::testing::kRelayPlate;
using ::cradle::testing::kThirdCarrier;
using ::cradle::testing::MakeEnterprise;
using ::cradle::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kNumber[] = "20263304000001";
constexpr char kWaste[] = "900-249-08";

std::string Code(int seq, const std::string& unit = kGenerator,
                 const std::string& waste = kWaste) {
  return FormatContainerCode(unit, waste, absl::CivilDay(2026, 6, 2), seq);
}

TEST(ContainerCodeTest, ReadsTheFourSegments) {
  const std::string code = Code(7);
  EXPECT_EQ(code.size(), kContainerCodeLength);
  EXPECT_EQ(code, absl::StrCat(kGenerator, "90024908", "20260602", "007"));
  absl::StatusOr<ContainerCode> parts = ParseContainerCode("code", code);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(parts->unit, kGenerator);
  EXPECT_EQ(parts->waste_code, kWaste);
  EXPECT_EQ(parts->date, absl::CivilDay(2026, 6, 2));
  EXPECT_EQ(parts->sequence, 7);
}

TEST(ContainerCodeTest, RefusesEachBrokenSegmentNamingIt) {
  const std::string good = Code(1);
  struct Case {
    std::string code;
    std::string says;
  };
  std::string bad_check = good;
  bad_check[17] = bad_check[17] == '0' ? '1' : '0';
  std::string letter_in_waste = good;
  letter_in_waste[20] = 'A';
  const std::vector<Case> cases = {
      {good.substr(0, 36), "36 characters, not 37"},
      {good + "1", "38 characters"},
      {bad_check, "check character"},
      {letter_in_waste, "(the waste code) must be digits"},
      {absl::StrCat(kGenerator, "90024999", "20260602", "001"), "900-249-99"},
      {absl::StrCat(kGenerator, "90024908", "20260231", "001"), "are no date"},
      {absl::StrCat(kGenerator, "90024908", "2026-6-2", "001"), "YYYYMMDD"},
      {absl::StrCat(kGenerator, "90024908", "20260602", "000"), "001..999"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        ParseContainerCode("lines[0].containers[2]", c.code),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr("lines[0].containers[2]"), HasSubstr(c.says))))
        << c.code;
  }
}

class ContainerTest : public ::testing::Test {
 protected:
  ContainerTest() {
    registry_.Add(MakeEnterprise(kGenerator, "330402", v1::ROLE_GENERATOR));
    for (const auto& [id, plate] : {std::pair{kCarrier, kCarrierPlate},
                                    std::pair{kRelayCarrier, kRelayPlate}}) {
      v1::Enterprise carrier =
          MakeEnterprise(id, "330421", v1::ROLE_TRANSPORTER);
      carrier.add_vehicles()->set_plate(plate);
      registry_.Add(carrier);
    }
    registry_.Add(
        MakeEnterprise(kThirdCarrier, "330110", v1::ROLE_TRANSPORTER));
    v1::Enterprise receiver =
        MakeEnterprise(kReceiver, "330481", v1::ROLE_RECEIVER);
    v1::Licence* l = receiver.add_licences();
    l->set_number("3304000001");
    l->add_codes("HW08");
    l->set_capacity_kg(10000000);
    l->set_valid_until("2027-06-30");
    registry_.Add(receiver);
  }

  static v1::WriteMeta Meta(absl::Time device_time = At(0)) {
    v1::WriteMeta meta;
    meta.set_idempotency_key("k");
    meta.set_device("PDA-07");
    *meta.mutable_device_time() = ToTimestamp(device_time);
    return meta;
  }

  v1::RegisterContainerRequest Registration(const std::string& code,
                                            int64_t grams) const {
    v1::RegisterContainerRequest r;
    *r.mutable_meta() = Meta();
    r.mutable_container()->set_code(code);
    r.mutable_container()->set_generator(kGenerator);
    r.mutable_container()->set_weight_g(grams);
    r.mutable_container()->set_packaging("铁桶");
    return r;
  }

  // Registers three drums of 200, 210 and 190 kg.
  void RegisterDrums() {
    int seq = 1;
    for (int64_t kg : {200, 210, 190}) {
      absl::StatusOr<ContainerDecision> d = DecideRegisterContainer(
          Registration(Code(seq++), kg * 1000),
          *registry_.GetEnterprise("generator", kGenerator), nullptr, {},
          At(0));
      ASSERT_TRUE(d.ok()) << d.status();
      registry_.AddContainer(d->next);
    }
  }

  v1::OpenManifestRequest OpenRequest(std::vector<std::string> containers,
                                      int64_t quantity_g = 0) const {
    v1::OpenManifestRequest r;
    *r.mutable_meta() = Meta();
    r.set_generator(kGenerator);
    r.set_carrier(kCarrier);
    r.set_receiver(kReceiver);
    v1::WasteLine* line = r.add_lines();
    line->set_code(kWaste);
    line->set_quantity_g(quantity_g);
    for (const std::string& c : containers) line->add_containers(c);
    return r;
  }

  Decision Flagged(const v1::Manifest& before, absl::StatusOr<Decision> d,
                   absl::Time now) {
    return ::cradle::testing::Flagged(before, std::move(d), registry_, config_,
                                      now);
  }

  v1::Manifest OpenDrums() {
    RegisterDrums();
    v1::Manifest empty;
    empty.set_number(kNumber);
    return Flagged(empty,
                   DecideOpen(OpenRequest({Code(1), Code(2), Code(3)}),
                              registry_, kNumber, At(0)),
                   At(0))
        .next;
  }

  v1::ScanRequest ScanOf(const std::string& by, v1::ScanPoint point,
                         std::vector<std::string> codes,
                         absl::Time device_time = At(10)) const {
    v1::ScanRequest r;
    *r.mutable_meta() = Meta(device_time);
    r.set_number(kNumber);
    r.set_by(by);
    r.set_point(point);
    for (const std::string& c : codes) r.add_containers(c);
    return r;
  }

  Decision Scan(const v1::Manifest& m, const v1::ScanRequest& r,
                absl::Time now = At(10)) {
    return Flagged(m, DecideScan(m, r, registry_, now), now);
  }

  v1::Manifest Pickup(const v1::Manifest& m, absl::Time now = At(20)) {
    v1::PickupRequest r;
    *r.mutable_meta() = Meta(now);
    r.set_number(kNumber);
    r.set_carrier(kCarrier);
    r.set_vehicle(kCarrierPlate);
    return Flagged(m, DecidePickup(m, r, registry_, now), now).next;
  }

  static std::vector<const v1::Flag*> MismatchFlags(const v1::Manifest& m) {
    std::vector<const v1::Flag*> out;
    for (const v1::Flag& f : m.flags()) {
      if (f.kind() == v1::FLAG_KIND_CONTAINER_MISMATCH) out.push_back(&f);
    }
    return out;
  }

  testing::FakeRegistry registry_;
  FlagConfig config_;
};

TEST_F(ContainerTest, RegistrationFillsWhatTheCodeAndCatalogueGive) {
  v1::RegisterContainerRequest r = Registration(Code(1), 200000);
  absl::StatusOr<ContainerDecision> d = DecideRegisterContainer(
      r, *registry_.GetEnterprise("generator", kGenerator), nullptr, {}, At(0));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.waste_code(), kWaste);
  EXPECT_EQ(d->next.generation_date(), "2026-06-02");
  EXPECT_FALSE(d->next.name().empty());
  EXPECT_THAT(d->next.hazards(), SizeIs(2));  // 900-249-08: T, I
  // The registration is recorded as signed; the filled fields beside it.
  EXPECT_TRUE(d->event.registered().container().waste_code().empty());
  EXPECT_EQ(d->event.defaults().waste_code(), kWaste);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      ApplyContainerEvent(v1::Container(), d->event, At(5)), d->next));
}

TEST_F(ContainerTest, RegistrationRefusesEachBadFieldNamingIt) {
  const v1::Enterprise generator =
      *registry_.GetEnterprise("generator", kGenerator);
  struct Case {
    std::function<void(v1::ContainerLabel*)> change;
    absl::StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {[](v1::ContainerLabel* c) { c->set_code(Code(1, kCarrier)); },
       absl::StatusCode::kInvalidArgument, "names unit"},
      {[](v1::ContainerLabel* c) { c->set_waste_code("900-041-49"); },
       absl::StatusCode::kInvalidArgument, "container.waste_code"},
      {[](v1::ContainerLabel* c) { c->set_generation_date("2026-06-01"); },
       absl::StatusCode::kInvalidArgument, "container.generation_date"},
      {[](v1::ContainerLabel* c) {
         c->set_code(FormatContainerCode(kGenerator, kWaste,
                                         absl::CivilDay(2026, 6, 4), 1));
       },
       absl::StatusCode::kInvalidArgument, "not in the future"},
      {[](v1::ContainerLabel* c) { c->set_weight_g(0); },
       absl::StatusCode::kInvalidArgument, "container.weight_g"},
      {[](v1::ContainerLabel* c) { c->clear_packaging(); },
       absl::StatusCode::kInvalidArgument, "container.packaging"},
      {[](v1::ContainerLabel* c) { c->set_packaging("麻袋子"); },
       absl::StatusCode::kInvalidArgument, "container.packaging"},
      {[](v1::ContainerLabel* c) { c->clear_code(); },
       absl::StatusCode::kInvalidArgument, "container.code is required"},
  };
  for (const Case& c : cases) {
    v1::RegisterContainerRequest r = Registration(Code(1), 200000);
    c.change(r.mutable_container());
    EXPECT_THAT(DecideRegisterContainer(r, generator, nullptr, {}, At(0)),
                StatusIs(c.code, HasSubstr(c.says)))
        << r.container().DebugString();
  }
  v1::Container existing;
  EXPECT_THAT(DecideRegisterContainer(Registration(Code(1), 200000), generator,
                                      &existing, {}, At(0)),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("already registered")));
  EXPECT_THAT(DecideRegisterContainer(
                  Registration(Code(1), 200000),
                  MakeEnterprise(kGenerator, "330402", v1::ROLE_RECEIVER),
                  nullptr, {}, At(0)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not registered as a generator")));
}

TEST_F(ContainerTest, ALineOfContainersWeighsTheirSum) {
  const v1::Manifest m = OpenDrums();
  ASSERT_THAT(m.lines(), SizeIs(1));
  EXPECT_EQ(m.lines(0).quantity_g(), 600000);
  EXPECT_EQ(m.destinations(0).sent_g(0), 600000);
  EXPECT_THAT(m.lines(0).containers(), ElementsAre(Code(1), Code(2), Code(3)));
}

TEST_F(ContainerTest, ALineOfContainersRefusesAnotherWeightUnlessInBulk) {
  RegisterDrums();
  EXPECT_THAT(DecideOpen(OpenRequest({Code(1), Code(2)}, 400000), registry_,
                         kNumber, At(0)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("lines[0].quantity_g 400000"),
                             HasSubstr("410000"))));
  v1::OpenManifestRequest bulk = OpenRequest({Code(1), Code(2)}, 400000);
  bulk.mutable_lines(0)->set_weighed_in_bulk(true);
  absl::StatusOr<Decision> d = DecideOpen(bulk, registry_, kNumber, At(0));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.lines(0).quantity_g(), 400000);
  // The sum, given, is accepted as it is.
  EXPECT_TRUE(DecideOpen(OpenRequest({Code(1), Code(2)}, 410000), registry_,
                         kNumber, At(0))
                  .ok());
}

TEST_F(ContainerTest, ALineRefusesContainersItCannotList) {
  RegisterDrums();
  v1::Container foreign;
  foreign.set_code(Code(9, kCarrier));
  foreign.set_generator(kCarrier);
  foreign.set_waste_code(kWaste);
  foreign.set_weight_g(1000);
  registry_.AddContainer(foreign);
  v1::Container oil;
  oil.set_code(Code(4, kGenerator, "900-214-08"));
  oil.set_generator(kGenerator);
  oil.set_waste_code("900-214-08");
  oil.set_weight_g(1000);
  registry_.AddContainer(oil);
  registry_.SetContainerManifest(Code(3), "20263304000009");
  struct Case {
    std::vector<std::string> containers;
    absl::StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{Code(1), Code(1)},
       absl::StatusCode::kInvalidArgument,
       "lines[0].containers[1]"},
      {{Code(5)}, absl::StatusCode::kNotFound, "not a registered container"},
      {{Code(9, kCarrier)},
       absl::StatusCode::kFailedPrecondition,
       "was registered by"},
      {{oil.code()}, absl::StatusCode::kInvalidArgument, "not the line's code"},
      {{Code(3)},
       absl::StatusCode::kFailedPrecondition,
       "is on manifest 20263304000009"},
      {{"12345"}, absl::StatusCode::kInvalidArgument, "lines[0].containers[0]"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        DecideOpen(OpenRequest(c.containers), registry_, kNumber, At(0)),
        StatusIs(c.code, HasSubstr(c.says)))
        << c.containers[0];
  }
  v1::OpenManifestRequest bulk_without = OpenRequest({}, 1000);
  bulk_without.mutable_lines(0)->set_weighed_in_bulk(true);
  EXPECT_THAT(DecideOpen(bulk_without, registry_, kNumber, At(0)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("lines[0].weighed_in_bulk")));
}

TEST_F(ContainerTest, AFullLoadScanAndPickupRaiseNothing) {
  v1::Manifest m = OpenDrums();
  Decision scanned = Scan(
      m, ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1), Code(2), Code(3)}));
  m = scanned.next;
  ASSERT_THAT(m.scans(), SizeIs(1));
  EXPECT_EQ(m.scans(0).handover(), 1);
  EXPECT_EQ(m.scans(0).device(), "PDA-07");
  EXPECT_FALSE(m.scans(0).late());
  m = Pickup(m);
  EXPECT_THAT(MismatchFlags(m), IsEmpty());
}

TEST_F(ContainerTest, APickupMissingAContainerRaisesAtOnce) {
  v1::Manifest m = OpenDrums();
  m = Scan(m, ScanOf(kGenerator, v1::SCAN_POINT_LOAD, {Code(1), Code(3)})).next;
  m = Pickup(m);
  std::vector<const v1::Flag*> flags = MismatchFlags(m);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0]->severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(
      flags[0]->detail(),
      AllOf(HasSubstr("1 of 3 containers not scanned"), HasSubstr(Code(2))));
  EXPECT_THAT(flags[0]->enterprises(), ::testing::Contains(kCarrier));
}

TEST_F(ContainerTest, AScanOfAnotherManifestsContainerRaisesHigh) {
  v1::Manifest m = OpenDrums();
  const std::string stray = Code(8);
  registry_.SetContainerManifest(stray, "20263304000002");
  m = Scan(m, ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1), stray})).next;
  std::vector<const v1::Flag*> flags = MismatchFlags(m);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0]->severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(flags[0]->detail(), HasSubstr("on manifest 20263304000002"));
  // A container on no manifest: MEDIUM, and a flag of its own.
  m = Scan(m, ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(7)})).next;
  flags = MismatchFlags(m);
  ASSERT_THAT(flags, SizeIs(2));
  EXPECT_EQ(flags[1]->severity(), v1::SEVERITY_MEDIUM);
  EXPECT_THAT(flags[1]->detail(), HasSubstr("on no manifest"));
}

TEST_F(ContainerTest, ARelayScanBelongsToTheLegItStarts) {
  v1::Manifest m = OpenDrums();
  m = Scan(m,
           ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1), Code(2), Code(3)}))
          .next;
  m = Pickup(m);
  // The carrier taking over scans two of three, and a third carrier, to
  // whom the load does not go, scans one.
  m = Scan(m, ScanOf(kRelayCarrier, v1::SCAN_POINT_RELAY, {Code(1), Code(3)}),
           At(30))
          .next;
  m = Scan(m, ScanOf(kThirdCarrier, v1::SCAN_POINT_RELAY, {Code(2)}), At(31))
          .next;
  EXPECT_EQ(m.scans(1).handover(), 2);
  EXPECT_EQ(m.scans(2).handover(), 2);
  EXPECT_THAT(MismatchFlags(m), IsEmpty());
  v1::RelayRequest relay;
  *relay.mutable_meta() = Meta(At(40));
  relay.set_number(kNumber);
  relay.set_from_carrier(kCarrier);
  relay.set_to_carrier(kRelayCarrier);
  relay.set_vehicle(kRelayPlate);
  m = Flagged(m, DecideRelay(m, relay, registry_, At(40)), At(40)).next;
  std::vector<const v1::Flag*> flags = MismatchFlags(m);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0]->detail(),
              AllOf(HasSubstr("relay hand-over to " + kRelayCarrier),
                    HasSubstr(": 1 of 3 containers not scanned: " + Code(2)),
                    HasSubstr("custody of " + kThirdCarrier)));
  // After the relay, the carrier that took it scans for its own leg.
  m = Scan(m, ScanOf(kRelayCarrier, v1::SCAN_POINT_RELAY, {Code(2)}, At(45)),
           At(45))
          .next;
  EXPECT_EQ(m.scans(3).handover(), 2);
}

// An offline device: a relay scan made before the relay and uploaded after
// it belongs to that relay's hand-over, and another carrier's is a
// conflict at once; one made after the relay waits for the next.
TEST_F(ContainerTest, AnOfflineRelayScanUploadedAfterTheRelayIsJudgedThere) {
  v1::Manifest m = OpenDrums();
  const std::vector<std::string> all = {Code(1), Code(2), Code(3)};
  m = Scan(m, ScanOf(kCarrier, v1::SCAN_POINT_LOAD, all)).next;
  m = Pickup(m);
  m = Scan(m, ScanOf(kRelayCarrier, v1::SCAN_POINT_RELAY, all, At(30)), At(30))
          .next;
  v1::RelayRequest relay;
  *relay.mutable_meta() = Meta(At(40));
  relay.set_number(kNumber);
  relay.set_from_carrier(kCarrier);
  relay.set_to_carrier(kRelayCarrier);
  relay.set_vehicle(kRelayPlate);
  m = Flagged(m, DecideRelay(m, relay, registry_, At(40)), At(40)).next;
  ASSERT_THAT(MismatchFlags(m), IsEmpty());

  m = Scan(m, ScanOf(kThirdCarrier, v1::SCAN_POINT_RELAY, {Code(2)}, At(35)),
           At(50))
          .next;
  EXPECT_EQ(m.scans().rbegin()->handover(), 2);
  EXPECT_TRUE(m.scans().rbegin()->late());
  std::vector<const v1::Flag*> flags = MismatchFlags(m);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0]->severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(flags[0]->detail(),
              AllOf(HasSubstr("relay scan by " + kThirdCarrier),
                    HasSubstr(Code(2)), HasSubstr("conflicting custody")));

  m = Scan(m, ScanOf(kThirdCarrier, v1::SCAN_POINT_RELAY, {Code(1)}, At(45)),
           At(50))
          .next;
  EXPECT_EQ(m.scans().rbegin()->handover(), 3) << "the next relay's";
  EXPECT_THAT(MismatchFlags(m), SizeIs(1));
  // Only a transporter scans at a relay, however late.
  absl::StatusOr<Decision> generator =
      DecideScan(m, ScanOf(kGenerator, v1::SCAN_POINT_RELAY, {Code(1)}, At(35)),
                 registry_, At(50));
  EXPECT_FALSE(generator.ok());
}

// A hand-over recorded before its scans arrive (the scanner was offline)
// is flagged at once; the late scans that complete it clear the flag, and
// a late scan that leaves one missing does not.
TEST_F(ContainerTest, LateScansThatCompleteAHandOverClearItsFlag) {
  v1::Manifest m = OpenDrums();
  m = Pickup(m, At(20));
  std::vector<const v1::Flag*> flags = MismatchFlags(m);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0]->detail(), HasSubstr("3 of 3 containers not scanned"));
  m = Scan(m, ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1), Code(2)}, At(15)),
           At(30))
          .next;
  EXPECT_EQ(MismatchFlags(m)[0]->state(), v1::FLAG_STATE_OPEN)
      << "one drum is still missing";
  m = Scan(m, ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(3)}, At(16)), At(31))
          .next;
  flags = MismatchFlags(m);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0]->state(), v1::FLAG_STATE_CLEARED);
}

TEST_F(ContainerTest, AScanNamesWhoMayScanWhere) {
  v1::Manifest m = OpenDrums();
  EXPECT_THAT(DecideScan(m, ScanOf(kReceiver, v1::SCAN_POINT_LOAD, {Code(1)}),
                         registry_, At(10)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("neither the generator nor the first")));
  EXPECT_THAT(DecideScan(m, ScanOf(kCarrier, v1::SCAN_POINT_ARRIVAL, {Code(1)}),
                         registry_, At(10)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("no receiver of manifest")));
  EXPECT_THAT(
      DecideScan(m, ScanOf(kRelayCarrier, v1::SCAN_POINT_RELAY, {Code(1)}),
                 registry_, At(10)),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("needs IN_TRANSIT")));
  EXPECT_THAT(
      DecideScan(m, ScanOf(kCarrier, v1::SCAN_POINT_UNSPECIFIED, {Code(1)}),
                 registry_, At(10)),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("point is required")));
  absl::StatusOr<Decision> arrival =
      DecideScan(m, ScanOf(kReceiver, v1::SCAN_POINT_ARRIVAL, {Code(1)}),
                 registry_, At(10));
  ASSERT_TRUE(arrival.ok()) << arrival.status();
  EXPECT_EQ(arrival->next.scans(0).handover(), 1);
}

TEST_F(ContainerTest, AScanRefusesBadCodesAndDeviceTimes) {
  v1::Manifest m = OpenDrums();
  struct Case {
    v1::ScanRequest request;
    absl::StatusCode code;
    std::string says;
  };
  v1::ScanRequest no_device = ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1)});
  no_device.mutable_meta()->clear_device();
  v1::ScanRequest no_time = ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1)});
  no_time.mutable_meta()->clear_device_time();
  const std::vector<Case> cases = {
      {ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {}),
       absl::StatusCode::kInvalidArgument, "containers must hold 1..1000"},
      {ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1), "x"}),
       absl::StatusCode::kInvalidArgument, "containers[1]"},
      {ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1), Code(1)}),
       absl::StatusCode::kInvalidArgument, "named twice"},
      {no_device, absl::StatusCode::kInvalidArgument, "meta.device"},
      {no_time, absl::StatusCode::kInvalidArgument, "meta.device_time"},
      {ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1)}, At(20)),
       absl::StatusCode::kInvalidArgument, "ahead of the server's"},
      {ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1)},
              At(10) - absl::Hours(73)),
       absl::StatusCode::kFailedPrecondition, "is more than 72h"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(DecideScan(m, c.request, registry_, At(10)),
                StatusIs(c.code, HasSubstr(c.says)))
        << c.request.DebugString();
  }
}

TEST_F(ContainerTest, AScanUploadedLateIsKeptAndMarkedLate) {
  v1::Manifest m = OpenDrums();
  m = Scan(m,
           ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(1)},
                  At(10) - absl::Hours(30)),
           At(10))
          .next;
  ASSERT_THAT(m.scans(), SizeIs(1));
  EXPECT_TRUE(m.scans(0).late());
  EXPECT_EQ(FromTimestamp(m.scans(0).device_time()), At(10) - absl::Hours(30));
  EXPECT_EQ(FromTimestamp(m.scans(0).at()), At(10));
  // The window is the operator's (cradled --scan-window): the same scan is
  // refused where it is a day, naming it.
  EXPECT_THAT(DecideScan(m,
                         ScanOf(kCarrier, v1::SCAN_POINT_LOAD, {Code(2)},
                                At(10) - absl::Hours(30)),
                         registry_, At(10), absl::Hours(24)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is more than 24h")));
}

}  // namespace
}  // namespace cradle::domain
