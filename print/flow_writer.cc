#include "print/flow_writer.h"

#include "absl/strings/str_cat.h"

namespace cradle::print {

void FlowWriter::Need(double height) {
  if (y_ + height <= kBottom) return;
  pdf_.NextPage();
  ++page_;
  y_ = 18;
  pdf_.Text(absl::StrCat(running_head_, "  (续, 第 ", page_, " 页)"), kLeft, y_,
            kSmall, kGrey, false);
  y_ += 6;
}

void FlowWriter::Field(const std::string& name, const std::string& value,
                       double width) {
  Need(kText * 1.5);
  y_ = pdf_.Field(kLeft + 2, y_, name, value, width - 2, kText, kBlack);
}

void FlowWriter::Part(const std::string& title) {
  Need(14);
  y_ += 2;
  pdf_.Rect(kLeft, y_ - 4.2, kWidth, 6, kBand, kBand, 0.1);
  pdf_.Text(title, kLeft + 2, y_, 3.4, kBlack, true);
  y_ += 6;
}

void FlowWriter::Row(const std::vector<Column>& columns,
                     const std::vector<std::string>& cells, bool bold) {
  constexpr double kRow = 4.6;
  Need(kRow);
  for (size_t i = 0; i < columns.size() && i < cells.size(); ++i) {
    pdf_.Text(cells[i], kLeft + 2 + columns[i].x, y_, kSmall, kBlack, bold);
  }
  y_ += kRow;
}

void FlowWriter::Headings(const std::vector<Column>& columns) {
  std::vector<std::string> headings;
  for (const Column& c : columns) headings.push_back(c.heading);
  Row(columns, headings, true);
}

}  // namespace cradle::print
