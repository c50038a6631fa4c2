// Deep verification over a ledger a real server wrote: every stream replayed
// through the domain's Apply matches what is stored, and each kind of
// rewritten derived data is found and named.

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/ledger/v1/events.pb.h"
#include "services/deep_verify.h"
#include "services/keys.h"
#include "services/ledger_check.h"
#include "storage/entry_codec.h"
#include "storage/rocksdb_ledger.h"
#include "tests/integration/server_fixture.h"
#include "tests/storage/raw_db.h"

namespace cradle::testing {
namespace {

using ::cradle::testing::WriteReply;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class DeepVerifyTest : public ServerFixture {
 protected:
  // Manifests in every shape the projection has: closed, relayed,
  // partly rejected and rerouted, cross-city, overdue and flagged, paid;
  // one left in transit with its deadline running; a revoked credential.
  void SetUp() override {
    ServerFixture::SetUp();
    WriteReply r;
    closed_ = OpenOne();
    ASSERT_TRUE(Pickup(closed_, kCarrier, kCarrierPlate, &r).ok());
    ASSERT_TRUE(Relay(closed_, kCarrier, kRelayCarrier, kRelayPlate, &r).ok());
    ASSERT_TRUE(Deliver(closed_, kReceiver, &r).ok());
    ASSERT_TRUE(Receive(closed_, kReceiver,
                        {Accept(1, 1000 * 1000), Accept(2, 250 * 1000)}, &r)
                    .ok());
    ASSERT_TRUE(Dispose(closed_, kReceiver,
                        {Dispose(1, 1000 * 1000), Dispose(2, 250 * 1000)}, &r)
                    .ok());

    rejected_ = OpenOne();
    ASSERT_TRUE(Pickup(rejected_, kCarrier, kCarrierPlate, &r).ok());
    ASSERT_TRUE(Deliver(rejected_, kReceiver, &r).ok());
    ASSERT_TRUE(Receive(rejected_, kReceiver,
                        {Accept(1, 800 * 1000), Reject(1, 200 * 1000),
                         Accept(2, 250 * 1000)},
                        &r)
                    .ok());
    v1::RerouteRequest reroute;
    *reroute.mutable_meta() = Meta();
    reroute.set_number(rejected_);
    reroute.set_generator(kGenerator);
    reroute.set_to(kAltReceiver);  // in Hangzhou: a cross-city leg
    reroute.set_carrier(kCarrier);
    reroute.set_vehicle(kCarrierPlate);
    {
      grpc::ClientContext ctx;
      As(&ctx, kGenerator);
      ASSERT_TRUE(Write(&ctx, reroute, &r).ok());
    }

    in_transit_ = OpenOne();
    ASSERT_TRUE(Pickup(in_transit_, kCarrier, kCarrierPlate, &r).ok());
    clock_.Advance(absl::Hours(100));  // past the 72 h transit limit
    ASSERT_TRUE(server_->Sweep().ok());
    ASSERT_FALSE(Get(in_transit_).flags().empty());

    v1::RecordPaymentRequest pay;
    *pay.mutable_meta() = Meta();
    pay.set_number(closed_);
    pay.set_payer(kGenerator);
    pay.set_payee(kCarrier);
    pay.set_amount_fen(380050);
    {
      grpc::ClientContext ctx;
      As(&ctx, kGenerator);
      ASSERT_TRUE(Write(&ctx, pay, &r).ok());
    }

    v1::RevokeCredentialRequest revoke;
    *revoke.mutable_meta() = Meta();
    revoke.set_id(creds_[kThirdCarrier].id);
    revoke.set_reason("driver left the company");
    {
      grpc::ClientContext ctx;
      As(&ctx, kAdmin);
      v1::RevokeCredentialResponse out;
      ASSERT_TRUE(credentials_->Revoke(&ctx, revoke, &out).ok());
    }
    server_.reset();
  }

  // `max_open`: how many streams the pass in sequence order holds at once;
  // with 0, every stream of more than one entry is replayed by itself,
  // through its index.
  absl::StatusOr<services::DeepReport> CheckAll(
      size_t max_open = services::DeepVerifier::kMaxOpenStreams) {
    storage::RocksDbLedger::Options read_only;
    read_only.read_only = true;
    absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
        storage::RocksDbLedger::Open(dir_.Sub("ledger"), read_only);
    if (!ledger.ok()) return ledger.status();
    services::DeepVerifier verifier(**ledger, domain::FlagConfig(), max_open);
    return verifier.CheckAll();
  }

  absl::StatusOr<services::DeepReport> CheckStream(const std::string& stream) {
    storage::RocksDbLedger::Options read_only;
    read_only.read_only = true;
    absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
        storage::RocksDbLedger::Open(dir_.Sub("ledger"), read_only);
    if (!ledger.ok()) return ledger.status();
    services::DeepVerifier verifier(**ledger, domain::FlagConfig());
    return verifier.CheckStream(stream);
  }

  // The whole check (services/ledger_check.h) of the ledger opened read-only
  // with a short checked tail, so that it opens whatever the damage; the
  // phases it reports progress in go to `phases`.
  absl::StatusOr<services::CheckResult> CheckWhole(
      bool deep, uint64_t step, std::vector<std::string>* phases = nullptr) {
    storage::RocksDbLedger::Options read_only;
    read_only.read_only = true;
    read_only.verify_tail_on_open = 1;
    absl::StatusOr<std::unique_ptr<storage::RocksDbLedger>> ledger =
        storage::RocksDbLedger::Open(dir_.Sub("ledger"), read_only);
    if (!ledger.ok()) return ledger.status();
    services::CheckOptions options;
    options.deep = deep;
    options.step = step;
    options.pace = [phases](const services::CheckProgress& p) {
      if (phases != nullptr && (phases->empty() || phases->back() != p.phase)) {
        phases->push_back(p.phase);
      }
      return true;
    };
    return services::CheckLedger(**ledger, domain::FlagConfig(), options);
  }

  // Rewrites `closed_`'s state: damage only the replay finds.
  void RewriteClosedState() {
    RawDb db(dir_.Sub("ledger"));
    v1::Manifest m;
    ASSERT_TRUE(m.ParseFromString(
        db.Get("state", services::keys::ManifestState(closed_))));
    m.set_receiver(kAltReceiver);
    db.Put("state", services::keys::ManifestState(closed_),
           m.SerializeAsString());
  }

  // Found by the pass in sequence order, and by the streams replayed by
  // themselves.
  void ExpectFound(const std::string& stream, const std::string& problem) {
    for (size_t max_open :
         {services::DeepVerifier::kMaxOpenStreams, size_t{0}}) {
      SCOPED_TRACE(max_open);
      ExpectFoundHolding(max_open, stream, problem);
    }
  }

  void ExpectFoundHolding(size_t max_open, const std::string& stream,
                          const std::string& problem) {
    absl::StatusOr<services::DeepReport> r = CheckAll(max_open);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->stream, stream);
    EXPECT_THAT(r->problem, HasSubstr(problem));
  }

  // The stream index's keys of `stream`, in version order.
  static std::vector<std::string> StreamKeys(RawDb& db,
                                             const std::string& stream) {
    return db.Keys("streams", stream + std::string(1, '\0'));
  }

  // The stream index's key of `stream`'s entry `version`.
  static std::string StreamKey(const std::string& stream, uint64_t version) {
    return stream + std::string(1, '\0') + storage::EncodeSequenceKey(version);
  }

  std::string closed_, rejected_, in_transit_;
};

TEST_F(DeepVerifyTest, WhatTheServerWroteIsWhatItsEntriesMake) {
  absl::StatusOr<services::DeepReport> r = CheckAll();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok) << r->stream << ": " << r->problem;
  EXPECT_THAT(r->notes, IsEmpty());
  // 3 manifests, 6 enterprises, the credentials.
  EXPECT_GE(r->streams, 3u + 6u + 10u);
  EXPECT_GT(r->entries, 30u);
  EXPECT_GT(r->keys, r->streams);

  // Holding one stream at a time, or none, streams are replayed by
  // themselves: the same streams, entries and keys.
  for (size_t max_open : {size_t{0}, size_t{1}}) {
    SCOPED_TRACE(max_open);
    absl::StatusOr<services::DeepReport> held = CheckAll(max_open);
    ASSERT_TRUE(held.ok()) << held.status();
    EXPECT_TRUE(held->ok) << held->stream << ": " << held->problem;
    EXPECT_EQ(held->streams, r->streams);
    EXPECT_EQ(held->entries, r->entries);
    EXPECT_EQ(held->keys, r->keys);
  }
}

TEST_F(DeepVerifyTest, AnEntryOutOfItsStreamsOrderIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    const std::string at = db.Get("streams", StreamKey(closed_, 3));
    absl::StatusOr<storage::Entry> e =
        storage::DecodeStoredEntry(db.Get("entries", at));
    ASSERT_TRUE(e.ok()) << e.status();
    e->stream_version = 4;
    db.Put("entries", at, storage::EncodeStoredEntry(*e));
  }
  ExpectFoundHolding(services::DeepVerifier::kMaxOpenStreams, closed_,
                     "is version 4; the entries before it make it version 3");
  // Read through its index, the stream says where the entry is listed.
  ExpectFoundHolding(0, closed_, "as version 3");
}

TEST_F(DeepVerifyTest, AStreamIndexListingAnEntryTooManyIsFound) {
  size_t versions = 0;
  {
    RawDb db(dir_.Sub("ledger"));
    const std::vector<std::string> keys = StreamKeys(db, closed_);
    versions = keys.size();
    ASSERT_GT(versions, 3u);
    db.Put("streams", StreamKey(closed_, versions + 1),
           db.Get("streams", keys.back()));
  }
  ExpectFoundHolding(
      services::DeepVerifier::kMaxOpenStreams, closed_,
      absl::StrCat("the stream index lists its entries to "
                   "version ",
                   versions + 1, "; the ledger holds ", versions));
}

TEST_F(DeepVerifyTest, AnEntryPastItsStreamsListedEndIsFound) {
  size_t versions = 0;
  {
    RawDb db(dir_.Sub("ledger"));
    const std::vector<std::string> keys = StreamKeys(db, closed_);
    versions = keys.size();
    ASSERT_GT(versions, 3u);
    db.Delete("streams", keys.back());
  }
  ExpectFoundHolding(services::DeepVerifier::kMaxOpenStreams, closed_,
                     absl::StrCat("is version ", versions,
                                  "; the stream index lists its entries to "
                                  "version ",
                                  versions - 1));
}

TEST_F(DeepVerifyTest, AStreamListedWithNoEntryIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    db.Put("streams", StreamKey("enterprise/ghost", 1),
           storage::EncodeSequenceKey(1));
  }
  ExpectFoundHolding(
      services::DeepVerifier::kMaxOpenStreams, "enterprise/ghost",
      "the stream index lists its entries to version 1; the ledger "
      "holds none");
}

TEST_F(DeepVerifyTest, EntriesOfAnUnlistedStreamAreFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    for (const std::string& key : StreamKeys(db, in_transit_)) {
      db.Delete("streams", key);
    }
  }
  ExpectFoundHolding(services::DeepVerifier::kMaxOpenStreams, in_transit_,
                     "is of a stream the stream index does not list");
}

TEST_F(DeepVerifyTest, ARewrittenManifestStateIsNamedToTheField) {
  {
    RawDb db(dir_.Sub("ledger"));
    v1::Manifest m;
    ASSERT_TRUE(m.ParseFromString(
        db.Get("state", services::keys::ManifestState(closed_))));
    m.set_receiver(kAltReceiver);  // swap the receiver
    db.Put("state", services::keys::ManifestState(closed_),
           m.SerializeAsString());
  }
  ExpectFound(closed_, "receiver is \"" + kAltReceiver +
                           "\", the entries make it \"" + kReceiver + "\"");
  absl::StatusOr<services::DeepReport> one = CheckStream(closed_);
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->ok);
  EXPECT_THAT(one->problem, HasSubstr("receiver"));
}

TEST_F(DeepVerifyTest, ARewrittenEnterpriseIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    const std::string key = services::keys::EnterpriseState(kReceiver);
    v1::Enterprise e;
    ASSERT_TRUE(e.ParseFromString(db.Get("state", key)));
    e.mutable_licences(0)->set_capacity_kg(999999999);
    db.Put("state", key, e.SerializeAsString());
  }
  ExpectFound("enterprise/" + kReceiver, "licences[0].capacity_kg");
}

TEST_F(DeepVerifyTest, ARemovedIndexKeyIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    db.Delete(
        "index",
        services::keys::StatusPrefix(v1::MANIFEST_STATUS_CLOSED) + closed_);
  }
  ExpectFound(closed_, "index key m/status/CLOSED/" + closed_ + " is missing");
}

TEST_F(DeepVerifyTest, AnIndexKeyMovedWithinItsFamilyIsFound) {
  // As many keys of the family as before: only comparing the keys
  // themselves tells.
  {
    RawDb db(dir_.Sub("ledger"));
    const std::string prefix =
        services::keys::StatusPrefix(v1::MANIFEST_STATUS_CLOSED);
    db.Delete("index", prefix + closed_);
    db.Put("index", prefix + "20263304999999", "");
  }
  ExpectFound(closed_, "index key m/status/CLOSED/" + closed_ + " is missing");
}

TEST_F(DeepVerifyTest, AnIndexValueChangedInPlaceIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    db.Put("index",
           services::keys::StatusPrefix(v1::MANIFEST_STATUS_CLOSED) + closed_,
           "x");
  }
  ExpectFound(closed_, "index key m/status/CLOSED/" + closed_ +
                           " holds \"x\", the entries make \"\"");
}

TEST_F(DeepVerifyTest, StateInOtherBytesWithTheSameFieldsIsNoDamage) {
  // A field given twice parses to the same manifest (the last wins), so
  // its bytes differ from what the entries make while no field does.
  {
    RawDb db(dir_.Sub("ledger"));
    const std::string key = services::keys::ManifestState(closed_);
    v1::Manifest number_again;
    number_again.set_number(closed_);
    db.Put("state", key,
           db.Get("state", key) + number_again.SerializeAsString());
  }
  absl::StatusOr<services::DeepReport> r = CheckAll();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok) << r->stream << ": " << r->problem;
  EXPECT_THAT(r->notes, ElementsAre(HasSubstr("not in any field")));
}

TEST_F(DeepVerifyTest, AnAddedIndexKeyIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    db.Put("index", services::keys::PartyPrefix(kAltReceiver) + closed_, "");
  }
  ExpectFound("", "the index holds");
}

TEST_F(DeepVerifyTest, AChangedCounterIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    const std::vector<std::string> flows = db.Keys("index", "flow/");
    ASSERT_FALSE(flows.empty());
    db.Put("index", flows[0], storage::EncodeSequenceKey(1));
  }
  ExpectFound("", "counter flow/");
}

TEST_F(DeepVerifyTest, AChangedAcceptedCounterIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    const std::vector<std::string> used = db.Keys("state", "used/");
    ASSERT_FALSE(used.empty());
    db.Delete("state", used[0]);
  }
  ExpectFound("", "is missing; the entries make");
}

TEST_F(DeepVerifyTest, AnAddedStateValueIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    v1::Manifest ghost;
    ghost.set_number("20263304999999");
    db.Put("state", services::keys::ManifestState(ghost.number()),
           ghost.SerializeAsString());
  }
  ExpectFound("", "the state holds");
}

TEST_F(DeepVerifyTest, ARemovedDeadlineIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    const std::vector<std::string> due = db.Keys("index", "due/");
    ASSERT_FALSE(due.empty());
    db.Delete("index", due[0]);
  }
  ExpectFound("", "(a running deadline) is missing");
}

TEST_F(DeepVerifyTest, ARevokedCredentialMadeValidAgainIsFound) {
  {
    RawDb db(dir_.Sub("ledger"));
    const std::string key =
        services::keys::CredentialState(creds_[kThirdCarrier].id);
    ledger::v1::CredentialEvent state;
    ASSERT_TRUE(state.ParseFromString(db.Get("state", key)));
    ASSERT_TRUE(state.issued().revoked());
    state.mutable_issued()->set_revoked(false);
    db.Put("state", key, state.SerializeAsString());
  }
  ExpectFound("credential/" + creds_[kThirdCarrier].id,
              "issued.revoked is unset, the entries make it true");
}

// The whole check, deep: the chain and the derived data a step at a time,
// the storage, then the replay, which finds what it finds by itself.
TEST_F(DeepVerifyTest, TheWholeCheckReplaysWhatTheChainCheckPassed) {
  absl::StatusOr<services::DeepReport> apart = CheckAll();
  ASSERT_TRUE(apart.ok()) << apart.status();
  for (uint64_t step : {uint64_t{1}, uint64_t{7}, uint64_t{10000}}) {
    SCOPED_TRACE(step);
    std::vector<std::string> phases;
    absl::StatusOr<services::CheckResult> r =
        CheckWhole(/*deep=*/true, step, &phases);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->ok) << r->phase << ": " << r->problem;
    EXPECT_EQ(r->streams, apart->streams);
    EXPECT_EQ(r->keys, apart->keys);
    EXPECT_THAT(phases, ElementsAre("chain", "storage", "projections"));
    phases.clear();
    absl::StatusOr<services::CheckResult> plain =
        CheckWhole(/*deep=*/false, step, &phases);
    ASSERT_TRUE(plain.ok()) << plain.status();
    EXPECT_TRUE(plain->ok) << plain->phase << ": " << plain->problem;
    EXPECT_EQ(plain->head.sequence, r->head.sequence);
    EXPECT_THAT(phases, ElementsAre("chain", "storage"));
  }
}

TEST_F(DeepVerifyTest, TheWholeCheckNamesARewrittenStateAsAProjection) {
  RewriteClosedState();
  absl::StatusOr<services::CheckResult> r = CheckWhole(/*deep=*/true, 7);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->phase, "projections");
  EXPECT_EQ(r->stream, closed_);
  EXPECT_THAT(r->problem, HasSubstr("receiver"));
  // Not deep, nothing is wrong.
  absl::StatusOr<services::CheckResult> plain = CheckWhole(/*deep=*/false, 7);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_TRUE(plain->ok) << plain->problem;
}

TEST_F(DeepVerifyTest, TheWholeCheckNamesABrokenChainFirst) {
  RewriteClosedState();
  {
    // Entry 12's payload: the chain breaks there.
    RawDb db(dir_.Sub("ledger"));
    storage::Entry e = *storage::DecodeStoredEntry(
        db.Get("entries", storage::EncodeSequenceKey(12)));
    e.payload += "x";
    db.Put("entries", storage::EncodeSequenceKey(12),
           storage::EncodeStoredEntry(e));
  }
  for (uint64_t step : {uint64_t{1}, uint64_t{7}, uint64_t{10000}}) {
    SCOPED_TRACE(step);
    absl::StatusOr<services::CheckResult> r = CheckWhole(/*deep=*/true, step);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->phase, "chain");
    EXPECT_EQ(r->first_bad, 12u);
    EXPECT_THAT(r->problem, HasSubstr("content hashes to"));
  }
}

TEST_F(DeepVerifyTest, TheWholeCheckNamesDamagedStorageBeforeAProjection) {
  RewriteClosedState();
  {
    // A stream index key no entry accounts for.
    RawDb db(dir_.Sub("ledger"));
    db.Put("streams", StreamKey("nobody", 1),
           storage::EncodeSequenceKey(999999));
  }
  absl::StatusOr<services::CheckResult> r = CheckWhole(/*deep=*/true, 7);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->phase, "storage");
  EXPECT_THAT(r->problem, HasSubstr("points past the last entry"));
}

}  // namespace
}  // namespace cradle::testing
