// engine::State: the in-memory model of one store — structure, indicators, plans and
// the current value of every report — laid out for the analytics kernels.
//
// The store is the truth; a State is derived from it, either incrementally (each
// committed write is applied) or from scratch (RebuildFromStore). Both must give equal
// States, which operator== checks.
//
// Emulation facts (core/emulation.h) are held as the store keeps them: drives by dense
// DriveId in creation order; finalized drive results and outlier reviews in the order
// they were committed; standard revisions ordered by (indicator, peer group, from), a
// revision with the same three replacing the earlier one (the latest commit wins).
//
// Reports live in columnar series: one contiguous array of doubles per (unit,
// indicator) pair that has any report, indexed by day from origin(); a missing day is
// NaN. All series share one day range, which grows by whole years as data arrives.
//
// Thread-safety: none. One writer applies changes; readers run between writes.
#pragma once

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/changes.h"
#include "core/emulation.h"
#include "core/learning.h"
#include "core/model.h"

namespace chollima::engine {

inline bool IsMissing(double v) { return std::isnan(v); }

class State {
 public:
  State() = default;
  State(const State&) = default;
  State& operator=(const State&) = default;
  State(State&&) = default;
  State& operator=(State&&) = default;

  // ---- Structure. Add* return the new dense id; callers check codes are new first.
  HierarchyId AddHierarchy(Hierarchy h);
  GroupId AddGroup(Group g);  // REQUIRES: hierarchy exists; parent (if any) in it.
  UnitId AddUnit(Unit u);
  // Inserts keeping each (unit, hierarchy)'s memberships ordered by `from`; a membership
  // with the same unit, hierarchy and `from` replaces the old one.
  void AddMembership(const Membership& m);
  IndicatorId AddIndicator(Indicator i);
  int32_t AddProfile(Profile p);  // Replaces a profile with the same code.
  void SetCalendar(WorkCalendar c) { calendar_ = std::move(c); }
  // Replace the descriptive fields of an existing entity. Codes, hierarchy, parent, and
  // an indicator's numerator/denominator stay as they were (REQUIRES: unchanged).
  void ReplaceUnit(UnitId id, Unit u);
  void ReplaceGroup(GroupId id, Group g);
  void ReplaceIndicator(IndicatorId id, Indicator i);

  std::optional<HierarchyId> FindHierarchy(std::string_view code) const;
  std::optional<GroupId> FindGroup(HierarchyId h, std::string_view code) const;
  std::optional<UnitId> FindUnit(std::string_view code) const;
  std::optional<IndicatorId> FindIndicator(std::string_view code) const;
  std::optional<int32_t> FindProfile(std::string_view code) const;

  const std::vector<Hierarchy>& hierarchies() const { return hierarchies_; }
  const std::vector<Group>& groups() const { return groups_; }
  const std::vector<Unit>& units() const { return units_; }
  const std::vector<Indicator>& indicators() const { return indicators_; }
  const std::vector<Profile>& profiles() const { return profiles_; }
  const WorkCalendar& calendar() const { return calendar_; }
  // All memberships, ordered by (unit, hierarchy, from).
  std::vector<Membership> AllMemberships() const;
  // The memberships of one unit, ordered by (hierarchy, from).
  const std::vector<Membership>& MembershipsOf(UnitId unit) const {
    return memberships_[static_cast<size_t>(unit)];
  }

  // The group `unit` belongs to in `hierarchy` on day `d`, or kNoId.
  GroupId GroupOf(UnitId unit, HierarchyId hierarchy, Date d) const;
  // The ancestor of `group` at `depth` (1 = root), or kNoId when group is shallower.
  GroupId AncestorAt(GroupId group, int depth) const;
  // True when `ancestor` is `group` or above it.
  bool IsWithin(GroupId group, GroupId ancestor) const;
  // Deepest level of a hierarchy (0 when it has no groups).
  int Depth(HierarchyId h) const;

  // ---- Plans. The current plan for each (target, indicator, period); SetPlan replaces.
  void SetPlan(const Plan& plan);
  const std::vector<Plan>& plans() const { return plans_; }
  const Plan* FindPlan(const PlanTarget& target, IndicatorId indicator, const Period& p) const;

  // ---- Reports.
  // Sets the current value (a correction overwrites; the store keeps the history).
  void SetReport(const Report& r);
  // Same as SetReport for each, in order, but grows the series storage once.
  void SetReports(std::span<const Report> reports);
  // The current value, or nullopt when none was reported.
  std::optional<double> ReportValue(UnitId unit, IndicatorId indicator, Date d) const;

  // The series of (unit, indicator), or -1 when it has no reports.
  int32_t FindSeries(UnitId unit, IndicatorId indicator) const;
  // Days of every series: [origin(), origin() + series_days()).
  Date origin() const { return origin_; }
  int32_t series_days() const { return series_days_; }
  std::span<const double> Series(int32_t series) const {
    return {values_.data() + static_cast<size_t>(series) * static_cast<size_t>(series_days_),
            static_cast<size_t>(series_days_)};
  }
  UnitId SeriesUnit(int32_t series) const { return series_keys_[static_cast<size_t>(series)].unit; }
  // The series of one indicator, in creation order.
  const std::vector<int32_t>& SeriesOf(IndicatorId indicator) const;
  size_t series_count() const { return series_keys_.size(); }
  // Last day with any report, or nullopt when there are none.
  std::optional<Date> LastReportedDay() const;

  // ---- Emulation facts (see the top of this file for their order).
  // Returns the new dense id. REQUIRES: the code is new (FindDrive), the drive valid.
  DriveId AddDrive(Drive d);
  std::optional<DriveId> FindDrive(std::string_view code) const;
  const std::vector<Drive>& drives() const { return drives_; }
  // Appends one line of a finalized season. REQUIRES: the drive exists.
  void AddDriveResult(DriveResult r);
  const std::vector<DriveResult>& drive_results() const { return drive_results_; }
  // True when any result of (drive, season) is held: the season was finalized.
  bool IsSeasonFinalized(DriveId drive, int32_t season) const;
  // Inserts a revision keeping the (indicator, peer_group, from) order; one with the
  // same key replaces the old one.
  void AddStandard(Standard s);
  const std::vector<Standard>& standards() const { return standards_; }
  // Appends a review (the latest review of a (unit, indicator, date) wins, see
  // core/emulation.h; the earlier ones stay as history).
  void AddOutlierReview(OutlierReview r);
  const std::vector<OutlierReview>& outlier_reviews() const { return outlier_reviews_; }

  // Models and learning (core/learning.h): revisions in the order they were written;
  // the latest of a key wins (engine/learning.h reads them).
  void AddModel(ModelDesignation m) { models_.push_back(std::move(m)); }
  const std::vector<ModelDesignation>& models() const { return models_; }
  void AddFollowerChoice(FollowerChoice c) { follower_choices_.push_back(c); }
  const std::vector<FollowerChoice>& follower_choices() const { return follower_choices_; }
  void AddPairRule(PairRule r) { pair_rules_.push_back(std::move(r)); }
  const std::vector<PairRule>& pair_rules() const { return pair_rules_; }
  void AddPair(LearningPair p) { pairs_.push_back(std::move(p)); }
  const std::vector<LearningPair>& pairs() const { return pairs_; }

  // Equal structure, plans, emulation facts and current report values (the same facts, whatever the
  // order they arrived in and however the series are laid out).
  friend bool operator==(const State& a, const State& b);

 private:
  struct SeriesKey {
    UnitId unit;
    IndicatorId indicator;
  };
  static uint64_t PairKey(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  // Makes the day range cover `d`, growing by whole years.
  void CoverDay(Date d);

  std::vector<Hierarchy> hierarchies_;
  std::vector<Group> groups_;
  std::vector<Unit> units_;
  std::vector<std::vector<Membership>> memberships_;  // by unit
  std::vector<Indicator> indicators_;
  std::vector<Profile> profiles_;
  WorkCalendar calendar_;
  std::unordered_map<std::string, HierarchyId> hierarchy_index_;
  std::unordered_map<std::string, GroupId> group_index_;  // "hierarchy\x1fcode"
  std::unordered_map<std::string, UnitId> unit_index_;
  std::unordered_map<std::string, IndicatorId> indicator_index_;
  std::vector<int> hierarchy_depth_;

  std::vector<Plan> plans_;
  std::unordered_map<std::string, size_t> plan_index_;  // encoded key -> plans_ index

  Date origin_;
  int32_t series_days_ = 0;
  std::vector<double> values_;  // series-major: values_[series * series_days_ + day]
  std::vector<SeriesKey> series_keys_;
  std::unordered_map<uint64_t, int32_t> series_index_;  // PairKey(indicator, unit)
  std::vector<std::vector<int32_t>> series_by_indicator_;
  std::optional<Date> last_reported_;

  std::vector<Drive> drives_;
  std::unordered_map<std::string, DriveId> drive_index_;
  std::vector<DriveResult> drive_results_;
  std::vector<Standard> standards_;
  std::vector<OutlierReview> outlier_reviews_;
  std::vector<ModelDesignation> models_;
  std::vector<FollowerChoice> follower_choices_;
  std::vector<PairRule> pair_rules_;
  std::vector<LearningPair> pairs_;
};

// Applies committed changes to a State, in the order the store wrote them (the engine
// side of every command; RebuildFromStore reaches the same State).
void ApplyChanges(const Changes& changes, State& state);

}  // namespace chollima::engine
