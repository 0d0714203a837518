#include "service/fulfilment_query.h"

#include <cmath>

#include "core/text.h"
#include "io/export.h"

namespace chollima::service {
namespace {

Error Named(const char* name, const Error& e) {
  return {e.code, std::string(name) + ": " + e.message};
}

// Rounds for the terminal table; exact numbers go to csv and json.
io::Cell Num(double v, bool rounded, int decimals) {
  if (!rounded || std::isnan(v) || std::isinf(v)) return io::Cell::Number(v);
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

}  // namespace

Result<GroupId> ResolveGroupRef(const engine::State& state, std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return InvalidArgument("expected HIERARCHY/GROUP, not '" + std::string(text) + "'");
  }
  const std::string_view hierarchy = text.substr(0, slash);
  const std::string_view group = text.substr(slash + 1);
  auto h = state.FindHierarchy(hierarchy);
  if (!h) return NotFound("unknown hierarchy '" + std::string(hierarchy) + "'");
  auto g = state.FindGroup(*h, group);
  if (!g) {
    return NotFound("no group '" + std::string(group) + "' in hierarchy '" +
                    std::string(hierarchy) + "'");
  }
  return *g;
}

Result<engine::FulfilmentQuery> MakeFulfilmentQuery(const engine::State& state,
                                                    const FulfilmentOptions& o) {
  auto period = ParsePeriod(o.period);
  if (!period.ok()) return Named("period", period.error());
  engine::FulfilmentQuery query;
  query.period = *period;
  query.thresholds.at_risk_pace = o.at_risk;
  if (!o.indicator.empty()) {
    auto ind = state.FindIndicator(o.indicator);
    if (!ind) return NotFound("indicator: unknown indicator '" + o.indicator + "'");
    query.indicator = *ind;
  }
  if (!o.by.empty()) {
    const auto parts = Split(o.by, ':');
    auto h = state.FindHierarchy(parts[0]);
    if (!h) return NotFound("by: unknown hierarchy '" + std::string(parts[0]) + "'");
    int level = 1;
    if (parts.size() > 2 || (parts.size() == 2 && !ParseDigits(parts[1], level))) {
      return InvalidArgument("by: expected HIERARCHY or HIERARCHY:LEVEL");
    }
    query.by = engine::GroupLevel{*h, level};
    query.include_units = o.units;
  }
  if (!o.within.empty()) {
    auto g = ResolveGroupRef(state, o.within);
    if (!g.ok()) return Named("within", g.error());
    query.within = *g;
  }
  if (!o.as_of.empty()) {
    auto d = ParseDate(o.as_of);
    if (!d.ok()) return Named("as_of", d.error());
    query.as_of = *d;
  } else {
    // The latest reported day (not the clock), so the answer depends on the data only.
    query.as_of = state.LastReportedDay().value_or(period->end - 1);
  }
  return query;
}

std::vector<std::string> FulfilmentColumns() {
  return {"kind",      "target",        "name",         "indicator", "plan",
          "actual",    "percent",       "plan_to_date", "pace",      "forecast",
          "status",    "reported_days", "units",        "with_plan", "overfulfilled",
          "fulfilled", "on_track",      "at_risk",      "behind",    "plan_difference"};
}

void WriteFulfilmentRows(const engine::State& state, const engine::FulfilmentTable& table, bool all,
                         bool rounded, io::TableWriter& w) {
  auto emit = [&](const engine::FulfilmentRow& r, const char* kind) {
    // Rows with neither a plan nor a report say nothing unless asked for.
    if (!all && std::isnan(r.plan) && r.reported_days == 0 && r.units_with_plan == 0) return;
    const bool group = r.target.is_group;
    auto count = [&](engine::FulfilmentStatus s) {
      return group ? io::Cell::Number(r.unit_counts[static_cast<size_t>(s)]) : io::Cell::Empty();
    };
    w.Row({io::Cell::Text(kind),
           io::Cell::Text(TargetCodeOrAll(state, r.target)),
           io::Cell::Text(TargetName(state, r.target)),
           io::Cell::Text(state.indicators()[static_cast<size_t>(r.indicator)].code),
           Num(r.plan, rounded, 1),
           Num(r.actual, rounded, 1),
           Num(r.percent, rounded, 1),
           Num(r.plan_to_date, rounded, 1),
           Num(r.pace, rounded, 3),
           Num(r.forecast, rounded, 1),
           io::Cell::Text(engine::StatusName(r.status)),
           io::Cell::Number(r.reported_days),
           group ? io::Cell::Number(r.member_units) : io::Cell::Empty(),
           group ? io::Cell::Number(r.units_with_plan) : io::Cell::Empty(),
           count(engine::FulfilmentStatus::kOverfulfilled),
           count(engine::FulfilmentStatus::kFulfilled),
           count(engine::FulfilmentStatus::kOnTrack),
           count(engine::FulfilmentStatus::kAtRisk),
           count(engine::FulfilmentStatus::kBehind),
           group && r.explicit_plan ? Num(r.plan_difference, rounded, 1) : io::Cell::Empty()});
  };
  for (const auto& r : table.group_rows) emit(r, "group");
  for (const auto& r : table.unit_rows) emit(r, "unit");
  for (const auto& r : table.total_rows) emit(r, "total");
}

}  // namespace chollima::service
