#pragma once

// A PDF drawn in millimetres on A4 pages: the few shapes, texts and QR
// codes Cradle's printed documents are made of, over cairo (PDF) and
// libqrencode (QR). Text is set in Noto Sans CJK SC from fonts-noto-cjk,
// found through fontconfig; the fonts are embedded, so the file prints the
// same anywhere.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;

namespace cradle::print {

inline constexpr double kA4WidthMm = 210;
inline constexpr double kA4HeightMm = 297;

// The font every document is set in.
inline constexpr char kFontFamily[] = "Noto Sans CJK SC";

struct Rgb {
  double r, g, b;
};

// Frees what cairo and fontconfig keep for the life of the process (font
// caches, configuration), for a leak checker at exit. No PdfCanvas may be
// alive, and printing after it loads them again.
void ReleasePrintCaches();

class PdfCanvas {
 public:
  // Opens `path` for writing, with an A4 first page. Fails naming the file.
  static absl::StatusOr<std::unique_ptr<PdfCanvas>> Create(
      const std::string& path);
  ~PdfCanvas();
  PdfCanvas(const PdfCanvas&) = delete;
  PdfCanvas& operator=(const PdfCanvas&) = delete;

  void NextPage();
  // Writes the last page and closes the file; an error names the file.
  absl::Status Finish();

  // A transformation kept until the matching Restore.
  void Save();
  void Restore();
  void Translate(double x, double y);
  void Scale(double factor);

  void Rect(double x, double y, double w, double h, Rgb fill, Rgb stroke,
            double line_width);
  void Line(double x1, double y1, double x2, double y2, Rgb colour,
            double width);
  void Polygon(const std::vector<std::pair<double, double>>& points, Rgb fill,
               Rgb stroke, double line_width);
  // Corner marks just outside a w x h rectangle at (x, y), to cut along.
  void CutMarks(double x, double y, double w, double h);

  // UTF-8 text with its baseline at y; `size` is the em in mm.
  void Text(const std::string& text, double x, double y, double size,
            Rgb colour, bool bold);
  void TextCentred(const std::string& text, double x, double y, double size,
                   Rgb colour, bool bold);
  // The advance of `text` in mm.
  double TextWidth(const std::string& text, double size, bool bold);
  // `text` broken into lines no wider than `width` (at any character:
  // Chinese has no spaces to break at).
  std::vector<std::string> Wrap(const std::string& text, double width,
                                double size, bool bold);
  // A bold `name` and, after it, `value` wrapped to the rest of `width`;
  // the baseline of the first line is y. Returns the next line's baseline.
  double Field(double x, double y, const std::string& name,
               const std::string& value, double width, double size, Rgb colour);

  // A QR code of `payload` (error correction level M, byte mode) filling a
  // `side` mm square at (x, y), with its quiet zone. Fails when the
  // payload does not fit a QR code.
  absl::Status QrCode(const std::string& payload, double x, double y,
                      double side, Rgb dark, Rgb light);

 private:
  PdfCanvas(cairo_surface_t* surface, cairo_t* cr, std::string path);
  void Font(double size, bool bold);

  cairo_surface_t* surface_;
  cairo_t* cr_;
  std::string path_;
  bool finished_ = false;
};

}  // namespace cradle::print
