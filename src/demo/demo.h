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
// The same options always give the same economy, byte for byte, on every platform: the
// generator uses its own integer PRNG and only correctly rounded floating-point operations
// (no std:: distributions, no libm exp/log), and draws each (unit, day) from a hash of
// (seed, unit, day), so the report stream does not depend on how it is chunked.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

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
  // The chunking never changes the reports, only where the stream is cut. A chunk_rows
  // of 0 is taken as 1. Thread-safe (const, no shared mutable state).
  void ForEachReportChunk(const std::function<void(std::span<const Report>)>& sink,
                          size_t chunk_rows = 1 << 16) const;
  // Number of reports ForEachReportChunk produces (a fast pass that skips the values).
  int64_t ReportCount() const;

  // Fixed ids of the generated structure, for the generators that build on it.
  static constexpr HierarchyId kRegionHierarchy = 0;  // provinces (depth 1), counties (2)
  static constexpr HierarchyId kSectorHierarchy = 1;  // sectors (depth 1), branches (2)
  IndicatorId workers_indicator = kNoId;
  IndicatorId energy_indicator = kNoId;
  IndicatorId quality_indicator = kNoId;
  IndicatorId capital_indicator = kNoId;  // monthly, reported on the first of the month
  // The root group of each sector, in the order of the sector table (coal, cement,
  // metallurgy, power, chemicals, machine, light, agriculture, construction).
  std::vector<GroupId> sector_groups;

  // An interval [begin, end) during which a unit produces nothing (a breakdown).
  struct Outage {
    Date begin;
    Date end;
  };

  // Per-unit parameters the report generator draws on, by UnitId. The daily output of a
  // unit on a producing day is
  //   daily_capacity * kPlanLevel * month factor * day factor(work/rest/holiday)
  //   * performance * (1 + trend_per_year * (fraction of year - 0.5)) * noise
  // where the month factor spreads the seasonal profile's month weight over the month's
  // producing days (relative to the peak month), and its annual plan is that expectation
  // with performance 1, no trend and the expected loss to outages.
  struct UnitProfile {
    IndicatorId output = kNoId;  // the unit's sector output indicator
    int32_t sector = 0;          // index into sector_groups
    GroupId branch = kNoId;      // its group in the sector hierarchy
    GroupId county = kNoId;      // its county on January 1st of the year
    double daily_capacity = 0;   // peak-season daily output, in the output's measure
    double performance = 1;      // multiplier of plan-level output: >1 ahead, <1 behind
    double trend_per_year = 0;   // change of output over the year, centred on mid-year
    double workers = 0;          // workforce on January 1st
    double workers_drift_per_year = 0;
    double energy_per_output = 0;  // MWh per unit of output
    double standby_energy = 0;     // MWh per day, whether producing or not
    double quality_level = 0;      // mean % first grade
    double missing_rate = 0;       // probability that a day goes unreported
    int32_t season = 0;            // index into structure.profiles
    std::vector<Outage> outages;   // within the year, ordered by begin
  };
  std::vector<UnitProfile> unit_profiles;

  // Share of capacity that plan-level output uses on a full working day of the peak month.
  static constexpr double kPlanLevel = 0.8;
};

// REQUIRES: options.units >= 1, options.year in kMinYear..kMaxYear.
DemoEconomy GenerateDemo(const DemoOptions& options);

}  // namespace chollima::demo
