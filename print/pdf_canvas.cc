#include "print/pdf_canvas.h"

#include <cairo.h>
#include <qrencode.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>

#include "base/quote.h"

namespace cradle::print {
namespace {

constexpr double kPointsPerMm = 72.0 / 25.4;

// The length in bytes of the UTF-8 character that starts with `lead`.
size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xe) return 3;
  if ((lead >> 3) == 0x1e) return 4;
  return 1;  // not a lead byte: step over it
}

}  // namespace

void ReleasePrintCaches() {
  cairo_debug_reset_static_data();
  FcFini();
}

absl::StatusOr<std::unique_ptr<PdfCanvas>> PdfCanvas::Create(
    const std::string& path) {
  cairo_surface_t* surface = cairo_pdf_surface_create(
      path.c_str(), kA4WidthMm * kPointsPerMm, kA4HeightMm * kPointsPerMm);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    const std::string why =
        cairo_status_to_string(cairo_surface_status(surface));
    cairo_surface_destroy(surface);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", Quote(path), ": ", why));
  }
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Cradle");
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, kPointsPerMm, kPointsPerMm);
  return std::unique_ptr<PdfCanvas>(new PdfCanvas(surface, cr, path));
}

PdfCanvas::PdfCanvas(cairo_surface_t* surface, cairo_t* cr, std::string path)
    : surface_(surface), cr_(cr), path_(std::move(path)) {}

PdfCanvas::~PdfCanvas() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

void PdfCanvas::NextPage() { cairo_show_page(cr_); }

absl::Status PdfCanvas::Finish() {
  if (finished_) return absl::OkStatus();
  finished_ = true;
  cairo_show_page(cr_);
  cairo_surface_finish(surface_);
  const cairo_status_t status = cairo_surface_status(surface_);
  if (status != CAIRO_STATUS_SUCCESS) {
    return absl::DataLossError(absl::StrCat("writing ", Quote(path_), ": ",
                                            cairo_status_to_string(status)));
  }
  return absl::OkStatus();
}

void PdfCanvas::Save() { cairo_save(cr_); }
void PdfCanvas::Restore() { cairo_restore(cr_); }
void PdfCanvas::Translate(double x, double y) { cairo_translate(cr_, x, y); }
void PdfCanvas::Scale(double factor) { cairo_scale(cr_, factor, factor); }

void PdfCanvas::Rect(double x, double y, double w, double h, Rgb fill,
                     Rgb stroke, double line_width) {
  cairo_rectangle(cr_, x, y, w, h);
  cairo_set_source_rgb(cr_, fill.r, fill.g, fill.b);
  cairo_fill_preserve(cr_);
  cairo_set_source_rgb(cr_, stroke.r, stroke.g, stroke.b);
  cairo_set_line_width(cr_, line_width);
  cairo_stroke(cr_);
}

void PdfCanvas::Line(double x1, double y1, double x2, double y2, Rgb colour,
                     double width) {
  cairo_move_to(cr_, x1, y1);
  cairo_line_to(cr_, x2, y2);
  cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
  cairo_set_line_width(cr_, width);
  cairo_stroke(cr_);
}

void PdfCanvas::Polygon(const std::vector<std::pair<double, double>>& points,
                        Rgb fill, Rgb stroke, double line_width) {
  if (points.empty()) return;
  cairo_move_to(cr_, points[0].first, points[0].second);
  for (size_t i = 1; i < points.size(); ++i) {
    cairo_line_to(cr_, points[i].first, points[i].second);
  }
  cairo_close_path(cr_);
  cairo_set_source_rgb(cr_, fill.r, fill.g, fill.b);
  cairo_fill_preserve(cr_);
  cairo_set_source_rgb(cr_, stroke.r, stroke.g, stroke.b);
  cairo_set_line_width(cr_, line_width);
  cairo_stroke(cr_);
}

void PdfCanvas::CutMarks(double x, double y, double w, double h) {
  constexpr double kGap = 1.5;
  constexpr double kMark = 3;
  const Rgb grey{0.4, 0.4, 0.4};
  for (double cx : {x, x + w}) {
    for (double cy : {y, y + h}) {
      const double sx = cx == x ? -1 : 1;
      const double sy = cy == y ? -1 : 1;
      Line(cx + sx * kGap, cy, cx + sx * (kGap + kMark), cy, grey, 0.2);
      Line(cx, cy + sy * kGap, cx, cy + sy * (kGap + kMark), grey, 0.2);
    }
  }
}

void PdfCanvas::Font(double size, bool bold) {
  cairo_select_font_face(
      cr_, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
      bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
}

void PdfCanvas::Text(const std::string& text, double x, double y, double size,
                     Rgb colour, bool bold) {
  Font(size, bold);
  cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
  cairo_move_to(cr_, x, y);
  cairo_show_text(cr_, text.c_str());
}

void PdfCanvas::TextCentred(const std::string& text, double x, double y,
                            double size, Rgb colour, bool bold) {
  Text(text, x - TextWidth(text, size, bold) / 2, y, size, colour, bold);
}

double PdfCanvas::TextWidth(const std::string& text, double size, bool bold) {
  Font(size, bold);
  cairo_text_extents_t extents;
  cairo_text_extents(cr_, text.c_str(), &extents);
  return extents.x_advance;
}

std::vector<std::string> PdfCanvas::Wrap(const std::string& text, double width,
                                         double size, bool bold) {
  std::vector<std::string> lines;
  std::string line;
  for (size_t i = 0; i < text.size();) {
    const size_t n = std::min(Utf8Length(text[i]), text.size() - i);
    const std::string ch = text.substr(i, n);
    i += n;
    if (ch == "\n") {
      lines.push_back(std::move(line));
      line.clear();
      continue;
    }
    if (!line.empty() && TextWidth(line + ch, size, bold) > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    line += ch;
  }
  if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
  return lines;
}

double PdfCanvas::Field(double x, double y, const std::string& name,
                        const std::string& value, double width, double size,
                        Rgb colour) {
  Text(name, x, y, size, colour, true);
  const double indent = TextWidth(name, size, true) + size * 0.4;
  const double leading = size * 1.45;
  for (const std::string& line : Wrap(value, width - indent, size, false)) {
    Text(line, x + indent, y, size, colour, false);
    y += leading;
  }
  return y;
}

absl::Status PdfCanvas::QrCode(const std::string& payload, double x, double y,
                               double side, Rgb dark, Rgb light) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeData(static_cast<int>(payload.size()),
                        reinterpret_cast<const unsigned char*>(payload.data()),
                        0, QR_ECLEVEL_M),
      &QRcode_free);
  if (qr == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("a QR code cannot hold ", payload.size(), " bytes"));
  }
  constexpr int kQuiet = 4;  // modules of light margin, as ISO/IEC 18004 asks
  const int modules = qr->width + 2 * kQuiet;
  const double m = side / modules;
  cairo_rectangle(cr_, x, y, side, side);
  cairo_set_source_rgb(cr_, light.r, light.g, light.b);
  cairo_fill(cr_);
  cairo_set_source_rgb(cr_, dark.r, dark.g, dark.b);
  // One rectangle per run of dark modules, a little taller than a module
  // so that no rasteriser leaves a seam between rows.
  for (int row = 0; row < qr->width; ++row) {
    const unsigned char* data = qr->data + row * qr->width;
    for (int col = 0; col < qr->width;) {
      if (!(data[col] & 1)) {
        ++col;
        continue;
      }
      int end = col;
      while (end < qr->width && (data[end] & 1)) ++end;
      cairo_rectangle(cr_, x + (col + kQuiet) * m, y + (row + kQuiet) * m,
                      (end - col) * m, row + 1 < qr->width ? m * 1.05 : m);
      col = end;
    }
  }
  cairo_fill(cr_);
  return absl::OkStatus();
}

}  // namespace cradle::print

// LeakSanitizer's suppressions for the libraries this file links, read in
// sanitized builds of every program that prints (a weak hook, here so that
// it is linked wherever a PdfCanvas is; no effect elsewhere). Third-party
// code only; ours gets none. cairo 1.16.0 (Debian 12) leaks two small
// arrays (768 bytes each) inside cairo_surface_finish of every PDF that
// embeds a font subset, allocated by its own array code; nothing of ours is
// on the path but the call in PdfCanvas::Finish.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcairo.so.2\n";
}
