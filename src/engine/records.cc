#include "engine/records.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>

#include "engine/fulfilment.h"

namespace chollima::engine {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int32_t kNoBound = std::numeric_limits<int32_t>::max();
constexpr std::array<Grain, 3> kGrains = {Grain::kDay, Grain::kMonth, Grain::kYear};

uint64_t PairKey(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

size_t GrainIndex(Grain g) { return g == Grain::kDay ? 0 : g == Grain::kMonth ? 1 : 2; }

double SignOf(Direction d) { return d == Direction::kHigher ? 1.0 : -1.0; }

// Within one unit's candidates (periods distinct): a higher score, then the earlier period.
template <typename C>
bool CandidateBetter(const C& a, const C& b, double sign) {
  const double sa = sign * a.value;
  const double sb = sign * b.value;
  if (sa != sb) return sa > sb;
  return a.period < b.period;
}

// The median of v (the mean of the middle two for an even count), by selection: v is
// reordered.
double SelectMedian(std::vector<double>& v) {
  const size_t n = v.size();
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  const double upper = *mid;
  return n % 2 == 1 ? upper : (*std::max_element(v.begin(), mid) + upper) / 2;
}

Period PeriodFromKey(Grain grain, int32_t begin) { return PeriodOf(grain, Date(begin)); }

// The groups `unit` belongs to on `day` in every hierarchy, leaves and their ancestors,
// sorted.
void GroupsOn(const State& state, UnitId unit, Date day, std::vector<GroupId>& out) {
  out.clear();
  for (size_t h = 0; h < state.hierarchies().size(); ++h) {
    for (GroupId g = state.GroupOf(unit, static_cast<HierarchyId>(h), day); g != kNoId;
         g = state.groups()[static_cast<size_t>(g)].parent) {
      out.push_back(g);
    }
  }
  std::sort(out.begin(), out.end());
}

// A period's value from the counted days of a series (`days` from `origin`, blocked
// reports NaN, covering `p`) and its membership day (the last day with a counted
// report); nullopt when no day of `p` has one.
struct PeriodValue {
  double value = 0;
  Date member_day;
};
std::optional<PeriodValue> ValueOfPeriod(std::span<const double> days, Date origin, const Period& p,
                                         Aggregation aggregation) {
  const std::span<const double> span =
      days.subspan(static_cast<size_t>(p.begin - origin), static_cast<size_t>(p.days()));
  const SeriesAggregate a = AggregateSeries(span, aggregation);
  if (a.reported_days == 0) return std::nullopt;
  size_t k = span.size();
  while (IsMissing(span[k - 1])) --k;
  return PeriodValue{a.actual, p.begin + static_cast<int32_t>(k - 1)};
}

// Whether the month and year periods of an indicator count while they run (see
// SEMANTICS: a higher-is-better sum only grows).
bool CountsRunning(const Indicator& ind) {
  return ind.direction == Direction::kHigher && ind.aggregation == Aggregation::kSum;
}

}  // namespace

const char* RecordScopeName(RecordScope s) {
  switch (s) {
    case RecordScope::kUnit:
      return "unit";
    case RecordScope::kGroup:
      return "group";
    case RecordScope::kAll:
      return "all";
  }
  return "all";
}

bool RecordBook::KeyLess::operator()(const RecordKey& a, const RecordKey& b) const {
  return std::make_tuple(a.indicator, static_cast<int>(a.grain), static_cast<int>(a.scope),
                         a.scope_id) < std::make_tuple(b.indicator, static_cast<int>(b.grain),
                                                       static_cast<int>(b.scope), b.scope_id);
}

bool RecordBook::RanksBefore(const RecordValue& a, const RecordValue& b, Direction direction) {
  const double sign = SignOf(direction);
  const double sa = sign * a.value;
  const double sb = sign * b.value;
  if (sa != sb) return sa > sb;
  if (a.period.begin != b.period.begin) return a.period.begin < b.period.begin;
  return a.holder < b.holder;
}

RecordBook::Cutoff RecordBook::CutoffOf(std::optional<Date> last) {
  if (!last) return {0, 0, 0, 0};
  const Date next = *last + 1;
  return {PeriodOf(Grain::kMonth, next).begin.days(), PeriodOf(Grain::kYear, next).begin.days(),
          PeriodOf(Grain::kMonth, *last).begin.days(), PeriodOf(Grain::kYear, *last).begin.days()};
}

void RecordBook::EnsureSizes(const State& state) {
  const size_t indicators = state.indicators().size();
  if (sets_.size() < indicators) sets_.resize(indicators);
  direction_.resize(indicators);
  for (size_t i = 0; i < indicators; ++i) direction_[i] = state.indicators()[i].direction;
  const size_t groups = state.groups().size();
  for (auto& grains : sets_) {
    for (ScopeSets& s : grains) {
      if (s.groups.size() < groups) s.groups.resize(groups);
    }
  }
  if (series_.size() < state.series_count()) series_.resize(state.series_count());
}

void RecordBook::AddReview(const OutlierReview& r) {
  reviews_[PairKey(r.unit, r.indicator)][r.date.days()] = Review{r.value, r.confirmed};
}

void RecordBook::ComputeOutliers(const State& state, int32_t series) {
  SeriesData& sd = series_[static_cast<size_t>(series)];
  sd.outliers.clear();
  const Indicator& ind = state.indicators()[static_cast<size_t>(sd.indicator)];
  const Unit& unit = state.units()[static_cast<size_t>(sd.unit)];
  std::optional<double> capacity;
  const std::string cap_name = "capacity_" + ind.code;
  for (const auto& [name, value] : unit.attributes) {
    if (name == cap_name) {
      capacity = value;
      break;
    }
  }
  const std::map<int32_t, Review>* reviews = nullptr;
  if (auto it = reviews_.find(PairKey(sd.unit, sd.indicator)); it != reviews_.end()) {
    reviews = &it->second;
  }

  const std::span<const double> days = state.Series(series);
  const Date origin = state.origin();
  // The history window: the last kOutlierWindow present values in report order, with
  // its running minimum and maximum. Most reports lie inside that range and need no
  // median; the others copy the window and select it.
  std::array<double, kOutlierWindow> ring{};
  size_t count = 0;
  size_t ring_start = 0;
  double lo = kInf;
  double hi = -kInf;
  int lo_count = 0;
  int hi_count = 0;
  std::vector<double>& buf = window_scratch_;
  for (size_t t = 0; t < days.size(); ++t) {
    const double x = days[t];
    if (IsMissing(x)) continue;
    Outlier o;
    bool flagged = false;
    if (capacity && x > *capacity) {
      flagged = true;
      o.reason = "capacity";
      o.expected = *capacity;
      o.score = x - *capacity;
    } else if (count >= static_cast<size_t>(kOutlierMinHistory) && (x < lo || x > hi)) {
      buf.assign(ring.begin(), ring.begin() + static_cast<std::ptrdiff_t>(count));
      const double m = SelectMedian(buf);
      const double dev = std::fabs(x - m);
      const double floor = kOutlierRelativeFloor * std::fabs(m);
      // dev <= threshold * floor already proves score <= threshold (scale >= floor):
      // the MAD is only needed for the few reports beyond it.
      if (dev > kOutlierThreshold * floor) {
        for (double& v : buf) v = std::fabs(v - m);
        const double scale = std::max(kOutlierMadScale * SelectMedian(buf), floor);
        const double score = scale > 0 ? dev / scale : (dev > 0 ? kInf : 0.0);
        if (score > kOutlierThreshold) {
          flagged = true;
          o.reason = "history";
          o.expected = m;
          o.score = score;
        }
      }
    }
    const Date d = origin + static_cast<int32_t>(t);
    if (flagged) {
      o.unit = sd.unit;
      o.indicator = sd.indicator;
      o.date = d;
      o.value = x;
      if (reviews != nullptr) {
        if (auto it = reviews->find(d.days()); it != reviews->end() && it->second.value == x) {
          o.confirmed = it->second.confirmed;
        }
      }
      sd.outliers.push_back(o);
    }
    // Slide the window, keeping how many of its values equal the minimum and the
    // maximum: the range is rescanned only when the last of them leaves.
    auto enter = [&](double v) {
      if (v < lo) {
        lo = v;
        lo_count = 0;
      }
      if (v > hi) {
        hi = v;
        hi_count = 0;
      }
      lo_count += v == lo;
      hi_count += v == hi;
    };
    if (count < ring.size()) {
      ring[count++] = x;
      enter(x);
      continue;
    }
    const double oldest = ring[ring_start];
    ring[ring_start] = x;
    ring_start = ring_start + 1 == ring.size() ? 0 : ring_start + 1;
    lo_count -= oldest == lo;
    hi_count -= oldest == hi;
    if (lo_count == 0 || hi_count == 0) {
      lo = kInf;
      hi = -kInf;
      for (const double v : ring) enter(v);
    } else {
      enter(x);
    }
  }
}

void RecordBook::ComputeCandidates(const State& state, int32_t series, bool days_too) {
  SeriesData& sd = series_[static_cast<size_t>(series)];
  for (size_t gi = days_too ? 0 : 1; gi < 3; ++gi) sd.grains[gi].runs.clear();
  const Indicator& ind = state.indicators()[static_cast<size_t>(sd.indicator)];
  if (ind.IsDerived()) return;
  const double sign = SignOf(ind.direction);
  const std::span<const double> days = state.Series(series);
  const Date origin = state.origin();
  scratch_.assign(days.begin(), days.end());
  for (const Outlier& o : sd.outliers) {
    if (o.confirmed != true)
      scratch_[static_cast<size_t>(o.date - origin)] = std::numeric_limits<double>::quiet_NaN();
  }
  const std::optional<Date> last = state.LastReportedDay();
  if (!last) return;

  // Membership segments: the groups change only on the days memberships start.
  const std::vector<Membership>& ms = state.MembershipsOf(sd.unit);
  std::vector<Date> breaks;
  breaks.reserve(ms.size());
  for (const Membership& m : ms) breaks.push_back(m.from);
  std::sort(breaks.begin(), breaks.end());
  breaks.erase(std::unique(breaks.begin(), breaks.end()), breaks.end());
  std::vector<GroupId> groups;

  // Adds a candidate (in increasing period order) whose membership day is `member_day`.
  auto add = [&](GrainData& g, size_t& segment, Candidate c, Date member_day) {
    const auto seg = static_cast<size_t>(
        std::upper_bound(breaks.begin(), breaks.end(), member_day) - breaks.begin());
    if (g.runs.empty() || seg != segment) {
      segment = seg;
      GroupsOn(state, sd.unit, member_day, groups);
      if (g.runs.empty() || g.runs.back().groups != groups) {
        g.runs.push_back(Run{groups, {}});
      }
    }
    std::vector<Candidate>& st = g.runs.back().staircase;
    if (st.empty() || CandidateBetter(c, st.back(), sign)) st.push_back(c);
  };

  if (days_too && ind.grain == Grain::kDay) {
    GrainData& g = sd.grains[0];
    size_t segment = 0;
    for (size_t t = 0; t < scratch_.size(); ++t) {
      if (IsMissing(scratch_[t])) continue;
      const Date d = origin + static_cast<int32_t>(t);
      add(g, segment, Candidate{d.days(), scratch_[t]}, d);
    }
  }
  const bool running = CountsRunning(ind);
  const Date end = origin + static_cast<int32_t>(scratch_.size());
  for (size_t gi = 1; gi < 3; ++gi) {
    const Grain grain = kGrains[gi];
    if (ind.grain > grain) continue;
    GrainData& g = sd.grains[gi];
    size_t segment = 0;
    for (const Period& p : PeriodsOverlapping(grain, origin, end)) {
      if (p.begin > *last) break;
      const bool complete = p.end - 1 <= *last;
      if (!complete && !running) continue;
      if (const std::optional<PeriodValue> v =
              ValueOfPeriod(scratch_, origin, p, ind.aggregation)) {
        add(g, segment, Candidate{p.begin.days(), v->value}, v->member_day);
      }
    }
  }
}

bool RecordBook::CompletedPeriodsChange(const State& state, int32_t series, Date old_last,
                                        Date new_last) {
  const SeriesData& sd = series_[static_cast<size_t>(series)];
  const Indicator& ind = state.indicators()[static_cast<size_t>(sd.indicator)];
  if (ind.IsDerived() || CountsRunning(ind)) return false;
  const std::span<const double> days = state.Series(series);
  const Date origin = state.origin();
  const Date end = origin + static_cast<int32_t>(days.size());
  const double sign = SignOf(ind.direction);
  for (size_t gi = 1; gi < 3; ++gi) {
    if (ind.grain > kGrains[gi]) continue;
    // The one period that holds the old L, complete now and not before; the series has no
    // report after the old L, so no later period has a value.
    const Period p = PeriodOf(kGrains[gi], old_last);
    if (p.end - 1 <= old_last || p.end - 1 > new_last) continue;
    if (p.begin < origin || p.end > end) return true;  // outside the series: recompute it
    scratch_.assign(days.begin() + (p.begin - origin), days.begin() + (p.end - origin));
    const auto first = std::lower_bound(sd.outliers.begin(), sd.outliers.end(), p.begin,
                                        [](const Outlier& o, Date d) { return o.date < d; });
    for (auto o = first; o != sd.outliers.end() && o->date < p.end; ++o) {
      if (o->confirmed != true) {
        scratch_[static_cast<size_t>(o->date - p.begin)] = std::numeric_limits<double>::quiet_NaN();
      }
    }
    const std::optional<PeriodValue> v = ValueOfPeriod(scratch_, p.begin, p, ind.aggregation);
    if (!v) continue;
    // It would be appended (ComputeCandidates' order): a new run when its membership
    // differs from the last run's, else a step of the last staircase when it beats it.
    const GrainData& g = sd.grains[gi];
    if (g.runs.empty()) return true;
    GroupsOn(state, sd.unit, v->member_day, scopes_scratch_);
    if (g.runs.back().groups != scopes_scratch_) return true;
    const std::vector<Candidate>& st = g.runs.back().staircase;
    if (st.empty() || CandidateBetter(Candidate{p.begin.days(), v->value}, st.back(), sign)) {
      return true;
    }
  }
  return false;
}

const RecordBook::Candidate* RecordBook::BestIn(const GrainData& g, int32_t scope, int32_t before,
                                                double sign) const {
  const Candidate* best = nullptr;
  for (const Run& run : g.runs) {
    if (scope != kNoId && !std::binary_search(run.groups.begin(), run.groups.end(), scope)) {
      continue;
    }
    const auto it = std::lower_bound(run.staircase.begin(), run.staircase.end(), before,
                                     [](const Candidate& c, int32_t b) { return c.period < b; });
    if (it == run.staircase.begin()) continue;
    const Candidate& c = *(it - 1);
    if (best == nullptr || CandidateBetter(c, *best, sign)) best = &c;
  }
  return best;
}

void RecordBook::InsertContributions(int32_t series, std::vector<Pending>* pending) {
  SeriesData& sd = series_[static_cast<size_t>(series)];
  const double sign = SignOf(direction_[static_cast<size_t>(sd.indicator)]);
  for (size_t gi = 0; gi < 3; ++gi) {
    GrainData& g = sd.grains[gi];
    g.contributions.clear();
    if (g.runs.empty()) continue;
    std::vector<int32_t>& scopes = scopes_scratch_;
    scopes.assign(1, kNoId);
    for (const Run& run : g.runs) scopes.insert(scopes.end(), run.groups.begin(), run.groups.end());
    std::sort(scopes.begin(), scopes.end());
    scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
    ScopeSets& sets = sets_[static_cast<size_t>(sd.indicator)][gi];
    for (int32_t scope : scopes) {
      const Candidate* c = BestIn(g, scope, kNoBound, sign);
      if (c == nullptr) continue;
      const Entry e{sign * c->value, c->period, sd.unit, series, c->value};
      g.contributions.emplace_back(scope, e);
      if (pending != nullptr) {
        pending->push_back({sd.indicator, static_cast<int32_t>(gi), scope, e});
      } else {
        (scope == kNoId ? sets.all : sets.groups[static_cast<size_t>(scope)]).insert(e);
      }
    }
  }
}

void RecordBook::EraseContributions(int32_t series) {
  SeriesData& sd = series_[static_cast<size_t>(series)];
  for (size_t gi = 0; gi < 3; ++gi) {
    GrainData& g = sd.grains[gi];
    ScopeSets& sets = sets_[static_cast<size_t>(sd.indicator)][gi];
    for (const auto& [scope, e] : g.contributions) {
      (scope == kNoId ? sets.all : sets.groups[static_cast<size_t>(scope)]).erase(e);
    }
    g.contributions.clear();
  }
}

std::optional<RecordEntry> RecordBook::ComputeEntry(const RecordKey& key, const RecordEntry* old,
                                                    std::span<const int32_t> touched) const {
  const size_t gi = GrainIndex(key.grain);
  const double sign = SignOf(direction_[static_cast<size_t>(key.indicator)]);
  auto value_of = [&](UnitId unit, const Candidate& c) {
    return RecordValue{unit, PeriodFromKey(key.grain, c.period), c.value};
  };
  if (key.scope == RecordScope::kUnit) {
    const auto it = series_of_.find(PairKey(key.scope_id, key.indicator));
    if (it == series_of_.end()) return std::nullopt;
    const GrainData& g = series_[static_cast<size_t>(it->second)].grains[gi];
    const Candidate* best = BestIn(g, kNoId, kNoBound, sign);
    if (best == nullptr) return std::nullopt;
    RecordEntry out{key, value_of(key.scope_id, *best), {}};
    if (const Candidate* p = BestIn(g, kNoId, best->period, sign)) {
      out.previous = value_of(key.scope_id, *p);
    }
    return out;
  }
  const ScopeSets& sets = sets_[static_cast<size_t>(key.indicator)][gi];
  const EntrySet& set =
      key.scope == RecordScope::kAll ? sets.all : sets.groups[static_cast<size_t>(key.scope_id)];
  if (set.empty()) return std::nullopt;
  const int32_t scope = key.scope == RecordScope::kAll ? kNoId : key.scope_id;
  const Entry& top = *set.begin();
  RecordEntry out{key, RecordValue{top.unit, PeriodFromKey(key.grain, top.period), top.value}, {}};
  std::optional<Entry> prev;
  auto consider = [&](const Entry& e) {
    if (!prev || EntryLess{}(e, *prev)) prev = e;
  };
  auto entry_of = [&](const RecordValue& v) {
    return Entry{sign * v.value, v.period.begin.days(), v.holder, -1, v.value};
  };
  auto untouched = [&](UnitId u) {
    return std::none_of(touched.begin(), touched.end(),
                        [&](int32_t s) { return series_[static_cast<size_t>(s)].unit == u; });
  };
  // Incremental: the untouched units' candidates did not change, so their best before
  // the record's period is known from the old entry when the period did not move back
  // and the unit it came from was not touched; the touched units are asked directly.
  bool known = false;
  if (old != nullptr) {
    const int32_t old_period = old->record.period.begin.days();
    if (top.period == old_period) {
      if (!old->previous) {
        known = true;
      } else if (untouched(old->previous->holder)) {
        known = true;
        prev = entry_of(*old->previous);
      }
    } else if (top.period > old_period && untouched(old->record.holder)) {
      known = true;
      prev = entry_of(old->record);
    }
  }
  if (known) {
    for (int32_t s : touched) {
      const SeriesData& sd = series_[static_cast<size_t>(s)];
      if (const Candidate* c = BestIn(sd.grains[gi], scope, top.period, sign)) {
        consider(Entry{sign * c->value, c->period, sd.unit, s, c->value});
      }
    }
  } else {
    // The best before the record's period: walk the units in order of their best until
    // no later unit can beat what was found (a unit's candidates never beat its best).
    for (const Entry& e : set) {
      if (prev && !EntryLess{}(e, *prev)) break;
      if (e.period < top.period) {
        consider(e);
        continue;
      }
      const Candidate* c =
          BestIn(series_[static_cast<size_t>(e.series)].grains[gi], scope, top.period, sign);
      if (c != nullptr) consider(Entry{sign * c->value, c->period, e.unit, e.series, c->value});
    }
  }
  if (prev) out.previous = value_of(prev->unit, Candidate{prev->period, prev->value});
  return out;
}

void RecordBook::RebuildAll(const State& state, bool days_too) {
  for (auto& grains : sets_) {
    for (ScopeSets& s : grains) {
      s.all.clear();
      for (EntrySet& g : s.groups) g.clear();
    }
  }
  table_.clear();
  // Sets filled in order (each insertion at the end) rather than one search per entry.
  std::vector<Pending> pending;
  for (size_t s = 0; s < series_.size(); ++s) {
    if (series_[s].unit == kNoId) continue;
    ComputeCandidates(state, static_cast<int32_t>(s), days_too);
    InsertContributions(static_cast<int32_t>(s), &pending);
  }
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
    if (a.indicator != b.indicator) return a.indicator < b.indicator;
    if (a.grain != b.grain) return a.grain < b.grain;
    if (a.scope != b.scope) return a.scope < b.scope;
    return EntryLess{}(a.entry, b.entry);
  });
  for (const Pending& p : pending) {
    ScopeSets& sets = sets_[static_cast<size_t>(p.indicator)][static_cast<size_t>(p.grain)];
    EntrySet& set = p.scope == kNoId ? sets.all : sets.groups[static_cast<size_t>(p.scope)];
    set.emplace_hint(set.end(), p.entry);
  }
  auto put = [&](const RecordKey& key) {
    if (std::optional<RecordEntry> e = ComputeEntry(key, nullptr, {})) {
      table_.emplace_hint(table_.end(), key, *e);
    }
  };
  // In key order, so that every insertion is at the end.
  for (size_t i = 0; i < sets_.size(); ++i) {
    const auto indicator = static_cast<IndicatorId>(i);
    std::vector<UnitId> units;
    for (int32_t s : state.SeriesOf(indicator)) units.push_back(state.SeriesUnit(s));
    std::sort(units.begin(), units.end());
    for (size_t gi = 0; gi < 3; ++gi) {
      const Grain grain = kGrains[gi];
      for (UnitId u : units) put({indicator, grain, RecordScope::kUnit, u});
      const ScopeSets& sets = sets_[i][gi];
      for (size_t g = 0; g < sets.groups.size(); ++g) {
        if (!sets.groups[g].empty()) {
          put({indicator, grain, RecordScope::kGroup, static_cast<int32_t>(g)});
        }
      }
      put({indicator, grain, RecordScope::kAll, kNoId});
    }
  }
}

void RecordBook::Register(const State& state, int32_t series, UnitId unit, IndicatorId indicator) {
  if (series_.size() < state.series_count()) series_.resize(state.series_count());
  SeriesData& sd = series_[static_cast<size_t>(series)];
  if (sd.unit != kNoId) return;
  sd.unit = unit;
  sd.indicator = indicator;
  series_of_[PairKey(unit, indicator)] = series;
}

RecordBook::RecordBook(const State& state, std::span<const OutlierReview> reviews) {
  EnsureSizes(state);
  for (const OutlierReview& r : reviews) AddReview(r);
  for (size_t i = 0; i < state.indicators().size(); ++i) {
    const auto indicator = static_cast<IndicatorId>(i);
    for (int32_t s : state.SeriesOf(indicator)) {
      Register(state, s, state.SeriesUnit(s), indicator);
    }
  }
  for (size_t s = 0; s < series_.size(); ++s) {
    if (series_[s].unit != kNoId) ComputeOutliers(state, static_cast<int32_t>(s));
  }
  last_ = state.LastReportedDay();
  cutoff_ = CutoffOf(last_);
  RebuildAll(state, true);
}

namespace {

// The event for one key, or nullopt when its record did not change (see SEMANTICS).
std::optional<RecordEvent> EventFor(const RecordKey& key, const RecordEntry* before,
                                    const RecordEntry* after, Direction direction) {
  if (before == nullptr && after == nullptr) return std::nullopt;
  if (before != nullptr && after != nullptr && before->record == after->record) return std::nullopt;
  RecordEvent ev;
  ev.key = key;
  if (after != nullptr) ev.record = after->record;
  if (before != nullptr) ev.previous = before->record;
  if (before == nullptr) {
    ev.kind = RecordEvent::Kind::kNewRecord;
  } else if (after == nullptr) {
    ev.kind = RecordEvent::Kind::kWithdrawn;
  } else {
    ev.kind = RecordBook::RanksBefore(after->record, before->record, direction)
                  ? RecordEvent::Kind::kNewRecord
                  : RecordEvent::Kind::kWithdrawn;
  }
  return ev;
}

}  // namespace

std::vector<RecordEvent> RecordBook::Apply(const State& state,
                                           std::span<const OutlierReview> /*reviews*/,
                                           const Changes& changes) {
  EnsureSizes(state);
  std::vector<int32_t> touched;
  auto touch = [&](UnitId unit, IndicatorId indicator) {
    if (unit < 0 || indicator < 0) return;
    const int32_t s = state.FindSeries(unit, indicator);
    if (s < 0) return;
    Register(state, s, unit, indicator);
    touched.push_back(s);
  };
  for (const OutlierReview& r : changes.outlier_reviews) {
    AddReview(r);
    touch(r.unit, r.indicator);
  }
  for (const Report& r : changes.reports) touch(r.unit, r.indicator);
  auto touch_unit = [&](UnitId unit) {
    for (size_t i = 0; i < state.indicators().size(); ++i) {
      touch(unit, static_cast<IndicatorId>(i));
    }
  };
  for (const auto& [id, u] : changes.changed_units) touch_unit(id);
  for (const Membership& m : changes.memberships) touch_unit(m.unit);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (int32_t s : touched) ComputeOutliers(state, s);

  std::vector<RecordEvent> events;
  const std::optional<Date> old_last = last_;
  last_ = state.LastReportedDay();
  const Cutoff cutoff = CutoffOf(last_);
  if (cutoff != cutoff_ && changes.changed_indicators.empty() && old_last && last_ &&
      *last_ >= *old_last) {
    // L moved forward past the end of a month (or year). The touched series are redone
    // below anyway; an untouched one has no report after the old L, so the only period
    // it can gain is the month (year) of the old L, complete now, of an indicator whose
    // running period did not count. Those it gains are redone like touched ones.
    cutoff_ = cutoff;
    const size_t touched_before = touched.size();
    for (size_t s = 0; s < series_.size(); ++s) {
      const auto id = static_cast<int32_t>(s);
      if (series_[s].unit == kNoId ||
          std::binary_search(touched.begin(),
                             touched.begin() + static_cast<std::ptrdiff_t>(touched_before), id)) {
        continue;
      }
      if (CompletedPeriodsChange(state, id, *old_last, *last_)) touched.push_back(id);
    }
    std::sort(touched.begin(), touched.end());
  } else if (cutoff != cutoff_ || !changes.changed_indicators.empty()) {
    // Which months and years count changed (or a direction or aggregation): all of them.
    cutoff_ = cutoff;
    std::map<RecordKey, RecordEntry, KeyLess> before = std::move(table_);
    // Day candidates do not depend on L: only the touched series' are redone, unless
    // an indicator changed (its direction or grain).
    const bool days_too = !changes.changed_indicators.empty();
    if (!days_too) {
      for (int32_t s : touched) ComputeCandidates(state, s, true);
    }
    RebuildAll(state, days_too);
    auto a = before.begin();
    auto b = table_.begin();
    while (a != before.end() || b != table_.end()) {
      const RecordEntry* x = nullptr;
      const RecordEntry* y = nullptr;
      RecordKey key;
      if (b == table_.end() || (a != before.end() && KeyLess{}(a->first, b->first))) {
        key = a->first;
        x = &(a++)->second;
      } else if (a == before.end() || KeyLess{}(b->first, a->first)) {
        key = b->first;
        y = &(b++)->second;
      } else {
        key = a->first;
        x = &(a++)->second;
        y = &(b++)->second;
      }
      if (auto ev = EventFor(key, x, y, direction_[static_cast<size_t>(key.indicator)])) {
        events.push_back(*ev);
      }
    }
    return events;
  }

  std::vector<RecordKey> dirty;
  auto mark = [&](int32_t series) {
    const SeriesData& sd = series_[static_cast<size_t>(series)];
    for (size_t gi = 0; gi < 3; ++gi) {
      dirty.push_back({sd.indicator, kGrains[gi], RecordScope::kUnit, sd.unit});
      for (const auto& [scope, e] : sd.grains[gi].contributions) {
        dirty.push_back({sd.indicator, kGrains[gi],
                         scope == kNoId ? RecordScope::kAll : RecordScope::kGroup, scope});
      }
    }
  };
  for (int32_t s : touched) {
    mark(s);
    EraseContributions(s);
    ComputeCandidates(state, s, true);
    InsertContributions(s, nullptr);
    mark(s);
  }
  std::sort(dirty.begin(), dirty.end(), KeyLess{});
  dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
  // The touched series of each indicator.
  std::sort(touched.begin(), touched.end(), [&](int32_t a, int32_t b) {
    return series_[static_cast<size_t>(a)].indicator < series_[static_cast<size_t>(b)].indicator;
  });
  for (const RecordKey& key : dirty) {
    auto first = std::partition_point(touched.begin(), touched.end(), [&](int32_t t) {
      return series_[static_cast<size_t>(t)].indicator < key.indicator;
    });
    auto last = std::partition_point(first, touched.end(), [&](int32_t t) {
      return series_[static_cast<size_t>(t)].indicator == key.indicator;
    });
    const auto it = table_.find(key);
    const RecordEntry* before = it == table_.end() ? nullptr : &it->second;
    std::optional<RecordEntry> after =
        ComputeEntry(key, before,
                     std::span<const int32_t>(touched.data() + (first - touched.begin()),
                                              static_cast<size_t>(last - first)));
    if (auto ev = EventFor(key, before, after ? &*after : nullptr,
                           direction_[static_cast<size_t>(key.indicator)])) {
      events.push_back(*ev);
    }
    if (after) {
      if (it == table_.end()) {
        table_.emplace(key, *after);
      } else {
        it->second = *after;
      }
    } else if (it != table_.end()) {
      table_.erase(it);
    }
  }
  return events;
}

const RecordEntry* RecordBook::Find(const RecordKey& key) const {
  const auto it = table_.find(key);
  return it == table_.end() ? nullptr : &it->second;
}

std::vector<RecordEntry> RecordBook::Records(const RecordFilter& filter) const {
  std::vector<RecordEntry> out;
  for (const auto& [key, entry] : table_) {
    if (filter.indicator && key.indicator != *filter.indicator) continue;
    if (filter.grain && key.grain != *filter.grain) continue;
    if (filter.scope && key.scope != *filter.scope) continue;
    if (filter.scope_id && key.scope_id != *filter.scope_id) continue;
    out.push_back(entry);
  }
  return out;
}

std::vector<Outlier> RecordBook::AllOutliers() const {
  std::vector<Outlier> out;
  for (const SeriesData& sd : series_)
    out.insert(out.end(), sd.outliers.begin(), sd.outliers.end());
  std::sort(out.begin(), out.end(), [](const Outlier& a, const Outlier& b) {
    return std::tie(a.unit, a.indicator, a.date) < std::tie(b.unit, b.indicator, b.date);
  });
  return out;
}

std::vector<Outlier> RecordBook::Outliers(std::optional<UnitId> unit,
                                          std::optional<IndicatorId> indicator) const {
  std::vector<Outlier> out;
  for (const Outlier& o : AllOutliers()) {
    if (unit && o.unit != *unit) continue;
    if (indicator && o.indicator != *indicator) continue;
    out.push_back(o);
  }
  return out;
}

bool operator==(const RecordBook& a, const RecordBook& b) {
  if (a.table_ != b.table_) return false;
  const std::vector<Outlier> x = a.AllOutliers();
  const std::vector<Outlier> y = b.AllOutliers();
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    const Outlier& p = x[i];
    const Outlier& q = y[i];
    if (p.unit != q.unit || p.indicator != q.indicator || p.date != q.date || p.value != q.value ||
        p.expected != q.expected || !(p.score == q.score) || std::strcmp(p.reason, q.reason) != 0 ||
        p.confirmed != q.confirmed) {
      return false;
    }
  }
  return true;
}

}  // namespace chollima::engine
