// Collectors of small generators (docs/COLLECTION.md): a collector's
// container filled from containers it collected, each refusal naming its
// field; the shortfall a shipment is flagged for; the collector's balance.

#include "domain/collection.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "cradle/v1/container.pb.h"
#include "domain/container.h"
#include "tests/testing/parties.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::At;
using ::cradle::testing::kGenerator;
using ::cradle::testing::MakeEnterprise;
using ::cradle::testing::MakeUscc;
using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kWaste[] = "900-249-08";
constexpr int64_t kKg = 1000;
const std::string kSmall = MakeUscc("330402", "3B4C5D6");
const std::string kCollector = MakeUscc("330402", "4C5D6E7");

class CollectionTest : public ::testing::Test {
 protected:
  CollectionTest() {
    collector_ = MakeEnterprise(kCollector, "330402", v1::ROLE_COLLECTOR);
    collector_.add_roles(v1::ROLE_RECEIVER);
    Reset();
  }

  // Two small generators' drums, each on its own manifest to the
  // collector, received on 2026-06-03.
  void Reset() {
    drums_.clear();
    order_.clear();
    manifests_.clear();
    AddCollected("20263304000001", kGenerator,
                 {Drum(kGenerator, 1, 200 * kKg)});
    AddCollected("20263304000002", kSmall,
                 {Drum(kSmall, 1, 150 * kKg), Drum(kSmall, 2, 50 * kKg)});
  }

  static v1::Container Drum(const std::string& unit, int seq, int64_t grams) {
    v1::Container c;
    c.set_code(
        FormatContainerCode(unit, kWaste, absl::CivilDay(2026, 6, 1), seq));
    c.set_generator(unit);
    c.set_waste_code(kWaste);
    c.set_weight_g(grams);
    return c;
  }

  // Manifest `number` from `generator` to the collector, listing `drums`
  // on one line, received and accepted in full into collection.
  void AddCollected(const std::string& number, const std::string& generator,
                    std::vector<v1::Container> drums) {
    v1::Manifest m;
    m.set_number(number);
    m.set_generator(generator);
    m.set_receiver(kCollector);
    m.set_status(v1::MANIFEST_STATUS_CLOSED);
    v1::WasteLine* line = m.add_lines();
    line->set_code(kWaste);
    int64_t total = 0;
    for (v1::Container& d : drums) {
      line->add_containers(d.code());
      total += d.weight_g();
      d.set_manifest(number);
      drums_[d.code()] = d;
      order_.push_back(d.code());
    }
    line->set_quantity_g(total);
    v1::Destination* dest = m.add_destinations();
    dest->set_receiver(kCollector);
    dest->add_sent_g(total);
    dest->add_received_g(total);
    dest->add_accepted_g(total);
    dest->add_rejected_g(0);
    dest->add_disposed_g(0);
    dest->set_received(true);
    dest->set_collected(true);
    *dest->mutable_received_at() = ToTimestamp(At(0));
    manifests_[number] = m;
  }

  // A registration of the collector's container `seq`, filled on
  // `day` from `sources`.
  static v1::RegisterContainerRequest Refill(
      int seq, int64_t grams, const std::vector<std::string>& sources,
      absl::CivilDay day = absl::CivilDay(2026, 6, 3)) {
    v1::RegisterContainerRequest r;
    r.mutable_meta()->set_idempotency_key("k");
    v1::ContainerLabel* c = r.mutable_container();
    c->set_code(FormatContainerCode(kCollector, kWaste, day, seq));
    c->set_generator(kCollector);
    c->set_weight_g(grams);
    c->set_packaging("吨袋");
    for (const std::string& s : sources) c->add_sources(s);
    return r;
  }

  // The sources of `r` as the store reads them.
  std::vector<CollectedSource> Read(const v1::RegisterContainerRequest& r) {
    std::vector<CollectedSource> out;
    for (const std::string& code : r.container().sources()) {
      CollectedSource s;
      s.container = drums_.at(code);
      if (!s.container.manifest().empty()) {
        s.manifest = manifests_.at(s.container.manifest());
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  absl::StatusOr<ContainerDecision> Decide(
      const v1::RegisterContainerRequest& r) {
    return DecideRegisterContainer(r, collector_, nullptr, Read(r), At(60));
  }

  // The collector's bag of 330 kg filled from the first two drums, 5 kg
  // documented lost.
  v1::Container Bag() const {
    v1::Container bag;
    bag.set_code(
        FormatContainerCode(kCollector, kWaste, absl::CivilDay(2026, 6, 3), 1));
    bag.set_generator(kCollector);
    bag.set_waste_code(kWaste);
    bag.set_weight_g(330 * kKg);
    bag.add_sources(order_[0]);
    bag.add_sources(order_[1]);
    bag.set_loss_g(5 * kKg);
    return bag;
  }

  v1::Enterprise collector_;
  std::map<std::string, v1::Container> drums_;
  std::vector<std::string> order_;  // drums in the order added
  std::map<std::string, v1::Manifest> manifests_;
};

TEST_F(CollectionTest, ACollectorFillsItsContainerFromWhatItCollected) {
  v1::RegisterContainerRequest r = Refill(1, 392 * kKg, order_);
  r.mutable_container()->set_loss_g(8 * kKg);
  r.mutable_container()->set_loss_reason("残留于原包装桶");
  absl::StatusOr<ContainerDecision> d = Decide(r);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_THAT(d->next.sources(),
              ::testing::ElementsAreArray(order_.begin(), order_.end()));
  EXPECT_EQ(d->next.loss_g(), 8 * kKg);
  EXPECT_EQ(d->next.loss_reason(), "残留于原包装桶");
  // Recorded as decided: the event replays to the same container.
  EXPECT_EQ(d->event.registered().container().sources_size(), 3);
  EXPECT_EQ(ApplyContainerEvent(v1::Container(), d->event, At(60))
                .SerializeAsString(),
            d->next.SerializeAsString());

  std::map<std::string, int64_t> weights;
  for (const auto& [code, c] : drums_) weights[code] = c.weight_g();
  EXPECT_EQ(CollectionShortfall(d->next, weights), 0);
  v1::Container light = d->next;
  light.set_weight_g(300 * kKg);  // 400 kg collected, 8 kg documented lost
  EXPECT_EQ(CollectionShortfall(light, weights), 92 * kKg);
  light.clear_sources();
  EXPECT_EQ(CollectionShortfall(light, weights), 0);
}

TEST_F(CollectionTest, EachSourceThatWasNotCollectedIsRefusedNamingIt) {
  const std::string first = order_[0], second = order_[1];
  struct Case {
    std::string name;
    std::function<void(v1::RegisterContainerRequest*)> change;
    absl::StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"listed twice",
       [&](auto* r) { r->mutable_container()->add_sources(first); },
       absl::StatusCode::kInvalidArgument, "sources[3] "},
      {"another code",
       [&](auto*) { drums_[second].set_waste_code("900-041-49"); },
       absl::StatusCode::kInvalidArgument,
       "sources[1] " + second + " holds 900-041-49"},
      {"void", [&](auto*) { drums_[second].set_stock(v1::STOCK_STATE_VOID); },
       absl::StatusCode::kFailedPrecondition,
       "sources[1] " + second + " is void"},
      {"refilled before",
       [&](auto*) { drums_[first].set_consolidated_into("X"); },
       absl::StatusCode::kFailedPrecondition,
       "sources[0] " + first + " already went into container X"},
      {"on no manifest", [&](auto*) { drums_[first].clear_manifest(); },
       absl::StatusCode::kFailedPrecondition, "was not collected"},
      {"sent to another",
       [&](auto*) {
         manifests_["20263304000001"].mutable_destinations(0)->set_receiver(
             kSmall);
       },
       absl::StatusCode::kFailedPrecondition, "not collected by " + kCollector},
      {"not received yet",
       [&](auto*) {
         manifests_["20263304000001"].mutable_destinations(0)->set_received(
             false);
       },
       absl::StatusCode::kFailedPrecondition, "has not received yet"},
      {"received as a receiver",
       [&](auto*) {
         manifests_["20263304000001"].mutable_destinations(0)->set_collected(
             false);
       },
       absl::StatusCode::kFailedPrecondition, "registered as a COLLECTOR"},
      {"rejected",
       [&](auto*) {
         manifests_["20263304000001"].mutable_destinations(0)->set_accepted_g(
             0, 0);
       },
       absl::StatusCode::kFailedPrecondition, "was not accepted"},
      {"filled before it was received",
       [&](auto* r) {
         *r = Refill(1, 392 * kKg, order_, absl::CivilDay(2026, 6, 2));
       },
       absl::StatusCode::kInvalidArgument,
       "date 2026-06-02 is before container.sources[0]"},
      {"a loss without why",
       [&](auto* r) { r->mutable_container()->set_loss_g(kKg); },
       absl::StatusCode::kInvalidArgument, "container.loss_reason"},
      {"a why without loss",
       [&](auto* r) { r->mutable_container()->set_loss_reason("洒落"); },
       absl::StatusCode::kInvalidArgument, "without container.loss_g"},
      {"losing everything",
       [&](auto* r) {
         r->mutable_container()->set_loss_g(400 * kKg);
         r->mutable_container()->set_loss_reason("全部洒落");
       },
       absl::StatusCode::kInvalidArgument, "container.loss_g 400000 must be"},
  };
  for (const Case& c : cases) {
    Reset();
    v1::RegisterContainerRequest r = Refill(1, 392 * kKg, order_);
    c.change(&r);
    EXPECT_THAT(Decide(r), StatusIs(c.code, HasSubstr(c.says))) << c.name;
  }
}

TEST_F(CollectionTest, OnlyACollectorFillsFromSourcesAndLossNeedsSources) {
  v1::Enterprise generator = collector_;
  generator.clear_roles();
  generator.add_roles(v1::ROLE_GENERATOR);
  v1::RegisterContainerRequest r = Refill(1, 392 * kKg, order_);
  EXPECT_THAT(DecideRegisterContainer(r, generator, nullptr, Read(r), At(60)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("container.sources"),
                             HasSubstr("not registered as a COLLECTOR"))));
  v1::RegisterContainerRequest plain = Refill(2, 100 * kKg, {});
  plain.mutable_container()->set_loss_g(kKg);
  EXPECT_THAT(Decide(plain), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("container.sources")));
}

TEST_F(CollectionTest, TheBalanceFollowsWhatWasCollectedToWhatLeft) {
  // Two of the three drums (350 kg) went into the collector's bag of
  // 330 kg with 5 kg documented lost: 15 kg short. The bag is on a
  // manifest picked up; the third drum (50 kg) is still held.
  v1::Container bag = Bag();
  bag.set_manifest("20263304000009");
  drums_[order_[0]].set_consolidated_into(bag.code());
  drums_[order_[1]].set_consolidated_into(bag.code());
  v1::Manifest onward;
  onward.set_number("20263304000009");
  onward.set_status(v1::MANIFEST_STATUS_IN_TRANSIT);
  // A container of its own, not from collection, counts in its stock
  // balance only.
  v1::Container own;
  own.set_code(
      FormatContainerCode(kCollector, kWaste, absl::CivilDay(2026, 6, 3), 2));
  own.set_waste_code(kWaste);
  own.set_weight_g(70 * kKg);

  std::vector<v1::Manifest> inbound;
  for (const auto& [n, m] : manifests_) inbound.push_back(m);
  const std::vector<v1::CollectionBalance> b = CollectionOf(
      kCollector, "", inbound, drums_, {bag, own}, {{onward.number(), onward}});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].waste_code(), kWaste);
  EXPECT_EQ(b[0].manifests(), 2);
  EXPECT_EQ(b[0].sources(), 3);
  EXPECT_EQ(b[0].collected_g(), 400 * kKg);
  EXPECT_EQ(b[0].consolidated_g(), 350 * kKg);
  EXPECT_EQ(b[0].held_g(), 50 * kKg);
  EXPECT_EQ(b[0].refilled_g(), 330 * kKg);
  EXPECT_EQ(b[0].lost_g(), 5 * kKg);
  EXPECT_EQ(b[0].shortfall_g(), 15 * kKg);
  EXPECT_EQ(b[0].shipped_g(), 330 * kKg);
  // collected = refilled + lost + shortfall + held.
  EXPECT_EQ(b[0].collected_g(), b[0].refilled_g() + b[0].lost_g() +
                                    b[0].shortfall_g() + b[0].held_g());

  // Not yet picked up: nothing shipped; another code: nothing at all.
  onward.set_status(v1::MANIFEST_STATUS_ISSUED);
  EXPECT_EQ(CollectionOf(kCollector, "", inbound, drums_, {bag},
                         {{onward.number(), onward}})[0]
                .shipped_g(),
            0);
  EXPECT_TRUE(CollectionOf(kCollector, "900-041-49", inbound, drums_, {bag}, {})
                  .empty());
  // What another receiver accepted is not this collector's.
  EXPECT_TRUE(CollectionOf(kSmall, "", inbound, drums_, {}, {}).empty());
}

TEST_F(CollectionTest, AStruckRefillThatLetItsSourcesGoRefilledNothing) {
  // The bag's registration was struck and let its two drums go: they no
  // longer read as went into it (the index dropped them), and the bag
  // counts for nothing. All 400 kg are held again.
  v1::Container bag = Bag();
  bag.set_stock(v1::STOCK_STATE_VOID);
  v1::StockRecord* struck = bag.add_records();
  struck->set_move(v1::STOCK_MOVE_REVOKED);
  struck->set_revokes(1);
  struck->set_frees_sources(true);

  std::vector<v1::Manifest> inbound;
  for (const auto& [n, m] : manifests_) inbound.push_back(m);
  const std::vector<v1::CollectionBalance> b =
      CollectionOf(kCollector, "", inbound, drums_, {bag}, {});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].collected_g(), 400 * kKg);
  EXPECT_EQ(b[0].consolidated_g(), 0);
  EXPECT_EQ(b[0].refilled_g(), 0);
  EXPECT_EQ(b[0].lost_g(), 0);
  EXPECT_EQ(b[0].held_g(), 400 * kKg);
  EXPECT_EQ(b[0].shortfall_g(), 0);
}

}  // namespace
}  // namespace cradle::domain
