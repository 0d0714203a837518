#include "engine/state.h"

#include <algorithm>
#include <limits>

namespace chollima::engine {
namespace {

std::string GroupKey(HierarchyId h, std::string_view code) {
  std::string k = std::to_string(h);
  k.push_back('\x1f');
  k.append(code);
  return k;
}

std::string PlanKey(const PlanTarget& t, IndicatorId indicator, const Period& p) {
  std::string k;
  k.reserve(32);
  k.push_back(t.is_group ? 'g' : 'u');
  k.append(std::to_string(t.id)).push_back(':');
  k.append(std::to_string(indicator)).push_back(':');
  k.append(std::to_string(static_cast<int>(p.grain))).push_back(':');
  k.append(std::to_string(p.begin.days())).push_back(':');
  k.append(std::to_string(p.end.days()));
  return k;
}

}  // namespace

HierarchyId State::AddHierarchy(Hierarchy h) {
  const auto id = static_cast<HierarchyId>(hierarchies_.size());
  hierarchy_index_.emplace(h.code, id);
  hierarchies_.push_back(std::move(h));
  hierarchy_depth_.push_back(0);
  return id;
}

GroupId State::AddGroup(Group g) {
  const auto id = static_cast<GroupId>(groups_.size());
  g.depth = g.parent == kNoId ? 1 : groups_[static_cast<size_t>(g.parent)].depth + 1;
  int& depth = hierarchy_depth_[static_cast<size_t>(g.hierarchy)];
  depth = std::max(depth, g.depth);
  group_index_.emplace(GroupKey(g.hierarchy, g.code), id);
  groups_.push_back(std::move(g));
  return id;
}

UnitId State::AddUnit(Unit u) {
  const auto id = static_cast<UnitId>(units_.size());
  unit_index_.emplace(u.code, id);
  units_.push_back(std::move(u));
  memberships_.emplace_back();
  return id;
}

void State::ReplaceUnit(UnitId id, Unit u) { units_[static_cast<size_t>(id)] = std::move(u); }

void State::ReplaceGroup(GroupId id, Group g) {
  g.depth = groups_[static_cast<size_t>(id)].depth;
  groups_[static_cast<size_t>(id)] = std::move(g);
}

void State::ReplaceIndicator(IndicatorId id, Indicator i) {
  indicators_[static_cast<size_t>(id)] = std::move(i);
}

void State::AddMembership(const Membership& m) {
  auto& list = memberships_[static_cast<size_t>(m.unit)];
  auto less = [](const Membership& a, const Membership& b) {
    return a.hierarchy != b.hierarchy ? a.hierarchy < b.hierarchy : a.from < b.from;
  };
  auto it = std::lower_bound(list.begin(), list.end(), m, less);
  if (it != list.end() && it->hierarchy == m.hierarchy && it->from == m.from) {
    *it = m;
  } else {
    list.insert(it, m);
  }
}

IndicatorId State::AddIndicator(Indicator i) {
  const auto id = static_cast<IndicatorId>(indicators_.size());
  indicator_index_.emplace(i.code, id);
  indicators_.push_back(std::move(i));
  series_by_indicator_.emplace_back();
  return id;
}

int32_t State::AddProfile(Profile p) {
  if (auto existing = FindProfile(p.code)) {
    profiles_[static_cast<size_t>(*existing)] = std::move(p);
    return *existing;
  }
  profiles_.push_back(std::move(p));
  return static_cast<int32_t>(profiles_.size() - 1);
}

std::optional<HierarchyId> State::FindHierarchy(std::string_view code) const {
  auto it = hierarchy_index_.find(std::string(code));
  if (it == hierarchy_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<GroupId> State::FindGroup(HierarchyId h, std::string_view code) const {
  auto it = group_index_.find(GroupKey(h, code));
  if (it == group_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<UnitId> State::FindUnit(std::string_view code) const {
  auto it = unit_index_.find(std::string(code));
  if (it == unit_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<IndicatorId> State::FindIndicator(std::string_view code) const {
  auto it = indicator_index_.find(std::string(code));
  if (it == indicator_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<int32_t> State::FindProfile(std::string_view code) const {
  for (size_t i = 0; i < profiles_.size(); ++i) {
    if (profiles_[i].code == code) return static_cast<int32_t>(i);
  }
  return std::nullopt;
}

std::vector<Membership> State::AllMemberships() const {
  std::vector<Membership> all;
  for (const auto& list : memberships_) all.insert(all.end(), list.begin(), list.end());
  return all;
}

GroupId State::GroupOf(UnitId unit, HierarchyId hierarchy, Date d) const {
  GroupId found = kNoId;
  for (const Membership& m : memberships_[static_cast<size_t>(unit)]) {
    if (m.hierarchy != hierarchy) continue;
    if (m.from > d) break;
    found = m.group;
  }
  return found;
}

GroupId State::AncestorAt(GroupId group, int depth) const {
  while (group != kNoId && groups_[static_cast<size_t>(group)].depth > depth) {
    group = groups_[static_cast<size_t>(group)].parent;
  }
  if (group == kNoId || groups_[static_cast<size_t>(group)].depth != depth) return kNoId;
  return group;
}

bool State::IsWithin(GroupId group, GroupId ancestor) const {
  for (; group != kNoId; group = groups_[static_cast<size_t>(group)].parent) {
    if (group == ancestor) return true;
  }
  return false;
}

int State::Depth(HierarchyId h) const { return hierarchy_depth_[static_cast<size_t>(h)]; }

void State::SetPlan(const Plan& plan) {
  std::string key = PlanKey(plan.target, plan.indicator, plan.period);
  auto [it, inserted] = plan_index_.emplace(std::move(key), plans_.size());
  if (inserted) {
    plans_.push_back(plan);
  } else {
    plans_[it->second] = plan;
  }
}

const Plan* State::FindPlan(const PlanTarget& target, IndicatorId indicator,
                            const Period& p) const {
  auto it = plan_index_.find(PlanKey(target, indicator, p));
  return it == plan_index_.end() ? nullptr : &plans_[it->second];
}

void State::CoverDay(Date d) {
  if (series_days_ == 0) {
    origin_ = Date::FromCivil(d.ToCivil().year, 1, 1);
    series_days_ = DaysInYear(d.ToCivil().year);
    values_.assign(series_keys_.size() * static_cast<size_t>(series_days_),
                   std::numeric_limits<double>::quiet_NaN());
    return;
  }
  if (d >= origin_ && d < origin_ + series_days_) return;
  const int first_year = std::min(origin_.ToCivil().year, d.ToCivil().year);
  const int last_year = std::max((origin_ + series_days_ - 1).ToCivil().year, d.ToCivil().year);
  const Date new_origin = Date::FromCivil(first_year, 1, 1);
  const int32_t new_days = Date::FromCivil(last_year + 1, 1, 1) - new_origin;
  std::vector<double> grown(series_keys_.size() * static_cast<size_t>(new_days),
                            std::numeric_limits<double>::quiet_NaN());
  const auto shift = static_cast<size_t>(origin_ - new_origin);
  for (size_t s = 0; s < series_keys_.size(); ++s) {
    std::copy_n(values_.begin() + static_cast<ptrdiff_t>(s * static_cast<size_t>(series_days_)),
                series_days_,
                grown.begin() + static_cast<ptrdiff_t>(s * static_cast<size_t>(new_days) + shift));
  }
  values_ = std::move(grown);
  origin_ = new_origin;
  series_days_ = new_days;
}

void State::SetReport(const Report& r) {
  CoverDay(r.date);
  int32_t series = FindSeries(r.unit, r.indicator);
  if (series < 0) {
    series = static_cast<int32_t>(series_keys_.size());
    series_keys_.push_back({r.unit, r.indicator});
    series_index_.emplace(PairKey(r.indicator, r.unit), series);
    series_by_indicator_[static_cast<size_t>(r.indicator)].push_back(series);
    values_.resize(values_.size() + static_cast<size_t>(series_days_),
                   std::numeric_limits<double>::quiet_NaN());
  }
  values_[static_cast<size_t>(series) * static_cast<size_t>(series_days_) +
          static_cast<size_t>(r.date - origin_)] = r.value;
  if (!last_reported_ || r.date > *last_reported_) last_reported_ = r.date;
}

void State::SetReports(std::span<const Report> reports) {
  if (reports.empty()) return;
  Date first = reports.front().date;
  Date last = first;
  for (const Report& r : reports) {
    first = std::min(first, r.date);
    last = std::max(last, r.date);
  }
  CoverDay(first);
  CoverDay(last);
  // Create the missing series first so the value array grows once.
  std::vector<int32_t> series_of(reports.size());
  for (size_t i = 0; i < reports.size(); ++i) {
    const Report& r = reports[i];
    auto [it, fresh] = series_index_.try_emplace(PairKey(r.indicator, r.unit),
                                                 static_cast<int32_t>(series_keys_.size()));
    if (fresh) {
      series_keys_.push_back({r.unit, r.indicator});
      series_by_indicator_[static_cast<size_t>(r.indicator)].push_back(it->second);
    }
    series_of[i] = it->second;
  }
  values_.resize(series_keys_.size() * static_cast<size_t>(series_days_),
                 std::numeric_limits<double>::quiet_NaN());
  for (size_t i = 0; i < reports.size(); ++i) {
    const Report& r = reports[i];
    values_[static_cast<size_t>(series_of[i]) * static_cast<size_t>(series_days_) +
            static_cast<size_t>(r.date - origin_)] = r.value;
  }
  if (!last_reported_ || last > *last_reported_) last_reported_ = last;
}

std::optional<double> State::ReportValue(UnitId unit, IndicatorId indicator, Date d) const {
  const int32_t series = FindSeries(unit, indicator);
  if (series < 0 || d < origin_ || d >= origin_ + series_days_) return std::nullopt;
  const double v = Series(series)[static_cast<size_t>(d - origin_)];
  if (IsMissing(v)) return std::nullopt;
  return v;
}

int32_t State::FindSeries(UnitId unit, IndicatorId indicator) const {
  auto it = series_index_.find(PairKey(indicator, unit));
  return it == series_index_.end() ? -1 : it->second;
}

const std::vector<int32_t>& State::SeriesOf(IndicatorId indicator) const {
  return series_by_indicator_[static_cast<size_t>(indicator)];
}

std::optional<Date> State::LastReportedDay() const { return last_reported_; }

DriveId State::AddDrive(Drive d) {
  const auto id = static_cast<DriveId>(drives_.size());
  drive_index_.emplace(d.code, id);
  drives_.push_back(std::move(d));
  return id;
}

std::optional<DriveId> State::FindDrive(std::string_view code) const {
  auto it = drive_index_.find(std::string(code));
  if (it == drive_index_.end()) return std::nullopt;
  return it->second;
}

void State::AddDriveResult(DriveResult r) { drive_results_.push_back(std::move(r)); }

bool State::IsSeasonFinalized(DriveId drive, int32_t season) const {
  return std::any_of(drive_results_.begin(), drive_results_.end(),
                     [&](const DriveResult& r) { return r.drive == drive && r.season == season; });
}

void State::AddStandard(Standard s) {
  auto key_less = [](const Standard& a, const Standard& b) {
    if (a.indicator != b.indicator) return a.indicator < b.indicator;
    if (a.peer_group != b.peer_group) return a.peer_group < b.peer_group;
    return a.from < b.from;
  };
  auto it = std::lower_bound(standards_.begin(), standards_.end(), s, key_less);
  if (it != standards_.end() && !key_less(s, *it)) {
    *it = std::move(s);
  } else {
    standards_.insert(it, std::move(s));
  }
}

void State::AddOutlierReview(OutlierReview r) { outlier_reviews_.push_back(std::move(r)); }

namespace {

bool SameGroup(const Group& a, const Group& b) {
  return a.hierarchy == b.hierarchy && a.code == b.code && a.name == b.name &&
         a.parent == b.parent && a.depth == b.depth;
}
bool SameUnit(const Unit& a, const Unit& b) {
  return a.code == b.code && a.name == b.name && a.attributes == b.attributes;
}
bool SameIndicator(const Indicator& a, const Indicator& b) {
  return a.code == b.code && a.name == b.name && a.measure == b.measure &&
         a.direction == b.direction && a.aggregation == b.aggregation && a.role == b.role &&
         a.grain == b.grain && a.numerator == b.numerator && a.denominator == b.denominator;
}
bool SameMembership(const Membership& a, const Membership& b) {
  return a.unit == b.unit && a.hierarchy == b.hierarchy && a.group == b.group && a.from == b.from;
}
bool SamePlan(const Plan& a, const Plan& b) {
  return a.target == b.target && a.indicator == b.indicator && a.period == b.period &&
         a.value == b.value && a.method == b.method && a.profile == b.profile;
}
template <typename T, typename Eq>
bool SameList(const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), eq);
}

}  // namespace

bool operator==(const State& a, const State& b) {
  if (!SameList(a.hierarchies_, b.hierarchies_,
                [](const Hierarchy& x, const Hierarchy& y) { return x.code == y.code; }) ||
      !SameList(a.groups_, b.groups_, SameGroup) || !SameList(a.units_, b.units_, SameUnit) ||
      !SameList(a.indicators_, b.indicators_, SameIndicator) ||
      !SameList(a.AllMemberships(), b.AllMemberships(), SameMembership)) {
    return false;
  }
  if (a.drives_ != b.drives_ || a.drive_results_ != b.drive_results_ ||
      a.standards_ != b.standards_ || a.outlier_reviews_ != b.outlier_reviews_ ||
      a.models_ != b.models_ || a.follower_choices_ != b.follower_choices_ ||
      a.pair_rules_ != b.pair_rules_ || a.pairs_ != b.pairs_) {
    return false;
  }
  if (a.profiles_.size() != b.profiles_.size() ||
      a.calendar_.rest_weekdays != b.calendar_.rest_weekdays ||
      a.calendar_.exceptions != b.calendar_.exceptions) {
    return false;
  }
  for (size_t i = 0; i < a.profiles_.size(); ++i) {
    if (a.profiles_[i].code != b.profiles_[i].code ||
        a.profiles_[i].month_weights != b.profiles_[i].month_weights) {
      return false;
    }
  }
  // Plans: the same set, in any order.
  if (a.plans_.size() != b.plans_.size()) return false;
  for (const Plan& p : a.plans_) {
    const Plan* q = b.FindPlan(p.target, p.indicator, p.period);
    if (q == nullptr || !SamePlan(p, *q)) return false;
  }
  // Reports: every present value in a is in b and vice versa.
  auto covered = [](const State& x, const State& y) {
    for (size_t s = 0; s < x.series_keys_.size(); ++s) {
      const auto series = x.Series(static_cast<int32_t>(s));
      for (int32_t day = 0; day < x.series_days_; ++day) {
        const double v = series[static_cast<size_t>(day)];
        if (IsMissing(v)) continue;
        auto w =
            y.ReportValue(x.series_keys_[s].unit, x.series_keys_[s].indicator, x.origin_ + day);
        if (!w || *w != v) return false;
      }
    }
    return true;
  };
  return covered(a, b) && covered(b, a);
}

void ApplyChanges(const Changes& c, State& state) {
  for (const Hierarchy& h : c.new_hierarchies) state.AddHierarchy(h);
  for (const Group& g : c.new_groups) state.AddGroup(g);
  for (const auto& [id, g] : c.changed_groups) state.ReplaceGroup(id, g);
  for (const Unit& u : c.new_units) state.AddUnit(u);
  for (const auto& [id, u] : c.changed_units) state.ReplaceUnit(id, u);
  for (const Membership& m : c.memberships) state.AddMembership(m);
  for (const Indicator& i : c.new_indicators) state.AddIndicator(i);
  for (const auto& [id, i] : c.changed_indicators) state.ReplaceIndicator(id, i);
  for (const Profile& p : c.profiles) state.AddProfile(p);
  if (c.calendar) state.SetCalendar(*c.calendar);
  for (const Plan& p : c.plans) state.SetPlan(p);
  state.SetReports(c.reports);
  for (const Drive& d : c.new_drives) state.AddDrive(d);
  for (const DriveResult& r : c.drive_results) state.AddDriveResult(r);
  for (const Standard& s : c.standards) state.AddStandard(s);
  for (const OutlierReview& r : c.outlier_reviews) state.AddOutlierReview(r);
  for (const ModelDesignation& m : c.models) state.AddModel(m);
  for (const FollowerChoice& f : c.follower_choices) state.AddFollowerChoice(f);
  for (const PairRule& r : c.pair_rules) state.AddPairRule(r);
  for (const LearningPair& p : c.pairs) state.AddPair(p);
}

}  // namespace chollima::engine
