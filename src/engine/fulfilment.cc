#include "engine/fulfilment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace chollima::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// What every aggregation needs from a stretch of days.
struct DayStats {
  double sum = 0;
  double max = -kInf;
  double last = kNaN;
  int32_t present = 0;
};

// Four independent accumulators keep the adds off one dependency chain, so the loop
// runs at memory speed.
DayStats SumDays(const double* v, size_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const double v0 = v[i], v1 = v[i + 1], v2 = v[i + 2], v3 = v[i + 3];
    const bool p0 = !std::isnan(v0), p1 = !std::isnan(v1), p2 = !std::isnan(v2),
               p3 = !std::isnan(v3);
    s0 += p0 ? v0 : 0.0;
    s1 += p1 ? v1 : 0.0;
    s2 += p2 ? v2 : 0.0;
    s3 += p3 ? v3 : 0.0;
    c0 += p0;
    c1 += p1;
    c2 += p2;
    c3 += p3;
  }
  for (; i < n; ++i) {
    const bool p = !std::isnan(v[i]);
    s0 += p ? v[i] : 0.0;
    c0 += p;
  }
  DayStats out;
  out.sum = (s0 + s1) + (s2 + s3);
  out.present = (c0 + c1) + (c2 + c3);
  return out;
}

DayStats MaxDays(const double* v, size_t n) {
  DayStats out;
  double m0 = -kInf, m1 = -kInf;
  int32_t c0 = 0, c1 = 0;
  size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    // A comparison with NaN is false, so missing days never win.
    m0 = v[i] > m0 ? v[i] : m0;
    m1 = v[i + 1] > m1 ? v[i + 1] : m1;
    c0 += !std::isnan(v[i]);
    c1 += !std::isnan(v[i + 1]);
  }
  for (; i < n; ++i) {
    m0 = v[i] > m0 ? v[i] : m0;
    c0 += !std::isnan(v[i]);
  }
  out.max = std::max(m0, m1);
  out.present = c0 + c1;
  return out;
}

DayStats LastDays(const double* v, size_t n) {
  DayStats out;
  for (size_t i = n; i-- > 0;) {
    if (!std::isnan(v[i])) {
      out.last = v[i];
      break;
    }
  }
  for (size_t i = 0; i < n; ++i) out.present += !std::isnan(v[i]);
  return out;
}

DayStats StatsOf(const double* v, size_t n, Aggregation aggregation) {
  switch (aggregation) {
    case Aggregation::kSum:
    case Aggregation::kMean:
      return SumDays(v, n);
    case Aggregation::kMax:
      return MaxDays(v, n);
    case Aggregation::kLast:
      return LastDays(v, n);
  }
  return SumDays(v, n);
}

// Folds the stats of a later stretch into `acc`.
void Combine(DayStats& acc, const DayStats& later) {
  acc.sum += later.sum;
  acc.max = std::max(acc.max, later.max);
  if (later.present > 0) acc.last = later.last;
  acc.present += later.present;
}

double ValueOf(const DayStats& s, Aggregation aggregation) {
  switch (aggregation) {
    case Aggregation::kSum:
      return s.sum;
    case Aggregation::kMean:
      return s.present > 0 ? s.sum / s.present : kNaN;
    case Aggregation::kMax:
      return s.present > 0 ? s.max : kNaN;
    case Aggregation::kLast:
      return s.present > 0 ? s.last : kNaN;
  }
  return kNaN;
}

double Ratio(double numerator, double denominator) {
  if (std::isnan(numerator) || std::isnan(denominator) || denominator == 0) return kNaN;
  return numerator / denominator;
}

// x / y, where x / 0 is +inf (x > 0), 1 (x == 0) or -inf (x < 0).
double Pace(double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (y != 0) return x / y;
  return x > 0 ? kInf : (x == 0 ? 1.0 : -kInf);
}

bool IsCumulative(const Indicator& indicator) {
  return !indicator.IsDerived() && indicator.aggregation == Aggregation::kSum;
}

// Indicators ordered so that the parts of a ratio come before it; `broken` flags ratios
// with an unknown part or in a cycle (their actual is always missing).
struct IndicatorOrder {
  std::vector<IndicatorId> order;
  std::vector<uint8_t> broken;
};

IndicatorOrder OrderIndicators(const std::vector<Indicator>& indicators) {
  const auto n = static_cast<IndicatorId>(indicators.size());
  IndicatorOrder out;
  out.broken.assign(indicators.size(), 0);
  std::vector<uint8_t> mark(indicators.size(), 0);  // 0 new, 1 on the stack, 2 done
  auto visit = [&](auto& self, IndicatorId i) -> void {
    const auto idx = static_cast<size_t>(i);
    mark[idx] = 1;
    const Indicator& ind = indicators[idx];
    if (ind.IsDerived()) {
      for (IndicatorId part : {ind.numerator, ind.denominator}) {
        if (part < 0 || part >= n || mark[static_cast<size_t>(part)] == 1) {
          out.broken[idx] = 1;
          continue;
        }
        if (mark[static_cast<size_t>(part)] == 0) self(self, part);
        if (out.broken[static_cast<size_t>(part)]) out.broken[idx] = 1;
      }
    }
    mark[idx] = 2;
    out.order.push_back(i);
  };
  for (IndicatorId i = 0; i < n; ++i) {
    if (mark[static_cast<size_t>(i)] == 0) visit(visit, i);
  }
  return out;
}

// The days [begin, end) of a series that exist, as a span (empty when none).
std::span<const double> SeriesDays(const State& state, int32_t series, Date begin, Date end) {
  const Date lo = std::max(begin, state.origin());
  const Date hi = std::min(end, state.origin() + state.series_days());
  if (lo >= hi) return {};
  return state.Series(series).subspan(static_cast<size_t>(lo - state.origin()),
                                      static_cast<size_t>(hi - lo));
}

// ---- ComputeFulfilment internals.

// Unit and group actuals of every indicator a query needs, computed once each.
class ActualCache {
 public:
  ActualCache(const State& state, const IndicatorOrder& order, Date begin, Date end,
              const std::vector<int32_t>& slot_of_unit, size_t slots)
      : state_(state),
        order_(order),
        begin_(begin),
        end_(end),
        slot_of_unit_(slot_of_unit),
        slots_(slots),
        entries_(state.indicators().size()) {}

  struct Entry {
    bool done = false;
    std::vector<double> unit_actual;
    std::vector<int32_t> unit_days;
    std::vector<double> slot_actual;  // groups then the total
    std::vector<int32_t> slot_days;
  };

  const Entry& Get(IndicatorId i) {
    Entry& e = entries_[static_cast<size_t>(i)];
    if (e.done) return e;
    const Indicator& ind = state_.indicators()[static_cast<size_t>(i)];
    const size_t units = state_.units().size();
    if (ind.IsDerived()) {
      e.unit_actual.assign(units, kNaN);
      e.unit_days.assign(units, 0);
      e.slot_actual.assign(slots_, kNaN);
      e.slot_days.assign(slots_, 0);
      if (!order_.broken[static_cast<size_t>(i)]) {
        const Entry& num = Get(ind.numerator);
        const Entry& den = Get(ind.denominator);
        for (size_t u = 0; u < units; ++u) {
          e.unit_actual[u] = Ratio(num.unit_actual[u], den.unit_actual[u]);
          e.unit_days[u] = num.unit_days[u];
        }
        for (size_t s = 0; s < slots_; ++s) {
          e.slot_actual[s] = Ratio(num.slot_actual[s], den.slot_actual[s]);
          e.slot_days[s] = num.slot_days[s];
        }
      }
      e.done = true;
      return e;
    }
    const bool cumulative = IsCumulative(ind);
    e.unit_actual.assign(units, cumulative ? 0.0 : kNaN);
    e.unit_days.assign(units, 0);
    for (int32_t series : state_.SeriesOf(i)) {
      const auto u = static_cast<size_t>(state_.SeriesUnit(series));
      const SeriesAggregate a =
          AggregateSeries(SeriesDays(state_, series, begin_, end_), ind.aggregation);
      e.unit_actual[u] = a.actual;
      e.unit_days[u] = a.reported_days;
    }
    // Group actuals: mean of member actuals for quality, else their sum.
    std::vector<double> sum(slots_, 0.0);
    std::vector<int32_t> present(slots_, 0);
    e.slot_days.assign(slots_, 0);
    for (size_t u = 0; u < units; ++u) {
      for (const size_t s : {static_cast<size_t>(slot_of_unit_[u]), slots_ - 1}) {
        if (slot_of_unit_[u] < 0 && s != slots_ - 1) continue;
        e.slot_days[s] += e.unit_days[u];
        if (std::isnan(e.unit_actual[u])) continue;
        sum[s] += e.unit_actual[u];
        ++present[s];
      }
    }
    e.slot_actual.assign(slots_, kNaN);
    for (size_t s = 0; s < slots_; ++s) {
      if (present[s] == 0) {
        e.slot_actual[s] = cumulative && ind.role != Role::kQuality ? 0.0 : kNaN;
      } else {
        e.slot_actual[s] = ind.role == Role::kQuality ? sum[s] / present[s] : sum[s];
      }
    }
    e.done = true;
    return e;
  }

 private:
  const State& state_;
  const IndicatorOrder& order_;
  Date begin_;
  Date end_;
  const std::vector<int32_t>& slot_of_unit_;  // -1 when the unit is in no group
  size_t slots_;
  std::vector<Entry> entries_;
};

}  // namespace

const char* StatusName(FulfilmentStatus status) {
  switch (status) {
    case FulfilmentStatus::kOverfulfilled:
      return "overfulfilled";
    case FulfilmentStatus::kFulfilled:
      return "fulfilled";
    case FulfilmentStatus::kOnTrack:
      return "on_track";
    case FulfilmentStatus::kAtRisk:
      return "at_risk";
    case FulfilmentStatus::kBehind:
      return "behind";
    case FulfilmentStatus::kNoPlan:
      return "no_plan";
    case FulfilmentStatus::kNoData:
      return "no_data";
  }
  return "no_plan";
}

std::optional<FulfilmentStatus> ParseStatus(std::string_view name) {
  for (size_t s = 0; s < kStatusCount; ++s) {
    const auto status = static_cast<FulfilmentStatus>(s);
    if (name == StatusName(status)) return status;
  }
  return std::nullopt;
}

SeriesAggregate AggregateSeries(std::span<const double> days, Aggregation aggregation) {
  const DayStats s = StatsOf(days.data(), days.size(), aggregation);
  return {ValueOf(s, aggregation), s.present};
}

FulfilmentFigures EvaluateFulfilment(const FulfilmentInputs& in, const StatusThresholds& t) {
  FulfilmentFigures out{kNaN, kNaN, kNaN, FulfilmentStatus::kNoPlan};
  const bool has_plan = !std::isnan(in.plan);
  if (!has_plan) return out;
  const bool higher = in.direction == Direction::kHigher;
  const bool has_actual = !std::isnan(in.actual);
  if (has_actual) {
    out.percent = in.plan != 0 ? 100.0 * in.actual / in.plan : kNaN;
    out.pace = higher ? Pace(in.actual, in.plan_to_date) : Pace(in.plan_to_date, in.actual);
    out.forecast = in.cumulative && in.plan_to_date > 0
                       ? in.actual + (in.plan - in.plan_to_date) * (in.actual / in.plan_to_date)
                       : in.actual;
  }
  if (!in.started) {
    out.status = FulfilmentStatus::kOnTrack;
    return out;
  }
  if (!has_actual) {
    out.status = FulfilmentStatus::kNoData;
    return out;
  }
  const double gap = higher ? in.actual - in.plan : in.plan - in.actual;
  const double tolerance = t.tolerance * std::max(std::abs(in.actual), std::abs(in.plan));
  const FulfilmentStatus against_plan = gap > tolerance     ? FulfilmentStatus::kOverfulfilled
                                        : gap >= -tolerance ? FulfilmentStatus::kFulfilled
                                                            : FulfilmentStatus::kBehind;
  if (in.ended || (higher && in.cumulative && against_plan != FulfilmentStatus::kBehind)) {
    out.status = against_plan;
  } else if (out.pace >= 1.0 - t.tolerance) {
    out.status = FulfilmentStatus::kOnTrack;
  } else if (out.pace >= t.at_risk_pace * (1.0 - t.tolerance)) {
    out.status = FulfilmentStatus::kAtRisk;
  } else {
    out.status = FulfilmentStatus::kBehind;
  }
  return out;
}

Result<FulfilmentTable> ComputeFulfilment(const State& state, const AssignmentBook& book,
                                          const FulfilmentQuery& query) {
  const Period& period = query.period;
  if (!(period.begin < period.end)) return InvalidArgument("the period is empty");
  const auto indicator_count = static_cast<IndicatorId>(state.indicators().size());
  if (query.indicator && (*query.indicator < 0 || *query.indicator >= indicator_count)) {
    return NotFound("indicator " + std::to_string(*query.indicator) + " does not exist");
  }
  std::vector<GroupId> level_groups;
  if (query.by) {
    const HierarchyId h = query.by->hierarchy;
    if (h < 0 || h >= static_cast<HierarchyId>(state.hierarchies().size())) {
      return NotFound("hierarchy " + std::to_string(h) + " does not exist");
    }
    if (query.by->level < 1 || query.by->level > state.Depth(h)) {
      return InvalidArgument("level " + std::to_string(query.by->level) + " is not in 1.." +
                             std::to_string(state.Depth(h)) + " of hierarchy '" +
                             state.hierarchies()[static_cast<size_t>(h)].code + "'");
    }
    for (GroupId g = 0; g < static_cast<GroupId>(state.groups().size()); ++g) {
      const Group& group = state.groups()[static_cast<size_t>(g)];
      if (group.hierarchy == h && group.depth == query.by->level) level_groups.push_back(g);
    }
  }

  FulfilmentTable table;
  const Date as_of = query.as_of;
  const Date last_day = period.end - 1;
  const Date membership_day = std::min(as_of, last_day);
  table.membership_day = membership_day;
  const bool started = as_of >= period.begin;
  const bool ended = as_of >= last_day;

  // Slots: the level's groups, then the total over all units.
  const size_t units = state.units().size();
  const size_t slots = level_groups.size() + 1;
  const size_t total_slot = slots - 1;
  std::vector<int32_t> slot_of_unit(units, -1);
  if (query.by) {
    std::vector<int32_t> slot_of_group(state.groups().size(), -1);
    for (size_t s = 0; s < level_groups.size(); ++s) {
      slot_of_group[static_cast<size_t>(level_groups[s])] = static_cast<int32_t>(s);
    }
    for (UnitId u = 0; u < static_cast<UnitId>(units); ++u) {
      const GroupId g =
          state.AncestorAt(state.GroupOf(u, query.by->hierarchy, membership_day), query.by->level);
      if (g != kNoId) slot_of_unit[static_cast<size_t>(u)] = slot_of_group[static_cast<size_t>(g)];
    }
  }

  const IndicatorOrder order = OrderIndicators(state.indicators());
  ActualCache actuals(state, order, period.begin, started ? membership_day + 1 : period.begin,
                      slot_of_unit, slots);
  std::vector<IndicatorId> indicators;
  if (query.indicator) {
    indicators.push_back(*query.indicator);
  } else {
    indicators = book.planned_indicators();
  }
  const bool unit_rows = !query.by || query.include_units;

  struct SlotPlan {
    double plan = 0;
    double to_date = 0;
    int32_t with_plan = 0;
    int32_t members = 0;
    StatusCounts counts{};
  };
  std::vector<SlotPlan> slot_plans(slots);
  for (const IndicatorId i : indicators) {
    const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
    const bool divisible = book.IsDivisible(i);
    const ActualCache::Entry& actual = actuals.Get(i);
    std::fill(slot_plans.begin(), slot_plans.end(), SlotPlan{});
    for (UnitId u = 0; u < static_cast<UnitId>(units); ++u) {
      const auto uidx = static_cast<size_t>(u);
      FulfilmentRow row;
      row.target = {false, u};
      row.indicator = i;
      const int32_t key = book.KeyOf(row.target, i);
      row.plan = book.PlanOfKey(key, divisible, period.begin, period.end);
      row.plan_to_date = book.PlanToDateOfKey(key, divisible, period, as_of);
      row.actual = actual.unit_actual[uidx];
      row.reported_days = actual.unit_days[uidx];
      const FulfilmentFigures f =
          EvaluateFulfilment({row.plan, row.plan_to_date, row.actual, started, ended, ind.direction,
                              IsCumulative(ind)},
                             query.thresholds);
      row.percent = f.percent;
      row.pace = f.pace;
      row.forecast = f.forecast;
      row.status = f.status;
      row.plan_difference = kNaN;
      row.members_plan = kNaN;
      const int32_t slot = slot_of_unit[uidx];
      if (slot >= 0) row.group = level_groups[static_cast<size_t>(slot)];
      for (const size_t s : {static_cast<size_t>(slot), total_slot}) {
        if (slot < 0 && s != total_slot) continue;
        SlotPlan& sp = slot_plans[s];
        ++sp.members;
        ++sp.counts[static_cast<size_t>(row.status)];
        if (std::isnan(row.plan)) continue;
        ++sp.with_plan;
        sp.plan += row.plan;
        sp.to_date += row.plan_to_date;
      }
      if (unit_rows) table.unit_rows.push_back(row);
    }
    for (size_t s = 0; s < slots; ++s) {
      const SlotPlan& sp = slot_plans[s];
      FulfilmentRow row;
      row.target = {true, s == total_slot ? kNoId : level_groups[s]};
      row.indicator = i;
      const double divisor = RollsUpAsMean(ind) ? sp.with_plan : 1.0;
      row.members_plan = sp.with_plan > 0 ? sp.plan / divisor : kNaN;
      const double members_to_date = sp.with_plan > 0 ? sp.to_date / divisor : kNaN;
      const double explicit_plan = s == total_slot ? kNaN : book.Plan(row.target, i, period);
      row.explicit_plan = !std::isnan(explicit_plan);
      if (row.explicit_plan) {
        row.plan = explicit_plan;
        row.plan_to_date = book.PlanToDate(row.target, i, period, as_of);
        row.plan_difference = explicit_plan - row.members_plan;
      } else {
        row.plan = row.members_plan;
        row.plan_to_date = members_to_date;
        row.plan_difference = kNaN;
      }
      row.actual = actual.slot_actual[s];
      row.reported_days = actual.slot_days[s];
      const FulfilmentFigures f =
          EvaluateFulfilment({row.plan, row.plan_to_date, row.actual, started, ended, ind.direction,
                              IsCumulative(ind)},
                             query.thresholds);
      row.percent = f.percent;
      row.pace = f.pace;
      row.forecast = f.forecast;
      row.status = f.status;
      row.member_units = sp.members;
      row.units_with_plan = sp.with_plan;
      row.unit_counts = sp.counts;
      if (s == total_slot) {
        table.total_rows.push_back(row);
      } else {
        table.group_rows.push_back(row);
      }
    }
  }
  return table;
}

namespace {

// Per-(unit, indicator) scratch of RecomputeFulfilment, sized once per call.
struct PeriodPlans {
  std::vector<double> daily_sum;  // sum of daily assignments over each period
  std::vector<int32_t> covered;   // covered days of each period
  std::vector<double> to_date;    // sum over [begin, min(end, as_of + 1))
  std::vector<double> explicit_value;
};

}  // namespace

Status RecomputeFulfilment(const State& state, const AssignmentBook& book,
                           const RecomputeOptions& options, FulfilmentGrid& grid) {
  if (options.year < kMinYear || options.year > kMaxYear) {
    return InvalidArgument("year " + std::to_string(options.year) + " is not in " +
                           std::to_string(kMinYear) + ".." + std::to_string(kMaxYear));
  }
  const int year = options.year;
  const Date as_of = options.as_of;
  grid.year = year;
  grid.as_of = as_of;
  grid.periods.clear();
  grid.periods.push_back(
      {Grain::kYear, Date::FromCivil(year, 1, 1), Date::FromCivil(year + 1, 1, 1)});
  for (int q = 0; q < 4; ++q) {
    grid.periods.push_back(PeriodOf(Grain::kQuarter, Date::FromCivil(year, 3 * q + 1, 1)));
  }
  for (int m = 1; m <= 12; ++m)
    grid.periods.push_back(PeriodOf(Grain::kMonth, Date::FromCivil(year, m, 1)));
  constexpr size_t kYearIdx = 0;
  constexpr size_t kFirstQuarter = 1;
  constexpr size_t kFirstMonth = 5;
  constexpr size_t kFirstDay = 17;
  const Date year_begin = grid.periods[kYearIdx].begin;
  const Date year_end = grid.periods[kYearIdx].end;
  if (options.include_days) {
    for (Date d = year_begin; d < year_end; d = d + 1)
      grid.periods.push_back({Grain::kDay, d, d + 1});
  }
  const size_t np = grid.periods.size();
  grid.unit_count = static_cast<int32_t>(state.units().size());
  grid.indicator_count = static_cast<int32_t>(state.indicators().size());
  const size_t rows =
      static_cast<size_t>(grid.unit_count) * static_cast<size_t>(grid.indicator_count) * np;
  grid.plan.resize(rows);
  grid.actual.resize(rows);
  grid.plan_to_date.resize(rows);
  grid.percent.resize(rows);
  grid.pace.resize(rows);
  grid.forecast.resize(rows);
  grid.status.resize(rows);
  grid.reported_days.resize(rows);

  std::vector<uint8_t> started(np);
  std::vector<uint8_t> ended(np);
  for (size_t p = 0; p < np; ++p) {
    started[p] = as_of >= grid.periods[p].begin;
    ended[p] = as_of >= grid.periods[p].end - 1;
  }
  // Reports count up to as_of (and never past the year).
  const Date actual_end = std::min(as_of + 1, year_end);

  const IndicatorOrder order = OrderIndicators(state.indicators());
  PeriodPlans scratch{std::vector<double>(np), std::vector<int32_t>(np), std::vector<double>(np),
                      std::vector<double>(np)};
  const auto units = static_cast<size_t>(grid.unit_count);
  for (const IndicatorId i : order.order) {
    const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
    const bool cumulative = IsCumulative(ind);
    const size_t first_row = grid.Row(i, 0, 0);

    // Actuals.
    if (ind.IsDerived()) {
      const bool broken = order.broken[static_cast<size_t>(i)];
      const size_t num_row = broken ? 0 : grid.Row(ind.numerator, 0, 0);
      const size_t den_row = broken ? 0 : grid.Row(ind.denominator, 0, 0);
      for (size_t r = 0; r < units * np; ++r) {
        grid.actual[first_row + r] =
            broken ? kNaN : Ratio(grid.actual[num_row + r], grid.actual[den_row + r]);
        grid.reported_days[first_row + r] = broken ? 0 : grid.reported_days[num_row + r];
      }
    } else {
      std::fill_n(grid.actual.begin() + static_cast<ptrdiff_t>(first_row), units * np,
                  cumulative ? 0.0 : kNaN);
      std::fill_n(grid.reported_days.begin() + static_cast<ptrdiff_t>(first_row), units * np, 0);
      for (const int32_t series : state.SeriesOf(i)) {
        const size_t row0 = grid.Row(i, state.SeriesUnit(series), 0);
        DayStats month_stats[12];
        for (size_t m = 0; m < 12; ++m) {
          const Period& month = grid.periods[kFirstMonth + m];
          const std::span<const double> days =
              SeriesDays(state, series, month.begin, std::min(month.end, actual_end));
          month_stats[m] = StatsOf(days.data(), days.size(), ind.aggregation);
          grid.actual[row0 + kFirstMonth + m] = ValueOf(month_stats[m], ind.aggregation);
          grid.reported_days[row0 + kFirstMonth + m] = month_stats[m].present;
        }
        DayStats year_stats;
        for (size_t q = 0; q < 4; ++q) {
          DayStats quarter_stats = month_stats[3 * q];
          Combine(quarter_stats, month_stats[3 * q + 1]);
          Combine(quarter_stats, month_stats[3 * q + 2]);
          grid.actual[row0 + kFirstQuarter + q] = ValueOf(quarter_stats, ind.aggregation);
          grid.reported_days[row0 + kFirstQuarter + q] = quarter_stats.present;
          if (q == 0) {
            year_stats = quarter_stats;
          } else {
            Combine(year_stats, quarter_stats);
          }
        }
        grid.actual[row0 + kYearIdx] = ValueOf(year_stats, ind.aggregation);
        grid.reported_days[row0 + kYearIdx] = year_stats.present;
        if (options.include_days) {
          const std::span<const double> days = SeriesDays(state, series, year_begin, actual_end);
          const size_t skip =
              static_cast<size_t>(std::max(year_begin, state.origin()) - year_begin);
          for (size_t d = 0; d < days.size(); ++d) {
            const double v = days[d];
            const bool present = !std::isnan(v);
            grid.actual[row0 + kFirstDay + skip + d] = present ? v : (cumulative ? 0.0 : kNaN);
            grid.reported_days[row0 + kFirstDay + skip + d] = present;
          }
        }
      }
    }

    // Plans and figures, one unit at a time.
    const bool divisible = book.IsDivisible(i);
    for (size_t u = 0; u < units; ++u) {
      const size_t row0 = first_row + u * np;
      const int32_t key = book.KeyOf({false, static_cast<UnitId>(u)}, i);
      const std::span<const AssignmentBook::KeyPlan> plans = book.PlansOfKey(key);
      double* plan = grid.plan.data() + row0;
      double* to_date = grid.plan_to_date.data() + row0;
      if (plans.empty()) {
        std::fill_n(plan, np, kNaN);
        std::fill_n(to_date, np, kNaN);
      } else if (divisible) {
        // Month sums from the runs, then quarters and the year from the months.
        std::fill(scratch.daily_sum.begin(), scratch.daily_sum.end(), 0.0);
        std::fill(scratch.covered.begin(), scratch.covered.end(), 0);
        std::fill(scratch.to_date.begin(), scratch.to_date.end(), 0.0);
        std::fill(scratch.explicit_value.begin(), scratch.explicit_value.end(), kNaN);
        const std::span<const AssignmentRun> runs = book.RunsOfKey(key);
        const DayWeights& weights = book.weights();
        for (const AssignmentRun& r : runs) {
          if (r.end <= year_begin || r.begin >= year_end) continue;
          for (size_t m = 0; m < 12; ++m) {
            const Period& month = grid.periods[kFirstMonth + m];
            const Date a = std::max(r.begin, month.begin);
            const Date b = std::min(r.end, month.end);
            if (a >= b) continue;
            scratch.daily_sum[kFirstMonth + m] += r.scale * weights.Sum(r.table, a, b);
            scratch.covered[kFirstMonth + m] += b - a;
            if (a <= as_of) {
              scratch.to_date[kFirstMonth + m] +=
                  r.scale * weights.Sum(r.table, a, std::min(b, as_of + 1));
            }
          }
          if (options.include_days) {
            const Date a = std::max(r.begin, year_begin);
            const Date b = std::min(r.end, year_end);
            for (Date d = a; d < b; d = d + 1) {
              const size_t p = kFirstDay + static_cast<size_t>(d - year_begin);
              scratch.daily_sum[p] = r.scale * weights.Weight(r.table, d);
              scratch.covered[p] = 1;
              scratch.to_date[p] = d <= as_of ? scratch.daily_sum[p] : 0.0;
            }
          }
        }
        for (size_t q = 0; q < 4; ++q) {
          for (size_t m = 3 * q; m < 3 * q + 3; ++m) {
            scratch.daily_sum[kFirstQuarter + q] += scratch.daily_sum[kFirstMonth + m];
            scratch.covered[kFirstQuarter + q] += scratch.covered[kFirstMonth + m];
            scratch.to_date[kFirstQuarter + q] += scratch.to_date[kFirstMonth + m];
          }
          scratch.daily_sum[kYearIdx] += scratch.daily_sum[kFirstQuarter + q];
          scratch.covered[kYearIdx] += scratch.covered[kFirstQuarter + q];
          scratch.to_date[kYearIdx] += scratch.to_date[kFirstQuarter + q];
        }
        // An explicit plan with exactly a period's span gives that period's plan; the
        // first in processing order wins, as in AssignmentBook::Plan.
        for (const AssignmentBook::KeyPlan& kp : plans) {
          if (kp.end <= year_begin || kp.begin >= year_end) continue;
          size_t p = np;
          const int32_t span = kp.end - kp.begin;
          if (span == 1) {
            if (options.include_days) p = kFirstDay + static_cast<size_t>(kp.begin - year_begin);
          } else if (kp.begin == year_begin && kp.end == year_end) {
            p = kYearIdx;
          } else {
            for (size_t k = kFirstQuarter; k < kFirstDay; ++k) {
              if (grid.periods[k].begin == kp.begin && grid.periods[k].end == kp.end) p = k;
            }
          }
          if (p < np && std::isnan(scratch.explicit_value[p])) scratch.explicit_value[p] = kp.value;
        }
        for (size_t p = 0; p < np; ++p) {
          const Period& period = grid.periods[p];
          double value = scratch.explicit_value[p];
          if (std::isnan(value) && scratch.covered[p] == period.end - period.begin) {
            value = scratch.daily_sum[p];
          }
          plan[p] = value;
          to_date[p] = std::isnan(value) ? kNaN
                       : !started[p]     ? 0.0
                       : ended[p]        ? value
                                         : scratch.to_date[p];
        }
      } else {
        for (size_t p = 0; p < np; ++p) {
          const Period& period = grid.periods[p];
          const double value = book.PlanOfKey(key, false, period.begin, period.end);
          plan[p] = value;
          to_date[p] = std::isnan(value) ? kNaN : started[p] ? value : 0.0;
        }
      }
      for (size_t p = 0; p < np; ++p) {
        const size_t row = row0 + p;
        const FulfilmentFigures f =
            EvaluateFulfilment({plan[p], to_date[p], grid.actual[row], started[p] != 0,
                                ended[p] != 0, ind.direction, cumulative},
                               options.thresholds);
        grid.percent[row] = f.percent;
        grid.pace[row] = f.pace;
        grid.forecast[row] = f.forecast;
        grid.status[row] = f.status;
      }
    }
  }
  return OkStatus();
}

}  // namespace chollima::engine
