#include "engine/state.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <tuple>

namespace chollima::engine {
namespace {

TEST(State, ReportRoundTrip) {
  State s;
  const IndicatorId i = s.AddIndicator({.code = "coal"});
  const UnitId u = s.AddUnit({.code = "m1"});
  s.SetReport({u, i, Date::FromCivil(2026, 3, 1), 12.5});
  EXPECT_EQ(s.ReportValue(u, i, Date::FromCivil(2026, 3, 1)), 12.5);
  EXPECT_FALSE(s.ReportValue(u, i, Date::FromCivil(2026, 3, 2)).has_value());
}

Drive SampleDrive(std::string code) {
  Drive d;
  d.code = std::move(code);
  d.name = "Winter drive";
  d.start = Date::FromCivil(2026, 1, 1);
  d.end = Date::FromCivil(2027, 1, 1);
  d.season_grain = Grain::kQuarter;
  d.terms = {{.indicator = 0, .weight = 0.6}};
  return d;
}

TEST(State, DrivesGetDenseIdsAndAreFoundByCode) {
  State s;
  EXPECT_EQ(s.AddDrive(SampleDrive("winter")), 0);
  EXPECT_EQ(s.AddDrive(SampleDrive("spring")), 1);
  EXPECT_EQ(s.FindDrive("spring"), 1);
  EXPECT_EQ(s.FindDrive("winter"), 0);
  EXPECT_FALSE(s.FindDrive("summer").has_value());
  ASSERT_EQ(s.drives().size(), 2u);
  EXPECT_EQ(s.drives()[1].code, "spring");
}

TEST(State, SeasonIsFinalizedOnceItHasResults) {
  State s;
  s.AddDrive(SampleDrive("winter"));
  EXPECT_FALSE(s.IsSeasonFinalized(0, 0));
  s.AddDriveResult({.drive = 0, .season = 1, .participant = {false, 3}, .rank = 1});
  EXPECT_FALSE(s.IsSeasonFinalized(0, 0));
  EXPECT_TRUE(s.IsSeasonFinalized(0, 1));
  EXPECT_FALSE(s.IsSeasonFinalized(1, 1));
}

TEST(State, StandardsAreOrderedByKeyAndTheLatestOfAKeyWins) {
  State s;
  const Date jan = Date::FromCivil(2026, 1, 1);
  const Date jul = Date::FromCivil(2026, 7, 1);
  s.AddStandard({.indicator = 1, .peer_group = kNoId, .from = jul, .value = 3});
  s.AddStandard({.indicator = 0, .peer_group = 2, .from = jan, .value = 1});
  s.AddStandard({.indicator = 1, .peer_group = kNoId, .from = jan, .value = 2});
  s.AddStandard({.indicator = 1, .peer_group = kNoId, .from = jul, .value = 4, .note = "fix"});
  ASSERT_EQ(s.standards().size(), 3u);
  EXPECT_EQ(s.standards()[0].indicator, 0);
  EXPECT_EQ(s.standards()[1].value, 2);
  EXPECT_EQ(s.standards()[2].value, 4);
  EXPECT_EQ(s.standards()[2].note, "fix");
}

// Against a slow reference: a map keyed by (indicator, peer group, from), last wins.
TEST(State, StandardsMatchAMapReferenceOnRandomRevisions) {
  std::mt19937 rng(20260101);
  for (int round = 0; round < 50; ++round) {
    State s;
    std::map<std::tuple<int, int, int>, double> reference;
    const int n = static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) {
      Standard st{.indicator = static_cast<IndicatorId>(rng() % 3),
                  .peer_group = static_cast<GroupId>(static_cast<int>(rng() % 3) - 1),
                  .from = Date::FromCivil(2026, 1, 1) + static_cast<int32_t>(rng() % 5),
                  .value = static_cast<double>(k)};
      reference[{st.indicator, st.peer_group, st.from.days()}] = st.value;
      s.AddStandard(st);
    }
    ASSERT_EQ(s.standards().size(), reference.size());
    size_t i = 0;
    for (const auto& [key, value] : reference) {
      const Standard& got = s.standards()[i++];
      EXPECT_EQ(std::make_tuple(got.indicator, got.peer_group, got.from.days()), key);
      EXPECT_EQ(got.value, value);
    }
  }
}

TEST(State, ApplyChangesAddsEmulationFactsAndEqualityComparesThem) {
  Changes c;
  c.new_indicators = {{.code = "coal"}};
  c.new_units = {{"M1", "Mine 1", {}}};
  c.new_drives = {SampleDrive("winter")};
  c.drive_results = {{.drive = 0,
                      .season = 0,
                      .participant = {false, 0},
                      .rank = 1,
                      .overall = 1,
                      .score = 104.5,
                      .title = "winner"}};
  c.standards = {{.indicator = 0, .from = Date::FromCivil(2026, 1, 1), .value = 40}};
  c.outlier_reviews = {{.unit = 0,
                        .indicator = 0,
                        .date = Date::FromCivil(2026, 1, 5),
                        .value = 9000,
                        .confirmed = false,
                        .reviewer = "kim"}};
  State a;
  ApplyChanges(c, a);
  ASSERT_EQ(a.drives().size(), 1u);
  EXPECT_EQ(a.FindDrive("winter"), 0);
  EXPECT_EQ(a.drive_results().size(), 1u);
  EXPECT_EQ(a.standards().size(), 1u);
  ASSERT_EQ(a.outlier_reviews().size(), 1u);
  EXPECT_FALSE(a.outlier_reviews()[0].confirmed);

  State b;
  ApplyChanges(c, b);
  EXPECT_TRUE(a == b);
  auto differs = [&](auto mutate) {
    Changes d = c;
    mutate(d);
    State x;
    ApplyChanges(d, x);
    return !(x == a);
  };
  EXPECT_TRUE(differs([](Changes& d) { d.new_drives[0].terms[0].weight = 0.5; }));
  EXPECT_TRUE(differs([](Changes& d) { d.new_drives[0].leagues.promote = 1; }));
  EXPECT_TRUE(differs([](Changes& d) { d.drive_results[0].title = ""; }));
  EXPECT_TRUE(differs([](Changes& d) { d.standards[0].value = 41; }));
  EXPECT_TRUE(differs([](Changes& d) { d.outlier_reviews[0].confirmed = true; }));
  EXPECT_TRUE(differs([](Changes& d) { d.outlier_reviews.clear(); }));
}

}  // namespace
}  // namespace chollima::engine
