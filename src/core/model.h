// The vocabulary of PRODUCT.md as plain value types: hierarchies and groups, units,
// memberships, indicators, plans, reports, and the working-day calendar. Ids are dense
// indexes assigned by engine::State in creation order; codes are what users type.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/period.h"

namespace chollima {

using HierarchyId = int32_t;
using GroupId = int32_t;
using UnitId = int32_t;
using IndicatorId = int32_t;
inline constexpr int32_t kNoId = -1;

// The date of a membership that has held since before any data.
inline constexpr Date kBeginningOfTime{std::numeric_limits<int32_t>::min() / 2};

struct Hierarchy {
  std::string code;  // e.g. "region", "sector"
};

struct Group {
  HierarchyId hierarchy = kNoId;
  std::string code;  // unique within its hierarchy
  std::string name;
  GroupId parent = kNoId;  // kNoId for a root
  int depth = 1;           // 1 for a root, parent's depth + 1 below it
};

struct Unit {
  std::string code;  // unique
  std::string name;
  // Numeric attributes from the units file (capacity, workers at founding, ...), by name.
  std::vector<std::pair<std::string, double>> attributes;
};

// From `from` on (until the unit's next membership in the same hierarchy) the unit
// belongs to `group`.
struct Membership {
  UnitId unit = kNoId;
  HierarchyId hierarchy = kNoId;
  GroupId group = kNoId;
  Date from = kBeginningOfTime;
};

enum class Direction { kHigher, kLower };
enum class Aggregation { kSum, kMean, kLast, kMax };
enum class Role { kOutput, kInput, kQuality };

const char* DirectionName(Direction d);
const char* AggregationName(Aggregation a);
const char* RoleName(Role r);
bool ParseDirection(std::string_view s, Direction& out);
bool ParseAggregation(std::string_view s, Aggregation& out);
bool ParseRole(std::string_view s, Role& out);

struct Indicator {
  std::string code;  // unique
  std::string name;
  std::string measure;  // unit of measure: "t", "MWh", "persons", "%"
  Direction direction = Direction::kHigher;
  Aggregation aggregation = Aggregation::kSum;
  Role role = Role::kOutput;
  // Reports come per day or per month (a month's report is dated to its first day).
  Grain grain = Grain::kDay;
  // A derived indicator is the ratio numerator / denominator of the two indicators'
  // aggregates over the same units and period; it has no reports of its own.
  IndicatorId numerator = kNoId;
  IndicatorId denominator = kNoId;

  bool IsDerived() const { return numerator != kNoId; }
};

// How a plan for a long period is shared out over the days inside it.
enum class SplitMethod {
  kEven,      // in proportion to calendar days
  kWorkdays,  // in proportion to working days of the calendar
  kProfile,   // in proportion to a seasonal profile's month weights
};

// A seasonal profile: relative weights of the twelve months (January first).
struct Profile {
  std::string code;
  std::array<double, 12> month_weights{};
};

struct PlanTarget {
  bool is_group = false;
  int32_t id = kNoId;  // UnitId or GroupId
  friend bool operator==(const PlanTarget&, const PlanTarget&) = default;
};

struct Plan {
  PlanTarget target;
  IndicatorId indicator = kNoId;
  Period period;
  double value = 0;
  SplitMethod method = SplitMethod::kEven;
  int32_t profile = kNoId;  // index into State::profiles() when method == kProfile
};

struct Report {
  UnitId unit = kNoId;
  IndicatorId indicator = kNoId;
  Date date;
  double value = 0;
};

// The working-day calendar: weekly rest days plus dated exceptions.
struct WorkCalendar {
  // rest_weekdays[w] for w = 0 (Monday) .. 6 (Sunday). Sunday rests by default.
  std::array<bool, 7> rest_weekdays{false, false, false, false, false, false, true};
  // Dated exceptions, later entries for the same date win: true = a working day
  // (e.g. a working Sunday), false = a holiday.
  std::vector<std::pair<Date, bool>> exceptions;
};

}  // namespace chollima

namespace chollima {

// A self-contained set of facts whose ids are dense indexes into its own vectors (a
// group's parent, a membership's unit, a plan's target...). Loading a Dataset into an
// empty store gives the store's ids the same values.
struct Dataset {
  std::vector<Hierarchy> hierarchies;
  std::vector<Group> groups;  // parents before children
  std::vector<Unit> units;
  std::vector<Membership> memberships;
  std::vector<Indicator> indicators;  // parts before the ratios that use them
  std::vector<Profile> profiles;
  WorkCalendar calendar;
  std::vector<Plan> plans;
  std::vector<Report> reports;
};

}  // namespace chollima
