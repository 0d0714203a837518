#include "service/service.h"

#include <ctime>
#include <thread>

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

Result<io::ImportResult> Service::ImportFile(io::ImportKind kind, const std::string& path,
                                             const ImportRequest& request) {
  auto reader = CsvReader::Open(path);
  if (!reader.ok()) return reader.error();
  return Import(kind, *reader, request);
}

Result<io::ImportResult> Service::ImportText(io::ImportKind kind, const std::string& name,
                                             std::string text, const ImportRequest& request) {
  CsvReader reader = CsvReader::FromString(name, std::move(text));
  return Import(kind, reader, request);
}

Result<io::ImportResult> Service::Import(io::ImportKind kind, CsvReader& reader,
                                         const ImportRequest& request) {
  io::KeyLookup lookup = [this](const std::string& key) { return store_->FindReportKey(key); };
  std::function<void(size_t)> progress;
  if (request.progress) {
    progress = [&](size_t pos) { request.progress(pos, reader.size()); };
  }
  auto result =
      io::ParseImport(kind, reader, state_, lookup, {.max_errors = request.max_errors}, progress);
  if (!result.ok()) return result.error();
  if (!result->errors.empty() || request.dry_run || result->changes.empty()) return result;
  CHOLLIMA_RETURN_IF_ERROR(Commit(result->changes,
                                  std::string("import ") + io::ImportKindName(kind), reader.name(),
                                  request.author));
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

}  // namespace chollima::service
