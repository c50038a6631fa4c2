// The flag rules, driven the way the services drive them: manifests built by
// the Decide* functions, event rules run by AddEventFlags on each decision,
// deadline rules by SweepDeadlines and DueDates.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/division.h"
#include "domain/flags/engine.h"
#include "domain/flags/flag_config.h"
#include "domain/lifecycle.h"
#include "domain/uscc.h"
#include "domain/work_calendar.h"
#include "tests/testing/fake_registry.h"
#include "tests/testing/flagged.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr int64_t kKg = 1000;  // grams
constexpr char kNumber[] = "20263304000001";

std::string FlagId(int n) { return absl::StrCat(kNumber, "-F", n); }

// `first17` followed by its GB 32100 check character.
std::string Uscc(absl::string_view first17) {
  absl::StatusOr<char> check = UsccCheckCharacter(first17);
  if (!check.ok()) {
    ADD_FAILURE() << check.status();
    return std::string(first17);
  }
  return absl::StrCat(first17, std::string(1, *check));
}

absl::Time China(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), ChinaTime());
}

// Wednesday 2026-06-03 09:00 in China, plus `minutes`.
absl::Time At(int minutes) {
  return China(2026, 6, 3, 9) + absl::Minutes(minutes);
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return FromTimestamp(t);
}

v1::Licence MakeLicence(std::vector<std::string> codes, int64_t capacity_kg,
                        absl::string_view valid_until) {
  v1::Licence l;
  l.set_number("浙危废经第330000001号");
  for (const std::string& c : codes) l.add_codes(c);
  l.set_capacity_kg(capacity_kg);
  l.set_valid_until(std::string(valid_until));
  return l;
}

// Covers both lines of DefaultLines() (one by category, one by code), with
// room to spare, until the end of 2027.
v1::Licence GoodLicence() {
  return MakeLicence({"HW08", "900-041-49"}, 10000, "2027-12-31");
}

v1::Enterprise MakeEnterprise(const std::string& id, absl::string_view name,
                              absl::string_view division,
                              std::vector<v1::Role> roles,
                              std::vector<std::string> plates = {},
                              std::vector<v1::Licence> licences = {}) {
  v1::Enterprise e;
  e.set_id(id);
  e.set_name(std::string(name));
  e.set_division(std::string(division));
  for (v1::Role r : roles) e.add_roles(r);
  for (const std::string& p : plates) {
    v1::Vehicle* v = e.add_vehicles();
    v->set_plate(p);
    v->set_permit(absl::StrCat("浙交运管许可嘉字", p));
  }
  for (v1::Licence& l : licences) *e.add_licences() = std::move(l);
  e.set_version(1);
  return e;
}

v1::Approval MakeApproval(const std::string& generator,
                          const std::string& receiver,
                          std::vector<std::string> codes, int64_t quantity_kg,
                          absl::string_view from, absl::string_view until) {
  v1::Approval a;
  a.set_number("浙苏危转审2026-0001");
  a.set_generator(generator);
  a.set_receiver(receiver);
  for (const std::string& c : codes) a.add_codes(c);
  a.set_method("D10");
  a.set_quantity_kg(quantity_kg);
  a.set_valid_from(std::string(from));
  a.set_valid_until(std::string(until));
  return a;
}

using FakeRegistry = ::cradle::testing::FakeRegistry;

v1::WasteLine Line(absl::string_view code, int64_t grams) {
  v1::WasteLine l;
  l.set_code(std::string(code));
  l.set_quantity_g(grams);
  l.set_packaging("铁桶");
  l.set_package_count(1);
  return l;
}

// Waste oil (HW08) and contaminated rags (HW49): 1250 kg in all.
std::vector<v1::WasteLine> DefaultLines() {
  return {Line("900-249-08", 1000 * kKg), Line("900-041-49", 250 * kKg)};
}

v1::LineReceipt Receipt(int line, v1::LineReceipt::Decision decision,
                        int64_t grams, absl::string_view reason = "") {
  v1::LineReceipt r;
  r.set_line(line);
  r.set_decision(decision);
  r.set_quantity_g(grams);
  r.set_reason(std::string(reason));
  return r;
}

std::vector<v1::Flag> FlagsOf(const v1::Manifest& m, v1::FlagKind kind) {
  std::vector<v1::Flag> out;
  for (const v1::Flag& f : m.flags()) {
    if (f.kind() == kind) out.push_back(f);
  }
  return out;
}

// The kinds of the flags `d` raises, in order.
std::vector<v1::FlagKind> RaisedKinds(const Decision& d) {
  std::vector<v1::FlagKind> out;
  for (const ledger::v1::ManifestEvent& e : d.events) {
    if (e.has_flag_raised())
      out.push_back(static_cast<v1::FlagKind>(e.flag_raised().kind()));
  }
  return out;
}

std::vector<std::string> ClearedIds(const Decision& d) {
  std::vector<std::string> out;
  for (const ledger::v1::ManifestEvent& e : d.events) {
    if (e.has_flag_cleared()) out.push_back(e.flag_cleared().id());
  }
  return out;
}

const ledger::v1::ManifestEvent* FindApprovalApplied(const Decision& d) {
  for (const ledger::v1::ManifestEvent& e : d.events) {
    if (e.has_approval_applied()) return &e;
  }
  return nullptr;
}

class FlagRulesTest : public ::testing::Test {
 protected:
  FlagRulesTest() {
    registry_.Add(MakeEnterprise(generator_, "嘉兴某化工有限公司", "330402",
                                 {v1::ROLE_GENERATOR}));
    registry_.Add(MakeEnterprise(carrier_, "嘉兴某危货运输有限公司", "330402",
                                 {v1::ROLE_TRANSPORTER}, {"浙F12345"}));
    registry_.Add(MakeEnterprise(hangzhou_, "杭州某固废处置有限公司", "330106",
                                 {v1::ROLE_RECEIVER}, {}, {GoodLicence()}));
    registry_.Add(MakeEnterprise(huzhou_, "湖州某环境科技有限公司", "330502",
                                 {v1::ROLE_RECEIVER}, {}, {GoodLicence()}));
    registry_.Add(MakeEnterprise(suzhou_, "苏州某环保有限公司", "320506",
                                 {v1::ROLE_RECEIVER}, {}, {GoodLicence()}));
    config_.transit = Limit{absl::Hours(2), 0};
    config_.receipt = Limit{absl::ZeroDuration(), 2};
    config_.disposal = Limit{absl::Hours(24), 0};
  }

  // Receivers in Jiaxing, the generator's city: none unless a test adds them.
  void AddHaining(std::vector<v1::Licence> licences = {GoodLicence()}) {
    registry_.Add(MakeEnterprise(haining_, "海宁某环保科技有限公司", "330481",
                                 {v1::ROLE_RECEIVER}, {}, std::move(licences)));
  }
  void AddJiashan(std::vector<v1::Licence> licences = {GoodLicence()}) {
    registry_.Add(MakeEnterprise(jiashan_, "嘉善某固废处置有限公司", "330421",
                                 {v1::ROLE_RECEIVER}, {}, std::move(licences)));
  }

  static v1::WriteMeta Meta(absl::string_view key) {
    v1::WriteMeta meta;
    meta.set_idempotency_key(std::string(key));
    meta.set_person("张三");
    meta.set_device("PDA-07");
    return meta;
  }

  v1::OpenManifestRequest OpenRequest(
      const std::string& generator, const std::string& receiver,
      std::vector<v1::WasteLine> lines = DefaultLines()) const {
    v1::OpenManifestRequest r;
    *r.mutable_meta() = Meta("open-1");
    r.set_generator(generator);
    r.set_carrier(carrier_);
    r.set_receiver(receiver);
    for (const v1::WasteLine& l : lines) *r.add_lines() = l;
    r.set_method("D10");
    return r;
  }

  Decision Flagged(const v1::Manifest& before, absl::StatusOr<Decision> d,
                   absl::Time now) {
    return ::cradle::testing::Flagged(before, std::move(d), registry_, config_,
                                      now);
  }

  Decision Open(const v1::OpenManifestRequest& r, absl::Time now) {
    v1::Manifest before;
    before.set_number(kNumber);
    return Flagged(before, DecideOpen(r, registry_, kNumber, now), now);
  }
  Decision Open(const std::string& generator, const std::string& receiver,
                absl::Time now = At(0)) {
    return Open(OpenRequest(generator, receiver), now);
  }

  Decision Pickup(const v1::Manifest& m, absl::Time now) {
    v1::PickupRequest r;
    *r.mutable_meta() = Meta("pickup-1");
    r.set_number(kNumber);
    r.set_carrier(carrier_);
    r.set_vehicle("浙F12345");
    r.set_driver("李四");
    return Flagged(m, DecidePickup(m, r, registry_, now), now);
  }

  static v1::DeliverRequest DeliverRequest(const std::string& receiver) {
    v1::DeliverRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("deliver-", receiver));
    r.set_number(kNumber);
    r.set_receiver(receiver);
    return r;
  }
  Decision Deliver(const v1::Manifest& m, const std::string& receiver,
                   absl::Time now) {
    return Flagged(
        m, DecideDeliver(m, DeliverRequest(receiver), registry_, now), now);
  }

  // Weighed by the manifest's current receiver.
  Decision Receive(const v1::Manifest& m,
                   const std::vector<v1::LineReceipt>& lines, absl::Time now) {
    v1::ReceiveRequest r;
    *r.mutable_meta() = Meta("receive-1");
    r.set_number(kNumber);
    r.set_receiver(m.receiver());
    for (const v1::LineReceipt& l : lines) *r.add_lines() = l;
    return Flagged(m, DecideReceive(m, r, registry_, now), now);
  }
  // Accepts (or, with REJECT, refuses) all that was sent to the current
  // destination.
  Decision ReceiveAll(
      const v1::Manifest& m, absl::Time now,
      v1::LineReceipt::Decision decision = v1::LineReceipt::DECISION_ACCEPT) {
    std::vector<v1::LineReceipt> lines;
    const v1::Destination& d = m.destinations(m.destinations_size() - 1);
    for (int i = 0; i < d.sent_g_size(); ++i) {
      if (d.sent_g(i) > 0) {
        lines.push_back(Receipt(i + 1, decision, d.sent_g(i), "非许可类别"));
      }
    }
    return Receive(m, lines, now);
  }

  Decision Reroute(const v1::Manifest& m, const std::string& to,
                   absl::Time now) {
    v1::RerouteRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("reroute-", to));
    r.set_number(kNumber);
    r.set_generator(generator_);
    r.set_to(to);
    r.set_carrier(carrier_);
    r.set_vehicle("浙F12345");
    r.set_driver("赵六");
    return Flagged(m, DecideReroute(m, r, registry_, now), now);
  }

  // `lines` holds (1-based line, grams) pairs.
  Decision Dispose(const v1::Manifest& m, const std::string& receiver,
                   const std::vector<std::pair<int, int64_t>>& lines,
                   absl::Time now, const std::string& method = "D10") {
    v1::DisposeRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("dispose-", receiver));
    r.set_number(kNumber);
    r.set_receiver(receiver);
    for (const auto& [line, grams] : lines) {
      v1::LineDisposal* l = r.add_lines();
      l->set_line(line);
      l->set_method(method);
      l->set_quantity_g(grams);
    }
    return Flagged(m, DecideDispose(m, r, now), now);
  }

  Decision Pay(const v1::Manifest& m, const std::string& payee,
               int64_t amount_fen, absl::Time now) {
    v1::RecordPaymentRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("pay-", payee));
    r.set_number(kNumber);
    r.set_payer(generator_);
    r.set_payee(payee);
    r.set_amount_fen(amount_fen);
    return Flagged(m, DecidePayment(m, r, now), now);
  }

  // Opened for `receiver` at At(0), picked up at At(10), delivered at At(60).
  v1::Manifest Delivered(const v1::OpenManifestRequest& r) {
    v1::Manifest m = Open(r, At(0)).next;
    m = Pickup(m, At(10)).next;
    return Deliver(m, r.receiver(), At(60)).next;
  }

  FakeRegistry registry_;
  FlagConfig config_;
  const std::string generator_ = Uscc("91330402MA2B00001");
  const std::string carrier_ = Uscc("91330402MA2C00002");
  const std::string haining_ = Uscc("91330481MA2D00003");
  const std::string jiashan_ = Uscc("91330421MA2D00004");
  const std::string hangzhou_ = Uscc("91330106MA2D00005");
  const std::string huzhou_ = Uscc("91330502MA2D00006");
  const std::string suzhou_ = Uscc("91320506MA2D00007");
};

// ---------------------------------------------------------------------------
// CROSS_CITY

class CrossCityRuleTest : public FlagRulesTest {
 protected:
  // A generator and a licensed receiver in the given divisions.
  v1::Manifest OpenBetween(absl::string_view from, absl::string_view to) {
    const std::string generator = Uscc(absl::StrCat("91", from, "MA2X00001"));
    const std::string receiver = Uscc(absl::StrCat("91", to, "MA2Y00002"));
    registry_.Add(
        MakeEnterprise(generator, "某产废单位", from, {v1::ROLE_GENERATOR}));
    registry_.Add(MakeEnterprise(receiver, "某利用处置单位", to,
                                 {v1::ROLE_RECEIVER}, {}, {GoodLicence()}));
    return Open(generator, receiver).next;
  }

  v1::Flag OnlyCrossCityFlag(const v1::Manifest& m) {
    std::vector<v1::Flag> flags = FlagsOf(m, v1::FLAG_KIND_CROSS_CITY);
    EXPECT_THAT(flags, SizeIs(1));
    return flags.empty() ? v1::Flag() : flags[0];
  }
};

TEST_F(CrossCityRuleTest, NotRaisedInsideJiaxing) {
  AddHaining();
  const Decision d = Open(generator_, haining_);
  EXPECT_THAT(RaisedKinds(d), IsEmpty());
  EXPECT_EQ(d.next.flags_size(), 0);
  EXPECT_THAT(registry_.city_queries(), IsEmpty());
}

TEST_F(CrossCityRuleTest, RaisedFromJiaxingToHangzhouAsMedium) {
  const Decision d = Open(generator_, hangzhou_);
  ASSERT_THAT(RaisedKinds(d), ElementsAre(v1::FLAG_KIND_CROSS_CITY));
  ASSERT_EQ(d.next.flags_size(), 1);
  const v1::Flag& f = d.next.flags(0);
  EXPECT_EQ(f.id(), FlagId(1));
  EXPECT_EQ(f.kind(), v1::FLAG_KIND_CROSS_CITY);
  EXPECT_EQ(f.severity(), v1::SEVERITY_MEDIUM);
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(f.manifest(), kNumber);
  EXPECT_EQ(f.destination(), 0);
  EXPECT_EQ(f.origin_city(), "3304");
  EXPECT_EQ(f.origin_county(), "330402");
  EXPECT_EQ(f.destination_city(), "3301");
  EXPECT_EQ(f.destination_county(), "330106");
  EXPECT_THAT(f.evidence(), ElementsAre(1u));  // the opened entry
  EXPECT_EQ(FromProto(f.raised_at()), At(0));
  EXPECT_FALSE(f.has_due_at());
  EXPECT_THAT(f.enterprises(),
              UnorderedElementsAre(generator_, carrier_, hangzhou_));
  EXPECT_THAT(f.detail(), HasSubstr("嘉兴市"));
  EXPECT_THAT(f.detail(), HasSubstr("(330106)"));
  ASSERT_EQ(f.history_size(), 1);
  EXPECT_EQ(f.history(0).state(), v1::FLAG_STATE_OPEN);
  // The in-city alternatives were looked for in the origin's city unit.
  EXPECT_THAT(registry_.city_queries(), ElementsAre("3304"));
}

TEST_F(CrossCityRuleTest, HighWhenALicensedInCityReceiverHasCapacity) {
  AddHaining();
  const v1::Flag f = OnlyCrossCityFlag(Open(generator_, hangzhou_).next);
  EXPECT_EQ(f.severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(f.detail(), HasSubstr(haining_));
}

TEST_F(CrossCityRuleTest, MediumWhenTheInCityLicenceHasExpired) {
  AddHaining({MakeLicence({"HW08", "900-041-49"}, 10000, "2026-06-02")});
  const v1::Flag f = OnlyCrossCityFlag(Open(generator_, hangzhou_).next);
  EXPECT_EQ(f.severity(), v1::SEVERITY_MEDIUM);
  EXPECT_THAT(f.detail(), Not(HasSubstr(haining_)));
}

TEST_F(CrossCityRuleTest, MediumWhenTheInCityLicenceMissesACode) {
  AddHaining({MakeLicence({"HW08"}, 10000, "2027-12-31")});
  EXPECT_EQ(OnlyCrossCityFlag(Open(generator_, hangzhou_).next).severity(),
            v1::SEVERITY_MEDIUM);
}

TEST_F(CrossCityRuleTest, MediumWhenTheInCityReceiverIsFullThisYear) {
  AddHaining({MakeLicence({"HW08", "HW49"}, 2000, "2027-12-31")});
  registry_.SetAcceptedGrams(haining_, 2026, 800 * kKg);  // + 1250 > 2000
  EXPECT_EQ(OnlyCrossCityFlag(Open(generator_, hangzhou_).next).severity(),
            v1::SEVERITY_MEDIUM);
}

TEST_F(CrossCityRuleTest, HighWhenTheLoadJustFillsTheInCityCapacity) {
  AddHaining({MakeLicence({"HW08", "HW49"}, 2000, "2027-12-31")});
  registry_.SetAcceptedGrams(haining_, 2026, 750 * kKg);   // + 1250 = 2000
  registry_.SetAcceptedGrams(haining_, 2025, 2000 * kKg);  // last year
  EXPECT_EQ(OnlyCrossCityFlag(Open(generator_, hangzhou_).next).severity(),
            v1::SEVERITY_HIGH);
}

TEST_F(CrossCityRuleTest, TheGeneratorIsNotItsOwnInCityAlternative) {
  const std::string dual = Uscc("91330402MA2F00008");
  registry_.Add(MakeEnterprise(dual, "嘉兴某综合利用有限公司", "330402",
                               {v1::ROLE_GENERATOR, v1::ROLE_RECEIVER}, {},
                               {GoodLicence()}));
  EXPECT_EQ(OnlyCrossCityFlag(Open(dual, hangzhou_).next).severity(),
            v1::SEVERITY_MEDIUM);
}

// A collector in the city is no in-city treatment capacity: what it
// collects leaves again on its own manifests (docs/COLLECTION.md).
TEST_F(CrossCityRuleTest, AnInCityCollectorIsNoAlternative) {
  const std::string collector = Uscc("91330411MA2F00009");
  registry_.Add(MakeEnterprise(collector, "嘉兴秀洲危废收集有限公司", "330411",
                               {v1::ROLE_COLLECTOR, v1::ROLE_RECEIVER}, {},
                               {GoodLicence()}));
  const v1::Flag f = OnlyCrossCityFlag(Open(generator_, hangzhou_).next);
  EXPECT_EQ(f.severity(), v1::SEVERITY_MEDIUM);
  EXPECT_THAT(f.detail(), Not(HasSubstr(collector)));
}

TEST_F(CrossCityRuleTest, BeijingDistrictsAreOneCity) {
  EXPECT_THAT(
      FlagsOf(OpenBetween("110101", "110105"), v1::FLAG_KIND_CROSS_CITY),
      IsEmpty());
}

TEST_F(CrossCityRuleTest, ChongqingDistrictsAndCountiesAreOneCity) {
  EXPECT_THAT(
      FlagsOf(OpenBetween("500101", "500229"), v1::FLAG_KIND_CROSS_CITY),
      IsEmpty());
}

TEST_F(CrossCityRuleTest, ProvinceAdministeredCountiesAreEachTheirOwnCity) {
  const v1::Flag f = OnlyCrossCityFlag(OpenBetween("419001", "419002"));
  EXPECT_EQ(f.origin_county(), "419001");
  EXPECT_EQ(f.destination_county(), "419002");
  EXPECT_THAT(registry_.city_queries(), ElementsAre("419001"));
}

TEST_F(CrossCityRuleTest, DevelopmentZoneBelongsToItsCity) {
  EXPECT_THAT(
      FlagsOf(OpenBetween("330371", "330302"), v1::FLAG_KIND_CROSS_CITY),
      IsEmpty());
}

TEST_F(CrossCityRuleTest, RerouteToAnotherCityRaisesForTheNewDestination) {
  v1::Manifest m = Delivered(OpenRequest(generator_, hangzhou_));
  ASSERT_THAT(FlagsOf(m, v1::FLAG_KIND_CROSS_CITY), SizeIs(1));
  m = ReceiveAll(m, At(70), v1::LineReceipt::DECISION_REJECT).next;
  ASSERT_EQ(m.status(), v1::MANIFEST_STATUS_REJECTED);
  const Decision d = Reroute(m, huzhou_, At(80));
  EXPECT_THAT(RaisedKinds(d), ElementsAre(v1::FLAG_KIND_CROSS_CITY));
  const std::vector<v1::Flag> flags = FlagsOf(d.next, v1::FLAG_KIND_CROSS_CITY);
  ASSERT_THAT(flags, SizeIs(2));
  const v1::Flag& f = flags[1];
  EXPECT_EQ(f.id(), FlagId(2));
  EXPECT_EQ(f.destination(), 1);
  EXPECT_EQ(f.origin_county(), "330402");
  EXPECT_EQ(f.destination_city(), "3305");
  EXPECT_EQ(f.destination_county(), "330502");
  EXPECT_THAT(f.evidence(), ElementsAre(m.version() + 1));
  EXPECT_THAT(f.enterprises(), Contains(huzhou_));
  EXPECT_EQ(flags[0].destination(), 0);
}

TEST_F(CrossCityRuleTest, RerouteBackToTheGeneratorRaisesNothing) {
  v1::Manifest m = Delivered(OpenRequest(generator_, hangzhou_));
  m = ReceiveAll(m, At(70), v1::LineReceipt::DECISION_REJECT).next;
  const Decision d = Reroute(m, generator_, At(80));
  ASSERT_TRUE(d.next.destinations(1).returned_to_generator());
  EXPECT_THAT(RaisedKinds(d), IsEmpty());
  EXPECT_EQ(d.next.flags_size(), m.flags_size());
}

// ---------------------------------------------------------------------------
// CROSS_PROVINCE_UNAPPROVED

class CrossProvinceRuleTest : public FlagRulesTest {
 protected:
  v1::Approval Approval(std::vector<std::string> codes = {"HW08", "HW49"},
                        absl::string_view from = "2026-01-01",
                        absl::string_view until = "2026-12-31") {
    return MakeApproval(generator_, suzhou_, std::move(codes), 5000, from,
                        until);
  }
};

TEST_F(CrossProvinceRuleTest, RaisedFromJiaxingToSuzhouWithoutApproval) {
  const Decision d = Open(generator_, suzhou_);
  EXPECT_THAT(RaisedKinds(d),
              ElementsAre(v1::FLAG_KIND_CROSS_CITY,
                          v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED));
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED);
  ASSERT_THAT(flags, SizeIs(1));
  const v1::Flag& f = flags[0];
  EXPECT_EQ(f.id(), FlagId(2));
  EXPECT_EQ(f.severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(f.destination(), 0);
  EXPECT_EQ(f.origin_city(), "3304");
  EXPECT_EQ(f.origin_county(), "330402");
  EXPECT_EQ(f.destination_city(), "3205");
  EXPECT_EQ(f.destination_county(), "320506");
  EXPECT_THAT(f.evidence(), ElementsAre(1u));
  EXPECT_THAT(f.detail(), HasSubstr("no approval"));
  EXPECT_EQ(d.next.approval(), "");
  EXPECT_EQ(FindApprovalApplied(d), nullptr);
}

TEST_F(CrossProvinceRuleTest, NotRaisedInsideZhejiang) {
  EXPECT_THAT(FlagsOf(Open(generator_, hangzhou_).next,
                      v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED),
              IsEmpty());
}

TEST_F(CrossProvinceRuleTest, ValidApprovalIsAppliedInsteadOfAFlag) {
  const v1::Approval a = Approval();
  registry_.AddApproval(a);
  const Decision d = Open(generator_, suzhou_);
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED),
              IsEmpty());
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_CROSS_CITY),
              SizeIs(1));  // still cross-city
  const ledger::v1::ManifestEvent* applied = FindApprovalApplied(d);
  ASSERT_NE(applied, nullptr);
  EXPECT_EQ(applied->approval_applied().number(), a.number());
  EXPECT_EQ(applied->approval_applied().grams(), 1250 * kKg);
  EXPECT_EQ(d.next.approval(), a.number());
}

TEST_F(CrossProvinceRuleTest, ApprovalFilledExactlyIsStillValid) {
  const v1::Approval a = Approval();
  registry_.AddApproval(a);
  registry_.SetApprovalUsedGrams(a.number(), 3750 * kKg);  // + 1250 = 5000
  const Decision d = Open(generator_, suzhou_);
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED),
              IsEmpty());
  EXPECT_EQ(d.next.approval(), a.number());
}

TEST_F(CrossProvinceRuleTest, RaisedWhenTheApprovalHasExpired) {
  registry_.AddApproval(Approval({"HW08", "HW49"}, "2025-07-01", "2026-06-02"));
  const Decision d = Open(generator_, suzhou_);
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0].detail(), HasSubstr("is not valid on 2026-06-03"));
  EXPECT_EQ(FindApprovalApplied(d), nullptr);
  EXPECT_EQ(d.next.approval(), "");
}

TEST_F(CrossProvinceRuleTest, RaisedWhenTheApprovalIsNotYetValid) {
  registry_.AddApproval(Approval({"HW08", "HW49"}, "2026-06-04", "2027-06-03"));
  const Decision d = Open(generator_, suzhou_);
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED),
              SizeIs(1));
  EXPECT_EQ(FindApprovalApplied(d), nullptr);
}

TEST_F(CrossProvinceRuleTest, RaisedWhenTheApprovalMissesACode) {
  registry_.AddApproval(Approval({"HW08"}));
  const std::vector<v1::Flag> flags = FlagsOf(
      Open(generator_, suzhou_).next, v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0].detail(), HasSubstr("does not cover"));
}

TEST_F(CrossProvinceRuleTest, RaisedWhenTheLoadWouldExceedTheApproval) {
  const v1::Approval a = Approval();
  registry_.AddApproval(a);
  registry_.SetApprovalUsedGrams(a.number(), 3751 * kKg);  // + 1250 > 5000
  const Decision d = Open(generator_, suzhou_);
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0].detail(), HasSubstr("exceeded"));
  EXPECT_EQ(d.next.approval(), "");
}

TEST_F(CrossProvinceRuleTest, ApprovalForAnotherReceiverDoesNotCount) {
  registry_.AddApproval(MakeApproval(generator_, hangzhou_, {"HW08", "HW49"},
                                     5000, "2026-01-01", "2026-12-31"));
  EXPECT_THAT(FlagsOf(Open(generator_, suzhou_).next,
                      v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED),
              SizeIs(1));
}

// ---------------------------------------------------------------------------
// UNLICENSED_RECEIVER

class UnlicensedReceiverRuleTest : public FlagRulesTest {
 protected:
  std::vector<v1::Flag> UnlicensedFlags(absl::Time now = At(0)) {
    return FlagsOf(Open(generator_, haining_, now).next,
                   v1::FLAG_KIND_UNLICENSED_RECEIVER);
  }
};

TEST_F(UnlicensedReceiverRuleTest, NotRaisedForACoveredLoad) {
  AddHaining();
  EXPECT_THAT(UnlicensedFlags(), IsEmpty());
}

TEST_F(UnlicensedReceiverRuleTest, RaisedWithoutALicence) {
  AddHaining({});
  const std::vector<v1::Flag> flags = UnlicensedFlags();
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].id(), FlagId(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(flags[0].state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(flags[0].destination(), 0);
  EXPECT_EQ(flags[0].destination_county(), "330481");
  EXPECT_EQ(flags[0].destination_city(), "3304");
  EXPECT_THAT(flags[0].evidence(), ElementsAre(1u));
  EXPECT_THAT(flags[0].detail(), HasSubstr("900-249-08, 900-041-49"));
}

TEST_F(UnlicensedReceiverRuleTest, RaisedWhenTheLicenceHasExpired) {
  AddHaining({MakeLicence({"HW08", "HW49"}, 10000, "2026-06-02")});
  EXPECT_THAT(UnlicensedFlags(), SizeIs(1));
}

TEST_F(UnlicensedReceiverRuleTest, LicenceIsValidOnItsLastDay) {
  AddHaining({MakeLicence({"HW08", "HW49"}, 10000, "2026-06-03")});
  EXPECT_THAT(UnlicensedFlags(), IsEmpty());
}

TEST_F(UnlicensedReceiverRuleTest, ExpiryIsJudgedOnTheDateInChina) {
  AddHaining({MakeLicence({"HW08", "HW49"}, 10000, "2026-06-02")});
  // 2026-06-02 16:30 UTC is already 2026-06-03 in China.
  const absl::Time now = absl::FromCivil(
      absl::CivilSecond(2026, 6, 2, 16, 30, 0), absl::UTCTimeZone());
  EXPECT_THAT(UnlicensedFlags(now), SizeIs(1));
}

TEST_F(UnlicensedReceiverRuleTest, RaisedWhenACodeIsNotCovered) {
  AddHaining({MakeLicence({"HW08"}, 10000, "2027-12-31")});
  const std::vector<v1::Flag> flags = UnlicensedFlags();
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0].detail(), HasSubstr("900-041-49"));
  EXPECT_THAT(flags[0].detail(), Not(HasSubstr("900-249-08")));
}

TEST_F(UnlicensedReceiverRuleTest, CategoriesCoverTheirCodes) {
  AddHaining({MakeLicence({"HW08", "HW49"}, 10000, "2027-12-31")});
  EXPECT_THAT(UnlicensedFlags(), IsEmpty());
}

TEST_F(UnlicensedReceiverRuleTest, AnotherCategoryDoesNotCover) {
  AddHaining({MakeLicence({"HW08", "HW48"}, 10000, "2027-12-31")});
  EXPECT_THAT(UnlicensedFlags(), SizeIs(1));
}

TEST_F(UnlicensedReceiverRuleTest, RaisedWhenTheLoadExceedsTheYearsCapacity) {
  AddHaining({MakeLicence({"HW08", "HW49"}, 2000, "2027-12-31")});
  registry_.SetAcceptedGrams(haining_, 2026, 751 * kKg);  // + 1250 > 2000
  const std::vector<v1::Flag> flags = UnlicensedFlags();
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0].detail(), HasSubstr("exceeds"));
}

TEST_F(UnlicensedReceiverRuleTest, NotRaisedWhenTheLoadFillsTheCapacity) {
  AddHaining({MakeLicence({"HW08", "HW49"}, 2000, "2027-12-31")});
  registry_.SetAcceptedGrams(haining_, 2026, 750 * kKg);   // + 1250 = 2000
  registry_.SetAcceptedGrams(haining_, 2025, 2000 * kKg);  // last year
  EXPECT_THAT(UnlicensedFlags(), IsEmpty());
}

TEST_F(UnlicensedReceiverRuleTest, RaisedForAnUnlicensedAlternateReceiver) {
  AddHaining();
  AddJiashan({});
  v1::Manifest m = Delivered(OpenRequest(generator_, haining_));
  ASSERT_EQ(m.flags_size(), 0);
  m = ReceiveAll(m, At(70), v1::LineReceipt::DECISION_REJECT).next;
  const Decision d = Reroute(m, jiashan_, At(80));
  EXPECT_THAT(RaisedKinds(d), ElementsAre(v1::FLAG_KIND_UNLICENSED_RECEIVER));
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_UNLICENSED_RECEIVER);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].destination(), 1);
  EXPECT_EQ(flags[0].destination_county(), "330421");
}

// ---------------------------------------------------------------------------
// UNLICENSED_METHOD

class UnlicensedMethodRuleTest : public FlagRulesTest {
 protected:
  // Haining, licensed for both lines, to incinerate (D10) or re-refine oil
  // (R9) only.
  void SetUp() override {
    v1::Licence l = GoodLicence();
    l.add_methods("D10");
    l.add_methods("R9");
    AddHaining({l});
  }
  v1::Manifest Accepted() {
    return ReceiveAll(Delivered(OpenRequest(generator_, haining_)), At(70))
        .next;
  }
};

TEST_F(UnlicensedMethodRuleTest, NotRaisedForAnAllowedMethod) {
  const Decision d = Dispose(Accepted(), haining_,
                             {{1, 1000 * kKg}, {2, 250 * kKg}}, At(80), "R9");
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_UNLICENSED_METHOD), IsEmpty());
}

TEST_F(UnlicensedMethodRuleTest, RaisedForADisposalByAMethodTheLicenceLacks) {
  const Decision d =
      Dispose(Accepted(), haining_, {{1, 1000 * kKg}}, At(80), "D1");
  EXPECT_THAT(RaisedKinds(d), ElementsAre(v1::FLAG_KIND_UNLICENSED_METHOD));
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_UNLICENSED_METHOD);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(flags[0].destination(), 0);
  EXPECT_THAT(flags[0].detail(),
              HasSubstr("the reported method D1 for line 1 (900-249-08) is "
                        "not allowed by receiver"));
}

TEST_F(UnlicensedMethodRuleTest, RaisedForAnIntendedMethodTheLicenceLacks) {
  v1::OpenManifestRequest r = OpenRequest(generator_, haining_);
  r.set_method("D1");
  EXPECT_THAT(FlagsOf(Open(r, At(0)).next, v1::FLAG_KIND_UNLICENSED_METHOD),
              SizeIs(1));
  r.set_method("D10");
  EXPECT_THAT(FlagsOf(Open(r, At(0)).next, v1::FLAG_KIND_UNLICENSED_METHOD),
              IsEmpty());
}

TEST_F(UnlicensedMethodRuleTest, ALicenceWithoutMethodsAllowsAny) {
  AddHaining({GoodLicence()});  // granted before methods were recorded
  const Decision d = Dispose(Accepted(), haining_,
                             {{1, 1000 * kKg}, {2, 250 * kKg}}, At(80), "D1");
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_UNLICENSED_METHOD), IsEmpty());
}

// ---------------------------------------------------------------------------
// WRONG_RECEIVER

class WrongReceiverRuleTest : public FlagRulesTest {
 protected:
  WrongReceiverRuleTest() { AddHaining(); }

  v1::Manifest PickedUp() {
    return Pickup(Open(generator_, haining_).next, At(10)).next;
  }
};

TEST_F(WrongReceiverRuleTest, RaisedWhenAnotherRegisteredReceiverScans) {
  const v1::Manifest m = PickedUp();
  const Decision d = Deliver(m, hangzhou_, At(60));
  ASSERT_FALSE(d.events.empty());
  EXPECT_TRUE(d.events[0].has_misdelivered());
  EXPECT_EQ(d.next.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_WRONG_RECEIVER);
  ASSERT_THAT(flags, SizeIs(1));
  const v1::Flag& f = flags[0];
  EXPECT_EQ(f.id(), FlagId(1));
  EXPECT_EQ(f.severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(f.destination(), 0);
  EXPECT_EQ(f.destination_county(), "330481");  // the named receiver's
  EXPECT_THAT(f.evidence(), ElementsAre(m.version() + 1));
  EXPECT_THAT(f.enterprises(), Contains(hangzhou_));
  EXPECT_THAT(f.enterprises(), Contains(haining_));
  EXPECT_THAT(f.detail(), HasSubstr(hangzhou_));
}

TEST_F(WrongReceiverRuleTest, NotRaisedForTheNamedReceiver) {
  const Decision d = Deliver(PickedUp(), haining_, At(60));
  EXPECT_EQ(d.next.status(), v1::MANIFEST_STATUS_DELIVERED);
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_WRONG_RECEIVER), IsEmpty());
}

TEST_F(WrongReceiverRuleTest, ScanByAnUnregisteredEnterpriseIsRefused) {
  const v1::Manifest m = PickedUp();
  EXPECT_THAT(DecideDeliver(m, DeliverRequest(Uscc("91330402MA2G00009")),
                            registry_, At(60)),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_F(WrongReceiverRuleTest, SecondWrongScanIsNotRaisedAgain) {
  v1::Manifest m = Deliver(PickedUp(), hangzhou_, At(60)).next;
  const Decision again = Deliver(m, huzhou_, At(61));
  ASSERT_FALSE(again.events.empty());
  EXPECT_TRUE(again.events[0].has_misdelivered());
  EXPECT_THAT(RaisedKinds(again), IsEmpty());
  EXPECT_THAT(FlagsOf(again.next, v1::FLAG_KIND_WRONG_RECEIVER), SizeIs(1));
}

// ---------------------------------------------------------------------------
// QUANTITY_DISCREPANCY

class QuantityDiscrepancyRuleTest : public FlagRulesTest {
 protected:
  QuantityDiscrepancyRuleTest() { AddHaining(); }

  // 1000 kg of waste oil shipped, `grams` weighed and accepted on arrival.
  Decision Weighed(int64_t grams) {
    return Weighed({Line("900-249-08", 1000 * kKg)},
                   {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, grams)});
  }
  Decision Weighed(std::vector<v1::WasteLine> lines,
                   const std::vector<v1::LineReceipt>& receipts) {
    const v1::Manifest m =
        Delivered(OpenRequest(generator_, haining_, std::move(lines)));
    return Receive(m, receipts, At(70));
  }
};

TEST_F(QuantityDiscrepancyRuleTest, ExactlyFivePercentShortIsNotRaised) {
  EXPECT_THAT(RaisedKinds(Weighed(950 * kKg)), IsEmpty());
}

TEST_F(QuantityDiscrepancyRuleTest, MoreThanFivePercentShortIsHigh) {
  const Decision d = Weighed(949 * kKg);  // 5.1% missing
  EXPECT_THAT(RaisedKinds(d), ElementsAre(v1::FLAG_KIND_QUANTITY_DISCREPANCY));
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_QUANTITY_DISCREPANCY);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(flags[0].destination(), 0);
  EXPECT_EQ(flags[0].id(), FlagId(1));
  EXPECT_THAT(flags[0].evidence(), ElementsAre(4u));  // open, pickup,
                                                      // deliver, receive
  EXPECT_THAT(flags[0].detail(), HasSubstr("line 1"));
}

TEST_F(QuantityDiscrepancyRuleTest, ExactlyFivePercentOverIsNotRaised) {
  EXPECT_THAT(RaisedKinds(Weighed(1050 * kKg)), IsEmpty());
}

TEST_F(QuantityDiscrepancyRuleTest, MoreThanFivePercentOverIsMedium) {
  const std::vector<v1::Flag> flags =
      FlagsOf(Weighed(1051 * kKg).next, v1::FLAG_KIND_QUANTITY_DISCREPANCY);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_MEDIUM);
}

TEST_F(QuantityDiscrepancyRuleTest, ToleranceIsConfigurable) {
  config_.quantity_tolerance_bp = 100;  // 1%
  EXPECT_THAT(RaisedKinds(Weighed(990 * kKg)), IsEmpty());
  EXPECT_THAT(RaisedKinds(Weighed(989 * kKg)),
              ElementsAre(v1::FLAG_KIND_QUANTITY_DISCREPANCY));
  EXPECT_THAT(RaisedKinds(Weighed(960 * kKg)),
              ElementsAre(v1::FLAG_KIND_QUANTITY_DISCREPANCY));
}

TEST_F(QuantityDiscrepancyRuleTest, RejectedWasteCountsAsReceived) {
  const Decision d = Weighed(
      DefaultLines(),
      {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 800 * kKg),
       Receipt(1, v1::LineReceipt::DECISION_REJECT, 200 * kKg, "两桶渗漏"),
       Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)});
  EXPECT_EQ(d.next.status(), v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED);
  EXPECT_THAT(RaisedKinds(d), IsEmpty());
}

TEST_F(QuantityDiscrepancyRuleTest, ShortOnOneLineMakesTheFlagHigh) {
  const Decision d =
      Weighed(DefaultLines(),
              {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 900 * kKg),
               Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 300 * kKg)});
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_QUANTITY_DISCREPANCY);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(flags[0].detail(), HasSubstr("line 1"));
  EXPECT_THAT(flags[0].detail(), HasSubstr("line 2"));
}

// ---------------------------------------------------------------------------
// DIRECT_PAYMENT

class DirectPaymentRuleTest : public FlagRulesTest {
 protected:
  DirectPaymentRuleTest() { AddHaining(); }
};

TEST_F(DirectPaymentRuleTest, PaymentToTheReceiverIsNotFlagged) {
  const v1::Manifest m = Open(generator_, haining_).next;
  const Decision d = Pay(m, haining_, 350000, At(5));
  EXPECT_EQ(d.next.payments_size(), 1);
  EXPECT_THAT(RaisedKinds(d), IsEmpty());
}

TEST_F(DirectPaymentRuleTest, PaymentToTheCarrierIsFlaggedByPaymentIndex) {
  v1::Manifest m = Open(generator_, haining_).next;
  m = Pay(m, haining_, 350000, At(5)).next;
  const Decision d = Pay(m, carrier_, 120050, At(6));
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_DIRECT_PAYMENT);
  ASSERT_THAT(flags, SizeIs(1));
  const v1::Flag& f = flags[0];
  EXPECT_EQ(f.id(), FlagId(1));
  EXPECT_EQ(f.severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(f.destination(), 1);  // the second payment
  EXPECT_THAT(f.evidence(), ElementsAre(m.version() + 1));
  EXPECT_THAT(f.enterprises(), Contains(carrier_));
  EXPECT_THAT(f.detail(), HasSubstr("1200.50 CNY"));
  EXPECT_THAT(f.detail(), HasSubstr(carrier_));
}

TEST_F(DirectPaymentRuleTest, TwoBadPaymentsGiveTwoFlags) {
  v1::Manifest m = Open(generator_, haining_).next;
  m = Pay(m, carrier_, 100000, At(5)).next;
  const Decision d = Pay(m, "330402199001011234", 50000, At(6));
  EXPECT_THAT(RaisedKinds(d), ElementsAre(v1::FLAG_KIND_DIRECT_PAYMENT));
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_DIRECT_PAYMENT);
  ASSERT_THAT(flags, SizeIs(2));
  EXPECT_EQ(flags[0].id(), FlagId(1));
  EXPECT_EQ(flags[0].destination(), 0);
  EXPECT_EQ(flags[1].id(), FlagId(2));
  EXPECT_EQ(flags[1].destination(), 1);
  EXPECT_THAT(flags[1].enterprises(), Contains("330402199001011234"));
}

// ---------------------------------------------------------------------------
// The engine: one flag per kind and subject.

class FlagEngineTest : public FlagRulesTest {};

TEST_F(FlagEngineTest, RunningTheRulesAgainRaisesNothingNew) {
  v1::Manifest before;
  before.set_number(kNumber);
  Decision d = Open(generator_, hangzhou_);
  ASSERT_EQ(d.next.flags_size(), 1);
  const size_t events = d.events.size();
  ASSERT_TRUE(AddEventFlags(before, registry_, config_, At(0), &d).ok());
  EXPECT_EQ(d.events.size(), events);
  EXPECT_EQ(d.next.flags_size(), 1);
}

TEST_F(FlagEngineTest, LaterDecisionDoesNotRepeatCrossCity) {
  const v1::Manifest m = Open(generator_, hangzhou_).next;
  const Decision d = Pickup(m, At(10));
  EXPECT_THAT(RaisedKinds(d), IsEmpty());
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_CROSS_CITY), SizeIs(1));
}

// ---------------------------------------------------------------------------
// Deadline rules (config_: transit 2h, receipt 2 working days, disposal 24h).

class TransitOverdueRuleTest : public FlagRulesTest {
 protected:
  TransitOverdueRuleTest() { AddHaining(); }

  // Picked up at At(10): due at At(130).
  v1::Manifest PickedUp() {
    return Pickup(Open(generator_, haining_).next, At(10)).next;
  }
};

TEST_F(TransitOverdueRuleTest, NoDeadlineBeforePickup) {
  EXPECT_THAT(DueDates(Open(generator_, haining_).next, config_), IsEmpty());
}

TEST_F(TransitOverdueRuleTest, DueExactlyAtPickupPlusTheLimit) {
  const std::vector<DueDate> due = DueDates(PickedUp(), config_);
  ASSERT_THAT(due, SizeIs(1));
  EXPECT_EQ(due[0].kind, v1::FLAG_KIND_TRANSIT_OVERDUE);
  EXPECT_EQ(due[0].subject, 0);
  EXPECT_EQ(due[0].due, At(130));
}

TEST_F(TransitOverdueRuleTest, SweepRaisesOnceAtTheDeadline) {
  const v1::Manifest m = PickedUp();
  const Decision early = SweepDeadlines(m, config_, At(130) - absl::Seconds(1));
  EXPECT_THAT(early.events, IsEmpty());
  EXPECT_EQ(early.next.flags_size(), 0);
  EXPECT_EQ(early.next.version(), m.version());

  const Decision swept = SweepDeadlines(m, config_, At(130));
  ASSERT_THAT(swept.events, SizeIs(1));
  EXPECT_EQ(swept.next.version(), m.version() + 1);
  ASSERT_EQ(swept.next.flags_size(), 1);
  const v1::Flag& f = swept.next.flags(0);
  EXPECT_EQ(f.id(), FlagId(1));
  EXPECT_EQ(f.kind(), v1::FLAG_KIND_TRANSIT_OVERDUE);
  EXPECT_EQ(f.severity(), v1::SEVERITY_MEDIUM);
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(f.destination(), 0);
  EXPECT_EQ(f.origin_county(), "330402");
  EXPECT_EQ(f.destination_county(), "330481");
  EXPECT_THAT(f.evidence(), ElementsAre(m.version()));  // the pickup
  EXPECT_EQ(FromProto(f.due_at()), At(130));
  EXPECT_EQ(FromProto(f.raised_at()), At(130));

  EXPECT_THAT(SweepDeadlines(swept.next, config_, At(300)).events, IsEmpty());
  EXPECT_THAT(DueDates(swept.next, config_), IsEmpty());
}

TEST_F(TransitOverdueRuleTest, LateSweepRecordsTheDeadlineNotTheSweep) {
  const Decision swept = SweepDeadlines(PickedUp(), config_, At(500));
  ASSERT_EQ(swept.next.flags_size(), 1);
  EXPECT_EQ(FromProto(swept.next.flags(0).due_at()), At(130));
  EXPECT_EQ(FromProto(swept.next.flags(0).raised_at()), At(500));
}

TEST_F(TransitOverdueRuleTest, ClearedByTheDelivery) {
  const v1::Manifest swept = SweepDeadlines(PickedUp(), config_, At(130)).next;
  const Decision d = Deliver(swept, haining_, At(200));
  EXPECT_THAT(ClearedIds(d), ElementsAre(FlagId(1)));
  ASSERT_EQ(d.next.flags_size(), 1);
  const v1::Flag& f = d.next.flags(0);
  EXPECT_EQ(f.state(), v1::FLAG_STATE_CLEARED);
  ASSERT_EQ(f.history_size(), 2);
  EXPECT_EQ(f.history(1).state(), v1::FLAG_STATE_CLEARED);
  EXPECT_FALSE(IsOpen(f));
  // The next deadline starts running.
  const std::vector<DueDate> due = DueDates(d.next, config_);
  ASSERT_THAT(due, SizeIs(1));
  EXPECT_EQ(due[0].kind, v1::FLAG_KIND_RECEIPT_OVERDUE);
}

TEST_F(TransitOverdueRuleTest, AWrongDeliveryDoesNotClearIt) {
  const v1::Manifest swept = SweepDeadlines(PickedUp(), config_, At(130)).next;
  const Decision d = Deliver(swept, hangzhou_, At(200));
  EXPECT_THAT(ClearedIds(d), IsEmpty());
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_TRANSIT_OVERDUE);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].state(), v1::FLAG_STATE_OPEN);
}

// PLAN_DEVIATION (docs/PLANS.md): the generator's 2026 plan sends 2 t of
// waste oil and 1 t of rags a year to Hangzhou, and nothing to Huzhou.
class PlanDeviationRuleTest : public FlagRulesTest {
 protected:
  static constexpr char kPlan[] = "330402-2026-0001";
  static constexpr int64_t kTonne = 1000 * kKg;

  PlanDeviationRuleTest() {
    v1::ManagementPlan p;
    p.set_number(kPlan);
    p.set_generator(generator_);
    p.set_year(2026);
    p.set_tier(v1::GENERATOR_TIER_KEY);
    for (const auto& [code, grams] :
         {std::pair<const char*, int64_t>{"900-249-08", 2 * kTonne},
          {"900-041-49", kTonne}}) {
      v1::PlanLine* l = p.add_lines();
      l->set_code(code);
      l->set_expected_g(grams);
      v1::PlannedTransfer* t = l->add_transfers();
      t->set_receiver(hangzhou_);
      t->set_quantity_g(grams);
    }
    registry_.AddPlan(p);
  }

  Decision OpenUnderPlan(const std::string& receiver,
                         const std::string& plan = kPlan) {
    v1::OpenManifestRequest r = OpenRequest(generator_, receiver);
    r.mutable_dispatch()->set_plan_number(plan);
    return Open(r, At(0));
  }

  Decision Cancel(const v1::Manifest& m, absl::Time now) {
    v1::CancelManifestRequest r;
    *r.mutable_meta() = Meta("cancel-1");
    r.set_number(kNumber);
    r.set_generator(generator_);
    r.set_reason("开错了");
    return Flagged(m, DecideCancel(m, r, now), now);
  }

  // (code, receiver, grams) of each plan_applied event of `d`, in order.
  static std::vector<std::tuple<std::string, std::string, int64_t>> Applied(
      const Decision& d) {
    std::vector<std::tuple<std::string, std::string, int64_t>> out;
    for (const ledger::v1::ManifestEvent& e : d.events) {
      if (!e.has_plan_applied()) continue;
      EXPECT_EQ(e.plan_applied().number(), kPlan);
      out.emplace_back(e.plan_applied().code(), e.plan_applied().receiver(),
                       e.plan_applied().grams());
    }
    return out;
  }
};

TEST_F(PlanDeviationRuleTest, AShipmentWithinItsPlanIsCountedAndNotFlagged) {
  const Decision d = OpenUnderPlan(hangzhou_);
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_PLAN_DEVIATION), IsEmpty());
  EXPECT_THAT(Applied(d),
              UnorderedElementsAre(
                  std::make_tuple("900-249-08", hangzhou_, 1000 * kKg),
                  std::make_tuple("900-041-49", hangzhou_, 250 * kKg)));
  ASSERT_EQ(d.next.plan_counts_size(), 2);
  // Nothing more is counted as the load goes on.
  const Decision picked = Pickup(d.next, At(10));
  EXPECT_THAT(Applied(picked), IsEmpty());
  EXPECT_EQ(picked.next.plan_counts_size(), 2);
}

TEST_F(PlanDeviationRuleTest, OverThePlanWithWhatOtherManifestsShipped) {
  registry_.SetPlanShippedGrams(kPlan, "900-249-08", hangzhou_, 1500 * kKg);
  const Decision d = OpenUnderPlan(hangzhou_);
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_PLAN_DEVIATION);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].destination(), 0);
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_MEDIUM);
  EXPECT_THAT(flags[0].detail(),
              AllOf(HasSubstr("900-249-08"), HasSubstr("2.5t shipped"),
                    HasSubstr("2t plan")));
  // Counted all the same: the load goes on.
  EXPECT_THAT(Applied(d), SizeIs(2));
}

TEST_F(PlanDeviationRuleTest, AReceiverTheCodeIsNotPlannedForIsFlagged) {
  const Decision d = OpenUnderPlan(huzhou_);
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_PLAN_DEVIATION);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0].detail(),
              AllOf(HasSubstr(huzhou_), HasSubstr("does not plan for it"),
                    HasSubstr("900-249-08"), HasSubstr("900-041-49")));
}

TEST_F(PlanDeviationRuleTest, ACancelledManifestGivesBackWhatItCounted) {
  const Decision opened = OpenUnderPlan(hangzhou_);
  const Decision cancelled = Cancel(opened.next, At(5));
  EXPECT_THAT(Applied(cancelled),
              UnorderedElementsAre(
                  std::make_tuple("900-249-08", hangzhou_, -1000 * kKg),
                  std::make_tuple("900-041-49", hangzhou_, -250 * kKg)));
  EXPECT_THAT(cancelled.next.plan_counts(), IsEmpty());
}

// Rejected at Hangzhou and rerouted to Huzhou, which the plan does not
// name: the new destination is counted and flagged, the first stays.
TEST_F(PlanDeviationRuleTest, AReroutedLoadIsCountedAtItsNewReceiver) {
  v1::Manifest m = OpenUnderPlan(hangzhou_).next;
  m = Pickup(m, At(10)).next;
  m = Deliver(m, hangzhou_, At(60)).next;
  m = ReceiveAll(m, At(70), v1::LineReceipt::DECISION_REJECT).next;
  const Decision d = Reroute(m, huzhou_, At(80));
  EXPECT_THAT(
      Applied(d),
      UnorderedElementsAre(std::make_tuple("900-249-08", huzhou_, 1000 * kKg),
                           std::make_tuple("900-041-49", huzhou_, 250 * kKg)));
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_PLAN_DEVIATION);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].destination(), 1);
}

TEST_F(PlanDeviationRuleTest, AManifestNamingNoPlanCountsNothing) {
  const Decision d = Open(generator_, hangzhou_);
  EXPECT_THAT(Applied(d), IsEmpty());
  EXPECT_THAT(d.next.plan_counts(), IsEmpty());
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_PLAN_DEVIATION), IsEmpty());
}

// At opening a plan the manifest cannot name is a refusal naming the
// field: not filed, another generator's, or another year's.
TEST_F(PlanDeviationRuleTest, OpeningUnderAPlanItCannotNameIsRefused) {
  v1::OpenManifestRequest r = OpenRequest(generator_, hangzhou_);
  r.mutable_dispatch()->set_plan_number("330402-2026-0002");
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("dispatch.plan_number 330402-2026-0002")));
  r.mutable_dispatch()->set_plan_number(kPlan);
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, China(2027, 1, 4, 9)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the plan for 2026")));
  r.set_paper_date("2026-12-30");  // a back-fill counts in its paper's year
  EXPECT_TRUE(DecideOpen(r, registry_, kNumber, China(2027, 1, 4, 9)).ok());
}

class ReceiptOverdueRuleTest : public FlagRulesTest {
 protected:
  ReceiptOverdueRuleTest() { AddHaining(); }

  v1::Manifest DeliveredAt(absl::Time picked_up, absl::Time delivered) {
    v1::Manifest m = Open(generator_, haining_, picked_up).next;
    m = Pickup(m, picked_up).next;
    return Deliver(m, haining_, delivered).next;
  }
};

TEST_F(ReceiptOverdueRuleTest, CountedInWorkingDays) {
  // Delivered Thursday 2026-06-18; Friday 06-19 is the Dragon Boat holiday,
  // so the 2 working days are Monday 22 and Tuesday 23.
  const v1::Manifest m =
      DeliveredAt(China(2026, 6, 18, 8), China(2026, 6, 18, 15));
  const absl::Time due = China(2026, 6, 24);
  const std::vector<DueDate> dates = DueDates(m, config_);
  ASSERT_THAT(dates, SizeIs(1));
  EXPECT_EQ(dates[0].kind, v1::FLAG_KIND_RECEIPT_OVERDUE);
  EXPECT_EQ(dates[0].subject, 0);
  EXPECT_EQ(dates[0].due, due);

  EXPECT_THAT(SweepDeadlines(m, config_, due - absl::Seconds(1)).events,
              IsEmpty());
  const Decision swept = SweepDeadlines(m, config_, due);
  ASSERT_EQ(swept.next.flags_size(), 1);
  const v1::Flag& f = swept.next.flags(0);
  EXPECT_EQ(f.kind(), v1::FLAG_KIND_RECEIPT_OVERDUE);
  EXPECT_EQ(f.severity(), v1::SEVERITY_MEDIUM);
  EXPECT_EQ(f.destination(), 0);
  EXPECT_EQ(FromProto(f.due_at()), due);
  EXPECT_THAT(f.evidence(), ElementsAre(m.version()));
}

TEST_F(ReceiptOverdueRuleTest, DefaultLimitIsFiveWorkingDays) {
  // Wednesday 2026-09-30: National Day follows; the 5th working day is
  // Tuesday 2026-10-13.
  const v1::Manifest m =
      DeliveredAt(China(2026, 9, 30, 8), China(2026, 9, 30, 15));
  const std::vector<DueDate> dates = DueDates(m, FlagConfig());
  ASSERT_THAT(dates, SizeIs(1));
  EXPECT_EQ(dates[0].kind, v1::FLAG_KIND_RECEIPT_OVERDUE);
  EXPECT_EQ(dates[0].due, China(2026, 10, 14));
}

// Delivered on 2026-12-28: the fifth working day is in 2027, a year the
// built-in calendar does not hold. The deadline is not guessed: it is
// pending from 2027-01-01, never raised while undated, and said to be so;
// once the year is added it is dated and raised as any other.
TEST_F(ReceiptOverdueRuleTest, ADeadlineIntoAYearTheCalendarLacksIsNotGuessed) {
  const v1::Manifest m =
      DeliveredAt(China(2026, 12, 28, 8), China(2026, 12, 28, 15));
  const FlagConfig builtin;
  const std::vector<DueDate> dates = DueDates(m, builtin);
  ASSERT_THAT(dates, SizeIs(1));
  EXPECT_EQ(dates[0].due, China(2027, 1, 1));  // when to look again
  EXPECT_THAT(UndatedDeadlines(m, builtin, China(2026, 12, 31, 23)), IsEmpty());
  EXPECT_THAT(UndatedDeadlines(m, builtin, China(2027, 1, 1)),
              ElementsAre(AllOf(HasSubstr("RECEIPT_OVERDUE"),
                                HasSubstr(m.number()), HasSubstr("no 2027"))));
  EXPECT_THAT(SweepDeadlines(m, builtin, China(2027, 3, 1)).events, IsEmpty());

  absl::StatusOr<WorkCalendar> year =
      WorkCalendar::Parse("year 2027\nholiday 2027-01-01\n");
  ASSERT_TRUE(year.ok()) << year.status();
  WorkCalendar with_2027 = WorkCalendar::Builtin();
  with_2027.Add(*year);
  FlagConfig added;
  added.calendar = &with_2027;
  // 12-29, 30, 31, (01-01 off) 01-04, 01-05: due at the end of the 5th.
  ASSERT_THAT(DueDates(m, added), SizeIs(1));
  EXPECT_EQ(DueDates(m, added)[0].due, China(2027, 1, 6));
  EXPECT_THAT(UndatedDeadlines(m, added, China(2027, 3, 1)), IsEmpty());
  const Decision swept = SweepDeadlines(m, added, China(2027, 1, 6));
  ASSERT_EQ(swept.next.flags_size(), 1);
  EXPECT_EQ(swept.next.flags(0).kind(), v1::FLAG_KIND_RECEIPT_OVERDUE);
}

// A limit longer than a year still waits from the first day the calendar
// does not hold, however far its start is from that day.
TEST_F(ReceiptOverdueRuleTest, ALongLimitWaitsFromTheFirstYearNotHeld) {
  const v1::Manifest m =
      DeliveredAt(China(2025, 10, 8, 8), China(2025, 10, 8, 15));
  FlagConfig config = config_;
  config.receipt.duration = absl::ZeroDuration();
  config.receipt.working_days = 366;
  const std::vector<DueDate> dates = DueDates(m, config);
  ASSERT_THAT(dates, SizeIs(1));
  EXPECT_EQ(dates[0].due, China(2027, 1, 1));
  EXPECT_THAT(SweepDeadlines(m, config, China(2026, 12, 31, 23)).events,
              IsEmpty());
}

TEST_F(ReceiptOverdueRuleTest, ClearedByTheReceipt) {
  const v1::Manifest m =
      DeliveredAt(China(2026, 6, 18, 8), China(2026, 6, 18, 15));
  const v1::Manifest swept =
      SweepDeadlines(m, config_, China(2026, 6, 24)).next;
  ASSERT_EQ(swept.flags_size(), 1);
  const Decision d = ReceiveAll(swept, China(2026, 6, 24, 10));
  EXPECT_THAT(ClearedIds(d), ElementsAre(FlagId(1)));
  EXPECT_EQ(d.next.flags(0).state(), v1::FLAG_STATE_CLEARED);
  EXPECT_EQ(d.next.flags(0).history_size(), 2);
}

class MissingDisposalRuleTest : public FlagRulesTest {
 protected:
  MissingDisposalRuleTest() {
    AddHaining();
    AddJiashan();
  }
};

TEST_F(MissingDisposalRuleTest,
       RaisedPerDestinationAndClearedWhenAllIsDisposed) {
  // Haining accepts 800 + 250 kg at At(70) and rejects 200 kg, which goes to
  // Jiashan and is accepted there at At(130).
  v1::Manifest m = Delivered(OpenRequest(generator_, haining_));
  m = Receive(
          m,
          {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 800 * kKg),
           Receipt(1, v1::LineReceipt::DECISION_REJECT, 200 * kKg, "两桶渗漏"),
           Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)},
          At(70))
          .next;
  m = Reroute(m, jiashan_, At(80)).next;
  m = Deliver(m, jiashan_, At(120)).next;
  m = ReceiveAll(m, At(130)).next;
  ASSERT_EQ(m.flags_size(), 0);
  std::vector<DueDate> dates = DueDates(m, config_);
  ASSERT_THAT(dates, SizeIs(2));
  EXPECT_EQ(dates[0].kind, v1::FLAG_KIND_MISSING_DISPOSAL);
  EXPECT_EQ(dates[0].subject, 0);
  EXPECT_EQ(dates[0].due, At(70 + 24 * 60));
  EXPECT_EQ(dates[1].kind, v1::FLAG_KIND_MISSING_DISPOSAL);
  EXPECT_EQ(dates[1].subject, 1);
  EXPECT_EQ(dates[1].due, At(130 + 24 * 60));

  // Haining's limit runs out first.
  Decision d = SweepDeadlines(m, config_, At(70 + 24 * 60));
  ASSERT_THAT(d.events, SizeIs(1));
  ASSERT_EQ(d.next.flags_size(), 1);
  EXPECT_EQ(d.next.flags(0).id(), FlagId(1));
  EXPECT_EQ(d.next.flags(0).kind(), v1::FLAG_KIND_MISSING_DISPOSAL);
  EXPECT_EQ(d.next.flags(0).severity(), v1::SEVERITY_HIGH);
  EXPECT_EQ(d.next.flags(0).destination(), 0);
  EXPECT_EQ(d.next.flags(0).destination_county(), "330481");
  EXPECT_THAT(d.next.flags(0).enterprises(), Contains(haining_));
  m = d.next;

  // Part of it disposed: still missing.
  d = Dispose(m, haining_, {{1, 800 * kKg}}, At(1520));
  EXPECT_THAT(ClearedIds(d), IsEmpty());
  EXPECT_EQ(d.next.flags(0).state(), v1::FLAG_STATE_OPEN);
  m = d.next;
  // All of it: cleared, while Jiashan's deadline still runs.
  d = Dispose(m, haining_, {{2, 250 * kKg}}, At(1530));
  EXPECT_THAT(ClearedIds(d), ElementsAre(FlagId(1)));
  EXPECT_EQ(d.next.flags(0).state(), v1::FLAG_STATE_CLEARED);
  m = d.next;
  dates = DueDates(m, config_);
  ASSERT_THAT(dates, SizeIs(1));
  EXPECT_EQ(dates[0].subject, 1);

  d = SweepDeadlines(m, config_, At(130 + 24 * 60));
  ASSERT_EQ(d.next.flags_size(), 2);
  const v1::Flag& jiashan = d.next.flags(1);
  EXPECT_EQ(jiashan.id(), FlagId(2));
  EXPECT_EQ(jiashan.kind(), v1::FLAG_KIND_MISSING_DISPOSAL);
  EXPECT_EQ(jiashan.destination(), 1);
  EXPECT_EQ(jiashan.destination_county(), "330421");
  m = d.next;

  d = Dispose(m, jiashan_, {{1, 200 * kKg}}, At(1580));
  EXPECT_THAT(ClearedIds(d), ElementsAre(FlagId(2)));
  EXPECT_EQ(d.next.status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_THAT(DueDates(d.next, config_), IsEmpty());
}

TEST_F(MissingDisposalRuleTest, NothingAcceptedNothingToDispose) {
  v1::Manifest m = Delivered(OpenRequest(generator_, haining_));
  m = ReceiveAll(m, At(70), v1::LineReceipt::DECISION_REJECT).next;
  EXPECT_THAT(DueDates(m, config_), IsEmpty());
  EXPECT_THAT(SweepDeadlines(m, config_, At(100000)).events, IsEmpty());
}

class BackfillOverdueRuleTest : public FlagRulesTest {
 protected:
  BackfillOverdueRuleTest() { AddHaining(); }

  // Back-filled on Wednesday 2026-09-30 for a trip that left on paper on
  // Monday 09-28. Ten working days: 09-29, 09-30, (National Day), 10-08,
  // 10-09, 10-10 (a Saturday worked), 10-12 ... 10-16.
  v1::Manifest PaperOpened() {
    v1::OpenManifestRequest r = OpenRequest(generator_, haining_);
    r.set_paper_date("2026-09-28");
    return Open(r, China(2026, 9, 30, 10)).next;
  }
  static absl::Time Due() { return China(2026, 10, 17); }
};

TEST_F(BackfillOverdueRuleTest, NoDeadlineWithoutAPaperDate) {
  EXPECT_THAT(DueDates(Open(generator_, haining_).next, config_), IsEmpty());
}

TEST_F(BackfillOverdueRuleTest, DueTenWorkingDaysAfterThePaperDate) {
  const v1::Manifest m = PaperOpened();
  ASSERT_EQ(m.paper_date(), "2026-09-28");
  const std::vector<DueDate> dates = DueDates(m, config_);
  ASSERT_THAT(dates, SizeIs(1));
  EXPECT_EQ(dates[0].kind, v1::FLAG_KIND_BACKFILL_OVERDUE);
  EXPECT_EQ(dates[0].subject, 0);
  EXPECT_EQ(dates[0].due, Due());

  EXPECT_THAT(SweepDeadlines(m, config_, Due() - absl::Seconds(1)).events,
              IsEmpty());
  const Decision swept = SweepDeadlines(m, config_, Due());
  ASSERT_EQ(swept.next.flags_size(), 1);
  const v1::Flag& f = swept.next.flags(0);
  EXPECT_EQ(f.id(), FlagId(1));
  EXPECT_EQ(f.kind(), v1::FLAG_KIND_BACKFILL_OVERDUE);
  EXPECT_EQ(f.severity(), v1::SEVERITY_MEDIUM);
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(FromProto(f.due_at()), Due());
  EXPECT_THAT(f.detail(), HasSubstr("2026-09-28"));
  EXPECT_THAT(
      SweepDeadlines(swept.next, config_, Due() + absl::Hours(1)).events,
      IsEmpty());
}

TEST_F(BackfillOverdueRuleTest, ClearedByTheDeliveryNotThePickup) {
  v1::Manifest m = SweepDeadlines(PaperOpened(), config_, Due()).next;
  ASSERT_EQ(m.flags_size(), 1);
  const Decision picked = Pickup(m, Due() + absl::Hours(8));
  EXPECT_THAT(ClearedIds(picked), IsEmpty());
  const Decision delivered =
      Deliver(picked.next, haining_, Due() + absl::Hours(9));
  EXPECT_THAT(ClearedIds(delivered), ElementsAre(FlagId(1)));
  EXPECT_EQ(delivered.next.flags(0).state(), v1::FLAG_STATE_CLEARED);
}

// ---------------------------------------------------------------------------
// Risk colours.

TEST(RiskColourTest, GreenYellowRed) {
  EXPECT_EQ(RiskColour(0, 0), "green");
  EXPECT_EQ(RiskColour(1, 0), "yellow");
  EXPECT_EQ(RiskColour(2, 0), "yellow");
  EXPECT_EQ(RiskColour(3, 0), "red");
  EXPECT_EQ(RiskColour(1, 1), "red");
  EXPECT_EQ(RiskColour(2, 1), "red");
}

TEST(RiskColourTest, OnlyOpenAndAcknowledgedFlagsCount) {
  v1::Flag f;
  f.set_state(v1::FLAG_STATE_OPEN);
  EXPECT_TRUE(IsOpen(f));
  f.set_state(v1::FLAG_STATE_ACKED);
  EXPECT_TRUE(IsOpen(f));
  f.set_state(v1::FLAG_STATE_RESOLVED);
  EXPECT_FALSE(IsOpen(f));
  f.set_state(v1::FLAG_STATE_CLEARED);
  EXPECT_FALSE(IsOpen(f));
}

// ---------------------------------------------------------------------------
// LOAD_MISMATCH

class LoadMismatchRuleTest : public FlagRulesTest {
 protected:
  LoadMismatchRuleTest() { AddHaining(); }

  // 1000 kg of waste oil (T,I) declared liquid in drums, received whole with
  // what the receiver found: `found` edits the receipt line.
  template <typename Edit>
  Decision Found(Edit found) {
    v1::WasteLine line = Line("900-249-08", 1000 * kKg);
    line.set_form(v1::PHYSICAL_FORM_LIQUID);
    line.set_packaging("铁桶");
    line.set_package_count(5);
    const v1::Manifest m = Delivered(OpenRequest(generator_, haining_, {line}));
    v1::LineReceipt r =
        Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 1000 * kKg);
    found(&r);
    return Receive(m, {r}, At(70));
  }
};

TEST_F(LoadMismatchRuleTest, NotRaisedWhenWhatArrivedIsWhatWasDeclared) {
  const Decision d = Found([](v1::LineReceipt* r) {
    r->set_form(v1::PHYSICAL_FORM_LIQUID);
    r->set_packaging("drum");  // another word for the same kind: 桶
    r->add_hazards(v1::HAZARD_CHARACTERISTIC_IGNITABILITY);
    r->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
  });
  EXPECT_THAT(RaisedKinds(d), IsEmpty());
  // What the receiver checked is kept on the destination.
  ASSERT_THAT(d.next.destinations(0).checks(), SizeIs(1));
  EXPECT_EQ(d.next.destinations(0).checks(0).packaging(), "drum");
}

TEST_F(LoadMismatchRuleTest, NotRaisedWhenNothingWasChecked) {
  const Decision d = Found([](v1::LineReceipt*) {});
  EXPECT_THAT(RaisedKinds(d), IsEmpty());
  EXPECT_THAT(d.next.destinations(0).checks(), IsEmpty());
}

TEST_F(LoadMismatchRuleTest, AnotherFormIsMedium) {
  const Decision d = Found(
      [](v1::LineReceipt* r) { r->set_form(v1::PHYSICAL_FORM_SEMI_SOLID); });
  EXPECT_THAT(RaisedKinds(d), ElementsAre(v1::FLAG_KIND_LOAD_MISMATCH));
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_LOAD_MISMATCH);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_MEDIUM);
  EXPECT_EQ(flags[0].destination(), 0);
  EXPECT_THAT(flags[0].detail(),
              AllOf(HasSubstr("line 1"), HasSubstr("form declared LIQUID"),
                    HasSubstr("arrived SEMI_SOLID")));
}

TEST_F(LoadMismatchRuleTest, AnotherPackagingKindIsMedium) {
  const Decision d =
      Found([](v1::LineReceipt* r) { r->set_packaging("吨袋"); });
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_LOAD_MISMATCH);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_MEDIUM);
  EXPECT_THAT(flags[0].detail(),
              HasSubstr("packaging declared 铁桶, arrived 吨袋"));
}

TEST_F(LoadMismatchRuleTest, AnUndeclaredHazardIsHigh) {
  const Decision d = Found([](v1::LineReceipt* r) {
    r->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
    r->add_hazards(v1::HAZARD_CHARACTERISTIC_IGNITABILITY);
    r->add_hazards(v1::HAZARD_CHARACTERISTIC_CORROSIVITY);
  });
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_LOAD_MISMATCH);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(flags[0].detail(),
              HasSubstr("hazards declared T,I, arrived T,C,I"));
}

TEST_F(LoadMismatchRuleTest, FewerHazardsThanDeclaredIsMedium) {
  const Decision d = Found([](v1::LineReceipt* r) {
    r->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
  });
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_LOAD_MISMATCH);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_MEDIUM);
}

TEST_F(LoadMismatchRuleTest, EveryDifferenceIsInOneFlag) {
  const Decision d = Found([](v1::LineReceipt* r) {
    r->set_form(v1::PHYSICAL_FORM_SOLID);
    r->set_packaging("bag");
  });
  const std::vector<v1::Flag> flags =
      FlagsOf(d.next, v1::FLAG_KIND_LOAD_MISMATCH);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0].detail(), AllOf(HasSubstr("form declared"),
                                       HasSubstr("packaging declared")));
}

}  // namespace
}  // namespace cradle::domain
