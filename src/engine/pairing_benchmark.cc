// Learning-pair assignment (pairing::Assign) on dense random costs in [0, 1):
//
//   BM_Assign/M/L/slack   M mentors, L learners; capacity per mentor is L / M + slack
//                         (slack 0: places exactly match learners; negative: fewer
//                         places than learners, so the mentor side is saturated: -1 is
//                         the hardest, places just short of learners)
#include <benchmark/benchmark.h>

#include <cstdint>

#include "engine/pairing.h"

namespace chollima::engine::pairing {
namespace {

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

Problem Random(int32_t mentors, int32_t learners, int32_t slack) {
  Problem p;
  p.mentors = mentors;
  p.learners = learners;
  p.capacity.assign(static_cast<size_t>(mentors), learners / mentors + slack);
  p.cost.resize(static_cast<size_t>(mentors) * static_cast<size_t>(learners));
  for (size_t i = 0; i < p.cost.size(); ++i) {
    p.cost[i] = static_cast<double>(Mix(i) >> 11) * 0x1.0p-53;
  }
  return p;
}

void BM_Assign(benchmark::State& state) {
  const Problem p =
      Random(static_cast<int32_t>(state.range(0)), static_cast<int32_t>(state.range(1)),
             static_cast<int32_t>(state.range(2)));
  int32_t pairs = 0;
  for (auto _ : state) {
    auto result = Assign(p);
    benchmark::DoNotOptimize(result);
    pairs = result->pairs;
  }
  state.counters["pairs"] = pairs;
}
BENCHMARK(BM_Assign)
    ->ArgNames({"M", "L", "slack"})
    ->Args({200, 2000, 0})
    ->Args({200, 2000, 2})
    ->Args({200, 2000, -5})
    ->Args({1000, 10000, 0})
    ->Args({1000, 10000, 2})
    ->Args({1000, 10000, -5})
    ->Args({1000, 10000, -1})
    ->Args({2000, 20000, 0})
    ->Args({2000, 20000, 2})
    ->Args({2000, 20000, -5})
    ->Args({2000, 20000, -1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace chollima::engine::pairing

BENCHMARK_MAIN();
