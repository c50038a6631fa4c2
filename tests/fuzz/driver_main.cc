// The bounded fuzzer CTest runs: every seed of the target, then mutations of
// them (bit flips, byte changes, insertions, deletions, splices, repeats,
// boundary numbers) from a fixed random seed, so a run is repeatable.
//   <target> [--runs=N] [--seconds=S] [--seed=K] [--write-seeds=DIR]
// Stops after N inputs or S seconds, whichever first; --write-seeds writes
// the seeds as files for libFuzzer and exits.

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"

namespace {

const std::string* current = nullptr;  // the input being run

}  // namespace

namespace cradle::fuzz {

void OnFinding() {
  if (current == nullptr) return;
  std::ofstream("fuzz-finding.bin", std::ios::binary) << *current;
  std::fprintf(stderr, "  the input (%zu bytes) is in fuzz-finding.bin\n",
               current->size());
}

}  // namespace cradle::fuzz

namespace {

std::string Mutate(std::string s, const std::vector<std::string>& seeds,
                   std::mt19937_64& rng) {
  const int rounds = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < rounds; ++r) {
    const size_t n = s.size();
    switch (rng() % 9) {
      case 0:  // flip a bit
        if (n > 0) s[rng() % n] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // any byte
        if (n > 0) s[rng() % n] = static_cast<char>(rng() & 0xff);
        break;
      case 2:  // insert bytes
        s.insert(n == 0 ? 0 : rng() % (n + 1),
                 std::string(1 + rng() % 4, static_cast<char>(rng() & 0xff)));
        break;
      case 3:  // delete a run
        if (n > 0) {
          const size_t at = rng() % n;
          s.erase(at, 1 + rng() % std::min<size_t>(8, n - at));
        }
        break;
      case 4: {  // splice another seed in
        const std::string& other = seeds[rng() % seeds.size()];
        if (!other.empty()) {
          const size_t from = rng() % other.size();
          s.insert(n == 0 ? 0 : rng() % (n + 1),
                   other.substr(from, 1 + rng() % (other.size() - from)));
        }
        break;
      }
      case 5:  // repeat a run
        if (n > 0) {
          const size_t at = rng() % n;
          const std::string run = s.substr(at, 1 + rng() % 16);
          s.insert(at, run);
        }
        break;
      case 6: {  // a boundary number
        static const char* const kNumbers[] = {"0",
                                               "-1",
                                               "99999999999999999999",
                                               "1e309",
                                               "nan",
                                               "\xff\xff\xff\xff",
                                               "2147483648",
                                               "9223372036854775808",
                                               "\x80",
                                               "\xc0\x80"};
        const std::string v = kNumbers[rng() % 10];
        s.insert(n == 0 ? 0 : rng() % (n + 1), v);
        break;
      }
      case 7:  // truncate
        if (n > 0) s.resize(rng() % n);
        break;
      case 8:  // grow a lot
        s.append(
            std::string(64 + rng() % 2048, static_cast<char>(rng() & 0xff)));
        break;
    }
  }
  return s;
}

bool Flag(const char* arg, const char* name, std::string* value) {
  const size_t len = std::strlen(name);
  if (std::strncmp(arg, name, len) != 0 || arg[len] != '=') return false;
  *value = arg + len + 1;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 2000;
  double seconds = 60;
  unsigned long long seed = 1;
  std::string value, write_to;
  for (int i = 1; i < argc; ++i) {
    if (Flag(argv[i], "--runs", &value)) {
      runs = std::stol(value);
    } else if (Flag(argv[i], "--seconds", &value)) {
      seconds = std::stod(value);
    } else if (Flag(argv[i], "--seed", &value)) {
      seed = std::stoull(value);
    } else if (Flag(argv[i], "--write-seeds", &value)) {
      write_to = value;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--runs=N] [--seconds=S] [--seed=K] "
                   "[--write-seeds=DIR]\n",
                   argv[0]);
      return 2;
    }
  }
  const std::vector<std::string> seeds = cradle::fuzz::Seeds();
  if (!write_to.empty()) {
    for (size_t i = 0; i < seeds.size(); ++i) {
      std::ofstream(write_to + "/seed-" + std::to_string(i), std::ios::binary)
          << seeds[i];
    }
    std::printf("%zu seeds written to %s\n", seeds.size(), write_to.c_str());
    return 0;
  }
  const auto start = std::chrono::steady_clock::now();
  auto run = [](const std::string& input) {
    current = &input;
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                           input.size());
  };
  for (const std::string& s : seeds) run(s);
  std::mt19937_64 rng(seed);
  long done = 0;
  for (; done < runs; ++done) {
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count() > seconds) {
      break;
    }
    run(Mutate(seeds.empty() ? std::string() : seeds[rng() % seeds.size()],
               seeds, rng));
  }
  std::printf(
      "%s: %zu seeds and %ld mutations, %.1f s, no finding\n", argv[0],
      seeds.size(), done,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  return 0;
}
