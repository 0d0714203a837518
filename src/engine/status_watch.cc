#include "engine/status_watch.h"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

namespace chollima::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

auto PeriodKey(const Period& p) { return std::make_tuple(p.begin, p.end, p.grain); }

// True for a period ComputeUnitRows and PeriodsOverlapping can take.
bool Usable(Date begin, Date end) {
  return begin < end && begin >= Date::FromCivil(kMinYear, 1, 1) &&
         end <= Date::FromCivil(kMaxYear, 12, 31) + 1;
}

// What a report or a plan of the changes touches: (unit, indicator) at a day, or (for a
// plan) everywhere its plans are.
struct Touch {
  UnitId unit = kNoId;
  IndicatorId indicator = kNoId;
  bool plan = false;
  Date date;
  friend bool operator==(const Touch&, const Touch&) = default;
};

bool TouchLess(const Touch& a, const Touch& b) {
  return std::tie(a.unit, a.indicator, a.plan, a.date) <
         std::tie(b.unit, b.indicator, b.plan, b.date);
}

// For each indicator of the State after the change, itself and every derived indicator
// that uses it, directly or through another ratio.
std::vector<std::vector<IndicatorId>> Dependents(const State& state, const Changes& changes) {
  const size_t old_count = state.indicators().size();
  const size_t n = old_count + changes.new_indicators.size();
  auto at = [&](size_t i) -> const Indicator& {
    return i < old_count ? state.indicators()[i] : changes.new_indicators[i - old_count];
  };
  std::vector<std::vector<IndicatorId>> users(n);
  for (size_t i = 0; i < n; ++i) {
    const Indicator& ind = at(i);
    if (!ind.IsDerived()) continue;
    for (const IndicatorId part : {ind.numerator, ind.denominator}) {
      if (part >= 0 && static_cast<size_t>(part) < n) {
        users[static_cast<size_t>(part)].push_back(static_cast<IndicatorId>(i));
      }
    }
  }
  std::vector<std::vector<IndicatorId>> out(n);
  std::vector<uint8_t> seen(n);
  for (size_t i = 0; i < n; ++i) {
    std::fill(seen.begin(), seen.end(), 0);
    std::vector<IndicatorId> stack = {static_cast<IndicatorId>(i)};
    seen[i] = 1;
    while (!stack.empty()) {
      const IndicatorId x = stack.back();
      stack.pop_back();
      out[i].push_back(x);
      for (const IndicatorId user : users[static_cast<size_t>(x)]) {
        if (!seen[static_cast<size_t>(user)]) {
          seen[static_cast<size_t>(user)] = 1;
          stack.push_back(user);
        }
      }
    }
  }
  return out;
}

struct PlanSpan {
  Date begin;
  Date end;
  Grain grain = Grain::kDay;
};

}  // namespace

StatusWatch::StatusWatch(const State& state, const AssignmentBook& book, const Changes& changes,
                         StatusWatchOptions options)
    : options_(std::move(options)) {
  if (changes.reports.empty() && changes.plans.empty()) return;
  std::optional<Date> as_of = state.LastReportedDay();
  for (const Report& r : changes.reports) {
    if (!as_of || r.date > *as_of) as_of = r.date;
  }
  if (!as_of) return;
  as_of_ = as_of;

  const std::vector<std::vector<IndicatorId>> dependents = Dependents(state, changes);
  const auto indicator_count = static_cast<IndicatorId>(dependents.size());
  std::vector<Touch> touches;
  for (const Report& r : changes.reports) {
    if (r.indicator < 0 || r.indicator >= indicator_count) continue;
    for (const IndicatorId i : dependents[static_cast<size_t>(r.indicator)]) {
      touches.push_back({r.unit, i, false, r.date});
    }
  }
  // The new unit plans, by (unit, indicator).
  std::vector<const Plan*> new_plans;
  for (const Plan& p : changes.plans) {
    if (p.target.is_group || p.indicator < 0 || p.indicator >= indicator_count) continue;
    new_plans.push_back(&p);
    touches.push_back({p.target.id, p.indicator, true, Date()});
  }
  std::sort(new_plans.begin(), new_plans.end(), [](const Plan* a, const Plan* b) {
    return std::tie(a->target.id, a->indicator) < std::tie(b->target.id, b->indicator);
  });
  std::sort(touches.begin(), touches.end(), TouchLess);
  touches.erase(std::unique(touches.begin(), touches.end()), touches.end());

  const auto old_units = static_cast<UnitId>(state.units().size());
  const auto old_indicators = static_cast<IndicatorId>(state.indicators().size());
  std::vector<PlanSpan> spans;
  std::vector<Grain> grains;
  for (size_t t = 0; t < touches.size();) {
    const UnitId u = touches[t].unit;
    const IndicatorId i = touches[t].indicator;
    size_t t_end = t;
    while (t_end < touches.size() && touches[t_end].unit == u && touches[t_end].indicator == i) {
      ++t_end;
    }
    // The explicit plans of (u, i), before and after.
    spans.clear();
    if (u >= 0 && u < old_units && i < old_indicators) {
      for (const AssignmentBook::KeyPlan& kp : book.PlansOfKey(book.KeyOf({false, u}, i))) {
        spans.push_back({kp.begin, kp.end, kp.grain});
      }
    }
    const auto first_new = std::lower_bound(
        new_plans.begin(), new_plans.end(), std::make_pair(u, i), [](const Plan* p, auto key) {
          return std::tie(p->target.id, p->indicator) < std::tie(key.first, key.second);
        });
    for (auto it = first_new;
         it != new_plans.end() && (*it)->target.id == u && (*it)->indicator == i; ++it) {
      spans.push_back({(*it)->period.begin, (*it)->period.end, (*it)->period.grain});
    }
    std::erase_if(spans, [](const PlanSpan& s) { return !Usable(s.begin, s.end); });
    // The watched grains of (u, i) (multi-year periods are its multi-year plan spans).
    grains = options_.grains;
    for (const PlanSpan& s : spans) grains.push_back(s.grain);
    std::erase(grains, Grain::kMultiYear);
    std::sort(grains.begin(), grains.end());
    grains.erase(std::unique(grains.begin(), grains.end()), grains.end());

    auto watch = [&](const Period& p) { watched_.push_back({p, u, i}); };
    for (size_t k = t; k < t_end; ++k) {
      const Touch& touch = touches[k];
      for (const PlanSpan& s : spans) {
        if (s.grain == Grain::kMultiYear &&
            (touch.plan || (touch.date >= s.begin && touch.date < s.end))) {
          watch({Grain::kMultiYear, s.begin, s.end});
        }
      }
      if (touch.plan) {
        for (const PlanSpan& s : spans) {
          for (const Grain g : grains) {
            for (const Period& p : PeriodsOverlapping(g, s.begin, s.end)) watch(p);
          }
        }
      } else if (Usable(touch.date, touch.date + 1)) {
        for (const Grain g : grains) watch(PeriodOf(g, touch.date));
      }
    }
    t = t_end;
  }
  std::sort(watched_.begin(), watched_.end(), [](const Watched& a, const Watched& b) {
    return std::tuple_cat(PeriodKey(a.period), std::tie(a.unit, a.indicator)) <
           std::tuple_cat(PeriodKey(b.period), std::tie(b.unit, b.indicator));
  });
  watched_.erase(std::unique(watched_.begin(), watched_.end(),
                             [](const Watched& a, const Watched& b) {
                               return a.period == b.period && a.unit == b.unit &&
                                      a.indicator == b.indicator;
                             }),
                 watched_.end());
  for (size_t begin = 0; begin < watched_.size();) {
    size_t end = begin;
    while (end < watched_.size() && watched_[end].period == watched_[begin].period) ++end;
    const std::vector<FulfilmentRow> rows = Rows(state, book, begin, end);
    for (size_t k = begin; k < end; ++k) watched_[k].before = rows[k - begin].status;
    begin = end;
  }
}

std::vector<FulfilmentRow> StatusWatch::Rows(const State& state, const AssignmentBook& book,
                                             size_t begin, size_t end) const {
  FulfilmentRow no_plan;
  no_plan.plan = no_plan.plan_to_date = no_plan.actual = no_plan.percent = no_plan.pace =
      no_plan.forecast = no_plan.members_plan = no_plan.plan_difference = kNaN;
  no_plan.status = FulfilmentStatus::kNoPlan;
  std::vector<FulfilmentRow> rows(end - begin, no_plan);
  const auto units = static_cast<UnitId>(state.units().size());
  const auto indicators = static_cast<IndicatorId>(state.indicators().size());
  std::vector<UnitIndicator> pairs;
  std::vector<size_t> where;
  for (size_t k = begin; k < end; ++k) {
    const Watched& w = watched_[k];
    if (w.unit < 0 || w.unit >= units || w.indicator < 0 || w.indicator >= indicators) continue;
    pairs.push_back({w.unit, w.indicator});
    where.push_back(k - begin);
  }
  if (pairs.empty()) return rows;
  const FulfilmentQuery query{
      .period = watched_[begin].period, .as_of = *as_of_, .thresholds = options_.thresholds};
  Result<std::vector<FulfilmentRow>> computed = ComputeUnitRows(state, book, query, pairs);
  if (!computed.ok()) return rows;  // unreachable: the period and ids are valid
  for (size_t k = 0; k < pairs.size(); ++k) rows[where[k]] = std::move((*computed)[k]);
  return rows;
}

std::vector<StatusChange> StatusWatch::After(const State& state, const AssignmentBook& book) const {
  std::vector<StatusChange> out;
  for (size_t begin = 0; begin < watched_.size();) {
    size_t end = begin;
    while (end < watched_.size() && watched_[end].period == watched_[begin].period) ++end;
    const std::vector<FulfilmentRow> rows = Rows(state, book, begin, end);
    for (size_t k = begin; k < end; ++k) {
      const Watched& w = watched_[k];
      const FulfilmentRow& row = rows[k - begin];
      if (row.status == w.before) continue;
      out.push_back({.unit = w.unit,
                     .indicator = w.indicator,
                     .period = w.period,
                     .from = w.before,
                     .to = row.status,
                     .percent = row.percent,
                     .plan = row.plan,
                     .actual = row.actual});
    }
    begin = end;
  }
  std::sort(out.begin(), out.end(), [](const StatusChange& a, const StatusChange& b) {
    return std::tie(a.unit, a.indicator, a.period.begin, a.period.grain, a.period.end) <
           std::tie(b.unit, b.indicator, b.period.begin, b.period.grain, b.period.end);
  });
  return out;
}

}  // namespace chollima::engine
