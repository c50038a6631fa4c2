// The cross-province procedure over a real server (docs/CONSULTATION.md):
// a consultation run to approval lets a manifest to the other province go
// without the unapproved flag; one refused; one overdue at each stage,
// listed for the bureau that holds it; a white list; and every refusal
// names what is wrong and changes nothing. What the server wrote replays
// to what it holds.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/registry.grpc.pb.h"
#include "tests/integration/server_fixture.h"
#include "tests/testing/parties.h"

namespace cradle {
namespace {

using ::cradle::testing::kGenerator;
using ::cradle::testing::kProvinceRegulator;
using ::cradle::testing::MakeUscc;
using ::cradle::testing::WriteReply;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kSuzhou = MakeUscc("320506", "2K7R8T9");
const std::string kJiangsuBureau = "regulator:32";

class ConsultationIntegrationTest : public cradle::testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    Register(kSuzhou, "苏州吴中固废处置", "320506", {v1::ROLE_RECEIVER});
    Licence(kSuzhou, "JS-0506", 5000);
    v1::IssueCredentialRequest req;
    req.set_kind(v1::CREDENTIAL_KIND_REGULATOR);
    req.set_jurisdiction("32");
    Issue(kJiangsuBureau, req);
  }

  static v1::TransferApplication Application(int64_t kg = 1000) {
    v1::TransferApplication a;
    a.set_generator(kGenerator);
    a.set_receiver(kSuzhou);
    a.add_codes("900-249-08");
    a.set_method("R9");
    a.set_quantity_kg(kg);
    a.set_valid_from("2026-11-23");
    a.set_valid_until("2027-11-22");
    return a;
  }

  grpc::Status Apply(const std::string& who, const v1::TransferApplication& a,
                     v1::Consultation* out) {
    v1::ApplyForTransferRequest req;
    *req.mutable_meta() = Meta();
    *req.mutable_application() = a;
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::ApplyForTransferResponse reply;
    grpc::Status s = registry_->ApplyForTransfer(&ctx, req, &reply);
    *out = reply.consultation();
    return s;
  }
  std::string Applied() {
    v1::Consultation c;
    grpc::Status s = Apply(kGenerator, Application(), &c);
    EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
    return c.number();
  }

  grpc::Status Act(const std::string& who, const std::string& number,
                   v1::ConsultationAction action, const std::string& text,
                   v1::Consultation* out) {
    v1::ActOnConsultationRequest req;
    *req.mutable_meta() = Meta();
    req.set_number(number);
    req.set_action(action);
    req.set_text(text);
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::ActOnConsultationResponse reply;
    grpc::Status s = registry_->ActOnConsultation(&ctx, req, &reply);
    *out = reply.consultation();
    return s;
  }
  v1::Consultation Act(const std::string& who, const std::string& number,
                       v1::ConsultationAction action,
                       const std::string& text = "") {
    v1::Consultation c;
    grpc::Status s = Act(who, number, action, text, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return c;
  }

  grpc::Status Get(const std::string& who, const std::string& number,
                   v1::Consultation* out) {
    v1::GetConsultationRequest req;
    req.set_number(number);
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::GetConsultationResponse reply;
    grpc::Status s = registry_->GetConsultation(&ctx, req, &reply);
    *out = reply.consultation();
    return s;
  }

  // The numbers `who` lists for `province`, held by `holder`, overdue.
  std::vector<std::string> Overdue(const std::string& who,
                                   const std::string& province,
                                   const std::string& holder) {
    v1::ListConsultationsRequest req;
    req.set_province(province);
    req.set_holder(holder);
    req.set_overdue_only(true);
    grpc::ClientContext ctx;
    As(&ctx, who);
    v1::ListConsultationsResponse reply;
    grpc::Status s = registry_->ListConsultations(&ctx, req, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> out;
    for (const v1::Consultation& c : reply.consultations()) {
      EXPECT_TRUE(c.deadline().overdue());
      out.push_back(c.number());
    }
    return out;
  }
};

TEST_F(ConsultationIntegrationTest, ARunToApprovalLetsTheTransferGo) {
  const std::string n = Applied();
  EXPECT_EQ(n, "3332-2026-000001");
  Act(kProvinceRegulator, n, v1::CONSULTATION_ACTION_ACCEPT);
  Act(kProvinceRegulator, n, v1::CONSULTATION_ACTION_SEND_LETTER,
      "初审同意移出");
  v1::Consultation c = Act(kJiangsuBureau, n, v1::CONSULTATION_ACTION_AGREE);
  EXPECT_EQ(c.holder(), kProvinceRegulator);
  EXPECT_EQ(c.deadline().due(), "2026-11-30");
  c = Act(kProvinceRegulator, n, v1::CONSULTATION_ACTION_APPROVE);
  EXPECT_EQ(c.stage(), v1::CONSULTATION_STAGE_APPROVED);
  EXPECT_EQ(c.approval().valid_until(), "2027-11-22");

  // The approval it issued is the one a manifest to Suzhou is held to.
  v1::OpenManifestRequest open = OpenRequest();
  open.set_receiver(kSuzhou);
  open.clear_lines();
  v1::WasteLine* line = open.add_lines();
  line->set_code("900-249-08");
  line->set_quantity_g(800 * 1000);
  WriteReply r;
  ASSERT_TRUE(Open(open, &r).ok());
  EXPECT_EQ(r.manifest().approval(), n);
  for (const v1::Flag& f : r.manifest().flags()) {
    EXPECT_NE(f.kind(), v1::FLAG_KIND_CROSS_PROVINCE_UNAPPROVED);
  }
  // The applicant, the receiver and both provinces read it; another
  // province does not.
  for (const std::string& who :
       {kGenerator, kSuzhou, kProvinceRegulator, kJiangsuBureau,
        std::string(cradle::testing::kJiaxingRegulator)}) {
    v1::Consultation got;
    EXPECT_TRUE(Get(who, n, &got).ok()) << who;
  }
  Restart();
  v1::Consultation got;
  ASSERT_TRUE(Get(kGenerator, n, &got).ok());
  EXPECT_EQ(got.stage(), v1::CONSULTATION_STAGE_APPROVED);
  EXPECT_EQ(got.steps_size(), 5);
  ExpectDeepVerifyPasses();
}

TEST_F(ConsultationIntegrationTest, RefusedAndEveryRefusalChangesNothing) {
  const std::string n = Applied();
  v1::Consultation c;
  // The other province cannot accept, the applicant cannot approve, and a
  // bad number is named.
  grpc::Status s =
      Act(kJiangsuBureau, n, v1::CONSULTATION_ACTION_ACCEPT, "", &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("held by regulator:33"));
  s = Act(kGenerator, n, v1::CONSULTATION_ACTION_APPROVE, "", &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Act(kProvinceRegulator, "3332-2026-9", v1::CONSULTATION_ACTION_ACCEPT, "",
          &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("number"));
  s = Act(kProvinceRegulator, "3332-2026-000099",
          v1::CONSULTATION_ACTION_ACCEPT, "", &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // An application to a receiver in the generator's own province.
  v1::TransferApplication local = Application();
  local.set_receiver(cradle::testing::kReceiver);
  s = Apply(kGenerator, local, &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("application.receiver"));
  ASSERT_TRUE(Get(kGenerator, n, &c).ok());
  EXPECT_EQ(c.version(), 1);

  Act(kProvinceRegulator, n, v1::CONSULTATION_ACTION_ACCEPT);
  Act(kProvinceRegulator, n, v1::CONSULTATION_ACTION_SEND_LETTER);
  Act(kJiangsuBureau, n, v1::CONSULTATION_ACTION_DISAGREE, "处置能力已满");
  s = Act(kProvinceRegulator, n, v1::CONSULTATION_ACTION_APPROVE, "", &c);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  c = Act(kProvinceRegulator, n, v1::CONSULTATION_ACTION_REFUSE,
          "接受地省级生态环境主管部门不同意接收");
  EXPECT_EQ(c.stage(), v1::CONSULTATION_STAGE_REFUSED);
  // A refused consultation is no approval: the manifest is flagged.
  v1::OpenManifestRequest open = OpenRequest();
  open.set_receiver(kSuzhou);
  WriteReply r;
  ASSERT_TRUE(Open(open, &r).ok());
  EXPECT_EQ(r.manifest().approval(), "");
  // A second application of the pair takes the next number.
  EXPECT_EQ(Applied(), "3332-2026-000002");
  ExpectDeepVerifyPasses();
}

// Each stage runs past its limit (2026-11-23 is a Monday: five working
// days run to 30 November, ten to 7 December), and each shows overdue to
// the bureau that holds it, not to the other.
TEST_F(ConsultationIntegrationTest, OverdueAtEachStageForTheBureauHoldingIt) {
  const std::string applied = Applied();
  const std::string review = Applied();
  Act(kProvinceRegulator, review, v1::CONSULTATION_ACTION_ACCEPT);
  const std::string consulting = Applied();
  Act(kProvinceRegulator, consulting, v1::CONSULTATION_ACTION_ACCEPT);
  Act(kProvinceRegulator, consulting, v1::CONSULTATION_ACTION_SEND_LETTER);
  const std::string decision = Applied();
  Act(kProvinceRegulator, decision, v1::CONSULTATION_ACTION_ACCEPT);
  Act(kProvinceRegulator, decision, v1::CONSULTATION_ACTION_SEND_LETTER);
  Act(kJiangsuBureau, decision, v1::CONSULTATION_ACTION_AGREE);
  // The applicant's own stage has no limit.
  const std::string incomplete = Applied();
  Act(kProvinceRegulator, incomplete, v1::CONSULTATION_ACTION_NOTIFY_MISSING,
      "缺少危险废物特性分析报告");

  clock_.Advance(absl::Hours(7 * 24 + 14));  // Mon 30 Nov, 23:00
  EXPECT_THAT(Overdue(kProvinceRegulator, "33", kProvinceRegulator), IsEmpty());
  clock_.Advance(absl::Hours(1));  // Tue 1 Dec
  EXPECT_THAT(Overdue(kProvinceRegulator, "33", kProvinceRegulator),
              ElementsAre(applied, review, decision));
  EXPECT_THAT(Overdue(kJiangsuBureau, "32", kJiangsuBureau), IsEmpty());
  clock_.Advance(absl::Hours(7 * 24));  // Tue 8 Dec
  EXPECT_THAT(Overdue(kJiangsuBureau, "32", kJiangsuBureau),
              ElementsAre(consulting));
  EXPECT_THAT(Overdue(kProvinceRegulator, "33", kGenerator), IsEmpty());
  v1::Consultation c;
  ASSERT_TRUE(Get(kJiangsuBureau, consulting, &c).ok());
  EXPECT_EQ(c.deadline().due(), "2026-12-07");
  EXPECT_TRUE(c.deadline().overdue());
  EXPECT_EQ(c.deadline().working_days(), 10);
  // Acting late is allowed, and the next stage's clock starts then.
  c = Act(kJiangsuBureau, consulting, v1::CONSULTATION_ACTION_AGREE);
  EXPECT_FALSE(c.deadline().overdue());
  EXPECT_EQ(c.deadline().due(), "2026-12-15");
  // Listing a province is for its regulators.
  v1::ListConsultationsRequest req;
  req.set_province("32");
  grpc::ClientContext ctx;
  As(&ctx, kGenerator);
  v1::ListConsultationsResponse reply;
  EXPECT_EQ(registry_->ListConsultations(&ctx, req, &reply).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ConsultationIntegrationTest, AWhiteListedApplicationNeedsNoLetter) {
  v1::FileWhiteListRequest req;
  *req.mutable_meta() = Meta();
  v1::WhiteList* w = req.mutable_white_list();
  w->set_origin_province("33");
  w->set_destination_province("32");
  w->set_year(2026);
  v1::WhiteListItem* item = w->add_items();
  item->set_code("HW08");
  item->set_max_kg(5000);
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::FileWhiteListResponse reply;
    grpc::Status s = registry_->FileWhiteList(&ctx, req, &reply);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    As(&ctx, kJiangsuBureau);
    v1::FileWhiteListResponse reply;
    grpc::Status s = registry_->FileWhiteList(&ctx, req, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(reply.white_list().number(), "3332-2026");
  }
  const std::string n = Applied();
  Act(kProvinceRegulator, n, v1::CONSULTATION_ACTION_ACCEPT);
  v1::Consultation c =
      Act(kProvinceRegulator, n, v1::CONSULTATION_ACTION_APPROVE);
  EXPECT_EQ(c.stage(), v1::CONSULTATION_STAGE_APPROVED);
  EXPECT_EQ(c.white_list(), "3332-2026");
  {
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    v1::GetWhiteListRequest get;
    get.set_number("3332-2026");
    v1::GetWhiteListResponse reply;
    ASSERT_TRUE(registry_->GetWhiteList(&ctx, get, &reply).ok());
    EXPECT_EQ(reply.white_list().items(0).code(), "HW08");
  }
  ExpectDeepVerifyPasses();
}

}  // namespace
}  // namespace cradle
