#include "engine/pairing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

namespace chollima::engine::pairing {
namespace internal {
// In pairing.cc: Assign with its mentor x mentor tables on or off (off is what more than
// 4096 mentors get).
Result<Assignment> AssignWithTables(const Problem& problem, bool tables);
}  // namespace internal
namespace {

constexpr double kX = kNotAllowed;

Problem Make(int32_t mentors, int32_t learners, std::vector<int32_t> capacity,
             std::vector<double> cost) {
  Problem p;
  p.mentors = mentors;
  p.learners = learners;
  p.capacity = std::move(capacity);
  p.cost = std::move(cost);
  return p;
}

// The result must be a valid assignment whose pairs and total_cost are its own.
void ExpectConsistent(const Problem& p, const Assignment& a) {
  ASSERT_EQ(a.mentor_of.size(), static_cast<size_t>(p.learners));
  std::vector<int32_t> load(static_cast<size_t>(p.mentors), 0);
  int32_t pairs = 0;
  double cost = 0;
  for (int32_t l = 0; l < p.learners; ++l) {
    const int32_t m = a.mentor_of[static_cast<size_t>(l)];
    if (m < 0) continue;
    ASSERT_LT(m, p.mentors);
    const double c =
        p.cost[static_cast<size_t>(m) * static_cast<size_t>(p.learners) + static_cast<size_t>(l)];
    ASSERT_TRUE(std::isfinite(c)) << "learner " << l;
    for (const auto& f : p.forbidden) ASSERT_NE(f, std::make_pair(m, l));
    ++load[static_cast<size_t>(m)];
    ++pairs;
    cost += c;
  }
  for (int32_t m = 0; m < p.mentors; ++m) {
    EXPECT_LE(load[static_cast<size_t>(m)], p.capacity[static_cast<size_t>(m)]) << m;
  }
  for (const auto& [m, l] : p.fixed) EXPECT_EQ(a.mentor_of[static_cast<size_t>(l)], m);
  EXPECT_EQ(a.pairs, pairs);
  EXPECT_NEAR(a.total_cost, cost, 1e-9 * (1 + std::abs(cost)));
}

Assignment Solve(const Problem& p) {
  auto r = Assign(p);
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok()) return {};
  ExpectConsistent(p, *r);
  return *r;
}

TEST(Pairing, TwoByTwoTakesTheCheaperDiagonal) {
  const Assignment a = Solve(Make(2, 2, {1, 1},
                                  {1, 5,  //
                                   4, 1}));
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(a.pairs, 2);
  EXPECT_DOUBLE_EQ(a.total_cost, 2);
}

TEST(Pairing, NotGreedy) {
  // Greedy would give learner 0 to mentor 0 (cost 1) and learner 1 to mentor 1 (10).
  const Assignment a = Solve(Make(2, 2, {1, 1},
                                  {1, 2,  //
                                   2, 10}));
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{1, 0}));
  EXPECT_DOUBLE_EQ(a.total_cost, 4);
}

TEST(Pairing, CapacityTwo) {
  const Assignment a = Solve(Make(2, 3, {2, 1},
                                  {1, 1, 1,  //
                                   5, 5, 0}));
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{0, 0, 1}));
  EXPECT_DOUBLE_EQ(a.total_cost, 2);
}

TEST(Pairing, FixedPairChangesTheOptimum) {
  Problem p = Make(2, 2, {1, 1},
                   {1, 5,  //
                    4, 1});
  p.fixed = {{0, 1}};
  const Assignment a = Solve(p);
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{1, 0}));
  EXPECT_DOUBLE_EQ(a.total_cost, 9);
}

TEST(Pairing, FixedPairUsesCapacity) {
  Problem p = Make(1, 2, {1}, {1, 100});
  p.fixed = {{0, 1}};
  const Assignment a = Solve(p);
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{-1, 0}));
  EXPECT_EQ(a.pairs, 1);
  EXPECT_DOUBLE_EQ(a.total_cost, 100);
}

TEST(Pairing, ForbiddenPairIsNeverMade) {
  Problem p = Make(2, 2, {1, 1},
                   {1, 5,  //
                    4, 1});
  p.forbidden = {{1, 1}};
  const Assignment a = Solve(p);
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{1, 0}));
  EXPECT_DOUBLE_EQ(a.total_cost, 9);
}

TEST(Pairing, AllNotAllowed) {
  const Assignment a = Solve(Make(2, 3, {3, 3}, {kX, kX, kX, kX, kX, kX}));
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{-1, -1, -1}));
  EXPECT_EQ(a.pairs, 0);
  EXPECT_EQ(a.total_cost, 0);
}

TEST(Pairing, Empty) {
  EXPECT_EQ(Solve(Make(0, 0, {}, {})).pairs, 0);
  EXPECT_EQ(Solve(Make(0, 3, {}, {})).mentor_of, (std::vector<int32_t>{-1, -1, -1}));
  EXPECT_EQ(Solve(Make(2, 0, {1, 1}, {})).pairs, 0);
  EXPECT_EQ(Solve(Make(2, 2, {0, 0}, {1, 1, 1, 1})).pairs, 0);
}

TEST(Pairing, NegativeCostsMaximiseGain) {
  // Costs are minus expected gains.
  const Assignment a = Solve(Make(2, 2, {1, 1},
                                  {-3, -1,  //
                                   -2, -5}));
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{0, 1}));
  EXPECT_DOUBLE_EQ(a.total_cost, -8);
}

TEST(Pairing, CardinalityBeforeCost) {
  // Pairing learner 0 with mentor 0 alone is cheapest, but two pairs are possible.
  const Assignment a = Solve(Make(2, 2, {1, 1},
                                  {0, 1,  //
                                   100, kX}));
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(a.pairs, 2);
  EXPECT_DOUBLE_EQ(a.total_cost, 101);
}

TEST(Pairing, MoreLearnersThanPlacesKeepsTheCheapest) {
  const Assignment a = Solve(Make(2, 5, {1, 2},
                                  {9, 3, 7, 1, 8,  //
                                   2, 9, 4, 6, 5}));
  EXPECT_EQ(a.pairs, 3);
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{1, -1, 1, 0, -1}));
  EXPECT_DOUBLE_EQ(a.total_cost, 7);
}

TEST(Pairing, LearnersCompetingForOnePlaceKeepTheCheaper) {
  // Places (1 + 5) exceed learners, but learners 0 and 1 can only go to mentor 0: the
  // one added first (0) gives its place up to the cheaper one.
  const Assignment a = Solve(Make(2, 3, {1, 5},
                                  {5, 2, 9,  //
                                   kX, kX, 1}));
  EXPECT_EQ(a.mentor_of, (std::vector<int32_t>{-1, 0, 1}));
  EXPECT_DOUBLE_EQ(a.total_cost, 3);
}

TEST(Pairing, HugeCapacityIsClamped) {
  const Assignment a = Solve(Make(1, 3, {INT32_MAX}, {1, 2, 3}));
  EXPECT_EQ(a.pairs, 3);
}

TEST(Pairing, SameFixedPairTwiceCountsOnce) {
  Problem p = Make(1, 2, {1}, {1, 2});
  p.fixed = {{0, 1}, {0, 1}};
  EXPECT_EQ(Solve(p).mentor_of, (std::vector<int32_t>{-1, 0}));
}

std::string ErrorOf(const Problem& p) {
  auto r = Assign(p);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  return r.error().message;
}

TEST(PairingErrors, Shape) {
  EXPECT_NE(ErrorOf(Make(-1, 0, {}, {})).find("negative size"), std::string::npos);
  EXPECT_NE(ErrorOf(Make(2, 1, {1}, {1, 1})).find("1 capacities for 2 mentors"), std::string::npos);
  EXPECT_NE(ErrorOf(Make(2, 2, {1, 1}, {1, 1, 1})).find("3 costs for 2 x 2"), std::string::npos);
}

TEST(PairingErrors, NegativeCapacityNamesTheMentor) {
  EXPECT_NE(ErrorOf(Make(2, 1, {1, -1}, {1, 1})).find("mentor 1 has negative capacity -1"),
            std::string::npos);
}

TEST(PairingErrors, NanCostNamesThePair) {
  EXPECT_NE(ErrorOf(Make(2, 2, {1, 1}, {1, 1, 1, NAN})).find("(mentor 1, learner 1) is NaN"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Make(1, 2, {1}, {-kX, 1})).find("(mentor 0, learner 0) is -infinity"),
            std::string::npos);
}

TEST(PairingErrors, FixedPairs) {
  Problem p = Make(2, 2, {1, 1}, {1, 1, kX, 1});
  p.fixed = {{1, 0}};
  EXPECT_NE(ErrorOf(p).find("fixed pair (mentor 1, learner 0) is forbidden or not allowed"),
            std::string::npos);
  p.fixed = {{0, 1}};
  p.forbidden = {{0, 1}};
  EXPECT_NE(ErrorOf(p).find("fixed pair (mentor 0, learner 1) is forbidden"), std::string::npos);
  p.forbidden = {};
  p.fixed = {{0, 1}, {1, 1}};
  EXPECT_NE(ErrorOf(p).find("learner 1 is fixed to mentor 0 and to mentor 1"), std::string::npos);
  p.fixed = {{0, 0}, {0, 1}};
  EXPECT_NE(ErrorOf(p).find("mentor 0 has more fixed pairs than its capacity 1"),
            std::string::npos);
  p.fixed = {{2, 0}};
  EXPECT_NE(ErrorOf(p).find("fixed pair (mentor 2, learner 0) is out of range"), std::string::npos);
  p.fixed = {};
  p.forbidden = {{0, -1}};
  EXPECT_NE(ErrorOf(p).find("forbidden pair (mentor 0, learner -1) is out of range"),
            std::string::npos);
}

// Brute force: every learner picks a mentor or none; the best is the most pairs, then the
// least cost.
struct Best {
  int32_t pairs = -1;
  double cost = 0;
};

void Enumerate(const Problem& p, int32_t l, std::vector<int32_t>& load, int32_t pairs, double cost,
               Best& best) {
  if (l == p.learners) {
    if (pairs > best.pairs || (pairs == best.pairs && cost < best.cost)) best = {pairs, cost};
    return;
  }
  int32_t fixed_to = -1;
  for (const auto& [m, fl] : p.fixed) {
    if (fl == l) fixed_to = m;
  }
  if (fixed_to < 0) Enumerate(p, l + 1, load, pairs, cost, best);
  for (int32_t m = 0; m < p.mentors; ++m) {
    if (fixed_to >= 0 && m != fixed_to) continue;
    const double c = p.cost[static_cast<size_t>(m * p.learners + l)];
    bool forbidden = false;
    for (const auto& f : p.forbidden) forbidden = forbidden || f == std::make_pair(m, l);
    if (forbidden || c == kNotAllowed) continue;
    if (load[static_cast<size_t>(m)] == p.capacity[static_cast<size_t>(m)]) continue;
    ++load[static_cast<size_t>(m)];
    Enumerate(p, l + 1, load, pairs + 1, cost + c, best);
    --load[static_cast<size_t>(m)];
  }
}

TEST(PairingProperty, MatchesBruteForceOnTinyInstances) {
  std::mt19937_64 rng(20260214);
  int checked = 0;
  for (int trial = 0; trial < 6000; ++trial) {
    std::uniform_int_distribution<int32_t> size(1, 4);
    Problem p;
    p.mentors = size(rng);
    p.learners = std::uniform_int_distribution<int32_t>(1, 6)(rng);
    std::uniform_int_distribution<int32_t> cap(0, trial % 4 == 0 ? 6 : 3);
    for (int32_t m = 0; m < p.mentors; ++m) p.capacity.push_back(cap(rng));
    const bool integer = trial % 2 == 0;  // integer costs make ties, reals make negatives
    std::uniform_real_distribution<double> real(-5, 5);
    std::uniform_int_distribution<int> small(0, 3);
    std::uniform_real_distribution<double> u(0, 1);
    const double not_allowed = (trial % 3) * 0.2;
    for (int32_t i = 0; i < p.mentors * p.learners; ++i) {
      if (u(rng) < not_allowed) {
        p.cost.push_back(kNotAllowed);
      } else {
        p.cost.push_back(integer ? small(rng) : real(rng));
      }
    }
    if (trial % 5 == 0) p.forbidden.push_back({p.mentors - 1, 0});
    if (trial % 7 == 0 && std::isfinite(p.cost[0]) && p.capacity[0] > 0 &&
        !(p.mentors == 1 && trial % 5 == 0)) {
      p.fixed.push_back({0, 0});
    }
    std::vector<int32_t> load(static_cast<size_t>(p.mentors), 0);
    Best best;
    Enumerate(p, 0, load, 0, 0, best);
    for (const bool tables : {true, false}) {
      auto r = internal::AssignWithTables(p, tables);
      ASSERT_TRUE(r.ok()) << r.error().message;
      ExpectConsistent(p, *r);
      ASSERT_EQ(r->pairs, best.pairs) << "trial " << trial << " tables " << tables;
      ASSERT_NEAR(r->total_cost, best.cost, 1e-9) << "trial " << trial << " tables " << tables;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 6000);
}

TEST(PairingProperty, TablesOrNotAgreeOnLargerInstances) {
  // Beyond brute force: both ways of searching must reach the same optimum.
  std::mt19937_64 rng(99);
  for (int trial = 0; trial < 12; ++trial) {
    Problem p;
    p.mentors = 30;
    p.learners = 300;
    const int32_t cap = trial % 3 == 0 ? 9 : (trial % 3 == 1 ? 10 : 13);  // short, even, slack
    p.capacity.assign(30, cap);
    std::uniform_real_distribution<double> u(-1, 1);
    for (int i = 0; i < 30 * 300; ++i)
      p.cost.push_back(u(rng) < 0.8 - 0.2 * (trial % 4) ? u(rng) : kX);
    auto with = internal::AssignWithTables(p, true);
    auto without = internal::AssignWithTables(p, false);
    ASSERT_TRUE(with.ok() && without.ok());
    ExpectConsistent(p, *with);
    ExpectConsistent(p, *without);
    EXPECT_EQ(with->pairs, without->pairs) << trial;
    EXPECT_NEAR(with->total_cost, without->total_cost, 1e-9 * (1 + std::abs(with->total_cost)))
        << trial;
  }
}

TEST(PairingProperty, Deterministic) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> small(0, 2);
  Problem p = Make(5, 40, {6, 6, 6, 6, 6}, {});
  for (int i = 0; i < 200; ++i) p.cost.push_back(small(rng));
  const Assignment a = Solve(p);
  const Assignment b = Solve(p);
  EXPECT_EQ(a.mentor_of, b.mentor_of);
  EXPECT_EQ(a.pairs, 30);
}

}  // namespace
}  // namespace chollima::engine::pairing
