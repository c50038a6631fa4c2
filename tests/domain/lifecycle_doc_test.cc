// docs/LIFECYCLE.md prints the transition table the code enforces; this test
// keeps the two the same.

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

#include "domain/lifecycle.h"
#include "domain/revision.h"

namespace cradle::domain {
namespace {

std::string Doc() {
  std::ifstream in(CRADLE_SOURCE_DIR "/docs/LIFECYCLE.md");
  EXPECT_TRUE(in.good()) << "cannot read docs/LIFECYCLE.md";
  std::stringstream doc;
  doc << in.rdbuf();
  return doc.str();
}

TEST(LifecycleDocTest, DocsPrintTheTableTheCodeEnforces) {
  const std::string table = LifecycleTableMarkdown();
  EXPECT_NE(Doc().find(table), std::string::npos)
      << "docs/LIFECYCLE.md must contain, verbatim:\n"
      << table;
}

TEST(LifecycleDocTest, DocsPrintTheRevisionTablesTheCodeEnforces) {
  for (const std::string& table :
       {RevisionTableMarkdown(), RevisionStateTableMarkdown()}) {
    EXPECT_NE(Doc().find(table), std::string::npos)
        << "docs/LIFECYCLE.md must contain, verbatim:\n"
        << table;
  }
}

TEST(LifecycleDocTest, EveryActionHasOneRow) {
  for (Action a :
       {Action::kOpen, Action::kIssue, Action::kCancel, Action::kPickup,
        Action::kRelay, Action::kDeliver, Action::kReceive, Action::kReroute,
        Action::kDispose, Action::kPayment, Action::kVoid}) {
    int rows = 0;
    for (const Transition& t : LifecycleTable()) rows += t.action == a;
    EXPECT_EQ(rows, 1) << TransitionFor(a).verb;
  }
}

}  // namespace
}  // namespace cradle::domain
