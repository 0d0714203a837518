// The frontier of a peer group from a State (engine/frontier.h) and models, followers and
// pairs (engine/learning.h), on small economies whose answers are computed by hand.
#include "engine/learning.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "engine/frontier.h"

namespace chollima::engine {
namespace {

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }
Period P(std::string_view text) { return ParsePeriod(text).value(); }

// Hierarchy "sector" with groups "coal" (units A..D) and "steel" (units E, F);
// indicators: workers (input, mean), energy (input, sum), output (output, sum),
// output_per_worker (ratio), monthly reports dated the 1st.
struct Economy {
  State s;
  GroupId coal = kNoId;
  GroupId steel = kNoId;
  IndicatorId workers = kNoId;
  IndicatorId energy = kNoId;
  IndicatorId output = kNoId;
  IndicatorId per_worker = kNoId;
  std::vector<UnitId> units;

  Economy() {
    const HierarchyId h = s.AddHierarchy({"sector"});
    coal = s.AddGroup({.hierarchy = h, .code = "coal", .name = "Coal"});
    steel = s.AddGroup({.hierarchy = h, .code = "steel", .name = "Steel"});
    for (const char* code : {"A", "B", "C", "D", "E", "F"}) {
      const UnitId u = s.AddUnit({.code = code, .name = std::string("Unit ") + code});
      s.AddMembership({.unit = u, .hierarchy = h, .group = code[0] < 'E' ? coal : steel});
      units.push_back(u);
    }
    workers = s.AddIndicator({.code = "workers",
                              .aggregation = Aggregation::kMean,
                              .role = Role::kInput,
                              .grain = Grain::kMonth});
    energy = s.AddIndicator({.code = "energy",
                             .direction = Direction::kLower,
                             .aggregation = Aggregation::kSum,
                             .role = Role::kInput,
                             .grain = Grain::kMonth});
    output = s.AddIndicator({.code = "output", .role = Role::kOutput, .grain = Grain::kMonth});
    per_worker = s.AddIndicator({.code = "output_per_worker",
                                 .role = Role::kOutput,
                                 .numerator = output,
                                 .denominator = workers});
  }
  void Report(UnitId u, IndicatorId i, Date d, double v) {
    s.SetReport({.unit = u, .indicator = i, .date = d, .value = v});
  }
  // One month of workers and output (and energy when > 0) for a unit.
  void Month(UnitId u, int month, double w, double out, double e = 0) {
    Report(u, workers, D(2026, month, 1), w);
    Report(u, output, D(2026, month, 1), out);
    if (e > 0) Report(u, energy, D(2026, month, 1), e);
  }
};

FrontierQuery CoalQuery(const Economy& e, dea::Rts rts) {
  FrontierQuery q;
  q.peers.kind = PeerGroupSpec::Kind::kGroup;
  q.peers.group = e.coal;
  q.period = P("2026-03");
  q.inputs = {e.workers};
  q.outputs = {e.output};
  q.options.rts = rts;
  q.options.super_efficiency = true;
  return q;
}

TEST(Frontier, OneInputOneOutputCrsIsTheRatioOverTheBestRatio) {
  Economy e;
  // Output per worker: A 2, B 4 (best), C 1, D 3.
  e.Month(e.units[0], 3, 10, 20);
  e.Month(e.units[1], 3, 5, 20);
  e.Month(e.units[2], 3, 20, 20);
  e.Month(e.units[3], 3, 10, 30);
  auto f = ComputeFrontier(e.s, CoalQuery(e, dea::Rts::kCrs));
  ASSERT_TRUE(f.ok()) << f.error().message;
  ASSERT_EQ(f->units.size(), 4u);
  const std::vector<double> want{0.5, 1, 0.25, 0.75};
  for (size_t j = 0; j < 4; ++j) {
    EXPECT_EQ(f->units[j].unit, e.units[j]);
    EXPECT_NEAR(f->units[j].result.score, want[j], 1e-9) << j;
  }
  EXPECT_TRUE(f->units[1].result.efficient);
  EXPECT_EQ(f->frame, std::vector<UnitId>{e.units[1]});
  // A's reference point: B scaled by lambda = 20 / 20 = 1; target 5 workers.
  ASSERT_EQ(f->units[0].result.peers.size(), 1u);
  EXPECT_EQ(f->units[0].result.peers[0].unit, e.units[1]);
  EXPECT_NEAR(f->units[0].result.peers[0].lambda, 1, 1e-9);
  EXPECT_NEAR(f->units[0].result.input_targets[0], 5, 1e-9);
  // B against the others only: the best of them is D at 3, so 4 / 3.
  EXPECT_NEAR(f->units[1].result.super_score, 4.0 / 3, 1e-9);
  EXPECT_TRUE(f->excluded.empty());
}

TEST(Frontier, VrsEnvelopesTheSmallestAndTheLargest) {
  Economy e;
  // (workers, output): A (2, 2), B (4, 6), C (8, 8), D (6, 4). VRS frontier A-B-C: D's
  // output 4 is reached on A-B at x = 2 + (4 - 2) * (2 / 4) = 3 workers: score 3 / 6.
  e.Month(e.units[0], 3, 2, 2);
  e.Month(e.units[1], 3, 4, 6);
  e.Month(e.units[2], 3, 8, 8);
  e.Month(e.units[3], 3, 6, 4);
  auto f = ComputeFrontier(e.s, CoalQuery(e, dea::Rts::kVrs));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_NEAR(f->units[0].result.score, 1, 1e-9);
  EXPECT_NEAR(f->units[1].result.score, 1, 1e-9);
  EXPECT_NEAR(f->units[2].result.score, 1, 1e-9);
  EXPECT_NEAR(f->units[3].result.score, 0.5, 1e-9);
  ASSERT_EQ(f->units[3].result.peers.size(), 2u);
  // lambda_A = lambda_B = 1/2 (2 * 0.5 + 6 * 0.5 = 4).
  EXPECT_NEAR(f->units[3].result.peers[0].lambda, 0.5, 1e-9);
  EXPECT_NEAR(f->units[3].result.peers[1].lambda, 0.5, 1e-9);
  // CRS scores for comparison: B's ratio 1.5 is the best; C 1 / 1.5.
  auto crs = ComputeFrontier(e.s, CoalQuery(e, dea::Rts::kCrs));
  ASSERT_TRUE(crs.ok());
  EXPECT_NEAR(crs->units[2].result.score, 1 / 1.5, 1e-9);
}

TEST(Frontier, TheCacheAnswersEqualFiguresAndSolvesChangedOnes) {
  Economy e;
  e.Month(e.units[0], 3, 2, 2);
  e.Month(e.units[1], 3, 4, 6);
  e.Month(e.units[2], 3, 8, 8);
  e.Month(e.units[3], 3, 6, 4);
  e.Month(e.units[4], 3, 5, 5);  // steel
  FrontierCache cache(2);
  const FrontierQuery vrs = CoalQuery(e, dea::Rts::kVrs);
  auto scores = [](const Result<FrontierResult>& f) {
    std::vector<double> v;
    for (const FrontierUnit& u : f->units) v.push_back(u.result.score);
    return v;
  };
  auto first = ComputeFrontier(e.s, vrs, &cache);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(cache.counters().solves, 1);
  // Asked again, and after a report of another peer group or another month: the same.
  auto again = ComputeFrontier(e.s, vrs, &cache);
  e.Month(e.units[4], 3, 5, 9);
  e.Month(e.units[0], 4, 2, 3);
  auto after_others = ComputeFrontier(e.s, vrs, &cache);
  EXPECT_EQ(cache.counters().hits, 2);
  EXPECT_EQ(cache.counters().solves, 1);
  EXPECT_EQ(scores(again), scores(first));
  EXPECT_EQ(scores(after_others), scores(first));
  EXPECT_EQ(after_others->units[3].result.peers.size(), 2u);
  // D's March output rises to 6, as B's with more workers: solved again, as without
  // the cache (D 4 / 6).
  e.Month(e.units[3], 3, 6, 6);
  auto changed = ComputeFrontier(e.s, vrs, &cache);
  EXPECT_EQ(cache.counters().solves, 2);
  EXPECT_NEAR(changed->units[3].result.score, 4.0 / 6, 1e-9);
  EXPECT_EQ(scores(changed), scores(ComputeFrontier(e.s, vrs)));
  // Other options are another frontier; with room for two, the least recently used
  // (VRS) goes when a third comes.
  EXPECT_TRUE(ComputeFrontier(e.s, CoalQuery(e, dea::Rts::kCrs), &cache).ok());
  EXPECT_TRUE(ComputeFrontier(e.s, CoalQuery(e, dea::Rts::kDrs), &cache).ok());
  EXPECT_EQ(cache.counters().solves, 4);
  EXPECT_TRUE(ComputeFrontier(e.s, vrs, &cache).ok());
  EXPECT_EQ(cache.counters().solves, 5);
  EXPECT_TRUE(ComputeFrontier(e.s, CoalQuery(e, dea::Rts::kDrs), &cache).ok());
  EXPECT_EQ(cache.counters().solves, 5);
  // A unit set over max_units is solved, not kept.
  FrontierCache small(4, 3);
  EXPECT_TRUE(ComputeFrontier(e.s, vrs, &small).ok());
  EXPECT_TRUE(ComputeFrontier(e.s, vrs, &small).ok());
  EXPECT_EQ(small.counters().solves, 2);
  EXPECT_EQ(small.counters().hits, 0);
}

TEST(Frontier, ExcludesUnitsWithMissingOrZeroFiguresAndSaysWhy) {
  Economy e;
  e.Month(e.units[0], 3, 10, 20);
  e.Month(e.units[1], 3, 5, 20);
  e.Report(e.units[2], e.output, D(2026, 3, 1), 20);  // no workers
  e.Month(e.units[3], 3, 0, 30);                      // zero workers
  auto f = ComputeFrontier(e.s, CoalQuery(e, dea::Rts::kCrs));
  ASSERT_TRUE(f.ok()) << f.error().message;
  ASSERT_EQ(f->units.size(), 2u);
  ASSERT_EQ(f->excluded.size(), 2u);
  EXPECT_EQ(f->excluded[0].unit, e.units[2]);
  EXPECT_EQ(f->excluded[0].reason, "no report of workers in 2026-03");
  EXPECT_EQ(f->excluded[1].unit, e.units[3]);
  EXPECT_EQ(f->excluded[1].reason, "workers is 0 (an input must be > 0)");
  // A zero output of every output.
  e.Month(e.units[3], 3, 10, 0);
  f = ComputeFrontier(e.s, CoalQuery(e, dea::Rts::kCrs));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->excluded.back().reason, "every output is 0");
  // Nobody left: an error that names them.
  FrontierQuery q = CoalQuery(e, dea::Rts::kCrs);
  q.period = P("2026-05");
  auto none = ComputeFrontier(e.s, q);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("A: no report of workers in 2026-05"), std::string::npos)
      << none.error().message;
}

TEST(Frontier, DefaultsAndBadIndicatorLists) {
  Economy e;
  e.Month(e.units[0], 3, 10, 20, 7);
  e.Month(e.units[1], 3, 5, 20, 9);
  FrontierQuery q = CoalQuery(e, dea::Rts::kVrs);
  q.inputs.clear();
  q.outputs.clear();
  auto f = ComputeFrontier(e.s, q);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->inputs, (std::vector<IndicatorId>{e.workers, e.energy}));
  EXPECT_EQ(f->outputs, std::vector<IndicatorId>{e.output});  // not the ratio
  q.inputs = {e.per_worker};
  EXPECT_FALSE(ComputeFrontier(e.s, q).ok());
  q.inputs = {e.workers, e.workers};
  EXPECT_FALSE(ComputeFrontier(e.s, q).ok());
  q.inputs = {e.output};
  q.outputs = {e.output};
  EXPECT_FALSE(ComputeFrontier(e.s, q).ok());
}

TEST(Frontier, AttributeFilterKeepsUnitsWithinTheBounds) {
  Economy e;
  for (size_t j = 0; j < 4; ++j) {
    Unit u = e.s.units()[j];
    u.attributes = {{"capacity", 100.0 * static_cast<double>(j + 1)}};
    e.s.ReplaceUnit(e.units[j], u);
  }
  PeerGroupSpec spec{.kind = PeerGroupSpec::Kind::kGroup,
                     .group = e.coal,
                     .filter = {{"capacity", true, 200}, {"capacity", false, 400}}};
  auto units = PeerGroupUnits(e.s, spec, P("2026-03"));
  ASSERT_TRUE(units.ok());
  EXPECT_EQ(*units, (std::vector<UnitId>{e.units[1], e.units[2]}));
}

// ---------------------------------------------------------------------------------------
// Models and followers.

TEST(Models, LatestDesignationWinsAndWithdrawalEndsIt) {
  Economy e;
  e.s.AddModel({.peer_group = e.coal, .unit = e.units[1], .from = D(2026, 2, 1), .reason = "r"});
  e.s.AddModel({.peer_group = e.coal,
                .unit = e.units[1],
                .from = D(2026, 5, 1),
                .active = false,
                .reason = ""});
  EXPECT_TRUE(ModelsInForce(e.s, D(2026, 1, 31)).empty());
  ASSERT_EQ(ModelsInForce(e.s, D(2026, 3, 1)).size(), 1u);
  EXPECT_TRUE(ModelsInForce(e.s, D(2026, 5, 1)).empty());
  // Followers: the other coal units, and a steel unit that chose the model.
  const ModelDesignation m = ModelsInForce(e.s, D(2026, 3, 1))[0];
  e.s.AddFollowerChoice({.follower = e.units[4], .model = e.units[1], .from = D(2026, 2, 15)});
  EXPECT_EQ(FollowersOf(e.s, m, D(2026, 3, 1)),
            (std::vector<UnitId>{e.units[0], e.units[2], e.units[3], e.units[4]}));
  EXPECT_EQ(FollowersOf(e.s, m, D(2026, 2, 10)),
            (std::vector<UnitId>{e.units[0], e.units[2], e.units[3]}));
}

TEST(Models, GapsPerIndicatorTheirTrendAndOvertaking) {
  Economy e;
  const UnitId model = e.units[1];
  const UnitId follower = e.units[0];
  // Output per worker: the model 4 every month; the follower 2, 3, 5 (Jan..Mar).
  for (int month = 1; month <= 3; ++month) e.Month(model, month, 5, 20);
  e.Month(follower, 1, 10, 20);
  e.Month(follower, 2, 10, 30);
  e.Month(follower, 3, 10, 50);
  e.s.AddModel({.peer_group = e.coal, .unit = model, .from = D(2026, 1, 1), .reason = "r"});
  const ModelDesignation m = ModelsInForce(e.s, D(2026, 3, 31))[0];
  EXPECT_EQ(ComparedIndicators(e.s, model, P("2026-01")), std::vector<IndicatorId>{e.per_worker});
  const ModelFollowers f = FollowerGaps(e.s, m, D(2026, 3, 31));
  ASSERT_EQ(f.months.size(), 3u);
  const auto it = std::find_if(f.followers.begin(), f.followers.end(),
                               [&](const FollowerTrend& t) { return t.follower == follower; });
  ASSERT_NE(it, f.followers.end());
  // Gaps 4 - 2 = 2 (50 %), 4 - 3 = 1 (25 %), 4 - 5 = -1 (-25 %): slope -37.5 points/month.
  EXPECT_NEAR(it->months[0][0].gap, 2, 1e-12);
  EXPECT_NEAR(it->months[0][0].gap_pct, 50, 1e-12);
  EXPECT_NEAR(it->months[2][0].gap_pct, -25, 1e-12);
  EXPECT_NEAR(it->slope[0], -37.5, 1e-12);
  EXPECT_TRUE(it->overtook[0]);
  // A unit without reports has NaN gaps, not zeros.
  const auto c = std::find_if(f.followers.begin(), f.followers.end(),
                              [&](const FollowerTrend& t) { return t.follower == e.units[2]; });
  ASSERT_NE(c, f.followers.end());
  EXPECT_TRUE(std::isnan(c->months[0][0].gap));
  EXPECT_TRUE(std::isnan(c->slope[0]));
}

TEST(Models, AReportThatPassesTheModelIsOneEvent) {
  Economy e;
  const UnitId model = e.units[1];
  const UnitId follower = e.units[0];
  e.Month(model, 3, 5, 20);      // 4 per worker
  e.Month(follower, 3, 10, 30);  // 3 per worker
  e.s.AddModel({.peer_group = e.coal, .unit = model, .from = D(2026, 1, 1), .reason = "r"});
  const std::vector<Report> reports{
      {.unit = follower, .indicator = e.output, .date = D(2026, 3, 1), .value = 45}};
  const ModelWatch watch(e.s, reports);
  e.s.SetReports(reports);
  const std::vector<ModelEvent> events = watch.After(e.s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].follower, follower);
  EXPECT_EQ(events[0].model.unit, model);
  EXPECT_EQ(events[0].indicator, e.per_worker);
  EXPECT_NEAR(events[0].follower_value, 4.5, 1e-12);
  // Already ahead: a further report is no new event.
  const std::vector<Report> more{
      {.unit = follower, .indicator = e.output, .date = D(2026, 3, 1), .value = 46}};
  const ModelWatch again(e.s, more);
  e.s.SetReports(more);
  EXPECT_TRUE(again.After(e.s).empty());
}

// ---------------------------------------------------------------------------------------
// Pairs.

// Coal: (workers, energy, output) per unit in 2026-03; B and D efficient (CRS).
Economy PairEconomy() {
  Economy e;
  e.Month(e.units[0], 3, 10, 20, 10);  // learner
  e.Month(e.units[1], 3, 5, 20, 10);   // mentor: labour-light
  e.Month(e.units[2], 3, 10, 20, 30);  // learner
  e.Month(e.units[3], 3, 10, 20, 5);   // mentor: energy-light
  return e;
}

FrontierResult PairFrontier(const Economy& e) {
  FrontierQuery q = CoalQuery(e, dea::Rts::kCrs);
  q.inputs = {e.workers, e.energy};
  return ComputeFrontier(e.s, q).value();
}

// The mix distance of two frontier units, computed here from the definition.
double MixDistance(const FrontierResult& f, UnitId a, UnitId b) {
  const size_t m = f.inputs.size();
  const size_t s = f.outputs.size();
  std::vector<double> mean(m + s, 0);
  for (const FrontierUnit& u : f.units) {
    for (size_t i = 0; i < m; ++i) mean[i] += u.inputs[i] / static_cast<double>(f.units.size());
    for (size_t r = 0; r < s; ++r)
      mean[m + r] += u.outputs[r] / static_cast<double>(f.units.size());
  }
  const auto mix = [&](UnitId id) {
    const FrontierUnit& u = *std::find_if(f.units.begin(), f.units.end(),
                                          [&](const FrontierUnit& x) { return x.unit == id; });
    std::vector<double> v;
    double sx = 0;
    for (size_t i = 0; i < m; ++i) sx += u.inputs[i] / mean[i];
    for (size_t i = 0; i < m; ++i) v.push_back(u.inputs[i] / mean[i] / sx);
    double sy = 0;
    for (size_t r = 0; r < s; ++r) sy += u.outputs[r] / mean[m + r];
    for (size_t r = 0; r < s; ++r) v.push_back(u.outputs[r] / mean[m + r] / sy);
    return v;
  };
  const std::vector<double> va = mix(a);
  const std::vector<double> vb = mix(b);
  double d = 0;
  for (size_t k = 0; k < va.size(); ++k) d += (va[k] - vb[k]) * (va[k] - vb[k]);
  return std::sqrt(d);
}

TEST(Pairs, CapacityOneGivesEachLearnerTheClosestMixOverall) {
  Economy e = PairEconomy();
  const FrontierResult f = PairFrontier(e);
  auto plan = ProposePairs(e.s, f, e.coal, 1, PairObjective::kMix);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->mentors, (std::vector<UnitId>{e.units[1], e.units[3]}));
  ASSERT_EQ(plan->pairs.size(), 2u);
  // The two ways to pair A, C with B, D: the plan is the cheaper.
  const UnitId a = e.units[0], b = e.units[1], c = e.units[2], d = e.units[3];
  const double one = MixDistance(f, b, a) + MixDistance(f, d, c);
  const double two = MixDistance(f, b, c) + MixDistance(f, d, a);
  EXPECT_NEAR(plan->total_cost, std::min(one, two), 1e-12);
  EXPECT_TRUE(plan->unpaired.empty());
}

TEST(Pairs, FixedPairsAreKeptAndForbiddenOnesNeverMade) {
  Economy e = PairEconomy();
  const UnitId a = e.units[0], b = e.units[1], c = e.units[2], d = e.units[3];
  const FrontierResult f = PairFrontier(e);
  auto free = ProposePairs(e.s, f, e.coal, 1, PairObjective::kMix).value();
  const UnitId free_mentor_of_a =
      std::find_if(free.pairs.begin(), free.pairs.end(), [&](const PairProposal& p) {
        return p.learner == a;
      })->mentor;
  const UnitId other = free_mentor_of_a == b ? d : b;
  e.s.AddPairRule({.mentor = free_mentor_of_a, .learner = a, .kind = PairRuleKind::kForbidden});
  auto plan = ProposePairs(e.s, f, e.coal, 1, PairObjective::kMix).value();
  for (const PairProposal& p : plan.pairs) {
    if (p.learner == a) {
      EXPECT_EQ(p.mentor, other);
    }
  }
  // Withdrawn, then fixed the other way round.
  e.s.AddPairRule({.mentor = free_mentor_of_a, .learner = a, .kind = PairRuleKind::kNone});
  e.s.AddPairRule({.mentor = free_mentor_of_a, .learner = c, .kind = PairRuleKind::kFixed});
  plan = ProposePairs(e.s, f, e.coal, 1, PairObjective::kMix).value();
  const auto fixed = std::find_if(plan.pairs.begin(), plan.pairs.end(),
                                  [&](const PairProposal& p) { return p.learner == c; });
  ASSERT_NE(fixed, plan.pairs.end());
  EXPECT_EQ(fixed->mentor, free_mentor_of_a);
  EXPECT_TRUE(fixed->fixed);
}

TEST(Pairs, GainObjectivePrefersTheLearnersOwnPeersAndCapacityBinds) {
  Economy e = PairEconomy();
  const FrontierResult f = PairFrontier(e);
  auto plan = ProposePairs(e.s, f, e.coal, 2, PairObjective::kGain);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->pairs.size(), 2u);
  // Each learner's mentor is its heaviest peer (capacity 2 lets both have theirs).
  for (const PairProposal& p : plan->pairs) {
    const FrontierUnit& u = *std::find_if(
        f.units.begin(), f.units.end(), [&](const FrontierUnit& x) { return x.unit == p.learner; });
    EXPECT_EQ(p.mentor, u.result.peers.front().unit);
    EXPECT_LE(p.cost, 0);
  }
  EXPECT_FALSE(ProposePairs(e.s, f, e.coal, 0, PairObjective::kMix).ok());
}

TEST(Pairs, TheLatestPairOfALearnerIsInForce) {
  Economy e;
  e.s.AddPair(
      {.peer_group = e.coal, .mentor = e.units[1], .learner = e.units[0], .from = D(2026, 3, 1)});
  e.s.AddPair(
      {.peer_group = e.coal, .mentor = e.units[3], .learner = e.units[0], .from = D(2026, 4, 1)});
  e.s.AddPair(
      {.peer_group = e.coal, .mentor = e.units[1], .learner = e.units[2], .from = D(2026, 4, 1)});
  e.s.AddPair({.peer_group = e.coal,
               .mentor = e.units[1],
               .learner = e.units[2],
               .from = D(2026, 5, 1),
               .active = false});
  const std::vector<LearningPair> pairs = PairsInForce(e.s);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].mentor, e.units[3]);
  // On a day: the latest pair of each learner whose first day has come.
  EXPECT_TRUE(PairsInForce(e.s, D(2026, 2, 28)).empty());
  const std::vector<LearningPair> march = PairsInForce(e.s, D(2026, 3, 31));
  ASSERT_EQ(march.size(), 1u);
  EXPECT_EQ(march[0].mentor, e.units[1]);
  const std::vector<LearningPair> april = PairsInForce(e.s, D(2026, 4, 30));
  ASSERT_EQ(april.size(), 2u);
  EXPECT_EQ(april[0].learner, e.units[0]);
  EXPECT_EQ(april[0].mentor, e.units[3]);
  EXPECT_EQ(april[1].learner, e.units[2]);
  EXPECT_EQ(PairsInForce(e.s, D(2026, 5, 1)), pairs);
}

TEST(Pairs, TheLearnersGapsToItsMentorAtPairingAndMonthByMonth) {
  Economy e;
  const UnitId mentor = e.units[1];
  const UnitId learner = e.units[0];
  // Output per worker: the mentor 4 every month; the learner 2 in January (the period
  // it was paired on), then 3 and 5 after its pair's first day.
  for (int month = 1; month <= 3; ++month) e.Month(mentor, month, 5, 20);
  e.Month(learner, 1, 10, 20);
  e.Month(learner, 2, 10, 30);
  e.Month(learner, 3, 10, 50);
  const LearningPair pair{.peer_group = e.coal,
                          .mentor = mentor,
                          .learner = learner,
                          .from = D(2026, 2, 1),
                          .period = "2026-01"};
  const PairGaps g = LearnerGaps(e.s, pair, D(2026, 3, 31));
  ASSERT_EQ(g.indicators, std::vector<IndicatorId>{e.per_worker});
  EXPECT_EQ(g.pairing_period, P("2026-01"));
  ASSERT_EQ(g.at_pairing.size(), 1u);
  EXPECT_NEAR(g.at_pairing[0].model, 4, 1e-12);
  EXPECT_NEAR(g.at_pairing[0].follower, 2, 1e-12);
  EXPECT_NEAR(g.at_pairing[0].gap, 2, 1e-12);
  EXPECT_NEAR(g.at_pairing[0].gap_pct, 50, 1e-12);
  // February (gap 1, 25 %) and March (gap -1, -25 %): slope -50 points a month, ahead.
  ASSERT_EQ(g.months, (std::vector<Period>{P("2026-02"), P("2026-03")}));
  ASSERT_EQ(g.trend.months.size(), 2u);
  EXPECT_NEAR(g.trend.months[0][0].gap_pct, 25, 1e-12);
  EXPECT_NEAR(g.trend.months[1][0].gap, -1, 1e-12);
  EXPECT_NEAR(g.trend.slope[0], -50, 1e-12);
  EXPECT_TRUE(g.trend.overtook[0]);
  // Half of the 50 % gap at pairing is closed in February, 150 % in March (ahead).
  EXPECT_NEAR(LearnerGaps(e.s, pair, D(2026, 2, 28)).closed_pct[0], 50, 1e-12);
  EXPECT_NEAR(g.closed_pct[0], 150, 1e-12);
  // Paired on the first quarter, whose output per worker is three months' output over
  // the mean workers: the gap closed is measured in % of the mentor's figure, not in
  // tonnes a worker (a quarter's 2 t against a month's 0 t).
  LearningPair quarter = pair;
  quarter.period = "2026-Q1";
  quarter.from = D(2026, 4, 1);
  e.Month(mentor, 4, 5, 20);
  e.Month(learner, 4, 10, 40);
  const PairGaps q = LearnerGaps(e.s, quarter, D(2026, 4, 30));
  // Q1: mentor 60 / 5 = 12, learner 100 / 10 = 10: gap 2 (16.7 %); April: 4 and 4.
  EXPECT_NEAR(q.at_pairing[0].gap, 2, 1e-12);
  EXPECT_NEAR(q.at_pairing[0].gap_pct, 100.0 / 6, 1e-12);
  EXPECT_NEAR(q.trend.months.back()[0].gap, 0, 1e-12);
  EXPECT_NEAR(q.closed_pct[0], 100, 1e-12);
  // Before the pair's first day: as_of's month alone ("now" is always as_of's month).
  const PairGaps early = LearnerGaps(e.s, pair, D(2026, 1, 15));
  EXPECT_EQ(early.months, std::vector<Period>{P("2026-01")});
  EXPECT_NEAR(early.trend.months[0][0].gap_pct, 50, 1e-12);
  // A period that does not parse (a store written by hand): the gaps of as_of's month.
  LearningPair odd = pair;
  odd.period = "";
  EXPECT_EQ(LearnerGaps(e.s, odd, D(2026, 3, 31)).pairing_period, P("2026-03"));
}

}  // namespace
}  // namespace chollima::engine
