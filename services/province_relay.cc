#include "services/province_relay.h"

#include <set>

namespace cradle::services {

bool RelayableAcrossProvinces(absl::string_view service,
                              const google::protobuf::Descriptor& request) {
  static const std::set<absl::string_view>* const kManifestServices =
      new std::set<absl::string_view>{
          "cradle.v1.Manifests", "cradle.v1.Transfers", "cradle.v1.Disposals",
          "cradle.v1.Corrections"};
  auto names_string = [&request](const char* name) {
    const google::protobuf::FieldDescriptor* f = request.FindFieldByName(name);
    return f != nullptr &&
           f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
           !f->is_repeated();
  };
  return kManifestServices->count(service) > 0 &&
         (names_string("number") || names_string("id"));
}

std::string ManifestNumberOf(const google::protobuf::Message& request) {
  auto string_field = [&request](const char* name) -> std::string {
    const google::protobuf::FieldDescriptor* f =
        request.GetDescriptor()->FindFieldByName(name);
    if (f == nullptr ||
        f->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
        f->is_repeated()) {
      return "";
    }
    return request.GetReflection()->GetString(request, f);
  };
  std::string number = string_field("number");
  if (!number.empty()) return number;
  // A revision's id: "<number>-R<n>".
  const std::string id = string_field("id");
  const size_t r = id.find("-R");
  return r == std::string::npos ? "" : id.substr(0, r);
}

bool Vouched(const grpc::ServerContextBase& ctx) {
  return ctx.client_metadata().find(kVouchHeader) !=
         ctx.client_metadata().end();
}

}  // namespace cradle::services
