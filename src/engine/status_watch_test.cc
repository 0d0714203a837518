#include "engine/status_watch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace chollima::engine {
namespace {

using S = FulfilmentStatus;

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }
Period P(std::string_view text) { return ParsePeriod(text).value(); }

bool Same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

std::string Name(UnitId u, IndicatorId i, const Period& p) {
  return "unit " + std::to_string(u) + " indicator " + std::to_string(i) + " " + FormatPeriod(p);
}

// Watches `changes`, applies them, and returns what moved.
std::vector<StatusChange> Commit(State& state, const Changes& changes,
                                 StatusWatchOptions options = {}) {
  const AssignmentBook before(state);
  const StatusWatch watch(state, before, changes, std::move(options));
  ApplyChanges(changes, state);
  const AssignmentBook after(state);
  return watch.After(state, after);
}

const StatusChange* Find(const std::vector<StatusChange>& changes, UnitId u, IndicatorId i,
                         const Period& p) {
  for (const StatusChange& c : changes) {
    if (c.unit == u && c.indicator == i && c.period == p) return &c;
  }
  return nullptr;
}

// Two mines with a 2026 coal plan of 1 a day (365), reporting 1 a day in January.
struct Mines {
  State state;
  UnitId a = state.AddUnit({.code = "A", .name = "Mine A"});
  UnitId b = state.AddUnit({.code = "B", .name = "Mine B"});
  IndicatorId coal = state.AddIndicator({.code = "coal"});

  Mines() {
    for (UnitId u : {a, b}) {
      state.SetPlan({{false, u}, coal, P("2026"), 365});
      for (Date d = D(2026, 1, 1); d < D(2026, 1, 21); d = d + 1) state.SetReport({u, coal, d, 1});
    }
  }
};

TEST(StatusWatch, ReportMakesTheMonthlyAssignmentOverfulfilled) {
  Mines m;
  // Through 30 January at exactly the pace (on track); a big report on the 31st ends
  // January above its assignment of 31.
  for (Date d = D(2026, 1, 21); d < D(2026, 1, 31); d = d + 1) {
    m.state.SetReport({m.a, m.coal, d, 1});
  }
  Changes c;
  c.reports.push_back({m.a, m.coal, D(2026, 1, 31), 5});
  const std::vector<StatusChange> moved = Commit(m.state, c);
  const StatusChange* jan = Find(moved, m.a, m.coal, P("2026-01"));
  ASSERT_NE(jan, nullptr);
  // As of 31 January both times: before, January ended at 30 of 31 (behind).
  EXPECT_EQ(jan->from, S::kBehind);
  EXPECT_EQ(jan->to, S::kOverfulfilled);
  EXPECT_DOUBLE_EQ(jan->plan, 31);
  EXPECT_DOUBLE_EQ(jan->actual, 35);
  EXPECT_DOUBLE_EQ(jan->percent, 100.0 * 35 / 31);
  // The quarter and the year run on: at risk at 30 of 31 due, on track at 35.
  const StatusChange* q1 = Find(moved, m.a, m.coal, P("2026-Q1"));
  ASSERT_NE(q1, nullptr);
  EXPECT_EQ(q1->from, S::kAtRisk);
  EXPECT_EQ(q1->to, S::kOnTrack);
  ASSERT_NE(Find(moved, m.a, m.coal, P("2026")), nullptr);
  EXPECT_EQ(moved.size(), 3u);
}

TEST(StatusWatch, ThePassageOfTimeMovesNothing) {
  Mines m;
  // A reports 21 January: as of then, B (nothing on the 21st) falls to at_risk, but only
  // the data changed for A, so only A's statuses may move.
  Changes c;
  c.reports.push_back({m.a, m.coal, D(2026, 1, 21), 1});
  const std::vector<StatusChange> moved = Commit(m.state, c);
  for (const StatusChange& s : moved) EXPECT_EQ(s.unit, m.a);
  // B's January is on track as of the 20th and at risk as of the 21st (a change of
  // time, not of data).
  const AssignmentBook book(m.state);
  auto b_status = [&](Date as_of) {
    return ComputeFulfilment(m.state, book,
                             {.period = P("2026-01"), .indicator = m.coal, .as_of = as_of})
        .value()
        .unit_rows[static_cast<size_t>(m.b)]
        .status;
  };
  EXPECT_EQ(b_status(D(2026, 1, 20)), S::kOnTrack);
  EXPECT_EQ(b_status(D(2026, 1, 21)), S::kAtRisk);
}

TEST(StatusWatch, AsOfIsTheLastReportedDayAfterTheChange) {
  Mines m;
  Changes c;
  c.reports.push_back({m.b, m.coal, D(2026, 1, 5), 2});  // a correction, earlier
  {
    const AssignmentBook book(m.state);
    EXPECT_EQ(StatusWatch(m.state, book, c).as_of(), D(2026, 1, 20));
  }
  c.reports.push_back({m.b, m.coal, D(2026, 2, 3), 2});  // a later day
  const AssignmentBook book(m.state);
  EXPECT_EQ(StatusWatch(m.state, book, c).as_of(), D(2026, 2, 3));
}

TEST(StatusWatch, CorrectionBackToTheSameValueMovesNothing) {
  Mines m;
  Changes c;
  c.reports.push_back({m.a, m.coal, D(2026, 1, 10), 1});
  EXPECT_TRUE(Commit(m.state, c).empty());
}

TEST(StatusWatch, NothingIsWatchedWithoutAnyReport) {
  State s;
  const UnitId u = s.AddUnit({.code = "u"});
  const IndicatorId i = s.AddIndicator({.code = "i"});
  Changes c;
  c.plans.push_back({{false, u}, i, P("2026"), 10});
  const AssignmentBook book(s);
  const StatusWatch watch(s, book, c);
  EXPECT_EQ(watch.as_of(), std::nullopt);
  EXPECT_EQ(watch.watched(), 0u);
}

TEST(StatusWatch, ReportOnAPartMovesTheRatio) {
  Mines m;
  const IndicatorId workers = m.state.AddIndicator({.code = "workers"});
  const IndicatorId per_worker = m.state.AddIndicator(
      {.code = "coal_per_worker", .numerator = m.coal, .denominator = workers});
  m.state.SetPlan({{false, m.a}, per_worker, P("2026"), 0.1});
  for (Date d = D(2026, 1, 1); d < D(2026, 1, 21); d = d + 1) {
    m.state.SetReport({m.a, workers, d, 5});  // 20 / 100: 0.2 per worker, over the plan
  }
  Changes c;
  c.reports.push_back({m.a, workers, D(2026, 1, 20), 500});  // 20 / 595: below 0.1
  const std::vector<StatusChange> moved = Commit(m.state, c);
  const StatusChange* jan = Find(moved, m.a, per_worker, P("2026-01"));
  ASSERT_NE(jan, nullptr);
  EXPECT_EQ(jan->from, S::kOnTrack);
  EXPECT_EQ(jan->to, S::kBehind);
  EXPECT_DOUBLE_EQ(jan->actual, 20.0 / 595);
}

TEST(StatusWatch, MonthPlanInsideTheYearMovesTheOtherMonths) {
  Mines m;
  // A's January plan becomes 10 (the other months now share 355): 20 done of 10 turns
  // January overfulfilled; the later months, not started, stay on track.
  Changes c;
  c.plans.push_back({{false, m.a}, m.coal, P("2026-01"), 10});
  const std::vector<StatusChange> moved = Commit(m.state, c);
  const StatusChange* jan = Find(moved, m.a, m.coal, P("2026-01"));
  ASSERT_NE(jan, nullptr);
  EXPECT_EQ(jan->from, S::kOnTrack);
  EXPECT_EQ(jan->to, S::kOverfulfilled);
  for (const StatusChange& s : moved) EXPECT_EQ(s.unit, m.a);
}

TEST(StatusWatch, WeekPlansAddTheWeekGrain) {
  Mines m;
  Changes c;
  c.plans.push_back({{false, m.a}, m.coal, P("2026-W03"), 100});  // 12..18 January
  const std::vector<StatusChange> moved = Commit(m.state, c);
  const StatusChange* week = Find(moved, m.a, m.coal, P("2026-W03"));
  ASSERT_NE(week, nullptr);
  EXPECT_EQ(week->from, S::kFulfilled);  // ended at 7 of its 7 under the year plan
  EXPECT_EQ(week->to, S::kBehind);       // 7 of 100
}

TEST(StatusWatch, NewUnitHadNoPlan) {
  Mines m;
  Changes c;
  c.new_units.push_back({.code = "C"});
  const UnitId new_unit = 2;
  c.plans.push_back({{false, new_unit}, m.coal, P("2026-01"), 31});
  c.reports.push_back({new_unit, m.coal, D(2026, 1, 3), 40});
  const std::vector<StatusChange> moved = Commit(m.state, c);
  const StatusChange* jan = Find(moved, new_unit, m.coal, P("2026-01"));
  ASSERT_NE(jan, nullptr);
  EXPECT_EQ(jan->from, S::kNoPlan);
  EXPECT_EQ(jan->to, S::kOverfulfilled);
}

TEST(StatusWatch, WatchesOnlyTheChangedUnits) {
  State s;
  const IndicatorId coal = s.AddIndicator({.code = "coal"});
  for (int k = 0; k < 2000; ++k) {
    const UnitId u = s.AddUnit({.code = "u" + std::to_string(k)});
    s.SetPlan({{false, u}, coal, P("2026"), 365});
    s.SetReport({u, coal, D(2026, 3, 1), 1});
  }
  Changes c;
  c.reports.push_back({17, coal, D(2026, 3, 2), 1});
  const AssignmentBook book(s);
  const StatusWatch watch(s, book, c);
  EXPECT_EQ(watch.watched(), 3u);  // unit 17: March, Q1, 2026
}

// ---------------------------------------------------------------------------------------
// ComputeUnitRows gives ComputeFulfilment's rows, and StatusWatch reports exactly the
// status differences of full ComputeFulfilment tables, on random data.

struct Random {
  std::mt19937_64 rng;
  explicit Random(uint64_t seed) : rng(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  double Real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
  // Plans and reports lie in December 2025 .. January 2027.
  Date Day() { return D(2025, 12, 1) + Int(0, 426); }
  double Value(double lo, double hi) { return Chance(0.5) ? Int(int(lo), int(hi)) : Real(lo, hi); }
  Period RandomPeriod(Date around) {
    const int g = Int(0, 12);
    if (g >= 6) {
      if (g == 6) return Chance(0.5) ? MultiYear(2025, 2026) : MultiYear(2026, 2026);
      return PeriodOf(g <= 9 ? Grain::kMonth : g == 10 ? Grain::kYear : Grain::kQuarter, around);
    }
    // Days rarely (each day period is checked below).
    if (g == 0 && Chance(0.9)) return PeriodOf(Grain::kMonth, around);
    return PeriodOf(static_cast<Grain>(g), around);
  }
  Plan RandomPlan(const State& s, UnitId u, IndicatorId i, Date around) {
    const Period period = RandomPeriod(Chance(0.7) ? around : Day());
    const Indicator& ind = s.indicators()[static_cast<size_t>(i)];
    const bool divisible = !ind.IsDerived() && ind.aggregation == Aggregation::kSum;
    const double value = divisible ? period.days() * Value(0, 4) : Value(1, 20);
    return {{false, u}, i, period, value, static_cast<SplitMethod>(Int(0, 1))};
  }
  Report RandomReport(UnitId u, IndicatorId i, Date d) { return {u, i, d, Value(0, 8)}; }
};

State RandomState(Random& r, std::vector<IndicatorId>& base) {
  State s;
  WorkCalendar calendar;
  calendar.rest_weekdays[5] = r.Chance(0.3);
  s.SetCalendar(calendar);
  base.clear();
  for (int k = r.Int(2, 3); k > 0; --k) {
    base.push_back(
        s.AddIndicator({.code = "i" + std::to_string(k),
                        .direction = r.Chance(0.3) ? Direction::kLower : Direction::kHigher,
                        .aggregation = static_cast<Aggregation>(r.Chance(0.5) ? 0 : r.Int(1, 3)),
                        .role = r.Chance(0.2) ? Role::kQuality : Role::kOutput}));
  }
  for (int k = r.Int(0, 2); k > 0; --k) {
    const auto n = static_cast<IndicatorId>(s.indicators().size());
    const IndicatorId num = r.Int(0, n - 1);  // may be a ratio itself
    IndicatorId den = base[static_cast<size_t>(r.Int(0, static_cast<int>(base.size()) - 1))];
    if (den == num) den = base[0] == num ? base[1] : base[0];
    s.AddIndicator({.code = "d" + std::to_string(n),
                    .direction = r.Chance(0.5) ? Direction::kLower : Direction::kHigher,
                    .numerator = num,
                    .denominator = den});
  }
  for (int k = r.Int(1, 5); k > 0; --k) s.AddUnit({.code = "u" + std::to_string(k)});
  for (UnitId u = 0; u < static_cast<UnitId>(s.units().size()); ++u) {
    for (IndicatorId i = 0; i < static_cast<IndicatorId>(s.indicators().size()); ++i) {
      if (!r.Chance(0.6)) continue;
      const Date around = r.Day();
      for (int k = r.Int(1, 3); k > 0; --k) s.SetPlan(r.RandomPlan(s, u, i, around));
    }
    for (const IndicatorId i : base) {
      if (!r.Chance(0.8)) continue;
      const double density = r.Real(0.1, 0.6);
      const Date last = D(2026, 1, 1) + r.Int(0, 300);
      for (Date d = D(2025, 12, 1); d <= last; d = d + 1) {
        if (r.Chance(density)) s.SetReport(r.RandomReport(u, i, d));
      }
    }
  }
  return s;
}

// A random batch of reports (new days, corrections, a later day), sometimes plans, a new
// unit or a new ratio.
Changes RandomChanges(Random& r, const State& s, const std::vector<IndicatorId>& base) {
  Changes c;
  auto units = static_cast<UnitId>(s.units().size());
  auto indicators = static_cast<IndicatorId>(s.indicators().size());
  if (r.Chance(0.15)) {
    c.new_units.push_back({.code = "new"});
    ++units;
  }
  if (r.Chance(0.15)) {
    c.new_indicators.push_back({.code = "ratio", .numerator = base[0], .denominator = base[1]});
    ++indicators;
  }
  const Date last = s.LastReportedDay().value_or(D(2026, 1, 1));
  for (int k = r.Int(1, 12); k > 0; --k) {
    const UnitId u = r.Int(0, units - 1);
    const IndicatorId i = base[static_cast<size_t>(r.Int(0, static_cast<int>(base.size()) - 1))];
    const int where = r.Int(0, 3);
    const Date d = where == 0 ? r.Day() : where == 1 ? last + r.Int(1, 20) : last - r.Int(0, 40);
    c.reports.push_back(r.RandomReport(u, i, d));
  }
  if (r.Chance(0.35)) {
    for (int k = r.Int(1, 3); k > 0; --k) {
      const UnitId u = r.Int(0, units - 1);
      const IndicatorId i = r.Int(0, indicators - 1);
      Plan p = r.RandomPlan(s, u, i, r.Chance(0.5) ? last : r.Day());
      if (i >= static_cast<IndicatorId>(s.indicators().size())) p.value = r.Value(0.1, 3);
      c.plans.push_back(p);
    }
  }
  return c;
}

// The unit rows of a full table of `period`, by unit and indicator; a pair without a row
// (an indicator without plans, a unit or indicator that does not exist) is no_plan.
struct FullTable {
  FullTable(const State& s, const AssignmentBook& book, const Period& period, Date as_of,
            size_t units, size_t indicator_count)
      : indicators(indicator_count), rows(units * indicator_count) {
    FulfilmentTable t = ComputeFulfilment(s, book, {.period = period, .as_of = as_of}).value();
    for (FulfilmentRow& row : t.unit_rows) {
      rows[static_cast<size_t>(row.target.id) * indicators + static_cast<size_t>(row.indicator)] =
          std::move(row);
    }
  }
  const std::optional<FulfilmentRow>& Row(UnitId u, IndicatorId i) const {
    return rows[static_cast<size_t>(u) * indicators + static_cast<size_t>(i)];
  }
  S Status(UnitId u, IndicatorId i) const {
    const auto& row = Row(u, i);
    return row ? row->status : S::kNoPlan;
  }
  size_t indicators;
  std::vector<std::optional<FulfilmentRow>> rows;
};

TEST(ComputeUnitRows, MatchesComputeFulfilment) {
  for (int seed = 1; seed <= 60; ++seed) {
    Random r(static_cast<uint64_t>(seed));
    std::vector<IndicatorId> base;
    const State s = RandomState(r, base);
    const AssignmentBook book(s);
    std::vector<UnitIndicator> pairs;
    for (UnitId u = 0; u < static_cast<UnitId>(s.units().size()); ++u) {
      for (IndicatorId i = 0; i < static_cast<IndicatorId>(s.indicators().size()); ++i) {
        pairs.push_back({u, i});
      }
    }
    std::shuffle(pairs.begin(), pairs.end(), r.rng);
    for (int q = 0; q < 8; ++q) {
      const FulfilmentQuery query{.period = r.RandomPeriod(r.Day()), .as_of = r.Day()};
      const std::vector<FulfilmentRow> rows = ComputeUnitRows(s, book, query, pairs).value();
      ASSERT_EQ(rows.size(), pairs.size());
      for (size_t k = 0; k < pairs.size(); ++k) {
        FulfilmentQuery one = query;
        one.indicator = pairs[k].indicator;
        const FulfilmentRow want = ComputeFulfilment(s, book, one)
                                       .value()
                                       .unit_rows.at(static_cast<size_t>(pairs[k].unit));
        const FulfilmentRow& got = rows[k];
        const std::string what = "seed " + std::to_string(seed) + " " +
                                 Name(pairs[k].unit, pairs[k].indicator, query.period);
        EXPECT_EQ(got.target, want.target) << what;
        EXPECT_EQ(got.indicator, want.indicator) << what;
        EXPECT_EQ(got.group, want.group) << what;
        EXPECT_EQ(got.status, want.status) << what;
        EXPECT_EQ(got.reported_days, want.reported_days) << what;
        for (auto [g, w] : {std::pair{got.plan, want.plan},
                            {got.actual, want.actual},
                            {got.plan_to_date, want.plan_to_date},
                            {got.percent, want.percent},
                            {got.pace, want.pace},
                            {got.forecast, want.forecast}}) {
          EXPECT_TRUE(Same(g, w)) << what << ": " << g << " vs " << w;
        }
      }
    }
  }
}

TEST(ComputeUnitRows, RejectsUnknownIdsAndEmptyPeriods) {
  Mines m;
  const AssignmentBook book(m.state);
  const FulfilmentQuery q{.period = P("2026-01"), .as_of = D(2026, 1, 20)};
  EXPECT_EQ(ComputeUnitRows(m.state, book, q, std::vector<UnitIndicator>{{2, 0}}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(ComputeUnitRows(m.state, book, q, std::vector<UnitIndicator>{{0, 1}}).error().code,
            ErrorCode::kNotFound);
  FulfilmentQuery empty = q;
  empty.period.end = empty.period.begin;
  EXPECT_EQ(ComputeUnitRows(m.state, book, empty, {}).error().code, ErrorCode::kInvalidArgument);
}

// Every period of `grain` from 2025 to 2027 (a superset of where plans and reports lie).
std::vector<Period> AllPeriods(Grain grain) {
  return PeriodsOverlapping(grain, D(2025, 1, 1), D(2028, 1, 1));
}

TEST(StatusWatchProperty, ReportsExactlyTheStatusDifferencesOfFullTables) {
  int changes_seen = 0;
  for (int seed = 1; seed <= 100; ++seed) {
    Random r(static_cast<uint64_t>(seed) * 7919);
    std::vector<IndicatorId> base;
    State state = RandomState(r, base);
    const State before = state;
    const Changes c = RandomChanges(r, state, base);
    const std::vector<StatusChange> moved = Commit(state, c);
    const State& after = state;
    const Date as_of = after.LastReportedDay().value();
    const AssignmentBook book0(before);
    const AssignmentBook book1(after);
    const size_t units = after.units().size();
    const size_t indicators = after.indicators().size();

    // The watched universe, from the definition in status_watch.h: for each (unit,
    // indicator) of the State after, the periods of month, quarter, year and every
    // grain at which it has explicit plans (before or after), and its multi-year plan
    // spans.
    std::map<std::tuple<Date, Date, Grain>, std::vector<std::pair<UnitId, IndicatorId>>> universe;
    std::map<Grain, std::vector<Period>> periods_of;
    for (UnitId u = 0; u < static_cast<UnitId>(after.units().size()); ++u) {
      for (IndicatorId i = 0; i < static_cast<IndicatorId>(after.indicators().size()); ++i) {
        std::set<Grain> grains = {Grain::kMonth, Grain::kQuarter, Grain::kYear};
        std::set<std::tuple<Date, Date, Grain>> spans;
        for (const State* s : {&before, &after}) {
          for (const Plan& p : s->plans()) {
            if (p.target.is_group || p.target.id != u || p.indicator != i) continue;
            if (p.period.grain == Grain::kMultiYear) {
              spans.insert({p.period.begin, p.period.end, p.period.grain});
            } else {
              grains.insert(p.period.grain);
            }
          }
        }
        for (const Grain g : grains) {
          if (!periods_of.count(g)) periods_of[g] = AllPeriods(g);
          for (const Period& p : periods_of[g]) universe[{p.begin, p.end, g}].push_back({u, i});
        }
        for (const auto& span : spans) universe[span].push_back({u, i});
      }
    }
    // Every difference in the universe is reported, with the figures after; nothing
    // else is.
    size_t expected = 0;
    for (const auto& [key, pairs] : universe) {
      const Period period{std::get<2>(key), std::get<0>(key), std::get<1>(key)};
      const FullTable t0(before, book0, period, as_of, units, indicators);
      const FullTable t1(after, book1, period, as_of, units, indicators);
      for (const auto& [u, i] : pairs) {
        const S from = t0.Status(u, i);
        const S to = t1.Status(u, i);
        const StatusChange* got = Find(moved, u, i, period);
        const std::string what = "seed " + std::to_string(seed) + " " + Name(u, i, period) + " " +
                                 StatusName(from) + " -> " + StatusName(to);
        if (from == to) {
          EXPECT_EQ(got, nullptr) << what << " reported without a change";
          continue;
        }
        ++expected;
        ASSERT_NE(got, nullptr) << what << " missed";
        EXPECT_EQ(got->from, from) << what;
        EXPECT_EQ(got->to, to) << what;
        const FulfilmentRow& row = *t1.Row(u, i);
        EXPECT_TRUE(Same(got->plan, row.plan)) << what;
        EXPECT_TRUE(Same(got->actual, row.actual)) << what;
        EXPECT_TRUE(Same(got->percent, row.percent)) << what;
      }
    }
    EXPECT_EQ(moved.size(), expected) << "seed " << seed << ": changes outside the universe";
    changes_seen += static_cast<int>(moved.size());
  }
  EXPECT_GT(changes_seen, 100);  // the batches do move statuses
}

}  // namespace
}  // namespace chollima::engine
