// Solve (frame first, then every unit against the frame) vs SolveNaive (one LP per unit
// against all units) in process, on a Cobb-Douglas-like frontier with inefficiency; and
// Solve with its dense simplex vs the same Solve with every LP left to CLP
// (Options::lp_iteration_limit = 0).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "engine/dea.h"

namespace dea = chollima::engine::dea;

namespace {

dea::Data MakeData(int32_t n) {
  std::mt19937_64 rng(20240601);
  std::uniform_real_distribution<double> in(1.0, 10.0);
  std::normal_distribution<double> noise(0.0, 1.0);
  dea::Data d;
  d.units = n;
  d.inputs = 3;
  d.outputs = 2;
  for (int32_t j = 0; j < n; ++j) {
    double x[3];
    for (double& v : x) v = in(rng);
    const double f = std::pow(x[0], 0.3) * std::pow(x[1], 0.3) * std::pow(x[2], 0.3);
    const double u = std::exp(-std::fabs(0.3 * noise(rng)));
    const double share = 0.2 + 0.6 * std::uniform_real_distribution<double>(0, 1)(rng);
    d.x.insert(d.x.end(), x, x + 3);
    d.y.push_back(f * u * share);
    d.y.push_back(f * u * (1 - share));
  }
  return d;
}

void Run(benchmark::State& state, bool naive, dea::Rts rts, bool clp_only = false) {
  const dea::Data d = MakeData(static_cast<int32_t>(state.range(0)));
  dea::Options opt;
  opt.rts = rts;
  opt.slacks = false;
  opt.threads = 1;
  if (clp_only) opt.lp_iteration_limit = 0;
  for (auto _ : state) {
    auto r = naive ? dea::SolveNaive(d, opt) : dea::Solve(d, opt);
    benchmark::DoNotOptimize(r);
    if (!r.ok()) state.SkipWithError(r.error().message.c_str());
  }
}

void BM_DeaSolveVrs(benchmark::State& s) { Run(s, false, dea::Rts::kVrs); }
void BM_DeaNaiveVrs(benchmark::State& s) { Run(s, true, dea::Rts::kVrs); }
void BM_DeaSolveCrs(benchmark::State& s) { Run(s, false, dea::Rts::kCrs); }
void BM_DeaNaiveCrs(benchmark::State& s) { Run(s, true, dea::Rts::kCrs); }
void BM_DeaSolveVrsClpOnly(benchmark::State& s) { Run(s, false, dea::Rts::kVrs, true); }
void BM_DeaSolveCrsClpOnly(benchmark::State& s) { Run(s, false, dea::Rts::kCrs, true); }
BENCHMARK(BM_DeaSolveVrs)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeaSolveVrsClpOnly)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeaSolveCrsClpOnly)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeaNaiveVrs)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeaSolveCrs)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeaNaiveCrs)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
