#include "store/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite.h"

namespace chollima::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/chollima-store-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(StoreTest, ExistingModeRefusesMissingFile) {
  auto s = OpenSqliteStore(dir_ + "/none.db", OpenMode::kExisting);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/none.db"));
}

TEST_F(StoreTest, NewStoreIsAtCurrentVersionAndEmpty) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ((*s)->schema_version(), kSchemaVersion);
  auto state = (*s)->Load();
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->units().empty());
}

TEST_F(StoreTest, RefusesAStoreFromANewerRelease) {
  {
    auto db = Database::Open(dir_ + "/a.db", true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at "
                         "TEXT); INSERT INTO schema_version VALUES (99, 'x');")
                    .ok());
  }
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kExisting);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(s.error().message.find("newer than this chollima"), std::string::npos);
}

TEST_F(StoreTest, CommitThenLoadGivesTheSameFacts) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  Changes c;
  c.new_hierarchies = {{"region"}};
  c.new_groups = {{.hierarchy = 0, .code = "P", .name = "Province"},
                  {.hierarchy = 0, .code = "C", .name = "County", .parent = 0}};
  c.new_units = {{"U1", "천리마", {{"capacity", 12.5}, {"age", 3}}}};
  c.memberships = {{0, 0, 1, kBeginningOfTime}, {0, 0, 0, Date::FromCivil(2026, 7, 1)}};
  c.new_indicators = {{.code = "out", .name = "Output", .measure = "t"},
                      {.code = "wk", .name = "Workers", .aggregation = Aggregation::kMean},
                      {.code = "opw", .name = "Per worker", .numerator = 0, .denominator = 1}};
  c.profiles = {{"winter", {3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3}}};
  WorkCalendar cal;
  cal.rest_weekdays[5] = true;
  cal.exceptions = {{Date::FromCivil(2026, 1, 1), false}};
  c.calendar = cal;
  Period year{Grain::kYear, Date::FromCivil(2026, 1, 1), Date::FromCivil(2027, 1, 1)};
  c.plans = {{{false, 0}, 0, year, 1000, SplitMethod::kProfile, 0}};
  c.reports = {{0, 0, Date::FromCivil(2026, 1, 2), 4.5}, {0, 0, Date::FromCivil(2026, 1, 2), 5.5}};
  c.report_keys = {{"key-1", c.reports[0]}};
  auto batch = (*s)->Commit(c, {"test", "-", "kim", "2026-01-01T00:00:00Z"});
  ASSERT_TRUE(batch.ok()) << batch.error().message;

  auto state = (*s)->Load();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->units()[0].name, "천리마");
  ASSERT_EQ(state->units()[0].attributes.size(), 2u);
  EXPECT_EQ(state->units()[0].attributes[1].first, "age");
  EXPECT_EQ(state->groups()[1].depth, 2);
  EXPECT_EQ(state->GroupOf(0, 0, Date::FromCivil(2026, 6, 30)), 1);
  EXPECT_EQ(state->GroupOf(0, 0, Date::FromCivil(2026, 7, 1)), 0);
  EXPECT_EQ(state->indicators()[2].numerator, 0);
  EXPECT_TRUE(state->calendar().rest_weekdays[5]);
  EXPECT_EQ(state->plans().size(), 1u);
  EXPECT_EQ(state->plans()[0].method, SplitMethod::kProfile);
  EXPECT_EQ(state->ReportValue(0, 0, Date::FromCivil(2026, 1, 2)), 5.5);
  auto key = (*s)->FindReportKey("key-1");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->has_value());
  EXPECT_EQ((*key)->value, 4.5);
  auto missing = (*s)->FindReportKey("key-2");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(*(*s)->ReportRevisionCount(), 2);
}

TEST_F(StoreTest, FailedCommitWritesNothing) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  Changes c;
  c.report_keys = {{"dup", {}}, {"dup", {}}};  // violates the key's uniqueness
  c.reports = {{0, 0, Date::FromCivil(2026, 1, 2), 1}};
  auto batch = (*s)->Commit(c, {"test", "-", "kim", "t"});
  EXPECT_FALSE(batch.ok());
  EXPECT_EQ(*(*s)->ReportRevisionCount(), 0);
}

}  // namespace
}  // namespace chollima::store
