// Standards: norms per indicator and peer group (output per worker in the coal
// branch), set by hand or derived from the data, and re-based when the advanced exceed
// them, without a blind ratchet that punishes a single good year (PRODUCT.md F7).
//
//   std::vector<StandardStatus> st = EvaluateStandards(state, standards, {.as_of = d});
//   Result<RebaseProposal> p = ProposeRebase(state, standards, coal_per_worker, coal_branch,
//                                            {.as_of = d});
//   if (p->rebase) changes.standards.push_back(p->standard);
//
// SEMANTICS (docs/design.md copies this section)
//
// Unit value. The value v(u) of unit u for indicator I over a season S = [b, e) is its
//   fulfilment actual over S (engine/fulfilment.h, SEMANTICS, with as-of day >= the
//   season's last day), computed with the same kernel (AggregateSeries):
//     not derived: the reports of u on days [b, e) aggregated by I's aggregation (sum,
//                  mean, last, max of the present values);
//     derived:     v(numerator) / v(denominator), each part aggregated by its own
//                  aggregation (a ratio of aggregates: output per worker over a year =
//                  sum(output) / mean(workers), never a mean of daily ratios).
//   A unit HAS A VALUE only when, for every non-derived indicator the value is built from
//   (I itself, or both parts of a ratio, recursively), it has at least one report in S,
//   and no denominator is 0. Units without a value are left out everywhere below: a unit
//   that sent nothing is no evidence of a zero (unlike fulfilment, where a missing
//   sum-aggregated report counts 0 against a plan). A ratio with an unknown part or in a
//   cycle of ratios has no value for any unit.
//
// Peer group G. kNoId: every unit. Otherwise the units whose group in G's hierarchy on
//   the season's LAST day (e - 1) is G or a group below it (State::GroupOf, IsWithin).
//   The unit values of G over S: V = { v(u) : u in G, u has a value }, n = |V|.
//
// Derivation rule (the advanced level, MedianOfTopQuartile). Sort V best first:
//   descending when I is higher-is-better, ascending when lower-is-better, giving
//   x_1, ..., x_n. With n < 4 (kMinUnitsForStandard) the level is NaN (too few units).
//   Else the top quartile is the best k = ceil(n / 4) values x_1..x_k, and the level is
//   their median: x_{(k+1)/2} when k is odd, (x_{k/2} + x_{k/2+1}) / 2 when k is even.
//   So n = 4: x_1 (k = 1); n = 5..8: (x_1 + x_2) / 2 (k = 2); n = 9..12: x_2 (k = 3).
//   Equal values count separately (ties need no rule: only values are used).
//
// History and the standard in force. The revisions of (I, G) are the given standards
//   with that indicator and peer group, ordered by `from` (a stable order: revisions with
//   the same `from` keep their input order). The standard in force on day d is the last
//   revision in that order with from <= d; none before the first revision's `from`.
//
// Seasons. The last complete season as of day A is S1 = the period of the season grain
//   that holds A when A is its last day (the as-of day counts as reported, as in
//   fulfilment and drives), else the one just before it (every day of S1 is on or before
//   A: S1.end <= A + 1); S0 is the season before S1. Grains: month, quarter, half, year.
//
// Meeting the standard (EvaluateStandards). With C the standard in force on as_of, unit
//   u meets it when v(u) >= C.value (higher is better) or v(u) <= C.value (lower is
//   better), compared exactly; counted over the units with a value in S1. With no
//   revision in force on as_of: in_force = false, current.value = NaN, meeting = 0.
//
// Re-basing (ProposeRebase), with A1, A0 the advanced levels over S1, S0; "better" is
//   greater when higher is better and smaller when lower is better (mirrored):
//   1. A revision with from >= S1.end already exists (in force or scheduled): the
//      season was decided; no proposal.
//   2. No revision in force on as_of: the first standard is proposed, value A1, source
//      derived, when A1 is a number; else none (too few units).
//   3. Otherwise, with C in force on as_of, re-base only when BOTH A0 and A1 are numbers
//      and each is strictly better than C.value (one good season is not enough). The new
//      value is the LESS demanding of the two: min(A0, A1) when higher is better,
//      max(A0, A1) when lower is better. So it is always strictly better than C (never a
//      cut) and never more demanding than the weaker of the two seasons (never a jump to
//      one peak). Both seasons are judged against C, the standard in force now, even if
//      another revision was in force during S0.
//   A proposal has source derived, from = S1.end (the day after S1), and its note is
//   the reason in plain words with the numbers ("the advanced reached 44.1 in 2025 and
//   46 in 2026 against 41.5: re-based to 44.1, the less demanding of the two").
//
// Thread-safety: the functions are pure; they read the State and the standards only.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/emulation.h"
#include "core/model.h"
#include "core/period.h"
#include "core/status.h"
#include "engine/state.h"

namespace chollima::engine {

// The derivation rule needs at least this many units with a value.
inline constexpr int32_t kMinUnitsForStandard = 4;

struct StandardOptions {
  Date as_of;
  // The grain of the seasons the rule looks at: the last complete seasons as of as_of.
  Grain season = Grain::kYear;
};

// One (indicator, peer group) with its standard in force as of `as_of` and how the peer
// group stands against it in the last complete season.
struct StandardStatus {
  IndicatorId indicator = kNoId;
  GroupId peer_group = kNoId;
  // False when no revision is in force on as_of (all start later): `current` then has
  // only indicator and peer_group set, value NaN, and meeting is 0.
  bool in_force = false;
  Standard current;               // the revision in force on as_of
  std::vector<Standard> history;  // every revision, by `from`
  Period season;                  // the last complete season
  int32_t units = 0;              // units of the peer group with a value in the season
  int32_t meeting = 0;            // of them, at or better than the standard
  double advanced_level = 0;      // the derivation rule's value over the season (NaN: too few)
};

// Every (indicator, peer group) with any standard, ordered by indicator then peer group
// (kNoId first). Fails with kInvalidArgument for a season grain other than month,
// quarter, half or year or an as_of outside years kMinYear..kMaxYear, and with kNotFound
// when a standard names an unknown indicator or peer group.
Result<std::vector<StandardStatus>> EvaluateStandards(const State& state,
                                                      std::span<const Standard> standards,
                                                      const StandardOptions& options);

// The derivation rule's value for one (indicator, peer group) over `season`, or NaN when
// the group has too few units with a value (see SEMANTICS), an id is unknown or the
// season is empty.
double DeriveStandardValue(const State& state, IndicatorId indicator, GroupId peer_group,
                           const Period& season);

struct RebaseProposal {
  bool rebase = false;  // true: `standard` is the new revision to store
  // rebase: the new revision (from = the day after the last complete season). Otherwise
  // the revision in force on as_of, or, with none, only indicator and peer_group set and
  // value NaN.
  Standard standard;
  std::string reason;  // why, or why not ("the advanced exceeded it only in 2026")
};

// Applies the re-basing rule (see SEMANTICS). Without any standard yet, proposes the
// derived value as the first one. Only the standards of (indicator, peer_group) are
// read. Fails with kNotFound for unknown ids and with kInvalidArgument as
// EvaluateStandards for the options.
Result<RebaseProposal> ProposeRebase(const State& state, std::span<const Standard> standards,
                                     IndicatorId indicator, GroupId peer_group,
                                     const StandardOptions& options);

// ---- The pieces the functions above are made of (also for the CLI and the API).

struct UnitValue {
  UnitId unit = kNoId;
  double value = 0;
};
// The units of the peer group with a value for the indicator over `season` and their
// values (see SEMANTICS), by unit id. Empty for unknown ids or an empty season.
std::vector<UnitValue> PeerGroupValues(const State& state, IndicatorId indicator,
                                       GroupId peer_group, const Period& season);

// The derivation rule over `values` (NaN entries are ignored): the median of the best
// ceil(n / 4), or NaN when fewer than kMinUnitsForStandard values.
double MedianOfTopQuartile(std::span<const double> values, Direction direction);

// True when `value` is at or better than `standard` (>= when higher is better, <= when
// lower is better). False when either is NaN.
bool MeetsStandard(double value, double standard, Direction direction);

// The revisions of (indicator, peer_group) among `standards`, ordered by `from` (stable).
std::vector<Standard> StandardHistory(std::span<const Standard> standards, IndicatorId indicator,
                                      GroupId peer_group);
// The revision of (indicator, peer_group) in force on `day`, or nullopt before the first.
std::optional<Standard> StandardInForce(std::span<const Standard> standards, IndicatorId indicator,
                                        GroupId peer_group, Date day);

// The last complete season as of as_of (S1 in SEMANTICS). Fails with kInvalidArgument
// for a grain other than month, quarter, half or year, or an as_of outside years
// kMinYear..kMaxYear.
Result<Period> LastCompleteSeason(Grain season, Date as_of);

}  // namespace chollima::engine
