// `chollima fulfilment`: plan fulfilment per unit or per group for one period.
#include <cmath>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "core/text.h"
#include "engine/assignments.h"
#include "engine/fulfilment.h"
#include "io/export.h"
#include "io/table_writer.h"
#include "service/service.h"

namespace chollima::cli {
namespace {

struct Options {
  std::string db, period, by, indicator, as_of, format = "table";
  bool units = false;
  bool all = false;
  double at_risk = 0.95;
};

// Rounds for the terminal table; exact numbers go to csv and json.
io::Cell Num(double v, bool table, int decimals) {
  if (!table || std::isnan(v) || std::isinf(v)) return io::Cell::Number(v);
  const double scale = std::pow(10.0, decimals);
  return io::Cell::Number(std::round(v * scale) / scale);
}

std::string TargetName(const engine::State& s, const PlanTarget& t) {
  if (t.is_group && t.id == kNoId) return "(all units)";
  if (t.is_group) return s.groups()[static_cast<size_t>(t.id)].name;
  return s.units()[static_cast<size_t>(t.id)].name;
}

std::string TargetCodeOrAll(const engine::State& s, const PlanTarget& t) {
  if (t.is_group && t.id == kNoId) return "*";
  return io::TargetCode(s, t);
}

int Run(const Options& o) {
  auto period = ParsePeriod(o.period);
  if (!period.ok()) {
    std::cerr << "chollima fulfilment: --period: " << period.error().message << "\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto svc = OpenStore(o.db, store::OpenMode::kExisting, exit_code);
  if (!svc) return exit_code;
  const engine::State& state = svc->state();
  engine::FulfilmentQuery query;
  query.period = *period;
  query.thresholds.at_risk_pace = o.at_risk;
  if (!o.indicator.empty()) {
    auto ind = state.FindIndicator(o.indicator);
    if (!ind) {
      std::cerr << "chollima fulfilment: --indicator: unknown indicator '" << o.indicator << "'\n";
      return kExitUsage;
    }
    query.indicator = *ind;
  }
  if (!o.by.empty()) {
    const auto parts = Split(o.by, ':');
    auto h = state.FindHierarchy(parts[0]);
    int level = 1;
    if (!h) {
      std::cerr << "chollima fulfilment: --by: unknown hierarchy '" << parts[0] << "'\n";
      return kExitUsage;
    }
    if (parts.size() > 2 || (parts.size() == 2 && !ParseDigits(parts[1], level))) {
      std::cerr << "chollima fulfilment: --by: expected HIERARCHY or HIERARCHY:LEVEL\n";
      return kExitUsage;
    }
    query.by = engine::GroupLevel{*h, level};
    query.include_units = o.units;
  }
  if (!o.as_of.empty()) {
    auto d = ParseDate(o.as_of);
    if (!d.ok()) {
      std::cerr << "chollima fulfilment: --as-of: " << d.error().message << "\n";
      return kExitUsage;
    }
    query.as_of = *d;
  } else {
    // The latest reported day (not the clock), so the answer depends on the data only.
    const Date last_day = period->end - 1;
    query.as_of = state.LastReportedDay().value_or(last_day);
  }
  const engine::AssignmentBook book(state);
  auto table = engine::ComputeFulfilment(state, book, query);
  if (!table.ok()) {
    std::cerr << "chollima fulfilment: " << table.error().message << "\n";
    return kExitUsage;
  }
  const bool text = o.format == "table";
  const auto format = o.format == "json"  ? io::TableFormat::kJson
                      : o.format == "csv" ? io::TableFormat::kCsv
                                          : io::TableFormat::kTable;
  std::vector<std::string> columns = {"kind",     "target",    "name",          "indicator",
                                      "plan",     "actual",    "percent",       "plan_to_date",
                                      "pace",     "forecast",  "status",        "reported_days",
                                      "units",    "with_plan", "overfulfilled", "fulfilled",
                                      "on_track", "at_risk",   "behind",        "plan_difference"};
  if (text) {
    std::cout << "Fulfilment for " << FormatPeriod(*period) << " as of " << FormatDate(query.as_of)
              << "\n\n";
  }
  io::TableWriter w(std::cout, format, columns);
  auto emit = [&](const engine::FulfilmentRow& r, const char* kind) {
    // Rows with neither a plan nor a report say nothing unless asked for.
    if (!o.all && std::isnan(r.plan) && r.reported_days == 0 && r.units_with_plan == 0) return;
    const bool group = r.target.is_group;
    auto count = [&](engine::FulfilmentStatus s) {
      return group ? io::Cell::Number(r.unit_counts[static_cast<size_t>(s)]) : io::Cell::Empty();
    };
    w.Row({io::Cell::Text(kind),
           io::Cell::Text(TargetCodeOrAll(state, r.target)),
           io::Cell::Text(TargetName(state, r.target)),
           io::Cell::Text(state.indicators()[static_cast<size_t>(r.indicator)].code),
           Num(r.plan, text, 1),
           Num(r.actual, text, 1),
           Num(r.percent, text, 1),
           Num(r.plan_to_date, text, 1),
           Num(r.pace, text, 3),
           Num(r.forecast, text, 1),
           io::Cell::Text(engine::StatusName(r.status)),
           io::Cell::Number(r.reported_days),
           group ? io::Cell::Number(r.member_units) : io::Cell::Empty(),
           group ? io::Cell::Number(r.units_with_plan) : io::Cell::Empty(),
           count(engine::FulfilmentStatus::kOverfulfilled),
           count(engine::FulfilmentStatus::kFulfilled),
           count(engine::FulfilmentStatus::kOnTrack),
           count(engine::FulfilmentStatus::kAtRisk),
           count(engine::FulfilmentStatus::kBehind),
           group && r.explicit_plan ? Num(r.plan_difference, text, 1) : io::Cell::Empty()});
  };
  for (const auto& r : table->group_rows) emit(r, "group");
  for (const auto& r : table->unit_rows) emit(r, "unit");
  for (const auto& r : table->total_rows) emit(r, "total");
  w.Finish();
  if (text) {
    std::cout << "\n";
    for (const auto& r : table->total_rows) {
      const auto& c = r.unit_counts;
      using S = engine::FulfilmentStatus;
      std::cout << FormatPeriod(*period) << " "
                << state.indicators()[static_cast<size_t>(r.indicator)].code
                << (query.as_of + 1 >= period->end ? " plans" : " assignments to date")
                << ": overfulfilled at " << c[static_cast<size_t>(S::kOverfulfilled)] << " of "
                << r.units_with_plan << " units (fulfilled "
                << c[static_cast<size_t>(S::kFulfilled)] << ", on track "
                << c[static_cast<size_t>(S::kOnTrack)] << ", at risk "
                << c[static_cast<size_t>(S::kAtRisk)] << ", behind "
                << c[static_cast<size_t>(S::kBehind)] << ")\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddFulfilment(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("fulfilment", "Plan fulfilment per unit or group for a period");
  cmd->footer(
      "Each row: plan, actual, percent, plan to date, pace, forecast and status "
      "(overfulfilled, fulfilled, on_track, at_risk, behind, no_plan, no_data); groups add "
      "their units' counts by status and, for a group's own plan, its difference to the sum "
      "of its members'. The closing lines count units by status per indicator.");
  auto o = std::make_shared<Options>();
  cmd->add_option("--db", o->db, "Store file")->required();
  cmd->add_option("--period", o->period,
                  "2026, 2026-H1, 2026-Q1, 2026-01, 2026-W03, 2026-01-15, 2026/2030 "
                  "(or DHIS2's 2026Q1, 202601, 2026W3, 2026S1)")
      ->required();
  cmd->add_option("--by", o->by,
                  "Roll up to groups: HIERARCHY[:LEVEL], LEVEL 1 = top (e.g. region:2 for "
                  "counties)");
  cmd->add_flag("--units", o->units, "With --by: list the units too");
  cmd->add_flag("--all", o->all, "Also list rows with neither a plan nor a report");
  cmd->add_option("--indicator", o->indicator, "One indicator (default: every planned one)");
  cmd->add_option("--as-of", o->as_of,
                  "Evaluate as of this day (default: the latest reported day)");
  cmd->add_option("--at-risk", o->at_risk,
                  "Pace below 1 but at least this is at risk, lower is behind")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--format", o->format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = Run(*o); });
}

}  // namespace chollima::cli
