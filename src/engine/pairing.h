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
//
//   Problem p{.mentors = 2, .learners = 3, .capacity = {2, 1},
//             .cost = {1, 1, 1,    // mentor 0
//                      5, 5, 0}};  // mentor 1
//   Result<Assignment> a = Assign(p);  // mentor_of {0, 0, 1}, pairs 3, total_cost 2
//
// The solution is exact: the objective is lexicographic (most pairs, then least cost),
// solved as a min-cost flow by the Hungarian method generalised to capacities. Units of
// the smaller side (each learner, or each mentor's place when places are fewer than
// learners) are added one at a time along a shortest augmenting path (Dijkstra with
// Johnson potentials; a dense array scan, no heap). When no free partner is reachable the
// unit of the search tree whose removal costs least stays unpaired instead, so no big-M
// constant is needed for "most pairs first". Costs of any sign are handled as they are:
// a new unit's potential is set so that its reduced costs are >= 0, which is valid
// because the residual graph of an optimal partial solution has no negative cycle (no
// shifting of costs, no Bellman-Ford).
//
// Cost, with U = min(learners, places) units added and M mentors: each search settles
// mentors in order of distance, O(M) per settled mentor through a mentor x mentor table
// of the cheapest move between two mentors (12 M^2 bytes; used when M <= 4096, and for
// learner units when mentors take 2+ learners on average; otherwise a search works on
// both sides, O(L) per mentor). Worst case O(U (M + L)^2), in practice far less: on
// dense random costs 200 x 2,000 takes ~10-20 ms, 1,000 x 10,000 0.3-1 s and
// 2,000 x 20,000 1-3.5 s, ~5 s when places fall just short of learners (the hardest
// case; pairing_benchmark.cc). Memory: one or two copies of the costs (8 M L bytes each).
//
// Ties: units are added in index order and searches settle the lowest index first, so
// among equally good assignments the one returned is a function of the input alone.
// total_cost is summed over learners in index order.
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
  double total_cost = 0;  // over every pair, fixed ones included
};

// Returns an assignment with the most pairs possible and, among those, the least
// total_cost. Fixed pairs are always in it; a fixed pair listed twice counts once.
// Errors (kInvalidArgument, naming the mentor/learner index): shape (negative sizes,
// capacity or cost of the wrong length, a fixed or forbidden pair out of range), a
// negative capacity, a NaN or -infinity cost, a fixed pair that is forbidden or not
// allowed, a learner fixed to two mentors, more fixed pairs on a mentor than its
// capacity. Thread-safe: keeps no state; the problem is only read.
Result<Assignment> Assign(const Problem& problem);

}  // namespace chollima::engine::pairing
