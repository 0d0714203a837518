// Learning pairs (F9): each mentor (a model or an advanced unit) helps at most its
// capacity of learners, each learner learns from at most one mentor, and the pairs are
// assigned optimally, not greedily: first as many learners as possible are paired, then
// the total cost of the pairs is the least possible (a minimum-cost maximum flow). A
// planner's fixed pairs are kept (they use up their mentor's capacity) and forbidden
// pairs are never made.
//
// The cost of a pair is what the caller chooses: the distance between the two units'
// input/output mixes, or minus the learner's expected gain. An infinite cost means
// "not allowed" (the same as forbidding the pair).
#pragma once

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/status.h"

namespace chollima::engine::pairing {

inline constexpr double kNotAllowed = std::numeric_limits<double>::infinity();

struct Problem {
  int32_t mentors = 0;
  int32_t learners = 0;
  std::vector<int32_t> capacity;  // per mentor, >= 0
  // cost[m * learners + l]: the cost of mentor m helping learner l; finite or
  // kNotAllowed.
  std::vector<double> cost;
  std::vector<std::pair<int32_t, int32_t>> fixed;      // (mentor, learner): must pair
  std::vector<std::pair<int32_t, int32_t>> forbidden;  // (mentor, learner): never
};

struct Assignment {
  std::vector<int32_t> mentor_of;  // per learner: its mentor, or -1 when unpaired
  int32_t pairs = 0;
  double total_cost = 0;           // over every pair, fixed ones included
};

// Errors (naming the mentor/learner index): shape, a negative capacity, a NaN cost,
// a fixed pair that is forbidden or not allowed, a learner fixed to two mentors, more
// fixed pairs on a mentor than its capacity.
Result<Assignment> Assign(const Problem& problem);

}  // namespace chollima::engine::pairing
