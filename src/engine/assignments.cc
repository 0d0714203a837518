#include "engine/assignments.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace chollima::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using KeyPlan = AssignmentBook::KeyPlan;

// Processing order: shortest first; among equal lengths the earlier begin, then the
// finer grain (a year before a one-year multi-year span with the same days).
bool ShorterFirst(const KeyPlan& a, const KeyPlan& b) {
  const int32_t da = a.end - a.begin;
  const int32_t db = b.end - b.begin;
  if (da != db) return da < db;
  if (a.begin != b.begin) return a.begin < b.begin;
  return a.grain < b.grain;
}

bool IsValidPeriod(const Period& p) {
  return p.begin < p.end && p.begin >= Date::FromCivil(kMinYear, 1, 1) &&
         p.end <= Date::FromCivil(kMaxYear + 1, 1, 1);
}

// The first run that ends after `d` (runs are sorted and disjoint, so ends are sorted).
const AssignmentRun* FirstRunEndingAfter(std::span<const AssignmentRun> runs, Date d) {
  return std::partition_point(runs.data(), runs.data() + runs.size(),
                              [d](const AssignmentRun& r) { return r.end <= d; });
}

// Applies the decomposition rule to one key's plans (sorted by ShorterFirst), leaving
// the runs sorted by begin in `runs`. `free` is scratch.
void BuildRuns(std::span<const KeyPlan> sorted, const DayWeights& weights, const PlanTarget& target,
               IndicatorId indicator, std::vector<AssignmentRun>& runs,
               std::vector<AssignmentRun>& free, std::vector<PlanInconsistency>& inconsistencies) {
  runs.clear();
  for (const KeyPlan& plan : sorted) {
    free.clear();
    double claimed = 0;
    Date cursor = plan.begin;
    const AssignmentRun* first = FirstRunEndingAfter(runs, plan.begin);
    for (const AssignmentRun* r = first; r != runs.data() + runs.size() && r->begin < plan.end;
         ++r) {
      const Date b = std::min(r->end, plan.end);
      claimed += r->scale * weights.Sum(r->table, std::max(r->begin, plan.begin), b);
      if (r->begin > cursor) free.push_back({cursor, r->begin, 0, 0});
      cursor = b;
    }
    if (cursor < plan.end) free.push_back({cursor, plan.end, 0, 0});

    const double tolerance = kPlanTolerance * std::max(std::abs(plan.value), std::abs(claimed));
    // Within tolerance the shorter plans add up: the free days get exactly 0, not the
    // rounding noise of the sums (whose sign would decide between 0 and a tiny share).
    double remainder = plan.value - claimed;
    if (std::abs(remainder) <= tolerance) remainder = 0;
    const Period period{plan.grain, plan.begin, plan.end};
    if (free.empty()) {
      if (std::abs(remainder) > tolerance) {
        inconsistencies.push_back({target, indicator, period, claimed - plan.value});
      }
      continue;
    }
    if (remainder < -tolerance) {
      inconsistencies.push_back({target, indicator, period, -remainder});
    }
    int32_t table = plan.table;
    double total_weight = 0;
    for (const AssignmentRun& f : free) total_weight += weights.Sum(table, f.begin, f.end);
    if (!(total_weight > 0)) {
      table = DayWeights::kEvenTable;
      total_weight = 0;
      for (const AssignmentRun& f : free) total_weight += f.end - f.begin;
    }
    const double scale = remainder > 0 ? remainder / total_weight : 0.0;
    for (AssignmentRun& f : free) {
      f.table = table;
      f.scale = scale;
    }
    const auto middle = static_cast<ptrdiff_t>(runs.size());
    runs.insert(runs.end(), free.begin(), free.end());
    std::inplace_merge(
        runs.begin(), runs.begin() + middle, runs.end(),
        [](const AssignmentRun& a, const AssignmentRun& b) { return a.begin < b.begin; });
  }
}

void MaterializeRuns(std::span<const AssignmentRun> runs, const DayWeights& weights, Date begin,
                     std::span<double> daily, std::span<uint8_t> covered) {
  const Date end = begin + static_cast<int32_t>(daily.size());
  for (const AssignmentRun* r = FirstRunEndingAfter(runs, begin);
       r != runs.data() + runs.size() && r->begin < end; ++r) {
    for (Date d = std::max(r->begin, begin); d < std::min(r->end, end); d = d + 1) {
      const auto idx = static_cast<size_t>(d - begin);
      daily[idx] = r->scale * weights.Weight(r->table, d);
      if (!covered.empty()) covered[idx] = 1;
    }
  }
}

}  // namespace

void SplitWeights(SplitMethod method, const Profile* profile, const WorkCalendar& calendar,
                  Date begin, std::span<double> out) {
  const auto n = static_cast<int32_t>(out.size());
  if (method == SplitMethod::kWorkdays) {
    for (int32_t i = 0; i < n; ++i) {
      out[static_cast<size_t>(i)] =
          calendar.rest_weekdays[static_cast<size_t>((begin + i).Weekday())] ? 0.0 : 1.0;
    }
    // Applied in list order, so the later exception for a date wins.
    for (const auto& [date, working] : calendar.exceptions) {
      if (date >= begin && date < begin + n) {
        out[static_cast<size_t>(date - begin)] = working ? 1.0 : 0.0;
      }
    }
    return;
  }
  if (method == SplitMethod::kProfile && profile != nullptr) {
    for (int32_t i = 0; i < n;) {
      const CivilDate c = (begin + i).ToCivil();
      const int month_days = DaysInMonth(c.year, c.month);
      const double w = profile->month_weights[static_cast<size_t>(c.month - 1)];
      const double day_weight = w > 0 ? w / month_days : 0.0;  // NaN and negatives count 0
      const int32_t stop = std::min(n, i + (month_days - c.day + 1));
      for (; i < stop; ++i) out[static_cast<size_t>(i)] = day_weight;
    }
    return;
  }
  std::fill(out.begin(), out.end(), 1.0);
}

DayWeights::DayWeights(const WorkCalendar& calendar, std::span<const Profile> profiles, Date begin,
                       Date end)
    : begin_(begin),
      days_(end - begin),
      tables_(2 + static_cast<int32_t>(profiles.size())),
      weights_(static_cast<size_t>(tables_) * static_cast<size_t>(days_)),
      prefix_(static_cast<size_t>(tables_) * static_cast<size_t>(days_ + 1)) {
  const auto days = static_cast<size_t>(days_);
  for (int32_t t = 0; t < tables_; ++t) {
    const std::span<double> w(weights_.data() + static_cast<size_t>(t) * days, days);
    const SplitMethod method = t == kEvenTable       ? SplitMethod::kEven
                               : t == kWorkdaysTable ? SplitMethod::kWorkdays
                                                     : SplitMethod::kProfile;
    const Profile* profile = t >= 2 ? &profiles[static_cast<size_t>(t - 2)] : nullptr;
    SplitWeights(method, profile, calendar, begin, w);
    double* prefix = prefix_.data() + static_cast<size_t>(t) * (days + 1);
    prefix[0] = 0;
    for (size_t i = 0; i < days; ++i) prefix[i + 1] = prefix[i] + w[i];
  }
}

int32_t DayWeights::TableFor(SplitMethod method, int32_t profile) const {
  switch (method) {
    case SplitMethod::kEven:
      return kEvenTable;
    case SplitMethod::kWorkdays:
      return kWorkdaysTable;
    case SplitMethod::kProfile:
      return profile >= 0 && profile < tables_ - 2 ? 2 + profile : kEvenTable;
  }
  return kEvenTable;
}

double DayWeights::Weight(int32_t table, Date d) const {
  if (d < begin_ || d >= begin_ + days_) return 0;
  return weights_[static_cast<size_t>(table) * static_cast<size_t>(days_) +
                  static_cast<size_t>(d - begin_)];
}

double DayWeights::Sum(int32_t table, Date begin, Date end) const {
  const int32_t a = std::clamp(begin - begin_, 0, days_);
  const int32_t b = std::clamp(end - begin_, 0, days_);
  if (a >= b) return 0;
  const double* prefix =
      prefix_.data() + static_cast<size_t>(table) * static_cast<size_t>(days_ + 1);
  return prefix[b] - prefix[a];
}

DailyAssignment DecomposePlans(std::span<const Plan> plans, const WorkCalendar& calendar,
                               std::span<const Profile> profiles, Date begin, Date end) {
  DailyAssignment out;
  out.begin = begin;
  out.daily.assign(static_cast<size_t>(end - begin), 0.0);
  out.covered.assign(static_cast<size_t>(end - begin), 0);
  std::vector<const Plan*> valid;
  for (const Plan& p : plans) {
    if (std::isfinite(p.value) && IsValidPeriod(p.period)) valid.push_back(&p);
  }
  if (valid.empty()) return out;
  Date lo = valid.front()->period.begin;
  Date hi = valid.front()->period.end;
  for (const Plan* p : valid) {
    lo = std::min(lo, p->period.begin);
    hi = std::max(hi, p->period.end);
  }
  const DayWeights weights(calendar, profiles, lo, hi);
  std::vector<KeyPlan> sorted;
  for (const Plan* p : valid) {
    sorted.push_back({p->period.begin, p->period.end, p->period.grain,
                      weights.TableFor(p->method, p->profile), p->value});
  }
  std::sort(sorted.begin(), sorted.end(), ShorterFirst);
  std::vector<AssignmentRun> runs;
  std::vector<AssignmentRun> free;
  BuildRuns(sorted, weights, plans.front().target, plans.front().indicator, runs, free,
            out.inconsistencies);
  MaterializeRuns(runs, weights, begin, out.daily, out.covered);
  return out;
}

AssignmentBook::AssignmentBook(const State& state)
    : unit_count_(static_cast<int32_t>(state.units().size())),
      group_count_(static_cast<int32_t>(state.groups().size())),
      indicator_count_(static_cast<int32_t>(state.indicators().size())) {
  divisible_.resize(static_cast<size_t>(indicator_count_));
  for (size_t i = 0; i < divisible_.size(); ++i) {
    const Indicator& ind = state.indicators()[i];
    divisible_[i] = !ind.IsDerived() && ind.aggregation == Aggregation::kSum;
  }
  const auto key_count =
      static_cast<size_t>(indicator_count_) * static_cast<size_t>(unit_count_ + group_count_);

  // Pass 1: the key of every valid plan, and the day range the weights must cover.
  std::vector<int32_t> plan_keys(state.plans().size(), -1);
  Date lo;
  Date hi;
  bool any = false;
  plan_offsets_.assign(key_count + 1, 0);
  for (size_t i = 0; i < state.plans().size(); ++i) {
    const chollima::Plan& p = state.plans()[i];
    if (!std::isfinite(p.value) || !IsValidPeriod(p.period)) continue;
    const int32_t key = KeyOf(p.target, p.indicator);
    if (key < 0) continue;
    plan_keys[i] = key;
    ++plan_offsets_[static_cast<size_t>(key) + 1];
    lo = any ? std::min(lo, p.period.begin) : p.period.begin;
    hi = any ? std::max(hi, p.period.end) : p.period.end;
    any = true;
  }
  if (any) weights_ = DayWeights(state.calendar(), state.profiles(), lo, hi);

  // Pass 2: plans grouped by key (a counting sort), each key's plans shortest first.
  for (size_t k = 0; k < key_count; ++k) plan_offsets_[k + 1] += plan_offsets_[k];
  plans_.resize(static_cast<size_t>(plan_offsets_[key_count]));
  {
    std::vector<int32_t> next(plan_offsets_.begin(), plan_offsets_.end() - 1);
    for (size_t i = 0; i < state.plans().size(); ++i) {
      if (plan_keys[i] < 0) continue;
      const chollima::Plan& p = state.plans()[i];
      plans_[static_cast<size_t>(next[static_cast<size_t>(plan_keys[i])]++)] = {
          p.period.begin, p.period.end, p.period.grain, weights_.TableFor(p.method, p.profile),
          p.value};
    }
  }
  std::vector<uint8_t> planned(static_cast<size_t>(indicator_count_), 0);
  planned_unit_offsets_.assign(static_cast<size_t>(indicator_count_) + 1, 0);
  run_offsets_.assign(key_count + 1, 0);
  std::vector<AssignmentRun> runs;
  std::vector<AssignmentRun> free;
  for (size_t k = 0; k < key_count; ++k) {
    run_offsets_[k] = static_cast<int32_t>(runs_.size());
    const auto first = plans_.begin() + plan_offsets_[k];
    const auto last = plans_.begin() + plan_offsets_[k + 1];
    if (first == last) continue;
    std::sort(first, last, ShorterFirst);
    const auto key = static_cast<int32_t>(k);
    const int32_t unit_keys = indicator_count_ * unit_count_;
    PlanTarget target;
    IndicatorId indicator = kNoId;
    if (key < unit_keys) {
      target = {false, key % unit_count_};
      indicator = key / unit_count_;
    } else {
      target = {true, (key - unit_keys) % group_count_};
      indicator = (key - unit_keys) / group_count_;
    }
    planned[static_cast<size_t>(indicator)] = 1;
    if (!target.is_group) {  // unit keys come first, by indicator then unit
      planned_units_.push_back(target.id);
      ++planned_unit_offsets_[static_cast<size_t>(indicator) + 1];
    }
    if (!divisible_[static_cast<size_t>(indicator)]) continue;
    BuildRuns(std::span<const KeyPlan>(&*first, static_cast<size_t>(last - first)), weights_,
              target, indicator, runs, free, inconsistencies_);
    runs_.insert(runs_.end(), runs.begin(), runs.end());
  }
  run_offsets_[key_count] = static_cast<int32_t>(runs_.size());
  for (size_t i = 0; i < static_cast<size_t>(indicator_count_); ++i) {
    planned_unit_offsets_[i + 1] += planned_unit_offsets_[i];
  }
  for (IndicatorId i = 0; i < indicator_count_; ++i) {
    if (planned[static_cast<size_t>(i)]) planned_indicators_.push_back(i);
  }
}

int32_t AssignmentBook::KeyOf(const PlanTarget& target, IndicatorId indicator) const {
  if (indicator < 0 || indicator >= indicator_count_ || target.id < 0) return -1;
  if (target.is_group) {
    if (target.id >= group_count_) return -1;
    return indicator_count_ * unit_count_ + indicator * group_count_ + target.id;
  }
  if (target.id >= unit_count_) return -1;
  return indicator * unit_count_ + target.id;
}

std::span<const UnitId> AssignmentBook::PlannedUnits(IndicatorId indicator) const {
  if (indicator < 0 || indicator >= indicator_count_) return {};
  const auto i = static_cast<size_t>(indicator);
  return {planned_units_.data() + planned_unit_offsets_[i],
          static_cast<size_t>(planned_unit_offsets_[i + 1] - planned_unit_offsets_[i])};
}

std::span<const AssignmentBook::KeyPlan> AssignmentBook::PlansOfKey(int32_t key) const {
  if (key < 0) return {};
  const auto k = static_cast<size_t>(key);
  return {plans_.data() + plan_offsets_[k],
          static_cast<size_t>(plan_offsets_[k + 1] - plan_offsets_[k])};
}

std::span<const AssignmentRun> AssignmentBook::RunsOfKey(int32_t key) const {
  if (key < 0) return {};
  const auto k = static_cast<size_t>(key);
  return {runs_.data() + run_offsets_[k],
          static_cast<size_t>(run_offsets_[k + 1] - run_offsets_[k])};
}

double AssignmentBook::RunSum(std::span<const AssignmentRun> runs, Date begin, Date end) const {
  double sum = 0;
  for (const AssignmentRun* r = FirstRunEndingAfter(runs, begin);
       r != runs.data() + runs.size() && r->begin < end; ++r) {
    sum += r->scale * weights_.Sum(r->table, std::max(r->begin, begin), std::min(r->end, end));
  }
  return sum;
}

int32_t AssignmentBook::CoveredDays(std::span<const AssignmentRun> runs, Date begin,
                                    Date end) const {
  int32_t days = 0;
  for (const AssignmentRun* r = FirstRunEndingAfter(runs, begin);
       r != runs.data() + runs.size() && r->begin < end; ++r) {
    days += std::min(r->end, end) - std::max(r->begin, begin);
  }
  return days;
}

double AssignmentBook::PlanOfKey(int32_t key, bool divisible, Date begin, Date end) const {
  const std::span<const KeyPlan> plans = PlansOfKey(key);
  if (plans.empty()) return kNaN;
  const KeyPlan probe{begin, end, Grain::kDay, 0, 0};
  // The first plan not shorter than the period, and not earlier among equal lengths.
  const KeyPlan* p = std::lower_bound(plans.data(), plans.data() + plans.size(), probe,
                                      [](const KeyPlan& a, const KeyPlan& b) {
                                        const int32_t da = a.end - a.begin;
                                        const int32_t db = b.end - b.begin;
                                        return da != db ? da < db : a.begin < b.begin;
                                      });
  const KeyPlan* const stop = plans.data() + plans.size();
  if (divisible) {
    if (p != stop && p->begin == begin && p->end == end) return p->value;
    const std::span<const AssignmentRun> runs = RunsOfKey(key);
    if (CoveredDays(runs, begin, end) != end - begin) return kNaN;
    return RunSum(runs, begin, end);
  }
  for (; p != stop; ++p) {
    if (p->begin <= begin && p->end >= end) return p->value;
  }
  return kNaN;
}

double AssignmentBook::PlanToDateOfKey(int32_t key, bool divisible, const Period& period,
                                       Date as_of) const {
  const double plan = PlanOfKey(key, divisible, period.begin, period.end);
  if (std::isnan(plan)) return kNaN;
  if (as_of < period.begin) return 0;
  if (!divisible || as_of >= period.end - 1) return plan;
  return RunSum(RunsOfKey(key), period.begin, as_of + 1);
}

double AssignmentBook::Plan(const PlanTarget& target, IndicatorId indicator,
                            const Period& period) const {
  const int32_t key = KeyOf(target, indicator);
  if (key < 0) return kNaN;
  return PlanOfKey(key, IsDivisible(indicator), period.begin, period.end);
}

double AssignmentBook::PlanToDate(const PlanTarget& target, IndicatorId indicator,
                                  const Period& period, Date as_of) const {
  const int32_t key = KeyOf(target, indicator);
  if (key < 0) return kNaN;
  return PlanToDateOfKey(key, IsDivisible(indicator), period, as_of);
}

double AssignmentBook::AssignmentOver(const PlanTarget& target, IndicatorId indicator, Date begin,
                                      Date end) const {
  const int32_t key = KeyOf(target, indicator);
  if (key < 0 || !IsDivisible(indicator)) return 0;
  return RunSum(RunsOfKey(key), begin, end);
}

bool AssignmentBook::Covers(const PlanTarget& target, IndicatorId indicator, Date begin,
                            Date end) const {
  const int32_t key = KeyOf(target, indicator);
  if (key < 0) return false;
  if (IsDivisible(indicator)) return CoveredDays(RunsOfKey(key), begin, end) == end - begin;
  return !std::isnan(PlanOfKey(key, false, begin, end));
}

std::vector<double> AssignmentBook::DailyAssignments(const PlanTarget& target,
                                                     IndicatorId indicator, Date begin,
                                                     Date end) const {
  const int32_t key = KeyOf(target, indicator);
  if (key < 0 || !IsDivisible(indicator)) return {};
  std::vector<double> daily(static_cast<size_t>(std::max(end - begin, 0)), 0.0);
  MaterializeRuns(RunsOfKey(key), weights_, begin, daily, {});
  return daily;
}

bool AssignmentBook::HasPlans(const PlanTarget& target, IndicatorId indicator) const {
  const int32_t key = KeyOf(target, indicator);
  return key >= 0 && !PlansOfKey(key).empty();
}

bool AssignmentBook::IsDivisible(IndicatorId indicator) const {
  return indicator >= 0 && indicator < indicator_count_ &&
         divisible_[static_cast<size_t>(indicator)] != 0;
}

bool RollsUpAsMean(const Indicator& indicator) {
  return indicator.role == Role::kQuality || indicator.IsDerived();
}

GroupPlan RollUpGroupPlan(const State& state, const AssignmentBook& book, GroupId group,
                          IndicatorId indicator, const Period& period, Date as_of) {
  const Group& g = state.groups()[static_cast<size_t>(group)];
  const Date membership_day = std::min(as_of, period.end - 1);
  const bool mean = RollsUpAsMean(state.indicators()[static_cast<size_t>(indicator)]);
  GroupPlan out;
  double plan_sum = 0;
  double to_date_sum = 0;
  for (UnitId u = 0; u < static_cast<UnitId>(state.units().size()); ++u) {
    const GroupId at = state.GroupOf(u, g.hierarchy, membership_day);
    if (at == kNoId || state.AncestorAt(at, g.depth) != group) continue;
    ++out.member_units;
    const double plan = book.Plan({false, u}, indicator, period);
    if (std::isnan(plan)) continue;
    ++out.units_with_plan;
    plan_sum += plan;
    to_date_sum += book.PlanToDate({false, u}, indicator, period, as_of);
  }
  const double divisor = mean ? out.units_with_plan : 1.0;
  out.members_plan = out.units_with_plan > 0 ? plan_sum / divisor : kNaN;
  out.members_plan_to_date = out.units_with_plan > 0 ? to_date_sum / divisor : kNaN;
  const double explicit_plan = book.Plan({true, group}, indicator, period);
  out.explicit_plan = !std::isnan(explicit_plan);
  if (out.explicit_plan) {
    out.plan = explicit_plan;
    out.plan_to_date = book.PlanToDate({true, group}, indicator, period, as_of);
    out.difference = explicit_plan - out.members_plan;
  } else {
    out.plan = out.members_plan;
    out.plan_to_date = out.members_plan_to_date;
    out.difference = kNaN;
  }
  return out;
}

}  // namespace chollima::engine
