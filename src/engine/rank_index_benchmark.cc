// RankIndex with 1,000,000 participants on the workload of bench/standings_sequence.h
// (the one bench/redis_standings.cc runs against Redis's sorted sets):
//
//   BM_Assign    load all 1,000,000 participants at once
//   BM_Update    Set: a participant's new score (moves it)
//   BM_Rank      Rank: a participant's competition rank
//   BM_Top20     Page(0, 20): the top of the table
//   BM_Mixed     50% updates, 49% rank queries, 1% top-20 pages, in the sequence's order
//   BM_Latency   one steady_clock reading around each of 100,000 rank queries, top-20
//                pages and updates: p50 and p99 in ns as counters (clock_ns: the cost of
//                a reading pair, included in every sample)
//
// items_per_second is operations per second.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>

#include "../../bench/standings_sequence.h"  // shared with bench/redis_standings.cc
#include "engine/rank_index.h"

namespace chollima::engine {
namespace {

using bench::StandingsOpKind;
using bench::StandingsWorkload;

const StandingsWorkload& Workload() {
  static const StandingsWorkload w = bench::MakeStandingsWorkload();
  return w;
}

// Loaded once; the update benchmarks keep moving it, which keeps the same distribution.
RankIndex& Loaded() {
  static RankIndex* index = [] {
    auto* loaded = new RankIndex;
    loaded->Assign(Workload().initial);
    return loaded;
  }();
  return *index;
}

void BM_Assign(benchmark::State& state) {
  const StandingsWorkload& w = Workload();
  for (auto _ : state) {
    RankIndex index;
    index.Assign(w.initial);
    benchmark::DoNotOptimize(index.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(w.initial.size()));
}
BENCHMARK(BM_Assign)->Unit(benchmark::kMillisecond);

void BM_Update(benchmark::State& state) {
  const StandingsWorkload& w = Workload();
  RankIndex& index = Loaded();
  size_t i = 0;
  for (auto _ : state) {
    const bench::StandingsOp& op = w.updates[i];
    index.Set(op.id, op.score);
    if (++i == w.updates.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Update);

void BM_Rank(benchmark::State& state) {
  const StandingsWorkload& w = Workload();
  const RankIndex& index = Loaded();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.Rank(w.rank_ids[i]));
    if (++i == w.rank_ids.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Rank);

void BM_Top20(benchmark::State& state) {
  const RankIndex& index = Loaded();
  std::vector<std::pair<int32_t, double>> page;
  for (auto _ : state) {
    index.Page(0, bench::kStandingsPageSize, page);
    benchmark::DoNotOptimize(page.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Top20);

void BM_Mixed(benchmark::State& state) {
  const StandingsWorkload& w = Workload();
  RankIndex& index = Loaded();
  std::vector<std::pair<int32_t, double>> page;
  size_t i = 0;
  for (auto _ : state) {
    const bench::StandingsOp& op = w.mixed[i];
    switch (op.kind) {
      case StandingsOpKind::kUpdate:
        index.Set(op.id, op.score);
        break;
      case StandingsOpKind::kRank:
        benchmark::DoNotOptimize(index.Rank(op.id));
        break;
      case StandingsOpKind::kTop20:
        index.Page(0, bench::kStandingsPageSize, page);
        benchmark::DoNotOptimize(page.data());
        break;
    }
    if (++i == w.mixed.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Mixed);

constexpr size_t kLatencySamples = 100'000;

// p50 and p99 of `samples` (ns), which it sorts.
std::pair<double, double> Percentiles(std::vector<int64_t>& samples) {
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return static_cast<double>(
        samples[static_cast<size_t>(q * static_cast<double>(samples.size() - 1))]);
  };
  return {at(0.50), at(0.99)};
}

template <typename Op>
std::pair<double, double> TimeEach(size_t n, Op op) {
  std::vector<int64_t> samples(n);
  for (size_t i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    op(i);
    const auto t1 = std::chrono::steady_clock::now();
    samples[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
  }
  return Percentiles(samples);
}

void BM_Latency(benchmark::State& state) {
  const StandingsWorkload& w = Workload();
  RankIndex& index = Loaded();
  std::vector<std::pair<int32_t, double>> page;
  for (auto _ : state) {
    const auto clock = TimeEach(kLatencySamples, [](size_t) {});
    const auto rank = TimeEach(
        kLatencySamples, [&](size_t i) { benchmark::DoNotOptimize(index.Rank(w.rank_ids[i])); });
    const auto top20 = TimeEach(kLatencySamples, [&](size_t) {
      index.Page(0, bench::kStandingsPageSize, page);
      benchmark::DoNotOptimize(page.data());
    });
    const auto update = TimeEach(kLatencySamples,
                                 [&](size_t i) { index.Set(w.updates[i].id, w.updates[i].score); });
    state.counters["clock_ns"] = clock.first;
    state.counters["rank_p50_ns"] = rank.first;
    state.counters["rank_p99_ns"] = rank.second;
    state.counters["top20_p50_ns"] = top20.first;
    state.counters["top20_p99_ns"] = top20.second;
    state.counters["update_p50_ns"] = update.first;
    state.counters["update_p99_ns"] = update.second;
  }
}
BENCHMARK(BM_Latency)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace chollima::engine

BENCHMARK_MAIN();
