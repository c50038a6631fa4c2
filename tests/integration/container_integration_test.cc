// Labelled containers through a real server over RocksDB: registration,
// manifests that list them, signed scans along the chain, the flags a
// regulator sees, and what deep verification replays of it all.

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "cradle/v1/container.grpc.pb.h"
#include "cradle/v1/flags.grpc.pb.h"
#include "domain/container.h"
#include "services/deep_verify.h"
#include "services/keys.h"
#include "storage/rocksdb_ledger.h"
#include "tests/integration/server_fixture.h"

namespace cradle::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class ContainerIntegrationTest : public ServerFixture {
 protected:
  // The fixture's clock is 2026-11-23 09:00 China time; drums filled the
  // day before.
  static std::string Code(int seq) {
    return domain::FormatContainerCode(kGenerator, "900-249-08",
                                       absl::CivilDay(2026, 11, 22), seq);
  }

  grpc::Status RegisterAs(const std::string& who, const std::string& code,
                          int64_t grams,
                          v1::RegisterContainerResponse* out = nullptr,
                          const std::string& generator = kGenerator) {
    v1::RegisterContainerRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_container()->set_code(code);
    req.mutable_container()->set_generator(generator);
    req.mutable_container()->set_weight_g(grams);
    req.mutable_container()->set_packaging("铁桶");
    req.mutable_container()->set_constituents("废矿物油, 含苯系物");
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::RegisterContainerResponse reply;
    grpc::Status s = containers_->Register(&ctx, req, &reply);
    if (out != nullptr) *out = reply;
    return s;
  }

  // Opens a manifest of one line listing `codes`, its quantity left to
  // their sum.
  grpc::Status OpenWith(const std::vector<std::string>& codes, WriteReply* r) {
    v1::OpenManifestRequest req = OpenRequest();
    req.mutable_lines()->DeleteSubrange(1, 1);
    req.mutable_lines(0)->set_quantity_g(0);
    for (const std::string& c : codes) req.mutable_lines(0)->add_containers(c);
    return Open(req, r);
  }

  std::vector<v1::Flag> MismatchFlags(const v1::Manifest& m) {
    std::vector<v1::Flag> out;
    for (const v1::Flag& f : m.flags()) {
      if (f.kind() == v1::FLAG_KIND_CONTAINER_MISMATCH) out.push_back(f);
    }
    return out;
  }

  grpc::Status RecordAs(const std::string& who, const std::string& code,
                        v1::StockMove move, const std::string& what,
                        v1::RecordStockResponse* out = nullptr) {
    v1::RecordStockRequest req;
    *req.mutable_meta() = Meta();
    v1::StockEntry* r = req.mutable_record();
    r->set_code(code);
    r->set_move(move);
    if (move == v1::STOCK_MOVE_STORED) r->set_facility(what);
    if (move == v1::STOCK_MOVE_OWN_USE) r->set_method(what);
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::RecordStockResponse reply;
    grpc::Status s = containers_->RecordStock(&ctx, req, &reply);
    if (out != nullptr) *out = reply;
    return s;
  }

  grpc::Status StockAs(const std::string& who, v1::GetStockResponse* out) {
    v1::GetStockRequest req;
    req.set_generator(kGenerator);
    grpc::ClientContext ctx;
    As(&ctx, who);
    return containers_->GetStock(&ctx, req, out);
  }
};

TEST_F(ContainerIntegrationTest, AGeneratorRegistersItsOwnContainersOnce) {
  v1::RegisterContainerResponse reply;
  grpc::Status s = RegisterAs(kGenerator, Code(1), 200 * 1000, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.container().waste_code(), "900-249-08");
  EXPECT_EQ(reply.container().generation_date(), "2026-11-22");
  EXPECT_GT(reply.receipt().sequence(), 0u);

  const uint64_t head = Head();
  s = RegisterAs(kGenerator, Code(1), 200 * 1000);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("container.code"));
  // Only the generator itself, and only for its own code.
  s = RegisterAs(kCarrier, Code(2), 1000);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = RegisterAs(kGenerator, Code(2), 1000, nullptr, kReceiver);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = RegisterAs(kGenerator, Code(2).substr(1), 1000);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("container.code"));
  s = RegisterAs(kGenerator, Code(2), 0);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("container.weight_g"));
  EXPECT_EQ(Head(), head) << "a refusal wrote something";

  v1::Container c;
  ASSERT_TRUE(GetContainerAs(kGenerator, Code(1), &c).ok());
  EXPECT_EQ(c.weight_g(), 200 * 1000);
  EXPECT_TRUE(GetContainerAs(Regulator("3304"), Code(1)).ok());
  EXPECT_EQ(GetContainerAs(kReceiver, Code(1)).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetContainerAs(kGenerator, Code(3)).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ContainerIntegrationTest, AContainerIsOnOneManifestAtATime) {
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(RegisterAs(kGenerator, Code(i), (190 + 10 * i) * 1000).ok());
  }
  WriteReply r;
  grpc::Status s = OpenWith({Code(1), Code(2), Code(3)}, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string n = r.manifest().number();
  EXPECT_EQ(r.manifest().lines(0).quantity_g(), 630 * 1000);
  v1::Container c;
  ASSERT_TRUE(GetContainerAs(kReceiver, Code(2), &c).ok())
      << "a party of its manifest reads it";
  EXPECT_EQ(c.manifest(), n);

  s = OpenWith({Code(2)}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr(absl::StrCat("lines[0].containers[0] ", Code(2),
                                     " is on manifest ", n)));

  // Cancelled, the manifest lets its containers go.
  v1::CancelManifestRequest cancel;
  *cancel.mutable_meta() = Meta();
  cancel.set_number(n);
  cancel.set_generator(kGenerator);
  cancel.set_reason("wrong receiver");
  {
    grpc::ClientContext ctx;
    As(&ctx, kGenerator);
    ASSERT_TRUE(Write(&ctx, cancel, &r).ok());
  }
  ASSERT_TRUE(GetContainerAs(kGenerator, Code(2), &c).ok());
  EXPECT_EQ(c.manifest(), "");
  s = OpenWith({Code(2)}, &r);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(ContainerIntegrationTest, ScansAlongTheChainFlagWhatIsMissing) {
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(RegisterAs(kGenerator, Code(i), 200 * 1000).ok());
  }
  WriteReply r;
  ASSERT_TRUE(OpenWith({Code(1), Code(2), Code(3)}, &r).ok());
  const std::string n = r.manifest().number();

  // A scan must be signed by the scanning party.
  grpc::Status s =
      Scan(n, kCarrier, v1::SCAN_POINT_LOAD, {Code(1)}, &r, /*sign=*/false);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_message();
  s = Scan(n, kCarrier, v1::SCAN_POINT_LOAD, {Code(1), Code(2), Code(3)}, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  EXPECT_THAT(MismatchFlags(r.manifest()), IsEmpty());

  // At the relay, one drum is not there.
  s = Scan(n, kRelayCarrier, v1::SCAN_POINT_RELAY, {Code(1), Code(3)}, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(Relay(n, kCarrier, kRelayCarrier, kRelayPlate, &r).ok());
  std::vector<v1::Flag> flags = MismatchFlags(r.manifest());
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(flags[0].detail(), HasSubstr(Code(2)));

  // The regulator sees it.
  v1::ListFlagsRequest list;
  list.set_kind(v1::FLAG_KIND_CONTAINER_MISMATCH);
  grpc::ClientContext ctx;
  As(&ctx, Regulator("3304"));
  v1::ListFlagsResponse listed;
  ASSERT_TRUE(flags_->List(&ctx, list, &listed).ok());
  ASSERT_THAT(listed.flags(), SizeIs(1));
  EXPECT_EQ(listed.flags(0).manifest(), n);

  // What the server wrote replays to what it holds.
  ExpectDeepVerifyPasses();
}

TEST_F(ContainerIntegrationTest, TheStockLedgerFollowsDrumsOutOnAManifest) {
  ASSERT_TRUE(RegisterAs(kGenerator, Code(1), 200 * 1000).ok());
  ASSERT_TRUE(RegisterAs(kGenerator, Code(2), 210 * 1000).ok());
  ASSERT_TRUE(RegisterAs(kGenerator, Code(3), 190 * 1000).ok());
  ASSERT_TRUE(RegisterAs(kGenerator, Code(4), 100 * 1000).ok());
  v1::RecordStockResponse stored;
  grpc::Status s =
      RecordAs(kGenerator, Code(1), v1::STOCK_MOVE_STORED, "贮存库1", &stored);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(stored.container().stock(), v1::STOCK_STATE_STORED);
  EXPECT_EQ(stored.container().records(0).number(), 2);
  ASSERT_TRUE(
      RecordAs(kGenerator, Code(2), v1::STOCK_MOVE_STORED, "贮存库1").ok());
  ASSERT_TRUE(RecordAs(kGenerator, Code(4), v1::STOCK_MOVE_OWN_USE, "R4").ok());

  // Refused, naming the field, writing nothing: a bad method, another
  // unit's container, an unregistered one.
  const uint64_t head = Head();
  s = RecordAs(kGenerator, Code(3), v1::STOCK_MOVE_OWN_USE, "X99");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("record.method"));
  s = RecordAs(kCarrier, Code(3), v1::STOCK_MOVE_STORED, "F1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();
  s = RecordAs(kGenerator, Code(9), v1::STOCK_MOVE_STORED, "F1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("record.code"));
  EXPECT_EQ(Head(), head);

  // Drum 4 went to the generator's own use: no manifest may list it.
  WriteReply r;
  s = OpenWith({Code(1), Code(2), Code(4)}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("lines[0].containers[2]"));

  // Drum 3 was never booked into storage: the pickup flags it.
  ASSERT_TRUE(OpenWith({Code(1), Code(2), Code(3)}, &r).ok());
  const std::string n = r.manifest().number();
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  std::vector<v1::Flag> unstored;
  for (const v1::Flag& f : r.manifest().flags()) {
    if (f.kind() == v1::FLAG_KIND_UNSTORED_CONTAINER) unstored.push_back(f);
  }
  ASSERT_THAT(unstored, SizeIs(1));
  EXPECT_THAT(unstored[0].detail(), HasSubstr(Code(3)));
  EXPECT_THAT(unstored[0].detail(), ::testing::Not(HasSubstr(Code(1))));

  // Out of stock now: its records are closed.
  s = RecordAs(kGenerator, Code(3), v1::STOCK_MOVE_STORED, "贮存库1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr(n));

  // The balance: 410 kg left 贮存库1, 190 kg left unbooked, 100 kg used.
  v1::GetStockResponse stock;
  s = StockAs(kGenerator, &stock);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_THAT(stock.balances(), SizeIs(2));
  EXPECT_EQ(stock.balances(0).facility(), "");
  EXPECT_EQ(stock.balances(0).shipped_g(), 190 * 1000);
  EXPECT_EQ(stock.balances(0).own_use_g(), 100 * 1000);
  EXPECT_EQ(stock.balances(1).facility(), "贮存库1");
  EXPECT_EQ(stock.balances(1).shipped_g(), 410 * 1000);
  EXPECT_EQ(stock.balances(1).stock_g(), 0);
  ASSERT_THAT(stock.differences(), SizeIs(1));
  EXPECT_EQ(stock.differences(0).container(), Code(3));
  EXPECT_EQ(stock.as_of(), "2026-11-23");
  // Its regulator reads it; a carrier does not.
  EXPECT_TRUE(StockAs(Regulator("3304"), &stock).ok());
  EXPECT_EQ(StockAs(kCarrier, &stock).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Restarted, the containers read as recorded; replayed, as held.
  v1::Container before;
  ASSERT_TRUE(GetContainerAs(kGenerator, Code(4), &before).ok());
  Restart();
  v1::Container after;
  ASSERT_TRUE(GetContainerAs(kGenerator, Code(4), &after).ok());
  EXPECT_EQ(after.SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(after.stock(), v1::STOCK_STATE_OWN_USE);
  ExpectDeepVerifyPasses();
}

// A booking decided while its drum's manifest was not yet picked up, landing
// after the pickup, would put a drum that has left back into storage.
TEST_F(ContainerIntegrationTest,
       ABookingOvertakenByItsManifestsPickupIsAborted) {
  ASSERT_TRUE(RegisterAs(kGenerator, Code(1), 200 * 1000).ok());
  WriteReply r;
  ASSERT_TRUE(OpenWith({Code(1)}, &r).ok());
  const std::string n = r.manifest().number();

  hold_.Arm(services::keys::ContainerStream(Code(1)));
  grpc::Status booked;
  std::thread booking([&] {
    booked = RecordAs(kGenerator, Code(1), v1::STOCK_MOVE_STORED, "贮存库1");
  });
  EXPECT_TRUE(hold_.WaitUntilHeld());
  // The pickup decides and lands while the booking waits.
  const grpc::Status picked = Pickup(n, kCarrier, kCarrierPlate, &r);
  hold_.Release();
  booking.join();
  ASSERT_TRUE(picked.ok()) << picked.error_message();
  EXPECT_EQ(booked.error_code(), grpc::StatusCode::ABORTED)
      << booked.error_message();
  EXPECT_THAT(booked.error_message(), HasSubstr(n));
  // Decided again, it is refused: the drum has left.
  grpc::Status again =
      RecordAs(kGenerator, Code(1), v1::STOCK_MOVE_STORED, "贮存库1");
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(again.error_message(), HasSubstr(n));
  const v1::Container c = ContainerAs(kGenerator, Code(1));
  EXPECT_NE(c.stock(), v1::STOCK_STATE_STORED);
  EXPECT_THAT(c.records(), IsEmpty());  // no stock record landed
  ExpectDeepVerifyPasses();
}

// A pickup decided while its drum was not yet booked, landing after the
// booking, would flag as never booked a drum that was.
TEST_F(ContainerIntegrationTest, APickupOvertakenByItsDrumsBookingIsAborted) {
  ASSERT_TRUE(RegisterAs(kGenerator, Code(1), 200 * 1000).ok());
  WriteReply r;
  ASSERT_TRUE(OpenWith({Code(1)}, &r).ok());
  const std::string n = r.manifest().number();

  hold_.Arm(n);
  const v1::WriteMeta meta = Meta();
  grpc::Status picked;
  WriteReply picked_reply;
  std::thread pickup([&] {
    picked = Pickup(n, kCarrier, kCarrierPlate, &picked_reply, meta);
  });
  EXPECT_TRUE(hold_.WaitUntilHeld());
  const grpc::Status booked =
      RecordAs(kGenerator, Code(1), v1::STOCK_MOVE_STORED, "贮存库1");
  hold_.Release();
  pickup.join();
  ASSERT_TRUE(booked.ok()) << booked.error_message();
  EXPECT_EQ(picked.error_code(), grpc::StatusCode::ABORTED)
      << picked.error_message();
  EXPECT_THAT(picked.error_message(), HasSubstr(Code(1)));
  // The carrier's retry (same key) decides again and lands, unflagged.
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r, meta).ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  for (const v1::Flag& f : r.manifest().flags()) {
    EXPECT_NE(f.kind(), v1::FLAG_KIND_UNSTORED_CONTAINER) << f.detail();
  }
  ExpectDeepVerifyPasses();
}

TEST_F(ContainerIntegrationTest, StockHeldPastItsLimitIsFlaggedOnItsContainer) {
  for (int seq : {1, 2}) {
    ASSERT_TRUE(RegisterAs(kGenerator, Code(seq), 200 * 1000).ok());
    ASSERT_TRUE(
        RecordAs(kGenerator, Code(seq), v1::STOCK_MOVE_STORED, "贮存库1").ok());
  }
  // Drum 2 leaves in time; drum 1 stays.
  WriteReply r;
  ASSERT_TRUE(OpenWith({Code(2)}, &r).ok());
  const std::string n = r.manifest().number();
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  const auto overdue = [&](const std::string& who) {
    v1::ListFlagsRequest req;
    req.set_kind(v1::FLAG_KIND_STOCK_OVERDUE);
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::ListFlagsResponse out;
    grpc::Status s = flags_->List(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return std::vector<v1::Flag>(out.flags().begin(), out.flags().end());
  };
  ASSERT_TRUE(server_->Sweep().ok());
  EXPECT_THAT(overdue(Regulator("3304")), IsEmpty());

  // Booked in on 2026-11-23: held 365 whole days, due from 2027-11-24.
  clock_.Advance(absl::Hours(24 * 366) - absl::Hours(10));  // 23:00 the day
  ASSERT_TRUE(server_->Sweep().ok());
  EXPECT_THAT(overdue(Regulator("3304")), IsEmpty());
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(server_->Sweep().ok());
  std::vector<v1::Flag> flags = overdue(Regulator("3304"));
  ASSERT_THAT(flags, SizeIs(1));
  const v1::Flag f = flags[0];
  EXPECT_EQ(f.id(), Code(1) + "-F1");
  EXPECT_EQ(f.container(), Code(1));
  EXPECT_EQ(f.manifest(), "");
  EXPECT_EQ(f.state(), v1::FLAG_STATE_OPEN);
  EXPECT_THAT(f.detail(), HasSubstr("贮存库1"));
  // Its generator sees it; another city's regulator does not.
  EXPECT_THAT(overdue(kGenerator), SizeIs(1));
  EXPECT_THAT(overdue(Regulator("3301")), IsEmpty());
  // The regulator's office inbox asks it to answer the drum's flag.
  {
    grpc::ClientContext ctx;
    As(&ctx, Regulator("3304"));
    v1::ListInboxRequest req;
    req.set_page_size(1000);
    v1::ListInboxResponse inbox;
    grpc::Status s = manifests_->ListInbox(&ctx, req, &inbox);
    ASSERT_TRUE(s.ok()) << s.error_message();
    int asked = 0;
    for (const v1::InboxItem& i : inbox.items()) {
      if (i.flag() != f.id()) continue;
      ++asked;
      EXPECT_EQ(i.task(), v1::InboxItem::TASK_ANSWER_FLAG);
      EXPECT_THAT(i.detail(), HasSubstr("STOCK_OVERDUE"));
    }
    EXPECT_EQ(asked, 1);
  }

  // Drum 2's deadline ended with the manifest that took it; drum 1 holds
  // its flag, and neither is swept again.
  v1::Container c1, c2;
  ASSERT_TRUE(GetContainerAs(kGenerator, Code(1), &c1).ok());
  ASSERT_TRUE(GetContainerAs(kGenerator, Code(2), &c2).ok());
  EXPECT_EQ(c2.storage_ended_on(), n);
  EXPECT_THAT(c2.flags(), IsEmpty());
  ASSERT_THAT(c1.flags(), SizeIs(1));
  const uint64_t head = Head();
  clock_.Advance(absl::Hours(24 * 30));
  ASSERT_TRUE(server_->Sweep().ok());
  EXPECT_EQ(Head(), head);

  // Noted by its regulator only, each note a version of the drum's stream.
  v1::AcknowledgeFlagRequest note;
  *note.mutable_meta() = Meta();
  note.set_id(f.id());
  note.set_note("site visit booked");
  note.set_by("嘉兴市生态环境局");
  v1::Flag noted;
  {
    grpc::ClientContext ctx;
    As(&ctx, Regulator("3301"));
    grpc::Status s = Acknowledge(&ctx, note, &noted);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << s.error_message();
  }
  EXPECT_EQ(Head(), head);
  {
    grpc::ClientContext ctx;
    As(&ctx, Regulator("3304"));
    grpc::Status s = Acknowledge(&ctx, note, &noted);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(noted.state(), v1::FLAG_STATE_ACKED);
  }
  {
    // A retry answers the same, writing nothing.
    grpc::ClientContext ctx;
    As(&ctx, Regulator("3304"));
    const uint64_t acked = Head();
    ASSERT_TRUE(Acknowledge(&ctx, note, &noted).ok());
    EXPECT_EQ(noted.state(), v1::FLAG_STATE_ACKED);
    EXPECT_EQ(Head(), acked);
  }
  {
    grpc::ClientContext ctx;
    As(&ctx, Regulator("3304"));
    *note.mutable_meta() = Meta();
    note.set_note("removed to the licensed receiver");
    ASSERT_TRUE(Resolve(&ctx, note, &noted).ok());
    EXPECT_EQ(noted.state(), v1::FLAG_STATE_RESOLVED);
  }
  // The drum still takes stock records, after the flag's versions.
  v1::RecordStockResponse used;
  grpc::Status s =
      RecordAs(kGenerator, Code(1), v1::STOCK_MOVE_OWN_USE, "R4", &used);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(used.container().records(1).number(), 6);

  // Scrubbed deep and replayed: the flag, its index and counters, the
  // ended deadline are what the streams make.
  ASSERT_TRUE(server_->Scrub(/*deep=*/true).ok());
  EXPECT_FALSE(server_->Integrity().damaged())
      << server_->Integrity().problem();
  ExpectDeepVerifyPasses();
  Start();
  flags = overdue(Regulator("3304"));
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].state(), v1::FLAG_STATE_RESOLVED);
  ExpectDeepVerifyPasses();
}

TEST_F(ContainerIntegrationTest, ApprovedLongerStorageSetsTheDeadline) {
  const auto extend = [&](const std::string& who, int days,
                          v1::ExtendStorageResponse* out = nullptr) {
    v1::ExtendStorageRequest req;
    *req.mutable_meta() = Meta();
    req.set_generator(kGenerator);
    v1::StorageExtension* x = req.mutable_extension();
    x->set_document(absl::StrCat("嘉环贮延〔2026〕", days, "号"));
    x->set_days(days);
    x->set_valid_from("2026-11-01");
    x->set_valid_until("2026-12-31");
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::ExtendStorageResponse reply;
    grpc::Status s = registry_->ExtendStorage(&ctx, req, &reply);
    if (out != nullptr) *out = reply;
    return s;
  };
  // Only a regulator over the generator; a bad field changes nothing.
  const uint64_t head = Head();
  EXPECT_EQ(extend(kGenerator, 730).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = extend(Regulator("3301"), 730);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("generator"));
  s = extend(Regulator("3304"), 300);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("extension.days"));
  EXPECT_EQ(Head(), head);
  v1::ExtendStorageResponse extended;
  s = extend(Regulator("3304"), 730, &extended);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(extended.enterprise().storage_extensions_size(), 1);

  ASSERT_TRUE(RegisterAs(kGenerator, Code(1), 200 * 1000).ok());
  v1::RecordStockResponse stored;
  ASSERT_TRUE(
      RecordAs(kGenerator, Code(1), v1::STOCK_MOVE_STORED, "贮存库1", &stored)
          .ok());
  EXPECT_EQ(stored.container().storage_limit_days(), 730);
  EXPECT_EQ(stored.container().records(0).storage_limit_days(), 730);

  // A year and a day on, still within its approved two years.
  clock_.Advance(absl::Hours(24 * 367));
  ASSERT_TRUE(server_->Sweep().ok());
  v1::Container c;
  ASSERT_TRUE(GetContainerAs(kGenerator, Code(1), &c).ok());
  EXPECT_THAT(c.flags(), IsEmpty());
  clock_.Advance(absl::Hours(24 * 365));
  ASSERT_TRUE(server_->Sweep().ok());
  ASSERT_TRUE(GetContainerAs(kGenerator, Code(1), &c).ok());
  ASSERT_THAT(c.flags(), SizeIs(1));
  EXPECT_THAT(c.flags(0).detail(), HasSubstr("730 days"));
  ExpectDeepVerifyPasses();
}

}  // namespace
}  // namespace cradle::testing
