// End-to-end tests of the emulation commands (drive, standards, outliers, records) of
// the chollima binary on a real SQLite file, on a tiny economy the test writes, with
// figures computed by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "cli_harness.h"

namespace chollima::testing {
namespace {

using ::testing::HasSubstr;

// Three units, two provinces, one output with daily plans of January 2026:
//   A (P1): plan 100/day, reports Jan 1: 110, Jan 2: 120   -> 230 of 200 = 115 %
//   B (P1): plan 200/day, reports Jan 1: 150, Jan 2: 250   -> 400 of 400 = 100 %
//   C (P2): plan 100/day, reports Jan 1:  90, Jan 2:  90   -> 180 of 200 =  90 %
// As of Jan 1 the order is A 110, C 90, B 75. C's capacity_out of 80 flags both of its
// reports as outliers (capacity).
class Emulation : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    Write("groups.csv",
          "hierarchy,code,name,parent\nregion,P1,Province 1,\nregion,P2,Province 2,\n");
    Write("units.csv",
          "code,name,region,capacity,capacity_out\nA,Unit A,P1,100,1000\n"
          "B,Unit B,P1,500,1000\nC,Unit C,P2,100,80\n");
    Write("indicators.csv",
          "code,name,measure,direction,aggregation,role,numerator,denominator,grain\n"
          "out,Output,t,higher,sum,output,,,day\n"
          "workers,Workers,persons,higher,mean,input,,,day\n");
    Write("plans.csv",
          "target,indicator,period,value,method\n"
          "A,out,2026-01,3100,even\nB,out,2026-01,6200,even\nC,out,2026-01,3100,even\n");
    Write("reports.csv",
          "unit,indicator,date,value\n"
          "A,out,2026-01-01,110\nA,out,2026-01-02,120\n"
          "B,out,2026-01-01,150\nB,out,2026-01-02,250\n"
          "C,out,2026-01-01,90\nC,out,2026-01-02,90\n");
    ASSERT_EQ(Run({"init", "--db", "s.db"}).exit_code, 0);
    for (const char* kind : {"groups", "units", "indicators", "plans", "reports"}) {
      RunResult r = Run({"import", "--db", "s.db", kind, std::string(kind) + ".csv"});
      ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
    }
  }

  RunResult CreateJanuaryDrive(const std::string& end = "2026-01-31") {
    return Run({"drive", "create", "--db", "s.db", "--code", "jan", "--name", "January drive",
                "--start", "2026-01-01", "--end", end, "--rule", "out:percent_of_plan"});
  }

  // The rows of CSV output (one line each: the test's texts have no line breaks), each
  // as column -> field.
  static std::vector<std::map<std::string, std::string>> Rows(const std::string& csv) {
    std::vector<std::vector<std::string>> lines;
    size_t pos = 0;
    while (pos < csv.size()) {
      size_t end = csv.find('\n', pos);
      if (end == std::string::npos) end = csv.size();
      std::string line = csv.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      pos = end + 1;
      if (line.empty()) continue;
      // Fields, with RFC 4180 quotes ("a,b" and "" inside quotes).
      std::vector<std::string> fields(1);
      bool quoted = false;
      for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          fields.back().push_back('"');
          ++i;
        } else if (c == '"') {
          quoted = !quoted;
        } else if (c == ',' && !quoted) {
          fields.emplace_back();
        } else {
          fields.back().push_back(c);
        }
      }
      lines.push_back(fields);
    }
    std::vector<std::map<std::string, std::string>> out;
    for (size_t i = 1; i < lines.size(); ++i) {
      std::map<std::string, std::string> row;
      for (size_t c = 0; c < lines[0].size() && c < lines[i].size(); ++c) {
        row[lines[0][c]] = lines[i][c];
      }
      out.push_back(row);
    }
    return out;
  }
};

TEST_F(Emulation, HelpListsTheEmulationCommands) {
  RunResult r = Run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"drive", "standards", "outliers", "records"}) {
    EXPECT_THAT(r.out, HasSubstr(cmd));
  }
  r = Run({"drive", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"create", "list", "standings", "results"}) {
    EXPECT_THAT(r.out, HasSubstr(cmd));
  }
  r = Run({"drive", "create", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("indicator:normalization[:capacity][@weight]"));
  EXPECT_EQ(Run({"standards", "set", "--help"}).exit_code, 0);
  for (const char* sub : {"status", "rebase", "list"}) {
    EXPECT_EQ(Run({"standards", sub, "--help"}).exit_code, 0) << sub;
  }
  EXPECT_EQ(Run({"outliers", "review", "--help"}).exit_code, 0);
  EXPECT_EQ(Run({"outliers", "list", "--help"}).exit_code, 0);
  EXPECT_EQ(Run({"records", "--help"}).exit_code, 0);
}

TEST_F(Emulation, CreateThenListRoundTripsTheDrive) {
  RunResult r = Run({"drive",          "create",
                     "--db",           "s.db",
                     "--code",         "winter26",
                     "--name",         "Winter drive",
                     "--start",        "2026-01-01",
                     "--end",          "2026-12-31",
                     "--season",       "quarter",
                     "--participants", "units within region/P1",
                     "--rule",         "out:percent_of_plan@0.6,out:per_capacity:workers@0.4",
                     "--leagues",      "region:1",
                     "--size-bands",   "capacity:100,1000",
                     "--promote",      "1",
                     "--relegate",     "1",
                     "--growth-base",  "previous_season",
                     "--streak",       "month"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("winter26: drive created, 2026-01-01 .. 2026-12-31, 4 seasons"));
  r = Run({"drive", "list", "--db", "s.db", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0]["code"], "winter26");
  EXPECT_EQ(rows[0]["name"], "Winter drive");
  EXPECT_EQ(rows[0]["start"], "2026-01-01");
  EXPECT_EQ(rows[0]["end"], "2026-12-31");
  EXPECT_EQ(rows[0]["season"], "quarter");
  EXPECT_EQ(rows[0]["seasons"], "4");
  EXPECT_EQ(rows[0]["participants"], "units within region/P1");
  EXPECT_EQ(rows[0]["leagues"], "region:1");
  EXPECT_EQ(rows[0]["promote"], "1");
  EXPECT_EQ(rows[0]["growth_base"], "previous_season");
  EXPECT_EQ(rows[0]["streak"], "month");
  EXPECT_EQ(rows[0]["rule"], "out:percent_of_plan@0.6,out:per_capacity:workers@0.4");
  EXPECT_EQ(rows[0]["size_bands"], "capacity:100,1000");
  // JSON: the API's shape (GET /api/drives).
  r = Run({"drive", "list", "--db", "s.db", "--format", "json"});
  EXPECT_THAT(r.out, HasSubstr(R"({"drives":[{"id":0,"code":"winter26")"));
  EXPECT_THAT(r.out, HasSubstr(R"("rule":"out:percent_of_plan@0.6,out:per_capacity:workers@0.4")"));
  EXPECT_THAT(r.out, HasSubstr(R"("size_attribute":"capacity","size_bounds":[100,1000])"));
  EXPECT_THAT(r.out,
              HasSubstr(R"("seasons":[{"index":0,"begin":"2026-01-01","end":"2026-03-31"})"));
  // A dry run validates and writes nothing.
  const std::string before = Read("s.db");
  r = Run({"drive", "create", "--db", "s.db", "--code", "spring", "--name", "Spring", "--start",
           "2026-03-01", "--end", "2026-05-31", "--rule", "out:growth", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("dry run: nothing written"));
  EXPECT_EQ(Read("s.db"), before);
  EXPECT_EQ(Rows(Run({"drive", "list", "--db", "s.db", "--format", "csv"}).out).size(), 1u);
}

TEST_F(Emulation, BadInputNamesTheOptionAndWritesNothing) {
  ASSERT_EQ(CreateJanuaryDrive().exit_code, 0);
  const std::string before = Read("s.db");
  struct Case {
    std::vector<std::string> extra;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--rule", "out:percent_of_plan@0.6,out:percentx"},
       "--rule: term 2: 'percentx' is not a normalization (percent_of_plan, growth, "
       "per_capacity, zscore)"},
      {{"--rule", "coke:growth"}, "--rule: term 1: unknown indicator 'coke'"},
      {{"--rule", "out:growth@0"}, "--rule: term 1: weight: must be > 0"},
      {{"--rule", "out:growth", "--end", "2025-12-01"}, "--end: 2025-12-01 is before the start"},
      {{"--rule", "out:growth", "--season", "week"}, "--season: 'week' is not a season grain"},
      {{"--rule", "out:growth", "--participants", "units within region/P9"},
       "--participants: unknown group 'P9' in hierarchy 'region'"},
      {{"--rule", "out:growth", "--leagues", "region:4"}, "--leagues: 4 is not in 1..1"},
      {{"--rule", "out:growth", "--size-bands", "capacity:1000,100"}, "--size-bands: "},
      {{"--rule", "out:growth", "--promote", "-1"}, "--promote: must be >= 0"},
      {{"--rule", "out:growth", "--growth-base", "last_year"},
       "--growth-base: 'last_year' is not a growth base"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"drive", "create", "--db", "s.db",    "--code",
                                     "feb",   "--name", "Feb",  "--start", "2026-02-01"};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    if (std::find(args.begin(), args.end(), "--end") == args.end()) {
      args.insert(args.end(), {"--end", "2026-02-28"});
    }
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 1) << c.message << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message));
    EXPECT_THAT(r.err, HasSubstr("nothing was written"));
  }
  EXPECT_EQ(Read("s.db"), before) << "the store changed";
  EXPECT_EQ(Rows(Run({"drive", "list", "--db", "s.db", "--format", "csv"}).out).size(), 1u);
}

TEST_F(Emulation, ADuplicateCodeIsRefused) {
  ASSERT_EQ(CreateJanuaryDrive().exit_code, 0);
  const std::string before = Read("s.db");
  RunResult r = CreateJanuaryDrive();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--code: drive 'jan' already exists"));
  EXPECT_EQ(Read("s.db"), before);
}

TEST_F(Emulation, StandingsAreTheHandComputedOnes) {
  ASSERT_EQ(CreateJanuaryDrive().exit_code, 0);
  RunResult r = Run({"drive", "standings", "--db", "s.db", "--drive", "jan", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 3u) << r.out;
  EXPECT_EQ(rows[0]["participant"], "A");
  EXPECT_EQ(rows[1]["participant"], "B");
  EXPECT_EQ(rows[2]["participant"], "C");
  const double scores[] = {115, 100, 90};
  const char* change[] = {"0", "1", "-1"};  // vs Jan 1: A 110, C 90, B 75
  const char* streak[] = {"2", "1", "0"};   // days at or above plan ending Jan 2
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(rows[i]["rank"], std::to_string(i + 1));
    EXPECT_NEAR(std::stod(rows[i]["score"]), scores[i], 1e-9) << i;
    EXPECT_NEAR(std::stod(rows[i]["out:percent_of_plan"]), scores[i], 1e-9) << i;
    EXPECT_EQ(rows[i]["change_day"], change[i]) << i;
    EXPECT_EQ(rows[i]["change_start"], change[i]) << i;
    EXPECT_EQ(rows[i]["streak"], streak[i]) << i;
  }
  // As of Jan 1: A 110 %, C 90 %, B 75 %.
  r = Run({"drive", "standings", "--db", "s.db", "--drive", "jan", "--as-of", "2026-01-01",
           "--format", "csv"});
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1]["participant"], "C");
  EXPECT_NEAR(std::stod(rows[2]["score"]), 75, 1e-9);
  // Provinces: P1 = A + B, 630 of 600 = 105 %; P2 = C, 90 %.
  r = Run({"drive", "standings", "--db", "s.db", "--drive", "jan", "--level", "region:1",
           "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0]["participant"], "region/P1");
  EXPECT_NEAR(std::stod(rows[0]["score"]), 105, 1e-9);
  EXPECT_EQ(rows[1]["participant"], "region/P2");
  EXPECT_NEAR(std::stod(rows[1]["score"]), 90, 1e-9);
  // JSON: the API's Standings (GET /api/drives/jan/standings).
  r = Run(
      {"drive", "standings", "--db", "s.db", "--drive", "jan", "--limit", "1", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"({"drive":"jan","season":{"index":0,"begin":"2026-01-01",)"
                               R"("end":"2026-01-31"},"as_of":"2026-01-02")"));
  EXPECT_THAT(r.out, HasSubstr(R"("total":3,"rows":[{"participant":{"kind":"unit","code":"A")"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr(R"("code":"B")")));
  // --limit and the table's header line.
  r = Run({"drive", "standings", "--db", "s.db", "--drive", "jan", "--limit", "1"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("January drive (jan), season 0 (2026-01-01 .. 2026-01-31), as of "
                               "2026-01-02"));
  EXPECT_THAT(r.out, HasSubstr("(2 more rows; raise --limit)"));
  // Bad options.
  r = Run({"drive", "standings", "--db", "s.db", "--drive", "feb"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--drive: unknown drive 'feb'"));
  r = Run({"drive", "standings", "--db", "s.db", "--drive", "jan", "--level", "sector:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--level: unknown hierarchy 'sector'"));
  r = Run({"drive", "standings", "--db", "s.db", "--drive", "jan", "--as-of", "2026-02-30"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--as-of: "));
}

TEST_F(Emulation, ASeasonIsFinalizedOnceWhenItHasEnded) {
  // Not before its end: the January season runs until the 31st, reports reach the 2nd.
  ASSERT_EQ(CreateJanuaryDrive().exit_code, 0);
  const std::string running = Read("s.db");
  RunResult early =
      Run({"drive", "results", "--db", "s.db", "--drive", "jan", "--season", "0", "--finalize"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_THAT(early.err, HasSubstr("runs until 2026-01-31"));
  EXPECT_EQ(Read("s.db"), running);
}

TEST_F(Emulation, ASeasonIsFinalizedOnce) {
  // A drive of the two reported days: its one season has ended.
  ASSERT_EQ(CreateJanuaryDrive("2026-01-02").exit_code, 0);
  RunResult r = Run(
      {"drive", "results", "--db", "s.db", "--drive", "jan", "--season", "0", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["participant"], "A");
  EXPECT_EQ(rows[0]["title"], "winner");
  EXPECT_EQ(rows[0]["finalized"], "no");
  const std::string unfinalized = Read("s.db");
  r = Run({"drive", "results", "--db", "s.db", "--drive", "jan", "--season", "0", "--finalize",
           "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["finalized"], "yes");
  EXPECT_EQ(rows[2]["participant"], "C");
  EXPECT_EQ(rows[2]["rank"], "3");
  EXPECT_NEAR(std::stod(rows[2]["score"]), 90, 1e-9);

  // A later correction does not rewrite the honours: C now leads, but the stored results
  // stay as they were.
  Write("fix.csv", "unit,indicator,date,value\nC,out,2026-01-02,500\n");
  ASSERT_EQ(Run({"import", "--db", "s.db", "reports", "fix.csv"}).exit_code, 0);
  r = Run(
      {"drive", "results", "--db", "s.db", "--drive", "jan", "--season", "0", "--format", "csv"});
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["participant"], "A");
  EXPECT_EQ(rows[0]["title"], "winner");
  r = Run({"drive", "standings", "--db", "s.db", "--drive", "jan", "--format", "csv"});
  EXPECT_EQ(Rows(r.out)[0]["participant"], "C");  // 590 of 200 = 295 %

  const std::string before = Read("s.db");
  r = Run({"drive", "results", "--db", "s.db", "--drive", "jan", "--season", "0", "--finalize"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("already finalized"));
  EXPECT_EQ(Read("s.db"), before);
  EXPECT_NE(unfinalized, before);
  r = Run({"drive", "results", "--db", "s.db", "--drive", "jan", "--season", "3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--season: "));
}

TEST_F(Emulation, StandardsKeepTheirHistory) {
  RunResult r = Run({"standards", "set", "--db", "s.db", "--indicator", "out", "--from",
                     "2026-01-01", "--value", "100", "--note", "by hand"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("out (all units): standard 100 from 2026-01-01"));
  ASSERT_EQ(Run({"standards", "set", "--db", "s.db", "--indicator", "out", "--from", "2026-07-01",
                 "--value", "110.5", "--note", "re-based"})
                .exit_code,
            0);
  ASSERT_EQ(Run({"standards", "set", "--db", "s.db", "--indicator", "out", "--peer-group",
                 "region/P1", "--from", "2026-01-01", "--value", "120"})
                .exit_code,
            0);
  r = Run({"standards", "list", "--db", "s.db", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 3u) << r.out;
  // Ordered by indicator, peer group (all units first), then from.
  EXPECT_EQ(rows[0]["peer_group"], "all");
  EXPECT_EQ(rows[0]["from"], "2026-01-01");
  EXPECT_EQ(rows[0]["until"], "2026-06-30");
  EXPECT_EQ(rows[0]["value"], "100");
  EXPECT_EQ(rows[0]["note"], "by hand");
  EXPECT_EQ(rows[0]["source"], "manual");
  EXPECT_EQ(rows[1]["from"], "2026-07-01");
  EXPECT_EQ(rows[1]["until"], "");
  EXPECT_EQ(rows[1]["value"], "110.5");
  EXPECT_EQ(rows[2]["peer_group"], "region/P1");
  EXPECT_EQ(rows[2]["value"], "120");

  const std::string before = Read("s.db");
  r = Run({"standards", "set", "--db", "s.db", "--indicator", "out", "--from", "2026-01-01",
           "--value", "12,5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--value: '12,5' is not a number"));
  r = Run({"standards", "set", "--db", "s.db", "--indicator", "out", "--peer-group", "P1", "--from",
           "2026-01-01", "--value", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--peer-group: 'P1' is not HIERARCHY/GROUP"));
  r = Run({"standards", "set", "--db", "s.db", "--indicator", "coke", "--from", "2026-01-01",
           "--value", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--indicator: unknown indicator 'coke'"));
  EXPECT_EQ(Read("s.db"), before);
}

TEST_F(Emulation, OutlierReviewsAreStoredWithTheReportedValue) {
  RunResult r = Run({"outliers", "review", "--db", "s.db", "--unit", "A", "--indicator", "out",
                     "--date", "2026-01-02", "--reject", "--note", "typo", "--author", "kim"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("A out 2026-01-02 = 120: rejected"));
  r = Run({"audit", "--db", "s.db", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("review outlier"));

  const std::string before = Read("s.db");
  r = Run({"outliers", "review", "--db", "s.db", "--unit", "A", "--indicator", "out", "--date",
           "2026-01-09", "--confirm"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--date: A has no out report on 2026-01-09"));
  r = Run({"outliers", "review", "--db", "s.db", "--unit", "Z", "--indicator", "out", "--date",
           "2026-01-02", "--confirm"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--unit: unknown unit 'Z'"));
  r = Run({"outliers", "review", "--db", "s.db", "--unit", "A", "--indicator", "out", "--date",
           "2026-01-02"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--confirm or --reject"));
  EXPECT_EQ(Read("s.db"), before);
}

TEST_F(Emulation, RecordsWaitForFlaggedReportsToBeConfirmed) {
  // Best day of all units: B's 250 on Jan 2, which broke B's 150 of Jan 1.
  RunResult r = Run({"records", "--db", "s.db", "--indicator", "out", "--grain", "day", "--scope",
                     "all", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0]["holder"], "B");
  EXPECT_EQ(rows[0]["period"], "2026-01-02");
  EXPECT_EQ(rows[0]["value"], "250");
  EXPECT_EQ(rows[0]["previous_holder"], "B");
  EXPECT_EQ(rows[0]["previous_period"], "2026-01-01");
  EXPECT_EQ(rows[0]["previous_value"], "150");
  r = Run({"records", "--db", "s.db", "--indicator", "out", "--grain", "day", "--scope", "all",
           "--format", "json"});
  EXPECT_THAT(r.out, HasSubstr(R"({"records":[{"indicator":"out","grain":"day","scope":"all",)"
                               R"("target":null,"holder":{"kind":"unit","code":"B")"));
  // A's January so far (a running month of a higher-is-better sum counts): 110 + 120.
  r = Run({"records", "--db", "s.db", "--target", "A", "--grain", "month", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0]["scope"], "unit");
  EXPECT_EQ(rows[0]["period"], "2026-01");
  EXPECT_EQ(rows[0]["value"], "230");
  EXPECT_EQ(rows[0]["previous_value"], "");

  // C's two reports exceed its capacity: flagged, unreviewed, no record for province P2.
  r = Run({"outliers", "list", "--db", "s.db", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0]["unit"], "C");
  EXPECT_EQ(rows[0]["date"], "2026-01-01");
  EXPECT_EQ(rows[0]["value"], "90");
  EXPECT_EQ(rows[0]["expected"], "80");
  EXPECT_EQ(rows[0]["score"], "10");
  EXPECT_EQ(rows[0]["reason"], "capacity");
  EXPECT_EQ(rows[0]["review"], "unreviewed");
  r = Run(
      {"records", "--db", "s.db", "--target", "region/P2", "--grain", "day", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Rows(r.out).empty()) << r.out;

  // Confirming Jan 1 lets it set the record; Jan 2 stays blocked.
  ASSERT_EQ(Run({"outliers", "review", "--db", "s.db", "--unit", "C", "--indicator", "out",
                 "--date", "2026-01-01", "--confirm"})
                .exit_code,
            0);
  r = Run({"outliers", "list", "--db", "s.db", "--unit", "C", "--format", "csv"});
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["review"], "confirmed");
  EXPECT_EQ(rows[1]["review"], "unreviewed");
  r = Run(
      {"records", "--db", "s.db", "--target", "region/P2", "--grain", "day", "--format", "csv"});
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0]["holder"], "C");
  EXPECT_EQ(rows[0]["period"], "2026-01-01");
  EXPECT_EQ(rows[0]["value"], "90");

  r = Run({"records", "--db", "s.db", "--target", "region/P9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--target: unknown group 'P9'"));
  r = Run({"records", "--db", "s.db", "--target", "A", "--scope", "group"});
  EXPECT_EQ(r.exit_code, 2);
}

// Four units with one report in January and one in February 2026 (seasons of a month):
//   U1 10, 12   U2 8, 9   U3 5, 5   U4 4, 4
// With 4 units the advanced level is the best value: January 10, February 12.
TEST_F(Emulation, StandardsAreReBasedOnlyAfterTwoSeasonsAboveThem) {
  Write("r-units.csv", "code,name\nU1,U1\nU2,U2\nU3,U3\nU4,U4\n");
  Write("r-indicators.csv",
        "code,name,measure,direction,aggregation,role,numerator,denominator,grain\n"
        "out,Output,t,higher,sum,output,,,day\n");
  Write("r-reports.csv",
        "unit,indicator,date,value\n"
        "U1,out,2026-01-10,10\nU2,out,2026-01-10,8\nU3,out,2026-01-10,5\nU4,out,2026-01-10,4\n"
        "U1,out,2026-02-10,12\nU2,out,2026-02-10,9\nU3,out,2026-02-10,5\nU4,out,2026-02-10,4\n"
        "U1,out,2026-03-01,1\n");
  ASSERT_EQ(Run({"init", "--db", "r.db"}).exit_code, 0);
  for (const char* kind : {"units", "indicators", "reports"}) {
    RunResult r = Run({"import", "--db", "r.db", kind, std::string("r-") + kind + ".csv"});
    ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
  }
  const std::vector<std::string> rebase = {"standards",   "rebase", "--db",     "r.db",
                                           "--indicator", "out",    "--season", "month"};
  // No standard yet: the first one is February's advanced level.
  RunResult r = Run(rebase);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("out (all units): re-base to 12 from 2026-03-01"));
  EXPECT_THAT(r.out, HasSubstr("not stored"));

  ASSERT_EQ(Run({"standards", "set", "--db", "r.db", "--indicator", "out", "--from", "2026-01-01",
                 "--value", "11"})
                .exit_code,
            0);
  // 11: January's 10 did not exceed it, so one good season (February's 12) is not enough.
  r = Run(rebase);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("out (all units): no re-basing: "));

  // Status as of March 1: February, 4 units, U1 (12) meets 11; the advanced level 12.
  r = Run({"standards", "status", "--db", "r.db", "--season", "month", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 1u) << r.out;
  EXPECT_EQ(rows[0]["value"], "11");
  EXPECT_EQ(rows[0]["season"], "2026-02");
  EXPECT_EQ(rows[0]["units"], "4");
  EXPECT_EQ(rows[0]["meeting"], "1");
  EXPECT_EQ(rows[0]["advanced_level"], "12");

  // 9: both seasons above it: re-based to the less demanding of 10 and 12.
  ASSERT_EQ(Run({"standards", "set", "--db", "r.db", "--indicator", "out", "--from", "2026-01-01",
                 "--value", "9", "--note", "corrected"})
                .exit_code,
            0);
  std::vector<std::string> apply = rebase;
  apply.push_back("--apply");
  r = Run(apply);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("out (all units): re-based to 10 from 2026-03-01"));
  r = Run({"standards", "list", "--db", "r.db", "--format", "csv"});
  rows = Rows(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0]["value"], "9");  // the correction of the same day replaced the 11
  EXPECT_EQ(rows[0]["until"], "2026-02-28");
  EXPECT_EQ(rows[1]["from"], "2026-03-01");
  EXPECT_EQ(rows[1]["value"], "10");
  EXPECT_EQ(rows[1]["source"], "derived");
  // The season is decided: asking again proposes nothing and writes nothing.
  const std::string before = Read("r.db");
  r = Run(apply);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("no re-basing"));
  EXPECT_EQ(Read("r.db"), before);

  r = Run({"standards", "rebase", "--db", "r.db", "--indicator", "coke"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--indicator: unknown indicator 'coke'"));
  r = Run({"standards", "status", "--db", "r.db", "--season", "week"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace chollima::testing
