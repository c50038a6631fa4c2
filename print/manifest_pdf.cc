#include "print/manifest_pdf.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

#include "base/status_macros.h"
#include "base/time.h"
#include "domain/legal_form.h"
#include "domain/names.h"
#include "domain/quantity.h"
#include "domain/waste_catalogue.h"
#include "print/flow_writer.h"
#include "print/pdf_canvas.h"

namespace cradle::print {
namespace {

constexpr double kQrSide = 42;

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M", FromTimestamp(t),
                          absl::FixedTimeZone(8 * 3600));
}

std::string Or(const std::string& value, const std::string& otherwise = "—") {
  return value.empty() ? otherwise : value;
}

// Writes the document top to bottom, starting a page when one is full.
class Writer : public FlowWriter {
 public:
  Writer(PdfCanvas& pdf, const ManifestDocument& doc)
      : FlowWriter(pdf,
                   absl::StrCat("危险废物转移联单 ", doc.manifest.number())),
        doc_(doc) {}

  absl::Status Write() {
    Header();
    CRADLE_RETURN_IF_ERROR(Seal());
    Generator();
    Carriers();
    Receivers();
    Chain();
    return absl::OkStatus();
  }

 private:
  std::string Name(const std::string& uscc) const {
    auto it = doc_.names.find(uscc);
    if (it == doc_.names.end() || it->second.empty()) return uscc;
    return absl::StrCat(it->second, " (", uscc, ")");
  }

  void Header() {
    const v1::Manifest& m = doc_.manifest;
    pdf_.TextCentred("危险废物转移联单", 105, 20, 7, kBlack, true);
    pdf_.TextCentred("Hazardous waste transfer manifest", 105, 25.5, 2.8, kGrey,
                     false);
    y_ = 34;
    const double width = kWidth - kQrSide - 6;
    Field("联单编号:", m.number(), width);
    Field("状态:", domain::ShortName(m.status()), width);
    Field("版本 (账本条目数):", absl::StrCat(m.version()), width);
    Field("开具时间:", Time(m.opened_at()), width);
    Field("最近更新:", Time(m.updated_at()), width);
    if (!m.paper_date().empty()) Field("纸质联单日期:", m.paper_date(), width);
    if (!m.approval().empty()) Field("跨省转移批准:", m.approval(), width);
  }

  // The seal's QR code at the top right, with what it says.
  absl::Status Seal() {
    const double x = kLeft + kWidth - kQrSide;
    CRADLE_RETURN_IF_ERROR(
        pdf_.QrCode(doc_.seal_qr, x, 30, kQrSide, kBlack, kWhite));
    double y = 30 + kQrSide + 3;
    for (const std::string& line :
         {absl::StrCat("封签: 条目 #", doc_.seal.entry_sequence()),
          absl::StrCat("签于 ", Time(doc_.seal.timestamp())),
          std::string("cradlectl manifest check-qr")}) {
      pdf_.TextCentred(line, x + kQrSide / 2, y, kSmall, kGrey, false);
      y += kSmall * 1.4;
    }
    if (y_ < y + 2) y_ = y + 2;
    return absl::OkStatus();
  }

  void Generator() {
    const v1::Manifest& m = doc_.manifest;
    const v1::Dispatch& d = m.dispatch();
    Part("第一部分  危险废物产生单位填写");
    Field("产生单位:", Name(m.generator()));
    Field("单位地址:", Or(d.address()));
    Field("联系人:", absl::StrCat(Or(d.contact()),
                                  "    联系电话: ", Or(d.contact_mobile())));
    Field("应急联系电话:", Or(d.emergency_phone()));
    Field("管理计划备案号:", Or(d.plan_number()));
    Field("拟转移日期:", Or(d.planned_date()));
    Field("拟利用处置方式:", Or(m.method()));
    for (int i = 0; i < m.lines_size(); ++i) Line(i + 1, m.lines(i));
  }

  void Line(int n, const v1::WasteLine& l) {
    Need(12);
    y_ += 1;
    pdf_.Line(kLeft + 2, y_ - 3.5, kLeft + kWidth, y_ - 3.5, kGrey, 0.15);
    std::vector<std::string> facts = {
        absl::StrCat("废物代码 ", l.code()),
        absl::StrCat("数量 ", domain::FormatGrams(l.quantity_g()))};
    if (!l.packaging().empty()) {
      facts.push_back(
          absl::StrCat("包装 ", l.packaging(), " × ", l.package_count()));
    }
    if (l.hazards_size() > 0) {
      facts.push_back(absl::StrCat(
          "危险特性 ", domain::FormatHazards(domain::HazardBits(l.hazards()))));
    }
    if (l.form() != v1::PHYSICAL_FORM_UNSPECIFIED) {
      facts.push_back(absl::StrCat("形态 ", domain::ShortName(l.form())));
    }
    if (!l.un_number().empty()) {
      facts.push_back(absl::StrCat(l.un_number(), " 第", l.dg_class(), "类"));
    }
    Field(absl::StrCat("废物 ", n, ":"), absl::StrJoin(facts, "    "));
    if (!l.name().empty()) Field("名称:", l.name());
    if (!l.constituents().empty()) Field("主要成分:", l.constituents());
    if (!l.precautions().empty()) Field("禁忌与应急措施:", l.precautions());
    if (!l.containers().empty()) {
      Field(absl::StrCat("容器 (", l.containers_size(), "):"),
            absl::StrJoin(l.containers(), ", "));
    }
  }

  void Carriers() {
    const v1::Manifest& m = doc_.manifest;
    Part("第二部分  危险废物运输单位填写");
    if (m.legs().empty()) Field("运输:", "尚未起运");
    for (const v1::Leg& leg : m.legs()) {
      Need(12);
      Field(absl::StrCat("第 ", leg.number(), " 程:"), Name(leg.carrier()));
      const v1::Transport& t = leg.transport();
      const v1::LegPapers& p = leg.papers();
      Field("车牌号:", absl::StrCat(Or(leg.vehicle()), "    交接时间: ",
                                    Or(Time(leg.device_time()))));
      Field("驾驶员:",
            absl::StrCat(Or(p.driver()), " ", Or(t.driver_certificate(), ""),
                         "    押运员: ", Or(p.escort()), " ",
                         Or(t.escort_certificate(), "")));
      Field("经营许可证:",
            absl::StrCat(Or(p.operating_permit()),
                         "    道路运输证: ", Or(p.vehicle_certificate())));
      Field("运输路线:",
            absl::StrCat(Or(t.origin()), " → ", absl::StrJoin(t.via(), " → "),
                         t.via().empty() ? "" : " → ", Or(t.destination())));
      if (!t.waybill().empty()) Field("运单号:", t.waybill());
    }
  }

  void Receivers() {
    const v1::Manifest& m = doc_.manifest;
    Part("第三部分  危险废物接收单位填写");
    for (const v1::Destination& d : m.destinations()) {
      Need(12);
      Field("接收单位:", Name(d.receiver()));
      Field("经营许可证:",
            absl::StrCat(Or(d.licence()), "    接收人: ", Or(d.received_by())));
      Field("到达时间:",
            absl::StrCat(Or(Time(d.delivered_at())),
                         "    接收时间: ", Or(Time(d.received_at()))));
      for (int i = 0; i < m.lines_size(); ++i) {
        auto at = [i](const google::protobuf::RepeatedField<int64_t>& v) {
          return i < v.size() ? domain::FormatGrams(v[i]) : std::string("—");
        };
        std::string method =
            i < d.disposal_methods_size() ? d.disposal_methods(i) : "";
        Field(
            absl::StrCat("废物 ", i + 1, ":"),
            absl::StrCat("接收 ", at(d.received_g()), "    接受 ",
                         at(d.accepted_g()), "    拒收 ", at(d.rejected_g()),
                         "    处置 ", at(d.disposed_g()), " ", Or(method, "")));
      }
      if (!d.outcome().empty()) Field("利用处置结果:", d.outcome());
    }
  }

  // Each entry of the manifest's stream: what it recorded, who, when, and
  // its hash, which the next entry of the ledger chains.
  void Chain() {
    Part("账本记录  Ledger entries (SHA-256 chain)");
    for (const v1::LedgerEntry& e : doc_.chain) {
      Need(kSmall * 3);
      pdf_.Text(
          absl::StrCat("#", e.sequence(), "  v", e.stream_version(), "  ",
                       e.type(), "  ", Time(e.recorded()), "  ", e.actor()),
          kLeft + 2, y_, kSmall, kBlack, false);
      y_ += kSmall * 1.3;
      pdf_.Text(absl::StrCat("hash ", e.hash()), kLeft + 6, y_, kSmall, kGrey,
                false);
      y_ += kSmall * 1.6;
    }
  }

  const ManifestDocument& doc_;
};

}  // namespace

absl::Status WriteManifestPdf(const ManifestDocument& doc,
                              const std::string& path) {
  absl::StatusOr<std::unique_ptr<PdfCanvas>> pdf = PdfCanvas::Create(path);
  if (!pdf.ok()) return pdf.status();
  Writer writer(**pdf, doc);
  absl::Status written = writer.Write();
  if (!written.ok()) return written;
  return (*pdf)->Finish();
}

}  // namespace cradle::print
