#include "auth/authorize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "auth/account_spec.h"

namespace chollima::auth {
namespace {

using ::testing::HasSubstr;

// region: P1 > P1-C1, P2 > P2-C1; sector: coal.
constexpr HierarchyId kRegion = 0;
constexpr HierarchyId kSector = 1;
constexpr GroupId kP1 = 0;
constexpr GroupId kP1C1 = 1;
constexpr GroupId kP2 = 2;
constexpr GroupId kP2C1 = 3;
constexpr GroupId kCoal = 4;
constexpr GroupId kFirstNewGroup = 5;
// M1 in P1-C1; M2 directly in P1; M3 in P2-C1; M4 moves from P2-C1 into P1-C1 on
// 2026-07-01; M5 moves from P1-C1 out to P2-C1 on 2026-07-01.
constexpr UnitId kM1 = 0;
constexpr UnitId kM2 = 1;
constexpr UnitId kM3 = 2;
constexpr UnitId kM4 = 3;
constexpr UnitId kM5 = 4;
constexpr UnitId kFirstNewUnit = 5;
constexpr IndicatorId kCoalOutput = 0;

Date July() { return Date::FromCivil(2026, 7, 1); }

Period P(const char* text) {
  auto p = ParsePeriod(text);
  EXPECT_TRUE(p.ok()) << text;
  return p.ok() ? *p : Period{};
}

engine::State Economy() {
  engine::State s;
  s.AddHierarchy({"region"});
  s.AddHierarchy({"sector"});
  s.AddGroup({.hierarchy = kRegion, .code = "P1", .name = "Province 1"});
  s.AddGroup({.hierarchy = kRegion, .code = "P1-C1", .name = "County", .parent = kP1});
  s.AddGroup({.hierarchy = kRegion, .code = "P2", .name = "Province 2"});
  s.AddGroup({.hierarchy = kRegion, .code = "P2-C1", .name = "County", .parent = kP2});
  s.AddGroup({.hierarchy = kSector, .code = "coal", .name = "Coal"});
  for (const char* code : {"M1", "M2", "M3", "M4", "M5"}) s.AddUnit({code, code});
  s.AddMembership({kM1, kRegion, kP1C1, kBeginningOfTime});
  s.AddMembership({kM1, kSector, kCoal, kBeginningOfTime});
  s.AddMembership({kM2, kRegion, kP1, kBeginningOfTime});
  s.AddMembership({kM3, kRegion, kP2C1, kBeginningOfTime});
  s.AddMembership({kM4, kRegion, kP2C1, kBeginningOfTime});
  s.AddMembership({kM4, kRegion, kP1C1, July()});
  s.AddMembership({kM5, kRegion, kP1C1, kBeginningOfTime});
  s.AddMembership({kM5, kRegion, kP2C1, July()});
  s.AddIndicator({.code = "coal", .name = "Coal output", .measure = "t"});
  s.AddProfile({"winter", {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}});
  return s;
}

Principal Resolve(store::Account a) {
  static const engine::State state = Economy();
  return ResolvePrincipal(a, state);
}

Principal Admin() { return Resolve({.id = 1, .name = "root", .role = AccountRole::kAdmin}); }
Principal Viewer() { return Resolve({.id = 2, .name = "vic", .role = AccountRole::kViewer}); }
Principal Reporter() {
  return Resolve({.id = 3, .name = "kim", .role = AccountRole::kReporter, .units = {"M1", "M2"}});
}
Principal Planner() {
  return Resolve({.id = 4,
                  .name = "ann",
                  .role = AccountRole::kPlanner,
                  .scope_hierarchy = "region",
                  .scope_group = "P1"});
}

Report ReportOf(UnitId u) { return {u, kCoalOutput, Date::FromCivil(2026, 1, 5), 10}; }
Plan PlanOf(PlanTarget t, const char* period) { return {t, kCoalOutput, P(period), 100}; }
Group NewGroup(const char* code, GroupId parent, HierarchyId h = kRegion) {
  return {.hierarchy = h, .code = code, .name = code, .parent = parent};
}

// One change of every kind, each named for the tables below.
struct Case {
  const char* name;
  std::function<void(Changes&)> make;
  const char* fragment = "";  // expected in the message when denied
};

Changes Make(const Case& c) {
  Changes changes;
  c.make(changes);
  return changes;
}

void ExpectDenied(const Status& s, const std::string& fragment, const std::string& name) {
  ASSERT_FALSE(s.ok()) << name;
  EXPECT_EQ(s.error().code, ErrorCode::kPermissionDenied) << name;
  EXPECT_THAT(s.error().message, HasSubstr(fragment)) << name;
}

// Changes that only an admin may make.
const std::vector<Case> kAdminOnly = {
    {"new hierarchy", [](Changes& c) { c.new_hierarchies = {{"ministry"}}; }, "hierarchy"},
    {"new indicator", [](Changes& c) { c.new_indicators = {{.code = "ore", .name = "Ore"}}; },
     "indicator 'ore'"},
    {"changed indicator",
     [](Changes& c) {
       c.changed_indicators = {{kCoalOutput, {.code = "coal", .name = "Coal (t)"}}};
     },
     "indicator 'coal'"},
    {"profile",
     [](Changes& c) {
       c.profiles = {{"summer", {}}};
     },
     "profile 'summer'"},
    {"calendar", [](Changes& c) { c.calendar = WorkCalendar{}; }, "the calendar"},
};

// Structure and plans of the planner's own subtree.
const std::vector<Case> kPlannerAllowed = {
    {"new group under the scope group",
     [](Changes& c) { c.new_groups = {NewGroup("P1-C2", kP1)}; }},
    {"new group deeper", [](Changes& c) { c.new_groups = {NewGroup("P1-C1-X", kP1C1)}; }},
    {"new groups under a new group",
     [](Changes& c) {
       c.new_groups = {NewGroup("P1-C3", kP1), NewGroup("P1-C3-X", kFirstNewGroup)};
     }},
    {"renamed group below the scope group",
     [](Changes& c) {
       c.changed_groups = {{kP1C1, NewGroup("P1-C1", kP1)}};
     }},
    {"new unit placed in the subtree",
     [](Changes& c) {
       c.new_units = {{"M9", "Mine 9"}};
       c.memberships = {{kFirstNewUnit, kRegion, kP1C1, kBeginningOfTime}};
     }},
    {"new unit placed in a new group",
     [](Changes& c) {
       c.new_groups = {NewGroup("P1-C4", kP1)};
       c.new_units = {{"M9", "Mine 9"}};
       c.memberships = {{kFirstNewUnit, kRegion, kFirstNewGroup, kBeginningOfTime}};
     }},
    {"changed unit",
     [](Changes& c) {
       c.changed_units = {{kM1, {"M1", "Mine One"}}};
     }},
    {"changed unit directly in the scope group",
     [](Changes& c) {
       c.changed_units = {{kM2, {"M2", "Mine Two"}}};
     }},
    {"changed unit that moved in",
     [](Changes& c) {
       c.changed_units = {{kM4, {"M4", "Four"}}};
     }},
    {"unit moved within the subtree",
     [](Changes& c) {
       c.memberships = {{kM1, kRegion, kP1, Date::FromCivil(2026, 8, 1)}};
     }},
    {"plan of a unit",
     [](Changes& c) {
       c.plans = {PlanOf({false, kM1}, "2026")};
     }},
    {"plan of a unit after it moved in",
     [](Changes& c) {
       c.plans = {PlanOf({false, kM4}, "2026-Q3")};
     }},
    {"plan of a unit before it moved out",
     [](Changes& c) {
       c.plans = {PlanOf({false, kM5}, "2026")};
     }},
    {"plan of the scope group",
     [](Changes& c) {
       c.plans = {PlanOf({true, kP1}, "2026")};
     }},
    {"plan of a group below",
     [](Changes& c) {
       c.plans = {PlanOf({true, kP1C1}, "2026-01")};
     }},
    {"plan of a new unit placed in the subtree",
     [](Changes& c) {
       c.new_units = {{"M9", "Mine 9"}};
       c.memberships = {{kFirstNewUnit, kRegion, kP1C1, kBeginningOfTime}};
       c.plans = {PlanOf({false, kFirstNewUnit}, "2026")};
     }},
};

const std::vector<Case> kPlannerDenied = {
    {"new root group", [](Changes& c) { c.new_groups = {NewGroup("P3", kNoId)}; },
     "planner 'ann' may change only group region/P1 and what lies below it; new group "
     "region/P3 would be a root group, outside it"},
    {"new group under another province",
     [](Changes& c) { c.new_groups = {NewGroup("P2-C2", kP2)}; },
     "new group region/P2-C2 has parent region/P2, outside it"},
    {"new group in another hierarchy",
     [](Changes& c) { c.new_groups = {NewGroup("coal-a", kCoal, kSector)}; },
     "has parent sector/coal, outside it"},
    {"renamed scope group",
     [](Changes& c) {
       c.changed_groups = {{kP1, NewGroup("P1", kNoId)}};
     },
     "group region/P1 is the scope group itself"},
    {"renamed group elsewhere",
     [](Changes& c) {
       c.changed_groups = {{kP2C1, NewGroup("P2-C1", kP2)}};
     },
     "group region/P2-C1 is outside it"},
    {"new unit without a membership",
     [](Changes& c) {
       c.new_units = {{"M9", "Mine 9"}};
     },
     "new unit M9 has no membership in a group of it"},
    {"new unit placed elsewhere",
     [](Changes& c) {
       c.new_units = {{"M9", "Mine 9"}};
       c.memberships = {{kFirstNewUnit, kRegion, kP2, kBeginningOfTime}};
     },
     "new unit M9 has no membership in a group of it"},
    {"new unit also placed in another hierarchy",
     [](Changes& c) {
       c.new_units = {{"M9", "Mine 9"}};
       c.memberships = {{kFirstNewUnit, kRegion, kP1C1, kBeginningOfTime},
                        {kFirstNewUnit, kSector, kCoal, kBeginningOfTime}};
     },
     "the membership of unit M9 in group sector/coal puts it in a group outside it"},
    {"changed unit elsewhere",
     [](Changes& c) {
       c.changed_units = {{kM3, {"M3", "Three"}}};
     },
     "unit M3 is outside it"},
    {"changed unit that moved out",
     [](Changes& c) {
       c.changed_units = {{kM5, {"M5", "Five"}}};
     },
     "unit M5 is outside it"},
    {"unit moved in from outside",
     [](Changes& c) {
       c.memberships = {{kM3, kRegion, kP1C1, Date::FromCivil(2026, 8, 1)}};
     },
     "the membership of unit M3 in group region/P1-C1 from 2026-08-01 moves a unit from "
     "outside it"},
    {"unit moved out",
     [](Changes& c) {
       c.memberships = {{kM1, kRegion, kP2, Date::FromCivil(2026, 8, 1)}};
     },
     "in group region/P2 from 2026-08-01 puts it in a group outside it"},
    {"plan of a unit elsewhere",
     [](Changes& c) {
       c.plans = {PlanOf({false, kM3}, "2026")};
     },
     "the plan of unit M3 for coal in 2026 is for unit M3, which is outside it on 2026-01-01"},
    {"plan of a unit before it moved in",
     [](Changes& c) {
       c.plans = {PlanOf({false, kM4}, "2026")};
     },
     "unit M4, which is outside it on 2026-01-01"},
    {"plan of a unit after it moved out",
     [](Changes& c) {
       c.plans = {PlanOf({false, kM5}, "2026-Q3")};
     },
     "unit M5, which is outside it on 2026-07-01"},
    {"plan of another province",
     [](Changes& c) {
       c.plans = {PlanOf({true, kP2}, "2026")};
     },
     "is for group region/P2, outside it"},
    {"plan of a sector",
     [](Changes& c) {
       c.plans = {PlanOf({true, kCoal}, "2026")};
     },
     "group sector/coal, outside it"},
    {"report of a unit in the subtree", [](Changes& c) { c.reports = {ReportOf(kM1)}; },
     "planner 'ann' may not send reports (reporters and admins do); the report of unit M1 for "
     "coal on 2026-01-05 is one"},
    {"report key",
     [](Changes& c) {
       c.report_keys = {{"k1", ReportOf(kM1)}};
     },
     "may not send reports"},
};

TEST(Authorize, AdminMayWriteEverything) {
  const engine::State s = Economy();
  for (const auto* table : {&kAdminOnly, &kPlannerAllowed, &kPlannerDenied}) {
    for (const Case& c : *table) {
      EXPECT_TRUE(AuthorizeChanges(Admin(), Make(c), s).ok()) << c.name;
    }
  }
  Changes reports;
  reports.reports = {ReportOf(kM3)};
  EXPECT_TRUE(AuthorizeChanges(Admin(), reports, s).ok());
  EXPECT_TRUE(AuthorizeChanges(Admin(), Changes{}, s).ok());
}

TEST(Authorize, ViewerMayWriteNothing) {
  const engine::State s = Economy();
  for (const auto* table : {&kAdminOnly, &kPlannerAllowed, &kPlannerDenied}) {
    for (const Case& c : *table) {
      ExpectDenied(AuthorizeChanges(Viewer(), Make(c), s), "viewer 'vic' may not change anything",
                   c.name);
    }
  }
  ExpectDenied(AuthorizeChanges(Viewer(), Changes{}, s), "viewers only read", "nothing");
}

TEST(Authorize, ReporterMayReportForItsOwnUnits) {
  const engine::State s = Economy();
  Changes own;
  own.reports = {ReportOf(kM1), ReportOf(kM2), ReportOf(kM1)};
  own.report_keys = {{"k1", ReportOf(kM1)}, {"k2", ReportOf(kM2)}};
  EXPECT_TRUE(AuthorizeChanges(Reporter(), own, s).ok());
  EXPECT_TRUE(AuthorizeChanges(Reporter(), Changes{}, s).ok());
}

TEST(Authorize, ReporterMayNotReportForOtherUnits) {
  const engine::State s = Economy();
  Changes other;
  other.reports = {ReportOf(kM1), ReportOf(kM3)};
  const Status status = AuthorizeChanges(Reporter(), other, s);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(status.error().message,
            "reporter 'kim' may report only for units M1, M2; the report of unit M3 for coal on "
            "2026-01-05 is for another unit");
  Changes key;
  key.report_keys = {{"k9", ReportOf(kM4)}};
  ExpectDenied(AuthorizeChanges(Reporter(), key, s), "unit M4 for coal on 2026-01-05 (key 'k9')",
               "key");
}

TEST(Authorize, ReporterMaySendNothingButReports) {
  const engine::State s = Economy();
  for (const auto* table : {&kAdminOnly, &kPlannerAllowed}) {
    for (const Case& c : *table) {
      ExpectDenied(AuthorizeChanges(Reporter(), Make(c), s),
                   "reporter 'kim' may only send reports for units M1, M2; ", c.name);
    }
  }
  Changes plan;
  plan.plans = {PlanOf({false, kM1}, "2026")};
  ExpectDenied(AuthorizeChanges(Reporter(), plan, s),
               "the plan of unit M1 for coal in 2026 is not a report", "plan");
  Changes unit;
  unit.changed_units = {{kM1, {"M1", "One"}}};
  ExpectDenied(AuthorizeChanges(Reporter(), unit, s), "unit M1 is not a report", "unit");
}

TEST(Authorize, PlannerMayChangeItsSubtree) {
  const engine::State s = Economy();
  for (const Case& c : kPlannerAllowed) {
    const Status status = AuthorizeChanges(Planner(), Make(c), s);
    EXPECT_TRUE(status.ok()) << c.name << ": " << status.error().message;
  }
}

TEST(Authorize, PlannerMayNotChangeOutsideItsSubtreeNorReport) {
  const engine::State s = Economy();
  for (const Case& c : kPlannerDenied) {
    ExpectDenied(AuthorizeChanges(Planner(), Make(c), s), c.fragment, c.name);
  }
}

TEST(Authorize, PlannerMayNotChangeWhatIsForAdmins) {
  const engine::State s = Economy();
  for (const Case& c : kAdminOnly) {
    ExpectDenied(AuthorizeChanges(Planner(), Make(c), s),
                 "hierarchies, indicators, profiles and the calendar are for admins", c.name);
    ExpectDenied(AuthorizeChanges(Planner(), Make(c), s), c.fragment, c.name);
  }
}

TEST(Authorize, TheFirstOffendingItemIsNamed) {
  const engine::State s = Economy();
  Changes c;
  c.new_groups = {NewGroup("P1-C2", kP1)};
  c.plans = {PlanOf({false, kM1}, "2026"), PlanOf({false, kM3}, "2026-01"),
             PlanOf({true, kP2}, "2026")};
  ExpectDenied(AuthorizeChanges(Planner(), c, s), "the plan of unit M3 for coal in 2026-01",
               "first");
}

TEST(Authorize, PlannerWhoseScopeDoesNotResolveMayChangeNothing) {
  const engine::State s = Economy();
  const Principal lost = Resolve({.name = "bob",
                                  .role = AccountRole::kPlanner,
                                  .scope_hierarchy = "region",
                                  .scope_group = "P9"});
  EXPECT_EQ(lost.group, kNoId);
  for (const Case& c : kPlannerAllowed) {
    ExpectDenied(AuthorizeChanges(lost, Make(c), s),
                 "planner 'bob' has scope region/P9, which does not exist", c.name);
  }
}

TEST(Authorize, ResolvePrincipalFindsScopeAndUnits) {
  const Principal ann = Planner();
  EXPECT_EQ(ann.account, 4);
  EXPECT_EQ(ann.hierarchy, kRegion);
  EXPECT_EQ(ann.group, kP1);
  const Principal kim =
      Resolve({.name = "kim", .role = AccountRole::kReporter, .units = {"M3", "M1", "gone"}});
  EXPECT_EQ(kim.units, (std::vector<UnitId>{kM1, kM3}));
  EXPECT_EQ(kim.unit_codes.size(), 3u);  // kept for messages
}

TEST(AccountSpec, ScopeAndUnitsMustExist) {
  const engine::State s = Economy();
  EXPECT_TRUE(CheckAccountSpec({.name = "ann",
                                .role = AccountRole::kPlanner,
                                .scope_hierarchy = "region",
                                .scope_group = "P1-C1"},
                               s)
                  .ok());
  EXPECT_TRUE(
      CheckAccountSpec({.name = "kim", .role = AccountRole::kReporter, .units = {"M1", "M5"}}, s)
          .ok());
  EXPECT_TRUE(CheckAccountSpec({.name = "root", .role = AccountRole::kAdmin}, s).ok());
  const std::vector<std::pair<store::AccountSpec, std::string>> bad = {
      {{.scope_hierarchy = "ministry", .scope_group = "P1"}, "scope: no hierarchy 'ministry'"},
      {{.scope_hierarchy = "region", .scope_group = "coal"},
       "scope: no group 'coal' in hierarchy 'region'"},
      {{.units = {"M1", "M9"}}, "units: no unit 'M9'"},
  };
  for (const auto& [spec, message] : bad) {
    const Status status = CheckAccountSpec(spec, s);
    ASSERT_FALSE(status.ok()) << message;
    EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(status.error().message, message);
  }
}

TEST(Authorize, LongUnitListsAreShortenedInMessages) {
  const engine::State s = Economy();
  std::vector<std::string> codes;
  for (int i = 0; i < 12; ++i) codes.push_back("X" + std::to_string(i));
  const Principal many = Resolve({.name = "kim", .role = AccountRole::kReporter, .units = codes});
  Changes c;
  c.reports = {ReportOf(kM1)};
  ExpectDenied(AuthorizeChanges(many, c, s),
               "units X0, X1, X2, X3, X4, X5, X6, X7, X8, X9 and 2 more", "many");
}

TEST(Authorize, ReportChunksAreCheckedAlike) {
  const engine::State s = Economy();
  const std::vector<Report> own = {ReportOf(kM1), ReportOf(kM2)};
  const std::vector<Report> other = {ReportOf(kM2), ReportOf(kM5)};
  EXPECT_TRUE(AuthorizeReports(Reporter(), own, s).ok());
  ExpectDenied(AuthorizeReports(Reporter(), other, s), "the report of unit M5", "other");
  EXPECT_TRUE(AuthorizeReports(Admin(), other, s).ok());
  ExpectDenied(AuthorizeReports(Planner(), own, s), "may not send reports", "planner");
  ExpectDenied(AuthorizeReports(Viewer(), own, s), "may not change anything", "viewer");
  ExpectDenied(AuthorizeReports(Viewer(), {}, s), "may not change anything", "viewer, none");
  EXPECT_TRUE(AuthorizeReports(Planner(), {}, s).ok());
}

TEST(Authorize, RequireRoleFollowsTheOrderOfRoles) {
  EXPECT_TRUE(RequireRole(Admin(), AccountRole::kAdmin).ok());
  EXPECT_TRUE(RequireRole(Planner(), AccountRole::kPlanner).ok());
  EXPECT_TRUE(RequireRole(Planner(), AccountRole::kReporter).ok());
  EXPECT_TRUE(RequireRole(Viewer(), AccountRole::kViewer).ok());
  const Status s = RequireRole(Planner(), AccountRole::kAdmin);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(s.error().message, "planner 'ann' may not do this; it needs the admin role");
  ExpectDenied(RequireRole(Viewer(), AccountRole::kReporter), "reporter role or above", "viewer");
}

}  // namespace
}  // namespace chollima::auth
