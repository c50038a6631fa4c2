// Micro-benchmarks of the per-entry CPU work on the append path: canonical
// encoding and the SHA-256 chain hash.
//
//   build/bench/codec_bench

#include <string>

#include "benchmark/benchmark.h"

#include "storage/entry_codec.h"

namespace cradle::storage {
namespace {

Entry MakeEntry(size_t payload) {
  Entry e;
  e.sequence = 123456;
  e.stream = "20263304000001";
  e.stream_version = 4;
  e.type = "manifest.picked_up";
  e.actor = "91330421MA2G5K6L7B/driver@scanner-7";
  e.recorded = absl::FromUnixSeconds(1795000000);
  e.payload = std::string(payload, 'p');
  e.prev_hash = ZeroHash();
  return e;
}

void BM_CanonicalAndHash(benchmark::State& state) {
  const Entry e = MakeEntry(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    std::string canonical = CanonicalEntryBytes(e);
    benchmark::DoNotOptimize(ChainHash(e.prev_hash, canonical));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CanonicalAndHash)->Arg(256)->Arg(1024)->Arg(16384);

void BM_Decode(benchmark::State& state) {
  Entry e = MakeEntry(static_cast<size_t>(state.range(0)));
  e.hash = ChainHash(e.prev_hash, CanonicalEntryBytes(e));
  const std::string stored = EncodeStoredEntry(e);
  for (auto _ : state) benchmark::DoNotOptimize(DecodeStoredEntry(stored));
}
BENCHMARK(BM_Decode)->Arg(1024);

}  // namespace
}  // namespace cradle::storage
