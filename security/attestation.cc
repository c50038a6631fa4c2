#include "security/attestation.h"

#include <sys/stat.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

#include "cradle/ledger/v1/events.pb.h"
#include "cradle/v1/common.pb.h"
#include "security/ed25519.h"

namespace cradle::security {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The WriteMeta field (cradle.v1's, or the ledger's that records it), or
// null.
const FieldDescriptor* MetaField(const Message& m) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName("meta");
  if (f == nullptr || f->type() != FieldDescriptor::TYPE_MESSAGE ||
      f->is_repeated()) {
    return nullptr;
  }
  const std::string& type = f->message_type()->full_name();
  if (type != v1::WriteMeta::descriptor()->full_name() &&
      type != ledger::v1::WriteMeta::descriptor()->full_name()) {
    return nullptr;
  }
  return f;
}

// meta.signature, of whichever WriteMeta `meta` is.
const FieldDescriptor* SignatureField(const Message& meta) {
  return meta.GetDescriptor()->FindFieldByName("signature");
}

}  // namespace

std::string AttestationMessage(const Message& request) {
  return AttestationMessage(request.GetTypeName(), request);
}

std::string AttestationMessage(absl::string_view signed_type,
                               const Message& request) {
  std::unique_ptr<Message> copy(request.New());
  copy->CopyFrom(request);
  if (const FieldDescriptor* f = MetaField(*copy); f != nullptr) {
    Message* meta = copy->GetReflection()->MutableMessage(copy.get(), f);
    meta->GetReflection()->ClearField(meta, SignatureField(*meta));
  }
  std::string out = absl::StrCat("CRADLE-ATTEST-V1\n", signed_type, "\n");
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeWithCachedSizes(&coded);
  }
  return out;
}

absl::Status SignRequest(const security::Ed25519Key& key, Message* request) {
  const FieldDescriptor* f = MetaField(*request);
  if (f == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        request->GetTypeName(), " has no meta field: nothing to sign"));
  }
  std::string signature = key.Sign(AttestationMessage(*request));
  Message* meta = request->GetReflection()->MutableMessage(request, f);
  meta->GetReflection()->SetString(meta, SignatureField(*meta),
                                   std::move(signature));
  return absl::OkStatus();
}

std::string SignatureOf(const Message& request) {
  const FieldDescriptor* f = MetaField(request);
  if (f == nullptr || !request.GetReflection()->HasField(request, f)) {
    return "";
  }
  const Message& meta = request.GetReflection()->GetMessage(request, f);
  return meta.GetReflection()->GetString(meta, SignatureField(meta));
}

bool VerifyRequest(absl::string_view public_key, const Message& request) {
  std::string signature = SignatureOf(request);
  if (signature.empty()) return false;
  return security::VerifyEd25519(public_key, AttestationMessage(request),
                                 signature);
}

bool VerifyRecorded(absl::string_view public_key, absl::string_view signed_type,
                    const Message& recorded) {
  std::string signature = SignatureOf(recorded);
  if (signature.empty() || signed_type.empty()) return false;
  return security::VerifyEd25519(
      public_key, AttestationMessage(signed_type, recorded), signature);
}

absl::StatusOr<std::unique_ptr<security::Ed25519Key>> LoadKey(
    const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(
        absl::StrCat("no signing key at ", path,
                     ": make one with `cradlectl keygen --out ", path, "`"));
  }
  return security::Ed25519Key::LoadOrCreate(path);
}

}  // namespace cradle::security
