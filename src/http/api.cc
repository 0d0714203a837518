#include "http/api.h"

#include <cmath>
#include <initializer_list>
#include <mutex>
#include <sstream>

#include "core/period.h"
#include "core/text.h"
#include "engine/fulfilment.h"
#include "http/params.h"
#include "io/json_writer.h"
#include "io/table_writer.h"
#include "service/fulfilment_query.h"

namespace chollima::http {
Api::Api(ApiContext context)
    : context_(std::move(context)),
      service_(context_.service),
      metrics_(context_.metrics),
      book_(std::make_unique<engine::AssignmentBook>(service_.state())),
      drive_board_(std::make_unique<engine::DriveBoard>(
          service_.state(), *book_, service_.state().drives(), service_.state().drive_results())),
      record_book_(std::make_unique<engine::RecordBook>(service_.state(),
                                                        service_.state().outlier_reviews())) {}

void Api::Register(Router& router) {
  using PlainHandler = Response (Api::*)(const Request&) const;
  auto plain = [&](const char* method, const char* path, Access access, PlainHandler handler) {
    router.Add(method, path, [this, access, handler](const Request& r) {
      return Guarded(r, access, [&](const Caller&) { return (this->*handler)(r); });
    });
  };
  auto route = [&](const char* method, const char* path, Access access, CallerHandler handler) {
    router.Add(method, path, [this, access, handler](const Request& r) {
      return Guarded(r, access, [&](const Caller& c) { return (this->*handler)(r, c); });
    });
  };
  plain("GET", "/healthz", Access::kPublic, &Api::Healthz);
  plain("GET", "/metrics", Access::kPublic, &Api::MetricsText);
  plain("GET", "/api/openapi.yaml", Access::kPublic, &Api::OpenApi);
  plain("POST", "/api/login", Access::kPublic, &Api::Login);
  route("POST", "/api/logout", Access::kRead, &Api::Logout);
  route("GET", "/api/me", Access::kRead, &Api::Me);
  route("GET", "/api/users", Access::kAdmin, &Api::ListUsers);
  route("POST", "/api/users", Access::kAdmin, &Api::AddUser);
  route("DELETE", "/api/users/{name}", Access::kAdmin, &Api::RevokeUser);
  route("POST", "/api/users/{name}/tokens", Access::kRead, &Api::AddToken);
  route("GET", "/api/audit", Access::kAdmin, &Api::AuditList);
  route("GET", "/api/audit/{seq}", Access::kAdmin, &Api::AuditDetail);
  route("GET", "/api/events", Access::kRead, &Api::Events);
  // Reads: any caller (viewer and up).
  for (const auto& [path, handler] : std::initializer_list<std::pair<const char*, PlainHandler>>{
           {"/api/fulfilment", &Api::Fulfilment},
           {"/api/indicators", &Api::Indicators},
           {"/api/hierarchies", &Api::Hierarchies},
           {"/api/groups", &Api::Groups},
           {"/api/units", &Api::Units},
           {"/api/units/{code}", &Api::UnitDetail},
           {"/api/units/{code}/series", &Api::UnitSeries},
           {"/api/units/{code}/fulfilment", &Api::UnitFulfilment},
           {"/api/plans", &Api::Plans},
           {"/api/reports/history", &Api::ReportHistory},
           {"/api/export/{kind}", &Api::Export},
           {"/api/drives", &Api::Drives},
           {"/api/drives/{code}", &Api::DriveDetail},
           {"/api/drives/{code}/standings", &Api::DriveStandings},
           {"/api/drives/{code}/results", &Api::DriveResults},
           {"/api/honours", &Api::Honours},
           {"/api/records", &Api::Records},
           {"/api/outliers", &Api::Outliers},
           {"/api/standards", &Api::Standards},
           {"/api/frontier", &Api::Frontier},
           {"/api/units/{code}/learning", &Api::UnitLearning},
           {"/api/models", &Api::Models},
           {"/api/models/suggestions", &Api::ModelSuggestions},
           {"/api/models/{unit}", &Api::ModelDetail},
           {"/api/pairs", &Api::Pairs}}) {
    plain("GET", path, Access::kRead, handler);
  }
  // Writes: JSON bodies of one kind each, and CSV files of any kind. Viewers are refused
  // before the body is read; what else each role may write is decided on the changes.
  for (const auto& [path, kind] : std::initializer_list<std::pair<const char*, io::ImportKind>>{
           {"/api/groups", io::ImportKind::kGroups},
           {"/api/units", io::ImportKind::kUnits},
           {"/api/memberships", io::ImportKind::kMemberships},
           {"/api/indicators", io::ImportKind::kIndicators},
           {"/api/plans", io::ImportKind::kPlans},
           {"/api/reports", io::ImportKind::kReports}}) {
    router.Add("POST", path, [this, kind](const Request& r) {
      return Guarded(r, Access::kWrite, [&](const Caller& c) { return WriteJson(r, c, kind); });
    });
  }
  route("POST", "/api/import/{kind}", Access::kWrite, &Api::ImportCsv);
  // Emulation writes: planners (within their scope) and admins.
  route("POST", "/api/drives", Access::kWrite, &Api::CreateDrive);
  route("POST", "/api/drives/{code}/seasons/{index}/finalize", Access::kWrite,
        &Api::FinalizeSeason);
  route("POST", "/api/outliers/review", Access::kWrite, &Api::ReviewOutlier);
  route("POST", "/api/standards", Access::kWrite, &Api::SetStandard);
  route("POST", "/api/standards/rebase", Access::kWrite, &Api::RebaseStandard);
  // Models and learning: planners (within their scope) and admins.
  route("POST", "/api/models", Access::kWrite, &Api::DesignateModel);
  route("POST", "/api/followers", Access::kWrite, &Api::ChooseModel);
  route("POST", "/api/pairs/assign", Access::kWrite, &Api::AssignPairs);
  route("POST", "/api/pairs/rules", Access::kWrite, &Api::SetPairRule);
}

Response Api::Healthz(const Request&) const { return JsonResponse(200, R"({"status":"ok"})"); }

Response Api::MetricsText(const Request&) const {
  std::string out = metrics_.Render();
  {
    std::shared_lock lock(mu_);
    const engine::State& s = service_.state();
    AppendGauge(out, "chollima_units", "Units in the engine.",
                static_cast<double>(s.units().size()));
    AppendGauge(out, "chollima_groups", "Groups of every hierarchy.",
                static_cast<double>(s.groups().size()));
    AppendGauge(out, "chollima_indicators", "Indicators.",
                static_cast<double>(s.indicators().size()));
    AppendGauge(out, "chollima_series", "Report series (unit x indicator with any report).",
                static_cast<double>(s.series_count()));
    AppendGauge(out, "chollima_plans", "Current plans.", static_cast<double>(s.plans().size()));
  }
  const engine::FrontierCache::Counters f = frontiers_.counters();
  AppendMetric(out, "chollima_frontier_cache_hits_total", "counter",
               "Frontiers answered from the cache (the same units, figures and options).",
               static_cast<double>(f.hits));
  AppendMetric(out, "chollima_frontier_solves_total", "counter",
               "Frontiers solved by the DEA kernel for the reads.", static_cast<double>(f.solves));
  return {.status = 200, .content_type = "text/plain; version=0.0.4", .body = std::move(out)};
}

Response Api::Fulfilment(const Request& request) const {
  if (Status s = CheckParameters(
          request, {"period", "by", "within", "indicator", "as_of", "units", "all", "at_risk"});
      !s.ok()) {
    return ErrorResponse(s.error());
  }
  service::FulfilmentOptions options;
  const auto period = request.query.Get("period");
  if (!period || period->empty()) return ErrorResponse(InvalidArgument("period: required"));
  options.period = *period;
  options.by = request.query.Get("by").value_or("");
  options.within = request.query.Get("within").value_or("");
  options.indicator = request.query.Get("indicator").value_or("");
  options.as_of = request.query.Get("as_of").value_or("");
  auto units = BoolParameter(request, "units");
  if (!units.ok()) return ErrorResponse(units.error());
  options.units = *units;
  auto all = BoolParameter(request, "all");
  if (!all.ok()) return ErrorResponse(all.error());
  if (const auto at_risk = request.query.Get("at_risk")) {
    if (!ParseNumber(*at_risk, options.at_risk) || !(options.at_risk >= 0) || options.at_risk > 1) {
      return ErrorResponse(InvalidArgument("at_risk: expected a number from 0 to 1"));
    }
  }

  std::shared_lock lock(mu_);
  // The same query gives the same answer until the next write.
  const std::string key = ResponseCache::KeyOf(request);
  const uint64_t generation = generation_.load();
  if (auto cached = cache_.Get(key, generation)) return JsonResponse(200, *cached);
  const engine::State& state = service_.state();
  auto query = service::MakeFulfilmentQuery(state, options);
  if (!query.ok()) return ErrorResponse(query.error());
  auto table = engine::ComputeFulfilment(state, *book_, *query);
  if (!table.ok()) return ErrorResponse(table.error());
  std::string body = FulfilmentJson(state, *query, *table, *all);
  cache_.Put(key, generation, body);
  return JsonResponse(200, std::move(body));
}

std::string Api::FulfilmentJson(const engine::State& state, const engine::FulfilmentQuery& query,
                                const engine::FulfilmentTable& table, bool all) {
  std::ostringstream rows;
  io::TableWriter w(rows, io::TableFormat::kJson, service::FulfilmentColumns());
  service::WriteFulfilmentRows(state, table, all, /*rounded=*/false, w);
  w.Finish();
  std::string body = "{\"period\":";
  io::AppendJsonString(body, FormatPeriod(query.period));
  body += ",\"as_of\":";
  io::AppendJsonString(body, FormatDate(query.as_of));
  body += ",\"rows\":";
  std::string rows_text = rows.str();
  while (!rows_text.empty() && rows_text.back() == '\n') rows_text.pop_back();
  body += rows_text;
  body += '}';
  return body;
}

Response Api::Indicators(const Request& request) const {
  if (Status s = CheckParameters(request, {}); !s.ok()) return ErrorResponse(s.error());
  std::shared_lock lock(mu_);
  const engine::State& state = service_.state();
  io::JsonWriter w;
  w.BeginObject();
  w.Key("indicators");
  w.BeginArray();
  auto code_of = [&](IndicatorId id) { return state.indicators()[static_cast<size_t>(id)].code; };
  for (const Indicator& ind : state.indicators()) {
    w.BeginObject();
    w.Key("code");
    w.String(ind.code);
    w.Key("name");
    w.String(ind.name);
    w.Key("measure");
    w.String(ind.measure);
    w.Key("direction");
    w.String(DirectionName(ind.direction));
    w.Key("aggregation");
    w.String(AggregationName(ind.aggregation));
    w.Key("role");
    w.String(RoleName(ind.role));
    w.Key("grain");
    w.String(GrainName(ind.grain));
    w.Key("numerator");
    if (ind.IsDerived()) {
      w.String(code_of(ind.numerator));
    } else {
      w.Null();
    }
    w.Key("denominator");
    if (ind.IsDerived()) {
      w.String(code_of(ind.denominator));
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return JsonResponse(200, w.Take());
}

}  // namespace chollima::http
