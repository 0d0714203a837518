#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <span>

#include "store/sqlite.h"
#include "store/store.h"

namespace chollima::store {
namespace {

// Schema migrations, in order; migration i brings the schema to version i + 1.
// Report and plan revisions are append-only logs keyed by arrival order (seq), so bulk
// inserts stay sequential; the current value is the last revision of each key.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    R"sql(
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
)sql",
};

std::string JoinWeights(const std::array<double, 12>& w) {
  std::string s;
  for (size_t i = 0; i < w.size(); ++i) {
    if (i > 0) s.push_back(' ');
    s += std::to_string(w[i]);
  }
  return s;
}

std::array<double, 12> SplitWeights(const std::string& s) {
  std::array<double, 12> w{};
  size_t pos = 0;
  for (double& x : w) {
    size_t used = 0;
    x = std::stod(s.substr(pos), &used);
    pos += used;
  }
  return w;
}

// Reports are applied to the engine in chunks of this many rows while loading.
constexpr size_t kLoadChunk = 1 << 20;

class SqliteReportStream;

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Database db) : db_(std::move(db)) {}

  Status Migrate() {
    CHOLLIMA_RETURN_IF_ERROR(db_.Exec("PRAGMA journal_mode=WAL"));
    CHOLLIMA_RETURN_IF_ERROR(db_.Exec("PRAGMA synchronous=FULL"));
    CHOLLIMA_RETURN_IF_ERROR(db_.Exec("PRAGMA foreign_keys=OFF"));
    CHOLLIMA_RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size=-65536"));
    CHOLLIMA_RETURN_IF_ERROR(
        db_.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                 "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))"));
    auto version = db_.QueryInt("SELECT max(version) FROM schema_version", 0);
    if (!version.ok()) return version.error();
    if (*version > kSchemaVersion) {
      return FailedPrecondition(db_.path() + ": store schema version " + std::to_string(*version) +
                                " is newer than this chollima (" + std::to_string(kSchemaVersion) +
                                "); upgrade chollima");
    }
    for (auto v = static_cast<size_t>(*version); v < kMigrations.size(); ++v) {
      CHOLLIMA_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
      Status s = db_.Exec(kMigrations[v]);
      if (s.ok()) {
        s = db_.Exec("INSERT INTO schema_version(version) VALUES (" + std::to_string(v + 1) + ")");
      }
      if (!s.ok()) {
        (void)db_.Exec("ROLLBACK");
        return s;
      }
      CHOLLIMA_RETURN_IF_ERROR(db_.Exec("COMMIT"));
    }
    schema_version_ = kSchemaVersion;
    return OkStatus();
  }

  int schema_version() const override { return schema_version_; }

  Status Rollback() { return db_.Exec("ROLLBACK"); }
  Status CommitTransaction() { return db_.Exec("COMMIT"); }

  Result<engine::State> Load() override {
    engine::State state;
    CHOLLIMA_RETURN_IF_ERROR(db_.Exec("BEGIN"));
    Status s = LoadInto(state);
    (void)db_.Exec("COMMIT");
    if (!s.ok()) return s.error();
    return state;
  }

  Result<int64_t> Commit(const Changes& changes, const BatchInfo& batch) override {
    CHOLLIMA_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    auto id = Write(changes, batch);
    if (!id.ok()) {
      (void)db_.Exec("ROLLBACK");
      return id.error();
    }
    if (Status s = db_.Exec("COMMIT"); !s.ok()) {
      (void)db_.Exec("ROLLBACK");
      return s.error();
    }
    return *id;
  }

  Result<std::vector<Revision>> ReportHistory(UnitId unit, IndicatorId indicator,
                                              Date day) override {
    auto stmt = db_.Prepare(
        "SELECT r.seq, r.value, b.kind, b.source, b.author, b.recorded_at "
        "FROM report_revision r JOIN batch b ON b.id = r.batch "
        "WHERE r.unit = ?1 AND r.indicator = ?2 AND r.day = ?3 ORDER BY r.seq");
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, unit);
    stmt->Bind(2, indicator);
    stmt->Bind(3, day.days());
    return ReadRevisions(*stmt);
  }

  Result<std::vector<Revision>> PlanHistory(const PlanTarget& target, IndicatorId indicator,
                                            const Period& period) override {
    auto stmt = db_.Prepare(
        "SELECT p.seq, p.value, b.kind, b.source, b.author, b.recorded_at "
        "FROM plan_revision p JOIN batch b ON b.id = p.batch "
        "WHERE p.target_is_group = ?1 AND p.target = ?2 AND p.indicator = ?3 "
        "AND p.begin_day = ?4 AND p.end_day = ?5 AND p.grain = ?6 ORDER BY p.seq");
    if (!stmt.ok()) return stmt.error();
    stmt->Bind(1, int32_t{target.is_group ? 1 : 0});
    stmt->Bind(2, target.id);
    stmt->Bind(3, indicator);
    stmt->Bind(4, period.begin.days());
    stmt->Bind(5, period.end.days());
    stmt->Bind(6, static_cast<int32_t>(period.grain));
    return ReadRevisions(*stmt);
  }

  Result<std::optional<Report>> FindReportKey(const std::string& key) override {
    if (!find_key_) {
      auto stmt = db_.Prepare("SELECT unit, indicator, day, value FROM report_key WHERE key = ?1");
      if (!stmt.ok()) return stmt.error();
      find_key_ = std::move(*stmt);
    }
    Statement& stmt = *find_key_;
    stmt.Reset();
    stmt.Bind(1, key);
    auto row = stmt.Step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<Report>();
    Report r{stmt.Int32(0), stmt.Int32(1), Date(stmt.Int32(2)), stmt.Double(3)};
    stmt.Reset();
    return std::optional<Report>(r);
  }

  Result<std::unique_ptr<ReportStream>> BeginReportStream(const BatchInfo& batch) override;

  Result<int64_t> ReportRevisionCount() override {
    return db_.QueryInt("SELECT count(*) FROM report_revision", 0);
  }

 private:
  friend class SqliteReportStream;

  Result<std::vector<Revision>> ReadRevisions(Statement& stmt) {
    std::vector<Revision> out;
    CHOLLIMA_RETURN_IF_ERROR(ForEachRow(stmt, [&](Statement& row) {
      out.push_back(
          {row.Int(0), row.Double(1), {row.Text(2), row.Text(3), row.Text(4), row.Text(5)}});
    }));
    return out;
  }

  Status LoadInto(engine::State& state) {
    // Hierarchies, groups, units, indicators: ids are dense and loaded in id order.
    {
      auto st = db_.Prepare("SELECT code FROM hierarchy ORDER BY id");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(
          ForEachRow(*st, [&](Statement& row) { state.AddHierarchy({row.Text(0)}); }));
    }
    {
      auto st = db_.Prepare("SELECT hierarchy, code, name, parent FROM grp ORDER BY id");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddGroup({.hierarchy = row.Int32(0),
                        .code = row.Text(1),
                        .name = row.Text(2),
                        .parent = row.IsNull(3) ? kNoId : row.Int32(3)});
      }));
    }
    {
      auto st = db_.Prepare("SELECT code, name FROM unit ORDER BY id");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(
          *st, [&](Statement& row) { state.AddUnit({.code = row.Text(0), .name = row.Text(1)}); }));
    }
    CHOLLIMA_RETURN_IF_ERROR(LoadAttributes(state));
    {
      auto st = db_.Prepare(
          "SELECT unit, hierarchy, grp, from_day FROM membership ORDER BY unit, hierarchy, "
          "from_day");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddMembership({row.Int32(0), row.Int32(1), row.Int32(2), Date(row.Int32(3))});
      }));
    }
    {
      auto st = db_.Prepare(
          "SELECT code, name, measure, direction, aggregation, role, grain, numerator, "
          "denominator FROM indicator ORDER BY id");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddIndicator({.code = row.Text(0),
                            .name = row.Text(1),
                            .measure = row.Text(2),
                            .direction = static_cast<Direction>(row.Int32(3)),
                            .aggregation = static_cast<Aggregation>(row.Int32(4)),
                            .role = static_cast<Role>(row.Int32(5)),
                            .grain = static_cast<Grain>(row.Int32(6)),
                            .numerator = row.IsNull(7) ? kNoId : row.Int32(7),
                            .denominator = row.IsNull(8) ? kNoId : row.Int32(8)});
      }));
    }
    {
      auto st = db_.Prepare("SELECT code, weights FROM profile ORDER BY id");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddProfile({row.Text(0), SplitWeights(row.Text(1))});
      }));
    }
    {
      WorkCalendar cal;
      auto st = db_.Prepare("SELECT weekday, rest FROM calendar_rest");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        const int w = row.Int32(0);
        if (w >= 0 && w < 7) cal.rest_weekdays[static_cast<size_t>(w)] = row.Int32(1) != 0;
      }));
      auto ex = db_.Prepare("SELECT day, working FROM calendar_exception ORDER BY seq");
      if (!ex.ok()) return ex.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*ex, [&](Statement& row) {
        cal.exceptions.emplace_back(Date(row.Int32(0)), row.Int32(1) != 0);
      }));
      state.SetCalendar(std::move(cal));
    }
    {
      auto st = db_.Prepare(
          "SELECT target_is_group, target, indicator, grain, begin_day, end_day, value, "
          "method, profile FROM plan_revision ORDER BY seq");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        Plan p;
        p.target = {row.Int32(0) != 0, row.Int32(1)};
        p.indicator = row.Int32(2);
        p.period = {static_cast<Grain>(row.Int32(3)), Date(row.Int32(4)), Date(row.Int32(5))};
        p.value = row.Double(6);
        p.method = static_cast<SplitMethod>(row.Int32(7));
        p.profile = row.IsNull(8) ? kNoId : row.Int32(8);
        state.SetPlan(p);
      }));
    }
    {
      auto st = db_.Prepare("SELECT unit, indicator, day, value FROM report_revision ORDER BY seq");
      if (!st.ok()) return st.error();
      std::vector<Report> chunk;
      chunk.reserve(kLoadChunk);
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        chunk.push_back({row.Int32(0), row.Int32(1), Date(row.Int32(2)), row.Double(3)});
        if (chunk.size() == kLoadChunk) {
          state.SetReports(chunk);
          chunk.clear();
        }
      }));
      state.SetReports(chunk);
    }
    return OkStatus();
  }

  Status LoadAttributes(engine::State& state) {
    // Attribute names carry their position ("0001|capacity") so a unit's attributes
    // come back in the order they were given.
    auto st = db_.Prepare("SELECT unit, name, value FROM unit_attribute ORDER BY unit, name");
    if (!st.ok()) return st.error();
    std::vector<Unit> units = state.units();
    CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
      const auto unit = static_cast<size_t>(row.Int32(0));
      std::string name = row.Text(1);
      const size_t bar = name.find('|');
      if (bar != std::string::npos) name = name.substr(bar + 1);
      if (unit < units.size()) units[unit].attributes.emplace_back(name, row.Double(2));
    }));
    for (size_t u = 0; u < units.size(); ++u) {
      if (!units[u].attributes.empty()) state.ReplaceUnit(static_cast<UnitId>(u), units[u]);
    }
    return OkStatus();
  }

  Result<int64_t> InsertBatch(const BatchInfo& batch) {
    auto st =
        db_.Prepare("INSERT INTO batch(kind, source, author, recorded_at) VALUES (?1, ?2, ?3, ?4)");
    if (!st.ok()) return st.error();
    st->Bind(1, batch.kind);
    st->Bind(2, batch.source);
    st->Bind(3, batch.author);
    st->Bind(4, batch.recorded_at);
    CHOLLIMA_RETURN_IF_ERROR(st->Run());
    return sqlite3_last_insert_rowid(db_.handle());
  }

  Status InsertReports(std::span<const Report> reports, int64_t batch_id) {
    if (!insert_report_) {
      auto st = db_.Prepare(
          "INSERT INTO report_revision(unit, indicator, day, value, batch) "
          "VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!st.ok()) return st.error();
      insert_report_ = std::move(*st);
    }
    Statement& st = *insert_report_;
    for (const Report& r : reports) {
      st.Bind(1, r.unit);
      st.Bind(2, r.indicator);
      st.Bind(3, r.date.days());
      st.Bind(4, r.value);
      st.Bind(5, batch_id);
      CHOLLIMA_RETURN_IF_ERROR(st.Run());
    }
    return OkStatus();
  }

  Result<int64_t> Write(const Changes& c, const BatchInfo& batch) {
    auto id = InsertBatch(batch);
    if (!id.ok()) return id.error();
    CHOLLIMA_RETURN_IF_ERROR(WriteChanges(c, *id));
    return *id;
  }

  Status WriteChanges(const Changes& c, int64_t batch_id) {
    auto next_id = [&](const char* table) {
      return db_.QueryInt(std::string("SELECT coalesce(max(id) + 1, 0) FROM ") + table, 0);
    };
    if (!c.new_hierarchies.empty()) {
      auto id = next_id("hierarchy");
      if (!id.ok()) return id.error();
      auto st = db_.Prepare("INSERT INTO hierarchy(id, code) VALUES (?1, ?2)");
      if (!st.ok()) return st.error();
      int64_t next = *id;
      for (const Hierarchy& h : c.new_hierarchies) {
        st->Bind(1, next++);
        st->Bind(2, h.code);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
      }
    }
    if (!c.new_groups.empty() || !c.changed_groups.empty()) {
      auto id = next_id("grp");
      if (!id.ok()) return id.error();
      auto st = db_.Prepare(
          "INSERT INTO grp(id, hierarchy, code, name, parent) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT(id) DO UPDATE SET name = excluded.name");
      if (!st.ok()) return st.error();
      auto put = [&](int64_t gid, const Group& g) {
        st->Bind(1, gid);
        st->Bind(2, g.hierarchy);
        st->Bind(3, g.code);
        st->Bind(4, g.name);
        if (g.parent == kNoId) {
          st->BindNull(5);
        } else {
          st->Bind(5, g.parent);
        }
        return st->Run();
      };
      int64_t next = *id;
      for (const Group& g : c.new_groups) CHOLLIMA_RETURN_IF_ERROR(put(next++, g));
      for (const auto& [gid, g] : c.changed_groups) CHOLLIMA_RETURN_IF_ERROR(put(gid, g));
    }
    if (!c.new_units.empty() || !c.changed_units.empty()) {
      auto id = next_id("unit");
      if (!id.ok()) return id.error();
      auto st = db_.Prepare(
          "INSERT INTO unit(id, code, name) VALUES (?1, ?2, ?3) "
          "ON CONFLICT(id) DO UPDATE SET name = excluded.name");
      auto del = db_.Prepare("DELETE FROM unit_attribute WHERE unit = ?1");
      auto attr = db_.Prepare("INSERT INTO unit_attribute(unit, name, value) VALUES (?1, ?2, ?3)");
      if (!st.ok()) return st.error();
      if (!del.ok()) return del.error();
      if (!attr.ok()) return attr.error();
      auto put = [&](int64_t uid, const Unit& u) -> Status {
        st->Bind(1, uid);
        st->Bind(2, u.code);
        st->Bind(3, u.name);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        del->Bind(1, uid);
        CHOLLIMA_RETURN_IF_ERROR(del->Run());
        for (size_t i = 0; i < u.attributes.size(); ++i) {
          char prefix[32];
          std::snprintf(prefix, sizeof prefix, "%04zu|", i);
          attr->Bind(1, uid);
          attr->Bind(2, prefix + u.attributes[i].first);
          attr->Bind(3, u.attributes[i].second);
          CHOLLIMA_RETURN_IF_ERROR(attr->Run());
        }
        return OkStatus();
      };
      int64_t next = *id;
      for (const Unit& u : c.new_units) CHOLLIMA_RETURN_IF_ERROR(put(next++, u));
      for (const auto& [uid, u] : c.changed_units) CHOLLIMA_RETURN_IF_ERROR(put(uid, u));
    }
    if (!c.memberships.empty()) {
      auto st = db_.Prepare(
          "INSERT OR REPLACE INTO membership(unit, hierarchy, grp, from_day, batch) "
          "VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!st.ok()) return st.error();
      for (const Membership& m : c.memberships) {
        st->Bind(1, m.unit);
        st->Bind(2, m.hierarchy);
        st->Bind(3, m.group);
        st->Bind(4, m.from.days());
        st->Bind(5, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
      }
    }
    if (!c.new_indicators.empty() || !c.changed_indicators.empty()) {
      auto id = next_id("indicator");
      if (!id.ok()) return id.error();
      auto st = db_.Prepare(
          "INSERT OR REPLACE INTO indicator(id, code, name, measure, direction, aggregation, "
          "role, grain, numerator, denominator) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
      if (!st.ok()) return st.error();
      auto put = [&](int64_t iid, const Indicator& i) {
        st->Bind(1, iid);
        st->Bind(2, i.code);
        st->Bind(3, i.name);
        st->Bind(4, i.measure);
        st->Bind(5, static_cast<int32_t>(i.direction));
        st->Bind(6, static_cast<int32_t>(i.aggregation));
        st->Bind(7, static_cast<int32_t>(i.role));
        st->Bind(8, static_cast<int32_t>(i.grain));
        if (i.IsDerived()) {
          st->Bind(9, i.numerator);
          st->Bind(10, i.denominator);
        } else {
          st->BindNull(9);
          st->BindNull(10);
        }
        return st->Run();
      };
      int64_t next = *id;
      for (const Indicator& i : c.new_indicators) CHOLLIMA_RETURN_IF_ERROR(put(next++, i));
      for (const auto& [iid, i] : c.changed_indicators) CHOLLIMA_RETURN_IF_ERROR(put(iid, i));
    }
    if (!c.profiles.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO profile(id, code, weights) VALUES "
          "((SELECT coalesce(max(id) + 1, 0) FROM profile), ?1, ?2) "
          "ON CONFLICT(code) DO UPDATE SET weights = excluded.weights");
      if (!st.ok()) return st.error();
      for (const Profile& p : c.profiles) {
        st->Bind(1, p.code);
        st->Bind(2, JoinWeights(p.month_weights));
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
      }
    }
    if (c.calendar) {
      CHOLLIMA_RETURN_IF_ERROR(db_.Exec("DELETE FROM calendar_rest"));
      CHOLLIMA_RETURN_IF_ERROR(db_.Exec("DELETE FROM calendar_exception"));
      auto rest = db_.Prepare("INSERT INTO calendar_rest(weekday, rest) VALUES (?1, ?2)");
      auto ex = db_.Prepare("INSERT INTO calendar_exception(day, working) VALUES (?1, ?2)");
      if (!rest.ok()) return rest.error();
      if (!ex.ok()) return ex.error();
      for (int32_t w = 0; w < 7; ++w) {
        rest->Bind(1, w);
        rest->Bind(2, int32_t{c.calendar->rest_weekdays[static_cast<size_t>(w)] ? 1 : 0});
        CHOLLIMA_RETURN_IF_ERROR(rest->Run());
      }
      for (const auto& [day, working] : c.calendar->exceptions) {
        ex->Bind(1, day.days());
        ex->Bind(2, int32_t{working ? 1 : 0});
        CHOLLIMA_RETURN_IF_ERROR(ex->Run());
      }
    }
    if (!c.plans.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO plan_revision(target_is_group, target, indicator, grain, begin_day, "
          "end_day, value, method, profile, batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
          "?10)");
      if (!st.ok()) return st.error();
      for (const Plan& p : c.plans) {
        st->Bind(1, int32_t{p.target.is_group ? 1 : 0});
        st->Bind(2, p.target.id);
        st->Bind(3, p.indicator);
        st->Bind(4, static_cast<int32_t>(p.period.grain));
        st->Bind(5, p.period.begin.days());
        st->Bind(6, p.period.end.days());
        st->Bind(7, p.value);
        st->Bind(8, static_cast<int32_t>(p.method));
        if (p.profile == kNoId) {
          st->BindNull(9);
        } else {
          st->Bind(9, p.profile);
        }
        st->Bind(10, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
      }
    }
    CHOLLIMA_RETURN_IF_ERROR(InsertReports(c.reports, batch_id));
    if (!c.report_keys.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO report_key(key, unit, indicator, day, value, batch) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      if (!st.ok()) return st.error();
      for (const ReportKey& k : c.report_keys) {
        st->Bind(1, k.key);
        st->Bind(2, k.report.unit);
        st->Bind(3, k.report.indicator);
        st->Bind(4, k.report.date.days());
        st->Bind(5, k.report.value);
        st->Bind(6, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
      }
    }
    return OkStatus();
  }

  Database db_;
  int schema_version_ = 0;
  std::optional<Statement> find_key_;
  std::optional<Statement> insert_report_;
};

// Reports written inside one open transaction; rolled back unless committed.
class SqliteReportStream final : public ReportStream {
 public:
  SqliteReportStream(SqliteStore& store, int64_t batch_id) : store_(store), batch_id_(batch_id) {}
  ~SqliteReportStream() override {
    if (open_) (void)store_.Rollback();
  }

  Status Append(std::span<const Report> reports) override {
    if (!open_) return Internal("report stream used after commit or rollback");
    return store_.InsertReports(reports, batch_id_);
  }

  Result<int64_t> Commit(const Changes& rest) override {
    if (!open_) return Internal("report stream used after commit or rollback");
    open_ = false;
    if (Status s = store_.WriteChanges(rest, batch_id_); !s.ok()) {
      (void)store_.Rollback();
      return s.error();
    }
    if (Status s = store_.CommitTransaction(); !s.ok()) {
      (void)store_.Rollback();
      return s.error();
    }
    return batch_id_;
  }

 private:
  SqliteStore& store_;
  int64_t batch_id_;
  bool open_ = true;
};

Result<std::unique_ptr<ReportStream>> SqliteStore::BeginReportStream(const BatchInfo& batch) {
  CHOLLIMA_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
  auto id = InsertBatch(batch);
  if (!id.ok()) {
    (void)Rollback();
    return id.error();
  }
  return std::unique_ptr<ReportStream>(std::make_unique<SqliteReportStream>(*this, *id));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode) {
  auto db = Database::Open(path, mode == OpenMode::kCreate);
  if (!db.ok()) return db.error();
  auto store = std::make_unique<SqliteStore>(std::move(*db));
  CHOLLIMA_RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace chollima::store
