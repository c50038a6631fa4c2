#include "services/request_bytes.h"

#include <limits>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

#include "base/status_macros.h"
#include "base/utf8.h"

namespace cradle::services {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

constexpr int kMaxDepth = 32;
// The longest varint protobuf takes as a tag or a length.
constexpr int kMaxVarint32Bytes = 5;

absl::Status Malformed(const Descriptor& type, const std::string& where) {
  return absl::InvalidArgumentError(
      absl::StrCat("the request is not a well-formed ", type.name(), ": ",
                   where.empty() ? "its bytes" : where, " is not well formed"));
}

// A packed repeated scalar: `length` bytes of varints or fixed-size values.
bool SkipPacked(const FieldDescriptor& f, uint32_t length,
                CodedInputStream* in) {
  switch (WireFormatLite::WireTypeForFieldType(
      static_cast<WireFormatLite::FieldType>(f.type()))) {
    case WireFormatLite::WIRETYPE_VARINT: {
      const CodedInputStream::Limit limit =
          in->PushLimit(static_cast<int>(length));
      uint64_t v;
      while (in->BytesUntilLimit() > 0) {
        if (!in->ReadVarint64(&v)) return false;
      }
      in->PopLimit(limit);
      return true;
    }
    case WireFormatLite::WIRETYPE_FIXED32:
      return length % 4 == 0 && in->Skip(static_cast<int>(length));
    case WireFormatLite::WIRETYPE_FIXED64:
      return length % 8 == 0 && in->Skip(static_cast<int>(length));
    default:
      return false;
  }
}

// As protobuf reads a tag or a length: a varint of at most five bytes (a
// longer one is refused, even of a small value) and at most `max`.
bool ReadVarint32(CodedInputStream* in, uint64_t max, uint32_t* out) {
  const int at = in->CurrentPosition();
  uint64_t value = 0;
  if (!in->ReadVarint64(&value) ||
      in->CurrentPosition() - at > kMaxVarint32Bytes || value > max) {
    return false;
  }
  *out = static_cast<uint32_t>(value);
  return true;
}

// Walks one message's fields from `in` up to `end` (its limit, or the end
// of the bytes).
absl::Status Walk(const Descriptor& type, const std::string& prefix, int depth,
                  int end, CodedInputStream* in) {
  std::map<int, int> seen;  // repeated fields: the index of the next one
  while (in->CurrentPosition() < end) {
    // A tag: field number 1..2^29-1 and its wire type, in 32 bits.
    uint32_t tag = 0;
    if (!ReadVarint32(in, std::numeric_limits<uint32_t>::max(), &tag) ||
        WireFormatLite::GetTagFieldNumber(tag) == 0) {
      return Malformed(type, prefix);
    }
    const FieldDescriptor* f =
        type.FindFieldByNumber(WireFormatLite::GetTagFieldNumber(tag));
    switch (WireFormatLite::GetTagWireType(tag)) {
      case WireFormatLite::WIRETYPE_LENGTH_DELIMITED:
        break;
      case WireFormatLite::WIRETYPE_START_GROUP:
      case WireFormatLite::WIRETYPE_END_GROUP:
        return Malformed(type, prefix);  // no Cradle message has groups
      default:                           // a number, whatever field it is
        if (!WireFormatLite::SkipField(in, tag)) return Malformed(type, prefix);
        continue;
    }
    std::string name =
        f == nullptr
            ? prefix
            : absl::StrCat(prefix, prefix.empty() ? "" : ".", f->name());
    if (f != nullptr && f->is_repeated()) {
      absl::StrAppend(&name, "[", seen[f->number()]++, "]");
    }
    uint32_t length = 0;
    if (!ReadVarint32(in, std::numeric_limits<int32_t>::max(), &length) ||
        length > static_cast<uint32_t>(end - in->CurrentPosition())) {
      return Malformed(type, name);
    }
    if (f == nullptr) {  // a field this version does not know: skipped
      if (!in->Skip(static_cast<int>(length))) return Malformed(type, prefix);
      continue;
    }
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (length > kMaxRequestStringBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, " is ", length, " bytes; no field may exceed ",
                         kMaxRequestStringBytes));
      }
      std::string value;
      if (!in->ReadString(&value, static_cast<int>(length))) {
        return Malformed(type, name);
      }
      if (const size_t at = InvalidUtf8At(value); at != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            name, " is not UTF-8 text: byte 0x",
            absl::Hex(static_cast<unsigned char>(value[at]), absl::kZeroPad2),
            " at ", at));
      }
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (depth >= kMaxDepth) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, " is nested too deep"));
      }
      const int inner_end = in->CurrentPosition() + static_cast<int>(length);
      CRADLE_RETURN_IF_ERROR(
          Walk(*f->message_type(), name, depth + 1, inner_end, in));
    } else if (f->type() == FieldDescriptor::TYPE_BYTES) {
      if (!in->Skip(static_cast<int>(length))) return Malformed(type, name);
    } else if (!f->is_repeated() || !SkipPacked(*f, length, in)) {
      return Malformed(type, name);
    }
  }
  if (in->CurrentPosition() != end) return Malformed(type, prefix);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckRequestBytes(const Descriptor& type,
                               absl::string_view bytes) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  return Walk(type, "", 0, static_cast<int>(bytes.size()), &in);
}

}  // namespace cradle::services
