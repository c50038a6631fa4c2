// The server against damage to its ledger: what a start refuses, what the
// scrubber and a regulator's deep verification find, and what follows an
// alarm (no write, NOT_SERVING, a flag for regulators, a refused restart, a
// forensic start that serves reads).

#include <filesystem>
#include <memory>
#include <string>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"

#include "services/keys.h"
#include "services/ledger_guard.h"
#include "storage/entry_codec.h"
#include "tests/integration/server_fixture.h"
#include "tests/storage/raw_db.h"
#include "tests/testing/status_matchers.h"

namespace cradle::testing {
namespace {

using ::cradle::testing::WriteReply;

using ::testing::HasSubstr;

class IntegrityTest : public ServerFixture {
 protected:
  void Configure(services::ServerOptions* options) override {
    options->verify_tail_on_open = 16;  // older entries: the scrubber's
    options->forensic = forensic_;
    options->checkpoint_interval = absl::ZeroDuration();
  }

  // A closed manifest first, then enough others that it is far from the
  // head; returns the closed one's number.
  std::string Populate() {
    WriteReply r;
    const std::string first = OpenOne();
    EXPECT_TRUE(Pickup(first, kCarrier, kCarrierPlate, &r).ok());
    EXPECT_TRUE(Deliver(first, kReceiver, &r).ok());
    EXPECT_TRUE(Receive(first, kReceiver,
                        {Accept(1, 1000 * 1000), Accept(2, 250 * 1000)}, &r)
                    .ok());
    EXPECT_TRUE(Dispose(first, kReceiver,
                        {Dispose(1, 1000 * 1000), Dispose(2, 250 * 1000)}, &r)
                    .ok());
    for (int i = 0; i < 20; ++i) OpenOne();
    return first;
  }

  // Stops the server, runs `tamper` on its files, starts it again.
  absl::Status RestartAfter(const std::function<void(RawDb&)>& tamper) {
    server_.reset();
    {
      RawDb db(dir_.Sub("ledger"));
      tamper(db);
    }
    return TryStart();
  }

  // grpc.health.v1.Health/Check of `service`: true when SERVING.
  bool Serving(const std::string& service) {
    grpc::GenericStub stub(channel_);
    // HealthCheckRequest{service = 1}, by hand: the health protos are not
    // installed for clients.
    std::string request = absl::StrCat(
        std::string(1, '\x0a'),
        std::string(1, static_cast<char>(service.size())), service);
    grpc::Slice slice(request);
    grpc::ByteBuffer in(&slice, 1), out;
    grpc::ClientContext ctx;
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                   &in, &out, [&](grpc::Status s) {
                     status = s;
                     done.Notify();
                   });
    done.WaitForNotification();
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(out.Dump(&slices).ok());
    std::string reply;
    for (const grpc::Slice& s : slices) {
      reply.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    return reply == std::string("\x08\x01", 2);  // status = SERVING
  }

  v1::ListFlagsResponse RegulatorFlags() {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::ListFlagsResponse out;
    EXPECT_TRUE(flags_->List(&ctx, v1::ListFlagsRequest(), &out).ok());
    return out;
  }

  // Flips a payload byte of entry `n`: damage the chain shows.
  static void DamageEntry(RawDb& db, uint64_t n) {
    std::string value = db.Get("entries", storage::EncodeSequenceKey(n));
    value[value.size() - 2 * storage::kHashBytes - 1] ^= 0x01;
    db.Put("entries", storage::EncodeSequenceKey(n), value);
  }

  bool forensic_ = false;
};

TEST_F(IntegrityTest, OldDamageIsFoundByTheScrubberAndStopsEveryWrite) {
  const std::string closed = Populate();
  const uint64_t head = Head();
  ASSERT_GT(head, 40u);
  ASSERT_TRUE(RestartAfter([](RawDb& db) { DamageEntry(db, 3); }).ok())
      << "entry 3 is older than the 16 the start checks";
  EXPECT_TRUE(Serving("cradle.v1.Manifests"));

  ASSERT_TRUE(server_->Scrub(/*deep=*/false).ok());
  const v1::IntegrityStatus status = server_->Integrity();
  EXPECT_TRUE(status.damaged());
  EXPECT_EQ(status.found_by(), "scrubber");
  EXPECT_THAT(status.problem(), HasSubstr("entry 3"));

  // No write extends a chain known to be broken.
  WriteReply r;
  grpc::Status refused = Open(OpenRequest(), &r);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(refused.error_message(), HasSubstr("found the ledger damaged"));
  EXPECT_EQ(Head(), head);
  EXPECT_FALSE(Serving("cradle.v1.Manifests"));
  EXPECT_FALSE(Serving("cradle.v1.Transfers"));
  EXPECT_TRUE(Serving("cradle.v1.Audit"));
  // Reads still work, and regulators see the alarm as a flag.
  EXPECT_EQ(Get(closed).status(), v1::MANIFEST_STATUS_CLOSED);
  const v1::ListFlagsResponse flags = RegulatorFlags();
  ASSERT_FALSE(flags.flags().empty());
  EXPECT_EQ(flags.flags(0).kind(), v1::FLAG_KIND_LEDGER_DAMAGED);
  EXPECT_THAT(flags.flags(0).detail(), HasSubstr("entry 3"));
  {
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    v1::GetTreeHeadResponse sth;
    EXPECT_EQ(
        audit_->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &sth).error_code(),
        grpc::StatusCode::FAILED_PRECONDITION);
  }

  // The alarm outlives a restart: the server refuses to start...
  server_.reset();
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("ledger") + "/" +
                                      services::LedgerGuard::kAlarmFile));
  EXPECT_THAT(TryStart(), StatusIs(absl::StatusCode::kDataLoss,
                                   HasSubstr("the scrubber found the ledger "
                                             "damaged")));
  // ...but serves it for inspection when asked to.
  forensic_ = true;
  ASSERT_TRUE(TryStart().ok());
  EXPECT_TRUE(server_->Integrity().forensic());
  EXPECT_EQ(Get(closed).status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_EQ(Open(OpenRequest(), &r).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_FALSE(Serving("cradle.v1.Manifests"));
}

TEST_F(IntegrityTest, ADeepScrubFindsAnOldManifestsRewrittenState) {
  const std::string closed = Populate();
  ASSERT_TRUE(RestartAfter([&](RawDb& db) {
                const std::string key = services::keys::ManifestState(closed);
                v1::Manifest m;
                ASSERT_TRUE(m.ParseFromString(db.Get("state", key)));
                m.set_receiver(kAltReceiver);
                db.Put("state", key, m.SerializeAsString());
              }).ok());
  ASSERT_TRUE(server_->Scrub(/*deep=*/false).ok());
  EXPECT_FALSE(server_->Integrity().damaged()) << "the chain is intact";
  ASSERT_TRUE(server_->Scrub(/*deep=*/true).ok());
  const v1::IntegrityStatus status = server_->Integrity();
  EXPECT_TRUE(status.damaged());
  EXPECT_THAT(status.problem(), HasSubstr("stream " + closed));
  EXPECT_THAT(status.problem(), HasSubstr("receiver"));
}

TEST_F(IntegrityTest, AStartRefusesARewrittenStateOfARecentManifest) {
  Populate();
  const std::string last = OpenOne();
  EXPECT_THAT(RestartAfter([&](RawDb& db) {
                const std::string key = services::keys::ManifestState(last);
                v1::Manifest m;
                ASSERT_TRUE(m.ParseFromString(db.Get("state", key)));
                m.mutable_lines(0)->set_quantity_g(1);
                db.Put("state", key, m.SerializeAsString());
              }),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("stream " + last + ": state manifest/" + last +
                                 ": lines[0].quantity_g is 1")));
}

TEST_F(IntegrityTest, AStartRefusesALedgerRolledBackBelowASignedHead) {
  Populate();
  server_.reset();
  // A copy of the ledger as it was, put back later over newer entries.
  const std::string copy = dir_.Sub("copy");
  std::filesystem::copy(dir_.Sub("ledger"), copy,
                        std::filesystem::copy_options::recursive);
  ASSERT_TRUE(TryStart().ok());
  OpenOne();
  OpenOne();
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::GetTreeHeadResponse sth;
    ASSERT_TRUE(audit_->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &sth).ok());
  }
  server_.reset();  // keeps the signed head
  const std::string kept = dir_.Sub("ledger") + "/signed-head";
  ASSERT_TRUE(std::filesystem::exists(kept));
  std::filesystem::copy_file(kept, copy + "/signed-head");
  std::filesystem::remove_all(dir_.Sub("ledger"));
  std::filesystem::rename(copy, dir_.Sub("ledger"));
  EXPECT_THAT(TryStart(), StatusIs(absl::StatusCode::kDataLoss,
                                   HasSubstr("entries were removed")));
}

TEST_F(IntegrityTest, AForgedSignedHeadRefusesTheStart) {
  Populate();
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::GetTreeHeadResponse sth;
    ASSERT_TRUE(audit_->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &sth).ok());
  }
  server_.reset();
  v1::SignedTreeHead forged;
  {
    absl::StatusOr<std::string> kept =
        ReadAll(dir_.Sub("ledger") + "/signed-head");
    ASSERT_TRUE(kept.ok());
    ASSERT_TRUE(forged.ParseFromString(*kept));
    forged.set_tree_size(forged.tree_size() - 1);
    std::ofstream out(dir_.Sub("ledger") + "/signed-head", std::ios::binary);
    out << forged.SerializeAsString();
  }
  EXPECT_THAT(TryStart(), StatusIs(absl::StatusCode::kDataLoss,
                                   HasSubstr("not a tree head signed by this "
                                             "server's key")));
}

TEST_F(IntegrityTest, DeepVerificationStreamsItsProgressAndItsFinding) {
  const std::string closed = Populate();
  auto verify = [&]() {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    std::unique_ptr<grpc::ClientReader<v1::VerifyDeepProgress>> reader =
        audit_->VerifyDeep(&ctx, v1::VerifyDeepRequest());
    v1::VerifyDeepProgress msg, last;
    int messages = 0;
    while (reader->Read(&msg)) {
      last = msg;
      ++messages;
    }
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_GE(messages, 1);
    EXPECT_TRUE(last.done());
    return last;
  };
  v1::VerifyDeepProgress healthy = verify();
  EXPECT_TRUE(healthy.ok()) << healthy.problem();
  EXPECT_EQ(healthy.head_sequence(), Head());
  EXPECT_GT(healthy.streams(), 20u);

  ASSERT_TRUE(RestartAfter([&](RawDb& db) {
                db.Delete("index",
                          services::keys::PartyPrefix(kReceiver) + closed);
              }).ok());
  v1::VerifyDeepProgress damaged = verify();
  EXPECT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.stream(), closed);
  EXPECT_THAT(damaged.problem(), HasSubstr("is missing"));
  EXPECT_TRUE(server_->Integrity().damaged());
  EXPECT_EQ(server_->Integrity().found_by(), "verify");

  // A party may not run it.
  grpc::ClientContext ctx;
  As(&ctx, kGenerator);
  std::unique_ptr<grpc::ClientReader<v1::VerifyDeepProgress>> reader =
      audit_->VerifyDeep(&ctx, v1::VerifyDeepRequest());
  v1::VerifyDeepProgress msg;
  while (reader->Read(&msg)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace cradle::testing
