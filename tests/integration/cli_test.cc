// End-to-end tests of the chollima binary on a real SQLite file: import of every kind,
// export round trips, corrections and keys, and every kind of bad input (exit 1, a
// message naming file, line and field, and the store left byte-for-byte unchanged).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "cli_harness.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/text.h"

namespace chollima::testing {
namespace {

using ::testing::HasSubstr;

class Chollima : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    const std::string src = CHOLLIMA_SOURCE_DIR;
    for (const char* kind : kKinds) {
      std::filesystem::copy_file(src + "/tests/integration/data/" + kind + ".csv",
                                 Path(std::string(kind) + ".csv"));
    }
  }

  // Creates `db` and imports every sample file into it.
  void LoadSample(const std::string& db) {
    ASSERT_EQ(Run({"init", "--db", db}).exit_code, 0);
    for (const char* kind : kKinds) {
      RunResult r = Run({"import", "--db", db, kind, std::string(kind) + ".csv"});
      ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
    }
  }

  // Imports `csv` as `kind` into a loaded store and expects a rejection whose message
  // contains every one of `fragments`, with the store file unchanged.
  void ExpectRejected(const std::string& kind, const std::string& csv,
                      const std::vector<std::string>& fragments) {
    LoadSample("s.db");
    const std::string before = Read("s.db");
    Write("bad.csv", csv);
    RunResult r = Run({"import", "--db", "s.db", kind, "bad.csv"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    for (const std::string& f : fragments) EXPECT_THAT(r.err, HasSubstr(f));
    EXPECT_THAT(r.err, HasSubstr("nothing was written"));
    EXPECT_EQ(Read("s.db"), before) << "the store changed";
  }
};

TEST_F(Chollima, HelpListsEverySubcommand) {
  RunResult r = Run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"init", "import", "export", "fulfilment", "demo", "history", "serve"}) {
    EXPECT_THAT(r.out, HasSubstr(cmd));
  }
  EXPECT_EQ(Run({"import", "--help"}).exit_code, 0);
}

TEST_F(Chollima, UnknownSubcommandIsAUsageError) { EXPECT_EQ(Run({"frobnicate"}).exit_code, 2); }

TEST_F(Chollima, ImportIntoMissingStoreSaysHowToCreateOne) {
  RunResult r = Run({"import", "--db", "none.db", "groups", "groups.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("chollima init"));
  EXPECT_FALSE(std::filesystem::exists(Path("none.db")));
}

TEST_F(Chollima, ImportsEveryKindAndCounts) {
  ASSERT_EQ(Run({"init", "--db", "s.db"}).exit_code, 0);
  RunResult r = Run({"import", "--db", "s.db", "groups", "groups.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("9 rows: 9 imported, 0 updated, 0 ignored"));
  r = Run({"import", "--db", "s.db", "groups", "groups.csv"});
  EXPECT_THAT(r.out, HasSubstr("9 rows: 0 imported, 0 updated, 9 ignored"));
}

TEST_F(Chollima, ExportRoundTripsExactly) {
  LoadSample("a.db");
  ASSERT_EQ(Run({"init", "--db", "b.db"}).exit_code, 0);
  for (const char* kind : kKinds) {
    RunResult r = Run({"export", "--db", "a.db", kind, "-o", std::string("a-") + kind + ".csv"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = Run({"import", "--db", "b.db", kind, std::string("a-") + kind + ".csv"});
    ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
  }
  for (const char* kind : kKinds) {
    RunResult a = Run({"export", "--db", "a.db", kind});
    RunResult b = Run({"export", "--db", "b.db", kind});
    EXPECT_EQ(a.out, b.out) << kind;
    EXPECT_FALSE(a.out.empty());
  }
  // Korean names and quoted fields survive.
  EXPECT_THAT(Run({"export", "--db", "b.db", "units"}).out, HasSubstr("천리마 탄광"));
  EXPECT_THAT(Run({"export", "--db", "b.db", "units"}).out,
              HasSubstr("\"Pukchang\nThermal Power Station\""));
}

TEST_F(Chollima, ExportJsonHasTypedFields) {
  LoadSample("s.db");
  RunResult r = Run({"export", "--db", "s.db", "reports", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out,
              HasSubstr(R"({"unit":"M1","indicator":"coal","date":"2026-01-02","value":1010})"));
  EXPECT_THAT(r.out, HasSubstr(R"("date":"2026-01","value":101000)"));
}

TEST_F(Chollima, CorrectionKeepsEveryRevisionWithAuthor) {
  LoadSample("s.db");
  Write("fix.csv", "unit,indicator,date,value\nM2,coal,2026-01-02,750\n");
  RunResult r = Run({"import", "--db", "s.db", "reports", "fix.csv", "--author", "pak"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 rows: 0 imported, 1 updated, 0 ignored"));
  r = Run({"history", "--db", "s.db", "--unit", "M2", "--indicator", "coal", "--date", "2026-01-02",
           "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1,700,"));
  EXPECT_THAT(r.out, HasSubstr("2,750,pak,"));
  EXPECT_THAT(Run({"export", "--db", "s.db", "reports"}).out, HasSubstr("M2,coal,2026-01-02,750"));
}

TEST_F(Chollima, RepeatedClientKeyIsStoredOnce) {
  LoadSample("s.db");
  const std::string before = Read("s.db");
  RunResult r = Run({"import", "--db", "s.db", "reports", "reports.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("9 rows: 0 imported, 0 updated, 9 ignored"));
  EXPECT_EQ(Read("s.db"), before);
}

TEST_F(Chollima, DryRunWritesNothing) {
  ASSERT_EQ(Run({"init", "--db", "s.db"}).exit_code, 0);
  const std::string before = Read("s.db");
  RunResult r = Run({"import", "--db", "s.db", "groups", "groups.csv", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("9 imported"));
  EXPECT_THAT(r.out, HasSubstr("dry run"));
  EXPECT_EQ(Read("s.db"), before);
}

TEST_F(Chollima, RejectsUnknownUnit) {
  ExpectRejected("reports",
                 "unit,indicator,date,value\nM1,coal,2026-01-05,1\nX9,coal,2026-01-05,1\n",
                 {"bad.csv:3: column 1 'unit': unknown unit 'X9'"});
}

TEST_F(Chollima, RejectsBadDate) {
  ExpectRejected("reports", "unit,indicator,date,value\nM1,coal,2026-02-30,1\n",
                 {"bad.csv:2: column 3 'date'", "day 30 is not in 1..28"});
}

TEST_F(Chollima, RejectsNonNumericValue) {
  ExpectRejected("reports", "unit,indicator,date,value\nM1,coal,2026-01-05,\"12,5\"\n",
                 {"bad.csv:2: column 4 'value': '12,5' is not a number"});
}

TEST_F(Chollima, RejectsDuplicateCode) {
  ExpectRejected("units", "code,name\nN1,New\nN1,Again\n",
                 {"bad.csv:3: column 1 'code'", "appears twice (also on line 2)"});
}

TEST_F(Chollima, RejectsCycleInHierarchy) {
  ExpectRejected("groups", "hierarchy,code,name,parent\nregion,A,A,B\nregion,B,B,A\n",
                 {"column 4 'parent': cycle in hierarchy 'region'"});
}

TEST_F(Chollima, RejectsPlanFinerThanTheIndicatorIsReported) {
  ExpectRejected("plans", "target,indicator,period,value\nS1,power,2026-01-15,10\n",
                 {"bad.csv:2: column 3 'period'", "reported by month", "cannot be aggregated"});
}

TEST_F(Chollima, RejectsReportOfARatio) {
  ExpectRejected("reports", "unit,indicator,date,value\nM1,coal_per_worker,2026-01-05,3\n",
                 {"column 2 'indicator'", "report its parts"});
}

TEST_F(Chollima, RejectsReusedKeyWithDifferentReport) {
  ExpectRejected("reports", "unit,indicator,date,value,key\nM1,coal,2026-01-02,1,k1\n",
                 {"column 5 'key'", "already used for a different report"});
}

TEST_F(Chollima, RejectsUnterminatedQuote) {
  ExpectRejected("units", "code,name\nN1,\"never closed\nN2,x\n", {"bad.csv:2", "never closed"});
}

TEST_F(Chollima, RejectsMissingColumn) {
  ExpectRejected("reports", "unit,indicator,value\nM1,coal,1\n", {"missing column 'date'"});
}

TEST_F(Chollima, RejectsRowOfWrongWidth) {
  ExpectRejected("reports", "unit,indicator,date,value\nM1,coal,2026-01-05\n",
                 {"bad.csv:2", "has 3 fields; the header has 4"});
}

TEST_F(Chollima, RejectsInvalidUtf8) {
  ExpectRejected("units", "code,name\nN1,\xC3\x28\n", {"column 2 'name': is not valid UTF-8"});
}

TEST_F(Chollima, RejectsEmptyFile) { ExpectRejected("units", "", {"the file is empty"}); }

TEST_F(Chollima, OneBadRowRejectsTheWholeFile) {
  std::string csv = "unit,indicator,date,value\n";
  for (int d = 10; d < 28; ++d) csv += "M1,coal,2026-01-" + std::to_string(d) + ",1000\n";
  csv += "M1,coal,2026-01-28,lots\n";
  ExpectRejected("reports", csv, {"bad.csv:20: column 4 'value'"});
}

// Large files are written while they are parsed; an error near the end must still
// leave the store file byte-for-byte as it was.
TEST_F(Chollima, LargeFileWithALateErrorLeavesTheStoreUnchanged) {
  std::string csv = "unit,indicator,date,value\n";
  csv.reserve(4 << 20);
  for (int i = 0; i < 150000; ++i) {
    csv += (i % 2 ? "M1,coal," : "M2,coal,") +
           chollima::FormatDate(chollima::Date::FromCivil(2020, 1, 1) + i / 2) + ",1\n";
  }
  csv += "M1,coal,2026-01-05,x\n";
  ExpectRejected("reports", csv, {"bad.csv:150002: column 4 'value'"});
  csv.resize(csv.size() - std::string("M1,coal,2026-01-05,x\n").size());
  Write("good.csv", csv);
  RunResult r = Run({"import", "--db", "s.db", "reports", "good.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("150000 rows: 149996 imported, 4 updated"));
}

TEST_F(Chollima, ListsManyErrorsUpToTheLimit) {
  std::string csv = "unit,indicator,date,value\n";
  for (int i = 0; i < 80; ++i) csv += "Z" + std::to_string(i) + ",coal,2026-01-05,1\n";
  LoadSample("s.db");
  Write("bad.csv", csv);
  RunResult r = Run({"import", "--db", "s.db", "reports", "bad.csv", "--max-errors", "5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bad.csv:6: column 1 'unit'"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("bad.csv:7:")));
  EXPECT_THAT(r.err, HasSubstr("raise --max-errors"));
}

TEST_F(Chollima, MovingAGroupIsRefused) {
  ExpectRejected("groups", "hierarchy,code,name,parent\nregion,P1-C1,Sunchon,P2\n",
                 {"moving a group is not supported"});
}

TEST_F(Chollima, NewSchemaVersionIsRecorded) {
  RunResult r = Run({"init", "--db", "s.db"});
  EXPECT_THAT(r.out, HasSubstr("schema version 4"));
  EXPECT_EQ(Run({"init", "--db", "s.db"}).exit_code, 0);
}

}  // namespace
}  // namespace chollima::testing

namespace chollima::testing {
namespace {

// Hand-computed against the sample files: M2's 2026 coal plan of 240000 shared evenly
// gives January 240000 * 31 / 365; M1 has an explicit January plan of 28000; as of
// 2026-01-03, M1's plan to date is 28000 * 3 / 31 and its actual 1010 + 990.5.
class Fulfilment : public Chollima {
 protected:
  // The CSV output as rows of column -> field, keyed by "kind,target,indicator".
  static std::map<std::string, std::map<std::string, std::string>> Rows(const std::string& csv) {
    CsvReader reader = CsvReader::FromString("out", csv);
    CsvRecord rec;
    std::vector<std::string> header;
    std::map<std::string, std::map<std::string, std::string>> rows;
    while (true) {
      auto more = reader.Next(rec);
      EXPECT_TRUE(more.ok());
      if (!more.ok() || !*more) break;
      if (header.empty()) {
        header.assign(rec.fields.begin(), rec.fields.end());
        continue;
      }
      std::map<std::string, std::string> row;
      for (size_t i = 0; i < header.size() && i < rec.fields.size(); ++i) {
        row[header[i]] = std::string(rec.fields[i]);
      }
      rows[row["kind"] + "," + row["target"] + "," + row["indicator"]] = row;
    }
    return rows;
  }
  static double Num(const std::string& s) {
    double v = 0;
    EXPECT_TRUE(ParseNumber(s, v)) << "'" << s << "'";
    return v;
  }
};

TEST_F(Fulfilment, UnitRowsMatchHandComputedFigures) {
  LoadSample("s.db");
  RunResult r = Run({"fulfilment", "--db", "s.db", "--period", "2026-01", "--indicator", "coal",
                     "--as-of", "2026-01-03", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Rows(r.out);
  auto& m1 = rows["unit,M1,coal"];
  const double m1_to_date = 28000.0 * 3 / 31;
  EXPECT_DOUBLE_EQ(Num(m1["plan"]), 28000);
  EXPECT_DOUBLE_EQ(Num(m1["actual"]), 2000.5);
  EXPECT_NEAR(Num(m1["plan_to_date"]), m1_to_date, 1e-9);
  EXPECT_NEAR(Num(m1["pace"]), 2000.5 / m1_to_date, 1e-12);
  EXPECT_NEAR(Num(m1["percent"]), 100 * 2000.5 / 28000, 1e-9);
  EXPECT_NEAR(Num(m1["forecast"]), 28000 * 2000.5 / m1_to_date, 1e-6);
  EXPECT_EQ(m1["status"], "behind");
  EXPECT_EQ(m1["reported_days"], "2");
  EXPECT_NEAR(Num(rows["unit,M2,coal"]["plan"]), 240000.0 * 31 / 365, 1e-9);
  EXPECT_DOUBLE_EQ(Num(rows["unit,M2,coal"]["actual"]), 1420);
  auto& total = rows["total,*,coal"];
  EXPECT_NEAR(Num(total["actual"]), 2000.5 + 1420 + 500, 1e-9);
  EXPECT_EQ(total["with_plan"], "3");
}

TEST_F(Fulfilment, GroupsCountUnitsInTheirGroupOnTheEvaluationDay) {
  LoadSample("s.db");
  // M3 moves from P2 to P1 on 2026-07-01: in January it counts in P2, in July in P1.
  RunResult jan = Run({"fulfilment", "--db", "s.db", "--period", "2026-01", "--indicator", "coal",
                       "--by", "region:1", "--as-of", "2026-01-31", "--format", "csv"});
  ASSERT_EQ(jan.exit_code, 0) << jan.err;
  auto rows = Rows(jan.out);
  EXPECT_EQ(rows["group,region/P2,coal"]["name"], "함경북도 (North Hamgyong)");
  EXPECT_NEAR(Num(rows["group,region/P2,coal"]["plan"]), 180000.0 * 31 / 365, 1e-9);
  EXPECT_EQ(rows["group,region/P1,coal"]["units"], "3");
  RunResult jul = Run({"fulfilment", "--db", "s.db", "--period", "2026-07", "--indicator", "coal",
                       "--by", "region:1", "--as-of", "2026-07-31", "--format", "csv"});
  ASSERT_EQ(jul.exit_code, 0) << jul.err;
  rows = Rows(jul.out);
  EXPECT_EQ(rows["group,region/P1,coal"]["units"], "4");
  EXPECT_EQ(rows.count("group,region/P2,coal"), 0u);  // no plan, no report: not listed
}

TEST_F(Fulfilment, ExplicitGroupPlanShowsItsDifferenceToTheMembers) {
  LoadSample("s.db");
  RunResult r = Run({"fulfilment", "--db", "s.db", "--period", "2026", "--indicator", "coal",
                     "--by", "sector", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // sector/coal has an explicit 800000 against 365000 + 240000 + 180000 = 785000.
  EXPECT_THAT(r.out, HasSubstr("group,sector/coal,Coal industry,coal,800000,"));
  EXPECT_THAT(r.out, HasSubstr(",15000\n"));
}

TEST_F(Fulfilment, BadArgumentsAreUsageErrors) {
  LoadSample("s.db");
  EXPECT_EQ(Run({"fulfilment", "--db", "s.db", "--period", "2026-13"}).exit_code, 2);
  EXPECT_EQ(Run({"fulfilment", "--db", "s.db", "--period", "2026", "--by", "nowhere"}).exit_code,
            2);
  EXPECT_EQ(Run({"fulfilment", "--db", "s.db", "--period", "2026", "--indicator", "x"}).exit_code,
            2);
  EXPECT_EQ(Run({"fulfilment", "--db", "s.db", "--period", "2026", "--by", "region:9"}).exit_code,
            2);
}

TEST_F(Fulfilment, DemoEconomyAnswersEndToEnd) {
  RunResult r = Run({"demo", "--db", "d.db", "--units", "60", "--seed", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("demo economy of 60 units"));
  EXPECT_EQ(Run({"demo", "--db", "d.db", "--units", "60"}).exit_code, 2);  // exists
  r = Run({"fulfilment", "--db", "d.db", "--period", "2026-01", "--by", "region"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2026-01 coal_output plans: overfulfilled at"));
  // The same seed gives the same economy.
  ASSERT_EQ(Run({"demo", "--db", "e.db", "--units", "60", "--seed", "7"}).exit_code, 0);
  EXPECT_EQ(Run({"export", "--db", "d.db", "reports"}).out,
            Run({"export", "--db", "e.db", "reports"}).out);
}

}  // namespace
}  // namespace chollima::testing
