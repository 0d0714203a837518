// Emulation routes: drives, standings, results and honours, records and outliers,
// standards (see api.h; the JSON shapes are service/emulation_view.h's).
#include <algorithm>
#include <mutex>

#include "auth/authorize.h"
#include "core/text.h"
#include "engine/standards.h"
#include "http/api.h"
#include "http/params.h"
#include "io/emulation_input.h"
#include "io/json_reader.h"
#include "io/json_writer.h"
#include "service/emulation_view.h"
#include "service/fulfilment_query.h"

namespace chollima::http {
namespace {

Result<io::JsonValue> ParseBody(const Request& request) {
  auto doc = io::ParseJson(request.body);
  if (!doc.ok()) return doc.error();
  if (!doc->IsObject()) return InvalidArgument("$: expected an object");
  return std::move(doc).value();
}

// A string member of a body, "" when absent or null; kInvalidArgument naming "$.key"
// when present with another kind.
Result<std::string> StringMember(const io::JsonValue& body, std::string_view key) {
  const io::JsonValue* v = body.Find(key);
  if (v == nullptr || v->IsNull()) return std::string();
  if (!v->IsString()) {
    return InvalidArgument("$." + std::string(key) + ": expected a string, found " +
                           io::JsonKindName(v->kind()));
  }
  return std::string(v->AsString());
}

Status CheckMembers(const io::JsonValue& body, std::initializer_list<std::string_view> known) {
  for (const io::JsonMember& m : body.Members()) {
    if (std::find(known.begin(), known.end(), m.key) == known.end()) {
      return InvalidArgument("$." + m.key + ": unknown field");
    }
  }
  return OkStatus();
}

}  // namespace

Status CheckEmulationRole(const store::Account& account) {
  if (account.role == store::AccountRole::kAdmin || account.role == store::AccountRole::kPlanner) {
    return OkStatus();
  }
  return PermissionDenied("'" + account.name + "' is a " + store::AccountRoleName(account.role) +
                          ": drives, standards, outlier reviews, models and learning pairs are "
                          "for planners and admins");
}

// ------------------------------------------------------------------ reads

Response Api::Drives(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    const Date today = state.LastReportedDay().value_or(Date());
    io::JsonWriter w;
    w.BeginObject();
    w.Key("drives");
    w.BeginArray();
    for (DriveId id = 0; id < static_cast<DriveId>(state.drives().size()); ++id) {
      service::WriteDriveJson(w, state, id, state.drives()[static_cast<size_t>(id)], today);
    }
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::DriveDetail(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    auto id = state.FindDrive(request.Param("code"));
    if (!id)
      return ErrorResponse(404, "drive_not_found", "no drive '" + request.Param("code") + "'");
    io::JsonWriter w;
    service::WriteDriveJson(w, state, *id, state.drives()[static_cast<size_t>(*id)],
                            state.LastReportedDay().value_or(Date()));
    return JsonResponse(200, w.Take());
  });
}

Response Api::DriveStandings(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(
        CheckParameters(request, {"as_of", "level", "league", "within", "offset", "limit"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<Date> as_of, DateParameter(request, "as_of"));
    CHOLLIMA_ASSIGN_OR_RETURN(const int offset, IntParameter(request, "offset", 0, 0, 1 << 30));
    CHOLLIMA_ASSIGN_OR_RETURN(const int limit,
                              IntParameter(request, "limit", 100, 1, kMaxPageSize));
    CHOLLIMA_ASSIGN_OR_RETURN(const int league, IntParameter(request, "league", -1, 0, 1 << 20));
    std::shared_lock lock(mu_);
    const std::string key = ResponseCache::KeyOf(request);
    const uint64_t generation = generation_.load();
    if (auto cached = cache_.Get(key, generation)) return JsonResponse(200, *cached);
    const engine::State& state = service_.state();
    auto id = state.FindDrive(request.Param("code"));
    if (!id)
      return ErrorResponse(404, "drive_not_found", "no drive '" + request.Param("code") + "'");
    const Drive& drive = state.drives()[static_cast<size_t>(*id)];
    engine::StandingsQuery query;
    query.as_of = as_of.value_or(state.LastReportedDay().value_or(drive.start));
    if (const auto level = request.query.Get("level"); level && !level->empty()) {
      CHOLLIMA_ASSIGN_OR_RETURN(query.level, service::ParseGroupLevel(state, "level", *level));
    }
    if (league >= 0) query.league = league;
    if (const auto within = request.query.Get("within"); within && !within->empty()) {
      auto g = service::ResolveGroupRef(state, *within);
      if (!g.ok()) return Error{g.error().code, "within: " + g.error().message};
      query.within = *g;
    }
    // The live board answers the common question (today's participant table) without a
    // recompute; anything else is computed from scratch.
    const engine::Standings* live = nullptr;
    if (!query.level && !query.within && query.as_of == state.LastReportedDay()) {
      live = drive_board_->Current(*id);
    }
    engine::Standings computed;
    if (live == nullptr) {
      CHOLLIMA_ASSIGN_OR_RETURN(computed, engine::ComputeStandings(state, *book_, *id, drive,
                                                                   state.drive_results(), query));
    } else if (query.league) {
      computed.drive = live->drive;
      computed.season = live->season;
      computed.as_of = live->as_of;
      computed.leagues = live->leagues;
      for (const engine::StandingRow& row : live->rows) {
        if (row.league == *query.league) computed.rows.push_back(row);
      }
      live = nullptr;
    }
    io::JsonWriter w;
    service::WriteStandingsJson(
        w, state, drive, live != nullptr ? *live : computed, query.level,
        {.offset = static_cast<size_t>(offset), .limit = static_cast<size_t>(limit)});
    std::string body = w.Take();
    cache_.Put(key, generation, body);
    return JsonResponse(200, std::move(body));
  });
}

Response Api::DriveResults(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"season"}));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    auto id = state.FindDrive(request.Param("code"));
    if (!id)
      return ErrorResponse(404, "drive_not_found", "no drive '" + request.Param("code") + "'");
    const Drive& drive = state.drives()[static_cast<size_t>(*id)];
    const std::vector<engine::Season> seasons = engine::SeasonsOf(drive);
    CHOLLIMA_ASSIGN_OR_RETURN(const int season, IntParameter(request, "season", 0, 0,
                                                             static_cast<int>(seasons.size()) - 1));
    std::vector<DriveResult> results = service_.StoredResults(*id, season);
    const bool finalized = !results.empty();
    if (!finalized) {
      CHOLLIMA_ASSIGN_OR_RETURN(
          results, engine::SeasonResults(state, *book_, *id, drive, state.drive_results(), season));
    }
    io::JsonWriter w;
    service::WriteResultsJson(w, state, drive, seasons[static_cast<size_t>(season)], finalized,
                              results);
    return JsonResponse(200, w.Take());
  });
}

Response Api::Honours(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"drive"}));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    std::optional<DriveId> only;
    if (const auto code = request.query.Get("drive"); code && !code->empty()) {
      CHOLLIMA_ASSIGN_OR_RETURN(only, service::FindDriveByCode(state, *code));
    }
    io::JsonWriter w;
    w.BeginObject();
    w.Key("honours");
    w.BeginArray();
    for (const DriveResult& r : state.drive_results()) {
      if (r.title.empty() || (only && r.drive != *only)) continue;
      const Drive& drive = state.drives()[static_cast<size_t>(r.drive)];
      w.BeginObject();
      w.Key("drive");
      w.String(drive.code);
      w.Key("drive_name");
      w.String(drive.name);
      w.Key("season");
      w.Int(r.season);
      w.Key("participant");
      service::WriteParticipant(w, state, r.participant);
      w.Key("title");
      w.String(r.title);
      w.Key("league");
      w.String(r.league);
      w.Key("rank");
      w.Int(r.rank);
      w.Key("score");
      w.Number(r.score);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, w.Take());
  });
}

Response Api::Records(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(
        CheckParameters(request, {"indicator", "grain", "scope", "target", "limit"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const int limit, IntParameter(request, "limit", 1000, 1, 100000));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    engine::RecordFilter filter;
    if (const auto i = request.query.Get("indicator"); i && !i->empty()) {
      auto id = state.FindIndicator(*i);
      if (!id) return NotFound("indicator: unknown indicator '" + std::string(*i) + "'");
      filter.indicator = *id;
    }
    if (const auto g = request.query.Get("grain"); g && !g->empty()) {
      CHOLLIMA_ASSIGN_OR_RETURN(filter.grain, service::ParseRecordGrain("grain", *g));
    }
    if (const auto s = request.query.Get("scope"); s && !s->empty()) {
      CHOLLIMA_ASSIGN_OR_RETURN(filter.scope, service::ParseRecordScope("scope", *s));
    }
    if (const auto t = request.query.Get("target"); t && !t->empty()) {
      CHOLLIMA_ASSIGN_OR_RETURN(const PlanTarget target, service::ParseTarget(state, "target", *t));
      if (filter.scope && *filter.scope != (target.is_group ? engine::RecordScope::kGroup
                                                            : engine::RecordScope::kUnit)) {
        return InvalidArgument("target: a " + std::string(target.is_group ? "group" : "unit") +
                               " does not go with scope " + engine::RecordScopeName(*filter.scope));
      }
      filter.scope = target.is_group ? engine::RecordScope::kGroup : engine::RecordScope::kUnit;
      filter.scope_id = target.id;
    }
    std::vector<engine::RecordEntry> records = record_book_->Records(filter);
    if (records.size() > static_cast<size_t>(limit)) records.resize(static_cast<size_t>(limit));
    io::JsonWriter w;
    service::WriteRecordsJson(w, state, records);
    return JsonResponse(200, w.Take());
  });
}

Response Api::Outliers(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"unit", "indicator"}));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    std::optional<UnitId> unit;
    std::optional<IndicatorId> indicator;
    if (const auto u = request.query.Get("unit"); u && !u->empty()) {
      unit = state.FindUnit(*u);
      if (!unit) return NotFound("unit: unknown unit '" + std::string(*u) + "'");
    }
    if (const auto i = request.query.Get("indicator"); i && !i->empty()) {
      indicator = state.FindIndicator(*i);
      if (!indicator) return NotFound("indicator: unknown indicator '" + std::string(*i) + "'");
    }
    io::JsonWriter w;
    service::WriteOutliersJson(w, state, record_book_->Outliers(unit, indicator));
    return JsonResponse(200, w.Take());
  });
}

Response Api::Standards(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"as_of", "season"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<Date> as_of, DateParameter(request, "as_of"));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    engine::StandardOptions options;
    options.as_of = as_of.value_or(state.LastReportedDay().value_or(Date()));
    if (const auto g = request.query.Get("season"); g && !g->empty()) {
      auto grain = ParseGrain(*g);
      if (!grain.ok()) return Error{grain.error().code, "season: " + grain.error().message};
      options.season = *grain;
    }
    CHOLLIMA_ASSIGN_OR_RETURN(const std::vector<engine::StandardStatus> st,
                              engine::EvaluateStandards(state, state.standards(), options));
    io::JsonWriter w;
    service::WriteStandardsJson(w, state, st);
    return JsonResponse(200, w.Take());
  });
}

// ------------------------------------------------------------------ writes

std::string SummaryEventJson(size_t count, const std::string& author, const std::string& source,
                             const std::string& at) {
  io::JsonWriter e;
  e.BeginObject();
  e.Key("count");
  e.Int(static_cast<int64_t>(count));
  e.Key("author");
  e.String(author);
  e.Key("source");
  e.String(source);
  e.Key("at");
  e.String(at);
  e.EndObject();
  return e.Take();
}

int64_t Api::PublishEmulationEvents(const Changes& changes, const std::string& author,
                                    const std::string& source, const std::string& at) const {
  const engine::State& state = service_.state();
  const std::vector<engine::DriveEvent> overtakings = drive_board_->Apply(state, *book_, changes);
  const std::vector<engine::RecordEvent> records =
      record_book_->Apply(state, state.outlier_reviews(), changes);
  int64_t published = 0;
  auto summary = [&](std::string_view type, size_t count) {
    context_.events.Publish(type, SummaryEventJson(count, author, source, at));
    ++published;
  };
  if (overtakings.size() > context_.max_emulation_events_per_write) {
    summary(kOvertakingsEvent, overtakings.size());
  } else {
    for (const engine::DriveEvent& e : overtakings) {
      context_.events.Publish(kOvertakingEvent, service::OvertakingEventJson(
                                                    state, e, drive_board_->Current(e.drive), at));
      ++published;
    }
  }
  if (records.size() > context_.max_emulation_events_per_write) {
    summary(kRecordsEvent, records.size());
  } else {
    for (const engine::RecordEvent& e : records) {
      context_.events.Publish(kRecordEvent, service::RecordEventJson(state, e, at));
      ++published;
    }
  }
  return published;
}

Result<Response> Api::CommitEmulation(const Caller& caller, const Changes& changes,
                                      const std::string& kind, const std::string& source,
                                      int status,
                                      const std::function<std::string()>& answer) const {
  const engine::State& state = service_.state();
  const auth::Principal principal = auth::ResolvePrincipal(caller.account, state);
  CHOLLIMA_RETURN_IF_ERROR(auth::AuthorizeChanges(principal, changes, state));
  {
    std::lock_guard store_lock(store_mu_);
    CHOLLIMA_RETURN_IF_ERROR(service_.Commit(changes, kind, source, caller.account.name));
  }
  ++generation_;
  PublishEmulationEvents(changes, caller.account.name, source,
                         store::FormatTimestamp(context_.now()));
  return JsonResponse(status, answer());
}

Response Api::CreateDrive(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"dry_run"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const bool dry_run, BoolParameter(request, "dry_run"));
    CHOLLIMA_RETURN_IF_ERROR(CheckEmulationRole(caller.account));
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(Drive drive, io::DriveFromJson(state, request.body));
    const auto id = static_cast<DriveId>(state.drives().size());
    Changes changes;
    changes.new_drives.push_back(drive);
    if (dry_run) {
      const auth::Principal principal = auth::ResolvePrincipal(caller.account, state);
      CHOLLIMA_RETURN_IF_ERROR(auth::AuthorizeChanges(principal, changes, state));
      io::JsonWriter w;
      service::WriteDriveJson(w, state, id, drive, state.LastReportedDay().value_or(Date()));
      return JsonResponse(200, w.Take());
    }
    return CommitEmulation(caller, changes, "create drive", "api " + request.path, 201, [&] {
      io::JsonWriter w;
      service::WriteDriveJson(w, state, id, state.drives()[static_cast<size_t>(id)],
                              state.LastReportedDay().value_or(Date()));
      return w.Take();
    });
  });
}

Response Api::FinalizeSeason(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_RETURN_IF_ERROR(CheckEmulationRole(caller.account));
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    auto id = state.FindDrive(request.Param("code"));
    if (!id)
      return ErrorResponse(404, "drive_not_found", "no drive '" + request.Param("code") + "'");
    const Drive& drive = state.drives()[static_cast<size_t>(*id)];
    const std::vector<engine::Season> seasons = engine::SeasonsOf(drive);
    int season = 0;
    if (!ParseDigits(request.Param("index"), season) ||
        season >= static_cast<int>(seasons.size())) {
      return ErrorResponse(404, "season_not_found",
                           "drive '" + drive.code + "' has no season '" + request.Param("index") +
                               "' (seasons 0.." + std::to_string(seasons.size() - 1) + ")");
    }
    CHOLLIMA_ASSIGN_OR_RETURN(const Changes changes,
                              service::FinalizeSeasonChanges(state, *book_, *id, season));
    return CommitEmulation(caller, changes, "finalize season", "api " + request.path, 200, [&] {
      io::JsonWriter w;
      service::WriteResultsJson(w, state, state.drives()[static_cast<size_t>(*id)],
                                seasons[static_cast<size_t>(season)], true,
                                service_.StoredResults(*id, season));
      return w.Take();
    });
  });
}

Response Api::ReviewOutlier(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_RETURN_IF_ERROR(CheckEmulationRole(caller.account));
    CHOLLIMA_ASSIGN_OR_RETURN(const io::JsonValue body, ParseBody(request));
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const OutlierReview review,
                              io::OutlierReviewFromJson(state, body, caller.account.name));
    Changes changes;
    changes.outlier_reviews.push_back(review);
    return CommitEmulation(caller, changes, "review outlier", "api " + request.path, 200, [&] {
      io::JsonWriter w;
      service::WriteOutliersJson(w, state, record_book_->Outliers(review.unit, review.indicator));
      return w.Take();
    });
  });
}

Response Api::SetStandard(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_RETURN_IF_ERROR(CheckEmulationRole(caller.account));
    CHOLLIMA_ASSIGN_OR_RETURN(const io::JsonValue body, ParseBody(request));
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const Standard standard, io::StandardFromJson(state, body));
    Changes changes;
    changes.standards.push_back(standard);
    return CommitEmulation(caller, changes, "set standard", "api " + request.path, 201, [&] {
      io::JsonWriter w;
      io::StandardRevisionToJson(standard, w);
      return w.Take();
    });
  });
}

Response Api::RebaseStandard(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_RETURN_IF_ERROR(CheckEmulationRole(caller.account));
    CHOLLIMA_ASSIGN_OR_RETURN(const io::JsonValue body, ParseBody(request));
    CHOLLIMA_RETURN_IF_ERROR(
        CheckMembers(body, {"indicator", "peer_group", "as_of", "season", "apply"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string indicator, StringMember(body, "indicator"));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string peer_group, StringMember(body, "peer_group"));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string as_of_text, StringMember(body, "as_of"));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::string season_text, StringMember(body, "season"));
    const io::JsonValue* apply = body.Find("apply");
    if (apply != nullptr && !apply->IsBool()) return InvalidArgument("$.apply: expected a boolean");
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    auto ind = state.FindIndicator(indicator);
    if (!ind) return NotFound("$.indicator: unknown indicator '" + indicator + "'");
    GroupId group = kNoId;
    if (!peer_group.empty()) {
      auto g = service::ResolveGroupRef(state, peer_group);
      if (!g.ok()) return Error{g.error().code, "$.peer_group: " + g.error().message};
      group = *g;
    }
    engine::StandardOptions options;
    options.as_of = state.LastReportedDay().value_or(Date());
    if (!as_of_text.empty()) {
      auto d = ParseDate(as_of_text);
      if (!d.ok()) return Error{d.error().code, "$.as_of: " + d.error().message};
      options.as_of = *d;
    }
    if (!season_text.empty()) {
      auto g = ParseGrain(season_text);
      if (!g.ok()) return Error{g.error().code, "$.season: " + g.error().message};
      options.season = *g;
    }
    CHOLLIMA_ASSIGN_OR_RETURN(
        const engine::RebaseProposal proposal,
        engine::ProposeRebase(state, state.standards(), *ind, group, options));
    auto answer = [&] {
      io::JsonWriter w;
      service::WriteRebaseJson(w, state, proposal);
      return w.Take();
    };
    if (apply == nullptr || !apply->AsBool() || !proposal.rebase) {
      return JsonResponse(200, answer());
    }
    Changes changes;
    changes.standards.push_back(proposal.standard);
    return CommitEmulation(caller, changes, "rebase standard", "api " + request.path, 201, answer);
  });
}

}  // namespace chollima::http
