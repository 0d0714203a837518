#include "demo/demo.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>

#include "demo/random.h"
#include "demo/tables.h"

namespace chollima::demo {
namespace {

using internal::Exp;
using internal::Hash3;
using internal::kProfileCodes;
using internal::kProfileWeights;
using internal::kProvinceNames;
using internal::kSectors;
using internal::MeanExpOfNormal;
using internal::Mix64;
using internal::Rng;
using internal::SectorSpec;
using internal::ToNormal;
using internal::ToUniform;

constexpr size_t kSectorCount = kSectors.size();
constexpr size_t kProfileCount = kProfileWeights.size();

// Independent streams of the structure, so that adding draws to one part never changes
// another part of the economy.
enum Stream : uint64_t {
  kStreamGeography = 1,
  kStreamSectors = 2,
  kStreamUnits = 3,
  kStreamPlans = 4,
  kStreamDays = 5,
};

// Draw slots of one unit-day.
enum Draw : uint64_t { kDrawGap = 1, kDrawOutput, kDrawWorkers, kDrawEnergy, kDrawQuality };

// Outages take ~0.3 per unit-year of ~5.5 days: the plan allows for the expected loss.
constexpr double kExpectedOutageLoss = 0.004;
constexpr double kEnergyNoiseSigma = 0.05;
constexpr double kWorkersNoiseSigma = 0.004;
constexpr double kQualityNoise = 1.0;

enum DayKind : uint8_t { kWorkday = 0, kRestDay = 1, kHoliday = 2 };

// The days of the year with their month and kind under the demo calendar.
struct YearDays {
  Date first;
  int count = 0;
  std::vector<uint8_t> month;  // 0..11
  std::vector<DayKind> kind;
  std::vector<uint8_t> first_of_month;  // 1 on the first day of a month
};

YearDays ClassifyDays(int year, const WorkCalendar& calendar) {
  YearDays days;
  days.first = Date::FromCivil(year, 1, 1);
  days.count = DaysInYear(year);
  days.month.resize(static_cast<size_t>(days.count));
  days.kind.resize(static_cast<size_t>(days.count));
  days.first_of_month.resize(static_cast<size_t>(days.count));
  for (int day_idx = 0; day_idx < days.count; ++day_idx) {
    const Date d = days.first + day_idx;
    days.first_of_month[static_cast<size_t>(day_idx)] = d.ToCivil().day == 1 ? 1 : 0;
    days.month[static_cast<size_t>(day_idx)] = static_cast<uint8_t>(d.ToCivil().month - 1);
    days.kind[static_cast<size_t>(day_idx)] =
        calendar.rest_weekdays[static_cast<size_t>(d.Weekday())] ? kRestDay : kWorkday;
  }
  for (const auto& [date, working] : calendar.exceptions) {  // later entries win
    const int32_t day_idx = date - days.first;
    if (day_idx >= 0 && day_idx < days.count) {
      days.kind[static_cast<size_t>(day_idx)] = working ? kWorkday : kHoliday;
    }
  }
  return days;
}

// Sunday rest, the national holidays of the year and the four after it (so that a
// five-year plan splits over a full calendar), and one working Sunday: the last of the
// year, for the year-end push to fulfil the annual plan.
WorkCalendar MakeCalendar(int year) {
  static constexpr std::array<std::pair<int, int>, 6> kHolidays{
      {{1, 1}, {2, 16}, {4, 15}, {5, 1}, {9, 9}, {10, 10}}};
  WorkCalendar calendar;
  for (int y = year; y <= std::min(year + 4, kMaxYear); ++y) {
    for (const auto& [month, day] : kHolidays) {
      calendar.exceptions.emplace_back(Date::FromCivil(y, month, day), false);
    }
  }
  const Date dec31 = Date::FromCivil(year, 12, 31);
  calendar.exceptions.emplace_back(dec31 - (dec31.Weekday() + 1) % 7, true);
  std::stable_sort(calendar.exceptions.begin(), calendar.exceptions.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return calendar;
}

double DayFactor(const SectorSpec& sector, DayKind kind) {
  switch (kind) {
    case kWorkday:
      return 1.0;
    case kRestDay:
      return sector.rest_day_factor;
    case kHoliday:
      return 0.0;
  }
  return 0.0;
}

// The output of a producing day, by sector and month, relative to the sector's peak.
// A seasonal sector's month weight is spread over the month's producing days, so that
// its expected monthly output is in proportion to the profile's weight, as a plan split
// by that profile assigns it; other sectors produce alike in every month.
using MonthFactors = std::array<std::array<double, 12>, kSectorCount>;
MonthFactors ComputeMonthFactors(const YearDays& days) {
  MonthFactors factors{};
  for (size_t s = 0; s < kSectorCount; ++s) {
    const SectorSpec& sector = kSectors[s];
    const auto& weights = kProfileWeights[static_cast<size_t>(sector.profile)];
    if (sector.method != SplitMethod::kProfile) {
      factors[s].fill(1.0);
      continue;
    }
    std::array<double, 12> producing_days{};
    for (size_t day = 0; day < days.kind.size(); ++day) {
      producing_days[days.month[day]] += DayFactor(sector, days.kind[day]);
    }
    double peak = 0;
    for (size_t m = 0; m < 12; ++m) {
      factors[s][m] = producing_days[m] > 0 ? weights[m] / producing_days[m] : 0.0;
      peak = std::max(peak, factors[s][m]);
    }
    for (double& f : factors[s]) f /= peak;
  }
  return factors;
}

double RoundTo(double x, double scale) { return std::round(x * scale) / scale; }

// Three significant digits above 1,000, whole numbers above 10, tenths below: the
// round figures a planning office writes.
double RoundPlanValue(double x) {
  if (x >= 1000) {
    double step = 1;
    while (x >= 1000 * step) step *= 10;
    return std::round(x / step) * step;
  }
  if (x >= 10) return std::round(x);
  return std::round(x * 10) / 10;
}

// Splits `total` into `shares.size()` parts in proportion to `shares` by largest remainder.
std::vector<int> Apportion(int total, const std::vector<double>& shares) {
  double share_sum = 0;
  for (double s : shares) share_sum += s;
  std::vector<int> counts(shares.size());
  std::vector<std::pair<double, size_t>> remainders;
  int given = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    const double quota = total * shares[i] / share_sum;
    counts[i] = static_cast<int>(std::floor(quota));
    given += counts[i];
    remainders.emplace_back(quota - counts[i], i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < total; ++k, ++given)
    ++counts[remainders[k % remainders.size()].second];
  return counts;
}

std::string NumberedCode(const char* format, int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, n);
  return buf;
}

void AddIndicators(DemoEconomy& economy) {
  std::vector<Indicator>& indicators = economy.structure.indicators;
  for (const SectorSpec& sector : kSectors) {
    indicators.push_back({.code = std::string(sector.output_code),
                          .name = std::string(sector.output_name),
                          .measure = std::string(sector.measure),
                          .direction = Direction::kHigher,
                          .aggregation = Aggregation::kSum,
                          .role = Role::kOutput});
  }
  economy.workers_indicator = static_cast<IndicatorId>(indicators.size());
  indicators.push_back({.code = "workers",
                        .name = "Workers",
                        .measure = "persons",
                        .direction = Direction::kHigher,
                        .aggregation = Aggregation::kMean,
                        .role = Role::kInput});
  economy.energy_indicator = static_cast<IndicatorId>(indicators.size());
  indicators.push_back({.code = "energy",
                        .name = "Energy consumed",
                        .measure = "MWh",
                        .direction = Direction::kLower,
                        .aggregation = Aggregation::kSum,
                        .role = Role::kInput});
  economy.quality_indicator = static_cast<IndicatorId>(indicators.size());
  indicators.push_back({.code = "quality",
                        .name = "First-grade share of output",
                        .measure = "%",
                        .direction = Direction::kHigher,
                        .aggregation = Aggregation::kMean,
                        .role = Role::kQuality});
  economy.capital_indicator = static_cast<IndicatorId>(indicators.size());
  indicators.push_back({.code = "capital",
                        .name = "Fixed capital",
                        .measure = "million won",
                        .direction = Direction::kLower,
                        .aggregation = Aggregation::kLast,
                        .role = Role::kInput,
                        .grain = Grain::kMonth});
  // Ratios after all their parts.
  for (size_t s = 0; s < kSectorCount; ++s) {
    const SectorSpec& sector = kSectors[s];
    const auto output = static_cast<IndicatorId>(s);
    indicators.push_back({.code = std::string(sector.code) + "_per_worker",
                          .name = std::string(sector.output_name) + " per worker",
                          .measure = std::string(sector.measure) + "/person",
                          .direction = Direction::kHigher,
                          .aggregation = Aggregation::kSum,
                          .role = Role::kOutput,
                          .numerator = output,
                          .denominator = economy.workers_indicator});
    indicators.push_back({.code = std::string(sector.code) + "_energy_intensity",
                          .name = "Energy per unit of " + std::string(sector.output_name),
                          .measure = "MWh/" + std::string(sector.measure),
                          .direction = Direction::kLower,
                          .aggregation = Aggregation::kSum,
                          .role = Role::kInput,
                          .numerator = economy.energy_indicator,
                          .denominator = output});
  }
}

struct County {
  GroupId group = kNoId;
  size_t province_first = 0;  // index of the first county of its province
  size_t province_size = 1;   // number of counties in its province
  std::string name;
  double weight = 1;  // relative number of units it attracts
};

// Provinces, then their counties. Scales down for small economies so that every
// province has counties and (when there are enough units) every county has units.
std::vector<County> AddRegions(DemoEconomy& economy) {
  const int units = economy.options.units;
  const int provinces = std::clamp((units + 19) / 20, 1, static_cast<int>(kProvinceNames.size()));
  const int counties_per_province = std::clamp(units / (provinces * 5), 1, 20);
  Rng rng(Hash3(economy.options.seed, kStreamGeography, 0));

  std::vector<std::string> names;
  for (std::string_view first : internal::kFirstSyllables) {
    for (std::string_view second : internal::kSecondSyllables) {
      names.push_back(std::string(first) + std::string(second));
    }
  }
  for (size_t i = names.size() - 1; i > 0; --i) std::swap(names[i], names[rng.Below(i + 1)]);

  std::vector<Group>& groups = economy.structure.groups;
  const auto first_province = static_cast<GroupId>(groups.size());
  for (int p = 0; p < provinces; ++p) {
    groups.push_back({.hierarchy = DemoEconomy::kRegionHierarchy,
                      .code = NumberedCode("P%02d", p + 1),
                      .name = std::string(kProvinceNames[static_cast<size_t>(p)]),
                      .parent = kNoId,
                      .depth = 1});
  }
  std::vector<County> counties;
  for (int p = 0; p < provinces; ++p) {
    for (int c = 0; c < counties_per_province; ++c) {
      County county;
      county.group = static_cast<GroupId>(groups.size());
      county.province_first = static_cast<size_t>(p * counties_per_province);
      county.province_size = static_cast<size_t>(counties_per_province);
      county.name = names[counties.size() % names.size()];
      county.weight = rng.LogNormal(1.0, 0.5);
      groups.push_back({.hierarchy = DemoEconomy::kRegionHierarchy,
                        .code = groups[static_cast<size_t>(first_province + p)].code +
                                NumberedCode("-C%02d", c + 1),
                        .name = county.name,
                        .parent = first_province + p,
                        .depth = 2});
      counties.push_back(std::move(county));
    }
  }
  return counties;
}

// Sectors, then their branches; returns the branch groups of each sector.
std::vector<std::vector<GroupId>> AddSectors(DemoEconomy& economy) {
  std::vector<Group>& groups = economy.structure.groups;
  for (const SectorSpec& sector : kSectors) {
    economy.sector_groups.push_back(static_cast<GroupId>(groups.size()));
    groups.push_back({.hierarchy = DemoEconomy::kSectorHierarchy,
                      .code = std::string(sector.code),
                      .name = std::string(sector.name),
                      .parent = kNoId,
                      .depth = 1});
  }
  std::vector<std::vector<GroupId>> branches(kSectorCount);
  for (size_t s = 0; s < kSectorCount; ++s) {
    const SectorSpec& sector = kSectors[s];
    for (int b = 0; b < sector.branch_count; ++b) {
      const auto& branch = sector.branches[static_cast<size_t>(b)];
      branches[s].push_back(static_cast<GroupId>(groups.size()));
      groups.push_back({.hierarchy = DemoEconomy::kSectorHierarchy,
                        .code = std::string(sector.code) + "-" + std::string(branch.code),
                        .name = std::string(branch.name),
                        .parent = economy.sector_groups[s],
                        .depth = 2});
    }
  }
  return branches;
}

// The sector of each unit: skewed counts (many farms and mills, few power stations),
// every sector present once there are nine units, in a shuffled order.
std::vector<int32_t> AssignSectors(const DemoOptions& options) {
  std::vector<double> shares;
  for (const SectorSpec& sector : kSectors) shares.push_back(sector.unit_share);
  const bool all_present = options.units >= static_cast<int>(kSectorCount);
  std::vector<int> counts =
      Apportion(options.units - (all_present ? static_cast<int>(kSectorCount) : 0), shares);
  std::vector<int32_t> sector_of_unit;
  for (size_t s = 0; s < kSectorCount; ++s) {
    const int n = counts[s] + (all_present ? 1 : 0);
    sector_of_unit.insert(sector_of_unit.end(), static_cast<size_t>(n), static_cast<int32_t>(s));
  }
  Rng rng(Hash3(options.seed, kStreamSectors, 0));
  for (size_t i = sector_of_unit.size() - 1; i > 0; --i) {
    std::swap(sector_of_unit[i], sector_of_unit[rng.Below(i + 1)]);
  }
  return sector_of_unit;
}

// What the plan stage needs to know of each unit beyond its profile.
struct UnitPlanDraws {
  double quality_plan = 90;
  double energy_headroom = 1;  // ceiling over the expected consumption
  bool monthly_plans = false;
  bool five_year_plan = false;
  double five_year_growth = 0;  // yearly growth the five-year plan asks for
};

// The unit's size, habits and fortunes for the year, from its own stream. Fills `draws`
// with what the plan stage needs.
DemoEconomy::UnitProfile DrawUnitProfile(Rng& rng, const SectorSpec& sector, Date first_day,
                                         int days, UnitPlanDraws& draws) {
  DemoEconomy::UnitProfile profile;
  profile.season = sector.profile;
  profile.daily_capacity =
      std::max(2.0, RoundPlanValue(rng.LogNormal(sector.median_capacity, sector.capacity_sigma)));
  const double performance_draw = rng.Uniform();
  if (performance_draw < 0.1) {
    profile.performance = rng.Uniform(1.10, 1.25);  // the advanced
  } else if (performance_draw < 0.2) {
    profile.performance = rng.Uniform(0.75, 0.92);  // the backward
  } else {
    profile.performance = rng.Uniform(1.00, 1.05);
  }
  profile.trend_per_year = 0.03 + 0.04 * rng.Normal();
  profile.workers = std::max(5.0, std::round(profile.daily_capacity * sector.workers_per_capacity *
                                             rng.LogNormal(1.0, 0.25)));
  profile.workers_drift_per_year = 0.02 * rng.Normal();
  profile.energy_per_output = sector.energy_per_output * rng.LogNormal(1.0, 0.15);
  profile.standby_energy =
      0.05 * profile.energy_per_output * profile.daily_capacity * DemoEconomy::kPlanLevel;
  draws.quality_plan = rng.IntIn(88, 95);
  profile.quality_level = std::clamp(draws.quality_plan + 0.8 + 1.5 * rng.Normal(), 85.5, 98.5);
  profile.missing_rate = rng.Uniform() < 0.05 ? rng.Uniform(0.02, 0.04) : rng.Uniform(0.002, 0.005);
  const double outage_draw = rng.Uniform();
  const int outages = outage_draw < 0.05 ? 2 : outage_draw < 0.25 ? 1 : 0;
  for (int k = 0; k < outages; ++k) {
    const Date begin = first_day + rng.IntIn(0, days - 1);
    const Date end = std::min(begin + rng.IntIn(2, 9), first_day + days);
    profile.outages.push_back({begin, end});
  }
  std::sort(profile.outages.begin(), profile.outages.end(),
            [](const auto& a, const auto& b) { return a.begin < b.begin; });
  draws.five_year_plan = rng.Uniform() < 0.002;
  draws.five_year_growth = rng.Uniform(0.03, 0.06);
  draws.energy_headroom = rng.Uniform(1.0, 1.05);
  draws.monthly_plans = rng.Uniform() < 0.1;
  return profile;
}

std::vector<UnitPlanDraws> AddUnits(DemoEconomy& economy, const std::vector<County>& counties,
                                    const std::vector<std::vector<GroupId>>& branches) {
  const DemoOptions& options = economy.options;
  Dataset& ds = economy.structure;
  const std::vector<int32_t> sector_of_unit = AssignSectors(options);

  // The first units each take a different county (in shuffled order), so that every
  // county has a unit when there are enough; the rest follow the counties' weights.
  Rng geo(Hash3(options.seed, kStreamGeography, 1));
  std::vector<size_t> county_order(counties.size());
  for (size_t i = 0; i < county_order.size(); ++i) county_order[i] = i;
  for (size_t i = county_order.size() - 1; i > 0; --i) {
    std::swap(county_order[i], county_order[geo.Below(i + 1)]);
  }
  std::vector<double> cumulative_weight;
  double total_weight = 0;
  for (const County& county : counties) cumulative_weight.push_back(total_weight += county.weight);

  const Date first_day = Date::FromCivil(options.year, 1, 1);
  const int days = DaysInYear(options.year);
  std::unordered_map<std::string, int> name_counts;
  std::vector<UnitPlanDraws> plan_draws;
  for (int unit_idx = 0; unit_idx < options.units; ++unit_idx) {
    const auto unit = static_cast<UnitId>(unit_idx);
    const auto sector_idx = static_cast<size_t>(sector_of_unit[static_cast<size_t>(unit_idx)]);
    const SectorSpec& sector = kSectors[sector_idx];
    Rng rng(Hash3(options.seed, kStreamUnits, static_cast<uint64_t>(unit_idx)));

    size_t branch_idx = 0;
    for (double u = rng.Uniform(); branch_idx + 1 < branches[sector_idx].size(); ++branch_idx) {
      u -= sector.branches[branch_idx].share;
      if (u < 0) break;
    }
    size_t county_idx = 0;
    const double county_draw = rng.Uniform() * total_weight;
    if (static_cast<size_t>(unit_idx) < counties.size()) {
      county_idx = county_order[static_cast<size_t>(unit_idx)];
    } else {
      county_idx = static_cast<size_t>(
          std::upper_bound(cumulative_weight.begin(), cumulative_weight.end(), county_draw) -
          cumulative_weight.begin());
      county_idx = std::min(county_idx, counties.size() - 1);
    }
    const County& county = counties[county_idx];

    UnitPlanDraws draws;
    DemoEconomy::UnitProfile profile = DrawUnitProfile(rng, sector, first_day, days, draws);
    profile.output = static_cast<IndicatorId>(sector_idx);
    profile.sector = static_cast<int32_t>(sector_idx);
    profile.branch = branches[sector_idx][branch_idx];
    profile.county = county.group;
    draws.five_year_plan = draws.five_year_plan || unit_idx == 0;  // at least one
    const bool moves = rng.Uniform() < 0.01 && counties.size() >= 2;
    const Date move_date = Date::FromCivil(options.year, 4, 1) + rng.IntIn(0, 182);
    const bool within_province = rng.Uniform() < 0.7 && county.province_size >= 2;
    const uint64_t move_bits = rng.Next();

    std::string name = county.name + " " + std::string(sector.branches[branch_idx].unit_kind);
    const int number = ++name_counts[name];
    if (number > 1) name += " No. " + std::to_string(number);
    ds.units.push_back(
        {.code = NumberedCode("U%05d", unit_idx + 1),
         .name = std::move(name),
         .attributes = {{"capacity", profile.daily_capacity}, {"workers", profile.workers}}});

    ds.memberships.push_back({unit, DemoEconomy::kRegionHierarchy, county.group, kBeginningOfTime});
    if (moves) {
      // Effective-dated membership: the unit passes to another county mid-year, mostly
      // within its province.
      const size_t target =
          within_province ? county.province_first + (county_idx - county.province_first + 1 +
                                                     move_bits % (county.province_size - 1)) %
                                                        county.province_size
                          : (county_idx + 1 + move_bits % (counties.size() - 1)) % counties.size();
      ds.memberships.push_back(
          {unit, DemoEconomy::kRegionHierarchy, counties[target].group, move_date});
    }
    ds.memberships.push_back(
        {unit, DemoEconomy::kSectorHierarchy, profile.branch, kBeginningOfTime});
    economy.unit_profiles.push_back(std::move(profile));
    plan_draws.push_back(draws);
  }
  return plan_draws;
}

// Plan-level output of a sector per unit of daily_capacity * kPlanLevel: by month, and
// for the year.
struct OutputShape {
  std::array<double, 12> month{};
  double year = 0;
};

std::array<OutputShape, kSectorCount> ExpectedOutputShapes(const YearDays& days,
                                                           const MonthFactors& month_factors) {
  std::array<OutputShape, kSectorCount> shapes{};
  for (size_t s = 0; s < kSectorCount; ++s) {
    for (size_t day = 0; day < days.kind.size(); ++day) {
      const double f = month_factors[s][days.month[day]] * DayFactor(kSectors[s], days.kind[day]);
      shapes[s].month[days.month[day]] += f;
      shapes[s].year += f;
    }
  }
  return shapes;
}

// Annual output, energy and quality plans for every unit; explicit monthly output plans
// (a slow January, the rest raised to keep the annual total) for about 10% of units;
// five-year output plans for a few; and an annual output plan for each sector that
// differs slightly from the sum of its units' plans.
void AddPlans(DemoEconomy& economy, const std::vector<UnitPlanDraws>& draws) {
  const int year = economy.options.year;
  Dataset& ds = economy.structure;
  const YearDays days = ClassifyDays(year, ds.calendar);
  const std::array<OutputShape, kSectorCount> shapes =
      ExpectedOutputShapes(days, ComputeMonthFactors(days));
  const Period year_period = PeriodOf(Grain::kYear, days.first);
  auto method_of = [](const SectorSpec& sector) {
    return std::pair{sector.method,
                     sector.method == SplitMethod::kProfile ? sector.profile : kNoId};
  };

  std::vector<double> annual(economy.unit_profiles.size());
  for (size_t unit_idx = 0; unit_idx < economy.unit_profiles.size(); ++unit_idx) {
    const DemoEconomy::UnitProfile& profile = economy.unit_profiles[unit_idx];
    const SectorSpec& sector = kSectors[static_cast<size_t>(profile.sector)];
    const auto [method, season] = method_of(sector);
    const PlanTarget target{.is_group = false, .id = static_cast<int32_t>(unit_idx)};
    const double expected = profile.daily_capacity * DemoEconomy::kPlanLevel *
                            shapes[static_cast<size_t>(profile.sector)].year *
                            (1 - kExpectedOutageLoss);
    annual[unit_idx] = RoundPlanValue(expected);
    ds.plans.push_back({target, profile.output, year_period, annual[unit_idx], method, season});
    const double energy =
        profile.energy_per_output * expected + profile.standby_energy * days.count;
    ds.plans.push_back({target, economy.energy_indicator, year_period,
                        RoundPlanValue(energy * draws[unit_idx].energy_headroom), method, season});
    ds.plans.push_back({target, economy.quality_indicator, year_period,
                        draws[unit_idx].quality_plan, SplitMethod::kEven, kNoId});
  }

  for (size_t unit_idx = 0; unit_idx < economy.unit_profiles.size(); ++unit_idx) {
    if (!draws[unit_idx].monthly_plans) continue;
    const DemoEconomy::UnitProfile& profile = economy.unit_profiles[unit_idx];
    const OutputShape& shape = shapes[static_cast<size_t>(profile.sector)];
    const auto [method, season] = method_of(kSectors[static_cast<size_t>(profile.sector)]);
    const double january_share = annual[unit_idx] * shape.month[0] / shape.year;
    const double january = RoundPlanValue(0.9 * january_share);
    const double raise = (annual[unit_idx] - january) / (annual[unit_idx] - january_share);
    double planned = 0;
    for (int month = 1; month <= 12; ++month) {
      double value = 0;
      if (month == 1) {
        value = january;
      } else if (month < 12) {
        value = RoundPlanValue(annual[unit_idx] * shape.month[static_cast<size_t>(month - 1)] /
                               shape.year * raise);
      } else {
        value = std::max(0.0, RoundTo(annual[unit_idx] - planned, 10));
      }
      planned += value;
      ds.plans.push_back({{.is_group = false, .id = static_cast<int32_t>(unit_idx)},
                          profile.output,
                          PeriodOf(Grain::kMonth, Date::FromCivil(year, month, 1)),
                          value,
                          method,
                          season});
    }
  }

  if (year + 4 <= kMaxYear) {
    for (size_t unit_idx = 0; unit_idx < economy.unit_profiles.size(); ++unit_idx) {
      if (!draws[unit_idx].five_year_plan) continue;
      const double growth = draws[unit_idx].five_year_growth;
      const DemoEconomy::UnitProfile& profile = economy.unit_profiles[unit_idx];
      const auto [method, season] = method_of(kSectors[static_cast<size_t>(profile.sector)]);
      double total = 0;
      double level = annual[unit_idx];
      for (int k = 0; k < 5; ++k, level *= 1 + growth) total += level;
      ds.plans.push_back({{.is_group = false, .id = static_cast<int32_t>(unit_idx)},
                          profile.output,
                          MultiYear(year, year + 4),
                          RoundPlanValue(total),
                          method,
                          season});
    }
  }

  Rng rng(Hash3(economy.options.seed, kStreamPlans, 0));
  for (size_t s = 0; s < kSectorCount; ++s) {
    double sum = 0;
    for (size_t unit_idx = 0; unit_idx < annual.size(); ++unit_idx) {
      if (economy.unit_profiles[unit_idx].sector == static_cast<int32_t>(s))
        sum += annual[unit_idx];
    }
    const double sign = rng.Uniform() < 0.5 ? -1.0 : 1.0;
    const double difference = sign * rng.Uniform(0.005, 0.03);
    if (sum <= 0) continue;
    const auto [method, season] = method_of(kSectors[s]);
    ds.plans.push_back({{.is_group = true, .id = economy.sector_groups[s]},
                        static_cast<IndicatorId>(s),
                        year_period,
                        RoundPlanValue(sum * (1 + difference)),
                        method,
                        season});
  }
}

// Everything the report stream needs beyond the unit profiles, built once per pass.
struct ReportContext {
  YearDays days;
  MonthFactors month_factor{};                                   // [sector][month]
  std::array<std::array<double, 3>, kSectorCount> day_factor{};  // [sector][DayKind]
  std::array<double, kSectorCount> output_noise_mean{};
  double energy_noise_mean = 1;
  double workers_noise_mean = 1;
  std::vector<uint64_t> unit_keys;  // by UnitId
};

ReportContext MakeReportContext(const DemoEconomy& economy) {
  ReportContext ctx;
  ctx.days = ClassifyDays(economy.options.year, economy.structure.calendar);
  ctx.month_factor = ComputeMonthFactors(ctx.days);
  for (size_t s = 0; s < kSectorCount; ++s) {
    for (DayKind kind : {kWorkday, kRestDay, kHoliday}) {
      ctx.day_factor[s][kind] = DayFactor(kSectors[s], kind);
    }
    ctx.output_noise_mean[s] = MeanExpOfNormal(kSectors[s].noise_sigma);
  }
  ctx.energy_noise_mean = MeanExpOfNormal(kEnergyNoiseSigma);
  ctx.workers_noise_mean = MeanExpOfNormal(kWorkersNoiseSigma);
  ctx.unit_keys.resize(economy.unit_profiles.size());
  for (size_t unit_idx = 0; unit_idx < ctx.unit_keys.size(); ++unit_idx) {
    ctx.unit_keys[unit_idx] = Hash3(economy.options.seed, kStreamDays, unit_idx);
  }
  return ctx;
}

// The randomness of one (unit, day), a pure function of (seed, unit, date): never a
// sequential stream, so any chunking or order of generation gives the same values.
uint64_t DayBits(uint64_t unit_key, Date d) {
  return Mix64(unit_key ^
               (static_cast<uint64_t>(static_cast<uint32_t>(d.days())) * 0x9E3779B97F4A7C15ULL));
}
uint64_t DrawBits(uint64_t day_bits, Draw slot) {
  return Mix64(day_bits ^ (slot * 0xD1B54A32D192ED03ULL));
}

bool IsReported(const DemoEconomy::UnitProfile& profile, uint64_t day_bits) {
  return ToUniform(DrawBits(day_bits, kDrawGap)) >= profile.missing_rate;
}

bool IsProducing(const ReportContext& ctx, const DemoEconomy::UnitProfile& profile, int day_idx) {
  const auto day = static_cast<size_t>(day_idx);
  if (ctx.day_factor[static_cast<size_t>(profile.sector)][ctx.days.kind[day]] == 0) return false;
  const Date date = ctx.days.first + day_idx;
  for (const DemoEconomy::Outage& outage : profile.outages) {
    if (date >= outage.begin && date < outage.end) return false;
  }
  return true;
}

// What a unit reports on one day. Quality is reported only on producing days.
struct UnitDay {
  bool producing = false;
  double output = 0;
  double workers = 0;
  double energy = 0;
  double quality = 0;
};

UnitDay SimulateUnitDay(const ReportContext& ctx, const DemoEconomy::UnitProfile& profile,
                        int day_idx, uint64_t day_bits) {
  const auto day = static_cast<size_t>(day_idx);
  const auto sector_idx = static_cast<size_t>(profile.sector);
  const SectorSpec& sector = kSectors[sector_idx];
  const double year_fraction = (day_idx + 0.5) / ctx.days.count;
  UnitDay result;
  result.producing = IsProducing(ctx, profile, day_idx);
  double output = 0;
  if (result.producing) {
    const double noise = Exp(sector.noise_sigma * ToNormal(DrawBits(day_bits, kDrawOutput))) /
                         ctx.output_noise_mean[sector_idx];
    // Later generators (experiences adopted on a date with a known effect, movements
    // joined, commitments) multiply their per-unit, per-day effect into this product.
    output = profile.daily_capacity * DemoEconomy::kPlanLevel *
             ctx.month_factor[sector_idx][ctx.days.month[day]] *
             ctx.day_factor[sector_idx][ctx.days.kind[day]] * profile.performance *
             (1 + profile.trend_per_year * (year_fraction - 0.5)) * noise;
    result.output = RoundTo(output, sector.output_scale);
    const double quality =
        profile.quality_level + kQualityNoise * ToNormal(DrawBits(day_bits, kDrawQuality));
    result.quality = RoundTo(std::clamp(quality, 85.0, 99.0), 10);
  }
  result.workers =
      std::round(profile.workers * (1 + profile.workers_drift_per_year * year_fraction) *
                 Exp(kWorkersNoiseSigma * ToNormal(DrawBits(day_bits, kDrawWorkers))) /
                 ctx.workers_noise_mean);
  result.energy = RoundTo((profile.energy_per_output * output + profile.standby_energy) *
                              Exp(kEnergyNoiseSigma * ToNormal(DrawBits(day_bits, kDrawEnergy))) /
                              ctx.energy_noise_mean,
                          100);
  return result;
}

// Fixed capital in million won, reported on the first of each month: the unit's capacity
// times its sector's workers per capacity times 3 (about 3 million won a worker), spread
// log-normally per unit (sd 0.3, a pure function of the unit, so the frontier has units
// heavy and light in capital), growing 2% over the year.
double UnitCapital(const ReportContext& ctx, const DemoEconomy::UnitProfile& profile,
                   size_t unit_idx, int day_idx) {
  const SectorSpec& sector = kSectors[static_cast<size_t>(profile.sector)];
  const double spread = Exp(0.3 * ToNormal(Mix64(ctx.unit_keys[unit_idx] ^ 0xCA917A1ULL)));
  const double year_fraction = (day_idx + 0.5) / ctx.days.count;
  return RoundTo(profile.daily_capacity * sector.workers_per_capacity * 3 * spread *
                     (1 + 0.02 * year_fraction),
                 10);
}

}  // namespace

void DemoEconomy::ForEachReportChunk(const std::function<void(std::span<const Report>)>& sink,
                                     size_t chunk_rows) const {
  chunk_rows = std::max<size_t>(chunk_rows, 1);
  const ReportContext ctx = MakeReportContext(*this);
  std::vector<Report> buffer;
  buffer.reserve(std::min<size_t>(chunk_rows, size_t{1} << 16));
  auto emit = [&](UnitId unit, IndicatorId indicator, Date date, double value) {
    buffer.push_back({unit, indicator, date, value});
    if (buffer.size() == chunk_rows) {
      sink(buffer);
      buffer.clear();
    }
  };
  for (int day_idx = 0; day_idx < ctx.days.count; ++day_idx) {
    const Date date = ctx.days.first + day_idx;
    for (size_t unit_idx = 0; unit_idx < unit_profiles.size(); ++unit_idx) {
      const UnitProfile& profile = unit_profiles[unit_idx];
      const uint64_t day_bits = DayBits(ctx.unit_keys[unit_idx], date);
      if (!IsReported(profile, day_bits)) continue;
      const UnitDay values = SimulateUnitDay(ctx, profile, day_idx, day_bits);
      const auto unit = static_cast<UnitId>(unit_idx);
      // Indicator ids ascend: sector outputs, then workers, energy, quality, capital.
      emit(unit, profile.output, date, values.output);
      emit(unit, workers_indicator, date, values.workers);
      emit(unit, energy_indicator, date, values.energy);
      if (values.producing) emit(unit, quality_indicator, date, values.quality);
      if (ctx.days.first_of_month[static_cast<size_t>(day_idx)] != 0) {
        emit(unit, capital_indicator, date, UnitCapital(ctx, profile, unit_idx, day_idx));
      }
    }
  }
  if (!buffer.empty()) sink(buffer);
}

int64_t DemoEconomy::ReportCount() const {
  const ReportContext ctx = MakeReportContext(*this);
  int64_t count = 0;
  for (int day_idx = 0; day_idx < ctx.days.count; ++day_idx) {
    const Date date = ctx.days.first + day_idx;
    for (size_t unit_idx = 0; unit_idx < unit_profiles.size(); ++unit_idx) {
      const UnitProfile& profile = unit_profiles[unit_idx];
      if (!IsReported(profile, DayBits(ctx.unit_keys[unit_idx], date))) continue;
      count += (IsProducing(ctx, profile, day_idx) ? 4 : 3) +
               (ctx.days.first_of_month[static_cast<size_t>(day_idx)] ? 1 : 0);
    }
  }
  return count;
}

DemoEconomy GenerateDemo(const DemoOptions& options) {
  DemoEconomy economy;
  economy.options = options;
  economy.options.units = std::max(options.units, 1);
  Dataset& ds = economy.structure;
  ds.hierarchies.push_back({"region"});
  ds.hierarchies.push_back({"sector"});
  for (size_t p = 0; p < kProfileCount; ++p) {
    ds.profiles.push_back({std::string(kProfileCodes[p]), kProfileWeights[p]});
  }
  ds.calendar = MakeCalendar(options.year);
  AddIndicators(economy);
  const std::vector<County> counties = AddRegions(economy);
  const std::vector<std::vector<GroupId>> branches = AddSectors(economy);
  const std::vector<UnitPlanDraws> draws = AddUnits(economy, counties, branches);
  AddPlans(economy, draws);
  return economy;
}

}  // namespace chollima::demo
