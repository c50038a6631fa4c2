// The printed annual declaration read back by pdftotext: the generator and
// year, each code's figures against the plan, the receivers, the notes,
// and a year with nothing in it said as such.

#include "print/declaration_pdf.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "print/pdf_canvas.h"
#include "tests/testing/pdf_text.h"
#include "tests/testing/temp_dir.h"

namespace cradle::print {
namespace {

using ::cradle::testing::PdfText;
using ::testing::HasSubstr;
using ::testing::Not;

v1::GetDeclarationResponse Declaration() {
  v1::GetDeclarationResponse d;
  d.set_generator("91330402MA2B3C4D53");
  d.set_year(2026);
  d.set_plan_number("330402-2026-0001");
  d.set_as_of("2026-12-04");
  v1::DeclarationLine* l = d.add_lines();
  l->set_code("900-249-08");
  l->set_planned_g(12000000);
  l->set_generated_g(1250000);
  l->set_shipped_g(750000);
  l->set_own_use_g(0);
  l->set_stock_start_g(0);
  l->set_stock_end_g(500000);
  l->set_labelled_g(1250000);
  v1::DeclaredTransfer* t = l->add_transfers();
  t->set_receiver("91330481MA2C7H8J9E");
  t->set_shipped_g(750000);
  t->set_planned_g(10000000);
  t->set_manifests(1);
  t = l->add_transfers();
  t->set_receiver("91330106MA2D1E2F32");
  t->set_shipped_g(0);
  t->set_manifests(0);
  d.add_notes("900-249-08: 1.25t generated of 12t planned (10%)");
  return d;
}

class DeclarationPdfTest : public ::testing::Test {
 protected:
  void TearDown() override { ReleasePrintCaches(); }
};

TEST_F(DeclarationPdfTest, ShowsTheFiguresTheReceiversAndTheNotes) {
  cradle::testing::TempDir dir;
  const std::string pdf = dir.path() + "/declaration.pdf";
  ASSERT_TRUE(
      WriteDeclarationPdf(Declaration(), "嘉兴南湖精细化工有限公司", pdf).ok());
  const std::string text = PdfText(pdf);
  EXPECT_THAT(text, HasSubstr("年度申报"));
  EXPECT_THAT(text, HasSubstr("嘉兴南湖精细化工有限公司 (91330402MA2B3C4D53)"));
  EXPECT_THAT(text, HasSubstr("330402-2026-0001"));
  EXPECT_THAT(text, HasSubstr("900-249-08"));
  EXPECT_THAT(text, HasSubstr("1.25t"));
  EXPECT_THAT(text, HasSubstr("750kg"));
  EXPECT_THAT(text, HasSubstr("91330481MA2C7H8J9E"));
  EXPECT_THAT(text, HasSubstr("计划外"));
  EXPECT_THAT(text, HasSubstr("(10%)"));
  EXPECT_THAT(text, Not(HasSubstr("(未备案)")));
}

TEST_F(DeclarationPdfTest, AnEmptyYearWithoutAPlanIsSaid) {
  cradle::testing::TempDir dir;
  v1::GetDeclarationResponse d;
  d.set_generator("91330402MA2B3C4D53");
  d.set_year(2025);
  d.set_as_of("2026-12-04");
  const std::string pdf = dir.path() + "/empty.pdf";
  ASSERT_TRUE(WriteDeclarationPdf(d, "", pdf).ok());
  const std::string text = PdfText(pdf);
  EXPECT_THAT(text, HasSubstr("(未备案)"));
  EXPECT_THAT(text, HasSubstr("本年度无产生"));
  EXPECT_THAT(text, HasSubstr("91330402MA2B3C4D53"));
  EXPECT_FALSE(WriteDeclarationPdf(d, "", dir.path() + "/no/dir/x.pdf").ok());
}

}  // namespace
}  // namespace cradle::print
