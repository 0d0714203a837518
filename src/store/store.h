// The durable store: the truth from which the engine is derived.
//
// Every write is one Commit of a Changes batch in one transaction, with a batch row
// saying who and when and an audit row (the accounts of accounts.h append theirs too).
// Reports and plans are append-only revision logs: a correction adds a revision and
// keeps the old one; structure changes keep their old and new descriptions. Load()
// rebuilds an engine::State from scratch.
//
//   auto store = OpenSqliteStore("economy.db", OpenMode::kCreate);
//   auto state = (*store)->Load();
//   auto batch = (*store)->Commit(changes, {"import reports", "r.csv", "kim", now});
//
// Schema 3 adds the emulation facts of core/emulation.h: drives (with their terms),
// finalized drive results (one per drive, season and participant: a second write of the
// same fails the commit), standard revisions and outlier reviews, all append-only and
// loaded in commit order (engine/state.h says how State orders them).
//
// Thread-safety: a Store is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/changes.h"
#include "core/status.h"
#include "engine/state.h"

namespace chollima::store {

// One stored value of a report or plan, with who wrote it and when.
struct Revision {
  int64_t seq = 0;  // order of arrival, increasing
  double value = 0;
  BatchInfo batch;
};

// One audited write: an economy batch (batch set; old and new are null because the
// revision tables hold them, see Store::AuditChanges) or an account change (old and new
// are small JSON objects; never a password, hash or token).
struct AuditEntry {
  int64_t seq = 0;     // order of arrival, increasing
  std::string at;      // ISO 8601 UTC timestamp
  std::string actor;   // who: the batch author or the account acting
  std::string action;  // "import reports", "add account", "revoke token", ...
  std::string target;  // the file or source of a batch; the account name of an account change
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
  std::optional<int64_t> batch;
};

struct AuditQuery {
  std::string actor;          // exact; empty: anyone
  std::string action_prefix;  // e.g. "import" or "revoke"; empty: any
  std::string since;          // at >= since (ISO 8601 text); empty: no bound
  std::string until;          // at < until; empty: no bound
  size_t offset = 0;
  size_t limit = 100;
  std::optional<int64_t> seq;  // only the entry with this number
};

// One thing an economy batch changed, with the value before and after it.
struct AuditChange {
  // "hierarchy", "group", "unit", "membership", "indicator", "profile", "calendar", "plan",
  // "report", (schema 3) "drive", "drive result", "standard", "outlier review", and
  // (schema 4) "model", "model withdrawn", "follows model", "stops following model",
  // "pair rule", "learning pair", "learning pair ended".
  std::string what;
  // The code of what changed: unit "M1", group "region/P1", plan target "M1" or
  // "region/P1", membership "M1 region", drive and drive result: the drive's code,
  // standard: its peer group ("sector/coal", or "all"), outlier review: the unit; a
  // model: the model unit; a choice: the follower; a pair rule or pair: the learner.
  std::string target;
  std::string indicator;  // plans, reports, standards, outlier reviews; empty otherwise
  // Report date, plan period, membership start, a standard's first day, a reviewed
  // report's date, "season N" of a drive result; empty otherwise.
  std::string when;
  // Drives, drive results and reviews are described as small JSON objects (a review's
  // old value is the review it replaces); a standard's old value is the revision in
  // force on its first day before it (null when none).
  std::optional<std::string> old_value;  // nullopt: did not exist before
  std::optional<std::string> new_value;
  bool numeric = false;  // the values are numbers (plans and reports)
};

// Reports written in one open transaction while the caller is still producing them (a
// bulk import streams validated rows while it parses the rest). Nothing is visible, and
// nothing remains, unless Commit succeeds; destroying an uncommitted stream rolls back.
// The store must not be used otherwise while a stream is open.
class ReportStream {
 public:
  virtual ~ReportStream() = default;
  // Appends report revisions to the open transaction.
  virtual Status Append(std::span<const Report> reports) = 0;
  // Writes `rest` (whatever the command changes besides the appended reports) in the same
  // batch and commits. Returns the batch id. On failure everything is rolled back.
  virtual Result<int64_t> Commit(const Changes& rest) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Schema version of the opened store (after migrations).
  virtual int schema_version() const = 0;
  // Rebuilds the whole engine state from the store.
  virtual Result<engine::State> Load() = 0;
  // Writes `changes` in one transaction: all of it or, on failure, none.
  // Returns the new batch id.
  virtual Result<int64_t> Commit(const Changes& changes, const BatchInfo& batch) = 0;
  // Opens a transaction and a batch for streaming reports (see ReportStream).
  virtual Result<std::unique_ptr<ReportStream>> BeginReportStream(const BatchInfo& batch) = 0;
  // Every revision of one report, oldest first (empty when never reported).
  virtual Result<std::vector<Revision>> ReportHistory(UnitId unit, IndicatorId indicator,
                                                      Date day) = 0;
  // Every revision of one plan, oldest first.
  virtual Result<std::vector<Revision>> PlanHistory(const PlanTarget& target, IndicatorId indicator,
                                                    const Period& period) = 0;
  // The report first stored under `key`, or nullopt when the key is new.
  virtual Result<std::optional<Report>> FindReportKey(const std::string& key) = 0;
  // Number of stored report revisions (all, including superseded ones).
  virtual Result<int64_t> ReportRevisionCount() = 0;
  // Audit rows matching `query`, newest first.
  virtual Result<std::vector<AuditEntry>> Audit(const AuditQuery& query) = 0;
  // What batch `batch` changed, at most `limit` items: structure first, then plans, then
  // reports, each with its previous value (null when new). Finding the previous values of
  // reports reads the older report revisions once (they have no index, to keep imports
  // fast). Fails with kNotFound when there is no such batch.
  virtual Result<std::vector<AuditChange>> AuditChanges(int64_t batch, size_t limit) = 0;
};

enum class OpenMode {
  kExisting,  // the store must exist; migrations bring it to the current version
  kCreate,    // create the file when missing, then migrate
};

// The current schema version this build writes.
inline constexpr int kSchemaVersion = 4;

// Opens an SQLite store (WAL journal). Fails with kNotFound when `path` is missing in
// kExisting mode, kFailedPrecondition when the file's schema is newer than this build,
// kIo when SQLite fails.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode);

}  // namespace chollima::store
