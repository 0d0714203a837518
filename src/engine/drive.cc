#include "engine/drive.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <utility>

namespace chollima::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kStreakTolerance = 1e-9;
// Figures kept per participant and term: actual, plan to date, base, capacity.
constexpr size_t kFig = 4;
constexpr size_t kX = 0, kPlan = 1, kBase = 2, kCap = 3;

struct Term {
  IndicatorId indicator = kNoId;
  Aggregation aggregation = Aggregation::kSum;
  Role role = Role::kOutput;
  bool divisible = true;
  bool rolls_up_as_mean = false;
  bool lower = false;
  Normalization normalization = Normalization::kPercentOfPlan;
  double weight = 1;
  IndicatorId capacity = kNoId;
  Aggregation capacity_aggregation = Aggregation::kSum;
  Role capacity_role = Role::kOutput;
};

// A valid drive resolved against a State.
struct Spec {
  DriveId id = kNoId;
  const Drive* drive = nullptr;
  std::vector<Term> terms;
  std::vector<Season> seasons;
  std::vector<IndicatorId> streak_indicators;  // distinct, in term order
  int32_t tier_count = 1;
};

// The rows of one table (participants of a season, or the groups of a level) and their
// leagues.
struct Table {
  Season season;
  bool groups = false;
  std::vector<PlanTarget> rows;  // by increasing id
  std::vector<int32_t> league;   // by row
  std::vector<League> leagues;
  // Units whose figures count in group totals (participants; all units for group drives).
  std::vector<uint8_t> eligible;
  HierarchyId member_hierarchy = kNoId;  // group rows: their hierarchy
  int member_level = 1;
};

struct Window {
  bool valid = false;  // false: no standings that day (before the season)
  Date as_of;
  Date members_day;  // E
  Date begin, end;   // [season.begin, E + 1)
  Date base_begin, base_end;
};

// The figures and evaluation of a table on one day.
struct DayEval {
  std::vector<double> figs;  // rows x terms x kFig
  std::vector<ScorePart> parts;
  std::vector<uint8_t> scored;
  std::vector<std::string> reason;
  std::vector<double> score;
  std::vector<int32_t> rank, overall, position;
  std::vector<int32_t> order;  // scored rows in listing order (score, then id)
  RankIndex index;             // the scored rows by score (ids: row indexes)
  std::vector<std::pair<int32_t, double>> page;
};

bool IsSum(Aggregation a) { return a == Aggregation::kSum; }

Date ShiftYearBack(Date d) {
  CivilDate c = d.ToCivil();
  c.year -= 1;
  if (c.month == 2 && c.day == 29) c.day = 28;
  return Date::FromCivil(c.year, c.month, c.day);
}

double UnitActual(const State& state, UnitId u, IndicatorId ind, Aggregation agg, Date b, Date e) {
  const double none = IsSum(agg) ? 0.0 : kNaN;
  if (e <= b) return none;
  const int32_t s = state.FindSeries(u, ind);
  if (s < 0) return none;
  const int32_t lo = std::max<int32_t>(b - state.origin(), 0);
  const int32_t hi = std::min<int32_t>(e - state.origin(), state.series_days());
  if (hi <= lo) return none;
  return AggregateSeries(
             state.Series(s).subspan(static_cast<size_t>(lo), static_cast<size_t>(hi - lo)), agg)
      .actual;
}

double TargetPlan(const AssignmentBook& book, const PlanTarget& t, const Term& term, Date b,
                  Date e) {
  if (e <= b) return 0;
  const int32_t key = book.KeyOf(t, term.indicator);
  if (key < 0) return kNaN;
  return book.PlanOfKey(key, term.divisible, b, e);
}

// The group rule over member values: sum (mean over present for quality); none present:
// 0 for sum-aggregated indicators, else NaN.
struct Acc {
  double sum = 0;
  int32_t n = 0;
  void Add(double v) {
    if (std::isnan(v)) return;
    sum += v;
    ++n;
  }
  double Actual(Role role, Aggregation agg) const {
    if (n == 0) return IsSum(agg) && role != Role::kQuality ? 0.0 : kNaN;
    return role == Role::kQuality ? sum / n : sum;
  }
  double Plan(bool mean) const {
    if (n == 0) return kNaN;
    return mean ? sum / n : sum;
  }
};

void UnitFigures(const State& state, const AssignmentBook& book, const Spec& spec, UnitId u,
                 const Window& w, double* out) {
  for (size_t t = 0; t < spec.terms.size(); ++t) {
    const Term& term = spec.terms[t];
    double* f = out + t * kFig;
    f[kX] = UnitActual(state, u, term.indicator, term.aggregation, w.begin, w.end);
    f[kPlan] = term.normalization == Normalization::kPercentOfPlan
                   ? TargetPlan(book, {false, u}, term, w.begin, w.end)
                   : kNaN;
    f[kBase] =
        term.normalization == Normalization::kGrowth
            ? UnitActual(state, u, term.indicator, term.aggregation, w.base_begin, w.base_end)
            : kNaN;
    f[kCap] = term.normalization == Normalization::kPerCapacity
                  ? UnitActual(state, u, term.capacity, term.capacity_aggregation, w.begin, w.end)
                  : kNaN;
  }
}

// Row of each unit's group in a group table on `day` (-1: none).
std::vector<int32_t> MemberRows(const State& state, const Table& table,
                                const std::vector<int32_t>& row_of_group, Date day) {
  std::vector<int32_t> out(state.units().size(), -1);
  for (size_t u = 0; u < out.size(); ++u) {
    if (!table.eligible[u]) continue;
    const GroupId g0 = state.GroupOf(static_cast<UnitId>(u), table.member_hierarchy, day);
    if (g0 == kNoId) continue;
    const GroupId g = state.AncestorAt(g0, table.member_level);
    if (g == kNoId) continue;
    out[u] = row_of_group[static_cast<size_t>(g)];
  }
  return out;
}

std::vector<int32_t> RowOfGroup(const State& state, const Table& table) {
  std::vector<int32_t> out(state.groups().size(), -1);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    out[static_cast<size_t>(table.rows[r].id)] = static_cast<int32_t>(r);
  }
  return out;
}

// Group tables: what a group's figures on one day are made of, kept so that a report
// of one unit refreshes only that unit's figures and re-sums only its group.
struct GroupKept {
  std::vector<int32_t> member_row;           // unit -> its row that day (-1: none)
  std::vector<std::vector<UnitId>> members;  // row -> member units, by increasing id
  std::vector<double> unit_figs;             // unit x terms x kFig (members only)
};

// Row r's figures from its members' kept figures, summed in increasing unit id (the
// same order, hence the same doubles, whether from scratch or after a report).
void GroupRowFigures(const AssignmentBook& book, const Spec& spec, const Table& table,
                     const Window& w, const GroupKept& kept, size_t r, double* out) {
  const size_t nt = spec.terms.size();
  const size_t stride = nt * kFig;
  std::vector<Acc> acc(stride);
  for (const UnitId u : kept.members[r]) {
    const double* f = kept.unit_figs.data() + static_cast<size_t>(u) * stride;
    for (size_t k = 0; k < stride; ++k) acc[k].Add(f[k]);
  }
  for (size_t t = 0; t < nt; ++t) {
    const Term& term = spec.terms[t];
    const Acc* a = acc.data() + t * kFig;
    double* f = out + t * kFig;
    std::fill(f, f + kFig, kNaN);
    f[kX] = a[kX].Actual(term.role, term.aggregation);
    if (term.normalization == Normalization::kPercentOfPlan) {
      const double own = TargetPlan(book, table.rows[r], term, w.begin, w.end);
      f[kPlan] = w.end <= w.begin  ? 0.0
                 : std::isnan(own) ? a[kPlan].Plan(term.rolls_up_as_mean)
                                   : own;
    }
    if (term.normalization == Normalization::kGrowth) {
      f[kBase] = a[kBase].Actual(term.role, term.aggregation);
    }
    if (term.normalization == Normalization::kPerCapacity) {
      f[kCap] = a[kCap].Actual(term.capacity_role, term.capacity_aggregation);
    }
  }
}

// `kept` (group tables only, optional) receives the members and their figures.
void TableFigures(const State& state, const AssignmentBook& book, const Spec& spec,
                  const Table& table, const Window& w, std::vector<double>& figs,
                  GroupKept* kept = nullptr) {
  const size_t nt = spec.terms.size();
  const size_t stride = nt * kFig;
  figs.assign(table.rows.size() * stride, kNaN);
  if (!table.groups) {
    for (size_t r = 0; r < table.rows.size(); ++r) {
      UnitFigures(state, book, spec, table.rows[r].id, w, figs.data() + r * stride);
    }
    return;
  }
  GroupKept local;
  GroupKept& k = kept != nullptr ? *kept : local;
  k.member_row = MemberRows(state, table, RowOfGroup(state, table), w.members_day);
  k.members.assign(table.rows.size(), {});
  k.unit_figs.assign(k.member_row.size() * stride, kNaN);
  for (size_t u = 0; u < k.member_row.size(); ++u) {
    if (k.member_row[u] < 0) continue;
    k.members[static_cast<size_t>(k.member_row[u])].push_back(static_cast<UnitId>(u));
    UnitFigures(state, book, spec, static_cast<UnitId>(u), w, k.unit_figs.data() + u * stride);
  }
  for (size_t r = 0; r < table.rows.size(); ++r) {
    GroupRowFigures(book, spec, table, w, k, r, figs.data() + r * stride);
  }
}

std::string TermReason(size_t t, const char* why) {
  return "terms[" + std::to_string(t) + "]: " + why;
}

// The non-zscore parts and the score of row r (its zscore parts already set).
void ScoreRow(const Spec& spec, DayEval& ev, size_t r) {
  const size_t nt = spec.terms.size();
  double score = 0;
  for (size_t t = 0; t < nt; ++t) {
    const Term& term = spec.terms[t];
    const double* f = ev.figs.data() + (r * nt + t) * kFig;
    ScorePart& part = ev.parts[r * nt + t];
    const double x = f[kX];
    part.raw = x;
    const char* why = nullptr;
    double v = kNaN;
    if (std::isnan(x)) {
      why = "no actual";
    } else {
      switch (term.normalization) {
        case Normalization::kPercentOfPlan:
          if (std::isnan(f[kPlan])) {
            why = "no plan";
          } else if (!term.lower) {
            if (f[kPlan] == 0) {
              why = "plan to date is 0";
            } else {
              v = 100 * x / f[kPlan];
            }
          } else if (x == 0) {
            why = "actual is 0";
          } else {
            v = 100 * f[kPlan] / x;
          }
          break;
        case Normalization::kGrowth:
          if (std::isnan(f[kBase]) || f[kBase] == 0) {
            why = "no base";
          } else {
            v = 100 * (x - f[kBase]) / std::fabs(f[kBase]);
            if (term.lower) v = -v;
          }
          break;
        case Normalization::kPerCapacity:
          if (std::isnan(f[kCap]) || f[kCap] == 0) {
            why = "no capacity";
          } else {
            v = x / f[kCap];
            if (term.lower) v = -v;
          }
          break;
        case Normalization::kZScore:
          v = part.normalized;
          break;
      }
    }
    if (term.normalization != Normalization::kZScore) {
      part.normalized = v;
      part.weighted = std::isnan(v) ? kNaN : term.weight * v;
    }
    if (why != nullptr && ev.reason[r].empty()) ev.reason[r] = TermReason(t, why);
    score += part.weighted;
  }
  ev.scored[r] = 0;
  ev.score[r] = kNaN;
  if (ev.reason[r].empty() && !std::isnan(score)) {
    ev.scored[r] = 1;
    ev.score[r] = score;
  }
}

// Parts, scores and ranks from the figures (see SEMANTICS). With `touched` (and no zscore
// term, and an earlier evaluation of the same table) only those rows' figures changed:
// they are rescored and moved in the kept order, the same result as a full evaluation.
void Evaluate(const Spec& spec, const Table& table, DayEval& ev,
              const std::vector<size_t>* touched = nullptr) {
  const size_t n = table.rows.size();
  const size_t nt = spec.terms.size();
  const size_t nl = table.leagues.size();
  bool has_z = false;
  for (const Term& t : spec.terms) has_z = has_z || t.normalization == Normalization::kZScore;
  if (touched != nullptr && !has_z && ev.parts.size() == n * nt && ev.score.size() == n) {
    std::vector<uint8_t> moved(n, 0);
    for (const size_t r : *touched) {
      moved[r] = 1;
      std::fill(ev.parts.begin() + static_cast<std::ptrdiff_t>(r * nt),
                ev.parts.begin() + static_cast<std::ptrdiff_t>((r + 1) * nt),
                ScorePart{kNaN, kNaN, kNaN});
      ev.reason[r].clear();
      ScoreRow(spec, ev, r);
    }
    for (const size_t r : *touched) {
      if (ev.scored[r]) {
        ev.index.Set(static_cast<int32_t>(r), ev.score[r]);
      } else {
        ev.index.Erase(static_cast<int32_t>(r));
      }
    }
  } else {
    ev.parts.assign(n * nt, ScorePart{kNaN, kNaN, kNaN});
    ev.reason.assign(n, std::string());
    ev.scored.assign(n, 0);
    ev.score.assign(n, kNaN);
    for (size_t t = 0; t < nt; ++t) {
      const Term& term = spec.terms[t];
      if (term.normalization != Normalization::kZScore) continue;
      std::vector<double> sum(nl, 0), sq(nl, 0);
      std::vector<int32_t> cnt(nl, 0);
      for (size_t r = 0; r < n; ++r) {
        const double x = ev.figs[(r * nt + t) * kFig + kX];
        if (std::isnan(x)) continue;
        const auto l = static_cast<size_t>(table.league[r]);
        sum[l] += x;
        ++cnt[l];
      }
      for (size_t r = 0; r < n; ++r) {
        const double x = ev.figs[(r * nt + t) * kFig + kX];
        if (std::isnan(x)) continue;
        const auto l = static_cast<size_t>(table.league[r]);
        const double d = x - sum[l] / cnt[l];
        sq[l] += d * d;
      }
      for (size_t r = 0; r < n; ++r) {
        const double x = ev.figs[(r * nt + t) * kFig + kX];
        ScorePart& part = ev.parts[r * nt + t];
        part.raw = x;
        if (std::isnan(x)) continue;
        const auto l = static_cast<size_t>(table.league[r]);
        const double sd = std::sqrt(sq[l] / cnt[l]);
        double z = sd > 0 ? (x - sum[l] / cnt[l]) / sd : 0.0;
        if (term.lower) z = -z;
        part.normalized = z;
        part.weighted = term.weight * z;
      }
    }
    for (size_t r = 0; r < n; ++r) ScoreRow(spec, ev, r);
    std::vector<std::pair<int32_t, double>> entries;
    for (size_t r = 0; r < n; ++r) {
      if (ev.scored[r]) entries.emplace_back(static_cast<int32_t>(r), ev.score[r]);
    }
    ev.index.Assign(entries);
  }
  // The listing order of the scored rows: RankIndex's (score, then row = participant id).
  ev.index.Page(0, ev.index.size(), ev.page);
  ev.order.resize(ev.page.size());
  for (size_t i = 0; i < ev.page.size(); ++i) ev.order[i] = ev.page[i].first;
  // Ranks: competition ranks over the order, overall and per league.
  ev.rank.assign(n, 0);
  ev.overall.assign(n, 0);
  ev.position.assign(n, -1);
  const std::vector<int32_t>& order = ev.order;
  for (size_t i = 0; i < order.size(); ++i) {
    const auto r = static_cast<size_t>(order[i]);
    ev.overall[r] = i > 0 && ev.score[static_cast<size_t>(order[i - 1])] == ev.score[r]
                        ? ev.overall[static_cast<size_t>(order[i - 1])]
                        : static_cast<int32_t>(i) + 1;
  }
  std::vector<int32_t> count(nl, 0);
  std::vector<int32_t> last(nl, -1);
  for (const int32_t ri : order) {
    const auto r = static_cast<size_t>(ri);
    const auto l = static_cast<size_t>(table.league[r]);
    const int32_t pos = count[l]++;
    ev.position[r] = pos;
    ev.rank[r] = last[l] >= 0 && ev.score[static_cast<size_t>(last[l])] == ev.score[r]
                     ? ev.rank[static_cast<size_t>(last[l])]
                     : pos + 1;
    last[l] = ri;
  }
}

// At-plan test of one period for a unit or a group (members given).
bool AtPlan(const State& state, const AssignmentBook& book, const Spec& spec, const PlanTarget& t,
            const std::vector<UnitId>& members, Date b, Date e) {
  for (const IndicatorId ind : spec.streak_indicators) {
    const Term* term = nullptr;
    for (const Term& x : spec.terms) {
      if (x.indicator == ind) {
        term = &x;
        break;
      }
    }
    double actual = 0, plan = 0;
    if (!t.is_group) {
      actual = UnitActual(state, t.id, ind, term->aggregation, b, e);
      plan = TargetPlan(book, t, *term, b, e);
    } else {
      Acc a, p;
      for (const UnitId u : members) {
        a.Add(UnitActual(state, u, ind, term->aggregation, b, e));
        p.Add(TargetPlan(book, {false, u}, *term, b, e));
      }
      actual = a.Actual(term->role, term->aggregation);
      plan = TargetPlan(book, t, *term, b, e);
      if (std::isnan(plan)) plan = p.Plan(term->rolls_up_as_mean);
    }
    if (std::isnan(actual) || std::isnan(plan)) return false;
    const double tol = kStreakTolerance * std::max(std::fabs(actual), std::fabs(plan));
    if (term->lower ? actual > plan + tol : actual < plan - tol) return false;
  }
  return true;
}

int32_t StreakOf(const State& state, const AssignmentBook& book, const Spec& spec,
                 const PlanTarget& t, const std::vector<UnitId>& members, const Window& w) {
  int32_t streak = 0;
  Date e = w.end;
  while (e > w.begin) {
    Date b = e - 1;
    if (spec.drive->streak_grain == Grain::kMonth) {
      b = std::max(PeriodOf(Grain::kMonth, e - 1).begin, w.begin);
    }
    if (!AtPlan(state, book, spec, t, members, b, e)) break;
    ++streak;
    e = b;
  }
  return streak;
}

Window WindowOf(const Spec& spec, const Season& season, Date as_of, bool valid) {
  Window w;
  w.valid = valid;
  w.as_of = as_of;
  const Date last = std::min(as_of, season.end - 1);
  w.members_day = last;
  w.begin = season.begin;
  w.end = std::max(season.begin, last + 1);
  const int32_t len = w.end - w.begin;
  if (spec.drive->growth_base == GrowthBase::kPreviousYear) {
    w.base_begin = ShiftYearBack(season.begin);
    w.base_end = w.base_begin + len;
  } else {
    Date pb, pe;
    if (season.index > 0) {
      pb = spec.seasons[static_cast<size_t>(season.index) - 1].begin;
      pe = spec.seasons[static_cast<size_t>(season.index) - 1].end;
    } else {
      pe = season.begin;
      pb = pe - (season.end - season.begin);
    }
    w.base_begin = pb;
    w.base_end = std::min(pb + len, pe);
  }
  return w;
}

Error Invalid(const std::string& field, const std::string& why) {
  return InvalidArgument(field + ": " + why);
}

bool ValidIndicator(const State& state, IndicatorId i) {
  return i >= 0 && static_cast<size_t>(i) < state.indicators().size();
}
bool ValidGroup(const State& state, GroupId g) {
  return g >= 0 && static_cast<size_t>(g) < state.groups().size();
}
bool ValidHierarchy(const State& state, HierarchyId h) {
  return h >= 0 && static_cast<size_t>(h) < state.hierarchies().size();
}

Spec MakeSpec(const State& state, DriveId id, const Drive& drive) {
  Spec spec;
  spec.id = id;
  spec.drive = &drive;
  spec.seasons = SeasonsOf(drive);
  for (const ScoreTerm& st : drive.terms) {
    const Indicator& ind = state.indicators()[static_cast<size_t>(st.indicator)];
    Term t;
    t.indicator = st.indicator;
    t.aggregation = ind.aggregation;
    t.role = ind.role;
    t.divisible = IsSum(ind.aggregation) && !ind.IsDerived();
    t.rolls_up_as_mean = RollsUpAsMean(ind);
    t.lower = ind.direction == Direction::kLower;
    t.normalization = st.normalization;
    t.weight = st.weight;
    t.capacity = st.capacity;
    if (st.capacity != kNoId) {
      const Indicator& cap = state.indicators()[static_cast<size_t>(st.capacity)];
      t.capacity_aggregation = cap.aggregation;
      t.capacity_role = cap.role;
    }
    spec.terms.push_back(t);
    if (std::find(spec.streak_indicators.begin(), spec.streak_indicators.end(), st.indicator) ==
        spec.streak_indicators.end()) {
      spec.streak_indicators.push_back(st.indicator);
    }
  }
  spec.tier_count = drive.leagues.size_attribute.empty()
                        ? 1
                        : static_cast<int32_t>(drive.leagues.size_bounds.size()) + 1;
  return spec;
}

int32_t SizeTier(const State& state, const Spec& spec, UnitId u) {
  const LeagueRule& rule = spec.drive->leagues;
  if (rule.size_attribute.empty()) return 1;
  for (const auto& [name, value] : state.units()[static_cast<size_t>(u)].attributes) {
    if (name != rule.size_attribute) continue;
    if (std::isnan(value)) break;
    int32_t above = 0;
    for (const double b : rule.size_bounds) above += b > value ? 1 : 0;
    return 1 + above;
  }
  return spec.tier_count;
}

// Moves `tier` by a league outcome (position among `scored` rows of its league).
int32_t NextTier(const Spec& spec, int32_t tier, int32_t position, int32_t scored) {
  const LeagueRule& rule = spec.drive->leagues;
  if (tier > 1 && position < rule.promote) return tier - 1;
  if (tier < spec.tier_count && position >= scored - rule.relegate) return tier + 1;
  return tier;
}

Result<Table> BuildSeason(const State& state, const AssignmentBook& book, const Spec& spec,
                          DriveHistory history, int32_t k);

// The tier of each participant id in season k > 0 from the previous season's outcome;
// 0: start from the size tier.
Result<std::vector<int32_t>> CarriedTiers(const State& state, const AssignmentBook& book,
                                          const Spec& spec, DriveHistory history, int32_t k,
                                          size_t ids) {
  std::vector<int32_t> next(ids, 0);
  std::map<std::string, std::vector<const DriveResult*>> by_league;
  for (const DriveResult& r : history) {
    if (r.drive == spec.id && r.season == k - 1 &&
        r.participant.is_group == spec.drive->participants.groups) {
      by_league[r.league].push_back(&r);
    }
  }
  if (!by_league.empty()) {
    for (auto& [name, rows] : by_league) {
      std::sort(rows.begin(), rows.end(), [](const DriveResult* a, const DriveResult* b) {
        return a->rank != b->rank ? a->rank < b->rank : a->participant.id < b->participant.id;
      });
      for (size_t i = 0; i < rows.size(); ++i) {
        const int32_t id = rows[i]->participant.id;
        if (id < 0 || static_cast<size_t>(id) >= ids) continue;
        const int32_t tier = std::clamp(rows[i]->tier, 1, spec.tier_count);
        next[static_cast<size_t>(id)] =
            NextTier(spec, tier, static_cast<int32_t>(i), static_cast<int32_t>(rows.size()));
      }
    }
    return next;
  }
  Result<Table> prev = BuildSeason(state, book, spec, history, k - 1);
  if (!prev.ok()) return prev.error();
  const Season& ps = prev->season;
  DayEval ev;
  TableFigures(state, book, spec, *prev, WindowOf(spec, ps, ps.end - 1, true), ev.figs);
  Evaluate(spec, *prev, ev);
  std::vector<int32_t> scored(prev->leagues.size(), 0);
  for (size_t r = 0; r < prev->rows.size(); ++r) {
    if (ev.scored[r]) ++scored[static_cast<size_t>(prev->league[r])];
  }
  for (size_t r = 0; r < prev->rows.size(); ++r) {
    if (!ev.scored[r]) continue;
    const League& l = prev->leagues[static_cast<size_t>(prev->league[r])];
    next[static_cast<size_t>(prev->rows[r].id)] =
        NextTier(spec, l.tier, ev.position[r], scored[static_cast<size_t>(prev->league[r])]);
  }
  return next;
}

Result<Table> BuildSeason(const State& state, const AssignmentBook& book, const Spec& spec,
                          DriveHistory history, int32_t k) {
  const Drive& drive = *spec.drive;
  const DriveParticipants& who = drive.participants;
  Table table;
  table.season = spec.seasons[static_cast<size_t>(k)];
  table.groups = who.groups;
  const Date first = table.season.begin;
  table.eligible.assign(state.units().size(), who.groups ? 1 : 0);
  if (!who.groups) {
    for (size_t u = 0; u < state.units().size(); ++u) {
      bool in = true;
      if (who.within != kNoId) {
        const GroupId g =
            state.GroupOf(static_cast<UnitId>(u),
                          state.groups()[static_cast<size_t>(who.within)].hierarchy, first);
        in = g != kNoId && state.IsWithin(g, who.within);
      }
      if (!in) continue;
      table.rows.push_back({false, static_cast<int32_t>(u)});
      table.eligible[u] = 1;
    }
  } else {
    table.member_hierarchy = who.hierarchy;
    table.member_level = who.level;
    for (size_t g = 0; g < state.groups().size(); ++g) {
      const Group& gr = state.groups()[g];
      if (gr.hierarchy != who.hierarchy || gr.depth != who.level) continue;
      if (who.within != kNoId && !state.IsWithin(static_cast<GroupId>(g), who.within)) continue;
      table.rows.push_back({true, static_cast<int32_t>(g)});
    }
  }
  const LeagueRule& rule = drive.leagues;
  std::vector<GroupId> peer(table.rows.size(), kNoId);
  std::vector<int32_t> tier(table.rows.size(), 1);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const PlanTarget& p = table.rows[r];
    if (rule.hierarchy != kNoId) {
      const GroupId g = p.is_group ? p.id : state.GroupOf(p.id, rule.hierarchy, first);
      peer[r] = g == kNoId ? kNoId : state.AncestorAt(g, rule.level);
    }
    if (!p.is_group) tier[r] = SizeTier(state, spec, p.id);
  }
  if (k > 0 && spec.tier_count > 1 && (rule.promote > 0 || rule.relegate > 0)) {
    const size_t ids = who.groups ? state.groups().size() : state.units().size();
    Result<std::vector<int32_t>> carried = CarriedTiers(state, book, spec, history, k, ids);
    if (!carried.ok()) return carried.error();
    for (size_t r = 0; r < table.rows.size(); ++r) {
      const int32_t c = (*carried)[static_cast<size_t>(table.rows[r].id)];
      if (c > 0) tier[r] = c;
    }
  }
  // Leagues by peer group (kNoId last), then tier.
  std::vector<std::pair<int64_t, int32_t>> keys;
  auto key_of = [&](size_t r) {
    return std::pair<int64_t, int32_t>{
        peer[r] == kNoId ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(peer[r]),
        tier[r]};
  };
  for (size_t r = 0; r < table.rows.size(); ++r) keys.push_back(key_of(r));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (size_t i = 0; i < keys.size(); ++i) {
    League l;
    l.index = static_cast<int32_t>(i);
    l.peer_group = keys[i].first == std::numeric_limits<int64_t>::max()
                       ? kNoId
                       : static_cast<GroupId>(keys[i].first);
    l.tier = keys[i].second;
    std::string name;
    if (rule.hierarchy != kNoId) {
      name =
          l.peer_group == kNoId ? "none" : state.groups()[static_cast<size_t>(l.peer_group)].code;
    }
    if (spec.tier_count > 1) {
      name += (name.empty() ? "" : ", ") + std::string("tier ") + std::to_string(l.tier);
    }
    l.name = name.empty() ? "all" : name;
    table.leagues.push_back(std::move(l));
  }
  if (table.leagues.empty()) table.leagues.push_back({0, "all", kNoId, 1});
  table.league.resize(table.rows.size());
  for (size_t r = 0; r < table.rows.size(); ++r) {
    table.league[r] =
        static_cast<int32_t>(std::lower_bound(keys.begin(), keys.end(), key_of(r)) - keys.begin());
  }
  return table;
}

int32_t SeasonIndexOf(const Spec& spec, Date as_of) {
  int32_t k = 0;
  for (size_t i = 0; i < spec.seasons.size(); ++i) {
    if (spec.seasons[i].begin <= as_of) k = static_cast<int32_t>(i);
  }
  return k;
}

// Everything a table's standings are made of; kept by DriveBoard between commits.
struct Computation {
  Spec spec;
  Table table;
  Window window[3];  // as_of, as_of - 1, season.begin
  DayEval day[3];
  std::vector<int32_t> streak;
  std::vector<int32_t> row_of_unit;  // participant tables of units: unit -> row
  GroupKept kept[3];                 // group tables: by window (valid ones)
};

Status PrepareComputation(const State& state, const AssignmentBook& book, DriveId id,
                          const Drive& drive, DriveHistory history, const StandingsQuery& query,
                          std::optional<int32_t> season, Computation& c) {
  CHOLLIMA_RETURN_IF_ERROR(ValidateDrive(state, drive));
  c.spec = MakeSpec(state, id, drive);
  const int32_t k = season ? *season : SeasonIndexOf(c.spec, query.as_of);
  Result<Table> t = BuildSeason(state, book, c.spec, history, k);
  if (!t.ok()) return t.error();
  c.table = std::move(t).value();
  if (query.level) {
    const GroupLevel& lv = *query.level;
    if (!ValidHierarchy(state, lv.hierarchy)) {
      return NotFound("level.hierarchy: no hierarchy " + std::to_string(lv.hierarchy));
    }
    if (lv.level < 1 || lv.level > state.Depth(lv.hierarchy)) {
      return Invalid("level.level", std::to_string(lv.level) + " is not in 1.." +
                                        std::to_string(state.Depth(lv.hierarchy)));
    }
    if (drive.participants.groups &&
        (lv.hierarchy != drive.participants.hierarchy || lv.level >= drive.participants.level)) {
      return Invalid("level",
                     "a drive of groups has group tables only of its own hierarchy "
                     "at a shallower level");
    }
    if (query.within && !ValidGroup(state, *query.within)) {
      return NotFound("within: no group " + std::to_string(*query.within));
    }
    Table g;
    g.season = c.table.season;
    g.groups = true;
    g.eligible = std::move(c.table.eligible);
    g.member_hierarchy = lv.hierarchy;
    g.member_level = lv.level;
    for (size_t i = 0; i < state.groups().size(); ++i) {
      const Group& gr = state.groups()[i];
      if (gr.hierarchy != lv.hierarchy || gr.depth != lv.level) continue;
      if (query.within && !state.IsWithin(static_cast<GroupId>(i), *query.within)) continue;
      g.rows.push_back({true, static_cast<int32_t>(i)});
    }
    g.leagues.push_back({0, "all", kNoId, 1});
    g.league.assign(g.rows.size(), 0);
    c.table = std::move(g);
  } else {
    if (query.league &&
        (*query.league < 0 || static_cast<size_t>(*query.league) >= c.table.leagues.size())) {
      return NotFound("league: no league " + std::to_string(*query.league));
    }
    if (query.within && !ValidGroup(state, *query.within)) {
      return NotFound("within: no group " + std::to_string(*query.within));
    }
  }
  const Season& s = c.table.season;
  c.window[0] = WindowOf(c.spec, s, query.as_of, true);
  c.window[1] = WindowOf(c.spec, s, query.as_of - 1, query.as_of - 1 >= s.begin);
  c.window[2] = WindowOf(c.spec, s, s.begin, query.as_of > s.begin);
  c.row_of_unit.clear();
  if (!c.table.groups) {
    c.row_of_unit.assign(state.units().size(), -1);
    for (size_t r = 0; r < c.table.rows.size(); ++r) {
      c.row_of_unit[static_cast<size_t>(c.table.rows[r].id)] = static_cast<int32_t>(r);
    }
  }
  return OkStatus();
}

void ComputeAll(const State& state, const AssignmentBook& book, Computation& c) {
  for (int i = 0; i < 3; ++i) {
    if (!c.window[i].valid) continue;
    TableFigures(state, book, c.spec, c.table, c.window[i], c.day[i].figs, &c.kept[i]);
  }
  // Window 0 is always valid; its members are the members on E.
  c.streak.assign(c.table.rows.size(), 0);
  static const std::vector<UnitId> kNone;
  for (size_t r = 0; r < c.table.rows.size(); ++r) {
    const std::vector<UnitId>& members = c.table.groups ? c.kept[0].members[r] : kNone;
    c.streak[r] = StreakOf(state, book, c.spec, c.table.rows[r], members, c.window[0]);
  }
}

// Group tables only: unit u's reports changed its figures of the windows i with
// `days[i]`. Refreshes u's kept figures there and adds the row u counts in on window i's
// members day to `rows[i]` (to be re-summed).
void RecomputeMember(const State& state, const AssignmentBook& book, Computation& c, UnitId u,
                     const bool (&days)[3], std::vector<size_t> (&rows)[3]) {
  const size_t stride = c.spec.terms.size() * kFig;
  for (int i = 0; i < 3; ++i) {
    if (!c.window[i].valid || !days[i]) continue;
    GroupKept& k = c.kept[i];
    if (u < 0 || static_cast<size_t>(u) >= k.member_row.size()) continue;
    const int32_t row = k.member_row[static_cast<size_t>(u)];
    if (row < 0) continue;
    UnitFigures(state, book, c.spec, u, c.window[i],
                k.unit_figs.data() + static_cast<size_t>(u) * stride);
    rows[i].push_back(static_cast<size_t>(row));
  }
}

// Group tables only: re-sums row r of day i from its members' kept figures.
void RecomputeGroupRow(const AssignmentBook& book, Computation& c, int i, size_t r) {
  const size_t stride = c.spec.terms.size() * kFig;
  GroupRowFigures(book, c.spec, c.table, c.window[i], c.kept[i], r,
                  c.day[i].figs.data() + r * stride);
}

// Unit tables only: refreshes one row's figures and streak.
void RecomputeRow(const State& state, const AssignmentBook& book, Computation& c, size_t r) {
  const size_t stride = c.spec.terms.size() * kFig;
  for (int i = 0; i < 3; ++i) {
    if (!c.window[i].valid) continue;
    UnitFigures(state, book, c.spec, c.table.rows[r].id, c.window[i],
                c.day[i].figs.data() + r * stride);
  }
  c.streak[r] = StreakOf(state, book, c.spec, c.table.rows[r], {}, c.window[0]);
}

// `stale[i]`: day i's figures changed since it was last evaluated.
// `touched`: the only rows whose figures changed (nullptr: any).
Standings Finish(const State& state, DriveId id, Computation& c, const StandingsQuery& query,
                 const bool (&stale)[3] = {true, true, true},
                 const std::vector<size_t>* touched = nullptr) {
  for (int i = 0; i < 3; ++i) {
    if (c.window[i].valid && stale[i]) Evaluate(c.spec, c.table, c.day[i], touched);
  }
  const Table& t = c.table;
  const DayEval& now = c.day[0];
  const size_t nt = c.spec.terms.size();
  Standings s;
  s.drive = id;
  s.season = t.season;
  s.as_of = query.as_of;
  s.leagues = t.leagues;
  std::vector<int32_t> scored(t.leagues.size(), 0);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    if (now.scored[r]) ++scored[static_cast<size_t>(t.league[r])];
  }
  // By league: its scored rows in the evaluation's order, then its unscored rows by id.
  std::vector<size_t> start(t.leagues.size() + 1, 0);
  for (size_t r = 0; r < t.rows.size(); ++r) ++start[static_cast<size_t>(t.league[r]) + 1];
  for (size_t l = 0; l < t.leagues.size(); ++l) start[l + 1] += start[l];
  std::vector<size_t> order(t.rows.size());
  for (const int32_t r : now.order) {
    order[start[static_cast<size_t>(t.league[static_cast<size_t>(r)])]++] = static_cast<size_t>(r);
  }
  for (size_t r = 0; r < t.rows.size(); ++r) {
    if (!now.scored[r]) order[start[static_cast<size_t>(t.league[r])]++] = r;
  }
  const LeagueRule& rule = c.spec.drive->leagues;
  const GroupId within = query.within.value_or(kNoId);
  const HierarchyId within_h =
      within == kNoId ? kNoId : state.groups()[static_cast<size_t>(within)].hierarchy;
  for (const size_t r : order) {
    if (query.league && !query.level && t.league[r] != *query.league) continue;
    if (within != kNoId && !query.level) {
      const PlanTarget& p = t.rows[r];
      const GroupId g = p.is_group ? p.id : state.GroupOf(p.id, within_h, c.window[0].members_day);
      if (g == kNoId || !state.IsWithin(g, within)) continue;
    }
    StandingRow row;
    row.participant = t.rows[r];
    row.league = t.league[r];
    row.scored = now.scored[r] != 0;
    row.unscored_reason = now.reason[r];
    row.score = now.score[r];
    row.parts.assign(now.parts.begin() + static_cast<std::ptrdiff_t>(r * nt),
                     now.parts.begin() + static_cast<std::ptrdiff_t>((r + 1) * nt));
    row.rank = now.rank[r];
    row.overall_rank = now.overall[r];
    if (row.rank > 0 && c.window[1].valid && c.day[1].rank[r] > 0) {
      row.rank_change_day = c.day[1].rank[r] - row.rank;
    }
    if (row.rank > 0 && c.window[2].valid && c.day[2].rank[r] > 0) {
      row.rank_change_start = c.day[2].rank[r] - row.rank;
    }
    row.streak = c.streak[r];
    if (row.scored && !query.level) {  // group tables have no zones
      const League& l = t.leagues[static_cast<size_t>(t.league[r])];
      const int32_t pos = now.position[r];
      row.in_promotion_zone = l.tier > 1 && pos < rule.promote;
      row.in_relegation_zone = !row.in_promotion_zone && l.tier < c.spec.tier_count &&
                               pos >= scored[static_cast<size_t>(t.league[r])] - rule.relegate;
    }
    s.rows.push_back(std::move(row));
  }
  return s;
}

Date LiveAsOf(const State& state, const Drive& drive) {
  const std::optional<Date> d = state.LastReportedDay();
  return d ? *d : drive.start;
}

}  // namespace

std::vector<Season> SeasonsOf(const Drive& drive) {
  std::vector<Season> out;
  if (!(drive.start < drive.end)) return out;
  if (!drive.season_grain || *drive.season_grain < Grain::kMonth ||
      *drive.season_grain > Grain::kYear) {
    out.push_back({0, drive.start, drive.end});
    return out;
  }
  for (const Period& p : PeriodsOverlapping(*drive.season_grain, drive.start, drive.end)) {
    out.push_back({static_cast<int32_t>(out.size()), std::max(p.begin, drive.start),
                   std::min(p.end, drive.end)});
  }
  return out;
}

Status ValidateDrive(const State& state, const Drive& drive) {
  const Date lo = Date::FromCivil(kMinYear, 1, 1), hi = Date::FromCivil(kMaxYear, 12, 31);
  if (drive.start < lo || drive.start > hi) return Invalid("start", "year outside 1900..2999");
  if (drive.end < lo || drive.end > hi + 1) return Invalid("end", "year outside 1900..2999");
  if (!(drive.start < drive.end)) return Invalid("end", "the window [start, end) is empty");
  if (drive.season_grain &&
      (*drive.season_grain < Grain::kMonth || *drive.season_grain > Grain::kYear)) {
    return Invalid("season_grain", "must be month, quarter, half or year");
  }
  if (drive.streak_grain != Grain::kDay && drive.streak_grain != Grain::kMonth) {
    return Invalid("streak_grain", "must be day or month");
  }
  if (drive.terms.empty()) return Invalid("terms", "at least one term is required");
  for (size_t i = 0; i < drive.terms.size(); ++i) {
    const ScoreTerm& t = drive.terms[i];
    const std::string f = "terms[" + std::to_string(i) + "]";
    if (!ValidIndicator(state, t.indicator)) {
      return Invalid(f + ".indicator", "no indicator " + std::to_string(t.indicator));
    }
    if (state.indicators()[static_cast<size_t>(t.indicator)].IsDerived()) {
      return Invalid(f + ".indicator", "a derived indicator cannot be a term");
    }
    if (!std::isfinite(t.weight) || t.weight <= 0) {
      return Invalid(f + ".weight", "must be > 0");
    }
    if (t.normalization == Normalization::kPerCapacity) {
      if (t.capacity == kNoId) return Invalid(f + ".capacity", "required for per_capacity");
      if (!ValidIndicator(state, t.capacity)) {
        return Invalid(f + ".capacity", "no indicator " + std::to_string(t.capacity));
      }
      if (state.indicators()[static_cast<size_t>(t.capacity)].IsDerived()) {
        return Invalid(f + ".capacity", "a derived indicator cannot be a capacity");
      }
    } else if (t.capacity != kNoId) {
      return Invalid(f + ".capacity", "only for per_capacity");
    }
  }
  const DriveParticipants& p = drive.participants;
  if (p.groups) {
    if (p.hierarchy == kNoId) return Invalid("participants.hierarchy", "required for groups");
    if (!ValidHierarchy(state, p.hierarchy)) {
      return Invalid("participants.hierarchy", "no hierarchy " + std::to_string(p.hierarchy));
    }
    if (p.level < 1 || p.level > state.Depth(p.hierarchy)) {
      return Invalid("participants.level", std::to_string(p.level) + " is not in 1.." +
                                               std::to_string(state.Depth(p.hierarchy)));
    }
  } else if (p.hierarchy != kNoId && !ValidHierarchy(state, p.hierarchy)) {
    return Invalid("participants.hierarchy", "no hierarchy " + std::to_string(p.hierarchy));
  }
  if (p.within != kNoId) {
    if (!ValidGroup(state, p.within)) {
      return Invalid("participants.within", "no group " + std::to_string(p.within));
    }
    const Group& g = state.groups()[static_cast<size_t>(p.within)];
    if (p.hierarchy != kNoId && g.hierarchy != p.hierarchy) {
      return Invalid("participants.within", "not a group of participants.hierarchy");
    }
    if (p.groups && g.depth >= p.level) {
      return Invalid("participants.within", "must be above participants.level");
    }
  }
  const LeagueRule& l = drive.leagues;
  if (l.hierarchy != kNoId) {
    if (!ValidHierarchy(state, l.hierarchy)) {
      return Invalid("leagues.hierarchy", "no hierarchy " + std::to_string(l.hierarchy));
    }
    if (l.level < 1 || l.level > state.Depth(l.hierarchy)) {
      return Invalid("leagues.level", std::to_string(l.level) + " is not in 1.." +
                                          std::to_string(state.Depth(l.hierarchy)));
    }
    if (p.groups && (l.hierarchy != p.hierarchy || l.level > p.level)) {
      return Invalid("leagues.hierarchy",
                     "for group participants, their own hierarchy at a level <= theirs");
    }
  }
  if (!l.size_bounds.empty() && l.size_attribute.empty()) {
    return Invalid("leagues.size_attribute", "required with size_bounds");
  }
  if (p.groups && !l.size_attribute.empty()) {
    return Invalid("leagues.size_attribute", "groups have no attributes");
  }
  for (size_t i = 0; i < l.size_bounds.size(); ++i) {
    if (!std::isfinite(l.size_bounds[i]) || (i > 0 && !(l.size_bounds[i - 1] < l.size_bounds[i]))) {
      return Invalid("leagues.size_bounds[" + std::to_string(i) + "]",
                     "bounds must be finite and strictly ascending");
    }
  }
  if (l.promote < 0) return Invalid("leagues.promote", "must be >= 0");
  if (l.relegate < 0) return Invalid("leagues.relegate", "must be >= 0");
  return OkStatus();
}

Result<Standings> ComputeStandings(const State& state, const AssignmentBook& book, DriveId id,
                                   const Drive& drive, DriveHistory history,
                                   const StandingsQuery& query) {
  Computation c;
  CHOLLIMA_RETURN_IF_ERROR(
      PrepareComputation(state, book, id, drive, history, query, std::nullopt, c));
  ComputeAll(state, book, c);
  return Finish(state, id, c, query);
}

Result<std::vector<DriveResult>> SeasonResults(const State& state, const AssignmentBook& book,
                                               DriveId id, const Drive& drive, DriveHistory history,
                                               int32_t season) {
  CHOLLIMA_RETURN_IF_ERROR(ValidateDrive(state, drive));
  const std::vector<Season> seasons = SeasonsOf(drive);
  if (season < 0 || static_cast<size_t>(season) >= seasons.size()) {
    return Invalid("season",
                   std::to_string(season) + " is not in 0.." + std::to_string(seasons.size() - 1));
  }
  const Season& s = seasons[static_cast<size_t>(season)];
  const std::optional<Date> last = state.LastReportedDay();
  const Date as_of = std::clamp(last ? *last : s.begin, s.begin, s.end - 1);
  Computation c;
  const StandingsQuery q{.as_of = as_of};
  CHOLLIMA_RETURN_IF_ERROR(PrepareComputation(state, book, id, drive, history, q, season, c));
  ComputeAll(state, book, c);
  const Standings st = Finish(state, id, c, q);
  std::vector<DriveResult> out;
  for (const StandingRow& row : st.rows) {
    if (!row.scored) continue;
    const League& l = st.leagues[static_cast<size_t>(row.league)];
    DriveResult r;
    r.drive = id;
    r.season = season;
    r.participant = row.participant;
    r.tier = l.tier;
    r.league = l.name;
    r.rank = row.rank;
    r.overall = row.overall_rank;
    r.score = row.score;
    if (row.overall_rank == 1) {
      r.title = "winner";
    } else if (row.rank == 1 && st.leagues.size() > 1) {
      r.title = "league_winner";
    } else if (row.in_promotion_zone) {
      r.title = "promoted";
    } else if (row.in_relegation_zone) {
      r.title = "relegated";
    }
    out.push_back(std::move(r));
  }
  return out;
}

// ---- DriveBoard.

namespace {

struct LiveDrive {
  DriveId id = kNoId;
  Drive drive;
  bool ok = false;
  Computation c;
  Standings standings;
  Date as_of;
  std::vector<IndicatorId> used;  // indicators whose reports move the figures
};

void FullCompute(const State& state, const AssignmentBook& book, DriveHistory history,
                 LiveDrive& live) {
  live.as_of = LiveAsOf(state, live.drive);
  live.c = Computation{};
  live.standings = Standings{};
  const StandingsQuery q{.as_of = live.as_of};
  live.ok =
      PrepareComputation(state, book, live.id, live.drive, history, q, std::nullopt, live.c).ok();
  live.used.clear();
  if (!live.ok) return;
  ComputeAll(state, book, live.c);
  live.standings = Finish(state, live.id, live.c, q);
  for (const ScoreTerm& t : live.drive.terms) {
    live.used.push_back(t.indicator);
    if (t.capacity != kNoId) live.used.push_back(t.capacity);
  }
}

struct Entry {
  bool scored = false;
  double score = 0;
  int32_t rank = 0;
  int32_t league = -1;
};

std::vector<Entry> EntriesOf(const Standings& s, size_t ids) {
  std::vector<Entry> out(ids);
  for (const StandingRow& r : s.rows) {
    if (r.participant.id < 0 || static_cast<size_t>(r.participant.id) >= ids) continue;
    Entry& e = out[static_cast<size_t>(r.participant.id)];
    e.scored = r.scored;
    e.score = r.score;
    e.rank = r.rank;
    e.league = r.league;
  }
  return out;
}

// League names before and after, by league index.
struct Names {
  const std::vector<std::string>& before;
  const std::vector<League>& after;
  const std::string& Before(int32_t l) const { return before[static_cast<size_t>(l)]; }
  const std::string& After(int32_t l) const { return after[static_cast<size_t>(l)].name; }
};

bool Overtakes(const std::vector<Entry>& before, const std::vector<Entry>& after, const Names& n,
               size_t p, size_t q) {
  const Entry &bp = before[p], &bq = before[q], &ap = after[p], &aq = after[q];
  if (!bp.scored || !bq.scored || !ap.scored || !aq.scored) return false;
  if (ap.league != aq.league || n.Before(bp.league) != n.Before(bq.league) ||
      n.After(ap.league) != n.Before(bp.league)) {
    return false;
  }
  return bp.score <= bq.score && ap.score > aq.score;
}

}  // namespace

struct DriveBoard::Live : LiveDrive {};

DriveBoard::~DriveBoard() = default;
DriveBoard::DriveBoard(DriveBoard&&) noexcept = default;
DriveBoard& DriveBoard::operator=(DriveBoard&&) noexcept = default;

DriveBoard::DriveBoard(const State& state, const AssignmentBook& book,
                       std::span<const Drive> drives, DriveHistory history)
    : history_(history.begin(), history.end()) {
  for (size_t i = 0; i < drives.size(); ++i) {
    auto live = std::make_unique<Live>();
    live->id = static_cast<DriveId>(i);
    live->drive = drives[i];
    FullCompute(state, book, history_, *live);
    live_.push_back(std::move(live));
  }
}

const Standings* DriveBoard::Current(DriveId id) const {
  if (id < 0 || static_cast<size_t>(id) >= live_.size()) return nullptr;
  const Live& live = *live_[static_cast<size_t>(id)];
  return live.ok ? &live.standings : nullptr;
}

std::vector<DriveEvent> DriveBoard::Apply(const State& state, const AssignmentBook& book,
                                          const Changes& changes) {
  const bool structural = !changes.new_hierarchies.empty() || !changes.new_groups.empty() ||
                          !changes.changed_groups.empty() || !changes.new_units.empty() ||
                          !changes.changed_units.empty() || !changes.memberships.empty() ||
                          !changes.new_indicators.empty() || !changes.changed_indicators.empty() ||
                          !changes.profiles.empty() || changes.calendar.has_value() ||
                          !changes.plans.empty() || !changes.drive_results.empty();
  history_.insert(history_.end(), changes.drive_results.begin(), changes.drive_results.end());
  std::vector<DriveEvent> events;
  for (auto& lp : live_) {
    Live& live = *lp;
    const size_t ids =
        live.drive.participants.groups ? state.groups().size() : state.units().size();
    const bool was_ok = live.ok;
    const std::vector<Entry> b = EntriesOf(live.standings, ids);
    std::vector<std::string> before_names;
    for (const League& l : live.standings.leagues) before_names.push_back(l.name);
    const int32_t before_season = live.standings.season.index;
    const Date as_of = LiveAsOf(state, live.drive);
    bool incremental = was_ok && !structural && as_of == live.as_of;
    const bool groups = live.c.table.groups;
    std::vector<size_t> touched;
    // Group tables: the reported units, and per unit the windows its reports reach.
    std::vector<std::pair<UnitId, int>> reached;  // (unit, bit i: window i)
    bool stale[3] = {true, false, false};
    if (incremental) {
      const Window& w = live.c.window[0];
      for (const Report& r : changes.reports) {
        if (std::find(live.used.begin(), live.used.end(), r.indicator) == live.used.end()) {
          continue;
        }
        if (r.date >= w.end) continue;  // after the figures' window
        if (r.date < w.begin) {
          incremental = false;
          break;
        }
        if (groups) {
          int bits = 0;
          for (int i = 0; i < 3; ++i) bits |= r.date < live.c.window[i].end ? 1 << i : 0;
          reached.emplace_back(r.unit, bits);
          continue;
        }
        if (r.unit < 0 || static_cast<size_t>(r.unit) >= live.c.row_of_unit.size()) continue;
        const int32_t row = live.c.row_of_unit[static_cast<size_t>(r.unit)];
        if (row < 0) continue;
        touched.push_back(static_cast<size_t>(row));
        for (int i = 1; i < 3; ++i) stale[i] = stale[i] || r.date < live.c.window[i].end;
      }
    }
    if (incremental && groups) {
      // A reported unit moves the group it counts in on each window's members day (E,
      // E - 1, season.begin): its own figures are refreshed, those groups re-summed from
      // their members' kept figures in the scratch path's order, and the streak of its
      // group on E recomputed.
      std::sort(reached.begin(), reached.end());
      std::vector<size_t> rows[3];
      for (size_t k = 0; k < reached.size();) {
        const UnitId u = reached[k].first;
        int bits = 0;
        for (; k < reached.size() && reached[k].first == u; ++k) bits |= reached[k].second;
        const bool days[3] = {(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0};
        RecomputeMember(state, book, live.c, u, days, rows);
      }
      for (int i = 0; i < 3; ++i) {
        std::sort(rows[i].begin(), rows[i].end());
        rows[i].erase(std::unique(rows[i].begin(), rows[i].end()), rows[i].end());
        if (!rows[i].empty()) stale[i] = true;
        for (const size_t r : rows[i]) {
          RecomputeGroupRow(book, live.c, i, r);
          touched.push_back(r);
        }
      }
      for (const size_t r : rows[0]) {
        live.c.streak[r] = StreakOf(state, book, live.c.spec, live.c.table.rows[r],
                                    live.c.kept[0].members[r], live.c.window[0]);
      }
    }
    if (incremental) {
      if (touched.empty()) continue;
      std::sort(touched.begin(), touched.end());
      touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
      if (!groups) {
        for (const size_t r : touched) RecomputeRow(state, book, live.c, r);
      }
      live.standings = Finish(state, live.id, live.c, {.as_of = live.as_of}, stale, &touched);
    } else {
      FullCompute(state, book, history_, live);
    }
    if (!was_ok || !live.ok || before_season != live.standings.season.index) continue;
    const Names names{before_names, live.standings.leagues};
    const std::vector<Entry> a = EntriesOf(live.standings, ids);
    std::vector<uint8_t> changed(ids, 0);
    std::vector<size_t> changed_ids;
    for (size_t i = 0; i < ids; ++i) {
      const bool same = b[i].scored == a[i].scored && b[i].league == a[i].league &&
                        (!a[i].scored || b[i].score == a[i].score);
      if (!same) {
        changed[i] = 1;
        changed_ids.push_back(i);
      }
    }
    if (changed_ids.empty()) continue;
    // Rows of each league after, for the pairs with one changed participant.
    std::vector<std::vector<size_t>> league_rows(live.standings.leagues.size());
    for (const StandingRow& r : live.standings.rows) {
      if (r.scored) {
        league_rows[static_cast<size_t>(r.league)].push_back(static_cast<size_t>(r.participant.id));
      }
    }
    const size_t first = events.size();
    auto emit = [&](size_t p, size_t q) {
      DriveEvent e;
      e.drive = live.id;
      e.league = a[p].league;
      e.overtaker = {live.drive.participants.groups, static_cast<int32_t>(p)};
      e.overtaken = {live.drive.participants.groups, static_cast<int32_t>(q)};
      e.margin = a[p].score - a[q].score;
      e.new_rank = a[p].rank;
      events.push_back(e);
    };
    for (const size_t p : changed_ids) {
      if (!a[p].scored) continue;
      for (const size_t q : league_rows[static_cast<size_t>(a[p].league)]) {
        if (q == p || (changed[q] && q < p)) continue;
        if (Overtakes(b, a, names, p, q)) emit(p, q);
        if (Overtakes(b, a, names, q, p)) emit(q, p);
      }
    }
    std::sort(events.begin() + static_cast<std::ptrdiff_t>(first), events.end(),
              [&](const DriveEvent& x, const DriveEvent& y) {
                const auto kx =
                    std::make_tuple(x.league, x.new_rank, x.overtaker.id,
                                    a[static_cast<size_t>(x.overtaken.id)].rank, x.overtaken.id);
                const auto ky =
                    std::make_tuple(y.league, y.new_rank, y.overtaker.id,
                                    a[static_cast<size_t>(y.overtaken.id)].rank, y.overtaken.id);
                return kx < ky;
              });
  }
  for (const Drive& d : changes.new_drives) {
    auto live = std::make_unique<Live>();
    live->id = static_cast<DriveId>(live_.size());
    live->drive = d;
    FullCompute(state, book, history_, *live);
    live_.push_back(std::move(live));
  }
  return events;
}

}  // namespace chollima::engine
