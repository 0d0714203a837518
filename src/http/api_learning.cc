// Models and learning routes: the frontier, a unit's learning page, models and their
// followers, learning pairs (see api.h; the JSON shapes are service/learning_view.h's).
#include <algorithm>
#include <array>
#include <map>
#include <mutex>

#include "auth/authorize.h"
#include "engine/frontier.h"
#include "engine/learning.h"
#include "http/api.h"
#include "http/params.h"
#include "io/json_reader.h"
#include "io/json_writer.h"
#include "service/learning_view.h"

namespace chollima::http {
namespace {

// The options of a frontier (every read of this file takes them).
constexpr std::array<std::string_view, 11> kFrontierParameters = {
    "group",       "drive",  "league", "filter", "period", "rts",
    "orientation", "slacks", "super",  "inputs", "outputs"};

Result<service::LearningOptions> QueryOptions(const Request& request,
                                              std::initializer_list<std::string_view> extra) {
  std::vector<std::string_view> known(kFrontierParameters.begin(), kFrontierParameters.end());
  known.insert(known.end(), extra.begin(), extra.end());
  std::map<std::string, std::string, std::less<>> values;
  for (const auto& [name, value] : request.query.items()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return InvalidArgument(name + ": unknown parameter");
    }
    values[name] = value;
  }
  return service::LearningOptions(std::move(values));
}

Result<service::LearningOptions> BodyOptions(const Request& request,
                                             std::initializer_list<std::string_view> known) {
  auto doc = io::ParseJson(request.body);
  if (!doc.ok()) return doc.error();
  return service::LearningOptions::FromJson(*doc, known);
}

// The `group` filter of the models and pairs reads: a group, "all", or none.
Result<std::optional<GroupId>> GroupFilter(const Request& request, const engine::State& state) {
  std::map<std::string, std::string, std::less<>> values;
  if (auto g = request.query.Get("group")) values["group"] = std::string(*g);
  return service::ParsePeerGroup(state, service::LearningOptions(std::move(values)), "group");
}

}  // namespace

// ------------------------------------------------------------------ reads

Response Api::Frontier(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_ASSIGN_OR_RETURN(const service::LearningOptions o, QueryOptions(request, {}));
    std::shared_lock lock(mu_);
    const std::string key = ResponseCache::KeyOf(request);
    const uint64_t generation = generation_.load();
    if (auto cached = cache_.Get(key, generation)) return JsonResponse(200, *cached);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const service::FrontierRequest r,
                              service::ParseFrontierQuery(state, o));
    CHOLLIMA_ASSIGN_OR_RETURN(const engine::FrontierResult f,
                              engine::ComputeFrontier(state, r.query, &frontiers_));
    io::JsonWriter w;
    service::WriteFrontierJson(w, state, r, f);
    std::string body = w.Take();
    cache_.Put(key, generation, body);
    return JsonResponse(200, std::move(body));
  });
}

Response Api::UnitLearning(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_ASSIGN_OR_RETURN(const service::LearningOptions o,
                              QueryOptions(request, {"hierarchy", "level"}));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    auto unit = state.FindUnit(request.Param("code"));
    if (!unit)
      return ErrorResponse(404, "unit_not_found", "no unit '" + request.Param("code") + "'");
    CHOLLIMA_ASSIGN_OR_RETURN(const service::FrontierRequest r,
                              service::UnitFrontierRequest(state, *unit, o));
    CHOLLIMA_ASSIGN_OR_RETURN(const engine::FrontierResult f,
                              engine::ComputeFrontier(state, r.query, &frontiers_));
    io::JsonWriter w;
    CHOLLIMA_RETURN_IF_ERROR(service::WriteUnitLearningJson(w, state, *unit, r, f, &frontiers_));
    return JsonResponse(200, w.Take());
  });
}

Response Api::Models(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"group", "as_of"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<Date> as_of, DateParameter(request, "as_of"));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<GroupId> group, GroupFilter(request, state));
    io::JsonWriter w;
    service::WriteModelsJson(w, state, as_of.value_or(state.LastReportedDay().value_or(Date())),
                             group);
    return JsonResponse(200, w.Take());
  });
}

Response Api::ModelSuggestions(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_ASSIGN_OR_RETURN(const service::LearningOptions o, QueryOptions(request, {"limit"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const int limit, IntParameter(request, "limit", 5, 1, 100));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(service::FrontierRequest r, service::ParseFrontierQuery(state, o));
    r.query.options.super_efficiency = true;
    CHOLLIMA_ASSIGN_OR_RETURN(const engine::FrontierResult f,
                              engine::ComputeFrontier(state, r.query, &frontiers_));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::vector<UnitId> peers,
                              engine::PeerGroupUnits(state, r.query.peers, r.query.period));
    io::JsonWriter w;
    service::WriteSuggestionsJson(
        w, state, r, engine::SuggestModels(state, f, peers, static_cast<size_t>(limit)));
    return JsonResponse(200, w.Take());
  });
}

Response Api::ModelDetail(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"group", "as_of", "offset", "limit"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<Date> as_of, DateParameter(request, "as_of"));
    CHOLLIMA_ASSIGN_OR_RETURN(const int offset, IntParameter(request, "offset", 0, 0, 1 << 30));
    CHOLLIMA_ASSIGN_OR_RETURN(const int limit,
                              IntParameter(request, "limit", 100, 1, kMaxPageSize));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    auto unit = state.FindUnit(request.Param("unit"));
    if (!unit)
      return ErrorResponse(404, "unit_not_found", "no unit '" + request.Param("unit") + "'");
    CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<GroupId> group, GroupFilter(request, state));
    const Date day = as_of.value_or(state.LastReportedDay().value_or(Date()));
    auto model = service::FindModel(state, *unit, group, day);
    if (!model.ok()) return ErrorResponse(404, "model_not_found", model.error().message);
    const engine::ModelFollowers followers = engine::FollowerGaps(state, *model, day);
    io::JsonWriter w;
    service::WriteFollowersJson(w, state, *model, day, followers, static_cast<size_t>(offset),
                                static_cast<size_t>(limit));
    return JsonResponse(200, w.Take());
  });
}

Response Api::Pairs(const Request& request) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {"group", "as_of"}));
    CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<Date> as_of, DateParameter(request, "as_of"));
    std::shared_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const std::optional<GroupId> group, GroupFilter(request, state));
    io::JsonWriter w;
    service::WritePairsJson(w, state, as_of, group, &frontiers_);
    return JsonResponse(200, w.Take());
  });
}

// ------------------------------------------------------------------ writes

int64_t Api::PublishModelEvents(const engine::ModelWatch& watch, const std::string& author,
                                const std::string& source, const std::string& at) const {
  const engine::State& state = service_.state();
  const std::vector<engine::ModelEvent> events = watch.After(state);
  if (events.size() > context_.max_emulation_events_per_write) {
    context_.events.Publish(kModelsOvertakenEvent,
                            SummaryEventJson(events.size(), author, source, at));
    return 1;
  }
  for (const engine::ModelEvent& e : events) {
    context_.events.Publish(kModelOvertakenEvent, service::ModelEventJson(state, e, at));
  }
  return static_cast<int64_t>(events.size());
}

Response Api::DesignateModel(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_RETURN_IF_ERROR(CheckEmulationRole(caller.account));
    CHOLLIMA_ASSIGN_OR_RETURN(
        const service::LearningOptions o,
        BodyOptions(request, {"unit", "peer_group", "from", "reason", "active"}));
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const ModelDesignation model,
                              service::ParseModel(state, o, caller.account.name));
    Changes changes;
    changes.models.push_back(model);
    return CommitEmulation(caller, changes, "designate model", "api " + request.path, 201, [&] {
      io::JsonWriter w;
      service::WriteModelsJson(w, state, model.from, model.peer_group);
      return w.Take();
    });
  });
}

Response Api::ChooseModel(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_RETURN_IF_ERROR(CheckEmulationRole(caller.account));
    CHOLLIMA_ASSIGN_OR_RETURN(const service::LearningOptions o,
                              BodyOptions(request, {"follower", "model", "from", "active"}));
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const FollowerChoice choice, service::ParseFollowerChoice(state, o));
    Changes changes;
    changes.follower_choices.push_back(choice);
    return CommitEmulation(caller, changes, "choose model", "api " + request.path, 201, [&] {
      io::JsonWriter w;
      w.BeginObject();
      w.Key("follower");
      service::WriteUnitRef(w, state, choice.follower);
      w.Key("model");
      service::WriteUnitRef(w, state, choice.model);
      w.Key("from");
      w.String(FormatDate(choice.from));
      w.Key("active");
      w.Bool(choice.active);
      w.EndObject();
      return w.Take();
    });
  });
}

Response Api::AssignPairs(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_RETURN_IF_ERROR(CheckEmulationRole(caller.account));
    CHOLLIMA_ASSIGN_OR_RETURN(
        service::LearningOptions o,
        BodyOptions(request, {"group", "peer_group", "period", "rts", "orientation", "inputs",
                              "outputs", "filter", "capacity", "objective", "from", "apply"}));
    CHOLLIMA_RETURN_IF_ERROR(o.Alias("peer_group", "group"));
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const service::AssignRequest a,
                              service::ParseAssignRequest(state, o));
    CHOLLIMA_ASSIGN_OR_RETURN(const engine::FrontierResult f,
                              engine::ComputeFrontier(state, a.frontier.query, &frontiers_));
    CHOLLIMA_ASSIGN_OR_RETURN(
        const engine::PairPlan plan,
        engine::ProposePairs(state, f, service::RequestGroup(a.frontier), a.capacity, a.objective));
    const auto answer = [&](bool applied) {
      io::JsonWriter w;
      service::WritePairPlanJson(w, state, a.frontier, a.capacity, a.objective, a.from, plan,
                                 applied);
      return w.Take();
    };
    if (!a.apply) {
      const auth::Principal principal = auth::ResolvePrincipal(caller.account, state);
      CHOLLIMA_RETURN_IF_ERROR(auth::AuthorizeChanges(
          principal, service::PairChanges(state, a, plan, caller.account.name), state));
      return JsonResponse(200, answer(false));
    }
    const Changes changes = service::PairChanges(state, a, plan, caller.account.name);
    return CommitEmulation(caller, changes, "assign learning pairs", "api " + request.path, 201,
                           [&] { return answer(true); });
  });
}

Response Api::SetPairRule(const Request& request, const Caller& caller) const {
  return Respond([&]() -> Result<Response> {
    CHOLLIMA_RETURN_IF_ERROR(CheckParameters(request, {}));
    CHOLLIMA_RETURN_IF_ERROR(CheckEmulationRole(caller.account));
    CHOLLIMA_ASSIGN_OR_RETURN(const service::LearningOptions o,
                              BodyOptions(request, {"mentor", "learner", "rule", "note"}));
    std::unique_lock lock(mu_);
    const engine::State& state = service_.state();
    CHOLLIMA_ASSIGN_OR_RETURN(const PairRule rule,
                              service::ParsePairRule(state, o, caller.account.name));
    Changes changes;
    changes.pair_rules.push_back(rule);
    return CommitEmulation(caller, changes, "set pair rule", "api " + request.path, 201, [&] {
      io::JsonWriter w;
      service::WritePairsJson(w, state, state.LastReportedDay().value_or(Date()), std::nullopt);
      return w.Take();
    });
  });
}

}  // namespace chollima::http
