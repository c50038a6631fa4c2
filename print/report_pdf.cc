#include "print/report_pdf.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "domain/quantity.h"
#include "print/flow_writer.h"
#include "print/pdf_canvas.h"

namespace cradle::print {
namespace {

// "2026-12-03T08:00:00+08:00" as "2026-12-03 08:00" (China time).
std::string Minute(const std::string& at) {
  std::string out = at.substr(0, 16);
  if (out.size() > 10 && out[10] == 'T') out[10] = ' ';
  return out;
}

class Writer : public FlowWriter {
 public:
  Writer(PdfCanvas& pdf, const v1::GetOperatorReportResponse& r,
         const std::string& name)
      : FlowWriter(pdf, absl::StrCat("危险废物经营情况报告 ", r.operator_(),
                                     " ", r.period())),
        r_(r),
        name_(name) {}

  void Write() {
    Header();
    Lines();
    Entries();
    Notes();
  }

 private:
  void Header() {
    pdf_.TextCentred("危险废物经营情况报告", 105, 20, 7, kBlack, true);
    pdf_.TextCentred(absl::StrCat("Operator's report, ", r_.period()), 105,
                     25.5, 2.8, kGrey, false);
    y_ = 34;
    Field("经营单位:", name_.empty()
                           ? r_.operator_()
                           : absl::StrCat(name_, " (", r_.operator_(), ")"));
    Field("报告期:", r_.period());
    Field("数据截至:", r_.as_of());
    if (r_.capacity_g() > 0) {
      Field("核准年经营规模:", domain::FormatGrams(r_.capacity_g()));
    }
    if (r_.zero()) Field("零报告:", "本期无接收、利用处置或二次产生");
  }

  void Lines() {
    Part("分类汇总  per waste code");
    const std::vector<Column> columns = {{"废物代码", 0},  {"期初贮存", 24},
                                         {"接收", 46},     {"拒收", 66},
                                         {"利用处置", 84}, {"期末贮存", 106},
                                         {"联单数", 128},  {"二次产生", 146}};
    Headings(columns);
    for (const v1::OperatorReportLine& l : r_.lines()) {
      Row(columns,
          {l.code(), domain::FormatGrams(l.stock_start_g()),
           domain::FormatGrams(l.accepted_g()),
           domain::FormatGrams(l.rejected_g()),
           domain::FormatGrams(l.treated_g()),
           domain::FormatGrams(l.stock_end_g()), absl::StrCat(l.manifests()),
           domain::FormatGrams(l.secondary_g())},
          false);
      for (const v1::TreatedByMethod& t : l.treated()) {
        Row({{"", 24}},
            {absl::StrCat("其中 ", t.method(), ": ",
                          domain::FormatGrams(t.grams()))},
            false);
      }
      if (l.repacked_g() != 0) {
        Row({{"", 24}},
            {absl::StrCat("收集后转入自有包装 (repacked): ",
                          domain::FormatGrams(l.repacked_g()))},
            false);
      }
    }
    if (r_.lines().empty()) Row({{"", 0}}, {"(无)"}, false);
  }

  void Entries() {
    Part("明细  the manifest lines the figures sum");
    const std::vector<Column> columns = {
        {"时间", 0},      {"类型", 34},  {"联单编号", 50}, {"行", 80},
        {"废物代码", 88}, {"数量", 110}, {"方式", 130},    {"产生单位", 144}};
    Headings(columns);
    for (const v1::OperatorReportEntry& e : r_.entries()) {
      Row(columns,
          {Minute(e.at()), KindName(e.kind()), e.manifest(),
           absl::StrCat(e.line()), e.code(), domain::FormatGrams(e.grams()),
           e.method(), e.generator()},
          false);
      if (e.kind() == v1::OperatorReportEntry::KIND_REPACK) {
        Row({{"", 34}}, {absl::StrCat("转入 ", e.container())}, false);
      }
    }
    if (r_.entries().empty()) Row({{"", 0}}, {"(无)"}, false);
  }

  static const char* KindName(v1::OperatorReportEntry::Kind kind) {
    switch (kind) {
      case v1::OperatorReportEntry::KIND_RECEIPT:
        return "接收";
      case v1::OperatorReportEntry::KIND_TREATMENT:
        return "利用处置";
      case v1::OperatorReportEntry::KIND_REPACK:
        return "转包装";
      default:
        return "";
    }
  }

  void Notes() {
    if (r_.notes().empty()) return;
    Part("提示  notes");
    for (const std::string& n : r_.notes()) Field("•", n);
  }

  const v1::GetOperatorReportResponse& r_;
  const std::string& name_;
};

}  // namespace

absl::Status WriteOperatorReportPdf(const v1::GetOperatorReportResponse& report,
                                    const std::string& operator_name,
                                    const std::string& path) {
  absl::StatusOr<std::unique_ptr<PdfCanvas>> pdf = PdfCanvas::Create(path);
  if (!pdf.ok()) return pdf.status();
  Writer(**pdf, report, operator_name).Write();
  return (*pdf)->Finish();
}

}  // namespace cradle::print
