// The durable store: the truth from which the engine is derived.
//
// Every write is one Commit of a Changes batch in one transaction, with a batch row
// saying who and when. Reports and plans are append-only revision logs: a correction
// adds a revision and keeps the old one. Load() rebuilds an engine::State from scratch.
//
//   auto store = OpenSqliteStore("economy.db", OpenMode::kCreate);
//   auto state = (*store)->Load();
//   auto batch = (*store)->Commit(changes, {"import reports", "r.csv", "kim", now});
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
};

enum class OpenMode {
  kExisting,  // the store must exist; migrations bring it to the current version
  kCreate,    // create the file when missing, then migrate
};

// The current schema version this build writes.
inline constexpr int kSchemaVersion = 1;

// Opens an SQLite store (WAL journal). Fails with kNotFound when `path` is missing in
// kExisting mode, kFailedPrecondition when the file's schema is newer than this build,
// kIo when SQLite fails.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode);

}  // namespace chollima::store
