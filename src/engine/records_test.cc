#include "engine/records.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace chollima::engine {

void PrintTo(const RecordValue& v, std::ostream* os) {
  *os << "{unit " << v.holder << " " << FormatPeriod(v.period) << " " << v.value << "}";
}
void PrintTo(const RecordKey& k, std::ostream* os) {
  *os << "{ind " << k.indicator << " " << GrainName(k.grain) << " " << RecordScopeName(k.scope)
      << " " << k.scope_id << "}";
}
void PrintTo(const RecordEntry& e, std::ostream* os) {
  PrintTo(e.key, os);
  *os << " record ";
  PrintTo(e.record, os);
  *os << " previous ";
  if (e.previous) {
    PrintTo(*e.previous, os);
  } else {
    *os << "none";
  }
}
void PrintTo(const RecordEvent& e, std::ostream* os) {
  *os << (e.kind == RecordEvent::Kind::kNewRecord ? "new " : "withdrawn ");
  PrintTo(e.key, os);
  *os << " record ";
  if (e.record) {
    PrintTo(*e.record, os);
  } else {
    *os << "none";
  }
  *os << " previous ";
  if (e.previous) {
    PrintTo(*e.previous, os);
  } else {
    *os << "none";
  }
}

namespace {

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }
Period Day(int y, int m, int d) { return PeriodOf(Grain::kDay, D(y, m, d)); }
Period Month(int y, int m) { return PeriodOf(Grain::kMonth, D(y, m, 1)); }
Period Year(int y) { return PeriodOf(Grain::kYear, D(y, 1, 1)); }

using Kind = RecordEvent::Kind;

// A province (group 0) with counties 1 and 2; units 0 and 1 in county 1, unit 2 in
// county 2. Indicators: coal (higher, sum), energy (lower, sum).
struct Fixture {
  State s;
  HierarchyId region = kNoId;
  GroupId province = kNoId, c1 = kNoId, c2 = kNoId;
  IndicatorId coal = kNoId, energy = kNoId;
  Fixture() {
    region = s.AddHierarchy({"region"});
    province = s.AddGroup({.hierarchy = region, .code = "p", .name = "P"});
    c1 = s.AddGroup(
        {.hierarchy = region, .code = "c1", .name = "C1", .parent = province, .depth = 2});
    c2 = s.AddGroup(
        {.hierarchy = region, .code = "c2", .name = "C2", .parent = province, .depth = 2});
    for (int u = 0; u < 3; ++u) {
      const UnitId id = s.AddUnit({.code = "u" + std::to_string(u)});
      s.AddMembership({.unit = id, .hierarchy = region, .group = u < 2 ? c1 : c2});
    }
    coal = s.AddIndicator({.code = "coal", .direction = Direction::kHigher});
    energy = s.AddIndicator({.code = "energy", .direction = Direction::kLower});
  }
  void Report(UnitId u, IndicatorId i, Date d, double v) { s.SetReport({u, i, d, v}); }
};

RecordValue V(UnitId u, Period p, double v) { return {u, p, v}; }

TEST(Records, DayRecordsOfUnitGroupAndAllWithTiesAndPrevious) {
  Fixture f;
  f.Report(0, f.coal, D(2026, 1, 1), 10);
  f.Report(0, f.coal, D(2026, 1, 2), 30);
  f.Report(0, f.coal, D(2026, 1, 3), 20);
  f.Report(1, f.coal, D(2026, 1, 1), 30);
  f.Report(1, f.coal, D(2026, 1, 2), 5);
  f.Report(2, f.coal, D(2026, 1, 2), 40);
  f.Report(2, f.coal, D(2026, 1, 3), 40);
  RecordBook b(f.s, {});
  auto find = [&](RecordScope scope, int32_t id) {
    const RecordEntry* e = b.Find({f.coal, Grain::kDay, scope, id});
    EXPECT_NE(e, nullptr);
    return e == nullptr ? RecordEntry{} : *e;
  };
  RecordEntry e = find(RecordScope::kUnit, 0);
  EXPECT_EQ(e.record, V(0, Day(2026, 1, 2), 30));
  EXPECT_EQ(e.previous, V(0, Day(2026, 1, 1), 10));
  e = find(RecordScope::kUnit, 1);
  EXPECT_EQ(e.record, V(1, Day(2026, 1, 1), 30));
  EXPECT_EQ(e.previous, std::nullopt);
  // Equal values: the earlier day holds the record.
  e = find(RecordScope::kUnit, 2);
  EXPECT_EQ(e.record, V(2, Day(2026, 1, 2), 40));
  EXPECT_EQ(e.previous, std::nullopt);
  // 30 by unit 1 on the 1st and by unit 0 on the 2nd: the earlier day wins.
  e = find(RecordScope::kGroup, f.c1);
  EXPECT_EQ(e.record, V(1, Day(2026, 1, 1), 30));
  EXPECT_EQ(e.previous, std::nullopt);
  e = find(RecordScope::kGroup, f.c2);
  EXPECT_EQ(e.record, V(2, Day(2026, 1, 2), 40));
  e = find(RecordScope::kGroup, f.province);
  EXPECT_EQ(e.record, V(2, Day(2026, 1, 2), 40));
  EXPECT_EQ(e.previous, V(1, Day(2026, 1, 1), 30));
  e = find(RecordScope::kAll, kNoId);
  EXPECT_EQ(e.record, V(2, Day(2026, 1, 2), 40));
  EXPECT_EQ(e.previous, V(1, Day(2026, 1, 1), 30));

  // Running month and year of a higher-is-better sum: 60, 35, 80.
  const RecordEntry* m = b.Find({f.coal, Grain::kMonth, RecordScope::kAll, kNoId});
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->record, V(2, Month(2026, 1), 80));
  EXPECT_EQ(m->previous, std::nullopt);
  const RecordEntry* y = b.Find({f.coal, Grain::kYear, RecordScope::kGroup, f.c1});
  ASSERT_NE(y, nullptr);
  EXPECT_EQ(y->record, V(0, Year(2026), 60));
  EXPECT_EQ(b.Records({.indicator = f.coal, .grain = Grain::kMonth}).size(), 7u);
  // Same value on the same day in two units: the smaller unit id.
  f.Report(1, f.coal, D(2026, 1, 2), 40);
  RecordBook b2(f.s, {});
  EXPECT_EQ(b2.Find({f.coal, Grain::kDay, RecordScope::kAll, kNoId})->record,
            V(1, Day(2026, 1, 2), 40));
}

TEST(Records, LowerIsBetterAndAMonthCompletedByANewDay) {
  Fixture f;
  f.Report(0, f.energy, D(2026, 1, 1), 5);
  f.Report(0, f.energy, D(2026, 1, 31), 2);
  f.Report(1, f.energy, D(2026, 1, 1), 3);
  f.Report(1, f.energy, D(2026, 1, 30), 2);
  f.Report(2, f.coal, D(2026, 1, 30), 80);
  RecordBook b(f.s, {});
  const RecordEntry* e = b.Find({f.energy, Grain::kDay, RecordScope::kUnit, 0});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->record, V(0, Day(2026, 1, 31), 2));
  EXPECT_EQ(e->previous, V(0, Day(2026, 1, 1), 5));
  e = b.Find({f.energy, Grain::kDay, RecordScope::kAll, kNoId});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->record, V(1, Day(2026, 1, 30), 2));
  EXPECT_EQ(e->previous, V(1, Day(2026, 1, 1), 3));
  // L = Jan 31 completes January: energy (lower, sum) has month records: 7 and 5.
  e = b.Find({f.energy, Grain::kMonth, RecordScope::kAll, kNoId});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->record, V(1, Month(2026, 1), 5));
  // The running year of a lower-is-better indicator does not count.
  EXPECT_EQ(b.Find({f.energy, Grain::kYear, RecordScope::kAll, kNoId}), nullptr);

  // Without the 31st, January is running and energy has no month record.
  Fixture g;
  g.Report(0, g.energy, D(2026, 1, 1), 5);
  g.Report(1, g.energy, D(2026, 1, 1), 3);
  g.Report(2, g.coal, D(2026, 1, 30), 80);
  RecordBook book(g.s, {});
  EXPECT_EQ(book.Find({g.energy, Grain::kMonth, RecordScope::kAll, kNoId}), nullptr);
  ASSERT_NE(book.Find({g.coal, Grain::kMonth, RecordScope::kAll, kNoId}), nullptr);
  // A coal report on the 31st completes January: energy month records appear at once for
  // every unit and group, and coal's year grows.
  Changes c;
  c.reports.push_back({2, g.coal, D(2026, 1, 31), 1});
  ApplyChanges(c, g.s);
  const std::vector<RecordEvent> ev = book.Apply(g.s, g.s.outlier_reviews(), c);
  const RecordValue y80 = V(2, Year(2026), 80);
  const RecordValue y81 = V(2, Year(2026), 81);
  const RecordValue m80 = V(2, Month(2026, 1), 80);
  const RecordValue m81 = V(2, Month(2026, 1), 81);
  auto nr = [](IndicatorId i, Grain gr, RecordScope s, int32_t id, std::optional<RecordValue> r,
               std::optional<RecordValue> p) {
    return RecordEvent{Kind::kNewRecord, {i, gr, s, id}, r, p};
  };
  const std::vector<RecordEvent> want = {
      nr(g.coal, Grain::kMonth, RecordScope::kUnit, 2, m81, m80),
      nr(g.coal, Grain::kMonth, RecordScope::kGroup, g.province, m81, m80),
      nr(g.coal, Grain::kMonth, RecordScope::kGroup, g.c2, m81, m80),
      nr(g.coal, Grain::kMonth, RecordScope::kAll, kNoId, m81, m80),
      nr(g.coal, Grain::kYear, RecordScope::kUnit, 2, y81, y80),
      nr(g.coal, Grain::kYear, RecordScope::kGroup, g.province, y81, y80),
      nr(g.coal, Grain::kYear, RecordScope::kGroup, g.c2, y81, y80),
      nr(g.coal, Grain::kYear, RecordScope::kAll, kNoId, y81, y80),
      nr(g.energy, Grain::kMonth, RecordScope::kUnit, 0, V(0, Month(2026, 1), 5), std::nullopt),
      nr(g.energy, Grain::kMonth, RecordScope::kUnit, 1, V(1, Month(2026, 1), 3), std::nullopt),
      nr(g.energy, Grain::kMonth, RecordScope::kGroup, g.province, V(1, Month(2026, 1), 3),
         std::nullopt),
      nr(g.energy, Grain::kMonth, RecordScope::kGroup, g.c1, V(1, Month(2026, 1), 3), std::nullopt),
      nr(g.energy, Grain::kMonth, RecordScope::kAll, kNoId, V(1, Month(2026, 1), 3), std::nullopt),
  };
  EXPECT_EQ(ev, want);
  EXPECT_TRUE(book == RecordBook(g.s, g.s.outlier_reviews()));
}

TEST(Records, MembershipChangeMidYear) {
  Fixture f;
  f.Report(0, f.coal, D(2026, 1, 15), 100);
  f.Report(0, f.coal, D(2026, 3, 15), 50);
  f.Report(1, f.coal, D(2026, 1, 10), 60);
  RecordBook b(f.s, {});
  EXPECT_EQ(b.Find({f.coal, Grain::kYear, RecordScope::kGroup, f.c1})->record,
            V(0, Year(2026), 150));
  // Unit 0 moves to county 2 on March 1st.
  Changes c;
  c.memberships.push_back({.unit = 0, .hierarchy = f.region, .group = f.c2, .from = D(2026, 3, 1)});
  ApplyChanges(c, f.s);
  const std::vector<RecordEvent> ev = b.Apply(f.s, f.s.outlier_reviews(), c);
  EXPECT_TRUE(b == RecordBook(f.s, f.s.outlier_reviews()));
  // Days and months stay where the unit was then; the year (membership on its last
  // reported day, March 15th) moves to county 2.
  EXPECT_EQ(b.Find({f.coal, Grain::kDay, RecordScope::kGroup, f.c1})->record,
            V(0, Day(2026, 1, 15), 100));
  EXPECT_EQ(b.Find({f.coal, Grain::kDay, RecordScope::kGroup, f.c2})->record,
            V(0, Day(2026, 3, 15), 50));
  EXPECT_EQ(b.Find({f.coal, Grain::kMonth, RecordScope::kGroup, f.c1})->record,
            V(0, Month(2026, 1), 100));
  EXPECT_EQ(b.Find({f.coal, Grain::kMonth, RecordScope::kGroup, f.c2})->record,
            V(0, Month(2026, 3), 50));
  EXPECT_EQ(b.Find({f.coal, Grain::kYear, RecordScope::kGroup, f.c1})->record,
            V(1, Year(2026), 60));
  EXPECT_EQ(b.Find({f.coal, Grain::kYear, RecordScope::kGroup, f.c2})->record,
            V(0, Year(2026), 150));
  const std::vector<RecordEvent> want = {
      {Kind::kNewRecord,
       {f.coal, Grain::kDay, RecordScope::kGroup, f.c2},
       V(0, Day(2026, 3, 15), 50),
       std::nullopt},
      {Kind::kNewRecord,
       {f.coal, Grain::kMonth, RecordScope::kGroup, f.c2},
       V(0, Month(2026, 3), 50),
       std::nullopt},
      {Kind::kWithdrawn,
       {f.coal, Grain::kYear, RecordScope::kGroup, f.c1},
       V(1, Year(2026), 60),
       V(0, Year(2026), 150)},
      {Kind::kNewRecord,
       {f.coal, Grain::kYear, RecordScope::kGroup, f.c2},
       V(0, Year(2026), 150),
       std::nullopt},
  };
  EXPECT_EQ(ev, want);
}

// Unit 0 reports coal 99, 100, 101, ... on January 1..30 and 1000 on the 31st.
struct OutlierFixture {
  State s;
  IndicatorId coal = kNoId;
  OutlierFixture() {
    s.AddUnit({.code = "u0"});
    s.AddUnit({.code = "u1", .attributes = {{"capacity", 1}, {"capacity_coal", 150}}});
    coal = s.AddIndicator({.code = "coal"});
    for (int d = 1; d <= 30; ++d) s.SetReport({0, coal, D(2026, 1, d), 100.0 + (d % 3 - 1)});
    s.SetReport({0, coal, D(2026, 1, 31), 1000});
  }
  std::vector<RecordEvent> Commit(RecordBook& b, const Changes& c) {
    ApplyChanges(c, s);
    std::vector<RecordEvent> ev = b.Apply(s, s.outlier_reviews(), c);
    EXPECT_TRUE(b == RecordBook(s, s.outlier_reviews()));
    return ev;
  }
  OutlierReview Review(double value, bool confirmed) {
    return {.unit = 0,
            .indicator = coal,
            .date = D(2026, 1, 31),
            .value = value,
            .confirmed = confirmed,
            .reviewer = "planner"};
  }
};

TEST(Records, OutlierIsFlaggedAndCountsOnlyOnceConfirmed) {
  OutlierFixture f;
  RecordBook b(f.s, {});
  std::vector<Outlier> out = b.Outliers(std::nullopt, std::nullopt);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].unit, 0);
  EXPECT_EQ(out[0].date, D(2026, 1, 31));
  EXPECT_EQ(out[0].value, 1000);
  EXPECT_STREQ(out[0].reason, "history");
  // Median 100, MAD 1: scale max(1.4826, 5% of 100) = 5; score 900 / 5.
  EXPECT_EQ(out[0].expected, 100);
  EXPECT_DOUBLE_EQ(out[0].score, 180);
  EXPECT_EQ(out[0].confirmed, std::nullopt);
  const RecordValue day101 = V(0, Day(2026, 1, 2), 101);
  const RecordValue day1000 = V(0, Day(2026, 1, 31), 1000);
  const RecordValue month3000 = V(0, Month(2026, 1), 3000);
  const RecordValue month4000 = V(0, Month(2026, 1), 4000);
  const RecordValue year3000 = V(0, Year(2026), 3000);
  const RecordValue year4000 = V(0, Year(2026), 4000);
  EXPECT_EQ(b.Find({f.coal, Grain::kDay, RecordScope::kUnit, 0})->record, day101);
  EXPECT_EQ(b.Find({f.coal, Grain::kDay, RecordScope::kUnit, 0})->previous,
            V(0, Day(2026, 1, 1), 100));
  EXPECT_EQ(b.Find({f.coal, Grain::kMonth, RecordScope::kAll, kNoId})->record, month3000);

  // Confirmed: it sets the records it reaches.
  Changes c;
  c.outlier_reviews.push_back(f.Review(1000, true));
  std::vector<RecordEvent> ev = f.Commit(b, c);
  auto keys = [&](Kind k, std::array<RecordValue, 3> after, std::array<RecordValue, 3> before) {
    std::vector<RecordEvent> v;
    const std::array<Grain, 3> grains = {Grain::kDay, Grain::kMonth, Grain::kYear};
    for (size_t g = 0; g < 3; ++g) {
      v.push_back({k, {f.coal, grains[g], RecordScope::kUnit, 0}, after[g], before[g]});
      v.push_back({k, {f.coal, grains[g], RecordScope::kAll, kNoId}, after[g], before[g]});
    }
    return v;
  };
  EXPECT_EQ(ev,
            keys(Kind::kNewRecord, {day1000, month4000, year4000}, {day101, month3000, year3000}));
  EXPECT_EQ(b.Find({f.coal, Grain::kDay, RecordScope::kAll, kNoId})->previous, day101);
  EXPECT_EQ(b.Outliers(0, f.coal)[0].confirmed, true);

  // Rejected later: withdrawn, the earlier records restored.
  c.outlier_reviews = {f.Review(1000, false)};
  ev = f.Commit(b, c);
  EXPECT_EQ(ev,
            keys(Kind::kWithdrawn, {day101, month3000, year3000}, {day1000, month4000, year4000}));
  EXPECT_EQ(b.Outliers(0, f.coal)[0].confirmed, false);

  // A correction to another value is judged afresh: flagged, unreviewed, no record.
  c = {};
  c.reports.push_back({0, f.coal, D(2026, 1, 31), 2000});
  ev = f.Commit(b, c);
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(b.Outliers(0, std::nullopt)[0].confirmed, std::nullopt);
  EXPECT_EQ(b.Outliers(0, std::nullopt)[0].value, 2000);
  // A review of the old value does not apply to the new one.
  c = {};
  c.outlier_reviews = {f.Review(1000, true)};
  EXPECT_TRUE(f.Commit(b, c).empty());
  c.outlier_reviews = {f.Review(2000, true)};
  ev = f.Commit(b, c);
  ASSERT_EQ(ev.size(), 6u);
  EXPECT_EQ(ev[0].record, V(0, Day(2026, 1, 31), 2000));
  EXPECT_EQ(ev[0].previous, day101);

  // A correction that is no outlier withdraws the confirmed record and restores 101.
  c = {};
  c.reports.push_back({0, f.coal, D(2026, 1, 31), 100});
  ev = f.Commit(b, c);
  ASSERT_EQ(ev.size(), 6u);
  EXPECT_EQ(ev[0].kind, Kind::kWithdrawn);
  EXPECT_EQ(ev[0].record, day101);
  EXPECT_EQ(ev[0].previous, V(0, Day(2026, 1, 31), 2000));
  EXPECT_EQ(ev[2].record, V(0, Month(2026, 1), 3100));
  EXPECT_TRUE(b.Outliers(std::nullopt, std::nullopt).empty());
}

TEST(Records, AboveCapacityIsAnOutlierAndAFlatHistoryHasAGuard) {
  OutlierFixture f;
  f.s.SetReport({1, f.coal, D(2026, 1, 1), 150});
  f.s.SetReport({1, f.coal, D(2026, 1, 2), 151});
  // Unit 0 of the fixture but flat: 100 for 25 days, then 140 (score 8: not flagged)
  // and 141 (score 8.2: flagged) although the MAD is 0.
  const UnitId flat = f.s.AddUnit({.code = "flat"});
  for (int d = 1; d <= 25; ++d) f.s.SetReport({flat, f.coal, D(2026, 3, d), 100});
  f.s.SetReport({flat, f.coal, D(2026, 3, 26), 140});
  f.s.SetReport({flat, f.coal, D(2026, 3, 27), 60});
  f.s.SetReport({flat, f.coal, D(2026, 3, 28), 141});
  RecordBook b(f.s, {});
  std::vector<Outlier> out = b.Outliers(1, std::nullopt);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].date, D(2026, 1, 2));
  EXPECT_STREQ(out[0].reason, "capacity");
  EXPECT_EQ(out[0].expected, 150);
  EXPECT_EQ(out[0].score, 1);
  EXPECT_EQ(b.Find({f.coal, Grain::kDay, RecordScope::kUnit, 1})->record,
            V(1, Day(2026, 1, 1), 150));
  out = b.Outliers(flat, f.coal);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].date, D(2026, 3, 28));
  EXPECT_DOUBLE_EQ(out[0].score, 41.0 / 5.0);
  EXPECT_EQ(b.Find({f.coal, Grain::kDay, RecordScope::kUnit, flat})->record,
            V(flat, Day(2026, 3, 26), 140));
  // All reported months of 2026 are complete as of March 28 except March (running: coal
  // is a higher-is-better sum): March = 25 * 100 + 140 + 60 without the outlier.
  EXPECT_EQ(b.Find({f.coal, Grain::kMonth, RecordScope::kUnit, flat})->record,
            V(flat, Month(2026, 3), 2700));
  EXPECT_EQ(b.Outliers(std::nullopt, std::nullopt).size(), 3u);
}

TEST(Records, MonthlyIndicatorsAndDerivedRatiosHaveNoDayRecords) {
  State s;
  s.AddUnit({.code = "u"});
  const IndicatorId out = s.AddIndicator({.code = "out", .grain = Grain::kMonth});
  const IndicatorId workers = s.AddIndicator({.code = "w", .aggregation = Aggregation::kMean});
  const IndicatorId ratio = s.AddIndicator({.code = "r", .numerator = out, .denominator = workers});
  s.SetReport({0, out, D(2026, 1, 1), 7});
  s.SetReport({0, out, D(2026, 2, 1), 9});
  s.SetReport({0, workers, D(2026, 1, 1), 3});
  s.SetReport({0, workers, D(2026, 2, 1), 5});
  RecordBook b(s, {});
  EXPECT_TRUE(b.Records({.indicator = out, .grain = Grain::kDay}).empty());
  EXPECT_TRUE(b.Records({.indicator = ratio}).empty());
  // February is running (L = Feb 1); out is a higher sum so it counts: 9.
  EXPECT_EQ(b.Find({out, Grain::kMonth, RecordScope::kUnit, 0})->record, V(0, Month(2026, 2), 9));
  EXPECT_EQ(b.Find({out, Grain::kMonth, RecordScope::kUnit, 0})->previous, V(0, Month(2026, 1), 7));
  // Workers (mean): only the complete January counts.
  EXPECT_EQ(b.Find({workers, Grain::kMonth, RecordScope::kAll, kNoId})->record,
            V(0, Month(2026, 1), 3));
  EXPECT_EQ(b.Find({workers, Grain::kDay, RecordScope::kAll, kNoId})->record,
            V(0, Day(2026, 2, 1), 5));
}

// ---- The slow, obviously-correct reference.

struct RefKey {
  IndicatorId indicator;
  int grain;
  int scope;
  int32_t id;
  auto operator<=>(const RefKey&) const = default;
};

struct RefCandidate {
  UnitId unit;
  Period period;
  double value;
};

struct Reference {
  std::map<RefKey, RecordEntry> table;
  std::vector<Outlier> outliers;
};

bool RefBetter(const RefCandidate& a, const RefCandidate& b, Direction dir) {
  if (a.value != b.value) return dir == Direction::kHigher ? a.value > b.value : a.value < b.value;
  if (a.period.begin != b.period.begin) return a.period.begin < b.period.begin;
  return a.unit < b.unit;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Reference ComputeReference(const State& st, const std::vector<OutlierReview>& reviews) {
  Reference ref;
  const std::optional<Date> last = st.LastReportedDay();
  if (!last) return ref;
  const Date begin = st.origin();
  const Date end = st.origin() + st.series_days();
  for (size_t ii = 0; ii < st.indicators().size(); ++ii) {
    const auto ind = static_cast<IndicatorId>(ii);
    const Indicator& indicator = st.indicators()[ii];
    if (indicator.IsDerived()) continue;
    std::map<RefKey, std::vector<RefCandidate>> scopes;
    for (size_t uu = 0; uu < st.units().size(); ++uu) {
      const auto u = static_cast<UnitId>(uu);
      std::optional<double> capacity;
      for (const auto& [name, value] : st.units()[uu].attributes) {
        if (name == "capacity_" + indicator.code) {
          capacity = value;
          break;
        }
      }
      std::vector<double> history;  // all present values so far
      std::map<int32_t, double> counted;
      for (Date d = begin; d < end; d = d + 1) {
        const std::optional<double> v = st.ReportValue(u, ind, d);
        if (!v) continue;
        const double x = *v;
        Outlier o{.unit = u, .indicator = ind, .date = d, .value = x};
        bool flagged = false;
        if (capacity && x > *capacity) {
          flagged = true;
          o.reason = "capacity";
          o.expected = *capacity;
          o.score = x - *capacity;
        } else if (history.size() >= static_cast<size_t>(kOutlierMinHistory)) {
          const size_t n = std::min(history.size(), static_cast<size_t>(kOutlierWindow));
          const std::vector<double> h(history.end() - static_cast<std::ptrdiff_t>(n),
                                      history.end());
          const double m = Median(h);
          const bool inside = x >= *std::min_element(h.begin(), h.end()) &&
                              x <= *std::max_element(h.begin(), h.end());
          std::vector<double> dev;
          dev.reserve(h.size());
          for (double y : h) dev.push_back(std::fabs(y - m));
          const double scale =
              std::max(kOutlierMadScale * Median(dev), kOutlierRelativeFloor * std::fabs(m));
          const double dx = std::fabs(x - m);
          const double score =
              scale > 0 ? dx / scale : (dx > 0 ? std::numeric_limits<double>::infinity() : 0.0);
          if (!inside && score > kOutlierThreshold) {
            flagged = true;
            o.reason = "history";
            o.expected = m;
            o.score = score;
          }
        }
        history.push_back(x);
        bool counts = true;
        if (flagged) {
          const OutlierReview* latest = nullptr;
          for (const OutlierReview& r : reviews) {
            if (r.unit == u && r.indicator == ind && r.date == d) latest = &r;
          }
          if (latest != nullptr && latest->value == x) o.confirmed = latest->confirmed;
          counts = o.confirmed == true;
          ref.outliers.push_back(o);
        }
        if (counts) counted[d.days()] = x;
      }
      // Candidates: (grain index, period, value, membership day).
      struct C {
        int grain;
        RefCandidate c;
        Date member;
      };
      std::vector<C> cands;
      if (indicator.grain == Grain::kDay) {
        for (const auto& [d, v] : counted) cands.push_back({0, {u, Day(1970, 1, 1), v}, Date(d)});
        for (C& c : cands) c.c.period = PeriodOf(Grain::kDay, c.member);
      }
      const std::array<Grain, 3> grains = {Grain::kDay, Grain::kMonth, Grain::kYear};
      for (int g = 1; g < 3; ++g) {
        if (indicator.grain > grains[static_cast<size_t>(g)]) continue;
        for (const Period& p : PeriodsOverlapping(grains[static_cast<size_t>(g)], begin, end)) {
          const bool complete = p.end - 1 <= *last;
          const bool running = p.Contains(*last) && indicator.direction == Direction::kHigher &&
                               indicator.aggregation == Aggregation::kSum;
          if (!complete && !running) continue;
          double sum = 0, mx = -1e300, lastv = 0;
          int n = 0;
          Date member;
          for (const auto& [d, v] : counted) {
            if (!p.Contains(Date(d))) continue;
            sum += v;
            mx = std::max(mx, v);
            lastv = v;
            ++n;
            member = Date(d);
          }
          if (n == 0) continue;
          double value = 0;
          switch (indicator.aggregation) {
            case Aggregation::kSum:
              value = sum;
              break;
            case Aggregation::kMean:
              value = sum / n;
              break;
            case Aggregation::kMax:
              value = mx;
              break;
            case Aggregation::kLast:
              value = lastv;
              break;
          }
          cands.push_back({g, {u, p, value}, member});
        }
      }
      for (const C& c : cands) {
        scopes[{ind, c.grain, 0, u}].push_back(c.c);
        scopes[{ind, c.grain, 2, kNoId}].push_back(c.c);
        for (size_t h = 0; h < st.hierarchies().size(); ++h) {
          const GroupId leaf = st.GroupOf(u, static_cast<HierarchyId>(h), c.member);
          for (size_t g = 0; g < st.groups().size(); ++g) {
            if (leaf != kNoId && st.IsWithin(leaf, static_cast<GroupId>(g))) {
              scopes[{ind, c.grain, 1, static_cast<int32_t>(g)}].push_back(c.c);
            }
          }
        }
      }
    }
    for (const auto& [key, list] : scopes) {
      const RefCandidate* best = nullptr;
      for (const RefCandidate& c : list) {
        if (best == nullptr || RefBetter(c, *best, indicator.direction)) best = &c;
      }
      const RefCandidate* prev = nullptr;
      for (const RefCandidate& c : list) {
        if (c.period.begin >= best->period.begin) continue;
        if (prev == nullptr || RefBetter(c, *prev, indicator.direction)) prev = &c;
      }
      const std::array<Grain, 3> grains = {Grain::kDay, Grain::kMonth, Grain::kYear};
      RecordEntry e;
      e.key = {key.indicator, grains[static_cast<size_t>(key.grain)],
               static_cast<RecordScope>(key.scope), key.id};
      e.record = {best->unit, best->period, best->value};
      if (prev != nullptr) e.previous = RecordValue{prev->unit, prev->period, prev->value};
      ref.table[key] = e;
    }
  }
  std::sort(ref.outliers.begin(), ref.outliers.end(), [](const Outlier& a, const Outlier& b) {
    return std::tie(a.unit, a.indicator, a.date) < std::tie(b.unit, b.indicator, b.date);
  });
  return ref;
}

// The events: the difference of two reference tables (see SEMANTICS, Events).
std::vector<RecordEvent> ReferenceEvents(const State& st, const Reference& before,
                                         const Reference& after) {
  std::map<RefKey, int> keys;
  for (const auto& [k, e] : before.table) keys[k] = 0;
  for (const auto& [k, e] : after.table) keys[k] = 0;
  std::vector<RecordEvent> out;
  for (const auto& [k, unused] : keys) {
    const auto b = before.table.find(k);
    const auto a = after.table.find(k);
    const bool hb = b != before.table.end();
    const bool ha = a != after.table.end();
    if (hb && ha && b->second.record == a->second.record) continue;
    RecordEvent ev;
    ev.key = (ha ? a : b)->second.key;
    if (ha) ev.record = a->second.record;
    if (hb) ev.previous = b->second.record;
    const Direction dir = st.indicators()[static_cast<size_t>(k.indicator)].direction;
    const bool better =
        !hb ||
        (ha && RefBetter({a->second.record.holder, a->second.record.period, a->second.record.value},
                         {b->second.record.holder, b->second.record.period, b->second.record.value},
                         dir));
    ev.kind = better ? Kind::kNewRecord : Kind::kWithdrawn;
    out.push_back(ev);
  }
  return out;
}

// The first entry where two tables differ, for a readable failure.
std::string FirstDifference(const std::vector<RecordEntry>& a, const std::vector<RecordEntry>& b) {
  std::ostringstream os;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size() && i < b.size() && a[i] == b[i]) continue;
    os << "at " << i << ": ";
    if (i < a.size()) PrintTo(a[i], &os);
    os << " vs ";
    if (i < b.size()) PrintTo(b[i], &os);
    break;
  }
  return os.str();
}

std::vector<RecordEntry> Entries(const Reference& r) {
  std::vector<RecordEntry> v;
  for (const auto& [k, e] : r.table) v.push_back(e);
  return v;
}

bool SameOutliers(const std::vector<Outlier>& a, const std::vector<Outlier>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].unit != b[i].unit || a[i].indicator != b[i].indicator || a[i].date != b[i].date ||
        a[i].value != b[i].value || a[i].expected != b[i].expected || !(a[i].score == b[i].score) ||
        std::strcmp(a[i].reason, b[i].reason) != 0 || a[i].confirmed != b[i].confirmed) {
      return false;
    }
  }
  return true;
}

TEST(Records, IncrementalEqualsScratchAndTheReferenceOnRandomCommits) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    State st;
    // Two hierarchies: h0 with two roots of two leaves each, h1 with one root, two leaves.
    const HierarchyId h0 = st.AddHierarchy({"h0"});
    const HierarchyId h1 = st.AddHierarchy({"h1"});
    std::vector<GroupId> leaves0, leaves1;
    for (int r = 0; r < 2; ++r) {
      const GroupId root = st.AddGroup({.hierarchy = h0, .code = "r" + std::to_string(r)});
      for (int c = 0; c < 2; ++c) {
        leaves0.push_back(st.AddGroup({.hierarchy = h0,
                                       .code = "l" + std::to_string(r) + std::to_string(c),
                                       .parent = root,
                                       .depth = 2}));
      }
    }
    const GroupId root1 = st.AddGroup({.hierarchy = h1, .code = "s"});
    for (int c = 0; c < 2; ++c) {
      leaves1.push_back(st.AddGroup(
          {.hierarchy = h1, .code = "b" + std::to_string(c), .parent = root1, .depth = 2}));
    }
    const int units = 4;
    std::vector<IndicatorId> inds;
    inds.push_back(st.AddIndicator({.code = "a"}));
    inds.push_back(st.AddIndicator({.code = "b", .direction = Direction::kLower}));
    inds.push_back(st.AddIndicator({.code = "c", .aggregation = Aggregation::kMean}));
    inds.push_back(st.AddIndicator(
        {.code = "d", .direction = Direction::kLower, .aggregation = Aggregation::kMax}));
    inds.push_back(st.AddIndicator({.code = "e", .aggregation = Aggregation::kLast}));
    inds.push_back(st.AddIndicator({.code = "m", .grain = Grain::kMonth}));
    st.AddIndicator({.code = "ratio", .numerator = inds[0], .denominator = inds[1]});
    for (int u = 0; u < units; ++u) {
      Unit unit{.code = "u" + std::to_string(u)};
      if (u == 1) unit.attributes = {{"capacity_a", 106}};
      const UnitId id = st.AddUnit(unit);
      st.AddMembership(
          {.unit = id, .hierarchy = h0, .group = leaves0[static_cast<size_t>(pick(4))]});
      if (u != 3) {
        st.AddMembership({.unit = id, .hierarchy = h1, .group = u == 2 ? root1 : leaves1[0]});
      }
    }
    auto value = [&] {
      const int r = pick(40);
      if (r == 0) return 1000.0 + pick(50);
      if (r == 1) return static_cast<double>(pick(10));
      return 100.0 + pick(9) - 4;
    };
    Date next = D(2026, 12, 1);  // the steps cross the end of the year
    std::vector<Report> reported;
    // Every unit's reports of day d, or only unit `only`'s (the others' months then
    // complete without them being touched).
    auto day_reports = [&](Changes& c, Date d, int only = -1) {
      for (int u = 0; u < units; ++u) {
        if (only >= 0 && u != only) continue;
        for (size_t k = 0; k < inds.size(); ++k) {
          if (k == 5 && d.ToCivil().day != 1) continue;
          if (pick(6) == 0) continue;
          const Report r{u, inds[k], d, value()};
          c.reports.push_back(r);
          reported.push_back(r);
        }
      }
    };
    {
      Changes c;
      for (int i = 0; i < 25; ++i, next = next + 1) day_reports(c, next);
      ApplyChanges(c, st);
    }
    RecordBook book(st, st.outlier_reviews());
    Reference ref = ComputeReference(st, st.outlier_reviews());
    ASSERT_EQ(book.Records({}), Entries(ref));
    ASSERT_TRUE(SameOutliers(book.Outliers(std::nullopt, std::nullopt), ref.outliers));
    size_t total_events = 0;
    size_t withdrawn = 0;
    for (int step = 0; step < 50; ++step) {
      SCOPED_TRACE("step " + std::to_string(step));
      Changes c;
      const int action = pick(21) / 2;  // 0..10
      if (action < 4) {
        day_reports(c, next, pick(2) == 0 ? pick(units) : -1);
        next = next + 1;
        if (pick(3) == 0) next = next + 1;   // a day nobody reports
        if (pick(4) == 0) next = next + 12;  // a longer pause: more month ends crossed
      } else if (action < 6) {
        for (int k = 0; k < 1 + pick(2); ++k) {
          Report r = reported[static_cast<size_t>(pick(static_cast<int>(reported.size())))];
          r.value = pick(3) == 0 ? r.value - 50 : value();
          c.reports.push_back(r);
          reported.push_back(r);
        }
      } else if (action < 8) {
        const std::vector<Outlier> out = book.Outliers(std::nullopt, std::nullopt);
        if (!out.empty()) {
          const Outlier& o = out[static_cast<size_t>(pick(static_cast<int>(out.size())))];
          c.outlier_reviews.push_back({.unit = o.unit,
                                       .indicator = o.indicator,
                                       .date = o.date,
                                       .value = pick(8) == 0 ? o.value + 1 : o.value,
                                       .confirmed = pick(3) != 0});
        }
      } else if (action == 8) {
        const UnitId u = pick(units);
        const Date from = next - pick(40);
        c.memberships.push_back({.unit = u,
                                 .hierarchy = pick(2) == 0 ? h0 : h1,
                                 .group = pick(2) == 0 ? leaves0[static_cast<size_t>(pick(4))]
                                                       : leaves1[static_cast<size_t>(pick(2))],
                                 .from = from});
        if (st.groups()[static_cast<size_t>(c.memberships[0].group)].hierarchy !=
            c.memberships[0].hierarchy) {
          c.memberships[0].hierarchy =
              st.groups()[static_cast<size_t>(c.memberships[0].group)].hierarchy;
        }
      } else if (action == 10) {
        // A planner flips an indicator's direction or aggregation: everything is redone.
        const IndicatorId i = inds[static_cast<size_t>(pick(5))];
        Indicator changed = st.indicators()[static_cast<size_t>(i)];
        if (pick(2) == 0) {
          changed.direction =
              changed.direction == Direction::kHigher ? Direction::kLower : Direction::kHigher;
        } else {
          changed.aggregation = static_cast<Aggregation>(pick(4));
        }
        c.changed_indicators.emplace_back(i, changed);
      } else {
        const UnitId u = pick(units);
        Unit unit = st.units()[static_cast<size_t>(u)];
        unit.attributes = {
            {"capacity_" + st.indicators()[static_cast<size_t>(pick(3))].code, 100.0 + pick(10)}};
        c.changed_units.emplace_back(u, unit);
      }
      ApplyChanges(c, st);
      const std::vector<RecordEvent> ev = book.Apply(st, st.outlier_reviews(), c);
      const Reference now = ComputeReference(st, st.outlier_reviews());
      ASSERT_TRUE(book.Records({}) == Entries(now))
          << FirstDifference(book.Records({}), Entries(now));
      ASSERT_TRUE(book == RecordBook(st, st.outlier_reviews()));
      ASSERT_TRUE(SameOutliers(book.Outliers(std::nullopt, std::nullopt), now.outliers));
      ASSERT_EQ(ev, ReferenceEvents(st, ref, now));
      total_events += ev.size();
      withdrawn += static_cast<size_t>(std::count_if(
          ev.begin(), ev.end(), [](const RecordEvent& e) { return e.kind == Kind::kWithdrawn; }));
      ref = now;
    }
    EXPECT_GT(total_events, 50u);
    EXPECT_GE(st.LastReportedDay(), D(2027, 2, 1));
    EXPECT_GT(withdrawn, 5u);
    EXPECT_FALSE(ref.outliers.empty());
  }
}

}  // namespace
}  // namespace chollima::engine
