// The efficiency frontier of a peer group over a period (F8, F9): the units of the
// group, their inputs and outputs aggregated over the period, scored by the DEA kernel
// (engine/dea.h).
//
// PEER GROUP. One of: all units; the units within a group of a hierarchy on the
// period's first day; the units of one league of a drive (its standings as of the
// period's last day); and, for any of these, only the units whose attributes pass the
// filter bounds (capacity >= 500). Units in code order.
//
// FIGURES. Each indicator's actual over the period by its aggregation
// (engine/fulfilment.h AggregateSeries); only non-derived indicators. Default inputs:
// every indicator with role input; default outputs: every indicator with role output
// that some unit of the group reported in the period.
//
// EXCLUDED, never silently dropped nor scored, with the first reason that applies:
// "no report of <indicator> in <period>", "<indicator> is 0 (an input must be > 0)",
// "<indicator> is negative", "every output is 0". Excluded units are not part of the
// frontier of the others.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/period.h"
#include "core/status.h"
#include "engine/dea.h"
#include "engine/state.h"

namespace chollima::engine {

struct AttributeBound {
  std::string attribute;
  bool lower = true;  // true: attribute >= value; false: attribute < value
  double value = 0;
  friend bool operator==(const AttributeBound&, const AttributeBound&) = default;
};

struct PeerGroupSpec {
  enum class Kind { kAll, kGroup, kLeague };
  Kind kind = Kind::kAll;
  GroupId group = kNoId;  // kGroup
  DriveId drive = kNoId;  // kLeague
  std::string league;     // kLeague: the league's name in the drive's standings
  std::vector<AttributeBound> filter;
};

struct FrontierQuery {
  PeerGroupSpec peers;
  Period period;
  std::vector<IndicatorId> inputs;   // empty: the defaults (see FIGURES)
  std::vector<IndicatorId> outputs;  // empty: the defaults
  dea::Options options;
};

struct ExcludedUnit {
  UnitId unit = kNoId;
  std::string reason;
};

struct FrontierUnit {
  UnitId unit = kNoId;
  std::vector<double> inputs;  // the figures, in the order of FrontierResult::inputs
  std::vector<double> outputs;
  dea::UnitResult result;  // peers' `unit` fields are UnitIds (not DEA indexes)
};

struct FrontierResult {
  std::vector<IndicatorId> inputs;
  std::vector<IndicatorId> outputs;
  std::vector<FrontierUnit> units;  // scored units, in code order
  std::vector<ExcludedUnit> excluded;
  std::vector<UnitId> frame;  // the extreme-efficient units, in code order
  dea::Options options;       // as asked
  dea::Stats stats;
};

// The units of the peer group (before exclusions), in code order. Fails with
// kInvalidArgument / kNotFound naming what is wrong with the spec.
Result<std::vector<UnitId>> PeerGroupUnits(const State& state, const PeerGroupSpec& spec,
                                           const Period& period);

// Frontiers solved before, by what they were solved from: the same units, figures and
// options give the same frontier without solving again, so a report of another peer
// group or another period, or a second page over the same peer group (a unit's
// learning page, the pairs' progress), costs only the figures' aggregation and a
// comparison. At most `max_entries` frontiers and `max_units` units over all of them;
// the least recently used go first. Thread-safe: the solving itself runs outside the
// lock (two readers asking for the same new frontier may both solve it).
class FrontierCache {
 public:
  explicit FrontierCache(size_t max_entries = 32, size_t max_units = 2'000'000);

  // dea::Solve(data, options) of the units `ids`, or the one kept for equal arguments.
  Result<std::shared_ptr<const dea::Frontier>> Solve(const std::vector<UnitId>& ids,
                                                     const dea::Data& data,
                                                     const dea::Options& options);
  struct Counters {
    int64_t hits = 0;    // answered from a kept frontier
    int64_t solves = 0;  // solved
  };
  Counters counters() const;

 private:
  struct Entry {
    std::vector<UnitId> ids;
    dea::Data data;
    dea::Options options;
    std::shared_ptr<const dea::Frontier> frontier;
    uint64_t used = 0;
  };
  const size_t max_entries_;
  const size_t max_units_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  uint64_t clock_ = 0;
  Counters counters_;
};

// Fails with kInvalidArgument for a derived or repeated indicator, an input among the
// outputs, no inputs or no outputs; with kFailedPrecondition when fewer than one unit
// remains after exclusions (the excluded ones are named in the message, first five).
// With a cache, the DEA step is looked up there first (and kept there).
Result<FrontierResult> ComputeFrontier(const State& state, const FrontierQuery& query,
                                       FrontierCache* cache = nullptr);

// A unit's figure of a (non-derived) indicator over a period (NaN when not reported).
double UnitFigure(const State& state, UnitId unit, IndicatorId indicator, const Period& period);

}  // namespace chollima::engine
