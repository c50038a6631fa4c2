// Transport tracks and weighbridges: the geometry, the batches and their
// digest chain, ROUTE_DEVIATION, LONG_STOP and TRACK_GAP, and weighbridge
// readings in QUANTITY_DISCREPANCY. Each refusal names its field; each
// accepted event replays to the state decided (testing::Flagged).

#include "domain/track.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "domain/lifecycle.h"
#include "domain/weighing.h"
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
using ::cradle::testing::MakeEnterprise;
using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kNumber[] = "20263304000001";
constexpr int64_t kKg = 1000;

// ---------------------------------------------------------------------------
// Geometry.

TEST(GeometryTest, GreatCircleDistances) {
  // A degree of latitude on the mean sphere: 2 pi R / 360.
  EXPECT_NEAR(DistanceM({0, 0}, {1, 0}), 111195.08, 0.5);
  EXPECT_NEAR(DistanceM({0, 0}, {0, 1}), 111195.08, 0.5);
  // Beijing to Shanghai, about 1,067 km.
  EXPECT_NEAR(DistanceM({39.9042, 116.4074}, {31.2304, 121.4737}), 1067.3e3,
              1e3);
  EXPECT_EQ(DistanceM({30, 120}, {30, 120}), 0);
}

TEST(GeometryTest, DistanceToAnArcIsCrossTrackBetweenItsEnds) {
  const LatLon a{0, 0}, b{1, 0};
  // Beside the middle: the cross-track distance, 0.01 degree.
  EXPECT_NEAR(DistanceToArcM({0.5, 0.01}, a, b), 1111.95, 0.5);
  EXPECT_NEAR(DistanceToArcM({0.5, -0.01}, a, b), 1111.95, 0.5);
  // On it.
  EXPECT_NEAR(DistanceToArcM({0.3, 0}, a, b), 0, 0.01);
  // Beyond either end: the distance to that end, not to the great circle.
  EXPECT_NEAR(DistanceToArcM({1.5, 0}, a, b), DistanceM({1.5, 0}, b), 0.01);
  EXPECT_NEAR(DistanceToArcM({-0.5, 0}, a, b), DistanceM({-0.5, 0}, a), 0.01);
  // A degenerate arc is a point.
  EXPECT_NEAR(DistanceToArcM({0, 0.01}, a, a), 1111.95, 0.5);
}

TEST(GeometryTest, DistanceToARouteIsToItsNearestSegment) {
  // North along a meridian (a great circle), then east.
  const std::vector<LatLon> route = {
      {30.0, 120.0}, {30.5, 120.0}, {30.5, 120.5}};
  // Beside the first segment's middle: its distance to the meridian.
  const LatLon p{30.25, 120.01};
  EXPECT_NEAR(DistanceToRouteM(p, route), DistanceM(p, {30.25, 120.0}), 0.5);
  EXPECT_NEAR(DistanceToRouteM(p, route), 960.6, 1);
  // Beside the second: an arc between two points of one parallel bulges
  // towards the pole (it is no parallel), so a point 0.01 degree north of
  // the parallel's midpoint is nearer than 0.01 degree to it.
  const LatLon q{30.51, 120.25};
  EXPECT_LT(DistanceToRouteM(q, route), 1111.95 - 20);
  EXPECT_GT(DistanceToRouteM(q, route), 1111.95 - 40);
  EXPECT_NEAR(DistanceToRouteM(p, {route[0]}), DistanceM(p, route[0]), 0.01);
}

// ---------------------------------------------------------------------------
// Tracks against a manifest.

// A route due south along 120.1 E from near Huzhou towards Hangzhou:
// origin, a place passed through, destination.
const LatLon kOrigin{30.90, 120.10}, kVia{30.60, 120.10}, kEnd{30.30, 120.10};

class TrackTest : public ::testing::Test {
 protected:
  TrackTest() {
    registry_.Add(MakeEnterprise(kGenerator, "330502", v1::ROLE_GENERATOR));
    for (const std::string& id : {kCarrier, kRelayCarrier}) {
      v1::Enterprise carrier =
          MakeEnterprise(id, "330502", v1::ROLE_TRANSPORTER);
      carrier.add_vehicles()->set_plate(kCarrierPlate);
      registry_.Add(carrier);
    }
    // In the generator's city: no CROSS_CITY among the flags looked at.
    v1::Enterprise receiver =
        MakeEnterprise(kReceiver, "330503", v1::ROLE_RECEIVER);
    v1::Licence* l = receiver.add_licences();
    l->set_number("3301000001");
    l->add_codes("HW08");
    l->set_capacity_kg(10000000);
    l->set_valid_until("2027-06-30");
    registry_.Add(receiver);
  }

  static v1::WriteMeta Meta(absl::Time device_time, std::string key = "k") {
    v1::WriteMeta meta;
    meta.set_idempotency_key(std::move(key));
    meta.set_device("T-808");
    *meta.mutable_device_time() = ToTimestamp(device_time);
    return meta;
  }

  Decision Flagged(const v1::Manifest& before, absl::StatusOr<Decision> d,
                   absl::Time now) {
    return ::cradle::testing::Flagged(before, std::move(d), registry_, config_,
                                      now);
  }

  // Opened with 10 t of 900-249-08 and picked up at At(0), with the route
  // declared unless `route` is false.
  v1::Manifest PickedUp(bool route = true) {
    v1::OpenManifestRequest open;
    *open.mutable_meta() = Meta(At(-10));
    open.set_generator(kGenerator);
    open.set_carrier(kCarrier);
    open.set_receiver(kReceiver);
    v1::WasteLine* line = open.add_lines();
    line->set_code("900-249-08");
    line->set_quantity_g(10000 * kKg);
    v1::Manifest m;
    m.set_number(kNumber);
    m = Flagged(m, DecideOpen(open, registry_, kNumber, At(-10)), At(-10)).next;
    v1::PickupRequest pickup;
    *pickup.mutable_meta() = Meta(At(0));
    pickup.set_number(kNumber);
    pickup.set_carrier(kCarrier);
    pickup.set_vehicle(kCarrierPlate);
    if (route) {
      for (LatLon p : {kOrigin, kVia, kEnd}) {
        v1::Position* pos = pickup.mutable_transport()->add_route();
        pos->set_lat(p.lat);
        pos->set_lon(p.lon);
      }
    }
    return Flagged(m, DecidePickup(m, pickup, registry_, At(0)), At(0)).next;
  }

  // A point `minutes` after At(0) at `p`, moving at `kmh`.
  static v1::TrackPoint Point(double minutes, LatLon p, double kmh = 60) {
    v1::TrackPoint t;
    t.set_time(absl::ToUnixSeconds(At(0) + absl::Seconds(minutes * 60)));
    t.set_lat_e6(static_cast<int32_t>(std::llround(p.lat * 1e6)));
    t.set_lon_e6(static_cast<int32_t>(std::llround(p.lon * 1e6)));
    t.set_speed_dkmh(static_cast<uint32_t>(kmh * 10));
    return t;
  }

  // Points every 30 s from `from` to `to` minutes, south along the route
  // from the origin, `east` degrees of longitude off it.
  static std::vector<v1::TrackPoint> Driving(double from, double to,
                                             double east = 0) {
    std::vector<v1::TrackPoint> out;
    for (double t = from; t <= to + 1e-9; t += 0.5) {
      out.push_back(Point(t, {kOrigin.lat - 0.006 * t, kOrigin.lon + east}));
    }
    return out;
  }

  v1::RecordTrackRequest Batch(const v1::Manifest& m,
                               const std::vector<v1::TrackPoint>& points,
                               int leg = 1) const {
    v1::RecordTrackRequest r;
    *r.mutable_meta() = Meta(At(0));
    r.set_number(kNumber);
    r.set_carrier(kCarrier);
    r.set_leg(leg);
    for (const v1::TrackPoint& p : points) *r.add_points() = p;
    for (const v1::LegTrack& t : m.tracks()) {
      if (t.leg() == leg) r.set_previous_digest(t.digest());
    }
    return r;
  }

  Decision Track(const v1::Manifest& m,
                 const std::vector<v1::TrackPoint>& points,
                 absl::Time now = At(600)) {
    return Flagged(m, DecideTrack(m, Batch(m, points), now, config_), now);
  }

  static std::vector<const v1::Flag*> FlagsOf(const v1::Manifest& m,
                                              v1::FlagKind kind) {
    std::vector<const v1::Flag*> out;
    for (const v1::Flag& f : m.flags()) {
      if (f.kind() == kind) out.push_back(&f);
    }
    return out;
  }

  testing::FakeRegistry registry_;
  FlagConfig config_;
};

TEST_F(TrackTest, BatchesAreSummedAndChainedByDigest) {
  v1::Manifest m = PickedUp();
  const std::vector<v1::TrackPoint> first = Driving(0.5, 30);
  Decision d1 = Track(m, first);
  ASSERT_THAT(d1.next.tracks(), SizeIs(1));
  const v1::LegTrack& t1 = d1.next.tracks(0);
  EXPECT_EQ(t1.leg(), 1);
  EXPECT_EQ(t1.batches(), 1);
  EXPECT_EQ(t1.points(), 60);
  EXPECT_EQ(t1.first().time(), first.front().time());
  EXPECT_EQ(t1.last().time(), first.back().time());
  EXPECT_EQ(t1.digest().size(), 64u);
  EXPECT_FALSE(t1.off_route());
  EXPECT_LT(t1.max_off_route_m(), 1);
  // The digest is the batch's, chained to nothing before it.
  ledger::v1::TrackRecorded batch = d1.events[0].track_recorded();
  EXPECT_EQ(TrackDigest("", batch), t1.digest());
  // Any changed point changes it.
  batch.mutable_points(7)->set_lat_e6(batch.points(7).lat_e6() + 1);
  EXPECT_NE(TrackDigest("", batch), t1.digest());

  Decision d2 = Track(d1.next, Driving(30.5, 60));
  const v1::LegTrack& t2 = d2.next.tracks(0);
  EXPECT_EQ(t2.batches(), 2);
  EXPECT_EQ(t2.points(), 120);
  EXPECT_EQ(t2.digest(),
            TrackDigest(t1.digest(), d2.events[0].track_recorded()));
  EXPECT_THAT(d2.next.flags(), IsEmpty());
}

TEST_F(TrackTest, ABatchNotFollowingTheLastIsRefused) {
  v1::Manifest m = Track(PickedUp(), Driving(0.5, 30)).next;
  v1::RecordTrackRequest stale = Batch(m, Driving(30.5, 40));
  stale.set_previous_digest("");
  EXPECT_THAT(DecideTrack(m, stale, At(600), config_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("previous_digest"),
                             HasSubstr(m.tracks(0).digest()))));
  // Points at or before the leg's last one.
  EXPECT_THAT(DecideTrack(m, Batch(m, Driving(29, 40)), At(600), config_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("points[0].time")));
}

TEST_F(TrackTest, RefusesEachBadFieldNamingIt) {
  const v1::Manifest m = PickedUp();
  struct Case {
    std::function<void(v1::RecordTrackRequest*)> change;
    absl::StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {[](v1::RecordTrackRequest* r) { r->set_leg(2); },
       absl::StatusCode::kInvalidArgument, "leg 2 is not a leg"},
      {[](v1::RecordTrackRequest* r) { r->set_carrier(kRelayCarrier); },
       absl::StatusCode::kPermissionDenied, "did not drive leg 1"},
      {[](v1::RecordTrackRequest* r) { r->clear_carrier(); },
       absl::StatusCode::kInvalidArgument, "carrier is required"},
      {[](v1::RecordTrackRequest* r) { r->clear_points(); },
       absl::StatusCode::kInvalidArgument, "points must hold 1..2000"},
      {[](v1::RecordTrackRequest* r) {
         r->mutable_points(3)->set_lat_e6(91e6);
       },
       absl::StatusCode::kInvalidArgument, "points[3] position"},
      {[](v1::RecordTrackRequest* r) {
         r->mutable_points(3)->set_lat_e6(0);
         r->mutable_points(3)->set_lon_e6(0);
       },
       absl::StatusCode::kInvalidArgument, "points[3] position"},
      {[](v1::RecordTrackRequest* r) {
         r->mutable_points(2)->set_speed_dkmh(2600);
       },
       absl::StatusCode::kInvalidArgument, "points[2].speed_dkmh"},
      {[](v1::RecordTrackRequest* r) {
         r->mutable_points(4)->set_time(r->points(3).time());
       },
       absl::StatusCode::kInvalidArgument, "points[4].time"},
      {[](v1::RecordTrackRequest* r) {
         r->mutable_points(9)->set_time(absl::ToUnixSeconds(At(700)));
       },
       absl::StatusCode::kInvalidArgument, "ahead of the server's clock"},
      {[](v1::RecordTrackRequest* r) { r->set_previous_digest("00"); },
       absl::StatusCode::kFailedPrecondition, "previous_digest 00"},
  };
  for (const Case& c : cases) {
    v1::RecordTrackRequest r = Batch(m, Driving(0.5, 10));
    c.change(&r);
    EXPECT_THAT(DecideTrack(m, r, At(600), config_),
                StatusIs(c.code, HasSubstr(c.says)))
        << c.says;
  }
  // Older than the window the server accepts late uploads in.
  EXPECT_THAT(
      DecideTrack(m, Batch(m, Driving(0.5, 10)),
                  At(0) + config_.scan_window + absl::Hours(1), config_),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("points[0].time")));
  // Before pickup there is no leg.
  v1::Manifest issued = m;
  issued.set_status(v1::MANIFEST_STATUS_ISSUED);
  EXPECT_THAT(DecideTrack(issued, Batch(m, Driving(0.5, 10)), At(600), config_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no leg is under way")));
}

TEST_F(TrackTest, ARouteOfOnePositionOrOffTheGlobeIsRefusedAtPickup) {
  v1::Manifest m = PickedUp();
  v1::RelayRequest relay;
  *relay.mutable_meta() = Meta(At(60));
  relay.set_number(kNumber);
  relay.set_from_carrier(kCarrier);
  relay.set_to_carrier(kRelayCarrier);
  relay.set_vehicle(kCarrierPlate);
  relay.mutable_transport()->add_route()->set_lat(30.5);
  EXPECT_THAT(DecideRelay(m, relay, registry_, At(60)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("transport.route has 1 positions")));
  v1::Position* far = relay.mutable_transport()->add_route();
  far->set_lat(30.0);
  far->set_lon(190.0);
  EXPECT_THAT(DecideRelay(m, relay, registry_, At(60)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("transport.route[1]")));
}

TEST_F(TrackTest, LeavingTheCorridorRaisesRouteDeviationOncePerExcursion) {
  v1::Manifest m = Track(PickedUp(), Driving(0.5, 20)).next;
  // 0.05 degrees east at 30.8 N is 4.8 km off the route: out of the 2 km
  // corridor, and still out when the batch ends.
  Decision out = Track(m, Driving(20.5, 30, 0.05));
  ASSERT_THAT(FlagsOf(out.next, v1::FLAG_KIND_ROUTE_DEVIATION), SizeIs(1));
  const v1::Flag& f = *FlagsOf(out.next, v1::FLAG_KIND_ROUTE_DEVIATION)[0];
  EXPECT_EQ(f.severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(f.detail(), AllOf(HasSubstr("leg 1: left the 2.0 km corridor"),
                                HasSubstr("4.8 km from the route")));
  EXPECT_THAT(f.enterprises(),
              ::testing::UnorderedElementsAre(kGenerator, kCarrier));
  EXPECT_TRUE(out.next.tracks(0).off_route());
  EXPECT_NEAR(out.next.tracks(0).max_off_route_m(), 4780, 30);
  // The same excursion going on is not raised again.
  Decision still = Track(out.next, Driving(30.5, 35, 0.05));
  EXPECT_THAT(FlagsOf(still.next, v1::FLAG_KIND_ROUTE_DEVIATION), SizeIs(1));
  // Back inside (1 km off), then out again: a second excursion.
  std::vector<v1::TrackPoint> back = Driving(35.5, 40, 0.01);
  for (const v1::TrackPoint& p : Driving(40.5, 45, -0.05)) back.push_back(p);
  Decision again = Track(still.next, back);
  EXPECT_THAT(FlagsOf(again.next, v1::FLAG_KIND_ROUTE_DEVIATION), SizeIs(2));
}

TEST_F(TrackTest, WithoutADeclaredRouteNoCorridorIsJudged) {
  Decision d = Track(PickedUp(false), Driving(0.5, 30, 0.5));
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_ROUTE_DEVIATION), IsEmpty());
  EXPECT_EQ(d.next.tracks(0).points(), 60);
}

TEST_F(TrackTest, StandingStillAwayFromTheEndsRaisesLongStop) {
  v1::Manifest m = Track(PickedUp(), Driving(0.5, 20)).next;
  // Standing at 30.78 N (13 km from the origin) every 30 s for 61 min.
  const LatLon here{kOrigin.lat - 0.12, kOrigin.lon};
  std::vector<v1::TrackPoint> stop;
  for (double t = 20.5; t <= 81.5; t += 0.5) stop.push_back(Point(t, here, 0));
  // Split over two batches: the stop runs on across them.
  std::vector<v1::TrackPoint> first(stop.begin(), stop.begin() + 60);
  std::vector<v1::TrackPoint> rest(stop.begin() + 60, stop.end());
  Decision a = Track(m, first);
  EXPECT_THAT(FlagsOf(a.next, v1::FLAG_KIND_LONG_STOP), IsEmpty());
  EXPECT_TRUE(a.next.tracks(0).has_stop_start());
  Decision b = Track(a.next, rest);
  ASSERT_THAT(FlagsOf(b.next, v1::FLAG_KIND_LONG_STOP), SizeIs(1));
  EXPECT_THAT(FlagsOf(b.next, v1::FLAG_KIND_LONG_STOP)[0]->detail(),
              AllOf(HasSubstr("stood still from 2026-06-03 09:20"),
                    HasSubstr("13.3 km from the origin")));
  // Standing on is the same stop.
  Decision c = Track(b.next, {Point(90, here, 0)});
  EXPECT_THAT(FlagsOf(c.next, v1::FLAG_KIND_LONG_STOP), SizeIs(1));
}

TEST_F(TrackTest, StandingAtTheEndsOrBrieflyIsNoLongStop) {
  v1::Manifest m = PickedUp();
  // 90 min at the origin's gate (loading), then 50 min mid-route (a rest).
  std::vector<v1::TrackPoint> points;
  for (double t = 0.5; t <= 90; t += 0.5)
    points.push_back(Point(t, kOrigin, 0));
  const LatLon mid{kVia.lat, kVia.lon};
  for (double t = 90.5; t <= 140; t += 0.5) points.push_back(Point(t, mid, 0));
  points.push_back(Point(140.5, mid, 40));
  // 90 min at the destination.
  for (double t = 141; t <= 231; t += 0.5) points.push_back(Point(t, kEnd, 0));
  Decision d = Track(m, points);
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_LONG_STOP), IsEmpty());
}

TEST_F(TrackTest, SilenceInTransitRaisesTrackGap) {
  v1::Manifest m = PickedUp();
  // The first point comes 20 min after the pickup, then 16 min of nothing.
  std::vector<v1::TrackPoint> points = Driving(20, 30);
  for (const v1::TrackPoint& p : Driving(46, 50)) points.push_back(p);
  Decision d = Track(m, points);
  ASSERT_THAT(FlagsOf(d.next, v1::FLAG_KIND_TRACK_GAP), SizeIs(1));
  const std::string detail =
      FlagsOf(d.next, v1::FLAG_KIND_TRACK_GAP)[0]->detail();
  EXPECT_THAT(detail, AllOf(HasSubstr("no points from 2026-06-03 09:00 to "
                                      "2026-06-03 09:20 (20 min)"),
                            HasSubstr("09:30 to 2026-06-03 09:46 (16 min)")));
  // A 15-minute silence is within the limit.
  Decision ok = Track(PickedUp(), Driving(15, 20));
  EXPECT_THAT(FlagsOf(ok.next, v1::FLAG_KIND_TRACK_GAP), IsEmpty());
}

TEST_F(TrackTest, ALegEndingLongAfterItsLastPointRaisesTrackGap) {
  v1::Manifest m = Track(PickedUp(), Driving(0.5, 30), At(40)).next;
  v1::DeliverRequest deliver;
  *deliver.mutable_meta() = Meta(At(60));
  deliver.set_number(kNumber);
  deliver.set_receiver(kReceiver);
  Decision d = Flagged(m, DecideDeliver(m, deliver, registry_, At(60)), At(60));
  ASSERT_THAT(FlagsOf(d.next, v1::FLAG_KIND_TRACK_GAP), SizeIs(1));
  EXPECT_THAT(FlagsOf(d.next, v1::FLAG_KIND_TRACK_GAP)[0]->detail(),
              HasSubstr("to its end at 2026-06-03 10:00 (30 min)"));
  // A leg that declared no route and sent nothing is not judged.
  v1::Manifest quiet = PickedUp(false);
  Decision q =
      Flagged(quiet, DecideDeliver(quiet, deliver, registry_, At(60)), At(60));
  EXPECT_THAT(FlagsOf(q.next, v1::FLAG_KIND_TRACK_GAP), IsEmpty());
}

// ---------------------------------------------------------------------------
// Weighbridges.

class WeighTest : public TrackTest {
 protected:
  v1::WeighRequest Reading(v1::WeighPoint point, const std::string& by,
                           int64_t gross_kg, int64_t tare_kg) const {
    v1::WeighRequest r;
    *r.mutable_meta() = Meta(At(30));
    r.mutable_meta()->set_device(point == v1::WEIGH_POINT_EXIT ? "WB-GEN-1"
                                                               : "WB-RCV-9");
    r.set_number(kNumber);
    r.set_by(by);
    r.set_point(point);
    r.set_gross_g(gross_kg * kKg);
    r.set_tare_g(tare_kg * kKg);
    return r;
  }

  v1::Manifest Weigh(const v1::Manifest& m, const v1::WeighRequest& r) {
    return Flagged(m, DecideWeigh(m, r, At(60), absl::Hours(72)), At(60)).next;
  }

  // Delivered and received, every line accepted at `typed_kg`.
  v1::Manifest Received(v1::Manifest m, int64_t typed_kg) {
    v1::DeliverRequest deliver;
    *deliver.mutable_meta() = Meta(At(50));
    deliver.set_number(kNumber);
    deliver.set_receiver(kReceiver);
    m = Flagged(m, DecideDeliver(m, deliver, registry_, At(50)), At(50)).next;
    v1::ReceiveRequest receive;
    *receive.mutable_meta() = Meta(At(70));
    receive.set_number(kNumber);
    receive.set_receiver(kReceiver);
    receive.set_licence("3301000001");
    v1::LineReceipt* line = receive.add_lines();
    line->set_line(1);
    line->set_decision(v1::LineReceipt::DECISION_ACCEPT);
    line->set_quantity_g(typed_kg * kKg);
    return Flagged(m, DecideReceive(m, receive, registry_, At(70)), At(70))
        .next;
  }
};

TEST_F(WeighTest, ReadingsStandInForTypedWeights) {
  v1::Manifest m = PickedUp(false);
  m = Weigh(m, Reading(v1::WEIGH_POINT_EXIT, kGenerator, 22000, 12000));
  m = Weigh(m, Reading(v1::WEIGH_POINT_ENTRY, kReceiver, 21000, 12000));
  ASSERT_THAT(m.weighings(), SizeIs(2));
  EXPECT_EQ(m.weighings(0).net_g(), 10000 * kKg);
  EXPECT_EQ(m.weighings(0).device(), "WB-GEN-1");
  EXPECT_EQ(m.weighings(1).destination(), 1);
  // Typed: all 10 t arrived. Weighed: 10 t left, 9 t arrived.
  v1::Manifest got = Received(m, 10000);
  ASSERT_THAT(FlagsOf(got, v1::FLAG_KIND_QUANTITY_DISCREPANCY), SizeIs(1));
  const v1::Flag& f = *FlagsOf(got, v1::FLAG_KIND_QUANTITY_DISCREPANCY)[0];
  EXPECT_EQ(f.severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(f.detail(), AllOf(HasSubstr("weighed 10t at exit on WB-GEN-1"),
                                HasSubstr("weighed 9t at entry on WB-RCV-9")));
}

TEST_F(WeighTest, MatchingReadingsOverruleATypedGap) {
  v1::Manifest m = PickedUp(false);
  m = Weigh(m, Reading(v1::WEIGH_POINT_EXIT, kGenerator, 22000, 12000));
  m = Weigh(m, Reading(v1::WEIGH_POINT_ENTRY, kReceiver, 22050, 12000));
  // Typed 8 t received, but the bridges weighed 10 t and 10.05 t.
  v1::Manifest got = Received(m, 8000);
  EXPECT_THAT(FlagsOf(got, v1::FLAG_KIND_QUANTITY_DISCREPANCY), IsEmpty());
  // Without readings the same typed gap is raised, line by line.
  v1::Manifest typed = Received(PickedUp(false), 8000);
  ASSERT_THAT(FlagsOf(typed, v1::FLAG_KIND_QUANTITY_DISCREPANCY), SizeIs(1));
  EXPECT_THAT(FlagsOf(typed, v1::FLAG_KIND_QUANTITY_DISCREPANCY)[0]->detail(),
              HasSubstr("line 1 shipped 10t, received 8t"));
}

TEST_F(WeighTest, AnEntryReadingAfterTheReceiptJudgesItAgain) {
  v1::Manifest m = Received(PickedUp(false), 10000);
  EXPECT_THAT(FlagsOf(m, v1::FLAG_KIND_QUANTITY_DISCREPANCY), IsEmpty());
  m = Weigh(m, Reading(v1::WEIGH_POINT_ENTRY, kReceiver, 20000, 12000));
  ASSERT_THAT(FlagsOf(m, v1::FLAG_KIND_QUANTITY_DISCREPANCY), SizeIs(1));
  EXPECT_THAT(FlagsOf(m, v1::FLAG_KIND_QUANTITY_DISCREPANCY)[0]->detail(),
              HasSubstr("shipped 10t, weighed 8t at entry"));
}

TEST_F(WeighTest, RefusesEachBadReadingNamingIt) {
  const v1::Manifest m = Weigh(
      PickedUp(false), Reading(v1::WEIGH_POINT_EXIT, kGenerator, 22000, 12000));
  struct Case {
    v1::WeighRequest r;
    absl::StatusCode code;
    std::string says;
  };
  std::vector<Case> cases = {
      {Reading(v1::WEIGH_POINT_EXIT, kGenerator, 22000, 12000),
       absl::StatusCode::kAlreadyExists, "already has its EXIT reading"},
      {Reading(v1::WEIGH_POINT_EXIT, kCarrier, 22000, 12000),
       absl::StatusCode::kPermissionDenied, "not manifest"},
      {Reading(v1::WEIGH_POINT_ENTRY, kGenerator, 22000, 12000),
       absl::StatusCode::kPermissionDenied, "not the receiver"},
      {Reading(v1::WEIGH_POINT_ENTRY, kReceiver, 12000, 12000),
       absl::StatusCode::kInvalidArgument, "tare_g"},
      {Reading(v1::WEIGH_POINT_ENTRY, kReceiver, 0, 0),
       absl::StatusCode::kInvalidArgument, "gross_g 0"},
      {Reading(v1::WEIGH_POINT_ENTRY, kReceiver, 200000, 0),
       absl::StatusCode::kInvalidArgument, "gross_g"},
      {Reading(v1::WEIGH_POINT_UNSPECIFIED, kReceiver, 22000, 12000),
       absl::StatusCode::kInvalidArgument, "point is required"},
  };
  Case no_device{Reading(v1::WEIGH_POINT_ENTRY, kReceiver, 22000, 12000),
                 absl::StatusCode::kInvalidArgument, "meta.device"};
  no_device.r.mutable_meta()->clear_device();
  cases.push_back(no_device);
  for (const Case& c : cases) {
    EXPECT_THAT(DecideWeigh(m, c.r, At(60), absl::Hours(72)),
                StatusIs(c.code, HasSubstr(c.says)))
        << c.says;
  }
}

}  // namespace
}  // namespace cradle::domain
