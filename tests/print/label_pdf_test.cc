// Labels as a printer receives them: the PDF read back by poppler (text,
// fonts, pages, a rendering) and its QR codes decoded by zbar, so the test
// sees what a person and a scanner would. Needs poppler-utils and
// zbar-tools (scripts/install-deps.sh test).

#include "print/label_pdf.h"

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "domain/container.h"
#include "print/pdf_canvas.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace cradle::print {
namespace {

using ::cradle::testing::RunResult;
using ::testing::HasSubstr;

constexpr char kGenerator[] = "91330402MA2B3C4D53";

std::string Tool(const std::string& name) {
  const std::string path = "/usr/bin/" + name;
  std::ifstream probe(path);
  EXPECT_TRUE(probe.good())
      << path << " is missing: scripts/install-deps.sh test";
  return path;
}

LabelContent Drum(int seq, int64_t grams) {
  LabelContent l;
  v1::Container& c = l.container;
  c.set_code(domain::FormatContainerCode(kGenerator, "900-249-08",
                                         absl::CivilDay(2026, 11, 22), seq));
  c.set_generator(kGenerator);
  c.set_waste_code("900-249-08");
  c.set_name("废矿物油与含矿物油废物");
  c.set_constituents("矿物油, 苯系物, 多环芳烃; 含少量水分与机械杂质");
  c.add_hazards(v1::HAZARD_CHARACTERISTIC_TOXICITY);
  c.add_hazards(v1::HAZARD_CHARACTERISTIC_IGNITABILITY);
  c.set_generation_date("2026-11-22");
  c.set_weight_g(grams);
  c.set_packaging("铁桶");
  c.set_form(v1::PHYSICAL_FORM_LIQUID);
  c.set_contact("王经理 13812345678");
  l.generator_name = "嘉兴南湖精细化工有限公司";
  return l;
}

// One page of a PDF rendered to a binary PPM at `dpi`.
struct Image {
  int width = 0, height = 0;
  std::string rgb;

  bool Orange(int x, int y) const {
    const unsigned char* p =
        reinterpret_cast<const unsigned char*>(rgb.data()) +
        3 * (static_cast<size_t>(y) * width + x);
    return p[0] > 220 && p[1] > 110 && p[1] < 190 && p[2] < 60;
  }
};

Image Render(const std::string& pdf, int page, int dpi,
             const std::string& dir) {
  const std::string base = dir + "/page";
  RunResult r = cradle::testing::Run(
      {Tool("pdftoppm"), "-r", std::to_string(dpi), "-f", std::to_string(page),
       "-l", std::to_string(page), "-singlefile", pdf, base});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(base + ".ppm", std::ios::binary);
  std::string magic;
  int maxval = 0;
  Image img;
  in >> magic >> img.width >> img.height >> maxval;
  in.get();
  EXPECT_EQ(magic, "P6");
  img.rgb.assign(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(img.rgb.size(), static_cast<size_t>(3 * img.width * img.height));
  return img;
}

TEST(LabelPdfTest, SizesAreTheStandardsAndABadOneIsNamed) {
  LabelSize size;
  ASSERT_TRUE(ParseLabelSize("--size", "150", &size).ok());
  EXPECT_EQ(size, LabelSize::k150mm);
  ASSERT_TRUE(ParseLabelSize("--size", "200mm", &size).ok());
  EXPECT_EQ(size, LabelSize::k200mm);
  absl::Status bad = ParseLabelSize("--size", "120", &size);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("--size \"120\""));
  EXPECT_EQ(size, LabelSize::k200mm) << "a refusal changed the size";
}

TEST(LabelPdfTest, TheLabelsReadBackInChineseWithEveryRequiredField) {
  cradle::testing::TempDir dir;
  const std::string pdf = dir.path() + "/labels.pdf";
  std::vector<LabelContent> labels;
  for (int i = 1; i <= 5; ++i) labels.push_back(Drum(i, (190 + i) * 1000));
  ASSERT_TRUE(WriteLabelsPdf(labels, LabelSize::k100mm, pdf).ok());

  RunResult info = cradle::testing::Run({Tool("pdfinfo"), pdf});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_THAT(info.out,
              ::testing::ContainsRegex("Pages: +2\n"));  // four to a page
  EXPECT_THAT(info.out, HasSubstr("595.276 x 841.89 pts (A4)"));
  RunResult text =
      cradle::testing::Run({Tool("pdftotext"), "-enc", "UTF-8", pdf, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const std::string& want :
       {std::string("危险废物"), std::string("废物名称"),
        std::string("废矿物油与含矿物油废物"), std::string("HW08"),
        std::string("900-249-08"), std::string("液态"), std::string("毒性"),
        std::string("易燃性"), std::string("嘉兴南湖精细化工有限公司"),
        std::string("王经理 13812345678"), std::string("2026-11-22"),
        std::string("195kg"), std::string("铁桶"), std::string("数字识别码"),
        labels[4].container.code()}) {
    EXPECT_THAT(text.out, HasSubstr(want));
  }
  // The Chinese is set in an embedded CJK font, not left to the reader.
  RunResult fonts = cradle::testing::Run({Tool("pdffonts"), pdf});
  ASSERT_EQ(fonts.exit_code, 0) << fonts.err;
  EXPECT_THAT(fonts.out, HasSubstr("NotoSansCJK"));
  for (absl::string_view line : absl::StrSplit(fonts.out, '\n')) {
    if (absl::StrContains(line, "NotoSansCJK")) {
      EXPECT_THAT(std::string(line), HasSubstr(" yes ")) << "not embedded";
    }
  }
}

TEST(LabelPdfTest, EveryQrCodeScansToItsContainersCode) {
  cradle::testing::TempDir dir;
  const std::string pdf = dir.path() + "/labels.pdf";
  std::vector<LabelContent> labels;
  std::set<std::string> want;
  for (int i = 1; i <= 4; ++i) {
    labels.push_back(Drum(i, 200 * 1000));
    want.insert(labels.back().container.code());
  }
  ASSERT_TRUE(WriteLabelsPdf(labels, LabelSize::k100mm, pdf).ok());
  RunResult png =
      cradle::testing::Run({Tool("pdftoppm"), "-r", "200", "-png",
                            "-singlefile", pdf, dir.path() + "/scan"});
  ASSERT_EQ(png.exit_code, 0) << png.err;
  RunResult zbar =
      cradle::testing::Run({Tool("zbarimg"), "--quiet", "--raw", "-Sdisable",
                            "-Sqrcode.enable", dir.path() + "/scan.png"});
  ASSERT_EQ(zbar.exit_code, 0) << zbar.err;
  std::set<std::string> got;
  for (absl::string_view line :
       absl::StrSplit(zbar.out, '\n', absl::SkipEmpty())) {
    got.insert(std::string(line));
  }
  EXPECT_EQ(got, want);
}

TEST(LabelPdfTest, EachSizePrintsAtTrueSize) {
  cradle::testing::TempDir dir;
  for (LabelSize size :
       {LabelSize::k100mm, LabelSize::k150mm, LabelSize::k200mm}) {
    const int side = static_cast<int>(size);
    const std::string pdf = absl::StrCat(dir.path(), "/", side, ".pdf");
    ASSERT_TRUE(WriteLabelsPdf({Drum(1, 1000)}, size, pdf).ok());
    // At 2 pixels a millimetre: the orange ground across the label's
    // first text row spans the label, less its border.
    const Image img = Render(pdf, 1, 51, dir.path());
    ASSERT_GT(img.width, 0);
    const double px_per_mm = img.width / 210.0;
    const double top =
        side <= 100 ? (297.0 - 2 * side - 6) / 2 : (297.0 - side) / 2;
    const int y = static_cast<int>((top + side * 0.155) * px_per_mm);
    int first = -1, last = -1;
    for (int x = 0; x < img.width; ++x) {
      if (img.Orange(x, y)) {
        if (first < 0) first = x;
        last = x;
      }
    }
    ASSERT_GE(first, 0) << side << " mm: no label ground on row " << y;
    const double mm = (last - first + 1) / px_per_mm;
    EXPECT_NEAR(mm, side, 3) << side << " mm";
  }
}

TEST(LabelPdfTest, NothingToPrintAndAnUnwritableFileAreRefused) {
  cradle::testing::TempDir dir;
  EXPECT_EQ(WriteLabelsPdf({}, LabelSize::k100mm, dir.path() + "/x.pdf").code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status s = WriteLabelsPdf({Drum(1, 1000)}, LabelSize::k100mm,
                                  dir.path() + "/no/such/dir/x.pdf");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("no/such/dir/x.pdf"));
}

// Lets the sanitizer's leak check see only our own allocations.
class ReleaseCaches : public ::testing::Environment {
 public:
  void TearDown() override { ReleasePrintCaches(); }
};
const auto* const kRelease =
    ::testing::AddGlobalTestEnvironment(new ReleaseCaches);

}  // namespace
}  // namespace cradle::print
