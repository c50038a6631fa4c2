// The check of a request as bytes (services/request_bytes.h): what it lets
// through, protobuf parses; what it refuses, it names. A request it passed
// that protobuf then refused would be answered UNIMPLEMENTED with no word.

#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

#include "cradle/v1/audit.pb.h"
#include "cradle/v1/auth.pb.h"
#include "cradle/v1/flags.pb.h"
#include "cradle/v1/manifest.pb.h"
#include "cradle/v1/registry.pb.h"
#include "services/request_bytes.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/quiet_protobuf.h"
#include "tests/testing/methods.h"

namespace {

// The request type of every method of every service.
std::vector<const google::protobuf::Descriptor*> RequestTypes() {
  std::vector<const google::protobuf::Descriptor*> out;
  for (const auto* m : cradle::testing::AllMethods()) {
    out.push_back(m->input_type());
  }
  return out;
}

}  // namespace

namespace cradle::fuzz {

std::vector<std::string> Seeds() {
  v1::OpenManifestRequest open;
  open.mutable_meta()->set_idempotency_key("k1");
  open.mutable_meta()->mutable_position()->set_lat(30.7);
  open.set_generator("91330402MA2B3C4D5E");
  v1::WasteLine* line = open.add_lines();
  line->set_code("900-249-08");
  line->set_quantity_g(1250000);
  line->set_packaging("桶");
  v1::RegisterEnterpriseRequest reg;
  reg.set_id("91330402MA2B3C4D5E");
  reg.add_roles(v1::ROLE_GENERATOR);
  reg.add_roles(v1::ROLE_RECEIVER);
  v1::IssueCredentialRequest cred;
  cred.set_public_key(std::string(32, '\x01'));
  cred.set_valid_seconds(86400);
  std::vector<std::string> seeds;
  for (uint8_t type = 0; type < 40; ++type) {
    seeds.push_back(std::string(1, static_cast<char>(type)) +
                    (type % 3 == 0   ? open.SerializeAsString()
                     : type % 3 == 1 ? reg.SerializeAsString()
                                     : cred.SerializeAsString()));
  }
  return seeds;
}

}  // namespace cradle::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cradle::fuzz::QuietProtobufLogs();
  static const std::vector<const google::protobuf::Descriptor*> types =
      RequestTypes();
  if (size == 0) return 0;
  const google::protobuf::Descriptor& type = *types[data[0] % types.size()];
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const absl::Status s = cradle::services::CheckRequestBytes(type, bytes);
  if (s.ok()) {
    std::unique_ptr<google::protobuf::Message> m(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(&type)
            ->New());
    FUZZ_CHECK(m->ParseFromString(bytes),
               "CheckRequestBytes passed bytes that protobuf refuses");
  } else {
    FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument, s.ToString());
    FUZZ_CHECK(s.message().size() < 400, s.ToString().substr(0, 300));
  }
  return 0;
}
