#include <benchmark/benchmark.h>

#include "demo/demo.h"

namespace chollima::demo {
namespace {

void BM_GenerateStructure(benchmark::State& state) {
  const int units = static_cast<int>(state.range(0));
  for (auto _ : state) {
    DemoEconomy economy = GenerateDemo({.units = units, .seed = 1, .year = 2026});
    benchmark::DoNotOptimize(economy.structure.plans.data());
  }
  state.SetItemsProcessed(state.iterations() * units);
  state.SetLabel("items = units");
}
BENCHMARK(BM_GenerateStructure)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_ReportStream(benchmark::State& state) {
  const DemoEconomy economy =
      GenerateDemo({.units = static_cast<int>(state.range(0)), .seed = 1, .year = 2026});
  int64_t rows = 0;
  for (auto _ : state) {
    double checksum = 0;
    economy.ForEachReportChunk([&](std::span<const Report> chunk) {
      rows += static_cast<int64_t>(chunk.size());
      checksum += chunk.back().value;
    });
    benchmark::DoNotOptimize(checksum);
  }
  state.SetItemsProcessed(rows);
  state.SetLabel("items = reports");
}
BENCHMARK(BM_ReportStream)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_ReportCount(benchmark::State& state) {
  const DemoEconomy economy =
      GenerateDemo({.units = static_cast<int>(state.range(0)), .seed = 1, .year = 2026});
  for (auto _ : state) benchmark::DoNotOptimize(economy.ReportCount());
  state.SetItemsProcessed(state.iterations() * state.range(0) * 365);
  state.SetLabel("items = unit-days");
}
BENCHMARK(BM_ReportCount)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace chollima::demo

BENCHMARK_MAIN();
