// Full recompute of fulfilment against its baseline, in one run on one machine:
//
//   BM_SequentialSum   one pass summing every double of every series (the floor: memory
//                      bandwidth; four accumulators so it is not bound by add latency)
//   BM_FullRecompute   RecomputeFulfilment: every unit x indicator x {year, quarters,
//                      months} as of a day in September (every pair is active here)
//
// on a synthetic State like the demo's: 10,000 units, 10 reported indicators (sums,
// a lower-is-better input, mean workers, mean quality, a max) plus one ratio, a year of
// daily values with about 2% of days missing, an annual plan for every unit and
// indicator and explicit monthly plans for one unit in ten. The last line prints
// FullRecompute / SequentialSum (goal: <= 5) and the peak resident memory.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "engine/assignments.h"
#include "engine/fulfilment.h"
#include "engine/state.h"

namespace chollima::engine {
namespace {

constexpr int kUnits = 10000;
constexpr int kYear = 2026;

// Deterministic, cheap noise (splitmix64) so that building the State stays fast.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
double Unit01(uint64_t x) { return static_cast<double>(Mix(x) >> 11) * 0x1.0p-53; }

struct Synthetic {
  State state;
  AssignmentBook book;  // built from state; keeps no reference to it
};

Synthetic BuildSynthetic() {
  Synthetic s;
  State& st = s.state;
  const int32_t season =
      st.AddProfile({.code = "season", .month_weights = {6, 6, 8, 9, 10, 10, 10, 10, 9, 8, 7, 6}});
  struct Spec {
    const char* code;
    Aggregation aggregation;
    Direction direction;
    Role role;
    double daily;  // typical daily value
  };
  const Spec specs[] = {
      {"coal", Aggregation::kSum, Direction::kHigher, Role::kOutput, 100},
      {"cement", Aggregation::kSum, Direction::kHigher, Role::kOutput, 80},
      {"steel", Aggregation::kSum, Direction::kHigher, Role::kOutput, 60},
      {"power", Aggregation::kSum, Direction::kHigher, Role::kOutput, 500},
      {"chemicals", Aggregation::kSum, Direction::kHigher, Role::kOutput, 40},
      {"machines", Aggregation::kSum, Direction::kHigher, Role::kOutput, 5},
      {"energy", Aggregation::kSum, Direction::kLower, Role::kInput, 300},
      {"workers", Aggregation::kMean, Direction::kHigher, Role::kInput, 250},
      {"quality", Aggregation::kMean, Direction::kHigher, Role::kQuality, 95},
      {"peak", Aggregation::kMax, Direction::kHigher, Role::kOutput, 150},
  };
  for (const Spec& spec : specs) {
    st.AddIndicator({.code = spec.code,
                     .direction = spec.direction,
                     .aggregation = spec.aggregation,
                     .role = spec.role});
  }
  const IndicatorId per_worker =
      st.AddIndicator({.code = "coal_per_worker", .numerator = 0, .denominator = 7});
  for (int u = 0; u < kUnits; ++u) st.AddUnit({.code = "u" + std::to_string(u)});

  const Date begin = Date::FromCivil(kYear, 1, 1);
  const int32_t days = DaysInYear(kYear);
  for (IndicatorId i = 0; i < 10; ++i) {
    const Spec& spec = specs[static_cast<size_t>(i)];
    for (UnitId u = 0; u < kUnits; ++u) {
      const uint64_t key = static_cast<uint64_t>(i) * 1000003u + static_cast<uint64_t>(u);
      const double capacity = spec.daily * (0.5 + Unit01(key));
      const double performance = 0.85 + 0.3 * Unit01(key ^ 0x5555);
      for (int32_t d = 0; d < days; ++d) {
        const uint64_t h = key * 512 + static_cast<uint64_t>(d);
        if (Unit01(h ^ 0xabcdef) < 0.02) continue;  // a missing report
        st.SetReport({u, i, begin + d, capacity * performance * (0.8 + 0.4 * Unit01(h))});
      }
      const Period year = PeriodOf(Grain::kYear, begin);
      const double annual = spec.aggregation == Aggregation::kSum ? capacity * days : capacity;
      const auto method = static_cast<SplitMethod>(Mix(key) % 3);
      st.SetPlan({{false, u}, i, year, annual, method, season});
      if (spec.aggregation == Aggregation::kSum && u % 10 == 0) {
        for (int m = 1; m <= 12; ++m) {
          const Period month = PeriodOf(Grain::kMonth, Date::FromCivil(kYear, m, 1));
          st.SetPlan({{false, u},
                      i,
                      month,
                      annual / 12 * (0.9 + 0.2 * Unit01(key + static_cast<uint64_t>(m)))});
        }
      }
    }
  }
  for (UnitId u = 0; u < kUnits; ++u) {
    st.SetPlan({{false, u}, per_worker, PeriodOf(Grain::kYear, begin), 0.4});
  }
  s.book = AssignmentBook(st);
  return s;
}

// Built once, on first use (outside the timed loops).
const Synthetic& GetSynthetic() {
  static const Synthetic synthetic = BuildSynthetic();
  return synthetic;
}

double SumAllSeries(const State& state) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (size_t series = 0; series < state.series_count(); ++series) {
    const std::span<const double> v = state.Series(static_cast<int32_t>(series));
    size_t i = 0;
    for (; i + 4 <= v.size(); i += 4) {
      s0 += v[i];
      s1 += v[i + 1];
      s2 += v[i + 2];
      s3 += v[i + 3];
    }
    for (; i < v.size(); ++i) s0 += v[i];
  }
  return (s0 + s1) + (s2 + s3);
}

void BM_SequentialSum(benchmark::State& bm) {
  const State& state = GetSynthetic().state;
  for (auto _ : bm) benchmark::DoNotOptimize(SumAllSeries(state));
  const auto bytes = static_cast<int64_t>(state.series_count()) * state.series_days() * 8;
  bm.SetBytesProcessed(static_cast<int64_t>(bm.iterations()) * bytes);
}
BENCHMARK(BM_SequentialSum)->Unit(benchmark::kMillisecond);

void BM_FullRecompute(benchmark::State& bm) {
  const Synthetic& s = GetSynthetic();
  FulfilmentGrid grid;
  const RecomputeOptions options{.year = kYear, .as_of = Date::FromCivil(kYear, 9, 15)};
  // The first recompute sizes the grid; later ones reuse its storage, as a server would.
  if (!RecomputeFulfilment(s.state, s.book, options, grid).ok()) bm.SkipWithError("recompute");
  for (auto _ : bm) {
    const Status status = RecomputeFulfilment(s.state, s.book, options, grid);
    if (!status.ok()) bm.SkipWithError(status.error().message.c_str());
    benchmark::DoNotOptimize(grid.status.data());
  }
  const auto bytes = static_cast<int64_t>(s.state.series_count()) * s.state.series_days() * 8;
  bm.SetBytesProcessed(static_cast<int64_t>(bm.iterations()) * bytes);
  bm.counters["pairs"] = static_cast<double>(grid.pair_count());
  bm.counters["rows"] = static_cast<double>(grid.status.size());
}
BENCHMARK(BM_FullRecompute)->Unit(benchmark::kMillisecond);

void BM_BuildAssignmentBook(benchmark::State& bm) {
  const State& state = GetSynthetic().state;
  for (auto _ : bm) {
    AssignmentBook book(state);
    benchmark::DoNotOptimize(book.planned_indicators().data());
  }
  bm.counters["plans"] = static_cast<double>(state.plans().size());
}
BENCHMARK(BM_BuildAssignmentBook)->Unit(benchmark::kMillisecond);

void BM_QueryMonthAllIndicators(benchmark::State& bm) {
  const Synthetic& s = GetSynthetic();
  const FulfilmentQuery query{.period = PeriodOf(Grain::kMonth, Date::FromCivil(kYear, 9, 1)),
                              .as_of = Date::FromCivil(kYear, 9, 15)};
  for (auto _ : bm) {
    Result<FulfilmentTable> table = ComputeFulfilment(s.state, s.book, query);
    benchmark::DoNotOptimize(table.ok());
  }
}
BENCHMARK(BM_QueryMonthAllIndicators)->Unit(benchmark::kMillisecond);

// Keeps each benchmark's time per iteration to print the ratio at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (!run.error_occurred) times_[run.run_name.function_name] = run.GetAdjustedRealTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
  const std::map<std::string, double>& times() const { return times_; }

 private:
  std::map<std::string, double> times_;
};

std::string PeakResidentMemory() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return line.substr(6);
  }
  return " unknown";
}

}  // namespace
}  // namespace chollima::engine

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  chollima::engine::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const auto& times = reporter.times();
  const auto sum = times.find("BM_SequentialSum");
  const auto full = times.find("BM_FullRecompute");
  if (sum != times.end() && full != times.end() && sum->second > 0) {
    std::printf("FullRecompute / SequentialSum = %.2f (goal <= 5); peak resident memory:%s\n",
                full->second / sum->second, chollima::engine::PeakResidentMemory().c_str());
  }
  return 0;
}
