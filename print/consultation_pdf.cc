#include "print/consultation_pdf.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

#include "base/time.h"
#include "domain/consultation.h"
#include "domain/division.h"
#include "domain/work_calendar.h"
#include "print/flow_writer.h"
#include "print/pdf_canvas.h"

namespace cradle::print {
namespace {

// "浙江省" for "33"; the code itself when the table has none.
std::string ProvinceName(const std::string& code) {
  const std::vector<domain::Division> in =
      domain::DivisionTable::Builtin().WithPrefix(code);
  return in.empty() ? code : in.front().province_name;
}

// A step's time as a letter dates it: "2026年12月4日" (China time).
std::string LetterDate(const google::protobuf::Timestamp& at) {
  return absl::FormatTime("%Y年%m月%d日", FromTimestamp(at),
                          domain::ChinaTime());
}

std::string Minute(const google::protobuf::Timestamp& at) {
  return absl::FormatTime("%Y-%m-%d %H:%M", FromTimestamp(at),
                          domain::ChinaTime());
}

std::string Named(const std::string& name, const std::string& id) {
  return name.empty() ? id : absl::StrCat(name, " (", id, ")");
}

class Writer : public FlowWriter {
 public:
  Writer(PdfCanvas& pdf, const v1::Consultation& c,
         const ConsultationParties& names)
      : FlowWriter(pdf, absl::StrCat("危险废物跨省转移商请 ", c.number())),
        c_(c),
        names_(names),
        origin_(ProvinceName(c.origin_province())),
        destination_(ProvinceName(c.destination_province())) {}

  void Write() {
    Title("危险废物跨省转移申请", "Application for a cross-province transfer");
    Application();
    Part("办理经过  the steps");
    for (const v1::ConsultationStep& s : c_.steps()) {
      Field(absl::StrCat(Minute(s.at()), "  ", domain::ActionName(s.action()),
                         ":"),
            s.text().empty() ? s.by() : absl::StrCat(s.by(), "  ", s.text()));
    }
    Field("当前状态:", Stage());
    for (const v1::ConsultationStep& s : c_.steps()) Letter(s);
  }

 private:
  void Title(const std::string& title, const std::string& english) {
    pdf_.TextCentred(title, 105, 20, 6.5, kBlack, true);
    pdf_.TextCentred(english, 105, 25.5, 2.8, kGrey, false);
    pdf_.TextCentred(absl::StrCat("编号 ", c_.number()), 105, 30.5, kSmall,
                     kBlack, false);
    y_ = 38;
  }

  // A letter on a page of its own.
  void NewLetter(const std::string& title, const std::string& english) {
    pdf_.NextPage();
    ++page_;
    Title(title, english);
  }

  void Application() {
    const v1::TransferApplication& a = c_.application();
    Part("申请事项  the application");
    Field("移出单位:", Named(names_.generator_name, a.generator()));
    Field("接受单位:", Named(names_.receiver_name, a.receiver()));
    Field("移出地:", origin_);
    Field("接受地:", destination_);
    Field("废物代码或类别:", absl::StrJoin(a.codes(), "、"));
    Field("利用处置方式:", a.method().empty() ? "(未填)" : a.method());
    Field("数量:", absl::StrCat(a.quantity_kg() / 1000.0, " 吨"));
    Field("申请期限:", absl::StrCat(a.valid_from(), " 至 ", a.valid_until()));
    if (!a.note().empty()) Field("说明:", a.note());
  }

  std::string Stage() const {
    std::string out = domain::StageName(c_.stage());
    if (!c_.holder().empty()) absl::StrAppend(&out, ", 待 ", c_.holder());
    if (!c_.deadline().due().empty()) {
      absl::StrAppend(&out, ", 期限 ", c_.deadline().due(),
                      c_.deadline().overdue() ? " (已逾期)" : "");
    }
    return out;
  }

  void Body(const std::string& text) { Field("", text); }

  void Signature(const std::string& who, const v1::ConsultationStep& s) {
    Need(14);
    y_ += 6;
    pdf_.Text(who, kLeft + 110, y_, kText, kBlack, true);
    y_ += 5;
    pdf_.Text(LetterDate(s.at()), kLeft + 110, y_, kText, kBlack, false);
    y_ += 5;
  }

  void Letter(const v1::ConsultationStep& s) {
    const v1::TransferApplication& a = c_.application();
    const std::string origin_bureau = absl::StrCat(origin_, "生态环境主管部门");
    const std::string destination_bureau =
        absl::StrCat(destination_, "生态环境主管部门");
    switch (s.action()) {
      case v1::CONSULTATION_ACTION_NOTIFY_MISSING:
        NewLetter("补正材料通知书", "Notice of what is missing (Art. 22)");
        Body(absl::StrCat(Named(names_.generator_name, a.generator()), ":"));
        Body(absl::StrCat("你单位申请的危险废物跨省转移(编号 ", c_.number(),
                          ")材料不全，现一次性告知需补正的内容如下:"));
        Body(s.text());
        Signature(origin_bureau, s);
        break;
      case v1::CONSULTATION_ACTION_SEND_LETTER:
        NewLetter("危险废物跨省转移商请函",
                  "Consultation letter to the receiving province (Art. 23)");
        Body(absl::StrCat(destination_bureau, ":"));
        Body(absl::StrCat(
            Named(names_.generator_name, a.generator()), "申请将 ",
            absl::StrJoin(a.codes(), "、"), " ", a.quantity_kg() / 1000.0,
            " 吨转移至贵省", Named(names_.receiver_name, a.receiver()),
            a.method().empty() ? ""
                               : absl::StrCat("，以 ", a.method(), " 方式"),
            "利用处置，期限 ", a.valid_from(), " 至 ", a.valid_until(),
            "。经初步审核，我厅同意移出，现商请贵厅研究是否同意接收，并于收到本"
            "函之日起"
            "十个工作日内通过信息系统复函。"));
        if (!s.text().empty()) Field("初审意见:", s.text());
        Signature(origin_bureau, s);
        break;
      case v1::CONSULTATION_ACTION_AGREE:
      case v1::CONSULTATION_ACTION_DISAGREE: {
        const bool agree = s.action() == v1::CONSULTATION_ACTION_AGREE;
        NewLetter("危险废物跨省转移商请复函",
                  "Reply of the receiving province (Art. 24)");
        Body(absl::StrCat(origin_bureau, ":"));
        Body(absl::StrCat(
            "贵厅关于", Named(names_.generator_name, a.generator()),
            "危险废物跨省转移的商请函(编号 ", c_.number(),
            ")收悉。经研究，我厅", agree ? "同意" : "不同意", "接收。"));
        if (!s.text().empty()) Field(agree ? "意见:" : "理由:", s.text());
        Signature(destination_bureau, s);
        break;
      }
      case v1::CONSULTATION_ACTION_APPROVE: {
        NewLetter("危险废物跨省转移批准决定",
                  "Decision: the transfer is approved (Art. 25-27)");
        const v1::Approval& ap = c_.approval();
        Body(absl::StrCat(Named(names_.generator_name, a.generator()), ":"));
        Body(absl::StrCat(
            "你单位申请的危险废物跨省转移(编号 ", c_.number(), ")，",
            c_.white_list().empty()
                ? absl::StrCat("经", destination_bureau, "同意接收，")
                : absl::StrCat("属两省白名单 ", c_.white_list(), " 所列，"),
            "现予批准。"));
        Field("批准编号:", ap.number());
        Field("接受单位:", Named(names_.receiver_name, ap.receiver()));
        Field("废物代码或类别:", absl::StrJoin(ap.codes(), "、"));
        Field("数量:", absl::StrCat(ap.quantity_kg() / 1000.0, " 吨"));
        Field("有效期:", absl::StrCat(ap.valid_from(), " 至 ", ap.valid_until(),
                                      " (不超过接受单位经营许可证有效期)"));
        Body(absl::StrCat("抄送: ", destination_bureau,
                          "；两省交通运输主管部门。"));
        Signature(origin_bureau, s);
        break;
      }
      case v1::CONSULTATION_ACTION_REFUSE:
        NewLetter("不予批准危险废物跨省转移决定",
                  "Decision: the transfer is refused (Art. 25)");
        Body(absl::StrCat(Named(names_.generator_name, a.generator()), ":"));
        Body(absl::StrCat("你单位申请的危险废物跨省转移(编号 ", c_.number(),
                          ")，不予批准。"));
        Field("理由:", s.text());
        Signature(origin_bureau, s);
        break;
      default:
        break;  // the others are steps, not letters
    }
  }

  const v1::Consultation& c_;
  const ConsultationParties& names_;
  const std::string origin_;
  const std::string destination_;
};

}  // namespace

absl::Status WriteConsultationPdf(const v1::Consultation& c,
                                  const ConsultationParties& names,
                                  const std::string& path) {
  absl::StatusOr<std::unique_ptr<PdfCanvas>> pdf = PdfCanvas::Create(path);
  if (!pdf.ok()) return pdf.status();
  Writer(**pdf, c, names).Write();
  return (*pdf)->Finish();
}

}  // namespace cradle::print
