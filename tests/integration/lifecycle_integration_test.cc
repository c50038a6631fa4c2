// The lifecycle through a real in-process gRPC server over a real RocksDB
// ledger in a temporary directory.

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/manifest.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "domain/manifest_number.h"
#include "services/server.h"
#include "tests/integration/server_fixture.h"
#include "tests/testing/parties.h"
#include "tests/testing/temp_dir.h"

namespace cradle {
namespace {

using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kProvinceRegulator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::kRelayCarrier;
using ::cradle::testing::kRelayPlate;
using ::cradle::testing::kThirdCarrier;
using ::cradle::testing::kThirdPlate;
using ::cradle::testing::WriteReply;
using ::testing::HasSubstr;

class LifecycleIntegrationTest : public cradle::testing::ServerFixture {};

TEST_F(LifecycleIntegrationTest, HappyPathWithTwoRelayLegsClosesAndVerifies) {
  const std::string n = OpenOne();
  EXPECT_EQ(n, "20263304000001");
  WriteReply r;
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  ASSERT_TRUE(Relay(n, kCarrier, kRelayCarrier, kRelayPlate, &r).ok());
  ASSERT_TRUE(Relay(n, kRelayCarrier, kThirdCarrier, kThirdPlate, &r).ok());
  EXPECT_EQ(r.manifest().legs_size(), 3);
  EXPECT_EQ(r.manifest().carrier(), kThirdCarrier);
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_DELIVERED);
  ASSERT_TRUE(
      Receive(n, kReceiver, {Accept(1, 1000000), Accept(2, 250000)}, &r).ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_ACCEPTED);
  ASSERT_TRUE(Dispose(n, kReceiver, {Dispose(1, 1000000)}, &r).ok());
  EXPECT_EQ(r.manifest().status(),
            v1::MANIFEST_STATUS_ACCEPTED);  // line 2 still open
  grpc::Status s = Dispose(n, kReceiver, {Dispose(2, 250000)}, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_EQ(r.receipt().sequence(), Head());

  grpc::ClientContext ctx;
  As(&ctx, kProvinceRegulator);
  v1::ChainRequest chain_req;
  chain_req.set_number(n);
  v1::ChainResponse chain;
  ASSERT_TRUE(audit_->Chain(&ctx, chain_req, &chain).ok());
  EXPECT_TRUE(chain.verified());
  std::vector<std::string> types;
  for (const auto& e : chain.entries()) types.push_back(e.type());
  EXPECT_THAT(types,
              ::testing::ElementsAre(
                  "manifest.opened", "manifest.picked_up", "manifest.relayed",
                  "manifest.relayed", "manifest.delivered", "manifest.received",
                  "manifest.disposed", "manifest.disposed", "manifest.closed"));
  // The actor is the authenticated credential, never a request field.
  EXPECT_EQ(chain.entries(1).actor(),
            absl::StrCat(kCarrier, "#", creds_[kCarrier].id));
  EXPECT_EQ(chain.entries(1).signer().signature(), v1::Signer::SIGNATURE_VALID);
  EXPECT_EQ(chain.entries(0).signer().signature(),
            v1::Signer::SIGNATURE_UNSIGNED);
  EXPECT_THAT(chain.entries(1).payload_json(), HasSubstr(kCarrierPlate));

  grpc::ClientContext vctx;
  As(&vctx, kProvinceRegulator);
  v1::VerifyResponse verify;
  ASSERT_TRUE(audit_->Verify(&vctx, v1::VerifyRequest(), &verify).ok());
  EXPECT_TRUE(verify.ok()) << verify.problem();
  EXPECT_EQ(verify.checked(), Head());
}

// The legal form of a line goes through gRPC into the record: as sent,
// with the name and hazards the catalogue gives, and a bad field is refused
// by name with nothing written.
TEST_F(LifecycleIntegrationTest, TheLegalFormOfALineIsRecorded) {
  v1::OpenManifestRequest req = OpenRequest();
  v1::WasteLine* oil = req.mutable_lines(0);
  oil->set_form(v1::PHYSICAL_FORM_LIQUID);
  oil->set_purpose(v1::TRANSFER_PURPOSE_DISPOSE);
  oil->set_dg_class("3");
  oil->set_un_number("UN1993");
  oil->set_precautions("远离火源");
  WriteReply r;
  ASSERT_TRUE(Open(req, &r).ok());
  const v1::Manifest m = Get(r.manifest().number());
  EXPECT_EQ(m.lines(0).form(), v1::PHYSICAL_FORM_LIQUID);
  EXPECT_EQ(m.lines(0).un_number(), "UN1993");
  EXPECT_EQ(m.lines(0).precautions(), "远离火源");
  EXPECT_FALSE(m.lines(0).name().empty());
  EXPECT_EQ(m.lines(0).hazards_size(), 2);  // 900-249-08: T, I
  EXPECT_EQ(m.lines(1).hazards_size(), 2);  // 900-041-49: T, In

  const uint64_t head = Head();
  req = OpenRequest();
  req.mutable_lines(1)->set_un_number("UN1993");
  grpc::Status s = Open(req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("lines[1].dg_class"));
  EXPECT_EQ(Head(), head);
}

TEST_F(LifecycleIntegrationTest, PartialRejectionGoesToAnAlternateReceiver) {
  const std::string n = OpenOne();
  WriteReply r;
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());
  ASSERT_TRUE(Receive(n, kReceiver,
                      {Accept(1, 800000), Reject(1, 200000), Accept(2, 250000)},
                      &r)
                  .ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_PARTIALLY_ACCEPTED);

  v1::RerouteRequest reroute;
  *reroute.mutable_meta() = Meta();
  reroute.set_number(n);
  reroute.set_generator(kGenerator);
  reroute.set_to(kAltReceiver);
  reroute.set_carrier(kRelayCarrier);
  reroute.set_vehicle(kRelayPlate);
  grpc::ClientContext ctx;
  As(&ctx, kGenerator);
  grpc::Status s = Write(&ctx, reroute, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  EXPECT_EQ(r.manifest().receiver(), kAltReceiver);
  EXPECT_EQ(r.manifest().destinations(1).sent_g(0), 200000);

  // The first receiver disposes its part while the rest is on the road.
  ASSERT_TRUE(
      Dispose(n, kReceiver, {Dispose(1, 800000), Dispose(2, 250000)}, &r).ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  // Only the new named receiver takes delivery; the old one scanning it is
  // recorded as a wrong delivery, raising WRONG_RECEIVER, and nothing else.
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  bool wrong_receiver = false;
  for (const v1::Flag& f : r.manifest().flags()) {
    wrong_receiver |= f.kind() == v1::FLAG_KIND_WRONG_RECEIVER;
  }
  EXPECT_TRUE(wrong_receiver);
  ASSERT_TRUE(Deliver(n, kAltReceiver, &r).ok());
  ASSERT_TRUE(Receive(n, kAltReceiver, {Accept(1, 200000)}, &r).ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_ACCEPTED);
  ASSERT_TRUE(Dispose(n, kAltReceiver, {Dispose(1, 200000)}, &r).ok());
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_CLOSED);

  // Both receivers now list the manifest.
  for (const std::string& party : {kReceiver, kAltReceiver}) {
    grpc::ClientContext lctx;
    As(&lctx, party);
    v1::ListManifestsRequest list;
    list.set_party(party);
    v1::ListManifestsResponse page;
    ASSERT_TRUE(manifests_->List(&lctx, list, &page).ok());
    ASSERT_EQ(page.manifests_size(), 1) << party;
    EXPECT_EQ(page.manifests(0).number(), n);
  }
}

TEST_F(LifecycleIntegrationTest, CancelOnlyBeforePickup) {
  const std::string a = OpenOne(), b = OpenOne();
  v1::CancelManifestRequest cancel;
  *cancel.mutable_meta() = Meta();
  cancel.set_number(a);
  cancel.set_generator(kGenerator);
  cancel.set_reason("vehicle broke down");
  WriteReply r;
  {
    grpc::ClientContext ctx;
    As(&ctx, kGenerator);
    ASSERT_TRUE(Write(&ctx, cancel, &r).ok());
    EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_CANCELLED);
  }
  ASSERT_TRUE(Pickup(b, kCarrier, kCarrierPlate, &r).ok());
  const uint64_t head = Head();
  *cancel.mutable_meta() = Meta();
  cancel.set_number(b);
  grpc::ClientContext ctx;
  As(&ctx, kGenerator);
  grpc::Status s = Write(&ctx, cancel, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("IN_TRANSIT"));
  EXPECT_EQ(Head(), head);
  // A cancelled manifest cannot be picked up.
  EXPECT_EQ(Pickup(a, kCarrier, kCarrierPlate, &r).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(LifecycleIntegrationTest, RefusedRequestsChangeNothing) {
  const std::string n = OpenOne();
  const uint64_t head = Head();
  WriteReply r;
  struct Case {
    std::string name;
    grpc::Status status;
    grpc::StatusCode want;
    std::string says;
  };
  std::vector<Case> cases;
  cases.push_back({"deliver before pickup", Deliver(n, kReceiver, &r),
                   grpc::StatusCode::FAILED_PRECONDITION, "ISSUED"});
  cases.push_back({"pickup by another carrier",
                   Pickup(n, kRelayCarrier, kRelayPlate, &r),
                   grpc::StatusCode::PERMISSION_DENIED, "carrier"});
  cases.push_back({"vehicle of another carrier",
                   Pickup(n, kCarrier, kRelayPlate, &r),
                   grpc::StatusCode::FAILED_PRECONDITION, "vehicle"});
  cases.push_back({"malformed plate", Pickup(n, kCarrier, "ABC", &r),
                   grpc::StatusCode::INVALID_ARGUMENT, "vehicle"});
  cases.push_back({"unknown manifest",
                   Pickup("20263304999999", kCarrier, kCarrierPlate, &r),
                   grpc::StatusCode::NOT_FOUND, "20263304999999"});
  cases.push_back({"malformed number",
                   Pickup("2026", kCarrier, kCarrierPlate, &r),
                   grpc::StatusCode::INVALID_ARGUMENT, "number"});
  cases.push_back({"receive before delivery",
                   Receive(n, kReceiver, {Accept(1, 1)}, &r),
                   grpc::StatusCode::FAILED_PRECONDITION, "DELIVERED"});
  cases.push_back({"dispose by a stranger",
                   Dispose(n, kReceiver, {Dispose(1, 1)}, &r),
                   grpc::StatusCode::PERMISSION_DENIED, "received nothing"});

  v1::OpenManifestRequest bad = OpenRequest();
  bad.mutable_lines(1)->set_code("123-456-49");
  cases.push_back({"code not in catalogue", Open(bad, &r),
                   grpc::StatusCode::INVALID_ARGUMENT, "lines[1].code"});
  bad = OpenRequest();
  bad.set_generator("91330402MA2B3C4D5X");
  cases.push_back({"bad USCC check character", OpenAs(kGenerator, bad, &r),
                   grpc::StatusCode::PERMISSION_DENIED, "generator"});
  bad = OpenRequest();
  bad.set_receiver(kCarrier);
  cases.push_back({"receiver without the role", Open(bad, &r),
                   grpc::StatusCode::FAILED_PRECONDITION, "RECEIVER"});
  bad = OpenRequest();
  bad.mutable_lines(0)->set_quantity_g(0);
  cases.push_back({"zero quantity", Open(bad, &r),
                   grpc::StatusCode::INVALID_ARGUMENT, "lines[0].quantity_g"});
  bad = OpenRequest();
  bad.mutable_lines(0)->set_packaging(std::string(200 * 1024, 'x'));
  cases.push_back({"huge field", Open(bad, &r),
                   grpc::StatusCode::INVALID_ARGUMENT, "lines[0].packaging"});
  bad = OpenRequest();
  bad.mutable_meta()->clear_idempotency_key();
  cases.push_back({"no idempotency key", Open(bad, &r),
                   grpc::StatusCode::INVALID_ARGUMENT, "idempotency_key"});

  for (const Case& c : cases) {
    EXPECT_EQ(c.status.error_code(), c.want)
        << c.name << ": " << c.status.error_message();
    EXPECT_THAT(c.status.error_message(), HasSubstr(c.says)) << c.name;
  }
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(Get(n).status(), v1::MANIFEST_STATUS_ISSUED);
  EXPECT_EQ(Get(n).version(), 1u);
}

TEST_F(LifecycleIntegrationTest, RetriesWithTheSameKeyApplyOnce) {
  v1::OpenManifestRequest open = OpenRequest();
  WriteReply first, again;
  ASSERT_TRUE(Open(open, &first).ok());
  const uint64_t head = Head();
  ASSERT_TRUE(Open(open, &again).ok());
  EXPECT_EQ(again.manifest().number(), first.manifest().number());
  EXPECT_TRUE(again.receipt().replayed());
  EXPECT_EQ(again.receipt().sequence(), first.receipt().sequence());
  EXPECT_EQ(Head(), head);

  const std::string n = first.manifest().number();
  v1::WriteMeta pickup_meta = Meta();
  WriteReply r;
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r, pickup_meta).ok());
  const uint64_t pickup_seq = r.receipt().sequence();
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());
  // The scanner uploads its pickup again after the load was delivered.
  WriteReply retry;
  grpc::Status s = Pickup(n, kCarrier, kCarrierPlate, &retry, pickup_meta);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(retry.receipt().replayed());
  EXPECT_EQ(retry.receipt().sequence(), pickup_seq);
  EXPECT_EQ(retry.manifest().status(), v1::MANIFEST_STATUS_DELIVERED);
  EXPECT_EQ(Get(n).legs_size(), 1);
}

TEST_F(LifecycleIntegrationTest, ConcurrentPickupsOfOneManifestOneWins) {
  constexpr int kManifests = 10;
  std::vector<std::string> numbers;
  for (int i = 0; i < kManifests; ++i) numbers.push_back(OpenOne());
  std::atomic<int> won{0}, conflicted{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (const std::string& n : numbers) {
        v1::PickupRequest req;
        req.mutable_meta()->set_idempotency_key(absl::StrCat("t", t, n));
        req.set_number(n);
        req.set_carrier(kCarrier);
        req.set_vehicle(kCarrierPlate);
        Sign(&req, kCarrier);
        grpc::ClientContext ctx;
        As(&ctx, req.carrier());
        WriteReply r;
        grpc::Status s = Write(&ctx, req, &r);
        if (s.ok()) {
          ++won;
        } else if (s.error_code() == grpc::StatusCode::ABORTED ||
                   s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
          ++conflicted;  // lost the race on the version, or came after
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won, kManifests);
  EXPECT_EQ(conflicted, kManifests);
  EXPECT_EQ(other, 0);
  for (const std::string& n : numbers) {
    EXPECT_EQ(Get(n).legs_size(), 1) << n;
    EXPECT_EQ(Get(n).version(), 2u) << n;
  }
}

TEST_F(LifecycleIntegrationTest, ConcurrentOpensGetGaplessNumbers) {
  constexpr int kThreads = 8, kEach = 10;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> got(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        v1::OpenManifestRequest req = OpenRequest();
        req.mutable_meta()->set_idempotency_key(
            absl::StrCat("open-", t, "-", i));
        WriteReply r;
        grpc::ClientContext ctx;
        As(&ctx, req.generator());
        grpc::Status s = Write(&ctx, req, &r);
        ASSERT_TRUE(s.ok()) << s.error_message();
        got[t].push_back(r.manifest().number());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all, expected;
  for (const auto& v : got) all.insert(v.begin(), v.end());
  for (int serial = 1; serial <= kThreads * kEach; ++serial) {
    expected.insert(domain::FormatManifestNumber(2026, "3304", serial));
  }
  EXPECT_EQ(all, expected);  // no duplicate, no gap
}

TEST_F(LifecycleIntegrationTest, StateSurvivesARestart) {
  const std::string n = OpenOne();
  WriteReply r;
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  const uint64_t head = Head();
  Restart();
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(Get(n).status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  // The serial counter survived: the next number follows.
  EXPECT_EQ(OpenOne(), "20263304000002");
}

}  // namespace
}  // namespace cradle

namespace cradle {
namespace {

class InboxIntegrationTest : public cradle::testing::ServerFixture {
 protected:
  grpc::Status Inbox(const std::string& who, const std::string& party,
                     v1::ListInboxResponse* out, int page_size = 0,
                     const std::string& token = "") {
    v1::ListInboxRequest req;
    req.set_party(party);
    req.set_page_size(page_size);
    req.set_page_token(token);
    grpc::ClientContext ctx;
    As(&ctx, who);
    return manifests_->ListInbox(&ctx, req, out);
  }

  // "number TASK" of each item.
  static std::vector<std::string> Items(const v1::ListInboxResponse& r) {
    std::vector<std::string> out;
    for (const v1::InboxItem& i : r.items()) {
      out.push_back(i.number() + " " + v1::InboxItem::Task_Name(i.task()));
    }
    return out;
  }
};

TEST_F(InboxIntegrationTest, EachPartySeesWhatWaitsOnItNewestFirst) {
  using ::cradle::testing::kCarrier;
  using ::cradle::testing::kCarrierPlate;
  using ::cradle::testing::kGenerator;
  using ::cradle::testing::kJiaxingRegulator;
  using ::cradle::testing::kReceiver;
  using ::cradle::testing::WriteReply;
  using ::testing::ElementsAre;
  using ::testing::IsEmpty;
  const std::string first = OpenOne(), second = OpenOne();
  v1::ListInboxResponse r;
  ASSERT_TRUE(Inbox(kCarrier, "", &r).ok());  // its own by default
  EXPECT_THAT(Items(r),
              ElementsAre(second + " TASK_PICKUP", first + " TASK_PICKUP"));
  ASSERT_TRUE(Inbox(kGenerator, "", &r).ok());
  EXPECT_THAT(Items(r), IsEmpty());

  WriteReply w;
  ASSERT_TRUE(Pickup(first, kCarrier, kCarrierPlate, &w).ok());
  ASSERT_TRUE(Inbox(kCarrier, kCarrier, &r).ok());
  EXPECT_THAT(Items(r),
              ElementsAre(second + " TASK_PICKUP", first + " TASK_DELIVER"));
  EXPECT_TRUE(r.items(1).has_due_at());  // the transit limit

  ASSERT_TRUE(Deliver(first, kReceiver, &w).ok());
  ASSERT_TRUE(Inbox(kReceiver, "", &r).ok());
  ASSERT_THAT(Items(r), ElementsAre(first + " TASK_RECEIVE"));
  // Delivered on Monday 2026-11-23: five working days, to Monday the 30th.
  EXPECT_EQ(r.items(0).working_days_left(), 5);
  EXPECT_FALSE(r.items(0).overdue());

  // A page reads page_size manifests; the token goes on to older ones.
  ASSERT_TRUE(Inbox(kCarrier, "", &r, 1).ok());
  EXPECT_THAT(Items(r), ElementsAre(second + " TASK_PICKUP"));
  ASSERT_FALSE(r.next_page_token().empty());
  v1::ListInboxResponse older;
  ASSERT_TRUE(Inbox(kCarrier, "", &older, 1, r.next_page_token()).ok());
  EXPECT_THAT(Items(older), IsEmpty());  // `first` waits on the receiver now

  // A regulator reads an inbox of its jurisdiction; a party only its own.
  ASSERT_TRUE(Inbox(kJiaxingRegulator, kCarrier, &r).ok());
  EXPECT_THAT(Items(r), ElementsAre(second + " TASK_PICKUP"));
  grpc::Status s = Inbox(kReceiver, kCarrier, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("party"));
}

TEST_F(InboxIntegrationTest, ARegulatorOfficeSeesTheFlagsItAnswers) {
  using ::cradle::testing::kAltReceiver;
  using ::cradle::testing::kHangzhouRegulator;
  using ::cradle::testing::kJiaxingRegulator;
  using ::cradle::testing::WriteReply;
  using ::testing::ElementsAre;
  using ::testing::IsEmpty;
  // Jiaxing to Hangzhou: CROSS_CITY, which both cities' offices see.
  v1::OpenManifestRequest req = OpenRequest();
  req.set_receiver(kAltReceiver);
  WriteReply w;
  ASSERT_TRUE(Open(req, &w).ok());
  const std::string n = w.manifest().number();
  ASSERT_EQ(w.manifest().flags_size(), 1);
  const std::string flag = w.manifest().flags(0).id();
  for (const std::string& office : {kJiaxingRegulator, kHangzhouRegulator}) {
    v1::ListInboxResponse r;
    ASSERT_TRUE(Inbox(office, "", &r).ok());
    EXPECT_THAT(Items(r), ElementsAre(n + " TASK_ANSWER_FLAG")) << office;
    ASSERT_EQ(r.items_size(), 1);
    EXPECT_EQ(r.items(0).flag(), flag);
    EXPECT_THAT(r.items(0).detail(), ::testing::HasSubstr("CROSS_CITY"));
  }
  // Once acknowledged, it no longer waits.
  v1::AcknowledgeFlagRequest note;
  note.mutable_meta()->set_idempotency_key("ack-1");
  note.set_id(flag);
  note.set_by("嘉兴市生态环境局");
  note.set_note("已电话核实");
  v1::Flag acked;
  {
    grpc::ClientContext ctx;
    As(&ctx, kJiaxingRegulator);
    ASSERT_TRUE(Acknowledge(&ctx, note, &acked).ok());
  }
  v1::ListInboxResponse r;
  ASSERT_TRUE(Inbox(kJiaxingRegulator, "", &r).ok());
  EXPECT_THAT(Items(r), IsEmpty());
}

}  // namespace
}  // namespace cradle
