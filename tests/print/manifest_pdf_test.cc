// The printed manifest read back as an officer would: the legal form's
// three parts and the chain's hashes by pdftotext, and the seal's QR code
// decoded by zbar from a rendering, then checked against the server's key.

#include "print/manifest_pdf.h"

#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "base/time.h"
#include "print/pdf_canvas.h"
#include "security/ed25519.h"
#include "services/manifest_seal.h"
#include "storage/entry_codec.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace cradle::print {
namespace {

using ::testing::HasSubstr;

constexpr char kGenerator[] = "91330402MA2B3C4D53";
constexpr char kCarrier[] = "91330421MA2G5K6L7B";
constexpr char kReceiver[] = "91330481MA2C7H8J9E";

v1::Manifest Manifest() {
  v1::Manifest m;
  m.set_number("20263304000017");
  m.set_status(v1::MANIFEST_STATUS_CLOSED);
  m.set_version(7);
  m.set_generator(kGenerator);
  m.set_carrier(kCarrier);
  m.set_receiver(kReceiver);
  m.set_method("D10");
  v1::Dispatch* d = m.mutable_dispatch();
  d->set_contact("王经理");
  d->set_contact_mobile("13812345678");
  d->set_emergency_phone("0573-82345678");
  d->set_address("嘉兴市南湖区某路1号");
  d->set_plan_number("330402-2026-0017");
  v1::WasteLine* l = m.add_lines();
  l->set_code("900-249-08");
  l->set_quantity_g(600 * 1000);
  l->set_packaging("铁桶");
  l->set_package_count(3);
  l->set_name("废矿物油");
  l->add_containers("91330402MA2B3C4D539002490820261122001");
  v1::Leg* leg = m.add_legs();
  leg->set_number(1);
  leg->set_carrier(kCarrier);
  leg->set_vehicle("浙F12345");
  leg->mutable_papers()->set_driver("张师傅");
  leg->mutable_transport()->set_origin("嘉兴市南湖区");
  leg->mutable_transport()->add_via("G60 沪昆高速");
  leg->mutable_transport()->set_destination("海宁市尖山新区");
  v1::Destination* dest = m.add_destinations();
  dest->set_receiver(kReceiver);
  dest->set_licence("ZJ-HW-0481");
  dest->set_received_by("赵收货");
  dest->add_received_g(600 * 1000);
  dest->add_accepted_g(600 * 1000);
  dest->add_rejected_g(0);
  dest->add_disposed_g(600 * 1000);
  dest->add_disposal_methods("D10");
  dest->set_outcome("焚烧处置完毕");
  return m;
}

class ManifestPdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = *security::Ed25519Key::LoadOrCreate(dir_.path() + "/key.pem");
  }

  ManifestDocument Document() const {
    ManifestDocument doc;
    doc.manifest = Manifest();
    doc.names = {{kGenerator, "嘉兴南湖精细化工有限公司"},
                 {kCarrier, "嘉善安运危险品物流有限公司"},
                 {kReceiver, "海宁绿能固废处置有限公司"}};
    for (int v = 1; v <= 7; ++v) {
      v1::LedgerEntry e;
      e.set_sequence(100 + v);
      e.set_stream_version(v);
      e.set_stream(doc.manifest.number());
      e.set_type(v == 1 ? "manifest.opened" : "manifest.step");
      e.set_actor(kGenerator);
      e.set_hash(std::string(63, '0') + std::to_string(v));
      doc.chain.push_back(e);
    }
    v1::ManifestSeal& seal = doc.seal;
    seal.set_number(doc.manifest.number());
    seal.set_version(7);
    seal.set_status(v1::MANIFEST_STATUS_CLOSED);
    seal.set_entry_sequence(107);
    seal.set_entry_hash(doc.chain.back().hash());
    *seal.mutable_timestamp() = ToTimestamp(absl::FromUnixSeconds(1796000000));
    seal.set_signature(
        storage::HexHash(key_->Sign(services::ManifestSealMessage(seal))));
    doc.seal_qr = services::ManifestSealQr(seal);
    return doc;
  }

  cradle::testing::TempDir dir_;
  std::unique_ptr<security::Ed25519Key> key_;
};

TEST_F(ManifestPdfTest, ThePaperHoldsTheThreePartsAndTheChain) {
  const std::string pdf = dir_.path() + "/manifest.pdf";
  const ManifestDocument doc = Document();
  ASSERT_TRUE(WriteManifestPdf(doc, pdf).ok());
  cradle::testing::RunResult text =
      cradle::testing::Run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const std::string& want :
       {std::string("危险废物转移联单"),
        std::string("20263304000017"),
        std::string("第一部分"),
        std::string("第二部分"),
        std::string("第三部分"),
        std::string("嘉兴南湖精细化工有限公司"),
        std::string("嘉善安运危险品物流有限公司"),
        std::string("海宁绿能固废处置有限公司"),
        std::string("王经理"),
        std::string("330402-2026-0017"),
        std::string("900-249-08"),
        std::string("600kg"),
        std::string("浙F12345"),
        std::string("张师傅"),
        std::string("G60 沪昆高速"),
        std::string("ZJ-HW-0481"),
        std::string("赵收货"),
        std::string("焚烧处置完毕"),
        std::string("91330402MA2B3C4D539002490820261122001"),
        std::string("manifest.opened")}) {
    EXPECT_THAT(text.out, HasSubstr(want));
  }
  for (const v1::LedgerEntry& e : doc.chain) {
    EXPECT_THAT(text.out, HasSubstr(e.hash())) << e.sequence();
  }
}

TEST_F(ManifestPdfTest, TheSealsQrCodeScansAndVerifiesOffline) {
  const std::string pdf = dir_.path() + "/manifest.pdf";
  ASSERT_TRUE(WriteManifestPdf(Document(), pdf).ok());
  cradle::testing::RunResult png = cradle::testing::Run(
      {"/usr/bin/pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1",
       "-singlefile", pdf, dir_.path() + "/page"});
  ASSERT_EQ(png.exit_code, 0) << png.err;
  cradle::testing::RunResult zbar =
      cradle::testing::Run({"/usr/bin/zbarimg", "--quiet", "--raw", "-Sdisable",
                            "-Sqrcode.enable", dir_.path() + "/page.png"});
  ASSERT_EQ(zbar.exit_code, 0) << zbar.err;
  absl::StatusOr<v1::ManifestSeal> seal =
      services::ParseManifestSealQr(zbar.out);
  ASSERT_TRUE(seal.ok()) << seal.status() << ": " << zbar.out;
  EXPECT_EQ(seal->number(), "20263304000017");
  EXPECT_EQ(seal->version(), 7u);
  EXPECT_TRUE(
      services::VerifyManifestSeal(*seal, storage::HexHash(key_->public_key()))
          .ok());
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
