// End to end: the real cradled and cradlectl binaries, driven the way users
// drive them, with the server killed by SIGKILL in the middle.

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/e2e/cli_fixture.h"
#include "tests/testing/parties.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace cradle {
namespace {

using ::cradle::testing::Daemon;
using ::cradle::testing::kAltReceiver;
using ::cradle::testing::kCarrier;
using ::cradle::testing::kCarrierPlate;
using ::cradle::testing::kGenerator;
using ::cradle::testing::kReceiver;
using ::cradle::testing::kRelayCarrier;
using ::cradle::testing::kRelayPlate;
using ::cradle::testing::RunResult;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class CliEndToEndTest : public cradle::testing::CliFixture {};

TEST_F(CliEndToEndTest, FullChainSurvivesSigkill) {
  StartServer();
  EXPECT_THAT(first_start_line_, HasSubstr("admin.token"));
  Regulator("regulator", "3304");
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kRelayCarrier, "杭州危运", "330108", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  CtlOk("admin", {"licence", "grant", "--receiver", kReceiver, "--number",
                  "ZJ-0481", "--codes", "900-249-08,HW49", "--capacity-t",
                  "5000", "--valid-until", "2099-12-31"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kCarrier, "--plate",
                  kCarrierPlate, "--permit", "P1"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kRelayCarrier, "--plate",
                  kRelayPlate, "--permit", "P2"});

  RunResult open =
      Ctl(kGenerator,
          {"manifest", "open", "--generator", kGenerator, "--carrier", kCarrier,
           "--receiver", kReceiver, "--waste", "900-249-08:1.25t:drum:10",
           "--waste", "900-041-49:800kg", "--method", "D10"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const std::string n(absl::StripAsciiWhitespace(open.out));
  ASSERT_EQ(n.size(), 14u) << open.out;
  EXPECT_TRUE(absl::StartsWith(n, "3304") || absl::StrContains(n, "3304"));

  CtlOk(kCarrier, {"pickup", n, "--carrier", kCarrier, "--vehicle",
                   kCarrierPlate, "--driver", "张师傅", "--at", "30.74,120.75",
                   "--time", "2026-11-23T09:30:00+08:00"});
  CtlOk(kCarrier, {"relay", n, "--from", kCarrier, "--to", kRelayCarrier,
                   "--vehicle", kRelayPlate});
  CtlOk(kReceiver, {"deliver", n, "--receiver", kReceiver});

  // Killed without warning: every acknowledged step must still be there.
  server_->Kill(SIGKILL);
  StartServer();

  RunResult shown = Ctl("regulator", {"manifest", "show", n});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("DELIVERED"));
  EXPECT_THAT(shown.out, HasSubstr("leg 2"));

  CtlOk(kReceiver, {"receive", n, "--receiver", kReceiver, "--line",
                    "1:accept:1.25t", "--line", "2:accept:800kg"});
  CtlOk(kReceiver, {"dispose", n, "--receiver", kReceiver, "--line",
                    "1:D10:1.25t", "--line", "2:D10:800kg"});
  RunResult json = Ctl("regulator", {"--json", "manifest", "show", n});
  EXPECT_THAT(json.out, HasSubstr("\"status\":\"MANIFEST_STATUS_CLOSED\""));

  RunResult chain = Ctl("regulator", {"audit", "chain", n});
  EXPECT_EQ(chain.exit_code, 0) << chain.err;
  EXPECT_THAT(chain.out, HasSubstr("manifest.closed"));
  EXPECT_THAT(chain.out, HasSubstr("verified: 7 entries"));
  // Who signed: the carrier's pickup and handover, the receiver's arrival,
  // receipt and disposal; the generator's open carries no key.
  EXPECT_THAT(chain.out, HasSubstr("signature valid"));
  EXPECT_THAT(chain.out, ::testing::Not(HasSubstr("INVALID")));
  RunResult verify = Ctl("regulator", {"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("ok: 20 entries"));

  RunResult list = Ctl(kGenerator, {"manifest", "list", "--status", "closed"});
  EXPECT_THAT(list.out, HasSubstr(n));
}

// The whole legal form as a clerk, a driver and a gate clerk type it: the
// carrier's permit and crew registered, every party's part filled, shown by
// `manifest show` and exported by `audit export --forms`; a load that
// arrives other than declared is flagged.
TEST_F(CliEndToEndTest, TheWholeLegalFormFromTheCommandLine) {
  StartServer();
  Regulator("regulator", "3304");
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  CtlOk("admin", {"licence", "grant", "--receiver", kReceiver, "--number",
                  "ZJ-0481", "--codes", "900-249-08", "--capacity-t", "5000",
                  "--valid-until", "2099-12-31"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kCarrier, "--plate",
                  kCarrierPlate, "--permit", "浙交运管嘉字330421000123"});
  CtlOk("admin",
        {"carrier", "permit", "--carrier", kCarrier, "--number",
         "浙交运管许可嘉字330421001号", "--valid-until", "2099-12-31"});
  CtlOk("admin", {"crew", "register", "--carrier", kCarrier, "--certificate",
                  "330421198001011234", "--name", "张师傅", "--roles", "driver",
                  "--valid-until", "2099-12-31"});
  RunResult bad_role =
      Ctl("admin", {"crew", "register", "--carrier", kCarrier, "--certificate",
                    "330421199002022345", "--name", "李押运", "--roles",
                    "navigator", "--valid-until", "2099-12-31"});
  EXPECT_EQ(bad_role.exit_code, 2);  // refused before any call
  EXPECT_THAT(bad_role.err, HasSubstr("--roles \"navigator\""));

  // The generator's management plan for this year, given its number.
  const std::string year = absl::StrCat(
      absl::ToCivilYear(absl::Now(), absl::FixedTimeZone(8 * 3600)).year());
  RunResult unbalanced =
      Ctl(kGenerator,
          {"plan", "file", "--generator", kGenerator, "--year", year, "--tier",
           "key", "--line", "900-249-08:12t:0:1t", "--transfer",
           absl::StrCat("900-249-08:", kReceiver, ":10t")});
  EXPECT_EQ(unbalanced.exit_code, 1);
  EXPECT_THAT(unbalanced.err, HasSubstr("plan.lines[0] does not balance"));
  RunResult filed =
      Ctl(kGenerator,
          {"plan", "file", "--generator", kGenerator, "--year", year, "--tier",
           "key", "--line", "900-249-08:12t:0:2t", "--transfer",
           absl::StrCat("900-249-08:", kReceiver, ":10t:D10")});
  ASSERT_EQ(filed.exit_code, 0) << filed.err;
  const std::string plan = absl::StrCat("330402-", year, "-0001");
  EXPECT_THAT(filed.out, HasSubstr(absl::StrCat("plan ", plan, "  v1  ")));

  RunResult open =
      Ctl(kGenerator, {"manifest",          "open",
                       "--generator",       kGenerator,
                       "--carrier",         kCarrier,
                       "--receiver",        kReceiver,
                       "--waste",           "900-249-08:1.25t:铁桶:10",
                       "--line-field",      "1:form=liquid",
                       "--line-field",      "1:dg-class=3",
                       "--line-field",      "1:un=UN1993",
                       "--contact",         "王经理",
                       "--contact-mobile",  "13812345678",
                       "--emergency-phone", "0573-82345678",
                       "--address",         "嘉兴市南湖区某路1号",
                       "--plan-number",     plan});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const std::string n(absl::StripAsciiWhitespace(open.out));
  RunResult bad_mobile = Ctl(
      kGenerator, {"manifest", "open", "--generator", kGenerator, "--carrier",
                   kCarrier, "--receiver", kReceiver, "--waste",
                   "900-249-08:1t", "--contact-mobile", "5551234"});
  EXPECT_EQ(bad_mobile.exit_code, 1);
  EXPECT_THAT(bad_mobile.err, HasSubstr("dispatch.contact_mobile"));

  CtlOk(kCarrier, {"pickup", n, "--carrier", kCarrier, "--vehicle",
                   kCarrierPlate, "--driver-cert", "330421198001011234",
                   "--waybill", "YD0017", "--origin", "嘉兴", "--via", "G60",
                   "--via", "海宁", "--destination", "尖山"});
  CtlOk(kReceiver, {"deliver", n, "--receiver", kReceiver});
  RunResult inbox = Ctl(kReceiver, {"inbox"});
  ASSERT_EQ(inbox.exit_code, 0) << inbox.err;
  EXPECT_THAT(inbox.out, HasSubstr(n + "  RECEIVE "));
  EXPECT_THAT(inbox.out, HasSubstr("due by the end of 20"));
  EXPECT_THAT(inbox.out, HasSubstr("working days left"));
  CtlOk(kReceiver,
        {"receive", n, "--receiver", kReceiver, "--line", "1:accept:1.25t",
         "--check", "1:form=semi-solid", "--check", "1:packaging=drum",
         "--licence", "ZJ-0481", "--received-by", "赵收货"});
  CtlOk(kReceiver, {"dispose", n, "--receiver", kReceiver, "--line",
                    "1:D10:1.25t", "--outcome", "焚烧处置完毕"});

  RunResult shown = Ctl("regulator", {"manifest", "show", n});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  for (const std::string& field : std::vector<std::string>{
           "contact 王经理", "mobile 13812345678", absl::StrCat("plan ", plan),
           "operating permit 浙交运管许可嘉字330421001号",
           "vehicle certificate 浙交运管嘉字330421000123",
           "driver 张师傅 (330421198001011234)", "waybill YD0017",
           "from 嘉兴  via G60, 海宁  to 尖山",
           "line 1 arrived: form semi_solid  packaging drum",
           "licence ZJ-0481  received by 赵收货", "outcome: 焚烧处置完毕",
           "LOAD_MISMATCH MEDIUM"}) {
    EXPECT_THAT(shown.out, HasSubstr(field));
  }
  RunResult json = Ctl("regulator", {"--json", "manifest", "show", n});
  EXPECT_THAT(json.out, HasSubstr("\"received_by\":\"赵收货\""));
  EXPECT_THAT(json.out, HasSubstr("\"waybill\":\"YD0017\""));

  RunResult forms = Ctl(
      "regulator", {"audit", "export", "--jurisdiction", "3304", "--forms"});
  ASSERT_EQ(forms.exit_code, 0) << forms.err;
  EXPECT_THAT(forms.out, HasSubstr("contact_mobile"));
  EXPECT_THAT(forms.out, HasSubstr(plan));
  // What the plan has shipped: the manifest's 1.25 t of its 10 t.
  RunResult progress = Ctl("regulator", {"plan", "show", plan});
  ASSERT_EQ(progress.exit_code, 0) << progress.err;
  EXPECT_THAT(progress.out,
              HasSubstr(absl::StrCat("-> ", kReceiver,
                                     "  10t  D10  shipped 1.25t (12%)")));
  EXPECT_THAT(forms.out, HasSubstr("张师傅 330421198001011234"));
  EXPECT_THAT(forms.out, HasSubstr("焚烧处置完毕"));
  // The year's declaration, pre-filled: the 1.25 t that left, against the
  // plan's 10 t.
  RunResult declared = Ctl(kGenerator, {"plan", "declare", "--generator",
                                        kGenerator, "--year", year});
  ASSERT_EQ(declared.exit_code, 0) << declared.err;
  EXPECT_THAT(declared.out, HasSubstr(absl::StrCat("plan ", plan)));
  EXPECT_THAT(declared.out,
              HasSubstr(absl::StrCat("-> ", kReceiver,
                                     "  shipped 1.25t of 10t planned")));
  RunResult next_year = Ctl(kGenerator, {"plan", "declare", "--generator",
                                         kGenerator, "--year", "2999"});
  EXPECT_EQ(next_year.exit_code, 1);
  EXPECT_THAT(next_year.err, HasSubstr("year 2999"));
  RunResult declared_csv =
      Ctl(kGenerator, {"plan", "declare", "--generator", kGenerator, "--year",
                       year, "--csv", dir_.Sub("declaration.csv"), "--pdf",
                       dir_.Sub("declaration.pdf")});
  ASSERT_EQ(declared_csv.exit_code, 0) << declared_csv.err;
  EXPECT_THAT(declared_csv.out,
              HasSubstr("wrote " + dir_.Sub("declaration.pdf")));
  RunResult declaration_text =
      cradle::testing::Run({"/usr/bin/pdftotext", "-enc", "UTF-8",
                            dir_.Sub("declaration.pdf"), "-"});
  ASSERT_EQ(declaration_text.exit_code, 0) << declaration_text.err;
  EXPECT_THAT(declaration_text.out, HasSubstr("嘉兴南湖化工 (" + kGenerator));
  EXPECT_THAT(declaration_text.out, HasSubstr(plan));
  std::ifstream declaration(dir_.Sub("declaration.csv"));
  std::string header, code_row;
  std::getline(declaration, header);
  std::getline(declaration, code_row);
  EXPECT_THAT(header, HasSubstr("row,code,receiver,generated_g"));
  EXPECT_THAT(code_row, HasSubstr(absl::StrCat(plan, ",code,900-249-08,,")));

  // The receiver's annual report: the 1.25 t accepted and treated by D10,
  // as the regulator reads it, and its lines as CSV.
  RunResult report =
      Ctl("regulator",
          {"report", "operator", "--operator", kReceiver, "--year", year,
           "--csv", dir_.Sub("report.csv"), "--pdf", dir_.Sub("report.pdf")});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  std::ifstream report_pdf(dir_.Sub("report.pdf"));
  std::string magic(5, '\0');
  report_pdf.read(magic.data(), 5);
  EXPECT_EQ(magic, "%PDF-");
  EXPECT_THAT(report.out, HasSubstr("treated by D10: 1.25t"));
  EXPECT_THAT(report.out, HasSubstr(absl::StrCat(n, " line 1  900-249-08")));
  std::ifstream report_csv(dir_.Sub("report.csv"));
  std::string report_header, report_row;
  std::getline(report_csv, report_header);
  std::getline(report_csv, report_row);
  EXPECT_THAT(report_row, HasSubstr("900-249-08"));
  EXPECT_THAT(report_row, HasSubstr(",1250000,0,1250000,D10=1250000,"));
  RunResult bad_day = Ctl("regulator", {"report", "operator", "--operator",
                                        kReceiver, "--day", "2026-02-30"});
  EXPECT_EQ(bad_day.exit_code, 1);
  EXPECT_THAT(bad_day.err, HasSubstr("day \"2026-02-30\" is not YYYY-MM-DD"));
  RunResult as_generator = Ctl(kGenerator, {"report", "operator", "--operator",
                                            kReceiver, "--year", year});
  EXPECT_NE(as_generator.exit_code, 0);
  EXPECT_THAT(as_generator.err, HasSubstr("Registry.GetOperatorReport"));
}

// The cross-province procedure from the command line (docs/CONSULTATION.md):
// the generator applies, each province's bureau takes its steps with its
// own credential, the other's is refused naming who holds the stage.
TEST_F(CliEndToEndTest, ACrossProvinceTransferIsAppliedForAndApproved) {
  StartServer();
  Regulator("zhejiang", "33");
  Regulator("jiangsu", "32");
  const std::string suzhou = cradle::testing::MakeUscc("320506", "2K7R8T9");
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(suzhou, "苏州吴中固废", "320506", "receiver");
  CtlOk("admin", {"licence", "grant", "--receiver", suzhou, "--number",
                  "JS-0506", "--codes", "HW08", "--capacity-t", "5000",
                  "--valid-until", "2099-12-31"});
  const absl::TimeZone china = absl::FixedTimeZone(8 * 3600);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), china);
  const std::string from = absl::FormatCivilTime(today);
  const std::string until = absl::FormatCivilTime(today + 300);
  RunResult applied =
      Ctl(kGenerator,
          {"consult", "apply", "--generator", kGenerator, "--receiver", suzhou,
           "--codes", "900-249-08", "--method", "R9", "--quantity-t", "120",
           "--valid-from", from, "--valid-until", until});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_THAT(applied.out, HasSubstr("APPLIED  held by regulator:33  due "));
  const std::string k = absl::StrFormat("3332-%d-000001", today.year());
  EXPECT_THAT(applied.out, HasSubstr("consultation " + k));

  RunResult wrong = Ctl("jiangsu", {"consult", "accept", k});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("held by regulator:33"));
  CtlOk("zhejiang", {"consult", "accept", k});
  CtlOk("zhejiang", {"consult", "letter", k, "--text", "初审同意移出"});
  RunResult no_reason = Ctl("jiangsu", {"consult", "disagree", k});
  EXPECT_EQ(no_reason.exit_code, 1);
  EXPECT_THAT(no_reason.err, HasSubstr("text is required"));
  CtlOk("jiangsu", {"consult", "agree", k, "--text", "同意接收"});
  RunResult approved = Ctl("zhejiang", {"consult", "approve", k});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_THAT(approved.out, HasSubstr("APPROVED"));
  EXPECT_THAT(approved.out,
              HasSubstr("approval " + k + "  valid " + from + ".." + until));

  RunResult shown = Ctl(suzhou, {"consult", "show", k});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out,
              HasSubstr("SEND_LETTER    regulator:33  初审同意移出"));
  EXPECT_THAT(shown.out, HasSubstr("AGREE          regulator:32  同意接收"));
  RunResult printed = Ctl(
      "jiangsu", {"consult", "show", k, "--pdf", dir_.Sub("consultation.pdf")});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  RunResult letters =
      cradle::testing::Run({"/usr/bin/pdftotext", "-enc", "UTF-8",
                            dir_.Sub("consultation.pdf"), "-"});
  ASSERT_EQ(letters.exit_code, 0) << letters.err;
  EXPECT_THAT(letters.out, HasSubstr("危险废物跨省转移商请函"));
  EXPECT_THAT(letters.out, HasSubstr("苏州吴中固废 (" + suzhou + ")"));
  EXPECT_THAT(letters.out, HasSubstr("批准决定"));
  RunResult listed = Ctl("jiangsu", {"consult", "list", "--province", "32"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(k + "  APPROVED"));
  RunResult overdue =
      Ctl("zhejiang", {"consult", "list", "--province", "33", "--holder",
                       "regulator:33", "--overdue"});
  ASSERT_EQ(overdue.exit_code, 0) << overdue.err;
  EXPECT_THAT(overdue.out, HasSubstr("(none)"));
  RunResult bad = Ctl("zhejiang", {"whitelist", "show", "33-32"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("number \"33-32\""));
}

TEST_F(CliEndToEndTest, BadInputGetsAClearErrorAndAnExitCode) {
  StartServer();
  Regulator("regulator", "33");
  RunResult before = Ctl("regulator", {"audit", "verify"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  RunResult bad_id = Ctl(
      "admin", {"enterprise", "register", "--id", "91330402MA2B3C4D5X",
                "--name", "x", "--division", "330402", "--roles", "generator"});
  EXPECT_EQ(bad_id.exit_code, 1);
  EXPECT_THAT(bad_id.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(bad_id.err, HasSubstr("id"));

  RunResult unknown_flag =
      Ctl("admin", {"manifest", "list", "--colour", "red"});
  EXPECT_EQ(unknown_flag.exit_code, 2);
  EXPECT_THAT(unknown_flag.err, HasSubstr("--colour"));

  RunResult bad_qty =
      Ctl(kGenerator,
          {"manifest", "open", "--generator", kGenerator, "--carrier", kCarrier,
           "--receiver", kReceiver, "--waste", "900-249-08:lots"});
  EXPECT_NE(bad_qty.exit_code, 0);
  EXPECT_THAT(bad_qty.err, HasSubstr("--waste"));

  RunResult missing = Ctl("regulator", {"manifest", "show", "20263304000009"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));

  RunResult help = Ctl("admin", {"pickup", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--vehicle PLATE"));

  // Without a credential, with a forged one: refused, exit code 1.
  RunResult anonymous = Ctl("nobody", {"manifest", "show", "20263304000009"});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_THAT(anonymous.err, HasSubstr("UNAUTHENTICATED"));
  RunResult forged =
      Ctl("admin", {"--token", "crd1.0123456789abcdef." + std::string(64, 'a'),
                    "enterprise", "register", "--id", kGenerator, "--name", "x",
                    "--division", "330402", "--roles", "generator"});
  EXPECT_EQ(forged.exit_code, 1);
  EXPECT_THAT(forged.err, HasSubstr("UNAUTHENTICATED"));
  // Without the CA, the server's certificate is not trusted.
  RunResult untrusted = cradle::testing::Run(
      {CRADLE_CRADLECTL, "--server", address_, "--timeout", "3s",
       "--token-file", tokens_["admin"], "credential", "whoami"});
  EXPECT_EQ(untrusted.exit_code, 3) << untrusted.err;

  RunResult verify = Ctl("regulator", {"audit", "verify"});
  EXPECT_EQ(verify.out, before.out);  // nothing was written
}

// A careless user gets a clear answer naming what is wrong, and a refusal
// writes nothing.
TEST_F(CliEndToEndTest, CarelessInputGetsAClearAnswer) {
  StartServer();
  Regulator("regulator", "33");
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  Enroll(kAltReceiver, "杭州西湖资源利用", "330106", "receiver");
  CtlOk("admin", {"licence", "grant", "--receiver", kReceiver, "--number",
                  "ZJ-0481", "--codes", "HW08", "--capacity-t", "5000",
                  "--methods", "D10,R9", "--valid-until", "2099-12-31"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kCarrier, "--plate",
                  kCarrierPlate, "--permit", "P1"});
  const RunResult before = Ctl("regulator", {"audit", "verify"});
  ASSERT_EQ(before.exit_code, 0) << before.err;

  // Tokens that could not go into a header: exit 2, the token named.
  std::ofstream(dir_.Sub("two-lines.token")) << "crd1.0123456789abcdef.\n"
                                             << std::string(64, 'a') << "\n";
  RunResult newline = cradle::testing::Run(
      {CRADLE_CRADLECTL, "--server", address_, "--ca", dir_.Sub("tls/ca.crt"),
       "--token-file", dir_.Sub("two-lines.token"), "credential", "whoami"});
  EXPECT_EQ(newline.exit_code, 2) << newline.err;
  EXPECT_THAT(newline.err, HasSubstr("--token-file"));
  EXPECT_THAT(newline.err, HasSubstr("a line break"));
  RunResult huge = Ctl("nobody", {"--token", std::string(10 * 1024, 'a'),
                                  "credential", "whoami"});
  EXPECT_EQ(huge.exit_code, 2) << huge.err;
  EXPECT_THAT(huge.err, HasSubstr("--token: not a Cradle token (10240 bytes)"));
  RunResult latin =
      Ctl("nobody", {"--token", "crd1.\xe9", "credential", "whoami"});
  EXPECT_EQ(latin.exit_code, 2) << latin.err;

  // A CA file that holds no certificate says so.
  std::ofstream(dir_.Sub("not-a-ca.pem")) << "hello\n";
  RunResult ca = cradle::testing::Run(
      {CRADLE_CRADLECTL, "--server", address_, "--ca", dir_.Sub("not-a-ca.pem"),
       "--token-file", tokens_["admin"], "credential", "whoami"});
  EXPECT_EQ(ca.exit_code, 2) << ca.err;
  EXPECT_THAT(ca.err, HasSubstr("cannot be read as the CA to trust"));
  EXPECT_THAT(ca.err, ::testing::Not(HasSubstr("empty address list")));

  // A group with no verb lists its verbs.
  RunResult group = Ctl("admin", {"credential"});
  EXPECT_EQ(group.exit_code, 2);
  EXPECT_THAT(group.err, HasSubstr("cradlectl credential issue"));
  EXPECT_THAT(group.err, HasSubstr("cradlectl credential revoke"));
  EXPECT_THAT(group.err, ::testing::Not(HasSubstr("unknown command")));

  // A value that is not UTF-8 is named before anything is sent.
  RunResult latin_plate =
      Ctl(kCarrier, {"vehicle", "register", "--carrier", kCarrier, "--plate",
                     "\xd5\xe3"
                     "F12345",
                     "--permit", "P9"});
  EXPECT_EQ(latin_plate.exit_code, 2) << latin_plate.err;
  EXPECT_THAT(latin_plate.err, HasSubstr("--plate: the value is not UTF-8"));

  const RunResult after = Ctl("regulator", {"audit", "verify"});
  EXPECT_EQ(after.out, before.out);  // none of the above wrote anything

  // A regulator for a prefix that is no division is not issued.
  RunResult nowhere = Ctl(
      "admin", {"credential", "issue", "--kind", "regulator", "--jurisdiction",
                "9999", "--out", dir_.Sub("nowhere.token")});
  EXPECT_EQ(nowhere.exit_code, 1) << nowhere.err;
  EXPECT_THAT(nowhere.err, HasSubstr("jurisdiction \"9999\" is no city"));

  // The generator's key signs its open too (the README says --key signs
  // manifest writes); the chain shows it.
  RunResult key = Ctl(kGenerator, {"keygen", "--out", dir_.Sub("gen.key")});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  RunResult reissue =
      Ctl("admin", {"credential", "issue", "--kind", "party", "--enterprise",
                    kGenerator, "--role", "generator", "--public-key",
                    dir_.Sub("gen.key.pub"), "--out", dir_.Sub("gen2.token")});
  ASSERT_EQ(reissue.exit_code, 0) << reissue.err;
  tokens_[kGenerator] = dir_.Sub("gen2.token");
  keys_[kGenerator] = dir_.Sub("gen.key");
  RunResult open =
      Ctl(kGenerator, {"manifest", "open", "--generator", kGenerator,
                       "--carrier", kCarrier, "--receiver", kReceiver,
                       "--waste", "900-249-08:1t", "--method", "D10"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const std::string n(absl::StripAsciiWhitespace(open.out));
  RunResult chain = Ctl("regulator", {"audit", "chain", n});
  EXPECT_THAT(chain.out, HasSubstr("signature valid"));

  // A method that is no code is refused at opening.
  RunResult d99 =
      Ctl(kGenerator, {"manifest", "open", "--generator", kGenerator,
                       "--carrier", kCarrier, "--receiver", kReceiver,
                       "--waste", "900-249-08:1t", "--method", "D99"});
  EXPECT_EQ(d99.exit_code, 1);
  EXPECT_THAT(d99.err, HasSubstr("method \"D99\" is not a utilisation or "
                                 "disposal method code"));

  // A delivery scanned by another receiver is recorded, but not done: exit
  // 4, and it says so.
  CtlOk(kCarrier,
        {"pickup", n, "--carrier", kCarrier, "--vehicle", kCarrierPlate});
  RunResult wrong =
      Ctl(kAltReceiver, {"deliver", n, "--receiver", kAltReceiver});
  EXPECT_EQ(wrong.exit_code, 4) << wrong.out << wrong.err;
  EXPECT_THAT(wrong.err, HasSubstr("not delivered: " + kAltReceiver +
                                   " is not the receiver of manifest " + n));

  // A disposal by a method the table lacks is refused; one the licence
  // lacks is recorded and flagged.
  CtlOk(kReceiver, {"deliver", n, "--receiver", kReceiver});
  CtlOk(kReceiver,
        {"receive", n, "--receiver", kReceiver, "--line", "1:accept:1t"});
  RunResult bad_method = Ctl(
      kReceiver, {"dispose", n, "--receiver", kReceiver, "--line", "1:D99:1t"});
  EXPECT_EQ(bad_method.exit_code, 1);
  EXPECT_THAT(bad_method.err, HasSubstr("lines[0].method \"D99\""));
  RunResult unlicensed = Ctl(
      kReceiver, {"dispose", n, "--receiver", kReceiver, "--line", "1:D1:1t"});
  EXPECT_EQ(unlicensed.exit_code, 0) << unlicensed.err;
  EXPECT_THAT(unlicensed.out, HasSubstr("UNLICENSED_METHOD"));
}

TEST_F(CliEndToEndTest, RegulatorSeesAndAcknowledgesACrossCityFlag) {
  StartServer();
  Regulator("regulator", "3304");
  const std::string hangzhou = cradle::testing::kAltReceiver;
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  Enroll(hangzhou, "杭州西湖资源", "330106", "receiver");
  for (const std::string& r : {kReceiver, hangzhou}) {
    CtlOk("admin",
          {"licence", "grant", "--receiver", r, "--number", "L-" + r, "--codes",
           "HW08", "--capacity-t", "5000", "--valid-until", "2099-12-31"});
  }
  RunResult open =
      Ctl(kGenerator,
          {"manifest", "open", "--generator", kGenerator, "--carrier", kCarrier,
           "--receiver", hangzhou, "--waste", "900-249-08:2t"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const std::string n(absl::StripAsciiWhitespace(open.out));

  RunResult flags = Ctl("regulator", {"flags", "list", "--city", "3304"});
  ASSERT_EQ(flags.exit_code, 0) << flags.err;
  EXPECT_THAT(flags.out, HasSubstr("CROSS_CITY"));
  EXPECT_THAT(flags.out, HasSubstr("HIGH"));
  const std::string id = n + "-F1";
  EXPECT_THAT(flags.out, HasSubstr(id));
  EXPECT_THAT(Ctl("regulator", {"flags", "list", "--city", "3302"}).out,
              IsEmpty());

  RunResult risk = Ctl("regulator", {"enterprise", "risk", kGenerator});
  EXPECT_THAT(risk.out, HasSubstr("red"));
  CtlOk("regulator",
        {"flags", "ack", id, "--note", "已核实", "--by", "嘉兴市生态环境局"});
  CtlOk("regulator", {"flags", "resolve", id, "--note", "准予"});
  RunResult resolved =
      Ctl("regulator", {"flags", "list", "--state", "resolved"});
  EXPECT_THAT(resolved.out, HasSubstr(id));
  EXPECT_THAT(resolved.out, HasSubstr("嘉兴市生态环境局"));
  EXPECT_THAT(Ctl("regulator", {"enterprise", "risk", kGenerator}).out,
              HasSubstr("green"));
  RunResult again =
      Ctl("regulator", {"flags", "resolve", id, "--note", "again"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("FAILED_PRECONDITION"));

  RunResult pay = Ctl(kGenerator, {"payment", "record", n, "--payee", kCarrier,
                                   "--amount", "3800.50"});
  EXPECT_EQ(pay.exit_code, 0) << pay.err;
  EXPECT_THAT(pay.out, HasSubstr("DIRECT_PAYMENT"));
}

// Labelled drums from the command line: registered by their generator,
// listed on a manifest that sums their weights, scanned onto the truck and
// at the relay, where one is missing and the regulator sees the flag.
// A collector (docs/COLLECTION.md) receives a small generator's drum,
// refills it into a bag of its own with a documented loss, ships the bag
// on, and a regulator traces the drum to the bag's manifest.
TEST_F(CliEndToEndTest, ACollectorRefillsWhatItCollectedAndTheDrumIsTraced) {
  StartServer();
  Regulator("regulator", "3304");
  Enroll(kGenerator, "嘉兴南湖汽修店", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  const std::string coll = cradle::testing::MakeUscc("330411", "2F6K7L8");
  CtlOk("admin",
        {"enterprise", "register", "--id", coll, "--name", "嘉兴秀洲危废收集",
         "--division", "330411", "--roles", "collector,receiver"});
  ASSERT_EQ(Ctl("admin", {"keygen", "--out", dir_.Sub("coll.key")}).exit_code,
            0);
  CtlOk("admin", {"credential", "issue", "--kind", "party", "--enterprise",
                  coll, "--role", "receiver", "--public-key",
                  dir_.Sub("coll.key.pub"), "--out", dir_.Sub("coll-r.token")});
  tokens_["coll-r"] = dir_.Sub("coll-r.token");
  keys_["coll-r"] = dir_.Sub("coll.key");
  CtlOk("admin",
        {"credential", "issue", "--kind", "party", "--enterprise", coll,
         "--role", "collector", "--out", dir_.Sub("coll-c.token")});
  tokens_["coll-c"] = dir_.Sub("coll-c.token");
  for (const std::string& r : {coll, kReceiver}) {
    CtlOk("admin", {"licence", "grant", "--receiver", r, "--number",
                    "ZJ-" + r.substr(2, 6), "--codes", "HW08", "--capacity-t",
                    "500", "--valid-until", "2099-12-31"});
  }
  CtlOk("admin", {"vehicle", "register", "--carrier", kCarrier, "--plate",
                  kCarrierPlate, "--permit", "P1"});

  // One drum from the garage to the collector.
  RunResult reg =
      Ctl(kGenerator, {"container", "register", "--generator", kGenerator,
                       "--waste", "900-249-08", "--seq", "1", "--weight",
                       "200kg", "--packaging", "铁桶"});
  ASSERT_EQ(reg.exit_code, 0) << reg.err;
  const std::string drum = reg.out.substr(0, reg.out.find('\n'));
  CtlOk(kGenerator, {"stock", "store", drum, "--facility", "暂存间"});
  // Ships `code` from `from` (acting as `who`) to `to`, picked up by the
  // carrier; answers the manifest's number.
  auto ship = [&](const std::string& who, const std::string& from,
                  const std::string& to, const std::string& code,
                  const std::string& packaging) {
    RunResult open = Ctl(
        who, {"manifest", "open", "--generator", from, "--carrier", kCarrier,
              "--receiver", to, "--waste", "900-249-08:sum:" + packaging + ":1",
              "--line-field", "1:containers=" + code});
    EXPECT_EQ(open.exit_code, 0) << open.err;
    const std::string n(absl::StripAsciiWhitespace(open.out));
    CtlOk(kCarrier, {"scan", n, "--by", kCarrier, "--point", "load",
                     "--container", code, "--device", "PDA-07"});
    CtlOk(kCarrier,
          {"pickup", n, "--carrier", kCarrier, "--vehicle", kCarrierPlate});
    return n;
  };
  const std::string in = ship(kGenerator, kGenerator, coll, drum, "铁桶");
  CtlOk("coll-r", {"deliver", in, "--receiver", coll});
  CtlOk("coll-r", {"receive", in, "--receiver", coll, "--line",
                   "1:accept:200kg", "--licence", "ZJ-" + coll.substr(2, 6)});
  RunResult shown = Ctl(kGenerator, {"manifest", "show", in});
  EXPECT_THAT(shown.out, HasSubstr("CLOSED"));

  // The refill: a loss needs its reason.
  const std::vector<std::string> refill = {
      "container", "register",   "--generator", coll,
      "--waste",   "900-249-08", "--seq",       "1",
      "--weight",  "196kg",      "--packaging", "吨袋",
      "--source",  drum,         "--loss",      "4kg"};
  RunResult no_reason = Ctl("coll-c", refill);
  EXPECT_EQ(no_reason.exit_code, 1);
  EXPECT_THAT(no_reason.err, HasSubstr("container.loss_reason"));
  std::vector<std::string> with_reason = refill;
  with_reason.insert(with_reason.end(), {"--loss-reason", "残留于原包装桶"});
  RunResult bagged = Ctl("coll-c", with_reason);
  ASSERT_EQ(bagged.exit_code, 0) << bagged.err;
  const std::string bag = bagged.out.substr(0, bagged.out.find('\n'));
  EXPECT_THAT(bagged.out, HasSubstr("filled from 1 collected: " + drum));
  EXPECT_THAT(bagged.out, HasSubstr("lost 4kg: 残留于原包装桶"));
  CtlOk("coll-c", {"stock", "store", bag, "--facility", "收集贮存库"});
  const std::string out = ship("coll-c", coll, kReceiver, bag, "吨袋");

  RunResult balance = Ctl("coll-c", {"stock", "show", "--generator", coll});
  ASSERT_EQ(balance.exit_code, 0) << balance.err;
  EXPECT_THAT(balance.out, HasSubstr("collection"));
  EXPECT_THAT(balance.out,
              ::testing::ContainsRegex("900-249-08 +1 +200kg +0g +196kg +4kg "
                                       "+0g +196kg"));
  RunResult trace = Ctl("regulator", {"container", "trace", drum});
  ASSERT_EQ(trace.exit_code, 0) << trace.err;
  EXPECT_THAT(trace.out, HasSubstr("on manifest " + in));
  EXPECT_THAT(trace.out, HasSubstr("collected by " + coll));
  EXPECT_THAT(trace.out, HasSubstr("went into " + bag));
  EXPECT_THAT(trace.out, HasSubstr("on manifest " + out));
  EXPECT_THAT(trace.out, HasSubstr("from 1 collected"));
}

TEST_F(CliEndToEndTest, DrumsAreLabelledListedAndScannedAlongTheChain) {
  StartServer();
  Regulator("regulator", "3304");
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kRelayCarrier, "杭州危运", "330108", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  CtlOk("admin", {"licence", "grant", "--receiver", kReceiver, "--number",
                  "ZJ-0481", "--codes", "900-249-08", "--capacity-t", "5000",
                  "--valid-until", "2099-12-31"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kCarrier, "--plate",
                  kCarrierPlate, "--permit", "P1"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kRelayCarrier, "--plate",
                  kRelayPlate, "--permit", "P2"});
  std::vector<std::string> drums;
  for (const char* seq : {"1", "2", "3"}) {
    RunResult r = Ctl(
        kGenerator, {"container", "register", "--generator", kGenerator,
                     "--waste", "900-249-08", "--seq", seq, "--weight", "200kg",
                     "--packaging", "铁桶", "--constituents", "废矿物油"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string code = r.out.substr(0, r.out.find('\n'));
    ASSERT_EQ(code.size(), 37u) << r.out;
    EXPECT_THAT(r.out, HasSubstr("废矿物油"));
    drums.push_back(code);
  }
  RunResult twice =
      Ctl(kGenerator, {"container", "register", drums[0], "--generator",
                       kGenerator, "--weight", "200kg", "--packaging", "铁桶"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("container.code"));
  // The stock ledger: two drums booked into the store, a bad record
  // refused naming its field; the third leaves unbooked.
  for (int i = 0; i < 2; ++i) {
    RunResult stored =
        Ctl(kGenerator, {"stock", "store", drums[i], "--facility", "贮存库1"});
    ASSERT_EQ(stored.exit_code, 0) << stored.err;
    EXPECT_THAT(stored.out,
                HasSubstr("record 2 STORED: now STORED in 贮存库1"));
  }
  RunResult bad_use =
      Ctl(kGenerator, {"stock", "use", drums[2], "--method", "X99"});
  EXPECT_EQ(bad_use.exit_code, 1);
  EXPECT_THAT(bad_use.err, HasSubstr("record.method"));
  RunResult held =
      Ctl(kGenerator, {"stock", "show", "--generator", kGenerator});
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_THAT(held.out, HasSubstr("贮存库1"));
  EXPECT_THAT(held.out, HasSubstr("400kg"));
  EXPECT_THAT(held.out, HasSubstr("balanced"));

  RunResult open =
      Ctl(kGenerator,
          {"manifest", "open", "--generator", kGenerator, "--carrier", kCarrier,
           "--receiver", kReceiver, "--waste", "900-249-08:sum:铁桶:3",
           "--line-field", "1:containers=" + absl::StrJoin(drums, ",")});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const std::string n(absl::StripAsciiWhitespace(open.out));
  RunResult drum = Ctl(kGenerator, {"container", "show", drums[1]});
  EXPECT_THAT(drum.out, HasSubstr("on manifest " + n));
  // The labels of the load, printed: a page of 100 mm labels whose text
  // names each drum.
  const std::string pdf = dir_.Sub("labels.pdf");
  RunResult labels =
      Ctl(kGenerator, {"label", "print", "--manifest", n, "--out", pdf});
  ASSERT_EQ(labels.exit_code, 0) << labels.err;
  EXPECT_THAT(labels.out, HasSubstr("3 labels (100 mm) written to"));
  RunResult text =
      cradle::testing::Run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const std::string& d : drums) EXPECT_THAT(text.out, HasSubstr(d));
  EXPECT_THAT(text.out, HasSubstr("嘉兴南湖化工"));
  RunResult bad_size = Ctl(
      kGenerator, {"label", "print", drums[0], "--out", pdf, "--size", "120"});
  EXPECT_NE(bad_size.exit_code, 0);
  EXPECT_THAT(bad_size.err, HasSubstr("--size \"120\""));

  RunResult bad_point = Ctl(kCarrier, {"scan", n, "--by", kCarrier, "--point",
                                       "roadside", "--container", drums[0]});
  EXPECT_NE(bad_point.exit_code, 0);
  EXPECT_THAT(bad_point.err, HasSubstr("--point \"roadside\""));
  CtlOk(kCarrier, {"scan", n, "--by", kCarrier, "--point", "load",
                   "--container", drums[0], "--container", drums[1],
                   "--container", drums[2], "--device", "PDA-07"});
  CtlOk(kCarrier,
        {"pickup", n, "--carrier", kCarrier, "--vehicle", kCarrierPlate});
  CtlOk(kRelayCarrier, {"scan", n, "--by", kRelayCarrier, "--point", "relay",
                        "--container", drums[0], "--container", drums[2]});
  CtlOk(kCarrier, {"relay", n, "--from", kCarrier, "--to", kRelayCarrier,
                   "--vehicle", kRelayPlate});

  RunResult shown = Ctl("regulator", {"manifest", "show", n});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("600kg"));
  EXPECT_THAT(shown.out, HasSubstr("containers: " + drums[0]));
  EXPECT_THAT(shown.out, HasSubstr("scan relay 2  by " + kRelayCarrier));
  EXPECT_THAT(shown.out, HasSubstr("CONTAINER_MISMATCH HIGH"));
  RunResult flags = Ctl("regulator", {"flags", "list", "--city", "3304"});
  EXPECT_THAT(flags.out, HasSubstr("CONTAINER_MISMATCH"));
  EXPECT_THAT(flags.out, HasSubstr(drums[1]));
  EXPECT_THAT(flags.out, HasSubstr("UNSTORED_CONTAINER"));
  // Shipped now, the unbooked drum is a difference the balance names.
  RunResult after =
      Ctl("regulator", {"stock", "show", "--generator", kGenerator});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_THAT(after.out, HasSubstr("DIFFERENCE " + drums[2] +
                                   " left on "
                                   "manifest " +
                                   n));
  RunResult drum_shown = Ctl(kGenerator, {"container", "show", drums[0]});
  EXPECT_THAT(drum_shown.out, HasSubstr("record 2"));
  EXPECT_THAT(drum_shown.out, HasSubstr("STORED into 贮存库1"));

  // The paper manifest, and its seal checked offline with the key of a
  // saved tree head: genuine; altered, refused; once more is recorded,
  // no longer current.
  const std::string paper = dir_.Sub("manifest.pdf");
  RunResult printed = Ctl(kGenerator, {"manifest", "print", n, "--out", paper});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  RunResult paper_text =
      cradle::testing::Run({"/usr/bin/pdftotext", "-enc", "UTF-8", paper, "-"});
  EXPECT_THAT(paper_text.out, HasSubstr("第二部分"));
  EXPECT_THAT(paper_text.out, HasSubstr("杭州危运"));
  RunResult sealed = Ctl(kGenerator, {"manifest", "seal", n});
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  const std::string qr = sealed.out.substr(0, sealed.out.find('\n'));
  const std::string head = dir_.Sub("head.json");
  CtlOk("regulator", {"audit", "head", "--save", head});
  RunResult genuine = Ctl(
      "regulator", {"manifest", "check-qr", qr, "--head", head, "--current"});
  EXPECT_EQ(genuine.exit_code, 0) << genuine.err;
  EXPECT_THAT(genuine.out, HasSubstr("genuine: manifest " + n));
  EXPECT_THAT(genuine.out, HasSubstr("current"));
  std::string altered = qr;
  char& version = altered[altered.find('/') + 1];
  version = version == '9' ? '8' : '9';
  RunResult forged =
      Ctl("regulator", {"manifest", "check-qr", altered, "--head", head});
  EXPECT_NE(forged.exit_code, 0);
  EXPECT_THAT(forged.err, HasSubstr("not signed by this key"));
  RunResult keyless = Ctl("regulator", {"manifest", "check-qr", qr});
  EXPECT_NE(keyless.exit_code, 0);
  EXPECT_THAT(keyless.err, HasSubstr("--head FILE"));
  CtlOk(kReceiver, {"deliver", n, "--receiver", kReceiver});
  RunResult old = Ctl(
      "regulator", {"manifest", "check-qr", qr, "--head", head, "--current"});
  EXPECT_NE(old.exit_code, 0);
  EXPECT_THAT(old.out, HasSubstr("genuine"));
  EXPECT_THAT(old.err, HasSubstr("superseded"));
}

// Offline, as yards and highways are: with the server down, the carrier
// taking over scans the drums onto its truck in two goes, a third
// carrier's device scans one of them too, and the carrier handing over
// records the relay, each into its own queue. Back online, the queues are
// uploaded (one of them twice): every scan is recorded exactly once, the
// relay's missing-drum flag clears when the late scans arrive, and the
// third carrier's scan is kept and flagged as conflicting custody.
TEST_F(CliEndToEndTest, OfflineScansAndARelayUploadLaterExactlyOnce) {
  StartServer();
  Regulator("regulator", "3304");
  const std::string third = cradle::testing::kThirdCarrier;
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kRelayCarrier, "杭州危运", "330108", "transporter");
  Enroll(third, "杭州西湖危运", "330110", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  CtlOk("admin", {"licence", "grant", "--receiver", kReceiver, "--number",
                  "ZJ-0481", "--codes", "900-249-08", "--capacity-t", "5000",
                  "--valid-until", "2099-12-31"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kCarrier, "--plate",
                  kCarrierPlate, "--permit", "P1"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kRelayCarrier, "--plate",
                  kRelayPlate, "--permit", "P2"});
  std::vector<std::string> d;
  for (const char* seq : {"1", "2", "3"}) {
    RunResult r =
        Ctl(kGenerator, {"container", "register", "--generator", kGenerator,
                         "--waste", "900-249-08", "--seq", seq, "--weight",
                         "200kg", "--packaging", "铁桶"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    d.push_back(r.out.substr(0, r.out.find('\n')));
  }
  RunResult open =
      Ctl(kGenerator,
          {"manifest", "open", "--generator", kGenerator, "--carrier", kCarrier,
           "--receiver", kReceiver, "--waste", "900-249-08:sum:铁桶:3",
           "--line-field", "1:containers=" + absl::StrJoin(d, ",")});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const std::string n(absl::StripAsciiWhitespace(open.out));
  CtlOk(kCarrier,
        {"scan", n, "--by", kCarrier, "--point", "load", "--container", d[0],
         "--container", d[1], "--container", d[2]});
  CtlOk(kCarrier,
        {"pickup", n, "--carrier", kCarrier, "--vehicle", kCarrierPlate});

  server_->Kill(SIGKILL);  // no signal from here
  const std::string qa = dir_.Sub("a.queue"), qb = dir_.Sub("b.queue"),
                    qc = dir_.Sub("c.queue");
  RunResult queued =
      Ctl(kRelayCarrier,
          {"--queue", qb, "scan", n, "--by", kRelayCarrier, "--point", "relay",
           "--container", d[0], "--container", d[1], "--device", "PDA-B"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  EXPECT_THAT(queued.out, HasSubstr("queued ScanRequest"));
  CtlOk(kRelayCarrier,
        {"--queue", qb, "scan", n, "--by", kRelayCarrier, "--point", "relay",
         "--container", d[2], "--device", "PDA-B"});
  CtlOk(third, {"--queue", qc, "scan", n, "--by", third, "--point", "relay",
                "--container", d[1], "--device", "PDA-C"});
  CtlOk(kCarrier, {"--queue", qa, "relay", n, "--from", kCarrier, "--to",
                   kRelayCarrier, "--vehicle", kRelayPlate});
  EXPECT_THAT(Ctl(kRelayCarrier, {"queue", "show", qb}).out,
              HasSubstr("2 waiting"));
  RunResult down = Ctl(kCarrier, {"--timeout", "2s", "queue", "upload", qa});
  EXPECT_NE(down.exit_code, 0);
  EXPECT_THAT(down.out, HasSubstr("1 left in"));

  StartServer();
  const std::string qb_again = dir_.Sub("b-copy.queue");
  std::filesystem::copy_file(qb, qb_again);  // uploaded twice, as on a crash
  RunResult up = Ctl(kCarrier, {"queue", "upload", qa});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  up = Ctl(kRelayCarrier, {"queue", "upload", qb});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_THAT(up.out, HasSubstr("2 uploaded (0 already recorded)"));
  up = Ctl(kRelayCarrier, {"queue", "upload", qb_again});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_THAT(up.out, HasSubstr("2 uploaded (2 already recorded)"));
  up = Ctl(third, {"queue", "upload", qc});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_THAT(Ctl(kRelayCarrier, {"queue", "show", qb}).out,
              HasSubstr("0 waiting"));

  RunResult shown = Ctl("regulator", {"manifest", "show", n});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  auto count = [&](const std::string& what) {
    size_t k = 0;
    for (size_t at = shown.out.find(what); at != std::string::npos;
         at = shown.out.find(what, at + 1)) {
      ++k;
    }
    return k;
  };
  EXPECT_EQ(count("scan relay 2  by " + kRelayCarrier), 2u) << shown.out;
  EXPECT_EQ(count("scan relay 2  by " + third), 1u) << shown.out;
  RunResult open_flags =
      Ctl("regulator",
          {"flags", "list", "--kind", "container_mismatch", "--state", "open"});
  EXPECT_THAT(open_flags.out, HasSubstr("conflicting custody"));
  EXPECT_THAT(open_flags.out, ::testing::Not(HasSubstr("not scanned")));
  RunResult cleared = Ctl(
      "regulator",
      {"flags", "list", "--kind", "container_mismatch", "--state", "cleared"});
  EXPECT_THAT(cleared.out, HasSubstr("3 of 3 containers not scanned"));
}

// A leg's route and its track from a CSV file, uploaded in chained
// batches; rerun after the server died mid-way, only the rest is sent. A
// stop mid-route is flagged; weighbridge readings at both gates decide the
// quantity check over the typed weights.
TEST_F(CliEndToEndTest, ATrackUploadedInBatchesAndWeighbridgesAtBothGates) {
  StartServer();
  Regulator("regulator", "3304");
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  CtlOk("admin", {"licence", "grant", "--receiver", kReceiver, "--number",
                  "ZJ-0481", "--codes", "900-249-08", "--capacity-t", "5000",
                  "--valid-until", "2099-12-31"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kCarrier, "--plate",
                  kCarrierPlate, "--permit", "P1"});
  RunResult open =
      Ctl(kGenerator,
          {"manifest", "open", "--generator", kGenerator, "--carrier", kCarrier,
           "--receiver", kReceiver, "--waste", "900-249-08:1.25t:drum:5"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const std::string n(absl::StripAsciiWhitespace(open.out));
  CtlOk(kGenerator,
        {"weigh", n, "--by", kGenerator, "--point", "exit", "--gross", "13.55t",
         "--tare", "12.3t", "--device", "WB-01"});
  RunResult bad_route =
      Ctl(kCarrier, {"pickup", n, "--carrier", kCarrier, "--vehicle",
                     kCarrierPlate, "--route", "30.75,120.75"});
  EXPECT_NE(bad_route.exit_code, 0);
  EXPECT_THAT(bad_route.err, HasSubstr("--route"));
  CtlOk(kCarrier,
        {"pickup", n, "--carrier", kCarrier, "--vehicle", kCarrierPlate,
         "--route", "30.75,120.75;30.50,120.75;30.25,120.75"});

  // 100 minutes up to now at one point per 30 s, standing still from
  // minute 20 to 90 a quarter of the way down.
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  std::string csv = "time,lat,lon,speed_kmh\n";
  for (int k = 0; k < 200; ++k) {
    const bool standing = k >= 40 && k < 180;
    const int at = standing ? 40 : k;
    absl::StrAppend(&csv, now - 6000 + 30 * k, ",",
                    absl::StrFormat("%.6f", 30.75 - 0.0025 * at), ",120.75,",
                    standing ? "0" : "50", "\n");
  }
  const std::string file = dir_.Sub("track.csv");
  { std::ofstream(file) << csv; }
  // The first 60 points, as if the upload had stopped there.
  const std::string head_file = dir_.Sub("head.csv");
  {
    std::ofstream out(head_file);
    size_t at = 0;
    for (int line = 0; line < 61; ++line) at = csv.find('\n', at) + 1;
    out << csv.substr(0, at);
  }
  RunResult first = Ctl(kCarrier, {"track", "upload", n, "--leg", "1", "--file",
                                   head_file, "--batch", "50"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("60 points sent in 2 batches"));
  EXPECT_THAT(first.err, HasSubstr("batch 2/2: 10 points"));
  RunResult rest = Ctl(kCarrier, {"track", "upload", n, "--leg", "1", "--file",
                                  file, "--batch", "50"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_THAT(rest.err, HasSubstr("batch 1/3: 50 points"));
  EXPECT_THAT(rest.out, HasSubstr("140 points sent in 3 batches (60 held"));
  EXPECT_THAT(rest.out, HasSubstr("LONG_STOP"));
  RunResult again =
      Ctl(kCarrier, {"track", "upload", n, "--leg", "1", "--file", file});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("already holds all 200 points"));
  RunResult shown = Ctl("regulator", {"track", "show", n});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("200 points in 5 batches"));

  RunResult bad_csv = Ctl(kCarrier, {"track", "upload", n, "--leg", "1",
                                     "--file", dir_.Sub("none.csv")});
  EXPECT_NE(bad_csv.exit_code, 0);
  { std::ofstream(dir_.Sub("bad.csv")) << "1796259630,30.7,120.7\n"; }
  bad_csv = Ctl(kCarrier, {"track", "upload", n, "--leg", "1", "--file",
                           dir_.Sub("bad.csv")});
  EXPECT_NE(bad_csv.exit_code, 0);
  EXPECT_THAT(bad_csv.err, HasSubstr("bad.csv:1"));

  CtlOk(kReceiver, {"deliver", n, "--receiver", kReceiver});
  RunResult twice = Ctl(
      kGenerator, {"weigh", n, "--by", kGenerator, "--point", "exit", "--gross",
                   "13.55t", "--tare", "12.3t", "--device", "WB-01"});
  EXPECT_NE(twice.exit_code, 0);
  EXPECT_THAT(twice.err, HasSubstr("already has its EXIT reading"));
  CtlOk(kReceiver,
        {"weigh", n, "--by", kReceiver, "--point", "entry", "--gross", "13.31t",
         "--tare", "12.3t", "--device", "WB-09"});
  CtlOk(kReceiver, {"receive", n, "--receiver", kReceiver, "--line",
                    "1:accept:1.25t", "--licence", "ZJ-0481"});
  RunResult flags = Ctl("regulator", {"flags", "list", "--state", "open"});
  EXPECT_THAT(flags.out, HasSubstr("LONG_STOP"));
  EXPECT_THAT(flags.out, HasSubstr("weighed 1.25t at exit on WB-01, weighed "
                                   "1.01t at entry on WB-09"));
  EXPECT_THAT(flags.out, ::testing::Not(HasSubstr("TRACK_GAP")));
  EXPECT_THAT(flags.out, ::testing::Not(HasSubstr("ROUTE_DEVIATION")));
}

// A correction from the command line: the generator proposes, the inbox
// names the revision, the parties approve, the manifest shows the history;
// a bad field is refused naming it, and a regulator returns and confirms.
TEST_F(CliEndToEndTest, ARevisionFromTheCommandLine) {
  StartServer();
  Regulator("regulator", "3304");
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  CtlOk("admin", {"licence", "grant", "--receiver", kReceiver, "--number",
                  "L-1", "--codes", "HW08", "--capacity-t", "5000",
                  "--valid-until", "2099-12-31"});
  RunResult open =
      Ctl(kGenerator,
          {"manifest", "open", "--generator", kGenerator, "--carrier", kCarrier,
           "--receiver", kReceiver, "--waste", "900-249-08:1.25t"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const std::string n(absl::StripAsciiWhitespace(open.out));

  RunResult bad =
      Ctl(kGenerator, {"revise", n, "--set", "colour=red", "--reason", "x"});
  EXPECT_EQ(bad.exit_code, 2) << "refused before it is sent: " << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("--set colour"));

  RunResult revise =
      Ctl(kGenerator, {"revise", n, "--set", "lines[0].quantity_g=1300000",
                       "--reason", "过磅复核"});
  ASSERT_EQ(revise.exit_code, 0) << revise.err;
  const std::string id = n + "-R1";
  EXPECT_THAT(revise.out, HasSubstr("revision " + id + " proposed"));
  EXPECT_THAT(revise.out, HasSubstr("\"1250000\" -> \"1300000\""));
  RunResult inbox = Ctl(kCarrier, {"inbox"});
  EXPECT_THAT(inbox.out, HasSubstr("ANSWER_REVISION " + id));
  CtlOk(kCarrier, {"revision", "approve", id});
  RunResult applied =
      Ctl(kReceiver, {"revision", "approve", id, "--note", "可接收"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_THAT(applied.out, HasSubstr("1.3t"));
  EXPECT_THAT(applied.out, HasSubstr("APPLIED"));
  EXPECT_THAT(applied.out, HasSubstr("可接收"));

  CtlOk("regulator", {"manifest", "return", n, "--note", "联系人未填"});
  EXPECT_THAT(Ctl(kGenerator, {"inbox"}).out, HasSubstr("FIX_RETURN"));
  CtlOk(kGenerator,
        {"revise", n, "--set", "dispatch.contact=王经理", "--reason", "补填"});
  EXPECT_THAT(Ctl("regulator", {"inbox"}).out, HasSubstr("CONFIRM_RETURN"));
  RunResult confirmed = Ctl("regulator", {"manifest", "confirm-return", n});
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.err;
  EXPECT_THAT(confirmed.out, HasSubstr("confirmed at"));
}

TEST_F(CliEndToEndTest, RegulatorProvesAChainAgainstASavedHead) {
  StartServer();
  Regulator("regulator", "3304");
  Enroll(kGenerator, "嘉兴南湖化工", "330402", "generator");
  Enroll(kCarrier, "嘉善安运", "330421", "transporter");
  Enroll(kReceiver, "海宁固废", "330481", "receiver");
  CtlOk("admin", {"licence", "grant", "--receiver", kReceiver, "--number", "L1",
                  "--codes", "HW08", "--capacity-t", "100", "--valid-until",
                  "2099-12-31"});
  CtlOk("admin", {"vehicle", "register", "--carrier", kCarrier, "--plate",
                  kCarrierPlate, "--permit", "P1"});
  RunResult open =
      Ctl(kGenerator,
          {"manifest", "open", "--generator", kGenerator, "--carrier", kCarrier,
           "--receiver", kReceiver, "--waste", "900-249-08:1t"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const std::string n(absl::StripAsciiWhitespace(open.out));
  CtlOk(kCarrier,
        {"pickup", n, "--carrier", kCarrier, "--vehicle", kCarrierPlate});

  const std::string old_head = dir_.Sub("head-1.json");
  RunResult head = Ctl("regulator", {"audit", "head", "--save", old_head});
  ASSERT_EQ(head.exit_code, 0) << head.err;
  EXPECT_THAT(head.out, HasSubstr("signature verified"));

  CtlOk(kReceiver, {"deliver", n, "--receiver", kReceiver});
  CtlOk(kReceiver,
        {"receive", n, "--receiver", kReceiver, "--line", "1:accept:1t"});
  const std::string new_head = dir_.Sub("head-2.json");
  CtlOk("regulator", {"audit", "head", "--save", new_head});

  // The entries that existed at the saved head prove against it, offline.
  RunResult prove = Ctl("regulator", {"audit", "prove", n, "--head", old_head});
  EXPECT_EQ(prove.exit_code, 0) << prove.out << prove.err;
  EXPECT_THAT(prove.out, HasSubstr("all 2 entries proved"));
  RunResult later = Ctl("regulator", {"audit", "prove", n, "--head", new_head});
  EXPECT_THAT(later.out, HasSubstr("all 4 entries proved"));
  RunResult consistent = Ctl("regulator", {"audit", "consistency", "--old",
                                           old_head, "--new", new_head});
  EXPECT_EQ(consistent.exit_code, 0) << consistent.err;
  EXPECT_THAT(consistent.out, HasSubstr("consistent"));

  // A head whose root was edited no longer carries a valid signature.
  std::ifstream in(old_head);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  const size_t at = text.find("\"root_hash\": \"") + 14;
  text[at] = text[at] == '0' ? '1' : '0';
  const std::string forged = dir_.Sub("forged.json");
  std::ofstream(forged) << text;
  RunResult refused = Ctl("regulator", {"audit", "prove", n, "--head", forged});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("signature does not verify"));

  RunResult csv =
      Ctl("regulator", {"audit", "export", "--jurisdiction", "3304"});
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, HasSubstr("# cradle export jurisdiction=3304"));
  EXPECT_THAT(csv.out, HasSubstr(n + ",ACCEPTED,"));
  RunResult flows =
      Ctl("regulator", {"audit", "flows", "--jurisdiction", "3304", "--from",
                        "2020-01", "--to", "2024-12"});
  EXPECT_EQ(flows.exit_code, 0) << flows.err;
}

TEST_F(CliEndToEndTest, ServerRefusesABadLimitNamingTheFlag) {
  RunResult bad =
      cradle::testing::Run({CRADLE_CRADLED, "--data", dir_.Sub("x"), "--listen",
                            "127.0.0.1:0", "--transit-limit=soon"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--transit-limit"));
  EXPECT_THAT(bad.err, HasSubstr("72h"));  // says what a limit looks like
  RunResult help = cradle::testing::Run({CRADLE_CRADLED, "--helpfull"});
  EXPECT_THAT(help.out + help.err, HasSubstr("receipt_limit"));
}

// An operator's calendar file: refused naming the flag, the file and the
// line, before anything is served.
TEST_F(CliEndToEndTest, ServerRefusesABadCalendarNamingTheFileAndLine) {
  const std::string file = dir_.Sub("cn-workdays-2028.txt");
  std::ofstream(file) << "year 2027\nholiday 2027-01-01\nholiday 2028-01-03\n";
  RunResult bad =
      cradle::testing::Run({CRADLE_CRADLED, "--data", dir_.Sub("x"), "--listen",
                            "127.0.0.1:0", "--calendar", file});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--calendar " + file));
  EXPECT_THAT(bad.err, HasSubstr("line 3"));
  EXPECT_THAT(bad.err, HasSubstr("year 2028"));
  bad = cradle::testing::Run({CRADLE_CRADLED, "--data", dir_.Sub("x"),
                              "--listen", "127.0.0.1:0", "--calendar",
                              dir_.Sub("no-such-calendar.txt")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("cannot be read"));
}

TEST_F(CliEndToEndTest, UnreachableServerIsReported) {
  address_ = "127.0.0.1:1";
  RunResult r = cradle::testing::Run({CRADLE_CRADLECTL, "--server", address_,
                                      "--insecure", "--timeout", "2s",
                                      "manifest", "show", "20263304000001"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("is cradled running"));
}

}  // namespace
}  // namespace cradle
