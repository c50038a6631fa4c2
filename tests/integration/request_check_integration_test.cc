// Every method of every service, sent a string that is not UTF-8 or is too
// long, answers INVALID_ARGUMENT naming the field (not UNIMPLEMENTED with
// no message), and writes nothing.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"

#include "tests/integration/server_fixture.h"
#include "tests/testing/methods.h"

namespace cradle::testing {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using ::testing::HasSubstr;

// Sets the first string field found (depth first, in field order) of `m` to
// `value`; returns its path, or "" when `m` has none.
std::string SetFirstString(Message* m, const std::string& value) {
  const Descriptor* d = m->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        m->GetReflection()->AddString(m, f, value);
        return absl::StrCat(f->name(), "[0]");
      }
      m->GetReflection()->SetString(m, f, value);
      return f->name();
    }
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->type() != FieldDescriptor::TYPE_MESSAGE || f->is_map()) continue;
    Message* sub = f->is_repeated() ? m->GetReflection()->AddMessage(m, f)
                                    : m->GetReflection()->MutableMessage(m, f);
    const std::string inner = SetFirstString(sub, value);
    if (!inner.empty()) {
      return absl::StrCat(f->name(), f->is_repeated() ? "[0]" : "", ".", inner);
    }
    if (f->is_repeated()) {
      m->GetReflection()->RemoveLast(m, f);
    } else {
      m->GetReflection()->ClearField(m, f);
    }
  }
  return "";
}

class RequestCheckTest : public ServerFixture {
 protected:
  // Calls `method` with `request`'s bytes as the administrator.
  grpc::Status Call(const google::protobuf::MethodDescriptor& method,
                    const std::string& request) {
    grpc::GenericStub stub(channel_);
    grpc::Slice slice(request);
    grpc::ByteBuffer in(&slice, 1), out;
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(
        &ctx,
        absl::StrCat("/", method.service()->full_name(), "/", method.name()),
        grpc::StubOptions(), &in, &out, [&](grpc::Status s) {
          status = std::move(s);
          done.Notify();
        });
    done.WaitForNotification();
    return status;
  }

  std::vector<const google::protobuf::MethodDescriptor*> EveryMethod() {
    std::vector<const google::protobuf::MethodDescriptor*> all = AllMethods();
    EXPECT_GE(all.size(), 30u);
    return all;
  }
};

TEST_F(RequestCheckTest, EveryMethodNamesAStringThatIsNotUtf8) {
  const uint64_t head = Head();
  int checked = 0;
  for (const google::protobuf::MethodDescriptor* method : EveryMethod()) {
    std::unique_ptr<Message> request(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());
    const std::string field =
        SetFirstString(request.get(), std::string("bad \xff\xfe value"));
    if (field.empty()) continue;  // no string to spoil
    ++checked;
    const grpc::Status s = Call(*method, request->SerializeAsString());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << method->full_name() << ": " << s.error_message();
    EXPECT_THAT(s.error_message(),
                HasSubstr(field + " is not UTF-8 text: byte 0xff at 4"))
        << method->full_name();
  }
  EXPECT_GE(checked, 25);
  EXPECT_EQ(Head(), head);
}

TEST_F(RequestCheckTest, EveryMethodNamesAStringTooLongToQuote) {
  int checked = 0;
  for (const google::protobuf::MethodDescriptor* method : EveryMethod()) {
    std::unique_ptr<Message> request(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());
    const std::string field =
        SetFirstString(request.get(), std::string(10 * 1024, 'x'));
    if (field.empty()) continue;
    ++checked;
    const grpc::Status s = Call(*method, request->SerializeAsString());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << method->full_name() << ": " << s.error_message();
    EXPECT_THAT(s.error_message(),
                HasSubstr(field + " is 10240 bytes; no field may exceed"))
        << method->full_name();
  }
  EXPECT_GE(checked, 25);
}

TEST_F(RequestCheckTest, ANestedRepeatedFieldIsNamedWithItsIndex) {
  v1::OpenManifestRequest req = OpenRequest();
  req.mutable_lines(1)->set_packaging("bag\xc3");  // a cut-off character
  const grpc::Status s = Call(
      *google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          "cradle.v1.Manifests.Open"),
      req.SerializeAsString());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(
      s.error_message(),
      HasSubstr("lines[1].packaging is not UTF-8 text: byte 0xc3 at 3"));
}

TEST_F(RequestCheckTest, BytesThatAreNoRequestAreRefusedAsSuch) {
  const grpc::Status s = Call(
      *google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          "cradle.v1.Transfers.Pickup"),
      std::string("\x0a\xff\xff\xff\xff\x0f", 6));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("the request is not a well-formed PickupRequest: meta "
                        "is not well formed"));
}

}  // namespace
}  // namespace cradle::testing
