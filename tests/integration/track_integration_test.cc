// Tracks and weighbridges through a real server over RocksDB: a leg's
// declared route, signed track batches chained by digest, the flags a
// regulator sees, weighbridge readings in QUANTITY_DISCREPANCY, and what
// deep verification replays of it all.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "cradle/v1/flags.grpc.pb.h"
#include "domain/names.h"
#include "services/deep_verify.h"
#include "storage/rocksdb_ledger.h"
#include "tests/integration/server_fixture.h"

namespace cradle::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Due south from Jiaxing's Nanhu district towards Hangzhou: origin, a
// place passed through, destination.
constexpr double kLon = 120.75;
constexpr double kOriginLat = 30.75, kViaLat = 30.50, kEndLat = 30.25;

class TrackIntegrationTest : public ServerFixture {
 protected:
  // Opens a manifest and picks it up under a declared route.
  std::string PickedUp() {
    const std::string n = OpenOne();
    v1::PickupRequest req;
    *req.mutable_meta() = Meta();
    req.set_number(n);
    req.set_carrier(kCarrier);
    req.set_vehicle(kCarrierPlate);
    for (double lat : {kOriginLat, kViaLat, kEndLat}) {
      v1::Position* p = req.mutable_transport()->add_route();
      p->set_lat(lat);
      p->set_lon(kLon);
    }
    Sign(&req, kCarrier);
    grpc::ClientContext ctx;
    As(&ctx, kCarrier);
    WriteReply r;
    grpc::Status s = Write(&ctx, req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return n;
  }

  // Points every 30 s over [from, to) minutes before the clock, driving
  // south from the origin, `east` degrees of longitude off the route.
  std::vector<v1::TrackPoint> Driving(int from, int to, double east = 0) {
    std::vector<v1::TrackPoint> out;
    const absl::Time start = clock_.Now() - absl::Minutes(from);
    for (int half = 0; half < 2 * (from - to); ++half) {
      v1::TrackPoint p;
      p.set_time(absl::ToUnixSeconds(start + absl::Seconds(30 * half)));
      p.set_lat_e6(static_cast<int32_t>((kOriginLat - 0.003 * half) * 1e6));
      p.set_lon_e6(static_cast<int32_t>((kLon + east) * 1e6));
      p.set_speed_dkmh(600);
      out.push_back(p);
    }
    return out;
  }

  grpc::Status Track(const std::string& n, const std::string& carrier,
                     const std::vector<v1::TrackPoint>& points,
                     const std::string& previous, v1::RecordTrackResponse* out,
                     bool sign = true, const std::string& key = "") {
    v1::RecordTrackRequest req;
    *req.mutable_meta() = Meta();
    if (!key.empty()) req.mutable_meta()->set_idempotency_key(key);
    req.set_number(n);
    req.set_carrier(carrier);
    req.set_leg(1);
    req.set_previous_digest(previous);
    for (const v1::TrackPoint& p : points) *req.add_points() = p;
    if (sign) Sign(&req, carrier);
    grpc::ClientContext ctx;
    As(&ctx, carrier);
    return transfers_->RecordTrack(&ctx, req, out);
  }

  grpc::Status Weigh(const std::string& n, const std::string& by,
                     v1::WeighPoint point, int64_t gross_kg, int64_t tare_kg,
                     WriteReply* r) {
    v1::WeighRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_meta()->set_device(
        absl::StrCat("WB-", domain::ShortName(point)));
    *req.mutable_meta()->mutable_device_time() = ToTimestamp(clock_.Now());
    req.set_number(n);
    req.set_by(by);
    req.set_point(point);
    req.set_gross_g(gross_kg * 1000);
    req.set_tare_g(tare_kg * 1000);
    Sign(&req, by);
    grpc::ClientContext ctx;
    As(&ctx, by);
    return Answered<v1::WeighResponse>(
        r, [&](auto* out) { return transfers_->Weigh(&ctx, req, out); });
  }

  static std::vector<v1::Flag> FlagsOf(const v1::Manifest& m,
                                       v1::FlagKind kind) {
    std::vector<v1::Flag> out;
    for (const v1::Flag& f : m.flags()) {
      if (f.kind() == kind) out.push_back(f);
    }
    return out;
  }
};

TEST_F(TrackIntegrationTest, SignedBatchesChainAndDeviationsReachTheRegulator) {
  const std::string n = PickedUp();
  const uint64_t head = Head();
  v1::RecordTrackResponse first;
  // Unsigned, by a carrier that did not drive the leg, or by a receiver:
  // refused, nothing written.
  EXPECT_EQ(
      Track(n, kCarrier, Driving(120, 100), "", &first, false).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status s = Track(n, kRelayCarrier, Driving(120, 100), "", &first);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("did not drive leg 1"));
  EXPECT_EQ(Track(n, kReceiver, Driving(120, 100), "", &first).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Head(), head) << "a refusal wrote something";

  s = Track(n, kCarrier, Driving(120, 100), "", &first, true, "batch-1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(first.digest().size(), 64u);
  ASSERT_THAT(first.manifest().tracks(), SizeIs(1));
  EXPECT_EQ(first.manifest().tracks(0).digest(), first.digest());
  EXPECT_EQ(first.manifest().tracks(0).points(), 40);

  // Sent again with its key: recorded once.
  v1::RecordTrackResponse again;
  s = Track(n, kCarrier, Driving(120, 100), "", &again, true, "batch-1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(again.receipt().replayed());
  EXPECT_EQ(again.receipt().sequence(), first.receipt().sequence());

  // A batch that does not name the leg's last digest is refused.
  v1::RecordTrackResponse second;
  s = Track(n, kCarrier, Driving(100, 80, 0.06), "", &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("previous_digest"));

  // 0.06 degrees east is 5.7 km off the route.
  s = Track(n, kCarrier, Driving(100, 80, 0.06), first.digest(), &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(second.manifest().tracks(0).points(), 80);
  std::vector<v1::Flag> flags =
      FlagsOf(second.manifest(), v1::FLAG_KIND_ROUTE_DEVIATION);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0].detail(), HasSubstr("5.7 km from the route"));

  v1::ListFlagsRequest list;
  list.set_kind(v1::FLAG_KIND_ROUTE_DEVIATION);
  grpc::ClientContext ctx;
  As(&ctx, Regulator("3304"));
  v1::ListFlagsResponse listed;
  ASSERT_TRUE(flags_->List(&ctx, list, &listed).ok());
  ASSERT_THAT(listed.flags(), SizeIs(1));
  EXPECT_EQ(listed.flags(0).manifest(), n);

  ExpectDeepVerifyPasses();
}

TEST_F(TrackIntegrationTest, WeighbridgeReadingsJudgeTheLoad) {
  const std::string n = PickedUp();
  WriteReply r;
  // A reading is attested: unsigned, it is refused. The generator then
  // gets a credential with a key, as one that weighs needs.
  v1::WeighRequest unsigned_reading;
  *unsigned_reading.mutable_meta() = Meta();
  unsigned_reading.mutable_meta()->set_device("WB-EXIT");
  *unsigned_reading.mutable_meta()->mutable_device_time() =
      ToTimestamp(clock_.Now());
  unsigned_reading.set_number(n);
  unsigned_reading.set_by(kGenerator);
  unsigned_reading.set_point(v1::WEIGH_POINT_EXIT);
  unsigned_reading.set_gross_g(13250 * 1000);
  unsigned_reading.set_tare_g(12000 * 1000);
  {
    grpc::ClientContext ctx;
    As(&ctx, kGenerator);
    v1::WeighResponse out;
    grpc::Status s = transfers_->Weigh(&ctx, unsigned_reading, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("signature"));
  }
  v1::IssueCredentialRequest keyed;
  keyed.set_kind(v1::CREDENTIAL_KIND_PARTY);
  keyed.set_enterprise(kGenerator);
  keyed.set_role(v1::ROLE_GENERATOR);
  Issue(kGenerator, keyed, /*with_key=*/true);
  // The receiver cannot weigh at the generator's exit.
  grpc::Status s = Weigh(n, kReceiver, v1::WEIGH_POINT_EXIT, 13250, 12000, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      Weigh(n, kGenerator, v1::WEIGH_POINT_EXIT, 13250, 12000, &r).ok());
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());
  // 1.25 t left the generator; the receiver's bridge finds 1.05 t.
  s = Weigh(n, kReceiver, v1::WEIGH_POINT_ENTRY, 13050, 12000, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.manifest().weighings(1).net_g(), 1050 * 1000);
  // The receipt types what the lines say; the bridges say otherwise.
  v1::LineReceipt l1, l2;
  l1.set_line(1);
  l1.set_decision(v1::LineReceipt::DECISION_ACCEPT);
  l1.set_quantity_g(1000 * 1000);
  l2.set_line(2);
  l2.set_decision(v1::LineReceipt::DECISION_ACCEPT);
  l2.set_quantity_g(250 * 1000);
  s = Receive(n, kReceiver, {l1, l2}, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<v1::Flag> flags =
      FlagsOf(r.manifest(), v1::FLAG_KIND_QUANTITY_DISCREPANCY);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_THAT(flags[0].detail(),
              HasSubstr("weighed 1.25t at exit on WB-EXIT, weighed 1.05t at "
                        "entry on WB-ENTRY"));
  ExpectDeepVerifyPasses();
}

}  // namespace
}  // namespace cradle::testing
