// The regulator's reads through the real server: jurisdiction queries, the
// figures a bureau reports, signed heads and proofs, and streamed exports.

#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

#include "base/time.h"
#include "security/ed25519.h"
#include "services/manifest_seal.h"
#include "storage/entry_codec.h"
#include "storage/merkle.h"
#include "storage/tree_head.h"
#include "tests/integration/server_fixture.h"

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
using ::cradle::testing::MakeUscc;
using ::cradle::testing::WriteReply;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

class AuditIntegrationTest : public cradle::testing::ServerFixture {
 protected:
  // One manifest from `generator` to `receiver`: opened, picked up by
  // kCarrier, optionally relayed to kRelayCarrier (Hangzhou), delivered,
  // accepted in full; returns its number.
  std::string Shipment(const std::string& generator,
                       const std::string& receiver, int64_t grams, bool relay,
                       bool close) {
    v1::OpenManifestRequest req = OpenRequest();
    req.set_generator(generator);
    req.set_receiver(receiver);
    req.clear_lines();
    v1::WasteLine* line = req.add_lines();
    line->set_code("900-249-08");
    line->set_quantity_g(grams);
    WriteReply r;
    EXPECT_TRUE(Open(req, &r).ok());
    const std::string n = r.manifest().number();
    EXPECT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
    if (relay) {
      EXPECT_TRUE(Relay(n, kCarrier, kRelayCarrier, kRelayPlate, &r).ok());
    }
    EXPECT_TRUE(Deliver(n, receiver, &r).ok());
    EXPECT_TRUE(Receive(n, receiver, {Accept(1, grams)}, &r).ok());
    if (close) {
      EXPECT_TRUE(Dispose(n, receiver, {Dispose(1, grams)}, &r).ok());
    }
    return n;
  }

  std::vector<std::string> Query(v1::ListJurisdictionManifestsRequest q) {
    std::vector<std::string> out;
    q.set_page_size(2);  // exercise paging
    do {
      grpc::ClientContext ctx;
      As(&ctx, Regulator(q.jurisdiction()));
      v1::ListJurisdictionManifestsResponse page;
      grpc::Status s = audit_->ListJurisdictionManifests(&ctx, q, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const v1::Manifest& m : page.manifests()) out.push_back(m.number());
      q.set_page_token(page.next_page_token());
    } while (!q.page_token().empty());
    return out;
  }

  std::vector<std::string> Query(const std::string& jurisdiction) {
    v1::ListJurisdictionManifestsRequest q;
    q.set_jurisdiction(jurisdiction);
    return Query(q);
  }

  v1::SignedTreeHead Head() {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::GetTreeHeadResponse got;
    EXPECT_TRUE(audit_->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &got).ok());
    return got.tree_head();
  }
};

TEST_F(AuditIntegrationTest, JurisdictionQueriesReturnExactlyWhatTouchesIt) {
  const std::string suzhou_gen = MakeUscc("320506", "2L1M2N3");
  Register(suzhou_gen, "苏州吴中化工", "320506", {v1::ROLE_GENERATOR});
  // Jiaxing -> Haining (both Jiaxing), relayed through a Hangzhou carrier.
  const std::string a = Shipment(kGenerator, kReceiver, 1000000, true, true);
  // Jiaxing -> Hangzhou.
  const std::string b =
      Shipment(kGenerator, kAltReceiver, 500000, false, false);
  // Suzhou -> Haining.
  const std::string c = Shipment(suzhou_gen, kReceiver, 200000, false, true);

  EXPECT_THAT(Query("3304"), UnorderedElementsAreArray({a, b, c}));
  EXPECT_THAT(Query("330402"), UnorderedElementsAreArray({a, b}));  // origin
  EXPECT_THAT(Query("330481"), UnorderedElementsAreArray({a, c}));  // dest.
  EXPECT_THAT(Query("3301"),
              UnorderedElementsAreArray({a, b}));                // relay, dest.
  EXPECT_THAT(Query("330108"), UnorderedElementsAreArray({a}));  // relay only
  EXPECT_THAT(Query("32"), UnorderedElementsAreArray({c}));
  EXPECT_THAT(Query("3205"), UnorderedElementsAreArray({c}));
  EXPECT_TRUE(Query("3302").empty());
  EXPECT_TRUE(Query("11").empty());

  v1::ListJurisdictionManifestsRequest q;
  q.set_jurisdiction("3304");
  q.set_status(v1::MANIFEST_STATUS_CLOSED);
  EXPECT_THAT(Query(q), UnorderedElementsAreArray({a, c}));
  q.clear_status();
  q.set_flag(v1::FLAG_KIND_CROSS_CITY);
  EXPECT_THAT(Query(q), UnorderedElementsAreArray({b, c}));
  q.clear_flag();
  q.set_enterprise(kAltReceiver);
  EXPECT_THAT(Query(q), UnorderedElementsAreArray({b}));
  q.clear_enterprise();
  q.set_waste("HW08");
  EXPECT_EQ(Query(q).size(), 3u);
  q.set_waste("HW49");
  EXPECT_TRUE(Query(q).empty());
  q.clear_waste();
  q.set_opened_from("2026-11-24");  // all were opened on 2026-11-23
  EXPECT_TRUE(Query(q).empty());
  q.set_opened_from("2026-11-23");
  q.set_opened_to("2026-11-23");
  EXPECT_EQ(Query(q).size(), 3u);

  for (const char* bad : {"330", "3304021", "33a4", ""}) {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::ListJurisdictionManifestsRequest wrong;
    wrong.set_jurisdiction(bad);
    v1::ListJurisdictionManifestsResponse page;
    grpc::Status s = audit_->ListJurisdictionManifests(&ctx, wrong, &page);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_THAT(s.error_message(), HasSubstr("jurisdiction"));
  }
}

TEST_F(AuditIntegrationTest, FlowsAndRatesMatchAHandComputedScenario) {
  // From Jiaxing: 1 t + 0.3 t treated in Jiaxing (closed), 0.5 t sent to
  // Hangzhou (accepted, not disposed). Into Jiaxing from Suzhou: 0.2 t.
  const std::string suzhou_gen = MakeUscc("320506", "2L1M2N3");
  Register(suzhou_gen, "苏州吴中化工", "320506", {v1::ROLE_GENERATOR});
  Shipment(kGenerator, kReceiver, 1000000, false, true);
  Shipment(kGenerator, kReceiver, 300000, false, true);
  Shipment(kGenerator, kAltReceiver, 500000, false, false);
  Shipment(suzhou_gen, kReceiver, 200000, false, true);

  v1::FlowsRequest req;
  req.set_jurisdiction("3304");
  req.set_from_month("2026-11");
  req.set_to_month("2026-11");
  grpc::ClientContext ctx;
  As(&ctx, kProvinceRegulator);
  v1::FlowsResponse flows;
  ASSERT_TRUE(audit_->Flows(&ctx, req, &flows).ok());
  std::set<std::string> rows;
  for (const v1::Flow& f : flows.flows()) {
    rows.insert(absl::StrCat(f.month(), " ", f.origin_city(), ">",
                             f.destination_city(), " ", f.category(), " ",
                             f.grams()));
  }
  EXPECT_EQ(rows, (std::set<std::string>{"2026-11 3304>3304 HW08 1300000",
                                         "2026-11 3304>3301 HW08 500000",
                                         "2026-11 3205>3304 HW08 200000"}));
  EXPECT_EQ(flows.inside_grams(), 1300000);  // 1.3 t of 1.8 t: 72.2%
  EXPECT_EQ(flows.outside_grams(), 500000);
  EXPECT_EQ(flows.closed(), 2);  // closures of Jiaxing's own manifests
  EXPECT_EQ(flows.closed_within_limits(), 2);
  // The Hangzhou and Suzhou loads crossed a city; the Suzhou one also a
  // province, without an approval.
  ASSERT_EQ(flows.open_flags_size(), 2);
  EXPECT_EQ(flows.open_flags(0).kind(), v1::FLAG_KIND_CROSS_CITY);
  EXPECT_EQ(flows.open_flags(0).open(), 2);
  EXPECT_EQ(flows.open_flags(1).kind(),
            v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED);
  EXPECT_EQ(flows.open_flags(1).open(), 1);

  // Registered in Jiaxing: the generator (red: HIGH cross-city flags), the
  // carrier (red, named on them too), the Haining receiver (red: the Suzhou
  // load's flags name it); nobody else.
  std::set<std::string> at_risk;
  for (const v1::EnterpriseRisk& r : flows.at_risk()) {
    at_risk.insert(absl::StrCat(r.id(), ":", r.colour()));
  }
  EXPECT_EQ(at_risk,
            (std::set<std::string>{kGenerator + ":red", kCarrier + ":red",
                                   kReceiver + ":red"}));
  EXPECT_EQ(flows.green(), 0);

  req.set_jurisdiction("33");  // the province: Hangzhou is inside it
  grpc::ClientContext ctx2;
  As(&ctx2, kProvinceRegulator);
  ASSERT_TRUE(audit_->Flows(&ctx2, req, &flows).ok());
  EXPECT_EQ(flows.inside_grams(), 1800000);
  EXPECT_EQ(flows.outside_grams(), 0);
  // The Jiaxing -> Hangzhou flag touches two of the province's cities:
  // still one flag.
  ASSERT_EQ(flows.open_flags_size(), 2);
  EXPECT_EQ(flows.open_flags(0).kind(), v1::FLAG_KIND_CROSS_CITY);
  EXPECT_EQ(flows.open_flags(0).open(), 2);
  EXPECT_EQ(flows.open_flags(1).kind(),
            v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED);
  EXPECT_EQ(flows.open_flags(1).open(), 1);

  req.set_from_month("2026-10");
  req.set_to_month("2026-10");
  grpc::ClientContext ctx3;
  As(&ctx3, kProvinceRegulator);
  ASSERT_TRUE(audit_->Flows(&ctx3, req, &flows).ok());
  EXPECT_EQ(flows.flows_size(), 0);
}

TEST_F(AuditIntegrationTest, ProofsAgainstSignedHeadsAndConsistency) {
  const std::string n = Shipment(kGenerator, kReceiver, 1000000, true, true);
  const v1::SignedTreeHead old_head = Head();
  const std::string old_root = absl::HexStringToBytes(old_head.root_hash());
  const std::string key = absl::HexStringToBytes(old_head.public_key());
  const absl::Time at = FromTimestamp(old_head.timestamp());
  EXPECT_TRUE(security::VerifyEd25519(
      key, storage::TreeHeadMessage(old_head.tree_size(), at, old_root),
      absl::HexStringToBytes(old_head.signature())));
  EXPECT_FALSE(security::VerifyEd25519(
      key, storage::TreeHeadMessage(old_head.tree_size() + 1, at, old_root),
      absl::HexStringToBytes(old_head.signature())));

  Shipment(kGenerator, kAltReceiver, 500000, false, false);
  const v1::SignedTreeHead new_head = Head();
  EXPECT_GT(new_head.tree_size(), old_head.tree_size());
  EXPECT_EQ(new_head.public_key(), old_head.public_key());

  // Every entry of the manifest proves against the old head.
  v1::ProveRequest prove;
  prove.set_number(n);
  prove.set_tree_size(old_head.tree_size());
  v1::ProveResponse proofs;
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    ASSERT_TRUE(audit_->Prove(&ctx, prove, &proofs).ok());
  }
  ASSERT_EQ(proofs.proofs_size(), 7);  // opened .. closed
  for (const v1::EntryProof& p : proofs.proofs()) {
    std::vector<std::string> path;
    for (const std::string& h : p.path())
      path.push_back(absl::HexStringToBytes(h));
    EXPECT_TRUE(storage::merkle::VerifyInclusion(
        p.entry().sequence() - 1, old_head.tree_size(),
        storage::merkle::LeafHash(absl::HexStringToBytes(p.entry().hash())),
        path, old_root))
        << p.entry().type();
  }
  // The new head extends the old one.
  v1::ConsistencyRequest creq;
  creq.set_old_size(old_head.tree_size());
  creq.set_new_size(new_head.tree_size());
  v1::ConsistencyResponse cons;
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    ASSERT_TRUE(audit_->Consistency(&ctx, creq, &cons).ok());
  }
  std::vector<std::string> proof;
  for (const std::string& h : cons.proof())
    proof.push_back(absl::HexStringToBytes(h));
  EXPECT_TRUE(storage::merkle::VerifyConsistency(
      old_head.tree_size(), new_head.tree_size(), old_root,
      absl::HexStringToBytes(new_head.root_hash()), proof));
  // A head that claims another history for the same size is not extended.
  EXPECT_FALSE(storage::merkle::VerifyConsistency(
      old_head.tree_size(), new_head.tree_size(),
      storage::merkle::LeafHash("another history"),
      absl::HexStringToBytes(new_head.root_hash()), proof));
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    creq.set_new_size(new_head.tree_size() + 5);
    EXPECT_EQ(audit_->Consistency(&ctx, creq, &cons).error_code(),
              grpc::StatusCode::OUT_OF_RANGE);
  }
}

// A chain and its proofs come in pages that join to the whole, in order;
// a token serves only the stream it came from.
TEST_F(AuditIntegrationTest, ChainsAndProofsComeInPagesThatJoinWhole) {
  const std::string n = Shipment(kGenerator, kReceiver, 1000000, true, true);
  const std::string other = Shipment(kGenerator, kReceiver, 5000, false, true);
  auto chain = [&](v1::ChainRequest req, v1::ChainResponse* page) {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    return audit_->Chain(&ctx, req, page);
  };
  v1::ChainRequest req;
  req.set_number(n);
  v1::ChainResponse whole;
  ASSERT_TRUE(chain(req, &whole).ok());
  ASSERT_EQ(whole.entries_size(), 7);  // opened .. closed
  EXPECT_TRUE(whole.next_page_token().empty());

  req.set_page_size(3);
  std::vector<uint64_t> joined;
  std::vector<int> sizes;
  std::string second_token;
  do {
    v1::ChainResponse page;
    grpc::Status s = chain(req, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(page.verified());
    sizes.push_back(page.entries_size());
    for (const v1::LedgerEntry& e : page.entries()) {
      joined.push_back(e.sequence());
    }
    if (sizes.size() == 1) second_token = page.next_page_token();
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  EXPECT_THAT(sizes, ::testing::ElementsAre(3, 3, 1));
  std::vector<uint64_t> expected;
  for (const v1::LedgerEntry& e : whole.entries()) {
    expected.push_back(e.sequence());
  }
  EXPECT_EQ(joined, expected);

  // Another manifest's query, a made-up token and sizes out of range.
  v1::ChainRequest bad;
  bad.set_number(other);
  bad.set_page_token(second_token);
  v1::ChainResponse out;
  grpc::Status s = chain(bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
  bad.set_number(n);
  bad.set_page_token("not-a-token");
  EXPECT_THAT(chain(bad, &out).error_message(), HasSubstr("page_token"));
  bad.clear_page_token();
  for (int size : {-1, 10001}) {
    bad.set_page_size(size);
    s = chain(bad, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << size;
    EXPECT_THAT(s.error_message(), HasSubstr("page_size"));
  }

  // Proofs against a head taken now, two entries a page.
  const v1::SignedTreeHead head = Head();
  v1::ProveRequest prove;
  prove.set_number(n);
  prove.set_tree_size(head.tree_size());
  prove.set_page_size(2);
  std::vector<uint64_t> proved;
  do {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::ProveResponse page;
    ASSERT_TRUE(audit_->Prove(&ctx, prove, &page).ok());
    EXPECT_LE(page.proofs_size(), 2);
    EXPECT_EQ(page.root_hash(), head.root_hash());
    for (const v1::EntryProof& p : page.proofs()) {
      std::vector<std::string> path;
      for (const std::string& h : p.path()) {
        path.push_back(absl::HexStringToBytes(h));
      }
      EXPECT_TRUE(storage::merkle::VerifyInclusion(
          p.entry().sequence() - 1, head.tree_size(),
          storage::merkle::LeafHash(absl::HexStringToBytes(p.entry().hash())),
          path, absl::HexStringToBytes(head.root_hash())));
      proved.push_back(p.entry().sequence());
    }
    prove.set_page_token(page.next_page_token());
  } while (!prove.page_token().empty());
  EXPECT_EQ(proved, expected);
}

TEST_F(AuditIntegrationTest, ExportStreamsEveryManifestWithTheHead) {
  std::vector<std::string> numbers;
  for (int i = 0; i < 130; ++i) {  // more than one page of the stream
    WriteReply r;
    ASSERT_TRUE(Open(OpenRequest(), &r).ok());
    numbers.push_back(r.manifest().number());
  }
  v1::ExportRequest req;
  req.set_jurisdiction("3304");
  grpc::ClientContext ctx;
  As(&ctx, kProvinceRegulator);
  auto reader = audit_->Export(&ctx, req);
  v1::ExportChunk chunk;
  std::string csv;
  int chunks = 0;
  while (reader->Read(&chunk)) {
    csv += chunk.csv();
    ++chunks;
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_GE(chunks, 3);  // head, then pages of 100
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 132u);  // comment, header, 130 rows
  EXPECT_THAT(lines[0],
              HasSubstr(absl::StrCat("tree_size=", Head().tree_size())));
  EXPECT_THAT(lines[1], HasSubstr("number,status"));
  for (size_t i = 0; i < numbers.size(); ++i) {
    EXPECT_THAT(lines[i + 2], ::testing::StartsWith(numbers[i] + ",ISSUED,"));
  }

  req.set_what(v1::ExportRequest::WHAT_ENTRIES);
  req.set_jurisdiction("330402");
  grpc::ClientContext ctx2;
  As(&ctx2, kProvinceRegulator);
  auto entries = audit_->Export(&ctx2, req);
  csv.clear();
  while (entries->Read(&chunk)) csv += chunk.csv();
  ASSERT_TRUE(entries->Finish().ok());
  lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 132u);  // one opening entry each
  EXPECT_THAT(lines[2], HasSubstr("manifest.opened"));

  req.set_jurisdiction("3");
  grpc::ClientContext ctx3;
  As(&ctx3, kProvinceRegulator);
  auto refused = audit_->Export(&ctx3, req);
  while (refused->Read(&chunk)) {
  }
  EXPECT_EQ(refused->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

class ManifestSealIntegrationTest : public cradle::testing::ServerFixture {
 protected:
  grpc::Status SealAs(const std::string& who, const std::string& number,
                      v1::ManifestSeal* out = nullptr) {
    v1::GetManifestSealRequest req;
    req.set_number(number);
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::GetManifestSealResponse reply;
    grpc::Status s = audit_->GetManifestSeal(&ctx, req, &reply);
    if (out != nullptr) *out = reply.seal();
    return s;
  }
};

TEST_F(ManifestSealIntegrationTest,
       ASealNamesTheManifestsLastEntryAndVerifies) {
  const std::string n = OpenOne();
  ASSERT_TRUE(Pickup(n, cradle::testing::kCarrier,
                     cradle::testing::kCarrierPlate, nullptr)
                  .ok());
  v1::ManifestSeal seal;
  grpc::Status s = SealAs(cradle::testing::kCarrier, n, &seal);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(seal.number(), n);
  EXPECT_EQ(seal.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  // The entry it names is the manifest's last, by sequence and hash.
  v1::ChainRequest chain_req;
  chain_req.set_number(n);
  v1::ChainResponse chain;
  {
    grpc::ClientContext ctx;
    As(&ctx, cradle::testing::kCarrier);
    ASSERT_TRUE(audit_->Chain(&ctx, chain_req, &chain).ok());
  }
  ASSERT_FALSE(chain.entries().empty());
  const v1::LedgerEntry& last = *chain.entries().rbegin();
  EXPECT_EQ(seal.version(), last.stream_version());
  EXPECT_EQ(seal.entry_sequence(), last.sequence());
  EXPECT_EQ(seal.entry_hash(), last.hash());
  // Signed with the key the tree heads are signed with.
  v1::GetTreeHeadResponse head;
  {
    grpc::ClientContext ctx;
    As(&ctx, cradle::testing::kCarrier);
    ASSERT_TRUE(
        audit_->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &head).ok());
  }
  EXPECT_EQ(seal.public_key(), head.tree_head().public_key());
  absl::StatusOr<v1::ManifestSeal> read =
      services::ParseManifestSealQr(services::ManifestSealQr(seal));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(
      services::VerifyManifestSeal(*read, head.tree_head().public_key()).ok());
}

TEST_F(ManifestSealIntegrationTest, OnlyThoseWhoMayReadTheManifestGetASeal) {
  const std::string n = OpenOne();
  EXPECT_TRUE(SealAs(cradle::testing::kGenerator, n).ok());
  EXPECT_TRUE(SealAs(cradle::testing::kJiaxingRegulator, n).ok());
  EXPECT_EQ(SealAs(cradle::testing::kRelayCarrier, n).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(SealAs(cradle::testing::kHangzhouRegulator, n).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(SealAs(cradle::testing::kGenerator, "20263304999999").error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::Status empty = SealAs(cradle::testing::kGenerator, "");
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(empty.error_message(), ::testing::HasSubstr("number"));
  EXPECT_EQ(SealAs("nobody", n).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace cradle
