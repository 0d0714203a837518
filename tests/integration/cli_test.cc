// End-to-end tests of the chollima binary on a real SQLite file: import of every kind,
// export round trips, corrections and keys, and every kind of bad input (exit 1, a
// message naming file, line and field, and the store left byte-for-byte unchanged).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_harness.h"

namespace chollima::testing {
namespace {

using ::testing::HasSubstr;

const char* const kKinds[] = {"calendar",    "profiles",   "groups", "units",
                              "memberships", "indicators", "plans",  "reports"};

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
  for (const char* cmd : {"init", "import", "export", "fulfilment", "demo", "history"}) {
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
  EXPECT_THAT(r.out, HasSubstr("schema version 1"));
  EXPECT_EQ(Run({"init", "--db", "s.db"}).exit_code, 0);
}

}  // namespace
}  // namespace chollima::testing
