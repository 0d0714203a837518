// Reads of structure, plans, series and history (see api.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/period.h"
#include "core/text.h"
#include "engine/fulfilment.h"
#include "http/api.h"
#include "http/params.h"
#include "io/export.h"
#include "io/import.h"
#include "io/json_writer.h"
#include "io/table_writer.h"
#include "service/fulfilment_query.h"

namespace chollima::http {
namespace {

// Memberships are listed as they stand at the end of time: the latest of each.
constexpr Date kEndOfTime{std::numeric_limits<int32_t>::max() / 2};

void NumberOrNull(io::JsonWriter& w, double v) {
  if (std::isnan(v) || std::isinf(v)) {
    w.Null();
  } else {
    w.Number(v);
  }
}

// {"region":"C001","sector":"coal-a"}: the unit's group in each hierarchy at `day`.
void WriteGroups(io::JsonWriter& w, const engine::State& state, UnitId unit, Date day) {
  w.BeginObject();
  for (HierarchyId h = 0; h < static_cast<HierarchyId>(state.hierarchies().size()); ++h) {
    const GroupId g = state.GroupOf(unit, h, day);
    if (g == kNoId) continue;
    w.Key(state.hierarchies()[static_cast<size_t>(h)].code);
    w.String(state.groups()[static_cast<size_t>(g)].code);
  }
  w.EndObject();
}

// 404 for a unit named in the path that does not exist.
Response UnitNotFound(const Request& request) {
  return ErrorResponse(404, "unit_not_found", "no unit '" + request.Param("code") + "'");
}

Result<UnitId> FindUnitParam(const engine::State& state, const std::string& code) {
  auto u = state.FindUnit(code);
  if (!u) return NotFound("unit: unknown unit '" + code + "'");
  return *u;
}

Result<IndicatorId> FindIndicatorParam(const engine::State& state, const std::string& code) {
  auto i = state.FindIndicator(code);
  if (!i) return NotFound("indicator: unknown indicator '" + code + "'");
  return *i;
}

// Case-insensitive (ASCII) substring test.
bool ContainsFolded(std::string_view text, std::string_view folded_needle) {
  if (folded_needle.empty()) return true;
  return ToLower(text).find(folded_needle) != std::string::npos;
}

// The actual of a unit's indicator over [begin, end): the indicator's aggregation of its
// days, a ratio of its parts' actuals for a derived one; NaN when nothing was reported.
double UnitActual(const engine::State& state, UnitId unit, IndicatorId i, Date begin, Date end) {
  const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
  if (ind.IsDerived()) {
    const double num = UnitActual(state, unit, ind.numerator, begin, end);
    const double den = UnitActual(state, unit, ind.denominator, begin, end);
    if (std::isnan(num) || std::isnan(den) || den == 0) return std::nan("");
    return num / den;
  }
  const int32_t series = state.FindSeries(unit, i);
  if (series < 0) return std::nan("");
  const Date lo = std::max(begin, state.origin());
  const Date hi = std::min(end, state.origin() + state.series_days());
  if (!(lo < hi)) return std::nan("");
  const auto days = state.Series(series).subspan(static_cast<size_t>(lo - state.origin()),
                                                 static_cast<size_t>(hi - lo));
  const engine::SeriesAggregate a = engine::AggregateSeries(days, ind.aggregation);
  return a.reported_days == 0 ? std::nan("") : a.actual;
}

void WriteRevisions(io::JsonWriter& w, const std::vector<store::Revision>& revisions) {
  w.BeginArray();
  for (const store::Revision& r : revisions) {
    w.BeginObject();
    w.Key("seq");
    w.Int(r.seq);
    w.Key("value");
    w.Number(r.value);
    w.Key("author");
    w.String(r.batch.author);
    w.Key("recorded_at");
    w.String(r.batch.recorded_at);
    w.Key("kind");
    w.String(r.batch.kind);
    w.Key("source");
    w.String(r.batch.source);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

Response Api::Hierarchies(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    std::vector<int32_t> groups(state.hierarchies().size(), 0);
    for (const Group& g : state.groups()) ++groups[static_cast<size_t>(g.hierarchy)];
    io::JsonWriter w;
    w.BeginObject();
    w.Key("hierarchies");
    w.BeginArray();
    for (HierarchyId h = 0; h < static_cast<HierarchyId>(state.hierarchies().size()); ++h) {
      w.BeginObject();
      w.Key("code");
      w.String(state.hierarchies()[static_cast<size_t>(h)].code);
      w.Key("levels");
      w.Int(state.Depth(h));
      w.Key("groups");
      w.Int(groups[static_cast<size_t>(h)]);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::Groups(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"hierarchy", "parent", "all"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string hierarchy_code,
                              RequiredParameter(request, "hierarchy"));
    CHOLLIMA_ASSIGN_OR_RETURN(const bool all, BoolParameter(request, "all"));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    const auto h = state.FindHierarchy(hierarchy_code);
    if (!h) return NotFound("hierarchy: unknown hierarchy '" + hierarchy_code + "'");
    GroupId parent = kNoId;
    if (const auto p = request.query.Get("parent"); p && !p->empty()) {
      if (all) return InvalidArgument("all: cannot be combined with parent");
      const auto g = state.FindGroup(*h, *p);
      if (!g)
        return NotFound("parent: no group '" + *p + "' in hierarchy '" + hierarchy_code + "'");
      parent = *g;
    }
    // Units in each group's subtree, by their latest membership.
    std::vector<int32_t> units(state.groups().size(), 0);
    for (UnitId u = 0; u < static_cast<UnitId>(state.units().size()); ++u) {
      for (GroupId g = state.GroupOf(u, *h, kEndOfTime); g != kNoId;
           g = state.groups()[static_cast<size_t>(g)].parent) {
        ++units[static_cast<size_t>(g)];
      }
    }
    io::JsonWriter w;
    w.BeginObject();
    w.Key("groups");
    w.BeginArray();
    for (GroupId g = 0; g < static_cast<GroupId>(state.groups().size()); ++g) {
      const Group& group = state.groups()[static_cast<size_t>(g)];
      if (group.hierarchy != *h || (!all && group.parent != parent)) continue;
      w.BeginObject();
      w.Key("hierarchy");
      w.String(hierarchy_code);
      w.Key("code");
      w.String(group.code);
      w.Key("name");
      w.String(group.name);
      w.Key("parent");
      if (group.parent == kNoId) {
        w.Null();
      } else {
        w.String(state.groups()[static_cast<size_t>(group.parent)].code);
      }
      w.Key("depth");
      w.Int(group.depth);
      w.Key("units");
      w.Int(units[static_cast<size_t>(g)]);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::Units(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"offset", "limit", "within", "q", "sort"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const int offset,
                              IntParameter(request, "offset", 0, 0, 1'000'000'000));
    CHOLLIMA_ASSIGN_OR_RETURN(const int limit,
                              IntParameter(request, "limit", 100, 1, kMaxPageSize));
    const std::string sort = request.query.Get("sort").value_or("code");
    if (sort != "code" && sort != "name") {
      return InvalidArgument("sort: expected code or name, not '" + sort + "'");
    }
    const std::string needle = ToLower(Trim(request.query.Get("q").value_or("")));

    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    std::optional<GroupId> within;
    if (const auto wv = request.query.Get("within"); wv && !wv->empty()) {
      CHOLLIMA_ASSIGN_OR_RETURN(within, ParseGroupRef(state, "within", *wv));
    }
    std::vector<UnitId> matched;
    for (UnitId u = 0; u < static_cast<UnitId>(state.units().size()); ++u) {
      const Unit& unit = state.units()[static_cast<size_t>(u)];
      if (within) {
        const HierarchyId wh = state.groups()[static_cast<size_t>(*within)].hierarchy;
        const GroupId g = state.GroupOf(u, wh, kEndOfTime);
        if (g == kNoId || !state.IsWithin(g, *within)) continue;
      }
      if (!needle.empty() && !ContainsFolded(unit.code, needle) &&
          !ContainsFolded(unit.name, needle)) {
        continue;
      }
      matched.push_back(u);
    }
    auto key = [&](UnitId u) -> const std::string& {
      const Unit& unit = state.units()[static_cast<size_t>(u)];
      return sort == "name" ? unit.name : unit.code;
    };
    std::stable_sort(matched.begin(), matched.end(),
                     [&](UnitId a, UnitId b) { return key(a) < key(b); });
    const size_t begin = std::min(matched.size(), static_cast<size_t>(offset));
    const size_t end = std::min(matched.size(), begin + static_cast<size_t>(limit));
    io::JsonWriter w;
    w.BeginObject();
    w.Key("total");
    w.Int(static_cast<int64_t>(matched.size()));
    w.Key("offset");
    w.Int(offset);
    w.Key("limit");
    w.Int(limit);
    w.Key("units");
    w.BeginArray();
    for (size_t k = begin; k < end; ++k) {
      const Unit& unit = state.units()[static_cast<size_t>(matched[k])];
      w.BeginObject();
      w.Key("code");
      w.String(unit.code);
      w.Key("name");
      w.String(unit.name);
      w.Key("groups");
      WriteGroups(w, state, matched[k], kEndOfTime);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::UnitDetail(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    const auto u = state.FindUnit(request.Param("code"));
    if (!u) return UnitNotFound(request);
    const Unit& unit = state.units()[static_cast<size_t>(*u)];
    io::JsonWriter w;
    w.BeginObject();
    w.Key("code");
    w.String(unit.code);
    w.Key("name");
    w.String(unit.name);
    w.Key("groups");
    WriteGroups(w, state, *u, kEndOfTime);
    w.Key("attributes");
    w.BeginObject();
    for (const auto& [name, value] : unit.attributes) {
      w.Key(name);
      NumberOrNull(w, value);
    }
    w.EndObject();
    w.Key("memberships");
    w.BeginArray();
    for (const Membership& m : state.MembershipsOf(*u)) {
      w.BeginObject();
      w.Key("hierarchy");
      w.String(state.hierarchies()[static_cast<size_t>(m.hierarchy)].code);
      w.Key("group");
      w.String(state.groups()[static_cast<size_t>(m.group)].code);
      w.Key("from");
      if (m.from == kBeginningOfTime) {
        w.Null();
      } else {
        w.String(FormatDate(m.from));
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::UnitSeries(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"indicator", "from", "to", "grain"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string indicator_code,
                              RequiredParameter(request, "indicator"));
    CHOLLIMA_ASSIGN_OR_RETURN(const auto from, DateParameter(request, "from"));
    CHOLLIMA_ASSIGN_OR_RETURN(const auto to, DateParameter(request, "to"));
    const std::string grain_name = request.query.Get("grain").value_or("day");
    auto grain = ParseGrain(grain_name);
    if (!grain.ok()) return InvalidArgument("grain: " + grain.error().message);

    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    const auto u = state.FindUnit(request.Param("code"));
    if (!u) return UnitNotFound(request);
    CHOLLIMA_ASSIGN_OR_RETURN(const IndicatorId i, FindIndicatorParam(state, indicator_code));
    // Default range: the year of the latest report.
    const Date last = state.LastReportedDay().value_or(Date::FromCivil(2026, 1, 1));
    const Period year = PeriodOf(Grain::kYear, last);
    const Date begin = from.value_or(year.begin);
    const Date end = to ? *to + 1 : year.end;
    if (!(begin < end)) return InvalidArgument("to: must not be before from");
    constexpr int32_t kMaxDays = 366 * 5;
    if (end - begin > kMaxDays) {
      return InvalidArgument("to: at most " + std::to_string(kMaxDays) + " days per request");
    }
    const PlanTarget target{false, *u};
    io::JsonWriter w;
    w.BeginObject();
    w.Key("unit");
    w.String(state.units()[static_cast<size_t>(*u)].code);
    w.Key("indicator");
    w.String(indicator_code);
    w.Key("grain");
    w.String(GrainName(*grain));
    w.Key("points");
    w.BeginArray();
    for (const Period& p : PeriodsOverlapping(*grain, begin, end)) {
      w.BeginObject();
      w.Key("period");
      w.String(FormatPeriod(p));
      w.Key("plan");
      NumberOrNull(w, book_->Plan(target, i, p));
      w.Key("actual");
      NumberOrNull(w, UnitActual(state, *u, i, p.begin, p.end));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::UnitFulfilment(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"period", "as_of", "all"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const bool all, BoolParameter(request, "all"));
    service::FulfilmentOptions options;
    CHOLLIMA_ASSIGN_OR_RETURN(options.period, RequiredParameter(request, "period"));
    options.as_of = request.query.Get("as_of").value_or("");

    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    const auto u = state.FindUnit(request.Param("code"));
    if (!u) return UnitNotFound(request);
    CHOLLIMA_ASSIGN_OR_RETURN(engine::FulfilmentQuery query,
                              service::MakeFulfilmentQuery(state, options));
    // The unit's rows alone, at a cost proportional to its indicators.
    std::vector<engine::UnitIndicator> pairs;
    for (const IndicatorId i : book_->planned_indicators()) pairs.push_back({*u, i});
    engine::FulfilmentTable table;
    CHOLLIMA_ASSIGN_OR_RETURN(table.unit_rows,
                              engine::ComputeUnitRows(state, *book_, query, pairs));
    return JsonResponse(200, FulfilmentJson(state, query, table, all));
  });
}

Response Api::Plans(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(
        CheckParameters(request, {"target", "indicator", "period", "offset", "limit"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const int offset,
                              IntParameter(request, "offset", 0, 0, 1'000'000'000));
    CHOLLIMA_ASSIGN_OR_RETURN(const int limit,
                              IntParameter(request, "limit", 100, 1, kMaxPageSize));
    std::optional<Period> period;
    if (const auto p = request.query.Get("period"); p && !p->empty()) {
      auto parsed = ParsePeriod(*p);
      if (!parsed.ok()) return InvalidArgument("period: " + parsed.error().message);
      period = *parsed;
    }

    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    std::optional<PlanTarget> target;
    if (const auto t = request.query.Get("target"); t && !t->empty()) {
      if (t->find('/') != std::string::npos) {
        CHOLLIMA_ASSIGN_OR_RETURN(const GroupId g, ParseGroupRef(state, "target", *t));
        target = PlanTarget{true, g};
      } else {
        CHOLLIMA_ASSIGN_OR_RETURN(const UnitId u, FindUnitParam(state, *t));
        target = PlanTarget{false, u};
      }
    }
    std::optional<IndicatorId> indicator;
    if (const auto i = request.query.Get("indicator"); i && !i->empty()) {
      CHOLLIMA_ASSIGN_OR_RETURN(indicator, FindIndicatorParam(state, *i));
    }
    int64_t total = 0;
    io::JsonWriter w;
    w.BeginObject();
    w.Key("plans");
    w.BeginArray();
    for (const Plan& plan : state.plans()) {
      if (target && !(plan.target == *target)) continue;
      if (indicator && plan.indicator != *indicator) continue;
      // A period filter keeps the plans that overlap it.
      if (period && !(plan.period.begin < period->end && period->begin < plan.period.end)) continue;
      ++total;
      if (total <= offset || total > static_cast<int64_t>(offset) + limit) continue;
      w.BeginObject();
      w.Key("target");
      w.String(io::TargetCode(state, plan.target));
      w.Key("indicator");
      w.String(state.indicators()[static_cast<size_t>(plan.indicator)].code);
      w.Key("period");
      w.String(FormatPeriod(plan.period));
      w.Key("value");
      w.Number(plan.value);
      w.Key("method");
      w.String(io::MethodName(state, plan));
      w.EndObject();
    }
    w.EndArray();
    w.Key("total");
    w.Int(total);
    w.Key("offset");
    w.Int(offset);
    w.Key("limit");
    w.Int(limit);
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::ReportHistory(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"unit", "indicator", "date"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string unit_code, RequiredParameter(request, "unit"));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string indicator_code,
                              RequiredParameter(request, "indicator"));
    CHOLLIMA_ASSIGN_OR_RETURN(const auto date, DateParameter(request, "date"));
    if (!date) return InvalidArgument("date: required");
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const UnitId u, FindUnitParam(state, unit_code));
    CHOLLIMA_ASSIGN_OR_RETURN(const IndicatorId i, FindIndicatorParam(state, indicator_code));
    std::vector<store::Revision> revisions;
    {
      std::lock_guard store_lock(store_mu_);
      CHOLLIMA_ASSIGN_OR_RETURN(revisions, service_.store().ReportHistory(u, i, *date));
    }
    io::JsonWriter w;
    w.BeginObject();
    w.Key("unit");
    w.String(unit_code);
    w.Key("indicator");
    w.String(indicator_code);
    w.Key("date");
    w.String(FormatDate(*date));
    w.Key("revisions");
    WriteRevisions(w, revisions);
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::Export(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"format"}));
    auto kind = io::ParseImportKind(request.Param("kind"));
    if (!kind.ok()) {
      return ErrorResponse(404, "route_not_found", "no export of '" + request.Param("kind") + "'");
    }
    const std::string format = request.query.Get("format").value_or("csv");
    if (format != "csv" && format != "json") {
      return InvalidArgument("format: expected csv or json, not '" + format + "'");
    }
    std::ostringstream out;
    {
      std::shared_lock lock(mu_);
      CHOLLIMA_RETURN_IF_ERROR(
          io::Export(*kind, service_.state(),
                     format == "csv" ? io::TableFormat::kCsv : io::TableFormat::kJson, out));
    }
    const std::string file = std::string(io::ImportKindName(*kind)) + "." + format;
    return Response{
        .status = 200,
        .content_type = format == "csv" ? "text/csv; charset=utf-8" : "application/json",
        .body = out.str(),
        .headers = {{"Content-Disposition", "attachment; filename=\"" + file + "\""}}};
  });
}

}  // namespace chollima::http
