#include "gateway/transcode.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace cradle::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

const FieldDescriptor* FindField(const Descriptor& type,
                                 absl::string_view name) {
  const FieldDescriptor* f = type.FindFieldByName(std::string(name));
  if (f == nullptr) f = type.FindFieldByCamelcaseName(std::string(name));
  return f;
}

absl::Status BadParameter(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("query parameter ", name, ": ", why));
}

// Sets (or, when repeated, adds) the scalar `field` of `message` from the
// text of query parameter `name`.
absl::Status SetScalar(Message* message, const FieldDescriptor& field,
                       absl::string_view name, absl::string_view text) {
  const Reflection& r = *message->GetReflection();
  const bool rep = field.is_repeated();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (field.type() == FieldDescriptor::TYPE_BYTES) {
        return BadParameter(name, "a bytes field; send it in a POST body");
      }
      std::string v(text);
      rep ? r.AddString(message, &field, v) : r.SetString(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (text == "true" || text == "1") {
        v = true;
      } else if (text == "false" || text == "0") {
        v = false;
      } else {
        return BadParameter(
            name, absl::StrCat("\"", text, "\" is not true or false"));
      }
      rep ? r.AddBool(message, &field, v) : r.SetBool(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) {
        return BadParameter(
            name, absl::StrCat("\"", text, "\" is not a 32-bit integer"));
      }
      rep ? r.AddInt32(message, &field, v) : r.SetInt32(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) {
        return BadParameter(name,
                            absl::StrCat("\"", text, "\" is not an integer"));
      }
      rep ? r.AddInt64(message, &field, v) : r.SetInt64(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(text, &v)) {
        return BadParameter(
            name, absl::StrCat("\"", text, "\" is not an unsigned integer"));
      }
      rep ? r.AddUInt32(message, &field, v) : r.SetUInt32(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(text, &v)) {
        return BadParameter(
            name, absl::StrCat("\"", text, "\" is not an unsigned integer"));
      }
      rep ? r.AddUInt64(message, &field, v) : r.SetUInt64(message, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!absl::SimpleAtod(text, &v)) {
        return BadParameter(name,
                            absl::StrCat("\"", text, "\" is not a number"));
      }
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        float f = static_cast<float>(v);
        rep ? r.AddFloat(message, &field, f) : r.SetFloat(message, &field, f);
      } else {
        rep ? r.AddDouble(message, &field, v) : r.SetDouble(message, &field, v);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumDescriptor* type = field.enum_type();
      const google::protobuf::EnumValueDescriptor* value =
          type->FindValueByName(std::string(text));
      int number;
      if (value == nullptr && absl::SimpleAtoi(text, &number)) {
        value = type->FindValueByNumber(number);
      }
      if (value == nullptr) {
        return BadParameter(name,
                            absl::StrCat("\"", text, "\" is not a value of ",
                                         type->full_name()));
      }
      rep ? r.AddEnum(message, &field, value)
          : r.SetEnum(message, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return BadParameter(name, "a message; name one of its fields (a.b=...)");
}

// Sets the field `name` ("page_size", "a.b") of `message` from `text`.
absl::Status SetParameter(Message* message, absl::string_view name,
                          absl::string_view text) {
  std::vector<absl::string_view> path = absl::StrSplit(name, '.');
  Message* at = message;
  for (size_t i = 0; i < path.size(); ++i) {
    const FieldDescriptor* field = FindField(*at->GetDescriptor(), path[i]);
    if (field == nullptr) {
      return BadParameter(name, absl::StrCat("no such field in ",
                                             at->GetDescriptor()->full_name()));
    }
    if (field->is_map()) {
      return BadParameter(name, "a map; send it in a POST body");
    }
    if (i + 1 < path.size()) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
          field->is_repeated()) {
        return BadParameter(name,
                            absl::StrCat(path[i], " is not a single message"));
      }
      at = at->GetReflection()->MutableMessage(at, field);
      continue;
    }
    return SetScalar(at, *field, name, text);
  }
  return BadParameter(name, "empty");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Message>> BuildRequest(
    const google::protobuf::MethodDescriptor& method, const Match& match,
    absl::string_view body,
    const std::multimap<std::string, std::string>& query) {
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          method.input_type());
  if (prototype == nullptr) {
    return absl::InternalError(
        absl::StrCat("no message type for ", method.input_type()->full_name()));
  }
  std::unique_ptr<Message> request(prototype->New());
  if (body.size() > kMaxBodyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: ", body.size(), " bytes, more than the ",
                     kMaxBodyBytes, " a request may have"));
  }
  if (!absl::StripAsciiWhitespace(body).empty()) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto parsed = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(body.data(), body.size()), request.get(),
        options);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("body: not a ", method.input_type()->full_name(),
                       " in JSON: ", std::string(parsed.message())));
    }
  }
  for (const auto& [name, value] : query) {
    absl::Status s = SetParameter(request.get(), name, value);
    if (!s.ok()) return s;
  }
  const Reflection& r = *request->GetReflection();
  for (const auto& [name, value] : match.fields) {
    const FieldDescriptor* field = FindField(*method.input_type(), name);
    if (field == nullptr ||
        field->cpp_type() != FieldDescriptor::CPPTYPE_STRING ||
        field->is_repeated()) {
      return absl::InternalError(absl::StrCat(
          "route ", match.route->path, ": ", name, " is not a string field of ",
          method.input_type()->full_name()));
    }
    std::string given = r.GetString(*request, field);
    if (!given.empty() && given != value) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": the path says \"", value,
                       "\" and the request \"", given, "\""));
    }
    r.SetString(request.get(), field, value);
  }
  return request;
}

std::string ToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  auto s = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!s.ok()) {
    return ErrorJson(13, absl::StrCat("answer not written as JSON: ",
                                      std::string(s.message())));
  }
  return out;
}

int HttpStatus(int grpc_code) {
  switch (grpc_code) {
    case 0:
      return 200;  // OK
    case 1:
      return 499;  // CANCELLED
    case 2:
      return 500;  // UNKNOWN
    case 3:
      return 400;  // INVALID_ARGUMENT
    case 4:
      return 504;  // DEADLINE_EXCEEDED
    case 5:
      return 404;  // NOT_FOUND
    case 6:
      return 409;  // ALREADY_EXISTS
    case 7:
      return 403;  // PERMISSION_DENIED
    case 8:
      return 429;  // RESOURCE_EXHAUSTED
    case 9:
      return 400;  // FAILED_PRECONDITION
    case 10:
      return 409;  // ABORTED
    case 11:
      return 400;  // OUT_OF_RANGE
    case 12:
      return 501;  // UNIMPLEMENTED
    case 13:
      return 500;  // INTERNAL
    case 14:
      return 503;  // UNAVAILABLE
    case 15:
      return 500;  // DATA_LOSS
    case 16:
      return 401;  // UNAUTHENTICATED
    default:
      return 500;
  }
}

std::string ErrorJson(int grpc_code, absl::string_view message,
                      int http_status) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const char* name =
      grpc_code >= 0 && grpc_code <= 16 ? kNames[grpc_code] : "UNKNOWN";
  // A google.protobuf.Value escapes the message as JSON must.
  google::protobuf::util::JsonPrintOptions options;
  std::string quoted;
  google::protobuf::Value text;
  text.set_string_value(std::string(message));
  (void)google::protobuf::util::MessageToJsonString(text, &quoted, options);
  return absl::StrCat("{\"error\":{\"code\":",
                      http_status != 0 ? http_status : HttpStatus(grpc_code),
                      ",\"status\":\"", name, "\",\"message\":", quoted, "}}");
}

}  // namespace cradle::gateway
