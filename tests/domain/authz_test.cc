#include "domain/authz.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/manifest_facts.h"
#include "tests/testing/parties.h"
#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::kRelayCarrier;
using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;

constexpr auto kDenied = absl::StatusCode::kPermissionDenied;

Principal Party(const std::string& enterprise, v1::Role role) {
  Principal p;
  p.credential = "00000000000000a1";
  p.kind = v1::CREDENTIAL_KIND_PARTY;
  p.enterprise = enterprise;
  p.role = role;
  return p;
}

Principal Regulator(const std::string& jurisdiction) {
  Principal p;
  p.credential = "00000000000000b2";
  p.kind = v1::CREDENTIAL_KIND_REGULATOR;
  p.jurisdiction = jurisdiction;
  return p;
}

Principal Admin() {
  Principal p;
  p.credential = "00000000000000c3";
  p.kind = v1::CREDENTIAL_KIND_ADMINISTRATOR;
  return p;
}

// Jiaxing 330402 -> carrier 330421, relayed by Hangzhou 330108 -> Haining
// 330481, part rerouted to Hangzhou 330106.
v1::Manifest Manifest() {
  v1::Manifest m;
  m.set_number("20263304000001");
  m.set_generator(kGenerator);
  m.set_carrier(kRelayCarrier);
  m.set_receiver(kAltReceiver);
  m.set_origin_division("330402");
  v1::Leg* leg = m.add_legs();
  leg->set_carrier(kCarrier);
  leg->set_division("330421");
  leg = m.add_legs();
  leg->set_carrier(kRelayCarrier);
  leg->set_division("330108");
  v1::Destination* d = m.add_destinations();
  d->set_receiver(kReceiver);
  d->set_division("330481");
  d = m.add_destinations();
  d->set_receiver(kAltReceiver);
  d->set_division("330106");
  return m;
}

TEST(AuthzTest, EachRowAdmitsExactlyItsAudience) {
  const std::vector<std::pair<Principal, unsigned>> principals = {
      {Party(kGenerator, v1::ROLE_GENERATOR), kGenerators},
      {Party(kGenerator, v1::ROLE_COLLECTOR), kGenerators},
      {Party(kCarrier, v1::ROLE_TRANSPORTER), kCarriers},
      {Party(kReceiver, v1::ROLE_RECEIVER), kReceivers},
      {Regulator("3304"), kRegulators},
      {Admin(), kAdministrator},
      {Party(kGenerator, v1::ROLE_UNSPECIFIED), 0},
      {Principal(), 0},
  };
  int admitted = 0, denied = 0;
  for (const Permission& row : PermissionTable()) {
    for (const auto& [p, bit] : principals) {
      absl::Status s = Authorize(p, row.op);
      if ((row.who & bit) != 0) {
        EXPECT_TRUE(s.ok()) << row.rpcs << ": " << s;
        ++admitted;
      } else {
        EXPECT_THAT(s, StatusIs(kDenied)) << row.rpcs;
        EXPECT_THAT(std::string(s.message()), HasSubstr(row.rpcs));
        ++denied;
      }
    }
  }
  EXPECT_GT(admitted, 20);
  EXPECT_GT(denied, 80);
}

TEST(AuthzTest, SpotChecksOfTheTable) {
  EXPECT_TRUE(Authorize(Admin(), Operation::kRegistryWrite).ok());
  EXPECT_THAT(Authorize(Regulator("33"), Operation::kRegistryWrite),
              StatusIs(kDenied));
  EXPECT_THAT(Authorize(Admin(), Operation::kManifestRead), StatusIs(kDenied));
  EXPECT_THAT(
      Authorize(Party(kCarrier, v1::ROLE_TRANSPORTER), Operation::kOpen),
      StatusIs(kDenied));
  EXPECT_THAT(
      Authorize(Party(kReceiver, v1::ROLE_RECEIVER), Operation::kPickup),
      StatusIs(kDenied));
  EXPECT_THAT(
      Authorize(Party(kGenerator, v1::ROLE_GENERATOR), Operation::kFlagNote),
      StatusIs(kDenied));
  EXPECT_TRUE(Authorize(Regulator("3304"), Operation::kFlagNote).ok());
  for (Operation op :
       {Operation::kPickup, Operation::kRelay, Operation::kDeliver,
        Operation::kReceive, Operation::kDispose}) {
    EXPECT_TRUE(PermissionFor(op).signed_by_party);
  }
  EXPECT_FALSE(PermissionFor(Operation::kOpen).signed_by_party);
}

TEST(AuthzTest, RowsAreInOperationOrder) {
  const std::vector<Permission>& table = PermissionTable();
  for (size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(table[i].op), i) << table[i].rpcs;
  }
  EXPECT_EQ(table.size(), static_cast<size_t>(Operation::kNationalRead) + 1);
}

TEST(AuthzTest, ACredentialActsOnlyForItsEnterprise) {
  EXPECT_TRUE(
      CheckActsFor(Party(kCarrier, v1::ROLE_TRANSPORTER), "carrier", kCarrier)
          .ok());
  absl::Status s = CheckActsFor(Party(kCarrier, v1::ROLE_TRANSPORTER),
                                "carrier", kRelayCarrier);
  EXPECT_THAT(s, StatusIs(kDenied));
  EXPECT_THAT(std::string(s.message()), HasSubstr("carrier is \""));
  EXPECT_THAT(CheckActsFor(Regulator("33"), "generator", kGenerator),
              StatusIs(kDenied));
  EXPECT_THAT(CheckActsFor(Admin(), "generator", kGenerator),
              StatusIs(kDenied));
  EXPECT_THAT(
      CheckActsFor(Party(kGenerator, v1::ROLE_GENERATOR), "generator", ""),
      StatusIs(kDenied));
}

TEST(AuthzTest, ManifestReadersAreItsPartiesAndItsRegulators) {
  const v1::Manifest m = Manifest();
  for (const Principal& p :
       {Party(kGenerator, v1::ROLE_GENERATOR),
        Party(kCarrier, v1::ROLE_TRANSPORTER),
        Party(kRelayCarrier, v1::ROLE_TRANSPORTER),
        Party(kReceiver, v1::ROLE_RECEIVER),
        Party(kAltReceiver, v1::ROLE_RECEIVER), Regulator("33"),
        Regulator("3304"), Regulator("330402"), Regulator("330421"),
        Regulator("3301"), Regulator("330481")}) {
    EXPECT_TRUE(CheckManifestReader(p, m).ok())
        << p.enterprise << p.jurisdiction;
  }
  for (const Principal& p :
       {Party(testing::MakeUscc("330402", "2X9Y8W7"), v1::ROLE_GENERATOR),
        Regulator("32"), Regulator("3302"), Regulator("330411"), Admin()}) {
    EXPECT_THAT(CheckManifestReader(p, m), StatusIs(kDenied))
        << p.enterprise << p.jurisdiction;
  }
  EXPECT_EQ(ManifestDivisions(m),
            (std::vector<std::string>{"330106", "330108", "330402", "330421",
                                      "330481"}));
}

// What a manifest is indexed under (domain/manifest_facts.h) is exactly who
// may read it: every party and every jurisdiction of the facts, and no
// jurisdiction beside them.
TEST(AuthzTest, ReadersAreExactlyThePartiesAndJurisdictionsOfTheFacts) {
  v1::Manifest m = Manifest();
  m.add_legs()->set_division("3301");  // not a county: it names no one
  std::vector<std::string> parties = {kGenerator, kRelayCarrier, kCarrier,
                                      kReceiver, kAltReceiver};
  std::sort(parties.begin(), parties.end());
  parties.erase(std::unique(parties.begin(), parties.end()), parties.end());
  EXPECT_EQ(ManifestParties(m), parties);
  for (const std::string& p : parties) {
    EXPECT_TRUE(IsManifestParty(m, p)) << p;
    EXPECT_TRUE(CheckManifestReader(Party(p, v1::ROLE_GENERATOR), m).ok()) << p;
  }
  EXPECT_FALSE(IsManifestParty(m, ""));
  EXPECT_EQ(ManifestJurisdictions(m),
            (std::vector<std::string>{"33", "3301", "330106", "330108", "3304",
                                      "330402", "330421", "330481"}));
  for (const std::string& j : ManifestJurisdictions(m)) {
    EXPECT_TRUE(CheckManifestReader(Regulator(j), m).ok()) << j;
  }
  for (const char* j :
       {"3", "32", "3302", "330", "33010", "330107", "3304020"}) {
    EXPECT_FALSE(InManifestJurisdiction(m, j)) << j;
    EXPECT_THAT(CheckManifestReader(Regulator(j), m), StatusIs(kDenied)) << j;
  }
}

TEST(AuthzTest, EnterpriseReadersAreItselfAndItsRegulators) {
  v1::Enterprise e;
  e.set_id(kGenerator);
  e.set_division("330402");
  EXPECT_TRUE(
      CheckEnterpriseReader(Party(kGenerator, v1::ROLE_GENERATOR), e).ok());
  EXPECT_TRUE(CheckEnterpriseReader(Regulator("3304"), e).ok());
  EXPECT_THAT(CheckEnterpriseReader(Party(kCarrier, v1::ROLE_TRANSPORTER), e),
              StatusIs(kDenied));
  EXPECT_THAT(CheckEnterpriseReader(Regulator("3301"), e), StatusIs(kDenied));
  EXPECT_THAT(CheckEnterpriseReader(Admin(), e), StatusIs(kDenied));
}

TEST(AuthzTest, JurisdictionQueriesStayInside) {
  EXPECT_TRUE(CheckJurisdiction(Regulator("3304"), "j", "3304").ok());
  EXPECT_TRUE(CheckJurisdiction(Regulator("3304"), "j", "330402").ok());
  EXPECT_TRUE(CheckJurisdiction(Regulator("33"), "j", "3301").ok());
  EXPECT_THAT(CheckJurisdiction(Regulator("3304"), "j", "33"),
              StatusIs(kDenied));
  EXPECT_THAT(CheckJurisdiction(Regulator("3304"), "j", "3301"),
              StatusIs(kDenied));
  EXPECT_THAT(CheckJurisdiction(Regulator("3304"), "j", ""), StatusIs(kDenied));
  EXPECT_THAT(
      CheckJurisdiction(Party(kGenerator, v1::ROLE_GENERATOR), "j", "3304"),
      StatusIs(kDenied));
}

TEST(AuthzTest, TheRecordedActorNamesScopeAndCredential) {
  Principal p = Party(kCarrier, v1::ROLE_TRANSPORTER);
  EXPECT_EQ(p.Actor(), kCarrier + "#00000000000000a1");
  std::string scope, id;
  ASSERT_TRUE(ParseActor(p.Actor(), &scope, &id));
  EXPECT_EQ(scope, kCarrier);
  EXPECT_EQ(id, "00000000000000a1");
  EXPECT_EQ(Regulator("3304").Actor(), "regulator:3304#00000000000000b2");
  EXPECT_EQ(Admin().Scope(), "administrator");
  EXPECT_FALSE(ParseActor("cradle-sweeper", &scope, &id));
  EXPECT_FALSE(ParseActor("#abc", &scope, &id));
}

TEST(AuthzTest, IssueRequestsAreValidatedNamingTheField) {
  v1::IssueCredentialRequest ok;
  ok.set_kind(v1::CREDENTIAL_KIND_PARTY);
  ok.set_enterprise(kCarrier);
  ok.set_role(v1::ROLE_TRANSPORTER);
  ok.set_public_key(std::string(32, 'k'));
  EXPECT_TRUE(CheckIssueCredential(ok).ok());
  struct Case {
    std::function<void(v1::IssueCredentialRequest*)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto* r) { r->clear_public_key(); }, "public_key"},
      {[](auto* r) { r->set_public_key("x"); }, "public_key"},
      {[](auto* r) { r->set_enterprise("91330402MA2B3C4D5X"); }, "enterprise"},
      {[](auto* r) { r->set_role(v1::ROLE_UNSPECIFIED); }, "role"},
      {[](auto* r) { r->set_jurisdiction("33"); }, "jurisdiction"},
      {[](auto* r) { r->set_valid_seconds(-5); }, "valid_seconds"},
      {[](auto* r) { r->set_holder(std::string(129, 'h')); }, "holder"},
      {[](auto* r) { r->set_kind(v1::CREDENTIAL_KIND_UNSPECIFIED); }, "kind"},
      {[](auto* r) {
         r->set_kind(v1::CREDENTIAL_KIND_REGULATOR);
         r->set_jurisdiction("33x");
       },
       "jurisdiction"},
      // The shape of a city, but no city: 99 is no province.
      {[](auto* r) {
         r->set_kind(v1::CREDENTIAL_KIND_REGULATOR);
         r->set_jurisdiction("9999");
       },
       "jurisdiction \"9999\" is no city of the GB/T 2260 table"},
      {[](auto* r) {
         r->set_kind(v1::CREDENTIAL_KIND_REGULATOR);
         r->set_jurisdiction("3399");
       },
       "jurisdiction \"3399\" is no city"},
      {[](auto* r) { r->set_kind(v1::CREDENTIAL_KIND_ADMINISTRATOR); },
       "ADMINISTRATOR"},
  };
  for (const Case& c : cases) {
    v1::IssueCredentialRequest r = ok;
    c.edit(&r);
    absl::Status s = CheckIssueCredential(r);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << c.field;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.field));
  }
  v1::IssueCredentialRequest generator = ok;
  generator.set_role(v1::ROLE_GENERATOR);
  generator.clear_public_key();
  EXPECT_TRUE(CheckIssueCredential(generator).ok());  // a key is optional
}

TEST(AuthzDocTest, DocsPrintTheTableTheCodeEnforces) {
  std::ifstream in(CRADLE_SOURCE_DIR "/docs/AUTHORIZATION.md");
  ASSERT_TRUE(in.good()) << "cannot read docs/AUTHORIZATION.md";
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string table = PermissionTableMarkdown();
  EXPECT_NE(doc.str().find(table), std::string::npos)
      << "docs/AUTHORIZATION.md must contain, verbatim:\n"
      << table;
}

}  // namespace
}  // namespace cradle::domain
