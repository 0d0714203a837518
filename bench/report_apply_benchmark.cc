// One report end to end on the embedded store, beside its floor: the same work the API
// does for `POST /api/reports` (JSON body, validation, authorization, one SQLite
// transaction with its revision, batch and audit rows, the engine, fulfilment status
// events, the drives' standings and overtakings, the record book, the event bus) against
// a bare SQLite table taking one row per transaction with the same durability (WAL,
// synchronous=FULL) in the same directory. bench/run.sh prints the ratio.
//
// The store is the demo economy (BENCH_UNITS units, default 10,000, with its drives),
// built once into a temporary directory; a report is a coal mine's output on the last
// day of the year, alternating between two values so that every one is a correction.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "auth/rate_limiter.h"
#include "demo/demo.h"
#include "demo/emulation.h"
#include "engine/drive.h"
#include "http/api.h"
#include "http/events.h"
#include "http/metrics.h"
#include "http/router.h"
#include "service/service.h"
#include "store/accounts.h"

namespace chollima {
namespace {

const std::string& WorkDir() {
  static const std::string dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chollima-apply-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    return tmpl;
  }();
  return dir;
}

struct Fixture {
  service::FixedClock clock{"2026-12-31T18:00:00Z"};
  std::unique_ptr<service::Service> service;
  std::unique_ptr<store::AccountStore> accounts;
  std::unique_ptr<auth::LoginRateLimiter> limiter;
  http::EventBus events{{.capacity = 100'000}};
  http::Metrics metrics;
  std::unique_ptr<http::Api> api;
  http::Router router;
  std::string token;
  std::vector<std::string> coal_units;
  std::string error;
};

// Builds the demo store, an admin with an API token, and the API over them; on failure
// sets fx->error.
void Build(Fixture* fx) {
  {
    const char* env = std::getenv("BENCH_UNITS");
    const int units = env != nullptr ? std::atoi(env) : 10000;
    const std::string db = WorkDir() + "/demo.db";
    auto opened = service::Service::Open(db, store::OpenMode::kCreate, fx->clock);
    if (!opened.ok()) {
      fx->error = opened.error().message;
      return;
    }
    fx->service = std::move(*opened);
    const demo::DemoEconomy economy =
        demo::GenerateDemo({.units = units > 0 ? units : 10000, .seed = 1, .year = 2026});
    Status s = fx->service->Commit(service::StructureChanges(economy.structure), "demo", "-", "b");
    Changes batch;
    economy.ForEachReportChunk([&](std::span<const Report> chunk) {
      batch.reports.insert(batch.reports.end(), chunk.begin(), chunk.end());
      if (s.ok() && batch.reports.size() >= (1u << 21)) {
        s = fx->service->Commit(batch, "demo", "-", "b");
        batch.reports.clear();
      }
    });
    if (s.ok() && !batch.reports.empty()) s = fx->service->Commit(batch, "demo", "-", "b");
    if (s.ok()) s = fx->service->Commit(demo::DemoDrives(economy), "demo drives", "-", "b");
    auto accounts = store::AccountStore::Open(db, store::OpenMode::kExisting,
                                              store::PasswordHashOptions::Weakest());
    if (!s.ok() || !accounts.ok()) {
      fx->error = !s.ok() ? s.error().message : accounts.error().message;
      return;
    }
    fx->accounts = std::move(*accounts);
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto added = fx->accounts->Add({.name = "bench", .role = store::AccountRole::kAdmin},
                                   "bench-password", "bench", now);
    auto token = fx->accounts->CreateApiToken("bench", "bench", "bench", now);
    if (!added.ok() || !token.ok()) {
      fx->error = "cannot make the bench account";
      return;
    }
    fx->token = token->token;
    fx->limiter =
        std::make_unique<auth::LoginRateLimiter>([] { return std::chrono::steady_clock::now(); });
    fx->api = std::make_unique<http::Api>(http::ApiContext{.service = *fx->service,
                                                           .accounts = *fx->accounts,
                                                           .limiter = *fx->limiter,
                                                           .events = fx->events,
                                                           .metrics = fx->metrics,
                                                           .now = [now] { return now; }});
    fx->api->Register(fx->router);
    const engine::State& state = fx->service->state();
    const auto coal = state.FindDrive("coal-2026");
    if (!coal) {
      fx->error = "the demo has no coal drive";
      return;
    }
    const engine::AssignmentBook book(state);
    auto standings =
        engine::ComputeStandings(state, book, *coal, state.drives()[static_cast<size_t>(*coal)],
                                 state.drive_results(), {.as_of = *state.LastReportedDay()});
    if (!standings.ok()) {
      fx->error = standings.error().message;
      return;
    }
    for (const engine::StandingRow& row : standings->rows) {
      fx->coal_units.push_back(state.units()[static_cast<size_t>(row.participant.id)].code);
      if (fx->coal_units.size() == 64) break;
    }
  }
}

Fixture& Demo() {
  static Fixture fixture;
  static const bool built = (Build(&fixture), true);
  (void)built;
  return fixture;
}

void BM_ReportEndToEnd(benchmark::State& st) {
  Fixture& f = Demo();
  if (!f.error.empty() || f.coal_units.empty()) {
    st.SkipWithError(f.error.empty() ? "no coal units" : f.error.c_str());
    return;
  }
  size_t i = 0;
  const int64_t first_event = f.events.last_id();
  for (auto _ : st) {
    const std::string& unit = f.coal_units[i % f.coal_units.size()];
    // Each unit's value alternates between two levels around its usual day.
    const double value = 800 + 400.0 * static_cast<double>((i / f.coal_units.size()) % 2);
    ++i;
    http::Request request{
        .method = "POST",
        .headers = {{"authorization", "Bearer " + f.token}, {"content-type", "application/json"}},
        .body = R"({"unit":")" + unit +
                R"(","indicator":"coal_output","date":"2026-12-31","value":)" +
                std::to_string(value) + "}"};
    const http::Router::Dispatched d = f.router.Dispatch(std::move(request), "/api/reports");
    if (d.response.status != 200) {
      st.SkipWithError(d.response.body.c_str());
      return;
    }
  }
  st.counters["events_per_report"] = benchmark::Counter(
      static_cast<double>(f.events.last_id() - first_event) / static_cast<double>(i));
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_ReportEndToEnd)->Unit(benchmark::kMicrosecond)->MinTime(2);

// The floor: one row per transaction into a bare table, as durable as the store.
void BM_SqliteOneRowCommit(benchmark::State& st) {
  sqlite3* db = nullptr;
  const std::string path = WorkDir() + "/bare.db";
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    st.SkipWithError("cannot open the bare database");
    return;
  }
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE IF NOT EXISTS report(unit TEXT, indicator TEXT, day TEXT, value REAL)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO report VALUES('U00001','coal_output','2026-12-31',?)", -1,
                     &insert, nullptr);
  double value = 0;
  for (auto _ : st) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_bind_double(insert, 1, value += 1);
    sqlite3_step(insert);
    sqlite3_reset(insert);
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      st.SkipWithError("commit failed");
      break;
    }
  }
  sqlite3_finalize(insert);
  sqlite3_close(db);
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_SqliteOneRowCommit)->Unit(benchmark::kMicrosecond)->MinTime(2);

}  // namespace
}  // namespace chollima

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  chollima::Demo();  // built before any timing starts
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(chollima::WorkDir());
  return 0;
}
