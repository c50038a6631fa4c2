#pragma once

// How a node passes a party's call on a manifest that another province
// owns to that province (docs/CLUSTER.md, "Calls across provinces").
// CheckedService routes such a call here, parsed, before its handler
// runs; a server with no directory of provinces has no relay.

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace cradle::services {

// Metadata of a relayed call: the vouch and the vouching province's
// signature of it (security/vouch.h). A call that carries them is never
// relayed again.
inline constexpr char kVouchHeader[] = "cradle-vouch-bin";
inline constexpr char kVouchSignatureHeader[] = "cradle-vouch-signature-bin";

class ProvinceRelay {
 public:
  virtual ~ProvinceRelay() = default;

  // The province that owns the manifest `request` names
  // (ManifestNumberOf), when that is another province of the directory;
  // empty otherwise.
  virtual std::string OwnerOf(
      const google::protobuf::Message& request) const = 0;

  // Checks the caller's credential here, vouches for it, and sends the call
  // `method` ("/cradle.v1.Disposals/Receive") with `request` to the owning
  // province's nodes in turn; calls `done` with the answer's status once
  // `response` holds it. `ctx`, `request` and `response` live until `done`.
  virtual void Relay(grpc::CallbackServerContext* ctx,
                     const std::string& method,
                     const google::protobuf::Message& request,
                     google::protobuf::Message* response,
                     std::function<void(grpc::Status)> done) = 0;
};

// Whether a call of `service` ("cradle.v1.Disposals") with a request of
// type `request` may concern another province's manifest: a call of the
// manifest services whose request names a manifest (ManifestNumberOf).
bool RelayableAcrossProvinces(absl::string_view service,
                              const google::protobuf::Descriptor& request);

// The manifest a request names: its `number`, or the number of the
// revision its `id` names ("<number>-R<n>"); empty when neither.
std::string ManifestNumberOf(const google::protobuf::Message& request);

// Whether the call came relayed from another province (it has a vouch).
bool Vouched(const grpc::ServerContextBase& ctx);

}  // namespace cradle::services
