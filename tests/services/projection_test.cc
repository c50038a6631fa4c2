// What each manifest event makes of the derived data: the index keys, the
// due keys and the counters a write appends, checked step by step along a
// whole chain with a relay and a cross-city receiver (so flags are raised),
// and checked against what a replay of the stream makes of it.

#include "services/projection.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/flags/engine.h"
#include "domain/lifecycle.h"
#include "domain/work_calendar.h"
#include "services/keys.h"
#include "tests/testing/fake_registry.h"
#include "tests/testing/parties.h"

namespace cradle::services {
namespace {

// Counter adds as "table key add" lines, to compare two lists of them.
std::vector<std::string> Described(const std::vector<storage::Mutation>& adds) {
  std::vector<std::string> out;
  for (const storage::Mutation& m : adds) {
    out.push_back(
        absl::StrCat(static_cast<int>(m.table), " ", m.key, " ", m.add));
  }
  return out;
}

using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kRelayCarrier;
using ::cradle::testing::kRelayPlate;
using ::testing::Contains;
using ::testing::Key;
using ::testing::Not;

constexpr char kNumber[] = "20263304000001";
constexpr int64_t kGrams = 1250000;

v1::Enterprise Party(const std::string& id, const std::string& division,
                     v1::Role role, const std::string& plate = "") {
  v1::Enterprise e;
  e.set_id(id);
  e.set_name(absl::StrCat("enterprise ", id));
  e.set_division(division);
  e.add_roles(role);
  if (!plate.empty()) {
    v1::Vehicle* v = e.add_vehicles();
    v->set_plate(plate);
    v->set_permit("permit");
  }
  e.set_version(1);
  return e;
}

v1::WriteMeta Meta(const std::string& key) {
  v1::WriteMeta m;
  m.set_idempotency_key(key);
  return m;
}

// The derived data of one manifest as the write path keeps it: index keys
// and counters, changed only by the mutations each write appends.
struct Derived {
  std::map<std::string, std::string> index;
  std::map<std::pair<storage::Table, std::string>, int64_t> counters;

  void ApplyAll(const std::vector<storage::Mutation>& mutations) {
    for (const storage::Mutation& m : mutations) {
      if (m.counter) {
        counters[{m.table, m.key}] += m.add;
      } else if (m.value.has_value()) {
        index[m.key] = *m.value;
      } else {
        index.erase(m.key);
      }
    }
  }
};

class ProjectionTest : public ::testing::Test {
 protected:
  ProjectionTest() {
    registry_.Add(Party(kGenerator, "330402", v1::ROLE_GENERATOR));
    registry_.Add(
        Party(kCarrier, "330421", v1::ROLE_TRANSPORTER, kCarrierPlate));
    registry_.Add(
        Party(kRelayCarrier, "330108", v1::ROLE_TRANSPORTER, kRelayPlate));
    registry_.Add(Party(kAltReceiver, "330106", v1::ROLE_RECEIVER));
  }

  static absl::Time At(int hours) {
    return absl::FromCivil(absl::CivilSecond(2026, 6, 3, 9, 0, 0),
                           absl::FixedTimeZone(8 * 3600)) +
           absl::Hours(hours);
  }

  // Applies a decision as a write does: flags added, the index difference
  // and the counters appended; checks that the mutations turn the index
  // before into the index after exactly, and that the opposite difference
  // turns it back.
  void Write(absl::StatusOr<domain::Decision> decided, absl::Time now) {
    ASSERT_TRUE(decided.ok()) << decided.status();
    ASSERT_TRUE(
        domain::AddEventFlags(manifest_, registry_, config_, now, &*decided)
            .ok());
    const IndexEntries before = ManifestIndex(manifest_, config_);
    const IndexEntries after = ManifestIndex(decided->next, config_);
    ASSERT_EQ(IndexMap(before), derived_.index);

    std::vector<storage::Mutation> mutations;
    IndexDiff(before, after, &mutations);
    const size_t index_mutations = mutations.size();
    ManifestCounters(manifest_, decided->next, decided->events, now,
                     &mutations);
    // A replay keeps only the counters' basis of the manifest before.
    std::vector<storage::Mutation> from_basis;
    ManifestCounters(CounterBasis(manifest_), decided->next, decided->events,
                     now, &from_basis);
    EXPECT_EQ(Described(from_basis),
              Described(std::vector<storage::Mutation>(
                  mutations.begin() + index_mutations, mutations.end())))
        << "the counters from CounterBasis";
    Derived redo = derived_;
    redo.ApplyAll(mutations);
    EXPECT_EQ(redo.index, IndexMap(after)) << "redo";

    std::vector<storage::Mutation> back;
    IndexDiff(after, before, &back);
    Derived undo;
    undo.index = redo.index;
    undo.ApplyAll(back);
    EXPECT_EQ(undo.index, IndexMap(before)) << "undo";
    EXPECT_EQ(back.size(), index_mutations) << "the undo is as long";

    for (const ledger::v1::ManifestEvent& e : decided->events) {
      storage::Entry entry;
      entry.stream = kNumber;
      entry.stream_version = entries_.size() + 1;
      entry.type = domain::EventType(e);
      entry.recorded = now;
      entry.payload = e.SerializeAsString();
      entries_.push_back(std::move(entry));
    }
    derived_ = std::move(redo);
    manifest_ = std::move(decided->next);
  }

  static std::map<std::string, std::string> IndexMap(const IndexEntries& e) {
    return std::map<std::string, std::string>(e.begin(), e.end());
  }

  int64_t Counter(storage::Table table, const std::string& key) const {
    auto it = derived_.counters.find({table, key});
    return it == derived_.counters.end() ? 0 : it->second;
  }

  // The due keys of the manifest, as "<kind>/<subject>".
  std::vector<std::string> Due() const {
    std::vector<std::string> out;
    for (const auto& [key, value] : derived_.index) {
      if (!absl::StartsWith(key, keys::DuePrefix())) continue;
      absl::StatusOr<keys::DueKeyParts> parts = keys::ParseDueKey(key);
      EXPECT_TRUE(parts.ok()) << key;
      if (parts.ok()) {
        out.push_back(parts->deadline.substr(parts->number.size() + 1));
      }
    }
    return out;
  }

  ::cradle::testing::FakeRegistry registry_;
  domain::FlagConfig config_;
  v1::Manifest manifest_;
  Derived derived_;
  std::vector<storage::Entry> entries_;
};

TEST_F(ProjectionTest, EveryStepOfAChainWritesExactlyWhatItsStateIndexes) {
  // Opened, cross-city (嘉兴 to 杭州) to an unlicensed receiver: flags.
  v1::OpenManifestRequest open;
  *open.mutable_meta() = Meta("open");
  open.set_generator(kGenerator);
  open.set_carrier(kCarrier);
  open.set_receiver(kAltReceiver);
  v1::WasteLine* line = open.add_lines();
  line->set_code("900-249-08");
  line->set_quantity_g(kGrams);
  line->set_packaging("drum");
  line->set_package_count(10);
  Write(domain::DecideOpen(open, registry_, kNumber, At(0)), At(0));
  const std::string n = kNumber;
  EXPECT_THAT(derived_.index, Contains(Key(keys::AllManifestsPrefix() + n)));
  EXPECT_THAT(
      derived_.index,
      Contains(Key(keys::StatusPrefix(v1::MANIFEST_STATUS_ISSUED) + n)));
  for (const std::string& party : {kGenerator, kCarrier, kAltReceiver}) {
    EXPECT_THAT(derived_.index, Contains(Key(keys::PartyPrefix(party) + n)));
  }
  ASSERT_FALSE(manifest_.flags().empty());
  const std::string flag = manifest_.flags(0).id();
  EXPECT_THAT(
      derived_.index,
      Contains(Key(keys::FlagKindPrefix(manifest_.flags(0).kind()) + flag)));
  EXPECT_EQ(Counter(storage::Table::kIndex,
                    keys::OpenFlagsCounter("3304", manifest_.flags(0).kind())),
            1);
  EXPECT_THAT(Due(), ::testing::IsEmpty()) << "nothing runs before pickup";

  v1::PickupRequest pickup;
  *pickup.mutable_meta() = Meta("pickup");
  pickup.set_number(n);
  pickup.set_carrier(kCarrier);
  pickup.set_vehicle(kCarrierPlate);
  pickup.set_driver("张师傅");
  Write(domain::DecidePickup(manifest_, pickup, registry_, At(1)), At(1));
  EXPECT_THAT(
      derived_.index,
      Contains(Key(keys::StatusPrefix(v1::MANIFEST_STATUS_IN_TRANSIT) + n)));
  EXPECT_THAT(
      derived_.index,
      Not(Contains(Key(keys::StatusPrefix(v1::MANIFEST_STATUS_ISSUED) + n))));
  EXPECT_THAT(Due(), Contains("TRANSIT_OVERDUE/0"));

  v1::RelayRequest relay;
  *relay.mutable_meta() = Meta("relay");
  relay.set_number(n);
  relay.set_from_carrier(kCarrier);
  relay.set_to_carrier(kRelayCarrier);
  relay.set_vehicle(kRelayPlate);
  Write(domain::DecideRelay(manifest_, relay, registry_, At(2)), At(2));
  EXPECT_THAT(derived_.index,
              Contains(Key(keys::PartyPrefix(kRelayCarrier) + n)));

  v1::DeliverRequest deliver;
  *deliver.mutable_meta() = Meta("deliver");
  deliver.set_number(n);
  deliver.set_receiver(kAltReceiver);
  Write(domain::DecideDeliver(manifest_, deliver, registry_, At(3)), At(3));
  EXPECT_THAT(Due(), Not(Contains("TRANSIT_OVERDUE/0")));
  EXPECT_THAT(Due(), Contains("RECEIPT_OVERDUE/0"));

  v1::ReceiveRequest receive;
  *receive.mutable_meta() = Meta("receive");
  receive.set_number(n);
  receive.set_receiver(kAltReceiver);
  v1::LineReceipt* r = receive.add_lines();
  r->set_line(1);
  r->set_decision(v1::LineReceipt::DECISION_ACCEPT);
  r->set_quantity_g(kGrams);
  Write(domain::DecideReceive(manifest_, receive, registry_, At(4)), At(4));
  EXPECT_EQ(Counter(storage::Table::kState,
                    keys::AcceptedCounter(kAltReceiver, 2026)),
            kGrams);
  EXPECT_EQ(Counter(storage::Table::kIndex,
                    keys::FlowCounter("202606", "3304", "3301", "HW08")),
            kGrams);
  EXPECT_THAT(Due(), Contains("MISSING_DISPOSAL/0"));

  v1::DisposeRequest dispose;
  *dispose.mutable_meta() = Meta("dispose");
  dispose.set_number(n);
  dispose.set_receiver(kAltReceiver);
  v1::LineDisposal* d = dispose.add_lines();
  d->set_line(1);
  d->set_method("D10");
  d->set_quantity_g(kGrams);
  Write(domain::DecideDispose(manifest_, dispose, At(5)), At(5));
  EXPECT_EQ(manifest_.status(), v1::MANIFEST_STATUS_CLOSED);
  EXPECT_THAT(
      derived_.index,
      Contains(Key(keys::StatusPrefix(v1::MANIFEST_STATUS_CLOSED) + n)));
  EXPECT_THAT(Due(), ::testing::IsEmpty());
  EXPECT_EQ(Counter(storage::Table::kIndex,
                    keys::ClosedCounter("202606", "3304", keys::kClosedAll)),
            1);
  EXPECT_EQ(Counter(storage::Table::kIndex,
                    keys::ClosedCounter("202606", "3304", keys::kClosedOnTime)),
            1);

  // A regulator resolves the flag: its keys move, the open count drops.
  v1::ResolveFlagRequest note;
  *note.mutable_meta() = Meta("resolve");
  note.set_id(flag);
  note.set_note("seen");
  note.set_by("嘉兴市生态环境局");
  Write(domain::DecideResolve(manifest_, note, At(6)), At(6));
  EXPECT_THAT(
      derived_.index,
      Contains(Key(keys::FlagStatePrefix(v1::FLAG_STATE_RESOLVED) + flag)));
  EXPECT_EQ(Counter(storage::Table::kIndex,
                    keys::OpenFlagsCounter("3304", manifest_.flags(0).kind())),
            0);

  // A replay of the stream's entries makes the same index and counters.
  absl::StatusOr<Projection> replayed =
      ReplayStream(kNumber, entries_, config_);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(IndexMap(replayed->index), derived_.index);
  std::map<std::pair<storage::Table, std::string>, int64_t> nonzero;
  for (const auto& [key, value] : derived_.counters) {
    if (value != 0) nonzero[key] = value;
  }
  std::map<std::pair<storage::Table, std::string>, int64_t> replayed_nonzero;
  for (const auto& [key, value] : replayed->counters) {
    if (value != 0) replayed_nonzero[key] = value;
  }
  EXPECT_EQ(replayed_nonzero, nonzero);
}

TEST(ManifestIndexTest, APickupOnATripListsTheManifestUnderItsCarriersTrip) {
  v1::Manifest m;
  m.set_number(kNumber);
  m.set_status(v1::MANIFEST_STATUS_IN_TRANSIT);
  m.set_generator(kGenerator);
  v1::Leg* leg = m.add_legs();
  leg->set_carrier(kCarrier);
  const domain::FlagConfig config;
  EXPECT_THAT(ManifestIndex(m, config),
              Not(Contains(Key(::testing::StartsWith("m/trip/")))));
  leg->set_trip("20261205-1");
  EXPECT_THAT(
      ManifestIndex(m, config),
      Contains(Key(keys::TripPrefix(kCarrier, "20261205-1") + kNumber)));
}

// A refill's sources are its (`c/into/` keys, which a refill of them again
// is put create-only against) until its registration is struck by a record
// that lets them go; a refill struck before that (no frees_sources) keeps
// them, as its entries were written.
TEST(ContainerIndexTest, AStruckRefillLetsItsSourcesGoOnlyWhenItsRecordSaysSo) {
  v1::Container refill;
  refill.set_code("C1");
  refill.set_generator(kGenerator);
  refill.add_sources("D1");
  refill.add_sources("D2");
  EXPECT_EQ(ContainerIndex(refill)[keys::ContainerSourceIndex("D1")], "C1");
  EXPECT_EQ(ContainerIndex(refill)[keys::ContainerSourceIndex("D2")], "C1");

  v1::StockRecord* struck = refill.add_records();
  struck->set_number(2);
  struck->set_move(v1::STOCK_MOVE_REVOKED);
  struck->set_revokes(1);
  refill.set_stock(v1::STOCK_STATE_VOID);
  EXPECT_THAT(ContainerIndex(refill),
              Contains(Key(keys::ContainerSourceIndex("D1"))));

  struck->set_frees_sources(true);
  const IndexEntries freed = ContainerIndex(refill);
  EXPECT_THAT(freed, Not(Contains(Key(keys::ContainerSourceIndex("D1")))));
  EXPECT_THAT(freed, Not(Contains(Key(keys::ContainerSourceIndex("D2")))));
  EXPECT_THAT(
      freed, Contains(Key(keys::GeneratorContainersPrefix(kGenerator) + "C1")));
}

}  // namespace
}  // namespace cradle::services
