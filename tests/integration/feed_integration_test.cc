// Feed.Subscribe against a real server: what each caller receives, that a
// reconnect from the last position neither misses nor repeats an entry,
// that a live subscription sees new writes, and the refusals.

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "cradle/v1/container.grpc.pb.h"
#include "cradle/v1/feed.grpc.pb.h"
#include "domain/container.h"
#include "storage/entry_codec.h"
#include "tests/integration/server_fixture.h"

namespace cradle::testing {
namespace {

using ::testing::HasSubstr;

// What one subscription received, and how it ended.
struct Received {
  std::vector<v1::LedgerEntry> entries;
  uint64_t position = 0;
  int messages = 0;
  grpc::Status status;

  std::vector<uint64_t> Sequences() const {
    std::vector<uint64_t> out;
    for (const v1::LedgerEntry& e : entries) out.push_back(e.sequence());
    return out;
  }
};

class FeedIntegrationTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    feed_ = v1::Feed::NewStub(channel_);
  }

  // Subscribes as `who` and reads until the server ends the stream (a
  // request with stop_at_head) or `stop(received)` says enough.
  Received Follow(const std::string& who, v1::SubscribeRequest req,
                  std::function<bool(const Received&)> stop = nullptr) {
    grpc::ClientContext ctx;
    As(&ctx, who);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    auto reader = feed_->Subscribe(&ctx, req);
    Received got;
    v1::SubscribeResponse msg;
    while (reader->Read(&msg)) {
      ++got.messages;
      for (const v1::LedgerEntry& e : msg.entries()) got.entries.push_back(e);
      EXPECT_GE(msg.position(), got.position);
      if (!msg.entries().empty()) {
        EXPECT_LE(msg.entries().rbegin()->sequence(), msg.position());
      }
      got.position = msg.position();
      if (stop && stop(got)) {
        ctx.TryCancel();
        break;
      }
    }
    got.status = reader->Finish();
    return got;
  }

  Received ToHead(const std::string& who, v1::SubscribeRequest req = {}) {
    req.set_stop_at_head(true);
    return Follow(who, req);
  }

  // A manifest picked up by kCarrier and relayed to kRelayCarrier, whose
  // leg (330108) brings it into Hangzhou (3301).
  std::string Relayed() {
    const std::string n = OpenOne();
    EXPECT_TRUE(Pickup(n, kCarrier, kCarrierPlate, nullptr).ok());
    grpc::Status s = Relay(n, kCarrier, kRelayCarrier, kRelayPlate, nullptr);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return n;
  }

  std::unique_ptr<v1::Feed::Stub> feed_;
};

TEST_F(FeedIntegrationTest, TheAdministratorsFeedIsTheWholeLedgerInOrder) {
  OpenOne();
  const uint64_t head = Head();
  const Received got = ToHead(kAdmin);
  ASSERT_TRUE(got.status.ok()) << got.status.error_message();
  ASSERT_EQ(got.entries.size(), head);
  for (uint64_t i = 0; i < head; ++i) {
    EXPECT_EQ(got.entries[i].sequence(), i + 1);
    if (i > 0) {
      EXPECT_EQ(got.entries[i].prev_hash(), got.entries[i - 1].hash());
    }
    // Each hash recomputes from what the feed carries: a follower checks
    // the chain without trusting the server.
    const v1::LedgerEntry& in = got.entries[i];
    storage::Entry e;
    e.sequence = in.sequence();
    e.stream = in.stream();
    e.stream_version = in.stream_version();
    e.type = in.type();
    e.actor = in.actor();
    e.recorded = FromTimestamp(in.recorded());
    e.payload = in.payload();
    std::string prev;
    ASSERT_TRUE(storage::ParseHex(in.prev_hash(), 32, &prev));
    e.prev_hash = prev;
    EXPECT_EQ(storage::HexHash(
                  storage::ChainHash(prev, storage::CanonicalEntryBytes(e))),
              in.hash())
        << "entry " << in.sequence();
  }
  EXPECT_EQ(got.position, head);
  // Credentials are in it; the payload is decoded for people.
  bool credential = false;
  for (const v1::LedgerEntry& e : got.entries) {
    credential |= absl::StartsWith(e.type(), "credential.");
    EXPECT_FALSE(e.payload_json().empty()) << e.type();
  }
  EXPECT_TRUE(credential);
}

TEST_F(FeedIntegrationTest,
       AReconnectFromTheLastPositionMissesAndRepeatsNothing) {
  for (int i = 0; i < 3; ++i) OpenOne();
  v1::SubscribeRequest req;
  req.set_jurisdiction("3304");
  req.add_types("manifest.");
  // The first connection stops after its first message...
  const Received first =
      Follow(kProvinceRegulator, req, [](const Received&) { return true; });
  ASSERT_GT(first.entries.size(), 0u);
  // ...more is written while it is away...
  for (int i = 0; i < 3; ++i) Relayed();
  // ...and the second resumes from where the first stopped.
  req.set_after_sequence(first.position);
  const Received second = ToHead(kProvinceRegulator, req);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();

  std::vector<uint64_t> joined = first.Sequences();
  for (uint64_t s : second.Sequences()) joined.push_back(s);
  req.set_after_sequence(0);
  const Received whole = ToHead(kProvinceRegulator, req);
  EXPECT_EQ(joined, whole.Sequences());
  EXPECT_EQ(std::set<uint64_t>(joined.begin(), joined.end()).size(),
            joined.size());
  // 3 opened + 3 opened, picked up and relayed, each opened manifest one
  // entry at least: all of them manifest entries.
  EXPECT_GE(whole.entries.size(), 12u);
  for (const v1::LedgerEntry& e : whole.entries) {
    EXPECT_TRUE(absl::StartsWith(e.type(), "manifest.")) << e.type();
  }
}

TEST_F(FeedIntegrationTest, ALiveSubscriptionReceivesWhatIsWrittenAfterIt) {
  v1::SubscribeRequest req;
  req.set_after_sequence(Head());
  req.add_types("manifest.opened");
  std::string opened;
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(200));
    opened = OpenOne();
  });
  const Received got =
      Follow(kAdmin, req, [](const Received& r) { return !r.entries.empty(); });
  writer.join();
  ASSERT_EQ(got.entries.size(), 1u);
  EXPECT_EQ(got.entries[0].stream(), opened);
  EXPECT_EQ(got.entries[0].type(), "manifest.opened");
}

TEST_F(FeedIntegrationTest, EachEntryIsJudgedByTheManifestAsThatEntryLeftIt) {
  const std::string n = Relayed();
  // Hangzhou's regulator sees the relay that brought the load into its
  // city, and nothing of the manifest before it.
  Received hangzhou = ToHead(kHangzhouRegulator);
  ASSERT_TRUE(hangzhou.status.ok()) << hangzhou.status.error_message();
  std::vector<std::string> types;
  for (const v1::LedgerEntry& e : hangzhou.entries) {
    if (e.stream() == n) types.push_back(e.type());
  }
  EXPECT_EQ(types, std::vector<std::string>{"manifest.relayed"});
  // Hangzhou's enterprises' records are in its feed too; Jiaxing's not.
  std::set<std::string> streams;
  for (const v1::LedgerEntry& e : hangzhou.entries) streams.insert(e.stream());
  EXPECT_EQ(streams.count("enterprise/" + kRelayCarrier), 1u);
  EXPECT_EQ(streams.count("enterprise/" + kGenerator), 0u);
  // The relay carrier's own feed: its record, then the manifest from the
  // relay on; never another party's record.
  Received relay = ToHead(kRelayCarrier);
  ASSERT_TRUE(relay.status.ok()) << relay.status.error_message();
  types.clear();
  for (const v1::LedgerEntry& e : relay.entries) {
    if (e.stream() == n) types.push_back(e.type());
    if (absl::StartsWith(e.stream(), "enterprise/")) {
      EXPECT_EQ(e.stream(), "enterprise/" + kRelayCarrier);
    }
  }
  EXPECT_EQ(types, std::vector<std::string>{"manifest.relayed"});
  // The generator sees all of it.
  Received generator = ToHead(kGenerator);
  types.clear();
  for (const v1::LedgerEntry& e : generator.entries) {
    if (e.stream() == n) types.push_back(e.type());
  }
  EXPECT_EQ(types.size(), 3u);
}

TEST_F(FeedIntegrationTest, AContainersRegistrationGoesToItsGeneratorsFeed) {
  const std::string code = domain::FormatContainerCode(
      kGenerator, "900-249-08", absl::CivilDay(2026, 11, 22), 1);
  v1::RegisterContainerRequest req;
  *req.mutable_meta() = Meta();
  req.mutable_container()->set_code(code);
  req.mutable_container()->set_generator(kGenerator);
  req.mutable_container()->set_weight_g(200 * 1000);
  req.mutable_container()->set_packaging("铁桶");
  grpc::ClientContext ctx;
  As(&ctx, kGenerator);
  v1::RegisterContainerResponse reply;
  auto containers = v1::Containers::NewStub(channel_);
  grpc::Status s = containers->Register(&ctx, req, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto has_container = [&](const Received& r) {
    for (const v1::LedgerEntry& e : r.entries) {
      if (e.stream() == "container/" + code) {
        EXPECT_EQ(e.type(), "container.registered");
        return true;
      }
    }
    return false;
  };
  // Its generator and the regulators over the generator (Jiaxing, 3304)
  // receive it; a receiver and another city's regulator do not.
  for (const std::string& who :
       {kGenerator, kJiaxingRegulator, kProvinceRegulator}) {
    const Received got = ToHead(who);
    ASSERT_TRUE(got.status.ok()) << who << ": " << got.status.error_message();
    EXPECT_TRUE(has_container(got)) << who;
  }
  for (const std::string& who : {kReceiver, kHangzhouRegulator}) {
    const Received got = ToHead(who);
    ASSERT_TRUE(got.status.ok()) << who << ": " << got.status.error_message();
    EXPECT_FALSE(has_container(got)) << who;
  }

  // Its booking into storage, and the STOCK_OVERDUE flag the sweeper
  // raises on its stream a year on, go the same way: every entry of the
  // stream belongs to the unit the code names.
  v1::RecordStockRequest store;
  *store.mutable_meta() = Meta();
  store.mutable_record()->set_code(code);
  store.mutable_record()->set_move(v1::STOCK_MOVE_STORED);
  store.mutable_record()->set_facility("贮存库1");
  {
    grpc::ClientContext stock_ctx;
    As(&stock_ctx, kGenerator);
    v1::RecordStockResponse stored;
    s = containers->RecordStock(&stock_ctx, store, &stored);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  clock_.Advance(absl::Hours(24 * 367));
  ASSERT_TRUE(server_->Sweep().ok());
  const auto types = [&](const Received& r) {
    std::vector<std::string> out;
    for (const v1::LedgerEntry& e : r.entries) {
      if (e.stream() == "container/" + code) out.push_back(e.type());
    }
    return out;
  };
  for (const std::string& who : {kGenerator, kJiaxingRegulator}) {
    const Received got = ToHead(who);
    ASSERT_TRUE(got.status.ok()) << who << ": " << got.status.error_message();
    EXPECT_THAT(types(got), ::testing::ElementsAre("container.registered",
                                                   "container.stock",
                                                   "container.flag.raised"))
        << who;
  }
  for (const std::string& who : {kReceiver, kHangzhouRegulator}) {
    const Received got = ToHead(who);
    ASSERT_TRUE(got.status.ok()) << who << ": " << got.status.error_message();
    EXPECT_THAT(types(got), ::testing::IsEmpty()) << who;
  }
}

TEST_F(FeedIntegrationTest, CallersAreHeldToWhatTheyMayRead) {
  OpenOne();
  // A party's feed is its own by default; another party's is refused.
  v1::SubscribeRequest req;
  req.set_party(kReceiver);
  Received other = ToHead(kGenerator, req);
  EXPECT_EQ(other.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(other.status.error_message(), HasSubstr("party"));
  // A regulator stays inside its jurisdiction.
  req.Clear();
  req.set_jurisdiction("3301");
  Received outside = ToHead(kJiaxingRegulator, req);
  EXPECT_EQ(outside.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(outside.status.error_message(), HasSubstr("jurisdiction"));
  // No credential entries but for the administrator's unfiltered feed.
  for (const v1::LedgerEntry& e : ToHead(kProvinceRegulator).entries) {
    EXPECT_FALSE(absl::StartsWith(e.type(), "credential.")) << e.sequence();
  }
  // Without a credential, nothing.
  Received anonymous = ToHead("nobody");
  EXPECT_EQ(anonymous.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(FeedIntegrationTest, BadFiltersAreRefusedNamingTheField) {
  struct Case {
    std::function<void(v1::SubscribeRequest*)> set;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](v1::SubscribeRequest* r) { r->set_jurisdiction("9999"); },
       "jurisdiction"},
      {[](v1::SubscribeRequest* r) { r->set_jurisdiction("3"); },
       "jurisdiction"},
      {[](v1::SubscribeRequest* r) { r->set_party("not-a-uscc"); }, "party"},
      {[](v1::SubscribeRequest* r) { r->add_types(""); }, "types[0]"},
      {[](v1::SubscribeRequest* r) {
         r->add_types("manifest.issued");
         r->add_types(std::string(100, 'x'));
       },
       "types[1]"},
  };
  for (const Case& c : cases) {
    v1::SubscribeRequest req;
    c.set(&req);
    const Received got = ToHead(kAdmin, req);
    EXPECT_EQ(got.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.field;
    EXPECT_THAT(got.status.error_message(), HasSubstr(c.field));
    EXPECT_TRUE(got.entries.empty());
  }
}

TEST_F(FeedIntegrationTest, APositionPastTheHeadWaitsForTheLedgerToGetThere) {
  const uint64_t head = Head();
  v1::SubscribeRequest req;
  req.set_after_sequence(head + 1);  // the next entry is skipped, not sent
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(100));
    OpenOne();
    OpenOne();
  });
  const Received got = Follow(
      kAdmin, req, [&](const Received& r) { return !r.entries.empty(); });
  writer.join();
  ASSERT_FALSE(got.entries.empty());
  EXPECT_EQ(got.entries[0].sequence(), head + 2);
}

TEST_F(FeedIntegrationTest, StoppingTheServerEndsItsSubscriptions) {
  grpc::ClientContext ctx;
  As(&ctx, kAdmin);
  v1::SubscribeRequest req;
  req.set_after_sequence(Head());
  auto reader = feed_->Subscribe(&ctx, req);
  absl::SleepFor(
      absl::Milliseconds(200));  // the subscription waits at the head
  server_->Shutdown(absl::Seconds(1));
  v1::SubscribeResponse msg;
  while (reader->Read(&msg)) {
  }
  EXPECT_FALSE(reader->Finish().ok());
}

}  // namespace
}  // namespace cradle::testing
