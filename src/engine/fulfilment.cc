#include "engine/fulfilment.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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

// Two doubles (SSE2, the x86-64 baseline) and the mask a comparison of them gives.
typedef double V2d __attribute__((vector_size(16)));
typedef int64_t V2i __attribute__((vector_size(16)));

inline V2d Load2(const double* p) {
  V2d v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The kernels below keep two vector accumulators, so the loop is neither bound by the
// latency of one add chain nor by a branch per day; v == v is false only for NaN.
inline DayStats SumDays(const double* v, size_t n) {
  V2d s0{}, s1{};
  V2i c0{}, c1{};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const V2d a = Load2(v + i);
    const V2d b = Load2(v + i + 2);
    const V2i pa = a == a;
    const V2i pb = b == b;
    s0 += (V2d)((V2i)a & pa);
    s1 += (V2d)((V2i)b & pb);
    c0 -= pa;
    c1 -= pb;
  }
  const V2d s = s0 + s1;
  const V2i c = c0 + c1;
  DayStats out;
  out.sum = s[0] + s[1];
  int64_t present = c[0] + c[1];
  for (; i < n; ++i) {
    const bool p = !std::isnan(v[i]);
    out.sum += p ? v[i] : 0.0;
    present += p;
  }
  out.present = static_cast<int32_t>(present);
  return out;
}

inline DayStats MaxDays(const double* v, size_t n) {
  V2d m0 = {-kInf, -kInf}, m1 = m0;
  V2i c0{}, c1{};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const V2d a = Load2(v + i);
    const V2d b = Load2(v + i + 2);
    // A comparison with NaN is false, so missing days never win.
    m0 = a > m0 ? a : m0;
    m1 = b > m1 ? b : m1;
    c0 -= a == a;
    c1 -= b == b;
  }
  const V2i c = c0 + c1;
  DayStats out;
  out.max = std::max(std::max(m0[0], m0[1]), std::max(m1[0], m1[1]));
  int64_t present = c[0] + c[1];
  for (; i < n; ++i) {
    out.max = v[i] > out.max ? v[i] : out.max;
    present += !std::isnan(v[i]);
  }
  out.present = static_cast<int32_t>(present);
  return out;
}

inline DayStats LastDays(const double* v, size_t n) {
  DayStats out = MaxDays(v, n);  // for the count; the max is dropped below
  out.max = -kInf;
  for (size_t i = n; i-- > 0;) {
    if (!std::isnan(v[i])) {
      out.last = v[i];
      break;
    }
  }
  return out;
}

template <Aggregation A>
inline DayStats StatsOf(const double* v, size_t n) {
  if constexpr (A == Aggregation::kMax) {
    return MaxDays(v, n);
  } else if constexpr (A == Aggregation::kLast) {
    return LastDays(v, n);
  } else {
    return SumDays(v, n);
  }
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
inline void Combine(DayStats& acc, const DayStats& later) {
  acc.sum += later.sum;
  acc.max = std::max(acc.max, later.max);
  if (later.present > 0) acc.last = later.last;
  acc.present += later.present;
}

inline double ValueOf(const DayStats& s, Aggregation aggregation) {
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

inline double Ratio(double numerator, double denominator) {
  if (std::isnan(numerator) || std::isnan(denominator) || denominator == 0) return kNaN;
  return numerator / denominator;
}

// x / y, where x / 0 is +inf (x > 0), 1 (x == 0) or -inf (x < 0); NaN stays NaN.
inline double Pace(double x, double y) {
  const double q = x / y;
  if (y != 0 || std::isnan(x)) return q;
  return x == 0 ? 1.0 : std::copysign(kInf, x);
}

// EvaluateFulfilment, inlined into the recompute loop. Every part is computed and the
// status picked by selects: statuses vary from unit to unit, so branches on them
// mispredict (the branchy version made the benchmark's full recompute 51 ms, this 38 ms).
[[gnu::always_inline]] inline FulfilmentFigures Evaluate(double plan, double plan_to_date,
                                                         double actual, bool started, bool ended,
                                                         bool higher, bool cumulative,
                                                         const StatusThresholds& t) {
  if (std::isnan(plan)) return {kNaN, kNaN, kNaN, FulfilmentStatus::kNoPlan};
  FulfilmentFigures out;
  out.percent = plan != 0 ? 100.0 * actual / plan : kNaN;
  out.pace = higher ? Pace(actual, plan_to_date) : Pace(plan_to_date, actual);
  out.forecast = cumulative && plan_to_date > 0
                     ? actual + (plan - plan_to_date) * (actual / plan_to_date)
                     : actual;
  const double gap = higher ? actual - plan : plan - actual;
  const double tolerance = t.tolerance * std::max(std::abs(actual), std::abs(plan));
  const FulfilmentStatus against_plan = gap > tolerance     ? FulfilmentStatus::kOverfulfilled
                                        : gap >= -tolerance ? FulfilmentStatus::kFulfilled
                                                            : FulfilmentStatus::kBehind;
  const FulfilmentStatus by_pace = out.pace >= 1.0 - t.tolerance ? FulfilmentStatus::kOnTrack
                                   : out.pace >= t.at_risk_pace * (1.0 - t.tolerance)
                                       ? FulfilmentStatus::kAtRisk
                                       : FulfilmentStatus::kBehind;
  const bool final_rule =
      ended || (higher && cumulative && against_plan != FulfilmentStatus::kBehind);
  FulfilmentStatus status = final_rule ? against_plan : by_pace;
  status = std::isnan(actual) ? FulfilmentStatus::kNoData : status;
  out.status = started ? status : FulfilmentStatus::kOnTrack;
  return out;
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

// The slot of a unit that does not count at all (outside the query's `within`).
constexpr int32_t kOutsideSlot = -2;

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
      // Into the unit's group (if any) and into the total.
      auto add = [&](size_t s) {
        e.slot_days[s] += e.unit_days[u];
        if (std::isnan(e.unit_actual[u])) return;
        sum[s] += e.unit_actual[u];
        ++present[s];
      };
      if (slot_of_unit_[u] == kOutsideSlot) continue;
      if (slot_of_unit_[u] >= 0) add(static_cast<size_t>(slot_of_unit_[u]));
      add(slots_ - 1);
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
  // -1 when the unit is in no group, kOutsideSlot when it is outside the query's `within`.
  const std::vector<int32_t>& slot_of_unit_;
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

SeriesAggregate AggregateUnitSeries(const State& state, UnitId unit, IndicatorId indicator,
                                    Date begin, Date end) {
  const int32_t series = state.FindSeries(unit, indicator);
  if (series < 0) return {kNaN, 0};
  const SeriesAggregate a =
      AggregateSeries(SeriesDays(state, series, begin, end),
                      state.indicators()[static_cast<size_t>(indicator)].aggregation);
  return a.reported_days == 0 ? SeriesAggregate{kNaN, 0} : a;
}

FulfilmentFigures EvaluateFulfilment(const FulfilmentInputs& in, const StatusThresholds& t) {
  return Evaluate(in.plan, in.plan_to_date, in.actual, in.started, in.ended,
                  in.direction == Direction::kHigher, in.cumulative, t);
}

namespace {

// Sets percent, pace, forecast and status of `row` from its plan, plan to date and actual.
void FillFigures(const Indicator& ind, bool started, bool ended, const StatusThresholds& t,
                 FulfilmentRow& row) {
  const FulfilmentFigures f = EvaluateFulfilment(
      {row.plan, row.plan_to_date, row.actual, started, ended, ind.direction, IsCumulative(ind)},
      t);
  row.percent = f.percent;
  row.pace = f.pace;
  row.forecast = f.forecast;
  row.status = f.status;
}

}  // namespace

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
  if (query.within) {
    if (*query.within < 0 || *query.within >= static_cast<GroupId>(state.groups().size())) {
      return NotFound("group " + std::to_string(*query.within) + " does not exist");
    }
    const HierarchyId wh = state.groups()[static_cast<size_t>(*query.within)].hierarchy;
    for (UnitId u = 0; u < static_cast<UnitId>(units); ++u) {
      const GroupId g = state.GroupOf(u, wh, membership_day);
      if (g == kNoId || !state.IsWithin(g, *query.within)) {
        slot_of_unit[static_cast<size_t>(u)] = kOutsideSlot;
      }
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
      if (slot_of_unit[uidx] == kOutsideSlot) continue;
      FulfilmentRow row;
      row.target = {false, u};
      row.indicator = i;
      const int32_t key = book.KeyOf(row.target, i);
      row.plan = book.PlanOfKey(key, divisible, period.begin, period.end);
      row.plan_to_date = book.PlanToDateOfKey(key, divisible, period, as_of);
      row.actual = actual.unit_actual[uidx];
      row.reported_days = actual.unit_days[uidx];
      FillFigures(ind, started, ended, query.thresholds, row);
      row.plan_difference = kNaN;
      row.members_plan = kNaN;
      const int32_t slot = slot_of_unit[uidx];
      if (slot >= 0) row.group = level_groups[static_cast<size_t>(slot)];
      auto add = [&](SlotPlan& sp) {  // into the unit's group (if any) and the total
        ++sp.members;
        ++sp.counts[static_cast<size_t>(row.status)];
        if (std::isnan(row.plan)) return;
        ++sp.with_plan;
        sp.plan += row.plan;
        sp.to_date += row.plan_to_date;
      };
      if (slot >= 0) add(slot_plans[static_cast<size_t>(slot)]);
      add(slot_plans[total_slot]);
      if (unit_rows) table.unit_rows.push_back(row);
    }
    for (size_t s = 0; s < slots; ++s) {
      const SlotPlan& sp = slot_plans[s];
      if (query.within && s != total_slot && sp.members == 0) continue;
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
      FillFigures(ind, started, ended, query.thresholds, row);
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

// The year's calendar as the recompute loops see it.
constexpr size_t kYearIdx = 0;
constexpr size_t kFirstQuarter = 1;
constexpr size_t kFirstMonth = 5;
constexpr size_t kFirstDay = 17;  // periods [0, kFirstDay) are the year, quarters, months

struct YearFrame {
  Date edges[13];             // month m is [edges[m], edges[m + 1]); edges[12] is the year's end
  uint8_t month_of_day[366];  // by day of the year: 0 = January
  Date as_of;
  Date actual_end;               // reports count on days before it: min(as_of + 1, year end)
  std::vector<uint8_t> started;  // by period
  std::vector<uint8_t> ended;
};

// Asks for the cache lines of `days` ahead of their use. Each series is read only up to
// as_of, so the hardware prefetcher, which follows a stream, loses it at every series
// and then fetches the unread rest; prefetching measured 2.8x faster at a September as_of.
constexpr size_t kPrefetchAhead = 2;  // series ahead; 1, 2 and 4 measured, 2 was best
inline void PrefetchDays(std::span<const double> days) {
  constexpr size_t kDoublesPerLine = 64 / sizeof(double);
  for (size_t d = 0; d < days.size(); d += kDoublesPerLine) __builtin_prefetch(days.data() + d);
}

// Month and quarter stats of one series, then the year's, written to its rows.
template <Aggregation A>
void FillSeriesActuals(const State& state, const YearFrame& frame, bool include_days,
                       int32_t series, double* actual, int32_t* reported_days) {
  DayStats months[12];
  for (size_t m = 0; m < 12; ++m) {
    const std::span<const double> days =
        SeriesDays(state, series, frame.edges[m], std::min(frame.edges[m + 1], frame.actual_end));
    months[m] = StatsOf<A>(days.data(), days.size());
    actual[kFirstMonth + m] = ValueOf(months[m], A);
    reported_days[kFirstMonth + m] = months[m].present;
  }
  DayStats year = months[0];
  for (size_t m = 1; m < 12; ++m) Combine(year, months[m]);
  actual[kYearIdx] = ValueOf(year, A);
  reported_days[kYearIdx] = year.present;
  for (size_t q = 0; q < 4; ++q) {
    DayStats quarter = months[3 * q];
    Combine(quarter, months[3 * q + 1]);
    Combine(quarter, months[3 * q + 2]);
    actual[kFirstQuarter + q] = ValueOf(quarter, A);
    reported_days[kFirstQuarter + q] = quarter.present;
  }
  if (!include_days) return;
  const Date year_begin = frame.edges[0];
  const std::span<const double> days = SeriesDays(state, series, year_begin, frame.actual_end);
  const size_t first =
      kFirstDay + static_cast<size_t>(std::max(year_begin, state.origin()) - year_begin);
  for (size_t d = 0; d < days.size(); ++d) {
    const bool present = !std::isnan(days[d]);
    actual[first + d] = present ? days[d] : (A == Aggregation::kSum ? 0.0 : kNaN);
    reported_days[first + d] = present;
  }
}

// Plan and plan to date of one unit's divisible plans for every period of the year.
// month_weight[table * 12 + m] is the weight of month m, month_weight_to_date that of its
// days up to as_of.
void DivisiblePlans(const AssignmentBook& book, int32_t key, const FulfilmentGrid& grid,
                    const YearFrame& frame, const std::vector<double>& month_weight,
                    const std::vector<double>& month_weight_to_date, double* plan,
                    double* to_date) {
  const Date year_begin = frame.edges[0];
  const Date year_end = frame.edges[12];
  const DayWeights& weights = book.weights();
  const size_t np = grid.periods.size();
  double sum[kFirstDay] = {};
  double due[kFirstDay] = {};
  int32_t covered[kFirstDay] = {};
  const std::span<const AssignmentRun> runs = book.RunsOfKey(key);
  // Adds the run's assignment over [a, b), which lies in month m.
  auto add_part = [&](const AssignmentRun& r, size_t m, Date a, Date b) {
    covered[kFirstMonth + m] += b - a;
    if (a == frame.edges[m] && b == frame.edges[m + 1]) {  // a whole month: precomputed
      const size_t idx = static_cast<size_t>(r.table) * 12 + m;
      sum[kFirstMonth + m] += r.scale * month_weight[idx];
      due[kFirstMonth + m] += r.scale * month_weight_to_date[idx];
      return;
    }
    sum[kFirstMonth + m] += r.scale * weights.Sum(r.table, a, b);
    if (a <= frame.as_of) {
      due[kFirstMonth + m] += r.scale * weights.Sum(r.table, a, std::min(b, frame.as_of + 1));
    }
  };
  for (const AssignmentRun& r : runs) {
    const Date a = std::max(r.begin, year_begin);
    const Date b = std::min(r.end, year_end);
    if (a >= b) continue;
    const size_t first = frame.month_of_day[static_cast<size_t>(a - year_begin)];
    const size_t last = frame.month_of_day[static_cast<size_t>(b - 1 - year_begin)];
    if (first == last) {
      add_part(r, first, a, b);
    } else {
      add_part(r, first, a, frame.edges[first + 1]);
      // Whole months in between: their weights are precomputed per table.
      const size_t table = static_cast<size_t>(r.table) * 12;
      for (size_t m = first + 1; m < last; ++m) {
        covered[kFirstMonth + m] += frame.edges[m + 1] - frame.edges[m];
        sum[kFirstMonth + m] += r.scale * month_weight[table + m];
        due[kFirstMonth + m] += r.scale * month_weight_to_date[table + m];
      }
      add_part(r, last, frame.edges[last], b);
    }
    if (np > kFirstDay) {
      for (Date d = std::max(r.begin, year_begin); d < std::min(r.end, year_end); d = d + 1) {
        plan[kFirstDay + static_cast<size_t>(d - year_begin)] =
            r.scale * weights.Weight(r.table, d);
      }
    }
  }
  for (size_t q = 0; q < 4; ++q) {
    for (size_t m = 3 * q; m < 3 * q + 3; ++m) {
      sum[kFirstQuarter + q] += sum[kFirstMonth + m];
      due[kFirstQuarter + q] += due[kFirstMonth + m];
      covered[kFirstQuarter + q] += covered[kFirstMonth + m];
    }
    sum[kYearIdx] += sum[kFirstQuarter + q];
    due[kYearIdx] += due[kFirstQuarter + q];
    covered[kYearIdx] += covered[kFirstQuarter + q];
  }
  for (size_t p = 0; p < kFirstDay; ++p) {
    const Period& period = grid.periods[p];
    plan[p] = covered[p] == period.end - period.begin ? sum[p] : kNaN;
  }
  // An explicit plan with exactly a period's span gives that period's plan. Only the
  // grain's own periods can match (a one-year multi-year span matches the year); the
  // first in processing order wins, as in AssignmentBook::Plan.
  bool is_explicit[kFirstDay] = {};
  for (const AssignmentBook::KeyPlan& kp : book.PlansOfKey(key)) {
    if (kp.begin < year_begin || kp.end > year_end) continue;
    size_t p = np;
    if (kp.grain == Grain::kDay) {
      if (np > kFirstDay) plan[kFirstDay + static_cast<size_t>(kp.begin - year_begin)] = kp.value;
      continue;
    }
    if (kp.begin == year_begin && kp.end == year_end) {
      p = kYearIdx;
    } else if (kp.grain == Grain::kMonth || kp.grain == Grain::kQuarter) {
      const size_t first = kp.grain == Grain::kMonth ? kFirstMonth : kFirstQuarter;
      const size_t count = kp.grain == Grain::kMonth ? 12 : 4;
      for (size_t k = first; k < first + count; ++k) {
        if (grid.periods[k].begin == kp.begin) p = k;
      }
    }
    if (p < kFirstDay && !is_explicit[p]) {
      is_explicit[p] = true;
      plan[p] = kp.value;
    }
  }
  for (size_t p = 0; p < np; ++p) {
    to_date[p] = std::isnan(plan[p]) ? kNaN
                 : !frame.started[p] ? 0.0
                 : frame.ended[p]    ? plan[p]
                                     : due[p];  // only periods of [0, kFirstDay) can be running
  }
}

// Plans of a level indicator: the shortest explicit plan containing each period.
void LevelPlans(std::span<const AssignmentBook::KeyPlan> plans, const FulfilmentGrid& grid,
                const YearFrame& frame, double* plan, double* to_date) {
  for (size_t p = 0; p < grid.periods.size(); ++p) {
    const Period& period = grid.periods[p];
    double value = kNaN;
    for (const AssignmentBook::KeyPlan& kp : plans) {  // shortest first
      if (kp.begin <= period.begin && kp.end >= period.end) {
        value = kp.value;
        break;
      }
    }
    plan[p] = value;
    to_date[p] = std::isnan(value) ? kNaN : frame.started[p] ? value : 0.0;
  }
}

// Lays out the active pairs (see FulfilmentGrid) in grid.indicator_begin and
// grid.pair_unit, and the series of each pair in grid.scratch.pair_series. Work and
// memory are proportional to the series, the unit plans and the derived pairs.
void BuildPairs(const State& state, const AssignmentBook& book, const IndicatorOrder& order,
                FulfilmentGrid& grid) {
  FulfilmentGrid::Scratch& sc = grid.scratch;
  const size_t n = state.indicators().size();
  // The units with data for each indicator (see FulfilmentGrid), in dependency order (the
  // parts of a ratio before it), each indicator's sorted by unit.
  sc.data_units.clear();
  sc.data_series.clear();
  sc.data_begin.assign(n, 0);
  sc.data_end.assign(n, 0);
  for (const IndicatorId i : order.order) {
    const auto idx = static_cast<size_t>(i);
    const Indicator& ind = state.indicators()[idx];
    const size_t begin = sc.data_units.size();
    if (!ind.IsDerived()) {
      const std::vector<int32_t>& series = state.SeriesOf(i);
      sc.data_series.insert(sc.data_series.end(), series.begin(), series.end());
      const auto first = sc.data_series.begin() + static_cast<std::ptrdiff_t>(begin);
      auto by_unit = [&](int32_t x, int32_t y) {
        return state.SeriesUnit(x) < state.SeriesUnit(y);
      };
      if (!std::is_sorted(first, sc.data_series.end(), by_unit)) {
        std::sort(first, sc.data_series.end(), by_unit);
      }
      for (auto it = first; it != sc.data_series.end(); ++it) {
        sc.data_units.push_back(state.SeriesUnit(*it));
      }
    } else if (!order.broken[idx]) {
      // The units where both parts have data.
      const auto num = static_cast<size_t>(ind.numerator);
      const auto den = static_cast<size_t>(ind.denominator);
      auto jn = static_cast<size_t>(sc.data_begin[num]);
      const auto ne = static_cast<size_t>(sc.data_end[num]);
      auto jd = static_cast<size_t>(sc.data_begin[den]);
      const auto de = static_cast<size_t>(sc.data_end[den]);
      while (jn < ne && jd < de) {
        const UnitId un = sc.data_units[jn];
        const UnitId ud = sc.data_units[jd];
        jn += un <= ud;
        jd += ud <= un;
        if (un == ud) {
          sc.data_units.push_back(un);
          sc.data_series.push_back(-1);
        }
      }
    }
    sc.data_begin[idx] = static_cast<int32_t>(begin);
    sc.data_end[idx] = static_cast<int32_t>(sc.data_units.size());
  }
  // Active pairs: the union of those units and the units with a plan, by indicator.
  grid.indicator_begin.assign(n + 1, 0);
  grid.pair_unit.clear();
  sc.pair_series.clear();
  for (size_t i = 0; i < n; ++i) {
    grid.indicator_begin[i] = static_cast<int32_t>(grid.pair_unit.size());
    const std::span<const UnitId> planned = book.PlannedUnits(static_cast<IndicatorId>(i));
    auto jd = static_cast<size_t>(sc.data_begin[i]);
    const auto de = static_cast<size_t>(sc.data_end[i]);
    size_t jp = 0;
    while (jd < de || jp < planned.size()) {
      const UnitId ud = jd < de ? sc.data_units[jd] : std::numeric_limits<UnitId>::max();
      const UnitId up = jp < planned.size() ? planned[jp] : std::numeric_limits<UnitId>::max();
      if (ud <= up) {
        grid.pair_unit.push_back(ud);
        sc.pair_series.push_back(sc.data_series[jd]);
        ++jd;
        if (ud == up) ++jp;
      } else {
        grid.pair_unit.push_back(up);
        sc.pair_series.push_back(-1);
        ++jp;
      }
    }
  }
  grid.indicator_begin[n] = static_cast<int32_t>(grid.pair_unit.size());
}

// The actual and reported days of (i, unit, period p) from the grid, also for a pair it
// omits (see FulfilmentGrid). Parts of a ratio must be filled already.
SeriesAggregate GridActual(const State& state, const IndicatorOrder& order,
                           const FulfilmentGrid& grid, IndicatorId i, UnitId unit, size_t p) {
  const size_t base = grid.Find(i, unit);
  if (base != FulfilmentGrid::npos) return {grid.actual[base + p], grid.reported_days[base + p]};
  const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
  if (!ind.IsDerived()) return {ind.aggregation == Aggregation::kSum ? 0.0 : kNaN, 0};
  if (order.broken[static_cast<size_t>(i)]) return {kNaN, 0};
  const SeriesAggregate x = GridActual(state, order, grid, ind.numerator, unit, p);
  const SeriesAggregate y = GridActual(state, order, grid, ind.denominator, unit, p);
  return {Ratio(x.actual, y.actual), x.reported_days};
}

// What RecomputeFulfilment shares with its per-indicator loops.
struct RecomputeContext {
  const State& state;
  const AssignmentBook& book;
  const RecomputeOptions& options;
  const IndicatorOrder& order;
  const YearFrame& frame;
  const std::vector<double>& month_weight;
  const std::vector<double>& month_weight_to_date;
  FulfilmentGrid& grid;
};

// Fills every row of one indicator's active pairs, unit by unit, so that a unit's rows
// are written once while they are in cache: actuals (one pass over its series, or the
// ratio of the parts' rows), then plans, then the figures. A is the indicator's
// aggregation (any value for a ratio).
template <Aggregation A>
void RecomputeIndicator(const RecomputeContext& ctx, IndicatorId i) {
  const State& state = ctx.state;
  FulfilmentGrid& grid = ctx.grid;
  const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
  const bool derived = ind.IsDerived();
  const bool broken = ctx.order.broken[static_cast<size_t>(i)] != 0;
  const bool cumulative = IsCumulative(ind);
  const bool higher = ind.direction == Direction::kHigher;
  const bool divisible = ctx.book.IsDivisible(i);
  const bool include_days = ctx.options.include_days;
  const size_t np = grid.periods.size();
  const UnitId* const pair_unit = grid.pair_unit.data();
  const int32_t* const pair_series = grid.scratch.pair_series.data();
  const auto pairs_begin = static_cast<size_t>(grid.indicator_begin[static_cast<size_t>(i)]);
  const auto pairs_end = static_cast<size_t>(grid.indicator_begin[static_cast<size_t>(i) + 1]);
  // Derived: merge cursors over the parts' pairs (both sorted by unit, as ours are). A
  // part the grid omits (this pair has a plan) is read by GridActual.
  size_t jn = 0, ne = 0, jd = 0, de = 0;
  if (derived && !broken) {
    jn = static_cast<size_t>(grid.indicator_begin[static_cast<size_t>(ind.numerator)]);
    ne = static_cast<size_t>(grid.indicator_begin[static_cast<size_t>(ind.numerator) + 1]);
    jd = static_cast<size_t>(grid.indicator_begin[static_cast<size_t>(ind.denominator)]);
    de = static_cast<size_t>(grid.indicator_begin[static_cast<size_t>(ind.denominator) + 1]);
  }
  // The rows of an omitted part (2 x np, reused).
  std::vector<double>& part_actual = grid.scratch.part_actual;
  std::vector<int32_t>& part_days = grid.scratch.part_days;
  double* const actual = grid.actual.data();
  int32_t* const reported_days = grid.reported_days.data();
  // Blocks of units: first their actuals (a stream over consecutive series that the
  // prefetcher follows), then their plans and figures while their rows are still in cache.
  constexpr size_t kBlock = 128;
  for (size_t block = pairs_begin; block < pairs_end; block += kBlock) {
    const size_t block_end = std::min(pairs_end, block + kBlock);
    for (size_t k = block; k < block_end; ++k) {
      const size_t row0 = k * np;
      if (derived) {
        if (broken) {
          std::fill_n(actual + row0, np, kNaN);
          std::fill_n(reported_days + row0, np, 0);
          continue;
        }
        const UnitId u = pair_unit[k];
        while (jn < ne && pair_unit[jn] < u) ++jn;
        while (jd < de && pair_unit[jd] < u) ++jd;
        const bool has_num = jn < ne && pair_unit[jn] == u;
        const bool has_den = jd < de && pair_unit[jd] == u;
        const double* x = actual + jn * np;
        const int32_t* x_days = reported_days + jn * np;
        const double* y = actual + jd * np;
        if (!has_num || !has_den) {  // rare: a planned ratio without data for a part
          part_actual.resize(2 * np);
          part_days.resize(2 * np);
          for (size_t p = 0; p < np; ++p) {
            const SeriesAggregate a = has_num
                                          ? SeriesAggregate{x[p], x_days[p]}
                                          : GridActual(state, ctx.order, grid, ind.numerator, u, p);
            part_actual[p] = a.actual;
            part_days[p] = a.reported_days;
            part_actual[np + p] =
                has_den ? y[p] : GridActual(state, ctx.order, grid, ind.denominator, u, p).actual;
          }
          x = part_actual.data();
          x_days = part_days.data();
          y = part_actual.data() + np;
        }
        for (size_t p = 0; p < np; ++p) {
          actual[row0 + p] = Ratio(x[p], y[p]);
          reported_days[row0 + p] = x_days[p];
        }
      } else {
        const int32_t series = pair_series[k];
        if (series < 0 || include_days) {
          std::fill_n(actual + row0, np, A == Aggregation::kSum ? 0.0 : kNaN);
          std::fill_n(reported_days + row0, np, 0);
        }
        if (k + kPrefetchAhead < pairs_end && pair_series[k + kPrefetchAhead] >= 0) {
          PrefetchDays(SeriesDays(state, pair_series[k + kPrefetchAhead], ctx.frame.edges[0],
                                  ctx.frame.actual_end));
        }
        if (series >= 0) {
          FillSeriesActuals<A>(state, ctx.frame, include_days, series, actual + row0,
                               reported_days + row0);
        }
      }
    }
    for (size_t k = block; k < block_end; ++k) {
      const size_t row0 = k * np;
      const int32_t key = ctx.book.KeyOf({false, pair_unit[k]}, i);
      const std::span<const AssignmentBook::KeyPlan> plans = ctx.book.PlansOfKey(key);
      double* const plan = grid.plan.data() + row0;
      double* const to_date = grid.plan_to_date.data() + row0;
      if (plans.empty()) {
        std::fill_n(plan, np, kNaN);
        std::fill_n(to_date, np, kNaN);
        std::fill_n(grid.percent.data() + row0, np, kNaN);
        std::fill_n(grid.pace.data() + row0, np, kNaN);
        std::fill_n(grid.forecast.data() + row0, np, kNaN);
        std::fill_n(grid.status.data() + row0, np, FulfilmentStatus::kNoPlan);
        continue;
      }
      if (divisible) {
        if (np > kFirstDay) std::fill_n(plan + kFirstDay, np - kFirstDay, kNaN);
        DivisiblePlans(ctx.book, key, grid, ctx.frame, ctx.month_weight, ctx.month_weight_to_date,
                       plan, to_date);
      } else {
        LevelPlans(plans, grid, ctx.frame, plan, to_date);
      }
      for (size_t p = 0; p < np; ++p) {
        const size_t row = row0 + p;
        const FulfilmentFigures f =
            Evaluate(plan[p], to_date[p], actual[row], ctx.frame.started[p] != 0,
                     ctx.frame.ended[p] != 0, higher, cumulative, ctx.options.thresholds);
        grid.percent[row] = f.percent;
        grid.pace[row] = f.pace;
        grid.forecast[row] = f.forecast;
        grid.status[row] = f.status;
      }
    }
  }
}

}  // namespace

Status RecomputeFulfilment(const State& state, const AssignmentBook& book,
                           const RecomputeOptions& options, FulfilmentGrid& grid) {
  if (options.year < kMinYear || options.year > kMaxYear) {
    return InvalidArgument("year " + std::to_string(options.year) + " is not in " +
                           std::to_string(kMinYear) + ".." + std::to_string(kMaxYear));
  }
  const int year = options.year;
  YearFrame frame;
  for (int m = 0; m < 12; ++m) frame.edges[m] = Date::FromCivil(year, m + 1, 1);
  frame.edges[12] = Date::FromCivil(year + 1, 1, 1);
  for (uint8_t m = 0; m < 12; ++m) {
    for (Date d = frame.edges[m]; d < frame.edges[m + 1]; d = d + 1) {
      frame.month_of_day[d - frame.edges[0]] = m;
    }
  }
  const Date year_begin = frame.edges[0];
  const Date year_end = frame.edges[12];
  frame.as_of = options.as_of;
  frame.actual_end = std::min(options.as_of + 1, year_end);

  grid.year = year;
  grid.as_of = options.as_of;
  grid.periods.clear();
  grid.periods.push_back({Grain::kYear, year_begin, year_end});
  for (int q = 0; q < 4; ++q) {
    grid.periods.push_back({Grain::kQuarter, frame.edges[3 * q], frame.edges[3 * q + 3]});
  }
  for (size_t m = 0; m < 12; ++m) {
    grid.periods.push_back({Grain::kMonth, frame.edges[m], frame.edges[m + 1]});
  }
  if (options.include_days) {
    for (Date d = year_begin; d < year_end; d = d + 1) {
      grid.periods.push_back({Grain::kDay, d, d + 1});
    }
  }
  const size_t np = grid.periods.size();
  for (const Period& p : grid.periods) {
    frame.started.push_back(options.as_of >= p.begin);
    frame.ended.push_back(options.as_of >= p.end - 1);
  }
  grid.unit_count = static_cast<int32_t>(state.units().size());
  grid.indicator_count = static_cast<int32_t>(state.indicators().size());
  const IndicatorOrder order = OrderIndicators(state.indicators());
  BuildPairs(state, book, order, grid);
  const size_t rows = grid.pair_count() * np;
  grid.plan.resize(rows);
  grid.actual.resize(rows);
  grid.plan_to_date.resize(rows);
  grid.percent.resize(rows);
  grid.pace.resize(rows);
  grid.forecast.resize(rows);
  grid.status.resize(rows);
  grid.reported_days.resize(rows);

  // The weight of each month of each split table, in all and up to as_of.
  const DayWeights& weights = book.weights();
  const auto tables = static_cast<size_t>(weights.tables());
  std::vector<double> month_weight(tables * 12);
  std::vector<double> month_weight_to_date(tables * 12);
  for (size_t t = 0; t < tables; ++t) {
    for (size_t m = 0; m < 12; ++m) {
      const auto table = static_cast<int32_t>(t);
      month_weight[t * 12 + m] = weights.Sum(table, frame.edges[m], frame.edges[m + 1]);
      month_weight_to_date[t * 12 + m] =
          weights.Sum(table, frame.edges[m], std::min(frame.edges[m + 1], options.as_of + 1));
    }
  }

  const RecomputeContext ctx{state, book, options, order, frame, month_weight, month_weight_to_date,
                             grid};
  for (const IndicatorId i : order.order) {
    switch (state.indicators()[static_cast<size_t>(i)].aggregation) {
      case Aggregation::kSum:
        RecomputeIndicator<Aggregation::kSum>(ctx, i);
        break;
      case Aggregation::kMean:
        RecomputeIndicator<Aggregation::kMean>(ctx, i);
        break;
      case Aggregation::kMax:
        RecomputeIndicator<Aggregation::kMax>(ctx, i);
        break;
      case Aggregation::kLast:
        RecomputeIndicator<Aggregation::kLast>(ctx, i);
        break;
    }
  }
  return OkStatus();
}

namespace {

// The actual of one unit as ActualCache gives it: its series aggregated over
// [begin, end), or the ratio of its parts' actuals.
SeriesAggregate UnitActual(const State& state, const IndicatorOrder& order, IndicatorId i,
                           UnitId unit, Date begin, Date end) {
  const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
  if (ind.IsDerived()) {
    if (order.broken[static_cast<size_t>(i)]) return {kNaN, 0};
    const SeriesAggregate x = UnitActual(state, order, ind.numerator, unit, begin, end);
    const SeriesAggregate y = UnitActual(state, order, ind.denominator, unit, begin, end);
    return {Ratio(x.actual, y.actual), x.reported_days};
  }
  const int32_t series = state.FindSeries(unit, i);
  if (series < 0) return {IsCumulative(ind) ? 0.0 : kNaN, 0};
  return AggregateSeries(SeriesDays(state, series, begin, end), ind.aggregation);
}

}  // namespace

Result<std::vector<FulfilmentRow>> ComputeUnitRows(const State& state, const AssignmentBook& book,
                                                   const FulfilmentQuery& query,
                                                   std::span<const UnitIndicator> pairs) {
  const Period& period = query.period;
  if (!(period.begin < period.end)) return InvalidArgument("the period is empty");
  const auto units = static_cast<UnitId>(state.units().size());
  const auto indicators = static_cast<IndicatorId>(state.indicators().size());
  for (const UnitIndicator& p : pairs) {
    if (p.unit < 0 || p.unit >= units) {
      return NotFound("unit " + std::to_string(p.unit) + " does not exist");
    }
    if (p.indicator < 0 || p.indicator >= indicators) {
      return NotFound("indicator " + std::to_string(p.indicator) + " does not exist");
    }
  }
  const Date as_of = query.as_of;
  const Date last_day = period.end - 1;
  const bool started = as_of >= period.begin;
  const bool ended = as_of >= last_day;
  // As ComputeFulfilment: reports on [period.begin, min(as_of, last day)] count.
  const Date actual_end = started ? std::min(as_of, last_day) + 1 : period.begin;
  const IndicatorOrder order = OrderIndicators(state.indicators());
  std::vector<FulfilmentRow> rows;
  rows.reserve(pairs.size());
  for (const UnitIndicator& p : pairs) {
    const Indicator& ind = state.indicators()[static_cast<size_t>(p.indicator)];
    FulfilmentRow& row = rows.emplace_back();
    row.target = {false, p.unit};
    row.indicator = p.indicator;
    const int32_t key = book.KeyOf(row.target, p.indicator);
    const bool divisible = book.IsDivisible(p.indicator);
    row.plan = book.PlanOfKey(key, divisible, period.begin, period.end);
    row.plan_to_date = book.PlanToDateOfKey(key, divisible, period, as_of);
    const SeriesAggregate a =
        UnitActual(state, order, p.indicator, p.unit, period.begin, actual_end);
    row.actual = a.actual;
    row.reported_days = a.reported_days;
    FillFigures(ind, started, ended, query.thresholds, row);
    row.plan_difference = kNaN;
    row.members_plan = kNaN;
  }
  return rows;
}

}  // namespace chollima::engine
