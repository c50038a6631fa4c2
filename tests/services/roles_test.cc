#include "services/roles.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "cradle/v1/flags.pb.h"
#include "services/checked_service.h"

namespace cradle::services {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(OfferedServicesTest, NoneNamedOrAllIsEveryService) {
  for (const std::vector<std::string>& serve :
       {std::vector<std::string>{}, std::vector<std::string>{"all"}}) {
    absl::StatusOr<std::vector<std::string>> offered =
        OfferedServices(serve, /*follow_only=*/false);
    ASSERT_TRUE(offered.ok()) << offered.status();
    EXPECT_EQ(offered->size(), ProvinceServices().size());
    EXPECT_EQ(offered->front(), "cradle.v1.Registry");
  }
}

TEST(OfferedServicesTest, AFollowOnlyNodeOffersWhatItNames) {
  absl::StatusOr<std::vector<std::string>> offered =
      OfferedServices({"feed", "audit"}, /*follow_only=*/true);
  ASSERT_TRUE(offered.ok()) << offered.status();
  // In the API's order, whatever the order named.
  EXPECT_THAT(*offered, ElementsAre("cradle.v1.Audit", "cradle.v1.Feed"));
}

TEST(OfferedServicesTest, AWriterOffersEveryService) {
  absl::StatusOr<std::vector<std::string>> offered =
      OfferedServices({"manifests"}, /*follow_only=*/false);
  EXPECT_EQ(offered.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(offered.status().message(), HasSubstr("--follow-only"));
  // Every one named is every one.
  std::vector<std::string> all;
  for (const ProvinceService& s : ProvinceServices()) all.push_back(s.flag);
  EXPECT_TRUE(OfferedServices(all, /*follow_only=*/false).ok());
}

TEST(OfferedServicesTest, AnUnknownServiceIsNamed) {
  absl::StatusOr<std::vector<std::string>> offered =
      OfferedServices({"audit", "audits"}, /*follow_only=*/true);
  EXPECT_EQ(offered.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(offered.status().message(),
              HasSubstr("serve: \"audits\" is not a service"));
  EXPECT_THAT(offered.status().message(), HasSubstr("registry,credentials"));
}

TEST(OfferedServicesTest, ASweepIsAWriteSoThatItReachesTheWriter) {
  // CheckedService forwards what carries a WriteMeta from a node that is
  // not the writer: a sweeper may call any node.
  EXPECT_TRUE(checked_internal::IsWrite(*v1::SweepRequest::descriptor()));
  EXPECT_FALSE(checked_internal::IsWrite(*v1::ListFlagsRequest::descriptor()));
}

}  // namespace
}  // namespace cradle::services
