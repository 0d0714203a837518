#include "service/emulation_view.h"

#include <algorithm>

#include "core/period.h"
#include "core/text.h"
#include "io/emulation_input.h"
#include "service/fulfilment_query.h"

namespace chollima::service {
namespace {

Error Named(std::string_view name, const Error& e) {
  return {e.code, std::string(name) + ": " + e.message};
}

void StringOrNull(io::JsonWriter& w, const std::string& s) {
  if (s.empty()) {
    w.Null();
  } else {
    w.String(s);
  }
}

const std::string& IndicatorCode(const engine::State& state, IndicatorId id) {
  return state.indicators()[static_cast<size_t>(id)].code;
}

std::string GroupCode(const engine::State& state, GroupId g) {
  return io::FormatGroupRef(state, g);
}

void WriteRecordValue(io::JsonWriter& w, const engine::State& state,
                      const std::optional<engine::RecordValue>& v) {
  if (!v) {
    w.Null();
    return;
  }
  w.BeginObject();
  w.Key("holder");
  WriteParticipant(w, state, PlanTarget{.is_group = false, .id = v->holder});
  w.Key("period");
  w.String(FormatPeriod(v->period));
  w.Key("value");
  w.Number(v->value);
  w.EndObject();
}

void WriteRecordKey(io::JsonWriter& w, const engine::State& state, const engine::RecordKey& key) {
  w.Key("indicator");
  w.String(IndicatorCode(state, key.indicator));
  w.Key("grain");
  w.String(GrainName(key.grain));
  w.Key("scope");
  w.String(engine::RecordScopeName(key.scope));
  w.Key("target");
  switch (key.scope) {
    case engine::RecordScope::kUnit:
      w.String(state.units()[static_cast<size_t>(key.scope_id)].code);
      break;
    case engine::RecordScope::kGroup:
      w.String(GroupCode(state, key.scope_id));
      break;
    case engine::RecordScope::kAll:
      w.Null();
      break;
  }
}

}  // namespace

Result<engine::GroupLevel> ParseGroupLevel(const engine::State& state, std::string_view name,
                                           std::string_view text) {
  auto level = io::ParseGroupLevel(state, text);
  if (!level.ok()) return Named(name, level.error());
  return *level;
}

std::string FormatGroupLevel(const engine::State& state, const engine::GroupLevel& level) {
  return state.hierarchies()[static_cast<size_t>(level.hierarchy)].code + ":" +
         std::to_string(level.level);
}

std::string TargetCode(const engine::State& state, const PlanTarget& target) {
  if (target.is_group) return GroupCode(state, target.id);
  return state.units()[static_cast<size_t>(target.id)].code;
}

Result<PlanTarget> ParseTarget(const engine::State& state, std::string_view name,
                               std::string_view text) {
  if (text.find('/') != std::string_view::npos) {
    auto g = ResolveGroupRef(state, text);
    if (!g.ok()) return Named(name, g.error());
    return PlanTarget{.is_group = true, .id = *g};
  }
  auto u = state.FindUnit(text);
  if (!u) return NotFound(std::string(name) + ": unknown unit '" + std::string(text) + "'");
  return PlanTarget{.is_group = false, .id = *u};
}

void WriteParticipant(io::JsonWriter& w, const engine::State& state, const PlanTarget& target) {
  w.BeginObject();
  w.Key("kind");
  w.String(target.is_group ? "group" : "unit");
  w.Key("code");
  w.String(TargetCode(state, target));
  w.Key("name");
  w.String(target.is_group ? state.groups()[static_cast<size_t>(target.id)].name
                           : state.units()[static_cast<size_t>(target.id)].name);
  w.EndObject();
}

Result<DriveId> FindDriveByCode(const engine::State& state, std::string_view code) {
  auto d = state.FindDrive(code);
  if (!d) return NotFound("drive: unknown drive '" + std::string(code) + "'");
  return *d;
}

void WriteSeasonJson(io::JsonWriter& w, const engine::Season& season) {
  w.BeginObject();
  w.Key("index");
  w.Int(season.index);
  w.Key("begin");
  w.String(FormatDate(season.begin));
  w.Key("end");
  w.String(FormatDate(season.end - 1));
  w.EndObject();
}

void WriteStandingsJson(io::JsonWriter& w, const engine::State& state, const Drive& drive,
                        const engine::Standings& standings,
                        const std::optional<engine::GroupLevel>& level, const Page& page) {
  w.BeginObject();
  w.Key("drive");
  w.String(drive.code);
  w.Key("season");
  WriteSeasonJson(w, standings.season);
  w.Key("as_of");
  w.String(FormatDate(standings.as_of));
  w.Key("level");
  if (level) {
    w.String(FormatGroupLevel(state, *level));
  } else {
    w.Null();
  }
  w.Key("leagues");
  w.BeginArray();
  for (const engine::League& league : standings.leagues) {
    w.BeginObject();
    w.Key("index");
    w.Int(league.index);
    w.Key("name");
    w.String(league.name);
    w.Key("tier");
    w.Int(league.tier);
    w.Key("peer_group");
    if (league.peer_group == kNoId) {
      w.Null();
    } else {
      w.String(GroupCode(state, league.peer_group));
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("total");
  w.Int(static_cast<int64_t>(standings.rows.size()));
  w.Key("rows");
  w.BeginArray();
  const size_t first = std::min(page.offset, standings.rows.size());
  const size_t last = std::min(standings.rows.size(), first + page.limit);
  for (size_t row_idx = first; row_idx < last; ++row_idx) {
    const engine::StandingRow& row = standings.rows[row_idx];
    w.BeginObject();
    w.Key("participant");
    WriteParticipant(w, state, row.participant);
    w.Key("league");
    w.Int(row.league);
    w.Key("scored");
    w.Bool(row.scored);
    w.Key("unscored_reason");
    StringOrNull(w, row.unscored_reason);
    w.Key("score");
    w.Number(row.score);
    w.Key("rank");
    w.Int(row.rank);
    w.Key("overall_rank");
    w.Int(row.overall_rank);
    w.Key("rank_change_day");
    w.Int(row.rank_change_day);
    w.Key("rank_change_start");
    w.Int(row.rank_change_start);
    w.Key("streak");
    w.Int(row.streak);
    w.Key("promotion");
    w.Bool(row.in_promotion_zone);
    w.Key("relegation");
    w.Bool(row.in_relegation_zone);
    w.Key("parts");
    w.BeginArray();
    for (size_t term_idx = 0; term_idx < row.parts.size() && term_idx < drive.terms.size();
         ++term_idx) {
      const ScoreTerm& term = drive.terms[term_idx];
      const engine::ScorePart& part = row.parts[term_idx];
      w.BeginObject();
      w.Key("indicator");
      w.String(IndicatorCode(state, term.indicator));
      w.Key("normalization");
      w.String(NormalizationName(term.normalization));
      w.Key("weight");
      w.Number(term.weight);
      w.Key("raw");
      w.Number(part.raw);
      w.Key("normalized");
      w.Number(part.normalized);
      w.Key("weighted");
      w.Number(part.weighted);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteResultsJson(io::JsonWriter& w, const engine::State& state, const Drive& drive,
                      const engine::Season& season, bool finalized,
                      std::span<const DriveResult> results) {
  w.BeginObject();
  w.Key("drive");
  w.String(drive.code);
  w.Key("season");
  WriteSeasonJson(w, season);
  w.Key("finalized");
  w.Bool(finalized);
  w.Key("results");
  w.BeginArray();
  for (const DriveResult& r : results) {
    w.BeginObject();
    w.Key("participant");
    WriteParticipant(w, state, r.participant);
    w.Key("league");
    w.String(r.league);
    w.Key("tier");
    w.Int(r.tier);
    w.Key("rank");
    w.Int(r.rank);
    w.Key("overall");
    w.Int(r.overall);
    w.Key("score");
    w.Number(r.score);
    w.Key("title");
    StringOrNull(w, r.title);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteRecordsJson(io::JsonWriter& w, const engine::State& state,
                      std::span<const engine::RecordEntry> records) {
  w.BeginObject();
  w.Key("records");
  w.BeginArray();
  for (const engine::RecordEntry& r : records) {
    w.BeginObject();
    WriteRecordKey(w, state, r.key);
    w.Key("holder");
    WriteParticipant(w, state, PlanTarget{.is_group = false, .id = r.record.holder});
    w.Key("period");
    w.String(FormatPeriod(r.record.period));
    w.Key("value");
    w.Number(r.record.value);
    w.Key("previous");
    WriteRecordValue(w, state, r.previous);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteOutliersJson(io::JsonWriter& w, const engine::State& state,
                       std::span<const engine::Outlier> outliers) {
  w.BeginObject();
  w.Key("outliers");
  w.BeginArray();
  for (const engine::Outlier& o : outliers) {
    w.BeginObject();
    w.Key("unit");
    WriteParticipant(w, state, PlanTarget{.is_group = false, .id = o.unit});
    w.Key("indicator");
    w.String(IndicatorCode(state, o.indicator));
    w.Key("date");
    w.String(FormatDate(o.date));
    w.Key("value");
    w.Number(o.value);
    w.Key("expected");
    w.Number(o.expected);
    w.Key("score");
    w.Number(o.score);
    w.Key("reason");
    w.String(o.reason);
    w.Key("confirmed");
    if (o.confirmed) {
      w.Bool(*o.confirmed);
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteStandardsJson(io::JsonWriter& w, const engine::State& state,
                        std::span<const engine::StandardStatus> standards) {
  w.BeginObject();
  w.Key("standards");
  w.BeginArray();
  for (const engine::StandardStatus& s : standards) io::StandardToJson(state, s, w);
  w.EndArray();
  w.EndObject();
}

void WriteDriveJson(io::JsonWriter& w, const engine::State& state, DriveId id, const Drive& drive,
                    Date today) {
  std::vector<io::SeasonSpan> spans;
  std::optional<int32_t> current;
  for (const engine::Season& season : engine::SeasonsOf(drive)) {
    spans.push_back({.index = season.index, .begin = season.begin, .end = season.end});
    if (season.begin <= today && today < season.end) current = season.index;
  }
  io::DriveToJson(state, id, drive, spans, current, w);
}

void WriteRebaseJson(io::JsonWriter& w, const engine::State& state,
                     const engine::RebaseProposal& proposal) {
  w.BeginObject();
  w.Key("rebase");
  w.Bool(proposal.rebase);
  w.Key("indicator");
  w.String(IndicatorCode(state, proposal.standard.indicator));
  w.Key("peer_group");
  if (proposal.standard.peer_group == kNoId) {
    w.Null();
  } else {
    w.String(GroupCode(state, proposal.standard.peer_group));
  }
  w.Key("standard");
  io::StandardRevisionToJson(proposal.standard, w);
  w.Key("reason");
  w.String(proposal.reason);
  w.EndObject();
}

std::string OvertakingEventJson(const engine::State& state, const engine::DriveEvent& event,
                                const engine::Standings* standings, std::string_view at) {
  const Drive& drive = state.drives()[static_cast<size_t>(event.drive)];
  io::JsonWriter w;
  w.BeginObject();
  w.Key("drive");
  w.String(drive.code);
  w.Key("drive_name");
  w.String(drive.name);
  w.Key("league");
  w.Int(event.league);
  w.Key("league_name");
  if (standings != nullptr && !event.level && event.league >= 0 &&
      static_cast<size_t>(event.league) < standings->leagues.size()) {
    w.String(standings->leagues[static_cast<size_t>(event.league)].name);
  } else {
    w.Null();
  }
  w.Key("level");
  if (event.level) {
    w.String(FormatGroupLevel(state, *event.level));
  } else {
    w.Null();
  }
  w.Key("overtaker");
  WriteParticipant(w, state, event.overtaker);
  w.Key("overtaken");
  WriteParticipant(w, state, event.overtaken);
  w.Key("margin");
  w.Number(event.margin);
  w.Key("new_rank");
  w.Int(event.new_rank);
  w.Key("at");
  w.String(at);
  w.EndObject();
  return w.Take();
}

std::string RecordEventJson(const engine::State& state, const engine::RecordEvent& event,
                            std::string_view at) {
  io::JsonWriter w;
  w.BeginObject();
  w.Key("kind");
  w.String(event.kind == engine::RecordEvent::Kind::kNewRecord ? "new" : "withdrawn");
  WriteRecordKey(w, state, event.key);
  w.Key("record");
  WriteRecordValue(w, state, event.record);
  w.Key("previous");
  WriteRecordValue(w, state, event.previous);
  w.Key("at");
  w.String(at);
  w.EndObject();
  return w.Take();
}

Result<Changes> FinalizeSeasonChanges(const engine::State& state,
                                      const engine::AssignmentBook& book, DriveId id,
                                      int32_t season) {
  const Drive& drive = state.drives()[static_cast<size_t>(id)];
  const std::vector<engine::Season> seasons = engine::SeasonsOf(drive);
  if (season < 0 || static_cast<size_t>(season) >= seasons.size()) {
    return InvalidArgument("season: drive '" + drive.code + "' has seasons 0.." +
                           std::to_string(seasons.size() - 1) + ", not " + std::to_string(season));
  }
  for (const DriveResult& r : state.drive_results()) {
    if (r.drive == id && r.season == season) {
      return FailedPrecondition("season " + std::to_string(season) + " of drive '" + drive.code +
                                "' is already finalized; its honours are history");
    }
  }
  const engine::Season& s = seasons[static_cast<size_t>(season)];
  const std::optional<Date> last = state.LastReportedDay();
  if (!last || *last < s.end - 1) {
    return FailedPrecondition("season " + std::to_string(season) + " of drive '" + drive.code +
                              "' runs until " + FormatDate(s.end - 1) +
                              "; it can be finalized once reports reach that day (the last "
                              "reported day is " +
                              (last ? FormatDate(*last) : std::string("none")) + ")");
  }
  auto results = engine::SeasonResults(state, book, id, drive, state.drive_results(), season);
  if (!results.ok()) return results.error();
  Changes changes;
  changes.drive_results = std::move(results).value();
  if (changes.drive_results.empty()) {
    return FailedPrecondition("season " + std::to_string(season) + " of drive '" + drive.code +
                              "' has no scored participant to give results to");
  }
  return changes;
}

Result<Grain> ParseRecordGrain(std::string_view name, std::string_view text) {
  if (text == "day") return Grain::kDay;
  if (text == "month") return Grain::kMonth;
  if (text == "year") return Grain::kYear;
  return InvalidArgument(std::string(name) + ": '" + std::string(text) +
                         "' is not a record grain (day, month, year)");
}

Result<engine::RecordScope> ParseRecordScope(std::string_view name, std::string_view text) {
  for (engine::RecordScope s :
       {engine::RecordScope::kUnit, engine::RecordScope::kGroup, engine::RecordScope::kAll}) {
    if (text == engine::RecordScopeName(s)) return s;
  }
  return InvalidArgument(std::string(name) + ": '" + std::string(text) +
                         "' is not a record scope (unit, group, all)");
}

}  // namespace chollima::service
