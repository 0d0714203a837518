#include "engine/drive.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>

namespace chollima::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }
Period P(std::string_view text) { return ParsePeriod(text).value(); }
PlanTarget U(int32_t id) { return {false, id}; }
PlanTarget G(int32_t id) { return {true, id}; }

bool SameDouble(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// An economy: units A, B, C, D; coal (sum, higher), cost (sum, lower), workers (last,
// input); region hierarchy P1 { C1 }, P2; sector hierarchy S1, S2.
struct Economy {
  State state;
  UnitId a = state.AddUnit({.code = "A", .attributes = {{"capacity", 200}}});
  UnitId b = state.AddUnit({.code = "B", .attributes = {{"capacity", 150}}});
  UnitId c = state.AddUnit({.code = "C", .attributes = {{"capacity", 50}}});
  UnitId d = state.AddUnit({.code = "D", .attributes = {{"capacity", 30}}});
  IndicatorId coal = state.AddIndicator({.code = "coal"});
  IndicatorId cost = state.AddIndicator({.code = "cost", .direction = Direction::kLower});
  IndicatorId workers = state.AddIndicator(
      {.code = "workers", .aggregation = Aggregation::kLast, .role = Role::kInput});
  HierarchyId region = state.AddHierarchy({"region"});
  GroupId p1 = state.AddGroup({.hierarchy = region, .code = "P1"});
  GroupId p2 = state.AddGroup({.hierarchy = region, .code = "P2"});
  GroupId c1 = state.AddGroup({.hierarchy = region, .code = "C1", .parent = p1, .depth = 2});
  HierarchyId sector = state.AddHierarchy({"sector"});
  GroupId s1 = state.AddGroup({.hierarchy = sector, .code = "S1"});
  GroupId s2 = state.AddGroup({.hierarchy = sector, .code = "S2"});

  Economy() {
    state.AddMembership({a, region, c1});
    state.AddMembership({b, region, p1});
    state.AddMembership({c, region, p2});
    state.AddMembership({d, region, p2});
  }
  void Plan(PlanTarget t, IndicatorId i, std::string_view period, double v) {
    state.SetPlan({t, i, P(period), v});
  }
  // `per_day` on each day [from, to] of January 2026.
  void Daily(UnitId u, IndicatorId i, int from, int to, double per_day, int month = 1,
             int year = 2026) {
    for (int day = from; day <= to; ++day) state.SetReport({u, i, D(year, month, day), per_day});
  }
  Drive January(std::vector<ScoreTerm> terms) const {
    Drive dr;
    dr.code = "jan";
    dr.start = D(2026, 1, 1);
    dr.end = D(2026, 2, 1);
    dr.terms = std::move(terms);
    return dr;
  }
  Standings Compute(const Drive& dr, Date as_of, std::optional<GroupLevel> level = {},
                    DriveHistory history = {}) const {
    const AssignmentBook book(state);
    Result<Standings> s =
        ComputeStandings(state, book, 0, dr, history, {.as_of = as_of, .level = level});
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(s).value() : Standings{};
  }
};

const StandingRow& RowOf(const Standings& s, PlanTarget t) {
  for (const StandingRow& r : s.rows) {
    if (r.participant == t) return r;
  }
  static const StandingRow none;
  ADD_FAILURE() << "no row for " << t.id;
  return none;
}

std::vector<int32_t> Order(const Standings& s) {
  std::vector<int32_t> out;
  for (const StandingRow& r : s.rows) out.push_back(r.participant.id);
  return out;
}

// January planned at 310 (10 a day) for A, B, C.
struct PercentCase : Economy {
  PercentCase() {
    for (UnitId u : {a, b, c}) Plan(U(u), coal, "2026-01", 310);
    Daily(a, coal, 1, 10, 10);  // 100 of 100 due: 100%
    Daily(b, coal, 1, 10, 12);  // 120%
    Daily(c, coal, 1, 10, 8);   // 80%
  }
};

TEST(DriveSeasons, MonthsClippedToTheWindow) {
  Drive dr;
  dr.start = D(2026, 1, 15);
  dr.end = D(2026, 3, 10);
  dr.season_grain = Grain::kMonth;
  const std::vector<Season> s = SeasonsOf(dr);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], (Season{0, D(2026, 1, 15), D(2026, 2, 1)}));
  EXPECT_EQ(s[1], (Season{1, D(2026, 2, 1), D(2026, 3, 1)}));
  EXPECT_EQ(s[2], (Season{2, D(2026, 3, 1), D(2026, 3, 10)}));
  dr.season_grain.reset();
  EXPECT_EQ(SeasonsOf(dr), (std::vector<Season>{{0, D(2026, 1, 15), D(2026, 3, 10)}}));
}

TEST(DriveScoring, PercentOfPlanOverfulfilmentAboveHundred) {
  PercentCase e;
  const Standings s = e.Compute(e.January({{.indicator = e.coal}}), D(2026, 1, 10));
  EXPECT_EQ(Order(s), (std::vector<int32_t>{e.b, e.a, e.c, e.d}));
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.b)).score, 120);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.a)).score, 100);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.c)).score, 80);
  EXPECT_EQ(RowOf(s, U(e.b)).rank, 1);
  EXPECT_EQ(RowOf(s, U(e.c)).rank, 3);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.b)).parts[0].raw, 120);
  const StandingRow& d = RowOf(s, U(e.d));
  EXPECT_FALSE(d.scored);
  EXPECT_EQ(d.unscored_reason, "terms[0]: no plan");
  EXPECT_EQ(d.rank, 0);
  EXPECT_TRUE(std::isnan(d.score));
}

TEST(DriveScoring, PercentOfPlanLowerIsBetterAndWeights) {
  PercentCase e;
  for (UnitId u : {e.a, e.b, e.c}) e.Plan(U(u), e.cost, "2026-01", 310);
  e.Daily(e.a, e.cost, 1, 10, 10);  // 100 * 100 / 100 = 100
  e.Daily(e.b, e.cost, 1, 10, 20);  // 100 * 100 / 200 = 50
  e.Daily(e.c, e.cost, 1, 10, 5);   // 200
  // c has no cost report on a day: still a sum.
  const Standings s = e.Compute(
      e.January({{.indicator = e.coal, .weight = 2}, {.indicator = e.cost, .weight = 0.5}}),
      D(2026, 1, 10));
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.a)).score, 2 * 100 + 0.5 * 100);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.b)).score, 2 * 120 + 0.5 * 50);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.c)).score, 2 * 80 + 0.5 * 200);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.c)).parts[1].normalized, 200);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.c)).parts[1].weighted, 100);
  EXPECT_EQ(Order(s), (std::vector<int32_t>{e.b, e.c, e.a, e.d}));  // 265, 260, 250
}

TEST(DriveScoring, LowerIsBetterPercentWithZeroActualIsUnscored) {
  PercentCase e;
  e.Plan(U(e.a), e.cost, "2026-01", 310);
  const Standings s = e.Compute(e.January({{.indicator = e.cost}}), D(2026, 1, 10));
  EXPECT_EQ(RowOf(s, U(e.a)).unscored_reason, "terms[0]: actual is 0");
}

TEST(DriveScoring, PlanToDateZeroBeforeTheSeasonIsUnscored) {
  PercentCase e;
  const Standings s = e.Compute(e.January({{.indicator = e.coal}}), D(2025, 12, 31));
  EXPECT_EQ(RowOf(s, U(e.a)).unscored_reason, "terms[0]: plan to date is 0");
}

TEST(DriveScoring, GrowthOverThePreviousYear) {
  Economy e;
  e.Daily(e.a, e.coal, 1, 10, 10);          // 100
  e.Daily(e.a, e.coal, 1, 10, 5, 1, 2025);  // base 50: +100%
  e.Daily(e.b, e.coal, 1, 10, 10);
  e.Daily(e.b, e.coal, 1, 10, 20, 1, 2025);     // base 200: -50%
  e.Daily(e.a, e.coal, 11, 11, 1000, 1, 2025);  // outside the 10-day base window
  e.Daily(e.a, e.cost, 1, 10, 10);
  e.Daily(e.a, e.cost, 1, 10, 5, 1, 2025);  // cost +100%: -100 (lower is better)
  const Standings s = e.Compute(
      e.January({{.indicator = e.coal, .normalization = Normalization::kGrowth}}), D(2026, 1, 10));
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.a)).score, 100);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.b)).score, -50);
  EXPECT_EQ(RowOf(s, U(e.c)).unscored_reason, "terms[0]: no base");
  const Standings lower = e.Compute(
      e.January({{.indicator = e.cost, .normalization = Normalization::kGrowth}}), D(2026, 1, 10));
  EXPECT_DOUBLE_EQ(RowOf(lower, U(e.a)).score, -100);
}

TEST(DriveScoring, GrowthOverThePreviousSeason) {
  Economy e;
  e.Daily(e.a, e.coal, 1, 5, 10, 2);  // February 1..5: 50
  e.Daily(e.a, e.coal, 1, 5, 4, 1);   // January 1..5: 20 (+150%)
  e.Daily(e.a, e.coal, 6, 31, 100, 1);
  Drive dr = e.January({{.indicator = e.coal, .normalization = Normalization::kGrowth}});
  dr.end = D(2026, 3, 1);
  dr.season_grain = Grain::kMonth;
  dr.growth_base = GrowthBase::kPreviousSeason;
  const Standings s = e.Compute(dr, D(2026, 2, 5));
  EXPECT_EQ(s.season.index, 1);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.a)).score, 150);
}

TEST(DriveScoring, PerCapacityAndLowerIsBetter) {
  Economy e;
  e.Daily(e.a, e.coal, 1, 10, 10);   // 100
  e.Daily(e.a, e.workers, 1, 9, 4);  // last: 20 on day 10
  e.Daily(e.a, e.workers, 10, 10, 20);
  e.Daily(e.b, e.coal, 1, 10, 30);  // 300 / 50 = 6
  e.Daily(e.b, e.workers, 1, 1, 50);
  e.Daily(e.c, e.coal, 1, 10, 30);  // no workers
  e.Daily(e.a, e.cost, 1, 10, 10);
  const Standings s = e.Compute(e.January({{.indicator = e.coal,
                                            .normalization = Normalization::kPerCapacity,
                                            .capacity = e.workers}}),
                                D(2026, 1, 10));
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.a)).score, 5);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.b)).score, 6);
  EXPECT_EQ(RowOf(s, U(e.c)).unscored_reason, "terms[0]: no capacity");
  EXPECT_EQ(Order(s)[0], e.b);
  const Standings lower = e.Compute(e.January({{.indicator = e.cost,
                                                .normalization = Normalization::kPerCapacity,
                                                .capacity = e.workers}}),
                                    D(2026, 1, 10));
  EXPECT_DOUBLE_EQ(RowOf(lower, U(e.a)).score, -5);
}

TEST(DriveScoring, ZScoreWithinTheLeague) {
  PercentCase e;  // coal actuals 100, 120, 80; d none (sum: 0)
  Drive dr = e.January({{.indicator = e.coal, .normalization = Normalization::kZScore}});
  dr.participants.within = e.p1;  // a (C1), b (P1)
  e.state.AddMembership({e.c, e.region, e.p1, D(2026, 1, 1)});
  const Standings s = e.Compute(dr, D(2026, 1, 10));
  // a 100, b 120, c 80: mean 100, population sd sqrt(800 / 3).
  const double sd = std::sqrt(800.0 / 3);
  ASSERT_EQ(s.rows.size(), 3u);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.b)).score, 20 / sd);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.a)).score, 0);
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.c)).score, -20 / sd);
  // Lower is better: cost 10, 10 each: sd 0 gives 0 for all, so all tie at rank 1.
  e.Daily(e.a, e.cost, 1, 1, 10);
  e.Daily(e.b, e.cost, 1, 1, 10);
  e.Daily(e.c, e.cost, 1, 1, 40);
  const Standings lower = e.Compute(
      e.January({{.indicator = e.cost, .normalization = Normalization::kZScore}}), D(2026, 1, 10));
  // a, b, c, d: 10, 10, 40, 0: mean 15, sd sqrt((25 + 25 + 625 + 225) / 4) = 15.
  EXPECT_DOUBLE_EQ(RowOf(lower, U(e.c)).score, -(40 - 15) / 15.0);
  EXPECT_DOUBLE_EQ(RowOf(lower, U(e.d)).score, 1);
  EXPECT_EQ(Order(lower), (std::vector<int32_t>{e.d, e.a, e.b, e.c}));
  EXPECT_EQ(RowOf(lower, U(e.a)).rank, 2);
  EXPECT_EQ(RowOf(lower, U(e.b)).rank, 2);
  EXPECT_EQ(RowOf(lower, U(e.c)).rank, 4);
}

TEST(DriveScoring, ZScoreWithZeroSpreadIsZero) {
  Economy e;
  for (UnitId u : {e.a, e.b}) e.Daily(u, e.coal, 1, 1, 7);
  Drive dr = e.January({{.indicator = e.workers, .normalization = Normalization::kZScore}});
  e.Daily(e.a, e.workers, 1, 1, 3);
  e.Daily(e.b, e.workers, 1, 1, 3);
  const Standings s = e.Compute(dr, D(2026, 1, 10));
  EXPECT_DOUBLE_EQ(RowOf(s, U(e.a)).score, 0);
  EXPECT_EQ(RowOf(s, U(e.c)).unscored_reason, "terms[0]: no actual");  // last: no report
}

TEST(DriveTies, EqualScoresShareARankListedById) {
  Economy e;
  for (UnitId u : {e.a, e.b, e.c, e.d}) e.Plan(U(u), e.coal, "2026-01", 310);
  e.Daily(e.d, e.coal, 1, 10, 11);
  e.Daily(e.c, e.coal, 1, 10, 11);
  e.Daily(e.b, e.coal, 1, 10, 9);
  e.Daily(e.a, e.coal, 1, 10, 12);
  const Standings s = e.Compute(e.January({{.indicator = e.coal}}), D(2026, 1, 10));
  EXPECT_EQ(Order(s), (std::vector<int32_t>{e.a, e.c, e.d, e.b}));
  EXPECT_EQ(RowOf(s, U(e.a)).rank, 1);
  EXPECT_EQ(RowOf(s, U(e.c)).rank, 2);
  EXPECT_EQ(RowOf(s, U(e.d)).rank, 2);
  EXPECT_EQ(RowOf(s, U(e.b)).rank, 4);
  EXPECT_EQ(RowOf(s, U(e.b)).overall_rank, 4);
}

TEST(DriveStandings, RankChangesSinceYesterdayAndTheStart) {
  PercentCase e;
  e.Daily(e.c, e.coal, 10, 10, 50);  // c: 72 of 90 on the 9th, 122 of 100 on the 10th
  const Standings s = e.Compute(e.January({{.indicator = e.coal}}), D(2026, 1, 10));
  EXPECT_EQ(Order(s), (std::vector<int32_t>{e.c, e.b, e.a, e.d}));
  EXPECT_EQ(RowOf(s, U(e.c)).rank_change_day, 2);
  EXPECT_EQ(RowOf(s, U(e.b)).rank_change_day, -1);
  EXPECT_EQ(RowOf(s, U(e.a)).rank_change_day, -1);
  EXPECT_EQ(RowOf(s, U(e.d)).rank_change_day, 0);
  EXPECT_EQ(RowOf(s, U(e.c)).rank_change_start, 2);  // 1 January: b, a, c
  // On the first day there is no yesterday in the season.
  const Standings first = e.Compute(e.January({{.indicator = e.coal}}), D(2026, 1, 1));
  EXPECT_EQ(RowOf(first, U(e.c)).rank_change_day, 0);
  EXPECT_EQ(RowOf(first, U(e.c)).rank_change_start, 0);
}

TEST(DriveStandings, DayStreaks) {
  PercentCase e;
  e.Daily(e.a, e.coal, 7, 7, 9);  // behind on the 7th: 8, 9, 10 at plan
  const Standings s = e.Compute(e.January({{.indicator = e.coal}}), D(2026, 1, 10));
  EXPECT_EQ(RowOf(s, U(e.a)).streak, 3);
  EXPECT_EQ(RowOf(s, U(e.b)).streak, 10);  // every day of the season so far
  EXPECT_EQ(RowOf(s, U(e.c)).streak, 0);
  EXPECT_EQ(RowOf(s, U(e.d)).streak, 0);  // no plan
}

TEST(DriveStandings, MonthStreaksNeedEveryTermIndicator) {
  Economy e;
  for (UnitId u : {e.a, e.b}) {
    e.Plan(U(u), e.coal, "2026-01", 310);
    e.Plan(U(u), e.coal, "2026-02", 280);
    e.Plan(U(u), e.coal, "2026-03", 310);
    e.Daily(u, e.coal, 1, 31, 10, 1);
    e.Daily(u, e.coal, 1, 28, 10, 2);
    e.Daily(u, e.coal, 1, 10, 10, 3);
  }
  e.Daily(e.a, e.coal, 3, 3, 9, 2);  // February 279 of 280
  Drive dr = e.January({{.indicator = e.coal}});
  dr.end = D(2026, 4, 1);
  dr.streak_grain = Grain::kMonth;
  Standings s = e.Compute(dr, D(2026, 3, 10));  // March to date: 100 of 100
  EXPECT_EQ(RowOf(s, U(e.a)).streak, 1);
  EXPECT_EQ(RowOf(s, U(e.b)).streak, 3);
  // A second term without a plan breaks every streak.
  dr.terms.push_back({.indicator = e.cost, .normalization = Normalization::kZScore});
  s = e.Compute(dr, D(2026, 3, 10));
  EXPECT_EQ(RowOf(s, U(e.b)).streak, 0);
}

TEST(DriveStandings, GroupTablesFromMemberTotals) {
  PercentCase e;  // a (C1 under P1) 100, b (P1) 120, c (P2) 80 of 100 each
  e.Plan(G(e.p2), e.coal, "2026-01", 155);  // explicit: 50 due by the 10th
  const Drive dr = e.January({{.indicator = e.coal}});
  const Standings s = e.Compute(dr, D(2026, 1, 10), GroupLevel{e.region, 1});
  ASSERT_EQ(s.rows.size(), 2u);
  EXPECT_EQ(s.leagues.size(), 1u);
  // P1: 220 of 200 = 110%; P2: c 80 + d 0 of its own 50 = 160%.
  EXPECT_DOUBLE_EQ(RowOf(s, G(e.p1)).score, 110);
  EXPECT_DOUBLE_EQ(RowOf(s, G(e.p2)).score, 160);
  EXPECT_EQ(Order(s), (std::vector<int32_t>{e.p2, e.p1}));
  // Counties: C1 holds a only.
  const Standings counties = e.Compute(dr, D(2026, 1, 10), GroupLevel{e.region, 2});
  ASSERT_EQ(counties.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(counties.rows[0].score, 100);
  EXPECT_EQ(counties.rows[0].streak, 10);
}

TEST(DriveStandings, DriveOfGroupsAndItsShallowerTable) {
  PercentCase e;
  Drive dr = e.January({{.indicator = e.coal}});
  dr.participants = {.groups = true, .hierarchy = e.region, .level = 1};
  const Standings s = e.Compute(dr, D(2026, 1, 10));
  // P1: a + b = 220 of 200; P2: c 80 of 100 (d has no plan).
  EXPECT_DOUBLE_EQ(RowOf(s, G(e.p1)).score, 110);
  EXPECT_DOUBLE_EQ(RowOf(s, G(e.p2)).score, 80);
  const AssignmentBook book(e.state);
  Result<Standings> bad = ComputeStandings(
      e.state, book, 0, dr, {}, {.as_of = D(2026, 1, 10), .level = GroupLevel{e.region, 2}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(DriveStandings, GroupDriveLeaguesByAncestorAndAsOfAfterTheWindow) {
  PercentCase e;
  const GroupId c2 =
      e.state.AddGroup({.hierarchy = e.region, .code = "C2", .parent = e.p2, .depth = 2});
  const GroupId c3 =
      e.state.AddGroup({.hierarchy = e.region, .code = "C3", .parent = e.p1, .depth = 2});
  e.state.AddMembership({e.c, e.region, c2});
  e.state.AddMembership({e.b, e.region, c3});
  e.Daily(e.a, e.workers, 1, 1, 4);
  e.Daily(e.b, e.workers, 1, 1, 6);
  e.Daily(e.c, e.workers, 1, 1, 5);
  Drive dr = e.January(
      {{.indicator = e.coal, .normalization = Normalization::kPerCapacity, .capacity = e.workers}});
  dr.participants = {.groups = true, .hierarchy = e.region, .level = 2};
  dr.leagues.hierarchy = e.region;
  dr.leagues.level = 1;
  // After the window: the standings of its last day (data stop on the 10th).
  const Standings s = e.Compute(dr, D(2026, 6, 1));
  EXPECT_EQ(s.season.index, 0);
  ASSERT_EQ(s.leagues.size(), 2u);
  EXPECT_EQ(s.leagues[0].name, "P1");
  EXPECT_EQ(s.leagues[1].name, "P2");
  // P1: C1 (a: 100 / 4 = 25), C3 (b: 120 / 6 = 20); P2: C2 (c: 80 / 5 = 16).
  EXPECT_EQ(Order(s), (std::vector<int32_t>{e.c1, c3, c2}));
  EXPECT_DOUBLE_EQ(RowOf(s, G(e.c1)).score, 25);
  EXPECT_DOUBLE_EQ(RowOf(s, G(c3)).score, 20);
  EXPECT_EQ(RowOf(s, G(c2)).rank, 1);
  EXPECT_EQ(RowOf(s, G(c2)).overall_rank, 3);
  // The provinces' table: totals of the member units, workers summed (an input).
  const Standings p = e.Compute(dr, D(2026, 6, 1), GroupLevel{e.region, 1});
  EXPECT_DOUBLE_EQ(RowOf(p, G(e.p1)).score, 220.0 / 10);
}

TEST(DriveLeagues, JoinAndMoveMidSeason) {
  PercentCase e;
  Drive dr = e.January({{.indicator = e.coal}});
  dr.end = D(2026, 3, 1);
  dr.season_grain = Grain::kMonth;
  dr.participants.within = e.p1;                                 // a, b on 1 January
  e.state.AddMembership({e.c, e.region, e.p1, D(2026, 1, 15)});  // joins
  e.state.AddMembership({e.a, e.region, e.p2, D(2026, 1, 15)});  // leaves
  e.Daily(e.a, e.coal, 11, 20, 10);
  e.Daily(e.b, e.coal, 11, 20, 12);
  e.Daily(e.c, e.coal, 11, 20, 8);
  const Standings jan = e.Compute(dr, D(2026, 1, 20));
  EXPECT_EQ(Order(jan), (std::vector<int32_t>{e.b, e.a}));
  // The group table takes members on the 20th: P1 holds b and c (both participants?
  // only b: c joined after the season's first day), P2 holds a.
  const Standings groups = e.Compute(dr, D(2026, 1, 20), GroupLevel{e.region, 1});
  EXPECT_DOUBLE_EQ(RowOf(groups, G(e.p1)).score, 120);  // b alone
  EXPECT_DOUBLE_EQ(RowOf(groups, G(e.p2)).score, 100);  // a
  // February: c plays, a does not.
  for (UnitId u : {e.b, e.c}) e.Plan(U(u), e.coal, "2026-02", 280);
  const Standings feb = e.Compute(dr, D(2026, 2, 1));
  EXPECT_EQ(feb.season.index, 1);
  std::vector<int32_t> ids = Order(feb);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int32_t>{e.b, e.c}));
}

// Two monthly seasons, tiers by capacity (bound 100): tier 1 a (200), b (150); tier 2 c
// (50), d (30), e (no attribute).
struct LeagueCase : Economy {
  UnitId e5 = state.AddUnit({.code = "E"});
  Drive dr;
  LeagueCase() {
    for (UnitId u : {a, b, c, d, e5}) {
      Plan(U(u), coal, "2026-01", 310);
      Plan(U(u), coal, "2026-02", 280);
    }
    Daily(a, coal, 1, 31, 9);   // 90%
    Daily(b, coal, 1, 31, 11);  // 110%
    Daily(c, coal, 1, 31, 12);  // 120%
    Daily(d, coal, 1, 31, 10);  // 100%
    Daily(e5, coal, 1, 31, 8);  // 80%
    dr = January({{.indicator = coal}});
    dr.end = D(2026, 3, 1);
    dr.season_grain = Grain::kMonth;
    dr.leagues = {.size_attribute = "capacity", .size_bounds = {100}, .promote = 1, .relegate = 1};
    for (UnitId u : {a, b, c, d, e5}) Daily(u, coal, 1, 1, 10, 2);
  }
  std::map<int32_t, int32_t> TierOf(const Standings& s) const {
    std::map<int32_t, int32_t> out;
    for (const StandingRow& r : s.rows) {
      out[r.participant.id] = s.leagues[static_cast<size_t>(r.league)].tier;
    }
    return out;
  }
};

TEST(DriveLeagues, TiersZonesAndPromotionFromComputedStandings) {
  LeagueCase e;
  const Standings jan = e.Compute(e.dr, D(2026, 1, 31));
  ASSERT_EQ(jan.leagues.size(), 2u);
  EXPECT_EQ(jan.leagues[0].name, "tier 1");
  EXPECT_EQ(jan.leagues[1].name, "tier 2");
  EXPECT_EQ(e.TierOf(jan),
            (std::map<int32_t, int32_t>{{e.a, 1}, {e.b, 1}, {e.c, 2}, {e.d, 2}, {e.e5, 2}}));
  EXPECT_EQ(Order(jan), (std::vector<int32_t>{e.b, e.a, e.c, e.d, e.e5}));
  EXPECT_TRUE(RowOf(jan, U(e.a)).in_relegation_zone);
  EXPECT_FALSE(RowOf(jan, U(e.b)).in_promotion_zone);  // tier 1: nowhere to go
  EXPECT_TRUE(RowOf(jan, U(e.c)).in_promotion_zone);
  EXPECT_FALSE(RowOf(jan, U(e.e5)).in_relegation_zone);  // last tier
  EXPECT_EQ(RowOf(jan, U(e.c)).overall_rank, 1);
  const Standings feb = e.Compute(e.dr, D(2026, 2, 1));
  EXPECT_EQ(e.TierOf(feb),
            (std::map<int32_t, int32_t>{{e.a, 2}, {e.b, 1}, {e.c, 1}, {e.d, 2}, {e.e5, 2}}));
}

TEST(DriveLeagues, PromotionFollowsTheFinalizedHistory) {
  LeagueCase e;
  // The finalized January says d won tier 2 (a later correction does not rewrite it).
  const std::vector<DriveResult> history = {{0, 0, U(e.b), 1, "tier 1", 1, 2, 110, ""},
                                            {0, 0, U(e.a), 1, "tier 1", 2, 4, 90, ""},
                                            {0, 0, U(e.d), 2, "tier 2", 1, 1, 130, ""},
                                            {0, 0, U(e.c), 2, "tier 2", 2, 3, 95, ""}};
  const Standings feb = e.Compute(e.dr, D(2026, 2, 1), {}, history);
  EXPECT_EQ(e.TierOf(feb),
            (std::map<int32_t, int32_t>{{e.a, 2}, {e.b, 1}, {e.c, 2}, {e.d, 1}, {e.e5, 2}}));
}

TEST(DriveResults, HonoursOfASeason) {
  LeagueCase e;
  const AssignmentBook book(e.state);
  Result<std::vector<DriveResult>> r = SeasonResults(e.state, book, 0, e.dr, {}, 0);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 5u);
  const std::vector<DriveResult> want = {{0, 0, U(e.b), 1, "tier 1", 1, 2, 110, "league_winner"},
                                         {0, 0, U(e.a), 1, "tier 1", 2, 4, 90, "relegated"},
                                         {0, 0, U(e.c), 2, "tier 2", 1, 1, 120, "winner"},
                                         {0, 0, U(e.d), 2, "tier 2", 2, 3, 100, ""},
                                         {0, 0, U(e.e5), 2, "tier 2", 3, 5, 80, ""}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ((*r)[i].participant, want[i].participant) << i;
    EXPECT_EQ((*r)[i].tier, want[i].tier) << i;
    EXPECT_EQ((*r)[i].league, want[i].league) << i;
    EXPECT_EQ((*r)[i].rank, want[i].rank) << i;
    EXPECT_EQ((*r)[i].overall, want[i].overall) << i;
    EXPECT_NEAR((*r)[i].score, want[i].score, 1e-9) << i;
    EXPECT_EQ((*r)[i].title, want[i].title) << i;
  }
  // Ties at the top: both winners.
  e.Daily(e.b, e.coal, 1, 31, 12);
  const AssignmentBook book2(e.state);
  r = SeasonResults(e.state, book2, 0, e.dr, {}, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].title, "winner");  // b
  EXPECT_EQ((*r)[2].title, "winner");  // c
  EXPECT_FALSE(SeasonResults(e.state, book2, 0, e.dr, {}, 2).ok());
  // A promoted participant that is not a league winner (promote 2).
  e.dr.leagues.promote = 2;
  r = SeasonResults(e.state, book2, 0, e.dr, {}, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[3].participant, U(e.d));
  EXPECT_EQ((*r)[3].title, "promoted");
}

TEST(DriveValidation, ErrorsNameTheField) {
  Economy e;
  const IndicatorId ratio =
      e.state.AddIndicator({.code = "ratio", .numerator = e.coal, .denominator = e.workers});
  auto check = [&](const Drive& dr, std::string_view want) {
    const Status s = ValidateDrive(e.state, dr);
    ASSERT_FALSE(s.ok()) << want;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(s.error().message.substr(0, want.size()), want);
  };
  const Drive ok = e.January({{.indicator = e.coal}});
  EXPECT_TRUE(ValidateDrive(e.state, ok).ok());
  Drive dr = ok;
  dr.end = dr.start;
  check(dr, "end: the window [start, end) is empty");
  dr = ok;
  dr.season_grain = Grain::kWeek;
  check(dr, "season_grain: must be month, quarter, half or year");
  dr.season_grain = Grain::kMultiYear;
  check(dr, "season_grain:");
  dr = ok;
  dr.terms.clear();
  check(dr, "terms: at least one term is required");
  dr = e.January({{.indicator = e.coal}, {.indicator = e.coal, .weight = 0}});
  check(dr, "terms[1].weight: must be > 0");
  dr = e.January({{.indicator = e.coal, .weight = kNaN}});
  check(dr, "terms[0].weight: must be > 0");
  dr = e.January({{.indicator = ratio}});
  check(dr, "terms[0].indicator: a derived indicator");
  dr = e.January({{.indicator = 99}});
  check(dr, "terms[0].indicator: no indicator 99");
  dr = e.January({{.indicator = e.coal, .normalization = Normalization::kPerCapacity}});
  check(dr, "terms[0].capacity: required for per_capacity");
  dr = e.January({{.indicator = e.coal, .capacity = e.workers}});
  check(dr, "terms[0].capacity: only for per_capacity");
  dr = ok;
  dr.participants.groups = true;
  check(dr, "participants.hierarchy: required for groups");
  dr.participants.hierarchy = e.region;
  dr.participants.level = 3;
  check(dr, "participants.level: 3 is not in 1..2");
  dr = ok;
  dr.participants.within = 42;
  check(dr, "participants.within: no group 42");
  dr = ok;
  dr.leagues.hierarchy = e.sector;
  dr.leagues.level = 2;
  check(dr, "leagues.level: 2 is not in 1..1");
  dr = ok;
  dr.leagues.size_attribute = "capacity";
  dr.leagues.size_bounds = {10, 10};
  check(dr, "leagues.size_bounds[1]: bounds must be finite and strictly ascending");
  dr = ok;
  dr.leagues.size_bounds = {10};
  check(dr, "leagues.size_attribute: required with size_bounds");
  dr = ok;
  dr.leagues.promote = -1;
  check(dr, "leagues.promote: must be >= 0");
  dr = ok;
  dr.leagues.relegate = -2;
  check(dr, "leagues.relegate: must be >= 0");
  dr = ok;
  dr.streak_grain = Grain::kYear;
  check(dr, "streak_grain: must be day or month");
  const AssignmentBook book(e.state);
  Result<Standings> s = ComputeStandings(e.state, book, 0, ok, {},
                                         {.as_of = D(2026, 1, 1), .level = GroupLevel{7, 1}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  s = ComputeStandings(e.state, book, 0, ok, {}, {.as_of = D(2026, 1, 1), .league = 3});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
}

TEST(DriveStandings, LeagueAndWithinFilters) {
  LeagueCase e;
  e.dr.leagues.hierarchy = e.region;
  e.dr.leagues.level = 1;
  const AssignmentBook book(e.state);
  Result<Standings> s =
      ComputeStandings(e.state, book, 0, e.dr, {}, {.as_of = D(2026, 1, 31), .league = 0});
  ASSERT_TRUE(s.ok());
  // Leagues: P1 tier 1 (a, b), P2 tier 1? c, d are tier 2: P2 tier 2 (c, d), none tier 2 (e).
  EXPECT_EQ(s->leagues[0].name, "P1, tier 1");
  EXPECT_EQ(Order(*s), (std::vector<int32_t>{e.b, e.a}));
  s = ComputeStandings(e.state, book, 0, e.dr, {}, {.as_of = D(2026, 1, 31), .within = e.c1});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Order(*s), (std::vector<int32_t>{e.a}));
  EXPECT_EQ(s->leagues.back().name, "none, tier 2");
}

TEST(DriveBoardEvents, OvertakingsOncePerPairWithMarginAndTies) {
  PercentCase e;  // as of 10 January: b 120, a 100, c 80
  const std::vector<Drive> drives = {e.January({{.indicator = e.coal}})};
  AssignmentBook book(e.state);
  DriveBoard board(e.state, book, drives, {});
  ASSERT_NE(board.Current(0), nullptr);
  EXPECT_EQ(board.Current(1), nullptr);
  auto commit = [&](const Changes& ch) {
    ApplyChanges(ch, e.state);
    return board.Apply(e.state, book, ch);
  };
  Changes ch;
  ch.reports = {{e.c, e.coal, D(2026, 1, 5), 58}};  // c: 130
  std::vector<DriveEvent> ev = commit(ch);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0], (DriveEvent{.drive = 0,
                               .overtaker = U(e.c),
                               .overtaken = U(e.b),
                               .margin = 130.0 - 120,
                               .new_rank = 1}));
  EXPECT_EQ(ev[1].overtaken, U(e.a));
  EXPECT_NEAR(ev[1].margin, 30, 1e-9);
  ch.reports = {{e.c, e.coal, D(2026, 1, 5), 8}};  // back to 80: b and a pass c again
  ev = commit(ch);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].overtaker, U(e.b));
  EXPECT_EQ(ev[0].new_rank, 1);
  EXPECT_EQ(ev[1].overtaker, U(e.a));
  EXPECT_EQ(ev[1].new_rank, 2);
  ch.reports = {{e.a, e.coal, D(2026, 1, 5), 30}};  // a: 120, level with b: no event
  EXPECT_TRUE(commit(ch).empty());
  EXPECT_EQ(RowOf(*board.Current(0), U(e.a)).rank, 1);
  ch.reports = {{e.a, e.coal, D(2026, 1, 5), 31}};  // a: 121
  ev = commit(ch);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].overtaker, U(e.a));
  EXPECT_EQ(ev[0].overtaken, U(e.b));
  // The same value again: nothing moves.
  EXPECT_TRUE(commit(ch).empty());
  // A new drive in the changes is taken up; an invalid one has no standings.
  Changes add;
  add.new_drives = {e.January({{.indicator = e.cost}}), e.January({})};
  EXPECT_TRUE(commit(add).empty());
  ASSERT_NE(board.Current(1), nullptr);
  EXPECT_EQ(board.Current(1)->rows.size(), 4u);
  EXPECT_EQ(board.Current(2), nullptr);
}

TEST(DriveBoardEvents, AReportMovesOnlyTheGroupItsUnitCountsIn) {
  PercentCase e;  // as of 10 January: P1 = A + B: 220 of 200 due, P2 = C + D: 80 of 100
  Drive dr = e.January({{.indicator = e.coal}});
  dr.participants = {.groups = true, .hierarchy = e.region, .level = 1};
  const std::vector<Drive> drives = {dr};
  AssignmentBook book(e.state);
  DriveBoard board(e.state, book, drives, {});
  ASSERT_NE(board.Current(0), nullptr);
  EXPECT_DOUBLE_EQ(RowOf(*board.Current(0), G(e.p1)).score, 110);
  EXPECT_DOUBLE_EQ(RowOf(*board.Current(0), G(e.p2)).score, 80);
  auto commit = [&](const Changes& ch) {
    ApplyChanges(ch, e.state);
    return board.Apply(e.state, book, ch);
  };
  Changes ch;
  ch.reports = {{e.c, e.coal, D(2026, 1, 5), 58}};  // C: 130, so P2: 130%
  std::vector<DriveEvent> ev = commit(ch);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0], (DriveEvent{.drive = 0,
                               .overtaker = G(e.p2),
                               .overtaken = G(e.p1),
                               .margin = 130.0 - 110,
                               .new_rank = 1}));
  const Standings* cur = board.Current(0);
  EXPECT_DOUBLE_EQ(RowOf(*cur, G(e.p1)).score, 110);  // untouched
  EXPECT_DOUBLE_EQ(RowOf(*cur, G(e.p2)).score, 130);
  EXPECT_EQ(RowOf(*cur, G(e.p2)).rank, 1);
  // As of the 9th P2 (122 of 90 due) already led P1 (198 of 180); on the 1st it did not.
  EXPECT_EQ(RowOf(*cur, G(e.p2)).rank_change_day, 0);
  EXPECT_EQ(RowOf(*cur, G(e.p2)).rank_change_start, 1);
  // D has no plan: its coal counts in P2's actual only (P2's plan is C's): 150%.
  ch.reports = {{e.d, e.coal, D(2026, 1, 9), 20}};
  EXPECT_TRUE(commit(ch).empty());
  EXPECT_DOUBLE_EQ(RowOf(*board.Current(0), G(e.p2)).score, 150);
  // A counts in P1 through C1: 240 of 200 due.
  ch.reports = {{e.a, e.coal, D(2026, 1, 10), 30}};
  EXPECT_TRUE(commit(ch).empty());
  EXPECT_DOUBLE_EQ(RowOf(*board.Current(0), G(e.p1)).score, 120);
  EXPECT_DOUBLE_EQ(RowOf(*board.Current(0), G(e.p2)).score, 150);
  Result<Standings> scratch = ComputeStandings(e.state, book, 0, dr, {}, {.as_of = D(2026, 1, 10)});
  ASSERT_TRUE(scratch.ok());
  ASSERT_EQ(scratch->rows.size(), board.Current(0)->rows.size());
  for (size_t i = 0; i < scratch->rows.size(); ++i) {
    EXPECT_EQ(scratch->rows[i].participant, board.Current(0)->rows[i].participant);
    EXPECT_EQ(scratch->rows[i].score, board.Current(0)->rows[i].score);
    EXPECT_EQ(scratch->rows[i].rank_change_day, board.Current(0)->rows[i].rank_change_day);
    EXPECT_EQ(scratch->rows[i].streak, board.Current(0)->rows[i].streak);
  }
}

// ---------------------------------------------------------------------------------------
// Property test: the live board against the standings from scratch, and its overtaking
// events against a pairwise comparison of the full standings before and after.

void ExpectSameStandings(const Standings& x, const Standings& y, const std::string& ctx) {
  ASSERT_EQ(x.drive, y.drive) << ctx;
  ASSERT_EQ(x.season, y.season) << ctx;
  ASSERT_EQ(x.as_of, y.as_of) << ctx;
  ASSERT_EQ(x.leagues.size(), y.leagues.size()) << ctx;
  for (size_t i = 0; i < x.leagues.size(); ++i) {
    EXPECT_EQ(x.leagues[i].name, y.leagues[i].name) << ctx;
    EXPECT_EQ(x.leagues[i].tier, y.leagues[i].tier) << ctx;
    EXPECT_EQ(x.leagues[i].peer_group, y.leagues[i].peer_group) << ctx;
  }
  ASSERT_EQ(x.rows.size(), y.rows.size()) << ctx;
  for (size_t i = 0; i < x.rows.size(); ++i) {
    const StandingRow &a = x.rows[i], &b = y.rows[i];
    const std::string c = ctx + " row " + std::to_string(i);
    ASSERT_EQ(a.participant, b.participant) << c;
    EXPECT_EQ(a.league, b.league) << c;
    EXPECT_EQ(a.scored, b.scored) << c;
    EXPECT_EQ(a.unscored_reason, b.unscored_reason) << c;
    EXPECT_TRUE(SameDouble(a.score, b.score)) << c << " " << a.score << " " << b.score;
    ASSERT_EQ(a.parts.size(), b.parts.size()) << c;
    for (size_t k = 0; k < a.parts.size(); ++k) {
      EXPECT_TRUE(SameDouble(a.parts[k].raw, b.parts[k].raw)) << c;
      EXPECT_TRUE(SameDouble(a.parts[k].normalized, b.parts[k].normalized)) << c;
      EXPECT_TRUE(SameDouble(a.parts[k].weighted, b.parts[k].weighted)) << c;
    }
    EXPECT_EQ(a.rank, b.rank) << c;
    EXPECT_EQ(a.overall_rank, b.overall_rank) << c;
    EXPECT_EQ(a.rank_change_day, b.rank_change_day) << c;
    EXPECT_EQ(a.rank_change_start, b.rank_change_start) << c;
    EXPECT_EQ(a.streak, b.streak) << c;
    EXPECT_EQ(a.in_promotion_zone, b.in_promotion_zone) << c;
    EXPECT_EQ(a.in_relegation_zone, b.in_relegation_zone) << c;
  }
}

// Every ordered pair of the full tables, compared by the SEMANTICS' words.
std::vector<DriveEvent> ReferenceOvertakings(DriveId id, const Standings& before,
                                             const Standings& after) {
  std::vector<DriveEvent> out;
  if (before.season.index != after.season.index) return out;
  auto find = [](const Standings& s, PlanTarget t) -> const StandingRow* {
    for (const StandingRow& r : s.rows) {
      if (r.participant == t) return &r;
    }
    return nullptr;
  };
  for (const StandingRow& p : after.rows) {
    for (const StandingRow& q : after.rows) {
      if (p.participant == q.participant || !p.scored || !q.scored || p.league != q.league) {
        continue;
      }
      const StandingRow* bp = find(before, p.participant);
      const StandingRow* bq = find(before, q.participant);
      if (bp == nullptr || bq == nullptr || !bp->scored || !bq->scored) continue;
      const std::string& lp = before.leagues[static_cast<size_t>(bp->league)].name;
      const std::string& lq = before.leagues[static_cast<size_t>(bq->league)].name;
      if (lp != lq || lp != after.leagues[static_cast<size_t>(p.league)].name) continue;
      if (bp->score <= bq->score && p.score > q.score) {
        DriveEvent e;
        e.drive = id;
        e.league = p.league;
        e.overtaker = p.participant;
        e.overtaken = q.participant;
        e.margin = p.score - q.score;
        e.new_rank = p.rank;
        out.push_back(e);
      }
    }
  }
  auto key = [&](const DriveEvent& e) {
    return std::make_tuple(e.drive, e.league, e.new_rank, e.overtaker.id,
                           find(after, e.overtaken)->rank, e.overtaken.id);
  };
  std::sort(out.begin(), out.end(),
            [&](const DriveEvent& x, const DriveEvent& y) { return key(x) < key(y); });
  return out;
}

// First principles for a table: every rank is 1 + the rows of its league with a strictly
// higher score, every overall rank likewise over the table, and the score is the sum of
// the weighted parts.
void CheckRanks(const Standings& s, const std::string& ctx) {
  for (const StandingRow& r : s.rows) {
    if (!r.scored) {
      EXPECT_EQ(r.rank, 0) << ctx;
      continue;
    }
    int32_t above_league = 0, above_all = 0;
    double sum = 0;
    for (const ScorePart& p : r.parts) sum += p.weighted;
    EXPECT_EQ(r.score, sum) << ctx;
    for (const StandingRow& q : s.rows) {
      if (!q.scored || !(q.score > r.score)) continue;
      ++above_all;
      if (q.league == r.league) ++above_league;
    }
    EXPECT_EQ(r.rank, above_league + 1) << ctx;
    EXPECT_EQ(r.overall_rank, above_all + 1) << ctx;
  }
}

// The percent_of_plan parts of a drive whose seasons are months, against the fulfilment
// kernel's actual and plan to date of that month (another path to the same figures).
void CheckPercentAgainstFulfilment(const State& state, const AssignmentBook& book,
                                   const Drive& drive, const Standings& s, const std::string& ctx) {
  const Period month = PeriodOf(Grain::kMonth, s.season.begin);
  for (const StandingRow& r : s.rows) {
    for (size_t t = 0; t < drive.terms.size(); ++t) {
      const ScoreTerm& term = drive.terms[t];
      if (term.normalization != Normalization::kPercentOfPlan) continue;
      const std::vector<UnitIndicator> pairs = {{r.participant.id, term.indicator}};
      Result<std::vector<FulfilmentRow>> f =
          ComputeUnitRows(state, book, {.period = month, .as_of = s.as_of}, pairs);
      ASSERT_TRUE(f.ok()) << ctx;
      const FulfilmentRow& row = (*f)[0];
      const bool lower =
          state.indicators()[static_cast<size_t>(term.indicator)].direction == Direction::kLower;
      const double want =
          std::isnan(row.plan_to_date) || std::isnan(row.actual) ? kNaN
          : lower ? (row.actual == 0 ? kNaN : 100 * row.plan_to_date / row.actual)
                  : (row.plan_to_date == 0 ? kNaN : 100 * row.actual / row.plan_to_date);
      const ScorePart& part = r.parts[t];
      EXPECT_TRUE(SameDouble(part.raw, row.actual)) << ctx;
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(part.normalized)) << ctx;
      } else {
        EXPECT_NEAR(part.normalized, want, 1e-9 * std::max(1.0, std::fabs(want))) << ctx;
      }
    }
  }
}

TEST(DriveBoardProperty, LiveEqualsScratchAndEventsEqualThePairwiseReference) {
  std::mt19937 rng(20261203);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int round = 0; round < 6; ++round) {
    Economy e;
    const UnitId extra1 = e.state.AddUnit({.code = "E1", .attributes = {{"capacity", 120}}});
    const UnitId extra2 = e.state.AddUnit({.code = "E2"});
    const GroupId c2 =
        e.state.AddGroup({.hierarchy = e.region, .code = "C2", .parent = e.p2, .depth = 2});
    e.state.AddMembership({extra1, e.region, c2});
    e.state.AddMembership({extra2, e.region, e.p1});
    // Moves the board sees as the days pass (members on E, E - 1 and season.begin differ).
    e.state.AddMembership({extra2, e.region, c2, D(2026, 1, 30)});
    e.state.AddMembership({e.b, e.region, e.p2, D(2026, 2, 2)});
    e.state.AddMembership({e.c, e.region, e.c1, D(2026, 1, 29 + uniform(0, 4))});
    // E1 changes province every day from 29 January: its group on E - 1 (and on the
    // season's first day) is not its group on E.
    for (int day = 0; day < 20; ++day) {
      e.state.AddMembership({extra1, e.region, day % 2 == 0 ? e.c1 : c2, D(2026, 1, 29) + day});
    }
    const IndicatorId purity = e.state.AddIndicator(
        {.code = "purity", .aggregation = Aggregation::kMean, .role = Role::kQuality});
    const int units = static_cast<int>(e.state.units().size());
    for (int u = 0; u < units; ++u) {
      e.state.AddMembership({u, e.sector, uniform(0, 1) ? e.s1 : e.s2});
      if (uniform(0, 2) == 0) {
        e.state.AddMembership(
            {u, e.sector, uniform(0, 1) ? e.s1 : e.s2, D(2026, 1, uniform(2, 40))});
      }
      for (std::string_view m : {"2026-01", "2026-02"}) {
        if (uniform(0, 5) > 0) e.Plan(U(u), e.coal, m, uniform(50, 300));
        if (uniform(0, 3) > 0) e.Plan(U(u), e.cost, m, uniform(50, 300));
        if (uniform(0, 2) > 0) e.Plan(U(u), purity, m, uniform(5, 12));
      }
    }
    e.Plan(G(e.p1), e.coal, "2026-01", 900);
    for (int u = 0; u < units; ++u) {
      for (int day = 20; day <= 28; ++day) {
        if (uniform(0, 5) > 0)
          e.state.SetReport({u, e.coal, D(2026, 1, day), double(uniform(0, 15))});
        if (uniform(0, 2) > 0)
          e.state.SetReport({u, e.cost, D(2026, 1, day), double(uniform(0, 15))});
        if (uniform(0, 3) == 0)
          e.state.SetReport({u, e.workers, D(2026, 1, day), double(uniform(1, 9))});
        if (uniform(0, 2) > 0)
          e.state.SetReport({u, purity, D(2026, 1, day), double(uniform(4, 14))});
      }
    }
    std::vector<Drive> drives;
    {
      Drive dr = e.January({{.indicator = e.coal}, {.indicator = e.cost, .weight = 0.5}});
      dr.end = D(2026, 3, 1);
      dr.season_grain = Grain::kMonth;
      dr.leagues = {.hierarchy = e.sector,
                    .level = 1,
                    .size_attribute = "capacity",
                    .size_bounds = {100},
                    .promote = 1,
                    .relegate = 1};
      drives.push_back(dr);
      Drive z = e.January({{.indicator = e.coal, .normalization = Normalization::kZScore},
                           {.indicator = e.workers, .normalization = Normalization::kZScore}});
      z.end = D(2026, 3, 1);
      z.leagues.hierarchy = e.sector;
      z.streak_grain = Grain::kMonth;
      drives.push_back(z);
      Drive g = e.January(
          {{.indicator = e.coal}, {.indicator = e.cost, .normalization = Normalization::kGrowth}});
      g.end = D(2026, 3, 1);
      g.season_grain = Grain::kMonth;
      g.growth_base = GrowthBase::kPreviousSeason;
      g.participants = {.groups = true, .hierarchy = e.region, .level = 2};
      drives.push_back(g);
      Drive pc = e.January({{.indicator = e.coal,
                             .normalization = Normalization::kPerCapacity,
                             .capacity = e.workers}});
      pc.end = D(2026, 3, 1);
      pc.participants.within = e.p1;
      drives.push_back(pc);
      // Provinces on their members' totals: sum and quality (mean) percent, day streaks;
      // then z-scores with month streaks and a season per month.
      Drive gp = e.January({{.indicator = e.coal}, {.indicator = purity, .weight = 2}});
      gp.end = D(2026, 3, 1);
      gp.participants = {.groups = true, .hierarchy = e.region, .level = 1};
      drives.push_back(gp);
      Drive gz = e.January({{.indicator = e.cost, .normalization = Normalization::kZScore},
                            {.indicator = purity, .normalization = Normalization::kZScore},
                            {.indicator = e.coal,
                             .normalization = Normalization::kPerCapacity,
                             .capacity = e.workers}});
      gz.end = D(2026, 3, 1);
      gz.season_grain = Grain::kMonth;
      gz.streak_grain = Grain::kMonth;
      gz.participants = {.groups = true, .hierarchy = e.region, .level = 2};
      drives.push_back(gz);
    }
    auto book = std::make_unique<AssignmentBook>(e.state);
    DriveBoard board(e.state, *book, drives, {});
    std::vector<Standings> prev;
    for (size_t i = 0; i < drives.size(); ++i)
      prev.push_back(*board.Current(static_cast<DriveId>(i)));
    Date last = D(2026, 1, 28);
    std::vector<DriveResult> history;
    int events_seen = 0;
    for (int step = 0; step < 40; ++step) {
      Changes ch;
      const int kind = uniform(0, 12);
      if (kind == 0 || kind == 4) {
        last = last + 1;  // a new day
      }
      const int n = uniform(1, 3);
      for (int k = 0; k < n; ++k) {
        const UnitId u = uniform(0, units - 1);
        const int which = uniform(0, 3);
        const IndicatorId ind = which == 0   ? e.coal
                                : which == 1 ? e.cost
                                : which == 2 ? e.workers
                                             : purity;
        // Now and then on a season's first day (the start figures of the tables).
        const Date first =
            uniform(0, 1) == 0 || last < D(2026, 2, 1) ? D(2026, 1, 1) : D(2026, 2, 1);
        const Date d = k == 0 && (kind == 0 || kind == 4) ? last
                       : uniform(0, 9) == 0               ? last - uniform(7, 40)
                       : uniform(0, 7) == 0               ? first
                                                          : last - uniform(0, 3);
        ch.reports.push_back({u, ind, std::max(d, D(2025, 12, 20)), double(uniform(0, 40))});
      }
      if (kind == 1) {
        ch.plans.push_back(
            {U(uniform(0, units - 1)), e.coal, P("2026-01"), double(uniform(50, 400))});
      }
      if (kind == 2 && history.empty()) {
        ch.drive_results.push_back({0, 0, U(0), 2, "S1, tier 2", 1, 1, 200, "league_winner"});
      }
      if (kind == 3) {
        ch.memberships.push_back({uniform(0, units - 1), e.region, c2, D(2026, 1, uniform(1, 40))});
      }
      ApplyChanges(ch, e.state);
      if (!ch.plans.empty()) book = std::make_unique<AssignmentBook>(e.state);
      const std::vector<DriveEvent> got = board.Apply(e.state, *book, ch);
      std::vector<DriveEvent> want;
      history.insert(history.end(), ch.drive_results.begin(), ch.drive_results.end());
      for (size_t i = 0; i < drives.size(); ++i) {
        const auto id = static_cast<DriveId>(i);
        const Standings* cur = board.Current(id);
        ASSERT_NE(cur, nullptr);
        const std::string ctx = "round " + std::to_string(round) + " step " + std::to_string(step) +
                                " drive " + std::to_string(i);
        Result<Standings> scratch = ComputeStandings(e.state, *book, id, drives[i], history,
                                                     {.as_of = *e.state.LastReportedDay()});
        ASSERT_TRUE(scratch.ok()) << scratch.error().message;
        ExpectSameStandings(*cur, *scratch, ctx);
        CheckRanks(*cur, ctx);
        if (i == 0) CheckPercentAgainstFulfilment(e.state, *book, drives[i], *cur, ctx);
        const std::vector<DriveEvent> ref = ReferenceOvertakings(id, prev[i], *cur);
        want.insert(want.end(), ref.begin(), ref.end());
        prev[i] = *cur;
      }
      ASSERT_EQ(got.size(), want.size()) << "round " << round << " step " << step;
      for (size_t k = 0; k < got.size(); ++k) {
        EXPECT_EQ(got[k], want[k]) << "round " << round << " step " << step << " event " << k;
      }
      events_seen += static_cast<int>(got.size());
    }
    EXPECT_GT(events_seen, 0);
  }
}

}  // namespace
}  // namespace chollima::engine
