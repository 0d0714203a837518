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

// The median of sorted values (the mean of the middle two for an even count).
double SortedMedian(const std::vector<double>& v) {
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The median of |v_i - m| for sorted v, by merging the deviations on both sides of m
// (each side is already ordered by distance from m).
double SortedMad(const std::vector<double>& v, double m) {
  const size_t n = v.size();
  size_t right = static_cast<size_t>(std::lower_bound(v.begin(), v.end(), m) - v.begin());
  size_t left = right;  // the next left element is v[left - 1]
  const size_t k1 = (n - 1) / 2;
  const size_t k2 = n / 2;
  double d1 = 0;
  double d2 = 0;
  for (size_t k = 0; k <= k2; ++k) {
    double d;
    if (left == 0) {
      d = v[right++] - m;
    } else if (right == n) {
      d = m - v[--left];
    } else {
      const double dl = m - v[left - 1];
      const double dr = v[right] - m;
      if (dl <= dr) {
        d = dl;
        --left;
      } else {
        d = dr;
        ++right;
      }
    }
    if (k == k1) d1 = d;
    if (k == k2) d2 = d;
  }
  return n % 2 == 1 ? d2 : (d1 + d2) / 2;
}

// The first index of sorted v[0, n) whose value is >= x (branch-free: the window is
// searched once or twice per report).
size_t LowerBound(const double* v, size_t n, double x) {
  const double* base = v;
  while (n > 1) {
    const size_t half = n / 2;
    base = base[half - 1] < x ? base + half : base;
    n -= half;
  }
  return static_cast<size_t>(base - v) + (n == 1 && *base < x ? 1 : 0);
}

Period PeriodFromKey(Grain grain, int32_t begin) { return PeriodOf(grain, Date(begin)); }

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
  std::vector<double> sorted;  // the history window, sorted
  sorted.reserve(kOutlierWindow + 1);
  std::array<double, kOutlierWindow> ring{};  // the window in report order
  size_t ring_start = 0;
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
    } else if (sorted.size() >= static_cast<size_t>(kOutlierMinHistory) &&
               (x < sorted.front() || x > sorted.back())) {
      const double m = SortedMedian(sorted);
      const double dev = std::fabs(x - m);
      const double floor = kOutlierRelativeFloor * std::fabs(m);
      // dev <= threshold * floor already proves score <= threshold (scale >= floor):
      // the MAD is only needed for the few reports beyond it.
      if (dev > kOutlierThreshold * floor) {
        const double scale = std::max(kOutlierMadScale * SortedMad(sorted, m), floor);
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
    // Slide the window: the oldest value leaves, x enters, one shift between the two.
    if (sorted.size() == static_cast<size_t>(kOutlierWindow)) {
      const double oldest = ring[ring_start];
      ring[ring_start] = x;
      ring_start = (ring_start + 1) % ring.size();
      double* v = sorted.data();
      const size_t e = LowerBound(v, sorted.size(), oldest);
      const size_t i = LowerBound(v, sorted.size(), x);
      if (i > e) {
        std::memmove(v + e, v + e + 1, (i - 1 - e) * sizeof(double));
        v[i - 1] = x;
      } else {
        std::memmove(v + i + 1, v + i, (e - i) * sizeof(double));
        v[i] = x;
      }
    } else {
      ring[sorted.size()] = x;
      sorted.insert(
          sorted.begin() + static_cast<std::ptrdiff_t>(LowerBound(sorted.data(), sorted.size(), x)),
          x);
    }
  }
}

void RecordBook::ComputeCandidates(const State& state, int32_t series) {
  SeriesData& sd = series_[static_cast<size_t>(series)];
  for (GrainData& g : sd.grains) g.runs.clear();
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
  const size_t hierarchies = state.hierarchies().size();
  std::vector<GroupId> groups;
  auto groups_on = [&](Date d) {
    groups.clear();
    for (size_t h = 0; h < hierarchies; ++h) {
      for (GroupId g = state.GroupOf(sd.unit, static_cast<HierarchyId>(h), d); g != kNoId;
           g = state.groups()[static_cast<size_t>(g)].parent) {
        groups.push_back(g);
      }
    }
    std::sort(groups.begin(), groups.end());
  };

  // Adds a candidate (in increasing period order) whose membership day is `member_day`.
  auto add = [&](GrainData& g, size_t& segment, Candidate c, Date member_day) {
    const auto seg = static_cast<size_t>(
        std::upper_bound(breaks.begin(), breaks.end(), member_day) - breaks.begin());
    if (g.runs.empty() || seg != segment) {
      segment = seg;
      groups_on(member_day);
      if (g.runs.empty() || g.runs.back().groups != groups) {
        g.runs.push_back(Run{groups, {}});
      }
    }
    std::vector<Candidate>& st = g.runs.back().staircase;
    if (st.empty() || CandidateBetter(c, st.back(), sign)) st.push_back(c);
  };

  if (ind.grain == Grain::kDay) {
    GrainData& g = sd.grains[0];
    size_t segment = 0;
    for (size_t t = 0; t < scratch_.size(); ++t) {
      if (IsMissing(scratch_[t])) continue;
      const Date d = origin + static_cast<int32_t>(t);
      add(g, segment, Candidate{d.days(), scratch_[t]}, d);
    }
  }
  const bool running = ind.direction == Direction::kHigher && ind.aggregation == Aggregation::kSum;
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
      const std::span<const double> span(scratch_.data() + (p.begin - origin),
                                         static_cast<size_t>(p.days()));
      const SeriesAggregate a = AggregateSeries(span, ind.aggregation);
      if (a.reported_days == 0) continue;
      size_t k = span.size();
      while (IsMissing(span[k - 1])) --k;
      add(g, segment, Candidate{p.begin.days(), a.actual}, p.begin + static_cast<int32_t>(k - 1));
    }
  }
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

void RecordBook::RebuildAll(const State& state) {
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
    ComputeCandidates(state, static_cast<int32_t>(s));
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
  RebuildAll(state);
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
  last_ = state.LastReportedDay();
  const Cutoff cutoff = CutoffOf(last_);
  if (cutoff != cutoff_ || !changes.changed_indicators.empty()) {
    // Which months and years count changed (or a direction or aggregation): all of them.
    cutoff_ = cutoff;
    std::map<RecordKey, RecordEntry, KeyLess> before = std::move(table_);
    RebuildAll(state);
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
        events.push_back(std::move(*ev));
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
    ComputeCandidates(state, s);
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
      events.push_back(std::move(*ev));
    }
    if (after) {
      if (it == table_.end()) {
        table_.emplace(key, std::move(*after));
      } else {
        it->second = std::move(*after);
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
