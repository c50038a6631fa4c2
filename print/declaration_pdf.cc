#include "print/declaration_pdf.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "domain/quantity.h"
#include "print/flow_writer.h"
#include "print/pdf_canvas.h"

namespace cradle::print {
namespace {

class Writer : public FlowWriter {
 public:
  Writer(PdfCanvas& pdf, const v1::GetDeclarationResponse& d,
         const std::string& name)
      : FlowWriter(pdf, absl::StrCat("危险废物年度申报 ", d.generator(), " ",
                                     d.year())),
        d_(d),
        name_(name) {}

  void Write() {
    Header();
    Lines();
    Transfers();
    Notes();
  }

 private:
  void Header() {
    pdf_.TextCentred("危险废物产生单位年度申报", 105, 20, 7, kBlack, true);
    pdf_.TextCentred(absl::StrCat("Annual declaration, ", d_.year()), 105, 25.5,
                     2.8, kGrey, false);
    y_ = 34;
    Field("产生单位:", name_.empty()
                           ? d_.generator()
                           : absl::StrCat(name_, " (", d_.generator(), ")"));
    Field("申报年度:", absl::StrCat(d_.year()));
    Field("管理计划:",
          d_.plan_number().empty() ? "(未备案)" : d_.plan_number());
    Field("数据截至:", d_.as_of());
    Field("平衡:", "产生量 = 转移量 + 自行利用处置量 + (年末贮存 - 年初贮存)");
  }

  void Lines() {
    Part("分类汇总  per waste code");
    const std::vector<Column> columns = {
        {"废物代码", 0},   {"计划产生", 24},     {"产生", 46},
        {"转移", 66},      {"自行利用处置", 86}, {"年初贮存", 112},
        {"年末贮存", 134}, {"贴签", 156}};
    Headings(columns);
    for (const v1::DeclarationLine& l : d_.lines()) {
      Row(columns,
          {l.code(),
           l.planned_g() == 0 ? "-" : domain::FormatGrams(l.planned_g()),
           domain::FormatGrams(l.generated_g()),
           domain::FormatGrams(l.shipped_g()),
           domain::FormatGrams(l.own_use_g()),
           domain::FormatGrams(l.stock_start_g()),
           domain::FormatGrams(l.stock_end_g()),
           domain::FormatGrams(l.labelled_g())},
          false);
      if (l.repacked_g() != 0) {
        Row({{"", 24}},
            {absl::StrCat("其中收集后转入自有包装，不计产生 (repacked): ",
                          domain::FormatGrams(l.repacked_g()))},
            false);
      }
    }
    if (d_.lines().empty())
      Row({{"", 0}}, {"(本年度无产生、转移或贮存)"}, false);
  }

  void Transfers() {
    Part("转移去向  where each code went");
    const std::vector<Column> columns = {{"废物代码", 0},
                                         {"接受单位", 24},
                                         {"转移", 84},
                                         {"计划", 106},
                                         {"联单数", 128}};
    Headings(columns);
    bool any = false;
    for (const v1::DeclarationLine& l : d_.lines()) {
      for (const v1::DeclaredTransfer& t : l.transfers()) {
        Row(columns,
            {l.code(), t.receiver(), domain::FormatGrams(t.shipped_g()),
             t.planned_g() == 0 ? "计划外" : domain::FormatGrams(t.planned_g()),
             absl::StrCat(t.manifests())},
            false);
        any = true;
      }
    }
    if (!any) Row({{"", 0}}, {"(无)"}, false);
  }

  void Notes() {
    if (d_.notes().empty()) return;
    Part("提示  notes");
    for (const std::string& n : d_.notes()) Field("•", n);
  }

  const v1::GetDeclarationResponse& d_;
  const std::string& name_;
};

}  // namespace

absl::Status WriteDeclarationPdf(const v1::GetDeclarationResponse& declaration,
                                 const std::string& generator_name,
                                 const std::string& path) {
  absl::StatusOr<std::unique_ptr<PdfCanvas>> pdf = PdfCanvas::Create(path);
  if (!pdf.ok()) return pdf.status();
  Writer(**pdf, declaration, generator_name).Write();
  return (*pdf)->Finish();
}

}  // namespace cradle::print
