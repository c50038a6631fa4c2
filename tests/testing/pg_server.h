#pragma once

// A real PostgreSQL 15 server for one test, in a directory of its own
// (scripts/pg-node.sh), removed when destroyed.

#include <unistd.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"

#include "tests/testing/subprocess.h"

namespace cradle::testing {

class PgServer {
 public:
  PgServer() : dir_(absl::StrCat("/tmp/cradle-pg-", getpid(), "-", ++count_)) {
    Start();
  }
  ~PgServer() {
    Run({"/bin/bash", Script(), "stop", dir_});
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Starts it (again); the test fails naming why when it cannot.
  void Start() {
    RunResult r = Run({"/bin/bash", Script(), "start", dir_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    conninfo_ = std::string(absl::StripAsciiWhitespace(r.out));
  }
  // SIGKILLs the postmaster, as a machine dying would end it.
  void Kill() {
    RunResult r = Run({"/bin/bash", Script(), "kill", dir_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }

  const std::string& conninfo() const { return conninfo_; }

 private:
  static std::string Script() {
    return absl::StrCat(CRADLE_SOURCE_DIR, "/scripts/pg-node.sh");
  }

  static inline int count_ = 0;
  std::string dir_;
  std::string conninfo_;
};

}  // namespace cradle::testing
