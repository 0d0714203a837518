// Assignments: how plans are shared out over days, and the plan of any period.
//
// An AssignmentBook is built once from a State and answers, for every plan target
// (unit or group) and indicator, "what is the plan for this period?" and "how much of
// it falls due by this day?". DecomposePlans is the same rule for one target's plans,
// giving the daily assignment array.
//
//   AssignmentBook book(state);                        // after every change of plans
//   double jan = book.Plan(unit_target, coal, ParsePeriod("2026-01").value());
//   double due = book.PlanToDate(unit_target, coal, year_2026, Date::FromCivil(2026, 3, 31));
//   for (const PlanInconsistency& p : book.inconsistencies()) ...  // nested plans that clash
//
// SEMANTICS (docs/design.md copies this section)
//
// Day weights. Each plan shares its value over its days by a SplitMethod:
//   kEven      weight 1 on every calendar day;
//   kWorkdays  weight 1 on working days of State::calendar(), 0 otherwise. A day works
//              unless its weekday rests; a dated exception overrides the weekday, and of
//              several exceptions for one date the later in the list wins;
//   kProfile   weight month_weights[month] / days in that month, so each month gets its
//              weight's share whatever its length. Negative or NaN month weights count 0;
//              an unknown profile index splits evenly.
//
// Divisible plans. For a sum-aggregated, non-derived indicator a plan is a quantity
// divisible over its days. The plans of one (target, indicator) are taken from the
// shortest to the longest (ties: earlier begin first, then the finer grain, so a year
// wins over a one-year multi-year span). Each plan:
//   - keeps the days already taken by shorter plans as they are ("claimed" days), and
//     sums what those shorter plans put on them ("claimed" total);
//   - spreads remainder = value - claimed over its other ("free") days, by its weights.
//     For plans nested inside it the claimed total is just their values, so an explicit
//     month inside a year plan gets the month's value and the other eleven months share
//     the rest: the year's total is preserved. A shorter plan only partly inside (a week
//     crossing two months) claims its days inside the longer plan the same way.
//   - If the free days' weights are all 0 (workdays over a holiday-only span), the free
//     days share evenly instead.
//   - A remainder within tolerance (kPlanTolerance relative to max(|value|, |claimed|))
//     of 0 counts as exactly 0.
//   - If remainder < 0 beyond tolerance, the free days get 0 and the plan is reported
//     in inconsistencies() with excess = claimed - value (> 0). If the plan has no free
//     day and remainder differs from 0 beyond tolerance, it is reported too, with
//     excess = claimed - value (< 0 when the shorter plans fall short).
// The daily assignment of a day is what the plan that took it put there; a day no plan
// covers has no assignment. The plan for ANY period Q (a week crossing months, a
// quarter under a year plan) is then:
//   - the value of an explicit plan whose span is exactly Q's, if there is one;
//   - else, when every day of Q is covered by some explicit plan, the sum of the daily
//     assignments over Q;
//   - else undefined (NaN).
// The plan to date of Q as of day A, with E = min(A, last day of Q): 0 when A is
// before Q; the plan of Q when A >= the last day of Q; otherwise the sum of the daily
// assignments over [Q.begin, E]. Undefined when the plan is.
//
// Level plans. For mean/last/max-aggregated and for derived (ratio) indicators a plan is
// a level, not divisible: the plan for Q is the value of the shortest explicit plan
// whose span contains Q (same tie order as above), else undefined. Its plan to date is
// the plan itself (0 when A is before Q).
//
// Groups. The book treats explicit group plans (target.is_group) like unit plans. The
// plan of a group at any level of a hierarchy is its explicit plan when that is defined
// for Q; otherwise the roll-up of its member units' plans: their sum (the mean for
// indicators with Role::kQuality and for derived indicators, whose plans are levels),
// over the members whose plan for Q is defined. Members are the units whose group on
// day E (State::GroupOf) lies at or below the group. RollUpGroupPlan computes it and
// reports explicit minus members' roll-up.
//
// Plans with a non-finite value, an empty period or one outside kMinYear..kMaxYear, or
// an unknown target or indicator id are ignored; a plan with an unknown profile splits
// evenly.
//
// Thread-safety: an AssignmentBook is immutable once built; concurrent reads are safe.
// It keeps no reference to the State it was built from.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/model.h"
#include "engine/state.h"

namespace chollima::engine {

// Relative tolerance below which nested plans count as adding up.
inline constexpr double kPlanTolerance = 1e-9;

// A plan whose nested (or overlapping shorter) plans do not add up to it.
struct PlanInconsistency {
  PlanTarget target;
  IndicatorId indicator = kNoId;
  Period period;
  // What shorter plans put on this plan's days minus its value: > 0 when they exceed it
  // (its free days were set to 0); < 0 when they fall short and it had no free day.
  double excess = 0;
};

// Kernel: the weight of each day [begin, begin + out.size()) under `method`. `profile`
// is used for kProfile only; nullptr splits evenly. Never fails.
void SplitWeights(SplitMethod method, const Profile* profile, const WorkCalendar& calendar,
                  Date begin, std::span<double> out);

// Prefix sums of the day weights of every split table (even, workdays, one per profile)
// over a day range, so the weight of any day span is two lookups. Immutable.
class DayWeights {
 public:
  static constexpr int32_t kEvenTable = 0;
  static constexpr int32_t kWorkdaysTable = 1;

  DayWeights() = default;
  // REQUIRES: begin <= end.
  DayWeights(const WorkCalendar& calendar, std::span<const Profile> profiles, Date begin, Date end);

  // The table for a plan's split: kEvenTable, kWorkdaysTable or 2 + profile index
  // (kEvenTable for an unknown profile).
  int32_t TableFor(SplitMethod method, int32_t profile) const;
  // The weight of day `d` in `table`; 0 outside the range.
  double Weight(int32_t table, Date d) const;
  // The sum of weights over [begin, end) clipped to the range; 0 when empty.
  double Sum(int32_t table, Date begin, Date end) const;

  Date begin() const { return begin_; }
  Date end() const { return begin_ + days_; }
  int32_t tables() const { return tables_; }

 private:
  Date begin_;
  int32_t days_ = 0;
  int32_t tables_ = 0;
  std::vector<double> weights_;  // weights_[table * days_ + day]
  std::vector<double> prefix_;   // prefix_[table * (days_ + 1) + k] = sum of days [0, k)
};

// A stretch of days whose daily assignment is scale * weight(table, day): the free days
// of one plan between days taken by shorter plans.
struct AssignmentRun {
  Date begin;
  Date end;  // exclusive
  int32_t table = DayWeights::kEvenTable;
  double scale = 0;
};

// The daily assignments of one (target, indicator) over [begin, end).
struct DailyAssignment {
  Date begin;
  std::vector<double> daily;     // by day from begin; 0 on days no plan covers
  std::vector<uint8_t> covered;  // 1 when an explicit plan covers the day
  std::vector<PlanInconsistency> inconsistencies;
};

// Shares the divisible plans of ONE (target, indicator) over their days (see SEMANTICS)
// and returns the daily assignments over [begin, end). Ignores invalid plans.
// REQUIRES: every plan has the same target and indicator; begin <= end.
DailyAssignment DecomposePlans(std::span<const Plan> plans, const WorkCalendar& calendar,
                               std::span<const Profile> profiles, Date begin, Date end);

// Every plan of a State, decomposed once (see SEMANTICS). Lookups are by dense index:
// no hashing. Memory: the plans, a few runs per plan, and (2 + profiles) x 2 doubles per
// day of the plans' range.
class AssignmentBook {
 public:
  AssignmentBook() = default;  // No plans.
  explicit AssignmentBook(const State& state);

  // The plan for `period` (NaN when undefined). Unknown ids give NaN.
  double Plan(const PlanTarget& target, IndicatorId indicator, const Period& period) const;
  // The plan due by `as_of` (see SEMANTICS); NaN when the plan is undefined.
  double PlanToDate(const PlanTarget& target, IndicatorId indicator, const Period& period,
                    Date as_of) const;
  // Sum of the daily assignments over [begin, end); 0 for level indicators.
  double AssignmentOver(const PlanTarget& target, IndicatorId indicator, Date begin,
                        Date end) const;
  // True when every day of [begin, end) is covered by an explicit plan (divisible
  // indicators) or one explicit plan contains it (level indicators).
  bool Covers(const PlanTarget& target, IndicatorId indicator, Date begin, Date end) const;
  // The daily assignments over [begin, end) (0 on uncovered days); empty for level
  // indicators.
  std::vector<double> DailyAssignments(const PlanTarget& target, IndicatorId indicator, Date begin,
                                       Date end) const;
  // True when (target, indicator) has any valid explicit plan.
  bool HasPlans(const PlanTarget& target, IndicatorId indicator) const;
  // True when the indicator's plans are divisible (sum-aggregated and not derived).
  bool IsDivisible(IndicatorId indicator) const;

  // The units with any valid unit plan for `indicator`, in increasing order (empty for
  // an unknown id).
  std::span<const UnitId> PlannedUnits(IndicatorId indicator) const;
  // Indicators with any valid plan (unit or group), in id order.
  const std::vector<IndicatorId>& planned_indicators() const { return planned_indicators_; }
  // Plans whose shorter plans do not add up: unit plans, then group plans; each by
  // indicator, then target id, then processing order.
  const std::vector<PlanInconsistency>& inconsistencies() const { return inconsistencies_; }
  const DayWeights& weights() const { return weights_; }

  // ---- Dense access for kernels (engine-internal; stable while the book lives).
  // A plan reduced to what decomposition needs, sorted per key shortest first.
  struct KeyPlan {
    Date begin;
    Date end;
    Grain grain = Grain::kDay;
    int32_t table = DayWeights::kEvenTable;  // the plan's split table in weights()
    double value = 0;
  };
  // The key of (target, indicator), or -1 for unknown ids (the *OfKey functions treat
  // -1 as a key without plans).
  int32_t KeyOf(const PlanTarget& target, IndicatorId indicator) const;
  std::span<const KeyPlan> PlansOfKey(int32_t key) const;
  std::span<const AssignmentRun> RunsOfKey(int32_t key) const;
  // Plan / plan to date of a key (see Plan, PlanToDate).
  double PlanOfKey(int32_t key, bool divisible, Date begin, Date end) const;
  double PlanToDateOfKey(int32_t key, bool divisible, const Period& period, Date as_of) const;
  // Sum of the assignments of the runs over [begin, end).
  double RunSum(std::span<const AssignmentRun> runs, Date begin, Date end) const;
  // Days of [begin, end) covered by the runs.
  int32_t CoveredDays(std::span<const AssignmentRun> runs, Date begin, Date end) const;

 private:
  int32_t unit_count_ = 0;
  int32_t group_count_ = 0;
  int32_t indicator_count_ = 0;
  std::vector<uint8_t> divisible_;  // by indicator
  DayWeights weights_;
  // Keys: unit keys indicator * unit_count_ + unit, then group keys.
  std::vector<int32_t> plan_offsets_;  // key -> [plan_offsets_[key], plan_offsets_[key+1])
  std::vector<KeyPlan> plans_;
  std::vector<int32_t> run_offsets_;  // same shape for runs_ (divisible keys only)
  std::vector<AssignmentRun> runs_;
  std::vector<IndicatorId> planned_indicators_;
  std::vector<UnitId> planned_units_;          // by indicator, then unit
  std::vector<int32_t> planned_unit_offsets_;  // indicator -> its range of planned_units_
  std::vector<PlanInconsistency> inconsistencies_;
};

// A group's plan for a period (see SEMANTICS, Groups).
struct GroupPlan {
  double plan = 0;          // the group's plan; NaN when undefined
  double plan_to_date = 0;  // NaN when undefined
  bool explicit_plan = false;
  // Roll-up of the members' plans: the sum (the mean for quality and derived
  // indicators) over members with a defined plan; NaN when none has one.
  double members_plan = 0;
  double members_plan_to_date = 0;
  // plan - members_plan when the plan is explicit and members_plan defined, else NaN.
  double difference = 0;
  int32_t member_units = 0;
  int32_t units_with_plan = 0;
};

// The plan of `group` (at its own depth) for `period`, members counted on day
// E = min(as_of, last day of period). O(units). REQUIRES: ids valid in `state`, and
// `book` built from `state`.
GroupPlan RollUpGroupPlan(const State& state, const AssignmentBook& book, GroupId group,
                          IndicatorId indicator, const Period& period, Date as_of);

// True when the indicator's group plans roll up as a mean (quality role, or derived).
bool RollsUpAsMean(const Indicator& indicator);

}  // namespace chollima::engine
