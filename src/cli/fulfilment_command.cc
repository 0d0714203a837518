// `chollima fulfilment`: plan fulfilment per unit or per group for one period.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "engine/assignments.h"
#include "engine/fulfilment.h"
#include "io/table_writer.h"
#include "service/fulfilment_query.h"
#include "service/service.h"

namespace chollima::cli {
namespace {

struct Options {
  std::string db, period, by, within, indicator, as_of, format = "table";
  bool units = false;
  bool all = false;
  double at_risk = 0.95;
};

// "as_of: ..." -> "--as-of: ...": errors name the option as the user typed it.
std::string AsOption(const std::string& message) {
  const size_t colon = message.find(':');
  if (colon == std::string::npos) return message;
  std::string name = message.substr(0, colon);
  for (char& c : name) c = c == '_' ? '-' : c;
  return "--" + name + message.substr(colon);
}

int Run(const Options& o) {
  int exit_code = kExitOk;
  auto svc = OpenStore(o.db, store::OpenMode::kExisting, exit_code);
  if (!svc) return exit_code;
  const engine::State& state = svc->state();
  auto query = service::MakeFulfilmentQuery(state, {.period = o.period,
                                                    .by = o.by,
                                                    .within = o.within,
                                                    .indicator = o.indicator,
                                                    .as_of = o.as_of,
                                                    .units = o.units,
                                                    .at_risk = o.at_risk});
  if (!query.ok()) {
    std::cerr << "chollima fulfilment: " << AsOption(query.error().message) << "\n";
    return kExitUsage;
  }
  const Period& period = query->period;
  const engine::AssignmentBook book(state);
  auto table = engine::ComputeFulfilment(state, book, *query);
  if (!table.ok()) {
    std::cerr << "chollima fulfilment: " << table.error().message << "\n";
    return kExitUsage;
  }
  const bool text = o.format == "table";
  const auto format = o.format == "json"  ? io::TableFormat::kJson
                      : o.format == "csv" ? io::TableFormat::kCsv
                                          : io::TableFormat::kTable;
  if (text) {
    std::cout << "Fulfilment for " << FormatPeriod(period) << " as of " << FormatDate(query->as_of)
              << "\n\n";
  }
  io::TableWriter w(std::cout, format, service::FulfilmentColumns());
  service::WriteFulfilmentRows(state, *table, o.all, text, w);
  w.Finish();
  if (text) {
    std::cout << "\n";
    for (const auto& r : table->total_rows) {
      const auto& c = r.unit_counts;
      using S = engine::FulfilmentStatus;
      std::cout << FormatPeriod(period) << " "
                << state.indicators()[static_cast<size_t>(r.indicator)].code
                << (query->as_of + 1 >= period.end ? " plans" : " assignments to date")
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
  cmd->add_option("--within", o->within,
                  "Only the units of one group's subtree: HIERARCHY/GROUP (e.g. region/P01)");
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
