#include "service/learning_view.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/period.h"
#include "core/text.h"
#include "service/emulation_view.h"
#include "service/fulfilment_query.h"

namespace chollima::service {
namespace {

const Indicator& Ind(const engine::State& s, IndicatorId i) {
  return s.indicators()[static_cast<size_t>(i)];
}

void WriteIndicatorRef(io::JsonWriter& w, const engine::State& s, IndicatorId i) {
  const Indicator& ind = Ind(s, i);
  w.BeginObject();
  w.Key("code");
  w.String(ind.code);
  w.Key("name");
  w.String(ind.name);
  w.Key("measure");
  w.String(ind.measure);
  w.Key("direction");
  w.String(DirectionName(ind.direction));
  w.EndObject();
}

void WriteNumbers(io::JsonWriter& w, const std::vector<double>& v) {
  w.BeginArray();
  for (double x : v) w.Number(x);
  w.EndArray();
}

void WriteGroupRef(io::JsonWriter& w, const engine::State& s, GroupId g) {
  engine::PeerGroupSpec spec;
  if (g != kNoId) {
    spec.kind = engine::PeerGroupSpec::Kind::kGroup;
    spec.group = g;
  }
  WritePeerGroupJson(w, s, spec);
}

// The members of a designation in a JSON object: unit, peer_group, from, reason, author.
void WriteModelMembers(io::JsonWriter& w, const engine::State& s, const ModelDesignation& m) {
  w.Key("unit");
  WriteUnitRef(w, s, m.unit);
  w.Key("peer_group");
  WriteGroupRef(w, s, m.peer_group);
  w.Key("from");
  w.String(FormatDate(m.from));
  w.Key("reason");
  w.String(m.reason);
  w.Key("author");
  w.String(m.author);
}

Result<std::vector<IndicatorId>> ParseIndicatorList(const engine::State& s,
                                                    const LearningOptions& o,
                                                    std::string_view key) {
  std::vector<IndicatorId> out;
  const auto text = o.Get(key);
  if (!text) return out;
  for (std::string_view code : Split(*text, ',')) {
    code = Trim(code);
    if (code.empty()) continue;
    auto i = s.FindIndicator(code);
    if (!i) return NotFound(o.Name(key) + ": unknown indicator '" + std::string(code) + "'");
    out.push_back(*i);
  }
  return out;
}

Result<UnitId> UnitOption(const engine::State& s, const LearningOptions& o, std::string_view key) {
  const auto code = o.Get(key);
  if (!code) return InvalidArgument(o.Name(key) + ": required (a unit code)");
  auto u = s.FindUnit(*code);
  if (!u) return NotFound(o.Name(key) + ": unknown unit '" + std::string(*code) + "'");
  return *u;
}

Date DefaultDay(const engine::State& s) { return s.LastReportedDay().value_or(Date()); }

// A pair's progress on every compared indicator (engine::LearnerGaps): members of the
// pair's object.
void WritePairGapsMembers(io::JsonWriter& w, const engine::State& state, const LearningPair& p,
                          Date as_of) {
  const engine::PairGaps g = engine::LearnerGaps(state, p, as_of);
  const auto figure = [&](const engine::GapFigure& f) {
    w.BeginObject();
    w.Key("mentor");
    w.Number(f.model);
    w.Key("learner");
    w.Number(f.follower);
    w.Key("gap");
    w.Number(f.gap);
    w.Key("gap_pct");
    w.Number(f.gap_pct);
    w.EndObject();
  };
  w.Key("pairing_period");
  w.String(FormatPeriod(g.pairing_period));
  w.Key("months");
  w.BeginArray();
  for (const Period& m : g.months) w.String(FormatPeriod(m));
  w.EndArray();
  w.Key("gaps");
  w.BeginArray();
  for (size_t k = 0; k < g.indicators.size(); ++k) {
    const engine::GapFigure& then = g.at_pairing[k];
    const engine::GapFigure& now = g.trend.months.back()[k];
    w.BeginObject();
    w.Key("indicator");
    WriteIndicatorRef(w, state, g.indicators[k]);
    w.Key("at_pairing");
    figure(then);
    w.Key("now");
    figure(now);
    w.Key("closed_pct");
    w.Number(g.closed_pct[k]);
    w.Key("slope");
    w.Number(g.trend.slope[k]);
    w.Key("overtook");
    w.Bool(g.trend.overtook[k]);
    w.EndObject();
  }
  w.EndArray();
  w.Key("trend");
  w.BeginArray();
  for (const std::vector<engine::GapFigure>& month : g.trend.months) {
    w.BeginArray();
    for (const engine::GapFigure& f : month) w.Number(f.gap_pct);
    w.EndArray();
  }
  w.EndArray();
}

// The learner's score in the frontier of `group` over the month of `as_of` (NaN when not
// scored there); frontiers are computed once per group.
class ScoreBoard {
 public:
  ScoreBoard(const engine::State& s, Date as_of, engine::FrontierCache* cache)
      : s_(s), month_(PeriodOf(Grain::kMonth, as_of)), cache_(cache) {}
  const Period& month() const { return month_; }
  // `frontier`: "RTS ORIENTATION" as LearningPair::frontier keeps it.
  double Score(GroupId group, const std::string& frontier, UnitId unit) {
    const std::string key = std::to_string(group) + " " + frontier;
    auto it = scores_.find(key);
    if (it == scores_.end()) {
      std::unordered_map<UnitId, double> m;
      engine::FrontierQuery q;
      q.period = month_;
      const std::vector<std::string_view> parts = Split(frontier, ' ');
      if (parts.size() == 2) {
        engine::dea::ParseRts(parts[0], q.options.rts);
        engine::dea::ParseOrientation(parts[1], q.options.orientation);
      }
      if (group != kNoId) {
        q.peers.kind = engine::PeerGroupSpec::Kind::kGroup;
        q.peers.group = group;
      }
      q.options.super_efficiency = false;
      q.options.slacks = false;
      if (auto f = engine::ComputeFrontier(s_, q, cache_); f.ok()) {
        for (const engine::FrontierUnit& u : f->units) m[u.unit] = u.result.score;
      }
      it = scores_.emplace(key, std::move(m)).first;
    }
    const auto u = it->second.find(unit);
    return u == it->second.end() ? std::nan("") : u->second;
  }

 private:
  const engine::State& s_;
  Period month_;
  engine::FrontierCache* cache_;
  std::unordered_map<std::string, std::unordered_map<UnitId, double>> scores_;
};

// A pair in force as GET /api/pairs lists it (the unit's learning page shows the same):
// the learner's score at pairing and now (in `board`'s month, on the pair's frontier),
// the gap 1 - score, and its gaps to the mentor on every indicator.
void WritePairJson(io::JsonWriter& w, const engine::State& state, const LearningPair& p, Date as_of,
                   ScoreBoard& board) {
  const double now = board.Score(p.peer_group, p.frontier, p.learner);
  w.BeginObject();
  w.Key("mentor");
  WriteUnitRef(w, state, p.mentor);
  w.Key("learner");
  WriteUnitRef(w, state, p.learner);
  w.Key("peer_group");
  WriteGroupRef(w, state, p.peer_group);
  w.Key("from");
  w.String(FormatDate(p.from));
  w.Key("basis");
  w.String(p.basis);
  w.Key("period");
  w.String(p.period);
  w.Key("frontier");
  w.String(p.frontier);
  w.Key("score_at_pairing");
  w.Number(p.score_at_pairing);
  w.Key("score_now");
  w.Number(now);
  w.Key("gap_at_pairing");
  w.Number(std::fabs(1 - p.score_at_pairing));
  w.Key("gap_now");
  w.Number(std::fabs(1 - now));
  WritePairGapsMembers(w, state, p, as_of);
  w.EndObject();
}

}  // namespace

// ------------------------------------------------------------------ options

Result<LearningOptions> LearningOptions::FromJson(const io::JsonValue& body,
                                                  std::initializer_list<std::string_view> known) {
  if (!body.IsObject()) return InvalidArgument("$: expected an object");
  LearningOptions o;
  o.prefix_ = "$.";
  for (const io::JsonMember& m : body.Members()) {
    if (std::find(known.begin(), known.end(), m.key) == known.end()) {
      return InvalidArgument("$." + m.key + ": unknown field");
    }
    const io::JsonValue& v = m.value;
    if (v.IsNull()) continue;
    if (v.IsString()) {
      o.values_[m.key] = std::string(v.AsString());
    } else if (v.IsNumber()) {
      o.values_[m.key] = std::string(v.NumberText());
    } else if (v.IsBool()) {
      o.values_[m.key] = v.AsBool() ? "true" : "false";
    } else {
      return InvalidArgument("$." + m.key + ": expected a string, number or boolean, found " +
                             io::JsonKindName(v.kind()));
    }
  }
  return o;
}

std::optional<std::string_view> LearningOptions::Get(std::string_view key) const {
  const auto it = values_.find(key);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return std::string_view(it->second);
}

Status LearningOptions::Alias(std::string_view alias, std::string_view key) {
  const auto a = values_.find(alias);
  if (a == values_.end()) return OkStatus();
  if (Get(key)) return InvalidArgument(Name(alias) + ": give " + Name(key) + " or this, not both");
  values_[std::string(key)] = a->second;
  values_.erase(a);
  return OkStatus();
}

Result<bool> LearningOptions::Bool(std::string_view key, bool fallback) const {
  const auto v = Get(key);
  if (!v) return fallback;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return InvalidArgument(Name(key) + ": expected true or false, not '" + std::string(*v) + "'");
}

Result<std::optional<Date>> LearningOptions::DateOf(std::string_view key) const {
  const auto v = Get(key);
  if (!v) return std::optional<Date>();
  auto d = ParseDate(*v);
  if (!d.ok()) return Named(key, d.error());
  return std::optional<Date>(*d);
}

Result<std::optional<GroupId>> ParsePeerGroup(const engine::State& state, const LearningOptions& o,
                                              std::string_view key) {
  const auto text = o.Get(key);
  if (!text) return std::optional<GroupId>();
  if (*text == "all") return std::optional<GroupId>(kNoId);
  auto g = ResolveGroupRef(state, *text);
  if (!g.ok()) return o.Named(key, g.error());
  return std::optional<GroupId>(*g);
}

Result<FrontierRequest> ParseFrontierQuery(const engine::State& state, const LearningOptions& o) {
  FrontierRequest r;
  engine::FrontierQuery& q = r.query;
  CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<GroupId> group, ParsePeerGroup(state, o, "group"));
  const auto drive = o.Get("drive");
  if (group && drive) {
    return InvalidArgument(o.Name("drive") + ": give a group or a drive's league, not both");
  }
  if (group && *group != kNoId) {
    q.peers.kind = engine::PeerGroupSpec::Kind::kGroup;
    q.peers.group = *group;
  } else if (drive) {
    auto d = state.FindDrive(*drive);
    if (!d) return NotFound(o.Name("drive") + ": unknown drive '" + std::string(*drive) + "'");
    const auto league = o.Get("league");
    if (!league) return InvalidArgument(o.Name("league") + ": required with a drive");
    q.peers.kind = engine::PeerGroupSpec::Kind::kLeague;
    q.peers.drive = *d;
    q.peers.league = std::string(*league);
  } else if (o.Get("league")) {
    return InvalidArgument(o.Name("league") + ": a league needs its drive");
  }
  if (const auto filter = o.Get("filter")) {
    for (std::string_view part : Split(*filter, ',')) {
      part = Trim(part);
      if (part.empty()) continue;
      const size_t ge = part.find(">=");
      const size_t lt = part.find('<');
      engine::AttributeBound b;
      std::string_view value;
      if (ge != std::string_view::npos) {
        b.attribute = std::string(Trim(part.substr(0, ge)));
        value = Trim(part.substr(ge + 2));
      } else if (lt != std::string_view::npos) {
        b.attribute = std::string(Trim(part.substr(0, lt)));
        b.lower = false;
        value = Trim(part.substr(lt + 1));
      }
      if (b.attribute.empty() || !ParseNumber(value, b.value) || !std::isfinite(b.value)) {
        return InvalidArgument(o.Name("filter") + ": '" + std::string(part) +
                               "' is not ATTRIBUTE>=NUMBER or ATTRIBUTE<NUMBER");
      }
      q.peers.filter.push_back(b);
      r.filter.emplace_back(part);
    }
  }
  if (const auto period = o.Get("period")) {
    auto p = ParsePeriod(*period);
    if (!p.ok()) return o.Named("period", p.error());
    q.period = *p;
  } else {
    q.period = PeriodOf(Grain::kMonth, DefaultDay(state));
  }
  if (const auto rts = o.Get("rts")) {
    if (!engine::dea::ParseRts(*rts, q.options.rts)) {
      return InvalidArgument(o.Name("rts") + ": '" + std::string(*rts) +
                             "' is not one of crs, vrs, drs, irs, fdh");
    }
  }
  if (const auto orientation = o.Get("orientation")) {
    if (!engine::dea::ParseOrientation(*orientation, q.options.orientation)) {
      return InvalidArgument(o.Name("orientation") + ": '" + std::string(*orientation) +
                             "' is not in or out");
    }
  }
  CHOLLIMA_ASSIGN_OR_RETURN(q.options.slacks, o.Bool("slacks", true));
  CHOLLIMA_ASSIGN_OR_RETURN(q.options.super_efficiency, o.Bool("super", true));
  CHOLLIMA_ASSIGN_OR_RETURN(q.inputs, ParseIndicatorList(state, o, "inputs"));
  CHOLLIMA_ASSIGN_OR_RETURN(q.outputs, ParseIndicatorList(state, o, "outputs"));
  return r;
}

GroupId RequestGroup(const FrontierRequest& r) {
  return r.query.peers.kind == engine::PeerGroupSpec::Kind::kGroup ? r.query.peers.group : kNoId;
}

// ------------------------------------------------------------------ frontier

void WriteUnitRef(io::JsonWriter& w, const engine::State& state, UnitId unit) {
  const Unit& u = state.units()[static_cast<size_t>(unit)];
  w.BeginObject();
  w.Key("code");
  w.String(u.code);
  w.Key("name");
  w.String(u.name);
  w.EndObject();
}

void WritePeerGroupJson(io::JsonWriter& w, const engine::State& state,
                        const engine::PeerGroupSpec& spec) {
  w.BeginObject();
  w.Key("kind");
  switch (spec.kind) {
    case engine::PeerGroupSpec::Kind::kAll:
      w.String("all");
      break;
    case engine::PeerGroupSpec::Kind::kGroup: {
      w.String("group");
      w.Key("code");
      w.String(TargetCode(state, {.is_group = true, .id = spec.group}));
      w.Key("name");
      w.String(state.groups()[static_cast<size_t>(spec.group)].name);
      break;
    }
    case engine::PeerGroupSpec::Kind::kLeague:
      w.String("league");
      w.Key("drive");
      w.String(state.drives()[static_cast<size_t>(spec.drive)].code);
      w.Key("league");
      w.String(spec.league);
      break;
  }
  w.EndObject();
}

namespace {

void WriteOptionsJson(io::JsonWriter& w, const engine::dea::Options& o) {
  w.BeginObject();
  w.Key("rts");
  w.String(engine::dea::RtsName(o.rts));
  w.Key("orientation");
  w.String(engine::dea::OrientationName(o.orientation));
  w.Key("slacks");
  w.Bool(o.slacks);
  w.Key("super");
  w.Bool(o.super_efficiency);
  w.EndObject();
}

// The request's peer group, filter, period and options, and (with `indicators`) the
// inputs and outputs as indicator references.
void WriteRequestHead(io::JsonWriter& w, const engine::State& state, const FrontierRequest& r,
                      const engine::FrontierResult& f, bool indicators) {
  w.Key("peer_group");
  WritePeerGroupJson(w, state, r.query.peers);
  w.Key("filter");
  w.BeginArray();
  for (const std::string& s : r.filter) w.String(s);
  w.EndArray();
  w.Key("period");
  w.String(FormatPeriod(r.query.period));
  w.Key("options");
  WriteOptionsJson(w, r.query.options);
  if (!indicators) return;
  w.Key("inputs");
  w.BeginArray();
  for (IndicatorId i : f.inputs) WriteIndicatorRef(w, state, i);
  w.EndArray();
  w.Key("outputs");
  w.BeginArray();
  for (IndicatorId i : f.outputs) WriteIndicatorRef(w, state, i);
  w.EndArray();
}

// Ranks: by score (input: higher first; output: lower first), efficient units by
// super-efficiency when computed; competition ranks (ties share).
std::vector<int32_t> Ranks(const engine::FrontierResult& f) {
  const bool input = f.options.orientation == engine::dea::Orientation::kInput;
  const auto key = [&](const engine::FrontierUnit& u) {
    double v = u.result.score;
    if (u.result.efficient && !std::isnan(u.result.super_score)) v = u.result.super_score;
    return input ? -v : v;  // lower key ranks first
  };
  std::vector<int32_t> rank(f.units.size());
  for (size_t j = 0; j < f.units.size(); ++j) {
    int32_t better = 0;
    const double kj = key(f.units[j]);
    for (const engine::FrontierUnit& u : f.units) better += key(u) < kj ? 1 : 0;
    rank[j] = better + 1;
  }
  return rank;
}

void WriteFrontierUnit(io::JsonWriter& w, const engine::State& state, const engine::FrontierUnit& u,
                       int32_t rank) {
  const engine::dea::UnitResult& r = u.result;
  w.BeginObject();
  w.Key("unit");
  WriteUnitRef(w, state, u.unit);
  w.Key("rank");
  w.Int(rank);
  w.Key("score");
  w.Number(r.score);
  w.Key("super_score");
  w.Number(std::isinf(r.super_score) ? std::nan("") : r.super_score);
  w.Key("super_unbounded");
  w.Bool(std::isinf(r.super_score));
  w.Key("efficient");
  w.Bool(r.efficient);
  w.Key("inputs");
  WriteNumbers(w, u.inputs);
  w.Key("outputs");
  WriteNumbers(w, u.outputs);
  w.Key("input_slacks");
  WriteNumbers(w, r.input_slacks);
  w.Key("output_slacks");
  WriteNumbers(w, r.output_slacks);
  w.Key("input_targets");
  WriteNumbers(w, r.input_targets);
  w.Key("output_targets");
  WriteNumbers(w, r.output_targets);
  w.Key("peers");
  w.BeginArray();
  for (const engine::dea::Peer& p : r.peers) {
    w.BeginObject();
    w.Key("unit");
    WriteUnitRef(w, state, p.unit);
    w.Key("lambda");
    w.Number(p.lambda);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

void WriteFrontierJson(io::JsonWriter& w, const engine::State& state, const FrontierRequest& r,
                       const engine::FrontierResult& f) {
  w.BeginObject();
  WriteRequestHead(w, state, r, f, true);
  const std::vector<int32_t> rank = Ranks(f);
  std::vector<size_t> order(f.units.size());
  for (size_t j = 0; j < order.size(); ++j) order[j] = j;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rank[a] < rank[b]; });
  w.Key("units");
  w.BeginArray();
  for (size_t j : order) WriteFrontierUnit(w, state, f.units[j], rank[j]);
  w.EndArray();
  w.Key("excluded");
  w.BeginArray();
  for (const engine::ExcludedUnit& e : f.excluded) {
    w.BeginObject();
    w.Key("unit");
    WriteUnitRef(w, state, e.unit);
    w.Key("reason");
    w.String(e.reason);
    w.EndObject();
  }
  w.EndArray();
  w.Key("frame");
  w.BeginArray();
  for (UnitId u : f.frame) WriteUnitRef(w, state, u);
  w.EndArray();
  w.Key("stats");
  w.BeginObject();
  w.Key("units");
  w.Int(static_cast<int64_t>(f.units.size()));
  w.Key("excluded");
  w.Int(static_cast<int64_t>(f.excluded.size()));
  w.Key("frame");
  w.Int(f.stats.frame_size);
  w.Key("dominated");
  w.Int(f.stats.dominated);
  w.Key("lps");
  w.Int(f.stats.lps_solved);
  w.Key("seconds");
  w.Number(f.stats.seconds_frame + f.stats.seconds_scoring);
  w.EndObject();
  w.EndObject();
}

// ------------------------------------------------------------------ a unit's page

Result<FrontierRequest> UnitFrontierRequest(const engine::State& state, UnitId unit,
                                            const LearningOptions& o) {
  CHOLLIMA_ASSIGN_OR_RETURN(FrontierRequest r, ParseFrontierQuery(state, o));
  if (o.Get("group") || o.Get("drive")) return r;
  if (state.hierarchies().empty()) return r;
  HierarchyId h = 0;
  if (const auto code = o.Get("hierarchy")) {
    auto found = state.FindHierarchy(*code);
    if (!found) {
      return NotFound(o.Name("hierarchy") + ": unknown hierarchy '" + std::string(*code) + "'");
    }
    h = *found;
  }
  int level = 1;
  if (const auto text = o.Get("level")) {
    if (!ParseDigits(*text, level) || level < 1 || level > state.Depth(h)) {
      return InvalidArgument(o.Name("level") + ": '" + std::string(*text) + "' is not a level of " +
                             state.hierarchies()[static_cast<size_t>(h)].code + " (1.." +
                             std::to_string(state.Depth(h)) + ")");
    }
  }
  const GroupId g = state.GroupOf(unit, h, r.query.period.begin);
  if (g == kNoId) return r;  // all units
  const GroupId peer = state.AncestorAt(g, level);
  if (peer == kNoId) return r;
  r.query.peers.kind = engine::PeerGroupSpec::Kind::kGroup;
  r.query.peers.group = peer;
  return r;
}

Status WriteUnitLearningJson(io::JsonWriter& w, const engine::State& state, UnitId unit,
                             const FrontierRequest& r, const engine::FrontierResult& f,
                             engine::FrontierCache* cache) {
  const auto scored = std::find_if(f.units.begin(), f.units.end(),
                                   [&](const engine::FrontierUnit& u) { return u.unit == unit; });
  const auto excluded = std::find_if(f.excluded.begin(), f.excluded.end(),
                                     [&](const engine::ExcludedUnit& e) { return e.unit == unit; });
  if (scored == f.units.end() && excluded == f.excluded.end()) {
    return NotFound("unit " + state.units()[static_cast<size_t>(unit)].code +
                    " is not in the peer group in " + FormatPeriod(r.query.period));
  }
  w.BeginObject();
  w.Key("unit");
  WriteUnitRef(w, state, unit);
  WriteRequestHead(w, state, r, f, false);
  const bool is_scored = scored != f.units.end();
  w.Key("scored");
  w.Bool(is_scored);
  w.Key("excluded_reason");
  if (is_scored) {
    w.Null();
  } else {
    w.String(excluded->reason);
  }
  std::unordered_map<UnitId, const engine::FrontierUnit*> by_unit;
  for (const engine::FrontierUnit& u : f.units) by_unit[u.unit] = &u;
  if (is_scored) {
    const std::vector<int32_t> rank = Ranks(f);
    const engine::dea::UnitResult& res = scored->result;
    w.Key("score");
    w.Number(res.score);
    w.Key("super_score");
    w.Number(std::isinf(res.super_score) ? std::nan("") : res.super_score);
    w.Key("efficient");
    w.Bool(res.efficient);
    w.Key("rank");
    w.Int(rank[static_cast<size_t>(scored - f.units.begin())]);
    w.Key("of");
    w.Int(static_cast<int64_t>(f.units.size()));
    double total = 0;
    for (const engine::dea::Peer& p : res.peers) total += p.lambda;
    w.Key("peers");
    w.BeginArray();
    for (const engine::dea::Peer& p : res.peers) {
      w.BeginObject();
      w.Key("unit");
      WriteUnitRef(w, state, p.unit);
      w.Key("lambda");
      w.Number(p.lambda);
      w.Key("share");
      w.Number(total > 0 ? p.lambda / total : std::nan(""));
      w.Key("score");
      w.Number(by_unit.contains(p.unit) ? by_unit[p.unit]->result.score : std::nan(""));
      w.EndObject();
    }
    w.EndArray();
    const auto figures = [&](const char* key, const std::vector<IndicatorId>& inds,
                             const std::vector<double>& values, const std::vector<double>& targets,
                             const std::vector<double>& slacks) {
      w.Key(key);
      w.BeginArray();
      for (size_t k = 0; k < inds.size(); ++k) {
        const Indicator& ind = Ind(state, inds[k]);
        w.BeginObject();
        w.Key("code");
        w.String(ind.code);
        w.Key("name");
        w.String(ind.name);
        w.Key("measure");
        w.String(ind.measure);
        w.Key("value");
        w.Number(values[k]);
        w.Key("target");
        w.Number(targets[k]);
        w.Key("slack");
        w.Number(slacks[k]);
        w.Key("change_pct");
        w.Number(values[k] != 0 ? 100 * (targets[k] - values[k]) / values[k] : std::nan(""));
        w.EndObject();
      }
      w.EndArray();
    };
    figures("inputs", f.inputs, scored->inputs, res.input_targets, res.input_slacks);
    figures("outputs", f.outputs, scored->outputs, res.output_targets, res.output_slacks);
  } else {
    for (const char* key : {"peers", "inputs", "outputs"}) {
      w.Key(key);
      w.BeginArray();
      w.EndArray();
    }
  }
  const Date today = DefaultDay(state);
  w.Key("models");
  w.BeginArray();
  for (const ModelDesignation& m : engine::ModelsInForce(state, today)) {
    if (m.unit == unit) continue;
    const std::vector<UnitId> followers = engine::FollowersOf(state, m, today);
    if (!std::binary_search(followers.begin(), followers.end(), unit, [&](UnitId a, UnitId b) {
          return state.units()[static_cast<size_t>(a)].code <
                 state.units()[static_cast<size_t>(b)].code;
        })) {
      continue;
    }
    w.BeginObject();
    w.Key("unit");
    WriteUnitRef(w, state, m.unit);
    w.Key("peer_group");
    WriteGroupRef(w, state, m.peer_group);
    w.Key("from");
    w.String(FormatDate(m.from));
    w.Key("reason");
    w.String(m.reason);
    w.EndObject();
  }
  w.EndArray();
  w.Key("pair");
  const std::vector<LearningPair> pairs = engine::PairsInForce(state);
  const auto pair = std::find_if(pairs.begin(), pairs.end(),
                                 [&](const LearningPair& p) { return p.learner == unit; });
  if (pair == pairs.end()) {
    w.Null();
  } else {
    ScoreBoard board(state, today, cache);
    WritePairJson(w, state, *pair, today, board);
  }
  w.EndObject();
  return OkStatus();
}

// ------------------------------------------------------------------ models

void WriteModelsJson(io::JsonWriter& w, const engine::State& state, Date as_of,
                     std::optional<GroupId> group) {
  w.BeginObject();
  w.Key("as_of");
  w.String(FormatDate(as_of));
  w.Key("models");
  w.BeginArray();
  for (const ModelDesignation& m : engine::ModelsInForce(state, as_of)) {
    if (group && m.peer_group != *group) continue;
    w.BeginObject();
    WriteModelMembers(w, state, m);
    w.Key("followers");
    w.Int(static_cast<int64_t>(engine::FollowersOf(state, m, as_of).size()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteSuggestionsJson(io::JsonWriter& w, const engine::State& state, const FrontierRequest& r,
                          const std::vector<engine::ModelSuggestion>& suggestions) {
  w.BeginObject();
  w.Key("peer_group");
  WritePeerGroupJson(w, state, r.query.peers);
  w.Key("period");
  w.String(FormatPeriod(r.query.period));
  w.Key("suggestions");
  w.BeginArray();
  for (const engine::ModelSuggestion& s : suggestions) {
    w.BeginObject();
    w.Key("unit");
    WriteUnitRef(w, state, s.unit);
    w.Key("basis");
    w.String(s.basis);
    w.Key("super_score");
    w.Number(std::isinf(s.super_score) ? std::nan("") : s.super_score);
    w.Key("unbounded");
    w.Bool(std::isinf(s.super_score));
    w.Key("drive");
    if (s.drive == kNoId) {
      w.Null();
    } else {
      w.String(state.drives()[static_cast<size_t>(s.drive)].code);
    }
    w.Key("top_seasons");
    w.Int(s.top_seasons);
    w.Key("mean_rank");
    w.Number(s.drive == kNoId ? std::nan("") : s.mean_rank);
    w.Key("note");
    w.String(s.note);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

Result<ModelDesignation> FindModel(const engine::State& state, UnitId unit,
                                   std::optional<GroupId> group, Date as_of) {
  for (const ModelDesignation& m : engine::ModelsInForce(state, as_of)) {
    if (m.unit == unit && (!group || m.peer_group == *group)) return m;
  }
  return NotFound("unit " + state.units()[static_cast<size_t>(unit)].code + " is not a model" +
                  (group ? " of " + (*group == kNoId ? std::string("all units")
                                                     : TargetCode(state, {true, *group}))
                         : std::string()) +
                  " on " + FormatDate(as_of));
}

void WriteFollowersJson(io::JsonWriter& w, const engine::State& state,
                        const ModelDesignation& model, Date as_of,
                        const engine::ModelFollowers& followers, size_t offset, size_t limit) {
  w.BeginObject();
  w.Key("model");
  w.BeginObject();
  WriteModelMembers(w, state, model);
  w.EndObject();
  w.Key("as_of");
  w.String(FormatDate(as_of));
  w.Key("indicators");
  w.BeginArray();
  for (IndicatorId i : followers.indicators) WriteIndicatorRef(w, state, i);
  w.EndArray();
  w.Key("months");
  w.BeginArray();
  for (const Period& p : followers.months) w.String(FormatPeriod(p));
  w.EndArray();
  w.Key("total");
  w.Int(static_cast<int64_t>(followers.followers.size()));
  w.Key("followers");
  w.BeginArray();
  for (size_t k = offset; k < followers.followers.size() && k < offset + limit; ++k) {
    const engine::FollowerTrend& t = followers.followers[k];
    w.BeginObject();
    w.Key("unit");
    WriteUnitRef(w, state, t.follower);
    w.Key("chosen");
    w.Bool(t.chosen);
    w.Key("gaps");
    w.BeginArray();
    for (size_t i = 0; i < followers.indicators.size(); ++i) {
      const engine::GapFigure& g = t.months.back()[i];
      w.BeginObject();
      w.Key("indicator");
      w.String(Ind(state, g.indicator).code);
      w.Key("model");
      w.Number(g.model);
      w.Key("follower");
      w.Number(g.follower);
      w.Key("gap");
      w.Number(g.gap);
      w.Key("gap_pct");
      w.Number(g.gap_pct);
      w.Key("slope");
      w.Number(t.slope[i]);
      w.Key("overtook");
      w.Bool(t.overtook[i]);
      w.EndObject();
    }
    w.EndArray();
    w.Key("trend");
    w.BeginArray();
    for (const std::vector<engine::GapFigure>& month : t.months) {
      w.BeginArray();
      for (const engine::GapFigure& g : month) w.Number(g.gap_pct);
      w.EndArray();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// ------------------------------------------------------------------ pairs

void WritePairsJson(io::JsonWriter& w, const engine::State& state, std::optional<Date> in_force_on,
                    std::optional<GroupId> group, engine::FrontierCache* cache) {
  const Date as_of = in_force_on.value_or(DefaultDay(state));
  ScoreBoard board(state, as_of, cache);
  w.BeginObject();
  w.Key("as_of");
  w.String(FormatDate(as_of));
  w.Key("now_period");
  w.String(FormatPeriod(board.month()));
  w.Key("pairs");
  w.BeginArray();
  for (const LearningPair& p : engine::PairsInForce(state, in_force_on)) {
    if (group && p.peer_group != *group) continue;
    WritePairJson(w, state, p, as_of, board);
  }
  w.EndArray();
  w.Key("rules");
  w.BeginArray();
  for (const PairRule& r : engine::PairRulesInForce(state)) {
    w.BeginObject();
    w.Key("mentor");
    WriteUnitRef(w, state, r.mentor);
    w.Key("learner");
    WriteUnitRef(w, state, r.learner);
    w.Key("rule");
    w.String(PairRuleKindName(r.kind));
    w.Key("note");
    w.String(r.note);
    w.Key("author");
    w.String(r.author);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WritePairPlanJson(io::JsonWriter& w, const engine::State& state, const FrontierRequest& r,
                       int32_t capacity, engine::PairObjective objective, Date from,
                       const engine::PairPlan& plan, bool applied) {
  w.BeginObject();
  w.Key("peer_group");
  WritePeerGroupJson(w, state, r.query.peers);
  w.Key("period");
  w.String(FormatPeriod(r.query.period));
  w.Key("capacity");
  w.Int(capacity);
  w.Key("objective");
  w.String(engine::PairObjectiveName(objective));
  w.Key("from");
  w.String(FormatDate(from));
  w.Key("mentors");
  w.BeginArray();
  for (UnitId u : plan.mentors) WriteUnitRef(w, state, u);
  w.EndArray();
  w.Key("pairs");
  w.BeginArray();
  for (const engine::PairProposal& p : plan.pairs) {
    w.BeginObject();
    w.Key("mentor");
    WriteUnitRef(w, state, p.mentor);
    w.Key("learner");
    WriteUnitRef(w, state, p.learner);
    w.Key("cost");
    w.Number(p.cost);
    w.Key("fixed");
    w.Bool(p.fixed);
    w.Key("learner_score");
    w.Number(p.learner_score);
    w.EndObject();
  }
  w.EndArray();
  w.Key("unpaired");
  w.BeginArray();
  for (UnitId u : plan.unpaired) WriteUnitRef(w, state, u);
  w.EndArray();
  w.Key("total_cost");
  w.Number(plan.total_cost);
  w.Key("applied");
  w.Bool(applied);
  w.EndObject();
}

// ------------------------------------------------------------------ writes

Result<ModelDesignation> ParseModel(const engine::State& state, const LearningOptions& o,
                                    const std::string& author) {
  ModelDesignation m;
  CHOLLIMA_ASSIGN_OR_RETURN(m.unit, UnitOption(state, o, "unit"));
  CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<GroupId> group,
                            ParsePeerGroup(state, o, "peer_group"));
  if (!group) {
    return InvalidArgument(o.Name("peer_group") + ": required (HIERARCHY/GROUP, or all)");
  }
  m.peer_group = *group;
  CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<Date> from, o.DateOf("from"));
  m.from = from.value_or(DefaultDay(state));
  CHOLLIMA_ASSIGN_OR_RETURN(m.active, o.Bool("active", true));
  m.reason = std::string(o.Get("reason").value_or(""));
  if (m.active && m.reason.empty()) {
    return InvalidArgument(o.Name("reason") + ": required: why this unit is the model");
  }
  if (m.active && m.peer_group != kNoId) {
    const HierarchyId h = state.groups()[static_cast<size_t>(m.peer_group)].hierarchy;
    const GroupId g = state.GroupOf(m.unit, h, m.from);
    if (g == kNoId || !state.IsWithin(g, m.peer_group)) {
      return InvalidArgument(o.Name("unit") + ": " +
                             state.units()[static_cast<size_t>(m.unit)].code + " is not in " +
                             TargetCode(state, {true, m.peer_group}) + " on " + FormatDate(m.from));
    }
  }
  m.author = author;
  return m;
}

Result<FollowerChoice> ParseFollowerChoice(const engine::State& state, const LearningOptions& o) {
  FollowerChoice c;
  CHOLLIMA_ASSIGN_OR_RETURN(c.follower, UnitOption(state, o, "follower"));
  CHOLLIMA_ASSIGN_OR_RETURN(c.model, UnitOption(state, o, "model"));
  if (c.follower == c.model) {
    return InvalidArgument(o.Name("model") + ": a unit cannot follow itself");
  }
  CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<Date> from, o.DateOf("from"));
  c.from = from.value_or(DefaultDay(state));
  CHOLLIMA_ASSIGN_OR_RETURN(c.active, o.Bool("active", true));
  if (c.active) {
    const bool is_model =
        std::any_of(state.models().begin(), state.models().end(),
                    [&](const ModelDesignation& m) { return m.unit == c.model && m.active; });
    if (!is_model) {
      return InvalidArgument(o.Name("model") + ": " +
                             state.units()[static_cast<size_t>(c.model)].code +
                             " is not a designated model");
    }
  }
  return c;
}

Result<PairRule> ParsePairRule(const engine::State& state, const LearningOptions& o,
                               const std::string& author) {
  PairRule r;
  CHOLLIMA_ASSIGN_OR_RETURN(r.mentor, UnitOption(state, o, "mentor"));
  CHOLLIMA_ASSIGN_OR_RETURN(r.learner, UnitOption(state, o, "learner"));
  if (r.mentor == r.learner) return InvalidArgument(o.Name("learner") + ": the mentor itself");
  const auto rule = o.Get("rule");
  if (!rule || !ParsePairRuleKind(*rule, r.kind)) {
    return InvalidArgument(o.Name("rule") + ": expected fixed, forbidden or none" +
                           (rule ? ", not '" + std::string(*rule) + "'" : std::string()));
  }
  r.note = std::string(o.Get("note").value_or(""));
  r.author = author;
  return r;
}

Result<AssignRequest> ParseAssignRequest(const engine::State& state, const LearningOptions& o) {
  AssignRequest a;
  if (!o.Get("group")) return InvalidArgument(o.Name("group") + ": required (HIERARCHY/GROUP)");
  CHOLLIMA_ASSIGN_OR_RETURN(a.frontier, ParseFrontierQuery(state, o));
  if (const auto cap = o.Get("capacity")) {
    int c = 0;
    if (!ParseDigits(*cap, c) || c < 1 || c > 1000) {
      return InvalidArgument(o.Name("capacity") + ": '" + std::string(*cap) +
                             "' is not a whole number of learners from 1 to 1000");
    }
    a.capacity = c;
  }
  if (const auto obj = o.Get("objective")) {
    if (!engine::ParsePairObjective(*obj, a.objective)) {
      return InvalidArgument(o.Name("objective") + ": '" + std::string(*obj) +
                             "' is not mix or gain");
    }
  }
  CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<Date> from, o.DateOf("from"));
  a.from = from.value_or(DefaultDay(state) + 1);
  CHOLLIMA_ASSIGN_OR_RETURN(a.apply, o.Bool("apply", false));
  return a;
}

std::string FrontierOptionsText(const engine::dea::Options& o) {
  return std::string(engine::dea::RtsName(o.rts)) + " " +
         engine::dea::OrientationName(o.orientation);
}

Changes PairChanges(const engine::State& state, const AssignRequest& request,
                    const engine::PairPlan& plan, const std::string& author) {
  Changes c;
  const GroupId group = RequestGroup(request.frontier);
  // Pairs of the group in force whose learner gets no new pair end.
  std::unordered_map<UnitId, bool> paired;
  for (const engine::PairProposal& p : plan.pairs) paired[p.learner] = true;
  for (const LearningPair& old : engine::PairsInForce(state)) {
    if (old.peer_group != group || paired.contains(old.learner)) continue;
    LearningPair end = old;
    end.active = false;
    end.from = request.from;
    end.author = author;
    c.pairs.push_back(end);
  }
  for (const engine::PairProposal& p : plan.pairs) {
    c.pairs.push_back({.peer_group = group,
                       .mentor = p.mentor,
                       .learner = p.learner,
                       .from = request.from,
                       .active = true,
                       .basis = p.fixed ? "fixed" : "assigned",
                       .period = FormatPeriod(request.frontier.query.period),
                       .frontier = FrontierOptionsText(request.frontier.query.options),
                       .score_at_pairing = p.learner_score,
                       .author = author});
  }
  return c;
}

std::string ModelEventJson(const engine::State& state, const engine::ModelEvent& e,
                           std::string_view at) {
  const Date as_of = e.as_of;
  io::JsonWriter w;
  w.BeginObject();
  w.Key("model");
  WriteUnitRef(w, state, e.model.unit);
  w.Key("follower");
  WriteUnitRef(w, state, e.follower);
  w.Key("peer_group");
  WriteGroupRef(w, state, e.model.peer_group);
  w.Key("indicator");
  w.String(Ind(state, e.indicator).code);
  w.Key("month");
  w.String(FormatPeriod(PeriodOf(Grain::kMonth, as_of)));
  w.Key("model_value");
  w.Number(e.model_value);
  w.Key("follower_value");
  w.Number(e.follower_value);
  w.Key("at");
  w.String(at);
  w.EndObject();
  return w.Take();
}

}  // namespace chollima::service
