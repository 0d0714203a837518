#include "io/import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chollima::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const HierarchyId h = state_.AddHierarchy({"region"});
    state_.AddGroup({.hierarchy = h, .code = "P", .name = "P"});
    state_.AddUnit({"U1", "Unit one", {}});
    state_.AddIndicator({.code = "out", .name = "Output"});
    state_.AddIndicator({.code = "wk", .name = "Workers", .aggregation = Aggregation::kMean});
    state_.AddIndicator({.code = "pw", .name = "Power", .grain = Grain::kMonth});
    state_.AddIndicator({.code = "opw", .name = "Per worker", .numerator = 0, .denominator = 1});
  }

  ImportResult Parse(ImportKind kind, std::string csv) {
    CsvReader reader = CsvReader::FromString("f.csv", std::move(csv));
    KeyLookup no_keys = [](const std::string&) {
      return Result<std::optional<Report>>(std::nullopt);
    };
    auto r = ParseImport(kind, reader, state_, no_keys, {});
    EXPECT_TRUE(r.ok());
    return std::move(*r);
  }

  engine::State state_;
};

TEST_F(ImportTest, UnitsTakeHierarchyColumnsAndNumericAttributes) {
  ImportResult r = Parse(ImportKind::kUnits, "code,name,region,capacity\nU2,Two,P,1.5e3\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_EQ(r.changes.new_units.size(), 1u);
  EXPECT_EQ(r.changes.new_units[0].attributes[0].second, 1500);
  ASSERT_EQ(r.changes.memberships.size(), 1u);
  EXPECT_EQ(r.changes.memberships[0].unit, 1);
  EXPECT_EQ(r.changes.memberships[0].from, kBeginningOfTime);
}

TEST_F(ImportTest, RenamingAUnitIsAnUpdate) {
  ImportResult r = Parse(ImportKind::kUnits, "code,name\nU1,Unit One Renamed\n");
  EXPECT_EQ(r.updated, 1);
  ASSERT_EQ(r.changes.changed_units.size(), 1u);
  EXPECT_EQ(r.changes.changed_units[0].first, 0);
}

TEST_F(ImportTest, MonthlyIndicatorTakesAMonthAsItsDate) {
  ImportResult r = Parse(ImportKind::kReports, "unit,indicator,date,value\nU1,pw,2026-03,10\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  EXPECT_EQ(r.changes.reports[0].date, Date::FromCivil(2026, 3, 1));
  r = Parse(ImportKind::kReports, "unit,indicator,date,value\nU1,pw,2026-03-02,10\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], HasSubstr("reported by month"));
}

TEST_F(ImportTest, RepeatedKeyInOneFileIsIgnoredWhenSameAndRefusedWhenDifferent) {
  ImportResult r = Parse(ImportKind::kReports,
                         "unit,indicator,date,value,key\nU1,out,2026-01-01,1,a\n"
                         "U1,out,2026-01-01,1,a\n");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.imported, 1);
  EXPECT_EQ(r.ignored, 1);
  r = Parse(ImportKind::kReports,
            "unit,indicator,date,value,key\nU1,out,2026-01-01,1,a\nU1,out,2026-01-02,1,a\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], HasSubstr("f.csv:3: column 5 'key': key 'a' is used on line 2"));
}

TEST_F(ImportTest, RatioOfARatioIsRefused) {
  ImportResult r = Parse(ImportKind::kIndicators,
                         "code,name,measure,direction,aggregation,role,numerator,denominator\n"
                         "x,X,,higher,sum,output,opw,out\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], HasSubstr("is itself a ratio"));
}

TEST_F(ImportTest, RatioMayUsePartsDefinedLaterInTheSameFile) {
  ImportResult r = Parse(ImportKind::kIndicators,
                         "code,name,measure,direction,aggregation,role,numerator,denominator\n"
                         "eff,Eff,,higher,sum,output,a,b\na,A,,higher,sum,output,,\n"
                         "b,B,,higher,sum,input,,\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_EQ(r.changes.new_indicators.size(), 3u);
  EXPECT_EQ(r.changes.new_indicators[2].code, "eff");
  EXPECT_EQ(r.changes.new_indicators[2].numerator, 4);  // a: first new id after 4 existing
}

TEST_F(ImportTest, EnumErrorsListTheAllowedValues) {
  ImportResult r = Parse(ImportKind::kIndicators,
                         "code,name,measure,direction,aggregation,role\nx,X,,up,avg,boss\n");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_THAT(r.errors[0], HasSubstr("(higher, lower)"));
  EXPECT_THAT(r.errors[1], HasSubstr("(sum, mean, last, max)"));
  EXPECT_THAT(r.errors[2], HasSubstr("(output, input, quality)"));
}

TEST_F(ImportTest, GroupPlanTargetIsHierarchySlashGroup) {
  ImportResult r =
      Parse(ImportKind::kPlans,
            "target,indicator,period,value\nregion/P,out,2026Q1,5\nregion/Z,out,2026,1\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], HasSubstr("f.csv:3: column 1 'target': unknown group 'Z'"));
}

TEST_F(ImportTest, PlansAcceptDhis2PeriodsAndMethods) {
  ImportResult r = Parse(ImportKind::kPlans,
                         "target,indicator,period,value,method\nU1,out,2026Q1,5,workdays\n"
                         "U1,out,202602,2,\nU1,out,2026W3,1,even\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  EXPECT_EQ(r.changes.plans[0].period.grain, Grain::kQuarter);
  EXPECT_EQ(r.changes.plans[0].method, SplitMethod::kWorkdays);
  EXPECT_EQ(r.changes.plans[2].period.grain, Grain::kWeek);
}

TEST_F(ImportTest, CalendarSetsRestWeekdaysAndExceptions) {
  ImportResult r = Parse(ImportKind::kCalendar,
                         "date,kind\nsat,rest\nsun,rest\n2026-05-01,holiday\n2026-05-03,workday\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0];
  ASSERT_TRUE(r.changes.calendar.has_value());
  EXPECT_TRUE(r.changes.calendar->rest_weekdays[5]);
  EXPECT_EQ(r.ignored, 1);  // Sunday rests by default
  EXPECT_THAT(r.changes.calendar->exceptions,
              ElementsAre(std::make_pair(Date::FromCivil(2026, 5, 1), false),
                          std::make_pair(Date::FromCivil(2026, 5, 3), true)));
}

TEST_F(ImportTest, ProfileNeedsAllTwelveMonths) {
  ImportResult r = Parse(ImportKind::kProfiles, "profile,month,weight\nw,1,3\nw,2,2\n");
  ASSERT_FALSE(r.errors.empty());
  EXPECT_THAT(r.errors[0], HasSubstr("no weight for month 3"));
}

TEST_F(ImportTest, HeaderIsCaseAndSpaceInsensitiveButRejectsUnknownColumns) {
  ImportResult r =
      Parse(ImportKind::kReports, " Unit ,INDICATOR,date,value\nU1,out,2026-01-01,1\n");
  EXPECT_TRUE(r.errors.empty());
  r = Parse(ImportKind::kReports, "unit,indicator,date,value,colour\nU1,out,2026-01-01,1,red\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "f.csv:1: column 5 'colour': unknown column");
}

}  // namespace
}  // namespace chollima::io
