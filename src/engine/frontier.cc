#include "engine/frontier.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/assignments.h"
#include "engine/drive.h"
#include "engine/fulfilment.h"

namespace chollima::engine {
namespace {

const std::string& IndicatorCode(const State& state, IndicatorId i) {
  return state.indicators()[static_cast<size_t>(i)].code;
}

bool PassesFilter(const Unit& unit, const std::vector<AttributeBound>& filter) {
  for (const AttributeBound& b : filter) {
    const auto it = std::find_if(unit.attributes.begin(), unit.attributes.end(),
                                 [&](const auto& a) { return a.first == b.attribute; });
    if (it == unit.attributes.end()) return false;
    if (b.lower ? !(it->second >= b.value) : !(it->second < b.value)) return false;
  }
  return true;
}

void SortByCode(const State& state, std::vector<UnitId>& units) {
  std::sort(units.begin(), units.end(), [&](UnitId a, UnitId b) {
    return state.units()[static_cast<size_t>(a)].code < state.units()[static_cast<size_t>(b)].code;
  });
}

// Checks a list of indicators given by the caller (or fills in the defaults).
Status CheckIndicators(const State& state, const std::vector<IndicatorId>& list,
                       std::string_view what) {
  for (size_t k = 0; k < list.size(); ++k) {
    const IndicatorId i = list[k];
    if (i < 0 || static_cast<size_t>(i) >= state.indicators().size()) {
      return NotFound(std::string(what) + ": unknown indicator id " + std::to_string(i));
    }
    if (state.indicators()[static_cast<size_t>(i)].IsDerived()) {
      return InvalidArgument(std::string(what) + ": " + IndicatorCode(state, i) +
                             " is a ratio of two indicators; the frontier takes their parts");
    }
    if (std::find(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(k), i) !=
        list.begin() + static_cast<std::ptrdiff_t>(k)) {
      return InvalidArgument(std::string(what) + ": " + IndicatorCode(state, i) +
                             " is listed twice");
    }
  }
  return OkStatus();
}

}  // namespace

double UnitFigure(const State& state, UnitId unit, IndicatorId indicator, const Period& period) {
  return AggregateUnitSeries(state, unit, indicator, period.begin, period.end).actual;
}

Result<std::vector<UnitId>> PeerGroupUnits(const State& state, const PeerGroupSpec& spec,
                                           const Period& period) {
  std::vector<UnitId> units;
  const auto n = static_cast<UnitId>(state.units().size());
  switch (spec.kind) {
    case PeerGroupSpec::Kind::kAll:
      for (UnitId u = 0; u < n; ++u) units.push_back(u);
      break;
    case PeerGroupSpec::Kind::kGroup: {
      if (spec.group < 0 || static_cast<size_t>(spec.group) >= state.groups().size()) {
        return NotFound("peer group: unknown group id " + std::to_string(spec.group));
      }
      const HierarchyId h = state.groups()[static_cast<size_t>(spec.group)].hierarchy;
      for (UnitId u = 0; u < n; ++u) {
        const GroupId g = state.GroupOf(u, h, period.begin);
        if (g != kNoId && state.IsWithin(g, spec.group)) units.push_back(u);
      }
      break;
    }
    case PeerGroupSpec::Kind::kLeague: {
      if (spec.drive < 0 || static_cast<size_t>(spec.drive) >= state.drives().size()) {
        return NotFound("peer group: unknown drive id " + std::to_string(spec.drive));
      }
      const Drive& drive = state.drives()[static_cast<size_t>(spec.drive)];
      if (drive.participants.groups) {
        return InvalidArgument("peer group: drive " + drive.code +
                               " is a competition of groups; its leagues hold no units");
      }
      const AssignmentBook book(state);
      StandingsQuery q;
      q.as_of = period.end - 1;
      auto table = ComputeStandings(state, book, spec.drive, drive, state.drive_results(), q);
      if (!table.ok()) return table.error();
      const auto league = std::find_if(table->leagues.begin(), table->leagues.end(),
                                       [&](const League& l) { return l.name == spec.league; });
      if (league == table->leagues.end()) {
        std::string names;
        for (const League& l : table->leagues) names += (names.empty() ? "" : ", ") + l.name;
        return NotFound("peer group: drive " + drive.code + " has no league \"" + spec.league +
                        "\" on " + FormatDate(q.as_of) + " (its leagues: " + names + ")");
      }
      for (const StandingRow& row : table->rows) {
        if (row.league == league->index) units.push_back(row.participant.id);
      }
      break;
    }
  }
  if (!spec.filter.empty()) {
    std::erase_if(units, [&](UnitId u) {
      return !PassesFilter(state.units()[static_cast<size_t>(u)], spec.filter);
    });
  }
  SortByCode(state, units);
  return units;
}

FrontierCache::FrontierCache(size_t max_entries, size_t max_units)
    : max_entries_(std::max<size_t>(1, max_entries)), max_units_(max_units) {}

FrontierCache::Counters FrontierCache::counters() const {
  const std::lock_guard lock(mu_);
  return counters_;
}

Result<std::shared_ptr<const dea::Frontier>> FrontierCache::Solve(const std::vector<UnitId>& ids,
                                                                  const dea::Data& data,
                                                                  const dea::Options& options) {
  const auto same = [&](const Entry& e) {
    return e.options == options && e.ids == ids && e.data.inputs == data.inputs &&
           e.data.outputs == data.outputs && e.data.x == data.x && e.data.y == data.y;
  };
  {
    const std::lock_guard lock(mu_);
    for (Entry& e : entries_) {
      if (same(e)) {
        e.used = ++clock_;
        ++counters_.hits;
        return e.frontier;
      }
    }
  }
  auto solved = dea::Solve(data, options);
  if (!solved.ok()) return solved.error();
  auto frontier = std::make_shared<const dea::Frontier>(std::move(*solved));
  const std::lock_guard lock(mu_);
  ++counters_.solves;
  if (ids.size() > max_units_) return frontier;  // too big to keep
  // Replaces the entry of the same units and options (its figures are older), else
  // adds one; then forgets the least recently used while over either bound.
  const auto old = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return e.options == options && e.ids == ids;
  });
  if (old != entries_.end()) entries_.erase(old);
  entries_.push_back({ids, data, options, frontier, ++clock_});
  size_t units = 0;
  for (const Entry& e : entries_) units += e.ids.size();
  while (entries_.size() > max_entries_ || units > max_units_) {
    const auto lru =
        std::min_element(entries_.begin(), entries_.end(),
                         [](const Entry& a, const Entry& b) { return a.used < b.used; });
    units -= lru->ids.size();
    entries_.erase(lru);
  }
  return frontier;
}

Result<FrontierResult> ComputeFrontier(const State& state, const FrontierQuery& query,
                                       FrontierCache* cache) {
  CHOLLIMA_ASSIGN_OR_RETURN(const std::vector<UnitId> members,
                            PeerGroupUnits(state, query.peers, query.period));
  FrontierResult out;
  out.inputs = query.inputs;
  out.outputs = query.outputs;
  CHOLLIMA_RETURN_IF_ERROR(CheckIndicators(state, out.inputs, "inputs"));
  CHOLLIMA_RETURN_IF_ERROR(CheckIndicators(state, out.outputs, "outputs"));
  for (IndicatorId i : out.inputs) {
    if (std::find(out.outputs.begin(), out.outputs.end(), i) != out.outputs.end()) {
      return InvalidArgument("outputs: " + IndicatorCode(state, i) + " is also an input");
    }
  }
  const auto ni = static_cast<IndicatorId>(state.indicators().size());
  if (out.inputs.empty()) {
    for (IndicatorId i = 0; i < ni; ++i) {
      const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
      if (!ind.IsDerived() && ind.role == Role::kInput) out.inputs.push_back(i);
    }
  }
  if (out.outputs.empty()) {
    for (IndicatorId i = 0; i < ni; ++i) {
      const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
      if (ind.IsDerived() || ind.role != Role::kOutput) continue;
      const bool reported = std::any_of(members.begin(), members.end(), [&](UnitId u) {
        return AggregateUnitSeries(state, u, i, query.period.begin, query.period.end)
                   .reported_days > 0;
      });
      if (reported) out.outputs.push_back(i);
    }
  }
  if (out.inputs.empty()) return InvalidArgument("inputs: no indicator has the role input");
  if (out.outputs.empty()) {
    return InvalidArgument("outputs: no unit of the peer group reported an output in " +
                           FormatPeriod(query.period));
  }

  const size_t m = out.inputs.size();
  const size_t s = out.outputs.size();
  dea::Data data;
  data.inputs = static_cast<int32_t>(m);
  data.outputs = static_cast<int32_t>(s);
  const std::string period = FormatPeriod(query.period);
  std::vector<double> xs(m);
  std::vector<double> ys(s);
  for (UnitId u : members) {
    std::string reason;
    for (size_t k = 0; k < m && reason.empty(); ++k) {
      xs[k] = UnitFigure(state, u, out.inputs[k], query.period);
      const std::string& code = IndicatorCode(state, out.inputs[k]);
      if (std::isnan(xs[k])) {
        reason = "no report of " + code;
        reason += " in " + period;
      } else if (xs[k] < 0) {
        reason = code + " is negative";
      } else if (xs[k] == 0) {
        reason = code + " is 0 (an input must be > 0)";
      }
    }
    bool any_output = false;
    for (size_t k = 0; k < s && reason.empty(); ++k) {
      ys[k] = UnitFigure(state, u, out.outputs[k], query.period);
      const std::string& code = IndicatorCode(state, out.outputs[k]);
      if (std::isnan(ys[k])) {
        reason = "no report of " + code;
        reason += " in " + period;
      } else if (ys[k] < 0) {
        reason = code + " is negative";
      }
      any_output = any_output || ys[k] > 0;
    }
    if (reason.empty() && !any_output) reason = "every output is 0";
    if (!reason.empty()) {
      out.excluded.push_back({u, std::move(reason)});
      continue;
    }
    data.x.insert(data.x.end(), xs.begin(), xs.end());
    data.y.insert(data.y.end(), ys.begin(), ys.end());
    out.units.push_back({.unit = u, .inputs = xs, .outputs = ys, .result = {}});
  }
  data.units = static_cast<int32_t>(out.units.size());
  if (out.units.empty()) {
    std::string names;
    for (size_t k = 0; k < out.excluded.size() && k < 5; ++k) {
      const ExcludedUnit& e = out.excluded[k];
      names += (k ? "; " : "") + state.units()[static_cast<size_t>(e.unit)].code + ": " + e.reason;
    }
    return FailedPrecondition(
        "no unit of the peer group can be scored in " + period +
        (names.empty() ? std::string(" (the group is empty)") : " (" + names + ")"));
  }
  // From the cache a shared frontier, copied; else a fresh one, moved.
  std::shared_ptr<const dea::Frontier> kept;
  dea::Frontier own;
  if (cache != nullptr) {
    std::vector<UnitId> ids;
    ids.reserve(out.units.size());
    for (const FrontierUnit& u : out.units) ids.push_back(u.unit);
    CHOLLIMA_ASSIGN_OR_RETURN(kept, cache->Solve(ids, data, query.options));
  } else {
    auto fresh = dea::Solve(data, query.options);
    if (!fresh.ok()) return fresh.error();
    own = std::move(*fresh);
  }
  const dea::Frontier& solved = kept ? *kept : own;
  for (size_t j = 0; j < out.units.size(); ++j) {
    dea::UnitResult& r = out.units[j].result;
    if (kept) {
      r = solved.units[j];
    } else {
      r = std::move(own.units[j]);
    }
    for (dea::Peer& p : r.peers) p.unit = out.units[static_cast<size_t>(p.unit)].unit;
  }
  for (int32_t f : solved.frame) out.frame.push_back(out.units[static_cast<size_t>(f)].unit);
  SortByCode(state, out.frame);
  out.options = query.options;
  out.stats = solved.stats;
  return out;
}

}  // namespace chollima::engine
