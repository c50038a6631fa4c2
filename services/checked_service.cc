#include "services/checked_service.h"

#include <new>

namespace cradle::services::checked_internal {
namespace {

// Which handler took the request, with that handler's own data; in the
// call's arena, like the generated handlers' data.
struct Route {
  grpc::internal::MethodHandler* handler;
  void* data;
};

}  // namespace

std::string RequestBytes(grpc_byte_buffer* buffer) {
  std::string out;
  grpc_byte_buffer_reader reader;
  if (buffer == nullptr || !grpc_byte_buffer_reader_init(&reader, buffer)) {
    return out;
  }
  grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
  out.assign(reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(all)),
             GRPC_SLICE_LENGTH(all));
  grpc_slice_unref(all);
  grpc_byte_buffer_reader_destroy(&reader);
  return out;
}

bool IsWrite(const google::protobuf::Descriptor& request) {
  for (int i = 0; i < request.field_count(); ++i) {
    const google::protobuf::Descriptor* type = request.field(i)->message_type();
    if (type != nullptr && type->full_name() == "cradle.v1.WriteMeta") {
      return true;
    }
  }
  return false;
}

void* CheckedHandler::Deserialize(grpc_call* call, grpc_byte_buffer* req,
                                  grpc::Status* status, void** handler_data) {
  Route* route =
      new (grpc_call_arena_alloc(call, sizeof(Route))) Route{nullptr, nullptr};
  *handler_data = route;
  const absl::Status check = CheckRequestBytes(request_, RequestBytes(req));
  if (check.ok() && forward_ != nullptr) {
    WriteForwarder* forwarder = forwarder_->load();
    if (forwarder != nullptr && forwarder->Forwarding()) {
      route->handler = forward_.get();
      return forward_->Deserialize(call, req, status, &route->data);
    }
  }
  if (check.ok()) {
    route->handler = typed_.get();
    return typed_->Deserialize(call, req, status, &route->data);
  }
  // The refusal's "request" is its message: the refusing handler finishes
  // the call with it.
  if (req != nullptr) grpc_byte_buffer_destroy(req);
  grpc_slice text = grpc_slice_from_copied_buffer(check.message().data(),
                                                  check.message().size());
  grpc_byte_buffer* message = grpc_raw_byte_buffer_create(&text, 1);
  grpc_slice_unref(text);
  route->handler = refuse_.get();
  return refuse_->Deserialize(call, message, status, &route->data);
}

void CheckedHandler::RunHandler(const HandlerParameter& param) {
  const Route* route = static_cast<const Route*>(param.internal_data);
  route->handler->RunHandler(
      HandlerParameter(param.call, param.server_context, param.request,
                       param.status, route->data, param.call_requester));
}

}  // namespace cradle::services::checked_internal
