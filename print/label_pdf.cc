#include "print/label_pdf.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

#include "base/quote.h"
#include "domain/legal_form.h"
#include "domain/quantity.h"
#include "domain/waste_catalogue.h"
#include "print/pdf_canvas.h"

namespace cradle::print {
namespace {

// The label's colours (HJ 1276-2022, 危险废物标签): an orange-yellow
// ground, black text and border.
constexpr Rgb kLabelGround{1.0, 150.0 / 255.0, 0.0};
constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kWhite{1, 1, 1};
constexpr Rgb kHazardRed{0.85, 0.0, 0.0};

const char* FormName(v1::PhysicalForm form) {
  switch (form) {
    case v1::PHYSICAL_FORM_SOLID:
      return "固态";
    case v1::PHYSICAL_FORM_SEMI_SOLID:
      return "半固态";
    case v1::PHYSICAL_FORM_LIQUID:
      return "液态";
    case v1::PHYSICAL_FORM_GAS:
      return "气态";
    default:
      return "";
  }
}

// The hazard characteristics in the label's words, in the order T, C, I,
// R, In.
std::vector<std::string> HazardWords(const v1::Container& c) {
  static const char* const kWords[] = {"毒性", "腐蚀性", "易燃性", "反应性",
                                       "感染性"};
  std::vector<std::string> out;
  for (int h : domain::HazardCharacteristics(domain::HazardBits(c.hazards()))) {
    out.push_back(kWords[h - 1]);
  }
  return out;
}

std::string Category(const v1::Container& c) {
  absl::StatusOr<const domain::WasteCode*> w =
      domain::WasteCatalogue::Builtin().Lookup("waste_code", c.waste_code());
  return w.ok() ? (*w)->category : "";
}

// A hazard pictogram: a red-bordered white diamond with the word inside,
// centred at (x, y), `side` mm across.
void HazardDiamond(PdfCanvas& pdf, double x, double y, double side,
                   const std::string& word) {
  const double h = side / 2;
  pdf.Polygon({{x, y - h}, {x + h, y}, {x, y + h}, {x - h, y}}, kWhite,
              kHazardRed, side * 0.07);
  const double size = word.size() > 6 ? side * 0.17 : side * 0.2;
  pdf.TextCentred(word, x, y + size * 0.35, size, kBlack, true);
}

// One label with its top-left corner at (x, y), in a 100 mm design scaled
// to the label's size.
absl::Status DrawLabel(PdfCanvas& pdf, const LabelContent& label, double x,
                       double y, double scale) {
  const v1::Container& c = label.container;
  pdf.Save();
  pdf.Translate(x, y);
  pdf.Scale(scale);
  pdf.Rect(0, 0, 100, 100, kLabelGround, kBlack, 0.8);
  pdf.TextCentred("危险废物", 50, 10.5, 7.5, kBlack, true);
  pdf.Line(2, 13.5, 98, 13.5, kBlack, 0.4);

  const double left = 3.5;
  const double text = 2.9;
  double row = 18;
  auto field = [&](const std::string& name, const std::string& value,
                   double width) {
    row = pdf.Field(left, row, name, value, width, text, kBlack);
  };
  field("废物名称:", c.name(), 64);
  field("废物类别:",
        absl::StrCat(Category(c), "    废物代码: ", c.waste_code()), 64);
  const std::string form = FormName(c.form());
  field("废物形态:", form.empty() ? "—" : form, 64);
  field("主要成分:", c.constituents().empty() ? "—" : c.constituents(), 64);
  field("危险特性:", absl::StrJoin(HazardWords(c), "、"), 64);
  field("产生单位:", label.generator_name, 64);
  field("统一代码:", c.generator(), 64);
  field("联系方式:", c.contact().empty() ? "—" : c.contact(), 62);
  field("产生日期:", c.generation_date(), 62);
  field("废物重量:", domain::FormatGrams(c.weight_g()), 62);
  field("包装方式:", c.packaging(), 62);

  // The hazard pictograms, down the right-hand column.
  const std::vector<std::string> words = HazardWords(c);
  double dy = 22;
  for (const std::string& w : words) {
    HazardDiamond(pdf, 84, dy, 15, w);
    dy += words.size() > 3 ? 10.5 : 15.5;
  }

  // The digital identification code and its QR code at the foot.
  pdf.Line(2, 86.5, 98, 86.5, kBlack, 0.3);
  pdf.Text("数字识别码:", left, 91, 2.6, kBlack, true);
  pdf.Text(c.code(), left, 95.5, 2.7, kBlack, false);
  absl::Status qr = pdf.QrCode(LabelQrPayload(c), 71, 60, 26, kBlack, kWhite);
  pdf.Restore();
  return qr;
}

}  // namespace

absl::Status ParseLabelSize(absl::string_view field, absl::string_view text,
                            LabelSize* size) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  absl::ConsumeSuffix(&t, "mm");
  int mm = 0;
  if (absl::SimpleAtoi(t, &mm) && (mm == 100 || mm == 150 || mm == 200)) {
    *size = static_cast<LabelSize>(mm);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, " ", Quote(text),
      " is no label size: 100 (up to 50 L), 150 (up to 450 L) or 200 (mm)"));
}

std::string LabelQrPayload(const v1::Container& container) {
  return container.code();
}

absl::Status WriteLabelsPdf(const std::vector<LabelContent>& labels,
                            LabelSize size, const std::string& path) {
  if (labels.empty()) {
    return absl::InvalidArgumentError("no containers to print a label for");
  }
  const double side = static_cast<int>(size);
  const int per_row = side <= 100 ? 2 : 1;
  const int per_page = side <= 100 ? 4 : 1;
  // Centred on A4 (210 x 297 mm) with room for the cut.
  const double gap = 6;
  const double across = per_row * side + (per_row - 1) * gap;
  const double down =
      (per_page / per_row) * side + (per_page / per_row - 1) * gap;
  const double x0 = (kA4WidthMm - across) / 2;
  const double y0 = (kA4HeightMm - down) / 2;

  absl::StatusOr<std::unique_ptr<PdfCanvas>> pdf = PdfCanvas::Create(path);
  if (!pdf.ok()) return pdf.status();
  for (size_t i = 0; i < labels.size(); ++i) {
    const int slot = static_cast<int>(i % per_page);
    if (i > 0 && slot == 0) (*pdf)->NextPage();
    const double x = x0 + (slot % per_row) * (side + gap);
    const double y = y0 + (slot / per_row) * (side + gap);
    (*pdf)->CutMarks(x, y, side, side);
    absl::Status drawn = DrawLabel(**pdf, labels[i], x, y, side / 100.0);
    if (!drawn.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "label of ", labels[i].container.code(), ": ", drawn.message()));
    }
  }
  return (*pdf)->Finish();
}

}  // namespace cradle::print
