#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <span>
#include <unordered_map>

#include "core/emulation.h"
#include "core/learning.h"
#include "core/period.h"
#include "core/text.h"
#include "store/json_text.h"
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
    // 2: accounts, sessions, API tokens (accounts.h), the audit log, and the old and new
    // descriptions of structure changes. Batches written before get their audit rows.
    // A reporter's units are rows of account_unit (codes, as users type them).
    R"sql(
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
)sql",
    // 3: emulation (core/emulation.h): drives with their terms, finalized drive results,
    // standard revisions and outlier reviews; structure revisions name an indicator.
    // Days are day numbers, enums their integer values, kNoId is NULL.
    R"sql(
CREATE TABLE drive (
  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  start_day INTEGER NOT NULL, end_day INTEGER NOT NULL, season_grain INTEGER,
  participant_groups INTEGER NOT NULL, participant_hierarchy INTEGER,
  participant_level INTEGER NOT NULL, participant_within INTEGER,
  growth_base INTEGER NOT NULL,
  league_hierarchy INTEGER, league_level INTEGER NOT NULL, size_attribute TEXT NOT NULL,
  size_bounds TEXT NOT NULL, promote INTEGER NOT NULL, relegate INTEGER NOT NULL,
  streak_grain INTEGER NOT NULL,
  batch INTEGER NOT NULL REFERENCES batch(id));
CREATE TABLE drive_term (
  drive INTEGER NOT NULL REFERENCES drive(id), position INTEGER NOT NULL,
  indicator INTEGER NOT NULL, weight REAL NOT NULL, normalization INTEGER NOT NULL,
  capacity INTEGER,
  PRIMARY KEY (drive, position)) WITHOUT ROWID;
CREATE TABLE drive_result (
  seq INTEGER PRIMARY KEY, drive INTEGER NOT NULL REFERENCES drive(id),
  season INTEGER NOT NULL, participant_is_group INTEGER NOT NULL, participant INTEGER NOT NULL,
  tier INTEGER NOT NULL, league TEXT NOT NULL, rank INTEGER NOT NULL, overall INTEGER NOT NULL,
  score REAL NOT NULL, title TEXT NOT NULL,
  batch INTEGER NOT NULL REFERENCES batch(id),
  UNIQUE (drive, season, participant_is_group, participant));
CREATE TABLE standard_revision (
  seq INTEGER PRIMARY KEY, indicator INTEGER NOT NULL, peer_group INTEGER,
  from_day INTEGER NOT NULL, value REAL NOT NULL, source INTEGER NOT NULL,
  note TEXT NOT NULL, batch INTEGER NOT NULL REFERENCES batch(id));
CREATE TABLE outlier_review (
  seq INTEGER PRIMARY KEY, unit INTEGER NOT NULL, indicator INTEGER NOT NULL,
  day INTEGER NOT NULL, value REAL NOT NULL, confirmed INTEGER NOT NULL,
  reviewer TEXT NOT NULL, note TEXT NOT NULL,
  batch INTEGER NOT NULL REFERENCES batch(id));
ALTER TABLE structure_revision ADD COLUMN indicator TEXT NOT NULL DEFAULT '';
)sql",
    // 4: models and learning (core/learning.h): revisions of model designations,
    // followers' choices, pair rules and learning pairs, appended in order.
    R"sql(
CREATE TABLE model_designation (
  seq INTEGER PRIMARY KEY, peer_group INTEGER, unit INTEGER NOT NULL, from_day INTEGER NOT NULL,
  active INTEGER NOT NULL, reason TEXT NOT NULL, author TEXT NOT NULL,
  batch INTEGER NOT NULL REFERENCES batch(id));
CREATE TABLE follower_choice (
  seq INTEGER PRIMARY KEY, follower INTEGER NOT NULL, model INTEGER NOT NULL,
  from_day INTEGER NOT NULL, active INTEGER NOT NULL,
  batch INTEGER NOT NULL REFERENCES batch(id));
CREATE TABLE pair_rule (
  seq INTEGER PRIMARY KEY, mentor INTEGER NOT NULL, learner INTEGER NOT NULL,
  kind INTEGER NOT NULL, author TEXT NOT NULL, note TEXT NOT NULL,
  batch INTEGER NOT NULL REFERENCES batch(id));
CREATE TABLE learning_pair (
  seq INTEGER PRIMARY KEY, peer_group INTEGER, mentor INTEGER NOT NULL, learner INTEGER NOT NULL,
  from_day INTEGER NOT NULL, active INTEGER NOT NULL, basis TEXT NOT NULL, period TEXT NOT NULL,
  frontier TEXT NOT NULL, score_at_pairing REAL NOT NULL, author TEXT NOT NULL,
  batch INTEGER NOT NULL REFERENCES batch(id));
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

constexpr std::array<const char*, 7> kWeekdayNames = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                      "Friday", "Saturday", "Sunday"};

std::string DescribeCalendar(const WorkCalendar& cal) {
  std::vector<std::string> rest;
  for (size_t w = 0; w < 7; ++w) {
    if (cal.rest_weekdays[w]) rest.emplace_back(kWeekdayNames[w]);
  }
  std::string exceptions = "[";
  for (const auto& [day, working] : cal.exceptions) {
    if (exceptions.size() > 1) exceptions.push_back(',');
    exceptions +=
        JsonObject().Add("date", FormatDate(day)).Add("day", working ? "working" : "holiday").str();
  }
  exceptions.push_back(']');
  return JsonObject().AddRaw("rest", JsonStringArray(rest)).AddRaw("exceptions", exceptions).str();
}

// Int64 bound for SQLite's LIMIT and OFFSET.
int64_t SqlCount(size_t n) {
  return static_cast<int64_t>(std::min<size_t>(n, std::numeric_limits<int64_t>::max()));
}

// Report revisions are keyed by (unit, indicator, day).
struct ReportRevisionKey {
  int32_t unit;
  int32_t indicator;
  int32_t day;
  friend bool operator==(const ReportRevisionKey&, const ReportRevisionKey&) = default;
};
struct ReportRevisionKeyHash {
  size_t operator()(const ReportRevisionKey& k) const {
    uint64_t h = static_cast<uint32_t>(k.unit);
    h = h * 0x9E3779B97F4A7C15ULL ^ static_cast<uint32_t>(k.indicator);
    h = h * 0x9E3779B97F4A7C15ULL ^ static_cast<uint32_t>(k.day);
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

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

  Result<std::vector<AuditEntry>> Audit(const AuditQuery& q) override {
    auto st = db_.Prepare(
        "SELECT seq, at, actor, action, target, old, new, batch FROM audit "
        "WHERE (?1 = '' OR actor = ?1) "
        "AND (?2 = '' OR substr(action, 1, length(?2)) = ?2) "
        "AND (?3 = '' OR at >= ?3) AND (?4 = '' OR at < ?4) "
        "AND (?7 IS NULL OR seq = ?7) "
        "ORDER BY seq DESC LIMIT ?5 OFFSET ?6");
    if (!st.ok()) return st.error();
    st->Bind(1, q.actor);
    st->Bind(2, q.action_prefix);
    st->Bind(3, q.since);
    st->Bind(4, q.until);
    st->Bind(5, SqlCount(q.limit));
    st->Bind(6, SqlCount(q.offset));
    if (q.seq) st->Bind(7, *q.seq);
    std::vector<AuditEntry> out;
    CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
      AuditEntry e{.seq = row.Int(0),
                   .at = row.Text(1),
                   .actor = row.Text(2),
                   .action = row.Text(3),
                   .target = row.Text(4)};
      if (!row.IsNull(5)) e.old_value = row.Text(5);
      if (!row.IsNull(6)) e.new_value = row.Text(6);
      if (!row.IsNull(7)) e.batch = row.Int(7);
      out.push_back(std::move(e));
    }));
    return out;
  }

  Result<std::vector<AuditChange>> AuditChanges(int64_t batch, size_t limit) override {
    auto exists = db_.QueryInt("SELECT count(*) FROM batch WHERE id = " + std::to_string(batch), 0);
    if (!exists.ok()) return exists.error();
    if (*exists == 0) return NotFound("no batch " + std::to_string(batch));
    std::vector<AuditChange> out;
    // One read transaction, so the three parts see the same store.
    CHOLLIMA_RETURN_IF_ERROR(db_.Exec("BEGIN"));
    Status s = StructureChanges(batch, limit, out);
    if (s.ok()) s = PlanChanges(batch, limit, out);
    if (s.ok()) s = ReportChanges(batch, limit, out);
    (void)db_.Exec("COMMIT");
    if (!s.ok()) return s.error();
    return out;
  }

 private:
  friend class SqliteReportStream;

  Status StructureChanges(int64_t batch, size_t limit, std::vector<AuditChange>& out) {
    if (out.size() >= limit) return OkStatus();
    auto st = db_.Prepare(
        "SELECT what, target, day, old, new, indicator FROM structure_revision WHERE batch = ?1 "
        "ORDER BY seq LIMIT ?2");
    if (!st.ok()) return st.error();
    st->Bind(1, batch);
    st->Bind(2, SqlCount(limit - out.size()));
    return ForEachRow(*st, [&](Statement& row) {
      AuditChange c{.what = row.Text(0),
                    .target = row.Text(1),
                    .indicator = row.Text(5),
                    .when = row.Text(2)};
      if (!row.IsNull(3)) c.old_value = row.Text(3);
      if (!row.IsNull(4)) c.new_value = row.Text(4);
      out.push_back(std::move(c));
    });
  }

  // "M1" for a unit target, "region/P1" for a group target; cached.
  Result<std::string> TargetCode(bool is_group, int32_t id,
                                 std::unordered_map<int64_t, std::string>& cache) {
    const int64_t key = (is_group ? int64_t{1} << 32 : 0) | static_cast<uint32_t>(id);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    auto code = is_group ? GroupPath(id) : CodeOf("unit", id);
    if (!code.ok()) return code.error();
    cache.emplace(key, *code);
    return *code;
  }

  Result<std::string> IndicatorCode(int32_t id, std::unordered_map<int32_t, std::string>& cache) {
    if (auto it = cache.find(id); it != cache.end()) return it->second;
    auto code = CodeOf("indicator", id);
    if (!code.ok()) return code.error();
    cache.emplace(id, *code);
    return *code;
  }

  Status PlanChanges(int64_t batch, size_t limit, std::vector<AuditChange>& out) {
    if (out.size() >= limit) return OkStatus();
    // Plans are few (no index on batch); the previous revision comes from the key index.
    auto st = db_.Prepare(
        "SELECT p.target_is_group, p.target, p.indicator, p.grain, p.begin_day, p.end_day, "
        "p.value, (SELECT q.value FROM plan_revision q WHERE q.target_is_group = "
        "p.target_is_group AND q.target = p.target AND q.indicator = p.indicator AND "
        "q.begin_day = p.begin_day AND q.end_day = p.end_day AND q.grain = p.grain AND "
        "q.seq < p.seq ORDER BY q.seq DESC LIMIT 1) "
        "FROM plan_revision p WHERE p.batch = ?1 ORDER BY p.seq LIMIT ?2");
    if (!st.ok()) return st.error();
    st->Bind(1, batch);
    st->Bind(2, SqlCount(limit - out.size()));
    std::unordered_map<int64_t, std::string> targets;
    std::unordered_map<int32_t, std::string> indicators;
    Status failed;
    CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
      if (!failed.ok()) return;
      auto target = TargetCode(row.Int32(0) != 0, row.Int32(1), targets);
      auto indicator = IndicatorCode(row.Int32(2), indicators);
      if (!target.ok() || !indicator.ok()) {
        failed = !target.ok() ? target.error() : indicator.error();
        return;
      }
      const Period period{static_cast<Grain>(row.Int32(3)), Date(row.Int32(4)), Date(row.Int32(5))};
      AuditChange c{.what = "plan",
                    .target = *target,
                    .indicator = *indicator,
                    .when = FormatPeriod(period),
                    .new_value = FormatNumber(row.Double(6)),
                    .numeric = true};
      if (!row.IsNull(7)) c.old_value = FormatNumber(row.Double(7));
      out.push_back(std::move(c));
    }));
    return failed;
  }

  // The seq of the first report revision of `batch`, or nullopt when it has none.
  // Revisions arrive in batch order (every write holds the store's write lock from its
  // batch row to its commit), so batch is non-decreasing in seq and a binary search over
  // seq finds the batch without an index (which would slow imports).
  Result<std::optional<int64_t>> FirstReportSeq(int64_t batch) {
    auto lo = db_.QueryInt("SELECT min(seq) FROM report_revision", -1);
    auto hi = db_.QueryInt("SELECT max(seq) FROM report_revision", -1);
    if (!lo.ok()) return lo.error();
    if (!hi.ok()) return hi.error();
    if (*lo < 0 || *hi < 0) return std::optional<int64_t>();
    auto probe_st =
        db_.Prepare("SELECT seq, batch FROM report_revision WHERE seq >= ?1 ORDER BY seq LIMIT 1");
    if (!probe_st.ok()) return probe_st.error();
    // The first row at or after `seq`: (its seq, its batch).
    auto probe = [&](int64_t seq) -> Result<std::pair<int64_t, int64_t>> {
      probe_st->Reset();
      probe_st->Bind(1, seq);
      auto row = probe_st->Step();
      if (!row.ok()) return row.error();
      if (!*row) return std::pair<int64_t, int64_t>{-1, std::numeric_limits<int64_t>::max()};
      return std::pair<int64_t, int64_t>{probe_st->Int(0), probe_st->Int(1)};
    };
    int64_t a = *lo;
    int64_t b = *hi;  // the smallest seq whose first row has batch >= `batch` is in [a, b]
    auto last = probe(b);
    if (!last.ok()) return last.error();
    if (last->second < batch) return std::optional<int64_t>();
    while (a < b) {
      const int64_t mid = a + (b - a) / 2;
      auto p = probe(mid);
      if (!p.ok()) return p.error();
      if (p->second >= batch) {
        b = mid;
      } else {
        a = mid + 1;
      }
    }
    auto first = probe(a);
    if (!first.ok()) return first.error();
    if (first->second != batch) return std::optional<int64_t>();
    return std::optional<int64_t>(first->first);
  }

  Status ReportChanges(int64_t batch, size_t limit, std::vector<AuditChange>& out) {
    if (out.size() >= limit) return OkStatus();
    auto first = FirstReportSeq(batch);
    if (!first.ok()) return first.error();
    if (!first->has_value()) return OkStatus();
    struct Row {
      ReportRevisionKey key;
      double value;
      std::optional<double> previous;  // when an earlier revision of the batch set the key
      bool first_in_batch;
    };
    std::vector<Row> rows;
    // Previous values: from an earlier revision in the same batch, or (looked up below)
    // from the last revision before the batch.
    std::unordered_map<ReportRevisionKey, double, ReportRevisionKeyHash> latest;
    std::unordered_map<ReportRevisionKey, std::optional<double>, ReportRevisionKeyHash> before;
    {
      auto st = db_.Prepare(
          "SELECT unit, indicator, day, value, batch FROM report_revision WHERE seq >= ?1 "
          "ORDER BY seq");
      if (!st.ok()) return st.error();
      st->Bind(1, **first);
      const size_t wanted = limit - out.size();
      while (rows.size() < wanted) {
        auto row = st->Step();
        if (!row.ok()) return row.error();
        if (!*row || st->Int(4) != batch) break;
        Row r{{st->Int32(0), st->Int32(1), st->Int32(2)}, st->Double(3), std::nullopt, false};
        if (auto it = latest.find(r.key); it != latest.end()) {
          r.previous = it->second;
        } else {
          r.first_in_batch = true;
          before.emplace(r.key, std::nullopt);
        }
        latest[r.key] = r.value;
        rows.push_back(r);
      }
    }
    if (!before.empty()) {
      // Newest first, stopping once every key has its previous value.
      auto st = db_.Prepare(
          "SELECT unit, indicator, day, value FROM report_revision WHERE seq < ?1 "
          "ORDER BY seq DESC");
      if (!st.ok()) return st.error();
      st->Bind(1, **first);
      size_t missing = before.size();
      while (missing > 0) {
        auto row = st->Step();
        if (!row.ok()) return row.error();
        if (!*row) break;
        auto it = before.find({st->Int32(0), st->Int32(1), st->Int32(2)});
        if (it != before.end() && !it->second) {
          it->second = st->Double(3);
          --missing;
        }
      }
    }
    std::unordered_map<int64_t, std::string> units;
    std::unordered_map<int32_t, std::string> indicators;
    for (const Row& r : rows) {
      auto unit = TargetCode(false, r.key.unit, units);
      if (!unit.ok()) return unit.error();
      auto indicator = IndicatorCode(r.key.indicator, indicators);
      if (!indicator.ok()) return indicator.error();
      AuditChange c{.what = "report",
                    .target = *unit,
                    .indicator = *indicator,
                    .when = FormatDate(Date(r.key.day)),
                    .new_value = FormatNumber(r.value),
                    .numeric = true};
      const std::optional<double> previous = r.first_in_batch ? before[r.key] : r.previous;
      if (previous) c.old_value = FormatNumber(*previous);
      out.push_back(std::move(c));
    }
    return OkStatus();
  }

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
    return LoadEmulation(state);
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
    const int64_t id = sqlite3_last_insert_rowid(db_.handle());
    // The audit row of the batch, in the same transaction: old and new values are in the
    // revision tables (see AuditChanges).
    auto audit = db_.Prepare(
        "INSERT INTO audit(at, actor, action, target, batch) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!audit.ok()) return audit.error();
    audit->Bind(1, batch.recorded_at);
    audit->Bind(2, batch.author);
    audit->Bind(3, batch.kind);
    audit->Bind(4, batch.source);
    audit->Bind(5, id);
    CHOLLIMA_RETURN_IF_ERROR(audit->Run());
    return id;
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

  // Records one structure change of batch `batch_id` with its old and new description.
  Status RecordStructure(int64_t batch_id, std::string_view what, std::string_view target,
                         std::string_view day, const std::optional<std::string>& old_value,
                         const std::optional<std::string>& new_value,
                         std::string_view indicator = "") {
    if (!record_structure_) {
      auto st = db_.Prepare(
          "INSERT INTO structure_revision(batch, what, target, day, old, new, indicator) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      if (!st.ok()) return st.error();
      record_structure_ = std::move(*st);
    }
    Statement& st = *record_structure_;
    st.Bind(1, batch_id);
    st.Bind(2, what);
    st.Bind(3, target);
    st.Bind(4, day);
    if (old_value) {
      st.Bind(5, *old_value);
    } else {
      st.BindNull(5);
    }
    if (new_value) {
      st.Bind(6, *new_value);
    } else {
      st.BindNull(6);
    }
    st.Bind(7, indicator);
    return st.Run();
  }

  // A statement prepared once and kept (structure writes look up codes row by row).
  // Hold a ResetOnExit while using it, so that it is reset for the next use.
  Result<Statement*> Cached(const std::string& sql) {
    auto it = cached_.find(sql);
    if (it == cached_.end()) {
      auto st = db_.Prepare(sql);
      if (!st.ok()) return st.error();
      it = cached_.emplace(sql, std::move(*st)).first;
    }
    return &it->second;
  }
  struct ResetOnExit {
    Statement* st;
    ~ResetOnExit() { st->Reset(); }
  };

  // The single text the query returns for integer parameter `id`, or nullopt.
  Result<std::optional<std::string>> QueryText(const std::string& sql, int64_t id) {
    auto st = Cached(sql);
    if (!st.ok()) return st.error();
    const ResetOnExit reset{*st};
    (*st)->Bind(1, id);
    auto row = (*st)->Step();
    if (!row.ok()) return row.error();
    if (!*row || (*st)->IsNull(0)) return std::optional<std::string>();
    return std::optional<std::string>((*st)->Text(0));
  }

  // "region/P1" for a stored group.
  Result<std::string> GroupPath(int64_t group) {
    auto text = QueryText(
        "SELECT h.code || '/' || g.code FROM grp g JOIN hierarchy h ON h.id = g.hierarchy "
        "WHERE g.id = ?1",
        group);
    if (!text.ok()) return text.error();
    return text->value_or("#" + std::to_string(group));
  }

  Result<std::string> CodeOf(const char* table, int64_t id) {
    auto text = QueryText(std::string("SELECT code FROM ") + table + " WHERE id = ?1", id);
    if (!text.ok()) return text.error();
    return text->value_or("#" + std::to_string(id));
  }

  // The stored description of a group, or nullopt when there is none.
  Result<std::optional<std::string>> DescribeStoredGroup(int64_t gid) {
    auto cached = Cached("SELECT name, parent FROM grp WHERE id = ?1");
    if (!cached.ok()) return cached.error();
    Statement* st = *cached;
    const ResetOnExit reset{st};
    st->Bind(1, gid);
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<std::string>();
    JsonObject o;
    o.Add("name", st->Text(0));
    if (st->IsNull(1)) {
      o.AddNull("parent");
    } else {
      auto parent = CodeOf("grp", st->Int(1));
      if (!parent.ok()) return parent.error();
      o.Add("parent", *parent);
    }
    return std::optional<std::string>(o.str());
  }

  // The stored description of a unit (name and attributes), or nullopt when there is none.
  Result<std::optional<std::string>> DescribeStoredUnit(int64_t uid) {
    auto name = QueryText("SELECT name FROM unit WHERE id = ?1", uid);
    if (!name.ok()) return name.error();
    if (!name->has_value()) return std::optional<std::string>();
    Unit u;
    u.name = **name;
    auto st = Cached("SELECT name, value FROM unit_attribute WHERE unit = ?1 ORDER BY name");
    if (!st.ok()) return st.error();
    const ResetOnExit reset{*st};
    (*st)->Bind(1, uid);
    CHOLLIMA_RETURN_IF_ERROR(ForEachRow(**st, [&](Statement& row) {
      std::string attr = row.Text(0);
      const size_t bar = attr.find('|');
      if (bar != std::string::npos) attr = attr.substr(bar + 1);
      u.attributes.emplace_back(attr, row.Double(1));
    }));
    return std::optional<std::string>(DescribeUnit(u));
  }

  static std::string DescribeUnit(const Unit& u) {
    JsonObject attributes;
    for (const auto& [name, value] : u.attributes) attributes.Add(name, value);
    return JsonObject().Add("name", u.name).AddRaw("attributes", attributes.str()).str();
  }

  // Describes an indicator; its numerator and denominator are looked up by id.
  Result<std::string> DescribeIndicator(const Indicator& i) {
    JsonObject o;
    o.Add("name", i.name)
        .Add("measure", i.measure)
        .Add("direction", DirectionName(i.direction))
        .Add("aggregation", AggregationName(i.aggregation))
        .Add("role", RoleName(i.role))
        .Add("grain", GrainName(i.grain));
    if (i.IsDerived()) {
      auto num = CodeOf("indicator", i.numerator);
      if (!num.ok()) return num.error();
      auto den = CodeOf("indicator", i.denominator);
      if (!den.ok()) return den.error();
      o.Add("numerator", *num).Add("denominator", *den);
    }
    return o.str();
  }

  Result<std::optional<std::string>> DescribeStoredIndicator(int64_t iid) {
    auto cached = Cached(
        "SELECT name, measure, direction, aggregation, role, grain, numerator, denominator "
        "FROM indicator WHERE id = ?1");
    if (!cached.ok()) return cached.error();
    Statement* st = *cached;
    const ResetOnExit reset{st};
    st->Bind(1, iid);
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<std::string>();
    Indicator i{.name = st->Text(0),
                .measure = st->Text(1),
                .direction = static_cast<Direction>(st->Int32(2)),
                .aggregation = static_cast<Aggregation>(st->Int32(3)),
                .role = static_cast<Role>(st->Int32(4)),
                .grain = static_cast<Grain>(st->Int32(5)),
                .numerator = st->IsNull(6) ? kNoId : st->Int32(6),
                .denominator = st->IsNull(7) ? kNoId : st->Int32(7)};
    auto text = DescribeIndicator(i);
    if (!text.ok()) return text.error();
    return std::optional<std::string>(*text);
  }

  static std::string DescribeWeights(const std::array<double, 12>& weights) {
    std::string out = "[";
    for (size_t m = 0; m < weights.size(); ++m) {
      if (m > 0) out.push_back(',');
      out += FormatNumber(weights[m]);
    }
    out.push_back(']');
    return JsonObject().AddRaw("month_weights", out).str();
  }

  Result<std::string> DescribeStoredCalendar() {
    WorkCalendar cal;
    cal.rest_weekdays.fill(false);
    auto st = db_.Prepare("SELECT weekday, rest FROM calendar_rest");
    if (!st.ok()) return st.error();
    bool any = false;
    CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
      any = true;
      const int w = row.Int32(0);
      if (w >= 0 && w < 7) cal.rest_weekdays[static_cast<size_t>(w)] = row.Int32(1) != 0;
    }));
    if (!any) cal = WorkCalendar{};  // never set: the default calendar
    auto ex = db_.Prepare("SELECT day, working FROM calendar_exception ORDER BY seq");
    if (!ex.ok()) return ex.error();
    CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*ex, [&](Statement& row) {
      cal.exceptions.emplace_back(Date(row.Int32(0)), row.Int32(1) != 0);
    }));
    return DescribeCalendar(cal);
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
        CHOLLIMA_RETURN_IF_ERROR(
            RecordStructure(batch_id, "hierarchy", h.code, "", std::nullopt, h.code));
      }
    }
    if (!c.new_groups.empty() || !c.changed_groups.empty()) {
      auto id = next_id("grp");
      if (!id.ok()) return id.error();
      auto st = db_.Prepare(
          "INSERT INTO grp(id, hierarchy, code, name, parent) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT(id) DO UPDATE SET name = excluded.name");
      if (!st.ok()) return st.error();
      auto put = [&](int64_t gid, const Group& g) -> Status {
        auto old_value = DescribeStoredGroup(gid);
        if (!old_value.ok()) return old_value.error();
        st->Bind(1, gid);
        st->Bind(2, g.hierarchy);
        st->Bind(3, g.code);
        st->Bind(4, g.name);
        if (g.parent == kNoId) {
          st->BindNull(5);
        } else {
          st->Bind(5, g.parent);
        }
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto path = GroupPath(gid);
        if (!path.ok()) return path.error();
        auto new_value = DescribeStoredGroup(gid);
        if (!new_value.ok()) return new_value.error();
        return RecordStructure(batch_id, "group", *path, "", *old_value, *new_value);
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
      auto put = [&](int64_t uid, const Unit& u, bool is_new) -> Status {
        std::optional<std::string> old_value;
        if (!is_new) {
          auto stored = DescribeStoredUnit(uid);
          if (!stored.ok()) return stored.error();
          old_value = std::move(*stored);
        }
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
        return RecordStructure(batch_id, "unit", u.code, "", old_value, DescribeUnit(u));
      };
      int64_t next = *id;
      for (const Unit& u : c.new_units) CHOLLIMA_RETURN_IF_ERROR(put(next++, u, true));
      for (const auto& [uid, u] : c.changed_units) CHOLLIMA_RETURN_IF_ERROR(put(uid, u, false));
    }
    if (!c.memberships.empty()) {
      auto st = db_.Prepare(
          "INSERT OR REPLACE INTO membership(unit, hierarchy, grp, from_day, batch) "
          "VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!st.ok()) return st.error();
      // The group the unit belongs to on the membership's first day, before the change.
      auto before = db_.Prepare(
          "SELECT g.code FROM membership m JOIN grp g ON g.id = m.grp "
          "WHERE m.unit = ?1 AND m.hierarchy = ?2 AND m.from_day <= ?3 "
          "ORDER BY m.from_day DESC LIMIT 1");
      if (!before.ok()) return before.error();
      for (const Membership& m : c.memberships) {
        before->Bind(1, m.unit);
        before->Bind(2, m.hierarchy);
        before->Bind(3, m.from.days());
        auto row = before->Step();
        if (!row.ok()) return row.error();
        std::optional<std::string> old_value;
        if (*row) old_value = before->Text(0);
        before->Reset();
        st->Bind(1, m.unit);
        st->Bind(2, m.hierarchy);
        st->Bind(3, m.group);
        st->Bind(4, m.from.days());
        st->Bind(5, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto unit = CodeOf("unit", m.unit);
        if (!unit.ok()) return unit.error();
        auto hierarchy = CodeOf("hierarchy", m.hierarchy);
        if (!hierarchy.ok()) return hierarchy.error();
        auto group = CodeOf("grp", m.group);
        if (!group.ok()) return group.error();
        CHOLLIMA_RETURN_IF_ERROR(RecordStructure(
            batch_id, "membership", *unit + " " + *hierarchy,
            m.from == kBeginningOfTime ? std::string() : FormatDate(m.from), old_value, *group));
      }
    }
    if (!c.new_indicators.empty() || !c.changed_indicators.empty()) {
      auto id = next_id("indicator");
      if (!id.ok()) return id.error();
      auto st = db_.Prepare(
          "INSERT OR REPLACE INTO indicator(id, code, name, measure, direction, aggregation, "
          "role, grain, numerator, denominator) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
      if (!st.ok()) return st.error();
      auto put = [&](int64_t iid, const Indicator& i) -> Status {
        auto old_value = DescribeStoredIndicator(iid);
        if (!old_value.ok()) return old_value.error();
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
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto new_value = DescribeIndicator(i);
        if (!new_value.ok()) return new_value.error();
        return RecordStructure(batch_id, "indicator", i.code, "", *old_value, *new_value);
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
      auto stored = db_.Prepare("SELECT weights FROM profile WHERE code = ?1");
      if (!stored.ok()) return stored.error();
      for (const Profile& p : c.profiles) {
        stored->Bind(1, p.code);
        auto row = stored->Step();
        if (!row.ok()) return row.error();
        std::optional<std::string> old_value;
        if (*row) old_value = DescribeWeights(SplitWeights(stored->Text(0)));
        stored->Reset();
        st->Bind(1, p.code);
        st->Bind(2, JoinWeights(p.month_weights));
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        CHOLLIMA_RETURN_IF_ERROR(RecordStructure(batch_id, "profile", p.code, "", old_value,
                                                 DescribeWeights(p.month_weights)));
      }
    }
    if (c.calendar) {
      auto old_value = DescribeStoredCalendar();
      if (!old_value.ok()) return old_value.error();
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
      CHOLLIMA_RETURN_IF_ERROR(RecordStructure(batch_id, "calendar", "calendar", "", *old_value,
                                               DescribeCalendar(*c.calendar)));
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
    return WriteEmulation(c, batch_id);
  }

  // kNoId is stored as NULL.
  static void BindId(Statement& st, int idx, int32_t id) {
    if (id == kNoId) {
      st.BindNull(idx);
    } else {
      st.Bind(idx, id);
    }
  }
  static int32_t IdOrNone(const Statement& st, int col) {
    return st.IsNull(col) ? kNoId : st.Int32(col);
  }

  static std::string JoinBounds(const std::vector<double>& bounds) {
    std::string s;
    for (double b : bounds) {
      if (!s.empty()) s.push_back(' ');
      s += FormatNumber(b);
    }
    return s;
  }
  static std::vector<double> SplitBounds(const std::string& s) {
    std::vector<double> out;
    for (std::string_view part : Split(s, ' ')) {
      double v = 0;
      if (!part.empty() && ParseNumber(part, v)) out.push_back(v);
    }
    return out;
  }

  // "all" for kNoId, else "sector/coal".
  Result<std::string> PeerGroupName(int32_t group) {
    if (group == kNoId) return std::string("all");
    return GroupPath(group);
  }

  // The audit description of a drive: its fields as a user writes them (codes, the
  // rule's text form, the end as the last day).
  Result<std::string> DescribeDrive(const Drive& d) {
    JsonObject o;
    o.Add("name", d.name)
        .Add("start", FormatDate(d.start))
        .Add("end", FormatDate(d.end - 1))
        .Add("season_grain", d.season_grain ? GrainName(*d.season_grain) : "none");
    std::string participants = d.participants.groups ? "groups" : "units";
    if (d.participants.groups && d.participants.hierarchy != kNoId) {
      auto h = CodeOf("hierarchy", d.participants.hierarchy);
      if (!h.ok()) return h.error();
      participants += " " + *h + ":" + std::to_string(d.participants.level);
    }
    if (d.participants.within != kNoId) {
      auto g = GroupPath(d.participants.within);
      if (!g.ok()) return g.error();
      participants += " within " + *g;
    }
    o.Add("participants", participants);
    std::string rule;
    for (const ScoreTerm& t : d.terms) {
      if (!rule.empty()) rule.push_back(',');
      auto ind = CodeOf("indicator", t.indicator);
      if (!ind.ok()) return ind.error();
      rule += *ind + ":" + NormalizationName(t.normalization);
      if (t.capacity != kNoId) {
        auto cap = CodeOf("indicator", t.capacity);
        if (!cap.ok()) return cap.error();
        rule += ":" + *cap;
      }
      rule += "@" + FormatNumber(t.weight);
    }
    o.Add("rule", rule).Add("growth_base", GrowthBaseName(d.growth_base));
    std::string leagues = "none";
    if (d.leagues.hierarchy != kNoId) {
      auto h = CodeOf("hierarchy", d.leagues.hierarchy);
      if (!h.ok()) return h.error();
      leagues = *h + ":" + std::to_string(d.leagues.level);
    }
    o.Add("leagues", leagues)
        .Add("size_attribute", d.leagues.size_attribute)
        .Add("size_bounds", JoinBounds(d.leagues.size_bounds))
        .AddInt("promote", d.leagues.promote)
        .AddInt("relegate", d.leagues.relegate)
        .Add("streak_grain", GrainName(d.streak_grain));
    return o.str();
  }

  static std::string DescribeStandard(double value, int32_t source, const std::string& note,
                                      Date from) {
    return JsonObject()
        .Add("from", FormatDate(from))
        .Add("value", value)
        .Add("source", StandardSourceName(static_cast<StandardSource>(source)))
        .Add("note", note)
        .str();
  }

  static std::string DescribeReview(double value, bool confirmed, const std::string& reviewer,
                                    const std::string& note) {
    return JsonObject()
        .Add("value", value)
        .Add("decision", confirmed ? "confirmed" : "rejected")
        .Add("reviewer", reviewer)
        .Add("note", note)
        .str();
  }

  // Drives, drive results, standard revisions and outlier reviews, each with its
  // structure revision for the audit (AuditChanges).
  Status WriteEmulation(const Changes& c, int64_t batch_id) {
    if (!c.new_drives.empty()) {
      auto id = db_.QueryInt("SELECT coalesce(max(id) + 1, 0) FROM drive", 0);
      if (!id.ok()) return id.error();
      auto st = db_.Prepare(
          "INSERT INTO drive(id, code, name, start_day, end_day, season_grain, "
          "participant_groups, participant_hierarchy, participant_level, participant_within, "
          "growth_base, league_hierarchy, league_level, size_attribute, size_bounds, promote, "
          "relegate, streak_grain, batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
          "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)");
      auto term = db_.Prepare(
          "INSERT INTO drive_term(drive, position, indicator, weight, normalization, capacity) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      if (!st.ok()) return st.error();
      if (!term.ok()) return term.error();
      int64_t next = *id;
      for (const Drive& d : c.new_drives) {
        const int64_t did = next++;
        st->Bind(1, did);
        st->Bind(2, d.code);
        st->Bind(3, d.name);
        st->Bind(4, d.start.days());
        st->Bind(5, d.end.days());
        if (d.season_grain) {
          st->Bind(6, static_cast<int32_t>(*d.season_grain));
        } else {
          st->BindNull(6);
        }
        st->Bind(7, int32_t{d.participants.groups ? 1 : 0});
        BindId(*st, 8, d.participants.hierarchy);
        st->Bind(9, int32_t{d.participants.level});
        BindId(*st, 10, d.participants.within);
        st->Bind(11, static_cast<int32_t>(d.growth_base));
        BindId(*st, 12, d.leagues.hierarchy);
        st->Bind(13, int32_t{d.leagues.level});
        st->Bind(14, d.leagues.size_attribute);
        st->Bind(15, JoinBounds(d.leagues.size_bounds));
        st->Bind(16, int32_t{d.leagues.promote});
        st->Bind(17, int32_t{d.leagues.relegate});
        st->Bind(18, static_cast<int32_t>(d.streak_grain));
        st->Bind(19, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        for (size_t i = 0; i < d.terms.size(); ++i) {
          const ScoreTerm& t = d.terms[i];
          term->Bind(1, did);
          term->Bind(2, static_cast<int64_t>(i));
          term->Bind(3, t.indicator);
          term->Bind(4, t.weight);
          term->Bind(5, static_cast<int32_t>(t.normalization));
          BindId(*term, 6, t.capacity);
          CHOLLIMA_RETURN_IF_ERROR(term->Run());
        }
        auto text = DescribeDrive(d);
        if (!text.ok()) return text.error();
        CHOLLIMA_RETURN_IF_ERROR(
            RecordStructure(batch_id, "drive", d.code, "", std::nullopt, *text));
      }
    }
    if (!c.drive_results.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO drive_result(drive, season, participant_is_group, participant, tier, "
          "league, rank, overall, score, title, batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
          "?9, ?10, ?11)");
      if (!st.ok()) return st.error();
      std::unordered_map<int64_t, std::string> targets;
      for (const DriveResult& r : c.drive_results) {
        st->Bind(1, r.drive);
        st->Bind(2, r.season);
        st->Bind(3, int32_t{r.participant.is_group ? 1 : 0});
        st->Bind(4, r.participant.id);
        st->Bind(5, r.tier);
        st->Bind(6, r.league);
        st->Bind(7, r.rank);
        st->Bind(8, r.overall);
        st->Bind(9, r.score);
        st->Bind(10, r.title);
        st->Bind(11, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto drive = CodeOf("drive", r.drive);
        if (!drive.ok()) return drive.error();
        auto who = TargetCode(r.participant.is_group, r.participant.id, targets);
        if (!who.ok()) return who.error();
        const std::string text = JsonObject()
                                     .Add("participant", *who)
                                     .Add("league", r.league)
                                     .AddInt("tier", r.tier)
                                     .AddInt("rank", r.rank)
                                     .AddInt("overall", r.overall)
                                     .Add("score", r.score)
                                     .Add("title", r.title)
                                     .str();
        CHOLLIMA_RETURN_IF_ERROR(RecordStructure(batch_id, "drive result", *drive,
                                                 "season " + std::to_string(r.season), std::nullopt,
                                                 text));
      }
    }
    if (!c.standards.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO standard_revision(indicator, peer_group, from_day, value, source, note, "
          "batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      // The revision in force on the new one's first day, before it.
      auto before = db_.Prepare(
          "SELECT value, source, note, from_day FROM standard_revision WHERE indicator = ?1 "
          "AND coalesce(peer_group, -1) = ?2 AND from_day <= ?3 "
          "ORDER BY from_day DESC, seq DESC LIMIT 1");
      if (!st.ok()) return st.error();
      if (!before.ok()) return before.error();
      std::unordered_map<int32_t, std::string> indicators;
      for (const Standard& x : c.standards) {
        before->Bind(1, x.indicator);
        before->Bind(2, x.peer_group);
        before->Bind(3, x.from.days());
        auto row = before->Step();
        if (!row.ok()) return row.error();
        std::optional<std::string> old_value;
        if (*row) {
          old_value = DescribeStandard(before->Double(0), before->Int32(1), before->Text(2),
                                       Date(before->Int32(3)));
        }
        before->Reset();
        st->Bind(1, x.indicator);
        BindId(*st, 2, x.peer_group);
        st->Bind(3, x.from.days());
        st->Bind(4, x.value);
        st->Bind(5, static_cast<int32_t>(x.source));
        st->Bind(6, x.note);
        st->Bind(7, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto peer = PeerGroupName(x.peer_group);
        if (!peer.ok()) return peer.error();
        auto indicator = IndicatorCode(x.indicator, indicators);
        if (!indicator.ok()) return indicator.error();
        CHOLLIMA_RETURN_IF_ERROR(RecordStructure(
            batch_id, "standard", *peer, FormatDate(x.from), old_value,
            DescribeStandard(x.value, static_cast<int32_t>(x.source), x.note, x.from), *indicator));
      }
    }
    if (!c.outlier_reviews.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO outlier_review(unit, indicator, day, value, confirmed, reviewer, note, "
          "batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      auto before = db_.Prepare(
          "SELECT value, confirmed, reviewer, note FROM outlier_review WHERE unit = ?1 AND "
          "indicator = ?2 AND day = ?3 ORDER BY seq DESC LIMIT 1");
      if (!st.ok()) return st.error();
      if (!before.ok()) return before.error();
      std::unordered_map<int64_t, std::string> units;
      std::unordered_map<int32_t, std::string> indicators;
      for (const OutlierReview& r : c.outlier_reviews) {
        before->Bind(1, r.unit);
        before->Bind(2, r.indicator);
        before->Bind(3, r.date.days());
        auto row = before->Step();
        if (!row.ok()) return row.error();
        std::optional<std::string> old_value;
        if (*row) {
          old_value = DescribeReview(before->Double(0), before->Int32(1) != 0, before->Text(2),
                                     before->Text(3));
        }
        before->Reset();
        st->Bind(1, r.unit);
        st->Bind(2, r.indicator);
        st->Bind(3, r.date.days());
        st->Bind(4, r.value);
        st->Bind(5, int32_t{r.confirmed ? 1 : 0});
        st->Bind(6, r.reviewer);
        st->Bind(7, r.note);
        st->Bind(8, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto unit = TargetCode(false, r.unit, units);
        if (!unit.ok()) return unit.error();
        auto indicator = IndicatorCode(r.indicator, indicators);
        if (!indicator.ok()) return indicator.error();
        CHOLLIMA_RETURN_IF_ERROR(
            RecordStructure(batch_id, "outlier review", *unit, FormatDate(r.date), old_value,
                            DescribeReview(r.value, r.confirmed, r.reviewer, r.note), *indicator));
      }
    }
    return WriteLearning(c, batch_id);
  }

  // Models, followers' choices, pair rules and pairs, each with its structure revision
  // for the audit. Revisions are appended: the latest of a key wins (core/learning.h).
  Status WriteLearning(const Changes& c, int64_t batch_id) {
    std::unordered_map<int64_t, std::string> units;
    const auto unit_code = [&](int32_t id) { return TargetCode(false, id, units); };
    if (!c.models.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO model_designation(peer_group, unit, from_day, active, reason, author, "
          "batch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      if (!st.ok()) return st.error();
      for (const ModelDesignation& m : c.models) {
        BindId(*st, 1, m.peer_group);
        st->Bind(2, m.unit);
        st->Bind(3, m.from.days());
        st->Bind(4, int32_t{m.active ? 1 : 0});
        st->Bind(5, m.reason);
        st->Bind(6, m.author);
        st->Bind(7, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto unit = unit_code(m.unit);
        if (!unit.ok()) return unit.error();
        auto peer = PeerGroupName(m.peer_group);
        if (!peer.ok()) return peer.error();
        CHOLLIMA_RETURN_IF_ERROR(RecordStructure(
            batch_id, m.active ? "model" : "model withdrawn", *unit, FormatDate(m.from),
            std::nullopt, JsonObject().Add("peer_group", *peer).Add("reason", m.reason).str()));
      }
    }
    if (!c.follower_choices.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO follower_choice(follower, model, from_day, active, batch) "
          "VALUES (?1, ?2, ?3, ?4, ?5)");
      if (!st.ok()) return st.error();
      for (const FollowerChoice& f : c.follower_choices) {
        st->Bind(1, f.follower);
        st->Bind(2, f.model);
        st->Bind(3, f.from.days());
        st->Bind(4, int32_t{f.active ? 1 : 0});
        st->Bind(5, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto follower = unit_code(f.follower);
        if (!follower.ok()) return follower.error();
        auto model = unit_code(f.model);
        if (!model.ok()) return model.error();
        CHOLLIMA_RETURN_IF_ERROR(RecordStructure(
            batch_id, f.active ? "follows model" : "stops following model", *follower,
            FormatDate(f.from), std::nullopt, JsonObject().Add("model", *model).str()));
      }
    }
    if (!c.pair_rules.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO pair_rule(mentor, learner, kind, author, note, batch) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      if (!st.ok()) return st.error();
      for (const PairRule& r : c.pair_rules) {
        st->Bind(1, r.mentor);
        st->Bind(2, r.learner);
        st->Bind(3, static_cast<int32_t>(r.kind));
        st->Bind(4, r.author);
        st->Bind(5, r.note);
        st->Bind(6, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto mentor = unit_code(r.mentor);
        if (!mentor.ok()) return mentor.error();
        auto learner = unit_code(r.learner);
        if (!learner.ok()) return learner.error();
        CHOLLIMA_RETURN_IF_ERROR(RecordStructure(batch_id, "pair rule", *learner, "", std::nullopt,
                                                 JsonObject()
                                                     .Add("mentor", *mentor)
                                                     .Add("rule", PairRuleKindName(r.kind))
                                                     .Add("note", r.note)
                                                     .str()));
      }
    }
    if (!c.pairs.empty()) {
      auto st = db_.Prepare(
          "INSERT INTO learning_pair(peer_group, mentor, learner, from_day, active, basis, "
          "period, frontier, score_at_pairing, author, batch) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
      if (!st.ok()) return st.error();
      for (const LearningPair& p : c.pairs) {
        BindId(*st, 1, p.peer_group);
        st->Bind(2, p.mentor);
        st->Bind(3, p.learner);
        st->Bind(4, p.from.days());
        st->Bind(5, int32_t{p.active ? 1 : 0});
        st->Bind(6, p.basis);
        st->Bind(7, p.period);
        st->Bind(8, p.frontier);
        st->Bind(9, p.score_at_pairing);
        st->Bind(10, p.author);
        st->Bind(11, batch_id);
        CHOLLIMA_RETURN_IF_ERROR(st->Run());
        auto mentor = unit_code(p.mentor);
        if (!mentor.ok()) return mentor.error();
        auto learner = unit_code(p.learner);
        if (!learner.ok()) return learner.error();
        CHOLLIMA_RETURN_IF_ERROR(RecordStructure(batch_id,
                                                 p.active ? "learning pair" : "learning pair ended",
                                                 *learner, FormatDate(p.from), std::nullopt,
                                                 JsonObject()
                                                     .Add("mentor", *mentor)
                                                     .Add("basis", p.basis)
                                                     .Add("period", p.period)
                                                     .Add("frontier", p.frontier)
                                                     .Add("score_at_pairing", p.score_at_pairing)
                                                     .str()));
      }
    }
    return OkStatus();
  }

  Status LoadEmulation(engine::State& state) {
    {
      std::vector<Drive> drives;
      auto st = db_.Prepare(
          "SELECT code, name, start_day, end_day, season_grain, participant_groups, "
          "participant_hierarchy, participant_level, participant_within, growth_base, "
          "league_hierarchy, league_level, size_attribute, size_bounds, promote, relegate, "
          "streak_grain FROM drive ORDER BY id");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        Drive d;
        d.code = row.Text(0);
        d.name = row.Text(1);
        d.start = Date(row.Int32(2));
        d.end = Date(row.Int32(3));
        if (!row.IsNull(4)) d.season_grain = static_cast<Grain>(row.Int32(4));
        d.participants = {.groups = row.Int32(5) != 0,
                          .hierarchy = IdOrNone(row, 6),
                          .level = row.Int32(7),
                          .within = IdOrNone(row, 8)};
        d.growth_base = static_cast<GrowthBase>(row.Int32(9));
        d.leagues = {.hierarchy = IdOrNone(row, 10),
                     .level = row.Int32(11),
                     .size_attribute = row.Text(12),
                     .size_bounds = SplitBounds(row.Text(13)),
                     .promote = row.Int32(14),
                     .relegate = row.Int32(15)};
        d.streak_grain = static_cast<Grain>(row.Int32(16));
        drives.push_back(std::move(d));
      }));
      auto terms = db_.Prepare(
          "SELECT drive, indicator, weight, normalization, capacity FROM drive_term "
          "ORDER BY drive, position");
      if (!terms.ok()) return terms.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*terms, [&](Statement& row) {
        const auto drive = static_cast<size_t>(row.Int32(0));
        if (drive >= drives.size()) return;
        drives[drive].terms.push_back({.indicator = row.Int32(1),
                                       .weight = row.Double(2),
                                       .normalization = static_cast<Normalization>(row.Int32(3)),
                                       .capacity = IdOrNone(row, 4)});
      }));
      for (Drive& d : drives) state.AddDrive(std::move(d));
    }
    {
      auto st = db_.Prepare(
          "SELECT drive, season, participant_is_group, participant, tier, league, rank, overall, "
          "score, title FROM drive_result ORDER BY seq");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddDriveResult({.drive = row.Int32(0),
                              .season = row.Int32(1),
                              .participant = {row.Int32(2) != 0, row.Int32(3)},
                              .tier = row.Int32(4),
                              .league = row.Text(5),
                              .rank = row.Int32(6),
                              .overall = row.Int32(7),
                              .score = row.Double(8),
                              .title = row.Text(9)});
      }));
    }
    {
      auto st = db_.Prepare(
          "SELECT indicator, peer_group, from_day, value, source, note FROM standard_revision "
          "ORDER BY seq");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddStandard({.indicator = row.Int32(0),
                           .peer_group = IdOrNone(row, 1),
                           .from = Date(row.Int32(2)),
                           .value = row.Double(3),
                           .source = static_cast<StandardSource>(row.Int32(4)),
                           .note = row.Text(5)});
      }));
    }
    {
      auto st = db_.Prepare(
          "SELECT unit, indicator, day, value, confirmed, reviewer, note FROM outlier_review "
          "ORDER BY seq");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddOutlierReview({.unit = row.Int32(0),
                                .indicator = row.Int32(1),
                                .date = Date(row.Int32(2)),
                                .value = row.Double(3),
                                .confirmed = row.Int32(4) != 0,
                                .reviewer = row.Text(5),
                                .note = row.Text(6)});
      }));
    }
    return LoadLearning(state);
  }

  Status LoadLearning(engine::State& state) {
    {
      auto st = db_.Prepare(
          "SELECT peer_group, unit, from_day, active, reason, author FROM model_designation "
          "ORDER BY seq");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddModel({.peer_group = IdOrNone(row, 0),
                        .unit = row.Int32(1),
                        .from = Date(row.Int32(2)),
                        .active = row.Int32(3) != 0,
                        .reason = row.Text(4),
                        .author = row.Text(5)});
      }));
    }
    {
      auto st =
          db_.Prepare("SELECT follower, model, from_day, active FROM follower_choice ORDER BY seq");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddFollowerChoice({.follower = row.Int32(0),
                                 .model = row.Int32(1),
                                 .from = Date(row.Int32(2)),
                                 .active = row.Int32(3) != 0});
      }));
    }
    {
      auto st =
          db_.Prepare("SELECT mentor, learner, kind, author, note FROM pair_rule ORDER BY seq");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddPairRule({.mentor = row.Int32(0),
                           .learner = row.Int32(1),
                           .kind = static_cast<PairRuleKind>(row.Int32(2)),
                           .author = row.Text(3),
                           .note = row.Text(4)});
      }));
    }
    {
      auto st = db_.Prepare(
          "SELECT peer_group, mentor, learner, from_day, active, basis, period, frontier, "
          "score_at_pairing, author FROM learning_pair ORDER BY seq");
      if (!st.ok()) return st.error();
      CHOLLIMA_RETURN_IF_ERROR(ForEachRow(*st, [&](Statement& row) {
        state.AddPair({.peer_group = IdOrNone(row, 0),
                       .mentor = row.Int32(1),
                       .learner = row.Int32(2),
                       .from = Date(row.Int32(3)),
                       .active = row.Int32(4) != 0,
                       .basis = row.Text(5),
                       .period = row.Text(6),
                       .frontier = row.Text(7),
                       .score_at_pairing = row.Double(8),
                       .author = row.Text(9)});
      }));
    }
    return OkStatus();
  }

  Database db_;
  int schema_version_ = 0;
  std::optional<Statement> find_key_;
  std::optional<Statement> insert_report_;
  std::optional<Statement> record_structure_;
  std::unordered_map<std::string, Statement> cached_;
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
