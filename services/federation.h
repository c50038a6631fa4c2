#pragma once

// Calls across provinces (docs/CLUSTER.md, "Calls across provinces"). A
// manifest lives in the ledger of the province its number names. A party
// of another province (a receiver in Jiangsu of a load from Zhejiang) acts
// through its own province's nodes, with its own province's credential:
//
//   1. its province's node finds the number foreign (OwnerOf), checks the
//      caller's token itself, and relays the call with a vouch signed by
//      its province key (security/vouch.h) in place of the token;
//   2. a node of the owning province (Admit) checks the vouch against the
//      vouching province's key in its directory, and treats the call as
//      that party's: the authorization table, the party's signature, the
//      lifecycle's party checks, all as for a call of its own parties. The
//      ledger records the actor as "<USCC>#<province>:<credential>", and,
//      at the party's first write, the credential as vouched for (Remember).
//
// The directory of provinces is a file, one line per province:
//
//   # code  public key (64 hex digits)       nodes (host:port,...)
//   33      5f2c…e1                           10.33.0.1:7443,10.33.0.2:7443
//   32      09ab…77                           10.32.0.1:7443
//
// where the key is the one the province's nodes sign with (--signing-key)
// and the nodes are its cradled nodes or fronts.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"

#include "base/clock.h"
#include "domain/authz.h"
#include "security/ed25519.h"
#include "services/credential_store.h"
#include "services/province_relay.h"

namespace cradle::services {

struct ProvinceEntry {
  std::string code;        // 2 digits
  std::string public_key;  // raw Ed25519, 32 bytes
  std::vector<std::string> nodes;
};

// The provinces `text` lists. INVALID_ARGUMENT naming `field`, the line and
// what is wrong with it.
absl::StatusOr<std::vector<ProvinceEntry>> ParseProvinceDirectory(
    absl::string_view field, absl::string_view text);

// The directory in `directory_file`, once it lists `province` (a province
// code). INVALID_ARGUMENT naming the field otherwise.
absl::StatusOr<std::vector<ProvinceEntry>> ReadProvinceDirectory(
    absl::string_view province, const std::string& directory_file);

struct FederationOptions {
  std::string province;                       // this node's, 2 digits
  std::string directory_file;                 // the directory of provinces
  const security::Ed25519Key* key = nullptr;  // the province's; not owned
  const Clock* clock = nullptr;               // not owned
  // To reach other provinces' nodes: TLS trusting their CA, or plain TCP
  // (loopback tests).
  std::shared_ptr<grpc::ChannelCredentials> peer_credentials;
};

class Federation final : public ProvinceRelay {
 public:
  // Reads the directory. INVALID_ARGUMENT naming the field when it does
  // not list `province`, or lists for it another key than `key`'s.
  // `credentials` (this province's) must outlive the federation.
  static absl::StatusOr<std::unique_ptr<Federation>> Load(
      FederationOptions options, CredentialStore& credentials);

  std::string OwnerOf(const google::protobuf::Message& request) const override;
  void Relay(grpc::CallbackServerContext* ctx, const std::string& method,
             const google::protobuf::Message& request,
             google::protobuf::Message* response,
             std::function<void(grpc::Status)> done) override;

  // The principal a call relayed from another province proves, for
  // `request`: UNAUTHENTICATED when its vouch names a province outside the
  // directory, or does not check (security::CheckVouch).
  absl::StatusOr<domain::Principal> Admit(
      absl::string_view vouch, absl::string_view signature,
      const google::protobuf::Message& request) const;

  // Records in this province's ledger, once, the credential a vouch that
  // Admit accepted names (CredentialStore::RememberVouched), for the party
  // `p` it admitted: called on a write, so that the entries it makes here
  // can be checked against its key. Calls `then` once it is recorded.
  void Remember(absl::string_view vouch, absl::string_view signature,
                const domain::Principal& p, std::function<void()> then) const;

 private:
  struct Province {
    ProvinceEntry entry;
    std::vector<std::unique_ptr<grpc::GenericStub>> stubs;  // one per node
  };
  Federation(FederationOptions options, CredentialStore& credentials,
             std::vector<ProvinceEntry> provinces);
  const Province* Find(absl::string_view code) const;

  const FederationOptions options_;
  CredentialStore& credentials_;
  std::vector<Province> provinces_;
};

}  // namespace cradle::services
