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
//   Which indicators and grains have records; the value of a period (the indicator's
//   aggregation; which periods count: running or complete), "best" by direction; the
//   TIE RULE (who holds a record on equal values); scopes (unit; group: a member's value
//   on days it belonged to the group; all units); the previous record shown with a
//   record; outliers (the rule, its window and thresholds; capacity); what a review
//   changes; what a correction does (a lower value withdraws a record it set and
//   restores the previous one); which events Apply emits and when exactly once.
//
// Thread-safety: a RecordBook is used by one thread at a time (const methods may be
// shared by readers while no one calls Apply).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/changes.h"
#include "core/emulation.h"
#include "core/model.h"
#include "core/period.h"
#include "engine/state.h"

namespace chollima::engine {

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
  // REQUIRES: reviews' ids valid in `state`.
  RecordBook(const State& state, std::span<const OutlierReview> reviews);

  // After `changes` were applied to `state` (`reviews` including those in the changes):
  // updates the records and returns what changed, in a stable order. The cost is
  // proportional to the series the changes touch, not to the State.
  std::vector<RecordEvent> Apply(const State& state, std::span<const OutlierReview> reviews,
                                 const Changes& changes);

  const RecordEntry* Find(const RecordKey& key) const;
  // Records matching `filter`, ordered by indicator, grain, scope, scope id.
  std::vector<RecordEntry> Records(const RecordFilter& filter) const;
  // Flagged reports (reviewed or not), by unit, indicator, date.
  std::vector<Outlier> Outliers(std::optional<UnitId> unit,
                                std::optional<IndicatorId> indicator) const;

  friend bool operator==(const RecordBook& a, const RecordBook& b);
};

}  // namespace chollima::engine
