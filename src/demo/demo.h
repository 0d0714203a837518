// The demo economy: a plausible national economy generated deterministically from a seed.
//
// About 10 provinces and 200 counties (hierarchy "region"), nine sectors with branches
// (hierarchy "sector"), `units` enterprises spread over them, indicators per sector
// (output in the sector's own measure, workers, energy, quality, and the derived output
// per worker and energy per unit of output), a year of daily reports shaped by each
// unit's capacity, seasonality, trend, noise and outages, and annual plans with
// explicit monthly plans for some units. Some units run far ahead, some behind.
//
//   DemoOptions options;               // 10,000 units, seed 1, year 2026
//   DemoEconomy economy = GenerateDemo(options);
//   economy.structure;                 // everything but the reports
//   economy.ForEachReportChunk([&](std::span<const Report> chunk) { store(chunk); });
//
// The same options always give the same economy, byte for byte.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "core/model.h"

namespace chollima::demo {

struct DemoOptions {
  int units = 10000;
  uint64_t seed = 1;
  int year = 2026;
};

struct DemoEconomy {
  DemoOptions options;
  // Structure, indicators, calendar, profiles and plans; `structure.reports` is empty.
  Dataset structure;
  // Calls `sink` with every daily report of the year, in chunks of at most `chunk_rows`
  // rows ordered by date, then unit, then indicator. Deterministic; may be called again.
  void ForEachReportChunk(const std::function<void(std::span<const Report>)>& sink,
                          size_t chunk_rows = 1 << 16) const;
  // Number of reports ForEachReportChunk produces.
  int64_t ReportCount() const;

  // Per-unit parameters the report generator draws on (capacity, trend, ...), by UnitId.
  struct UnitProfile {
    IndicatorId output = kNoId;  // the unit's sector output indicator
    double daily_capacity = 0;
    double performance = 1;  // multiplier of plan-level output: >1 ahead, <1 behind
    double trend_per_year = 0;
    double workers = 0;
    int32_t season = 0;  // index into structure.profiles
  };
  std::vector<UnitProfile> unit_profiles;
};

// REQUIRES: options.units >= 1, options.year in kMinYear..kMaxYear.
DemoEconomy GenerateDemo(const DemoOptions& options);

}  // namespace chollima::demo
