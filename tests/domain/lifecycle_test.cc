#include "domain/lifecycle.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "domain/flags/engine.h"
#include "domain/names.h"
#include "domain/revision.h"
#include "domain/uscc.h"
#include "domain/waste_catalogue.h"
#include "tests/testing/fake_registry.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kKg = 1000;  // grams
constexpr char kNumber[] = "20243304000001";

// `first17` followed by its GB 32100 check character.
std::string Uscc(absl::string_view first17) {
  absl::StatusOr<char> check = UsccCheckCharacter(first17);
  if (!check.ok()) {
    ADD_FAILURE() << check.status();
    return std::string(first17);
  }
  return absl::StrCat(first17, std::string(1, *check));
}

v1::Enterprise MakeEnterprise(const std::string& id, absl::string_view name,
                              absl::string_view division,
                              std::vector<v1::Role> roles,
                              std::vector<std::string> plates) {
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
  e.set_version(1 + e.vehicles_size());
  return e;
}

using FakeRegistry = ::cradle::testing::FakeRegistry;

std::vector<std::string> EventTypes(const Decision& d) {
  std::vector<std::string> types;
  for (const ledger::v1::ManifestEvent& e : d.events)
    types.push_back(EventType(e));
  return types;
}

std::vector<int64_t> Grams(const google::protobuf::RepeatedField<int64_t>& r) {
  return std::vector<int64_t>(r.begin(), r.end());
}

std::string Name(v1::ManifestStatus s) { return ShortName(s); }

class LifecycleTest : public ::testing::Test {
 protected:
  LifecycleTest() {
    registry_.Add(MakeEnterprise(generator_, "嘉兴某化工有限公司", "330402",
                                 {v1::ROLE_GENERATOR}, {}));
    registry_.Add(MakeEnterprise(carrier_a_, "嘉兴某危货运输有限公司", "330402",
                                 {v1::ROLE_TRANSPORTER}, {"浙F12345"}));
    registry_.Add(MakeEnterprise(carrier_b_, "海宁某物流有限公司", "330481",
                                 {v1::ROLE_TRANSPORTER},
                                 {"浙F54321", "浙FD12345"}));
    registry_.Add(MakeEnterprise(receiver_a_, "海宁某环保科技有限公司",
                                 "330481", {v1::ROLE_RECEIVER}, {}));
    registry_.Add(MakeEnterprise(receiver_b_, "杭州某固废处置有限公司",
                                 "330106", {v1::ROLE_RECEIVER}, {}));
    registry_.Add(MakeEnterprise(generator_only_, "嘉兴某电镀有限公司",
                                 "330402", {v1::ROLE_GENERATOR}, {}));
    registry_.Add(MakeEnterprise(dual_, "嘉兴某综合利用有限公司", "330402",
                                 {v1::ROLE_GENERATOR, v1::ROLE_RECEIVER}, {}));
  }

  static absl::Time At(int minute) {
    return absl::FromCivil(absl::CivilSecond(2024, 6, 3, 9, 0, 0),
                           absl::FixedTimeZone(8 * 3600)) +
           absl::Minutes(minute);
  }

  static v1::WriteMeta Meta(absl::string_view key) {
    v1::WriteMeta meta;
    meta.set_idempotency_key(std::string(key));
    meta.mutable_device_time()->set_seconds(1717376400);
    meta.mutable_position()->set_lat(30.7536);
    meta.mutable_position()->set_lon(120.7585);
    meta.set_person("张三");
    meta.set_device("PDA-07");
    return meta;
  }

  v1::OpenManifestRequest OpenRequest() const {
    v1::OpenManifestRequest r;
    *r.mutable_meta() = Meta("open-1");
    r.set_generator(generator_);
    r.set_carrier(carrier_a_);
    r.set_receiver(receiver_a_);
    v1::WasteLine* oil = r.add_lines();
    oil->set_code("900-249-08");
    oil->set_quantity_g(1000 * kKg);
    oil->set_packaging("铁桶");
    oil->set_package_count(5);
    v1::WasteLine* rags = r.add_lines();
    rags->set_code("900-041-49");
    rags->set_quantity_g(250 * kKg);
    rags->set_packaging("吨袋");
    rags->set_package_count(1);
    r.set_method("D10");
    return r;
  }

  v1::IssueManifestRequest IssueRequest(const std::string& generator) const {
    v1::IssueManifestRequest r;
    *r.mutable_meta() = Meta("issue-1");
    r.set_number(kNumber);
    r.set_generator(generator);
    return r;
  }

  v1::CancelManifestRequest CancelRequest(const std::string& generator,
                                          absl::string_view reason) const {
    v1::CancelManifestRequest r;
    *r.mutable_meta() = Meta("cancel-1");
    r.set_number(kNumber);
    r.set_generator(generator);
    r.set_reason(std::string(reason));
    return r;
  }

  v1::PickupRequest PickupRequest(const std::string& carrier,
                                  absl::string_view vehicle) const {
    v1::PickupRequest r;
    *r.mutable_meta() = Meta("pickup-1");
    r.set_number(kNumber);
    r.set_carrier(carrier);
    r.set_vehicle(std::string(vehicle));
    r.set_driver("李四");
    return r;
  }
  v1::PickupRequest PickupRequest() const {
    return PickupRequest(carrier_a_, "浙F12345");
  }

  v1::RelayRequest RelayRequest(const std::string& from, const std::string& to,
                                absl::string_view vehicle) const {
    v1::RelayRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("relay-", from, "-", to));
    r.set_number(kNumber);
    r.set_from_carrier(from);
    r.set_to_carrier(to);
    r.set_vehicle(std::string(vehicle));
    r.set_driver("王五");
    return r;
  }

  v1::DeliverRequest DeliverRequest(const std::string& receiver) const {
    v1::DeliverRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("deliver-", receiver));
    r.set_number(kNumber);
    r.set_receiver(receiver);
    return r;
  }

  static v1::LineReceipt Receipt(int line, v1::LineReceipt::Decision decision,
                                 int64_t grams, absl::string_view reason = "") {
    v1::LineReceipt r;
    r.set_line(line);
    r.set_decision(decision);
    r.set_quantity_g(grams);
    r.set_reason(std::string(reason));
    return r;
  }

  v1::ReceiveRequest ReceiveRequest(
      const std::string& receiver,
      const std::vector<v1::LineReceipt>& lines) const {
    v1::ReceiveRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("receive-", receiver));
    r.set_number(kNumber);
    r.set_receiver(receiver);
    for (const v1::LineReceipt& l : lines) *r.add_lines() = l;
    return r;
  }

  // Accepts everything sent to the current destination of `m`.
  v1::ReceiveRequest ReceiveAllRequest(const std::string& receiver,
                                       const v1::Manifest& m) const {
    std::vector<v1::LineReceipt> lines;
    const v1::Destination& dest = m.destinations(m.destinations_size() - 1);
    for (int i = 0; i < dest.sent_g_size(); ++i) {
      if (dest.sent_g(i) > 0) {
        lines.push_back(
            Receipt(i + 1, v1::LineReceipt::DECISION_ACCEPT, dest.sent_g(i)));
      }
    }
    return ReceiveRequest(receiver, lines);
  }

  v1::RerouteRequest RerouteRequest(const std::string& to,
                                    const std::string& carrier,
                                    absl::string_view vehicle) const {
    v1::RerouteRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("reroute-", to));
    r.set_number(kNumber);
    r.set_generator(generator_);
    r.set_to(to);
    r.set_carrier(carrier);
    r.set_vehicle(std::string(vehicle));
    r.set_driver("赵六");
    return r;
  }

  // `lines` holds (1-based line, grams) pairs, disposed by method D10.
  v1::DisposeRequest DisposeRequest(
      const std::string& receiver,
      const std::vector<std::pair<int, int64_t>>& lines) const {
    v1::DisposeRequest r;
    *r.mutable_meta() = Meta(absl::StrCat("dispose-", receiver));
    r.set_number(kNumber);
    r.set_receiver(receiver);
    for (const auto& [line, grams] : lines) {
      v1::LineDisposal* l = r.add_lines();
      l->set_line(line);
      l->set_method("D10");
      l->set_quantity_g(grams);
    }
    return r;
  }

  // Expects `d` to be OK, with `next` equal to `before` with the events
  // folded in by Apply at `now`; returns `next` (or `before` on failure).
  v1::Manifest Step(const v1::Manifest& before,
                    const absl::StatusOr<Decision>& d, absl::Time now) {
    if (!d.ok()) {
      ADD_FAILURE() << d.status();
      return before;
    }
    v1::Manifest folded = before;
    for (const ledger::v1::ManifestEvent& e : d->events) {
      Apply(e, now, &folded);
      history_.push_back({e, now});
    }
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(folded, d->next))
        << "folded:\n"
        << folded.DebugString() << "decided:\n"
        << d->next.DebugString();
    EXPECT_EQ(d->next.version(), before.version() + d->events.size());
    return d->next;
  }

  v1::Manifest Opened(bool draft) {
    v1::OpenManifestRequest r = OpenRequest();
    r.set_draft(draft);
    v1::Manifest before;
    before.set_number(kNumber);
    return Step(before, DecideOpen(r, registry_, kNumber, At(0)), At(0));
  }

  v1::Manifest PickedUp() {
    v1::Manifest m = Opened(/*draft=*/false);
    return Step(m, DecidePickup(m, PickupRequest(), registry_, At(10)), At(10));
  }

  v1::Manifest Delivered() {
    v1::Manifest m = PickedUp();
    return Step(
        m, DecideDeliver(m, DeliverRequest(receiver_a_), registry_, At(120)),
        At(120));
  }

  // Receiver A accepts 800 kg of line 1 and all of line 2, rejects 200 kg.
  v1::Manifest PartiallyAccepted() {
    v1::Manifest m = Delivered();
    v1::ReceiveRequest r = ReceiveRequest(
        receiver_a_, {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 800 * kKg),
                      Receipt(1, v1::LineReceipt::DECISION_REJECT, 200 * kKg,
                              "两桶渗漏，包装不符"),
                      Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)});
    return Step(m, DecideReceive(m, r, registry_, At(130)), At(130));
  }

  // Receiver A rejects everything.
  v1::Manifest Rejected() {
    v1::Manifest m = Delivered();
    v1::ReceiveRequest r = ReceiveRequest(
        receiver_a_, {Receipt(1, v1::LineReceipt::DECISION_REJECT, 1000 * kKg,
                              "含水率超出许可"),
                      Receipt(2, v1::LineReceipt::DECISION_REJECT, 250 * kKg,
                              "非许可类别")});
    return Step(m, DecideReceive(m, r, registry_, At(130)), At(130));
  }

  // A request for `action` that the parties of PartiallyAccepted() may make
  // and that passes every check but the state's.
  absl::StatusOr<Decision> Act(Action action, const v1::Manifest& m) {
    const absl::Time now = At(500);
    switch (action) {
      case Action::kOpen:
        return DecideOpen(OpenRequest(), registry_, kNumber, now);
      case Action::kIssue:
        return DecideIssue(m, IssueRequest(generator_), now);
      case Action::kCancel:
        return DecideCancel(m, CancelRequest(generator_, "生产计划变更"), now);
      case Action::kPickup:
        return DecidePickup(m, PickupRequest(), registry_, now);
      case Action::kRelay:
        return DecideRelay(m, RelayRequest(carrier_a_, carrier_b_, "浙F54321"),
                           registry_, now);
      case Action::kDeliver:
        return DecideDeliver(m, DeliverRequest(receiver_a_), registry_, now);
      case Action::kReceive:
        return DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_,
                             now);
      case Action::kReroute:
        return DecideReroute(
            m, RerouteRequest(receiver_b_, carrier_b_, "浙F54321"), registry_,
            now);
      case Action::kDispose:
        return DecideDispose(m, DisposeRequest(receiver_a_, {{1, 1}}), now);
      case Action::kPayment: {
        v1::RecordPaymentRequest r;
        *r.mutable_meta() = Meta("pay");
        r.set_number(kNumber);
        r.set_payer(generator_);
        r.set_payee(receiver_a_);
        r.set_amount_fen(350000);
        return DecidePayment(m, r, now);
      }
      case Action::kVoid: {
        v1::VoidManifestRequest r;
        *r.mutable_meta() = Meta("void");
        r.set_number(kNumber);
        r.set_by("regulator:33");
        r.set_reason("重复开具");
        return DecideVoid(m, r, now);
      }
    }
    return absl::InternalError("unknown action");
  }

  void RunPartialRejection(bool alternate_disposes_first);

  FakeRegistry registry_;
  const std::string generator_ = Uscc("91330402MA2B00001");
  const std::string carrier_a_ = Uscc("91330402MA2C00002");
  const std::string carrier_b_ = Uscc("91330481MA2C00003");
  const std::string receiver_a_ = Uscc("91330481MA2D00004");
  const std::string receiver_b_ = Uscc("91330106MA2D00005");
  const std::string generator_only_ = Uscc("91330402MA2E00006");
  const std::string dual_ = Uscc("91330402MA2F00007");
  const std::string unregistered_ = Uscc("91330402MA2G00008");
  std::vector<std::pair<ledger::v1::ManifestEvent, absl::Time>> history_;
};

// ---------------------------------------------------------------------------
// The table.

TEST(LifecycleTableTest, HasOneRowPerActionAndOnlyOpenStartsFromNothing) {
  const std::vector<Action> actions = {
      Action::kOpen,    Action::kIssue,   Action::kCancel,  Action::kPickup,
      Action::kRelay,   Action::kDeliver, Action::kReceive, Action::kReroute,
      Action::kDispose, Action::kPayment, Action::kVoid};
  ASSERT_EQ(LifecycleTable().size(), actions.size());
  for (Action a : actions) {
    const int rows =
        std::count_if(LifecycleTable().begin(), LifecycleTable().end(),
                      [a](const Transition& t) { return t.action == a; });
    EXPECT_EQ(rows, 1) << TransitionFor(a).verb;
    EXPECT_EQ(TransitionFor(a).action, a);
    EXPECT_EQ(TransitionFor(a).from.empty(), a == Action::kOpen)
        << TransitionFor(a).verb;
  }
  EXPECT_EQ(TransitionFor(Action::kPickup).by, Party::kCarrier);
  EXPECT_EQ(TransitionFor(Action::kReroute).by, Party::kGenerator);
  EXPECT_EQ(TransitionFor(Action::kDispose).by, Party::kReceiver);
}

TEST(LifecycleTableTest, MarkdownHasAHeaderAndARowPerTransition) {
  const std::string md = LifecycleTableMarkdown();
  std::vector<std::string> lines = absl::StrSplit(md, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2 + LifecycleTable().size());
  EXPECT_EQ(lines[0], "| action | from | to | by | needs |");
  EXPECT_EQ(lines[1], "|---|---|---|---|---|");
  EXPECT_THAT(lines[2], HasSubstr("| open | (new) |"));
  EXPECT_THAT(md,
              HasSubstr("| cancel | DRAFT, ISSUED | CANCELLED | generator"));
  EXPECT_THAT(md, HasSubstr("| pickup | ISSUED | IN_TRANSIT | carrier"));
  EXPECT_THAT(
      md, HasSubstr("| reroute | PARTIALLY_ACCEPTED, REJECTED | IN_TRANSIT"));
  for (const Transition& t : LifecycleTable()) {
    EXPECT_THAT(md, HasSubstr(absl::StrCat("| ", t.verb, " | "))) << t.verb;
  }
}

TEST_F(LifecycleTest, EveryActionIsRefusedOutsideTheStatesOfItsRow) {
  const v1::Manifest base = PartiallyAccepted();
  ASSERT_EQ(base.status(), v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED);
  const google::protobuf::EnumDescriptor* statuses =
      v1::ManifestStatus_descriptor();
  int allowed = 0, refused = 0;
  for (const Transition& t : LifecycleTable()) {
    if (t.action == Action::kOpen) continue;  // no state to start from
    for (int i = 0; i < statuses->value_count(); ++i) {
      const auto s =
          static_cast<v1::ManifestStatus>(statuses->value(i)->number());
      SCOPED_TRACE(absl::StrCat(t.verb, " from ", Name(s)));
      v1::Manifest m = base;
      m.set_status(s);
      absl::StatusOr<Decision> d = Act(t.action, m);
      if (std::find(t.from.begin(), t.from.end(), s) != t.from.end()) {
        ++allowed;
        ASSERT_TRUE(d.ok()) << d.status();
        if (t.action == Action::kDispose || t.action == Action::kPayment) {
          EXPECT_EQ(d->next.status(), s);  // unchanged
        } else {
          EXPECT_THAT(t.to, HasSubstr(Name(d->next.status())));
        }
      } else {
        ++refused;
        EXPECT_THAT(
            d.status(),
            StatusIs(absl::StatusCode::kFailedPrecondition,
                     AllOf(HasSubstr(absl::StrCat("cannot ", t.verb)),
                           HasSubstr(kNumber),
                           HasSubstr(absl::StrCat("it is ", Name(s))))));
      }
    }
  }
  // 10 actions x 12 statuses; the rows allow 1+2+1+1+1+1+2+5+8+8 of them.
  EXPECT_EQ(allowed, 30);
  EXPECT_EQ(refused, 90);
}

// ---------------------------------------------------------------------------
// The happy path.

TEST_F(LifecycleTest, HappyPathRunsFromOpenToClosed) {
  v1::Manifest empty;
  empty.set_number(kNumber);
  absl::StatusOr<Decision> d =
      DecideOpen(OpenRequest(), registry_, kNumber, At(0));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.opened"));
  EXPECT_EQ(d->events[0].origin_division(), "330402");
  EXPECT_EQ(d->events[0].destination_division(), "330481");
  v1::Manifest m = Step(empty, d, At(0));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_ISSUED);
  EXPECT_EQ(m.number(), kNumber);
  EXPECT_EQ(m.generator(), generator_);
  EXPECT_EQ(m.carrier(), carrier_a_);
  EXPECT_EQ(m.receiver(), receiver_a_);
  EXPECT_EQ(m.origin_division(), "330402");
  EXPECT_EQ(m.destination_division(), "330481");
  EXPECT_EQ(m.method(), "D10");
  EXPECT_EQ(m.lines_size(), 2);
  EXPECT_EQ(m.legs_size(), 0);
  ASSERT_EQ(m.destinations_size(), 1);
  EXPECT_EQ(m.destinations(0).receiver(), receiver_a_);
  EXPECT_THAT(Grams(m.destinations(0).sent_g()),
              ElementsAre(1000 * kKg, 250 * kKg));
  EXPECT_EQ(m.version(), 1u);
  EXPECT_EQ(absl::FromUnixSeconds(m.opened_at().seconds()), At(0));
  EXPECT_FALSE(ChainComplete(m));

  // Pickup opens leg 1, handed over by the generator.
  d = DecidePickup(m, PickupRequest(), registry_, At(10));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.picked_up"));
  m = Step(m, d, At(10));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  ASSERT_EQ(m.legs_size(), 1);
  EXPECT_EQ(m.legs(0).number(), 1);
  EXPECT_EQ(m.legs(0).carrier(), carrier_a_);
  EXPECT_EQ(m.legs(0).vehicle(), "浙F12345");
  EXPECT_EQ(m.legs(0).driver(), "李四");
  EXPECT_EQ(m.legs(0).handed_over_by(), generator_);
  EXPECT_EQ(m.legs(0).device_time().seconds(), 1717376400);
  EXPECT_DOUBLE_EQ(m.legs(0).position().lat(), 30.7536);
  EXPECT_EQ(m.carrier(), carrier_a_);

  // Relay A -> B.
  d = DecideRelay(m, RelayRequest(carrier_a_, carrier_b_, "浙FD12345"),
                  registry_, At(40));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.relayed"));
  m = Step(m, d, At(40));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  EXPECT_EQ(m.carrier(), carrier_b_);
  ASSERT_EQ(m.legs_size(), 2);
  EXPECT_EQ(m.legs(1).number(), 2);
  EXPECT_EQ(m.legs(1).carrier(), carrier_b_);
  EXPECT_EQ(m.legs(1).vehicle(), "浙FD12345");
  EXPECT_EQ(m.legs(1).handed_over_by(), carrier_a_);

  // Relay B -> A.
  d = DecideRelay(m, RelayRequest(carrier_b_, carrier_a_, "浙F12345"),
                  registry_, At(70));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.relayed"));
  m = Step(m, d, At(70));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  EXPECT_EQ(m.carrier(), carrier_a_);
  ASSERT_EQ(m.legs_size(), 3);
  EXPECT_EQ(m.legs(2).number(), 3);
  EXPECT_EQ(m.legs(2).carrier(), carrier_a_);
  EXPECT_EQ(m.legs(2).handed_over_by(), carrier_b_);

  d = DecideDeliver(m, DeliverRequest(receiver_a_), registry_, At(120));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.delivered"));
  m = Step(m, d, At(120));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_DELIVERED);
  EXPECT_TRUE(m.destinations(0).delivered());
  EXPECT_FALSE(m.destinations(0).received());
  EXPECT_FALSE(ChainComplete(m));

  d = DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.received"));
  m = Step(m, d, At(130));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_ACCEPTED);
  EXPECT_TRUE(m.destinations(0).received());
  EXPECT_THAT(Grams(m.destinations(0).received_g()),
              ElementsAre(1000 * kKg, 250 * kKg));
  EXPECT_THAT(Grams(m.destinations(0).accepted_g()),
              ElementsAre(1000 * kKg, 250 * kKg));
  EXPECT_THAT(Grams(m.destinations(0).rejected_g()), ElementsAre(0, 0));
  EXPECT_FALSE(ChainComplete(m));  // nothing disposed yet

  d = DecideDispose(
      m, DisposeRequest(receiver_a_, {{1, 1000 * kKg}, {2, 250 * kKg}}),
      At(2000));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d),
              ElementsAre("manifest.disposed", "manifest.closed"));
  m = Step(m, d, At(2000));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_THAT(Grams(m.destinations(0).disposed_g()),
              ElementsAre(1000 * kKg, 250 * kKg));
  EXPECT_THAT(m.destinations(0).disposal_methods(), ElementsAre("D10", "D10"));
  EXPECT_TRUE(ChainComplete(m));
  EXPECT_EQ(m.version(), 8u);  // opened, picked_up, 2 relayed, delivered,
                               // received, disposed, closed
  EXPECT_EQ(absl::FromUnixSeconds(m.updated_at().seconds()), At(2000));

  // Replaying the whole stream from nothing rebuilds the manifest: the
  // opened event carries the number.
  v1::Manifest replayed;
  for (const auto& [event, recorded] : history_) {
    Apply(event, recorded, &replayed);
  }
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(replayed, m));
}

TEST_F(LifecycleTest, DraftIsIssuedByItsGenerator) {
  v1::Manifest m = Opened(/*draft=*/true);
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_DRAFT);
  EXPECT_THAT(
      DecideIssue(m, IssueRequest(carrier_a_), At(1)).status(),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("generator")));
  EXPECT_THAT(DecidePickup(m, PickupRequest(), registry_, At(1)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("it is DRAFT")));
  absl::StatusOr<Decision> d = DecideIssue(m, IssueRequest(generator_), At(1));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.issued"));
  m = Step(m, d, At(1));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_ISSUED);
  EXPECT_THAT(DecideIssue(m, IssueRequest(generator_), At(2)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("it is ISSUED")));
}

// ---------------------------------------------------------------------------
// Refused by state, on manifests that really got there.

TEST_F(LifecycleTest, PickupFromDeliveredIsRefused) {
  const v1::Manifest m = Delivered();
  EXPECT_THAT(
      DecidePickup(m, PickupRequest(), registry_, At(200)).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("cannot pickup"), HasSubstr("it is DELIVERED"),
                     HasSubstr("needs ISSUED"))));
}

// ---------------------------------------------------------------------------
// Vehicle trips (Art. 16: one manifest per consignor, all on one trip).

// Another manifest carrier A picked up on `trip` with `vehicle`.
v1::Manifest OnTrip(const std::string& number, const std::string& carrier,
                    const std::string& trip, const std::string& vehicle) {
  v1::Manifest other;
  other.set_number(number);
  other.set_status(v1::MANIFEST_STATUS_IN_TRANSIT);
  other.set_version(2);
  v1::Leg* leg = other.add_legs();
  leg->set_number(1);
  leg->set_carrier(carrier);
  leg->set_vehicle(vehicle);
  leg->set_trip(trip);
  other.add_destinations()->set_receiver("R");
  return other;
}

TEST_F(LifecycleTest, APickupOnATripRecordsItOnLegOne) {
  registry_.AddTripManifest(
      OnTrip("20263304000009", carrier_a_, "20261205-1", "浙F12345"));
  v1::Manifest m = Opened(/*draft=*/false);
  v1::PickupRequest r = PickupRequest();
  r.set_trip("20261205-1");
  m = Step(m, DecidePickup(m, r, registry_, At(10)), At(10));
  ASSERT_EQ(m.legs_size(), 1);
  EXPECT_EQ(m.legs(0).trip(), "20261205-1");
  // Without a trip, none is recorded.
  EXPECT_EQ(PickedUp().legs(0).trip(), "");
}

TEST_F(LifecycleTest, ATripNumberAsNoCarrierWritesOneIsRefusedNamingIt) {
  const v1::Manifest m = Opened(/*draft=*/false);
  for (const std::string& bad : std::vector<std::string>{
           "a/b", "20261205 1", "行程1", std::string(33, '7')}) {
    v1::PickupRequest r = PickupRequest();
    r.set_trip(bad);
    EXPECT_THAT(
        DecidePickup(m, r, registry_, At(10)).status(),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 AllOf(HasSubstr("trip"), HasSubstr("is not a trip number"))))
        << bad;
  }
  EXPECT_THAT(CheckTripNumber("trip", ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(CheckTripNumber("trip", std::string(32, 'A')).ok());
  EXPECT_TRUE(CheckTripNumber("trip", "T_2026-12-05").ok());
}

TEST_F(LifecycleTest, ATripIsOneVehiclesAndEndsAtItsFirstDelivery) {
  const v1::Manifest m = Opened(/*draft=*/false);
  v1::PickupRequest r = PickupRequest();

  // Another vehicle's trip of the same number.
  registry_.AddTripManifest(
      OnTrip("20263304000007", carrier_a_, "T1", "浙F99999"));
  r.set_trip("T1");
  EXPECT_THAT(DecidePickup(m, r, registry_, At(10)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("trip T1 of carrier"),
                             HasSubstr("is vehicle 浙F99999's"),
                             HasSubstr("20263304000007"))));

  // Another carrier's trip of the same number is not this one.
  registry_.AddTripManifest(
      OnTrip("20263304000008", carrier_b_, "T2", "浙F54321"));
  r.set_trip("T2");
  EXPECT_TRUE(DecidePickup(m, r, registry_, At(10)).ok());

  // A trip one of whose loads was delivered has ended.
  v1::Manifest delivered =
      OnTrip("20263304000006", carrier_a_, "T3", "浙F12345");
  delivered.set_status(v1::MANIFEST_STATUS_DELIVERED);
  delivered.mutable_destinations(0)->set_delivered(true);
  registry_.AddTripManifest(delivered);
  r.set_trip("T3");
  EXPECT_THAT(DecidePickup(m, r, registry_, At(10)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("trip T3"), HasSubstr("has ended"),
                             HasSubstr("20263304000006"))));

  // A voided load left the trip: it neither fixes the vehicle nor ends it.
  v1::Manifest voided = OnTrip("20263304000005", carrier_a_, "T4", "浙F99999");
  voided.set_status(v1::MANIFEST_STATUS_VOIDED);
  voided.mutable_destinations(0)->set_delivered(true);
  registry_.AddTripManifest(voided);
  r.set_trip("T4");
  EXPECT_TRUE(DecidePickup(m, r, registry_, At(10)).ok());
}

TEST_F(LifecycleTest, AFullTripTakesNoMoreLoads) {
  const v1::Manifest m = Opened(/*draft=*/false);
  for (int i = 0; i < kMaxManifestsPerTrip; ++i) {
    registry_.AddTripManifest(OnTrip(absl::StrCat("2026330410", 1000 + i),
                                     carrier_a_, "FULL", "浙F12345"));
  }
  v1::PickupRequest r = PickupRequest();
  r.set_trip("FULL");
  EXPECT_THAT(DecidePickup(m, r, registry_, At(10)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("already lists 200 manifests"),
                             HasSubstr("a trip of its own"))));
  // A trip with room takes it.
  registry_.AddTripManifest(
      OnTrip("20263304000004", carrier_a_, "ROOM", "浙F12345"));
  r.set_trip("ROOM");
  EXPECT_TRUE(DecidePickup(m, r, registry_, At(10)).ok());
}

TEST_F(LifecycleTest, DeliverBeforePickupIsRefused) {
  const v1::Manifest m = Opened(/*draft=*/false);
  EXPECT_THAT(
      DecideDeliver(m, DeliverRequest(receiver_a_), registry_, At(5)).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("it is ISSUED")));
}

TEST_F(LifecycleTest, ReceiveTwiceIsRefused) {
  v1::Manifest m = Delivered();
  m = Step(
      m,
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130)),
      At(130));
  EXPECT_THAT(
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(131))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("it is ACCEPTED")));
}

// A collector (docs/COLLECTION.md) takes what it accepts into its stock, to
// forward on manifests of its own: the manifest's chain ends at its
// receipt, and no disposal is awaited.
TEST_F(LifecycleTest, ACollectorsReceiptEndsTheChainInItsStock) {
  v1::Manifest m = Delivered();
  absl::StatusOr<Decision> plain =
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_THAT(EventTypes(*plain), ElementsAre("manifest.received"));
  EXPECT_FALSE(plain->events[0].into_collection());
  EXPECT_FALSE(plain->next.destinations(0).collected());
  EXPECT_THAT(DueDates(plain->next, FlagConfig()),
              Contains(Field(&DueDate::kind, v1::FLAG_KIND_MISSING_DISPOSAL)));

  registry_.Add(MakeEnterprise(receiver_a_, "海宁某环保科技有限公司", "330481",
                               {v1::ROLE_RECEIVER, v1::ROLE_COLLECTOR}, {}));
  absl::StatusOr<Decision> d =
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d),
              ElementsAre("manifest.received", "manifest.closed"));
  EXPECT_TRUE(d->events[0].into_collection());
  EXPECT_EQ(d->next.status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_TRUE(d->next.destinations(0).collected());
  EXPECT_THAT(
      DueDates(d->next, FlagConfig()),
      Not(Contains(Field(&DueDate::kind, v1::FLAG_KIND_MISSING_DISPOSAL))));
  // What it rejected still waits for a reroute.
  v1::ReceiveRequest part = ReceiveRequest(
      receiver_a_, {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 800 * kKg),
                    Receipt(1, v1::LineReceipt::DECISION_REJECT, 200 * kKg,
                            "两桶渗漏，包装不符"),
                    Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)});
  d = DecideReceive(m, part, registry_, At(130));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.status(), v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED);
}

TEST_F(LifecycleTest, DisposeAfterCloseIsRefused) {
  v1::Manifest m = Delivered();
  m = Step(
      m,
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130)),
      At(130));
  m = Step(
      m,
      DecideDispose(
          m, DisposeRequest(receiver_a_, {{1, 1000 * kKg}, {2, 250 * kKg}}),
          At(200)),
      At(200));
  ASSERT_EQ(m.status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(receiver_a_, {{1, 1}}), At(201)).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("it is CLOSED")));
}

TEST_F(LifecycleTest, RelayAfterDeliveryIsRefused) {
  const v1::Manifest m = Delivered();
  EXPECT_THAT(DecideRelay(m, RelayRequest(carrier_a_, carrier_b_, "浙F54321"),
                          registry_, At(200))
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("it is DELIVERED")));
}

// ---------------------------------------------------------------------------
// Cancel.

TEST_F(LifecycleTest, CancelBeforePickupNeedsAReason) {
  for (bool draft : {true, false}) {
    SCOPED_TRACE(draft ? "draft" : "issued");
    v1::Manifest m = Opened(draft);
    EXPECT_THAT(DecideCancel(m, CancelRequest(generator_, ""), At(5)).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("reason is required")));
    absl::StatusOr<Decision> d =
        DecideCancel(m, CancelRequest(generator_, "生产计划变更"), At(5));
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.cancelled"));
    m = Step(m, d, At(5));
    EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_CANCELLED);
    EXPECT_EQ(m.cancel_reason(), "生产计划变更");
    EXPECT_FALSE(ChainComplete(m));
    EXPECT_THAT(DecidePickup(m, PickupRequest(), registry_, At(6)).status(),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr("it is CANCELLED")));
  }
}

TEST_F(LifecycleTest, CancelAfterPickupIsRefused) {
  const v1::Manifest m = PickedUp();
  EXPECT_THAT(
      DecideCancel(m, CancelRequest(generator_, "不运了"), At(20)).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("cannot cancel"), HasSubstr("it is IN_TRANSIT"),
                     HasSubstr("DRAFT or ISSUED"))));
}

TEST_F(LifecycleTest, CancelByAnotherPartyIsDenied) {
  const v1::Manifest m = Opened(/*draft=*/false);
  EXPECT_THAT(
      DecideCancel(m, CancelRequest(receiver_a_, "不要了"), At(5)).status(),
      StatusIs(absl::StatusCode::kPermissionDenied,
               AllOf(HasSubstr("generator"), HasSubstr(receiver_a_))));
  EXPECT_THAT(DecideCancel(m, CancelRequest("", "不要了"), At(5)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("generator is required")));
}

// ---------------------------------------------------------------------------
// Wrong party.

TEST_F(LifecycleTest, ActionsByAnotherPartyAreDenied) {
  v1::Manifest m = Opened(/*draft=*/false);
  EXPECT_THAT(
      DecidePickup(m, PickupRequest(carrier_b_, "浙F54321"), registry_, At(10))
          .status(),
      StatusIs(absl::StatusCode::kPermissionDenied,
               AllOf(HasSubstr("carrier"), HasSubstr(carrier_b_),
                     HasSubstr("is not the carrier"))));
  m = Step(m, DecidePickup(m, PickupRequest(), registry_, At(10)), At(10));
  // Only the carrier holding the load hands it over.
  EXPECT_THAT(
      DecideRelay(m, RelayRequest(carrier_b_, carrier_a_, "浙F12345"),
                  registry_, At(20))
          .status(),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("from_carrier")));
  // Another registered receiver's scan is recorded as a wrong delivery and
  // changes nothing else; anyone else's is refused.
  absl::StatusOr<Decision> wrong =
      DecideDeliver(m, DeliverRequest(receiver_b_), registry_, At(30));
  ASSERT_TRUE(wrong.ok()) << wrong.status();
  ASSERT_EQ(wrong->events.size(), 1u);
  EXPECT_TRUE(wrong->events[0].has_misdelivered());
  EXPECT_EQ(EventType(wrong->events[0]), "manifest.misdelivered");
  EXPECT_EQ(wrong->next.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  EXPECT_FALSE(wrong->next.destinations(0).delivered());
  EXPECT_THAT(
      DecideDeliver(m, DeliverRequest(carrier_b_), registry_, At(30)).status(),
      StatusIs(absl::StatusCode::kPermissionDenied,
               AllOf(HasSubstr("receiver"), HasSubstr(carrier_b_))));
  m = Step(m, DecideDeliver(m, DeliverRequest(receiver_a_), registry_, At(30)),
           At(30));
  EXPECT_THAT(
      DecideReceive(m, ReceiveAllRequest(receiver_b_, m), registry_, At(40))
          .status(),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("receiver")));
  m = PartiallyAccepted();
  v1::RerouteRequest reroute =
      RerouteRequest(receiver_b_, carrier_b_, "浙F54321");
  reroute.set_generator(receiver_a_);
  EXPECT_THAT(
      DecideReroute(m, reroute, registry_, At(300)).status(),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("generator")));
}

// ---------------------------------------------------------------------------
// Open: parties and lines.

TEST_F(LifecycleTest, OpenByUnregisteredPartiesIsNotFound) {
  v1::OpenManifestRequest r = OpenRequest();
  r.set_generator(unregistered_);
  EXPECT_THAT(
      DecideOpen(r, registry_, kNumber, At(0)).status(),
      StatusIs(absl::StatusCode::kNotFound,
               AllOf(HasSubstr("generator"), HasSubstr(unregistered_))));
  r = OpenRequest();
  r.set_carrier(unregistered_);
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("carrier")));
  r = OpenRequest();
  r.set_receiver(unregistered_);
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("receiver")));
}

TEST_F(LifecycleTest, OpenWithPartiesLackingTheirRoleIsRefused) {
  v1::OpenManifestRequest r = OpenRequest();
  r.set_generator(carrier_a_);
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("generator"),
                             HasSubstr("GENERATOR or COLLECTOR"))));
  r = OpenRequest();
  r.set_carrier(generator_only_);
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("carrier"), HasSubstr("TRANSPORTER"))));
  r = OpenRequest();
  r.set_receiver(generator_only_);
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("receiver"), HasSubstr("RECEIVER"))));
}

TEST_F(LifecycleTest, OpenWithMalformedIdsOrSelfReceiptIsInvalid) {
  v1::OpenManifestRequest r = OpenRequest();
  std::string bad = generator_;
  bad.back() = bad.back() == '0' ? '1' : '0';
  r.set_generator(bad);
  EXPECT_THAT(
      DecideOpen(r, registry_, kNumber, At(0)).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("generator")));
  r = OpenRequest();
  r.clear_carrier();
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("carrier is required")));
  r = OpenRequest();
  r.set_generator(dual_);
  r.set_receiver(dual_);
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("receiver must differ from generator")));
}

TEST_F(LifecycleTest, OpenRefusesBadWasteLines) {
  v1::OpenManifestRequest r = OpenRequest();
  r.mutable_lines(1)->set_code("900-248-49");
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("lines[1].code"),
                             HasSubstr("not in the 2021 catalogue"))));
  r = OpenRequest();
  r.mutable_lines(0)->set_code("HW08");
  EXPECT_THAT(
      DecideOpen(r, registry_, kNumber, At(0)).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lines[0].code")));
  for (int64_t grams : {int64_t{0}, int64_t{-5}, kMaxLineGrams + 1}) {
    r = OpenRequest();
    r.mutable_lines(1)->set_quantity_g(grams);
    EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("lines[1].quantity_g")))
        << grams;
  }
  r = OpenRequest();
  r.mutable_lines(0)->set_package_count(-1);
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("lines[0].package_count")));
  r = OpenRequest();
  r.clear_lines();
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("lines must hold 1..100")));
}

// The legal form's line fields (2021 办法 Art. 10, 13): recorded as given,
// the name and the hazards defaulted from the catalogue and recorded so.
TEST_F(LifecycleTest, OpenRecordsTheLegalFormOfEachLine) {
  v1::OpenManifestRequest r = OpenRequest();
  v1::WasteLine* oil = r.mutable_lines(0);
  oil->set_common_name("废机油");
  oil->set_form(v1::PHYSICAL_FORM_LIQUID);
  oil->set_purpose(v1::TRANSFER_PURPOSE_UTILISE);
  oil->set_constituents("矿物油, 重金属");
  oil->set_precautions("远离火源; 泄漏时用砂土吸附");
  oil->set_dg_class("3");
  oil->set_un_number("UN1993");
  oil->add_hazards(v1::HAZARD_CHARACTERISTIC_IGNITABILITY);
  oil->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
  oil->add_hazards(v1::HAZARD_CHARACTERISTIC_CORROSIVITY);  // beyond T, I
  r.mutable_lines(1)->set_name("含油抹布");
  absl::StatusOr<Decision> d = DecideOpen(r, registry_, kNumber, At(0));
  ASSERT_TRUE(d.ok()) << d.status();
  const v1::WasteLine& got = d->next.lines(0);
  EXPECT_EQ(got.name(), WasteCatalogue::Builtin()
                            .Lookup("code", "900-249-08")
                            .value()
                            ->name);  // the catalogue's
  EXPECT_EQ(got.common_name(), "废机油");
  EXPECT_EQ(got.form(), v1::PHYSICAL_FORM_LIQUID);
  EXPECT_EQ(got.purpose(), v1::TRANSFER_PURPOSE_UTILISE);
  EXPECT_EQ(got.un_number(), "UN1993");
  EXPECT_EQ(got.dg_class(), "3");
  EXPECT_EQ(got.precautions(), "远离火源; 泄漏时用砂土吸附");
  // As declared, in the order declared.
  EXPECT_THAT(got.hazards(),
              ElementsAre(v1::HAZARD_CHARACTERISTIC_IGNITABILITY,
                          v1::HAZARD_CHARACTERISTIC_TOXICITY,
                          v1::HAZARD_CHARACTERISTIC_CORROSIVITY));
  const v1::WasteLine& rags = d->next.lines(1);
  EXPECT_EQ(rags.name(), "含油抹布");
  EXPECT_EQ(rags.hazards_size(), 2);  // 900-041-49: T, In
  // The lines are recorded as the generator sent (and signed) them; what
  // the catalogue gave is recorded beside them, only where a line left it
  // unset.
  const ledger::v1::ManifestEvent& e = d->events[0];
  EXPECT_EQ(e.opened().lines(0).SerializeAsString(),
            r.lines(0).SerializeAsString());
  ASSERT_EQ(e.line_defaults_size(), 2);
  EXPECT_FALSE(e.line_defaults(0).name().empty());
  EXPECT_EQ(e.line_defaults(0).hazards_size(), 0);  // declared
  EXPECT_EQ(e.line_defaults(1).name(), "");         // given
  EXPECT_EQ(e.line_defaults(1).hazards_size(), 2);
}

TEST_F(LifecycleTest, OpenRefusesABadLegalForm) {
  struct Bad {
    std::function<void(v1::WasteLine*)> edit;
    std::string field;
  };
  const std::vector<Bad> bad = {
      {[](v1::WasteLine* l) {
         l->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);  // not I
       },
       "lines[0].hazards"},
      {[](v1::WasteLine* l) {
         l->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
         l->add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
       },
       "lines[0].hazards lists T twice"},
      {[](v1::WasteLine* l) {
         l->add_hazards(static_cast<v1::HazardCharacteristic>(9));
       },
       "lines[0].hazards"},
      {[](v1::WasteLine* l) { l->set_form(static_cast<v1::PhysicalForm>(7)); },
       "lines[0].form"},
      {[](v1::WasteLine* l) {
         l->set_purpose(static_cast<v1::TransferPurpose>(4));
       },
       "lines[0].purpose"},
      {[](v1::WasteLine* l) { l->set_dg_class("3"); }, "lines[0].un_number"},
      {[](v1::WasteLine* l) { l->set_un_number("UN1993"); },
       "lines[0].dg_class"},
      {[](v1::WasteLine* l) {
         l->set_dg_class("3.3");
         l->set_un_number("UN1993");
       },
       "lines[0].dg_class"},
      {[](v1::WasteLine* l) {
         l->set_dg_class("3");
         l->set_un_number("1993");
       },
       "lines[0].un_number"},
      {[](v1::WasteLine* l) { l->set_name(std::string(501, 'x')); },
       "lines[0].name"},
      {[](v1::WasteLine* l) { l->set_constituents(std::string(501, 'x')); },
       "lines[0].constituents"},
      {[](v1::WasteLine* l) { l->set_precautions(std::string(501, 'x')); },
       "lines[0].precautions"},
  };
  for (const Bad& b : bad) {
    v1::OpenManifestRequest r = OpenRequest();
    b.edit(r.mutable_lines(0));
    EXPECT_THAT(
        DecideOpen(r, registry_, kNumber, At(0)).status(),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(b.field)))
        << b.field;
  }
}

TEST_F(LifecycleTest, OpenTakesAtMostOneHundredLines) {
  v1::OpenManifestRequest r = OpenRequest();
  while (r.lines_size() < kMaxWasteLines) *r.add_lines() = r.lines(0);
  absl::StatusOr<Decision> d = DecideOpen(r, registry_, kNumber, At(0));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->next.destinations(0).sent_g_size(), kMaxWasteLines);
  *r.add_lines() = r.lines(0);
  EXPECT_THAT(DecideOpen(r, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("lines must hold 1..100"),
                             HasSubstr("got 101"))));
}

TEST_F(LifecycleTest, PositionOutsideTheGlobeIsInvalid) {
  v1::OpenManifestRequest open = OpenRequest();
  open.mutable_meta()->mutable_position()->set_lat(91);
  EXPECT_THAT(DecideOpen(open, registry_, kNumber, At(0)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("meta.position.lat 91")));
  const v1::Manifest m = Opened(/*draft=*/false);
  v1::PickupRequest pickup = PickupRequest();
  pickup.mutable_meta()->mutable_position()->set_lat(std::nan(""));
  EXPECT_THAT(DecidePickup(m, pickup, registry_, At(10)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("meta.position.lat")));
  pickup = PickupRequest();
  pickup.mutable_meta()->mutable_position()->set_lon(-180.5);
  EXPECT_THAT(DecidePickup(m, pickup, registry_, At(10)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("meta.position.lon")));
  pickup = PickupRequest();
  pickup.mutable_meta()->mutable_position()->set_lat(-90);
  EXPECT_TRUE(DecidePickup(m, pickup, registry_, At(10)).ok());
}

// ---------------------------------------------------------------------------
// Pickup and relay: carriers and vehicles.

TEST_F(LifecycleTest, PickupNeedsAVehicleOfTheCarrier) {
  const v1::Manifest m = Opened(/*draft=*/false);
  EXPECT_THAT(
      DecidePickup(m, PickupRequest(carrier_a_, "浙F54321"), registry_, At(10))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("vehicle 浙F54321"),
                     HasSubstr("not a registered vehicle of carrier"))));
  EXPECT_THAT(
      DecidePickup(m, PickupRequest(carrier_a_, "浙I12345"), registry_, At(10))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("vehicle")));
  EXPECT_THAT(DecidePickup(m, PickupRequest(carrier_a_, ""), registry_, At(10))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("vehicle is required")));
}

TEST_F(LifecycleTest, PickupByACarrierNoLongerRegisteredIsNotFound) {
  const v1::Manifest m = Opened(/*draft=*/false);
  FakeRegistry empty;
  EXPECT_THAT(DecidePickup(m, PickupRequest(), empty, At(10)).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("carrier")));
}

TEST_F(LifecycleTest, RelayChecksTheNextCarrier) {
  const v1::Manifest m = PickedUp();
  EXPECT_THAT(DecideRelay(m, RelayRequest(carrier_a_, carrier_a_, "浙F12345"),
                          registry_, At(20))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("to_carrier"),
                             HasSubstr("already holding the load"))));
  EXPECT_THAT(
      DecideRelay(m, RelayRequest(carrier_a_, unregistered_, "浙F54321"),
                  registry_, At(20))
          .status(),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("to_carrier")));
  EXPECT_THAT(
      DecideRelay(m, RelayRequest(carrier_a_, receiver_b_, "浙F54321"),
                  registry_, At(20))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("to_carrier"), HasSubstr("TRANSPORTER"))));
  // The vehicle must belong to the carrier taking over, not the one leaving.
  EXPECT_THAT(
      DecideRelay(m, RelayRequest(carrier_a_, carrier_b_, "浙F12345"),
                  registry_, At(20))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("vehicle 浙F12345"), HasSubstr(carrier_b_))));
  EXPECT_THAT(DecideRelay(m, RelayRequest(carrier_a_, "", "浙F54321"),
                          registry_, At(20))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("to_carrier is required")));
}

// ---------------------------------------------------------------------------
// Receive.

TEST_F(LifecycleTest, ReceiveMustAccountForEveryLine) {
  const v1::Manifest m = Delivered();
  EXPECT_THAT(
      DecideReceive(m,
                    ReceiveRequest(receiver_a_,
                                   {Receipt(1, v1::LineReceipt::DECISION_ACCEPT,
                                            1000 * kKg)}),
                    registry_, At(130))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("line 2"), HasSubstr("not accounted for"))));
  EXPECT_THAT(DecideReceive(
                  m,
                  ReceiveRequest(
                      receiver_a_,
                      {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 1000 * kKg),
                       Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg),
                       Receipt(3, v1::LineReceipt::DECISION_ACCEPT, 1)}),
                  registry_, At(130))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("lines[2].line 3"),
                             HasSubstr("not a line of manifest"))));
  EXPECT_THAT(
      DecideReceive(
          m,
          ReceiveRequest(receiver_a_,
                         {Receipt(0, v1::LineReceipt::DECISION_ACCEPT, 1)}),
          registry_, At(130))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("lines[0].line 0")));
}

TEST_F(LifecycleTest, ReceiveOfNothingIsRefused) {
  // A line received as 0 g would close the chain with nothing disposed: the
  // waste would leave the record without a grave.
  const v1::Manifest m = Delivered();
  EXPECT_THAT(
      DecideReceive(
          m,
          ReceiveRequest(receiver_a_,
                         {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 0),
                          Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 0)}),
          registry_, At(130))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("line 1"), HasSubstr("received as 0 g"))));
  // A split line only needs its parts to add up to something.
  EXPECT_TRUE(
      DecideReceive(
          m,
          ReceiveRequest(receiver_a_,
                         {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 0),
                          Receipt(1, v1::LineReceipt::DECISION_REJECT,
                                  1000 * kKg, "wrong form"),
                          Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 1)}),
          registry_, At(130))
          .ok());
}

TEST_F(LifecycleTest, ReceiveChecksEachReceipt) {
  const v1::Manifest m = Delivered();
  EXPECT_THAT(
      DecideReceive(
          m,
          ReceiveRequest(
              receiver_a_,
              {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 1000 * kKg),
               Receipt(2, v1::LineReceipt::DECISION_REJECT, 250 * kKg)}),
          registry_, At(130))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("lines[1].reason is required")));
  EXPECT_THAT(
      DecideReceive(
          m,
          ReceiveRequest(
              receiver_a_,
              {Receipt(1, v1::LineReceipt::DECISION_UNSPECIFIED, 1000 * kKg),
               Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)}),
          registry_, At(130))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("lines[0].decision is required")));
  EXPECT_THAT(
      DecideReceive(
          m,
          ReceiveRequest(
              receiver_a_,
              {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, -1),
               Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)}),
          registry_, At(130))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("lines[0].quantity_g -1")));
}

// ---------------------------------------------------------------------------
// Dispose.

TEST_F(LifecycleTest, DisposeIsLimitedToWhatWasAccepted) {
  v1::Manifest m = Delivered();
  m = Step(
      m,
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130)),
      At(130));
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(receiver_a_, {{1, 1000 * kKg + 1}}),
                    At(200))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("lines[0].quantity_g 1000001"),
                     HasSubstr("exceeds the 1000000 g of line 1"))));
  // Two disposals of one line in one request count together.
  EXPECT_THAT(
      DecideDispose(
          m, DisposeRequest(receiver_a_, {{1, 600 * kKg}, {1, 500 * kKg}}),
          At(200))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("lines[1].quantity_g")));

  // Part of it: the chain stays open.
  absl::StatusOr<Decision> d =
      DecideDispose(m, DisposeRequest(receiver_a_, {{1, 500 * kKg}}), At(200));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.disposed"));
  m = Step(m, d, At(200));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_ACCEPTED);
  EXPECT_FALSE(ChainComplete(m));
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(receiver_a_, {{1, 600 * kKg}}), At(201))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("exceeds the 500000 g")));

  // The rest closes it.
  d = DecideDispose(
      m, DisposeRequest(receiver_a_, {{1, 500 * kKg}, {2, 250 * kKg}}),
      At(300));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d),
              ElementsAre("manifest.disposed", "manifest.closed"));
  m = Step(m, d, At(300));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_TRUE(ChainComplete(m));
}

TEST_F(LifecycleTest, DisposeChecksEachLine) {
  v1::Manifest m = Delivered();
  m = Step(
      m,
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130)),
      At(130));
  v1::DisposeRequest r = DisposeRequest(receiver_a_, {{1, 1}});
  r.mutable_lines(0)->clear_method();
  EXPECT_THAT(DecideDispose(m, r, At(200)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("lines[0].method is required")));
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(receiver_a_, {{3, 1}}), At(200)).status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("lines[0].line 3")));
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(receiver_a_, {{1, 0}}), At(200)).status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("lines[0].quantity_g 0 must be positive")));
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(receiver_a_, {}), At(200)).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lines")));
}

// The method of a disposal and the intended one of an opening are codes of
// the table (data/cn-treatment-methods.csv), not any text.
TEST_F(LifecycleTest, MethodsMustBeCodesOfTheTable) {
  v1::Manifest m = Delivered();
  m = Step(
      m,
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130)),
      At(130));
  for (const char* bad : {"D99", "d10", "R 1", "'; DROP TABLE manifests;--"}) {
    v1::DisposeRequest r = DisposeRequest(receiver_a_, {{1, 1000 * kKg}});
    r.mutable_lines(0)->set_method(bad);
    EXPECT_THAT(DecideDispose(m, r, At(200)).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("lines[0].method"),
                               HasSubstr("is not a utilisation or disposal "
                                         "method code"))))
        << bad;
    v1::OpenManifestRequest open = OpenRequest();
    open.set_method(bad);
    EXPECT_THAT(
        DecideOpen(open, registry_, kNumber, At(0)).status(),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("method")))
        << bad;
  }
  v1::OpenManifestRequest open = OpenRequest();
  open.set_method("R9");
  EXPECT_TRUE(DecideOpen(open, registry_, kNumber, At(0)).ok());
}

// Each line takes at most one accept and one reject: the same line accepted
// twice was summed, 1 t shipped taken as 2 t accepted.
TEST_F(LifecycleTest, ALineAcceptedTwiceInOneReceiptIsRefused) {
  const v1::Manifest m = Delivered();
  EXPECT_THAT(
      DecideReceive(
          m,
          ReceiveRequest(
              receiver_a_,
              {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 1000 * kKg),
               Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 1000 * kKg),
               Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)}),
          registry_, At(130))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("lines[1]: line 1 is accepted twice in one "
                         "receipt")));
  EXPECT_THAT(
      DecideReceive(
          m,
          ReceiveRequest(
              receiver_a_,
              {Receipt(1, v1::LineReceipt::DECISION_REJECT, 500 * kKg, "渗漏"),
               Receipt(1, v1::LineReceipt::DECISION_REJECT, 500 * kKg, "渗漏"),
               Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)}),
          registry_, At(130))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("line 1 is rejected twice")));
  // One accept and one reject of a line is how a part is refused.
  EXPECT_TRUE(
      DecideReceive(
          m,
          ReceiveRequest(
              receiver_a_,
              {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 800 * kKg),
               Receipt(1, v1::LineReceipt::DECISION_REJECT, 200 * kKg, "渗漏"),
               Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)}),
          registry_, At(130))
          .ok());
}

TEST_F(LifecycleTest, DisposeByAReceiverThatReceivedNothingIsDenied) {
  v1::Manifest m = Delivered();
  // The named receiver has not received yet.
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(receiver_a_, {{1, 1}}), At(125)).status(),
      StatusIs(absl::StatusCode::kPermissionDenied,
               AllOf(HasSubstr(receiver_a_), HasSubstr("received nothing"))));
  m = Step(
      m,
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130)),
      At(130));
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(receiver_b_, {{1, 1}}), At(200)).status(),
      StatusIs(absl::StatusCode::kPermissionDenied,
               AllOf(HasSubstr(receiver_b_), HasSubstr("received nothing"))));
  EXPECT_THAT(DecideDispose(m, DisposeRequest("", {{1, 1}}), At(200)).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("receiver is required")));
}

// ---------------------------------------------------------------------------
// Partial rejection and reroute.

void LifecycleTest::RunPartialRejection(bool alternate_disposes_first) {
  v1::Manifest m = PartiallyAccepted();
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED);
  ASSERT_EQ(m.destinations_size(), 1);
  const v1::Destination& first = m.destinations(0);
  EXPECT_THAT(Grams(first.received_g()), ElementsAre(1000 * kKg, 250 * kKg));
  EXPECT_THAT(Grams(first.accepted_g()), ElementsAre(800 * kKg, 250 * kKg));
  EXPECT_THAT(Grams(first.rejected_g()), ElementsAre(200 * kKg, 0));
  EXPECT_EQ(first.reject_reasons(0), "两桶渗漏，包装不符");
  EXPECT_FALSE(ChainComplete(m));

  // The rejected 200 kg go to receiver B on a new leg.
  absl::StatusOr<Decision> d =
      DecideReroute(m, RerouteRequest(receiver_b_, carrier_b_, "浙F54321"),
                    registry_, At(300));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.rerouted"));
  EXPECT_EQ(d->events[0].destination_division(), "330106");
  m = Step(m, d, At(300));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  EXPECT_EQ(m.receiver(), receiver_b_);
  EXPECT_EQ(m.carrier(), carrier_b_);
  EXPECT_EQ(m.destination_division(), "330106");
  ASSERT_EQ(m.destinations_size(), 2);
  EXPECT_EQ(m.destinations(1).receiver(), receiver_b_);
  EXPECT_THAT(Grams(m.destinations(1).sent_g()), ElementsAre(200 * kKg, 0));
  EXPECT_FALSE(m.destinations(1).returned_to_generator());
  ASSERT_EQ(m.legs_size(), 2);
  EXPECT_EQ(m.legs(1).number(), 2);
  EXPECT_EQ(m.legs(1).carrier(), carrier_b_);
  EXPECT_EQ(m.legs(1).vehicle(), "浙F54321");
  EXPECT_EQ(m.legs(1).handed_over_by(), receiver_a_);
  EXPECT_FALSE(ChainComplete(m));

  // The receiver that rejected the load scanning it again is a wrong delivery.
  absl::StatusOr<Decision> back =
      DecideDeliver(m, DeliverRequest(receiver_a_), registry_, At(400));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->events[0].has_misdelivered());
  EXPECT_EQ(back->next.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  m = Step(m, DecideDeliver(m, DeliverRequest(receiver_b_), registry_, At(400)),
           At(400));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_DELIVERED);
  EXPECT_TRUE(m.destinations(1).delivered());

  // Line 2 never went to B.
  EXPECT_THAT(DecideReceive(
                  m,
                  ReceiveRequest(
                      receiver_b_,
                      {Receipt(1, v1::LineReceipt::DECISION_ACCEPT, 200 * kKg),
                       Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 1)}),
                  registry_, At(410))
                  .status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("lines[1].line 2"),
                             HasSubstr("not sent to this receiver"))));
  d = DecideReceive(m, ReceiveAllRequest(receiver_b_, m), registry_, At(410));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.received"));
  m = Step(m, d, At(410));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_ACCEPTED);
  EXPECT_THAT(Grams(m.destinations(1).accepted_g()), ElementsAre(200 * kKg, 0));
  EXPECT_FALSE(ChainComplete(m));

  // B disposes only its own 200 kg, though A accepted 800 kg of line 1.
  EXPECT_THAT(DecideDispose(
                  m, DisposeRequest(receiver_b_, {{1, 200 * kKg + 1}}), At(500))
                  .status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("exceeds the 200000 g")));

  const v1::DisposeRequest by_a =
      DisposeRequest(receiver_a_, {{1, 800 * kKg}, {2, 250 * kKg}});
  const v1::DisposeRequest by_b = DisposeRequest(receiver_b_, {{1, 200 * kKg}});
  const v1::DisposeRequest& one = alternate_disposes_first ? by_b : by_a;
  const v1::DisposeRequest& other = alternate_disposes_first ? by_a : by_b;

  d = DecideDispose(m, one, At(500));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.disposed"));
  m = Step(m, d, At(500));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_ACCEPTED);
  EXPECT_FALSE(ChainComplete(m));

  d = DecideDispose(m, other, At(600));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d),
              ElementsAre("manifest.disposed", "manifest.closed"));
  m = Step(m, d, At(600));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_TRUE(ChainComplete(m));
  EXPECT_THAT(Grams(m.destinations(0).disposed_g()),
              ElementsAre(800 * kKg, 250 * kKg));
  EXPECT_THAT(Grams(m.destinations(1).disposed_g()), ElementsAre(200 * kKg, 0));
}

TEST_F(LifecycleTest, PartialRejectionClosesOnceBothDisposeFirstReceiverFirst) {
  RunPartialRejection(/*alternate_disposes_first=*/false);
}

TEST_F(LifecycleTest, PartialRejectionClosesOnceBothDisposeAlternateFirst) {
  RunPartialRejection(/*alternate_disposes_first=*/true);
}

TEST_F(LifecycleTest, FirstReceiverMayDisposeBeforeTheReroute) {
  v1::Manifest m = PartiallyAccepted();
  absl::StatusOr<Decision> d = DecideDispose(
      m, DisposeRequest(receiver_a_, {{1, 800 * kKg}, {2, 250 * kKg}}),
      At(200));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.disposed"));
  m = Step(m, d, At(200));
  // The rejected 200 kg still wait for a reroute.
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED);
  EXPECT_FALSE(ChainComplete(m));
  m = Step(m,
           DecideReroute(m, RerouteRequest(receiver_b_, carrier_b_, "浙F54321"),
                         registry_, At(300)),
           At(300));
  m = Step(m, DecideDeliver(m, DeliverRequest(receiver_b_), registry_, At(400)),
           At(400));
  d = DecideReceive(m, ReceiveAllRequest(receiver_b_, m), registry_, At(410));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.received"));
  m = Step(m, d, At(410));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_ACCEPTED);
  d = DecideDispose(m, DisposeRequest(receiver_b_, {{1, 200 * kKg}}), At(500));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d),
              ElementsAre("manifest.disposed", "manifest.closed"));
}

TEST_F(LifecycleTest, RerouteChecksDestinationAndCarrier) {
  const v1::Manifest m = PartiallyAccepted();
  EXPECT_THAT(
      DecideReroute(m, RerouteRequest(receiver_a_, carrier_b_, "浙F54321"),
                    registry_, At(300))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("to"), HasSubstr("rejected the load"))));
  EXPECT_THAT(
      DecideReroute(m, RerouteRequest(unregistered_, carrier_b_, "浙F54321"),
                    registry_, At(300))
          .status(),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("to")));
  EXPECT_THAT(
      DecideReroute(m, RerouteRequest(carrier_a_, carrier_b_, "浙F54321"),
                    registry_, At(300))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("to"), HasSubstr("RECEIVER"))));
  EXPECT_THAT(
      DecideReroute(m, RerouteRequest(receiver_b_, carrier_b_, "浙F12345"),
                    registry_, At(300))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("vehicle 浙F12345")));
  EXPECT_THAT(
      DecideReroute(m, RerouteRequest(receiver_b_, receiver_b_, "浙F54321"),
                    registry_, At(300))
          .status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("carrier"), HasSubstr("TRANSPORTER"))));
}

TEST_F(LifecycleTest, RerouteOfAFullyAcceptedLoadIsRefused) {
  v1::Manifest m = Delivered();
  m = Step(
      m,
      DecideReceive(m, ReceiveAllRequest(receiver_a_, m), registry_, At(130)),
      At(130));
  EXPECT_THAT(
      DecideReroute(m, RerouteRequest(receiver_b_, carrier_b_, "浙F54321"),
                    registry_, At(300))
          .status(),
      StatusIs(
          absl::StatusCode::kFailedPrecondition,
          AllOf(HasSubstr("cannot reroute"), HasSubstr("it is ACCEPTED"))));
}

// ---------------------------------------------------------------------------
// Full rejection and return to the generator.

TEST_F(LifecycleTest, FullRejectionReturnsToTheGeneratorAndCloses) {
  v1::Manifest m = Rejected();
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_REJECTED);
  EXPECT_THAT(Grams(m.destinations(0).accepted_g()), ElementsAre(0, 0));
  EXPECT_THAT(Grams(m.destinations(0).rejected_g()),
              ElementsAre(1000 * kKg, 250 * kKg));
  EXPECT_FALSE(ChainComplete(m));
  // Receiver A accepted nothing, so has nothing to dispose of.
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(receiver_a_, {{1, 1}}), At(200)).status(),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("exceeds the 0 g")));

  absl::StatusOr<Decision> d =
      DecideReroute(m, RerouteRequest(generator_, carrier_a_, "浙F12345"),
                    registry_, At(300));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.rerouted"));
  EXPECT_EQ(d->events[0].destination_division(), "330402");
  m = Step(m, d, At(300));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  EXPECT_EQ(m.receiver(), generator_);
  EXPECT_EQ(m.destination_division(), m.origin_division());
  ASSERT_EQ(m.destinations_size(), 2);
  EXPECT_TRUE(m.destinations(1).returned_to_generator());
  EXPECT_EQ(m.destinations(1).receiver(), generator_);
  EXPECT_THAT(Grams(m.destinations(1).sent_g()),
              ElementsAre(1000 * kKg, 250 * kKg));
  ASSERT_EQ(m.legs_size(), 2);
  EXPECT_EQ(m.legs(1).handed_over_by(), receiver_a_);

  m = Step(m, DecideDeliver(m, DeliverRequest(generator_), registry_, At(400)),
           At(400));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_DELIVERED);

  // A return can only be taken back.
  EXPECT_THAT(
      DecideReceive(
          m,
          ReceiveRequest(
              generator_,
              {Receipt(1, v1::LineReceipt::DECISION_REJECT, 1000 * kKg, "不收"),
               Receipt(2, v1::LineReceipt::DECISION_ACCEPT, 250 * kKg)}),
          registry_, At(410))
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("lines[0].decision REJECT"),
                     HasSubstr("returned to its generator"))));

  d = DecideReceive(m, ReceiveAllRequest(generator_, m), registry_, At(410));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d),
              ElementsAre("manifest.received", "manifest.closed"));
  m = Step(m, d, At(410));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_TRUE(ChainComplete(m));

  // The generator is no receiver and disposes of nothing on this manifest.
  EXPECT_THAT(
      DecideDispose(m, DisposeRequest(generator_, {{1, 1}}), At(500)).status(),
      StatusIs(absl::StatusCode::kPermissionDenied,
               HasSubstr("received nothing")));
}

TEST_F(LifecycleTest, ReturnOfARejectedPartClosesOnceTheRestIsDisposed) {
  v1::Manifest m = PartiallyAccepted();
  m = Step(m,
           DecideReroute(m, RerouteRequest(generator_, carrier_a_, "浙F12345"),
                         registry_, At(300)),
           At(300));
  EXPECT_THAT(Grams(m.destinations(1).sent_g()), ElementsAre(200 * kKg, 0));
  m = Step(m, DecideDeliver(m, DeliverRequest(generator_), registry_, At(400)),
           At(400));
  absl::StatusOr<Decision> d =
      DecideReceive(m, ReceiveAllRequest(generator_, m), registry_, At(410));
  ASSERT_TRUE(d.ok()) << d.status();
  // Receiver A has not disposed of its 1050 kg yet.
  EXPECT_THAT(EventTypes(*d), ElementsAre("manifest.received"));
  m = Step(m, d, At(410));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_ACCEPTED);
  EXPECT_FALSE(ChainComplete(m));
  d = DecideDispose(
      m, DisposeRequest(receiver_a_, {{1, 800 * kKg}, {2, 250 * kKg}}),
      At(500));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(EventTypes(*d),
              ElementsAre("manifest.disposed", "manifest.closed"));
  m = Step(m, d, At(500));
  EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_TRUE(ChainComplete(m));
}

// ---------------------------------------------------------------------------
// Events and the chain.

TEST(LifecycleEventTypeTest, NamesEveryKind) {
  ledger::v1::ManifestEvent e;
  EXPECT_EQ(EventType(e), "manifest.unknown");
  e.mutable_opened();
  EXPECT_EQ(EventType(e), "manifest.opened");
  e.mutable_issued();
  EXPECT_EQ(EventType(e), "manifest.issued");
  e.mutable_cancelled();
  EXPECT_EQ(EventType(e), "manifest.cancelled");
  e.mutable_picked_up();
  EXPECT_EQ(EventType(e), "manifest.picked_up");
  e.mutable_relayed();
  EXPECT_EQ(EventType(e), "manifest.relayed");
  e.mutable_delivered();
  EXPECT_EQ(EventType(e), "manifest.delivered");
  e.mutable_received();
  EXPECT_EQ(EventType(e), "manifest.received");
  e.mutable_rerouted();
  EXPECT_EQ(EventType(e), "manifest.rerouted");
  e.mutable_disposed();
  EXPECT_EQ(EventType(e), "manifest.disposed");
  e.mutable_closed();
  EXPECT_EQ(EventType(e), "manifest.closed");
}

TEST(LifecycleChainCompleteTest, EmptyManifestIsNotComplete) {
  EXPECT_FALSE(ChainComplete(v1::Manifest()));
}

}  // namespace
}  // namespace cradle::domain
