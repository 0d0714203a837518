#include "engine/learning.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "engine/fulfilment.h"
#include "engine/pairing.h"

namespace chollima::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const std::string& CodeOf(const State& state, UnitId u) {
  return state.units()[static_cast<size_t>(u)].code;
}

bool ByCode(const State& state, UnitId a, UnitId b) { return CodeOf(state, a) < CodeOf(state, b); }

// A unit's figure of any indicator over a period: the ratio of its parts' figures for a
// derived indicator.
double Figure(const State& state, UnitId unit, IndicatorId i, const Period& p) {
  const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
  if (!ind.IsDerived()) return UnitFigure(state, unit, i, p);
  const double num = Figure(state, unit, ind.numerator, p);
  const double den = Figure(state, unit, ind.denominator, p);
  if (std::isnan(num) || std::isnan(den) || den == 0) return kNaN;
  return num / den;
}

bool InPeerGroup(const State& state, GroupId peer_group, UnitId u, Date day) {
  if (peer_group == kNoId) return true;
  const HierarchyId h = state.groups()[static_cast<size_t>(peer_group)].hierarchy;
  const GroupId g = state.GroupOf(u, h, day);
  return g != kNoId && state.IsWithin(g, peer_group);
}

// Each unit's latest choice of model on `day` (from <= day), active or not.
std::unordered_map<UnitId, const FollowerChoice*> ChoicesOn(const State& state, Date day) {
  std::unordered_map<UnitId, const FollowerChoice*> choice;
  for (const FollowerChoice& c : state.follower_choices()) {
    if (c.from <= day) choice[c.follower] = &c;
  }
  return choice;
}

bool Chose(const std::unordered_map<UnitId, const FollowerChoice*>& choices, UnitId u,
           UnitId model) {
  const auto it = choices.find(u);
  return it != choices.end() && it->second->active && it->second->model == model;
}

bool Follows(const State& state, const std::unordered_map<UnitId, const FollowerChoice*>& choices,
             const ModelDesignation& model, UnitId u, Date day) {
  return u != model.unit &&
         (Chose(choices, u, model.unit) || InPeerGroup(state, model.peer_group, u, day));
}

double Slope(const std::vector<double>& ys) {
  double n = 0;
  double sx = 0;
  double sy = 0;
  double sxx = 0;
  double sxy = 0;
  for (size_t k = 0; k < ys.size(); ++k) {
    if (std::isnan(ys[k])) continue;
    const auto x = static_cast<double>(k);
    n += 1;
    sx += x;
    sy += ys[k];
    sxx += x * x;
    sxy += x * ys[k];
  }
  const double d = n * sxx - sx * sx;
  if (n < 2 || d == 0) return kNaN;
  return (n * sxy - sx * sy) / d;
}

}  // namespace

std::vector<ModelDesignation> ModelsInForce(const State& state, Date day) {
  std::map<std::pair<GroupId, UnitId>, const ModelDesignation*> latest;
  for (const ModelDesignation& m : state.models()) {
    if (m.from <= day) latest[{m.peer_group, m.unit}] = &m;
  }
  std::vector<ModelDesignation> out;
  for (const auto& [key, m] : latest) {
    if (m->active) out.push_back(*m);
  }
  std::sort(out.begin(), out.end(), [&](const ModelDesignation& a, const ModelDesignation& b) {
    return std::tuple(a.peer_group, CodeOf(state, a.unit)) <
           std::tuple(b.peer_group, CodeOf(state, b.unit));
  });
  return out;
}

std::vector<UnitId> FollowersOf(const State& state, const ModelDesignation& model, Date day) {
  const auto choices = ChoicesOn(state, day);
  std::vector<UnitId> out;
  const auto n = static_cast<UnitId>(state.units().size());
  for (UnitId u = 0; u < n; ++u) {
    if (Follows(state, choices, model, u, day)) out.push_back(u);
  }
  std::sort(out.begin(), out.end(), [&](UnitId a, UnitId b) { return ByCode(state, a, b); });
  return out;
}

std::vector<ModelSuggestion> SuggestModels(const State& state, const FrontierResult& frontier,
                                           const std::vector<UnitId>& peer_units, size_t limit) {
  std::vector<ModelSuggestion> out;
  std::vector<const FrontierUnit*> efficient;
  for (const FrontierUnit& u : frontier.units) {
    if (u.result.efficient) efficient.push_back(&u);
  }
  // Unbounded super-efficiency first, then input orientation: the higher first; output:
  // the lower first. NaN (not computed) last.
  const bool input = frontier.options.orientation == dea::Orientation::kInput;
  const auto key = [&](const FrontierUnit* u) {
    const double v = u->result.super_score;
    if (std::isnan(v)) return std::numeric_limits<double>::infinity();
    if (std::isinf(v)) return -std::numeric_limits<double>::infinity();
    return input ? -v : v;
  };
  std::sort(efficient.begin(), efficient.end(), [&](const FrontierUnit* a, const FrontierUnit* b) {
    const double ka = key(a);
    const double kb = key(b);
    if (ka != kb) return ka < kb;
    return ByCode(state, a->unit, b->unit);
  });
  for (size_t k = 0; k < efficient.size() && k < limit; ++k) {
    const FrontierUnit& u = *efficient[k];
    out.push_back({.unit = u.unit,
                   .basis = "frontier",
                   .super_score = u.result.super_score,
                   .note = "efficient; super-efficiency " +
                           (std::isinf(u.result.super_score)
                                ? std::string("unbounded (no other unit envelops it)")
                                : std::to_string(u.result.super_score))});
  }
  // Sustained top standing: finalized seasons in the top three of the league.
  const std::unordered_set<UnitId> members(peer_units.begin(), peer_units.end());
  struct Tally {
    int32_t top = 0;
    int32_t seasons = 0;
    double rank_sum = 0;
  };
  std::map<std::pair<DriveId, UnitId>, Tally> tally;
  for (const DriveResult& r : state.drive_results()) {
    if (r.participant.is_group || !members.contains(r.participant.id)) continue;
    Tally& t = tally[{r.drive, r.participant.id}];
    t.seasons += 1;
    t.rank_sum += r.rank;
    if (r.rank <= 3) t.top += 1;
  }
  std::vector<ModelSuggestion> standing;
  for (const auto& [drive_unit, t] : tally) {
    if (t.top == 0) continue;
    const Drive& d = state.drives()[static_cast<size_t>(drive_unit.first)];
    standing.push_back({.unit = drive_unit.second,
                        .basis = "standing",
                        .super_score = kNaN,
                        .drive = drive_unit.first,
                        .top_seasons = t.top,
                        .mean_rank = t.rank_sum / t.seasons,
                        .note = "in the top three of its league in " + std::to_string(t.top) +
                                " of " + std::to_string(t.seasons) + " finalized seasons of " +
                                d.code});
  }
  std::sort(standing.begin(), standing.end(), [&](const auto& a, const auto& b) {
    if (a.top_seasons != b.top_seasons) return a.top_seasons > b.top_seasons;
    if (a.mean_rank != b.mean_rank) return a.mean_rank < b.mean_rank;
    if (a.drive != b.drive) return a.drive < b.drive;
    return ByCode(state, a.unit, b.unit);
  });
  if (standing.size() > limit) standing.resize(limit);
  out.insert(out.end(), standing.begin(), standing.end());
  return out;
}

std::vector<IndicatorId> ComparedIndicators(const State& state, UnitId model, const Period& month) {
  std::vector<IndicatorId> ratios;
  std::vector<IndicatorId> all;
  const auto n = static_cast<IndicatorId>(state.indicators().size());
  for (IndicatorId i = 0; i < n; ++i) {
    const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
    if (std::isnan(Figure(state, model, i, month))) continue;
    if (ind.IsDerived() || ind.role == Role::kQuality) ratios.push_back(i);
    if (!ind.IsDerived()) all.push_back(i);
  }
  return ratios.empty() ? all : ratios;
}

std::vector<GapFigure> Gaps(const State& state, UnitId model, UnitId follower,
                            const std::vector<IndicatorId>& indicators, const Period& period) {
  std::vector<GapFigure> out;
  out.reserve(indicators.size());
  for (IndicatorId i : indicators) {
    GapFigure g{.indicator = i,
                .model = Figure(state, model, i, period),
                .follower = Figure(state, follower, i, period),
                .gap = kNaN,
                .gap_pct = kNaN};
    if (!std::isnan(g.model) && !std::isnan(g.follower)) {
      const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
      const bool higher = ind.role != Role::kInput && ind.direction == Direction::kHigher;
      g.gap = higher ? g.model - g.follower : g.follower - g.model;
      if (g.model != 0) g.gap_pct = 100 * g.gap / std::fabs(g.model);
    }
    out.push_back(g);
  }
  return out;
}

std::vector<Period> TrendMonths(Date from, Date as_of) {
  const Period first = PeriodOf(Grain::kMonth, std::min(from, as_of));
  const Period last = PeriodOf(Grain::kMonth, as_of);
  std::vector<Period> months = PeriodsOverlapping(Grain::kMonth, first.begin, last.end);
  if (months.size() > 24) months.erase(months.begin(), months.end() - 24);
  return months;
}

FollowerTrend GapTrend(const State& state, UnitId model, UnitId follower,
                       const std::vector<IndicatorId>& indicators,
                       const std::vector<Period>& months) {
  FollowerTrend t;
  t.follower = follower;
  for (const Period& p : months) t.months.push_back(Gaps(state, model, follower, indicators, p));
  for (size_t k = 0; k < indicators.size(); ++k) {
    std::vector<double> ys;
    ys.reserve(t.months.size());
    for (const auto& mg : t.months) ys.push_back(mg[k].gap_pct);
    t.slope.push_back(Slope(ys));
    t.overtook.push_back(!t.months.empty() && t.months.back()[k].gap < 0);
  }
  return t;
}

ModelFollowers FollowerGaps(const State& state, const ModelDesignation& model, Date as_of) {
  ModelFollowers out;
  out.months = TrendMonths(model.from, as_of);
  out.indicators = ComparedIndicators(state, model.unit, out.months.back());
  if (out.indicators.empty() && out.months.size() > 1) {
    out.indicators = ComparedIndicators(state, model.unit, out.months[out.months.size() - 2]);
  }
  const auto choices = ChoicesOn(state, as_of);
  for (UnitId f : FollowersOf(state, model, as_of)) {
    FollowerTrend t = GapTrend(state, model.unit, f, out.indicators, out.months);
    t.chosen = Chose(choices, f, model.unit);
    out.followers.push_back(std::move(t));
  }
  return out;
}

ModelWatch::ModelWatch(const State& state, const std::vector<Report>& reports) {
  if (reports.empty()) return;
  Date last = state.LastReportedDay().value_or(reports.front().date);
  for (const Report& r : reports) last = std::max(last, r.date);
  as_of_ = last;
  month_ = PeriodOf(Grain::kMonth, last);
  std::unordered_set<UnitId> reported;
  for (const Report& r : reports) {
    if (month_.Contains(r.date)) reported.insert(r.unit);
  }
  if (reported.empty()) return;
  // The reported units in code order: a model that did not report is compared with its
  // reported followers only, without walking every unit of its group.
  std::vector<UnitId> reported_units(reported.begin(), reported.end());
  std::sort(reported_units.begin(), reported_units.end(),
            [&](UnitId a, UnitId b) { return ByCode(state, a, b); });
  const auto choices = ChoicesOn(state, last);
  for (const ModelDesignation& m : ModelsInForce(state, last)) {
    std::vector<UnitId> followers;
    if (reported.contains(m.unit)) {
      followers = FollowersOf(state, m, last);
    } else {
      for (UnitId u : reported_units) {
        if (Follows(state, choices, m, u, last)) followers.push_back(u);
      }
    }
    if (followers.empty()) continue;
    const std::vector<IndicatorId> inds = ComparedIndicators(state, m.unit, month_);
    for (UnitId f : followers) {
      Watched w{.model = m, .follower = f, .indicators = inds, .ahead = {}};
      for (const GapFigure& g : Gaps(state, m.unit, f, inds, month_)) w.ahead.push_back(g.gap < 0);
      watched_.push_back(std::move(w));
    }
  }
}

std::vector<ModelEvent> ModelWatch::After(const State& state) const {
  std::vector<ModelEvent> out;
  for (const Watched& w : watched_) {
    const std::vector<GapFigure> now = Gaps(state, w.model.unit, w.follower, w.indicators, month_);
    for (size_t k = 0; k < now.size(); ++k) {
      if (now[k].gap < 0 && !w.ahead[k]) {
        out.push_back({.model = w.model,
                       .follower = w.follower,
                       .indicator = w.indicators[k],
                       .model_value = now[k].model,
                       .follower_value = now[k].follower,
                       .as_of = as_of_});
      }
    }
  }
  return out;
}

const char* PairObjectiveName(PairObjective o) { return o == PairObjective::kMix ? "mix" : "gain"; }

bool ParsePairObjective(std::string_view s, PairObjective& out) {
  for (PairObjective v : {PairObjective::kMix, PairObjective::kGain}) {
    if (s == PairObjectiveName(v)) {
      out = v;
      return true;
    }
  }
  return false;
}

Result<PairPlan> ProposePairs(const State& state, const FrontierResult& frontier,
                              GroupId peer_group, int32_t capacity, PairObjective objective) {
  if (capacity < 1) {
    return InvalidArgument("capacity: " + std::to_string(capacity) +
                           " learners per mentor; it must be at least 1");
  }
  const size_t m = frontier.inputs.size();
  const size_t s = frontier.outputs.size();
  const auto n = frontier.units.size();
  // Mentors: models of the peer group in the frontier, then efficient units.
  std::unordered_map<UnitId, size_t> row_of;
  for (size_t j = 0; j < n; ++j) row_of[frontier.units[j].unit] = j;
  std::set<size_t> mentor_rows;
  std::map<std::pair<GroupId, UnitId>, const ModelDesignation*> latest;
  for (const ModelDesignation& d : state.models()) latest[{d.peer_group, d.unit}] = &d;
  for (const auto& [key, d] : latest) {
    if (d->active && d->peer_group == peer_group && row_of.contains(d->unit)) {
      mentor_rows.insert(row_of[d->unit]);
    }
  }
  std::vector<size_t> learner_rows;
  for (size_t j = 0; j < n; ++j) {
    if (frontier.units[j].result.efficient) {
      mentor_rows.insert(j);
    } else if (!mentor_rows.contains(j)) {
      learner_rows.push_back(j);
    }
  }
  std::erase_if(learner_rows, [&](size_t j) { return mentor_rows.contains(j); });
  if (mentor_rows.empty()) return FailedPrecondition("the peer group has no efficient unit");
  if (learner_rows.empty()) {
    return FailedPrecondition("every unit of the peer group is efficient: no one to pair");
  }
  std::vector<size_t> mentors(mentor_rows.begin(), mentor_rows.end());
  const auto by_code = [&](size_t a, size_t b) {
    return ByCode(state, frontier.units[a].unit, frontier.units[b].unit);
  };
  std::sort(mentors.begin(), mentors.end(), by_code);
  std::sort(learner_rows.begin(), learner_rows.end(), by_code);

  // Mixes: each figure over the group's mean, inputs and outputs each scaled to sum 1.
  std::vector<double> mean(m + s, 0);
  for (const FrontierUnit& u : frontier.units) {
    for (size_t i = 0; i < m; ++i) mean[i] += u.inputs[i] / static_cast<double>(n);
    for (size_t r = 0; r < s; ++r) mean[m + r] += u.outputs[r] / static_cast<double>(n);
  }
  const auto mix = [&](const FrontierUnit& u) {
    std::vector<double> v(m + s, 0);
    double sx = 0;
    double sy = 0;
    for (size_t i = 0; i < m; ++i) sx += v[i] = mean[i] > 0 ? u.inputs[i] / mean[i] : 0;
    for (size_t r = 0; r < s; ++r)
      sy += v[m + r] = mean[m + r] > 0 ? u.outputs[r] / mean[m + r] : 0;
    for (size_t i = 0; i < m; ++i) v[i] = sx > 0 ? v[i] / sx : 0;
    for (size_t r = 0; r < s; ++r) v[m + r] = sy > 0 ? v[m + r] / sy : 0;
    return v;
  };
  pairing::Problem p;
  p.mentors = static_cast<int32_t>(mentors.size());
  p.learners = static_cast<int32_t>(learner_rows.size());
  p.capacity.assign(mentors.size(), capacity);
  p.cost.resize(mentors.size() * learner_rows.size());
  std::vector<std::vector<double>> learner_mix;
  learner_mix.reserve(learner_rows.size());
  for (size_t l : learner_rows) learner_mix.push_back(mix(frontier.units[l]));
  for (size_t a = 0; a < mentors.size(); ++a) {
    const FrontierUnit& mu = frontier.units[mentors[a]];
    const std::vector<double> mv = mix(mu);
    for (size_t b = 0; b < learner_rows.size(); ++b) {
      const FrontierUnit& lu = frontier.units[learner_rows[b]];
      double c = 0;
      if (objective == PairObjective::kMix) {
        for (size_t k = 0; k < mv.size(); ++k) {
          const double d = mv[k] - learner_mix[b][k];
          c += d * d;
        }
        c = std::sqrt(c);
      } else {
        double total = 0;
        double mine = 0;
        for (const dea::Peer& peer : lu.result.peers) {
          total += peer.lambda;
          if (peer.unit == mu.unit) mine = peer.lambda;
        }
        const double score = lu.result.score;
        const double inefficiency = score <= 1 ? 1 - score : score - 1;
        c = total > 0 ? -(mine / total) * inefficiency : 0;
      }
      p.cost[a * learner_rows.size() + b] = c;
    }
  }
  std::unordered_map<UnitId, int32_t> mentor_index;
  std::unordered_map<UnitId, int32_t> learner_index;
  for (size_t a = 0; a < mentors.size(); ++a) {
    mentor_index[frontier.units[mentors[a]].unit] = static_cast<int32_t>(a);
  }
  for (size_t b = 0; b < learner_rows.size(); ++b) {
    learner_index[frontier.units[learner_rows[b]].unit] = static_cast<int32_t>(b);
  }
  for (const PairRule& rule : PairRulesInForce(state)) {
    const auto mi = mentor_index.find(rule.mentor);
    const auto li = learner_index.find(rule.learner);
    if (mi == mentor_index.end() || li == learner_index.end()) continue;
    if (rule.kind == PairRuleKind::kFixed) p.fixed.emplace_back(mi->second, li->second);
    if (rule.kind == PairRuleKind::kForbidden) p.forbidden.emplace_back(mi->second, li->second);
  }
  auto assigned = pairing::Assign(p);
  if (!assigned.ok())
    return FailedPrecondition("the planner's pair rules: " + assigned.error().message);
  std::set<std::pair<int32_t, int32_t>> fixed(p.fixed.begin(), p.fixed.end());
  PairPlan plan;
  for (size_t a : mentors) plan.mentors.push_back(frontier.units[a].unit);
  for (size_t b = 0; b < learner_rows.size(); ++b) {
    const int32_t a = assigned->mentor_of[b];
    const FrontierUnit& lu = frontier.units[learner_rows[b]];
    if (a < 0) {
      plan.unpaired.push_back(lu.unit);
      continue;
    }
    plan.pairs.push_back({.mentor = frontier.units[mentors[static_cast<size_t>(a)]].unit,
                          .learner = lu.unit,
                          .cost = p.cost[static_cast<size_t>(a) * learner_rows.size() + b],
                          .fixed = fixed.contains({a, static_cast<int32_t>(b)}),
                          .learner_score = lu.result.score});
  }
  std::sort(plan.pairs.begin(), plan.pairs.end(), [&](const auto& x, const auto& y) {
    if (x.mentor != y.mentor) return ByCode(state, x.mentor, y.mentor);
    return ByCode(state, x.learner, y.learner);
  });
  plan.total_cost = assigned->total_cost;
  return plan;
}

std::vector<PairRule> PairRulesInForce(const State& state) {
  std::map<std::pair<UnitId, UnitId>, const PairRule*> latest;
  for (const PairRule& r : state.pair_rules()) latest[{r.mentor, r.learner}] = &r;
  std::vector<PairRule> out;
  for (const auto& [key, r] : latest) {
    if (r->kind != PairRuleKind::kNone) out.push_back(*r);
  }
  return out;
}

std::vector<LearningPair> PairsInForce(const State& state, std::optional<Date> day) {
  std::unordered_map<UnitId, const LearningPair*> latest;
  for (const LearningPair& p : state.pairs()) {
    if (!day || p.from <= *day) latest[p.learner] = &p;
  }
  std::vector<LearningPair> out;
  for (const auto& [learner, p] : latest) {
    if (p->active) out.push_back(*p);
  }
  std::sort(out.begin(), out.end(),
            [&](const auto& a, const auto& b) { return ByCode(state, a.learner, b.learner); });
  return out;
}

PairGaps LearnerGaps(const State& state, const LearningPair& pair, Date as_of) {
  PairGaps out;
  out.months = TrendMonths(pair.from, as_of);
  const Period& now = out.months.back();
  const Result<Period> pairing = ParsePeriod(pair.period);
  out.pairing_period = pairing.ok() ? *pairing : now;
  out.indicators = ComparedIndicators(state, pair.mentor, out.pairing_period);
  if (out.indicators.empty()) out.indicators = ComparedIndicators(state, pair.mentor, now);
  out.at_pairing = Gaps(state, pair.mentor, pair.learner, out.indicators, out.pairing_period);
  out.trend = GapTrend(state, pair.mentor, pair.learner, out.indicators, out.months);
  for (size_t k = 0; k < out.indicators.size(); ++k) {
    const double then = out.at_pairing[k].gap_pct;
    const double latest = out.trend.months.back()[k].gap_pct;
    out.closed_pct.push_back(then > 0 && !std::isnan(latest) ? 100 * (then - latest) / then : kNaN);
  }
  return out;
}

}  // namespace chollima::engine
