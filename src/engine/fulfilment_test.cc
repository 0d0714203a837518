#include "engine/fulfilment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <tuple>
#include <utility>

namespace chollima::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using S = FulfilmentStatus;

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }
Period P(std::string_view text) { return ParsePeriod(text).value(); }

// ---------------------------------------------------------------------------------------
// Hand-computed cases.

// One unit with a sum-aggregated output; more indicators added by tests.
struct Economy {
  State state;
  UnitId mine = state.AddUnit({.code = "mine"});
  IndicatorId coal = state.AddIndicator({.code = "coal"});

  void Plan(IndicatorId i, std::string_view period, double value, UnitId u = 0,
            SplitMethod method = SplitMethod::kEven) {
    state.SetPlan({{false, u}, i, P(period), value, method});
  }
  void Report(IndicatorId i, Date d, double value, UnitId u = 0) {
    state.SetReport({u, i, d, value});
  }
  FulfilmentTable Query(const Period& period, Date as_of, std::optional<IndicatorId> i = {},
                        std::optional<GroupLevel> by = {}) const {
    const AssignmentBook book(state);
    Result<FulfilmentTable> t = ComputeFulfilment(
        state, book, {.period = period, .indicator = i, .by = by, .as_of = as_of});
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
    return t.ok() ? std::move(t).value() : FulfilmentTable{};
  }
  FulfilmentRow Row(IndicatorId i, const Period& period, Date as_of, UnitId u = 0) const {
    const FulfilmentTable t = Query(period, as_of, i);
    return t.unit_rows.at(static_cast<size_t>(u));
  }
};

// April 2026 (30 days) planned at 300: 10 a day, 100 due by 10 April.
struct April : Economy {
  April() { Plan(coal, "2026-04", 300); }
  S StatusWith(double actual, Date as_of) {
    Report(coal, D(2026, 4, 1), actual);
    return Row(coal, P("2026-04"), as_of).status;
  }
};

TEST(StatusName, RoundTrips) {
  for (size_t s = 0; s < kStatusCount; ++s) {
    const auto status = static_cast<FulfilmentStatus>(s);
    EXPECT_EQ(ParseStatus(StatusName(status)), status);
  }
  EXPECT_STREQ(StatusName(S::kOnTrack), "on_track");
  EXPECT_FALSE(ParseStatus("done").has_value());
}

TEST(AggregateSeries, EmptyStretch) {
  EXPECT_EQ(AggregateSeries({}, Aggregation::kSum).actual, 0);
  EXPECT_TRUE(std::isnan(AggregateSeries({}, Aggregation::kMean).actual));
  EXPECT_TRUE(std::isnan(AggregateSeries({}, Aggregation::kLast).actual));
  EXPECT_TRUE(std::isnan(AggregateSeries({}, Aggregation::kMax).actual));
}

TEST(AggregateSeries, SkipsMissingDays) {
  const std::vector<double> v{3, kNaN, 7, -1, kNaN, kNaN, 2, kNaN, kNaN};
  EXPECT_EQ(AggregateSeries(v, Aggregation::kSum).actual, 11);
  EXPECT_EQ(AggregateSeries(v, Aggregation::kSum).reported_days, 4);
  EXPECT_EQ(AggregateSeries(v, Aggregation::kMean).actual, 11.0 / 4);
  EXPECT_EQ(AggregateSeries(v, Aggregation::kLast).actual, 2);
  EXPECT_EQ(AggregateSeries(v, Aggregation::kMax).actual, 7);
}

TEST(AggregateSeries, OneElementAndAllMissing) {
  const std::vector<double> one{-4};
  EXPECT_EQ(AggregateSeries(one, Aggregation::kMax).actual, -4);
  const std::vector<double> none{kNaN, kNaN, kNaN, kNaN, kNaN};
  EXPECT_EQ(AggregateSeries(none, Aggregation::kSum).actual, 0);
  EXPECT_EQ(AggregateSeries(none, Aggregation::kSum).reported_days, 0);
  EXPECT_TRUE(std::isnan(AggregateSeries(none, Aggregation::kMax).actual));
}

TEST(Fulfilment, PaceExactlyOneIsOnTrack) {
  EXPECT_EQ(April().StatusWith(100, D(2026, 4, 10)), S::kOnTrack);
}
TEST(Fulfilment, PaceAtAtRiskThresholdIsAtRisk) {
  EXPECT_EQ(April().StatusWith(95, D(2026, 4, 10)), S::kAtRisk);
}
TEST(Fulfilment, PaceJustBelowAtRiskIsBehind) {
  EXPECT_EQ(April().StatusWith(94.99, D(2026, 4, 10)), S::kBehind);
}
TEST(Fulfilment, PaceJustBelowOneIsAtRisk) {
  EXPECT_EQ(April().StatusWith(99.99, D(2026, 4, 10)), S::kAtRisk);
}
TEST(Fulfilment, RunningPeriodReachingFullPlanIsFulfilled) {
  EXPECT_EQ(April().StatusWith(300, D(2026, 4, 10)), S::kFulfilled);
}
TEST(Fulfilment, RunningPeriodBeyondFullPlanIsOverfulfilled) {
  EXPECT_EQ(April().StatusWith(300.01, D(2026, 4, 10)), S::kOverfulfilled);
}
TEST(Fulfilment, EndedExactlyAtPlanIsFulfilled) {
  EXPECT_EQ(April().StatusWith(300, D(2026, 4, 30)), S::kFulfilled);
}
TEST(Fulfilment, EndedWithinToleranceIsFulfilled) {
  EXPECT_EQ(April().StatusWith(300 * (1 - 1e-12), D(2026, 5, 30)), S::kFulfilled);
}
TEST(Fulfilment, EndedBelowPlanIsBehind) {
  EXPECT_EQ(April().StatusWith(299.99, D(2026, 4, 30)), S::kBehind);
}
TEST(Fulfilment, EndedAbovePlanIsOverfulfilled) {
  EXPECT_EQ(April().StatusWith(300.01, D(2026, 5, 1)), S::kOverfulfilled);
}
TEST(Fulfilment, CustomAtRiskThreshold) {
  April a;
  a.Report(a.coal, D(2026, 4, 1), 85);
  const AssignmentBook book(a.state);
  const FulfilmentTable t =
      ComputeFulfilment(
          a.state, book,
          {.period = P("2026-04"), .as_of = D(2026, 4, 10), .thresholds = {.at_risk_pace = 0.8}})
          .value();
  EXPECT_EQ(t.unit_rows.at(0).status, S::kAtRisk);
}

TEST(Fulfilment, FiguresOfARunningMonth) {
  April a;
  a.Report(a.coal, D(2026, 4, 1), 70);
  a.Report(a.coal, D(2026, 4, 9), 50);
  a.Report(a.coal, D(2026, 4, 11), 1000);  // after as_of: not counted
  const FulfilmentRow row = a.Row(a.coal, P("2026-04"), D(2026, 4, 10));
  EXPECT_EQ(row.actual, 120);
  EXPECT_EQ(row.plan, 300);
  EXPECT_DOUBLE_EQ(row.plan_to_date, 100);
  EXPECT_DOUBLE_EQ(row.percent, 40);
  EXPECT_DOUBLE_EQ(row.pace, 1.2);
  EXPECT_DOUBLE_EQ(row.forecast, 360);
  EXPECT_EQ(row.reported_days, 2);
  EXPECT_EQ(row.status, S::kOnTrack);
}

TEST(Fulfilment, AsOfBeforePeriodIsOnTrackWithNothingDue) {
  April a;
  a.Report(a.coal, D(2026, 3, 30), 50);
  const FulfilmentRow row = a.Row(a.coal, P("2026-04"), D(2026, 3, 31));
  EXPECT_EQ(row.plan_to_date, 0);
  EXPECT_EQ(row.actual, 0);
  EXPECT_EQ(row.pace, 1);
  EXPECT_EQ(row.status, S::kOnTrack);
}

TEST(Fulfilment, AsOfAfterPeriodCountsOnlyItsDays) {
  April a;
  a.Report(a.coal, D(2026, 4, 30), 310);
  a.Report(a.coal, D(2026, 5, 1), 500);
  const FulfilmentRow row = a.Row(a.coal, P("2026-04"), D(2026, 6, 1));
  EXPECT_EQ(row.actual, 310);
  EXPECT_EQ(row.plan_to_date, 300);
  EXPECT_EQ(row.forecast, 310);
  EXPECT_EQ(row.status, S::kOverfulfilled);
}

TEST(Fulfilment, NoPlanIsNoPlan) {
  Economy e;
  e.Report(e.coal, D(2026, 4, 1), 5);
  const FulfilmentRow row = e.Row(e.coal, P("2026-04"), D(2026, 4, 10));
  EXPECT_EQ(row.status, S::kNoPlan);
  EXPECT_TRUE(std::isnan(row.plan));
  EXPECT_TRUE(std::isnan(row.percent));
  EXPECT_EQ(row.actual, 5);
}

TEST(Fulfilment, NothingDueYetAndNothingDoneIsOnSchedule) {
  Economy e;
  // 2026-02-01 is a Sunday, so nothing of a workdays split falls due on it.
  e.Plan(e.coal, "2026-02", 240, 0, SplitMethod::kWorkdays);
  const FulfilmentRow row = e.Row(e.coal, P("2026-02"), D(2026, 2, 1));
  EXPECT_EQ(row.plan_to_date, 0);
  EXPECT_EQ(row.pace, 1);
  EXPECT_EQ(row.forecast, 0);
  EXPECT_EQ(row.status, S::kOnTrack);
}

// Regression: 1 - (0.1 + 0.9) is 1.1e-16 in doubles. Without treating remainders within
// tolerance as 0, the third quarter got a tiny plan and a unit with nothing planned and
// nothing done showed pace 0 and "behind".
TEST(Fulfilment, NestedPlansThatAddUpLeaveExactlyZeroElsewhere) {
  Economy e;
  e.Plan(e.coal, "2026", 1);
  e.Plan(e.coal, "2026-Q1", 0.1);
  e.Plan(e.coal, "2026-Q2", 0.9);
  const FulfilmentRow row = e.Row(e.coal, P("2026-Q3"), D(2026, 7, 10));
  EXPECT_EQ(row.plan, 0);
  EXPECT_EQ(row.plan_to_date, 0);
  EXPECT_EQ(row.pace, 1);
  EXPECT_EQ(row.status, S::kFulfilled);  // a zero plan is met by nothing
}

struct Energy : Economy {
  IndicatorId energy = state.AddIndicator({.code = "energy", .direction = Direction::kLower});
  Energy() { Plan(energy, "2026-04", 300); }
  FulfilmentRow With(double actual, Date as_of) {
    Report(energy, D(2026, 4, 1), actual);
    return Row(energy, P("2026-04"), as_of);
  }
};

TEST(Fulfilment, LowerIsBetterPaceIsDueOverActual) {
  const FulfilmentRow row = Energy().With(80, D(2026, 4, 10));
  EXPECT_DOUBLE_EQ(row.pace, 1.25);
  EXPECT_EQ(row.status, S::kOnTrack);
}
TEST(Fulfilment, LowerIsBetterSlightlyOverDueIsAtRisk) {
  EXPECT_EQ(Energy().With(105, D(2026, 4, 10)).status, S::kAtRisk);
}
TEST(Fulfilment, LowerIsBetterWellOverDueIsBehind) {
  EXPECT_EQ(Energy().With(110, D(2026, 4, 10)).status, S::kBehind);
}
TEST(Fulfilment, LowerIsBetterNeverFulfilledEarly) {
  // Using little so far is on track, not "fulfilled": the month is not over.
  EXPECT_EQ(Energy().With(0, D(2026, 4, 10)).status, S::kOnTrack);
  EXPECT_EQ(Energy().With(400, D(2026, 4, 10)).status, S::kBehind);
}
TEST(Fulfilment, LowerIsBetterEndedBelowPlanIsOverfulfilled) {
  EXPECT_EQ(Energy().With(290, D(2026, 4, 30)).status, S::kOverfulfilled);
  EXPECT_EQ(Energy().With(300, D(2026, 4, 30)).status, S::kFulfilled);
  EXPECT_EQ(Energy().With(310, D(2026, 4, 30)).status, S::kBehind);
}

TEST(Fulfilment, MeanLastMaxAggregateOnlyPresentDays) {
  Economy e;
  const IndicatorId workers =
      e.state.AddIndicator({.code = "workers", .aggregation = Aggregation::kMean});
  const IndicatorId stock =
      e.state.AddIndicator({.code = "stock", .aggregation = Aggregation::kLast});
  const IndicatorId peak = e.state.AddIndicator({.code = "peak", .aggregation = Aggregation::kMax});
  for (IndicatorId i : {workers, stock, peak}) {
    e.Plan(i, "2026", 10);
    e.Report(i, D(2026, 4, 2), 10);
    e.Report(i, D(2026, 4, 5), 14);
    e.Report(i, D(2026, 4, 8), 6);
  }
  const Date as_of = D(2026, 4, 6);
  EXPECT_EQ(e.Row(workers, P("2026-04"), as_of).actual, 12);
  EXPECT_EQ(e.Row(workers, P("2026-04"), as_of).reported_days, 2);
  EXPECT_EQ(e.Row(workers, P("2026-04"), as_of).plan_to_date, 10);
  EXPECT_EQ(e.Row(stock, P("2026-04"), as_of).actual, 14);
  EXPECT_EQ(e.Row(peak, P("2026-04"), D(2026, 4, 30)).actual, 14);
  EXPECT_EQ(e.Row(workers, P("2026-04"), as_of).forecast, 12);
}

TEST(Fulfilment, LevelIndicatorWithoutReportsIsNoData) {
  Economy e;
  const IndicatorId workers =
      e.state.AddIndicator({.code = "workers", .aggregation = Aggregation::kMean});
  e.Plan(workers, "2026", 10);
  const FulfilmentRow row = e.Row(workers, P("2026-04"), D(2026, 4, 6));
  EXPECT_EQ(row.status, S::kNoData);
  EXPECT_TRUE(std::isnan(row.actual));
}

TEST(Fulfilment, LevelIndicatorRunningUsesPaceAgainstPlan) {
  Economy e;
  const IndicatorId workers =
      e.state.AddIndicator({.code = "workers", .aggregation = Aggregation::kMean});
  e.Plan(workers, "2026", 100);
  e.Report(workers, D(2026, 4, 2), 110);
  // Above a level plan mid-period is on track; only a sum can be "reached" early.
  EXPECT_EQ(e.Row(workers, P("2026-04"), D(2026, 4, 6)).status, S::kOnTrack);
  EXPECT_EQ(e.Row(workers, P("2026-04"), D(2026, 4, 30)).status, S::kOverfulfilled);
}

// energy / output: day 1 burns 10 for 1 t (10 per t), day 2 burns 10 for 9 t (1.11 per t).
// The mean of daily ratios is 5.56; the ratio of sums is 20 / 10 = 2.
struct Intensity : Economy {
  IndicatorId energy = state.AddIndicator({.code = "energy", .direction = Direction::kLower});
  IndicatorId per_tonne = state.AddIndicator({.code = "energy_per_t",
                                              .direction = Direction::kLower,
                                              .numerator = energy,
                                              .denominator = coal});
  Intensity() {
    Report(energy, D(2026, 4, 1), 10);
    Report(coal, D(2026, 4, 1), 1);
    Report(energy, D(2026, 4, 2), 10);
    Report(coal, D(2026, 4, 2), 9);
    Plan(per_tonne, "2026", 2.5);
  }
};

TEST(Fulfilment, DerivedIsRatioOfSumsNotMeanOfRatios) {
  Intensity x;
  const FulfilmentRow row = x.Row(x.per_tonne, P("2026-04"), D(2026, 4, 30));
  EXPECT_DOUBLE_EQ(row.actual, 2);
  EXPECT_EQ(row.plan, 2.5);
  EXPECT_EQ(row.status, S::kOverfulfilled);  // lower is better
  EXPECT_EQ(row.reported_days, 2);
}

TEST(Fulfilment, DerivedWithZeroDenominatorIsNoData) {
  Intensity x;
  const FulfilmentRow row = x.Row(x.per_tonne, P("2026-05"), D(2026, 5, 30));
  EXPECT_TRUE(std::isnan(row.actual));
  EXPECT_EQ(row.status, S::kNoData);
}

// Two provinces with a county each under "north"; units a, b in north, c in south.
struct Regions : Economy {
  HierarchyId region = state.AddHierarchy({.code = "region"});
  GroupId north = state.AddGroup({.hierarchy = region, .code = "north"});
  GroupId south = state.AddGroup({.hierarchy = region, .code = "south"});
  GroupId north_county = state.AddGroup({.hierarchy = region, .code = "nc", .parent = north});
  UnitId a = mine;
  UnitId b = state.AddUnit({.code = "b"});
  UnitId c = state.AddUnit({.code = "c"});
  UnitId loner = state.AddUnit({.code = "loner"});  // in no group
  Regions() {
    state.AddMembership({a, region, north_county});
    state.AddMembership({b, region, north});
    state.AddMembership({c, region, south});
  }
  FulfilmentRow GroupRow(IndicatorId i, GroupId g, const Period& p, Date as_of) const {
    const FulfilmentTable t = Query(p, as_of, i, GroupLevel{region, 1});
    for (const FulfilmentRow& row : t.group_rows) {
      if (row.target.id == g) return row;
    }
    ADD_FAILURE() << "no row for group " << g;
    return {};
  }
};

TEST(GroupFulfilment, ExplicitGroupPlanWinsAndDifferenceIsReturned) {
  Regions r;
  r.Plan(r.coal, "2026-04", 100, r.a);
  r.Plan(r.coal, "2026-04", 150, r.b);
  r.state.SetPlan({{true, r.north}, r.coal, P("2026-04"), 300});
  r.Report(r.coal, D(2026, 4, 3), 120, r.a);
  r.Report(r.coal, D(2026, 4, 3), 60, r.b);
  const FulfilmentRow row = r.GroupRow(r.coal, r.north, P("2026-04"), D(2026, 4, 30));
  EXPECT_TRUE(row.explicit_plan);
  EXPECT_EQ(row.plan, 300);
  EXPECT_EQ(row.members_plan, 250);
  EXPECT_EQ(row.plan_difference, 50);
  EXPECT_EQ(row.actual, 180);
  EXPECT_DOUBLE_EQ(row.percent, 60);
  EXPECT_EQ(row.status, S::kBehind);
  EXPECT_EQ(row.member_units, 2);
  EXPECT_EQ(row.units_with_plan, 2);
  EXPECT_EQ(row.unit_counts[static_cast<size_t>(S::kOverfulfilled)], 1);
  EXPECT_EQ(row.unit_counts[static_cast<size_t>(S::kBehind)], 1);
}

TEST(GroupFulfilment, WithoutExplicitPlanMembersPlansAddUp) {
  Regions r;
  r.Plan(r.coal, "2026-04", 100, r.a);
  r.Plan(r.coal, "2026-04", 150, r.b);
  r.Report(r.coal, D(2026, 4, 3), 250, r.b);
  const FulfilmentRow row = r.GroupRow(r.coal, r.north, P("2026-04"), D(2026, 4, 30));
  EXPECT_FALSE(row.explicit_plan);
  EXPECT_EQ(row.plan, 250);
  EXPECT_TRUE(std::isnan(row.plan_difference));
  EXPECT_EQ(row.status, S::kFulfilled);  // a ratio of totals: 250 of 250
}

TEST(GroupFulfilment, QualityIsTheMeanOfUnits) {
  Regions r;
  const IndicatorId quality = r.state.AddIndicator(
      {.code = "quality", .aggregation = Aggregation::kMean, .role = Role::kQuality});
  r.Plan(quality, "2026", 95, r.a);
  r.Plan(quality, "2026", 85, r.b);
  r.Report(quality, D(2026, 4, 3), 90, r.a);
  r.Report(quality, D(2026, 4, 3), 80, r.b);
  const FulfilmentRow row = r.GroupRow(quality, r.north, P("2026-04"), D(2026, 4, 30));
  EXPECT_EQ(row.actual, 85);
  EXPECT_EQ(row.plan, 90);
}

TEST(GroupFulfilment, MeanAggregatedInputsAddUp) {
  Regions r;
  const IndicatorId workers = r.state.AddIndicator(
      {.code = "workers", .aggregation = Aggregation::kMean, .role = Role::kInput});
  r.Report(workers, D(2026, 4, 3), 100, r.a);
  r.Report(workers, D(2026, 4, 4), 300, r.a);
  r.Report(workers, D(2026, 4, 3), 50, r.b);
  r.Plan(workers, "2026", 200, r.a);
  EXPECT_EQ(r.GroupRow(workers, r.north, P("2026-04"), D(2026, 4, 30)).actual, 250);
}

TEST(GroupFulfilment, DerivedIsRatioOfGroupSums) {
  Regions r;
  const IndicatorId energy = r.state.AddIndicator({.code = "energy"});
  const IndicatorId per_t =
      r.state.AddIndicator({.code = "per_t", .numerator = energy, .denominator = r.coal});
  r.Report(energy, D(2026, 4, 1), 10, r.a);
  r.Report(r.coal, D(2026, 4, 1), 1, r.a);
  r.Report(energy, D(2026, 4, 1), 10, r.b);
  r.Report(r.coal, D(2026, 4, 1), 9, r.b);
  r.Plan(per_t, "2026", 3, r.a);
  r.Plan(per_t, "2026", 5, r.b);
  const FulfilmentRow row = r.GroupRow(per_t, r.north, P("2026-04"), D(2026, 4, 30));
  EXPECT_DOUBLE_EQ(row.actual, 2);  // 20 / 10, not the mean of 10 and 1.11
  EXPECT_EQ(row.plan, 4);           // derived plans are levels: their mean
}

TEST(GroupFulfilment, UnitMovingBetweenGroupsCountsWhereItIsOnTheLastDay) {
  Regions r;
  r.state.AddMembership({r.c, r.region, r.north_county, D(2026, 4, 16)});
  r.Plan(r.coal, "2026-04", 100, r.c);
  r.Report(r.coal, D(2026, 4, 3), 40, r.c);
  EXPECT_EQ(r.GroupRow(r.coal, r.south, P("2026-04"), D(2026, 4, 15)).actual, 40);
  EXPECT_EQ(r.GroupRow(r.coal, r.north, P("2026-04"), D(2026, 4, 15)).actual, 0);
  // As of a later day the whole month's actual follows it to the north.
  EXPECT_EQ(r.GroupRow(r.coal, r.north, P("2026-04"), D(2026, 5, 15)).actual, 40);
  EXPECT_EQ(r.GroupRow(r.coal, r.north, P("2026-04"), D(2026, 5, 15)).member_units, 3);
  EXPECT_EQ(r.GroupRow(r.coal, r.south, P("2026-04"), D(2026, 5, 15)).member_units, 0);
}

TEST(GroupFulfilment, UnitsWithoutGroupAreLeftOutButCountInTotal) {
  Regions r;
  r.Plan(r.coal, "2026-04", 100, r.loner);
  const FulfilmentTable t = r.Query(P("2026-04"), D(2026, 4, 30), r.coal, GroupLevel{r.region, 1});
  ASSERT_EQ(t.group_rows.size(), 2u);
  EXPECT_EQ(t.group_rows[0].member_units + t.group_rows[1].member_units, 3);
  ASSERT_EQ(t.total_rows.size(), 1u);
  EXPECT_EQ(t.total_rows[0].member_units, 4);
  EXPECT_EQ(t.total_rows[0].units_with_plan, 1);
  EXPECT_TRUE(t.unit_rows.empty());
}

TEST(GroupFulfilment, SecondLevelGroupsCountTheirUnits) {
  Regions r;
  const FulfilmentTable t = r.Query(P("2026-04"), D(2026, 4, 30), r.coal, GroupLevel{r.region, 2});
  ASSERT_EQ(t.group_rows.size(), 1u);
  EXPECT_EQ(t.group_rows[0].target.id, r.north_county);
  EXPECT_EQ(t.group_rows[0].member_units, 1);
}

TEST(GroupFulfilment, WithinCountsOnlyTheSubtree) {
  Regions r;
  r.Plan(r.coal, "2026-04", 100, r.a);
  r.Plan(r.coal, "2026-04", 200, r.b);
  r.Plan(r.coal, "2026-04", 400, r.c);
  r.Report(r.coal, D(2026, 4, 3), 50, r.a);
  r.Report(r.coal, D(2026, 4, 3), 70, r.c);
  const AssignmentBook book(r.state);
  // Counties of the north: only its one county row; the total is the north's.
  auto t = ComputeFulfilment(r.state, book,
                             {.period = P("2026-04"),
                              .indicator = r.coal,
                              .by = GroupLevel{r.region, 2},
                              .include_units = true,
                              .within = r.north,
                              .as_of = D(2026, 4, 30)});
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->group_rows.size(), 1u);
  EXPECT_EQ(t->group_rows[0].target.id, r.north_county);
  EXPECT_EQ(t->group_rows[0].actual, 50);
  ASSERT_EQ(t->unit_rows.size(), 2u);  // a (in the county) and b (directly in the north)
  EXPECT_EQ(t->unit_rows[0].target.id, r.a);
  EXPECT_EQ(t->unit_rows[1].target.id, r.b);
  ASSERT_EQ(t->total_rows.size(), 1u);
  EXPECT_EQ(t->total_rows[0].member_units, 2);
  EXPECT_EQ(t->total_rows[0].plan, 300);
  EXPECT_EQ(t->total_rows[0].actual, 50);
  // Unit rows alone, within the south.
  t = ComputeFulfilment(r.state, book,
                        {.period = P("2026-04"), .within = r.south, .as_of = D(2026, 4, 30)});
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->unit_rows.size(), 1u);
  EXPECT_EQ(t->unit_rows[0].target.id, r.c);
  EXPECT_EQ(t->total_rows[0].actual, 70);
  EXPECT_EQ(ComputeFulfilment(r.state, book, {.period = P("2026"), .within = 99}).error().code,
            ErrorCode::kNotFound);
}

TEST(ComputeFulfilment, RejectsUnknownIdsAndLevels) {
  Regions r;
  const AssignmentBook book(r.state);
  EXPECT_EQ(ComputeFulfilment(r.state, book, {.period = P("2026"), .indicator = 9}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(
      ComputeFulfilment(r.state, book, {.period = P("2026"), .by = GroupLevel{4, 1}}).error().code,
      ErrorCode::kNotFound);
  EXPECT_EQ(ComputeFulfilment(r.state, book, {.period = P("2026"), .by = GroupLevel{r.region, 3}})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
}

TEST(ComputeFulfilment, EmptyStateGivesNoRows) {
  const State state;
  const AssignmentBook book(state);
  const Result<FulfilmentTable> t =
      ComputeFulfilment(state, book, {.period = P("2026"), .as_of = D(2026, 5, 1)});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->unit_rows.empty());
  EXPECT_TRUE(t->group_rows.empty());
  EXPECT_TRUE(t->total_rows.empty());
}

TEST(ComputeFulfilment, UnitAddedAfterTheBookHasNoPlan) {
  Economy e;
  e.Plan(e.coal, "2026", 10);
  const AssignmentBook book(e.state);
  const UnitId late = e.state.AddUnit({.code = "late"});
  const FulfilmentTable t =
      ComputeFulfilment(e.state, book, {.period = P("2026"), .as_of = D(2026, 5, 1)}).value();
  EXPECT_EQ(t.unit_rows.at(static_cast<size_t>(late)).status, S::kNoPlan);
}

TEST(ComputeFulfilment, AllPlannedIndicatorsByDefault) {
  Economy e;
  const IndicatorId unplanned = e.state.AddIndicator({.code = "unplanned"});
  e.Plan(e.coal, "2026", 10);
  const FulfilmentTable t = e.Query(P("2026"), D(2026, 5, 1));
  ASSERT_EQ(t.unit_rows.size(), 1u);
  EXPECT_EQ(t.unit_rows[0].indicator, e.coal);
  EXPECT_NE(t.unit_rows[0].indicator, unplanned);
}

TEST(RecomputeFulfilment, MatchesTheQueryForAMonth) {
  April a;
  a.Report(a.coal, D(2026, 4, 1), 70);
  a.Report(a.coal, D(2026, 4, 9), 50);
  const AssignmentBook book(a.state);
  FulfilmentGrid grid;
  ASSERT_TRUE(RecomputeFulfilment(a.state, book,
                                  {.year = 2026, .as_of = D(2026, 4, 10), .include_days = true},
                                  grid)
                  .ok());
  ASSERT_EQ(grid.periods.size(), 17u + 365u);
  EXPECT_EQ(grid.periods[5 + 3], P("2026-04"));
  const size_t april = grid.Row(a.coal, a.mine, 5 + 3);
  EXPECT_EQ(grid.actual[april], 120);
  EXPECT_EQ(grid.plan[april], 300);
  EXPECT_DOUBLE_EQ(grid.plan_to_date[april], 100);
  EXPECT_DOUBLE_EQ(grid.forecast[april], 360);
  EXPECT_EQ(grid.status[april], S::kOnTrack);
  EXPECT_EQ(grid.status[grid.Row(a.coal, a.mine, 5)], S::kNoPlan);  // January
  EXPECT_EQ(grid.status[grid.Row(a.coal, a.mine, 0)], S::kNoPlan);  // the year: not covered
  const size_t april_9 = grid.Row(a.coal, a.mine, 17 + 98);
  EXPECT_EQ(grid.periods[17 + 98], P("2026-04-09"));
  EXPECT_EQ(grid.actual[april_9], 50);
  EXPECT_DOUBLE_EQ(grid.plan[april_9], 10);
  EXPECT_EQ(grid.status[april_9], S::kOverfulfilled);
}

TEST(RecomputeFulfilment, GridHoldsOnlyActivePairs) {
  State s;
  const IndicatorId coal = s.AddIndicator({.code = "coal"});
  const IndicatorId workers =
      s.AddIndicator({.code = "workers", .aggregation = Aggregation::kMean});
  const IndicatorId per_worker =
      s.AddIndicator({.code = "per_worker", .numerator = coal, .denominator = workers});
  const IndicatorId workers_per_coal =
      s.AddIndicator({.code = "workers_per_coal", .numerator = workers, .denominator = coal});
  for (int u = 0; u < 4; ++u) s.AddUnit({.code = "u" + std::to_string(u)});
  // Series created out of unit order.
  s.SetReport({3, coal, D(2026, 3, 1), 10});
  s.SetReport({1, coal, D(2026, 3, 1), 20});
  s.SetReport({3, workers, D(2026, 3, 1), 5});
  s.SetReport({2, workers, D(2026, 3, 1), 4});
  s.SetPlan({{false, 0}, per_worker, P("2026"), 2.0});
  const AssignmentBook book(s);
  FulfilmentGrid grid;
  ASSERT_TRUE(RecomputeFulfilment(s, book, {.year = 2026, .as_of = D(2026, 12, 31)}, grid).ok());
  const size_t none = FulfilmentGrid::npos;
  EXPECT_EQ(grid.Find(coal, 0), none);
  EXPECT_NE(grid.Find(coal, 1), none);
  EXPECT_EQ(grid.Find(coal, 2), none);
  EXPECT_NE(grid.Find(coal, 3), none);
  EXPECT_EQ(grid.Find(workers, 1), none);
  // coal / workers: rows where both parts have data, or a plan.
  EXPECT_NE(grid.Find(per_worker, 0), none);  // by its plan only
  EXPECT_EQ(grid.status[grid.Row(per_worker, 0, 0)], S::kNoData);
  EXPECT_EQ(grid.Find(per_worker, 1), none);  // missing (no workers), 1 day of coal
  EXPECT_EQ(grid.Find(per_worker, 2), none);  // 0 (no coal reported) / 4
  EXPECT_EQ(grid.actual[grid.Row(per_worker, 3, 0)], 2);
  // workers / coal.
  EXPECT_EQ(grid.Find(workers_per_coal, 0), none);
  EXPECT_EQ(grid.Find(workers_per_coal, 2), none);
  EXPECT_EQ(grid.actual[grid.Row(workers_per_coal, 3, 0)], 0.5);
  // coal 2, workers 2, per_worker 2, workers_per_coal 1.
  EXPECT_EQ(grid.pair_count(), 7u);
  EXPECT_EQ(grid.status.size(), 7u * 17u);
  EXPECT_EQ(grid.Find(-1, 0), none);
  EXPECT_EQ(grid.Find(coal, 7), none);
}

TEST(RecomputeFulfilment, RejectsYearOutOfRange) {
  const State state;
  const AssignmentBook book(state);
  FulfilmentGrid grid;
  EXPECT_EQ(RecomputeFulfilment(state, book, {.year = 1066}, grid).error().code,
            ErrorCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------
// Property tests: random States against a slow reference that loops over every day.

namespace reference {

bool Divisible(const State& s, IndicatorId i) {
  const Indicator& ind = s.indicators()[static_cast<size_t>(i)];
  return !ind.IsDerived() && ind.aggregation == Aggregation::kSum;
}

double DayWeight(const State& s, const chollima::Plan& p, Date d) {
  switch (p.method) {
    case SplitMethod::kEven:
      return 1;
    case SplitMethod::kWorkdays: {
      bool working = !s.calendar().rest_weekdays[static_cast<size_t>(d.Weekday())];
      for (const auto& [date, w] : s.calendar().exceptions) {
        if (date == d) working = w;
      }
      return working ? 1 : 0;
    }
    case SplitMethod::kProfile: {
      if (p.profile < 0 || p.profile >= static_cast<int32_t>(s.profiles().size())) return 1;
      const CivilDate c = d.ToCivil();
      const double w = s.profiles()[static_cast<size_t>(p.profile)]
                           .month_weights[static_cast<size_t>(c.month - 1)];
      return w > 0 ? w / DaysInMonth(c.year, c.month) : 0;
    }
  }
  return 1;
}

const Date kLo = D(2020, 1, 1);
const Date kHi = D(2030, 1, 1);

struct Daily {
  std::vector<chollima::Plan> plans;  // in processing order
  std::vector<double> value;          // by day from kLo
  std::vector<bool> covered;
  std::vector<PlanInconsistency> bad;
};

class Model {
 public:
  explicit Model(const State& s) : s_(s) {}

  const Daily& DailyOf(const PlanTarget& t, IndicatorId i) {
    const auto key = std::make_tuple(t.is_group, t.id, i);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    Daily out;
    for (const chollima::Plan& p : s_.plans()) {
      if (p.target == t && p.indicator == i && std::isfinite(p.value)) out.plans.push_back(p);
    }
    std::stable_sort(out.plans.begin(), out.plans.end(), [](const auto& a, const auto& b) {
      if (a.period.days() != b.period.days()) return a.period.days() < b.period.days();
      if (a.period.begin != b.period.begin) return a.period.begin < b.period.begin;
      return a.period.grain < b.period.grain;
    });
    const auto n = static_cast<size_t>(kHi - kLo);
    out.value.assign(n, 0);
    out.covered.assign(n, false);
    if (Divisible(s_, i)) {
      for (const chollima::Plan& p : out.plans) {
        double claimed = 0;
        std::vector<Date> free;
        for (Date d = p.period.begin; d < p.period.end; d = d + 1) {
          const auto k = static_cast<size_t>(d - kLo);
          if (out.covered[k]) {
            claimed += out.value[k];
          } else {
            free.push_back(d);
          }
        }
        double remainder = p.value - claimed;
        const double tol = 1e-9 * std::max(std::abs(p.value), std::abs(claimed));
        if (std::abs(remainder) <= tol) remainder = 0;
        if (free.empty()) {
          if (remainder != 0) out.bad.push_back({t, i, p.period, claimed - p.value});
          continue;
        }
        if (remainder < 0) out.bad.push_back({t, i, p.period, -remainder});
        double total = 0;
        for (Date d : free) total += DayWeight(s_, p, d);
        const bool even = !(total > 0);
        if (even) total = static_cast<double>(free.size());
        for (Date d : free) {
          const auto k = static_cast<size_t>(d - kLo);
          out.covered[k] = true;
          const double w = even ? 1.0 : DayWeight(s_, p, d);
          out.value[k] = remainder > 0 ? remainder * w / total : 0;
        }
      }
    }
    return cache_.emplace(key, std::move(out)).first->second;
  }

  double Plan(const PlanTarget& t, IndicatorId i, const Period& q) {
    const Daily& daily = DailyOf(t, i);
    if (Divisible(s_, i)) {
      for (const chollima::Plan& p : daily.plans) {
        if (p.period.begin == q.begin && p.period.end == q.end) return p.value;
      }
      double sum = 0;
      for (Date d = q.begin; d < q.end; d = d + 1) {
        const auto k = static_cast<size_t>(d - kLo);
        if (!daily.covered[k]) return kNaN;
        sum += daily.value[k];
      }
      return sum;
    }
    for (const chollima::Plan& p : daily.plans) {
      if (p.period.Contains(q)) return p.value;
    }
    return kNaN;
  }

  double PlanToDate(const PlanTarget& t, IndicatorId i, const Period& q, Date as_of) {
    const double plan = Plan(t, i, q);
    if (std::isnan(plan)) return kNaN;
    if (as_of < q.begin) return 0;
    if (as_of >= q.end - 1 || !Divisible(s_, i)) return plan;
    const Daily& daily = DailyOf(t, i);
    double sum = 0;
    for (Date d = q.begin; d <= as_of; d = d + 1) sum += daily.value[static_cast<size_t>(d - kLo)];
    return sum;
  }

  // Actual of a unit over [begin, last]; reported days in `days`.
  double UnitActual(UnitId u, IndicatorId i, Date begin, Date last, int32_t& days) {
    const Indicator& ind = s_.indicators()[static_cast<size_t>(i)];
    if (ind.IsDerived()) {
      int32_t ignored = 0;
      const double num = UnitActual(u, ind.numerator, begin, last, days);
      const double den = UnitActual(u, ind.denominator, begin, last, ignored);
      return std::isnan(num) || std::isnan(den) || den == 0 ? kNaN : num / den;
    }
    const int32_t series = s_.FindSeries(u, i);
    std::vector<double> present;
    for (Date d = begin; d <= last; d = d + 1) {
      if (series < 0 || d < s_.origin() || d >= s_.origin() + s_.series_days()) continue;
      const double v = s_.Series(series)[static_cast<size_t>(d - s_.origin())];
      if (!std::isnan(v)) present.push_back(v);
    }
    days = static_cast<int32_t>(present.size());
    double sum = 0;
    for (double v : present) sum += v;
    if (ind.aggregation == Aggregation::kSum) return sum;
    if (present.empty()) return kNaN;
    if (ind.aggregation == Aggregation::kMean) return sum / static_cast<double>(present.size());
    if (ind.aggregation == Aggregation::kLast) return present.back();
    return *std::max_element(present.begin(), present.end());
  }

  double GroupActual(const std::vector<UnitId>& members, IndicatorId i, Date begin, Date last,
                     int32_t& days) {
    const Indicator& ind = s_.indicators()[static_cast<size_t>(i)];
    if (ind.IsDerived()) {
      int32_t ignored = 0;
      const double num = GroupActual(members, ind.numerator, begin, last, days);
      const double den = GroupActual(members, ind.denominator, begin, last, ignored);
      return std::isnan(num) || std::isnan(den) || den == 0 ? kNaN : num / den;
    }
    double sum = 0;
    int present = 0;
    days = 0;
    for (UnitId u : members) {
      int32_t d = 0;
      const double a = UnitActual(u, i, begin, last, d);
      days += d;
      if (std::isnan(a)) continue;
      sum += a;
      ++present;
    }
    if (ind.role == Role::kQuality) return present > 0 ? sum / present : kNaN;
    if (present == 0) return ind.aggregation == Aggregation::kSum ? 0 : kNaN;
    return sum;
  }

  static S StatusOf(double plan, double to_date, double actual, bool started, bool ended,
                    bool higher, bool cumulative) {
    if (std::isnan(plan)) return S::kNoPlan;
    if (!started) return S::kOnTrack;
    if (std::isnan(actual)) return S::kNoData;
    const double tol = 1e-9 * std::max(std::abs(actual), std::abs(plan));
    const bool better = higher ? actual > plan + tol : actual < plan - tol;
    const bool equal = std::abs(actual - plan) <= tol;
    const S final_status = better ? S::kOverfulfilled : equal ? S::kFulfilled : S::kBehind;
    if (ended) return final_status;
    if (higher && cumulative && (better || equal)) return final_status;
    const double x = higher ? actual : to_date;
    const double y = higher ? to_date : actual;
    const double pace = y != 0 ? x / y : (x > 0 ? INFINITY : x == 0 ? 1.0 : -INFINITY);
    if (pace >= 1 - 1e-9) return S::kOnTrack;
    if (pace >= 0.95 * (1 - 1e-9)) return S::kAtRisk;
    return S::kBehind;
  }

  FulfilmentRow UnitRow(UnitId u, IndicatorId i, const Period& q, Date as_of) {
    const Indicator& ind = s_.indicators()[static_cast<size_t>(i)];
    FulfilmentRow row;
    row.target = {false, u};
    row.indicator = i;
    row.plan = Plan(row.target, i, q);
    row.plan_to_date = PlanToDate(row.target, i, q, as_of);
    row.actual = UnitActual(u, i, q.begin, std::min(as_of, q.end - 1), row.reported_days);
    row.status =
        StatusOf(row.plan, row.plan_to_date, row.actual, as_of >= q.begin, as_of >= q.end - 1,
                 ind.direction == Direction::kHigher, Divisible(s_, i));
    return row;
  }

 private:
  const State& s_;
  std::map<std::tuple<bool, int32_t, IndicatorId>, Daily> cache_;
};

}  // namespace reference

bool Near(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::abs(a - b) <= 1e-7 * std::max({1.0, std::abs(a), std::abs(b)});
}

#define EXPECT_NEAR_OR_NAN(a, b, what) \
  EXPECT_TRUE(Near(a, b)) << (what) << ": " << (a) << " vs " << (b)

const Date kFirst = D(2024, 1, 1);  // random plans and reports lie in 2024..2025

struct Random {
  std::mt19937_64 rng;
  explicit Random(uint64_t seed) : rng(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  double Real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
  Date Day() { return kFirst + Int(0, 730); }
  double Value(double lo, double hi) { return Chance(0.5) ? Int(int(lo), int(hi)) : Real(lo, hi); }
  Period RandomPeriod(Date around) {
    const int g = Int(0, 6);
    if (g == 6) {
      // A one-year span ties with the year plan of the same days.
      const int first = Int(2024, 2025);
      return Chance(0.5) ? MultiYear(2024, 2025) : MultiYear(first, first);
    }
    return PeriodOf(static_cast<Grain>(g), around);
  }
};

State RandomState(uint64_t seed) {
  Random r(seed);
  State s;
  WorkCalendar calendar;
  calendar.rest_weekdays[5] = r.Chance(0.3);
  for (int k = r.Int(0, 6); k > 0; --k) {
    const Date d = r.Day();
    calendar.exceptions.push_back({d, r.Chance(0.5)});
    if (r.Chance(0.3)) calendar.exceptions.push_back({d, r.Chance(0.5)});
  }
  s.SetCalendar(calendar);
  for (int p = 0; p < 2; ++p) {
    Profile profile{.code = "p" + std::to_string(p)};
    const bool all_zero = r.Chance(0.1);
    for (double& w : profile.month_weights) w = all_zero ? 0 : r.Int(0, 3);
    s.AddProfile(profile);
  }
  const int base = r.Int(2, 4);
  for (int k = 0; k < base; ++k) {
    const int role = r.Int(0, 4);
    s.AddIndicator({.code = "i" + std::to_string(k),
                    .direction = r.Chance(0.3) ? Direction::kLower : Direction::kHigher,
                    .aggregation = static_cast<Aggregation>(r.Chance(0.5) ? 0 : r.Int(1, 3)),
                    .role = role == 0   ? Role::kQuality
                            : role == 1 ? Role::kInput
                                        : Role::kOutput});
  }
  for (int k = r.Int(0, 2); k > 0; --k) {
    const auto n = static_cast<IndicatorId>(s.indicators().size());
    const IndicatorId num = r.Int(0, n - 1);
    IndicatorId den = r.Int(0, base - 1);
    if (den == num) den = (den + 1) % base;
    s.AddIndicator({.code = "d" + std::to_string(n),
                    .direction = r.Chance(0.5) ? Direction::kLower : Direction::kHigher,
                    .numerator = num,
                    .denominator = den});
  }
  const HierarchyId region = s.AddHierarchy({.code = "region"});
  for (int root = r.Int(1, 3); root > 0; --root) {
    const GroupId g = s.AddGroup({.hierarchy = region, .code = "r" + std::to_string(root)});
    for (int child = r.Int(0, 2); child > 0; --child) {
      s.AddGroup({.hierarchy = region,
                  .code = "r" + std::to_string(root) + "c" + std::to_string(child),
                  .parent = g});
    }
  }
  const HierarchyId sector = s.AddHierarchy({.code = "sector"});
  for (int k = r.Int(1, 2); k > 0; --k) {
    s.AddGroup({.hierarchy = sector, .code = "s" + std::to_string(k)});
  }
  std::vector<std::vector<GroupId>> groups_of(2);
  for (GroupId g = 0; g < static_cast<GroupId>(s.groups().size()); ++g) {
    groups_of[static_cast<size_t>(s.groups()[static_cast<size_t>(g)].hierarchy)].push_back(g);
  }
  auto random_group = [&](HierarchyId h) {
    const auto& list = groups_of[static_cast<size_t>(h)];
    return list[static_cast<size_t>(r.Int(0, static_cast<int>(list.size()) - 1))];
  };
  for (int k = r.Int(1, 7); k > 0; --k) {
    const UnitId u = s.AddUnit({.code = "u" + std::to_string(k)});
    for (HierarchyId h : {region, sector}) {
      if (r.Chance(0.85)) {
        s.AddMembership({u, h, random_group(h), r.Chance(0.8) ? kBeginningOfTime : r.Day()});
      }
      if (r.Chance(0.35)) s.AddMembership({u, h, random_group(h), r.Day()});
    }
  }
  auto add_plans = [&](const PlanTarget& t, IndicatorId i) {
    const Date around = r.Day();
    for (int k = r.Int(1, 4); k > 0; --k) {
      const Period period = r.RandomPeriod(r.Chance(0.6) ? around : r.Day());
      const double value =
          reference::Divisible(s, i) ? period.days() * r.Value(0, 4) : r.Value(1, 20);
      s.SetPlan({t, i, period, value, static_cast<SplitMethod>(r.Int(0, 2)),
                 r.Chance(0.05) ? kNoId : r.Int(0, 1)});
    }
  };
  for (IndicatorId i = 0; i < static_cast<IndicatorId>(s.indicators().size()); ++i) {
    for (UnitId u = 0; u < static_cast<UnitId>(s.units().size()); ++u) {
      if (r.Chance(0.6)) add_plans({false, u}, i);
    }
    for (GroupId g = 0; g < static_cast<GroupId>(s.groups().size()); ++g) {
      if (r.Chance(0.25)) add_plans({true, g}, i);
    }
  }
  for (UnitId u = 0; u < static_cast<UnitId>(s.units().size()); ++u) {
    for (IndicatorId i = 0; i < base; ++i) {
      if (!r.Chance(0.75)) continue;
      const double density = r.Real(0.05, 0.4);
      for (Date d = kFirst; d < kFirst + 731; d = d + 1) {
        if (r.Chance(density)) s.SetReport({u, i, d, r.Value(0, 20)});
      }
    }
  }
  return s;
}

// Uses the Divisible of the reference (same rule) in the generator.
bool Divisible(const State& s, IndicatorId i) { return reference::Divisible(s, i); }

void CheckUnitRow(const FulfilmentRow& got, const FulfilmentRow& want, const std::string& what) {
  EXPECT_EQ(got.target, want.target) << what;
  EXPECT_EQ(got.indicator, want.indicator) << what;
  EXPECT_NEAR_OR_NAN(got.plan, want.plan, what + " plan");
  EXPECT_NEAR_OR_NAN(got.plan_to_date, want.plan_to_date, what + " plan_to_date");
  EXPECT_NEAR_OR_NAN(got.actual, want.actual, what + " actual");
  EXPECT_EQ(got.reported_days, want.reported_days) << what;
  EXPECT_EQ(got.status, want.status)
      << what << " status " << StatusName(got.status) << " vs " << StatusName(want.status);
}

std::vector<GroupId> GroupsAtLevel(const State& s, HierarchyId h, int level) {
  std::vector<GroupId> out;
  for (GroupId g = 0; g < static_cast<GroupId>(s.groups().size()); ++g) {
    const Group& group = s.groups()[static_cast<size_t>(g)];
    if (group.hierarchy == h && group.depth == level) out.push_back(g);
  }
  return out;
}

// The reference group (or total, when group == kNoId) row.
FulfilmentRow ReferenceGroupRow(const State& s, reference::Model& model, GroupId group,
                                const std::vector<UnitId>& members, IndicatorId i, const Period& q,
                                Date as_of) {
  const Indicator& ind = s.indicators()[static_cast<size_t>(i)];
  FulfilmentRow row;
  row.target = {true, group};
  row.indicator = i;
  row.member_units = static_cast<int32_t>(members.size());
  const Date last = std::min(as_of, q.end - 1);
  double plan_sum = 0;
  double to_date_sum = 0;
  for (UnitId u : members) {
    const FulfilmentRow unit = model.UnitRow(u, i, q, as_of);
    ++row.unit_counts[static_cast<size_t>(unit.status)];
    if (std::isnan(unit.plan)) continue;
    ++row.units_with_plan;
    plan_sum += unit.plan;
    to_date_sum += unit.plan_to_date;
  }
  const bool mean = ind.role == Role::kQuality || ind.IsDerived();
  const double divisor = mean ? row.units_with_plan : 1;
  row.members_plan = row.units_with_plan > 0 ? plan_sum / divisor : kNaN;
  const double explicit_plan = group == kNoId ? kNaN : model.Plan(row.target, i, q);
  row.explicit_plan = !std::isnan(explicit_plan);
  row.plan = row.explicit_plan ? explicit_plan : row.members_plan;
  row.plan_to_date = row.explicit_plan         ? model.PlanToDate(row.target, i, q, as_of)
                     : row.units_with_plan > 0 ? to_date_sum / divisor
                                               : kNaN;
  row.plan_difference = row.explicit_plan ? explicit_plan - row.members_plan : kNaN;
  row.actual = model.GroupActual(members, i, q.begin, last, row.reported_days);
  row.status = reference::Model::StatusOf(row.plan, row.plan_to_date, row.actual, as_of >= q.begin,
                                          as_of >= q.end - 1, ind.direction == Direction::kHigher,
                                          Divisible(s, i));
  return row;
}

void CheckGroupRow(const FulfilmentRow& got, const FulfilmentRow& want, const std::string& what) {
  CheckUnitRow(got, want, what);
  EXPECT_EQ(got.explicit_plan, want.explicit_plan) << what;
  EXPECT_NEAR_OR_NAN(got.members_plan, want.members_plan, what + " members_plan");
  EXPECT_NEAR_OR_NAN(got.plan_difference, want.plan_difference, what + " plan_difference");
  EXPECT_EQ(got.member_units, want.member_units) << what;
  EXPECT_EQ(got.units_with_plan, want.units_with_plan) << what;
  EXPECT_EQ(got.unit_counts, want.unit_counts) << what;
}

constexpr int kRandomStates = 300;

TEST(AssignmentProperty, BookMatchesDayByDayReference) {
  for (int seed = 1; seed <= kRandomStates; ++seed) {
    const State s = RandomState(static_cast<uint64_t>(seed));
    const AssignmentBook book(s);
    reference::Model model(s);
    std::vector<PlanInconsistency> want_bad;
    auto check_target = [&](const PlanTarget& t, IndicatorId i) {
      const reference::Daily& daily = model.DailyOf(t, i);
      want_bad.insert(want_bad.end(), daily.bad.begin(), daily.bad.end());
      if (!Divisible(s, i) || daily.plans.empty()) return;
      const std::vector<double> got = book.DailyAssignments(t, i, reference::kLo, reference::kHi);
      for (size_t k = 0; k < got.size(); ++k) {
        ASSERT_TRUE(Near(got[k], daily.value[k]))
            << "seed " << seed << " day " << FormatDate(reference::kLo + static_cast<int32_t>(k))
            << ": " << got[k] << " vs " << daily.value[k];
      }
    };
    for (IndicatorId i = 0; i < static_cast<IndicatorId>(s.indicators().size()); ++i) {
      for (UnitId u = 0; u < static_cast<UnitId>(s.units().size()); ++u)
        check_target({false, u}, i);
    }
    for (IndicatorId i = 0; i < static_cast<IndicatorId>(s.indicators().size()); ++i) {
      for (GroupId g = 0; g < static_cast<GroupId>(s.groups().size()); ++g)
        check_target({true, g}, i);
    }
    ASSERT_EQ(book.inconsistencies().size(), want_bad.size()) << "seed " << seed;
    for (size_t k = 0; k < want_bad.size(); ++k) {
      EXPECT_EQ(book.inconsistencies()[k].target, want_bad[k].target) << "seed " << seed;
      EXPECT_EQ(book.inconsistencies()[k].period, want_bad[k].period) << "seed " << seed;
      EXPECT_TRUE(Near(book.inconsistencies()[k].excess, want_bad[k].excess)) << "seed " << seed;
    }
  }
}

TEST(FulfilmentProperty, QueriesMatchDayByDayReference) {
  for (int seed = 1; seed <= kRandomStates; ++seed) {
    const State s = RandomState(static_cast<uint64_t>(seed));
    const AssignmentBook book(s);
    reference::Model model(s);
    Random r(static_cast<uint64_t>(seed) * 7919);
    for (int k = 0; k < 4; ++k) {
      FulfilmentQuery q;
      q.period = r.RandomPeriod(D(2023, 12, 1) + r.Int(0, 800));
      q.as_of = q.period.begin + r.Int(-5, q.period.days() + 5);
      if (r.Chance(0.3)) q.indicator = r.Int(0, static_cast<int>(s.indicators().size()) - 1);
      if (r.Chance(0.7)) {
        const HierarchyId h = r.Int(0, 1);
        q.by = GroupLevel{h, r.Int(1, s.Depth(h))};
        q.include_units = r.Chance(0.5);
      }
      const std::string what = "seed " + std::to_string(seed) + " query " + std::to_string(k) +
                               " " + FormatPeriod(q.period) + " as of " + FormatDate(q.as_of);
      const Result<FulfilmentTable> got = ComputeFulfilment(s, book, q);
      ASSERT_TRUE(got.ok()) << what << ": " << got.error().message;
      std::vector<IndicatorId> indicators;
      if (q.indicator) {
        indicators.push_back(*q.indicator);
      } else {
        for (IndicatorId i = 0; i < static_cast<IndicatorId>(s.indicators().size()); ++i) {
          for (const chollima::Plan& p : s.plans()) {
            if (p.indicator == i) {
              indicators.push_back(i);
              break;
            }
          }
        }
      }
      const auto units = static_cast<UnitId>(s.units().size());
      const Date last = std::min(q.as_of, q.period.end - 1);
      std::vector<GroupId> groups;
      if (q.by) groups = GroupsAtLevel(s, q.by->hierarchy, q.by->level);
      const bool with_units = !q.by || q.include_units;
      ASSERT_EQ(got->unit_rows.size(),
                with_units ? indicators.size() * static_cast<size_t>(units) : 0u)
          << what;
      ASSERT_EQ(got->group_rows.size(), indicators.size() * groups.size()) << what;
      ASSERT_EQ(got->total_rows.size(), indicators.size()) << what;
      size_t unit_row = 0;
      size_t group_row = 0;
      for (size_t n = 0; n < indicators.size(); ++n) {
        const IndicatorId i = indicators[n];
        std::vector<UnitId> all;
        for (UnitId u = 0; u < units; ++u) {
          all.push_back(u);
          if (!with_units) continue;
          CheckUnitRow(got->unit_rows[unit_row++], model.UnitRow(u, i, q.period, q.as_of),
                       what + " unit " + std::to_string(u) + " indicator " + std::to_string(i));
        }
        for (GroupId g : groups) {
          std::vector<UnitId> members;
          for (UnitId u = 0; u < units; ++u) {
            if (s.AncestorAt(s.GroupOf(u, q.by->hierarchy, last), q.by->level) == g) {
              members.push_back(u);
            }
          }
          CheckGroupRow(got->group_rows[group_row++],
                        ReferenceGroupRow(s, model, g, members, i, q.period, q.as_of),
                        what + " group " + std::to_string(g) + " indicator " + std::to_string(i));
        }
        CheckGroupRow(got->total_rows[n],
                      ReferenceGroupRow(s, model, kNoId, all, i, q.period, q.as_of),
                      what + " total, indicator " + std::to_string(i));
      }
      if (HasFailure()) return;
    }
  }
}

// The actual and reported days of (i, u, period p) read from the grid, by the rule
// FulfilmentGrid documents for omitted pairs.
std::pair<double, int32_t> OmittedActual(const State& s, const FulfilmentGrid& grid, IndicatorId i,
                                         UnitId u, size_t p, int depth = 0) {
  const size_t base = grid.Find(i, u);
  if (base != FulfilmentGrid::npos) return {grid.actual[base + p], grid.reported_days[base + p]};
  const Indicator& ind = s.indicators()[static_cast<size_t>(i)];
  if (!ind.IsDerived()) return {ind.aggregation == Aggregation::kSum ? 0.0 : kNaN, 0};
  const auto n = static_cast<IndicatorId>(s.indicators().size());
  if (depth > n || ind.numerator < 0 || ind.numerator >= n || ind.denominator < 0 ||
      ind.denominator >= n) {
    return {kNaN, 0};
  }
  const auto [x, days] = OmittedActual(s, grid, ind.numerator, u, p, depth + 1);
  const double y = OmittedActual(s, grid, ind.denominator, u, p, depth + 1).first;
  return {std::isnan(x) || std::isnan(y) || y == 0 ? kNaN : x / y, days};
}

TEST(FulfilmentProperty, GridMatchesDayByDayReference) {
  FulfilmentGrid grid;  // reused across States, as a server would
  for (int seed = 1; seed <= kRandomStates; ++seed) {
    const State s = RandomState(static_cast<uint64_t>(seed));
    const AssignmentBook book(s);
    reference::Model model(s);
    Random r(static_cast<uint64_t>(seed) * 104729);
    const int year = r.Int(2024, 2025);
    const RecomputeOptions options{
        .year = year, .as_of = D(year, 1, 1) + r.Int(-5, 370), .include_days = seed % 10 == 0};
    ASSERT_TRUE(RecomputeFulfilment(s, book, options, grid).ok());
    ASSERT_EQ(grid.periods.size(),
              options.include_days ? 17u + static_cast<size_t>(DaysInYear(year)) : 17u);
    size_t active = 0;
    for (IndicatorId i = 0; i < static_cast<IndicatorId>(s.indicators().size()); ++i) {
      for (UnitId u = 0; u < static_cast<UnitId>(s.units().size()); ++u) {
        const size_t base = grid.Find(i, u);
        const std::string pair = "seed " + std::to_string(seed) + " unit " + std::to_string(u) +
                                 " indicator " + std::to_string(i);
        // A pair with a series or a plan is always in the grid.
        if (s.FindSeries(u, i) >= 0 || book.HasPlans({false, u}, i)) {
          EXPECT_NE(base, FulfilmentGrid::npos) << pair;
        }
        if (base != FulfilmentGrid::npos) {
          ++active;
          EXPECT_EQ(base % grid.periods.size(), 0u) << pair;
          EXPECT_EQ(grid.pair_unit[base / grid.periods.size()], u) << pair;
        }
        for (size_t p = 0; p < grid.periods.size(); ++p) {
          const FulfilmentRow want = model.UnitRow(u, i, grid.periods[p], options.as_of);
          const std::string what = pair + " " + FormatPeriod(grid.periods[p]);
          if (base == FulfilmentGrid::npos) {
            // Absent: the documented row of an inactive pair.
            FulfilmentRow got = want;
            got.plan = kNaN;
            got.plan_to_date = kNaN;
            std::tie(got.actual, got.reported_days) = OmittedActual(s, grid, i, u, p);
            got.status = S::kNoPlan;
            CheckUnitRow(got, want, what + " (absent)");
            if (HasFailure()) return;
            continue;
          }
          const size_t row = base + p;
          FulfilmentRow got = want;
          got.plan = grid.plan[row];
          got.plan_to_date = grid.plan_to_date[row];
          got.actual = grid.actual[row];
          got.reported_days = grid.reported_days[row];
          got.status = grid.status[row];
          CheckUnitRow(got, want, what);
          if (HasFailure()) return;
        }
      }
    }
    EXPECT_EQ(grid.pair_count(), active) << "seed " << seed;
    EXPECT_EQ(grid.plan.size(), active * grid.periods.size()) << "seed " << seed;
  }
}

TEST(FulfilmentProperty, GridFiguresMatchQueryFigures) {
  for (int seed = 1; seed <= 60; ++seed) {
    const State s = RandomState(static_cast<uint64_t>(seed));
    const AssignmentBook book(s);
    const Date as_of = D(2025, 1, 1) + seed * 6;
    FulfilmentGrid grid;
    ASSERT_TRUE(RecomputeFulfilment(s, book, {.year = 2025, .as_of = as_of}, grid).ok());
    for (size_t p = 0; p < grid.periods.size(); ++p) {
      const FulfilmentTable t =
          ComputeFulfilment(s, book, {.period = grid.periods[p], .as_of = as_of}).value();
      for (const FulfilmentRow& row : t.unit_rows) {
        const size_t g = grid.Row(row.indicator, row.target.id, p);
        const std::string what =
            "seed " + std::to_string(seed) + " " + FormatPeriod(grid.periods[p]);
        if (g == FulfilmentGrid::npos) {  // an inactive pair: no plan, so no figures
          EXPECT_FALSE(book.HasPlans(row.target, row.indicator)) << what;
          EXPECT_EQ(row.status, S::kNoPlan) << what;
          EXPECT_TRUE(std::isnan(row.percent) && std::isnan(row.pace) && std::isnan(row.forecast))
              << what;
          continue;
        }
        EXPECT_NEAR_OR_NAN(grid.percent[g], row.percent, what + " percent");
        EXPECT_NEAR_OR_NAN(grid.pace[g], row.pace, what + " pace");
        EXPECT_NEAR_OR_NAN(grid.forecast[g], row.forecast, what + " forecast");
      }
    }
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace chollima::engine
