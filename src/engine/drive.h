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
// SEMANTICS (docs/design.md copies this section; the implementation fills in each rule
// here, with the formulas, before it is relied on)
//   Seasons, the as-of day, participants, leagues (tiers, promotion, relegation, units
//   that join or move mid-season), the figures of a participant (units: its own;
//   groups: totals of member units), each normalization (percent_of_plan, growth,
//   per_capacity, zscore; lower-is-better), the score (the weighted sum of the parts),
//   unscored participants and why, the TIE RULE, rank change since yesterday and since
//   the start, streaks, group standings at a level, overtaking (when exactly one event
//   is emitted), and results with honours.
//
// Thread-safety: the functions are pure; a DriveBoard is used by one thread at a time
// (its const methods may be shared by readers while no one calls Apply).
#pragma once

#include <cstdint>
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
  friend bool operator==(const DriveEvent&, const DriveEvent&) = default;
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
  // equal to ComputeStandings with that as_of; nullptr for an unknown id.
  const Standings* Current(DriveId id) const;
};

}  // namespace chollima::engine
