// The printed operator's report read back by pdftotext: the period, the
// operator, each code's figures and methods, the manifest lines, the notes,
// the zero report's mark, and the pages a long report runs to.

#include "print/report_pdf.h"

#include <string>

#include "absl/strings/str_cat.h"
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

constexpr char kOperator[] = "91330481MA2C7H8J9E";

v1::GetOperatorReportResponse Report(int entries) {
  v1::GetOperatorReportResponse r;
  r.set_operator_(kOperator);
  r.set_period("2026-12-03");
  r.set_as_of("2026-12-04");
  v1::OperatorReportLine* l = r.add_lines();
  l->set_code("900-249-08");
  l->set_stock_start_g(300 * 1000);
  l->set_accepted_g(1250 * 1000);
  l->set_treated_g(350 * 1000);
  l->set_stock_end_g(1200 * 1000);
  l->set_manifests(2);
  v1::TreatedByMethod* t = l->add_treated();
  t->set_method("D10");
  t->set_grams(350 * 1000);
  for (int i = 0; i < entries; ++i) {
    v1::OperatorReportEntry* e = r.add_entries();
    e->set_kind(v1::OperatorReportEntry::KIND_RECEIPT);
    e->set_manifest(absl::StrCat("2026330400", 1000 + i));
    e->set_line(1);
    e->set_code("900-249-08");
    e->set_generator("91330402MA2B3C4D53");
    e->set_grams(1000);
    e->set_at("2026-12-03T08:00:00+08:00");
  }
  r.add_notes(
      "manifest 20263304000001: 100kg accepted on 2025-06-01 not "
      "treated within 365 days");
  return r;
}

class ReportPdfTest : public ::testing::Test {
 protected:
  void TearDown() override { ReleasePrintCaches(); }
};

TEST_F(ReportPdfTest, ShowsTheFiguresTheLinesAndTheNotes) {
  cradle::testing::TempDir dir;
  const std::string pdf = dir.path() + "/report.pdf";
  ASSERT_TRUE(
      WriteOperatorReportPdf(Report(2), "海宁绿能固废处置有限公司", pdf).ok());
  const std::string text = PdfText(pdf);
  for (const std::string want :
       {"危险废物经营情况报告", "2026-12-03", "海宁绿能固废处置有限公司",
        kOperator, "900-249-08", "1.25t", "1.2t", "其中 D10: 350kg",
        "20263304001001", "not treated within 365 days"}) {
    EXPECT_THAT(text, HasSubstr(want));
  }
  EXPECT_THAT(text, Not(HasSubstr("零报告")));
  EXPECT_THAT(text, Not(HasSubstr("续")));
}

TEST_F(ReportPdfTest, AZeroReportSaysSoAndALongOneRunsOnto) {
  cradle::testing::TempDir dir;
  v1::GetOperatorReportResponse zero;
  zero.set_operator_(kOperator);
  zero.set_period("2026-12-02");
  zero.set_zero(true);
  ASSERT_TRUE(WriteOperatorReportPdf(zero, "", dir.path() + "/zero.pdf").ok());
  const std::string text = PdfText(dir.path() + "/zero.pdf");
  EXPECT_THAT(text, HasSubstr("零报告"));
  EXPECT_THAT(text, HasSubstr("(无)"));

  ASSERT_TRUE(
      WriteOperatorReportPdf(Report(200), "", dir.path() + "/long.pdf").ok());
  const std::string long_text = PdfText(dir.path() + "/long.pdf");
  EXPECT_THAT(long_text, HasSubstr("续, 第 2 页"));
  EXPECT_THAT(long_text, HasSubstr("20263304001199"));
}

TEST_F(ReportPdfTest, AFileThatCannotBeWrittenIsNamed) {
  const absl::Status s =
      WriteOperatorReportPdf(Report(1), "", "/nonexistent/dir/report.pdf");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("/nonexistent/dir/report.pdf"));
}

}  // namespace
}  // namespace cradle::print
