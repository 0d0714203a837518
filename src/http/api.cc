#include "http/api.h"

#include <cmath>
#include <initializer_list>
#include <mutex>
#include <sstream>

#include "core/period.h"
#include "core/text.h"
#include "engine/fulfilment.h"
#include "io/json_writer.h"
#include "io/table_writer.h"
#include "service/fulfilment_query.h"

namespace chollima::http {
namespace {

// Fails naming the first parameter of `request` that is not in `known`, so a typo is
// an error rather than a silently ignored option.
Status CheckParameters(const Request& request, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.query.items()) {
    bool found = false;
    for (std::string_view k : known) found = found || k == name;
    if (!found) return InvalidArgument(name + ": unknown parameter");
  }
  return OkStatus();
}

// "", "true" and "1" are true; "false" and "0" false (a bare "&all" means true).
Result<bool> BoolParameter(const Request& request, std::string_view name) {
  const auto v = request.query.Get(name);
  if (!v) return false;
  if (v->empty() || *v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return InvalidArgument(std::string(name) + ": expected true or false, not '" + *v + "'");
}

Result<int> IntParameter(const Request& request, std::string_view name, int fallback, int min,
                         int max) {
  const auto v = request.query.Get(name);
  if (!v) return fallback;
  int n = 0;
  if (!ParseDigits(*v, n) || n < min || n > max) {
    return InvalidArgument(std::string(name) + ": expected a whole number from " +
                           std::to_string(min) + " to " + std::to_string(max) + ", not '" + *v +
                           "'");
  }
  return n;
}

}  // namespace

Api::Api(service::Service& service, const Metrics& metrics)
    : service_(service),
      metrics_(metrics),
      book_(std::make_unique<engine::AssignmentBook>(service.state())) {}

void Api::Register(Router& router) {
  router.Add("GET", "/healthz", [this](const Request& r) { return Healthz(r); });
  router.Add("GET", "/metrics", [this](const Request& r) { return MetricsText(r); });
  router.Add("GET", "/api/fulfilment", [this](const Request& r) { return Fulfilment(r); });
  router.Add("GET", "/api/units", [this](const Request& r) { return Units(r); });
  router.Add("GET", "/api/indicators", [this](const Request& r) { return Indicators(r); });
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
  return {.status = 200, .content_type = "text/plain; version=0.0.4", .body = std::move(out)};
}

Response Api::Fulfilment(const Request& request) const {
  if (Status s = CheckParameters(request,
                                 {"period", "by", "indicator", "as_of", "units", "all", "at_risk"});
      !s.ok()) {
    return ErrorResponse(s.error());
  }
  service::FulfilmentOptions options;
  const auto period = request.query.Get("period");
  if (!period || period->empty()) return ErrorResponse(InvalidArgument("period: required"));
  options.period = *period;
  options.by = request.query.Get("by").value_or("");
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
  const engine::State& state = service_.state();
  auto query = service::MakeFulfilmentQuery(state, options);
  if (!query.ok()) return ErrorResponse(query.error());
  auto table = engine::ComputeFulfilment(state, *book_, *query);
  if (!table.ok()) return ErrorResponse(table.error());

  std::ostringstream rows;
  io::TableWriter w(rows, io::TableFormat::kJson, service::FulfilmentColumns());
  service::WriteFulfilmentRows(state, *table, *all, /*rounded=*/false, w);
  w.Finish();
  std::string body = "{\"period\":";
  io::AppendJsonString(body, FormatPeriod(query->period));
  body += ",\"as_of\":";
  io::AppendJsonString(body, FormatDate(query->as_of));
  body += ",\"rows\":";
  std::string rows_text = rows.str();
  while (!rows_text.empty() && rows_text.back() == '\n') rows_text.pop_back();
  body += rows_text;
  body += '}';
  return JsonResponse(200, std::move(body));
}

Response Api::Units(const Request& request) const {
  if (Status s = CheckParameters(request, {"offset", "limit"}); !s.ok()) {
    return ErrorResponse(s.error());
  }
  auto offset = IntParameter(request, "offset", 0, 0, 1'000'000'000);
  if (!offset.ok()) return ErrorResponse(offset.error());
  auto limit = IntParameter(request, "limit", 100, 1, kMaxPageSize);
  if (!limit.ok()) return ErrorResponse(limit.error());

  std::shared_lock lock(mu_);
  const engine::State& state = service_.state();
  const size_t total = state.units().size();
  const size_t begin = std::min(total, static_cast<size_t>(*offset));
  const size_t end = std::min(total, begin + static_cast<size_t>(*limit));
  io::JsonWriter w;
  w.BeginObject();
  w.Key("total");
  w.Int(static_cast<int64_t>(total));
  w.Key("offset");
  w.Int(*offset);
  w.Key("limit");
  w.Int(*limit);
  w.Key("units");
  w.BeginArray();
  for (size_t unit_idx = begin; unit_idx < end; ++unit_idx) {
    const Unit& unit = state.units()[unit_idx];
    w.BeginObject();
    w.Key("code");
    w.String(unit.code);
    w.Key("name");
    w.String(unit.name);
    // The latest membership in each hierarchy (memberships are ordered by hierarchy,
    // then `from`, so the last of each run wins).
    w.Key("groups");
    w.BeginObject();
    const auto& memberships = state.MembershipsOf(static_cast<UnitId>(unit_idx));
    for (size_t m = 0; m < memberships.size(); ++m) {
      if (m + 1 < memberships.size() && memberships[m + 1].hierarchy == memberships[m].hierarchy) {
        continue;
      }
      const Membership& ms = memberships[m];
      w.Key(state.hierarchies()[static_cast<size_t>(ms.hierarchy)].code);
      w.String(state.groups()[static_cast<size_t>(ms.group)].code);
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return JsonResponse(200, w.Take());
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
