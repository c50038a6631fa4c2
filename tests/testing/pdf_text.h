#pragma once

// The text of a PDF, as Debian's pdftotext (poppler-utils) reads it back:
// what a printed document's tests check. Pages end with a form feed.

#include <string>

#include "gtest/gtest.h"

#include "tests/testing/subprocess.h"

namespace cradle::testing {

inline std::string PdfText(const std::string& pdf) {
  RunResult text = Run({"/usr/bin/pdftotext", "-enc", "UTF-8", pdf, "-"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  return text.out;
}

}  // namespace cradle::testing
