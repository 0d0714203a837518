#include "io/emulation_input.h"

#include <cmath>
#include <functional>
#include <limits>

#include "core/date.h"
#include "core/period.h"
#include "core/text.h"
#include "engine/drive.h"

namespace chollima::io {
namespace {

// An error whose message is only the reason; the caller names the field.
Error WithField(std::string_view field, const Error& e) {
  return {e.code, std::string(field) + ": " + e.message};
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

constexpr const char* kNormalizations = "percent_of_plan, growth, per_capacity, zscore";

Result<IndicatorId> ResolveIndicator(const engine::State& state, std::string_view code) {
  if (code.empty()) return InvalidArgument("an indicator code is required");
  auto id = state.FindIndicator(code);
  if (!id) return NotFound("unknown indicator " + Quoted(code));
  return *id;
}

Result<HierarchyId> ResolveHierarchy(const engine::State& state, std::string_view code) {
  auto id = state.FindHierarchy(code);
  if (!id) return NotFound("unknown hierarchy " + Quoted(code));
  return *id;
}

// "region/P01".
Result<GroupId> ResolveGroup(const engine::State& state, std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) {
    return InvalidArgument(Quoted(text) + " is not HIERARCHY/GROUP (e.g. region/P01)");
  }
  auto h = ResolveHierarchy(state, text.substr(0, slash));
  if (!h.ok()) return h.error();
  auto g = state.FindGroup(*h, text.substr(slash + 1));
  if (!g) {
    return NotFound("unknown group " + Quoted(text.substr(slash + 1)) + " in hierarchy " +
                    Quoted(text.substr(0, slash)));
  }
  return *g;
}

struct LevelRef {
  HierarchyId hierarchy = kNoId;
  int level = 1;
};

// "sector" or "sector:2".
Result<LevelRef> ResolveLevel(const engine::State& state, std::string_view text) {
  const size_t colon = text.find(':');
  LevelRef out;
  auto h = ResolveHierarchy(state, text.substr(0, colon));
  if (!h.ok()) return h.error();
  out.hierarchy = *h;
  if (colon != std::string_view::npos) {
    const std::string_view level = text.substr(colon + 1);
    if (!ParseDigits(level, out.level) || out.level < 1) {
      return InvalidArgument(Quoted(level) + " is not a level (1 = the top)");
    }
  }
  return out;
}

Result<ScoreTerm> ParseTerm(const engine::State& state, std::string_view text) {
  ScoreTerm t;
  std::string_view body = text;
  const size_t at = text.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view weight = Trim(text.substr(at + 1));
    if (!ParseNumber(weight, t.weight)) {
      return InvalidArgument("weight " + Quoted(weight) + " is not a number");
    }
    body = text.substr(0, at);
  }
  const std::vector<std::string_view> parts = Split(body, ':');
  if (parts.size() < 2 || parts.size() > 3) {
    return InvalidArgument(Quoted(Trim(text)) +
                           " is not indicator:normalization[:capacity][@weight]");
  }
  auto indicator = ResolveIndicator(state, Trim(parts[0]));
  if (!indicator.ok()) return indicator.error();
  t.indicator = *indicator;
  const std::string_view norm = Trim(parts[1]);
  if (!ParseNormalization(norm, t.normalization)) {
    return InvalidArgument(Quoted(norm) + " is not a normalization (" + kNormalizations + ")");
  }
  if (parts.size() == 3) {
    auto capacity = ResolveIndicator(state, Trim(parts[2]));
    if (!capacity.ok()) return capacity.error();
    t.capacity = *capacity;
  }
  return t;
}

std::string IndicatorCode(const engine::State& state, IndicatorId id) {
  if (id < 0 || static_cast<size_t>(id) >= state.indicators().size()) {
    return "#" + std::to_string(id);
  }
  return state.indicators()[static_cast<size_t>(id)].code;
}

std::string HierarchyCode(const engine::State& state, HierarchyId id) {
  if (id < 0 || static_cast<size_t>(id) >= state.hierarchies().size()) {
    return "#" + std::to_string(id);
  }
  return state.hierarchies()[static_cast<size_t>(id)].code;
}

Result<std::optional<Grain>> ParseSeason(std::string_view text) {
  if (text.empty() || text == "none") return std::optional<Grain>();
  auto g = ParseGrain(text);
  if (!g.ok() || *g < Grain::kMonth || *g > Grain::kYear) {
    return InvalidArgument(Quoted(text) + " is not a season grain (month, quarter, half, year)");
  }
  return std::optional<Grain>(*g);
}

Result<Grain> ParseStreak(std::string_view text) {
  if (text.empty() || text == "day") return Grain::kDay;
  if (text == "month") return Grain::kMonth;
  return InvalidArgument(Quoted(text) + " is not a streak grain (day, month)");
}

Result<GrowthBase> ParseBase(std::string_view text) {
  GrowthBase b = GrowthBase::kPreviousYear;
  if (text.empty()) return b;
  if (!ParseGrowthBase(text, b)) {
    return InvalidArgument(Quoted(text) + " is not a growth base (previous_year, previous_season)");
  }
  return b;
}

Result<DriveParticipants> ParseParticipants(const engine::State& state, std::string_view text) {
  std::vector<std::string_view> words;
  for (std::string_view w : Split(Trim(text), ' ')) {
    if (!w.empty()) words.push_back(w);
  }
  DriveParticipants p;
  size_t i = 0;
  const auto bad = [&] {
    return InvalidArgument(Quoted(Trim(text)) +
                           " is not 'units', 'units within HIERARCHY/GROUP' or 'groups "
                           "HIERARCHY[:LEVEL] [within HIERARCHY/GROUP]'");
  };
  if (words.empty() || words[0] == "units") {
    i = words.empty() ? 0 : 1;
  } else if (words[0] == "groups") {
    if (words.size() < 2) return bad();
    auto level = ResolveLevel(state, words[1]);
    if (!level.ok()) return level.error();
    p.groups = true;
    p.hierarchy = level->hierarchy;
    p.level = level->level;
    i = 2;
  } else {
    return bad();
  }
  if (i < words.size()) {
    if (words[i] != "within" || i + 2 != words.size()) return bad();
    auto g = ResolveGroup(state, words[i + 1]);
    if (!g.ok()) return g.error();
    p.within = *g;
    if (!p.groups) p.hierarchy = state.groups()[static_cast<size_t>(*g)].hierarchy;
  }
  return p;
}

Status ParseSizeBands(std::string_view text, LeagueRule& l) {
  text = Trim(text);
  if (text.empty()) return OkStatus();
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return InvalidArgument(Quoted(text) + " is not ATTRIBUTE:B1,B2,... (e.g. capacity:100,1000)");
  }
  l.size_attribute = std::string(Trim(text.substr(0, colon)));
  for (std::string_view b : Split(text.substr(colon + 1), ',')) {
    double v = 0;
    if (!ParseNumber(Trim(b), v)) return InvalidArgument(Quoted(Trim(b)) + " is not a number");
    l.size_bounds.push_back(v);
  }
  return OkStatus();
}

Status CheckCode(const engine::State& state, std::string_view code) {
  if (code.empty()) return InvalidArgument("a drive code is required");
  for (char ch : code) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == '/' || c == 0x7f) {
      return InvalidArgument(Quoted(code) + " may not hold spaces, control characters or '/'");
    }
  }
  if (!IsValidUtf8(code)) return InvalidArgument("is not valid UTF-8");
  if (state.FindDrive(code)) return AlreadyExists("drive " + Quoted(code) + " already exists");
  return OkStatus();
}

Result<Date> ParseDay(std::string_view text) {
  if (text.empty()) return InvalidArgument("a date (YYYY-MM-DD) is required");
  return ParseDate(text);
}

// engine::ValidateDrive names the Drive's fields ("terms[1].weight: ...", "leagues.promote:
// ..."); the text form names its own (`rule: term 2: ...`, `promote: ...`).
Error TextFieldOf(const Error& e) {
  const size_t colon = e.message.find(": ");
  if (colon == std::string::npos) return e;
  const std::string field = e.message.substr(0, colon);
  const std::string reason = e.message.substr(colon + 2);
  std::string name = field;
  if (field.starts_with("terms[")) {
    const size_t close = field.find(']');
    int index = 0;
    if (close != std::string::npos && ParseDigits(field.substr(6, close - 6), index)) {
      std::string part = field.substr(close + 1);
      if (part.starts_with(".")) part = part.substr(1);
      return {e.code, "rule: term " + std::to_string(index + 1) + ": " +
                          (part.empty() ? "" : part + ": ") + reason};
    }
    name = "rule";
  } else if (field == "terms") {
    name = "rule";
  } else if (field == "season_grain") {
    name = "season";
  } else if (field == "streak_grain") {
    name = "streak";
  } else if (field.starts_with("participants")) {
    name = "participants";
  } else if (field == "leagues.promote") {
    name = "promote";
  } else if (field == "leagues.relegate") {
    name = "relegate";
  } else if (field.starts_with("leagues.size")) {
    name = "size_bands";
  } else if (field.starts_with("leagues")) {
    name = "leagues";
  }
  return {e.code, name + ": " + reason};
}

// ---- JSON reading: each member's kind checked, errors by path.

class JsonFields {
 public:
  JsonFields(const JsonValue& object, std::string_view path) : object_(object), path_(path) {}

  std::string Path(std::string_view key) const { return JsonPathMember(path_, key); }
  Error Fail(std::string_view key, const Error& e) const { return WithField(Path(key), e); }

  // Refuses members not in `allowed`.
  Status OnlyKnown(std::initializer_list<std::string_view> allowed) const {
    if (!object_.IsObject()) {
      return InvalidArgument(path_ + ": expected an object, found " + JsonKindName(object_.kind()));
    }
    for (const JsonMember& m : object_.Members()) {
      bool known = false;
      for (std::string_view a : allowed) known = known || a == m.key;
      if (!known) return InvalidArgument(Path(m.key) + ": unknown field");
    }
    return OkStatus();
  }
  // A string, "" when absent or null. `required`: absent or null is an error.
  Result<std::string> String(std::string_view key, bool required) const {
    const JsonValue* v = object_.Find(key);
    if (v == nullptr || v->IsNull()) {
      if (required) return InvalidArgument(Path(key) + ": required");
      return std::string();
    }
    if (!v->IsString()) {
      return InvalidArgument(Path(key) + ": expected a string, found " + JsonKindName(v->kind()));
    }
    return std::string(v->AsString());
  }
  Result<double> Number(std::string_view key, double fallback) const {
    const JsonValue* v = object_.Find(key);
    if (v == nullptr || v->IsNull()) return fallback;
    if (!v->IsNumber()) {
      return InvalidArgument(Path(key) + ": expected a number, found " + JsonKindName(v->kind()));
    }
    return v->AsNumber();
  }
  Result<int> Int(std::string_view key, int fallback) const {
    auto n = Number(key, fallback);
    if (!n.ok()) return n.error();
    if (*n != std::floor(*n) || std::fabs(*n) > 1e9) {
      return InvalidArgument(Path(key) + ": expected a whole number");
    }
    return static_cast<int>(*n);
  }
  const JsonValue* Find(std::string_view key) const {
    const JsonValue* v = object_.Find(key);
    return v == nullptr || v->IsNull() ? nullptr : v;
  }

 private:
  const JsonValue& object_;
  std::string path_;
};

// engine::ValidateDrive's field names are the JSON members: "$." + field.
Error JsonFieldOf(std::string_view path, const Error& e) {
  return {e.code, std::string(path) + "." + e.message};
}

}  // namespace

// ------------------------------------------------------------------ rule

Result<std::vector<ScoreTerm>> ParseRule(const engine::State& state, std::string_view text) {
  if (Trim(text).empty()) {
    return InvalidArgument(
        "rule: no terms (expected indicator:normalization[:capacity][@weight], "
        "separated by ',')");
  }
  std::vector<ScoreTerm> terms;
  const std::vector<std::string_view> parts = Split(text, ',');
  for (size_t i = 0; i < parts.size(); ++i) {
    auto t = ParseTerm(state, parts[i]);
    if (!t.ok()) return WithField("rule: term " + std::to_string(i + 1), t.error());
    terms.push_back(*t);
  }
  return terms;
}

std::string FormatRule(const engine::State& state, std::span<const ScoreTerm> terms) {
  std::string out;
  for (const ScoreTerm& t : terms) {
    if (!out.empty()) out.push_back(',');
    out += IndicatorCode(state, t.indicator);
    out += ':';
    out += NormalizationName(t.normalization);
    if (t.capacity != kNoId) out += ":" + IndicatorCode(state, t.capacity);
    out += "@" + FormatNumber(t.weight);
  }
  return out;
}

std::string FormatGroupRef(const engine::State& state, GroupId group) {
  if (group == kNoId) return "";
  if (group < 0 || static_cast<size_t>(group) >= state.groups().size()) {
    return "#" + std::to_string(group);
  }
  const Group& g = state.groups()[static_cast<size_t>(group)];
  return HierarchyCode(state, g.hierarchy) + "/" + g.code;
}

Result<GroupId> ParseGroupRef(const engine::State& state, std::string_view text) {
  return ResolveGroup(state, text);
}

Result<engine::GroupLevel> ParseGroupLevel(const engine::State& state, std::string_view text) {
  auto level = ResolveLevel(state, text);
  if (!level.ok()) return level.error();
  return engine::GroupLevel{level->hierarchy, level->level};
}

std::string FormatParticipants(const engine::State& state, const DriveParticipants& p) {
  std::string out =
      p.groups ? "groups " + HierarchyCode(state, p.hierarchy) + ":" + std::to_string(p.level)
               : "units";
  if (p.within != kNoId) out += " within " + FormatGroupRef(state, p.within);
  return out;
}

std::string FormatLeagues(const engine::State& state, const LeagueRule& l) {
  if (l.hierarchy == kNoId) return "";
  return HierarchyCode(state, l.hierarchy) + ":" + std::to_string(l.level);
}

std::string FormatSizeBands(const LeagueRule& l) {
  if (l.size_attribute.empty() && l.size_bounds.empty()) return "";
  std::string out = l.size_attribute + ":";
  for (size_t i = 0; i < l.size_bounds.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += FormatNumber(l.size_bounds[i]);
  }
  return out;
}

// ------------------------------------------------------------------ drives

Result<Drive> MakeDrive(const engine::State& state, const DriveFields& f) {
  Drive d;
  if (Status s = CheckCode(state, f.code); !s.ok()) return WithField("code", s.error());
  d.code = f.code;
  if (Trim(f.name).empty()) return InvalidArgument("name: a name is required");
  if (!IsValidUtf8(f.name)) return InvalidArgument("name: is not valid UTF-8");
  d.name = f.name;
  auto start = ParseDay(f.start);
  if (!start.ok()) return WithField("start", start.error());
  auto end = ParseDay(f.end);
  if (!end.ok()) return WithField("end", end.error());
  if (*end < *start) {
    return InvalidArgument("end: " + f.end + " is before the start " + f.start +
                           " (the end is the last day of the drive)");
  }
  d.start = *start;
  d.end = *end + 1;
  auto season = ParseSeason(f.season);
  if (!season.ok()) return WithField("season", season.error());
  d.season_grain = *season;
  auto participants = ParseParticipants(state, f.participants);
  if (!participants.ok()) return WithField("participants", participants.error());
  d.participants = *participants;
  auto terms = ParseRule(state, f.rule);
  if (!terms.ok()) return terms.error();
  d.terms = std::move(*terms);
  if (!Trim(f.leagues).empty() && Trim(f.leagues) != "none") {
    auto level = ResolveLevel(state, Trim(f.leagues));
    if (!level.ok()) return WithField("leagues", level.error());
    d.leagues.hierarchy = level->hierarchy;
    d.leagues.level = level->level;
  }
  if (Status s = ParseSizeBands(f.size_bands, d.leagues); !s.ok()) {
    return WithField("size_bands", s.error());
  }
  d.leagues.promote = f.promote;
  d.leagues.relegate = f.relegate;
  auto base = ParseBase(f.growth_base);
  if (!base.ok()) return WithField("growth_base", base.error());
  d.growth_base = *base;
  auto streak = ParseStreak(f.streak);
  if (!streak.ok()) return WithField("streak", streak.error());
  d.streak_grain = *streak;
  if (Status s = engine::ValidateDrive(state, d); !s.ok()) return TextFieldOf(s.error());
  return d;
}

Result<Drive> DriveFromJson(const engine::State& state, const JsonValue& value,
                            std::string_view path) {
  const JsonFields o(value, path);
  CHOLLIMA_RETURN_IF_ERROR(
      o.OnlyKnown({"code", "name", "start", "end", "season_grain", "participants", "terms", "rule",
                   "growth_base", "leagues", "streak_grain"}));
  Drive d;
  auto code = o.String("code", true);
  if (!code.ok()) return code.error();
  if (Status s = CheckCode(state, *code); !s.ok()) return o.Fail("code", s.error());
  d.code = *code;
  auto name = o.String("name", true);
  if (!name.ok()) return name.error();
  if (Trim(*name).empty()) return InvalidArgument(o.Path("name") + ": a name is required");
  d.name = *name;
  auto start = o.String("start", true);
  if (!start.ok()) return start.error();
  auto start_day = ParseDay(*start);
  if (!start_day.ok()) return o.Fail("start", start_day.error());
  auto end = o.String("end", true);
  if (!end.ok()) return end.error();
  auto end_day = ParseDay(*end);
  if (!end_day.ok()) return o.Fail("end", end_day.error());
  if (*end_day < *start_day) {
    return InvalidArgument(o.Path("end") + ": " + *end + " is before the start " + *start +
                           " (the end is the last day of the drive)");
  }
  d.start = *start_day;
  d.end = *end_day + 1;
  auto season = o.String("season_grain", false);
  if (!season.ok()) return season.error();
  auto grain = ParseSeason(*season);
  if (!grain.ok()) return o.Fail("season_grain", grain.error());
  d.season_grain = *grain;

  if (const JsonValue* p = o.Find("participants")) {
    const std::string ppath = o.Path("participants");
    const JsonFields po(*p, ppath);
    CHOLLIMA_RETURN_IF_ERROR(po.OnlyKnown({"kind", "hierarchy", "level", "within"}));
    auto kind = po.String("kind", false);
    if (!kind.ok()) return kind.error();
    if (!kind->empty() && *kind != "units" && *kind != "groups") {
      return InvalidArgument(po.Path("kind") + ": " + Quoted(*kind) +
                             " is not a participant kind (units, groups)");
    }
    d.participants.groups = *kind == "groups";
    auto hierarchy = po.String("hierarchy", false);
    if (!hierarchy.ok()) return hierarchy.error();
    if (!hierarchy->empty()) {
      auto h = ResolveHierarchy(state, *hierarchy);
      if (!h.ok()) return po.Fail("hierarchy", h.error());
      d.participants.hierarchy = *h;
    }
    auto level = po.Int("level", 1);
    if (!level.ok()) return level.error();
    d.participants.level = *level;
    auto within = po.String("within", false);
    if (!within.ok()) return within.error();
    if (!within->empty()) {
      auto g = ResolveGroup(state, *within);
      if (!g.ok()) return po.Fail("within", g.error());
      d.participants.within = *g;
      if (d.participants.hierarchy == kNoId && !d.participants.groups) {
        d.participants.hierarchy = state.groups()[static_cast<size_t>(*g)].hierarchy;
      }
    }
  }

  const JsonValue* terms = o.Find("terms");
  auto rule = o.String("rule", false);
  if (!rule.ok()) return rule.error();
  if (terms != nullptr && !rule->empty()) {
    return InvalidArgument(o.Path("rule") + ": give either terms or rule, not both");
  }
  if (terms != nullptr) {
    if (!terms->IsArray()) {
      return InvalidArgument(o.Path("terms") + ": expected an array, found " +
                             JsonKindName(terms->kind()));
    }
    for (size_t i = 0; i < terms->Items().size(); ++i) {
      const std::string tpath = JsonPathIndex(o.Path("terms"), i);
      const JsonFields to(terms->Items()[i], tpath);
      CHOLLIMA_RETURN_IF_ERROR(to.OnlyKnown({"indicator", "normalization", "weight", "capacity"}));
      ScoreTerm t;
      auto indicator = to.String("indicator", true);
      if (!indicator.ok()) return indicator.error();
      auto id = ResolveIndicator(state, *indicator);
      if (!id.ok()) return to.Fail("indicator", id.error());
      t.indicator = *id;
      auto norm = to.String("normalization", true);
      if (!norm.ok()) return norm.error();
      if (!ParseNormalization(*norm, t.normalization)) {
        return InvalidArgument(to.Path("normalization") + ": " + Quoted(*norm) +
                               " is not a normalization (" + kNormalizations + ")");
      }
      auto weight = to.Number("weight", 1);
      if (!weight.ok()) return weight.error();
      t.weight = *weight;
      auto capacity = to.String("capacity", false);
      if (!capacity.ok()) return capacity.error();
      if (!capacity->empty()) {
        auto cap = ResolveIndicator(state, *capacity);
        if (!cap.ok()) return to.Fail("capacity", cap.error());
        t.capacity = *cap;
      }
      d.terms.push_back(t);
    }
  } else if (!rule->empty()) {
    auto parsed = ParseRule(state, *rule);
    if (!parsed.ok()) {
      // "rule: term 2: ..." -> "$.rule: term 2: ..."
      return Error{parsed.error().code, std::string(path) + "." + parsed.error().message};
    }
    d.terms = std::move(*parsed);
  }

  auto base = o.String("growth_base", false);
  if (!base.ok()) return base.error();
  auto growth = ParseBase(*base);
  if (!growth.ok()) return o.Fail("growth_base", growth.error());
  d.growth_base = *growth;

  if (const JsonValue* l = o.Find("leagues")) {
    const JsonFields lo(*l, o.Path("leagues"));
    CHOLLIMA_RETURN_IF_ERROR(lo.OnlyKnown(
        {"hierarchy", "level", "size_attribute", "size_bounds", "promote", "relegate"}));
    auto hierarchy = lo.String("hierarchy", false);
    if (!hierarchy.ok()) return hierarchy.error();
    if (!hierarchy->empty()) {
      auto h = ResolveHierarchy(state, *hierarchy);
      if (!h.ok()) return lo.Fail("hierarchy", h.error());
      d.leagues.hierarchy = *h;
    }
    auto level = lo.Int("level", 1);
    if (!level.ok()) return level.error();
    d.leagues.level = *level;
    auto attribute = lo.String("size_attribute", false);
    if (!attribute.ok()) return attribute.error();
    d.leagues.size_attribute = *attribute;
    if (const JsonValue* bounds = lo.Find("size_bounds")) {
      if (!bounds->IsArray()) {
        return InvalidArgument(lo.Path("size_bounds") + ": expected an array, found " +
                               JsonKindName(bounds->kind()));
      }
      for (size_t i = 0; i < bounds->Items().size(); ++i) {
        const JsonValue& b = bounds->Items()[i];
        if (!b.IsNumber()) {
          return InvalidArgument(JsonPathIndex(lo.Path("size_bounds"), i) +
                                 ": expected a number, found " + JsonKindName(b.kind()));
        }
        d.leagues.size_bounds.push_back(b.AsNumber());
      }
    }
    auto promote = lo.Int("promote", 0);
    if (!promote.ok()) return promote.error();
    d.leagues.promote = *promote;
    auto relegate = lo.Int("relegate", 0);
    if (!relegate.ok()) return relegate.error();
    d.leagues.relegate = *relegate;
  }
  auto streak = o.String("streak_grain", false);
  if (!streak.ok()) return streak.error();
  auto streak_grain = ParseStreak(*streak);
  if (!streak_grain.ok()) return o.Fail("streak_grain", streak_grain.error());
  d.streak_grain = *streak_grain;
  if (Status s = engine::ValidateDrive(state, d); !s.ok()) return JsonFieldOf(path, s.error());
  return d;
}

Result<Drive> DriveFromJson(const engine::State& state, std::string_view json_text) {
  auto doc = ParseJson(json_text);
  if (!doc.ok()) return doc.error();
  return DriveFromJson(state, *doc, "$");
}

void DriveToJson(const engine::State& state, DriveId id, const Drive& d,
                 std::span<const SeasonSpan> seasons, std::optional<int32_t> current_season,
                 JsonWriter& w) {
  auto string_or_null = [&](const std::string& s) {
    if (s.empty()) {
      w.Null();
    } else {
      w.String(s);
    }
  };
  w.BeginObject();
  w.Key("id");
  w.Int(id);
  w.Key("code");
  w.String(d.code);
  w.Key("name");
  w.String(d.name);
  w.Key("start");
  w.String(FormatDate(d.start));
  w.Key("end");
  w.String(FormatDate(d.end - 1));
  w.Key("season_grain");
  string_or_null(d.season_grain ? GrainName(*d.season_grain) : "");
  w.Key("participants");
  w.BeginObject();
  w.Key("kind");
  w.String(d.participants.groups ? "groups" : "units");
  w.Key("hierarchy");
  string_or_null(
      d.participants.hierarchy == kNoId ? "" : HierarchyCode(state, d.participants.hierarchy));
  w.Key("level");
  w.Int(d.participants.level);
  w.Key("within");
  string_or_null(FormatGroupRef(state, d.participants.within));
  w.EndObject();
  w.Key("terms");
  w.BeginArray();
  for (const ScoreTerm& t : d.terms) {
    w.BeginObject();
    w.Key("indicator");
    w.String(IndicatorCode(state, t.indicator));
    w.Key("normalization");
    w.String(NormalizationName(t.normalization));
    w.Key("weight");
    w.Number(t.weight);
    w.Key("capacity");
    string_or_null(t.capacity == kNoId ? "" : IndicatorCode(state, t.capacity));
    w.EndObject();
  }
  w.EndArray();
  w.Key("rule");
  w.String(FormatRule(state, d.terms));
  w.Key("growth_base");
  w.String(GrowthBaseName(d.growth_base));
  w.Key("leagues");
  w.BeginObject();
  w.Key("hierarchy");
  string_or_null(d.leagues.hierarchy == kNoId ? "" : HierarchyCode(state, d.leagues.hierarchy));
  w.Key("level");
  w.Int(d.leagues.level);
  w.Key("size_attribute");
  string_or_null(d.leagues.size_attribute);
  w.Key("size_bounds");
  w.BeginArray();
  for (double b : d.leagues.size_bounds) w.Number(b);
  w.EndArray();
  w.Key("promote");
  w.Int(d.leagues.promote);
  w.Key("relegate");
  w.Int(d.leagues.relegate);
  w.EndObject();
  w.Key("streak_grain");
  w.String(GrainName(d.streak_grain));
  w.Key("seasons");
  w.BeginArray();
  for (const SeasonSpan& s : seasons) {
    w.BeginObject();
    w.Key("index");
    w.Int(s.index);
    w.Key("begin");
    w.String(FormatDate(s.begin));
    w.Key("end");
    w.String(FormatDate(s.end - 1));
    w.EndObject();
  }
  w.EndArray();
  w.Key("current_season");
  if (current_season) {
    w.Int(*current_season);
  } else {
    w.Null();
  }
  w.EndObject();
}

// ------------------------------------------------------------------ standards

namespace {

Result<Standard> BuildStandard(const engine::State& state, std::string_view indicator,
                               std::string_view peer_group, std::string_view from, double value,
                               std::string note,
                               const std::function<std::string(std::string_view)>& name) {
  Standard s;
  auto id = ResolveIndicator(state, indicator);
  if (!id.ok()) return WithField(name("indicator"), id.error());
  s.indicator = *id;
  if (!peer_group.empty()) {
    auto g = ResolveGroup(state, peer_group);
    if (!g.ok()) return WithField(name("peer_group"), g.error());
    s.peer_group = *g;
  }
  auto day = ParseDay(from);
  if (!day.ok()) return WithField(name("from"), day.error());
  s.from = *day;
  if (!std::isfinite(value)) return InvalidArgument(name("value") + ": must be a finite number");
  s.value = value;
  if (!IsValidUtf8(note)) return InvalidArgument(name("note") + ": is not valid UTF-8");
  s.note = std::move(note);
  s.source = StandardSource::kManual;
  return s;
}

}  // namespace

Result<Standard> MakeStandard(const engine::State& state, const StandardFields& f) {
  double value = 0;
  if (f.value.empty()) return InvalidArgument("value: a number is required");
  if (!ParseNumber(Trim(f.value), value)) {
    return InvalidArgument("value: " + Quoted(f.value) + " is not a number");
  }
  return BuildStandard(state, f.indicator, f.peer_group, f.from, value, f.note,
                       [](std::string_view n) { return std::string(n); });
}

Result<Standard> StandardFromJson(const engine::State& state, const JsonValue& value,
                                  std::string_view path) {
  const JsonFields o(value, path);
  CHOLLIMA_RETURN_IF_ERROR(o.OnlyKnown({"indicator", "peer_group", "from", "value", "note"}));
  auto indicator = o.String("indicator", true);
  if (!indicator.ok()) return indicator.error();
  auto peer = o.String("peer_group", false);
  if (!peer.ok()) return peer.error();
  auto from = o.String("from", true);
  if (!from.ok()) return from.error();
  if (o.Find("value") == nullptr) return InvalidArgument(o.Path("value") + ": required");
  auto number = o.Number("value", 0);
  if (!number.ok()) return number.error();
  auto note = o.String("note", false);
  if (!note.ok()) return note.error();
  return BuildStandard(state, *indicator, *peer, *from, *number, *note,
                       [&](std::string_view n) { return o.Path(n); });
}

void StandardRevisionToJson(const Standard& s, JsonWriter& w) {
  w.BeginObject();
  w.Key("from");
  w.String(FormatDate(s.from));
  w.Key("value");
  w.Number(s.value);
  w.Key("source");
  w.String(StandardSourceName(s.source));
  w.Key("note");
  w.String(s.note);
  w.EndObject();
}

void StandardToJson(const engine::State& state, const engine::StandardStatus& s, JsonWriter& w) {
  w.BeginObject();
  w.Key("indicator");
  w.String(IndicatorCode(state, s.indicator));
  w.Key("peer_group");
  if (s.peer_group == kNoId) {
    w.Null();
  } else {
    w.String(FormatGroupRef(state, s.peer_group));
  }
  w.Key("current");
  StandardRevisionToJson(s.current, w);
  w.Key("history");
  w.BeginArray();
  for (const Standard& h : s.history) StandardRevisionToJson(h, w);
  w.EndArray();
  w.Key("season");
  w.String(FormatPeriod(s.season));
  w.Key("units");
  w.Int(s.units);
  w.Key("meeting");
  w.Int(s.meeting);
  w.Key("advanced_level");
  if (std::isfinite(s.advanced_level)) {
    w.Number(s.advanced_level);
  } else {
    w.Null();
  }
  w.EndObject();
}

// ------------------------------------------------------------------ outlier reviews

namespace {

Result<OutlierReview> BuildReview(const engine::State& state, std::string_view unit,
                                  std::string_view indicator, std::string_view date, bool confirmed,
                                  std::string reviewer, std::string note,
                                  const std::function<std::string(std::string_view)>& name) {
  OutlierReview r;
  if (unit.empty()) return InvalidArgument(name("unit") + ": a unit code is required");
  auto u = state.FindUnit(unit);
  if (!u) return NotFound(name("unit") + ": unknown unit " + Quoted(unit));
  r.unit = *u;
  auto id = ResolveIndicator(state, indicator);
  if (!id.ok()) return WithField(name("indicator"), id.error());
  r.indicator = *id;
  auto day = ParseDay(date);
  if (!day.ok()) return WithField(name("date"), day.error());
  r.date = *day;
  auto value = state.ReportValue(r.unit, r.indicator, r.date);
  if (!value) {
    return NotFound(name("date") + ": " + std::string(unit) + " has no " + std::string(indicator) +
                    " report on " + std::string(date));
  }
  r.value = *value;
  r.confirmed = confirmed;
  r.reviewer = std::move(reviewer);
  if (!IsValidUtf8(note)) return InvalidArgument(name("note") + ": is not valid UTF-8");
  r.note = std::move(note);
  return r;
}

}  // namespace

Result<OutlierReview> MakeOutlierReview(const engine::State& state, const ReviewFields& f) {
  return BuildReview(state, f.unit, f.indicator, f.date, f.confirmed, f.reviewer, f.note,
                     [](std::string_view n) { return std::string(n); });
}

Result<OutlierReview> OutlierReviewFromJson(const engine::State& state, const JsonValue& value,
                                            std::string reviewer, std::string_view path) {
  const JsonFields o(value, path);
  CHOLLIMA_RETURN_IF_ERROR(o.OnlyKnown({"unit", "indicator", "date", "confirmed", "note"}));
  auto unit = o.String("unit", true);
  if (!unit.ok()) return unit.error();
  auto indicator = o.String("indicator", true);
  if (!indicator.ok()) return indicator.error();
  auto date = o.String("date", true);
  if (!date.ok()) return date.error();
  const JsonValue* confirmed = o.Find("confirmed");
  if (confirmed == nullptr) return InvalidArgument(o.Path("confirmed") + ": required");
  if (!confirmed->IsBool()) {
    return InvalidArgument(o.Path("confirmed") + ": expected a boolean, found " +
                           JsonKindName(confirmed->kind()));
  }
  auto note = o.String("note", false);
  if (!note.ok()) return note.error();
  return BuildReview(state, *unit, *indicator, *date, confirmed->AsBool(), std::move(reviewer),
                     *note, [&](std::string_view n) { return o.Path(n); });
}

}  // namespace chollima::io
