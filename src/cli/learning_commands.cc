// `chollima frontier`, `chollima models` and `chollima pairs`: the efficiency frontier
// of a peer group, model units and their followers, learning pairs. The options are the
// HTTP API's (service/learning_view.h) and --format json prints the API's answer, so
// scripts see one shape.
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "engine/frontier.h"
#include "engine/learning.h"
#include "io/emulation_input.h"
#include "service/learning_view.h"

namespace chollima::cli {
namespace {

// The frontier options as flags, collected into the API's named options.
struct FrontierFlags {
  std::string group, drive, league, filter, period, rts, orientation, slacks, super, inputs,
      outputs;

  void Add(CLI::App* cmd) {
    cmd->add_option("--group", group, "Peer group HIERARCHY/GROUP (e.g. sector/coal), or all");
    cmd->add_option("--drive", drive, "Peer group: a league of this drive (with --league)");
    cmd->add_option("--league", league, "The league's name in the drive's standings");
    cmd->add_option("--filter", filter, "Unit attribute bounds, e.g. capacity>=500,capacity<2000");
    cmd->add_option("--period", period, "Period (default: the month of the latest report)");
    cmd->add_option("--rts", rts, "Returns to scale: crs, vrs (default), drs, irs, fdh");
    cmd->add_option("--orientation", orientation, "in (default) or out");
    cmd->add_option("--slacks", slacks, "Second-stage slack maximization: true (default), false");
    cmd->add_option("--super", super, "Super-efficiency: true (default) or false");
    cmd->add_option("--inputs", inputs, "Input indicator codes, comma separated (default: all)");
    cmd->add_option("--outputs", outputs, "Output indicator codes (default: those reported)");
  }
  std::map<std::string, std::string, std::less<>> Values() const {
    return {
        {"group", group},   {"drive", drive},   {"league", league},           {"filter", filter},
        {"period", period}, {"rts", rts},       {"orientation", orientation}, {"slacks", slacks},
        {"super", super},   {"inputs", inputs}, {"outputs", outputs}};
  }
};

std::string Code(const engine::State& s, UnitId u) {
  return s.units()[static_cast<size_t>(u)].code;
}

void AddFrontier(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("frontier", "The efficiency frontier (DEA) of a peer group");
  cmd->footer(
      "Scores each unit's inputs against its outputs over the period: 1 on the frontier,\n"
      "below 1 (input orientation) the share of its inputs it would need working like its\n"
      "peers. Units with a missing or zero figure are listed as excluded, with the reason.\n"
      "Exit codes: 0 done, 1 rejected, 2 bad arguments or no store.");
  struct Opts {
    std::string db, format = "table";
    FrontierFlags flags;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--db", o->db, "Store file")->required();
  o->flags.Add(cmd);
  AddFormat(cmd, o->format);
  cmd->callback([o, &exit_code] {
    auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
    if (!svc) return;
    const engine::State& s = svc->state();
    auto r = service::ParseFrontierQuery(s, service::LearningOptions(o->flags.Values()));
    if (!r.ok()) {
      exit_code = Rejected("frontier", r.error());
      return;
    }
    auto f = engine::ComputeFrontier(s, r->query);
    if (!f.ok()) {
      exit_code = Rejected("frontier", f.error());
      return;
    }
    if (o->format == "json") {
      PrintJson([&](io::JsonWriter& w) { service::WriteFrontierJson(w, s, *r, *f); });
      return;
    }
    io::TableWriter t(std::cout, FormatOf(o->format),
                      {"unit", "name", "score", "super", "efficient", "peers", "excluded"});
    for (const engine::FrontierUnit& u : f->units) {
      std::string peers;
      for (const engine::dea::Peer& p : u.result.peers) {
        peers += (peers.empty() ? "" : " ") + Code(s, p.unit) + ":" + FormatNumber(p.lambda);
      }
      t.Row({io::Cell::Text(Code(s, u.unit)),
             io::Cell::Text(s.units()[static_cast<size_t>(u.unit)].name),
             io::Cell::Number(u.result.score),
             std::isinf(u.result.super_score) ? io::Cell::Text("unbounded")
                                              : io::Cell::Number(u.result.super_score),
             io::Cell::Text(u.result.efficient ? "yes" : "no"), io::Cell::Text(peers),
             io::Cell::Empty()});
    }
    for (const engine::ExcludedUnit& e : f->excluded) {
      t.Row({io::Cell::Text(Code(s, e.unit)),
             io::Cell::Text(s.units()[static_cast<size_t>(e.unit)].name), io::Cell::Empty(),
             io::Cell::Empty(), io::Cell::Empty(), io::Cell::Empty(), io::Cell::Text(e.reason)});
    }
    t.Finish();
  });
}

// A write of learning facts: parse, commit, print a line.
template <typename Parse, typename Describe>
void CommitLearning(const std::string& db, const std::string& command, const std::string& kind,
                    std::map<std::string, std::string, std::less<>> values, int& exit_code,
                    Parse parse, Describe describe) {
  auto svc = OpenStore(db, store::OpenMode::kExisting, exit_code);
  if (!svc) return;
  auto changes = parse(svc->state(), service::LearningOptions(std::move(values)));
  if (!changes.ok()) {
    exit_code = Rejected(command, changes.error());
    std::cerr << "chollima " << command << ": nothing was written\n";
    return;
  }
  if (Status st = svc->Commit(*changes, kind, "cli", Author()); !st.ok()) {
    exit_code = CommitFailure(command, st.error());
    return;
  }
  std::cout << describe(svc->state(), *changes) << "\n";
}

void AddModels(CLI::App& app, int& exit_code) {
  auto* models = app.add_subcommand(
      "models", "Model units: list, suggest, designate, followers and their gaps, follow");
  models->require_subcommand(1);
  {
    auto* cmd = models->add_subcommand("list", "The models in force");
    struct Opts {
      std::string db, group, as_of, format = "table";
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("--group", o->group, "Only the models of this peer group");
    cmd->add_option("--as-of", o->as_of, "Day (default: the latest reported day)");
    AddFormat(cmd, o->format);
    cmd->callback([o, &exit_code] {
      auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
      if (!svc) return;
      const engine::State& s = svc->state();
      const service::LearningOptions opts({{"group", o->group}, {"as_of", o->as_of}});
      auto group = service::ParsePeerGroup(s, opts, "group");
      auto as_of = opts.DateOf("as_of");
      if (!group.ok() || !as_of.ok()) {
        exit_code = Rejected("models list", !group.ok() ? group.error() : as_of.error());
        return;
      }
      const Date day = as_of->value_or(s.LastReportedDay().value_or(Date()));
      if (o->format == "json") {
        PrintJson([&](io::JsonWriter& w) { service::WriteModelsJson(w, s, day, *group); });
        return;
      }
      io::TableWriter t(std::cout, FormatOf(o->format),
                        {"unit", "name", "peer_group", "from", "reason", "followers"});
      for (const ModelDesignation& m : engine::ModelsInForce(s, day)) {
        if (*group && m.peer_group != **group) continue;
        t.Row({io::Cell::Text(Code(s, m.unit)),
               io::Cell::Text(s.units()[static_cast<size_t>(m.unit)].name),
               io::Cell::Text(m.peer_group == kNoId ? "all" : io::FormatGroupRef(s, m.peer_group)),
               io::Cell::Text(FormatDate(m.from)), io::Cell::Text(m.reason),
               io::Cell::Number(static_cast<double>(engine::FollowersOf(s, m, day).size()))});
      }
      t.Finish();
    });
  }
  {
    auto* cmd = models->add_subcommand(
        "suggest", "Candidates: efficient units by super-efficiency, sustained top standing");
    struct Opts {
      std::string db;
      FrontierFlags flags;
      size_t limit = 5;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    o->flags.Add(cmd);
    cmd->add_option("--limit", o->limit, "Candidates of each kind")->capture_default_str();
    cmd->callback([o, &exit_code] {
      auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
      if (!svc) return;
      const engine::State& s = svc->state();
      auto r = service::ParseFrontierQuery(s, service::LearningOptions(o->flags.Values()));
      if (!r.ok()) {
        exit_code = Rejected("models suggest", r.error());
        return;
      }
      r->query.options.super_efficiency = true;
      auto f = engine::ComputeFrontier(s, r->query);
      auto peers = engine::PeerGroupUnits(s, r->query.peers, r->query.period);
      if (!f.ok() || !peers.ok()) {
        exit_code = Rejected("models suggest", !f.ok() ? f.error() : peers.error());
        return;
      }
      PrintJson([&](io::JsonWriter& w) {
        service::WriteSuggestionsJson(w, s, *r, engine::SuggestModels(s, *f, *peers, o->limit));
      });
    });
  }
  {
    auto* cmd = models->add_subcommand("designate", "Designate a model unit (or --withdraw)");
    struct Opts {
      std::string db, unit, peer_group, from, reason;
      bool withdraw = false;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("--unit", o->unit, "The model unit")->required();
    cmd->add_option("--peer-group", o->peer_group, "HIERARCHY/GROUP, or all")->required();
    cmd->add_option("--from", o->from, "First day (default: the latest reported day)");
    cmd->add_option("--reason", o->reason, "Why this unit (required unless --withdraw)");
    cmd->add_flag("--withdraw", o->withdraw, "End the designation from --from on");
    cmd->callback([o, &exit_code] {
      CommitLearning(
          o->db, "models designate", "designate model",
          {{"unit", o->unit},
           {"peer_group", o->peer_group},
           {"from", o->from},
           {"reason", o->reason},
           {"active", o->withdraw ? "false" : "true"}},
          exit_code,
          [](const engine::State& s, const service::LearningOptions& opts) -> Result<Changes> {
            auto m = service::ParseModel(s, opts, Author());
            if (!m.ok()) return m.error();
            Changes c;
            c.models = {*m};
            return c;
          },
          [o](const engine::State&, const Changes& c) {
            return o->unit +
                   (c.models[0].active ? " is a model of " : " is no longer a model of ") +
                   o->peer_group + " from " + FormatDate(c.models[0].from);
          });
    });
  }
  {
    auto* cmd = models->add_subcommand("followers",
                                       "A model's followers: gaps per indicator and their trend");
    struct Opts {
      std::string db, unit, group, as_of, format = "table";
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("--unit", o->unit, "The model unit")->required();
    cmd->add_option("--group", o->group, "Its peer group (when it models several)");
    cmd->add_option("--as-of", o->as_of, "Day (default: the latest reported day)");
    AddFormat(cmd, o->format);
    cmd->callback([o, &exit_code] {
      auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
      if (!svc) return;
      const engine::State& s = svc->state();
      const service::LearningOptions opts({{"group", o->group}, {"as_of", o->as_of}});
      auto group = service::ParsePeerGroup(s, opts, "group");
      auto as_of = opts.DateOf("as_of");
      auto unit = s.FindUnit(o->unit);
      if (!group.ok() || !as_of.ok() || !unit) {
        exit_code = Rejected("models followers",
                             !group.ok()   ? group.error()
                             : !as_of.ok() ? as_of.error()
                                           : NotFound("unit: unknown unit '" + o->unit + "'"));
        return;
      }
      const Date day = as_of->value_or(s.LastReportedDay().value_or(Date()));
      auto model = service::FindModel(s, *unit, *group, day);
      if (!model.ok()) {
        exit_code = Rejected("models followers", model.error());
        return;
      }
      const engine::ModelFollowers f = engine::FollowerGaps(s, *model, day);
      if (o->format == "json") {
        PrintJson([&](io::JsonWriter& w) {
          service::WriteFollowersJson(w, s, *model, day, f, 0, f.followers.size());
        });
        return;
      }
      io::TableWriter t(std::cout, FormatOf(o->format),
                        {"follower", "indicator", "model", "value", "gap", "gap_pct",
                         "slope_per_month", "overtook"});
      for (const engine::FollowerTrend& ft : f.followers) {
        for (size_t k = 0; k < f.indicators.size(); ++k) {
          const engine::GapFigure& g = ft.months.back()[k];
          t.Row({io::Cell::Text(Code(s, ft.follower)),
                 io::Cell::Text(s.indicators()[static_cast<size_t>(g.indicator)].code),
                 io::Cell::Number(g.model), io::Cell::Number(g.follower), io::Cell::Number(g.gap),
                 io::Cell::Number(g.gap_pct), io::Cell::Number(ft.slope[k]),
                 io::Cell::Text(ft.overtook[k] ? "yes" : "no")});
        }
      }
      t.Finish();
    });
  }
  {
    auto* cmd = models->add_subcommand("follow", "A unit chooses the model it follows (or --stop)");
    struct Opts {
      std::string db, follower, model, from;
      bool stop = false;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("--follower", o->follower, "The unit that follows")->required();
    cmd->add_option("--model", o->model, "The model it follows")->required();
    cmd->add_option("--from", o->from, "First day (default: the latest reported day)");
    cmd->add_flag("--stop", o->stop, "Stop following from --from on");
    cmd->callback([o, &exit_code] {
      CommitLearning(
          o->db, "models follow", "choose model",
          {{"follower", o->follower},
           {"model", o->model},
           {"from", o->from},
           {"active", o->stop ? "false" : "true"}},
          exit_code,
          [](const engine::State& s, const service::LearningOptions& opts) -> Result<Changes> {
            auto c = service::ParseFollowerChoice(s, opts);
            if (!c.ok()) return c.error();
            Changes ch;
            ch.follower_choices = {*c};
            return ch;
          },
          [o](const engine::State&, const Changes& c) {
            return o->follower + (o->stop ? " stops following " : " follows ") + o->model +
                   " from " + FormatDate(c.follower_choices[0].from);
          });
    });
  }
}

void AddPairs(CLI::App& app, int& exit_code) {
  auto* pairs =
      app.add_subcommand("pairs", "Learning pairs: list with progress, assign, fix or forbid");
  pairs->require_subcommand(1);
  {
    auto* cmd = pairs->add_subcommand("list", "The pairs in force and the planner's rules");
    struct Opts {
      std::string db, group, as_of;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("--group", o->group, "Only the pairs of this peer group");
    cmd->add_option("--as-of", o->as_of,
                    "The pairs in force on this day, their progress in its month (default: the\n"
                    "latest pairs, their progress in the month of the latest reported day)");
    cmd->callback([o, &exit_code] {
      auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
      if (!svc) return;
      const engine::State& s = svc->state();
      const service::LearningOptions opts({{"group", o->group}, {"as_of", o->as_of}});
      auto group = service::ParsePeerGroup(s, opts, "group");
      auto as_of = opts.DateOf("as_of");
      if (!group.ok() || !as_of.ok()) {
        exit_code = Rejected("pairs list", !group.ok() ? group.error() : as_of.error());
        return;
      }
      PrintJson([&](io::JsonWriter& w) { service::WritePairsJson(w, s, *as_of, *group); });
    });
  }
  {
    auto* cmd = pairs->add_subcommand(
        "assign", "Propose optimal learning pairs for a peer group; --apply stores them");
    cmd->footer(
        "Each mentor (a model or an efficient unit) helps at most --capacity learners; as\n"
        "many learners as possible are paired, at the least total cost (--objective mix:\n"
        "closest input/output mixes; gain: most expected gain), keeping fixed pairs and\n"
        "never making forbidden ones (chollima pairs rule).");
    struct Opts {
      std::string db, capacity = "3", objective = "mix", from;
      FrontierFlags flags;
      bool apply = false;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    o->flags.Add(cmd);
    cmd->add_option("--capacity", o->capacity, "Learners per mentor")->capture_default_str();
    cmd->add_option("--objective", o->objective, "mix or gain")->capture_default_str();
    cmd->add_option("--from", o->from, "The pairs' first day (default: after the latest report)");
    cmd->add_flag("--apply", o->apply, "Store the pairs");
    cmd->callback([o, &exit_code] {
      auto svc = OpenStore(o->db, store::OpenMode::kExisting, exit_code);
      if (!svc) return;
      const engine::State& s = svc->state();
      auto values = o->flags.Values();
      values["capacity"] = o->capacity;
      values["objective"] = o->objective;
      values["from"] = o->from;
      auto a = service::ParseAssignRequest(s, service::LearningOptions(std::move(values)));
      if (!a.ok()) {
        exit_code = Rejected("pairs assign", a.error());
        return;
      }
      auto f = engine::ComputeFrontier(s, a->frontier.query);
      if (!f.ok()) {
        exit_code = Rejected("pairs assign", f.error());
        return;
      }
      auto plan = engine::ProposePairs(s, *f, service::RequestGroup(a->frontier), a->capacity,
                                       a->objective);
      if (!plan.ok()) {
        exit_code = Rejected("pairs assign", plan.error());
        return;
      }
      if (o->apply) {
        const Changes c = service::PairChanges(s, *a, *plan, Author());
        if (Status st = svc->Commit(c, "assign learning pairs", "cli", Author()); !st.ok()) {
          exit_code = CommitFailure("pairs assign", st.error());
          return;
        }
      }
      PrintJson([&](io::JsonWriter& w) {
        service::WritePairPlanJson(w, svc->state(), a->frontier, a->capacity, a->objective, a->from,
                                   *plan, o->apply);
      });
    });
  }
  {
    auto* cmd = pairs->add_subcommand("rule", "Fix or forbid a pair (none withdraws the rule)");
    struct Opts {
      std::string db, mentor, learner, rule, note;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--db", o->db, "Store file")->required();
    cmd->add_option("--mentor", o->mentor, "Mentor unit")->required();
    cmd->add_option("--learner", o->learner, "Learner unit")->required();
    cmd->add_option("--rule", o->rule, "fixed, forbidden or none")->required();
    cmd->add_option("--note", o->note, "Why");
    cmd->callback([o, &exit_code] {
      CommitLearning(
          o->db, "pairs rule", "set pair rule",
          {{"mentor", o->mentor}, {"learner", o->learner}, {"rule", o->rule}, {"note", o->note}},
          exit_code,
          [](const engine::State& s, const service::LearningOptions& opts) -> Result<Changes> {
            auto r = service::ParsePairRule(s, opts, Author());
            if (!r.ok()) return r.error();
            Changes c;
            c.pair_rules = {*r};
            return c;
          },
          [o](const engine::State&, const Changes&) {
            return o->mentor + " -> " + o->learner + ": " + o->rule;
          });
    });
  }
}

}  // namespace

void AddLearningCommands(CLI::App& app, int& exit_code) {
  AddFrontier(app, exit_code);
  AddModels(app, exit_code);
  AddPairs(app, exit_code);
}

}  // namespace chollima::cli
