// Drives: standings of an emulation drive at every level, rank changes, streaks,
// overtaking, and the final results of a season (PRODUCT.md F6, F15).
//
//   AssignmentBook book(state);
//   Result<Standings> s = ComputeStandings(state, book, drive_id, drive, history,
//                                          {.as_of = d});
//   // s->rows: every participant of the season with its league, rank, score and parts.
//
//   DriveBoard board(state, book, drives, history);    // live: all drives, as of the
//   ... commit changes, ApplyChanges, rebuild the book when plans changed ...
//   std::vector<DriveEvent> ev = board.Apply(state, book, changes);  // overtakings
//
// SEMANTICS (docs/design.md copies this section)
//
// Seasons. With season_grain G the seasons are the periods of G overlapping the window
// [start, end), clipped to it, in order (index 0 first); without it one season, the
// window. The season of a query is the one holding as_of (the first when as_of is
// before the window, the last when after). E = min(as_of, season.end - 1); the window
// of a participant's figures is [season.begin, E] (empty when as_of < season.begin).
// The live as-of day (DriveBoard) is the State's last reported day, as in
// status_watch.h (drive.start while the State has no report).
//
// Participants (fixed on the season's FIRST day, so a unit that joins or moves
// mid-season changes nothing until the next season).
//   units   every unit, or with participants.within the units whose group in its
//           hierarchy on season.begin is `within` or below it. A unit that joins later
//           plays from the next season; one that leaves or moves keeps its place and
//           league to the season's end. Without `within` every unit of the State takes
//           part, also one created mid-season (units carry no creation day); it plays
//           from the commit that creates it, in its size tier.
//   groups  the groups at participants.level of participants.hierarchy (under `within`
//           when set). A group's member units are ALL units whose group on E lies at or
//           below it.
// Figures, per term and participant (indicators are never derived):
//   actual     units: the reports over the window aggregated as fulfilment.h's actual
//              (sum: missing days 0, no report 0; mean/last/max: NaN without reports).
//              Groups: the fulfilment group rule over the member units: the sum of the
//              members' actuals (the mean over members with one for Role::kQuality); no
//              member actual: 0 for sum-aggregated indicators, else NaN.
//   plan to date   the plan of the window itself: AssignmentBook::PlanOfKey over
//              [season.begin, E + 1) (an explicit plan of exactly that span, else the
//              daily assignments summed when every day is covered; level indicators:
//              the shortest explicit plan containing the window); NaN when undefined;
//              0 for an empty window. Groups: their explicit plan so defined, else the
//              roll-up of the members' plans (sum; mean for RollsUpAsMean indicators)
//              over members with one, NaN when none has one.
//   base       (growth) the actual over the base window: kPreviousYear: the same
//              number of days starting one year before season.begin (Feb 29 -> Feb 28);
//              kPreviousSeason: the same number of days from the start of the previous
//              season, clipped to it (season 0: the span of season 0's length just
//              before the window start).
//   capacity   (per_capacity) the actual of the capacity indicator over the window.
// Normalizations (HIGHER IS BETTER; x = actual):
//   percent_of_plan  100 * x / plan_to_date; lower-is-better 100 * plan_to_date / x.
//                    Over-fulfilment counts above 100 (no cap).
//   growth           100 * (x - base) / |base|; lower-is-better: negated.
//   per_capacity     x / capacity; lower-is-better: negated.
//   zscore           (x - mean) / sd over the participants of the same league (of the
//                    same group table) whose x is not NaN; population sd; sd == 0 gives
//                    0; lower-is-better: negated.
// ScorePart: raw = x, normalized as above, weighted = weight * normalized.
// Score = the sum of the weighted parts in term order. A participant is UNSCORED (score
// NaN, rank 0) when any part cannot be computed; unscored_reason names the first such
// term: "terms[i]: no actual" (x NaN), "terms[i]: no plan" (plan to date NaN), "terms[i]:
// plan to date is 0" (higher-is-better percent), "terms[i]: actual is 0" (lower-is-better
// percent), "terms[i]: no base" (base NaN or 0), "terms[i]: no capacity" (capacity NaN or
// 0). Parts that could be computed keep their values; the others are NaN.
// TIE RULE. Scores are equal when exactly equal as doubles (-0.0 == 0.0). Rank within
// the league and overall_rank within the table are competition ranks ("1224": 1 + the
// number of scored rows with a strictly higher score); equal scores are listed by
// increasing id. Rows: by league index, then rank, then id; unscored rows last in their
// league, by id. "Position" in a league is the 0-based place in that listing.
// Leagues (fixed on season.begin). Peer group: the ancestor at leagues.level of the
// unit's group in leagues.hierarchy on season.begin (kNoId without a hierarchy, or when
// the unit has no group at that level: it plays in a league named "none"). Group drives:
// leagues.hierarchy must be the participants' hierarchy at a level <= theirs; size tiers
// do not apply. Size tier: with bounds b1 < ... < bn there are n + 1 tiers; tier = 1 +
// (number of bounds > attribute), so tier 1 holds attribute >= bn; a unit without the
// attribute (or NaN) plays in the last tier. Season 0, and every participant not scored
// in the previous season (or not taking part in it), start from their size tier. In a
// later season a participant scored in the previous season keeps its previous tier,
// except: in every league of tier > 1 the first `promote` positions move up one tier;
// in every league of tier < the last, the last `relegate` positions not promoted move
// down one. The previous season's outcome is read from `history` when it holds any
// result of (drive, season - 1) (a row's league is its name, its position by rank then
// participant id, its tier the row's tier; participants absent from it start from their
// size tier), else from the previous season's final standings computed as of its last
// day (recursively from season 0). League index: ordered by peer group id (kNoId last),
// then tier; only leagues with participants. Name: "<peer code>, tier t", "<peer code>",
// "tier t" or "all" (peer part only with a league hierarchy, tier part only with > 1
// tier). Zones: in_promotion_zone: tier > 1 and position < promote; in_relegation_zone:
// tier < last tier, position >= scored rows of the league - relegate, and not promoted.
// Rank change: rank_change_day = (league rank in the standings as of as_of - 1) - rank
// now; 0 when either is unranked or as_of - 1 < season.begin. rank_change_start the
// same against the standings as of season.begin. Same season, same leagues.
// Streak: the streak periods are the days (streak_grain kDay) or calendar months clipped
// to the window (kMonth) of [season.begin, E]. A period is AT PLAN when, for every
// distinct indicator of the terms (capacities excluded), its plan over the period is
// defined (as "plan to date" above, over the period) and its actual over the period is
// at or better than it (higher: x >= plan; lower: x <= plan; within a relative
// tolerance of 1e-9 of max(|x|, |plan|)). streak = the number of consecutive periods
// at plan ending with the one holding E (0 when that one is not); never crosses the
// season's start.
// Group standings (query.level = {H, L}): every group at level L of H (under
// query.within when set) is a row, one league "all"; its figures are the group figures
// above over its member units that are participants of the season (group drives: all
// member units), members on E; zscore among the groups of the table; no zones; rank
// changes against the same group table as of as_of - 1 and season.begin.
// Filters: query.league keeps one league's rows; query.within keeps the rows whose
// participant is within that group (units: their group in its hierarchy on E). Ranks
// are those of the whole table.
// Results (SeasonResults): the season's standings as of its last day, or as of the
// State's last reported day when earlier (never before season.begin; season.begin when
// the State has no report): one DriveResult per scored participant, in
// row order, with its league's name and tier, rank, overall rank and score. Title, the
// first that applies: "winner" (overall rank 1, all tied), "league_winner" (rank 1 in
// its league, only when there are several leagues), "promoted", "relegated" (the zones).
// Overtaking (DriveBoard::Apply). In the participant table of a drive, p overtakes q
// when before the commit and after it both are scored, in the same league (by name) and
// the same season, score_p <= score_q before and score_p > score_q after. One event per
// such ordered pair and commit; margin = score_p - score_q after; new_rank = p's league
// rank after. Events are ordered by drive, league, new_rank, overtaker id, then the
// overtaken's rank and id. A commit that moves the as-of day into another season emits
// none for that drive. Group tables are not watched (no events with `level`).
// Incremental work (DriveBoard): a commit whose only changes are reports (or report
// keys, standards, outlier reviews), with the as-of day unchanged and every report of an
// indicator the drive uses inside [season.begin, E], recomputes only what the reports
// reach. Unit drives: the figures of the reported participants (as of E, E - 1 and
// season.begin) and their streaks. Group drives: each reported unit's own figures on
// each of those days whose window holds the report, then the group it counts in on that
// day's members day (E, E - 1, season.begin) re-summed from its members' kept figures in
// increasing unit id (the order of the scratch path, so the doubles are identical; the
// group's explicit plan, the quality mean and the NaN rules as above), and the streak of
// its group on E recomputed from that group's members. Then, without a zscore term,
// those rows are rescored and moved in the kept order; with one, the parts are
// re-derived from the kept figures of every row. Building the rows of Standings stays
// O(participants) per commit. Anything else (the as-of day moves, structure, plans,
// drives or results change, a report before the season) recomputes that drive from
// scratch. Reports of other indicators, of units that do not take part (or, for a group
// drive, count in no group on those days), or dated after E leave a drive untouched.
//
// Thread-safety: the functions are pure; a DriveBoard is used by one thread at a time
// (its const methods may be shared by readers while no one calls Apply).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/changes.h"
#include "core/emulation.h"
#include "core/model.h"
#include "core/status.h"
#include "engine/assignments.h"
#include "engine/fulfilment.h"
#include "engine/rank_index.h"
#include "engine/state.h"

namespace chollima::engine {

struct Season {
  int32_t index = 0;  // 0-based within the drive's window
  Date begin;         // [begin, end)
  Date end;
  friend bool operator==(const Season&, const Season&) = default;
};
// The seasons of a drive's window, in order (at least one for a valid drive).
std::vector<Season> SeasonsOf(const Drive& drive);

// Fails with kInvalidArgument naming the field and the reason: an empty window, a
// season grain finer than a month or a multi-year one, no terms, a weight <= 0 or not
// finite, a derived indicator as a term, a per_capacity term without a capacity (or a
// capacity on another normalization), unknown ids, groups without a hierarchy or with a
// level outside it, bounds not strictly ascending, negative promote/relegate.
Status ValidateDrive(const State& state, const Drive& drive);

// Finalized results of earlier seasons (core/emulation.h): promotion and relegation
// into a season follow them when the previous season was finalized, and the previous
// season's computed standings otherwise.
using DriveHistory = std::span<const DriveResult>;

struct League {
  int32_t index = 0;
  std::string name;            // e.g. "coal, tier 1"; "all" for a drive without leagues
  GroupId peer_group = kNoId;  // the group of LeagueRule::hierarchy, or kNoId
  int32_t tier = 1;            // 1 = top tier
};

// One normalized part of a participant's score.
struct ScorePart {
  double raw = 0;         // the figure the normalization starts from (NaN: missing)
  double normalized = 0;  // higher is better (NaN: missing)
  double weighted = 0;    // weight * normalized
};

struct StandingRow {
  PlanTarget participant;  // a unit, or a group when the standings are of groups
  int32_t league = 0;      // index into Standings::leagues (0 for group levels)
  bool scored = false;     // false: no score, and `unscored_reason` says why
  std::string unscored_reason;
  double score = 0;              // NaN when not scored
  std::vector<ScorePart> parts;  // one per term of the drive
  int32_t rank = 0;              // within its league, 1 = best (0 when not scored)
  int32_t overall_rank = 0;      // in the whole table (0 when not scored)
  // Positive: moved up. Against the standings as of the day before as_of, and as of the
  // season's first day; 0 when not ranked then.
  int32_t rank_change_day = 0;
  int32_t rank_change_start = 0;
  int32_t streak = 0;  // consecutive days/months at or above plan, ending at as_of
  // Plan of promotion/relegation at the end of this season, by the current ranks.
  bool in_promotion_zone = false;
  bool in_relegation_zone = false;
};

struct StandingsQuery {
  // The day the standings are taken on. The season is the one holding as_of (the last
  // season when as_of is after the window, the first when before).
  Date as_of;
  // Nullopt: the drive's participants. Set: the groups at this level of this hierarchy,
  // each scored on the totals of its member participants (counties within a province,
  // provinces in the country); not available for drives whose participants are groups
  // unless it is their own hierarchy at a shallower level.
  std::optional<GroupLevel> level;
  // Only rows of this league (participant tables) or under this group (group tables).
  std::optional<int32_t> league;
  std::optional<GroupId> within;
};

struct Standings {
  DriveId drive = kNoId;
  Season season;
  Date as_of;
  std::vector<League> leagues;    // participant tables; one "all" league for group tables
  std::vector<StandingRow> rows;  // by league, then rank (unscored last, by id)
};

// Standings from scratch. Fails with kInvalidArgument for an invalid drive or query
// (ValidateDrive), kNotFound for unknown ids. REQUIRES: `book` built from `state`.
Result<Standings> ComputeStandings(const State& state, const AssignmentBook& book, DriveId id,
                                   const Drive& drive, DriveHistory history,
                                   const StandingsQuery& query);

// The results of a season as of its last day (or as_of when earlier): one DriveResult per
// scored participant with ranks and honours (see SEMANTICS), ready to be stored when a
// planner finalizes the season.
Result<std::vector<DriveResult>> SeasonResults(const State& state, const AssignmentBook& book,
                                               DriveId id, const Drive& drive, DriveHistory history,
                                               int32_t season);

// A live event of a drive.
struct DriveEvent {
  enum class Kind { kOvertaking };
  Kind kind = Kind::kOvertaking;
  DriveId drive = kNoId;
  int32_t league = 0;
  std::optional<GroupLevel> level;  // set for group tables
  PlanTarget overtaker;
  PlanTarget overtaken;
  double margin = 0;     // overtaker's score - overtaken's, after (> 0)
  int32_t new_rank = 0;  // the overtaker's rank after
  // Field by field (GroupLevel has no operator== of its own).
  friend bool operator==(const DriveEvent& a, const DriveEvent& b) {
    const bool same_level = a.level.has_value() == b.level.has_value() &&
                            (!a.level || (a.level->hierarchy == b.level->hierarchy &&
                                          a.level->level == b.level->level));
    return a.kind == b.kind && a.drive == b.drive && a.league == b.league && same_level &&
           a.overtaker == b.overtaker && a.overtaken == b.overtaken && a.margin == b.margin &&
           a.new_rank == b.new_rank;
  }
};

// The live standings of every drive, kept current commit by commit: only the
// participants a commit touches are rescored (all of them when the as-of day moves or
// plans or structure change), and overtakings are found from the rank changes.
class DriveBoard {
 public:
  // REQUIRES: `book` built from `state`; drives indexed by DriveId.
  DriveBoard(const State& state, const AssignmentBook& book, std::span<const Drive> drives,
             DriveHistory history);

  // After `changes` were applied to `state` (and the book rebuilt if needed): updates
  // the standings and returns the overtakings, each pair once, in a stable order.
  // New drives or results in `changes` are taken up.
  std::vector<DriveEvent> Apply(const State& state, const AssignmentBook& book,
                                const Changes& changes);

  // The current participant standings of a drive (as of the State's last reported day),
  // equal to ComputeStandings with that as_of; nullptr for an unknown id or a drive that
  // fails ValidateDrive in the current State (it is retried on every Apply).
  const Standings* Current(DriveId id) const;

  ~DriveBoard();
  DriveBoard(DriveBoard&&) noexcept;
  DriveBoard& operator=(DriveBoard&&) noexcept;

 private:
  struct Live;  // one drive: its rule, the kept figures and its current standings
  std::vector<DriveResult> history_;
  std::vector<std::unique_ptr<Live>> live_;  // by DriveId
};

}  // namespace chollima::engine
