// The routes of the HTTP API over one Service (docs/openapi.yaml describes each;
// docs/http-api.md is the guide).
//
//   Api api({.service = *service, .accounts = *accounts, .limiter = limiter,
//            .events = bus, .metrics = metrics});
//   Router router;
//   api.Register(router);
//
// Who may call what: /healthz, /metrics, /api/openapi.yaml and POST /api/login are
// public; every other route needs a caller, by session cookie (with the X-CSRF-Token
// header on writes) or by API token (Authorization: Bearer chm_...). Every role reads;
// writes are decided by auth::AuthorizeChanges on the validated changes (one place for
// JSON and CSV alike); accounts and the audit log are for admins.
//
// Thread-safety: handlers may run on many threads at once. Engine reads take a shared
// lock; writes take it exclusively (one writer, many readers), so readers always see a
// consistent State.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

#include "auth/authorize.h"
#include "auth/rate_limiter.h"
#include "engine/assignments.h"
#include "engine/drive.h"
#include "engine/fulfilment.h"
#include "engine/learning.h"
#include "engine/records.h"
#include "http/events.h"
#include "http/metrics.h"
#include "http/response_cache.h"
#include "http/router.h"
#include "io/import.h"
#include "service/service.h"
#include "store/accounts.h"

namespace chollima::http {

// Planners and admins write emulation and learning facts (drives, standards, outlier
// reviews, models, pairs); what exactly is decided on the changes (auth::AuthorizeChanges).
Status CheckEmulationRole(const store::Account& account);

// The data of a summary event (`statuses`, `overtakings`, `records`,
// `models_overtaken`): `{count, author, source, at}`, sent instead of one event each
// when a write causes more than the server publishes one by one.
std::string SummaryEventJson(size_t count, const std::string& author, const std::string& source,
                             const std::string& at);

struct ApiContext {
  service::Service& service;
  store::AccountStore& accounts;
  auth::LoginRateLimiter& limiter;
  EventBus& events;
  const Metrics& metrics;
  // The wall clock for sessions, tokens and events (tests inject a fixed one).
  std::function<store::Timestamp()> now;
  // Adds the Secure attribute to the session cookie (when served behind HTTPS).
  bool secure_cookies = false;
  // A write that changes more statuses than this publishes one `statuses` event with
  // their count instead of one `status` event each.
  size_t max_status_events_per_write = 1000;
  // Likewise for overtaking and record events: more than this in one write publish one
  // `overtakings` or `records` event with their count.
  size_t max_emulation_events_per_write = 1000;
};

class Api {
 public:
  // REQUIRES: everything in `context` outlives the Api and the router it registers
  // into; nothing else uses the service meanwhile.
  explicit Api(ApiContext context);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void Register(Router& router);

  // Pages of /api/units hold at most this many units.
  static constexpr int kMaxPageSize = 1000;
  static constexpr const char* kSessionCookie = "chollima_session";

 private:
  // Who is calling (api_auth.cc).
  struct Caller {
    store::Account account;
    bool by_session = false;
    std::string session_token;  // by_session only
    std::string csrf;           // by_session only
  };
  enum class Access { kPublic, kRead, kWrite, kAdmin };
  using CallerHandler = Response (Api::*)(const Request&, const Caller&) const;
  // Runs `handler` when the request's caller may (401/403 otherwise); public routes get
  // an empty Caller.
  Response Guarded(const Request& request, Access access,
                   const std::function<Response(const Caller&)>& handler) const;
  Result<Caller> Authenticate(const Request& request) const;

  Response Login(const Request& request) const;
  Response Logout(const Request& request, const Caller& caller) const;
  Response Me(const Request& request, const Caller& caller) const;
  Response ListUsers(const Request& request, const Caller& caller) const;
  Response AddUser(const Request& request, const Caller& caller) const;
  Response RevokeUser(const Request& request, const Caller& caller) const;
  Response AddToken(const Request& request, const Caller& caller) const;
  Response AuditList(const Request& request, const Caller& caller) const;
  Response AuditDetail(const Request& request, const Caller& caller) const;
  Response OpenApi(const Request& request) const;
  Response Events(const Request& request, const Caller& caller) const;

  // Writes (api_write.cc): a JSON body of one kind, or a CSV file of any kind.
  Response WriteJson(const Request& request, const Caller& caller, io::ImportKind kind) const;
  Response ImportCsv(const Request& request, const Caller& caller) const;
  // Validates with `parse`, authorizes `caller`, commits, refreshes the assignment book,
  // and publishes the status changes: the one write path of the API.
  Response Write(
      const Request& request, const Caller& caller, io::ImportKind kind, const std::string& source,
      const std::function<Result<io::ImportResult>(const service::ImportRequest&)>& import) const;

  Response Healthz(const Request& request) const;
  Response MetricsText(const Request& request) const;
  Response Fulfilment(const Request& request) const;
  Response Indicators(const Request& request) const;
  // Structure and series (api_structure.cc).
  Response Hierarchies(const Request& request) const;
  Response Groups(const Request& request) const;
  Response Units(const Request& request) const;
  Response UnitDetail(const Request& request) const;
  Response UnitSeries(const Request& request) const;
  Response UnitFulfilment(const Request& request) const;
  Response Plans(const Request& request) const;
  Response ReportHistory(const Request& request) const;
  Response Export(const Request& request) const;

  // Emulation (api_emulation.cc): drives and their standings and results, records and
  // outliers, standards.
  Response Drives(const Request& request) const;
  Response DriveDetail(const Request& request) const;
  Response DriveStandings(const Request& request) const;
  Response DriveResults(const Request& request) const;
  Response Honours(const Request& request) const;
  Response Records(const Request& request) const;
  Response Outliers(const Request& request) const;
  Response Standards(const Request& request) const;
  Response CreateDrive(const Request& request, const Caller& caller) const;
  Response FinalizeSeason(const Request& request, const Caller& caller) const;
  Response ReviewOutlier(const Request& request, const Caller& caller) const;
  Response SetStandard(const Request& request, const Caller& caller) const;
  Response RebaseStandard(const Request& request, const Caller& caller) const;
  // Commits emulation changes (planners within their scope, admins): authorizes, commits,
  // brings the live boards up to date and publishes their events; `answer` writes the
  // 200/201 body from the State after the commit. REQUIRES: mu_ held exclusively.
  Result<Response> CommitEmulation(const Caller& caller, const Changes& changes,
                                   const std::string& kind, const std::string& source, int status,
                                   const std::function<std::string()>& answer) const;
  // After a commit of `changes` (mu_ held exclusively): the drive board and the record
  // book follow the State, and their events go to the bus. Returns the events published.
  int64_t PublishEmulationEvents(const Changes& changes, const std::string& author,
                                 const std::string& source, const std::string& at) const;

  // Models and learning (api_learning.cc): the frontier, a unit's learning page, models
  // and their followers, learning pairs.
  Response Frontier(const Request& request) const;
  Response UnitLearning(const Request& request) const;
  Response Models(const Request& request) const;
  Response ModelSuggestions(const Request& request) const;
  Response ModelDetail(const Request& request) const;
  Response Pairs(const Request& request) const;
  Response DesignateModel(const Request& request, const Caller& caller) const;
  Response ChooseModel(const Request& request, const Caller& caller) const;
  Response AssignPairs(const Request& request, const Caller& caller) const;
  Response SetPairRule(const Request& request, const Caller& caller) const;
  // Publishes the `model_overtaken` events of a commit watched by `watch`, written at
  // `at`.
  int64_t PublishModelEvents(const engine::ModelWatch& watch, const std::string& author,
                             const std::string& source, const std::string& at) const;

  // {"period","as_of","rows":[...]} as GET /api/fulfilment answers.
  static std::string FulfilmentJson(const engine::State& state,
                                    const engine::FulfilmentQuery& query,
                                    const engine::FulfilmentTable& table, bool all);

  ApiContext context_;
  service::Service& service_;
  const Metrics& metrics_;
  mutable std::shared_mutex mu_;  // shared: readers; exclusive: commands
  // Built from service_.state(); replaced by writes that change plans or structure.
  mutable std::unique_ptr<engine::AssignmentBook> book_;  // under mu_
  // The live standings of every drive and the record book, kept current by every write
  // (under mu_).
  mutable std::unique_ptr<engine::DriveBoard> drive_board_;
  mutable std::unique_ptr<engine::RecordBook> record_book_;
  // Answers of GET /api/fulfilment until the next write, which bumps generation_
  // (under mu_ held exclusively).
  mutable ResponseCache cache_;
  mutable std::atomic<uint64_t> generation_{0};
  // Frontiers solved by the reads, by what they were solved from (thread-safe; a write
  // leaves it: a frontier whose figures it changed is solved again when next asked).
  mutable engine::FrontierCache frontiers_;
  // The store serves one thread at a time: readers of history take this too (after mu_).
  mutable std::mutex store_mu_;
};

}  // namespace chollima::http
