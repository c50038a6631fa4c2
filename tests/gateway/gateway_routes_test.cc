// The gateway's route table, the building of requests from HTTP and the
// OpenAPI description: pure, no server.

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

#include "cradle/v1/manifest.pb.h"
#include "gateway/openapi.h"
#include "gateway/routes.h"
#include "gateway/transcode.h"

namespace cradle::gateway {
namespace {

using ::testing::HasSubstr;

TEST(RoutesTest, EveryMethodOfEveryServiceIsRoutedOrSaidWhyNot) {
  std::set<std::string> routed;
  std::set<std::pair<std::string, std::string>> seen;
  const google::protobuf::FileDescriptor* file = nullptr;
  for (const Route& route : Routes()) {
    const google::protobuf::MethodDescriptor* method = MethodOf(route);
    ASSERT_NE(method, nullptr) << route.method;
    file = method->file();
    EXPECT_TRUE(routed.insert(route.method).second)
        << route.method << " has two routes";
    EXPECT_TRUE(seen.insert({route.verb, route.path}).second)
        << route.verb << " " << route.path << " is routed twice";
    EXPECT_EQ(NotOffered().count(route.method), 0u) << route.method;
    EXPECT_TRUE(std::string(route.verb) == "GET" ||
                std::string(route.verb) == "POST")
        << route.verb;
    // A write (a request with meta) is a POST.
    if (method->input_type()->FindFieldByName("meta") != nullptr) {
      EXPECT_EQ(std::string(route.verb), "POST") << route.method;
    }
  }
  ASSERT_NE(file, nullptr);
  const google::protobuf::DescriptorPool& pool = *file->pool();
  int methods = 0;
  for (const char* name :
       {"cradle.v1.Manifests", "cradle.v1.Transfers", "cradle.v1.Disposals",
        "cradle.v1.Corrections", "cradle.v1.Containers", "cradle.v1.Flags",
        "cradle.v1.Audit", "cradle.v1.Credentials", "cradle.v1.Registry",
        "cradle.v1.National", "cradle.v1.Node", "cradle.v1.Feed"}) {
    const google::protobuf::ServiceDescriptor* service =
        pool.FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int m = 0; m < service->method_count(); ++m) {
      const std::string full = service->method(m)->full_name();
      ++methods;
      EXPECT_TRUE(routed.count(full) + NotOffered().count(full) == 1)
          << full << " has no route and no reason in NotOffered()";
    }
  }
  EXPECT_EQ(routed.size() + NotOffered().size(), static_cast<size_t>(methods));
}

TEST(RoutesTest, DocsWebListsEveryRoute) {
  std::ifstream in(std::string(CRADLE_SOURCE_DIR) + "/docs/WEB.md");
  std::stringstream doc;
  doc << in.rdbuf();
  ASSERT_FALSE(doc.str().empty());
  std::string table;
  for (const Route& route : Routes()) {
    absl::string_view method = route.method;
    absl::ConsumePrefix(&method, "cradle.v1.");
    absl::StrAppend(&table, "| ", route.verb, " | `", route.path, "` | ",
                    method, " |\n");
  }
  EXPECT_THAT(doc.str(), HasSubstr(table))
      << "docs/WEB.md must list the routes of gateway/routes.cc, in order; "
         "the table must contain, verbatim:\n"
      << table;
}

TEST(RoutesTest, EveryPathFieldIsAStringFieldOfTheRequest) {
  for (const Route& route : Routes()) {
    const google::protobuf::Descriptor* input = MethodOf(route)->input_type();
    std::string path = route.path;
    for (size_t open = path.find('{'); open != std::string::npos;
         open = path.find('{', open + 1)) {
      const std::string name =
          path.substr(open + 1, path.find('}', open) - open - 1);
      const google::protobuf::FieldDescriptor* f = input->FindFieldByName(name);
      ASSERT_NE(f, nullptr) << route.path << ": " << name;
      EXPECT_EQ(f->type(), google::protobuf::FieldDescriptor::TYPE_STRING)
          << route.path;
      EXPECT_FALSE(f->is_repeated()) << route.path;
    }
  }
}

TEST(RoutesTest, FindsTheRouteAndItsFields) {
  Match m = FindRoute("POST", "/v1/manifests/3304022026000017:pickup");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->method, "cradle.v1.Transfers.Pickup");
  EXPECT_EQ(m.fields.at("number"), "3304022026000017");

  m = FindRoute("GET", "/v1/manifests/3304022026000017");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->method, "cradle.v1.Manifests.Get");

  m = FindRoute("POST", "/v1/manifests");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->method, "cradle.v1.Manifests.Open");
  EXPECT_TRUE(m.fields.empty());

  m = FindRoute("GET", "/v1/chains/17/proof");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->method, "cradle.v1.Audit.Prove");

  m = FindRoute("POST", "/v1/flags:sweep");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->method, "cradle.v1.Flags.Sweep");
}

TEST(RoutesTest, TellsAWrongVerbFromNoRoute) {
  bool path_matched = true;
  // A verb that is not the route's, on a path that exists.
  EXPECT_EQ(FindRoute("GET", "/v1/manifests/17:pickup", &path_matched).route,
            nullptr);
  EXPECT_TRUE(path_matched);
  EXPECT_EQ(FindRoute("POST", "/v1/manifests/17", &path_matched).route,
            nullptr);
  EXPECT_TRUE(path_matched);
  // Paths no route has.
  for (const char* path :
       {"/v1/nothing", "/v1/manifests/", "/v1/manifests/17:teleport",
        "/v1/manifests/17/extra/segments", "/v2/manifests", "",
        "/v1/manifests//seal"}) {
    EXPECT_EQ(FindRoute("POST", path, &path_matched).route, nullptr) << path;
    EXPECT_EQ(FindRoute("GET", path, &path_matched).route, nullptr) << path;
    EXPECT_FALSE(path_matched) << path;
  }
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Build(
    const std::string& verb, const std::string& path, const std::string& body,
    std::multimap<std::string, std::string> query = {}) {
  Match m = FindRoute(verb, path);
  if (m.route == nullptr) return absl::NotFoundError(path);
  return BuildRequest(*MethodOf(*m.route), m, body, query);
}

TEST(TranscodeTest, ABodyBecomesTheRequestAndThePathFillsItsField) {
  auto request = Build("POST", "/v1/manifests/17:pickup",
                       R"({"meta":{"idempotencyKey":"k-1"},"carrier":"C",
                           "vehicle":"浙F12345"})");
  ASSERT_TRUE(request.ok()) << request.status();
  const auto& pickup = dynamic_cast<const v1::PickupRequest&>(**request);
  EXPECT_EQ(pickup.number(), "17");
  EXPECT_EQ(pickup.carrier(), "C");
  EXPECT_EQ(pickup.vehicle(), "浙F12345");
  EXPECT_EQ(pickup.meta().idempotency_key(), "k-1");
  // The proto field names are taken as well as the JSON ones.
  request = Build("POST", "/v1/manifests/17:pickup",
                  R"({"meta":{"idempotency_key":"k-2"}})");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(dynamic_cast<const v1::PickupRequest&>(**request)
                .meta()
                .idempotency_key(),
            "k-2");
}

TEST(TranscodeTest, QueryParametersSetFieldsOfEveryKind) {
  auto request = Build("GET", "/v1/manifests", "",
                       {{"status", "MANIFEST_STATUS_IN_TRANSIT"},
                        {"party", "913304"},
                        {"pageSize", "20"}});
  ASSERT_TRUE(request.ok()) << request.status();
  const auto& list = dynamic_cast<const v1::ListManifestsRequest&>(**request);
  EXPECT_EQ(list.status(), v1::MANIFEST_STATUS_IN_TRANSIT);
  EXPECT_EQ(list.party(), "913304");
  EXPECT_EQ(list.page_size(), 20);
  // An enum by number too.
  request = Build("GET", "/v1/manifests", "", {{"status", "3"}});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(
      static_cast<int>(
          dynamic_cast<const v1::ListManifestsRequest&>(**request).status()),
      3);
}

TEST(TranscodeTest, EveryBadInputIsRefusedNamingWhere) {
  struct Case {
    const char* verb;
    const char* path;
    const char* body;
    std::multimap<std::string, std::string> query;
    const char* named;
  };
  const Case cases[] = {
      {"POST", "/v1/manifests", "{not json", {}, "body:"},
      {"POST", "/v1/manifests", R"({"generatorr":"X"})", {}, "generatorr"},
      {"POST",
       "/v1/manifests",
       R"({"lines":[{"quantityG":"many"}]})",
       {},
       "body:"},
      {"POST", "/v1/manifests", "[1,2]", {}, "body:"},
      {"POST", "/v1/manifests/17:pickup", R"({"number":"18"})", {}, "number"},
      {"GET", "/v1/manifests", "", {{"pageSize", "ten"}}, "pageSize"},
      {"GET", "/v1/manifests", "", {{"page_size", "99999999999"}}, "page_size"},
      {"GET", "/v1/manifests", "", {{"status", "LOST"}}, "status"},
      {"GET", "/v1/manifests", "", {{"colour", "red"}}, "colour"},
      {"GET",
       "/v1/ledger:verify",
       "",
       {{"fromSequence", "-1"}},
       "fromSequence"},
      {"GET", "/v1/flags", "", {{"kind.x", "1"}}, "kind.x"},
  };
  for (const Case& c : cases) {
    auto request = Build(c.verb, c.path, c.body, c.query);
    ASSERT_FALSE(request.ok()) << c.path << " " << c.body;
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(request.status().message()), HasSubstr(c.named))
        << c.path << " " << c.body;
  }
  std::string huge =
      absl::StrCat(R"({"reason":")", std::string(kMaxBodyBytes, 'x'), R"("})");
  auto request = Build("POST", "/v1/manifests/17:cancel", huge);
  ASSERT_FALSE(request.ok());
  EXPECT_THAT(std::string(request.status().message()), HasSubstr("body:"));
}

TEST(TranscodeTest, RefusalsMapToHttpAndKeepTheMessage) {
  EXPECT_EQ(HttpStatus(0), 200);
  EXPECT_EQ(HttpStatus(3), 400);   // INVALID_ARGUMENT
  EXPECT_EQ(HttpStatus(5), 404);   // NOT_FOUND
  EXPECT_EQ(HttpStatus(6), 409);   // ALREADY_EXISTS
  EXPECT_EQ(HttpStatus(7), 403);   // PERMISSION_DENIED
  EXPECT_EQ(HttpStatus(9), 400);   // FAILED_PRECONDITION
  EXPECT_EQ(HttpStatus(14), 503);  // UNAVAILABLE
  EXPECT_EQ(HttpStatus(16), 401);  // UNAUTHENTICATED
  EXPECT_EQ(HttpStatus(99), 500);

  const std::string body =
      ErrorJson(3, "lines[0].code: \"900-000-00\" 不在名录\nsee \\docs");
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(body, &parsed).ok())
      << body;
  const auto& error = parsed.fields().at("error").struct_value().fields();
  EXPECT_EQ(error.at("code").number_value(), 400);
  EXPECT_EQ(error.at("status").string_value(), "INVALID_ARGUMENT");
  EXPECT_EQ(error.at("message").string_value(),
            "lines[0].code: \"900-000-00\" 不在名录\nsee \\docs");
}

TEST(TranscodeTest, AnswersAreProto3JsonWithDefaultsWritten) {
  v1::GetManifestResponse answer;
  answer.mutable_manifest()->set_number("17");
  const std::string json = ToJson(answer);
  EXPECT_THAT(json, HasSubstr(R"("number":"17")"));
  // A default is written out, an enum by name.
  EXPECT_THAT(json, HasSubstr(R"("status":"MANIFEST_STATUS_UNSPECIFIED")"));
}

TEST(OpenApiTest, DescribesEveryRouteAndEverySchemaItReaches) {
  google::protobuf::Struct doc;
  const std::string json = OpenApiJson();
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &doc).ok());
  EXPECT_EQ(doc.fields().at("openapi").string_value(), "3.0.3");
  const auto& paths = doc.fields().at("paths").struct_value().fields();
  const auto& schemas = doc.fields()
                            .at("components")
                            .struct_value()
                            .fields()
                            .at("schemas")
                            .struct_value()
                            .fields();
  for (const Route& route : Routes()) {
    ASSERT_EQ(paths.count(route.path), 1u) << route.path;
    std::string verb = route.verb;
    for (char& c : verb) c = static_cast<char>(c - 'A' + 'a');
    const auto& op = paths.at(route.path).struct_value().fields();
    ASSERT_EQ(op.count(verb), 1u) << route.verb << " " << route.path;
    EXPECT_EQ(
        op.at(verb).struct_value().fields().at("operationId").string_value(),
        route.method);
  }
  // Every $ref names a schema that is there.
  int refs = 0;
  std::function<void(const google::protobuf::Value&)> walk =
      [&](const google::protobuf::Value& v) {
        if (v.has_struct_value()) {
          for (const auto& [k, child] : v.struct_value().fields()) {
            if (k == "$ref") {
              ++refs;
              const std::string name = child.string_value().substr(
                  std::string("#/components/schemas/").size());
              EXPECT_EQ(schemas.count(name), 1u) << child.string_value();
            }
            walk(child);
          }
        } else if (v.has_list_value()) {
          for (const auto& child : v.list_value().values()) walk(child);
        }
      };
  google::protobuf::Value root;
  *root.mutable_struct_value() = doc;
  walk(root);
  EXPECT_GT(refs, 100);
  // A request's fields, by their JSON names, with 64-bit integers as
  // strings as the mapping writes them.
  const auto& line = schemas.at("cradle.v1.WasteLine")
                         .struct_value()
                         .fields()
                         .at("properties")
                         .struct_value()
                         .fields();
  ASSERT_EQ(line.count("quantityG"), 1u);
  EXPECT_EQ(
      line.at("quantityG").struct_value().fields().at("type").string_value(),
      "string");
  // A GET's query parameters are the request's fields.
  const auto& list = paths.at("/v1/manifests")
                         .struct_value()
                         .fields()
                         .at("get")
                         .struct_value()
                         .fields()
                         .at("parameters")
                         .list_value();
  std::set<std::string> names;
  for (const auto& p : list.values()) {
    names.insert(p.struct_value().fields().at("name").string_value());
  }
  EXPECT_EQ(names, (std::set<std::string>{"status", "party", "page_size",
                                          "page_token", "trip"}));
}

}  // namespace
}  // namespace cradle::gateway
