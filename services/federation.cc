#include "services/federation.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/byte_buffer.h"

#include "base/files.h"
#include "base/quote.h"
#include "domain/division.h"
#include "domain/manifest_number.h"
#include "domain/uscc.h"
#include "security/ed25519.h"
#include "security/vouch.h"
#include "storage/entry_codec.h"

namespace cradle::services {
namespace {

absl::Status LineError(absl::string_view field, int line,
                       absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, " line ", line, ": ", what));
}

// The longest a relayed call waits for the owning province.
constexpr absl::Duration kRelayDeadline = absl::Seconds(30);

// One relayed call, alive until its answer: tried at each of the owning
// province's nodes in turn while they answer UNAVAILABLE.
struct RelayedCall {
  std::string province;
  const std::vector<std::unique_ptr<grpc::GenericStub>>* stubs;
  const std::vector<std::string>* nodes;
  std::string method;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  google::protobuf::Message* reply;
  security::SignedVouch vouch;
  const grpc::CallbackServerContext* server;  // the relayed call's
  std::function<void(grpc::Status)> done;
  std::unique_ptr<grpc::ClientContext> context;
  size_t next = 0;
  std::string last_error;
};

void Attempt(std::shared_ptr<RelayedCall> call) {
  if (call->next == call->stubs->size()) {
    call->done(grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        absl::StrCat("province ", call->province, ": no node answered (tried ",
                     call->stubs->size(), "); the last, ", call->last_error)));
    return;
  }
  const size_t k = call->next++;
  // The caller's deadline (at most kRelayDeadline) and cancellation carry
  // over.
  call->context = grpc::ClientContext::FromCallbackServerContext(*call->server);
  call->context->set_deadline(
      std::min(call->server->deadline(),
               absl::ToChronoTime(absl::Now() + kRelayDeadline)));
  call->context->AddMetadata(kVouchHeader, call->vouch.vouch);
  call->context->AddMetadata(kVouchSignatureHeader, call->vouch.signature);
  (*call->stubs)[k]->UnaryCall(
      call->context.get(), call->method, grpc::StubOptions(), &call->request,
      &call->response, [call, k](grpc::Status s) {
        if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
          call->last_error =
              absl::StrCat((*call->nodes)[k], ": ", s.error_message());
          Attempt(call);
          return;
        }
        if (s.ok()) {
          std::vector<grpc::Slice> slices;
          std::string bytes;
          if (call->response.Dump(&slices).ok()) {
            for (const grpc::Slice& slice : slices) {
              bytes.append(reinterpret_cast<const char*>(slice.begin()),
                           slice.size());
            }
          }
          if (!call->reply->ParseFromString(bytes)) {
            s = grpc::Status(
                grpc::StatusCode::INTERNAL,
                absl::StrCat("province ", call->province, "'s answer to ",
                             call->method, " does not parse"));
          }
        }
        call->done(s);
      });
}

}  // namespace

absl::StatusOr<std::vector<ProvinceEntry>> ParseProvinceDirectory(
    absl::string_view field, absl::string_view text) {
  std::vector<ProvinceEntry> out;
  std::set<std::string> codes;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 3) {
      return LineError(field, number,
                       absl::StrCat("want CODE PUBLIC_KEY NODES, got ",
                                    fields.size(), " fields"));
    }
    ProvinceEntry p;
    p.code = std::string(fields[0]);
    if (!domain::IsProvinceCode(p.code)) {
      return LineError(field, number,
                       absl::StrCat("code ", Quote(p.code),
                                    " is not a province (2 digits, not 00)"));
    }
    if (!codes.insert(p.code).second) {
      return LineError(field, number,
                       absl::StrCat("code ", p.code, " is listed twice"));
    }
    if (!storage::ParseHex(fields[1], 32, &p.public_key)) {
      return LineError(field, number,
                       absl::StrCat("public key ", Quote(fields[1]),
                                    " is not 64 hex digits (Ed25519)"));
    }
    if (!security::IsEd25519PublicKey(p.public_key)) {
      return LineError(field, number,
                       absl::StrCat("public key ", fields[1],
                                    " is not an Ed25519 public key (a point "
                                    "of the curve's prime-order group)"));
    }
    for (absl::string_view node : absl::StrSplit(fields[2], ',')) {
      const size_t colon = node.rfind(':');
      if (colon == absl::string_view::npos || colon == 0 ||
          colon + 1 == node.size()) {
        return LineError(
            field, number,
            absl::StrCat("node ", Quote(node), " is not host:port"));
      }
      p.nodes.emplace_back(node);
    }
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::vector<ProvinceEntry>> ReadProvinceDirectory(
    absl::string_view province, const std::string& directory_file) {
  if (!domain::IsProvinceCode(province)) {
    return absl::InvalidArgumentError(
        absl::StrCat("province: ", Quote(province),
                     " is not a province code (2 digits, not 00)"));
  }
  if (directory_file.empty()) {
    return absl::InvalidArgumentError(
        "province: set only with provinces_file, the directory of provinces "
        "whose calls this node relays and admits");
  }
  absl::StatusOr<std::string> text = ReadFile(directory_file);
  if (!text.ok()) {
    return absl::Status(
        text.status().code(),
        absl::StrCat("provinces_file: ", text.status().message()));
  }
  absl::StatusOr<std::vector<ProvinceEntry>> provinces = ParseProvinceDirectory(
      absl::StrCat("provinces_file ", directory_file), *text);
  if (!provinces.ok()) return provinces.status();
  for (const ProvinceEntry& p : *provinces) {
    if (p.code == province) return provinces;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("provinces_file ", directory_file,
                   " does not list this node's province ", province));
}

absl::StatusOr<std::unique_ptr<Federation>> Federation::Load(
    FederationOptions options, CredentialStore& credentials) {
  absl::StatusOr<std::vector<ProvinceEntry>> provinces =
      ReadProvinceDirectory(options.province, options.directory_file);
  if (!provinces.ok()) return provinces.status();
  for (const ProvinceEntry& p : *provinces) {
    if (p.code == options.province &&
        p.public_key != options.key->public_key()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "provinces_file ", options.directory_file, ": the key of province ",
          p.code, " is not this node's signing key (its public half is ",
          storage::HexHash(options.key->public_key()), ")"));
    }
  }
  return std::unique_ptr<Federation>(
      new Federation(std::move(options), credentials, *std::move(provinces)));
}

Federation::Federation(FederationOptions options, CredentialStore& credentials,
                       std::vector<ProvinceEntry> provinces)
    : options_(std::move(options)), credentials_(credentials) {
  for (ProvinceEntry& entry : provinces) {
    Province p;
    p.entry = std::move(entry);
    for (const std::string& node : p.entry.nodes) {
      p.stubs.push_back(std::make_unique<grpc::GenericStub>(
          grpc::CreateChannel(node, options_.peer_credentials)));
    }
    provinces_.push_back(std::move(p));
  }
}

const Federation::Province* Federation::Find(absl::string_view code) const {
  for (const Province& p : provinces_) {
    if (p.entry.code == code) return &p;
  }
  return nullptr;
}

std::string Federation::OwnerOf(
    const google::protobuf::Message& request) const {
  const std::string number = ManifestNumberOf(request);
  if (!domain::ParseManifestNumber("number", number).ok()) return "";
  const std::string code = number.substr(4, 2);
  if (code == options_.province || Find(code) == nullptr) return "";
  return code;
}

void Federation::Relay(grpc::CallbackServerContext* ctx,
                       const std::string& method,
                       const google::protobuf::Message& request,
                       google::protobuf::Message* response,
                       std::function<void(grpc::Status)> done) {
  const std::string owner = OwnerOf(request);
  const Province* province = Find(owner);
  const auto& metadata = ctx->client_metadata();
  auto auth = metadata.find("authorization");
  constexpr absl::string_view kBearer = "Bearer ";
  absl::string_view value =
      auth == metadata.end()
          ? absl::string_view()
          : absl::string_view(auth->second.data(), auth->second.size());
  if (province == nullptr || !absl::StartsWith(value, kBearer)) {
    done(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "no credential: send \"authorization: Bearer <token>\" "
                      "(cradlectl --token or CRADLE_TOKEN)"));
    return;
  }
  absl::StatusOr<domain::Principal> p =
      credentials_.Authenticate(value.substr(kBearer.size()));
  absl::StatusOr<v1::Credential> credential =
      p.ok() ? credentials_.Get(p->credential) : p.status();
  if (!credential.ok()) {
    done(grpc::Status(static_cast<grpc::StatusCode>(credential.status().code()),
                      std::string(credential.status().message())));
    return;
  }
  if (credential->kind() != v1::CREDENTIAL_KIND_PARTY) {
    done(grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED,
        absl::StrCat("number: manifest ", Quote(ManifestNumberOf(request)),
                     " belongs to province ", owner,
                     "; only a party's call is relayed there (a regulator "
                     "reads other provinces' loads at the national node)")));
    return;
  }
  auto call = std::make_shared<RelayedCall>();
  call->province = owner;
  call->stubs = &province->stubs;
  call->nodes = &province->entry.nodes;
  call->method = method;
  const std::string bytes = security::DeterministicBytes(request);
  grpc::Slice slice(bytes);
  call->request = grpc::ByteBuffer(&slice, 1);
  call->reply = response;
  call->vouch =
      security::MakeVouch(*options_.key, options_.province, *credential,
                          request, options_.clock->Now());
  call->server = ctx;
  call->done = std::move(done);
  Attempt(std::move(call));
}

absl::StatusOr<domain::Principal> Federation::Admit(
    absl::string_view vouch, absl::string_view signature,
    const google::protobuf::Message& request) const {
  const std::string code = security::VouchingProvince(vouch);
  const Province* from = Find(code);
  if (from == nullptr || code == options_.province) {
    return absl::UnauthenticatedError(absl::StrCat(
        "cradle-vouch-bin names province ", Quote(code),
        ", which this node's directory does not list as another province"));
  }
  const std::string number = ManifestNumberOf(request);
  if (number.size() < 6 || number.substr(4, 2) != options_.province) {
    return absl::UnauthenticatedError(absl::StrCat(
        "cradle-vouch-bin: a relayed call must name a manifest of province ",
        options_.province, " in its number, not ", Quote(number)));
  }
  absl::StatusOr<v1::ProvinceVouch> checked = security::CheckVouch(
      security::SignedVouch{std::string(vouch), std::string(signature)}, code,
      from->entry.public_key, request, options_.clock->Now());
  if (!checked.ok()) return checked.status();
  const v1::Credential& c = checked->credential();
  if (absl::Status s = domain::ValidateUscc(
          "cradle-vouch-bin credential.enterprise", c.enterprise());
      !s.ok()) {
    return absl::UnauthenticatedError(s.message());
  }
  // A USCC names the division that registered the enterprise (digits 3-8).
  if (c.enterprise().substr(2, 2) != code) {
    return absl::PermissionDeniedError(
        absl::StrCat("cradle-vouch-bin credential.enterprise ", c.enterprise(),
                     " was not registered in province ", code,
                     ": a province vouches only for its own enterprises"));
  }
  domain::Principal p = domain::PrincipalOf(c);
  p.credential = absl::StrCat(code, ":", p.credential);
  // What this province recorded of the credential stays what it is.
  if (absl::StatusOr<v1::Credential> known = credentials_.Get(p.credential);
      known.ok() &&
      (known->public_key() != c.public_key() ||
       known->enterprise() != c.enterprise() || known->role() != c.role())) {
    return absl::PermissionDeniedError(
        absl::StrCat("cradle-vouch-bin credential ", p.credential,
                     " differs (key, enterprise or role) from what province ",
                     code, " vouched for it before"));
  }
  return p;
}

void Federation::Remember(absl::string_view vouch, absl::string_view signature,
                          const domain::Principal& p,
                          std::function<void()> then) const {
  v1::ProvinceVouch parsed;
  if (!parsed.ParseFromString(std::string(vouch))) {  // Admit took it
    then();
    return;
  }
  v1::Credential credential = parsed.credential();
  credential.set_id(p.credential);
  credential.set_issued_by(absl::StrCat("province ", parsed.province()));
  credentials_.RememberVouched(credential, std::string(vouch),
                               std::string(signature), p.Actor(),
                               std::move(then));
}

}  // namespace cradle::services
