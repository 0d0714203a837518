// The one way the frontier, models, followers and learning pairs are asked for and
// written out, so the CLI (`chollima frontier`, `models`, `pairs`) and the HTTP API
// (docs/http-api.md "Models and learning") take the same options and give the same
// JSON shapes (docs/openapi.yaml).
//
// Options are named text values, whatever they came from: query parameters, CLI flags
// (both named as typed: "period: ..."), or the members of a JSON body (named by their
// JSON path: "$.period: ...").
//
//   auto opts = OptionsFromQuery({{"group", "sector/coal"}, {"rts", "crs"}});
//   auto query = ParseFrontierQuery(state, opts);
//   auto frontier = engine::ComputeFrontier(state, query->query);
//   io::JsonWriter w;
//   WriteFrontierJson(w, state, *query, *frontier);
//
// Thread-safety: the functions read their arguments only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/changes.h"
#include "core/learning.h"
#include "core/status.h"
#include "engine/frontier.h"
#include "engine/learning.h"
#include "engine/state.h"
#include "io/json_reader.h"
#include "io/json_writer.h"

namespace chollima::service {

class LearningOptions {
 public:
  LearningOptions() = default;
  // Query parameters or CLI flags; empty values count as absent.
  explicit LearningOptions(std::map<std::string, std::string, std::less<>> values)
      : values_(std::move(values)) {}
  // The members of a JSON object: strings, numbers (as written), booleans; null is
  // absent. Fails with kInvalidArgument naming "$.key" for an unknown member (not in
  // `known`), another kind, or a body that is not an object.
  static Result<LearningOptions> FromJson(const io::JsonValue& body,
                                          std::initializer_list<std::string_view> known);

  std::optional<std::string_view> Get(std::string_view key) const;
  // Reads option `alias` as `key` too (a body's "peer_group" as the query's "group");
  // fails naming both when both are given.
  Status Alias(std::string_view alias, std::string_view key);
  // How an error names the option: "key" or "$.key".
  std::string Name(std::string_view key) const { return prefix_ + std::string(key); }
  Error Named(std::string_view key, const Error& e) const {
    return Error{e.code, Name(key) + ": " + e.message};
  }
  Result<bool> Bool(std::string_view key, bool fallback) const;
  Result<std::optional<Date>> DateOf(std::string_view key) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::string prefix_;
};

// The peer group of a group, "all" (kNoId), or nullopt when absent.
Result<std::optional<GroupId>> ParsePeerGroup(const engine::State& state, const LearningOptions& o,
                                              std::string_view key);

struct FrontierRequest {
  engine::FrontierQuery query;
  std::vector<std::string> filter;  // as given: "capacity>=500"
};
// Options: group | drive + league, filter, period (default: the month of the latest
// reported day), rts, orientation, slacks, super, inputs, outputs.
Result<FrontierRequest> ParseFrontierQuery(const engine::State& state, const LearningOptions& o);
// The group of a frontier request (kNoId for all units or a league).
GroupId RequestGroup(const FrontierRequest& r);

// {"peer_group","filter","period","options","inputs","outputs","units","excluded","frame",
//  "stats"} (openapi: Frontier).
void WriteFrontierJson(io::JsonWriter& w, const engine::State& state, const FrontierRequest& r,
                       const engine::FrontierResult& f);
// {"kind":"group","code","name"} | {"kind":"all"} | {"kind":"league","drive","league"}.
void WritePeerGroupJson(io::JsonWriter& w, const engine::State& state,
                        const engine::PeerGroupSpec& spec);
void WriteUnitRef(io::JsonWriter& w, const engine::State& state, UnitId unit);

// One unit's learning page (openapi: UnitLearning). `frontier` holds the unit, scored
// or excluded; fails with kNotFound when the unit is not in the peer group at all.
// `cache` (may be null) serves the frontier of its pair's score now.
Status WriteUnitLearningJson(io::JsonWriter& w, const engine::State& state, UnitId unit,
                             const FrontierRequest& r, const engine::FrontierResult& f,
                             engine::FrontierCache* cache = nullptr);
// The frontier request of a unit's learning page: the options' peer group, or the
// unit's group at `level` (default 1) of `hierarchy` (default the first) on the period's
// first day.
Result<FrontierRequest> UnitFrontierRequest(const engine::State& state, UnitId unit,
                                            const LearningOptions& o);

// {"as_of","models":[...]}: the models in force on `as_of` (of `group` when set).
void WriteModelsJson(io::JsonWriter& w, const engine::State& state, Date as_of,
                     std::optional<GroupId> group);
// {"peer_group","period","suggestions":[...]}.
void WriteSuggestionsJson(io::JsonWriter& w, const engine::State& state, const FrontierRequest& r,
                          const std::vector<engine::ModelSuggestion>& suggestions);
// {"model","as_of","indicators","months","total","followers":[...]} (openapi:
// ModelFollowers).
void WriteFollowersJson(io::JsonWriter& w, const engine::State& state,
                        const ModelDesignation& model, Date as_of,
                        const engine::ModelFollowers& followers, size_t offset, size_t limit);
// The designation of `unit` in force on `as_of` for `group` (any group when nullopt).
Result<ModelDesignation> FindModel(const engine::State& state, UnitId unit,
                                   std::optional<GroupId> group, Date as_of);

// {"pairs":[...],"rules":[...]}: the pairs in force on `as_of`, their progress measured
// in its month; without it, the latest pairs (those applied to start after the latest
// report too), their progress in the month of the latest reported day.
// `cache` (may be null) serves the frontiers of the learners' scores now.
void WritePairsJson(io::JsonWriter& w, const engine::State& state, std::optional<Date> as_of,
                    std::optional<GroupId> group, engine::FrontierCache* cache = nullptr);
// {"peer_group","period","capacity","objective","from","mentors","pairs","unpaired",
//  "total_cost","applied"}.
void WritePairPlanJson(io::JsonWriter& w, const engine::State& state, const FrontierRequest& r,
                       int32_t capacity, engine::PairObjective objective, Date from,
                       const engine::PairPlan& plan, bool applied);

// Writes. Each parses its options (body members or flags) into the changes it stands
// for; messages name the option.
Result<ModelDesignation> ParseModel(const engine::State& state, const LearningOptions& o,
                                    const std::string& author);
Result<FollowerChoice> ParseFollowerChoice(const engine::State& state, const LearningOptions& o);
Result<PairRule> ParsePairRule(const engine::State& state, const LearningOptions& o,
                               const std::string& author);

struct AssignRequest {
  FrontierRequest frontier;
  int32_t capacity = 3;
  engine::PairObjective objective = engine::PairObjective::kMix;
  Date from;  // the pairs' first day (default: the day after the latest report)
  bool apply = false;
};
// Options: the peer group (group=, required), period and frontier options, capacity,
// objective (mix|gain), from, apply.
Result<AssignRequest> ParseAssignRequest(const engine::State& state, const LearningOptions& o);
// "vrs in": the returns to scale and orientation a pair keeps (LearningPair::frontier).
std::string FrontierOptionsText(const engine::dea::Options& options);
// The stored pairs of an applied plan (each learner's previous pair ends).
Changes PairChanges(const engine::State& state, const AssignRequest& request,
                    const engine::PairPlan& plan, const std::string& author);

// The data of a `model_overtaken` event (GET /api/events); `at` is the write's time
// (RFC 3339, as the other events have it).
std::string ModelEventJson(const engine::State& state, const engine::ModelEvent& event,
                           std::string_view at);

}  // namespace chollima::service
