#include "engine/standards.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace chollima::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }
Period P(std::string_view text) { return ParsePeriod(text).value(); }

// ---------------------------------------------------------------------------------------
// The derivation rule on plain values.

TEST(MedianOfTopQuartile, NeedsFourValues) {
  EXPECT_TRUE(std::isnan(MedianOfTopQuartile({}, Direction::kHigher)));
  const std::vector<double> three{5, 1, 9};
  EXPECT_TRUE(std::isnan(MedianOfTopQuartile(three, Direction::kHigher)));
  EXPECT_TRUE(std::isnan(MedianOfTopQuartile(three, Direction::kLower)));
  // NaN entries do not count towards the four.
  const std::vector<double> with_nan{5, kNaN, 1, 9};
  EXPECT_TRUE(std::isnan(MedianOfTopQuartile(with_nan, Direction::kHigher)));
}

TEST(MedianOfTopQuartile, FourValuesTakeTheBest) {
  // k = ceil(4 / 4) = 1: the best value itself.
  const std::vector<double> v{3, 8, 1, 5};
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kHigher), 8);
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kLower), 1);
}

TEST(MedianOfTopQuartile, FiveValuesAverageTheBestTwo) {
  // k = ceil(5 / 4) = 2, even: the mean of x_1 and x_2.
  const std::vector<double> v{4, 1, 5, 2, 3};
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kHigher), 4.5);  // (5 + 4) / 2
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kLower), 1.5);   // (1 + 2) / 2
}

TEST(MedianOfTopQuartile, EightValuesAverageTheBestTwo) {
  // k = 2: (8 + 7) / 2; lower is better: (1 + 2) / 2.
  const std::vector<double> v{6, 2, 8, 4, 1, 7, 3, 5};
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kHigher), 7.5);
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kLower), 1.5);
}

TEST(MedianOfTopQuartile, NineValuesTakeTheSecondBest) {
  // k = ceil(9 / 4) = 3, odd: x_2.
  const std::vector<double> v{9, 3, 1, 7, 5, 2, 8, 4, 6};
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kHigher), 8);
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kLower), 2);
}

TEST(MedianOfTopQuartile, ThirteenValuesAverageTheMiddleOfFour) {
  // k = 4: the best are 13, 12, 11, 10 -> (12 + 11) / 2.
  std::vector<double> v;
  for (int i = 13; i >= 1; --i) v.push_back(i);
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kHigher), 11.5);
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kLower), 2.5);  // 1, 2, 3, 4
}

TEST(MedianOfTopQuartile, EqualValuesCountSeparately) {
  const std::vector<double> v{5, 1, 5, 5, 5};  // k = 2: (5 + 5) / 2
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kHigher), 5);
  EXPECT_EQ(MedianOfTopQuartile(v, Direction::kLower), 3);  // (1 + 5) / 2
}

TEST(MeetsStandard, AtOrBetter) {
  EXPECT_TRUE(MeetsStandard(10, 10, Direction::kHigher));
  EXPECT_TRUE(MeetsStandard(11, 10, Direction::kHigher));
  EXPECT_FALSE(MeetsStandard(9.99, 10, Direction::kHigher));
  EXPECT_TRUE(MeetsStandard(10, 10, Direction::kLower));
  EXPECT_TRUE(MeetsStandard(9, 10, Direction::kLower));
  EXPECT_FALSE(MeetsStandard(10.01, 10, Direction::kLower));
  EXPECT_FALSE(MeetsStandard(kNaN, 10, Direction::kHigher));
  EXPECT_FALSE(MeetsStandard(10, kNaN, Direction::kLower));
}

// ---------------------------------------------------------------------------------------
// Unit values and peer groups.

struct Economy {
  State state;
  HierarchyId sector = state.AddHierarchy({.code = "sector"});
  GroupId coal = state.AddGroup({.hierarchy = sector, .code = "coal"});
  GroupId coal_north = state.AddGroup({.hierarchy = sector, .code = "north", .parent = coal});
  GroupId power = state.AddGroup({.hierarchy = sector, .code = "power"});
  IndicatorId output = state.AddIndicator({.code = "output"});  // sum, higher is better
  IndicatorId workers = state.AddIndicator(
      {.code = "workers", .aggregation = Aggregation::kMean, .role = Role::kInput});
  IndicatorId per_worker =
      state.AddIndicator({.code = "per_worker", .numerator = output, .denominator = workers});
  IndicatorId cost = state.AddIndicator(
      {.code = "cost", .direction = Direction::kLower, .aggregation = Aggregation::kMean});

  UnitId Unit(GroupId g = kNoId, Date from = kBeginningOfTime) {
    const auto id = state.AddUnit({.code = "u" + std::to_string(state.units().size())});
    if (g != kNoId) state.AddMembership({id, sector, g, from});
    return id;
  }
  void Report(UnitId u, IndicatorId i, Date d, double value) { state.SetReport({u, i, d, value}); }
  // Units of `g` whose yearly output totals are `values` (one report each, on 1 March).
  std::vector<UnitId> Outputs(int year, const std::vector<double>& values, GroupId g = kNoId) {
    std::vector<UnitId> ids;
    for (double v : values) {
      ids.push_back(Unit(g));
      Report(ids.back(), output, D(year, 3, 1), v);
    }
    return ids;
  }
  void SetOutputs(int year, const std::vector<UnitId>& ids, const std::vector<double>& values) {
    for (size_t k = 0; k < ids.size(); ++k) Report(ids[k], output, D(year, 3, 1), values[k]);
  }
};

std::vector<std::pair<UnitId, double>> Pairs(const std::vector<UnitValue>& v) {
  std::vector<std::pair<UnitId, double>> out;
  out.reserve(v.size());
  for (const UnitValue& u : v) out.emplace_back(u.unit, u.value);
  return out;
}

TEST(PeerGroupValues, SumOverTheSeasonAndUnitsWithoutReportsLeftOut) {
  Economy e;
  const UnitId a = e.Unit();
  const UnitId b = e.Unit();
  const UnitId silent = e.Unit();
  const UnitId other_year = e.Unit();
  e.Report(a, e.output, D(2026, 1, 1), 10);
  e.Report(a, e.output, D(2026, 12, 31), 5);
  e.Report(a, e.output, D(2027, 1, 1), 1000);  // the next season
  e.Report(b, e.output, D(2026, 6, 1), 0);     // a reported zero is a value
  e.Report(other_year, e.output, D(2025, 12, 31), 7);
  (void)silent;
  EXPECT_EQ(Pairs(PeerGroupValues(e.state, e.output, kNoId, P("2026"))),
            (std::vector<std::pair<UnitId, double>>{{a, 15}, {b, 0}}));
  EXPECT_TRUE(PeerGroupValues(e.state, 99, kNoId, P("2026")).empty());
  EXPECT_TRUE(PeerGroupValues(e.state, e.output, 99, P("2026")).empty());
}

TEST(PeerGroupValues, RatioIsTheRatioOfAggregates) {
  Economy e;
  const UnitId a = e.Unit();
  // Output 100 with 10 workers, then 200 with 40: daily ratios 10 and 5 (mean 7.5), but
  // the ratio of aggregates is sum(output) / mean(workers) = 300 / 25 = 12.
  e.Report(a, e.output, D(2026, 1, 5), 100);
  e.Report(a, e.workers, D(2026, 1, 5), 10);
  e.Report(a, e.output, D(2026, 7, 5), 200);
  e.Report(a, e.workers, D(2026, 7, 5), 40);
  const UnitId no_workers = e.Unit();
  e.Report(no_workers, e.output, D(2026, 1, 5), 100);
  const UnitId no_output = e.Unit();
  e.Report(no_output, e.workers, D(2026, 1, 5), 10);
  const UnitId zero_workers = e.Unit();
  e.Report(zero_workers, e.output, D(2026, 1, 5), 100);
  e.Report(zero_workers, e.workers, D(2026, 1, 5), 0);
  const UnitId b = e.Unit();
  e.Report(b, e.output, D(2026, 2, 1), 0);
  e.Report(b, e.workers, D(2026, 2, 1), 4);
  EXPECT_EQ(Pairs(PeerGroupValues(e.state, e.per_worker, kNoId, P("2026"))),
            (std::vector<std::pair<UnitId, double>>{{a, 12}, {b, 0}}));
}

TEST(PeerGroupValues, BrokenRatioHasNoValue) {
  Economy e;
  const UnitId a = e.Unit();
  e.Report(a, e.output, D(2026, 1, 5), 100);
  const auto self = static_cast<IndicatorId>(e.state.indicators().size());
  e.state.AddIndicator({.code = "loop", .numerator = self, .denominator = e.output});
  const IndicatorId unknown =
      e.state.AddIndicator({.code = "unknown", .numerator = e.output, .denominator = 77});
  EXPECT_TRUE(PeerGroupValues(e.state, self, kNoId, P("2026")).empty());
  EXPECT_TRUE(PeerGroupValues(e.state, unknown, kNoId, P("2026")).empty());
}

TEST(PeerGroupValues, MembershipOnTheSeasonsLastDay) {
  Economy e;
  const UnitId in_coal = e.Unit(e.coal);
  const UnitId in_north = e.Unit(e.coal_north);  // below coal: counts in coal
  const UnitId in_power = e.Unit(e.power);
  const UnitId joins = e.Unit(e.power);
  e.state.AddMembership({joins, e.sector, e.coal, D(2026, 12, 31)});
  const UnitId leaves = e.Unit(e.coal);
  e.state.AddMembership({leaves, e.sector, e.power, D(2026, 12, 31)});
  const UnitId later = e.Unit(e.power);
  e.state.AddMembership({later, e.sector, e.coal, D(2027, 1, 1)});
  const UnitId nowhere = e.Unit();
  for (UnitId u = 0; u < static_cast<UnitId>(e.state.units().size()); ++u) {
    e.Report(u, e.output, D(2026, 5, 1), 10 + u);
  }
  auto units = [&](GroupId g, std::string_view season) {
    std::vector<UnitId> ids;
    for (const UnitValue& v : PeerGroupValues(e.state, e.output, g, P(season))) {
      ids.push_back(v.unit);
    }
    return ids;
  };
  EXPECT_EQ(units(e.coal, "2026"), (std::vector<UnitId>{in_coal, in_north, joins}));
  EXPECT_EQ(units(e.coal_north, "2026"), (std::vector<UnitId>{in_north}));
  EXPECT_EQ(units(e.power, "2026"), (std::vector<UnitId>{in_power, leaves, later}));
  EXPECT_EQ(units(kNoId, "2026"),
            (std::vector<UnitId>{in_coal, in_north, in_power, joins, leaves, later, nowhere}));
  // On the last day of 2026-Q2 `joins` was still in power and `leaves` in coal.
  EXPECT_EQ(units(e.coal, "2026-Q2"), (std::vector<UnitId>{in_coal, in_north, leaves}));
}

TEST(DeriveStandardValue, HandComputedOverAPeerGroup) {
  Economy e;
  e.Outputs(2026, {50, 10, 40, 20, 30}, e.coal);  // n = 5, k = 2: (50 + 40) / 2
  e.Outputs(2026, {1000}, e.power);               // another peer group
  e.Unit(e.coal);                                 // no value: left out (n stays 5)
  EXPECT_EQ(DeriveStandardValue(e.state, e.output, e.coal, P("2026")), 45);
  // All units: n = 6, k = 2: (1000 + 50) / 2.
  EXPECT_EQ(DeriveStandardValue(e.state, e.output, kNoId, P("2026")), 525);
  EXPECT_TRUE(std::isnan(DeriveStandardValue(e.state, e.output, e.power, P("2026"))));
  EXPECT_TRUE(std::isnan(DeriveStandardValue(e.state, e.output, e.coal, P("2025"))));
  EXPECT_TRUE(std::isnan(DeriveStandardValue(e.state, 99, e.coal, P("2026"))));
  EXPECT_TRUE(std::isnan(DeriveStandardValue(e.state, e.output, 99, P("2026"))));
}

TEST(DeriveStandardValue, LowerIsBetter) {
  Economy e;
  // Mean cost per unit over 2026: 4, 6, 8, 10, 12, 14, 16, 18, 20 (n = 9, k = 3): the
  // three cheapest are 4, 6, 8, their median 6.
  for (int k = 0; k < 9; ++k) {
    const UnitId u = e.Unit();
    e.Report(u, e.cost, D(2026, 2, 1), 2 + 2 * k);
    e.Report(u, e.cost, D(2026, 3, 1), 6 + 2 * k);
  }
  EXPECT_EQ(DeriveStandardValue(e.state, e.cost, kNoId, P("2026")), 6);
}

TEST(DeriveStandardValue, RatioIndicator) {
  Economy e;
  // Output per worker of four units: 300 / mean(10, 20) = 20, 100 / 4 = 25, 90 / 9 = 10,
  // 60 / 5 = 12. n = 4, k = 1: 25.
  const std::vector<std::vector<std::pair<double, double>>> units{
      {{100, 10}, {200, 20}}, {{100, 4}}, {{90, 9}}, {{60, 5}}};
  for (const auto& days : units) {
    const UnitId u = e.Unit();
    int day = 1;
    for (const auto& [out, workers] : days) {
      e.Report(u, e.output, D(2026, 4, day), out);
      e.Report(u, e.workers, D(2026, 4, day), workers);
      ++day;
    }
  }
  EXPECT_EQ(DeriveStandardValue(e.state, e.per_worker, kNoId, P("2026")), 25);
}

// ---------------------------------------------------------------------------------------
// History and the standard in force.

Standard S(IndicatorId i, GroupId g, Date from, double value, std::string note = "") {
  return {.indicator = i,
          .peer_group = g,
          .from = from,
          .value = value,
          .source = StandardSource::kManual,
          .note = std::move(note)};
}

TEST(StandardInForce, LatestFromAtOrBeforeTheDay) {
  const std::vector<Standard> standards{
      S(0, 1, D(2025, 7, 1), 12, "b"), S(0, 1, D(2024, 1, 1), 10, "a"),
      S(0, kNoId, D(2020, 1, 1), 99),   // another peer group
      S(1, 1, D(2020, 1, 1), 98),       // another indicator
      S(0, 1, D(2025, 7, 1), 13, "c"),  // same `from` as "b", later: wins
      S(0, 1, D(2027, 1, 1), 14, "d")};
  auto note = [&](Date d) {
    const std::optional<Standard> s = StandardInForce(standards, 0, 1, d);
    return s ? s->note : std::string("none");
  };
  EXPECT_EQ(note(D(2023, 12, 31)), "none");
  EXPECT_EQ(note(D(2024, 1, 1)), "a");
  EXPECT_EQ(note(D(2025, 6, 30)), "a");
  EXPECT_EQ(note(D(2025, 7, 1)), "c");
  EXPECT_EQ(note(D(2026, 12, 31)), "c");
  EXPECT_EQ(note(D(2027, 1, 1)), "d");
  std::vector<std::string> history;
  for (const Standard& s : StandardHistory(standards, 0, 1)) history.push_back(s.note);
  EXPECT_EQ(history, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(StandardHistory(standards, 2, 1).empty());
}

TEST(LastCompleteSeason, EndsOnOrBeforeAsOf) {
  EXPECT_EQ(*LastCompleteSeason(Grain::kYear, D(2027, 1, 1)), P("2026"));
  // As of its last day a season is complete; the day before, it is still running.
  EXPECT_EQ(*LastCompleteSeason(Grain::kYear, D(2026, 12, 31)), P("2026"));
  EXPECT_EQ(*LastCompleteSeason(Grain::kYear, D(2026, 12, 30)), P("2025"));
  EXPECT_EQ(*LastCompleteSeason(Grain::kQuarter, D(2026, 3, 31)), P("2026-Q1"));
  EXPECT_EQ(*LastCompleteSeason(Grain::kQuarter, D(2026, 5, 10)), P("2026-Q1"));
  EXPECT_EQ(*LastCompleteSeason(Grain::kHalf, D(2026, 7, 1)), P("2026-H1"));
  EXPECT_EQ(*LastCompleteSeason(Grain::kMonth, D(2026, 1, 15)), P("2025-12"));
  for (Grain g : {Grain::kDay, Grain::kWeek, Grain::kMultiYear}) {
    const Result<Period> r = LastCompleteSeason(g, D(2026, 1, 15));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("season"), std::string::npos) << r.error().message;
  }
  const Result<Period> early = LastCompleteSeason(Grain::kYear, D(1800, 1, 1));
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.error().message.find("as_of"), std::string::npos);
  for (int32_t days : {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}) {
    EXPECT_FALSE(LastCompleteSeason(Grain::kYear, Date(days)).ok());
  }
  EXPECT_TRUE(LastCompleteSeason(Grain::kYear, D(kMinYear, 1, 1)).ok());
  EXPECT_TRUE(LastCompleteSeason(Grain::kYear, D(kMaxYear, 12, 31)).ok());
}

// ---------------------------------------------------------------------------------------
// EvaluateStandards.

TEST(EvaluateStandards, MeetingCountsAndTheAdvancedLevel) {
  Economy e;
  // Coal in 2026: 50, 10, 40, 20, 30 (advanced (50 + 40) / 2 = 45); standard 30 in force
  // on as_of: 50, 40 and 30 (equal counts) meet it.
  e.Outputs(2026, {50, 10, 40, 20, 30}, e.coal);
  e.Outputs(2026, {1, 2}, e.power);
  // Mean cost of all seven units: 1..7; standard 3 (lower is better): 1, 2, 3 meet it.
  for (UnitId u = 0; u < 7; ++u) e.Report(u, e.cost, D(2026, 8, 1), u + 1);
  const std::vector<Standard> standards{
      S(e.output, e.coal, D(2025, 1, 1), 25), S(e.output, e.coal, D(2026, 6, 1), 30),
      S(e.cost, kNoId, D(2024, 1, 1), 3),
      S(e.output, e.power, D(2027, 3, 1), 5),  // not yet in force
  };
  const Result<std::vector<StandardStatus>> r =
      EvaluateStandards(e.state, standards, {.as_of = D(2027, 2, 1)});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  const StandardStatus& coal = (*r)[0];
  EXPECT_EQ(coal.indicator, e.output);
  EXPECT_EQ(coal.peer_group, e.coal);
  EXPECT_TRUE(coal.in_force);
  EXPECT_EQ(coal.current, standards[1]);
  EXPECT_EQ(coal.history, (std::vector<Standard>{standards[0], standards[1]}));
  EXPECT_EQ(coal.season, P("2026"));
  EXPECT_EQ(coal.units, 5);
  EXPECT_EQ(coal.meeting, 3);
  EXPECT_EQ(coal.advanced_level, 45);

  const StandardStatus& power = (*r)[1];
  EXPECT_EQ(power.peer_group, e.power);
  EXPECT_FALSE(power.in_force);
  EXPECT_TRUE(std::isnan(power.current.value));
  EXPECT_EQ(power.current.indicator, e.output);
  EXPECT_EQ(power.units, 2);
  EXPECT_EQ(power.meeting, 0);
  EXPECT_TRUE(std::isnan(power.advanced_level));  // two units: too few

  const StandardStatus& cost = (*r)[2];
  EXPECT_EQ(cost.indicator, e.cost);
  EXPECT_EQ(cost.peer_group, kNoId);
  EXPECT_EQ(cost.units, 7);
  EXPECT_EQ(cost.meeting, 3);
  EXPECT_EQ(cost.advanced_level, 1.5);  // k = 2: (1 + 2) / 2
}

TEST(EvaluateStandards, QuarterSeasons) {
  Economy e;
  const std::vector<UnitId> ids = e.Outputs(2026, {1, 2, 3, 4});  // 1 March: Q1
  e.Report(ids[0], e.output, D(2026, 5, 1), 9);                   // Q2
  const std::vector<Standard> standards{S(e.output, kNoId, D(2020, 1, 1), 3)};
  const Result<std::vector<StandardStatus>> q1 =
      EvaluateStandards(e.state, standards, {.as_of = D(2026, 4, 1), .season = Grain::kQuarter});
  ASSERT_TRUE(q1.ok());
  EXPECT_EQ((*q1)[0].season, P("2026-Q1"));
  EXPECT_EQ((*q1)[0].units, 4);
  EXPECT_EQ((*q1)[0].meeting, 2);
  EXPECT_EQ((*q1)[0].advanced_level, 4);
  const Result<std::vector<StandardStatus>> q2 =
      EvaluateStandards(e.state, standards, {.as_of = D(2026, 7, 1), .season = Grain::kQuarter});
  ASSERT_TRUE(q2.ok());
  EXPECT_EQ((*q2)[0].units, 1);
  EXPECT_EQ((*q2)[0].meeting, 1);
}

TEST(EvaluateStandards, BadInput) {
  Economy e;
  const std::vector<Standard> ok{S(e.output, kNoId, D(2020, 1, 1), 3)};
  const Result<std::vector<StandardStatus>> week =
      EvaluateStandards(e.state, ok, {.as_of = D(2026, 1, 1), .season = Grain::kWeek});
  ASSERT_FALSE(week.ok());
  EXPECT_EQ(week.error().code, ErrorCode::kInvalidArgument);
  const std::vector<Standard> bad_indicator{S(42, kNoId, D(2020, 1, 1), 3)};
  const Result<std::vector<StandardStatus>> r1 =
      EvaluateStandards(e.state, bad_indicator, {.as_of = D(2026, 1, 1)});
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r1.error().message.find("indicator 42"), std::string::npos);
  const std::vector<Standard> bad_group{S(e.output, 42, D(2020, 1, 1), 3)};
  const Result<std::vector<StandardStatus>> r2 =
      EvaluateStandards(e.state, bad_group, {.as_of = D(2026, 1, 1)});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r2.error().message.find("peer group 42"), std::string::npos);
  const Result<std::vector<StandardStatus>> none = EvaluateStandards(e.state, {}, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// ---------------------------------------------------------------------------------------
// Re-basing. Four units per season: the advanced level is the best unit's value.

struct Rebase : Economy {
  std::vector<UnitId> ids = Outputs(2025, {0, 10, 20, 30});
  Result<RebaseProposal> Propose(const std::vector<Standard>& standards, IndicatorId i = kNoId) {
    return ProposeRebase(state, standards, i == kNoId ? output : i, kNoId,
                         {.as_of = D(2027, 1, 1)});
  }
  void Advanced(double y2025, double y2026) {
    SetOutputs(2025, ids, {y2025, 10, 20, 30});
    SetOutputs(2026, ids, {y2026, 10, 20, 30});
  }
};

TEST(ProposeRebase, TwoGoodSeasonsRebaseToTheLower) {
  Rebase e;
  e.Advanced(44.1, 46);
  const std::vector<Standard> standards{S(e.output, kNoId, D(2024, 1, 1), 41.5)};
  const Result<RebaseProposal> p = e.Propose(standards);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(p->rebase);
  EXPECT_EQ(p->standard.value, 44.1);
  EXPECT_EQ(p->standard.from, D(2027, 1, 1));
  EXPECT_EQ(p->standard.source, StandardSource::kDerived);
  EXPECT_EQ(p->standard.indicator, e.output);
  EXPECT_EQ(p->standard.peer_group, kNoId);
  EXPECT_EQ(p->reason,
            "the advanced reached 44.1 in 2025 and 46 in 2026 against 41.5: re-based to 44.1, "
            "the less demanding of the two");
  EXPECT_EQ(p->standard.note, p->reason);

  // The better season first: still the lower of the two, not the latest.
  e.Advanced(46, 44.1);
  const Result<RebaseProposal> q = e.Propose(standards);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->rebase);
  EXPECT_EQ(q->standard.value, 44.1);
}

TEST(ProposeRebase, OneGoodSeasonIsNotEnough) {
  Rebase e;
  const std::vector<Standard> standards{S(e.output, kNoId, D(2024, 1, 1), 41.5, "set")};
  for (auto [y2025, y2026] : {std::pair{40.0, 46.0}, std::pair{46.0, 40.0}}) {
    e.Advanced(y2025, y2026);
    const Result<RebaseProposal> p = e.Propose(standards);
    ASSERT_TRUE(p.ok());
    EXPECT_FALSE(p->rebase);
    EXPECT_EQ(p->standard, standards[0]);  // the one in force
    EXPECT_NE(p->reason.find(y2026 > 41.5 ? "only in 2026" : "only in 2025"), std::string::npos)
        << p->reason;
  }
  // Equal to the standard is not beating it.
  e.Advanced(41.5, 50);
  const Result<RebaseProposal> equal = e.Propose(standards);
  ASSERT_TRUE(equal.ok());
  EXPECT_FALSE(equal->rebase);
}

TEST(ProposeRebase, AdvancedBelowTheStandard) {
  Rebase e;
  e.Advanced(35, 38);
  const std::vector<Standard> standards{S(e.output, kNoId, D(2024, 1, 1), 41.5)};
  const Result<RebaseProposal> p = e.Propose(standards);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->rebase);
  EXPECT_EQ(p->reason,
            "no re-base: the advanced did not beat the standard (35 in 2025 and 38 in 2026 "
            "against 41.5)");
}

TEST(ProposeRebase, FirstStandard) {
  Rebase e;
  e.Advanced(44.1, 46);
  const Result<RebaseProposal> p = e.Propose({});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->rebase);
  EXPECT_EQ(p->standard.value, 46);
  EXPECT_EQ(p->standard.from, D(2027, 1, 1));
  EXPECT_EQ(p->standard.source, StandardSource::kDerived);
  EXPECT_EQ(p->reason, "first standard: the median of the top quartile of 4 units in 2026 is 46");
  // A standard of another indicator or peer group does not count.
  const Result<RebaseProposal> other = e.Propose({S(e.cost, kNoId, D(2020, 1, 1), 1)});
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->rebase);
}

TEST(ProposeRebase, TooFewUnits) {
  Rebase e;
  e.Advanced(50, 60);
  e.state.SetReport({e.ids[1], e.output, D(2026, 3, 1), kNaN});  // withdraw: 3 units in 2026
  EXPECT_FALSE(e.state.ReportValue(e.ids[1], e.output, D(2026, 3, 1)).has_value());
  const Result<RebaseProposal> first = e.Propose({});
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->rebase);
  EXPECT_TRUE(std::isnan(first->standard.value));
  EXPECT_NE(first->reason.find("too few units with a value in 2026 (3"), std::string::npos)
      << first->reason;
  const Result<RebaseProposal> p = e.Propose({S(e.output, kNoId, D(2024, 1, 1), 41.5)});
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->rebase);
}

TEST(ProposeRebase, LowerIsBetterMirrored) {
  Rebase e;
  // Mean cost of four units; the advanced is the cheapest: 8 in 2025, 9 in 2026.
  const std::vector<std::vector<double>> costs{{8, 12, 13, 14}, {9, 12, 13, 14}};
  for (size_t y = 0; y < 2; ++y) {
    for (size_t k = 0; k < 4; ++k) {
      e.Report(e.ids[k], e.cost, D(2025 + static_cast<int>(y), 5, 1), costs[y][k]);
    }
  }
  const Result<RebaseProposal> p = e.Propose({S(e.cost, kNoId, D(2024, 1, 1), 10)}, e.cost);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->rebase);
  EXPECT_EQ(p->standard.value, 9);  // the less demanding: the higher cost
  // One season above the standard (worse): no re-base.
  e.Report(e.ids[0], e.cost, D(2025, 5, 1), 11);
  const Result<RebaseProposal> q = e.Propose({S(e.cost, kNoId, D(2024, 1, 1), 10)}, e.cost);
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->rebase);
  EXPECT_NE(q->reason.find("only in 2026"), std::string::npos) << q->reason;
}

TEST(ProposeRebase, DecidedOncePerSeason) {
  Rebase e;
  e.Advanced(44.1, 46);
  std::vector<Standard> standards{S(e.output, kNoId, D(2024, 1, 1), 41.5)};
  const Result<RebaseProposal> p = e.Propose(standards);
  ASSERT_TRUE(p.ok() && p->rebase);
  standards.push_back(p->standard);
  const Result<RebaseProposal> again = e.Propose(standards);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->rebase);
  EXPECT_EQ(again->standard, p->standard);
  EXPECT_NE(again->reason.find("already follows 2026"), std::string::npos) << again->reason;
  // A revision scheduled later than as_of also decides the season.
  const Result<RebaseProposal> scheduled =
      e.Propose({S(e.output, kNoId, D(2024, 1, 1), 41.5), S(e.output, kNoId, D(2027, 6, 1), 50)});
  ASSERT_TRUE(scheduled.ok());
  EXPECT_FALSE(scheduled->rebase);
}

TEST(ProposeRebase, BadInput) {
  Rebase e;
  const Result<RebaseProposal> i = ProposeRebase(e.state, {}, 42, kNoId, {.as_of = D(2027, 1, 1)});
  ASSERT_FALSE(i.ok());
  EXPECT_EQ(i.error().code, ErrorCode::kNotFound);
  const Result<RebaseProposal> g =
      ProposeRebase(e.state, {}, e.output, 42, {.as_of = D(2027, 1, 1)});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kNotFound);
  const Result<RebaseProposal> grain =
      ProposeRebase(e.state, {}, e.output, kNoId, {.as_of = D(2027, 1, 1), .season = Grain::kDay});
  ASSERT_FALSE(grain.ok());
  EXPECT_EQ(grain.error().code, ErrorCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------
// Property test: a slow, obviously-correct reference on random States.

struct Reference {
  const State& state;
  // Values by (indicator, group, season), computed once: the day-by-day scan is slow.
  mutable std::map<std::tuple<IndicatorId, GroupId, int32_t, int32_t>, std::vector<double>> memo;
  mutable std::map<std::tuple<IndicatorId, UnitId, int32_t, int32_t>, double> leaf_memo;

  // The unit's group in `hierarchy` on `day` by a plain scan of its memberships.
  GroupId GroupOn(UnitId u, HierarchyId hierarchy, Date day) const {
    GroupId g = kNoId;
    Date best = kBeginningOfTime - 1;
    for (const Membership& m : state.MembershipsOf(u)) {
      if (m.hierarchy == hierarchy && m.from <= day && m.from >= best) {
        best = m.from;
        g = m.group;
      }
    }
    return g;
  }
  bool InPeerGroup(UnitId u, GroupId peer, Date day) const {
    if (peer == kNoId) return true;
    for (GroupId g = GroupOn(u, state.groups()[static_cast<size_t>(peer)].hierarchy, day);
         g != kNoId; g = state.groups()[static_cast<size_t>(g)].parent) {
      if (g == peer) return true;
    }
    return false;
  }
  // Day by day through ReportValue; a depth bound stands in for cycle detection.
  double Value(IndicatorId i, UnitId u, const Period& s, int depth = 0) const {
    if (depth > 8 || i < 0 || static_cast<size_t>(i) >= state.indicators().size()) return kNaN;
    const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
    if (ind.IsDerived()) {
      const double x = Value(ind.numerator, u, s, depth + 1);
      const double y = Value(ind.denominator, u, s, depth + 1);
      return std::isnan(x) || std::isnan(y) || y == 0 ? kNaN : x / y;
    }
    const auto key = std::tuple(i, u, s.begin.days(), s.end.days());
    if (const auto it = leaf_memo.find(key); it != leaf_memo.end()) return it->second;
    return leaf_memo[key] = Aggregate(ind.aggregation, i, u, s);
  }
  double Aggregate(Aggregation aggregation, IndicatorId i, UnitId u, const Period& s) const {
    double sum = 0;
    double max = -std::numeric_limits<double>::infinity();
    double last = kNaN;
    int count = 0;
    for (Date d = s.begin; d < s.end; d = d + 1) {
      const std::optional<double> v = state.ReportValue(u, i, d);
      if (!v) continue;
      sum += *v;
      max = std::max(max, *v);
      last = *v;
      ++count;
    }
    if (count == 0) return kNaN;
    switch (aggregation) {
      case Aggregation::kSum:
        return sum;
      case Aggregation::kMean:
        return sum / count;
      case Aggregation::kMax:
        return max;
      case Aggregation::kLast:
        return last;
    }
    return kNaN;
  }
  std::vector<double> Values(IndicatorId i, GroupId g, const Period& s) const {
    const auto key = std::tuple(i, g, s.begin.days(), s.end.days());
    if (const auto it = memo.find(key); it != memo.end()) return it->second;
    std::vector<double>& out = memo[key];
    for (UnitId u = 0; u < static_cast<UnitId>(state.units().size()); ++u) {
      if (!InPeerGroup(u, g, s.end - 1)) continue;
      const double v = Value(i, u, s);
      if (!std::isnan(v)) out.push_back(v);
    }
    return out;
  }
  bool Higher(IndicatorId i) const {
    return state.indicators()[static_cast<size_t>(i)].direction == Direction::kHigher;
  }
  double Derive(IndicatorId i, GroupId g, const Period& s) const {
    std::vector<double> v = Values(i, g, s);
    if (v.size() < 4) return kNaN;
    std::sort(v.begin(), v.end());
    if (Higher(i)) std::reverse(v.begin(), v.end());
    const size_t k = v.size() / 4 + (v.size() % 4 != 0 ? 1 : 0);
    std::vector<double> top(v.begin(), v.begin() + static_cast<ptrdiff_t>(k));
    std::sort(top.begin(), top.end());
    return k % 2 == 1 ? top[k / 2] : (top[k / 2 - 1] + top[k / 2]) / 2;
  }
  // Revisions of (i, g) by (from, position).
  std::vector<Standard> History(const std::vector<Standard>& all, IndicatorId i, GroupId g) const {
    std::vector<std::pair<std::pair<Date, size_t>, Standard>> keyed;
    for (size_t k = 0; k < all.size(); ++k) {
      if (all[k].indicator == i && all[k].peer_group == g)
        keyed.push_back({{all[k].from, k}, all[k]});
    }
    std::sort(keyed.begin(), keyed.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Standard> out;
    out.reserve(keyed.size());
    for (auto& [key, s] : keyed) out.push_back(s);
    return out;
  }
  std::optional<Standard> InForce(const std::vector<Standard>& all, IndicatorId i, GroupId g,
                                  Date d) const {
    std::optional<Standard> found;
    for (const Standard& s : History(all, i, g)) {
      if (s.from <= d) found = s;
    }
    return found;
  }
};

bool SameNumber(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

TEST(StandardsProperty, MatchesSlowReference) {
  std::mt19937 rng(20261203);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const Grain grains[] = {Grain::kMonth, Grain::kQuarter, Grain::kHalf, Grain::kYear};
  int first_standards = 0;
  int rebases = 0;
  int proposals = 0;
  int meeting_total = 0;
  for (int iter = 0; iter < 200; ++iter) {
    State state;
    const HierarchyId sector = state.AddHierarchy({.code = "sector"});
    const HierarchyId region = state.AddHierarchy({.code = "region"});
    std::vector<GroupId> groups;
    for (int r = 0; r < 2; ++r) {
      const GroupId root = state.AddGroup({.hierarchy = sector, .code = "s" + std::to_string(r)});
      groups.push_back(root);
      for (int c = 0; c < 2; ++c) {
        groups.push_back(state.AddGroup({.hierarchy = sector,
                                         .code = "s" + std::to_string(r) + std::to_string(c),
                                         .parent = root}));
      }
    }
    const GroupId east = state.AddGroup({.hierarchy = region, .code = "east"});
    groups.push_back(east);
    const IndicatorId out = state.AddIndicator({.code = "out"});
    const IndicatorId workers = state.AddIndicator(
        {.code = "workers", .aggregation = Aggregation::kMean, .role = Role::kInput});
    const IndicatorId cost = state.AddIndicator(
        {.code = "cost", .direction = Direction::kLower, .aggregation = Aggregation::kMax});
    const IndicatorId price = state.AddIndicator(
        {.code = "price", .direction = Direction::kLower, .aggregation = Aggregation::kLast});
    const IndicatorId per_worker =
        state.AddIndicator({.code = "pw", .numerator = out, .denominator = workers});
    state.AddIndicator(
        {.code = "cpo", .direction = Direction::kLower, .numerator = cost, .denominator = out});
    state.AddIndicator({.code = "pw2", .numerator = per_worker, .denominator = workers});
    const auto loop = static_cast<IndicatorId>(state.indicators().size());
    state.AddIndicator({.code = "loop", .numerator = loop, .denominator = out});
    const auto indicators = static_cast<IndicatorId>(state.indicators().size());

    const int units = pick(0, 20);
    for (int u = 0; u < units; ++u) {
      const UnitId id = state.AddUnit({.code = "u" + std::to_string(u)});
      for (int m = pick(0, 3); m > 0; --m) {
        const Date from = m == 1 && pick(0, 1) ? kBeginningOfTime : D(2024, 1, 1) + pick(0, 1200);
        state.AddMembership({id, sector, groups[static_cast<size_t>(pick(0, 5))], from});
      }
      if (pick(0, 1)) state.AddMembership({id, region, east, D(2024, 1, 1) + pick(0, 1200)});
      for (IndicatorId i : {out, workers, cost, price}) {
        if (pick(0, 4) == 0) continue;
        for (int r = pick(0, 30); r > 0; --r) {
          state.SetReport({id, i, D(2024, 1, 1) + pick(0, 1150), static_cast<double>(pick(0, 9))});
        }
      }
    }

    const Reference ref{state};
    const Date as_of = D(2024, 6, 1) + pick(0, 1000);
    const Grain grain = grains[pick(0, 3)];
    const Period s1 = *LastCompleteSeason(grain, as_of);
    const Period s0 = PeriodOf(grain, s1.begin - 1);
    const Period holding = PeriodOf(grain, as_of);
    ASSERT_EQ(s1, as_of == holding.end - 1 ? holding : PeriodOf(grain, holding.begin - 1));

    // Derivation over every indicator and peer group.
    std::vector<GroupId> peers{kNoId};
    peers.insert(peers.end(), groups.begin(), groups.end());
    for (IndicatorId i = 0; i < indicators; ++i) {
      for (GroupId g : peers) {
        const std::vector<double> expected = ref.Values(i, g, s1);
        std::vector<double> got;
        for (const UnitValue& v : PeerGroupValues(state, i, g, s1)) got.push_back(v.value);
        ASSERT_EQ(got, expected) << "indicator " << i << " group " << g;
        ASSERT_TRUE(SameNumber(DeriveStandardValue(state, i, g, s1), ref.Derive(i, g, s1)))
            << "indicator " << i << " group " << g;
      }
    }

    // Random standards; some values equal a unit's value to exercise "at".
    std::vector<Standard> standards;
    for (int k = pick(0, 8); k > 0; --k) {
      const auto i = static_cast<IndicatorId>(pick(0, indicators - 1));
      const GroupId g = peers[static_cast<size_t>(pick(0, static_cast<int>(peers.size()) - 1))];
      double value = pick(0, 20) / 2.0;
      const std::vector<double> vs = ref.Values(i, g, s1);
      if (!vs.empty() && pick(0, 1))
        value = vs[static_cast<size_t>(pick(0, static_cast<int>(vs.size()) - 1))];
      // Early revisions are the ones a re-base can follow.
      const Date from = D(2023, 1, 1) + (pick(0, 1) ? pick(0, 400) : pick(0, 1800));
      standards.push_back(S(i, g, from, value, std::to_string(k)));
      if (pick(0, 3) == 0) standards.push_back(S(i, g, standards.back().from, value + 1, "dup"));
    }

    const Result<std::vector<StandardStatus>> st =
        EvaluateStandards(state, standards, {.as_of = as_of, .season = grain});
    ASSERT_TRUE(st.ok()) << st.error().message;
    std::map<std::pair<IndicatorId, GroupId>, int> keys;
    for (const Standard& s : standards) keys[{s.indicator, s.peer_group}] = 0;
    ASSERT_EQ(st->size(), keys.size());
    size_t row = 0;
    for (const auto& [key, unused] : keys) {
      const auto [i, g] = key;
      const StandardStatus& s = (*st)[row++];
      ASSERT_EQ(s.indicator, i);
      ASSERT_EQ(s.peer_group, g);
      EXPECT_EQ(s.history, ref.History(standards, i, g));
      const std::optional<Standard> c = ref.InForce(standards, i, g, as_of);
      ASSERT_EQ(s.in_force, c.has_value());
      if (c) {
        EXPECT_EQ(s.current, *c);
      }
      EXPECT_EQ(s.season, s1);
      const std::vector<double> vs = ref.Values(i, g, s1);
      int meeting = 0;
      for (double v : vs) {
        if (c && (ref.Higher(i) ? v >= c->value : v <= c->value)) ++meeting;
      }
      EXPECT_EQ(s.units, static_cast<int32_t>(vs.size()));
      EXPECT_EQ(s.meeting, meeting);
      meeting_total += meeting;
      EXPECT_TRUE(SameNumber(s.advanced_level, ref.Derive(i, g, s1)));
    }

    // The re-basing rule, written out plainly, for every (indicator, peer group):
    // with standards and without (the first standard).
    for (IndicatorId i = 0; i < indicators; ++i) {
      for (GroupId g : peers) {
        const std::optional<Standard> c = ref.InForce(standards, i, g, as_of);
        const Result<RebaseProposal> p =
            ProposeRebase(state, standards, i, g, {.as_of = as_of, .season = grain});
        ASSERT_TRUE(p.ok()) << p.error().message;
        bool decided = false;
        for (const Standard& h : ref.History(standards, i, g)) decided |= h.from >= s1.end;
        const double a1 = ref.Derive(i, g, s1);
        const double a0 = ref.Derive(i, g, s0);
        bool expect_rebase = false;
        double expect_value = kNaN;
        if (!decided && !c && !std::isnan(a1)) {
          expect_rebase = true;
          expect_value = a1;
        } else if (!decided && c && !std::isnan(a0) && !std::isnan(a1)) {
          const bool h = ref.Higher(i);
          const bool b0 = h ? a0 > c->value : a0 < c->value;
          const bool b1 = h ? a1 > c->value : a1 < c->value;
          if (b0 && b1) {
            ++rebases;
            expect_rebase = true;
            expect_value = h ? std::min(a0, a1) : std::max(a0, a1);
            // Never a cut, never above the lower season.
            EXPECT_TRUE(h ? expect_value > c->value : expect_value < c->value);
          }
        }
        ASSERT_EQ(p->rebase, expect_rebase) << p->reason;
        EXPECT_FALSE(p->reason.empty());
        ++proposals;
        if (expect_rebase) {
          first_standards += c ? 0 : 1;
          EXPECT_EQ(p->standard.value, expect_value);
          EXPECT_EQ(p->standard.from, s1.end);
          EXPECT_EQ(p->standard.source, StandardSource::kDerived);
          EXPECT_EQ(p->standard.indicator, i);
          EXPECT_EQ(p->standard.peer_group, g);
        } else if (c) {
          EXPECT_EQ(p->standard, *c);
        }
      }
    }
  }
  // The random cases reach every branch that matters.
  EXPECT_GT(first_standards, 5);
  EXPECT_GT(rebases, 5);
  EXPECT_GT(proposals - rebases - first_standards, 5);
  EXPECT_GT(meeting_total, 10);
}

}  // namespace
}  // namespace chollima::engine
