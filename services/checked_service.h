#pragma once

// A gRPC service whose every method checks its request as bytes first
// (request_bytes.h): a string that is not UTF-8 or too long is refused with
// INVALID_ARGUMENT naming the field, where protobuf would refuse to parse it
// and gRPC answer UNIMPLEMENTED with no message.
//
// A service derives from CheckedService<itself, the generated
// CallbackService> and, in its constructor, calls Check() with the name and
// member of each of its methods. A test sends a bad string to every method
// of every service, so a method left out is found.
//
// This replaces the generated handler of each method through gRPC's
// internal MethodHandler interface (the one the generated code uses), the
// only place a request's bytes are seen before they are parsed.
//
// On a cluster node that is not the writer, a write (a method whose request
// has a WriteMeta) goes, as its checked bytes, to the WriteForwarder given
// to ForwardWritesTo (write_forwarder.h). A call on a manifest another
// province owns goes, parsed, to the ProvinceRelay given to
// RelayAcrossProvinces (province_relay.h) in place of the method.

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/impl/codegen/server_callback_handlers.h"
#include "grpcpp/impl/rpc_service_method.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"

#include "grpc/byte_buffer.h"
#include "grpc/byte_buffer_reader.h"
#include "grpc/grpc.h"
#include "services/grpc_status.h"
#include "services/province_relay.h"
#include "services/request_bytes.h"
#include "services/write_forwarder.h"

namespace cradle::services {
namespace checked_internal {

// The bytes of a received request, copied; the buffer is left as it was.
std::string RequestBytes(grpc_byte_buffer* buffer);

// Whether a request of this type writes: it carries a cradle.v1.WriteMeta.
bool IsWrite(const google::protobuf::Descriptor& request);

// The method's own handler for a good request; for a bad one `refuse`,
// given the refusal's message in place of the request; for a write on a
// node that forwards writes, `forward` (null: never forwarded).
class CheckedHandler final : public grpc::internal::MethodHandler {
 public:
  CheckedHandler(
      const google::protobuf::Descriptor& request,
      std::unique_ptr<grpc::internal::MethodHandler> typed,
      std::unique_ptr<grpc::internal::MethodHandler> refuse,
      std::unique_ptr<grpc::internal::MethodHandler> forward = nullptr,
      const std::atomic<WriteForwarder*>* forwarder = nullptr)
      : request_(request),
        typed_(std::move(typed)),
        refuse_(std::move(refuse)),
        forward_(IsWrite(request) ? std::move(forward) : nullptr),
        forwarder_(forwarder) {}

  void* Deserialize(grpc_call* call, grpc_byte_buffer* req,
                    grpc::Status* status, void** handler_data) override;
  void RunHandler(const HandlerParameter& param) override;

 private:
  const google::protobuf::Descriptor& request_;
  const std::unique_ptr<grpc::internal::MethodHandler> typed_;
  const std::unique_ptr<grpc::internal::MethodHandler> refuse_;
  const std::unique_ptr<grpc::internal::MethodHandler> forward_;
  const std::atomic<WriteForwarder*>* const forwarder_;
};

// A streamed reply that ends at once with `status`.
template <class Response>
class Refused final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit Refused(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace checked_internal

template <class Self, class Generated>
class CheckedService : public Generated {
 public:
  // From now on, writes go to `forwarder` while it says so. Not owned; it
  // must outlive the service.
  void ForwardWritesTo(WriteForwarder* forwarder) { forwarder_ = forwarder; }
  // From now on, calls on another province's manifests go to `relay`. Not
  // owned; it must outlive the service.
  void RelayAcrossProvinces(ProvinceRelay* relay) { relay_ = relay; }

 protected:
  // `service` is the full name, e.g. "cradle.v1.Transfers".
  template <class Request, class Response>
  void Check(const char* service, const char* method,
             grpc::ServerUnaryReactor* (Self::*handler)(
                 grpc::CallbackServerContext*, const Request*, Response*)) {
    Self* self = static_cast<Self*>(this);
    const google::protobuf::Descriptor& type = *Request::descriptor();
    const bool relayable = RelayableAcrossProvinces(service, type);
    this->MarkMethodCallback(
        Index(service, method),
        new checked_internal::CheckedHandler(
            type,
            std::make_unique<
                grpc::internal::CallbackUnaryHandler<Request, Response>>(
                [this, self, handler, relayable,
                 path = absl::StrCat("/", service, "/", method)](
                    grpc::CallbackServerContext* ctx, const Request* req,
                    Response* resp) {
                  ProvinceRelay* relay = relayable ? relay_.load() : nullptr;
                  if (relay != nullptr && !Vouched(*ctx) &&
                      !relay->OwnerOf(*req).empty()) {
                    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
                    relay->Relay(
                        ctx, path, *req, resp,
                        [reactor](grpc::Status s) { reactor->Finish(s); });
                    return reactor;
                  }
                  return (self->*handler)(ctx, req, resp);
                }),
            std::make_unique<grpc::internal::CallbackUnaryHandler<
                grpc::ByteBuffer, grpc::ByteBuffer>>(
                [](grpc::CallbackServerContext* ctx,
                   const grpc::ByteBuffer* refusal, grpc::ByteBuffer*) {
                  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
                  reactor->Finish(Refusal(*refusal));
                  return reactor;
                }),
            std::make_unique<grpc::internal::CallbackUnaryHandler<
                grpc::ByteBuffer, grpc::ByteBuffer>>(
                [this, path = absl::StrCat("/", service, "/", method)](
                    grpc::CallbackServerContext* ctx,
                    const grpc::ByteBuffer* request,
                    grpc::ByteBuffer* response) {
                  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
                  forwarder_.load()->Forward(
                      ctx, path, request, response,
                      [reactor](grpc::Status s) { reactor->Finish(s); });
                  return reactor;
                }),
            &forwarder_));
  }

  template <class Request, class Response>
  void Check(const char* service, const char* method,
             grpc::ServerWriteReactor<Response>* (Self::*handler)(
                 grpc::CallbackServerContext*, const Request*)) {
    Self* self = static_cast<Self*>(this);
    const google::protobuf::Descriptor& type = *Request::descriptor();
    this->MarkMethodCallback(
        Index(service, method),
        new checked_internal::CheckedHandler(
            type,
            std::make_unique<grpc::internal::CallbackServerStreamingHandler<
                Request, Response>>(
                [self, handler](grpc::CallbackServerContext* ctx,
                                const Request* req) {
                  return (self->*handler)(ctx, req);
                }),
            std::make_unique<grpc::internal::CallbackServerStreamingHandler<
                grpc::ByteBuffer, grpc::ByteBuffer>>(
                [](grpc::CallbackServerContext*,
                   const grpc::ByteBuffer* refusal) {
                  return new checked_internal::Refused<grpc::ByteBuffer>(
                      Refusal(*refusal));
                })));
  }

 private:
  static int Index(const char* service, const char* method) {
    return google::protobuf::DescriptorPool::generated_pool()
        ->FindServiceByName(service)
        ->FindMethodByName(method)
        ->index();
  }
  // The refusal CheckedHandler passed in place of the request.
  static grpc::Status Refusal(const grpc::ByteBuffer& message) {
    std::vector<grpc::Slice> slices;
    std::string text;
    if (message.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        text.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, text);
  }

  std::atomic<WriteForwarder*> forwarder_{nullptr};
  std::atomic<ProvinceRelay*> relay_{nullptr};
};

}  // namespace cradle::services
