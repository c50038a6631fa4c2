#pragma once

// A fuzz target: libFuzzer's entry point, and the seeds it starts from.
// Built two ways (tests/fuzz/CMakeLists.txt): under GoogleTest's toolchain
// with driver_main.cc, a bounded run of seeds and their mutations that CTest
// runs; and with clang's libFuzzer (scripts/fuzz.sh) for long, coverage-
// guided runs. A crash, a sanitizer report, a hang or a failed FUZZ_CHECK is
// a finding.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace cradle::fuzz {

// Valid inputs of the target, to mutate from.
std::vector<std::string> Seeds();

// Called on a finding, before the abort: the bounded driver writes the
// input to fuzz-finding.bin in the working directory (libFuzzer writes its
// own crash-* file).
void OnFinding();

}  // namespace cradle::fuzz

// Aborts with where and what, like a sanitizer finding.
#define FUZZ_CHECK(cond, ...)                                            \
  do {                                                                   \
    if (!(cond)) {                                                       \
      std::fprintf(stderr, "fuzz check failed at %s:%d: %s\n", __FILE__, \
                   __LINE__, #cond);                                     \
      std::fprintf(stderr, "  %s\n", std::string(__VA_ARGS__).c_str());  \
      ::cradle::fuzz::OnFinding();                                       \
      std::abort();                                                      \
    }                                                                    \
  } while (false)
