// The service layer: commands and queries over one store, one transaction per command.
//
// A command validates against the engine State, writes its Changes to the store in one
// transaction, and only then applies them to the State, so the State always equals
// what RebuildFromStore would give.
//
//   auto svc = Service::Open("economy.db", store::OpenMode::kExisting, clock);
//   auto result = (*svc)->ImportFile(io::ImportKind::kReports, "r.csv", {.author = "kim"});
//
// Thread-safety: one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/changes.h"
#include "core/status.h"
#include "engine/state.h"
#include "io/import.h"
#include "store/store.h"

namespace chollima::service {

// The source of "now", injected so tests are deterministic.
class Clock {
 public:
  virtual ~Clock() = default;
  // The current time as an ISO 8601 UTC timestamp ("2026-11-23T14:11:03Z").
  virtual std::string NowIso() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::string NowIso() const override;
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::string now) : now_(std::move(now)) {}
  std::string NowIso() const override { return now_; }

 private:
  std::string now_;
};

// The changes that load everything of `dataset` but its reports into an empty store.
Changes StructureChanges(const Dataset& dataset);

struct ImportRequest {
  std::string author = "cli";
  bool dry_run = false;  // validate and count, write nothing
  size_t max_errors = 50;
  std::function<void(size_t bytes_read, size_t bytes_total)> progress;
  // Reports files are written in runs of this many rows while the rest is still being
  // parsed (in one transaction, rolled back on any error).
  size_t stream_chunk_rows = size_t{1} << 16;
  // When set, called with the validated Changes once the input has no error (dry runs
  // and imports that change nothing included), before anything is written. When it
  // fails nothing is written and the import returns its Error. Setting it turns off the
  // streaming of reports above: the whole file is validated and authorized first, then
  // committed in one go, so a refused import never touches the store.
  std::function<Status(const Changes&)> authorize;
};

class Service {
 public:
  // Opens the store and rebuilds the engine from it.
  static Result<std::unique_ptr<Service>> Open(const std::string& path, store::OpenMode mode,
                                               const Clock& clock);

  const engine::State& state() const { return state_; }
  store::Store& store() { return *store_; }

  // Imports one CSV file. Bad input comes back as ImportResult::errors with nothing
  // written; a failure of the store comes back as an Error (and nothing is written).
  Result<io::ImportResult> ImportFile(io::ImportKind kind, const std::string& path,
                                      const ImportRequest& request);
  // Same, from text held in memory (`name` is used in messages).
  Result<io::ImportResult> ImportText(io::ImportKind kind, const std::string& name,
                                      std::string text, const ImportRequest& request);
  // Same, from a JSON body: one object or an array of objects with the fields of the
  // CSV columns (io/json_import.h). Errors are placed by JSON path ("$[3].value: ...").
  // Malformed JSON fails with kInvalidArgument naming line and column, and nothing is
  // written. `name` is the batch's source. request.progress is not called.
  Result<io::ImportResult> ImportJson(io::ImportKind kind, const std::string& name,
                                      std::string_view json, const ImportRequest& request);

  // Commits `changes` as one batch and applies them to the engine.
  Status Commit(const Changes& changes, const std::string& kind, const std::string& source,
                const std::string& author);

  // Finalizes season `season` of drive `drive`: computes its results
  // (engine::SeasonResults, with the finalized results so far as history) and stores
  // them as one batch "finalize drive" (source: the drive's code), once. Returns the
  // stored results. Fails with kNotFound for an unknown drive, kInvalidArgument for a
  // season outside the drive, kFailedPrecondition when the season was finalized already,
  // has not ended by the last reported day, or has no scored participant (nothing is
  // written then; the rules are FinalizeSeasonChanges's, service/emulation_view.h), or the
  // store's error.
  Result<std::vector<DriveResult>> FinalizeSeason(DriveId drive, int32_t season,
                                                  const std::string& author);
  // The stored results of one finalized season, in stored order (empty when not finalized).
  std::vector<DriveResult> StoredResults(DriveId drive, int32_t season) const;

 private:
  Service(std::unique_ptr<store::Store> store, engine::State state, const Clock& clock)
      : store_(std::move(store)), state_(std::move(state)), clock_(clock) {}
  // Parses with the options it is given, validating against state_.
  using ImportParser = std::function<Result<io::ImportResult>(const io::ImportOptions& options,
                                                              const io::KeyLookup& lookup)>;
  // The one import path: parses with `parse`, authorizes, then commits (streaming
  // reports while parsing when it may), all or nothing. `source` names the batch.
  Result<io::ImportResult> Import(io::ImportKind kind, const std::string& source,
                                  const ImportRequest& request, const ImportParser& parse);

  std::unique_ptr<store::Store> store_;
  engine::State state_;
  const Clock& clock_;
};

}  // namespace chollima::service
