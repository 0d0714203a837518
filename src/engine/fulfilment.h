// Fulfilment: actual against plan for units and groups, per period, as of a day.
//
//   AssignmentBook book(state);
//   FulfilmentQuery q{.period = ParsePeriod("2026-01").value(),
//                     .by = GroupLevel{region, 1},
//                     .as_of = Date::FromCivil(2026, 1, 20)};
//   Result<FulfilmentTable> t = ComputeFulfilment(state, book, q);
//   // t->group_rows: one row per province and indicator, with unit counts by status:
//   // "overfulfilled at row.unit_counts[kOverfulfilled] of row.units_with_plan units".
//
//   FulfilmentGrid grid;     // active unit x indicator pairs x {year, quarters, months[, days]}
//   RecomputeFulfilment(state, book, {.year = 2026, .as_of = d}, grid);
//   size_t row = grid.Find(coal, unit);  // npos: no series, no plan (see FulfilmentGrid)
//
// SEMANTICS (docs/design.md copies this section; plans are defined in assignments.h)
//
// Unit, indicator, period P, as-of day A. E = min(A, last day of P). P has "started"
// when A >= P.begin and "ended" when A >= its last day.
//   actual     the unit's reports on days [P.begin, E] aggregated by the indicator:
//              sum: sum of present values (missing days count 0; no report gives 0);
//              mean: mean of present values; last: value of the latest present day;
//              max: largest present value; no present value: missing (NaN).
//              Derived: actual(numerator) / actual(denominator), each part aggregated
//              by its own aggregation (a ratio of aggregates, never a mean of daily
//              ratios); missing when a part is missing or the denominator is 0.
//   reported_days  days in [P.begin, E] with a report (derived: the numerator's).
//   plan       the plan for P (assignments.h); NaN when undefined.
//   plan_to_date   sum-aggregated: the daily assignments summed over [P.begin, E] (the
//              plan itself once P has ended); otherwise the plan; 0 before P starts.
//   percent    100 * actual / plan (the numerator `actual` and denominator `plan` are
//              both in the row); NaN when either is missing or plan is 0.
//   pace       actual / plan_to_date when higher is better, plan_to_date / actual when
//              lower is better; 1.0 is exactly on schedule. x / 0 is +inf for x > 0 and
//              1 for x == 0 (nothing due, nothing done: on schedule).
//   forecast   sum-aggregated: actual + (plan - plan_to_date) * actual / plan_to_date
//              (= plan * actual / plan_to_date), or actual when plan_to_date <= 0;
//              other aggregations: actual. NaN when plan or actual is missing.
//   status     first rule that applies:
//              no_plan        plan undefined;
//              on_track       P has not started (A < P.begin);
//              no_data        actual missing (mean/last/max without reports, derived
//                             with a missing part or a zero denominator);
//              P ended:       overfulfilled when better than plan beyond tolerance,
//                             fulfilled when equal within tolerance, else behind;
//              P running:     a higher-is-better sum-aggregated indicator whose actual
//                             already reaches the full plan is overfulfilled/fulfilled as
//                             above; else on_track when pace >= 1, at_risk when pace >=
//                             at_risk_pace, else behind.
//              "Better" is actual > plan when higher is better, actual < plan when lower
//              is better. Equal within tolerance: |actual - plan| <= tolerance *
//              max(|actual|, |plan|). Pace thresholds allow the same relative tolerance
//              (pace >= t * (1 - tolerance) meets t).
//
// Groups (query.by = {hierarchy, level}). A unit counts in the group at depth `level`
// above the group it belongs to on day E (State::GroupOf, State::AncestorAt); units with
// no group at that level are left out. Every group of the hierarchy at that level gets
// a row, members or not.
//   actual     Role::kQuality: the mean of the member units' actuals (over members with
//              an actual); other roles: their sum (for any aggregation: average workers
//              add up). With no member actual: 0 for sum-aggregated, else missing.
//              Derived: the ratio of the group's part actuals (a ratio of sums).
//   reported_days  the sum of the members' reported days (unit-days).
//   plan       the group's explicit plan when defined for P (explicit_plan = true);
//              else the roll-up of member plans: sum, or mean for quality and derived
//              indicators, over members whose plan is defined (units_with_plan).
//              members_plan is that roll-up in either case; plan_difference = plan -
//              members_plan for explicit plans. plan_to_date likewise.
//   percent, pace, forecast, status: the unit rules applied to the group's totals.
//   unit_counts  members by unit status; member_units, units_with_plan.
// A total row per indicator applies the group rules to all units (no explicit plan).
//
// Thread-safety: the functions are pure; they read the State and book only.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "engine/assignments.h"
#include "engine/state.h"

namespace chollima::engine {

enum class FulfilmentStatus : uint8_t {
  kOverfulfilled,
  kFulfilled,
  kOnTrack,
  kAtRisk,
  kBehind,
  kNoPlan,
  kNoData,
};
inline constexpr size_t kStatusCount = 7;

// "overfulfilled", "fulfilled", "on_track", "at_risk", "behind", "no_plan", "no_data".
const char* StatusName(FulfilmentStatus status);
// The inverse of StatusName; nullopt for any other text.
std::optional<FulfilmentStatus> ParseStatus(std::string_view name);

struct StatusThresholds {
  double at_risk_pace = 0.95;  // pace below 1 but at least this is at_risk
  double tolerance = 1e-9;     // relative: actual within it of plan is "fulfilled"
};

// ---- Kernels.

struct SeriesAggregate {
  double actual = 0;  // NaN when missing
  int32_t reported_days = 0;
};
// Aggregates a stretch of a series (NaN = no report) by `aggregation` (see SEMANTICS).
SeriesAggregate AggregateSeries(std::span<const double> days, Aggregation aggregation);
// A unit's own reports of a non-derived indicator over [begin, end), aggregated
// (reported_days 0 and a NaN actual when it reported none).
SeriesAggregate AggregateUnitSeries(const State& state, UnitId unit, IndicatorId indicator,
                                    Date begin, Date end);

struct FulfilmentInputs {
  double plan = 0;          // NaN when undefined
  double plan_to_date = 0;  // NaN when undefined
  double actual = 0;        // NaN when missing
  bool started = true;      // as_of >= first day of the period
  bool ended = false;       // as_of >= last day of the period
  Direction direction = Direction::kHigher;
  bool cumulative = true;  // sum-aggregated and not derived
};
struct FulfilmentFigures {
  double percent = 0;
  double pace = 0;
  double forecast = 0;
  FulfilmentStatus status = FulfilmentStatus::kNoPlan;
};
// The derived figures and status of one row (see SEMANTICS).
FulfilmentFigures EvaluateFulfilment(const FulfilmentInputs& in, const StatusThresholds& t);

// ---- Queries (what the CLI and the HTTP API call).

struct GroupLevel {
  HierarchyId hierarchy = kNoId;
  int level = 1;  // 1 = roots
};

struct FulfilmentQuery {
  Period period;
  std::optional<IndicatorId> indicator;  // nullopt: every indicator with any plan
  std::optional<GroupLevel> by;          // nullopt: unit rows only
  bool include_units = false;            // with `by`: unit rows too
  // When set, only the units that belong (on the membership day) to this group or a
  // group below it count: in unit rows, in group rows and in the total, which is then
  // the total of this group. Group rows with no such unit are left out.
  std::optional<GroupId> within;
  Date as_of;
  StatusThresholds thresholds;
};

using StatusCounts = std::array<int32_t, kStatusCount>;  // indexed by FulfilmentStatus

struct FulfilmentRow {
  // A unit, a group, or {is_group = true, id = kNoId} for the total over all units.
  PlanTarget target;
  IndicatorId indicator = kNoId;
  GroupId group = kNoId;  // unit rows of a grouped query: the group the unit counts in
  double plan = 0;        // NaN when undefined
  double actual = 0;      // NaN when missing
  double percent = 0;
  double plan_to_date = 0;
  double pace = 0;
  double forecast = 0;
  FulfilmentStatus status = FulfilmentStatus::kNoPlan;
  int32_t reported_days = 0;
  // Group and total rows only.
  bool explicit_plan = false;
  double members_plan = 0;     // sum (mean for quality/derived) of member plans; NaN if none
  double plan_difference = 0;  // plan - members_plan when explicit_plan, else NaN
  int32_t member_units = 0;
  int32_t units_with_plan = 0;
  StatusCounts unit_counts{};
};

struct FulfilmentTable {
  Date membership_day;                    // E: the day group membership is taken on
  std::vector<FulfilmentRow> unit_rows;   // without `by`, or with include_units
  std::vector<FulfilmentRow> group_rows;  // with `by`: every group at the level
  std::vector<FulfilmentRow> total_rows;  // one per indicator: all units
};
// Rows ordered by indicator, then target id. Fails with kNotFound for an unknown
// indicator or hierarchy, kInvalidArgument for a level outside 1..depth of the
// hierarchy or an empty period. REQUIRES: `book` built from `state` as it is now.
Result<FulfilmentTable> ComputeFulfilment(const State& state, const AssignmentBook& book,
                                          const FulfilmentQuery& query);

// ---- Full recompute (the benchmark's and the bulletin's entry point).

struct RecomputeOptions {
  int year = 2026;
  Date as_of;
  // Day rows too: 365 or 366 more rows per unit x indicator (53 bytes each).
  bool include_days = false;
  StatusThresholds thresholds;
};

// Fulfilment of the ACTIVE unit x indicator pairs x every period of one year in flat
// arrays; periods are the year, Q1..Q4, January..December, then (include_days) every
// day. Unit rows as in ComputeFulfilment without `by`.
//
// The grid holds rows only for ACTIVE pairs (indicator, unit): those where the unit has
// any valid unit plan for the indicator (book.PlannedUnits), or "has data": a series
// for a non-derived indicator; for a derived one (not broken), data for both its
// numerator and its denominator. The cost of a recompute is proportional to them.
// An omitted (inactive) pair has no plan, so every row of it is: status no_plan; plan,
// plan_to_date, percent, pace, forecast NaN; and, as SEMANTICS defines them,
//   non-derived: actual 0 when sum-aggregated, else missing; reported_days 0;
//   derived:     actual = the ratio of its parts' actuals and reported_days those of its
//                numerator, the parts' rows taken from the grid (or by this rule when
//                omitted too). As a part lacks data this is missing, except 0 when the
//                numerator is a sum-aggregated non-derived indicator the unit does not
//                report and the denominator's actual is non-zero; reported_days are 0
//                unless the numerator has data. A broken ratio: missing, 0 days.
//
// Pairs are numbered by indicator, then unit: indicator i owns pairs
// [indicator_begin[i], indicator_begin[i + 1]), whose units are pair_unit[...] in
// increasing order. Pair k's rows are [k * periods.size(), (k + 1) * periods.size()).
struct FulfilmentGrid {
  static constexpr size_t npos = static_cast<size_t>(-1);

  int year = 0;
  Date as_of;
  std::vector<Period> periods;
  int32_t unit_count = 0;
  int32_t indicator_count = 0;
  std::vector<int32_t> indicator_begin;  // indicator_count + 1 entries
  std::vector<UnitId> pair_unit;         // by pair
  std::vector<double> plan;              // by row
  std::vector<double> actual;
  std::vector<double> plan_to_date;
  std::vector<double> percent;
  std::vector<double> pace;
  std::vector<double> forecast;
  std::vector<FulfilmentStatus> status;
  std::vector<int32_t> reported_days;

  size_t pair_count() const { return pair_unit.size(); }
  // The first row (period 0) of (indicator, unit), or npos when the pair is inactive
  // or an id is out of range. O(log units of the indicator).
  size_t Find(IndicatorId indicator, UnitId unit) const {
    if (indicator < 0 || indicator >= indicator_count) return npos;
    const auto first = pair_unit.begin() + indicator_begin[static_cast<size_t>(indicator)];
    const auto last = pair_unit.begin() + indicator_begin[static_cast<size_t>(indicator) + 1];
    const auto it = std::lower_bound(first, last, unit);
    if (it == last || *it != unit) return npos;
    return static_cast<size_t>(it - pair_unit.begin()) * periods.size();
  }
  // The row of (indicator, unit, period_idx), or npos when the pair is inactive.
  size_t Row(IndicatorId indicator, UnitId unit, size_t period_idx) const {
    const size_t base = Find(indicator, unit);
    return base == npos ? npos : base + period_idx;
  }

  // Scratch kept to reuse its storage between recomputes (not part of the result).
  struct Scratch {
    std::vector<int32_t> pair_series;  // by pair: the series, or -1
    std::vector<UnitId> data_units;    // by indicator range: active-by-actual units
    std::vector<int32_t> data_series;  // parallel to data_units (-1 for derived)
    std::vector<int32_t> data_begin;   // by indicator: [data_begin[i], data_end[i])
    std::vector<int32_t> data_end;
    std::vector<double> part_actual;  // a ratio's omitted parts, one unit at a time
    std::vector<int32_t> part_days;
  } scratch;
};

// Recomputes `grid` (reusing its storage): one pass over each series, one pass over
// each unit's plan runs, no allocation per row; the cost is proportional to the active
// pairs (no work and no rows for the others). Fails with kInvalidArgument when the
// year is outside kMinYear..kMaxYear. REQUIRES: `book` built from `state` as it is now.
[[nodiscard]] Status RecomputeFulfilment(const State& state, const AssignmentBook& book,
                                         const RecomputeOptions& options, FulfilmentGrid& grid);

// ---- Selected units (what changed in a commit: engine/status_watch.h).

struct UnitIndicator {
  UnitId unit = kNoId;
  IndicatorId indicator = kNoId;
};

// One unit row per pair, in the order of `pairs`: each equal to the row ComputeFulfilment
// gives that unit and indicator for query.period and query.as_of without `by` (the
// query's indicator, by, include_units and within are ignored). The cost is proportional
// to the pairs (and the period's days), not to every unit. Fails as ComputeFulfilment for
// an empty period, with kNotFound for an unknown unit or indicator. REQUIRES: `book`
// built from `state` as it is now.
Result<std::vector<FulfilmentRow>> ComputeUnitRows(const State& state, const AssignmentBook& book,
                                                   const FulfilmentQuery& query,
                                                   std::span<const UnitIndicator> pairs);

}  // namespace chollima::engine
