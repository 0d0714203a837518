// Models, followers and learning pairs (F8, F9), derived from the facts of
// core/learning.h, the reports and the frontier (engine/frontier.h).
//
// MODELS. The designations in force on a day: the latest revision of each (peer group,
// unit) whose `from` <= the day, if active. Suggestions for a peer group: the efficient
// units of its frontier by super-efficiency (highest first), and the units with
// sustained top standing in a drive (the most finalized seasons in the top three of
// their league, then the best mean rank).
//
// FOLLOWERS of a model on a day: every unit of its peer group on that day but the model,
// and every unit whose latest choice (from <= the day) is this model, active.
//
// GAPS. Compared indicators: the ratios (derived indicators) and the quality
// indicators the model reported in the month; without any, every non-derived indicator
// it reported. For a month: gap = model - follower for higher-is-better indicators and
// follower - model for lower-is-better ones and for inputs (role input: using less is
// better, whatever the plan's direction), so a positive gap is how far the follower is
// behind; gap_pct = 100 * gap / |model| (NaN when the model's figure is 0 or either
// is missing). The trend is the least-squares slope of gap_pct over the months (points
// per month; negative: the gap closes). A follower "overtook the model" on an indicator
// in a month when its gap is < 0 there and was >= 0 (or missing) in the month before.
//
// PAIRS. Learners: the units of the frontier scoring below 1 (not efficient). Mentors:
// the active models of the peer group that are in its frontier, and its efficient units;
// each helps at most `capacity` learners. Costs: "mix", the Euclidean distance between
// the two units' input/output mixes (each figure divided by the group's mean of that
// indicator, then inputs and outputs each scaled to sum 1); "gain", minus the learner's
// expected gain from the mentor: the mentor's share of the learner's reference point
// (its lambda over the sum of the lambdas) times the learner's inefficiency (1 - score
// input-oriented, score - 1 output-oriented); 0 for a mentor not among its peers. Rules
// (latest of (mentor, learner) wins): fixed pairs are kept, forbidden ones never made.
// The assignment is engine/pairing.h's: most pairs, then the least total cost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/learning.h"
#include "core/period.h"
#include "core/status.h"
#include "engine/frontier.h"
#include "engine/state.h"

namespace chollima::engine {

std::vector<ModelDesignation> ModelsInForce(const State& state, Date day);

// The followers of `model` in its peer group on `day`, in code order.
std::vector<UnitId> FollowersOf(const State& state, const ModelDesignation& model, Date day);

struct ModelSuggestion {
  UnitId unit = kNoId;
  std::string basis;       // "frontier" or "standing"
  double super_score = 0;  // frontier: super-efficiency (+inf: no other unit envelops it)
  DriveId drive = kNoId;   // standing: the drive
  int32_t top_seasons = 0;
  double mean_rank = 0;
  std::string note;  // a sentence for the planner
};
// At most `limit` of each basis. The frontier one uses `frontier`, which must have been
// computed with super-efficiency.
std::vector<ModelSuggestion> SuggestModels(const State& state, const FrontierResult& frontier,
                                           const std::vector<UnitId>& peer_units, size_t limit);

struct GapFigure {
  IndicatorId indicator = kNoId;
  double model = 0;     // NaN when missing
  double follower = 0;  // NaN when missing
  double gap = 0;       // NaN when either is missing
  double gap_pct = 0;   // NaN also when the model's figure is 0
};

// The indicators compared between `model` and its followers in `month` (see GAPS).
std::vector<IndicatorId> ComparedIndicators(const State& state, UnitId model, const Period& month);
std::vector<GapFigure> Gaps(const State& state, UnitId model, UnitId follower,
                            const std::vector<IndicatorId>& indicators, const Period& period);

struct FollowerTrend {
  UnitId follower = kNoId;
  bool chosen = false;  // it chose this model (else: a member of the peer group)
  std::vector<std::vector<GapFigure>> months;  // per month, per indicator
  std::vector<double> slope;                   // per indicator, points per month (NaN: < 2)
  std::vector<bool> overtook;                  // per indicator: ahead in the last month
};
// The months of a trend: from `from`'s month to `as_of`'s (as_of's alone when it is
// earlier), the last 24 at most.
std::vector<Period> TrendMonths(Date from, Date as_of);
// `follower`'s gaps to `model` in each of `months`, their slopes and whether it is ahead
// in the last month (the trend's `follower` is set, `chosen` is left false).
FollowerTrend GapTrend(const State& state, UnitId model, UnitId follower,
                       const std::vector<IndicatorId>& indicators,
                       const std::vector<Period>& months);
struct ModelFollowers {
  std::vector<IndicatorId> indicators;
  std::vector<Period> months;  // from the designation's month to `as_of`'s, at most 24
  std::vector<FollowerTrend> followers;
};
ModelFollowers FollowerGaps(const State& state, const ModelDesignation& model, Date as_of);

// "Overtook the model" events of a commit: (model, follower, indicator) ahead (gap < 0)
// in the month of the latest reported day after the commit and not before it, for the
// designations whose model or followers the commit reports for in that month.
struct ModelEvent {
  ModelDesignation model;
  UnitId follower = kNoId;
  IndicatorId indicator = kNoId;
  double model_value = 0;
  double follower_value = 0;
  Date as_of;
};
class ModelWatch {
 public:
  // Before the commit: `state` without the reports yet.
  ModelWatch(const State& state, const std::vector<Report>& reports);
  // After it: the events, by designation, follower code, indicator.
  std::vector<ModelEvent> After(const State& state) const;

 private:
  struct Watched {
    ModelDesignation model;
    UnitId follower = kNoId;
    std::vector<IndicatorId> indicators;
    std::vector<bool> ahead;  // before the commit
  };
  Period month_;
  std::vector<Watched> watched_;
  Date as_of_;
};

enum class PairObjective { kMix, kGain };
const char* PairObjectiveName(PairObjective o);  // "mix", "gain"
bool ParsePairObjective(std::string_view s, PairObjective& out);

struct PairProposal {
  UnitId mentor = kNoId;
  UnitId learner = kNoId;
  double cost = 0;
  bool fixed = false;  // a planner's fixed pair
  double learner_score = 0;
};
struct PairPlan {
  std::vector<UnitId> mentors;      // in code order
  std::vector<PairProposal> pairs;  // by mentor code, then learner code
  std::vector<UnitId> unpaired;     // learners left without a mentor (capacity ran out)
  double total_cost = 0;
};
// Fails with kInvalidArgument for capacity < 1, kFailedPrecondition when the frontier
// has no learner or no mentor, or the planner's fixed pairs contradict each other.
Result<PairPlan> ProposePairs(const State& state, const FrontierResult& frontier,
                              GroupId peer_group, int32_t capacity, PairObjective objective);

// The planner's rules in force: the latest of each (mentor, learner) unless withdrawn
// (kNone), by mentor id then learner id.
std::vector<PairRule> PairRulesInForce(const State& state);

// The pairs in force on `day`: the latest pair of each learner whose `from` <= day, if
// active; without a day, the latest pair of each learner whatever its `from`. In learner
// code order.
std::vector<LearningPair> PairsInForce(const State& state, std::optional<Date> day = {});

// A pair's progress on every compared indicator: the learner's gaps to its mentor (as
// GAPS, the mentor in the model's place). The indicators are those compared for the
// mentor in the pairing period (the frontier's period at pairing; in the month of
// `as_of` when the mentor reported none then). `at_pairing`: the gaps in the pairing
// period, on the figures as they stand now (corrections included); `trend`: month by
// month from the month of the pair's first day to as_of's (TrendMonths), its last month,
// as_of's, being "now". `closed_pct`: the share of the gap at pairing closed now, in
// terms of gap_pct (the pairing period may be a quarter, whose output per worker is three
// months' worth: the percentages compare), 100 (at pairing - now) / at pairing; NaN
// when the learner was not behind (gap_pct <= 0) or a figure is missing.
struct PairGaps {
  std::vector<IndicatorId> indicators;
  Period pairing_period;
  std::vector<GapFigure> at_pairing;
  std::vector<Period> months;
  FollowerTrend trend;
  std::vector<double> closed_pct;
};
PairGaps LearnerGaps(const State& state, const LearningPair& pair, Date as_of);

}  // namespace chollima::engine
