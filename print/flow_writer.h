#pragma once

// What Cradle's A4 documents (the printed manifest, the operator's report)
// share: a column of text written top to bottom, a new page started when the
// next block does not fit, each continued page headed with what it
// continues; bold-named fields and banded section titles.

#include <string>
#include <vector>

#include "print/pdf_canvas.h"

namespace cradle::print {

inline constexpr Rgb kBlack{0, 0, 0};
inline constexpr Rgb kGrey{0.35, 0.35, 0.35};
inline constexpr Rgb kBand{0.88, 0.88, 0.88};
inline constexpr Rgb kWhite{1, 1, 1};

inline constexpr double kLeft = 15;    // mm from the page's left edge
inline constexpr double kWidth = 180;  // of the column
inline constexpr double kText = 3.0;   // the em of body text, mm
inline constexpr double kSmall = 2.3;
inline constexpr double kBottom = 282;  // below it, a new page

// A table's column: its heading and left edge, in mm from kLeft.
struct Column {
  const char* heading;
  double x;
};

class FlowWriter {
 protected:
  // `running_head` heads each continued page, before "(续, 第 N 页)".
  FlowWriter(PdfCanvas& pdf, std::string running_head)
      : pdf_(pdf), running_head_(std::move(running_head)) {}

  // Room for `height` mm more, or a new page.
  void Need(double height);
  // A bold `name` and its `value`, wrapped to `width`.
  void Field(const std::string& name, const std::string& value,
             double width = kWidth);
  // A section's title on a grey band.
  void Part(const std::string& title);
  // A row of a table in small type: `cells` under `columns`.
  void Row(const std::vector<Column>& columns,
           const std::vector<std::string>& cells, bool bold);
  // The headings of `columns`, in bold.
  void Headings(const std::vector<Column>& columns);

  PdfCanvas& pdf_;
  double y_ = 0;  // the next baseline, mm from the top
  int page_ = 1;

 private:
  std::string running_head_;
};

}  // namespace cradle::print
