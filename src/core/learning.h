// The vocabulary of models and learning (PRODUCT.md F8, F9) as plain value types: a
// planner's designation of a model unit for a peer group, a unit's choice of the model
// it follows, a planner's rule on a learning pair (fixed or forbidden), and the learning
// pairs made. They are facts the store keeps and the engine State holds; the frontier,
// the followers' gaps and the pairs' progress are DERIVED from them and the reports
// (engine/frontier.h, engine/learning.h).
//
// Each is a revision: the latest of the same key wins (a designation of (peer group,
// unit), a choice of a follower, a rule of (mentor, learner), a pair of a learner), and
// `active = false` ends what it revises. The history is the list in order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/model.h"

namespace chollima {

struct ModelDesignation {
  GroupId peer_group = kNoId;  // kNoId: all units
  UnitId unit = kNoId;
  Date from;  // the model from this day (or, inactive, no longer from this day)
  bool active = true;
  std::string reason;  // why this unit: "highest output per worker three seasons running"
  std::string author;
  friend bool operator==(const ModelDesignation&, const ModelDesignation&) = default;
};

// A unit's own choice of the model it measures itself against (besides being a follower
// of every model of its groups).
struct FollowerChoice {
  UnitId follower = kNoId;
  UnitId model = kNoId;
  Date from;
  bool active = true;
  friend bool operator==(const FollowerChoice&, const FollowerChoice&) = default;
};

enum class PairRuleKind : uint8_t {
  kFixed,      // the assignment must make this pair
  kForbidden,  // the assignment must never make it
  kNone,       // a rule withdrawn
};
const char* PairRuleKindName(PairRuleKind k);  // "fixed", "forbidden", "none"
bool ParsePairRuleKind(std::string_view s, PairRuleKind& out);

struct PairRule {
  UnitId mentor = kNoId;
  UnitId learner = kNoId;
  PairRuleKind kind = PairRuleKind::kFixed;
  std::string author;
  std::string note;
  friend bool operator==(const PairRule&, const PairRule&) = default;
};

// A learning pair: `mentor` helps `learner` from `from` on. A learner has at most one
// active pair; a new pair of the learner ends the previous one. The learner's
// efficiency when the pair was made is kept, so that its progress is measured against
// what the planner saw, whatever corrections come later.
struct LearningPair {
  GroupId peer_group = kNoId;  // the peer group whose frontier paired them
  UnitId mentor = kNoId;
  UnitId learner = kNoId;
  Date from;
  bool active = true;
  std::string basis;   // "assigned" (by the optimal assignment) or "fixed" (a planner's)
  std::string period;  // the period of the frontier at pairing time, e.g. "2026-03"
  // Its returns to scale and orientation ("vrs in"): progress is measured on the same.
  std::string frontier = "vrs in";
  double score_at_pairing = 0;  // the learner's efficiency then
  std::string author;
  friend bool operator==(const LearningPair&, const LearningPair&) = default;
};

}  // namespace chollima
