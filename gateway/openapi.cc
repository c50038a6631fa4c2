#include "gateway/openapi.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

#include "gateway/routes.h"

namespace cradle::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Struct;
using google::protobuf::Value;

Value Text(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}

Value Object(Struct s) {
  Value v;
  *v.mutable_struct_value() = std::move(s);
  return v;
}

Struct Ref(const Descriptor& type) {
  Struct s;
  (*s.mutable_fields())["$ref"] =
      Text(absl::StrCat("#/components/schemas/", type.full_name()));
  return s;
}

Struct Typed(const std::string& type, const std::string& format = "") {
  Struct s;
  (*s.mutable_fields())["type"] = Text(type);
  if (!format.empty()) (*s.mutable_fields())["format"] = Text(format);
  return s;
}

// The JSON schema of one value of `field` (an element, when repeated).
// Message types met are added to `reached`.
Struct ValueSchema(const FieldDescriptor& field,
                   std::set<const Descriptor*>* reached) {
  switch (field.type()) {
    case FieldDescriptor::TYPE_STRING:
      return Typed("string");
    case FieldDescriptor::TYPE_BYTES:
      return Typed("string", "byte");
    case FieldDescriptor::TYPE_BOOL:
      return Typed("boolean");
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return Typed("integer", "int32");
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return Typed("integer", "uint32");
    // The proto3 JSON mapping writes 64-bit integers as strings.
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return Typed("string", "int64");
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return Typed("string", "uint64");
    case FieldDescriptor::TYPE_DOUBLE:
      return Typed("number", "double");
    case FieldDescriptor::TYPE_FLOAT:
      return Typed("number", "float");
    case FieldDescriptor::TYPE_ENUM: {
      Struct s = Typed("string");
      Value names;
      for (int i = 0; i < field.enum_type()->value_count(); ++i) {
        *names.mutable_list_value()->add_values() =
            Text(field.enum_type()->value(i)->name());
      }
      (*s.mutable_fields())["enum"] = names;
      return s;
    }
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP: {
      const Descriptor& type = *field.message_type();
      if (type.full_name() == "google.protobuf.Timestamp") {
        return Typed("string", "date-time");
      }
      if (type.full_name() == "google.protobuf.Duration") {
        return Typed("string");
      }
      reached->insert(&type);
      return Ref(type);
    }
  }
  return Typed("string");
}

Struct FieldSchema(const FieldDescriptor& field,
                   std::set<const Descriptor*>* reached) {
  if (field.is_map()) {
    Struct s = Typed("object");
    (*s.mutable_fields())["additionalProperties"] =
        Object(ValueSchema(*field.message_type()->map_value(), reached));
    return s;
  }
  if (field.is_repeated()) {
    Struct s = Typed("array");
    (*s.mutable_fields())["items"] = Object(ValueSchema(field, reached));
    return s;
  }
  return ValueSchema(field, reached);
}

Struct MessageSchema(const Descriptor& type,
                     std::set<const Descriptor*>* reached) {
  Struct s = Typed("object");
  Struct properties;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& f = *type.field(i);
    (*properties.mutable_fields())[f.json_name()] =
        Object(FieldSchema(f, reached));
  }
  (*s.mutable_fields())["properties"] = Object(std::move(properties));
  return s;
}

Value Parameter(const std::string& name, const std::string& in, Struct schema) {
  Struct p;
  (*p.mutable_fields())["name"] = Text(name);
  (*p.mutable_fields())["in"] = Text(in);
  if (in == "path") (*p.mutable_fields())["required"].set_bool_value(true);
  (*p.mutable_fields())["schema"] = Object(std::move(schema));
  return Object(std::move(p));
}

Struct Content(const std::string& media, Struct schema) {
  Struct body;
  Struct content;
  Struct media_type;
  (*media_type.mutable_fields())["schema"] = Object(std::move(schema));
  (*content.mutable_fields())[media] = Object(std::move(media_type));
  (*body.mutable_fields())["content"] = Object(std::move(content));
  return body;
}

// The {field} names of a path template.
std::set<std::string> PathFields(const std::string& path) {
  std::set<std::string> out;
  for (absl::string_view segment : absl::StrSplit(path, '/')) {
    size_t open = segment.find('{');
    size_t close = segment.find('}');
    if (open != absl::string_view::npos && close != absl::string_view::npos) {
      out.insert(std::string(segment.substr(open + 1, close - open - 1)));
    }
  }
  return out;
}

Struct Operation(const Route& route, std::set<const Descriptor*>* reached) {
  const google::protobuf::MethodDescriptor* method = MethodOf(route);
  Struct op;
  (*op.mutable_fields())["operationId"] = Text(route.method);
  (*op.mutable_fields())["summary"] = Text(route.summary);
  Value tags;
  *tags.mutable_list_value()->add_values() = Text(method->service()->name());
  (*op.mutable_fields())["tags"] = tags;
  Value parameters;
  parameters.mutable_list_value();
  std::set<std::string> in_path = PathFields(route.path);
  for (const std::string& name : in_path) {
    *parameters.mutable_list_value()->add_values() =
        Parameter(name, "path", Typed("string"));
  }
  const Descriptor& input = *method->input_type();
  if (std::string(route.verb) == "GET") {
    for (int i = 0; i < input.field_count(); ++i) {
      const FieldDescriptor& f = *input.field(i);
      if (in_path.count(f.name()) > 0 || f.is_map() ||
          f.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        continue;
      }
      *parameters.mutable_list_value()->add_values() =
          Parameter(f.name(), "query", FieldSchema(f, reached));
    }
  } else {
    reached->insert(&input);
    (*op.mutable_fields())["requestBody"] =
        Object(Content("application/json", Ref(input)));
  }
  (*op.mutable_fields())["parameters"] = parameters;
  const Descriptor& output = *method->output_type();
  reached->insert(&output);
  Struct ok = method->server_streaming()
                  ? Content("application/x-ndjson", Ref(output))
                  : Content("application/json", Ref(output));
  (*ok.mutable_fields())["description"] =
      Text(method->server_streaming() ? "one JSON answer per line" : "OK");
  Struct error_ref;
  (*error_ref.mutable_fields())["$ref"] = Text("#/components/schemas/Error");
  Struct refusal = Content("application/json", error_ref);
  (*refusal.mutable_fields())["description"] = Text(
      "refused: the gRPC status as HTTP (docs/WEB.md), its message naming "
      "the field");
  Struct responses;
  (*responses.mutable_fields())["200"] = Object(std::move(ok));
  (*responses.mutable_fields())["default"] = Object(std::move(refusal));
  (*op.mutable_fields())["responses"] = Object(std::move(responses));
  return op;
}

Struct ErrorSchema() {
  Struct error = Typed("object");
  Struct properties;
  (*properties.mutable_fields())["code"] = Object(Typed("integer"));
  (*properties.mutable_fields())["status"] = Object(Typed("string"));
  (*properties.mutable_fields())["message"] = Object(Typed("string"));
  (*error.mutable_fields())["properties"] = Object(std::move(properties));
  Struct outer = Typed("object");
  Struct outer_properties;
  (*outer_properties.mutable_fields())["error"] = Object(std::move(error));
  (*outer.mutable_fields())["properties"] = Object(std::move(outer_properties));
  return outer;
}

}  // namespace

std::string OpenApiJson() {
  std::set<const Descriptor*> reached;
  Struct paths;
  for (const Route& route : Routes()) {
    Value& path = (*paths.mutable_fields())[route.path];
    std::string verb = route.verb;
    for (char& c : verb) c = static_cast<char>(c - 'A' + 'a');
    (*path.mutable_struct_value()->mutable_fields())[verb] =
        Object(Operation(route, &reached));
  }
  // Every message reached, and every message those reach.
  Struct schemas;
  std::vector<const Descriptor*> pending(reached.begin(), reached.end());
  std::set<const Descriptor*> done;
  while (!pending.empty()) {
    const Descriptor* type = pending.back();
    pending.pop_back();
    if (!done.insert(type).second) continue;
    std::set<const Descriptor*> more;
    (*schemas.mutable_fields())[type->full_name()] =
        Object(MessageSchema(*type, &more));
    for (const Descriptor* m : more) {
      if (done.count(m) == 0) pending.push_back(m);
    }
  }
  (*schemas.mutable_fields())["Error"] = Object(ErrorSchema());

  Struct doc;
  (*doc.mutable_fields())["openapi"] = Text("3.0.3");
  Struct info;
  (*info.mutable_fields())["title"] = Text("Cradle");
  (*info.mutable_fields())["version"] = Text("v1");
  (*info.mutable_fields())["description"] = Text(
      "Hazardous waste electronic manifests over HTTP/JSON: the gRPC API by "
      "the proto3 JSON mapping (docs/WEB.md).");
  (*doc.mutable_fields())["info"] = Object(std::move(info));
  (*doc.mutable_fields())["paths"] = Object(std::move(paths));
  Struct components;
  (*components.mutable_fields())["schemas"] = Object(std::move(schemas));
  Struct bearer = Typed("http");
  (*bearer.mutable_fields())["scheme"] = Text("bearer");
  Struct security_schemes;
  (*security_schemes.mutable_fields())["bearer"] = Object(std::move(bearer));
  (*components.mutable_fields())["securitySchemes"] =
      Object(std::move(security_schemes));
  (*doc.mutable_fields())["components"] = Object(std::move(components));
  Value security;
  Struct requirement;
  (*requirement.mutable_fields())["bearer"].mutable_list_value();
  *security.mutable_list_value()->add_values() = Object(std::move(requirement));
  (*doc.mutable_fields())["security"] = security;

  std::string out;
  (void)google::protobuf::util::MessageToJsonString(doc, &out);
  return out;
}

}  // namespace cradle::gateway
