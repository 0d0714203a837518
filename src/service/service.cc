#include "service/service.h"

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <thread>

#include "engine/assignments.h"
#include "engine/drive.h"
#include "io/json_import.h"
#include "service/emulation_view.h"

namespace chollima::service {

// Batches with at least this many reports are applied to the engine in parallel with
// the store write.
constexpr size_t kParallelApplyRows = 100000;

std::string SystemClock::NowIso() const {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Changes StructureChanges(const Dataset& d) {
  Changes c;
  c.new_hierarchies = d.hierarchies;
  c.new_groups = d.groups;
  c.new_units = d.units;
  c.memberships = d.memberships;
  c.new_indicators = d.indicators;
  c.profiles = d.profiles;
  c.calendar = d.calendar;
  c.plans = d.plans;
  return c;
}

Result<std::unique_ptr<Service>> Service::Open(const std::string& path, store::OpenMode mode,
                                               const Clock& clock) {
  auto store = store::OpenSqliteStore(path, mode);
  if (!store.ok()) return store.error();
  auto state = (*store)->Load();
  if (!state.ok()) return state.error();
  return std::unique_ptr<Service>(new Service(std::move(*store), std::move(*state), clock));
}

namespace {

// Parses `reader` as a CSV file of `kind`, reporting progress as `request` asks.
std::function<Result<io::ImportResult>(const io::ImportOptions&, const io::KeyLookup&)> CsvParser(
    io::ImportKind kind, CsvReader& reader, const engine::State& state,
    const ImportRequest& request) {
  return [kind, &reader, &state, &request](const io::ImportOptions& options,
                                           const io::KeyLookup& lookup) {
    std::function<void(size_t)> progress;
    if (request.progress) {
      progress = [&](size_t pos) { request.progress(pos, reader.size()); };
    }
    return io::ParseImport(kind, reader, state, lookup, options, progress);
  };
}

}  // namespace

Result<io::ImportResult> Service::ImportFile(io::ImportKind kind, const std::string& path,
                                             const ImportRequest& request) {
  auto reader = CsvReader::Open(path);
  if (!reader.ok()) return reader.error();
  return Import(kind, reader->name(), request, CsvParser(kind, *reader, state_, request));
}

Result<io::ImportResult> Service::ImportText(io::ImportKind kind, const std::string& name,
                                             std::string text, const ImportRequest& request) {
  CsvReader reader = CsvReader::FromString(name, std::move(text));
  return Import(kind, reader.name(), request, CsvParser(kind, reader, state_, request));
}

Result<io::ImportResult> Service::ImportJson(io::ImportKind kind, const std::string& name,
                                             std::string_view json, const ImportRequest& request) {
  return Import(kind, name, request,
                [&](const io::ImportOptions& options, const io::KeyLookup& lookup) {
                  return io::ParseJsonImport(kind, json, state_, lookup, options);
                });
}

namespace {

// Writes validated reports to the store on a second thread while the import is still
// parsing the rest of the file: one open transaction, rolled back when the streamer is
// destroyed before its stream is committed.
class ReportStreamer {
 public:
  static constexpr size_t kMaxQueuedChunks = 16;

  ReportStreamer(store::Store& store, BatchInfo batch) : store_(store), batch_(std::move(batch)) {}
  ReportStreamer(const ReportStreamer&) = delete;
  ReportStreamer& operator=(const ReportStreamer&) = delete;
  ~ReportStreamer() { (void)Finish(); }

  // Called on the parsing thread with a view of validated reports.
  void Push(std::span<const Report> chunk) {
    if (begin_failed_) return;
    if (!stream_) {
      auto stream = store_.BeginReportStream(batch_);
      if (!stream.ok()) {
        begin_failed_ = true;
        std::lock_guard lock(mu_);
        status_ = stream.error();
        return;
      }
      stream_ = std::move(*stream);
      worker_ = std::thread([this] { Drain(); });
    }
    {
      // Back-pressure: parsing waits while the writer is far behind, bounding memory.
      std::unique_lock lock(mu_);
      space_.wait(lock, [this] { return queue_.size() < kMaxQueuedChunks; });
      queue_.emplace_back(chunk.begin(), chunk.end());
    }
    ready_.notify_one();
  }

  // Waits until everything pushed is written; returns the first store error.
  Status Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    ready_.notify_one();
    if (worker_.joinable()) worker_.join();
    std::lock_guard lock(mu_);
    return status_;
  }

  // The open stream, or null when nothing was pushed. REQUIRES: Finish() returned.
  store::ReportStream* stream() { return stream_.get(); }

 private:
  void Drain() {
    while (true) {
      std::vector<Report> chunk;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [this] { return done_ || !queue_.empty(); });
        if (queue_.empty()) return;
        chunk = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
        if (!status_.ok()) continue;  // a write failed: discard the rest
      }
      Status s = stream_->Append(chunk);
      if (!s.ok()) {
        std::lock_guard lock(mu_);
        status_ = s;
      }
    }
  }

  store::Store& store_;
  const BatchInfo batch_;
  std::unique_ptr<store::ReportStream> stream_;
  bool begin_failed_ = false;
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::condition_variable space_;
  std::deque<std::vector<Report>> queue_;  // guarded by mu_
  bool done_ = false;                      // guarded by mu_
  Status status_;                          // guarded by mu_
};

}  // namespace

Result<io::ImportResult> Service::Import(io::ImportKind kind, const std::string& source,
                                         const ImportRequest& request, const ImportParser& parse) {
  io::KeyLookup lookup = [this](const std::string& key) { return store_->FindReportKey(key); };
  const std::string batch_kind = std::string("import ") + io::ImportKindName(kind);
  io::ImportOptions options{.max_errors = request.max_errors,
                            .stream_chunk_rows = std::max<size_t>(request.stream_chunk_rows, 1)};
  // Reports are streamed to the store while parsing, unless the import must be
  // authorized first: then nothing is written before `authorize` has seen all of it.
  std::optional<ReportStreamer> streamer;
  if (kind == io::ImportKind::kReports && !request.dry_run && !request.authorize) {
    streamer.emplace(*store_, BatchInfo{batch_kind, source, request.author, clock_.NowIso()});
    options.report_sink = [&](std::span<const Report> chunk) { streamer->Push(chunk); };
  }
  auto result = parse(options, lookup);
  const Status streamed = streamer ? streamer->Finish() : OkStatus();
  // Leaving early destroys the streamer, which rolls back whatever it wrote.
  if (!result.ok()) return result.error();
  if (!result->errors.empty()) return result;
  if (request.authorize) CHOLLIMA_RETURN_IF_ERROR(request.authorize(result->changes));
  if (request.dry_run || result->changes.empty()) return result;
  if (!streamed.ok()) return streamed.error();
  store::ReportStream* stream = streamer ? streamer->stream() : nullptr;
  if (stream == nullptr) {
    CHOLLIMA_RETURN_IF_ERROR(Commit(result->changes, batch_kind, source, request.author));
    return result;
  }
  // Write the tail and commit while the engine applies everything on the other core.
  const Changes& changes = result->changes;
  Changes rest;
  rest.report_keys = changes.report_keys;
  std::thread apply([&] { engine::ApplyChanges(changes, state_); });
  Status appended =
      stream->Append(std::span<const Report>(changes.reports).subspan(result->reports_streamed));
  Result<int64_t> batch = appended.ok() ? stream->Commit(rest) : Result<int64_t>(appended.error());
  apply.join();
  if (!batch.ok()) {
    streamer.reset();  // roll back before reading the store again
    auto rebuilt = store_->Load();
    if (rebuilt.ok()) state_ = std::move(*rebuilt);
    return batch.error();
  }
  return result;
}

Status Service::Commit(const Changes& changes, const std::string& kind, const std::string& source,
                       const std::string& author) {
  const BatchInfo info{kind, source, author, clock_.NowIso()};
  if (changes.reports.size() < kParallelApplyRows) {
    auto batch = store_->Commit(changes, info);
    if (!batch.ok()) return batch.error();
    engine::ApplyChanges(changes, state_);
    return OkStatus();
  }
  // A large batch: the engine applies it on a second core while the store writes it.
  // Should the store fail, the engine is rebuilt from the store, which is the truth.
  std::thread apply([&] { engine::ApplyChanges(changes, state_); });
  auto batch = store_->Commit(changes, info);
  apply.join();
  if (!batch.ok()) {
    auto rebuilt = store_->Load();
    if (rebuilt.ok()) state_ = std::move(*rebuilt);
    return batch.error();
  }
  return OkStatus();
}

Result<std::vector<DriveResult>> Service::FinalizeSeason(DriveId drive, int32_t season,
                                                         const std::string& author) {
  if (drive < 0 || static_cast<size_t>(drive) >= state_.drives().size()) {
    return NotFound("no drive " + std::to_string(drive));
  }
  const engine::AssignmentBook book(state_);
  auto changes = FinalizeSeasonChanges(state_, book, drive, season);
  if (!changes.ok()) return changes.error();
  CHOLLIMA_RETURN_IF_ERROR(
      Commit(*changes, "finalize drive", state_.drives()[static_cast<size_t>(drive)].code, author));
  return std::move(changes->drive_results);
}

std::vector<DriveResult> Service::StoredResults(DriveId drive, int32_t season) const {
  std::vector<DriveResult> out;
  for (const DriveResult& r : state_.drive_results()) {
    if (r.drive == drive && r.season == season) out.push_back(r);
  }
  return out;
}

}  // namespace chollima::service
