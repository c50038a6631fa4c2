// What driver_main.cc gives a target in a libFuzzer build, where libFuzzer
// has the main function and keeps a crashing input itself.

#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/fuzz/fuzz_target.h"

namespace cradle::fuzz {

void OnFinding() {}

}  // namespace cradle::fuzz

// With CRADLE_FUZZ_SEEDS=DIR, writes the target's seeds into DIR first, to
// start the corpus from (scripts/fuzz.sh).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("CRADLE_FUZZ_SEEDS");
  if (dir == nullptr) return 0;
  const std::vector<std::string> seeds = cradle::fuzz::Seeds();
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::ofstream(std::string(dir) + "/seed-" + std::to_string(i),
                  std::ios::binary)
        << seeds[i];
  }
  return 0;
}
