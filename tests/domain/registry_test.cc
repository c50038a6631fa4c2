#include "domain/registry.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "base/quote.h"
#include "cradle/v1/registry.pb.h"
#include "domain/uscc.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// `first17` followed by its GB 32100 check character.
std::string Uscc(absl::string_view first17) {
  absl::StatusOr<char> check = UsccCheckCharacter(first17);
  if (!check.ok()) {
    ADD_FAILURE() << check.status();
    return std::string(first17);
  }
  return absl::StrCat(first17, std::string(1, *check));
}

// 12:00 on 2024-06-03 in China Standard Time.
absl::Time Now() {
  return absl::FromCivil(absl::CivilSecond(2024, 6, 3, 12, 0, 0),
                         absl::FixedTimeZone(8 * 3600));
}

v1::RegisterEnterpriseRequest RegisterRequest(const std::string& id,
                                              absl::string_view division,
                                              std::vector<v1::Role> roles) {
  v1::RegisterEnterpriseRequest r;
  r.mutable_meta()->set_idempotency_key(absl::StrCat("register-", id));
  r.set_id(id);
  r.set_name("海宁某环保科技有限公司");
  r.set_division(std::string(division));
  for (v1::Role role : roles) r.add_roles(role);
  return r;
}

v1::GrantLicenceRequest LicenceRequest(const v1::Enterprise& receiver,
                                       absl::string_view number,
                                       std::vector<std::string> codes,
                                       absl::string_view valid_until) {
  v1::GrantLicenceRequest r;
  r.mutable_meta()->set_idempotency_key(absl::StrCat("licence-", number));
  r.set_receiver(receiver.id());
  v1::Licence* l = r.mutable_licence();
  l->set_number(std::string(number));
  for (const std::string& c : codes) l->add_codes(c);
  l->set_capacity_kg(20000 * 1000);
  l->set_valid_until(std::string(valid_until));
  return r;
}

v1::RegisterVehicleRequest VehicleRequest(const v1::Enterprise& carrier,
                                          absl::string_view plate) {
  v1::RegisterVehicleRequest r;
  r.mutable_meta()->set_idempotency_key(absl::StrCat("vehicle-", plate));
  r.set_carrier(carrier.id());
  r.mutable_vehicle()->set_plate(std::string(plate));
  r.mutable_vehicle()->set_permit("浙交运管许可嘉字330400001234号");
  return r;
}

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() {
    receiver_ = Registered(receiver_id_, "330481", {v1::ROLE_RECEIVER});
    carrier_ = Registered(carrier_id_, "330402", {v1::ROLE_TRANSPORTER});
  }

  v1::Enterprise Registered(const std::string& id, absl::string_view division,
                            std::vector<v1::Role> roles) {
    absl::StatusOr<RegistryDecision> d = DecideRegisterEnterprise(
        RegisterRequest(id, division, roles), /*existing=*/nullptr);
    if (!d.ok()) {
      ADD_FAILURE() << d.status();
      return v1::Enterprise();
    }
    return d->next;
  }

  const std::string receiver_id_ = Uscc("91330481MA2D00004");
  const std::string carrier_id_ = Uscc("91330402MA2C00002");
  v1::Enterprise receiver_;
  v1::Enterprise carrier_;
};

// ---------------------------------------------------------------------------
// Enterprises.

TEST_F(RegistryTest, RegistersAValidEnterprise) {
  const v1::RegisterEnterpriseRequest r = RegisterRequest(
      receiver_id_, "330481", {v1::ROLE_RECEIVER, v1::ROLE_COLLECTOR});
  absl::StatusOr<RegistryDecision> d =
      DecideRegisterEnterprise(r, /*existing=*/nullptr);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(d->event.has_registered());
  // Every field of the request is recorded, as the request's own bytes.
  EXPECT_EQ(d->event.registered().SerializeAsString(), r.SerializeAsString());
  EXPECT_EQ(d->next.id(), receiver_id_);
  EXPECT_EQ(d->next.name(), "海宁某环保科技有限公司");
  EXPECT_EQ(d->next.division(), "330481");
  EXPECT_THAT(d->next.roles(),
              ElementsAre(v1::ROLE_RECEIVER, v1::ROLE_COLLECTOR));
  EXPECT_EQ(d->next.licences_size(), 0);
  EXPECT_EQ(d->next.vehicles_size(), 0);
  EXPECT_EQ(d->next.version(), 1u);
}

TEST_F(RegistryTest, RegisterRefusesABadUscc) {
  std::string bad = receiver_id_;
  bad.back() = bad.back() == '0' ? '1' : '0';
  EXPECT_THAT(DecideRegisterEnterprise(
                  RegisterRequest(bad, "330481", {v1::ROLE_RECEIVER}), nullptr)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("id"), HasSubstr(bad))));
  EXPECT_THAT(DecideRegisterEnterprise(
                  RegisterRequest("", "330481", {v1::ROLE_RECEIVER}), nullptr)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("id")));
}

TEST_F(RegistryTest, RegisterRefusesAnUnknownDivision) {
  for (const char* division : {"339999", "33040", "3304O2", ""}) {
    EXPECT_THAT(
        DecideRegisterEnterprise(
            RegisterRequest(receiver_id_, division, {v1::ROLE_RECEIVER}),
            nullptr)
            .status(),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr(absl::StrCat("division \"", division, "\""))))
        << division;
  }
}

TEST_F(RegistryTest, RegisterNeedsARoleAndAName) {
  EXPECT_THAT(DecideRegisterEnterprise(
                  RegisterRequest(receiver_id_, "330481", {}), nullptr)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("roles")));
  EXPECT_THAT(DecideRegisterEnterprise(
                  RegisterRequest(receiver_id_, "330481",
                                  {v1::ROLE_RECEIVER, v1::ROLE_UNSPECIFIED}),
                  nullptr)
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("roles[1] 0 is not a role")));
  v1::RegisterEnterpriseRequest r =
      RegisterRequest(receiver_id_, "330481", {v1::ROLE_RECEIVER});
  r.clear_name();
  EXPECT_THAT(DecideRegisterEnterprise(r, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("name is required")));
  r.set_name(std::string(201, 'x'));
  EXPECT_THAT(DecideRegisterEnterprise(r, nullptr).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("name is 201 bytes")));
}

TEST_F(RegistryTest, RegisterTwiceIsAlreadyExists) {
  EXPECT_THAT(DecideRegisterEnterprise(
                  RegisterRequest(receiver_id_, "330481", {v1::ROLE_RECEIVER}),
                  &receiver_)
                  .status(),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       AllOf(HasSubstr(receiver_id_),
                             HasSubstr("already registered"))));
}

// ---------------------------------------------------------------------------
// Licences.

TEST_F(RegistryTest, GrantsALicenceByCodeAndByCategory) {
  const v1::GrantLicenceRequest r =
      LicenceRequest(receiver_, "浙危废经第3304000012号",
                     {"900-249-08", "HW49"}, "2026-12-31");
  absl::StatusOr<RegistryDecision> d = DecideGrantLicence(receiver_, r, Now());
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(d->event.has_licence_granted());
  EXPECT_EQ(d->event.licence_granted().SerializeAsString(),
            r.SerializeAsString());
  ASSERT_EQ(d->next.licences_size(), 1);
  EXPECT_THAT(d->next.licences(0).codes(), ElementsAre("900-249-08", "HW49"));
  EXPECT_EQ(d->next.licences(0).valid_until(), "2026-12-31");
  EXPECT_EQ(d->next.version(), receiver_.version() + 1);
  EXPECT_EQ(d->next.id(), receiver_id_);
}

TEST_F(RegistryTest, LicenceMethodsAreCodesOfTheTable) {
  v1::GrantLicenceRequest r =
      LicenceRequest(receiver_, "L1", {"HW08"}, "2026-12-31");
  r.mutable_licence()->add_methods("D10");
  r.mutable_licence()->add_methods("R9");
  absl::StatusOr<RegistryDecision> d = DecideGrantLicence(receiver_, r, Now());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(d->next.licences(0).methods(), ElementsAre("D10", "R9"));
  r.mutable_licence()->add_methods("D99");
  EXPECT_THAT(DecideGrantLicence(receiver_, r, Now()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("licence.methods[2] \"D99\" is not a")));
  r.mutable_licence()->set_methods(2, "D10");
  EXPECT_THAT(DecideGrantLicence(receiver_, r, Now()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("licence.methods[2] D10 is listed twice")));
}

TEST_F(RegistryTest, LicenceCategoriesFollowThe2021List) {
  for (const char* category :
       {"HW01", "HW08", "HW40", "HW45", "HW49", "HW50"}) {
    EXPECT_TRUE(DecideGrantLicence(
                    receiver_,
                    LicenceRequest(receiver_, "L1", {category}, "2026-12-31"),
                    Now())
                    .ok())
        << category;
  }
  for (const char* category : {"HW00", "HW41", "HW44", "HW51", "HW99"}) {
    EXPECT_THAT(
        DecideGrantLicence(
            receiver_,
            LicenceRequest(receiver_, "L1", {"900-249-08", category},
                           "2026-12-31"),
            Now())
            .status(),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr(absl::StrCat("licence.codes[1] ", category)),
                       HasSubstr("not a category"))))
        << category;
  }
}

TEST_F(RegistryTest, LicenceRefusesUnknownCodes) {
  EXPECT_THAT(
      DecideGrantLicence(
          receiver_,
          LicenceRequest(receiver_, "L1", {"900-999-08"}, "2026-12-31"), Now())
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("licence.codes[0]"),
                     HasSubstr("not in the 2021 catalogue"))));
  EXPECT_THAT(DecideGrantLicence(receiver_,
                                 LicenceRequest(receiver_, "L1",
                                                {"HW08", "hw08"}, "2026-12-31"),
                                 Now())
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("licence.codes[1]")));
  EXPECT_THAT(
      DecideGrantLicence(
          receiver_, LicenceRequest(receiver_, "L1", {}, "2026-12-31"), Now())
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("licence.codes must hold 1..")));
}

TEST_F(RegistryTest, LicenceForANonReceiverIsRefused) {
  EXPECT_THAT(DecideGrantLicence(
                  carrier_,
                  LicenceRequest(carrier_, "L1", {"HW08"}, "2026-12-31"), Now())
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr(carrier_id_), HasSubstr("RECEIVER"))));
}

TEST_F(RegistryTest, LicenceMustNotHaveExpired) {
  EXPECT_THAT(
      DecideGrantLicence(
          receiver_, LicenceRequest(receiver_, "L1", {"HW08"}, "2024-06-02"),
          Now())
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("licence.valid_until 2024-06-02"),
                     HasSubstr("already past"))));
  // The last day is inclusive.
  EXPECT_TRUE(DecideGrantLicence(
                  receiver_,
                  LicenceRequest(receiver_, "L1", {"HW08"}, "2024-06-03"),
                  Now())
                  .ok());
  // Days are China Standard Time: 16:30 UTC on 2 June is already 3 June.
  const absl::Time late = absl::FromCivil(
      absl::CivilSecond(2024, 6, 2, 16, 30, 0), absl::UTCTimeZone());
  EXPECT_THAT(
      DecideGrantLicence(
          receiver_, LicenceRequest(receiver_, "L1", {"HW08"}, "2024-06-02"),
          late)
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("already past")));
}

TEST_F(RegistryTest, LicenceNeedsAWellFormedDate) {
  for (const char* date : {"", "2026/12/31", "31-12-2026", "2026-13-01",
                           "2026-02-29", "2026-12-31T00:00", "20261231"}) {
    EXPECT_THAT(
        DecideGrantLicence(
            receiver_, LicenceRequest(receiver_, "L1", {"HW08"}, date), Now())
            .status(),
        StatusIs(
            absl::StatusCode::kInvalidArgument,
            AllOf(HasSubstr("licence.valid_until"), HasSubstr("YYYY-MM-DD"))))
        << date;
  }
}

TEST_F(RegistryTest, LicenceNeedsANumberAndACapacity) {
  v1::GrantLicenceRequest r =
      LicenceRequest(receiver_, "", {"HW08"}, "2026-12-31");
  EXPECT_THAT(DecideGrantLicence(receiver_, r, Now()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("licence.number is required")));
  r = LicenceRequest(receiver_, "L1", {"HW08"}, "2026-12-31");
  r.mutable_licence()->set_capacity_kg(0);
  EXPECT_THAT(DecideGrantLicence(receiver_, r, Now()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("licence.capacity_kg 0")));
}

TEST_F(RegistryTest, DuplicateLicenceNumberIsAlreadyExists) {
  absl::StatusOr<RegistryDecision> d = DecideGrantLicence(
      receiver_, LicenceRequest(receiver_, "L1", {"HW08"}, "2026-12-31"),
      Now());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(
      DecideGrantLicence(
          d->next, LicenceRequest(receiver_, "L1", {"HW49"}, "2027-12-31"),
          Now())
          .status(),
      StatusIs(absl::StatusCode::kAlreadyExists,
               AllOf(HasSubstr("licence.number L1"), HasSubstr(receiver_id_))));
  absl::StatusOr<RegistryDecision> second = DecideGrantLicence(
      d->next, LicenceRequest(receiver_, "L2", {"HW49"}, "2027-12-31"), Now());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->next.licences_size(), 2);
}

// ---------------------------------------------------------------------------
// Vehicles.

TEST_F(RegistryTest, RegistersAVehicle) {
  absl::StatusOr<RegistryDecision> d =
      DecideRegisterVehicle(carrier_, VehicleRequest(carrier_, "浙F12345"));
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(d->event.has_vehicle_registered());
  ASSERT_EQ(d->next.vehicles_size(), 1);
  EXPECT_EQ(d->next.vehicles(0).plate(), "浙F12345");
  EXPECT_EQ(d->next.version(), carrier_.version() + 1);
}

TEST_F(RegistryTest, VehicleForANonTransporterIsRefused) {
  EXPECT_THAT(
      DecideRegisterVehicle(receiver_, VehicleRequest(receiver_, "浙F12345"))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr(receiver_id_), HasSubstr("TRANSPORTER"))));
}

TEST_F(RegistryTest, VehicleNeedsAValidPlateAndPermit) {
  for (const char* plate : {"浙I12345", "ZJF12345", "浙F123", ""}) {
    EXPECT_THAT(DecideRegisterVehicle(carrier_, VehicleRequest(carrier_, plate))
                    .status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("vehicle.plate")))
        << plate;
  }
  v1::RegisterVehicleRequest r = VehicleRequest(carrier_, "浙F12345");
  r.mutable_vehicle()->clear_permit();
  EXPECT_THAT(DecideRegisterVehicle(carrier_, r).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("vehicle.permit is required")));
}

TEST_F(RegistryTest, DuplicatePlateIsAlreadyExists) {
  absl::StatusOr<RegistryDecision> d =
      DecideRegisterVehicle(carrier_, VehicleRequest(carrier_, "浙F12345"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(
      DecideRegisterVehicle(d->next, VehicleRequest(carrier_, "浙F12345"))
          .status(),
      StatusIs(
          absl::StatusCode::kAlreadyExists,
          AllOf(HasSubstr("vehicle.plate 浙F12345"), HasSubstr(carrier_id_))));
  EXPECT_TRUE(
      DecideRegisterVehicle(d->next, VehicleRequest(carrier_, "浙FD12345"))
          .ok());
}

// ---------------------------------------------------------------------------
// Longer storage (2020 固废法 Art. 81; docs/STOCK.md).

v1::ExtendStorageRequest ExtendRequest(const v1::Enterprise& generator,
                                       absl::string_view document, int days) {
  v1::ExtendStorageRequest r;
  r.mutable_meta()->set_idempotency_key(absl::StrCat("storage-", document));
  r.set_generator(generator.id());
  v1::StorageExtension* x = r.mutable_extension();
  x->set_document(std::string(document));
  x->set_days(days);
  x->set_valid_from("2024-06-01");
  x->set_valid_until("2025-05-31");
  return r;
}

TEST_F(RegistryTest, ExtendsAGeneratorsStorageAndRefusesEachBadField) {
  const v1::Enterprise generator =
      Registered(Uscc("91330402MA2E00005"), "330402", {v1::ROLE_GENERATOR});
  absl::StatusOr<RegistryDecision> d = DecideExtendStorage(
      generator, ExtendRequest(generator, "嘉环贮延〔2024〕3号", 730), Now());
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(d->event.has_storage_extended());
  ASSERT_EQ(d->next.storage_extensions_size(), 1);
  EXPECT_EQ(d->next.storage_extensions(0).days(), 730);
  EXPECT_EQ(d->next.version(), generator.version() + 1);
  v1::Enterprise replayed = generator;
  ApplyRegistryEvent(d->event, &replayed);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(replayed, d->next));

  struct Case {
    std::function<void(v1::ExtendStorageRequest*)> mutate;
    absl::StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {[](auto* r) { r->mutable_extension()->clear_document(); },
       absl::StatusCode::kInvalidArgument, "extension.document is required"},
      {[](auto* r) { r->mutable_extension()->set_days(365); },
       absl::StatusCode::kInvalidArgument, "extension.days 365 must be 366.."},
      {[](auto* r) { r->mutable_extension()->set_days(2000); },
       absl::StatusCode::kInvalidArgument, "extension.days 2000"},
      {[](auto* r) { r->mutable_extension()->set_valid_from("2024-6-1"); },
       absl::StatusCode::kInvalidArgument, "extension.valid_from"},
      {[](auto* r) { r->mutable_extension()->set_valid_until("2024-05-31"); },
       absl::StatusCode::kInvalidArgument, "is before extension.valid_from"},
      {[](auto* r) {
         r->mutable_extension()->set_valid_from("2023-01-01");
         r->mutable_extension()->set_valid_until("2024-06-02");
       },
       absl::StatusCode::kInvalidArgument, "has already passed"},
      {[](auto* r) {
         r->mutable_extension()->set_document("嘉环贮延〔2024〕3号");
       },
       absl::StatusCode::kAlreadyExists, "is already granted"},
  };
  for (const Case& k : cases) {
    v1::ExtendStorageRequest r = ExtendRequest(d->next, "另一号", 730);
    k.mutate(&r);
    EXPECT_THAT(DecideExtendStorage(d->next, r, Now()).status(),
                StatusIs(k.code, HasSubstr(k.says)))
        << r.ShortDebugString();
  }
  // Only a unit that holds waste in storage.
  EXPECT_THAT(
      DecideExtendStorage(carrier_, ExtendRequest(carrier_, "X1", 730), Now())
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr(carrier_id_), HasSubstr("GENERATOR"))));
}

// ---------------------------------------------------------------------------
// Folding events.

TEST_F(RegistryTest, ApplyRegistryEventIncrementsTheVersion) {
  const std::string id = Uscc("91330481MA2H00009");
  absl::StatusOr<RegistryDecision> registered = DecideRegisterEnterprise(
      RegisterRequest(id, "330481", {v1::ROLE_RECEIVER, v1::ROLE_TRANSPORTER}),
      nullptr);
  ASSERT_TRUE(registered.ok()) << registered.status();
  absl::StatusOr<RegistryDecision> licensed = DecideGrantLicence(
      registered->next,
      LicenceRequest(registered->next, "L1", {"HW08"}, "2026-12-31"), Now());
  ASSERT_TRUE(licensed.ok()) << licensed.status();
  absl::StatusOr<RegistryDecision> vehicle = DecideRegisterVehicle(
      licensed->next, VehicleRequest(licensed->next, "浙F54321"));
  ASSERT_TRUE(vehicle.ok()) << vehicle.status();
  EXPECT_EQ(vehicle->next.version(), 3u);

  // Replaying the three events rebuilds the same record.
  v1::Enterprise replayed;
  ApplyRegistryEvent(registered->event, &replayed);
  EXPECT_EQ(replayed.version(), 1u);
  ApplyRegistryEvent(licensed->event, &replayed);
  EXPECT_EQ(replayed.version(), 2u);
  ApplyRegistryEvent(vehicle->event, &replayed);
  EXPECT_EQ(replayed.version(), 3u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      replayed, vehicle->next));
}

// ---------------------------------------------------------------------------
// Dates.

TEST(RegistryParseDateTest, ParsesCalendarDays) {
  absl::StatusOr<absl::CivilDay> day = ParseDate("d", "2024-02-29");
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(*day, absl::CivilDay(2024, 2, 29));
  day = ParseDate("d", "2026-12-31");
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(*day, absl::CivilDay(2026, 12, 31));
}

TEST(RegistryParseDateTest, RefusesAnythingButYyyyMmDd) {
  for (const char* text :
       {"", "2023-02-29", "2024-04-31", "2024-00-10", "2024-1-01", "2024-01-1",
        " 2024-1-01", "2024-1-01 ", "2024-01-1\t", "+024-01-01", "2024.01.01",
        "2024-01-01x"}) {
    EXPECT_THAT(
        ParseDate("licence.valid_until", text),
        StatusIs(
            absl::StatusCode::kInvalidArgument,
            AllOf(HasSubstr(absl::StrCat("licence.valid_until ", Quote(text))),
                  HasSubstr("YYYY-MM-DD"))))
        << "\"" << text << "\"";
  }
}

}  // namespace
}  // namespace cradle::domain
