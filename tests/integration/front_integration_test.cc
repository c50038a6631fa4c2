// The front (services/front.h) before a real embedded server: the whole
// chain of a manifest through it, a stream relayed whole, requests checked
// before any node sees them, and nodes that do not answer passed over.

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

#include "services/front.h"
#include "services/roles.h"
#include "tests/integration/server_fixture.h"

namespace cradle::testing {
namespace {

using ::testing::HasSubstr;

// Nothing listens there: connections are refused at once.
const char kDeadNode[] = "127.0.0.1:1";

class FrontIntegrationTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();  // the parties, registered directly
    direct_ = channel_;
    StartFront({kDeadNode, Node()});
  }

  std::string Node() { return absl::StrCat("127.0.0.1:", server_->port()); }

  // Starts a front before `nodes` and sends the fixture's calls through it.
  void StartFront(std::vector<std::string> nodes,
                  absl::Duration health_interval = absl::Seconds(1)) {
    services::FrontOptions options;
    options.listen = "127.0.0.1:0";
    options.nodes = std::move(nodes);
    options.health_interval = health_interval;
    options.transport = grpc::InsecureServerCredentials();
    options.node_credentials = grpc::InsecureChannelCredentials();
    absl::StatusOr<std::unique_ptr<services::FrontServer>> front =
        services::FrontServer::Start(std::move(options));
    ASSERT_TRUE(front.ok()) << front.status();
    front_ = *std::move(front);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", front_->port()),
                                   grpc::InsecureChannelCredentials());
    registry_ = v1::Registry::NewStub(channel_);
    flags_ = v1::Flags::NewStub(channel_);
    manifests_ = v1::Manifests::NewStub(channel_);
    transfers_ = v1::Transfers::NewStub(channel_);
    disposals_ = v1::Disposals::NewStub(channel_);
    audit_ = v1::Audit::NewStub(channel_);
    credentials_ = v1::Credentials::NewStub(channel_);
  }

  // Calls `path` with `bytes` through the front as the administrator.
  grpc::Status Raw(const std::string& path, const std::string& bytes) {
    grpc::GenericStub stub(channel_);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer in(&slice, 1), out;
    grpc::ClientContext ctx;
    As(&ctx, kAdmin);
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(&ctx, path, grpc::StubOptions(), &in, &out,
                   [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    return status;
  }

  std::string Export(const std::shared_ptr<grpc::Channel>& channel) {
    v1::ExportRequest req;
    req.set_jurisdiction("3304");
    grpc::ClientContext ctx;
    As(&ctx, kProvinceRegulator);
    auto reader = v1::Audit::NewStub(channel)->Export(&ctx, req);
    v1::ExportChunk chunk;
    std::string csv;
    while (reader->Read(&chunk)) csv += chunk.csv();
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return csv;
  }

  // A gRPC server with health only, saying it serves `services`: a node of
  // another role, or one that claims what it cannot do.
  std::unique_ptr<grpc::Server> HealthOnly(
      const std::vector<std::string>& services, std::string* address) {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    EXPECT_NE(server, nullptr);
    for (const std::string& service : services) {
      server->GetHealthCheckService()->SetServingStatus(service, true);
    }
    *address = absl::StrCat("127.0.0.1:", port);
    return server;
  }

  std::shared_ptr<grpc::Channel> direct_;
  std::unique_ptr<services::FrontServer> front_;
};

TEST_F(FrontIntegrationTest, AManifestsWholeChainGoesThroughTheFront) {
  const std::string n = OpenOne();
  WriteReply r;
  ASSERT_TRUE(Pickup(n, kCarrier, kCarrierPlate, &r).ok());
  ASSERT_TRUE(Deliver(n, kReceiver, &r).ok());
  grpc::Status s =
      Receive(n, kReceiver, {Accept(1, 1000000), Accept(2, 250000)}, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.manifest().status(), v1::MANIFEST_STATUS_ACCEPTED);

  // The node holds it, read directly.
  v1::GetManifestRequest get;
  get.set_number(n);
  grpc::ClientContext ctx;
  As(&ctx, kGenerator);
  v1::GetManifestResponse m;
  ASSERT_TRUE(v1::Manifests::NewStub(direct_)->Get(&ctx, get, &m).ok());
  EXPECT_EQ(m.manifest().status(), v1::MANIFEST_STATUS_ACCEPTED);

  // The caller's token is the node's to judge: none, or a regulator's on
  // a write, is refused as the node refuses it.
  grpc::ClientContext anonymous;
  v1::GetManifestResponse out;
  EXPECT_EQ(manifests_->Get(&anonymous, get, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::OpenManifestRequest open = OpenRequest();
  grpc::ClientContext regulator;
  As(&regulator, kProvinceRegulator);
  v1::OpenManifestResponse written;
  EXPECT_EQ(manifests_->Open(&regulator, open, &written).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(FrontIntegrationTest, AStreamIsRelayedWhole) {
  for (int i = 0; i < 130; ++i) OpenOne();  // more than one page
  const std::string through = Export(channel_);
  EXPECT_EQ(through, Export(direct_));
  EXPECT_GT(std::count(through.begin(), through.end(), '\n'), 130);
}

TEST_F(FrontIntegrationTest, ARequestIsCheckedBeforeAnyNodeSeesIt) {
  const uint64_t head = Head();
  v1::OpenManifestRequest req = OpenRequest();
  req.mutable_lines(1)->set_packaging("bag\xc3");
  grpc::Status s = Raw("/cradle.v1.Manifests/Open", req.SerializeAsString());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("lines[1].packaging is not UTF-8 text"));

  s = Raw("/cradle.v1.Manifests/Burn", "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("/cradle.v1.Manifests/Burn is not part of"));
  EXPECT_EQ(Head(), head);
}

TEST_F(FrontIntegrationTest, ANodeThatDoesNotAnswerIsPassedOver) {
  // Half the calls start at the dead node; each still succeeds, once.
  const uint64_t head = Head();
  for (int i = 0; i < 6; ++i) OpenOne();
  EXPECT_EQ(Head(), head + 6);
}

TEST_F(FrontIntegrationTest, ACallGoesOnlyToNodesThatServeItsService) {
  std::string other;
  std::unique_ptr<grpc::Server> serves_nothing = HealthOnly({}, &other);
  StartFront({other, Node()});
  // Every other call would start at `other`, which answers UNIMPLEMENTED.
  const uint64_t head = Head();
  for (int i = 0; i < 6; ++i) OpenOne();
  EXPECT_EQ(Head(), head + 6);
  EXPECT_EQ(Export(channel_), Export(direct_));
}

TEST_F(FrontIntegrationTest, ANodeThatStopsBetweenHealthPollsIsPassedOver) {
  std::vector<std::string> all;
  for (const services::ProvinceService& s : services::ProvinceServices()) {
    all.push_back(s.full);
  }
  std::string stopping;
  std::unique_ptr<grpc::Server> node = HealthOnly(all, &stopping);
  StartFront({stopping, Node()}, absl::Hours(1));  // polled once, at start
  node->Shutdown();
  const uint64_t head = Head();
  for (int i = 0; i < 6; ++i) OpenOne();
  EXPECT_EQ(Head(), head + 6);
}

TEST_F(FrontIntegrationTest, WithNoNodeAnsweringTheCallerIsToldWhich) {
  StartFront({kDeadNode});
  grpc::ClientContext ctx;
  As(&ctx, kGenerator);
  v1::GetManifestRequest get;
  get.set_number("33040220260000001");
  v1::GetManifestResponse m;
  grpc::Status s = manifests_->Get(&ctx, get, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(),
              HasSubstr("no node answered (tried 1 of 1); the last, "
                        "127.0.0.1:1"));
}

TEST(FrontStartTest, AFrontWithoutNodesIsRefused) {
  services::FrontOptions options;
  options.listen = "127.0.0.1:0";
  options.transport = grpc::InsecureServerCredentials();
  options.node_credentials = grpc::InsecureChannelCredentials();
  absl::StatusOr<std::unique_ptr<services::FrontServer>> front =
      services::FrontServer::Start(std::move(options));
  EXPECT_EQ(front.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(front.status().message(), HasSubstr("nodes"));
}

}  // namespace
}  // namespace cradle::testing
