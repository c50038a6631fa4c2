// Collection of small generators through a real server over RocksDB
// (docs/COLLECTION.md): two small generators' drums collected on one trip,
// refilled into the collector's bag, shipped on to a disposer; a lossy
// collector flagged; the collector's balance; all of it after a restart and
// under deep verification.

#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/container.grpc.pb.h"
#include "domain/container.h"
#include "tests/integration/server_fixture.h"

namespace cradle::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kKg = 1000;
constexpr char kWaste[] = "900-249-08";
const std::string kSmall = MakeUscc("330402", "3B4C5D6");
const std::string kCollector = MakeUscc("330411", "4C5D6E7");  // 秀洲
// The collector's credential for its own containers and manifests; its
// RECEIVER credential (kCollector) signs receipts.
constexpr char kCollecting[] = "collector";

class CollectionIntegrationTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    Register(kSmall, "嘉兴南湖小微汽修", "330402", {v1::ROLE_GENERATOR});
    Register(kCollector, "嘉兴秀洲危废收集", "330411",
             {v1::ROLE_RECEIVER, v1::ROLE_COLLECTOR});
    Licence(kCollector, "ZJ-C-0411", 500);
    v1::IssueCredentialRequest cred;
    cred.set_kind(v1::CREDENTIAL_KIND_PARTY);
    cred.set_enterprise(kCollector);
    cred.set_role(v1::ROLE_COLLECTOR);
    Issue(kCollecting, cred);
  }

  // The fixture's clock is 2026-11-23 09:00 China time: drums filled the
  // day before, the collector's bags that day.
  static std::string Drum(const std::string& unit, int seq) {
    return domain::FormatContainerCode(unit, kWaste,
                                       absl::CivilDay(2026, 11, 22), seq);
  }
  static std::string Bag(int seq) {
    return domain::FormatContainerCode(kCollector, kWaste,
                                       absl::CivilDay(2026, 11, 23), seq);
  }

  grpc::Status RegisterAs(const std::string& who, const std::string& unit,
                          const std::string& code, int64_t grams,
                          const std::vector<std::string>& sources = {},
                          int64_t loss_g = 0) {
    v1::RegisterContainerRequest req;
    *req.mutable_meta() = Meta();
    v1::ContainerLabel* c = req.mutable_container();
    c->set_code(code);
    c->set_generator(unit);
    c->set_weight_g(grams);
    c->set_packaging(sources.empty() ? "铁桶" : "吨袋");
    for (const std::string& s : sources) c->add_sources(s);
    c->set_loss_g(loss_g);
    if (loss_g > 0) c->set_loss_reason("残留于原包装桶");
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::RegisterContainerResponse reply;
    return containers_->Register(&ctx, req, &reply);
  }

  // Registers `code` for `unit` and books it into storage.
  void Stored(const std::string& who, const std::string& unit,
              const std::string& code, int64_t grams,
              const std::vector<std::string>& sources = {},
              int64_t loss_g = 0) {
    grpc::Status s = RegisterAs(who, unit, code, grams, sources, loss_g);
    ASSERT_TRUE(s.ok()) << code << ": " << s.error_message();
    v1::RecordStockRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_record()->set_code(code);
    req.mutable_record()->set_move(v1::STOCK_MOVE_STORED);
    req.mutable_record()->set_facility("贮存库1");
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::RecordStockResponse reply;
    s = containers_->RecordStock(&ctx, req, &reply);
    ASSERT_TRUE(s.ok()) << code << ": " << s.error_message();
  }

  // A manifest from `generator` (acting as `who`) to `receiver` listing
  // `codes` on one line, picked up by kCarrier on kCarrierPlate.
  std::string Shipped(const std::string& who, const std::string& generator,
                      const std::string& receiver,
                      const std::vector<std::string>& codes,
                      WriteReply* picked = nullptr,
                      const std::string& trip = "") {
    const std::string n = Loaded(who, generator, receiver, codes);
    WriteReply r;
    grpc::Status s = Pickup(n, kCarrier, kCarrierPlate, &r, {}, trip);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (picked != nullptr) *picked = r;
    return n;
  }

  // Manifest `n` opened as Shipped's, its containers scanned onto the
  // vehicle, not yet picked up.
  std::string Loaded(const std::string& who, const std::string& generator,
                     const std::string& receiver,
                     const std::vector<std::string>& codes) {
    v1::OpenManifestRequest req = OpenRequest();
    req.set_generator(generator);
    req.set_receiver(receiver);
    req.mutable_lines()->DeleteSubrange(1, 1);
    req.mutable_lines(0)->set_quantity_g(0);
    for (const std::string& c : codes) req.mutable_lines(0)->add_containers(c);
    WriteReply r;
    grpc::Status s = OpenAs(who, req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    const std::string n = r.manifest().number();
    s = Scan(n, kCarrier, v1::SCAN_POINT_LOAD, codes);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return n;
  }

  // The manifests carrier kCarrier picked up on `trip`, as `who` lists them.
  grpc::Status TripAs(const std::string& who, const std::string& trip,
                      std::vector<std::string>* numbers) {
    v1::ListManifestsRequest req;
    req.set_party(kCarrier);
    req.set_trip(trip);
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::ListManifestsResponse out;
    grpc::Status s = manifests_->List(&ctx, req, &out);
    numbers->clear();
    for (const v1::Manifest& m : out.manifests()) {
      EXPECT_EQ(m.legs(0).trip(), trip) << m.number();
      numbers->push_back(m.number());
    }
    return s;
  }

  // `receiver` takes delivery of manifest `n`, scans its containers in
  // and accepts all of it.
  v1::Manifest Collected(const std::string& n,
                         const std::string& receiver = kCollector) {
    WriteReply r;
    grpc::Status s = Deliver(n, receiver, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    s = Scan(n, receiver, v1::SCAN_POINT_ARRIVAL,
             {r.manifest().lines(0).containers().begin(),
              r.manifest().lines(0).containers().end()});
    EXPECT_TRUE(s.ok()) << s.error_message();
    s = Receive(n, receiver, {Accept(1, r.manifest().lines(0).quantity_g())},
                &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r.manifest();
  }

  static std::vector<v1::Flag> Shortfalls(const v1::Manifest& m) {
    std::vector<v1::Flag> out;
    for (const v1::Flag& f : m.flags()) {
      if (f.kind() == v1::FLAG_KIND_COLLECTION_SHORTFALL) out.push_back(f);
    }
    return out;
  }

  v1::GetStockResponse StockAs(const std::string& who) {
    v1::GetStockRequest req;
    req.set_generator(kCollector);
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::GetStockResponse out;
    grpc::Status s = containers_->GetStock(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
};

TEST_F(CollectionIntegrationTest, DrumsAreFollowedFromTheGarageToTheDisposer) {
  // One trip: a manifest per small generator, the same carrier and vehicle.
  Stored(kGenerator, kGenerator, Drum(kGenerator, 1), 200 * kKg);
  Stored(kSmall, kSmall, Drum(kSmall, 1), 150 * kKg);
  Stored(kSmall, kSmall, Drum(kSmall, 2), 50 * kKg);
  const std::string first =
      Shipped(kGenerator, kGenerator, kCollector, {Drum(kGenerator, 1)});
  const std::string second =
      Shipped(kSmall, kSmall, kCollector, {Drum(kSmall, 1), Drum(kSmall, 2)});
  for (const std::string& n : {first, second}) {
    const v1::Manifest m = Collected(n);
    // The leg ends in the collector's stock: no disposal is awaited.
    EXPECT_EQ(m.status(), v1::MANIFEST_STATUS_CLOSED) << n;
    EXPECT_TRUE(m.destinations(0).collected()) << n;
    EXPECT_THAT(m.flags(), IsEmpty()) << n;
  }

  // Refilled into one bag, 8 kg documented as residue.
  const std::vector<std::string> drums = {Drum(kGenerator, 1), Drum(kSmall, 1),
                                          Drum(kSmall, 2)};
  Stored(kCollecting, kCollector, Bag(1), 392 * kKg, drums, 8 * kKg);
  for (const std::string& d : drums) {
    EXPECT_EQ(ContainerAs(Regulator("3304"), d).consolidated_into(), Bag(1))
        << d;
  }
  EXPECT_THAT(ContainerAs(kCollecting, Bag(1)).sources(), SizeIs(3));

  // Each refusal names its field and writes nothing.
  const uint64_t head = Head();
  grpc::Status s =
      RegisterAs(kCollecting, kCollector, Bag(2), 100 * kKg, {drums[1]});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("container.sources[0] " + drums[1] +
                        " already went into container " + Bag(1)));
  s = RegisterAs(kCollecting, kCollector, Bag(2), 100 * kKg, {Drum(kSmall, 9)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("container.sources[0]"));
  s = RegisterAs(kCollecting, kCollector, Bag(2), 100 * kKg,
                 {Drum(kSmall, 1).substr(1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("container.sources[0]"));
  // A small generator cannot refill what it shipped itself.
  s = RegisterAs(kSmall, kSmall, Drum(kSmall, 3), 100 * kKg,
                 {Drum(kGenerator, 1)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("not registered as a COLLECTOR"));
  EXPECT_EQ(Head(), head) << "a refusal wrote something";

  // Shipped on as the consignor: nothing is short.
  WriteReply onward;
  const std::string third =
      Shipped(kCollecting, kCollector, kReceiver, {Bag(1)}, &onward);
  EXPECT_THAT(Shortfalls(onward.manifest()), IsEmpty());

  // A second round, and the collector loses 100 kg of 300 kg without a
  // word: flagged for the regulator when the bag leaves.
  Stored(kGenerator, kGenerator, Drum(kGenerator, 2), 300 * kKg);
  Collected(Shipped(kGenerator, kGenerator, kCollector, {Drum(kGenerator, 2)}));
  Stored(kCollecting, kCollector, Bag(2), 200 * kKg, {Drum(kGenerator, 2)});
  const std::string fourth =
      Shipped(kCollecting, kCollector, kReceiver, {Bag(2)}, &onward);
  const std::vector<v1::Flag> flags = Shortfalls(onward.manifest());
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(flags[0].detail(), HasSubstr(Bag(2)));
  EXPECT_THAT(flags[0].detail(), HasSubstr("100kg unaccounted for"));

  // The collector's balance: collected = refilled + lost + shortfall + held.
  auto expect_balance = [&](const v1::GetStockResponse& stock) {
    ASSERT_THAT(stock.collection(), SizeIs(1));
    const v1::CollectionBalance& b = stock.collection(0);
    EXPECT_EQ(b.waste_code(), kWaste);
    EXPECT_EQ(b.manifests(), 3);
    EXPECT_EQ(b.sources(), 4);
    EXPECT_EQ(b.collected_g(), 700 * kKg);
    EXPECT_EQ(b.consolidated_g(), 700 * kKg);
    EXPECT_EQ(b.held_g(), 0);
    EXPECT_EQ(b.refilled_g(), 592 * kKg);
    EXPECT_EQ(b.lost_g(), 8 * kKg);
    EXPECT_EQ(b.shortfall_g(), 100 * kKg);
    EXPECT_EQ(b.shipped_g(), 592 * kKg);
  };
  expect_balance(StockAs(kCollecting));
  expect_balance(StockAs(Regulator("3304")));

  // Its operating report: what it collected left its stock when refilled,
  // and the bags are not secondary waste it made.
  v1::GetOperatorReportRequest report;
  report.set_operator_(kCollector);
  report.set_day("2026-11-23");
  v1::GetOperatorReportResponse day;
  {
    grpc::ClientContext ctx;
    As(&ctx, Regulator("3304"));
    ASSERT_TRUE(registry_->GetOperatorReport(&ctx, report, &day).ok());
  }
  ASSERT_THAT(day.lines(), SizeIs(1));
  EXPECT_EQ(day.lines(0).accepted_g(), 700 * kKg);
  EXPECT_EQ(day.lines(0).repacked_g(), 700 * kKg);
  EXPECT_EQ(day.lines(0).secondary_g(), 0);
  EXPECT_EQ(day.lines(0).stock_end_g(), 0);
  int repacks = 0;
  for (const v1::OperatorReportEntry& e : day.entries()) {
    if (e.kind() != v1::OperatorReportEntry::KIND_REPACK) continue;
    ++repacks;
    EXPECT_EQ(e.container(), e.manifest() == first || e.manifest() == second
                                 ? Bag(1)
                                 : Bag(2));
  }
  EXPECT_EQ(repacks, 4);

  // Its declaration: the bags were shipped, and repacked, not generated.
  v1::GetDeclarationRequest declare;
  declare.set_generator(kCollector);
  declare.set_year(2026);
  v1::GetDeclarationResponse declared;
  {
    grpc::ClientContext ctx;
    As(&ctx, kCollecting);
    ASSERT_TRUE(registry_->GetDeclaration(&ctx, declare, &declared).ok());
  }
  ASSERT_THAT(declared.lines(), SizeIs(1));
  EXPECT_EQ(declared.lines(0).shipped_g(), 592 * kKg);
  EXPECT_EQ(declared.lines(0).repacked_g(), 592 * kKg);
  EXPECT_EQ(declared.lines(0).generated_g(), 0);

  // The disposer closes the chain; the small generator's drum is followed
  // through the bag to it.
  EXPECT_EQ(Collected(third, kReceiver).status(), v1::MANIFEST_STATUS_ACCEPTED);
  WriteReply r;
  ASSERT_TRUE(Dispose(third, kReceiver, {Dispose(1, 392 * kKg)}, &r).ok());
  EXPECT_THAT(r.manifest().flags(), IsEmpty());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_CLOSED);

  Restart();
  EXPECT_EQ(ContainerAs(kSmall, Drum(kSmall, 2)).consolidated_into(), Bag(1));
  EXPECT_EQ(ContainerAs(kCollecting, Bag(1)).manifest(), third);
  expect_balance(StockAs(kCollecting));
  EXPECT_THAT(Shortfalls(Get(fourth)), SizeIs(1));
  ExpectDeepVerifyPasses();
}

// A refill registered in error is struck; its drums are the collector's to
// refill again (ledger v12: the struck registration lets them go).
TEST_F(CollectionIntegrationTest, AStruckRefillLetsItsDrumsBeRefilledAgain) {
  Stored(kSmall, kSmall, Drum(kSmall, 1), 150 * kKg);
  Stored(kSmall, kSmall, Drum(kSmall, 2), 50 * kKg);
  Collected(
      Shipped(kSmall, kSmall, kCollector, {Drum(kSmall, 1), Drum(kSmall, 2)}));
  const std::vector<std::string> drums = {Drum(kSmall, 1), Drum(kSmall, 2)};
  // Weighed wrong and booked in.
  Stored(kCollecting, kCollector, Bag(1), 20 * kKg, drums);
  EXPECT_EQ(StockAs(kCollecting).collection(0).held_g(), 0);

  v1::RecordStockRequest strike;
  *strike.mutable_meta() = Meta();
  strike.mutable_record()->set_code(Bag(1));
  strike.mutable_record()->set_move(v1::STOCK_MOVE_REVOKED);
  strike.mutable_record()->set_revokes(1);
  strike.mutable_record()->set_reason("称重录入错误");
  v1::RecordStockResponse struck;
  {
    grpc::ClientContext ctx;
    As(&ctx, kCollecting);
    grpc::Status s = containers_->RecordStock(&ctx, strike, &struck);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(struck.container().stock(), v1::STOCK_STATE_VOID);
  EXPECT_TRUE(struck.container().records().rbegin()->frees_sources());
  for (const std::string& d : drums) {
    EXPECT_EQ(ContainerAs(kSmall, d).consolidated_into(), "") << d;
  }
  const v1::CollectionBalance held = StockAs(kCollecting).collection(0);
  EXPECT_EQ(held.held_g(), 200 * kKg);
  EXPECT_EQ(held.refilled_g(), 0);
  EXPECT_EQ(held.shortfall_g(), 0);

  // Refilled again, right this time.
  Stored(kCollecting, kCollector, Bag(2), 198 * kKg, drums, 2 * kKg);
  for (const std::string& d : drums) {
    EXPECT_EQ(ContainerAs(kSmall, d).consolidated_into(), Bag(2)) << d;
  }
  Restart();
  for (const std::string& d : drums) {
    EXPECT_EQ(ContainerAs(kSmall, d).consolidated_into(), Bag(2)) << d;
  }
  const v1::CollectionBalance after = StockAs(kCollecting).collection(0);
  EXPECT_EQ(after.held_g(), 0);
  EXPECT_EQ(after.refilled_g(), 198 * kKg);
  EXPECT_EQ(after.shortfall_g(), 0);
  ExpectDeepVerifyPasses();
}

// One vehicle collecting from several small generators: a manifest each,
// all on one trip (Art. 16), listed together; the trip ends when a load of
// it is delivered.
TEST_F(CollectionIntegrationTest, OneTripListsEachSmallGeneratorsManifest) {
  constexpr char kTrip[] = "20261123-1";
  Stored(kGenerator, kGenerator, Drum(kGenerator, 1), 200 * kKg);
  Stored(kSmall, kSmall, Drum(kSmall, 1), 150 * kKg);
  Stored(kSmall, kSmall, Drum(kSmall, 2), 50 * kKg);
  const std::string first = Shipped(kGenerator, kGenerator, kCollector,
                                    {Drum(kGenerator, 1)}, nullptr, kTrip);
  const std::string second =
      Shipped(kSmall, kSmall, kCollector, {Drum(kSmall, 1)}, nullptr, kTrip);
  std::vector<std::string> listed;
  for (const std::string& who : {kCarrier, Regulator("3304")}) {
    ASSERT_TRUE(TripAs(who, kTrip, &listed).ok()) << who;
    EXPECT_EQ(listed, (std::vector<std::string>{first, second})) << who;
  }
  ASSERT_TRUE(TripAs(kCarrier, "20261123-2", &listed).ok());
  EXPECT_THAT(listed, IsEmpty());
  grpc::Status s = TripAs(kCarrier, "2026/11", &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("trip \"2026/11\""));

  // Unloaded at the collector: the trip has ended, and a load picked up
  // later on the same number is refused, naming the delivered one.
  Collected(first);
  const std::string late =
      Loaded(kSmall, kSmall, kCollector, {Drum(kSmall, 2)});
  const uint64_t head = Head();
  WriteReply r;
  s = Pickup(late, kCarrier, kCarrierPlate, &r, {}, kTrip);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("has ended: manifest " + first));
  EXPECT_EQ(Head(), head) << "a refusal wrote something";

  // A pickup decided while the trip was running, landing after one of its
  // loads was delivered, is aborted: it read that load as on the road.
  constexpr char kNext[] = "20261123-3";
  Stored(kGenerator, kGenerator, Drum(kGenerator, 2), 100 * kKg);
  const std::string running = Shipped(kGenerator, kGenerator, kCollector,
                                      {Drum(kGenerator, 2)}, nullptr, kNext);
  hold_.Arm(late);
  const v1::WriteMeta meta = Meta();
  grpc::Status picked;
  WriteReply picked_reply;
  std::thread pickup([&] {
    picked = Pickup(late, kCarrier, kCarrierPlate, &picked_reply, meta, kNext);
  });
  EXPECT_TRUE(hold_.WaitUntilHeld());
  const grpc::Status delivered = Deliver(running, kCollector, &r);
  hold_.Release();
  pickup.join();
  ASSERT_TRUE(delivered.ok()) << delivered.error_message();
  EXPECT_EQ(picked.error_code(), grpc::StatusCode::ABORTED)
      << picked.error_message();
  EXPECT_THAT(picked.error_message(), HasSubstr(running));
  // The carrier's retry (same key) decides again: the trip has ended.
  s = Pickup(late, kCarrier, kCarrierPlate, &r, meta, kNext);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("has ended: manifest " + running));
  ASSERT_TRUE(TripAs(kCarrier, kNext, &listed).ok());
  EXPECT_EQ(listed, (std::vector<std::string>{running}));

  Restart();
  ASSERT_TRUE(TripAs(Regulator("3304"), kTrip, &listed).ok());
  EXPECT_EQ(listed, (std::vector<std::string>{first, second}));
  ExpectDeepVerifyPasses();
}

}  // namespace
}  // namespace cradle::testing
