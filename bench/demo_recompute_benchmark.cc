// The demo economy's full fulfilment recompute (10,000 units, a year of daily reports)
// beside its baseline: one sequential pass (a sum) over the same report values.
// bench/run.sh prints the ratio of the two and the peak memory.
#include <benchmark/benchmark.h>

#include <cmath>
#include <optional>
#include <span>
#include <vector>

#include "demo/demo.h"
#include "demo/emulation.h"
#include "engine/assignments.h"
#include "engine/drive.h"
#include "engine/fulfilment.h"
#include "engine/records.h"
#include "service/service.h"

namespace chollima {
namespace {

const engine::State& DemoState() {
  static const engine::State state = [] {
    const demo::DemoEconomy economy = demo::GenerateDemo({.units = 10000, .seed = 1, .year = 2026});
    const Changes c = service::StructureChanges(economy.structure);
    engine::State s;
    engine::ApplyChanges(c, s);
    economy.ForEachReportChunk([&](std::span<const Report> chunk) { s.SetReports(chunk); });
    engine::ApplyChanges(demo::DemoDrives(economy), s);
    return s;
  }();
  return state;
}

void BM_DemoSequentialSum(benchmark::State& st) {
  const engine::State& s = DemoState();
  size_t values = 0;
  for (auto _ : st) {
    double total = 0;
    values = 0;
    for (size_t series = 0; series < s.series_count(); ++series) {
      for (double v : s.Series(static_cast<int32_t>(series))) total += std::isnan(v) ? 0 : v;
      values += static_cast<size_t>(s.series_days());
    }
    benchmark::DoNotOptimize(total);
  }
  st.SetBytesProcessed(st.iterations() * static_cast<int64_t>(values * sizeof(double)));
}
BENCHMARK(BM_DemoSequentialSum)->Unit(benchmark::kMillisecond);

void BM_DemoFullRecompute(benchmark::State& st) {
  const engine::State& s = DemoState();
  engine::FulfilmentGrid grid;
  for (auto _ : st) {
    const engine::AssignmentBook book(s);
    Status status = engine::RecomputeFulfilment(
        s, book, {.year = 2026, .as_of = Date::FromCivil(2026, 12, 31)}, grid);
    if (!status.ok()) st.SkipWithError(status.error().message.c_str());
    benchmark::DoNotOptimize(grid.percent.data());
  }
  // The grid holds only the active (unit, indicator) pairs: about 60k of the 300k.
  st.counters["pairs"] = static_cast<double>(grid.pair_count());
  st.counters["rows"] = static_cast<double>(grid.status.size());
}
BENCHMARK(BM_DemoFullRecompute)->Unit(benchmark::kMillisecond);

// The full rebuild of the demo's live standings: both drives (the coal mines in their
// leagues with rank changes and streaks, the provinces), from the State.
void BM_DemoDriveRebuild(benchmark::State& st) {
  const engine::State& s = DemoState();
  const engine::AssignmentBook book(s);
  for (auto _ : st) {
    engine::DriveBoard board(s, book, s.drives(), s.drive_results());
    benchmark::DoNotOptimize(board.Current(0));
  }
  st.counters["drives"] = static_cast<double>(s.drives().size());
}
BENCHMARK(BM_DemoDriveRebuild)->Unit(benchmark::kMillisecond);

// The full rebuild of the demo's record book: every unit, group and all-units record of
// every indicator at day, month and year, with the outlier flags.
void BM_DemoRecordBookRebuild(benchmark::State& st) {
  const engine::State& s = DemoState();
  size_t records = 0;
  for (auto _ : st) {
    engine::RecordBook book(s, s.outlier_reviews());
    records = book.Records({}).size();
  }
  st.counters["records"] = static_cast<double>(records);
}
BENCHMARK(BM_DemoRecordBookRebuild)->Unit(benchmark::kMillisecond);

// The demo through November 30 and its record book; then one report of December 1 moves
// the last reported day past the month end: every unit's November counts now (the month
// records of the indicators whose running month did not count may change at once).
void BM_DemoRecordBookMonthEnd(benchmark::State& st) {
  static const engine::State november = [] {
    const demo::DemoEconomy economy = demo::GenerateDemo({.units = 10000, .seed = 1, .year = 2026});
    engine::State s;
    engine::ApplyChanges(service::StructureChanges(economy.structure), s);
    const Date end = Date::FromCivil(2026, 11, 30);
    std::vector<Report> kept;
    economy.ForEachReportChunk([&](std::span<const Report> chunk) {
      kept.clear();
      for (const Report& r : chunk) {
        if (r.date <= end) kept.push_back(r);
      }
      s.SetReports(kept);
    });
    return s;
  }();
  static const engine::RecordBook book(november, november.outlier_reviews());
  // A day-grain base indicator that unit 0 reports.
  IndicatorId indicator = kNoId;
  for (size_t i = 0; i < november.indicators().size() && indicator == kNoId; ++i) {
    const Indicator& ind = november.indicators()[i];
    const int32_t series = november.FindSeries(0, static_cast<IndicatorId>(i));
    if (!ind.IsDerived() && ind.grain == Grain::kDay && series >= 0) {
      indicator = static_cast<IndicatorId>(i);
    }
  }
  Changes c;
  c.reports.push_back(
      {.unit = 0, .indicator = indicator, .date = Date::FromCivil(2026, 12, 1), .value = 1});
  size_t events = 0;
  // The copies live across iterations so that freeing them is not timed.
  std::optional<engine::State> s;
  std::optional<engine::RecordBook> b;
  for (auto _ : st) {
    st.PauseTiming();
    s.reset();
    b.reset();
    s.emplace(november);
    b.emplace(book);
    engine::ApplyChanges(c, *s);
    st.ResumeTiming();
    events = b->Apply(*s, s->outlier_reviews(), c).size();
  }
  st.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_DemoRecordBookMonthEnd)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace chollima

BENCHMARK_MAIN();
