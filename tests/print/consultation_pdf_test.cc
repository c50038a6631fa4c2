// The printed consultation read back by pdftotext: the application, every
// step, and each letter on its own page (the consultation letter, the
// reply, the decision) naming the two provinces' bureaus.

#include "print/consultation_pdf.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "print/pdf_canvas.h"
#include "tests/testing/pdf_text.h"
#include "tests/testing/temp_dir.h"

namespace cradle::print {
namespace {

using ::cradle::testing::PdfText;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

v1::ConsultationStep Step(v1::ConsultationAction action, const char* by,
                          int day, const char* text = "") {
  v1::ConsultationStep s;
  s.set_action(action);
  s.set_by(by);
  *s.mutable_at() =
      ToTimestamp(absl::FromCivil(absl::CivilSecond(2026, 12, day, 10, 0, 0),
                                  absl::FixedTimeZone(8 * 3600)));
  s.set_text(text);
  return s;
}

v1::Consultation Approved() {
  v1::Consultation c;
  c.set_number("3332-2026-000001");
  c.set_origin_province("33");
  c.set_destination_province("32");
  c.set_stage(v1::CONSULTATION_STAGE_APPROVED);
  v1::TransferApplication* a = c.mutable_application();
  a->set_generator("91330402MA2B3C4D53");
  a->set_receiver("91320506MA2K7R8T90");
  a->add_codes("900-249-08");
  a->set_method("R9");
  a->set_quantity_kg(120000);
  a->set_valid_from("2026-12-07");
  a->set_valid_until("2027-09-30");
  *c.add_steps() = Step(v1::CONSULTATION_ACTION_APPLY, "91330402MA2B3C4D53", 1);
  *c.add_steps() = Step(v1::CONSULTATION_ACTION_ACCEPT, "regulator:33", 2);
  *c.add_steps() = Step(v1::CONSULTATION_ACTION_SEND_LETTER, "regulator:33", 3,
                        "初审同意移出");
  *c.add_steps() =
      Step(v1::CONSULTATION_ACTION_AGREE, "regulator:32", 4, "同意接收");
  *c.add_steps() = Step(v1::CONSULTATION_ACTION_APPROVE, "regulator:33", 7);
  v1::Approval* ap = c.mutable_approval();
  ap->set_number("3332-2026-000001");
  ap->set_receiver("91320506MA2K7R8T90");
  ap->add_codes("900-249-08");
  ap->set_quantity_kg(120000);
  ap->set_valid_from("2026-12-07");
  ap->set_valid_until("2027-09-30");
  return c;
}

class ConsultationPdfTest : public ::testing::Test {
 protected:
  void TearDown() override { ReleasePrintCaches(); }
};

TEST_F(ConsultationPdfTest, EachLetterIsOnItsOwnPage) {
  cradle::testing::TempDir dir;
  const std::string pdf = dir.path() + "/consultation.pdf";
  ConsultationParties names{"嘉兴南湖精细化工有限公司",
                            "苏州吴中固废处置有限公司"};
  ASSERT_TRUE(WriteConsultationPdf(Approved(), names, pdf).ok());
  const std::string text = PdfText(pdf);
  // pdftotext ends each page with a form feed.
  const std::vector<std::string> pages = absl::StrSplit(text, '\f');
  ASSERT_THAT(pages, SizeIs(5));  // the record, 3 letters, the empty tail
  EXPECT_THAT(pages[0], HasSubstr("危险废物跨省转移申请"));
  EXPECT_THAT(pages[0], HasSubstr("3332-2026-000001"));
  EXPECT_THAT(pages[0], HasSubstr("嘉兴南湖精细化工有限公司"));
  EXPECT_THAT(pages[0], HasSubstr("SEND_LETTER"));
  EXPECT_THAT(pages[1], HasSubstr("商请函"));
  EXPECT_THAT(pages[1], HasSubstr("江苏省生态环境主管部门"));
  EXPECT_THAT(pages[1], HasSubstr("初审同意移出"));
  EXPECT_THAT(pages[1], HasSubstr("2026年12月03日"));
  EXPECT_THAT(pages[2], HasSubstr("复函"));
  EXPECT_THAT(pages[2], HasSubstr("意见: 同意接收"));
  EXPECT_THAT(pages[3], HasSubstr("批准决定"));
  EXPECT_THAT(pages[3], HasSubstr("2027-09-30"));
  EXPECT_THAT(pages[3], Not(HasSubstr("白名单")));
}

TEST_F(ConsultationPdfTest, ARefusalAndAWhiteListAreSaid) {
  cradle::testing::TempDir dir;
  v1::Consultation c = Approved();
  c.set_white_list("3332-2026");
  std::string pdf = dir.path() + "/white.pdf";
  ASSERT_TRUE(WriteConsultationPdf(c, {}, pdf).ok());
  EXPECT_THAT(PdfText(pdf), HasSubstr("白名单 3332-2026"));
  // No names registered: the USCC stands in.
  EXPECT_THAT(PdfText(pdf), HasSubstr("91330402MA2B3C4D53"));

  c.mutable_steps()->RemoveLast();
  c.clear_approval();
  *c.mutable_steps(3) =
      Step(v1::CONSULTATION_ACTION_DISAGREE, "regulator:32", 4, "处置能力已满");
  *c.add_steps() = Step(v1::CONSULTATION_ACTION_REFUSE, "regulator:33", 7,
                        "接受地不同意接收");
  c.set_stage(v1::CONSULTATION_STAGE_REFUSED);
  pdf = dir.path() + "/refused.pdf";
  ASSERT_TRUE(WriteConsultationPdf(c, {}, pdf).ok());
  const std::string text = PdfText(pdf);
  EXPECT_THAT(text, HasSubstr("理由: 处置能力已满"));
  EXPECT_THAT(text, HasSubstr("处置能力已满"));
  EXPECT_THAT(text, HasSubstr("不予批准"));
  EXPECT_THAT(text, HasSubstr("接受地不同意接收"));
  EXPECT_FALSE(
      WriteConsultationPdf(c, {}, dir.path() + "/no/such/dir/x.pdf").ok());
}

}  // namespace
}  // namespace cradle::print
