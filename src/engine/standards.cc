#include "engine/standards.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include "core/text.h"
#include "engine/fulfilment.h"

namespace chollima::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool IsSeasonGrain(Grain g) {
  return g == Grain::kMonth || g == Grain::kQuarter || g == Grain::kHalf || g == Grain::kYear;
}

bool KnownIndicator(const State& state, IndicatorId i) {
  return i >= 0 && static_cast<size_t>(i) < state.indicators().size();
}

bool KnownGroup(const State& state, GroupId g) {
  return g == kNoId || (g >= 0 && static_cast<size_t>(g) < state.groups().size());
}

// True when every ratio under `i` names known parts and no ratio is its own part.
bool IsWellFormed(const State& state, IndicatorId i, std::vector<uint8_t>& mark) {
  if (!KnownIndicator(state, i)) return false;
  const auto idx = static_cast<size_t>(i);
  if (mark[idx] == 2) return true;
  if (mark[idx] == 1) return false;  // a cycle
  mark[idx] = 1;
  const Indicator& ind = state.indicators()[idx];
  const bool ok = !ind.IsDerived() || (IsWellFormed(state, ind.numerator, mark) &&
                                       IsWellFormed(state, ind.denominator, mark));
  mark[idx] = ok ? 2 : 1;
  return ok;
}

bool IsWellFormed(const State& state, IndicatorId i) {
  std::vector<uint8_t> mark(state.indicators().size(), 0);
  return IsWellFormed(state, i, mark);
}

// The value of one unit (SEMANTICS), NaN when it has none. REQUIRES: `i` well formed.
double UnitIndicatorValue(const State& state, IndicatorId i, UnitId unit, const Period& season) {
  const Indicator& ind = state.indicators()[static_cast<size_t>(i)];
  if (ind.IsDerived()) {
    const double x = UnitIndicatorValue(state, ind.numerator, unit, season);
    const double y = UnitIndicatorValue(state, ind.denominator, unit, season);
    if (std::isnan(x) || std::isnan(y) || y == 0) return kNaN;
    return x / y;
  }
  const int32_t series = state.FindSeries(unit, i);
  if (series < 0) return kNaN;
  const Date lo = std::max(season.begin, state.origin());
  const Date hi = std::min(season.end, state.origin() + state.series_days());
  if (lo >= hi) return kNaN;
  const SeriesAggregate a =
      AggregateSeries(state.Series(series).subspan(static_cast<size_t>(lo - state.origin()),
                                                   static_cast<size_t>(hi - lo)),
                      ind.aggregation);
  return a.reported_days > 0 ? a.actual : kNaN;
}

bool IsBetter(double a, double b, Direction d) { return d == Direction::kHigher ? a > b : a < b; }

// A number for people: six significant digits, without trailing zeros ("44.1").
std::string Show(double v) {
  if (std::isnan(v)) return "none";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  double rounded = 0;
  if (!ParseNumber(buf, rounded)) return buf;
  const std::string s = FormatNumber(rounded);
  return s.empty() ? std::string(buf) : s;
}

struct Derivation {
  int32_t units = 0;
  double level = kNaN;
};

Derivation Derive(const State& state, IndicatorId i, GroupId g, const Period& season,
                  Direction direction) {
  const std::vector<UnitValue> values = PeerGroupValues(state, i, g, season);
  std::vector<double> v;
  v.reserve(values.size());
  for (const UnitValue& u : values) v.push_back(u.value);
  return {static_cast<int32_t>(values.size()), MedianOfTopQuartile(v, direction)};
}

std::string TooFew(const Derivation& d, const std::string& season) {
  return "too few units with a value in " + season + " (" + std::to_string(d.units) +
         ", the rule needs " + std::to_string(kMinUnitsForStandard) + ")";
}

Status CheckOptions(const StandardOptions& options) {
  if (!IsSeasonGrain(options.season)) {
    return InvalidArgument(std::string("season: grain '") + GrainName(options.season) +
                           "' is not one of month, quarter, half, year");
  }
  // Compared as days, not through ToCivil: any int32 day number must be safe here.
  if (options.as_of < Date::FromCivil(kMinYear, 1, 1) ||
      options.as_of > Date::FromCivil(kMaxYear, 12, 31)) {
    return InvalidArgument("as_of: " + std::to_string(options.as_of.days()) +
                           " (days since 1970-01-01) is outside years " + std::to_string(kMinYear) +
                           ".." + std::to_string(kMaxYear));
  }
  return OkStatus();
}

}  // namespace

std::vector<UnitValue> PeerGroupValues(const State& state, IndicatorId indicator,
                                       GroupId peer_group, const Period& season) {
  std::vector<UnitValue> out;
  if (!KnownIndicator(state, indicator) || !KnownGroup(state, peer_group)) return out;
  if (!(season.begin < season.end) || !IsWellFormed(state, indicator)) return out;
  const Date membership_day = season.end - 1;
  const HierarchyId hierarchy =
      peer_group == kNoId ? kNoId : state.groups()[static_cast<size_t>(peer_group)].hierarchy;
  const auto units = static_cast<UnitId>(state.units().size());
  for (UnitId u = 0; u < units; ++u) {
    if (peer_group != kNoId) {
      const GroupId g = state.GroupOf(u, hierarchy, membership_day);
      if (g == kNoId || !state.IsWithin(g, peer_group)) continue;
    }
    const double v = UnitIndicatorValue(state, indicator, u, season);
    if (!std::isnan(v)) out.push_back({u, v});
  }
  return out;
}

double MedianOfTopQuartile(std::span<const double> values, Direction direction) {
  std::vector<double> v;
  v.reserve(values.size());
  for (double x : values) {
    if (!std::isnan(x)) v.push_back(x);
  }
  if (v.size() < static_cast<size_t>(kMinUnitsForStandard)) return kNaN;
  const size_t k = (v.size() + 3) / 4;
  // Only the best k matter, in order: a partial sort.
  if (direction == Direction::kHigher) {
    std::partial_sort(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end(),
                      std::greater<double>());
  } else {
    std::partial_sort(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
  }
  if (k % 2 == 1) return v[k / 2];
  return (v[k / 2 - 1] + v[k / 2]) / 2;
}

bool MeetsStandard(double value, double standard, Direction direction) {
  return direction == Direction::kHigher ? value >= standard : value <= standard;
}

std::vector<Standard> StandardHistory(std::span<const Standard> standards, IndicatorId indicator,
                                      GroupId peer_group) {
  std::vector<Standard> out;
  for (const Standard& s : standards) {
    if (s.indicator == indicator && s.peer_group == peer_group) out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Standard& a, const Standard& b) { return a.from < b.from; });
  return out;
}

std::optional<Standard> StandardInForce(std::span<const Standard> standards, IndicatorId indicator,
                                        GroupId peer_group, Date day) {
  // The last of the stable order with from <= day: the latest `from`, and among equal
  // ones the later in `standards`.
  const Standard* found = nullptr;
  for (const Standard& s : standards) {
    if (s.indicator != indicator || s.peer_group != peer_group || s.from > day) continue;
    if (found == nullptr || s.from >= found->from) found = &s;
  }
  if (found == nullptr) return std::nullopt;
  return *found;
}

Result<Period> LastCompleteSeason(Grain season, Date as_of) {
  if (Status s = CheckOptions({.as_of = as_of, .season = season}); !s.ok()) return s.error();
  // As of its last day a season is complete (as_of counts as reported, as everywhere).
  const Period holding = PeriodOf(season, as_of);
  if (as_of == holding.end - 1) return holding;
  return PeriodOf(season, holding.begin - 1);
}

double DeriveStandardValue(const State& state, IndicatorId indicator, GroupId peer_group,
                           const Period& season) {
  if (!KnownIndicator(state, indicator)) return kNaN;
  const Direction direction = state.indicators()[static_cast<size_t>(indicator)].direction;
  return Derive(state, indicator, peer_group, season, direction).level;
}

Result<std::vector<StandardStatus>> EvaluateStandards(const State& state,
                                                      std::span<const Standard> standards,
                                                      const StandardOptions& options) {
  Result<Period> season = LastCompleteSeason(options.season, options.as_of);
  if (!season.ok()) return season.error();
  std::vector<std::pair<IndicatorId, GroupId>> keys;
  for (const Standard& s : standards) {
    if (!KnownIndicator(state, s.indicator)) {
      return NotFound("standard: indicator " + std::to_string(s.indicator) + " does not exist");
    }
    if (!KnownGroup(state, s.peer_group)) {
      return NotFound("standard: peer group " + std::to_string(s.peer_group) + " does not exist");
    }
    keys.emplace_back(s.indicator, s.peer_group);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

  std::vector<StandardStatus> out;
  out.reserve(keys.size());
  for (const auto& [indicator, peer_group] : keys) {
    const Direction direction = state.indicators()[static_cast<size_t>(indicator)].direction;
    StandardStatus st;
    st.indicator = indicator;
    st.peer_group = peer_group;
    st.history = StandardHistory(standards, indicator, peer_group);
    const std::optional<Standard> current =
        StandardInForce(standards, indicator, peer_group, options.as_of);
    st.in_force = current.has_value();
    if (current) {
      st.current = *current;
    } else {
      st.current.indicator = indicator;
      st.current.peer_group = peer_group;
      st.current.value = kNaN;
    }
    st.season = *season;
    const std::vector<UnitValue> values = PeerGroupValues(state, indicator, peer_group, *season);
    std::vector<double> v;
    v.reserve(values.size());
    for (const UnitValue& u : values) {
      v.push_back(u.value);
      if (st.in_force && MeetsStandard(u.value, st.current.value, direction)) ++st.meeting;
    }
    st.units = static_cast<int32_t>(values.size());
    st.advanced_level = MedianOfTopQuartile(v, direction);
    out.push_back(std::move(st));
  }
  return out;
}

Result<RebaseProposal> ProposeRebase(const State& state, std::span<const Standard> standards,
                                     IndicatorId indicator, GroupId peer_group,
                                     const StandardOptions& options) {
  if (!KnownIndicator(state, indicator)) {
    return NotFound("indicator " + std::to_string(indicator) + " does not exist");
  }
  if (!KnownGroup(state, peer_group)) {
    return NotFound("peer group " + std::to_string(peer_group) + " does not exist");
  }
  Result<Period> last = LastCompleteSeason(options.season, options.as_of);
  if (!last.ok()) return last.error();
  const Period s1 = *last;
  const Period s0 = PeriodOf(options.season, s1.begin - 1);
  const std::string name1 = FormatPeriod(s1);
  const std::string name0 = FormatPeriod(s0);
  const Direction direction = state.indicators()[static_cast<size_t>(indicator)].direction;
  const bool higher = direction == Direction::kHigher;

  RebaseProposal out;
  const std::optional<Standard> current =
      StandardInForce(standards, indicator, peer_group, options.as_of);
  if (current) {
    out.standard = *current;
  } else {
    out.standard.indicator = indicator;
    out.standard.peer_group = peer_group;
    out.standard.value = kNaN;
  }

  for (const Standard& s : StandardHistory(standards, indicator, peer_group)) {
    if (s.from >= s1.end) {
      out.reason = "no re-base: the revision from " + FormatDate(s.from);
      out.reason += " already follows " + name1 + ", which is decided";
      return out;
    }
  }

  const Derivation d1 = Derive(state, indicator, peer_group, s1, direction);
  Standard proposal{.indicator = indicator,
                    .peer_group = peer_group,
                    .from = s1.end,
                    .value = 0,
                    .source = StandardSource::kDerived,
                    .note = {}};
  if (!current) {
    if (std::isnan(d1.level)) {
      out.reason = "no standard yet, and " + TooFew(d1, name1);
      return out;
    }
    proposal.value = d1.level;
    out.reason = "first standard: the median of the top quartile of " + std::to_string(d1.units) +
                 " units in " + name1 + " is " + Show(d1.level);
    proposal.note = out.reason;
    out.rebase = true;
    out.standard = std::move(proposal);
    return out;
  }

  const Derivation d0 = Derive(state, indicator, peer_group, s0, direction);
  const double c = current->value;
  if (std::isnan(d0.level) || std::isnan(d1.level)) {
    out.reason = "no re-base: " +
                 TooFew(std::isnan(d0.level) ? d0 : d1, std::isnan(d0.level) ? name0 : name1);
    return out;
  }
  const bool better0 = IsBetter(d0.level, c, direction);
  const bool better1 = IsBetter(d1.level, c, direction);
  const std::string levels = Show(d0.level) + " in " + name0 + " and " + Show(d1.level) + " in " +
                             name1 + " against " + Show(c);
  if (better0 && better1) {
    proposal.value = higher ? std::min(d0.level, d1.level) : std::max(d0.level, d1.level);
    out.reason = "the advanced reached " + levels + ": re-based to " + Show(proposal.value) +
                 ", the less demanding of the two";
    proposal.note = out.reason;
    out.rebase = true;
    out.standard = std::move(proposal);
    return out;
  }
  if (better0 || better1) {
    out.reason = "no re-base: the advanced beat " + Show(c) + " only in " +
                 (better1 ? name1 : name0) + " (" + levels + "); one good season is not enough";
    return out;
  }
  out.reason = "no re-base: the advanced did not beat the standard (" + levels + ")";
  return out;
}

}  // namespace chollima::engine
