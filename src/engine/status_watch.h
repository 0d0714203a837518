// StatusWatch: which unit fulfilment statuses a commit moves ("the January assignment of
// mine U17 became overfulfilled"), for the live event stream.
//
//   StatusWatch watch(state, book, changes);  // BEFORE the commit: records statuses
//   ... commit `changes`: the store, then ApplyChanges(changes, state), then the book
//   ... (rebuild it when plans changed; a report-only commit leaves it valid) ...
//   std::vector<StatusChange> moved = watch.After(state, book);
//
// WHAT IS WATCHED. The (unit, indicator, period) assignments the changes can move:
//   - a report (u, i, day d): indicator i and every derived indicator that uses i (as a
//     part, or a part of a part), each for the watched periods of (u, that indicator)
//     that contain d;
//   - a unit plan (u, i, P): every watched period of (u, i) that overlaps any plan of
//     (u, i), old or new (a month plan inside a year plan moves the other months' shares,
//     so all of them are watched).
// The watched periods of (u, i) are the periods of `options.grains` (month, quarter and
// year by default) and of every grain at which (u, i) has an explicit plan, before or
// after (a unit with week plans also gets week events); multi-year periods are watched
// as the spans of (u, i)'s explicit multi-year plans.
// Group plans, memberships and group rows are not watched (unit statuses do not depend
// on them). Changes of the calendar, of profiles or of an indicator's definition can move
// the statuses of every unit at once; they are NOT watched (structure imports, not live
// events): a batch with such changes may move statuses that After does not report.
//
// AS OF. Both the statuses before and after are evaluated as of the same day: the last
// reported day of the State AFTER the change (the previous last reported day, or the
// latest report in the changes when that is later). So only the changed data moves a
// status, never the passage of time: a report for a new day does not turn every other
// unit's running month from on_track to at_risk. When the State has no report at all
// after the change, nothing is watched (there is no day to evaluate).
//
// A unit or indicator new in the changes had no status before: it counts as no_plan.
//
// COST. Proportional to the watched assignments (about the changed units x their touched
// indicators x grains) times the days of each period, independent of the number of
// units in the State: each status is one engine::ComputeUnitRows row, the same figures
// ComputeFulfilment gives.
//
// Thread-safety: a StatusWatch is a value; the constructor and After only read.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/changes.h"
#include "core/model.h"
#include "core/period.h"
#include "engine/assignments.h"
#include "engine/fulfilment.h"
#include "engine/state.h"

namespace chollima::engine {

// One assignment whose status the commit moved; the figures are those after it.
struct StatusChange {
  UnitId unit = kNoId;
  IndicatorId indicator = kNoId;
  Period period;
  FulfilmentStatus from = FulfilmentStatus::kNoPlan;
  FulfilmentStatus to = FulfilmentStatus::kNoPlan;
  double percent = 0;  // NaN when undefined
  double plan = 0;     // NaN when undefined
  double actual = 0;   // NaN when missing
};

struct StatusWatchOptions {
  // Grains always watched (others only where the unit has explicit plans at them).
  // kMultiYear here watches nothing more: multi-year periods are plan spans.
  std::vector<Grain> grains = {Grain::kMonth, Grain::kQuarter, Grain::kYear};
  StatusThresholds thresholds;
};

class StatusWatch {
 public:
  // Records the status of every assignment `changes` can move (see WHAT IS WATCHED), in
  // `state` before the commit. REQUIRES: `book` built from `state`; `changes` valid for
  // `state` (as the service validates them).
  StatusWatch(const State& state, const AssignmentBook& book, const Changes& changes,
              StatusWatchOptions options = {});

  // The watched assignments whose status differs in `state` (after the commit), ordered
  // by unit, indicator, then period (begin, then grain). REQUIRES: `state` is the State
  // given to the constructor with `changes` applied; `book` built from it.
  std::vector<StatusChange> After(const State& state, const AssignmentBook& book) const;

  // The day both statuses are evaluated on; nullopt when nothing is watched for want of
  // any report.
  std::optional<Date> as_of() const { return as_of_; }
  // How many assignments are watched.
  size_t watched() const { return watched_.size(); }

 private:
  struct Watched {
    Period period;
    UnitId unit = kNoId;
    IndicatorId indicator = kNoId;
    FulfilmentStatus before = FulfilmentStatus::kNoPlan;
  };
  // The rows of `watched_` [begin, end) (one period) in `state`; a pair unknown to it
  // gets a no_plan row.
  std::vector<FulfilmentRow> Rows(const State& state, const AssignmentBook& book, size_t begin,
                                  size_t end) const;

  StatusWatchOptions options_;
  std::optional<Date> as_of_;
  std::vector<Watched> watched_;  // ordered by period, then unit, then indicator; unique
};

}  // namespace chollima::engine
