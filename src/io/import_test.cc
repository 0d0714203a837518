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
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
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
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  EXPECT_EQ(r.changes.reports[0].date, Date::FromCivil(2026, 3, 1));
  r = Parse(ImportKind::kReports, "unit,indicator,date,value\nU1,pw,2026-03-02,10\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("reported by month"));
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
  EXPECT_THAT(r.errors[0].message, HasSubstr("f.csv:3: column 5 'key': key 'a' is used on line 2"));
}

TEST_F(ImportTest, RatioOfARatioIsRefused) {
  ImportResult r = Parse(ImportKind::kIndicators,
                         "code,name,measure,direction,aggregation,role,numerator,denominator\n"
                         "x,X,,higher,sum,output,opw,out\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("is itself a ratio"));
}

TEST_F(ImportTest, RatioMayUsePartsDefinedLaterInTheSameFile) {
  ImportResult r = Parse(ImportKind::kIndicators,
                         "code,name,measure,direction,aggregation,role,numerator,denominator\n"
                         "eff,Eff,,higher,sum,output,a,b\na,A,,higher,sum,output,,\n"
                         "b,B,,higher,sum,input,,\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.changes.new_indicators.size(), 3u);
  EXPECT_EQ(r.changes.new_indicators[2].code, "eff");
  EXPECT_EQ(r.changes.new_indicators[2].numerator, 4);  // a: first new id after 4 existing
}

TEST_F(ImportTest, EnumErrorsListTheAllowedValues) {
  ImportResult r = Parse(ImportKind::kIndicators,
                         "code,name,measure,direction,aggregation,role\nx,X,,up,avg,boss\n");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("(higher, lower)"));
  EXPECT_THAT(r.errors[1].message, HasSubstr("(sum, mean, last, max)"));
  EXPECT_THAT(r.errors[2].message, HasSubstr("(output, input, quality)"));
}

TEST_F(ImportTest, GroupPlanTargetIsHierarchySlashGroup) {
  ImportResult r =
      Parse(ImportKind::kPlans,
            "target,indicator,period,value\nregion/P,out,2026Q1,5\nregion/Z,out,2026,1\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("f.csv:3: column 1 'target': unknown group 'Z'"));
}

TEST_F(ImportTest, PlansAcceptDhis2PeriodsAndMethods) {
  ImportResult r = Parse(ImportKind::kPlans,
                         "target,indicator,period,value,method\nU1,out,2026Q1,5,workdays\n"
                         "U1,out,202602,2,\nU1,out,2026W3,1,even\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  EXPECT_EQ(r.changes.plans[0].period.grain, Grain::kQuarter);
  EXPECT_EQ(r.changes.plans[0].method, SplitMethod::kWorkdays);
  EXPECT_EQ(r.changes.plans[2].period.grain, Grain::kWeek);
}

TEST_F(ImportTest, CalendarSetsRestWeekdaysAndExceptions) {
  ImportResult r = Parse(ImportKind::kCalendar,
                         "date,kind\nsat,rest\nsun,rest\n2026-05-01,holiday\n2026-05-03,workday\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
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
  EXPECT_THAT(r.errors[0].message, HasSubstr("no weight for month 3"));
}

TEST_F(ImportTest, HeaderIsCaseAndSpaceInsensitiveButRejectsUnknownColumns) {
  ImportResult r =
      Parse(ImportKind::kReports, " Unit ,INDICATOR,date,value\nU1,out,2026-01-01,1\n");
  EXPECT_TRUE(r.errors.empty());
  r = Parse(ImportKind::kReports, "unit,indicator,date,value,colour\nU1,out,2026-01-01,1,red\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "f.csv:1: column 5 'colour': unknown column");
}

TEST_F(ImportTest, ErrorsAreStructuredAndKeepTheirMessage) {
  ImportResult r = Parse(ImportKind::kReports,
                         "unit,indicator,date,value\nU1,out,2026-01-01,1\nU1,out,2026-01-02,12,5\n"
                         "U1,out,2026-01-03,x\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].column, 5u);
  EXPECT_EQ(r.errors[0].field, "");
  EXPECT_EQ(r.errors[0].reason, "has 5 fields; the header has 4");
  EXPECT_EQ(r.errors[0].message, "f.csv:3: column 5 '': has 5 fields; the header has 4");
  EXPECT_EQ(r.errors[1].line, 4);
  EXPECT_EQ(r.errors[1].column, 4u);
  EXPECT_EQ(r.errors[1].field, "value");
  EXPECT_EQ(r.errors[1].reason, "'x' is not a number (use digits, '.' for decimals)");
  EXPECT_EQ(r.errors[1].path, "");
  EXPECT_EQ(r.errors[1].message,
            "f.csv:4: column 4 'value': 'x' is not a number (use digits, '.' for decimals)");
  // A problem of the whole file: line 0, the missing column in `field`.
  r = Parse(ImportKind::kReports, "unit,indicator,date\nU1,out,2026-01-01\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 0);
  EXPECT_EQ(r.errors[0].column, 0u);
  EXPECT_EQ(r.errors[0].field, "value");
  EXPECT_EQ(r.errors[0].message, "f.csv: missing column 'value' in the header");
}

TEST_F(ImportTest, DescribeLineNamesTheOtherRecord) {
  CsvReader reader = CsvReader::FromString("f.csv", "code,name\nA,One\nB,Two\nA,Again\n");
  ImportOptions options;
  options.describe_line = [](int64_t line) { return "in record " + std::to_string(line - 1); };
  auto r = ParseImport(ImportKind::kUnits, reader, state_, {}, options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].message,
            "f.csv:4: column 1 'code': unit 'A' appears twice (also in record 1)");
}

// Regression: errors found after the rows were read named a fixed column (4 for a
// group's parent, 2 and 3 for a profile's month and weight, 1 and 7 for an indicator's
// code and parts) instead of the column the header gives it.
TEST_F(ImportTest, ErrorColumnsFollowTheHeaderOrderNotTheDocumentedOrder) {
  ImportResult r = Parse(ImportKind::kGroups, "parent,name,code,hierarchy\nnowhere,R,R,region\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "f.csv:2: column 1 'parent': unknown parent group 'nowhere' in hierarchy 'region'");
  r = Parse(ImportKind::kProfiles, "weight,profile,month\n0,w,1\n");
  ASSERT_GE(r.errors.size(), 2u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("f.csv:2: column 3 'month': profile 'w' has no"));
  EXPECT_THAT(r.errors.back().message,
              HasSubstr("f.csv:2: column 1 'weight': profile 'w' has no positive weight"));
  r = Parse(ImportKind::kIndicators,
            "code,name,measure,direction,aggregation,role,numerator,denominator\n"
            "x,X,,higher,sum,output,out,opw\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message,
              HasSubstr("f.csv:2: column 8 'denominator': 'opw' is itself a ratio"));
  r = Parse(ImportKind::kIndicators,
            "role,code,name,measure,direction,aggregation\noutput,out,O,,lower,sum\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message,
              HasSubstr("f.csv:2: column 2 'code': indicator 'out' exists with a different"));
}

}  // namespace
}  // namespace chollima::io
