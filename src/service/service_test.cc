// The store is the truth: after any sequence of imports and corrections, the engine
// state the service built incrementally equals the state rebuilt from the store.
#include "service/service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

namespace chollima::service {
namespace {

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/chollima-svc-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    db_ = dir_ + "/s.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Service> Open() {
    auto svc = Service::Open(db_, store::OpenMode::kCreate, clock_);
    EXPECT_TRUE(svc.ok()) << svc.error().message;
    return std::move(*svc);
  }

  void Import(Service& svc, io::ImportKind kind, const std::string& csv) {
    auto r = svc.ImportText(kind, "t.csv", csv, {.author = "test"});
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r->errors.empty()) << r->errors.front().message;
  }

  FixedClock clock_{"2026-11-23T10:00:00Z"};
  std::string dir_;
  std::string db_;
};

TEST_F(ServiceTest, IncrementalStateEqualsRebuiltAfterRandomImportsAndCorrections) {
  auto svc = Open();
  Import(*svc, io::ImportKind::kGroups,
         "hierarchy,code,name,parent\nregion,P,P,\nregion,C1,C1,P\nregion,C2,C2,P\n");
  std::string units = "code,name,region,capacity\n";
  for (int u = 0; u < 30; ++u) {
    units += "U" + std::to_string(u) + ",Unit " + std::to_string(u) + "," + (u % 2 ? "C1" : "C2") +
             "," + std::to_string(100 + u) + "\n";
  }
  Import(*svc, io::ImportKind::kUnits, units);
  Import(*svc, io::ImportKind::kIndicators,
         "code,name,measure,direction,aggregation,role,numerator,denominator\n"
         "out,Output,t,higher,sum,output,,\nwk,Workers,p,higher,mean,input,,\n"
         "opw,Output per worker,t/p,higher,sum,output,out,wk\n");
  std::mt19937_64 rng(42);
  for (int round = 0; round < 40; ++round) {
    std::string csv = "unit,indicator,date,value,key\n";
    const int rows = static_cast<int>(rng() % 200) + 1;
    for (int i = 0; i < rows; ++i) {
      const int unit = static_cast<int>(rng() % 30);
      const int day = static_cast<int>(rng() % 60);
      const Date d = Date::FromCivil(2026, 1, 1) + day + (round % 3 == 0 ? 365 : 0);
      const char* ind = rng() % 2 ? "out" : "wk";
      const double value = static_cast<double>(rng() % 1000) / 4.0;
      const std::string key =
          rng() % 4 == 0 ? "k" + std::to_string(round) + "-" + std::to_string(i) : "";
      csv += "U" + std::to_string(unit) + "," + ind + "," + FormatDate(d) + "," +
             std::to_string(value) + "," + key + "\n";
    }
    Import(*svc, io::ImportKind::kReports, csv);
    if (round % 5 == 0) {
      Import(*svc, io::ImportKind::kPlans,
             "target,indicator,period,value\nU" + std::to_string(round % 30) + ",out,2026-0" +
                 std::to_string(1 + round % 9) + "," + std::to_string(1000 + round) + "\n");
    }
    if (round == 20) {
      Import(*svc, io::ImportKind::kMemberships,
             "unit,hierarchy,group,from\nU3,region,C1,2026-02-01\n");
      Import(*svc, io::ImportKind::kUnits, "code,name\nU4,Renamed unit\n");
    }
  }
  const engine::State incremental = svc->state();
  svc.reset();
  auto rebuilt = Open();
  EXPECT_TRUE(incremental == rebuilt->state());
  EXPECT_GT(rebuilt->state().series_count(), 0u);
}

TEST_F(ServiceTest, RejectedImportLeavesStateAndStoreUnchanged) {
  auto svc = Open();
  Import(*svc, io::ImportKind::kGroups, "hierarchy,code,name,parent\nregion,P,P,\n");
  const engine::State before = svc->state();
  auto r = svc->ImportText(io::ImportKind::kGroups, "bad.csv",
                           "hierarchy,code,name,parent\nregion,Q,Q,\nregion,R,R,nowhere\n", {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].message,
            "bad.csv:3: column 4 'parent': unknown parent group 'nowhere' in "
            "hierarchy 'region'");
  EXPECT_TRUE(svc->state() == before);
  svc.reset();
  EXPECT_TRUE(Open()->state() == before);
}

TEST_F(ServiceTest, CorrectionKeepsRevisionsWithAuthorAndTime) {
  auto svc = Open();
  Import(*svc, io::ImportKind::kGroups, "hierarchy,code,name,parent\nregion,P,P,\n");
  Import(*svc, io::ImportKind::kUnits, "code,name,region\nU,U,P\n");
  Import(*svc, io::ImportKind::kIndicators,
         "code,name,measure,direction,aggregation,role\nout,O,t,higher,sum,output\n");
  Import(*svc, io::ImportKind::kReports, "unit,indicator,date,value\nU,out,2026-03-01,5\n");
  Import(*svc, io::ImportKind::kReports, "unit,indicator,date,value\nU,out,2026-03-01,7\n");
  auto history = svc->store().ReportHistory(0, 0, Date::FromCivil(2026, 3, 1));
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].value, 5);
  EXPECT_EQ((*history)[1].value, 7);
  EXPECT_EQ((*history)[1].batch.author, "test");
  EXPECT_EQ((*history)[1].batch.recorded_at, "2026-11-23T10:00:00Z");
  EXPECT_EQ(svc->state().ReportValue(0, 0, Date::FromCivil(2026, 3, 1)), 7);
}

// Reports stream into the store in chunks while the file is parsed; an error after
// chunks were written must still leave the store as it was.
TEST_F(ServiceTest, StreamedImportWithALateErrorWritesNothing) {
  auto svc = Open();
  Import(*svc, io::ImportKind::kGroups, "hierarchy,code,name,parent\nregion,P,P,\n");
  Import(*svc, io::ImportKind::kUnits, "code,name,region\nU,U,P\n");
  Import(*svc, io::ImportKind::kIndicators,
         "code,name,measure,direction,aggregation,role\nout,O,t,higher,sum,output\n");
  std::string csv = "unit,indicator,date,value\n";
  for (int d = 0; d < 300; ++d) {
    csv += "U,out," + FormatDate(Date::FromCivil(2026, 1, 1) + d) + ",1\n";
  }
  csv += "U,out,2026-13-01,1\n";
  const engine::State before = svc->state();
  auto r = svc->ImportText(io::ImportKind::kReports, "late.csv", csv,
                           {.author = "t", .stream_chunk_rows = 7});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(*svc->store().ReportRevisionCount(), 0);
  EXPECT_TRUE(svc->state() == before);
  svc.reset();
  auto reopened = Open();
  EXPECT_TRUE(reopened->state() == before);
  EXPECT_EQ(*reopened->store().ReportRevisionCount(), 0);
}

TEST_F(ServiceTest, StreamedImportStoresEveryRowOnce) {
  auto svc = Open();
  Import(*svc, io::ImportKind::kGroups, "hierarchy,code,name,parent\nregion,P,P,\n");
  Import(*svc, io::ImportKind::kUnits, "code,name,region\nU,U,P\nV,V,P\n");
  Import(*svc, io::ImportKind::kIndicators,
         "code,name,measure,direction,aggregation,role\nout,O,t,higher,sum,output\n");
  std::string csv = "unit,indicator,date,value\n";
  for (int d = 0; d < 500; ++d) {
    const std::string date = FormatDate(Date::FromCivil(2026, 1, 1) + d);
    csv += "U,out," + date + "," + std::to_string(d) + "\nV,out," + date + ",2\n";
  }
  auto r = svc->ImportText(io::ImportKind::kReports, "big.csv", csv,
                           {.author = "t", .stream_chunk_rows = 7});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->errors.empty());
  EXPECT_EQ(r->imported, 1000);
  EXPECT_GT(r->reports_streamed, 0u);
  EXPECT_EQ(*svc->store().ReportRevisionCount(), 1000);
  const engine::State incremental = svc->state();
  svc.reset();
  EXPECT_TRUE(Open()->state() == incremental);
}

TEST_F(ServiceTest, ImportJsonCommitsLikeImportText) {
  auto svc = Open();
  Import(*svc, io::ImportKind::kGroups, "hierarchy,code,name,parent\nregion,P,P,\n");
  auto units = svc->ImportJson(io::ImportKind::kUnits, "api",
                               R"([{"code":"U","name":"천리마","region":"P","capacity":12.5}])",
                               {.author = "kim"});
  ASSERT_TRUE(units.ok()) << units.error().message;
  ASSERT_TRUE(units->errors.empty()) << units->errors[0].message;
  Import(*svc, io::ImportKind::kIndicators,
         "code,name,measure,direction,aggregation,role\nout,O,t,higher,sum,output\n");
  auto r = svc->ImportJson(io::ImportKind::kReports, "api-body",
                           R"([{"unit":"U","indicator":"out","date":"2026-03-01","value":0.1},
                               {"unit":"U","indicator":"out","date":"2026-03-02","value":7,
                                "key":"k1"}])",
                           {.author = "kim", .stream_chunk_rows = 1});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->errors.empty()) << r->errors[0].message;
  EXPECT_EQ(r->imported, 2);
  EXPECT_EQ(*svc->store().ReportRevisionCount(), 2);
  EXPECT_EQ(svc->state().ReportValue(0, 0, Date::FromCivil(2026, 3, 1)), 0.1);
  EXPECT_EQ(svc->state().units()[0].name, "천리마");
  auto history = svc->store().ReportHistory(0, 0, Date::FromCivil(2026, 3, 2));
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].batch.source, "api-body");
  EXPECT_EQ((*history)[0].batch.author, "kim");
  // The key was stored: the same report again is ignored.
  r = svc->ImportJson(io::ImportKind::kReports, "api-body",
                      R"({"unit":"U","indicator":"out","date":"2026-03-02","value":7,"key":"k1"})",
                      {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ignored, 1);
  const engine::State incremental = svc->state();
  svc.reset();
  EXPECT_TRUE(Open()->state() == incremental);
}

TEST_F(ServiceTest, ImportJsonDryRunAndErrorsWriteNothing) {
  auto svc = Open();
  Import(*svc, io::ImportKind::kGroups, "hierarchy,code,name,parent\nregion,P,P,\n");
  Import(*svc, io::ImportKind::kUnits, "code,name,region\nU,U,P\n");
  Import(*svc, io::ImportKind::kIndicators,
         "code,name,measure,direction,aggregation,role\nout,O,t,higher,sum,output\n");
  const engine::State before = svc->state();
  const std::string body = R"([{"unit":"U","indicator":"out","date":"2026-03-01","value":5}])";
  auto r = svc->ImportJson(io::ImportKind::kReports, "api", body, {.dry_run = true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->imported, 1);
  EXPECT_EQ(*svc->store().ReportRevisionCount(), 0);
  EXPECT_TRUE(svc->state() == before);

  r = svc->ImportJson(io::ImportKind::kReports, "api",
                      R"([{"unit":"U","indicator":"out","date":"2026-03-01","value":5},
                          {"unit":"U","indicator":"out","date":"2026-03-02","value":"5,5"}])",
                      {.stream_chunk_rows = 1});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].message,
            "$[1].value: '5,5' is not a number (use digits, '.' for decimals)");
  EXPECT_EQ(*svc->store().ReportRevisionCount(), 0);

  r = svc->ImportJson(io::ImportKind::kReports, "api", "[{\"unit\":}]", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "line 1, column 10: expected a value, found character '}'");
  EXPECT_EQ(*svc->store().ReportRevisionCount(), 0);
  EXPECT_TRUE(svc->state() == before);
  svc.reset();
  EXPECT_TRUE(Open()->state() == before);
}

// A refused import writes nothing, even a reports file large enough to be streamed.
TEST_F(ServiceTest, AuthorizeRefusalLeavesStoreAndStateUnchanged) {
  auto svc = Open();
  Import(*svc, io::ImportKind::kGroups, "hierarchy,code,name,parent\nregion,P,P,\n");
  Import(*svc, io::ImportKind::kUnits, "code,name,region\nU,U,P\n");
  Import(*svc, io::ImportKind::kIndicators,
         "code,name,measure,direction,aggregation,role\nout,O,t,higher,sum,output\n");
  Import(*svc, io::ImportKind::kReports, "unit,indicator,date,value\nU,out,2026-01-01,1\n");
  const engine::State before = svc->state();
  std::string csv = "unit,indicator,date,value\n";
  std::string json = "[";
  for (int d = 0; d < 300; ++d) {
    const std::string date = FormatDate(Date::FromCivil(2026, 2, 1) + d);
    csv += "U,out," + date + ",2\n";
    json += std::string(d > 0 ? "," : "") + R"({"unit":"U","indicator":"out","date":")" + date +
            R"(","value":2})";
  }
  json += "]";
  size_t seen = 0;
  const ImportRequest refuse{.author = "viewer",
                             .stream_chunk_rows = 7,
                             .authorize = [&](const Changes& changes) -> Status {
                               seen = changes.reports.size();
                               return FailedPrecondition("viewer may not import reports");
                             }};
  auto r = svc->ImportText(io::ImportKind::kReports, "big.csv", csv, refuse);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "viewer may not import reports");
  EXPECT_EQ(seen, 300u);
  EXPECT_EQ(*svc->store().ReportRevisionCount(), 1);
  EXPECT_TRUE(svc->state() == before);

  seen = 0;
  r = svc->ImportJson(io::ImportKind::kReports, "api", json, refuse);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(seen, 300u);
  EXPECT_EQ(*svc->store().ReportRevisionCount(), 1);
  EXPECT_TRUE(svc->state() == before);

  // A dry run is authorized too; input with errors is not (it is refused anyway).
  seen = 0;
  ImportRequest dry = refuse;
  dry.dry_run = true;
  r = svc->ImportJson(io::ImportKind::kReports, "api", json, dry);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(seen, 300u);
  bool called = false;
  r = svc->ImportJson(io::ImportKind::kReports, "api", R"({"unit":"X"})",
                      {.authorize = [&](const Changes&) -> Status {
                        called = true;
                        return OkStatus();
                      }});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->errors.empty());
  EXPECT_FALSE(called);

  svc.reset();
  auto reopened = Open();
  EXPECT_TRUE(reopened->state() == before);
  EXPECT_EQ(*reopened->store().ReportRevisionCount(), 1);

  // Authorized, the same import commits.
  r = reopened->ImportJson(io::ImportKind::kReports, "api", json,
                           {.stream_chunk_rows = 7, .authorize = [&](const Changes& changes) {
                              seen = changes.reports.size();
                              return OkStatus();
                            }});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->errors.empty());
  EXPECT_EQ(r->reports_streamed, 0u);
  EXPECT_EQ(*reopened->store().ReportRevisionCount(), 301);
  const engine::State incremental = reopened->state();
  reopened.reset();
  EXPECT_TRUE(Open()->state() == incremental);
}

// Two units with January plans of 100 a day; A reports 120 and B 90 on Jan 1 and 2; a
// drive of those two days.
TEST_F(ServiceTest, ASeasonIsFinalizedOnceAndItsResultsSurviveARebuild) {
  auto svc = Open();
  Import(*svc, io::ImportKind::kUnits, "code,name\nA,A\nB,B\n");
  Import(*svc, io::ImportKind::kIndicators,
         "code,name,measure,direction,aggregation,role,numerator,denominator\n"
         "out,Output,t,higher,sum,output,,\n");
  Import(
      *svc, io::ImportKind::kPlans,
      "target,indicator,period,value,method\nA,out,2026-01,3100,even\nB,out,2026-01,3100,even\n");
  Import(*svc, io::ImportKind::kReports,
         "unit,indicator,date,value\nA,out,2026-01-01,120\nA,out,2026-01-02,120\n"
         "B,out,2026-01-01,90\nB,out,2026-01-02,90\n");
  Drive d{.code = "jan",
          .name = "January",
          .start = Date::FromCivil(2026, 1, 1),
          .end = Date::FromCivil(2026, 1, 3),  // the two reported days: the season has ended
          .terms = {{.indicator = 0}}};
  Changes c;
  c.new_drives = {d};
  ASSERT_TRUE(svc->Commit(c, "create drive", "jan", "kim").ok());

  EXPECT_EQ(svc->FinalizeSeason(5, 0, "kim").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(svc->FinalizeSeason(0, 1, "kim").error().code, ErrorCode::kInvalidArgument);
  auto results = svc->FinalizeSeason(0, 0, "kim");
  ASSERT_TRUE(results.ok()) << results.error().message;
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].participant, (PlanTarget{false, 0}));
  EXPECT_EQ((*results)[0].title, "winner");
  EXPECT_NEAR((*results)[0].score, 120, 1e-9);  // 240 of 200
  EXPECT_NEAR((*results)[1].score, 90, 1e-9);
  EXPECT_EQ(svc->StoredResults(0, 0), *results);
  EXPECT_TRUE(svc->StoredResults(0, 1).empty());

  auto again = svc->FinalizeSeason(0, 0, "kim");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(svc->state().drive_results().size(), 2u);

  const engine::State incremental = svc->state();
  svc.reset();
  auto reopened = Open();
  EXPECT_TRUE(reopened->state() == incremental);
  EXPECT_EQ(reopened->StoredResults(0, 0), *results);
  EXPECT_EQ(reopened->FinalizeSeason(0, 0, "kim").error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace chollima::service
