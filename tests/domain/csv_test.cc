#include "domain/csv.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace cradle::domain {
namespace {

using ::cradle::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CsvTest, ReadsPlainRecordsWithLf) {
  auto records = ParseCsv("a,b\n1,2\n");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(*records,
              ElementsAre(ElementsAre("a", "b"), ElementsAre("1", "2")));
}

TEST(CsvTest, ReadsCrlfAndLastRecordWithoutLineBreak) {
  auto records = ParseCsv("a,b\r\n1,2\r\n3,4");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(*records,
              ElementsAre(ElementsAre("a", "b"), ElementsAre("1", "2"),
                          ElementsAre("3", "4")));
}

TEST(CsvTest, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
  auto records =
      ParseCsv("\"1,1-二氯乙烷\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(*records, ElementsAre(ElementsAre("1,1-二氯乙烷", "say \"hi\"",
                                                "two\r\nlines")));
}

TEST(CsvTest, KeepsEmptyFields) {
  auto records = ParseCsv(",a,,\n\"\",b\n");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(*records,
              ElementsAre(ElementsAre("", "a", "", ""), ElementsAre("", "b")));
}

TEST(CsvTest, EmptyTextHasNoRecords) {
  auto records = ParseCsv("");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_TRUE(records->empty());
}

TEST(CsvTest, RejectsUnclosedQuote) {
  EXPECT_THAT(ParseCsv("a\n\"open,b\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2: quoted field is never closed")));
}

TEST(CsvTest, RejectsQuoteInsideUnquotedField) {
  EXPECT_THAT(ParseCsv("a,b\"c\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("quote inside an unquoted field")));
}

TEST(CsvTest, RejectsTextAfterClosingQuote) {
  EXPECT_THAT(ParseCsv("\"a\"b,c\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("text after the closing quote")));
}

TEST(CsvTest, CheckCsvShapeWantsHeaderAndFieldCount) {
  auto records = ParseCsv("code,name\n11,北京市\n12\n");
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(CheckCsvShape("provinces.csv", *records, {"code", "title"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("provinces.csv line 1: header must be")));
  EXPECT_THAT(CheckCsvShape("provinces.csv", *records, {"code", "name"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("provinces.csv record 3 has 1 fields")));
  records->pop_back();
  EXPECT_TRUE(CheckCsvShape("provinces.csv", *records, {"code", "name"}).ok());
}

}  // namespace
}  // namespace cradle::domain
