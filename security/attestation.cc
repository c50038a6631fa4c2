#include "security/attestation.h"

#include <sys/stat.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

#include "cradle/v1/common.pb.h"
#include "security/ed25519.h"

namespace cradle::security {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The request's WriteMeta field, or null.
const FieldDescriptor* MetaField(const Message& m) {
  const FieldDescriptor* f = m.GetDescriptor()->FindFieldByName("meta");
  if (f == nullptr || f->type() != FieldDescriptor::TYPE_MESSAGE ||
      f->is_repeated() ||
      f->message_type()->full_name() !=
          v1::WriteMeta::descriptor()->full_name()) {
    return nullptr;
  }
  return f;
}

const FieldDescriptor* SignatureField() {
  return v1::WriteMeta::descriptor()->FindFieldByName("signature");
}

}  // namespace

std::string AttestationMessage(const Message& request) {
  std::unique_ptr<Message> copy(request.New());
  copy->CopyFrom(request);
  if (const FieldDescriptor* f = MetaField(*copy); f != nullptr) {
    Message* meta = copy->GetReflection()->MutableMessage(copy.get(), f);
    meta->GetReflection()->ClearField(meta, SignatureField());
  }
  std::string out =
      absl::StrCat("CRADLE-ATTEST-V1\n", request.GetTypeName(), "\n");
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
  meta->GetReflection()->SetString(meta, SignatureField(),
                                   std::move(signature));
  return absl::OkStatus();
}

std::string SignatureOf(const Message& request) {
  const FieldDescriptor* f = MetaField(request);
  if (f == nullptr || !request.GetReflection()->HasField(request, f)) {
    return "";
  }
  const Message& meta = request.GetReflection()->GetMessage(request, f);
  return meta.GetReflection()->GetString(meta, SignatureField());
}

bool VerifyRequest(absl::string_view public_key, const Message& request) {
  std::string signature = SignatureOf(request);
  if (signature.empty()) return false;
  return security::VerifyEd25519(public_key, AttestationMessage(request),
                                 signature);
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
