#include "engine/assignments.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace chollima::engine {
namespace {

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }
Period P(std::string_view text) { return ParsePeriod(text).value(); }

double Sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

// One unit, one sum-aggregated indicator.
struct OneUnit {
  State state;
  UnitId unit = state.AddUnit({.code = "mine"});
  IndicatorId coal = state.AddIndicator({.code = "coal"});
  PlanTarget target{false, unit};

  void SetPlan(std::string_view period, double value, SplitMethod method = SplitMethod::kEven,
               int32_t profile = kNoId) {
    state.SetPlan({target, coal, P(period), value, method, profile});
  }
  AssignmentBook Book() const { return AssignmentBook(state); }
  double DayValue(const AssignmentBook& book, Date d) const {
    return book.DailyAssignments(target, coal, d, d + 1).at(0);
  }
};

TEST(SplitWeights, EvenIsOnePerDay) {
  std::vector<double> w(3);
  SplitWeights(SplitMethod::kEven, nullptr, {}, D(2026, 1, 1), w);
  EXPECT_EQ(w, (std::vector<double>{1, 1, 1}));
}

TEST(SplitWeights, WorkdaysHonourRestDaysAndExceptions) {
  WorkCalendar cal;  // Sunday rests
  cal.exceptions = {{D(2026, 2, 16), false}, {D(2026, 2, 22), true}};
  std::vector<double> w(28);
  SplitWeights(SplitMethod::kWorkdays, nullptr, cal, D(2026, 2, 1), w);
  EXPECT_EQ(w[0], 0);   // Sunday 1 Feb
  EXPECT_EQ(w[1], 1);   // Monday
  EXPECT_EQ(w[15], 0);  // Monday 16 Feb, a holiday
  EXPECT_EQ(w[21], 1);  // Sunday 22 Feb, a working Sunday
  EXPECT_EQ(Sum(w), 24);
}

TEST(SplitWeights, LaterExceptionForADateWins) {
  WorkCalendar cal;
  cal.exceptions = {{D(2026, 2, 17), false},
                    {D(2026, 2, 17), true},
                    {D(2026, 2, 18), true},
                    {D(2026, 2, 18), false}};
  std::vector<double> w(2);
  SplitWeights(SplitMethod::kWorkdays, nullptr, cal, D(2026, 2, 17), w);
  EXPECT_EQ(w, (std::vector<double>{1, 0}));
}

TEST(SplitWeights, ProfileGivesEachMonthItsWeight) {
  Profile season{.code = "s", .month_weights = {2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -5}};
  std::vector<double> w(366);
  SplitWeights(SplitMethod::kProfile, &season, {}, D(2024, 1, 1), w);
  EXPECT_DOUBLE_EQ(w[0], 2.0 / 31);
  EXPECT_DOUBLE_EQ(w[31 + 28], 1.0 / 29);  // 29 Feb 2024
  EXPECT_EQ(w[365], 0);                    // negative weight counts 0
}

TEST(AssignmentBook, EvenYearPlanGivesOnePerDay) {
  OneUnit u;
  u.SetPlan("2026", 365);
  const AssignmentBook book = u.Book();
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 7, 4)), 1);
  EXPECT_DOUBLE_EQ(book.Plan(u.target, u.coal, P("2026-01")), 31);
  EXPECT_DOUBLE_EQ(book.Plan(u.target, u.coal, P("2026-Q1")), 90);
  EXPECT_EQ(book.Plan(u.target, u.coal, P("2026")), 365);
}

TEST(AssignmentBook, WorkdaysSplitSkipsHolidayAndUsesWorkingSunday) {
  OneUnit u;
  u.state.SetCalendar({.exceptions = {{D(2026, 2, 16), false}, {D(2026, 2, 22), true}}});
  u.SetPlan("2026-02", 240, SplitMethod::kWorkdays);
  const AssignmentBook book = u.Book();
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 2, 2)), 10);
  EXPECT_EQ(u.DayValue(book, D(2026, 2, 15)), 0);          // Sunday
  EXPECT_EQ(u.DayValue(book, D(2026, 2, 16)), 0);          // holiday
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 2, 22)), 10);  // working Sunday
  EXPECT_DOUBLE_EQ(book.PlanToDate(u.target, u.coal, P("2026-02"), D(2026, 2, 7)), 60);
}

TEST(AssignmentBook, ProfileSplitFollowsMonthWeights) {
  OneUnit u;
  const int32_t season =
      u.state.AddProfile({.code = "winter", .month_weights = {2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}});
  u.SetPlan("2026", 1300, SplitMethod::kProfile, season);
  const AssignmentBook book = u.Book();
  EXPECT_NEAR(book.Plan(u.target, u.coal, P("2026-01")), 200, 1e-9);
  EXPECT_NEAR(book.Plan(u.target, u.coal, P("2026-02")), 100, 1e-9);
  EXPECT_NEAR(u.DayValue(book, D(2026, 1, 10)), 200.0 / 31, 1e-12);
  EXPECT_NEAR(u.DayValue(book, D(2026, 2, 10)), 100.0 / 28, 1e-12);
}

TEST(AssignmentBook, ExplicitMonthOverridesYearAndRemainderIsSpread) {
  OneUnit u;
  u.SetPlan("2026", 365);
  u.SetPlan("2026-01", 62);
  const AssignmentBook book = u.Book();
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 1, 5)), 2);
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 2, 1)), 303.0 / 334);
  EXPECT_EQ(book.Plan(u.target, u.coal, P("2026-01")), 62);
  EXPECT_NEAR(book.Plan(u.target, u.coal, P("2026-Q1")), 62 + 59 * 303.0 / 334, 1e-9);
  EXPECT_NEAR(Sum(book.DailyAssignments(u.target, u.coal, D(2026, 1, 1), D(2027, 1, 1))), 365,
              1e-9);
  EXPECT_TRUE(book.inconsistencies().empty());
}

TEST(AssignmentBook, NestingIsRecursiveYearQuarterMonth) {
  OneUnit u;
  u.SetPlan("2026", 1000);
  u.SetPlan("2026-Q1", 400);
  u.SetPlan("2026-01", 310);
  const AssignmentBook book = u.Book();
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 1, 9)), 10);
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 2, 9)), 90.0 / 59);    // Q1 minus January
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 5, 9)), 600.0 / 275);  // year minus Q1
  EXPECT_NEAR(book.AssignmentOver(u.target, u.coal, D(2026, 1, 1), D(2027, 1, 1)), 1000, 1e-9);
}

TEST(AssignmentBook, NegativeRemainderIsClampedAndReported) {
  OneUnit u;
  u.SetPlan("2026", 100);
  u.SetPlan("2026-01", 150);
  const AssignmentBook book = u.Book();
  EXPECT_EQ(u.DayValue(book, D(2026, 3, 1)), 0);
  EXPECT_EQ(book.Plan(u.target, u.coal, P("2026-02")), 0);
  EXPECT_EQ(book.Plan(u.target, u.coal, P("2026")), 100);  // the explicit value
  ASSERT_EQ(book.inconsistencies().size(), 1u);
  const PlanInconsistency& bad = book.inconsistencies()[0];
  EXPECT_EQ(bad.target, u.target);
  EXPECT_EQ(bad.indicator, u.coal);
  EXPECT_EQ(bad.period, P("2026"));
  EXPECT_DOUBLE_EQ(bad.excess, 50);
}

TEST(AssignmentBook, FullyCoveredPlanThatDoesNotAddUpIsReported) {
  OneUnit u;
  u.SetPlan("2026-H1", 100);
  u.SetPlan("2026-Q1", 40);
  u.SetPlan("2026-Q2", 50);
  const AssignmentBook book = u.Book();
  ASSERT_EQ(book.inconsistencies().size(), 1u);
  EXPECT_DOUBLE_EQ(book.inconsistencies()[0].excess, -10);
  EXPECT_EQ(book.Plan(u.target, u.coal, P("2026-H1")), 100);
}

TEST(AssignmentBook, WeekCrossingMonthsSumsItsDays) {
  OneUnit u;
  u.SetPlan("2026-01", 31);
  u.SetPlan("2026-02", 56);
  const AssignmentBook book = u.Book();
  // 2026-W05 runs from Monday 26 January to Sunday 1 February.
  EXPECT_DOUBLE_EQ(book.Plan(u.target, u.coal, P("2026-W05")), 6 + 2);
}

TEST(AssignmentBook, ExplicitWeekCrossingMonthsWinsOnItsDays) {
  OneUnit u;
  u.SetPlan("2026-01", 31);
  u.SetPlan("2026-02", 28);
  u.SetPlan("2026-W05", 14);
  const AssignmentBook book = u.Book();
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 1, 27)), 2);
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 1, 5)), (31.0 - 12) / 25);
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 2, 5)), (28.0 - 2) / 27);
  EXPECT_NEAR(book.AssignmentOver(u.target, u.coal, D(2026, 1, 1), D(2026, 2, 1)), 31, 1e-9);
  EXPECT_EQ(book.Plan(u.target, u.coal, P("2026-W05")), 14);
}

TEST(AssignmentBook, LeapDayGetsItsShare) {
  OneUnit u;
  u.SetPlan("2024", 366);
  const AssignmentBook book = u.Book();
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2024, 2, 29)), 1);
  EXPECT_DOUBLE_EQ(book.Plan(u.target, u.coal, P("2024-02")), 29);
  EXPECT_EQ(book.Plan(u.target, u.coal, P("2024-02-29")), 1);
}

TEST(AssignmentBook, PeriodNotFullyCoveredHasNoPlan) {
  OneUnit u;
  u.SetPlan("2026-01", 31);
  const AssignmentBook book = u.Book();
  EXPECT_TRUE(std::isnan(book.Plan(u.target, u.coal, P("2026-Q1"))));
  EXPECT_TRUE(std::isnan(book.Plan(u.target, u.coal, P("2026-W05"))));
  EXPECT_DOUBLE_EQ(book.Plan(u.target, u.coal, P("2026-01-20")), 1);
  EXPECT_FALSE(book.Covers(u.target, u.coal, D(2026, 1, 30), D(2026, 2, 2)));
}

TEST(AssignmentBook, AllZeroWeightsFallBackToEven) {
  OneUnit u;
  u.SetPlan("2026-02-01", 5, SplitMethod::kWorkdays);  // a Sunday
  u.SetPlan("2026-W05", 19, SplitMethod::kWorkdays);   // six workdays, Sunday taken
  const AssignmentBook book = u.Book();
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 2, 1)), 5);
  EXPECT_DOUBLE_EQ(u.DayValue(book, D(2026, 1, 26)), 14.0 / 6);
}

TEST(AssignmentBook, YearWinsOverOneYearMultiYearWithTheSameDays) {
  OneUnit u;
  u.state.SetPlan({u.target, u.coal, MultiYear(2026, 2026), 500});
  u.SetPlan("2026", 365);
  const AssignmentBook book = u.Book();
  EXPECT_EQ(book.Plan(u.target, u.coal, P("2026")), 365);
  ASSERT_EQ(book.inconsistencies().size(), 1u);
  EXPECT_EQ(book.inconsistencies()[0].period.grain, Grain::kMultiYear);
  EXPECT_DOUBLE_EQ(book.inconsistencies()[0].excess, -135);
}

TEST(AssignmentBook, PlanToDateBeforeDuringAndAfter) {
  OneUnit u;
  u.SetPlan("2026-04", 300);
  const AssignmentBook book = u.Book();
  const Period april = P("2026-04");
  EXPECT_EQ(book.PlanToDate(u.target, u.coal, april, D(2026, 3, 31)), 0);
  EXPECT_DOUBLE_EQ(book.PlanToDate(u.target, u.coal, april, D(2026, 4, 10)), 100);
  EXPECT_EQ(book.PlanToDate(u.target, u.coal, april, D(2026, 5, 10)), 300);
}

TEST(AssignmentBook, LevelPlanIsTheShortestContainingPlan) {
  OneUnit u;
  const IndicatorId workers =
      u.state.AddIndicator({.code = "workers", .aggregation = Aggregation::kMean});
  u.state.SetPlan({u.target, workers, P("2026"), 50});
  u.state.SetPlan({u.target, workers, P("2026-Q2"), 60});
  const AssignmentBook book = u.Book();
  EXPECT_EQ(book.Plan(u.target, workers, P("2026-05")), 60);
  EXPECT_EQ(book.Plan(u.target, workers, P("2026-01")), 50);
  EXPECT_EQ(book.Plan(u.target, workers, P("2026-W14")), 50);  // crosses Q1 and Q2
  EXPECT_EQ(book.Plan(u.target, workers, P("2026")), 50);
  EXPECT_TRUE(std::isnan(book.Plan(u.target, workers, P("2027-01"))));
  EXPECT_EQ(book.PlanToDate(u.target, workers, P("2026-05"), D(2026, 5, 3)), 60);
  EXPECT_TRUE(book.DailyAssignments(u.target, workers, D(2026, 1, 1), D(2026, 2, 1)).empty());
}

TEST(AssignmentBook, DerivedIndicatorPlansAreLevels) {
  OneUnit u;
  const IndicatorId workers = u.state.AddIndicator({.code = "workers"});
  const IndicatorId per_worker =
      u.state.AddIndicator({.code = "per_worker", .numerator = u.coal, .denominator = workers});
  u.state.SetPlan({u.target, per_worker, P("2026"), 4.5});
  const AssignmentBook book = u.Book();
  EXPECT_FALSE(book.IsDivisible(per_worker));
  EXPECT_EQ(book.Plan(u.target, per_worker, P("2026-03")), 4.5);
}

TEST(AssignmentBook, EmptyStateHasNoPlans) {
  const State state;
  const AssignmentBook book(state);
  EXPECT_TRUE(book.planned_indicators().empty());
  EXPECT_TRUE(std::isnan(book.Plan({false, 0}, 0, P("2026"))));
  EXPECT_EQ(book.KeyOf({false, 0}, 0), -1);
}

TEST(AssignmentBook, InvalidPlansAreIgnored) {
  OneUnit u;
  u.state.SetPlan({u.target, u.coal, P("2026"), std::nan("")});
  u.state.SetPlan({{false, 7}, u.coal, P("2026"), 1});
  const AssignmentBook book = u.Book();
  EXPECT_FALSE(book.HasPlans(u.target, u.coal));
  EXPECT_TRUE(book.planned_indicators().empty());
}

TEST(DecomposePlans, MatchesTheBook) {
  OneUnit u;
  u.SetPlan("2026", 1000, SplitMethod::kWorkdays);
  u.SetPlan("2026-03", 120);
  const AssignmentBook book = u.Book();
  const DailyAssignment daily = DecomposePlans(u.state.plans(), u.state.calendar(),
                                               u.state.profiles(), D(2025, 12, 30), D(2026, 4, 2));
  const std::vector<double> expected =
      book.DailyAssignments(u.target, u.coal, D(2025, 12, 30), D(2026, 4, 2));
  ASSERT_EQ(daily.daily.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_DOUBLE_EQ(daily.daily[i], expected[i]);
  EXPECT_EQ(daily.covered[0], 0);
  EXPECT_EQ(daily.covered[2], 1);
  EXPECT_EQ(daily.daily[0], 0);
}

struct TwoGroups {
  State state;
  HierarchyId region = state.AddHierarchy({.code = "region"});
  GroupId north = state.AddGroup({.hierarchy = region, .code = "north"});
  GroupId south = state.AddGroup({.hierarchy = region, .code = "south"});
  UnitId a = state.AddUnit({.code = "a"});
  UnitId b = state.AddUnit({.code = "b"});
  UnitId c = state.AddUnit({.code = "c"});
  IndicatorId coal = state.AddIndicator({.code = "coal"});
  TwoGroups() {
    state.AddMembership({a, region, north});
    state.AddMembership({b, region, north});
    state.AddMembership({c, region, south});
  }
};

TEST(RollUpGroupPlan, ExplicitGroupPlanWinsAndDifferenceIsReported) {
  TwoGroups t;
  t.state.SetPlan({{false, t.a}, t.coal, P("2026"), 100});
  t.state.SetPlan({{false, t.b}, t.coal, P("2026"), 150});
  t.state.SetPlan({{false, t.c}, t.coal, P("2026"), 70});
  t.state.SetPlan({{true, t.north}, t.coal, P("2026"), 300});
  const AssignmentBook book(t.state);
  const GroupPlan north = RollUpGroupPlan(t.state, book, t.north, t.coal, P("2026"), D(2026, 6, 1));
  EXPECT_TRUE(north.explicit_plan);
  EXPECT_EQ(north.plan, 300);
  EXPECT_EQ(north.members_plan, 250);
  EXPECT_EQ(north.difference, 50);
  EXPECT_EQ(north.units_with_plan, 2);
  const GroupPlan south = RollUpGroupPlan(t.state, book, t.south, t.coal, P("2026"), D(2026, 6, 1));
  EXPECT_FALSE(south.explicit_plan);
  EXPECT_EQ(south.plan, 70);
  EXPECT_TRUE(std::isnan(south.difference));
}

TEST(RollUpGroupPlan, QualityPlansRollUpAsMean) {
  TwoGroups t;
  const IndicatorId quality = t.state.AddIndicator(
      {.code = "quality", .aggregation = Aggregation::kMean, .role = Role::kQuality});
  t.state.SetPlan({{false, t.a}, quality, P("2026"), 95});
  t.state.SetPlan({{false, t.b}, quality, P("2026"), 85});
  const AssignmentBook book(t.state);
  EXPECT_EQ(RollUpGroupPlan(t.state, book, t.north, quality, P("2026-03"), D(2026, 3, 5)).plan, 90);
}

TEST(RollUpGroupPlan, MembersAreTakenOnTheLastCountedDay) {
  TwoGroups t;
  t.state.AddMembership({t.c, t.region, t.north, D(2026, 6, 15)});
  t.state.SetPlan({{false, t.c}, t.coal, P("2026"), 70});
  const AssignmentBook book(t.state);
  EXPECT_EQ(RollUpGroupPlan(t.state, book, t.north, t.coal, P("2026"), D(2026, 6, 1)).member_units,
            2);
  EXPECT_EQ(RollUpGroupPlan(t.state, book, t.north, t.coal, P("2026"), D(2026, 7, 1)).member_units,
            3);
}

}  // namespace
}  // namespace chollima::engine
