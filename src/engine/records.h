// Records: the best value of an indicator at a time grain (best day, best month, best
// year) for each unit, each group and all units; outliers that may not set a record
// until a planner confirms them (PRODUCT.md F7, F16).
//
//   RecordBook book(state, reviews);                 // from scratch
//   const RecordEntry* r = book.Find({coal, Grain::kMonth, RecordScope::kAll, kNoId});
//   ... commit changes and ApplyChanges ...
//   std::vector<RecordEvent> ev = book.Apply(state, reviews, changes);  // live
//
// SEMANTICS (docs/design.md copies this section; the implementation states each rule
// here, with formulas, before it is relied on)
//
// Indicators and grains. Every NON-DERIVED indicator has records at grain day (only
// when it is reported per day, Indicator::grain == kDay), month and year. Derived
// ratios (output per worker, energy intensity) have NO records: a record of a ratio
// would need a ratio of two aggregates with their own outlier rules; they are left to
// the standards (engine/standards.h).
//
// Counted reports. A report counts for records unless it is a BLOCKED outlier (see
// Outliers below): flagged and not confirmed by its applicable review. Blocked reports
// are treated as missing for records only (fulfilment still sees them).
//
// Value of a period P of unit u, indicator i:
//   day    the counted report of that day; a day without one has no value.
//   month, year  AggregateSeries (engine/fulfilment.h: sum / mean / last / max of the
//          indicator) over the counted reports of the days of P; no value when P has no
//          counted report (also for sum: an empty month is not a record of 0).
// Which periods count, with L = State::LastReportedDay() (any unit, any indicator):
//   day    every day with a counted report.
//   month, year  P is COMPLETE (its last day <= L), or P is the RUNNING period (it holds
//          L) of a higher-is-better sum-aggregated indicator, whose value only grows.
//          So a day that completes a month (or a year) can set month records of many
//          units at once.
// Best: by the indicator's direction, the largest value (higher is better) or the
// smallest (lower is better).
// RECORD ORDER, also the TIE RULE: candidate a ranks before b when a's value is better;
// on equal values the EARLIER period (smaller begin) ranks first, then the SMALLER unit
// id. The record of a scope is its first candidate in this order.
// Scopes (holders are always units):
//   unit   the unit's own periods.
//   group  every group of every hierarchy at every level: the periods of units that
//          belonged to the group (or to a group below it) on the MEMBERSHIP DAY of the
//          period: a day is its own membership day; for a month or a year it is the
//          unit's last day in P with a counted report of the indicator (a unit that
//          moves mid-year counts its whole year in the group it ended the year's
//          reports in; its earlier months stay where it was then).
//   all    every unit.
// previous: the first candidate in record order, in the same scope, whose period begins
// strictly before the record's period: the record it broke. nullopt when none.
//
// Outliers. Every present report x of unit u, indicator i on day d is judged, in order:
//   capacity  the unit has an attribute named "capacity_<indicator code>" (the first of
//          that name) = c and x > c. expected = c, score = x - c.
//   history   over H = the unit's previous kOutlierWindow present reports of i (before
//          d, as reported, flagged or not), when |H| >= kOutlierMinHistory:
//          m = median(H), MAD = median(|h - m|) (the median of an even count is the
//          mean of the middle two), scale = max(kOutlierMadScale * MAD,
//          kOutlierRelativeFloor * |m|) (the floor guards a flat history, MAD = 0);
//          score = |x - m| / scale (+inf when scale is 0 and x != m, 0 when x == m);
//          flagged when x is OUTSIDE the range [min H, max H] and score >
//          kOutlierThreshold. expected = m. (A value the unit reported within its recent
//          history, e.g. the zero of a weekly rest day, is not far outside it.)
// A review (OutlierReview) of (u, i, d): the LATEST one in the list wins; it APPLIES
// only while the report's current value equals the value it was made on (a correction
// is judged afresh). Outlier::confirmed is the applicable review's decision, or nullopt.
// A flagged report is BLOCKED unless confirmed (unreviewed or rejected): it sets no day
// record and is left out of the month and year aggregates for records. A confirmed
// outlier counts like any report.
//
// Corrections: a lower value (or a new outlier flag) recomputes the unit's periods;
// the scope's record becomes the best remaining candidate, so a record the old value
// set is withdrawn and the one before it restored.
//
// Events. The TOUCHED unit-indicators of a commit: those of its reports and reviews,
// and every indicator of a unit whose attributes or memberships it changed. Apply
// compares, before and after the commit, every record in a scope of a touched
// unit-indicator; every record at all when the month or year of L or of L + 1 changed
// (which months and years count changed) or an indicator was changed. It emits AT MOST
// ONE event per RecordKey, ordered by indicator, grain, scope, scope id:
//   no record before, one after:  kNewRecord, previous = nullopt;
//   a record before, none after:  kWithdrawn, record = nullopt, previous = the old one;
//   both, different (holder, period or value): kNewRecord when the new one ranks before
//          the old one in record order (previous = the old one), else kWithdrawn
//          (record = the restored one, previous = the withdrawn one).
//   Equal records emit nothing (even when RecordEntry::previous changed).
//
// Thread-safety: a RecordBook is used by one thread at a time (const methods may be
// shared by readers while no one calls Apply).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/changes.h"
#include "core/emulation.h"
#include "core/model.h"
#include "core/period.h"
#include "engine/state.h"

namespace chollima::engine {

// The outlier rule's constants (see SEMANTICS).
inline constexpr int kOutlierWindow = 90;
inline constexpr int kOutlierMinHistory = 20;
inline constexpr double kOutlierThreshold = 8;
inline constexpr double kOutlierMadScale = 1.4826;
inline constexpr double kOutlierRelativeFloor = 0.05;

enum class RecordScope : uint8_t { kUnit, kGroup, kAll };
const char* RecordScopeName(RecordScope s);  // "unit", "group", "all"

struct RecordKey {
  IndicatorId indicator = kNoId;
  Grain grain = Grain::kDay;  // kDay, kMonth or kYear
  RecordScope scope = RecordScope::kAll;
  int32_t scope_id = kNoId;  // the UnitId or GroupId; kNoId for kAll
  friend bool operator==(const RecordKey&, const RecordKey&) = default;
};

struct RecordValue {
  UnitId holder = kNoId;
  Period period;  // the day, month or year of the value
  double value = 0;
  friend bool operator==(const RecordValue&, const RecordValue&) = default;
};

struct RecordEntry {
  RecordKey key;
  RecordValue record;
  // The best value before the record's period (the record it broke), if any.
  std::optional<RecordValue> previous;
  friend bool operator==(const RecordEntry&, const RecordEntry&) = default;
};

struct RecordEvent {
  enum class Kind {
    kNewRecord,  // `record` beats `previous` (the record before this commit), or is a first
    kWithdrawn,  // a correction or review took `previous` away; `record` is restored (or
                 // nullopt when the scope has no record left)
  };
  Kind kind = Kind::kNewRecord;
  RecordKey key;
  std::optional<RecordValue> record;
  std::optional<RecordValue> previous;
  friend bool operator==(const RecordEvent&, const RecordEvent&) = default;
};

struct RecordFilter {
  std::optional<IndicatorId> indicator;
  std::optional<Grain> grain;
  std::optional<RecordScope> scope;
  std::optional<int32_t> scope_id;
};

// An outlier: a report far outside its unit's history or capacity (see SEMANTICS).
struct Outlier {
  UnitId unit = kNoId;
  IndicatorId indicator = kNoId;
  Date date;
  double value = 0;
  double expected = 0;      // the centre of the unit's history the value is judged against
  double score = 0;         // how far out, in the rule's units
  const char* reason = "";  // "history" or "capacity"
  // nullopt: not reviewed (it cannot set a record); true: confirmed; false: rejected.
  std::optional<bool> confirmed;
};

class RecordBook {
 public:
  RecordBook() = default;
  // From scratch: one pass over every series (outlier scan, then period values), then
  // the scope sets filled in order. `reviews` in the order they were made (the latest of
  // a report wins), e.g. State::outlier_reviews(). REQUIRES: reviews' ids valid in `state`.
  RecordBook(const State& state, std::span<const OutlierReview> reviews);

  // After `changes` were applied to `state` (`reviews` including those in the changes,
  // as State::outlier_reviews(); the new ones are read from changes.outlier_reviews):
  // updates the records and returns the events (see SEMANTICS) ordered by indicator,
  // grain, scope, scope id. The cost is proportional to the series the changes touch
  // (each touched unit-indicator is recomputed whole, then its entries in the scope
  // sets are replaced: O(days of the series + scopes * log units)), not to the State.
  // When the last reported day moves past a month end, every other series is asked
  // whether the month (year) just completed gives it a new candidate (one period's
  // aggregate each, for the indicators whose running period did not count) and those
  // that gain one are recomputed like touched ones. Only a changed indicator recomputes
  // every record, at the cost of the constructor's pass without its outlier scan.
  // REQUIRES: the book reflects `state` as it was before `changes`.
  std::vector<RecordEvent> Apply(const State& state, std::span<const OutlierReview> reviews,
                                 const Changes& changes);

  const RecordEntry* Find(const RecordKey& key) const;
  // Records matching `filter`, ordered by indicator, grain, scope, scope id.
  std::vector<RecordEntry> Records(const RecordFilter& filter) const;
  // Flagged reports (reviewed or not), by unit, indicator, date.
  std::vector<Outlier> Outliers(std::optional<UnitId> unit,
                                std::optional<IndicatorId> indicator) const;

  // Equal records (with their previous) and equal outlier lists.
  friend bool operator==(const RecordBook& a, const RecordBook& b);

  // Rank order of two record values of `direction` (see SEMANTICS, RECORD ORDER).
  static bool RanksBefore(const RecordValue& a, const RecordValue& b, Direction direction);

 private:
  // One period's value of one unit; period = the period's first day (days since epoch).
  struct Candidate {
    int32_t period = 0;
    double value = 0;
  };
  // Consecutive candidates (by period) whose membership days fall in the same groups.
  // Only the staircase is kept: each candidate that ranks before all earlier ones of
  // the run; the last is the run's best, and the best before a period is a search.
  struct Run {
    std::vector<GroupId> groups;  // leaves and their ancestors, sorted
    std::vector<Candidate> staircase;
  };
  // A unit's best candidate in a group or all scope, as kept in that scope's set.
  struct Entry {
    double score = 0;  // value, negated when lower is better: higher score is better
    int32_t period = 0;
    UnitId unit = kNoId;
    int32_t series = -1;
    double value = 0;
  };
  struct EntryLess {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.score != b.score) return a.score > b.score;
      if (a.period != b.period) return a.period < b.period;
      return a.unit < b.unit;
    }
  };
  using EntrySet = std::set<Entry, EntryLess>;
  struct GrainData {
    std::vector<Run> runs;
    // (scope id: a GroupId, or kNoId for all) -> the entry inserted in that scope's set.
    std::vector<std::pair<int32_t, Entry>> contributions;
  };
  struct SeriesData {
    UnitId unit = kNoId;
    IndicatorId indicator = kNoId;
    std::vector<Outlier> outliers;    // by date
    std::array<GrainData, 3> grains;  // day, month, year
  };
  struct ScopeSets {
    EntrySet all;
    std::vector<EntrySet> groups;  // by GroupId
  };
  struct KeyLess {
    bool operator()(const RecordKey& a, const RecordKey& b) const;
  };
  struct Review {
    double value = 0;
    bool confirmed = false;
  };
  // What decides which months and years count: the month and year of L + 1 and of L.
  using Cutoff = std::array<int32_t, 4>;

  static Cutoff CutoffOf(std::optional<Date> last);
  void EnsureSizes(const State& state);
  void AddReview(const OutlierReview& r);
  void ComputeOutliers(const State& state, int32_t series);
  // The series' runs of month and year candidates, and of day candidates if `days_too`.
  void ComputeCandidates(const State& state, int32_t series, bool days_too);
  // Whether ComputeCandidates would change the untouched series' runs now that the last
  // reported day moved forward from `old_last` to `new_last` (past a month end).
  bool CompletedPeriodsChange(const State& state, int32_t series, Date old_last, Date new_last);
  struct Pending {
    IndicatorId indicator;
    int32_t grain;
    int32_t scope;
    Entry entry;
  };
  // Into the scope sets, or (when `pending` is set) into `pending` for a bulk fill.
  void InsertContributions(int32_t series, std::vector<Pending>* pending);
  void EraseContributions(int32_t series);
  // Candidates of every series (days too if `days_too`), the scope sets and the table.
  void RebuildAll(const State& state, bool days_too);
  void Register(const State& state, int32_t series, UnitId unit, IndicatorId indicator);
  // The entry of `key` from the sets. `old`: the entry before this commit, whose series
  // of key's indicator touched by the commit are `touched` (nullptr: from scratch).
  std::optional<RecordEntry> ComputeEntry(const RecordKey& key, const RecordEntry* old,
                                          std::span<const int32_t> touched) const;
  const Candidate* BestIn(const GrainData& g, int32_t scope, int32_t before, double sign) const;
  std::vector<Outlier> AllOutliers() const;

  std::vector<SeriesData> series_;                                   // by State series id
  std::unordered_map<uint64_t, int32_t> series_of_;                  // (unit, indicator) -> series
  std::vector<std::array<ScopeSets, 3>> sets_;                       // by indicator, grain
  std::vector<Direction> direction_;                                 // by indicator
  std::unordered_map<uint64_t, std::map<int32_t, Review>> reviews_;  // (unit, indicator)
  std::map<RecordKey, RecordEntry, KeyLess> table_;
  Cutoff cutoff_{};
  std::optional<Date> last_;
  std::vector<double> scratch_;
  std::vector<int32_t> scopes_scratch_;
  std::vector<double> window_scratch_;
};

}  // namespace chollima::engine
