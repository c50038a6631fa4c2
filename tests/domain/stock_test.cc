// The generator's stock ledger (HJ 1259-2022; docs/STOCK.md): records on a
// container's stream, what each refuses naming its field, what striking a
// record restores, the balance of a generator's containers against its
// manifests, and UNSTORED_CONTAINER at pickup.

#include "domain/stock.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "cradle/v1/container.pb.h"
#include "domain/container.h"
#include "domain/flags/engine.h"
#include "domain/lifecycle.h"
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
using ::cradle::testing::MakeEnterprise;
using ::cradle::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kWaste[] = "900-249-08";
constexpr char kNumber[] = "20263304000001";

std::string Code(int seq) {
  return FormatContainerCode(kGenerator, kWaste, absl::CivilDay(2026, 6, 2),
                             seq);
}

v1::WriteMeta Meta() {
  v1::WriteMeta meta;
  meta.set_idempotency_key("k");
  meta.set_device("PDA-07");
  *meta.mutable_device_time() = ToTimestamp(At(0));
  return meta;
}

v1::RecordStockRequest Request(const std::string& code, v1::StockMove move) {
  v1::RecordStockRequest r;
  *r.mutable_meta() = Meta();
  r.mutable_record()->set_code(code);
  r.mutable_record()->set_move(move);
  return r;
}

v1::RecordStockRequest Store(const std::string& code,
                             const std::string& facility) {
  v1::RecordStockRequest r = Request(code, v1::STOCK_MOVE_STORED);
  r.mutable_record()->set_facility(facility);
  return r;
}

v1::RecordStockRequest Use(const std::string& code) {
  v1::RecordStockRequest r = Request(code, v1::STOCK_MOVE_OWN_USE);
  r.mutable_record()->set_method("R4");
  return r;
}

v1::RecordStockRequest Adjust(const std::string& code, int64_t grams) {
  v1::RecordStockRequest r = Request(code, v1::STOCK_MOVE_ADJUSTED);
  r.mutable_record()->set_weight_g(grams);
  r.mutable_record()->set_reason("reweighed");
  return r;
}

v1::RecordStockRequest Revoke(const std::string& code, int record) {
  v1::RecordStockRequest r = Request(code, v1::STOCK_MOVE_REVOKED);
  r.mutable_record()->set_revokes(record);
  r.mutable_record()->set_reason("entered in error");
  return r;
}

class StockTest : public ::testing::Test {
 protected:
  StockTest() {
    registry_.Add(MakeEnterprise(kGenerator, "330402", v1::ROLE_GENERATOR));
    v1::Enterprise carrier =
        MakeEnterprise(kCarrier, "330421", v1::ROLE_TRANSPORTER);
    carrier.add_vehicles()->set_plate(kCarrierPlate);
    registry_.Add(carrier);
    v1::Enterprise receiver =
        MakeEnterprise(kReceiver, "330481", v1::ROLE_RECEIVER);
    v1::Licence* l = receiver.add_licences();
    l->set_number("3304000001");
    l->add_codes("HW08");
    l->set_capacity_kg(10000000);
    l->set_valid_until("2027-06-30");
    registry_.Add(receiver);
  }

  // Container `seq` of `kg`, registered at At(0) and kept in the registry
  // along with every event of its stream.
  v1::Container Register(int seq, int64_t kg = 200) {
    v1::RegisterContainerRequest r;
    *r.mutable_meta() = Meta();
    r.mutable_container()->set_code(Code(seq));
    r.mutable_container()->set_generator(kGenerator);
    r.mutable_container()->set_weight_g(kg * 1000);
    r.mutable_container()->set_packaging("铁桶");
    absl::StatusOr<ContainerDecision> d = DecideRegisterContainer(
        r, *registry_.GetEnterprise("generator", kGenerator), nullptr, {},
        At(0));
    EXPECT_TRUE(d.ok()) << d.status();
    streams_[Code(seq)].push_back(d->event);
    registry_.AddContainer(d->next);
    return d->next;
  }

  absl::StatusOr<v1::Container> Record(
      const v1::RecordStockRequest& r,
      v1::ManifestStatus listed_on = v1::MANIFEST_STATUS_UNSPECIFIED,
      absl::Time now = At(30)) {
    absl::StatusOr<v1::Container> c =
        registry_.GetContainer("code", r.record().code());
    if (!c.ok()) return c.status();
    absl::StatusOr<ContainerDecision> d = DecideRecordStock(
        r, *c, listed_on, *registry_.GetEnterprise("g", c->generator()), now);
    if (!d.ok()) return d.status();
    streams_[c->code()].push_back(d->event);
    registry_.AddContainer(d->next);
    return d->next;
  }

  // The container as its stream replays, event by event.
  v1::Container Replayed(const std::string& code) {
    v1::Container c;
    for (const ledger::v1::ContainerEvent& e : streams_[code]) {
      c = ApplyContainerEvent(c, e, At(999));
    }
    return c;
  }

  testing::FakeRegistry registry_;
  std::map<std::string, std::vector<ledger::v1::ContainerEvent>> streams_;
};

TEST_F(StockTest, AStoredContainerIsInItsFacilityAndReplaysSo) {
  Register(1);
  absl::StatusOr<v1::Container> c = Record(Store(Code(1), "贮存库1"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->stock(), v1::STOCK_STATE_STORED);
  EXPECT_EQ(c->facility(), "贮存库1");
  EXPECT_EQ(FromTimestamp(c->stored_at()), At(30));  // unset at: now
  ASSERT_THAT(c->records(), SizeIs(1));
  EXPECT_EQ(c->records(0).number(), 2);  // record 1 is the registration
  EXPECT_EQ(ContainerVersion(*c), 2);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      Replayed(Code(1)), *c));
}

TEST_F(StockTest, RefusesEachBadRecordNamingItsField) {
  Register(1);
  struct Case {
    v1::RecordStockRequest request;
    absl::StatusCode code;
    std::string says;
  };
  v1::RecordStockRequest unnamed_move =
      Request(Code(1), v1::STOCK_MOVE_UNSPECIFIED);
  v1::RecordStockRequest method_on_store = Store(Code(1), "F1");
  method_on_store.mutable_record()->set_method("R4");
  v1::RecordStockRequest weight_on_use = Use(Code(1));
  weight_on_use.mutable_record()->set_weight_g(5);
  v1::RecordStockRequest reason_on_store = Store(Code(1), "F1");
  reason_on_store.mutable_record()->set_reason("x");
  v1::RecordStockRequest no_method = Use(Code(1));
  no_method.mutable_record()->clear_method();
  v1::RecordStockRequest bad_method = Use(Code(1));
  bad_method.mutable_record()->set_method("X99");
  v1::RecordStockRequest no_reason = Adjust(Code(1), 150000);
  no_reason.mutable_record()->clear_reason();
  v1::RecordStockRequest ahead = Store(Code(1), "F1");
  *ahead.mutable_record()->mutable_at() = ToTimestamp(At(60));
  v1::RecordStockRequest before_filled = Store(Code(1), "F1");
  *before_filled.mutable_record()->mutable_at() =
      ToTimestamp(At(0) - absl::Hours(48));
  v1::RecordStockRequest long_device = Store(Code(1), "F1");
  long_device.mutable_meta()->set_device(std::string(65, 'D'));
  const std::vector<Case> cases = {
      {unnamed_move, absl::StatusCode::kInvalidArgument, "record.move"},
      {Store(Code(1), ""), absl::StatusCode::kInvalidArgument,
       "record.facility"},
      {Store(Code(1), std::string(65, 'F')), absl::StatusCode::kInvalidArgument,
       "record.facility"},
      {method_on_store, absl::StatusCode::kInvalidArgument,
       "record.method is for OWN_USE"},
      {weight_on_use, absl::StatusCode::kInvalidArgument,
       "record.weight_g is for ADJUSTED"},
      {reason_on_store, absl::StatusCode::kInvalidArgument, "record.reason"},
      {no_method, absl::StatusCode::kInvalidArgument, "record.method"},
      {bad_method, absl::StatusCode::kInvalidArgument, "record.method"},
      {Adjust(Code(1), 0), absl::StatusCode::kInvalidArgument,
       "record.weight_g"},
      {Adjust(Code(1), kMaxContainerGrams + 1),
       absl::StatusCode::kInvalidArgument, "record.weight_g"},
      {Adjust(Code(1), 200000), absl::StatusCode::kInvalidArgument,
       "already its weight"},
      {no_reason, absl::StatusCode::kInvalidArgument, "record.reason"},
      {Revoke(Code(1), 0), absl::StatusCode::kInvalidArgument,
       "record.revokes"},
      {Revoke(Code(1), 2), absl::StatusCode::kInvalidArgument,
       "record.revokes 2 names no record"},
      {ahead, absl::StatusCode::kInvalidArgument, "record.at"},
      {before_filled, absl::StatusCode::kInvalidArgument, "record.at"},
      {Store(Code(2), "F1"), absl::StatusCode::kInvalidArgument, "record.code"},
      {long_device, absl::StatusCode::kInvalidArgument, "meta.device"},
  };
  const v1::Container c = *registry_.GetContainer("code", Code(1));
  for (const Case& k : cases) {
    EXPECT_THAT(
        DecideRecordStock(k.request, c, v1::MANIFEST_STATUS_UNSPECIFIED,
                          *registry_.GetEnterprise("g", kGenerator), At(30)),
        StatusIs(k.code, HasSubstr(k.says)))
        << k.request.ShortDebugString();
  }
}

TEST_F(StockTest, StoringAgainMovesButKeepsWhenItWasFirstStored) {
  Register(1);
  ASSERT_TRUE(Record(Store(Code(1), "F1"), {}, At(30)).ok());
  EXPECT_THAT(Record(Store(Code(1), "F1"), {}, At(40)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("already in F1")));
  absl::StatusOr<v1::Container> moved =
      Record(Store(Code(1), "F2"), {}, At(50));
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->facility(), "F2");
  EXPECT_EQ(FromTimestamp(moved->stored_at()), At(30));
}

TEST_F(StockTest, AManifestClosesWhatItsContainersMayRecord) {
  Register(1);
  ASSERT_TRUE(Record(Store(Code(1), "F1")).ok());
  registry_.SetContainerManifest(Code(1), kNumber);
  v1::Container listed = *registry_.GetContainer("code", Code(1));
  listed.set_manifest(kNumber);
  registry_.AddContainer(listed);
  // Listed but not yet picked up: it may still be booked, not used or
  // reweighed, and its registration stands.
  EXPECT_THAT(Record(Use(Code(1)), v1::MANIFEST_STATUS_ISSUED),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is on manifest")));
  EXPECT_THAT(Record(Adjust(Code(1), 150000), v1::MANIFEST_STATUS_ISSUED),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("counts its weight")));
  EXPECT_THAT(Record(Revoke(Code(1), 1), v1::MANIFEST_STATUS_DRAFT),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("record.revokes 1")));
  EXPECT_TRUE(Record(Store(Code(1), "F2"), v1::MANIFEST_STATUS_ISSUED).ok());
  // Picked up: nothing more.
  for (v1::ManifestStatus s :
       {v1::MANIFEST_STATUS_IN_TRANSIT, v1::MANIFEST_STATUS_CLOSED}) {
    EXPECT_THAT(Record(Store(Code(1), "F3"), s),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr("records are closed")));
  }
}

TEST_F(StockTest, StrikingARecordRestoresWhatItChanged) {
  Register(1, 200);
  ASSERT_TRUE(Record(Store(Code(1), "F1")).ok());             // 2
  ASSERT_TRUE(Record(Adjust(Code(1), 185000)).ok());          // 3
  absl::StatusOr<v1::Container> used = Record(Use(Code(1)));  // 4
  ASSERT_TRUE(used.ok()) << used.status();
  EXPECT_EQ(used->stock(), v1::STOCK_STATE_OWN_USE);
  EXPECT_EQ(used->weight_g(), 185000);
  EXPECT_EQ(used->facility(), "F1");  // where it was used from
  EXPECT_THAT(Record(Store(Code(1), "F2")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("used by its generator")));

  absl::StatusOr<v1::Container> c = Record(Revoke(Code(1), 4));  // 5
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->stock(), v1::STOCK_STATE_STORED);
  c = Record(Revoke(Code(1), 3));  // 6
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->weight_g(), 200000);  // the label's again
  EXPECT_TRUE(c->records(1).revoked());
  EXPECT_TRUE(c->records(2).revoked());
  EXPECT_THAT(Record(Revoke(Code(1), 3)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("already struck")));
  EXPECT_THAT(Record(Revoke(Code(1), 5)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("itself a revocation")));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      Replayed(Code(1)), *c));
}

TEST_F(StockTest, StrikingARefillsRegistrationLetsItsSourcesGo) {
  // A collector's container filled from two collected drums.
  v1::Container refill = Register(1);
  refill.add_sources(Code(7));
  refill.add_sources(Code(8));
  registry_.AddContainer(refill);
  EXPECT_TRUE(HoldsSources(refill));

  absl::StatusOr<v1::Container> c = Record(Revoke(Code(1), 1));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->stock(), v1::STOCK_STATE_VOID);
  ASSERT_THAT(c->records(), SizeIs(1));
  EXPECT_TRUE(c->records(0).frees_sources());
  EXPECT_TRUE(streams_[Code(1)].back().stock().frees_sources());
  EXPECT_FALSE(HoldsSources(*c));

  // Striking another record of it, or any record of a container without
  // sources, frees nothing.
  Register(2);
  ASSERT_TRUE(Record(Revoke(Code(2), 1)).ok());
  EXPECT_FALSE(streams_[Code(2)].back().stock().frees_sources());
  v1::Container stored = Register(3);
  stored.add_sources(Code(9));
  registry_.AddContainer(stored);
  ASSERT_TRUE(Record(Store(Code(3), "F1")).ok());
  c = Record(Revoke(Code(3), 2));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(streams_[Code(3)].back().stock().frees_sources());
  EXPECT_TRUE(HoldsSources(*c));

  // A refill struck before ledger v12 (no frees_sources) keeps them.
  v1::Container old = *c;
  v1::StockRecord* r = old.add_records();
  r->set_move(v1::STOCK_MOVE_REVOKED);
  r->set_revokes(1);
  EXPECT_TRUE(HoldsSources(old));
}

TEST_F(StockTest, AStruckRegistrationVoidsTheContainer) {
  Register(1);
  absl::StatusOr<v1::Container> c = Record(Revoke(Code(1), 1));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->stock(), v1::STOCK_STATE_VOID);
  EXPECT_THAT(
      Record(Store(Code(1), "F1")),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is void")));
  // And no manifest may list it, nor one used on site.
  Register(2);
  ASSERT_TRUE(Record(Use(Code(2))).ok());
  for (const auto& [code, says] :
       {std::pair{Code(1), "is void"},
        std::pair{Code(2), "used or disposed of by its generator"}}) {
    ledger::v1::WasteLine line;
    line.set_code(kWaste);
    line.add_containers(code);
    std::set<std::string> seen;
    EXPECT_THAT(
        CheckLineContainers("lines[0]", line, kGenerator, registry_, &seen),
        StatusIs(absl::StatusCode::kFailedPrecondition,
                 AllOf(HasSubstr("lines[0].containers[0]"), HasSubstr(says))));
  }
}

// The storage deadline (docs/STOCK.md): booked in on 2026-06-03, a
// container may be held 365 whole days; from the start of 2027-06-04 it is
// held past its limit.
absl::Time DueOfAt30() {
  return absl::FromCivil(absl::CivilDay(2027, 6, 4), ChinaTime());
}

TEST_F(StockTest, AContainerHeldPastItsLimitIsFlaggedOnceAndNotedByRegulators) {
  Register(1);
  absl::StatusOr<v1::Container> stored = Record(Store(Code(1), "贮存库1"));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->storage_limit_days(), kStorageLimitDays);
  EXPECT_EQ(stored->records(0).storage_limit_days(), kStorageLimitDays);
  const absl::Time due = DueOfAt30();
  ASSERT_EQ(StorageDeadline(*stored), due);
  // The deadline and the balance's "held past the limit" agree.
  const absl::Time since = FromTimestamp(stored->stored_at());
  EXPECT_FALSE(HeldPastStorageLimit(since, due - absl::Seconds(1)));
  EXPECT_TRUE(HeldPastStorageLimit(since, due));

  const v1::Enterprise generator = *registry_.GetEnterprise("g", kGenerator);
  EXPECT_FALSE(SweepStorage(*stored, v1::MANIFEST_STATUS_UNSPECIFIED, generator,
                            due - absl::Seconds(1))
                   .has_value());
  // On a manifest not yet picked up it is still in storage.
  v1::Container listed = *stored;
  listed.set_manifest(kNumber);
  absl::optional<ledger::v1::ContainerEvent> e =
      SweepStorage(listed, v1::MANIFEST_STATUS_ISSUED, generator, due);
  ASSERT_TRUE(e.has_value());
  ASSERT_TRUE(e->has_flag_raised());
  EXPECT_EQ(ContainerEventType(*e), "container.flag.raised");
  const ledger::v1::Flag& f = e->flag_raised();
  EXPECT_EQ(f.id(), Code(1) + "-F1");
  EXPECT_EQ(f.kind(), ledger::v1::FLAG_KIND_STOCK_OVERDUE);
  EXPECT_EQ(f.severity(), ledger::v1::SEVERITY_HIGH);
  EXPECT_EQ(f.container(), Code(1));
  EXPECT_EQ(f.manifest(), "");
  EXPECT_THAT(f.enterprises(), ::testing::ElementsAre(kGenerator));
  EXPECT_EQ(f.origin_county(), "330402");
  EXPECT_EQ(f.origin_city(), "3304");
  EXPECT_THAT(f.evidence(), ::testing::ElementsAre(2));  // the booking
  EXPECT_EQ(FromTimestamp(f.due_at()), due);
  EXPECT_THAT(f.detail(), AllOf(HasSubstr("贮存库1"), HasSubstr("2026-06-03"),
                                HasSubstr("365 days")));
  streams_[Code(1)].push_back(*e);
  v1::Container flagged = ApplyContainerEvent(*stored, *e, due);
  registry_.AddContainer(flagged);
  ASSERT_THAT(flagged.flags(), SizeIs(1));
  EXPECT_EQ(flagged.flags(0).state(), v1::FLAG_STATE_OPEN);
  EXPECT_EQ(ContainerVersion(flagged), 3);
  // Settled: no deadline runs, and no second flag however long it stays.
  EXPECT_FALSE(StorageDeadline(flagged).has_value());
  EXPECT_FALSE(SweepStorage(flagged, v1::MANIFEST_STATUS_UNSPECIFIED, generator,
                            due + absl::Hours(24 * 400))
                   .has_value());

  // Records after the flag take the stream's versions after it; the
  // flag's own version is no record to strike.
  absl::StatusOr<v1::Container> used =
      Record(Use(Code(1)), v1::MANIFEST_STATUS_UNSPECIFIED, due);
  ASSERT_TRUE(used.ok()) << used.status();
  EXPECT_EQ(used->records(1).number(), 4);
  EXPECT_THAT(Record(Revoke(Code(1), 3), v1::MANIFEST_STATUS_UNSPECIFIED, due),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("record.revokes 3 is not a stock record")));

  // A regulator acknowledges, then resolves; each is a version.
  ledger::v1::FlagNoted note;
  note.set_id(Code(1) + "-F1");
  note.set_by("浙江省生态环境厅");
  note.set_note("site visit booked");
  absl::StatusOr<ContainerDecision> acked =
      DecideContainerFlagNote(*used, note, v1::FLAG_STATE_ACKED, due);
  ASSERT_TRUE(acked.ok()) << acked.status();
  EXPECT_EQ(ContainerEventType(acked->event), "container.flag.acked");
  EXPECT_EQ(acked->next.flags(0).state(), v1::FLAG_STATE_ACKED);
  EXPECT_EQ(ContainerVersion(acked->next), 5);
  EXPECT_THAT(
      DecideContainerFlagNote(acked->next, note, v1::FLAG_STATE_ACKED, due),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("is ACKED; it cannot become ACKED")));
  ledger::v1::FlagNoted bad = note;
  bad.set_note(std::string(600, 'x'));
  EXPECT_THAT(
      DecideContainerFlagNote(acked->next, bad, v1::FLAG_STATE_RESOLVED, due),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("note")));
  bad = note;
  bad.set_id(Code(1) + "-F2");
  EXPECT_THAT(
      DecideContainerFlagNote(acked->next, bad, v1::FLAG_STATE_RESOLVED, due),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("-F2 does not exist")));
  streams_[Code(1)].push_back(acked->event);
  absl::StatusOr<ContainerDecision> resolved =
      DecideContainerFlagNote(acked->next, note, v1::FLAG_STATE_RESOLVED, due);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  streams_[Code(1)].push_back(resolved->event);
  EXPECT_EQ(resolved->next.flags(0).state(), v1::FLAG_STATE_RESOLVED);
  EXPECT_THAT(resolved->next.flags(0).history(), SizeIs(3));
  EXPECT_EQ(ContainerVersion(resolved->next), 6);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      Replayed(Code(1)), resolved->next));
}

TEST_F(StockTest, AContainerTakenAwayInTimeEndsItsDeadline) {
  Register(1);
  absl::StatusOr<v1::Container> stored = Record(Store(Code(1), "F1"));
  ASSERT_TRUE(stored.ok()) << stored.status();
  v1::Container listed = *stored;
  listed.set_manifest(kNumber);
  const v1::Enterprise generator = *registry_.GetEnterprise("g", kGenerator);
  absl::optional<ledger::v1::ContainerEvent> e = SweepStorage(
      listed, v1::MANIFEST_STATUS_IN_TRANSIT, generator, DueOfAt30());
  ASSERT_TRUE(e.has_value());
  ASSERT_TRUE(e->has_storage_ended());
  EXPECT_EQ(e->storage_ended().manifest(), kNumber);
  EXPECT_EQ(ContainerEventType(*e), "container.storage.ended");
  streams_[Code(1)].push_back(*e);
  const v1::Container ended = ApplyContainerEvent(*stored, *e, DueOfAt30());
  EXPECT_EQ(ended.storage_ended_on(), kNumber);
  EXPECT_THAT(ended.flags(), IsEmpty());
  EXPECT_EQ(ContainerVersion(ended), 3);
  EXPECT_FALSE(StorageDeadline(ended).has_value());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      Replayed(Code(1)), ended));
}

TEST_F(StockTest, ABookingUnderApprovedLongerStorageCarriesItsLimit) {
  v1::Enterprise generator = *registry_.GetEnterprise("g", kGenerator);
  v1::StorageExtension* x = generator.add_storage_extensions();
  x->set_document("嘉环贮延〔2026〕1号");
  x->set_days(730);
  x->set_valid_from("2026-06-01");
  x->set_valid_until("2026-06-30");
  v1::StorageExtension* shorter = generator.add_storage_extensions();
  *shorter = *x;
  shorter->set_document("嘉环贮延〔2026〕2号");
  shorter->set_days(500);
  EXPECT_EQ(StorageLimitDays(generator, absl::CivilDay(2026, 6, 3)), 730);
  EXPECT_EQ(StorageLimitDays(generator, absl::CivilDay(2026, 7, 1)),
            kStorageLimitDays);
  EXPECT_EQ(StorageLimitDays(generator, absl::CivilDay(2026, 5, 31)),
            kStorageLimitDays);
  registry_.Add(generator);

  Register(1);
  absl::StatusOr<v1::Container> stored = Record(Store(Code(1), "F1"));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->storage_limit_days(), 730);
  const absl::Time due =
      absl::FromCivil(absl::CivilDay(2028, 6, 3), ChinaTime());
  EXPECT_EQ(StorageDeadline(*stored), due);
  EXPECT_FALSE(SweepStorage(*stored, v1::MANIFEST_STATUS_UNSPECIFIED, generator,
                            DueOfAt30())
                   .has_value());
  absl::optional<ledger::v1::ContainerEvent> e =
      SweepStorage(*stored, v1::MANIFEST_STATUS_UNSPECIFIED, generator, due);
  ASSERT_TRUE(e.has_value());
  EXPECT_THAT(e->flag_raised().detail(), HasSubstr("730 days"));
}

TEST_F(StockTest, OnlyABookingThatSetALimitRunsADeadline) {
  // Booked in by a record written before ledger v11: no limit, no deadline,
  // so that old streams replay to the index they were written with.
  Register(1);
  ASSERT_TRUE(Record(Store(Code(1), "F1")).ok());
  streams_[Code(1)].back().mutable_stock()->clear_storage_limit_days();
  const v1::Container old = Replayed(Code(1));
  EXPECT_EQ(old.stock(), v1::STOCK_STATE_STORED);
  EXPECT_EQ(old.storage_limit_days(), 0);
  EXPECT_FALSE(StorageDeadline(old).has_value());
  EXPECT_FALSE(SweepStorage(old, v1::MANIFEST_STATUS_UNSPECIFIED,
                            *registry_.GetEnterprise("g", kGenerator),
                            DueOfAt30() + absl::Hours(24 * 1000))
                   .has_value());
  // Used on site, or its booking struck: nothing is held.
  Register(2);
  ASSERT_TRUE(Record(Store(Code(2), "F1")).ok());
  absl::StatusOr<v1::Container> used = Record(Use(Code(2)));
  ASSERT_TRUE(used.ok()) << used.status();
  EXPECT_FALSE(StorageDeadline(*used).has_value());
  Register(3);
  ASSERT_TRUE(Record(Store(Code(3), "F1")).ok());
  absl::StatusOr<v1::Container> struck = Record(Revoke(Code(3), 2));
  ASSERT_TRUE(struck.ok()) << struck.status();
  EXPECT_EQ(struck->stock(), v1::STOCK_STATE_UNSTORED);
  EXPECT_FALSE(StorageDeadline(*struck).has_value());
}

// A manifest numbered `number` in `status` listing `codes` on one line of
// `grams` (0: their sum, as opening fills it).
v1::Manifest ManifestOf(const std::string& number, v1::ManifestStatus status,
                        const std::vector<v1::Container>& listed,
                        int64_t grams = 0) {
  v1::Manifest m;
  m.set_number(number);
  m.set_status(status);
  v1::WasteLine* line = m.add_lines();
  line->set_code(kWaste);
  int64_t sum = 0;
  for (const v1::Container& c : listed) {
    line->add_containers(c.code());
    sum += c.weight_g();
  }
  line->set_quantity_g(grams == 0 ? sum : grams);
  return m;
}

TEST_F(StockTest, TheBalanceClosesByFacilityAndNamesWhatDoesNot) {
  // F1: one shipped, one held, one used on site; unstored: one held, one
  // shipped (a difference); F2: one held past the year.
  Register(1, 200);
  Register(2, 210);
  Register(3, 190);
  Register(4, 100);
  Register(5, 150);
  Register(6, 120);
  ASSERT_TRUE(Record(Store(Code(1), "F1")).ok());
  ASSERT_TRUE(Record(Store(Code(2), "F1")).ok());
  ASSERT_TRUE(Record(Store(Code(3), "F1")).ok());
  ASSERT_TRUE(Record(Use(Code(3))).ok());
  ASSERT_TRUE(Record(Store(Code(6), "F2")).ok());
  std::vector<v1::Container> all;
  for (int i = 1; i <= 6; ++i) {
    all.push_back(*registry_.GetContainer("code", Code(i)));
  }
  all[0].set_manifest("20263304000001");
  all[4].set_manifest("20263304000002");
  std::map<std::string, v1::Manifest> manifests;
  manifests["20263304000001"] =
      ManifestOf("20263304000001", v1::MANIFEST_STATUS_DISPOSED, {all[0]});
  // Weighed in bulk at 145 kg: 5 kg short of what left stock.
  manifests["20263304000002"] = ManifestOf(
      "20263304000002", v1::MANIFEST_STATUS_IN_TRANSIT, {all[4]}, 145000);

  const absl::Time a_year_on = At(30) + absl::Hours(24 * 367);
  const v1::GetStockResponse s = StockOf(all, manifests, a_year_on);
  ASSERT_THAT(s.balances(), SizeIs(3));
  const v1::StockBalance& unstored = s.balances(0);
  const v1::StockBalance& f1 = s.balances(1);
  const v1::StockBalance& f2 = s.balances(2);
  EXPECT_EQ(unstored.facility(), "");
  EXPECT_EQ(unstored.generated_g(), 250000);
  EXPECT_EQ(unstored.shipped_g(), 150000);
  EXPECT_EQ(unstored.stock_g(), 100000);
  EXPECT_EQ(f1.facility(), "F1");
  EXPECT_EQ(f1.containers(), 3);
  EXPECT_EQ(f1.generated_g(), 600000);
  EXPECT_EQ(f1.shipped_g(), 200000);
  EXPECT_EQ(f1.own_use_g(), 190000);
  EXPECT_EQ(f1.stock_g(), 210000);
  EXPECT_EQ(f1.in_stock(), 1);
  for (const v1::StockBalance& b : s.balances()) {
    EXPECT_EQ(b.generated_g(), b.own_use_g() + b.shipped_g() + b.stock_g())
        << b.facility();
  }
  EXPECT_EQ(f2.oldest(), "2026-06-03");
  // Held past the year: both stored ones still in stock.
  ASSERT_THAT(s.overdue(), SizeIs(2));
  EXPECT_EQ(s.overdue(0).code(), Code(2));
  EXPECT_EQ(s.overdue(1).code(), Code(6));
  EXPECT_EQ(s.overdue(1).days(), 367);
  ASSERT_THAT(s.differences(), SizeIs(2));
  EXPECT_EQ(s.differences(0).container(), Code(5));
  EXPECT_THAT(s.differences(0).detail(),
              HasSubstr("without being booked into storage"));
  EXPECT_THAT(s.differences(1).detail(),
              AllOf(HasSubstr("20263304000002 lines[0] states 145kg"),
                    HasSubstr("150kg")));
  // A day before the year is out, nothing is overdue.
  EXPECT_THAT(StockOf(all, manifests, At(30) + absl::Hours(24 * 364)).overdue(),
              IsEmpty());
}

class UnstoredContainerTest : public StockTest {
 protected:
  v1::Manifest Open(std::vector<std::string> codes) {
    v1::OpenManifestRequest r;
    *r.mutable_meta() = Meta();
    r.set_generator(kGenerator);
    r.set_carrier(kCarrier);
    r.set_receiver(kReceiver);
    v1::WasteLine* line = r.add_lines();
    line->set_code(kWaste);
    for (const std::string& c : codes) line->add_containers(c);
    v1::Manifest empty;
    empty.set_number(kNumber);
    return testing::Flagged(empty, DecideOpen(r, registry_, kNumber, At(40)),
                            registry_, config_, At(40))
        .next;
  }

  Decision Pickup(const v1::Manifest& m) {
    v1::PickupRequest r;
    *r.mutable_meta() = Meta();
    *r.mutable_meta()->mutable_device_time() = ToTimestamp(At(50));
    r.set_number(kNumber);
    r.set_carrier(kCarrier);
    r.set_vehicle(kCarrierPlate);
    return testing::Flagged(m, DecidePickup(m, r, registry_, At(50)), registry_,
                            config_, At(50));
  }

  static std::vector<v1::Flag> Unstored(const v1::Manifest& m) {
    std::vector<v1::Flag> out;
    for (const v1::Flag& f : m.flags()) {
      if (f.kind() == v1::FLAG_KIND_UNSTORED_CONTAINER) out.push_back(f);
    }
    return out;
  }

  FlagConfig config_;
};

TEST_F(UnstoredContainerTest, PickupFlagsTheContainersNeverStored) {
  Register(1);
  Register(2);
  Register(3);
  ASSERT_TRUE(Record(Store(Code(1), "F1")).ok());
  const v1::Manifest opened = Open({Code(1), Code(2), Code(3)});
  EXPECT_THAT(Unstored(opened), IsEmpty());  // not yet out of stock
  const Decision d = Pickup(opened);
  const std::vector<v1::Flag> flags = Unstored(d.next);
  ASSERT_THAT(flags, SizeIs(1));
  EXPECT_EQ(flags[0].severity(), v1::SEVERITY_MEDIUM);
  EXPECT_THAT(flags[0].detail(), AllOf(HasSubstr("2 of the containers"),
                                       HasSubstr(Code(2)), HasSubstr(Code(3))));
  EXPECT_THAT(flags[0].detail(), ::testing::Not(HasSubstr(Code(1))));
}

TEST_F(UnstoredContainerTest, AllStoredRaisesNothing) {
  Register(1);
  Register(2);
  ASSERT_TRUE(Record(Store(Code(1), "F1")).ok());
  ASSERT_TRUE(Record(Store(Code(2), "F2")).ok());
  EXPECT_THAT(Unstored(Pickup(Open({Code(1), Code(2)})).next), IsEmpty());
}

}  // namespace
}  // namespace cradle::domain
