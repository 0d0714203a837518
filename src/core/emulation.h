// The vocabulary of emulation (PRODUCT.md F6, F7, F16) as plain value types: drives with
// their scoring rule and leagues, the finalized results of a drive's seasons (honours),
// standards (norms per indicator and peer group, with their history), and a planner's
// review of an outlier report. They are facts the store keeps and the engine State
// holds, like units and plans; standings and records are DERIVED from them and the
// reports (engine/drive.h, engine/records.h, engine/standards.h).
//
// Ids are dense indexes assigned by engine::State in creation order; codes are what
// users type. A drive's rule is data: it is stored, shown and changed as data, never
// as code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/model.h"
#include "core/period.h"

namespace chollima {

using DriveId = int32_t;

// How one indicator's figure becomes a part of a drive's score. Every normalization
// gives a number where HIGHER IS BETTER, also for lower-is-better indicators
// (engine/drive.h, SCORING, has the formulas).
enum class Normalization : uint8_t {
  kPercentOfPlan,  // actual against the plan due in the window so far, in %
  kGrowth,         // change against the base period, in %
  kPerCapacity,    // actual per unit of an input indicator (output per worker)
  kZScore,         // standard score of the actual within the league
};
// "percent_of_plan", "growth", "per_capacity", "zscore".
const char* NormalizationName(Normalization n);
bool ParseNormalization(std::string_view s, Normalization& out);

struct ScoreTerm {
  IndicatorId indicator = kNoId;  // not derived
  double weight = 1;              // > 0
  Normalization normalization = Normalization::kPercentOfPlan;
  IndicatorId capacity = kNoId;  // kPerCapacity only: the input indicator (not derived)
  friend bool operator==(const ScoreTerm&, const ScoreTerm&) = default;
};

// What growth compares a season to.
enum class GrowthBase : uint8_t {
  kPreviousYear,    // the same days one year earlier (a leap day maps to Feb 28)
  kPreviousSeason,  // the season before, the same number of days from its start
};
const char* GrowthBaseName(GrowthBase b);  // "previous_year", "previous_season"
bool ParseGrowthBase(std::string_view s, GrowthBase& out);

// Who takes part.
struct DriveParticipants {
  // false: units; true: the groups at `level` of `hierarchy` (provinces vying with
  // each other), each scored on the totals of its member units.
  bool groups = false;
  HierarchyId hierarchy = kNoId;  // groups: REQUIRED; units: the hierarchy of `within`
  int level = 1;                  // groups only: 1 = roots
  // When set, only units within this group (or, for groups, only groups under it),
  // membership taken on the first day of each season.
  GroupId within = kNoId;
  friend bool operator==(const DriveParticipants&, const DriveParticipants&) = default;
};

// Leagues: peer groups fixed at the start of each season.
struct LeagueRule {
  // Peers by the group at `level` of this hierarchy on the season's first day (e.g.
  // sector level 1: one league per branch of industry). kNoId: one peer group.
  HierarchyId hierarchy = kNoId;
  int level = 1;
  // Size bands within each peer group by a unit attribute (e.g. "capacity"): ascending
  // bounds b1 < b2 < ... give tiers; tier 1 holds the largest units (attribute >= the
  // last bound), the last tier the smallest. Empty attribute: one tier.
  std::string size_attribute;
  std::vector<double> size_bounds;
  // Between seasons the top `promote` of each tier but the first move up one tier and
  // the bottom `relegate` of each tier but the last move down one.
  int promote = 0;
  int relegate = 0;
  friend bool operator==(const LeagueRule&, const LeagueRule&) = default;
};

struct Drive {
  std::string code;  // unique
  std::string name;
  Date start;  // the window [start, end)
  Date end;
  // Seasons: the periods of this grain (month, quarter, half or year) inside the window,
  // clipped to it; nullopt: one season, the whole window.
  std::optional<Grain> season_grain;
  DriveParticipants participants;
  std::vector<ScoreTerm> terms;  // at least one
  GrowthBase growth_base = GrowthBase::kPreviousYear;
  LeagueRule leagues;
  // Streaks count consecutive days (kDay) or months (kMonth) at or above plan.
  Grain streak_grain = Grain::kDay;
  friend bool operator==(const Drive&, const Drive&) = default;
};

// One line of a finalized season: kept as history once a planner closes the season, so
// later corrections do not rewrite honours already given.
struct DriveResult {
  DriveId drive = kNoId;
  int32_t season = 0;  // 0-based index of the season in the window
  // The participant: a unit, or a group when the drive's participants are groups.
  PlanTarget participant;
  int32_t tier = 1;     // the league tier it played in
  std::string league;   // the league's name, e.g. "sector/coal tier 1"
  int32_t rank = 0;     // within its league, 1 = best
  int32_t overall = 0;  // in the whole drive
  double score = 0;
  // Empty, or an honour: "winner" (rank 1 overall), "league_winner" (rank 1 of its
  // league), "promoted", "relegated".
  std::string title;
  friend bool operator==(const DriveResult&, const DriveResult&) = default;
};

// Where a standard's value came from.
enum class StandardSource : uint8_t {
  kManual,   // set by a planner
  kDerived,  // from the data by the documented rule (engine/standards.h)
};
const char* StandardSourceName(StandardSource s);  // "manual", "derived"
bool ParseStandardSource(std::string_view s, StandardSource& out);

// A norm for an indicator in a peer group, effective from a day until the next
// revision of the same (indicator, peer group). Revisions are kept: the history is the
// list of them in order of `from`.
struct Standard {
  IndicatorId indicator = kNoId;  // may be derived (output per worker)
  GroupId peer_group = kNoId;     // kNoId: all units
  Date from;
  double value = 0;
  StandardSource source = StandardSource::kManual;
  std::string note;  // why: "re-based: the advanced exceeded it in 2025 and 2026"
  friend bool operator==(const Standard&, const Standard&) = default;
};

// A planner's decision on a report flagged as an outlier (engine/records.h): a confirmed
// value may set records; a rejected one never does (the value stays as reported). The
// decision holds for the reported `value` it was made on: a later correction to another
// value is judged afresh. The latest review of (unit, indicator, date) wins.
struct OutlierReview {
  UnitId unit = kNoId;
  IndicatorId indicator = kNoId;
  Date date;
  double value = 0;  // the report's value that was reviewed
  bool confirmed = true;
  std::string reviewer;
  std::string note;
  friend bool operator==(const OutlierReview&, const OutlierReview&) = default;
};

}  // namespace chollima
