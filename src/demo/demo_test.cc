#include "demo/demo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace chollima::demo {
namespace {

// FNV-1a over every field, so two economies hash equal only if they are equal.
class Fingerprint {
 public:
  void Add(const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) hash_ = (hash_ ^ bytes[i]) * 0x100000001b3ULL;
  }
  void Add(const std::string& s) {
    Add(s.size());
    Add(s.data(), s.size());
  }
  template <typename T>
  requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void Add(T value) { Add(&value, sizeof value); }
  void Add(Date d) { Add(d.days()); }
  void Add(const Period& p) {
    Add(p.grain);
    Add(p.begin);
    Add(p.end);
  }
  void Add(const Report& r) {
    Add(r.unit);
    Add(r.indicator);
    Add(r.date);
    Add(r.value);
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

uint64_t StructureFingerprint(const Dataset& ds) {
  Fingerprint f;
  for (const Hierarchy& h : ds.hierarchies) f.Add(h.code);
  for (const Group& g : ds.groups) {
    f.Add(g.hierarchy);
    f.Add(g.code);
    f.Add(g.name);
    f.Add(g.parent);
    f.Add(g.depth);
  }
  for (const Unit& u : ds.units) {
    f.Add(u.code);
    f.Add(u.name);
    for (const auto& [name, value] : u.attributes) {
      f.Add(name);
      f.Add(value);
    }
  }
  for (const Membership& m : ds.memberships) {
    f.Add(m.unit);
    f.Add(m.hierarchy);
    f.Add(m.group);
    f.Add(m.from);
  }
  for (const Indicator& i : ds.indicators) {
    f.Add(i.code);
    f.Add(i.name);
    f.Add(i.measure);
    f.Add(i.direction);
    f.Add(i.aggregation);
    f.Add(i.role);
    f.Add(i.grain);
    f.Add(i.numerator);
    f.Add(i.denominator);
  }
  for (const Profile& p : ds.profiles) {
    f.Add(p.code);
    for (double w : p.month_weights) f.Add(w);
  }
  for (bool rest : ds.calendar.rest_weekdays) f.Add(rest);
  for (const auto& [date, working] : ds.calendar.exceptions) {
    f.Add(date);
    f.Add(working);
  }
  for (const Plan& p : ds.plans) {
    f.Add(p.target.is_group);
    f.Add(p.target.id);
    f.Add(p.indicator);
    f.Add(p.period);
    f.Add(p.value);
    f.Add(p.method);
    f.Add(p.profile);
  }
  return f.value();
}

struct StreamSummary {
  uint64_t fingerprint = 0;
  int64_t reports = 0;
  size_t largest_chunk = 0;
};

StreamSummary SummarizeStream(const DemoEconomy& economy, size_t chunk_rows) {
  Fingerprint f;
  StreamSummary summary;
  economy.ForEachReportChunk(
      [&](std::span<const Report> chunk) {
        summary.largest_chunk = std::max(summary.largest_chunk, chunk.size());
        for (const Report& r : chunk) f.Add(r);
        summary.reports += static_cast<int64_t>(chunk.size());
      },
      chunk_rows);
  summary.fingerprint = f.value();
  return summary;
}

DemoEconomy Generate(int units, uint64_t seed = 1, int year = 2026) {
  return GenerateDemo({.units = units, .seed = seed, .year = year});
}

// Shared across tests: generating them once keeps the suite fast.
const DemoEconomy& FullSize() {
  static const DemoEconomy economy = Generate(10000);
  return economy;
}
const DemoEconomy& Medium() {
  static const DemoEconomy economy = Generate(2000);
  return economy;
}

bool IsHoliday(const WorkCalendar& calendar, Date d) {
  bool holiday = false;
  for (const auto& [date, working] : calendar.exceptions) {
    if (date == d) holiday = !working;
  }
  return holiday;
}

TEST(GenerateDemo, SameOptionsGiveTheSameEconomy) {
  const DemoEconomy a = Generate(300, 7);
  const DemoEconomy b = Generate(300, 7);
  EXPECT_EQ(StructureFingerprint(a.structure), StructureFingerprint(b.structure));
  const StreamSummary sa = SummarizeStream(a, 4096);
  const StreamSummary sb = SummarizeStream(b, 4096);
  EXPECT_EQ(sa.fingerprint, sb.fingerprint);
  EXPECT_EQ(sa.reports, sb.reports);
  // A second pass over the same economy repeats itself too.
  EXPECT_EQ(SummarizeStream(a, 4096).fingerprint, sa.fingerprint);
}

TEST(GenerateDemo, DifferentSeedGivesADifferentEconomy) {
  const DemoEconomy a = Generate(300, 7);
  const DemoEconomy b = Generate(300, 8);
  EXPECT_NE(StructureFingerprint(a.structure), StructureFingerprint(b.structure));
  EXPECT_NE(SummarizeStream(a, 4096).fingerprint, SummarizeStream(b, 4096).fingerprint);
}

TEST(ForEachReportChunk, ChunkSizeDoesNotChangeTheStream) {
  const DemoEconomy economy = Generate(60, 3);
  const StreamSummary whole = SummarizeStream(economy, size_t{1} << 24);
  EXPECT_EQ(whole.largest_chunk, static_cast<size_t>(whole.reports));
  for (size_t chunk_rows : {size_t{0}, size_t{1}, size_t{7}, size_t{1000}, size_t{1} << 16}) {
    const StreamSummary chunked = SummarizeStream(economy, chunk_rows);
    EXPECT_EQ(chunked.fingerprint, whole.fingerprint) << chunk_rows;
    EXPECT_LE(chunked.largest_chunk, std::max<size_t>(chunk_rows, 1));
  }
}

TEST(ForEachReportChunk, ReportCountMatchesTheStream) {
  const DemoEconomy economy = Generate(150, 5);
  EXPECT_EQ(economy.ReportCount(), SummarizeStream(economy, 1000).reports);
}

TEST(GenerateDemo, FullSizeHasTenProvincesAndTwoHundredCounties) {
  const Dataset& ds = FullSize().structure;
  int provinces = 0;
  int counties = 0;
  for (const Group& g : ds.groups) {
    if (g.hierarchy != DemoEconomy::kRegionHierarchy) continue;
    (g.depth == 1 ? provinces : counties) += 1;
  }
  EXPECT_EQ(provinces, 10);
  EXPECT_EQ(counties, 200);
  EXPECT_EQ(ds.units.size(), 10000u);
}

TEST(GenerateDemo, HasNineSectorsEachWithBranches) {
  const DemoEconomy& economy = FullSize();
  const Dataset& ds = economy.structure;
  ASSERT_EQ(economy.sector_groups.size(), 9u);
  std::map<GroupId, int> branches;
  for (const Group& g : ds.groups) {
    if (g.hierarchy == DemoEconomy::kSectorHierarchy && g.depth == 2) ++branches[g.parent];
  }
  for (GroupId sector : economy.sector_groups) {
    EXPECT_EQ(ds.groups[static_cast<size_t>(sector)].depth, 1);
    EXPECT_GE(branches[sector], 2) << ds.groups[static_cast<size_t>(sector)].code;
    EXPECT_LE(branches[sector], 3) << ds.groups[static_cast<size_t>(sector)].code;
  }
  // Skewed sizes: many farms, few power stations.
  std::vector<int> units_per_sector(9);
  for (const auto& profile : economy.unit_profiles)
    ++units_per_sector[static_cast<size_t>(profile.sector)];
  EXPECT_GT(units_per_sector[7], 5 * units_per_sector[3]);  // agriculture vs power
  EXPECT_GT(units_per_sector[3], 0);
}

TEST(GenerateDemo, EveryUnitHasOneCountyAndOneBranchFromTheBeginning) {
  const DemoEconomy& economy = FullSize();
  const Dataset& ds = economy.structure;
  std::vector<int> counties(ds.units.size());
  std::vector<int> branches(ds.units.size());
  int moves = 0;
  const Period year = PeriodOf(Grain::kYear, Date::FromCivil(2026, 1, 1));
  for (const Membership& m : ds.memberships) {
    const Group& group = ds.groups[static_cast<size_t>(m.group)];
    ASSERT_EQ(group.hierarchy, m.hierarchy);
    ASSERT_EQ(group.depth, 2);
    if (m.from != kBeginningOfTime) {
      EXPECT_EQ(m.hierarchy, DemoEconomy::kRegionHierarchy);
      EXPECT_TRUE(year.Contains(m.from));
      ++moves;
      continue;
    }
    ++(m.hierarchy == DemoEconomy::kRegionHierarchy ? counties
                                                    : branches)[static_cast<size_t>(m.unit)];
  }
  for (size_t unit = 0; unit < ds.units.size(); ++unit) {
    ASSERT_EQ(counties[unit], 1) << unit;
    ASSERT_EQ(branches[unit], 1) << unit;
  }
  EXPECT_GT(moves, 50);  // about 1% of units change county mid-year
  EXPECT_LT(moves, 200);
}

TEST(GenerateDemo, IndicatorsComeAfterTheirParts) {
  const std::vector<Indicator>& indicators = FullSize().structure.indicators;
  int derived = 0;
  for (size_t i = 0; i < indicators.size(); ++i) {
    if (!indicators[i].IsDerived()) continue;
    ++derived;
    EXPECT_LT(static_cast<size_t>(indicators[i].numerator), i) << indicators[i].code;
    EXPECT_LT(static_cast<size_t>(indicators[i].denominator), i) << indicators[i].code;
    EXPECT_FALSE(indicators[static_cast<size_t>(indicators[i].numerator)].IsDerived());
  }
  EXPECT_EQ(derived, 18);
  EXPECT_EQ(indicators.size(), 31u);
  const Indicator& energy = indicators[static_cast<size_t>(FullSize().energy_indicator)];
  EXPECT_EQ(energy.direction, Direction::kLower);
}

TEST(GenerateDemo, GroupParentsComeBeforeChildren) {
  const std::vector<Group>& groups = FullSize().structure.groups;
  std::set<std::pair<HierarchyId, std::string>> codes;
  for (size_t g = 0; g < groups.size(); ++g) {
    EXPECT_TRUE(codes.insert({groups[g].hierarchy, groups[g].code}).second) << groups[g].code;
    if (groups[g].parent == kNoId) {
      EXPECT_EQ(groups[g].depth, 1);
      continue;
    }
    ASSERT_LT(static_cast<size_t>(groups[g].parent), g);
    const Group& parent = groups[static_cast<size_t>(groups[g].parent)];
    EXPECT_EQ(parent.hierarchy, groups[g].hierarchy);
    EXPECT_EQ(parent.depth + 1, groups[g].depth);
  }
}

TEST(GenerateDemo, NamesAreUniqueCodesAndIncludeUtf8) {
  const Dataset& ds = FullSize().structure;
  std::set<std::string> codes;
  for (const Unit& u : ds.units) EXPECT_TRUE(codes.insert(u.code).second) << u.code;
  EXPECT_EQ(ds.units.front().code, "U00001");
  const bool has_utf8 = std::any_of(ds.groups.begin(), ds.groups.end(), [](const Group& g) {
    return std::any_of(g.name.begin(), g.name.end(), [](char c) { return c & 0x80; });
  });
  EXPECT_TRUE(has_utf8);
  EXPECT_EQ(ds.groups.front().code, "P01");
}

TEST(GenerateDemo, CalendarRestsOnSundayWithHolidaysAndOneWorkingSunday) {
  const WorkCalendar& calendar = Medium().structure.calendar;
  EXPECT_TRUE(calendar.rest_weekdays[6]);
  EXPECT_TRUE(IsHoliday(calendar, Date::FromCivil(2026, 5, 1)));
  EXPECT_TRUE(IsHoliday(calendar, Date::FromCivil(2026, 9, 9)));
  int working_sundays = 0;
  for (const auto& [date, working] : calendar.exceptions) {
    if (working) {
      EXPECT_EQ(date.Weekday(), 6);
      ++working_sundays;
    }
  }
  EXPECT_EQ(working_sundays, 1);
}

TEST(GenerateDemo, PlansCoverEveryUnitButNotWorkers) {
  const DemoEconomy& economy = Medium();
  const Dataset& ds = economy.structure;
  const Period year = PeriodOf(Grain::kYear, Date::FromCivil(2026, 1, 1));
  std::vector<int> annual_plans(ds.units.size());
  std::map<UnitId, double> monthly_sum;
  std::map<UnitId, double> annual_output;
  int group_plans = 0;
  int five_year_plans = 0;
  for (const Plan& p : ds.plans) {
    EXPECT_NE(p.indicator, economy.workers_indicator);
    EXPECT_GT(p.value, 0);
    if (p.method == SplitMethod::kProfile) {
      EXPECT_GE(p.profile, 0);
      EXPECT_LT(static_cast<size_t>(p.profile), ds.profiles.size());
    }
    if (p.target.is_group) {
      ++group_plans;
      continue;
    }
    const auto unit = static_cast<size_t>(p.target.id);
    if (p.period == year) {
      ++annual_plans[unit];
      if (p.indicator == economy.unit_profiles[unit].output) annual_output[p.target.id] = p.value;
    } else if (p.period.grain == Grain::kMonth) {
      monthly_sum[p.target.id] += p.value;
    } else if (p.period.grain == Grain::kMultiYear) {
      EXPECT_EQ(p.period, MultiYear(2026, 2030));
      ++five_year_plans;
    }
  }
  for (int plans : annual_plans) ASSERT_EQ(plans, 3);  // output, energy, quality
  EXPECT_EQ(group_plans, 9);
  EXPECT_GE(five_year_plans, 1);
  EXPECT_GT(monthly_sum.size(), 100u);  // about 10% of 2,000
  EXPECT_LT(monthly_sum.size(), 300u);
  for (const auto& [unit, sum] : monthly_sum) EXPECT_NEAR(sum, annual_output[unit], 0.05) << unit;
}

TEST(GenerateDemo, GroupPlansDifferSlightlyFromTheSumOfUnitPlans) {
  const DemoEconomy& economy = Medium();
  const Dataset& ds = economy.structure;
  std::map<GroupId, double> unit_sum;
  std::map<GroupId, double> group_plan;
  const Period year = PeriodOf(Grain::kYear, Date::FromCivil(2026, 1, 1));
  for (const Plan& p : ds.plans) {
    if (p.period != year) continue;
    if (p.target.is_group) {
      group_plan[p.target.id] = p.value;
    } else {
      const auto& profile = economy.unit_profiles[static_cast<size_t>(p.target.id)];
      if (p.indicator == profile.output) {
        unit_sum[economy.sector_groups[static_cast<size_t>(profile.sector)]] += p.value;
      }
    }
  }
  for (GroupId sector : economy.sector_groups) {
    ASSERT_GT(unit_sum[sector], 0);
    const double ratio = group_plan[sector] / unit_sum[sector];
    EXPECT_GT(std::abs(ratio - 1), 0.001) << sector;
    EXPECT_LT(std::abs(ratio - 1), 0.04) << sector;
  }
}

// One pass over the 2,000-unit stream, shared by the plausibility tests.
struct MediumStream {
  std::vector<double> annual_output;  // by unit
  std::array<std::array<double, 12>, 9> sector_month_output{};
  int64_t output_reports = 0;
  int64_t holiday_output_reports = 0;
  double holiday_output = 0;
  bool ordered = true;
  bool in_year = true;
  bool finite_and_non_negative = true;
};

const MediumStream& MediumStreamSummary() {
  static const MediumStream summary = [] {
    const DemoEconomy& economy = Medium();
    const Period year = PeriodOf(Grain::kYear, Date::FromCivil(2026, 1, 1));
    MediumStream s;
    s.annual_output.resize(economy.unit_profiles.size());
    std::tuple<int32_t, UnitId, IndicatorId> previous{std::numeric_limits<int32_t>::min(), 0, 0};
    economy.ForEachReportChunk([&](std::span<const Report> chunk) {
      for (const Report& r : chunk) {
        const std::tuple<int32_t, UnitId, IndicatorId> key{r.date.days(), r.unit, r.indicator};
        s.ordered = s.ordered && previous < key;
        previous = key;
        s.in_year = s.in_year && year.Contains(r.date);
        s.finite_and_non_negative =
            s.finite_and_non_negative && std::isfinite(r.value) && r.value >= 0;
        const auto unit = static_cast<size_t>(r.unit);
        if (r.indicator != economy.unit_profiles[unit].output) continue;
        ++s.output_reports;
        s.annual_output[unit] += r.value;
        s.sector_month_output[static_cast<size_t>(economy.unit_profiles[unit].sector)]
                             [static_cast<size_t>(r.date.ToCivil().month - 1)] += r.value;
        if (IsHoliday(economy.structure.calendar, r.date)) {
          ++s.holiday_output_reports;
          s.holiday_output += r.value;
        }
      }
    });
    return s;
  }();
  return summary;
}

TEST(ForEachReportChunk, ReportsCoverOnlyTheYearInOrder) {
  const MediumStream& s = MediumStreamSummary();
  EXPECT_TRUE(s.ordered);
  EXPECT_TRUE(s.in_year);
  EXPECT_TRUE(s.finite_and_non_negative);
}

TEST(ForEachReportChunk, AnnualOutputIsAboutThePlanWithLeadersAndLaggards) {
  const DemoEconomy& economy = Medium();
  const MediumStream& s = MediumStreamSummary();
  const Period year = PeriodOf(Grain::kYear, Date::FromCivil(2026, 1, 1));
  std::vector<double> ratios;
  for (const Plan& p : economy.structure.plans) {
    if (p.target.is_group || p.period != year) continue;
    const auto unit = static_cast<size_t>(p.target.id);
    if (p.indicator != economy.unit_profiles[unit].output) continue;
    ratios.push_back(s.annual_output[unit] / p.value);
  }
  ASSERT_EQ(ratios.size(), economy.unit_profiles.size());
  std::sort(ratios.begin(), ratios.end());
  const double median = ratios[ratios.size() / 2];
  EXPECT_GT(median, 0.97);
  EXPECT_LT(median, 1.08);
  const auto above = std::count_if(ratios.begin(), ratios.end(), [](double r) { return r > 1.10; });
  const auto below = std::count_if(ratios.begin(), ratios.end(), [](double r) { return r < 0.93; });
  EXPECT_GE(above, static_cast<long>(ratios.size() / 20));
  EXPECT_GE(below, static_cast<long>(ratios.size() / 20));
}

TEST(ForEachReportChunk, SeasonalOutputFollowsTheProfileWeights) {
  const DemoEconomy& economy = Medium();
  const MediumStream& s = MediumStreamSummary();
  for (int32_t sector : {3, 7}) {  // power (winter peak), agriculture (autumn harvest)
    const auto unit = std::find_if(economy.unit_profiles.begin(), economy.unit_profiles.end(),
                                   [&](const auto& p) { return p.sector == sector; });
    ASSERT_NE(unit, economy.unit_profiles.end());
    const Profile& profile = economy.structure.profiles[static_cast<size_t>(unit->season)];
    const auto& output = s.sector_month_output[static_cast<size_t>(sector)];
    // Monthly output is in proportion to the month weights, as a profile split assigns it.
    for (size_t month : {0u, 6u, 9u}) {
      const double expected = profile.month_weights[month] / profile.month_weights[3];
      EXPECT_NEAR(output[month] / output[3] / expected, 1.0, 0.08) << sector << " " << month;
    }
  }
}

TEST(ForEachReportChunk, OutputIsZeroOnHolidays) {
  const MediumStream& s = MediumStreamSummary();
  EXPECT_GT(s.holiday_output_reports, 0);
  EXPECT_EQ(s.holiday_output, 0.0);
}

TEST(ForEachReportChunk, ReportingIsNearlyButNotFullyComplete) {
  const MediumStream& s = MediumStreamSummary();
  const double expected = 2000.0 * DaysInYear(2026);
  EXPECT_GT(static_cast<double>(s.output_reports) / expected, 0.99);
  EXPECT_LT(static_cast<double>(s.output_reports) / expected, 0.999);
}

TEST(GenerateDemo, SmallEconomiesWork) {
  for (int units : {1, 9, 50}) {
    const DemoEconomy economy = Generate(units, 11);
    const Dataset& ds = economy.structure;
    ASSERT_EQ(ds.units.size(), static_cast<size_t>(units));
    ASSERT_EQ(economy.unit_profiles.size(), static_cast<size_t>(units));
    std::set<GroupId> counties_with_units;
    for (const Membership& m : ds.memberships) {
      if (m.hierarchy == DemoEconomy::kRegionHierarchy && m.from == kBeginningOfTime) {
        counties_with_units.insert(m.group);
      }
    }
    int counties = 0;
    int provinces = 0;
    for (const Group& g : ds.groups) {
      if (g.hierarchy == DemoEconomy::kRegionHierarchy) (g.depth == 1 ? provinces : counties) += 1;
    }
    EXPECT_EQ(counties_with_units.size(), static_cast<size_t>(std::min(units, counties)));
    const StreamSummary stream = SummarizeStream(economy, 1000);
    EXPECT_GT(stream.reports, 3 * 300 * units) << units;
    EXPECT_EQ(stream.reports, economy.ReportCount());
    if (units == 50) {
      EXPECT_GE(provinces, 2);
      EXPECT_GE(counties, 4);
    }
    if (units == 9) {
      std::set<int32_t> sectors;
      for (const auto& profile : economy.unit_profiles) sectors.insert(profile.sector);
      EXPECT_EQ(sectors.size(), 9u);
    }
  }
}

TEST(GenerateDemo, LeapYearStreamCoversEveryDay) {
  const DemoEconomy economy = Generate(20, 2, 2028);
  std::set<int32_t> days;
  economy.ForEachReportChunk([&](std::span<const Report> chunk) {
    for (const Report& r : chunk) days.insert(r.date.days());
  });
  EXPECT_EQ(days.size(), 366u);
  EXPECT_EQ(*days.begin(), Date::FromCivil(2028, 1, 1).days());
}

}  // namespace
}  // namespace chollima::demo
