#include "auth/authorize.h"

#include <algorithm>

#include "core/period.h"

namespace chollima::auth {
namespace {

constexpr size_t kUnitsNamed = 10;  // a reporter's units listed in a message

std::string Who(const Principal& p) {
  return std::string(store::AccountRoleName(p.role)) + " '" + p.name + "'";
}

// Names the things a Changes refers to, whether they are in the State or new in the
// Changes (whose ids continue the State's).
class Namer {
 public:
  Namer(const Changes& c, const engine::State& s) : c_(c), s_(s) {}

  std::string Hierarchy(HierarchyId id) const {
    if (id >= 0 && static_cast<size_t>(id) < s_.hierarchies().size()) {
      return s_.hierarchies()[static_cast<size_t>(id)].code;
    }
    if (const auto* h = New(c_.new_hierarchies, id, s_.hierarchies().size())) return h->code;
    return "#" + std::to_string(id);
  }
  std::string Group(GroupId id) const {
    if (id >= 0 && static_cast<size_t>(id) < s_.groups().size()) {
      const chollima::Group& g = s_.groups()[static_cast<size_t>(id)];
      return Hierarchy(g.hierarchy) + "/" + g.code;
    }
    if (const auto* g = New(c_.new_groups, id, s_.groups().size())) {
      return Hierarchy(g->hierarchy) + "/" + g->code;
    }
    return "#" + std::to_string(id);
  }
  std::string Unit(UnitId id) const {
    if (id >= 0 && static_cast<size_t>(id) < s_.units().size()) {
      return s_.units()[static_cast<size_t>(id)].code;
    }
    if (const auto* u = New(c_.new_units, id, s_.units().size())) return u->code;
    return "#" + std::to_string(id);
  }
  std::string Indicator(IndicatorId id) const {
    if (id >= 0 && static_cast<size_t>(id) < s_.indicators().size()) {
      return s_.indicators()[static_cast<size_t>(id)].code;
    }
    if (const auto* i = New(c_.new_indicators, id, s_.indicators().size())) return i->code;
    return "#" + std::to_string(id);
  }
  std::string PlanTarget(const chollima::PlanTarget& t) const {
    return t.is_group ? "group " + Group(t.id) : "unit " + Unit(t.id);
  }
  std::string Plan(const chollima::Plan& p) const {
    return "the plan of " + PlanTarget(p.target) + " for " + Indicator(p.indicator) + " in " +
           FormatPeriod(p.period);
  }
  std::string Report(const chollima::Report& r) const {
    return "the report of unit " + Unit(r.unit) + " for " + Indicator(r.indicator) + " on " +
           FormatDate(r.date);
  }
  std::string Membership(const chollima::Membership& m) const {
    return "the membership of unit " + Unit(m.unit) + " in group " + Group(m.group) +
           (m.from == kBeginningOfTime ? std::string() : " from " + FormatDate(m.from));
  }

  // The new item of `items` with id `id`, given that new ids start at `existing`.
  template <typename T>
  static const T* New(const std::vector<T>& items, int32_t id, size_t existing) {
    if (id < 0 || static_cast<size_t>(id) < existing) return nullptr;
    const size_t i = static_cast<size_t>(id) - existing;
    return i < items.size() ? &items[i] : nullptr;
  }

 private:
  const Changes& c_;
  const engine::State& s_;
};

// The first item of `changes` that only an admin may write, described; empty when none.
std::string FirstAdminOnly(const Changes& c, const Namer& n) {
  if (!c.new_hierarchies.empty()) return "new hierarchy '" + c.new_hierarchies[0].code + "'";
  if (!c.new_indicators.empty()) return "new indicator '" + c.new_indicators[0].code + "'";
  if (!c.changed_indicators.empty()) {
    return "indicator '" + n.Indicator(c.changed_indicators[0].first) + "'";
  }
  if (!c.profiles.empty()) return "profile '" + c.profiles[0].code + "'";
  if (c.calendar) return "the calendar";
  return {};
}

// The first item that is neither a report nor a report key, described; empty when none.
std::string FirstNonReport(const Changes& c, const Namer& n) {
  if (std::string admin = FirstAdminOnly(c, n); !admin.empty()) return admin;
  if (!c.new_groups.empty()) {
    return "new group " + n.Hierarchy(c.new_groups[0].hierarchy) + "/" + c.new_groups[0].code;
  }
  if (!c.changed_groups.empty()) return "group " + n.Group(c.changed_groups[0].first);
  if (!c.new_units.empty()) return "new unit " + c.new_units[0].code;
  if (!c.changed_units.empty()) return "unit " + n.Unit(c.changed_units[0].first);
  if (!c.memberships.empty()) return n.Membership(c.memberships[0]);
  if (!c.plans.empty()) return n.Plan(c.plans[0]);
  if (!c.new_drives.empty()) return "new drive " + c.new_drives[0].code;
  if (!c.drive_results.empty()) return "the results of a drive's season";
  if (!c.standards.empty()) return "a standard";
  if (!c.outlier_reviews.empty()) return "an outlier review";
  if (!c.models.empty()) return "a model designation";
  if (!c.follower_choices.empty()) return "a follower's choice of model";
  if (!c.pair_rules.empty()) return "a learning pair rule";
  if (!c.pairs.empty()) return "a learning pair";
  return {};
}

// What a planner may touch: its subtree, over the State and the new groups, units and
// memberships of the Changes.
class Subtree {
 public:
  Subtree(const Principal& p, const Changes& c, const engine::State& s) : p_(p), c_(c), s_(s) {}

  bool ContainsGroup(GroupId g) const {
    if (p_.group == kNoId || g < 0) return false;
    if (static_cast<size_t>(g) < s_.groups().size()) return s_.IsWithin(g, p_.group);
    const auto* fresh = Namer::New(c_.new_groups, g, s_.groups().size());
    // A new group is inside when its parent is; parents come before children, so the
    // parent's id is smaller (anything else is outside, which also ends any loop).
    if (fresh == nullptr || fresh->parent == kNoId || fresh->parent >= g) return false;
    return ContainsGroup(fresh->parent);
  }

  bool IsNewUnit(UnitId u) const { return Namer::New(c_.new_units, u, s_.units().size()); }

  // The unit's latest membership in the scope hierarchy is in the subtree (the State's
  // memberships only: where the unit is before these changes).
  bool ContainsUnitNow(UnitId u) const {
    if (u < 0 || static_cast<size_t>(u) >= s_.units().size()) return false;
    GroupId latest = kNoId;
    for (const chollima::Membership& m : s_.MembershipsOf(u)) {
      if (m.hierarchy == p_.hierarchy) latest = m.group;  // ordered by (hierarchy, from)
    }
    return latest != kNoId && ContainsGroup(latest);
  }

  // The unit is in the subtree on `day`, counting the memberships of the Changes (which
  // win over the State's with the same start).
  bool ContainsUnitOn(UnitId u, Date day) const {
    GroupId group = kNoId;
    Date from = kBeginningOfTime;
    bool found = false;
    if (u >= 0 && static_cast<size_t>(u) < s_.units().size()) {
      for (const chollima::Membership& m : s_.MembershipsOf(u)) {
        if (m.hierarchy != p_.hierarchy || m.from > day) continue;
        if (!found || m.from >= from) {
          group = m.group;
          from = m.from;
          found = true;
        }
      }
    }
    for (const chollima::Membership& m : c_.memberships) {
      if (m.unit != u || m.hierarchy != p_.hierarchy || m.from > day) continue;
      if (!found || m.from >= from) {
        group = m.group;
        from = m.from;
        found = true;
      }
    }
    return found && ContainsGroup(group);
  }

 private:
  const Principal& p_;
  const Changes& c_;
  const engine::State& s_;
};

std::string UnitList(const Principal& p) {
  if (p.unit_codes.empty()) return "no units";
  std::string out = p.unit_codes.size() == 1 ? "unit " : "units ";
  for (size_t i = 0; i < p.unit_codes.size() && i < kUnitsNamed; ++i) {
    if (i > 0) out += ", ";
    out += p.unit_codes[i];
  }
  if (p.unit_codes.size() > kUnitsNamed) {
    out += " and " + std::to_string(p.unit_codes.size() - kUnitsNamed) + " more";
  }
  return out;
}

Status CheckReports(const Principal& p, std::span<const Report> reports, const Namer& n) {
  for (const Report& r : reports) {
    if (!std::binary_search(p.units.begin(), p.units.end(), r.unit)) {
      return PermissionDenied(Who(p) + " may report only for " + UnitList(p) + "; " + n.Report(r) +
                              " is for another unit");
    }
  }
  return OkStatus();
}

Status CheckReporter(const Principal& p, const Changes& c, const Namer& n) {
  if (std::string other = FirstNonReport(c, n); !other.empty()) {
    return PermissionDenied(Who(p) + " may only send reports for " + UnitList(p) + "; " + other +
                            " is not a report");
  }
  CHOLLIMA_RETURN_IF_ERROR(CheckReports(p, c.reports, n));
  for (const ReportKey& k : c.report_keys) {
    if (!std::binary_search(p.units.begin(), p.units.end(), k.report.unit)) {
      return PermissionDenied(Who(p) + " may report only for " + UnitList(p) + "; " +
                              n.Report(k.report) + " (key '" + k.key + "') is for another unit");
    }
  }
  return OkStatus();
}

Status CheckPlanner(const Principal& p, const Changes& c, const engine::State& s, const Namer& n) {
  if (std::string admin = FirstAdminOnly(c, n); !admin.empty()) {
    return PermissionDenied(Who(p) + " may not change " + admin +
                            ": hierarchies, indicators, profiles and the calendar are for admins");
  }
  if (!c.reports.empty() || !c.report_keys.empty()) {
    const Report& r = !c.reports.empty() ? c.reports[0] : c.report_keys[0].report;
    return PermissionDenied(Who(p) + " may not send reports (reporters and admins do); " +
                            n.Report(r) + " is one");
  }
  if (p.hierarchy == kNoId || p.group == kNoId) {
    return PermissionDenied(Who(p) + " has scope " + p.scope_hierarchy + "/" + p.scope_group +
                            ", which does not exist; an admin must give the account a scope");
  }
  const std::string scope =
      Who(p) + " may change only group " + n.Group(p.group) + " and what lies below it; ";
  const Subtree tree(p, c, s);
  const auto first_new_group = static_cast<GroupId>(s.groups().size());
  for (size_t i = 0; i < c.new_groups.size(); ++i) {
    const Group& g = c.new_groups[i];
    const GroupId id = first_new_group + static_cast<GroupId>(i);
    if (g.parent == kNoId) {
      return PermissionDenied(scope + "new group " + n.Group(id) +
                              " would be a root group, outside it");
    }
    if (!tree.ContainsGroup(g.parent)) {
      return PermissionDenied(scope + "new group " + n.Group(id) + " has parent " +
                              n.Group(g.parent) + ", outside it");
    }
  }
  for (const auto& [id, g] : c.changed_groups) {
    if (id == p.group) {
      return PermissionDenied(scope + "group " + n.Group(id) +
                              " is the scope group itself, which only an admin may change");
    }
    if (!tree.ContainsGroup(id)) {
      return PermissionDenied(scope + "group " + n.Group(id) + " is outside it");
    }
    if (g.parent == kNoId || !tree.ContainsGroup(g.parent)) {
      return PermissionDenied(scope + "group " + n.Group(id) + " would move to " +
                              (g.parent == kNoId ? "the root" : n.Group(g.parent)) +
                              ", outside it");
    }
  }
  const auto first_new_unit = static_cast<UnitId>(s.units().size());
  for (size_t i = 0; i < c.new_units.size(); ++i) {
    const UnitId id = first_new_unit + static_cast<UnitId>(i);
    const bool placed = std::any_of(c.memberships.begin(), c.memberships.end(), [&](const auto& m) {
      return m.unit == id && m.hierarchy == p.hierarchy && tree.ContainsGroup(m.group);
    });
    if (!placed) {
      return PermissionDenied(scope + "new unit " + c.new_units[i].code +
                              " has no membership in a group of it");
    }
  }
  for (const auto& [id, u] : c.changed_units) {
    if (!tree.ContainsUnitNow(id)) {
      return PermissionDenied(scope + "unit " + n.Unit(id) + " is outside it");
    }
  }
  for (const Membership& m : c.memberships) {
    if (m.hierarchy != p.hierarchy || !tree.ContainsGroup(m.group)) {
      return PermissionDenied(scope + n.Membership(m) + " puts it in a group outside it");
    }
    if (!tree.IsNewUnit(m.unit) && !tree.ContainsUnitNow(m.unit)) {
      return PermissionDenied(scope + n.Membership(m) + " moves a unit from outside it");
    }
  }
  for (const Plan& plan : c.plans) {
    const bool inside = plan.target.is_group
                            ? tree.ContainsGroup(plan.target.id)
                            : tree.ContainsUnitOn(plan.target.id, plan.period.begin);
    if (!inside) {
      return PermissionDenied(scope + n.Plan(plan) + " is for " + n.PlanTarget(plan.target) +
                              (plan.target.is_group
                                   ? ", outside it"
                                   : ", which is outside it on " + FormatDate(plan.period.begin)));
    }
  }
  // Emulation: drives and standards of the subtree, reviews of its units.
  const auto drive_inside = [&](const Drive& d) {
    return d.participants.within != kNoId && tree.ContainsGroup(d.participants.within);
  };
  for (const Drive& d : c.new_drives) {
    if (!drive_inside(d)) {
      return PermissionDenied(scope + "new drive " + d.code +
                              " must be limited to participants within it (participants "
                              "within a group of it)");
    }
  }
  for (const DriveResult& r : c.drive_results) {
    const bool known = r.drive >= 0 && static_cast<size_t>(r.drive) < s.drives().size();
    if (!known || !drive_inside(s.drives()[static_cast<size_t>(r.drive)])) {
      return PermissionDenied(scope + "the drive whose season is finalized reaches beyond it");
    }
  }
  for (const Standard& st : c.standards) {
    if (st.peer_group == kNoId || !tree.ContainsGroup(st.peer_group)) {
      return PermissionDenied(
          scope + "a standard of " +
          (st.peer_group == kNoId ? std::string("all units") : n.Group(st.peer_group)) +
          " is outside it");
    }
  }
  for (const OutlierReview& r : c.outlier_reviews) {
    if (!tree.ContainsUnitNow(r.unit)) {
      return PermissionDenied(scope + "the outlier review of unit " + n.Unit(r.unit) +
                              " is outside it");
    }
  }
  // Models and learning: models of its peer groups, choices and pairs of its units.
  for (const ModelDesignation& m : c.models) {
    if (m.peer_group == kNoId || !tree.ContainsGroup(m.peer_group)) {
      return PermissionDenied(
          scope + "a model of " +
          (m.peer_group == kNoId ? std::string("all units") : n.Group(m.peer_group)) +
          " is outside it");
    }
  }
  for (const FollowerChoice& f : c.follower_choices) {
    if (!tree.ContainsUnitNow(f.follower)) {
      return PermissionDenied(scope + "unit " + n.Unit(f.follower) + " is outside it");
    }
  }
  for (const PairRule& r : c.pair_rules) {
    if (!tree.ContainsUnitNow(r.learner)) {
      return PermissionDenied(scope + "learner " + n.Unit(r.learner) + " is outside it");
    }
  }
  for (const LearningPair& pair : c.pairs) {
    if (!tree.ContainsUnitNow(pair.learner)) {
      return PermissionDenied(scope + "learner " + n.Unit(pair.learner) + " is outside it");
    }
  }
  return OkStatus();
}

}  // namespace

Principal ResolvePrincipal(const store::Account& account, const engine::State& state) {
  Principal p{.account = account.id,
              .name = account.name,
              .role = account.role,
              .scope_hierarchy = account.scope_hierarchy,
              .scope_group = account.scope_group,
              .unit_codes = account.units};
  if (account.role == AccountRole::kPlanner) {
    if (auto h = state.FindHierarchy(account.scope_hierarchy)) {
      p.hierarchy = *h;
      if (auto g = state.FindGroup(*h, account.scope_group)) p.group = *g;
    }
  }
  for (const std::string& code : account.units) {
    if (auto u = state.FindUnit(code)) p.units.push_back(*u);
  }
  std::sort(p.units.begin(), p.units.end());
  return p;
}

Status AuthorizeChanges(const Principal& who, const Changes& changes, const engine::State& state) {
  const Namer namer(changes, state);
  switch (who.role) {
    case AccountRole::kAdmin:
      return OkStatus();
    case AccountRole::kPlanner:
      return CheckPlanner(who, changes, state, namer);
    case AccountRole::kReporter:
      return CheckReporter(who, changes, namer);
    case AccountRole::kViewer:
      break;
  }
  return PermissionDenied(Who(who) + " may not change anything (viewers only read)");
}

Status AuthorizeReports(const Principal& who, std::span<const Report> reports,
                        const engine::State& state) {
  if (reports.empty() && who.role != AccountRole::kViewer) return OkStatus();
  Changes none;
  const Namer namer(none, state);
  switch (who.role) {
    case AccountRole::kAdmin:
      return OkStatus();
    case AccountRole::kReporter:
      return CheckReports(who, reports, namer);
    case AccountRole::kPlanner:
      return PermissionDenied(Who(who) + " may not send reports (reporters and admins do); " +
                              namer.Report(reports.front()) + " is one");
    case AccountRole::kViewer:
      break;
  }
  return PermissionDenied(Who(who) + " may not change anything (viewers only read)");
}

Status RequireRole(const Principal& who, AccountRole minimum) {
  if (static_cast<int>(who.role) >= static_cast<int>(minimum)) return OkStatus();
  return PermissionDenied(Who(who) + " may not do this; it needs the " +
                          store::AccountRoleName(minimum) + " role" +
                          (minimum == AccountRole::kAdmin ? "" : " or above"));
}

}  // namespace chollima::auth
