// Standards: norms per indicator and peer group (output per worker in the coal
// branch), set by hand or derived from the data, and re-based when the advanced exceed
// them, without a blind ratchet that punishes a single good year (PRODUCT.md F7).
//
//   std::vector<StandardStatus> st = EvaluateStandards(state, standards, {.as_of = d});
//   Result<RebaseProposal> p = ProposeRebase(state, standards, coal_per_worker, coal_branch,
//                                            {.as_of = d});
//   if (p->rebase) changes.standards.push_back(p->standard);
//
// SEMANTICS (docs/design.md copies this section; the implementation states each rule
// here, with formulas, before it is relied on)
//   The value of a unit for an indicator over a period (its aggregation; ratios as a
//   ratio of aggregates); which units are in a peer group (membership on the period's
//   last day) and which are left out; the derivation rule ("the median of the top
//   quartile of the peer group's unit values over the last season", with the sizes it
//   needs); the re-basing rule with its guard against a single good year (e.g. the
//   advanced must exceed the standard in each of the last two seasons, and the new
//   value is the lower of those seasons' derived values, never a cut); lower-is-better
//   indicators; the history (revisions ordered by `from`).
//
// Thread-safety: the functions are pure.
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

struct StandardOptions {
  Date as_of;
  // The grain of the seasons the rule looks at: the last complete seasons before as_of.
  Grain season = Grain::kYear;
};

// One (indicator, peer group) with its standard in force as of `as_of` and how the peer
// group stands against it in the last complete season.
struct StandardStatus {
  IndicatorId indicator = kNoId;
  GroupId peer_group = kNoId;
  Standard current;               // the revision in force on as_of
  std::vector<Standard> history;  // every revision, by `from`
  Period season;                  // the last complete season
  int32_t units = 0;              // units of the peer group with a value in the season
  int32_t meeting = 0;            // of them, at or better than the standard
  double advanced_level = 0;      // the derivation rule's value over the season (NaN: too few)
};

// Every (indicator, peer group) with any standard. Fails with kInvalidArgument for a
// season grain other than month, quarter, half or year.
Result<std::vector<StandardStatus>> EvaluateStandards(const State& state,
                                                      std::span<const Standard> standards,
                                                      const StandardOptions& options);

// The derivation rule's value for one (indicator, peer group) over `season`, or NaN when
// the group has too few units with a value (see SEMANTICS).
double DeriveStandardValue(const State& state, IndicatorId indicator, GroupId peer_group,
                           const Period& season);

struct RebaseProposal {
  bool rebase = false;  // true: `standard` is the new revision to store
  Standard standard;    // from = the day after the last complete season
  std::string reason;   // why, or why not ("the advanced exceeded it only in 2026")
};

// Applies the re-basing rule (see SEMANTICS). Without any standard yet, proposes the
// derived value as the first one. Fails with kNotFound for unknown ids.
Result<RebaseProposal> ProposeRebase(const State& state, std::span<const Standard> standards,
                                     IndicatorId indicator, GroupId peer_group,
                                     const StandardOptions& options);

}  // namespace chollima::engine
