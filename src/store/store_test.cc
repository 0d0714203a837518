#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <set>
#include <tuple>

#include "store/json_text.h"
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

// ---- Schema version 2: the audit log, and migration from version 1.

// The schema of version 1, as released: migration 1 of sqlite_store.cc.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE batch (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL, source TEXT NOT NULL, author TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE hierarchy (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
CREATE TABLE grp (
  id INTEGER PRIMARY KEY,
  hierarchy INTEGER NOT NULL REFERENCES hierarchy(id),
  code TEXT NOT NULL, name TEXT NOT NULL,
  parent INTEGER REFERENCES grp(id),
  UNIQUE (hierarchy, code));
CREATE TABLE unit (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE unit_attribute (
  unit INTEGER NOT NULL REFERENCES unit(id), name TEXT NOT NULL, value REAL NOT NULL,
  PRIMARY KEY (unit, name)) WITHOUT ROWID;
CREATE TABLE membership (
  unit INTEGER NOT NULL REFERENCES unit(id),
  hierarchy INTEGER NOT NULL REFERENCES hierarchy(id),
  grp INTEGER NOT NULL REFERENCES grp(id),
  from_day INTEGER NOT NULL,
  batch INTEGER NOT NULL REFERENCES batch(id),
  PRIMARY KEY (unit, hierarchy, from_day)) WITHOUT ROWID;
CREATE TABLE indicator (
  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  measure TEXT NOT NULL, direction INTEGER NOT NULL, aggregation INTEGER NOT NULL,
  role INTEGER NOT NULL, grain INTEGER NOT NULL,
  numerator INTEGER REFERENCES indicator(id), denominator INTEGER REFERENCES indicator(id));
CREATE TABLE profile (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, weights TEXT NOT NULL);
CREATE TABLE calendar_rest (weekday INTEGER PRIMARY KEY, rest INTEGER NOT NULL);
CREATE TABLE calendar_exception (seq INTEGER PRIMARY KEY, day INTEGER NOT NULL,
  working INTEGER NOT NULL);
CREATE TABLE plan_revision (
  seq INTEGER PRIMARY KEY,
  target_is_group INTEGER NOT NULL, target INTEGER NOT NULL,
  indicator INTEGER NOT NULL REFERENCES indicator(id),
  grain INTEGER NOT NULL, begin_day INTEGER NOT NULL, end_day INTEGER NOT NULL,
  value REAL NOT NULL, method INTEGER NOT NULL, profile INTEGER,
  batch INTEGER NOT NULL REFERENCES batch(id));
CREATE INDEX plan_revision_key ON plan_revision (target_is_group, target, indicator, begin_day);
CREATE TABLE report_revision (
  seq INTEGER PRIMARY KEY,
  unit INTEGER NOT NULL, indicator INTEGER NOT NULL, day INTEGER NOT NULL,
  value REAL NOT NULL, batch INTEGER NOT NULL);
CREATE TABLE report_key (
  key TEXT PRIMARY KEY, unit INTEGER NOT NULL, indicator INTEGER NOT NULL,
  day INTEGER NOT NULL, value REAL NOT NULL, batch INTEGER NOT NULL) WITHOUT ROWID;
)sql";

const BatchInfo kFirst{"import units", "units.csv", "kim", "2026-01-01T00:00:00Z"};
const BatchInfo kSecond{"import reports", "reports.csv", "lee", "2026-01-02T00:00:00Z"};

Date Jan(int day) { return Date::FromCivil(2026, 1, day); }

// Two hierarchies, two groups of one, units M1 (in P1) and M2, indicator coal.
Changes SmallEconomy() {
  Changes c;
  c.new_hierarchies = {{"region"}};
  c.new_groups = {{.hierarchy = 0, .code = "P1", .name = "Province 1"},
                  {.hierarchy = 0, .code = "P2", .name = "Province 2"}};
  c.new_units = {{"M1", "Mine 1", {{"capacity", 10}}}, {"M2", "Mine 2", {}}};
  c.memberships = {{0, 0, 0, kBeginningOfTime}, {1, 0, 1, kBeginningOfTime}};
  c.new_indicators = {{.code = "coal", .name = "Coal", .measure = "t"}};
  return c;
}

TEST_F(StoreTest, MigratesAVersion1StoreAndKeepsItsData) {
  const std::string path = dir_ + "/v1.db";
  {
    auto db = Database::Open(path, true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA journal_mode=WAL").ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at "
                         "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))")
                    .ok());
    ASSERT_TRUE(db->Exec(kSchemaV1).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO schema_version(version) VALUES (1)").ok());
    ASSERT_TRUE(db->Exec(R"sql(
INSERT INTO batch VALUES (1, 'import units', 'units.csv', 'kim', '2025-12-01T00:00:00Z');
INSERT INTO batch VALUES (2, 'import reports', 'reports.csv', 'lee', '2025-12-02T00:00:00Z');
INSERT INTO hierarchy VALUES (0, 'region');
INSERT INTO grp VALUES (0, 0, 'P1', 'Province 1', NULL);
INSERT INTO unit VALUES (0, 'M1', 'Mine 1');
INSERT INTO unit_attribute VALUES (0, '0000|capacity', 10);
INSERT INTO membership VALUES (0, 0, 0, -1073741824, 1);
INSERT INTO indicator VALUES (0, 'coal', 'Coal', 't', 0, 0, 0, 0, NULL, NULL);
INSERT INTO report_revision VALUES (1, 0, 0, 20455, 5, 2);
INSERT INTO report_revision VALUES (2, 0, 0, 20455, 6, 2);
)sql")
                    .ok());
  }
  auto s = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ((*s)->schema_version(), kSchemaVersion);
  auto state = (*s)->Load();
  ASSERT_TRUE(state.ok()) << state.error().message;
  ASSERT_EQ(state->units().size(), 1u);
  EXPECT_EQ(state->units()[0].code, "M1");
  ASSERT_EQ(state->units()[0].attributes.size(), 1u);
  EXPECT_EQ(state->GroupOf(0, 0, Date(20455)), 0);
  EXPECT_EQ(state->ReportValue(0, 0, Date(20455)), 6);
  EXPECT_EQ(*(*s)->ReportRevisionCount(), 2);
  // The batches written before the audit log have their audit rows.
  auto audit = (*s)->Audit({});
  ASSERT_TRUE(audit.ok()) << audit.error().message;
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].action, "import reports");
  EXPECT_EQ((*audit)[0].actor, "lee");
  EXPECT_EQ((*audit)[0].batch, 2);
  EXPECT_EQ((*audit)[1].at, "2025-12-01T00:00:00Z");
  // And what those batches changed, as far as version 1 kept it.
  auto changes = (*s)->AuditChanges(2, 100);
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[1].old_value, "5");
  EXPECT_EQ((*changes)[1].new_value, "6");
  // Writing goes on from there, audited.
  Changes more;
  more.reports = {{0, 0, Date(20456), 7}};
  auto batch = (*s)->Commit(more, kSecond);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_EQ(*batch, 3);
  EXPECT_EQ((*s)->Audit({})->size(), 3u);
  s = OpenSqliteStore(path, OpenMode::kExisting);  // reopening migrates nothing more
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->Audit({})->size(), 3u);
}

TEST_F(StoreTest, EveryCommitWritesOneAuditRowAndAFailedOneNone) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  auto first = (*s)->Commit(SmallEconomy(), kFirst);
  ASSERT_TRUE(first.ok()) << first.error().message;
  Changes reports;
  reports.reports = {{0, 0, Jan(2), 5}};
  auto second = (*s)->Commit(reports, kSecond);
  ASSERT_TRUE(second.ok());

  Changes bad;
  bad.report_keys = {{"dup", {}}, {"dup", {}}};
  EXPECT_FALSE(
      (*s)->Commit(bad, {"import reports", "bad.csv", "eve", "2026-01-03T00:00:00Z"}).ok());

  auto audit = (*s)->Audit({});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);  // newest first; nothing of the failed commit
  const AuditEntry& e = (*audit)[0];
  EXPECT_EQ(e.at, kSecond.recorded_at);
  EXPECT_EQ(e.actor, "lee");
  EXPECT_EQ(e.action, "import reports");
  EXPECT_EQ(e.target, "reports.csv");
  EXPECT_EQ(e.batch, *second);
  EXPECT_FALSE(e.old_value.has_value());
  EXPECT_FALSE(e.new_value.has_value());
  EXPECT_EQ((*audit)[1].batch, *first);
  EXPECT_GT((*audit)[0].seq, (*audit)[1].seq);
}

TEST_F(StoreTest, ReportStreamWritesItsAuditRowOnlyWhenCommitted) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Commit(SmallEconomy(), kFirst).ok());
  {
    auto stream = (*s)->BeginReportStream(kSecond);
    ASSERT_TRUE(stream.ok());
    const Report r{0, 0, Jan(2), 5};
    ASSERT_TRUE((*stream)->Append({&r, 1}).ok());
  }  // rolled back
  EXPECT_EQ((*s)->Audit({})->size(), 1u);
  auto stream = (*s)->BeginReportStream(kSecond);
  ASSERT_TRUE(stream.ok());
  const Report r{0, 0, Jan(2), 5};
  ASSERT_TRUE((*stream)->Append({&r, 1}).ok());
  auto batch = (*stream)->Commit({});
  ASSERT_TRUE(batch.ok());
  auto audit = (*s)->Audit({});
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].batch, *batch);
  EXPECT_EQ((*audit)[0].action, "import reports");
  auto changes = (*s)->AuditChanges(*batch, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].target, "M1");
}

TEST_F(StoreTest, AuditFiltersByActorActionAndTimeAndPages) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Commit(SmallEconomy(), kFirst).ok());
  for (int day = 2; day <= 5; ++day) {
    Changes c;
    c.reports = {{0, 0, Jan(day), double(day)}};
    const std::string at = "2026-01-0" + std::to_string(day) + "T00:00:00Z";
    ASSERT_TRUE((*s)->Commit(c, {"import reports", "r.csv", day % 2 ? "lee" : "kim", at}).ok());
  }
  EXPECT_EQ((*s)->Audit({.actor = "kim"})->size(), 3u);
  EXPECT_EQ((*s)->Audit({.actor = "nobody"})->size(), 0u);
  EXPECT_EQ((*s)->Audit({.action_prefix = "import"})->size(), 5u);
  EXPECT_EQ((*s)->Audit({.action_prefix = "import units"})->size(), 1u);
  EXPECT_EQ((*s)->Audit({.action_prefix = "import%"})->size(), 0u);  // no wildcards
  auto window = (*s)->Audit({.since = "2026-01-03T00:00:00Z", .until = "2026-01-05T00:00:00Z"});
  ASSERT_EQ(window->size(), 2u);
  EXPECT_EQ((*window)[0].at, "2026-01-04T00:00:00Z");
  auto page = (*s)->Audit({.offset = 1, .limit = 2});
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].at, "2026-01-04T00:00:00Z");
  EXPECT_EQ((*page)[1].at, "2026-01-03T00:00:00Z");
  auto one = (*s)->Audit({.seq = (*page)[1].seq});
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].at, "2026-01-03T00:00:00Z");
  EXPECT_TRUE((*s)->Audit({.seq = 999})->empty());
}

TEST_F(StoreTest, AuditChangesGivesOldAndNewValuesOfACorrection) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  Changes c = SmallEconomy();
  const Period year{Grain::kYear, Jan(1), Date::FromCivil(2027, 1, 1)};
  c.plans = {{{false, 0}, 0, year, 1000}};
  c.reports = {{0, 0, Jan(2), 4.5}, {1, 0, Jan(2), 3}};
  ASSERT_TRUE((*s)->Commit(c, kFirst).ok());
  Changes other;  // a batch in between, of another unit
  other.reports = {{1, 0, Jan(3), 8}};
  ASSERT_TRUE((*s)->Commit(other, kSecond).ok());

  Changes fix;
  fix.changed_units = {{0, {"M1", "Mine One", {{"capacity", 12}}}}};
  fix.memberships = {{0, 0, 1, Date::FromCivil(2026, 7, 1)}};
  fix.plans = {{{false, 0}, 0, year, 1100}, {{true, 0}, 0, year, 5000}};
  fix.reports = {{0, 0, Jan(2), 5.5}, {0, 0, Jan(4), 6}, {0, 0, Jan(2), 5.25}};
  auto batch = (*s)->Commit(fix, {"correct", "-", "kim", "2026-01-05T00:00:00Z"});
  ASSERT_TRUE(batch.ok()) << batch.error().message;

  auto changes = (*s)->AuditChanges(*batch, 100);
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  ASSERT_EQ(changes->size(), 7u);
  const auto& ch = *changes;
  EXPECT_EQ(ch[0].what, "unit");
  EXPECT_EQ(ch[0].target, "M1");
  EXPECT_EQ(ch[0].old_value, R"({"name":"Mine 1","attributes":{"capacity":10}})");
  EXPECT_EQ(ch[0].new_value, R"({"name":"Mine One","attributes":{"capacity":12}})");
  EXPECT_EQ(ch[1].what, "membership");
  EXPECT_EQ(ch[1].target, "M1 region");
  EXPECT_EQ(ch[1].when, "2026-07-01");
  EXPECT_EQ(ch[1].old_value, "P1");
  EXPECT_EQ(ch[1].new_value, "P2");
  EXPECT_EQ(ch[2].what, "plan");
  EXPECT_EQ(ch[2].target, "M1");
  EXPECT_EQ(ch[2].indicator, "coal");
  EXPECT_EQ(ch[2].when, "2026");
  EXPECT_EQ(ch[2].old_value, "1000");
  EXPECT_EQ(ch[2].new_value, "1100");
  EXPECT_TRUE(ch[2].numeric);
  EXPECT_EQ(ch[3].target, "region/P1");
  EXPECT_FALSE(ch[3].old_value.has_value());
  EXPECT_EQ(ch[3].new_value, "5000");
  EXPECT_EQ(ch[4].what, "report");
  EXPECT_EQ(ch[4].target, "M1");
  EXPECT_EQ(ch[4].indicator, "coal");
  EXPECT_EQ(ch[4].when, "2026-01-02");
  EXPECT_EQ(ch[4].old_value, "4.5");
  EXPECT_EQ(ch[4].new_value, "5.5");
  EXPECT_EQ(ch[5].when, "2026-01-04");
  EXPECT_FALSE(ch[5].old_value.has_value());  // a first report
  EXPECT_EQ(ch[5].new_value, "6");
  EXPECT_EQ(ch[6].old_value, "5.5");  // corrected twice in one batch
  EXPECT_EQ(ch[6].new_value, "5.25");

  auto limited = (*s)->AuditChanges(*batch, 5);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 5u);
  EXPECT_EQ((*limited)[4].old_value, "4.5");

  auto first = (*s)->AuditChanges(1, 100);
  ASSERT_TRUE(first.ok());
  // hierarchy, 2 groups, 2 units, 2 memberships, indicator, plan, 2 reports
  ASSERT_EQ(first->size(), 11u);
  EXPECT_EQ((*first)[0].what, "hierarchy");
  EXPECT_EQ((*first)[1].target, "region/P1");
  EXPECT_EQ((*first)[1].new_value, R"({"name":"Province 1","parent":null})");
  EXPECT_FALSE((*first)[5].old_value.has_value());  // a first membership
  EXPECT_EQ((*first)[7].what, "indicator");
  EXPECT_EQ((*first)[7].new_value,
            R"({"name":"Coal","measure":"t","direction":"higher","aggregation":"sum",)"
            R"("role":"output","grain":"day"})");

  auto none = (*s)->AuditChanges(99, 10);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, AuditChangesFindsEachBatchAmongMany) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Commit(SmallEconomy(), kFirst).ok());
  std::vector<int64_t> batches;
  for (int i = 0; i < 40; ++i) {
    Changes c;
    // Every third batch has no reports (a calendar or a plan only).
    if (i % 3 == 2) {
      c.profiles = {{"p" + std::to_string(i), {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}};
    } else {
      for (int k = 0; k <= i % 4; ++k) c.reports.push_back({0, 0, Jan(1 + k), double(i * 10 + k)});
    }
    auto b = (*s)->Commit(c, kSecond);
    ASSERT_TRUE(b.ok());
    batches.push_back(*b);
  }
  for (int i = 0; i < 40; ++i) {
    auto changes = (*s)->AuditChanges(batches[static_cast<size_t>(i)], 100);
    ASSERT_TRUE(changes.ok());
    if (i % 3 == 2) {
      ASSERT_EQ(changes->size(), 1u) << i;
      EXPECT_EQ((*changes)[0].what, "profile");
      continue;
    }
    ASSERT_EQ(changes->size(), static_cast<size_t>(i % 4 + 1)) << i;
    for (size_t k = 0; k < changes->size(); ++k) {
      EXPECT_EQ((*changes)[k].new_value, FormatNumber(i * 10 + static_cast<int>(k))) << i;
    }
  }
}

// ---- Schema version 3: drives, drive results, standards and outlier reviews.

// Migration 2 as released (accounts and the audit log), applied on top of kSchemaV1.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE account (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
  scope_hierarchy TEXT, scope_group TEXT, password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE account_unit (
  account INTEGER NOT NULL REFERENCES account(id), unit TEXT NOT NULL,
  PRIMARY KEY (account, unit)) WITHOUT ROWID;
CREATE TABLE session (
  token_hash TEXT PRIMARY KEY, account INTEGER NOT NULL REFERENCES account(id),
  csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX session_account ON session (account);
CREATE TABLE api_token (
  id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,
  account INTEGER NOT NULL REFERENCES account(id), label TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL, revoked_at TEXT);
CREATE INDEX api_token_account ON api_token (account);
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, old TEXT, new TEXT, batch INTEGER);
CREATE TABLE structure_revision (
  seq INTEGER PRIMARY KEY, batch INTEGER NOT NULL REFERENCES batch(id),
  what TEXT NOT NULL, target TEXT NOT NULL, day TEXT NOT NULL DEFAULT '', old TEXT, new TEXT);
CREATE INDEX structure_revision_batch ON structure_revision (batch);
INSERT INTO audit(at, actor, action, target, batch)
  SELECT recorded_at, author, kind, source, id FROM batch ORDER BY id;
)sql";

// A drive on SmallEconomy: M1 and M2 by output per capacity and % of plan, in leagues.
Drive SampleDrive() {
  Drive d;
  d.code = "winter26";
  d.name = "Winter drive";
  d.start = Jan(1);
  d.end = Date::FromCivil(2027, 1, 1);
  d.season_grain = Grain::kQuarter;
  d.participants = {.groups = false, .hierarchy = 0, .level = 1, .within = 0};
  d.terms = {
      {.indicator = 0, .weight = 0.6},
      {.indicator = 0, .weight = 0.4, .normalization = Normalization::kPerCapacity, .capacity = 0}};
  d.growth_base = GrowthBase::kPreviousSeason;
  d.leagues = {.hierarchy = 0,
               .level = 1,
               .size_attribute = "capacity",
               .size_bounds = {100, 1000.5},
               .promote = 2,
               .relegate = 1};
  d.streak_grain = Grain::kMonth;
  return d;
}

Changes EmulationChanges() {
  Changes c;
  c.new_drives = {SampleDrive()};
  Drive groups = SampleDrive();
  groups.code = "provinces";
  groups.season_grain.reset();
  groups.participants = {.groups = true, .hierarchy = 0, .level = 1};
  groups.leagues = {};
  groups.terms = {{.indicator = 0, .weight = 1, .normalization = Normalization::kZScore}};
  c.new_drives.push_back(groups);
  c.standards = {{.indicator = 0, .peer_group = 1, .from = Jan(1), .value = 40, .note = "set"},
                 {.indicator = 0,
                  .peer_group = kNoId,
                  .from = Jan(1),
                  .value = 35.5,
                  .source = StandardSource::kDerived,
                  .note = "derived"}};
  c.outlier_reviews = {{.unit = 1,
                        .indicator = 0,
                        .date = Jan(2),
                        .value = 900,
                        .confirmed = false,
                        .reviewer = "kim",
                        .note = "typo"}};
  return c;
}

TEST_F(StoreTest, EmulationFactsRoundTripAndLoadEqualsTheAppliedState) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  engine::State applied;
  Changes first = SmallEconomy();
  ASSERT_TRUE((*s)->Commit(first, kFirst).ok());
  engine::ApplyChanges(first, applied);
  Changes second = EmulationChanges();
  ASSERT_TRUE((*s)->Commit(second, kSecond).ok());
  engine::ApplyChanges(second, applied);
  Changes third;
  third.drive_results = {
      {.drive = 0,
       .season = 0,
       .participant = {false, 1},
       .tier = 1,
       .league = "region/P1 tier 1",
       .rank = 1,
       .overall = 1,
       .score = 104.25,
       .title = "winner"},
      {.drive = 0,
       .season = 0,
       .participant = {false, 0},
       .tier = 2,
       .league = "region/P1 tier 2",
       .rank = 1,
       .overall = 2,
       .score = 99,
       .title = "league_winner"},
      {.drive = 1, .season = 0, .participant = {true, 1}, .rank = 1, .overall = 1, .score = 1.5}};
  // A later revision of the same (indicator, peer group, from) replaces it in the State.
  third.standards = {
      {.indicator = 0, .peer_group = 1, .from = Jan(1), .value = 42, .note = "fix"},
      {.indicator = 0, .peer_group = 1, .from = Date::FromCivil(2026, 7, 1), .value = 44}};
  third.outlier_reviews = {{.unit = 1,
                            .indicator = 0,
                            .date = Jan(2),
                            .value = 900,
                            .confirmed = true,
                            .reviewer = "lee"}};
  ASSERT_TRUE((*s)->Commit(third, kSecond).ok());
  engine::ApplyChanges(third, applied);

  auto loaded = (*s)->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_TRUE(*loaded == applied);
  ASSERT_EQ(loaded->drives().size(), 2u);
  EXPECT_EQ(loaded->drives()[0], SampleDrive());
  EXPECT_EQ(loaded->FindDrive("provinces"), 1);
  EXPECT_FALSE(loaded->drives()[1].season_grain.has_value());
  EXPECT_EQ(loaded->drives()[1].leagues.hierarchy, kNoId);
  EXPECT_EQ(loaded->drive_results(), third.drive_results);
  EXPECT_TRUE(loaded->IsSeasonFinalized(0, 0));
  EXPECT_FALSE(loaded->IsSeasonFinalized(0, 1));
  ASSERT_EQ(loaded->standards().size(), 3u);
  EXPECT_EQ(loaded->standards()[0].peer_group, kNoId);
  EXPECT_EQ(loaded->standards()[0].source, StandardSource::kDerived);
  EXPECT_EQ(loaded->standards()[1].value, 42);
  EXPECT_EQ(loaded->standards()[2].value, 44);
  ASSERT_EQ(loaded->outlier_reviews().size(), 2u);
  EXPECT_FALSE(loaded->outlier_reviews()[0].confirmed);
  EXPECT_TRUE(loaded->outlier_reviews()[1].confirmed);
  EXPECT_EQ(loaded->outlier_reviews()[0].note, "typo");
}

TEST_F(StoreTest, LearningFactsRoundTripInOrderWithTheirAudit) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  engine::State applied;
  Changes first = SmallEconomy();
  ASSERT_TRUE((*s)->Commit(first, kFirst).ok());
  engine::ApplyChanges(first, applied);
  Changes c;
  c.models = {
      {.peer_group = 1, .unit = 0, .from = Jan(5), .reason = "best per worker", .author = "kim"},
      {.peer_group = kNoId, .unit = 1, .from = Jan(6), .active = false, .author = "kim"}};
  c.follower_choices = {{.follower = 1, .model = 0, .from = Jan(7)},
                        {.follower = 1, .model = 0, .from = Jan(9), .active = false}};
  c.pair_rules = {{.mentor = 0,
                   .learner = 1,
                   .kind = PairRuleKind::kForbidden,
                   .author = "lee",
                   .note = "too far"},
                  {.mentor = 0, .learner = 1, .kind = PairRuleKind::kNone, .author = "lee"}};
  c.pairs = {{.peer_group = 1,
              .mentor = 0,
              .learner = 1,
              .from = Jan(10),
              .basis = "assigned",
              .period = "2026-01",
              .score_at_pairing = 0.8125,
              .author = "lee"}};
  auto batch = (*s)->Commit(c, kSecond);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  engine::ApplyChanges(c, applied);
  auto loaded = (*s)->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_TRUE(*loaded == applied);
  EXPECT_EQ(loaded->models(), c.models);
  EXPECT_EQ(loaded->follower_choices(), c.follower_choices);
  EXPECT_EQ(loaded->pair_rules(), c.pair_rules);
  EXPECT_EQ(loaded->pairs(), c.pairs);
  auto audit = (*s)->AuditChanges(*batch, 100);
  ASSERT_TRUE(audit.ok()) << audit.error().message;
  std::vector<std::string> what;
  for (const auto& a : *audit) what.push_back(a.what);
  EXPECT_THAT(what,
              ::testing::IsSupersetOf({"model", "model withdrawn", "follows model",
                                       "stops following model", "pair rule", "learning pair"}));
}

TEST_F(StoreTest, ASeasonsResultsAreWrittenOnceAndAFailedCommitLeavesNoDrive) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Commit(SmallEconomy(), kFirst).ok());
  ASSERT_TRUE((*s)->Commit(EmulationChanges(), kSecond).ok());
  Changes results;
  results.drive_results = {{.drive = 0, .season = 0, .participant = {false, 0}, .rank = 1}};
  ASSERT_TRUE((*s)->Commit(results, kSecond).ok());
  EXPECT_FALSE((*s)->Commit(results, kSecond).ok());
  // A duplicate drive code fails the whole batch, its standard included.
  Changes dup;
  dup.new_drives = {SampleDrive()};
  dup.standards = {{.indicator = 0, .from = Jan(5), .value = 1}};
  EXPECT_FALSE((*s)->Commit(dup, kSecond).ok());
  auto loaded = (*s)->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->drives().size(), 2u);
  EXPECT_EQ(loaded->drive_results().size(), 1u);
  EXPECT_EQ(loaded->standards().size(), 2u);
}

TEST_F(StoreTest, AuditChangesDescribeDrivesResultsStandardsAndReviews) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Commit(SmallEconomy(), kFirst).ok());
  auto batch = (*s)->Commit(EmulationChanges(), kSecond);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  auto ch = (*s)->AuditChanges(*batch, 100);
  ASSERT_TRUE(ch.ok()) << ch.error().message;
  ASSERT_EQ(ch->size(), 5u);
  EXPECT_EQ((*ch)[0].what, "drive");
  EXPECT_EQ((*ch)[0].target, "winter26");
  EXPECT_FALSE((*ch)[0].old_value.has_value());
  EXPECT_EQ((*ch)[0].new_value,
            R"({"name":"Winter drive","start":"2026-01-01","end":"2026-12-31",)"
            R"("season_grain":"quarter","participants":"units within region/P1",)"
            R"("rule":"coal:percent_of_plan@0.6,coal:per_capacity:coal@0.4",)"
            R"("growth_base":"previous_season","leagues":"region:1",)"
            R"("size_attribute":"capacity","size_bounds":"100 1000.5","promote":2,)"
            R"("relegate":1,"streak_grain":"month"})");
  EXPECT_EQ((*ch)[2].what, "standard");
  EXPECT_EQ((*ch)[2].target, "region/P2");
  EXPECT_EQ((*ch)[2].indicator, "coal");
  EXPECT_EQ((*ch)[2].when, "2026-01-01");
  EXPECT_EQ((*ch)[3].target, "all");
  EXPECT_EQ((*ch)[4].what, "outlier review");
  EXPECT_EQ((*ch)[4].target, "M2");
  EXPECT_EQ((*ch)[4].indicator, "coal");
  EXPECT_EQ((*ch)[4].new_value,
            R"({"value":900,"decision":"rejected","reviewer":"kim","note":"typo"})");

  Changes later;
  later.standards = {
      {.indicator = 0, .peer_group = 1, .from = Date::FromCivil(2026, 7, 1), .value = 44}};
  later.drive_results = {{.drive = 1,
                          .season = 0,
                          .participant = {true, 0},
                          .rank = 1,
                          .overall = 1,
                          .score = 2,
                          .title = "winner"}};
  batch = (*s)->Commit(later, kSecond);
  ASSERT_TRUE(batch.ok());
  ch = (*s)->AuditChanges(*batch, 100);
  ASSERT_TRUE(ch.ok());
  ASSERT_EQ(ch->size(), 2u);
  EXPECT_EQ((*ch)[0].what, "drive result");
  EXPECT_EQ((*ch)[0].target, "provinces");
  EXPECT_EQ((*ch)[0].when, "season 0");
  EXPECT_EQ((*ch)[0].new_value,
            R"({"participant":"region/P1","league":"","tier":1,"rank":1,"overall":1,)"
            R"("score":2,"title":"winner"})");
  // The revision in force before it is the old value.
  EXPECT_EQ((*ch)[1].old_value,
            R"({"from":"2026-01-01","value":40,"source":"manual","note":"set"})");
  EXPECT_EQ((*ch)[1].new_value, R"({"from":"2026-07-01","value":44,"source":"manual","note":""})");
}

// Property: after any sequence of batches of emulation facts, Load() gives the State the
// batches gave when applied one by one (the engine's incremental path).
TEST_F(StoreTest, LoadEqualsTheAppliedStateAfterRandomEmulationBatches) {
  auto s = OpenSqliteStore(dir_ + "/a.db", OpenMode::kCreate);
  ASSERT_TRUE(s.ok());
  engine::State applied;
  const Changes economy = SmallEconomy();
  ASSERT_TRUE((*s)->Commit(economy, kFirst).ok());
  engine::ApplyChanges(economy, applied);
  std::mt19937 rng(333);
  auto pick = [&](int n) { return static_cast<int32_t>(rng() % static_cast<uint32_t>(n)); };
  int drives = 0;
  std::set<std::tuple<int, int, int, int>> results;  // (drive, season, is_group, id)
  for (int batch = 0; batch < 30; ++batch) {
    Changes c;
    for (int k = pick(2); k > 0; --k) {
      Drive d = SampleDrive();
      d.code = "d" + std::to_string(drives++);
      d.terms.resize(static_cast<size_t>(1 + pick(3)));
      for (ScoreTerm& t : d.terms) t.weight = 0.25 * (1 + pick(8));
      if (pick(2) == 0) d.season_grain.reset();
      d.leagues.size_bounds.resize(static_cast<size_t>(pick(3)));
      c.new_drives.push_back(d);
    }
    const int known = static_cast<int>(applied.drives().size());
    for (int k = pick(4); k > 0 && known > 0; --k) {
      DriveResult r{.drive = pick(known),
                    .season = pick(3),
                    .participant = {pick(2) == 0, pick(2)},
                    .tier = 1 + pick(2),
                    .league = "L" + std::to_string(pick(3)),
                    .rank = 1 + pick(5),
                    .overall = 1 + pick(5),
                    .score = pick(1000) / 8.0,
                    .title = pick(2) == 0 ? "" : "winner"};
      if (results.insert({r.drive, r.season, r.participant.is_group, r.participant.id}).second) {
        c.drive_results.push_back(r);
      }
    }
    for (int k = pick(4); k > 0; --k) {
      c.standards.push_back(
          {.indicator = 0,
           .peer_group = pick(3) - 1,
           .from = Jan(1 + pick(4)),
           .value = pick(100) / 4.0,
           .source = pick(2) == 0 ? StandardSource::kManual : StandardSource::kDerived,
           .note = "n" + std::to_string(pick(9))});
    }
    for (int k = pick(3); k > 0; --k) {
      c.outlier_reviews.push_back({.unit = pick(2),
                                   .indicator = 0,
                                   .date = Jan(1 + pick(3)),
                                   .value = double(pick(50)),
                                   .confirmed = pick(2) == 0,
                                   .reviewer = "r" + std::to_string(pick(3)),
                                   .note = ""});
    }
    if (pick(3) == 0) c.reports = {{pick(2), 0, Jan(1 + pick(5)), double(pick(100))}};
    ASSERT_TRUE((*s)->Commit(c, kSecond).ok()) << batch;
    engine::ApplyChanges(c, applied);
    if (batch % 10 == 9) {
      auto loaded = (*s)->Load();
      ASSERT_TRUE(loaded.ok()) << loaded.error().message;
      ASSERT_TRUE(*loaded == applied) << "after batch " << batch;
      EXPECT_EQ(loaded->drives(), applied.drives());
      EXPECT_EQ(loaded->standards(), applied.standards());
    }
  }
  EXPECT_GT(applied.drives().size(), 5u);
  EXPECT_GT(applied.drive_results().size(), 5u);
}

TEST_F(StoreTest, MigratesAVersion2StoreAndKeepsItsData) {
  const std::string path = dir_ + "/v2.db";
  {
    auto db = Database::Open(path, true);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA journal_mode=WAL").ok());
    ASSERT_TRUE(db->Exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at "
                         "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))")
                    .ok());
    ASSERT_TRUE(db->Exec(kSchemaV1).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO schema_version(version) VALUES (1)").ok());
    ASSERT_TRUE(db->Exec(kSchemaV2).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO schema_version(version) VALUES (2)").ok());
    ASSERT_TRUE(db->Exec(R"sql(
INSERT INTO batch VALUES (1, 'import units', 'units.csv', 'kim', '2025-12-01T00:00:00Z');
INSERT INTO audit(at, actor, action, target, batch)
  VALUES ('2025-12-01T00:00:00Z', 'kim', 'import units', 'units.csv', 1);
INSERT INTO hierarchy VALUES (0, 'region');
INSERT INTO grp VALUES (0, 0, 'P1', 'Province 1', NULL);
INSERT INTO grp VALUES (1, 0, 'P2', 'Province 2', NULL);
INSERT INTO unit VALUES (0, 'M1', 'Mine 1');
INSERT INTO unit VALUES (1, 'M2', 'Mine 2');
INSERT INTO indicator VALUES (0, 'coal', 'Coal', 't', 0, 0, 0, 0, NULL, NULL);
INSERT INTO structure_revision(batch, what, target, day, old, new)
  VALUES (1, 'unit', 'M1', '', NULL, '{"name":"Mine 1","attributes":{}}');
INSERT INTO report_revision VALUES (1, 0, 0, 20455, 5, 1);
)sql")
                    .ok());
  }
  auto s = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ((*s)->schema_version(), kSchemaVersion);
  auto state = (*s)->Load();
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->units().size(), 2u);
  EXPECT_EQ(state->ReportValue(0, 0, Date(20455)), 5);
  EXPECT_TRUE(state->drives().empty());
  auto old_changes = (*s)->AuditChanges(1, 100);
  ASSERT_TRUE(old_changes.ok()) << old_changes.error().message;
  ASSERT_EQ(old_changes->size(), 2u);
  EXPECT_EQ((*old_changes)[0].what, "unit");
  EXPECT_EQ((*old_changes)[0].indicator, "");
  // The new facts can be written and read back.
  auto batch = (*s)->Commit(EmulationChanges(), kSecond);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  s = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(s.ok());
  state = (*s)->Load();
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->drives().size(), 2u);
  EXPECT_EQ(state->drives()[0], SampleDrive());
  EXPECT_EQ(state->standards().size(), 2u);
  EXPECT_EQ(state->outlier_reviews().size(), 1u);
}

}  // namespace
}  // namespace chollima::store
