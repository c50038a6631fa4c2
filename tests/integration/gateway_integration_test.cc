// The HTTP/JSON gateway inside a real CradleServer (ServerOptions::
// http_listen) over RocksDB in a temp dir, called over HTTP as a page
// would: the same answers as gRPC, the same refusals as HTTP statuses,
// signed writes signed over the bytes the gateway hands out, streams as
// NDJSON, the pages as static files, and HTTPS.

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

#include "gateway/gateway.h"
#include "gateway/transcode.h"
#include "httplib.h"
#include "security/dev_ca.h"
#include "tests/integration/server_fixture.h"

namespace cradle {
namespace {

using ::testing::HasSubstr;
using testing::kCarrier;
using testing::kCarrierPlate;
using testing::kGenerator;
using testing::kProvinceRegulator;
using testing::kReceiver;
using ::testing::StartsWith;

google::protobuf::Struct ParseJson(const std::string& body) {
  google::protobuf::Struct parsed;
  auto s = google::protobuf::util::JsonStringToMessage(body, &parsed);
  EXPECT_TRUE(s.ok()) << body;
  return parsed;
}

// The "error" object of a refusal.
google::protobuf::Struct ErrorOf(const httplib::Result& res) {
  EXPECT_TRUE(res) << "no answer";
  if (!res) return {};
  return ParseJson(res->body).fields().at("error").struct_value();
}

class GatewayIntegrationTest : public testing::ServerFixture {
 protected:
  void Configure(services::ServerOptions* options) override {
    options->http_listen = "127.0.0.1:0";
    const std::string web = dir_.Sub("web");
    mkdir(web.c_str(), 0755);
    std::ofstream(web + "/index.html")
        << "<!doctype html><title>Cradle</title>";
    options->web_root = web;
  }

  void SetUp() override {
    ServerFixture::SetUp();
    ASSERT_NE(server_->http_port(), 0);
    http_ =
        std::make_unique<httplib::Client>("127.0.0.1", server_->http_port());
  }

  httplib::Headers AsWho(const std::string& who) {
    auto it = creds_.find(who);
    if (it == creds_.end()) return {};
    return {{"Authorization", "Bearer " + it->second.token}};
  }

  httplib::Result HttpPost(const std::string& who, const std::string& path,
                           const std::string& body) {
    return http_->Post(path.c_str(), AsWho(who), body, "application/json");
  }
  httplib::Result HttpGet(const std::string& who, const std::string& path) {
    return http_->Get(path.c_str(), AsWho(who));
  }

  // Opens the fixture's manifest over HTTP; its number.
  std::string OpenOverHttp() {
    std::string body;
    EXPECT_TRUE(
        google::protobuf::util::MessageToJsonString(OpenRequest(), &body).ok());
    httplib::Result res = HttpPost(kGenerator, "/v1/manifests", body);
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 200) << res->body;
    return ParseJson(res->body)
        .fields()
        .at("manifest")
        .struct_value()
        .fields()
        .at("number")
        .string_value();
  }

  std::unique_ptr<httplib::Client> http_;
};

TEST_F(GatewayIntegrationTest, AManifestOpenedOverHttpIsTheOneGrpcReads) {
  const std::string number = OpenOverHttp();
  ASSERT_FALSE(number.empty());
  v1::Manifest over_grpc = Get(number);
  EXPECT_EQ(over_grpc.generator(), kGenerator);
  ASSERT_EQ(over_grpc.lines_size(), 2);

  httplib::Result res =
      HttpGet(kProvinceRegulator, absl::StrCat("/v1/manifests/", number));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->get_header_value("Content-Type"),
              StartsWith("application/json"));
  // The JSON is the gRPC answer in the proto3 mapping, field for field.
  v1::GetManifestResponse over_http;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(res->body, &over_http).ok());
  EXPECT_EQ(over_http.manifest().SerializeAsString(),
            over_grpc.SerializeAsString());

  // A GET's query: the generator's list, one page of one.
  res = HttpGet(kGenerator,
                absl::StrCat("/v1/manifests?party=", kGenerator,
                             "&status=MANIFEST_STATUS_ISSUED&pageSize=1"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr(number));
}

TEST_F(GatewayIntegrationTest, ASignedWriteIsSignedOverTheBytesHandedOut) {
  const std::string number = OpenOverHttp();
  ASSERT_FALSE(number.empty());
  const std::string path = absl::StrCat("/v1/manifests/", number, ":pickup");
  const std::string request =
      absl::StrCat(R"({"meta":{"idempotencyKey":"http-pickup-1"},"carrier":")",
                   kCarrier, R"(","vehicle":")", kCarrierPlate, R"("})");
  const uint64_t head = Head();

  // Unsigned: refused as over gRPC, and nothing is written.
  httplib::Result res = HttpPost(kCarrier, path, request);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_THAT(ErrorOf(res).fields().at("message").string_value(),
              HasSubstr("meta.signature is required"));
  EXPECT_EQ(Head(), head);

  // The bytes to sign, as a page asks for them.
  res = HttpPost(kCarrier, path + ":signingBytes", request);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  google::protobuf::Struct answer = ParseJson(res->body);
  EXPECT_EQ(answer.fields().at("signingName").string_value(),
            "cradle.v1.PickupRequest");
  std::string bytes;
  ASSERT_TRUE(
      absl::Base64Unescape(answer.fields().at("bytes").string_value(), &bytes));
  // They are what the server checks: the request built over gRPC gives
  // the same.
  v1::PickupRequest same;
  same.mutable_meta()->set_idempotency_key("http-pickup-1");
  same.set_number(number);
  same.set_carrier(kCarrier);
  same.set_vehicle(kCarrierPlate);
  EXPECT_EQ(bytes, security::AttestationMessage(same));
  EXPECT_EQ(Head(), head);  // asking wrote nothing

  // Signed by the carrier's key (in a page: WebCrypto, the key on the
  // device), then sent.
  const std::string signature =
      absl::Base64Escape(creds_[kCarrier].key->Sign(bytes));
  const std::string signed_request =
      absl::StrCat(R"({"meta":{"idempotencyKey":"http-pickup-1","signature":")",
                   signature, R"("},"carrier":")", kCarrier, R"(","vehicle":")",
                   kCarrierPlate, R"("})");
  res = HttpPost(kCarrier, path, signed_request);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Get(number).status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  EXPECT_EQ(Head(), head + 1);

  // Sent again (a page retrying after a lost answer): recorded once.
  res = HttpPost(kCarrier, path, signed_request);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Head(), head + 1);

  // A request that is not signed has no bytes to sign.
  res = HttpPost(kGenerator, "/v1/node:pruneLog:signingBytes", "{}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(ErrorOf(res).fields().at("message").string_value(),
              HasSubstr("is not signed"));
}

TEST_F(GatewayIntegrationTest,
       RefusalsAreHttpStatusesNamingTheFieldAndChangeNothing) {
  const std::string number = OpenOverHttp();
  ASSERT_FALSE(number.empty());
  const uint64_t head = Head();
  struct Case {
    std::string who;
    std::string verb;
    std::string path;
    std::string body;
    int status;
    std::string grpc_status;
    std::string named;
  };
  const std::string manifest = absl::StrCat("/v1/manifests/", number);
  const std::vector<Case> cases = {
      // No token; a token that is not one.
      {"", "GET", manifest, "", 401, "UNAUTHENTICATED", ""},
      {"nobody", "GET", manifest, "", 401, "UNAUTHENTICATED", ""},
      // A party not on the manifest.
      {testing::kAltReceiver, "GET", manifest, "", 403, "PERMISSION_DENIED",
       ""},
      // A field the server refuses, named.
      {kGenerator, "POST", "/v1/manifests",
       absl::StrCat(R"({"meta":{"idempotencyKey":"bad-1"},"generator":")",
                    kGenerator, R"(","carrier":")", kCarrier,
                    R"(","receiver":")", kReceiver,
                    R"(","lines":[{"code":"999-999-99","quantityG":"1000"}]})"),
       400, "INVALID_ARGUMENT", "lines[0].code"},
      // The gateway's own: JSON that is not the request, a wrong query
      // value, a path and body that disagree.
      {kGenerator, "POST", "/v1/manifests", "{\"lines\": 7}", 400,
       "INVALID_ARGUMENT", "body:"},
      {kGenerator, "GET", "/v1/manifests?pageSize=lots", "", 400,
       "INVALID_ARGUMENT", "pageSize"},
      {kGenerator, "POST", manifest + ":cancel",
       R"({"number":"1","generator":"x"})", 400, "INVALID_ARGUMENT", "number"},
      // Nothing there.
      {kProvinceRegulator, "GET",
       absl::StrCat("/v1/manifests/", number.substr(0, number.size() - 4),
                    "9999"),
       "", 404, "NOT_FOUND", ""},
      {kGenerator, "GET", "/v1/teleport", "", 404, "NOT_FOUND", "no route"},
      // A route under another verb.
      {kGenerator, "GET", manifest + ":cancel", "", 405, "UNIMPLEMENTED",
       "GET"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.verb + " " + c.path + " as " + c.who);
    httplib::Headers headers = AsWho(c.who);
    if (c.who == "nobody") {
      headers = {{"Authorization", "Bearer crd1.0000000000000000.nope"}};
    }
    httplib::Result res =
        c.verb == "GET"
            ? http_->Get(c.path.c_str(), headers)
            : http_->Post(c.path.c_str(), headers, c.body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << res->body;
    google::protobuf::Struct error = ErrorOf(res);
    EXPECT_EQ(error.fields().at("status").string_value(), c.grpc_status);
    EXPECT_EQ(error.fields().at("code").number_value(), c.status);
    EXPECT_THAT(error.fields().at("message").string_value(),
                HasSubstr(c.named));
  }
  // Other methods, and a body over the limit.
  httplib::Result res = http_->Delete(manifest.c_str(), AsWho(kGenerator));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  // A signature that is not the party's.
  res = HttpPost(
      kCarrier, manifest + ":pickup",
      absl::StrCat(R"({"meta":{"idempotencyKey":"forged",)", R"("signature":")",
                   absl::Base64Escape(std::string(64, 'x')),
                   R"("},"carrier":")", kCarrier, R"(","vehicle":")",
                   kCarrierPlate, R"("})"));
  ASSERT_TRUE(res);
  EXPECT_THAT(res->status, ::testing::AnyOf(400, 401, 403)) << res->body;
  EXPECT_THAT(ErrorOf(res).fields().at("message").string_value(),
              HasSubstr("signature"));
  res = HttpPost(kGenerator, "/v1/manifests",
                 std::string(gateway::kMaxBodyBytes + 1, ' '));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(Head(), head);
}

TEST_F(GatewayIntegrationTest, AStreamComesAsOneJsonAnswerALine) {
  OpenOverHttp();
  OpenOverHttp();
  httplib::Result res =
      HttpGet(kProvinceRegulator, "/v1/jurisdictions/3304/export");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->get_header_value("Content-Type"),
              StartsWith("application/x-ndjson"));
  std::string csv;
  int lines = 0;
  for (absl::string_view line :
       absl::StrSplit(res->body, '\n', absl::SkipEmpty())) {
    v1::ExportChunk chunk;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(line), &chunk)
            .ok())
        << line;
    csv += chunk.csv();
    ++lines;
  }
  EXPECT_GE(lines, 2);
  std::vector<std::string> rows = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  EXPECT_EQ(rows.size(), 4u) << csv;  // comment, header, two manifests

  // A stream refused before its first answer is an HTTP refusal.
  res = HttpGet(kGenerator, "/v1/jurisdictions/3304/export");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403) << res->body;
}

// A client that leaves after the first lines of a stream: the call
// upstream is cancelled, the gateway goes on serving, and the server then
// stops with no call left open (the fixture's teardown).
TEST_F(GatewayIntegrationTest, AClientLeavingMidStreamLeavesNothingOpen) {
  for (int i = 0; i < 3; ++i) OpenOverHttp();
  std::string received;
  httplib::Result res =
      http_->Get("/v1/jurisdictions/3304/export", AsWho(kProvinceRegulator),
                 [&](const char* data, size_t n) {
                   received.append(data, n);
                   return false;  // gone
                 });
  EXPECT_FALSE(res);
  EXPECT_EQ(res.error(), httplib::Error::Canceled);
  EXPECT_THAT(received, StartsWith("{\"csv\":\"# cradle export"));
  res = HttpGet(kProvinceRegulator, "/v1/jurisdictions/3304/export");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(std::count(res->body.begin(), res->body.end(), '\n'), 2);
}

TEST_F(GatewayIntegrationTest, ServesThePagesAndTheDescription) {
  httplib::Result res = http_->Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("<title>Cradle</title>"));
  EXPECT_THAT(res->get_header_value("Content-Type"), StartsWith("text/html"));
  EXPECT_THAT(res->get_header_value("Content-Security-Policy"),
              HasSubstr("default-src 'self'"));
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  res = http_->Get("/../server_fixture.h");
  ASSERT_TRUE(res);
  EXPECT_NE(res->status, 200);
  // The server's public key, to anyone: the roadside check needs no
  // sign-in. It is the key the printed seals are signed with.
  res = http_->Get("/v1/publicKey");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string number = OpenOverHttp();
  httplib::Result seal = HttpGet(
      kProvinceRegulator, absl::StrCat("/v1/manifests/", number, "/seal"));
  ASSERT_TRUE(seal);
  ASSERT_EQ(seal->status, 200) << seal->body;
  EXPECT_EQ(ParseJson(res->body).fields().at("publicKey").string_value(),
            ParseJson(seal->body)
                .fields()
                .at("seal")
                .struct_value()
                .fields()
                .at("publicKey")
                .string_value());
  res = http_->Get("/v1/openapi.json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(ParseJson(res->body).fields().at("openapi").string_value(),
            "3.0.3");
}

TEST(GatewayStartTest, RefusesWhatCannotBeServedNamingTheOption) {
  testing::TempDir dir;
  std::shared_ptr<grpc::Channel> nowhere =
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  gateway::GatewayOptions options;
  options.listen = "0.0.0.0:0";
  options.insecure = true;
  auto g = gateway::Gateway::Start(options, nowhere);
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("loopback"));

  options.listen = "127.0.0.1";
  g = gateway::Gateway::Start(options, nowhere);
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("host:port"));

  options.listen = "127.0.0.1:0";
  options.insecure = false;
  g = gateway::Gateway::Start(options, nowhere);
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("tls_cert"));

  options.tls_cert_file = dir.Sub("none.crt");
  options.tls_key_file = dir.Sub("none.key");
  g = gateway::Gateway::Start(options, nowhere);
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("none.crt"));

  std::ofstream(dir.Sub("junk.crt")) << "not a certificate";
  std::ofstream(dir.Sub("junk.key")) << "not a key";
  options.tls_cert_file = dir.Sub("junk.crt");
  options.tls_key_file = dir.Sub("junk.key");
  g = gateway::Gateway::Start(options, nowhere);
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("PEM"));

  options.insecure = true;
  options.web_root = dir.Sub("no-such-folder");
  g = gateway::Gateway::Start(options, nowhere);
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(std::string(g.status().message()), HasSubstr("web"));
}

TEST(GatewayStartTest, ServesHttpsWithTheCertificateGiven) {
  testing::TempDir dir;
  absl::StatusOr<security::DevCertificates> certs =
      security::MakeDevCertificates(security::DevCaOptions());
  ASSERT_TRUE(certs.ok()) << certs.status();
  std::ofstream(dir.Sub("ca.crt")) << certs->ca_cert_pem;
  std::ofstream(dir.Sub("server.crt")) << certs->server_cert_pem;
  std::ofstream(dir.Sub("server.key")) << certs->server_key_pem;
  gateway::GatewayOptions options;
  options.listen = "127.0.0.1:0";
  options.tls_cert_file = dir.Sub("server.crt");
  options.tls_key_file = dir.Sub("server.key");
  // No server behind it: the call is refused UNAVAILABLE, over TLS.
  options.call_timeout = absl::Seconds(2);
  auto g = gateway::Gateway::Start(
      options,
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()));
  ASSERT_TRUE(g.ok()) << g.status();

  httplib::SSLClient trusted("127.0.0.1", (*g)->port());
  trusted.set_ca_cert_path(dir.Sub("ca.crt").c_str());
  trusted.enable_server_certificate_verification(true);
  httplib::Result res = trusted.Get("/v1/ledger/head");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_THAT(res->status, ::testing::AnyOf(503, 504)) << res->body;

  // A client that does not trust the CA gets no answer.
  httplib::SSLClient untrusting("127.0.0.1", (*g)->port());
  untrusting.enable_server_certificate_verification(true);
  untrusting.set_ca_cert_path(dir.Sub("server.key").c_str());
  EXPECT_FALSE(untrusting.Get("/v1/ledger/head"));
  // Nor does plain HTTP: the server expects a TLS handshake.
  httplib::Client plain("127.0.0.1", (*g)->port());
  plain.set_read_timeout(2, 0);
  EXPECT_FALSE(plain.Get("/v1/ledger/head"));
}

}  // namespace
}  // namespace cradle
