#include "domain/memoized_registry.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::HasSubstr;

// Counts every question; knows one enterprise, "A", and answers the rest
// with what it was asked, so that a wrong memo key shows.
class CountingRegistry final : public RegistryReader {
 public:
  absl::StatusOr<v1::Enterprise> GetEnterprise(
      absl::string_view field, absl::string_view id) const override {
    ++asked[absl::StrCat("enterprise ", id)];
    if (id != "A") {
      return absl::NotFoundError(absl::StrCat(field, " ", id, " is unknown"));
    }
    v1::Enterprise e;
    e.set_id(std::string(id));
    e.set_name(absl::StrCat("version ", version));
    return e;
  }
  absl::StatusOr<std::vector<v1::Enterprise>> ReceiversInCity(
      absl::string_view city) const override {
    ++asked[absl::StrCat("city ", city)];
    v1::Enterprise e;
    e.set_division(std::string(city));
    return std::vector<v1::Enterprise>{e};
  }
  absl::StatusOr<int64_t> AcceptedGrams(absl::string_view receiver,
                                        int year) const override {
    ++asked[absl::StrCat("accepted ", receiver, " ", year)];
    return year * 10 + static_cast<int64_t>(receiver.size());
  }
  absl::StatusOr<std::vector<v1::Approval>> Approvals(
      absl::string_view generator, absl::string_view receiver) const override {
    ++asked[absl::StrCat("approvals ", generator, " ", receiver)];
    v1::Approval a;
    a.set_number(absl::StrCat(generator, "->", receiver));
    return std::vector<v1::Approval>{a};
  }
  absl::StatusOr<int64_t> ApprovalUsedGrams(
      absl::string_view number) const override {
    ++asked[absl::StrCat("used ", number)];
    return static_cast<int64_t>(number.size());
  }

  absl::StatusOr<v1::Container> GetContainer(
      absl::string_view field, absl::string_view code) const override {
    ++asked[absl::StrCat("container ", code)];
    if (code.empty()) {
      return absl::NotFoundError(absl::StrCat(field, " is unknown"));
    }
    v1::Container c;
    c.set_code(std::string(code));
    c.add_records()->set_number(version);
    return c;
  }

  mutable std::map<std::string, int> asked;
  int version = 1;
};

// A write's decision stands only while what it read is unchanged: the memo
// lists each container read, as read, for the append to name.
TEST(MemoizedRegistryTest, ListsTheContainersItReadAsItReadThem) {
  CountingRegistry source;
  MemoizedRegistry memo(source);
  EXPECT_TRUE(memo.containers_read().empty());
  EXPECT_EQ(memo.GetContainer("lines[0].containers[0]", "C1")->code(), "C1");
  source.version = 2;
  EXPECT_EQ(memo.GetContainer("lines[0].containers[1]", "C2")->code(), "C2");
  EXPECT_EQ(memo.GetContainer("again", "C1")->records(0).number(), 1);
  EXPECT_THAT(memo.GetContainer("lines[1].containers[0]", ""),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("lines[1].containers[0]")));
  EXPECT_EQ(source.asked["container C1"], 1);
  ASSERT_EQ(memo.containers_read().size(), 2u);
  EXPECT_EQ(memo.containers_read().at("C1").records(0).number(), 1);
  EXPECT_EQ(memo.containers_read().at("C2").records(0).number(), 2);
}

TEST(MemoizedRegistryTest, AsksEachQuestionOnce) {
  CountingRegistry source;
  MemoizedRegistry memo(source);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(memo.GetEnterprise("generator", "A")->name(), "version 1");
    EXPECT_EQ((*memo.ReceiversInCity("3304"))[0].division(), "3304");
    EXPECT_EQ(*memo.AcceptedGrams("R1", 2026), 20262);
    EXPECT_EQ((*memo.Approvals("G", "R"))[0].number(), "G->R");
    EXPECT_EQ(*memo.ApprovalUsedGrams("AP-7"), 4);
  }
  for (const auto& [question, times] : source.asked) {
    EXPECT_EQ(times, 1) << question;
  }
  EXPECT_EQ(source.asked.size(), 5u);
}

TEST(MemoizedRegistryTest, DifferentQuestionsGetTheirOwnAnswers) {
  CountingRegistry source;
  MemoizedRegistry memo(source);
  EXPECT_EQ(*memo.AcceptedGrams("R1", 2026), 20262);
  EXPECT_EQ(*memo.AcceptedGrams("R1", 2027), 20272);
  EXPECT_EQ(*memo.AcceptedGrams("R22", 2026), 20263);
  EXPECT_EQ((*memo.Approvals("G", "R"))[0].number(), "G->R");
  EXPECT_EQ((*memo.Approvals("R", "G"))[0].number(), "R->G");
  EXPECT_EQ((*memo.ReceiversInCity("3301"))[0].division(), "3301");
  EXPECT_EQ((*memo.ReceiversInCity("3304"))[0].division(), "3304");
}

TEST(MemoizedRegistryTest, ErrorsAreAskedAgainAndNameTheirField) {
  CountingRegistry source;
  MemoizedRegistry memo(source);
  EXPECT_THAT(memo.GetEnterprise("carrier", "B"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("carrier B")));
  EXPECT_THAT(memo.GetEnterprise("receiver", "B"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("receiver B")));
  EXPECT_EQ(source.asked["enterprise B"], 2);
}

TEST(MemoizedRegistryTest, ANewMemoSeesChangesTheOldOneHidAway) {
  CountingRegistry source;
  {
    MemoizedRegistry memo(source);
    EXPECT_EQ(memo.GetEnterprise("generator", "A")->name(), "version 1");
    source.version = 2;
    EXPECT_EQ(memo.GetEnterprise("generator", "A")->name(), "version 1");
  }
  MemoizedRegistry next(source);
  EXPECT_EQ(next.GetEnterprise("generator", "A")->name(), "version 2");
}

}  // namespace
}  // namespace cradle::domain
