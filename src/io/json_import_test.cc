#include "io/json_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/text.h"

namespace chollima::io {
namespace {

using ::testing::HasSubstr;

class JsonImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const HierarchyId h = state_.AddHierarchy({"region"});
    state_.AddGroup({.hierarchy = h, .code = "P", .name = "P"});
    state_.AddUnit({"U1", "Unit one", {}});
    state_.AddUnit({"M1", "천리마 탄광", {}});
    state_.AddIndicator({.code = "out", .name = "Output"});
    state_.AddIndicator({.code = "wk", .name = "Workers", .aggregation = Aggregation::kMean});
    state_.AddIndicator({.code = "pw", .name = "Power", .grain = Grain::kMonth});
    state_.AddIndicator({.code = "opw", .name = "Per worker", .numerator = 0, .denominator = 1});
    state_.AddIndicator({.code = "석탄", .name = "Coal"});
  }

  static Result<std::optional<Report>> Lookup(const std::string& key) {
    if (key == "stored") return std::optional<Report>(Report{0, 0, Date::FromCivil(2026, 1, 1), 1});
    return std::optional<Report>();
  }

  ImportResult Csv(ImportKind kind, std::string csv) {
    CsvReader reader = CsvReader::FromString("f.csv", std::move(csv));
    auto r = ParseImport(kind, reader, state_, Lookup, {});
    EXPECT_TRUE(r.ok());
    return std::move(*r);
  }

  ImportResult Json(ImportKind kind, std::string_view json, ImportOptions options = {}) {
    auto r = ParseJsonImport(kind, json, state_, Lookup, options);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? std::move(*r) : ImportResult{};
  }

  static std::vector<std::string> Messages(const ImportResult& r) {
    std::vector<std::string> out;
    for (const ImportError& e : r.errors) out.push_back(e.message);
    return out;
  }

  // The same Changes: applied to the State they give the same State, and they carry
  // the same client keys; the counts agree too.
  void ExpectSameImport(const ImportResult& json, const ImportResult& csv) {
    ASSERT_TRUE(csv.errors.empty()) << csv.errors[0].message;
    ASSERT_TRUE(json.errors.empty()) << json.errors[0].message;
    EXPECT_FALSE(csv.changes.empty());
    EXPECT_EQ(json.rows, csv.rows);
    EXPECT_EQ(json.imported, csv.imported);
    EXPECT_EQ(json.updated, csv.updated);
    EXPECT_EQ(json.ignored, csv.ignored);
    engine::State a = state_;
    engine::State b = state_;
    engine::ApplyChanges(json.changes, a);
    engine::ApplyChanges(csv.changes, b);
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(a == state_);
    ASSERT_EQ(json.changes.report_keys.size(), csv.changes.report_keys.size());
    for (size_t i = 0; i < csv.changes.report_keys.size(); ++i) {
      EXPECT_EQ(json.changes.report_keys[i].key, csv.changes.report_keys[i].key);
      EXPECT_EQ(json.changes.report_keys[i].report.value, csv.changes.report_keys[i].report.value);
    }
    ASSERT_EQ(json.changes.reports.size(), csv.changes.reports.size());
    for (size_t i = 0; i < csv.changes.reports.size(); ++i) {
      EXPECT_EQ(json.changes.reports[i].value, csv.changes.reports[i].value);
      EXPECT_EQ(json.changes.reports[i].date, csv.changes.reports[i].date);
    }
  }

  engine::State state_;
};

TEST_F(JsonImportTest, EveryKindThroughJsonEqualsTheSameDataThroughCsv) {
  ExpectSameImport(Json(ImportKind::kGroups, R"([
      {"hierarchy":"region","code":"P1","name":"South Phyongan","parent":null},
      {"hierarchy":"region","code":"P1-C1","name":"Sunchon","parent":"P1"},
      {"hierarchy":"sector","code":"coal","name":"Coal industry"}])"),
                   Csv(ImportKind::kGroups,
                       "hierarchy,code,name,parent\nregion,P1,South Phyongan,\n"
                       "region,P1-C1,Sunchon,P1\nsector,coal,Coal industry,\n"));
  ExpectSameImport(Json(ImportKind::kUnits, R"([
      {"code":"M2","name":"Sunchon \"Victory\" Mine","region":"P","capacity":1200},
      {"code":"M3","name":"천리마 탄광","capacity":"800.5"},
      {"code":"U1","name":"Unit one renamed","region":"P"}])"),
                   Csv(ImportKind::kUnits,
                       "code,name,region,capacity\nM2,\"Sunchon \"\"Victory\"\" Mine\",P,1200\n"
                       "M3,천리마 탄광,,800.5\nU1,Unit one renamed,P,\n"));
  ExpectSameImport(
      Json(ImportKind::kMemberships, R"({"unit":"U1","hierarchy":"region","group":"P",
                                         "from":"2026-02-01"})"),
      Csv(ImportKind::kMemberships, "unit,hierarchy,group,from\nU1,region,P,2026-02-01\n"));
  ExpectSameImport(Json(ImportKind::kIndicators, R"([
      {"code":"eff","name":"Eff","measure":"","direction":"higher","aggregation":"sum",
       "role":"output","numerator":"a","denominator":"b"},
      {"code":"a","name":"A","measure":"t","direction":"higher","aggregation":"sum",
       "role":"output","numerator":null,"denominator":null,"grain":"month"},
      {"code":"b","name":"B","measure":null,"direction":"lower","aggregation":"mean",
       "role":"input","grain":"month"}])"),
                   Csv(ImportKind::kIndicators,
                       "code,name,measure,direction,aggregation,role,numerator,denominator,grain\n"
                       "eff,Eff,,higher,sum,output,a,b,\na,A,t,higher,sum,output,,,month\n"
                       "b,B,,lower,mean,input,,,month\n"));
  ExpectSameImport(Json(ImportKind::kPlans, R"([
      {"target":"U1","indicator":"out","period":"2026Q1","value":5,"method":"workdays"},
      {"target":"region/P","indicator":"out","period":"2026","value":1e3},
      {"target":"M1","indicator":"석탄","period":"202602","value":0.1,"method":"even"}])"),
                   Csv(ImportKind::kPlans,
                       "target,indicator,period,value,method\nU1,out,2026Q1,5,workdays\n"
                       "region/P,out,2026,1e3,\nM1,석탄,202602,0.1,even\n"));
  ExpectSameImport(Json(ImportKind::kReports, R"([
      {"unit":"M1","indicator":"석탄","date":"2026-01-05","value":12.5,"key":"abc"},
      {"unit":"U1","indicator":"pw","date":"2026-03","value":-0.25},
      {"unit":"U1","indicator":"out","date":"2026-01-01","value":1,"key":"stored"}])"),
                   Csv(ImportKind::kReports,
                       "unit,indicator,date,value,key\nM1,석탄,2026-01-05,12.5,abc\n"
                       "U1,pw,2026-03,-0.25,\nU1,out,2026-01-01,1,stored\n"));
  ExpectSameImport(
      Json(ImportKind::kCalendar, R"([{"date":"sat","kind":"rest"},
      {"date":"2026-05-01","kind":"holiday"},{"date":"2026-05-03","kind":"workday"}])"),
      Csv(ImportKind::kCalendar, "date,kind\nsat,rest\n2026-05-01,holiday\n2026-05-03,workday\n"));
  std::string profile_json = "[";
  std::string profile_csv = "profile,month,weight\n";
  for (int m = 1; m <= 12; ++m) {
    if (m > 1) profile_json += ",";
    profile_json += R"({"profile":"winter","month":)" + std::to_string(m) + R"(,"weight":)" +
                    std::to_string(13 - m) + "}";
    profile_csv += "winter," + std::to_string(m) + "," + std::to_string(13 - m) + "\n";
  }
  ExpectSameImport(Json(ImportKind::kProfiles, profile_json + "]"),
                   Csv(ImportKind::kProfiles, profile_csv));
}

TEST_F(JsonImportTest, NumbersKeepEveryDigitOfTheirText) {
  for (std::string text : {"0.1", "1e-7", "12345678901234567", "123456789012345678901234567890",
                           "2.2250738585072014e-308", "0.30000000000000004", "-0"}) {
    ImportResult r = Json(ImportKind::kReports, R"({"unit":"U1","indicator":"out",
        "date":"2026-01-02","value":)" + text + "}");
    ASSERT_TRUE(r.errors.empty()) << text << ": " << r.errors[0].message;
    ASSERT_EQ(r.changes.reports.size(), 1u);
    double expected = 0;
    ASSERT_TRUE(ParseNumber(text, expected));
    EXPECT_EQ(r.changes.reports[0].value, expected) << text;
    ImportResult csv =
        Csv(ImportKind::kReports, "unit,indicator,date,value\nU1,out,2026-01-02," + text + "\n");
    EXPECT_EQ(r.changes.reports[0].value, csv.changes.reports[0].value) << text;
  }
}

TEST_F(JsonImportTest, ErrorsNameTheirJsonPath) {
  ImportResult r = Json(ImportKind::kReports, R"([
      {"unit":"U1","indicator":"out","date":"2026-01-02","value":1},
      {"unit":"U1","indicator":"out","date":"2026-01-03","value":"12,5"},
      {"unit":"X9","indicator":"opw","date":"2026-02-30","value":null}])");
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(r.rows, 3);
  EXPECT_THAT(Messages(r),
              ::testing::ElementsAre(
                  "$[1].value: '12,5' is not a number (use digits, '.' for decimals)",
                  "$[2].unit: unknown unit 'X9'",
                  "$[2].indicator: indicator 'opw' is a ratio of two others; report its parts",
                  HasSubstr("$[2].date: '2026-02-30' is not a date"),
                  "$[2].value: is empty; expected a number"));
  const ImportError& e = r.errors[0];
  EXPECT_EQ(e.path, "$[1].value");
  EXPECT_EQ(e.field, "value");
  EXPECT_EQ(e.reason, "'12,5' is not a number (use digits, '.' for decimals)");
  EXPECT_EQ(e.line, 0);
  EXPECT_EQ(e.column, 0u);
}

TEST_F(JsonImportTest, ASingleObjectIsPlacedAtTheRoot) {
  ImportResult r = Json(ImportKind::kReports,
                        R"({"unit":"U1","indicator":"out","date":"2026-01-02","value":"x"})");
  EXPECT_THAT(Messages(r), ::testing::ElementsAre(
                               "$.value: 'x' is not a number (use digits, '.' for decimals)"));
}

TEST_F(JsonImportTest, KeysFollowTheBodyOrderAndMissingKeysAreEmptyFields) {
  // Keys in another order than the CSV columns, and a key missing from one object.
  ImportResult r = Json(ImportKind::kReports, R"([
      {"value":3,"date":"2026-01-02","indicator":"out","unit":"U1"},
      {"unit":"U1","indicator":"out","date":"2026-01-03"}])");
  EXPECT_THAT(Messages(r), ::testing::ElementsAre("$[1].value: is empty; expected a number"));
  // Names are matched as CSV headers are: without regard to case or spaces.
  r = Json(ImportKind::kReports,
           R"([{"Unit":"U1"," INDICATOR ":"out","date":"2026-01-02","value":3}])");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.imported, 1);
}

TEST_F(JsonImportTest, RecordsThatRepeatNameTheOtherElement) {
  ImportResult r = Json(ImportKind::kUnits, R"([
      {"code":"N1","name":"Line one\nline two\r\nline three\rfour"},
      {"code":"N2","name":"x"},
      {"code":"N1","name":"again"},
      {"code":"","name":"y"}])");
  EXPECT_THAT(Messages(r),
              ::testing::ElementsAre("$[2].code: unit 'N1' appears twice (also at $[0])",
                                     "$[3].code: is empty"));
  r = Json(ImportKind::kReports, R"([
      {"unit":"U1","indicator":"out","date":"2026-01-01","value":1,"key":"a"},
      {"unit":"U1","indicator":"out","date":"2026-01-02","value":1,"key":"a"}])");
  EXPECT_THAT(Messages(r),
              ::testing::ElementsAre("$[1].key: key 'a' is used at $[0] for a different report"));
}

TEST_F(JsonImportTest, HeaderErrorsArePlacedAtTheFirstObjectWithTheKey) {
  ImportResult r = Json(ImportKind::kReports, R"([
      {"unit":"U1","indicator":"out","date":"2026-01-02","value":1},
      {"unit":"U1","indicator":"out","date":"2026-01-03","value":1,"colour":"red"}])");
  EXPECT_THAT(Messages(r), ::testing::ElementsAre("$[1].colour: unknown field"));
  EXPECT_EQ(r.errors[0].field, "colour");
  r = Json(ImportKind::kReports, R"([
      {"unit":"U1","indicator":"out","date":"2026-01-02","value":1},
      {"unit":"U1","indicator":"out","date":"2026-01-04","value":1,"Unit":"U1"}])");
  EXPECT_THAT(Messages(r),
              ::testing::ElementsAre("$[1].Unit: field is the same as \"unit\" (names are matched "
                                     "without regard to case or surrounding spaces)"));
  r = Json(ImportKind::kReports, R"([{"unit":"U1","indicator":"out","date":"2026-01-02"}])");
  EXPECT_THAT(Messages(r), ::testing::ElementsAre("$: missing field 'value'"));
  EXPECT_EQ(r.errors[0].field, "value");
  r = Json(ImportKind::kReports,
           R"([{"unit":"U1","indicator":"out","date":"2026-01-02","value":1," ":2}])");
  EXPECT_THAT(Messages(r), ::testing::ElementsAre("$[0][\" \"]: empty field name"));
  r = Json(ImportKind::kReports, R"([{}, {}])");
  EXPECT_THAT(Messages(r),
              ::testing::ElementsAre("$: no fields given; expected those of reports (see "
                                     "docs/import-formats.md)"));
}

TEST_F(JsonImportTest, JsonLevelErrorsComeBackAsImportErrorsWithTheirPath) {
  ImportResult r = Json(ImportKind::kReports, R"([
      {"unit":"U1","indicator":"out","date":"2026-01-02","value":1},
      [1, 2],
      "U1,out",
      {"unit":{"code":"U1"},"indicator":["out"],"date":true,"value":false,
       "a,b":1,"say \"hi\"":2,"x\ny":3}])");
  EXPECT_THAT(
      Messages(r),
      ::testing::ElementsAre(
          "$[1]: expected an object, found an array", "$[2]: expected an object, found a string",
          "$[3].unit: expected a string, a number or null, found an object",
          "$[3].indicator: expected a string, a number or null, found an array",
          "$[3].date: expected a string, a number or null, found true",
          "$[3].value: expected a string, a number or null, found false",
          "$[3][\"a,b\"]: a field name may not hold a comma, a quote or a line break",
          "$[3][\"say \\\"hi\\\"\"]: a field name may not hold a comma, a quote or a line "
          "break",
          "$[3][\"x\\ny\"]: a field name may not hold a comma, a quote or a line break"));
  EXPECT_EQ(r.errors[0].path, "$[1]");
  EXPECT_TRUE(r.changes.empty());
  r = Json(ImportKind::kReports, "42");
  EXPECT_THAT(Messages(r), ::testing::ElementsAre(
                               "$: expected an object or an array of objects, found a number"));
  // max_errors holds for JSON-level errors too.
  r = Json(ImportKind::kReports, "[1,2,3,4]", {.max_errors = 2});
  EXPECT_EQ(r.errors.size(), 2u);
  EXPECT_TRUE(r.errors_truncated);
}

TEST_F(JsonImportTest, MalformedJsonFailsTheWholeCallWithLineAndColumn) {
  auto r = ParseJsonImport(ImportKind::kReports, "[\n  {\"unit\":\"U1\" \"value\":1}\n]", state_,
                           Lookup, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "line 2, column 16: expected ',' or '}' after an object member");
}

TEST_F(JsonImportTest, AnEmptyArrayImportsNothing) {
  ImportResult r = Json(ImportKind::kReports, " [ ] ");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(r.rows, 0);
}

TEST_F(JsonImportTest, RecordsInsideALargerBodyAreNamedFromTheirPath) {
  auto body = ParseJson(R"({"dry_run":true,"rows":[{"unit":"U1","indicator":"out",
                           "date":"2026-01-02","value":"n/a"}]})");
  ASSERT_TRUE(body.ok());
  auto r = ParseJsonImport(ImportKind::kReports, *body->Find("rows"), "$.rows", state_, Lookup, {});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(Messages(*r),
              ::testing::ElementsAre(
                  "$.rows[0].value: 'n/a' is not a number (use digits, '.' for decimals)"));
}

TEST_F(JsonImportTest, KoreanTextAndAttributeNames) {
  ImportResult r = Json(ImportKind::kUnits, R"([{"code":"천리마-1","name":"천리마 탄광",
      "용량":"많음"}])");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "$[0][\"용량\"]");
  EXPECT_THAT(r.errors[0].reason, HasSubstr("'많음' is not a number"));
  r = Json(ImportKind::kUnits, R"([{"code":"천리마-1","name":"천리마 탄광","용량":1200}])");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.changes.new_units.size(), 1u);
  EXPECT_EQ(r.changes.new_units[0].code, "천리마-1");
  EXPECT_EQ(r.changes.new_units[0].name, "천리마 탄광");
  ASSERT_EQ(r.changes.new_units[0].attributes.size(), 1u);
  EXPECT_EQ(r.changes.new_units[0].attributes[0].first, "용량");
  EXPECT_EQ(r.changes.new_units[0].attributes[0].second, 1200);
}

TEST_F(JsonImportTest, ReportsStreamToTheSinkAsFromCsv) {
  std::string body = "[";
  for (int d = 0; d < 50; ++d) {
    if (d > 0) body += ",";
    body += R"({"unit":"U1","indicator":"out","date":")" +
            FormatDate(Date::FromCivil(2026, 1, 1) + d) + R"(","value":)" + std::to_string(d) + "}";
  }
  size_t streamed = 0;
  ImportResult r =
      Json(ImportKind::kReports, body + "]",
           {.report_sink = [&](std::span<const Report> chunk) { streamed += chunk.size(); },
            .stream_chunk_rows = 8});
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.changes.reports.size(), 50u);
  EXPECT_EQ(streamed, r.reports_streamed);
  EXPECT_GT(streamed, 0u);
}

}  // namespace
}  // namespace chollima::io
